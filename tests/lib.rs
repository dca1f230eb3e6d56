//! Test harness: a fresh database per test (SQLite file or PostgreSQL database),
//! the real router driven in-process, and a client that keeps its session cookie
//! and CSRF token like a browser.

pub mod files;
pub mod smtp;

use axum::body::Body;
use axum::Router;
use http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use langnghe_store::{seed, Db};
use langnghe_web::{AppState, WebConfig};
use std::path::PathBuf;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn pg_admin_url() -> String {
    std::env::var("LANGNGHE_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Names every database this test run creates, so `pg-cleanup` can drop them all
/// (the per-process template outlives the tests that use it).
pub fn run_id() -> String {
    std::env::var("LANGNGHE_TEST_RUN")
        .ok()
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "manual".into())
        .to_lowercase()
}

pub fn pg_url_for(db: &str) -> String {
    let admin = pg_admin_url();
    match admin.rfind('/') {
        Some(i) => format!("{}/{db}", &admin[..i]),
        None => admin,
    }
}

fn tmp_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("test-db")
        .join(std::process::id().to_string());
    std::fs::create_dir_all(&dir).expect("create test dir");
    dir
}

static SQLITE_TEMPLATE: tokio::sync::OnceCell<PathBuf> = tokio::sync::OnceCell::const_new();
static PG_TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
static PG_CREATE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Geography and demo data are loaded once per test process into a template,
/// which each test copies: loading them takes seconds, copying milliseconds.
async fn sqlite_template() -> PathBuf {
    SQLITE_TEMPLATE
        .get_or_init(|| async {
            let dir = tmp_dir();
            let build = dir.join("template-build.sqlite");
            let db = Db::open_sqlite(&build).await.expect("open template");
            db.migrate().await.expect("migrate template");
            seed::ensure_geography(&db).await.expect("geography");
            langnghe_demo::ensure_demo(&db).await.expect("demo");
            let tpl = dir.join("template.sqlite");
            let _ = std::fs::remove_file(&tpl);
            db.backup_to(&tpl).await.expect("vacuum into template");
            db.close().await;
            tpl
        })
        .await
        .clone()
}

async fn pg_template() -> String {
    PG_TEMPLATE
        .get_or_init(|| async {
            let name = format!("langnghe_tpl_{}_{}", run_id(), uuid::Uuid::new_v4().simple());
            let admin = Db::connect(&pg_admin_url()).await.unwrap_or_else(|e| {
                panic!(
                    "no PostgreSQL at {} ({e}). Run the suite with scripts/test, which skips the PostgreSQL half when no server is reachable, or set LANGNGHE_TEST_PG",
                    pg_admin_url()
                )
            });
            exec(&admin, &format!("CREATE DATABASE {name}")).await;
            admin.close().await;
            let db = Db::connect(&pg_url_for(&name)).await.expect("connect template");
            db.migrate().await.expect("migrate template");
            seed::ensure_geography(&db).await.expect("geography");
            langnghe_demo::ensure_demo(&db).await.expect("demo");
            db.close().await;
            name
        })
        .await
        .clone()
}

