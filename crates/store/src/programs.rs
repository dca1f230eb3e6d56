//! Programmes and plans: the programme itself (legal basis, period, lead agency,
//! objectives), its indicators with targets as stated and actual values, tasks per
//! agency, and budget lines with allocations and disbursements. Read inside a scope.

use crate::audit::{Actor, AuditAction, AuditEntity};
use crate::write::{Expected, Write};
use crate::{with_db, with_tx, Arg, Db, Result, Sql, StoreError, Tx};
use langnghe_core::plan::{
    self as rules, ProgramStatus, SplitError, StatusRefusal, Target, TaskStatus,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};

/// A programme (plan) as stored; the API answers `web::programs::ProgramView`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Program {
    pub id: i64,
    pub key: Option<String>,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub document_id: Option<i64>,
    pub document_number: Option<String>,
    pub document_date: Option<Date>,
    pub period_start: Date,
    pub period_end: Date,
    pub parent_id: Option<i64>,
    pub parent_title: Option<String>,
    pub lead_agency_id: Option<i64>,
    pub lead_agency_name: Option<String>,
    #[serde(skip)]
    pub admin_unit_id: i64,
    pub status: String,
    pub objectives_general: Option<String>,
    /// JSON array of strings.
    pub objectives_specific: Option<String>,
    pub notes: Option<String>,
    /// Changes name the version they were based on (no lost update).
    pub version: i64,
}

const SELECT_PROGRAM: &str = "SELECT p.id, p.key, p.code, p.title, p.kind, p.document_id, d.number AS document_number, \
    d.issued_on AS document_date, p.period_start, p.period_end, p.parent_id, pp.title AS parent_title, \
    p.lead_agency_id, a.name AS lead_agency_name, p.admin_unit_id, p.status, p.objectives_general, \
    p.objectives_specific, p.notes, p.version \
    FROM programs p LEFT JOIN legal_documents d ON d.id = p.document_id \
    LEFT JOIN programs pp ON pp.id = p.parent_id LEFT JOIN agencies a ON a.id = p.lead_agency_id";

/// Which programmes a scope reaches: those run inside it (what it may edit),
/// or also those whose area contains it (what it reads: a district reads the
/// province's plan it carries out, and the national programmes above it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Within,
    Visible,
}

/// The condition on `p.admin_unit_id` for a scope (none for the whole country).
pub(crate) fn push_reach(sql: &mut Sql, scope_id: i64, reach: Reach) {
    if scope_id == crate::geo::COUNTRY_ID {
        return;
    }
    match reach {
        Reach::Within => sql.push(
            " AND EXISTS (SELECT 1 FROM admin_unit_cover c WHERE c.scope_id = ? AND c.unit_id = p.admin_unit_id)",
            [Arg::I64(scope_id)],
        ),
        Reach::Visible => sql.push(
            " AND (EXISTS (SELECT 1 FROM admin_unit_cover c WHERE c.scope_id = ? AND c.unit_id = p.admin_unit_id) \
             OR p.admin_unit_id IN (SELECT scope_id FROM admin_unit_cover WHERE unit_id = ?))",
            [Arg::I64(scope_id), Arg::I64(scope_id)],
        ),
    };
}

fn scoped(select: &str, scope_id: i64, q: Option<&str>) -> Sql {
    scoped_reach(select, scope_id, q, Reach::Within)
}

fn scoped_reach(select: &str, scope_id: i64, q: Option<&str>, reach: Reach) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" WHERE 1 = 1", []);
    push_reach(&mut sql, scope_id, reach);
    if let Some(q) = q {
        let terms = langnghe_core::text::search_terms(q);
        if terms.is_empty() && !q.trim().is_empty() {
            sql.push(" AND 1 = 0", []);
        }
        for t in terms {
            sql.push(
                " AND (p.title_folded LIKE ? ESCAPE '\\' OR LOWER(p.code) LIKE ? ESCAPE '\\')",
                [
                    Arg::Text(format!("%{}%", crate::like_escape(&t))),
                    Arg::Text(format!("%{}%", crate::like_escape(&t))),
                ],
            );
        }
    }
    sql
}

pub async fn list(
    db: &Db,
    scope_id: i64,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Program>, i64)> {
    let mut sql = scoped_reach(SELECT_PROGRAM, scope_id, q, Reach::Visible);
    sql.push(
        " ORDER BY p.period_start DESC, p.code LIMIT ? OFFSET ?",
        [Arg::I64(limit), Arg::I64(offset)],
    );
    let count = scoped_reach(
        "SELECT COUNT(*) FROM programs p",
        scope_id,
        q,
        Reach::Visible,
    );
    crate::fetch_page::<Program>(db, &sql, &count).await
}

/// A programme run inside the scope (what the scope may edit).
pub async fn get(db: &Db, scope_id: i64, id: i64) -> Result<Option<Program>> {
    let mut sql = scoped(SELECT_PROGRAM, scope_id, None);
    sql.push(" AND p.id = ?", [Arg::I64(id)]);
    crate::fetch_optional::<Program>(db, &sql).await
}

/// A programme the scope reads: run inside it, or over an area containing it.
pub async fn get_visible(db: &Db, scope_id: i64, id: i64) -> Result<Option<Program>> {
    get_reach(db, scope_id, id, Reach::Visible).await
}

/// A programme the scope reaches in the given way.
pub async fn get_reach(db: &Db, scope_id: i64, id: i64, reach: Reach) -> Result<Option<Program>> {
    let mut sql = scoped_reach(SELECT_PROGRAM, scope_id, None, reach);
    sql.push(" AND p.id = ?", [Arg::I64(id)]);
    crate::fetch_optional::<Program>(db, &sql).await
}

