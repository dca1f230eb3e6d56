//! Vietnamese formatting and parsing of numbers, money and dates.
//!
//! Conventions (as in Vietnamese official documents):
//! - `.` groups thousands and `,` is the decimal mark: `1.234.567,89`.
//! - A percent sign follows the number after a normal space: `71,2 %`.
//! - Money is in đồng; large amounts are written with `triệu` (10^6) or
//!   `tỷ` (10^9): `163,4 tỷ đồng`.
//! - Dates are day/month/year without leading zeros: `29/9/2015`, or in
//!   long form `ngày 21 tháng 9 năm 2022`.
//! - Times are shown in Vietnam time (UTC+7).

use thiserror::Error;
use time::{Date, Month, OffsetDateTime, UtcOffset};

use crate::text::fold_vi;

/// Vietnam's time zone offset (Indochina Time, UTC+7, no daylight saving).
pub const VIETNAM_OFFSET: UtcOffset = time::macros::offset!(+7);

const TY: u128 = 1_000_000_000;
const TRIEU: u128 = 1_000_000;

/// Why a number or an amount of money could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseNumberError {
    /// The input was empty or only whitespace.
    #[error("empty number")]
    Empty,
    /// The input is not a number in Vietnamese notation (or does not fit
    /// the requested type, e.g. a fraction where an integer is required).
    #[error("invalid number: {0:?}")]
    Invalid(String),
    /// A `.` was used in a way that could be a decimal point: in Vietnamese
    /// notation `.` only groups thousands, so the decimal mark must be `,`.
    #[error(
        "ambiguous number: {0:?}; '.' only separates thousands (groups of 3 digits), \
         write the decimal mark as ',' (e.g. \"82,15\")"
    )]
    Ambiguous(String),
}

/// Why a date could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseDateError {
    /// The input was empty or only whitespace.
    #[error("empty date")]
    Empty,
    /// The input does not match any accepted date format.
    #[error(
        "unrecognised date: {0:?} (expected e.g. \"29/9/2015\", \"2015-09-29\" \
         or \"ngày 29 tháng 9 năm 2015\")"
    )]
    Format(String),
    /// The input is well-formed but names a day that does not exist
    /// (e.g. 30/2/2020 or 1/13/2020).
    #[error("no such date: day {day}, month {month}, year {year}")]
    NoSuchDate { day: u8, month: u8, year: i32 },
}

// ---------------------------------------------------------------------------
// Number formatting
// ---------------------------------------------------------------------------

/// Inserts `.` every three digits from the right. `digits` must be ASCII digits.
fn group_thousands(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    // Digits still to write in the current group; the first group is short.
    let mut left_in_group = match len % 3 {
        0 => 3,
        r => r,
    };
    for ch in digits.chars() {
        if left_in_group == 0 {
            out.push('.');
            left_in_group = 3;
        }
        out.push(ch);
        left_in_group -= 1;
    }
    out
}

/// Formats an integer with `.` as thousands separator:
/// `17800` → `"17.800"`, `-1234567` → `"-1.234.567"`, `0` → `"0"`.
pub fn format_int(n: i64) -> String {
    let grouped = group_thousands(&n.unsigned_abs().to_string());
    if n < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// Text used for NaN and infinities, which have no Vietnamese notation.
fn format_non_finite(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value < 0.0 {
        "-∞".to_owned()
    } else {
        "∞".to_owned()
    }
}

/// Rounds a finite, non-negative `abs` to `decimals` fractional digits, half
/// away from zero, and returns its (integer digits, fraction digits).
///
/// Rounding works on the shortest decimal representation of the value (the
/// digits a person would have typed), so `1.005` rounds to `1.01` and
/// `2.675` to `2.68`, even though their binary approximations lie slightly
/// below the halfway point.
fn round_to_digits(abs: f64, decimals: usize) -> (Vec<char>, Vec<char>) {
    // `Display` for f64 prints the shortest round-trip representation and
    // never uses exponent notation.
    let repr = abs.to_string();
    let (int_part, frac_part) = repr.split_once('.').unwrap_or((repr.as_str(), ""));
    let mut int_digits: Vec<char> = int_part.chars().collect();
    let mut frac_digits: Vec<char> = frac_part.chars().collect();
    if frac_digits.len() > decimals {
        let round_up = frac_digits.get(decimals).is_some_and(|&d| d >= '5');
        frac_digits.truncate(decimals);
        if round_up {
            let carried = increment_digits(&mut frac_digits) && increment_digits(&mut int_digits);
            if carried {
                int_digits.insert(0, '1');
            }
        }
    } else {
        frac_digits.resize(decimals, '0');
    }
    (int_digits, frac_digits)
}

/// Adds one to the last digit of `digits`, propagating the carry.
/// Returns `true` if the carry overflows past the first digit.
fn increment_digits(digits: &mut [char]) -> bool {
    for d in digits.iter_mut().rev() {
        if *d == '9' {
            *d = '0';
        } else {
            *d = char::from_digit(d.to_digit(10).unwrap_or(0) + 1, 10).unwrap_or('0');
            return false;
        }
    }
    true
}

/// Joins sign, grouped integer digits and (if any) `,` plus fraction digits.
/// A sign is only written when some digit is non-zero (no `-0`).
fn assemble(negative: bool, int_digits: &[char], frac_digits: &[char]) -> String {
    let is_zero = int_digits.iter().chain(frac_digits).all(|&d| d == '0');
    let int_str: String = int_digits.iter().collect();
    let mut out = String::new();
    if negative && !is_zero {
        out.push('-');
    }
    out.push_str(&group_thousands(&int_str));
    if !frac_digits.is_empty() {
        out.push(',');
        out.extend(frac_digits);
    }
    out
}

/// Formats `value` with exactly `decimals` fractional digits, `.` grouping
/// thousands and `,` as decimal mark, rounding half away from zero:
/// `(82.155, 3)` → `"82,155"`, `(1234567.891, 2)` → `"1.234.567,89"`.
///
/// Rounding applies to the shortest decimal representation of `value`, so
/// `(1.005, 2)` → `"1,01"`. Negative values that round to zero print without
/// a sign. NaN and infinities print as `"NaN"`, `"∞"`, `"-∞"`.
pub fn format_decimal(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return format_non_finite(value);
    }
    let (int_digits, frac_digits) = round_to_digits(value.abs(), decimals);
    assemble(value < 0.0, &int_digits, &frac_digits)
}

/// Like [`format_decimal`] with at most `max_decimals` fractional digits,
/// dropping trailing zeros and then a trailing comma:
/// `(71.20, 2)` → `"71,2"`, `(24000.0, 2)` → `"24.000"`.
pub fn format_decimal_trim(value: f64, max_decimals: usize) -> String {
    if !value.is_finite() {
        return format_non_finite(value);
    }
    let (int_digits, mut frac_digits) = round_to_digits(value.abs(), max_decimals);
    while frac_digits.last() == Some(&'0') {
        frac_digits.pop();
    }
    assemble(value < 0.0, &int_digits, &frac_digits)
}

/// Formats a percentage (already multiplied by 100) with at most
/// `max_decimals` decimals, trailing zeros dropped, and ` %` after a normal
/// space (Vietnamese official style): `(71.2, 1)` → `"71,2 %"`,
/// `(100.0, 1)` → `"100 %"`.
pub fn format_percent(value: f64, max_decimals: usize) -> String {
    format!("{} %", format_decimal_trim(value, max_decimals))
}

/// `actual` as a percentage of `target`: `(17800, 25000)` → `Some(71.2)`.
/// Returns `None` when `target` is zero or either input (or the result) is
/// not finite.
pub fn ratio_percent(actual: f64, target: f64) -> Option<f64> {
    if target == 0.0 || !target.is_finite() || !actual.is_finite() {
        return None;
    }
    // Multiplying first keeps exact inputs exact: 1780000 / 25000 is the
    // double nearest to 71.2, whereas (17800 / 25000) * 100 is not.
    let ratio = actual * 100.0 / target;
    ratio.is_finite().then_some(ratio)
}

