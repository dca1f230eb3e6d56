//! A programme's budget lines and their amounts per year.

use super::*;

/// A change of a budget line: its content, source and planned amount.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BudgetLinePayload {
    pub line: String,
    /// central, local, khuyen_cong, trade_promotion, socialised or other.
    pub source_of_funds: String,
    /// "3 tỷ đồng", "163.400.000.000"; empty: none.
    #[serde(default)]
    pub planned: Option<String>,
    /// The version read (or send `If-Match`).
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

pub(super) const FUNDS: [&str; 6] = [
    "central",
    "local",
    "khuyen_cong",
    "trade_promotion",
    "socialised",
    "other",
];

pub(super) fn money(field: &str, v: &Option<String>, errors: &mut Vec<FieldError>) -> Option<i64> {
    match non_empty(v) {
        None => None,
        Some(s) => match vnfmt::parse_money_dong(&s) {
            Ok(x) if x >= 0 => Some(x),
            _ => {
                errors.push(
                    FieldError::new(field, "error-money")
                        .arg("value", s.chars().take(40).collect::<String>()),
                );
                None
            }
        },
    }
}

/// The one validation of a budget line's own fields, for creation and change.
pub(super) fn budget_line_fields(
    errors: &mut Vec<FieldError>,
    line: &str,
    source_of_funds: &str,
    planned: &Option<String>,
) -> BudgetLineInput {
    let line = text(errors, "line", line, 500, true);
    if !FUNDS.contains(&source_of_funds) {
        errors.push(FieldError::new("source_of_funds", "error-enum"));
    }
    BudgetLineInput {
        line,
        source_of_funds: source_of_funds.to_string(),
        planned_dong: money("planned", planned, errors),
    }
}

pub(super) async fn add_budget(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &BudgetPayload,
) -> AppResult<i64> {
    let prog = editable(state, ctx, id).await?;
    let mut errors = vec![];
    let fields = budget_line_fields(&mut errors, &p.line, &p.source_of_funds, &p.planned);
    let allocated = money("allocated", &p.allocated, &mut errors);
    let disbursed = money("disbursed", &p.disbursed, &mut errors);
    let year = match non_empty(&p.year) {
        None => None,
        Some(y) => y
            .parse::<i64>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .or_else(|| {
                errors.push(FieldError::new("year", "error-year"));
                None
            }),
    };
    if (allocated.is_some() || disbursed.is_some()) && year.is_none() {
        errors.push(FieldError::new("year", "error-required"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut amounts = vec![];
    if let (Some(y), Some(a)) = (year, allocated) {
        amounts.push((y, "allocation".to_string(), a));
    }
    if let (Some(y), Some(d)) = (year, disbursed) {
        amounts.push((y, "disbursement".to_string(), d));
    }
    let order = store::budget(&state.db, prog.id).await?.0.len() as i64;
    let actor = ctx.actor();
    let mut w = state.db.write(&actor).await?;
    let bid = store::insert_budget_line(
        &mut w,
        &NewBudgetLine {
            program_id: prog.id,
            line: fields.line,
            source_of_funds: fields.source_of_funds,
            planned_dong: fields.planned_dong,
            sort_order: order,
            source: None,
            amounts,
        },
    )
    .await?;
    w.commit().await?;
    Ok(bid)
}

/// Add a budget line (planned amount; an allocation and disbursement for a year).
#[utoipa::path(post, path = "/api/v1/programs/{id}/budget", tag = "plans", params(("id" = i64, Path)), request_body = BudgetPayload,
    responses((status = 201, description = "`{id}` of the line"), (status = 403), (status = 404), (status = 422)))]
pub(super) async fn budget_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<BudgetPayload>,
) -> AppResult<Response> {
    let bid = add_budget(&state, &ctx, &id, &p).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": bid }))).into_response())
}

pub(super) async fn change_budget_line(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    expected: i64,
    p: &BudgetLinePayload,
) -> AppResult<BudgetLine> {
    let line = <BudgetLine>::load(state, ctx, id, Reach::Change).await?;
    let mut errors = vec![];
    let input = budget_line_fields(&mut errors, &p.line, &p.source_of_funds, &p.planned);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    match store::update_budget_line(&state.db, &ctx.actor(), line.id, Some(expected), &input).await
    {
        Err(StoreError::Stale { .. }) => Err(stale_of(
            &<BudgetLine>::load(state, ctx, id, Reach::Read).await?,
        )),
        other => Ok(other?),
    }
}

/// One budget line; its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/budget-lines/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = crate::programs::BudgetLineBody, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
pub(super) async fn budget_line_get_api(Scoped(line): Scoped<BudgetLine>) -> AppResult<Response> {
    Ok(version::with_etag(
        line.version,
        crate::programs::BudgetLineBody::from(line),
    ))
}

/// Change a budget line's content, source of funds and planned amount
/// (allocations and disbursements are amounts of their own). Name the version
/// read: without one 428, stale 409 with the stored line.
#[utoipa::path(put, path = "/api/v1/budget-lines/{id}", tag = "plans", params(("id" = i64, Path)), request_body = BudgetLinePayload,
    responses((status = 200, body = crate::programs::BudgetLineBody, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored line"),
        (status = 422), (status = 428, description = "no version given")))]
pub(super) async fn budget_line_put_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(found): Editable<BudgetLine>,
    headers: HeaderMap,
    Json(p): Json<BudgetLinePayload>,
) -> AppResult<Response> {
    let expected = version::expected(p.version, &headers)?;
    let line = change_budget_line(&state, &ctx, found.id, expected, &p).await?;
    Ok(version::with_etag(
        line.version,
        crate::programs::BudgetLineBody::from(line),
    ))
}
