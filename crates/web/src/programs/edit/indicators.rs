//! A programme's indicators and their targets per milestone.

use super::*;

/// One part of a split: (label, value, dimension, admin unit, agency).
pub(super) type SplitRow = (String, f64, &'static str, Option<i64>, Option<i64>);

/// A change of an indicator (its targets change one by one, `PUT /api/v1/targets/{id}`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct IndicatorEditPayload {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// sum, average, latest or ratio (default sum).
    #[serde(default)]
    pub aggregation: Option<String>,
    /// higher or lower (default higher).
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub baseline_value: Option<String>,
    #[serde(default)]
    pub baseline_year: Option<String>,
    /// The version read (or send `If-Match`).
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

/// The one validation of an indicator's own fields, for creation and change.
#[allow(clippy::too_many_arguments)]
pub(super) fn indicator_fields(
    errors: &mut Vec<FieldError>,
    code: &str,
    name: &str,
    unit: &str,
    aggregation: &Option<String>,
    direction: &Option<String>,
    baseline_value: &Option<String>,
    baseline_year: &Option<String>,
) -> IndicatorInput {
    let code = text(errors, "code", code, 20, true);
    let name = text(errors, "name", name, 500, true);
    let unit = text(errors, "unit", unit, 40, true);
    let aggregation = non_empty(aggregation).unwrap_or_else(|| "sum".into());
    if !["sum", "average", "latest", "ratio"].contains(&aggregation.as_str()) {
        errors.push(FieldError::new("aggregation", "error-enum"));
    }
    let direction = non_empty(direction).unwrap_or_else(|| "higher".into());
    if !["higher", "lower"].contains(&direction.as_str()) {
        errors.push(FieldError::new("direction", "error-enum"));
    }
    let baseline_value = match non_empty(baseline_value) {
        None => None,
        Some(s) => vnfmt::parse_number(&s)
            .map_err(|_| {
                errors.push(FieldError::new("baseline_value", "error-number").arg("value", s))
            })
            .ok(),
    };
    let baseline_year = match non_empty(baseline_year) {
        None => None,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .or_else(|| {
                errors.push(FieldError::new("baseline_year", "error-year"));
                None
            }),
    };
    IndicatorInput {
        code,
        name,
        unit,
        aggregation,
        direction,
        baseline_value,
        baseline_year,
    }
}

/// A target's wording read by `core::plan` (with the indicator's unit); growth
/// and multiples need a baseline.
pub(super) fn target_form(
    errors: &mut Vec<FieldError>,
    wording: &str,
    unit: &str,
    baseline: Option<f64>,
) -> (String, Option<Target>) {
    let target_text = text(errors, "target", wording, 200, true);
    let form = match rules::parse_target_with_unit(&target_text, unit)
        .or_else(|_| rules::parse_target(&target_text))
    {
        Ok(f) => Some(f),
        Err(_) if target_text.is_empty() => None,
        Err(_) => {
            errors.push(FieldError::new("target", "error-target"));
            None
        }
    };
    if let Some(Target::Growth { .. } | Target::Multiple { .. }) = form {
        if baseline.is_none() {
            errors.push(FieldError::new("baseline_value", "error-baseline-needed"));
        }
    }
    (target_text, form)
}

/// A split as typed, one "name = number" per line: a category ("Nông nghiệp =
/// 13.265"), an admin unit ("unit:018 = 5") or an agency ("agency:hn-so-ct =
/// 3"); the parts must add up to an exact total.
pub(super) async fn split_rows(
    state: &AppState,
    ctx: &Ctx,
    errors: &mut Vec<FieldError>,
    split: &str,
    form: Option<Target>,
) -> AppResult<Vec<SplitRow>> {
    let mut parts: Vec<(String, f64)> = vec![];
    for line in split.lines().filter(|l| !l.trim().is_empty()) {
        match line.rsplit_once('=') {
            Some((k, v)) => match vnfmt::parse_number(v.trim()) {
                Ok(x) => parts.push((k.trim().chars().take(100).collect(), x)),
                Err(_) => errors.push(
                    FieldError::new("split", "error-split-line")
                        .arg("value", line.chars().take(60).collect::<String>()),
                ),
            },
            None => errors.push(
                FieldError::new("split", "error-split-line")
                    .arg("value", line.chars().take(60).collect::<String>()),
            ),
        }
    }
    if let (Some(Target::Exact { value }), false) = (form, parts.is_empty()) {
        let values: Vec<f64> = parts.iter().map(|(_, v)| *v).collect();
        if let Err(e) = rules::check_split(value, &values, store::SPLIT_TOLERANCE) {
            errors.push(split_error(e));
        }
    }
    let scope = ctx.user()?.scope_unit_id;
    let mut rows: Vec<SplitRow> = vec![];
    for (k, v) in &parts {
        if let Some(code) = k.strip_prefix("unit:") {
            match langnghe_store::geo::resolve(&state.db, code.trim(), None, crate::common::today())
                .await?
            {
                Some(u) if langnghe_store::geo::covers(&state.db, scope, u.id).await? => {
                    rows.push((k.clone(), *v, "unit", Some(u.id), None))
                }
                _ => errors.push(
                    FieldError::new("split", "error-unknown-unit")
                        .arg("code", code.trim().chars().take(16).collect::<String>()),
                ),
            }
        } else if let Some(a) = k.strip_prefix("agency:") {
            match agency_ref(state, scope, a).await {
                Some(id) => rows.push((k.clone(), *v, "agency", None, Some(id))),
                None => errors.push(FieldError::new("split", "error-unknown-agency")),
            }
        } else {
            rows.push((k.clone(), *v, "category", None, None));
        }
    }
    Ok(rows)
}

pub(super) fn split_error(e: SplitError) -> FieldError {
    match e {
        SplitError::Mismatch { sum, total, .. } => FieldError::new("split", "error-split-sum")
            .arg("sum", vnfmt::format_decimal_trim(sum, 3))
            .arg("total", vnfmt::format_decimal_trim(total, 3)),
        SplitError::NotFinite => FieldError::new("target", "error-split-part"),
    }
}

/// The target rows of a split (their parent and indicator are set when stored).
pub(super) fn split_targets(
    indicator_id: i64,
    parent: i64,
    milestone: &str,
    rows: Vec<SplitRow>,
) -> Vec<NewTarget> {
    rows.into_iter()
        .map(|(k, v, dimension, unit_id, agency_id)| NewTarget {
            indicator_id,
            parent_id: Some(parent),
            milestone: milestone.to_string(),
            text: vnfmt::format_decimal_trim(v, 3),
            form: serde_json::to_string(&Target::Exact { value: v }).unwrap_or_default(),
            cumulative: true,
            dimension: dimension.into(),
            category: (dimension == "category").then_some(k),
            admin_unit_id: unit_id,
            agency_id,
            value: Some(v),
        })
        .collect()
}

pub(super) async fn add_indicator(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &IndicatorPayload,
) -> AppResult<i64> {
    let prog = editable(state, ctx, id).await?;
    let mut errors = vec![];
    let fields = indicator_fields(
        &mut errors,
        &p.code,
        &p.name,
        &p.unit,
        &p.aggregation,
        &p.direction,
        &p.baseline_value,
        &p.baseline_year,
    );
    let milestone = text(&mut errors, "milestone", &p.milestone, 20, true);
    let (target_text, form) =
        target_form(&mut errors, &p.target, &fields.unit, fields.baseline_value);
    let split = split_rows(
        state,
        ctx,
        &mut errors,
        &non_empty(&p.split).unwrap_or_default(),
        form,
    )
    .await?;
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let form =
        form.ok_or_else(|| AppError::Validation(vec![FieldError::new("target", "error-target")]))?;
    let existing = store::indicators(&state.db, prog.id).await?;
    if existing.iter().any(|i| i.code == fields.code) {
        return Err(AppError::Validation(vec![FieldError::new(
            "code",
            "error-duplicate",
        )]));
    }
    let actor = ctx.actor();
    let mut w = state.db.write(&actor).await?;
    let iid = store::insert_indicator(
        &mut w,
        &NewIndicator {
            program_id: prog.id,
            code: fields.code,
            name: fields.name,
            unit: fields.unit,
            aggregation: fields.aggregation,
            direction: fields.direction,
            baseline_value: fields.baseline_value,
            baseline_year: fields.baseline_year,
            sort_order: existing.len() as i64,
            source: None,
            notes: None,
        },
    )
    .await?;
    let value = match form {
        Target::Exact { value } => Some(value),
        _ => None,
    };
    let tid = store::insert_target(
        &mut w,
        &NewTarget {
            indicator_id: iid,
            parent_id: None,
            milestone: milestone.clone(),
            text: target_text,
            form: serde_json::to_string(&form).unwrap_or_default(),
            cumulative: true,
            dimension: "total".into(),
            category: None,
            admin_unit_id: None,
            agency_id: None,
            value,
        },
    )
    .await?;
    for t in split_targets(iid, tid, &milestone, split) {
        store::insert_target(&mut w, &t).await?;
    }
    w.commit().await?;
    Ok(iid)
}

/// Add an indicator with its target to a programme.
#[utoipa::path(post, path = "/api/v1/programs/{id}/indicators", tag = "plans", params(("id" = i64, Path)), request_body = IndicatorPayload,
    responses((status = 201, description = "`{id}` of the indicator"), (status = 403), (status = 404), (status = 422)))]
