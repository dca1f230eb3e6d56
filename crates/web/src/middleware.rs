//! The request middleware: builds the [`Ctx`] of every request (session or
//! token, language, CSRF check, request id) and turns every error answer into a
//! body in the reader's language (JSON for the API, an HTML page otherwise).
//! It stands above `ctx` and `views`, which it uses; neither uses it.

use crate::ctx::{
    urlencode, Ctx, Flash, BUSY_RETRY_SECONDS, CSRF_FIELD, CSRF_HEADER, SESSION_CSRF,
    SESSION_FLASH, SESSION_LANG, SESSION_USER,
};
use crate::error::{AppError, RecordedError};
use crate::i18n::Lang;
use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, request::Parts, HeaderValue, Method, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use langnghe_store::users;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::Session;

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Bodies we read to find the CSRF field are small forms; larger bodies must send the header.
const CSRF_FORM_MAX: usize = 1024 * 1024;

/// A header's value as text ("" when absent or not text).
fn header_text(headers: &axum::http::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The client's address: the peer, or the address a trusted proxy forwarded.
fn client_of(state: &AppState, parts: &axum::http::request::Parts) -> Option<String> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>()?;
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(
        langnghe_core::auth::client_addr(peer.0.ip(), &forwarded, &state.config.trusted_proxies)
            .to_string(),
    )
}

pub async fn context(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let is_api = path.starts_with("/api/");
    let is_static = path.starts_with("/static/") || path == "/healthz" || path == "/readyz";
    let request_id = header_text(&parts.headers, "x-request-id");
    let client_addr = client_of(&state, &parts);
    let accept_lang = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default();
    let mut ctx = Ctx {
        user: None,
        lang: accept_lang,
        csrf: String::new(),
        request_id,
        client_addr,
        via_token: false,
        is_api,
        revisions: None,
        path_and_query: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| path.clone()),
        flash: None,
        csrf_pending: false,
        unread: 0,
    };
    if is_static {
        parts.extensions.insert(ctx.clone());
        let res = next.run(Request::from_parts(parts, body)).await;
        return finish(&state, &ctx, &parts_method_get(), res);
    }
    let res = context_inner(&state, &mut ctx, parts, body, next).await;
    cache_control(&ctx, res)
}

/// Authenticated answers and the API are never stored by a browser or a proxy;
/// other pages are revalidated. (Static assets keep their long cache.)
fn cache_control(ctx: &Ctx, mut res: Response) -> Response {
    let value = if ctx.is_api || ctx.user.is_some() {
        HeaderValue::from_static("no-store")
    } else if res.headers().contains_key(header::CACHE_CONTROL) {
        return res;
    } else {
        HeaderValue::from_static("private, no-cache")
    };
    res.headers_mut().insert(header::CACHE_CONTROL, value);
    res
}

/// The request id: the client's `X-Request-Id` when it is 1-64 characters of
/// `[A-Za-z0-9._-]`, else a new one. Put on the request (for the log, the
/// audit rows and the error bodies) and echoed on the response.
pub async fn assign_request_id(mut req: Request<Body>, next: Next) -> Response {
    let given = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| langnghe_core::auth::valid_request_id(v))
        .is_some();
    if !given {
        let id = uuid::Uuid::new_v4().to_string();
        if let Ok(v) = HeaderValue::from_str(&id) {
            req.headers_mut().insert("x-request-id", v);
        }
    }
    next.run(req).await
}

