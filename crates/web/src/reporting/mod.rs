//! The reporting cycle on the web: periods of a programme (opening one
//! assigns a report to every responsible unit), the unit report form (values,
//! narrative, attachments, Excel round trip), the workflow (submit, return,
//! approve, lock, reopen), timeliness per period with reminders, and the
//! consolidated province report with its official PDF/DOCX/XLSX outputs.
//! Every page has its JSON twin under `/api/v1`.

mod views;
pub use views::*;

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

use crate::common::views;
use crate::common::{file_response, XLSX_TYPE};
use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, page_offset, Form, Json, Path, Query, PAGE_SIZE};
use crate::i18n::{t, t_args, Lang};
use crate::scoped::{InScope, Reach, Scoped};
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
use langnghe_store::programs::{self, Program};
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

/// A programme: read if run inside the caller's scope or over an area containing
/// it; changed only if run inside it (seeing ≠ editing).
impl InScope for Program {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, reach: Reach) -> AppResult<Self> {
        let u = ctx.user()?;
        let scope = u.scope_unit_id;
        // The programmes, the geography and the agencies it is read from move
        // the plans' revision: kept under it, per scope and reach.
        let kept = state.kept.for_request(&state.db, ctx).await?;
        let key = crate::kept::Key::Program {
            id,
            scope,
            within: reach == Reach::Change,
        };
        let found = kept
            .get(key, || async {
                Ok(
                    programs::get_reach(&state.db, scope, id, crate::scoped::store_reach(reach))
                        .await?,
                )
            })
            .await?;
        Option::clone(&found).ok_or(AppError::NotFound)
    }
}

/// A reporting period, with its programme (in the reach of the programme).
pub struct PeriodOf {
    pub program: Program,
    pub period: Period,
}

impl InScope for PeriodOf {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, reach: Reach) -> AppResult<Self> {
        let period = store::period(&state.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let program = Program::load(state, ctx, period.program_id, reach).await?;
        Ok(PeriodOf {
            program,
            period: crate::views::named_period(ctx.lang, period),
        })
    }
}

/// A unit report: a unit's officer reaches its own agency's reports, reviewers
/// and coordinators those of units inside their scope (the workflow says who may
/// change what).
impl InScope for Report {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, _reach: Reach) -> AppResult<Self> {
        let scope = report_scope(ctx)?;
        store::get_report(&state.db, scope, id)
            .await?
            .ok_or(AppError::NotFound)
    }
}

pub use crate::common::today;
