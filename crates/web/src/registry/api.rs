//! `/api/v1/<entity>` endpoints: list (with filters and `format=xlsx|csv`),
//! create, read, update, change history; `/api/v1/search`; village recognition.

use super::{edit_scope, load, read_scope, RegistryQuery};
use crate::common::ListOf;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{non_empty, Json, Path, Query};
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use langnghe_reports::{Cell, Column, ColumnKind, Table};
use langnghe_store::audit::{self, AuditFilter};
use langnghe_store::registry::search::{self, Hit};
use langnghe_store::registry::spec::{Entity, Kind};
use langnghe_store::registry::{self as store, Record};
use langnghe_store::StoreError;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One page of a registry list.
#[derive(Debug, serde::Serialize)]
pub struct RegistryPage {
    pub items: Vec<Record>,
    pub total: i64,
    /// Give it as `after` for the page after this one; null on the last page.
    pub next: Option<String>,
}

/// Rows of an export at most.
pub const EXPORT_MAX: i64 = 200_000;

/// A registry list: one page as JSON, or the whole filtered list as XLSX/CSV.
pub async fn list(
    state: &AppState,
    ctx: &Ctx,
    e: Entity,
    q: &RegistryQuery,
) -> AppResult<Response> {
    let scope = read_scope(ctx)?;
    // The revisions before anything a kept page is computed from (the unit
    // the filter names among it).
    let kept = state.kept.for_request(&state.db, ctx).await?;
    let (mut lq, unit) = super::list_query_unit(state, ctx.lang, scope, e, q).await?;
    match non_empty(&q.format).as_deref() {
        None | Some("json") => {
            let key = crate::kept::Key::answer(crate::kept::Area::Registry, ctx)?;
            kept.answer(key, || async {
                let (items, total, next) = store::list_page(&state.db, &lq).await?;
                Ok(RegistryPage {
                    items,
                    total,
                    next: next.map(|c| c.encode()),
                })
            })
            .await
        }
        Some(fmt @ ("xlsx" | "csv")) => {
            lq.limit = EXPORT_MAX;
            lq.offset = 0;
            let (items, _) = store::list(&state.db, &lq).await?;
            let unit = match unit {
                Some(u) => langnghe_store::geo::choice_by_id(&state.db, u.id).await?,
                None => None,
            };
            let filters = filters_text(ctx.lang, e, q, unit.as_ref());
            let mut res = export(ctx.lang, e, &items, fmt, &filters)?;
            describe_export(&mut res, ctx.lang, e, unit.as_ref(), fmt);
            Ok(res)
        }
        Some(_) => Err(AppError::Validation(vec![crate::error::FieldError::new(
            "format",
            "error-format",
        )])),
    }
}

fn column_kind(k: Kind) -> ColumnKind {
    match k {
        Kind::Int { .. } => ColumnKind::Int,
        Kind::Money => ColumnKind::Money,
        Kind::Decimal { .. } => ColumnKind::Decimal { places: 3 },
        Kind::Date => ColumnKind::Date,
        Kind::Bool => ColumnKind::Bool,
        _ => ColumnKind::Text,
    }
}

/// The columns of an export or import template: every field, titled in the user's language.
pub fn columns(lang: Lang, e: Entity, for_import: bool) -> Vec<Column> {
    let mut cols = vec![];
    if !for_import {
        cols.push(Column::new("id", "ID", ColumnKind::Int));
    }
    for fl in e.fields() {
        if for_import && fl.derived {
            continue;
        }
        let mut title = super::field_label(lang, e, fl.key);
        if let Some(u) = super::field_unit(lang, fl) {
            title = format!("{title} ({u})");
        }
        match fl.kind {
            Kind::Unit => {
                let req = if for_import && fl.required {
                    " (*)"
                } else {
                    ""
                };
                cols.push(Column::new(
                    "admin_unit_code",
                    format!("{}{req}", super::field_label(lang, e, "admin_unit_code")),
                    ColumnKind::Text,
                ));
                if for_import {
                    cols.push(Column::new(
                        "admin_unit_as_of",
                        super::field_label(lang, e, "admin_unit_as_of"),
                        ColumnKind::Text,
                    ));
                } else {
                    cols.push(Column::new(
                        "admin_unit_name",
                        super::field_label(lang, e, "admin_unit"),
                        ColumnKind::Text,
                    ));
                }
            }
            k => {
                if for_import && fl.required {
                    title.push_str(" (*)");
                }
                let kind = if matches!(fl.kind, Kind::Year) {
                    ColumnKind::Text
                } else {
                    column_kind(k)
                };
                cols.push(Column::new(fl.key, title, kind));
            }
        }
    }
    cols
}

