//! What the areas share, so that no area imports another: the list envelope of
//! the API, today's date in Vietnam, the `as_of` parameter, file answers, the
//! optional version of an action, newline folding and the password messages.
//! Areas import from here (and from `ctx`, `views`, `error`, `extract`, `places`);
//! the crate root alone assembles the areas (`crate::routes`).

use crate::error::{AppError, AppResult, FieldError};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use langnghe_core::access::PasswordProblem;
use langnghe_core::vnfmt;
use serde::Serialize;
use time::Date;

/// Every list endpoint answers `{"items": […], "total": N}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListOf<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// A record's id as the URL gives it: anything but a whole number is a 404 (the
/// record "does not exist"), never a 400, so ids cannot be probed by their form.
pub fn path_id(raw: &str) -> AppResult<i64> {
    raw.trim().parse().map_err(|_| AppError::NotFound)
}

/// Each item as its view (a store row as the API answers it).
pub fn views<T, V: From<T>>(items: Vec<T>) -> Vec<V> {
    items.into_iter().map(V::from).collect()
}

/// Today in Vietnam (UTC+7): deadlines, validity and "as of" are Vietnamese dates.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc()
        .to_offset(vnfmt::VIETNAM_OFFSET)
        .date()
}

/// Parse an `as_of` value (ISO or Vietnamese); empty means today.
pub fn parse_as_of(v: &Option<String>) -> Result<Date, FieldError> {
    match crate::extract::non_empty(v) {
        None => Ok(today()),
        Some(s) => vnfmt::parse_date(&s).map_err(|_| FieldError::new("as_of", "error-date")),
    }
}

/// The media type of an XLSX file.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download: its media type, and its name both in ASCII and in UTF-8
/// (RFC 6266), so "Báo cáo tổng hợp.pdf" keeps its Vietnamese name.
pub fn file_response(bytes: impl Into<axum::body::Bytes>, ctype: &str, name: &str) -> Response {
    let bytes: axum::body::Bytes = bytes.into();
    let mut res = bytes.into_response();
    if let Ok(v) = HeaderValue::from_str(ctype) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = crate::ctx::urlencode(name).replace('+', "%20");
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    )) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The version an action names, if it names one (`version` in the body and/or
/// `If-Match`): actions are guarded by their state machine, and a version,
/// when given, must be the current one.
pub fn optional_version(body: Option<i64>, headers: &HeaderMap) -> AppResult<Option<i64>> {
    match crate::version::expected(body, headers) {
        Ok(v) => Ok(Some(v)),
        Err(AppError::VersionRequired) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Browsers post a textarea's lines with CRLF; the stored text has LF.
pub fn unix_newlines(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::String(s) => serde_json::Value::String(s.replace("\r\n", "\n")),
        serde_json::Value::Object(m) => {
            serde_json::Value::Object(m.into_iter().map(|(k, v)| (k, unix_newlines(v))).collect())
        }
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(unix_newlines).collect())
        }
        other => other,
    }
}

/// The message of a password that the rules refuse, on `field`.
pub fn password_error(field: &str, p: PasswordProblem) -> FieldError {
    match p {
        PasswordProblem::TooShort { min } => {
            FieldError::new(field, "error-password-short").arg("min", min)
        }
        PasswordProblem::TooLong { max } => {
            FieldError::new(field, "error-too-long").arg("max", max)
        }
        PasswordProblem::ContainsUsername => FieldError::new(field, "error-password-username"),
        PasswordProblem::Blank => FieldError::new(field, "error-password-blank"),
        PasswordProblem::Common => FieldError::new(field, "error-password-common"),
        PasswordProblem::Guessable => FieldError::new(field, "error-password-guessable"),
    }
}

/// The answer to a form that saved: a "saved" flash naming the record, in the
/// reader's language, and a redirect (303) to where the record is shown.
pub async fn saved(
    session: &tower_sessions::Session,
    lang: crate::i18n::Lang,
    name: &str,
    to: &str,
) -> Response {
    crate::ctx::flash(
        session,
        "success",
        crate::i18n::t_args(lang, "saved-named", &[("name", name.to_string())]),
    )
    .await;
    axum::response::Redirect::to(to).into_response()
}

/// The answer to a form sent back: the page again, with what was typed and the
/// errors, under `status` (422 for bad input, 409 for a stale page or a refusal).
pub fn sent_back(status: axum::http::StatusCode, html: axum::response::Html<String>) -> Response {
    (status, html).into_response()
}

/// A page's filter when it is valid, else `fallback` with the errors to show
/// beside the fields: a wrong filter shows the page again, never a bare error.
pub fn or_fallback<T>(
    parsed: AppResult<T>,
    fallback: impl FnOnce() -> T,
) -> AppResult<(T, Vec<FieldError>)> {
    match parsed {
        Ok(v) => Ok((v, vec![])),
        Err(AppError::Validation(errs)) => Ok((fallback(), errs)),
        Err(e) => Err(e),
    }
}
