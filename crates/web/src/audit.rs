//! The audit log, read-only: an admin page with filters and its JSON twin.
//! Nothing here (or anywhere) updates or deletes audit rows.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, page_offset, Json, Query, PAGE_SIZE};
use crate::i18n::t;
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use langnghe_core::access::Action;
use langnghe_store::audit::{self as store, AuditEntry, AuditFilter};
use minijinja::context;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new().route("/audit", get(list_page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_api))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `agency`, `user`, `session`, `api_token`…
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Username of the actor.
    pub actor: Option<String>,
    /// `create`, `update`, `login`, `login_failed`, `logout`, `change_password`…
    pub action: Option<String>,
    /// From this date (inclusive, Vietnam time).
    pub from: Option<String>,
    /// Up to this date (inclusive).
    pub to: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Keyset paging: the `next` of the previous page (opaque), in place of `offset`.
    pub after: Option<String>,
    #[param(ignore)]
    pub page: Option<i64>,
}

/// One page of the audit log, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditRow>,
    pub total: i64,
    /// Give it as `after` for the page after this one; null on the last page.
    pub next: Option<String>,
}

/// The cursor of the audit page after the row with this id.
fn audit_cursor(id: i64) -> String {
    langnghe_store::cursor::Cursor {
        sort: "-id".into(),
        value: serde_json::Value::from(id),
        id,
    }
    .encode()
}

fn filter_from(q: &AuditQuery) -> AppResult<AuditFilter> {
    let mut errors = vec![];
    let date = |field: &str, v: &Option<String>, errors: &mut Vec<FieldError>| match non_empty(v) {
        None => None,
        Some(s) => match langnghe_core::vnfmt::parse_date(&s) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(field, "error-date"));
                None
            }
        },
    };
    let from = date("from", &q.from, &mut errors);
    let to = date("to", &q.to, &mut errors);
    let before_id = match non_empty(&q.after) {
        None => None,
        Some(raw) => match langnghe_store::cursor::Cursor::decode(&raw) {
            Some(c) if c.sort == "-id" => Some(c.id),
            _ => {
                errors.push(FieldError::new("after", "error-cursor"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let short = |v: &Option<String>| non_empty(v).map(|s| s.chars().take(100).collect::<String>());
    Ok(AuditFilter {
        entity: short(&q.entity),
        entity_id: short(&q.entity_id),
        actor: short(&q.actor),
        action: short(&q.action),
        from,
        to,
        limit: crate::extract::api_limit(q.limit),
        offset: crate::extract::api_offset(q.offset),
        before_id,
    })
}

// One row of the audit log as the API answers it (the before/after beside it
// in [`AuditRow`]): a view, not the store's row.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = AuditEntry)]
pub struct AuditEntryView {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

/// An audit row with its before/after.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    #[serde(flatten)]
    pub entry: AuditEntryView,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl From<AuditEntry> for AuditRow {
    fn from(e: AuditEntry) -> Self {
        AuditRow {
            before: e.before(),
            after: e.after(),
            entry: AuditEntryView {
                id: e.id,
                at: e.at,
                actor_id: e.actor_id,
                actor_name: e.actor_name,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                request_id: e.request_id,
                client_addr: e.client_addr,
            },
        }
    }
}

/// The audit log, newest first (admin only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403), (status = 422, description = "a bad filter or cursor (`after`)")))]
async fn list_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Json<AuditPage>> {
    ctx.require(Action::Administer)?;
    let f = filter_from(&q)?;
    let (items, total, next) = store::list_page(&state.db, &f).await?;
    let items = items.into_iter().map(AuditRow::from).collect();
    Ok(Json(AuditPage {
        items,
        total,
        next: next.map(audit_cursor),
    }))
}

/// Field-by-field changes of one audit row, for people to read.
pub fn diff(e: &AuditEntry) -> Vec<(String, String, String)> {
    let before = e.before().unwrap_or(serde_json::Value::Null);
    let after = e.after().unwrap_or(serde_json::Value::Null);
    let mut keys: Vec<String> = vec![];
    for v in [&before, &after] {
        if let Some(o) = v.as_object() {
            for k in o.keys() {
                if !keys.contains(k) && !matches!(k.as_str(), "updated_at" | "created_at") {
                    keys.push(k.clone());
                }
            }
        }
    }
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    keys.into_iter()
        .filter_map(|k| {
            let b = show(before.get(&k));
            let a = show(after.get(&k));
            (b != a).then_some((k, b, a))
        })
        .collect()
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Html<String>> {
    ctx.require(Action::Administer)?;
    let (page, offset) = page_offset(q.page);
    let (mut f, errors) = match filter_from(&q) {
        Ok(f) => (f, vec![]),
        Err(AppError::Validation(e)) => (AuditFilter::default(), e),
        Err(e) => return Err(e),
    };
    f.limit = PAGE_SIZE;
    f.offset = offset;
    let (items, total, next) = store::list_page(&state.db, &f).await?;
    let rows: Vec<_> = items
        .iter()
        .map(|e| {
            context! {
                e => e,
                at => e.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                changes => diff(e),
            }
        })
        .collect();
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    let page_ctx = context! {
        title => t(ctx.lang, "audit-title"),
        rows => rows,
        pager => crate::views::pager_after(ctx.lang, page, PAGE_SIZE, total, next.map(audit_cursor)),
        f => context! { entity => field(&q.entity), entity_id => field(&q.entity_id), actor => field(&q.actor), action => field(&q.action), from => field(&q.from), to => field(&q.to) },
        errors => crate::views::field_errors(ctx.lang, &errors),
        query_base => serde_urlencoded::to_string([
            ("entity", field(&q.entity)), ("entity_id", field(&q.entity_id)), ("actor", field(&q.actor)),
            ("action", field(&q.action)), ("from", field(&q.from)), ("to", field(&q.to)),
        ]).unwrap_or_default(),
    };
    render(&state, &ctx, "audit/list.html", page_ctx)
}
