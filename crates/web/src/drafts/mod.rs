//! Plan documents in, draft programme out: an official pastes a plan's text or
//! uploads its file (DOCX, PDF with text, TXT); the reading (`core::ingest`)
//! proposes the programme, every item tied to its passage; the review page
//! shows the text with each item highlighted where it came from, beside the
//! items to keep, correct or drop; accepting creates the programme.

mod accept;
pub mod views;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::Json;
use crate::i18n::t;
use crate::scoped::{Editable, InScope, Reach, Scoped};
use crate::views::render;
use crate::AppState;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use langnghe_core::access::Action;
use langnghe_core::ingest::{self as ingest, AgencyCandidate};
use langnghe_core::text::fold_vi;
use langnghe_store::drafts::{self as store, NewDraft, PlanDraft};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use views::{DraftView, Matcher};

/// The largest file or text read (as for registry imports).
pub const UPLOAD_LIMIT: usize = crate::registry::import::UPLOAD_LIMIT;
/// The longest text read, in characters (a 40-page plan is about 100.000).
const TEXT_MAX: usize = 2_000_000;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/plans/import", get(import_page).post(import_post))
        .route("/plans/drafts/{id}", get(review_page))
        .route("/plans/drafts/{id}/accept", post(accept_page))
        .layer(axum::extract::DefaultBodyLimit::max(
            UPLOAD_LIMIT + 64 * 1024,
        ))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api, create_api))
        .routes(routes!(get_api))
        .routes(routes!(accept_api))
        .layer(axum::extract::DefaultBodyLimit::max(
            UPLOAD_LIMIT + 64 * 1024,
        ))
}

/// A draft in the caller's scope (where it was read).
impl InScope for PlanDraft {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, reach: Reach) -> AppResult<Self> {
        let user = match reach {
            Reach::Read => ctx.require(Action::Read)?,
            Reach::Change => ctx.require(Action::EditRegistry)?,
        };
        store::get(&state.db, user.scope_unit_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }
}

/// A plan's text to read: `{"text": "…", "title": "…"}`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DraftInput {
    /// The plan's text, as pasted.
    pub text: String,
    /// A title for the draft (the document's own title is read from the text).
    #[serde(default)]
    pub title: Option<String>,
}

/// What was sent: the text, a title, the file's name.
struct Sent {
    text: String,
    title: Option<String>,
    file_name: Option<String>,
}

/// Read the text of a JSON body, or of a multipart form (`text` and/or `file`, `title`).
async fn sent(state: &AppState, ctx: &Ctx, req: Request) -> AppResult<Sent> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        let Json(input) = Json::<DraftInput>::from_request(req, state).await?;
        return Ok(Sent {
            text: input.text,
            title: input.title,
            file_name: None,
        });
    }
    let mut m = Multipart::from_request(req, state)
        .await
        .map_err(|_| AppError::bad("error-form"))?;
    let mut out = Sent {
        text: String::new(),
        title: None,
        file_name: None,
    };
    let mut token = None;
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = m
        .next_field()
        .await
        .map_err(|_| AppError::bad("error-form"))?
    {
        match field.name() {
            Some("csrf_token") => token = field.text().await.ok(),
            Some("title") => out.title = field.text().await.ok().filter(|s| !s.trim().is_empty()),
            Some("text") => out.text = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().map(str::to_string);
                let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
                if !bytes.is_empty() {
                    out.file_name = name;
                    file = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    if ctx.csrf_pending && token.as_deref() != Some(ctx.csrf.as_str()) {
        return Err(AppError::Csrf);
    }
    if let Some(bytes) = file {
        if bytes.len() > UPLOAD_LIMIT {
            return Err(AppError::TooLarge);
        }
        let text =
            tokio::task::spawn_blocking(move || langnghe_reports::plan_text::plan_text(&bytes))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| AppError::Validation(vec![FieldError::new("file", e.key())]))?;
        out.text = text;
    }
    Ok(out)
}

/// Read a text into a draft and keep it; the draft's id.
async fn propose(state: &AppState, ctx: &Ctx, s: Sent) -> AppResult<i64> {
    let user = ctx.require(Action::EditRegistry)?;
    let text = ingest::normalise(&s.text);
    if text.trim().is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "text",
            "error-required",
        )]));
    }
    if text.chars().count() > TEXT_MAX {
        return Err(AppError::TooLarge);
    }
    let title = s
        .title
        .map(|t| langnghe_core::text::clean_text(&t, 500))
        .transpose()
        .map_err(|_| AppError::Validation(vec![FieldError::new("title", "error-text")]))?;
    let for_reading = text.clone();
    let reading = tokio::task::spawn_blocking(move || ingest::read_plan(&for_reading))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let matcher = matcher(state, user.scope_unit_id).await?;
    let mut view = views::build(reading, &matcher);
    view.title = title.clone();
    place_codes(state, &mut view).await?;
    let proposal = serde_json::to_string(&view).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(store::insert(
        &state.db,
        &ctx.actor(),
        &NewDraft {
            title,
            file_name: s.file_name.map(|n| n.chars().take(200).collect()),
            text,
            proposal,
            scope_unit_id: user.scope_unit_id,
            created_by: Some(user.id),
        },
    )
    .await?)
}

