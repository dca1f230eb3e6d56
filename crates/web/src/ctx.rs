//! The per-request context: who is asking (session or API token), in which
//! language, with which CSRF token. Built once per request by `context`,
//! which also guards state-changing requests against CSRF and renders every
//! error response (see `error.rs`).

use crate::error::AppError;
use crate::i18n::Lang;
use axum::extract::FromRequestParts;
use axum::http::{request::Parts, StatusCode};
use langnghe_core::access::{Action, Role};
use langnghe_store::audit::Actor;
use langnghe_store::users::User;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::Session;

pub const SESSION_USER: &str = "user_id";
pub const SESSION_CSRF: &str = "csrf";
pub const SESSION_LANG: &str = "lang";
pub const SESSION_FLASH: &str = "flash";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: String,
    pub message: String,
}

#[derive(Clone)]
pub struct Ctx {
    pub user: Option<Arc<User>>,
    pub lang: Lang,
    pub csrf: String,
    pub request_id: String,
    pub client_addr: Option<String>,
    pub via_token: bool,
    pub is_api: bool,
    pub path_and_query: String,
    /// The plans' and the registry's revisions, when they were read to let
    /// the caller's token in (before anything else the request reads).
    pub revisions: Option<(i64, i64)>,
    pub flash: Option<Flash>,
    /// A multipart upload whose CSRF token travels in the body: the handler checks it.
    pub csrf_pending: bool,
    /// Unread notifications of the signed-in user (pages only: one COUNT per page view).
    pub unread: i64,
}

impl Ctx {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.as_ref().map(|u| u.id),
            name: self
                .user
                .as_ref()
                .map(|u| u.username.clone())
                .unwrap_or_else(|| "anonymous".into()),
            request_id: Some(self.request_id.clone()),
            client_addr: self.client_addr.clone(),
        }
    }

    /// The logged-in user, or 401 (pages: a redirect to the login form).
    pub fn user(&self) -> Result<&User, AppError> {
        self.user.as_deref().ok_or(AppError::Unauthorized)
    }

    /// The logged-in user, if their role allows `action`; else 403.
    pub fn require(&self, action: Action) -> Result<&User, AppError> {
        let u = self.user()?;
        let role = Role::parse(&u.role).ok_or(AppError::Forbidden)?;
        if role.may(action) {
            Ok(u)
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn may(&self, action: Action) -> bool {
        self.require(action).is_ok()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request context missing".into()))
    }
}

/// `Retry-After` of a 503 when the store was busy.
pub const BUSY_RETRY_SECONDS: i64 = 2;

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|v| v.trim_start_matches("x=").to_string())
        .unwrap_or_default()
}

/// Put a one-time message in the session, shown on the next page.
pub async fn flash(session: &Session, kind: &str, message: String) {
    let f = Flash {
        kind: kind.to_string(),
        message,
    };
    if let Err(e) = session.insert(SESSION_FLASH, f).await {
        tracing::warn!(error = %e, "could not store flash message");
    }
}

/// Only same-site paths may be redirect targets (see `core::auth::safe_next`).
pub fn safe_next(next: Option<&str>) -> String {
    langnghe_core::auth::safe_next(next)
}

pub fn status_of(e: &AppError) -> StatusCode {
    e.status()
}