fn cell(lang: Lang, e: Entity, key: &str, rec: &Record) -> Cell {
    let Some(fl) = e.field(key) else {
        return match rec.get(key) {
            Some(Value::Number(n)) => n.as_i64().map(Cell::Int).unwrap_or(Cell::Empty),
            Some(Value::String(s)) => Cell::Text(s.clone()),
            _ => Cell::Empty,
        };
    };
    let v = rec.get(key).unwrap_or(&Value::Null);
    match fl.kind {
        Kind::Int { .. } | Kind::Money => v.as_i64().map(Cell::Int).unwrap_or(Cell::Empty),
        Kind::Year => v
            .as_i64()
            .map(|y| Cell::Text(y.to_string()))
            .unwrap_or(Cell::Empty),
        Kind::Decimal { .. } => v.as_f64().map(Cell::Decimal).unwrap_or(Cell::Empty),
        Kind::Date => v
            .as_str()
            .and_then(|s| langnghe_core::vnfmt::parse_date(s).ok())
            .map(Cell::Date)
            .unwrap_or(Cell::Empty),
        Kind::Bool => v.as_bool().map(Cell::Bool).unwrap_or(Cell::Empty),
        _ => {
            let s = super::display_value(lang, fl, rec);
            if s.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(s)
            }
        }
    }
}

