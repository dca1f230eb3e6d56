//! Tabular import/export for langnghe: xlsx and CSV, bytes in and bytes out.
//!
//! * [`to_xlsx`] and [`to_csv`] export a [`Table`];
//! * [`template_xlsx`] builds a downloadable import template;
//! * [`read_table`] reads an uploaded xlsx or CSV into a [`RawSheet`] of text,
//!   with limits against oversized files and zip bombs ([`Limits`]).
//!
//! No file system, network or database access: callers pass and receive bytes.

pub mod csv_out;
mod error;
mod model;
pub mod official;
pub mod plan_text;
pub mod read;
mod text;
mod xlsx;

pub use csv_out::to_csv;
pub use error::ReportError;
pub use model::{Cell, Column, ColumnKind, Limits, RawRow, RawSheet, Table};
pub use official::{
    render_docx, render_docx_marked, render_pdf, render_pdf_marked, Block, OfficialReport,
    ReportTable,
};
pub use read::{read_table, read_table_sheet, MAX_COLUMNS, MAX_ZIP_ENTRIES};
pub use xlsx::{sanitize_sheet_name, template_xlsx, to_xlsx, to_xlsx_book, GUIDE_SHEET};
