//! Defining a scheme: its contents, rules, budget and timeline (create and edit, form and JSON).

use super::*;

/// A support content as entered: cost in Vietnamese form ("60.000.000", "60 triệu đồng").
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ContentPayload {
    pub key: String,
    pub name: String,
    pub unit_cost: String,
    /// Code of the programme indicator an accepted content counts towards.
    #[serde(default)]
    pub indicator: Option<String>,
}

/// A step of the timeline: dates "1/5/2017"; lead agency key.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StepPayload {
    pub text: String,
    #[serde(default)]
    pub lead: Option<String>,
    #[serde(default)]
    pub start_on: Option<String>,
    #[serde(default)]
    pub due_on: Option<String>,
    /// The coordinating units, as the plan lists them.
    #[serde(default)]
    pub coordinating: Option<String>,
}

/// A support scheme, as defined or changed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SchemePayload {
    pub program_id: i64,
    pub title: String,
    pub year: i64,
    /// "3.000.000.000" or "3 tỷ đồng".
    pub budget: String,
    pub contents: Vec<ContentPayload>,
    /// village_recognised, registered_through_unit, has_legal_status.
    #[serde(default)]
    pub eligibility: Vec<String>,
    /// Ordered: `{"kind": "registered_in", "years": [2014, 2015]}`, `{"kind": "all_contents"}`, `{"kind": "earlier_registration"}`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub priority: Vec<PriorityRule>,
    /// none, round_robin or cap.
    #[serde(default)]
    pub fair_share: Option<String>,
    #[serde(default)]
    pub fair_cap: Option<i64>,
    #[serde(default)]
    pub liquidate_by: Option<String>,
    /// Budget line of the programme (id); default its first.
    #[serde(default)]
    pub budget_line_id: Option<i64>,
    /// Agency keys or ids.
    #[serde(default)]
    pub lead_agency: Option<String>,
    #[serde(default)]
    pub partner_agency: Option<String>,
    #[serde(default)]
    pub steps: Vec<StepPayload>,
    /// Changes only: the version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

pub(super) async fn agency_ref(state: &AppState, v: &Option<String>) -> AppResult<Option<i64>> {
    Ok(match non_empty(v) {
        None => None,
        Some(k) => match k.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => langnghe_store::agencies::id_by_key(&state.db, &k).await?,
        },
    })
}

