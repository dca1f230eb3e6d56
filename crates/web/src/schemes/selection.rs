//! Eligibility against the registry, ranking and selection within the budget, the decision, the timeline's steps.

use super::*;

pub(super) async fn run_eligibility(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> AppResult<(usize, usize)> {
    department(ctx)?;
    let s = crate::scoped::load::<Scheme>(state, ctx, id, Reach::Read).await?;
    let rules_list: Vec<EligibilityRule> = json_list(&s.eligibility);
    let apps = store::applications(&state.db, s.id, langnghe_store::geo::COUNTRY_ID).await?;
    let (mut ok, mut no) = (0, 0);
    for a in &apps {
        // Each is checked on its row as it is once locked; one that moved on
        // in the meantime (or is not forwarded yet) is left as it is.
        let Ok((from, to)) =
            store::record_eligibility(&state.db, &ctx.actor(), a.id, None, &rules_list).await?
        else {
            continue;
        };
        if to == Stage::Eligible {
            ok += 1;
        } else {
            no += 1;
        }
        if from != to {
            notify_unit(state, a, to.as_str()).await?;
        }
    }
    Ok((ok, no))
}

/// Check every forwarded application against the scheme's rules (registry facts included).
/// Each application is checked on its row as it is once locked.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/eligibility", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, description = "`{eligible, ineligible}`"), (status = 403), (status = 404)))]
pub(super) async fn eligibility_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (ok, no) = run_eligibility(&state, &ctx, &id).await?;
    Ok(Json(serde_json::json!({ "eligible": ok, "ineligible": no })).into_response())
}

pub(super) async fn eligibility_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (ok, no) = run_eligibility(&state, &ctx, &id).await?;
    ctx::flash(
        &session,
        "success",
        t_args(
            ctx.lang,
            "scheme-checked",
            &[("eligible", ok.to_string()), ("ineligible", no.to_string())],
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/schemes/{id}#applications")).into_response())
}

/// One applicant in the selection.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SelectionItem {
    pub application_id: i64,
    pub applicant: String,
    pub district: String,
    pub rank: Option<u32>,
    pub selected: bool,
    /// Amount granted, đồng.
    pub amount: i64,
    pub requested: i64,
    pub budget_left: i64,
    pub reason_code: String,
    /// The reason: catalogue key, arguments and text in the request's language.
    #[serde(flatten)]
    pub reason: ReasonView,
    /// The reason as recorded (language-neutral).
    #[serde(skip)]
    pub reason_msg: rules::Msg,
}

/// The selection the rules give for a scheme and its applications (pure).
pub(super) fn selection_items(
    lang: Lang,
    s: &Scheme,
    contents: &[store::Content],
    apps: &[Application],
) -> Vec<SelectionItem> {
    let priority: Vec<PriorityRule> = json_list(&s.priority);
    // District names come from the store: a registry village's commune counts under its district.
    let input = store::selection_input(apps);
    let out = rules::rank_and_select(
        &core_contents(contents),
        &priority,
        fair_of(s),
        s.budget_dong,
        &input,
    );
    out.into_iter()
        .map(|x| SelectionItem {
            application_id: x.application_id,
            applicant: x.applicant,
            district: x.district,
            rank: x.rank,
            selected: x.selected,
            amount: x.amount_dong,
            requested: x.requested_dong,
            budget_left: x.budget_left_dong,
            reason_code: x.reason_code.code().into(),
            reason: ReasonView::of(lang, &x.reason),
            reason_msg: x.reason,
        })
        .collect()
}

/// Only the applicants inside the caller's scope (as the applications list shows them).
pub(super) async fn in_scope(
    state: &AppState,
    ctx: &Ctx,
    s: &Scheme,
    mut items: Vec<SelectionItem>,
) -> AppResult<Vec<SelectionItem>> {
    let u = ctx.user()?;
    if u.scope_unit_id != langnghe_store::geo::COUNTRY_ID {
        let mine: Vec<i64> = store::applications(&state.db, s.id, u.scope_unit_id)
            .await?
            .iter()
            .map(|a| a.id)
            .collect();
        items.retain(|i| mine.contains(&i.application_id));
    }
    Ok(items)
}