/// The agencies of the caller's scope, to match names against.
async fn matcher(state: &AppState, scope: i64) -> AppResult<Matcher> {
    let candidates = langnghe_store::agencies::options(&state.db, scope)
        .await?
        .into_iter()
        .map(|(id, name)| AgencyCandidate {
            id,
            name,
            short_name: None,
        })
        .collect();
    Ok(Matcher { candidates })
}

/// An admin unit of a kind ("huyện", "xã") whose name matches, in force on `day`.
async fn unit_named(
    state: &AppState,
    name: &str,
    level: langnghe_core::geo::Level,
    parent: Option<i64>,
    day: time::Date,
) -> AppResult<Option<langnghe_store::geo::AdminUnit>> {
    let want = fold_vi(name);
    let bare = want
        .split_once(' ')
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_else(|| want.clone());
    let (units, _) = langnghe_store::geo::list(
        &state.db,
        &langnghe_store::geo::UnitFilter {
            level: Some(level),
            parent_id: parent,
            as_of: Some(day),
            q: Some(bare),
            limit: 50,
            offset: 0,
        },
    )
    .await?;
    Ok(units.into_iter().find(|u| fold_vi(&u.name) == want))
}

/// The admin unit of each place: its commune inside its district, as the
/// units stood on the document's date (today's when it has none).
async fn place_codes(state: &AppState, view: &mut DraftView) -> AppResult<()> {
    use langnghe_core::geo::Level;
    let day = document_day(view);
    let mut districts: HashMap<String, Option<langnghe_store::geo::AdminUnit>> = HashMap::new();
    let mut communes: HashMap<(String, i64), Option<langnghe_store::geo::AdminUnit>> =
        HashMap::new();
    for p in &mut view.places {
        let district = match &p.district {
            Some(d) => {
                if !districts.contains_key(d) {
                    let u = unit_named(state, d, Level::District, None, day).await?;
                    districts.insert(d.clone(), u);
                }
                districts.get(d).cloned().flatten()
            }
            None => None,
        };
        // A commune named by several places is looked up once.
        let commune = match (&p.commune, &district) {
            (Some(c), Some(d)) => {
                let key = (c.clone(), d.id);
                if !communes.contains_key(&key) {
                    let u = unit_named(state, c, Level::Commune, Some(d.id), day).await?;
                    communes.insert(key.clone(), u);
                }
                communes.get(&key).cloned().flatten()
            }
            _ => None,
        };
        p.admin_unit_code = commune.or(district).map(|u| u.code);
    }
    Ok(())
}

