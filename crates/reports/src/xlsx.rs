//! xlsx export ([`to_xlsx`]) and import templates ([`template_xlsx`]) with
//! rust_xlsxwriter.
//!
//! Text cells are always written with `write_string`, which stores a shared
//! string: a value such as `=1+1` stays text and is never evaluated as a
//! formula.

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};
use unicode_normalization::UnicodeNormalization;

use crate::model::{Cell, Column, ColumnKind, Table};
use crate::text::{iso_date, plain_float};
use crate::ReportError;

/// Name of the second sheet of [`template_xlsx`].
pub const GUIDE_SHEET: &str = "Hướng dẫn";

const HEADER_FILL: u32 = 0xDDEBF7;
const EXAMPLE_GREY: u32 = 0x808080;
/// Rows looked at when guessing a column width.
const WIDTH_SAMPLE_ROWS: usize = 200;
const MIN_WIDTH: f64 = 8.0;
const MAX_WIDTH: f64 = 60.0;

/// Writes `table` as an xlsx workbook with one worksheet.
///
/// Layout: an optional bold title in row 1, then the header row (bold, filled,
/// bordered, frozen, with an autofilter), then the data. Number formats follow
/// the column kind: Int and Money `#,##0`, Decimal `#,##0.00…` with the
/// column's places, Date `d/m/yyyy`; booleans are written as "Có"/"Không".
/// Non-finite decimals are left empty. Dates Excel cannot store (before 1900)
/// are written as ISO text.
pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, ReportError> {
    to_xlsx_book(std::slice::from_ref(table))
}

