//! Accounts (admin only): list, create. Every user belongs to an agency and
//! has an admin-unit scope, which must lie within the creating admin's scope.

use crate::api::ListOf;
use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, page_offset, Form, Json, Query, PAGE_SIZE};
use crate::i18n::t;
use crate::views::{pager, render};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::access::{check_password_policy, parse_username, Action, PasswordProblem, Role};
use langnghe_core::text::clean_text;
use langnghe_store::users::{self as store, NewUser, User, UserFilter};
use langnghe_store::{agencies, geo};
use minijinja::context;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_page).post(create_page))
        .route("/users/new", get(new_page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_api, create_api))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    #[param(ignore)]
    pub page: Option<i64>,
}

/// Accounts whose scope lies within the admin's scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", params(UserQuery),
    responses((status = 200, body = ListOf<User>), (status = 403)))]
async fn list_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UserQuery>,
) -> AppResult<Json<ListOf<User>>> {
    let admin = ctx.require(Action::Administer)?;
    let f = UserFilter {
        q: non_empty(&q.q).map(|s| s.chars().take(100).collect()),
        limit: q.limit.unwrap_or(50).clamp(1, 500),
        offset: q.offset.unwrap_or(0).max(0),
    };
    let (items, total) = store::list(&state.db, admin.scope_unit_id, &f).await?;
    Ok(Json(ListOf { items, total }))
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UserQuery>,
) -> AppResult<Html<String>> {
    let admin = ctx.require(Action::Administer)?;
    let (page, offset) = page_offset(q.page);
    let f = UserFilter {
        q: non_empty(&q.q).map(|s| s.chars().take(100).collect()),
        limit: PAGE_SIZE,
        offset,
    };
    let (items, total) = store::list(&state.db, admin.scope_unit_id, &f).await?;
    let page_ctx = context! {
        title => t(ctx.lang, "users-title"),
        items => items,
        q => q.q.clone().unwrap_or_default(),
        pager => pager(ctx.lang, page, PAGE_SIZE, total),
        query_base => serde_urlencoded::to_string([("q", q.q.as_deref().unwrap_or(""))]).unwrap_or_default(),
    };
    render(&state, &ctx, "users/list.html", page_ctx)
}

/// A new account.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UserPayload {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub password: String,
    /// admin, coordinator, officer, reviewer or viewer.
    pub role: String,
    /// Agency id, or its key.
    pub agency: String,
    /// Official code of the scope unit (`VN` for the whole country).
    pub scope: String,
    /// Date at which the scope code is read; default: today, else the last pre-reform unit.
    #[serde(default)]
    pub scope_as_of: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
    /// E-mail address for reminders (optional).
    #[serde(default)]
    pub email: Option<String>,
}

/// A plausible e-mail address: one `@`, a dot in the domain, no spaces, at most 254 characters.
pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
        && s.matches('@').count() == 1
}

pub fn password_error(field: &str, p: PasswordProblem) -> FieldError {
    match p {
        PasswordProblem::TooShort { min } => {
            FieldError::new(field, "error-password-short").arg("min", min)
        }
        PasswordProblem::TooLong { max } => {
            FieldError::new(field, "error-too-long").arg("max", max)
        }
        PasswordProblem::ContainsUsername => FieldError::new(field, "error-password-username"),
    }
}

