//! The reporting cycle on the web: periods of a programme (opening one
//! assigns a report to every responsible unit), the unit report form (values,
//! narrative, attachments, Excel round trip), the workflow (submit, return,
//! approve, lock, reopen), timeliness per period with reminders, and the
//! consolidated province report with its official PDF/DOCX/XLSX outputs.
//! Every page has its JSON twin under `/api/v1`.

pub mod consolidation;
pub mod reminders;
pub mod xlsx;

use crate::common::{file_response, XLSX_TYPE};
use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, page_offset, Form, Json, Path, Query, PAGE_SIZE};
use crate::i18n::{t, t_args, Lang};
use crate::views::{pager, render};
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use langnghe_core::access::Role;
use langnghe_core::report::{self as rules, PeriodKind, ReportAction, ReportState, Timeliness};
use langnghe_core::report_values::Finding;
use langnghe_core::text::clean_text;
use langnghe_core::vnfmt;
use langnghe_store::plans::{self, Program};
use langnghe_store::reporting::{
    self as store, Attachment, Event, Line, NewPeriod, Period, Report, ReportFilter, ReportInput,
    ReportScope, SaveError,
};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/programs/{id}/periods", get(periods_page).post(open_page))
        .route("/periods/{id}", get(period_page))
        .route("/periods/{id}/reminders", post(reminders_page))
        .route("/reports", get(reports_page))
        .route("/reports/{id}", get(report_page).post(save_page))
        .route("/reports/{id}/action", post(action_page))
        .route(
            "/reports/{id}/xlsx",
            get(xlsx_download).post(xlsx_upload_page),
        )
        .route("/reports/{id}/attachments", post(attach_page))
        .route("/reports/{id}/attachments/{aid}", get(attachment_download))
        .route("/reports/{id}/attachments/{aid}/remove", post(detach_page))
        .route(
            "/notifications",
            get(notifications_page).post(notifications_read),
        )
        .merge(consolidation::pages())
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(periods_api, open_api))
        .routes(routes!(period_api))
        .routes(routes!(reminders_api))
        .routes(routes!(reports_api))
        .routes(routes!(report_api, save_api))
        .routes(routes!(submit_api))
        .routes(routes!(return_api))
        .routes(routes!(approve_api))
        .routes(routes!(lock_api))
        .routes(routes!(reopen_api))
        .routes(routes!(xlsx_download_api, xlsx_upload_api))
        .routes(routes!(attach_api))
        .routes(routes!(attachment_api))
        .routes(routes!(notifications_api))
        .merge(consolidation::api())
}

// ---------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------

fn role(ctx: &Ctx) -> AppResult<(Role, &langnghe_store::users::User)> {
    let u = ctx.user()?;
    let r = Role::parse(&u.role).ok_or(AppError::Forbidden)?;
    Ok((r, u))
}

/// Officers see their own unit's reports; everyone else the programmes in scope.
pub fn report_scope(ctx: &Ctx) -> AppResult<ReportScope> {
    let (r, u) = role(ctx)?;
    Ok(ReportScope {
        scope_id: u.scope_unit_id,
        own_agency: (r == Role::Officer).then_some(u.agency_id),
    })
}

fn is_coordinator(ctx: &Ctx) -> bool {
    matches!(role(ctx), Ok((Role::Coordinator | Role::Admin, _)))
}

