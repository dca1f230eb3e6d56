//! CSV export ([`to_csv`]).
//!
//! # Format
//!
//! The CSV is meant both for machines and for Excel on Vietnamese computers, and
//! when the two pull apart it follows the machine:
//!
//! * UTF-8 **with a BOM** (`EF BB BF`), so Excel detects UTF-8 and shows the
//!   Vietnamese diacritics; comma separator; CRLF line ends (RFC 4180); fields
//!   quoted only when they contain `,`, `"`, CR or LF.
//! * First row: the column titles. The table title is not written.
//! * Numbers in plain machine form, whatever the locale: no thousands
//!   separators, `.` as the decimal separator, shortest digits that read back
//!   to the same value (`17800`, `163400000000`, `82.155`, `-5`). A Vietnamese
//!   Excel, whose decimal separator is `,`, may therefore show `82.155` as text;
//!   people who want formatted numbers should take the xlsx export.
//! * Dates in ISO 8601: `2015-09-29`. Booleans as "Có"/"Không", exactly as in
//!   the xlsx export. Empty cells and non-finite decimals as empty fields.
//! * **CSV injection** (OWASP): every *text* value (titles included) that
//!   starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
//!   single quote, so `=1+1` is written `'=1+1` and `-5 lao động` as
//!   `'-5 lao động`. Numbers are never text, so `Cell::Int(-5)` stays `-5`.

use crate::model::{Cell, Table};
use crate::text::{is_formula_like, iso_date, plain_float};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `table` as CSV; see the [module documentation](self) for the format.
pub fn to_csv(table: &Table) -> Vec<u8> {
    let mut out = Vec::with_capacity(BOM.len() + 64 * (table.rows.len() + 1));
    out.extend_from_slice(BOM);
    let titles = table.columns.iter().map(|c| text_field(&c.title));
    write_record(&mut out, titles);
    for row in &table.rows {
        write_record(&mut out, row.iter().map(cell_field));
    }
    out
}

fn write_record(out: &mut Vec<u8>, fields: impl Iterator<Item = String>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            out.push(b'"');
            out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(field.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
}

fn text_field(s: &str) -> String {
    if is_formula_like(s) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn cell_field(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => text_field(s),
        Cell::Int(v) => v.to_string(),
        Cell::Decimal(v) => plain_float(*v).unwrap_or_default(),
        Cell::Date(d) => iso_date(*d),
        Cell::Bool(true) => "Có".to_owned(),
        Cell::Bool(false) => "Không".to_owned(),
    }
}
