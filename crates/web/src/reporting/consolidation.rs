//! The province report of a period, computed from approved (and locked) unit
//! reports: per indicator the period value, the value to the milestone and
//! the achievement against target, the breakdown per unit (rolled up to
//! today's units across the 2025 reform), the reporting rates and the
//! narrative gathered per unit; rendered on screen, as JSON, and as the
//! official report (PDF and DOCX per Decree 30/2020/NĐ-CP, XLSX annex).

use crate::common::{file_response, XLSX_TYPE};
use crate::ctx::Ctx;
use crate::documents::Format;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, Path, Query};
use crate::i18n::t;
use crate::kept::Key;
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::response::{Html, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::coverage as cov;
use langnghe_core::plan::{self as prules, Direction, Target};
use langnghe_core::report::ReportState;
use langnghe_core::report_values::{self as values};
use langnghe_core::vnfmt;
use langnghe_reports::{Block, Cell, Column, ColumnKind, OfficialReport, ReportTable, Table};
use langnghe_store::programs::{self, Indicator, Program, TargetRow};
use langnghe_store::reporting::{self as store, Period};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<crate::AppState> {
    Router::new()
        .route("/programs/{id}/consolidation", get(page))
        // The downloads answer the same on the page path and the API path.
        .route("/programs/{id}/consolidation.pdf", get(pdf_api))
        .route("/programs/{id}/consolidation.docx", get(docx_api))
        .route("/programs/{id}/consolidation.xlsx", get(xlsx_api))
}

pub fn api() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(json_api))
        .routes(routes!(pdf_api))
        .routes(routes!(docx_api))
        .routes(routes!(xlsx_api))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// The period id; default: the programme's latest period.
    pub period: Option<String>,
    /// Each line's value per unit (`rows[].units`); `false`: the figures only
    /// (every `units` list empty), for a program that needs the totals.
    pub units: Option<bool>,
}

/// A unit's value in the breakdown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitValue {
    pub report_id: i64,
    pub agency_name: String,
    /// Where the unit stood when it reported (a pre-reform district keeps its name).
    pub unit_name: String,
    /// The unit(s) in force today that it rolls up into.
    pub today_unit: String,
    pub value: f64,
}

/// One indicator (or one category of it) of the consolidation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Row {
    pub indicator_id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    /// "" for the indicator's total.
    pub category: String,
    /// Sum of the units (mean for rates), from approved reports only.
    pub period_value: Option<f64>,
    /// Earlier years' values and this period's, to the milestone.
    pub cumulative: Option<f64>,
    /// The milestone this line is measured against: the one in force for the
    /// period (2025 for a 2025 period, the next one otherwise).
    pub milestone: Option<String>,
    /// The year of that milestone.
    pub milestone_year: Option<i32>,
    /// The target at that milestone as stated, with its year: "11 (2025)".
    pub target: Option<String>,
    /// Every split target of the indicator with its year (total lines of
    /// indicators with categories): "2025 — LN: 11, NTT: 21; 2030 — LN: 8".
    pub split_targets: Option<String>,
    pub percent: Option<f64>,
    pub percent_text: Option<String>,
    /// below, achieved, exceeded, no_data, or per_category (a total whose
    /// target lists categories that do not add: each category line carries
    /// its own verdict).
    pub status: String,
    /// The verdict is provisional: not every expected unit report is approved.
    pub provisional: bool,
    pub units: Vec<UnitValue>,
}

/// An expected unit report not approved yet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MissingUnit {
    pub report_id: i64,
    pub agency_name: String,
    pub unit_name: String,
    /// draft, submitted or returned.
    pub state: String,
}

/// How many of the expected unit reports are approved, and which are not.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageView {
    pub approved: usize,
    pub expected: usize,
    /// Every expected report is approved.
    pub complete: bool,
    /// The units whose report is not approved yet (for a reader limited to a
    /// part of the area: only those inside it; `approved`/`expected` stay the plan's).
    pub missing: Vec<MissingUnit>,
}

/// The consolidated report of a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Consolidation {
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub period: super::PeriodBody,
    /// Units expected to report, and how many approved / submitted on time.
    pub expected: usize,
    pub approved: usize,
    pub submitted: usize,
    pub on_time: usize,
    /// Coverage: "14/19 units approved" and the units not yet approved.
    pub coverage: CoverageView,
    /// True until every expected report is approved: every verdict is provisional.
    pub provisional: bool,
    pub rows: Vec<Row>,
    pub narratives: Vec<super::NarrativeBody>,
    /// Set when the reader's scope lies inside the programme's area without
    /// covering it (a district reading its province's plan): the name of that
    /// scope. The figures per indicator are still the whole programme's; the
    /// units (`rows[].units`) and narratives are only those inside the scope.
    pub limited_to: Option<String>,
}

