//! Administrative units: the tree as of a date, unit detail with
//! predecessors and successors. Pages and their JSON twins.

use crate::common::views;
use crate::common::ListOf;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{page_offset, Json, Path, Query, PAGE_SIZE};
use crate::i18n::t;
use crate::views::{pager, render};
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use langnghe_core::geo::Level;
use langnghe_core::vnfmt;
use langnghe_store::geo::{self as store, AdminUnit, LinkedUnit, UnitFilter};
use minijinja::context;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/admin-units", get(list_page))
        .route("/admin-units/pick", get(pick_page))
        .route("/admin-units/{code}", get(detail_page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api))
        .routes(routes!(search_api))
        .routes(routes!(detail_api))
}

/// Query of the unit list (page and API alike).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// `province`, `district` or `commune`.
    pub level: Option<String>,
    /// Official code of the parent unit (resolved as of `as_of`).
    pub parent: Option<String>,
    /// Date the structure is taken at (default today): `2017-01-01` or `1/1/2017`.
    pub as_of: Option<String>,
    /// Search text; case, diacritics and đ are ignored.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Page number (HTML pages).
    #[param(ignore)]
    pub page: Option<i64>,
}

use crate::common::{parse_as_of, today};

async fn filter_from(
    state: &AppState,
    q: &UnitQuery,
) -> AppResult<(UnitFilter, Option<AdminUnit>)> {
    let mut errors = vec![];
    let as_of = parse_as_of(&q.as_of).map_err(|e| errors.push(e)).ok();
    let level = match crate::extract::non_empty(&q.level) {
        None => None,
        Some(l) => match Level::parse(&l) {
            Some(Level::Country) | None => {
                errors.push(FieldError::new("level", "error-level"));
                None
            }
            Some(l) => Some(l),
        },
    };
    let qtext = crate::extract::non_empty(&q.q);
    if qtext.as_ref().is_some_and(|s| s.chars().count() > 200) {
        errors.push(FieldError::new("q", "error-too-long").arg("max", 200));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let as_of = as_of.unwrap_or_else(today);
    let parent = match crate::extract::non_empty(&q.parent) {
        None => None,
        Some(code) => match store::by_code(&state.db, &code, as_of).await? {
            Some(p) => Some(p),
            None => {
                return Err(AppError::Validation(vec![FieldError::new(
                    "parent",
                    "error-unknown-unit",
                )
                .arg("code", code)]))
            }
        },
    };
    Ok((
        UnitFilter {
            level,
            parent_id: parent.as_ref().map(|p| p.id),
            as_of: Some(as_of),
            q: qtext,
            limit: crate::extract::api_limit(q.limit),
            offset: crate::extract::api_offset(q.offset),
        },
        parent,
    ))
}

// An administrative unit as the API answers it (never its internal ids or
// era): a view of web, built from the store's row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AdminUnit)]
pub struct AdminUnitView {
    pub code: String,
    pub name: String,
    pub level: String,
    #[serde(rename = "type")]
    pub unit_type: String,
    pub parent_code: Option<String>,
    pub valid_from: Option<time::Date>,
    pub valid_to: Option<time::Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
}

impl From<AdminUnit> for AdminUnitView {
    fn from(u: AdminUnit) -> Self {
        AdminUnitView {
            code: u.code,
            name: u.name,
            level: u.level,
            unit_type: u.unit_type,
            parent_code: u.parent_code,
            valid_from: u.valid_from,
            valid_to: u.valid_to,
            lat: u.lat,
            lon: u.lon,
        }
    }
}

/// A link to a predecessor or successor, with the partly-merged flag.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LinkedUnit)]
pub struct LinkedUnitView {
    #[serde(flatten)]
    pub unit: AdminUnitView,
    pub partly: bool,
}

impl From<LinkedUnit> for LinkedUnitView {
    fn from(l: LinkedUnit) -> Self {
        LinkedUnitView {
            unit: l.unit.into(),
            partly: l.partly,
        }
    }
}

/// List administrative units as of a date.
#[utoipa::path(get, path = "/api/v1/admin-units", tag = "geography",
    params(UnitQuery),
    responses((status = 200, body = ListOf<AdminUnitView>), (status = 422, description = "invalid filter")))]
