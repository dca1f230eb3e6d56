//! Text helpers: the NFC storage form, Vietnamese search folding, validation
//! of user-supplied text and safe extraction of search terms.
//!
//! Everything here is pure: no I/O, no allocation beyond the returned values.

use thiserror::Error;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Maximum number of terms returned by [`search_terms`].
pub const MAX_SEARCH_TERMS: usize = 10;

/// Maximum length, in characters, of a single term returned by [`search_terms`].
pub const MAX_TERM_CHARS: usize = 64;

/// Why [`clean_text`] rejected a piece of user input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// A C0/C1 control character (other than `\n`, `\r`, `\t`) was found.
    /// `position` is the 0-based index, counted in characters (not bytes),
    /// of the first offending character in the input as given.
    #[error("text contains a control character at character position {position}")]
    ControlChar { position: usize },
    /// The trimmed, NFC-normalised text has `actual` characters, more than `max`.
    #[error("text is too long: {actual} characters, at most {max} allowed")]
    TooLong { max: usize, actual: usize },
}

/// Returns `s` in Unicode Normalization Form C (the storage form).
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Folds `s` for accent- and case-insensitive Vietnamese search matching.
///
/// Steps: lowercase, canonical decomposition (NFD), removal of every
/// combining mark (tones and vowel marks), `đ` → `d`, and whitespace
/// collapsed to single ASCII spaces with no leading or trailing space.
///
/// Precomposed (NFC) and decomposed (NFD) inputs fold identically:
/// `"Làng nghề Bát Tràng"` → `"lang nghe bat trang"`, `"ĐỒNG KỴ"` → `"dong ky"`.
pub fn fold_vi(s: &str) -> String {
    // Lowercasing first means every letter produced by the decomposition
    // below is already lowercase (and `Đ` has become `đ`).
    let lowered = s.to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut pending_space = false;
    for c in lowered.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        // `đ` has no canonical decomposition, so it needs an explicit mapping.
        out.push(if c == 'đ' { 'd' } else { c });
    }
    out
}

/// Returns `true` for control characters that may not be stored: all of
/// C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F), except tab,
/// line feed and carriage return.
fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// Validates and normalises user input before it is stored.
///
/// - The text is converted to NFC.
/// - Any C0/C1 control character (including NUL and DEL) other than `\n`,
///   `\r` and `\t` is rejected with [`TextError::ControlChar`], whose
///   `position` is the character index in the input as given (normalisation
///   never creates, removes or reorders control characters, so it is also
///   the position of the offending character in what the user typed).
/// - Leading and trailing whitespace is trimmed.
/// - Text longer than `max_chars` characters (Unicode scalar values, counted
///   after NFC and trimming) is rejected with [`TextError::TooLong`].
///
/// Everything else is kept intact, including format characters such as
/// right-to-left marks, zero-width joiners and emoji sequences.
pub fn clean_text(s: &str, max_chars: usize) -> Result<String, TextError> {
    if let Some(position) = s.chars().position(is_forbidden_control) {
        return Err(TextError::ControlChar { position });
    }
    let normalized = nfc(s);
    let trimmed = normalized.trim();
    let actual = trimmed.chars().count();
    if actual > max_chars {
        return Err(TextError::TooLong {
            max: max_chars,
            actual,
        });
    }
    Ok(trimmed.to_owned())
}