/// The one validation of a scheme, for definition and change: its programme,
/// contents, rules, budget and timeline, inside the caller's scope.
pub(super) async fn check_scheme(
    state: &AppState,
    ctx: &Ctx,
    p: &SchemePayload,
) -> AppResult<store::NewScheme> {
    department(ctx)?;
    let u = ctx.user()?;
    let program = langnghe_store::programs::get(&state.db, u.scope_unit_id, p.program_id)
        .await?
        .ok_or_else(|| AppError::Validation(vec![FieldError::new("program_id", "error-choice")]))?;
    let mut errors = vec![];
    let title = clean_text(&p.title, 500).unwrap_or_default();
    if title.is_empty() {
        errors.push(FieldError::new("title", "error-required"));
    }
    if !(1990..=2100).contains(&p.year) {
        errors.push(FieldError::new("year", "error-year"));
    }
    let budget = match vnfmt::parse_money_dong(&p.budget) {
        Ok(v) if v > 0 => v,
        _ => {
            errors.push(FieldError::new("budget", "error-money").arg("value", p.budget.trim()));
            0
        }
    };
    let inds = langnghe_store::programs::indicators(&state.db, program.id).await?;
    let mut contents = vec![];
    if p.contents.is_empty() {
        errors.push(FieldError::new("contents", "error-required"));
    }
    for (i, c) in p.contents.iter().enumerate() {
        let key = c.key.trim().to_string();
        let name = clean_text(&c.name, 500).unwrap_or_default();
        if key.is_empty()
            || name.is_empty()
            || contents.iter().any(|x: &store::Content| x.key == key)
        {
            errors.push(FieldError::new(&format!("contents.{i}"), "error-required"));
            continue;
        }
        let cost = match vnfmt::parse_money_dong(&c.unit_cost) {
            Ok(v) if v >= 0 => v,
            _ => {
                errors.push(
                    FieldError::new(&format!("contents.{i}.unit_cost"), "error-money")
                        .arg("value", c.unit_cost.trim()),
                );
                0
            }
        };
        let indicator_id = match non_empty(&c.indicator) {
            None => None,
            Some(code) => match inds.iter().find(|x| x.code == code) {
                Some(x) => Some(x.id),
                None => {
                    errors.push(FieldError::new(
                        &format!("contents.{i}.indicator"),
                        "error-choice",
                    ));
                    None
                }
            },
        };
        contents.push(store::Content {
            key,
            name,
            unit_cost_dong: cost,
            indicator_id,
        });
    }
    let mut eligibility = vec![];
    for e in &p.eligibility {
        match e.as_str() {
            "village_recognised" => eligibility.push(EligibilityRule::VillageRecognised),
            "registered_through_unit" => eligibility.push(EligibilityRule::RegisteredThroughUnit),
            "has_legal_status" => eligibility.push(EligibilityRule::HasLegalStatus),
            // "custom:key:label" — decided by a reviewer.
            other => match other
                .strip_prefix("custom:")
                .and_then(|r| r.split_once(':'))
            {
                Some((key, label)) if !key.trim().is_empty() && !label.trim().is_empty() => {
                    eligibility.push(EligibilityRule::Custom {
                        key: key.trim().to_string(),
                        label: clean_text(label, 300).unwrap_or_default(),
                    })
                }
                _ => errors.push(FieldError::new("eligibility", "error-choice")),
            },
        }
    }
    let fair = non_empty(&p.fair_share).unwrap_or_else(|| "round_robin".into());
    if !matches!(fair.as_str(), "none" | "round_robin" | "cap") {
        errors.push(FieldError::new("fair_share", "error-choice"));
    }
    if fair == "cap" && p.fair_cap.is_none_or(|c| c <= 0) {
        errors.push(FieldError::new("fair_cap", "error-number-plain"));
    }
    let liquidate_by = match non_empty(&p.liquidate_by) {
        None => None,
        Some(d) => match vnfmt::parse_date(&d) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("liquidate_by", "error-date"));
                None
            }
        },
    };
    let mut steps = vec![];
    for (i, st) in p.steps.iter().enumerate() {
        let d = |v: &Option<String>, errors: &mut Vec<FieldError>, f: &str| match non_empty(v) {
            None => None,
            Some(x) => vnfmt::parse_date(&x)
                .map_err(|_| errors.push(FieldError::new(&format!("steps.{i}.{f}"), "error-date")))
                .ok(),
        };
        let start_on = d(&st.start_on, &mut errors, "start_on");
        let due_on = d(&st.due_on, &mut errors, "due_on");
        steps.push(store::Step {
            ord: i as i64 + 1,
            text: clean_text(&st.text, 2_000).unwrap_or_default(),
            lead_agency_id: agency_ref(state, &st.lead).await?,
            lead_agency_name: None,
            coordinating: non_empty(&st.coordinating).and_then(|c| clean_text(&c, 500).ok()),
            start_on,
            due_on,
            done_on: None,
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (lines, _) = langnghe_store::programs::budget(&state.db, program.id).await?;
    let budget_line_id = p
        .budget_line_id
        .filter(|b| lines.iter().any(|l| l.id == *b))
        .or(lines.first().map(|l| l.id));
    Ok(store::NewScheme {
        key: None,
        program_id: program.id,
        budget_line_id,
        title,
        year: p.year,
        budget_dong: budget,
        eligibility: serde_json::to_string(&eligibility).unwrap_or_else(|_| "[]".into()),
        priority: serde_json::to_string(&p.priority).unwrap_or_else(|_| "[]".into()),
        fair_share: fair,
        fair_cap: p.fair_cap,
        liquidate_by,
        indicator_id: contents.iter().find_map(|c| c.indicator_id),
        lead_agency_id: agency_ref(state, &p.lead_agency)
            .await?
            .or(program.lead_agency_id),
        partner_agency_id: agency_ref(state, &p.partner_agency).await?,
        notes: None,
        contents,
        steps,
    })
}

pub(super) fn duplicate_content(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => {
            AppError::Validation(vec![FieldError::new("contents", "error-duplicate")])
        }
        e => e.into(),
    }
}

pub(super) async fn create(state: &AppState, ctx: &Ctx, p: &SchemePayload) -> AppResult<i64> {
    let new = check_scheme(state, ctx, p).await?;
    store::insert(&state.db, &ctx.actor(), &new)
        .await
        .map_err(duplicate_content)
}

/// Change a scheme read at version `expected`.
pub(super) async fn update(
    state: &AppState,
    ctx: &Ctx,
    s: &Scheme,
    expected: i64,
    p: &SchemePayload,
) -> AppResult<Scheme> {
    let mut new = check_scheme(state, ctx, p).await?;
    if new.program_id != s.program_id {
        return Err(AppError::Validation(vec![FieldError::new(
            "program_id",
            "scheme-program-fixed",
        )]));
    }
    new.key = s.key.clone();
    new.notes = s.notes.clone();
    match store::update(&state.db, &ctx.actor(), s.id, Some(expected), &new).await {
        Ok(Ok(saved)) => Ok(saved),
        Ok(Err(r)) => Err(refused(ctx.lang, r)),
        Err(StoreError::Stale { .. }) => Err(stale_scheme(state, ctx, s.id).await?),
        Err(e) => Err(duplicate_content(e)),
    }
}

/// Define a support scheme under a programme: contents with costs, rules, budget, timeline.
#[utoipa::path(post, path = "/api/v1/schemes", tag = "schemes", request_body = SchemePayload,
    responses((status = 201, body = SchemeView), (status = 403), (status = 422)))]