// ---------------------------------------------------------------------------
// Money formatting
// ---------------------------------------------------------------------------

/// Full amount in đồng: `163400000000` → `"163.400.000.000 đồng"`.
pub fn format_money_dong(dong: i64) -> String {
    format!("{} đồng", format_int(dong))
}

/// Formats `abs / divisor` with up to three decimals (half away from zero,
/// exact integer arithmetic), trailing zeros trimmed.
fn format_scaled(abs: u128, divisor: u128) -> String {
    let thousandths = (abs * 1000 + divisor / 2) / divisor;
    let whole = group_thousands(&(thousandths / 1000).to_string());
    let frac = thousandths % 1000;
    if frac == 0 {
        whole
    } else {
        let frac = format!("{frac:03}");
        format!("{whole},{}", frac.trim_end_matches('0'))
    }
}

/// The short form officials write, with up to 3 decimals and trailing zeros
/// trimmed (rounded half away from zero, exact integer arithmetic):
///
/// - from 1 tỷ (10^9): `163_400_000_000` → `"163,4 tỷ đồng"`,
///   `82_155_000_000` → `"82,155 tỷ đồng"`, `3_000_000_000` → `"3 tỷ đồng"`;
/// - from 1 triệu (10^6): `450_000_000` → `"450 triệu đồng"`,
///   `1_500_000` → `"1,5 triệu đồng"` (an amount that would round to
///   1.000 triệu is written `"1 tỷ đồng"` instead);
/// - below: `950_000` → `"950.000 đồng"`.
///
/// Negative amounts get a leading `-`.
pub fn format_money_short(dong: i64) -> String {
    let abs = u128::from(dong.unsigned_abs());
    if abs < TRIEU {
        return format_money_dong(dong);
    }
    let sign = if dong < 0 { "-" } else { "" };
    // Rounding to 3 decimals of triệu can reach 1.000 triệu = 1 tỷ.
    let rounds_to_ty = abs >= TY || (abs * 1000 + TRIEU / 2) / TRIEU >= 1_000_000;
    let (amount, unit) = if rounds_to_ty {
        (format_scaled(abs, TY), "tỷ")
    } else {
        (format_scaled(abs, TRIEU), "triệu")
    };
    format!("{sign}{amount} {unit} đồng")
}

/// [`format_money_short`] for English pages: `"163.4 billion VND"`,
/// `"1.5 million VND"`, `"950,000 VND"`.
pub fn format_money_short_en(dong: i64) -> String {
    let vi = format_money_short(dong);
    let (amount, unit) = vi.split_once(' ').unwrap_or((vi.as_str(), "đồng"));
    let amount = vi_number_to_en(amount).unwrap_or_else(|| amount.to_string());
    let unit = match unit {
        "tỷ đồng" => "billion VND",
        "triệu đồng" => "million VND",
        _ => "VND",
    };
    format!("{amount} {unit}")
}

// ---------------------------------------------------------------------------
// Number parsing
// ---------------------------------------------------------------------------

/// A syntactically valid number split into sign and ASCII digit strings.
#[derive(Debug)]
struct NumberParts {
    negative: bool,
    int_digits: String,
    frac_digits: String,
}

/// Characters accepted as a space between thousands groups.
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

fn all_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses the grammar shared by [`parse_number`], [`parse_int`] and
/// [`parse_money_dong`]; see [`parse_number`] for the rules.
fn parse_parts(s: &str) -> Result<NumberParts, ParseNumberError> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err(ParseNumberError::Empty);
    }
    let invalid = || ParseNumberError::Invalid(trimmed.to_owned());

    let (negative, body) = if let Some(rest) = trimmed.strip_prefix(['-', '\u{2212}']) {
        (true, rest)
    } else if let Some(rest) = trimmed.strip_prefix('+') {
        (false, rest)
    } else {
        (false, trimmed)
    };

    let mut halves = body.split(',');
    let int_part = halves.next().unwrap_or_default();
    let frac_part = halves.next();
    if halves.next().is_some() {
        // More than one comma.
        return Err(invalid());
    }
    let frac_digits = match frac_part {
        None => String::new(),
        Some(frac) if all_ascii_digits(frac) => frac.to_owned(),
        Some(_) => return Err(invalid()),
    };

    let has_dot = int_part.contains('.');
    let has_space = int_part.contains(is_group_space);
    if has_dot && has_space {
        return Err(invalid());
    }
    let int_digits = if has_dot || has_space {
        let groups: Vec<&str> = if has_dot {
            int_part.split('.').collect()
        } else {
            int_part.split(is_group_space).collect()
        };
        if !groups.iter().all(|g| all_ascii_digits(g)) {
            return Err(invalid());
        }
        let well_grouped = groups.iter().enumerate().all(|(i, g)| {
            if i == 0 {
                (1..=3).contains(&g.len()) && !g.starts_with('0')
            } else {
                g.len() == 3
            }
        });
        if !well_grouped {
            // A badly grouped '.' with no ',' may be meant as a decimal
            // point ("82.15"); with a ',' present it is simply malformed.
            return Err(if has_dot && frac_part.is_none() {
                ParseNumberError::Ambiguous(trimmed.to_owned())
            } else {
                invalid()
            });
        }
        groups.concat()
    } else if all_ascii_digits(int_part) {
        int_part.to_owned()
    } else {
        return Err(invalid());
    };

    Ok(NumberParts {
        negative,
        int_digits,
        frac_digits,
    })
}

/// Parses a number written in Vietnamese notation.
///
/// Grammar (surrounding whitespace is ignored):
/// - an optional sign `-` (or `−`) or `+`, directly followed by the digits;
/// - an integer part: plain digits (`17800`), or digits grouped by thousands
///   with `.` (`17.800`) or with spaces (`17 800`, also no-break and thin
///   spaces), never both. A grouped number's first group has 1–3 digits and
///   does not start with `0`; every later group has exactly 3 digits;
/// - optionally `,` followed by one or more digits: the decimal part.
///
/// Examples: `"17.800"` → 17800, `"82,155"` → 82.155,
/// `"1.234.567,89"` → 1234567.89, `" 71,2 "` → 71.2, `"-5"` → −5.
///
/// **Ambiguity rule.** `,` is the only decimal mark and `.` only ever groups
/// thousands. So `"82.155"` is 82155 (not 82.155), and a `.` that does not
/// separate groups of exactly 3 digits, like `"82.15"`, `"1.5"`, `"0.500"`
/// or `"1234.567"`, is rejected with [`ParseNumberError::Ambiguous`]: it was
/// probably meant as a decimal point, and the user must write `"82,15"`. When
/// both marks appear, the last one must be the `,` (`"1.234,5"`); input such
/// as `"1,234.5"` or `"1.23,5"` is [`ParseNumberError::Invalid`].
///
/// Also rejected as [`ParseNumberError::Invalid`]: letters or other symbols,
/// more than one `,`, an empty part (`",5"`, `"5,"`, `"1..000"`), and
/// numbers too large for `f64`. Empty input gives [`ParseNumberError::Empty`].
pub fn parse_number(s: &str) -> Result<f64, ParseNumberError> {
    let parts = parse_parts(s)?;
    let invalid = || ParseNumberError::Invalid(s.trim().to_owned());
    let magnitude: f64 = format!("{}.{}0", parts.int_digits, parts.frac_digits)
        .parse()
        .map_err(|_| invalid())?;
    if !magnitude.is_finite() {
        return Err(invalid());
    }
    Ok(if parts.negative && magnitude != 0.0 {
        -magnitude
    } else {
        magnitude
    })
}

