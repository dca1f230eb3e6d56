//! Places by name: every admin-unit field and filter takes a code or a name
//! ("Lào Cai", "bat xat", "Y Tý, Lào Cai" or a picker label). The rule of
//! which unit a name means is `langnghe_core::place::pick`; this module
//! loads the candidates and turns the outcome into a unit or a field error.

use crate::error::{AppResult, FieldError};
use crate::i18n::{t, Lang};
use langnghe_core::geo::Level;
use langnghe_core::place::{self, Candidate, Pick};
use langnghe_store::geo::{self as store, AdminUnit, UnitChoice};
use langnghe_store::Db;
use time::Date;

/// Longest text read as a place.
pub const MAX_PLACE_CHARS: usize = 200;

/// What a typed place resolved to.
#[derive(Debug, Clone)]
pub enum Found {
    Unit(AdminUnit),
    Unknown,
    /// Labels of the units it may mean (at most 8).
    Ambiguous(Vec<String>),
}

/// "Xã Y Tý — Huyện Bát Xát — Tỉnh Lào Cai (trước 1/7/2025)".
pub fn label(lang: Lang, c: &UnitChoice) -> String {
    let mut s = c.unit.name.clone();
    for p in c.parents() {
        s.push_str(" — ");
        s.push_str(&p);
    }
    match c.unit.era.as_str() {
        "old" => format!("{s} ({})", t(lang, "place-era-old")),
        "new" => format!("{s} ({})", t(lang, "place-era-new")),
        _ => s,
    }
}

/// The label of a unit a list is filtered by, with its parents and era ("Lào
/// Cai" shows which Lào Cai it was read as); none for no unit.
pub async fn unit_label(
    db: &langnghe_store::Db,
    lang: Lang,
    unit_id: Option<i64>,
) -> crate::error::AppResult<Option<String>> {
    let Some(id) = unit_id else { return Ok(None) };
    Ok(langnghe_store::geo::choice_by_id(db, id)
        .await?
        .map(|c| label(lang, &c)))
}

/// Resolve a code or a name. `level` narrows names to one level (the
/// `province=` filter); `day` is the date the structure is taken at (none:
/// today's units first, then those before the reform).
pub async fn find(
    db: &Db,
    lang: Lang,
    raw: &str,
    level: Option<Level>,
    day: Option<Date>,
) -> AppResult<Found> {
    let raw = raw.trim();
    if raw.is_empty() || raw.chars().count() > MAX_PLACE_CHARS {
        return Ok(Found::Unknown);
    }
    let today = crate::common::today();
    if place::looks_like_code(raw) {
        return Ok(match store::resolve(db, raw, day, today).await? {
            Some(u) => Found::Unit(u),
            None => Found::Unknown,
        });
    }
    let q = place::parse_query(raw);
    if q.key.is_empty() {
        return Ok(Found::Unknown);
    }
    let rows = store::by_place_key(db, &q.key, level, day).await?;
    let on = day.unwrap_or(today);
    let cands: Vec<Candidate> = rows
        .iter()
        .map(|c| Candidate {
            name: c.unit.name.clone(),
            level: Level::parse(&c.unit.level).unwrap_or(Level::Commune),
            parents: c.parents(),
            old: c.unit.era == "old",
            in_force: c.unit.valid_on(on),
        })
        .collect();
    Ok(match place::pick(&q, &cands) {
        Pick::One(i) => match rows.into_iter().nth(i) {
            Some(c) => Found::Unit(c.unit),
            None => Found::Unknown,
        },
        Pick::Many(ix) => Found::Ambiguous(
            ix.into_iter()
                .take(8)
                .filter_map(|i| rows.get(i).map(|c| label(lang, c)))
                .collect(),
        ),
        Pick::None => Found::Unknown,
    })
}

/// The field error for a place that did not resolve.
pub fn error(field: &str, raw: &str, found: &Found) -> FieldError {
    let shown: String = raw.trim().chars().take(100).collect();
    match found {
        Found::Ambiguous(labels) => FieldError::new(field, "error-ambiguous-unit")
            .arg("value", shown)
            .arg("candidates", labels.join("; ")),
        _ if place::looks_like_code(raw) => {
            FieldError::new(field, "error-unknown-unit").arg("code", shown)
        }
        _ => FieldError::new(field, "error-unknown-place").arg("value", shown),
    }
}

/// [`find`] for a form field or filter: the unit, or the error naming `field`.
pub async fn field(
    db: &Db,
    lang: Lang,
    field: &str,
    raw: &str,
    level: Option<Level>,
    day: Option<Date>,
) -> AppResult<Result<AdminUnit, FieldError>> {
    let found = find(db, lang, raw, level, day).await?;
    Ok(match found {
        Found::Unit(u) => Ok(u),
        other => Err(error(field, raw, &other)),
    })
}

/// [`field`] for a list of records that sit in some units only (reports): a
/// name means first the unit of that name that holds any (`holds`), so
/// "Bát Xát" finds the district whose committee reports even where a commune
/// of the same name is the unit in force today; no such unit: as [`field`].
pub async fn field_among(
    db: &Db,
    lang: Lang,
    name: &str,
    raw: &str,
    holding: &[i64],
) -> AppResult<Result<AdminUnit, FieldError>> {
    let trimmed = raw.trim();
    if !place::looks_like_code(trimmed) && trimmed.chars().count() <= MAX_PLACE_CHARS {
        let q = place::parse_query(trimmed);
        if !q.key.is_empty() {
            let rows: Vec<UnitChoice> = store::by_place_key(db, &q.key, None, None)
                .await?
                .into_iter()
                .filter(|c| holding.contains(&c.unit.id))
                .collect();
            let today = crate::common::today();
            let cands: Vec<Candidate> = rows
                .iter()
                .map(|c| Candidate {
                    name: c.unit.name.clone(),
                    level: Level::parse(&c.unit.level).unwrap_or(Level::Commune),
                    parents: c.parents(),
                    old: c.unit.era == "old",
                    in_force: c.unit.valid_on(today),
                })
                .collect();
            match place::pick(&q, &cands) {
                Pick::One(i) => {
                    if let Some(c) = rows.into_iter().nth(i) {
                        return Ok(Ok(c.unit));
                    }
                }
                Pick::Many(ix) => {
                    let labels = ix
                        .into_iter()
                        .take(8)
                        .filter_map(|i| rows.get(i).map(|c| label(lang, c)))
                        .collect();
                    return Ok(Err(error(name, raw, &Found::Ambiguous(labels))));
                }
                Pick::None => {}
            }
        }
    }
    field(db, lang, name, raw, None, None).await
}