/// The programme above `id` and the one above that, up to the top (at most
/// 20 levels): what a new parent must not include, or the tree would loop.
pub async fn ancestors(db: &Db, id: i64) -> Result<Vec<i64>> {
    let mut out = vec![];
    let mut cur = id;
    for _ in 0..20 {
        let up: Option<Option<i64>> = with_db!(db, |c| sqlx::query_scalar(
            "SELECT parent_id FROM programs WHERE id = $1"
        )
        .bind(cur)
        .fetch_optional(c)
        .await?);
        match up.flatten() {
            Some(p) if !out.contains(&p) => {
                out.push(p);
                cur = p;
            }
            _ => break,
        }
    }
    Ok(out)
}

/// (id, code, title) of the plans under a programme that the scope reads.
pub async fn children(db: &Db, scope_id: i64, id: i64) -> Result<Vec<(i64, String, String)>> {
    let mut sql = Sql::new("");
    sql.push(
        "SELECT p.id, p.code, p.title FROM programs p WHERE p.parent_id = ?",
        [Arg::I64(id)],
    );
    push_reach(&mut sql, scope_id, Reach::Visible);
    sql.push(" ORDER BY p.period_start, p.code", []);
    Ok(with_db!(db, |c| crate::bind_args!(
        sqlx::query_as(&sql.text),
        sql.args
    )
    .fetch_all(c)
    .await?))
}

/// One plan under a programme and one of its periods: the consolidated total
/// of the indicator with the given code, as `period_totals` keeps it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanBelowFigure {
    pub program_id: i64,
    pub program_code: String,
    pub unit_code: String,
    pub unit_name: String,
    pub period_kind: String,
    pub period_year: i64,
    pub period_label: String,
    pub aggregation: String,
    pub value_sum: f64,
    pub value_n: i64,
    /// The period is sample data the demo made up.
    pub sample: bool,
}

/// The figures of one indicator code in every period of the plans under a
/// programme that the scope reads, by the plan's area (provinces under a
/// national programme): one indexed read of the kept period totals.
pub async fn plans_below_figures(
    db: &Db,
    scope_id: i64,
    id: i64,
    code: &str,
) -> Result<Vec<PlanBelowFigure>> {
    let mut sql = Sql::new("");
    sql.push(
        "SELECT p.id AS program_id, p.code AS program_code, u.code AS unit_code, u.name AS unit_name, \
         rp.kind AS period_kind, rp.year AS period_year, rp.label AS period_label, i.aggregation, \
         t.value_sum, t.value_n, rp.sample \
         FROM programs p JOIN admin_units u ON u.id = p.admin_unit_id \
         JOIN indicators i ON i.program_id = p.id AND i.code = ? \
         JOIN report_periods rp ON rp.program_id = p.id \
         JOIN period_totals t ON t.period_id = rp.id AND t.indicator_id = i.id AND t.category = '' \
         WHERE p.parent_id = ?",
        [Arg::Text(code.to_string()), Arg::I64(id)],
    );
    push_reach(&mut sql, scope_id, Reach::Visible);
    sql.push(" ORDER BY u.code, p.id, rp.data_to, rp.id", []);
    Ok(with_db!(db, |c| crate::bind_args!(
        sqlx::query_as(&sql.text),
        sql.args
    )
    .fetch_all(c)
    .await?))
}

/// (id, number, title) of the documents a programme is based on.
pub async fn legal_basis(db: &Db, id: i64) -> Result<Vec<(i64, Option<String>, String)>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT d.id, d.number, d.title FROM program_legal_basis b JOIN legal_documents d ON d.id = b.document_id \
         WHERE b.program_id = $1 ORDER BY d.issued_on, d.id"
    )
    .bind(id)
    .fetch_all(c)
    .await?
    }))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Indicator {
    pub id: i64,
    pub program_id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub aggregation: String,
    pub direction: String,
    pub baseline_value: Option<f64>,
    pub baseline_year: Option<i64>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub version: i64,
}

const SELECT_INDICATOR: &str = "SELECT id, program_id, code, name, unit, aggregation, direction, baseline_value, baseline_year, \
    source, notes, version FROM indicators";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TargetRow {
    pub id: i64,
    pub indicator_id: i64,
    pub parent_id: Option<i64>,
    pub milestone: String,
    /// As the plan states it: "10-12", "trên 7.000".
    pub text: String,
    /// The parsed form (JSON of `core::plan::Target`).
    pub form: String,
    pub cumulative: bool,
    pub dimension: String,
    pub category: Option<String>,
    pub admin_unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub agency_id: Option<i64>,
    pub agency_name: Option<String>,
    pub value: Option<f64>,
    pub version: i64,
}

const SELECT_TARGET: &str = "SELECT t.id, t.indicator_id, t.parent_id, t.milestone, t.text, t.form, t.cumulative, t.dimension, \
    t.category, t.admin_unit_id, u.name AS unit_name, t.agency_id, a.name AS agency_name, t.value, t.version \
    FROM targets t LEFT JOIN admin_units u ON u.id = t.admin_unit_id LEFT JOIN agencies a ON a.id = t.agency_id";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ActualRow {
    pub id: i64,
    pub indicator_id: i64,
    pub period: String,
    pub value: f64,
    pub plan_value: Option<f64>,
    /// The plan value was derived from a stated result and rate (plan = result / rate).
    pub plan_implied: bool,
    pub rate_stated: Option<String>,
    pub category: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
}

pub async fn indicators(db: &Db, program_id: i64) -> Result<Vec<Indicator>> {
    let sql = format!("{SELECT_INDICATOR} WHERE program_id = $1 ORDER BY sort_order, id");
    crate::rows_for::<Indicator>(db, &sql, program_id).await
}