/// Builds an `i64` from sign and ASCII digits; `None` on overflow.
fn digits_to_i64(negative: bool, digits: &str) -> Option<i64> {
    let signed = if negative {
        format!("-{digits}")
    } else {
        digits.to_owned()
    };
    signed.parse().ok()
}

/// Parses an integer with the grammar of [`parse_number`] (same ambiguity
/// rule). A decimal part is allowed only if it is all zeros (`"17.800,00"`);
/// fractions and values outside `i64` are [`ParseNumberError::Invalid`].
/// Exact: no floating point is involved.
pub fn parse_int(s: &str) -> Result<i64, ParseNumberError> {
    let parts = parse_parts(s)?;
    let invalid = || ParseNumberError::Invalid(s.trim().to_owned());
    if parts.frac_digits.bytes().any(|b| b != b'0') {
        return Err(invalid());
    }
    digits_to_i64(parts.negative, &parts.int_digits).ok_or_else(invalid)
}

/// Interprets the words after a money amount (already folded with
/// [`fold_vi`]) and returns the power of ten of the unit, or `None` if the
/// words are not an accepted unit/currency.
fn money_suffix_exponent(folded_words: &str) -> Option<usize> {
    fn unit_exponent(word: &str) -> Option<usize> {
        match word {
            "ty" | "ti" => Some(9),
            "trieu" => Some(6),
            "nghin" | "ngan" => Some(3),
            _ => None,
        }
    }
    fn is_currency(word: &str) -> bool {
        matches!(word, "dong" | "d" | "vnd" | "₫")
    }
    let words: Vec<&str> = folded_words.split_whitespace().collect();
    match words.as_slice() {
        [] => Some(0),
        [w] if is_currency(w) => Some(0),
        [w] => unit_exponent(w),
        [unit, currency] if is_currency(currency) => unit_exponent(unit),
        _ => None,
    }
}

/// Parses an amount of money in đồng, exactly (integer arithmetic only).
///
/// The number follows the grammar and ambiguity rule of [`parse_number`]
/// and may be followed by a unit — `tỷ`/`tỉ` (10^9), `triệu` (10^6),
/// `nghìn`/`ngàn` (10^3) — and/or a currency word — `đồng`, `đ`, `₫`, `VND`,
/// `VNĐ`. Words are matched case- and accent-insensitively, and the space
/// before them is optional. Examples: `"163.400.000.000"`,
/// `"163.400.000.000 đồng"`, `"163,4 tỷ"` → 163_400_000_000,
/// `"82,155 tỷ đồng"` → 82_155_000_000, `"450 triệu"` → 450_000_000,
/// `"3 tỷ đồng"` → 3_000_000_000.
///
/// An amount that is not a whole number of đồng (`"1,5 đồng"`,
/// `"1,0000000001 tỷ"`), an unknown word, or a value outside `i64` is
/// [`ParseNumberError::Invalid`]. Errors name the whole input.
pub fn parse_money_dong(s: &str) -> Result<i64, ParseNumberError> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err(ParseNumberError::Empty);
    }
    let invalid = || ParseNumberError::Invalid(trimmed.to_owned());
    let split_at = trimmed
        .find(|c: char| c.is_alphabetic() || c == '₫')
        .unwrap_or(trimmed.len());
    let (number, words) = trimmed.split_at(split_at);
    let exponent = money_suffix_exponent(&fold_vi(words)).ok_or_else(invalid)?;
    if number.trim().is_empty() {
        return Err(invalid());
    }
    let parts = parse_parts(number).map_err(|e| match e {
        ParseNumberError::Ambiguous(_) => ParseNumberError::Ambiguous(trimmed.to_owned()),
        _ => invalid(),
    })?;

    let mut frac = parts.frac_digits;
    if frac.len() > exponent {
        // Digits beyond the unit's precision would be fractions of a đồng.
        if frac.bytes().skip(exponent).any(|b| b != b'0') {
            return Err(invalid());
        }
        frac.truncate(exponent);
    } else {
        frac.extend(std::iter::repeat_n('0', exponent - frac.len()));
    }
    let digits = format!("{}{}", parts.int_digits, frac);
    digits_to_i64(parts.negative, &digits).ok_or_else(invalid)
}

// ---------------------------------------------------------------------------
// Dates and times
// ---------------------------------------------------------------------------

/// Short Vietnamese date, day and month without leading zeros:
/// 2015-09-29 → `"29/9/2015"`, 2022-09-01 → `"1/9/2022"`.
pub fn format_date(d: Date) -> String {
    format!("{}/{}/{}", d.day(), u8::from(d.month()), d.year())
}

/// Long Vietnamese date as in official documents:
/// 2022-09-21 → `"ngày 21 tháng 9 năm 2022"`.
pub fn format_date_long(d: Date) -> String {
    format!(
        "ngày {} tháng {} năm {}",
        d.day(),
        u8::from(d.month()),
        d.year()
    )
}

/// English date for the English UI: 2022-09-21 → `"21 Sep 2022"`.
pub fn format_date_en(d: Date) -> String {
    let month = match d.month() {
        Month::January => "Jan",
        Month::February => "Feb",
        Month::March => "Mar",
        Month::April => "Apr",
        Month::May => "May",
        Month::June => "Jun",
        Month::July => "Jul",
        Month::August => "Aug",
        Month::September => "Sep",
        Month::October => "Oct",
        Month::November => "Nov",
        Month::December => "Dec",
    };
    format!("{} {} {}", d.day(), month, d.year())
}

/// Builds a date from day/month/year digit strings, checking that it exists.
fn build_date(day: &str, month: &str, year: &str) -> Result<Date, ParseDateError> {
    // Lengths are checked by the callers, so these parses cannot overflow;
    // map failures to the "no such date" error defensively anyway.
    let no_such = |d: u8, m: u8, y: i32| ParseDateError::NoSuchDate {
        day: d,
        month: m,
        year: y,
    };
    let (Ok(d), Ok(m), Ok(y)) = (day.parse::<u8>(), month.parse::<u8>(), year.parse::<i32>())
    else {
        return Err(no_such(0, 0, 0));
    };
    let month_enum = Month::try_from(m).map_err(|_| no_such(d, m, y))?;
    Date::from_calendar_date(y, month_enum, d).map_err(|_| no_such(d, m, y))
}

fn has_len(s: &str, range: std::ops::RangeInclusive<usize>) -> bool {
    all_ascii_digits(s) && range.contains(&s.len())
}

/// Parses `d/m/yyyy`, `d-m-yyyy`, `d.m.yyyy`, or ISO `yyyy-mm-dd`
/// (also `yyyy/mm/dd`); `None` if it does not match.
fn parse_numeric_date(s: &str) -> Option<Result<Date, ParseDateError>> {
    let sep = s.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if has_len(a, 4..=4) && has_len(b, 1..=2) && has_len(c, 1..=2) {
        Some(build_date(c, b, a))
    } else if has_len(a, 1..=2) && has_len(b, 1..=2) && has_len(c, 4..=4) {
        Some(build_date(a, b, c))
    } else {
        None
    }
}

