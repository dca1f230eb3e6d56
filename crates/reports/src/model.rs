//! The table model shared by the writers, and the raw model produced by the reader.

use time::Date;

/// How the values of a column are meant to be read and formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Free text.
    Text,
    /// Whole number, shown with thousands separators (`17,800`).
    Int,
    /// Decimal number shown with a fixed number of places (`82.155`).
    Decimal {
        /// Digits after the decimal separator (at most 15 are used).
        places: u8,
    },
    /// Amount of money in whole đồng, shown like [`ColumnKind::Int`].
    Money,
    /// Calendar date, shown as `d/m/yyyy` in xlsx.
    Date,
    /// Yes/no, shown as "Có"/"Không".
    Bool,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Stable machine key (e.g. `so_lao_dong`); not written to files.
    pub key: String,
    /// Header shown to people, in Vietnamese (e.g. "Số lao động (người)").
    ///
    /// In [`crate::template_xlsx`] a title ending in `*` (for instance
    /// "Tên làng nghề (*)") marks a required column.
    pub title: String,
    /// How values are formatted.
    pub kind: ColumnKind,
    /// Column width in Excel character units; `None` guesses from the content.
    pub width: Option<f64>,
}

impl Column {
    /// A column without an explicit width.
    pub fn new(key: impl Into<String>, title: impl Into<String>, kind: ColumnKind) -> Self {
        Column {
            key: key.into(),
            title: title.into(),
            kind,
            width: None,
        }
    }

    /// Whether the title marks the column as required (ends with `*`, e.g. "Tên (*)").
    pub fn is_required(&self) -> bool {
        let t = self.title.trim_end();
        t.ends_with('*') || t.ends_with("(*)")
    }
}

/// One value of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Empty,
    /// Text, always written as text (never as a formula).
    Text(String),
    /// Whole number (also used for money in đồng).
    Int(i64),
    /// Decimal number. Non-finite values (NaN, ±∞) are written as empty cells.
    Decimal(f64),
    /// Calendar date.
    Date(Date),
    /// Yes/no.
    Bool(bool),
}

/// A sheet of data to export.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Worksheet name; sanitised for Excel when written.
    pub sheet_name: String,
    /// Optional bold title written above the header row (xlsx only).
    pub title: Option<String>,
    /// Column definitions, in order.
    pub columns: Vec<Column>,
    /// Data rows; a row may be shorter or longer than `columns`.
    pub rows: Vec<Vec<Cell>>,
}

/// Safety limits applied by [`crate::read_table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted upload, in bytes (default 20 MiB).
    pub max_bytes: usize,
    /// Largest number of non-blank data rows (default 200 000).
    pub max_rows: usize,
    /// Largest total declared uncompressed size of an xlsx archive (default 200 MiB).
    pub max_uncompressed: u64,
    /// Largest compression ratio of an archive entry bigger than 1 MiB (default 100).
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_rows: 200_000,
            max_uncompressed: 200 * 1024 * 1024,
            max_ratio: 100,
        }
    }
}

/// A sheet read from an upload: everything as text, the way a person typed it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawSheet {
    /// Header titles: trimmed, NFC-normalised, trailing empty titles removed.
    pub headers: Vec<String>,
    /// Non-blank data rows below the header, in file order.
    pub rows: Vec<RawRow>,
}

/// One data row of a [`RawSheet`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawRow {
    /// 1-based row number as the user sees it (spreadsheet row or CSV line).
    pub line: usize,
    /// Cell texts (NFC-normalised, not trimmed). Always at least `headers.len()`
    /// long (padded with empty strings); longer only when the row has values in
    /// columns without a header.
    pub cells: Vec<String>,
}

impl RawRow {
    /// The cell at `index`, or `""` when the row has no such cell.
    pub fn get(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }
}