/// A programme the caller reads (run inside their scope or over an area containing it).
pub async fn load_program(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Program> {
    let u = ctx.user()?;
    let id = crate::common::path_id(id)?;
    plans::get_visible(&state.db, u.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A programme run inside the caller's scope: the one they may change (seeing ≠ editing).
pub async fn load_program_within(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Program> {
    let u = ctx.user()?;
    let id = crate::common::path_id(id)?;
    plans::get(&state.db, u.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn load_period(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Program, Period)> {
    let pid = crate::common::path_id(id)?;
    let period = store::period(&state.db, pid)
        .await?
        .ok_or(AppError::NotFound)?;
    let program = load_program(state, ctx, &period.program_id.to_string()).await?;
    Ok((program, crate::views::named_period(ctx.lang, period)))
}

/// A period of a programme run inside the caller's scope (for the writes on it).
async fn load_period_within(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Program, Period)> {
    let pid = crate::common::path_id(id)?;
    let period = store::period(&state.db, pid)
        .await?
        .ok_or(AppError::NotFound)?;
    let program = load_program_within(state, ctx, &period.program_id.to_string()).await?;
    Ok((program, crate::views::named_period(ctx.lang, period)))
}

async fn load_report(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Report> {
    let scope = report_scope(ctx)?;
    let id = crate::common::path_id(id)?;
    store::get_report(&state.db, scope, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub use crate::common::today;

// ---------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------

/// What the open-period form and API take. Dates in Vietnamese form ("20/6/2023").
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PeriodPayload {
    /// `first_half`, `annual` or `ad_hoc`.
    pub kind: String,
    /// "2023".
    pub year: String,
    /// Ad hoc reports need a title; the standard ones get "6 tháng đầu năm 2023" / "Năm 2023".
    #[serde(default)]
    pub label: Option<String>,
    /// Data from / to and due date; blank = the plan's rules (Decree 09/2019 cut-off).
    #[serde(default)]
    pub data_from: Option<String>,
    #[serde(default)]
    pub data_to: Option<String>,
    #[serde(default)]
    pub due_on: Option<String>,
    /// Reminders this many days before the due date (default 5).
    #[serde(default)]
    pub remind_days: Option<String>,
    /// A value more than this many times the previous period's needs a comment (default 3).
    #[serde(default)]
    pub jump_factor: Option<String>,
    /// Open it even though its due date has passed (every unit is late at
    /// once). Without it such a period is refused with 422, field
    /// `confirm_past_due`, message key `error-period-past-due`.
    #[serde(default)]
    pub confirm_past_due: Option<bool>,
}

fn parse_mmdd(s: &Option<String>) -> Option<(u8, u8)> {
    let s = s.as_deref()?;
    let (m, d) = s.split_once('-')?;
    Some((m.parse().ok()?, d.parse().ok()?))
}

async fn rules_for(state: &AppState, program_id: i64) -> AppResult<rules::DeadlineRules> {
    let (h1, annual) = store::plan_due_dates(&state.db, program_id).await?;
    let mut r = rules::DeadlineRules::default();
    if let Some(x) = parse_mmdd(&h1) {
        r.first_half_due = x;
    }
    if let Some(x) = parse_mmdd(&annual) {
        r.annual_due = x;
    }
    Ok(r)
}

fn date_field(errors: &mut Vec<FieldError>, field: &str, v: &Option<String>) -> Option<Date> {
    let s = non_empty(v)?;
    match vnfmt::parse_date(&s) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field, "error-date"));
            None
        }
    }
}

async fn validate_period(
    state: &AppState,
    program: &Program,
    p: &PeriodPayload,
) -> AppResult<NewPeriod> {
    let mut errors = vec![];
    let kind = PeriodKind::parse(p.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new("kind", "error-choice"));
    }
    let year: Option<i32> = p
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (1990..=2100).contains(y));
    if year.is_none() {
        errors.push(FieldError::new("year", "error-year"));
    }
    let from = date_field(&mut errors, "data_from", &p.data_from);
    let to = date_field(&mut errors, "data_to", &p.data_to);
    let due = date_field(&mut errors, "due_on", &p.due_on);
    let remind_days = match non_empty(&p.remind_days) {
        None => 5,
        Some(s) => match vnfmt::parse_int(&s) {
            Ok(n) if (0..=60).contains(&n) => n,
            _ => {
                errors.push(FieldError::new("remind_days", "error-number").arg("value", &s));
                5
            }
        },
    };
    let jump_factor = match non_empty(&p.jump_factor) {
        None => 3.0,
        Some(s) => match vnfmt::parse_number(&s) {
            Ok(n) if n == 0.0 || (1.0..=1000.0).contains(&n) => n,
            _ => {
                errors.push(FieldError::new("jump_factor", "error-number").arg("value", &s));
                3.0
            }
        },
    };
    let label = match clean_text(p.label.as_deref().unwrap_or(""), 200) {
        Ok(s) => s,
        Err(_) => {
            errors.push(FieldError::new("label", "error-text"));
            String::new()
        }
    };
    if kind == Some(PeriodKind::AdHoc) && label.is_empty() {
        errors.push(FieldError::new("label", "error-required"));
    }
    if kind == Some(PeriodKind::AdHoc) && (from.is_none() || to.is_none() || due.is_none()) {
        for (f, v) in [("data_from", from), ("data_to", to), ("due_on", due)] {
            if v.is_none() && !errors.iter().any(|e| e.field == f) {
                errors.push(FieldError::new(f, "error-required"));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (Some(kind), Some(year)) = (kind, year) else {
        return Err(AppError::Validation(errors));
    };
    let std = rules::standard_period(kind, year, &rules_for(state, program.id).await?);
    let data_from = from.unwrap_or(std.data_from);
    let data_to = to.unwrap_or(std.data_to);
    let due_on = due.unwrap_or(std.due);
    let label = if label.is_empty() {
        std.label_vi.clone()
    } else {
        label
    };
    if let Err(e) = rules::ad_hoc(data_from, data_to, due_on, &label) {
        let field = match e {
            rules::PeriodError::FromAfterTo { .. } => "data_to",
            rules::PeriodError::ToAfterDue { .. } => "due_on",
            rules::PeriodError::EmptyLabel => "label",
        };
        return Err(AppError::Validation(vec![FieldError::new(
            field,
            "error-period-dates",
        )]));
    }
    if langnghe_core::coverage::opening_needs_confirmation(today(), due_on)
        && p.confirm_past_due != Some(true)
    {
        return Err(AppError::Validation(vec![FieldError::new(
            "confirm_past_due",
            "error-period-past-due",
        )]));
    }
    Ok(NewPeriod {
        program_id: program.id,
        kind,
        year,
        label,
        data_from,
        data_to,
        due_on,
        remind_days,
        jump_factor,
    })
}

async fn open(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &PeriodPayload,
) -> AppResult<(Period, usize)> {
    if !is_coordinator(ctx) {
        return Err(AppError::Forbidden);
    }
    let program = load_program_within(state, ctx, id).await?;
    let np = validate_period(state, &program, p).await?;
    let (pid, n) = store::open_period(&state.db, &ctx.actor(), &np)
        .await
        .map_err(|e| match e {
            langnghe_store::StoreError::Conflict(_) => {
                AppError::Validation(vec![FieldError::new("year", "error-period-exists")])
            }
            e => e.into(),
        })?;
    let period = store::period(&state.db, pid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((period, n))
}

/// Periods of a programme with their report counts.
#[utoipa::path(get, path = "/api/v1/programs/{id}/periods", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Period>), (status = 404)))]
async fn periods_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Period>>> {
    let program = load_program(&state, &ctx, &id).await?;
    let periods = store::periods(&state.db, program.id).await?;
    Ok(Json(
        periods
            .into_iter()
            .map(|p| crate::views::named_period(ctx.lang, p))
            .collect(),
    ))
}

/// Open a reporting period: one report is created for every responsible unit.
#[utoipa::path(post, path = "/api/v1/programs/{id}/periods", tag = "reporting", params(("id" = i64, Path)),
    request_body = PeriodPayload,
    responses((status = 201, body = Period), (status = 403), (status = 422)))]
async fn open_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<PeriodPayload>,
) -> AppResult<Response> {
    let (period, _) = open(&state, &ctx, &id, &p).await?;
    let period = crate::views::named_period(ctx.lang, period);
    Ok((StatusCode::CREATED, Json(period)).into_response())
}

async fn periods_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let program = load_program(&state, &ctx, &id).await?;
    periods_view(&state, &ctx, &program, &PeriodPayload::default(), &[]).await
}

async fn periods_view(
    state: &AppState,
    ctx: &Ctx,
    program: &Program,
    form: &PeriodPayload,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    let periods = store::periods(&state.db, program.id).await?;
    let r = rules_for(state, program.id).await?;
    let year = today().year();
    let h1 = rules::standard_period(PeriodKind::FirstHalf, year, &r);
    let annual = rules::standard_period(PeriodKind::Annual, year, &r);
    let day = |d: Date| match ctx.lang {
        Lang::Vi => vnfmt::format_date(d),
        Lang::En => vnfmt::format_date_en(d),
    };
    // Seeing a province's plan is not opening its periods (only inside one's scope).
    let can_open = is_coordinator(ctx)
        && langnghe_store::geo::covers(&state.db, ctx.user()?.scope_unit_id, program.admin_unit_id)
            .await?;
    render(
        state,
        ctx,
        "reporting/periods.html",
        context! {
            title => t(ctx.lang, "periods-title"),
            p => program,
            periods => periods,
            can_open => can_open,
            form => form,
            errors => crate::views::field_errors(ctx.lang, errors),
            default_year => year,
            rule_h1 => format!("{} → {}, {} {}", day(h1.data_from), day(h1.data_to), t(ctx.lang, "period-due"), day(h1.due)),
            rule_annual => format!("{} → {}, {} {}", day(annual.data_from), day(annual.data_to), t(ctx.lang, "period-due"), day(annual.due)),
        },
    )
}

async fn open_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<PeriodPayload>,
) -> AppResult<Response> {
    match open(&state, &ctx, &id, &p).await {
        Ok((period, n)) => {
            ctx::flash(
                &session,
                "success",
                t_args(
                    ctx.lang,
                    "period-opened",
                    &[
                        ("label", crate::views::period_name(ctx.lang, &period.label)),
                        ("count", n.to_string()),
                    ],
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/periods/{}", period.id)).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let program = load_program(&state, &ctx, &id).await?;
            let mut res = periods_view(&state, &ctx, &program, &p, &errors)
                .await?
                .into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

/// One unit's line on the timeliness page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitStatus {
    pub report_id: i64,
    pub agency_id: i64,
    pub agency_name: String,
    pub state: String,
    /// on_time, late, missing, overdue or returned.
    pub status: String,
    pub status_label: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    pub submitted_text: Option<String>,
    pub due_on: Date,
}

/// A period with each unit's timeliness and the reporting rates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodStatus {
    pub period: Period,
    pub units: Vec<UnitStatus>,
    pub expected: usize,
    pub submitted: usize,
    pub on_time: usize,
    /// % of units that submitted / submitted on time.
    pub submitted_rate: f64,
    pub on_time_rate: f64,
    /// The period was opened after its due date: every unit was late from the start.
    pub opened_past_due: bool,
}

pub fn unit_status(lang: Lang, r: &Report, today: Date) -> UnitStatus {
    let tl = store::timeliness_of(r, today);
    let key = match tl {
        Timeliness::OnTime { .. } => "on_time",
        Timeliness::Late { .. } => "late",
        Timeliness::NotSubmitted { overdue_days: None } => "missing",
        Timeliness::NotSubmitted { .. } => "overdue",
    };
    let label = match lang {
        Lang::Vi => rules::timeliness_label_vi(tl),
        Lang::En => rules::timeliness_label_en(tl),
    };
    // A returned report keeps the timeliness of its first submission.
    let returned = ReportState::Returned.as_str();
    let (status, label) = if r.state == returned {
        (
            returned.to_string(),
            t_args(lang, "status-returned-first", &[("label", label)]),
        )
    } else {
        (key.to_string(), label)
    };
    UnitStatus {
        report_id: r.id,
        agency_id: r.agency_id,
        agency_name: r.agency_name.clone(),
        state: r.state.clone(),
        status,
        status_label: label,
        submitted_at: r.first_submitted_at,
        submitted_text: r.first_submitted_at.map(vnfmt::format_datetime),
        due_on: r.due_on,
    }
}

async fn period_status(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<PeriodStatus> {
    let (_, period) = load_period(state, ctx, id).await?;
    let scope = report_scope(ctx)?;
    let (reports, _) = store::list_reports(
        &state.db,
        scope,
        &ReportFilter {
            period_id: Some(period.id),
            ..Default::default()
        },
        10_000,
        0,
    )
    .await?;
    let day = today();
    let mut units: Vec<UnitStatus> = reports
        .iter()
        .map(|r| unit_status(ctx.lang, r, day))
        .collect();
    // Vietnamese order: by the folded name (Sở Kế hoạch before Sở Khoa học).
    units.sort_by_cached_key(|u| langnghe_core::text::fold_vi(&u.agency_name));
    let expected = units.len();
    let submitted = reports
        .iter()
        .filter(|r| r.first_submitted_at.is_some())
        .count();
    let on_time = units.iter().filter(|u| u.status == "on_time").count()
        + units
            .iter()
            .filter(|u| u.status == ReportState::Returned.as_str())
            .filter(|u| {
                u.submitted_at
                    .is_some_and(|s| s.to_offset(vnfmt::VIETNAM_OFFSET).date() <= u.due_on)
            })
            .count();
    let (submitted_rate, on_time_rate) = rules::reporting_rate(expected, submitted, on_time);
    let opened_past_due = langnghe_core::coverage::opened_past_due(
        period.created_at.to_offset(vnfmt::VIETNAM_OFFSET).date(),
        period.due_on,
    );
    Ok(PeriodStatus {
        opened_past_due,
        period,
        units,
        expected,
        submitted,
        on_time,
        submitted_rate,
        on_time_rate,
    })
}

/// A period: every unit's report state and timeliness against the due date.
#[utoipa::path(get, path = "/api/v1/periods/{id}", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = PeriodStatus), (status = 404)))]
async fn period_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<PeriodStatus>> {
    Ok(Json(period_status(&state, &ctx, &id).await?))
}

async fn period_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let st = period_status(&state, &ctx, &id).await?;
    let program = load_program(&state, &ctx, &st.period.program_id.to_string()).await?;
    let day = today();
    render(
        &state,
        &ctx,
        "reporting/period.html",
        context! {
            title => crate::views::period_name(ctx.lang, &st.period.label),
            p => program,
            st => st,
            due_label => match ctx.lang { Lang::Vi => vnfmt::days_until_label_vi(day, st.period.due_on), Lang::En => vnfmt::days_until_label_en(day, st.period.due_on) },
            submitted_pct => vnfmt::format_percent(st.submitted_rate, 1),
            on_time_pct => vnfmt::format_percent(st.on_time_rate, 1),
            can_open => is_coordinator(&ctx),
        },
    )
}

/// Send the reminders of a period now (in the app, and by e-mail when SMTP is configured).
#[utoipa::path(post, path = "/api/v1/periods/{id}/reminders", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = reminders::RunSummary), (status = 403)))]
async fn reminders_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<reminders::RunSummary>> {
    if !is_coordinator(&ctx) {
        return Err(AppError::Forbidden);
    }
    let (_, period) = load_period_within(&state, &ctx, &id).await?;
    Ok(Json(
        reminders::run(&state, today(), Some(period.id)).await?,
    ))
}

async fn reminders_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if !is_coordinator(&ctx) {
        return Err(AppError::Forbidden);
    }
    let (_, period) = load_period_within(&state, &ctx, &id).await?;
    let s = reminders::run(&state, today(), Some(period.id)).await?;
    ctx::flash(
        &session,
        "success",
        t_args(
            ctx.lang,
            "reminders-sent",
            &[
                ("notified", s.notified.to_string()),
                ("emailed", s.emailed.to_string()),
            ],
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/periods/{}", period.id)).into_response())
}

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub period_id: Option<String>,
    pub program_id: Option<String>,
    /// draft, submitted, returned, approved, locked.
    pub state: Option<String>,
    /// The reporting unit and the units inside it: a code ("083") or a name
    /// ("Bát Xát", "Y Tý, Lào Cai"); a name that fits several units answers 422
    /// naming `unit` with the candidates.
    pub unit: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    #[param(ignore)]
    pub page: Option<i64>,
}

/// The filter of a report list, with the unit it names (a code or a name), or
/// the error naming `unit`.
async fn filter_of(
    state: &AppState,
    lang: Lang,
    q: &ReportQuery,
) -> AppResult<Result<(ReportFilter, Option<langnghe_store::geo::AdminUnit>), FieldError>> {
    let mut unit = None;
    if let Some(raw) = non_empty(&q.unit) {
        let holding = store::units_holding_reports(&state.db).await?;
        match crate::places::field_among(&state.db, lang, "unit", &raw, &holding).await? {
            Ok(u) => unit = Some(u),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok((
        ReportFilter {
            period_id: non_empty(&q.period_id).and_then(|s| s.parse().ok()),
            program_id: non_empty(&q.program_id).and_then(|s| s.parse().ok()),
            agency_id: None,
            state: non_empty(&q.state).filter(|s| ReportState::parse(s).is_some()),
            unit_id: unit.as_ref().map(|u| u.id),
        },
        unit,
    )))
}

/// Reports visible to the caller: an officer's own unit's, or all of the programmes in scope.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reporting", params(ReportQuery),
    responses((status = 200, body = crate::common::ListOf<Report>),
        (status = 422, description = "`unit` names no unit, or several (the error lists them)")))]
async fn reports_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<crate::common::ListOf<Report>>> {
    let scope = report_scope(&ctx)?;
    let (filter, _) = filter_of(&state, ctx.lang, &q)
        .await?
        .map_err(|e| AppError::Validation(vec![e]))?;
    let (items, total) = store::list_reports(
        &state.db,
        scope,
        &filter,
        crate::extract::api_limit(q.limit),
        crate::extract::api_offset(q.offset),
    )
    .await?;
    let items = items
        .into_iter()
        .map(|r| crate::views::named_report(ctx.lang, r))
        .collect();
    Ok(Json(crate::common::ListOf { items, total }))
}

async fn reports_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let scope = report_scope(&ctx)?;
    let (page, offset) = page_offset(q.page);
    // A unit that names nothing or several: the page again (422) with what was
    // typed, the error beside the field and the candidates.
    let (filter, unit, errors) = match filter_of(&state, ctx.lang, &q).await? {
        Ok((f, u)) => (f, u, vec![]),
        Err(e) => (ReportFilter::default(), None, vec![e]),
    };
    let (items, total) = if errors.is_empty() {
        store::list_reports(&state.db, scope, &filter, PAGE_SIZE, offset).await?
    } else {
        (vec![], 0)
    };
    let errors: Vec<_> = errors
        .iter()
        .map(|e| {
            let message = e.message(ctx.lang);
            context! {
                field => e.field,
                summary => format!("{}: {}", t(ctx.lang, "filter-unit"), message),
                message => message,
            }
        })
        .collect();
    let unit_label = match &unit {
        Some(u) => Some(crate::places::label(
            ctx.lang,
            &langnghe_store::geo::choice_by_id(&state.db, u.id)
                .await?
                .ok_or(AppError::NotFound)?,
        )),
        None => None,
    };
    let day = today();
    let rows: Vec<_> = items
        .iter()
        .map(|r| context! { r => r, st => unit_status(ctx.lang, r, day) })
        .collect();
    let errors_empty = errors.is_empty();
    let html = render(
        &state,
        &ctx,
        "reporting/list.html",
        context! {
            title => t(ctx.lang, "reports-title"),
            rows => rows,
            state_filter => q.state.clone().unwrap_or_default(),
            states => ReportState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            pager => pager(ctx.lang, page, PAGE_SIZE, total),
            query_base => serde_urlencoded::to_string([("state", q.state.clone().unwrap_or_default()), ("unit", q.unit.clone().unwrap_or_default())]).unwrap_or_default(),
            unit => q.unit.clone().unwrap_or_default(),
            unit_label => unit_label,
            errors => errors,
        },
    )?;
    let status = if errors_empty {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, html).into_response())
}

/// A finding as shown to people and programs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FindingView {
    pub line_id: i64,
    pub field: String,
    /// error or warning.
    pub severity: String,
    pub code: String,
    pub message: String,
    pub blocks_submission: bool,
}

fn finding_views(lang: Lang, lines: &[Line], fs: &[Finding]) -> Vec<FindingView> {
    fs.iter()
        .map(|f| FindingView {
            line_id: lines.get(f.line).map(|l| l.id).unwrap_or_default(),
            field: f.field.to_string(),
            severity: match f.severity {
                langnghe_core::report_values::Severity::Error => "error".into(),
                langnghe_core::report_values::Severity::Warning => "warning".into(),
            },
            code: f.code.to_string(),
            message: match lang {
                Lang::Vi => f.message_vi.clone(),
                Lang::En => f.message_en.clone(),
            },
            blocks_submission: f.blocks_submission(),
        })
        .collect()
}

/// A report with its lines, the checks on them, its history and attachments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    #[serde(flatten)]
    pub report: Report,
    pub lines: Vec<Line>,
    pub findings: Vec<FindingView>,
    pub events: Vec<Event>,
    pub attachments: Vec<Attachment>,
    pub timeliness: UnitStatus,
    /// What the caller may do now: save, submit, return, approve, lock, reopen.
    pub actions: Vec<String>,
}

