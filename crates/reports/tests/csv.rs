//! CSV export and CSV reading (format detection, sniffing, encodings, limits).

mod common;

use common::{columns, sample_table, strings};
use langnghe_reports::{read_table, to_csv, Limits, RawRow, ReportError, MAX_COLUMNS};

fn read(bytes: &[u8]) -> Result<langnghe_reports::RawSheet, ReportError> {
    read_table(bytes, "upload.csv", &Limits::default())
}

fn unsupported(name: &str) -> Result<langnghe_reports::RawSheet, ReportError> {
    Err(ReportError::UnsupportedFormat {
        detected: name.to_owned(),
    })
}

#[test]
fn csv_has_bom_crlf_plain_numbers_and_neutralised_text() {
    let bytes = to_csv(&sample_table());
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).expect("utf-8");
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    assert_eq!(
        lines,
        vec![
            "Tên làng nghề (*),Số lao động (người),Doanh thu (đồng),Tỷ lệ hộ làm nghề (%),\
             Ngày công nhận,Còn hoạt động,Ghi chú",
            "Làng nghề gốm sứ Bát Tràng,17800,163400000000,82.155,2015-09-29,Có,'=1+1",
            "Làng mộc Đồng Kỵ,-5,,-0.5,,Không,'-5 lao động",
            "'+84 912 345 678,,,,,,\"'@SUM(A1:A2), \"\"trích\"\"\"",
        ]
    );
    assert!(text.ends_with("\r\n"));
}

#[test]
fn every_formula_prefix_is_neutralised_and_titles_too() {
    use langnghe_reports::{Cell, Column, ColumnKind, Table};
    let table = Table {
        sheet_name: "x".to_owned(),
        title: Some("không ghi vào CSV".to_owned()),
        columns: vec![
            Column::new("a", "=HYPERLINK(\"http://x\")", ColumnKind::Text),
            Column::new("b", "Số", ColumnKind::Int),
        ],
        rows: ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "a=1", " =1"]
            .iter()
            .map(|s| vec![Cell::Text((*s).to_owned()), Cell::Int(-5)])
            .collect(),
    };
    let bytes = to_csv(&table);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("valid csv").iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(records[0], strings(&["'=HYPERLINK(\"http://x\")", "Số"]));
    let firsts: Vec<&str> = records[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        firsts,
        vec!["'=1+1", "'+1", "'-1", "'@A1", "'\t=1", "'\r=1", "a=1", " =1"]
    );
    assert!(
        records[1..].iter().all(|r| r[1] == "-5"),
        "numbers stay numbers"
    );
    assert!(!String::from_utf8_lossy(&bytes).contains("không ghi"));
}

#[test]
fn csv_round_trip_through_read_table() {
    let sheet = read(&to_csv(&sample_table())).expect("read");
    let titles: Vec<String> = columns().into_iter().map(|c| c.title).collect();
    assert_eq!(sheet.headers, titles);
    assert_eq!(
        sheet.rows[0],
        RawRow {
            line: 2,
            cells: strings(&[
                "Làng nghề gốm sứ Bát Tràng",
                "17800",
                "163400000000",
                "82.155",
                "2015-09-29",
                "Có",
                "'=1+1",
            ]),
        }
    );
    assert_eq!(sheet.rows[1].cells[1], "-5");
    assert_eq!(sheet.rows[2].cells[6], "'@SUM(A1:A2), \"trích\"");
}