fn achievement_of(
    ind: &Indicator,
    targets: &[TargetRow],
    milestone: Option<&str>,
    category: &str,
    actual: Option<f64>,
) -> (Option<String>, Option<f64>, Option<String>, String) {
    let Some(m) = milestone else {
        return (None, None, None, "no_data".into());
    };
    if category.is_empty() {
        let cats = targets
            .iter()
            .filter(|t| t.indicator_id == ind.id && t.milestone == m && t.dimension == "category")
            .count();
        let total = targets
            .iter()
            .find(|t| t.indicator_id == ind.id && t.milestone == m && t.dimension == "total");
        if cov::total_basis(cats, total.and_then(|t| t.value)) == cov::TotalBasis::PerCategory {
            return (
                total.map(|t| format!("{} ({m})", t.text)),
                None,
                None,
                "per_category".into(),
            );
        }
    }
    let t = targets.iter().find(|t| {
        t.indicator_id == ind.id
            && t.milestone == m
            && if category.is_empty() {
                t.dimension == "total"
            } else {
                t.dimension == "category" && t.category.as_deref() == Some(category)
            }
    });
    let Some(t) = t else {
        return (None, None, None, "no_data".into());
    };
    let form: Target = match (serde_json::from_str(&t.form), t.value) {
        (Ok(f), _) => f,
        (Err(_), Some(value)) => Target::Exact { value },
        // A target in words only (its form is "null"): nothing to measure against,
        // rather than a target of 0 that every value "exceeds".
        (Err(_), None) => {
            return (
                Some(format!("{} ({m})", t.text)),
                None,
                None,
                "no_data".into(),
            )
        }
    };
    let direction = if ind.direction == "lower" {
        Direction::LowerIsBetter
    } else {
        Direction::HigherIsBetter
    };
    let years = m
        .chars()
        .take(4)
        .collect::<String>()
        .parse::<i64>()
        .ok()
        .zip(ind.baseline_year)
        .map(|(y, b)| (y - b).max(1) as u32);
    let a = prules::achievement(&form, actual, ind.baseline_value, years, direction);
    let status = match a.status {
        prules::Status::NoData => "no_data",
        prules::Status::Below => "below",
        prules::Status::Achieved => "achieved",
        prules::Status::Exceeded => "exceeded",
    };
    (
        Some(format!("{} ({m})", t.text)),
        a.percent.map(|p| prules::round_pct(p, 2)),
        a.percent
            .map(|p| vnfmt::format_percent(prules::round_pct(p, 1), 1)),
        status.into(),
    )
}

/// (name then, names today) of each unit: one query for the names, and the
/// roll-up across the reform only for units no longer in force.
async fn unit_names(
    state: &AppState,
    ids: &[i64],
    day: time::Date,
) -> AppResult<HashMap<i64, (String, String)>> {
    let all = langnghe_store::geo::rollup_many(&state.db, ids, day).await?;
    let mut out = HashMap::new();
    for (id, (unit, now)) in all {
        let today = now
            .iter()
            .map(|u| u.name.clone())
            .collect::<Vec<_>>()
            .join(", ");
        out.insert(id, (unit.name, today));
    }
    Ok(out)
}

/// A period's counted values of one indicator: report → category → value.
type ByReport = BTreeMap<i64, HashMap<String, f64>>;
/// The categories of an indicator's split targets, each once, in the plan's order.
fn categories(indicator_id: i64, targets: &[TargetRow]) -> Vec<String> {
    let mut seen = HashSet::new();
    targets
        .iter()
        .filter(|t| t.indicator_id == indicator_id && t.dimension == "category")
        .filter_map(|t| t.category.clone())
        .filter(|c| seen.insert(c.clone()))
        .collect()
}

/// The earlier years counted into `period`'s cumulative value: their annual
/// periods from the plan's first year (the first half is inside the year),
/// oldest first (`cumulative` keeps the last value for non-sum indicators).
fn earlier_annual(all: &[Period], program: &Program, period: &Period) -> Vec<i64> {
    let start_year = i64::from(program.period_start.year());
    let mut earlier: Vec<&Period> = all
        .iter()
        .filter(|p| {
            p.kind == "annual"
                && p.year < period.year
                && p.year >= start_year
                && p.data_to <= period.data_to
        })
        .collect();
    earlier.sort_by_key(|p| (p.data_to, p.id));
    earlier.iter().map(|p| p.id).collect()
}

/// The value of one report for (indicator, category): the total line, else the
/// sum of all parts.
fn value_of(cats: &[String], cat: &str, by_cat: &HashMap<String, f64>) -> Option<f64> {
    if cat.is_empty() {
        by_cat.get("").copied().or_else(|| {
            values::total_from_parts(
                &cats
                    .iter()
                    .map(|c| by_cat.get(c).copied())
                    .collect::<Vec<_>>(),
            )
        })
    } else {
        by_cat.get(cat).copied()
    }
}

/// The kept consolidated figures of a programme's periods, by (period,
/// indicator, category): (sum of the units' values, units counted).
type Totals = HashMap<(i64, i64, String), (f64, i64)>;

fn index_totals(rows: Vec<store::PeriodTotal>) -> Totals {
    rows.into_iter()
        .map(|t| {
            (
                (t.period_id, t.indicator_id, t.category),
                (t.value_sum, t.value_n),
            )
        })
        .collect()
}

/// One line's (period value, cumulative value): the units' values of the period
/// consolidated across units (kept in `period_totals`), then the earlier years'
/// consolidated the same way.
fn line_figures(
    ind: &Indicator,
    cat: &str,
    totals: &Totals,
    period_id: i64,
    earlier: &[i64],
) -> (Option<f64>, Option<f64>) {
    let across = values::across_units(&ind.aggregation);
    let consolidated = |pid: &i64| {
        totals
            .get(&(*pid, ind.id, cat.to_string()))
            .and_then(|(sum, n)| values::consolidate_kept(across, *sum, *n))
    };
    let period_value = consolidated(&period_id);
    let before: Vec<f64> = earlier.iter().filter_map(consolidated).collect();
    (
        period_value,
        values::cumulative(&ind.aggregation, &before, period_value),
    )
}

/// The programme's plan, read once and handed to each figure that needs it:
/// its indicators, their targets and its periods (latest first).
#[derive(Clone)]
pub struct Plan {
    pub indicators: Vec<Indicator>,
    pub targets: Vec<TargetRow>,
    pub periods: Vec<Period>,
}

impl Plan {
    pub async fn read(state: &AppState, program_id: i64) -> AppResult<Plan> {
        let db = &state.db;
        Ok(Plan {
            indicators: programs::indicators(db, program_id).await?,
            targets: programs::targets(db, program_id).await?,
            periods: store::periods(db, program_id).await?,
        })
    }

