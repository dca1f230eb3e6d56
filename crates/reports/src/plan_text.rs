//! The text of an uploaded plan document: DOCX (paragraphs, and tables one
//! cell a line so that a plan's tables stay tables), PDF with a text layer,
//! or plain text. Recognised by content, not by name.

use std::io::Read;

/// Why a file's text could not be read; each has a message key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanTextError {
    #[error("not a DOCX, PDF or text file")]
    Unrecognised,
    #[error("the PDF has no text layer (a scan)")]
    NoTextLayer,
    #[error("the file is damaged: {0}")]
    Damaged(String),
}

impl PlanTextError {
    /// The catalogue key of the message officials read.
    pub fn key(&self) -> &'static str {
        match self {
            PlanTextError::Unrecognised => "draft-error-file-type",
            PlanTextError::NoTextLayer => "draft-error-scanned",
            PlanTextError::Damaged(_) => "draft-error-damaged",
        }
    }
}

/// What kind of file the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFileKind {
    Docx,
    Pdf,
    Text,
}

/// The kind of a file, from its first bytes.
pub fn kind_of(bytes: &[u8]) -> Option<PlanFileKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(PlanFileKind::Pdf)
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some(PlanFileKind::Docx)
    } else if std::str::from_utf8(strip_bom(bytes)).is_ok()
        && !bytes.iter().take(4096).any(|b| *b == 0)
    {
        Some(PlanFileKind::Text)
    } else {
        None
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

/// The text of a plan file.
pub fn plan_text(bytes: &[u8]) -> Result<String, PlanTextError> {
    match kind_of(bytes).ok_or(PlanTextError::Unrecognised)? {
        PlanFileKind::Text => Ok(String::from_utf8_lossy(strip_bom(bytes)).into_owned()),
        PlanFileKind::Docx => docx_text(bytes),
        PlanFileKind::Pdf => pdf_text(bytes),
    }
}

fn pdf_text(bytes: &[u8]) -> Result<String, PlanTextError> {
    // The PDF reader panics on some malformed files: a damaged file is an
    // answer to the person who sent it, not a crash.
    let owned = bytes.to_vec();
    let read = std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem(&owned));
    let text = match read {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => return Err(PlanTextError::Damaged(e.to_string())),
        Err(_) => return Err(PlanTextError::Damaged("unreadable PDF".into())),
    };
    if text.chars().filter(|c| c.is_alphabetic()).count() < 20 {
        return Err(PlanTextError::NoTextLayer);
    }
    Ok(text)
}

fn docx_text(bytes: &[u8]) -> Result<String, PlanTextError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| PlanTextError::Unrecognised)?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| PlanTextError::Unrecognised)?
        .take(200 * 1024 * 1024)
        .read_to_string(&mut xml)
        .map_err(|e| PlanTextError::Damaged(e.to_string()))?;
    document_xml_text(&xml)
}

/// The text of `word/document.xml`: a line per paragraph; inside a table, a
/// line per cell starting with a tab, and a blank line after each row.
fn document_xml_text(xml: &str) -> Result<String, PlanTextError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out: Vec<String> = Vec::new();
    let mut para = String::new();
    let mut cell: Option<String> = None;
    let mut in_text = false;
    let mut table_depth = 0usize;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| PlanTextError::Damaged(e.to_string()))?;
        match ev {
            Event::Start(e) => match e.name().as_ref() {
                b"w:t" => in_text = true,
                b"w:tbl" => table_depth += 1,
                b"w:tc" if table_depth == 1 => cell = Some(String::new()),
                _ => {}
            },
            Event::Empty(e) => match e.name().as_ref() {
                b"w:tab" => para.push('\t'),
                b"w:br" | b"w:cr" => para.push(' '),
                _ => {}
            },
            Event::Text(t) if in_text => {
                let s = t
                    .decode()
                    .map_err(|e| PlanTextError::Damaged(e.to_string()))?;
                para.push_str(&s);
            }
            Event::GeneralRef(r) if in_text => {
                let name = r
                    .decode()
                    .map_err(|e| PlanTextError::Damaged(e.to_string()))?;
                para.push_str(entity(&name).as_deref().unwrap_or(""));
            }
            Event::End(e) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:p" => {
                    let p = std::mem::take(&mut para);
                    match cell.as_mut() {
                        Some(c) => {
                            if !c.is_empty() && !p.trim().is_empty() {
                                c.push(' ');
                            }
                            c.push_str(p.trim());
                        }
                        None => out.push(p),
                    }
                }
                b"w:tc" if table_depth == 1 => {
                    if let Some(c) = cell.take() {
                        out.push(format!("\t{c}"));
                    }
                }
                b"w:tr" if table_depth == 1 => out.push(String::new()),
                b"w:tbl" => table_depth = table_depth.saturating_sub(1),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out.join("\n"))
}

fn entity(name: &str) -> Option<String> {
    Some(match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?.to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docx(body: &str) -> Vec<u8> {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        );
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            z.start_file("word/document.xml", opts).expect("zip entry");
            std::io::Write::write_all(&mut z, xml.as_bytes()).expect("write");
            z.finish().expect("finish");
        }
        buf.into_inner()
    }

    #[test]
    fn docx_paragraphs_and_tables() {
        let body = r#"<w:p><w:r><w:t>KẾ HOẠCH</w:t></w:r></w:p>
            <w:p><w:r><w:t xml:space="preserve">Sở Công Thương &amp; </w:t></w:r><w:r><w:t>các sở</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>TT</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Nội dung</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl>"#;
        let text = plan_text(&docx(body)).expect("text");
        assert_eq!(
            text,
            "KẾ HOẠCH\nSở Công Thương & các sở\n\tTT\n\tNội dung\n\n\t1\n\t\n"
        );
    }

    #[test]
    fn kinds_by_content() {
        assert_eq!(kind_of(b"%PDF-1.7 ..."), Some(PlanFileKind::Pdf));
        assert_eq!(
            kind_of("Kế hoạch số 316".as_bytes()),
            Some(PlanFileKind::Text)
        );
        assert_eq!(kind_of(b"\x00\x01\x02binary"), None);
        assert_eq!(
            plan_text(b"\xff\xfe\x00\x00"),
            Err(PlanTextError::Unrecognised)
        );
        assert!(matches!(
            plan_text(b"%PDF-1.4 broken"),
            Err(PlanTextError::Damaged(_))
        ));
        assert!(matches!(
            plan_text(b"PK\x03\x04 not a zip"),
            Err(PlanTextError::Unrecognised)
        ));
    }
}
