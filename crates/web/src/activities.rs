//! Activities that are not applications — training classes (with trainees and
//! employment after training), fair participations, new product designs —
//! recorded against a programme and counted towards their indicator, so the
//! plan's achievement and the reporting cycle's pre-filled values move.

use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, Form, Json, Path};
use crate::i18n::t;
use crate::scoped::{Reach, Scoped};
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::access::Action;
use langnghe_core::text::clean_text;
use langnghe_core::vnfmt;
use langnghe_store::programs::Program;
use langnghe_store::schemes::{self as store, Activity};
use minijinja::context;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new().route("/programs/{id}/activities", get(page).post(create_page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_api, create_api))
}

pub const KINDS: [&str; 4] = ["training", "fair", "design", "other"];

/// An activity as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ActivityPayload {
    /// training, fair, design or other.
    pub kind: String,
    pub title: String,
    /// "12/6/2026".
    pub held_on: String,
    /// Code of the programme indicator it counts towards (optional).
    #[serde(default)]
    pub indicator: Option<String>,
    /// What it counts (1 class, 3 designs…); default 1.
    #[serde(default)]
    pub quantity: Option<String>,
    #[serde(default)]
    pub participants: Option<String>,
    /// Trainees employed after the training.
    #[serde(default)]
    pub employed_after: Option<String>,
    /// "45.000.000".
    #[serde(default)]
    pub cost: Option<String>,
    /// Unit code where it took place (default: the programme's area).
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

async fn create(state: &AppState, ctx: &Ctx, id: &str, p: &ActivityPayload) -> AppResult<i64> {
    ctx.require(Action::EditRegistry)?;
    let program = crate::scoped::load::<Program>(state, ctx, id, Reach::Change).await?;
    let mut errors = vec![];
    if !KINDS.contains(&p.kind.trim()) {
        errors.push(FieldError::new("kind", "error-choice"));
    }
    let title = clean_text(&p.title, 500).unwrap_or_default();
    if title.is_empty() {
        errors.push(FieldError::new("title", "error-required"));
    }
    let held_on = match vnfmt::parse_date(&p.held_on) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new("held_on", "error-date"));
            None
        }
    };
    let inds = langnghe_store::programs::indicators(&state.db, program.id).await?;
    let indicator_id = match non_empty(&p.indicator) {
        None => None,
        Some(code) => match inds.iter().find(|i| i.code == code) {
            Some(i) => Some(i.id),
            None => {
                errors.push(FieldError::new("indicator", "error-choice"));
                None
            }
        },
    };
    let int = |v: &Option<String>, f: &str, errors: &mut Vec<FieldError>| -> Option<i64> {
        let s = non_empty(v)?;
        match vnfmt::parse_int(&s) {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                errors.push(FieldError::new(f, "error-number-plain"));
                None
            }
        }
    };
    let quantity = match non_empty(&p.quantity) {
        None => 1.0,
        Some(s) => match vnfmt::parse_number(&s) {
            Ok(n) if n > 0.0 => n,
            _ => {
                errors.push(FieldError::new("quantity", "error-number-plain"));
                1.0
            }
        },
    };
    let participants = int(&p.participants, "participants", &mut errors);
    let employed_after = int(&p.employed_after, "employed_after", &mut errors);
    if let (Some(a), Some(b)) = (participants, employed_after) {
        if b > a {
            errors.push(FieldError::new(
                "employed_after",
                "activity-employed-too-many",
            ));
        }
    }
    let cost = match non_empty(&p.cost) {
        None => None,
        Some(s) => match vnfmt::parse_money_dong(&s) {
            Ok(v) if v >= 0 => Some(v),
            _ => {
                errors.push(FieldError::new("cost", "error-money").arg("value", s));
                None
            }
        },
    };
    let admin_unit_id = match non_empty(&p.unit) {
        None => program.admin_unit_id,
        Some(code) => {
            match crate::places::field(&state.db, ctx.lang, "unit", &code, None, None).await? {
                Ok(u) => u.id,
                Err(e) => {
                    errors.push(e);
                    program.admin_unit_id
                }
            }
        }
    };
    let Some(held_on) = held_on.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    Ok(store::add_activity(
        &state.db,
        &ctx.actor(),
        &Activity {
            id: 0,
            program_id: program.id,
            indicator_id,
            kind: p.kind.trim().to_string(),
            title,
            held_on,
            admin_unit_id,
            agency_id: Some(ctx.user()?.agency_id),
            quantity,
            participants,
            employed_after,
            cost_dong: cost,
            notes: non_empty(&p.notes),
        },
    )
    .await?)
}

