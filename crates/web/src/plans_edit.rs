//! Entering a plan by hand: the programme, its indicators with targets (every
//! form the documents use, splits checked), tasks, budget lines; status changes;
//! deriving an annual plan from a programme. Forms and their JSON twins.
//!
//! Changes name the version they were read at (`version` or `If-Match`): the
//! API answers 428 without one and 409 with the stored record when it is
//! stale; a page shows what was typed beside what is stored. Creation and
//! change share one validation per record kind. Status changes are actions:
//! the state machine (`core::plan::program_transition`) guards them, applied
//! to the row once locked, and a version, when given, must be current.

use crate::common::{optional_version, unix_newlines};
use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, Form, Json, Path};
use crate::i18n::{t, Lang};
use crate::plans_forms::{BudgetPayload, IndicatorPayload, TaskPayload};
use crate::version;
use crate::views::{render, ConflictRow};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use langnghe_core::access::Action;
use langnghe_core::plan::{
    self as rules, ProgramStatus, SplitError, Target, TaskStatus, TASK_STATUSES,
};
use langnghe_core::text::clean_text;
use langnghe_core::vnfmt;
use langnghe_store::plans::{
    self as store, BudgetLine, BudgetLineInput, Indicator, IndicatorInput, IndicatorRefusal,
    NewBudgetLine, NewIndicator, NewProgram, NewTarget, NewTask, Program, ProgramInput,
    TargetInput, TargetRow, TaskInput,
};
use langnghe_store::registry::spec::Entity;
use langnghe_store::{agencies, registry, StoreError};
use minijinja::context;
use serde::{Deserialize, Serialize};
use time::Date;
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    let mut router = Router::new()
        .route("/programs/new", get(new_page))
        .route("/programs", post(create_page))
        .route("/programs/{id}/edit", get(edit_page))
        .route("/programs/{id}", post(update_page))
        .route("/programs/{id}/indicators", post(indicator_page))
        .route("/programs/{id}/tasks", post(task_page))
        .route("/programs/{id}/budget", post(budget_page))
        .route("/programs/{id}/status", post(status_page))
        .route("/programs/{id}/derive", post(derive_page));
    // One edit form and one save for each record kind of a programme.
    for kind in [Kind::Indicator, Kind::Target, Kind::Task, Kind::BudgetLine] {
        router = router
            .route(
                &format!("/{}/{{id}}/edit", kind.path()),
                get(move |s: State<AppState>, c: Ctx, p: Path<String>| {
                    edit_record_page(s, c, p, kind)
                }),
            )
            .route(
                &format!("/{}/{{id}}", kind.path()),
                post(
                    move |s: State<AppState>,
                          c: Ctx,
                          se: Session,
                          p: Path<String>,
                          f: Form<RecordForm>| {
                        save_record_page(s, c, se, p, f, kind)
                    },
                ),
            );
    }
    router
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_api))
        .routes(routes!(update_api))
        .routes(routes!(indicator_api))
        .routes(routes!(task_api))
        .routes(routes!(budget_api))
        .routes(routes!(status_api))
        .routes(routes!(derive_api))
        .routes(routes!(actual_api))
        .routes(routes!(indicator_get_api, indicator_put_api))
        .routes(routes!(target_get_api, target_put_api))
        .routes(routes!(task_get_api, task_put_api))
        .routes(routes!(budget_line_get_api, budget_line_put_api))
}

fn text(errors: &mut Vec<FieldError>, field: &str, v: &str, max: usize, required: bool) -> String {
    match clean_text(v, max) {
        Ok(s) if required && s.is_empty() => {
            errors.push(FieldError::new(field, "error-required"));
            s
        }
        Ok(s) => s,
        Err(_) => {
            errors.push(FieldError::new(field, "error-text"));
            String::new()
        }
    }
}

fn date(
    errors: &mut Vec<FieldError>,
    field: &str,
    v: &Option<String>,
    required: bool,
) -> Option<Date> {
    match non_empty(v) {
        None => {
            if required {
                errors.push(FieldError::new(field, "error-required"));
            }
            None
        }
        Some(s) => match vnfmt::parse_date(&s) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(field, "error-date"));
                None
            }
        },
    }
}

fn date_text(d: Option<Date>) -> Option<String> {
    d.map(vnfmt::format_date)
}

async fn agency_ref(state: &AppState, scope: i64, raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let id = match raw.parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => agencies::id_by_key(&state.db, raw).await.ok().flatten(),
    }?;
    agencies::get(&state.db, scope, id)
        .await
        .ok()
        .flatten()
        .map(|a| a.id)
}

/// The label of a plan field in error messages and conflict tables.
fn field_label(lang: Lang, field: &str) -> String {
    t(lang, &format!("plan-field-{field}"))
}

/// A stored record changed since the caller read it: the 409 with it as stored now.
fn stale_of<T: Serialize>(current: &T) -> AppError {
    version::stale(current)
}

// ---------------------------------------------------------------------------
// Programmes
// ---------------------------------------------------------------------------

/// A programme or plan, as entered or changed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ProgramPayload {
    pub code: String,
    pub title: String,
    /// programme, plan, annual_plan, scheme_plan or project.
    pub kind: String,
    /// Number of the issuing document, e.g. "316/KH-UBND" (created in the registry if new).
    #[serde(default)]
    pub document_number: Option<String>,
    #[serde(default)]
    pub document_date: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    /// Lead agency id or key.
    pub lead_agency: String,
    #[serde(default)]
    pub objectives_general: Option<String>,
    /// One objective per line.
    #[serde(default)]
    pub objectives_specific: Option<String>,
    /// Numbers of the documents it is based on, one per line or comma-separated.
    #[serde(default)]
    pub legal_basis: Option<String>,
    /// Changes only: the version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

const KINDS: [&str; 5] = ["programme", "plan", "annual_plan", "scheme_plan", "project"];

async fn document_for(
    state: &AppState,
    ctx: &Ctx,
    number: &str,
    day: Option<Date>,
) -> AppResult<Option<i64>> {
    let number = number.trim();
    if number.is_empty() {
        return Ok(None);
    }
    let parsed = langnghe_core::legal_doc::parse_doc_ref(number).map_err(|_| {
        AppError::Validation(vec![FieldError::new("document_number", "error-doc-number")])
    })?;
    if let Some(id) = registry::document_by_number(&state.db, &parsed.number).await? {
        return Ok(Some(id));
    }
    let mut input = serde_json::Map::new();
    input.insert("number".into(), parsed.number.clone().into());
    input.insert("title".into(), parsed.number.clone().into());
    if let Some(d) = day.or(parsed.date) {
        input.insert("issued_on".into(), d.to_string().into());
    }
    let rec = crate::registry::api::create(state, ctx, Entity::Document, &input).await?;
    Ok(rec.get("id").and_then(serde_json::Value::as_i64))
}

/// A programme's fields checked against the rules and the caller's scope
/// (documents not resolved yet: that may create them in the registry).
struct ProgramFields {
    code: String,
    title: String,
    start: Date,
    end: Date,
    doc_date: Option<Date>,
    lead: i64,
    unit: i64,
    general: Option<String>,
    specific: Vec<String>,
}

