//! The leaders' programme dashboard: per indicator the latest
//! value, the target in force, achievement and whether it is on track against
//! the expected trajectory; reporting per period and per unit; budget per year
//! and per content line; schemes by stage; the units most behind. Every figure
//! is computed on request from the records (no cache), reusing the
//! consolidation for the values and the core rules for the verdicts.

use crate::charts::{self, Bar, Fill};
use crate::common::views;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, Path};
use crate::i18n::{t, t_args, Lang};
use crate::kept::Key;
use crate::reporting::consolidation;
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::dashboard as rules;
use langnghe_core::plan::Direction;
use langnghe_core::scheme::AppState as Stage;
use langnghe_core::vnfmt;
use langnghe_reports::{Cell, Column, ColumnKind, Table};
use langnghe_store::dashboard as store;
use langnghe_store::programs::{self, Program};
use langnghe_store::reporting as rstore;
use minijinja::context;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/programs/{id}/dashboard", get(page))
        .route("/programs/{id}/dashboard/charts/{file}", get(chart_file))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(json_api))
}

/// One indicator on the dashboard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndicatorFigure {
    pub indicator_id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    /// The latest value (to the milestone, as the consolidation counts it).
    pub value: Option<f64>,
    /// The period that value comes from.
    pub as_of: Option<String>,
    /// The numeric target of the milestone in force (the whole programme's).
    pub target: Option<f64>,
    /// The target as the plan states it: "11 (2025)".
    pub target_text: Option<String>,
    pub target_year: Option<i32>,
    /// Percent of the target reached.
    pub achievement: Option<f64>,
    /// Where the value should be by now on the line from the baseline to the target.
    pub expected: Option<f64>,
    /// on_track, behind, ahead or no_data.
    pub status: String,
    /// Not every expected unit report of that period is approved yet.
    pub provisional: bool,
}

/// Reporting of one period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodReporting {
    pub period_id: i64,
    pub period: String,
    pub expected: u32,
    pub approved: u32,
    pub on_time: u32,
    pub late: u32,
    /// Due and not submitted (a report not yet due is neither late nor missing).
    pub missing: u32,
    /// Approved reports in percent of the expected.
    pub rate: Option<f64>,
}

/// How one unit did with its reports across the periods.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitReporting {
    pub agency_id: i64,
    pub agency_name: String,
    pub expected: u32,
    pub approved: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub rate: Option<f64>,
}

/// Budget of one year (đồng).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DashBudgetYear {
    pub year: i64,
    /// The plan states its estimate per content line for the whole period, not
    /// per year: always null (see `budget_lines[].planned`).
    pub planned: Option<i64>,
    pub allocated: Option<i64>,
    pub disbursed: Option<i64>,
}

/// One indicator's value in one period of the trend.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    pub period_id: i64,
    /// The period's official name ("6 tháng đầu năm 2023").
    pub period: String,
    /// The value as the consolidation of that period counts it (to the milestone).
    pub value: Option<f64>,
    /// Not every expected report of that period is approved.
    pub provisional: bool,
    /// The period is the demo's invention ("Dữ liệu mẫu").
    pub sample: bool,
}

/// One indicator across the periods that have an approved report, oldest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendSeries {
    pub indicator_id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    /// The numeric target in force and its words, as in `indicators`.
    pub target: Option<f64>,
    pub target_text: Option<String>,
    pub points: Vec<TrendPoint>,
}

/// The programme dashboard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgramDashboard {
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    /// The period the indicator values come from (the latest with an approved report).
    pub as_of_period: Option<String>,
    /// Share of the baseline-to-target distance within which a value is on track.
    pub tolerance: f64,
    pub indicators: Vec<IndicatorFigure>,
    /// Each indicator across the periods with an approved report, oldest first
    /// (each period's value as its consolidation gives it, computed now like the rest).
    pub trend: Vec<TrendSeries>,
    pub reporting: Vec<PeriodReporting>,
    pub units: Vec<UnitReporting>,
    /// The five units with most late and missing reports.
    pub most_behind: Vec<UnitReporting>,
    pub budget: Vec<DashBudgetYear>,
    pub budget_lines: Vec<DashBudgetLineView>,
    pub schemes: Vec<SchemeStageView>,
    /// Set when the reader's scope lies inside the programme's area: reporting
    /// and units are only those inside it; indicators stay the programme's.
    pub limited_to: Option<String>,
    /// Some figures come from sample (demo) periods: say so wherever they show.
    pub sample: bool,
}

/// The programme for a reader whose scope covers its area (`None`) or lies
/// inside it (`Some(scope)`); anyone else gets 404. Kept under the plans'
/// revision, per scope: the programmes, their documents and agencies and the
/// geography it is read from all move it.
pub(crate) async fn readable(
    state: &AppState,
    ctx: &Ctx,
    kept: &crate::kept::At<'_>,
    id: &str,
) -> AppResult<(Program, Option<i64>)> {
    let scope = ctx.user()?.scope_unit_id;
    let id = crate::common::path_id(id)?;
    let found = kept
        .get(Key::Readable { id, scope }, || async {
            if let Some(p) = programs::get(&state.db, scope, id).await? {
                return Ok(Some((p, None)));
            }
            let Some(p) = programs::get(&state.db, langnghe_store::geo::COUNTRY_ID, id).await?
            else {
                return Ok(None);
            };
            let within = langnghe_store::geo::covers(&state.db, p.admin_unit_id, scope).await?;
            Ok(within.then_some((p, Some(scope))))
        })
        .await?;
    Option::clone(&found).ok_or(AppError::NotFound)
}

