//! Finding administrative units by what people type: a name without
//! diacritics ("bat xat"), with or without its kind ("Huyện Bát Xát"), or a
//! picker label with its parents ("Xã Y Tý — Huyện Bát Xát — Tỉnh Lào Cai
//! (trước 1/7/2025)"). Pure rules; the store supplies the candidates.

use crate::geo::Level;
use crate::text::fold_vi;

/// Kinds of unit that prefix official names, folded, longest first.
const KINDS: &[&str] = &[
    "thanh pho truc thuoc trung uong",
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "phuong",
    "huyen",
    "quan",
    "tinh",
    "xa",
];

/// The folded name without its kind: "Huyện Bát Xát" → "bat xat",
/// "Thị trấn Bát Xát" → "bat xat", "bat xat" → "bat xat".
/// A name that is only a kind word ("Xã") keeps it.
pub fn place_key(name: &str) -> String {
    let f = fold_vi(name);
    for k in KINDS {
        if let Some(rest) = f.strip_prefix(k) {
            if let Some(rest) = rest.strip_prefix(' ') {
                if !rest.is_empty() {
                    return rest.to_string();
                }
            }
        }
    }
    f
}

/// What was typed, split into the unit's own name and its qualifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceQuery {
    /// Folded full first part ("xa y ty").
    pub full: String,
    /// Its key without the kind ("y ty").
    pub key: String,
    /// Whether the first part carried a kind word ("Xã Y Tý").
    pub has_kind: bool,
    /// Keys of the parents named after it, nearest first.
    pub parents: Vec<String>,
    /// `Some(true)` when the text says "before the reform", `Some(false)` "since".
    pub old_era: Option<bool>,
}

/// Read a typed place: parts separated by "—", "–", ",", ";" or " - ", an
/// optional era in parentheses at the end.
pub fn parse_query(s: &str) -> PlaceQuery {
    let mut text = s.trim().to_string();
    let mut old_era = None;
    if let (Some(open), true) = (text.rfind('('), text.ends_with(')')) {
        let era = fold_vi(&text[open..]);
        if era.contains("truoc") || era.contains("before") {
            old_era = Some(true);
        } else if era.contains("tu ") || era.contains("since") || era.contains("from") {
            old_era = Some(false);
        }
        text.truncate(open);
    }
    let normalised = text.replace(" - ", "—").replace(['–', ',', ';'], "—");
    let mut parts = normalised
        .split('—')
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let first = parts.next().unwrap_or("");
    let full = fold_vi(first);
    let key = place_key(first);
    PlaceQuery {
        has_kind: key != full,
        full,
        key,
        parents: parts.map(place_key).collect(),
        old_era,
    }
}

/// A unit the store found for a key.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub name: String,
    pub level: Level,
    /// Parent names, nearest first (the country left out).
    pub parents: Vec<String>,
    /// Whether the unit belongs to the structure before 1/7/2025.
    pub old: bool,
    /// Whether it is in force on the day asked for (or today).
    pub in_force: bool,
}

/// The outcome of matching a typed place against candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    One(usize),
    /// Indexes of the candidates that fit equally well.
    Many(Vec<usize>),
    None,
}

