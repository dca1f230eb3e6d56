//! Unit reports: the list, the form (values and narrative), the workflow actions.

use super::*;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub period_id: Option<String>,
    pub program_id: Option<String>,
    /// draft, submitted, returned, approved, locked.
    pub state: Option<String>,
    /// The reporting unit and the units inside it: a code ("083") or a name
    /// ("Bát Xát", "Y Tý, Lào Cai"); a name that fits several units answers 422
    /// naming `unit` with the candidates.
    pub unit: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    #[param(ignore)]
    pub page: Option<i64>,
}

/// The filter of a report list, with the unit it names (a code or a name), or
/// the error naming `unit`.
pub(super) async fn filter_of(
    state: &AppState,
    lang: Lang,
    q: &ReportQuery,
) -> AppResult<Result<(ReportFilter, Option<langnghe_store::geo::AdminUnit>), FieldError>> {
    let mut unit = None;
    if let Some(raw) = non_empty(&q.unit) {
        let holding = store::units_holding_reports(&state.db).await?;
        match crate::places::field_among(&state.db, lang, "unit", &raw, &holding).await? {
            Ok(u) => unit = Some(u),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok((
        ReportFilter {
            period_id: non_empty(&q.period_id).and_then(|s| s.parse().ok()),
            program_id: non_empty(&q.program_id).and_then(|s| s.parse().ok()),
            agency_id: None,
            state: non_empty(&q.state).filter(|s| ReportState::parse(s).is_some()),
            unit_id: unit.as_ref().map(|u| u.id),
        },
        unit,
    )))
}

/// Reports visible to the caller: an officer's own unit's, or all of the programmes in scope.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reporting", params(ReportQuery),
    responses((status = 200, body = crate::common::ListOf<ReportBody>),
        (status = 422, description = "`unit` names no unit, or several (the error lists them)")))]
pub(super) async fn reports_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let scope = report_scope(&ctx)?;
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let key = crate::kept::Key::answer(crate::kept::Area::Plans, &ctx)?;
    kept.answer(key, || async {
        let (filter, _) = filter_of(&state, ctx.lang, &q)
            .await?
            .map_err(|e| AppError::Validation(vec![e]))?;
        let (items, total) = store::list_reports(
            &state.db,
            scope,
            &filter,
            crate::extract::api_limit(q.limit),
            crate::extract::api_offset(q.offset),
        )
        .await?;
        let items: Vec<ReportBody> = items
            .into_iter()
            .map(|r| ReportBody::from(crate::views::named_report(ctx.lang, r)))
            .collect();
        Ok(crate::common::ListOf { items, total })
    })
    .await
}

pub(super) async fn reports_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let scope = report_scope(&ctx)?;
    let (page, offset) = page_offset(q.page);
    // A unit that names nothing or several: the page again (422) with what was
    // typed, the error beside the field and the candidates.
    let (filter, unit, errors) = match filter_of(&state, ctx.lang, &q).await? {
        Ok((f, u)) => (f, u, vec![]),
        Err(e) => (ReportFilter::default(), None, vec![e]),
    };
    let (items, total) = if errors.is_empty() {
        store::list_reports(&state.db, scope, &filter, PAGE_SIZE, offset).await?
    } else {
        (vec![], 0)
    };
    let errors = filter_errors(ctx.lang, &errors);
    let unit_label = crate::places::unit_label(&state.db, ctx.lang, unit.map(|u| u.id)).await?;
    let day = today();
    let rows: Vec<_> = items
        .iter()
        .map(|r| context! { r => r, st => unit_status(ctx.lang, r, day) })
        .collect();
    let errors_empty = errors.is_empty();
    let html = render(
        &state,
        &ctx,
        "reporting/list.html",
        context! {
            title => t(ctx.lang, "reports-title"),
            rows => rows,
            state_filter => q.state.clone().unwrap_or_default(),
            states => ReportState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            pager => pager(ctx.lang, page, PAGE_SIZE, total),
            query_base => serde_urlencoded::to_string([("state", q.state.clone().unwrap_or_default()), ("unit", q.unit.clone().unwrap_or_default())]).unwrap_or_default(),
            unit => q.unit.clone().unwrap_or_default(),
            unit_label => unit_label,
            errors => errors,
        },
    )?;
    let status = if errors_empty {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, html).into_response())
}

