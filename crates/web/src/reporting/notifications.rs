//! A user's notifications (reports due, returned, approved).

use super::*;

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "reporting",
    responses((status = 200, body = Vec<NotificationBody>)))]
pub(super) async fn notifications_api(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<Vec<NotificationBody>>> {
    let u = ctx.user()?;
    Ok(Json(views(
        store::notifications(&state.db, u.id, 200).await?,
    )))
}

pub(super) async fn notifications_page(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Html<String>> {
    let u = ctx.user()?;
    let items = store::notifications(&state.db, u.id, 200).await?;
    render(
        &state,
        &ctx,
        "reporting/notifications.html",
        context! { title => t(ctx.lang, "notifications-title"), items => items },
    )
}

pub(super) async fn notifications_read(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
) -> AppResult<Response> {
    let u = ctx.user()?;
    store::mark_read(&state.db, u.id).await?;
    ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
    Ok(Redirect::to("/notifications").into_response())
}
