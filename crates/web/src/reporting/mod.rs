//! The reporting cycle on the web: periods of a programme (opening one
//! assigns a report to every responsible unit), the unit report form (values,
//! narrative, attachments, Excel round trip), the workflow (submit, return,
//! approve, lock, reopen), timeliness per period with reminders, and the
//! consolidated province report with its official PDF/DOCX/XLSX outputs.
//! Every page has its JSON twin under `/api/v1`.

mod attachments;
mod notifications;
mod periods;
mod reports;
mod roundtrip;

pub use attachments::*;
pub use notifications::*;
pub use periods::*;
pub use reports::*;
pub use roundtrip::*;

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
    self as store, Line, NewPeriod, Period, Report, ReportFilter, ReportInput, ReportScope,
    SaveError,
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

// The reporting records as the API answers them: views of web, built from the
// store's rows (the schema names stay the store's).

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Period)]
pub struct PeriodBody {
    pub id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    /// `first_half`, `annual` or `ad_hoc`.
    pub kind: String,
    pub year: i64,
    /// The official name, in Vietnamese as opened ("6 tháng đầu năm 2025"); the PDF/DOCX use it.
    pub label: String,
    /// The name in the reader's language ("First half of 2025"); a typed name stays as typed.
    pub name: String,
    pub data_from: time::Date,
    pub data_to: time::Date,
    pub due_on: time::Date,
    /// The target milestone this period reports against ("2025").
    pub milestone: Option<String>,
    pub remind_days: i64,
    pub jump_factor: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    pub reports: i64,
    pub submitted: i64,
    pub approved: i64,
    /// Invented by the demo (`serve --demo`): shown as "Dữ liệu mẫu" / "Sample data".
    pub sample: bool,
}