/// Parses a date written the Vietnamese way. Accepted forms:
///
/// - `29/9/2015`, `29/09/2015`, `29-9-2015`, `29.9.2015` (day first);
/// - ISO `2015-09-29` (also `2015/09/29`);
/// - `ngày 21 tháng 9 năm 2022`, or without the leading `ngày`;
/// - `ngày 21/9/2022` (any numeric form after `ngày`).
///
/// Matching is case-insensitive and tolerant of NFD input, missing
/// diacritics and extra whitespace (also around `/`). The year must have
/// four digits; day and month one or two.
///
/// Errors: [`ParseDateError::Empty`] for blank input,
/// [`ParseDateError::NoSuchDate`] for well-formed but impossible dates
/// (`30/2/2020`, `1/13/2020`), [`ParseDateError::Format`] otherwise.
pub fn parse_date(s: &str) -> Result<Date, ParseDateError> {
    let folded = fold_vi(s);
    if folded.is_empty() {
        return Err(ParseDateError::Empty);
    }
    let format_err = || ParseDateError::Format(s.trim().to_owned());
    let rest = folded.strip_prefix("ngay ").unwrap_or(&folded);
    let words: Vec<&str> = rest.split(' ').collect();
    if let [day, "thang", month, "nam", year] = words.as_slice() {
        if has_len(day, 1..=2) && has_len(month, 1..=2) && has_len(year, 4..=4) {
            return build_date(day, month, year);
        }
        return Err(format_err());
    }
    let compact: String = rest.chars().filter(|c| *c != ' ').collect();
    if words.len() > 1 {
        // Spaces are only tolerated around separators ("29 / 9 / 2015"),
        // never between digits ("29 9 2015").
        let spaced_digits = words.windows(2).any(|w| {
            w[0].ends_with(|c: char| c.is_ascii_digit())
                && w[1].starts_with(|c: char| c.is_ascii_digit())
        });
        if spaced_digits {
            return Err(format_err());
        }
    }
    parse_numeric_date(&compact).unwrap_or_else(|| Err(format_err()))
}

/// Date and time in Vietnam time (UTC+7): `"14:32 29/9/2015"` (24-hour
/// clock, hours and minutes with two digits).
pub fn format_datetime(dt: OffsetDateTime) -> String {
    // Converting can only fail at the very ends of the supported date range;
    // then keep the original offset rather than panic.
    let local = dt.checked_to_offset(VIETNAM_OFFSET).unwrap_or(dt);
    format!(
        "{:02}:{:02} {}",
        local.hour(),
        local.minute(),
        format_date(local.date())
    )
}

/// A number written the Vietnamese way (`.` groups thousands, `,` marks
/// decimals), rewritten the English way: `"3.296"` → `Some("3,296")`,
/// `"82,15"` → `Some("82.15")`, `"-1.234.567,5"` → `Some("-1,234,567.5")`.
/// `None` when `s` is not such a number, or has neither mark (`"12"`, `"088"`,
/// `"316/KH-UBND"`, `"1.2"`): those read the same in both languages.
pub fn vi_number_to_en(s: &str) -> Option<String> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let groups: Vec<&str> = int.split('.').collect();
    if groups.len() < 2 && frac.is_none() {
        return None;
    }
    let all_digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let first_ok = groups
        .first()
        .is_some_and(|g| all_digits(g) && g.len() <= 3);
    let rest_ok = groups.iter().skip(1).all(|g| all_digits(g) && g.len() == 3);
    if !(first_ok && rest_ok) {
        return None;
    }
    Some(
        s.chars()
            .map(|c| match c {
                '.' => ',',
                ',' => '.',
                c => c,
            })
            .collect(),
    )
}

/// An integer the English way: `3296` → `"3,296"`.
pub fn format_int_en(n: i64) -> String {
    let vi = format_int(n);
    vi_number_to_en(&vi).unwrap_or(vi)
}

/// English date and time (Vietnam time): `"14:32 29 Sep 2015"`.
pub fn format_datetime_en(dt: OffsetDateTime) -> String {
    let local = dt.checked_to_offset(VIETNAM_OFFSET).unwrap_or(dt);
    format!(
        "{:02}:{:02} {}",
        local.hour(),
        local.minute(),
        format_date_en(local.date())
    )
}

/// Whole days from `today` to `due` (negative when `due` is past).
fn days_between(today: Date, due: Date) -> i64 {
    (due - today).whole_days()
}

/// Deadline label in Vietnamese: `"còn 5 ngày"`, `"hôm nay"`, `"trễ 2 ngày"`.
pub fn days_until_label_vi(today: Date, due: Date) -> String {
    let days = days_between(today, due);
    match days {
        0 => "hôm nay".to_owned(),
        d if d > 0 => format!("còn {} ngày", format_int(d)),
        d => format!("trễ {} ngày", format_int(-d)),
    }
}