/// Build the file of an export.
pub fn export(
    lang: Lang,
    e: Entity,
    items: &[Record],
    fmt: &str,
    filters: &str,
) -> AppResult<Response> {
    let cols = columns(lang, e, false);
    let rows = items
        .iter()
        .map(|rec| {
            cols.iter()
                .map(|c| match c.key.as_str() {
                    "admin_unit_code" | "admin_unit_name" => rec
                        .get(&c.key)
                        .and_then(Value::as_str)
                        .map(|s| Cell::Text(s.to_string()))
                        .unwrap_or(Cell::Empty),
                    k => cell(lang, e, k, rec),
                })
                .collect()
        })
        .collect();
    let what = crate::i18n::t(lang, &format!("entity-{}-plural", e.kind()));
    // The title row (xlsx only): what, the filters and the date of the export.
    let filters = if filters.is_empty() {
        crate::i18n::t(lang, "export-no-filter")
    } else {
        crate::i18n::t_args(lang, "export-filters", &[("filters", filters.to_string())])
    };
    let generated = crate::i18n::t_args(
        lang,
        "export-generated",
        &[(
            "date",
            match lang {
                Lang::En => langnghe_core::vnfmt::format_date_en(crate::common::today()),
                Lang::Vi => langnghe_core::vnfmt::format_date(crate::common::today()),
            },
        )],
    );
    let table = Table {
        sheet_name: what.clone(),
        title: Some(format!("{what} — {filters} — {generated}")),
        columns: cols,
        rows,
    };
    let day = crate::common::today();
    let (bytes, ctype) = match fmt {
        "xlsx" => (
            langnghe_reports::to_xlsx(&table).map_err(|err| AppError::Internal(err.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => (langnghe_reports::to_csv(&table), "text/csv; charset=utf-8"),
    };
    let filename = format!("{}-{day}.{fmt}", e.slug());
    let mut res = bytes.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// The filters of a list in words: "Địa bàn: Tỉnh Lào Cai (từ 1/7/2025); Trạng thái: at_risk".
pub fn filters_text(
    lang: Lang,
    e: Entity,
    q: &RegistryQuery,
    unit: Option<&langnghe_store::geo::UnitChoice>,
) -> String {
    let mut parts: Vec<String> = vec![];
    if let Some(s) = non_empty(&q.q) {
        parts.push(format!("{}: “{s}”", crate::i18n::t(lang, "search")));
    }
    if let Some(u) = unit {
        parts.push(format!(
            "{}: {}",
            crate::i18n::t(lang, "filter-unit"),
            crate::places::label(lang, u)
        ));
    }
    let qs = q.to_query_string(&[]);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&qs).unwrap_or_default();
    for (k, v) in pairs {
        let k = k.as_str();
        if matches!(
            k,
            "q" | "unit" | "province" | "district" | "commune" | "as_of" | "sort" | "cols"
        ) {
            continue;
        }
        parts.push(format!("{}: {v}", super::field_label(lang, e, k)));
    }
    parts.join("; ")
}

/// Put the filters and the date in an export's title row (xlsx; the CSV stays
/// machine-readable, header first) and name the file after what it holds:
/// `lang-nghe_Lao-Cai_2026-12-04.xlsx`.
fn describe_export(
    res: &mut Response,
    lang: Lang,
    e: Entity,
    unit: Option<&langnghe_store::geo::UnitChoice>,
    fmt: &str,
) {
    let what = crate::i18n::t(lang, &format!("entity-{}-plural", e.kind()));
    let day = crate::common::today();
    let mut name = langnghe_core::place::ascii_file_part(&what).to_lowercase();
    if let Some(u) = unit {
        name.push('_');
        name.push_str(&langnghe_core::place::ascii_file_part(
            &langnghe_core::place::name_without_kind(&u.unit.name),
        ));
    }
    if name.is_empty() {
        name = e.slug().to_string();
    }
    let ascii = format!("{name}_{day}.{fmt}");
    let utf8 = match unit {
        Some(u) => format!(
            "{what}_{}_{day}.{fmt}",
            langnghe_core::place::name_without_kind(&u.unit.name)
        ),
        None => format!("{what}_{day}.{fmt}"),
    };
    let encoded: String = url_escape(&utf8);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    )) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
}

/// RFC 5987 percent-encoding of a UTF-8 file name.
fn url_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The JSON type each field takes (the API and the pages; imports read cells as they are):
/// text as a string; numbers, booleans and references as their JSON type or as text
/// ("17.800", "có", a name); a list of references as a list or as text. Anything else
/// is a 422 naming the field — never stored as its JSON text. `null` clears.
pub fn json_types(e: Entity, input: &Map<String, Value>) -> AppResult<()> {
    use crate::error::FieldError;
    let mut errors = vec![];
    let mut check = |key: &str, v: Option<&Value>, expected: &'static str| {
        let ok = match v {
            None | Some(Value::Null) | Some(Value::String(_)) => true,
            Some(Value::Number(_)) => matches!(expected, "integer" | "number"),
            Some(Value::Bool(_)) => expected == "boolean",
            Some(Value::Array(_)) => expected == "array",
            Some(Value::Object(_)) => false,
        };
        if !ok {
            errors.push(FieldError::new(key, "error-json-type").arg("expected", expected));
        }
    };
    for fl in e.fields() {
        match fl.kind {
            Kind::Unit => {
                check("admin_unit_code", input.get("admin_unit_code"), "string");
                check("admin_unit_as_of", input.get("admin_unit_as_of"), "string");
            }
            Kind::Int { .. } | Kind::Money | Kind::Year | Kind::Ref(_) | Kind::Agency => {
                check(fl.key, input.get(fl.key), "integer")
            }
            Kind::Decimal { .. } => check(fl.key, input.get(fl.key), "number"),
            Kind::Bool => check(fl.key, input.get(fl.key), "boolean"),
            Kind::Refs(_) => check(fl.key, input.get(fl.key), "array"),
            _ => check(fl.key, input.get(fl.key), "string"),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Validate and create (API and form alike). Validation errors carry the field names.
pub async fn create(
    state: &AppState,
    ctx: &Ctx,
    e: Entity,
    input: &Map<String, Value>,
) -> AppResult<Record> {
    let scope = edit_scope(ctx)?;
    json_types(e, input)?;
    let kept = state.kept.for_request(&state.db, ctx).await?;
    let mut lookup = super::validate::DbLookup::new(&state.db, scope)
        .with_lang(ctx.lang)
        .with_kept(&kept);
    let values = super::validate::validate(e, input, &mut lookup, false)
        .await
        .map_err(AppError::Validation)?;
    Ok(store::create(&state.db, &ctx.actor(), e, None, &values).await?)
}

/// The version a body names: `"version": n` (a number, or numeric text as forms send it).
pub fn body_version(input: &Map<String, Value>) -> AppResult<Option<i64>> {
    let bad = || {
        AppError::Validation(vec![crate::error::FieldError::new(
            "version",
            "error-version",
        )])
    };
    match input.get("version") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::Number(n)) => n.as_i64().filter(|v| *v > 0).map(Some).ok_or_else(bad),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|v| *v > 0)
            .map(Some)
            .ok_or_else(bad),
        Some(_) => Err(bad()),
    }
}

