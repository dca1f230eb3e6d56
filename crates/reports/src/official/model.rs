//! The report as both renderers lay it out: text cleaned (NFC, no control
//! characters), upper-cased where the decree wants capitals, the date line and the
//! recipient lines formatted, tables made rectangular.
//!
//! This is also what the typst template receives, serialised to JSON.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::{Block, OfficialReport, ReportTable};

/// National name, first line of the motto block.
pub(crate) const NATIONAL_NAME: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
/// Motto, second line of the motto block.
pub(crate) const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";
/// Heading of the recipients list.
pub(crate) const RECIPIENTS_LABEL: &str = "Nơi nhận:";

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Prepared {
    pub national_name: &'static str,
    pub motto: &'static str,
    pub recipients_label: &'static str,
    /// Lines of the issuer's parent body (upper case).
    pub issuer_parent: Vec<String>,
    /// Lines of the issuer (upper case).
    pub issuer: Vec<String>,
    pub number: String,
    pub date_line: String,
    pub kind_title: String,
    pub title: Vec<String>,
    pub salutation: Option<String>,
    pub blocks: Vec<PBlock>,
    pub recipients: Vec<String>,
    /// Authority lines then the signer's title (upper case).
    pub signer_lines: Vec<String>,
    pub signer_name: String,
    /// Title of the PDF document (metadata).
    pub doc_title: String,
    /// A mark across every page and in its header ("DỮ LIỆU MẪU"); empty for none.
    pub watermark: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(crate) enum PBlock {
    Heading {
        text: String,
    },
    Paragraph {
        paras: Vec<String>,
    },
    Table {
        caption: Option<String>,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        numeric: Vec<bool>,
        /// Relative widths, positive and finite, summing to 1.
        widths: Vec<f64>,
        /// Per row.
        bold: Vec<bool>,
    },
}

/// Cleans user text: NFC, CR/CRLF → LF, tab → space, other control characters,
/// bidirectional overrides and the non-characters U+FFFE/U+FFFF dropped. `'\n'`
/// is kept.
pub(crate) fn clean(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    s.nfc()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\r' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            // Bidirectional overrides and isolates could reorder what is shown.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
            '\u{FFFE}' | '\u{FFFF}' => None,
            c => Some(c),
        })
        .collect()
}

/// Cleaned text on one line (line breaks become spaces), trimmed.
pub(crate) fn clean_line(s: &str) -> String {
    clean(s)
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Cleaned text split into non-empty trimmed lines.
pub(crate) fn clean_lines(s: &str) -> Vec<String> {
    clean(s)
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn upper_lines(s: &str) -> Vec<String> {
    clean_lines(s).iter().map(|l| l.to_uppercase()).collect()
}

/// "Lào Cai, ngày 05 tháng 01 năm 2024". Decree 30: days below 10 and the months
/// 1 and 2 take a leading zero; `None` leaves blanks.
pub(crate) fn date_line(place: &str, date: Option<time::Date>) -> String {
    let rest = match date {
        Some(d) => {
            let day = d.day();
            let month = u8::from(d.month());
            let day = if day < 10 {
                format!("0{day}")
            } else {
                day.to_string()
            };
            let month = if month < 3 {
                format!("0{month}")
            } else {
                month.to_string()
            };
            format!("ngày {day} tháng {month} năm {}", d.year())
        }
        None => "ngày … tháng … năm …".to_owned(),
    };
    let place = clean_line(place);
    if place.is_empty() {
        // "Ngày …" when there is no place.
        let mut chars = rest.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => rest,
        }
    } else {
        format!("{place}, {rest}")
    }
}

/// "- Bộ Nông nghiệp và PTNT;" … "- Lưu: VT, TH." (blank entries dropped; a
/// leading dash and a final ";", "." or "," already given are not doubled).
pub(crate) fn recipient_lines(recipients: &[String]) -> Vec<String> {
    let items: Vec<String> = recipients
        .iter()
        .map(|r| {
            let line = clean_line(r);
            let line = line.trim_start_matches(['-', '–', '—', '•', '+', '*', ' ']);
            let line = line.trim_end_matches([';', '.', ',', ' ']);
            line.to_owned()
        })
        .filter(|l| !l.is_empty())
        .collect();
    let last = items.len().saturating_sub(1);
    items
        .into_iter()
        .enumerate()
        .map(|(i, l)| format!("- {l}{}", if i == last { "." } else { ";" }))
        .collect()
}

fn prepare_table(t: &ReportTable) -> Option<PBlock> {
    let header: Vec<String> = t.header.iter().map(|h| clean_line(h)).collect();
    let ncols = if header.is_empty() {
        t.rows.iter().map(Vec::len).max().unwrap_or(0)
    } else {
        header.len()
    };
    if ncols == 0 {
        return None;
    }
    let mut header = header;
    header.resize(ncols, String::new());
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|row| {
            let mut cells: Vec<String> = row.iter().take(ncols).map(|c| clean(c)).collect();
            cells.resize(ncols, String::new());
            cells
        })
        .collect();
    let numeric: Vec<bool> = (0..ncols)
        .map(|i| t.numeric.get(i).copied().unwrap_or(false))
        .collect();
    let valid = t.widths.len() == ncols && t.widths.iter().all(|w| w.is_finite() && *w > 0.0);
    let raw: Vec<f64> = if valid {
        t.widths.iter().map(|w| f64::from(*w)).collect()
    } else {
        vec![1.0; ncols]
    };
    let sum: f64 = raw.iter().sum();
    let widths: Vec<f64> = if sum.is_finite() && sum > 0.0 {
        raw.iter().map(|w| w / sum).collect()
    } else {
        vec![1.0 / ncols as f64; ncols]
    };
    let mut bold = vec![false; rows.len()];
    for &i in &t.bold_rows {
        if let Some(b) = bold.get_mut(i) {
            *b = true;
        }
    }
    Some(PBlock::Table {
        caption: t
            .caption
            .as_deref()
            .map(clean_line)
            .filter(|c| !c.is_empty()),
        header,
        rows,
        numeric,
        widths,
        bold,
    })
}

