//! Reporting periods of a programme: open one (a report per responsible unit), list, timeliness per unit.

use super::*;

/// What the open-period form and API take. Dates in Vietnamese form ("20/6/2023").
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PeriodPayload {
    /// `first_half`, `annual` or `ad_hoc`.
    pub kind: String,
    /// "2023".
    pub year: String,
    /// Ad hoc reports need a title; the standard ones get "6 tháng đầu năm 2023" / "Năm 2023".
    #[serde(default)]
    pub label: Option<String>,
    /// Data from / to and due date; blank = the plan's rules (Decree 09/2019 cut-off).
    #[serde(default)]
    pub data_from: Option<String>,
    #[serde(default)]
    pub data_to: Option<String>,
    #[serde(default)]
    pub due_on: Option<String>,
    /// Reminders this many days before the due date (default 5).
    #[serde(default)]
    pub remind_days: Option<String>,
    /// A value more than this many times the previous period's needs a comment (default 3).
    #[serde(default)]
    pub jump_factor: Option<String>,
    /// Open it even though its due date has passed (every unit is late at
    /// once). Without it such a period is refused with 422, field
    /// `confirm_past_due`, message key `error-period-past-due`.
    #[serde(default)]
    pub confirm_past_due: Option<bool>,
}

pub(super) fn parse_mmdd(s: &Option<String>) -> Option<(u8, u8)> {
    let s = s.as_deref()?;
    let (m, d) = s.split_once('-')?;
    Some((m.parse().ok()?, d.parse().ok()?))
}

pub(super) async fn rules_for(
    state: &AppState,
    program_id: i64,
) -> AppResult<rules::DeadlineRules> {
    let (h1, annual) = store::plan_due_dates(&state.db, program_id).await?;
    let mut r = rules::DeadlineRules::default();
    if let Some(x) = parse_mmdd(&h1) {
        r.first_half_due = x;
    }
    if let Some(x) = parse_mmdd(&annual) {
        r.annual_due = x;
    }
    Ok(r)
}

pub(super) fn date_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    v: &Option<String>,
) -> Option<Date> {
    let s = non_empty(v)?;
    match vnfmt::parse_date(&s) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field, "error-date"));
            None
        }
    }
}

