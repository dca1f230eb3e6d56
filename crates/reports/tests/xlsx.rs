//! xlsx export, templates, and xlsx reading.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::{columns, sample_table, strings, zip_entry};
use langnghe_reports::{
    read_table, read_table_sheet, sanitize_sheet_name, template_xlsx, to_xlsx, Cell, Column,
    ColumnKind, Limits, ReportError, Table, GUIDE_SHEET,
};
use time::macros::date;

fn titles() -> Vec<String> {
    columns().into_iter().map(|c| c.title).collect()
}

#[test]
fn xlsx_round_trip_gives_back_what_a_person_sees() {
    let bytes = to_xlsx(&sample_table()).expect("xlsx");
    assert!(bytes.starts_with(b"PK\x03\x04"));
    let sheet = read_table(&bytes, "lang-nghe.xlsx", &Limits::default()).expect("read");
    assert_eq!(sheet.headers, titles());
    assert_eq!(sheet.rows.len(), 3);
    // Title in row 1, header in row 2, data from row 3.
    assert_eq!(
        sheet.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    assert_eq!(
        sheet.rows[0].cells,
        strings(&[
            "Làng nghề gốm sứ Bát Tràng",
            "17800",
            "163400000000",
            "82.155",
            "2015-09-29",
            "Có",
            "=1+1",
        ])
    );
    assert_eq!(
        sheet.rows[1].cells,
        strings(&[
            "Làng mộc Đồng Kỵ",
            "-5",
            "",
            "-0.5",
            "",
            "Không",
            "-5 lao động"
        ])
    );
    assert_eq!(
        sheet.rows[2].cells,
        strings(&[
            "+84 912 345 678",
            "",
            "",
            "",
            "",
            "",
            "@SUM(A1:A2), \"trích\""
        ])
    );
    assert_eq!(sheet.rows[2].get(6), "@SUM(A1:A2), \"trích\"");
    assert_eq!(sheet.rows[2].get(99), "");
}

#[test]
fn formula_like_text_is_stored_as_a_string_not_a_formula() {
    let bytes = to_xlsx(&sample_table()).expect("xlsx");
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).expect("calamine");
    let range = wb.worksheet_range("Làng nghề").expect("range");
    assert_eq!(
        range.get_value((2, 6)),
        Some(&Data::String("=1+1".to_owned()))
    );
    assert_eq!(
        range.get_value((3, 6)),
        Some(&Data::String("-5 lao động".to_owned()))
    );
    assert_eq!(
        range.get_value((4, 0)),
        Some(&Data::String("+84 912 345 678".to_owned()))
    );
    // Numbers are numbers.
    assert_eq!(range.get_value((2, 1)), Some(&Data::Float(17800.0)));
    let formulas = wb.worksheet_formula("Làng nghề").expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    let xml = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(!xml.contains("<f>"), "no formula element: {xml}");
}

