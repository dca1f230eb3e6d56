//! Import: [`read_table`] turns an uploaded xlsx or CSV into a [`RawSheet`].
//!
//! The format is detected from the content, never trusted from the file name:
//!
//! * `PK\x03\x04` (a ZIP archive): the central directory is inspected first,
//!   without inflating anything, and decompression bombs are refused
//!   ([`ReportError::ZipBomb`]): more than [`MAX_ZIP_ENTRIES`] entries, a total
//!   declared size over [`Limits::max_uncompressed`], or an entry over 1 MiB
//!   compressed more than [`Limits::max_ratio`] times. Declared sizes can be
//!   trusted because the zip crate (9.x) fails any entry that inflates past its
//!   declared size. Then the archive must be an xlsx (`xl/workbook.xml`),
//!   otherwise it is reported as `ods`, `xlsb`, `docx`, `pptx` or `zip`
//!   ([`ReportError::UnsupportedFormat`]).
//! * A legacy OLE document (`D0 CF 11 E0`, Excel 97–2003 `.xls`), PDF, images,
//!   other archives, HTML/XML "spreadsheets" and any text with NUL bytes are
//!   refused as [`ReportError::UnsupportedFormat`].
//! * Anything else must be UTF-8 text (a BOM is stripped) and is read as CSV
//!   with the delimiter sniffed among `,` `;` and tab. UTF-16 or legacy 8-bit
//!   encodings (Windows-1258, latin-1) give [`ReportError::Encoding`].
//!
//! The file name is only a hint: it names an OLE file (`doc`, `ppt`, else
//! `xls`) and makes tab win ties when sniffing a `.tsv`.
//!
//! Values are returned as text the way a person typed them: xlsx integers
//! without `.0`, floats with `.` rounded to Excel's 15 significant digits,
//! dates as ISO `YYYY-MM-DD` (`YYYY-MM-DD HH:MM:SS` when there is a time,
//! `HH:MM:SS` for a bare time), booleans `true`/`false`, errors `#ERR`. Blank
//! rows (only empty or white-space cells) are skipped everywhere; `line`
//! keeps the row number the user sees.
//!
//! The header is the first non-blank row, except that title lines above it
//! are skipped: among the first ten non-blank rows, the header is the first
//! one with at least two values (a one-column sheet keeps its first row). So
//! an export of [`crate::to_xlsx`] with a title reads back as it was written.
//! Headers are trimmed, NFC-normalised and trailing empty titles dropped;
//! cells are NFC-normalised but not trimmed. For xlsx, columns start at the
//! leftmost column holding a value.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, Xlsx};

use crate::model::{Limits, RawRow, RawSheet};
use crate::text::{nfc, typed_float};
use crate::ReportError;

