//! The Fluent catalogue (vi default, en) and language choice.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::Loader;
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::{langid, LanguageIdentifier};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "vi",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LanguageIdentifier = langid!("vi");
static EN: LanguageIdentifier = langid!("en");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// First supported language in an Accept-Language header, else Vietnamese.
    pub fn from_accept_language(header: &str) -> Lang {
        for part in header.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("vi") {
                return Lang::Vi;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Vi
    }
}

/// Look up a message; a missing key shows itself (and is caught by the catalogue test).
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES
        .try_lookup(lang.id(), key)
        .unwrap_or_else(|| key.to_string())
}

/// An argument as Fluent sees it. A small whole number (`"1"`, `"42"`) is a
/// number, so plural selectors (`[one]`, `*[other]`) choose by it; a number
/// written the Vietnamese way (`"3.296"`, `"82,15"`) reads the English way in
/// English (`"3,296"`, `"82.15"`); anything else is text as given.
fn arg_value(lang: Lang, v: &str, convert: bool) -> FluentValue<'static> {
    if let Ok(n) = v.parse::<i64>() {
        if n.to_string() == v && n.abs() < 1000 {
            return FluentValue::from(n);
        }
    }
    if convert && lang == Lang::En {
        if let Some(en) = langnghe_core::vnfmt::vi_number_to_en(v) {
            return FluentValue::from(en);
        }
    }
    FluentValue::from(v.to_string())
}

/// Look up a message with named arguments.
pub fn t_args(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    lookup(lang, key, args, true)
}

/// Like `t_args`, for arguments already written in `lang` (template calls,
/// whose numbers went through the language-aware `num` filter).
pub fn t_args_as_given(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    lookup(lang, key, args, false)
}

fn lookup(lang: Lang, key: &str, args: &[(&str, String)], convert: bool) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Owned(k.to_string()), arg_value(lang, v, convert)))
        .collect();
    LOCALES
        .try_lookup_with_args(lang.id(), key, &map)
        .unwrap_or_else(|| key.to_string())
}

/// Look up a message with a number argument, so plural variants (`[one]`) select on it.
pub fn t_count(lang: Lang, key: &str, name: &str, n: i64, args: &[(&str, String)]) -> String {
    let mut map: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Owned(k.to_string()), FluentValue::from(v.clone())))
        .collect();
    // Small numbers stay numbers (plural variants select on them); from 1.000 up
    // the number is written in the language (vi 1.263, en 1,263), which every
    // plural rule we ship files under "other".
    let value = if n.abs() < 1000 {
        FluentValue::from(n)
    } else {
        FluentValue::from(match lang {
            Lang::Vi => langnghe_core::vnfmt::format_int(n),
            Lang::En => langnghe_core::vnfmt::format_int_en(n),
        })
    };
    map.insert(Cow::Owned(name.to_string()), value);
    LOCALES
        .try_lookup_with_args(lang.id(), key, &map)
        .unwrap_or_else(|| key.to_string())
}

#[cfg(test)]
mod key_coverage;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_a_thousand_are_written_in_the_language() {
        assert_eq!(
            t_count(Lang::Vi, "todo-days-overdue", "days", 1263, &[]),
            "quá hạn 1.263 ngày"
        );
        assert!(t_count(Lang::En, "todo-days-overdue", "days", 1263, &[]).contains("1,263 days"));
        assert!(t_count(Lang::En, "todo-days-overdue", "days", 1, &[]).contains("1 day"));
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let vi = include_str!("../locales/vi/main.ftl");
        let en = include_str!("../locales/en/main.ftl");
        let keys = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" ="))
                .filter_map(|l| l.split(" =").next().map(|k| k.trim().to_string()))
                .collect()
        };
        let (kv, ke) = (keys(vi), keys(en));
        let vars = [
            "shown",
            "reach",
            "page",
            "pages",
            "from",
            "to",
            "total",
            "name",
            "count",
            "date",
            "what",
            "minutes",
            "max",
            "code",
            "min",
            "q",
            "days",
            "value",
            "detail",
            "target",
            "sum",
            "from",
            "label",
            "notified",
            "emailed",
            "period",
            "program",
            "unit",
            "due",
            "when",
            "reason",
            "message",
            "cell",
            "sheet",
            "who",
            "version",
            "expected",
            "submitted",
            "on_time",
            "approved",
            "applicant",
            "state",
            "eligible",
            "ineligible",
            "seconds",
            "year",
            "target",
            "candidates",
            "filters",
            "n",
            "raw",
            "section",
            "decision",
            "missing",
            "note",
            "list",
            "vi",
            "en",
            "rank",
            "round",
            "amount",
            "left",
            "more",
            "district",
            "years",
            "indicators",
            "targets",
            "tasks",
            "pct",
            "line",
            "at",
        ];
        let dummy: Vec<(&str, String)> = vars.iter().map(|v| (*v, "1".to_string())).collect();
        for k in &kv {
            assert!(ke.contains(k), "en lacks {k}");
            for lang in [Lang::Vi, Lang::En] {
                let s = t_args(lang, k, &dummy);
                assert_ne!(&s, k, "{lang:?} lookup fails for {k}");
                assert!(
                    !s.contains("{$") && !s.contains("{ $"),
                    "{k}: unformatted variable in {s}"
                );
            }
        }
        for k in &ke {
            assert!(kv.contains(k), "vi lacks {k}");
        }
        assert!(kv.len() > 50);
    }

    #[test]
    fn lookups_and_args() {
        assert_eq!(t(Lang::Vi, "nav-geography"), "Địa giới hành chính");
        assert_eq!(t(Lang::En, "nav-geography"), "Administrative units");
        let s = t_args(
            Lang::En,
            "list-count",
            &[
                ("from", "1".into()),
                ("to", "50".into()),
                ("total", "1.350".into()),
            ],
        );
        // A number written the Vietnamese way reads the English way in English.
        assert!(s.contains("1,350"), "{s}");
        let vi = t_args(
            Lang::Vi,
            "list-count",
            &[
                ("from", "1".into()),
                ("to", "50".into()),
                ("total", "1.350".into()),
            ],
        );
        assert!(vi.contains("1.350"), "{vi}");
        // Plurals choose by the number.
        assert_eq!(
            t_args(Lang::En, "days-count", &[("days", "1".into())]),
            "1 day"
        );
        assert_eq!(
            t_args(Lang::En, "days-count", &[("days", "3.296".into())]),
            "3,296 days"
        );
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr"), Lang::Vi);
    }
}