async fn list_api(
    State(state): State<AppState>,
    Query(q): Query<UnitQuery>,
) -> AppResult<Json<ListOf<AdminUnitView>>> {
    let (f, _) = filter_from(&state, &q).await?;
    let (items, total) = store::list(&state.db, &f).await?;
    Ok(Json(ListOf {
        items: views(items),
        total,
    }))
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UnitQuery>,
) -> AppResult<Html<String>> {
    let (page, offset) = page_offset(q.page);
    let fallback = || {
        let f = UnitFilter {
            level: Some(Level::Province),
            as_of: Some(today()),
            ..UnitFilter::default()
        };
        (f, None)
    };
    let ((mut f, parent), errors) =
        crate::common::or_fallback(filter_from(&state, &q).await, fallback)?;
    // Without any filter, start at the provinces.
    if f.level.is_none() && f.parent_id.is_none() && f.q.is_none() {
        f.level = Some(Level::Province);
    }
    f.limit = PAGE_SIZE;
    f.offset = offset;
    let (items, total) = store::list(&state.db, &f).await?;
    let as_of = f.as_of.unwrap_or_else(today);
    let ancestry = match &parent {
        Some(p) => store::ancestry(&state.db, p).await?,
        None => vec![],
    };
    let page_ctx = context! {
        title => t(ctx.lang, "geo-title"),
        items => items,
        pager => pager(ctx.lang, page, PAGE_SIZE, total),
        as_of => as_of.to_string(),
        as_of_text => crate::views::date_in(ctx.lang, as_of),
        is_old_era => as_of < langnghe_core::geo::REFORM_DATE,
        level => f.level.map(|l| l.as_str()).unwrap_or(""),
        q => q.q.clone().unwrap_or_default(),
        parent => parent,
        ancestry => ancestry,
        errors => crate::views::field_errors(ctx.lang, &errors),
        reform_date => langnghe_core::geo::REFORM_DATE.to_string(),
        query_base => serde_urlencoded::to_string([
            ("level", f.level.map(|l| l.as_str()).unwrap_or("")),
            ("as_of", &as_of.to_string()),
            ("q", q.q.as_deref().unwrap_or("")),
            ("parent", q.parent.as_deref().unwrap_or("")),
        ]).unwrap_or_default(),
    };
    render(&state, &ctx, "admin_units/list.html", page_ctx)
}

/// One unit with its place in the tree and its links across the reform.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: AdminUnitView,
    /// Country first, ending with the parent.
    pub ancestors: Vec<AdminUnitView>,
    pub predecessors: Vec<LinkedUnitView>,
    pub successors: Vec<LinkedUnitView>,
    /// The unit(s) standing for this one today.
    pub current: Vec<AdminUnitView>,
    pub children_count: i64,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Date at which the code is resolved (default today); codes are reused across the reform.
    pub as_of: Option<String>,
}

async fn detail(state: &AppState, code: &str, as_of: &Option<String>) -> AppResult<UnitDetail> {
    let day = parse_as_of(as_of).map_err(|e| AppError::Validation(vec![e]))?;
    if code.len() > 16 {
        return Err(AppError::NotFound);
    }
    let unit = store::by_code(&state.db, code, day)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut ancestors = store::ancestry(&state.db, &unit).await?;
    ancestors.pop();
    let predecessors = store::predecessors(&state.db, unit.id).await?;
    let successors = store::successors(&state.db, unit.id).await?;
    let current = store::rollup(&state.db, unit.id, today()).await?;
    let (_, children_count) = store::list(
        &state.db,
        &UnitFilter {
            parent_id: Some(unit.id),
            limit: 1,
            ..UnitFilter::default()
        },
    )
    .await?;
    Ok(UnitDetail {
        unit: unit.into(),
        ancestors: views(ancestors),
        predecessors: views(predecessors),
        successors: views(successors),
        current: views(current),
        children_count,
    })
}