/// The selection as the rules give it now (one item per applicant of the
/// caller's scope, in rank order), not yet recorded.
#[utoipa::path(get, path = "/api/v1/schemes/{id}/selection", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, body = crate::common::ListOf<SelectionItem>), (status = 404)))]
pub(super) async fn selection_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(s): Scoped<Scheme>,
) -> AppResult<Json<crate::common::ListOf<SelectionItem>>> {
    let contents = store::contents(&state.db, s.id).await?;
    let apps = store::applications(&state.db, s.id, langnghe_store::geo::COUNTRY_ID).await?;
    let items = selection_items(ctx.lang, &s, &contents, &apps);
    let items = in_scope(&state, &ctx, &s, items).await?;
    let total = items.len() as i64;
    Ok(Json(crate::common::ListOf { items, total }))
}

pub(super) async fn record_selection(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    expected: Option<i64>,
) -> AppResult<Vec<SelectionItem>> {
    department(ctx)?;
    let s = crate::scoped::load::<Scheme>(state, ctx, id, Reach::Read).await?;
    let lang = ctx.lang;
    let mut items = vec![];
    // Ranked inside the write, on the scheme and applications as they are once locked.
    let recorded = store::record_selection(
        &state.db,
        &ctx.actor(),
        s.id,
        expected,
        |scheme, contents, apps| {
            items = selection_items(lang, scheme, contents, apps);
            items
                .iter()
                .filter(|i| i.reason_code != rules::ReasonCode::Ineligible.code())
                .map(|i| store::Selected {
                    application_id: i.application_id,
                    rank: i.rank.map(i64::from),
                    selected: i.selected,
                    amount_dong: i.amount,
                    reason: serde_json::to_string(&i.reason_msg).unwrap_or_default(),
                })
                .collect()
        },
    )
    .await;
    match recorded {
        Ok(Ok(_)) => {}
        Ok(Err(r)) => return Err(refused(lang, r)),
        Err(StoreError::Stale { .. }) => return Err(stale_scheme(state, ctx, s.id).await?),
        Err(e) => return Err(e.into()),
    }
    for i in &items {
        if let Ok((_, a)) =
            <(Scheme, Application)>::load(state, ctx, i.application_id, Reach::Read).await
        {
            notify_unit(state, &a, &a.state).await?;
        }
    }
    in_scope(state, ctx, &s, items).await
}

/// An optional version in a body (actions).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct VersionPayload {
    /// Optional: the version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

/// Record the selection: selected applicants get their amounts, the others the
/// reason. The scheme and its applications are ranked as they are once
/// locked; refused (409) once the list is decided, or when the scheme's
/// version, if given (`version` or `If-Match`), is stale.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/selection", tag = "schemes", params(("id" = i64, Path)),
    request_body(content = Option<VersionPayload>, description = "optional"),
    responses((status = 200, body = crate::common::ListOf<SelectionItem>), (status = 403), (status = 404),
        (status = 409, description = "decided already (`refused`), or a stale version (`error.current` is the stored scheme)")))]
pub(super) async fn record_selection_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<Json<crate::common::ListOf<SelectionItem>>> {
    let p: VersionPayload = crate::extract::optional_json_body(&body)?;
    let expected = action_version(p.version, &headers)?;
    let items = record_selection(&state, &ctx, &id, expected).await?;
    let total = items.len() as i64;
    Ok(Json(crate::common::ListOf { items, total }))
}

