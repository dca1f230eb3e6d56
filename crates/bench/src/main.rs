//! `langnghe-bench`: the registry at national scale on SQLite or PostgreSQL.
//!
//! 1. A fresh store (a temp SQLite file, or a new PostgreSQL database dropped
//!    at the end, even on error), migrated, with geography and demo data.
//! 2. N synthetic records over the real old-structure communes, inserted with
//!    `registry::insert_all` in batches (insert rows/s).
//! 3. Search (`registry::search::search`) over the whole country and within a
//!    province, and province lists with a search text (latency percentiles).
//! 4. The web import path on a generated CSV file: `check_file`, then one
//!    all-or-nothing `insert_all`, as the import job runs it.
//! 5. A Markdown summary on stdout and in `target/bench/registry-<store>.md`.
//!
//! `--only reporting` instead benchmarks a reporting period: the consolidation
//! of 10.000 approved report values and the official PDF (see `reporting.rs`),
//! with its summary in `target/bench/reporting-<store>.md`.

/// A progress line on stderr; a closed stderr must not stop the run.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "[bench] {}", format!($($arg)*));
    }};
}

mod dashboard;
mod gen;
mod import;
mod load;
mod national;
mod paging;
mod reads;
mod report;
mod reporting;
mod stats;
mod writers;

use anyhow::{anyhow, bail, Context};
use clap::{Parser, ValueEnum};
use gen::{Commune, Craft, Gen, Target};
use langnghe_core::geo::{Era, Level};
use langnghe_store::audit::Actor;
use langnghe_store::geo::{self, UnitFilter, COUNTRY_ID};
use langnghe_store::registry::spec::Entity;
use langnghe_store::registry::{self, search, ListQuery, Values};
use langnghe_store::{with_db, Db};
use rand::rngs::StdRng;
use rand::SeedableRng;
use report::{EntityInsert, ImportRun, Report, SearchSample};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl StoreKind {
    pub fn name(self) -> &'static str {
        match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Postgres => "postgres",
        }
    }
}

/// Which benchmark a run makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Bench {
    /// Registry: insert, web import, search and lists.
    Registry,
    /// Reporting period: consolidation of the approved values and the official PDF.
    Reporting,
    /// Concurrent writers through the router: writes/s, conflicts, 5xx, lost updates.
    Writers,
    /// Token and session reads while a writer holds the lock (latency, 5xx).
    Reads,
    /// The spreadsheet import of `--import-rows` villages: rows/s, write lock held.
    Import,
    /// Deep pages of `--records` villages: first page, page 10.000 by offset and by cursor, last page.
    Paging,
    /// The programme dashboard, the overviews and the map at scale: p50 / p95 per request.
    Dashboard,
    /// The country: a national programme, a plan per province, `--values` report
    /// values 2021-2030; live consolidation, national figures by province, dashboard
    /// and map, the same aggregates in DuckDB, memory.
    National,
    /// Every GET route of the OpenAPI document under `--connections` real TCP
    /// connections, then a mixed read/write workload at `--mixed-connections`.
    Load,
}

impl Bench {
    pub fn name(self) -> &'static str {
        match self {
            Bench::Registry => "registry",
            Bench::Reporting => "reporting",
            Bench::Writers => "writers",
            Bench::Reads => "reads",
            Bench::Import => "import",
            Bench::Paging => "paging",
            Bench::Dashboard => "dashboard",
            Bench::National => "national",
            Bench::Load => "load",
        }
    }
}

