//! The signed-in user's own account: who am I, language, password, API tokens.

use crate::common::{password_error, path_id, ListOf};
use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{Form, Json, Path};
use crate::i18n::{t, Lang};
use crate::users::UserView;
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::access::check_password_policy;
use langnghe_core::text::clean_text;
use langnghe_store::users as store;
use minijinja::context;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
        .route("/account/tokens", get(tokens_page).post(create_token_page))
        .route(
            "/account/tokens/{id}/revoke",
            axum::routing::post(revoke_token_page),
        )
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me, update_me))
        .routes(routes!(my_tokens_api, create_token_api))
        .routes(routes!(revoke_token_api))
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", responses((status = 200, body = UserView), (status = 401)))]
async fn me(ctx: Ctx) -> AppResult<Json<UserView>> {
    Ok(Json(UserView::from(ctx.user()?.clone())))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MePatch {
    /// `vi` or `en`.
    pub lang: Option<String>,
}

/// Change the caller's preferences (language).
#[utoipa::path(patch, path = "/api/v1/me", tag = "accounts", request_body = MePatch,
    responses((status = 200, body = UserView), (status = 401), (status = 422)))]
async fn update_me(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(p): Json<MePatch>,
) -> AppResult<Json<UserView>> {
    let user = ctx.user()?;
    if let Some(l) = &p.lang {
        let lang = Lang::parse(l)
            .ok_or_else(|| AppError::Validation(vec![FieldError::new("lang", "error-lang")]))?;
        store::set_lang(&state.db, &ctx.actor(), user.id, lang.as_str()).await?;
    }
    let fresh = store::get(&state.db, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(UserView::from(fresh)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    /// What the token is for (shown in the list).
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenCreated {
    /// The secret, shown only this once; send it as `Authorization: Bearer …`.
    pub token: String,
}

/// Issue a personal API token for the caller.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "accounts", request_body = TokenRequest,
    responses((status = 201, body = TokenCreated), (status = 401), (status = 422)))]
async fn create_token_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(p): Json<TokenRequest>,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let name = token_name(&p.name)?;
    let token = store::create_token(&state.db, &ctx.actor(), user.id, &name).await?;
    Ok((StatusCode::CREATED, Json(TokenCreated { token })).into_response())
}

/// The caller's API tokens (never their secrets): those that still let in
/// first, newest first.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "accounts",
    responses((status = 200, body = ListOf<store::ApiToken>), (status = 401)))]
async fn my_tokens_api(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<ListOf<store::ApiToken>>> {
    let user = ctx.user()?;
    let items = store::tokens_of(&state.db, user.id).await?;
    let total = items.len() as i64;
    Ok(Json(ListOf { items, total }))
}

/// Revoke one of the caller's API tokens: from the next request on it lets
/// nobody in. The token stays listed with the time it was revoked; revoking
/// it again changes nothing. Another account's token is 404.
#[utoipa::path(post, path = "/api/v1/me/tokens/{id}/revoke", tag = "accounts",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 200, body = store::ApiToken), (status = 401), (status = 404)))]
async fn revoke_token_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<store::ApiToken>> {
    let user = ctx.user()?;
    let id = path_id(&id)?;
    Ok(Json(
        store::revoke_token(&state.db, &ctx.actor(), user.id, id).await?,
    ))
}

async fn revoke_token_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let id = path_id(&id)?;
    let token = store::revoke_token(&state.db, &ctx.actor(), user.id, id).await?;
    ctx::flash(
        &session,
        "success",
        crate::i18n::t_args(ctx.lang, "tokens-revoked", &[("name", token.name)]),
    )
    .await;
    Ok(Redirect::to("/account/tokens").into_response())
}

fn token_name(s: &str) -> AppResult<String> {
    match clean_text(s, 100) {
        Ok(n) if !n.is_empty() => Ok(n),
        _ => Err(AppError::Validation(vec![FieldError::new(
            "name",
            "error-required",
        )])),
    }
}

async fn password_form(
    state: &AppState,
    ctx: &Ctx,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    ctx.user()?;
    let page = context! {
        title => t(ctx.lang, "password-title"),
        errors => crate::views::field_errors(ctx.lang, errors),
    };
    render(state, ctx, "account/password.html", page)
}

async fn password_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    password_form(&state, &ctx, &[]).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let mut errors = vec![];
    if store::authenticate(&state.db, &user.username, &f.current)
        .await?
        .is_none()
    {
        errors.push(FieldError::new("current", "error-password-wrong"));
    }
    if let Err(p) = check_password_policy(&f.new, &user.username, &user.display_name) {
        errors.push(password_error("new", p));
    }
    if f.new != f.confirm {
        errors.push(FieldError::new("confirm", "error-password-mismatch"));
    }
    if !errors.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            password_form(&state, &ctx, &errors).await?,
        )
            .into_response());
    }
    store::set_password(&state.db, &ctx.actor(), user.id, &f.new).await?;
    ctx::flash(&session, "success", t(ctx.lang, "password-changed")).await;
    Ok(Redirect::to("/").into_response())
}

async fn tokens_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let user = ctx.user()?;
    let tokens = store::tokens_of(&state.db, user.id).await?;
    let page = context! { title => t(ctx.lang, "tokens-title"), token => None::<String>, errors => Vec::<String>::new(), tokens => tokens };
    render(&state, &ctx, "account/tokens.html", page)
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

async fn create_token_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let name = match token_name(&f.name) {
        Ok(n) => n,
        Err(AppError::Validation(errs)) => {
            let tokens = store::tokens_of(&state.db, user.id).await?;
            let page = context! {
                title => t(ctx.lang, "tokens-title"),
                token => None::<String>,
                errors => crate::views::field_errors(ctx.lang, &errs),
                tokens => tokens,
            };
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&state, &ctx, "account/tokens.html", page)?,
            )
                .into_response());
        }
        Err(e) => return Err(e),
    };
    let token = store::create_token(&state.db, &ctx.actor(), user.id, &name).await?;
    let tokens = store::tokens_of(&state.db, user.id).await?;
    let page = context! { title => t(ctx.lang, "tokens-title"), token => token, errors => Vec::<String>::new(), tokens => tokens };
    Ok(render(&state, &ctx, "account/tokens.html", page)?.into_response())
}
