//! Agencies: departments, People's Committees, centres… Scoped by the user's
//! admin unit: a user sees and edits only agencies whose unit lies within it.

use crate::common::{saved, sent_back, ListOf};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, page_offset, Form, Json, Path, Query, PAGE_SIZE};
use crate::i18n::t;
use crate::scoped::{InScope, Reach, Scoped};
use crate::version;
use crate::views::{pager, render};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::access::Action;
use langnghe_core::agency::{is_kind, KINDS};
use langnghe_core::text::clean_text;
use langnghe_store::agencies::{self as store, Agency, AgencyFilter, AgencyInput, AgencySort};
use langnghe_store::audit::{self, AuditFilter};
use langnghe_store::geo;
use langnghe_store::StoreError;
use minijinja::context;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/agencies", get(list_page).post(create_page))
        .route("/agencies/new", get(new_page))
        .route("/agencies/{id}", get(detail_page).post(update_page))
        .route("/agencies/{id}/edit", get(edit_page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api, create_api))
        .routes(routes!(get_api, update_api))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyQuery {
    /// Search in names; case, diacritics and đ are ignored.
    pub q: Option<String>,
    /// One of the agency kinds (`department`, `people_committee`, …).
    pub kind: Option<String>,
    /// `name`, `-name`, `unit` or `kind`.
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    #[param(ignore)]
    pub page: Option<i64>,
}

fn filter_from(q: &AgencyQuery) -> AppResult<AgencyFilter> {
    let mut errors = vec![];
    let kind = non_empty(&q.kind);
    if kind.as_deref().is_some_and(|k| !is_kind(k)) {
        errors.push(FieldError::new("kind", "error-agency-kind"));
    }
    let sort = match non_empty(&q.sort) {
        None => AgencySort::Name,
        Some(s) => AgencySort::parse(&s).unwrap_or_else(|| {
            errors.push(FieldError::new("sort", "error-sort"));
            AgencySort::Name
        }),
    };
    let qtext = non_empty(&q.q);
    if qtext.as_ref().is_some_and(|s| s.chars().count() > 200) {
        errors.push(FieldError::new("q", "error-too-long").arg("max", 200));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(AgencyFilter {
        q: qtext,
        kind,
        sort,
        limit: crate::extract::api_limit(q.limit),
        offset: crate::extract::api_offset(q.offset),
    })
}

// An agency as the API answers it: the body is this view, not the store's
// row, so a column can change without changing the public contract.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Agency)]
pub struct AgencyView {
    pub id: i64,
    pub key: Option<String>,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub admin_unit_code: String,
    pub admin_unit_name: String,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    /// Changes name the version they were based on (no lost update).
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
}

impl From<Agency> for AgencyView {
    fn from(a: Agency) -> Self {
        AgencyView {
            id: a.id,
            key: a.key,
            name: a.name,
            short_name: a.short_name,
            kind: a.kind,
            admin_unit_code: a.admin_unit_code,
            admin_unit_name: a.admin_unit_name,
            parent_id: a.parent_id,
            parent_name: a.parent_name,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// Agencies inside the caller's scope.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies", params(AgencyQuery),
    responses((status = 200, body = ListOf<AgencyView>), (status = 401), (status = 422)))]
async fn list_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AgencyQuery>,
) -> AppResult<axum::response::Response> {
    let user = ctx.require(Action::Read)?;
    let f = filter_from(&q)?;
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let key = crate::kept::Key::answer(crate::kept::Area::Plans, &ctx)?;
    kept.answer(key, || async {
        let (items, total) = store::list(&state.db, user.scope_unit_id, &f).await?;
        let items: Vec<AgencyView> = items.into_iter().map(AgencyView::from).collect();
        Ok(ListOf { items, total })
    })
    .await
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AgencyQuery>,
) -> AppResult<Html<String>> {
    let user = ctx.require(Action::Read)?;
    let (page, offset) = page_offset(q.page);
    let (mut f, errors) = match filter_from(&q) {
        Ok(f) => (f, vec![]),
        Err(AppError::Validation(e)) => (AgencyFilter::default(), e),
        Err(e) => return Err(e),
    };
    f.limit = PAGE_SIZE;
    f.offset = offset;
    let (items, total) = store::list(&state.db, user.scope_unit_id, &f).await?;
    let sort = q.sort.clone().unwrap_or_else(|| "name".into());
    let page_ctx = context! {
        title => t(ctx.lang, "agencies-title"),
        items => items,
        pager => pager(ctx.lang, page, PAGE_SIZE, total),
        q => q.q.clone().unwrap_or_default(),
        kind => q.kind.clone().unwrap_or_default(),
        sort => sort,
        kinds => KINDS,
        errors => crate::views::field_errors(ctx.lang, &errors),
        query_base => serde_urlencoded::to_string([
            ("q", q.q.as_deref().unwrap_or("")),
            ("kind", q.kind.as_deref().unwrap_or("")),
        ]).unwrap_or_default(),
    };
    render(&state, &ctx, "agencies/list.html", page_ctx)
}

/// What a form or an API call sends to create or change an agency.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AgencyPayload {
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    pub kind: String,
    /// Official code of the admin unit the agency belongs to.
    pub admin_unit_code: String,
    /// Date at which that code is read (default today), e.g. `2017-01-01` for a pre-2025 district.
    #[serde(default)]
    pub admin_unit_as_of: Option<String>,
    /// Parent agency id (optional).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub parent_id: Option<String>,
    /// Changes only: the version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    pub version: Option<i64>,
}

fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v: Option<serde_json::Value> = Option::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// Check a payload against the rules and the caller's scope.
async fn validate(state: &AppState, ctx: &Ctx, p: &AgencyPayload) -> AppResult<AgencyInput> {
    let user = ctx.require(Action::EditRegistry)?;
    let mut errors = vec![];
    let text = |field: &str,
                v: &str,
                max: usize,
                required: bool,
                errors: &mut Vec<FieldError>|
     -> String {
        match clean_text(v, max) {
            Ok(s) if required && s.is_empty() => {
                errors.push(FieldError::new(field, "error-required"));
                s
            }
            Ok(s) => s,
            Err(langnghe_core::text::TextError::TooLong { max, .. }) => {
                errors.push(FieldError::new(field, "error-too-long").arg("max", max));
                String::new()
            }
            Err(langnghe_core::text::TextError::ControlChar { .. }) => {
                errors.push(FieldError::new(field, "error-control-char"));
                String::new()
            }
        }
    };
    let name = text("name", &p.name, 300, true, &mut errors);
    let short_name = text("short_name", &p.short_name, 100, false, &mut errors);
    if !is_kind(p.kind.trim()) {
        errors.push(FieldError::new("kind", "error-agency-kind"));
    }
    let as_of = crate::common::parse_as_of(&p.admin_unit_as_of).map_err(|mut e| {
        e.field = "admin_unit_as_of".into();
        e
    });
    let as_of = match as_of {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let code = p.admin_unit_code.trim();
    let mut unit_id = None;
    if code.is_empty() {
        errors.push(FieldError::new("admin_unit_code", "error-required"));
    } else if let Some(day) = as_of {
        match crate::places::field(
            &state.db,
            ctx.lang,
            "admin_unit_code",
            code,
            None,
            Some(day),
        )
        .await?
        {
            Err(e) => errors.push(e),
            Ok(u) => {
                if geo::covers(&state.db, user.scope_unit_id, u.id).await? {
                    unit_id = Some(u.id);
                } else {
                    errors.push(FieldError::new("admin_unit_code", "error-out-of-scope"));
                }
            }
        }
    }
    let parent_id = match p.parent_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match s.parse::<i64>() {
            Ok(id)
                if store::get(&state.db, user.scope_unit_id, id)
                    .await?
                    .is_some() =>
            {
                Some(id)
            }
            _ => {
                errors.push(FieldError::new("parent_id", "error-unknown-agency"));
                None
            }
        },
    };
    match (errors.is_empty(), unit_id) {
        (true, Some(admin_unit_id)) => Ok(AgencyInput {
            name,
            short_name,
            kind: p.kind.trim().to_string(),
            admin_unit_id,
            parent_id,
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// Create an agency (admin or coordinator, inside their scope).
#[utoipa::path(post, path = "/api/v1/agencies", tag = "agencies", request_body = AgencyPayload,
    responses((status = 201, body = AgencyView), (status = 401), (status = 403), (status = 422)))]
async fn create_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(p): Json<AgencyPayload>,
) -> AppResult<Response> {
    let input = validate(&state, &ctx, &p).await?;
    let a = store::create(&state.db, &ctx.actor(), None, &input).await?;
    Ok((StatusCode::CREATED, Json(AgencyView::from(a))).into_response())
}

/// An agency inside the caller's scope, or 404.
impl InScope for Agency {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, _reach: Reach) -> AppResult<Self> {
        let user = ctx.require(Action::Read)?;
        store::get(&state.db, user.scope_unit_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }
}

/// One agency (404 when outside the caller's scope); its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "agencies", params(("id" = i64, Path)),
    responses((status = 200, body = AgencyView, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
async fn get_api(Scoped(a): Scoped<Agency>) -> AppResult<Response> {
    Ok(version::with_etag(a.version, AgencyView::from(a)))
}

/// Change an agency (admin or coordinator, inside their scope). Name the version
/// read (`version` or `If-Match`): without one 428, stale 409 with the stored agency.
#[utoipa::path(put, path = "/api/v1/agencies/{id}", tag = "agencies", params(("id" = i64, Path)), request_body = AgencyPayload,
    responses((status = 200, body = AgencyView), (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored agency"),
        (status = 422), (status = 428, description = "no version given")))]
async fn update_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(existing): Scoped<Agency>,
    headers: HeaderMap,
    Json(p): Json<AgencyPayload>,
) -> AppResult<Response> {
    let expected = version::expected(p.version, &headers)?;
    let input = validate(&state, &ctx, &p).await?;
    if input.parent_id == Some(existing.id) {
        return Err(AppError::Validation(vec![FieldError::new(
            "parent_id",
            "error-parent-self",
        )]));
    }
    let a = save(&state, &ctx, existing.id, expected, &input).await?;
    Ok(version::with_etag(a.version, AgencyView::from(a)))
}

/// Store a change; a stale version answers 409 with the agency as stored now.
async fn save(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    expected: i64,
    input: &AgencyInput,
) -> AppResult<Agency> {
    match store::update(&state.db, &ctx.actor(), id, Some(expected), input).await {
        Err(StoreError::Stale { .. }) => {
            let current = Agency::load(state, ctx, id, Reach::Read).await?;
            Err(version::stale(&AgencyView::from(current)))
        }
        other => Ok(other?),
    }
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(a): Scoped<Agency>,
) -> AppResult<Html<String>> {
    let (history, _) = audit::list(
        &state.db,
        &AuditFilter {
            entity: Some("agency".into()),
            entity_id: Some(a.id.to_string()),
            limit: 50,
            ..AuditFilter::default()
        },
    )
    .await?;
    let history: Vec<_> = history
        .into_iter()
        .map(|h| context! { at => h.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(), actor => h.actor_name, action => h.action, changes => crate::audit::diff(&h) })
        .collect();
    let page = context! { title => a.name.clone(), a => a, history => history };
    render(&state, &ctx, "agencies/detail.html", page)
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    p: &AgencyPayload,
    id: Option<i64>,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    form_page_with(state, ctx, p, id, errors, None).await
}

/// The form; after a stale save, `conflict` holds the rows typed vs stored.
async fn form_page_with(
    state: &AppState,
    ctx: &Ctx,
    p: &AgencyPayload,
    id: Option<i64>,
    errors: &[FieldError],
    conflict: Option<Vec<crate::views::ConflictRow>>,
) -> AppResult<Html<String>> {
    let user = ctx.require(Action::EditRegistry)?;
    let parents = store::options(&state.db, user.scope_unit_id).await?;
    let page = context! {
        title => t(ctx.lang, if id.is_some() { "agencies-edit" } else { "agencies-new" }),
        p => p,
        id => id,
        kinds => KINDS,
        parents => parents.into_iter().filter(|(pid, _)| Some(*pid) != id).collect::<Vec<_>>(),
        errors => crate::views::field_errors(ctx.lang, errors),
        conflict => conflict,
    };
    render(state, ctx, "agencies/form.html", page)
}

/// The payload a form shows for a stored agency.
async fn payload_of(state: &AppState, a: &Agency) -> AppResult<AgencyPayload> {
    let unit = geo::by_id(&state.db, a.admin_unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(AgencyPayload {
        name: a.name.clone(),
        short_name: a.short_name.clone(),
        kind: a.kind.clone(),
        admin_unit_code: unit.code.clone(),
        admin_unit_as_of: Some(
            unit.valid_to
                .or(unit.valid_from)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        parent_id: a.parent_id.map(|p| p.to_string()),
        version: Some(a.version),
    })
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    form_page(
        &state,
        &ctx,
        &AgencyPayload {
            kind: "department".into(),
            ..Default::default()
        },
        None,
        &[],
    )
    .await
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    ctx.require(Action::EditRegistry)?;
    let a = crate::scoped::load::<Agency>(&state, &ctx, &id, Reach::Read).await?;
    let p = payload_of(&state, &a).await?;
    form_page(&state, &ctx, &p, Some(a.id), &[]).await
}

async fn create_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(p): Form<AgencyPayload>,
) -> AppResult<Response> {
    match validate(&state, &ctx, &p).await {
        Ok(input) => {
            let a = match store::create(&state.db, &ctx.actor(), None, &input).await {
                Ok(a) => a,
                Err(e) => {
                    let e = AppError::from(e);
                    let errs = e.field_errors();
                    if !matches!(e, AppError::Duplicate { .. }) {
                        return Err(e);
                    }
                    let html = form_page(&state, &ctx, &p, None, &errs).await?;
                    return Ok(sent_back(StatusCode::UNPROCESSABLE_ENTITY, html));
                }
            };
            Ok(saved(&session, ctx.lang, &a.name, &format!("/agencies/{}", a.id)).await)
        }
        Err(AppError::Validation(errs)) => Ok(sent_back(
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&state, &ctx, &p, None, &errs).await?,
        )),
        Err(e) => Err(e),
    }
}

async fn update_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Scoped(existing): Scoped<Agency>,
    Form(p): Form<AgencyPayload>,
) -> AppResult<Response> {
    let expected = version::from_form(p.version.map(|v| v.to_string()).as_deref())?;
    let result = validate(&state, &ctx, &p).await.and_then(|input| {
        if input.parent_id == Some(existing.id) {
            Err(AppError::Validation(vec![FieldError::new(
                "parent_id",
                "error-parent-self",
            )]))
        } else {
            Ok(input)
        }
    });
    let saved_as = match result {
        Ok(input) => save(&state, &ctx, existing.id, expected, &input).await,
        Err(e) => Err(e),
    };
    match saved_as {
        Ok(a) => Ok(saved(&session, ctx.lang, &a.name, &format!("/agencies/{}", a.id)).await),
        Err(AppError::Stale { .. }) => stale_form(&state, &ctx, existing.id, &p).await,
        Err(AppError::Validation(errs)) => Ok(sent_back(
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&state, &ctx, &p, Some(existing.id), &errs).await?,
        )),
        Err(e) => Err(e),
    }
}

/// The form again after a stale save: what was typed beside what is stored,
/// with the stored version, so saving again overwrites deliberately.
async fn stale_form(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    p: &AgencyPayload,
) -> AppResult<Response> {
    let stored = Agency::load(state, ctx, id, Reach::Read).await?;
    let stored_p = payload_of(state, &stored).await?;
    let rows = crate::views::conflict_rows(
        &["name", "short_name", "kind", "admin_unit_code", "parent_id"],
        &serde_json::to_value(p).unwrap_or_default(),
        &serde_json::to_value(&stored_p).unwrap_or_default(),
        |f| agency_field_label(ctx.lang, f),
    );
    let mut mine = p.clone();
    mine.version = Some(stored.version);
    let html = form_page_with(state, ctx, &mine, Some(id), &[], Some(rows)).await?;
    Ok(sent_back(StatusCode::CONFLICT, html))
}

/// The label of an agency form field (for the conflict table).
fn agency_field_label(lang: crate::i18n::Lang, field: &str) -> String {
    let key = match field {
        "name" => "name",
        "short_name" => "agency-short-name",
        "kind" => "agency-kind",
        "admin_unit_code" => "agency-unit-code",
        _ => "agency-parent",
    };
    t(lang, key)
}
