//! Aggregates of the leaders' dashboard, computed in the database
//! on every request (no analytics table, no cache): the reports of a
//! programme's periods, its budget per year and per content line, its support
//! schemes by stage, and a province's registry figures. Only the rows of one
//! programme or one scope are read.

use crate::geo::within;
use crate::{with_db, Arg, Db, Result, Sql};
use langnghe_core::report::ReportState;
use serde::Serialize;
use time::{Date, OffsetDateTime};

/// One expected unit report of a programme, with what timeliness needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportStatus {
    pub period_id: i64,
    pub period_label: String,
    pub data_to: Date,
    pub due_on: Date,
    pub agency_id: i64,
    pub agency_name: String,
    pub admin_unit_id: i64,
    pub state: String,
    pub first_submitted_at: Option<OffsetDateTime>,
}

/// Every expected report of the programme's periods, oldest period first.
pub async fn report_statuses(db: &Db, program_id: i64) -> Result<Vec<ReportStatus>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as::<_, ReportStatus>(
        "SELECT r.period_id, rp.label AS period_label, rp.data_to, rp.due_on, r.agency_id, a.name AS agency_name, \
         r.admin_unit_id, r.state, r.first_submitted_at \
         FROM reports r JOIN report_periods rp ON rp.id = r.period_id JOIN agencies a ON a.id = r.agency_id \
         WHERE rp.program_id = $1 ORDER BY rp.data_to, rp.id, a.name"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
}

/// Budget of one year, summed over the programme's content lines (đồng).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BudgetYearSum {
    pub year: i64,
    pub allocated: Option<i64>,
    pub disbursed: Option<i64>,
}

/// Allocations and disbursements per year, as recorded against the plan's budget lines.
pub async fn budget_by_year(db: &Db, program_id: i64) -> Result<Vec<BudgetYearSum>> {
    Ok(with_db!(db, |c| sqlx::query_as::<_, BudgetYearSum>(
        "SELECT ba.year, \
         CAST(SUM(CASE WHEN ba.kind = 'allocation' THEN ba.dong END) AS BIGINT) AS allocated, \
         CAST(SUM(CASE WHEN ba.kind = 'disbursement' THEN ba.dong END) AS BIGINT) AS disbursed \
         FROM budget_amounts ba JOIN budget_lines bl ON bl.id = ba.budget_line_id \
         WHERE bl.program_id = $1 GROUP BY ba.year ORDER BY ba.year"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?))
}

/// One content line of the plan's budget with what was allocated and disbursed.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DashBudgetLine {
    pub id: i64,
    pub line: String,
    pub source_of_funds: String,
    /// The plan's estimate for the whole period (đồng); null when the plan gives none.
    pub planned: Option<i64>,
    pub allocated: Option<i64>,
    pub disbursed: Option<i64>,
}

pub async fn budget_by_line(db: &Db, program_id: i64) -> Result<Vec<DashBudgetLine>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as::<_, DashBudgetLine>(
        "SELECT bl.id, bl.line, bl.source_of_funds, bl.planned_dong AS planned, \
         CAST(SUM(CASE WHEN ba.kind = 'allocation' THEN ba.dong END) AS BIGINT) AS allocated, \
         CAST(SUM(CASE WHEN ba.kind = 'disbursement' THEN ba.dong END) AS BIGINT) AS disbursed \
         FROM budget_lines bl LEFT JOIN budget_amounts ba ON ba.budget_line_id = bl.id \
         WHERE bl.program_id = $1 GROUP BY bl.id, bl.line, bl.source_of_funds, bl.planned_dong, bl.sort_order \
         ORDER BY bl.sort_order, bl.id"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
}

/// Applications to the programme's support schemes in one stage.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SchemeStage {
    /// registered, forwarded, eligible, ineligible, selected, not_selected,
    /// contracted, accepted, liquidated, settled.
    pub stage: String,
    pub applications: i64,
    /// Sum of the amounts asked or granted (đồng).
    pub amount: i64,
}

pub async fn schemes_by_stage(db: &Db, program_id: i64) -> Result<Vec<SchemeStage>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as::<_, SchemeStage>(
        "SELECT a.state AS stage, COUNT(*) AS applications, CAST(COALESCE(SUM(a.amount_dong), 0) AS BIGINT) AS amount \
         FROM applications a JOIN schemes s ON s.id = a.scheme_id WHERE s.program_id = $1 GROUP BY a.state"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
}

// ---------------------------------------------------------------------------
// Province overview
// ---------------------------------------------------------------------------

