//! Accounts (admin only): list, create. Every user belongs to an agency and
//! has an admin-unit scope, which must lie within the creating admin's scope.

use crate::common::{password_error, saved, sent_back, ListOf};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, page_offset, Form, Json, Query, PAGE_SIZE};
use crate::i18n::t;
use crate::scoped::{InScope, Reach, Scoped};
use crate::version;
use crate::views::{pager, render};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::access::{check_password_policy, parse_username, Action, Role};
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
        .route("/users/{id}/edit", get(edit_page).post(update_page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api, create_api))
        .routes(routes!(get_api, update_api))
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

// An account as the API answers it (never its password hash or its scope's
// internal id): the body is this view, not the store's row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = User)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub agency_id: i64,
    pub agency_name: String,
    pub scope_code: String,
    pub scope_name: String,
    pub lang: String,
    pub email: Option<String>,
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    /// Changes name it (`version` or `If-Match`); every write of the account bumps it.
    pub version: i64,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            agency_id: u.agency_id,
            agency_name: u.agency_name,
            scope_code: u.scope_code,
            scope_name: u.scope_name,
            lang: u.lang,
            email: u.email,
            active: u.active,
            created_at: u.created_at,
            version: u.version,
        }
    }
}

/// Accounts whose scope lies within the admin's scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", params(UserQuery),
    responses((status = 200, body = ListOf<UserView>), (status = 403)))]
async fn list_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UserQuery>,
) -> AppResult<Json<ListOf<UserView>>> {
    let admin = ctx.require(Action::Administer)?;
    let f = UserFilter {
        q: non_empty(&q.q).map(|s| s.chars().take(100).collect()),
        limit: crate::extract::api_limit(q.limit),
        offset: crate::extract::api_offset(q.offset),
    };
    let (items, total) = store::list(&state.db, admin.scope_unit_id, &f).await?;
    let items = items.into_iter().map(UserView::from).collect();
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

/// The fields a new account and a change share, checked.
struct Common {
    display_name: String,
    role: Option<Role>,
    agency_id: Option<i64>,
    scope_id: Option<i64>,
    lang: String,
    email: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn validate_common(
    state: &AppState,
    admin_scope: i64,
    display_name: &str,
    role: &str,
    agency: &str,
    scope: &str,
    scope_as_of: &Option<String>,
    lang: &Option<String>,
    email: &Option<String>,
    fallback_name: &str,
    errors: &mut Vec<FieldError>,
) -> AppResult<Common> {
    let display_name = match clean_text(display_name, 200) {
        Ok(s) if s.is_empty() => fallback_name.to_string(),
        Ok(s) => s,
        Err(_) => {
            errors.push(FieldError::new("display_name", "error-text"));
            String::new()
        }
    };
    let role = Role::parse(role.trim());
    if role.is_none() {
        errors.push(FieldError::new("role", "error-role"));
    }
    let agency_key = agency.trim();
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
    let day = match non_empty(scope_as_of) {
        None => None,
        Some(s) => match langnghe_core::vnfmt::parse_date(&s) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("scope_as_of", "error-date"));
                None
            }
        },
    };
    // A code or a name ("Bát Xát", "Y Tý, Lào Cai").
    let unit =
        crate::places::field(&state.db, crate::i18n::Lang::Vi, "scope", scope, None, day).await?;
    let scope_id = match unit {
        Err(e) => {
            errors.push(e);
            None
        }
        Ok(u) if geo::covers(&state.db, admin_scope, u.id).await? => Some(u.id),
        Ok(_) => {
            errors.push(FieldError::new("scope", "error-out-of-scope"));
            None
        }
    };
    let lang = match non_empty(lang) {
        None => "vi".to_string(),
        Some(l) if crate::i18n::Lang::parse(&l).is_some() => l,
        Some(_) => {
            errors.push(FieldError::new("lang", "error-lang"));
            "vi".into()
        }
    };
    let email = match non_empty(email) {
        None => None,
        Some(e) if valid_email(&e) => Some(e),
        Some(_) => {
            errors.push(FieldError::new("email", "error-email"));
            None
        }
    };
    Ok(Common {
        display_name,
        role,
        agency_id,
        scope_id,
        lang,
        email,
    })
}

