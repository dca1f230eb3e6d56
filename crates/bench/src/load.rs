//! `--only load`: every GET route of the OpenAPI document under load, over real
//! TCP connections to the real server (`langnghe_web::serve`) on the demo data.
//!
//! 1. A fresh store with the geography, the demo (and its reporting history)
//!    and the admin, served on 127.0.0.1 in this process.
//! 2. The GET paths of `/api/v1/openapi.json`; each `{id}` is the first record of
//!    the list above it (the demo plan 316 for programmes); a route that does not
//!    answer 200 to a plain GET (it needs a parameter, or has no record) is
//!    listed as skipped with its status.
//! 3. Each route (and `/healthz`, the floor) for `--load-seconds` with
//!    `--connections` keep-alive HTTP/1.1 connections (API token): req/s and
//!    p50 / p95 / p99, errors (non-2xx, failed connections).
//! 4. A mixed workload at `--mixed-connections`: 90 % reads over the main
//!    routes, 10 % writes (a new village each), for three times as long.
//! 5. The process's RSS idle (before the load) and at its peak.

use crate::national::rss_kb;
use crate::stats::{fms, int};
use crate::{Args, StoreKind};
use anyhow::{anyhow, bail, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use langnghe_store::audit::Actor;
use langnghe_store::{seed, users, Db};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One route under load.
struct RouteRun {
    path: String,
    requests: usize,
    errors: usize,
    rps: f64,
    p50: f64,
    p95: f64,
    p99: f64,
}

pub struct Report {
    store: StoreKind,
    args: String,
    connections: usize,
    /// The server's bound on reads served at once (0: none).
    requests_at_once: usize,
    mixed_connections: usize,
    seconds: f64,
    runs: Vec<RouteRun>,
    skipped: Vec<(String, String)>,
    mixed: Option<RouteRun>,
    /// The mixed workload's requests by route (the write last).
    mixed_parts: Vec<RouteRun>,
    memory: Vec<(String, u64, u64)>,
}

impl Report {
    pub fn finish(&mut self) {}

    pub fn markdown(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# Every GET route under load ({})\n\n`{}`\n\n{} connections, {:.0} s a route, real TCP to the server in this process (2 shared cores: client and server on the same cores); the server serves {} requests at once.\n",
            self.store.name(),
            self.args,
            self.connections,
            self.seconds,
            if self.requests_at_once == 0 {
                "any number of".to_string()
            } else {
                format!("at most {}", self.requests_at_once)
            }
        );
        let row = |o: &mut String, r: &RouteRun| {
            let _ = writeln!(
                o,
                "| `{}` | {} | {} | {} | {} | {} | {} |",
                r.path,
                int(r.rps),
                fms(r.p50),
                fms(r.p95),
                fms(r.p99),
                int(r.requests as f64),
                r.errors
            );
        };
        let head = "| route | req/s | p50 ms | p95 ms | p99 ms | requests | errors |\n|---|---:|---:|---:|---:|---:|---:|";
        let _ = writeln!(o, "## Routes, slowest p99 first\n\n{head}");
        let mut sorted: Vec<&RouteRun> = self.runs.iter().collect();
        sorted.sort_by(|a, b| b.p99.total_cmp(&a.p99));
        for r in &sorted {
            row(&mut o, r);
        }
        let over: Vec<&&RouteRun> = sorted.iter().filter(|r| r.p99 >= 100.0).collect();
        let _ = writeln!(
            o,
            "\n{} of {} routes at p99 ≥ 100 ms; {} with errors.",
            over.len(),
            sorted.len(),
            sorted.iter().filter(|r| r.errors > 0).count()
        );
        if let Some(m) = &self.mixed {
            let _ = writeln!(
                o,
                "\n## Mixed workload: 90 % reads, 10 % writes, {} connections\n\n{head}",
                self.mixed_connections
            );
            row(&mut o, m);
            let _ = writeln!(
                o,
                "\nThe same requests by route, slowest p99 first (req/s is the route's share of the whole):\n\n{head}"
            );
            let mut parts: Vec<&RouteRun> = self.mixed_parts.iter().collect();
            parts.sort_by(|a, b| b.p99.total_cmp(&a.p99));
            for r in parts {
                row(&mut o, r);
            }
        }
        if !self.skipped.is_empty() {
            let _ = writeln!(o, "\n## Not loaded\n\n| route | why |\n|---|---|");
            for (p, why) in &self.skipped {
                let _ = writeln!(o, "| `{p}` | {why} |");
            }
        }
        let _ = writeln!(
            o,
            "\n## Memory of the process (server and clients)\n\n| when | RSS MB | peak RSS MB |\n|---|---:|---:|"
        );
        for (k, rss, peak) in &self.memory {
            let _ = writeln!(o, "| {k} | {} | {} |", rss / 1024, peak / 1024);
        }
        o
    }
}

