//! Programmes and plans: the programme itself (legal basis, period, lead agency,
//! objectives), its indicators with targets as stated and actual values, tasks per
//! agency, and budget lines with allocations and disbursements. Read inside a scope.

use crate::audit::{self, Actor};
use crate::{with_db, with_tx, Arg, Db, Result, Sql, StoreError, Tx};
use serde::Serialize;
use time::{Date, OffsetDateTime};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
}

const SELECT_PROGRAM: &str = "SELECT p.id, p.key, p.code, p.title, p.kind, p.document_id, d.number AS document_number, \
    d.issued_on AS document_date, p.period_start, p.period_end, p.parent_id, pp.title AS parent_title, \
    p.lead_agency_id, a.name AS lead_agency_name, p.admin_unit_id, p.status, p.objectives_general, \
    p.objectives_specific, p.notes \
    FROM programs p LEFT JOIN legal_documents d ON d.id = p.document_id \
    LEFT JOIN programs pp ON pp.id = p.parent_id LEFT JOIN agencies a ON a.id = p.lead_agency_id";

fn scoped(select: &str, scope_id: i64, q: Option<&str>) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" WHERE 1 = 1", []);
    if scope_id != crate::geo::COUNTRY_ID {
        sql.push(
            " AND p.admin_unit_id IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = ?)",
            [Arg::I64(scope_id)],
        );
    }
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
    let mut sql = scoped(SELECT_PROGRAM, scope_id, q);
    sql.push(
        " ORDER BY p.period_start DESC, p.code LIMIT ? OFFSET ?",
        [Arg::I64(limit), Arg::I64(offset)],
    );
    let count = scoped("SELECT COUNT(*) FROM programs p", scope_id, q);
    crate::fetch_page::<Program>(db, &sql, &count).await
}

pub async fn get(db: &Db, scope_id: i64, id: i64) -> Result<Option<Program>> {
    let mut sql = scoped(SELECT_PROGRAM, scope_id, None);
    sql.push(" AND p.id = ?", [Arg::I64(id)]);
    crate::fetch_optional::<Program>(db, &sql).await
}