/// The programme and its dashboard for this reader: the plans' revision read
/// first, then the programme, then the figures, kept under that revision.
async fn kept_dashboard(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    trend: Trend,
) -> AppResult<(Program, Arc<ProgramDashboard>)> {
    let kept = state.kept.for_request(&state.db, ctx).await?;
    let (p, within) = readable(state, ctx, &kept, id).await?;
    let key = Key::Dashboard {
        program: p.id,
        within,
        trend: trend == Trend::With,
        today: crate::common::today(),
    };
    let d = kept.get(key, || compute(state, &p, within, trend)).await?;
    Ok((p, d))
}

fn unit_view(u: &rules::UnitRecord) -> UnitReporting {
    UnitReporting {
        agency_id: u.agency_id,
        agency_name: u.agency_name.clone(),
        expected: u.expected,
        approved: u.approved,
        on_time: u.on_time,
        late: u.late,
        missing: u.missing,
        rate: rules::rate(u.approved, u.expected),
    }
}

// The store's aggregates as the API answers them: views of web, built from
// the store's rows (the schema names stay the store's).

/// One content line of the plan's budget with what was allocated and disbursed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DashBudgetLine)]
pub struct DashBudgetLineView {
    pub id: i64,
    pub line: String,
    pub source_of_funds: String,
    /// The plan's estimate for the whole period (đồng); null when the plan gives none.
    pub planned: Option<i64>,
    pub allocated: Option<i64>,
    pub disbursed: Option<i64>,
}

impl From<store::DashBudgetLine> for DashBudgetLineView {
    fn from(v: store::DashBudgetLine) -> Self {
        DashBudgetLineView {
            id: v.id,
            line: v.line,
            source_of_funds: v.source_of_funds,
            planned: v.planned,
            allocated: v.allocated,
            disbursed: v.disbursed,
        }
    }
}

/// Applications to the programme's support schemes in one stage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = SchemeStage)]
pub struct SchemeStageView {
    /// registered, forwarded, eligible, ineligible, selected, not_selected,
    /// contracted, accepted, liquidated, settled.
    pub stage: String,
    pub applications: i64,
    /// Sum of the amounts asked or granted (đồng).
    pub amount: i64,
}

impl From<store::SchemeStage> for SchemeStageView {
    fn from(v: store::SchemeStage) -> Self {
        SchemeStageView {
            stage: v.stage,
            applications: v.applications,
            amount: v.amount,
        }
    }
}

/// A count per key (a status, a star rating).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DashCount)]
pub struct DashCountView {
    pub key: String,
    pub count: i64,
}

impl From<store::DashCount> for DashCountView {
    fn from(v: store::DashCount) -> Self {
        DashCountView {
            key: v.key,
            count: v.count,
        }
    }
}

/// OCOP products of the area per star rating, with how many certificates
/// have expired and how many expire soon (by `soon`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OcopStars)]
pub struct OcopStarsView {
    pub stars: String,
    pub products: i64,
    pub expired: i64,
    pub expiring: i64,
}

impl From<store::OcopStars> for OcopStarsView {
    fn from(v: store::OcopStars) -> Self {
        OcopStarsView {
            stars: v.stars,
            products: v.products,
            expired: v.expired,
            expiring: v.expiring,
        }
    }
}

/// Whether to compute the trend (every period's values): the programme's own
/// dashboard does; the overview, which shows only the verdicts, does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    With,
    Without,
}

/// Compute the dashboard of a programme, for a reader limited to `within` (if set).
pub async fn compute(
    state: &AppState,
    program: &Program,
    within: Option<i64>,
    with_trend: Trend,
) -> AppResult<ProgramDashboard> {
    let db = &state.db;
    let today = crate::common::today();
    // Reporting, per period and per unit, only the units in the reader's scope.
    let mut statuses = store::report_statuses(db, program.id).await?;
    if let Some(scope) = within {
        let mut inside: HashMap<i64, bool> = HashMap::new();
        let mut kept = Vec::with_capacity(statuses.len());
        for s in statuses {
            let yes = match inside.get(&s.admin_unit_id) {
                Some(y) => *y,
                None => {
                    let y = langnghe_store::geo::covers(db, scope, s.admin_unit_id).await?;
                    inside.insert(s.admin_unit_id, y);
                    y
                }
            };
            if yes {
                kept.push(s);
            }
        }
        statuses = kept;
    }
    let mut periods: Vec<PeriodReporting> = vec![];
    let mut units: BTreeMap<i64, rules::UnitRecord> = BTreeMap::new();
    for s in &statuses {
        let submitted = s
            .first_submitted_at
            .map(|t| t.to_offset(vnfmt::VIETNAM_OFFSET).date());
        let tl = langnghe_core::report::timeliness(s.due_on, submitted, today);
        let (on_time, late, missing) = match tl {
            langnghe_core::report::Timeliness::OnTime { .. } => (1, 0, 0),
            langnghe_core::report::Timeliness::Late { .. } => (0, 1, 0),
            langnghe_core::report::Timeliness::NotSubmitted { overdue_days } => {
                (0, 0, u32::from(overdue_days.is_some()))
            }
        };
        let approved = u32::from(langnghe_core::report::ReportState::text_is_approved(
            &s.state,
        ));
        if periods.last().map(|p| p.period_id) != Some(s.period_id) {
            periods.push(PeriodReporting {
                period_id: s.period_id,
                period: s.period_label.clone(),
                expected: 0,
                approved: 0,
                on_time: 0,
                late: 0,
                missing: 0,
                rate: None,
            });
        }
        if let Some(p) = periods.last_mut() {
            p.expected += 1;
            p.approved += approved;
            p.on_time += on_time;
            p.late += late;
            p.missing += missing;
        }
        let u = units
            .entry(s.agency_id)
            .or_insert_with(|| rules::UnitRecord {
                agency_id: s.agency_id,
                agency_name: s.agency_name.clone(),
                expected: 0,
                approved: 0,
                on_time: 0,
                late: 0,
                missing: 0,
            });
        u.expected += 1;
        u.approved += approved;
        u.on_time += on_time;
        u.late += late;
        u.missing += missing;
    }
    for p in &mut periods {
        p.rate = rules::rate(p.approved, p.expected);
    }
    let records: Vec<rules::UnitRecord> = units.into_values().collect();
    let most_behind = rules::most_behind(&records, 5)
        .iter()
        .map(unit_view)
        .collect();
    let mut unit_rows: Vec<UnitReporting> = records.iter().map(unit_view).collect();
    unit_rows.sort_by(|a, b| a.agency_name.cmp(&b.agency_name));

    // Indicators: the consolidation of the latest period with an approved report.
    let plan = consolidation::Plan::read(state, program.id).await?;
    let indicators = indicator_figures(state, program, &plan).await?;
    let latest = latest_of(&plan.periods);
    let trend = match with_trend {
        Trend::With => trend_of(state, program, &plan, &indicators).await?,
        Trend::Without => vec![],
    };
    let budget = store::budget_by_year(db, program.id)
        .await?
        .into_iter()
        .map(|b| DashBudgetYear {
            year: b.year,
            planned: None,
            allocated: b.allocated,
            disbursed: b.disbursed,
        })
        .collect();
    let limited_to = match within {
        Some(scope) => langnghe_store::geo::by_id(db, scope).await?.map(|u| u.name),
        None => None,
    };
    Ok(ProgramDashboard {
        program_id: program.id,
        program_code: program.code.clone(),
        program_title: program.title.clone(),
        as_of_period: latest.filter(|p| p.approved > 0).map(|p| p.label.clone()),
        tolerance: rules::TOLERANCE,
        indicators,
        trend,
        reporting: periods,
        units: unit_rows,
        most_behind,
        budget,
        budget_lines: views(store::budget_by_line(db, program.id).await?),
        schemes: {
            // In the order of the workflow (the funnel's order), not the query's.
            let mut stages: Vec<SchemeStageView> =
                views(store::schemes_by_stage(db, program.id).await?);
            stages.sort_by_key(|s| stage_order(&s.stage));
            stages
        },
        limited_to,
        sample: plan.periods.iter().any(|p| p.sample),
    })
}

