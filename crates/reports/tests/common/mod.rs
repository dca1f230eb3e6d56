//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::{Cursor, Read, Write};

use langnghe_reports::{Cell, Column, ColumnKind, Table};
use time::macros::date;

pub fn columns() -> Vec<Column> {
    vec![
        Column::new("ten", "Tên làng nghề (*)", ColumnKind::Text),
        Column::new("so_lao_dong", "Số lao động (người)", ColumnKind::Int),
        Column::new("doanh_thu", "Doanh thu (đồng)", ColumnKind::Money),
        Column::new(
            "ty_le",
            "Tỷ lệ hộ làm nghề (%)",
            ColumnKind::Decimal { places: 3 },
        ),
        Column::new("ngay", "Ngày công nhận", ColumnKind::Date),
        Column::new("hoat_dong", "Còn hoạt động", ColumnKind::Bool),
        Column::new("ghi_chu", "Ghi chú", ColumnKind::Text),
    ]
}

pub fn sample_table() -> Table {
    Table {
        sheet_name: "Làng nghề".to_owned(),
        title: Some("Danh sách làng nghề năm 2024".to_owned()),
        columns: columns(),
        rows: vec![
            vec![
                Cell::Text("Làng nghề gốm sứ Bát Tràng".to_owned()),
                Cell::Int(17800),
                Cell::Int(163_400_000_000),
                Cell::Decimal(82.155),
                Cell::Date(date!(2015 - 09 - 29)),
                Cell::Bool(true),
                Cell::Text("=1+1".to_owned()),
            ],
            vec![
                Cell::Text("Làng mộc Đồng Kỵ".to_owned()),
                Cell::Int(-5),
                Cell::Empty,
                Cell::Decimal(-0.5),
                Cell::Empty,
                Cell::Bool(false),
                Cell::Text("-5 lao động".to_owned()),
            ],
            vec![
                Cell::Text("+84 912 345 678".to_owned()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Text("@SUM(A1:A2), \"trích\"".to_owned()),
            ],
        ],
    }
}

/// Contents of one entry of a ZIP archive, as text.
pub fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut entry = archive.by_name(name).expect("entry");
    let mut out = String::new();
    entry.read_to_string(&mut out).expect("utf-8 entry");
    out
}

/// A ZIP archive written with the zip crate: `(name, contents)` entries, deflated.
pub fn build_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(*name, options).expect("start");
        writer.write_all(data).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

/// Strings of a row, for comparisons.
pub fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}
