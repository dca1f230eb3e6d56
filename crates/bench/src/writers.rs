//! `--only writers`: several people and programs saving at once.
//!
//! The real router (every layer: token auth, CSRF, error rendering) is driven
//! in-process by N concurrent clients, each holding an API token, for a fixed
//! time per scenario:
//!
//! - **distinct**: client *i* changes its own record (villages, then agencies),
//!   read-modify-write: GET, then PUT with the version it read;
//! - **same**: every client increments `households_total` of one village,
//!   read-modify-write. Afterwards the village's value is compared with the
//!   number of acknowledged writes (lost updates), and the audit chain of the
//!   village is walked: each row's `before` must equal the previous row's `after`.
//!
//! Reported per scenario and concurrency: writes/s (2xx), status counts (2xx,
//! 409 conflicts, 428, 503 busy, other 4xx, 5xx) and latency percentiles.

use crate::stats::{self, Summary};
use crate::Args;
use anyhow::{anyhow, bail, Context};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use langnghe_store::audit::Actor;
use langnghe_store::{seed, users, with_db, Db};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Distinct,
    Same,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Distinct => "distinct records",
            Scenario::Same => "one record",
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Counts {
    ok: usize,
    conflict: usize,
    precondition: usize,
    busy: usize,
    other_4xx: usize,
    server_error: usize,
    /// The first 5xx body seen, to say what failed.
    first_error: Option<String>,
}

impl Counts {
    fn add(&mut self, status: StatusCode, body: &str) {
        match status.as_u16() {
            200..=299 => self.ok += 1,
            409 => self.conflict += 1,
            428 => self.precondition += 1,
            503 => self.busy += 1,
            500..=599 => {
                self.server_error += 1;
                if self.first_error.is_none() {
                    self.first_error = Some(body.chars().take(300).collect());
                }
            }
            _ => self.other_4xx += 1,
        }
    }
    fn merge(&mut self, o: &Counts) {
        self.ok += o.ok;
        self.conflict += o.conflict;
        self.precondition += o.precondition;
        self.busy += o.busy;
        self.other_4xx += o.other_4xx;
        self.server_error += o.server_error;
        if self.first_error.is_none() {
            self.first_error.clone_from(&o.first_error);
        }
    }
    fn total(&self) -> usize {
        self.ok + self.conflict + self.precondition + self.busy + self.other_4xx + self.server_error
    }
}

struct Row {
    scenario: Scenario,
    clients: usize,
    elapsed: Duration,
    counts: Counts,
    latency: Summary,
    /// Same record: acknowledged increments that the stored value does not show.
    lost: Option<i64>,
    /// Same record: audit rows whose `before` is not the previous row's `after`.
    audit_breaks: Option<(usize, usize)>,
}

pub struct Report {
    store: &'static str,
    seconds: u64,
    rows: Vec<Row>,
}

async fn call(
    router: &Router,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    if_match: Option<&str>,
) -> (StatusCode, String, Option<String>) {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(v) = if_match {
        b = b.header(header::IF_MATCH, v);
    }
    let req = match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    };
    let Ok(req) = req else {
        return (StatusCode::BAD_REQUEST, "request".into(), None);
    };
    match router.clone().oneshot(req).await {
        Ok(res) => {
            let status = res.status();
            let etag = res
                .headers()
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
                .await
                .unwrap_or_default();
            (status, String::from_utf8_lossy(&bytes).into_owned(), etag)
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), None),
    }
}

/// One read-modify-write: GET the record, then PUT `change(record)` with the
/// version read (body field and `If-Match`, when the API gives one).
async fn read_modify_write(
    router: &Router,
    token: &str,
    path: &str,
    change: &(dyn Fn(&Value) -> Value + Sync),
    counts: &mut Counts,
    latencies: &mut Vec<f64>,
) {
    let t0 = Instant::now();
    let (status, body, etag) = call(router, token, Method::GET, path, None, None).await;
    if !status.is_success() {
        counts.add(status, &body);
        latencies.push(stats::ms(t0.elapsed()));
        return;
    }
    let rec: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let mut put = change(&rec);
    if let (Some(v), Some(obj)) = (rec.get("version"), put.as_object_mut()) {
        obj.insert("version".into(), v.clone());
    }
    let (status, body, _) =
        call(router, token, Method::PUT, path, Some(put), etag.as_deref()).await;
    counts.add(status, &body);
    latencies.push(stats::ms(t0.elapsed()));
}

