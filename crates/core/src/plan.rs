//! Plan indicators (chỉ tiêu): targets in the forms Vietnamese plans state
//! them, achievement rates computed the way evaluation reports compute them,
//! and checks of how a total is split.
//!
//! # Target wordings
//!
//! [`parse_target`] reads the target cell of a plan ("10-12 làng",
//! "trên 7.000", "80 %", "tăng bình quân 12-15 %/năm",
//! "1-1,5 lần so với năm 2020") and [`display_target`] writes it back the way
//! officials do. Numbers use Vietnamese notation (`60.000`, `1,5`; see
//! [`parse_number`]); words after the number are a unit and are ignored.
//!
//! # Achievement
//!
//! [`achievement`] compares a result with its target and returns the rate
//! (`percent`, unrounded: round it with [`round_pct`] to the 1 or 2 decimals
//! the report uses) and a [`Status`]. The conventions, chosen to match the
//! evaluation of the 2011-2015 Hà Nội khuyến công programme (Quyết định
//! 4892/QĐ-UBND, "17.800 lao động … đạt 71,2 % kế hoạch"):
//!
//! - a rate is `actual / plan × 100`; a status compares that rate, rounded to
//!   0,1, with 100: below is [`Status::Below`], equal [`Status::Achieved`],
//!   above [`Status::Exceeded`];
//! - a range ("10-12 làng") is rated against its **lower bound**: Vietnamese
//!   reports state "đạt X % kế hoạch" of the minimum the plan committed to,
//!   so any result inside the range is [`Status::Achieved`] with a rate of
//!   100 % or more, and only a result above the upper bound is
//!   [`Status::Exceeded`];
//! - for lower-is-better indicators (caps such as "dưới 5 %", or any
//!   indicator with [`Direction::LowerIsBetter`]) the rate is inverted,
//!   `target / actual × 100`, so that above 100 % still means better than
//!   planned;
//! - a target of 0 (or a result of 0 under a cap) has no rate (`None`); the
//!   status then comes from comparing the numbers directly.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::text::fold_vi;
use crate::vnfmt::{
    format_decimal, format_decimal_trim, parse_int, parse_number, ratio_percent, ParseNumberError,
};

/// Fractional digits kept when a target value is written back.
const DISPLAY_DECIMALS: usize = 3;

/// The target of a plan indicator, in one of the forms plans state it.
///
/// Serialised with an internal tag `"kind"` in snake case, e.g.
/// `{"kind":"range","min":10.0,"max":12.0}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// A plain number: "473 lớp", "25.000 lao động", "khoảng 24.000".
    Exact { value: f64 },
    /// Between two numbers: "10-12 làng", "80-100 lượt",
    /// "60.000-75.000 lao động", "từ 02 đến 05 mẫu".
    Range { min: f64, max: f64 },
    /// A floor: "trên 7.000" (`strict`: the result must be greater),
    /// "ít nhất 11", "tối thiểu 5", "không dưới 3", "5 làng trở lên".
    AtLeast { value: f64, strict: bool },
    /// A cap, for lower-is-better indicators: "dưới 03 tháng" (`strict`),
    /// "không quá 10", "tối đa 6", "3 trở xuống".
    AtMost { value: f64, strict: bool },
    /// A share in %: "80 %", "100 % cơ sở".
    Percent { value: f64 },
    /// A range of shares: "70-80 %", "từ 25-30 %".
    PercentRange { min: f64, max: f64 },
    /// A floor on a share: "trên 70 % làng nghề" (`strict`), "ít nhất 80 %".
    PercentAtLeast { value: f64, strict: bool },
    /// A cap on a share: "dưới 5 %" (`strict`), "không quá 10 %".
    PercentAtMost { value: f64, strict: bool },
    /// Growth in % of a baseline: "tăng 20 % so với năm 2017",
    /// "tăng bình quân 12-15 %/năm" (`per_year`: compound annual growth),
    /// "8 - 10 %/năm".
    Growth {
        min_pct: f64,
        max_pct: Option<f64>,
        per_year: bool,
        base_year: Option<i32>,
    },
    /// A multiple of a baseline: "1,5 lần", "gấp 2 lần",
    /// "tăng ít nhất 1-1,5 lần so với năm 2020".
    Multiple {
        min: f64,
        max: Option<f64>,
        base_year: Option<i32>,
    },
}

/// Whether a larger result is better (trainees, villages supported) or a
/// smaller one (polluting establishments, processing days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    HigherIsBetter,
    LowerIsBetter,
}

/// How a result compares with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No result reported (or a growth/multiple target without a baseline).
    NoData,
    /// Not reached: "chưa đạt".
    Below,
    /// Reached: "đạt".
    Achieved,
    /// Beyond the target: "vượt".
    Exceeded,
}

impl Status {
    /// The Vietnamese label used in reports: "chưa có số liệu", "chưa đạt",
    /// "đạt", "vượt".
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::NoData => "chưa có số liệu",
            Status::Below => "chưa đạt",
            Status::Achieved => "đạt",
            Status::Exceeded => "vượt",
        }
    }
}

/// The result of comparing an indicator's result with its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Achievement {
    /// The achievement rate in % (71.2 for "đạt 71,2 %"), unrounded; `None`
    /// without data or when the rate is undefined (target 0).
    pub percent: Option<f64>,
    pub status: Status,
    /// The target as officials write it ([`display_target`]).
    pub target_text: String,
}

/// Why a target wording could not be read.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TargetError {
    /// The text was empty or only whitespace.
    #[error("empty target")]
    Empty,
    /// A number is not valid Vietnamese notation (e.g. `1.5` where `1,5` is
    /// meant: `.` only groups thousands).
    #[error("invalid number in target: {0}")]
    Number(#[from] ParseNumberError),
    /// The wording is not one of the accepted forms. Holds the input, trimmed.
    #[error(
        "unrecognised target {0:?} (expected e.g. \"10-12\", \"trên 7.000\", \"ít nhất 11\", \
         \"80 %\", \"tăng 12-15 %/năm\", \"1-1,5 lần so với năm 2020\")"
    )]
    Unrecognised(String),
    /// The wording is understood but has no [`Target`] form.
    #[error("unsupported target {input:?}: {reason}")]
    Unsupported { input: String, reason: &'static str },
    /// A range whose first bound is larger than the second ("12-10").
    #[error("range in target {input:?} is reversed: {} is larger than {}",
        format_decimal_trim(*min, DISPLAY_DECIMALS), format_decimal_trim(*max, DISPLAY_DECIMALS))]
    ReversedRange { input: String, min: f64, max: f64 },
}

/// Why the parts of a split do not make up the total.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum SplitError {
    /// `difference` is `total − sum`: positive when the parts fall short.
    #[error(
        "the parts add up to {}, not to the total {} (difference {})",
        format_decimal_trim(*sum, 6), format_decimal_trim(*total, 6),
        format_decimal_trim(*difference, 6)
    )]
    Mismatch {
        total: f64,
        sum: f64,
        difference: f64,
    },
    /// The total, a part or the tolerance is NaN or infinite.
    #[error("the total, a part or the tolerance is not a finite number")]
    NotFinite,
}

// ---------------------------------------------------------------------------
// Rounding
// ---------------------------------------------------------------------------

/// Rounds `x` to `places` decimals, half away from zero, on the decimal
/// digits as written (the shortest representation of `x`), the way reports
/// round rates: 71,2; 95,53 (82,155 / 86); 94,5 (77,63 / 82,155); 31,67
/// (38 / 120). `31.665` rounds to `31.67` although its binary approximation
/// lies slightly below. NaN and infinities are returned unchanged.
pub fn round_pct(x: f64, places: u32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    // Beyond ~340 decimals every f64 is already exact; the cap only bounds
    // the length of the intermediate string.
    let places = usize::try_from(places.min(400)).unwrap_or(400);
    parse_number(&format_decimal(x, places)).unwrap_or(x)
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/// A token of a folded target text.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// Digits with inner `.` and `,` (a trailing one is punctuation).
    Num(String),
    /// A run of letters.
    Word(String),
    /// Any other non-space character, dashes unified to `-`.
    Sym(char),
}

fn lex(folded: &str) -> Vec<Tok> {
    let chars: Vec<char> = folded.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_digit() {
            let start = i;
            while let Some(&d) = chars.get(i) {
                let inner_mark =
                    matches!(d, '.' | ',') && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
                if d.is_ascii_digit() || inner_mark {
                    i += 1;
                } else {
                    break;
                }
            }
            out.push(Tok::Num(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() {
            let start = i;
            while chars.get(i).is_some_and(|d| d.is_alphabetic()) {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Sym(match c {
                    '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
                    '\u{ff05}' => '%',
                    '\u{2248}' => '~',
                    other => other,
                }));
            }
            i += 1;
        }
    }
    out
}

/// Whether `phrase` (words, or one-character symbols) starts at `pos`.
fn matches_at(toks: &[Tok], pos: usize, phrase: &[&str]) -> bool {
    phrase
        .iter()
        .enumerate()
        .all(|(k, want)| match toks.get(pos + k) {
            Some(Tok::Word(w)) => w == want,
            Some(Tok::Sym(c)) => {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf) == *want
            }
            _ => false,
        })
}

/// The meaning of a word or phrase before the number.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Lead {
    Filler,
    Approx,
    AtLeast { strict: bool },
    AtMost { strict: bool },
    From,
    Increase,
    Average,
    Times,
}

/// Phrases accepted before the number, in folded form (see [`fold_vi`]).
const LEADS: &[(&[&str], Lead)] = &[
    (&["co"], Lead::Filler),
    (&["duoc"], Lead::Filler),
    (&["dat"], Lead::Filler),
    (&["dat", "duoc"], Lead::Filler),
    (&["phan", "dau"], Lead::Filler),
    // "thêm 100 làng nghề": so many more, counted from the plan's start.
    (&["them"], Lead::Filler),
    (&["khoang"], Lead::Approx),
    (&["xap", "xi"], Lead::Approx),
    (&["~"], Lead::Approx),
    (&["tren"], Lead::AtLeast { strict: true }),
    (&["hon"], Lead::AtLeast { strict: true }),
    (&["nhieu", "hon"], Lead::AtLeast { strict: true }),
    (&[">"], Lead::AtLeast { strict: true }),
    (&["it", "nhat"], Lead::AtLeast { strict: false }),
    (&["toi", "thieu"], Lead::AtLeast { strict: false }),
    (&["khong", "duoi"], Lead::AtLeast { strict: false }),
    (&["khong", "it", "hon"], Lead::AtLeast { strict: false }),
    (&["\u{2265}"], Lead::AtLeast { strict: false }),
    (&[">", "="], Lead::AtLeast { strict: false }),
    (&["duoi"], Lead::AtMost { strict: true }),
    (&["it", "hon"], Lead::AtMost { strict: true }),
    (&["<"], Lead::AtMost { strict: true }),
    (&["khong", "qua"], Lead::AtMost { strict: false }),
    (&["khong", "vuot"], Lead::AtMost { strict: false }),
    (&["khong", "vuot", "qua"], Lead::AtMost { strict: false }),
    (&["khong", "hon"], Lead::AtMost { strict: false }),
    (&["khong", "nhieu", "hon"], Lead::AtMost { strict: false }),
    (&["toi", "da"], Lead::AtMost { strict: false }),
    (&["\u{2264}"], Lead::AtMost { strict: false }),
    (&["<", "="], Lead::AtMost { strict: false }),
    (&["tu"], Lead::From),
    (&["tang"], Lead::Increase),
    (&["tang", "them"], Lead::Increase),
    (&["tang", "truong"], Lead::Increase),
    (&["binh", "quan"], Lead::Average),
    (&["trung", "binh"], Lead::Average),
    (&["gap"], Lead::Times),
];