/// Validate a new account against the rules and the admin's scope.
pub async fn validate(state: &AppState, admin_scope: i64, p: &UserPayload) -> AppResult<NewUser> {
    let mut errors = vec![];
    let username = parse_username(&p.username);
    if username.is_none() {
        errors.push(FieldError::new("username", "error-username"));
    }
    let c = validate_common(
        state,
        admin_scope,
        &p.display_name,
        &p.role,
        &p.agency,
        &p.scope,
        &p.scope_as_of,
        &p.lang,
        &p.email,
        username.as_deref().unwrap_or_default(),
        &mut errors,
    )
    .await?;
    if let Err(problem) = check_password_policy(
        &p.password,
        username.as_deref().unwrap_or(""),
        &c.display_name,
    ) {
        errors.push(password_error("password", problem));
    }
    match (username, c.role, c.agency_id, c.scope_id) {
        (Some(username), Some(role), Some(agency_id), Some(scope_unit_id)) if errors.is_empty() => {
            Ok(NewUser {
                username,
                display_name: c.display_name,
                password: p.password.clone(),
                role: role.as_str().to_string(),
                agency_id,
                scope_unit_id,
                lang: c.lang,
                email: c.email,
            })
        }
        _ => Err(AppError::Validation(errors)),
    }
}

/// Create an account (admin only).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = UserPayload,
    responses((status = 201, body = UserView), (status = 403), (status = 409), (status = 422)))]
async fn create_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(p): Json<UserPayload>,
) -> AppResult<Response> {
    let admin = ctx.require(Action::Administer)?;
    let nu = validate(&state, admin.scope_unit_id, &p).await?;
    let u = store::create(&state.db, &ctx.actor(), &nu).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(u))).into_response())
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
            Ok(u) => Ok(saved(&session, ctx.lang, &u.username, "/users").await),
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

/// A change of an account (admin only). Fields as for a new account, without
/// the username (it never changes); `password` sets a new one when not empty.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UserUpdate {
    #[serde(default)]
    pub display_name: String,
    /// admin, coordinator, officer, reviewer or viewer.
    pub role: String,
    /// Agency id, or its key.
    pub agency: String,
    /// Official code of the scope unit (`VN` for the whole country).
    pub scope: String,
    #[serde(default)]
    pub scope_as_of: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// false locks the account (no login, its tokens stop working). Absent: unchanged.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub active: Option<bool>,
    /// A new password; absent or empty keeps the current one.
    #[serde(default, skip_serializing)]
    pub password: Option<String>,
    /// The version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    pub version: Option<i64>,
}

/// A checkbox (`on`, `1`, `true`) or a JSON boolean; anything else is not ticked.
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v: Option<serde_json::Value> = Option::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Bool(b)) => Some(b),
        Some(serde_json::Value::String(s)) => Some(matches!(s.trim(), "1" | "on" | "true")),
        Some(serde_json::Value::Number(n)) => Some(n.as_i64() == Some(1)),
        Some(_) => Some(false),
    })
}

/// An account inside the admin's scope, or 404 (only administrators reach accounts).
impl InScope for User {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, _reach: Reach) -> AppResult<Self> {
        let admin = ctx.require(Action::Administer)?;
        let u = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
        if !geo::covers(&state.db, admin.scope_unit_id, u.scope_unit_id).await? {
            return Err(AppError::NotFound);
        }
        Ok(u)
    }
}