/// The indicators of several programmes in one read (an overview of many
/// programmes), in each programme's order.
pub async fn indicators_of(db: &Db, program_ids: &[i64]) -> Result<Vec<Indicator>> {
    let mut sql = Sql::new(&format!("{SELECT_INDICATOR} WHERE program_id IN "));
    sql.push_ids(program_ids)
        .push(" ORDER BY program_id, sort_order, id", []);
    crate::fetch_all(db, &sql).await
}

pub async fn indicator(db: &Db, id: i64) -> Result<Option<Indicator>> {
    let sql = format!("{SELECT_INDICATOR} WHERE id = $1");
    crate::row_for::<Indicator>(db, &sql, id).await
}

async fn indicator_tx(tx: &mut Tx, id: i64) -> Result<Indicator> {
    let sql = format!("{SELECT_INDICATOR} WHERE id = $1");
    crate::row_for_tx::<Indicator>(tx, &sql, id)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn targets(db: &Db, program_id: i64) -> Result<Vec<TargetRow>> {
    let sql = format!(
        "{SELECT_TARGET} JOIN indicators i ON i.id = t.indicator_id WHERE i.program_id = $1 ORDER BY t.indicator_id, t.id"
    );
    crate::rows_for::<TargetRow>(db, &sql, program_id).await
}

/// The targets of several programmes' indicators in one read.
pub async fn targets_of(db: &Db, program_ids: &[i64]) -> Result<Vec<TargetRow>> {
    let mut sql = Sql::new(&format!(
        "{SELECT_TARGET} JOIN indicators i ON i.id = t.indicator_id WHERE i.program_id IN "
    ));
    sql.push_ids(program_ids)
        .push(" ORDER BY t.indicator_id, t.id", []);
    crate::fetch_all(db, &sql).await
}

pub async fn target(db: &Db, id: i64) -> Result<Option<TargetRow>> {
    let sql = format!("{SELECT_TARGET} WHERE t.id = $1");
    crate::row_for::<TargetRow>(db, &sql, id).await
}

/// A target and its split rows (or, for a split row, its siblings), read in a write.
async fn targets_tx(tx: &mut Tx, where_: &str, id: i64) -> Result<Vec<TargetRow>> {
    let sql = format!("{SELECT_TARGET} WHERE {where_} ORDER BY t.id");
    crate::rows_for_tx::<TargetRow>(tx, &sql, id).await
}

async fn target_tx(tx: &mut Tx, id: i64) -> Result<TargetRow> {
    targets_tx(tx, "t.id = $1", id)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

pub async fn actuals(db: &Db, program_id: i64) -> Result<Vec<ActualRow>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as::<_, ActualRow>(
        "SELECT x.id, x.indicator_id, x.period, x.value, x.plan_value, x.plan_implied, x.rate_stated, x.category, x.source, x.notes \
         FROM indicator_actuals x JOIN indicators i ON i.id = x.indicator_id WHERE i.program_id = $1 ORDER BY x.indicator_id, x.id"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub program_id: i64,
    pub section: Option<String>,
    pub text: String,
    pub lead_agency_id: Option<i64>,
    pub lead_agency_name: Option<String>,
    pub start_on: Option<Date>,
    pub due_on: Option<Date>,
    pub status: String,
    pub source: Option<String>,
    pub version: i64,
}

const SELECT_TASK: &str = "SELECT t.id, t.program_id, t.section, t.text, t.lead_agency_id, a.name AS lead_agency_name, \
    t.start_on, t.due_on, t.status, t.source, t.version FROM tasks t LEFT JOIN agencies a ON a.id = t.lead_agency_id";

pub async fn tasks(db: &Db, program_id: i64) -> Result<Vec<Task>> {
    let sql = format!("{SELECT_TASK} WHERE t.program_id = $1 ORDER BY t.sort_order, t.id");
    crate::rows_for::<Task>(db, &sql, program_id).await
}

pub async fn task(db: &Db, id: i64) -> Result<Option<Task>> {
    let sql = format!("{SELECT_TASK} WHERE t.id = $1");
    crate::row_for::<Task>(db, &sql, id).await
}

/// (task id, agency id, agency name) of every coordinating agency of a programme's tasks.
pub async fn task_coordinators(db: &Db, program_id: i64) -> Result<Vec<(i64, i64, String)>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT ta.task_id, a.id, a.name FROM task_agencies ta JOIN tasks t ON t.id = ta.task_id \
         JOIN agencies a ON a.id = ta.agency_id WHERE t.program_id = $1 ORDER BY ta.task_id, a.name"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BudgetLine {
    pub id: i64,
    pub program_id: i64,
    pub line: String,
    pub source_of_funds: String,
    pub planned_dong: Option<i64>,
    pub source: Option<String>,
    pub version: i64,
}

const SELECT_BUDGET_LINE: &str =
    "SELECT id, program_id, line, source_of_funds, planned_dong, source, version FROM budget_lines";

pub async fn budget_line(db: &Db, id: i64) -> Result<Option<BudgetLine>> {
    let sql = format!("{SELECT_BUDGET_LINE} WHERE id = $1");
    Ok(with_db!(db, |c| sqlx::query_as::<_, BudgetLine>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

async fn budget_line_tx(tx: &mut Tx, id: i64) -> Result<BudgetLine> {
    let sql = format!("{SELECT_BUDGET_LINE} WHERE id = $1");
    crate::row_for_tx::<BudgetLine>(tx, &sql, id)
        .await?
        .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BudgetAmount {
    pub budget_line_id: i64,
    pub year: i64,
    pub kind: String,
    pub dong: i64,
}

pub async fn budget(db: &Db, program_id: i64) -> Result<(Vec<BudgetLine>, Vec<BudgetAmount>)> {
    let sql = format!("{SELECT_BUDGET_LINE} WHERE program_id = $1 ORDER BY sort_order, id");
    let lines = with_db!(db, |c| {
        sqlx::query_as::<_, BudgetLine>(&sql)
            .bind(program_id)
            .fetch_all(c)
            .await?
    });
    let amounts = with_db!(db, |c| {
        sqlx::query_as::<_, BudgetAmount>(
        "SELECT b.budget_line_id, b.year, b.kind, b.dong FROM budget_amounts b JOIN budget_lines l ON l.id = b.budget_line_id \
         WHERE l.program_id = $1 ORDER BY b.budget_line_id, b.year, b.kind"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    });
    Ok((lines, amounts))
}

pub async fn id_by_key(db: &Db, key: &str) -> Result<Option<i64>> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT id FROM programs WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(c)
    .await?))
}

/// What creating a programme needs.
#[derive(Debug, Clone, Serialize)]
pub struct NewProgram {
    pub key: Option<String>,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub document_id: Option<i64>,
    pub period_start: Date,
    pub period_end: Date,
    pub parent_id: Option<i64>,
    pub lead_agency_id: Option<i64>,
    pub admin_unit_id: i64,
    pub status: String,
    pub objectives_general: Option<String>,
    pub objectives_specific: Vec<String>,
    pub notes: Option<String>,
}

pub async fn insert_program(w: &mut Write<'_>, p: &NewProgram) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let specific = serde_json::to_string(&p.objectives_specific)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO programs (key, code, title, title_folded, kind, document_id, period_start, period_end, parent_id, \
         lead_agency_id, admin_unit_id, status, objectives_general, objectives_specific, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id"
    )
    .bind(&p.key)
    .bind(&p.code)
    .bind(&p.title)
    .bind(langnghe_core::text::fold_vi(&p.title))
    .bind(&p.kind)
    .bind(p.document_id)
    .bind(p.period_start)
    .bind(p.period_end)
    .bind(p.parent_id)
    .bind(p.lead_agency_id)
    .bind(p.admin_unit_id)
    .bind(&p.status)
    .bind(&p.objectives_general)
    .bind(&specific)
    .bind(&p.notes)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(|e| StoreError::from(e).on_unique("code"))?
    });
    w.created(AuditEntity::Program, id, &p).await
}