/// Phrases after `%` that make a growth rate annual.
const PER_YEAR: &[&[&str]] = &[
    &["/", "nam"],
    &["moi", "nam"],
    &["hang", "nam"],
    &["mot", "nam"],
    &["binh", "quan", "/", "nam"],
    &["binh", "quan", "moi", "nam"],
    &["binh", "quan", "hang", "nam"],
];

/// The longest phrase of `phrases` starting at `pos`, as (length, index).
fn longest_match<'a, I>(toks: &[Tok], pos: usize, phrases: I) -> Option<(usize, usize)>
where
    I: IntoIterator<Item = &'a [&'a str]>,
{
    phrases
        .into_iter()
        .enumerate()
        .filter(|(_, p)| matches_at(toks, pos, p))
        .map(|(i, p)| (p.len(), i))
        .max()
}

/// A floor or a cap stated by a qualifier.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bound {
    AtLeast { strict: bool },
    AtMost { strict: bool },
}

/// Everything read from a target text before it is assembled.
#[derive(Debug, Default)]
struct Reading {
    bound: Option<Bound>,
    from: bool,
    increase: bool,
    average: bool,
    times: bool,
    first: f64,
    second: Option<f64>,
    percent: bool,
    per_year: bool,
    base_year: Option<i32>,
}

/// Parses the target of a plan indicator.
///
/// Accepted wordings (matched after [`fold_vi`]: case, accents, NFD input
/// and extra spaces do not matter):
///
/// - a number: "473 lớp", "25.000 lao động", "05 hội chợ" → [`Target::Exact`];
///   "khoảng", "xấp xỉ" or "~" in front still mean exact ("khoảng 24.000");
/// - two numbers joined by `-`, `–` or "đến": "10-12 làng",
///   "khoảng 60.000-75.000 lao động", "từ 02 đến 05" → [`Target::Range`];
/// - a floor: "trên"/"hơn"/">" (strict), "ít nhất", "tối thiểu",
///   "không dưới", "≥", "từ 5", "5 … trở lên" → [`Target::AtLeast`];
/// - a cap: "dưới"/"ít hơn"/"<" (strict), "không quá", "tối đa",
///   "không vượt quá", "≤", "3 … trở xuống" → [`Target::AtMost`];
/// - any of these with `%` after a number: [`Target::Percent`],
///   [`Target::PercentRange`], [`Target::PercentAtLeast`],
///   [`Target::PercentAtMost`] ("80 %", "70-80 %", "trên 70 % làng nghề");
/// - a percentage with "tăng", "bình quân", or "/năm" ("mỗi năm", "hằng
///   năm") after `%`: [`Target::Growth`] — "tăng 20 % so với năm 2017",
///   "tăng bình quân 12-15 %/năm", "8 - 10 %/năm"; "bình quân" and "/năm"
///   make it a compound annual rate;
/// - a number followed by "lần" or preceded by "gấp": [`Target::Multiple`] —
///   "1,5 lần", "gấp 2 lần", "tăng ít nhất 1-1,5 lần so với năm 2020".
///
/// "có", "được", "đạt", "phấn đấu" in front are ignored. After the number,
/// the unit ("lao động", "lượt doanh nghiệp", "triệu USD") is ignored, as is
/// everything after it except "so với (năm) YYYY" (the base year of a growth
/// or multiple), "trở lên" and "trở xuống".
///
/// A floor in front of a range ("ít nhất 1-1,5 lần", as in Lào Cai plan
/// 316/KH-UBND) keeps the range: its lower bound already is the floor. A
/// floor on a growth or multiple is likewise absorbed into its minimum.
///
/// Errors: [`TargetError::Empty`]; [`TargetError::Number`] for numbers not
/// in Vietnamese notation ("1.5" — write "1,5"); [`TargetError::ReversedRange`];
/// [`TargetError::Unsupported`] for a cap on a range, growth or multiple, an
/// increase not in % or "lần" ("tăng 500 lao động"), or "so với năm" on a
/// plain number; [`TargetError::Unrecognised`] for anything else, including
/// words before the number that are not qualifiers ("Hỗ trợ 14 cơ sở":
/// pass only the target, "14 cơ sở").
pub fn parse_target(text: &str) -> Result<Target, TargetError> {
    let input = text.trim();
    if input.is_empty() {
        return Err(TargetError::Empty);
    }
    let toks = lex(&fold_vi(input));
    let reading = read(&toks, input)?;
    assemble(&reading, input)
}

fn read(toks: &[Tok], input: &str) -> Result<Reading, TargetError> {
    let unrecognised = || TargetError::Unrecognised(input.to_owned());
    let mut r = Reading::default();
    let mut pos = 0;

    // Qualifiers before the number.
    loop {
        match toks.get(pos) {
            Some(Tok::Num(_)) => break,
            None => return Err(unrecognised()),
            Some(_) => {}
        }
        let (len, idx) =
            longest_match(toks, pos, LEADS.iter().map(|(p, _)| *p)).ok_or_else(unrecognised)?;
        let lead = LEADS.get(idx).map(|(_, l)| *l).ok_or_else(unrecognised)?;
        match lead {
            Lead::Filler | Lead::Approx => {}
            Lead::AtLeast { strict } => set_bound(&mut r, Bound::AtLeast { strict }, input)?,
            Lead::AtMost { strict } => set_bound(&mut r, Bound::AtMost { strict }, input)?,
            Lead::From => r.from = true,
            Lead::Increase => r.increase = true,
            Lead::Average => r.average = true,
            Lead::Times => r.times = true,
        }
        pos += len;
    }

    // The quantity: N [%] [(- | đến) N [%]].
    let Some(Tok::Num(raw)) = toks.get(pos) else {
        return Err(unrecognised());
    };
    r.first = parse_number(raw)?;
    pos += 1;
    if matches_at(toks, pos, &["%"]) {
        r.percent = true;
        pos += 1;
    }
    if matches_at(toks, pos, &["-"]) || matches_at(toks, pos, &["den"]) {
        let Some(Tok::Num(raw)) = toks.get(pos + 1) else {
            return Err(unrecognised());
        };
        r.second = Some(parse_number(raw)?);
        pos += 2;
        if matches_at(toks, pos, &["%"]) {
            r.percent = true;
            pos += 1;
        }
    }

    // Directly after the quantity: "/năm" after %, or "lần".
    if r.percent {
        if let Some((len, _)) = longest_match(toks, pos, PER_YEAR.iter().copied()) {
            r.per_year = true;
            pos += len;
        }
    } else if matches_at(toks, pos, &["lan"]) {
        r.times = true;
        pos += 1;
    }

    // The rest is the unit, except for a few phrases; stop at the next number.
    while let Some(tok) = toks.get(pos) {
        if matches_at(toks, pos, &["so", "voi"]) {
            let year_at = if matches_at(toks, pos + 2, &["nam"]) {
                pos + 3
            } else {
                pos + 2
            };
            if let Some(Tok::Num(raw)) = toks.get(year_at) {
                r.base_year = Some(parse_year(raw).ok_or_else(unrecognised)?);
                pos = year_at + 1;
                continue;
            }
        }
        if matches_at(toks, pos, &["tro", "len"]) {
            set_bound(&mut r, Bound::AtLeast { strict: false }, input)?;
            pos += 2;
            continue;
        }
        if matches_at(toks, pos, &["tro", "xuong"]) {
            set_bound(&mut r, Bound::AtMost { strict: false }, input)?;
            pos += 2;
            continue;
        }
        if matches!(tok, Tok::Num(_)) {
            break;
        }
        pos += 1;
    }
    Ok(r)
}

fn set_bound(r: &mut Reading, bound: Bound, input: &str) -> Result<(), TargetError> {
    match r.bound {
        Some(existing) if existing != bound => Err(TargetError::Unsupported {
            input: input.to_owned(),
            reason: "more than one bound (e.g. both a floor and a cap)",
        }),
        _ => {
            r.bound = Some(bound);
            Ok(())
        }
    }
}

/// A four-digit year such as `2020`.
fn parse_year(raw: &str) -> Option<i32> {
    if raw.len() != 4 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    parse_int(raw).ok().and_then(|y| i32::try_from(y).ok())
}

fn assemble(r: &Reading, input: &str) -> Result<Target, TargetError> {
    let unsupported = |reason: &'static str| TargetError::Unsupported {
        input: input.to_owned(),
        reason,
    };
    if let Some(max) = r.second {
        if r.first > max {
            return Err(TargetError::ReversedRange {
                input: input.to_owned(),
                min: r.first,
                max,
            });
        }
    }
    let is_cap = matches!(r.bound, Some(Bound::AtMost { .. }));

    if r.times {
        if r.percent {
            return Err(TargetError::Unrecognised(input.to_owned()));
        }
        if is_cap {
            return Err(unsupported("a cap on a multiple"));
        }
        return Ok(Target::Multiple {
            min: r.first,
            max: r.second,
            base_year: r.base_year,
        });
    }
    if r.percent && (r.increase || r.average || r.per_year) {
        if is_cap {
            return Err(unsupported("a cap on a growth rate"));
        }
        return Ok(Target::Growth {
            min_pct: r.first,
            max_pct: r.second,
            per_year: r.per_year || r.average,
            base_year: r.base_year,
        });
    }
    if r.increase {
        return Err(unsupported(
            "an increase must be in % (\"tăng 20 %\") or a multiple (\"1,5 lần\")",
        ));
    }
    if r.base_year.is_some() {
        return Err(unsupported(
            "\"so với năm\" needs a growth (\"tăng 20 %\") or a multiple (\"1,5 lần\")",
        ));
    }

    let bound = match (r.bound, r.from) {
        (None, true) => Some(Bound::AtLeast { strict: false }),
        (b, _) => b,
    };
    Ok(match (r.second, bound, r.percent) {
        (Some(_), Some(Bound::AtMost { .. }), _) => {
            return Err(unsupported("a cap on a range"));
        }
        (Some(max), _, false) => Target::Range { min: r.first, max },
        (Some(max), _, true) => Target::PercentRange { min: r.first, max },
        (None, None, false) => Target::Exact { value: r.first },
        (None, None, true) => Target::Percent { value: r.first },
        (None, Some(Bound::AtLeast { strict }), false) => Target::AtLeast {
            value: r.first,
            strict,
        },
        (None, Some(Bound::AtLeast { strict }), true) => Target::PercentAtLeast {
            value: r.first,
            strict,
        },
        (None, Some(Bound::AtMost { strict }), false) => Target::AtMost {
            value: r.first,
            strict,
        },
        (None, Some(Bound::AtMost { strict }), true) => Target::PercentAtMost {
            value: r.first,
            strict,
        },
    })
}

