//! The plans under a programme, side by side: one indicator (by its code, the
//! same in every plan) in every period of every plan the reader may see — the
//! national programme by province. Read from the kept period totals, so the
//! whole country over ten years is one indexed read.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, Json, Query};
use crate::scoped::Scoped;
use crate::views::{period_name, render};
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use langnghe_core::access::Action;
use langnghe_core::report_values as values;
use langnghe_core::vnfmt;
use langnghe_store::programs::{self as store, Program};
use minijinja::context;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BelowQuery {
    /// The indicator's code, the same in the programme and its plans
    /// (default: the programme's first indicator).
    pub indicator: Option<String>,
}

/// An indicator of the programme that its plans report under the same code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BelowIndicator {
    pub code: String,
    pub name: String,
    pub unit: String,
}

/// A period column: every plan's period of that kind and year.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BelowPeriod {
    /// first_half, annual or ad_hoc.
    pub kind: String,
    pub year: i64,
    /// The official (Vietnamese) name.
    pub label: String,
    /// The name in the reader's language.
    pub name: String,
    /// Some plan's period in this column is sample data the demo made up.
    pub sample: bool,
}

/// One plan under the programme, with its figure in each period column.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BelowPlan {
    pub program_id: i64,
    pub code: String,
    pub unit_code: String,
    pub unit_name: String,
    /// One per column of `periods`: the sum of the plan's approved unit
    /// values (the mean for rates); null when none is approved.
    pub values: Vec<Option<f64>>,
    /// The same, written as officials write numbers ("1.234,5"; "" for none).
    pub values_text: Vec<String>,
}

/// The plans under a programme, one indicator, every period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlansBelow {
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    /// The indicator shown; null when the programme has no indicator.
    pub indicator: Option<BelowIndicator>,
    /// Every indicator of the programme (to choose another).
    pub indicators: Vec<BelowIndicator>,
    pub periods: Vec<BelowPeriod>,
    /// The plans the reader may see, by area code; a plan without an approved
    /// figure for the indicator is not listed.
    pub plans: Vec<BelowPlan>,
    /// How many plans are under the programme in the reader's reach.
    pub plans_in_reach: usize,
}

async fn build(state: &AppState, ctx: &Ctx, p: &Program, q: &BelowQuery) -> AppResult<PlansBelow> {
    let scope = ctx.require(Action::Read)?.scope_unit_id;
    let db = &state.db;
    let indicators: Vec<BelowIndicator> = store::indicators(db, p.id)
        .await?
        .into_iter()
        .map(|i| BelowIndicator {
            code: i.code,
            name: i.name,
            unit: i.unit,
        })
        .collect();
    let indicator = match non_empty(&q.indicator) {
        None => indicators.first().cloned(),
        Some(code) => match indicators.iter().find(|i| i.code == code.trim()) {
            Some(i) => Some(i.clone()),
            None => {
                return Err(AppError::Validation(vec![FieldError::new(
                    "indicator",
                    "plans-below-error-indicator",
                )
                .arg("value", code)]))
            }
        },
    };
    let plans_in_reach = store::children(db, scope, p.id).await?.len();
    let rows = match &indicator {
        Some(i) => store::plans_below_figures(db, scope, p.id, &i.code).await?,
        None => vec![],
    };
    let mut periods: Vec<BelowPeriod> = vec![];
    for r in &rows {
        let same = |c: &BelowPeriod| {
            c.kind == r.period_kind && c.year == r.period_year && c.label == r.period_label
        };
        match periods.iter_mut().find(|c| same(c)) {
            Some(c) => c.sample |= r.sample,
            None => periods.push(BelowPeriod {
                kind: r.period_kind.clone(),
                year: r.period_year,
                label: r.period_label.clone(),
                name: period_name(ctx.lang, &r.period_label),
                sample: r.sample,
            }),
        }
    }
    // Oldest first; in a year the first half before the year.
    periods.sort_by_key(|c| (c.year, c.kind != "first_half", c.label.clone()));
    let mut plans: Vec<BelowPlan> = vec![];
    for r in rows {
        if plans.last().map(|x| x.program_id) != Some(r.program_id) {
            plans.push(BelowPlan {
                program_id: r.program_id,
                code: r.program_code.clone(),
                unit_code: r.unit_code.clone(),
                unit_name: r.unit_name.clone(),
                values: vec![None; periods.len()],
                values_text: vec![String::new(); periods.len()],
            });
        }
        let col = periods.iter().position(|c| {
            c.kind == r.period_kind && c.year == r.period_year && c.label == r.period_label
        });
        let value =
            values::consolidate_kept(values::across_units(&r.aggregation), r.value_sum, r.value_n);
        if let (Some(plan), Some(col), Some(v)) = (plans.last_mut(), col, value) {
            plan.values[col] = Some(v);
            plan.values_text[col] = vnfmt::format_decimal_trim(v, 2);
        }
    }
    Ok(PlansBelow {
        program_id: p.id,
        program_code: p.code.clone(),
        program_title: p.title.clone(),
        indicator,
        indicators,
        periods,
        plans,
        plans_in_reach,
    })
}

/// The plans under a programme (the provinces under a national programme):
/// one indicator, by its code, in every period of every plan in reach.
#[utoipa::path(get, path = "/api/v1/programs/{id}/plans", tag = "programs",
    params(("id" = i64, Path, description = "Programme id"), BelowQuery),
    responses((status = 200, body = PlansBelow),
        (status = 404, description = "no such programme in the caller's reach"),
        (status = 422, description = "`indicator` is not a code of the programme: `fields` names it")))]
pub(super) async fn plans_below_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(p): Scoped<Program>,
    Query(q): Query<BelowQuery>,
) -> AppResult<Json<PlansBelow>> {
    Ok(Json(build(&state, &ctx, &p, &q).await?))
}

pub(super) async fn plans_below_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(p): Scoped<Program>,
    Query(q): Query<BelowQuery>,
) -> AppResult<Html<String>> {
    // An unknown code on the page: say so above the first indicator's table.
    let (v, error) = match build(&state, &ctx, &p, &q).await {
        Ok(v) => (v, None),
        Err(AppError::Validation(errs)) => {
            let msg = errs
                .first()
                .map(|e| e.message(ctx.lang))
                .unwrap_or_default();
            (
                build(&state, &ctx, &p, &BelowQuery::default()).await?,
                Some(msg),
            )
        }
        Err(e) => return Err(e),
    };
    let page = context! { title => v.program_code.clone(), p => p, b => v, error => error };
    render(&state, &ctx, "programs/below.html", page)
}
