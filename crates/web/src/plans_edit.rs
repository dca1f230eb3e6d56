//! Entering a plan by hand: the programme, its indicators with targets (every
//! form the documents use, splits checked), tasks, budget lines; status changes;
//! deriving an annual plan from a programme. Forms and their JSON twins.

use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, Form, Json, Path};
use crate::i18n::t;
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use langnghe_core::access::Action;
use langnghe_core::plan::{self as rules, Target};
use langnghe_core::text::clean_text;
use langnghe_core::vnfmt;
use langnghe_store::plans::{
    self as store, NewBudgetLine, NewIndicator, NewProgram, NewTarget, NewTask, Program,
};
use langnghe_store::registry::spec::Entity;
use langnghe_store::{agencies, registry};
use minijinja::context;
use serde::{Deserialize, Serialize};
use time::Date;
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/programs/new", get(new_page))
        .route("/programs", post(create_page))
        .route("/programs/{id}/indicators", post(indicator_page))
        .route("/programs/{id}/tasks", post(task_page))
        .route("/programs/{id}/budget", post(budget_page))
        .route("/programs/{id}/status", post(status_page))
        .route("/programs/{id}/derive", post(derive_page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_api))
        .routes(routes!(indicator_api))
        .routes(routes!(task_api))
        .routes(routes!(budget_api))
        .routes(routes!(status_api))
        .routes(routes!(derive_api))
        .routes(routes!(actual_api))
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

/// A new programme or plan.
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

async fn create(state: &AppState, ctx: &Ctx, p: &ProgramPayload) -> AppResult<Program> {
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
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (Some(start), Some(end), Some(lead)) = (start, end, lead) else {
        return Err(AppError::Validation(vec![]));
    };
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
            basis.push(id);
        }
    }
    let unit = agencies::get(&state.db, scope, lead)
        .await?
        .map(|a| a.admin_unit_id)
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let id = store::insert_program(
        &mut tx,
        &ctx.actor(),
        &NewProgram {
            key: None,
            code,
            title,
            kind: p.kind.clone(),
            document_id,
            period_start: start,
            period_end: end,
            parent_id: None,
            lead_agency_id: Some(lead),
            admin_unit_id: unit,
            status: "draft".into(),
            objectives_general: general,
            objectives_specific: specific,
            notes: None,
        },
    )
    .await?;
    for b in basis {
        store::add_legal_basis(&mut tx, id, b).await?;
    }
    tx.commit().await?;
    store::get(&state.db, scope, id)
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