/// Parses a target given with the unit of its table column (the "ĐVT"
/// column of an appendix such as Lào Cai's Phụ biểu 01), where the unit
/// carries part of the meaning:
///
/// - unit `%`: a number becomes a share ("80" → [`Target::Percent`], and
///   likewise for ranges, floors and caps);
/// - unit `%/năm`: a number or range is an annual growth rate
///   ("8 - 10%" → [`Target::Growth`] 8-10 %/năm);
/// - unit `Lần`: a number or range is a multiple ("1,5" → [`Target::Multiple`]).
///
/// Other units ("LN", "Lớp", "DA/MH") change nothing.
pub fn parse_target_with_unit(text: &str, unit: &str) -> Result<Target, TargetError> {
    let target = parse_target(text)?;
    let unit: String = fold_vi(unit)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Ok(match unit.as_str() {
        "%" => match target {
            Target::Exact { value } => Target::Percent { value },
            Target::Range { min, max } => Target::PercentRange { min, max },
            Target::AtLeast { value, strict } => Target::PercentAtLeast { value, strict },
            Target::AtMost { value, strict } => Target::PercentAtMost { value, strict },
            other => other,
        },
        "%/nam" => match target {
            Target::Exact { value }
            | Target::Percent { value }
            | Target::AtLeast { value, .. }
            | Target::PercentAtLeast { value, .. } => Target::Growth {
                min_pct: value,
                max_pct: None,
                per_year: true,
                base_year: None,
            },
            Target::Range { min, max } | Target::PercentRange { min, max } => Target::Growth {
                min_pct: min,
                max_pct: Some(max),
                per_year: true,
                base_year: None,
            },
            other => other,
        },
        "lan" => match target {
            Target::Exact { value } | Target::AtLeast { value, .. } => Target::Multiple {
                min: value,
                max: None,
                base_year: None,
            },
            Target::Range { min, max } => Target::Multiple {
                min,
                max: Some(max),
                base_year: None,
            },
            other => other,
        },
        _ => target,
    })
}

// ---------------------------------------------------------------------------
// Display
// ---------------------------------------------------------------------------

fn num(v: f64) -> String {
    format_decimal_trim(v, DISPLAY_DECIMALS)
}

fn span(min: f64, max: Option<f64>) -> String {
    match max {
        Some(max) => format!("{}-{}", num(min), num(max)),
        None => num(min),
    }
}

fn base_year_suffix(base_year: Option<i32>) -> String {
    base_year.map_or_else(String::new, |y| format!(" so với năm {y}"))
}

/// Writes a target the way officials write it back: "473", "10-12",
/// "trên 7.000", "ít nhất 11", "dưới 5", "không quá 10", "80 %", "70-80 %",
/// "trên 70 %", "tăng 12-15 %/năm", "tăng 20 % so với năm 2017",
/// "1-1,5 lần so với năm 2020".
///
/// Numbers use Vietnamese notation with up to 3 decimals. For non-negative
/// values [`parse_target`] reads the text back to the same target.
pub fn display_target(t: &Target) -> String {
    let floor = |strict: bool| if strict { "trên" } else { "ít nhất" };
    let cap = |strict: bool| if strict { "dưới" } else { "không quá" };
    match *t {
        Target::Exact { value } => num(value),
        Target::Range { min, max } => span(min, Some(max)),
        Target::AtLeast { value, strict } => format!("{} {}", floor(strict), num(value)),
        Target::AtMost { value, strict } => format!("{} {}", cap(strict), num(value)),
        Target::Percent { value } => format!("{} %", num(value)),
        Target::PercentRange { min, max } => format!("{} %", span(min, Some(max))),
        Target::PercentAtLeast { value, strict } => {
            format!("{} {} %", floor(strict), num(value))
        }
        Target::PercentAtMost { value, strict } => format!("{} {} %", cap(strict), num(value)),
        Target::Growth {
            min_pct,
            max_pct,
            per_year,
            base_year,
        } => format!(
            "tăng {} %{}{}",
            span(min_pct, max_pct),
            if per_year { "/năm" } else { "" },
            base_year_suffix(base_year)
        ),
        Target::Multiple {
            min,
            max,
            base_year,
        } => format!("{} lần{}", span(min, max), base_year_suffix(base_year)),
    }
}

// ---------------------------------------------------------------------------
// Achievement
// ---------------------------------------------------------------------------

/// Status of a rate in %, rounded to 0,1 first: < 100 Below, = 100
/// Achieved, > 100 Exceeded.
fn status_of_rate(rate: f64) -> Status {
    let r = round_pct(rate, 1);
    if r < 100.0 {
        Status::Below
    } else if r > 100.0 {
        Status::Exceeded
    } else {
        Status::Achieved
    }
}

/// Higher is better: `actual` against a floor. `strict` requires
/// `actual > floor`; reaching it exactly is then Below.
fn meet_floor(actual: f64, floor: f64, strict: bool) -> (Option<f64>, Status) {
    let rate = if floor > 0.0 {
        ratio_percent(actual, floor)
    } else {
        None
    };
    let status = match rate {
        _ if strict && actual <= floor => Status::Below,
        Some(rate) => match status_of_rate(rate) {
            // Strictly above the floor but within rounding of it.
            Status::Below if strict => Status::Achieved,
            s => s,
        },
        None if actual < floor => Status::Below,
        None if actual > floor => Status::Exceeded,
        None => Status::Achieved,
    };
    (rate, status)
}

/// Lower is better: `actual` against a cap; the rate is `cap / actual`.
/// `strict` requires `actual < cap`.
fn meet_cap(actual: f64, cap: f64, strict: bool) -> (Option<f64>, Status) {
    let rate = if cap > 0.0 && actual > 0.0 {
        ratio_percent(cap, actual)
    } else {
        None
    };
    let status = match rate {
        _ if strict && actual >= cap => Status::Below,
        Some(rate) => match status_of_rate(rate) {
            Status::Below if strict => Status::Achieved,
            s => s,
        },
        None if actual > cap => Status::Below,
        None if actual < cap => Status::Exceeded,
        None => Status::Achieved,
    };
    (rate, status)
}

/// Higher is better, between `min` and an optional `max`: rated against
/// `min`; Exceeded only above `max` (or above `min` when there is no max).
fn meet_range(value: f64, min: f64, max: Option<f64>) -> (Option<f64>, Status) {
    let (rate, status) = meet_floor(value, min, false);
    let Some(max) = max else {
        return (rate, status);
    };
    let status = match status {
        Status::Below => Status::Below,
        _ if meet_floor(value, max, false).1 == Status::Exceeded => Status::Exceeded,
        _ => Status::Achieved,
    };
    (rate, status)
}

/// Lower is better, between `min` and `max`: rated against the cap `max`;
/// Exceeded only below `min`.
fn meet_range_lower(value: f64, min: f64, max: f64) -> (Option<f64>, Status) {
    let (rate, status) = meet_cap(value, max, false);
    let status = match status {
        Status::Below => Status::Below,
        _ if meet_cap(value, min, false).1 == Status::Exceeded => Status::Exceeded,
        _ => Status::Achieved,
    };
    (rate, status)
}

/// Growth of `actual` over `baseline`, in %: `(actual − baseline) /
/// baseline × 100`, or with `years` the compound annual rate
/// `((actual / baseline)^(1/years) − 1) × 100`.
///
/// `None` when the baseline is not positive, a value is not finite or
/// negative, or `years` is `Some(0)`. Example: 200 → 400 million USD over
/// 5 years is 14,87 %/năm.
pub fn growth_rate(actual: f64, baseline: f64, years: Option<u32>) -> Option<f64> {
    if !actual.is_finite() || !baseline.is_finite() || baseline <= 0.0 || actual < 0.0 {
        return None;
    }
    let pct = match years {
        None | Some(1) => (actual - baseline) * 100.0 / baseline,
        Some(0) => return None,
        Some(n) => ((actual / baseline).powf(1.0 / f64::from(n)) - 1.0) * 100.0,
    };
    pct.is_finite().then_some(pct)
}

/// Compares a result with its target.
///
/// - `actual` is the result in the target's unit (a share in % for the
///   percent forms); `None` (or NaN) gives [`Status::NoData`].
/// - `baseline` is the base-year value, needed by [`Target::Growth`] and
///   [`Target::Multiple`]; `years` is the number of years for a per-year
///   growth. Without them those targets give [`Status::NoData`].
/// - `direction` applies to [`Target::Exact`], [`Target::Range`],
///   [`Target::Percent`] and [`Target::PercentRange`]. Floors are always
///   higher-is-better, caps lower-is-better, growths and multiples
///   higher-is-better (a reduction target is a cap on the level).
///
/// Rates (see the module documentation):
///
/// - exact, floor, percent: `actual / target × 100` ("17.800 / 25.000 →
///   71,2 %", Below; "187 / 100 → 187 %", Exceeded). A strict floor
///   ("trên 7.000") is only met by a larger result: 7.000 itself is Below;
/// - range: rated against the lower bound, Achieved inside the range,
///   Exceeded above the upper bound;
/// - lower-is-better and caps: `target / actual × 100`, Achieved when
///   `actual` equals the target, Exceeded when strictly better; a strict cap
///   ("dưới 5 %") is not met by 5 itself. For a lower-is-better range the
///   upper bound is the cap and only a result below the lower bound is
///   Exceeded;
/// - growth: the measured growth ([`growth_rate`], compound when
///   `per_year`) divided by the minimum growth × 100; Achieved within
///   `min_pct..=max_pct`, Exceeded above `max_pct` (above `min_pct` when
///   there is no max). A growth target of 0 % has no rate;
/// - multiple: `actual / baseline` against `min..=max` the same way; the
///   rate is that ratio divided by `min` × 100.
///
/// The returned `percent` is unrounded; statuses compare rates rounded to
/// 0,1 with 100, so 99,96 % counts as Achieved.
pub fn achievement(
    target: &Target,
    actual: Option<f64>,
    baseline: Option<f64>,
    years: Option<u32>,
    direction: Direction,
) -> Achievement {
    let target_text = display_target(target);
    let no_data = |target_text| Achievement {
        percent: None,
        status: Status::NoData,
        target_text,
    };
    let Some(actual) = actual.filter(|a| a.is_finite()) else {
        return no_data(target_text);
    };
    let lower = direction == Direction::LowerIsBetter;
    let (percent, status) = match *target {
        Target::Exact { value } | Target::Percent { value } => {
            if lower {
                meet_cap(actual, value, false)
            } else {
                meet_floor(actual, value, false)
            }
        }
        Target::Range { min, max } | Target::PercentRange { min, max } => {
            if lower {
                meet_range_lower(actual, min, max)
            } else {
                meet_range(actual, min, Some(max))
            }
        }
        Target::AtLeast { value, strict } | Target::PercentAtLeast { value, strict } => {
            meet_floor(actual, value, strict)
        }
        Target::AtMost { value, strict } | Target::PercentAtMost { value, strict } => {
            meet_cap(actual, value, strict)
        }
        Target::Growth {
            min_pct,
            max_pct,
            per_year,
            ..
        } => {
            let years = match (per_year, years) {
                (false, _) => None,
                (true, Some(n)) => Some(n),
                (true, None) => return no_data(target_text),
            };
            let growth = baseline.and_then(|b| growth_rate(actual, b, years));
            match growth {
                Some(g) => meet_range(g, min_pct, max_pct),
                None => return no_data(target_text),
            }
        }
        Target::Multiple { min, max, .. } => {
            let ratio = baseline
                .filter(|b| b.is_finite() && *b > 0.0)
                .map(|b| actual / b)
                .filter(|r| r.is_finite());
            match ratio {
                Some(r) => meet_range(r, min, max),
                None => return no_data(target_text),
            }
        }
    };
    Achievement {
        percent,
        status,
        target_text,
    }
}

