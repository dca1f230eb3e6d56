//! Spreadsheet import of villages, establishments, artisans and products:
//! a downloadable template, row-by-row validation with an error report naming
//! row, column and reason, then an all-or-nothing insert run as a job whose
//! progress the page shows.

use super::api::columns;
use super::edit_scope;
use super::validate::{validate, DbLookup, Lookup, UnitLookup};
use crate::common::ListOf;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{Json, Path};
use crate::i18n::{t, t_args, Lang};
use crate::views::render;
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::text::fold_vi;
use langnghe_reports::{Cell, Limits, ReportError};
use langnghe_store::registry::import::UnitCodes;
use langnghe_store::registry::spec::Entity;
use langnghe_store::registry::{self as store, Values};
use minijinja::context;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest upload accepted for an import.
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

/// An import running or finished.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Job {
    pub id: String,
    pub kind: String,
    /// `running`, `done` or `failed` (nothing was imported).
    pub status: String,
    pub total: usize,
    pub done: usize,
    pub message: Option<String>,
    #[serde(skip)]
    pub owner: i64,
}

pub type Jobs = Arc<Mutex<HashMap<String, Job>>>;

/// One problem in an uploaded file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// Row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// Column title as in the file.
    pub column: String,
    pub message: String,
}

pub fn pages() -> Router<AppState> {
    let mut r = Router::new().route("/imports/{id}", get(job_page));
    for e in Entity::ALL.into_iter().filter(|e| e.importable()) {
        r = r
            .route(
                &format!("/{}/import", e.slug()),
                get(move |s: State<AppState>, c: Ctx| form_page(e, s, c))
                    .post(move |s: State<AppState>, c: Ctx, m: Multipart| upload_page(e, s, c, m)),
            )
            .route(
                &format!("/{}/import/template.xlsx", e.slug()),
                get(move |c: Ctx| template(e, c)),
            );
    }
    r.layer(axum::extract::DefaultBodyLimit::max(
        UPLOAD_LIMIT + 64 * 1024,
    ))
}

fn report_error(lang: Lang, e: &ReportError) -> String {
    match e {
        ReportError::TooLarge { max } => t_args(
            lang,
            "import-too-large",
            &[("max", format!("{} MB", max / 1024 / 1024))],
        ),
        ReportError::TooManyRows { max } => t_args(
            lang,
            "import-too-many-rows",
            &[("max", langnghe_core::vnfmt::format_int(*max as i64))],
        ),
        ReportError::ZipBomb => t(lang, "import-zip-bomb"),
        ReportError::UnsupportedFormat { .. } => t(lang, "import-unsupported"),
        ReportError::Encoding => t(lang, "import-encoding"),
        ReportError::Empty => t(lang, "import-empty"),
        other => t_args(
            lang,
            "import-unreadable",
            &[("detail", other.to_string().chars().take(200).collect())],
        ),
    }
}

fn strip_title(s: &str) -> String {
    // "Số lao động (người) (*)" → "so lao dong"
    let mut s = s.trim().to_string();
    while let Some(i) = s.rfind('(') {
        if s.ends_with(')') {
            s.truncate(i);
            s = s.trim_end().to_string();
        } else {
            break;
        }
    }
    fold_vi(s.trim_end_matches('*').trim())
}