/// The one validation of a programme, for creation and change.
async fn check_program(
    state: &AppState,
    ctx: &Ctx,
    p: &ProgramPayload,
) -> AppResult<ProgramFields> {
    let user = ctx.require(Action::EditRegistry)?;
    let scope = user.scope_unit_id;
    let mut errors = vec![];
    let code = text(&mut errors, "code", &p.code, 50, true);
    let title = text(&mut errors, "title", &p.title, 500, true);
    if !KINDS.contains(&p.kind.as_str()) {
        errors.push(FieldError::new("kind", "error-enum"));
    }
    let start = date(&mut errors, "period_start", &p.period_start, true);
    let end = date(&mut errors, "period_end", &p.period_end, true);
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            errors.push(FieldError::new("period_end", "error-period"));
        }
    }
    let doc_date = date(&mut errors, "document_date", &p.document_date, false);
    let lead = agency_ref(state, scope, &p.lead_agency).await;
    if lead.is_none() {
        errors.push(FieldError::new("lead_agency", "error-unknown-agency"));
    }
    let general = non_empty(&p.objectives_general)
        .map(|s| text(&mut errors, "objectives_general", &s, 5000, false));
    let specific: Vec<String> = non_empty(&p.objectives_specific)
        .map(|s| {
            s.lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if let Some(n) = non_empty(&p.document_number) {
        if langnghe_core::legal_doc::parse_doc_ref(&n).is_err() {
            errors.push(FieldError::new("document_number", "error-doc-number"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (Some(start), Some(end), Some(lead)) = (start, end, lead) else {
        return Err(AppError::Validation(vec![]));
    };
    let unit = agencies::get(&state.db, scope, lead)
        .await?
        .map(|a| a.admin_unit_id)
        .ok_or(AppError::NotFound)?;
    Ok(ProgramFields {
        code,
        title,
        start,
        end,
        doc_date,
        lead,
        unit,
        general,
        specific,
    })
}

/// The issuing document and the legal basis, found in the registry or added to it.
async fn documents_of(
    state: &AppState,
    ctx: &Ctx,
    p: &ProgramPayload,
    doc_date: Option<Date>,
) -> AppResult<(Option<i64>, Vec<i64>)> {
    let document_id = document_for(
        state,
        ctx,
        p.document_number.as_deref().unwrap_or(""),
        doc_date,
    )
    .await?;
    let mut basis = vec![];
    for n in non_empty(&p.legal_basis)
        .unwrap_or_default()
        .split(['\n', ',', ';'])
    {
        if let Some(id) = document_for(state, ctx, n, None).await? {
            if !basis.contains(&id) {
                basis.push(id);
            }
        }
    }
    basis.sort_unstable();
    Ok((document_id, basis))
}

async fn create(state: &AppState, ctx: &Ctx, p: &ProgramPayload) -> AppResult<Program> {
    let f = check_program(state, ctx, p).await?;
    let (document_id, basis) = documents_of(state, ctx, p, f.doc_date).await?;
    let actor = ctx.actor();
    let mut w = state.db.write(&actor).await?;
    let id = store::insert_program(
        &mut w,
        &NewProgram {
            key: None,
            code: f.code,
            title: f.title,
            kind: p.kind.clone(),
            document_id,
            period_start: f.start,
            period_end: f.end,
            parent_id: None,
            lead_agency_id: Some(f.lead),
            admin_unit_id: f.unit,
            status: ProgramStatus::Draft.as_str().into(),
            objectives_general: f.general,
            objectives_specific: f.specific,
            notes: None,
        },
    )
    .await?;
    for b in basis {
        store::add_legal_basis(w.tx(), id, b).await?;
    }
    w.commit().await?;
    store::get(&state.db, ctx.user()?.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Enter a programme or plan (it starts as a draft).
#[utoipa::path(post, path = "/api/v1/programs", tag = "plans", request_body = ProgramPayload,
    responses((status = 201, body = Program), (status = 403), (status = 422)))]
async fn create_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(p): Json<ProgramPayload>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(create(&state, &ctx, &p).await?)).into_response())
}

/// Change a programme read at version `expected`.
async fn update(
    state: &AppState,
    ctx: &Ctx,
    prog: &Program,
    expected: i64,
    p: &ProgramPayload,
) -> AppResult<Program> {
    let f = check_program(state, ctx, p).await?;
    // Refuse a stale change before adding any document to the registry.
    if prog.version != expected {
        return Err(stale_of(prog));
    }
    let (document_id, legal_basis) = documents_of(state, ctx, p, f.doc_date).await?;
    let input = ProgramInput {
        code: f.code,
        title: f.title,
        kind: p.kind.clone(),
        document_id,
        period_start: f.start,
        period_end: f.end,
        lead_agency_id: f.lead,
        admin_unit_id: f.unit,
        objectives_general: f.general,
        objectives_specific: f.specific,
        legal_basis,
    };
    match store::update_program(&state.db, &ctx.actor(), prog.id, Some(expected), &input).await {
        Err(StoreError::Stale { .. }) => Err(stale_of(&reload(state, ctx, prog.id).await?)),
        other => Ok(other?),
    }
}

async fn reload(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Program> {
    store::get(&state.db, ctx.user()?.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Change a programme's title, dates, lead agency, documents and objectives
/// (admin or coordinator, inside their scope). Name the version read
/// (`version` or `If-Match`): without one 428, stale 409 with the stored
/// programme in `error.current`. The status moves by `POST …/status`.
#[utoipa::path(put, path = "/api/v1/programs/{id}", tag = "plans", params(("id" = i64, Path)), request_body = ProgramPayload,
    responses((status = 200, body = Program, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored programme"),
        (status = 422), (status = 428, description = "no version given")))]
async fn update_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<ProgramPayload>,
) -> AppResult<Response> {
    let prog = editable(&state, &ctx, &id).await?;
    let expected = version::expected(p.version, &headers)?;
    let saved = update(&state, &ctx, &prog, expected, &p).await?;
    Ok(version::with_etag(saved.version, saved))
}

/// The payload a form shows for a stored programme.
async fn payload_of(state: &AppState, p: &Program) -> AppResult<ProgramPayload> {
    let basis = store::legal_basis(&state.db, p.id).await?;
    let specific: Vec<String> = p
        .objectives_specific
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    Ok(ProgramPayload {
        code: p.code.clone(),
        title: p.title.clone(),
        kind: p.kind.clone(),
        document_number: p.document_number.clone(),
        document_date: date_text(p.document_date),
        period_start: Some(vnfmt::format_date(p.period_start)),
        period_end: Some(vnfmt::format_date(p.period_end)),
        lead_agency: p.lead_agency_id.map(|a| a.to_string()).unwrap_or_default(),
        objectives_general: p.objectives_general.clone(),
        objectives_specific: Some(specific.join("\n")),
        legal_basis: Some(
            basis
                .into_iter()
                .map(|(_, n, title)| n.unwrap_or(title))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        version: Some(p.version),
    })
}

async fn form(
    state: &AppState,
    ctx: &Ctx,
    p: &ProgramPayload,
    id: Option<i64>,
    errors: &[FieldError],
    conflict: Option<Vec<ConflictRow>>,
) -> AppResult<Html<String>> {
    let user = ctx.require(Action::EditRegistry)?;
    let agencies = agencies::options(&state.db, user.scope_unit_id).await?;
    let errors: Vec<_> = errors
        .iter()
        .map(|e| context! { field => e.field, message => format!("{}: {}", field_label(ctx.lang, &e.field), e.message(ctx.lang)) })
        .collect();
    let title = t(
        ctx.lang,
        if id.is_some() {
            "program-edit"
        } else {
            "program-new"
        },
    );
    let page = context! { title => title, p => p, id => id, kinds => KINDS, agencies => agencies, errors => errors, conflict => conflict };
    render(state, ctx, "plans/form.html", page)
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    form(
        &state,
        &ctx,
        &ProgramPayload {
            kind: "plan".into(),
            ..Default::default()
        },
        None,
        &[],
        None,
    )
    .await
}

async fn create_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(p): Form<ProgramPayload>,
) -> AppResult<Response> {
    match create(&state, &ctx, &p).await {
        Ok(prog) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/programs/{}", prog.id)).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. })) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form(&state, &ctx, &p, None, &e.field_errors(), None).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let prog = editable(&state, &ctx, &id).await?;
    let p = payload_of(&state, &prog).await?;
    form(&state, &ctx, &p, Some(prog.id), &[], None).await
}

const PROGRAM_FIELDS: [&str; 11] = [
    "code",
    "title",
    "kind",
    "document_number",
    "document_date",
    "period_start",
    "period_end",
    "lead_agency",
    "legal_basis",
    "objectives_general",
    "objectives_specific",
];

async fn update_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<ProgramPayload>,
) -> AppResult<Response> {
    let prog = editable(&state, &ctx, &id).await?;
    let expected = version::from_form(p.version.map(|v| v.to_string()).as_deref())?;
    match update(&state, &ctx, &prog, expected, &p).await {
        Ok(saved) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/programs/{}", saved.id)).into_response())
        }
        Err(AppError::Stale { .. }) => {
            // Keep what was typed; show it beside what is stored, with the stored
            // version, so saving again overwrites deliberately.
            let stored = reload(&state, &ctx, prog.id).await?;
            let stored_p = payload_of(&state, &stored).await?;
            let rows = conflict_rows(ctx.lang, &PROGRAM_FIELDS, &p, &stored_p);
            let mut mine = p.clone();
            mine.version = Some(stored.version);
            let html = form(&state, &ctx, &mine, Some(prog.id), &[], Some(rows)).await?;
            Ok((StatusCode::CONFLICT, html).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. })) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form(&state, &ctx, &p, Some(prog.id), &e.field_errors(), None).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

/// "Bạn nhập / Đã lưu": the fields whose typed value differs from the stored one.
fn conflict_rows<A: Serialize, B: Serialize>(
    lang: Lang,
    fields: &[&str],
    mine: &A,
    stored: &B,
) -> Vec<ConflictRow> {
    crate::views::conflict_rows(
        fields,
        &unix_newlines(serde_json::to_value(mine).unwrap_or_default()),
        &unix_newlines(serde_json::to_value(stored).unwrap_or_default()),
        |f| field_label(lang, f),
    )
}

async fn editable(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Program> {
    let user = ctx.require(Action::EditRegistry)?;
    let id = crate::common::path_id(id)?;
    store::get(&state.db, user.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------------------
// Indicators and targets
// ---------------------------------------------------------------------------

/// One part of a split: (label, value, dimension, admin unit, agency).
type SplitRow = (String, f64, &'static str, Option<i64>, Option<i64>);

/// A change of an indicator (its targets change one by one, `PUT /api/v1/targets/{id}`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct IndicatorEditPayload {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// sum, average, latest or ratio (default sum).
    #[serde(default)]
    pub aggregation: Option<String>,
    /// higher or lower (default higher).
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub baseline_value: Option<String>,
    #[serde(default)]
    pub baseline_year: Option<String>,
    /// The version read (or send `If-Match`).
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

/// The one validation of an indicator's own fields, for creation and change.
#[allow(clippy::too_many_arguments)]
fn indicator_fields(
    errors: &mut Vec<FieldError>,
    code: &str,
    name: &str,
    unit: &str,
    aggregation: &Option<String>,
    direction: &Option<String>,
    baseline_value: &Option<String>,
    baseline_year: &Option<String>,
) -> IndicatorInput {
    let code = text(errors, "code", code, 20, true);
    let name = text(errors, "name", name, 500, true);
    let unit = text(errors, "unit", unit, 40, true);
    let aggregation = non_empty(aggregation).unwrap_or_else(|| "sum".into());
    if !["sum", "average", "latest", "ratio"].contains(&aggregation.as_str()) {
        errors.push(FieldError::new("aggregation", "error-enum"));
    }
    let direction = non_empty(direction).unwrap_or_else(|| "higher".into());
    if !["higher", "lower"].contains(&direction.as_str()) {
        errors.push(FieldError::new("direction", "error-enum"));
    }
    let baseline_value = match non_empty(baseline_value) {
        None => None,
        Some(s) => vnfmt::parse_number(&s)
            .map_err(|_| {
                errors.push(FieldError::new("baseline_value", "error-number").arg("value", s))
            })
            .ok(),
    };
    let baseline_year = match non_empty(baseline_year) {
        None => None,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .or_else(|| {
                errors.push(FieldError::new("baseline_year", "error-year"));
                None
            }),
    };
    IndicatorInput {
        code,
        name,
        unit,
        aggregation,
        direction,
        baseline_value,
        baseline_year,
    }
}

/// A target's wording read by `core::plan` (with the indicator's unit); growth
/// and multiples need a baseline.
fn target_form(
    errors: &mut Vec<FieldError>,
    wording: &str,
    unit: &str,
    baseline: Option<f64>,
) -> (String, Option<Target>) {
    let target_text = text(errors, "target", wording, 200, true);
    let form = match rules::parse_target_with_unit(&target_text, unit)
        .or_else(|_| rules::parse_target(&target_text))
    {
        Ok(f) => Some(f),
        Err(_) if target_text.is_empty() => None,
        Err(_) => {
            errors.push(FieldError::new("target", "error-target"));
            None
        }
    };
    if let Some(Target::Growth { .. } | Target::Multiple { .. }) = form {
        if baseline.is_none() {
            errors.push(FieldError::new("baseline_value", "error-baseline-needed"));
        }
    }
    (target_text, form)
}

/// A split as typed, one "name = number" per line: a category ("Nông nghiệp =
/// 13.265"), an admin unit ("unit:018 = 5") or an agency ("agency:hn-so-ct =
/// 3"); the parts must add up to an exact total.
async fn split_rows(
    state: &AppState,
    ctx: &Ctx,
    errors: &mut Vec<FieldError>,
    split: &str,
    form: Option<Target>,
) -> AppResult<Vec<SplitRow>> {
    let mut parts: Vec<(String, f64)> = vec![];
    for line in split.lines().filter(|l| !l.trim().is_empty()) {
        match line.rsplit_once('=') {
            Some((k, v)) => match vnfmt::parse_number(v.trim()) {
                Ok(x) => parts.push((k.trim().chars().take(100).collect(), x)),
                Err(_) => errors.push(
                    FieldError::new("split", "error-split-line")
                        .arg("value", line.chars().take(60).collect::<String>()),
                ),
            },
            None => errors.push(
                FieldError::new("split", "error-split-line")
                    .arg("value", line.chars().take(60).collect::<String>()),
            ),
        }
    }
    if let (Some(Target::Exact { value }), false) = (form, parts.is_empty()) {
        let values: Vec<f64> = parts.iter().map(|(_, v)| *v).collect();
        if let Err(e) = rules::check_split(value, &values, store::SPLIT_TOLERANCE) {
            errors.push(split_error(e));
        }
    }
    let scope = ctx.user()?.scope_unit_id;
    let mut rows: Vec<SplitRow> = vec![];
    for (k, v) in &parts {
        if let Some(code) = k.strip_prefix("unit:") {
            match langnghe_store::geo::resolve(&state.db, code.trim(), None, crate::common::today())
                .await?
            {
                Some(u) if langnghe_store::geo::covers(&state.db, scope, u.id).await? => {
                    rows.push((k.clone(), *v, "unit", Some(u.id), None))
                }
                _ => errors.push(
                    FieldError::new("split", "error-unknown-unit")
                        .arg("code", code.trim().chars().take(16).collect::<String>()),
                ),
            }
        } else if let Some(a) = k.strip_prefix("agency:") {
            match agency_ref(state, scope, a).await {
                Some(id) => rows.push((k.clone(), *v, "agency", None, Some(id))),
                None => errors.push(FieldError::new("split", "error-unknown-agency")),
            }
        } else {
            rows.push((k.clone(), *v, "category", None, None));
        }
    }
    Ok(rows)
}

fn split_error(e: SplitError) -> FieldError {
    match e {
        SplitError::Mismatch { sum, total, .. } => FieldError::new("split", "error-split-sum")
            .arg("sum", vnfmt::format_decimal_trim(sum, 3))
            .arg("total", vnfmt::format_decimal_trim(total, 3)),
        SplitError::NotFinite => FieldError::new("target", "error-split-part"),
    }
}

/// The target rows of a split (their parent and indicator are set when stored).
fn split_targets(
    indicator_id: i64,
    parent: i64,
    milestone: &str,
    rows: Vec<SplitRow>,
) -> Vec<NewTarget> {
    rows.into_iter()
        .map(|(k, v, dimension, unit_id, agency_id)| NewTarget {
            indicator_id,
            parent_id: Some(parent),
            milestone: milestone.to_string(),
            text: vnfmt::format_decimal_trim(v, 3),
            form: serde_json::to_string(&Target::Exact { value: v }).unwrap_or_default(),
            cumulative: true,
            dimension: dimension.into(),
            category: (dimension == "category").then_some(k),
            admin_unit_id: unit_id,
            agency_id,
            value: Some(v),
        })
        .collect()
}

async fn add_indicator(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &IndicatorPayload,
) -> AppResult<i64> {
    let prog = editable(state, ctx, id).await?;
    let mut errors = vec![];
    let fields = indicator_fields(
        &mut errors,
        &p.code,
        &p.name,
        &p.unit,
        &p.aggregation,
        &p.direction,
        &p.baseline_value,
        &p.baseline_year,
    );
    let milestone = text(&mut errors, "milestone", &p.milestone, 20, true);
    let (target_text, form) =
        target_form(&mut errors, &p.target, &fields.unit, fields.baseline_value);
    let split = split_rows(
        state,
        ctx,
        &mut errors,
        &non_empty(&p.split).unwrap_or_default(),
        form,
    )
    .await?;
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let form =
        form.ok_or_else(|| AppError::Validation(vec![FieldError::new("target", "error-target")]))?;
    let existing = store::indicators(&state.db, prog.id).await?;
    if existing.iter().any(|i| i.code == fields.code) {
        return Err(AppError::Validation(vec![FieldError::new(
            "code",
            "error-duplicate",
        )]));
    }
    let actor = ctx.actor();
    let mut w = state.db.write(&actor).await?;
    let iid = store::insert_indicator(
        &mut w,
        &NewIndicator {
            program_id: prog.id,
            code: fields.code,
            name: fields.name,
            unit: fields.unit,
            aggregation: fields.aggregation,
            direction: fields.direction,
            baseline_value: fields.baseline_value,
            baseline_year: fields.baseline_year,
            sort_order: existing.len() as i64,
            source: None,
            notes: None,
        },
    )
    .await?;
    let value = match form {
        Target::Exact { value } => Some(value),
        _ => None,
    };
    let tid = store::insert_target(
        &mut w,
        &NewTarget {
            indicator_id: iid,
            parent_id: None,
            milestone: milestone.clone(),
            text: target_text,
            form: serde_json::to_string(&form).unwrap_or_default(),
            cumulative: true,
            dimension: "total".into(),
            category: None,
            admin_unit_id: None,
            agency_id: None,
            value,
        },
    )
    .await?;
    for t in split_targets(iid, tid, &milestone, split) {
        store::insert_target(&mut w, &t).await?;
    }
    w.commit().await?;
    Ok(iid)
}

/// Add an indicator with its target to a programme.
#[utoipa::path(post, path = "/api/v1/programs/{id}/indicators", tag = "plans", params(("id" = i64, Path)), request_body = IndicatorPayload,
    responses((status = 201, description = "`{id}` of the indicator"), (status = 403), (status = 404), (status = 422)))]
async fn indicator_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<IndicatorPayload>,
) -> AppResult<Response> {
    let iid = add_indicator(&state, &ctx, &id, &p).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": iid }))).into_response())
}

/// An indicator the caller may read (404 when its programme is outside the scope).
async fn indicator_in_scope(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    edit: bool,
) -> AppResult<(Program, Indicator)> {
    let user = ctx.require(if edit {
        Action::EditRegistry
    } else {
        Action::Read
    })?;
    let id = crate::common::path_id(id)?;
    let ind = store::indicator(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reach = if edit {
        store::Reach::Within
    } else {
        store::Reach::Visible
    };
    let prog = store::get_reach(&state.db, user.scope_unit_id, ind.program_id, reach)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((prog, ind))
}

async fn change_indicator(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    expected: i64,
    p: &IndicatorEditPayload,
) -> AppResult<Indicator> {
    let (_, ind) = indicator_in_scope(state, ctx, id, true).await?;
    let mut errors = vec![];
    let input = indicator_fields(
        &mut errors,
        &p.code,
        &p.name,
        &p.unit,
        &p.aggregation,
        &p.direction,
        &p.baseline_value,
        &p.baseline_year,
    );
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    match store::update_indicator(&state.db, &ctx.actor(), ind.id, Some(expected), &input).await {
        Ok(Ok(i)) => Ok(i),
        Ok(Err(IndicatorRefusal::DuplicateCode)) => {
            Err(AppError::Validation(vec![FieldError::new(
                "code",
                "error-duplicate",
            )]))
        }
        Ok(Err(IndicatorRefusal::BaselineNeeded)) => {
            Err(AppError::Validation(vec![FieldError::new(
                "baseline_value",
                "error-baseline-needed",
            )]))
        }
        Err(StoreError::Stale { .. }) => {
            let (_, now) = indicator_in_scope(state, ctx, id, false).await?;
            Err(stale_of(&now))
        }
        Err(e) => Err(e.into()),
    }
}

/// One indicator; its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/indicators/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = Indicator, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
async fn indicator_get_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (_, ind) = indicator_in_scope(&state, &ctx, &id, false).await?;
    Ok(version::with_etag(ind.version, ind))
}

/// Change an indicator's code, name, unit, aggregation, direction and baseline
/// (as creating one, inside the caller's scope). Name the version read: without
/// one 428, stale 409 with the stored indicator in `error.current`.
#[utoipa::path(put, path = "/api/v1/indicators/{id}", tag = "plans", params(("id" = i64, Path)), request_body = IndicatorEditPayload,
    responses((status = 200, body = Indicator, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored indicator"),
        (status = 422), (status = 428, description = "no version given")))]
async fn indicator_put_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<IndicatorEditPayload>,
) -> AppResult<Response> {
    indicator_in_scope(&state, &ctx, &id, true).await?;
    let expected = version::expected(p.version, &headers)?;
    let i = change_indicator(&state, &ctx, &id, expected, &p).await?;
    Ok(version::with_etag(i.version, i))
}

/// A change of a target: its wording (read again by the rules) and milestone,
/// and for a total its split.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TargetPayload {
    /// "2025", "2016-2020"…
    pub milestone: String,
    /// The target as the plan states it: "10-12", "trên 7.000", "80 %"…
    pub target: String,
    /// A total's split, "category = value" per line (as when it was entered);
    /// absent: the split stays; empty: no split. The parts must add up.
    #[serde(default)]
    pub split: Option<String>,
    /// The version read (or send `If-Match`).
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

async fn target_in_scope(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    edit: bool,
) -> AppResult<(Indicator, TargetRow)> {
    let id = crate::common::path_id(id)?;
    let row = store::target(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, ind) = indicator_in_scope(state, ctx, &row.indicator_id.to_string(), edit).await?;
    Ok((ind, row))
}

/// The split of a total as a form shows it, one line per part.
async fn split_text(state: &AppState, parts: &[TargetRow]) -> AppResult<String> {
    let mut lines = vec![];
    for s in parts {
        let label = match s.dimension.as_str() {
            "unit" => match s.admin_unit_id {
                Some(u) => langnghe_store::geo::by_id(&state.db, u)
                    .await?
                    .map(|u| format!("unit:{}", u.code))
                    .unwrap_or_default(),
                None => String::new(),
            },
            "agency" => s
                .agency_id
                .map(|a| format!("agency:{a}"))
                .unwrap_or_default(),
            _ => s.category.clone().unwrap_or_default(),
        };
        lines.push(format!("{label} = {}", s.text));
    }
    Ok(lines.join("\n"))
}

async fn change_target(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    expected: i64,
    p: &TargetPayload,
) -> AppResult<TargetRow> {
    let (ind, row) = target_in_scope(state, ctx, id, true).await?;
    let mut errors = vec![];
    let milestone = text(&mut errors, "milestone", &p.milestone, 20, true);
    let (wording, form) = target_form(&mut errors, &p.target, &ind.unit, ind.baseline_value);
    // The split typed again as it is shown means: keep it.
    let parts: Vec<TargetRow> = store::indicator_targets(&state.db, ind.id)
        .await?
        .into_iter()
        .filter(|t| t.parent_id == Some(row.id))
        .collect();
    let shown = split_text(state, &parts).await?;
    let typed = p.split.as_deref().map(|s| {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    });
    let new_split = match typed {
        Some(s) if s != shown => {
            if row.parent_id.is_some() && !s.is_empty() {
                errors.push(FieldError::new("split", "error-split-of-part"));
                None
            } else {
                Some(split_rows(state, ctx, &mut errors, &s, form).await?)
            }
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let form =
        form.ok_or_else(|| AppError::Validation(vec![FieldError::new("target", "error-target")]))?;
    let input = TargetInput {
        split: new_split.map(|rows| split_targets(ind.id, row.id, &milestone, rows)),
        milestone,
        text: wording,
        form,
    };
    match store::update_target(&state.db, &ctx.actor(), row.id, Some(expected), &input).await {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => Err(AppError::Validation(vec![split_error(e)])),
        Err(StoreError::Stale { .. }) => {
            let (_, now) = target_in_scope(state, ctx, id, false).await?;
            Err(stale_of(&now))
        }
        Err(e) => Err(e.into()),
    }
}

/// One target (as stated, its parsed form, its split dimension); its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/targets/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = TargetRow, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
async fn target_get_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (_, row) = target_in_scope(&state, &ctx, &id, false).await?;
    Ok(version::with_etag(row.version, row))
}

/// Change a target's wording and milestone (read again by the rules, as when
/// it was entered) and a total's split: a total and its parts must still add
/// up. Name the version read: without one 428, stale 409 with the stored target.
#[utoipa::path(put, path = "/api/v1/targets/{id}", tag = "plans", params(("id" = i64, Path)), request_body = TargetPayload,
    responses((status = 200, body = TargetRow, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored target"),
        (status = 422, description = "the wording is not understood, or the parts do not add up"), (status = 428, description = "no version given")))]
async fn target_put_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<TargetPayload>,
) -> AppResult<Response> {
    target_in_scope(&state, &ctx, &id, true).await?;
    let expected = version::expected(p.version, &headers)?;
    let row = change_target(&state, &ctx, &id, expected, &p).await?;
    Ok(version::with_etag(row.version, row))
}

// ---------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------

/// The one validation of a task, for creation and change.
async fn check_task(
    state: &AppState,
    ctx: &Ctx,
    prog: &Program,
    p: &TaskPayload,
    status_now: &str,
) -> AppResult<TaskInput> {
    let scope = ctx.user()?.scope_unit_id;
    let mut errors = vec![];
    let body = text(&mut errors, "text", &p.text, 2000, true);
    let section = non_empty(&p.section).map(|s| text(&mut errors, "section", &s, 50, false));
    let lead = agency_ref(state, scope, &p.lead_agency).await;
    if lead.is_none() {
        errors.push(FieldError::new("lead_agency", "error-unknown-agency"));
    }
    let mut co = vec![];
    for c in non_empty(&p.coordinating)
        .unwrap_or_default()
        .split([',', ';', '\n'])
        .filter(|c| !c.trim().is_empty())
    {
        match agency_ref(state, scope, c).await {
            Some(a) => co.push(a),
            None => errors.push(
                FieldError::new("coordinating", "error-unknown-record")
                    .arg("value", c.trim().chars().take(60).collect::<String>()),
            ),
        }
    }
    let start = date(&mut errors, "start_on", &p.start_on, false);
    let due = date(&mut errors, "due_on", &p.due_on, false);
    if let (Some(s), Some(d)) = (start, due) {
        if d < s {
            errors.push(FieldError::new("due_on", "error-period"));
        }
    }
    let indicators = store::indicators(&state.db, prog.id).await?;
    let mut linked = vec![];
    for code in non_empty(&p.indicators)
        .unwrap_or_default()
        .split([',', ';', ' '])
        .filter(|c| !c.trim().is_empty())
    {
        match indicators.iter().find(|i| i.code == code.trim()) {
            Some(i) => {
                if !linked.contains(&i.id) {
                    linked.push(i.id)
                }
            }
            None => errors.push(
                FieldError::new("indicators", "error-unknown-record")
                    .arg("value", code.trim().chars().take(20).collect::<String>()),
            ),
        }
    }
    let status = non_empty(&p.status).unwrap_or_else(|| status_now.to_string());
    if !TASK_STATUSES.contains(&status.as_str()) {
        errors.push(FieldError::new("status", "error-enum"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(TaskInput {
        section,
        text: body,
        lead_agency_id: lead,
        coordinating: co,
        start_on: start,
        due_on: due,
        status,
        indicators: linked,
    })
}

async fn add_task(state: &AppState, ctx: &Ctx, id: &str, p: &TaskPayload) -> AppResult<i64> {
    let prog = editable(state, ctx, id).await?;
    let t = check_task(state, ctx, &prog, p, TaskStatus::Open.as_str()).await?;
    let order = store::tasks(&state.db, prog.id).await?.len() as i64;
    let actor = ctx.actor();
    let mut w = state.db.write(&actor).await?;
    let tid = store::insert_task(
        &mut w,
        &NewTask {
            program_id: prog.id,
            section: t.section,
            text: t.text,
            lead_agency_id: t.lead_agency_id,
            co_leads: vec![],
            coordinating: t.coordinating,
            start_on: t.start_on,
            due_on: t.due_on,
            sort_order: order,
            source: None,
        },
    )
    .await?;
    for i in t.indicators {
        store::link_task_indicator(w.tx(), tid, i).await?;
    }
    w.commit().await?;
    Ok(tid)
}

/// Add a task (lead and coordinating agencies, dates).
#[utoipa::path(post, path = "/api/v1/programs/{id}/tasks", tag = "plans", params(("id" = i64, Path)), request_body = TaskPayload,
    responses((status = 201, description = "`{id}` of the task"), (status = 403), (status = 404), (status = 422)))]
async fn task_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<TaskPayload>,
) -> AppResult<Response> {
    let tid = add_task(&state, &ctx, &id, &p).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": tid }))).into_response())
}

async fn task_in_scope(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    edit: bool,
) -> AppResult<(Program, crate::plans::TaskView)> {
    let user = ctx.require(if edit {
        Action::EditRegistry
    } else {
        Action::Read
    })?;
    let id = crate::common::path_id(id)?;
    let task = store::task(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reach = if edit {
        store::Reach::Within
    } else {
        store::Reach::Visible
    };
    let prog = store::get_reach(&state.db, user.scope_unit_id, task.program_id, reach)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = crate::plans::task_view(state, task).await?;
    Ok((prog, view))
}

async fn change_task(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    expected: i64,
    p: &TaskPayload,
) -> AppResult<crate::plans::TaskView> {
    let (prog, tv) = task_in_scope(state, ctx, id, true).await?;
    let input = check_task(state, ctx, &prog, p, &tv.task.status).await?;
    match store::update_task(&state.db, &ctx.actor(), tv.task.id, Some(expected), &input).await {
        Ok(t) => crate::plans::task_view(state, t).await,
        Err(StoreError::Stale { .. }) => {
            let (_, now) = task_in_scope(state, ctx, id, false).await?;
            Err(stale_of(&now))
        }
        Err(e) => Err(e.into()),
    }
}

/// One task with its coordinating agencies and indicators; its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = crate::plans::TaskView, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
async fn task_get_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (_, tv) = task_in_scope(&state, &ctx, &id, false).await?;
    Ok(version::with_etag(tv.task.version, tv))
}

/// Change a task: text, section, lead and coordinating agencies, dates,
/// status, indicators (checked as when it was added, inside the caller's
/// scope). Name the version read: without one 428, stale 409 with the stored task.
#[utoipa::path(put, path = "/api/v1/tasks/{id}", tag = "plans", params(("id" = i64, Path)), request_body = TaskPayload,
    responses((status = 200, body = crate::plans::TaskView, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored task"),
        (status = 422), (status = 428, description = "no version given")))]