// ---------------------------------------------------------------------------
// Splits
// ---------------------------------------------------------------------------

/// Checks that `parts` add up to `total` within `tolerance` (its absolute
/// value): "khoảng 24.000 người (nghề nông nghiệp 13.265 người, nghề phi
/// nông nghiệp 10.735 người)" passes with tolerance 0.
///
/// Besides `tolerance`, a slack of a few units in the last place of the
/// magnitudes involved absorbs binary rounding (0,1 + 0,2 = 0,3 passes with
/// tolerance 0). Errors: [`SplitError::Mismatch`] with `difference = total −
/// sum` (positive when the parts fall short), or [`SplitError::NotFinite`].
pub fn check_split(total: f64, parts: &[f64], tolerance: f64) -> Result<(), SplitError> {
    if !total.is_finite() || !tolerance.is_finite() || parts.iter().any(|p| !p.is_finite()) {
        return Err(SplitError::NotFinite);
    }
    let sum: f64 = parts.iter().sum();
    if !sum.is_finite() {
        return Err(SplitError::NotFinite);
    }
    let difference = total - sum;
    let magnitude = total.abs() + parts.iter().map(|p| p.abs()).sum::<f64>();
    let slack = 8.0 * f64::EPSILON * magnitude;
    if difference.abs() <= tolerance.abs() + slack {
        Ok(())
    } else {
        Err(SplitError::Mismatch {
            total,
            sum,
            difference,
        })
    }
}

/// Splits a programme target into `periods` equal annual targets.
///
/// With `integral`, the total is rounded to a whole number (half away from
/// zero) and the parts are whole numbers that sum exactly to it, the
/// remainder going one unit each to the first periods: 473 over 5 →
/// 95, 95, 95, 94, 94. Without it every part is `total / periods`
/// (163.400.000.000 đồng over 5 years → 32.680.000.000 each).
///
/// `periods == 0` gives an empty vector. A total that is not finite, or too
/// large for every whole number to be exact in f64 (2^53 and beyond), is
/// divided evenly even when `integral` is set.
pub fn even_split(total: f64, periods: u32, integral: bool) -> Vec<f64> {
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    if periods == 0 {
        return Vec::new();
    }
    let n = usize::try_from(periods).unwrap_or(usize::MAX);
    let rounded = total.round();
    if !integral || !total.is_finite() || rounded.abs() >= EXACT_LIMIT {
        return vec![total / f64::from(periods); n];
    }
    // |rounded| < 2^53, so the conversion is exact.
    let whole = rounded as i64;
    let p = i64::from(periods);
    let base = whole.div_euclid(p);
    let remainder = whole.rem_euclid(p);
    (0..p)
        .map(|i| (base + i64::from(i < remainder)) as f64)
        .collect()
}

// ---------------------------------------------------------------------------
// The life of a programme
// ---------------------------------------------------------------------------

/// A programme or plan moves draft → approved → active → closed, one step at
/// a time; an approved plan may go back to draft (to correct it before it
/// starts). Stored as its [`ProgramStatus::as_str`] text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgramStatus {
    Draft,
    Approved,
    Active,
    Closed,
}