/// Rows may not have values beyond this many columns (Excel 2003's limit,
/// column `IV`). This bounds the memory used by padded rows.
pub const MAX_COLUMNS: usize = 256;
/// An xlsx archive with more entries than this is refused as a zip bomb.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// Entries at most this large are exempt from the ratio check.
const RATIO_EXEMPT_SIZE: u64 = 1024 * 1024;
/// Records looked at when sniffing the CSV delimiter.
const SNIFF_RECORDS: usize = 20;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads the first worksheet of an xlsx, or a CSV; see the [module
/// documentation](self).
pub fn read_table(bytes: &[u8], filename: &str, limits: &Limits) -> Result<RawSheet, ReportError> {
    read_table_sheet(bytes, filename, None, limits)
}

/// Like [`read_table`], reading the xlsx worksheet named `sheet` when given
/// (exact name first, then ignoring case and surrounding spaces). `sheet` is
/// ignored for CSV.
pub fn read_table_sheet(
    bytes: &[u8],
    filename: &str,
    sheet: Option<&str>,
    limits: &Limits,
) -> Result<RawSheet, ReportError> {
    if bytes.len() > limits.max_bytes {
        return Err(ReportError::TooLarge {
            max: limits.max_bytes,
        });
    }
    match detect(bytes, filename)? {
        Detected::Zip => read_xlsx(bytes, sheet, limits),
        Detected::Text(text) => read_csv(text, filename, limits),
    }
}

enum Detected<'a> {
    Zip,
    Text(&'a str),
}

fn unsupported(detected: &str) -> ReportError {
    ReportError::UnsupportedFormat {
        detected: detected.to_owned(),
    }
}

fn extension(filename: &str) -> String {
    filename
        .rsplit_once('.')
        .map(|(_, ext)| ext.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn detect<'a>(bytes: &'a [u8], filename: &str) -> Result<Detected<'a>, ReportError> {
    if bytes.starts_with(ZIP_MAGIC) {
        return Ok(Detected::Zip);
    }
    if bytes.starts_with(OLE_MAGIC) {
        let ext = extension(filename);
        let name = match ext.as_str() {
            "doc" | "ppt" | "msg" | "msi" => ext.as_str(),
            _ => "xls",
        };
        return Err(unsupported(name));
    }
    const MAGICS: &[(&[u8], &str)] = &[
        (b"%PDF", "pdf"),
        (b"\x89PNG", "png"),
        (b"\xFF\xD8\xFF", "jpeg"),
        (b"GIF8", "gif"),
        (b"RIFF", "riff"),
        (b"II*\x00", "tiff"),
        (b"MM\x00*", "tiff"),
        (b"PK\x05\x06", "zip"),
        (b"PK\x07\x08", "zip"),
        (b"\x1F\x8B", "gzip"),
        (b"Rar!", "rar"),
        (b"7z\xBC\xAF\x27\x1C", "7z"),
        (b"{\\rtf", "rtf"),
    ];
    if let Some((_, name)) = MAGICS.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Err(unsupported(name));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        // UTF-16 ("Unicode Text" in Excel's Save As).
        return Err(ReportError::Encoding);
    }
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ReportError::Empty);
    }
    if body.contains(&0) {
        return Err(unsupported("binary"));
    }
    let text = std::str::from_utf8(body).map_err(|_| ReportError::Encoding)?;
    let start = text.trim_start();
    if start.starts_with('<') {
        let head: String = start.chars().take(64).collect::<String>().to_lowercase();
        let name = if head.starts_with("<?xml") {
            "xml"
        } else {
            "html"
        };
        return Err(unsupported(name));
    }
    Ok(Detected::Text(text))
}

/// Refuses archives whose central directory declares too much data, and
/// archives that are not xlsx. Reads only headers, never entry contents.
fn inspect_zip(bytes: &[u8], limits: &Limits) -> Result<(), ReportError> {
    let archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReportError::Xlsx(e.to_string()))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(ReportError::ZipBomb);
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_data(i)
            .map_err(|e| ReportError::Xlsx(e.to_string()))?;
        let size = entry.size();
        total = total.saturating_add(size);
        let ratio_too_high = size > RATIO_EXEMPT_SIZE
            && size > entry.compressed_size().saturating_mul(limits.max_ratio);
        if total > limits.max_uncompressed || ratio_too_high {
            return Err(ReportError::ZipBomb);
        }
    }
    let has = |name: &str| archive.index_for_name(name).is_some();
    if has("xl/workbook.xml") {
        Ok(())
    } else if has("xl/workbook.bin") {
        Err(unsupported("xlsb"))
    } else if has("content.xml") && has("mimetype") {
        Err(unsupported("ods"))
    } else if has("word/document.xml") {
        Err(unsupported("docx"))
    } else if has("ppt/presentation.xml") {
        Err(unsupported("pptx"))
    } else {
        Err(unsupported("zip"))
    }
}

fn read_xlsx(bytes: &[u8], sheet: Option<&str>, limits: &Limits) -> Result<RawSheet, ReportError> {
    inspect_zip(bytes, limits)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))?;
    let worksheets: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let name = match sheet {
        None => worksheets.first().cloned().ok_or(ReportError::Empty)?,
        Some(wanted) => worksheets
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| {
                let wanted = wanted.trim().to_lowercase();
                worksheets
                    .iter()
                    .find(|n| n.trim().to_lowercase() == wanted)
            })
            .cloned()
            .ok_or_else(|| ReportError::SheetNotFound {
                name: wanted.to_owned(),
            })?,
    };

    // Sparse cells by row; only cells with a value are kept. Streaming the
    // cells (rather than `worksheet_range`) keeps memory proportional to the
    // values: a range would allocate the whole bounding rectangle.
    let mut cells: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let mut nonblank: BTreeSet<u32> = BTreeSet::new();
    let most_rows = row_bound(limits);
    let mut reader = workbook.worksheet_cells_reader(&name)?;
    while let Some(cell) = reader.next_cell()? {
        let text = data_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        if col as usize >= MAX_COLUMNS {
            return Err(ReportError::TooManyColumns { max: MAX_COLUMNS });
        }
        if !text.trim().is_empty() && nonblank.insert(row) && nonblank.len() > most_rows {
            return Err(ReportError::TooManyRows {
                max: limits.max_rows,
            });
        }
        cells.entry(row).or_default().push((col, text));
    }

    let origin = cells
        .iter()
        .filter(|(row, _)| nonblank.contains(row))
        .flat_map(|(_, row)| row.iter())
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(col, _)| *col)
        .min()
        .unwrap_or(0);
    let dense = |row: Vec<(u32, String)>| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (col, text) in row {
            let Some(i) = col.checked_sub(origin).map(|c| c as usize) else {
                continue;
            };
            if out.len() <= i {
                out.resize(i + 1, String::new());
            }
            out[i] = nfc(text);
        }
        out
    };
    let rows = cells
        .into_iter()
        .filter(|(row, _)| nonblank.contains(row))
        .map(|(row, row_cells)| RawRow {
            line: row as usize + 1,
            cells: dense(row_cells),
        })
        .collect();
    assemble(rows, limits)
}