/// Writes several tables as the worksheets of one workbook, in order, each
/// laid out as [`to_xlsx`] does. Sheet names must differ after sanitising.
pub fn to_xlsx_book(tables: &[Table]) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    for table in tables {
        let ws = workbook.add_worksheet();
        write_table(ws, table)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn write_table(ws: &mut Worksheet, table: &Table) -> Result<(), ReportError> {
    ws.set_name(sanitize_sheet_name(&table.sheet_name))?;

    let ncols = table.columns.len();
    let header_row: u32 = match table.title.as_deref().map(str::trim) {
        Some(title) if !title.is_empty() => {
            let fmt = Format::new().set_bold().set_font_size(14);
            if ncols > 1 {
                ws.merge_range(0, 0, 0, col_num(ncols - 1)?, title, &fmt)?;
            } else {
                ws.write_string_with_format(0, 0, title, &fmt)?;
            }
            1
        }
        _ => 0,
    };

    let header_fmt = header_format();
    for (i, column) in table.columns.iter().enumerate() {
        let col = col_num(i)?;
        ws.write_string_with_format(header_row, col, column.title.as_str(), &header_fmt)?;
        let width = column
            .width
            .filter(|w| w.is_finite() && *w > 0.0)
            .unwrap_or_else(|| guess_width(column, table.rows.iter().map(|r| r.get(i))));
        ws.set_column_width(col, width)?;
    }

    let formats: Vec<Format> = table
        .columns
        .iter()
        .map(|c| number_format(c.kind))
        .collect();
    let date_fmt = date_format();
    let plain = Format::new();
    for (r, cells) in table.rows.iter().enumerate() {
        let row = row_num(header_row as usize + 1 + r)?;
        for (c, cell) in cells.iter().enumerate() {
            let num_fmt = formats.get(c).unwrap_or(&plain);
            write_cell(ws, row, col_num(c)?, cell, num_fmt, &date_fmt)?;
        }
    }

    if ncols > 0 {
        ws.set_freeze_panes(header_row + 1, 0)?;
        let last_row = row_num(header_row as usize + table.rows.len())?;
        ws.autofilter(header_row, 0, last_row, col_num(ncols - 1)?)?;
    }
    Ok(())
}

/// Builds a downloadable import template.
///
/// The first worksheet (named `sheet`, sanitised) has the header row (frozen)
/// and one example row in grey italics; each column is pre-formatted for its
/// kind (Text and Bool columns as text `@`, so codes keep leading zeros). The
/// second worksheet, [`GUIDE_SHEET`] ("Hướng dẫn"), lists each column: its
/// letter, title, whether it is required ("Có"/"Không", from a title ending in
/// `*`, see [`Column::is_required`]) and its kind in Vietnamese; below that
/// table, under "Lưu ý", come the general `notes_vi`, one per row.
pub fn template_xlsx(
    sheet: &str,
    columns: &[Column],
    example: &[Cell],
    notes_vi: &[String],
) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let data_name = {
        let name = sanitize_sheet_name(sheet);
        if name.to_lowercase() == GUIDE_SHEET.to_lowercase() {
            format!("{name} 1")
        } else {
            name
        }
    };

    let header_fmt = header_format();
    let ws = workbook.add_worksheet();
    ws.set_name(data_name)?;
    let grey = |f: Format| f.set_italic().set_font_color(Color::RGB(EXAMPLE_GREY));
    let date_fmt = grey(date_format());
    for (i, column) in columns.iter().enumerate() {
        let col = col_num(i)?;
        ws.write_string_with_format(0, col, column.title.as_str(), &header_fmt)?;
        let width = column
            .width
            .filter(|w| w.is_finite() && *w > 0.0)
            .unwrap_or_else(|| guess_width(column, std::iter::once(example.get(i))));
        ws.set_column_width(col, width)?;
        let column_fmt = match column.kind {
            ColumnKind::Text | ColumnKind::Bool => Format::new().set_num_format("@"),
            ColumnKind::Date => date_format(),
            kind => number_format(kind),
        };
        ws.set_column_format(col, &column_fmt)?;
        if let Some(cell) = example.get(i) {
            let num_fmt = grey(number_format(column.kind));
            write_cell(ws, 1, col, cell, &num_fmt, &date_fmt)?;
        }
    }
    if !columns.is_empty() {
        ws.set_freeze_panes(1, 0)?;
    }

    let guide = workbook.add_worksheet();
    guide.set_name(GUIDE_SHEET)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let guide_headers = ["Cột", "Tên cột", "Bắt buộc", "Kiểu dữ liệu"];
    let guide_widths = [6.0, 40.0, 10.0, 50.0];
    for (i, (title, width)) in guide_headers.iter().zip(guide_widths).enumerate() {
        let col = col_num(i)?;
        guide.write_string_with_format(0, col, *title, &header_fmt)?;
        guide.set_column_width(col, width)?;
    }
    for (i, column) in columns.iter().enumerate() {
        let row = row_num(i + 1)?;
        let required = if column.is_required() {
            "Có"
        } else {
            "Không"
        };
        let values = [
            column_letter(i),
            column.title.clone(),
            required.to_owned(),
            kind_vi(column.kind),
        ];
        for (c, value) in values.into_iter().enumerate() {
            guide.write_string_with_format(row, col_num(c)?, value, &wrap)?;
        }
    }
    if !notes_vi.is_empty() {
        let mut row = row_num(columns.len() + 2)?;
        guide.write_string_with_format(row, 0, "Lưu ý", &Format::new().set_bold())?;
        for note in notes_vi {
            row += 1;
            guide.merge_range(row, 1, row, 3, note.as_str(), &wrap)?;
        }
    }
    guide.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

/// Makes `name` a valid Excel worksheet name: NFC, `[ ] : * ? / \` and control
/// characters replaced by `-`, no leading/trailing spaces or apostrophes, at
/// most 31 UTF-16 units, not empty (`Sheet1`) and not the reserved `History`.
pub fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .nfc()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let trim = |s: &str| -> String {
        s.trim_matches(|c: char| c.is_whitespace() || c == '\'')
            .to_owned()
    };
    let mut out = String::new();
    let mut units = 0;
    for c in trim(&cleaned).chars() {
        units += c.len_utf16();
        if units > 31 {
            break;
        }
        out.push(c);
    }
    let out = trim(&out);
    if out.is_empty() {
        "Sheet1".to_owned()
    } else if out.eq_ignore_ascii_case("history") {
        format!("{out}-1")
    } else {
        out
    }
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
}

