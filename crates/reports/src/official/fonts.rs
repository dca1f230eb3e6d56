//! The fonts of the PDF: Liberation Serif 2.1.5 (metric-compatible with Times New
//! Roman), shipped in `assets/fonts/` with its licence (SIL OFL 1.1) and embedded in
//! the binary. Parsed once per process.

use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

/// Family name the template asks for.
#[cfg(test)]
pub(crate) const FAMILY: &str = "Liberation Serif";

/// (file name, data) of the four faces.
pub(crate) const FACES: [(&str, &[u8]); 4] = [
    (
        "LiberationSerif-Regular.ttf",
        include_bytes!("../../../../assets/fonts/LiberationSerif-Regular.ttf"),
    ),
    (
        "LiberationSerif-Bold.ttf",
        include_bytes!("../../../../assets/fonts/LiberationSerif-Bold.ttf"),
    ),
    (
        "LiberationSerif-Italic.ttf",
        include_bytes!("../../../../assets/fonts/LiberationSerif-Italic.ttf"),
    ),
    (
        "LiberationSerif-BoldItalic.ttf",
        include_bytes!("../../../../assets/fonts/LiberationSerif-BoldItalic.ttf"),
    ),
];

pub(crate) struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

/// The parsed fonts and their book, built on first use.
pub(crate) fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = FACES
            .iter()
            .flat_map(|(_, data)| Font::iter(Bytes::new(*data)))
            .collect();
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        Fonts { book, fonts }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst::text::{FontStyle, FontWeight};
    use unicode_normalization::UnicodeNormalization;

    /// Every letter of the Vietnamese alphabet, upper and lower case, with every
    /// tone mark, composed (NFC), plus the letters of the brief's list.
    fn vietnamese_letters() -> Vec<char> {
        let mut out: Vec<char> = ('a'..='z').chain('A'..='Z').collect();
        out.extend("ĐđĂăÂâÊêÔôƠơƯư".chars());
        // grave, acute, hook above, tilde, dot below
        let tones = ['\u{300}', '\u{301}', '\u{309}', '\u{303}', '\u{323}'];
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY".chars() {
            for tone in tones {
                let composed: Vec<char> = [base, tone].iter().collect::<String>().nfc().collect();
                assert_eq!(composed.len(), 1, "{base}+{tone:?} does not compose");
                out.extend(composed);
            }
        }
        out.extend("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư".chars());
        // U+1EA0 Ạ … U+1EF9 ỹ
        out.extend('\u{1EA0}'..='\u{1EF9}');
        // Punctuation the layout itself uses.
        out.extend("…–:;,.-()/%".chars());
        out
    }

    #[test]
    fn the_four_faces_are_loaded() {
        let f = fonts();
        assert_eq!(f.fonts.len(), 4);
        let mut seen: Vec<(FontStyle, FontWeight)> = f
            .fonts
            .iter()
            .map(|font| {
                assert_eq!(font.info().family, FAMILY);
                (font.info().variant.style, font.info().variant.weight)
            })
            .collect();
        seen.sort_by_key(|(s, w)| (*s as u8, w.to_number()));
        assert_eq!(
            seen,
            vec![
                (FontStyle::Normal, FontWeight::REGULAR),
                (FontStyle::Normal, FontWeight::BOLD),
                (FontStyle::Italic, FontWeight::REGULAR),
                (FontStyle::Italic, FontWeight::BOLD),
            ]
        );
    }

    #[test]
    fn every_face_covers_the_vietnamese_alphabet() {
        let letters = vietnamese_letters();
        assert!(letters.len() > 200, "{}", letters.len());
        for (name, data) in FACES {
            // The cmap, read with ttf-parser.
            let face = ttf_parser::Face::parse(data, 0).expect("font parses");
            let missing: String = letters
                .iter()
                .filter(|c| face.glyph_index(**c).is_none_or(|g| g.0 == 0))
                .collect();
            assert!(missing.is_empty(), "{name} lacks {missing:?}");
            // typst's own coverage table (built from the cmap) agrees.
            let font = Font::new(Bytes::new(data), 0).expect("font parses");
            let coverage = &font.info().coverage;
            assert!(letters.iter().all(|c| coverage.contains(u32::from(*c))));
        }
    }
}
