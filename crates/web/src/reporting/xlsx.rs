//! A unit report as a workbook: "Thông tin" (which report, which version),
//! "Số liệu" (one row per line, values pre-filled), "Thuyết minh" (the four
//! narrative sections). Read back cell by cell; any error rejects the whole
//! file, and the message names the cell (e.g. "Ô H5").

use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Lang;
use langnghe_core::report_values::{parse_value, value_kind, ValueKind};
use langnghe_core::vnfmt;
use langnghe_reports::{read_table_sheet, Cell, Column, ColumnKind, Limits, RawSheet, Table};
use langnghe_store::reporting::{line_label, Line, LineInput, Report, ReportInput};

pub const INFO_SHEET: &str = "Thông tin";
pub const VALUES_SHEET: &str = "Số liệu";
pub const TEXT_SHEET: &str = "Thuyết minh";

/// Column titles of the values sheet, in order (A…J).
const VALUE_COLUMNS: [&str; 10] = [
    "Mã dòng",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Phân tổ",
    "Đơn vị tính",
    "Mục tiêu",
    "Kỳ trước",
    "Giá trị kỳ này",
    "Ghi chú",
    "Nguồn số liệu",
];
const COL_ID: usize = 0;
const COL_VALUE: usize = 7;
const COL_COMMENT: usize = 8;

pub const SECTIONS: [(&str, &str); 4] = [
    ("results", "1. Kết quả đạt được"),
    ("difficulties", "2. Khó khăn, tồn tại"),
    ("causes", "3. Nguyên nhân"),
    ("proposals", "4. Kiến nghị, đề xuất"),
];

fn col(key: &str, title: &str, width: f64) -> Column {
    Column {
        key: key.into(),
        title: title.into(),
        kind: ColumnKind::Text,
        width: Some(width),
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_num(v: Option<f64>) -> Cell {
    match v {
        Some(v) => text(vnfmt::format_decimal_trim(v, 3)),
        None => Cell::Empty,
    }
}

/// The pre-filled workbook of a report.
///
/// The workbook is the unit's Vietnamese form; what the system writes into
/// it follows the reader: the period's name after its official name, and a
/// province-wide target said from the catalogue ("Province-wide: …").
pub fn report_workbook(lang: Lang, r: &Report, lines: &[Line]) -> AppResult<Vec<u8>> {
    let period = {
        let name = crate::views::period_name(lang, &r.period_label);
        if name == r.period_label {
            name
        } else {
            format!("{} ({name})", r.period_label)
        }
    };
    let info = Table {
        sheet_name: INFO_SHEET.into(),
        title: None,
        columns: vec![col("k", "Mục", 24.0), col("v", "Nội dung", 80.0)],
        rows: vec![
            vec![text("Mã báo cáo"), text(r.id.to_string())],
            vec![text("Phiên bản"), text(r.version.to_string())],
            vec![text("Đơn vị báo cáo"), text(r.agency_name.clone())],
            vec![text("Kỳ báo cáo"), text(period)],
            vec![text("Chương trình / kế hoạch"), text(format!("{} — {}", r.program_code, r.program_title))],
            vec![text("Hạn nộp"), text(vnfmt::format_date(r.due_on))],
            vec![
                text("Dữ liệu mẫu"),
                text(if r.sample {
                    "DỮ LIỆU MẪU — số liệu do bản trình diễn tự tạo, không phải số liệu thật"
                } else {
                    "Không"
                }),
            ],
            vec![
                text("Hướng dẫn"),
                text("Điền cột \"Giá trị kỳ này\" (số theo kiểu Việt Nam: 17.800; 71,2) và \"Ghi chú\" của trang Số liệu, nội dung các mục ở trang Thuyết minh, rồi tải tệp lên tại trang báo cáo. Không sửa cột Mã dòng và ô Phiên bản."),
            ],
        ],
    };
    let widths = [9.0, 12.0, 50.0, 10.0, 12.0, 30.0, 12.0, 16.0, 30.0, 14.0];
    let values = Table {
        sheet_name: VALUES_SHEET.into(),
        title: None,
        columns: VALUE_COLUMNS
            .iter()
            .zip(widths)
            .map(|(t, w)| col(t, t, w))
            .collect(),
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    text(l.id.to_string()),
                    text(l.indicator_code.clone()),
                    text(l.indicator_name.clone()),
                    text(if l.category.is_empty() {
                        "Tổng".to_string()
                    } else {
                        l.category.clone()
                    }),
                    text(l.unit.clone()),
                    text(crate::views::line_target_shown(lang, l).unwrap_or_default()),
                    opt_num(l.previous_value),
                    text(l.value_text.clone()),
                    text(l.comment.clone()),
                    text(if l.source == "computed" {
                        "Tính từ cơ sở dữ liệu"
                    } else {
                        "Đơn vị nhập"
                    }),
                ]
            })
            .collect(),
    };
    let narrative = Table {
        sheet_name: TEXT_SHEET.into(),
        title: None,
        columns: vec![col("section", "Mục", 26.0), col("text", "Nội dung", 100.0)],
        rows: SECTIONS
            .iter()
            .map(|(key, title)| {
                let v = match *key {
                    "results" => &r.results,
                    "difficulties" => &r.difficulties,
                    "causes" => &r.causes,
                    _ => &r.proposals,
                };
                vec![text(*title), text(v.clone())]
            })
            .collect(),
    };
    langnghe_reports::to_xlsx_book(&[info, values, narrative])
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}