pub async fn add_legal_basis(tx: &mut Tx, program_id: i64, document_id: i64) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO program_legal_basis (program_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    )
    .bind(program_id)
    .bind(document_id)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct NewIndicator {
    pub program_id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub aggregation: String,
    pub direction: String,
    pub baseline_value: Option<f64>,
    pub baseline_year: Option<i64>,
    pub sort_order: i64,
    pub source: Option<String>,
    pub notes: Option<String>,
}

pub async fn insert_indicator(w: &mut Write<'_>, i: &NewIndicator) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO indicators (program_id, code, name, unit, aggregation, direction, baseline_value, baseline_year, sort_order, source, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id"
    )
    .bind(i.program_id)
    .bind(&i.code)
    .bind(&i.name)
    .bind(&i.unit)
    .bind(&i.aggregation)
    .bind(&i.direction)
    .bind(i.baseline_value)
    .bind(i.baseline_year)
    .bind(i.sort_order)
    .bind(&i.source)
    .bind(&i.notes)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    w.created(AuditEntity::Indicator, id, &i).await
}

#[derive(Debug, Clone, Serialize)]
pub struct NewTarget {
    pub indicator_id: i64,
    pub parent_id: Option<i64>,
    pub milestone: String,
    pub text: String,
    pub form: String,
    pub cumulative: bool,
    pub dimension: String,
    pub category: Option<String>,
    pub admin_unit_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub value: Option<f64>,
}

pub async fn insert_target(w: &mut Write<'_>, t: &NewTarget) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO targets (indicator_id, parent_id, milestone, text, form, cumulative, dimension, category, admin_unit_id, agency_id, value, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
    )
    .bind(t.indicator_id)
    .bind(t.parent_id)
    .bind(&t.milestone)
    .bind(&t.text)
    .bind(&t.form)
    .bind(t.cumulative)
    .bind(&t.dimension)
    .bind(&t.category)
    .bind(t.admin_unit_id)
    .bind(t.agency_id)
    .bind(t.value)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    w.created(AuditEntity::Target, id, &t).await
}

#[derive(Debug, Clone, Serialize)]
pub struct NewActual {
    pub indicator_id: i64,
    pub period: String,
    pub value: f64,
    pub plan_value: Option<f64>,
    pub plan_implied: bool,
    pub rate_stated: Option<String>,
    pub category: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
}

pub async fn insert_actual(w: &mut Write<'_>, a: &NewActual) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO indicator_actuals (indicator_id, period, value, plan_value, plan_implied, rate_stated, category, source, notes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
    )
    .bind(a.indicator_id)
    .bind(&a.period)
    .bind(a.value)
    .bind(a.plan_value)
    .bind(a.plan_implied)
    .bind(&a.rate_stated)
    .bind(&a.category)
    .bind(&a.source)
    .bind(&a.notes)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    w.created(AuditEntity::IndicatorActual, id, &a).await
}

#[derive(Debug, Clone, Serialize)]
pub struct NewTask {
    pub program_id: i64,
    pub section: Option<String>,
    pub text: String,
    pub lead_agency_id: Option<i64>,
    /// Agencies leading the task together (chủ trì cùng), when no single lead is named.
    #[serde(default)]
    pub co_leads: Vec<i64>,
    pub coordinating: Vec<i64>,
    pub start_on: Option<Date>,
    pub due_on: Option<Date>,
    pub sort_order: i64,
    pub source: Option<String>,
}