    /// The plans of several programmes from one read of each table (an
    /// overview of many programmes), by programme id; each as [`Plan::read`]
    /// gives it.
    pub async fn read_many(state: &AppState, program_ids: &[i64]) -> AppResult<HashMap<i64, Plan>> {
        let db = &state.db;
        let mut out: HashMap<i64, Plan> = program_ids
            .iter()
            .map(|id| {
                let plan = Plan {
                    indicators: vec![],
                    targets: vec![],
                    periods: vec![],
                };
                (*id, plan)
            })
            .collect();
        let mut program_of = HashMap::new();
        for ind in programs::indicators_of(db, program_ids).await? {
            program_of.insert(ind.id, ind.program_id);
            if let Some(p) = out.get_mut(&ind.program_id) {
                p.indicators.push(ind);
            }
        }
        for t in programs::targets_of(db, program_ids).await? {
            if let Some(p) = program_of
                .get(&t.indicator_id)
                .and_then(|id| out.get_mut(id))
            {
                p.targets.push(t);
            }
        }
        for period in store::periods_of(db, program_ids).await? {
            if let Some(p) = out.get_mut(&period.program_id) {
                p.periods.push(period);
            }
        }
        Ok(out)
    }
}

/// The cumulative value of every indicator's total line at each of `periods`,
/// from one read of the kept period totals: what `compute` gives each period, without
/// computing the rest of each consolidation. period → indicator → value.
pub async fn totals_by_period(
    state: &AppState,
    program: &Program,
    plan: &Plan,
    periods: &[&Period],
) -> AppResult<HashMap<i64, HashMap<i64, f64>>> {
    let mut out = HashMap::new();
    let Some(last) = periods.iter().map(|p| p.data_to).max() else {
        return Ok(out);
    };
    let ids: Vec<i64> = plan
        .periods
        .iter()
        .filter(|p| p.data_to <= last)
        .map(|p| p.id)
        .collect();
    let kept = index_totals(store::totals_of_periods(&state.db, &ids, true).await?);
    for p in periods {
        let earlier = earlier_annual(&plan.periods, program, p);
        let totals: HashMap<i64, f64> = plan
            .indicators
            .iter()
            .filter_map(|ind| {
                line_figures(ind, "", &kept, p.id, &earlier)
                    .1
                    .map(|v| (ind.id, v))
            })
            .collect();
        out.insert(p.id, totals);
    }
    Ok(out)
}

/// The figures of a period's lines without the breakdown per unit, and
/// whether they are provisional: what the dashboards need (one read of the
/// kept totals; the period's report counts come with it).
pub struct LineTotals {
    pub rows: Vec<Row>,
    pub provisional: bool,
}

/// The total lines of `period` (every `units` list empty), from the plan the
/// caller has read.
pub async fn line_totals(
    state: &AppState,
    program: &Program,
    period: &Period,
    plan: &Plan,
) -> AppResult<LineTotals> {
    let rows = rows_of(state, program, period, plan, None, Lines::Totals).await?;
    Ok(totals_of_rows(period, rows))
}

/// The total lines of several programmes' periods (each with its plan) from
/// one read of the kept totals: an overview of many programmes.
pub async fn line_totals_many(
    state: &AppState,
    items: &[(&Program, &Period, &Plan)],
) -> AppResult<Vec<LineTotals>> {
    let mut wanted: Vec<i64> = items
        .iter()
        .flat_map(|(program, period, plan)| totals_wanted(program, period, plan))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let kept = index_totals(store::totals_of_periods(&state.db, &wanted, true).await?);
    Ok(items
        .iter()
        .map(|(program, period, plan)| {
            let rows = rows_from(program, period, plan, &kept, None, Lines::Totals);
            totals_of_rows(period, rows)
        })
        .collect())
}

fn totals_of_rows(period: &Period, mut rows: Vec<Row>) -> LineTotals {
    let provisional = cov::Coverage {
        approved: usize::try_from(period.approved).unwrap_or(0),
        expected: usize::try_from(period.reports).unwrap_or(0),
    }
    .provisional();
    mark_provisional(&mut rows, provisional);
    LineTotals { rows, provisional }
}

/// Only a verdict can be provisional.
fn mark_provisional(rows: &mut [Row], provisional: bool) {
    for r in rows {
        r.provisional =
            provisional && matches!(r.status.as_str(), "below" | "achieved" | "exceeded");
    }
}

/// The breakdown of a period per unit: its counted values indexed, each
/// report's (agency name, admin unit), and each unit's names then and today.
struct Breakdown {
    this: HashMap<i64, ByReport>,
    report_of: HashMap<i64, (String, i64)>,
    names: HashMap<i64, (String, String)>,
}

async fn breakdown(state: &AppState, period: &Period) -> AppResult<Breakdown> {
    let db = &state.db;
    let report_of: HashMap<i64, (String, i64)> = store::approved_reports(db, period.id)
        .await?
        .into_iter()
        .map(|(id, name, unit)| (id, (name, unit)))
        .collect();
    let mut units_seen: Vec<i64> = report_of.values().map(|(_, u)| *u).collect();
    units_seen.sort_unstable();
    units_seen.dedup();
    let names = unit_names(state, &units_seen, super::today()).await?;
    let mut this: HashMap<i64, ByReport> = HashMap::new();
    for v in store::period_values(db, period.id).await? {
        this.entry(v.indicator_id)
            .or_default()
            .entry(v.report_id)
            .or_default()
            .insert(v.category, v.value);
    }
    Ok(Breakdown {
        this,
        report_of,
        names,
    })
}

/// Which lines of a consolidation to compute.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    /// Every indicator's total and category lines.
    All,
    /// The total lines only (what the dashboards show).
    Totals,
}

