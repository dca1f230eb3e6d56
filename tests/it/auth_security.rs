//! Authentication, sessions, headers and accounts under real use, and versions of
//! accounts.

use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{header, Method, Request, StatusCode};
use langnghe_it::{Backend, Client, Resp, TestApp};
use langnghe_store::audit::{self, Actor, AuditFilter};
use langnghe_store::{users, Db};
use langnghe_web::WebConfig;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;

/// Answer within this or the test fails: reads must not wait for a writer
/// (the store's own wait for the write lock is 20 s).
const PROMPT: Duration = Duration::from_secs(5);

async fn token_for(app: &TestApp, username: &str) -> (i64, String) {
    let u = users::by_username(&app.db, username)
        .await
        .expect("q")
        .expect("user");
    let token = users::create_token(&app.db, &Actor::system("test"), u.id, "test")
        .await
        .expect("token");
    let (id, _) = users::by_token(&app.db, &token)
        .await
        .expect("q")
        .expect("token user");
    (id, token)
}

async fn timely(c: &mut Client, path: &str) -> Resp {
    tokio::time::timeout(PROMPT, c.get(path))
        .await
        .unwrap_or_else(|_| panic!("{path} waited behind the writer"))
}

/// Item 3: while a write transaction holds the lock (and, on PostgreSQL, the rows
/// of api_tokens and sessions), token GETs and session page views complete.
pub async fn reads_never_wait_behind_writes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (token_id, token) = token_for(&app, "admin").await;
    let mut tok = app.client();
    tok.bearer = Some(token);
    let mut page = app.admin().await;
    // The welcome message is read (and removed) by the first page view.
    assert_eq!(page.get("/").await.status, StatusCode::OK);
    let sid = page.cookie.clone().expect("session");
    let expiry = |db: Db, sid: String| async move {
        langnghe_store::with_db!(&db, |c| sqlx::query_scalar::<_, String>(
            "SELECT CAST(expires_at AS TEXT) FROM sessions WHERE id = $1"
        )
        .bind(&sid)
        .fetch_one(c)
        .await
        .expect("session row"))
    };
    let before = expiry(app.db.clone(), sid.clone()).await;
    app.state.flush_usage().await.expect("flush");
    assert_eq!(app.state.usage.pending(), (0, 0));

    let actor = Actor::system("import");
    let mut w = app.db.write(&actor).await.expect("write lock");
    langnghe_store::with_tx!(w.tx(), |c| {
        sqlx::query("UPDATE api_tokens SET name = name")
            .execute(&mut *c)
            .await
            .expect("lock tokens");
        sqlx::query("UPDATE sessions SET data = data")
            .execute(&mut *c)
            .await
            .expect("lock sessions");
    });
    for _ in 0..3 {
        for path in ["/api/v1/me", "/api/v1/agencies?limit=5", "/api/v1/users"] {
            let r = timely(&mut tok, path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        }
        for path in ["/", "/agencies", "/users", "/api/v1/me"] {
            let r = timely(&mut page, path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        }
    }
    // Nine token requests, one use noted; one session.
    assert_eq!(app.state.usage.pending(), (1, 1));
    drop(w);
    assert_eq!(
        users::token_last_used(&app.db, token_id).await.expect("q"),
        None,
        "nothing written on the request path"
    );
    app.state.flush_usage().await.expect("flush");
    assert!(users::token_last_used(&app.db, token_id)
        .await
        .expect("q")
        .is_some());
    assert_eq!(app.state.usage.pending(), (0, 0));
    let after = expiry(app.db.clone(), sid).await;
    assert!(
        after > before,
        "the session's expiry moved on: {before} → {after}"
    );
}

fn with_peer(mut req: Request<Body>, peer: &str) -> Request<Body> {
    let addr: SocketAddr = format!("{peer}:40000").parse().expect("addr");
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

/// A login form sent from `peer` (optionally through a proxy saying `xff`).
async fn login_from(
    c: &mut Client,
    peer: &str,
    xff: Option<&str>,
    username: &str,
    password: &str,
) -> Resp {
    c.get("/login").await;
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("next", "/"),
        ("csrf_token", c.csrf.as_deref().unwrap_or("")),
    ])
    .expect("form");
    let mut b =
        Request::post("/login").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(x) = xff {
        b = b.header("x-forwarded-for", x);
    }
    c.send(with_peer(b.body(Body::from(body)).expect("req"), peer))
        .await
}

