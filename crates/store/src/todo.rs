//! The open items behind a person's to-do list ("Việc cần làm"), each read in
//! the person's scope and counted in the database. Which of them are due, and
//! in what order, is decided by `langnghe_core::todo`.

use crate::programs::{push_reach, Reach};
use crate::{Arg, Db, Result, Sql};
use langnghe_core::plan::TaskStatus;
use langnghe_core::report::ReportState;
use langnghe_core::scheme::SchemeStatus;
use serde::Serialize;
use time::Date;

use crate::fetch_all as fetch;

/// A report of the caller's unit still in their hands (draft or returned).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OwnReport {
    pub id: i64,
    pub state: String,
    pub return_reason: Option<String>,
    pub period_label: String,
    pub due_on: Date,
    pub program_code: String,
}

/// A report state bound as a parameter (the SQL names no state itself).
fn state(s: ReportState) -> Arg {
    Arg::Text(s.as_str().into())
}

/// The agency's reports to fill or fix, wherever the programme is run from.
pub async fn own_reports(db: &Db, agency_id: i64, limit: i64) -> Result<Vec<OwnReport>> {
    let mut sql = Sql::new("");
    sql.push(
        "SELECT r.id, r.state, r.return_reason, rp.label AS period_label, rp.due_on, p.code AS program_code \
         FROM reports r JOIN report_periods rp ON rp.id = r.period_id JOIN programs p ON p.id = rp.program_id \
         WHERE r.agency_id = ? AND r.state IN (?, ?) ORDER BY rp.due_on, r.id LIMIT ?",
        [
            Arg::I64(agency_id),
            state(ReportState::Draft),
            state(ReportState::Returned),
            Arg::I64(limit),
        ],
    );
    fetch(db, &sql).await
}

/// A submitted report waiting for a decision.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReportToReview {
    pub id: i64,
    pub agency_name: String,
    pub period_label: String,
    pub due_on: Date,
    pub program_code: String,
}

/// Reports submitted in the programmes run inside the scope (the ones the caller reviews).
pub async fn to_review(db: &Db, scope_id: i64, limit: i64) -> Result<Vec<ReportToReview>> {
    let mut sql = Sql::new("");
    sql.push(
        "SELECT r.id, a.name AS agency_name, rp.label AS period_label, rp.due_on, p.code AS program_code \
         FROM reports r JOIN report_periods rp ON rp.id = r.period_id JOIN programs p ON p.id = rp.program_id \
         JOIN agencies a ON a.id = r.agency_id WHERE r.state = ?",
        [state(ReportState::Submitted)],
    );
    push_reach(&mut sql, scope_id, Reach::Within);
    sql.push(" ORDER BY r.submitted_at, r.id LIMIT ?", [Arg::I64(limit)]);
    fetch(db, &sql).await
}

/// An open period of a programme in scope, with its reports counted by the database.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OpenPeriod {
    pub id: i64,
    pub label: String,
    pub due_on: Date,
    pub program_code: String,
    /// Reports not submitted yet (draft or returned).
    pub pending: i64,
    /// Reports expected in the period.
    pub expected: i64,
}

/// Periods of the programmes run inside the scope that still wait for a report
/// and are due before `until` (overdue ones included).
pub async fn open_periods(db: &Db, scope_id: i64, until: Date) -> Result<Vec<OpenPeriod>> {
    let mut sql = Sql::new("");
    sql.push(
        "SELECT rp.id, rp.label, rp.due_on, p.code AS program_code, \
         COUNT(CASE WHEN r.state IN (?, ?) THEN 1 END) AS pending, COUNT(r.id) AS expected \
         FROM report_periods rp JOIN programs p ON p.id = rp.program_id JOIN reports r ON r.period_id = rp.id \
         WHERE rp.due_on <= ?",
        [
            state(ReportState::Draft),
            state(ReportState::Returned),
            Arg::Date(until),
        ],
    );
    push_reach(&mut sql, scope_id, Reach::Within);
    sql.push(
        " GROUP BY rp.id, rp.label, rp.due_on, p.code \
         HAVING COUNT(CASE WHEN r.state IN (?, ?) THEN 1 END) > 0 \
         ORDER BY rp.due_on, rp.id LIMIT 100",
        [state(ReportState::Draft), state(ReportState::Returned)],
    );
    fetch(db, &sql).await
}