pub(super) async fn create_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(p): Json<SchemePayload>,
) -> AppResult<Response> {
    let id = create(&state, &ctx, &p).await?;
    let s = Scheme::load(&state, &ctx, id, Reach::Read).await?;
    Ok((StatusCode::CREATED, Json(view_of(&state, &ctx, s).await?)).into_response())
}

/// Change a scheme: its title, year, budget, contents (by key), rules, fair
/// share, liquidation deadline and timeline (a step keeps the day it was
/// done), validated as when it was defined. A content an application applied
/// for cannot go, and the budget cannot go below what is selected (422). Name
/// the version read (`version` or `If-Match`): without one 428, stale 409 with
/// the stored scheme in `error.current`.
#[utoipa::path(put, path = "/api/v1/schemes/{id}", tag = "schemes", params(("id" = i64, Path)), request_body = SchemePayload,
    responses((status = 200, body = SchemeView, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored scheme"),
        (status = 422), (status = 428, description = "no version given")))]
pub(super) async fn update_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<SchemePayload>,
) -> AppResult<Response> {
    department(&ctx)?;
    let s = crate::scoped::load::<Scheme>(&state, &ctx, &id, Reach::Read).await?;
    let expected = crate::version::expected(p.version, &headers)?;
    let saved = update(&state, &ctx, &s, expected, &p).await?;
    let s = Scheme::load(&state, &ctx, saved.id, Reach::Read).await?;
    let view = view_of(&state, &ctx, s).await?;
    Ok(crate::version::with_etag(view.scheme.version, view))
}

/// The scheme form: contents, steps and reviewer-decided rules one per line.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(super) struct SchemeForm {
    #[serde(default)]
    program_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    budget: String,
    /// "key | name | cost | indicator code" per line.
    #[serde(default)]
    contents: String,
    /// "start | due | lead key | text | coordinating" per line.
    #[serde(default)]
    steps: String,
    #[serde(default)]
    registered_in: String,
    #[serde(default)]
    all_contents: Option<String>,
    #[serde(default)]
    village_recognised: Option<String>,
    #[serde(default)]
    registered_through_unit: Option<String>,
    #[serde(default)]
    has_legal_status: Option<String>,
    /// Conditions a reviewer decides: "key | label" per line.
    #[serde(default)]
    custom_rules: String,
    #[serde(default)]
    fair_share: String,
    #[serde(default)]
    fair_cap: String,
    #[serde(default)]
    liquidate_by: String,
    /// Changes only: the version the form was read at.
    #[serde(default)]
    version: String,
}