/// The filter's errors as the list page shows them (beside the field and in the summary).
fn filter_errors(lang: Lang, errors: &[FieldError]) -> Vec<minijinja::Value> {
    errors
        .iter()
        .map(|e| {
            let message = e.message(lang);
            context! {
                field => e.field,
                summary => format!("{}: {}", t(lang, "filter-unit"), message),
                message => message,
            }
        })
        .collect()
}

/// A finding as shown to people and programs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FindingView {
    pub line_id: i64,
    pub field: String,
    /// error or warning.
    pub severity: String,
    pub code: String,
    pub message: String,
    pub blocks_submission: bool,
}

pub(super) fn finding_views(lang: Lang, lines: &[Line], fs: &[Finding]) -> Vec<FindingView> {
    fs.iter()
        .map(|f| FindingView {
            line_id: lines.get(f.line).map(|l| l.id).unwrap_or_default(),
            field: f.field.to_string(),
            severity: match f.severity {
                langnghe_core::report_values::Severity::Error => "error".into(),
                langnghe_core::report_values::Severity::Warning => "warning".into(),
            },
            code: f.code.to_string(),
            message: match lang {
                Lang::Vi => f.message_vi.clone(),
                Lang::En => f.message_en.clone(),
            },
            blocks_submission: f.blocks_submission(),
        })
        .collect()
}

/// A report with its lines, the checks on them, its history and attachments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    #[serde(flatten)]
    pub report: ReportBody,
    pub lines: Vec<LineBody>,
    pub findings: Vec<FindingView>,
    pub events: Vec<EventBody>,
    pub attachments: Vec<AttachmentBody>,
    pub timeliness: UnitStatus,
    /// What the caller may do now: save, submit, return, approve, lock, reopen.
    pub actions: Vec<String>,
}

pub(super) fn allowed_actions(ctx: &Ctx, r: &Report) -> Vec<String> {
    let Ok((role, u)) = role(ctx) else {
        return vec![];
    };
    let Some(st) = ReportState::parse(&r.state) else {
        return vec![];
    };
    ReportAction::ALL
        .iter()
        .filter(|a| rules::transition(st, **a, role, u.agency_id == r.agency_id, Some("x")).is_ok())
        .map(|a| a.as_str().to_string())
        .collect()
}

pub(super) async fn view_of(state: &AppState, ctx: &Ctx, r: Report) -> AppResult<ReportView> {
    Ok(view_with_lines(state, ctx, r).await?.0)
}

/// The report's view, and its lines as stored (in the reader's words) for the
/// form, which labels them and lays what was typed over them.
pub(super) async fn view_with_lines(
    state: &AppState,
    ctx: &Ctx,
    r: Report,
) -> AppResult<(ReportView, Vec<Line>)> {
    let lines = crate::views::shown_lines(ctx.lang, store::lines(&state.db, r.id).await?);
    let period = store::period(&state.db, r.period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let findings = finding_views(ctx.lang, &lines, &store::check(&lines, period.jump_factor));
    let events = store::events(&state.db, r.id).await?;
    let attachments = store::attachments(&state.db, r.id).await?;
    let actions = allowed_actions(ctx, &r);
    let view = ReportView {
        timeliness: unit_status(ctx.lang, &r, today()),
        report: crate::views::named_report(ctx.lang, r).into(),
        lines: views(lines.clone()),
        findings,
        events: views(events),
        attachments: views(attachments),
        actions,
    };
    Ok((view, lines))
}

/// One report.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = ReportView), (status = 404)))]
pub(super) async fn report_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(r): Scoped<Report>,
) -> AppResult<Json<ReportView>> {
    Ok(Json(view_of(&state, &ctx, r).await?))
}

pub(super) const NARRATIVE_MAX: usize = 20_000;