/// A step of a support scheme not done yet.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StepDue {
    pub scheme_id: i64,
    pub scheme_title: String,
    pub text: String,
    pub due_on: Date,
}

/// Steps of schemes run inside the scope, not done, due before `until`.
pub async fn scheme_steps_due(db: &Db, scope_id: i64, until: Date) -> Result<Vec<StepDue>> {
    let mut sql = Sql::new("");
    sql.push(
        "SELECT s.id AS scheme_id, s.title AS scheme_title, st.text, st.due_on \
         FROM scheme_steps st JOIN schemes s ON s.id = st.scheme_id JOIN programs p ON p.id = s.program_id \
         WHERE st.done_on IS NULL AND st.due_on IS NOT NULL AND st.due_on <= ? AND s.status <> ?",
        [
            Arg::Date(until),
            Arg::Text(SchemeStatus::Closed.as_str().into()),
        ],
    );
    push_reach(&mut sql, scope_id, Reach::Within);
    sql.push(" ORDER BY st.due_on, s.id, st.ord LIMIT 50", []);
    fetch(db, &sql).await
}

/// A task of the caller's agency, not done, due before `until`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TaskDue {
    pub id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub section: Option<String>,
    pub text: String,
    pub due_on: Date,
}

/// Tasks the agency leads or coordinates, in every programme the scope reads.
pub async fn tasks_due(
    db: &Db,
    scope_id: i64,
    agency_id: i64,
    until: Date,
) -> Result<Vec<TaskDue>> {
    let mut sql = Sql::new("");
    sql.push(
        "SELECT t.id, t.program_id, p.code AS program_code, t.section, t.text, t.due_on \
         FROM tasks t JOIN programs p ON p.id = t.program_id \
         WHERE (t.lead_agency_id = ? OR EXISTS (SELECT 1 FROM task_agencies ta WHERE ta.task_id = t.id AND ta.agency_id = ?)) \
         AND t.status IN (?, ?) AND t.due_on IS NOT NULL AND t.due_on <= ?",
        [
            Arg::I64(agency_id),
            Arg::I64(agency_id),
            Arg::Text(TaskStatus::Open.as_str().into()),
            Arg::Text(TaskStatus::InProgress.as_str().into()),
            Arg::Date(until),
        ],
    );
    push_reach(&mut sql, scope_id, Reach::Visible);
    sql.push(" ORDER BY t.due_on, t.id LIMIT 50", []);
    fetch(db, &sql).await
}

/// A programme the caller reads, with its tasks counted.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProgrammeProgress {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: String,
    pub period_end: Date,
    pub tasks: i64,
    pub tasks_done: i64,
    /// Reports approved / expected, over every period of the programme.
    pub reports: i64,
    pub reports_approved: i64,
}

/// The programmes the scope reads (newest first), with their progress counted in SQL.
pub async fn programmes(db: &Db, scope_id: i64, limit: i64) -> Result<Vec<ProgrammeProgress>> {
    let mut sql = Sql::new("");
    sql.push(
        "SELECT p.id, p.code, p.title, p.status, p.period_end, \
         (SELECT COUNT(*) FROM tasks t WHERE t.program_id = p.id AND t.status <> ?) AS tasks, \
         (SELECT COUNT(*) FROM tasks t WHERE t.program_id = p.id AND t.status = ?) AS tasks_done, \
         (SELECT COUNT(*) FROM reports r JOIN report_periods rp ON rp.id = r.period_id WHERE rp.program_id = p.id) AS reports, \
         (SELECT COUNT(*) FROM reports r JOIN report_periods rp ON rp.id = r.period_id WHERE rp.program_id = p.id \
            AND r.state IN (?, ?)) AS reports_approved \
         FROM programs p WHERE 1 = 1",
        [
            Arg::Text(TaskStatus::Cancelled.as_str().into()),
            Arg::Text(TaskStatus::Done.as_str().into()),
            state(ReportState::Approved),
            state(ReportState::Locked),
        ],
    );
    push_reach(&mut sql, scope_id, Reach::Visible);
    sql.push(
        " ORDER BY p.period_end DESC, p.code LIMIT ?",
        [Arg::I64(limit)],
    );
    fetch(db, &sql).await
}
