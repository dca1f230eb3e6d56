//! The registry: craft villages, crafts, establishments, artisans, products,
//! environment assessments and legal documents. One generic set of pages and
//! API endpoints driven by the entity specs; the legal rules (recognition
//! checklist, OCOP, environment) on top.

pub mod api;
pub mod files;
pub mod import;
pub mod pages;
pub mod validate;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::non_empty;
use crate::i18n::{t, Lang};
use crate::AppState;
use langnghe_core::registry::CraftGroup;
use langnghe_core::vnfmt;
use langnghe_store::registry::spec::{Entity, Field, Kind};
use langnghe_store::registry::{ListQuery, Record, Special, Val};
use serde::Deserialize;
use serde_json::Value;

/// Filters, sort and paging of every registry list (page, API and export alike).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistryQuery {
    /// Search text (ranked, tolerant of missing diacritics).
    pub q: Option<String>,
    /// Official code of a province, district or commune (any structure): records within it.
    pub unit: Option<String>,
    /// Province code (used when `unit` is not given).
    pub province: Option<String>,
    /// District code (pre-2025).
    pub district: Option<String>,
    /// Commune code.
    pub commune: Option<String>,
    /// Date at which unit codes are read (default today, else the last pre-reform unit).
    pub as_of: Option<String>,
    /// Villages: Decree 52/2018 craft group (1-7) of their crafts.
    pub craft_group: Option<String>,
    /// Villages: recognised, traditional, at_risk, restoring, new, inactive.
    pub status: Option<String>,
    /// Crafts: `true`/`false`. Villages: `true` = traditional villages.
    pub traditional: Option<String>,
    /// Products: 1-5.
    pub ocop_stars: Option<String>,
    /// Products: `expiring` (within 90 days) or `expired`.
    pub ocop_status: Option<String>,
    /// Villages: `meets`, `minor`, `polluted`.
    pub environment_class: Option<String>,
    /// Villages: `true` = no environment assessment in the last 2 years.
    pub environment_overdue: Option<String>,
    pub ethnic_group: Option<String>,
    /// Establishments: household, cooperative, enterprise, coop_group.
    pub kind: Option<String>,
    /// Artisans: people, meritorious, provincial, skilled.
    pub title: Option<String>,
    pub tourism: Option<String>,
    pub village_id: Option<String>,
    pub craft_id: Option<String>,
    pub classification: Option<String>,
    pub year: Option<String>,
    /// A sortable field, `-field` for descending.
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Keyset paging: the `next` of the previous page (opaque); in place of `offset`,
    /// and as fast on page 10.000 as on page 1. Only with the sort it was made for.
    pub after: Option<String>,
    /// `xlsx` or `csv`: the whole filtered list as a file.
    pub format: Option<String>,
    /// Pages: the list columns to show, comma-separated keys (default: those not empty in view).
    #[param(ignore)]
    pub cols: Option<String>,
    #[param(ignore)]
    pub page: Option<i64>,
}

impl RegistryQuery {
    /// The query string that reproduces these filters (for links, export buttons and sharing).
    pub fn to_query_string(&self, without: &[&str]) -> String {
        let pairs: Vec<(&str, &Option<String>)> = vec![
            ("q", &self.q),
            ("unit", &self.unit),
            ("province", &self.province),
            ("district", &self.district),
            ("commune", &self.commune),
            ("as_of", &self.as_of),
            ("craft_group", &self.craft_group),
            ("status", &self.status),
            ("traditional", &self.traditional),
            ("ocop_stars", &self.ocop_stars),
            ("ocop_status", &self.ocop_status),
            ("environment_class", &self.environment_class),
            ("environment_overdue", &self.environment_overdue),
            ("ethnic_group", &self.ethnic_group),
            ("kind", &self.kind),
            ("title", &self.title),
            ("tourism", &self.tourism),
            ("village_id", &self.village_id),
            ("craft_id", &self.craft_id),
            ("classification", &self.classification),
            ("year", &self.year),
            ("sort", &self.sort),
            ("cols", &self.cols),
        ];
        let kept: Vec<(&str, String)> = pairs
            .into_iter()
            .filter(|(k, _)| !without.contains(k))
            .filter_map(|(k, v)| non_empty(v).map(|v| (k, v)))
            .collect();
        serde_urlencoded::to_string(kept).unwrap_or_default()
    }
}