/// Most title lines skipped above the header (see [`assemble`]).
const MAX_TITLE_ROWS: usize = 9;

/// Most non-blank rows worth keeping while reading: header, titles, data.
fn row_bound(limits: &Limits) -> usize {
    limits.max_rows.saturating_add(MAX_TITLE_ROWS + 1)
}

/// Finds the header among non-blank `rows` and shapes the rest as data.
///
/// The header is the first row with at least two values among the first
/// `MAX_TITLE_ROWS + 1` rows, so title lines above the table (one value each,
/// such as the merged title of [`crate::to_xlsx`]) are skipped; when none of
/// those rows has two values (a one-column sheet) it is the first row.
fn assemble(rows: Vec<RawRow>, limits: &Limits) -> Result<RawSheet, ReportError> {
    let filled = |r: &RawRow| r.cells.iter().filter(|c| !c.trim().is_empty()).count();
    if rows.is_empty() {
        return Err(ReportError::Empty);
    }
    let header_at = rows
        .iter()
        .take(MAX_TITLE_ROWS + 1)
        .position(|r| filled(r) >= 2)
        .unwrap_or(0);
    let mut rows = rows.into_iter().skip(header_at);
    let headers = normalize_headers(rows.next().map(|r| r.cells).unwrap_or_default());
    let data: Vec<RawRow> = rows
        .map(|r| RawRow {
            line: r.line,
            cells: fit(r.cells, headers.len()),
        })
        .collect();
    if data.len() > limits.max_rows {
        return Err(ReportError::TooManyRows {
            max: limits.max_rows,
        });
    }
    Ok(RawSheet {
        headers,
        rows: data,
    })
}

/// Text of an xlsx value as a person typed it.
fn data_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => typed_float(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => datetime_text(dt),
        DataRef::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_owned(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) => "#ERR".to_owned(),
    }
}

fn datetime_text(dt: &ExcelDateTime) -> String {
    let serial = dt.as_f64();
    if !serial.is_finite() {
        return "#ERR".to_owned();
    }
    if dt.is_duration() {
        // Saturating float-to-int conversion; durations are far from i64 limits.
        #[allow(clippy::cast_possible_truncation)]
        let total = (serial * 86_400.0).round() as i64;
        let sign = if total < 0 { "-" } else { "" };
        let t = total.unsigned_abs();
        return format!("{sign}{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
    }
    let (y, mo, d, h, mi, s, _ms) = dt.to_ymd_hms_milli();
    let time = format!("{h:02}:{mi:02}:{s:02}");
    if (0.0..1.0).contains(&serial) {
        time
    } else if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {time}")
    }
}

fn read_csv(text: &str, filename: &str, limits: &Limits) -> Result<RawSheet, ReportError> {
    let delimiter = sniff_delimiter(text, extension(filename) == "tsv");
    let mut reader = csv_reader(text, delimiter);
    let mut record = csv::StringRecord::new();
    let most_rows = row_bound(limits);
    let mut rows = Vec::new();
    let mut lines = LineCounter::new(text);
    while reader
        .read_record(&mut record)
        .map_err(|e| ReportError::Csv(e.to_string()))?
    {
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let used = (0..record.len())
            .rev()
            .find(|&i| record.get(i).is_some_and(|f| !f.is_empty()))
            .map_or(0, |i| i + 1);
        if used > MAX_COLUMNS {
            return Err(ReportError::TooManyColumns { max: MAX_COLUMNS });
        }
        if rows.len() == most_rows {
            return Err(ReportError::TooManyRows {
                max: limits.max_rows,
            });
        }
        let byte = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let line = lines.line_at(byte);
        let cells = record
            .iter()
            .take(used)
            .map(|f| nfc(f.to_owned()))
            .collect();
        rows.push(RawRow { line, cells });
    }
    assemble(rows, limits)
}

