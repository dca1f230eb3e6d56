//! The revisions (migrations 0014 and 0015): numbers that move on, in the
//! same transaction, with every committed change to the tables they count.
//! The plans' counts every table but those in [`NOT_COUNTED`]; the registry's
//! counts the tables in [`REGISTRY`]. A reader that reads them before reading
//! those tables may keep what it computed under them: as long as they have not
//! moved, a recomputation would give the same (web `kept`).

use crate::{with_db, Db, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::OnceCell;

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

/// The API tokens' revision (migration 0017): every new, revoked, moved or
/// deleted token moves it; a token's time of use does not. With the plans'
/// revision (which every change to an account moves) it tells whether what a
/// token let in before still lets it in.
pub const TOKENS: &[&str] = &["api_tokens"];

/// The revisions at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Revisions {
    pub plans: i64,
    pub registry: i64,
    pub tokens: i64,
}

/// Every revision now, read in one statement (one snapshot: each is at least
/// as new as every change committed before).
pub async fn all(db: &Db) -> Result<Revisions> {
    let rows: Vec<(String, i64)> = with_db!(db, |c| sqlx::query_as(
        "SELECT area, n FROM data_revisions WHERE area IN ('plans', 'registry', 'tokens')"
    )
    .fetch_all(c)
    .await?);
    let of = |a: &str| rows.iter().find(|r| r.0 == a).map(|r| r.1).unwrap_or(0);
    Ok(Revisions {
        plans: of("plans"),
        registry: of("registry"),
        tokens: of("tokens"),
    })
}

/// The plans' and the registry's revisions now ([`all`]).
pub async fn both(db: &Db) -> Result<(i64, i64)> {
    let r = all(db).await?;
    Ok((r.plans, r.registry))
}

/// The revisions read once for every caller waiting at the same time.
///
/// Each caller needs revisions at least as new as every change committed
/// before it asked. A read that *begins* after the caller asked gives that,
/// whoever else it answers: so callers that ask while a read is under way
/// wait together for the next one, which begins when the one under way ends.
/// At most one read is under way; under load one statement answers many
/// requests instead of one each, and an idle caller waits for its own read
/// as before.
#[derive(Default)]
pub struct Shared {
    /// The read that the next callers join; not begun yet.
    open: std::sync::Mutex<Option<Arc<OnceCell<Revisions>>>>,
    /// Held by the read under way.
    turn: tokio::sync::Mutex<()>,
    /// How many reads were made (for tests and the benchmark).
    reads: AtomicU64,
}

impl Shared {
    /// The revisions, read after this call began ([`Shared`]).
    pub async fn read(&self, db: &Db) -> Result<Revisions> {
        let next = {
            let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
            open.get_or_insert_with(Default::default).clone()
        };
        let r = next
            .get_or_try_init(|| async {
                let _turn = self.turn.lock().await;
                // From here on, newcomers wait for the read after this one:
                // this one may begin before they asked.
                {
                    let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
                    if open.as_ref().is_some_and(|o| Arc::ptr_eq(o, &next)) {
                        *open = None;
                    }
                }
                self.reads.fetch_add(1, Ordering::Relaxed);
                all(db).await
            })
            .await?;
        Ok(*r)
    }

    /// How many statements [`Shared::read`] has made so far.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }
}