/// Validate a whole file. Returns the values of every row, or every problem found.
pub async fn check_file(
    state: &AppState,
    scope: i64,
    lang: Lang,
    e: Entity,
    bytes: &[u8],
    filename: &str,
) -> Result<Vec<Values>, Vec<RowError>> {
    let sheet = match langnghe_reports::read_table(
        bytes,
        filename,
        &Limits {
            max_bytes: UPLOAD_LIMIT,
            ..Limits::default()
        },
    ) {
        Ok(s) => s,
        Err(err) => {
            return Err(vec![RowError {
                row: 0,
                column: String::new(),
                message: report_error(lang, &err),
            }])
        }
    };
    // Map the file's headers to fields, by title in either language or by key.
    let cols = columns(lang, e, true);
    let mut by_title: HashMap<String, String> = HashMap::new();
    for other in [Lang::Vi, Lang::En] {
        for c in columns(other, e, true) {
            by_title.insert(strip_title(&c.title), c.key.clone());
            by_title.insert(c.key.clone(), c.key.clone());
        }
    }
    let mut errors = vec![];
    let mut keys: Vec<Option<String>> = vec![];
    for h in &sheet.headers {
        let k = by_title.get(&strip_title(h)).cloned();
        if k.is_none() && !h.trim().is_empty() {
            errors.push(RowError {
                row: 1,
                column: h.clone(),
                message: t(lang, "import-unknown-column"),
            });
        }
        keys.push(k);
    }
    for c in &cols {
        let required = c.title.ends_with("(*)");
        if required && !keys.iter().any(|k| k.as_deref() == Some(c.key.as_str())) {
            errors.push(RowError {
                row: 1,
                column: c.title.clone(),
                message: t(lang, "import-missing-column"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if sheet.rows.is_empty() {
        return Err(vec![RowError {
            row: 2,
            column: String::new(),
            message: t(lang, "import-empty"),
        }]);
    }
    // The admin units are read once (two queries) and codes resolved in memory:
    // per distinct code, a lookup would cost two queries.
    let mut lookup = match store::import::unit_codes(&state.db, scope).await {
        Ok(units) => ImportLookup {
            units: Some(units),
            db: DbLookup::new(&state.db, scope),
        },
        Err(err) => {
            tracing::warn!(error = %err, "import: admin units not preloaded; looking codes up one by one");
            ImportLookup {
                units: None,
                db: DbLookup::new(&state.db, scope),
            }
        }
    };
    let mut out = Vec::with_capacity(sheet.rows.len());
    let title_of = |key: &str| -> String {
        keys.iter()
            .position(|k| k.as_deref() == Some(key))
            .and_then(|i| sheet.headers.get(i).cloned())
            .unwrap_or_else(|| key.to_string())
    };
    for row in &sheet.rows {
        let mut input = Map::new();
        for (i, k) in keys.iter().enumerate() {
            if let (Some(k), Some(v)) = (k, row.cells.get(i)) {
                input.insert(k.clone(), Value::String(v.trim().to_string()));
            }
        }
        match validate(e, &input, &mut lookup, false).await {
            Ok(v) => out.push(v),
            Err(errs) => {
                for fe in errs {
                    errors.push(RowError {
                        row: row.line,
                        column: title_of(&fe.field),
                        message: fe.message(lang),
                    });
                }
            }
        }
        if errors.len() >= 1000 {
            break;
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The lookups of an import: admin unit codes resolved against the units read
/// once ([`UnitCodes`]), everything else as forms do (cached per value).
struct ImportLookup<'a> {
    units: Option<UnitCodes>,
    db: DbLookup<'a>,
}

impl Lookup for ImportLookup<'_> {
    async fn unit(&mut self, code: &str, as_of: Option<time::Date>) -> UnitLookup {
        // The country's own code is resolved by id in the store: leave it (and any
        // code the preload does not know) to the database lookup.
        if let Some(units) = &self.units {
            if code != langnghe_store::geo::COUNTRY_CODE {
                if let Some(candidates) = units.by_code.get(code) {
                    return match langnghe_core::geo::resolve_code(
                        candidates,
                        as_of,
                        crate::common::today(),
                    ) {
                        Some(id) if units.covered.contains(&id) => UnitLookup::Found(id),
                        Some(_) => UnitLookup::OutOfScope,
                        None => UnitLookup::Unknown,
                    };
                }
            }
        }
        self.db.unit(code, as_of).await
    }

    async fn record(&mut self, e: Entity, id: i64) -> bool {
        self.db.record(e, id).await
    }

    async fn record_by_label(&mut self, e: Entity, label: &str) -> Option<i64> {
        self.db.record_by_label(e, label).await
    }

    async fn agency(&mut self, raw: &str) -> Option<i64> {
        self.db.agency(raw).await
    }

    async fn village_unit(&mut self, id: i64) -> Option<i64> {
        self.db.village_unit(id).await
    }
}

/// Start the all-or-nothing insert in the background; returns the job id.
pub fn start_job(state: &AppState, ctx: &Ctx, e: Entity, rows: Vec<Values>) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let owner = ctx.user.as_ref().map(|u| u.id).unwrap_or(0);
    let job = Job {
        id: id.clone(),
        kind: e.kind().into(),
        status: "running".into(),
        total: rows.len(),
        done: 0,
        message: None,
        owner,
    };
    if let Ok(mut jobs) = state.jobs.lock() {
        jobs.insert(id.clone(), job);
    }
    let jobs = state.jobs.clone();
    let db = state.db.clone();
    let mut actor = ctx.actor();
    actor.name = format!("{} (import)", actor.name);
    let lang = ctx.lang;
    let job_id = id.clone();
    tokio::spawn(async move {
        let set = |f: &dyn Fn(&mut Job)| {
            if let Ok(mut j) = jobs.lock() {
                if let Some(job) = j.get_mut(&job_id) {
                    f(job);
                }
            }
        };
        let result = store::insert_all(&db, &actor, e, &rows, |n| {
            if n % 200 == 0 || n == rows.len() {
                set(&|j: &mut Job| j.done = n);
            }
        })
        .await;
        match result {
            Ok(n) => set(&|j: &mut Job| {
                j.status = "done".into();
                j.done = n;
                j.message = Some(t_args(
                    lang,
                    "import-done",
                    &[("count", langnghe_core::vnfmt::format_int(n as i64))],
                ));
            }),
            Err(err) => {
                tracing::error!(error = %err, "import failed; nothing was written");
                let msg = match err {
                    langnghe_store::StoreError::Conflict(field) => {
                        let label_key = format!("field-{field}");
                        let label = t(lang, &label_key);
                        let what = if label == label_key {
                            t(lang, "field-value")
                        } else {
                            label.to_lowercase()
                        };
                        t_args(lang, "import-conflict", &[("what", what)])
                    }
                    _ => t(lang, "import-failed"),
                };
                set(&|j: &mut Job| {
                    j.status = "failed".into();
                    j.done = 0;
                    j.message = Some(msg.clone());
                })
            }
        }
    });
    id
}

/// An upload over the limit is "too large", whichever layer noticed it first.
fn multipart_error(err: axum::extract::multipart::MultipartError) -> AppError {
    let text = err.body_text();
    // The body-limit layer's error sits deeper in the source chain.
    let mut too_large = err.status() == StatusCode::PAYLOAD_TOO_LARGE;
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&err);
    while let Some(s) = source {
        if s.to_string().to_lowercase().contains("length limit") {
            too_large = true;
        }
        source = s.source();
    }
    if too_large || text.to_lowercase().contains("limit") {
        AppError::TooLarge
    } else {
        AppError::BadRequest {
            key: "error-form".into(),
            detail: Some(text.chars().filter(|c| !c.is_control()).take(200).collect()),
        }
    }
}

/// Read the uploaded file (and the CSRF field, for browser forms) from a multipart body.
pub(crate) async fn read_upload(
    ctx: &Ctx,
    csrf_pending: bool,
    mut m: Multipart,
) -> AppResult<(Vec<u8>, String)> {
    let mut file = None;
    let mut token = None;
    while let Some(field) = m.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("csrf_token") => token = Some(field.text().await.map_err(multipart_error)?),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(multipart_error)?;
                file = Some((bytes.to_vec(), name));
            }
            _ => {}
        }
    }
    if csrf_pending && token.as_deref() != Some(ctx.csrf.as_str()) {
        return Err(AppError::Csrf);
    }
    file.ok_or_else(|| AppError::Validation(vec![FieldError::new("file", "error-required")]))
}

async fn form_page(e: Entity, State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    edit_scope(&ctx)?;
    page(&state, &ctx, e, &[], None)
}

fn page(
    state: &AppState,
    ctx: &Ctx,
    e: Entity,
    errors: &[RowError],
    message: Option<String>,
) -> AppResult<Html<String>> {
    let cols: Vec<_> = columns(ctx.lang, e, true)
        .into_iter()
        .map(|c| c.title)
        .collect();
    let page = context! {
        title => t_args(ctx.lang, "import-title", &[("what", t(ctx.lang, &format!("entity-{}-plural", e.kind())))]),
        plural => t(ctx.lang, &format!("entity-{}-plural", e.kind())),
        slug => e.slug(),
        columns => cols,
        errors => errors,
        message => message,
        limit_mb => UPLOAD_LIMIT / 1024 / 1024,
    };
    render(state, ctx, "registry/import.html", page)
}

async fn upload_page(
    e: Entity,
    State(state): State<AppState>,
    ctx: Ctx,
    m: Multipart,
) -> AppResult<Response> {
    let scope = edit_scope(&ctx)?;
    let pending = ctx_pending(&ctx);
    let (bytes, name) = match read_upload(&ctx, pending, m).await {
        Ok(f) => f,
        Err(AppError::Validation(_)) => {
            let msg = t(ctx.lang, "import-no-file");
            return file_refused(&state, &ctx, e, StatusCode::UNPROCESSABLE_ENTITY, msg);
        }
        Err(AppError::TooLarge) => {
            let msg = report_error(ctx.lang, &ReportError::TooLarge { max: UPLOAD_LIMIT });
            return file_refused(&state, &ctx, e, StatusCode::PAYLOAD_TOO_LARGE, msg);
        }
        Err(err) => return Err(err),
    };
    match check_file(&state, scope, ctx.lang, e, &bytes, &name).await {
        Ok(rows) => {
            let id = start_job(&state, &ctx, e, rows);
            Ok(Redirect::to(&format!("/imports/{id}")).into_response())
        }
        Err(errs) => {
            let msg = t_args(
                ctx.lang,
                "import-rejected",
                &[("count", errs.len().to_string())],
            );
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&state, &ctx, e, &errs, Some(msg))?,
            )
                .into_response())
        }
    }
}