/// Choose the unit a person meant.
///
/// 1. Keep candidates whose key equals the typed key; when a kind was typed
///    ("Huyện Bát Xát"), the full folded name must match too.
/// 2. Each typed parent must match one of the candidate's parents (by key).
/// 3. An era in the text keeps only units of that era; otherwise units in
///    force on the day are preferred over the others.
/// 4. Among what is left, a bare name shared by units of different levels
///    means the largest one ("Lào Cai" is the province, not the ward) when
///    only one unit has that level.
pub fn pick(q: &PlaceQuery, cands: &[Candidate]) -> Pick {
    if q.key.is_empty() {
        return Pick::None;
    }
    let mut fit: Vec<usize> = cands
        .iter()
        .enumerate()
        .filter(|(_, c)| place_key(&c.name) == q.key)
        .filter(|(_, c)| !q.has_kind || fold_vi(&c.name) == q.full)
        .filter(|(_, c)| {
            q.parents
                .iter()
                .all(|p| c.parents.iter().any(|cp| place_key(cp) == *p))
        })
        .filter(|(_, c)| q.old_era.is_none_or(|old| c.old == old))
        .map(|(i, _)| i)
        .collect();
    if fit.iter().any(|&i| cands[i].in_force) {
        fit.retain(|&i| cands[i].in_force);
    }
    match fit.len() {
        0 => return Pick::None,
        1 => return Pick::One(fit[0]),
        _ => {}
    }
    let top = fit.iter().map(|&i| cands[i].level).min();
    let at_top: Vec<usize> = fit
        .iter()
        .copied()
        .filter(|&i| Some(cands[i].level) == top)
        .collect();
    if at_top.len() == 1 {
        return Pick::One(at_top[0]);
    }
    Pick::Many(fit)
}

/// Whether a typed value looks like an official code (digits, or `VN`).
pub fn looks_like_code(s: &str) -> bool {
    let s = s.trim();
    s == "VN" || (!s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_digit()))
}

/// A piece of a file name: ASCII letters and digits (diacritics removed, đ →
/// d), words joined by `-`, case kept: "Tỉnh Lào Cai" → "Tinh-Lao-Cai".
pub fn ascii_file_part(s: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    let mut sep = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c);
        } else {
            sep = true;
        }
    }
    out.chars().take(60).collect()
}

