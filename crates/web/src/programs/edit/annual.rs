//! The annual plan of a year, derived from a programme: its targets split over the years.

use super::*;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DerivePayload {
    /// The year of the annual plan.
    pub year: String,
    /// Targets entered for the year by indicator code ("1" → "9.000"); the others are split evenly.
    #[serde(default)]
    pub targets: Option<std::collections::HashMap<String, String>>,
}

/// The annual share of a programme target: numbers split evenly over the programme's
/// years (whole numbers where the target is whole); shares, growth rates and
/// multiples carry over as stated.
pub(super) fn annual_target(form: &Target, years: u32, index: u32) -> Option<Target> {
    let part = |v: f64| {
        let whole = v.fract() == 0.0;
        rules::even_split(v, years, whole)
            .get(index as usize)
            .copied()
            .unwrap_or(v / f64::from(years))
    };
    Some(match *form {
        Target::Exact { value } => Target::Exact { value: part(value) },
        Target::Range { min, max } => {
            let (a, b) = (part(min), part(max));
            if a == b {
                Target::Exact { value: a }
            } else {
                Target::Range { min: a, max: b }
            }
        }
        Target::AtLeast { value, strict } => Target::AtLeast {
            value: part(value),
            strict,
        },
        other => other,
    })
}

pub(super) async fn derive(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &DerivePayload,
) -> AppResult<Program> {
    let prog = editable(state, ctx, id).await?;
    let year: i32 = p
        .year
        .trim()
        .parse()
        .map_err(|_| AppError::Validation(vec![FieldError::new("year", "error-year")]))?;
    let (y0, y1) = (prog.period_start.year(), prog.period_end.year());
    if year < y0 || year > y1 {
        return Err(AppError::Validation(vec![FieldError::new(
            "year",
            "error-year-outside",
        )
        .arg("from", y0)
        .arg("to", y1)]));
    }
    let years = (y1 - y0 + 1) as u32;
    let index = (year - y0) as u32;
    let start = Date::from_calendar_date(year, time::Month::January, 1)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let end = Date::from_calendar_date(year, time::Month::December, 31)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let actor = ctx.actor();
    let indicators = store::indicators(&state.db, prog.id).await?;
    let mut w = state.db.write(&actor).await?;
    let child = store::insert_program(
        &mut w,
        &NewProgram {
            key: None,
            code: format!("{}-{year}", prog.code),
            title: format!(
                "{} — {} {year}",
                prog.title,
                t(crate::i18n::Lang::Vi, "program-kind-annual_plan")
            ),
            kind: "annual_plan".into(),
            document_id: None,
            period_start: start,
            period_end: end,
            parent_id: Some(prog.id),
            lead_agency_id: prog.lead_agency_id,
            admin_unit_id: prog.admin_unit_id,
            status: ProgramStatus::Draft.as_str().into(),
            objectives_general: prog.objectives_general.clone(),
            objectives_specific: vec![],
            notes: None,
        },
    )
    .await?;
    for (i, ind) in indicators.iter().enumerate() {
        let iid = store::insert_indicator(
            &mut w,
            &NewIndicator {
                program_id: child,
                code: ind.code.clone(),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                aggregation: ind.aggregation.clone(),
                direction: ind.direction.clone(),
                baseline_value: ind.baseline_value,
                baseline_year: ind.baseline_year,
                sort_order: i as i64,
                source: None,
                notes: Some(format!("derived from indicator {}", ind.id)),
            },
        )
        .await?;
        let targets = store::indicator_targets(&state.db, ind.id).await?;
        // The last total target of the programme is the one split over its years.
        let entered = p
            .targets
            .as_ref()
            .and_then(|m| m.get(&ind.code))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let entered_form = match &entered {
            Some(text) => Some(
                rules::parse_target_with_unit(text, &ind.unit)
                    .or_else(|_| rules::parse_target(text))
                    .map_err(|_| {
                        AppError::Validation(vec![FieldError::new("targets", "error-target")])
                    })?,
            ),
            None => None,
        };
        if let Some(tg) = targets.iter().rev().find(|t| t.dimension == "total") {
            let derived = entered_form.or_else(|| {
                serde_json::from_str::<Target>(&tg.form)
                    .ok()
                    .and_then(|f| annual_target(&f, years, index))
            });
            if let Some(form) = derived {
                store::insert_target(
                    &mut w,
                    &NewTarget {
                        indicator_id: iid,
                        parent_id: None,
                        milestone: year.to_string(),
                        text: rules::display_target(&form),
                        form: serde_json::to_string(&form).unwrap_or_default(),
                        cumulative: false,
                        dimension: "total".into(),
                        category: None,
                        admin_unit_id: None,
                        agency_id: None,
                        value: match form {
                            Target::Exact { value } => Some(value),
                            _ => None,
                        },
                    },
                )
                .await?;
            }
        }
    }
    w.commit().await?;
    store::get(&state.db, ctx.user()?.scope_unit_id, child)
        .await?
        .ok_or(AppError::NotFound)
}

/// Derive the annual plan of a year from a programme: its indicators with targets split evenly.
#[utoipa::path(post, path = "/api/v1/programs/{id}/derive", tag = "plans", params(("id" = i64, Path)), request_body = DerivePayload,
    responses((status = 201, body = crate::programs::ProgramView), (status = 403), (status = 404), (status = 422)))]
pub(super) async fn derive_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<DerivePayload>,
) -> AppResult<Response> {
    Ok((
        StatusCode::CREATED,
        Json(crate::programs::ProgramView::from(
            derive(&state, &ctx, &id, &p).await?,
        )),
    )
        .into_response())
}

pub(super) async fn derive_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<DerivePayload>,
) -> AppResult<Response> {
    match derive(&state, &ctx, &id, &p).await {
        Ok(child) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/programs/{}", child.id)).into_response())
        }
        Err(e) => inline_after(&state, &session, &ctx, &id, "derive", &p, Err(e)).await,
    }
}

/// A result of an indicator for a period.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ActualPayload {
    /// "2026", "6 tháng đầu năm 2026"…
    pub period: String,
    /// "17.800", "82,155".
    pub value: String,
}

/// Record a result of an indicator (it rolls up into the programme it was derived from).
#[utoipa::path(post, path = "/api/v1/indicators/{id}/actuals", tag = "plans", params(("id" = i64, Path)), request_body = ActualPayload,
    responses((status = 201, description = "`{id}`"), (status = 403), (status = 404), (status = 422)))]
pub(super) async fn actual_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<ActualPayload>,
) -> AppResult<Response> {
    let user = ctx.require(Action::EditRegistry)?;
    let iid = crate::common::path_id(&id)?;
    let ind = store::indicator(&state.db, iid)
        .await?
        .ok_or(AppError::NotFound)?;
    store::get(&state.db, user.scope_unit_id, ind.program_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = vec![];
    let period = text(&mut errors, "period", &p.period, 50, true);
    let value = match vnfmt::parse_number(&p.value) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(
                FieldError::new("value", "error-number")
                    .arg("value", p.value.chars().take(40).collect::<String>()),
            );
            None
        }
    };
    let (true, Some(value)) = (errors.is_empty(), value) else {
        return Err(AppError::Validation(errors));
    };
    let aid = store::add_actual(
        &state.db,
        &ctx.actor(),
        &store::NewActual {
            indicator_id: iid,
            period,
            value,
            plan_value: None,
            plan_implied: false,
            rate_stated: None,
            category: None,
            source: None,
            notes: None,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": aid }))).into_response())
}