async fn exec(db: &Db, sql: &str) {
    if let Db::Pg(p) = db {
        sqlx::query(sql)
            .execute(p)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// Removes the test's database when the test ends (pass or fail).
pub struct Cleanup {
    sqlite_file: Option<PathBuf>,
    pg_db: Option<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(f) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", f.display()));
            }
        }
        if let Some(name) = self.pg_db.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(admin) = Db::connect(&pg_admin_url()).await {
                            if let Db::Pg(p) = &admin {
                                let _ = sqlx::query(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .execute(p)
                                .await;
                            }
                            admin.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub backend: Backend,
    pub db: Db,
    pub state: AppState,
    pub router: Router,
    pub admin_password: String,
    _cleanup: Cleanup,
}

impl TestApp {
    /// Every period's kept totals (`period_totals`) equal a recomputation from
    /// its approved and locked reports' lines; returns how many periods hold any.
    pub async fn assert_totals_kept(&self) -> usize {
        use langnghe_store::reporting::{recomputed_totals, PeriodTotal};
        let ids: Vec<i64> = langnghe_store::with_db!(&self.db, |c| {
            sqlx::query_scalar("SELECT id FROM report_periods ORDER BY id")
                .fetch_all(c)
                .await
                .expect("periods")
        });
        let mut holding = 0;
        for id in ids {
            let kept: Vec<PeriodTotal> = langnghe_store::with_db!(&self.db, |c| {
                sqlx::query_as(
                    "SELECT period_id, indicator_id, category, value_sum, value_n FROM period_totals \
                     WHERE period_id = $1 ORDER BY indicator_id, category",
                )
                .bind(id)
                .fetch_all(c)
                .await
                .expect("kept totals")
            });
            let fresh = recomputed_totals(&self.db, id).await.expect("recomputed");
            let key = |t: &PeriodTotal| (t.indicator_id, t.category.clone(), t.value_n);
            assert_eq!(
                kept.iter().map(key).collect::<Vec<_>>(),
                fresh.iter().map(key).collect::<Vec<_>>(),
                "period {id}: the kept lines and counts"
            );
            for (k, f) in kept.iter().zip(&fresh) {
                assert!(
                    (k.value_sum - f.value_sum).abs() <= 1e-9 * f.value_sum.abs().max(1.0),
                    "period {id}: kept {k:?}, recomputed {f:?}"
                );
            }
            holding += usize::from(!kept.is_empty());
        }
        holding
    }

    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, WebConfig::default()).await
    }

    /// Like [`TestApp::spawn`], with a given configuration (e.g. an SMTP server).
    pub async fn spawn_with(backend: Backend, config: WebConfig) -> TestApp {
        let (db, cleanup) = match backend {
            Backend::Sqlite => {
                let tpl = sqlite_template().await;
                let file = tmp_dir().join(format!("{}.sqlite", uuid::Uuid::new_v4().simple()));
                std::fs::copy(&tpl, &file).expect("copy template");
                let db = Db::open_sqlite(&file).await.expect("open test db");
                (
                    db,
                    Cleanup {
                        sqlite_file: Some(file),
                        pg_db: None,
                    },
                )
            }
            Backend::Postgres => {
                let tpl = pg_template().await;
                let name = format!(
                    "langnghe_test_{}_{}",
                    run_id(),
                    uuid::Uuid::new_v4().simple()
                );
                {
                    // CREATE DATABASE … TEMPLATE needs the template to itself: one at a time.
                    let _guard = PG_CREATE.lock().await;
                    let admin = Db::connect(&pg_admin_url()).await.expect("pg admin");
                    exec(&admin, &format!("CREATE DATABASE {name} TEMPLATE {tpl}")).await;
                    admin.close().await;
                }
                let cleanup = Cleanup {
                    sqlite_file: None,
                    pg_db: Some(name.clone()),
                };
                let db = Db::connect(&pg_url_for(&name))
                    .await
                    .expect("connect test db");
                (db, cleanup)
            }
        };
        db.migrate().await.expect("migrations are idempotent");
        let admin_password = seed::ensure_admin(&db)
            .await
            .expect("admin")
            .expect("first admin");
        let state = AppState::new(db.clone(), config).expect("state");
        let router = langnghe_web::app(state.clone());
        TestApp {
            backend,
            db,
            state,
            router,
            admin_password,
            _cleanup: cleanup,
        }
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            csrf: None,
            bearer: None,
            accept_language: None,
        }
    }

    /// A client logged in as admin.
    pub async fn admin(&self) -> Client {
        let mut c = self.client();
        let r = c.login("admin", &self.admin_password).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "admin login: {}", r.body);
        c
    }

    /// Create a user through the API as admin; returns a client logged in as them.
    pub async fn user(&self, username: &str, role: &str, agency: &str, scope: &str) -> Client {
        let mut admin = self.admin().await;
        let password = format!("{username}-Mật-khẩu-2026").replace(username, "pw");
        let r = admin
            .json(
                Method::POST,
                "/api/v1/users",
                serde_json::json!({
                    "username": username, "display_name": username, "password": password,
                    "role": role, "agency": agency, "scope": scope,
                }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "create {username}: {}",
            r.body
        );
        let mut c = self.client();
        let r = c.login(username, &password).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login {username}: {}",
            r.body
        );
        c
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    pub accept_language: Option<String>,
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let i = html.find(marker)? + marker.len();
    let j = html[i..].find('"')?;
    Some(html[i..i + j].to_string())
}