pub(super) async fn indicator_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<IndicatorPayload>,
) -> AppResult<Response> {
    let iid = add_indicator(&state, &ctx, &id, &p).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": iid }))).into_response())
}

pub(super) async fn change_indicator(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    expected: i64,
    p: &IndicatorEditPayload,
) -> AppResult<Indicator> {
    let (_, ind) = <(Program, Indicator)>::load(state, ctx, id, Reach::Change).await?;
    let mut errors = vec![];
    let input = indicator_fields(
        &mut errors,
        &p.code,
        &p.name,
        &p.unit,
        &p.aggregation,
        &p.direction,
        &p.baseline_value,
        &p.baseline_year,
    );
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    match store::update_indicator(&state.db, &ctx.actor(), ind.id, Some(expected), &input).await {
        Ok(Ok(i)) => Ok(i),
        Ok(Err(IndicatorRefusal::DuplicateCode)) => {
            Err(AppError::Validation(vec![FieldError::new(
                "code",
                "error-duplicate",
            )]))
        }
        Ok(Err(IndicatorRefusal::BaselineNeeded)) => {
            Err(AppError::Validation(vec![FieldError::new(
                "baseline_value",
                "error-baseline-needed",
            )]))
        }
        Err(StoreError::Stale { .. }) => {
            let (_, now) = <(Program, Indicator)>::load(state, ctx, id, Reach::Read).await?;
            Err(stale_of(&now))
        }
        Err(e) => Err(e.into()),
    }
}

