//! Citations of the seed documents.
//!
//! The demo data records where each row comes from as `seed:line`
//! (`003:86` = line 86 of seed document 003, plan 316/KH-UBND). Officials
//! need "Kế hoạch 316/KH-UBND, mục II.2.a", not the line number: this module
//! finds such references in a text and maps each one to its document and the
//! section of that document the line falls in. Pure: the table of section
//! headings is built into the binary (`crates/demo/data/sources.tsv`).

use std::collections::BTreeSet;

const SOURCES_TSV: &str = include_str!("../../demo/data/sources.tsv");

/// A reference `seed:line` found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceRef {
    /// `0..=999`: the seed document number (`003`).
    pub seed: u16,
    pub line: u32,
}

impl SourceRef {
    /// The raw form, `003:86`.
    pub fn raw(&self) -> String {
        format!("{:03}:{}", self.seed, self.line)
    }
}

/// A piece of a text: plain text, or a run of references (`003:82,003:140`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Refs(Vec<SourceRef>),
}

/// Whether the seed document is one the product knows (000–003).
pub fn known_seed(seed: u16) -> bool {
    SOURCES_TSV
        .lines()
        .skip(1)
        .any(|l| l.split('\t').next().and_then(|s| s.parse::<u16>().ok()) == Some(seed))
}

/// The section a line of a seed falls in, as a dotted path of its headings
/// (`II.2.a`), or `PB01` for the appendix; `None` before the first heading.
pub fn section_at(seed: u16, line: u32) -> Option<String> {
    // Heading levels: 0 roman (I, II), 1 arabic (1, 1.1), 2 letter (a).
    let mut path: [Option<String>; 3] = [None, None, None];
    let mut found = false;
    for row in SOURCES_TSV.lines().skip(1) {
        let mut f = row.split('\t');
        let (Some(s), Some(l), Some(h)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if s.parse::<u16>().ok() != Some(seed) {
            continue;
        }
        let Ok(l) = l.parse::<u32>() else { continue };
        if l > line {
            break;
        }
        found = true;
        if h == "PB01" {
            return_appendix(&mut path);
            continue;
        }
        let level = if h.chars().all(|c| matches!(c, 'I' | 'V' | 'X')) {
            0
        } else if h.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            1
        } else {
            2
        };
        path[level] = Some(h.to_string());
        for p in path.iter_mut().skip(level + 1) {
            *p = None;
        }
    }
    if !found {
        return None;
    }
    let parts: Vec<String> = path.into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join("."))
}

fn return_appendix(path: &mut [Option<String>; 3]) {
    path[0] = Some("PB01".into());
    path[1] = None;
    path[2] = None;
}

/// Parse one `seed:line` token: three digits, a colon, a line number.
fn parse_ref(tok: &str) -> Option<SourceRef> {
    let (s, l) = tok.split_once(':')?;
    if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if l.is_empty() || l.len() > 6 || !l.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seed: u16 = s.parse().ok()?;
    let line: u32 = l.parse().ok()?;
    known_seed(seed).then_some(SourceRef { seed, line })
}

/// Split a text into plain pieces and runs of references. A run is one or
/// more `seed:line` tokens separated by commas (and optional spaces); a
/// range `003:76-116` is read as its first line. Unknown seeds stay text.
pub fn segments(text: &str) -> Vec<Segment> {
    let mut out: Vec<Segment> = vec![];
    let mut plain = String::new();
    let mut run: Vec<SourceRef> = vec![];
    // Tokenise on boundaries: a token is a maximal run of [0-9:] (and '-'
    // followed by digits, consumed as part of a range).
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut pending_sep = String::new();
    while i < chars.len() {
        let c = chars[i];
        let at_word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        if c.is_ascii_digit() && at_word_start {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == ':') {
                i += 1;
            }
            let tok: String = chars[start..i].iter().collect();
            let mut end = i;
            // A range `-116` belongs to the reference.
            if end + 1 < chars.len() && chars[end] == '-' && chars[end + 1].is_ascii_digit() {
                end += 1;
                while end < chars.len() && chars[end].is_ascii_digit() {
                    end += 1;
                }
            }
            let boundary = end >= chars.len() || !chars[end].is_alphanumeric();
            if let (Some(r), true) = (parse_ref(&tok), boundary) {
                if run.is_empty() {
                    plain.push_str(&pending_sep);
                    if !plain.is_empty() {
                        out.push(Segment::Text(std::mem::take(&mut plain)));
                    }
                }
                pending_sep.clear();
                run.push(r);
                i = end;
                continue;
            }
            flush_run(&mut out, &mut run, &mut plain, &mut pending_sep);
            plain.push_str(&chars[start..end].iter().collect::<String>());
            i = end;
            continue;
        }
        if !run.is_empty() && (c == ',' || c == ' ') && pending_sep.len() < 4 {
            pending_sep.push(c);
            i += 1;
            continue;
        }
        flush_run(&mut out, &mut run, &mut plain, &mut pending_sep);
        plain.push(c);
        i += 1;
    }
    flush_run(&mut out, &mut run, &mut plain, &mut pending_sep);
    if !plain.is_empty() {
        out.push(Segment::Text(plain));
    }
    out
}

