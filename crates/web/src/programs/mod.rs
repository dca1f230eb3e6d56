//! Programmes and plans: list, programme page (legal basis, indicators with
//! targets as stated and achievement, the task matrix, the budget), the
//! agency's tasks, and their JSON twins (editing is in `edit`, the forms' payloads in `forms`).

mod below;
mod views;
pub use views::*;

pub mod edit;
pub mod forms;

use crate::common::ListOf;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{non_empty, page_offset, Json, Path, Query, PAGE_SIZE};
use crate::i18n::t;
use crate::scoped::{Reach, Scoped};
use crate::views::{pager, render};
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use langnghe_core::access::Action;
use langnghe_core::plan::{self as rules, Direction, Status, Target, TaskStatus};
use langnghe_core::vnfmt;
use langnghe_store::programs::{
    self as store, ActualRow, BudgetAmount, BudgetLine, Indicator, Program, TargetRow, Task,
};
use minijinja::context;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/programs", get(list_page))
        .route("/programs/{id}", get(detail_page))
        .route("/tasks/mine", get(my_tasks_page))
        .route("/programs/{id}/appendix", get(appendix_page))
        .route("/programs/{id}/plans", get(below::plans_below_page))
        .route("/programs/{id}/summary.pdf", get(summary_pdf_api))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api))
        .routes(routes!(get_api))
        .routes(routes!(indicators_api))
        .routes(routes!(tasks_api))
        .routes(routes!(budget_api))
        .routes(routes!(achievement_api))
        .routes(routes!(my_tasks_api))
        .routes(routes!(tasks_mine_api))
        .routes(routes!(appendix_api))
        .routes(routes!(below::plans_below_api))
        .routes(routes!(summary_pdf_api))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgramQuery {
    /// Search in titles and codes.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    #[param(ignore)]
    pub page: Option<i64>,
}

/// A programme as lists show it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProgramItem {
    #[serde(flatten)]
    pub program: ProgramView,
}

fn scope(ctx: &Ctx) -> AppResult<i64> {
    Ok(ctx.require(Action::Read)?.scope_unit_id)
}

/// Programmes and plans inside the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/programs", tag = "plans", params(ProgramQuery),
    responses((status = 200, body = ListOf<ProgramView>), (status = 401)))]
async fn list_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProgramQuery>,
) -> AppResult<axum::response::Response> {
    let s = scope(&ctx)?;
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let key = crate::kept::Key::answer(crate::kept::Area::Plans, &ctx)?;
    kept.answer(key, || async {
        let (items, total) = store::list(
            &state.db,
            s,
            non_empty(&q.q).as_deref(),
            crate::extract::api_limit(q.limit),
            crate::extract::api_offset(q.offset),
        )
        .await?;
        let items: Vec<ProgramView> = items.into_iter().map(ProgramView::from).collect();
        Ok(ListOf { items, total })
    })
    .await
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProgramQuery>,
) -> AppResult<Html<String>> {
    let s = scope(&ctx)?;
    let (page, offset) = page_offset(q.page);
    let (items, total) =
        store::list(&state.db, s, non_empty(&q.q).as_deref(), PAGE_SIZE, offset).await?;
    let page_ctx = context! {
        title => t(ctx.lang, "programs-title"),
        items => items,
        q => q.q.clone().unwrap_or_default(),
        pager => pager(ctx.lang, page, PAGE_SIZE, total),
        query_base => serde_urlencoded::to_string([("q", q.q.clone().unwrap_or_default())]).unwrap_or_default(),
    };
    render(&state, &ctx, "programs/list.html", page_ctx)
}

/// One programme; its version is also the `ETag` (name it to change the programme).
#[utoipa::path(get, path = "/api/v1/programs/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = ProgramView, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
async fn get_api(Scoped(p): Scoped<Program>) -> AppResult<axum::response::Response> {
    Ok(crate::version::with_etag(p.version, ProgramView::from(p)))
}

/// An indicator with its targets, actual values and achievement.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorView {
    #[serde(flatten)]
    pub indicator: IndicatorBody,
    pub targets: Vec<TargetRowBody>,
    pub actuals: Vec<ActualRowBody>,
    pub achievement: AchievementView,
}

/// How far an indicator is from its target.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AchievementView {
    pub actual: Option<f64>,
    /// The target as stated, e.g. "10-12".
    pub target: Option<String>,
    pub milestone: Option<String>,
    /// e.g. 71.2 (rounded to 2 decimals).
    pub percent: Option<f64>,
    /// below, achieved, exceeded, no_data, or per_category (the target lists
    /// categories that do not add: each is compared with its own target).
    pub status: String,
    /// "71,2 %".
    pub percent_text: Option<String>,
}

fn status_str(s: Status) -> &'static str {
    match s {
        Status::NoData => "no_data",
        Status::Below => "below",
        Status::Achieved => "achieved",
        Status::Exceeded => "exceeded",
    }
}

