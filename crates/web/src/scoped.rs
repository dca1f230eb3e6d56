//! Records named by the `{id}` of a path, read through the caller's scope.
//!
//! Every area answers a record outside the caller's scope exactly as one that does
//! not exist (404), so that ids reveal nothing. A record type says once how it is
//! found ([`InScope::load`]); handlers then take [`Scoped<T>`] (to read it) or
//! [`Editable<T>`] (to change it) instead of a `Path` and a loader call.

use crate::{
    ctx::Ctx,
    error::{AppError, AppResult},
    AppState,
};
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

/// What the caller means to do with a record; a record may be readable and not
/// changeable (a district reads the province's plan it carries out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Read it: inside the caller's scope or over an area containing it.
    Read,
    /// Change it: inside the caller's scope, with the right to change it.
    Change,
}

/// A record found by id within the caller's scope; `NotFound` when the id is
/// unknown or outside the scope, `Forbidden` when the caller lacks the right.
pub trait InScope: Sized + Send {
    fn load(
        state: &AppState,
        ctx: &Ctx,
        id: i64,
        reach: Reach,
    ) -> impl std::future::Future<Output = AppResult<Self>> + Send;
}

/// Load `T` from a raw path segment (a malformed id is a 404, like an unknown one).
pub async fn load<T: InScope>(
    state: &AppState,
    ctx: &Ctx,
    raw: &str,
    reach: Reach,
) -> AppResult<T> {
    let id = crate::common::path_id(raw)?;
    T::load(state, ctx, id, reach).await
}

/// The record of the path's `{id}`, to read.
pub struct Scoped<T>(pub T);

/// The record of the path's `{id}`, to change.
pub struct Editable<T>(pub T);

async fn from_parts<T: InScope>(parts: &mut Parts, state: &AppState, reach: Reach) -> AppResult<T> {
    let ctx = Ctx::from_request_parts(parts, state).await?;
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound)?;
    let raw = params
        .iter()
        .find_map(|(k, v)| (k == "id").then(|| v.to_string()))
        .ok_or(AppError::NotFound)?;
    load(state, &ctx, &raw, reach).await
}

impl<T: InScope> FromRequestParts<AppState> for Scoped<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        from_parts(parts, state, Reach::Read).await.map(Scoped)
    }
}

impl<T: InScope> FromRequestParts<AppState> for Editable<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        from_parts(parts, state, Reach::Change).await.map(Editable)
    }
}

/// The store's reach for `reach`: what a read sees (also the areas above the
/// scope), what a change may touch (only inside it).
pub fn store_reach(reach: Reach) -> langnghe_store::programs::Reach {
    match reach {
        Reach::Read => langnghe_store::programs::Reach::Visible,
        Reach::Change => langnghe_store::programs::Reach::Within,
    }
}