impl ProgramStatus {
    pub const ALL: [ProgramStatus; 4] = [
        ProgramStatus::Draft,
        ProgramStatus::Approved,
        ProgramStatus::Active,
        ProgramStatus::Closed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ProgramStatus::Draft => "draft",
            ProgramStatus::Approved => "approved",
            ProgramStatus::Active => "active",
            ProgramStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<ProgramStatus> {
        ProgramStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl std::str::FromStr for ProgramStatus {
    type Err = crate::workflow::UnknownText;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProgramStatus::parse(s)
            .ok_or_else(|| crate::workflow::UnknownText::new("programme status", s))
    }
}

impl std::fmt::Display for ProgramStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status change the rules do not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("a programme cannot move from {} to {}", .from.as_str(), .to.as_str())]
pub struct StatusRefusal {
    pub from: ProgramStatus,
    pub to: ProgramStatus,
}

/// Move a programme from `from` to `to`, or say why not.
pub fn program_transition(
    from: ProgramStatus,
    to: ProgramStatus,
) -> Result<ProgramStatus, StatusRefusal> {
    use ProgramStatus as P;
    match (from, to) {
        (P::Draft, P::Approved)
        | (P::Approved, P::Active)
        | (P::Active, P::Closed)
        | (P::Approved, P::Draft) => Ok(to),
        _ => Err(StatusRefusal { from, to }),
    }
}

crate::workflow::stored_text_enum! {
    /// The status of a task of a plan. Any may follow any (officials record
    /// what happened), so there is no transition function: a given text is
    /// parsed at the edge and stored as is.
    pub enum TaskStatus ("task status") {
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
        Cancelled => "cancelled",
    }
}

impl TaskStatus {
    /// Still to do: open or in progress.
    pub fn is_pending(self) -> bool {
        matches!(self, TaskStatus::Open | TaskStatus::InProgress)
    }
}

/// The statuses of a task of a plan, as stored, in order.
pub const TASK_STATUSES: [&str; 4] = [
    TaskStatus::Open.as_str(),
    TaskStatus::InProgress.as_str(),
    TaskStatus::Done.as_str(),
    TaskStatus::Cancelled.as_str(),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vnfmt::{format_percent, parse_money_dong};
    use unicode_normalization::UnicodeNormalization;

    use Direction::{HigherIsBetter, LowerIsBetter};

    fn parse(s: &str) -> Target {
        match parse_target(s) {
            Ok(t) => t,
            Err(e) => panic!("{s:?} did not parse: {e}"),
        }
    }

    fn rate(a: &Achievement, places: u32) -> f64 {
        match a.percent {
            Some(p) => round_pct(p, places),
            None => panic!("no rate in {a:?}"),
        }
    }

    fn exact(value: f64) -> Target {
        Target::Exact { value }
    }

    fn higher(t: &Target, actual: f64) -> Achievement {
        achievement(t, Some(actual), None, None, HigherIsBetter)
    }

    /// The plans consistent with a rate stated to `places` decimals: every
    /// plan whose exact rate rounds to `stated`, as the interval
    /// (low, high] = (actual / (stated + h), actual / (stated − h)] with
    /// h half a unit of the last written digit.
    fn implied_plan_interval(actual: f64, stated: f64, places: i32) -> (f64, f64) {
        let half = 0.5 * 10f64.powi(-places);
        (
            actual * 100.0 / (stated + half),
            actual * 100.0 / (stated - half),
        )
    }

    /// Reproduces a rate of the 2011-2015 Hà Nội khuyến công evaluation from a result and a plan: checks the
    /// plan lies in the interval the stated rate implies, then that
    /// `achievement` rounds to exactly the stated rate.
    fn reproduce(actual: f64, plan: f64, stated: f64, places: u32, status: Status) {
        let (low, high) = implied_plan_interval(actual, stated, places as i32);
        assert!(
            low < plan && plan <= high,
            "plan {plan} outside ({low}, {high}] implied by {actual} at {stated} %"
        );
        let a = higher(&exact(plan), actual);
        assert_eq!(rate(&a, places), stated, "{actual} of {plan}");
        assert_eq!(a.status, status, "{actual} of {plan}");
    }

    // ---- round_pct ----

    #[test]
    fn round_pct_half_away_from_zero_on_written_digits() {
        assert_eq!(round_pct(71.2, 1), 71.2);
        assert_eq!(round_pct(95.529_069_767_441_86, 2), 95.53);
        assert_eq!(round_pct(94.492_118_556_387_3, 1), 94.5);
        assert_eq!(round_pct(31.666_666_666_666_67, 2), 31.67);
        // Halves go away from zero even where binary rounding would not.
        assert_eq!(round_pct(31.665, 2), 31.67);
        assert_eq!(round_pct(2.675, 2), 2.68);
        assert_eq!(round_pct(0.05, 1), 0.1);
        assert_eq!(round_pct(-0.05, 1), -0.1);
        assert_eq!(round_pct(-31.665, 2), -31.67);
        assert_eq!(round_pct(99.95, 1), 100.0);
        assert_eq!(round_pct(187.0, 1), 187.0);
        assert_eq!(round_pct(12_345.678, 0), 12_346.0);
        assert_eq!(round_pct(0.0, 2), 0.0);
        assert_eq!(round_pct(-0.001, 1), 0.0);
        assert!(round_pct(f64::NAN, 1).is_nan());
        assert_eq!(round_pct(f64::INFINITY, 1), f64::INFINITY);
        assert_eq!(round_pct(1.0 / 3.0, u32::MAX), 1.0 / 3.0);
    }

    // ---- evaluation of the 2011-2015 khuyến công programme ----

    /// "Tổ chức 473 lớp truyền nghề, nhân cấy nghề cho 17.800 lao động nông
    /// thôn (đạt 71,2% kế hoạch)". The document gives no plan: the implied
    /// plan is 17.800 / 71,2 % = 25.000 lao động.
    #[test]
    fn seed001_truyen_nghe_17800_of_25000_is_71_2() {
        assert_eq!(17_800.0 * 100.0 / 71.2, 25_000.0);
        reproduce(17_800.0, 25_000.0, 71.2, 1, Status::Below);
        let a = higher(&parse("25.000 lao động"), 17_800.0);
        assert_eq!(a.percent, Some(71.2));
        assert_eq!(format_percent(rate(&a, 1), 1), "71,2 %");
        assert_eq!(a.target_text, "25.000");
    }

    /// "35 lớp tập huấn … cho 3.000 lượt cán bộ … (đạt 41,1% kế hoạch)".
    /// Implied plan = 3.000 / 41,1 % ≈ 7.299,3; every plan in
    /// (7.290,4; 7.308,2] rounds to 41,1 %, and 7.300 lượt is the round one.
    #[test]
    fn seed001_nang_luc_quan_ly_3000_luot_is_41_1() {
        reproduce(3_000.0, 7_300.0, 41.1, 1, Status::Below);
    }

    /// "18 lớp tập huấn … cho 1.800 lượt cán bộ … (đạt 94,7% kế hoạch)".
    /// Implied plan = 1.800 / 94,7 % ≈ 1.900,7, i.e. 1.900 lượt (the same
    /// rate as 18 of 19 classes).
    #[test]
    fn seed001_tap_huan_chinh_sach_1800_luot_is_94_7() {
        reproduce(1_800.0, 1_900.0, 94.7, 1, Status::Below);
        reproduce(18.0, 19.0, 94.7, 1, Status::Below);
    }

    /// "Tổ chức 04 hội thảo … chỉ đạt 40% kế hoạch": implied plan 4 / 40 % = 10.
    #[test]
    fn seed001_hoi_thao_4_is_40() {
        reproduce(4.0, 10.0, 40.0, 0, Status::Below);
    }

    /// "Hỗ trợ 02 mô hình trình diễn … (đạt 20% kế hoạch)": plan 2 / 20 % = 10.
    #[test]
    fn seed001_mo_hinh_trinh_dien_2_is_20() {
        reproduce(2.0, 10.0, 20.0, 0, Status::Below);
    }

    /// "Hỗ trợ 38 dự án đầu tư đổi mới thiết bị … (đạt 31,67% kế hoạch)":
    /// implied plan 38 / 31,67 % ≈ 119,99, i.e. 120 dự án (two decimals as
    /// written).
    #[test]
    fn seed001_du_an_thiet_bi_38_is_31_67() {
        reproduce(38.0, 120.0, 31.67, 2, Status::Below);
        let a = higher(&exact(120.0), 38.0);
        assert_eq!(format_percent(rate(&a, 2), 2), "31,67 %");
    }

    /// "Tổ chức 05 hội chợ xuất khẩu chuyên ngành thủ công mỹ nghệ (đạt 100%
    /// kế hoạch)": plan 5.
    #[test]
    fn seed001_hoi_cho_5_is_100() {
        reproduce(5.0, 5.0, 100.0, 0, Status::Achieved);
        assert_eq!(higher(&parse("05 hội chợ"), 5.0).percent, Some(100.0));
    }

    /// "Hỗ trợ 187 lượt doanh nghiệp … (đạt 187% kế hoạch)": plan 100 lượt.
    #[test]
    fn seed001_hoi_cho_nuoc_ngoai_187_luot_is_187() {
        reproduce(187.0, 100.0, 187.0, 0, Status::Exceeded);
    }

    /// "Hỗ trợ 39 lượt doanh nghiệp … thiết kế mẫu sản phẩm mới (đạt 130% kế
    /// hoạch)": plan 39 / 130 % = 30 lượt.
    #[test]
    fn seed001_thiet_ke_mau_39_luot_is_130() {
        reproduce(39.0, 30.0, 130.0, 0, Status::Exceeded);
    }

    /// "Tổ chức 01 cuộc bình chọn … và 4 cuộc thi thiết kế mẫu … (đạt 100% kế
    /// hoạch)": 1 + 4 = 5 events of a plan of 5.
    #[test]
    fn seed001_binh_chon_va_cuoc_thi_5_is_100() {
        assert_eq!(check_split(5.0, &[1.0, 4.0], 0.0), Ok(()));
        reproduce(1.0 + 4.0, 5.0, 100.0, 0, Status::Achieved);
    }

    /// "giao dự toán ngân sách … 82,155 tỷ đồng, đạt 95,53% kế hoạch …
    /// so với tổng kinh phí ngân sách Thành phố dự kiến 86 tỷ đồng".
    #[test]
    fn seed001_du_toan_82_155_ty_of_86_ty_is_95_53() {
        let allocated = parse_money_dong("82,155 tỷ đồng").map(|d| d as f64);
        let planned = parse_money_dong("86 tỷ đồng").map(|d| d as f64);
        let (Ok(allocated), Ok(planned)) = (allocated, planned) else {
            panic!("amounts did not parse");
        };
        let a = higher(&exact(planned), allocated);
        assert_eq!(rate(&a, 2), 95.53);
        assert_eq!(a.status, Status::Below);
        assert_eq!(format_percent(rate(&a, 2), 2), "95,53 %");
    }

    /// "giải ngân 77,63 tỷ đồng, đạt 94,5% kế hoạch": the rate is of the
    /// allocation 82,155 tỷ (77,63 / 82,155 = 94,49 %), not of the 86 tỷ the
    /// sentence goes on to name (77,63 / 86 would be 90,27 %).
    #[test]
    fn seed001_giai_ngan_77_63_ty_of_82_155_ty_is_94_5() {
        let a = higher(&exact(82.155), 77.63);
        assert_eq!(rate(&a, 1), 94.5);
        assert_eq!(a.status, Status::Below);
        assert_eq!(rate(&higher(&exact(86.0), 77.63), 2), 90.27);
    }

    /// Not a stated rate, but a stated plan/actual pair: "Thu nhập bình quân
    /// đạt 2 triệu đồng/người/tháng (mục tiêu Chương trình đề ra là 1,8 triệu
    /// đồng/người/tháng)" → 111,1 %, exceeded.
    #[test]
    fn seed001_thu_nhap_2_trieu_of_1_8_trieu_exceeded() {
        let a = higher(&parse("1,8 triệu đồng/người/tháng"), 2.0);
        assert_eq!(rate(&a, 1), 111.1);
        assert_eq!(a.status, Status::Exceeded);
    }

    // ---- parse_target: seed wordings ----

    #[test]
    fn parses_exact_targets() {
        // Seed 001, 3.1: "Hỗ trợ tổ chức 600 lớp … cho 21.000 lao động".
        assert_eq!(parse("600 lớp"), exact(600.0));
        assert_eq!(parse("21.000 lao động nông thôn"), exact(21_000.0));
        assert_eq!(parse("473 lớp"), exact(473.0));
        assert_eq!(parse("25.000 lao động"), exact(25_000.0));
        // Seed 001, 3.4: "Tổ chức 05 hội chợ quốc tế".
        assert_eq!(parse("05 hội chợ"), exact(5.0));
        // Seed 000: "cho khoảng 24.000 lao động", "khoảng 1.500 lượt".
        assert_eq!(parse("khoảng 24.000 lao động"), exact(24_000.0));
        assert_eq!(parse("khoảng 1.500 lượt"), exact(1_500.0));
        assert_eq!(parse("~24.000"), exact(24_000.0));
        assert_eq!(parse("xấp xỉ 24.000"), exact(24_000.0));
        // Seed 001, 4: "dự kiến 163.400.000.000 đồng".
        assert_eq!(parse("163.400.000.000 đồng"), exact(163_400_000_000.0));
        assert_eq!(parse("1,5"), exact(1.5));
        // Sentence punctuation after the number is not part of it.
        assert_eq!(parse("14 cơ sở."), exact(14.0));
    }

    #[test]
    fn parses_ranges() {
        // Seed 000: "Hỗ trợ khoảng 10-12 làng nghề xây dựng … thương hiệu".
        assert_eq!(
            parse("khoảng 10-12 làng nghề"),
            Target::Range {
                min: 10.0,
                max: 12.0
            }
        );
        assert_eq!(
            parse("10-12 làng"),
            Target::Range {
                min: 10.0,
                max: 12.0
            }
        );
        // Seed 001, 3.4: "80-100 lượt doanh nghiệp", "150-200 lượt".
        assert_eq!(
            parse("80-100 lượt doanh nghiệp"),
            Target::Range {
                min: 80.0,
                max: 100.0
            }
        );
        assert_eq!(
            parse("150-200 lượt"),
            Target::Range {
                min: 150.0,
                max: 200.0
            }
        );
        // Seed 001, 2.2: "tạo việc làm cho khoảng 60.000-75.000 lao động".
        assert_eq!(
            parse("khoảng 60.000-75.000 lao động nông thôn"),
            Target::Range {
                min: 60_000.0,
                max: 75_000.0
            }
        );
        // Seed 000: "phát triển 01-02 sản phẩm du lịch đặc thù".
        assert_eq!(
            parse("01-02 sản phẩm"),
            Target::Range { min: 1.0, max: 2.0 }
        );
        // Seed 001, 1.5: "từ 02 đến 05 mẫu sản phẩm mới".
        assert_eq!(
            parse("từ 02 đến 05 mẫu sản phẩm mới"),
            Target::Range { min: 2.0, max: 5.0 }
        );
        // Spaces and dashes of any kind.
        for s in ["10 - 12", "10 – 12", "10—12", "10 −12", "10 đến 12"] {
            assert_eq!(
                parse(s),
                Target::Range {
                    min: 10.0,
                    max: 12.0
                },
                "{s}"
            );
        }
    }

    #[test]
    fn parses_floors() {
        // Seed 001, 2.2: "Trên 7.000 lượt doanh nghiệp …", "trên 2.500 mẫu",
        // "phấn đấu trên 250 làng thuần nông", "trên 400 triệu USD".
        assert_eq!(
            parse("Trên 7.000 lượt doanh nghiệp, cơ sở CNNT"),
            Target::AtLeast {
                value: 7_000.0,
                strict: true
            }
        );
        assert_eq!(
            parse("trên 2.500 mẫu sản phẩm"),
            Target::AtLeast {
                value: 2_500.0,
                strict: true
            }
        );
        assert_eq!(
            parse("phấn đấu trên 250 làng thuần nông"),
            Target::AtLeast {
                value: 250.0,
                strict: true
            }
        );
        assert_eq!(parse("đạt trên 400 triệu USD"), parse("trên 400 triệu USD"));
        assert_eq!(
            parse("trên 400 triệu USD"),
            Target::AtLeast {
                value: 400.0,
                strict: true
            }
        );
        // Seed 003: "Khôi phục, bảo tồn được ít nhất 11 làng nghề",
        // "Có ít nhất 07 làng nghề", "Có ít nhất 2 làng nghề".
        assert_eq!(
            parse("ít nhất 11 làng nghề"),
            Target::AtLeast {
                value: 11.0,
                strict: false
            }
        );
        assert_eq!(
            parse("được ít nhất 11 làng nghề"),
            Target::AtLeast {
                value: 11.0,
                strict: false
            }
        );
        assert_eq!(
            parse("Có ít nhất 07 làng nghề, nghề truyền thống"),
            Target::AtLeast {
                value: 7.0,
                strict: false
            }
        );
        for (s, v) in [
            ("tối thiểu 5", 5.0),
            ("không dưới 3", 3.0),
            ("không ít hơn 3", 3.0),
            ("≥ 3", 3.0),
            (">= 3", 3.0),
            ("từ 5 lượt", 5.0),
            ("5 làng trở lên", 5.0),
            ("từ 5 làng trở lên", 5.0),
        ] {
            assert_eq!(
                parse(s),
                Target::AtLeast {
                    value: v,
                    strict: false
                },
                "{s}"
            );
        }
        for s in ["hơn 3", "nhiều hơn 3", "> 3"] {
            assert_eq!(
                parse(s),
                Target::AtLeast {
                    value: 3.0,
                    strict: true
                },
                "{s}"
            );
        }
    }

    #[test]
    fn parses_caps() {
        // Seed 001, 3.1-3.2: "thời gian dưới 03 tháng", "lớp tập huấn (dưới 6 ngày)".
        assert_eq!(
            parse("dưới 03 tháng"),
            Target::AtMost {
                value: 3.0,
                strict: true
            }
        );
        assert_eq!(
            parse("dưới 6 ngày"),
            Target::AtMost {
                value: 6.0,
                strict: true
            }
        );
        for s in [
            "không quá 10",
            "tối đa 10",
            "không vượt quá 10 ngày",
            "≤ 10",
            "<= 10",
            "10 ngày trở xuống",
        ] {
            assert_eq!(
                parse(s),
                Target::AtMost {
                    value: 10.0,
                    strict: false
                },
                "{s}"
            );
        }
        assert_eq!(
            parse("ít hơn 10"),
            Target::AtMost {
                value: 10.0,
                strict: true
            }
        );
    }

    #[test]
    fn parses_percent_forms() {
        // Seed 003: "80% người lao động trong làng nghề được đào tạo",
        // "100% cơ sở, hộ gia đình sản xuất … đáp ứng các quy định".
        assert_eq!(parse("80% người lao động"), Target::Percent { value: 80.0 });
        assert_eq!(
            parse("100% cơ sở, hộ gia đình"),
            Target::Percent { value: 100.0 }
        );
        assert_eq!(parse("80 %"), Target::Percent { value: 80.0 });
        assert_eq!(parse("12,5%"), Target::Percent { value: 12.5 });
        assert_eq!(parse("80 ％"), Target::Percent { value: 80.0 });
        // Seed 003: "Trên 70% làng nghề, làng nghề truyền thống hoạt động có hiệu quả".
        assert_eq!(
            parse("Trên 70% làng nghề"),
            Target::PercentAtLeast {
                value: 70.0,
                strict: true
            }
        );
        assert_eq!(
            parse("ít nhất 80 %"),
            Target::PercentAtLeast {
                value: 80.0,
                strict: false
            }
        );
        assert_eq!(
            parse("dưới 5 %"),
            Target::PercentAtMost {
                value: 5.0,
                strict: true
            }
        );
        assert_eq!(
            parse("không quá 10 %"),
            Target::PercentAtMost {
                value: 10.0,
                strict: false
            }
        );
        for s in ["70-80 %", "70 % - 80 %", "70%-80%", "từ 70 đến 80 %"] {
            assert_eq!(
                parse(s),
                Target::PercentRange {
                    min: 70.0,
                    max: 80.0
                },
                "{s}"
            );
        }
        // Seed 001, 2.1: "chiếm từ 25-30% tổng giá trị sản xuất công nghiệp".
        assert_eq!(
            parse("từ 25-30% tổng giá trị"),
            Target::PercentRange {
                min: 25.0,
                max: 30.0
            }
        );
        // A % later in the unit text does not make the target a share.
        assert_eq!(
            parse("17.800 lao động (đạt 71,2% kế hoạch)"),
            exact(17_800.0)
        );
    }

    #[test]
    fn parses_growth() {
        // Seed 001, 2.2: "Kim ngạch xuất khẩu … tăng bình quân 12-15%/năm".
        let g = Target::Growth {
            min_pct: 12.0,
            max_pct: Some(15.0),
            per_year: true,
            base_year: None,
        };
        assert_eq!(parse("tăng bình quân 12-15%/năm"), g);
        assert_eq!(parse("tăng 12-15 %/năm"), g);
        assert_eq!(parse("tăng 12-15 % mỗi năm"), g);
        assert_eq!(parse("tăng 12-15 % bình quân hằng năm"), g);
        assert_eq!(parse("bình quân 12-15 %"), g);
        // Seed 003, Phụ biểu 01 (ĐVT "%/năm"), written with its unit.
        assert_eq!(
            parse("8 - 10 %/năm"),
            Target::Growth {
                min_pct: 8.0,
                max_pct: Some(10.0),
                per_year: true,
                base_year: None
            }
        );
        // Seed 001, 2.1: "… đạt trên 10%/năm", "bình quân từ 5-15%/năm".
        assert_eq!(
            parse("đạt trên 10%/năm"),
            Target::Growth {
                min_pct: 10.0,
                max_pct: None,
                per_year: true,
                base_year: None
            }
        );
        assert_eq!(
            parse("bình quân từ 5-15%/năm"),
            Target::Growth {
                min_pct: 5.0,
                max_pct: Some(15.0),
                per_year: true,
                base_year: None
            }
        );
        assert_eq!(
            parse("tăng 20 % so với năm 2017"),
            Target::Growth {
                min_pct: 20.0,
                max_pct: None,
                per_year: false,
                base_year: Some(2017)
            }
        );
        assert_eq!(
            parse("tăng thêm 20% so với 2017"),
            Target::Growth {
                min_pct: 20.0,
                max_pct: None,
                per_year: false,
                base_year: Some(2017)
            }
        );
    }

    #[test]
    fn parses_multiples() {
        // Seed 003: "Thu nhập bình quân của lao động tăng ít nhất 1-1,5 lần so
        // với năm 2020".
        let m = Target::Multiple {
            min: 1.0,
            max: Some(1.5),
            base_year: Some(2020),
        };
        assert_eq!(parse("tăng ít nhất 1-1,5 lần so với năm 2020"), m);
        assert_eq!(parse("gấp 1-1,5 lần so với năm 2020"), m);
        assert_eq!(parse("1-1,5 lần so với năm 2020"), m);
        assert_eq!(
            parse("1,5 lần"),
            Target::Multiple {
                min: 1.5,
                max: None,
                base_year: None
            }
        );
        assert_eq!(
            parse("gấp 2"),
            Target::Multiple {
                min: 2.0,
                max: None,
                base_year: None
            }
        );
    }

    #[test]
    fn parse_is_tolerant_of_nfd_case_and_spaces() {
        for s in [
            "tăng bình quân 12-15%/năm",
            "Trên 7.000 lượt",
            "ít nhất 1-1,5 lần so với năm 2020",
            "Không quá 10 %",
        ] {
            let nfd: String = s.nfd().collect();
            assert_eq!(parse(&nfd), parse(s), "NFD {s}");
            let upper = s.to_uppercase();
            assert_eq!(parse(&upper), parse(s), "upper {s}");
            let spaced = format!("  {}  ", s.replace(' ', "   "));
            assert_eq!(parse(&spaced), parse(s), "spaced {s}");
        }
        assert_eq!(
            parse("TĂNG  BÌNH QUÂN 12 - 15 % / NĂM"),
            parse("tăng 12-15 %/năm")
        );
        assert_eq!(
            parse("tang 20% so voi nam 2017"),
            parse("tăng 20 % so với năm 2017")
        );
    }

    #[test]
    fn parse_with_unit_column_of_lao_cai_appendix() {
        // Seed 003, Phụ biểu 01: "Tốc độ tăng giá trị SX bình quân các làng
        // nghề | %/năm | 8 - 10%".
        assert_eq!(
            parse_target_with_unit("8 - 10%", "%/năm"),
            Ok(Target::Growth {
                min_pct: 8.0,
                max_pct: Some(10.0),
                per_year: true,
                base_year: None
            })
        );
        // Without the unit the cell alone reads as a share.
        assert_eq!(
            parse("8 - 10%"),
            Target::PercentRange {
                min: 8.0,
                max: 10.0
            }
        );
        // "Thu nhập bình quân của lao động tăng so với năm 2020 | Lần | … | 1,5".
        assert_eq!(
            parse_target_with_unit("1,5", "Lần"),
            Ok(Target::Multiple {
                min: 1.5,
                max: None,
                base_year: None
            })
        );
        assert_eq!(
            parse_target_with_unit("1-1,5", "Lần"),
            Ok(Target::Multiple {
                min: 1.0,
                max: Some(1.5),
                base_year: None
            })
        );
        // "Làng nghề hoạt động có hiệu quả | LN | 80%".
        assert_eq!(
            parse_target_with_unit("80%", "LN"),
            Ok(Target::Percent { value: 80.0 })
        );
        // "… kiến thức công nghệ thông tin cơ bản | % | 80%"; a bare number too.
        assert_eq!(
            parse_target_with_unit("80", "%"),
            Ok(Target::Percent { value: 80.0 })
        );
        assert_eq!(
            parse_target_with_unit("trên 70", " % "),
            Ok(Target::PercentAtLeast {
                value: 70.0,
                strict: true
            })
        );
        // "Đào tạo nghề | Lớp | 6 | 10": the unit changes nothing.
        assert_eq!(parse_target_with_unit("6", "Lớp"), Ok(exact(6.0)));
    }

    #[test]
    fn lao_cai_appendix_multiple_written_with_a_dot_is_rejected() {
        // Seed 003, Phụ biểu 01 row 9 writes "1- 1.5" (and the body "1-1,5"):
        // '.' only groups thousands, so "1.5" is ambiguous and rejected.
        let err = parse_target_with_unit("1- 1.5", "Lần");
        assert!(
            matches!(
                err,
                Err(TargetError::Number(ParseNumberError::Ambiguous(ref s))) if s == "1.5"
            ),
            "{err:?}"
        );
        assert_eq!(
            parse_target_with_unit("1- 1,5", "Lần"),
            Ok(Target::Multiple {
                min: 1.0,
                max: Some(1.5),
                base_year: None
            })
        );
    }

    #[test]
    fn parse_errors() {
        assert_eq!(parse_target(""), Err(TargetError::Empty));
        assert_eq!(parse_target("   "), Err(TargetError::Empty));
        // A whole sentence: the leading verb is not a qualifier.
        assert_eq!(
            parse_target("Hỗ trợ 14 cơ sở sản xuất"),
            Err(TargetError::Unrecognised("Hỗ trợ 14 cơ sở sản xuất".into()))
        );
        // Seed 003, Phụ biểu 01, Sở LĐ-TB&XH: a task with no figure.
        assert!(matches!(
            parse_target("Chỉ đạo các cơ sở giáo dục nghề nghiệp tổ chức tuyên truyền"),
            Err(TargetError::Unrecognised(_))
        ));
        assert!(matches!(
            parse_target("10-"),
            Err(TargetError::Unrecognised(_))
        ));
        assert!(matches!(
            parse_target("-5"),
            Err(TargetError::Unrecognised(_))
        ));
        assert!(matches!(
            parse_target("giảm 10 %"),
            Err(TargetError::Unrecognised(_))
        ));
        assert_eq!(
            parse_target("12-10 làng"),
            Err(TargetError::ReversedRange {
                input: "12-10 làng".into(),
                min: 12.0,
                max: 10.0
            })
        );
        assert!(matches!(
            parse_target("82.15"),
            Err(TargetError::Number(ParseNumberError::Ambiguous(_)))
        ));
        for s in [
            "tăng 500 lao động",
            "không quá 10-12",
            "tăng không quá 5 %",
            "không quá 2 lần",
            "80 % so với năm 2020",
            "trên 5 làng trở xuống",
        ] {
            assert!(
                matches!(parse_target(s), Err(TargetError::Unsupported { .. })),
                "{s}: {:?}",
                parse_target(s)
            );
        }
        assert!(matches!(
            parse_target("tăng 20 % so với năm 17"),
            Err(TargetError::Unrecognised(_))
        ));
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            TargetError::ReversedRange {
                input: "12-10".into(),
                min: 12.0,
                max: 10.0
            }
            .to_string(),
            "range in target \"12-10\" is reversed: 12 is larger than 10"
        );
        assert_eq!(
            SplitError::Mismatch {
                total: 24_000.0,
                sum: 23_900.0,
                difference: 100.0
            }
            .to_string(),
            "the parts add up to 23.900, not to the total 24.000 (difference 100)"
        );
        assert!(TargetError::Unrecognised("x".into())
            .to_string()
            .contains("trên 7.000"));
    }