/// Benchmark the registry (insert, web import, search, lists) or a reporting
/// period (consolidation, official PDF) on a fresh store.
#[derive(Debug, Clone, Parser)]
#[command(name = "langnghe-bench", version)]
pub struct Args {
    /// Which store to benchmark.
    #[arg(long, value_enum)]
    pub store: StoreKind,
    /// Registry records to generate and insert (30 % villages, 40 % establishments,
    /// 15 % artisans, 15 % products).
    #[arg(long, default_value_t = 100_000)]
    pub records: usize,
    /// Timed searches per scope (and timed lists).
    #[arg(long, default_value_t = 200)]
    pub queries: usize,
    /// Seed of the data generator (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Records per `insert_all` call (one transaction each).
    #[arg(long, default_value_t = 5_000)]
    pub batch: usize,
    /// Rows of the generated CSV file run through the web import path (0: skip).
    #[arg(long, default_value_t = 100_000)]
    pub import_rows: usize,
    /// Entity of the import file: village, establishment, artisan or product.
    #[arg(long, default_value = "village")]
    pub import_entity: String,
    /// Administrative URL of PostgreSQL: the benchmark database is created and dropped through it.
    #[arg(
        long,
        env = "LANGNGHE_BENCH_PG_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pub pg_url: String,
    /// Cargo target directory (default: `CARGO_TARGET_DIR`, else the workspace's `target`).
    #[arg(long)]
    pub target_dir: Option<PathBuf>,
    /// PostgreSQL: skip the ANALYZE run after the bulk load (autovacuum would run it in production).
    #[arg(long)]
    pub no_analyze: bool,
    /// Stop the main insert after the batch that crosses this many seconds of insert
    /// time (0: insert every record). The report says so in bold when it happens.
    #[arg(long, default_value_t = 360)]
    pub insert_budget_secs: u64,
    /// Abandon (roll back) the import's single-transaction insert after this many
    /// seconds (0: no limit); the report then gives the rate reached so far.
    #[arg(long, default_value_t = 150)]
    pub import_budget_secs: u64,
    /// Keep the store (SQLite file or PostgreSQL database) for inspection.
    #[arg(long)]
    pub keep: bool,
    /// Which benchmark: `registry` (insert, import, search, lists) or `reporting`
    /// (a reporting period's consolidation and official PDF).
    #[arg(long, value_enum, default_value = "registry")]
    pub only: Bench,
    /// Reporting: units that report (people's committees of Hà Nội's communes of
    /// today and of pre-2025 districts and communes).
    #[arg(long, default_value_t = 250)]
    pub units: usize,
    /// Reporting: indicators of the programme; two of them (from 6 on) are split
    /// into two categories, so 36 indicators make 40 lines per unit.
    #[arg(long, default_value_t = 36)]
    pub indicators: usize,
    /// Reporting: timed iterations of each measurement.
    #[arg(long, default_value_t = 30)]
    pub iterations: usize,
    /// Reporting: untimed warm-up iterations before the timed ones.
    #[arg(long, default_value_t = 3)]
    pub warmup: usize,
    /// Reporting: earlier annual periods, filled and approved, before the measured
    /// one (0-4): the consolidation then also adds up the earlier years.
    #[arg(long, default_value_t = 0)]
    pub earlier_years: usize,
    /// Writers: seconds each scenario runs.
    #[arg(long, default_value_t = 10)]
    pub write_seconds: u64,
    /// National: report values to generate (every unit of the measured province,
    /// a deterministic share of the other provinces' units).
    #[arg(long, default_value_t = 10_000_000)]
    pub values: usize,
    /// National: the province of today whose plan is measured (its code).
    #[arg(long, default_value = "15")]
    pub province: String,
    /// National: about this many values for the measured province (default: every unit).
    #[arg(long)]
    pub province_values: Option<usize>,
    /// National: departments of each province that report every period (1 to 5).
    /// Fewer lower the country's floor: with one, `--values 100000` and a province
    /// held at 20.000 values is a hundredth of the 10 million run.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub departments: u8,
    /// National: also time the same aggregates in DuckDB over an export of the rows
    /// (`scripts/duckdb-bench` makes its virtualenv).
    #[arg(long)]
    pub duckdb: bool,
    /// Load: keep-alive connections on each route.
    #[arg(long, default_value_t = 50)]
    pub connections: usize,
    /// Load: connections of the mixed workload.
    #[arg(long, default_value_t = 200)]
    pub mixed_connections: usize,
    /// Load: seconds on each route (the mixed workload runs three times as long).
    #[arg(long, default_value_t = 3.0)]
    pub load_seconds: f64,
    /// Load: only the routes whose path contains one of these (comma-separated), to
    /// look at a few; the mixed workload runs when no filter is given or the list
    /// names `mixed`.
    #[arg(long, value_delimiter = ',')]
    pub routes: Vec<String>,
    /// Load: the server's bound on requests served at once (0: none) [default: the
    /// server's, eight a core on SQLite, sixteen on PostgreSQL].
    #[arg(long)]
    pub requests_at_once: Option<usize>,
    /// Writers: numbers of concurrent clients, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "2,10,50")]
    pub writers: Vec<usize>,
}