async fn ids(db: &Db, sql: &str) -> anyhow::Result<Vec<i64>> {
    Ok(with_db!(db, |c| sqlx::query_scalar::<_, i64>(sql)
        .fetch_all(c)
        .await?))
}

/// Increment `households_total` by one.
fn increment(rec: &Value) -> Value {
    let n = rec
        .get("households_total")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    json!({ "households_total": n + 1 })
}

async fn run_scenario(
    router: &Router,
    token: &str,
    scenario: Scenario,
    clients: usize,
    targets: &[String],
    seconds: u64,
) -> (Counts, Vec<f64>, Duration) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut handles = vec![];
    for i in 0..clients {
        let router = router.clone();
        let token = token.to_string();
        let path = match scenario {
            Scenario::Distinct => targets[i % targets.len()].clone(),
            Scenario::Same => targets[0].clone(),
        };
        handles.push(tokio::spawn(async move {
            let mut counts = Counts::default();
            let mut lat = vec![];
            while Instant::now() < deadline {
                read_modify_write(&router, &token, &path, &increment, &mut counts, &mut lat).await;
            }
            (counts, lat)
        }));
    }
    let mut counts = Counts::default();
    let mut lat = vec![];
    for h in handles {
        if let Ok((c, l)) = h.await {
            counts.merge(&c);
            lat.extend(l);
        }
    }
    (counts, lat, start.elapsed())
}

/// Walk the audit rows of one record: (rows, rows whose `before` differs from the previous `after`).
async fn audit_chain(db: &Db, entity: &str, id: i64, since: i64) -> anyhow::Result<(usize, usize)> {
    let rows: Vec<(Option<String>, Option<String>)> = with_db!(db, |c| {
        sqlx::query_as(
        "SELECT before_json, after_json FROM audit_log WHERE entity = $1 AND entity_id = $2 AND action = 'update' AND id > $3 ORDER BY id"
    )
    .bind(entity)
    .bind(id.to_string())
    .bind(since)
    .fetch_all(c)
    .await?
    });
    let parse = |s: &Option<String>| -> Value {
        s.as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Value::Null)
    };
    let mut breaks = 0;
    for w in rows.windows(2) {
        if parse(&w[1].0) != parse(&w[0].1) {
            breaks += 1;
        }
    }
    Ok((rows.len(), breaks))
}

async fn max_audit_id(db: &Db) -> anyhow::Result<i64> {
    Ok(with_db!(db, |c| sqlx::query_scalar::<_, Option<i64>>(
        "SELECT MAX(id) FROM audit_log"
    )
    .fetch_one(c)
    .await?)
    .unwrap_or(0))
}

async fn households(router: &Router, token: &str, path: &str) -> anyhow::Result<i64> {
    let (status, body, _) = call(router, token, Method::GET, path, None, None).await;
    if !status.is_success() {
        bail!("GET {path}: {status} {body}");
    }
    let v: Value = serde_json::from_str(&body)?;
    Ok(v.get("households_total")
        .and_then(Value::as_i64)
        .unwrap_or(0))
}