pub async fn insert_task(w: &mut Write<'_>, t: &NewTask) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO tasks (program_id, section, text, lead_agency_id, start_on, due_on, status, sort_order, source, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $10, $7, $8, $9, $9) RETURNING id"
    )
    .bind(t.program_id)
    .bind(&t.section)
    .bind(&t.text)
    .bind(t.lead_agency_id)
    .bind(t.start_on)
    .bind(t.due_on)
    .bind(t.sort_order)
    .bind(&t.source)
    .bind(now)
    .bind(TaskStatus::Open.as_str())
    .fetch_one(c)
    .await?
    });
    let mut linked: Vec<(i64, &str)> = t.co_leads.iter().map(|a| (*a, "co_lead")).collect();
    for a in &t.coordinating {
        if !linked.iter().any(|(x, _)| x == a) && t.lead_agency_id != Some(*a) {
            linked.push((*a, "coordinating"));
        }
    }
    linked.sort_unstable();
    linked.dedup_by_key(|(a, _)| *a);
    for (a, role) in linked {
        with_tx!(w.tx(), |c| sqlx::query(
            "INSERT INTO task_agencies (task_id, agency_id, role) VALUES ($1, $2, $3)"
        )
        .bind(id)
        .bind(a)
        .bind(role)
        .execute(c)
        .await?
        .rows_affected());
    }
    w.created(AuditEntity::Task, id, &t).await
}

#[derive(Debug, Clone, Serialize)]
pub struct NewBudgetLine {
    pub program_id: i64,
    pub line: String,
    pub source_of_funds: String,
    pub planned_dong: Option<i64>,
    pub sort_order: i64,
    pub source: Option<String>,
    /// (year, kind, đồng) with kind `allocation` or `disbursement`.
    pub amounts: Vec<(i64, String, i64)>,
}

pub async fn insert_budget_line(w: &mut Write<'_>, b: &NewBudgetLine) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO budget_lines (program_id, line, source_of_funds, planned_dong, sort_order, source, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id"
    )
    .bind(b.program_id)
    .bind(&b.line)
    .bind(&b.source_of_funds)
    .bind(b.planned_dong)
    .bind(b.sort_order)
    .bind(&b.source)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    for (year, kind, dong) in &b.amounts {
        with_tx!(w.tx(), |c| {
            sqlx::query(
            "INSERT INTO budget_amounts (budget_line_id, year, kind, dong, created_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id)
        .bind(year)
        .bind(kind)
        .bind(dong)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    w.created(AuditEntity::BudgetLine, id, &b).await
}

/// A task as an agency sees it: with its programme and the agency's role.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgencyTask {
    pub id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub section: Option<String>,
    pub text: String,
    pub due_on: Option<Date>,
    pub status: String,
    /// `lead` or `coordinating`.
    pub role: String,
    pub version: i64,
}

/// Tasks an agency leads or coordinates, across every programme the scope reads.
pub async fn agency_tasks(db: &Db, scope_id: i64, agency_id: i64) -> Result<Vec<AgencyTask>> {
    let mut sql = Sql::new(
        "SELECT t.id, t.program_id, p.code AS program_code, p.title AS program_title, t.section, t.text, t.due_on, t.status, \
         CASE WHEN t.lead_agency_id = ? THEN 'lead' ELSE 'coordinating' END AS role, t.version \
         FROM tasks t JOIN programs p ON p.id = t.program_id \
         WHERE (t.lead_agency_id = ? OR EXISTS (SELECT 1 FROM task_agencies ta WHERE ta.task_id = t.id AND ta.agency_id = ?))",
    );
    sql.args = vec![
        Arg::I64(agency_id),
        Arg::I64(agency_id),
        Arg::I64(agency_id),
    ];
    let mut n = 0;
    sql.text = sql
        .text
        .chars()
        .map(|c| {
            if c == '?' {
                n += 1;
                format!("${n}")
            } else {
                c.to_string()
            }
        })
        .collect();
    push_reach(&mut sql, scope_id, Reach::Visible);
    sql.push(" ORDER BY t.due_on, p.period_start DESC, t.sort_order", []);
    Ok(with_db!(db, |c| crate::bind_args!(
        sqlx::query_as::<_, AgencyTask>(&sql.text),
        sql.args
    )
    .fetch_all(c)
    .await?))
}

/// An appendix table of a programme, as printed ("Phụ biểu 01").
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Appendix {
    pub program_id: i64,
    pub name: String,
    pub title: String,
    pub subtitle: Option<String>,
    /// The printed rows (JSON array).
    pub rows_json: String,
}

pub async fn appendices(db: &Db, program_id: i64) -> Result<Vec<Appendix>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as::<_, Appendix>(
        "SELECT program_id, name, title, subtitle, rows_json FROM program_appendices WHERE program_id = $1 ORDER BY name"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
}

pub async fn insert_appendix(tx: &mut Tx, a: &Appendix) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO program_appendices (program_id, name, title, subtitle, rows_json) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(a.program_id)
    .bind(&a.name)
    .bind(&a.title)
    .bind(&a.subtitle)
    .bind(&a.rows_json)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(())
}

// ---------------------------------------------------------------------------
// Changes: each through the audited write path, on the row locked at the
// version the caller read (see `crate::write`).
// ---------------------------------------------------------------------------

async fn program_tx(tx: &mut Tx, id: i64) -> Result<Program> {
    let sql = format!("{SELECT_PROGRAM} WHERE p.id = $1");
    crate::row_for_tx::<Program>(tx, &sql, id)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn basis_tx(tx: &mut Tx, id: i64) -> Result<Vec<i64>> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT document_id FROM program_legal_basis WHERE program_id = $1 ORDER BY document_id"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

/// A programme as the audit log records it: the row and its legal basis.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramRecord {
    #[serde(flatten)]
    pub program: Program,
    /// Ids of the documents it is based on.
    pub legal_basis: Vec<i64>,
}

async fn program_record(tx: &mut Tx, id: i64) -> Result<ProgramRecord> {
    Ok(ProgramRecord {
        program: program_tx(tx, id).await?,
        legal_basis: basis_tx(tx, id).await?,
    })
}

/// Move a programme to another status (draft → approved → active → closed)
/// by the rules of `core::plan::program_transition`, applied to the row as it
/// is once locked, so two concurrent moves cannot both start from the same
/// status. `expected` (optional for actions) refuses a stale version.
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected: Expected,
    to: ProgramStatus,
) -> Result<std::result::Result<Program, StatusRefusal>> {
    let mut w = db.write(actor).await?;
    w.lock("programs", id, expected).await?;
    let before = program_tx(w.tx(), id).await?;
    let from = ProgramStatus::parse(&before.status)
        .ok_or_else(|| StoreError::Invalid(format!("programme status {}", before.status)))?;
    if let Err(refusal) = langnghe_core::plan::program_transition(from, to) {
        return Ok(Err(refusal));
    }
    let now = OffsetDateTime::now_utc();
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE programs SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3"
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    let after = program_tx(w.tx(), id).await?;
    w.finish(
        AuditAction::Status,
        AuditEntity::Program,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(Ok(after))
}

/// What a programme's form changes (its status moves by [`set_status`] only).
#[derive(Debug, Clone, Serialize)]
pub struct ProgramInput {
    pub code: String,
    pub title: String,
    pub kind: String,
    pub document_id: Option<i64>,
    pub period_start: Date,
    pub period_end: Date,
    pub lead_agency_id: i64,
    /// The lead agency's unit: where the programme is (its scope).
    pub admin_unit_id: i64,
    pub objectives_general: Option<String>,
    pub objectives_specific: Vec<String>,
    pub legal_basis: Vec<i64>,
    /// The programme this one carries out (the national programme of a province's plan).
    pub parent_id: Option<i64>,
}

/// Change a programme at version `expected`; records the exact before and after.
pub async fn update_program(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected: Expected,
    input: &ProgramInput,
) -> Result<Program> {
    let specific = serde_json::to_string(&input.objectives_specific)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    w.lock("programs", id, expected).await?;
    let before = program_record(w.tx(), id).await?;
    // Moving the lead moves the programme to its unit; otherwise it stays where it is
    // (an annual plan keeps its parent's area).
    let unit = if before.program.lead_agency_id == Some(input.lead_agency_id) {
        before.program.admin_unit_id
    } else {
        input.admin_unit_id
    };
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE programs SET code = $1, title = $2, title_folded = $3, kind = $4, document_id = $5, period_start = $6, \
         period_end = $7, lead_agency_id = $8, admin_unit_id = $9, objectives_general = $10, objectives_specific = $11, \
         updated_at = $12, version = version + 1, parent_id = $14 WHERE id = $13"
    )
    .bind(&input.code)
    .bind(&input.title)
    .bind(langnghe_core::text::fold_vi(&input.title))
    .bind(&input.kind)
    .bind(input.document_id)
    .bind(input.period_start)
    .bind(input.period_end)
    .bind(input.lead_agency_id)
    .bind(unit)
    .bind(&input.objectives_general)
    .bind(&specific)
    .bind(now)
    .bind(id)
    .bind(input.parent_id)
    .execute(c)
    .await?
    .rows_affected()
    });
    if before.legal_basis != input.legal_basis {
        w.exec_for("DELETE FROM program_legal_basis WHERE program_id = $1", id)
            .await?;
        for d in &input.legal_basis {
            add_legal_basis(w.tx(), id, *d).await?;
        }
    }
    let after = program_record(w.tx(), id).await?;
    w.finish(
        AuditAction::Update,
        AuditEntity::Program,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after.program)
}