/// What a run measured.
enum Outcome {
    Registry(Report),
    Reporting(reporting::Report),
    Writers(writers::Report),
    Reads(reads::Report),
    Import(import::Report),
    Paging(paging::Report),
    Dashboard(dashboard::Report),
    National(national::Report),
    Load(load::Report),
}

impl Outcome {
    fn finish(&mut self) {
        match self {
            Outcome::Registry(r) => r.finish(),
            Outcome::Reporting(r) => r.finish(),
            Outcome::Writers(r) => r.finish(),
            Outcome::Reads(r) => r.finish(),
            Outcome::Import(r) => r.finish(),
            Outcome::Paging(r) => r.finish(),
            Outcome::Dashboard(r) => r.finish(),
            Outcome::National(r) => r.finish(),
            Outcome::Load(r) => r.finish(),
        }
    }

    fn markdown(&self) -> String {
        match self {
            Outcome::Registry(r) => r.markdown(),
            Outcome::Reporting(r) => r.markdown(),
            Outcome::Writers(r) => r.markdown(),
            Outcome::Reads(r) => r.markdown(),
            Outcome::Import(r) => r.markdown(),
            Outcome::Paging(r) => r.markdown(),
            Outcome::Dashboard(r) => r.markdown(),
            Outcome::National(r) => r.markdown(),
            Outcome::Load(r) => r.markdown(),
        }
    }
}

async fn bench(db: Db, args: Args, import_entity: Entity) -> anyhow::Result<Outcome> {
    match args.only {
        Bench::Registry => Ok(Outcome::Registry(run(db, args, import_entity).await?)),
        Bench::Reporting => Ok(Outcome::Reporting(reporting::run(db, args).await?)),
        Bench::Writers => {
            let levels = args.writers.clone();
            Ok(Outcome::Writers(writers::run(db, args, &levels).await?))
        }
        Bench::Reads => Ok(Outcome::Reads(reads::run(db, args).await?)),
        Bench::Import => Ok(Outcome::Import(import::run(db, args).await?)),
        Bench::Paging => Ok(Outcome::Paging(paging::run(db, args).await?)),
        Bench::Dashboard => Ok(Outcome::Dashboard(dashboard::run(db, args).await?)),
        Bench::National => Ok(Outcome::National(national::run(db, args).await?)),
        Bench::Load => Ok(Outcome::Load(load::run(db, args).await?)),
    }
}

/// A store created for this run, removed at the end.
enum Fresh {
    Sqlite { path: PathBuf },
    Pg { admin_url: String, name: String },
}

impl Fresh {
    fn describe(&self) -> String {
        match self {
            Fresh::Sqlite { path } => format!("SQLite file {}", path.display()),
            Fresh::Pg { name, .. } => format!("PostgreSQL database {name}"),
        }
    }

    async fn create(args: &Args, target: &Path) -> anyhow::Result<(Fresh, Db)> {
        let tag = format!("{}_{:08x}", std::process::id(), rand::random::<u32>());
        match args.store {
            StoreKind::Sqlite => {
                let path = target
                    .join("bench-tmp")
                    .join(format!("{}-{tag}.db", args.only.name()));
                let db = Db::open_sqlite(&path)
                    .await
                    .with_context(|| format!("open {}", path.display()))?;
                Ok((Fresh::Sqlite { path }, db))
            }
            StoreKind::Postgres => {
                let name = format!("langnghe_bench_{tag}");
                pg_exec(&args.pg_url, &format!("CREATE DATABASE {name}")).await?;
                let fresh = Fresh::Pg {
                    admin_url: args.pg_url.clone(),
                    name: name.clone(),
                };
                match Db::connect(&database_url(&args.pg_url, &name)).await {
                    Ok(db) => Ok((fresh, db)),
                    Err(e) => {
                        fresh.remove().await;
                        Err(anyhow!(e).context(format!("connect to {name}")))
                    }
                }
            }
        }
    }