/// Check a change; `page` says the form sent it (an unticked `active` is absent there).
async fn validate_update(
    state: &AppState,
    ctx: &Ctx,
    target: &User,
    p: &UserUpdate,
    page: bool,
) -> AppResult<store::UserChange> {
    let admin = ctx.require(Action::Administer)?;
    let mut errors = vec![];
    let c = validate_common(
        state,
        admin.scope_unit_id,
        &p.display_name,
        &p.role,
        &p.agency,
        &p.scope,
        &p.scope_as_of,
        &p.lang,
        &p.email,
        &target.username,
        &mut errors,
    )
    .await?;
    let active = match p.active {
        Some(a) => a,
        None if page => false,
        None => target.active,
    };
    let password = non_empty(&p.password.clone()).map(|_| p.password.clone().unwrap_or_default());
    if let Some(pw) = &password {
        if let Err(problem) = check_password_policy(pw, &target.username, &c.display_name) {
            errors.push(password_error("password", problem));
        }
    }
    if target.id == admin.id && (c.role != Some(Role::Admin) || !active) {
        let field = if active { "role" } else { "active" };
        errors.push(FieldError::new(field, "error-self-lockout"));
    }
    match (c.role, c.agency_id, c.scope_id) {
        (Some(role), Some(agency_id), Some(scope_unit_id)) if errors.is_empty() => {
            Ok(store::UserChange {
                display_name: c.display_name,
                role: role.as_str().to_string(),
                agency_id,
                scope_unit_id,
                lang: c.lang,
                email: c.email,
                active,
                password,
            })
        }
        _ => Err(AppError::Validation(errors)),
    }
}

/// Store a change; a stale version answers 409 with the account as stored now.
async fn save(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    expected: i64,
    ch: &store::UserChange,
) -> AppResult<User> {
    match store::update(&state.db, &ctx.actor(), id, Some(expected), ch).await {
        Err(langnghe_store::StoreError::Stale { .. }) => {
            let current = User::load(state, ctx, id, Reach::Read).await?;
            Err(version::stale(&UserView::from(current)))
        }
        other => Ok(other?),
    }
}

/// One account (admin only, inside the admin's scope); its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = UserView, headers(("ETag" = String, description = "the version, quoted"))), (status = 401), (status = 403), (status = 404)))]
async fn get_api(Scoped(u): Scoped<User>) -> AppResult<Response> {
    Ok(version::with_etag(u.version, UserView::from(u)))
}

/// Change an account (admin only). Name the version read (`version` or
/// `If-Match`): without one 428, stale 409 with the stored account.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = UserUpdate,
    responses((status = 200, body = UserView, headers(("ETag" = String, description = "the new version, quoted"))), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "stale version: `error.current` is the stored account"),
        (status = 422), (status = 428, description = "no version given")))]
async fn update_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(target): Scoped<User>,
    headers: HeaderMap,
    Json(p): Json<UserUpdate>,
) -> AppResult<Response> {
    let expected = version::expected(p.version, &headers)?;
    let ch = validate_update(&state, &ctx, &target, &p, false).await?;
    let u = save(&state, &ctx, target.id, expected, &ch).await?;
    Ok(version::with_etag(u.version, UserView::from(u)))
}