/// What an indicator's form changes (its targets are changed one by one).
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorInput {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub aggregation: String,
    pub direction: String,
    pub baseline_value: Option<f64>,
    pub baseline_year: Option<i64>,
}

/// Why an indicator change was refused once its row was locked.
#[derive(Debug, Clone, PartialEq)]
pub enum IndicatorRefusal {
    /// Another indicator of the programme has this code.
    DuplicateCode,
    /// A target grows from the baseline (growth, multiple), so it cannot go.
    BaselineNeeded,
}

/// Change an indicator at version `expected`; records the exact before and after.
pub async fn update_indicator(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected: Expected,
    input: &IndicatorInput,
) -> Result<std::result::Result<Indicator, IndicatorRefusal>> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    w.lock("indicators", id, expected).await?;
    let before = indicator_tx(w.tx(), id).await?;
    let same_code: i64 = with_tx!(w.tx(), |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM indicators WHERE program_id = $1 AND code = $2 AND id <> $3"
    )
    .bind(before.program_id)
    .bind(&input.code)
    .bind(id)
    .fetch_one(c)
    .await?);
    if same_code > 0 {
        return Ok(Err(IndicatorRefusal::DuplicateCode));
    }
    if input.baseline_value.is_none() {
        let forms: Vec<String> = with_tx!(w.tx(), |c| sqlx::query_scalar(
            "SELECT form FROM targets WHERE indicator_id = $1"
        )
        .bind(id)
        .fetch_all(c)
        .await?);
        let grows = forms.iter().any(|f| {
            matches!(
                serde_json::from_str::<Target>(f),
                Ok(Target::Growth { .. } | Target::Multiple { .. })
            )
        });
        if grows {
            return Ok(Err(IndicatorRefusal::BaselineNeeded));
        }
    }
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE indicators SET code = $1, name = $2, unit = $3, aggregation = $4, direction = $5, baseline_value = $6, \
         baseline_year = $7, updated_at = $8, version = version + 1 WHERE id = $9"
    )
    .bind(&input.code)
    .bind(&input.name)
    .bind(&input.unit)
    .bind(&input.aggregation)
    .bind(&input.direction)
    .bind(input.baseline_value)
    .bind(input.baseline_year)
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected()
    });
    let after = indicator_tx(w.tx(), id).await?;
    w.finish(
        AuditAction::Update,
        AuditEntity::Indicator,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(Ok(after))
}