fn allowed_actions(ctx: &Ctx, r: &Report) -> Vec<String> {
    let Ok((role, u)) = role(ctx) else {
        return vec![];
    };
    let Some(st) = ReportState::parse(&r.state) else {
        return vec![];
    };
    ReportAction::ALL
        .iter()
        .filter(|a| rules::transition(st, **a, role, u.agency_id == r.agency_id, Some("x")).is_ok())
        .map(|a| a.as_str().to_string())
        .collect()
}

async fn view_of(state: &AppState, ctx: &Ctx, r: Report) -> AppResult<ReportView> {
    let lines = crate::views::shown_lines(ctx.lang, store::lines(&state.db, r.id).await?);
    let period = store::period(&state.db, r.period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let findings = finding_views(ctx.lang, &lines, &store::check(&lines, period.jump_factor));
    let events = store::events(&state.db, r.id).await?;
    let attachments = store::attachments(&state.db, r.id).await?;
    let actions = allowed_actions(ctx, &r);
    Ok(ReportView {
        timeliness: unit_status(ctx.lang, &r, today()),
        report: crate::views::named_report(ctx.lang, r),
        lines,
        findings,
        events,
        attachments,
        actions,
    })
}

/// One report.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = ReportView), (status = 404)))]
async fn report_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<ReportView>> {
    let r = load_report(&state, &ctx, &id).await?;
    Ok(Json(view_of(&state, &ctx, r).await?))
}

const NARRATIVE_MAX: usize = 20_000;

/// Check the texts of an input (length, control characters) before anything is stored.
fn check_input(input: &ReportInput, lines: &[Line]) -> Vec<FieldError> {
    let mut errors = vec![];
    for (name, v) in [
        ("results", &input.results),
        ("difficulties", &input.difficulties),
        ("causes", &input.causes),
        ("proposals", &input.proposals),
    ] {
        if let Some(v) = v {
            if clean_text(v, NARRATIVE_MAX).is_err() {
                errors.push(FieldError::new(name, "error-text"));
            }
        }
    }
    for li in &input.lines {
        let Some(l) = lines.iter().find(|l| l.id == li.id) else {
            errors.push(FieldError::new(
                &format!("line-{}", li.id),
                "error-line-unknown",
            ));
            continue;
        };
        if let Some(v) = &li.value {
            if clean_text(v, 100).is_err() {
                errors.push(FieldError::new(&format!("value-{}", l.id), "error-text"));
            }
        }
        if let Some(c) = &li.comment {
            if clean_text(c, 2_000).is_err() {
                errors.push(FieldError::new(&format!("comment-{}", l.id), "error-text"));
            }
        }
    }
    errors
}

/// The outcome of a save for the caller.
pub enum Saved {
    Ok(i64),
    Conflict(Box<store::Conflict>),
}

async fn do_save(state: &AppState, ctx: &Ctx, r: &Report, input: &ReportInput) -> AppResult<Saved> {
    let (role, u) = role(ctx)?;
    let st = ReportState::parse(&r.state).ok_or(AppError::NotFound)?;
    if let Err(e) = rules::transition(
        st,
        ReportAction::Save,
        role,
        u.agency_id == r.agency_id,
        None,
    ) {
        return Err(transition_error(e));
    }
    let lines = store::lines(&state.db, r.id).await?;
    let errors = check_input(input, &lines);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    match store::save(&state.db, &ctx.actor(), r, input).await {
        Ok(v) => Ok(Saved::Ok(v)),
        Err(SaveError::Conflict(c)) => Ok(Saved::Conflict(c)),
        Err(SaveError::Store(e)) => Err(e.into()),
    }
}

fn transition_error(e: rules::TransitionError) -> AppError {
    use rules::TransitionError as E;
    match e {
        E::RoleNotAllowed { .. } | E::NotOwnerUnit => AppError::Forbidden,
        E::ReasonRequired { .. } => {
            AppError::Validation(vec![FieldError::new("reason", "error-required")])
        }
        E::NotEditable { state }
        | E::NotSubmitted { state }
        | E::NotApproved { state }
        | E::NotLocked { state } => AppError::Refused(
            FieldError::new("state", e.key())
                .arg_key("state", &format!("report-state-{}", state.as_str())),
        ),
    }
}

/// A conflicting save: what you sent and what is stored now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConflictBody {
    pub error: String,
    pub message: String,
    pub yours: ReportInput,
    pub current: store::Report,
    pub current_lines: Vec<Line>,
}