/// Line numbers of CSV records. The csv crate's own `Position::line` drifts
/// with CRLF and blank lines (it points at the `\n` ending the previous
/// line), so lines are counted here from byte offsets: CRLF, LF and a lone CR
/// each end a line, as they do for the csv crate.
struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// 1-based line of the record whose position is `byte`; offsets must not
    /// decrease between calls.
    fn line_at(&mut self, byte: usize) -> usize {
        let mut start = byte.min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start > self.pos {
            for i in self.pos..start {
                let ends_line = match self.text[i] {
                    b'\n' => true,
                    b'\r' => self.text.get(i + 1) != Some(&b'\n'),
                    _ => false,
                };
                self.line += usize::from(ends_line);
            }
            self.pos = start;
        }
        self.line
    }
}

fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

/// Picks among `,` `;` and tab the delimiter whose most frequent field count
/// (of at least two) over the first records is the most frequent, then the
/// largest. Ties go to `,`, then `;`, then tab (tab first when `prefer_tab`).
/// Falls back to `,` (a one-column file).
fn sniff_delimiter(text: &str, prefer_tab: bool) -> u8 {
    let candidates: [u8; 3] = if prefer_tab {
        [b'\t', b',', b';']
    } else {
        [b',', b';', b'\t']
    };
    let mut best: Option<((usize, usize), u8)> = None;
    for delimiter in candidates {
        let mut frequency: BTreeMap<usize, usize> = BTreeMap::new();
        for record in csv_reader(text, delimiter)
            .records()
            .map_while(Result::ok)
            .filter(|r| r.iter().any(|f| !f.trim().is_empty()))
            .take(SNIFF_RECORDS)
        {
            if record.len() >= 2 {
                *frequency.entry(record.len()).or_default() += 1;
            }
        }
        let Some(score) = frequency.into_iter().map(|(n, f)| (f, n)).max() else {
            continue;
        };
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, delimiter));
        }
    }
    best.map_or(b',', |(_, d)| d)
}

fn normalize_headers(raw: Vec<String>) -> Vec<String> {
    let mut headers: Vec<String> = raw.into_iter().map(|h| nfc(h.trim().to_owned())).collect();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    headers
}

/// Pads `cells` to `width` and drops empty cells past it.
fn fit(mut cells: Vec<String>, width: usize) -> Vec<String> {
    while cells.len() > width && cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    if cells.len() < width {
        cells.resize(width, String::new());
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_prefers_consistent_splits() {
        assert_eq!(sniff_delimiter("a,b\n1,2\n", false), b',');
        assert_eq!(sniff_delimiter("Tên;Giá\nA;1,5\nB;2,5\n", false), b';');
        assert_eq!(sniff_delimiter("Tên,Ghi chú\nA,x;y\nB,z\n", false), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3\n", false), b'\t');
        assert_eq!(sniff_delimiter("một cột\nx\n", false), b',');
        assert_eq!(sniff_delimiter("\"a;b\",c\n\"1;2\",3\n", false), b',');
    }

    #[test]
    fn fit_pads_and_trims() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(fit(s(&["a"]), 3), s(&["a", "", ""]));
        assert_eq!(fit(s(&["a", "b", "", ""]), 1), s(&["a", "b"]));
        assert_eq!(fit(s(&["a", "", ""]), 2), s(&["a", ""]));
    }

    #[test]
    fn datetimes_as_typed() {
        use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
        let d = |v: f64| datetime_text(&ExcelDateTime::new(v, DateTime, false));
        assert_eq!(d(42276.0), "2015-09-29");
        assert_eq!(d(42276.5), "2015-09-29 12:00:00");
        assert_eq!(d(0.75), "18:00:00");
        let d1904 = ExcelDateTime::new(40814.0, DateTime, true);
        assert_eq!(datetime_text(&d1904), "2015-09-29");
        let dur = ExcelDateTime::new(1.0625, TimeDelta, false);
        assert_eq!(datetime_text(&dur), "25:30:00");
    }

    #[test]
    fn headers_are_trimmed_and_trailing_blanks_dropped() {
        let raw = vec![
            " Tên ".to_owned(),
            String::new(),
            "Số".to_owned(),
            " ".to_owned(),
        ];
        assert_eq!(normalize_headers(raw), vec!["Tên", "", "Số"]);
    }
}
