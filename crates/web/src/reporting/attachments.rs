//! Evidence files attached to a report.

use super::*;

pub(super) async fn attach(
    state: &AppState,
    ctx: &Ctx,
    r: &Report,
    m: Multipart,
) -> AppResult<i64> {
    if !allowed_actions(ctx, r).iter().any(|a| a == "save") {
        return Err(AppError::Forbidden);
    }
    let (bytes, name) = crate::registry::import::read_upload(ctx, ctx.csrf_pending, m).await?;
    if bytes.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "attachment",
            "error-required",
        )]));
    }
    let ctype = crate::registry::files::sniff(&bytes, &name).ok_or_else(|| {
        AppError::Validation(vec![FieldError::new("attachment", "error-file-type")])
    })?;
    let safe: String = name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
        .take(200)
        .collect();
    Ok(store::add_attachment(&state.db, &ctx.actor(), r.id, &safe, ctype, &bytes).await?)
}

/// Attach a file (PDF, Word, Excel, images) to a report being prepared.
#[utoipa::path(post, path = "/api/v1/reports/{id}/attachments", tag = "reporting", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "field `file`"),
    responses((status = 201, description = "`{id}`"), (status = 403), (status = 422)))]
pub(super) async fn attach_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(r): Scoped<Report>,
    m: Multipart,
) -> AppResult<Response> {
    let aid = attach(&state, &ctx, &r, m).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": aid }))).into_response())
}

pub(super) async fn attach_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Scoped(r): Scoped<Report>,
    m: Multipart,
) -> AppResult<Response> {
    let id = r.id;
    match attach(&state, &ctx, &r, m).await {
        Ok(_) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/reports/{id}#attachments")).into_response())
        }
        Err(AppError::Validation(errors)) => form_with_errors(&state, &ctx, id, &errors).await,
        Err(e) => Err(e),
    }
}

/// An attachment, to whoever may open its report (the same scope as the report's JSON).
pub(super) async fn attachment_of(state: &AppState, r: Report, aid: &str) -> AppResult<Response> {
    let aid = crate::common::path_id(aid)?;
    let (name, ctype, bytes) = store::attachment_file(&state.db, r.id, aid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(bytes, &ctype, &name))
}

/// A file attached to a report, as uploaded (its type is the one recognised at upload:
/// PDF, Word, Excel, OpenDocument text, PNG or JPEG).
#[utoipa::path(get, path = "/api/v1/reports/{id}/attachments/{aid}", tag = "reporting",
    params(("id" = i64, Path), ("aid" = i64, Path, description = "the attachment's id (`attachments[].id` of the report)")),
    responses((status = 200, description = "the file as uploaded (PDF, Word, Excel, OpenDocument text, PNG or JPEG), as an attachment"), (status = 404)))]
pub(super) async fn attachment_api(
    State(state): State<AppState>,
    Scoped(r): Scoped<Report>,
    Path((_id, aid)): Path<(String, String)>,
) -> AppResult<Response> {
    attachment_of(&state, r, &aid).await
}

pub(super) async fn attachment_download(
    State(state): State<AppState>,
    Scoped(r): Scoped<Report>,
    Path((_id, aid)): Path<(String, String)>,
) -> AppResult<Response> {
    attachment_of(&state, r, &aid).await
}

pub(super) async fn detach_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Scoped(r): Scoped<Report>,
    Path((_id, aid)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = r.id;
    if !allowed_actions(&ctx, &r).iter().any(|a| a == "save") {
        return Err(AppError::Forbidden);
    }
    let aid = crate::common::path_id(&aid)?;
    store::remove_attachment(&state.db, &ctx.actor(), r.id, aid).await?;
    ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
    Ok(Redirect::to(&format!("/reports/{id}#attachments")).into_response())
}
