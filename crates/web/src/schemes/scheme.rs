//! Schemes: the list, one scheme's page (contents, rules, timeline, applications).

use super::*;

/// Schemes visible to the caller (the department's, and those its units register for).
#[utoipa::path(get, path = "/api/v1/schemes", tag = "schemes",
    responses((status = 200, body = crate::common::ListOf<SchemeBody>)))]
pub(super) async fn list_api(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<crate::common::ListOf<SchemeBody>>> {
    let u = ctx.user()?;
    let items: Vec<SchemeBody> = views(store::list(&state.db, u.scope_unit_id).await?);
    let total = items.len() as i64;
    Ok(Json(crate::common::ListOf { items, total }))
}

pub(super) async fn list_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let u = ctx.user()?;
    let items = store::list(&state.db, u.scope_unit_id).await?;
    render(
        &state,
        &ctx,
        "schemes/list.html",
        context! { title => t(ctx.lang, "schemes-title"), items => items },
    )
}

/// A scheme with its contents, rules, timeline and budget use.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SchemeView {
    #[serde(flatten)]
    pub scheme: SchemeBody,
    pub contents: Vec<ContentBody>,
    #[schema(value_type = Vec<Object>)]
    pub eligibility_rules: Vec<EligibilityRule>,
    #[schema(value_type = Vec<Object>)]
    pub priority_rules: Vec<PriorityRule>,
    pub steps: Vec<StepView>,
    pub budget_left_dong: i64,
    /// Days the liquidation deadline is passed for contracts not liquidated (0 when none).
    pub liquidation_overdue: Vec<(String, i64)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    #[serde(flatten)]
    pub step: StepBody,
    /// done, done_late, open, late.
    pub state: String,
    pub state_label: String,
}

pub(super) async fn view_of(state: &AppState, ctx: &Ctx, s: Scheme) -> AppResult<SchemeView> {
    let contents = store::contents(&state.db, s.id).await?;
    let day = today();
    let steps = store::steps(&state.db, s.id)
        .await?
        .into_iter()
        .map(|st| {
            let core = rules::Step {
                order: st.ord.max(0) as u32,
                text: st.text.clone(),
                lead: st.lead_agency_name.clone(),
                coordinating: st.coordinating.clone(),
                start: st.start_on,
                due: st.due_on,
                done_on: st.done_on,
            };
            let sst = rules::step_state(&core, day);
            StepView {
                step: st.into(),
                state: sst.code().into(),
                state_label: match ctx.lang {
                    Lang::Vi => sst.label_vi().into(),
                    Lang::En => sst.label_en().into(),
                },
            }
        })
        .collect();
    let mut overdue = vec![];
    if let Some(by) = s.liquidate_by {
        let u = ctx.user()?;
        for a in store::applications(&state.db, s.id, u.scope_unit_id).await? {
            if Stage::parse(&a.state).is_some_and(Stage::is_under_contract) {
                if let Some(d) = rules::liquidation_overdue(by, None, day) {
                    overdue.push((a.applicant.clone(), d));
                }
            }
        }
    }
    Ok(SchemeView {
        budget_left_dong: s.budget_dong.saturating_sub(s.selected_dong),
        eligibility_rules: json_list(&s.eligibility),
        priority_rules: json_list(&s.priority),
        scheme: s.into(),
        contents: views(contents),
        steps,
        liquidation_overdue: overdue,
    })
}

/// One scheme; its version is also the `ETag` (name it to change the scheme).
#[utoipa::path(get, path = "/api/v1/schemes/{id}", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, body = SchemeView, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
pub(super) async fn get_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(s): Scoped<Scheme>,
) -> AppResult<Response> {
    let view = view_of(&state, &ctx, s).await?;
    Ok(crate::version::with_etag(view.scheme.version, view))
}

/// The scheme as stored now, for a 409.
pub(super) async fn stale_scheme(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<AppError> {
    let s = Scheme::load(state, ctx, id, Reach::Read).await?;
    Ok(crate::version::stale(&view_of(state, ctx, s).await?))
}

pub(super) fn gantt_of(lang: Lang, steps: &[StepView]) -> String {
    let bars: Vec<crate::gantt::Bar> = steps
        .iter()
        .map(|s| crate::gantt::Bar {
            order: s.step.ord.max(0) as u32,
            label: s.step.text.clone(),
            lead: s.step.lead_agency_name.clone(),
            start: s.step.start_on,
            due: s.step.due_on,
            done_on: s.step.done_on,
            state: s.state.clone(),
            state_label: s.state_label.clone(),
        })
        .collect();
    let labels = crate::gantt::Labels {
        title: t(lang, "scheme-timeline"),
        today: t(lang, "today"),
        legend: ["done", "done_late", "open", "late"]
            .iter()
            .map(|k| (k.to_string(), t(lang, &format!("step-state-{k}"))))
            .collect(),
        no_dates: t(lang, "scheme-no-dates"),
    };
    crate::gantt::svg(&bars, today(), &labels)
}

pub(super) async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    detail(&state, &ctx, &id, &[], StatusCode::OK)
        .await
        .map(|(h, _)| h)
}