fn date_format() -> Format {
    Format::new().set_num_format("d/m/yyyy")
}

/// The format for numbers in a column of `kind`.
fn number_format(kind: ColumnKind) -> Format {
    match kind {
        ColumnKind::Int | ColumnKind::Money => Format::new().set_num_format("#,##0"),
        ColumnKind::Decimal { places } => {
            let places = usize::from(places.min(15));
            if places == 0 {
                Format::new().set_num_format("#,##0")
            } else {
                Format::new().set_num_format(format!("#,##0.{}", "0".repeat(places)))
            }
        }
        ColumnKind::Text | ColumnKind::Date | ColumnKind::Bool => Format::new(),
    }
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    num_fmt: &Format,
    date_fmt: &Format,
) -> Result<(), ReportError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            ws.write_string_with_format(row, col, s.as_str(), num_fmt)?;
        }
        Cell::Int(v) => {
            // Exact up to 2^53; Excel itself keeps 15 significant digits.
            #[allow(clippy::cast_precision_loss)]
            let v = *v as f64;
            ws.write_number_with_format(row, col, v, num_fmt)?;
        }
        Cell::Decimal(v) if v.is_finite() => {
            ws.write_number_with_format(row, col, *v, num_fmt)?;
        }
        Cell::Decimal(_) => {}
        Cell::Date(d) => {
            let excel = u16::try_from(d.year())
                .ok()
                .and_then(|y| ExcelDateTime::from_ymd(y, u8::from(d.month()), d.day()).ok());
            match excel {
                Some(dt) => {
                    ws.write_datetime_with_format(row, col, dt, date_fmt)?;
                }
                None => {
                    ws.write_string_with_format(row, col, iso_date(*d), num_fmt)?;
                }
            }
        }
        Cell::Bool(b) => {
            let text = if *b { "Có" } else { "Không" };
            ws.write_string_with_format(row, col, text, num_fmt)?;
        }
    }
    Ok(())
}

/// Width from the header and a sample of values, in Excel character units.
fn guess_width<'a>(column: &Column, sample: impl Iterator<Item = Option<&'a Cell>>) -> f64 {
    let header = column.title.chars().count();
    let data = sample
        .take(WIDTH_SAMPLE_ROWS)
        .flatten()
        .map(|cell| display_len(cell, column.kind))
        .max()
        .unwrap_or(0);
    let kind_min = match column.kind {
        ColumnKind::Date => 11,
        ColumnKind::Money => 16,
        _ => 0,
    };
    #[allow(clippy::cast_precision_loss)]
    let chars = header.max(data).max(kind_min) as f64;
    (chars + 2.0).clamp(MIN_WIDTH, MAX_WIDTH)
}