/// A keep-alive connection that sends GETs (and POSTs) with the token.
struct Conn {
    send: http1::SendRequest<Full<Bytes>>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> anyhow::Result<Conn> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (send, conn) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn { send })
    }

    /// (status, body length) of one request.
    async fn call(
        &mut self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<String>,
    ) -> anyhow::Result<(u16, Bytes)> {
        self.send.ready().await?;
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1")
            .header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        let req = b.body(Full::new(Bytes::from(body.unwrap_or_default())))?;
        let res = self.send.send_request(req).await?;
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await?.to_bytes();
        Ok((status, bytes))
    }
}

/// What one load run asks: a fixed path, or the mixed workload.
#[derive(Clone)]
enum Work {
    Get(String),
    Mixed(Arc<Vec<String>>),
}

async fn load(
    addr: SocketAddr,
    token: &str,
    work: Work,
    connections: usize,
    seconds: f64,
) -> anyhow::Result<(RouteRun, Vec<RouteRun>)> {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let counter = Arc::new(AtomicU64::new(0));
    let mut tasks = vec![];
    let started = Instant::now();
    for c in 0..connections {
        let (token, work, counter) = (token.to_string(), work.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            // (route index in the mix, 0 for a fixed path; latency ms; error)
            let mut lat: Vec<(usize, f64, bool)> = Vec::with_capacity(4096);
            let mut errors = 0usize;
            let mut conn = match Conn::open(addr).await {
                Ok(c) => c,
                Err(_) => return (lat, 1usize),
            };
            let mut i = c as u64;
            while Instant::now() < deadline {
                i = i.wrapping_add(1);
                let (key, method, path, body) = match &work {
                    Work::Get(p) => (0, Method::GET, p.clone(), None),
                    Work::Mixed(reads) => {
                        let n = counter.fetch_add(1, Ordering::Relaxed);
                        if n % 10 == 9 {
                            (
                                reads.len(),
                                Method::POST,
                                "/api/v1/villages".to_string(),
                                Some(format!(
                                    "{{\"name\": \"Làng nghề tải thử {n}\", \"admin_unit_code\": \"02701\", \"admin_unit_as_of\": \"2017-01-01\", \"status\": \"new\"}}"
                                )),
                            )
                        } else {
                            let k = (n as usize) % reads.len();
                            (k, Method::GET, reads[k].clone(), None)
                        }
                    }
                };
                let t = Instant::now();
                match conn.call(method, &path, &token, body).await {
                    Ok((s, _)) => {
                        let bad = !(200..300).contains(&s);
                        lat.push((key, t.elapsed().as_secs_f64() * 1000.0, bad));
                        if bad {
                            errors += 1;
                        }
                    }
                    Err(_) => {
                        errors += 1;
                        match Conn::open(addr).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (lat, errors)
        }));
    }
    let mut all: Vec<(usize, f64, bool)> = vec![];
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await?;
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let path = match &work {
        Work::Get(p) => p.clone(),
        Work::Mixed(r) => format!("mixed over {} reads + POST /api/v1/villages", r.len()),
    };
    let whole = summarize(path, all.iter().map(|l| l.1).collect(), errors, elapsed);
    let mut parts = vec![];
    if let Work::Mixed(reads) = &work {
        for (k, name) in reads
            .iter()
            .cloned()
            .chain(std::iter::once("POST /api/v1/villages".to_string()))
            .enumerate()
        {
            let mine: Vec<&(usize, f64, bool)> = all.iter().filter(|l| l.0 == k).collect();
            let bad = mine.iter().filter(|l| l.2).count();
            parts.push(summarize(
                name,
                mine.iter().map(|l| l.1).collect(),
                bad,
                elapsed,
            ));
        }
    }
    Ok((whole, parts))
}

/// Requests, req/s and percentiles of one set of latencies (ms).
fn summarize(path: String, mut lat: Vec<f64>, errors: usize, elapsed: f64) -> RouteRun {
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        lat[((lat.len() as f64 - 1.0) * p).round() as usize]
    };
    RouteRun {
        path,
        requests: lat.len(),
        errors,
        rps: lat.len() as f64 / elapsed,
        p50: pct(0.50),
        p95: pct(0.95),
        p99: pct(0.99),
    }
}