fn conflict_response(lang: Lang, yours: ReportInput, c: store::Conflict) -> Response {
    let message = t_args(
        lang,
        "report-conflict",
        &[
            ("who", c.current.updated_by.clone().unwrap_or_default()),
            ("when", vnfmt::format_datetime(c.current.updated_at)),
        ],
    );
    (
        StatusCode::CONFLICT,
        axum::Json(ConflictBody {
            error: "conflict".into(),
            message,
            yours,
            current: crate::views::named_report(lang, c.current),
            current_lines: crate::views::shown_lines(lang, c.current_lines),
        }),
    )
        .into_response()
}

/// Save a draft (values as typed, narrative). Send the `version` you read:
/// if someone saved in between, the answer is 409 with both versions.
#[utoipa::path(put, path = "/api/v1/reports/{id}", tag = "reporting", params(("id" = i64, Path)),
    request_body = ReportInput,
    responses((status = 200, body = ReportView), (status = 409, body = ConflictBody), (status = 403), (status = 422)))]
async fn save_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<ReportInput>,
) -> AppResult<Response> {
    let r = load_report(&state, &ctx, &id).await?;
    match do_save(&state, &ctx, &r, &input).await? {
        Saved::Ok(_) => {
            let r = load_report(&state, &ctx, &id).await?;
            Ok(Json(view_of(&state, &ctx, r).await?).into_response())
        }
        Saved::Conflict(c) => Ok(conflict_response(ctx.lang, input, *c)),
    }
}

