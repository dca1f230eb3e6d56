//! Small text helpers shared by the writers and the reader.

use time::Date;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// `YYYY-MM-DD`.
pub(crate) fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// NFC form of `s`, without allocating a second copy when it is already NFC.
pub(crate) fn nfc(s: String) -> String {
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s
    } else {
        s.nfc().collect()
    }
}

/// Whether a text would be taken as a formula (or a command) by a spreadsheet
/// program: it starts with `=`, `+`, `-`, `@`, a tab or a carriage return.
pub(crate) fn is_formula_like(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Plain machine form of a float: shortest round-trip digits, `.` as the
/// decimal separator, never an exponent, no `-0`. `None` when not finite.
pub(crate) fn plain_float(v: f64) -> Option<String> {
    if !v.is_finite() {
        return None;
    }
    if v == 0.0 {
        return Some("0".to_owned());
    }
    Some(format!("{v}"))
}

/// A float as a person would have typed it in a spreadsheet: rounded to the 15
/// significant digits Excel keeps (so `0.30000000000000004` is `0.3`), whole
/// numbers without `.0`.
pub(crate) fn typed_float(v: f64) -> String {
    if !v.is_finite() {
        return "#ERR".to_owned();
    }
    let rounded = format!("{v:.14e}").parse::<f64>().unwrap_or(v);
    plain_float(rounded).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn iso_dates_are_zero_padded() {
        assert_eq!(iso_date(date!(2015 - 09 - 29)), "2015-09-29");
        assert_eq!(iso_date(date!(0999 - 01 - 02)), "0999-01-02");
    }

    #[test]
    fn nfc_composes_decomposed_vietnamese() {
        let nfd: String = "Bát Tràng".nfd().collect();
        assert_ne!(nfd, "Bát Tràng");
        assert_eq!(nfc(nfd), "Bát Tràng");
    }

    #[test]
    fn formula_like_prefixes() {
        for s in ["=1+1", "+84", "-5 lao động", "@SUM(A1)", "\tx", "\rx"] {
            assert!(is_formula_like(s), "{s:?}");
        }
        for s in ["", "5", "Bát Tràng", " =1", "'=1"] {
            assert!(!is_formula_like(s), "{s:?}");
        }
    }

    #[test]
    fn floats_are_plain_and_rounded_like_excel() {
        assert_eq!(plain_float(82.155).as_deref(), Some("82.155"));
        assert_eq!(plain_float(-0.0).as_deref(), Some("0"));
        assert_eq!(plain_float(1e21).as_deref(), Some("1000000000000000000000"));
        assert_eq!(plain_float(f64::NAN), None);
        assert_eq!(typed_float(0.1 + 0.2), "0.3");
        assert_eq!(typed_float(17800.0), "17800");
        assert_eq!(typed_float(-5.0), "-5");
        assert_eq!(typed_float(1.0e-7), "0.0000001");
        assert_eq!(typed_float(f64::INFINITY), "#ERR");
    }
}