/// The achievement of an indicator: against its milestone target (the first one at or
/// after `as_of`'s year, else the last), or, for an evaluated programme, against the
/// plan value stored with the actual.
pub fn achievement_of(
    ind: &Indicator,
    targets: &[TargetRow],
    actuals: &[ActualRow],
    as_of_year: i32,
) -> AchievementView {
    let direction = if ind.direction == "lower" {
        Direction::LowerIsBetter
    } else {
        Direction::HigherIsBetter
    };
    let totals: Vec<&TargetRow> = targets
        .iter()
        .filter(|t| t.indicator_id == ind.id && t.dimension == "total")
        .collect();
    let mine: Vec<&ActualRow> = actuals
        .iter()
        .filter(|a| a.indicator_id == ind.id && a.category.is_none())
        .collect();
    // Shown with the precision the document used for the stated rate, else one decimal.
    let decimals = mine
        .iter()
        .rev()
        .find_map(|a| a.rate_stated.as_deref())
        .map(|r| {
            r.trim()
                .trim_end_matches('%')
                .trim()
                .split_once(',')
                .map(|(_, d)| d.trim().len() as u32)
                .unwrap_or(0)
        })
        .unwrap_or(1);
    let view =
        |a: rules::Achievement, actual: Option<f64>, milestone: Option<String>| AchievementView {
            actual,
            target: Some(a.target_text.clone()),
            milestone,
            percent: a.percent.map(|p| rules::round_pct(p, 2)),
            percent_text: a
                .percent
                .map(|p| vnfmt::format_percent(rules::round_pct(p, decimals), decimals as usize)),
            status: status_str(a.status).into(),
        };
    if totals.is_empty() {
        // An evaluated programme: each actual carries its plan value.
        if let Some(a) = mine.iter().rev().find(|a| a.plan_value.is_some()) {
            let plan = a.plan_value.unwrap_or_default();
            let r = rules::achievement(
                &Target::Exact { value: plan },
                Some(a.value),
                ind.baseline_value,
                None,
                direction,
            );
            return view(r, Some(a.value), Some(a.period.clone()));
        }
        return AchievementView {
            actual: None,
            target: None,
            milestone: None,
            percent: None,
            percent_text: None,
            status: "no_data".into(),
        };
    }
    let chosen = totals
        .iter()
        .find(|t| {
            t.milestone
                .chars()
                .take(4)
                .collect::<String>()
                .parse::<i32>()
                .is_ok_and(|y| y >= as_of_year)
        })
        .or(totals.last())
        .copied();
    let Some(target_row) = chosen else {
        return AchievementView {
            actual: None,
            target: None,
            milestone: None,
            percent: None,
            percent_text: None,
            status: "no_data".into(),
        };
    };
    // A target listing categories that do not add ("11 LN, 21 NTT, 13 LNTT") is
    // compared category by category, never as their sum.
    let categories = targets
        .iter()
        .filter(|t| {
            t.indicator_id == ind.id
                && t.dimension == "category"
                && t.milestone == target_row.milestone
        })
        .count();
    if langnghe_core::coverage::total_basis(categories, target_row.value)
        == langnghe_core::coverage::TotalBasis::PerCategory
    {
        return AchievementView {
            actual: None,
            target: Some(target_row.text.clone()),
            milestone: Some(target_row.milestone.clone()),
            percent: None,
            percent_text: None,
            status: "per_category".into(),
        };
    }
    let target: Target =
        serde_json::from_str(&target_row.form).unwrap_or(Target::Exact { value: 0.0 });
    let actual = match ind.aggregation.as_str() {
        "sum" if !mine.is_empty() => Some(mine.iter().map(|a| a.value).sum()),
        _ => mine.last().map(|a| a.value),
    };
    let years = target_row
        .milestone
        .chars()
        .take(4)
        .collect::<String>()
        .parse::<i64>()
        .ok()
        .zip(ind.baseline_year)
        .map(|(m, b)| (m - b).max(1) as u32);
    let r = rules::achievement(&target, actual, ind.baseline_value, years, direction);
    let mut v = view(r, actual, Some(target_row.milestone.clone()));
    v.target = Some(target_row.text.clone());
    v
}

/// A programme's actual values, with those recorded on its derived annual plans rolled
/// up onto its own indicators (matched by indicator code).
async fn program_actuals(
    state: &AppState,
    program_id: i64,
    inds: &[Indicator],
) -> AppResult<Vec<ActualRow>> {
    let mut actuals = store::actuals(&state.db, program_id).await?;
    for (code, mut a) in store::child_actuals(&state.db, program_id).await? {
        if let Some(ind) = inds.iter().find(|i| i.code == code) {
            a.indicator_id = ind.id;
            actuals.push(a);
        }
    }
    Ok(actuals)
}

async fn indicator_views(
    state: &AppState,
    program_id: i64,
    as_of_year: i32,
) -> AppResult<Vec<IndicatorView>> {
    let inds = store::indicators(&state.db, program_id).await?;
    let targets = store::targets(&state.db, program_id).await?;
    let actuals = program_actuals(state, program_id, &inds).await?;
    Ok(inds
        .into_iter()
        .map(|i| {
            let achievement = achievement_of(&i, &targets, &actuals, as_of_year);
            IndicatorView {
                targets: targets
                    .iter()
                    .filter(|t| t.indicator_id == i.id)
                    .cloned()
                    .map(TargetRowBody::from)
                    .collect(),
                actuals: actuals
                    .iter()
                    .filter(|a| a.indicator_id == i.id)
                    .cloned()
                    .map(ActualRowBody::from)
                    .collect(),
                achievement,
                indicator: i.into(),
            }
        })
        .collect())
}