/// Prepares a report for layout.
pub(crate) fn prepare(r: &OfficialReport) -> Prepared {
    let blocks = r
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(h) => {
                let text = clean_line(h);
                (!text.is_empty()).then_some(PBlock::Heading { text })
            }
            Block::Paragraph(p) => {
                let paras = clean_lines(p);
                (!paras.is_empty()).then_some(PBlock::Paragraph { paras })
            }
            Block::Table(t) => prepare_table(t),
        })
        .collect();
    let mut signer_lines = r
        .signer_authority
        .as_deref()
        .map(upper_lines)
        .unwrap_or_default();
    signer_lines.extend(upper_lines(&r.signer_title));
    let kind_title = clean_line(&r.kind_title).to_uppercase();
    let title = clean_lines(&r.title);
    let doc_title = std::iter::once(kind_title.clone())
        .chain(title.iter().cloned())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Prepared {
        national_name: NATIONAL_NAME,
        motto: MOTTO,
        recipients_label: RECIPIENTS_LABEL,
        issuer_parent: upper_lines(&r.issuer_parent),
        issuer: upper_lines(&r.issuer),
        number: clean_line(&r.number),
        date_line: date_line(&r.place, r.date),
        kind_title,
        title,
        salutation: r
            .salutation
            .as_deref()
            .map(clean_line)
            .filter(|s| !s.is_empty()),
        blocks,
        recipients: recipient_lines(&r.recipients),
        signer_lines,
        signer_name: clean_line(&r.signer_name),
        doc_title,
        watermark: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn date_line_leading_zeros_per_decree_30() {
        assert_eq!(
            date_line("Lào Cai", Some(date!(2024 - 01 - 05))),
            "Lào Cai, ngày 05 tháng 01 năm 2024"
        );
        assert_eq!(
            date_line("Lào Cai", Some(date!(2023 - 06 - 18))),
            "Lào Cai, ngày 18 tháng 6 năm 2023"
        );
        assert_eq!(
            date_line("Lào Cai", Some(date!(2023 - 02 - 28))),
            "Lào Cai, ngày 28 tháng 02 năm 2023"
        );
        assert_eq!(
            date_line("Lào Cai", Some(date!(2023 - 03 - 09))),
            "Lào Cai, ngày 09 tháng 3 năm 2023"
        );
        assert_eq!(
            date_line("Lào Cai", Some(date!(2023 - 12 - 10))),
            "Lào Cai, ngày 10 tháng 12 năm 2023"
        );
        assert_eq!(date_line("Lào Cai", None), "Lào Cai, ngày … tháng … năm …");
        assert_eq!(date_line(" ", None), "Ngày … tháng … năm …");
    }

    #[test]
    fn recipients_are_dashed_and_terminated_once() {
        let r = vec![
            "Bộ Nông nghiệp và PTNT".to_owned(),
            "- TT. TU, HĐND, UBND tỉnh;".to_owned(),
            "   ".to_owned(),
            "Lưu: VT, TH.".to_owned(),
        ];
        assert_eq!(
            recipient_lines(&r),
            vec![
                "- Bộ Nông nghiệp và PTNT;",
                "- TT. TU, HĐND, UBND tỉnh;",
                "- Lưu: VT, TH."
            ]
        );
        assert!(recipient_lines(&[]).is_empty());
    }

    #[test]
    fn clean_normalises_and_drops_controls() {
        // "ệ" decomposed (e + U+0323 + U+0302) becomes one code point.
        assert_eq!(clean("Vie\u{323}\u{302}t"), "Việt");
        assert_eq!(clean("a\u{0}b\u{1b}c\td\r\ne\u{FFFF}\u{202E}"), "abc d\ne");
    }

    #[test]
    fn tables_are_made_rectangular() {
        let t = ReportTable {
            header: vec!["A".into(), "B".into()],
            rows: vec![vec!["1".into()], vec!["1".into(), "2".into(), "3".into()]],
            numeric: vec![true, false, true],
            widths: vec![1.0, f32::NAN],
            bold_rows: vec![1, 99],
            ..ReportTable::default()
        };
        let Some(PBlock::Table {
            rows,
            numeric,
            widths,
            bold,
            ..
        }) = prepare_table(&t)
        else {
            panic!("table expected");
        };
        assert_eq!(rows, vec![vec!["1", ""], vec!["1", "2"]]);
        assert_eq!(numeric, vec![true, false]);
        assert_eq!(widths, vec![0.5, 0.5]);
        assert_eq!(bold, vec![false, true]);
        assert!(prepare_table(&ReportTable::default()).is_none());
    }
}