    async fn remove(&self) {
        match self {
            Fresh::Sqlite { path } => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let p = PathBuf::from(p);
                    if p.exists() {
                        if let Err(e) = std::fs::remove_file(&p) {
                            note!("warning: could not remove {}: {e}", p.display());
                        }
                    }
                }
            }
            Fresh::Pg { admin_url, name } => {
                if let Err(e) = pg_exec(
                    admin_url,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                )
                .await
                {
                    note!("warning: could not drop database {name}: {e:#}");
                }
            }
        }
    }
}

/// The URL of database `name` on the server of `admin_url`.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    format!("{root}/{name}{query}")
}

async fn pg_exec(admin_url: &str, sql: &str) -> anyhow::Result<()> {
    use sqlx::{ConnectOptions, Connection, Executor};
    let opts: sqlx::postgres::PgConnectOptions =
        admin_url.parse().context("PostgreSQL admin URL")?;
    let mut conn = opts
        .disable_statement_logging()
        .connect()
        .await
        .with_context(|| format!("connect to {}", redact(admin_url)))?;
    conn.execute(sql).await.with_context(|| sql.to_string())?;
    conn.close().await.ok();
    Ok(())
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn target_dir(args: &Args) -> PathBuf {
    if let Some(t) = &args.target_dir {
        return t.clone();
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(t);
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..");
    match workspace.canonicalize() {
        Ok(w) if w.join("Cargo.toml").exists() => w.join("target"),
        _ => PathBuf::from("target"),
    }
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // The server's own log (errors only unless LANGNGHE_LOG says otherwise), on stderr.
    let filter = tracing_subscriber::EnvFilter::try_from_env("LANGNGHE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }
    let import_entity = match Entity::from_kind(&args.import_entity) {
        Some(e) if e.importable() => e,
        _ => bail!("--import-entity: one of village, establishment, artisan, product"),
    };
    let target = target_dir(&args);
    let (fresh, db) = Fresh::create(&args, &target).await?;
    note!("store: {}", fresh.describe());

    // The run is a task of its own, so that a panic or Ctrl-C still removes the
    // store (a local task: the store's futures are not all `Send`).
    let local = tokio::task::LocalSet::new();
    let task = local.spawn_local(bench(db.clone(), args.clone(), import_entity));
    let outcome: anyhow::Result<Outcome> = local
        .run_until(async {
            tokio::select! {
                joined = task => match joined {
                    Ok(r) => r,
                    Err(e) if e.is_panic() => Err(anyhow!("benchmark panicked: {e}")),
                    Err(e) => Err(anyhow!("benchmark task failed: {e}")),
                },
                _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted")),
                _ = terminated() => Err(anyhow!("terminated")),
            }
        })
        .await;
    drop(local);
    db.close().await;
    if args.keep {
        note!("kept {}", fresh.describe());
    } else {
        fresh.remove().await;
        note!("removed {}", fresh.describe());
    }
    let mut report = outcome?;
    report.finish();
    let md = report.markdown();
    println!("{md}");
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    let file = dir.join(format!("{}-{}.md", args.only.name(), args.store.name()));
    std::fs::write(&file, &md).with_context(|| format!("write {}", file.display()))?;
    note!("report written to {}", file.display());
    Ok(())
}

/// SIGTERM (e.g. from `timeout`), so that the store is removed then too.
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>().await
}

/// Old-structure communes (in force on 1/1/2017).
async fn load_communes(db: &Db) -> anyhow::Result<Vec<Commune>> {
    let filter = UnitFilter {
        level: Some(Level::Commune),
        as_of: Some(time::macros::date!(2017 - 01 - 01)),
        limit: 100_000,
        ..UnitFilter::default()
    };
    let (units, _) = geo::list(db, &filter).await?;
    let communes: Vec<Commune> = units
        .into_iter()
        .filter(|u| u.era == Era::Old.as_str())
        .map(|u| Commune {
            id: u.id,
            code: u.code,
            name: u.name,
            lat: u.lat,
            lon: u.lon,
        })
        .collect();
    if communes.is_empty() {
        bail!("no old-structure commune in the geography");
    }
    Ok(communes)
}

async fn load_crafts(db: &Db) -> anyhow::Result<Vec<Craft>> {
    let mut out = vec![];
    for (key, word, products, weight) in gen::CRAFT_WORDS {
        let Some(id) = registry::id_by_key(db, Entity::Craft, key).await? else {
            bail!("demo craft {key} is missing");
        };
        let rec = registry::get(db, Entity::Craft, COUNTRY_ID, id)
            .await?
            .ok_or_else(|| anyhow!("craft {id}"))?;
        let label = rec
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        out.push(Craft {
            id,
            label,
            word,
            products,
            weight: *weight,
        });
    }
    Ok(out)
}

/// Records of a table, newer than `after` (id), that others may point to, with their commune.
async fn targets(
    db: &Db,
    e: Entity,
    communes: &HashMap<i64, usize>,
    after: i64,
) -> anyhow::Result<Vec<Target>> {
    let sql = format!(
        "SELECT id, name, admin_unit_id FROM {} WHERE id > $1 ORDER BY id",
        e.table()
    );
    let rows: Vec<(i64, String, i64)> = with_db!(db, |c| sqlx::query_as(&sql)
        .bind(after)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .filter_map(|(id, label, unit)| {
            Some(Target {
                id,
                label,
                commune: *communes.get(&unit)?,
            })
        })
        .collect())
}

/// Insert the generated records in `insert_all` calls of `batch` rows of one
/// entity each, always topping up the entity furthest behind its share, so the
/// mix stays 30/40/15/15 all along (also when the time budget stops the run).
/// Generation is not timed.
async fn insert_records(
    db: &Db,
    gen: &mut Gen,
    args: &Args,
    communes: &[Commune],
    rep: &mut Report,
) -> anyhow::Result<(Vec<Target>, Vec<Target>)> {
    let n = args.records;
    let n_village = n * 30 / 100;
    let n_est = n * 40 / 100;
    let n_art = n * 15 / 100;
    let plan = [
        (Entity::Village, n_village),
        (Entity::Establishment, n_est),
        (Entity::Artisan, n_art),
        (Entity::Product, n - n_village - n_est - n_art),
    ];
    rep.inserts = plan
        .iter()
        .map(|(e, _)| EntityInsert {
            entity: *e,
            rows: 0,
            time: Duration::ZERO,
            batch_rates: vec![],
        })
        .collect();
    let index: HashMap<i64, usize> = communes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    let (mut villages, mut establishments): (Vec<Target>, Vec<Target>) = (vec![], vec![]);
    let actor = Actor::system("bench");
    let budget = Duration::from_secs(args.insert_budget_secs);
    let mut spent = Duration::ZERO;
    let mut last_note = Instant::now();
    note!("inserting {n} records in batches of {}", args.batch);
    loop {
        let share = |i: usize| rep.inserts[i].rows as f64 / plan[i].1 as f64;
        let behind = (0..plan.len())
            .filter(|&i| rep.inserts[i].rows < plan[i].1)
            .min_by(|&a, &b| share(a).total_cmp(&share(b)));
        let Some(i) = behind else { break };
        let done: usize = rep.inserts.iter().map(|x| x.rows).sum();
        if !budget.is_zero() && spent >= budget {
            rep.insert_stopped = Some((done, budget));
            note!(
                "insert budget of {} s spent: stopping at {done} of {n} records",
                budget.as_secs()
            );
            break;
        }
        let e = plan[i].0;
        let size = args.batch.min(plan[i].1 - rep.inserts[i].rows);
        let rows: Vec<Values> = (0..size)
            .map(|_| gen.record(e, &villages, &establishments).values())
            .collect();
        let t = Instant::now();
        registry::insert_all(db, &actor, e, &rows, |_| {})
            .await
            .with_context(|| format!("insert_all of {size} {}", e.kind()))?;
        let d = t.elapsed();
        spent += d;
        let ins = &mut rep.inserts[i];
        ins.rows += size;
        ins.time += d;
        ins.batch_rates.push(stats::rate(size, d));
        rep.curve.push((done, e, size, d));
        match e {
            Entity::Village => {
                let after = villages.last().map(|t| t.id).unwrap_or(0);
                villages.extend(targets(db, e, &index, after).await?);
            }
            Entity::Establishment => {
                let after = establishments.last().map(|t| t.id).unwrap_or(0);
                establishments.extend(targets(db, e, &index, after).await?);
            }
            _ => {}
        }
        if last_note.elapsed() > Duration::from_secs(10) {
            note!(
                "  {}/{n} records, {} rows/s so far; last batch ({size} {}) {} rows/s",
                done + size,
                stats::int(stats::rate(done + size, spent)),
                e.kind(),
                stats::int(stats::rate(size, d))
            );
            last_note = Instant::now();
        }
    }
    Ok((villages, establishments))
}

/// The fixed mixed search list: (label shown in the report, query text).
fn search_queries() -> Vec<(String, String)> {
    let nfd = |s: &str| s.nfd().collect::<String>();
    let plain = |s: &str| (s.to_string(), s.to_string());
    vec![
        plain("bat trang"),
        plain("gom su"),
        plain("may tre dan phu"),
        plain("dong"),
        plain("lang nghe"),
        plain("Vạn Phúc"),
        ("Bát Tràng (NFD)".to_string(), nfd("Bát Tràng")),
        ("Đồng Kỵ (NFD)".to_string(), nfd("Đồng Kỵ")),
        plain("khảm trai"),
        plain("hop tac xa gom"),
        plain("nguyen van hung"),
        plain("ruou nep"),
        plain("Công ty TNHH"),
        plain("tho cam"),
        plain("phu"),
        plain("quokka zyx"),
    ]
}

/// Provinces (old codes) whose users search and list: Hà Nội first.
const PROVINCES: &[&str] = &["01", "79", "40", "10", "27"];
const LIST_QUERIES: &[&str] = &["gom", "may tre dan", "lang nghe", "bat trang", "ruou"];

async fn run(db: Db, args: Args, import_entity: Entity) -> anyhow::Result<Report> {
    let mut rep = Report::new(&args);
    let t = Instant::now();
    db.migrate().await?;
    rep.setup.push(("migrate".into(), t.elapsed()));
    let t = Instant::now();
    langnghe_store::seed::ensure_geography(&db).await?;
    rep.setup
        .push(("load geography (ensure_geography)".into(), t.elapsed()));
    let t = Instant::now();
    langnghe_demo::ensure_demo(&db).await?;
    rep.setup
        .push(("load demo data (ensure_demo)".into(), t.elapsed()));

    let communes = load_communes(&db).await?;
    let crafts = load_crafts(&db).await?;
    rep.communes = communes.len();
    note!(
        "{} old-structure communes, {} crafts",
        communes.len(),
        crafts.len()
    );
    let mut gen = Gen::new(StdRng::seed_from_u64(args.seed), communes.clone(), crafts);

    let (villages, establishments) =
        insert_records(&db, &mut gen, &args, &communes, &mut rep).await?;
    for e in [
        Entity::Village,
        Entity::Establishment,
        Entity::Artisan,
        Entity::Product,
    ] {
        rep.counts.push((e, registry::count(&db, e).await?));
    }

    if args.store == StoreKind::Postgres && !args.no_analyze {
        let t = Instant::now();
        with_db!(&db, |c| sqlx::query("ANALYZE")
            .execute(c)
            .await?
            .rows_affected());
        rep.setup
            .push(("ANALYZE after the bulk load".into(), t.elapsed()));
    }

    let mut province_ids = vec![];
    for code in PROVINCES {
        let p = geo::by_era_code(&db, Era::Old, code)
            .await?
            .ok_or_else(|| anyhow!("province {code} not in the geography"))?;
        province_ids.push((p.id, p.name));
    }

    // Search, warm first, then timed, over the whole country and within Hà Nội.
    let queries = search_queries();
    let scopes = [
        (COUNTRY_ID, "Việt Nam (COUNTRY_ID)".to_string()),
        (province_ids[0].0, province_ids[0].1.clone()),
    ];
    note!("search: {} queries per scope", args.queries);
    for (scope, _) in &scopes {
        for (_, q) in &queries {
            search::search(&db, *scope, q, &Entity::ALL, 20, 0).await?;
        }
    }
    for (si, (scope, name)) in scopes.iter().enumerate() {
        let mut samples = vec![];
        for i in 0..args.queries {
            let qi = i % queries.len();
            let t = Instant::now();
            let (hits, total) =
                search::search(&db, *scope, &queries[qi].1, &Entity::ALL, 20, 0).await?;
            let d = t.elapsed();
            samples.push(SearchSample {
                query: qi,
                ms: stats::ms(d),
                total,
                returned: hits.len(),
            });
        }
        rep.search.push((si, name.clone(), samples));
    }
    rep.queries = queries.iter().map(|(l, _)| l.clone()).collect();

    // What a page of hits costs: each hit's name is read by one more query, so
    // compare pages of 1 and of 20 hits (interleaved, against the noise).
    for q in ["bat trang", "gom su", "lang nghe"] {
        let (mut one, mut twenty) = (vec![], vec![]);
        for _ in 0..30 {
            let t = Instant::now();
            search::search(&db, COUNTRY_ID, q, &Entity::ALL, 1, 0).await?;
            one.push(stats::ms(t.elapsed()));
            let t = Instant::now();
            search::search(&db, COUNTRY_ID, q, &Entity::ALL, 20, 0).await?;
            twenty.push(stats::ms(t.elapsed()));
        }
        rep.page_cost.push((q.to_string(), one, twenty));
    }

    // Lists of villages within a province with a search text.
    note!("lists: {} village lists by province + q", args.queries);
    let list_query = |i: usize| {
        let mut lq = ListQuery::new(Entity::Village, COUNTRY_ID);
        lq.within_unit = Some(province_ids[i % province_ids.len()].0);
        lq.q = Some(LIST_QUERIES[(i / province_ids.len()) % LIST_QUERIES.len()].to_string());
        lq
    };
    for i in 0..(province_ids.len() * LIST_QUERIES.len()) {
        registry::list(&db, &list_query(i)).await?;
    }
    for i in 0..args.queries {
        let lq = list_query(i);
        let t = Instant::now();
        let (items, total) = registry::list(&db, &lq).await?;
        let d = t.elapsed();
        rep.lists.push((
            province_ids[i % province_ids.len()].1.clone(),
            lq.q.unwrap_or_default(),
            stats::ms(d),
            total,
            items.len(),
        ));
    }

    if args.import_rows > 0 {
        rep.import = Some(
            web_import(
                &db,
                &mut gen,
                import_entity,
                args.import_rows,
                args.import_budget_secs,
                &villages,
                &establishments,
            )
            .await?,
        );
    }
    Ok(rep)
}

/// The web import path on a generated CSV file: parse + validate (`check_file`),
/// then one all-or-nothing `insert_all`, as the import job runs it.
async fn web_import(
    db: &Db,
    gen: &mut Gen,
    e: Entity,
    rows: usize,
    budget_secs: u64,
    villages: &[Target],
    establishments: &[Target],
) -> anyhow::Result<ImportRun> {
    use langnghe_web::i18n::{t, Lang};
    use langnghe_web::registry::validate::enum_key;
    note!("import: generating a {rows}-row {} CSV", e.kind());
    let cols = langnghe_web::registry::api::columns(Lang::Vi, e, true);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cols.iter().map(|c| c.title.as_str()))?;
    let mut text_rng = StdRng::seed_from_u64(gen_seed(gen));
    for _ in 0..rows {
        let rec = gen.record(e, villages, establishments);
        let row: Vec<String> = cols
            .iter()
            .map(|c| match c.key.as_str() {
                "admin_unit_code" => rec
                    .get("admin_unit")
                    .map(|cell| gen::cell_text(cell, &mut text_rng, &|v| v.to_string()))
                    .unwrap_or_default(),
                // The codes are of the old structure: say so, as the template asks.
                "admin_unit_as_of" => "1/1/2017".to_string(),
                key => rec
                    .get(key)
                    .map(|cell| {
                        gen::cell_text(cell, &mut text_rng, &|v| t(Lang::Vi, &enum_key(key, v)))
                    })
                    .unwrap_or_default(),
            })
            .collect();
        w.write_record(&row)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow!("csv: {e}"))?;
    let state = langnghe_web::AppState::new(db.clone(), langnghe_web::WebConfig::default())?;

    // Parsing alone (read_table), to split the validation time.
    let t0 = Instant::now();
    let limits = langnghe_reports::Limits {
        max_bytes: langnghe_web::registry::import::UPLOAD_LIMIT,
        ..langnghe_reports::Limits::default()
    };
    let parsed = langnghe_reports::read_table(&bytes, "x.csv", &limits);
    let parse_time = t0.elapsed();
    if let Err(err) = &parsed {
        note!("import: read_table rejects the file: {err}");
    }
    drop(parsed);

    note!("import: check_file on {:.1} MB", bytes.len() as f64 / 1e6);
    let t1 = Instant::now();
    let checked = langnghe_web::registry::import::check_file(
        &state,
        COUNTRY_ID,
        Lang::Vi,
        e,
        &bytes,
        "x.csv",
    )
    .await;
    let validate_time = t1.elapsed();
    let values = match checked {
        Ok(v) => v,
        Err(errs) => {
            let first: Vec<String> = errs
                .iter()
                .take(10)
                .map(|r| format!("row {} [{}]: {}", r.row, r.column, r.message))
                .collect();
            bail!(
                "check_file rejected the generated file ({} problems):\n{}",
                errs.len(),
                first.join("\n")
            );
        }
    };
    note!(
        "import: insert_all of {} rows in one transaction",
        values.len()
    );
    let actor = Actor::system("bench (import)");
    let total = values.len();
    let mut points: Vec<(usize, Duration)> = vec![];
    let mut last = Instant::now();
    let t2 = Instant::now();
    let insert = registry::insert_all(db, &actor, e, &values, |n| {
        if n % 1000 == 0 || n == total {
            points.push((n, t2.elapsed()));
            if last.elapsed() > Duration::from_secs(10) {
                note!("  import {n}/{total}");
                last = Instant::now();
            }
        }
    });
    let budget = Duration::from_secs(budget_secs);
    let insert = async {
        if budget.is_zero() {
            Ok(insert.await)
        } else {
            tokio::time::timeout(budget, insert).await
        }
    };
    // Meanwhile, another user's small write (one meta row) every half second:
    // how long does it wait for the import's transaction?
    let mut probes: Vec<Result<Duration, String>> = vec![];
    let probe = async {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let t = Instant::now();
            let r = async {
                let mut tx = db.begin().await?;
                langnghe_store::meta::set(&mut tx, "bench_probe", &format!("{:?}", t)).await?;
                tx.commit().await
            }
            .await;
            probes.push(r.map(|_| t.elapsed()).map_err(|e| {
                let msg = e.to_string();
                format!(
                    "{} after {:.1} s",
                    msg.chars().take(80).collect::<String>(),
                    t.elapsed().as_secs_f64()
                )
            }));
        }
    };
    let outcome = tokio::select! {
        r = insert => r,
        never = probe => never,
    };
    let insert_time = t2.elapsed();
    let finished = match outcome {
        Ok(r) => {
            r.context("import insert_all")?;
            true
        }
        Err(_) => {
            note!(
                "import: insert budget of {budget_secs} s spent at {} of {total} rows; rolled back",
                points.last().map(|p| p.0).unwrap_or(0)
            );
            false
        }
    };
    Ok(ImportRun {
        entity: e,
        rows: total,
        bytes: bytes.len(),
        parse_time,
        validate_time,
        insert_time,
        finished,
        budget,
        points,
        probes,
    })
}

/// A seed for the spreadsheet-formatting choices, drawn from the generator.
fn gen_seed(gen: &mut Gen) -> u64 {
    use rand::Rng;
    gen.rng.gen()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            database_url("postgres://u:p@h/postgres?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            database_url("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
    }

    #[test]
    fn queries_include_nfd_forms() {
        let q = search_queries();
        let nfd = q
            .iter()
            .find(|(l, _)| l.contains("NFD"))
            .map(|(_, q)| q.clone())
            .unwrap_or_default();
        assert_ne!(nfd, langnghe_core::text::nfc(&nfd));
        assert_eq!(
            langnghe_core::text::search_terms(&nfd),
            vec!["bat", "trang"]
        );
    }
}