async fn task_put_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<TaskPayload>,
) -> AppResult<Response> {
    task_in_scope(&state, &ctx, &id, true).await?;
    let expected = version::expected(p.version, &headers)?;
    let tv = change_task(&state, &ctx, &id, expected, &p).await?;
    Ok(version::with_etag(tv.task.version, tv))
}

// ---------------------------------------------------------------------------
// Budget lines
// ---------------------------------------------------------------------------

/// A change of a budget line: its content, source and planned amount.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BudgetLinePayload {
    pub line: String,
    /// central, local, khuyen_cong, trade_promotion, socialised or other.
    pub source_of_funds: String,
    /// "3 tỷ đồng", "163.400.000.000"; empty: none.
    #[serde(default)]
    pub planned: Option<String>,
    /// The version read (or send `If-Match`).
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

const FUNDS: [&str; 6] = [
    "central",
    "local",
    "khuyen_cong",
    "trade_promotion",
    "socialised",
    "other",
];

fn money(field: &str, v: &Option<String>, errors: &mut Vec<FieldError>) -> Option<i64> {
    match non_empty(v) {
        None => None,
        Some(s) => match vnfmt::parse_money_dong(&s) {
            Ok(x) if x >= 0 => Some(x),
            _ => {
                errors.push(
                    FieldError::new(field, "error-money")
                        .arg("value", s.chars().take(40).collect::<String>()),
                );
                None
            }
        },
    }
}