/// Check the texts of an input (length, control characters) before anything is stored.
pub(super) fn check_input(input: &ReportInput, lines: &[Line]) -> Vec<FieldError> {
    let mut errors = vec![];
    for (name, v) in [
        ("results", &input.results),
        ("difficulties", &input.difficulties),
        ("causes", &input.causes),
        ("proposals", &input.proposals),
    ] {
        if let Some(v) = v {
            if clean_text(v, NARRATIVE_MAX).is_err() {
                errors.push(FieldError::new(name, "error-text"));
            }
        }
    }
    for li in &input.lines {
        let Some(l) = lines.iter().find(|l| l.id == li.id) else {
            errors.push(FieldError::new(
                &format!("line-{}", li.id),
                "error-line-unknown",
            ));
            continue;
        };
        if let Some(v) = &li.value {
            if clean_text(v, 100).is_err() {
                errors.push(FieldError::new(&format!("value-{}", l.id), "error-text"));
            }
        }
        if let Some(c) = &li.comment {
            if clean_text(c, 2_000).is_err() {
                errors.push(FieldError::new(&format!("comment-{}", l.id), "error-text"));
            }
        }
    }
    errors
}

/// The outcome of a save for the caller.
pub enum Saved {
    Ok(i64),
    Conflict(Box<store::Conflict>),
}

pub(super) async fn do_save(
    state: &AppState,
    ctx: &Ctx,
    r: &Report,
    input: &ReportInput,
) -> AppResult<Saved> {
    let (role, u) = role(ctx)?;
    let st = ReportState::parse(&r.state).ok_or(AppError::NotFound)?;
    if let Err(e) = rules::transition(
        st,
        ReportAction::Save,
        role,
        u.agency_id == r.agency_id,
        None,
    ) {
        return Err(transition_error(e));
    }
    let lines = store::lines(&state.db, r.id).await?;
    let errors = check_input(input, &lines);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    match store::save(&state.db, &ctx.actor(), r, input).await {
        Ok(v) => Ok(Saved::Ok(v)),
        Err(SaveError::Conflict(c)) => Ok(Saved::Conflict(c)),
        Err(SaveError::Store(e)) => Err(e.into()),
    }
}

pub(super) fn transition_error(e: rules::TransitionError) -> AppError {
    use rules::TransitionError as E;
    match e {
        E::RoleNotAllowed { .. } | E::NotOwnerUnit => AppError::Forbidden,
        E::ReasonRequired { .. } => {
            AppError::Validation(vec![FieldError::new("reason", "error-required")])
        }
        E::NotEditable { state }
        | E::NotSubmitted { state }
        | E::NotApproved { state }
        | E::NotLocked { state } => AppError::Refused(
            FieldError::new("state", e.key())
                .arg_key("state", &format!("report-state-{}", state.as_str())),
        ),
    }
}

/// A conflicting save: what you sent and what is stored now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConflictBody {
    pub error: String,
    pub message: String,
    pub yours: ReportInputBody,
    pub current: ReportBody,
    pub current_lines: Vec<LineBody>,
}

pub(super) fn conflict_response(
    lang: Lang,
    yours: ReportInputBody,
    c: store::Conflict,
) -> Response {
    let message = t_args(
        lang,
        "report-conflict",
        &[
            ("who", c.current.updated_by.clone().unwrap_or_default()),
            ("when", vnfmt::format_datetime(c.current.updated_at)),
        ],
    );
    (
        StatusCode::CONFLICT,
        axum::Json(ConflictBody {
            error: "conflict".into(),
            message,
            yours,
            current: crate::views::named_report(lang, c.current).into(),
            current_lines: views(crate::views::shown_lines(lang, c.current_lines)),
        }),
    )
        .into_response()
}

/// Save a draft (values as typed, narrative). Send the `version` you read:
/// if someone saved in between, the answer is 409 with both versions.
#[utoipa::path(put, path = "/api/v1/reports/{id}", tag = "reporting", params(("id" = i64, Path)),
    request_body = ReportInputBody,
    responses((status = 200, body = ReportView), (status = 409, body = ConflictBody), (status = 403), (status = 422)))]