/// The programme's indicators with targets (as stated, parsed, split), actuals and achievement.
#[utoipa::path(get, path = "/api/v1/programs/{id}/indicators", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = ListOf<IndicatorView>), (status = 404)))]
async fn indicators_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(p): Scoped<Program>,
) -> AppResult<axum::response::Response> {
    // The programme was read (in scope) before the revisions: read again
    // after them for what the answer is computed from.
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let key = crate::kept::Key::answer(crate::kept::Area::Plans, &ctx)?;
    kept.answer(key, || async {
        // Whole-country reach: the reader's was checked by `Scoped` (a district
        // reads the plans that contain it too).
        let p = store::get(&state.db, langnghe_store::geo::COUNTRY_ID, p.id)
            .await?
            .ok_or(AppError::NotFound)?;
        // A plan read after its end is measured against the milestone of its end, not its vision.
        let year = langnghe_core::coverage::reference_year(
            crate::common::today().year(),
            p.period_end.year(),
        );
        let items = indicator_views(&state, p.id, year).await?;
        let total = items.len() as i64;
        Ok(ListOf { items, total })
    })
    .await
}

/// A task with its lead and coordinating agencies.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    #[serde(flatten)]
    pub task: TaskBody,
    /// (id, name) of the coordinating agencies.
    pub coordinating: Vec<(i64, String)>,
    /// Codes of the indicators the task serves.
    pub indicator_codes: Vec<String>,
}

/// One task with its coordinating agencies and the codes of its indicators.
pub(crate) async fn task_view(state: &AppState, task: Task) -> AppResult<TaskView> {
    let names = store::task_coordinators(&state.db, task.program_id).await?;
    let codes = store::task_indicator_codes(&state.db, task.program_id).await?;
    Ok(TaskView {
        coordinating: names
            .into_iter()
            .filter(|(tid, _, _)| *tid == task.id)
            .map(|(_, a, n)| (a, n))
            .collect(),
        indicator_codes: codes
            .into_iter()
            .filter(|(tid, _)| *tid == task.id)
            .map(|(_, c)| c)
            .collect(),
        task: task.into(),
    })
}

async fn task_views(state: &AppState, program_id: i64) -> AppResult<Vec<TaskView>> {
    let tasks = store::tasks(&state.db, program_id).await?;
    let co = store::task_coordinators(&state.db, program_id).await?;
    let links = store::task_indicator_codes(&state.db, program_id).await?;
    Ok(tasks
        .into_iter()
        .map(|t| TaskView {
            coordinating: co
                .iter()
                .filter(|(tid, _, _)| *tid == t.id)
                .map(|(_, a, n)| (*a, n.clone()))
                .collect(),
            indicator_codes: links
                .iter()
                .filter(|(tid, _)| *tid == t.id)
                .map(|(_, c)| c.clone())
                .collect(),
            task: t.into(),
        })
        .collect())
}

/// The programme's tasks.
#[utoipa::path(get, path = "/api/v1/programs/{id}/tasks", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = ListOf<TaskView>), (status = 404)))]
async fn tasks_api(
    State(state): State<AppState>,
    Scoped(p): Scoped<Program>,
) -> AppResult<Json<ListOf<TaskView>>> {
    let items = task_views(&state, p.id).await?;
    let total = items.len() as i64;
    Ok(Json(ListOf { items, total }))
}

/// A budget line with its allocations, disbursements and execution rates.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BudgetView {
    #[serde(flatten)]
    pub line: BudgetLineBody,
    pub amounts: Vec<BudgetAmountBody>,
    pub allocated_dong: i64,
    pub disbursed_dong: i64,
    /// Allocated / planned, in % (2 decimals).
    pub allocated_pct: Option<f64>,
    /// Disbursed / allocated, in % (2 decimals).
    pub disbursed_pct: Option<f64>,
}

fn budget_views(lines: Vec<BudgetLine>, amounts: &[BudgetAmount]) -> Vec<BudgetView> {
    lines
        .into_iter()
        .map(|l| {
            let mine: Vec<BudgetAmount> = amounts
                .iter()
                .filter(|a| a.budget_line_id == l.id)
                .cloned()
                .collect();
            let sum = |k: &str| {
                mine.iter()
                    .filter(|a| a.kind == k)
                    .map(|a| a.dong)
                    .sum::<i64>()
            };
            let (alloc, disb) = (sum("allocation"), sum("disbursement"));
            BudgetView {
                allocated_pct: l
                    .planned_dong
                    .filter(|p| *p > 0 && alloc > 0)
                    .map(|p| rules::round_pct(alloc as f64 * 100.0 / p as f64, 2)),
                disbursed_pct: (alloc > 0 && disb > 0)
                    .then(|| rules::round_pct(disb as f64 * 100.0 / alloc as f64, 2)),
                allocated_dong: alloc,
                disbursed_dong: disb,
                amounts: mine.into_iter().map(BudgetAmountBody::from).collect(),
                line: l.into(),
            }
        })
        .collect()
}