#[test]
fn semicolon_and_tab_are_sniffed() {
    let semi = "Tên;Giá (nghìn đồng);Ghi chú\r\nBát Tràng;82,155;gốm, sứ\r\nĐồng Kỵ;1,5;\r\n";
    let sheet = read(semi.as_bytes()).expect("semicolon");
    assert_eq!(
        sheet.headers,
        strings(&["Tên", "Giá (nghìn đồng)", "Ghi chú"])
    );
    assert_eq!(
        sheet.rows[0].cells,
        strings(&["Bát Tràng", "82,155", "gốm, sứ"])
    );
    assert_eq!(sheet.rows[1].cells, strings(&["Đồng Kỵ", "1,5", ""]));

    let tab = "Tên\tSố hộ\nBát Tràng\t1,200\nVạn Phúc\t800\n";
    let sheet = read(tab.as_bytes()).expect("tab");
    assert_eq!(sheet.headers, strings(&["Tên", "Số hộ"]));
    assert_eq!(sheet.rows[0].cells, strings(&["Bát Tràng", "1,200"]));
    assert_eq!(sheet.rows[1].cells, strings(&["Vạn Phúc", "800"]));

    let one_column = "Tên\nBát Tràng\n";
    let sheet = read(one_column.as_bytes()).expect("one column");
    assert_eq!(sheet.headers, strings(&["Tên"]));
    assert_eq!(sheet.rows[0].cells, strings(&["Bát Tràng"]));
}

#[test]
fn tsv_name_breaks_ties_for_tab() {
    // Every delimiter splits this in two; the name decides.
    let text = "a,b\tc;d\n1,2\t3;4\n";
    let as_csv = read_table(text.as_bytes(), "x.csv", &Limits::default()).expect("csv");
    assert_eq!(as_csv.headers, strings(&["a", "b\tc;d"]));
    let as_tsv = read_table(text.as_bytes(), "x.TSV", &Limits::default()).expect("tsv");
    assert_eq!(as_tsv.headers, strings(&["a,b", "c;d"]));
}

#[test]
fn crlf_lf_and_cr_line_numbers() {
    for sep in ["\r\n", "\n", "\r"] {
        let text = ["Tên,Số", "A,1", "", "B,2", ",", "\"C\nD\",3", "E,4"].join(sep);
        let sheet = read(text.as_bytes()).expect(sep);
        assert_eq!(sheet.headers, strings(&["Tên", "Số"]), "{sep:?}");
        let lines: Vec<usize> = sheet.rows.iter().map(|r| r.line).collect();
        // The quoted field holds a LF, so "E,4" is on line 8.
        assert_eq!(lines, vec![2, 4, 6, 8], "{sep:?}");
        assert_eq!(sheet.rows[2].cells, strings(&["C\nD", "3"]), "{sep:?}");
    }
}

#[test]
fn headers_are_trimmed_nfc_and_cells_padded() {
    use unicode_normalization::UnicodeNormalization;
    let header: String = " Tên làng nghề , Số hộ ,,".nfd().collect();
    let text = format!("\u{feff}{header}\nBát Tràng\nVạn Phúc,800,,thừa\n");
    let sheet = read(text.as_bytes()).expect("read");
    assert_eq!(sheet.headers, strings(&["Tên làng nghề", "Số hộ"]));
    assert_eq!(sheet.rows[0].cells, strings(&["Bát Tràng", ""]));
    assert_eq!(
        sheet.rows[1].cells,
        strings(&["Vạn Phúc", "800", "", "thừa"])
    );
}

#[test]
fn title_lines_above_the_header_are_skipped() {
    let text = "DANH SÁCH LÀNG NGHỀ\n(Kèm theo Quyết định số 12/QĐ-UBND)\n\nTên,Số hộ\nA,1\n";
    let sheet = read(text.as_bytes()).expect("read");
    assert_eq!(sheet.headers, strings(&["Tên", "Số hộ"]));
    assert_eq!(sheet.rows.len(), 1);
    assert_eq!(sheet.rows[0].line, 5);
}

#[test]
fn legacy_encodings_are_refused() {
    // "Làng nghề" in Windows-1258: à = E0, ề = EA + combining hook above (D2).
    let cp1258 = b"T\xEAn,S\xF4\r\nL\xE0ng ngh\xEA\xD2,1\r\n";
    assert_eq!(read(cp1258), Err(ReportError::Encoding));
    let latin1 = b"Name,City\r\nCaf\xE9,Hu\xE9\r\n";
    assert_eq!(read(latin1), Err(ReportError::Encoding));
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "Tên,Số\r\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(read(&utf16), Err(ReportError::Encoding));
    assert!(ReportError::Encoding.to_string().contains("CSV UTF-8"));
}