fn letter(i: usize) -> char {
    (b'A' + i as u8) as char
}

fn cell_error(lang: Lang, cell: String, vi: String, en: String) -> FieldError {
    FieldError::new("file", "report-xlsx-cell")
        .arg("cell", cell)
        .arg("message", if lang == Lang::En { en } else { vi })
}

fn sheet(bytes: &[u8], name: &str, which: &str) -> AppResult<RawSheet> {
    read_table_sheet(bytes, name, Some(which), &Limits::default()).map_err(|e| {
        AppError::Validation(vec![FieldError::new("file", "report-xlsx-sheet")
            .arg("sheet", which)
            .arg("message", e.to_string())])
    })
}

/// A number typed in a spreadsheet cell: Vietnamese form ("17.800", "71,2"),
/// or the machine form a numeric cell reads back as ("71.2").
fn cell_number(s: &str) -> Result<Option<f64>, ()> {
    match parse_value(s) {
        Ok(v) => Ok(v),
        Err(_) => {
            let t = s.trim();
            let machine = !t.is_empty()
                && t.chars().filter(|c| *c == '.').count() == 1
                && t.trim_start_matches('-')
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.');
            if machine {
                t.parse::<f64>().map(Some).map_err(|_| ())
            } else {
                Err(())
            }
        }
    }
}