pub(super) async fn save_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(r): Scoped<Report>,
    Json(body): Json<ReportInputBody>,
) -> AppResult<Response> {
    let input = ReportInput::from(body.clone());
    match do_save(&state, &ctx, &r, &input).await? {
        Saved::Ok(_) => {
            let r = Report::load(&state, &ctx, r.id, Reach::Read).await?;
            Ok(Json(view_of(&state, &ctx, r).await?).into_response())
        }
        Saved::Conflict(c) => Ok(conflict_response(ctx.lang, body, *c)),
    }
}

/// Reason for return / reopen.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReasonPayload {
    #[serde(default)]
    pub reason: Option<String>,
}

pub(super) async fn act(
    state: &AppState,
    ctx: &Ctx,
    r: Report,
    action: ReportAction,
    reason: Option<&str>,
) -> AppResult<Report> {
    let (role, u) = role(ctx)?;
    let st = ReportState::parse(&r.state).ok_or(AppError::NotFound)?;
    let reason = match reason {
        Some(x) => Some(
            clean_text(x, 2_000)
                .map_err(|_| AppError::Validation(vec![FieldError::new("reason", "error-text")]))?,
        ),
        None => None,
    };
    let to = rules::transition(
        st,
        action,
        role,
        u.agency_id == r.agency_id,
        reason.as_deref(),
    )
    .map_err(transition_error)?;
    if action == ReportAction::Submit {
        let lines = store::lines(&state.db, r.id).await?;
        let period = store::period(&state.db, r.period_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let blocking: Vec<FieldError> = store::check(&lines, period.jump_factor)
            .iter()
            .filter(|f| f.blocks_submission())
            .map(|f| {
                let l = &lines[f.line];
                FieldError::new(&format!("{}-{}", f.field, l.id), "report-finding").arg(
                    "message",
                    match ctx.lang {
                        Lang::Vi => &f.message_vi,
                        Lang::En => &f.message_en,
                    },
                )
            })
            .collect();
        if !blocking.is_empty() {
            return Err(AppError::Validation(blocking));
        }
    }
    store::set_state(&state.db, &ctx.actor(), &r, action, to, reason.as_deref()).await?;
    if matches!(
        action,
        ReportAction::Return | ReportAction::Reopen | ReportAction::Approve
    ) {
        reminders::tell_unit(state, &r, action, reason.as_deref()).await?;
    }
    Report::load(state, ctx, r.id, Reach::Read).await
}

/// The optional JSON body of a workflow action: `{"reason": "…"}` or nothing.
pub(super) fn reason_of(body: &[u8]) -> AppResult<Option<String>> {
    crate::extract::optional_json_body::<ReasonPayload>(body).map(|p| p.reason)
}

macro_rules! action_api {
    ($name:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "reporting", params(("id" = i64, Path)),
            request_body(content = Option<ReasonPayload>, description = "optional; `reason` is required to return or reopen"),
            responses((status = 200, body = ReportView), (status = 403), (status = 409), (status = 422)))]
        pub(super) async fn $name(
            State(state): State<AppState>,
            ctx: Ctx,
            Scoped(r): Scoped<Report>,
            body: axum::body::Bytes,
        ) -> AppResult<Json<ReportView>> {
            let reason = reason_of(&body)?;
            let r = act(&state, &ctx, r, $action, reason.as_deref()).await?;
            Ok(Json(view_of(&state, &ctx, r).await?))
        }
    };
}

action_api!(
    submit_api,
    "/api/v1/reports/{id}/submit",
    ReportAction::Submit,
    "Submit a report (refused while it has errors or warnings without a comment)."
);
action_api!(
    return_api,
    "/api/v1/reports/{id}/return",
    ReportAction::Return,
    "Return a submitted report to its unit with a comment."
);
action_api!(
    approve_api,
    "/api/v1/reports/{id}/approve",
    ReportAction::Approve,
    "Approve a submitted report: it counts in the consolidation."
);
action_api!(
    lock_api,
    "/api/v1/reports/{id}/lock",
    ReportAction::Lock,
    "Lock an approved report."
);
action_api!(
    reopen_api,
    "/api/v1/reports/{id}/reopen",
    ReportAction::Reopen,
    "Reopen an approved or locked report with a reason (audited)."
);