async fn rows_of(
    state: &AppState,
    program: &Program,
    period: &Period,
    plan: &Plan,
    units: Option<&Breakdown>,
    lines: Lines,
) -> AppResult<Vec<Row>> {
    let wanted = totals_wanted(program, period, plan);
    let kept =
        index_totals(store::totals_of_periods(&state.db, &wanted, lines == Lines::Totals).await?);
    Ok(rows_from(program, period, plan, &kept, units, lines))
}

/// The periods whose kept totals the lines of `period` read: the earlier
/// years' and its own.
fn totals_wanted(program: &Program, period: &Period, plan: &Plan) -> Vec<i64> {
    let mut wanted = earlier_annual(&plan.periods, program, period);
    wanted.push(period.id);
    wanted
}

/// The lines of `period` from the kept totals read for it ([`totals_wanted`]).
fn rows_from(
    program: &Program,
    period: &Period,
    plan: &Plan,
    kept: &Totals,
    units: Option<&Breakdown>,
    lines: Lines,
) -> Vec<Row> {
    let (inds, targets) = (&plan.indicators, &plan.targets);
    let earlier = earlier_annual(&plan.periods, program, period);
    let empty = Breakdown {
        this: HashMap::new(),
        report_of: HashMap::new(),
        names: HashMap::new(),
    };
    let Breakdown {
        this,
        report_of,
        names: today_names,
    } = units.unwrap_or(&empty);
    let mut rows = vec![];
    for ind in inds {
        let cats = categories(ind.id, targets);
        // The milestone in force for this period among this indicator's targets.
        let mut own_milestones: Vec<String> = targets
            .iter()
            .filter(|t| t.indicator_id == ind.id)
            .map(|t| t.milestone.clone())
            .collect();
        own_milestones.sort();
        own_milestones.dedup();
        let milestone = cov::milestone_in_force(period.year as i32, &own_milestones)
            .or_else(|| period.milestone.clone());
        let split_parts: Vec<(&str, &str, &str)> = targets
            .iter()
            .filter(|t| t.indicator_id == ind.id && t.dimension == "category")
            .filter_map(|t| {
                t.category
                    .as_deref()
                    .map(|c| (t.milestone.as_str(), c, t.text.as_str()))
            })
            .collect();
        let split_targets =
            (!split_parts.is_empty()).then(|| cov::split_targets_text(&split_parts));
        let mut line_keys = vec![String::new()];
        if lines == Lines::All {
            line_keys.extend(cats.iter().cloned());
        }
        let by_report = this.get(&ind.id);
        for cat in line_keys {
            let mut units = vec![];
            for (rid, by_cat) in by_report.into_iter().flatten() {
                let Some(value) = value_of(&cats, &cat, by_cat) else {
                    continue;
                };
                let (agency_name, unit_id) = report_of.get(rid).cloned().unwrap_or_default();
                let (unit_name, today_unit) =
                    today_names.get(&unit_id).cloned().unwrap_or_default();
                units.push(UnitValue {
                    report_id: *rid,
                    agency_name,
                    unit_name,
                    today_unit,
                    value,
                });
            }
            units.sort_by(|a, b| a.agency_name.cmp(&b.agency_name));
            let (period_value, cumulative) = line_figures(ind, &cat, kept, period.id, &earlier);
            let (target, percent, percent_text, status) =
                achievement_of(ind, targets, milestone.as_deref(), &cat, cumulative);
            rows.push(Row {
                indicator_id: ind.id,
                code: ind.code.clone(),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                split_targets: if cat.is_empty() {
                    split_targets.clone()
                } else {
                    None
                },
                category: cat,
                period_value,
                cumulative,
                milestone_year: milestone.as_deref().and_then(cov::milestone_year),
                milestone: milestone.clone(),
                target,
                percent,
                percent_text,
                provisional: false,
                status,
                units,
            });
        }
    }
    rows
}

/// Whether a consolidation lists each line's value per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerUnit {
    Yes,
    No,
}

/// Compute the consolidation of `period`, with the breakdown per unit or not.
pub async fn compute(
    state: &AppState,
    program: &Program,
    period: &Period,
    per_unit: PerUnit,
) -> AppResult<Consolidation> {
    let plan = Plan::read(state, program.id).await?;
    compute_in(state, program, period, &plan, per_unit).await
}

/// [`compute`] with the plan the caller has read.
pub async fn compute_in(
    state: &AppState,
    program: &Program,
    period: &Period,
    plan: &Plan,
    per_unit: PerUnit,
) -> AppResult<Consolidation> {
    let db = &state.db;
    let units = match per_unit {
        PerUnit::Yes => Some(breakdown(state, period).await?),
        PerUnit::No => None,
    };
    let mut rows = rows_of(state, program, period, plan, units.as_ref(), Lines::All).await?;
    let reports = store::all_reports(
        db,
        store::ReportScope {
            scope_id: langnghe_store::geo::COUNTRY_ID,
            own_agency: None,
        },
        &store::ReportFilter {
            period_id: Some(period.id),
            ..Default::default()
        },
    )
    .await?;
    let approved = reports
        .iter()
        .filter(|r| ReportState::text_is_approved(&r.state))
        .count();
    let submitted = reports
        .iter()
        .filter(|r| r.first_submitted_at.is_some())
        .count();
    let on_time = reports
        .iter()
        .filter(|r| {
            r.first_submitted_at
                .is_some_and(|s| s.to_offset(vnfmt::VIETNAM_OFFSET).date() <= r.due_on)
        })
        .count();
    let coverage = cov::Coverage {
        approved,
        expected: reports.len(),
    };
    let provisional = coverage.provisional();
    mark_provisional(&mut rows, provisional);
    let mut missing: Vec<MissingUnit> = reports
        .iter()
        .filter(|r| !ReportState::text_is_approved(&r.state))
        .map(|r| MissingUnit {
            report_id: r.id,
            agency_name: r.agency_name.clone(),
            unit_name: r.unit_name.clone(),
            state: r.state.clone(),
        })
        .collect();
    missing.sort_by(|a, b| a.agency_name.cmp(&b.agency_name));
    Ok(Consolidation {
        program_id: program.id,
        program_code: program.code.clone(),
        program_title: program.title.clone(),
        period: period.clone().into(),
        expected: reports.len(),
        approved,
        submitted,
        on_time,
        coverage: CoverageView {
            approved,
            expected: reports.len(),
            complete: coverage.complete(),
            missing,
        },
        provisional,
        rows,
        narratives: super::views(store::narratives(db, period.id).await?),
        limited_to: None,
    })
}

