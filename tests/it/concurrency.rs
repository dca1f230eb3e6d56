//! Several people and programs at once: versions, conflicts, the write lock.

use crate::api;
use http::{header, Method, Request, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use langnghe_store::audit::Actor;
use langnghe_store::users;
use serde_json::{json, Value};

/// A client authenticated by a fresh API token of the admin.
pub async fn token_client(app: &TestApp) -> Client {
    let admin = users::by_username(&app.db, "admin")
        .await
        .expect("admin")
        .expect("admin exists");
    let token = users::create_token(&app.db, &Actor::system("test"), admin.id, "concurrency")
        .await
        .expect("token");
    let mut c = app.client();
    c.bearer = Some(token);
    c
}

/// The id of the demo agency found by a search.
async fn agency_id(c: &mut Client, q: &str) -> i64 {
    api(c, &format!("/api/v1/agencies?q={q}")).await["items"][0]["id"]
        .as_i64()
        .expect("agency id")
}

/// A PUT body for an agency: the stored fields with `short_name` changed.
fn agency_body(rec: &Value, short_name: &str) -> Value {
    json!({
        "name": rec["name"],
        "short_name": short_name,
        "kind": rec["kind"],
        "admin_unit_code": rec["admin_unit_code"],
        "admin_unit_as_of": "2017-01-01",
        "parent_id": rec["parent_id"],
    })
}

pub async fn versions_refuse_lost_updates(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = token_client(&app).await;
    let id = agency_id(&mut c, "cuc%20thue").await;
    let path = format!("/api/v1/agencies/{id}");
    let r = c.get(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    let rec = r.json();
    assert_eq!(rec["version"], 1);
    assert_eq!(
        r.headers.get(header::ETAG).and_then(|v| v.to_str().ok()),
        Some("\"1\"")
    );
    // No version: 428, nothing written.
    let r = c.json(Method::PUT, &path, agency_body(&rec, "A")).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "version_required");
    // The version read: accepted, version moves on.
    let mut body = agency_body(&rec, "A");
    body["version"] = json!(1);
    let r = c.json(Method::PUT, &path, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    assert_eq!(
        r.headers.get(header::ETAG).and_then(|v| v.to_str().ok()),
        Some("\"2\"")
    );
    // The same stale version again: 409 with the stored record, nothing written.
    body["short_name"] = json!("B");
    let r = c.json(Method::PUT, &path, body.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let err = r.json();
    assert_eq!(err["error"]["code"], "stale_version");
    assert_eq!(err["error"]["current"]["short_name"], "A");
    assert_eq!(err["error"]["current"]["version"], 2);
    assert_eq!(api(&mut c, &path).await["short_name"], "A");
    // If-Match instead of the body field; a disagreeing pair is refused by name.
    let req = Request::builder()
        .method(Method::PUT)
        .uri(&path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, "\"2\"")
        .body(axum::body::Body::from(agency_body(&rec, "C").to_string()))
        .expect("request");
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut both = agency_body(&rec, "D");
    both["version"] = json!(2);
    let req = Request::builder()
        .method(Method::PUT)
        .uri(&path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, "\"3\"")
        .body(axum::body::Body::from(both.to_string()))
        .expect("request");
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "version");

    // The page: a stale save shows what was typed beside what is stored, keeps the
    // typing, and carries the stored version so that saving again overwrites.
    let mut admin = app.admin().await;
    let form = admin.get(&format!("/agencies/{id}/edit")).await;
    assert!(
        form.body.contains("name=\"version\" value=\"3\""),
        "{}",
        form.body
    );
    let mut other = body.clone();
    other["short_name"] = json!("E");
    other["version"] = json!(3);
    assert_eq!(
        c.json(Method::PUT, &path, other).await.status,
        StatusCode::OK
    );
    let fields = [
        ("name", rec["name"].as_str().unwrap_or("")),
        ("short_name", "Tôi gõ"),
        ("kind", rec["kind"].as_str().unwrap_or("")),
        ("admin_unit_code", "01"),
        ("admin_unit_as_of", "2017-01-01"),
        ("parent_id", ""),
        ("version", "3"),
    ];
    let r = admin.form(&format!("/agencies/{id}"), &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("Bạn nhập") && r.body.contains("Đã lưu"));
    assert!(r.body.contains("value=\"Tôi gõ\""), "typing kept");
    assert!(r.body.contains("name=\"version\" value=\"4\""));
    let mut again = fields.to_vec();
    again.retain(|(k, _)| *k != "version");
    again.push(("version", "4"));
    let r = admin.form(&format!("/agencies/{id}"), &again).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(api(&mut c, &path).await["short_name"], "Tôi gõ");
}

/// Outcome of a burst of concurrent read-modify-write clients.
#[derive(Debug, Default)]
pub struct Burst {
    pub ok: usize,
    pub conflict: usize,
    pub server_errors: usize,
    pub other: Vec<(StatusCode, String)>,
}

/// `clients` clients, each doing `rounds` read-modify-writes of its own path
/// (`paths[i % paths.len()]`): GET, then PUT `change(record)` with the version read.
pub async fn burst(
    c: &Client,
    paths: &[String],
    clients: usize,
    rounds: usize,
    change: fn(&Value) -> Value,
) -> Burst {
    let mut handles = vec![];
    for i in 0..clients {
        let mut c = c.clone();
        let path = paths[i % paths.len()].clone();
        handles.push(tokio::spawn(async move {
            let mut out = Burst::default();
            for _ in 0..rounds {
                let r = c.get(&path).await;
                if r.status != StatusCode::OK {
                    out.other.push((r.status, r.body));
                    continue;
                }
                let rec = r.json();
                let mut body = change(&rec);
                body["version"] = rec["version"].clone();
                let r = c.json(Method::PUT, &path, body).await;
                match r.status {
                    StatusCode::OK => out.ok += 1,
                    StatusCode::CONFLICT => out.conflict += 1,
                    s if s.is_server_error() => out.server_errors += 1,
                    s => out.other.push((s, r.body)),
                }
            }
            out
        }));
    }
    let mut all = Burst::default();
    for h in handles {
        let b = h.await.expect("client task");
        all.ok += b.ok;
        all.conflict += b.conflict;
        all.server_errors += b.server_errors;
        all.other.extend(b.other);
    }
    all
}

/// The number in an agency's short name "n<k>" (0 when it is something else).
fn counter(rec: &Value) -> i64 {
    rec["short_name"]
        .as_str()
        .and_then(|s| s.strip_prefix('n'))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn increment_agency(rec: &Value) -> Value {
    agency_body(rec, &format!("n{}", counter(rec) + 1))
}

/// Audit rows of one record since `after_id`: (count, rows whose `before` is not the previous `after`).
pub async fn audit_chain(c: &mut Client, entity: &str, id: i64) -> (usize, usize) {
    let rows = api(
        c,
        &format!("/api/v1/audit?entity={entity}&entity_id={id}&action=update&limit=500"),
    )
    .await;
    let items: Vec<Value> = rows["items"].as_array().cloned().unwrap_or_default();
    // Newest first in the answer: walk oldest first.
    let mut breaks = 0;
    for w in items.windows(2).rev() {
        let (newer, older) = (&w[0], &w[1]);
        if newer["before"] != older["after"] {
            breaks += 1;
        }
    }
    (items.len(), breaks)
}

pub async fn concurrent_writers_get_no_server_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = token_client(&app).await;
    let all = api(&mut c, "/api/v1/agencies?limit=60").await;
    let paths: Vec<String> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|a| a["admin_unit_code"].as_str().is_some_and(|c| c.len() == 2))
        .map(|a| format!("/api/v1/agencies/{}", a["id"]))
        .collect();
    assert!(
        paths.len() >= 20,
        "{} agencies at province level",
        paths.len()
    );

    // Each client its own record: every write succeeds.
    let distinct = burst(&c, &paths, paths.len(), 3, increment_agency).await;
    assert_eq!(distinct.server_errors, 0, "{distinct:?}");
    assert!(distinct.other.is_empty(), "{:?}", distinct.other);
    assert_eq!(distinct.conflict, 0);
    assert_eq!(distinct.ok, paths.len() * 3);

    // 50 clients on one record: winners and 409s only, and nothing lost.
    let one = vec![paths[0].clone()];
    let start = counter(&api(&mut c, &paths[0]).await);
    let same = burst(&c, &one, 50, 2, increment_agency).await;
    assert_eq!(same.server_errors, 0, "{same:?}");
    assert!(same.other.is_empty(), "{:?}", same.other);
    assert_eq!(same.ok + same.conflict, 100);
    assert!(same.ok >= 1);
    let end = counter(&api(&mut c, &paths[0]).await);
    assert_eq!(
        end - start,
        same.ok as i64,
        "every acknowledged write is in the record: none lost"
    );
    // The audit chain is exact: each row's before is the previous row's after.
    let id: i64 = paths[0]
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let (rows, breaks) = audit_chain(&mut c, "agency", id).await;
    assert_eq!(rows, same.ok + 3, "one audit row per acknowledged write");
    assert_eq!(breaks, 0, "before-images are exact");
}

/// Reviewers approving (and sending back) many reports of one period at once:
/// no server error, and the period's kept totals equal a recomputation after
/// every move (the refresh of a period's totals waits for the one before it).
pub async fn concurrent_approvals_keep_period_totals(b: Backend) {
    let app = TestApp::spawn(b).await;
    crate::demo_history::start_demo(&app).await;
    let c = token_client(&app).await;
    // Every demo report that waits for a decision (submitted), by period.
    let list = api(&mut c.clone(), "/api/v1/reports?state=submitted&limit=500").await;
    let mut by_period: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for r in list["items"].as_array().expect("items") {
        let (Some(p), Some(id)) = (r["period_id"].as_i64(), r["id"].as_i64()) else {
            continue;
        };
        by_period.entry(p).or_default().push(id);
    }
    let ids: Vec<i64> = by_period
        .into_values()
        .max_by_key(Vec::len)
        .unwrap_or_default();
    assert!(
        ids.len() >= 3,
        "submitted reports in one demo period: {ids:?} of {list}"
    );
    let mut handles = vec![];
    for (i, id) in ids.iter().enumerate() {
        let mut c = c.clone();
        let (action, body) = if i % 3 == 2 {
            ("return", json!({"reason": "Thiếu số liệu"}))
        } else {
            ("approve", json!({}))
        };
        let path = format!("/api/v1/reports/{id}/{action}");
        handles.push(tokio::spawn(async move {
            let r = c.json(Method::POST, &path, body).await;
            (r.status, r.body)
        }));
    }
    for h in handles {
        let (status, body) = h.await.expect("client task");
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert!(app.assert_totals_kept().await >= 1);
}

/// A request body that never arrives (a sender gone quiet).
struct Silent;

impl http_body::Body for Silent {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Pending
    }

    /// Its size is told, as a `Content-Length` tells it over HTTP.
    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(40)
    }
}