fn parse_bool_param(v: &str) -> Option<bool> {
    match v {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Turn the query into a store list request, checking every value.
pub async fn list_query(
    state: &AppState,
    lang: crate::i18n::Lang,
    scope_id: i64,
    e: Entity,
    q: &RegistryQuery,
) -> AppResult<ListQuery> {
    Ok(list_query_unit(state, lang, scope_id, e, q).await?.0)
}

/// [`list_query`] with the unit the filter resolved to (for titles and file names).
pub async fn list_query_unit(
    state: &AppState,
    lang: crate::i18n::Lang,
    scope_id: i64,
    e: Entity,
    q: &RegistryQuery,
) -> AppResult<(ListQuery, Option<langnghe_store::geo::AdminUnit>)> {
    let mut lq_unit = None;
    let mut lq = ListQuery::new(e, scope_id);
    let mut errors: Vec<FieldError> = vec![];
    let as_of = match non_empty(&q.as_of) {
        None => None,
        Some(s) => match vnfmt::parse_date(&s) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("as_of", "error-date"));
                None
            }
        },
    };
    let unit_param = [
        ("unit", &q.unit),
        ("commune", &q.commune),
        ("district", &q.district),
        ("province", &q.province),
    ]
    .into_iter()
    .find_map(|(k, v)| non_empty(v).map(|v| (k, v)));
    if let Some((name, raw)) = unit_param {
        // A code or a name ("Lào Cai"); `province=` etc. narrow names to their level.
        let level = langnghe_core::geo::Level::parse(name);
        match crate::places::field(&state.db, lang, name, &raw, level, as_of).await? {
            Ok(u) => {
                lq.within_unit = Some(u.id);
                lq_unit = Some(u);
            }
            Err(e) => errors.push(e),
        }
    }
    let mut eq = |key: &'static str, raw: &Option<String>, errors: &mut Vec<FieldError>| {
        let Some(v) = non_empty(raw) else { return };
        let Some(fl) = e.field(key) else { return };
        let val = match fl.kind {
            Kind::Enum(values) => validate::enum_value(fl, values, &v).map(Val::Text),
            Kind::Bool => parse_bool_param(&v).map(Val::Bool),
            Kind::Year | Kind::Ref(_) => v.parse::<i64>().ok().map(Val::I64),
            Kind::Text { .. } => Some(Val::Text(v.chars().take(100).collect())),
            _ => None,
        };
        match val {
            Some(val) => lq.eq.push((key, val)),
            None => errors.push(FieldError::new(key, "error-enum")),
        }
    };
    eq("status", &q.status, &mut errors);
    eq("ocop_stars", &q.ocop_stars, &mut errors);
    eq("environment_class", &q.environment_class, &mut errors);
    eq("ethnic_group", &q.ethnic_group, &mut errors);
    eq("ethnic_groups", &q.ethnic_group, &mut errors);
    eq("title", &q.title, &mut errors);
    eq("tourism", &q.tourism, &mut errors);
    eq("village_id", &q.village_id, &mut errors);
    eq("craft_id", &q.craft_id, &mut errors);
    eq("classification", &q.classification, &mut errors);
    eq("year", &q.year, &mut errors);
    eq("kind", &q.kind, &mut errors);
    if let Some(tr) = non_empty(&q.traditional) {
        match (parse_bool_param(&tr), e) {
            (Some(b), Entity::Craft) => lq.eq.push(("is_traditional", Val::Bool(b))),
            (Some(true), Entity::Village) => {
                lq.eq.push(("status", Val::Text("traditional".into())))
            }
            (Some(_), _) => {}
            (None, _) => errors.push(FieldError::new("traditional", "error-bool")),
        }
    }
    if let Some(g) = non_empty(&q.craft_group) {
        if !CraftGroup::TEXTS.contains(&g.as_str()) {
            errors.push(FieldError::new("craft_group", "error-enum"));
        } else if e == Entity::Craft {
            lq.eq.push(("craft_group", Val::Text(g)));
        } else {
            lq.craft_group = Some(g);
        }
    }
    let today = crate::common::today();
    let th = langnghe_core::registry::Thresholds::default();
    match non_empty(&q.ocop_status).as_deref() {
        None => {}
        Some("expired") => lq.special.push(Special::OcopExpired { today }),
        Some("expiring") => lq.special.push(Special::OcopExpiring {
            today,
            until: today + time::Duration::days(i64::from(th.ocop_expiring_days)),
        }),
        Some(_) => errors.push(FieldError::new("ocop_status", "error-enum")),
    }
    match non_empty(&q.environment_overdue)
        .as_deref()
        .map(parse_bool_param)
    {
        None | Some(Some(false)) => {}
        Some(Some(true)) => {
            let since = today
                .replace_year(today.year() - th.env_reassess_years as i32)
                .unwrap_or(today);
            lq.special.push(Special::EnvironmentOverdue { since });
        }
        Some(None) => errors.push(FieldError::new("environment_overdue", "error-bool")),
    }
    if let Some(qt) = non_empty(&q.q) {
        if qt.chars().count() > 200 {
            errors.push(FieldError::new("q", "error-too-long").arg("max", 200));
        }
        lq.q = Some(qt);
    }
    let sort = non_empty(&q.sort).unwrap_or_else(|| e.default_sort().to_string());
    let (desc, key) = match sort.strip_prefix('-') {
        Some(k) => (true, k.to_string()),
        None => (false, sort.clone()),
    };
    match e.fields().iter().find(|f| f.key == key && f.sort) {
        Some(fl) => {
            lq.sort = fl.key;
            lq.desc = desc;
        }
        None => errors.push(FieldError::new("sort", "error-sort")),
    }
    lq.limit = crate::extract::api_limit(q.limit);
    lq.offset = crate::extract::api_offset(q.offset);
    if let Some(raw) = non_empty(&q.after) {
        lq.after = langnghe_store::cursor::Cursor::decode(&raw);
        if lq.after.is_none() || !langnghe_store::registry::cursor_fits(&lq) {
            lq.after = None;
            errors.push(FieldError::new("after", "error-cursor"));
        }
    }
    if errors.is_empty() {
        Ok((lq, lq_unit))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The label of a field in the user's language.
pub fn field_label(lang: Lang, e: Entity, key: &str) -> String {
    let specific = format!("field-{}-{key}", e.kind());
    let s = t(lang, &specific);
    if s != specific {
        return s;
    }
    t(lang, &format!("field-{key}"))
}

/// How a value reads to a person (Vietnamese formats), without markup.
pub fn display_value(lang: Lang, fl: &Field, rec: &Record) -> String {
    let v = rec.get(fl.key).unwrap_or(&Value::Null);
    match fl.kind {
        Kind::Unit => match (
            rec.get("admin_unit_name").and_then(Value::as_str),
            rec.get("admin_unit_code").and_then(Value::as_str),
        ) {
            (Some(n), Some(c)) => format!("{n} ({c})"),
            _ => String::new(),
        },
        Kind::Ref(_) | Kind::Agency => rec
            .get(&format!("{}_label", fl.key))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        Kind::Refs(_) => v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.get("name").and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        _ if v.is_null() => String::new(),
        Kind::Int { .. } | Kind::Year
            if fl.key.ends_with("year") || matches!(fl.kind, Kind::Year) =>
        {
            v.to_string()
        }
        Kind::Int { .. } => v.as_i64().map(vnfmt::format_int).unwrap_or_default(),
        Kind::Money => v.as_i64().map(vnfmt::format_int).unwrap_or_default(),
        Kind::Decimal { .. } => v
            .as_f64()
            .map(|x| vnfmt::format_decimal_trim(x, 5))
            .unwrap_or_default(),
        Kind::Date => v
            .as_str()
            .and_then(|s| vnfmt::parse_date(s).ok())
            .map(|d| {
                if lang == Lang::En {
                    vnfmt::format_date_en(d)
                } else {
                    vnfmt::format_date(d)
                }
            })
            .unwrap_or_default(),
        Kind::Bool => match v.as_bool() {
            Some(true) => t(lang, "yes"),
            Some(false) => t(lang, "no"),
            None => String::new(),
        },
        Kind::Enum(_) => v
            .as_str()
            .map(|s| t(lang, &validate::enum_key(fl.key, s)))
            .unwrap_or_default(),
        _ => v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string()),
    }
}

