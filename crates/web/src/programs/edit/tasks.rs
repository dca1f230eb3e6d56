//! A programme's tasks, each with its lead and coordinating agencies.

use super::*;

/// The one validation of a task, for creation and change.
pub(super) async fn check_task(
    state: &AppState,
    ctx: &Ctx,
    prog: &Program,
    p: &TaskPayload,
    status_now: &str,
) -> AppResult<TaskInput> {
    let scope = ctx.user()?.scope_unit_id;
    let mut errors = vec![];
    let body = text(&mut errors, "text", &p.text, 2000, true);
    let section = non_empty(&p.section).map(|s| text(&mut errors, "section", &s, 50, false));
    let lead = agency_ref(state, scope, &p.lead_agency).await;
    if lead.is_none() {
        errors.push(FieldError::new("lead_agency", "error-unknown-agency"));
    }
    let mut co = vec![];
    for c in non_empty(&p.coordinating)
        .unwrap_or_default()
        .split([',', ';', '\n'])
        .filter(|c| !c.trim().is_empty())
    {
        match agency_ref(state, scope, c).await {
            Some(a) => co.push(a),
            None => errors.push(
                FieldError::new("coordinating", "error-unknown-record")
                    .arg("value", c.trim().chars().take(60).collect::<String>()),
            ),
        }
    }
    let start = date(&mut errors, "start_on", &p.start_on, false);
    let due = date(&mut errors, "due_on", &p.due_on, false);
    if let (Some(s), Some(d)) = (start, due) {
        if d < s {
            errors.push(FieldError::new("due_on", "error-period"));
        }
    }
    let indicators = store::indicators(&state.db, prog.id).await?;
    let mut linked = vec![];
    for code in non_empty(&p.indicators)
        .unwrap_or_default()
        .split([',', ';', ' '])
        .filter(|c| !c.trim().is_empty())
    {
        match indicators.iter().find(|i| i.code == code.trim()) {
            Some(i) => {
                if !linked.contains(&i.id) {
                    linked.push(i.id)
                }
            }
            None => errors.push(
                FieldError::new("indicators", "error-unknown-record")
                    .arg("value", code.trim().chars().take(20).collect::<String>()),
            ),
        }
    }
    let status = non_empty(&p.status).unwrap_or_else(|| status_now.to_string());
    if !TASK_STATUSES.contains(&status.as_str()) {
        errors.push(FieldError::new("status", "error-enum"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(TaskInput {
        section,
        text: body,
        lead_agency_id: lead,
        coordinating: co,
        start_on: start,
        due_on: due,
        status,
        indicators: linked,
    })
}

pub(super) async fn add_task(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &TaskPayload,
) -> AppResult<i64> {
    let prog = editable(state, ctx, id).await?;
    let t = check_task(state, ctx, &prog, p, TaskStatus::Open.as_str()).await?;
    let order = store::tasks(&state.db, prog.id).await?.len() as i64;
    let actor = ctx.actor();
    let mut w = state.db.write(&actor).await?;
    let tid = store::insert_task(
        &mut w,
        &NewTask {
            program_id: prog.id,
            section: t.section,
            text: t.text,
            lead_agency_id: t.lead_agency_id,
            co_leads: vec![],
            coordinating: t.coordinating,
            start_on: t.start_on,
            due_on: t.due_on,
            sort_order: order,
            source: None,
        },
    )
    .await?;
    for i in t.indicators {
        store::link_task_indicator(w.tx(), tid, i).await?;
    }
    w.commit().await?;
    Ok(tid)
}

/// Add a task (lead and coordinating agencies, dates).
#[utoipa::path(post, path = "/api/v1/programs/{id}/tasks", tag = "plans", params(("id" = i64, Path)), request_body = TaskPayload,
    responses((status = 201, description = "`{id}` of the task"), (status = 403), (status = 404), (status = 422)))]
pub(super) async fn task_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<TaskPayload>,
) -> AppResult<Response> {
    let tid = add_task(&state, &ctx, &id, &p).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": tid }))).into_response())
}

pub(super) async fn change_task(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    expected: i64,
    p: &TaskPayload,
) -> AppResult<crate::programs::TaskView> {
    let (prog, tv) =
        <(Program, crate::programs::TaskView)>::load(state, ctx, id, Reach::Change).await?;
    let input = check_task(state, ctx, &prog, p, &tv.task.status).await?;
    match store::update_task(&state.db, &ctx.actor(), tv.task.id, Some(expected), &input).await {
        Ok(t) => crate::programs::task_view(state, t).await,
        Err(StoreError::Stale { .. }) => {
            let (_, now) =
                <(Program, crate::programs::TaskView)>::load(state, ctx, id, Reach::Read).await?;
            Err(stale_of(&now))
        }
        Err(e) => Err(e.into()),
    }
}

/// One task with its coordinating agencies and indicators; its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = crate::programs::TaskView, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
pub(super) async fn task_get_api(
    Scoped(found): Scoped<(Program, crate::programs::TaskView)>,
) -> AppResult<Response> {
    let (_, tv) = found;
    Ok(version::with_etag(tv.task.version, tv))
}

/// Change a task: text, section, lead and coordinating agencies, dates,
/// status, indicators (checked as when it was added, inside the caller's
/// scope). Name the version read: without one 428, stale 409 with the stored task.
#[utoipa::path(put, path = "/api/v1/tasks/{id}", tag = "plans", params(("id" = i64, Path)), request_body = TaskPayload,
    responses((status = 200, body = crate::programs::TaskView, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored task"),
        (status = 422), (status = 428, description = "no version given")))]
pub(super) async fn task_put_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(found): Editable<(Program, crate::programs::TaskView)>,
    headers: HeaderMap,
    Json(p): Json<TaskPayload>,
) -> AppResult<Response> {
    let expected = version::expected(p.version, &headers)?;
    let tv = change_task(&state, &ctx, found.1.task.id, expected, &p).await?;
    Ok(version::with_etag(tv.task.version, tv))
}