/// The latest period with an approved report, else the latest one.
fn latest_of(all_periods: &[rstore::Period]) -> Option<&rstore::Period> {
    all_periods
        .iter()
        .find(|p| p.approved > 0)
        .or_else(|| all_periods.first())
}

/// The programme's indicators and each one's standing at the latest period
/// with an approved report (its line figures, without the breakdown per unit).
async fn indicator_figures(
    state: &AppState,
    program: &Program,
    plan: &consolidation::Plan,
) -> AppResult<Vec<IndicatorFigure>> {
    let consol = match latest_of(&plan.periods) {
        Some(p) => Some(consolidation::line_totals(state, program, p, plan).await?),
        None => None,
    };
    Ok(figures_from(program, plan, consol.as_ref()))
}

/// Each indicator's standing from the total lines of the plan's latest period
/// (`consol`, read by the caller; none before the first period).
fn figures_from(
    program: &Program,
    plan: &consolidation::Plan,
    consol: Option<&consolidation::LineTotals>,
) -> Vec<IndicatorFigure> {
    let (inds, targets) = (&plan.indicators, &plan.targets);
    let latest = latest_of(&plan.periods);
    let mut indicators = vec![];
    for ind in inds {
        let row = consol.and_then(|c| {
            c.rows
                .iter()
                .find(|r| r.indicator_id == ind.id && r.category.is_empty())
        });
        let milestone = row.and_then(|r| r.milestone.clone()).or_else(|| {
            // No period yet: the first milestone of the indicator.
            let mut ms: Vec<&String> = targets
                .iter()
                .filter(|t| t.indicator_id == ind.id)
                .map(|t| &t.milestone)
                .collect();
            ms.sort();
            ms.first().map(|m| (*m).clone())
        });
        let total = milestone.as_deref().and_then(|m| {
            targets
                .iter()
                .find(|t| t.indicator_id == ind.id && t.milestone == m && t.dimension == "total")
        });
        let target = total.and_then(|t| t.value);
        let target_year = milestone
            .as_deref()
            .and_then(langnghe_core::coverage::milestone_year);
        let value = row.and_then(|r| r.cumulative);
        let direction = if ind.direction == "lower" {
            Direction::LowerIsBetter
        } else {
            Direction::HigherIsBetter
        };
        let base_year = ind
            .baseline_year
            .map(|y| y as i32)
            .unwrap_or(program.period_start.year());
        let line = target
            .zip(target_year)
            .and_then(|(t, y)| rules::Trajectory::new(ind.baseline_value, base_year, t, y));
        let at = latest
            .map(|p| rules::year_fraction(p.data_to.year(), p.data_to.ordinal()))
            .unwrap_or(f64::from(base_year));
        let (expected, standing) = rules::standing(value, line, at, direction);
        let provisional =
            standing != rules::Standing::NoData && consol.is_some_and(|c| c.provisional);
        indicators.push(IndicatorFigure {
            indicator_id: ind.id,
            code: ind.code.clone(),
            name: ind.name.clone(),
            unit: ind.unit.clone(),
            value,
            as_of: value.and(latest.map(|p| p.label.clone())),
            target,
            target_text: row
                .and_then(|r| r.target.clone())
                .or_else(|| total.map(|t| format!("{} ({})", t.text, t.milestone))),
            target_year,
            achievement: row.and_then(|r| r.percent),
            expected: expected.map(|e| (e * 100.0).round() / 100.0),
            status: standing.as_str().to_string(),
            provisional,
        });
    }
    indicators
}