    // ---- display_target ----

    #[test]
    fn display_wordings() {
        let cases = [
            (exact(25_000.0), "25.000"),
            (exact(1.5), "1,5"),
            (
                Target::Range {
                    min: 10.0,
                    max: 12.0,
                },
                "10-12",
            ),
            (
                Target::Range {
                    min: 60_000.0,
                    max: 75_000.0,
                },
                "60.000-75.000",
            ),
            (
                Target::AtLeast {
                    value: 7_000.0,
                    strict: true,
                },
                "trên 7.000",
            ),
            (
                Target::AtLeast {
                    value: 11.0,
                    strict: false,
                },
                "ít nhất 11",
            ),
            (
                Target::AtMost {
                    value: 3.0,
                    strict: true,
                },
                "dưới 3",
            ),
            (
                Target::AtMost {
                    value: 10.0,
                    strict: false,
                },
                "không quá 10",
            ),
            (Target::Percent { value: 80.0 }, "80 %"),
            (
                Target::PercentRange {
                    min: 70.0,
                    max: 80.0,
                },
                "70-80 %",
            ),
            (
                Target::PercentAtLeast {
                    value: 70.0,
                    strict: true,
                },
                "trên 70 %",
            ),
            (
                Target::PercentAtMost {
                    value: 5.0,
                    strict: true,
                },
                "dưới 5 %",
            ),
            (
                Target::Growth {
                    min_pct: 12.0,
                    max_pct: Some(15.0),
                    per_year: true,
                    base_year: None,
                },
                "tăng 12-15 %/năm",
            ),
            (
                Target::Growth {
                    min_pct: 20.0,
                    max_pct: None,
                    per_year: false,
                    base_year: Some(2017),
                },
                "tăng 20 % so với năm 2017",
            ),
            (
                Target::Multiple {
                    min: 1.0,
                    max: Some(1.5),
                    base_year: None,
                },
                "1-1,5 lần",
            ),
            (
                Target::Multiple {
                    min: 1.0,
                    max: Some(1.5),
                    base_year: Some(2020),
                },
                "1-1,5 lần so với năm 2020",
            ),
        ];
        for (t, text) in cases {
            assert_eq!(display_target(&t), text);
            // And the wording reads back to the same target.
            assert_eq!(parse_target(text), Ok(t), "{text}");
        }
    }