/// The one validation of a budget line's own fields, for creation and change.
fn budget_line_fields(
    errors: &mut Vec<FieldError>,
    line: &str,
    source_of_funds: &str,
    planned: &Option<String>,
) -> BudgetLineInput {
    let line = text(errors, "line", line, 500, true);
    if !FUNDS.contains(&source_of_funds) {
        errors.push(FieldError::new("source_of_funds", "error-enum"));
    }
    BudgetLineInput {
        line,
        source_of_funds: source_of_funds.to_string(),
        planned_dong: money("planned", planned, errors),
    }
}

async fn add_budget(state: &AppState, ctx: &Ctx, id: &str, p: &BudgetPayload) -> AppResult<i64> {
    let prog = editable(state, ctx, id).await?;
    let mut errors = vec![];
    let fields = budget_line_fields(&mut errors, &p.line, &p.source_of_funds, &p.planned);
    let allocated = money("allocated", &p.allocated, &mut errors);
    let disbursed = money("disbursed", &p.disbursed, &mut errors);
    let year = match non_empty(&p.year) {
        None => None,
        Some(y) => y
            .parse::<i64>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .or_else(|| {
                errors.push(FieldError::new("year", "error-year"));
                None
            }),
    };
    if (allocated.is_some() || disbursed.is_some()) && year.is_none() {
        errors.push(FieldError::new("year", "error-required"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut amounts = vec![];
    if let (Some(y), Some(a)) = (year, allocated) {
        amounts.push((y, "allocation".to_string(), a));
    }
    if let (Some(y), Some(d)) = (year, disbursed) {
        amounts.push((y, "disbursement".to_string(), d));
    }
    let order = store::budget(&state.db, prog.id).await?.0.len() as i64;
    let actor = ctx.actor();
    let mut w = state.db.write(&actor).await?;
    let bid = store::insert_budget_line(
        &mut w,
        &NewBudgetLine {
            program_id: prog.id,
            line: fields.line,
            source_of_funds: fields.source_of_funds,
            planned_dong: fields.planned_dong,
            sort_order: order,
            source: None,
            amounts,
        },
    )
    .await?;
    w.commit().await?;
    Ok(bid)
}

/// Add a budget line (planned amount; an allocation and disbursement for a year).
#[utoipa::path(post, path = "/api/v1/programs/{id}/budget", tag = "plans", params(("id" = i64, Path)), request_body = BudgetPayload,
    responses((status = 201, description = "`{id}` of the line"), (status = 403), (status = 404), (status = 422)))]
async fn budget_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<BudgetPayload>,
) -> AppResult<Response> {
    let bid = add_budget(&state, &ctx, &id, &p).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": bid }))).into_response())
}