/// Every indicator across the periods that have an approved report, oldest
/// first: each period's cumulative value as its consolidation gives it, from one
/// read of the counted values; provisional while a period's coverage is incomplete.
async fn trend_of(
    state: &AppState,
    program: &Program,
    plan: &consolidation::Plan,
    indicators: &[IndicatorFigure],
) -> AppResult<Vec<TrendSeries>> {
    let mut periods: Vec<&rstore::Period> =
        plan.periods.iter().filter(|p| p.approved > 0).collect();
    periods.sort_by_key(|p| (p.data_to, p.id));
    let totals = consolidation::totals_by_period(state, program, plan, &periods).await?;
    let provisional = |p: &rstore::Period| {
        langnghe_core::coverage::Coverage {
            approved: usize::try_from(p.approved).unwrap_or(0),
            expected: usize::try_from(p.reports).unwrap_or(0),
        }
        .provisional()
    };
    Ok(indicators
        .iter()
        .map(|i| TrendSeries {
            indicator_id: i.indicator_id,
            code: i.code.clone(),
            name: i.name.clone(),
            unit: i.unit.clone(),
            target: i.target,
            target_text: i.target_text.clone(),
            points: periods
                .iter()
                .map(|p| TrendPoint {
                    period_id: p.id,
                    period: p.label.clone(),
                    value: totals
                        .get(&p.id)
                        .and_then(|v| v.get(&i.indicator_id))
                        .copied(),
                    provisional: provisional(p),
                    sample: p.sample,
                })
                .collect(),
        })
        .collect())
}

/// The dashboard of a programme, computed now from the records.
#[utoipa::path(get, path = "/api/v1/programs/{id}/dashboard", tag = "dashboard",
    params(("id" = i64, Path)),
    responses((status = 200, body = ProgramDashboard), (status = 404)))]
async fn json_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<ProgramDashboard>> {
    let (_, d) = kept_dashboard(&state, &ctx, &id, Trend::With).await?;
    Ok(Json(ProgramDashboard::clone(&d)))
}

fn pct_text(lang: Lang, p: Option<f64>) -> String {
    p.map(|p| crate::views::in_lang(lang, vnfmt::format_percent(p, 1)))
        .unwrap_or_else(|| "—".into())
}

/// Money as a reader says it: "3,5 tỷ" / "3.5 billion".
fn money_text(lang: Lang, dong: i64) -> String {
    match lang {
        Lang::En => vnfmt::format_money_short_en(dong),
        _ => vnfmt::format_money_short(dong),
    }
}

/// The position of a stage of an application in the order of the workflow
/// (the funnel's order); an unknown text last.
fn stage_order(stage: &str) -> usize {
    Stage::ALL
        .iter()
        .position(|x| x.as_str() == stage)
        .unwrap_or(Stage::ALL.len())
}

/// The schemes funnel: applications per stage, in the workflow's order.
fn schemes_svg(d: &ProgramDashboard, lang: Lang) -> String {
    let mut stages: Vec<&SchemeStageView> = d.schemes.iter().collect();
    stages.sort_by_key(|s| stage_order(&s.stage));
    let max = stages.iter().map(|s| s.applications).max().unwrap_or(1) as f64;
    let bars: Vec<Bar> = stages
        .iter()
        .map(|s| Bar {
            label: t(lang, &format!("app-state-{}", s.stage)),
            value: Some(s.applications as f64),
            mark: None,
            text: format!(
                "{} · {}",
                crate::views::in_lang(lang, vnfmt::format_int(s.applications)),
                money_text(lang, s.amount)
            ),
            fill: if matches!(
                Stage::parse(&s.stage),
                Some(Stage::Ineligible | Stage::NotSelected)
            ) {
                Fill::Hatched
            } else {
                Fill::Solid
            },
        })
        .collect();
    charts::hbars(
        "chart-schemes",
        &t(lang, "dash-chart-schemes"),
        &t(lang, "dash-chart-schemes-desc"),
        &bars,
        max,
        None,
        None,
    )
}

fn schemes_table(d: &ProgramDashboard, lang: Lang) -> Table {
    let mut stages: Vec<&SchemeStageView> = d.schemes.iter().collect();
    stages.sort_by_key(|s| stage_order(&s.stage));
    Table {
        sheet_name: t(lang, "dash-chart-schemes"),
        title: Some(format!(
            "{} — {}",
            d.program_code,
            t(lang, "dash-chart-schemes")
        )),
        columns: vec![
            Column::new("stage", t(lang, "dash-stage"), ColumnKind::Text),
            Column::new(
                "applications",
                t(lang, "dash-applications"),
                ColumnKind::Int,
            ),
            Column::new("amount", t(lang, "dash-amount"), ColumnKind::Int),
        ],
        rows: stages
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(t(lang, &format!("app-state-{}", s.stage))),
                    Cell::Int(s.applications),
                    Cell::Int(s.amount),
                ]
            })
            .collect(),
    }
}

/// Budget by year: disbursed as the bar, allocated as the mark.
fn budget_svg(d: &ProgramDashboard, lang: Lang) -> String {
    let max = d
        .budget
        .iter()
        .flat_map(|b| [b.allocated, b.disbursed])
        .flatten()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let bars: Vec<Bar> = d
        .budget
        .iter()
        .map(|b| Bar {
            label: b.year.to_string(),
            value: b.disbursed.map(|x| x as f64),
            mark: b.allocated.map(|x| x as f64),
            text: format!(
                "{} / {}",
                b.disbursed
                    .map(|x| money_text(lang, x))
                    .unwrap_or_else(|| "—".into()),
                b.allocated
                    .map(|x| money_text(lang, x))
                    .unwrap_or_else(|| "—".into())
            ),
            fill: Fill::Solid,
        })
        .collect();
    charts::hbars(
        "chart-budget",
        &t(lang, "dash-chart-budget"),
        &t(lang, "dash-chart-budget-desc"),
        &bars,
        max,
        Some(&t(lang, "dash-allocated")),
        None,
    )
}