/// Keep only what the reports in `visible` said: their values in each row's
/// breakdown and their narratives. The totals, the achievement and the reporting
/// rate stay those of the whole programme: they name no unit.
pub fn restrict(c: &mut Consolidation, visible: &HashSet<i64>, scope_name: &str) {
    for row in &mut c.rows {
        row.units.retain(|u| visible.contains(&u.report_id));
    }
    c.narratives.retain(|n| visible.contains(&n.report_id));
    c.coverage
        .missing
        .retain(|m| visible.contains(&m.report_id));
    c.limited_to = Some(scope_name.to_string());
}

/// How much of a programme's consolidation a reader sees.
enum Reach {
    /// The reader's scope covers the programme's area: the province report, every unit named.
    Whole,
    /// The programme's area contains the reader's scope (a district of the
    /// province): the units inside that scope only.
    Within(i64),
}

/// The programme of a consolidation, for a reader whose scope covers its area
/// or lies inside it (DESIGN: a user reads every programme whose area contains
/// their unit); anyone else gets 404, as for the programme itself.
async fn readable_program(
    state: &AppState,
    ctx: &Ctx,
    kept: &crate::kept::At<'_>,
    id: &str,
) -> AppResult<(Program, Reach)> {
    let (p, within) = crate::dashboard::readable(state, ctx, kept, id).await?;
    Ok((p, within.map_or(Reach::Whole, Reach::Within)))
}

/// The reports of `period` whose unit lies inside `scope`.
async fn reports_within(state: &AppState, period: &Period, scope: i64) -> AppResult<HashSet<i64>> {
    let (reports, _) = store::list_reports(
        &state.db,
        store::ReportScope {
            scope_id: langnghe_store::geo::COUNTRY_ID,
            own_agency: None,
        },
        &store::ReportFilter {
            period_id: Some(period.id),
            ..Default::default()
        },
        100_000,
        0,
    )
    .await?;
    let mut inside: HashMap<i64, bool> = HashMap::new();
    let mut visible = HashSet::new();
    for r in reports {
        let yes = match inside.get(&r.admin_unit_id) {
            Some(y) => *y,
            None => {
                let y = langnghe_store::geo::covers(&state.db, scope, r.admin_unit_id).await?;
                inside.insert(r.admin_unit_id, y);
                y
            }
        };
        if yes {
            visible.insert(r.id);
        }
    }
    Ok(visible)
}

async fn load(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    q: &PeriodQuery,
) -> AppResult<(Program, Consolidation)> {
    // Units see their own reports; the consolidation is for reviewers and coordinators.
    if super::report_scope(ctx)?.own_agency.is_some() {
        return Err(AppError::Forbidden);
    }
    // The plans' revision before anything the figures are computed from.
    let kept = state.kept.for_request(&state.db, ctx).await?;
    let (program, reach) = readable_program(state, ctx, &kept, id).await?;
    // The plan's periods (newest first) are read once, for the choice and the figures.
    let plan = kept
        .get(Key::Plan(program.id), || Plan::read(state, program.id))
        .await?;
    let period = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => {
            let pid = crate::common::path_id(p)?;
            plan.periods.iter().find(|x| x.id == pid)
        }
        None => plan.periods.first(),
    }
    .cloned()
    .ok_or(AppError::NotFound)?;
    let per_unit = if q.units == Some(false) {
        PerUnit::No
    } else {
        PerUnit::Yes
    };
    let key = Key::Consolidation {
        program: program.id,
        period: period.id,
        per_unit: per_unit == PerUnit::Yes,
        today: crate::common::today(),
    };
    let mut c = Consolidation::clone(
        &*kept
            .get(key, || {
                compute_in(state, &program, &period, &plan, per_unit)
            })
            .await?,
    );
    c.period.name = crate::views::period_name(ctx.lang, &c.period.label);
    if let Reach::Within(scope) = reach {
        let visible = reports_within(state, &period, scope).await?;
        let name = langnghe_store::geo::by_id(&state.db, scope)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        restrict(&mut c, &visible, &name);
    }
    Ok((program, c))
}

/// The consolidated report of a period (approved unit reports only).
#[utoipa::path(get, path = "/api/v1/programs/{id}/consolidation", tag = "reporting",
    params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, body = Consolidation), (status = 403), (status = 404)))]