/// Splits a user's search query into safe, folded search terms.
///
/// The query is folded with [`fold_vi`] and split at every character that is
/// not alphanumeric, so punctuation and query metacharacters (`"`, `*`, `'`,
/// `-`, `(`, `)`, `:`, `^`, `%`, `_`, …) can never appear in a term. Because
/// terms are lowercase, FTS operators such as `AND`, `OR`, `NOT` and `NEAR`
/// (which SQLite FTS5 only recognises in uppercase) cannot appear either.
///
/// Duplicate terms are dropped (first occurrence kept), at most
/// [`MAX_SEARCH_TERMS`] terms are returned, and each term is truncated to
/// [`MAX_TERM_CHARS`] characters.
pub fn search_terms(q: &str) -> Vec<String> {
    let folded = fold_vi(q);
    let mut terms: Vec<String> = Vec::new();
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if terms.len() == MAX_SEARCH_TERMS {
            break;
        }
        if word.is_empty() {
            continue;
        }
        let term: String = word.chars().take(MAX_TERM_CHARS).collect();
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    // ---- nfc ----

    #[test]
    fn nfc_composes_decomposed_input() {
        let decomposed = "Ba\u{300}t Tra\u{300}ng"; // "Bàt Tràng" in NFD
        assert_eq!(nfc(decomposed), "B\u{e0}t Tr\u{e0}ng");
        assert_eq!(nfc(&nfd("Làng nghề")), "Làng nghề");
    }

    #[test]
    fn nfc_is_idempotent_and_keeps_ascii() {
        let s = "Làng gốm Bát Tràng";
        assert_eq!(nfc(&nfc(s)), nfc(s));
        assert_eq!(nfc("plain ascii"), "plain ascii");
        assert_eq!(nfc(""), "");
    }

    #[test]
    fn nfc_multiple_marks_on_one_letter() {
        // ệ = e + circumflex + dot below, marks in either order compose the same.
        assert_eq!(nfc("e\u{302}\u{323}"), "ệ");
        assert_eq!(nfc("e\u{323}\u{302}"), "ệ");
    }

    // ---- fold_vi ----

    #[test]
    fn fold_vi_examples() {
        assert_eq!(fold_vi("Làng nghề Bát Tràng"), "lang nghe bat trang");
        assert_eq!(fold_vi("Đường"), "duong");
        assert_eq!(fold_vi("ĐỒNG KỴ"), "dong ky");
        assert_eq!(fold_vi("đ"), "d");
    }

    #[test]
    fn fold_vi_nfd_input_folds_like_nfc_input() {
        for s in [
            "Làng nghề Bát Tràng",
            "Đường",
            "ĐỒNG KỴ",
            "Vạn Phúc lụa tơ tằm",
            "Hợp tác xã gốm sứ",
            "Phường Ngũ Xã, quận Ba Đình",
        ] {
            assert_eq!(fold_vi(&nfd(s)), fold_vi(s), "input {s:?}");
        }
    }

    #[test]
    fn fold_vi_all_vowel_forms() {
        assert_eq!(
            fold_vi("aàáảãạ ăằắẳẵặ âầấẩẫậ eèéẻẽẹ êềếểễệ"),
            "aaaaaa aaaaaa aaaaaa eeeeee eeeeee"
        );
        assert_eq!(
            fold_vi("iìíỉĩị oòóỏõọ ôồốổỗộ ơờớởỡợ uùúủũụ ưừứửữự yỳýỷỹỵ"),
            "iiiiii oooooo oooooo oooooo uuuuuu uuuuuu yyyyyy"
        );
        assert_eq!(
            fold_vi("ÀÁẢÃẠ ĂẰẮẲẴẶ ÂẦẤẨẪẬ ÊỀẾỂỄỆ ÔỒỐỔỖỘ ƠỜỚỞỠỢ ƯỪỨỬỮỰ ỲÝỶỸỴ"),
            "aaaaa aaaaaa aaaaaa eeeeee oooooo oooooo uuuuuu yyyyy"
        );
    }

    #[test]
    fn fold_vi_collapses_whitespace_and_trims() {
        assert_eq!(
            fold_vi("  Làng \t\n nghề\u{a0}\u{a0}Vạn   Phúc  "),
            "lang nghe van phuc"
        );
        assert_eq!(fold_vi("   "), "");
        assert_eq!(fold_vi(""), "");
    }

    #[test]
    fn fold_vi_keeps_digits_and_punctuation() {
        assert_eq!(fold_vi("Số 12/QĐ-UBND"), "so 12/qd-ubnd");
        assert_eq!(fold_vi("Thôn 3, xã Ninh Hải"), "thon 3, xa ninh hai");
    }

    #[test]
    fn fold_vi_is_idempotent() {
        let once = fold_vi("Nghề Mộc Đồng Kỵ  ");
        assert_eq!(fold_vi(&once), once);
    }

    #[test]
    fn fold_vi_non_vietnamese_latin() {
        assert_eq!(fold_vi("Crème Brûlée"), "creme brulee");
        assert_eq!(fold_vi("İstanbul"), "istanbul");
    }

    // ---- clean_text ----

    #[test]
    fn clean_text_normalises_and_trims() {
        assert_eq!(
            clean_text(&format!("  {}  \n", nfd("Làng nghề")), 100),
            Ok("Làng nghề".to_owned())
        );
    }

    #[test]
    fn clean_text_allows_newline_tab_carriage_return_inside() {
        assert_eq!(
            clean_text("dòng 1\r\ndòng 2\tcột", 100),
            Ok("dòng 1\r\ndòng 2\tcột".to_owned())
        );
    }

    #[test]
    fn clean_text_rejects_nul_with_position() {
        assert_eq!(
            clean_text("abc\0def", 100),
            Err(TextError::ControlChar { position: 3 })
        );
        assert_eq!(
            clean_text("\0", 100),
            Err(TextError::ControlChar { position: 0 })
        );
    }

    #[test]
    fn clean_text_position_counts_characters_not_bytes() {
        // "Đồng" is 4 characters but more bytes; the BEL follows it.
        assert_eq!(
            clean_text("Đồng\u{7}", 100),
            Err(TextError::ControlChar { position: 4 })
        );
    }

    #[test]
    fn clean_text_rejects_other_c0_del_and_c1() {
        for c in [
            '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}', '\u{7f}', '\u{80}', '\u{85}',
            '\u{9f}',
        ] {
            let input = format!("ab{c}");
            assert_eq!(
                clean_text(&input, 100),
                Err(TextError::ControlChar { position: 2 }),
                "char U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn clean_text_rejects_control_even_in_trimmed_region() {
        // Control characters are checked before trimming, so they cannot hide
        // in leading/trailing whitespace.
        assert_eq!(
            clean_text("  x \u{0}", 100),
            Err(TextError::ControlChar { position: 4 })
        );
    }

    #[test]
    fn clean_text_keeps_rtl_marks_and_format_characters() {
        let s = "abc\u{200f}\u{202e}def\u{200d}\u{feff}שלום 👩‍👩‍👧";
        assert_eq!(clean_text(s, 100), Ok(s.to_owned()));
    }

    #[test]
    fn clean_text_too_long() {
        assert_eq!(
            clean_text("Bát Tràng", 8),
            Err(TextError::TooLong { max: 8, actual: 9 })
        );
        assert_eq!(clean_text("Bát Tràng", 9), Ok("Bát Tràng".to_owned()));
    }

    #[test]
    fn clean_text_length_counted_after_nfc_and_trim() {
        // NFD "à" is two code points but one after NFC; surrounding spaces trimmed.
        let input = format!("   {}   ", nfd("àà"));
        assert_eq!(clean_text(&input, 2), Ok("àà".to_owned()));
        assert_eq!(
            clean_text(&input, 1),
            Err(TextError::TooLong { max: 1, actual: 2 })
        );
    }

    #[test]
    fn clean_text_empty_and_zero_max() {
        assert_eq!(clean_text("", 0), Ok(String::new()));
        assert_eq!(clean_text("  \n ", 0), Ok(String::new()));
        assert_eq!(
            clean_text("a", 0),
            Err(TextError::TooLong { max: 0, actual: 1 })
        );
    }

    #[test]
    fn text_error_messages() {
        assert_eq!(
            TextError::ControlChar { position: 3 }.to_string(),
            "text contains a control character at character position 3"
        );
        assert_eq!(
            TextError::TooLong { max: 8, actual: 9 }.to_string(),
            "text is too long: 9 characters, at most 8 allowed"
        );
    }

    // ---- search_terms ----

    #[test]
    fn search_terms_folds_and_splits() {
        assert_eq!(
            search_terms("Làng nghề Bát Tràng"),
            vec!["lang", "nghe", "bat", "trang"]
        );
        assert_eq!(search_terms(&nfd("ĐỒNG KỴ")), vec!["dong", "ky"]);
    }

    #[test]
    fn search_terms_drops_metacharacters() {
        let terms =
            search_terms(r#"  "gốm" OR sứ* -'Bát' (Tràng) NEAR(a b) col:x ^y %z_w; DROP TABLE--"#);
        assert_eq!(
            terms,
            vec!["gom", "or", "su", "bat", "trang", "near", "a", "b", "col", "x"]
        );
        for t in &terms {
            assert!(t.chars().all(char::is_alphanumeric), "term {t:?}");
            assert_eq!(t, &t.to_lowercase());
        }
    }

    #[test]
    fn search_terms_keeps_digits() {
        assert_eq!(
            search_terms("Quyết định 12/QĐ-UBND"),
            vec!["quyet", "dinh", "12", "qd", "ubnd"]
        );
    }

    #[test]
    fn search_terms_empty_or_only_punctuation() {
        assert!(search_terms("").is_empty());
        assert!(search_terms("   ").is_empty());
        assert!(search_terms(r#""*'-()"#).is_empty());
    }

    #[test]
    fn search_terms_limits_count() {
        let q = "a1 a2 a3 a4 a5 a6 a7 a8 a9 a10 a11 a12";
        let terms = search_terms(q);
        assert_eq!(terms.len(), MAX_SEARCH_TERMS);
        assert_eq!(terms.first().map(String::as_str), Some("a1"));
        assert_eq!(terms.last().map(String::as_str), Some("a10"));
    }

    #[test]
    fn search_terms_limits_term_length() {
        let long = "đ".repeat(100);
        let terms = search_terms(&long);
        assert_eq!(terms, vec!["d".repeat(MAX_TERM_CHARS)]);
    }

    #[test]
    fn search_terms_deduplicates() {
        assert_eq!(search_terms("gốm GỐM gom bát"), vec!["gom", "bat"]);
        // Duplicates do not use up the term budget.
        let q = format!("{} b", "a ".repeat(20));
        assert_eq!(search_terms(&q), vec!["a", "b"]);
    }
}