fn budget_table(d: &ProgramDashboard, lang: Lang) -> Table {
    Table {
        sheet_name: t(lang, "dash-chart-budget"),
        title: Some(format!(
            "{} — {}",
            d.program_code,
            t(lang, "dash-chart-budget")
        )),
        columns: vec![
            Column::new("year", t(lang, "dash-year"), ColumnKind::Int),
            Column::new("allocated", t(lang, "dash-allocated"), ColumnKind::Int),
            Column::new("disbursed", t(lang, "dash-disbursed"), ColumnKind::Int),
        ],
        rows: d
            .budget
            .iter()
            .map(|b| {
                vec![
                    Cell::Int(b.year),
                    b.allocated.map(Cell::Int).unwrap_or(Cell::Empty),
                    b.disbursed.map(Cell::Int).unwrap_or(Cell::Empty),
                ]
            })
            .collect(),
    }
}

/// The achievement chart: one bar per indicator, the target at 100 %.
fn achievement_svg(d: &ProgramDashboard, lang: Lang, file: bool) -> String {
    let bars: Vec<Bar> = d
        .indicators
        .iter()
        .map(|i| {
            let status = t(lang, &format!("dash-status-{}", i.status));
            Bar {
                label: format!("{} {}", i.code, i.name),
                value: i.achievement,
                mark: Some(100.0),
                text: format!("{} — {}", pct_text(lang, i.achievement), status),
                fill: match i.status.as_str() {
                    "behind" => Fill::Hatched,
                    "ahead" => Fill::Dotted,
                    "on_track" => Fill::Solid,
                    _ => Fill::Empty,
                },
            }
        })
        .collect();
    charts::hbars(
        "chart-achievement",
        &t(lang, "dash-chart-achievement"),
        &t(lang, "dash-chart-achievement-desc"),
        &bars,
        150.0,
        Some(&t(lang, "dash-target-mark")),
        sample_note(d, lang, file).as_deref(),
    )
}

/// The data of the achievement chart, as a table for CSV and XLSX.
fn achievement_table(d: &ProgramDashboard, lang: Lang) -> Table {
    Table {
        sheet_name: t(lang, "dash-chart-achievement"),
        title: Some(format!(
            "{} — {}",
            d.program_code,
            t(lang, "dash-chart-achievement")
        )),
        columns: vec![
            Column::new("code", t(lang, "indicator-code"), ColumnKind::Text),
            Column::new("name", t(lang, "indicator-name"), ColumnKind::Text),
            Column::new("unit", t(lang, "indicator-unit"), ColumnKind::Text),
            Column::new(
                "value",
                t(lang, "dash-value"),
                ColumnKind::Decimal { places: 2 },
            ),
            Column::new(
                "target",
                t(lang, "dash-target"),
                ColumnKind::Decimal { places: 2 },
            ),
            Column::new("target_year", t(lang, "dash-target-year"), ColumnKind::Int),
            Column::new(
                "achievement",
                t(lang, "dash-achievement"),
                ColumnKind::Decimal { places: 2 },
            ),
            Column::new(
                "expected",
                t(lang, "dash-expected"),
                ColumnKind::Decimal { places: 2 },
            ),
            Column::new("status", t(lang, "dash-status"), ColumnKind::Text),
        ],
        rows: d
            .indicators
            .iter()
            .map(|i| {
                let f = |v: Option<f64>| v.map(Cell::Decimal).unwrap_or(Cell::Empty);
                vec![
                    Cell::Text(i.code.clone()),
                    Cell::Text(i.name.clone()),
                    Cell::Text(i.unit.clone()),
                    f(i.value),
                    f(i.target),
                    i.target_year
                        .map(|y| Cell::Int(i64::from(y)))
                        .unwrap_or(Cell::Empty),
                    f(i.achievement),
                    f(i.expected),
                    Cell::Text(t(lang, &format!("dash-status-{}", i.status))),
                ]
            })
            .collect(),
    }
}

/// The reporting-rate chart: approved reports per unit, in percent.
fn units_svg(d: &ProgramDashboard, lang: Lang, file: bool) -> String {
    let bars: Vec<Bar> = d
        .units
        .iter()
        .map(|u| Bar {
            label: u.agency_name.clone(),
            value: u.rate,
            mark: None,
            text: format!("{} ({}/{})", pct_text(lang, u.rate), u.approved, u.expected),
            fill: if u.late + u.missing > 0 {
                Fill::Hatched
            } else {
                Fill::Solid
            },
        })
        .collect();
    charts::hbars(
        "chart-units",
        &t(lang, "dash-chart-units"),
        &t(lang, "dash-chart-units-desc"),
        &bars,
        100.0,
        None,
        sample_note(d, lang, file).as_deref(),
    )
}

fn units_table(d: &ProgramDashboard, lang: Lang) -> Table {
    Table {
        sheet_name: t(lang, "dash-chart-units"),
        title: Some(format!(
            "{} — {}",
            d.program_code,
            t(lang, "dash-chart-units")
        )),
        columns: vec![
            Column::new("unit", t(lang, "dash-unit"), ColumnKind::Text),
            Column::new(
                "expected",
                t(lang, "dash-expected-reports"),
                ColumnKind::Int,
            ),
            Column::new("approved", t(lang, "dash-approved"), ColumnKind::Int),
            Column::new("on_time", t(lang, "dash-on-time"), ColumnKind::Int),
            Column::new("late", t(lang, "dash-late"), ColumnKind::Int),
            Column::new("missing", t(lang, "dash-missing"), ColumnKind::Int),
            Column::new(
                "rate",
                t(lang, "dash-rate"),
                ColumnKind::Decimal { places: 1 },
            ),
        ],
        rows: d
            .units
            .iter()
            .map(|u| {
                vec![
                    Cell::Text(u.agency_name.clone()),
                    Cell::Int(i64::from(u.expected)),
                    Cell::Int(i64::from(u.approved)),
                    Cell::Int(i64::from(u.on_time)),
                    Cell::Int(i64::from(u.late)),
                    Cell::Int(i64::from(u.missing)),
                    u.rate.map(Cell::Decimal).unwrap_or(Cell::Empty),
                ]
            })
            .collect(),
    }
}