/// Validate and change a record that is at version `expected`: a stale version
/// answers 409 with the record as stored now (`error.current`).
pub async fn update(
    state: &AppState,
    ctx: &Ctx,
    e: Entity,
    id: &str,
    input: &Map<String, Value>,
    partial: bool,
    expected: i64,
) -> AppResult<Record> {
    let scope = edit_scope(ctx)?;
    let existing = load(state, e, scope, id).await?;
    let id = existing
        .get("id")
        .and_then(Value::as_i64)
        .ok_or(AppError::NotFound)?;
    json_types(e, input)?;
    let mut lookup = super::validate::DbLookup::new(&state.db, scope).with_lang(ctx.lang);
    let values = super::validate::validate(e, input, &mut lookup, partial)
        .await
        .map_err(AppError::Validation)?;
    match store::update(&state.db, &ctx.actor(), e, id, Some(expected), &values).await {
        Err(StoreError::Stale { .. }) => {
            let current = load(state, e, scope, &id.to_string()).await?;
            Err(crate::version::stale(&current))
        }
        other => Ok(other?),
    }
}

/// A record's version (every registry record has one).
pub fn record_version(rec: &Record) -> i64 {
    rec.get("version").and_then(Value::as_i64).unwrap_or(1)
}

/// The change history of a record, newest first.
pub async fn history(
    state: &AppState,
    e: Entity,
    id: i64,
) -> AppResult<Vec<crate::audit::AuditRow>> {
    let (rows, _) = audit::list(
        &state.db,
        &AuditFilter {
            entity: Some(e.kind().into()),
            entity_id: Some(id.to_string()),
            limit: 200,
            ..AuditFilter::default()
        },
    )
    .await?;
    Ok(rows.into_iter().map(crate::audit::AuditRow::from).collect())
}

/// Declares the documented endpoints of one entity (utoipa needs literal paths).
macro_rules! entity_api {
    ($module:ident, $entity:expr, $list:literal, $item:literal, $history:literal, $tag:literal) => {
        pub mod $module {
            use super::*;

            /// List, filter, sort, page; `format=xlsx|csv` exports the whole filtered list.
            #[utoipa::path(get, path = $list, tag = $tag, params(RegistryQuery),
                responses((status = 200, description = "`{items, total}`, or the file when format=xlsx|csv", body = ListOf<Object>), (status = 401), (status = 422)))]
            pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RegistryQuery>) -> AppResult<Response> {
                super::list(&state, &ctx, $entity, &q).await
            }

            /// Create (coordinators and admins, inside their scope).
            #[utoipa::path(post, path = $list, tag = $tag, request_body = Object,
                responses((status = 201, body = Object), (status = 403), (status = 422, description = "field errors")))]
            pub async fn create(State(state): State<AppState>, ctx: Ctx, Json(input): Json<Map<String, Value>>) -> AppResult<Response> {
                let rec = super::create(&state, &ctx, $entity, &input).await?;
                Ok((StatusCode::CREATED, Json(rec)).into_response())
            }

            /// One record (404 outside the caller's scope); its version is also the `ETag`.
            #[utoipa::path(get, path = $item, tag = $tag, params(("id" = i64, Path)),
                responses((status = 200, body = Object, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
            pub async fn get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
                let scope = read_scope(&ctx)?;
                let rec = load(&state, $entity, scope, &id).await?;
                Ok(crate::version::with_etag(super::record_version(&rec), rec))
            }

            /// Change a record; fields left out keep their value. Name the version read
            /// (`version` in the body or `If-Match`): without one 428, stale 409 with the stored record.
            #[utoipa::path(put, path = $item, tag = $tag, params(("id" = i64, Path)), request_body = Object,
                responses((status = 200, body = Object, headers(("ETag" = String, description = "the new version, quoted"))), (status = 403), (status = 404),
                    (status = 409, description = "stale version: `error.current` is the stored record"), (status = 422),
                    (status = 428, description = "no version given"), (status = 503, description = "the store is busy; retry after `Retry-After` seconds")))]
            pub async fn update(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, headers: HeaderMap, Json(input): Json<Map<String, Value>>) -> AppResult<Response> {
                // Out of scope is 404 whether or not a version was named.
                load(&state, $entity, super::edit_scope(&ctx)?, &id).await?;
                let expected = crate::version::expected(super::body_version(&input)?, &headers)?;
                let rec = super::update(&state, &ctx, $entity, &id, &input, true, expected).await?;
                Ok(crate::version::with_etag(super::record_version(&rec), rec))
            }

            /// Who changed what, from the audit log.
            #[utoipa::path(get, path = $history, tag = $tag, params(("id" = i64, Path)),
                responses((status = 200, body = ListOf<crate::audit::AuditRow>), (status = 404)))]
            pub async fn history(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Json<ListOf<crate::audit::AuditRow>>> {
                let scope = read_scope(&ctx)?;
                let rec = load(&state, $entity, scope, &id).await?;
                let id = rec.get("id").and_then(Value::as_i64).unwrap_or(0);
                let items = super::history(&state, $entity, id).await?;
                let total = items.len() as i64;
                Ok(Json(ListOf { items, total }))
            }

            pub fn router() -> OpenApiRouter<AppState> {
                OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get, update)).routes(routes!(history))
            }
        }
    };
}