pub(super) async fn selection_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<VersionPayload>,
) -> AppResult<Response> {
    match record_selection(&state, &ctx, &id, p.version).await {
        Ok(items) => {
            let n = items.iter().filter(|i| i.selected).count();
            ctx::flash(
                &session,
                "success",
                t_args(ctx.lang, "scheme-selected", &[("count", n.to_string())]),
            )
            .await;
        }
        Err(e @ (AppError::Stale { .. } | AppError::Refused(_))) => {
            let errs = [refusal_field(e, "selection")];
            let (h, st) = detail(&state, &ctx, &id, &errs, StatusCode::CONFLICT).await?;
            return Ok((st, h).into_response());
        }
        Err(e) => return Err(e),
    }
    Ok(Redirect::to(&format!("/schemes/{id}#applications")).into_response())
}

/// The decision that approves the selection.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DecisionPayload {
    /// "Số: 5432/QĐ-UBND".
    pub number: String,
    /// "30/8/2017".
    pub issued_on: String,
    #[serde(default)]
    pub title: Option<String>,
    /// Optional: the scheme's version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

pub(super) async fn decide(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &DecisionPayload,
    expected: Option<i64>,
) -> AppResult<i64> {
    department(ctx)?;
    let s = crate::scoped::load::<Scheme>(state, ctx, id, Reach::Read).await?;
    // Refuse what the store would refuse before adding the document to the registry.
    if expected.is_some_and(|v| v != s.version) {
        return Err(stale_scheme(state, ctx, s.id).await?);
    }
    let decide = SchemeAction::Decide {
        linked: s.decision_doc_id.is_some(),
        selected: s.selected,
    };
    if let Err(r) = rules::scheme_transition(store::scheme_status(&s)?, decide) {
        return Err(refused(ctx.lang, Refusal::of_scheme(r)));
    }
    let title = p
        .title
        .clone()
        .filter(|x| !x.trim().is_empty())
        .unwrap_or_else(|| {
            format!(
                "Phê duyệt danh sách, nội dung và mức kinh phí hỗ trợ — {}",
                s.title
            )
        });
    let doc = serde_json::json!({ "number": p.number, "issued_on": p.issued_on, "title": title, "issuer": "UBND" });
    let doc = doc.as_object().cloned().unwrap_or_default();
    let u = ctx.user()?;
    let mut lookup = crate::registry::validate::DbLookup::new(&state.db, u.scope_unit_id);
    let values = crate::registry::validate::validate(
        langnghe_store::registry::spec::Entity::Document,
        &doc,
        &mut lookup,
        false,
    )
    .await
    .map_err(AppError::Validation)?;
    let rec = langnghe_store::registry::create(
        &state.db,
        &ctx.actor(),
        langnghe_store::registry::spec::Entity::Document,
        None,
        &values,
    )
    .await?;
    let doc_id = rec
        .get("id")
        .and_then(|v| v.as_i64())
        .ok_or(AppError::NotFound)?;
    match store::set_decision(&state.db, &ctx.actor(), s.id, expected, doc_id).await {
        Ok(Ok(_)) => Ok(doc_id),
        Ok(Err(r)) => Err(refused(ctx.lang, r)),
        Err(StoreError::Stale { .. }) => Err(stale_scheme(state, ctx, s.id).await?),
        Err(e) => Err(e.into()),
    }
}

/// Record the decision (legal document) that approves the selected list. An
/// action on the scheme: refused (409) when decided already, and when its
/// version, if given (`version` or `If-Match`), is stale.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/decision", tag = "schemes", params(("id" = i64, Path)),
    request_body = DecisionPayload,
    responses((status = 201, description = "`{document_id}`"), (status = 403), (status = 404),
        (status = 409, description = "decided already (`refused`), or a stale version (`error.current` is the stored scheme)"),
        (status = 422)))]
pub(super) async fn decision_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<DecisionPayload>,
) -> AppResult<Response> {
    let expected = action_version(p.version, &headers)?;
    let d = decide(&state, &ctx, &id, &p, expected).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "document_id": d })),
    )
        .into_response())
}

