//! The plans' revision (migration 0014): a number that moves on, in the same
//! transaction, with every committed change to a table the plans' figures are
//! computed from. A reader that reads it before reading those tables may keep
//! what it computed under that number: as long as the number has not moved,
//! a recomputation would give the same figures (web `kept`).

use crate::{with_db, Db, Result};

/// The tables whose changes do not move the plans' revision: the kept figures
/// never read them: the registry (villages, crafts, OCOP products,
/// environmental assessments) with its search index (`search_fts` on SQLite,
/// `search_index` on PostgreSQL), the audit log, sessions, API tokens and
/// notifications. Every other table has the revision's triggers (a test
/// compares this list with both schemas).
pub const NOT_COUNTED: &[&str] = &[
    "api_tokens",
    "artisans",
    "audit_log",
    "crafts",
    "environment_assessments",
    "establishments",
    "notifications",
    "products",
    "search_fts",
    "search_index",
    "sessions",
    "village_crafts",
    "villages",
];

/// The plans' revision now.
pub async fn plans(db: &Db) -> Result<i64> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT n FROM data_revisions WHERE area = 'plans'"
    )
    .fetch_one(c)
    .await?))
}