/// One administrative unit by official code, resolved as of a date.
#[utoipa::path(get, path = "/api/v1/admin-units/{code}", tag = "geography",
    params(("code" = String, Path, description = "official code, e.g. 01, 018, 00577"), AsOfQuery),
    responses((status = 200, body = UnitDetail), (status = 404, description = "no unit with this code on that date")))]
async fn detail_api(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> AppResult<Json<UnitDetail>> {
    Ok(Json(detail(&state, &code, &q.as_of).await?))
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> AppResult<Html<String>> {
    let d = detail(&state, &code, &q.as_of).await?;
    let as_of = parse_as_of(&q.as_of).unwrap_or_else(|_| today());
    let page = context! {
        title => d.unit.name.clone(),
        d => d,
        as_of => as_of.to_string(),
        reform_date => langnghe_core::geo::REFORM_DATE.to_string(),
        day_before_reform => "2025-06-30",
    };
    render(&state, &ctx, "admin_units/detail.html", page)
}

/// A unit as pickers offer it: with its parents, its era and a label.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitPick {
    pub code: String,
    pub name: String,
    /// `province`, `district` or `commune`.
    pub level: String,
    /// `old` (before 1/7/2025) or `new`.
    pub era: String,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    /// Parent names, nearest first (none for a province).
    pub parents: Vec<String>,
    /// "Xã Y Tý — Huyện Bát Xát — Tỉnh Lào Cai (trước 1/7/2025)", in the caller's language.
    pub label: String,
    /// The date to give with `code` so it means this unit (codes are reused across
    /// the reform): the last day of a pre-reform unit, null for today's units.
    pub as_of: Option<Date>,
}

fn unit_pick(lang: crate::i18n::Lang, c: langnghe_store::geo::UnitChoice) -> UnitPick {
    let label = crate::places::label(lang, &c);
    let parents = c.parents();
    let as_of = c.unit.valid_to;
    UnitPick {
        code: c.unit.code,
        name: c.unit.name,
        level: c.unit.level,
        era: c.unit.era,
        valid_from: c.unit.valid_from,
        valid_to: c.unit.valid_to,
        parents,
        label,
        as_of,
    }
}

/// Query of the unit search (pickers).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PickQuery {
    /// Name (or part of it) without diacritics if you like: `y ty`, `bat xat`, `Lào Cai`.
    pub q: Option<String>,
    /// `province`, `district` or `commune`.
    pub level: Option<String>,
    /// Only units in force on this date (`2025-06-30` or `30/6/2025`); default: both structures.
    pub as_of: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Pick page: name of the field to fill on the page returned to.
    #[param(ignore)]
    pub field: Option<String>,
    /// Pick page: name of that page's "as of" field.
    #[param(ignore)]
    pub as_of_field: Option<String>,
    /// Pick page: path of the page to return to.
    #[param(ignore)]
    #[serde(rename = "return")]
    pub return_to: Option<String>,
}

async fn search(
    state: &AppState,
    lang: crate::i18n::Lang,
    q: &PickQuery,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<UnitPick>, i64)> {
    let mut errors = vec![];
    let level = match crate::extract::non_empty(&q.level) {
        None => None,
        Some(l) => match Level::parse(&l) {
            Some(Level::Country) | None => {
                errors.push(FieldError::new("level", "error-level"));
                None
            }
            Some(l) => Some(l),
        },
    };
    let as_of = match crate::extract::non_empty(&q.as_of) {
        None => None,
        Some(s) => match vnfmt::parse_date(&s) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("as_of", "error-date"));
                None
            }
        },
    };
    let text = crate::extract::non_empty(&q.q);
    if text.as_ref().is_some_and(|s| s.chars().count() > 200) {
        errors.push(FieldError::new("q", "error-too-long").arg("max", 200));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let Some(text) = text else {
        return Ok((vec![], 0));
    };
    // The typed name without its kind word and parents: "Xã Y Tý, Lào Cai" searches "y ty".
    let pq = langnghe_core::place::parse_query(&text);
    let f = UnitFilter {
        level,
        parent_id: None,
        as_of,
        q: Some(if pq.key.is_empty() {
            text.clone()
        } else {
            pq.key.clone()
        }),
        limit,
        offset,
    };
    let (rows, total) = store::choices(&state.db, &f, &pq.key).await?;
    let rows: Vec<UnitPick> = rows
        .into_iter()
        .filter(|c| {
            pq.parents.iter().all(|p| {
                c.parents()
                    .iter()
                    .any(|cp| langnghe_core::place::place_key(cp) == *p)
            })
        })
        .map(|c| unit_pick(lang, c))
        .collect();
    Ok((rows, total))
}