pub async fn children(db: &Db, id: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(with_db!(db, |c| sqlx::query_as(
        "SELECT id, code, title FROM programs WHERE parent_id = $1 ORDER BY period_start, code"
    )
    .bind(id)
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

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
    Ok(with_db!(db, |c| {
        sqlx::query_as::<_, Indicator>(
        "SELECT id, program_id, code, name, unit, aggregation, direction, baseline_value, baseline_year, source, notes \
         FROM indicators WHERE program_id = $1 ORDER BY sort_order, id"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
}

pub async fn indicator(db: &Db, id: i64) -> Result<Option<Indicator>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as::<_, Indicator>(
        "SELECT id, program_id, code, name, unit, aggregation, direction, baseline_value, baseline_year, source, notes \
         FROM indicators WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?
    }))
}

pub async fn targets(db: &Db, program_id: i64) -> Result<Vec<TargetRow>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as::<_, TargetRow>(
        "SELECT t.id, t.indicator_id, t.parent_id, t.milestone, t.text, t.form, t.cumulative, t.dimension, t.category, \
         t.admin_unit_id, u.name AS unit_name, t.agency_id, a.name AS agency_name, t.value \
         FROM targets t JOIN indicators i ON i.id = t.indicator_id LEFT JOIN admin_units u ON u.id = t.admin_unit_id \
         LEFT JOIN agencies a ON a.id = t.agency_id WHERE i.program_id = $1 ORDER BY t.indicator_id, t.id"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
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

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
}

pub async fn tasks(db: &Db, program_id: i64) -> Result<Vec<Task>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as::<_, Task>(
        "SELECT t.id, t.program_id, t.section, t.text, t.lead_agency_id, a.name AS lead_agency_name, t.start_on, t.due_on, \
         t.status, t.source \
         FROM tasks t LEFT JOIN agencies a ON a.id = t.lead_agency_id WHERE t.program_id = $1 ORDER BY t.sort_order, t.id"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
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

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BudgetLine {
    pub id: i64,
    pub program_id: i64,
    pub line: String,
    pub source_of_funds: String,
    pub planned_dong: Option<i64>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BudgetAmount {
    pub budget_line_id: i64,
    pub year: i64,
    pub kind: String,
    pub dong: i64,
}

pub async fn budget(db: &Db, program_id: i64) -> Result<(Vec<BudgetLine>, Vec<BudgetAmount>)> {
    let lines = with_db!(db, |c| {
        sqlx::query_as::<_, BudgetLine>(
        "SELECT id, program_id, line, source_of_funds, planned_dong, source FROM budget_lines WHERE program_id = $1 ORDER BY sort_order, id"
    )
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

pub async fn insert_program(tx: &mut Tx, actor: &Actor, p: &NewProgram) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let specific = serde_json::to_string(&p.objectives_specific)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let id: i64 = with_tx!(tx, |c| {
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
    .map_err(|e| StoreError::from(e).on_unique("key"))?
    });
    audit::record::<(), _>(
        tx,
        actor,
        "create",
        "program",
        &id.to_string(),
        None,
        Some(p),
    )
    .await?;
    Ok(id)
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

pub async fn insert_indicator(tx: &mut Tx, actor: &Actor, i: &NewIndicator) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(tx, |c| {
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
    audit::record::<(), _>(
        tx,
        actor,
        "create",
        "indicator",
        &id.to_string(),
        None,
        Some(i),
    )
    .await?;
    Ok(id)
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

pub async fn insert_target(tx: &mut Tx, actor: &Actor, t: &NewTarget) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(tx, |c| {
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
    audit::record::<(), _>(
        tx,
        actor,
        "create",
        "target",
        &id.to_string(),
        None,
        Some(t),
    )
    .await?;
    Ok(id)
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

pub async fn insert_actual(tx: &mut Tx, actor: &Actor, a: &NewActual) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(tx, |c| {
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
    audit::record::<(), _>(
        tx,
        actor,
        "create",
        "indicator_actual",
        &id.to_string(),
        None,
        Some(a),
    )
    .await?;
    Ok(id)
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

pub async fn insert_task(tx: &mut Tx, actor: &Actor, t: &NewTask) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO tasks (program_id, section, text, lead_agency_id, start_on, due_on, status, sort_order, source, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9) RETURNING id"
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
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO task_agencies (task_id, agency_id, role) VALUES ($1, $2, $3)"
        )
        .bind(id)
        .bind(a)
        .bind(role)
        .execute(c)
        .await?
        .rows_affected());
    }
    audit::record::<(), _>(tx, actor, "create", "task", &id.to_string(), None, Some(t)).await?;
    Ok(id)
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

pub async fn insert_budget_line(tx: &mut Tx, actor: &Actor, b: &NewBudgetLine) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(tx, |c| {
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
        with_tx!(tx, |c| {
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
    audit::record::<(), _>(
        tx,
        actor,
        "create",
        "budget_line",
        &id.to_string(),
        None,
        Some(b),
    )
    .await?;
    Ok(id)
}

/// A task as an agency sees it: with its programme and the agency's role.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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
}

/// Tasks an agency leads or coordinates, across the programmes in a scope.
pub async fn agency_tasks(db: &Db, scope_id: i64, agency_id: i64) -> Result<Vec<AgencyTask>> {
    let mut sql = Sql::new(
        "SELECT t.id, t.program_id, p.code AS program_code, p.title AS program_title, t.section, t.text, t.due_on, t.status, \
         CASE WHEN t.lead_agency_id = ? THEN 'lead' ELSE 'coordinating' END AS role \
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
    if scope_id != crate::geo::COUNTRY_ID {
        sql.push(
            " AND p.admin_unit_id IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = ?)",
            [Arg::I64(scope_id)],
        );
    }
    sql.push(" ORDER BY t.due_on, p.period_start DESC, t.sort_order", []);
    Ok(with_db!(db, |c| crate::bind_args!(
        sqlx::query_as::<_, AgencyTask>(&sql.text),
        sql.args
    )
    .fetch_all(c)
    .await?))
}

/// An appendix table of a programme, as printed ("Phụ biểu 01").
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
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

/// Move a programme to another status (draft → approved → active → closed); audited.
pub async fn set_status(db: &Db, actor: &Actor, id: i64, status: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let before: Option<String> = with_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT status FROM programs WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?);
    let Some(before) = before else {
        return Err(StoreError::NotFound);
    };
    let now = OffsetDateTime::now_utc();
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE programs SET status = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(status)
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    audit::record(
        &mut tx,
        actor,
        "update",
        "program",
        &id.to_string(),
        Some(&serde_json::json!({ "status": before })),
        Some(&serde_json::json!({ "status": status })),
    )
    .await?;
    tx.commit().await
}

/// Targets of one indicator (for deriving annual plans).
pub async fn indicator_targets(db: &Db, indicator_id: i64) -> Result<Vec<TargetRow>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as::<_, TargetRow>(
        "SELECT t.id, t.indicator_id, t.parent_id, t.milestone, t.text, t.form, t.cumulative, t.dimension, t.category, \
         t.admin_unit_id, u.name AS unit_name, t.agency_id, a.name AS agency_name, t.value \
         FROM targets t LEFT JOIN admin_units u ON u.id = t.admin_unit_id LEFT JOIN agencies a ON a.id = t.agency_id \
         WHERE t.indicator_id = $1 ORDER BY t.id"
    )
    .bind(indicator_id)
    .fetch_all(c)
    .await?
    }))
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
    let mut tx = db.begin().await?;
    let id = insert_actual(&mut tx, actor, a).await?;
    tx.commit().await?;
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