pub(super) fn payload_of(f: &SchemeForm) -> SchemePayload {
    let split = |l: &str| {
        l.split('|')
            .map(|x| x.trim().to_string())
            .collect::<Vec<_>>()
    };
    let mut priority = vec![];
    let years: Vec<i32> = f
        .registered_in
        .split([',', ' ', ';'])
        .filter_map(|y| y.trim().parse().ok())
        .collect();
    if !years.is_empty() {
        priority.push(PriorityRule::RegisteredIn { years });
    }
    if truthy(&f.all_contents) {
        priority.push(PriorityRule::AllContents);
    }
    priority.push(PriorityRule::EarlierRegistration);
    let mut eligibility: Vec<String> = [
        ("village_recognised", &f.village_recognised),
        ("registered_through_unit", &f.registered_through_unit),
        ("has_legal_status", &f.has_legal_status),
    ]
    .iter()
    .filter(|(_, v)| truthy(v))
    .map(|(k, _)| k.to_string())
    .collect();
    for l in f.custom_rules.lines().filter(|l| !l.trim().is_empty()) {
        let p = split(l);
        eligibility.push(format!(
            "custom:{}:{}",
            p.first().cloned().unwrap_or_default(),
            p.get(1).cloned().unwrap_or_default()
        ));
    }
    SchemePayload {
        program_id: f.program_id.trim().parse().unwrap_or(0),
        title: f.title.clone(),
        year: f.year.trim().parse().unwrap_or(0),
        budget: f.budget.clone(),
        contents: f
            .contents
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let p = split(l);
                ContentPayload {
                    key: p.first().cloned().unwrap_or_default(),
                    name: p.get(1).cloned().unwrap_or_default(),
                    unit_cost: p.get(2).cloned().unwrap_or_default(),
                    indicator: p.get(3).cloned(),
                }
            })
            .collect(),
        eligibility,
        priority,
        fair_share: Some(f.fair_share.clone()),
        fair_cap: f.fair_cap.trim().parse().ok(),
        liquidate_by: Some(f.liquidate_by.clone()),
        budget_line_id: None,
        lead_agency: None,
        partner_agency: None,
        steps: f
            .steps
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let p = split(l);
                StepPayload {
                    start_on: p.first().cloned(),
                    due_on: p.get(1).cloned(),
                    lead: p.get(2).cloned(),
                    text: p.get(3).cloned().unwrap_or_default(),
                    coordinating: p.get(4).cloned(),
                }
            })
            .collect(),
        version: f.version.trim().parse().ok(),
    }
}