/// A target as the audit log records it: the row and its split rows.
#[derive(Debug, Clone, Serialize)]
pub struct TargetRecord {
    #[serde(flatten)]
    pub target: TargetRow,
    pub split: Vec<TargetRow>,
}

/// What a target's form changes: the wording (parsed by `core::plan`), and,
/// for a total, optionally a new split (which replaces the old one).
#[derive(Debug, Clone, Serialize)]
pub struct TargetInput {
    pub milestone: String,
    /// As the plan states it.
    pub text: String,
    pub form: Target,
    /// The new split of a total (`None`: keep the split it has).
    pub split: Option<Vec<NewTarget>>,
}

/// The value a target contributes to a split check (exact numbers only).
fn exact(form: &str) -> Option<f64> {
    match serde_json::from_str::<Target>(form) {
        Ok(Target::Exact { value }) => Some(value),
        _ => None,
    }
}

/// How far apart a total and its parts may be (the documents round to units).
pub const SPLIT_TOLERANCE: f64 = 0.5;

/// Change a target at version `expected`. A total and its split rows must still
/// add up (`core::plan::check_split`, as when it was entered): the total's row
/// is locked for any change of it or of one of its parts, so two people
/// changing two parts at once are checked one after the other.
pub async fn update_target(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected: Expected,
    input: &TargetInput,
) -> Result<std::result::Result<TargetRow, SplitError>> {
    let mut w = db.write(actor).await?;
    let parent: Option<i64> = with_tx!(w.tx(), |c| sqlx::query_scalar(
        "SELECT parent_id FROM targets WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?)
    .ok_or(StoreError::NotFound)?;
    if let Some(total) = parent {
        w.lock("targets", total, None).await?;
    }
    w.lock("targets", id, expected).await?;
    let before = TargetRecord {
        target: target_tx(w.tx(), id).await?,
        split: targets_tx(w.tx(), "t.parent_id = $1", id).await?,
    };
    let value = match input.form {
        Target::Exact { value } => Some(value),
        _ => None,
    };
    // The sum check, on the rows as they are now.
    match (parent, &input.split) {
        (Some(total), _) => {
            let total_row = target_tx(w.tx(), total).await?;
            if let Some(t) = exact(&total_row.form) {
                let mut parts: Vec<f64> = targets_tx(w.tx(), "t.parent_id = $1", total)
                    .await?
                    .iter()
                    .filter(|s| s.id != id)
                    .filter_map(|s| exact(&s.form))
                    .collect();
                match value {
                    Some(v) => parts.push(v),
                    None => return Ok(Err(SplitError::NotFinite)),
                }
                if let Err(e) = rules::check_split(t, &parts, SPLIT_TOLERANCE) {
                    return Ok(Err(e));
                }
            }
        }
        (None, split) => {
            let parts: Vec<f64> = match split {
                Some(new) => new.iter().filter_map(|n| n.value).collect(),
                None => before.split.iter().filter_map(|s| exact(&s.form)).collect(),
            };
            if let (Some(t), false) = (value, parts.is_empty()) {
                if let Err(e) = rules::check_split(t, &parts, SPLIT_TOLERANCE) {
                    return Ok(Err(e));
                }
            }
        }
    }
    let form =
        serde_json::to_string(&input.form).map_err(|e| StoreError::Invalid(e.to_string()))?;
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE targets SET milestone = $1, text = $2, form = $3, value = $4, version = version + 1 WHERE id = $5"
    )
    .bind(&input.milestone)
    .bind(&input.text)
    .bind(&form)
    .bind(value)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected()
    });
    if parent.is_none() {
        if let Some(new) = &input.split {
            w.exec_for("DELETE FROM targets WHERE parent_id = $1", id)
                .await?;
            let now = OffsetDateTime::now_utc();
            for n in new {
                with_tx!(w.tx(), |c| {
                    sqlx::query(
                    "INSERT INTO targets (indicator_id, parent_id, milestone, text, form, cumulative, dimension, category, admin_unit_id, agency_id, value, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                )
                .bind(before.target.indicator_id)
                .bind(id)
                .bind(&input.milestone)
                .bind(&n.text)
                .bind(&n.form)
                .bind(before.target.cumulative)
                .bind(&n.dimension)
                .bind(&n.category)
                .bind(n.admin_unit_id)
                .bind(n.agency_id)
                .bind(n.value)
                .bind(now)
                .execute(c)
                .await?
                .rows_affected()
                });
            }
        } else if before.target.milestone != input.milestone {
            // The parts belong to the same milestone as their total.
            with_tx!(w.tx(), |c| sqlx::query(
                "UPDATE targets SET milestone = $1, version = version + 1 WHERE parent_id = $2"
            )
            .bind(&input.milestone)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected());
        }
    }
    let after = TargetRecord {
        target: target_tx(w.tx(), id).await?,
        split: targets_tx(w.tx(), "t.parent_id = $1", id).await?,
    };
    w.finish(
        AuditAction::Update,
        AuditEntity::Target,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(Ok(after.target))
}

/// A task as the audit log records it: the row, its agencies and indicators.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRecord {
    #[serde(flatten)]
    pub task: Task,
    /// (agency id, `coordinating` or `co_lead`).
    pub agencies: Vec<(i64, String)>,
    pub indicators: Vec<i64>,
}

async fn task_record(tx: &mut Tx, id: i64) -> Result<TaskRecord> {
    let sql = format!("{SELECT_TASK} WHERE t.id = $1");
    let task = crate::row_for_tx::<Task>(tx, &sql, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let agencies = with_tx!(tx, |c| sqlx::query_as(
        "SELECT agency_id, role FROM task_agencies WHERE task_id = $1 ORDER BY agency_id"
    )
    .bind(id)
    .fetch_all(c)
    .await?);
    let indicators = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT indicator_id FROM task_indicators WHERE task_id = $1 ORDER BY indicator_id"
    )
    .bind(id)
    .fetch_all(c)
    .await?);
    Ok(TaskRecord {
        task,
        agencies,
        indicators,
    })
}