async fn budget_line_in_scope(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    edit: bool,
) -> AppResult<BudgetLine> {
    let user = ctx.require(if edit {
        Action::EditRegistry
    } else {
        Action::Read
    })?;
    let id = crate::common::path_id(id)?;
    let line = store::budget_line(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reach = if edit {
        store::Reach::Within
    } else {
        store::Reach::Visible
    };
    store::get_reach(&state.db, user.scope_unit_id, line.program_id, reach)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(line)
}

async fn change_budget_line(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    expected: i64,
    p: &BudgetLinePayload,
) -> AppResult<BudgetLine> {
    let line = budget_line_in_scope(state, ctx, id, true).await?;
    let mut errors = vec![];
    let input = budget_line_fields(&mut errors, &p.line, &p.source_of_funds, &p.planned);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    match store::update_budget_line(&state.db, &ctx.actor(), line.id, Some(expected), &input).await
    {
        Err(StoreError::Stale { .. }) => Err(stale_of(
            &budget_line_in_scope(state, ctx, id, false).await?,
        )),
        other => Ok(other?),
    }
}

/// One budget line; its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/budget-lines/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = BudgetLine, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
async fn budget_line_get_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let line = budget_line_in_scope(&state, &ctx, &id, false).await?;
    Ok(version::with_etag(line.version, line))
}

