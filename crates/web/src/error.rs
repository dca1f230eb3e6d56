//! One error type for the web layer, mapped to HTTP once.
//!
//! Handlers return `AppError`; its `IntoResponse` only records the error in the
//! response extensions. The `render_errors` middleware, which knows the
//! request's language and whether it is an API call, writes the body: JSON
//! under `/api/`, an HTML page elsewhere. Responses that axum or tower produce
//! on their own (unknown route, wrong method, body too large) are caught there too.

use crate::i18n::{t, t_args, Lang};
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use langnghe_store::StoreError;
use serde::Serialize;
use std::sync::Arc;

/// A field-level problem: which field, and the message key (with args) that explains it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldError {
    pub field: String,
    pub key: String,
    #[serde(skip)]
    pub args: Vec<(String, String)>,
    /// Arguments whose value is itself a message key, translated when the
    /// message is rendered (a state name, a field label).
    #[serde(skip)]
    pub key_args: Vec<(String, String)>,
}

impl FieldError {
    pub fn new(field: &str, key: &str) -> FieldError {
        FieldError {
            field: field.to_string(),
            key: key.to_string(),
            args: vec![],
            key_args: vec![],
        }
    }
    /// An argument that is a message key, rendered in the reader's language.
    pub fn arg_key(mut self, k: &str, key: &str) -> FieldError {
        self.key_args.push((k.to_string(), key.to_string()));
        self
    }
    pub fn arg(mut self, k: &str, v: impl ToString) -> FieldError {
        self.args.push((k.to_string(), v.to_string()));
        self
    }
    pub fn message(&self, lang: Lang) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .chain(self.key_args.iter().map(|(k, v)| (k.as_str(), t(lang, v))))
            .collect();
        t_args(lang, &self.key, &args)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not logged in")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("bad request: {key}")]
    BadRequest { key: String, detail: Option<String> },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A value that must be unique is already used: `field` names the form
    /// field (and JSON member) that holds it.
    #[error("duplicate: {field}")]
    Duplicate { field: String },
    /// The record changed since the caller read it; `current` is how it is stored now
    /// (sent back so the caller can compare and decide).
    #[error("stale version")]
    Stale { current: Box<serde_json::Value> },
    /// The record's state does not allow the action now (its state machine
    /// refused, perhaps because someone else acted first); the field error
    /// says why in the person's words.
    #[error("refused: {}", .0.key)]
    Refused(FieldError),
    /// A change to a versioned record that names no version (`version` or `If-Match`).
    #[error("version required")]
    VersionRequired,
    /// The store could not take the write lock in time; try again shortly.
    #[error("store busy: {0}")]
    Busy(String),
    #[error("csrf check failed")]
    Csrf,
    #[error("body too large")]
    TooLarge,
    #[error("unsupported content type")]
    UnsupportedMediaType,
    #[error("too many attempts")]
    TooManyAttempts { wait_seconds: i64 },
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn bad(key: &str) -> AppError {
        AppError::BadRequest {
            key: key.to_string(),
            detail: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Duplicate { .. } | AppError::Stale { .. } | AppError::Refused(_) => {
                StatusCode::CONFLICT
            }
            AppError::VersionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::BadRequest { .. } => "bad_request",
            AppError::Validation(_) => "validation",
            AppError::Duplicate { .. } => "conflict",
            AppError::Stale { .. } => "stale_version",
            AppError::Refused(_) => "refused",
            AppError::VersionRequired => "version_required",
            AppError::Busy(_) => "busy",
            AppError::Csrf => "csrf",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::TooLarge => "too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message a person reads, in their language. Internal details never show.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::Unauthorized => t(lang, "error-unauthorized"),
            AppError::Forbidden => t(lang, "error-forbidden"),
            AppError::NotFound => t(lang, "error-not-found"),
            AppError::BadRequest { key, detail } => match detail {
                Some(d) => format!("{} ({d})", t(lang, key)),
                None => t(lang, key),
            },
            AppError::Validation(_) => t(lang, "error-validation"),
            AppError::Duplicate { field } => {
                let label_key = format!("field-{field}");
                let label = t(lang, &label_key);
                if label == label_key {
                    t(lang, "error-duplicate")
                } else {
                    t_args(lang, "error-conflict", &[("what", label.to_lowercase())])
                }
            }
            AppError::Stale { .. } => t(lang, "error-stale"),
            AppError::Refused(e) => e.message(lang),
            AppError::VersionRequired => t(lang, "error-version-required"),
            AppError::Busy(_) => t(lang, "error-busy"),
            AppError::Csrf => t(lang, "error-csrf"),
            AppError::TooManyAttempts { wait_seconds } => t_args(
                lang,
                "error-too-many-attempts-seconds",
                &[("seconds", (*wait_seconds).max(1).to_string())],
            ),
            AppError::TooLarge => t(lang, "error-too-large"),
            AppError::UnsupportedMediaType => t(lang, "error-content-type"),
            AppError::Internal(_) => t(lang, "error-internal"),
        }
    }

