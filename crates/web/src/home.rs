//! The start page and the readiness check.

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::i18n::t;
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::access::Action;
use langnghe_store::agencies::{self, AgencyFilter};
use minijinja::context;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/readyz", get(readyz))
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let user = ctx.require(Action::Read)?;
    let (_, agency_count) = agencies::list(
        &state.db,
        user.scope_unit_id,
        &AgencyFilter {
            limit: 1,
            ..AgencyFilter::default()
        },
    )
    .await?;
    let page = context! {
        title => t(ctx.lang, "home-title"),
        agency_count => agency_count,
    };
    render(&state, &ctx, "home.html", page)
}

/// Ready when the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