/// Reason for return / reopen.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReasonPayload {
    #[serde(default)]
    pub reason: Option<String>,
}

async fn act(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    action: ReportAction,
    reason: Option<&str>,
) -> AppResult<Report> {
    let r = load_report(state, ctx, id).await?;
    let (role, u) = role(ctx)?;
    let st = ReportState::parse(&r.state).ok_or(AppError::NotFound)?;
    let reason = match reason {
        Some(x) => Some(
            clean_text(x, 2_000)
                .map_err(|_| AppError::Validation(vec![FieldError::new("reason", "error-text")]))?,
        ),
        None => None,
    };
    let to = rules::transition(
        st,
        action,
        role,
        u.agency_id == r.agency_id,
        reason.as_deref(),
    )
    .map_err(transition_error)?;
    if action == ReportAction::Submit {
        let lines = store::lines(&state.db, r.id).await?;
        let period = store::period(&state.db, r.period_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let blocking: Vec<FieldError> = store::check(&lines, period.jump_factor)
            .iter()
            .filter(|f| f.blocks_submission())
            .map(|f| {
                let l = &lines[f.line];
                FieldError::new(&format!("{}-{}", f.field, l.id), "report-finding").arg(
                    "message",
                    match ctx.lang {
                        Lang::Vi => &f.message_vi,
                        Lang::En => &f.message_en,
                    },
                )
            })
            .collect();
        if !blocking.is_empty() {
            return Err(AppError::Validation(blocking));
        }
    }
    store::set_state(&state.db, &ctx.actor(), &r, action, to, reason.as_deref()).await?;
    if matches!(
        action,
        ReportAction::Return | ReportAction::Reopen | ReportAction::Approve
    ) {
        reminders::tell_unit(state, &r, action, reason.as_deref()).await?;
    }
    load_report(state, ctx, id).await
}

/// The optional JSON body of a workflow action: `{"reason": "…"}` or nothing.
fn reason_of(body: &[u8]) -> AppResult<Option<String>> {
    crate::extract::optional_json_body::<ReasonPayload>(body).map(|p| p.reason)
}

macro_rules! action_api {
    ($name:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "reporting", params(("id" = i64, Path)),
            request_body(content = Option<ReasonPayload>, description = "optional; `reason` is required to return or reopen"),
            responses((status = 200, body = ReportView), (status = 403), (status = 409), (status = 422)))]
        async fn $name(
            State(state): State<AppState>,
            ctx: Ctx,
            Path(id): Path<String>,
            body: axum::body::Bytes,
        ) -> AppResult<Json<ReportView>> {
            let reason = reason_of(&body)?;
            let r = act(&state, &ctx, &id, $action, reason.as_deref()).await?;
            Ok(Json(view_of(&state, &ctx, r).await?))
        }
    };
}