/// The unit a field's number is in, shown beside it.
pub fn field_unit(lang: Lang, fl: &Field) -> Option<String> {
    match (fl.kind, fl.key) {
        (Kind::Money, _) => Some(t(lang, "unit-dong")),
        (_, "households_total" | "households_in_craft") => Some(t(lang, "unit-households")),
        (_, "workers") => Some(t(lang, "unit-people")),
        (_, "water_samples" | "air_samples") => Some(t(lang, "unit-samples")),
        (_, "ocop_score") => Some(t(lang, "unit-points")),
        _ => None,
    }
}

/// The user may read; returns their scope.
pub fn read_scope(ctx: &Ctx) -> AppResult<i64> {
    Ok(ctx
        .require(langnghe_core::access::Action::Read)?
        .scope_unit_id)
}

/// The user may edit the registry; returns their scope.
pub fn edit_scope(ctx: &Ctx) -> AppResult<i64> {
    Ok(ctx
        .require(langnghe_core::access::Action::EditRegistry)?
        .scope_unit_id)
}

pub async fn load(state: &AppState, e: Entity, scope: i64, id: &str) -> AppResult<Record> {
    let id = crate::common::path_id(id)?;
    langnghe_store::registry::get(&state.db, e, scope, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The registry's whole API: the records (`api`), the village map points
/// (`pages`), imports and files. The area's root assembles its parts, so the
/// parts never import each other to be assembled.
pub fn api_router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    api::records()
        .merge(pages::village_api())
        .merge(import::api())
        .merge(files::api())
}
