//! One initialiser at a time.
//!
//! A server starting on a new data directory applies the migrations, loads the
//! geography and (with `--demo`) the demo data, then creates the first admin.
//! A `langnghe user add` or `token create` started meanwhile must not race it
//! (two processes applying the same migration, loading the same units, or an
//! account created before the first admin): every process that prepares a
//! store does it under the **init lock**, and waits for it — with a bound, and
//! saying so — when another process holds it.
//!
//! The lock is the operating system's, so it goes when its process does (a
//! server killed while initialising leaves nothing to clean up):
//! - SQLite: an exclusive lock on the file `<store>.init-lock` beside the store;
//! - PostgreSQL: a session advisory lock on the database, held by a connection
//!   kept apart from the pool.

use crate::{seed, Db, Result, StoreError};
use sqlx::Connection;
use std::time::{Duration, Instant};

/// The advisory lock key of the init lock on PostgreSQL ("langnghe" in ASCII).
const PG_INIT_KEY: i64 = 0x6c61_6e67_6e67_6865;

/// Held while a process initialises the store; dropping it releases the lock.
pub struct InitLock {
    inner: Inner,
}

enum Inner {
    /// An in-memory SQLite store has nobody to race.
    None,
    File(std::fs::File),
    Pg(sqlx::PgConnection),
}

impl InitLock {
    /// Release the lock now (dropping it does too, a moment later on PostgreSQL).
    pub async fn release(self) {
        match self.inner {
            Inner::None => {}
            Inner::File(f) => {
                let _ = f.unlock();
            }
            Inner::Pg(mut c) => {
                let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(PG_INIT_KEY)
                    .execute(&mut c)
                    .await;
                let _ = c.close().await;
            }
        }
    }
}

/// How often a waiting process looks again.
const POLL: Duration = Duration::from_millis(200);

impl Db {
    /// Take the init lock, waiting at most `wait`; `on_wait` is called once when
    /// the lock is held by another process (to tell the person why nothing
    /// happens). After `wait`: `Busy`, saying another process is initialising.
    pub async fn init_lock(&self, wait: Duration, mut on_wait: impl FnMut()) -> Result<InitLock> {
        let deadline = Instant::now() + wait;
        let mut told = false;
        let mut tell = || {
            if !told {
                told = true;
                on_wait();
            }
        };
        let timeout = || {
            StoreError::Busy(format!(
                "another process is initialising this store (migrations, geography, demo data) \
                 and has not finished within {} s; try again when the server has started",
                wait.as_secs()
            ))
        };
        match self {
            Db::Sqlite(read, _) => {
                let rows: Vec<(i64, String, String)> = sqlx::query_as("PRAGMA database_list")
                    .fetch_all(read)
                    .await?;
                let file = rows
                    .into_iter()
                    .find(|(_, name, _)| name == "main")
                    .map(|(_, _, file)| file)
                    .unwrap_or_default();
                if file.is_empty() {
                    return Ok(InitLock { inner: Inner::None });
                }
                let path = format!("{file}.init-lock");
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .map_err(|e| StoreError::Data(format!("{path}: {e}")))?;
                loop {
                    match f.try_lock() {
                        Ok(()) => {
                            return Ok(InitLock {
                                inner: Inner::File(f),
                            })
                        }
                        Err(std::fs::TryLockError::WouldBlock) => {}
                        Err(std::fs::TryLockError::Error(e)) => {
                            return Err(StoreError::Data(format!("{path}: {e}")))
                        }
                    }
                    if Instant::now() >= deadline {
                        return Err(timeout());
                    }
                    tell();
                    tokio::time::sleep(POLL).await;
                }
            }
            Db::Pg(pool) => {
                let mut conn = pool.acquire().await?.detach();
                loop {
                    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                        .bind(PG_INIT_KEY)
                        .fetch_one(&mut conn)
                        .await?;
                    if got {
                        return Ok(InitLock {
                            inner: Inner::Pg(conn),
                        });
                    }
                    if Instant::now() >= deadline {
                        let _ = conn.close().await;
                        return Err(timeout());
                    }
                    tell();
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    }
}

/// Loads the demo (`langnghe_demo::loader()`): the store does not hold the demo,
/// the server hands it in when asked for it. The flag: with the sample history.
pub type DemoLoader = for<'a> fn(
    &'a Db,
    bool,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<usize>> + Send + 'a>,
>;

/// What a process preparing the store should do besides the migrations and the geography.
#[derive(Clone, Copy, Default)]
pub struct Prepare {
    /// Load the demo data (`serve --demo`) with this loader.
    pub demo: Option<DemoLoader>,
    /// With `demo`: leave out the reporting history (periods and reports of
    /// sample data, see `langnghe_demo::history`), for tests that open the
    /// first periods themselves.
    pub no_history: bool,
    /// Create the first admin when there is no account yet (the server).
    pub first_admin: bool,
}

/// What preparing did.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Demo records added (0 when they were there already).
    pub demo_added: usize,
    /// The first admin's password, when it was created now (shown once).
    pub first_password: Option<String>,
}

/// Prepare a store under the init lock: migrations, geography, and what `what`
/// asks. Every step is idempotent, so a process that finds the work done by
/// another (it waited for its lock) only checks.
pub async fn prepare(
    db: &Db,
    wait: Duration,
    on_wait: impl FnMut(),
    what: Prepare,
) -> Result<Prepared> {
    let lock = db.init_lock(wait, on_wait).await?;
    let result = async {
        db.migrate().await?;
        seed::ensure_geography(db).await?;
        let mut done = Prepared::default();
        if let Some(load) = what.demo {
            done.demo_added = load(db, !what.no_history).await?;
        }
        if what.first_admin {
            done.first_password = seed::ensure_admin(db).await?;
        }
        Ok(done)
    }
    .await;
    lock.release().await;
    result
}