/// Change a budget line's content, source of funds and planned amount
/// (allocations and disbursements are amounts of their own). Name the version
/// read: without one 428, stale 409 with the stored line.
#[utoipa::path(put, path = "/api/v1/budget-lines/{id}", tag = "plans", params(("id" = i64, Path)), request_body = BudgetLinePayload,
    responses((status = 200, body = BudgetLine, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored line"),
        (status = 422), (status = 428, description = "no version given")))]
async fn budget_line_put_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<BudgetLinePayload>,
) -> AppResult<Response> {
    budget_line_in_scope(&state, &ctx, &id, true).await?;
    let expected = version::expected(p.version, &headers)?;
    let line = change_budget_line(&state, &ctx, &id, expected, &p).await?;
    Ok(version::with_etag(line.version, line))
}

// ---------------------------------------------------------------------------
// The pages that change an indicator, a target, a task or a budget line
// ---------------------------------------------------------------------------

/// The record kinds changed on `plans/edit.html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Indicator,
    Target,
    Task,
    BudgetLine,
}

/// A form as posted: every field a string (each kind reads its own).
type RecordForm = std::collections::HashMap<String, String>;

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Indicator => "indicators",
            Kind::Target => "targets",
            Kind::Task => "tasks",
            Kind::BudgetLine => "budget-lines",
        }
    }
    fn title_key(self) -> &'static str {
        match self {
            Kind::Indicator => "indicator-edit",
            Kind::Target => "target-edit",
            Kind::Task => "task-edit",
            Kind::BudgetLine => "budget-line-edit",
        }
    }
    /// Where the programme page shows it.
    fn anchor(self) -> &'static str {
        match self {
            Kind::Indicator | Kind::Target => "indicators",
            Kind::Task => "tasks",
            Kind::BudgetLine => "budget",
        }
    }
    fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Indicator => &[
                "code",
                "name",
                "unit",
                "aggregation",
                "direction",
                "baseline_value",
                "baseline_year",
            ],
            Kind::Target => &["milestone", "target", "split"],
            Kind::Task => &[
                "section",
                "text",
                "lead_agency",
                "coordinating",
                "indicators",
                "start_on",
                "due_on",
                "status",
            ],
            Kind::BudgetLine => &["line", "source_of_funds", "planned"],
        }
    }
}

/// One field of a record form.
#[derive(Debug, Serialize)]
struct FieldSpec {
    name: &'static str,
    label: String,
    /// text, textarea or select.
    kind: &'static str,
    value: String,
    hint: Option<String>,
    options: Vec<(String, String)>,
    required: bool,
}

/// A stored record as its form shows it: (its programme, the payload, its
/// version, whether it is a part of a split).
async fn stored_payload(
    state: &AppState,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
) -> AppResult<(Program, serde_json::Value, i64, bool)> {
    Ok(match kind {
        Kind::Indicator => {
            let (prog, i) = indicator_in_scope(state, ctx, id, true).await?;
            let p = IndicatorEditPayload {
                code: i.code.clone(),
                name: i.name.clone(),
                unit: i.unit.clone(),
                aggregation: Some(i.aggregation.clone()),
                direction: Some(i.direction.clone()),
                baseline_value: i.baseline_value.map(|v| vnfmt::format_decimal_trim(v, 3)),
                baseline_year: i.baseline_year.map(|y| y.to_string()),
                version: Some(i.version),
            };
            (prog, json(&p), i.version, false)
        }
        Kind::Target => {
            let (ind, row) = target_in_scope(state, ctx, id, true).await?;
            let (prog, _) = indicator_in_scope(state, ctx, &ind.id.to_string(), true).await?;
            let parts: Vec<TargetRow> = store::indicator_targets(&state.db, ind.id)
                .await?
                .into_iter()
                .filter(|t| t.parent_id == Some(row.id))
                .collect();
            let p = TargetPayload {
                milestone: row.milestone.clone(),
                target: row.text.clone(),
                split: Some(split_text(state, &parts).await?),
                version: Some(row.version),
            };
            (prog, json(&p), row.version, row.parent_id.is_some())
        }
        Kind::Task => {
            let (prog, tv) = task_in_scope(state, ctx, id, true).await?;
            let p = TaskPayload {
                section: tv.task.section.clone(),
                text: tv.task.text.clone(),
                lead_agency: tv
                    .task
                    .lead_agency_id
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                coordinating: Some(agency_keys(state, ctx, &tv.coordinating).await?),
                start_on: date_text(tv.task.start_on),
                due_on: date_text(tv.task.due_on),
                indicators: Some(tv.indicator_codes.join(", ")),
                status: Some(tv.task.status.clone()),
                version: Some(tv.task.version),
            };
            (prog, json(&p), tv.task.version, false)
        }
        Kind::BudgetLine => {
            let line = budget_line_in_scope(state, ctx, id, true).await?;
            let prog = editable(state, ctx, &line.program_id.to_string()).await?;
            let p = BudgetLinePayload {
                line: line.line.clone(),
                source_of_funds: line.source_of_funds.clone(),
                planned: line.planned_dong.map(vnfmt::format_int),
                version: Some(line.version),
            };
            (prog, json(&p), line.version, false)
        }
    })
}