pub(super) async fn validate_period(
    state: &AppState,
    program: &Program,
    p: &PeriodPayload,
) -> AppResult<NewPeriod> {
    let mut errors = vec![];
    let kind = PeriodKind::parse(p.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new("kind", "error-choice"));
    }
    let year: Option<i32> = p
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (1990..=2100).contains(y));
    if year.is_none() {
        errors.push(FieldError::new("year", "error-year"));
    }
    let from = date_field(&mut errors, "data_from", &p.data_from);
    let to = date_field(&mut errors, "data_to", &p.data_to);
    let due = date_field(&mut errors, "due_on", &p.due_on);
    let remind_days = match non_empty(&p.remind_days) {
        None => 5,
        Some(s) => match vnfmt::parse_int(&s) {
            Ok(n) if (0..=60).contains(&n) => n,
            _ => {
                errors.push(FieldError::new("remind_days", "error-number").arg("value", &s));
                5
            }
        },
    };
    let jump_factor = match non_empty(&p.jump_factor) {
        None => 3.0,
        Some(s) => match vnfmt::parse_number(&s) {
            Ok(n) if n == 0.0 || (1.0..=1000.0).contains(&n) => n,
            _ => {
                errors.push(FieldError::new("jump_factor", "error-number").arg("value", &s));
                3.0
            }
        },
    };
    let label = match clean_text(p.label.as_deref().unwrap_or(""), 200) {
        Ok(s) => s,
        Err(_) => {
            errors.push(FieldError::new("label", "error-text"));
            String::new()
        }
    };
    if kind == Some(PeriodKind::AdHoc) && label.is_empty() {
        errors.push(FieldError::new("label", "error-required"));
    }
    if kind == Some(PeriodKind::AdHoc) && (from.is_none() || to.is_none() || due.is_none()) {
        for (f, v) in [("data_from", from), ("data_to", to), ("due_on", due)] {
            if v.is_none() && !errors.iter().any(|e| e.field == f) {
                errors.push(FieldError::new(f, "error-required"));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (Some(kind), Some(year)) = (kind, year) else {
        return Err(AppError::Validation(errors));
    };
    let std = rules::standard_period(kind, year, &rules_for(state, program.id).await?);
    let data_from = from.unwrap_or(std.data_from);
    let data_to = to.unwrap_or(std.data_to);
    let due_on = due.unwrap_or(std.due);
    let label = if label.is_empty() {
        std.label_vi.clone()
    } else {
        label
    };
    if let Err(e) = rules::ad_hoc(data_from, data_to, due_on, &label) {
        let field = match e {
            rules::PeriodError::FromAfterTo { .. } => "data_to",
            rules::PeriodError::ToAfterDue { .. } => "due_on",
            rules::PeriodError::EmptyLabel => "label",
        };
        return Err(AppError::Validation(vec![FieldError::new(
            field,
            "error-period-dates",
        )]));
    }
    if langnghe_core::coverage::opening_needs_confirmation(today(), due_on)
        && p.confirm_past_due != Some(true)
    {
        return Err(AppError::Validation(vec![FieldError::new(
            "confirm_past_due",
            "error-period-past-due",
        )]));
    }
    Ok(NewPeriod {
        program_id: program.id,
        kind,
        year,
        label,
        data_from,
        data_to,
        due_on,
        remind_days,
        jump_factor,
    })
}

pub(super) async fn open(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &PeriodPayload,
) -> AppResult<(Period, usize)> {
    if !is_coordinator(ctx) {
        return Err(AppError::Forbidden);
    }
    let program: Program = crate::scoped::load(state, ctx, id, Reach::Change).await?;
    let np = validate_period(state, &program, p).await?;
    let (pid, n) = store::open_period(&state.db, &ctx.actor(), &np)
        .await
        .map_err(|e| match e {
            langnghe_store::StoreError::Conflict(_) => {
                AppError::Validation(vec![FieldError::new("year", "error-period-exists")])
            }
            e => e.into(),
        })?;
    let period = store::period(&state.db, pid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((period, n))
}

/// Periods of a programme with their report counts.
#[utoipa::path(get, path = "/api/v1/programs/{id}/periods", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PeriodBody>), (status = 404)))]
pub(super) async fn periods_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(program): Scoped<Program>,
) -> AppResult<Json<Vec<PeriodBody>>> {
    let periods = store::periods(&state.db, program.id).await?;
    Ok(Json(
        periods
            .into_iter()
            .map(|p| PeriodBody::from(crate::views::named_period(ctx.lang, p)))
            .collect(),
    ))
}

/// Open a reporting period: one report is created for every responsible unit.
#[utoipa::path(post, path = "/api/v1/programs/{id}/periods", tag = "reporting", params(("id" = i64, Path)),
    request_body = PeriodPayload,
    responses((status = 201, body = PeriodBody), (status = 403), (status = 422)))]
pub(super) async fn open_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<PeriodPayload>,
) -> AppResult<Response> {
    let (period, _) = open(&state, &ctx, &id, &p).await?;
    let period = PeriodBody::from(crate::views::named_period(ctx.lang, period));
    Ok((StatusCode::CREATED, Json(period)).into_response())
}

pub(super) async fn periods_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(program): Scoped<Program>,
) -> AppResult<Html<String>> {
    periods_view(&state, &ctx, &program, &PeriodPayload::default(), &[]).await
}