/// The report form as posted by the browser: `value-<line>`, `comment-<line>`, narrative, version.
pub(super) fn input_from_form(form: &BTreeMap<String, String>) -> ReportInput {
    let mut input = ReportInput {
        version: form
            .get("version")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        results: form.get("results").cloned(),
        difficulties: form.get("difficulties").cloned(),
        causes: form.get("causes").cloned(),
        proposals: form.get("proposals").cloned(),
        lines: vec![],
    };
    let mut ids: Vec<i64> = form
        .keys()
        .filter_map(|k| {
            k.strip_prefix("value-")
                .or_else(|| k.strip_prefix("comment-"))
        })
        .filter_map(|id| id.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        input.lines.push(store::LineInput {
            id,
            value: form.get(&format!("value-{id}")).cloned(),
            comment: form.get(&format!("comment-{id}")).cloned(),
        });
    }
    input
}

pub(super) struct FormState<'a> {
    pub(super) errors: &'a [FieldError],
    pub(super) conflict: Option<&'a store::Conflict>,
    pub(super) mine: Option<&'a ReportInput>,
    pub(super) status: StatusCode,
}

pub(super) async fn form_view(
    state: &AppState,
    ctx: &Ctx,
    r: Report,
    fs: FormState<'_>,
) -> AppResult<Response> {
    let (mut view, mut lines) = view_with_lines(state, ctx, r).await?;
    // Show what the person typed, not what is stored, when the save did not go through.
    if let Some(mine) = fs.mine {
        let _ = store::apply_input(&mut lines, mine);
        let period = store::period(&state.db, view.report.period_id)
            .await?
            .ok_or(AppError::NotFound)?;
        view.findings = finding_views(ctx.lang, &lines, &store::check(&lines, period.jump_factor));
        view.lines = views(lines.clone());
        if let Some(v) = &mine.results {
            view.report.results = v.clone();
        }
        if let Some(v) = &mine.difficulties {
            view.report.difficulties = v.clone();
        }
        if let Some(v) = &mine.causes {
            view.report.causes = v.clone();
        }
        if let Some(v) = &mine.proposals {
            view.report.proposals = v.clone();
        }
    }
    let conflict_rows: Vec<_> = fs
        .conflict
        .map(|c| {
            let mut rows = vec![];
            for l in &lines {
                if let Some(cur) = c.current_lines.iter().find(|x| x.id == l.id) {
                    if cur.value_text.trim() != l.value_text.trim() || cur.comment != l.comment {
                        rows.push(context! { label => format!("{} — {}", store::line_label(l), l.indicator_name), mine => l.value_text.clone(), theirs => cur.value_text.clone() });
                    }
                }
            }
            for (key, mine, theirs) in [
                ("report-results", &view.report.results, &c.current.results),
                ("report-difficulties", &view.report.difficulties, &c.current.difficulties),
                ("report-causes", &view.report.causes, &c.current.causes),
                ("report-proposals", &view.report.proposals, &c.current.proposals),
            ] {
                if mine.trim() != theirs.trim() {
                    rows.push(context! { label => t(ctx.lang, key), mine => mine, theirs => theirs });
                }
            }
            rows
        })
        .unwrap_or_default();
    // After a conflict the form carries the stored version: saving again keeps the person's values.
    if let Some(c) = fs.conflict {
        view.report.version = c.current.version;
    }
    let editable = view.actions.iter().any(|a| a == "save");
    let by_line: BTreeMap<i64, Vec<&FindingView>> =
        view.findings.iter().fold(BTreeMap::new(), |mut m, f| {
            m.entry(f.line_id).or_default().push(f);
            m
        });
    let line_rows: Vec<_> = lines
        .iter()
        .map(|l| {
            context! {
                l => l,
                label => store::line_label(l),
                is_part => !l.category.is_empty(),
                findings => by_line.get(&l.id).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let blocking = view.findings.iter().filter(|f| f.blocks_submission).count();
    let html = render(
        state,
        ctx,
        "reporting/report.html",
        context! {
            title => format!("{} — {}", view.report.agency_name, crate::views::period_name(ctx.lang, &view.report.period_label)),
            v => view,
            line_rows => line_rows,
            editable => editable,
            blocking => blocking,
            errors => crate::views::field_errors(ctx.lang, fs.errors),
            conflict => fs.conflict.map(|c| t_args(ctx.lang, "report-conflict", &[("who", c.current.updated_by.clone().unwrap_or_default()), ("when", vnfmt::format_datetime(c.current.updated_at))])),
            conflict_rows => conflict_rows,
            due_text => crate::views::date_in(ctx.lang, view.report.due_on),
        },
    )?;
    let mut res = html.into_response();
    *res.status_mut() = fs.status;
    Ok(res)
}

/// The report form again with the errors of what was just sent.
pub(super) async fn form_with_errors(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: &[FieldError],
) -> AppResult<Response> {
    let r = Report::load(state, ctx, id, Reach::Read).await?;
    form_view(
        state,
        ctx,
        r,
        FormState {
            errors,
            conflict: None,
            mine: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        },
    )
    .await
}

pub(super) async fn report_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(r): Scoped<Report>,
) -> AppResult<Response> {
    form_view(
        &state,
        &ctx,
        r,
        FormState {
            errors: &[],
            conflict: None,
            mine: None,
            status: StatusCode::OK,
        },
    )
    .await
}

pub(super) async fn save_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Scoped(r): Scoped<Report>,
    Form(form): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let id = r.id;
    let input = input_from_form(&form);
    let submit = form.get("intent").map(String::as_str) == Some("submit");
    let (errors, conflict, status) = match do_save(&state, &ctx, &r, &input).await {
        Ok(Saved::Ok(_)) => return after_save(&state, &ctx, &session, id, submit).await,
        Ok(Saved::Conflict(c)) => (vec![], Some(c), StatusCode::CONFLICT),
        Err(AppError::Validation(errors)) => (errors, None, StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(e),
    };
    let form = FormState {
        errors: &errors,
        conflict: conflict.as_deref(),
        mine: Some(&input),
        status,
    };
    form_view(&state, &ctx, r, form).await
}

/// After a draft is saved: submit it when asked (the form again with what blocks
/// the submission), else say it is saved; then back to the report.
async fn after_save(
    state: &AppState,
    ctx: &Ctx,
    session: &Session,
    id: i64,
    submit: bool,
) -> AppResult<Response> {
    if !submit {
        ctx::flash(session, "success", t(ctx.lang, "saved")).await;
        return Ok(Redirect::to(&format!("/reports/{id}")).into_response());
    }
    let r = Report::load(state, ctx, id, Reach::Read).await?;
    match act(state, ctx, r, ReportAction::Submit, None).await {
        Ok(_) => {
            ctx::flash(session, "success", t(ctx.lang, "report-submitted")).await;
            Ok(Redirect::to(&format!("/reports/{id}")).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let r = Report::load(state, ctx, id, Reach::Read).await?;
            let form = FormState {
                errors: &errors,
                conflict: None,
                mine: None,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            form_view(state, ctx, r, form).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ActionForm {
    action: String,
    #[serde(default)]
    reason: Option<String>,
}

pub(super) async fn action_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Scoped(r): Scoped<Report>,
    Form(f): Form<ActionForm>,
) -> AppResult<Response> {
    let action = ReportAction::parse(f.action.trim())
        .filter(|a| *a != ReportAction::Save)
        .ok_or_else(|| AppError::bad("error-choice"))?;
    let id = r.id;
    match act(&state, &ctx, r, action, f.reason.as_deref()).await {
        Ok(_) => {
            ctx::flash(
                &session,
                "success",
                t(ctx.lang, &format!("report-done-{}", action.as_str())),
            )
            .await;
            Ok(Redirect::to(&format!("/reports/{id}")).into_response())
        }
        Err(AppError::Validation(errors)) => form_with_errors(&state, &ctx, id, &errors).await,
        Err(e) => Err(e),
    }
}