/// A unit's name without its kind word, for file names: "Tỉnh Lào Cai" → "Lào Cai".
pub fn name_without_kind(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let key_words = place_key(name).split(' ').count();
    let drop = words.len().saturating_sub(key_words);
    words[drop..].join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, level: Level, parents: &[&str], old: bool, in_force: bool) -> Candidate {
        Candidate {
            name: name.into(),
            level,
            parents: parents.iter().map(|s| s.to_string()).collect(),
            old,
            in_force,
        }
    }

    #[test]
    fn keys_drop_kind_and_marks() {
        assert_eq!(place_key("Huyện Bát Xát"), "bat xat");
        assert_eq!(place_key("Thị trấn Bát Xát"), "bat xat");
        assert_eq!(place_key("bat xat"), "bat xat");
        assert_eq!(place_key("Tỉnh Lào Cai"), "lao cai");
        assert_eq!(place_key("Thành phố Hà Nội"), "ha noi");
        assert_eq!(place_key("Xã Y Tý"), "y ty");
        assert_eq!(place_key("  XÃ   Y TÝ "), "y ty");
        assert_eq!(place_key("Xã"), "xa");
        assert_eq!(place_key("Phường Đồng Xuân"), "dong xuan");
    }

    #[test]
    fn reads_picker_labels() {
        let q = parse_query("Xã Y Tý — Huyện Bát Xát — Tỉnh Lào Cai (trước 1/7/2025)");
        assert_eq!(q.key, "y ty");
        assert!(q.has_kind);
        assert_eq!(q.parents, vec!["bat xat", "lao cai"]);
        assert_eq!(q.old_era, Some(true));
        let q = parse_query("y ty, lao cai");
        assert_eq!(q.key, "y ty");
        assert!(!q.has_kind);
        assert_eq!(q.parents, vec!["lao cai"]);
        assert_eq!(q.old_era, None);
        assert_eq!(
            parse_query("Commune Y Tý (since 1 Jul 2025)").old_era,
            Some(false)
        );
    }

    fn lao_cai() -> Vec<Candidate> {
        vec![
            c("Tỉnh Lào Cai", Level::Province, &[], true, false),
            c(
                "Thành phố Lào Cai",
                Level::District,
                &["Tỉnh Lào Cai"],
                true,
                false,
            ),
            c(
                "Phường Lào Cai",
                Level::Commune,
                &["Thành phố Lào Cai", "Tỉnh Lào Cai"],
                true,
                false,
            ),
            c("Tỉnh Lào Cai", Level::Province, &[], false, true),
            c(
                "Phường Lào Cai",
                Level::Commune,
                &["Tỉnh Lào Cai"],
                false,
                true,
            ),
        ]
    }

    #[test]
    fn a_bare_name_means_the_largest_unit_in_force() {
        assert_eq!(pick(&parse_query("Lào Cai"), &lao_cai()), Pick::One(3));
        assert_eq!(pick(&parse_query("lao cai"), &lao_cai()), Pick::One(3));
        assert_eq!(
            pick(&parse_query("Phường Lào Cai"), &lao_cai()),
            Pick::One(4)
        );
        assert_eq!(
            pick(&parse_query("Tỉnh Lào Cai (trước 1/7/2025)"), &lao_cai()),
            Pick::One(0)
        );
        assert_eq!(
            pick(&parse_query("Thành phố Lào Cai"), &lao_cai()),
            Pick::One(1)
        );
    }

    #[test]
    fn same_name_same_level_is_ambiguous_until_a_parent_is_given() {
        let cands = vec![
            c(
                "Xã Tân Thịnh",
                Level::Commune,
                &["Huyện Văn Chấn", "Tỉnh Yên Bái"],
                true,
                true,
            ),
            c(
                "Xã Tân Thịnh",
                Level::Commune,
                &["Tỉnh Thái Nguyên"],
                false,
                true,
            ),
        ];
        assert_eq!(
            pick(&parse_query("tan thinh"), &cands),
            Pick::Many(vec![0, 1])
        );
        assert_eq!(
            pick(&parse_query("Tân Thịnh, Thái Nguyên"), &cands),
            Pick::One(1)
        );
        assert_eq!(pick(&parse_query("Tân Thịnh, Hà Nội"), &cands), Pick::None);
    }

    #[test]
    fn nothing_for_unknown_or_empty() {
        assert_eq!(pick(&parse_query("Atlantis"), &lao_cai()), Pick::None);
        assert_eq!(pick(&parse_query("  "), &lao_cai()), Pick::None);
        // A kind that does not match the candidate's kind.
        assert_eq!(pick(&parse_query("Huyện Lào Cai"), &lao_cai()), Pick::None);
    }

    #[test]
    fn file_parts_are_ascii() {
        assert_eq!(ascii_file_part("Làng nghề"), "Lang-nghe");
        assert_eq!(
            ascii_file_part(&name_without_kind("Tỉnh Lào Cai")),
            "Lao-Cai"
        );
        assert_eq!(ascii_file_part("Đồng Kỵ / \"x\""), "Dong-Ky-x");
        assert_eq!(name_without_kind("Thành phố Hà Nội"), "Hà Nội");
        assert_eq!(name_without_kind("Xã"), "Xã");
    }

    #[test]
    fn codes_are_told_from_names() {
        assert!(looks_like_code("02701"));
        assert!(looks_like_code("VN"));
        assert!(!looks_like_code("Lào Cai"));
        assert!(!looks_like_code(""));
    }

    proptest::proptest! {
        /// Case and diacritics never change which unit is picked.
        #[test]
        fn picking_ignores_case_and_marks(upper in proptest::bool::ANY, idx in 0usize..5) {
            let names = ["Lào Cai", "Phường Lào Cai", "Tỉnh Lào Cai", "Thành phố Lào Cai", "lao cai"];
            let typed = names[idx];
            let plain = fold_vi(typed);
            let typed2 = if upper { typed.to_uppercase() } else { typed.to_string() };
            proptest::prop_assert_eq!(
                pick(&parse_query(&typed2), &lao_cai()),
                pick(&parse_query(&plain), &lao_cai())
            );
        }
    }
}