    #[test]
    fn display_then_parse_round_trips_seed_wordings() {
        for s in [
            "khoảng 10-12 làng nghề",
            "Trên 7.000 lượt",
            "tăng bình quân 12-15%/năm",
            "tăng ít nhất 1-1,5 lần so với năm 2020",
            "dưới 03 tháng",
            "Trên 70% làng nghề",
            "100% cơ sở",
            "khoảng 60.000-75.000 lao động",
            "82,155 tỷ đồng",
        ] {
            let t = parse(s);
            assert_eq!(parse(&display_target(&t)), t, "{s}");
        }
    }

    // ---- achievement ----

    #[test]
    fn exact_target_below_achieved_exceeded() {
        let t = parse("600 lớp");
        let a = higher(&t, 480.0);
        assert_eq!((a.percent, a.status), (Some(80.0), Status::Below));
        assert_eq!(a.target_text, "600");
        assert_eq!(higher(&t, 600.0).status, Status::Achieved);
        assert_eq!(higher(&t, 601.0).status, Status::Exceeded);
        // Within rounding to 0,1 of 100 % counts as achieved …
        let t = exact(25_000.0);
        assert_eq!(higher(&t, 24_990.0).status, Status::Achieved); // 99,96 %
        assert_eq!(higher(&t, 25_010.0).status, Status::Achieved); // 100,04 %

        // … but not beyond.
        assert_eq!(higher(&t, 24_985.0).status, Status::Below); // 99,94 %
        assert_eq!(higher(&t, 25_015.0).status, Status::Exceeded); // 100,06 %
    }

    #[test]
    fn no_data() {
        for t in [
            parse("600 lớp"),
            parse("10-12"),
            parse("trên 7.000"),
            parse("dưới 5 %"),
            parse("tăng 12-15 %/năm"),
            parse("1,5 lần"),
        ] {
            for direction in [HigherIsBetter, LowerIsBetter] {
                let a = achievement(&t, None, Some(100.0), Some(5), direction);
                assert_eq!(a.status, Status::NoData);
                assert_eq!(a.percent, None);
                assert_eq!(a.target_text, display_target(&t));
            }
            let a = achievement(&t, Some(f64::NAN), Some(100.0), Some(5), HigherIsBetter);
            assert_eq!(a.status, Status::NoData);
        }
    }

    #[test]
    fn range_is_rated_against_its_lower_bound() {
        // Seed 000: "Hỗ trợ khoảng 10-12 làng nghề xây dựng và phát triển thương hiệu".
        let t = parse("khoảng 10-12 làng nghề");
        let a = higher(&t, 9.0);
        assert_eq!((a.percent, a.status), (Some(90.0), Status::Below));
        let a = higher(&t, 10.0);
        assert_eq!((a.percent, a.status), (Some(100.0), Status::Achieved));
        let a = higher(&t, 11.0);
        assert_eq!((rate(&a, 1), a.status), (110.0, Status::Achieved));
        let a = higher(&t, 12.0);
        assert_eq!((a.percent, a.status), (Some(120.0), Status::Achieved));
        let a = higher(&t, 13.0);
        assert_eq!((a.percent, a.status), (Some(130.0), Status::Exceeded));
        assert_eq!(a.target_text, "10-12");
        // Seed 001: "khoảng 60.000-75.000 lao động": 50.000 is 83,3 % of the floor.
        let a = higher(&parse("khoảng 60.000-75.000 lao động"), 50_000.0);
        assert_eq!((rate(&a, 1), a.status), (83.3, Status::Below));
    }

    #[test]
    fn at_least_strict_and_non_strict() {
        // Seed 001: "Trên 7.000 lượt doanh nghiệp, cơ sở CNNT … được hỗ trợ".
        let t = parse("Trên 7.000 lượt");
        let a = higher(&t, 7_000.0);
        assert_eq!((a.percent, a.status), (Some(100.0), Status::Below));
        assert_eq!(higher(&t, 7_001.0).status, Status::Achieved);
        let a = higher(&t, 7_350.0);
        assert_eq!((a.percent, a.status), (Some(105.0), Status::Exceeded));
        let a = higher(&t, 5_000.0);
        assert_eq!((rate(&a, 1), a.status), (71.4, Status::Below));
        // Seed 003: "ít nhất 11 làng nghề".
        let t = parse("ít nhất 11 làng nghề");
        assert_eq!(higher(&t, 11.0).status, Status::Achieved);
        assert_eq!(higher(&t, 10.0).status, Status::Below);
        assert_eq!(higher(&t, 12.0).status, Status::Exceeded);
        // The direction argument does not turn a floor around.
        let a = achievement(&t, Some(12.0), None, None, LowerIsBetter);
        assert_eq!(a.status, Status::Exceeded);
    }

    #[test]
    fn caps_are_lower_is_better() {
        // Seed 001: classes "thời gian dưới 03 tháng".
        let t = parse("dưới 03 tháng");
        let a = higher(&t, 2.5);
        assert_eq!((a.percent, a.status), (Some(120.0), Status::Exceeded));
        let a = higher(&t, 3.0);
        assert_eq!((a.percent, a.status), (Some(100.0), Status::Below));
        let a = higher(&t, 4.0);
        assert_eq!((a.percent, a.status), (Some(75.0), Status::Below));
        let t = parse("không quá 10 ngày");
        assert_eq!(higher(&t, 10.0).status, Status::Achieved);
        assert_eq!(higher(&t, 8.0).status, Status::Exceeded);
        assert_eq!(higher(&t, 12.5).percent, Some(80.0));
        // A share cap: "dưới 5 %" of establishments polluting.
        let t = parse("dưới 5 %");
        let a = higher(&t, 4.0);
        assert_eq!((a.percent, a.status), (Some(125.0), Status::Exceeded));
        assert_eq!(higher(&t, 5.0).status, Status::Below);
        assert_eq!(higher(&t, 6.0).status, Status::Below);
        // A result of 0 under a positive cap: best possible, no rate.
        let a = higher(&t, 0.0);
        assert_eq!((a.percent, a.status), (None, Status::Exceeded));
    }

    #[test]
    fn exact_and_range_lower_is_better() {
        let t = exact(20.0); // e.g. processing days
        let a = achievement(&t, Some(25.0), None, None, LowerIsBetter);
        assert_eq!((a.percent, a.status), (Some(80.0), Status::Below));
        let a = achievement(&t, Some(20.0), None, None, LowerIsBetter);
        assert_eq!((a.percent, a.status), (Some(100.0), Status::Achieved));
        let a = achievement(&t, Some(16.0), None, None, LowerIsBetter);
        assert_eq!((a.percent, a.status), (Some(125.0), Status::Exceeded));
        let t = parse("3-5 %");
        let lower = |x| achievement(&t, Some(x), None, None, LowerIsBetter);
        assert_eq!(lower(6.0).status, Status::Below);
        assert_eq!(lower(5.0).status, Status::Achieved);
        assert_eq!(lower(4.0).status, Status::Achieved);
        assert_eq!(lower(3.0).status, Status::Achieved);
        assert_eq!(lower(2.0).status, Status::Exceeded);
        assert_eq!(lower(4.0).percent, Some(125.0)); // rated against the cap 5
    }

    #[test]
    fn percent_targets_compare_shares() {
        // Seed 003: "80% người lao động trong làng nghề được đào tạo".
        let t = parse("80% người lao động");
        let a = higher(&t, 60.0);
        assert_eq!((a.percent, a.status), (Some(75.0), Status::Below));
        assert_eq!(a.target_text, "80 %");
        assert_eq!(higher(&t, 80.0).status, Status::Achieved);
        assert_eq!(higher(&t, 84.0).status, Status::Exceeded);
        // Seed 003: "100% cơ sở … đáp ứng các quy định về bảo vệ môi trường".
        let a = higher(&parse("100% cơ sở"), 92.5);
        assert_eq!((a.percent, a.status), (Some(92.5), Status::Below));
        // Seed 003: "Trên 70% làng nghề … hoạt động có hiệu quả".
        let t = parse("Trên 70% làng nghề");
        assert_eq!(higher(&t, 70.0).status, Status::Below);
        let a = higher(&t, 77.0);
        assert_eq!((rate(&a, 1), a.status), (110.0, Status::Exceeded));
        // A range of shares is rated against its floor.
        let t = parse("từ 25-30%");
        assert_eq!(higher(&t, 20.0).status, Status::Below);
        assert_eq!(higher(&t, 28.0).status, Status::Achieved);
        assert_eq!(higher(&t, 31.0).status, Status::Exceeded);
        assert_eq!(rate(&higher(&t, 28.0), 1), 112.0);
    }

    #[test]
    fn growth_per_year_is_compound() {
        // Seed 001: TCMN exports "trên 200 triệu USD năm 2015", target 2020
        // "tăng bình quân 12-15%/năm, năm 2020 đạt kim ngạch trên 400 triệu USD".
        // 200 → 400 in 5 years is 2^(1/5) − 1 = 14,87 %/năm: inside 12-15.
        let t = parse("tăng bình quân 12-15%/năm");
        let g = growth_rate(400.0, 200.0, Some(5));
        assert_eq!(g.map(|g| round_pct(g, 2)), Some(14.87));
        let a = achievement(&t, Some(400.0), Some(200.0), Some(5), HigherIsBetter);
        assert_eq!((rate(&a, 1), a.status), (123.9, Status::Achieved));
        assert_eq!(a.target_text, "tăng 12-15 %/năm");
        // 200 × 1,12^5 = 352,47: exactly the floor.
        let a = achievement(&t, Some(352.468_3), Some(200.0), Some(5), HigherIsBetter);
        assert_eq!((rate(&a, 1), a.status), (100.0, Status::Achieved));
        // 10 %/năm is below; 20 %/năm beyond the ceiling.
        let a = achievement(&t, Some(322.102), Some(200.0), Some(5), HigherIsBetter);
        assert_eq!((rate(&a, 1), a.status), (83.3, Status::Below));
        let a = achievement(&t, Some(497.664), Some(200.0), Some(5), HigherIsBetter);
        assert_eq!(a.status, Status::Exceeded);
        // Per-year growth needs the number of years and a baseline.
        let a = achievement(&t, Some(400.0), Some(200.0), None, HigherIsBetter);
        assert_eq!((a.percent, a.status), (None, Status::NoData));
        let a = achievement(&t, Some(400.0), None, Some(5), HigherIsBetter);
        assert_eq!(a.status, Status::NoData);
        let a = achievement(&t, Some(400.0), Some(0.0), Some(5), HigherIsBetter);
        assert_eq!(a.status, Status::NoData);
        let a = achievement(&t, Some(400.0), Some(200.0), Some(0), HigherIsBetter);
        assert_eq!(a.status, Status::NoData);
    }