pub(super) async fn periods_view(
    state: &AppState,
    ctx: &Ctx,
    program: &Program,
    form: &PeriodPayload,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    let periods = store::periods(&state.db, program.id).await?;
    let r = rules_for(state, program.id).await?;
    let year = today().year();
    let h1 = rules::standard_period(PeriodKind::FirstHalf, year, &r);
    let annual = rules::standard_period(PeriodKind::Annual, year, &r);
    let day = |d: Date| match ctx.lang {
        Lang::Vi => vnfmt::format_date(d),
        Lang::En => vnfmt::format_date_en(d),
    };
    // Seeing a province's plan is not opening its periods (only inside one's scope).
    let can_open = is_coordinator(ctx)
        && langnghe_store::geo::covers(&state.db, ctx.user()?.scope_unit_id, program.admin_unit_id)
            .await?;
    render(
        state,
        ctx,
        "reporting/periods.html",
        context! {
            title => t(ctx.lang, "periods-title"),
            p => program,
            periods => periods,
            can_open => can_open,
            form => form,
            errors => crate::views::field_errors(ctx.lang, errors),
            default_year => year,
            rule_h1 => format!("{} → {}, {} {}", day(h1.data_from), day(h1.data_to), t(ctx.lang, "period-due"), day(h1.due)),
            rule_annual => format!("{} → {}, {} {}", day(annual.data_from), day(annual.data_to), t(ctx.lang, "period-due"), day(annual.due)),
        },
    )
}