/// What a person typed into one of a page's forms, given back with the
/// errors: the form's name (`register`, `decision`, a step's `step-N`,
/// an application action) and its fields.
#[derive(Debug, Clone)]
pub(super) struct Typed {
    pub(super) form: String,
    pub(super) fields: serde_json::Value,
}

impl Default for Typed {
    fn default() -> Self {
        Self::of("", serde_json::json!({}))
    }
}

impl Typed {
    pub(super) fn of(form: &str, fields: serde_json::Value) -> Self {
        Self {
            form: form.to_owned(),
            fields,
        }
    }

    /// The fields over `blank` (every field a form of the page has, null),
    /// so the page's templates can read any of them.
    pub(super) fn over(&self, blank: &serde_json::Value) -> serde_json::Value {
        let mut out = blank.clone();
        if let (serde_json::Value::Object(o), serde_json::Value::Object(f)) =
            (&mut out, &self.fields)
        {
            for (k, v) in f {
                o.insert(k.clone(), v.clone());
            }
        }
        out
    }
}

/// Every field of the scheme page's forms (register, decision, step), null.
pub(super) fn detail_blank() -> serde_json::Value {
    let mut o = serde_json::Map::new();
    for k in [
        "village_id",
        "applicant",
        "recognised_by",
        "unit_agency",
        "earlier_years",
        "registered_on",
        "representative",
        "legal_status",
        "has_seal",
        "bank_account",
        "content[]",
        "number",
        "issued_on",
        "title",
        "ord",
        "done_on",
        "version",
    ] {
        o.insert(k.to_owned(), serde_json::Value::Null);
    }
    serde_json::Value::Object(o)
}

/// Every field of the application page's forms, null.
pub(super) fn app_blank() -> serde_json::Value {
    serde_json::to_value(AppActionPayload::default()).unwrap_or_default()
}

/// The form fields of a urlencoded body: each name's first value, and every
/// value of the names that repeat (checkboxes) under `name[]`.
pub(super) fn typed_pairs(pairs: &[(String, String)]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in pairs {
        if k == "csrf_token" {
            continue;
        }
        if !map.contains_key(k) {
            map.insert(k.clone(), serde_json::Value::from(v.clone()));
        }
        let all = map
            .entry(format!("{k}[]"))
            .or_insert_with(|| serde_json::Value::Array(vec![]));
        if let serde_json::Value::Array(a) = all {
            a.push(serde_json::Value::from(v.clone()));
        }
    }
    serde_json::Value::Object(map)
}

pub(super) async fn detail(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<(Html<String>, StatusCode)> {
    detail_typed(state, ctx, id, errors, status, &Typed::default()).await
}

pub(super) async fn detail_typed(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: &[FieldError],
    status: StatusCode,
    typed: &Typed,
) -> AppResult<(Html<String>, StatusCode)> {
    let s = crate::scoped::load::<Scheme>(state, ctx, id, Reach::Read).await?;
    let u = ctx.user()?;
    let apps: Vec<AppItem> = store::applications(&state.db, s.id, u.scope_unit_id)
        .await?
        .into_iter()
        .map(|a| app_item(ctx.lang, a))
        .collect();
    let view = view_of(state, ctx, s).await?;
    let gantt = gantt_of(ctx.lang, &view.steps);
    let villages = village_options(state, ctx).await?;
    let is_unit = role(ctx)? == Role::Officer;
    let html = render(
        state,
        ctx,
        "schemes/detail.html",
        context! {
            title => view.scheme.title.clone(),
            v => view,
            apps => apps,
            gantt => minijinja::Value::from_safe_string(gantt),
            is_department => department(ctx).is_ok(),
            is_unit => is_unit,
            villages => villages,
            errors => crate::views::field_errors(ctx.lang, errors),
            today => vnfmt::format_date(today()),
            typed_form => typed.form.clone(),
            typed => typed.over(&detail_blank()),
            typed_blank => detail_blank(),
        },
    )?;
    Ok((html, status))
}

pub(super) async fn village_options(state: &AppState, ctx: &Ctx) -> AppResult<Vec<(i64, String)>> {
    let u = ctx.user()?;
    Ok(langnghe_store::registry::options(
        &state.db,
        langnghe_store::registry::spec::Entity::Village,
        u.scope_unit_id,
        2_000,
    )
    .await?)
}
