//! Versions of editable records over HTTP: no lost update.
//!
//! - A GET of a versioned record answers its `version` in the body and as an
//!   `ETag` (`"7"`).
//! - A change names the version it was based on: `"version": 7` in the body, or
//!   `If-Match: "7"` (both may be sent; they must agree). The API refuses a
//!   change without one (428 `version_required`): silently overwriting someone
//!   else's change is what this prevents, so it is not a default.
//! - A stale version answers 409 `stale_version` with the stored record in
//!   `error.current`; a page shows "Bạn nhập / Đã lưu" and keeps what was typed.

use crate::error::{AppError, AppResult, FieldError};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The version in an `If-Match` header: `"7"`, `W/"7"` or `7`. `*` means "any"
/// and gives `None`, like no header.
pub fn if_match(headers: &HeaderMap) -> AppResult<Option<i64>> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let raw = v
        .to_str()
        .map_err(|_| AppError::Validation(vec![FieldError::new("If-Match", "error-version")]))?
        .trim();
    if raw == "*" {
        return Ok(None);
    }
    let tag = raw.strip_prefix("W/").unwrap_or(raw).trim_matches('"');
    match tag.parse::<i64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(AppError::Validation(vec![FieldError::new(
            "If-Match",
            "error-version",
        )])),
    }
}

/// The version a change is based on, from the body and/or `If-Match`; 428 when
/// neither gives one.
pub fn expected(body: Option<i64>, headers: &HeaderMap) -> AppResult<i64> {
    let header = if_match(headers)?;
    if let Some(b) = body {
        if b < 1 {
            return Err(AppError::Validation(vec![FieldError::new(
                "version",
                "error-version",
            )]));
        }
    }
    match (body, header) {
        (Some(b), Some(h)) if b != h => Err(AppError::Validation(vec![FieldError::new(
            "version",
            "error-version-mismatch",
        )])),
        (Some(v), _) | (None, Some(v)) => Ok(v),
        (None, None) => Err(AppError::VersionRequired),
    }
}

/// The version a form carried in its hidden `version` field.
pub fn from_form(raw: Option<&str>) -> AppResult<i64> {
    match raw.map(str::trim) {
        None | Some("") => Err(AppError::VersionRequired),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(AppError::Validation(vec![FieldError::new(
                "version",
                "error-version",
            )])),
        },
    }
}

/// A JSON answer with the record's version as its `ETag`.
pub fn with_etag<T: Serialize>(version: i64, body: T) -> Response {
    let mut res = axum::Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// The 409 for a stale version, carrying the record as stored now.
pub fn stale<T: Serialize>(current: &T) -> AppError {
    AppError::Stale {
        current: Box::new(serde_json::to_value(current).unwrap_or(serde_json::Value::Null)),
    }
}

/// Deserialize an optional version that a client may send as a number or a
/// numeric string (forms send strings); anything else is a field error later.
pub fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::Deserialize;
    let v: Option<serde_json::Value> = Option::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Number(n)) => Some(n.as_i64().unwrap_or(0)),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
        Some(serde_json::Value::String(s)) => Some(s.trim().parse().unwrap_or(0)),
        Some(_) => Some(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::IF_MATCH, HeaderValue::from_str(v).unwrap());
        m
    }

    #[test]
    fn if_match_forms() {
        assert_eq!(if_match(&h("\"7\"")).unwrap(), Some(7));
        assert_eq!(if_match(&h("W/\"7\"")).unwrap(), Some(7));
        assert_eq!(if_match(&h("7")).unwrap(), Some(7));
        assert_eq!(if_match(&h("*")).unwrap(), None);
        assert!(if_match(&h("\"x\"")).is_err());
        assert!(if_match(&h("\"0\"")).is_err());
        assert_eq!(if_match(&HeaderMap::new()).unwrap(), None);
    }

    #[test]
    fn expected_needs_one_and_agreement() {
        assert_eq!(expected(Some(3), &HeaderMap::new()).unwrap(), 3);
        assert_eq!(expected(None, &h("\"4\"")).unwrap(), 4);
        assert_eq!(expected(Some(4), &h("\"4\"")).unwrap(), 4);
        assert!(matches!(
            expected(Some(3), &h("\"4\"")),
            Err(AppError::Validation(_))
        ));
        assert!(matches!(
            expected(None, &HeaderMap::new()),
            Err(AppError::VersionRequired)
        ));
        assert!(matches!(
            expected(Some(0), &HeaderMap::new()),
            Err(AppError::Validation(_))
        ));
    }
}