/// What a task's form changes. Coordinating agencies and indicator links are
/// replaced by the lists given; agencies that co-lead the task stay.
#[derive(Debug, Clone, Serialize)]
pub struct TaskInput {
    pub section: Option<String>,
    pub text: String,
    pub lead_agency_id: Option<i64>,
    pub coordinating: Vec<i64>,
    pub start_on: Option<Date>,
    pub due_on: Option<Date>,
    /// One of `core::plan::TASK_STATUSES`.
    pub status: String,
    pub indicators: Vec<i64>,
}

/// Change a task at version `expected`; records the exact before and after.
pub async fn update_task(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected: Expected,
    input: &TaskInput,
) -> Result<Task> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    w.lock("tasks", id, expected).await?;
    let before = task_record(w.tx(), id).await?;
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE tasks SET section = $1, text = $2, lead_agency_id = $3, start_on = $4, due_on = $5, status = $6, \
         updated_at = $7, version = version + 1 WHERE id = $8"
    )
    .bind(&input.section)
    .bind(&input.text)
    .bind(input.lead_agency_id)
    .bind(input.start_on)
    .bind(input.due_on)
    .bind(&input.status)
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected()
    });
    let co_leads: Vec<i64> = before
        .agencies
        .iter()
        .filter(|(_, r)| r == "co_lead")
        .map(|(a, _)| *a)
        .collect();
    w.exec_for(
        "DELETE FROM task_agencies WHERE task_id = $1 AND role = 'coordinating'",
        id,
    )
    .await?;
    let mut coordinating: Vec<i64> = input
        .coordinating
        .iter()
        .copied()
        .filter(|a| !co_leads.contains(a) && input.lead_agency_id != Some(*a))
        .collect();
    coordinating.sort_unstable();
    coordinating.dedup();
    for a in coordinating {
        with_tx!(w.tx(), |c| sqlx::query(
            "INSERT INTO task_agencies (task_id, agency_id, role) VALUES ($1, $2, 'coordinating')"
        )
        .bind(id)
        .bind(a)
        .execute(c)
        .await?
        .rows_affected());
    }
    w.exec_for("DELETE FROM task_indicators WHERE task_id = $1", id)
        .await?;
    for i in &input.indicators {
        link_task_indicator(w.tx(), id, *i).await?;
    }
    let after = task_record(w.tx(), id).await?;
    w.finish(
        AuditAction::Update,
        AuditEntity::Task,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after.task)
}

/// What a budget line's form changes (allocations and disbursements are amounts of their own).
#[derive(Debug, Clone, Serialize)]
pub struct BudgetLineInput {
    pub line: String,
    pub source_of_funds: String,
    pub planned_dong: Option<i64>,
}

/// Change a budget line at version `expected`; records the exact before and after.
pub async fn update_budget_line(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected: Expected,
    input: &BudgetLineInput,
) -> Result<BudgetLine> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    w.lock("budget_lines", id, expected).await?;
    let before = budget_line_tx(w.tx(), id).await?;
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE budget_lines SET line = $1, source_of_funds = $2, planned_dong = $3, updated_at = $4, version = version + 1 \
         WHERE id = $5"
    )
    .bind(&input.line)
    .bind(&input.source_of_funds)
    .bind(input.planned_dong)
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected()
    });
    let after = budget_line_tx(w.tx(), id).await?;
    w.finish(
        AuditAction::Update,
        AuditEntity::BudgetLine,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Targets of one indicator (for deriving annual plans).
pub async fn indicator_targets(db: &Db, indicator_id: i64) -> Result<Vec<TargetRow>> {
    let sql = format!("{SELECT_TARGET} WHERE t.indicator_id = $1 ORDER BY t.id");
    crate::rows_for::<TargetRow>(db, &sql, indicator_id).await
}

/// Actual values recorded on the derived (annual) plans of a programme, keyed by the
/// indicator code they share with it: what rolls up into the programme's achievement.
pub async fn child_actuals(db: &Db, program_id: i64) -> Result<Vec<(String, ActualRow)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        code: String,
        #[sqlx(flatten)]
        actual: ActualRow,
    }
    let rows: Vec<Row> = with_db!(db, |c| {
        sqlx::query_as::<_, Row>(
        "SELECT i.code, x.id, x.indicator_id, x.period, x.value, x.plan_value, x.plan_implied, x.rate_stated, x.category, x.source, x.notes \
         FROM indicator_actuals x JOIN indicators i ON i.id = x.indicator_id JOIN programs p ON p.id = i.program_id \
         WHERE p.parent_id = $1 ORDER BY x.period, x.id"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    });
    Ok(rows.into_iter().map(|r| (r.code, r.actual)).collect())
}

/// Record an actual value of an indicator (a result); audited.
pub async fn add_actual(db: &Db, actor: &Actor, a: &NewActual) -> Result<i64> {
    let mut w = db.write(actor).await?;
    let id = insert_actual(&mut w, a).await?;
    w.commit().await?;
    Ok(id)
}

/// Link a task to the indicators it serves.
pub async fn link_task_indicator(tx: &mut Tx, task_id: i64, indicator_id: i64) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO task_indicators (task_id, indicator_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    )
    .bind(task_id)
    .bind(indicator_id)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(())
}

/// (task id, indicator code) of a programme's task links.
pub async fn task_indicator_codes(db: &Db, program_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT ti.task_id, i.code FROM task_indicators ti JOIN indicators i ON i.id = ti.indicator_id \
         WHERE i.program_id = $1 ORDER BY ti.task_id, i.sort_order"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
}