/// The programme's budget lines.
#[utoipa::path(get, path = "/api/v1/programs/{id}/budget", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = ListOf<BudgetView>), (status = 404)))]
async fn budget_api(
    State(state): State<AppState>,
    Scoped(p): Scoped<Program>,
) -> AppResult<Json<ListOf<BudgetView>>> {
    let (lines, amounts) = store::budget(&state.db, p.id).await?;
    let items = budget_views(lines, &amounts);
    let total = items.len() as i64;
    Ok(Json(ListOf { items, total }))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// Date (default today): picks the milestone target.
    pub as_of: Option<String>,
}

/// Achievement of one indicator: actual, target as stated, percent and status.
#[utoipa::path(get, path = "/api/v1/indicators/{id}/achievement", tag = "plans", params(("id" = i64, Path), AsOf),
    responses((status = 200, body = AchievementView), (status = 404), (status = 422)))]
async fn achievement_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> AppResult<Json<AchievementView>> {
    let s = scope(&ctx)?;
    let id = crate::common::path_id(&id)?;
    let ind = store::indicator(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Visible only if its programme is.
    store::get_visible(&state.db, s, ind.program_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let day = crate::common::parse_as_of(&q.as_of).map_err(|e| AppError::Validation(vec![e]))?;
    let targets = store::targets(&state.db, ind.program_id).await?;
    let inds = store::indicators(&state.db, ind.program_id).await?;
    let actuals = program_actuals(&state, ind.program_id, &inds).await?;
    Ok(Json(achievement_of(&ind, &targets, &actuals, day.year())))
}

/// Split targets of one milestone: (milestone, [(target id, category or unit, text)]).
type SplitGroup = (String, Vec<(i64, String, String)>);

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    detail_html(&state, &ctx, &id, None).await
}

/// A plan's inline add form sent back after invalid input: which form
/// ("indicators", "tasks", "budget", "derive"), what was typed and the errors
/// (`{field, message}`, already in the reader's language).
pub(crate) struct Inline {
    pub form: &'static str,
    pub values: serde_json::Value,
    pub errors: Vec<minijinja::Value>,
}

/// The plan page; with `inline`, one add form is open, keeps what was typed
/// and says what is wrong.
pub(crate) async fn detail_html(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    inline: Option<Inline>,
) -> AppResult<Html<String>> {
    let p: Program = crate::scoped::load(state, ctx, id, Reach::Read).await?;
    let basis = store::legal_basis(&state.db, p.id).await?;
    let children =
        store::children(&state.db, ctx.require(Action::Read)?.scope_unit_id, p.id).await?;
    let indicators = indicator_views(
        state,
        p.id,
        langnghe_core::coverage::reference_year(crate::common::today().year(), p.period_end.year()),
    )
    .await?;
    let tasks = task_views(state, p.id).await?;
    let (lines, amounts) = store::budget(&state.db, p.id).await?;
    let budget = budget_views(lines, &amounts);
    // The assignment matrix: tasks (rows) × agencies (columns, by short name):
    // lead or coordinating.
    let mut agencies: Vec<(i64, String)> = vec![];
    for tv in &tasks {
        if let (Some(id), Some(name)) = (tv.task.lead_agency_id, tv.task.lead_agency_name.clone()) {
            if !agencies.iter().any(|(a, _)| *a == id) {
                agencies.push((id, name));
            }
        }
        for (id, name) in &tv.coordinating {
            if !agencies.iter().any(|(a, _)| a == id) {
                agencies.push((*id, name.clone()));
            }
        }
    }
    let mut columns = vec![];
    for (aid, name) in &agencies {
        let short = langnghe_store::agencies::get(&state.db, langnghe_store::geo::COUNTRY_ID, *aid)
            .await?
            .map(|a| a.short_name)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| name.clone());
        columns.push(context! { id => aid, short => short, name => name });
    }
    let matrix: Vec<_> = tasks
        .iter()
        .filter(|tv| tv.task.lead_agency_id.is_some() || !tv.coordinating.is_empty())
        .map(|tv| {
            let cells: Vec<&str> = agencies
                .iter()
                .map(|(aid, _)| {
                    if tv.task.lead_agency_id == Some(*aid) {
                        "lead"
                    } else if tv.coordinating.iter().any(|(c, _)| c == aid) {
                        "coordinating"
                    } else {
                        ""
                    }
                })
                .collect();
            let text: String = tv.task.text.chars().take(90).collect();
            let cut = text.chars().count() < tv.task.text.chars().count();
            context! {
                id => tv.task.id,
                section => tv.task.section.clone(),
                text => if cut { format!("{text}…") } else { text },
                full => tv.task.text.clone(),
                cells => cells,
            }
        })
        .collect();
    // Split targets grouped by milestone, each group with its year.
    let splits: std::collections::HashMap<String, Vec<SplitGroup>> = indicators
        .iter()
        .map(|iv| {
            let mut groups: Vec<SplitGroup> = vec![];
            for tg in iv.targets.iter().filter(|t| t.dimension != "total") {
                let label = tg
                    .category
                    .clone()
                    .or_else(|| tg.unit_name.clone())
                    .or_else(|| tg.agency_name.clone())
                    .unwrap_or_default();
                let item = (tg.id, label, tg.text.clone());
                match groups.iter_mut().find(|(m, _)| *m == tg.milestone) {
                    Some((_, items)) => items.push(item),
                    None => groups.push((tg.milestone.clone(), vec![item])),
                }
            }
            (iv.indicator.id.to_string(), groups)
        })
        .collect();
    let periods = langnghe_store::reporting::periods(&state.db, p.id).await?;
    let specific: Vec<String> = p
        .objectives_specific
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let total_planned: i64 = budget.iter().filter_map(|b| b.line.planned_dong).sum();
    let has_appendix = !store::appendices(&state.db, p.id).await?.is_empty();
    let agency_options =
        langnghe_store::agencies::options(&state.db, ctx.user()?.scope_unit_id).await?;
    // Seeing a plan of the province is not editing it: only inside one's scope.
    let can_edit = ctx.may(Action::EditRegistry)
        && langnghe_store::geo::covers(&state.db, ctx.user()?.scope_unit_id, p.admin_unit_id)
            .await?;
    // What each add form shows: empty, or what was typed into the one sent back.
    let blank = |v: Result<serde_json::Value, serde_json::Error>| v.unwrap_or_default();
    let mut typed = serde_json::json!({
        "indicators": blank(serde_json::to_value(crate::programs::forms::IndicatorPayload::default())),
        "tasks": blank(serde_json::to_value(crate::programs::forms::TaskPayload::default())),
        "budget": blank(serde_json::to_value(crate::programs::forms::BudgetPayload::default())),
        "derive": {"year": ""},
    });
    let (inline_form, inline_errors) = match inline {
        Some(i) => {
            typed[i.form] = i.values;
            (i.form, i.errors)
        }
        None => ("", vec![]),
    };
    let page = context! {
        title => p.title.clone(),
        can_edit => can_edit,
        has_appendix => has_appendix,
        agency_options => agency_options,
        p => p,
        specific => specific,
        basis => basis,
        children => children,
        indicators => indicators,
        tasks => tasks,
        matrix => matrix,
        matrix_columns => columns,
        splits => splits,
        periods => periods,
        budget => budget,
        total_planned => total_planned,
        total_planned_text => match ctx.lang {
            crate::i18n::Lang::Vi => vnfmt::format_money_short(total_planned),
            crate::i18n::Lang::En => vnfmt::format_money_short_en(total_planned),
        },
        typed => typed,
        inline_form => inline_form,
        inline_errors => inline_errors,
    };
    render(state, ctx, "programs/detail.html", page)
}

