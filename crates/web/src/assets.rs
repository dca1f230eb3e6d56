//! Vendored static assets, embedded in the binary and served with cache headers.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::RustEmbed;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "static/"]
#[exclude = "styleguide.html"]
struct Static;

/// A short hash of all assets: pages link `…?v=HASH`, so assets can be cached for a year.
pub fn version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut names: Vec<_> = Static::iter().collect();
        names.sort();
        for n in names {
            if let Some(f) = Static::get(&n) {
                for b in f.metadata.sha256_hash() {
                    h ^= u64::from(b);
                    h = h.wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        format!("{:x}", h & 0xffff_ffff)
    })
}

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/static/{*path}", get(serve))
        .route("/healthz", get(|| async { "ok" }))
}

async fn serve(Path(path): Path<String>) -> Response {
    match Static::get(&path) {
        Some(file) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            let mut res = file.data.into_owned().into_response();
            let h = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            res
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
