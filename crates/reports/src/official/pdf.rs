//! PDF output: the report is serialised to JSON, served as `/data.json` by an
//! in-memory typst world, and laid out by the embedded template `report.typ`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use typst::diag::SourceDiagnostic;
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use super::model::{prepare, PBlock, Prepared};
use super::world::ReportWorld;
use super::OfficialReport;
use crate::ReportError;

/// Tokens longer than this (in characters, without white space) get invisible
/// break opportunities: typst never breaks inside a word, so a long URL or code
/// would otherwise run over the margin or out of its table cell.
const LONG_WORD: usize = 24;
/// Distance between the inserted break opportunities.
const CHUNK: usize = 12;
/// ZERO WIDTH SPACE: a line-break opportunity that prints nothing.
const ZWSP: char = '\u{200B}';

/// Renders `r` as a PDF (A4, Decree 30/2020/NĐ-CP layout, Liberation Serif
/// embedded, searchable text). CPU-bound (tens to hundreds of milliseconds): call it
/// from a blocking thread in async code.
///
/// Page numbers are centred in the top margin from page 2 on.
///
/// # Errors
/// [`ReportError::Render`] if typst reports an error (with its messages) or fails
/// internally.
pub fn render_pdf(r: &OfficialReport) -> Result<Vec<u8>, ReportError> {
    render_pdf_marked(r, None)
}

/// [`render_pdf`] with `mark` (e.g. "DỮ LIỆU MẪU" on sample data) written
/// large and light across every page and at the top right of every page.
///
/// # Errors
/// As [`render_pdf`].
pub fn render_pdf_marked(r: &OfficialReport, mark: Option<&str>) -> Result<Vec<u8>, ReportError> {
    let mut data = prepare(r);
    data.watermark = mark.map(|m| m.trim().to_string()).unwrap_or_default();
    soft_break_long_words(&mut data);
    let json = serde_json::to_vec(&data).map_err(|e| ReportError::Render(format!("json: {e}")))?;
    let world = ReportWorld::new(json).map_err(ReportError::Render)?;

    let result = catch_unwind(AssertUnwindSafe(|| {
        let warned = typst::compile::<PagedDocument>(&world);
        let doc = warned.output.map_err(|errs| diagnostics(&errs))?;
        let options = PdfOptions::default();
        typst_pdf::pdf(&doc, &options).map_err(|errs| diagnostics(&errs))
    }));
    // Drop memoised results not used by the last few compilations: every report
    // has new data, so the cache would otherwise only grow.
    typst::comemo::evict(10);
    match result {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(msg)) => Err(ReportError::Render(msg)),
        Err(_) => Err(ReportError::Render("typst panicked".to_owned())),
    }
}

/// Joins typst's error messages (and hints) into one line.
fn diagnostics(errs: &[SourceDiagnostic]) -> String {
    let msgs: Vec<String> = errs
        .iter()
        .map(|e| {
            let mut m = e.message.to_string();
            for hint in &e.hints {
                m.push_str(" (hint: ");
                m.push_str(&hint.v);
                m.push(')');
            }
            m
        })
        .collect();
    if msgs.is_empty() {
        "typst failed without a message".to_owned()
    } else {
        msgs.join("; ")
    }
}

/// Inserts [`ZWSP`] every [`CHUNK`] characters inside tokens longer than
/// [`LONG_WORD`] characters.
fn break_long_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for piece in s.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end_matches(char::is_whitespace);
        if word.chars().count() <= LONG_WORD {
            out.push_str(piece);
            continue;
        }
        for (j, c) in word.chars().enumerate() {
            if j > 0 && j % CHUNK == 0 {
                out.push(ZWSP);
            }
            out.push(c);
        }
        out.push_str(&piece[word.len()..]);
    }
    out
}

fn soft_break_long_words(p: &mut Prepared) {
    fn all(v: &mut [String]) {
        for s in v {
            *s = break_long_words(s);
        }
    }
    all(&mut p.issuer_parent);
    all(&mut p.issuer);
    p.number = break_long_words(&p.number);
    p.date_line = break_long_words(&p.date_line);
    p.kind_title = break_long_words(&p.kind_title);
    all(&mut p.title);
    if let Some(s) = &mut p.salutation {
        *s = break_long_words(s);
    }
    for b in &mut p.blocks {
        match b {
            PBlock::Heading { text } => *text = break_long_words(text),
            PBlock::Paragraph { paras } => all(paras),
            PBlock::Table {
                caption,
                header,
                rows,
                ..
            } => {
                if let Some(c) = caption {
                    *c = break_long_words(c);
                }
                all(header);
                for row in rows {
                    all(row);
                }
            }
        }
    }
    all(&mut p.recipients);
    all(&mut p.signer_lines);
    p.signer_name = break_long_words(&p.signer_name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_get_break_opportunities() {
        assert_eq!(break_long_words("ngắn gọn 17.800"), "ngắn gọn 17.800");
        let long = "a".repeat(30);
        let out = break_long_words(&format!("x {long} y"));
        assert_eq!(out.matches(ZWSP).count(), 2);
        assert_eq!(out.replace(ZWSP, ""), format!("x {long} y"));
    }
}