/// The tasks the caller's agency leads or coordinates.
#[utoipa::path(get, path = "/api/v1/me/tasks", tag = "plans",
    responses((status = 200, body = ListOf<AgencyTaskBody>), (status = 401)))]
async fn my_tasks_api(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<ListOf<AgencyTaskBody>>> {
    let user = ctx.require(Action::Read)?;
    let items = store::agency_tasks(&state.db, user.scope_unit_id, user.agency_id).await?;
    let items: Vec<AgencyTaskBody> = items.into_iter().map(AgencyTaskBody::from).collect();
    let total = items.len() as i64;
    Ok(Json(ListOf { items, total }))
}

/// The same list under the page's path (`/tasks/mine`): the tasks the caller's
/// agency leads or coordinates, in every programme the caller reads.
#[utoipa::path(get, path = "/api/v1/tasks/mine", tag = "plans",
    responses((status = 200, body = ListOf<AgencyTaskBody>), (status = 401)))]
async fn tasks_mine_api(
    state: State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<ListOf<AgencyTaskBody>>> {
    my_tasks_api(state, ctx).await
}

async fn my_tasks_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let user = ctx.require(Action::Read)?;
    let items = store::agency_tasks(&state.db, user.scope_unit_id, user.agency_id).await?;
    let today = crate::common::today();
    let rows: Vec<_> = items
        .iter()
        .map(|t| {
            let due = t.due_on.map(|d| match ctx.lang {
                crate::i18n::Lang::Vi => vnfmt::days_until_label_vi(today, d),
                crate::i18n::Lang::En => vnfmt::days_until_label_en(today, d),
            });
            context! { t => t, due_label => due, late => t.due_on.is_some_and(|d| d < today) && t.status != TaskStatus::Done.as_str() }
        })
        .collect();
    let page = context! { title => t(ctx.lang, "my-tasks-title"), agency => user.agency_name.clone(), rows => rows };
    render(&state, &ctx, "programs/tasks.html", page)
}

/// One printed row of an appendix with its values by milestone (2025, 2030).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AppendixRow {
    pub kind: String,
    pub tt: String,
    pub content: String,
    pub unit: String,
    /// Per milestone: [total, LN, NTT, LNTT] as printed (empty when blank).
    pub values: Vec<(String, Vec<String>)>,
}