/// The note a chart file carries when its figures come from sample (demo)
/// periods (on the page, the banner above the charts says it once).
fn sample_note(d: &ProgramDashboard, lang: Lang, file: bool) -> Option<String> {
    (file && d.sample).then(|| t(lang, "chart-sample-note"))
}

/// A chart's data from sample periods says so in the file: the title (XLSX)
/// and a column on every row (CSV and XLSX alike).
fn with_sample(mut table: Table, d: &ProgramDashboard, lang: Lang) -> Table {
    if !d.sample {
        return table;
    }
    let word = t(lang, "sample-data");
    if let Some(title) = table.title.as_mut() {
        title.push_str(&format!(" ({word})"));
    }
    table
        .columns
        .push(Column::new("sample", word.clone(), ColumnKind::Text));
    for row in &mut table.rows {
        row.push(Cell::Text(word.clone()));
    }
    table
}

/// A period as a tick of the trend chart: "6T/2023", "Năm 2023" / "H1 2023", "Year 2023".
fn tick_of(lang: Lang, label: &str) -> String {
    match langnghe_core::report::standard_label_parts(label) {
        Some((kind, year)) => t_args(
            lang,
            &format!("trend-tick-{}", kind.as_str()),
            &[("year", year.to_string())],
        ),
        None => label.to_string(),
    }
}

/// A value as printed on the chart and in tables, in the reader's language.
fn num_text(lang: Lang, v: f64) -> String {
    crate::views::in_lang(lang, vnfmt::format_decimal_trim(v, 2))
}

/// The trend panels, one per indicator that has a value in some period.
fn trend_panels(d: &ProgramDashboard, lang: Lang) -> Vec<String> {
    let desc = t(lang, "dash-chart-trend-desc");
    d.trend
        .iter()
        .filter(|s| s.points.iter().any(|p| p.value.is_some()))
        .enumerate()
        .map(|(n, s)| {
            let ticks: Vec<String> = s.points.iter().map(|p| tick_of(lang, &p.period)).collect();
            let series = charts::Series {
                label: format!("{} {} ({})", s.code, s.name, s.unit),
                points: s.points.iter().map(|p| p.value).collect(),
                texts: s
                    .points
                    .iter()
                    .map(|p| p.value.map(|v| num_text(lang, v)).unwrap_or_default())
                    .collect(),
                sample: s.points.iter().map(|p| p.sample).collect(),
                provisional: s.points.iter().map(|p| p.provisional).collect(),
                target: s.target,
                target_text: s
                    .target_text
                    .as_ref()
                    .map(|tt| format!("{}: {tt}", t(lang, "dash-target"))),
            };
            charts::trend_panel(&format!("chart-trend-{n}"), &series, &ticks, &desc)
        })
        .collect()
}

/// The trend chart as one SVG file.
fn trend_svg(d: &ProgramDashboard, lang: Lang) -> String {
    charts::trend_sheet(
        "chart-trend",
        &format!("{} — {}", d.program_code, t(lang, "dash-chart-trend")),
        &t(lang, "dash-chart-trend-desc"),
        &trend_panels(d, lang),
        sample_note(d, lang, true).as_deref(),
    )
}

/// The data of the trend chart, one row per indicator and period.
fn trend_table(d: &ProgramDashboard, lang: Lang) -> Table {
    let sample_word = t(lang, "sample-data");
    Table {
        sheet_name: t(lang, "dash-chart-trend"),
        title: Some(format!(
            "{} — {}{}",
            d.program_code,
            t(lang, "dash-chart-trend"),
            if d.sample {
                format!(" ({sample_word})")
            } else {
                String::new()
            }
        )),
        columns: vec![
            Column::new("code", t(lang, "indicator-code"), ColumnKind::Text),
            Column::new("name", t(lang, "indicator-name"), ColumnKind::Text),
            Column::new("unit", t(lang, "indicator-unit"), ColumnKind::Text),
            Column::new("period", t(lang, "period-label"), ColumnKind::Text),
            Column::new(
                "value",
                t(lang, "dash-value"),
                ColumnKind::Decimal { places: 2 },
            ),
            Column::new(
                "provisional",
                t(lang, "consol-provisional"),
                ColumnKind::Text,
            ),
            Column::new("sample", sample_word.clone(), ColumnKind::Text),
        ],
        rows: d
            .trend
            .iter()
            .flat_map(|s| {
                let yes = t(lang, "yes");
                let sample_word = sample_word.clone();
                s.points.iter().map(move |p| {
                    vec![
                        Cell::Text(s.code.clone()),
                        Cell::Text(s.name.clone()),
                        Cell::Text(s.unit.clone()),
                        Cell::Text(crate::views::period_name(lang, &p.period)),
                        p.value.map(Cell::Decimal).unwrap_or(Cell::Empty),
                        Cell::Text(if p.provisional {
                            yes.clone()
                        } else {
                            String::new()
                        }),
                        Cell::Text(if p.sample {
                            sample_word.clone()
                        } else {
                            String::new()
                        }),
                    ]
                })
            })
            .collect(),
    }
}

/// The charts a programme dashboard offers, by file stem.
const CHARTS: [&str; 5] = ["achievement", "trend", "units", "budget", "schemes"];