/// The day the admin units are read at: the document's date, else today.
fn document_day(v: &DraftView) -> time::Date {
    v.document
        .date
        .as_deref()
        .and_then(|d| langnghe_core::vnfmt::parse_date(d).ok())
        .unwrap_or_else(crate::common::today)
}

/// The ids of the places' admin units (by code, as the draft names them).
pub(super) async fn resolve_place_ids(
    state: &AppState,
    v: &DraftView,
) -> AppResult<Vec<Option<i64>>> {
    let day = document_day(v);
    let mut out = Vec::new();
    for p in &v.places {
        let id = match &p.admin_unit_code {
            Some(code) => {
                langnghe_store::geo::resolve(&state.db, code, Some(day), crate::common::today())
                    .await?
                    .map(|u| u.id)
            }
            None => None,
        };
        out.push(id);
    }
    Ok(out)
}

/// The stored draft as the API answers it.
fn view_of(d: &PlanDraft) -> AppResult<DraftView> {
    let mut v: DraftView =
        serde_json::from_str(&d.proposal).map_err(|e| AppError::Internal(e.to_string()))?;
    v.id = d.id;
    v.title = d.title.clone();
    v.program_id = d.program_id;
    Ok(v)
}

/// Read a plan's text — pasted (`{"text", "title"}`) or uploaded (multipart
/// `file`: DOCX, PDF with a text layer, TXT, recognised by content; at most
/// 20 MB) — into a draft programme: the document, its legal basis, period,
/// objectives, indicators with targets and results, tasks with lead and
/// coordinating agencies (matched to the registry, with the confidence),
/// places, budget, reporting rule and timeline, each with its passage.
#[utoipa::path(post, path = "/api/v1/plan-drafts", tag = "plans",
    request_body(content = DraftInput, description = "JSON `{text, title}`, or multipart/form-data with `file` (DOCX, PDF, TXT) and optional `title`"),
    responses((status = 201, body = DraftView), (status = 400), (status = 403), (status = 413),
        (status = 415), (status = 422, description = "no text, or a file that is not a DOCX, PDF or text file, or a scanned PDF without text")))]
async fn create_api(State(state): State<AppState>, ctx: Ctx, req: Request) -> AppResult<Response> {
    let s = sent(&state, &ctx, req).await?;
    let id = propose(&state, &ctx, s).await?;
    let d = PlanDraft::load(&state, &ctx, id, Reach::Read).await?;
    Ok((StatusCode::CREATED, Json(view_of(&d)?)).into_response())
}

/// A draft in a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DraftSummaryView {
    pub id: i64,
    pub title: Option<String>,
    pub file_name: Option<String>,
    /// The programme it became, once accepted.
    pub program_id: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub accepted_at: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl From<store::DraftSummary> for DraftSummaryView {
    fn from(d: store::DraftSummary) -> Self {
        DraftSummaryView {
            id: d.id,
            title: d.title,
            file_name: d.file_name,
            program_id: d.program_id,
            accepted_at: d.accepted_at.map(rfc3339),
            created_at: rfc3339(d.created_at),
        }
    }
}

/// Paging of the drafts list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DraftQuery {
    /// At most this many (1–500, default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The drafts read in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/plan-drafts", tag = "plans", params(DraftQuery),
    responses((status = 200, body = crate::common::ListOf<DraftSummaryView>), (status = 401)))]
async fn list_api(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::extract::Query(q): crate::extract::Query<DraftQuery>,
) -> AppResult<Json<crate::common::ListOf<DraftSummaryView>>> {
    let user = ctx.require(Action::Read)?;
    let (items, total) = store::list(
        &state.db,
        user.scope_unit_id,
        crate::extract::api_limit(q.limit),
        crate::extract::api_offset(q.offset),
    )
    .await?;
    Ok(Json(crate::common::ListOf {
        items: crate::common::views(items),
        total,
    }))
}

/// A draft as it was proposed (and the programme it became, once accepted).
#[utoipa::path(get, path = "/api/v1/plan-drafts/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = DraftView), (status = 404)))]
async fn get_api(Scoped(d): Scoped<PlanDraft>) -> AppResult<Json<DraftView>> {
    Ok(Json(view_of(&d)?))
}