pub(super) async fn open_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<PeriodPayload>,
) -> AppResult<Response> {
    match open(&state, &ctx, &id, &p).await {
        Ok((period, n)) => {
            ctx::flash(
                &session,
                "success",
                t_args(
                    ctx.lang,
                    "period-opened",
                    &[
                        ("label", crate::views::period_name(ctx.lang, &period.label)),
                        ("count", n.to_string()),
                    ],
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/periods/{}", period.id)).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let program: Program = crate::scoped::load(&state, &ctx, &id, Reach::Read).await?;
            let mut res = periods_view(&state, &ctx, &program, &p, &errors)
                .await?
                .into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

/// One unit's line on the timeliness page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitStatus {
    pub report_id: i64,
    pub agency_id: i64,
    pub agency_name: String,
    pub state: String,
    /// on_time, late, missing, overdue or returned.
    pub status: String,
    pub status_label: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    pub submitted_text: Option<String>,
    pub due_on: Date,
}

/// A period with each unit's timeliness and the reporting rates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodStatus {
    pub period: PeriodBody,
    pub units: Vec<UnitStatus>,
    pub expected: usize,
    pub submitted: usize,
    pub on_time: usize,
    /// % of units that submitted / submitted on time.
    pub submitted_rate: f64,
    pub on_time_rate: f64,
    /// The period was opened after its due date: every unit was late from the start.
    pub opened_past_due: bool,
}

pub fn unit_status(lang: Lang, r: &Report, today: Date) -> UnitStatus {
    let tl = store::timeliness_of(r, today);
    let key = match tl {
        Timeliness::OnTime { .. } => "on_time",
        Timeliness::Late { .. } => "late",
        Timeliness::NotSubmitted { overdue_days: None } => "missing",
        Timeliness::NotSubmitted { .. } => "overdue",
    };
    let label = match lang {
        Lang::Vi => rules::timeliness_label_vi(tl),
        Lang::En => rules::timeliness_label_en(tl),
    };
    // A returned report keeps the timeliness of its first submission.
    let returned = ReportState::Returned.as_str();
    let (status, label) = if r.state == returned {
        (
            returned.to_string(),
            t_args(lang, "status-returned-first", &[("label", label)]),
        )
    } else {
        (key.to_string(), label)
    };
    UnitStatus {
        report_id: r.id,
        agency_id: r.agency_id,
        agency_name: r.agency_name.clone(),
        state: r.state.clone(),
        status,
        status_label: label,
        submitted_at: r.first_submitted_at,
        submitted_text: r.first_submitted_at.map(vnfmt::format_datetime),
        due_on: r.due_on,
    }
}

pub(super) async fn period_status(
    state: &AppState,
    ctx: &Ctx,
    PeriodOf { period, .. }: PeriodOf,
) -> AppResult<PeriodStatus> {
    let scope = report_scope(ctx)?;
    let reports = store::all_reports(
        &state.db,
        scope,
        &ReportFilter {
            period_id: Some(period.id),
            ..Default::default()
        },
    )
    .await?;
    let day = today();
    let mut units: Vec<UnitStatus> = reports
        .iter()
        .map(|r| unit_status(ctx.lang, r, day))
        .collect();
    // Vietnamese order: by the folded name (Sở Kế hoạch before Sở Khoa học).
    units.sort_by_cached_key(|u| langnghe_core::text::fold_vi(&u.agency_name));
    let expected = units.len();
    let submitted = reports
        .iter()
        .filter(|r| r.first_submitted_at.is_some())
        .count();
    let on_time = units.iter().filter(|u| u.status == "on_time").count()
        + units
            .iter()
            .filter(|u| u.status == ReportState::Returned.as_str())
            .filter(|u| {
                u.submitted_at
                    .is_some_and(|s| s.to_offset(vnfmt::VIETNAM_OFFSET).date() <= u.due_on)
            })
            .count();
    let (submitted_rate, on_time_rate) = rules::reporting_rate(expected, submitted, on_time);
    let opened_past_due = langnghe_core::coverage::opened_past_due(
        period.created_at.to_offset(vnfmt::VIETNAM_OFFSET).date(),
        period.due_on,
    );
    Ok(PeriodStatus {
        opened_past_due,
        period: period.into(),
        units,
        expected,
        submitted,
        on_time,
        submitted_rate,
        on_time_rate,
    })
}

/// A period: every unit's report state and timeliness against the due date.
#[utoipa::path(get, path = "/api/v1/periods/{id}", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = PeriodStatus), (status = 404)))]
pub(super) async fn period_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(period): Scoped<PeriodOf>,
) -> AppResult<Json<PeriodStatus>> {
    Ok(Json(period_status(&state, &ctx, period).await?))
}

pub(super) async fn period_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(period): Scoped<PeriodOf>,
) -> AppResult<Html<String>> {
    let program = period.program.clone();
    let st = period_status(&state, &ctx, period).await?;
    let day = today();
    render(
        &state,
        &ctx,
        "reporting/period.html",
        context! {
            title => crate::views::period_name(ctx.lang, &st.period.label),
            p => program,
            st => st,
            due_label => match ctx.lang { Lang::Vi => vnfmt::days_until_label_vi(day, st.period.due_on), Lang::En => vnfmt::days_until_label_en(day, st.period.due_on) },
            submitted_pct => vnfmt::format_percent(st.submitted_rate, 1),
            on_time_pct => vnfmt::format_percent(st.on_time_rate, 1),
            can_open => is_coordinator(&ctx),
        },
    )
}

/// Send the reminders of a period now (in the app, and by e-mail when SMTP is configured).
#[utoipa::path(post, path = "/api/v1/periods/{id}/reminders", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = reminders::RunSummary), (status = 403)))]
pub(super) async fn reminders_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<reminders::RunSummary>> {
    if !is_coordinator(&ctx) {
        return Err(AppError::Forbidden);
    }
    let PeriodOf { period, .. } = crate::scoped::load(&state, &ctx, &id, Reach::Change).await?;
    Ok(Json(
        reminders::run(&state, today(), Some(period.id)).await?,
    ))
}

pub(super) async fn reminders_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if !is_coordinator(&ctx) {
        return Err(AppError::Forbidden);
    }
    let PeriodOf { period, .. } = crate::scoped::load(&state, &ctx, &id, Reach::Change).await?;
    let s = reminders::run(&state, today(), Some(period.id)).await?;
    ctx::flash(
        &session,
        "success",
        t_args(
            ctx.lang,
            "reminders-sent",
            &[
                ("notified", s.notified.to_string()),
                ("emailed", s.emailed.to_string()),
            ],
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/periods/{}", period.id)).into_response())
}