impl From<store::Period> for PeriodBody {
    fn from(v: store::Period) -> Self {
        PeriodBody {
            id: v.id,
            program_id: v.program_id,
            program_code: v.program_code,
            program_title: v.program_title,
            kind: v.kind,
            year: v.year,
            label: v.label,
            name: v.name,
            data_from: v.data_from,
            data_to: v.data_to,
            due_on: v.due_on,
            milestone: v.milestone,
            remind_days: v.remind_days,
            jump_factor: v.jump_factor,
            created_at: v.created_at,
            reports: v.reports,
            submitted: v.submitted,
            approved: v.approved,
            sample: v.sample,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Report)]
pub struct ReportBody {
    pub id: i64,
    pub period_id: i64,
    /// The period's official (Vietnamese) name.
    pub period_label: String,
    /// The period's name in the reader's language.
    pub period_name: String,
    pub period_kind: String,
    pub due_on: time::Date,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub agency_id: i64,
    pub agency_name: String,
    pub admin_unit_id: i64,
    pub unit_name: String,
    /// draft, submitted, returned, approved, locked.
    pub state: String,
    /// Send it back with a save (optimistic locking).
    pub version: i64,
    pub results: String,
    pub difficulties: String,
    pub causes: String,
    pub proposals: String,
    pub return_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_submitted_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
    pub updated_by: Option<String>,
    /// Its period is sample data of the demo (see [`Period::sample`]).
    pub sample: bool,
}

impl From<store::Report> for ReportBody {
    fn from(v: store::Report) -> Self {
        ReportBody {
            id: v.id,
            period_id: v.period_id,
            period_label: v.period_label,
            period_name: v.period_name,
            period_kind: v.period_kind,
            due_on: v.due_on,
            program_id: v.program_id,
            program_code: v.program_code,
            program_title: v.program_title,
            agency_id: v.agency_id,
            agency_name: v.agency_name,
            admin_unit_id: v.admin_unit_id,
            unit_name: v.unit_name,
            state: v.state,
            version: v.version,
            results: v.results,
            difficulties: v.difficulties,
            causes: v.causes,
            proposals: v.proposals,
            return_reason: v.return_reason,
            submitted_at: v.submitted_at,
            first_submitted_at: v.first_submitted_at,
            approved_at: v.approved_at,
            updated_at: v.updated_at,
            updated_by: v.updated_by,
            sample: v.sample,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Line)]
pub struct LineBody {
    pub id: i64,
    pub indicator_id: i64,
    pub indicator_code: String,
    pub indicator_name: String,
    pub unit: String,
    pub aggregation: String,
    /// `""` for the indicator's total, else the category key (LN, NTT…).
    pub category: String,
    /// The target as the plan words it, with its milestone ("25 (2025)").
    pub target_text: Option<String>,
    /// `province` when the target is the province's, shared by several units.
    pub target_scope: Option<String>,
    /// The target as the reader reads it ("Province-wide: 25 (2025)"); filled by the web layer.
    pub target_shown: Option<String>,
    pub target_value: Option<f64>,
    pub previous_value: Option<f64>,
    /// As typed (kept even when it is not a number yet).
    pub value_text: String,
    pub value: Option<f64>,
    /// What the records say, when the indicator is computed from them.
    pub computed_value: Option<f64>,
    /// `computed` while the value is the one computed from records.
    pub source: String,
    pub comment: String,
}

impl From<store::Line> for LineBody {
    fn from(v: store::Line) -> Self {
        LineBody {
            id: v.id,
            indicator_id: v.indicator_id,
            indicator_code: v.indicator_code,
            indicator_name: v.indicator_name,
            unit: v.unit,
            aggregation: v.aggregation,
            category: v.category,
            target_text: v.target_text,
            target_scope: v.target_scope,
            target_shown: v.target_shown,
            target_value: v.target_value,
            previous_value: v.previous_value,
            value_text: v.value_text,
            value: v.value,
            computed_value: v.computed_value,
            source: v.source,
            comment: v.comment,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Event)]
pub struct EventBody {
    pub id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub reason: Option<String>,
    pub actor_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
}

impl From<store::Event> for EventBody {
    fn from(v: store::Event) -> Self {
        EventBody {
            id: v.id,
            action: v.action,
            from_state: v.from_state,
            to_state: v.to_state,
            reason: v.reason,
            actor_name: v.actor_name,
            at: v.at,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Attachment)]
pub struct AttachmentBody {
    pub id: i64,
    pub file_name: String,
    pub file_type: String,
    pub size: i64,
    pub uploaded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

impl From<store::Attachment> for AttachmentBody {
    fn from(v: store::Attachment) -> Self {
        AttachmentBody {
            id: v.id,
            file_name: v.file_name,
            file_type: v.file_type,
            size: v.size,
            uploaded_by: v.uploaded_by,
            created_at: v.created_at,
        }
    }
}

/// Narrative of the approved reports of a period, per unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Narrative)]
pub struct NarrativeBody {
    pub report_id: i64,
    pub agency_name: String,
    pub results: String,
    pub difficulties: String,
    pub causes: String,
    pub proposals: String,
}

impl From<store::Narrative> for NarrativeBody {
    fn from(v: store::Narrative) -> Self {
        NarrativeBody {
            report_id: v.report_id,
            agency_name: v.agency_name,
            results: v.results,
            difficulties: v.difficulties,
            causes: v.causes,
            proposals: v.proposals,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Notification)]
pub struct NotificationBody {
    pub id: i64,
    pub report_id: Option<i64>,
    pub kind: String,
    pub message: String,
    pub link: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub emailed_at: Option<time::OffsetDateTime>,
}

impl From<store::Notification> for NotificationBody {
    fn from(v: store::Notification) -> Self {
        NotificationBody {
            id: v.id,
            report_id: v.report_id,
            kind: v.kind,
            message: v.message,
            link: v.link,
            created_at: v.created_at,
            read_at: v.read_at,
            emailed_at: v.emailed_at,
        }
    }
}

pub(crate) fn views<T, V: From<T>>(items: Vec<T>) -> Vec<V> {
    items.into_iter().map(V::from).collect()
}
