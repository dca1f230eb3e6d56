//! References to Vietnamese legal and administrative documents
//! ("Quyết định số 4892/QĐ-UBND ngày 29/9/2015").
//!
//! A document number is written `seq/[year/]KIND-ISSUER`:
//! `316/KH-UBND` (plan no. 316 of a People's Committee),
//! `52/2018/NĐ-CP` (decree no. 52 of 2018 of the Government),
//! `31/2016/TT-BTNMT` (circular of the Ministry of Natural Resources and
//! Environment). Official letters (công văn) carry no kind:
//! `1234/UBND-KT`; laws neither: `59/2020/QH14`.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::Date;

use crate::text::{fold_vi, nfc};
use crate::vnfmt::{parse_date, ParseDateError};

/// A parsed document reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocRef {
    /// The number as written (NFC, without spaces around `/` and `-`),
    /// e.g. `"4892/QĐ-UBND"`.
    pub number: String,
    /// The sequence number, `4892`; `None` when the first part is not
    /// purely digits (`"12a/QĐ-UBND"`) or too large.
    pub seq: Option<u32>,
    /// The year embedded in the number: `"52/2018/NĐ-CP"` → `2018`.
    pub year: Option<i32>,
    /// The canonical kind abbreviation (`"QĐ"`, `"KH"`, `"NĐ"`, `"TT"`,
    /// `"NQ"`, `"CTr"`…); see [`KINDS`]. An unknown abbreviation before an
    /// issuer is kept in upper case; for numbers without one (`1234/UBND-KT`)
    /// it is taken from the title before the number ("Công văn số …" →
    /// `"CV"`) when there is one.
    pub kind: Option<String>,
    /// The issuing body, the part after the kind: `"UBND"`, `"CP"`,
    /// `"TTg"`, `"BTNMT"`, `"BCT"`, `"UBND-KT"`, `"QH14"`. Known bodies get
    /// their usual spelling, others are upper-cased.
    pub issuer: Option<String>,
    /// The date after "ngày", when present.
    pub date: Option<Date>,
}

/// Why a document reference could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LegalDocError {
    /// The input was empty or only whitespace.
    #[error("empty document reference")]
    Empty,
    /// No document number such as `316/KH-UBND` was found. Holds the input,
    /// trimmed.
    #[error("no document number (such as \"316/KH-UBND\") in {0:?}")]
    NoNumber(String),
    /// "ngày" is followed by something date-like that is not a valid date.
    #[error("invalid date in document reference: {0}")]
    BadDate(#[source] ParseDateError),
}

/// Known document kinds: (abbreviation, Vietnamese name).
pub const KINDS: &[(&str, &str)] = &[
    ("QĐ", "Quyết định"),
    ("KH", "Kế hoạch"),
    ("NĐ", "Nghị định"),
    ("TT", "Thông tư"),
    ("TTLT", "Thông tư liên tịch"),
    ("NQ", "Nghị quyết"),
    ("CTr", "Chương trình"),
    ("CT", "Chỉ thị"),
    ("TB", "Thông báo"),
    ("BC", "Báo cáo"),
    ("CV", "Công văn"),
    ("CĐ", "Công điện"),
    ("HD", "Hướng dẫn"),
    ("TTr", "Tờ trình"),
    ("QyĐ", "Quy định"),
    ("QC", "Quy chế"),
    ("ĐA", "Đề án"),
    ("PA", "Phương án"),
    ("BB", "Biên bản"),
    ("GM", "Giấy mời"),
];

/// Issuing bodies with their usual spelling (mixed case or `Đ`).
const ISSUERS: &[&str] = &[
    "CP", "TTg", "VPCP", "QH", "UBTVQH", "UBND", "HĐND", "BTNMT", "BCT", "BNNPTNT", "BNN", "BTC",
    "BKHĐT", "BKHCN", "BVHTTDL", "BXD", "BLĐTBXH", "BYT", "BGDĐT", "BTP", "BNV", "BGTVT", "BTTTT",
    "BQP", "BCA", "NHNN", "TCT", "SNN", "SNNPTNT", "STNMT", "SCT", "SVHTTDL", "SKHĐT", "STC",
    "SXD", "SLĐTBXH", "BCĐ", "MTTQ", "LMHTX", "VP",
];