/// Agencies as a form shows them: their keys ("hn-so-tc"), else their ids.
async fn agency_keys(state: &AppState, ctx: &Ctx, list: &[(i64, String)]) -> AppResult<String> {
    let scope = ctx.user()?.scope_unit_id;
    let mut out = vec![];
    for (id, _) in list {
        let key = agencies::get(&state.db, scope, *id)
            .await?
            .and_then(|a| a.key);
        out.push(key.unwrap_or_else(|| id.to_string()));
    }
    Ok(out.join(", "))
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

async fn field_specs(
    state: &AppState,
    ctx: &Ctx,
    kind: Kind,
    values: &serde_json::Value,
    part: bool,
) -> AppResult<Vec<FieldSpec>> {
    let lang = ctx.lang;
    let value = |name: &str| match values.get(name) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    };
    let opts = |items: &[&str], prefix: &str| -> Vec<(String, String)> {
        items
            .iter()
            .map(|i| (i.to_string(), t(lang, &format!("{prefix}{i}"))))
            .collect()
    };
    let mut out = vec![];
    for &name in kind.fields() {
        if kind == Kind::Target && name == "split" && part {
            continue;
        }
        let (fkind, options, hint, required) = match (kind, name) {
            (Kind::Indicator, "aggregation") => (
                "select",
                opts(&["sum", "average", "latest", "ratio"], "aggregation-"),
                None,
                false,
            ),
            (Kind::Indicator, "direction") => (
                "select",
                opts(&["higher", "lower"], "direction-"),
                None,
                false,
            ),
            (Kind::Target, "target") => ("text", vec![], Some(t(lang, "hint-target")), true),
            (Kind::Target, "split") => ("textarea", vec![], Some(t(lang, "hint-split")), false),
            (Kind::Task, "text") => ("textarea", vec![], None, true),
            (Kind::Task, "lead_agency") => {
                let mut o = vec![(String::new(), "—".to_string())];
                o.extend(
                    agencies::options(&state.db, ctx.user()?.scope_unit_id)
                        .await?
                        .into_iter()
                        .map(|(id, n)| (id.to_string(), n)),
                );
                ("select", o, None, true)
            }
            (Kind::Task, "coordinating") => {
                ("text", vec![], Some(t(lang, "hint-coordinating")), false)
            }
            (Kind::Task, "indicators") => {
                ("text", vec![], Some(t(lang, "hint-task-indicators")), false)
            }
            (Kind::Task, "start_on") => ("text", vec![], Some("1/3/2026".into()), false),
            (Kind::Task, "due_on") => ("text", vec![], Some("30/11/2026".into()), false),
            (Kind::Task, "status") => ("select", opts(&TASK_STATUSES, "task-status-"), None, false),
            (Kind::BudgetLine, "source_of_funds") => ("select", opts(&FUNDS, "funds-"), None, true),
            (Kind::BudgetLine, "planned") => ("text", vec![], Some(t(lang, "hint-money")), false),
            (_, "code" | "name" | "unit" | "milestone" | "line") => ("text", vec![], None, true),
            _ => ("text", vec![], None, false),
        };
        out.push(FieldSpec {
            name,
            label: field_label(lang, name),
            kind: fkind,
            value: value(name),
            hint,
            options,
            required,
        });
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn record_form(
    state: &AppState,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
    prog: &Program,
    values: &serde_json::Value,
    version: i64,
    part: bool,
    errors: &[FieldError],
    conflict: Option<Vec<ConflictRow>>,
) -> AppResult<Html<String>> {
    let fields = field_specs(state, ctx, kind, values, part).await?;
    let errors: Vec<_> = errors
        .iter()
        .map(|e| context! { field => e.field, message => format!("{}: {}", field_label(ctx.lang, &e.field), e.message(ctx.lang)) })
        .collect();
    let page = context! {
        title => t(ctx.lang, kind.title_key()),
        program => prog,
        fields => fields,
        version => version,
        action => format!("/{}/{}", kind.path(), id.trim()),
        back => format!("/programs/{}#{}", prog.id, kind.anchor()),
        errors => errors,
        conflict => conflict,
    };
    render(state, ctx, "plans/edit.html", page)
}

async fn edit_record_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    kind: Kind,
) -> AppResult<Html<String>> {
    let (prog, values, version, part) = stored_payload(&state, &ctx, kind, &id).await?;
    record_form(
        &state,
        &ctx,
        kind,
        &id,
        &prog,
        &values,
        version,
        part,
        &[],
        None,
    )
    .await
}

/// Store a record posted by its form; answers the program it belongs to.
async fn save_record(
    state: &AppState,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
    expected: i64,
    posted: &serde_json::Value,
) -> AppResult<()> {
    fn read<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> AppResult<T> {
        serde_json::from_value(v.clone()).map_err(|e| AppError::BadRequest {
            key: "error-form".into(),
            detail: Some(e.to_string().chars().take(200).collect()),
        })
    }
    match kind {
        Kind::Indicator => change_indicator(state, ctx, id, expected, &read(posted)?)
            .await
            .map(|_| ()),
        Kind::Target => change_target(state, ctx, id, expected, &read(posted)?)
            .await
            .map(|_| ()),
        Kind::Task => change_task(state, ctx, id, expected, &read(posted)?)
            .await
            .map(|_| ()),
        Kind::BudgetLine => change_budget_line(state, ctx, id, expected, &read(posted)?)
            .await
            .map(|_| ()),
    }
}

async fn save_record_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(f): Form<RecordForm>,
    kind: Kind,
) -> AppResult<Response> {
    let (prog, _, _, part) = stored_payload(&state, &ctx, kind, &id).await?;
    let expected = version::from_form(f.get("version").map(String::as_str))?;
    let mut posted = serde_json::Map::new();
    for &name in kind.fields() {
        let v = f.get(name).cloned().unwrap_or_default();
        // A part of a split shows no split: it keeps none.
        if !(name == "split" && part) {
            posted.insert(name.into(), v.into());
        }
    }
    let posted = serde_json::Value::Object(posted);
    match save_record(&state, &ctx, kind, &id, expected, &posted).await {
        Ok(()) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/programs/{}#{}", prog.id, kind.anchor())).into_response())
        }
        Err(AppError::Stale { .. }) => {
            // What was typed stays in the form, with the stored version, beside what is stored.
            let (_, now, version, part) = stored_payload(&state, &ctx, kind, &id).await?;
            let rows = conflict_rows(ctx.lang, kind.fields(), &posted, &now);
            let html = record_form(
                &state,
                &ctx,
                kind,
                &id,
                &prog,
                &posted,
                version,
                part,
                &[],
                Some(rows),
            )
            .await?;
            Ok((StatusCode::CONFLICT, html).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let html = record_form(
                &state, &ctx, kind, &id, &prog, &posted, expected, part, &errs, None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------
// Status (an action)
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StatusPayload {
    /// approved, active or closed (each step follows the previous one); draft from approved.
    pub status: String,
    /// Optional: the version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

async fn change_status(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    to: &str,
    expected: Option<i64>,
) -> AppResult<Program> {
    let prog = editable(state, ctx, id).await?;
    let Some(to_status) = ProgramStatus::parse(to) else {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "error-enum",
        )]));
    };
    match store::set_status(&state.db, &ctx.actor(), prog.id, expected, to_status).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(refusal)) => Err(AppError::Validation(vec![FieldError::new(
            "status",
            "error-transition",
        )
        .arg(
            "from",
            t(
                ctx.lang,
                &format!("program-status-{}", refusal.from.as_str()),
            ),
        )
        .arg(
            "to",
            t(ctx.lang, &format!("program-status-{}", refusal.to.as_str())),
        )])),
        Err(StoreError::Stale { .. }) => Err(stale_of(&reload(state, ctx, prog.id).await?)),
        Err(e) => Err(e.into()),
    }
}

/// Move a programme along draft → approved → active → closed (audited). An
/// action: the state machine refuses a move that does not follow (422), so two
/// clicks at once make one move; a version (`version` or `If-Match`), when
/// given, must be the current one (409 with the stored programme).
#[utoipa::path(post, path = "/api/v1/programs/{id}/status", tag = "plans", params(("id" = i64, Path)), request_body = StatusPayload,
    responses((status = 200, body = Program, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "the version given is stale: `error.current` is the stored programme"),
        (status = 422, description = "the status does not follow from the current one")))]
async fn status_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<StatusPayload>,
) -> AppResult<Response> {
    let expected = optional_version(p.version, &headers)?;
    let prog = change_status(&state, &ctx, &id, &p.status, expected).await?;
    Ok(version::with_etag(prog.version, prog))
}

/// An inline add form of the plan page after its answer: saved → back to the
/// section; invalid → the page again (422) with that form open, what was
/// typed kept and each error naming and linking to its field.
async fn inline_after<T: Serialize>(
    state: &AppState,
    session: &Session,
    ctx: &Ctx,
    id: &str,
    form: &'static str,
    typed: &T,
    r: AppResult<()>,
) -> AppResult<Response> {
    match r {
        Err(AppError::Validation(errs)) => {
            let errors = errs
                .iter()
                .map(|e| {
                    context! {
                        field => e.field,
                        message => e.message(ctx.lang),
                        summary => format!("{}: {}", field_label(ctx.lang, &e.field), e.message(ctx.lang)),
                    }
                })
                .collect();
            let inline = crate::plans::Inline {
                form,
                values: serde_json::to_value(typed).unwrap_or_default(),
                errors,
            };
            let html = crate::plans::detail_html(state, ctx, id, Some(inline)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        r => after(session, ctx, id, form, r).await,
    }
}

async fn after(
    session: &Session,
    ctx: &Ctx,
    id: &str,
    anchor: &str,
    r: AppResult<()>,
) -> AppResult<Response> {
    let back = Redirect::to(&format!("/programs/{id}#{anchor}")).into_response();
    match r {
        Ok(()) => {
            ctx::flash(session, "success", t(ctx.lang, "saved")).await;
            Ok(back)
        }
        Err(AppError::Validation(errs)) => {
            let msg = errs
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        field_label(ctx.lang, &e.field),
                        e.message(ctx.lang)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            ctx::flash(session, "error", msg).await;
            Ok(back)
        }
        // The page was out of date: say so and show it as it is now.
        Err(e @ (AppError::Stale { .. } | AppError::Refused(_))) => {
            ctx::flash(session, "error", e.message(ctx.lang)).await;
            Ok(back)
        }
        Err(e) => Err(e),
    }
}

async fn indicator_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<IndicatorPayload>,
) -> AppResult<Response> {
    let r = add_indicator(&state, &ctx, &id, &p).await.map(|_| ());
    inline_after(&state, &session, &ctx, &id, "indicators", &p, r).await
}

async fn task_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<TaskPayload>,
) -> AppResult<Response> {
    let r = add_task(&state, &ctx, &id, &p).await.map(|_| ());
    inline_after(&state, &session, &ctx, &id, "tasks", &p, r).await
}