    #[test]
    fn growth_over_base_year_is_simple() {
        let t = parse("tăng 20 % so với năm 2017");
        let a = achievement(&t, Some(120.0), Some(100.0), None, HigherIsBetter);
        assert_eq!((a.percent, a.status), (Some(100.0), Status::Achieved));
        let a = achievement(&t, Some(125.0), Some(100.0), None, HigherIsBetter);
        assert_eq!((a.percent, a.status), (Some(125.0), Status::Exceeded));
        // `years` is ignored when the growth is not per year.
        let a = achievement(&t, Some(110.0), Some(100.0), Some(5), HigherIsBetter);
        assert_eq!((a.percent, a.status), (Some(50.0), Status::Below));
        // A fall is a negative growth and a negative rate.
        let a = achievement(&t, Some(90.0), Some(100.0), None, HigherIsBetter);
        assert_eq!((a.percent, a.status), (Some(-50.0), Status::Below));
        assert_eq!(growth_rate(120.0, 100.0, None), Some(20.0));
        assert_eq!(growth_rate(120.0, 100.0, Some(1)), Some(20.0));
        assert_eq!(growth_rate(-1.0, 100.0, None), None);
        assert_eq!(growth_rate(1.0, f64::NAN, None), None);
    }

    #[test]
    fn multiple_against_baseline() {
        // Seed 003: "Thu nhập bình quân của lao động tăng ít nhất 1-1,5 lần so
        // với năm 2020"; say 3,5 triệu đồng/tháng in 2020.
        let t = parse("tăng ít nhất 1-1,5 lần so với năm 2020");
        let a = achievement(&t, Some(4.2), Some(3.5), None, HigherIsBetter);
        assert_eq!((rate(&a, 1), a.status), (120.0, Status::Achieved));
        assert_eq!(a.target_text, "1-1,5 lần so với năm 2020");
        let a = achievement(&t, Some(3.15), Some(3.5), None, HigherIsBetter);
        assert_eq!((rate(&a, 1), a.status), (90.0, Status::Below));
        let a = achievement(&t, Some(5.25), Some(3.5), None, HigherIsBetter);
        assert_eq!(a.status, Status::Achieved); // exactly 1,5 times
        let a = achievement(&t, Some(6.0), Some(3.5), None, HigherIsBetter);
        assert_eq!(a.status, Status::Exceeded);
        let t = parse("1,5 lần");
        let a = achievement(&t, Some(3.0), Some(2.0), None, HigherIsBetter);
        assert_eq!((a.percent, a.status), (Some(100.0), Status::Achieved));
        let a = achievement(&t, Some(3.0), None, None, HigherIsBetter);
        assert_eq!((a.percent, a.status), (None, Status::NoData));
    }

    #[test]
    fn zero_targets_have_no_rate() {
        let t = exact(0.0);
        let a = higher(&t, 0.0);
        assert_eq!((a.percent, a.status), (None, Status::Achieved));
        let a = higher(&t, 3.0);
        assert_eq!((a.percent, a.status), (None, Status::Exceeded));
        // "0 %" of establishments violating, lower is better.
        let t = Target::Percent { value: 0.0 };
        let a = achievement(&t, Some(0.0), None, None, LowerIsBetter);
        assert_eq!((a.percent, a.status), (None, Status::Achieved));
        let a = achievement(&t, Some(2.0), None, None, LowerIsBetter);
        assert_eq!((a.percent, a.status), (None, Status::Below));
        let t = Target::AtLeast {
            value: 0.0,
            strict: true,
        };
        assert_eq!(higher(&t, 0.0).status, Status::Below);
        assert_eq!(higher(&t, 1.0).status, Status::Exceeded);
        let t = parse("0-2");
        assert_eq!(higher(&t, 1.0).status, Status::Achieved);
        assert_eq!(higher(&t, 1.0).percent, None);
        assert_eq!(higher(&t, 3.0).status, Status::Exceeded);
        let t = Target::Growth {
            min_pct: 0.0,
            max_pct: None,
            per_year: false,
            base_year: None,
        };
        let a = achievement(&t, Some(110.0), Some(100.0), None, HigherIsBetter);
        assert_eq!((a.percent, a.status), (None, Status::Exceeded));
    }

    #[test]
    fn status_labels() {
        assert_eq!(Status::NoData.label_vi(), "chưa có số liệu");
        assert_eq!(Status::Below.label_vi(), "chưa đạt");
        assert_eq!(Status::Achieved.label_vi(), "đạt");
        assert_eq!(Status::Exceeded.label_vi(), "vượt");
    }

    // ---- splits ----

    #[test]
    fn seed000_dao_tao_nghe_24000_split_adds_up() {
        // Seed 000: "đào tạo nghề cho khoảng 24.000 người (nghề nông nghiệp
        // 13.265 người, nghề phi nông nghiệp 10.735 người)".
        assert_eq!(check_split(24_000.0, &[13_265.0, 10_735.0], 0.0), Ok(()));
    }

    #[test]
    fn split_that_does_not_add_up_returns_the_difference() {
        assert_eq!(
            check_split(24_000.0, &[13_265.0, 10_635.0], 0.0),
            Err(SplitError::Mismatch {
                total: 24_000.0,
                sum: 23_900.0,
                difference: 100.0
            })
        );
        assert_eq!(
            check_split(24_000.0, &[13_265.0, 10_835.0], 50.0),
            Err(SplitError::Mismatch {
                total: 24_000.0,
                sum: 24_100.0,
                difference: -100.0
            })
        );
        // Within tolerance (a negative tolerance counts by its size).
        assert_eq!(check_split(24_000.0, &[13_265.0, 10_700.0], 35.0), Ok(()));
        assert_eq!(check_split(24_000.0, &[13_265.0, 10_700.0], -35.0), Ok(()));
        // Decimal parts: binary rounding is absorbed, real gaps are not.
        assert_eq!(check_split(0.3, &[0.1, 0.2], 0.0), Ok(()));
        assert_eq!(check_split(82.155, &[40.0, 42.155], 0.0), Ok(()));
        assert!(check_split(82.155, &[40.0, 42.154], 0.0).is_err());
        assert_eq!(check_split(0.0, &[], 0.0), Ok(()));
        assert!(check_split(5.0, &[], 0.0).is_err());
        assert_eq!(
            check_split(f64::NAN, &[1.0], 0.0),
            Err(SplitError::NotFinite)
        );
        assert_eq!(
            check_split(1.0, &[f64::INFINITY], 0.0),
            Err(SplitError::NotFinite)
        );
        assert_eq!(
            check_split(1.0, &[f64::MAX, f64::MAX], 0.0),
            Err(SplitError::NotFinite)
        );
    }

    #[test]
    fn even_split_of_programme_targets() {
        // Seed 001, 2016-2020: 163.400.000.000 đồng over 5 years.
        assert_eq!(
            even_split(163_400_000_000.0, 5, true),
            vec![32_680_000_000.0; 5]
        );
        // 600 lớp, 21.000 lao động over 5 years.
        assert_eq!(even_split(600.0, 5, true), vec![120.0; 5]);
        assert_eq!(even_split(21_000.0, 5, false), vec![4_200.0; 5]);
        // Remainders go to the first years and the parts sum exactly.
        assert_eq!(
            even_split(473.0, 5, true),
            vec![95.0, 95.0, 95.0, 94.0, 94.0]
        );
        assert_eq!(even_split(50.0, 3, true), vec![17.0, 17.0, 16.0]);
        let parts = even_split(7_001.0, 4, true);
        assert_eq!(parts, vec![1_751.0, 1_750.0, 1_750.0, 1_750.0]);
        assert_eq!(check_split(7_001.0, &parts, 0.0), Ok(()));
        // Fewer units than periods, a fractional total, a negative total.
        assert_eq!(even_split(2.0, 3, true), vec![1.0, 1.0, 0.0]);
        assert_eq!(even_split(10.5, 2, true), vec![6.0, 5.0]);
        assert_eq!(even_split(-7.0, 3, true), vec![-2.0, -2.0, -3.0]);
        // Not integral: equal shares.
        assert_eq!(even_split(10.0, 4, false), vec![2.5; 4]);
        assert_eq!(even_split(5.0, 1, true), vec![5.0]);
        assert!(even_split(5.0, 0, true).is_empty());
        assert!(even_split(f64::NAN, 2, true).iter().all(|x| x.is_nan()));
    }

    #[test]
    fn even_split_integral_parts_always_sum_exactly() {
        for total in [0.0, 1.0, 7.0, 99.0, 473.0, 1_350.0, 24_000.0, 1e12 + 3.0] {
            for periods in 1..=12 {
                let parts = even_split(total, periods, true);
                assert_eq!(parts.len(), periods as usize);
                assert_eq!(parts.iter().sum::<f64>(), total, "{total}/{periods}");
                assert!(parts.iter().all(|p| p.fract() == 0.0));
                let max = parts.iter().copied().fold(f64::MIN, f64::max);
                let min = parts.iter().copied().fold(f64::MAX, f64::min);
                assert!(max - min <= 1.0);
            }
        }
    }
}

#[cfg(test)]
mod lifecycle_tests {
    use super::*;

    #[test]
    fn programme_status_moves_one_step_at_a_time() {
        use ProgramStatus as P;
        assert_eq!(program_transition(P::Draft, P::Approved), Ok(P::Approved));
        assert_eq!(program_transition(P::Approved, P::Active), Ok(P::Active));
        assert_eq!(program_transition(P::Active, P::Closed), Ok(P::Closed));
        assert_eq!(program_transition(P::Approved, P::Draft), Ok(P::Draft));
        for from in P::ALL {
            // Never to itself: a repeated click is refused, not recorded twice.
            assert!(program_transition(from, from).is_err());
            // Closed is final.
            assert!(program_transition(P::Closed, from).is_err());
        }
        assert!(program_transition(P::Draft, P::Closed).is_err());
        assert!(program_transition(P::Active, P::Draft).is_err());
        for s in P::ALL {
            assert_eq!(P::parse(s.as_str()), Some(s));
        }
    }
}

#[cfg(test)]
mod status_text_tests {
    use super::*;

    #[test]
    fn task_statuses_round_trip_and_match_the_stored_list() {
        let texts: Vec<&str> = TaskStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(texts, TASK_STATUSES);
        assert_eq!(TASK_STATUSES, ["open", "in_progress", "done", "cancelled"]);
        for s in TaskStatus::ALL {
            assert_eq!(s.as_str().parse::<TaskStatus>(), Ok(*s));
        }
        assert!("finished".parse::<TaskStatus>().is_err());
        assert!(TaskStatus::InProgress.is_pending() && !TaskStatus::Done.is_pending());
    }

    #[test]
    fn programme_statuses_round_trip() {
        for s in ProgramStatus::ALL {
            assert_eq!(s.as_str().parse::<ProgramStatus>(), Ok(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        assert!("Draft".parse::<ProgramStatus>().is_err());
    }
}