action_api!(
    submit_api,
    "/api/v1/reports/{id}/submit",
    ReportAction::Submit,
    "Submit a report (refused while it has errors or warnings without a comment)."
);
action_api!(
    return_api,
    "/api/v1/reports/{id}/return",
    ReportAction::Return,
    "Return a submitted report to its unit with a comment."
);
action_api!(
    approve_api,
    "/api/v1/reports/{id}/approve",
    ReportAction::Approve,
    "Approve a submitted report: it counts in the consolidation."
);
action_api!(
    lock_api,
    "/api/v1/reports/{id}/lock",
    ReportAction::Lock,
    "Lock an approved report."
);
action_api!(
    reopen_api,
    "/api/v1/reports/{id}/reopen",
    ReportAction::Reopen,
    "Reopen an approved or locked report with a reason (audited)."
);

/// The report form as posted by the browser: `value-<line>`, `comment-<line>`, narrative, version.
fn input_from_form(form: &BTreeMap<String, String>) -> ReportInput {
    let mut input = ReportInput {
        version: form
            .get("version")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        results: form.get("results").cloned(),
        difficulties: form.get("difficulties").cloned(),
        causes: form.get("causes").cloned(),
        proposals: form.get("proposals").cloned(),
        lines: vec![],
    };
    let mut ids: Vec<i64> = form
        .keys()
        .filter_map(|k| {
            k.strip_prefix("value-")
                .or_else(|| k.strip_prefix("comment-"))
        })
        .filter_map(|id| id.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        input.lines.push(store::LineInput {
            id,
            value: form.get(&format!("value-{id}")).cloned(),
            comment: form.get(&format!("comment-{id}")).cloned(),
        });
    }
    input
}

struct FormState<'a> {
    errors: &'a [FieldError],
    conflict: Option<&'a store::Conflict>,
    mine: Option<&'a ReportInput>,
    status: StatusCode,
}