async fn json_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<Consolidation>> {
    Ok(Json(load(&state, &ctx, &id, &q).await?.1))
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Html<String>> {
    let (program, c) = load(&state, &ctx, &id, &q).await?;
    let periods = store::periods(&state.db, program.id).await?;
    render(
        &state,
        &ctx,
        "reporting/consolidation.html",
        context! {
            title => t(ctx.lang, "consolidation-title"),
            p => program,
            c => c,
            periods => periods,
        },
    )
}

/// The coverage sentence of the official report (Vietnamese: a state document).
fn coverage_sentence_vi(c: &Consolidation) -> String {
    let cv = &c.coverage;
    let mut s = format!(
        "Mức độ đầy đủ: {}/{} đơn vị đã được duyệt báo cáo",
        cv.approved, cv.expected
    );
    if cv.complete {
        s.push_str("; số liệu tổng hợp là chính thức.");
    } else {
        let names: Vec<&str> = cv.missing.iter().map(|m| m.agency_name.as_str()).collect();
        if names.is_empty() {
            s.push_str("; số liệu tổng hợp là tạm tính.");
        } else {
            s.push_str(&format!(
                "; số liệu tổng hợp là tạm tính. Các đơn vị chưa được duyệt báo cáo: {}.",
                names.join(", ")
            ));
        }
    }
    s
}

fn strip_place(name: &str, place: &str) -> String {
    let n = name.trim();
    for suffix in [format!(" tỉnh {place}"), format!(" thành phố {place}")] {
        if let Some(s) = n.strip_suffix(suffix.as_str()) {
            return s.to_string();
        }
    }
    n.to_string()
}

fn upper(s: &str) -> String {
    s.to_uppercase()
}

/// The official document of a consolidation.
pub async fn official(
    state: &AppState,
    program: &Program,
    c: &Consolidation,
) -> AppResult<OfficialReport> {
    let db = &state.db;
    let unit = langnghe_store::geo::by_id(db, program.admin_unit_id).await?;
    let place = unit
        .as_ref()
        .map(|u| {
            u.name
                .trim_start_matches("Tỉnh ")
                .trim_start_matches("Thành phố ")
                .to_string()
        })
        .unwrap_or_default();
    let lead = match program.lead_agency_id {
        Some(a) => langnghe_store::agencies::get(db, langnghe_store::geo::COUNTRY_ID, a).await?,
        None => None,
    };
    let parent = match lead.as_ref().and_then(|a| a.parent_id) {
        Some(p) => langnghe_store::agencies::get(db, langnghe_store::geo::COUNTRY_ID, p).await?,
        None => None,
    };
    let issuer = lead
        .as_ref()
        .map(|a| upper(&strip_place(&a.name, &place)))
        .unwrap_or_default();
    let issuer_parent = parent
        .as_ref()
        .map(|p| {
            upper(
                &p.short_name
                    .replace("UBND tỉnh", &format!("UBND tỉnh {place}")),
            )
        })
        .unwrap_or_else(|| format!("UBND TỈNH {}", upper(&place)));
    let code: String = lead
        .as_ref()
        .map(|a| {
            langnghe_core::text::fold_vi(&a.short_name)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| {
                    if w.chars().all(|c| c.is_ascii_lowercase()) && w.len() > 2 {
                        w.chars().take(1).collect::<String>()
                    } else {
                        w.to_string()
                    }
                })
                .collect::<String>()
                .to_uppercase()
        })
        .unwrap_or_default();
    let fmt = |v: Option<f64>| {
        v.map(|x| vnfmt::format_decimal_trim(x, 2))
            .unwrap_or_else(|| "—".into())
    };
    let mut blocks = vec![];
    let rate = |n: usize| {
        if c.expected == 0 {
            "0 %".to_string()
        } else {
            vnfmt::format_percent(n as f64 * 100.0 / c.expected as f64, 1)
        }
    };
    if let Some(scope) = &c.limited_to {
        blocks.push(Block::Paragraph(format!(
            "Bản trích cho {scope}: chỉ nêu tên, số liệu và nội dung báo cáo của các đơn vị thuộc {scope}; số liệu tổng hợp, tỷ lệ đạt và tình hình gửi báo cáo là của toàn bộ kế hoạch."
        )));
    }
    blocks.push(Block::Heading("I. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ".into()));
    blocks.push(Block::Paragraph(format!(
        "Kỳ báo cáo {}: số liệu từ ngày {} đến ngày {}, hạn gửi báo cáo ngày {}. Có {}/{} đơn vị đã gửi báo cáo ({}), trong đó {} đơn vị gửi đúng hạn ({}); {} báo cáo đã được thẩm định, phê duyệt và được tổng hợp trong báo cáo này.",
        c.period.label,
        vnfmt::format_date(c.period.data_from),
        vnfmt::format_date(c.period.data_to),
        vnfmt::format_date(c.period.due_on),
        c.submitted,
        c.expected,
        rate(c.submitted),
        c.on_time,
        rate(c.on_time),
        c.approved,
    )));
    blocks.push(Block::Paragraph(coverage_sentence_vi(c)));
    blocks.push(Block::Heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU".into()));
    if c.provisional {
        blocks.push(Block::Paragraph(format!(
            "Tỷ lệ đạt trong Bảng 1 là số liệu tạm tính: mới có {}/{} đơn vị được duyệt báo cáo.",
            c.coverage.approved, c.coverage.expected
        )));
    }
    let mut rows = vec![];
    let mut n = 0;
    for r in &c.rows {
        let label = if r.category.is_empty() {
            n += 1;
            n.to_string()
        } else {
            "-".into()
        };
        rows.push(vec![
            label,
            if r.category.is_empty() {
                format!("{} {}", r.code, r.name)
            } else {
                format!("Trong đó: {}", r.category)
            },
            r.unit.clone(),
            match (&r.target, &r.split_targets) {
                (Some(t), Some(split)) => format!("{t}; theo loại: {split}"),
                (Some(t), None) => t.clone(),
                (None, Some(split)) => split.clone(),
                (None, None) => "—".into(),
            },
            fmt(r.period_value),
            fmt(r.cumulative),
            match (&r.percent_text, r.status.as_str()) {
                (_, "per_category") => "Theo từng loại".into(),
                (Some(p), _) if r.provisional => format!("{p} (tạm tính)"),
                (Some(p), _) => p.clone(),
                (None, _) => "—".into(),
            },
        ]);
    }
    blocks.push(Block::Table(ReportTable {
        caption: Some(format!(
            "Bảng 1. Kết quả thực hiện các chỉ tiêu — {}",
            c.period.label
        )),
        header: vec![
            "STT".into(),
            "Chỉ tiêu".into(),
            "ĐVT".into(),
            "Mục tiêu".into(),
            "Kỳ báo cáo".into(),
            "Lũy kế".into(),
            "Tỷ lệ đạt".into(),
        ],
        rows,
        numeric: vec![false, false, false, false, true, true, true],
        widths: vec![0.6, 4.2, 1.2, 2.2, 1.3, 1.3, 1.2],
        bold_rows: vec![],
    }));
    let sections = [
        ("III. KẾT QUẢ ĐẠT ĐƯỢC CỦA CÁC ĐƠN VỊ", 0),
        ("IV. KHÓ KHĂN, TỒN TẠI", 1),
        ("V. NGUYÊN NHÂN", 2),
        ("VI. KIẾN NGHỊ, ĐỀ XUẤT", 3),
    ];
    for (title, k) in sections {
        blocks.push(Block::Heading(title.into()));
        let mut any = false;
        for nv in &c.narratives {
            let text = match k {
                0 => &nv.results,
                1 => &nv.difficulties,
                2 => &nv.causes,
                _ => &nv.proposals,
            };
            if !text.trim().is_empty() {
                any = true;
                blocks.push(Block::Paragraph(format!(
                    "{}: {}",
                    nv.agency_name,
                    text.trim()
                )));
            }
        }
        if !any {
            blocks.push(Block::Paragraph(
                "Các đơn vị không báo cáo nội dung này.".into(),
            ));
        }
    }
    let recipients = vec![
        parent
            .as_ref()
            .map(|p| format!("{} (b/c)", p.short_name))
            .unwrap_or_else(|| "UBND tỉnh (b/c)".into()),
        "Các sở, ban, ngành, địa phương".into(),
        "Lưu: VT".into(),
    ];
    Ok(OfficialReport {
        issuer_parent,
        issuer,
        number: format!("Số:        /BC-{code}"),
        place: place.clone(),
        date: Some(super::today()),
        kind_title: "BÁO CÁO".into(),
        title: format!(
            "Kết quả thực hiện {} {}",
            program
                .document_number
                .clone()
                .map(|n| format!("Kế hoạch số {n}"))
                .unwrap_or_else(|| program.code.clone()),
            c.period.label.to_lowercase()
        ),
        salutation: parent.as_ref().map(|p| format!("Kính gửi: {}", p.name)),
        blocks,
        recipients,
        signer_authority: Some("KT. GIÁM ĐỐC".into()),
        signer_title: "PHÓ GIÁM ĐỐC".into(),
        signer_name: String::new(),
    })
}

/// The mark on official outputs and exports of sample data (Vietnamese, as
/// official documents are).
pub const SAMPLE_MARK: &str = "DỮ LIỆU MẪU";

/// The XLSX annex: every indicator with the breakdown per unit.
/// The XLSX annex's table: each indicator with the breakdown per unit.
pub fn annex(c: &Consolidation) -> Table {
    let cols = [
        ("code", "Mã chỉ tiêu", ColumnKind::Text),
        ("name", "Chỉ tiêu", ColumnKind::Text),
        ("category", "Phân tổ", ColumnKind::Text),
        ("unit", "ĐVT", ColumnKind::Text),
        ("agency", "Đơn vị báo cáo", ColumnKind::Text),
        ("area", "Địa bàn (khi báo cáo)", ColumnKind::Text),
        ("today", "Địa bàn hiện nay", ColumnKind::Text),
        (
            "value",
            "Giá trị kỳ báo cáo",
            ColumnKind::Decimal { places: 2 },
        ),
        ("cumulative", "Lũy kế", ColumnKind::Decimal { places: 2 }),
        ("target", "Mục tiêu", ColumnKind::Text),
        ("pct", "Tỷ lệ đạt (%)", ColumnKind::Decimal { places: 1 }),
    ];
    let columns: Vec<Column> = cols
        .iter()
        .map(|(k, t, kind)| Column::new(*k, *t, *kind))
        .collect();
    let num = |v: Option<f64>| v.map(Cell::Decimal).unwrap_or(Cell::Empty);
    let mut rows = vec![];
    for r in &c.rows {
        rows.push(vec![
            Cell::Text(r.code.clone()),
            Cell::Text(r.name.clone()),
            Cell::Text(if r.category.is_empty() {
                "Tổng".into()
            } else {
                r.category.clone()
            }),
            Cell::Text(r.unit.clone()),
            Cell::Text("TOÀN TỈNH".into()),
            Cell::Empty,
            Cell::Empty,
            num(r.period_value),
            num(r.cumulative),
            Cell::Text(r.target.clone().unwrap_or_default()),
            num(r.percent),
        ]);
        for u in &r.units {
            rows.push(vec![
                Cell::Text(r.code.clone()),
                Cell::Text(r.name.clone()),
                Cell::Text(if r.category.is_empty() {
                    "Tổng".into()
                } else {
                    r.category.clone()
                }),
                Cell::Text(r.unit.clone()),
                Cell::Text(u.agency_name.clone()),
                Cell::Text(u.unit_name.clone()),
                Cell::Text(u.today_unit.clone()),
                Cell::Decimal(u.value),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ]);
        }
    }
    let mark = if c.period.sample {
        format!("{SAMPLE_MARK} — ")
    } else {
        String::new()
    };
    Table {
        sheet_name: "Phụ lục".into(),
        title: Some(mark + &match &c.limited_to {
            None => format!(
                "Phụ lục: số liệu theo đơn vị — {} — {}",
                c.program_code, c.period.label
            ),
            Some(scope) => format!(
                "Phụ lục: số liệu theo đơn vị — {} — {} (bản trích cho {scope}: chỉ các đơn vị thuộc {scope}; dòng TỔNG là của toàn bộ kế hoạch)",
                c.program_code, c.period.label
            ),
        }),
        columns,
        rows,
    }
}

#[derive(Clone, Copy)]
enum Out {
    Pdf,
    Docx,
    Xlsx,
}

async fn output(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    q: &PeriodQuery,
    out: Out,
) -> AppResult<Response> {
    let (program, c) = load(state, ctx, id, q).await?;
    let base = format!(
        "bao-cao-{}-{}",
        langnghe_core::text::fold_vi(&program.code)
            .replace(|ch: char| !ch.is_ascii_alphanumeric(), "-"),
        c.period.id
    );
    // Sample data of the demo says so on every page.
    let mark = c.period.sample.then_some(SAMPLE_MARK);
    let docs = &state.documents;
    Ok(match out {
        Out::Xlsx => file_response(
            docs.xlsx(annex(&c)).await?,
            XLSX_TYPE,
            &format!("{base}-phu-luc.xlsx"),
        ),
        Out::Pdf => file_response(
            docs.official(official(state, &program, &c).await?, mark, Format::Pdf)
                .await?,
            "application/pdf",
            &format!("{base}.pdf"),
        ),
        Out::Docx => file_response(
            docs.official(official(state, &program, &c).await?, mark, Format::Docx)
                .await?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &format!("{base}.docx"),
        ),
    })
}

/// The consolidated report as the official PDF (Decree 30/2020/NĐ-CP layout).
#[utoipa::path(get, path = "/api/v1/programs/{id}/consolidation.pdf", tag = "reporting",
    params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, description = "PDF", content_type = "application/pdf"), (status = 404)))]