/// Folds an abbreviation for comparison: upper case, no diacritics, `Đ` → `D`.
fn fold_abbr(s: &str) -> String {
    fold_vi(s).to_uppercase()
}

/// The canonical spelling of a kind abbreviation, ignoring case and
/// `Đ`/`D` confusion: `"qd"` → `"QĐ"`, `"ctr"` → `"CTr"`, `"QYD"` → `"QyĐ"`.
pub fn canonical_kind(kind: &str) -> Option<&'static str> {
    let folded = fold_abbr(kind.trim());
    KINDS
        .iter()
        .find(|(abbr, _)| fold_abbr(abbr) == folded)
        .map(|(abbr, _)| *abbr)
}

/// The Vietnamese name of a kind abbreviation: `"QĐ"` → `"Quyết định"`,
/// `"KH"` → `"Kế hoạch"`, `"CTr"` → `"Chương trình"`. Case and `Đ`/`D`
/// are ignored (`"QD"` → `"Quyết định"`); `None` for unknown kinds.
pub fn kind_name_vi(kind: &str) -> Option<&'static str> {
    let folded = fold_abbr(kind.trim());
    KINDS
        .iter()
        .find(|(abbr, _)| fold_abbr(abbr) == folded)
        .map(|(_, name)| *name)
}

/// The usual spelling of an issuer segment: known bodies from [`ISSUERS`]
/// (`"ttg"` → `"TTg"`, `"HDND"` → `"HĐND"`), anything else upper-cased.
fn canonical_issuer(segment: &str) -> String {
    let folded = fold_abbr(segment);
    ISSUERS
        .iter()
        .find(|known| fold_abbr(known) == folded)
        .map_or_else(|| segment.to_uppercase(), |known| (*known).to_owned())
}

fn is_known_issuer(segment: &str) -> bool {
    let folded = fold_abbr(segment);
    ISSUERS.iter().any(|known| fold_abbr(known) == folded)
}

/// NFC with look-alike characters replaced: dashes by `-`, the Icelandic
/// eth `Ð`/`ð` (often produced by legacy encodings) by `Đ`/`đ`.
fn normalise(s: &str) -> Vec<char> {
    nfc(s)
        .chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{00D0}' => 'Đ',
            '\u{00F0}' => 'đ',
            c => c,
        })
        .collect()
}

/// A document number found in the text.
struct NumberMatch {
    /// Index of its first character.
    start: usize,
    first: String,
    year: Option<String>,
    segments: Vec<String>,
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// Reads a kind/issuer segment starting at `i`: a letter, then letters,
/// digits or `&`. Returns the segment and the index after it.
fn read_segment(chars: &[char], i: usize) -> Option<(String, usize)> {
    if !chars.get(i).is_some_and(|c| c.is_alphabetic()) {
        return None;
    }
    let mut end = i;
    while chars
        .get(end)
        .is_some_and(|c| c.is_alphanumeric() || *c == '&')
    {
        end += 1;
    }
    Some((chars[i..end].iter().collect(), end))
}

/// Tries to read `seq/[yyyy/]SEGMENT[-SEGMENT…]` at `start`, tolerating
/// spaces around `/` and `-`.
fn read_number(chars: &[char], start: usize) -> Option<NumberMatch> {
    let mut i = start;
    while chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
        i += 1;
    }
    let first: String = chars[start..i].iter().collect();
    i = skip_spaces(chars, i);
    if chars.get(i) != Some(&'/') {
        return None;
    }
    i = skip_spaces(chars, i + 1);

    let mut year = None;
    let mut j = i;
    while chars.get(j).is_some_and(|c| c.is_ascii_digit()) {
        j += 1;
    }
    if j - i == 4 {
        let k = skip_spaces(chars, j);
        if chars.get(k) == Some(&'/') {
            year = Some(chars[i..j].iter().collect());
            i = skip_spaces(chars, k + 1);
        }
    }