async fn context_inner(
    state: &AppState,
    ctx: &mut Ctx,
    mut parts: Parts,
    body: Body,
    next: Next,
) -> Response {
    let state = state.clone();
    let is_api = ctx.is_api;
    let session = parts.extensions.get::<Session>().cloned();

    let method = parts.method.clone();
    // NUL can be stored by neither database nor shown to a person: refuse it at the door,
    // in the query string and in form or JSON bodies, before any handler binds it.
    if parts.uri.query().is_some_and(has_encoded_nul) || has_encoded_nul(parts.uri.path()) {
        return finish(
            &state,
            ctx,
            &method,
            AppError::bad("error-control-char").into_response(),
        );
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let body = if content_type.starts_with("application/x-www-form-urlencoded")
        || content_type.starts_with("application/json")
    {
        match axum::body::to_bytes(body, crate::BODY_LIMIT).await {
            Ok(bytes) => {
                let nul = if content_type.starts_with("application/json") {
                    bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"))
                        || bytes.contains(&0)
                } else {
                    std::str::from_utf8(&bytes).is_ok_and(has_encoded_nul) || bytes.contains(&0)
                };
                if nul {
                    return finish(
                        &state,
                        ctx,
                        &method,
                        AppError::bad("error-control-char").into_response(),
                    );
                }
                Body::from(bytes)
            }
            Err(_) => return finish(&state, ctx, &method, AppError::TooLarge.into_response()),
        }
    } else {
        body
    };
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    let outcome = async {
        if let Some(token) = bearer {
            // The revisions first: what the token lets in is kept under
            // them, and so is what the request reads after.
            let revisions = state.kept.revisions(&state.db).await?;
            let (token_id, user) = state
                .tokens
                .admit(&state.db, &token, revisions)
                .await?
                .ok_or(AppError::Unauthorized)?;
            ctx.revisions = Some((revisions.plans, revisions.registry));
            // Noted, not written: the last use is recorded off the request path.
            state
                .usage
                .token_used(token_id, time::OffsetDateTime::now_utc());
            ctx.lang = Lang::parse(&user.lang).unwrap_or_default();
            ctx.user = Some(user);
            ctx.via_token = true;
            return Ok::<_, AppError>(None);
        }
        let Some(session) = &session else {
            return Ok(None);
        };
        let sess_err = |e: tower_sessions::session::Error| AppError::Internal(e.to_string());
        if let Some(uid) = session.get::<i64>(SESSION_USER).await.map_err(sess_err)? {
            match users::get(&state.db, uid).await? {
                Some(u) if u.active => {
                    ctx.lang = Lang::parse(&u.lang).unwrap_or_default();
                    ctx.user = Some(Arc::new(u));
                    // Keeps the session alive: noted, written off the request path.
                    if let Some(id) = session.id() {
                        state
                            .usage
                            .session_used(id.to_string(), time::OffsetDateTime::now_utc());
                    }
                }
                _ => {
                    session.flush().await.map_err(sess_err)?;
                }
            }
        } else if let Some(l) = session
            .get::<String>(SESSION_LANG)
            .await
            .map_err(sess_err)?
        {
            ctx.lang = Lang::parse(&l).unwrap_or(ctx.lang);
        }
        let existing: Option<String> = session.get(SESSION_CSRF).await.map_err(sess_err)?;
        ctx.csrf = match existing {
            Some(c) => c,
            None if !is_api => {
                let c = users::random_secret(24);
                session.insert(SESSION_CSRF, &c).await.map_err(sess_err)?;
                c
            }
            None => String::new(),
        };
        // Removing marks the session changed (a write): only when there is a message.
        if !is_api
            && method == Method::GET
            && session
                .get_value(SESSION_FLASH)
                .await
                .map_err(sess_err)?
                .is_some()
        {
            ctx.flash = session
                .remove::<Flash>(SESSION_FLASH)
                .await
                .map_err(sess_err)?;
        }
        // The header's counter: one COUNT on the notifications of the user, for page views.
        if !is_api && method == Method::GET {
            if let Some(u) = &ctx.user {
                ctx.unread = langnghe_store::reporting::unread_count(&state.db, u.id).await?;
            }
        }
        Ok(Some(()))
    }
    .await;
    if let Err(e) = outcome {
        return finish(&state, ctx, &method, e.into_response());
    }

    // CSRF: every state-changing request made with a session cookie must carry the token.
    let mut body = body;
    if !is_safe(&method) && !ctx.via_token {
        if ctx.is_api && ctx.user.is_none() {
            return finish(&state, ctx, &method, AppError::Unauthorized.into_response());
        }
        if parts
            .headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"cross-site")
        {
            return finish(&state, ctx, &method, AppError::Csrf.into_response());
        }
        let mut provided = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.to_string());
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if provided.is_none() && is_form {
            match axum::body::to_bytes(body, CSRF_FORM_MAX).await {
                Ok(bytes) => {
                    provided = form_urlencoded_field(&bytes, CSRF_FIELD);
                    body = Body::from(bytes);
                }
                Err(_) => return finish(&state, ctx, &method, AppError::TooLarge.into_response()),
            }
        }
        let is_multipart = content_type.starts_with("multipart/form-data");
        if provided.is_none() && is_multipart && !ctx.csrf.is_empty() {
            // The token is a field of the upload; the handler reads it (see registry::import).
            ctx.csrf_pending = true;
        }
        let ok = ctx.csrf_pending
            || (!ctx.csrf.is_empty()
                && provided
                    .as_deref()
                    .is_some_and(|p| constant_time_eq(p.as_bytes(), ctx.csrf.as_bytes())));
        if !ok {
            // Without a session there is nobody to protect, but there is nobody logged in either.
            return finish(&state, ctx, &method, AppError::Csrf.into_response());
        }
    }

    parts.extensions.insert(ctx.clone());
    let res = next.run(Request::from_parts(parts, body)).await;
    finish(&state, ctx, &method, res)
}