impl Client {
    pub fn with_router(&self, router: Router) -> Client {
        Client {
            router,
            ..self.clone()
        }
    }

    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let mut req = req;
        if let Some(c) = &self.cookie {
            req.headers_mut().insert(
                header::COOKIE,
                format!("langnghe_sid={c}").parse().expect("cookie"),
            );
        }
        if let Some(t) = &self.bearer {
            req.headers_mut().insert(
                header::AUTHORIZATION,
                format!("Bearer {t}").parse().expect("bearer"),
            );
        }
        if let Some(l) = &self.accept_language {
            req.headers_mut()
                .insert(header::ACCEPT_LANGUAGE, l.parse().expect("lang"));
        }
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router never fails");
        for v in res.headers().get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap_or("");
            if let Some(rest) = s.strip_prefix("langnghe_sid=") {
                let val = rest.split(';').next().unwrap_or("");
                self.cookie = if val.is_empty() || s.contains("Max-Age=0") {
                    None
                } else {
                    Some(val.to_string())
                };
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let body = String::from_utf8_lossy(&bytes).to_string();
        if let Some(t) = extract_csrf(&body) {
            self.csrf = Some(t);
        }
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }

    /// POST a form; the CSRF token from the last page is added unless given.
    pub async fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !fields.iter().any(|(k, _)| *k == "csrf_token") {
            if let Some(c) = &self.csrf {
                all.push(("csrf_token".into(), c.clone()));
            }
        }
        let body = serde_urlencoded::to_string(&all).expect("form");
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }

    /// Send JSON; with a session (not a token) the CSRF header is added.
    pub async fn json(&mut self, method: Method, path: &str, value: serde_json::Value) -> Resp {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if self.bearer.is_none() {
            if let Some(c) = &self.csrf {
                b = b.header("x-csrf-token", c);
            }
        }
        self.send(b.body(Body::from(value.to_string())).expect("request"))
            .await
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Resp {
        self.get("/login").await;
        self.form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

impl Client {
    /// The raw bytes of a response (files).
    pub async fn send_raw(&mut self, req: Request<Body>) -> Vec<u8> {
        let mut req = req;
        if let Some(c) = &self.cookie {
            req.headers_mut().insert(
                header::COOKIE,
                format!("langnghe_sid={c}").parse().expect("cookie"),
            );
        }
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router never fails");
        res.into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec()
    }
}

/// A response whose body is kept as bytes (a downloaded file).
#[derive(Debug)]
pub struct FileResp {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl FileResp {
    /// A header's value, "" when absent.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

impl Client {
    /// GET with the session, token and language of this client; the body kept as bytes.
    pub async fn get_file(&mut self, path: &str) -> FileResp {
        let mut req = Request::get(path).body(Body::empty()).expect("request");
        if let Some(c) = &self.cookie {
            req.headers_mut().insert(
                header::COOKIE,
                format!("langnghe_sid={c}").parse().expect("cookie"),
            );
        }
        if let Some(t) = &self.bearer {
            req.headers_mut().insert(
                header::AUTHORIZATION,
                format!("Bearer {t}").parse().expect("bearer"),
            );
        }
        if let Some(l) = &self.accept_language {
            req.headers_mut()
                .insert(header::ACCEPT_LANGUAGE, l.parse().expect("lang"));
        }
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router never fails");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        FileResp {
            status,
            headers,
            bytes,
        }
    }
}