    let (segment, mut i) = read_segment(chars, i)?;
    let mut segments = vec![segment];
    loop {
        let k = skip_spaces(chars, i);
        if chars.get(k) != Some(&'-') {
            break;
        }
        match read_segment(chars, skip_spaces(chars, k + 1)) {
            Some((segment, end)) => {
                segments.push(segment);
                i = end;
            }
            None => break,
        }
    }
    Some(NumberMatch {
        start,
        first,
        year,
        segments,
    })
}

/// Finds the first document number in the text.
fn find_number(chars: &[char]) -> Option<NumberMatch> {
    (0..chars.len())
        .filter(|&i| {
            chars[i].is_ascii_digit()
                && (i == 0
                    || !(chars[i - 1].is_alphanumeric() || matches!(chars[i - 1], '/' | '-')))
        })
        .find_map(|i| read_number(chars, i))
}

/// Finds the date after the first "ngày" that is followed by a digit.
/// Accepts `ngày 29/9/2015` (any form of [`parse_date`]) and
/// `ngày 21 tháng 9 năm 2022`.
fn find_date(text: &str) -> Option<Result<Date, ParseDateError>> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')' | '.')))
        .collect();
    let folded: Vec<String> = words.iter().map(|w| fold_vi(w)).collect();
    for (i, word) in folded.iter().enumerate() {
        if word != "ngay" {
            continue;
        }
        let rest = &words[i + 1..];
        if !rest
            .first()
            .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        {
            continue;
        }
        let is_long = folded.get(i + 2).is_some_and(|w| w == "thang")
            && folded.get(i + 4).is_some_and(|w| w == "nam");
        let candidate = if is_long {
            rest.iter().take(5).copied().collect::<Vec<_>>().join(" ")
        } else {
            rest.iter()
                .take(5)
                .take_while(|w| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_digit() || matches!(c, '/' | '-' | '.'))
                })
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        };
        return Some(parse_date(&candidate));
    }
    None
}

/// The kind named by the title before the number ("Công văn số" → `"CV"`).
fn kind_from_title(title: &str) -> Option<&'static str> {
    let folded = fold_vi(&title.replace(':', " "));
    let mut words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    if words.last() == Some(&"so") {
        words.pop();
    }
    let title = format!(" {}", words.join(" "));
    KINDS
        .iter()
        .find(|(_, name)| title.ends_with(&format!(" {}", fold_vi(name))))
        .map(|(abbr, _)| *abbr)
}