fn flush_run(
    out: &mut Vec<Segment>,
    run: &mut Vec<SourceRef>,
    plain: &mut String,
    sep: &mut String,
) {
    if !run.is_empty() {
        out.push(Segment::Refs(std::mem::take(run)));
    }
    plain.push_str(sep);
    sep.clear();
}

/// A run of references grouped by document: each seed once, with the
/// distinct sections cited in it, in order of first appearance.
pub fn group(refs: &[SourceRef]) -> Vec<(u16, Vec<String>)> {
    let mut out: Vec<(u16, Vec<String>)> = vec![];
    for r in refs {
        let section = section_at(r.seed, r.line);
        let idx = match out.iter().position(|(s, _)| *s == r.seed) {
            Some(i) => i,
            None => {
                out.push((r.seed, vec![]));
                out.len() - 1
            }
        };
        if let Some(sec) = section {
            if !out[idx].1.contains(&sec) {
                out[idx].1.push(sec);
            }
        }
    }
    out
}

/// Every reference in a text (for tests and for the raw form shown to admins).
pub fn all_refs(text: &str) -> BTreeSet<SourceRef> {
    segments(text)
        .into_iter()
        .filter_map(|s| match s {
            Segment::Refs(r) => Some(r),
            Segment::Text(_) => None,
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(seed: u16, line: u32) -> SourceRef {
        SourceRef { seed, line }
    }

    #[test]
    fn sections_of_plan_316() {
        assert_eq!(section_at(3, 86).as_deref(), Some("II.2.a"));
        assert_eq!(section_at(3, 76).as_deref(), Some("II.2"));
        assert_eq!(section_at(3, 140).as_deref(), Some("II.3.c"));
        assert_eq!(section_at(3, 168).as_deref(), Some("II.4.c"));
        assert_eq!(section_at(3, 212).as_deref(), Some("IV.4"));
        assert_eq!(section_at(3, 400).as_deref(), Some("PB01"));
        assert_eq!(section_at(3, 10), None);
        // Nested arabic numbering of the khuyến công programme.
        assert_eq!(section_at(1, 77).as_deref(), Some("II.3.1"));
    }

    #[test]
    fn finds_runs_of_references() {
        let s = segments("Nguồn: 003:82,003:140");
        assert_eq!(
            s,
            vec![
                Segment::Text("Nguồn: ".into()),
                Segment::Refs(vec![r(3, 82), r(3, 140)])
            ]
        );
        let s = segments("003:140 gắn nghề làm cốm. Nguồn: 003:82, 003:140");
        assert_eq!(s.len(), 3);
        assert_eq!(s[0], Segment::Refs(vec![r(3, 140)]));
        assert_eq!(s[1], Segment::Text(" gắn nghề làm cốm. Nguồn: ".into()));
        assert_eq!(s[2], Segment::Refs(vec![r(3, 82), r(3, 140)]));
    }

    #[test]
    fn leaves_other_numbers_alone() {
        for t in [
            "Ngày 12:30 họp",
            "mã 02680",
            "x003:86",
            "009:86 unknown seed",
            "316/KH-UBND",
        ] {
            assert!(all_refs(t).is_empty(), "{t}");
            let joined: String = segments(t)
                .into_iter()
                .map(|s| match s {
                    Segment::Text(t) => t,
                    Segment::Refs(_) => String::new(),
                })
                .collect();
            assert_eq!(joined, t);
        }
    }

    #[test]
    fn ranges_cite_their_first_line() {
        assert_eq!(
            segments("(003:76-116)"),
            vec![
                Segment::Text("(".into()),
                Segment::Refs(vec![r(3, 76)]),
                Segment::Text(")".into())
            ]
        );
    }

    #[test]
    fn groups_by_document_and_section() {
        let g = group(&[r(3, 82), r(3, 84), r(3, 140), r(0, 3)]);
        assert_eq!(
            g,
            vec![
                (3, vec!["II.2.a".to_string(), "II.3.c".to_string()]),
                (0, vec![])
            ]
        );
    }
}