/// Validate a new account against the rules and the admin's scope.
pub async fn validate(state: &AppState, admin_scope: i64, p: &UserPayload) -> AppResult<NewUser> {
    let mut errors = vec![];
    let username = parse_username(&p.username);
    if username.is_none() {
        errors.push(FieldError::new("username", "error-username"));
    }
    let display_name = match clean_text(&p.display_name, 200) {
        Ok(s) if s.is_empty() => username.clone().unwrap_or_default(),
        Ok(s) => s,
        Err(_) => {
            errors.push(FieldError::new("display_name", "error-text"));
            String::new()
        }
    };
    if let Err(problem) = check_password_policy(&p.password, username.as_deref().unwrap_or("")) {
        errors.push(password_error("password", problem));
    }
    let role = Role::parse(p.role.trim());
    if role.is_none() {
        errors.push(FieldError::new("role", "error-role"));
    }
    let agency_key = p.agency.trim();
    let agency_id = match agency_key.parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) if agency_key.is_empty() => None,
        Err(_) => {
            agencies::id_by_key(&state.db, &agency_key.chars().take(100).collect::<String>())
                .await?
        }
    };
    let agency_id = match agency_id {
        Some(id) if agencies::get(&state.db, admin_scope, id).await?.is_some() => Some(id),
        _ => {
            errors.push(FieldError::new("agency", "error-unknown-agency"));
            None
        }
    };
    let day = match non_empty(&p.scope_as_of) {
        None => None,
        Some(s) => match langnghe_core::vnfmt::parse_date(&s) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("scope_as_of", "error-date"));
                None
            }
        },
    };
    let code: String = p.scope.trim().chars().take(16).collect();
    let scope = geo::resolve(&state.db, &code, day, crate::geo::today()).await?;
    let scope_id = match scope {
        None => {
            errors.push(FieldError::new("scope", "error-unknown-unit").arg("code", code));
            None
        }
        Some(u) if geo::covers(&state.db, admin_scope, u.id).await? => Some(u.id),
        Some(_) => {
            errors.push(FieldError::new("scope", "error-out-of-scope"));
            None
        }
    };
    let lang = match non_empty(&p.lang) {
        None => "vi".to_string(),
        Some(l) if crate::i18n::Lang::parse(&l).is_some() => l,
        Some(_) => {
            errors.push(FieldError::new("lang", "error-lang"));
            "vi".into()
        }
    };
    let email = match non_empty(&p.email) {
        None => None,
        Some(e) if valid_email(&e) => Some(e),
        Some(_) => {
            errors.push(FieldError::new("email", "error-email"));
            None
        }
    };
    match (username, role, agency_id, scope_id) {
        (Some(username), Some(role), Some(agency_id), Some(scope_unit_id)) if errors.is_empty() => {
            Ok(NewUser {
                username,
                display_name,
                password: p.password.clone(),
                role: role.as_str().to_string(),
                agency_id,
                scope_unit_id,
                lang,
                email,
            })
        }
        _ => Err(AppError::Validation(errors)),
    }
}

/// Create an account (admin only).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = UserPayload,
    responses((status = 201, body = User), (status = 403), (status = 409), (status = 422)))]
async fn create_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(p): Json<UserPayload>,
) -> AppResult<Response> {
    let admin = ctx.require(Action::Administer)?;
    let nu = validate(&state, admin.scope_unit_id, &p).await?;
    let u = store::create(&state.db, &ctx.actor(), &nu).await?;
    Ok((StatusCode::CREATED, Json(u)).into_response())
}

async fn form(
    state: &AppState,
    ctx: &Ctx,
    p: &UserPayload,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    let admin = ctx.require(Action::Administer)?;
    let agencies = agencies::options(&state.db, admin.scope_unit_id).await?;
    let shown = UserPayload {
        password: String::new(),
        ..p.clone()
    };
    let page = context! {
        title => t(ctx.lang, "users-new"),
        p => shown,
        roles => Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        agencies => agencies,
        errors => crate::views::field_errors(ctx.lang, errors),
    };
    render(state, ctx, "users/form.html", page)
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    form(
        &state,
        &ctx,
        &UserPayload {
            role: "officer".into(),
            scope: "VN".into(),
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
    Form(p): Form<UserPayload>,
) -> AppResult<Response> {
    let admin = ctx.require(Action::Administer)?;
    match validate(&state, admin.scope_unit_id, &p).await {
        Ok(nu) => match store::create(&state.db, &ctx.actor(), &nu).await {
            Ok(u) => {
                ctx::flash(
                    &session,
                    "success",
                    crate::i18n::t_args(ctx.lang, "saved-named", &[("name", u.username.clone())]),
                )
                .await;
                Ok(Redirect::to("/users").into_response())
            }
            Err(langnghe_store::StoreError::Conflict(_)) => {
                let errs = vec![FieldError::new("username", "error-username-taken")];
                Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    form(&state, &ctx, &p, &errs).await?,
                )
                    .into_response())
            }
            Err(e) => Err(e.into()),
        },
        Err(AppError::Validation(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form(&state, &ctx, &p, &errs).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}