async fn pdf_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    output(&state, &ctx, &id, &q, Out::Pdf).await
}

/// The consolidated report as DOCX (same layout as the PDF).
#[utoipa::path(get, path = "/api/v1/programs/{id}/consolidation.docx", tag = "reporting",
    params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, description = "DOCX", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 404)))]
async fn docx_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    output(&state, &ctx, &id, &q, Out::Docx).await
}

/// The XLSX annex: each indicator with the breakdown per unit.
#[utoipa::path(get, path = "/api/v1/programs/{id}/consolidation.xlsx", tag = "reporting",
    params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, description = "XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404)))]
async fn xlsx_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    output(&state, &ctx, &id, &q, Out::Xlsx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(report_id: i64, agency: &str, value: f64) -> UnitValue {
        UnitValue {
            report_id,
            agency_name: agency.into(),
            unit_name: String::new(),
            today_unit: String::new(),
            value,
        }
    }

    fn narrative(report_id: i64, agency: &str) -> super::super::NarrativeBody {
        super::super::NarrativeBody {
            report_id,
            agency_name: agency.into(),
            results: "x".into(),
            difficulties: String::new(),
            causes: String::new(),
            proposals: String::new(),
        }
    }

    #[test]
    fn an_extract_keeps_the_totals_and_names_only_visible_units() {
        let day = time::macros::date!(2018 - 12 - 14);
        let period = Period {
            id: 1,
            program_id: 1,
            program_code: "P".into(),
            program_title: "T".into(),
            kind: "annual".into(),
            year: 2018,
            label: "Năm 2018".into(),
            name: "Năm 2018".into(),
            data_from: day,
            data_to: day,
            due_on: day,
            milestone: None,
            remind_days: 5,
            jump_factor: 3.0,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            reports: 2,
            submitted: 2,
            approved: 2,
            sample: false,
        };
        let mut c = Consolidation {
            program_id: 1,
            program_code: "P".into(),
            program_title: "T".into(),
            period: period.into(),
            expected: 2,
            approved: 2,
            submitted: 2,
            on_time: 2,
            coverage: CoverageView {
                approved: 1,
                expected: 2,
                complete: false,
                missing: vec![
                    MissingUnit {
                        report_id: 1,
                        agency_name: "Gia Lâm".into(),
                        unit_name: String::new(),
                        state: "draft".into(),
                    },
                    MissingUnit {
                        report_id: 2,
                        agency_name: "Hà Đông".into(),
                        unit_name: String::new(),
                        state: "draft".into(),
                    },
                ],
            },
            provisional: true,
            rows: vec![Row {
                indicator_id: 1,
                code: "1".into(),
                name: "n".into(),
                unit: "LN".into(),
                category: String::new(),
                period_value: Some(7.0),
                cumulative: Some(7.0),
                milestone: None,
                milestone_year: None,
                target: None,
                split_targets: None,
                percent: None,
                percent_text: None,
                status: "no_data".into(),
                provisional: false,
                units: vec![unit(1, "Gia Lâm", 3.0), unit(2, "Hà Đông", 4.0)],
            }],
            narratives: vec![narrative(1, "Gia Lâm"), narrative(2, "Hà Đông")],
            limited_to: None,
        };
        restrict(&mut c, &HashSet::from([1]), "Huyện Gia Lâm");
        assert_eq!(
            c.rows[0].period_value,
            Some(7.0),
            "the total stays the plan's"
        );
        assert_eq!(c.rows[0].units.len(), 1);
        assert_eq!(c.rows[0].units[0].agency_name, "Gia Lâm");
        assert_eq!(c.narratives.len(), 1);
        assert_eq!(c.narratives[0].agency_name, "Gia Lâm");
        assert_eq!(c.limited_to.as_deref(), Some("Huyện Gia Lâm"));
        assert_eq!(c.expected, 2, "the reporting rate is the plan's");
        assert_eq!(c.coverage.expected, 2, "the coverage is the plan's");
        assert_eq!(
            c.coverage.missing.len(),
            1,
            "only units inside the scope are named"
        );
        assert_eq!(c.coverage.missing[0].agency_name, "Gia Lâm");
    }
}