/// The import page again when the upload itself is refused (no file, too large).
fn file_refused(
    state: &AppState,
    ctx: &Ctx,
    e: Entity,
    status: StatusCode,
    message: String,
) -> AppResult<Response> {
    let errs = vec![RowError {
        row: 0,
        column: String::new(),
        message,
    }];
    Ok((status, page(state, ctx, e, &errs, None)?).into_response())
}

fn ctx_pending(ctx: &Ctx) -> bool {
    ctx.csrf_pending
}

fn job_for(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Job> {
    let user = ctx.user()?;
    let jobs = state
        .jobs
        .lock()
        .map_err(|_| AppError::Internal("jobs lock".into()))?;
    match jobs.get(id) {
        Some(j) if j.owner == user.id => Ok(j.clone()),
        _ => Err(AppError::NotFound),
    }
}

async fn job_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let job = job_for(&state, &ctx, &id)?;
    let e = Entity::from_kind(&job.kind).unwrap_or(Entity::Village);
    let pct = if job.total == 0 {
        100.0
    } else {
        job.done as f64 * 100.0 / job.total as f64
    };
    let page = context! {
        title => t(ctx.lang, "import-progress"),
        job => job,
        pct => pct,
        pct_text => langnghe_core::vnfmt::format_percent(pct, 0),
        slug => e.slug(),
        plural => t(ctx.lang, &format!("entity-{}-plural", e.kind())),
    };
    render(&state, &ctx, "registry/job.html", page)
}