/// Find units by name for a picker: folded name search (case, diacritics and
/// đ ignored), each with its parents, era and a label in the caller's language.
#[utoipa::path(get, path = "/api/v1/admin-units/search", tag = "geography",
    params(PickQuery),
    responses((status = 200, body = ListOf<UnitPick>),
        (status = 422, description = "invalid level, date or text too long")))]
async fn search_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PickQuery>,
) -> AppResult<Json<ListOf<UnitPick>>> {
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let offset = crate::extract::api_offset(q.offset);
    let (items, total) = search(&state, ctx.lang, &q, limit, offset).await?;
    Ok(Json(ListOf { items, total }))
}

/// A field name a pick page may fill: letters, digits and `_`, at most 40.
fn safe_field(s: &Option<String>) -> Option<String> {
    crate::extract::non_empty(s)
        .filter(|f| f.len() <= 40 && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

/// The page to return to: a local path only (never another site).
fn safe_return(s: &Option<String>) -> Option<String> {
    crate::extract::non_empty(s).filter(|r| {
        r.starts_with('/') && !r.starts_with("//") && !r.contains('\\') && r.len() <= 2000
    })
}

/// The return URL with `field=code` (and the as-of field) replacing what it had.
fn return_url(ret: &str, field: &str, as_of_field: Option<&str>, p: &UnitPick) -> String {
    let (path, query) = ret.split_once('?').unwrap_or((ret, ""));
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    pairs.retain(|(k, _)| k != field && Some(k.as_str()) != as_of_field && k != "page");
    pairs.push((field.to_string(), p.code.clone()));
    if let Some(a) = as_of_field {
        pairs.push((
            a.to_string(),
            p.as_of.map(|d| d.to_string()).unwrap_or_default(),
        ));
    }
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// Search and choose a unit without JavaScript: results link back to the
/// page that asked, with the chosen code filled in.
async fn pick_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PickQuery>,
) -> AppResult<Html<String>> {
    let (items, total, errors) = match search(&state, ctx.lang, &q, 50, 0).await {
        Ok((i, t)) => (i, t, vec![]),
        Err(AppError::Validation(e)) => (vec![], 0, e),
        Err(e) => return Err(e),
    };
    let field = safe_field(&q.field);
    let as_of_field = safe_field(&q.as_of_field);
    let ret = safe_return(&q.return_to);
    let results: Vec<minijinja::Value> = items
        .iter()
        .map(|p| {
            let href = match (&ret, &field) {
                (Some(r), Some(f)) => Some(return_url(r, f, as_of_field.as_deref(), p)),
                _ => None,
            };
            context! { p => p, href => href }
        })
        .collect();
    let page_ctx = context! {
        title => t(ctx.lang, "place-pick-title"),
        q => q.q.clone().unwrap_or_default(),
        level => q.level.clone().unwrap_or_default(),
        as_of => q.as_of.clone().unwrap_or_default(),
        field => field,
        as_of_field => as_of_field,
        return_to => ret,
        results => results,
        total => total,
        searched => crate::extract::non_empty(&q.q).is_some(),
        errors => crate::views::field_errors(ctx.lang, &errors),
    };
    render(&state, &ctx, "admin_units/pick.html", page_ctx)
}