/// A percent-encoded NUL (`%00`) or a raw one in a query string or form body.
fn has_encoded_nul(s: &str) -> bool {
    s.contains('\0') || s.to_ascii_lowercase().contains("%00")
}

fn parts_method_get() -> Method {
    Method::GET
}

fn form_urlencoded_field(bytes: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Turn error responses into a body in the user's language: JSON for the API, HTML for pages.
fn finish(state: &AppState, ctx: &Ctx, method: &Method, mut res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let err = match res.extensions_mut().remove::<RecordedError>() {
        Some(e) => e.0,
        None => {
            // A response axum or tower made itself. Leave alone bodies that are already ours.
            let ct = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if ct.starts_with("application/json") || ct.starts_with("text/html") {
                return res;
            }
            Arc::new(AppError::from_status(status))
        }
    };
    if ctx.is_api {
        let body = crate::error::api_body(&err, ctx.lang, &ctx.request_id);
        let mut out = (status, axum::Json(body)).into_response();
        retry_after(&err, &mut out);
        return out;
    }
    if matches!(&*err, AppError::Unauthorized) && *method == Method::GET {
        let next = urlencode(&ctx.path_and_query);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let html = crate::views::render_error(state, ctx, status, &err);
    let mut out = (status, html).into_response();
    retry_after(&err, &mut out);
    out
}

/// Seconds a client should wait before trying again, for 429 and 503.
fn retry_after(err: &AppError, res: &mut Response) {
    let secs = match err {
        AppError::TooManyAttempts { wait_seconds } => (*wait_seconds).max(1),
        AppError::Busy(_) => BUSY_RETRY_SECONDS,
        _ => return,
    };
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

/// Every request but a large upload is served in turns: at most
/// `requests_at_once` at once, first come first served, so that under a burst the
/// requests queue here rather than as hundreds of ready tasks on two cores, and
/// each is then served in about the time it takes (a write's statements are not
/// each queued behind all the others). A request with a body (up to
/// [`crate::BODY_LIMIT`], its size told) takes its turn once the
/// body has arrived, so a slow sender never holds one; a larger or unsized body
/// (a file, an import) streams without a turn.
pub async fn take_turn(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let Some(turns) = state.turns.clone() else {
        return next.run(req).await;
    };
    let bodiless = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let req = if bodiless {
        req
    } else {
        // The size the body is known to have (its `Content-Length`, over HTTP).
        let told = axum::body::HttpBody::size_hint(req.body())
            .exact()
            .and_then(|n| usize::try_from(n).ok());
        match told {
            Some(n) if n <= crate::BODY_LIMIT => {
                let (parts, body) = req.into_parts();
                match axum::body::to_bytes(body, n).await {
                    Ok(bytes) => {
                        axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))
                    }
                    // The sender went away or sent more than it said.
                    Err(_) => return axum::http::StatusCode::BAD_REQUEST.into_response(),
                }
            }
            _ => return next.run(req).await,
        }
    };
    // The semaphore is never closed; were it, the request goes without a turn.
    let _turn = turns.acquire_owned().await.ok();
    next.run(req).await
}