/// Approximate displayed length of a value.
fn display_len(cell: &Cell, kind: ColumnKind) -> usize {
    let grouped = |digits: usize| digits + digits.saturating_sub(1) / 3;
    match cell {
        Cell::Empty => 0,
        Cell::Text(s) => s.chars().count(),
        Cell::Int(v) => grouped(v.unsigned_abs().to_string().len()) + usize::from(*v < 0),
        Cell::Decimal(v) => {
            let places = match kind {
                ColumnKind::Decimal { places } => usize::from(places.min(15)) + 1,
                _ => 0,
            };
            let int_digits = plain_float(v.trunc()).map_or(1, |s| s.len());
            grouped(int_digits) + places
        }
        Cell::Date(_) => 10,
        Cell::Bool(_) => 5,
    }
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column index.
fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        let rem = u8::try_from(index % 26).unwrap_or(0);
        letters.push(char::from(b'A' + rem));
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

fn kind_vi(kind: ColumnKind) -> String {
    match kind {
        ColumnKind::Text => "Văn bản".to_owned(),
        ColumnKind::Int => "Số nguyên".to_owned(),
        ColumnKind::Decimal { places } => {
            format!("Số thập phân (tối đa {places} chữ số sau dấu thập phân)")
        }
        ColumnKind::Money => "Số tiền (đồng, số nguyên)".to_owned(),
        ColumnKind::Date => "Ngày (ngày/tháng/năm, ví dụ 29/9/2015)".to_owned(),
        ColumnKind::Bool => "Có/Không".to_owned(),
    }
}

fn col_num(index: usize) -> Result<u16, ReportError> {
    u16::try_from(index)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or_else(|| ReportError::Xlsx(format!("too many columns ({})", index + 1)))
}

fn row_num(index: usize) -> Result<u32, ReportError> {
    u32::try_from(index)
        .ok()
        .filter(|r| *r < 1_048_576)
        .ok_or_else(|| ReportError::Xlsx(format!("too many rows ({})", index + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_sanitised() {
        assert_eq!(
            sanitize_sheet_name("Báo cáo 2024/2025"),
            "Báo cáo 2024-2025"
        );
        assert_eq!(sanitize_sheet_name("a[b]c:d*e?f\\g"), "a-b-c-d-e-f-g");
        assert_eq!(sanitize_sheet_name("  'quoted'  "), "quoted");
        assert_eq!(sanitize_sheet_name(""), "Sheet1");
        assert_eq!(sanitize_sheet_name("'''"), "Sheet1");
        assert_eq!(sanitize_sheet_name("History"), "History-1");
        let long = "Danh sách làng nghề truyền thống tỉnh Bắc Ninh";
        let s = sanitize_sheet_name(long);
        assert_eq!(s.encode_utf16().count(), 31);
        assert!(long.starts_with(&s));
        // A cut that lands right after a space does not leave it dangling.
        assert_eq!(
            sanitize_sheet_name(&format!("{} b", "a".repeat(30))),
            "a".repeat(30)
        );
        let nfd: String = "Gốm".nfd().collect();
        assert_eq!(sanitize_sheet_name(&nfd), "Gốm");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn widths_follow_header_and_data_within_bounds() {
        let c = Column::new("so_lao_dong", "Số lao động (người)", ColumnKind::Int);
        assert_eq!(guess_width(&c, std::iter::empty()), 21.0);
        let short = Column::new("x", "X", ColumnKind::Text);
        assert_eq!(guess_width(&short, std::iter::empty()), MIN_WIDTH);
        let long = Cell::Text("x".repeat(500));
        assert_eq!(guess_width(&short, std::iter::once(Some(&long))), MAX_WIDTH);
        let money = Column::new("dt", "Doanh thu", ColumnKind::Money);
        let v = Cell::Int(163_400_000_000);
        // "163,400,000,000" is 15 characters; Money has a 16 minimum.
        assert_eq!(guess_width(&money, std::iter::once(Some(&v))), 18.0);
    }

    #[test]
    fn decimal_formats_have_the_column_places() {
        assert_eq!(
            number_format(ColumnKind::Decimal { places: 3 }),
            Format::new().set_num_format("#,##0.000")
        );
        assert_eq!(
            number_format(ColumnKind::Decimal { places: 0 }),
            Format::new().set_num_format("#,##0")
        );
        assert_eq!(
            number_format(ColumnKind::Money),
            Format::new().set_num_format("#,##0")
        );
    }

    #[test]
    fn required_columns_are_marked_by_a_star() {
        assert!(Column::new("a", "Tên làng nghề (*)", ColumnKind::Text).is_required());
        assert!(Column::new("a", "Tên *", ColumnKind::Text).is_required());
        assert!(!Column::new("a", "Ghi chú", ColumnKind::Text).is_required());
    }
}
