//! The revisions (migrations 0014 and 0015): numbers that move on, in the
//! same transaction, with every committed change to the tables they count.
//! The plans' counts every table but those in [`NOT_COUNTED`]; the registry's
//! counts the tables in [`REGISTRY`]. A reader that reads them before reading
//! those tables may keep what it computed under them: as long as they have not
//! moved, a recomputation would give the same (web `kept`).

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

/// The registry's tables (migration 0015): each change to one moves the
/// registry's revision; what is kept from the registry is kept under it and
/// the plans' revision together.
pub const REGISTRY: &[&str] = &[
    "artisans",
    "crafts",
    "environment_assessments",
    "establishments",
    "products",
    "village_crafts",
    "villages",
];

/// The plans' and the registry's revisions now, read in one statement (one
/// snapshot: each is at least as new as every change committed before).
pub async fn both(db: &Db) -> Result<(i64, i64)> {
    let rows: Vec<(String, i64)> = with_db!(db, |c| sqlx::query_as(
        "SELECT area, n FROM data_revisions WHERE area IN ('plans', 'registry')"
    )
    .fetch_all(c)
    .await?);
    let of = |a: &str| rows.iter().find(|r| r.0 == a).map(|r| r.1).unwrap_or(0);
    Ok((of("plans"), of("registry")))
}