/// Read an uploaded workbook of `r` into a save input. Errors name the cell.
pub fn read_workbook(
    lang: Lang,
    bytes: &[u8],
    name: &str,
    r: &Report,
    lines: &[Line],
) -> AppResult<ReportInput> {
    let info = sheet(bytes, name, INFO_SHEET)?;
    let mut errors = vec![];
    let find = |label: &str| -> Option<(usize, String)> {
        info.rows
            .iter()
            .find(|row| row.get(0).trim() == label)
            .map(|row| (row.line, row.get(1).trim().to_string()))
    };
    match find("Mã báo cáo") {
        Some((_, id)) if id == r.id.to_string() => {}
        Some((line, id)) => errors.push(cell_error(
            lang,
            format!("{INFO_SHEET}!B{line}"),
            format!("tệp là của báo cáo số {id}, không phải báo cáo số {}", r.id),
            format!("the file belongs to report {id}, not report {}", r.id),
        )),
        None => errors.push(cell_error(
            lang,
            INFO_SHEET.into(),
            "không tìm thấy dòng \"Mã báo cáo\"".into(),
            "no \"Mã báo cáo\" row".into(),
        )),
    }
    let version = match find("Phiên bản") {
        Some((line, v)) => match v.parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                errors.push(cell_error(
                    lang,
                    format!("{INFO_SHEET}!B{line}"),
                    format!("phiên bản \"{v}\" không hợp lệ"),
                    format!("version \"{v}\" is not valid"),
                ));
                0
            }
        },
        None => 0,
    };
    let values = sheet(bytes, name, VALUES_SHEET)?;
    let mut input = ReportInput {
        version,
        ..Default::default()
    };
    for row in &values.rows {
        let id_text = row.get(COL_ID).trim();
        let at = |c: usize| {
            format!(
                "{} {}{}",
                if lang == Lang::En { "Cell" } else { "Ô" },
                letter(c),
                row.line
            )
        };
        let Some(l) = id_text
            .parse::<i64>()
            .ok()
            .and_then(|id| lines.iter().find(|l| l.id == id))
        else {
            errors.push(cell_error(
                lang,
                at(COL_ID),
                format!("mã dòng \"{id_text}\" không thuộc báo cáo này"),
                format!("line id \"{id_text}\" is not in this report"),
            ));
            continue;
        };
        let raw = row.get(COL_VALUE).trim().to_string();
        let label = line_label(l);
        let value_text = match cell_number(&raw) {
            Err(()) => {
                errors.push(cell_error(
                    lang,
                    at(COL_VALUE),
                    format!("{label}: \"{raw}\" không phải là số"),
                    format!("{label}: \"{raw}\" is not a number"),
                ));
                continue;
            }
            Ok(None) => String::new(),
            Ok(Some(v)) => {
                let kind = value_kind(&l.unit);
                if v < 0.0 && kind != ValueKind::Rate {
                    errors.push(cell_error(
                        lang,
                        at(COL_VALUE),
                        format!("{label}: giá trị không được âm"),
                        format!("{label}: the value cannot be negative"),
                    ));
                    continue;
                }
                if kind == ValueKind::Count && v.fract() != 0.0 {
                    errors.push(cell_error(
                        lang,
                        at(COL_VALUE),
                        format!("{label}: số đếm ({}) phải là số nguyên", l.unit),
                        format!("{label}: a count ({}) must be whole", l.unit),
                    ));
                    continue;
                }
                if kind == ValueKind::Percent && v > 100.0 {
                    errors.push(cell_error(
                        lang,
                        at(COL_VALUE),
                        format!("{label}: tỷ lệ phải từ 0 đến 100 %"),
                        format!("{label}: a percentage must be 0–100 %"),
                    ));
                    continue;
                }
                vnfmt::format_decimal_trim(v, 6)
            }
        };
        input.lines.push(LineInput {
            id: l.id,
            value: Some(value_text),
            comment: Some(row.get(COL_COMMENT).trim().to_string()),
        });
    }
    let narrative = sheet(bytes, name, TEXT_SHEET)?;
    for row in &narrative.rows {
        let title = row.get(0).trim();
        if let Some((key, _)) = SECTIONS.iter().find(|(_, t)| *t == title) {
            let v = Some(row.get(1).to_string());
            match *key {
                "results" => input.results = v,
                "difficulties" => input.difficulties = v,
                "causes" => input.causes = v,
                _ => input.proposals = v,
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_numbers() {
        assert_eq!(cell_number("17.800"), Ok(Some(17800.0)));
        assert_eq!(cell_number("71,2"), Ok(Some(71.2)));
        assert_eq!(cell_number("71.2"), Ok(Some(71.2)));
        assert_eq!(cell_number(""), Ok(None));
        assert_eq!(cell_number("mười"), Err(()));
        assert_eq!(letter(7), 'H');
    }
}