pub(super) async fn decision_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<DecisionPayload>,
) -> AppResult<Response> {
    let typed = Typed::of(
        "decision",
        serde_json::json!({"number": p.number, "issued_on": p.issued_on, "title": p.title}),
    );
    match decide(&state, &ctx, &id, &p, p.version).await {
        Ok(_) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/schemes/{id}")).into_response())
        }
        // The page was out of date or the state does not allow it: the page
        // as it is now, the reason in its summary, what was typed kept.
        Err(e @ (AppError::Stale { .. } | AppError::Refused(_))) => {
            let errs = [refusal_field(e, "number")];
            let (h, st) =
                detail_typed(&state, &ctx, &id, &errs, StatusCode::CONFLICT, &typed).await?;
            Ok((st, h).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let (h, st) = detail_typed(
                &state,
                &ctx,
                &id,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
            )
            .await?;
            Ok((st, h).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Mark a step of the timeline done.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StepDonePayload {
    /// The step's order (TT).
    pub ord: String,
    /// The day it was done ("15/9/2017"); default today.
    #[serde(default)]
    pub done_on: Option<String>,
    /// Optional: the scheme's version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

pub(super) async fn mark_step(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    f: &StepDonePayload,
    expected: Option<i64>,
) -> AppResult<Scheme> {
    department(ctx)?;
    let s = crate::scoped::load::<Scheme>(state, ctx, id, Reach::Read).await?;
    let ord: i64 =
        f.ord.trim().parse().map_err(|_| {
            AppError::Validation(vec![FieldError::new("ord", "error-number-plain")])
        })?;
    let done =
        match non_empty(&f.done_on) {
            None => Some(today()),
            Some(d) => Some(vnfmt::parse_date(&d).map_err(|_| {
                AppError::Validation(vec![FieldError::new("done_on", "error-date")])
            })?),
        };
    match store::set_step_done(&state.db, &ctx.actor(), s.id, expected, ord, done).await {
        Err(StoreError::Stale { .. }) => Err(stale_scheme(state, ctx, s.id).await?),
        other => Ok(other?),
    }
}

/// Mark a step of the scheme's timeline done (an action on the scheme: a
/// version, if given as `version` or `If-Match`, must be current).
#[utoipa::path(post, path = "/api/v1/schemes/{id}/steps", tag = "schemes", params(("id" = i64, Path)),
    request_body = StepDonePayload,
    responses((status = 200, body = SchemeView, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404, description = "no such scheme or step"),
        (status = 409, description = "stale version: `error.current` is the stored scheme"), (status = 422)))]
pub(super) async fn steps_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<StepDonePayload>,
) -> AppResult<Response> {
    let expected = action_version(p.version, &headers)?;
    let s = mark_step(&state, &ctx, &id, &p, expected).await?;
    let s = Scheme::load(&state, &ctx, s.id, Reach::Read).await?;
    let view = view_of(&state, &ctx, s).await?;
    Ok(crate::version::with_etag(view.scheme.version, view))
}

pub(super) async fn step_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(f): Form<StepDonePayload>,
) -> AppResult<Response> {
    let typed = Typed::of("step", serde_json::to_value(&f).unwrap_or_default());
    match mark_step(&state, &ctx, &id, &f, f.version).await {
        Ok(_) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/schemes/{id}#timeline")).into_response())
        }
        Err(e @ (AppError::Stale { .. } | AppError::Refused(_))) => {
            let errs = [refusal_field(e, "ord")];
            let (h, st) =
                detail_typed(&state, &ctx, &id, &errs, StatusCode::CONFLICT, &typed).await?;
            Ok((st, h).into_response())
        }
        // Say which field and why, on the page, with what was sent.
        Err(AppError::Validation(errs)) => {
            let (h, st) = detail_typed(
                &state,
                &ctx,
                &id,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
            )
            .await?;
            Ok((st, h).into_response())
        }
        Err(e) => Err(e),
    }
}