/// Free-form JSON object in the documentation (fields: see the entity's page and `/api`).
#[derive(utoipa::ToSchema)]
#[schema(value_type = Object)]
pub struct Object(#[allow(dead_code)] Map<String, Value>);

entity_api!(
    villages,
    Entity::Village,
    "/api/v1/villages",
    "/api/v1/villages/{id}",
    "/api/v1/villages/{id}/history",
    "registry"
);
entity_api!(
    crafts,
    Entity::Craft,
    "/api/v1/crafts",
    "/api/v1/crafts/{id}",
    "/api/v1/crafts/{id}/history",
    "registry"
);
entity_api!(
    establishments,
    Entity::Establishment,
    "/api/v1/establishments",
    "/api/v1/establishments/{id}",
    "/api/v1/establishments/{id}/history",
    "registry"
);
entity_api!(
    artisans,
    Entity::Artisan,
    "/api/v1/artisans",
    "/api/v1/artisans/{id}",
    "/api/v1/artisans/{id}/history",
    "registry"
);
entity_api!(
    products,
    Entity::Product,
    "/api/v1/products",
    "/api/v1/products/{id}",
    "/api/v1/products/{id}/history",
    "registry"
);
entity_api!(
    assessments,
    Entity::Assessment,
    "/api/v1/environment-assessments",
    "/api/v1/environment-assessments/{id}",
    "/api/v1/environment-assessments/{id}/history",
    "registry"
);
entity_api!(
    documents,
    Entity::Document,
    "/api/v1/documents",
    "/api/v1/documents/{id}",
    "/api/v1/documents/{id}/history",
    "registry"
);

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to look for; case, diacritics and đ are ignored; each word matches as a prefix.
    pub q: Option<String>,
    /// Only these kinds, comma-separated: village, craft, artisan, product, establishment, document, environment_assessment.
    pub kind: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub fn parse_kinds(kind: &Option<String>) -> AppResult<Vec<Entity>> {
    match non_empty(kind) {
        None => Ok(vec![
            Entity::Village,
            Entity::Craft,
            Entity::Artisan,
            Entity::Product,
            Entity::Establishment,
            Entity::Document,
        ]),
        Some(s) => s
            .split(',')
            .map(|k| {
                Entity::from_kind(k.trim()).ok_or_else(|| {
                    AppError::Validation(vec![crate::error::FieldError::new("kind", "error-enum")])
                })
            })
            .collect(),
    }
}

// A search hit as the API answers it: a view of web, built from the store's.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Hit)]
pub struct HitView {
    pub kind: String,
    pub id: i64,
    pub name: String,
    /// The name with matches wrapped in `<mark>` (HTML-escaped otherwise).
    pub highlighted: String,
    pub rank: f64,
}

impl From<Hit> for HitView {
    fn from(v: Hit) -> Self {
        HitView {
            kind: v.kind,
            id: v.id,
            name: v.name,
            highlighted: v.highlighted,
            rank: v.rank,
        }
    }
}

/// One search box over the registry, ranked (inside the caller's scope).
#[utoipa::path(get, path = "/api/v1/search", tag = "registry", params(SearchQuery),
    responses((status = 200, body = ListOf<HitView>), (status = 401)))]
pub async fn search_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<ListOf<HitView>>> {
    let scope = read_scope(&ctx)?;
    let kinds = parse_kinds(&q.kind)?;
    let text: String = q.q.clone().unwrap_or_default().chars().take(200).collect();
    let (items, total) = search::search(
        &state.db,
        scope,
        &text,
        &kinds,
        q.limit.unwrap_or(20).clamp(1, 100),
        crate::extract::api_offset(q.offset),
    )
    .await?;
    let items = items.into_iter().map(HitView::from).collect();
    Ok(Json(ListOf { items, total }))
}

