//! A programme's status (draft → approved → active → closed), and the plan page's inline add forms (indicator, task, budget line) after their answer.

use super::*;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StatusPayload {
    /// approved, active or closed (each step follows the previous one); draft from approved.
    pub status: String,
    /// Optional: the version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

pub(super) async fn change_status(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    to: &str,
    expected: Option<i64>,
) -> AppResult<Program> {
    let prog = editable(state, ctx, id).await?;
    let Some(to_status) = ProgramStatus::parse(to) else {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "error-enum",
        )]));
    };
    match store::set_status(&state.db, &ctx.actor(), prog.id, expected, to_status).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(refusal)) => Err(AppError::Validation(vec![FieldError::new(
            "status",
            "error-transition",
        )
        .arg(
            "from",
            t(
                ctx.lang,
                &format!("program-status-{}", refusal.from.as_str()),
            ),
        )
        .arg(
            "to",
            t(ctx.lang, &format!("program-status-{}", refusal.to.as_str())),
        )])),
        Err(StoreError::Stale { .. }) => Err(stale_of(&reload(state, ctx, prog.id).await?)),
        Err(e) => Err(e.into()),
    }
}

/// Move a programme along draft → approved → active → closed (audited). An
/// action: the state machine refuses a move that does not follow (422), so two
/// clicks at once make one move; a version (`version` or `If-Match`), when
/// given, must be the current one (409 with the stored programme).
#[utoipa::path(post, path = "/api/v1/programs/{id}/status", tag = "plans", params(("id" = i64, Path)), request_body = StatusPayload,
    responses((status = 200, body = crate::programs::ProgramView, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "the version given is stale: `error.current` is the stored programme"),
        (status = 422, description = "the status does not follow from the current one")))]
pub(super) async fn status_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<StatusPayload>,
) -> AppResult<Response> {
    let expected = optional_version(p.version, &headers)?;
    let prog = change_status(&state, &ctx, &id, &p.status, expected).await?;
    Ok(version::with_etag(
        prog.version,
        crate::programs::ProgramView::from(prog),
    ))
}

/// An inline add form of the plan page after its answer: saved → back to the
/// section; invalid → the page again (422) with that form open, what was
/// typed kept and each error naming and linking to its field.
pub(super) async fn inline_after<T: Serialize>(
    state: &AppState,
    session: &Session,
    ctx: &Ctx,
    id: &str,
    form: &'static str,
    typed: &T,
    r: AppResult<()>,
) -> AppResult<Response> {
    match r {
        Err(AppError::Validation(errs)) => {
            let errors = errs
                .iter()
                .map(|e| {
                    context! {
                        field => e.field,
                        message => e.message(ctx.lang),
                        summary => format!("{}: {}", field_label(ctx.lang, &e.field), e.message(ctx.lang)),
                    }
                })
                .collect();
            let inline = crate::programs::Inline {
                form,
                values: serde_json::to_value(typed).unwrap_or_default(),
                errors,
            };
            let html = crate::programs::detail_html(state, ctx, id, Some(inline)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        r => after(session, ctx, id, form, r).await,
    }
}

pub(super) async fn after(
    session: &Session,
    ctx: &Ctx,
    id: &str,
    anchor: &str,
    r: AppResult<()>,
) -> AppResult<Response> {
    let back = Redirect::to(&format!("/programs/{id}#{anchor}")).into_response();
    match r {
        Ok(()) => {
            ctx::flash(session, "success", t(ctx.lang, "saved")).await;
            Ok(back)
        }
        Err(AppError::Validation(errs)) => {
            let msg = errs
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        field_label(ctx.lang, &e.field),
                        e.message(ctx.lang)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            ctx::flash(session, "error", msg).await;
            Ok(back)
        }
        // The page was out of date: say so and show it as it is now.
        Err(e @ (AppError::Stale { .. } | AppError::Refused(_))) => {
            ctx::flash(session, "error", e.message(ctx.lang)).await;
            Ok(back)
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn indicator_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<IndicatorPayload>,
) -> AppResult<Response> {
    let r = add_indicator(&state, &ctx, &id, &p).await.map(|_| ());
    inline_after(&state, &session, &ctx, &id, "indicators", &p, r).await
}

pub(super) async fn task_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<TaskPayload>,
) -> AppResult<Response> {
    let r = add_task(&state, &ctx, &id, &p).await.map(|_| ());
    inline_after(&state, &session, &ctx, &id, "tasks", &p, r).await
}

pub(super) async fn budget_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<BudgetPayload>,
) -> AppResult<Response> {
    let r = add_budget(&state, &ctx, &id, &p).await.map(|_| ());
    inline_after(&state, &session, &ctx, &id, "budget", &p, r).await
}

pub(super) async fn status_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<StatusPayload>,
) -> AppResult<Response> {
    let r = change_status(&state, &ctx, &id, &p.status, p.version)
        .await
        .map(|_| ());
    after(&session, &ctx, &id, "", r).await
}