/// With one request at a time: forty readers at once are all answered in
/// turn (none refused); with the only turn held, a read and a write wait for
/// it and are answered once it is given back; a sender whose body has not
/// arrived holds no turn; no bound at all with 0.
pub async fn requests_take_turns(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        langnghe_web::WebConfig {
            requests_at_once: Some(1),
            ..langnghe_web::WebConfig::default()
        },
    )
    .await;
    let c = token_client(&app).await;
    let mut tasks = vec![];
    for i in 0..40 {
        let mut c = c.clone();
        tasks.push(tokio::spawn(async move {
            let path = match i % 4 {
                0 => "/api/v1/villages",
                1 => "/api/v1/dashboard",
                2 => "/api/v1/agencies?limit=5",
                _ => "/healthz",
            };
            (path, c.get(path).await.status)
        }));
    }
    for t in tasks {
        let (path, status) = t.await.expect("reader");
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let turns = app.state.turns.clone().expect("requests are bounded");
    // A sender gone quiet after its headers: its body never arrives, it takes no turn.
    let mut q = c.clone();
    let quiet = tokio::spawn(async move {
        let req = Request::post("/api/v1/villages")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, "40")
            .body(axum::body::Body::new(Silent))
            .expect("request");
        q.send(req).await.status
    });
    // Let it reach the server and wait there for its body.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut r = c.clone();
    assert_eq!(
        tokio::time::timeout(std::time::Duration::from_secs(60), r.get("/healthz"))
            .await
            .expect("the quiet sender holds no turn")
            .status,
        StatusCode::OK
    );
    assert!(!quiet.is_finished());
    quiet.abort();
    // The only turn held: a read and a write wait for it.
    let held = turns.clone().acquire_owned().await.expect("a turn");
    let mut r = c.clone();
    let read = tokio::spawn(async move { r.get("/api/v1/villages").await.status });
    let mut w = c.clone();
    let write = tokio::spawn(async move {
        w.json(
            Method::POST,
            "/api/v1/villages",
            json!({"name": "Làng nghề đến lượt", "admin_unit_code": "02701",
                   "admin_unit_as_of": "2017-01-01", "status": "new"}),
        )
        .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!read.is_finished(), "a read waits for its turn");
    assert!(!write.is_finished(), "a write waits for its turn");
    drop(held);
    assert_eq!(read.await.expect("reader"), StatusCode::OK);
    let w = write.await.expect("writer");
    assert_eq!(w.status, StatusCode::CREATED, "{}", w.body);
    assert_eq!(turns.available_permits(), 1, "every turn given back");
    // No bound at all: 0.
    let free = TestApp::spawn_with(
        b,
        langnghe_web::WebConfig {
            requests_at_once: Some(0),
            ..langnghe_web::WebConfig::default()
        },
    )
    .await;
    assert!(free.state.turns.is_none());
    let mut c = token_client(&free).await;
    assert_eq!(c.get("/api/v1/villages").await.status, StatusCode::OK);
}