async fn form_view(
    state: &AppState,
    ctx: &Ctx,
    r: Report,
    fs: FormState<'_>,
) -> AppResult<Response> {
    let mut view = view_of(state, ctx, r).await?;
    // Show what the person typed, not what is stored, when the save did not go through.
    if let Some(mine) = fs.mine {
        let mut lines = view.lines.clone();
        let _ = store::apply_input(&mut lines, mine);
        let period = store::period(&state.db, view.report.period_id)
            .await?
            .ok_or(AppError::NotFound)?;
        view.findings = finding_views(ctx.lang, &lines, &store::check(&lines, period.jump_factor));
        view.lines = lines;
        if let Some(v) = &mine.results {
            view.report.results = v.clone();
        }
        if let Some(v) = &mine.difficulties {
            view.report.difficulties = v.clone();
        }
        if let Some(v) = &mine.causes {
            view.report.causes = v.clone();
        }
        if let Some(v) = &mine.proposals {
            view.report.proposals = v.clone();
        }
    }
    let conflict_rows: Vec<_> = fs
        .conflict
        .map(|c| {
            let mut rows = vec![];
            for l in &view.lines {
                if let Some(cur) = c.current_lines.iter().find(|x| x.id == l.id) {
                    if cur.value_text.trim() != l.value_text.trim() || cur.comment != l.comment {
                        rows.push(context! { label => format!("{} — {}", store::line_label(l), l.indicator_name), mine => l.value_text.clone(), theirs => cur.value_text.clone() });
                    }
                }
            }
            for (key, mine, theirs) in [
                ("report-results", &view.report.results, &c.current.results),
                ("report-difficulties", &view.report.difficulties, &c.current.difficulties),
                ("report-causes", &view.report.causes, &c.current.causes),
                ("report-proposals", &view.report.proposals, &c.current.proposals),
            ] {
                if mine.trim() != theirs.trim() {
                    rows.push(context! { label => t(ctx.lang, key), mine => mine, theirs => theirs });
                }
            }
            rows
        })
        .unwrap_or_default();
    // After a conflict the form carries the stored version: saving again keeps the person's values.
    if let Some(c) = fs.conflict {
        view.report.version = c.current.version;
    }
    let editable = view.actions.iter().any(|a| a == "save");
    let by_line: BTreeMap<i64, Vec<&FindingView>> =
        view.findings.iter().fold(BTreeMap::new(), |mut m, f| {
            m.entry(f.line_id).or_default().push(f);
            m
        });
    let line_rows: Vec<_> = view
        .lines
        .iter()
        .map(|l| {
            context! {
                l => l,
                label => store::line_label(l),
                is_part => !l.category.is_empty(),
                findings => by_line.get(&l.id).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let blocking = view.findings.iter().filter(|f| f.blocks_submission).count();
    let html = render(
        state,
        ctx,
        "reporting/report.html",
        context! {
            title => format!("{} — {}", view.report.agency_name, crate::views::period_name(ctx.lang, &view.report.period_label)),
            v => view,
            line_rows => line_rows,
            editable => editable,
            blocking => blocking,
            errors => crate::views::field_errors(ctx.lang, fs.errors),
            conflict => fs.conflict.map(|c| t_args(ctx.lang, "report-conflict", &[("who", c.current.updated_by.clone().unwrap_or_default()), ("when", vnfmt::format_datetime(c.current.updated_at))])),
            conflict_rows => conflict_rows,
            due_text => crate::views::date_in(ctx.lang, view.report.due_on),
        },
    )?;
    let mut res = html.into_response();
    *res.status_mut() = fs.status;
    Ok(res)
}

/// The report form again with the errors of what was just sent.
async fn form_with_errors(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: &[FieldError],
) -> AppResult<Response> {
    let r = load_report(state, ctx, id).await?;
    form_view(
        state,
        ctx,
        r,
        FormState {
            errors,
            conflict: None,
            mine: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        },
    )
    .await
}

async fn report_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let r = load_report(&state, &ctx, &id).await?;
    form_view(
        &state,
        &ctx,
        r,
        FormState {
            errors: &[],
            conflict: None,
            mine: None,
            status: StatusCode::OK,
        },
    )
    .await
}

async fn save_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let r = load_report(&state, &ctx, &id).await?;
    let input = input_from_form(&form);
    let submit = form.get("intent").map(String::as_str) == Some("submit");
    match do_save(&state, &ctx, &r, &input).await {
        Ok(Saved::Ok(_)) => {}
        Ok(Saved::Conflict(c)) => {
            return form_view(
                &state,
                &ctx,
                r,
                FormState {
                    errors: &[],
                    conflict: Some(&c),
                    mine: Some(&input),
                    status: StatusCode::CONFLICT,
                },
            )
            .await;
        }
        Err(AppError::Validation(errors)) => {
            return form_view(
                &state,
                &ctx,
                r,
                FormState {
                    errors: &errors,
                    conflict: None,
                    mine: Some(&input),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                },
            )
            .await;
        }
        Err(e) => return Err(e),
    }
    if submit {
        match act(&state, &ctx, &id, ReportAction::Submit, None).await {
            Ok(_) => {
                ctx::flash(&session, "success", t(ctx.lang, "report-submitted")).await;
            }
            Err(AppError::Validation(errors)) => {
                let r = load_report(&state, &ctx, &id).await?;
                return form_view(
                    &state,
                    &ctx,
                    r,
                    FormState {
                        errors: &errors,
                        conflict: None,
                        mine: None,
                        status: StatusCode::UNPROCESSABLE_ENTITY,
                    },
                )
                .await;
            }
            Err(e) => return Err(e),
        }
    } else {
        ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
    }
    Ok(Redirect::to(&format!("/reports/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
struct ActionForm {
    action: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn action_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> AppResult<Response> {
    let action = ReportAction::parse(f.action.trim())
        .filter(|a| *a != ReportAction::Save)
        .ok_or_else(|| AppError::bad("error-choice"))?;
    match act(&state, &ctx, &id, action, f.reason.as_deref()).await {
        Ok(_) => {
            ctx::flash(
                &session,
                "success",
                t(ctx.lang, &format!("report-done-{}", action.as_str())),
            )
            .await;
            Ok(Redirect::to(&format!("/reports/{id}")).into_response())
        }
        Err(AppError::Validation(errors)) => form_with_errors(&state, &ctx, &id, &errors).await,
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------
// Excel round trip
// ---------------------------------------------------------------------------

async fn xlsx_of(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Response> {
    let r = load_report(state, ctx, id).await?;
    let lines = store::lines(&state.db, r.id).await?;
    let bytes = xlsx::report_workbook(ctx.lang, &r, &lines)?;
    Ok(file_response(
        bytes,
        XLSX_TYPE,
        &format!("bao-cao-{}-v{}.xlsx", r.id, r.version),
    ))
}

/// The report as a pre-filled workbook to fill in offline and upload back.
#[utoipa::path(get, path = "/api/v1/reports/{id}/xlsx", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404)))]
async fn xlsx_download_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    xlsx_of(&state, &ctx, &id).await
}

async fn xlsx_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    xlsx_of(&state, &ctx, &id).await
}

async fn xlsx_upload(state: &AppState, ctx: &Ctx, id: &str, m: Multipart) -> AppResult<Saved> {
    let r = load_report(state, ctx, id).await?;
    let (bytes, name) = crate::registry::import::read_upload(ctx, ctx.csrf_pending, m).await?;
    let lines = store::lines(&state.db, r.id).await?;
    let input = xlsx::read_workbook(ctx.lang, &bytes, &name, &r, &lines)?;
    do_save(state, ctx, &r, &input).await
}

/// Upload the filled-in workbook: checked cell by cell, saved whole or not at all.
#[utoipa::path(post, path = "/api/v1/reports/{id}/xlsx", tag = "reporting", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "field `file`: the workbook downloaded from this report"),
    responses((status = 200, body = ReportView), (status = 409), (status = 422)))]
async fn xlsx_upload_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    m: Multipart,
) -> AppResult<Response> {
    match xlsx_upload(&state, &ctx, &id, m).await? {
        Saved::Ok(_) => {
            let r = load_report(&state, &ctx, &id).await?;
            Ok(Json(view_of(&state, &ctx, r).await?).into_response())
        }
        Saved::Conflict(c) => Ok(conflict_response(ctx.lang, ReportInput::default(), *c)),
    }
}

async fn xlsx_upload_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    m: Multipart,
) -> AppResult<Response> {
    match xlsx_upload(&state, &ctx, &id, m).await {
        Ok(Saved::Ok(_)) => {
            ctx::flash(&session, "success", t(ctx.lang, "report-xlsx-loaded")).await;
            Ok(Redirect::to(&format!("/reports/{id}")).into_response())
        }
        Ok(Saved::Conflict(c)) => {
            let r = load_report(&state, &ctx, &id).await?;
            form_view(
                &state,
                &ctx,
                r,
                FormState {
                    errors: &[FieldError::new("file", "report-xlsx-stale")],
                    conflict: Some(&c),
                    mine: None,
                    status: StatusCode::CONFLICT,
                },
            )
            .await
        }
        Err(AppError::Validation(errors)) => form_with_errors(&state, &ctx, &id, &errors).await,
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------

async fn attach(state: &AppState, ctx: &Ctx, id: &str, m: Multipart) -> AppResult<i64> {
    let r = load_report(state, ctx, id).await?;
    if !allowed_actions(ctx, &r).iter().any(|a| a == "save") {
        return Err(AppError::Forbidden);
    }
    let (bytes, name) = crate::registry::import::read_upload(ctx, ctx.csrf_pending, m).await?;
    if bytes.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "attachment",
            "error-required",
        )]));
    }
    let ctype = crate::registry::files::sniff(&bytes, &name).ok_or_else(|| {
        AppError::Validation(vec![FieldError::new("attachment", "error-file-type")])
    })?;
    let safe: String = name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
        .take(200)
        .collect();
    Ok(store::add_attachment(&state.db, &ctx.actor(), r.id, &safe, ctype, &bytes).await?)
}