#[test]
fn header_is_frozen_filtered_and_styled() {
    let bytes = to_xlsx(&sample_table()).expect("xlsx");
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"state="frozen""#), "{sheet}");
    assert!(sheet.contains(r#"ySplit="2""#), "{sheet}");
    assert!(sheet.contains(r#"topLeftCell="A3""#), "{sheet}");
    assert!(sheet.contains(r#"<autoFilter ref="A2:G5"/>"#), "{sheet}");
    assert!(sheet.contains(r#"<mergeCell ref="A1:G1"/>"#), "{sheet}");
    assert!(sheet.contains("<cols>"), "{sheet}");

    let styles = zip_entry(&bytes, "xl/styles.xml");
    for code in [
        r##"formatCode="#,##0""##,
        r##"formatCode="#,##0.000""##,
        r##"formatCode="d/m/yyyy""##,
    ] {
        assert!(styles.contains(code), "{code} in {styles}");
    }
    assert!(styles.contains("<b/>"), "bold font");
    assert!(
        styles.contains(r#"<patternFill patternType="solid">"#),
        "header fill"
    );
    assert!(styles.contains(r#"<left style="thin">"#), "header border");
}

#[test]
fn without_title_the_header_is_row_one() {
    let mut table = sample_table();
    table.title = None;
    let bytes = to_xlsx(&table).expect("xlsx");
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"ySplit="1""#), "{sheet}");
    assert!(sheet.contains(r#"<autoFilter ref="A1:G4"/>"#), "{sheet}");
    assert!(!sheet.contains("mergeCell"));
    let raw = read_table(&bytes, "x.xlsx", &Limits::default()).expect("read");
    assert_eq!(raw.headers, titles());
    assert_eq!(raw.rows[0].line, 2);
}

#[test]
fn explicit_widths_are_used() {
    let mut table = sample_table();
    table.columns[0].width = Some(42.0);
    let bytes = to_xlsx(&table).expect("xlsx");
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    // rust_xlsxwriter stores width + padding: 42 → 42.7109375.
    assert!(
        sheet.contains(r#"<col min="1" max="1" width="42.7109375""#),
        "{sheet}"
    );
}

#[test]
fn sheet_name_is_sanitised() {
    let mut table = sample_table();
    table.sheet_name = "Báo cáo: 2024/2025 [Bắc Ninh] *tổng hợp* 'cuối năm'?".to_owned();
    let bytes = to_xlsx(&table).expect("xlsx");
    let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("calamine");
    let names = wb.sheet_names();
    assert_eq!(names, vec![sanitize_sheet_name(&table.sheet_name)]);
    assert!(names[0].encode_utf16().count() <= 31);
    assert!(!names[0].contains(['[', ']', ':', '*', '?', '/', '\\']));
    assert!(names[0].starts_with("Báo cáo- 2024-2025 -Bắc Ninh-"));
}

#[test]
fn edge_values_are_written_safely() {
    let table = Table {
        sheet_name: String::new(),
        title: None,
        columns: vec![
            Column::new("d", "Ngày", ColumnKind::Date),
            Column::new("x", "Số", ColumnKind::Decimal { places: 1 }),
            Column::new("n", "Năm", ColumnKind::Text),
        ],
        rows: vec![
            vec![
                Cell::Date(date!(1800 - 01 - 02)),
                Cell::Decimal(f64::NAN),
                Cell::Int(2015),
                // A value beyond the declared columns is still written.
                Cell::Text("thừa".to_owned()),
            ],
            vec![
                Cell::Date(date!(1900 - 03 - 01)),
                Cell::Decimal(f64::INFINITY),
            ],
            vec![Cell::Text("\tx".to_owned())],
        ],
    };
    let bytes = to_xlsx(&table).expect("xlsx");
    let raw = read_table(&bytes, "", &Limits::default()).expect("read");
    assert_eq!(raw.headers, strings(&["Ngày", "Số", "Năm"]));
    assert_eq!(
        raw.rows[0].cells,
        strings(&["1800-01-02", "", "2015", "thừa"])
    );
    assert_eq!(raw.rows[1].cells, strings(&["1900-03-01", "", ""]));
    assert_eq!(raw.rows[2].cells, strings(&["\tx", "", ""]));
    let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("calamine");
    assert_eq!(wb.sheet_names(), vec!["Sheet1"]);
}

#[test]
fn header_only_table_reads_back_with_no_rows() {
    let mut table = sample_table();
    table.rows.clear();
    let bytes = to_xlsx(&table).expect("xlsx");
    let raw = read_table(&bytes, "x.xlsx", &Limits::default()).expect("read");
    assert_eq!(raw.headers, titles());
    assert!(raw.rows.is_empty());
}

#[test]
fn empty_sheet_is_empty() {
    let table = Table {
        sheet_name: "Trống".to_owned(),
        title: None,
        columns: Vec::new(),
        rows: Vec::new(),
    };
    let bytes = to_xlsx(&table).expect("xlsx");
    assert_eq!(
        read_table(&bytes, "x.xlsx", &Limits::default()),
        Err(ReportError::Empty)
    );
}

#[test]
fn too_many_rows_in_xlsx() {
    let mut table = sample_table();
    table.title = None;
    let row = table.rows[0].clone();
    table.rows = vec![row; 5];
    let bytes = to_xlsx(&table).expect("xlsx");
    let limits = |max_rows| Limits {
        max_rows,
        ..Limits::default()
    };
    assert_eq!(
        read_table(&bytes, "x.xlsx", &limits(4)),
        Err(ReportError::TooManyRows { max: 4 })
    );
    let ok = read_table(&bytes, "x.xlsx", &limits(5)).expect("exactly at the limit");
    assert_eq!(ok.rows.len(), 5);
}

#[test]
fn blank_rows_are_skipped_and_lines_kept() {
    let mut table = sample_table();
    table.title = None;
    table
        .rows
        .insert(1, vec![Cell::Empty, Cell::Text("   ".to_owned())]);
    table.rows.push(vec![Cell::Empty; 7]);
    let bytes = to_xlsx(&table).expect("xlsx");
    let raw = read_table(&bytes, "x.xlsx", &Limits::default()).expect("read");
    assert_eq!(
        raw.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![2, 4, 5]
    );
}

#[test]
fn sheet_offset_headers_are_trimmed_and_nfc() {
    use unicode_normalization::UnicodeNormalization;
    // Data starting at C4 with a decomposed (NFD) header and surrounding spaces.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let nfd: String = "  Tên làng nghề ".nfd().collect();
    ws.write_string(3, 2, nfd).expect("w");
    ws.write_string(3, 3, "Số hộ").expect("w");
    ws.write_number(5, 2, 0.1 + 0.2).expect("w");
    ws.write_number(5, 3, 1234.0).expect("w");
    ws.write_boolean(6, 2, true).expect("w");
    ws.write_formula(6, 3, "=1/0").expect("w");
    let dt = rust_xlsxwriter::ExcelDateTime::parse_from_str("2015-09-29 08:30:00").expect("dt");
    let fmt = rust_xlsxwriter::Format::new().set_num_format("d/m/yyyy hh:mm");
    ws.write_datetime_with_format(7, 2, dt, &fmt).expect("w");
    let bytes = wb.save_to_buffer().expect("save");

    let raw = read_table(&bytes, "x.xlsx", &Limits::default()).expect("read");
    assert_eq!(raw.headers, strings(&["Tên làng nghề", "Số hộ"]));
    assert_eq!(raw.rows.len(), 3);
    assert_eq!(raw.rows[0].line, 6);
    assert_eq!(raw.rows[0].cells, strings(&["0.3", "1234"]));
    assert_eq!(raw.rows[1].cells[0], "true");
    // rust_xlsxwriter stores no cached value for formulas: calamine sees 0.
    assert_eq!(raw.rows[1].cells[1], "0");
    assert_eq!(raw.rows[2].cells, strings(&["2015-09-29 08:30:00", ""]));
}

#[test]
fn error_cells_read_as_err() {
    // A cell with a cached #DIV/0! value, written by hand.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "A").expect("w");
    ws.write_formula(
        1,
        0,
        rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!"),
    )
    .expect("w");
    let bytes = wb.save_to_buffer().expect("save");
    let raw = read_table(&bytes, "x.xlsx", &Limits::default()).expect("read");
    assert_eq!(raw.rows.len(), 1);
    assert_eq!(raw.rows[0].cells, strings(&["#ERR"]));
}

#[test]
fn values_beyond_the_column_limit_are_refused() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "A").expect("w");
    ws.write_string(1, 16_383, "far away").expect("w");
    let bytes = wb.save_to_buffer().expect("save");
    assert_eq!(
        read_table(&bytes, "x.xlsx", &Limits::default()),
        Err(ReportError::TooManyColumns {
            max: langnghe_reports::MAX_COLUMNS
        })
    );
}

#[test]
fn a_named_sheet_can_be_read() {
    let bytes = template_xlsx("Mẫu nhập", &columns(), &[], &[]).expect("template");
    let guide =
        read_table_sheet(&bytes, "x.xlsx", Some(GUIDE_SHEET), &Limits::default()).expect("guide");
    assert_eq!(guide.headers[1], "Tên cột");
    let again = read_table_sheet(&bytes, "x.xlsx", Some(" hướng dẫn "), &Limits::default())
        .expect("case-insensitive");
    assert_eq!(again, guide);
    assert_eq!(
        read_table_sheet(&bytes, "x.xlsx", Some("Không có"), &Limits::default()),
        Err(ReportError::SheetNotFound {
            name: "Không có".to_owned()
        })
    );
}

#[test]
fn template_has_two_sheets_and_reads_back_its_headers() {
    let example = vec![
        Cell::Text("Làng nghề gốm sứ Bát Tràng".to_owned()),
        Cell::Int(17800),
        Cell::Int(163_400_000_000),
        Cell::Decimal(82.155),
        Cell::Date(date!(2015 - 09 - 29)),
        Cell::Bool(true),
    ];
    let notes = strings(&[
        "Cột có dấu (*) là bắt buộc.",
        "Xoá dòng ví dụ trước khi nhập.",
    ]);
    let bytes = template_xlsx("Mẫu: nhập/xuất", &columns(), &example, &notes).expect("template");

    let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).expect("calamine");
    assert_eq!(wb.sheet_names(), vec!["Mẫu- nhập-xuất", GUIDE_SHEET]);

    let raw = read_table(&bytes, "mau.xlsx", &Limits::default()).expect("read");
    assert_eq!(raw.headers, titles());
    assert_eq!(raw.rows.len(), 1, "the example row");
    assert_eq!(
        raw.rows[0].cells,
        strings(&[
            "Làng nghề gốm sứ Bát Tràng",
            "17800",
            "163400000000",
            "82.155",
            "2015-09-29",
            "Có",
            "",
        ])
    );

    let data_xml = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(data_xml.contains(r#"state="frozen""#), "{data_xml}");
    let styles = zip_entry(&bytes, "xl/styles.xml");
    assert!(styles.contains("<i/>"), "italic example");
    assert!(
        styles.contains(r#"rgb="FF808080""#),
        "grey example: {styles}"
    );
    assert!(styles.contains(r#"formatCode="@""#), "text columns");

    let guide = read_table_sheet(&bytes, "", Some(GUIDE_SHEET), &Limits::default()).expect("guide");
    assert_eq!(
        guide.headers,
        strings(&["Cột", "Tên cột", "Bắt buộc", "Kiểu dữ liệu"])
    );
    assert_eq!(
        guide.rows[0].cells,
        strings(&["A", "Tên làng nghề (*)", "Có", "Văn bản"])
    );
    assert_eq!(guide.rows[1].cells[2], "Không");
    assert_eq!(guide.rows[1].cells[3], "Số nguyên");
    assert_eq!(guide.rows[2].cells[3], "Số tiền (đồng, số nguyên)");
    assert!(guide.rows[3].cells[3].contains('3'));
    assert_eq!(
        guide.rows[4].cells[3],
        "Ngày (ngày/tháng/năm, ví dụ 29/9/2015)"
    );
    assert_eq!(guide.rows[5].cells[3], "Có/Không");
    assert_eq!(guide.rows[6].cells[..2], strings(&["G", "Ghi chú"]));
    // General notes below the column list, after a blank row.
    assert_eq!(guide.rows[7].line, 10);
    assert_eq!(guide.rows[7].get(0), "Lưu ý");
    let notes_read: Vec<&str> = guide.rows[8..].iter().map(|r| r.get(1)).collect();
    assert_eq!(
        notes_read,
        notes.iter().map(String::as_str).collect::<Vec<_>>()
    );
}

#[test]
fn template_sheet_named_like_the_guide_is_renamed() {
    let bytes = template_xlsx("hướng dẫn", &columns(), &[], &[]).expect("template");
    let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("calamine");
    assert_eq!(wb.sheet_names(), vec!["hướng dẫn 1", GUIDE_SHEET]);
}