/// A chart as SVG, or its data as CSV or XLSX: `achievement.svg`, `units.csv`…
async fn chart_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let (stem, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    if !CHARTS.contains(&stem) || !matches!(ext, "svg" | "csv" | "xlsx") {
        return Err(AppError::NotFound);
    }
    // Only the trend's own files need every period's values.
    let trend = if stem == "trend" {
        Trend::With
    } else {
        Trend::Without
    };
    let (p, d) = kept_dashboard(&state, &ctx, &id, trend).await?;
    let name = format!("{}-{stem}.{ext}", p.code.replace('/', "-"));
    let res = match (stem, ext) {
        ("achievement", "svg") => svg_response(achievement_svg(&d, ctx.lang, true)),
        ("units", "svg") => svg_response(units_svg(&d, ctx.lang, true)),
        ("budget", "svg") => svg_response(budget_svg(&d, ctx.lang)),
        ("schemes", "svg") => svg_response(schemes_svg(&d, ctx.lang)),
        ("trend", "svg") => svg_response(trend_svg(&d, ctx.lang)),
        (_, "csv") | (_, "xlsx") => {
            let table = match stem {
                "units" => with_sample(units_table(&d, ctx.lang), &d, ctx.lang),
                "budget" => budget_table(&d, ctx.lang),
                "schemes" => schemes_table(&d, ctx.lang),
                "trend" => trend_table(&d, ctx.lang),
                _ => with_sample(achievement_table(&d, ctx.lang), &d, ctx.lang),
            };
            if ext == "csv" {
                crate::common::file_response(
                    langnghe_reports::to_csv(&table),
                    "text/csv; charset=utf-8",
                    &name,
                )
            } else {
                let bytes = langnghe_reports::to_xlsx(&table)
                    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
                crate::common::file_response(bytes, crate::common::XLSX_TYPE, &name)
            }
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(res)
}

fn svg_response(svg: String) -> Response {
    let mut res = svg.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    res
}

/// What the page's trend section shows: the panels, the ticks, the table rows,
/// which periods are sample or provisional, and the indicators without values.
fn trend_context(d: &ProgramDashboard, lang: Lang) -> minijinja::Value {
    let trend: Vec<minijinja::Value> = trend_panels(d, lang)
        .into_iter()
        .map(minijinja::Value::from_safe_string)
        .collect();
    let ticks: Vec<String> = d
        .trend
        .first()
        .map(|s| s.points.iter().map(|p| tick_of(lang, &p.period)).collect())
        .unwrap_or_default();
    let trend_rows: Vec<minijinja::Value> = d
        .trend
        .iter()
        .map(|s| {
            context! {
                code => s.code,
                name => s.name,
                unit => s.unit,
                target_text => s.target_text,
                values => s.points.iter().map(|p| p.value.map(|v| num_text(lang, v))).collect::<Vec<_>>(),
            }
        })
        .collect();
    let trend_provisional: Vec<bool> = d
        .trend
        .first()
        .map(|s| s.points.iter().map(|p| p.provisional).collect())
        .unwrap_or_default();
    let trend_sample: Vec<bool> = d
        .trend
        .first()
        .map(|s| s.points.iter().map(|p| p.sample).collect())
        .unwrap_or_default();
    let no_trend: Vec<&str> = d
        .trend
        .iter()
        .filter(|s| s.points.iter().all(|p| p.value.is_none()))
        .map(|s| s.code.as_str())
        .collect();
    context! {
        panels => trend,
        ticks => ticks,
        sample => trend_sample,
        provisional => trend_provisional,
        rows => trend_rows,
        none => no_trend.join(", "),
    }
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let (p, d) = kept_dashboard(&state, &ctx, &id, Trend::With).await?;
    let achievement = achievement_svg(&d, ctx.lang, false);
    let units = units_svg(&d, ctx.lang, false);
    let budget = budget_svg(&d, ctx.lang);
    let schemes = schemes_svg(&d, ctx.lang);
    let trend = trend_context(&d, ctx.lang);
    render(
        &state,
        &ctx,
        "dashboard/program.html",
        context! {
            title => t(ctx.lang, "dash-title"),
            p => p,
            d => &*d,
            tolerance_pct => (rules::TOLERANCE * 100.0).round() as i64,
            achievement_svg => minijinja::Value::from_safe_string(achievement),
            units_svg => minijinja::Value::from_safe_string(units),
            budget_svg => minijinja::Value::from_safe_string(budget),
            schemes_svg => minijinja::Value::from_safe_string(schemes),
            trend => trend,
        },
    )
}

// ---------------------------------------------------------------------------
// Province overview
// ---------------------------------------------------------------------------

pub fn overview_pages() -> Router<AppState> {
    Router::new().route("/dashboard", get(overview_page))
}

pub fn overview_api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(overview_json))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// The unit by its code ("10" Lào Cai, "082" Bát Xát) or its name ("Lào Cai",
    /// "Bát Xát, Lào Cai"); default: the reader's scope.
    pub unit: Option<String>,
}

/// One programme of the area, side by side with the others.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgramSummary {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: String,
    pub indicators: usize,
    pub on_track: usize,
    pub behind: usize,
    pub ahead: usize,
    pub no_data: usize,
    /// The latest period, with the reports of the units in the area.
    pub latest_period: Option<String>,
    pub expected: Option<i64>,
    pub approved: Option<i64>,
    pub rate: Option<f64>,
    /// Some of its figures come from sample (demo) periods.
    pub sample: bool,
}

/// The overview of a province (or the country, or a district).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// Set when the reader asked for a unit above their scope: the figures are
    /// only those of their scope (named here).
    pub limited_to: Option<String>,
    pub programs: Vec<ProgramSummary>,
    pub villages: Vec<DashCountView>,
    pub ocop: Vec<OcopStarsView>,
    /// Villages whose latest environmental assessment is older than the
    /// reassessment interval (villages never assessed are not counted).
    pub environment_overdue: i64,
}