#[test]
fn binary_formats_are_refused_whatever_the_name() {
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    assert_eq!(read(png), unsupported("png"));
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00";
    assert_eq!(
        read_table(ole, "bao-cao.xls", &Limits::default()),
        unsupported("xls")
    );
    assert_eq!(
        read_table(ole, "bao-cao.csv", &Limits::default()),
        unsupported("xls")
    );
    assert_eq!(
        read_table(ole, "bao-cao.DOC", &Limits::default()),
        unsupported("doc")
    );
    assert_eq!(read(b"%PDF-1.7\n%\xE2\xE3"), unsupported("pdf"));
    assert_eq!(read(b"\xFF\xD8\xFF\xE0\x00\x10JFIF"), unsupported("jpeg"));
    assert_eq!(read(b"\x1F\x8B\x08\x00"), unsupported("gzip"));
    assert_eq!(read(b"PK\x05\x06\x00\x00"), unsupported("zip"));
    assert_eq!(read(b"a,b\n\x00\x01\x02,3\n"), unsupported("binary"));
    // An "Excel" file that is really a web page (some portals export those).
    let html = "\u{feff}  <html><table><tr><td>Tên</td></tr></table></html>";
    assert_eq!(
        read_table(html.as_bytes(), "x.xls", &Limits::default()),
        unsupported("html")
    );
    assert_eq!(
        read(b"<?xml version=\"1.0\"?><Workbook/>"),
        unsupported("xml")
    );
}

#[test]
fn name_is_only_a_hint_for_text() {
    let sheet = read_table(b"a,b\n1,2\n", "really.xlsx", &Limits::default()).expect("csv");
    assert_eq!(sheet.headers, strings(&["a", "b"]));
}

#[test]
fn empty_inputs_are_empty() {
    for bytes in [
        &b""[..],
        b"\xEF\xBB\xBF",
        b"  \r\n\r\n\t",
        b",,,\r\n , \r\n",
        b"\xEF\xBB\xBF\"\",\"\"\n",
    ] {
        assert_eq!(read(bytes), Err(ReportError::Empty), "{bytes:?}");
    }
}

#[test]
fn size_and_row_limits() {
    let text = "Tên,Số\nA,1\nB,2\nC,3\n\n";
    let limits = |max_bytes, max_rows| Limits {
        max_bytes,
        max_rows,
        ..Limits::default()
    };
    let len = text.len();
    assert_eq!(
        read_table(text.as_bytes(), "x.csv", &limits(len - 1, 10)),
        Err(ReportError::TooLarge { max: len - 1 })
    );
    assert!(read_table(text.as_bytes(), "x.csv", &limits(len, 10)).is_ok());
    assert_eq!(
        read_table(text.as_bytes(), "x.csv", &limits(len, 2)),
        Err(ReportError::TooManyRows { max: 2 })
    );
    let ok = read_table(text.as_bytes(), "x.csv", &limits(len, 3)).expect("at the limit");
    assert_eq!(ok.rows.len(), 3);

    // A huge file is refused while reading, not after.
    let big = format!("a,b\n{}", "1,2\n".repeat(100_000));
    assert_eq!(
        read_table(big.as_bytes(), "x.csv", &limits(usize::MAX, 1000)),
        Err(ReportError::TooManyRows { max: 1000 })
    );
}

#[test]
fn too_many_columns() {
    let wide = format!("{}\n", vec!["x"; MAX_COLUMNS + 1].join(","));
    assert_eq!(
        read(wide.as_bytes()),
        Err(ReportError::TooManyColumns { max: MAX_COLUMNS })
    );
    // Trailing empty fields do not count.
    let padded = format!("a,b{}\n1,2\n", ",".repeat(MAX_COLUMNS * 2));
    assert_eq!(
        read(padded.as_bytes()).expect("ok").headers,
        strings(&["a", "b"])
    );
}

#[test]
fn malformed_quotes_are_read_leniently() {
    // The csv crate accepts a stray quote inside a field.
    let sheet = read(b"a,b\n1 \"inch\",2\n").expect("lenient");
    assert_eq!(sheet.rows[0].cells, strings(&["1 \"inch\"", "2"]));
}