/// One indicator; its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/indicators/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = crate::programs::IndicatorBody, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
pub(super) async fn indicator_get_api(
    Scoped(found): Scoped<(Program, Indicator)>,
) -> AppResult<Response> {
    let (_, ind) = found;
    Ok(version::with_etag(
        ind.version,
        crate::programs::IndicatorBody::from(ind),
    ))
}

/// Change an indicator's code, name, unit, aggregation, direction and baseline
/// (as creating one, inside the caller's scope). Name the version read: without
/// one 428, stale 409 with the stored indicator in `error.current`.
#[utoipa::path(put, path = "/api/v1/indicators/{id}", tag = "plans", params(("id" = i64, Path)), request_body = IndicatorEditPayload,
    responses((status = 200, body = crate::programs::IndicatorBody, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored indicator"),
        (status = 422), (status = 428, description = "no version given")))]
pub(super) async fn indicator_put_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(found): Editable<(Program, Indicator)>,
    headers: HeaderMap,
    Json(p): Json<IndicatorEditPayload>,
) -> AppResult<Response> {
    let expected = version::expected(p.version, &headers)?;
    let i = change_indicator(&state, &ctx, found.1.id, expected, &p).await?;
    Ok(version::with_etag(
        i.version,
        crate::programs::IndicatorBody::from(i),
    ))
}

