//! The HTTP server of langnghe: server-rendered pages and their JSON twins
//! under `/api/v1`, one folder (module) per area.

pub mod account;
pub mod activities;
pub mod agencies;
pub mod api_doc;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod charts;
pub mod common;
pub mod ctx;
pub mod dashboard;
pub mod documents;
pub mod drafts;
pub mod error;
pub mod extract;
pub mod gantt;
pub mod geo;
pub mod home;
pub mod i18n;
pub mod kept;
pub mod mail;
pub mod map;
pub mod middleware;
pub mod places;
pub mod programs;
pub mod registry;
pub mod reporting;
pub mod routes;
pub mod schemes;
pub mod scoped;
pub mod tokens;
pub mod usage;
pub mod users;
pub mod version;
pub mod views;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Request};
use axum::Router;
use langnghe_store::sessions::DbSessionStore;
use langnghe_store::Db;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::PropagateRequestIdLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Largest request body accepted (forms and JSON). Imports get their own limit later.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Largest request body of any kind (uploads; their routes raise the extractor limit).
pub const UPLOAD_BODY_LIMIT: usize = registry::import::UPLOAD_LIMIT + 64 * 1024;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served behind https).
    pub secure_cookies: bool,
    /// Shown under the brand name, e.g. the province.
    pub brand_sub: String,
    /// Session lifetime without activity.
    pub session_idle: time::Duration,
    /// Outgoing mail (reminders); `None` sends nothing.
    pub mail: Option<mail::MailConfig>,
    /// Proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`); empty:
    /// the peer address is the client.
    pub trusted_proxies: Vec<langnghe_core::auth::Cidr>,
    /// How failed logins slow down a (username, client) pair.
    pub login_throttle: langnghe_core::throttle::Policy,
    /// At most this many requests are served at once; the others wait their
    /// turn, first come first served (`middleware::take_turn`; a large upload
    /// streams without one). 0: no bound; `None`: the store's default
    /// ([`WebConfig::default_requests_at_once`]).
    pub requests_at_once: Option<usize>,
}

impl WebConfig {
    /// Eight a core on SQLite, sixteen on PostgreSQL (whose requests wait part
    /// of their time on the server's processes): enough to keep the cores and
    /// the database busy, few enough that a write's statements are not each
    /// queued behind hundreds of ready requests (docs/decisions.md, "National
    /// scale, fifth step").
    pub fn default_requests_at_once(backend: langnghe_store::Backend) -> usize {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        match backend {
            langnghe_store::Backend::Sqlite => cores * 8,
            langnghe_store::Backend::Postgres => cores * 16,
        }
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            brand_sub: String::new(),
            session_idle: time::Duration::hours(8),
            mail: None,
            trusted_proxies: Vec::new(),
            login_throttle: langnghe_core::throttle::Policy::default(),
            requests_at_once: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub views: Arc<minijinja::Environment<'static>>,
    pub config: Arc<WebConfig>,
    pub asset_version: &'static str,
    /// Failed logins in a row, per (username, client address).
    pub login_failures: Arc<Mutex<HashMap<(String, String), langnghe_core::throttle::Failures>>>,
    /// Token and session uses waiting to be written (see `usage`).
    pub usage: Arc<usage::Usage>,
    /// Imports running or finished (in memory: a restart loses the progress, never data).
    pub jobs: registry::import::Jobs,
    /// Official documents rendered once per content (see `documents`).
    pub documents: Arc<documents::Documents>,
    /// What is kept under the plans' and the registry's revisions (see `kept`).
    pub kept: Arc<kept::Kept>,
    /// What each API token lets in, kept under the revisions (see `tokens`).
    pub tokens: Arc<tokens::Tokens>,
    /// The turns of the requests served at once (`WebConfig::requests_at_once`).
    pub turns: Option<Arc<tokio::sync::Semaphore>>,
}

impl AppState {
    /// The session store, with the configured idle time.
    pub fn session_store(&self) -> DbSessionStore {
        DbSessionStore::with_idle(self.db.clone(), self.config.session_idle)
    }

