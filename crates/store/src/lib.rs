//! Persistence of langnghe. One codebase over SQLite (embedded default) and
//! PostgreSQL: every query is written once with `$n` placeholders (SQLite
//! accepts them too) and run through [`with_db!`] / [`with_tx!`], which expand
//! the same code for each driver. Migrations are per dialect, numbered,
//! forward-only and embedded in the binary.

pub mod agencies;
pub mod audit;
pub mod cursor;
pub mod dashboard;
pub mod drafts;
pub mod geo;
pub mod init;
pub mod map;
pub mod meta;
pub mod programs;
pub mod registry;
pub mod reporting;
pub mod revision;
pub mod schemes;
pub mod seed;
pub mod sessions;
mod states;
pub mod todo;
pub mod users;
pub mod write;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::ConnectOptions;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value is already used; the text names the field that holds it
    /// (the form field / JSON member, e.g. `username`, `tax_code`).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record left the state the change was based on (someone acted first).
    #[error("state changed")]
    StateChanged,
    /// The record changed since the caller read it: `current` is its version now.
    #[error("stale version: the record is at version {current}")]
    Stale { current: i64 },
    /// The store could not give the write lock in time (SQLite busy, PostgreSQL
    /// lock timeout or deadlock): the caller may try again shortly.
    #[error("store busy: {0}")]
    Busy(String),
    #[error("invalid data: {0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Db(sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("data file error: {0}")]
    Data(String),
}

impl From<sqlx::Error> for StoreError {
    /// A lock that could not be had in time is `Busy` (a 503 with `Retry-After`
    /// for the caller), never a generic database error.
    fn from(e: sqlx::Error) -> StoreError {
        if is_busy(&e) {
            return StoreError::Busy(e.to_string());
        }
        StoreError::Db(e)
    }
}

/// Is this the store saying "not now" rather than "wrong"? SQLite `SQLITE_BUSY`
/// (5) and `SQLITE_LOCKED` (6) with their extended codes; PostgreSQL
/// `lock_not_available`, `deadlock_detected`, `serialization_failure`; a pool
/// with no free connection in time.
pub fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(d) => match d.code() {
            Some(code) => {
                let code = code.as_ref();
                if let Ok(n) = code.parse::<i64>() {
                    // SQLite: the primary code is the low byte of the extended one.
                    matches!(n & 0xff, 5 | 6)
                } else {
                    matches!(code, "55P03" | "40P01" | "40001")
                }
            }
            None => false,
        },
        _ => false,
    }
}

impl StoreError {
    /// Turn a unique-constraint violation into a `Conflict` naming the field `what`.
    pub fn on_unique(self, what: &str) -> StoreError {
        if let StoreError::Db(sqlx::Error::Database(e)) = &self {
            if e.is_unique_violation() {
                return StoreError::Conflict(what.to_string());
            }
        }
        self
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The store. SQLite has two pools over the same file: readers (WAL lets them
/// run beside a writer) and a single writer connection, on which every
/// transaction begins `IMMEDIATE`, so writers queue for the lock in order
/// instead of failing half-way with "database is locked".
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool, SqlitePool),
    Pg(PgPool),
}

/// How long a write waits for the lock before the caller gets `Busy` (503).
pub const WRITE_LOCK_WAIT: Duration = Duration::from_secs(20);

pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Pg(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Run `$body` with `$c` bound to the pool of whichever database this is.
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($c, _) => $body,
            $crate::Db::Pg($c) => $body,
        }
    };
}