// An activity as the API answers it: a view of web, built from the store's row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Activity)]
pub struct ActivityBody {
    #[serde(default)]
    pub id: i64,
    pub program_id: i64,
    pub indicator_id: Option<i64>,
    /// training, fair, design or other.
    pub kind: String,
    pub title: String,
    pub held_on: time::Date,
    pub admin_unit_id: i64,
    pub agency_id: Option<i64>,
    /// What it counts towards its indicator (1 class, 3 designs…).
    pub quantity: f64,
    pub participants: Option<i64>,
    pub employed_after: Option<i64>,
    pub cost_dong: Option<i64>,
    pub notes: Option<String>,
}

impl From<store::Activity> for ActivityBody {
    fn from(v: store::Activity) -> Self {
        ActivityBody {
            id: v.id,
            program_id: v.program_id,
            indicator_id: v.indicator_id,
            kind: v.kind,
            title: v.title,
            held_on: v.held_on,
            admin_unit_id: v.admin_unit_id,
            agency_id: v.agency_id,
            quantity: v.quantity,
            participants: v.participants,
            employed_after: v.employed_after,
            cost_dong: v.cost_dong,
            notes: v.notes,
        }
    }
}

/// Activities of a programme, newest first.
#[utoipa::path(get, path = "/api/v1/programs/{id}/activities", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, body = crate::common::ListOf<ActivityBody>), (status = 404)))]
async fn list_api(
    State(state): State<AppState>,
    Scoped(program): Scoped<Program>,
) -> AppResult<Json<crate::common::ListOf<ActivityBody>>> {
    let items: Vec<ActivityBody> = store::activities(&state.db, program.id)
        .await?
        .into_iter()
        .map(ActivityBody::from)
        .collect();
    let total = items.len() as i64;
    Ok(Json(crate::common::ListOf { items, total }))
}

/// Record an activity; with an indicator it counts towards it.
#[utoipa::path(post, path = "/api/v1/programs/{id}/activities", tag = "schemes", params(("id" = i64, Path)),
    request_body = ActivityPayload,
    responses((status = 201, description = "`{id}`"), (status = 403), (status = 422)))]
async fn create_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<ActivityPayload>,
) -> AppResult<Response> {
    let aid = create(&state, &ctx, &id, &p).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": aid }))).into_response())
}

async fn view(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    form: &ActivityPayload,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    let program = crate::scoped::load::<Program>(state, ctx, id, Reach::Read).await?;
    let items = store::activities(&state.db, program.id).await?;
    let inds = langnghe_store::programs::indicators(&state.db, program.id).await?;
    render(
        state,
        ctx,
        "schemes/activities.html",
        context! {
            title => t(ctx.lang, "activities-title"),
            p => program,
            items => items,
            indicators => inds,
            kinds => KINDS,
            form => form,
            errors => crate::views::field_errors(ctx.lang, errors),
        },
    )
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    view(
        &state,
        &ctx,
        &id,
        &ActivityPayload {
            kind: "training".into(),
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
    Path(id): Path<String>,
    Form(p): Form<ActivityPayload>,
) -> AppResult<Response> {
    match create(&state, &ctx, &id, &p).await {
        Ok(_) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/programs/{id}/activities")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let h = view(&state, &ctx, &id, &p, &errs).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, h).into_response())
        }
        Err(e) => Err(e),
    }
}