/// A count per key (a status, a star rating).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DashCount {
    pub key: String,
    pub count: i64,
}

/// OCOP products of the area per star rating, with how many certificates
/// have expired and how many expire soon (by `soon`).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OcopStars {
    pub stars: String,
    pub products: i64,
    pub expired: i64,
    pub expiring: i64,
}

/// The registry's counts of an area, as the overview shows them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegistryCounts {
    /// Craft villages by status.
    pub villages: Vec<DashCount>,
    /// OCOP products by stars.
    pub ocop: Vec<OcopStars>,
    /// Villages whose latest environmental assessment is older than the cutoff.
    pub environment_overdue: i64,
}

/// One line of [`registry_counts`]: which count, its key and up to three numbers.
#[derive(sqlx::FromRow)]
struct CountLine {
    part: String,
    key: Option<String>,
    a: i64,
    b: i64,
    c: i64,
}

/// The registry's counts of an area in one statement: villages by status,
/// OCOP products by stars (expired before `today`, expiring by `soon`), and
/// villages last assessed before `cutoff`.
pub async fn registry_counts(
    db: &Db,
    area: i64,
    today: Date,
    soon: Date,
    cutoff: Date,
) -> Result<RegistryCounts> {
    let w = within("admin_unit_id", area, "$1");
    let q = format!(
        "SELECT 'v' AS part, status AS key, COUNT(*) AS a, CAST(0 AS BIGINT) AS b, CAST(0 AS BIGINT) AS c \
         FROM villages WHERE {w} GROUP BY status \
         UNION ALL \
         SELECT 'p', ocop_stars, COUNT(*), \
         CAST(COALESCE(SUM(CASE WHEN ocop_expires_on < $2 THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN ocop_expires_on >= $2 AND ocop_expires_on <= $3 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM products WHERE {w} AND ocop_stars IS NOT NULL GROUP BY ocop_stars \
         UNION ALL \
         SELECT 'e', NULL, COUNT(*), CAST(0 AS BIGINT), CAST(0 AS BIGINT) FROM \
         (SELECT village_id FROM environment_assessments WHERE {w} \
          GROUP BY village_id HAVING MAX(assessed_on) < $4) x \
         ORDER BY 1, 2"
    );
    let lines = with_db!(db, |c| sqlx::query_as::<_, CountLine>(&q)
        .bind(area)
        .bind(today)
        .bind(soon)
        .bind(cutoff)
        .fetch_all(c)
        .await?);
    let mut out = RegistryCounts::default();
    for l in lines {
        match (l.part.as_str(), l.key) {
            ("v", Some(key)) => out.villages.push(DashCount { key, count: l.a }),
            ("p", Some(stars)) => out.ocop.push(OcopStars {
                stars,
                products: l.a,
                expired: l.b,
                expiring: l.c,
            }),
            ("e", _) => out.environment_overdue = l.a,
            _ => {}
        }
    }
    Ok(out)
}

/// Reporting in the latest period of a programme, counting only the units in the area.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OpenPeriodRate {
    pub program_id: i64,
    pub period: String,
    pub expected: i64,
    pub approved: i64,
}

pub async fn latest_period_rates(
    db: &Db,
    area: i64,
    programs: &[i64],
) -> Result<Vec<OpenPeriodRate>> {
    // Every programme's latest period in one statement (an overview lists
    // many programmes).
    let mut sql = Sql::new("");
    sql.push(
        "SELECT rp.program_id, rp.label AS period, COUNT(r.id) AS expected, \
         CAST(COALESCE(SUM(CASE WHEN r.state IN (?, ?) THEN 1 ELSE 0 END), 0) AS BIGINT) AS approved \
         FROM report_periods rp LEFT JOIN reports r ON r.period_id = rp.id \
         AND EXISTS (SELECT 1 FROM admin_unit_cover c WHERE c.scope_id = ? AND c.unit_id = r.admin_unit_id) \
         WHERE rp.id = (SELECT q.id FROM report_periods q WHERE q.program_id = rp.program_id \
           ORDER BY q.data_to DESC, q.id DESC LIMIT 1) AND rp.program_id IN ",
        [
            Arg::Text(ReportState::APPROVED[0].as_str().into()),
            Arg::Text(ReportState::APPROVED[1].as_str().into()),
            Arg::I64(area),
        ],
    );
    sql.push_ids(programs).push(
        " GROUP BY rp.program_id, rp.label ORDER BY rp.program_id",
        [],
    );
    crate::fetch_all(db, &sql).await
}
