//! Downloaded files read back as text, to check what a person would read in
//! them: PDF through `pdftotext` (with the cells of tables put back together),
//! DOCX and XLSX from the XML inside the zip, CSV as it is.

use std::io::Read;
use unicode_normalization::UnicodeNormalization;

/// The text of a file, by its content type (the parameters after `;` are ignored).
/// Panics on a file that cannot be read back: a download the test cannot read is
/// a download the test cannot vouch for.
pub fn text_of(content_type: &str, bytes: &[u8]) -> String {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match ct.as_str() {
        "application/pdf" => pdf_text(bytes),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            zip_xml_text(bytes, |n| n.starts_with("word/") && n.ends_with(".xml"))
        }
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            zip_xml_text(bytes, |n| {
                n == "xl/sharedStrings.xml"
                    || (n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
                    || n == "xl/workbook.xml"
            })
        }
        "text/csv" | "text/plain" => String::from_utf8_lossy(bytes)
            .trim_start_matches('\u{feff}')
            .to_string(),
        other => panic!("no reader for a {other} file"),
    }
}

/// NFC, lower case, every run of white space one space: how names are compared.
pub fn normalize(s: &str) -> String {
    let lower: String = s.nfc().collect::<String>().to_lowercase();
    lower
        .replace('\u{ad}', "")
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of a PDF: `pdftotext` in reading order, then once more with the
/// words of each table cell joined (a cell's lines are interleaved with its
/// neighbours' in reading order, which would hide a name split over two lines).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("langnghe-pdf-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("f.pdf");
    std::fs::write(&file, pdf).expect("write pdf");
    let run = |args: &[&str]| {
        std::process::Command::new("pdftotext")
            .args(args)
            .arg(&file)
            .arg("-")
            .output()
    };
    let plain = run(&["-enc", "UTF-8"]);
    let boxes = run(&["-enc", "UTF-8", "-bbox-layout"]);
    let _ = std::fs::remove_dir_all(&dir);
    let (plain, boxes) = match (plain, boxes) {
        (Ok(p), Ok(b)) if p.status.success() && b.status.success() => (p.stdout, b.stdout),
        (Ok(p), _) if !p.status.success() => panic!(
            "pdftotext cannot read the PDF: {}",
            String::from_utf8_lossy(&p.stderr)
        ),
        _ => panic!(
            "pdftotext (poppler-utils) is needed to read the PDF outputs back: apt-get install poppler-utils"
        ),
    };
    let mut text = String::from_utf8_lossy(&plain).into_owned();
    text.push_str("\n\u{c}\n");
    text.push_str(&cells_of(&String::from_utf8_lossy(&boxes)));
    text
}