/// Attach a file (PDF, Word, Excel, images) to a report being prepared.
#[utoipa::path(post, path = "/api/v1/reports/{id}/attachments", tag = "reporting", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "field `file`"),
    responses((status = 201, description = "`{id}`"), (status = 403), (status = 422)))]
async fn attach_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    m: Multipart,
) -> AppResult<Response> {
    let aid = attach(&state, &ctx, &id, m).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": aid }))).into_response())
}

async fn attach_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    m: Multipart,
) -> AppResult<Response> {
    match attach(&state, &ctx, &id, m).await {
        Ok(_) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/reports/{id}#attachments")).into_response())
        }
        Err(AppError::Validation(errors)) => form_with_errors(&state, &ctx, &id, &errors).await,
        Err(e) => Err(e),
    }
}

/// An attachment, to whoever may open its report (the same scope as the report's JSON).
async fn attachment_of(state: &AppState, ctx: &Ctx, id: &str, aid: &str) -> AppResult<Response> {
    let r = load_report(state, ctx, id).await?;
    let aid = crate::common::path_id(aid)?;
    let (name, ctype, bytes) = store::attachment_file(&state.db, r.id, aid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(bytes, &ctype, &name))
}

/// A file attached to a report, as uploaded (its type is the one recognised at upload:
/// PDF, Word, Excel, OpenDocument text, PNG or JPEG).
#[utoipa::path(get, path = "/api/v1/reports/{id}/attachments/{aid}", tag = "reporting",
    params(("id" = i64, Path), ("aid" = i64, Path, description = "the attachment's id (`attachments[].id` of the report)")),
    responses((status = 200, description = "the file as uploaded (PDF, Word, Excel, OpenDocument text, PNG or JPEG), as an attachment"), (status = 404)))]
async fn attachment_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(String, String)>,
) -> AppResult<Response> {
    attachment_of(&state, &ctx, &id, &aid).await
}

async fn attachment_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(String, String)>,
) -> AppResult<Response> {
    attachment_of(&state, &ctx, &id, &aid).await
}

async fn detach_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((id, aid)): Path<(String, String)>,
) -> AppResult<Response> {
    let r = load_report(&state, &ctx, &id).await?;
    if !allowed_actions(&ctx, &r).iter().any(|a| a == "save") {
        return Err(AppError::Forbidden);
    }
    let aid = crate::common::path_id(&aid)?;
    store::remove_attachment(&state.db, &ctx.actor(), r.id, aid).await?;
    ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
    Ok(Redirect::to(&format!("/reports/{id}#attachments")).into_response())
}

// ---------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "reporting",
    responses((status = 200, body = Vec<store::Notification>)))]
async fn notifications_api(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<Vec<store::Notification>>> {
    let u = ctx.user()?;
    Ok(Json(store::notifications(&state.db, u.id, 200).await?))
}

async fn notifications_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let u = ctx.user()?;
    let items = store::notifications(&state.db, u.id, 200).await?;
    render(
        &state,
        &ctx,
        "reporting/notifications.html",
        context! { title => t(ctx.lang, "notifications-title"), items => items },
    )
}

async fn notifications_read(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
) -> AppResult<Response> {
    let u = ctx.user()?;
    store::mark_read(&state.db, u.id).await?;
    ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
    Ok(Redirect::to("/notifications").into_response())
}