pub async fn run(db: Db, args: Args, levels: &[usize]) -> anyhow::Result<Report> {
    db.migrate().await?;
    seed::ensure_geography(&db).await?;
    langnghe_demo::ensure_demo(&db).await?;
    seed::ensure_admin(&db).await?;
    let admin = users::by_username(&db, "admin")
        .await?
        .ok_or_else(|| anyhow!("no admin"))?;
    let token = users::create_token(&db, &Actor::system("bench"), admin.id, "bench writers")
        .await
        .context("token")?;
    let state = langnghe_web::AppState::new(db.clone(), langnghe_web::WebConfig::default())
        .map_err(|e| anyhow!("{e}"))?;
    let router = langnghe_web::app(state);
    let mut villages = ids(&db, "SELECT id FROM villages ORDER BY id").await?;
    let Some(&first) = villages.first() else {
        bail!("the demo has no village");
    };
    let max_clients = levels.iter().copied().max().unwrap_or(1);
    // One village per distinct writer: copies of the first demo village if the demo has too few.
    let (status, body, _) = call(
        &router,
        &token,
        Method::GET,
        &format!("/api/v1/villages/{first}"),
        None,
        None,
    )
    .await;
    if !status.is_success() {
        bail!("GET village {first}: {status} {body}");
    }
    let model: Value = serde_json::from_str(&body)?;
    while villages.len() < max_clients {
        let n = villages.len();
        let new = json!({
            "name": format!("Làng thử {n}"),
            "admin_unit_code": model["admin_unit_code"],
            "status": "new",
            "households_total": 10,
        });
        let (status, body, _) = call(
            &router,
            &token,
            Method::POST,
            "/api/v1/villages",
            Some(new),
            None,
        )
        .await;
        if status != StatusCode::CREATED {
            bail!("create a village for the writers: {status} {body}");
        }
        let v: Value = serde_json::from_str(&body)?;
        villages.push(
            v["id"]
                .as_i64()
                .ok_or_else(|| anyhow!("created village has no id"))?,
        );
    }
    let targets: Vec<String> = villages
        .iter()
        .map(|id| format!("/api/v1/villages/{id}"))
        .collect();
    let mut rows = vec![];
    for &clients in levels {
        for scenario in [Scenario::Distinct, Scenario::Same] {
            let same_path = format!("/api/v1/villages/{}", villages[0]);
            let (before_value, audit_from) = if scenario == Scenario::Same {
                (
                    households(&router, &token, &same_path).await?,
                    max_audit_id(&db).await?,
                )
            } else {
                (0, 0)
            };
            let t: Vec<String> = match scenario {
                Scenario::Distinct => targets[..clients].to_vec(),
                Scenario::Same => vec![same_path.clone()],
            };
            note!(
                "writers: {} × {clients} for {} s",
                scenario.name(),
                args.write_seconds
            );
            let (counts, lat, elapsed) =
                run_scenario(&router, &token, scenario, clients, &t, args.write_seconds).await;
            let (lost, audit_breaks) = if scenario == Scenario::Same {
                let after_value = households(&router, &token, &same_path).await?;
                let lost = counts.ok as i64 - (after_value - before_value);
                let chain = audit_chain(&db, "village", villages[0], audit_from).await?;
                (Some(lost), Some(chain))
            } else {
                (None, None)
            };
            rows.push(Row {
                scenario,
                clients,
                elapsed,
                latency: stats::summarize(&lat),
                counts,
                lost,
                audit_breaks,
            });
        }
    }
    Ok(Report {
        store: args.store.name(),
        seconds: args.write_seconds,
        rows,
    })
}

impl Report {
    pub fn finish(&mut self) {}

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Concurrent writers — {}\n\nEach client does read-modify-write (GET, then PUT with the version read, when the API gives one) through the whole router with an API token, for {} s per row: it increments a village's `households_total`. *distinct records*: each client its own village; *one record*: all clients the same village.\n",
            self.store, self.seconds
        );
        let _ = writeln!(
            s,
            "| scenario | clients | writes/s (2xx) | requests | 2xx | 409 | 428 | 503 | other 4xx | 5xx | p50 ms | p95 ms | p99 ms | lost updates | audit rows / broken chain |"
        );
        let _ = writeln!(
            s,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        );
        for r in &self.rows {
            let c = &r.counts;
            let _ = writeln!(
                s,
                "| {} | {} | {:.1} | {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {} | {} |",
                r.scenario.name(),
                r.clients,
                c.ok as f64 / r.elapsed.as_secs_f64().max(1e-9),
                c.total(),
                c.ok,
                c.conflict,
                c.precondition,
                c.busy,
                c.other_4xx,
                c.server_error,
                r.latency.p50,
                r.latency.p95,
                r.latency.p99,
                r.lost.map(|l| l.to_string()).unwrap_or_else(|| "—".into()),
                r.audit_breaks
                    .map(|(n, b)| format!("{n} / {b}"))
                    .unwrap_or_else(|| "—".into()),
            );
        }
        let errors: Vec<String> = self
            .rows
            .iter()
            .filter_map(|r| {
                r.counts.first_error.as_ref().map(|e| {
                    format!(
                        "- {} × {}: `{}`",
                        r.scenario.name(),
                        r.clients,
                        e.replace('`', "'")
                    )
                })
            })
            .collect();
        if !errors.is_empty() {
            let _ = writeln!(s, "\nFirst server error per row:\n{}", errors.join("\n"));
        }
        s
    }
}
