//! Extractors whose rejections become `AppError`s (localised, never a bare 4xx text).

use crate::error::AppError;
use axum::extract::{FromRequest, FromRequestParts};

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Json<T>(pub T);

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
        self.limit.unwrap_or(50).clamp(1, 500)
    }
    pub fn offset(&self) -> i64 {
        self.offset.unwrap_or(0).clamp(0, i64::MAX / 2)
    }
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
