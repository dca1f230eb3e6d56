//! No raw key reaches a person: every message key the code names renders,
//! in both languages, to a sentence (not to itself, not with a `{$var}` left).
//!
//! Keys are collected from the source, by the ways the code names them
//! (documented here so a new way is added here too):
//!
//! - `t(LANG, "key")`, `t_args(LANG, "key", …)`, `t_args_as_given(LANG, "key", …)`
//!   in `crates/web/src/**/*.rs`;
//! - `FieldError::new(FIELD, "key")`, `.arg_key(NAME, "key")`, `err("key")`
//!   (registry validation), `AppError::bad("key")`, `key: "key"` (a
//!   `BadRequest`, a store `Refusal::Scheme`) in `crates/web/src` and
//!   `crates/store/src`;
//! - key constants of the domain rules: every literal `"error-…"`,
//!   `"report-…"`, `"app-…"`, `"scheme-…"` in `crates/core/src`;
//! - `t("key")` / `t('key')` in `crates/web/templates/**/*.html`;
//! - keys made from a prefix and an enumeration (`report-state-{state}`,
//!   `period-name-{kind}`, `period-kind-{kind}`), listed from the enums.
//!
//! Keys computed from data at run time (`field-{name}` labels, `enum-…`) are
//! looked up with a fallback and are not listed here.

use super::{t_args, Lang};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

fn is_key(s: &str) -> bool {
    // A literal ending in `-` is a prefix (`t("level-" ~ x)`), completed at run time.
    s.contains('-')
        && !s.ends_with('-')
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The string literal starting at `rest` (after optional spaces), if any.
fn literal(rest: &str) -> Option<&str> {
    let rest = rest.trim_start();
    let q = rest.chars().next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let body = &rest[1..];
    body.find(q).map(|end| &body[..end])
}

/// After `marker`, skip `skip_args` arguments (to the next top-level comma) and read the literal.
fn scan(src: &str, marker: &str, skip_args: usize, out: &mut BTreeSet<String>) {
    let mut from = 0;
    while let Some(i) = src[from..].find(marker) {
        let start = from + i;
        from = start + marker.len();
        // `t(` must be the function, not the end of another name (`format!(`, `get(`).
        if marker == "t(" {
            let prev = src[..start].chars().next_back();
            if prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
        }
        let mut rest = &src[from..];
        let mut ok = true;
        for _ in 0..skip_args {
            let mut depth = 0i32;
            let mut cut = None;
            for (j, c) in rest.char_indices() {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' if depth == 0 => break,
                    ')' | ']' | '}' => depth -= 1,
                    ',' if depth == 0 => {
                        cut = Some(j + 1);
                        break;
                    }
                    _ => {}
                }
            }
            match cut {
                Some(j) => rest = &rest[j..],
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            continue;
        }
        if let Some(k) = literal(rest).filter(|k| is_key(k)) {
            out.insert(k.to_string());
        }
    }
}

fn used_keys() -> BTreeSet<String> {
    let root = root();
    let mut keys = BTreeSet::new();
    let mut rs = vec![];
    files(&root.join("crates/web/src"), "rs", &mut rs);
    files(&root.join("crates/store/src"), "rs", &mut rs);
    for p in &rs {
        // Seed data names records (content keys such as "dao-tao"), not messages.
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "key_coverage.rs" || name.ends_with("_seed.rs") || name == "seed.rs" {
            continue;
        }
        let src = std::fs::read_to_string(p).unwrap_or_default();
        scan(&src, "t(", 1, &mut keys);
        scan(&src, "t_args(", 1, &mut keys);
        scan(&src, "t_args_as_given(", 1, &mut keys);
        scan(&src, "FieldError::new(", 1, &mut keys);
        scan(&src, "arg_key(", 1, &mut keys);
        scan(&src, "AppError::bad(", 0, &mut keys);
        scan(&src, " err(", 0, &mut keys);
        scan(&src, "key: ", 0, &mut keys);
    }
    let mut core = vec![];
    files(&root.join("crates/core/src"), "rs", &mut core);
    for p in &core {
        let src = std::fs::read_to_string(p).unwrap_or_default();
        for part in src.split('"').skip(1).step_by(2) {
            if is_key(part)
                && ["error-", "report-", "app-", "scheme-"]
                    .iter()
                    .any(|pre| part.starts_with(pre))
            {
                keys.insert(part.to_string());
            }
        }
    }
    let mut html = vec![];
    files(&root.join("crates/web/templates"), "html", &mut html);
    for p in &html {
        let src = std::fs::read_to_string(p).unwrap_or_default();
        scan(&src, "t(", 0, &mut keys);
    }
    use langnghe_core::report::{PeriodKind, ReportState};
    for s in [
        ReportState::Draft,
        ReportState::Submitted,
        ReportState::Returned,
        ReportState::Approved,
        ReportState::Locked,
    ] {
        keys.insert(format!("report-state-{}", s.as_str()));
    }
    for k in [PeriodKind::FirstHalf, PeriodKind::Annual, PeriodKind::AdHoc] {
        keys.insert(format!("period-name-{}", k.as_str()));
        keys.insert(format!("period-kind-{}", k.as_str()));
    }
    keys
}

/// The keys of a catalogue file and the variable names its messages use.
fn catalogue(src: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut keys = BTreeSet::new();
    let mut vars = BTreeSet::new();
    for l in src.lines() {
        if !l.starts_with('#') && !l.starts_with(' ') && l.contains(" =") {
            if let Some(k) = l.split(" =").next() {
                keys.insert(k.trim().to_string());
            }
        }
        for part in l.split('$').skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                vars.insert(name);
            }
        }
    }
    (keys, vars)
}

#[test]
fn every_key_used_in_code_renders_in_both_languages() {
    let used = used_keys();
    let vi = include_str!("../../locales/vi/main.ftl");
    let en = include_str!("../../locales/en/main.ftl");
    let (kv, mut vars) = catalogue(vi);
    let (ke, vars_en) = catalogue(en);
    vars.extend(vars_en);
    assert_eq!(
        kv.symmetric_difference(&ke).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "vi and en catalogues must have the same keys"
    );
    let dummy: Vec<(&str, String)> = vars.iter().map(|v| (v.as_str(), "7".to_string())).collect();
    let mut missing = vec![];
    for k in &used {
        for lang in [Lang::Vi, Lang::En] {
            let s = t_args(lang, k, &dummy);
            if &s == k || s.contains("{$") || s.contains("{ $") || s.trim().is_empty() {
                missing.push(format!("{lang:?} {k} → {s}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys that would reach a person raw:\n{}",
        missing.join("\n")
    );
    // The scan finds what it should (a guard against a scanner that finds nothing).
    for k in [
        "error-number",
        "error-period-exists",
        "report-error-not-editable",
        "scheme-closed-for-registration",
        "error-summary-title",
        "period-name-first_half",
    ] {
        assert!(used.contains(k), "scanner missed {k}");
    }
    eprintln!(
        "message keys used in code and rendered in vi and en: {}",
        used.len()
    );
    assert!(used.len() > 400, "only {} keys found", used.len());
}
