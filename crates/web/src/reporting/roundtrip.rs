//! A report's Excel round trip: download the form as a workbook, upload it filled in.

use super::*;

pub(super) async fn xlsx_of(state: &AppState, ctx: &Ctx, r: Report) -> AppResult<Response> {
    let lines = store::lines(&state.db, r.id).await?;
    let bytes = xlsx::report_workbook(ctx.lang, &r, &lines)?;
    Ok(file_response(
        bytes,
        XLSX_TYPE,
        &format!("bao-cao-{}-v{}.xlsx", r.id, r.version),
    ))
}

/// The report as a pre-filled workbook to fill in offline and upload back.
#[utoipa::path(get, path = "/api/v1/reports/{id}/xlsx", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, description = "xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404)))]
pub(super) async fn xlsx_download_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(r): Scoped<Report>,
) -> AppResult<Response> {
    xlsx_of(&state, &ctx, r).await
}

pub(super) async fn xlsx_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(r): Scoped<Report>,
) -> AppResult<Response> {
    xlsx_of(&state, &ctx, r).await
}

pub(super) async fn xlsx_upload(
    state: &AppState,
    ctx: &Ctx,
    r: &Report,
    m: Multipart,
) -> AppResult<Saved> {
    let (bytes, name) = crate::registry::import::read_upload(ctx, ctx.csrf_pending, m).await?;
    let lines = store::lines(&state.db, r.id).await?;
    let input = xlsx::read_workbook(ctx.lang, &bytes, &name, r, &lines)?;
    do_save(state, ctx, r, &input).await
}

/// Upload the filled-in workbook: checked cell by cell, saved whole or not at all.
#[utoipa::path(post, path = "/api/v1/reports/{id}/xlsx", tag = "reporting", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "field `file`: the workbook downloaded from this report"),
    responses((status = 200, body = ReportView), (status = 409), (status = 422)))]
pub(super) async fn xlsx_upload_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(r): Scoped<Report>,
    m: Multipart,
) -> AppResult<Response> {
    match xlsx_upload(&state, &ctx, &r, m).await? {
        Saved::Ok(_) => {
            let r = Report::load(&state, &ctx, r.id, Reach::Read).await?;
            Ok(Json(view_of(&state, &ctx, r).await?).into_response())
        }
        Saved::Conflict(c) => Ok(conflict_response(ctx.lang, ReportInputBody::default(), *c)),
    }
}

pub(super) async fn xlsx_upload_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Scoped(r): Scoped<Report>,
    m: Multipart,
) -> AppResult<Response> {
    let id = r.id;
    match xlsx_upload(&state, &ctx, &r, m).await {
        Ok(Saved::Ok(_)) => {
            ctx::flash(&session, "success", t(ctx.lang, "report-xlsx-loaded")).await;
            Ok(Redirect::to(&format!("/reports/{id}")).into_response())
        }
        Ok(Saved::Conflict(c)) => {
            let r = Report::load(&state, &ctx, id, Reach::Read).await?;
            form_view(
                &state,
                &ctx,
                r,
                FormState {
                    errors: &[FieldError::new("file", "report-xlsx-stale")],
                    conflict: Some(&c),
                    mine: None,
                    status: StatusCode::CONFLICT,
                },
            )
            .await
        }
        Err(AppError::Validation(errors)) => form_with_errors(&state, &ctx, id, &errors).await,
        Err(e) => Err(e),
    }
}