/// A throttle whose first wait (10 s) is long beside the time a debug build on a
/// busy machine spends on an attempt (argon2), so the test sees the wait itself.
fn slow_throttle() -> WebConfig {
    WebConfig {
        login_throttle: langnghe_core::throttle::Policy {
            base: time::Duration::seconds(10),
            ..Default::default()
        },
        ..WebConfig::default()
    }
}

/// Let `secs` pass for the pair's last failure (instead of sleeping).
fn let_time_pass(app: &TestApp, username: &str, client: &str, secs: i64) {
    let mut map = app.state.login_failures.lock().expect("map");
    let f = map
        .get_mut(&(username.to_string(), client.to_string()))
        .expect("the pair failed before");
    f.last -= time::Duration::seconds(secs);
}

fn retry_after(r: &Resp) -> i64 {
    r.headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("429 without Retry-After: {:?}", r.headers))
}

/// Item 7: failures slow down the pair (username, client), with growing delays;
/// the right password from another client is never held up; Retry-After on every 429.
pub async fn throttling_slows_the_pair_not_the_account(b: Backend) {
    let app = TestApp::spawn_with(b, slow_throttle()).await;
    let pw = app.admin_password.clone();
    let mut bad = app.client();
    for i in 0..3 {
        let r = login_from(&mut bad, "198.51.100.1", None, "admin", "not-the-password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "failure {i}");
    }
    // The fourth attempt from the same client waits, even with the right password.
    let r = login_from(&mut bad, "198.51.100.1", None, "admin", &pw).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let first = retry_after(&r);
    // The login form again, with the username typed and how long to wait.
    assert!(
        r.body.contains("name=\"password\"") && r.body.contains("value=\"admin\""),
        "{}",
        r.body
    );
    assert!((1..=10).contains(&first), "{first}");
    assert!(r.body.contains("giây"), "{}", r.body);
    // Another client logs in with the right password at once.
    let mut good = app.client();
    let r = login_from(&mut good, "198.51.100.2", None, "admin", &pw).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Another account from the slowed client is not held up either.
    let r = login_from(
        &mut bad,
        "198.51.100.1",
        None,
        "someone.else",
        "not-the-password",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // After the wait the pair may try again; one more failure doubles the wait.
    let_time_pass(&app, "admin", "198.51.100.1", first);
    let r = login_from(&mut bad, "198.51.100.1", None, "admin", "still-not-it").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = login_from(&mut bad, "198.51.100.1", None, "admin", &pw).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let second = retry_after(&r);
    assert!(second > 10 && second <= 20, "{second}");
    let_time_pass(&app, "admin", "198.51.100.1", second);
    let r = login_from(&mut bad, "198.51.100.1", None, "admin", &pw).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "never a lock-out: {}",
        r.body
    );
    // Failed logins are audited with the client's address.
    let (rows, _) = audit::list(
        &app.db,
        &AuditFilter {
            action: Some("login_failed".into()),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .expect("audit");
    assert_eq!(rows.len(), 5);
    assert!(rows
        .iter()
        .any(|r| r.client_addr.as_deref() == Some("198.51.100.1")));
}

/// Item 7: behind a trusted proxy the client is the rightmost untrusted hop of
/// X-Forwarded-For; an office behind one proxy is not one client. Without
/// trust, the header is ignored.
pub async fn trusted_proxy_names_the_client(b: Backend) {
    let config = WebConfig {
        trusted_proxies: langnghe_core::auth::parse_cidrs("10.0.0.0/8").expect("cidr"),
        ..slow_throttle()
    };
    let app = TestApp::spawn_with(b, config).await;
    let pw = app.admin_password.clone();
    let mut c = app.client();
    for _ in 0..3 {
        let r = login_from(
            &mut c,
            "10.0.0.5",
            Some("6.6.6.6, 203.0.113.7"),
            "admin",
            "wrong-one",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login_from(&mut c, "10.0.0.5", Some("203.0.113.7"), "admin", &pw).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "same client behind the proxy"
    );
    // A colleague behind the same proxy logs in.
    let mut colleague = app.client();
    let r = login_from(
        &mut colleague,
        "10.0.0.5",
        Some("203.0.113.8"),
        "admin",
        &pw,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (rows, _) = audit::list(
        &app.db,
        &AuditFilter {
            action: Some("login_failed".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .expect("audit");
    assert!(
        rows.iter()
            .all(|r| r.client_addr.as_deref() == Some("203.0.113.7")),
        "{:?}",
        rows.iter()
            .map(|r| r.client_addr.clone())
            .collect::<Vec<_>>()
    );

    // Without a trusted proxy, X-Forwarded-For is the client's word: ignored.
    let plain = TestApp::spawn_with(b, slow_throttle()).await;
    let mut c = plain.client();
    for i in 0..3 {
        let r = login_from(
            &mut c,
            "10.0.0.5",
            Some(&format!("192.0.2.{i}")),
            "admin",
            "wrong-one",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login_from(
        &mut c,
        "10.0.0.5",
        Some("192.0.2.99"),
        "admin",
        &plain.admin_password,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged header does not escape the wait"
    );
}

/// Item 6: `next` only as a same-site path; nothing sent to /login is a 500.
pub async fn login_next_is_same_site_and_never_a_500(b: Backend) {
    let app = TestApp::spawn(b).await;
    let pw = app.admin_password.clone();
    let mut c = app.client();
    for bad in [
        "//evil",
        "/\\evil",
        "/%09/evil",
        "/%0a/evil",
        "%2F%2Fevil",
        "https:evil",
        "javascript:alert(1)",
        "/%2F%2Fevil",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\u{b}/evil.example",
        "https://evil.example/",
    ] {
        c.get("/login").await;
        let r = c
            .form(
                "/login",
                &[("username", "admin"), ("password", &pw), ("next", bad)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{bad:?}: {}", r.body);
        assert_eq!(r.location(), "/", "{bad:?}");
        // Logged in now: GET /login?next= redirects through the same rule.
        let q = serde_urlencoded::to_string([("next", bad)]).expect("q");
        let r = c.get(&format!("/login?{q}")).await;
        assert_eq!(r.location(), "/", "GET {bad:?}");
    }
    // The exact URL.
    let r = c.get("/login?next=%2F%09%2Fevil.example").await;
    assert_eq!(r.location(), "/");
    c.get("/login").await;
    let r = c
        .form(
            "/login",
            &[
                ("username", "admin"),
                ("password", &pw),
                ("next", "/agencies?q=h%C3%A0"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/agencies?q=h%C3%A0");

    // Anything at all: never a 500. Bytes from a fixed-seed generator.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next_byte = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 24) as u8
    };
    let mut anon = app.client();
    let mut logged = c.clone();
    for i in 0..150 {
        let len = (next_byte() % 40) as usize;
        let raw: Vec<u8> = (0..len).map(|_| next_byte()).collect();
        let enc: String = raw.iter().map(|b| format!("%{b:02X}")).collect();
        for client in [&mut anon, &mut logged] {
            let r = client.get(&format!("/login?next={enc}")).await;
            assert!(r.status.as_u16() < 500, "GET next={enc}: {}", r.status);
        }
        // Forms: raw bytes as the body, or a well-formed form with a wild next.
        let body: Vec<u8> = if i % 2 == 0 {
            raw.clone()
        } else {
            format!(
                "username=admin&password=x&next={enc}&csrf_token={}",
                anon.csrf.clone().unwrap_or_default()
            )
            .into_bytes()
        };
        let ct = [
            "application/x-www-form-urlencoded",
            "text/plain",
            "application/json",
            "multipart/form-data",
        ][(next_byte() % 4) as usize];
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("req");
        let r = anon.send(req).await;
        assert!(
            r.status.as_u16() < 500,
            "POST #{i} ({ct}): {} {}",
            r.status,
            r.body
        );
    }
}

/// Item 8: passwords that are blank, short, common or guessable are refused,
/// saying why, on the API, the users page, an account change and the password change.
pub async fn weak_passwords_are_refused_everywhere(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let create = |pw: &str| {
        json!({"username": "canbo.thu", "display_name": "Nguyễn Văn Thử", "password": pw,
               "role": "officer", "agency": "hn-ubnd-gia-lam", "scope": "018"})
    };
    for (pw, words) in [
        ("          ", "khoảng trắng"),
        ("1111111111", "12"),
        ("password1234", "phổ biến"),
        ("111111111111", "dễ đoán"),
        ("nguyenvanthu1", "dễ đoán"),
    ] {
        let r = admin.json(Method::POST, "/api/v1/users", create(pw)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{pw:?}: {}",
            r.body
        );
        let f = &r.json()["error"]["fields"][0];
        assert_eq!(f["field"], "password", "{pw:?}");
        assert!(
            f["message"].as_str().unwrap_or("").contains(words),
            "{pw:?}: {f}"
        );
    }
    // In English too.
    admin
        .json(Method::PATCH, "/api/v1/me", json!({"lang": "en"}))
        .await;
    let r = admin
        .json(Method::POST, "/api/v1/users", create("password1234"))
        .await;
    assert!(r.body.contains("common passwords"), "{}", r.body);
    let r = admin
        .json(Method::POST, "/api/v1/users", create("          "))
        .await;
    assert!(r.body.contains("only spaces"), "{}", r.body);
    admin
        .json(Method::PATCH, "/api/v1/me", json!({"lang": "vi"}))
        .await;
    // The users page keeps the form and names the field.
    admin.get("/users/new").await;
    let r = admin
        .form(
            "/users",
            &[
                ("username", "canbo.thu"),
                ("display_name", "Thử"),
                ("password", "qwertyuiop12"),
                ("role", "officer"),
                ("agency", "hn-ubnd-gia-lam"),
                ("scope", "018"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("#f-password") && r.body.contains("canbo.thu"),
        "{}",
        r.body
    );
    // A good passphrase is taken.
    let r = admin
        .json(
            Method::POST,
            "/api/v1/users",
            create("Gốm sứ Bát Tràng 2026"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    // An admin setting a password: the same rules.
    let r = admin
        .json(
            Method::PUT,
            &format!("/api/v1/users/{id}"),
            json!({"version": 1, "role": "officer", "agency": "hn-ubnd-gia-lam", "scope": "018",
                   "display_name": "Nguyễn Văn Thử", "password": "iloveyou1234"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The owner's own change.
    let mut me = app.client();
    assert_eq!(
        me.login("canbo.thu", "Gốm sứ Bát Tràng 2026").await.status,
        StatusCode::SEE_OTHER
    );
    me.get("/account/password").await;
    let r = me
        .form(
            "/account/password",
            &[
                ("current", "Gốm sứ Bát Tràng 2026"),
                ("new", "            "),
                ("confirm", "            "),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("khoảng trắng"), "{}", r.body);
}

/// A request with a chosen X-Request-Id, by token.
async fn with_request_id(c: &mut Client, id: Option<&str>, name: &str) -> Resp {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/agencies")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(id) = id {
        b = b.header("x-request-id", id);
    }
    let body = json!({"name": name, "kind": "other", "admin_unit_code": "01", "admin_unit_as_of": "2017-01-01"});
    c.send(b.body(Body::from(body.to_string())).expect("req"))
        .await
}

/// Item 10: a client's request id is used only when 1-64 of [A-Za-z0-9._-];
/// otherwise ours; the answer echoes the id used and the audit row carries it.
pub async fn request_ids_are_checked_and_audited(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, token) = token_for(&app, "admin").await;
    let mut c = app.client();
    c.bearer = Some(token);
    let long = "x".repeat(5000);
    let cases: Vec<(Option<&str>, bool)> = vec![
        (Some("client-req.42_ok"), true),
        (Some(&long), false),
        (Some("has spaces in it"), false),
        (Some("ä-not-ascii"), false),
        (None, false),
    ];
    for (i, (given, kept)) in cases.into_iter().enumerate() {
        let r = with_request_id(&mut c, given, &format!("Cơ quan thử {i}")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let echoed = r
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(langnghe_core::auth::valid_request_id(&echoed), "{echoed}");
        if kept {
            assert_eq!(Some(echoed.as_str()), given);
        } else {
            assert_ne!(Some(echoed.as_str()), given);
        }
        let id = r.json()["id"].as_i64().expect("id");
        let (rows, _) = audit::list(
            &app.db,
            &AuditFilter {
                entity: Some("agency".into()),
                entity_id: Some(id.to_string()),
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .expect("audit");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].request_id.as_deref(), Some(echoed.as_str()));
    }
    // Error bodies quote the same id.
    let r = c
        .send(
            Request::get("/api/v1/agencies/999999")
                .header("x-request-id", "trace-404")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"]["request_id"], "trace-404");
}

fn cache(r: &Resp) -> String {
    r.headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Item 11: no-store on authenticated pages and API answers, static assets
/// cacheable, HSTS only with --secure-cookies.
pub async fn headers_keep_private_answers_out_of_caches(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut anon = app.client();
    let r = anon.get("/static/app.css").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(cache(&r).contains("max-age="), "{}", cache(&r));
    let r = anon.get("/login").await;
    assert!(
        cache(&r).contains("no-cache") && !cache(&r).contains("public"),
        "{}",
        cache(&r)
    );
    let r = anon.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(cache(&r), "no-store");
    assert!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    let mut admin = app.admin().await;
    for path in [
        "/",
        "/users",
        "/agencies",
        "/api/v1/me",
        "/api/v1/agencies",
        "/api/v1/openapi.json",
    ] {
        let r = admin.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(cache(&r), "no-store", "{path}");
    }
    let r = admin.get("/static/app.css").await;
    assert!(
        cache(&r).contains("max-age="),
        "static stays cacheable for a user too"
    );
    let (_, token) = token_for(&app, "admin").await;
    let mut tok = app.client();
    tok.bearer = Some(token);
    let r = tok.get("/api/v1/users").await;
    assert_eq!(cache(&r), "no-store");

    let secure = TestApp::spawn_with(
        b,
        WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        },
    )
    .await;
    let mut c = secure.client();
    for path in ["/login", "/static/app.css", "/api/v1/me", "/nope"] {
        let r = c.get(path).await;
        let hsts = r
            .headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(hsts.starts_with("max-age="), "{path}: {hsts:?}");
    }
}

/// Versions of accounts: GET gives version and ETag; PUT needs it (428), a stale
/// one is 409 with the stored account; one audit row per change; pages show
/// "Bạn nhập / Đã lưu".
pub async fn accounts_refuse_lost_updates(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let r = admin
        .json(
            Method::POST,
            "/api/v1/users",
            json!({"username": "canbo.gialam", "display_name": "Cán bộ Gia Lâm", "password": "Gia Lâm gốm sứ 2026",
                   "role": "officer", "agency": "hn-ubnd-gia-lam", "scope": "018"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    assert_eq!(r.json()["version"], 1);
    let url = format!("/api/v1/users/{id}");
    let r = admin.get(&url).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["version"], 1);
    assert_eq!(
        r.headers.get(header::ETAG).and_then(|v| v.to_str().ok()),
        Some("\"1\"")
    );
    let change = |v: Option<i64>, name: &str| {
        let mut j = json!({"display_name": name, "role": "viewer", "agency": "hn-ubnd-gia-lam", "scope": "018"});
        if let Some(v) = v {
            j["version"] = json!(v);
        }
        j
    };
    let r = admin
        .json(Method::PUT, &url, change(None, "Không phiên bản"))
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.body);
    let r = admin
        .json(Method::PUT, &url, change(Some(1), "Nguyễn Thị Lan"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    assert_eq!(r.json()["role"], "viewer");
    assert_eq!(
        r.headers.get(header::ETAG).and_then(|v| v.to_str().ok()),
        Some("\"2\"")
    );
    let r = admin
        .json(Method::PUT, &url, change(Some(1), "Người đến sau"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let e = r.json();
    assert_eq!(e["error"]["code"], "stale_version");
    assert_eq!(e["error"]["current"]["version"], 2);
    assert_eq!(e["error"]["current"]["display_name"], "Nguyễn Thị Lan");
    // If-Match works like the body's version.
    let req = Request::put(&url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, "\"2\"")
        .header("x-csrf-token", admin.csrf.clone().unwrap_or_default())
        .body(Body::from(change(None, "Nguyễn Thị Lan").to_string()))
        .expect("req");
    let r = admin.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], 3);
    let (rows, _) = audit::list(
        &app.db,
        &AuditFilter {
            entity: Some("user".into()),
            entity_id: Some(id.to_string()),
            action: Some("update".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .expect("audit");
    assert_eq!(
        rows.len(),
        2,
        "one audit row per change, none for the refused ones"
    );
    // An admin cannot lock themselves out.
    let me = users::by_username(&app.db, "admin")
        .await
        .expect("q")
        .expect("admin");
    let r = admin
        .json(
            Method::PUT,
            &format!("/api/v1/users/{}", me.id),
            json!({"version": me.version, "role": "viewer", "agency": me.agency_id.to_string(), "scope": "VN"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Locking an account ends its logins and tokens.
    let (_, token) = token_for(&app, "canbo.gialam").await;
    let mut tok = app.client();
    tok.bearer = Some(token);
    assert_eq!(tok.get("/api/v1/me").await.status, StatusCode::OK);
    let mut j = change(Some(3), "Nguyễn Thị Lan");
    j["active"] = json!(false);
    let r = admin.json(Method::PUT, &url, j).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["active"], false);
    assert_eq!(tok.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.client()
            .login("canbo.gialam", "Gia Lâm gốm sứ 2026")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // The edit page: a save from an older form shows typed vs stored and keeps the typing.
    let r = admin.get(&format!("/users/{id}/edit")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("name=\"version\" value=\"4\""),
        "{}",
        r.body
    );
    let r = admin
        .form(
            &format!("/users/{id}/edit"),
            &[
                ("version", "3"),
                ("display_name", "Tên tôi vừa gõ"),
                ("role", "officer"),
                ("agency", "hn-ubnd-gia-lam"),
                ("scope", "018"),
                ("lang", "vi"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("Bạn nhập") && r.body.contains("Đã lưu"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Tên tôi vừa gõ") && r.body.contains("Nguyễn Thị Lan"));
    assert!(
        r.body.contains("name=\"version\" value=\"4\""),
        "saving again is deliberate"
    );
    let r = admin
        .form(
            &format!("/users/{id}/edit"),
            &[
                ("version", "4"),
                ("display_name", "Tên tôi vừa gõ"),
                ("role", "officer"),
                ("agency", "hn-ubnd-gia-lam"),
                ("scope", "018"),
                ("lang", "vi"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let u = users::get(&app.db, id).await.expect("q").expect("user");
    assert_eq!(
        (u.display_name.as_str(), u.active, u.version),
        ("Tên tôi vừa gõ", true, 5)
    );
    // The owner's language switch and password change bump the version too.
    let mut owner = app.client();
    assert_eq!(
        owner
            .login("canbo.gialam", "Gia Lâm gốm sứ 2026")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    owner
        .json(Method::PATCH, "/api/v1/me", json!({"lang": "en"}))
        .await;
    assert_eq!(
        users::get(&app.db, id)
            .await
            .expect("q")
            .expect("u")
            .version,
        6
    );
    // Outside the admin's scope: 404.
    let mut district_admin = app
        .user("qt.gialam", "admin", "hn-ubnd-gia-lam", "018")
        .await;
    let r = district_admin
        .get(&format!("/api/v1/users/{}", me.id))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Item 14: a CLI command run while a server initialises the store waits for it
/// (saying so), or says clearly that it is still being initialised; two processes
/// preparing a new store at once both succeed, no constraint error.
pub async fn cli_waits_while_the_store_is_initialised(b: Backend) {
    use langnghe_store::init::{prepare, Prepare};
    let app = TestApp::spawn(b).await;
    // A second handle on the same store, as another process would have.
    let other = match &app.db {
        Db::Sqlite(r, _) => {
            let rows: Vec<(i64, String, String)> = sqlx::query_as("PRAGMA database_list")
                .fetch_all(r)
                .await
                .expect("list");
            Db::open_sqlite(std::path::Path::new(&rows[0].2))
                .await
                .expect("open")
        }
        Db::Pg(p) => {
            let name: String = sqlx::query_scalar("SELECT current_database()")
                .fetch_one(p)
                .await
                .expect("name");
            Db::connect(&langnghe_it::pg_url_for(&name))
                .await
                .expect("connect")
        }
    };
    let server = app
        .db
        .init_lock(Duration::from_secs(5), || {})
        .await
        .expect("lock");
    // Bounded wait: a clear answer, not a constraint error.
    let err = prepare(
        &other,
        Duration::from_millis(600),
        || {},
        Prepare::default(),
    )
    .await
    .expect_err("still initialising");
    assert!(err.to_string().contains("initialising"), "{err}");
    // A longer wait: it waits, says so, and goes on when the server is done.
    let told = std::sync::atomic::AtomicBool::new(false);
    let done = std::sync::atomic::AtomicBool::new(false);
    let cli = async {
        let r = prepare(
            &other,
            Duration::from_secs(30),
            || told.store(true, std::sync::atomic::Ordering::SeqCst),
            Prepare::default(),
        )
        .await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        r
    };
    let server_done = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert!(
            !done.load(std::sync::atomic::Ordering::SeqCst),
            "the CLI waits for the server"
        );
        assert!(
            told.load(std::sync::atomic::Ordering::SeqCst),
            "and says so"
        );
        server.release().await;
    };
    let (r, ()) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(cli, server_done)
    })
    .await
    .expect("goes on");
    r.expect("prepared");
    let agency = langnghe_store::agencies::id_by_key(&other, "hn-ubnd-gia-lam")
        .await
        .expect("q")
        .expect("demo agency");
    let u = users::create(
        &other,
        &Actor::system("cli"),
        &users::NewUser {
            username: "canbo.cli".into(),
            display_name: "CLI".into(),
            password: "Huyện biên giới 2023".into(),
            role: "officer".into(),
            agency_id: agency,
            scope_unit_id: langnghe_store::geo::COUNTRY_ID,
            lang: "vi".into(),
            email: None,
        },
    )
    .await
    .expect("created");
    assert_eq!(u.username, "canbo.cli");
    other.close().await;

    // A brand-new store prepared by two processes at once: both succeed.
    let (a, bdb, drop_pg, drop_dir) = fresh_store(b).await;
    let (ra, rb) = tokio::join!(
        prepare(
            &a,
            Duration::from_secs(120),
            || {},
            Prepare {
                demo: None,
                first_admin: true,
                ..Prepare::default()
            }
        ),
        prepare(
            &bdb,
            Duration::from_secs(120),
            || {},
            Prepare {
                demo: None,
                first_admin: true,
                ..Prepare::default()
            }
        ),
    );
    let (ra, rb) = (ra.expect("first"), rb.expect("second"));
    assert_eq!(
        ra.first_password.is_some() as u8 + rb.first_password.is_some() as u8,
        1,
        "one first admin"
    );
    assert_eq!(users::count(&a).await.expect("count"), 1);
    a.close().await;
    bdb.close().await;
    if let Some(dir) = &drop_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    if let Some(name) = drop_pg {
        let admin = Db::connect(&langnghe_it::pg_admin_url())
            .await
            .expect("admin");
        if let Db::Pg(p) = &admin {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(p)
                .await;
        }
        admin.close().await;
    }
}

/// Two handles on a new, empty store (and the PostgreSQL database or the directory to drop).
async fn fresh_store(b: Backend) -> (Db, Db, Option<String>, Option<std::path::PathBuf>) {
    match b {
        Backend::Sqlite => {
            let dir = std::env::temp_dir()
                .join(format!("langnghe-init-{}", uuid::Uuid::new_v4().simple()));
            let path = dir.join("langnghe.sqlite");
            let a = Db::open_sqlite(&path).await.expect("open a");
            let b = Db::open_sqlite(&path).await.expect("open b");
            (a, b, None, Some(dir))
        }
        Backend::Postgres => {
            let name = format!(
                "langnghe_test_{}_{}",
                langnghe_it::run_id(),
                uuid::Uuid::new_v4().simple()
            );
            let admin = Db::connect(&langnghe_it::pg_admin_url())
                .await
                .expect("admin");
            if let Db::Pg(p) = &admin {
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(p)
                    .await
                    .expect("create");
            }
            admin.close().await;
            let url = langnghe_it::pg_url_for(&name);
            let a = Db::connect(&url).await.expect("a");
            let b = Db::connect(&url).await.expect("b");
            (a, b, Some(name), None)
        }
    }
}
