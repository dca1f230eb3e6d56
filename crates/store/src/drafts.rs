//! Plan drafts: a plan document's text and what reading it proposed, kept
//! until an official accepts it as a programme.

use crate::audit::{Actor, AuditAction, AuditEntity};
use crate::write::Write;
use crate::{with_tx, Arg, Db, Result, Sql, StoreError};
use serde::Serialize;
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanDraft {
    pub id: i64,
    pub title: Option<String>,
    pub file_name: Option<String>,
    /// The text as read (NFC, "\n" line ends): the proposal's offsets refer to it.
    pub text: String,
    /// The proposal, JSON.
    pub proposal: String,
    pub scope_unit_id: i64,
    pub created_by: Option<i64>,
    /// The programme it became.
    pub program_id: Option<i64>,
    pub accepted_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub version: i64,
}

/// A draft to keep.
#[derive(Debug, Clone, Serialize)]
pub struct NewDraft {
    pub title: Option<String>,
    pub file_name: Option<String>,
    #[serde(skip)]
    pub text: String,
    #[serde(skip)]
    pub proposal: String,
    pub scope_unit_id: i64,
    pub created_by: Option<i64>,
}

const SELECT: &str =
    "SELECT id, title, file_name, text, proposal, scope_unit_id, created_by, program_id, \
    accepted_at, created_at, version FROM plan_drafts";

/// Keep a draft (audited without its text: the text is the draft's own record).
pub async fn insert(db: &Db, actor: &Actor, d: &NewDraft) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO plan_drafts (title, file_name, text, proposal, scope_unit_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(&d.title)
    .bind(&d.file_name)
    .bind(&d.text)
    .bind(&d.proposal)
    .bind(d.scope_unit_id)
    .bind(d.created_by)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    w.created(AuditEntity::PlanDraft, id, d).await?;
    w.commit().await?;
    Ok(id)
}

/// A draft read inside `scope_id` (by someone whose scope contains where it was read).
pub async fn get(db: &Db, scope_id: i64, id: i64) -> Result<Option<PlanDraft>> {
    let sql = if scope_id == crate::geo::COUNTRY_ID {
        format!("{SELECT} WHERE id = $1")
    } else {
        format!(
            "{SELECT} WHERE id = $1 AND scope_unit_id IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = $2)"
        )
    };
    Ok(crate::with_db!(db, |c| {
        let q = sqlx::query_as::<_, PlanDraft>(&sql).bind(id);
        let q = if scope_id == crate::geo::COUNTRY_ID {
            q
        } else {
            q.bind(scope_id)
        };
        q.fetch_optional(c).await?
    }))
}

/// Mark a draft accepted as `program_id` inside the write that created the
/// programme; `Stale` when it was accepted in between (a draft becomes one
/// programme only).
pub async fn mark_accepted(w: &mut Write<'_>, id: i64, program_id: i64) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let n = with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE plan_drafts SET program_id = $1, accepted_at = $2, version = version + 1 \
         WHERE id = $3 AND program_id IS NULL"
    )
    .bind(program_id)
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    if n == 0 {
        return Err(StoreError::Stale { current: 0 });
    }
    w.audit(
        AuditAction::Accept,
        AuditEntity::PlanDraft,
        id,
        None::<&()>,
        Some(&serde_json::json!({ "program_id": program_id })),
    )
    .await
}

/// A place a programme names.
#[derive(Debug, Clone, Serialize)]
pub struct NewPlace {
    pub program_id: i64,
    pub name: String,
    pub admin_unit_id: Option<i64>,
    pub craft: Option<String>,
    pub ethnic_group: Option<String>,
    pub source: Option<String>,
}

pub async fn insert_place(w: &mut Write<'_>, p: &NewPlace) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO program_places (program_id, name, admin_unit_id, craft, ethnic_group, source, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(p.program_id)
    .bind(&p.name)
    .bind(p.admin_unit_id)
    .bind(&p.craft)
    .bind(&p.ethnic_group)
    .bind(&p.source)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    w.created(AuditEntity::ProgramPlace, id, p).await
}

/// A programme's places, in the order they were named.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProgramPlace {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
    pub admin_unit_id: Option<i64>,
    pub craft: Option<String>,
    pub ethnic_group: Option<String>,
    pub source: Option<String>,
}

pub async fn places(db: &Db, program_id: i64) -> Result<Vec<ProgramPlace>> {
    crate::rows_for::<ProgramPlace>(
        db,
        "SELECT id, program_id, name, admin_unit_id, craft, ethnic_group, source FROM program_places \
         WHERE program_id = $1 ORDER BY id",
        program_id,
    )
    .await
}

/// Set the days of the year a programme's reports are due ("06-20", "12-20"),
/// inside the write that creates it.
pub async fn set_report_due(
    w: &mut Write<'_>,
    program_id: i64,
    first_half: Option<&str>,
    annual: Option<&str>,
) -> Result<()> {
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE programs SET report_due_first_half = $1, report_due_annual = $2 WHERE id = $3"
    )
    .bind(first_half)
    .bind(annual)
    .bind(program_id)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// A draft in a list: what it is, not its text.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DraftSummary {
    pub id: i64,
    pub title: Option<String>,
    pub file_name: Option<String>,
    pub program_id: Option<i64>,
    pub accepted_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

fn in_scope(select: &str, scope_id: i64) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" WHERE 1=1", []);
    if scope_id != crate::geo::COUNTRY_ID {
        sql.push(
            " AND scope_unit_id IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = ?)",
            [Arg::I64(scope_id)],
        );
    }
    sql
}

/// The drafts read inside `scope_id`, newest first; and how many there are.
pub async fn list(
    db: &Db,
    scope_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<DraftSummary>, i64)> {
    let mut sql = in_scope(
        "SELECT id, title, file_name, program_id, accepted_at, created_at FROM plan_drafts",
        scope_id,
    );
    sql.push(
        " ORDER BY id DESC LIMIT ? OFFSET ?",
        [Arg::I64(limit), Arg::I64(offset)],
    );
    let count = in_scope("SELECT COUNT(*) FROM plan_drafts", scope_id);
    crate::fetch_page::<DraftSummary>(db, &sql, &count).await
}