/// A change of a target: its wording (read again by the rules) and milestone,
/// and for a total its split.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TargetPayload {
    /// "2025", "2016-2020"…
    pub milestone: String,
    /// The target as the plan states it: "10-12", "trên 7.000", "80 %"…
    pub target: String,
    /// A total's split, "category = value" per line (as when it was entered);
    /// absent: the split stays; empty: no split. The parts must add up.
    #[serde(default)]
    pub split: Option<String>,
    /// The version read (or send `If-Match`).
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

/// The split of a total as a form shows it, one line per part.
pub(super) async fn split_text(state: &AppState, parts: &[TargetRow]) -> AppResult<String> {
    let mut lines = vec![];
    for s in parts {
        let label = match s.dimension.as_str() {
            "unit" => match s.admin_unit_id {
                Some(u) => langnghe_store::geo::by_id(&state.db, u)
                    .await?
                    .map(|u| format!("unit:{}", u.code))
                    .unwrap_or_default(),
                None => String::new(),
            },
            "agency" => s
                .agency_id
                .map(|a| format!("agency:{a}"))
                .unwrap_or_default(),
            _ => s.category.clone().unwrap_or_default(),
        };
        lines.push(format!("{label} = {}", s.text));
    }
    Ok(lines.join("\n"))
}

pub(super) async fn change_target(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    expected: i64,
    p: &TargetPayload,
) -> AppResult<TargetRow> {
    let (ind, row) = <(Indicator, TargetRow)>::load(state, ctx, id, Reach::Change).await?;
    let mut errors = vec![];
    let milestone = text(&mut errors, "milestone", &p.milestone, 20, true);
    let (wording, form) = target_form(&mut errors, &p.target, &ind.unit, ind.baseline_value);
    // The split typed again as it is shown means: keep it.
    let parts: Vec<TargetRow> = store::indicator_targets(&state.db, ind.id)
        .await?
        .into_iter()
        .filter(|t| t.parent_id == Some(row.id))
        .collect();
    let shown = split_text(state, &parts).await?;
    let typed = p.split.as_deref().map(|s| {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    });
    let new_split = match typed {
        Some(s) if s != shown => {
            if row.parent_id.is_some() && !s.is_empty() {
                errors.push(FieldError::new("split", "error-split-of-part"));
                None
            } else {
                Some(split_rows(state, ctx, &mut errors, &s, form).await?)
            }
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let form =
        form.ok_or_else(|| AppError::Validation(vec![FieldError::new("target", "error-target")]))?;
    let input = TargetInput {
        split: new_split.map(|rows| split_targets(ind.id, row.id, &milestone, rows)),
        milestone,
        text: wording,
        form,
    };
    match store::update_target(&state.db, &ctx.actor(), row.id, Some(expected), &input).await {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => Err(AppError::Validation(vec![split_error(e)])),
        Err(StoreError::Stale { .. }) => {
            let (_, now) = <(Indicator, TargetRow)>::load(state, ctx, id, Reach::Read).await?;
            Err(stale_of(&now))
        }
        Err(e) => Err(e.into()),
    }
}

/// One target (as stated, its parsed form, its split dimension); its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/targets/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = crate::programs::TargetRowBody, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
pub(super) async fn target_get_api(
    Scoped(found): Scoped<(Indicator, TargetRow)>,
) -> AppResult<Response> {
    let (_, row) = found;
    Ok(version::with_etag(
        row.version,
        crate::programs::TargetRowBody::from(row),
    ))
}

/// Change a target's wording and milestone (read again by the rules, as when
/// it was entered) and a total's split: a total and its parts must still add
/// up. Name the version read: without one 428, stale 409 with the stored target.
#[utoipa::path(put, path = "/api/v1/targets/{id}", tag = "plans", params(("id" = i64, Path)), request_body = TargetPayload,
    responses((status = 200, body = crate::programs::TargetRowBody, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored target"),
        (status = 422, description = "the wording is not understood, or the parts do not add up"), (status = 428, description = "no version given")))]
pub(super) async fn target_put_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(found): Editable<(Indicator, TargetRow)>,
    headers: HeaderMap,
    Json(p): Json<TargetPayload>,
) -> AppResult<Response> {
    let expected = version::expected(p.version, &headers)?;
    let row = change_target(&state, &ctx, found.1.id, expected, &p).await?;
    Ok(version::with_etag(
        row.version,
        crate::programs::TargetRowBody::from(row),
    ))
}