async fn template(e: Entity, ctx: Ctx) -> AppResult<Response> {
    ctx.require(langnghe_core::access::Action::Read)?;
    let cols = columns(ctx.lang, e, true);
    let example: Vec<Cell> = cols.iter().map(|c| example_cell(e, &c.key)).collect();
    let notes: Vec<String> = vec![
        t(ctx.lang, "import-note-required"),
        t(ctx.lang, "import-note-unit"),
        t(ctx.lang, "import-note-numbers"),
        t(ctx.lang, "import-note-all-or-nothing"),
    ];
    let bytes = langnghe_reports::template_xlsx(
        &t(ctx.lang, &format!("entity-{}-plural", e.kind())),
        &cols,
        &example,
        &notes,
    )
    .map_err(|err| AppError::Internal(err.to_string()))?;
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-mau-nhap.xlsx\"",
        e.slug()
    )) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// A plausible example row for the template (Bát Tràng, from the seeds).
fn example_cell(e: Entity, key: &str) -> Cell {
    let s = |x: &str| Cell::Text(x.to_string());
    match (e, key) {
        (Entity::Village, "name") => s("Làng nghề gốm sứ Bát Tràng"),
        (Entity::Village, "status") => s("traditional"),
        (Entity::Village, "crafts") => s("Nghề gốm sứ"),
        (Entity::Establishment, "name") => s("Hợp tác xã gốm sứ Bát Tràng"),
        (Entity::Establishment, "kind") => s("cooperative"),
        (Entity::Artisan, "name") => s("Nguyễn Văn A"),
        (Entity::Artisan, "title") => s("people"),
        (Entity::Product, "name") => s("Bình gốm men lam"),
        (_, "admin_unit_code") => s("00583"),
        (_, "admin_unit_as_of") => s("30/6/2025"),
        (_, "households_total") => Cell::Int(1200),
        (_, "households_in_craft") => Cell::Int(700),
        (_, "workers") => Cell::Int(3500),
        _ => Cell::Empty,
    }
}