/// Run `$body` with `$c` bound to the connection of an open transaction.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Pg(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Db {
    /// Open the embedded SQLite store in `data_dir` (created if missing), WAL mode.
    pub async fn open_sqlite(path: &Path) -> Result<Db> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Data(format!("{}: {e}", dir.display())))?;
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Another process (the CLI beside the server) may hold the lock for a while.
            .busy_timeout(WRITE_LOCK_WAIT)
            .log_statements(tracing::log::LevelFilter::Trace);
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.clone())
            .await?;
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(WRITE_LOCK_WAIT)
            .connect_with(opts)
            .await?;
        Ok(Db::Sqlite(read, write))
    }

    /// Connect to a database URL: `postgres://…`, `sqlite://…` or `sqlite:…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts =
                PgConnectOptions::from_str(url)?.log_statements(tracing::log::LevelFilter::Trace);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                // An untuned server (random_page_cost at its default 4, a
                // spinning disk's) hash-joins every report of the country
                // rather than probing a period's hundred on the index: 17 ms
                // against 1 ms on 10 million values. Where the administrator
                // left the default, the session assumes SSD-like storage (1.1);
                // a value they set is kept.
                //
                // Likewise parallel query, where left at its default (two
                // workers a gather): our reads are short and indexed, and a
                // parallel plan's start-up and its workers cost more than they
                // save. On 10 million values the planner chose a parallel scan of
                // every report to find a period's nine (10-14 ms) over the
                // (period, state) index (0,25 ms), and under load the workers
                // take the cores other requests are waiting for.
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        use sqlx::Executor;
                        conn.execute(
                            "SELECT \
                             CASE WHEN current_setting('random_page_cost') = '4' \
                               THEN set_config('random_page_cost', '1.1', false) END, \
                             CASE WHEN current_setting('max_parallel_workers_per_gather') = '2' \
                               THEN set_config('max_parallel_workers_per_gather', '0', false) END",
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect_with(opts)
                .await?;
            Ok(Db::Pg(pool))
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            Db::open_sqlite(Path::new(path)).await
        } else {
            Err(StoreError::Invalid(format!(
                "unsupported database URL (use postgres://… or sqlite:…): {url}"
            )))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// Apply the embedded migrations of this dialect (forward-only).
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(_, w) => sqlx::migrate!("./migrations/sqlite").run(w).await?,
            Db::Pg(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Begin a transaction that may write. On SQLite it runs on the writer
    /// connection and takes the write lock at once (`BEGIN IMMEDIATE`), so a
    /// read followed by a write can never fail half-way; waiting longer than
    /// [`WRITE_LOCK_WAIT`] is `Busy`.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(_, w) => Tx::Sqlite(w.begin_with("BEGIN IMMEDIATE").await?),
            Db::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    pub async fn ping(&self) -> Result<()> {
        with_db!(self, |c| {
            sqlx::query("SELECT 1").execute(c).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(r, w) => {
                r.close().await;
                w.close().await;
            }
            Db::Pg(p) => p.close().await,
        }
    }

    /// A consistent copy of the SQLite store, safe while the server runs.
    pub async fn backup_to(&self, to: &Path) -> Result<()> {
        match self {
            Db::Sqlite(p, _) => {
                if to.exists() {
                    return Err(StoreError::Invalid(format!(
                        "{} already exists; choose a new file",
                        to.display()
                    )));
                }
                let target = to.to_string_lossy().to_string();
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(p)
                    .await?;
                Ok(())
            }
            Db::Pg(_) => Err(StoreError::Invalid(
                "backup of PostgreSQL: use pg_dump (see README)".into(),
            )),
        }
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Pg(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Escape `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A dynamic SQL text with `$n` placeholders and the values bound to them.
/// Values are always bound, never spliced into the text.
#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub enum Arg {
    I64(i64),
    F64(f64),
    Bool(bool),
    Text(String),
    Date(time::Date),
    Time(time::OffsetDateTime),
    /// NULL typed as an integer.
    Null,
    NullText,
    NullDate,
    NullF64,
    NullBool,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    /// Append text; every `?` in `fragment` becomes the next `$n`, bound to the next arg.
    pub fn push(&mut self, fragment: &str, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        let mut args = args.into_iter();
        for ch in fragment.chars() {
            if ch == '?' {
                if let Some(a) = args.next() {
                    self.args.push(a);
                    self.text.push_str(&format!("${}", self.args.len()));
                    continue;
                }
            }
            self.text.push(ch);
        }
        self
    }

    /// Append `(?, ?, …)`, one placeholder for each id (an `IN` list). An
    /// empty list gives `(NULL)`, which matches nothing.
    pub fn push_ids(&mut self, ids: &[i64]) -> &mut Self {
        if ids.is_empty() {
            return self.push("(NULL)", []);
        }
        self.push("(", []);
        for (i, id) in ids.iter().enumerate() {
            self.push(if i == 0 { "?" } else { ", ?" }, [Arg::I64(*id)]);
        }
        self.push(")", [])
    }
}

impl Sql {
    /// The text for `backend`, for statements with many values (bulk inserts):
    /// on SQLite every `$n` becomes a plain `?` (the values are bound in order,
    /// each once, as [`Sql::push`] numbers them). SQLite looks a named parameter
    /// up by walking a list, so binding 30.000 `$n` costs 30.000² steps; plain
    /// `?` costs nothing to look up.
    pub fn text_for(&self, backend: Backend) -> std::borrow::Cow<'_, str> {
        if backend == Backend::Postgres {
            return std::borrow::Cow::Borrowed(&self.text);
        }
        let mut out = String::with_capacity(self.text.len());
        let mut chars = self.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                    chars.next();
                }
                out.push('?');
            } else {
                out.push(c);
            }
        }
        std::borrow::Cow::Owned(out)
    }
}

/// Bind the args of a [`Sql`] to a query builder of any driver.
#[macro_export]
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args.iter() {
            q = match a {
                $crate::Arg::I64(v) => q.bind(*v),
                $crate::Arg::F64(v) => q.bind(*v),
                $crate::Arg::Bool(v) => q.bind(*v),
                $crate::Arg::Text(v) => q.bind(v.clone()),
                $crate::Arg::Date(v) => q.bind(*v),
                $crate::Arg::Time(v) => q.bind(*v),
                $crate::Arg::Null => q.bind(None::<i64>),
                $crate::Arg::NullText => q.bind(None::<String>),
                $crate::Arg::NullDate => q.bind(None::<time::Date>),
                $crate::Arg::NullF64 => q.bind(None::<f64>),
                $crate::Arg::NullBool => q.bind(None::<bool>),
            };
        }
        q
    }};
}

/// Rows a driver can decode into `T` on both stores.
pub trait Row:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    + Send
    + Unpin
{
}
impl<T> Row for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}

/// One page of a list and the total count, from a query and its `COUNT(*)` twin.
pub async fn fetch_page<T: Row>(db: &Db, sql: &Sql, count: &Sql) -> Result<(Vec<T>, i64)> {
    Ok(with_db!(db, |c| {
        let items = bind_args!(sqlx::query_as::<_, T>(&sql.text), sql.args)
            .fetch_all(c)
            .await?;
        let total: i64 = bind_args!(sqlx::query_scalar(&count.text), count.args)
            .fetch_one(c)
            .await?;
        (items, total)
    }))
}

/// Every row of a dynamic query.
pub async fn fetch_all<T: Row>(db: &Db, sql: &Sql) -> Result<Vec<T>> {
    Ok(with_db!(db, |c| bind_args!(
        sqlx::query_as::<_, T>(&sql.text),
        sql.args
    )
    .fetch_all(c)
    .await?))
}

/// At most one row of a dynamic query.
pub async fn fetch_optional<T: Row>(db: &Db, sql: &Sql) -> Result<Option<T>> {
    Ok(with_db!(db, |c| bind_args!(
        sqlx::query_as::<_, T>(&sql.text),
        sql.args
    )
    .fetch_optional(c)
    .await?))
}

/// The rows of a query that binds one id (`… WHERE program_id = $1`).
pub(crate) async fn rows_for<T: Row>(db: &Db, sql: &str, id: i64) -> Result<Vec<T>> {
    Ok(with_db!(db, |c| sqlx::query_as::<_, T>(sql)
        .bind(id)
        .fetch_all(c)
        .await?))
}

/// At most one row of a query that binds one id (`… WHERE id = $1`).
pub(crate) async fn row_for<T: Row>(db: &Db, sql: &str, id: i64) -> Result<Option<T>> {
    Ok(with_db!(db, |c| sqlx::query_as::<_, T>(sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// [`rows_for`] inside a write's transaction.
pub(crate) async fn rows_for_tx<T: Row>(tx: &mut Tx, sql: &str, id: i64) -> Result<Vec<T>> {
    Ok(with_tx!(tx, |c| sqlx::query_as::<_, T>(sql)
        .bind(id)
        .fetch_all(c)
        .await?))
}

/// [`row_for`] inside a write's transaction.
pub(crate) async fn row_for_tx<T: Row>(tx: &mut Tx, sql: &str, id: i64) -> Result<Option<T>> {
    Ok(with_tx!(tx, |c| sqlx::query_as::<_, T>(sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_builder_numbers_placeholders() {
        let mut s = Sql::new("SELECT 1 FROM t WHERE 1=1");
        s.push(" AND a = ?", [Arg::I64(1)]);
        s.push(
            " AND b LIKE ? ESCAPE '\\' AND c = ?",
            [Arg::Text("x".into()), Arg::I64(2)],
        );
        assert_eq!(
            s.text,
            "SELECT 1 FROM t WHERE 1=1 AND a = $1 AND b LIKE $2 ESCAPE '\\' AND c = $3"
        );
        assert_eq!(s.args.len(), 3);
    }

    #[test]
    fn bulk_text_uses_plain_placeholders_on_sqlite() {
        let mut s = Sql::new("INSERT INTO t (a, b) VALUES ");
        for i in 0..12 {
            s.push(
                if i == 0 { "(?, ?)" } else { ", (?, ?)" },
                [Arg::I64(i), Arg::Text("$1".into())],
            );
        }
        assert_eq!(s.text_for(Backend::Postgres), s.text.as_str());
        let t = s.text_for(Backend::Sqlite);
        assert!(!t.contains('$'), "{t}");
        assert_eq!(t.matches('?').count(), s.args.len());
    }

    #[test]
    fn like_escaping() {
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }
}