/// The programme created from a draft.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AcceptedBody {
    pub program_id: i64,
    /// The programme's page.
    pub href: String,
}

/// Create the programme (status draft) a draft describes, with the draft as
/// edited in the body: items left out are dropped, agencies are taken by
/// `agency_id`. In one transaction: the programme, its documents (added to
/// the registry when new), indicators and targets, tasks with their agencies,
/// budget lines, places and reporting days. A draft becomes one programme.
#[utoipa::path(post, path = "/api/v1/plan-drafts/{id}/accept", tag = "plans", params(("id" = i64, Path)),
    request_body = DraftView,
    responses((status = 201, body = AcceptedBody), (status = 403), (status = 404),
        (status = 409, description = "the draft was accepted already"), (status = 422)))]
async fn accept_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(d): Editable<PlanDraft>,
    Json(edited): Json<DraftView>,
) -> AppResult<Response> {
    let pid = accept::create_programme(&state, &ctx, &d, &edited).await?;
    let body = AcceptedBody {
        program_id: pid,
        href: format!("/programs/{pid}"),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn import_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    ctx.require(Action::EditRegistry)?;
    import_form(&state, &ctx, "", None, &[])
}

fn import_form(
    state: &AppState,
    ctx: &Ctx,
    text: &str,
    title: Option<&str>,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    // The form's own names for the fields the reading names.
    let errors: Vec<FieldError> = errors
        .iter()
        .cloned()
        .map(|mut e| {
            if e.field == "title" {
                e.field = "draft-title".into();
            }
            e
        })
        .collect();
    let errors = &errors[..];
    let page = context! {
        title => t(ctx.lang, "draft-import-title"),
        text => text,
        draft_title => title.unwrap_or(""),
        limit_mb => UPLOAD_LIMIT / 1024 / 1024,
        errors => crate::views::field_errors(ctx.lang, errors),
    };
    render(state, ctx, "drafts/import.html", page)
}

async fn import_post(State(state): State<AppState>, ctx: Ctx, req: Request) -> AppResult<Response> {
    ctx.require(Action::EditRegistry)?;
    let s = match sent(&state, &ctx, req).await {
        Ok(s) => s,
        Err(AppError::Validation(errs)) => {
            let html = import_form(&state, &ctx, "", None, &errs)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
        }
        Err(AppError::TooLarge) => {
            let errs = [FieldError::new("file", "draft-error-too-large")];
            let html = import_form(&state, &ctx, "", None, &errs)?;
            return Ok((StatusCode::PAYLOAD_TOO_LARGE, html).into_response());
        }
        Err(e) => return Err(e),
    };
    let (text, title) = (s.text.clone(), s.title.clone());
    match propose(&state, &ctx, s).await {
        Ok(id) => Ok(Redirect::to(&format!("/plans/drafts/{id}")).into_response()),
        Err(AppError::Validation(errs)) => {
            let html = import_form(&state, &ctx, &text, title.as_deref(), &errs)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// One highlighted stretch of the text, or plain text between them.
#[derive(Serialize)]
struct Segment {
    text: String,
    /// The item it belongs to ("t-0-1", "task-3"), for the link both ways.
    item: Option<String>,
    kind: Option<&'static str>,
}

/// The text cut into segments at the items' sources (the first item wins where two overlap).
fn segments(text: &str, marks: &mut [(usize, usize, String, &'static str)]) -> Vec<Segment> {
    marks.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut at = 0usize;
    for (start, end, item, kind) in marks.iter() {
        let (start, end) = ((*start).min(chars.len()), (*end).min(chars.len()));
        if start < at || end <= start {
            continue;
        }
        if start > at {
            out.push(Segment {
                text: chars[at..start].iter().collect(),
                item: None,
                kind: None,
            });
        }
        out.push(Segment {
            text: chars[start..end].iter().collect(),
            item: Some(item.clone()),
            kind: Some(kind),
        });
        at = end;
    }
    if at < chars.len() {
        out.push(Segment {
            text: chars[at..].iter().collect(),
            item: None,
            kind: None,
        });
    }
    out
}

/// Where each item of a draft came from, as marks for the text.
fn marks_of(v: &DraftView) -> Vec<(usize, usize, String, &'static str)> {
    let mut m = Vec::new();
    for (i, ind) in v.indicators.iter().enumerate() {
        for (j, t) in ind.targets.iter().enumerate() {
            m.push((t.source.start, t.source.end, format!("t-{i}-{j}"), "target"));
        }
        for (j, r) in ind.results.iter().enumerate() {
            m.push((r.source.start, r.source.end, format!("r-{i}-{j}"), "result"));
        }
    }
    for (i, t) in v.tasks.iter().enumerate() {
        m.push((t.source.start, t.source.end, format!("task-{i}"), "task"));
    }
    for (i, b) in v.legal_basis.iter().enumerate() {
        m.push((b.source.start, b.source.end, format!("lb-{i}"), "basis"));
    }
    for (i, b) in v.budget.iter().enumerate() {
        m.push((b.source.start, b.source.end, format!("bud-{i}"), "budget"));
    }
    for (i, p) in v.places.iter().enumerate() {
        m.push((p.source.start, p.source.end, format!("pl-{i}"), "place"));
    }
    if let Some(r) = &v.reporting {
        m.push((r.source.start, r.source.end, "rep".into(), "reporting"));
    }
    for (i, o) in v.objectives.iter().enumerate() {
        m.push((
            o.source.start,
            o.source.end,
            format!("obj-{i}"),
            "objective",
        ));
    }
    m
}

async fn review_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(d): Scoped<PlanDraft>,
) -> AppResult<Html<String>> {
    review(&state, &ctx, &d, &view_of(&d)?, &[]).await
}

async fn review(
    state: &AppState,
    ctx: &Ctx,
    d: &PlanDraft,
    v: &DraftView,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    let mut marks = marks_of(v);
    let segs = segments(&d.text, &mut marks);
    let agencies = langnghe_store::agencies::options(&state.db, ctx.user()?.scope_unit_id).await?;
    let counts = context! {
        indicators => v.indicators.len(),
        targets => v.indicators.iter().map(|i| i.targets.len()).sum::<usize>(),
        tasks => v.tasks.len(),
        places => v.places.len(),
        basis => v.legal_basis.len(),
        budget => v.budget.len(),
    };
    let page = context! {
        title => t(ctx.lang, "draft-review-title"),
        d => d,
        v => v,
        segments => segs,
        agencies => agencies.into_iter().map(|(id, name)| context! { id => id, name => name }).collect::<Vec<_>>(),
        counts => counts,
        can_accept => ctx.may(Action::EditRegistry) && d.program_id.is_none(),
        errors => crate::views::field_errors(ctx.lang, errors),
    };
    render(state, ctx, "drafts/review.html", page)
}

/// The draft as the review form sends it back: items not ticked are dropped;
/// edited wordings are read again; agencies chosen by id.
fn apply_form(mut v: DraftView, f: &HashMap<String, String>, m: &Matcher) -> DraftView {
    let on = |k: &str| f.contains_key(k);
    let text = |k: &str| {
        f.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let pick = |k: &str| -> Option<views::DraftAgency> {
        let id: i64 = f.get(k)?.trim().parse().ok()?;
        let c = m.candidates.iter().find(|c| c.id == id)?;
        Some(views::DraftAgency {
            name: c.name.clone(),
            agency_id: Some(id),
            agency_name: Some(c.name.clone()),
            confidence: Some(1.0),
        })
    };
    if let Some(n) = text("doc-number") {
        v.document.number = Some(n);
    }
    if let Some(n) = text("doc-title") {
        v.document.title = Some(n);
    }
    v.period.start = text("period-start")
        .and_then(|s| s.parse().ok())
        .or(v.period.start);
    v.period.end = text("period-end")
        .and_then(|s| s.parse().ok())
        .or(v.period.end);
    if f.contains_key("lead") {
        v.lead_agency = pick("lead");
    }
    let indicators = std::mem::take(&mut v.indicators);
    v.indicators = indicators
        .into_iter()
        .enumerate()
        .filter(|(i, _)| on(&format!("ind-{i}")))
        .map(|(i, mut ind)| {
            let targets = std::mem::take(&mut ind.targets);
            ind.targets = targets
                .into_iter()
                .enumerate()
                .filter(|(j, _)| on(&format!("t-{i}-{j}")))
                .map(|(j, mut t)| {
                    if let Some(w) = text(&format!("t-{i}-{j}-wording")) {
                        if w != t.wording {
                            t.form = langnghe_core::plan::parse_target(&w)
                                .ok()
                                .and_then(|x| serde_json::to_value(x).ok());
                            t.wording = w;
                        }
                    }
                    t
                })
                .collect();
            let results = std::mem::take(&mut ind.results);
            ind.results = results
                .into_iter()
                .enumerate()
                .filter(|(j, _)| on(&format!("r-{i}-{j}")))
                .map(|(_, r)| r)
                .collect();
            ind
        })
        .filter(|ind| !ind.targets.is_empty() || !ind.results.is_empty())
        .collect();
    let tasks = std::mem::take(&mut v.tasks);
    v.tasks = tasks
        .into_iter()
        .enumerate()
        .filter(|(i, _)| on(&format!("task-{i}")))
        .map(|(i, mut t)| {
            let k = format!("task-{i}-lead");
            if f.contains_key(&k) {
                t.lead_agency = pick(&k);
            }
            t
        })
        .collect();
    let keep = |prefix: &str, n: usize| -> Vec<bool> {
        (0..n).map(|i| on(&format!("{prefix}-{i}"))).collect()
    };
    let k = keep("lb", v.legal_basis.len());
    v.legal_basis = v
        .legal_basis
        .into_iter()
        .zip(k)
        .filter(|(_, k)| *k)
        .map(|(x, _)| x)
        .collect();
    let k = keep("obj", v.objectives.len());
    v.objectives = v
        .objectives
        .into_iter()
        .zip(k)
        .filter(|(_, k)| *k)
        .map(|(x, _)| x)
        .collect();
    let k = keep("bud", v.budget.len());
    v.budget = v
        .budget
        .into_iter()
        .zip(k)
        .filter(|(_, k)| *k)
        .map(|(x, _)| x)
        .collect();
    let k = keep("pl", v.places.len());
    v.places = v
        .places
        .into_iter()
        .zip(k)
        .filter(|(_, k)| *k)
        .map(|(x, _)| x)
        .collect();
    if !on("rep") {
        v.reporting = None;
    }
    v
}

async fn accept_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: tower_sessions::Session,
    Editable(d): Editable<PlanDraft>,
    crate::extract::Form(f): crate::extract::Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = ctx.require(Action::EditRegistry)?;
    let m = matcher(&state, user.scope_unit_id).await?;
    let v = apply_form(view_of(&d)?, &f, &m);
    match accept::create_programme(&state, &ctx, &d, &v).await {
        Ok(pid) => {
            crate::ctx::flash(&session, "success", t(ctx.lang, "draft-accepted")).await;
            Ok(Redirect::to(&format!("/programs/{pid}")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let errs: Vec<FieldError> = errs
                .into_iter()
                .map(|mut e| {
                    e.field = match e.field.as_str() {
                        "document.title" => "doc-title".into(),
                        "document.number" => "doc-number".into(),
                        "period" => "period-start".into(),
                        "lead_agency" => "lead".into(),
                        _ => e.field,
                    };
                    e
                })
                .collect();
            let html = review(&state, &ctx, &d, &v, &errs).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e),
    }
}