async fn form(
    state: &AppState,
    ctx: &Ctx,
    p: &ProgramPayload,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    let user = ctx.require(Action::EditRegistry)?;
    let agencies = agencies::options(&state.db, user.scope_unit_id).await?;
    let errors: Vec<_> = errors
        .iter()
        .map(|e| context! { field => e.field, message => format!("{}: {}", t(ctx.lang, &format!("plan-field-{}", e.field)), e.message(ctx.lang)) })
        .collect();
    let page = context! { title => t(ctx.lang, "program-new"), p => p, kinds => KINDS, agencies => agencies, errors => errors };
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
        &[],
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
        Err(AppError::Validation(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form(&state, &ctx, &p, &errs).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

async fn editable(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Program> {
    let user = ctx.require(Action::EditRegistry)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    store::get(&state.db, user.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// One part of a split: (label, value, dimension, admin unit, agency).
type SplitRow = (String, f64, &'static str, Option<i64>, Option<i64>);

/// An indicator with one target (and its split, if the plan splits it).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct IndicatorPayload {
    pub code: String,
    pub name: String,
    /// lớp, người, lao động, lượt, DA/MH, LN, NTT, LNTT, NH, cuộc, mẫu, gian hàng, %, đồng, tỷ đồng, USD…
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
    /// "2025", "2016-2020"…
    pub milestone: String,
    /// The target as the plan states it: "10-12", "trên 7.000", "80 %", "tăng bình quân 12-15 %/năm", "1-1,5 lần so với năm 2020".
    pub target: String,
    /// Optional split, "category = value" per line, e.g. "Nông nghiệp = 13.265".
    #[serde(default)]
    pub split: Option<String>,
}

async fn add_indicator(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &IndicatorPayload,
) -> AppResult<i64> {
    let prog = editable(state, ctx, id).await?;
    let mut errors = vec![];
    let code = text(&mut errors, "code", &p.code, 20, true);
    let name = text(&mut errors, "name", &p.name, 500, true);
    let unit = text(&mut errors, "unit", &p.unit, 40, true);
    let aggregation = non_empty(&p.aggregation).unwrap_or_else(|| "sum".into());
    if !["sum", "average", "latest", "ratio"].contains(&aggregation.as_str()) {
        errors.push(FieldError::new("aggregation", "error-enum"));
    }
    let direction = non_empty(&p.direction).unwrap_or_else(|| "higher".into());
    if !["higher", "lower"].contains(&direction.as_str()) {
        errors.push(FieldError::new("direction", "error-enum"));
    }
    let baseline_value = match non_empty(&p.baseline_value) {
        None => None,
        Some(s) => vnfmt::parse_number(&s)
            .map_err(|_| {
                errors.push(FieldError::new("baseline_value", "error-number").arg("value", s))
            })
            .ok(),
    };
    let baseline_year = match non_empty(&p.baseline_year) {
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
    let milestone = text(&mut errors, "milestone", &p.milestone, 20, true);
    let target_text = text(&mut errors, "target", &p.target, 200, true);
    let form = match rules::parse_target_with_unit(&target_text, &unit)
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
        if baseline_value.is_none() {
            errors.push(FieldError::new("baseline_value", "error-baseline-needed"));
        }
    }
    // The split must add up to the target.
    let mut parts: Vec<(String, f64)> = vec![];
    for line in non_empty(&p.split)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
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
        if let Err(rules::SplitError::Mismatch { sum, .. }) =
            rules::check_split(value, &values, 0.5)
        {
            errors.push(
                FieldError::new("split", "error-split-sum")
                    .arg("sum", vnfmt::format_decimal_trim(sum, 3))
                    .arg("total", vnfmt::format_decimal_trim(value, 3)),
            );
        }
    }
    // A split line names a category ("Nông nghiệp = 13.265"), an admin unit
    // ("unit:018 = 5", a district read before the reform) or an agency ("agency:hn-so-ct = 3").
    let scope = ctx.user()?.scope_unit_id;
    let mut split_rows: Vec<SplitRow> = vec![];
    for (k, v) in &parts {
        if let Some(code) = k.strip_prefix("unit:") {
            match langnghe_store::geo::resolve(&state.db, code.trim(), None, crate::geo::today())
                .await?
            {
                Some(u) if langnghe_store::geo::covers(&state.db, scope, u.id).await? => {
                    split_rows.push((k.clone(), *v, "unit", Some(u.id), None))
                }
                _ => errors.push(
                    FieldError::new("split", "error-unknown-unit")
                        .arg("code", code.trim().chars().take(16).collect::<String>()),
                ),
            }
        } else if let Some(a) = k.strip_prefix("agency:") {
            match agency_ref(state, scope, a).await {
                Some(id) => split_rows.push((k.clone(), *v, "agency", None, Some(id))),
                None => errors.push(FieldError::new("split", "error-unknown-agency")),
            }
        } else {
            split_rows.push((k.clone(), *v, "category", None, None));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let form =
        form.ok_or_else(|| AppError::Validation(vec![FieldError::new("target", "error-target")]))?;
    let existing = store::indicators(&state.db, prog.id).await?;
    if existing.iter().any(|i| i.code == code) {
        return Err(AppError::Validation(vec![FieldError::new(
            "code",
            "error-duplicate",
        )]));
    }
    let actor = ctx.actor();
    let mut tx = state.db.begin().await?;
    let iid = store::insert_indicator(
        &mut tx,
        &actor,
        &NewIndicator {
            program_id: prog.id,
            code,
            name,
            unit,
            aggregation,
            direction,
            baseline_value,
            baseline_year,
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
        &mut tx,
        &actor,
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
    for (k, v, dimension, unit_id, agency_id) in split_rows {
        store::insert_target(
            &mut tx,
            &actor,
            &NewTarget {
                indicator_id: iid,
                parent_id: Some(tid),
                milestone: milestone.clone(),
                text: vnfmt::format_decimal_trim(v, 3),
                form: serde_json::to_string(&Target::Exact { value: v }).unwrap_or_default(),
                cumulative: true,
                dimension: dimension.into(),
                category: (dimension == "category").then_some(k),
                admin_unit_id: unit_id,
                agency_id,
                value: Some(v),
            },
        )
        .await?;
    }
    tx.commit().await?;
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

/// A task of a programme.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TaskPayload {
    #[serde(default)]
    pub section: Option<String>,
    pub text: String,
    /// Lead agency id or key.
    pub lead_agency: String,
    /// Coordinating agencies: ids or keys, comma-separated.
    #[serde(default)]
    pub coordinating: Option<String>,
    #[serde(default)]
    pub start_on: Option<String>,
    #[serde(default)]
    pub due_on: Option<String>,
    /// Codes of the programme's indicators this task serves, comma-separated.
    #[serde(default)]
    pub indicators: Option<String>,
}

async fn add_task(state: &AppState, ctx: &Ctx, id: &str, p: &TaskPayload) -> AppResult<i64> {
    let prog = editable(state, ctx, id).await?;
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
            Some(i) => linked.push(i.id),
            None => errors.push(
                FieldError::new("indicators", "error-unknown-record")
                    .arg("value", code.trim().chars().take(20).collect::<String>()),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let order = store::tasks(&state.db, prog.id).await?.len() as i64;
    let mut tx = state.db.begin().await?;
    let tid = store::insert_task(
        &mut tx,
        &ctx.actor(),
        &NewTask {
            program_id: prog.id,
            section,
            text: body,
            lead_agency_id: lead,
            co_leads: vec![],
            coordinating: co,
            start_on: start,
            due_on: due,
            sort_order: order,
            source: None,
        },
    )
    .await?;
    for i in linked {
        store::link_task_indicator(&mut tx, tid, i).await?;
    }
    tx.commit().await?;
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

/// A budget line.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BudgetPayload {
    pub line: String,
    /// central, local, khuyen_cong, trade_promotion, socialised or other.
    pub source_of_funds: String,
    /// "3 tỷ đồng", "163.400.000.000".
    #[serde(default)]
    pub planned: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    /// Allocated (dự toán giao) in the year.
    #[serde(default)]
    pub allocated: Option<String>,
    /// Disbursed (giải ngân) in the year.
    #[serde(default)]
    pub disbursed: Option<String>,
}

const FUNDS: [&str; 6] = [
    "central",
    "local",
    "khuyen_cong",
    "trade_promotion",
    "socialised",
    "other",
];

async fn add_budget(state: &AppState, ctx: &Ctx, id: &str, p: &BudgetPayload) -> AppResult<i64> {
    let prog = editable(state, ctx, id).await?;
    let mut errors = vec![];
    let line = text(&mut errors, "line", &p.line, 500, true);
    if !FUNDS.contains(&p.source_of_funds.as_str()) {
        errors.push(FieldError::new("source_of_funds", "error-enum"));
    }
    let money = |field: &str, v: &Option<String>, errors: &mut Vec<FieldError>| match non_empty(v) {
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
    };
    let planned = money("planned", &p.planned, &mut errors);
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
    let mut tx = state.db.begin().await?;
    let bid = store::insert_budget_line(
        &mut tx,
        &ctx.actor(),
        &NewBudgetLine {
            program_id: prog.id,
            line,
            source_of_funds: p.source_of_funds.clone(),
            planned_dong: planned,
            sort_order: order,
            source: None,
            amounts,
        },
    )
    .await?;
    tx.commit().await?;
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

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StatusPayload {
    /// approved, active or closed (each step follows the previous one).
    pub status: String,
}

async fn change_status(state: &AppState, ctx: &Ctx, id: &str, to: &str) -> AppResult<()> {
    let prog = editable(state, ctx, id).await?;
    let allowed = matches!(
        (prog.status.as_str(), to),
        ("draft", "approved")
            | ("approved", "active")
            | ("active", "closed")
            | ("approved", "draft")
    );
    if !allowed {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "error-transition",
        )
        .arg(
            "from",
            t(ctx.lang, &format!("program-status-{}", prog.status)),
        )
        .arg("to", to)]));
    }
    store::set_status(&state.db, &ctx.actor(), prog.id, to).await?;
    Ok(())
}

/// Move a programme along draft → approved → active → closed (audited).
#[utoipa::path(post, path = "/api/v1/programs/{id}/status", tag = "plans", params(("id" = i64, Path)), request_body = StatusPayload,
    responses((status = 200, body = Program), (status = 403), (status = 404), (status = 422)))]
async fn status_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<StatusPayload>,
) -> AppResult<Json<Program>> {
    change_status(&state, &ctx, &id, &p.status).await?;
    Ok(Json(editable(&state, &ctx, &id).await?))
}

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
    let mut tx = state.db.begin().await?;
    let child = store::insert_program(
        &mut tx,
        &actor,
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
            status: "draft".into(),
            objectives_general: prog.objectives_general.clone(),
            objectives_specific: vec![],
            notes: None,
        },
    )
    .await?;
    for (i, ind) in indicators.iter().enumerate() {
        let iid = store::insert_indicator(
            &mut tx,
            &actor,
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
                    &mut tx,
                    &actor,
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
    tx.commit().await?;
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

async fn after(
    session: &Session,
    ctx: &Ctx,
    id: &str,
    anchor: &str,
    r: AppResult<()>,
) -> AppResult<Response> {
    match r {
        Ok(()) => {
            ctx::flash(session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/programs/{id}#{anchor}")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let msg = errs
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        t(ctx.lang, &format!("plan-field-{}", e.field)),
                        e.message(ctx.lang)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            ctx::flash(session, "error", msg).await;
            Ok(Redirect::to(&format!("/programs/{id}#{anchor}")).into_response())
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
    after(&session, &ctx, &id, "indicators", r).await
}

async fn task_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<TaskPayload>,
) -> AppResult<Response> {
    let r = add_task(&state, &ctx, &id, &p).await.map(|_| ());
    after(&session, &ctx, &id, "tasks", r).await
}

async fn budget_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<BudgetPayload>,
) -> AppResult<Response> {
    let r = add_budget(&state, &ctx, &id, &p).await.map(|_| ());
    after(&session, &ctx, &id, "budget", r).await
}

async fn status_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<StatusPayload>,
) -> AppResult<Response> {
    let r = change_status(&state, &ctx, &id, &p.status).await;
    after(&session, &ctx, &id, "", r).await
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
        Err(e) => after(&session, &ctx, &id, "", Err(e)).await,
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
    let iid: i64 = id.parse().map_err(|_| AppError::NotFound)?;
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
