//! The file attached to a legal document (the signed PDF, a scan, the DOCX).

use super::import::{read_upload, UPLOAD_LIMIT};
use super::{edit_scope, load, read_scope};
use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{Json, Path};
use crate::i18n::t;
use crate::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use langnghe_store::registry::spec::Entity;
use langnghe_store::registry::{self as store, Record};
use serde_json::Value;
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What a document file may be, recognised by its content (not its name).
pub fn sniff(bytes: &[u8], name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        if lower.ends_with(".docx") {
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        } else if lower.ends_with(".xlsx") {
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        } else if lower.ends_with(".odt") {
            Some("application/vnd.oasis.opendocument.text")
        } else {
            None
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("application/msword")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("file");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(150)
        .collect();
    if cleaned.trim().is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

async fn attach(state: &AppState, ctx: &Ctx, id: &str, m: Multipart) -> AppResult<Record> {
    let scope = edit_scope(ctx)?;
    let doc = load(state, Entity::Document, scope, id).await?;
    let did = doc
        .get("id")
        .and_then(Value::as_i64)
        .ok_or(AppError::NotFound)?;
    let (bytes, name) = read_upload(ctx, ctx.csrf_pending, m).await?;
    if bytes.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "error-required",
        )]));
    }
    let ctype = sniff(&bytes, &name)
        .ok_or_else(|| AppError::Validation(vec![FieldError::new("file", "error-file-type")]))?;
    Ok(store::set_document_file(
        &state.db,
        &ctx.actor(),
        did,
        &safe_name(&name),
        ctype,
        &bytes,
    )
    .await?)
}

async fn download(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Response> {
    let scope = read_scope(ctx)?;
    let id = crate::common::path_id(id)?;
    let (name, ctype, bytes) = store::document_file(&state.db, scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(crate::common::file_response(bytes, &ctype, &name))
}

pub fn pages() -> Router<AppState> {
    Router::new()
        .route(
            "/documents/{id}/file",
            get(|s: State<AppState>, c: Ctx, p: Path<String>| async move {
                download(&s, &c, &p.0).await
            })
            .post(
                |State(s): State<AppState>,
                 c: Ctx,
                 session: Session,
                 Path(id): Path<String>,
                 m: Multipart| async move {
                    match attach(&s, &c, &id, m).await {
                        Ok(_) => {
                            ctx::flash(&session, "success", t(c.lang, "file-attached")).await;
                            Ok::<Response, AppError>(
                                Redirect::to(&format!("/documents/{id}")).into_response(),
                            )
                        }
                        Err(AppError::Validation(errs)) => {
                            let msg = errs
                                .iter()
                                .map(|e| e.message(c.lang))
                                .collect::<Vec<_>>()
                                .join(" ");
                            ctx::flash(&session, "error", msg).await;
                            Ok(Redirect::to(&format!("/documents/{id}")).into_response())
                        }
                        Err(e) => Err(e),
                    }
                },
            ),
        )
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT + 64 * 1024))
}

/// Attach the document's file (multipart field `file`: PDF, DOC/DOCX, XLSX, ODT, PNG or JPEG; at most 20 MB).
#[utoipa::path(post, path = "/api/v1/documents/{id}/file", tag = "registry", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "field `file`"),
    responses((status = 200, body = super::api::Object), (status = 404), (status = 413), (status = 422)))]
async fn attach_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    m: Multipart,
) -> AppResult<Json<Record>> {
    Ok(Json(attach(&state, &ctx, &id, m).await?))
}

/// Download the document's file.
#[utoipa::path(get, path = "/api/v1/documents/{id}/file", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404)))]
async fn download_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    download(&state, &ctx, &id).await
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(attach_api, download_api))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT + 64 * 1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(sniff(b"%PDF-1.7 ...", "qd.pdf"), Some("application/pdf"));
        assert_eq!(sniff(b"%PDF-1.7 ...", "qd.exe"), Some("application/pdf"));
        assert_eq!(sniff(b"MZ\x90\x00", "qd.pdf"), None);
        assert_eq!(sniff(b"<html><script>", "qd.pdf"), None);
        assert_eq!(safe_name("C:\\x\\Quyết định 316.pdf"), "Quyết định 316.pdf");
        assert_eq!(safe_name("a\"b;c.pdf"), "abc.pdf");
    }
}
