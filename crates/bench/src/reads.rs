//! `--only reads`: reads while a writer holds the lock.
//!
//! The real router is driven in-process by N concurrent readers for a fixed
//! time, twice: first with nobody writing, then while one transaction holds the
//! write lock (SQLite: the single writer connection in `BEGIN IMMEDIATE`;
//! PostgreSQL: the rows of `api_tokens` and `sessions` locked by a no-op
//! update), as a long import would. Half the readers use an API token
//! (`GET /api/v1/agencies?limit=20`), half a browser session (`GET /agencies`).
//! Reported per phase: requests, 2xx, 5xx, latency percentiles and the worst
//! request; and that nothing was written on the request path (the token's
//! `last_used_at` is still empty before the usage flush).

use crate::stats::{self, Summary};
use crate::Args;
use anyhow::{anyhow, bail, Context};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use langnghe_store::audit::Actor;
use langnghe_store::{seed, users, with_tx, Db};
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// How a request authenticates: an API token or a browser session.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Auth {
    Token,
    Session,
}

struct Phase {
    name: &'static str,
    requests: usize,
    ok: usize,
    server_error: usize,
    latency: Summary,
    max_ms: f64,
}

pub struct Report {
    store: &'static str,
    seconds: u64,
    readers: usize,
    phases: Vec<Phase>,
    /// `api_tokens.last_used_at` written before the flush (must be false).
    written_on_request_path: bool,
    /// ... and after the flush (must be true).
    written_by_flush: bool,
}

pub(crate) async fn get(
    router: &Router,
    auth: &str,
    kind: Auth,
    path: &str,
) -> (StatusCode, String, Vec<String>) {
    let mut b = Request::get(path);
    b = match kind {
        Auth::Token => b.header(header::AUTHORIZATION, format!("Bearer {auth}")),
        Auth::Session => b.header(header::COOKIE, format!("langnghe_sid={auth}")),
    };
    let Ok(req) = b.body(Body::empty()) else {
        return (StatusCode::BAD_REQUEST, String::new(), vec![]);
    };
    match router.clone().oneshot(req).await {
        Ok(res) => {
            let status = res.status();
            let cookies = res
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_string))
                .collect();
            let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
                .await
                .unwrap_or_default();
            (
                status,
                String::from_utf8_lossy(&bytes).into_owned(),
                cookies,
            )
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), vec![]),
    }
}

fn sid_of(cookies: &[String]) -> Option<String> {
    cookies.iter().find_map(|c| {
        c.strip_prefix("langnghe_sid=")
            .map(|rest| rest.split(';').next().unwrap_or("").to_string())
    })
}

/// Log in through the form as a browser would; returns the session cookie.
pub(crate) async fn login(
    router: &Router,
    username: &str,
    password: &str,
) -> anyhow::Result<String> {
    let res = router
        .clone()
        .oneshot(Request::get("/login").body(Body::empty())?)
        .await?;
    let cookies: Vec<String> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    let sid = sid_of(&cookies).ok_or_else(|| anyhow!("no session cookie from /login"))?;
    let html = String::from_utf8_lossy(&axum::body::to_bytes(res.into_body(), 1 << 20).await?)
        .into_owned();
    let marker = "name=\"csrf_token\" value=\"";
    let i = html.find(marker).ok_or_else(|| anyhow!("no CSRF token"))? + marker.len();
    let csrf = &html[i..i + html[i..].find('"').unwrap_or(0)];
    let body = format!(
        "username={username}&password={}&next=%2F&csrf_token={csrf}",
        password
            .replace('%', "%25")
            .replace('&', "%26")
            .replace('+', "%2B")
            .replace(' ', "+")
    );
    let res = router
        .clone()
        .oneshot(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("langnghe_sid={sid}"))
                .body(Body::from(body))?,
        )
        .await?;
    if res.status() != StatusCode::SEE_OTHER {
        bail!("login: {}", res.status());
    }
    let cookies: Vec<String> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    sid_of(&cookies).ok_or_else(|| anyhow!("no session after login"))
}

