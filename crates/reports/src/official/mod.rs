//! Official reports in the layout of Decree 30/2020/NĐ-CP (Appendix I), rendered as
//! PDF ([`render_pdf`], typst embedded as a library) or DOCX ([`render_docx`]).
//!
//! Layout: A4, margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; Times New
//! Roman-compatible serif 13–14 pt (Liberation Serif, shipped in `assets/fonts/`, in
//! the PDF; "Times New Roman" named in the DOCX). First page: a two-column header
//! (issuer / national motto, number / place and date), the kind of document and its
//! subject, an optional salutation, the body, then "Nơi nhận" and the signature block.
//! Page numbers: from page 2 on, centred in the top margin (Decree 30).
//!
//! Both renderers take the same [`OfficialReport`] and never touch the file system
//! or the network. User text is never interpreted as markup: the PDF template reads
//! the data from a JSON file served by an in-memory typst `World`.

mod docx;
mod fonts;
mod model;
mod pdf;
#[cfg(test)]
mod tests;
mod world;

pub use docx::{render_docx, render_docx_marked};
pub use pdf::{render_pdf, render_pdf_marked};

/// An official report (báo cáo) in the layout of Decree 30/2020/NĐ-CP.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfficialReport {
    /// Upper line of the issuer block, e.g. "UBND TỈNH LÀO CAI" (regular, upper case).
    pub issuer_parent: String,
    /// The issuing body, e.g. "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN" (bold, upper
    /// case, a short rule below).
    pub issuer: String,
    /// The full number line, e.g. "Số: …/BC-SNN" (formatted by the caller).
    pub number: String,
    /// Place of issue, e.g. "Lào Cai".
    pub place: String,
    /// Date of issue; `None` leaves blanks: "Lào Cai, ngày … tháng … năm …".
    pub date: Option<time::Date>,
    /// Kind of document, e.g. "BÁO CÁO" (bold, centred, upper case).
    pub kind_title: String,
    /// Subject line under the kind (bold, centred).
    pub title: String,
    /// E.g. "Kính gửi: Ủy ban nhân dân tỉnh Lào Cai" (centred), if any.
    pub salutation: Option<String>,
    /// The body.
    pub blocks: Vec<Block>,
    /// The "Nơi nhận:" list, one recipient per entry, without the leading "- " or
    /// the final ";" / "." (added here; given ones are not doubled).
    pub recipients: Vec<String>,
    /// Line(s) above the signer's title, e.g. "KT. GIÁM ĐỐC"; `'\n'` separates
    /// lines ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH").
    pub signer_authority: Option<String>,
    /// The signer's title, e.g. "PHÓ GIÁM ĐỐC".
    pub signer_title: String,
    /// The signer's name; empty leaves the space for the signature and no name.
    pub signer_name: String,
}

/// A piece of the report body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A numbered section heading as given, e.g. "I. KẾT QUẢ ĐẠT ĐƯỢC" (bold).
    Heading(String),
    /// Body text, justified, first-line indent; `'\n'` starts a new paragraph.
    Paragraph(String),
    /// A table.
    Table(ReportTable),
}

/// A table of already formatted cells.
///
/// Rows shorter than the header are padded with empty cells, longer ones are cut.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportTable {
    /// Shown above the table, if any.
    pub caption: Option<String>,
    /// Header cells (bold, repeated on every page the table spans).
    pub header: Vec<String>,
    /// Cells formatted as text, e.g. "17.800", "71,2 %".
    pub rows: Vec<Vec<String>>,
    /// Per column: right-align (missing entries are `false`).
    pub numeric: Vec<bool>,
    /// Relative column widths, same length as `header`; empty (or invalid) = equal.
    pub widths: Vec<f32>,
    /// Indices of rows to set in bold, e.g. a total row.
    pub bold_rows: Vec<usize>,
}