/// The form of a stored scheme.
pub(super) async fn form_of(state: &AppState, v: &SchemeView) -> AppResult<SchemeForm> {
    let s = &v.scheme;
    let inds = langnghe_store::programs::indicators(&state.db, s.program_id).await?;
    let code_of = |id: Option<i64>| {
        id.and_then(|i| inds.iter().find(|x| x.id == i))
            .map(|x| x.code.clone())
            .unwrap_or_default()
    };
    let d = |x: Option<Date>| x.map(vnfmt::format_date).unwrap_or_default();
    let mut f = SchemeForm {
        program_id: s.program_id.to_string(),
        title: s.title.clone(),
        year: s.year.to_string(),
        budget: vnfmt::format_int(s.budget_dong),
        contents: v
            .contents
            .iter()
            .map(|c| {
                format!(
                    "{} | {} | {} | {}",
                    c.key,
                    c.name,
                    vnfmt::format_int(c.unit_cost_dong),
                    code_of(c.indicator_id)
                )
                .trim_end_matches([' ', '|'])
                .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n"),
        steps: v
            .steps
            .iter()
            .map(|st| {
                let st = &st.step;
                format!(
                    "{} | {} | {} | {} | {}",
                    d(st.start_on),
                    d(st.due_on),
                    st.lead_agency_id.map(|a| a.to_string()).unwrap_or_default(),
                    st.text,
                    st.coordinating.clone().unwrap_or_default()
                )
                .trim_end_matches([' ', '|'])
                .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n"),
        fair_share: s.fair_share.clone(),
        fair_cap: s.fair_cap.map(|c| c.to_string()).unwrap_or_default(),
        liquidate_by: d(s.liquidate_by),
        version: s.version.to_string(),
        ..Default::default()
    };
    let on = || Some("1".to_string());
    for r in &v.eligibility_rules {
        match r {
            EligibilityRule::VillageRecognised => f.village_recognised = on(),
            EligibilityRule::RegisteredThroughUnit => f.registered_through_unit = on(),
            EligibilityRule::HasLegalStatus => f.has_legal_status = on(),
            EligibilityRule::Custom { key, label } => {
                f.custom_rules.push_str(&format!("{key} | {label}\n"))
            }
        }
    }
    for r in &v.priority_rules {
        match r {
            PriorityRule::RegisteredIn { years } => {
                f.registered_in = years
                    .iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            PriorityRule::AllContents => f.all_contents = on(),
            PriorityRule::EarlierRegistration => {}
        }
    }
    Ok(f)
}

pub(super) async fn new_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    scheme_form(
        &state,
        &ctx,
        &SchemeForm {
            fair_share: "round_robin".into(),
            ..Default::default()
        },
        None,
        &[],
        None,
    )
    .await
}

pub(super) async fn scheme_form(
    state: &AppState,
    ctx: &Ctx,
    f: &SchemeForm,
    id: Option<i64>,
    errors: &[FieldError],
    conflict: Option<Vec<crate::views::ConflictRow>>,
) -> AppResult<Html<String>> {
    department(ctx)?;
    let u = ctx.user()?;
    let (programs, _) =
        langnghe_store::programs::list(&state.db, u.scope_unit_id, None, 500, 0).await?;
    let title = t(
        ctx.lang,
        if id.is_some() {
            "scheme-edit"
        } else {
            "scheme-new"
        },
    );
    render(
        state,
        ctx,
        "schemes/form.html",
        context! { title => title, f => f, id => id, programs => programs, errors => crate::views::field_errors(ctx.lang, errors), conflict => conflict },
    )
}

pub(super) async fn create_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<SchemeForm>,
) -> AppResult<Response> {
    match create(&state, &ctx, &payload_of(&f)).await {
        Ok(id) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/schemes/{id}")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let h = scheme_form(&state, &ctx, &f, None, &errs, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, h).into_response())
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    department(&ctx)?;
    let s = crate::scoped::load::<Scheme>(&state, &ctx, &id, Reach::Read).await?;
    let sid = s.id;
    let f = form_of(&state, &view_of(&state, &ctx, s).await?).await?;
    scheme_form(&state, &ctx, &f, Some(sid), &[], None).await
}

pub(super) const SCHEME_FIELDS: [&str; 13] = [
    "title",
    "year",
    "budget",
    "contents",
    "village_recognised",
    "registered_through_unit",
    "has_legal_status",
    "custom_rules",
    "registered_in",
    "all_contents",
    "fair_share",
    "fair_cap",
    "liquidate_by",
];

pub(super) async fn update_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(f): Form<SchemeForm>,
) -> AppResult<Response> {
    department(&ctx)?;
    let s = crate::scoped::load::<Scheme>(&state, &ctx, &id, Reach::Read).await?;
    let expected = crate::version::from_form(Some(f.version.as_str()))?;
    // The programme stays the scheme's own (the form does not move it).
    let mut p = payload_of(&f);
    p.program_id = s.program_id;
    p.budget_line_id = s.budget_line_id;
    p.lead_agency = s.lead_agency_id.map(|a| a.to_string());
    p.partner_agency = s.partner_agency_id.map(|a| a.to_string());
    match update(&state, &ctx, &s, expected, &p).await {
        Ok(saved) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/schemes/{}", saved.id)).into_response())
        }
        Err(AppError::Stale { .. }) => {
            // What was typed stays, with the stored version, beside what is stored.
            let now = crate::scoped::load::<Scheme>(&state, &ctx, &id, Reach::Read).await?;
            let stored = form_of(&state, &view_of(&state, &ctx, now).await?).await?;
            let mut fields: Vec<&str> = SCHEME_FIELDS.to_vec();
            fields.push("steps");
            let newlines = crate::common::unix_newlines;
            let rows = crate::views::conflict_rows(
                &fields,
                &newlines(serde_json::to_value(&f).unwrap_or_default()),
                &newlines(serde_json::to_value(&stored).unwrap_or_default()),
                |k| scheme_field_label(ctx.lang, k),
            );
            let mut mine = f.clone();
            mine.version = stored.version.clone();
            let h = scheme_form(&state, &ctx, &mine, Some(s.id), &[], Some(rows)).await?;
            Ok((StatusCode::CONFLICT, h).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let h = scheme_form(&state, &ctx, &f, Some(s.id), &errs, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, h).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The label of a scheme form field (for the conflict table).
pub(super) fn scheme_field_label(lang: Lang, field: &str) -> String {
    let key = match field {
        "title" => "scheme-name",
        "year" => "field-year",
        "budget" => "scheme-budget",
        "contents" => "scheme-contents",
        "steps" => "scheme-timeline",
        "registered_in" => "priority-registered_in",
        "all_contents" => "priority-all_contents",
        "fair_share" => "scheme-fair-share",
        "fair_cap" => "fair-cap",
        "liquidate_by" => "scheme-liquidate-by",
        "custom_rules" => "scheme-custom-rules",
        other => return t(lang, &format!("rule-{other}")),
    };
    t(lang, key)
}