/// Deadline label in English: `"5 days left"`, `"1 day left"`, `"today"`,
/// `"1 day late"`, `"2 days late"`.
pub fn days_until_label_en(today: Date, due: Date) -> String {
    let days = days_between(today, due);
    let unit = |n: i64| if n == 1 { "day" } else { "days" };
    match days {
        0 => "today".to_owned(),
        d if d > 0 => format!("{} {} left", format_int_en(d), unit(d)),
        d => format!("{} {} late", format_int_en(-d), unit(-d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn vietnamese_numbers_read_the_english_way() {
        assert_eq!(vi_number_to_en("3.296").as_deref(), Some("3,296"));
        assert_eq!(vi_number_to_en("82,15").as_deref(), Some("82.15"));
        assert_eq!(
            vi_number_to_en("-1.234.567,5").as_deref(),
            Some("-1,234,567.5")
        );
        for same in [
            "12",
            "088",
            "1.2",
            "316/KH-UBND",
            "29/9/2015",
            "1.2345",
            "",
            "a,b",
            "1,",
        ] {
            assert_eq!(vi_number_to_en(same), None, "{same}");
        }
        assert_eq!(
            vi_number_to_en(&format_int(1_234_567)).as_deref(),
            Some("1,234,567")
        );
    }

    fn ambiguous(s: &str) -> Result<f64, ParseNumberError> {
        Err(ParseNumberError::Ambiguous(s.to_owned()))
    }

    fn invalid(s: &str) -> Result<f64, ParseNumberError> {
        Err(ParseNumberError::Invalid(s.to_owned()))
    }

    // ---- format_int ----

    #[test]
    fn format_int_examples() {
        assert_eq!(format_int(17800), "17.800");
        assert_eq!(format_int(-1234567), "-1.234.567");
        assert_eq!(format_int(0), "0");
        assert_eq!(format_int(473), "473");
        assert_eq!(format_int(1000), "1.000");
        assert_eq!(format_int(999), "999");
        assert_eq!(format_int(-999), "-999");
        assert_eq!(format_int(100_000), "100.000");
    }

    #[test]
    fn format_int_extremes() {
        assert_eq!(format_int(i64::MAX), "9.223.372.036.854.775.807");
        assert_eq!(format_int(i64::MIN), "-9.223.372.036.854.775.808");
    }

    // ---- format_decimal ----

    #[test]
    fn format_decimal_examples() {
        assert_eq!(format_decimal(82.155, 3), "82,155");
        assert_eq!(format_decimal(1234567.891, 2), "1.234.567,89");
        assert_eq!(format_decimal(71.2, 2), "71,20");
        assert_eq!(format_decimal(24000.0, 2), "24.000,00");
        assert_eq!(format_decimal(5.0, 0), "5");
        assert_eq!(format_decimal(0.0, 1), "0,0");
    }

    #[test]
    fn format_decimal_rounds_half_away_from_zero() {
        assert_eq!(format_decimal(0.5, 0), "1");
        assert_eq!(format_decimal(1.5, 0), "2");
        assert_eq!(format_decimal(2.5, 0), "3");
        assert_eq!(format_decimal(-2.5, 0), "-3");
        assert_eq!(format_decimal(1.005, 2), "1,01");
        assert_eq!(format_decimal(2.675, 2), "2,68");
        assert_eq!(format_decimal(-2.675, 2), "-2,68");
        assert_eq!(format_decimal(1.004, 2), "1,00");
        assert_eq!(format_decimal(95.529_069_767, 2), "95,53");
    }

    #[test]
    fn format_decimal_carries_into_integer_part() {
        assert_eq!(format_decimal(999.996, 2), "1.000,00");
        assert_eq!(format_decimal(9.95, 1), "10,0");
        assert_eq!(format_decimal(99_999.5, 0), "100.000");
        assert_eq!(format_decimal(-0.96, 1), "-1,0");
    }

    #[test]
    fn format_decimal_no_negative_zero() {
        assert_eq!(format_decimal(-0.001, 2), "0,00");
        assert_eq!(format_decimal(-0.0, 0), "0");
        assert_eq!(format_decimal_trim(-0.0001, 3), "0");
    }

    #[test]
    fn format_decimal_negative_and_large() {
        assert_eq!(format_decimal(-1234.5, 1), "-1.234,5");
        assert_eq!(format_decimal(1e15, 0), "1.000.000.000.000.000");
        assert_eq!(format_decimal(1e21, 0), "1.000.000.000.000.000.000.000");
        assert_eq!(format_decimal(0.000_000_1, 7), "0,0000001");
    }

    #[test]
    fn format_decimal_non_finite() {
        assert_eq!(format_decimal(f64::NAN, 2), "NaN");
        assert_eq!(format_decimal(f64::INFINITY, 2), "∞");
        assert_eq!(format_decimal(f64::NEG_INFINITY, 2), "-∞");
        assert_eq!(format_decimal_trim(f64::NAN, 2), "NaN");
    }

    // ---- format_decimal_trim ----

    #[test]
    fn format_decimal_trim_examples() {
        assert_eq!(format_decimal_trim(71.20, 2), "71,2");
        assert_eq!(format_decimal_trim(24000.0, 2), "24.000");
        assert_eq!(format_decimal_trim(82.155, 3), "82,155");
        assert_eq!(format_decimal_trim(82.155, 2), "82,16");
        assert_eq!(format_decimal_trim(163.4, 3), "163,4");
        assert_eq!(format_decimal_trim(1.999, 2), "2");
        assert_eq!(format_decimal_trim(-3.10, 2), "-3,1");
        assert_eq!(format_decimal_trim(12.5, 0), "13");
    }

    // ---- format_percent / ratio_percent ----

    #[test]
    fn format_percent_examples() {
        assert_eq!(format_percent(71.2, 1), "71,2 %");
        assert_eq!(format_percent(95.53, 2), "95,53 %");
        assert_eq!(format_percent(100.0, 1), "100 %");
        assert_eq!(format_percent(0.0, 1), "0 %");
        assert_eq!(format_percent(1234.5, 1), "1.234,5 %");
    }

    #[test]
    fn ratio_percent_examples() {
        assert_eq!(ratio_percent(17800.0, 25000.0), Some(71.2));
        assert_eq!(ratio_percent(25000.0, 25000.0), Some(100.0));
        assert_eq!(ratio_percent(0.0, 5.0), Some(0.0));
        assert_eq!(ratio_percent(1.0, 0.0), None);
        assert_eq!(ratio_percent(0.0, 0.0), None);
        assert_eq!(ratio_percent(1.0, -0.0), None);
        assert_eq!(ratio_percent(f64::NAN, 1.0), None);
        assert_eq!(ratio_percent(1.0, f64::INFINITY), None);
        assert_eq!(ratio_percent(f64::MAX, f64::MIN_POSITIVE), None);
    }

    // ---- seed-document figures ----

    #[test]
    fn seed_workers_trained() {
        // 473 classes trained 17.800 workers, 71,2 % of the 25.000 target.
        assert_eq!(format_int(473), "473");
        assert_eq!(format_int(17_800), "17.800");
        assert_eq!(parse_int("17.800"), Ok(17_800));
        assert_eq!(parse_int("25.000"), Ok(25_000));
        let pct = ratio_percent(17_800.0, 25_000.0);
        assert_eq!(pct.map(|p| format_percent(p, 1)).as_deref(), Some("71,2 %"));
    }

    #[test]
    fn seed_budget_against_plan() {
        // 82,155 tỷ achieved of an 86 tỷ plan = 95,53 %.
        let achieved = parse_money_dong("82,155 tỷ đồng");
        assert_eq!(achieved, Ok(82_155_000_000));
        let plan = parse_money_dong("86 tỷ đồng");
        assert_eq!(plan, Ok(86_000_000_000));
        let pct = ratio_percent(82_155_000_000.0, 86_000_000_000.0);
        assert_eq!(
            pct.map(|p| format_percent(p, 2)).as_deref(),
            Some("95,53 %")
        );
        let pct = ratio_percent(82.155, 86.0);
        assert_eq!(
            pct.map(|p| format_percent(p, 2)).as_deref(),
            Some("95,53 %")
        );
        assert_eq!(format_money_short(82_155_000_000), "82,155 tỷ đồng");
    }

    #[test]
    fn seed_disbursement() {
        // 77,63 tỷ disbursed = 94,5 % of 82,155 tỷ.
        assert_eq!(parse_money_dong("77,63 tỷ đồng"), Ok(77_630_000_000));
        assert_eq!(format_money_short(77_630_000_000), "77,63 tỷ đồng");
        let pct = ratio_percent(77_630_000_000.0, 82_155_000_000.0);
        assert_eq!(pct.map(|p| format_percent(p, 1)).as_deref(), Some("94,5 %"));
    }

    #[test]
    fn seed_total_budget() {
        assert_eq!(format_money_dong(163_400_000_000), "163.400.000.000 đồng");
        assert_eq!(format_money_short(163_400_000_000), "163,4 tỷ đồng");
        assert_eq!(
            parse_money_dong("163.400.000.000 đồng"),
            Ok(163_400_000_000)
        );
        assert_eq!(parse_money_dong("163,4 tỷ đồng"), Ok(163_400_000_000));
    }

    #[test]
    fn seed_dates() {
        let d = date!(2015 - 09 - 29);
        assert_eq!(format_date(d), "29/9/2015");
        assert_eq!(parse_date("29/9/2015"), Ok(d));
        let d = date!(2022 - 09 - 21);
        assert_eq!(format_date_long(d), "ngày 21 tháng 9 năm 2022");
        assert_eq!(parse_date("ngày 21 tháng 9 năm 2022"), Ok(d));
    }

    // ---- money formatting ----

    #[test]
    fn format_money_dong_examples() {
        assert_eq!(format_money_dong(0), "0 đồng");
        assert_eq!(format_money_dong(950_000), "950.000 đồng");
        assert_eq!(format_money_dong(-5_000), "-5.000 đồng");
    }

    #[test]
    fn format_money_short_ty() {
        assert_eq!(format_money_short(163_400_000_000), "163,4 tỷ đồng");
        assert_eq!(format_money_short(82_155_000_000), "82,155 tỷ đồng");
        assert_eq!(format_money_short(3_000_000_000), "3 tỷ đồng");
        assert_eq!(format_money_short(1_000_000_000), "1 tỷ đồng");
        assert_eq!(format_money_short(1_200_000_000_000), "1.200 tỷ đồng");
        assert_eq!(format_money_short(-3_500_000_000), "-3,5 tỷ đồng");
    }

    #[test]
    fn format_money_short_rounds_to_three_decimals() {
        // 82.155.499.999 → 82,155499999 tỷ → 82,155
        assert_eq!(format_money_short(82_155_499_999), "82,155 tỷ đồng");
        // 82.155.500.000 → half → away from zero → 82,156
        assert_eq!(format_money_short(82_155_500_000), "82,156 tỷ đồng");
        assert_eq!(format_money_short(-82_155_500_000), "-82,156 tỷ đồng");
        assert_eq!(format_money_short(1_999_999_999), "2 tỷ đồng");
        assert_eq!(format_money_short(1_000_400_000), "1 tỷ đồng");
    }

    #[test]
    fn format_money_short_trieu() {
        assert_eq!(format_money_short(450_000_000), "450 triệu đồng");
        assert_eq!(format_money_short(1_500_000), "1,5 triệu đồng");
        assert_eq!(format_money_short(1_000_000), "1 triệu đồng");
        assert_eq!(format_money_short(999_000_000), "999 triệu đồng");
        assert_eq!(format_money_short(12_345_678), "12,346 triệu đồng");
        // Rounds up to 1.000 triệu: written as 1 tỷ instead.
        assert_eq!(format_money_short(999_999_999), "1 tỷ đồng");
        assert_eq!(format_money_short(999_999_499), "999,999 triệu đồng");
    }

    #[test]
    fn format_money_short_below_trieu() {
        assert_eq!(format_money_short(950_000), "950.000 đồng");
        assert_eq!(format_money_short(999_999), "999.999 đồng");
        assert_eq!(format_money_short(0), "0 đồng");
        assert_eq!(format_money_short(-500), "-500 đồng");
    }

    #[test]
    fn format_money_short_in_english() {
        assert_eq!(format_money_short_en(163_400_000_000), "163.4 billion VND");
        assert_eq!(format_money_short_en(1_500_000), "1.5 million VND");
        assert_eq!(format_money_short_en(950_000), "950,000 VND");
        assert_eq!(format_money_short_en(-500), "-500 VND");
        assert_eq!(
            format_money_short_en(i64::MAX),
            "9,223,372,036.855 billion VND"
        );
    }

    #[test]
    fn format_money_short_extremes() {
        assert_eq!(format_money_short(i64::MAX), "9.223.372.036,855 tỷ đồng");
        assert_eq!(format_money_short(i64::MIN), "-9.223.372.036,855 tỷ đồng");
    }

    // ---- parse_number ----

    #[test]
    fn parse_number_examples() {
        assert_eq!(parse_number("17.800"), Ok(17800.0));
        assert_eq!(parse_number("82,155"), Ok(82.155));
        assert_eq!(parse_number("1.234.567,89"), Ok(1234567.89));
        assert_eq!(parse_number("-5"), Ok(-5.0));
        assert_eq!(parse_number(" 71,2 "), Ok(71.2));
        assert_eq!(parse_number("24.000"), Ok(24000.0));
        assert_eq!(parse_number("17800"), Ok(17800.0));
        assert_eq!(parse_number("17 800"), Ok(17800.0));
        assert_eq!(parse_number("1 234 567,5"), Ok(1234567.5));
        assert_eq!(parse_number("17\u{a0}800"), Ok(17800.0));
        assert_eq!(parse_number("+3,5"), Ok(3.5));
        assert_eq!(parse_number("\u{2212}3,5"), Ok(-3.5));
        assert_eq!(parse_number("0"), Ok(0.0));
        assert_eq!(parse_number("0,5"), Ok(0.5));
        assert_eq!(parse_number("007"), Ok(7.0));
    }

    #[test]
    fn parse_number_negative_zero_is_zero() {
        let zero = parse_number("-0");
        assert_eq!(zero, Ok(0.0));
        assert_eq!(zero.map(f64::is_sign_positive), Ok(true));
    }

    #[test]
    fn parse_number_dot_vs_comma_ambiguity() {
        // '.' followed by exactly 3 digits groups thousands.
        assert_eq!(parse_number("82.155"), Ok(82155.0));
        // ',' is the decimal mark.
        assert_eq!(parse_number("82,155"), Ok(82.155));
        // '.' followed by other than 3 digits: probably a decimal point.
        assert_eq!(parse_number("82.15"), ambiguous("82.15"));
        assert_eq!(parse_number("1.5"), ambiguous("1.5"));
        assert_eq!(parse_number("1.2345"), ambiguous("1.2345"));
        assert_eq!(parse_number("1.234.56"), ambiguous("1.234.56"));
        assert_eq!(parse_number("1234.567"), ambiguous("1234.567"));
        assert_eq!(parse_number("0.500"), ambiguous("0.500"));
        assert_eq!(parse_number(" 82.15 "), ambiguous("82.15"));
    }

    #[test]
    fn parse_number_both_marks() {
        assert_eq!(parse_number("1.234,5"), Ok(1234.5));
        assert_eq!(parse_number("12.345.678,901"), Ok(12345678.901));
        // English style: the last mark is '.', not ','.
        assert_eq!(parse_number("1,234.5"), invalid("1,234.5"));
        assert_eq!(parse_number("1,234,567"), invalid("1,234,567"));
        // Bad grouping with a comma present is malformed, not ambiguous.
        assert_eq!(parse_number("1.23,5"), invalid("1.23,5"));
    }

    #[test]
    fn parse_number_rejects_garbage() {
        assert_eq!(parse_number(""), Err(ParseNumberError::Empty));
        assert_eq!(parse_number("   "), Err(ParseNumberError::Empty));
        assert_eq!(parse_number("abc"), invalid("abc"));
        assert_eq!(parse_number("12a"), invalid("12a"));
        assert_eq!(parse_number("1,2,3"), invalid("1,2,3"));
        assert_eq!(parse_number(",5"), invalid(",5"));
        assert_eq!(parse_number("5,"), invalid("5,"));
        assert_eq!(parse_number("1..000"), invalid("1..000"));
        assert_eq!(parse_number(".500"), invalid(".500"));
        assert_eq!(parse_number("5."), invalid("5."));
        assert_eq!(parse_number("-"), invalid("-"));
        assert_eq!(parse_number("--5"), invalid("--5"));
        assert_eq!(parse_number("- 5"), invalid("- 5"));
        assert_eq!(parse_number("5-"), invalid("5-"));
        assert_eq!(parse_number("1e5"), invalid("1e5"));
        assert_eq!(parse_number("NaN"), invalid("NaN"));
        assert_eq!(parse_number("inf"), invalid("inf"));
        assert_eq!(parse_number("12%"), invalid("12%"));
        assert_eq!(parse_number("1.234 567"), invalid("1.234 567"));
        assert_eq!(parse_number("17  800"), invalid("17  800"));
        assert_eq!(parse_number("17 80"), invalid("17 80"));
        assert_eq!(parse_number("1,5 6"), invalid("1,5 6"));
        assert_eq!(parse_number("١٢"), invalid("١٢"));
    }

    #[test]
    fn parse_number_too_large_is_invalid() {
        let huge = "9".repeat(400);
        assert_eq!(parse_number(&huge), invalid(&huge));
    }

    #[test]
    fn parse_number_round_trips_formatting() {
        for v in [0.0, 71.2, 82.155, 1234567.89, -42.5, 163.4, 95.53] {
            assert_eq!(parse_number(&format_decimal_trim(v, 3)), Ok(v), "value {v}");
        }
    }

    #[test]
    fn parse_number_error_messages() {
        assert_eq!(ParseNumberError::Empty.to_string(), "empty number");
        assert_eq!(
            ParseNumberError::Invalid("abc".to_owned()).to_string(),
            "invalid number: \"abc\""
        );
        let msg = ParseNumberError::Ambiguous("82.15".to_owned()).to_string();
        assert!(msg.contains("\"82.15\""), "{msg}");
        assert!(msg.contains("\"82,15\""), "{msg}");
    }

    // ---- parse_int ----

    #[test]
    fn parse_int_examples() {
        assert_eq!(parse_int("17.800"), Ok(17800));
        assert_eq!(parse_int("17 800"), Ok(17800));
        assert_eq!(parse_int("-1.234.567"), Ok(-1234567));
        assert_eq!(parse_int("473"), Ok(473));
        assert_eq!(parse_int("17.800,00"), Ok(17800));
        assert_eq!(parse_int("82.155"), Ok(82155));
        assert_eq!(parse_int("-0"), Ok(0));
    }

    #[test]
    fn parse_int_rejects_fractions_and_overflow() {
        let err = |s: &str| Err(ParseNumberError::Invalid(s.to_owned()));
        assert_eq!(parse_int("82,155"), err("82,155"));
        assert_eq!(parse_int("1,5"), err("1,5"));
        assert_eq!(
            parse_int("82.15"),
            Err(ParseNumberError::Ambiguous("82.15".to_owned()))
        );
        assert_eq!(parse_int(""), Err(ParseNumberError::Empty));
        assert_eq!(parse_int("9.223.372.036.854.775.807"), Ok(i64::MAX));
        assert_eq!(parse_int("-9.223.372.036.854.775.808"), Ok(i64::MIN));
        assert_eq!(
            parse_int("9.223.372.036.854.775.808"),
            err("9.223.372.036.854.775.808")
        );
    }

    #[test]
    fn parse_int_round_trips_format_int() {
        for n in [0, 1, -1, 999, 1000, 17_800, -1_234_567, i64::MAX, i64::MIN] {
            assert_eq!(parse_int(&format_int(n)), Ok(n));
        }
    }

    // ---- parse_money_dong ----

    #[test]
    fn parse_money_dong_examples() {
        assert_eq!(parse_money_dong("163.400.000.000"), Ok(163_400_000_000));
        assert_eq!(
            parse_money_dong("163.400.000.000 đồng"),
            Ok(163_400_000_000)
        );
        assert_eq!(parse_money_dong("163,4 tỷ"), Ok(163_400_000_000));
        assert_eq!(parse_money_dong("163,4 tỷ đồng"), Ok(163_400_000_000));
        assert_eq!(parse_money_dong("82,155 tỷ đồng"), Ok(82_155_000_000));
        assert_eq!(parse_money_dong("450 triệu"), Ok(450_000_000));
        assert_eq!(parse_money_dong("3 tỷ đồng"), Ok(3_000_000_000));
        assert_eq!(parse_money_dong("1,5 triệu đồng"), Ok(1_500_000));
        assert_eq!(parse_money_dong("950.000 đồng"), Ok(950_000));
        assert_eq!(parse_money_dong("950.000"), Ok(950_000));
    }

    #[test]
    fn parse_money_dong_is_exact() {
        // Floating point would give 82154999999.99999 for 82.155 * 1e9.
        assert_eq!(parse_money_dong("82,155 tỷ"), Ok(82_155_000_000));
        assert_eq!(parse_money_dong("0,000000001 tỷ"), Ok(1));
        assert_eq!(parse_money_dong("1,234567891 tỷ"), Ok(1_234_567_891));
        assert_eq!(parse_money_dong("1,2345678910 tỷ"), Ok(1_234_567_891));
        assert_eq!(parse_money_dong("77,63 tỷ"), Ok(77_630_000_000));
    }

    #[test]
    fn parse_money_dong_variants() {
        assert_eq!(parse_money_dong("163,4 TỶ ĐỒNG"), Ok(163_400_000_000));
        assert_eq!(parse_money_dong("163,4 tỉ"), Ok(163_400_000_000));
        assert_eq!(parse_money_dong("163,4tỷ"), Ok(163_400_000_000));
        assert_eq!(
            parse_money_dong("  163,4   tỷ   đồng "),
            Ok(163_400_000_000)
        );
        let nfd: String = "82,155 tỷ đồng".nfd().collect();
        assert_eq!(parse_money_dong(&nfd), Ok(82_155_000_000));
        assert_eq!(parse_money_dong("950.000đ"), Ok(950_000));
        assert_eq!(parse_money_dong("950.000 ₫"), Ok(950_000));
        assert_eq!(parse_money_dong("950.000₫"), Ok(950_000));
        assert_eq!(parse_money_dong("950.000 VND"), Ok(950_000));
        assert_eq!(parse_money_dong("950.000 VNĐ"), Ok(950_000));
        assert_eq!(parse_money_dong("950 nghìn"), Ok(950_000));
        assert_eq!(parse_money_dong("950 ngàn đồng"), Ok(950_000));
        assert_eq!(parse_money_dong("1.200 tỷ đồng"), Ok(1_200_000_000_000));
        assert_eq!(parse_money_dong("950 000 đồng"), Ok(950_000));
        assert_eq!(parse_money_dong("-3,5 tỷ"), Ok(-3_500_000_000));
        assert_eq!(parse_money_dong("163 ty dong"), Ok(163_000_000_000));
    }

    #[test]
    fn parse_money_dong_rejects() {
        let inv = |s: &str| Err(ParseNumberError::Invalid(s.to_owned()));
        assert_eq!(parse_money_dong(""), Err(ParseNumberError::Empty));
        assert_eq!(parse_money_dong("  "), Err(ParseNumberError::Empty));
        assert_eq!(parse_money_dong("đồng"), inv("đồng"));
        assert_eq!(parse_money_dong("tỷ đồng"), inv("tỷ đồng"));
        assert_eq!(parse_money_dong("1,5 đồng"), inv("1,5 đồng"));
        assert_eq!(parse_money_dong("1,5"), inv("1,5"));
        assert_eq!(parse_money_dong("1,0000000001 tỷ"), inv("1,0000000001 tỷ"));
        assert_eq!(parse_money_dong("5 đô la"), inv("5 đô la"));
        assert_eq!(parse_money_dong("5 USD"), inv("5 USD"));
        assert_eq!(parse_money_dong("5 đồng tỷ"), inv("5 đồng tỷ"));
        assert_eq!(parse_money_dong("5 tỷ tỷ"), inv("5 tỷ tỷ"));
        assert_eq!(parse_money_dong("$5"), inv("$5"));
        assert_eq!(parse_money_dong("abc"), inv("abc"));
        assert_eq!(parse_money_dong("10.000 tỷ tỷ"), inv("10.000 tỷ tỷ"));
        // Overflow of i64.
        assert_eq!(
            parse_money_dong("10.000.000.000 tỷ"),
            inv("10.000.000.000 tỷ")
        );
        // Errors name the whole input, also for ambiguous numbers.
        assert_eq!(
            parse_money_dong("82.15 tỷ"),
            Err(ParseNumberError::Ambiguous("82.15 tỷ".to_owned()))
        );
        assert_eq!(parse_money_dong("1,2,3 tỷ"), inv("1,2,3 tỷ"));
    }

    #[test]
    fn parse_money_dong_round_trips_short_form() {
        for n in [
            163_400_000_000,
            82_155_000_000,
            3_000_000_000,
            450_000_000,
            1_500_000,
            950_000,
            0,
            -77_630_000_000,
        ] {
            assert_eq!(parse_money_dong(&format_money_short(n)), Ok(n), "{n}");
            assert_eq!(parse_money_dong(&format_money_dong(n)), Ok(n), "{n}");
        }
    }

    // ---- date formatting ----

    #[test]
    fn format_date_examples() {
        assert_eq!(format_date(date!(2015 - 09 - 29)), "29/9/2015");
        assert_eq!(format_date(date!(2022 - 09 - 01)), "1/9/2022");
        assert_eq!(format_date(date!(2024 - 12 - 31)), "31/12/2024");
    }

    #[test]
    fn format_date_long_examples() {
        assert_eq!(
            format_date_long(date!(2022 - 09 - 21)),
            "ngày 21 tháng 9 năm 2022"
        );
        assert_eq!(
            format_date_long(date!(2015 - 01 - 05)),
            "ngày 5 tháng 1 năm 2015"
        );
    }

    #[test]
    fn format_date_en_examples() {
        assert_eq!(format_date_en(date!(2022 - 09 - 21)), "21 Sep 2022");
        assert_eq!(format_date_en(date!(2015 - 09 - 29)), "29 Sep 2015");
        assert_eq!(format_date_en(date!(2022 - 01 - 01)), "1 Jan 2022");
        assert_eq!(format_date_en(date!(2022 - 12 - 25)), "25 Dec 2022");
        assert_eq!(format_date_en(date!(2022 - 05 - 02)), "2 May 2022");
    }

    // ---- parse_date ----

    #[test]
    fn parse_date_numeric_forms() {
        let d = date!(2015 - 09 - 29);
        assert_eq!(parse_date("29/9/2015"), Ok(d));
        assert_eq!(parse_date("29/09/2015"), Ok(d));
        assert_eq!(parse_date("29-9-2015"), Ok(d));
        assert_eq!(parse_date("29.9.2015"), Ok(d));
        assert_eq!(parse_date("2015-09-29"), Ok(d));
        assert_eq!(parse_date("2015/09/29"), Ok(d));
        assert_eq!(parse_date("  29/9/2015 "), Ok(d));
        assert_eq!(parse_date("29 / 9 / 2015"), Ok(d));
        assert_eq!(parse_date("1/9/2022"), Ok(date!(2022 - 09 - 01)));
        assert_eq!(parse_date("01/09/2022"), Ok(date!(2022 - 09 - 01)));
    }

    #[test]
    fn parse_date_long_forms() {
        let d = date!(2022 - 09 - 21);
        assert_eq!(parse_date("ngày 21 tháng 9 năm 2022"), Ok(d));
        assert_eq!(parse_date("Ngày 21 Tháng 9 Năm 2022"), Ok(d));
        assert_eq!(parse_date("NGÀY 21 THÁNG 09 NĂM 2022"), Ok(d));
        assert_eq!(parse_date("  ngày   21  tháng\t9 năm  2022 "), Ok(d));
        let nfd: String = "ngày 21 tháng 9 năm 2022".nfd().collect();
        assert_eq!(parse_date(&nfd), Ok(d));
        assert_eq!(parse_date("ngay 21 thang 9 nam 2022"), Ok(d));
        assert_eq!(parse_date("21 tháng 9 năm 2022"), Ok(d));
        assert_eq!(parse_date("ngày 21/9/2022"), Ok(d));
        assert_eq!(parse_date("Ngày 21-09-2022"), Ok(d));
    }

    #[test]
    fn parse_date_rejects_impossible_dates() {
        assert_eq!(
            parse_date("30/2/2020"),
            Err(ParseDateError::NoSuchDate {
                day: 30,
                month: 2,
                year: 2020
            })
        );
        assert_eq!(
            parse_date("29/2/2021"),
            Err(ParseDateError::NoSuchDate {
                day: 29,
                month: 2,
                year: 2021
            })
        );
        assert_eq!(parse_date("29/2/2020"), Ok(date!(2020 - 02 - 29)));
        assert_eq!(
            parse_date("1/13/2020"),
            Err(ParseDateError::NoSuchDate {
                day: 1,
                month: 13,
                year: 2020
            })
        );
        assert_eq!(
            parse_date("0/1/2020"),
            Err(ParseDateError::NoSuchDate {
                day: 0,
                month: 1,
                year: 2020
            })
        );
        assert_eq!(
            parse_date("ngày 31 tháng 4 năm 2022"),
            Err(ParseDateError::NoSuchDate {
                day: 31,
                month: 4,
                year: 2022
            })
        );
        assert_eq!(
            parse_date("2021-02-29"),
            Err(ParseDateError::NoSuchDate {
                day: 29,
                month: 2,
                year: 2021
            })
        );
    }

    #[test]
    fn parse_date_rejects_bad_formats() {
        let fmt = |s: &str| Err(ParseDateError::Format(s.to_owned()));
        assert_eq!(parse_date(""), Err(ParseDateError::Empty));
        assert_eq!(parse_date("   "), Err(ParseDateError::Empty));
        assert_eq!(parse_date("hôm qua"), fmt("hôm qua"));
        assert_eq!(parse_date("29/9/15"), fmt("29/9/15"));
        assert_eq!(parse_date("29/9"), fmt("29/9"));
        assert_eq!(parse_date("29/9/2015/1"), fmt("29/9/2015/1"));
        assert_eq!(parse_date("29/9-2015"), fmt("29/9-2015"));
        assert_eq!(parse_date("29 9 2015"), fmt("29 9 2015"));
        assert_eq!(parse_date("2 9/9/2015"), fmt("2 9/9/2015"));
        assert_eq!(parse_date("20150929"), fmt("20150929"));
        assert_eq!(parse_date("123/9/2015"), fmt("123/9/2015"));
        assert_eq!(parse_date("29/9/20155"), fmt("29/9/20155"));
        assert_eq!(parse_date("a/b/c"), fmt("a/b/c"));
        assert_eq!(parse_date("ngày 21 tháng 9"), fmt("ngày 21 tháng 9"));
        assert_eq!(
            parse_date("ngày hai mốt tháng 9 năm 2022"),
            fmt("ngày hai mốt tháng 9 năm 2022")
        );
        assert_eq!(parse_date("ngày"), fmt("ngày"));
        assert_eq!(parse_date("2015-9-29T10:00"), fmt("2015-9-29T10:00"));
    }

    #[test]
    fn parse_date_round_trips_formatting() {
        for d in [
            date!(2015 - 09 - 29),
            date!(2022 - 09 - 21),
            date!(2022 - 09 - 01),
            date!(2000 - 02 - 29),
            date!(1999 - 12 - 31),
        ] {
            assert_eq!(parse_date(&format_date(d)), Ok(d));
            assert_eq!(parse_date(&format_date_long(d)), Ok(d));
        }
    }

    #[test]
    fn parse_date_error_messages() {
        assert_eq!(
            ParseDateError::NoSuchDate {
                day: 30,
                month: 2,
                year: 2020
            }
            .to_string(),
            "no such date: day 30, month 2, year 2020"
        );
        assert!(ParseDateError::Format("x".to_owned())
            .to_string()
            .starts_with("unrecognised date: \"x\""));
    }

    // ---- format_datetime ----

    #[test]
    fn format_datetime_converts_to_vietnam_time() {
        assert_eq!(
            format_datetime(datetime!(2015-09-29 07:32 UTC)),
            "14:32 29/9/2015"
        );
        assert_eq!(
            format_datetime(datetime!(2015-09-29 14:32 +7)),
            "14:32 29/9/2015"
        );
        // Crosses midnight into the next day in Vietnam.
        assert_eq!(
            format_datetime(datetime!(2022-08-31 18:05 UTC)),
            "01:05 1/9/2022"
        );
        assert_eq!(
            format_datetime(datetime!(2022-09-01 09:05 +9)),
            "07:05 1/9/2022"
        );
    }

    // ---- days_until labels ----

    #[test]
    fn days_until_labels() {
        let today = date!(2022 - 09 - 21);
        assert_eq!(
            days_until_label_vi(today, date!(2022 - 09 - 26)),
            "còn 5 ngày"
        );
        assert_eq!(days_until_label_vi(today, today), "hôm nay");
        assert_eq!(
            days_until_label_vi(today, date!(2022 - 09 - 19)),
            "trễ 2 ngày"
        );
        assert_eq!(
            days_until_label_vi(today, date!(2022 - 09 - 22)),
            "còn 1 ngày"
        );
        assert_eq!(
            days_until_label_vi(today, date!(2025 - 09 - 21)),
            "còn 1.096 ngày"
        );
        assert_eq!(
            days_until_label_en(today, date!(2022 - 09 - 26)),
            "5 days left"
        );
        assert_eq!(
            days_until_label_en(today, date!(2022 - 09 - 22)),
            "1 day left"
        );
        assert_eq!(days_until_label_en(today, today), "today");
        assert_eq!(
            days_until_label_en(today, date!(2022 - 09 - 20)),
            "1 day late"
        );
        assert_eq!(
            days_until_label_en(today, date!(2022 - 09 - 19)),
            "2 days late"
        );
        // Across a month and a year boundary.
        assert_eq!(
            days_until_label_vi(date!(2022 - 12 - 30), date!(2023 - 01 - 02)),
            "còn 3 ngày"
        );
    }
}