/// An appendix as the plan prints it, with its milestones.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AppendixView {
    pub name: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub milestones: Vec<String>,
    pub rows: Vec<AppendixRow>,
}

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => n
            .as_f64()
            .map(|x| vnfmt::format_decimal_trim(x, 3))
            .unwrap_or_default(),
        serde_json::Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// Pivot the printed rows: one row per line of the table, the milestones side by side.
pub fn appendix_view(a: &store::Appendix) -> AppendixView {
    let rows: Vec<serde_json::Value> = serde_json::from_str(&a.rows_json).unwrap_or_default();
    let mut milestones: Vec<String> = vec![];
    let mut out: Vec<AppendixRow> = vec![];
    for r in &rows {
        let s = |k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let content = r
            .get("indicator_repaired")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| s("indicator"));
        let kind = s("row_kind");
        let milestone = s("milestone");
        if !milestone.is_empty() && !milestones.contains(&milestone) {
            milestones.push(milestone.clone());
        }
        let values = vec![
            cell(r.get("printed").unwrap_or(&serde_json::Value::Null)),
            cell(r.get("LN").unwrap_or(&serde_json::Value::Null)),
            cell(r.get("NTT").unwrap_or(&serde_json::Value::Null)),
            cell(r.get("LNTT").unwrap_or(&serde_json::Value::Null)),
        ];
        let key = (
            s("tt"),
            content.clone(),
            s("unit"),
            s("agency"),
            s("unit_code"),
        );
        match out.iter_mut().find(|x| {
            (x.tt.clone(), x.content.clone(), x.unit.clone())
                == (key.0.clone(), key.1.clone(), key.2.clone())
                && !milestone.is_empty()
                && !x.values.iter().any(|(m, _)| *m == milestone)
        }) {
            Some(existing) if !milestone.is_empty() => existing.values.push((milestone, values)),
            _ => out.push(AppendixRow {
                kind,
                tt: key.0,
                content,
                unit: key.2,
                values: if milestone.is_empty() {
                    vec![]
                } else {
                    vec![(milestone, values)]
                },
            }),
        }
    }
    milestones.sort();
    group_totals_per_unit(&mut out);
    AppendixView {
        name: a.name.clone(),
        title: a.title.clone(),
        subtitle: a.subtitle.clone(),
        milestones,
        rows: out,
    }
}

/// A group row (an agency's block) never adds lines of different units: its
/// total cell shows the total per unit of its lines ("3 DA/MH; 6 Lớp; 90 Cuộc"),
/// or stays blank when its lines carry no number.
fn group_totals_per_unit(rows: &mut [AppendixRow]) {
    let mut i = 0;
    while i < rows.len() {
        if rows[i].kind != "group_total" {
            i += 1;
            continue;
        }
        let end = rows[i + 1..]
            .iter()
            .position(|r| r.kind != "item")
            .map(|p| i + 1 + p)
            .unwrap_or(rows.len());
        let milestones: Vec<String> = rows[i].values.iter().map(|(m, _)| m.clone()).collect();
        for m in milestones {
            let items: Vec<(String, Option<f64>)> = rows[i + 1..end]
                .iter()
                .map(|r| {
                    let v = r
                        .values
                        .iter()
                        .find(|(x, _)| *x == m)
                        .and_then(|(_, vals)| vals.first())
                        .and_then(|t| vnfmt::parse_number(t).ok());
                    (r.unit.clone(), v)
                })
                .collect();
            let refs: Vec<(&str, Option<f64>)> =
                items.iter().map(|(u, v)| (u.as_str(), *v)).collect();
            let text = langnghe_core::coverage::totals_per_unit(&refs)
                .iter()
                .map(|(u, v)| format!("{} {u}", vnfmt::format_decimal_trim(*v, 3)))
                .collect::<Vec<_>>()
                .join("; ");
            if let Some((_, vals)) = rows[i].values.iter_mut().find(|(x, _)| *x == m) {
                if let Some(first) = vals.first_mut() {
                    *first = text;
                }
            }
        }
        i = end;
    }
}

async fn load_appendix(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> AppResult<(Program, AppendixView)> {
    let p: Program = crate::scoped::load(state, ctx, id, Reach::Read).await?;
    let a = store::appendices(&state.db, p.id)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    Ok((p, appendix_view(&a)))
}

fn appendix_xlsx(v: &AppendixView) -> AppResult<axum::response::Response> {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    use langnghe_reports::{Cell, Column, ColumnKind, Table};
    let mut columns = vec![
        Column::new("tt", "TT", ColumnKind::Text),
        Column::new("content", "Nội dung", ColumnKind::Text),
        Column::new("unit", "ĐVT", ColumnKind::Text),
    ];
    for m in &v.milestones {
        for part in ["Tổng", "LN", "NTT", "LNTT"] {
            columns.push(Column::new(
                format!("{m}-{part}"),
                format!("Đến năm {m}: {part}"),
                ColumnKind::Text,
            ));
        }
    }
    let rows = v
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                Cell::Text(r.tt.clone()),
                Cell::Text(r.content.clone()),
                Cell::Text(r.unit.clone()),
            ];
            for m in &v.milestones {
                let vals = r
                    .values
                    .iter()
                    .find(|(x, _)| x == m)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| vec![String::new(); 4]);
                for x in vals {
                    cells.push(if x.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(x)
                    });
                }
            }
            cells
        })
        .collect();
    let table = Table {
        sheet_name: v.name.clone(),
        title: Some(format!(
            "{} {}",
            v.title,
            v.subtitle.clone().unwrap_or_default()
        )),
        columns,
        rows,
    };
    let bytes = langnghe_reports::to_xlsx(&table).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"phu-bieu-01.xlsx\""),
    );
    Ok(res)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `xlsx` for the Excel file.
    pub format: Option<String>,
}

