//! Extractors whose rejections become `AppError`s (localised, never a bare 4xx text).

use crate::error::{AppError, FieldError};
use axum::extract::{FromRequest, FromRequestParts};

/// A JSON body. Malformed JSON is a 400; a well-formed body whose value has the
/// wrong type for a field (an array for a text, a string for a number), or lacks
/// a required field, is a 422 naming that field (`contents[0].cost`).
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime_guess::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == "application"
                    && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
            });
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| {
                if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge
                } else {
                    AppError::bad("error-json")
                }
            })?;
        not_an_object(&bytes)?;
        json_value(&bytes).map(Json)
    }
}

/// Deserialize a JSON body, naming the field of a type error.
pub fn json_value<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if !inner.is_data() {
                return Err(AppError::BadRequest {
                    key: "error-json".into(),
                    detail: Some(inner.to_string().chars().take(200).collect()),
                });
            }
            Err(AppError::Validation(vec![json_field_error(
                &path,
                &inner.to_string(),
            )]))
        }
    }
}

/// An optional JSON object body: empty, whitespace or `null` means none (the
/// document declares such bodies `required: false`).
pub fn optional_json_body<T: serde::de::DeserializeOwned + Default>(
    bytes: &[u8],
) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    not_an_object(bytes)?;
    json_value::<Option<T>>(bytes).map(Option::unwrap_or_default)
}

/// Every JSON body of the API is an object (or `null` where optional). serde
/// would otherwise read a struct from an array (`["Sở X", "department"]`): a
/// well-formed value of another kind is a 422 naming `body`, malformed text a 400.
fn not_an_object(bytes: &[u8]) -> Result<(), AppError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let other_kind = matches!(first, Some(b'[' | b'"' | b't' | b'f' | b'-' | b'0'..=b'9'));
    if !other_kind {
        return Ok(());
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        Ok(_) => Err(AppError::Validation(vec![FieldError::new(
            "body",
            "error-json-type",
        )
        .arg("expected", "object")])),
        Err(e) => Err(AppError::BadRequest {
            key: "error-json".into(),
            detail: Some(e.to_string().chars().take(200).collect()),
        }),
    }
}

/// The field error for a serde data error at `path`.
fn json_field_error(path: &str, msg: &str) -> FieldError {
    // "missing field `name`" is reported at the enclosing object.
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        let field = match path {
            "" | "." => name.to_string(),
            p => format!("{p}.{name}"),
        };
        return FieldError::new(&field, "error-required");
    }
    let field = if path.is_empty() || path == "." {
        "body".to_string()
    } else {
        path.to_string()
    };
    // "invalid type: sequence, expected a string at line 1 column 9"
    let expected = msg
        .split(", expected ")
        .nth(1)
        .map(|e| e.split(" at line ").next().unwrap_or(e).trim().to_string());
    match expected {
        Some(e) if msg.starts_with("invalid type") => {
            FieldError::new(&field, "error-json-type").arg("expected", json_kind(&e))
        }
        _ => FieldError::new(&field, "error-json-value"),
    }
}

/// A word for what serde expected, in terms a JSON client knows.
fn json_kind(expected: &str) -> &'static str {
    let e = expected.to_ascii_lowercase();
    if e.contains("string") || e.contains("char") {
        "string"
    } else if e.contains("bool") {
        "boolean"
    } else if e.contains("integer")
        || e.starts_with("i64")
        || e.starts_with("u")
        || e.contains("i32")
    {
        "integer"
    } else if e.contains("f64") || e.contains("f32") || e.contains("float") || e.contains("number")
    {
        "number"
    } else if e.contains("sequence") || e.contains("array") || e.contains("vec") {
        "array"
    } else if e.contains("map") || e.contains("struct") || e.contains("object") {
        "object"
    } else {
        "value"
    }
}

#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct Form<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// Paging of API lists: `limit` (1-500, default 50) and `offset`.
#[derive(Debug, Clone, Copy, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl Paging {
    pub fn limit(&self) -> i64 {
        api_limit(self.limit)
    }
    pub fn offset(&self) -> i64 {
        api_offset(self.offset)
    }
}

/// The `limit` of an API list: 1 to 500, 50 when not given.
pub fn api_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(50).clamp(1, 500)
}

/// The `offset` of an API list: from 0, never so large that `offset + limit` overflows.
pub fn api_offset(offset: Option<i64>) -> i64 {
    offset.unwrap_or(0).clamp(0, i64::MAX / 2)
}

/// Page numbers of HTML lists (1-based, 50 a page).
pub const PAGE_SIZE: i64 = 50;

pub fn page_offset(page: Option<i64>) -> (i64, i64) {
    let p = page.unwrap_or(1).clamp(1, 1_000_000);
    (p, (p - 1) * PAGE_SIZE)
}

/// Empty strings from forms and query strings mean "not given".
pub fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        #[serde(default)]
        amount: Option<i64>,
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        cost: i64,
    }

    fn field_of(body: &str) -> (String, String) {
        match json_value::<Body>(body.as_bytes()) {
            Err(AppError::Validation(f)) => (f[0].field.clone(), f[0].key.clone()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_types_name_the_field() {
        assert_eq!(
            field_of(r#"{"name": ["a"]}"#),
            ("name".into(), "error-json-type".into())
        );
        assert_eq!(
            field_of(r#"{"name": "x", "amount": "12"}"#),
            ("amount".into(), "error-json-type".into())
        );
        assert_eq!(
            field_of(r#"{"name": "x", "items": [{"cost": 1}, {"cost": true}]}"#),
            ("items[1].cost".into(), "error-json-type".into())
        );
        assert_eq!(
            field_of(r#"{"amount": 1}"#),
            ("name".into(), "error-required".into())
        );
        assert_eq!(field_of(r#""x""#).0, "body");
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            json_value::<Body>(b"{\"name\": "),
            Err(AppError::BadRequest { .. })
        ));
    }
}