    /// The field errors this error carries, if any: a form shows them beside
    /// their fields and the API lists them under `error.fields`.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            AppError::Validation(f) => f.clone(),
            AppError::Duplicate { field } => vec![FieldError::new(field, "error-duplicate")],
            AppError::Refused(f) => vec![f.clone()],
            _ => vec![],
        }
    }

    /// The message key behind `message` (stable across languages), for the API body.
    pub fn key(&self) -> String {
        match self {
            AppError::Unauthorized => "error-unauthorized".into(),
            AppError::Forbidden => "error-forbidden".into(),
            AppError::NotFound => "error-not-found".into(),
            AppError::BadRequest { key, .. } => key.clone(),
            AppError::Validation(_) => "error-validation".into(),
            AppError::Duplicate { field } => {
                let label_key = format!("field-{field}");
                if t(Lang::Vi, &label_key) == label_key {
                    "error-duplicate".into()
                } else {
                    "error-conflict".into()
                }
            }
            AppError::Stale { .. } => "error-stale".into(),
            AppError::Refused(e) => e.key.clone(),
            AppError::VersionRequired => "error-version-required".into(),
            AppError::Busy(_) => "error-busy".into(),
            AppError::Csrf => "error-csrf".into(),
            AppError::TooManyAttempts { .. } => "error-too-many-attempts-seconds".into(),
            AppError::TooLarge => "error-too-large".into(),
            AppError::UnsupportedMediaType => "error-content-type".into(),
            AppError::Internal(_) => "error-internal".into(),
        }
    }

    /// Error for a status that axum/tower produced without an `AppError`.
    pub fn from_status(status: StatusCode) -> AppError {
        match status {
            StatusCode::NOT_FOUND => AppError::NotFound,
            StatusCode::UNAUTHORIZED => AppError::Unauthorized,
            StatusCode::FORBIDDEN => AppError::Forbidden,
            StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
            StatusCode::METHOD_NOT_ALLOWED => AppError::bad("error-method"),
            StatusCode::SERVICE_UNAVAILABLE => AppError::Busy(status.to_string()),
            StatusCode::REQUEST_TIMEOUT => AppError::bad("error-timeout"),
            s if s.is_server_error() => AppError::Internal(s.to_string()),
            _ => AppError::bad("error-bad-request"),
        }
    }
}

/// The JSON body of an API error: a stable `code`, the message key and the
/// message in the request's language, and `fields` (`field`, `key`, `message`)
/// for the errors that concern fields (validation, duplicate, refusal).
pub fn api_body(err: &AppError, lang: Lang, request_id: &str) -> serde_json::Value {
    let fields: Vec<serde_json::Value> = err
        .field_errors()
        .iter()
        .map(|e| serde_json::json!({"field": e.field, "key": e.key, "message": e.message(lang)}))
        .collect();
    let mut body = serde_json::json!({
        "error": {
            "code": err.code(),
            "key": err.key(),
            "message": err.message(lang),
            "fields": fields,
            "request_id": request_id,
        }
    });
    if let AppError::Stale { current } = err {
        body["error"]["current"] = (**current).clone();
    }
    body
}

/// The recorded error, picked up by `render_errors`.
#[derive(Clone)]
pub struct RecordedError(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(detail) => tracing::error!(%detail, "internal error"),
            AppError::Busy(detail) => tracing::warn!(%detail, "store busy: answered 503"),
            _ => {}
        }
        let mut res = self.status().into_response();
        res.extensions_mut().insert(RecordedError(Arc::new(self)));
        res
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        if let StoreError::Db(err) = &e {
            if langnghe_store::is_busy(err) {
                return AppError::Busy(err.to_string());
            }
        }
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(field) => AppError::Duplicate { field },
            StoreError::StateChanged => {
                AppError::Refused(FieldError::new("state", "error-state-changed"))
            }
            StoreError::Busy(detail) => AppError::Busy(detail),
            // The caller reloads the record to send it back (see `version::stale`).
            StoreError::Stale { current } => AppError::Stale {
                current: Box::new(serde_json::json!({ "version": current })),
            },
            StoreError::Invalid(msg) => AppError::BadRequest {
                key: "error-bad-request".into(),
                detail: Some(msg),
            },
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
            JsonRejection::BytesRejection(_) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::TooLarge
            }
            other => AppError::BadRequest {
                key: "error-json".into(),
                detail: Some(short_detail(&other.body_text())),
            },
        }
    }
}

impl From<FormRejection> for AppError {
    fn from(r: FormRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return AppError::TooLarge;
        }
        if r.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            return AppError::UnsupportedMediaType;
        }
        AppError::BadRequest {
            key: "error-form".into(),
            detail: Some(short_detail(&r.body_text())),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::BadRequest {
            key: "error-query".into(),
            detail: Some(short_detail(&r.body_text())),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound
    }
}

/// Keep rejection details short and free of markup.
fn short_detail(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control()).take(200).collect();
    s
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod snapshots;