/// The programme's appendix table ("Phụ biểu 01") as printed; `format=xlsx` for Excel.
#[utoipa::path(get, path = "/api/v1/programs/{id}/appendix", tag = "plans", params(("id" = i64, Path), FormatQuery),
    responses((status = 200, body = AppendixView), (status = 404)))]
async fn appendix_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<FormatQuery>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let (_, v) = load_appendix(&state, &ctx, &id).await?;
    if q.format.as_deref() == Some("xlsx") {
        return appendix_xlsx(&v);
    }
    Ok(Json(v).into_response())
}

async fn appendix_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<FormatQuery>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let (p, v) = load_appendix(&state, &ctx, &id).await?;
    if q.format.as_deref() == Some("xlsx") {
        return appendix_xlsx(&v);
    }
    let page = context! { title => v.title.clone(), p => p, a => v };
    Ok(render(&state, &ctx, "programs/appendix.html", page)?.into_response())
}

/// The printable summary of a programme (Decree 30/2020/NĐ-CP layout): its
/// information, objectives, indicators with every target and its year, tasks
/// with their lead and coordinating agencies, and budget. In Vietnamese (a
/// state document).
async fn summary_document(
    state: &AppState,
    p: &Program,
) -> AppResult<langnghe_reports::OfficialReport> {
    use langnghe_reports::{Block, OfficialReport, ReportTable};
    let db = &state.db;
    let country = langnghe_store::geo::COUNTRY_ID;
    let lead = match p.lead_agency_id {
        Some(a) => langnghe_store::agencies::get(db, country, a).await?,
        None => None,
    };
    let parent = match lead.as_ref().and_then(|a| a.parent_id) {
        Some(x) => langnghe_store::agencies::get(db, country, x).await?,
        None => None,
    };
    let place = langnghe_store::geo::by_id(db, p.admin_unit_id)
        .await?
        .map(|u| {
            u.name
                .trim_start_matches("Tỉnh ")
                .trim_start_matches("Thành phố ")
                .to_string()
        })
        .unwrap_or_default();
    let inds = indicator_views(
        state,
        p.id,
        langnghe_core::coverage::reference_year(crate::common::today().year(), p.period_end.year()),
    )
    .await?;
    let tasks = task_views(state, p.id).await?;
    let (lines, amounts) = store::budget(db, p.id).await?;
    let budget = budget_views(lines, &amounts);
    let mut blocks = vec![Block::Heading("I. THÔNG TIN CHUNG".into())];
    blocks.push(Block::Paragraph(format!(
        "Mã: {}. Văn bản: {}. Thời gian thực hiện: từ ngày {} đến ngày {}. Cơ quan chủ trì: {}.",
        p.code,
        p.document_number.clone().unwrap_or_else(|| "—".into()),
        vnfmt::format_date(p.period_start),
        vnfmt::format_date(p.period_end),
        p.lead_agency_name.clone().unwrap_or_else(|| "—".into()),
    )));
    blocks.push(Block::Heading("II. MỤC TIÊU".into()));
    let specific: Vec<String> = p
        .objectives_specific
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let mut objectives = p.objectives_general.clone().unwrap_or_default();
    for o in &specific {
        objectives.push_str(&format!("\n- {o}"));
    }
    blocks.push(Block::Paragraph(if objectives.trim().is_empty() {
        "—".into()
    } else {
        objectives.trim().to_string()
    }));
    blocks.push(Block::Heading("III. CHỈ TIÊU".into()));
    let rows: Vec<Vec<String>> = inds
        .iter()
        .map(|iv| {
            let totals: Vec<String> = iv
                .targets
                .iter()
                .filter(|t| t.dimension == "total")
                .map(|t| format!("{}: {}", t.milestone, t.text))
                .collect();
            let parts: Vec<(&str, &str, &str)> = iv
                .targets
                .iter()
                .filter(|t| t.dimension == "category")
                .filter_map(|t| {
                    t.category
                        .as_deref()
                        .map(|c| (t.milestone.as_str(), c, t.text.as_str()))
                })
                .collect();
            let mut target = totals.join("; ");
            if !parts.is_empty() {
                target.push_str(&format!(
                    " (theo loại: {})",
                    langnghe_core::coverage::split_targets_text(&parts)
                ));
            }
            vec![
                iv.indicator.code.clone(),
                iv.indicator.name.clone(),
                iv.indicator.unit.clone(),
                if target.is_empty() {
                    "—".into()
                } else {
                    target
                },
            ]
        })
        .collect();
    blocks.push(Block::Table(ReportTable {
        caption: Some("Bảng 1. Chỉ tiêu và mục tiêu theo mốc năm".into()),
        header: vec![
            "Mã".into(),
            "Chỉ tiêu".into(),
            "ĐVT".into(),
            "Mục tiêu".into(),
        ],
        rows,
        numeric: vec![],
        widths: vec![0.9, 4.0, 1.1, 4.0],
        bold_rows: vec![],
    }));
    blocks.push(Block::Heading("IV. NHIỆM VỤ VÀ PHÂN CÔNG".into()));
    let rows: Vec<Vec<String>> = tasks
        .iter()
        .map(|tv| {
            vec![
                tv.task.section.clone().unwrap_or_default(),
                tv.task.text.clone(),
                tv.task
                    .lead_agency_name
                    .clone()
                    .unwrap_or_else(|| "—".into()),
                tv.coordinating
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                tv.task.due_on.map(vnfmt::format_date).unwrap_or_default(),
            ]
        })
        .collect();
    blocks.push(Block::Table(ReportTable {
        caption: Some("Bảng 2. Nhiệm vụ, cơ quan chủ trì và phối hợp".into()),
        header: vec![
            "Mục".into(),
            "Nhiệm vụ".into(),
            "Chủ trì".into(),
            "Phối hợp".into(),
            "Thời hạn".into(),
        ],
        rows,
        numeric: vec![],
        widths: vec![0.8, 4.4, 1.9, 2.0, 1.0],
        bold_rows: vec![],
    }));
    blocks.push(Block::Heading("V. KINH PHÍ".into()));
    if budget.is_empty() {
        blocks.push(Block::Paragraph("Kế hoạch không ghi dòng kinh phí.".into()));
    } else {
        let rows: Vec<Vec<String>> = budget
            .iter()
            .map(|b| {
                vec![
                    b.line.line.clone(),
                    b.line
                        .planned_dong
                        .map(|x| vnfmt::format_decimal_trim(x as f64, 0))
                        .unwrap_or_else(|| "—".into()),
                    vnfmt::format_decimal_trim(b.allocated_dong as f64, 0),
                    vnfmt::format_decimal_trim(b.disbursed_dong as f64, 0),
                ]
            })
            .collect();
        blocks.push(Block::Table(ReportTable {
            caption: Some("Bảng 3. Kinh phí (đồng)".into()),
            header: vec![
                "Nguồn / nội dung".into(),
                "Kế hoạch".into(),
                "Đã bố trí".into(),
                "Đã giải ngân".into(),
            ],
            rows,
            numeric: vec![false, true, true, true],
            widths: vec![4.0, 2.0, 2.0, 2.0],
            bold_rows: vec![],
        }));
    }
    Ok(OfficialReport {
        issuer_parent: parent
            .as_ref()
            .map(|x| {
                x.short_name
                    .replace("UBND tỉnh", &format!("UBND tỉnh {place}"))
                    .to_uppercase()
            })
            .unwrap_or_else(|| format!("UBND {}", place.to_uppercase())),
        issuer: lead
            .as_ref()
            .map(|a| a.name.to_uppercase())
            .unwrap_or_default(),
        number: "Số:        /TT".into(),
        place,
        date: Some(crate::common::today()),
        kind_title: "BẢN TÓM TẮT".into(),
        title: format!(
            "{} {}",
            p.document_number
                .clone()
                .map(|n| format!("Kế hoạch số {n}:"))
                .unwrap_or_else(|| format!("{}:", p.code)),
            p.title
        ),
        salutation: None,
        blocks,
        recipients: vec!["Các sở, ban, ngành, địa phương".into(), "Lưu: VT".into()],
        signer_authority: None,
        signer_title: "NGƯỜI LẬP".into(),
        signer_name: String::new(),
    })
}