/// Parses a reference to a legal or administrative document.
///
/// Accepted, among others: `"Số: 316/KH-UBND"`, `"316/KH-UBND"`,
/// `"Quyết định số 4892/QĐ-UBND ngày 29/9/2015"`, `"Nghị định số
/// 52/2018/NĐ-CP ngày 12/4/2018 của Chính phủ"`, `"Thông tư
/// 31/2016/TT-BTNMT"`, `"Kế hoạch số 316/KH-UBND ngày 21 tháng 9 năm
/// 2022"`. The first document number in the text is taken; "Số:"/"số" is
/// optional; case, NFD input, extra spaces (also around `/` and `-`),
/// typographic dashes and `D` written for `Đ` (`QD-UBND` → kind `"QĐ"`)
/// are tolerated.
///
/// The kind is the first part after the number when it is a known kind
/// ([`KINDS`]), or when it is not a known issuing body and an issuer
/// follows (`"12/QCh-UBND"` → kind `"QCH"`); otherwise all parts are the
/// issuer (`"1234/UBND-KT"`, `"59/2020/QH14"`) and the kind comes from the
/// title, if any.
///
/// The date is read after the first "ngày" followed by a digit, with
/// [`parse_date`].
///
/// Errors: [`LegalDocError::Empty`], [`LegalDocError::NoNumber`],
/// [`LegalDocError::BadDate`].
pub fn parse_doc_ref(s: &str) -> Result<DocRef, LegalDocError> {
    if s.trim().is_empty() {
        return Err(LegalDocError::Empty);
    }
    let chars = normalise(s);
    let text: String = chars.iter().collect();
    let m = find_number(&chars).ok_or_else(|| LegalDocError::NoNumber(s.trim().to_owned()))?;

    let mut number = format!("{}/", m.first);
    if let Some(year) = &m.year {
        number.push_str(year);
        number.push('/');
    }
    number.push_str(&m.segments.join("-"));

    // `read_number` always returns at least one segment.
    let Some((head, tail)) = m.segments.split_first() else {
        return Err(LegalDocError::NoNumber(s.trim().to_owned()));
    };
    let (mut kind, issuer_parts) = match canonical_kind(head) {
        Some(kind) => (Some(kind.to_owned()), tail),
        None if !tail.is_empty() && !is_known_issuer(head) => (Some(head.to_uppercase()), tail),
        None => (None, m.segments.as_slice()),
    };
    if kind.is_none() {
        let title: String = chars[..m.start].iter().collect();
        kind = kind_from_title(&title).map(str::to_owned);
    }
    let issuer = (!issuer_parts.is_empty()).then(|| {
        issuer_parts
            .iter()
            .map(|p| canonical_issuer(p))
            .collect::<Vec<_>>()
            .join("-")
    });

    let date = find_date(&text)
        .transpose()
        .map_err(LegalDocError::BadDate)?;

    Ok(DocRef {
        number,
        seq: m.first.parse().ok(),
        year: m.year.and_then(|y| y.parse().ok()),
        kind,
        issuer,
        date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use unicode_normalization::UnicodeNormalization;

    fn parse(s: &str) -> DocRef {
        parse_doc_ref(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn doc(
        number: &str,
        seq: u32,
        year: Option<i32>,
        kind: Option<&str>,
        issuer: Option<&str>,
        date: Option<Date>,
    ) -> DocRef {
        DocRef {
            number: number.to_owned(),
            seq: Some(seq),
            year,
            kind: kind.map(str::to_owned),
            issuer: issuer.map(str::to_owned),
            date,
        }
    }

    #[test]
    fn plan_number_with_and_without_so() {
        let expected = doc("316/KH-UBND", 316, None, Some("KH"), Some("UBND"), None);
        assert_eq!(parse("Số: 316/KH-UBND"), expected);
        assert_eq!(parse("316/KH-UBND"), expected);
        assert_eq!(parse("số 316/KH-UBND"), expected);
        assert_eq!(parse("Số:316/KH-UBND"), expected);
        assert_eq!(parse("Kế hoạch 316/KH-UBND."), expected);
    }

    #[test]
    fn decision_with_date() {
        assert_eq!(
            parse("Quyết định số 4892/QĐ-UBND ngày 29/9/2015"),
            doc(
                "4892/QĐ-UBND",
                4892,
                None,
                Some("QĐ"),
                Some("UBND"),
                Some(date!(2015 - 09 - 29))
            )
        );
    }

    #[test]
    fn decree_with_year_date_and_issuer_name() {
        assert_eq!(
            parse("Nghị định số 52/2018/NĐ-CP ngày 12/4/2018 của Chính phủ"),
            doc(
                "52/2018/NĐ-CP",
                52,
                Some(2018),
                Some("NĐ"),
                Some("CP"),
                Some(date!(2018 - 04 - 12))
            )
        );
    }

    #[test]
    fn circular_without_so() {
        assert_eq!(
            parse("Thông tư 31/2016/TT-BTNMT"),
            doc(
                "31/2016/TT-BTNMT",
                31,
                Some(2016),
                Some("TT"),
                Some("BTNMT"),
                None
            )
        );
    }

    #[test]
    fn prime_minister_decision_with_leading_zero_day() {
        assert_eq!(
            parse("Quyết định số 801/QĐ-TTg ngày 07/7/2022"),
            doc(
                "801/QĐ-TTg",
                801,
                None,
                Some("QĐ"),
                Some("TTg"),
                Some(date!(2022 - 07 - 07))
            )
        );
    }

    #[test]
    fn long_form_date() {
        assert_eq!(
            parse("Kế hoạch số 316/KH-UBND ngày 21 tháng 9 năm 2022"),
            doc(
                "316/KH-UBND",
                316,
                None,
                Some("KH"),
                Some("UBND"),
                Some(date!(2022 - 09 - 21))
            )
        );
        let d = parse("Hà Nội, ngày 12 tháng 04 năm 2018. Số: 52/2018/NĐ-CP");
        assert_eq!(d.date, Some(date!(2018 - 04 - 12)));
        assert_eq!(d.number, "52/2018/NĐ-CP");
    }

    #[test]
    fn lowercase_input() {
        let d = parse("quyết định số 4892/qđ-ubnd ngày 29/9/2015");
        assert_eq!(d.number, "4892/qđ-ubnd");
        assert_eq!(d.kind.as_deref(), Some("QĐ"));
        assert_eq!(d.issuer.as_deref(), Some("UBND"));
        assert_eq!(d.date, Some(date!(2015 - 09 - 29)));
        let d = parse("quyết định 801/qđ-ttg");
        assert_eq!(d.issuer.as_deref(), Some("TTg"));
    }

    #[test]
    fn nfd_input() {
        let decomposed: String = "Nghị định số 52/2018/NĐ-CP ngày 12 tháng 4 năm 2018"
            .nfd()
            .collect();
        let d = parse(&decomposed);
        assert_eq!(d.number, "52/2018/NĐ-CP");
        assert_eq!(d.kind.as_deref(), Some("NĐ"));
        assert_eq!(d.date, Some(date!(2018 - 04 - 12)));
    }

    #[test]
    fn extra_spaces_and_dashes() {
        let d = parse("  Số :   316 / KH - UBND   ngày   21/9/2022 ");
        assert_eq!(d.number, "316/KH-UBND");
        assert_eq!(d.kind.as_deref(), Some("KH"));
        assert_eq!(d.issuer.as_deref(), Some("UBND"));
        assert_eq!(d.date, Some(date!(2022 - 09 - 21)));
        let d = parse("52 / 2018 / NĐ – CP");
        assert_eq!(d.number, "52/2018/NĐ-CP");
        assert_eq!(d.year, Some(2018));
        let d = parse("ngày 29 / 9 / 2015, Quyết định 4892/QĐ-UBND");
        assert_eq!(d.date, Some(date!(2015 - 09 - 29)));
    }

    #[test]
    fn d_written_for_dj() {
        let d = parse("Quyet dinh so 4892/QD-UBND ngay 29/9/2015");
        assert_eq!(d.number, "4892/QD-UBND");
        assert_eq!(d.kind.as_deref(), Some("QĐ"));
        assert_eq!(d.date, Some(date!(2015 - 09 - 29)));
        let d = parse("52/2018/ND-CP");
        assert_eq!(d.kind.as_deref(), Some("NĐ"));
        let d = parse("Nghị quyết 12/2022/NQ-HDND");
        assert_eq!(d.kind.as_deref(), Some("NQ"));
        assert_eq!(d.issuer.as_deref(), Some("HĐND"));
        // Icelandic eth (U+00D0) from legacy encodings.
        let d = parse("52/2018/N\u{00D0}-CP");
        assert_eq!(d.kind.as_deref(), Some("NĐ"));
    }

    #[test]
    fn numbers_without_kind() {
        let d = parse("Công văn số 1234/UBND-KT ngày 5/3/2024");
        assert_eq!(d.kind.as_deref(), Some("CV"));
        assert_eq!(d.issuer.as_deref(), Some("UBND-KT"));
        assert_eq!(d.date, Some(date!(2024 - 03 - 05)));
        let d = parse("1234/UBND-KT");
        assert_eq!(d.kind, None);
        assert_eq!(d.issuer.as_deref(), Some("UBND-KT"));
        let d = parse("Luật số 59/2020/QH14");
        assert_eq!(d.number, "59/2020/QH14");
        assert_eq!(d.year, Some(2020));
        assert_eq!(d.kind, None);
        assert_eq!(d.issuer.as_deref(), Some("QH14"));
    }

    #[test]
    fn other_kinds_and_issuers() {
        let d = parse("Thông tư liên tịch số 15/2017/TTLT-BTC-BNNPTNT");
        assert_eq!(d.kind.as_deref(), Some("TTLT"));
        assert_eq!(d.issuer.as_deref(), Some("BTC-BNNPTNT"));
        let d = parse("Chương trình số 12/CTr-UBND");
        assert_eq!(d.kind.as_deref(), Some("CTr"));
        let d = parse("45/ttr-snn");
        assert_eq!(d.kind.as_deref(), Some("TTr"));
        assert_eq!(d.issuer.as_deref(), Some("SNN"));
        let d = parse("12/QCh-UBND");
        assert_eq!(d.kind.as_deref(), Some("QCH"));
        let d = parse("7/KH");
        assert_eq!(d.kind.as_deref(), Some("KH"));
        assert_eq!(d.issuer, None);
        let d = parse("12a/QĐ-UBND");
        assert_eq!(d.number, "12a/QĐ-UBND");
        assert_eq!(d.seq, None);
        let d = parse("01/2019/NQ-HĐND");
        assert_eq!(d.seq, Some(1));
        assert_eq!(d.number, "01/2019/NQ-HĐND");
    }

    #[test]
    fn ngay_without_a_date_is_not_a_date() {
        let d = parse("Kế hoạch 316/KH-UBND tổ chức Ngày hội làng nghề");
        assert_eq!(d.date, None);
        let d = parse("Kế hoạch 316/KH-UBND tổ chức Ngày hội ngày 2/9/2024");
        assert_eq!(d.date, Some(date!(2024 - 09 - 02)));
    }

    #[test]
    fn errors() {
        assert_eq!(parse_doc_ref(""), Err(LegalDocError::Empty));
        assert_eq!(parse_doc_ref("  \t "), Err(LegalDocError::Empty));
        for bad in [
            "Quyết định về việc công nhận làng nghề",
            "Số:",
            "abc/def",
            "12/2018",
            "316/",
            "ngày 29/9/2015",
            "QĐ-UBND",
            "/KH-UBND",
            "#$%^&*",
        ] {
            assert_eq!(
                parse_doc_ref(bad),
                Err(LegalDocError::NoNumber(bad.trim().to_owned())),
                "{bad:?}"
            );
        }
        assert!(matches!(
            parse_doc_ref("Quyết định số 4892/QĐ-UBND ngày 30/2/2015"),
            Err(LegalDocError::BadDate(ParseDateError::NoSuchDate { .. }))
        ));
        assert!(matches!(
            parse_doc_ref("Kế hoạch 316/KH-UBND ngày 21 tháng 13 năm 2022"),
            Err(LegalDocError::BadDate(_))
        ));
        assert!(matches!(
            parse_doc_ref("316/KH-UBND ngày 21/9"),
            Err(LegalDocError::BadDate(ParseDateError::Format(_)))
        ));
    }

    #[test]
    fn kind_names() {
        for (kind, name) in [
            ("QĐ", "Quyết định"),
            ("KH", "Kế hoạch"),
            ("NĐ", "Nghị định"),
            ("TT", "Thông tư"),
            ("NQ", "Nghị quyết"),
            ("CTr", "Chương trình"),
            ("CT", "Chỉ thị"),
            ("TB", "Thông báo"),
            ("BC", "Báo cáo"),
            ("CV", "Công văn"),
        ] {
            assert_eq!(kind_name_vi(kind), Some(name), "{kind}");
        }
        assert_eq!(kind_name_vi("QD"), Some("Quyết định"));
        assert_eq!(kind_name_vi("qđ"), Some("Quyết định"));
        assert_eq!(kind_name_vi("ctr"), Some("Chương trình"));
        assert_eq!(kind_name_vi("XYZ"), None);
        assert_eq!(kind_name_vi(""), None);
        assert_eq!(canonical_kind("nd"), Some("NĐ"));
        assert_eq!(canonical_kind("UBND"), None);
    }

    #[test]
    fn kind_table_has_no_folding_collisions() {
        for (i, (a, _)) in KINDS.iter().enumerate() {
            for (b, _) in &KINDS[i + 1..] {
                assert_ne!(fold_abbr(a), fold_abbr(b), "{a} and {b}");
            }
            assert!(!is_known_issuer(a), "{a} is also an issuer");
        }
        for (i, a) in ISSUERS.iter().enumerate() {
            for b in &ISSUERS[i + 1..] {
                assert_ne!(fold_abbr(a), fold_abbr(b), "{a} and {b}");
            }
        }
    }
}