/// The overview's figures of each programme of `area` (and of the units above
/// and below it): its indicators' verdicts in its latest period and its
/// reporting rate.
async fn program_summaries(state: &AppState, area: i64) -> AppResult<Vec<ProgramSummary>> {
    let db = &state.db;
    let (progs, _) = programs::list(db, area, None, 100, 0).await?;
    // Programmes of the asked unit and above (those containing it) and below it.
    let ids: Vec<i64> = progs.iter().map(|p| p.id).collect();
    let rates = store::latest_period_rates(db, area, &ids).await?;
    // The verdicts only: the total lines of each programme's latest period, no
    // reporting per unit, no trend, no budget; every programme's plan and kept
    // totals in one read of each table.
    let plans = consolidation::Plan::read_many(state, &ids).await?;
    let latest: Vec<_> = progs
        .iter()
        .filter_map(|p| {
            let plan = plans.get(&p.id)?;
            latest_of(&plan.periods).map(|period| (p, period, plan))
        })
        .collect();
    let totals: HashMap<i64, consolidation::LineTotals> = latest
        .iter()
        .map(|(p, _, _)| p.id)
        .zip(consolidation::line_totals_many(state, &latest).await?)
        .collect();
    let mut programs = vec![];
    for p in &progs {
        let Some(plan) = plans.get(&p.id) else {
            continue;
        };
        let figures = figures_from(p, plan, totals.get(&p.id));
        let count = |s: &str| figures.iter().filter(|i| i.status == s).count();
        let r = rates.iter().find(|r| r.program_id == p.id);
        programs.push(ProgramSummary {
            id: p.id,
            code: p.code.clone(),
            title: p.title.clone(),
            status: p.status.clone(),
            indicators: figures.len(),
            on_track: count("on_track"),
            behind: count("behind"),
            ahead: count("ahead"),
            no_data: count("no_data"),
            latest_period: r.map(|r| r.period.clone()),
            expected: r.map(|r| r.expected),
            approved: r.map(|r| r.approved),
            rate: r.and_then(|r| {
                (r.expected > 0)
                    .then(|| (r.approved as f64 * 1000.0 / r.expected as f64).round() / 10.0)
            }),
            sample: plan.periods.iter().any(|p| p.sample),
        });
    }
    Ok(programs)
}

async fn overview(
    state: &AppState,
    ctx: &Ctx,
    q: &UnitQuery,
    kept: &crate::kept::At<'_>,
) -> AppResult<Overview> {
    let u = ctx.user()?;
    let db = &state.db;
    let today = crate::common::today();
    // The geography's: kept under the plans' revision.
    let scope_id = u.scope_unit_id;
    let scope = kept
        .get(Key::Unit(scope_id), || async {
            Ok(langnghe_store::geo::by_id(db, scope_id).await?)
        })
        .await?;
    let scope = Option::clone(&scope).ok_or(AppError::NotFound)?;
    let asked = match q.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => scope.clone(),
        // A code or a name, as every place filter reads it (ambiguous: 422 with
        // the candidates).
        Some(raw) => match crate::places::field(db, ctx.lang, "unit", raw, None, None).await? {
            Ok(unit) => unit,
            Err(e) => return Err(AppError::Validation(vec![e])),
        },
    };
    // Scope both ways: a unit inside the reader's scope, or one above it (the
    // province of a district officer: its programmes, the officer's figures).
    let (area, limited_to) =
        if asked.id == scope.id || langnghe_store::geo::covers(db, scope.id, asked.id).await? {
            (asked.id, None)
        } else if langnghe_store::geo::covers(db, asked.id, scope.id).await? {
            (scope.id, Some(scope.name.clone()))
        } else {
            return Err(AppError::NotFound);
        };
    let key = Key::Overview { area, today };
    let programs = kept.get(key, || program_summaries(state, area)).await?;
    let counts = kept
        .get(Key::RegistryCounts { area, today }, || {
            registry_counts(db, area, today)
        })
        .await?;
    let unit = &asked;
    Ok(Overview {
        unit_id: unit.id,
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        limited_to,
        programs: Vec::clone(&programs),
        villages: counts.0.clone(),
        ocop: counts.1.clone(),
        environment_overdue: counts.2,
    })
}

/// The overview's registry counts of an area: villages by status, OCOP
/// products by stars (those expiring soon apart), environmental assessments overdue.
async fn registry_counts(
    db: &langnghe_store::Db,
    area: i64,
    today: time::Date,
) -> AppResult<(Vec<DashCountView>, Vec<OcopStarsView>, i64)> {
    let th = langnghe_core::registry::Thresholds::default();
    let soon = today + time::Duration::days(i64::from(th.ocop_expiring_days));
    let cutoff = today
        .replace_year(today.year() - th.env_reassess_years as i32)
        .unwrap_or(today);
    let counts = store::registry_counts(db, area, today, soon, cutoff).await?;
    Ok((
        views(counts.villages),
        views(counts.ocop),
        counts.environment_overdue,
    ))
}

/// The overview of a province (or the reader's scope): programmes side by
/// side, villages by status, OCOP products, environment, reporting.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard",
    params(UnitQuery),
    responses((status = 200, body = Overview), (status = 404), (status = 422)))]
async fn overview_json(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::extract::Query(q): crate::extract::Query<UnitQuery>,
) -> AppResult<Response> {
    // The revisions before anything the overview is computed from.
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let key = Key::answer(crate::kept::Area::Registry, &ctx)?;
    kept.answer(key, || overview(&state, &ctx, &q, &kept)).await
}

async fn overview_page(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::extract::Query(q): crate::extract::Query<UnitQuery>,
) -> AppResult<Response> {
    // A unit that cannot be read: the reader's own overview again, with what was
    // typed kept and the error beside the field (422).
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let (o, errors, status) = match overview(&state, &ctx, &q, &kept).await {
        Ok(o) => (o, vec![], StatusCode::OK),
        Err(AppError::Validation(errs)) => (
            overview(&state, &ctx, &UnitQuery { unit: None }, &kept).await?,
            errs,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return Err(e),
    };
    let html = render(
        &state,
        &ctx,
        "dashboard/overview.html",
        context! {
            title => t(ctx.lang, "dash-overview-title"),
            o => o,
            unit_q => q.unit.clone().unwrap_or_default(),
            errors => crate::views::field_errors(ctx.lang, &errors),
        },
    )?;
    Ok((status, html).into_response())
}