    /// Write the token and session uses noted so far (the background task does
    /// this every minute; tests and shutdown call it directly).
    pub async fn flush_usage(&self) -> langnghe_store::Result<()> {
        self.usage.flush(&self.db, &self.session_store()).await
    }

    pub fn new(db: Db, config: WebConfig) -> anyhow_like::Result<AppState> {
        let views =
            views::environment().map_err(|e| anyhow_like::Error(format!("templates: {e:#}")))?;
        let at_once = config
            .requests_at_once
            .unwrap_or_else(|| WebConfig::default_requests_at_once(db.backend()));
        Ok(AppState {
            db,
            views: Arc::new(views),
            config: Arc::new(config),
            asset_version: assets::version(),
            login_failures: Arc::new(Mutex::new(HashMap::new())),
            usage: Arc::new(usage::Usage::default()),
            jobs: Arc::new(Mutex::new(HashMap::new())),
            documents: Arc::new(documents::Documents::default()),
            kept: Arc::new(kept::Kept::default()),
            tokens: Arc::new(tokens::Tokens::default()),
            turns: (at_once > 0).then(|| Arc::new(tokio::sync::Semaphore::new(at_once))),
        })
    }
}

/// A small error for start-up failures, so callers need no extra crate.
pub mod anyhow_like {
    #[derive(Debug)]
    pub struct Error(pub String);
    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl std::error::Error for Error {}
    pub type Result<T> = std::result::Result<T, Error>;
}

/// The whole application: pages, API, assets, health checks, with its layers.
pub fn app(state: AppState) -> Router {
    let (api_router, _) = routes::router().split_for_parts();
    let pages = Router::new()
        .merge(home::pages())
        .merge(auth::pages())
        .merge(account::pages())
        .merge(geo::pages())
        .merge(agencies::pages())
        .merge(users::pages())
        .merge(audit::pages())
        .merge(registry::pages::pages())
        .merge(registry::import::pages())
        .merge(registry::files::pages())
        .merge(programs::pages())
        .merge(programs::edit::pages())
        .merge(reporting::pages())
        .merge(schemes::pages())
        .merge(activities::pages())
        .merge(drafts::pages())
        .merge(routes::pages())
        .merge(map::pages())
        // --- i12-dash2 ---
        .merge(dashboard::pages())
        .merge(dashboard::overview_pages());
    // The cookie lives as long as the browser; the store expires a session after
    // `session_idle` without use (see `usage`: page views do not write it).
    let session_layer = SessionManagerLayer::new(state.session_store())
        .with_name("langnghe_sid")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnSessionEnd);
    let x_request_id = HeaderName::from_static("x-request-id");
    let secure = state.config.secure_cookies;
    let router = Router::new()
        .merge(pages)
        .merge(api_router)
        .merge(assets::router())
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(UPLOAD_BODY_LIMIT))
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::context))
        .layer(session_layer)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(PropagateRequestIdLayer::new(x_request_id))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let rid = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %rid)
            }),
        )
        // A client's id is kept only when it is 1-64 of [A-Za-z0-9._-]; else ours.
        .layer(axum::middleware::from_fn(middleware::assign_request_id))
        // Outermost: a request waits for its turn before anything is read for it.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::take_turn,
        ))
        .with_state(state);
    if secure {
        // Served over https (that is what Secure cookies say): browsers must keep to it.
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    }
}

async fn fallback() -> error::AppError {
    error::AppError::NotFound
}

/// Serve until Ctrl-C or SIGTERM, then finish the requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let store = state.session_store();
    let cleaner = tokio::spawn(async move {
        loop {
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "expired-session cleanup failed");
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
    let flusher_state = state.clone();
    let flusher = tokio::spawn(async move {
        loop {
            tokio::time::sleep(usage::FLUSH_EVERY).await;
            if let Err(e) = flusher_state.flush_usage().await {
                tracing::warn!(error = %e, "recording token and session use failed; kept for the next try");
            }
        }
    });
    let app = app(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let res = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    cleaner.abort();
    flusher.abort();
    if let Err(e) = state.flush_usage().await {
        tracing::warn!(error = %e, "recording token and session use at shutdown failed");
    }
    res
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
