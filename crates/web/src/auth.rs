//! Login, logout and the language switch.

use crate::ctx::{self, Ctx, SESSION_LANG, SESSION_USER};
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Query};
use crate::i18n::{t, Lang};
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use langnghe_core::throttle;
use langnghe_store::audit::{AuditAction, AuditEntity};
use langnghe_store::users;
use minijinja::context;
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang", post(switch_lang))
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

async fn login_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&ctx::safe_next(q.next.as_deref())).into_response());
    }
    let page = context! {
        title => t(ctx.lang, "login-title"),
        next => ctx::safe_next(q.next.as_deref()),
        username => "",
        error => None::<String>,
    };
    Ok(render(&state, &ctx, "login.html", page)?.into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// The pair a failed login slows down: the username as typed (folded) and the
/// client's address ("-" when unknown).
fn pair(username: &str, ctx: &Ctx) -> (String, String) {
    (
        username.chars().take(64).collect(),
        ctx.client_addr.clone().unwrap_or_else(|| "-".into()),
    )
}

fn wait_for(state: &AppState, key: &(String, String), now: OffsetDateTime) -> i64 {
    let Ok(map) = state.login_failures.lock() else {
        return 0;
    };
    throttle::wait_seconds(state.config.login_throttle, map.get(key), now)
}

/// Most pairs remembered; past that, the ones that no longer slow anyone go.
const FAILURES_MAX: usize = 100_000;

fn record_failure(state: &AppState, key: (String, String), now: OffsetDateTime) {
    let policy = state.config.login_throttle;
    if let Ok(mut map) = state.login_failures.lock() {
        let next = throttle::record_failure(policy, map.get(&key).copied(), now);
        map.insert(key, next);
        if map.len() > FAILURES_MAX {
            map.retain(|_, f| !throttle::expired(policy, f, now));
        }
    }
}

/// The login form again, with what was typed, an error and its status.
fn login_again(
    state: &AppState,
    ctx: &Ctx,
    form: &LoginForm,
    next: &str,
    error: String,
    status: axum::http::StatusCode,
) -> AppResult<Response> {
    let page = context! {
        title => t(ctx.lang, "login-title"),
        next => next,
        username => form.username.chars().take(64).collect::<String>(),
        error => error,
    };
    let html: Html<String> = render(state, ctx, "login.html", page)?;
    Ok((status, html).into_response())
}

/// One audit row of a session event, in its own write.
async fn audit_session(
    state: &AppState,
    actor: &langnghe_store::audit::Actor,
    action: AuditAction,
    id: impl ToString,
) -> AppResult<()> {
    let mut w = state.db.write(actor).await?;
    w.audit::<(), ()>(action, AuditEntity::Session, id, None, None)
        .await?;
    w.commit().await?;
    Ok(())
}

/// The signed-in user's session: a new id (no fixation) holding the user; the
/// CSRF token and language stay.
async fn start_session(session: &Session, user_id: i64) -> AppResult<()> {
    session
        .cycle_id()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    session
        .insert(SESSION_USER, user_id)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The login form again while this pair is held back, with `Retry-After`.
fn held_back(
    state: &AppState,
    ctx: &Ctx,
    form: &LoginForm,
    next: &str,
    wait: i64,
) -> AppResult<Response> {
    let err = AppError::TooManyAttempts { wait_seconds: wait };
    let status = axum::http::StatusCode::TOO_MANY_REQUESTS;
    let mut res = login_again(state, ctx, form, next, err.message(ctx.lang), status)?;
    if let Ok(v) = axum::http::HeaderValue::from_str(&wait.to_string()) {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    Ok(res)
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let username = form.username.trim().to_lowercase();
    let next = ctx::safe_next(form.next.as_deref());
    let now = OffsetDateTime::now_utc();
    // Failures slow down this (username, client) pair only: the same account from
    // another client, or another account from this one, is not held up.
    let key = pair(&username, &ctx);
    let wait = wait_for(&state, &key, now);
    if wait > 0 {
        return held_back(&state, &ctx, &form, &next, wait);
    }
    let user = if username.len() > 64 || form.password.len() > 1024 {
        None
    } else {
        users::authenticate(&state.db, &username, &form.password).await?
    };
    let Some(user) = user else {
        record_failure(&state, key, now);
        let mut actor = ctx.actor();
        actor.name = username.chars().take(64).collect();
        audit_session(&state, &actor, AuditAction::LoginFailed, "-").await?;
        let status = axum::http::StatusCode::UNAUTHORIZED;
        return login_again(
            &state,
            &ctx,
            &form,
            &next,
            t(ctx.lang, "login-failed"),
            status,
        );
    };
    if let Ok(mut map) = state.login_failures.lock() {
        map.remove(&key);
    }
    start_session(&session, user.id).await?;
    let mut actor = ctx.actor();
    actor.user_id = Some(user.id);
    actor.name = user.username.clone();
    audit_session(&state, &actor, AuditAction::Login, user.id).await?;
    // The home page greets by name itself; a second greeting in a flash above it
    // read twice. Other destinations (a deep link) still get the welcome.
    if next != "/" {
        let lang = Lang::parse(&user.lang).unwrap_or_default();
        let hello = crate::i18n::t_args(lang, "login-welcome", &[("name", user.display_name)]);
        ctx::flash(&session, "success", hello).await;
    }
    Ok(Redirect::to(&next).into_response())
}

async fn logout(State(state): State<AppState>, ctx: Ctx, session: Session) -> AppResult<Response> {
    if let Some(user) = &ctx.user {
        audit_session(&state, &ctx.actor(), AuditAction::Logout, user.id).await?;
    }
    session
        .flush()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to("/login").into_response())
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
}

async fn switch_lang(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<LangForm>,
) -> AppResult<Response> {
    let lang = Lang::parse(&form.lang).ok_or_else(|| AppError::bad("error-lang"))?;
    if let Some(user) = &ctx.user {
        users::set_lang(&state.db, &ctx.actor(), user.id, lang.as_str()).await?;
    }
    session
        .insert(SESSION_LANG, lang.as_str())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // Back to the page the switch was on (same site only).
    let back = headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()));
    Ok(Redirect::to(&ctx::safe_next(back.as_deref())).into_response())
}
