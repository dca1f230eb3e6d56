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

mod annual;
mod budget;
mod indicators;
mod programme;
mod record_pages;
mod status;
mod tasks;

pub use annual::*;
pub use budget::*;
pub use indicators::*;
pub use programme::*;
use record_pages::*;
pub use status::*;
pub use tasks::*;

use crate::common::{optional_version, unix_newlines};
use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, Form, Json, Path};
use crate::i18n::{t, Lang};
use crate::programs::forms::{BudgetPayload, IndicatorPayload, TaskPayload};
use crate::scoped::{self, Editable, InScope, Reach, Scoped};
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
use langnghe_store::programs::{
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

/// The right a reach needs on a programme's records: reading them is for
/// everyone, changing them for those who edit the registry.
fn right_for(ctx: &Ctx, reach: Reach) -> AppResult<&langnghe_store::users::User> {
    ctx.require(match reach {
        Reach::Read => Action::Read,
        Reach::Change => Action::EditRegistry,
    })
}

/// The programme a record belongs to, in the caller's reach (404 outside it).
async fn programme_of(
    state: &AppState,
    scope: i64,
    program_id: i64,
    reach: Reach,
) -> AppResult<Program> {
    store::get_reach(&state.db, scope, program_id, scoped::store_reach(reach))
        .await?
        .ok_or(AppError::NotFound)
}

/// An indicator with its programme.
impl InScope for (Program, Indicator) {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, reach: Reach) -> AppResult<Self> {
        let scope = right_for(ctx, reach)?.scope_unit_id;
        let ind = store::indicator(&state.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((
            programme_of(state, scope, ind.program_id, reach).await?,
            ind,
        ))
    }
}

/// A target with its indicator (in the reach of the indicator's programme).
impl InScope for (Indicator, TargetRow) {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, reach: Reach) -> AppResult<Self> {
        let row = store::target(&state.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (_, ind) = <(Program, Indicator)>::load(state, ctx, row.indicator_id, reach).await?;
        Ok((ind, row))
    }
}

/// A task (as the API shows it) with its programme.
impl InScope for (Program, crate::programs::TaskView) {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, reach: Reach) -> AppResult<Self> {
        let scope = right_for(ctx, reach)?.scope_unit_id;
        let task = store::task(&state.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let prog = programme_of(state, scope, task.program_id, reach).await?;
        Ok((prog, crate::programs::task_view(state, task).await?))
    }
}

/// A budget line (in the reach of its programme).
impl InScope for BudgetLine {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, reach: Reach) -> AppResult<Self> {
        let scope = right_for(ctx, reach)?.scope_unit_id;
        let line = store::budget_line(&state.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        programme_of(state, scope, line.program_id, reach).await?;
        Ok(line)
    }
}