/// The records' own API: list, create, read, update and history of every
/// entity, and the search (the area's root adds imports, files and map points).
pub fn records() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(villages::router())
        .merge(crafts::router())
        .merge(establishments::router())
        .merge(artisans::router())
        .merge(products::router())
        .merge(assessments::router())
        .merge(documents::router())
        .routes(routes!(search_api))
}

/// Component name of an entity's schema in the OpenAPI document.
fn schema_name(e: Entity) -> &'static str {
    match e {
        Entity::Village => "Village",
        Entity::Craft => "Craft",
        Entity::Establishment => "Establishment",
        Entity::Artisan => "Artisan",
        Entity::Product => "Product",
        Entity::Assessment => "EnvironmentAssessment",
        Entity::Document => "LegalDocument",
    }
}

/// Describe every registry entity from its spec, and point the registry paths at them,
/// so the document names each field integrators send and receive.
pub fn document_schemas(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{
        ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, SchemaType, Type,
    };
    use utoipa::openapi::{Ref, RefOr, Schema};
    let lang = Lang::En;
    // Every field the spec does not require may be null in an answer (and may be sent as
    // null): the type says so, and so does the enum. Read-only fields are marked so.
    let typed = |t: Type, nullable: bool| -> ObjectBuilder {
        if nullable {
            ObjectBuilder::new().schema_type(SchemaType::from_iter([t, Type::Null]))
        } else {
            ObjectBuilder::new().schema_type(t)
        }
    };
    let read_only = |t: Type, nullable: bool, desc: String| -> RefOr<Schema> {
        typed(t, nullable)
            .read_only(Some(true))
            .description(Some(desc))
            .into()
    };
    let components = doc.components.get_or_insert_with(Default::default);
    for e in Entity::ALL {
        let mut o = ObjectBuilder::new()
            .description(Some(format!(
                "{} (response fields; send the same keys to create or change one)",
                crate::i18n::t(lang, &format!("entity-{}", e.kind()))
            )))
            .property("id", read_only(Type::Integer, false, "id".into()))
            .required("id");
        for fl in e.fields() {
            let label = super::field_label(lang, e, fl.key);
            let ro = if fl.derived { " (computed)" } else { "" };
            let nullable = !fl.required;
            match fl.kind {
                Kind::Unit => {
                    o = o
                        .property(
                            "admin_unit_code",
                            typed(Type::String, nullable)
                                .pattern(fl.required.then_some(r"\S"))
                                .description(Some(
                                    "Official code of the admin unit (send; read back)",
                                )),
                        )
                        .property(
                            "admin_unit_as_of",
                            typed(Type::String, true)
                                .write_only(Some(true))
                                .description(Some("Date the code is read at (send only; default today, else the last pre-reform unit); 29/9/2015 is accepted too")),
                        )
                        .property(
                            "admin_unit_id",
                            read_only(Type::Integer, nullable, "Id of the admin unit".into()),
                        )
                        .property(
                            "admin_unit_name",
                            read_only(Type::String, nullable, "Name of the admin unit".into()),
                        );
                    if fl.required {
                        o = o.required("admin_unit_code");
                    }
                }
                Kind::Ref(target) => {
                    o = o
                        .property(
                            fl.key,
                            typed(Type::Integer, nullable)
                                .description(Some(format!("{label}: id of a {}", target.kind()))),
                        )
                        .property(
                            format!("{}_label", fl.key),
                            read_only(Type::String, true, label.clone()),
                        );
                }
                Kind::Agency => {
                    o = o
                        .property(
                            fl.key,
                            typed(Type::Integer, nullable)
                                .description(Some(format!("{label}: agency id (or its name)"))),
                        )
                        .property(
                            format!("{}_label", fl.key),
                            read_only(Type::String, true, label.clone()),
                        );
                }
                Kind::Refs(target) => {
                    o = o.property(
                        fl.key,
                        ArrayBuilder::new()
                            .items(
                                ObjectBuilder::new()
                                    .property("id", ObjectBuilder::new().schema_type(Type::Integer))
                                    .required("id")
                                    .property(
                                        "name",
                                        ObjectBuilder::new().schema_type(Type::String),
                                    )
                                    .required("name"),
                            )
                            .description(Some(format!(
                                "{label}: send ids (or names) of {}s; read back as {{id, name}}",
                                target.kind()
                            ))),
                    );
                }
                Kind::Enum(values) => {
                    let mut allowed: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
                    if nullable {
                        allowed.push(Value::Null);
                    }
                    o = o.property(
                        fl.key,
                        typed(Type::String, nullable)
                            .enum_values(Some(allowed))
                            .description(Some(format!("{label}{ro}"))),
                    );
                }
                Kind::Date => {
                    o = o.property(
                        fl.key,
                        typed(Type::String, nullable)
                            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                            .description(Some(format!(
                                "{label}{ro}; send 2015-09-29 or 29/9/2015"
                            ))),
                    );
                }
                Kind::Int { min, max } => {
                    o = o.property(
                        fl.key,
                        typed(Type::Integer, nullable)
                            .minimum(Some(min as f64))
                            .maximum(Some(max as f64))
                            .description(Some(format!(
                                "{label}{ro}; Vietnamese text like \"17.800\" is accepted"
                            ))),
                    )
                }
                Kind::Year => {
                    o = o.property(
                        fl.key,
                        typed(Type::Integer, nullable)
                            .minimum(Some(1000.0))
                            .maximum(Some(2100.0))
                            .description(Some(format!("{label}{ro}"))),
                    )
                }
                Kind::Money => {
                    o = o.property(
                        fl.key,
                        typed(Type::Integer, nullable)
                            .minimum(Some(0.0))
                            .description(Some(format!(
                                "{label}: integer đồng; \"163,4 tỷ\" is accepted"
                            ))),
                    )
                }
                Kind::Decimal { min, max } => {
                    o = o.property(
                        fl.key,
                        typed(Type::Number, nullable)
                            .minimum(Some(min))
                            .maximum(Some(max))
                            .description(Some(format!("{label}{ro}; \"82,155\" is accepted"))),
                    )
                }
                Kind::Bool => {
                    o = o.property(
                        fl.key,
                        typed(Type::Boolean, true)
                            .description(Some(format!("{label} (null = unknown)"))),
                    )
                }
                Kind::Text { max } => {
                    o = o.property(
                        fl.key,
                        typed(Type::String, nullable)
                            .max_length(Some(max))
                            .pattern(fl.required.then_some(r"\S"))
                            .description(Some(format!("{label}{ro}; no control characters"))),
                    )
                }
                Kind::LongText => {
                    o = o.property(
                        fl.key,
                        typed(Type::String, nullable)
                            .max_length(Some(5000))
                            .pattern(fl.required.then_some(r"\S"))
                            .description(Some(format!(
                                "{label}{ro}; no control characters but line breaks"
                            ))),
                    )
                }
                Kind::TaxCode | Kind::DocNumber => {
                    o = o.property(
                        fl.key,
                        typed(Type::String, nullable)
                            .pattern(fl.required.then_some(r"\S"))
                            .description(Some(format!("{label}{ro}"))),
                    )
                }
            }
            if fl.required && !matches!(fl.kind, Kind::Unit) {
                o = o.required(fl.key);
            }
        }
        if e == Entity::Document {
            o = o
                .property(
                    "file_name",
                    read_only(Type::String, true, "Name of the attached file".into()),
                )
                .property(
                    "file_type",
                    read_only(Type::String, true, "Media type of the attached file".into()),
                )
                .property(
                    "file_size",
                    read_only(
                        Type::Integer,
                        true,
                        "Size of the attached file in bytes".into(),
                    ),
                );
        }
        o = o
            .property(
                "version",
                typed(Type::Integer, false).description(Some(
                    "version read: send it back (or `If-Match`) with a change; a stale one answers 409",
                )),
            )
            .property(
                "created_at",
                typed(Type::String, false)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                    .read_only(Some(true)),
            )
            .property(
                "updated_at",
                typed(Type::String, false)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                    .read_only(Some(true)),
            );
        let full = o.build();
        // What is sent: no read-only field (the server ignores them, so a record read can
        // be sent back as it is), and numbers, booleans and references may come as text.
        let mut input = full.clone();
        input
            .properties
            .retain(|_, p| !matches!(p, RefOr::T(Schema::Object(o)) if o.read_only == Some(true)));
        for (key, p) in input.properties.iter_mut() {
            if key == "version" {
                continue;
            }
            if let RefOr::T(Schema::Object(o)) = p {
                // Dates are read as 2015-09-29 or 29/9/2015 (empty = none): no `format`.
                o.format = None;
                if let SchemaType::Array(types) = &mut o.schema_type {
                    if types
                        .iter()
                        .any(|t| matches!(t, Type::Integer | Type::Number | Type::Boolean))
                    {
                        types.insert(1, Type::String);
                        o.minimum = None;
                        o.maximum = None;
                    }
                } else if let SchemaType::Type(t @ (Type::Integer | Type::Number | Type::Boolean)) =
                    o.schema_type.clone()
                {
                    o.schema_type = SchemaType::from_iter([t, Type::String]);
                    o.minimum = None;
                    o.maximum = None;
                }
            }
        }
        input.required.retain(|k| input.properties.contains_key(k));
        input.description = Some(format!(
            "A new {}: the fields of `{}` that are not read-only",
            crate::i18n::t(lang, &format!("entity-{}", e.kind())),
            schema_name(e)
        ));
        // A change (PUT) is partial: fields left out keep their value, so none is required.
        let mut change = input.clone();
        change.required.clear();
        change.description = Some(format!(
            "A change of a {}: send only the fields that change (see `{}`)",
            crate::i18n::t(lang, &format!("entity-{}", e.kind())),
            schema_name(e)
        ));
        components.schemas.insert(
            format!("{}Input", schema_name(e)),
            Schema::Object(input).into(),
        );
        components.schemas.insert(
            format!("{}Change", schema_name(e)),
            Schema::Object(change).into(),
        );
        components
            .schemas
            .insert(schema_name(e).to_string(), Schema::Object(full).into());
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let Some(rest) = path.strip_prefix("/api/v1/") else {
            continue;
        };
        let mut segs = rest.split('/');
        let Some(e) = segs.next().and_then(Entity::from_slug) else {
            continue;
        };
        let tail: Vec<&str> = segs.collect();
        let reference = || -> RefOr<Schema> { Ref::from_schema_name(schema_name(e)).into() };
        let list_schema = || -> RefOr<Schema> {
            ObjectBuilder::new()
                .property(
                    "items",
                    ArrayBuilder::new().items(Ref::from_schema_name(schema_name(e))),
                )
                .required("items")
                .property("total", ObjectBuilder::new().schema_type(Type::Integer))
                .property(
                    "next",
                    ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                            Type::String,
                            Type::Null,
                        ]))
                        .description(Some(
                            "cursor of the next page: send it as `after`; null on the last page",
                        )),
                )
                .required("total")
                .required("next")
                .into()
        };
        let (is_list, is_item) = match tail.as_slice() {
            [] => (true, false),
            ["{id}"] | ["{id}", "recognition"] | ["{id}", "file"] => (false, true),
            _ => (false, false),
        };
        let uploads = matches!(tail.as_slice(), ["import"] | ["{id}", "file"]);
        for (method, op) in [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
        ]
        .into_iter()
        .filter_map(|(m, op)| op.as_mut().map(|op| (m, op)))
        {
            if let Some(rb) = op.request_body.as_mut() {
                // An upload: the multipart field `file` is required (a form without it is a 422).
                if let (true, Some(c)) = (uploads, rb.content.get_mut("multipart/form-data")) {
                    c.schema = Some(crate::api_doc::upload_schema());
                }
                if let Some(c) = rb.content.get_mut("application/json") {
                    if is_item && method == "put" && tail.len() == 1 {
                        c.schema =
                            Some(Ref::from_schema_name(format!("{}Change", schema_name(e))).into());
                    } else if is_list || is_item {
                        c.schema =
                            Some(Ref::from_schema_name(format!("{}Input", schema_name(e))).into());
                    }
                }
            }
            for (code, resp) in op.responses.responses.iter_mut() {
                if let RefOr::T(r) = resp {
                    if let Some(c) = r.content.get_mut("application/json") {
                        match (code.as_str(), is_list, is_item) {
                            ("200", true, _) => c.schema = Some(list_schema()),
                            ("201", true, _) | ("200", _, true) => c.schema = Some(reference()),
                            // An import refuses the file with its rows' problems, or the
                            // request (no `file` field) with the usual error body.
                            ("422", false, false) if uploads => {
                                if let Some(rows) = c.schema.take() {
                                    c.schema = Some(
                                        OneOfBuilder::new()
                                            .item(rows)
                                            .item(Ref::from_schema_name("ErrorBody"))
                                            .into(),
                                    );
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
}
