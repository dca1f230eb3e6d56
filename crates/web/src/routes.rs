//! The assembly of the areas: the JSON API under `/api/v1` (every area's
//! `api()` merged), and the OpenAPI document assembled from the same routes that
//! serve it (utoipa-axum), so no route goes undocumented. Only the crate root
//! (`app`) uses this module; no area imports it, so areas never import each
//! other through it (what they share is in `crate::common`).

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::t;
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "langnghe API", version = "1", description = "Craft villages and industrial-extension programmes. Authenticate with `Authorization: Bearer <token>` (create one with `langnghe token create` or on the Tokens page), or with the browser session plus the `X-CSRF-Token` header for writes. Lists take `limit` (≤ 500) and `offset`. Errors: `{\"error\": {\"code\", \"message\", \"fields\": [{\"field\", \"message\"}], \"request_id\"}}` in the caller's language."),
    modifiers(&Security),
    security(("bearer" = []))
)]
struct ApiDoc;

struct Security;
impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// All API routes with their documentation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::geo::api())
        .merge(crate::agencies::api())
        .merge(crate::users::api())
        .merge(crate::account::api())
        .merge(crate::audit::api())
        .merge(crate::registry::api_router())
        .merge(crate::programs::api())
        .merge(crate::programs::edit::api())
        .merge(crate::reporting::api())
        .merge(crate::schemes::api())
        .merge(crate::activities::api())
        .merge(crate::drafts::api())
        .merge(crate::home::api())
        .merge(crate::map::api())
        .merge(crate::dashboard::api())
        .merge(crate::dashboard::overview_api())
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = router().split_for_parts();
    crate::registry::api::document_schemas(&mut doc);
    let doc_path = (
        "/api/v1/openapi.json".to_string(),
        utoipa::openapi::path::PathItem::new(
            utoipa::openapi::HttpMethod::Get,
            utoipa::openapi::path::OperationBuilder::new()
                .summary(Some("This document"))
                .tag("meta")
                .response(
                    "200",
                    utoipa::openapi::ResponseBuilder::new().description("OpenAPI 3.1 document"),
                ),
        ),
    );
    doc.paths.paths.insert(doc_path.0, doc_path.1);
    crate::api_doc::document_errors(&mut doc);
    doc
}

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api", get(api_page))
}

/// The document is a function of the code alone: built once (building it
/// assembles every route; it was the slowest plain GET under load).
static DOCUMENT: std::sync::LazyLock<utoipa::openapi::OpenApi> = std::sync::LazyLock::new(openapi);
static DOCUMENT_JSON: std::sync::LazyLock<Result<axum::body::Bytes, String>> =
    std::sync::LazyLock::new(|| {
        serde_json::to_vec(&*DOCUMENT)
            .map(axum::body::Bytes::from)
            .map_err(|e| e.to_string())
    });

async fn openapi_json() -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    match &*DOCUMENT_JSON {
        Ok(bytes) => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            bytes.clone(),
        )
            .into_response()),
        Err(e) => Err(AppError::Internal(e.clone())),
    }
}

/// A readable list of the API for integrators (no external Swagger UI needed).
async fn api_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let doc = &*DOCUMENT;
    let mut ops = vec![];
    for (path, item) in &doc.paths.paths {
        let methods = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (m, op) in methods {
            if let Some(op) = op {
                ops.push(minijinja::context! {
                    method => m,
                    path => path,
                    summary => op.summary.clone().or(op.description.clone()).unwrap_or_default(),
                });
            }
        }
    }
    let page = minijinja::context! { title => t(ctx.lang, "api-title"), ops => ops };
    render(&state, &ctx, "api_docs.html", page)
}