#[derive(Debug, Clone)]
struct Word {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

fn attr(tag: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    tag.find(&key)
        .and_then(|i| {
            let rest = &tag[i + key.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .unwrap_or(0.0)
}

/// Words of each page of `pdftotext -bbox-layout`, grouped into lines, lines
/// cut where the gap is wider than a space, and the pieces that start at the
/// same x on consecutive lines joined: the text of each table cell.
fn cells_of(xhtml: &str) -> String {
    let mut out = vec![];
    for page in xhtml.split("<page ").skip(1) {
        let mut words = vec![];
        let mut rest = page;
        while let Some(i) = rest.find("<word ") {
            rest = &rest[i..];
            let Some(end_tag) = rest.find('>') else { break };
            let tag = &rest[..end_tag];
            let Some(close) = rest.find("</word>") else {
                break;
            };
            words.push(Word {
                x0: attr(tag, "xMin"),
                y0: attr(tag, "yMin"),
                x1: attr(tag, "xMax"),
                y1: attr(tag, "yMax"),
                text: unescape(&rest[end_tag + 1..close]),
            });
            rest = &rest[close..];
        }
        words.sort_by(|a, b| a.y0.total_cmp(&b.y0).then(a.x0.total_cmp(&b.x0)));
        let mut lines: Vec<Vec<Word>> = vec![];
        for w in words {
            match lines.last_mut() {
                Some(l) if (l[0].y0 - w.y0).abs() < 2.0 => l.push(w),
                _ => lines.push(vec![w]),
            }
        }
        let mut pieces: Vec<Vec<Word>> = vec![];
        for mut line in lines {
            line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let mut cur: Vec<Word> = vec![];
            for w in line {
                if let Some(prev) = cur.last() {
                    if w.x0 - prev.x1 > 0.6 * (w.y1 - w.y0) {
                        pieces.push(std::mem::take(&mut cur));
                    }
                }
                cur.push(w);
            }
            if !cur.is_empty() {
                pieces.push(cur);
            }
        }
        // (x, bottom, texts)
        let mut cells: Vec<(f64, f64, Vec<String>)> = vec![];
        for p in pieces {
            let x = p[0].x0;
            let y = p[0].y0;
            let bottom = p.iter().map(|w| w.y1).fold(f64::MIN, f64::max);
            let height = bottom - y;
            let text = p
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            match cells
                .iter_mut()
                .find(|c| (c.0 - x).abs() < 1.5 && y >= c.1 - 0.5 && y - c.1 < 0.9 * height)
            {
                Some(c) => {
                    c.1 = bottom;
                    c.2.push(text);
                }
                None => cells.push((x, bottom, vec![text])),
            }
        }
        out.extend(cells.into_iter().map(|c| c.2.join(" ")));
    }
    out.join("\n")
}

/// The text of the XML entries of a zip (DOCX, XLSX) whose names `want` accepts,
/// paragraph, cell and shared-string ends made line breaks.
pub fn zip_xml_text(bytes: &[u8], want: impl Fn(&str) -> bool) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut out = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("entry");
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        if !want(&name) {
            continue;
        }
        let mut s = String::new();
        f.read_to_string(&mut s).expect("UTF-8 XML");
        out.push_str(&xml_text(&s));
        out.push('\n');
    }
    out
}

/// Tags dropped, entities decoded; the end of a paragraph, table cell, row or
/// shared string becomes a line break, so words of two cells never run together.
pub fn xml_text(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() / 2);
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        out.push_str(&unescape(&rest[..i]));
        let Some(j) = rest[i..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[i + 1..i + j];
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        let closing = tag.starts_with('/');
        if (closing && matches!(name, "w:p" | "w:tc" | "si" | "c" | "row" | "is"))
            || matches!(name, "w:br" | "w:cr")
        {
            out.push('\n');
        } else if name == "w:tab" {
            out.push(' ');
        } else if !closing && name == "sheet" {
            // Sheet names are in an attribute.
            if let Some(k) = tag.find("name=\"") {
                let v = &tag[k + 6..];
                out.push_str(&unescape(&v[..v.find('"').unwrap_or(v.len())]));
                out.push('\n');
            }
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(&unescape(rest));
    out
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let Some(end) = after.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &after[1..];
            continue;
        };
        let ent = &after[1..end];
        let decoded = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_keeps_cells_apart_and_runs_together() {
        let x = "<w:p><w:r><w:t>Ủy ban</w:t></w:r><w:r><w:t xml:space=\"preserve\"> nhân dân</w:t></w:r></w:p><w:p><w:r><w:t>A&amp;B</w:t></w:r></w:p>";
        assert_eq!(xml_text(x), "Ủy ban nhân dân\nA&B\n");
        let s = "<sst><si><t>Gia Lâm</t></si><si><r><t>Hà </t></r><r><t>Đông</t></r></si></sst>";
        assert_eq!(xml_text(s), "Gia Lâm\nHà Đông\n");
    }

    #[test]
    fn normalize_folds_case_and_space() {
        assert_eq!(normalize("ỦY BAN\n NHÂN  DÂN"), "ủy ban nhân dân");
        // Decomposed input compares equal to composed.
        assert_eq!(normalize("Ha\u{300}"), normalize("Hà"));
    }

    #[test]
    fn cells_join_lines_that_start_at_the_same_x() {
        let xhtml = r#"<page width="10"><word xMin="10" yMin="100" xMax="40" yMax="110">Làng</word><word xMin="42" yMin="100" xMax="60" yMax="110">nghề</word><word xMin="200" yMin="100" xMax="230" yMax="110">Quận</word><word xMin="232" yMin="100" xMax="250" yMax="110">Hà</word><word xMin="10" yMin="111" xMax="40" yMax="121">mẫu</word><word xMin="200" yMin="111" xMax="230" yMax="121">Đông</word></page>"#;
        let t = cells_of(xhtml);
        assert!(t.contains("Làng nghề mẫu"), "{t}");
        assert!(t.contains("Quận Hà Đông"), "{t}");
    }
}