/// What the edit form shows for a stored account.
async fn update_of(state: &AppState, u: &User) -> AppResult<UserUpdate> {
    let unit = geo::by_id(&state.db, u.scope_unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(UserUpdate {
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        agency: u.agency_id.to_string(),
        scope: u.scope_code.clone(),
        scope_as_of: unit.valid_to.or(unit.valid_from).map(|d| d.to_string()),
        lang: Some(u.lang.clone()),
        email: u.email.clone(),
        active: Some(u.active),
        password: None,
        version: Some(u.version),
    })
}

async fn edit_form(
    state: &AppState,
    ctx: &Ctx,
    target: &User,
    p: &UserUpdate,
    errors: &[FieldError],
    conflict: Option<Vec<crate::views::ConflictRow>>,
) -> AppResult<Html<String>> {
    let admin = ctx.require(Action::Administer)?;
    let agencies = agencies::options(&state.db, admin.scope_unit_id).await?;
    let page = context! {
        title => t(ctx.lang, "users-edit"),
        target => target,
        p => UserUpdate { password: None, ..p.clone() },
        roles => Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        agencies => agencies,
        errors => crate::views::field_errors(ctx.lang, errors),
        conflict => conflict,
    };
    render(state, ctx, "users/edit.html", page)
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(target): Scoped<User>,
) -> AppResult<Html<String>> {
    let p = update_of(&state, &target).await?;
    edit_form(&state, &ctx, &target, &p, &[], None).await
}

async fn update_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Scoped(target): Scoped<User>,
    Form(p): Form<UserUpdate>,
) -> AppResult<Response> {
    let expected = version::from_form(p.version.map(|v| v.to_string()).as_deref())?;
    let ch = match validate_update(&state, &ctx, &target, &p, true).await {
        Ok(ch) => ch,
        Err(AppError::Validation(errs)) => {
            let html = edit_form(&state, &ctx, &target, &p, &errs, None).await?;
            return Ok(sent_back(StatusCode::UNPROCESSABLE_ENTITY, html));
        }
        Err(e) => return Err(e),
    };
    match save(&state, &ctx, target.id, expected, &ch).await {
        Ok(u) => Ok(saved(&session, ctx.lang, &u.username, "/users").await),
        Err(AppError::Stale { .. }) => {
            // Keep what was typed (not the password); show it beside what is stored,
            // with the stored version, so saving again overwrites deliberately.
            let stored = User::load(&state, &ctx, target.id, Reach::Read).await?;
            let stored_p = update_of(&state, &stored).await?;
            let mut mine = p.clone();
            mine.active = Some(p.active.unwrap_or(false));
            let admin = ctx.require(Action::Administer)?;
            let names = agencies::options(&state.db, admin.scope_unit_id).await?;
            let rows = crate::views::conflict_rows(
                &[
                    "display_name",
                    "role",
                    "agency",
                    "scope",
                    "lang",
                    "email",
                    "active",
                ],
                &shown(ctx.lang, &names, &mine),
                &shown(ctx.lang, &names, &stored_p),
                |f| field_label(ctx.lang, f),
            );
            mine.version = Some(stored.version);
            let html = edit_form(&state, &ctx, &stored, &mine, &[], Some(rows)).await?;
            Ok((StatusCode::CONFLICT, html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// A change as a person reads it (for the conflict table): role, agency,
/// language and state by their names, not their codes.
fn shown(lang: crate::i18n::Lang, agencies: &[(i64, String)], u: &UserUpdate) -> serde_json::Value {
    let agency = agencies
        .iter()
        .find(|(id, _)| id.to_string() == u.agency.trim())
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| u.agency.clone());
    let role = match Role::parse(u.role.trim()) {
        Some(r) => t(lang, &format!("role-{}", r.as_str())),
        None => u.role.clone(),
    };
    let language = match u.lang.as_deref() {
        Some("en") => "English".to_string(),
        Some("vi") | None => "Tiếng Việt".to_string(),
        Some(other) => other.to_string(),
    };
    let active = t(
        lang,
        if u.active.unwrap_or(false) {
            "user-active"
        } else {
            "user-inactive"
        },
    );
    serde_json::json!({
        "display_name": u.display_name,
        "role": role,
        "agency": agency,
        "scope": u.scope,
        "lang": language,
        "email": u.email.clone().unwrap_or_default(),
        "active": active,
    })
}

/// The label of an account form field (for the conflict table).
fn field_label(lang: crate::i18n::Lang, field: &str) -> String {
    let key = match field {
        "display_name" => "user-display-name",
        "role" => "user-role",
        "agency" => "user-agency",
        "scope" => "scope",
        "lang" => "user-lang",
        "email" => "user-email",
        _ => "user-active",
    };
    t(lang, key)
}