/// The programme's printable summary as PDF (Decree 30/2020/NĐ-CP layout, in
/// Vietnamese). Answers the same on the page path `/programs/{id}/summary.pdf`.
#[utoipa::path(get, path = "/api/v1/programs/{id}/summary.pdf", tag = "plans",
    params(("id" = i64, Path)),
    responses((status = 200, description = "PDF", content_type = "application/pdf"),
        (status = 401), (status = 404)))]
async fn summary_pdf_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(p): Scoped<Program>,
) -> AppResult<axum::response::Response> {
    // The document is kept under the plans' revision; the programme was read
    // (to check the reader's scope) before the revision, so the document reads
    // it again after it.
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let key = crate::kept::Key::Summary {
        program: p.id,
        today: crate::common::today(),
    };
    let doc = kept
        .get(key, || async {
            let p = store::get(&state.db, langnghe_store::geo::COUNTRY_ID, p.id)
                .await?
                .ok_or(AppError::NotFound)?;
            summary_document(&state, &p).await
        })
        .await?;
    let bytes = state
        .documents
        .official(
            langnghe_reports::OfficialReport::clone(&doc),
            None,
            crate::documents::Format::Pdf,
        )
        .await?;
    let name = format!(
        "tom-tat-{}.pdf",
        langnghe_core::text::fold_vi(&p.code).replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    Ok(crate::common::file_response(
        bytes,
        "application/pdf",
        &name,
    ))
}