/// Check a file and start its import (API): 202 with the job, or 422 with every problem.
pub async fn import_file(
    state: &AppState,
    ctx: &Ctx,
    e: Entity,
    m: Multipart,
) -> AppResult<Response> {
    let scope = edit_scope(ctx)?;
    let (bytes, name) = read_upload(ctx, ctx_pending(ctx), m).await?;
    match check_file(state, scope, ctx.lang, e, &bytes, &name).await {
        Ok(rows) => {
            let id = start_job(state, ctx, e, rows);
            let job = job_for(state, ctx, &id)?;
            Ok((StatusCode::ACCEPTED, Json(job)).into_response())
        }
        Err(errs) => {
            let total = errs.len() as i64;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(ListOf { items: errs, total }),
            )
                .into_response())
        }
    }
}

/// Declares the documented import endpoint of one entity.
macro_rules! import_api {
    ($name:ident, $entity:expr, $path:literal) => {
        /// Import from an XLSX or CSV file (multipart field `file`, UTF-8 for CSV). Every row is
        /// checked first; any problem rejects the whole file (422 listing row, column and reason).
        /// Otherwise the insert runs as one transaction in a job (202): follow `/api/v1/imports/{id}`.
        #[utoipa::path(post, path = $path, tag = "registry",
            request_body(content_type = "multipart/form-data", description = "field `file`: .xlsx or .csv"),
            responses((status = 202, body = Job), (status = 422, body = ListOf<RowError>), (status = 413)))]
        async fn $name(State(state): State<AppState>, ctx: Ctx, m: Multipart) -> AppResult<Response> {
            import_file(&state, &ctx, $entity, m).await
        }
    };
}

import_api!(import_villages, Entity::Village, "/api/v1/villages/import");
import_api!(
    import_establishments,
    Entity::Establishment,
    "/api/v1/establishments/import"
);
import_api!(import_artisans, Entity::Artisan, "/api/v1/artisans/import");
import_api!(import_products, Entity::Product, "/api/v1/products/import");

/// Progress of an import.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "registry", params(("id" = String, Path)),
    responses((status = 200, body = Job), (status = 404)))]
async fn job_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Job>> {
    Ok(Json(job_for(&state, &ctx, &id)?))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_villages))
        .routes(routes!(import_establishments))
        .routes(routes!(import_artisans))
        .routes(routes!(import_products))
        .routes(routes!(job_api))
        .layer(axum::extract::DefaultBodyLimit::max(
            UPLOAD_LIMIT + 64 * 1024,
        ))
}