async fn phase(
    router: &Router,
    name: &'static str,
    token: &str,
    sid: &str,
    readers: usize,
    seconds: u64,
) -> Phase {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut handles = vec![];
    for i in 0..readers {
        let router = router.clone();
        let (auth, kind, path) = if i % 2 == 0 {
            (token.to_string(), Auth::Token, "/api/v1/agencies?limit=20")
        } else {
            (sid.to_string(), Auth::Session, "/agencies")
        };
        handles.push(tokio::spawn(async move {
            let (mut ok, mut errs, mut lat) = (0usize, 0usize, vec![]);
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let (status, _, _) = get(&router, &auth, kind, path).await;
                lat.push(stats::ms(t0.elapsed()));
                if status.is_success() {
                    ok += 1;
                } else if status.is_server_error() {
                    errs += 1;
                }
            }
            (ok, errs, lat)
        }));
    }
    let (mut ok, mut errs, mut lat) = (0, 0, vec![]);
    for h in handles {
        if let Ok((o, e, l)) = h.await {
            ok += o;
            errs += e;
            lat.extend(l);
        }
    }
    let max_ms = lat.iter().copied().fold(0.0, f64::max);
    Phase {
        name,
        requests: lat.len(),
        ok,
        server_error: errs,
        latency: stats::summarize(&lat),
        max_ms,
    }
}

pub async fn run(db: Db, args: Args) -> anyhow::Result<Report> {
    db.migrate().await?;
    seed::ensure_geography(&db).await?;
    langnghe_demo::ensure_demo(&db).await?;
    let password = seed::ensure_admin(&db)
        .await?
        .ok_or_else(|| anyhow!("the store already had an admin"))?;
    let admin = users::by_username(&db, "admin")
        .await?
        .ok_or_else(|| anyhow!("no admin"))?;
    let token = users::create_token(&db, &Actor::system("bench"), admin.id, "bench reads")
        .await
        .context("token")?;
    let (token_id, _) = users::by_token(&db, &token)
        .await?
        .ok_or_else(|| anyhow!("token"))?;
    let state = langnghe_web::AppState::new(db.clone(), langnghe_web::WebConfig::default())
        .map_err(|e| anyhow!("{e}"))?;
    let router = langnghe_web::app(state.clone());
    let sid = login(&router, "admin", &password).await?;
    // The welcome message is read once.
    get(&router, &sid, Auth::Session, "/").await;
    let readers = args.writers.iter().copied().max().unwrap_or(10).max(2);
    let seconds = args.write_seconds;
    note!("reads: {readers} readers, {seconds} s, nobody writing");
    let free = phase(&router, "nobody writing", &token, &sid, readers, seconds).await;
    note!("reads: {readers} readers, {seconds} s, a writer holding the lock");
    let actor = Actor::system("bench import");
    let mut w = db.write(&actor).await?;
    with_tx!(w.tx(), |c| {
        sqlx::query("UPDATE api_tokens SET name = name")
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE sessions SET data = data")
            .execute(&mut *c)
            .await?;
    });
    let held = phase(
        &router,
        "writer holds the lock",
        &token,
        &sid,
        readers,
        seconds,
    )
    .await;
    drop(w);
    let written_on_request_path = users::token_last_used(&db, token_id).await?.is_some();
    state.flush_usage().await?;
    let written_by_flush = users::token_last_used(&db, token_id).await?.is_some();
    Ok(Report {
        store: args.store.name(),
        seconds,
        readers,
        phases: vec![free, held],
        written_on_request_path,
        written_by_flush,
    })
}

impl Report {
    pub fn finish(&mut self) {}

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Reads while a writer holds the lock — {}\n\n{} readers for {} s per phase through the whole router: half with an API token (`GET /api/v1/agencies?limit=20`), half with a browser session (`GET /agencies`). In the second phase one transaction holds the write lock (and the rows of `api_tokens` and `sessions`) throughout, as a long import does.\n",
            self.store, self.readers, self.seconds
        );
        let _ = writeln!(
            s,
            "| phase | requests | 2xx | 5xx | reads/s | p50 ms | p95 ms | p99 ms | max ms |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for p in &self.phases {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
                p.name,
                p.requests,
                p.ok,
                p.server_error,
                p.ok as f64 / (self.seconds.max(1) as f64),
                p.latency.p50,
                p.latency.p95,
                p.latency.p99,
                p.max_ms
            );
        }
        let _ = writeln!(
            s,
            "\nToken use written on the request path: {}; written by the usage flush afterwards: {}.",
            if self.written_on_request_path { "**yes**" } else { "no" },
            if self.written_by_flush { "yes" } else { "**no**" }
        );
        s
    }
}