async fn budget_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<BudgetPayload>,
) -> AppResult<Response> {
    let r = add_budget(&state, &ctx, &id, &p).await.map(|_| ());
    inline_after(&state, &session, &ctx, &id, "budget", &p, r).await
}

async fn status_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<StatusPayload>,
) -> AppResult<Response> {
    let r = change_status(&state, &ctx, &id, &p.status, p.version)
        .await
        .map(|_| ());
    after(&session, &ctx, &id, "", r).await
}

// ---------------------------------------------------------------------------
// Annual plans and results
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DerivePayload {
    /// The year of the annual plan.
    pub year: String,
    /// Targets entered for the year by indicator code ("1" → "9.000"); the others are split evenly.
    #[serde(default)]
    pub targets: Option<std::collections::HashMap<String, String>>,
}

/// The annual share of a programme target: numbers split evenly over the programme's
/// years (whole numbers where the target is whole); shares, growth rates and
/// multiples carry over as stated.
fn annual_target(form: &Target, years: u32, index: u32) -> Option<Target> {
    let part = |v: f64| {
        let whole = v.fract() == 0.0;
        rules::even_split(v, years, whole)
            .get(index as usize)
            .copied()
            .unwrap_or(v / f64::from(years))
    };
    Some(match *form {
        Target::Exact { value } => Target::Exact { value: part(value) },
        Target::Range { min, max } => {
            let (a, b) = (part(min), part(max));
            if a == b {
                Target::Exact { value: a }
            } else {
                Target::Range { min: a, max: b }
            }
        }
        Target::AtLeast { value, strict } => Target::AtLeast {
            value: part(value),
            strict,
        },
        other => other,
    })
}

async fn derive(state: &AppState, ctx: &Ctx, id: &str, p: &DerivePayload) -> AppResult<Program> {
    let prog = editable(state, ctx, id).await?;
    let year: i32 = p
        .year
        .trim()
        .parse()
        .map_err(|_| AppError::Validation(vec![FieldError::new("year", "error-year")]))?;
    let (y0, y1) = (prog.period_start.year(), prog.period_end.year());
    if year < y0 || year > y1 {
        return Err(AppError::Validation(vec![FieldError::new(
            "year",
            "error-year-outside",
        )
        .arg("from", y0)
        .arg("to", y1)]));
    }
    let years = (y1 - y0 + 1) as u32;
    let index = (year - y0) as u32;
    let start = Date::from_calendar_date(year, time::Month::January, 1)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let end = Date::from_calendar_date(year, time::Month::December, 31)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let actor = ctx.actor();
    let indicators = store::indicators(&state.db, prog.id).await?;
    let mut w = state.db.write(&actor).await?;
    let child = store::insert_program(
        &mut w,
        &NewProgram {
            key: None,
            code: format!("{}-{year}", prog.code),
            title: format!(
                "{} — {} {year}",
                prog.title,
                t(crate::i18n::Lang::Vi, "program-kind-annual_plan")
            ),
            kind: "annual_plan".into(),
            document_id: None,
            period_start: start,
            period_end: end,
            parent_id: Some(prog.id),
            lead_agency_id: prog.lead_agency_id,
            admin_unit_id: prog.admin_unit_id,
            status: ProgramStatus::Draft.as_str().into(),
            objectives_general: prog.objectives_general.clone(),
            objectives_specific: vec![],
            notes: None,
        },
    )
    .await?;
    for (i, ind) in indicators.iter().enumerate() {
        let iid = store::insert_indicator(
            &mut w,
            &NewIndicator {
                program_id: child,
                code: ind.code.clone(),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                aggregation: ind.aggregation.clone(),
                direction: ind.direction.clone(),
                baseline_value: ind.baseline_value,
                baseline_year: ind.baseline_year,
                sort_order: i as i64,
                source: None,
                notes: Some(format!("derived from indicator {}", ind.id)),
            },
        )
        .await?;
        let targets = store::indicator_targets(&state.db, ind.id).await?;
        // The last total target of the programme is the one split over its years.
        let entered = p
            .targets
            .as_ref()
            .and_then(|m| m.get(&ind.code))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let entered_form = match &entered {
            Some(text) => Some(
                rules::parse_target_with_unit(text, &ind.unit)
                    .or_else(|_| rules::parse_target(text))
                    .map_err(|_| {
                        AppError::Validation(vec![FieldError::new("targets", "error-target")])
                    })?,
            ),
            None => None,
        };
        if let Some(tg) = targets.iter().rev().find(|t| t.dimension == "total") {
            let derived = entered_form.or_else(|| {
                serde_json::from_str::<Target>(&tg.form)
                    .ok()
                    .and_then(|f| annual_target(&f, years, index))
            });
            if let Some(form) = derived {
                store::insert_target(
                    &mut w,
                    &NewTarget {
                        indicator_id: iid,
                        parent_id: None,
                        milestone: year.to_string(),
                        text: rules::display_target(&form),
                        form: serde_json::to_string(&form).unwrap_or_default(),
                        cumulative: false,
                        dimension: "total".into(),
                        category: None,
                        admin_unit_id: None,
                        agency_id: None,
                        value: match form {
                            Target::Exact { value } => Some(value),
                            _ => None,
                        },
                    },
                )
                .await?;
            }
        }
    }
    w.commit().await?;
    store::get(&state.db, ctx.user()?.scope_unit_id, child)
        .await?
        .ok_or(AppError::NotFound)
}

/// Derive the annual plan of a year from a programme: its indicators with targets split evenly.
#[utoipa::path(post, path = "/api/v1/programs/{id}/derive", tag = "plans", params(("id" = i64, Path)), request_body = DerivePayload,
    responses((status = 201, body = Program), (status = 403), (status = 404), (status = 422)))]
async fn derive_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<DerivePayload>,
) -> AppResult<Response> {
    Ok((
        StatusCode::CREATED,
        Json(derive(&state, &ctx, &id, &p).await?),
    )
        .into_response())
}

async fn derive_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<DerivePayload>,
) -> AppResult<Response> {
    match derive(&state, &ctx, &id, &p).await {
        Ok(child) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/programs/{}", child.id)).into_response())
        }
        Err(e) => inline_after(&state, &session, &ctx, &id, "derive", &p, Err(e)).await,
    }
}

/// A result of an indicator for a period.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ActualPayload {
    /// "2026", "6 tháng đầu năm 2026"…
    pub period: String,
    /// "17.800", "82,155".
    pub value: String,
}

/// Record a result of an indicator (it rolls up into the programme it was derived from).
#[utoipa::path(post, path = "/api/v1/indicators/{id}/actuals", tag = "plans", params(("id" = i64, Path)), request_body = ActualPayload,
    responses((status = 201, description = "`{id}`"), (status = 403), (status = 404), (status = 422)))]
async fn actual_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<ActualPayload>,
) -> AppResult<Response> {
    let user = ctx.require(Action::EditRegistry)?;
    let iid = crate::common::path_id(&id)?;
    let ind = store::indicator(&state.db, iid)
        .await?
        .ok_or(AppError::NotFound)?;
    store::get(&state.db, user.scope_unit_id, ind.program_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = vec![];
    let period = text(&mut errors, "period", &p.period, 50, true);
    let value = match vnfmt::parse_number(&p.value) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(
                FieldError::new("value", "error-number")
                    .arg("value", p.value.chars().take(40).collect::<String>()),
            );
            None
        }
    };
    let (true, Some(value)) = (errors.is_empty(), value) else {
        return Err(AppError::Validation(errors));
    };
    let aid = store::add_actual(
        &state.db,
        &ctx.actor(),
        &store::NewActual {
            indicator_id: iid,
            period,
            value,
            plan_value: None,
            plan_implied: false,
            rate_stated: None,
            category: None,
            source: None,
            notes: None,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": aid }))).into_response())
}