/// The first id of a list's `items`, else of a bare array.
fn first_id(v: &serde_json::Value) -> Option<i64> {
    let list = v.get("items").unwrap_or(v);
    list.as_array()?.first()?.get("id")?.as_i64()
}

pub async fn run(db: Db, args: Args) -> anyhow::Result<Report> {
    let actor = Actor::system("bench");
    db.migrate().await?;
    seed::ensure_geography(&db).await?;
    langnghe_demo::ensure(&db, true)
        .await
        .context("the demo and its reporting history")?;
    seed::ensure_admin(&db)
        .await?
        .ok_or_else(|| anyhow!("the store already had an admin"))?;
    if args.store == StoreKind::Postgres {
        with_analyze(&db).await?;
    }
    let admin = users::by_username(&db, "admin")
        .await?
        .ok_or_else(|| anyhow!("admin"))?;
    let token = users::create_token(&db, &actor, admin.id, "load").await?;
    let config = langnghe_web::WebConfig {
        requests_at_once: args.requests_at_once,
        ..langnghe_web::WebConfig::default()
    };
    let requests_at_once = args
        .requests_at_once
        .unwrap_or_else(|| langnghe_web::WebConfig::default_requests_at_once(db.backend()));
    let state = langnghe_web::AppState::new(db.clone(), config)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = langnghe_web::serve(listener, state).await;
    });
    let mut rep = Report {
        store: args.store,
        args: std::env::args().collect::<Vec<_>>().join(" "),
        connections: args.connections,
        requests_at_once,
        mixed_connections: args.mixed_connections,
        seconds: args.load_seconds,
        runs: vec![],
        skipped: vec![],
        mixed: None,
        mixed_parts: vec![],
        memory: vec![],
    };
    let (rss, peak) = rss_kb();
    rep.memory
        .push(("idle, after start-up and the demo".into(), rss, peak));

    // The GET routes and a record for each `{id}`.
    let mut probe = Conn::open(addr).await?;
    let (s, doc) = probe
        .call(Method::GET, "/api/v1/openapi.json", &token, None)
        .await?;
    if s != 200 {
        bail!("openapi.json: {s}");
    }
    let doc: serde_json::Value = serde_json::from_slice(&doc)?;
    let mut paths: Vec<String> = doc["paths"]
        .as_object()
        .ok_or_else(|| anyhow!("no paths in the OpenAPI document"))?
        .iter()
        .filter(|(_, ops)| ops.get("get").is_some())
        .map(|(p, _)| p.clone())
        .collect();
    paths.sort();
    let plan_316 = {
        let (_, b) = probe
            .call(Method::GET, "/api/v1/programs?q=316&limit=5", &token, None)
            .await?;
        let v: serde_json::Value = serde_json::from_slice(&b)?;
        first_id(&v)
    };
    let mut routes = vec![];
    for p in paths {
        let concrete = if let Some(tail) = p.strip_prefix("/api/v1/admin-units/{code}") {
            // Lào Cai (of today).
            format!("/api/v1/admin-units/15{tail}")
        } else if let Some((head, tail)) = p.split_once("/{id}") {
            // Where a record of each kind is listed: its own list, else the
            // demo plan's (or scheme's) list of it.
            let p316 = plan_316.unwrap_or(0);
            let (list, targets) = match head {
                "/api/v1/programs" => (String::new(), false),
                "/api/v1/indicators" => (format!("/api/v1/programs/{p316}/indicators"), false),
                "/api/v1/targets" => (format!("/api/v1/programs/{p316}/indicators"), true),
                "/api/v1/tasks" => (format!("/api/v1/programs/{p316}/tasks"), false),
                "/api/v1/budget-lines" => (format!("/api/v1/programs/{p316}/budget"), false),
                "/api/v1/periods" => (format!("/api/v1/programs/{p316}/periods"), false),
                "/api/v1/applications" => ("/api/v1/schemes/1/applications".into(), false),
                _ => (format!("{head}?limit=1"), false),
            };
            let id = if list.is_empty() {
                plan_316
            } else {
                let (s, b) = probe.call(Method::GET, &list, &token, None).await?;
                let v = if s == 200 {
                    serde_json::from_slice::<serde_json::Value>(&b).ok()
                } else {
                    None
                };
                match (v, targets) {
                    (Some(v), false) => first_id(&v),
                    (Some(v), true) => v["items"][0]["targets"][0]["id"].as_i64(),
                    (None, _) => None,
                }
            };
            match id {
                Some(id) => format!("{head}/{id}{tail}"),
                None => {
                    rep.skipped
                        .push((p.clone(), format!("no record listed at `{head}`")));
                    continue;
                }
            }
        } else {
            p.clone()
        };
        if concrete.contains('{') {
            rep.skipped
                .push((p.clone(), "a path parameter other than `{id}`".into()));
            continue;
        }
        let (s, _) = probe.call(Method::GET, &concrete, &token, None).await?;
        if s != 200 {
            rep.skipped
                .push((concrete, format!("answers {s} to a plain GET")));
            continue;
        }
        routes.push(concrete);
    }
    drop(probe);
    note!(
        "{} routes to load, {} skipped",
        routes.len(),
        rep.skipped.len()
    );

    // The mixed workload draws on every route that answers, whatever the filter.
    let answering = routes.clone();
    if !args.routes.is_empty() {
        routes.retain(|r| args.routes.iter().any(|f| r.contains(f.as_str())));
    }
    let seconds = args.load_seconds;
    let (floor, _) = load(
        addr,
        &token,
        Work::Get("/healthz".into()),
        args.connections,
        seconds,
    )
    .await?;
    note!(
        "/healthz: {} req/s, p99 {} ms",
        int(floor.rps),
        fms(floor.p99)
    );
    rep.runs.push(floor);
    for r in &routes {
        let (run, _) = load(
            addr,
            &token,
            Work::Get(r.clone()),
            args.connections,
            seconds,
        )
        .await?;
        note!(
            "{r}: {} req/s, p50 {} ms, p99 {} ms, {} errors",
            int(run.rps),
            fms(run.p50),
            fms(run.p99),
            run.errors
        );
        rep.runs.push(run);
    }
    if !args.routes.is_empty() && !args.routes.iter().any(|r| r == "mixed") {
        let (rss, peak) = rss_kb();
        rep.memory.push(("after the load".into(), rss, peak));
        return Ok(rep);
    }
    let main: Vec<String> = [
        "/api/v1/programs",
        "/api/v1/reports",
        "/api/v1/villages",
        "/api/v1/agencies?limit=100",
        "/api/v1/dashboard",
        "/api/v1/map?era=new&measure=villages",
        "/api/v1/me/todo",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(plan_316.into_iter().flat_map(|id| {
        [
            format!("/api/v1/programs/{id}"),
            format!("/api/v1/programs/{id}/dashboard"),
            format!("/api/v1/programs/{id}/consolidation"),
            format!("/api/v1/programs/{id}/indicators"),
        ]
    }))
    .filter(|p| answering.iter().any(|r| r == p) || p.contains('?'))
    .collect();
    let (mixed, parts) = load(
        addr,
        &token,
        Work::Mixed(Arc::new(main)),
        args.mixed_connections,
        seconds * 3.0,
    )
    .await?;
    note!(
        "mixed: {} req/s, p99 {} ms, {} errors",
        int(mixed.rps),
        fms(mixed.p99),
        mixed.errors
    );
    rep.mixed = Some(mixed);
    rep.mixed_parts = parts;
    let (rss, peak) = rss_kb();
    rep.memory.push(("after the load".into(), rss, peak));
    Ok(rep)
}

async fn with_analyze(db: &Db) -> anyhow::Result<()> {
    langnghe_store::with_db!(db, |c| sqlx::query("ANALYZE")
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}
