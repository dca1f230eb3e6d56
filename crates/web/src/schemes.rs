//! Support schemes on the web: define a scheme (contents, rules, budget,
//! timeline), register applicants through the local unit and forward them,
//! check eligibility against the registry, rank and select within the budget
//! (core::scheme), record the decision, sign contracts, monitor, accept per
//! content, liquidate and settle; activities that are not applications.
//! Every page has its JSON twin under `/api/v1`.

use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, Form, Json, Path, Query};
use crate::i18n::{t, t_args, Lang};
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use langnghe_core::access::{Action, Role};
use langnghe_core::scheme::{
    self as rules, AppAction, AppState as Stage, EligibilityRule, FairShare, PriorityRule,
    SchemeAction,
};
use langnghe_core::text::clean_text;
use langnghe_core::vnfmt;
use langnghe_store::schemes::{self as store, Application, NewApplication, Refusal, Scheme};
use langnghe_store::StoreError;
use minijinja::context;
use serde::{Deserialize, Serialize};
use time::Date;
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/schemes", get(list_page).post(create_page))
        .route("/schemes/new", get(new_page))
        .route("/schemes/{id}", get(detail_page).post(update_page))
        .route("/schemes/{id}/edit", get(edit_page))
        .route("/schemes/{id}/applications", post(register_page))
        .route("/schemes/{id}/forward", post(forward_page))
        .route("/schemes/{id}/eligibility", post(eligibility_page))
        .route("/schemes/{id}/selection", post(selection_page))
        .route("/schemes/{id}/decision", post(decision_page))
        .route("/schemes/{id}/decision.pdf", get(decision_pdf_page))
        .route("/schemes/{id}/steps", post(step_page))
        .route("/applications/{id}", get(application_page))
        .route("/applications/{id}/{action}", post(application_action_page))
        .route("/contracts", get(contracts_page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api, create_api))
        .routes(routes!(get_api, update_api))
        .routes(routes!(steps_api))
        .routes(routes!(applications_api, register_api))
        .routes(routes!(forward_api))
        .routes(routes!(eligibility_api))
        .routes(routes!(selection_api, record_selection_api))
        .routes(routes!(decision_api))
        .routes(routes!(decision_pdf_api))
        .routes(routes!(application_api))
        .routes(routes!(application_action_api))
        .routes(routes!(contracts_api))
}

// ---------------------------------------------------------------------------
// Access and loading
// ---------------------------------------------------------------------------

fn role(ctx: &Ctx) -> AppResult<Role> {
    Role::parse(&ctx.user()?.role).ok_or(AppError::Forbidden)
}

/// The department (coordinators, admins) checks, selects, contracts and settles.
fn department(ctx: &Ctx) -> AppResult<()> {
    ctx.require(Action::EditRegistry).map(|_| ())
}

/// What a refusal of the rules (taken on the rows as they are once locked)
/// means to the person who asked.
fn refused(lang: Lang, r: Refusal) -> AppError {
    match r {
        Refusal::State(r) => AppError::Refused(
            FieldError::new("state", r.key())
                .arg("state", t(lang, &format!("app-state-{}", r.from.as_str()))),
        ),
        Refusal::Scheme { key } => AppError::Refused(FieldError::new("status", key)),
        Refusal::UnknownContent => {
            AppError::Validation(vec![FieldError::new("content", "error-choice")])
        }
        Refusal::ContentAccepted => {
            AppError::Refused(FieldError::new("content", "app-content-accepted"))
        }
        Refusal::ContentInUse(key) => {
            AppError::Validation(vec![
                FieldError::new("contents", "scheme-content-in-use").arg("code", key)
            ])
        }
        Refusal::BudgetBelowSelected { selected_dong } => {
            AppError::Validation(vec![FieldError::new(
                "budget",
                "scheme-budget-below-selected",
            )
            .arg("value", vnfmt::format_int(selected_dong))])
        }
        Refusal::NothingSelected => {
            AppError::Validation(vec![FieldError::new("number", "scheme-nothing-selected")])
        }
    }
}

/// A refusal or a stale page as one error of the page's summary (`field`
/// names the form's field when the refusal names none of its own).
fn refusal_field(e: AppError, field: &str) -> FieldError {
    match e {
        AppError::Refused(f) => f,
        _ => FieldError::new(field, "error-stale"),
    }
}

/// The version an action names, if any (body `version` and/or `If-Match`).
fn action_version(body: Option<i64>, headers: &HeaderMap) -> AppResult<Option<i64>> {
    crate::common::optional_version(body, headers)
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Scheme> {
    let u = ctx.user()?;
    let id = crate::common::path_id(id)?;
    store::get(&state.db, u.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn load_app(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Scheme, Application)> {
    let u = ctx.user()?;
    let id = crate::common::path_id(id)?;
    let app = store::application(&state.db, u.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let scheme = load(state, ctx, &app.scheme_id.to_string()).await?;
    Ok((scheme, app))
}

use crate::common::today;

fn json_list<T: for<'de> Deserialize<'de>>(s: &str) -> Vec<T> {
    serde_json::from_str(s).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Reasons in the reader's language
// ---------------------------------------------------------------------------

/// A rules message (`core::scheme::Msg`) in `lang`, from the catalogue; its
/// numbers, amounts and dates written the language's way.
pub fn msg_text(lang: Lang, m: &rules::Msg) -> String {
    let args: Vec<(String, String)> = m
        .args
        .iter()
        .map(|(k, a)| (k.clone(), arg_text(lang, a)))
        .collect();
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    crate::i18n::t_args_as_given(lang, &m.key, &args)
}

fn arg_text(lang: Lang, a: &rules::Arg) -> String {
    match a {
        rules::Arg::Text(t) => t.clone(),
        rules::Arg::Int(n) => crate::views::in_lang(lang, vnfmt::format_int(*n)),
        rules::Arg::Money(n) => match lang {
            Lang::Vi => vnfmt::format_money_dong(*n),
            Lang::En => format!("{} VND", vnfmt::format_int_en(*n)),
        },
        rules::Arg::Date(d) => crate::views::date_in(lang, *d),
        rules::Arg::Msgs { items, sep } => items
            .iter()
            .map(|m| msg_text(lang, m))
            .collect::<Vec<_>>()
            .join(sep),
    }
}

/// A stored reason: a message as JSON, or (rows written before reasons
/// were messages) plain Vietnamese text, shown as it is in both languages.
pub fn stored_msg(s: &str) -> rules::Msg {
    match serde_json::from_str::<rules::Msg>(s) {
        Ok(m) => m,
        Err(_) => rules::Msg::new("scheme-reason-legacy")
            .text("vi", s)
            .text("en", s),
    }
}

/// A reason as the API gives it: the catalogue key, its arguments and the
/// text in the request's language.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReasonView {
    /// Catalogue key, e.g. `scheme-elig-not-recognised`; `scheme-reason-legacy` for a reason recorded before keys.
    pub reason_key: String,
    /// The key's arguments: `{name: {"type": "text"|"int"|"money"|"date"|"msgs", "value": …}}`.
    #[schema(value_type = Object)]
    pub reason_args: serde_json::Value,
    /// The reason in the request's language.
    pub reason: String,
}

impl ReasonView {
    pub fn of(lang: Lang, m: &rules::Msg) -> Self {
        Self {
            reason_key: m.key.clone(),
            reason_args: serde_json::to_value(&m.args).unwrap_or_default(),
            reason: msg_text(lang, m),
        }
    }
}

/// One eligibility rule's result, in the request's language.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    #[schema(value_type = Object)]
    pub rule: EligibilityRule,
    pub passed: bool,
    #[serde(flatten)]
    pub reason: ReasonView,
}

/// The eligibility results as stored: messages, or (older rows) a pair of
/// Vietnamese and English sentences.
fn stored_results(lang: Lang, json: Option<&str>) -> Vec<RuleView> {
    #[derive(Deserialize)]
    struct Legacy {
        rule: EligibilityRule,
        passed: bool,
        reason_vi: String,
        reason_en: String,
    }
    let Some(json) = json else {
        return vec![];
    };
    let results: Vec<rules::RuleResult> = match serde_json::from_str(json) {
        Ok(r) => r,
        Err(_) => serde_json::from_str::<Vec<Legacy>>(json)
            .unwrap_or_default()
            .into_iter()
            .map(|l| rules::RuleResult {
                rule: l.rule,
                passed: l.passed,
                reason: rules::Msg::new("scheme-reason-legacy")
                    .text("vi", &l.reason_vi)
                    .text("en", &l.reason_en),
            })
            .collect(),
    };
    results
        .iter()
        .map(|r| RuleView {
            rule: r.rule.clone(),
            passed: r.passed,
            reason: ReasonView::of(lang, &r.reason),
        })
        .collect()
}

/// An application as lists give it: `reason` in the request's language,
/// with its key and arguments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AppItem {
    #[serde(flatten)]
    pub application: Application,
    /// Catalogue key of `reason` (null when there is none).
    pub reason_key: Option<String>,
    /// Arguments of `reason_key` (null when there is none).
    #[schema(value_type = Option<Object>)]
    pub reason_args: Option<serde_json::Value>,
}

fn app_item(lang: Lang, mut a: Application) -> AppItem {
    let view = a
        .reason
        .as_deref()
        .map(|r| ReasonView::of(lang, &stored_msg(r)));
    a.reason = view.as_ref().map(|v| v.reason.clone());
    AppItem {
        application: a,
        reason_key: view.as_ref().map(|v| v.reason_key.clone()),
        reason_args: view.map(|v| v.reason_args),
    }
}

fn core_contents(cs: &[store::Content]) -> Vec<rules::Content> {
    cs.iter()
        .map(|c| rules::Content {
            key: c.key.clone(),
            name: c.name.clone(),
            unit_cost_dong: c.unit_cost_dong,
        })
        .collect()
}

fn fair_of(s: &Scheme) -> FairShare {
    match s.fair_share.as_str() {
        "none" => FairShare::None,
        "cap" => FairShare::CapPerDistrict {
            max: s.fair_cap.unwrap_or(1).max(0) as usize,
        },
        _ => FairShare::RoundRobin,
    }
}

/// Tell the applicant's unit that its application moved.
async fn notify_unit(state: &AppState, app: &Application, to: &str) -> AppResult<()> {
    for uid in store::unit_users(&state.db, app.unit_agency_id).await? {
        let msg = t_args(
            Lang::Vi,
            "scheme-notice",
            &[
                ("applicant", app.applicant.clone()),
                ("state", t(Lang::Vi, &format!("app-state-{to}"))),
            ],
        );
        langnghe_store::reporting::notify(
            &state.db,
            uid,
            None,
            &format!("application:{}:{to}", app.id),
            &msg,
            Some(&format!("/applications/{}", app.id)),
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Schemes
// ---------------------------------------------------------------------------

/// Schemes visible to the caller (the department's, and those its units register for).
#[utoipa::path(get, path = "/api/v1/schemes", tag = "schemes",
    responses((status = 200, body = crate::common::ListOf<Scheme>)))]
async fn list_api(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<crate::common::ListOf<Scheme>>> {
    let u = ctx.user()?;
    let items = store::list(&state.db, u.scope_unit_id).await?;
    let total = items.len() as i64;
    Ok(Json(crate::common::ListOf { items, total }))
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let u = ctx.user()?;
    let items = store::list(&state.db, u.scope_unit_id).await?;
    render(
        &state,
        &ctx,
        "schemes/list.html",
        context! { title => t(ctx.lang, "schemes-title"), items => items },
    )
}

/// A scheme with its contents, rules, timeline and budget use.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SchemeView {
    #[serde(flatten)]
    pub scheme: Scheme,
    pub contents: Vec<store::Content>,
    #[schema(value_type = Vec<Object>)]
    pub eligibility_rules: Vec<EligibilityRule>,
    #[schema(value_type = Vec<Object>)]
    pub priority_rules: Vec<PriorityRule>,
    pub steps: Vec<StepView>,
    pub budget_left_dong: i64,
    /// Days the liquidation deadline is passed for contracts not liquidated (0 when none).
    pub liquidation_overdue: Vec<(String, i64)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    #[serde(flatten)]
    pub step: store::Step,
    /// done, done_late, open, late.
    pub state: String,
    pub state_label: String,
}

async fn view_of(state: &AppState, ctx: &Ctx, s: Scheme) -> AppResult<SchemeView> {
    let contents = store::contents(&state.db, s.id).await?;
    let day = today();
    let steps = store::steps(&state.db, s.id)
        .await?
        .into_iter()
        .map(|st| {
            let core = rules::Step {
                order: st.ord.max(0) as u32,
                text: st.text.clone(),
                lead: st.lead_agency_name.clone(),
                coordinating: st.coordinating.clone(),
                start: st.start_on,
                due: st.due_on,
                done_on: st.done_on,
            };
            let sst = rules::step_state(&core, day);
            StepView {
                step: st,
                state: sst.code().into(),
                state_label: match ctx.lang {
                    Lang::Vi => sst.label_vi().into(),
                    Lang::En => sst.label_en().into(),
                },
            }
        })
        .collect();
    let mut overdue = vec![];
    if let Some(by) = s.liquidate_by {
        let u = ctx.user()?;
        for a in store::applications(&state.db, s.id, u.scope_unit_id).await? {
            if Stage::parse(&a.state).is_some_and(Stage::is_under_contract) {
                if let Some(d) = rules::liquidation_overdue(by, None, day) {
                    overdue.push((a.applicant.clone(), d));
                }
            }
        }
    }
    Ok(SchemeView {
        budget_left_dong: s.budget_dong.saturating_sub(s.selected_dong),
        eligibility_rules: json_list(&s.eligibility),
        priority_rules: json_list(&s.priority),
        scheme: s,
        contents,
        steps,
        liquidation_overdue: overdue,
    })
}

/// One scheme; its version is also the `ETag` (name it to change the scheme).
#[utoipa::path(get, path = "/api/v1/schemes/{id}", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, body = SchemeView, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
async fn get_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let s = load(&state, &ctx, &id).await?;
    let view = view_of(&state, &ctx, s).await?;
    Ok(crate::version::with_etag(view.scheme.version, view))
}

/// The scheme as stored now, for a 409.
async fn stale_scheme(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<AppError> {
    let s = load(state, ctx, &id.to_string()).await?;
    Ok(crate::version::stale(&view_of(state, ctx, s).await?))
}

fn gantt_of(lang: Lang, steps: &[StepView]) -> String {
    let bars: Vec<crate::gantt::Bar> = steps
        .iter()
        .map(|s| crate::gantt::Bar {
            order: s.step.ord.max(0) as u32,
            label: s.step.text.clone(),
            lead: s.step.lead_agency_name.clone(),
            start: s.step.start_on,
            due: s.step.due_on,
            done_on: s.step.done_on,
            state: s.state.clone(),
            state_label: s.state_label.clone(),
        })
        .collect();
    let labels = crate::gantt::Labels {
        title: t(lang, "scheme-timeline"),
        today: t(lang, "today"),
        legend: ["done", "done_late", "open", "late"]
            .iter()
            .map(|k| (k.to_string(), t(lang, &format!("step-state-{k}"))))
            .collect(),
        no_dates: t(lang, "scheme-no-dates"),
    };
    crate::gantt::svg(&bars, today(), &labels)
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    detail(&state, &ctx, &id, &[], StatusCode::OK)
        .await
        .map(|(h, _)| h)
}

/// What a person typed into one of a page's forms, given back with the
/// errors: the form's name (`register`, `decision`, a step's `step-N`,
/// an application action) and its fields.
#[derive(Debug, Clone)]
struct Typed {
    form: String,
    fields: serde_json::Value,
}

impl Default for Typed {
    fn default() -> Self {
        Self::of("", serde_json::json!({}))
    }
}

impl Typed {
    fn of(form: &str, fields: serde_json::Value) -> Self {
        Self {
            form: form.to_owned(),
            fields,
        }
    }

    /// The fields over `blank` (every field a form of the page has, null),
    /// so the page's templates can read any of them.
    fn over(&self, blank: &serde_json::Value) -> serde_json::Value {
        let mut out = blank.clone();
        if let (serde_json::Value::Object(o), serde_json::Value::Object(f)) =
            (&mut out, &self.fields)
        {
            for (k, v) in f {
                o.insert(k.clone(), v.clone());
            }
        }
        out
    }
}

/// Every field of the scheme page's forms (register, decision, step), null.
fn detail_blank() -> serde_json::Value {
    let mut o = serde_json::Map::new();
    for k in [
        "village_id",
        "applicant",
        "recognised_by",
        "unit_agency",
        "earlier_years",
        "registered_on",
        "representative",
        "legal_status",
        "has_seal",
        "bank_account",
        "content[]",
        "number",
        "issued_on",
        "title",
        "ord",
        "done_on",
        "version",
    ] {
        o.insert(k.to_owned(), serde_json::Value::Null);
    }
    serde_json::Value::Object(o)
}

/// Every field of the application page's forms, null.
fn app_blank() -> serde_json::Value {
    serde_json::to_value(AppActionPayload::default()).unwrap_or_default()
}

/// The form fields of a urlencoded body: each name's first value, and every
/// value of the names that repeat (checkboxes) under `name[]`.
fn typed_pairs(pairs: &[(String, String)]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in pairs {
        if k == "csrf_token" {
            continue;
        }
        if !map.contains_key(k) {
            map.insert(k.clone(), serde_json::Value::from(v.clone()));
        }
        let all = map
            .entry(format!("{k}[]"))
            .or_insert_with(|| serde_json::Value::Array(vec![]));
        if let serde_json::Value::Array(a) = all {
            a.push(serde_json::Value::from(v.clone()));
        }
    }
    serde_json::Value::Object(map)
}

async fn detail(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<(Html<String>, StatusCode)> {
    detail_typed(state, ctx, id, errors, status, &Typed::default()).await
}

async fn detail_typed(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: &[FieldError],
    status: StatusCode,
    typed: &Typed,
) -> AppResult<(Html<String>, StatusCode)> {
    let s = load(state, ctx, id).await?;
    let u = ctx.user()?;
    let apps: Vec<AppItem> = store::applications(&state.db, s.id, u.scope_unit_id)
        .await?
        .into_iter()
        .map(|a| app_item(ctx.lang, a))
        .collect();
    let view = view_of(state, ctx, s).await?;
    let gantt = gantt_of(ctx.lang, &view.steps);
    let villages = village_options(state, ctx).await?;
    let is_unit = role(ctx)? == Role::Officer;
    let html = render(
        state,
        ctx,
        "schemes/detail.html",
        context! {
            title => view.scheme.title.clone(),
            v => view,
            apps => apps,
            gantt => minijinja::Value::from_safe_string(gantt),
            is_department => department(ctx).is_ok(),
            is_unit => is_unit,
            villages => villages,
            errors => crate::views::field_errors(ctx.lang, errors),
            today => vnfmt::format_date(today()),
            typed_form => typed.form.clone(),
            typed => typed.over(&detail_blank()),
            typed_blank => detail_blank(),
        },
    )?;
    Ok((html, status))
}

async fn village_options(state: &AppState, ctx: &Ctx) -> AppResult<Vec<(i64, String)>> {
    let u = ctx.user()?;
    Ok(langnghe_store::registry::options(
        &state.db,
        langnghe_store::registry::spec::Entity::Village,
        u.scope_unit_id,
        2_000,
    )
    .await?)
}

// ---------------------------------------------------------------------------
// Registration and forwarding
// ---------------------------------------------------------------------------

/// A registration, by the local unit (or the department on its behalf).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RegisterPayload {
    /// A village of the registry (its id), or blank with `applicant` for one not listed.
    #[serde(default)]
    pub village_id: Option<String>,
    #[serde(default)]
    pub applicant: Option<String>,
    /// The People's Committee that forwards it (agency id or key); default: the caller's agency.
    #[serde(default)]
    pub unit_agency: Option<String>,
    /// Content keys, comma separated (forms send one field per checked box too).
    #[serde(default)]
    pub contents: Option<String>,
    /// Earlier years registered, e.g. "2015, 2016".
    #[serde(default)]
    pub earlier_years: Option<String>,
    /// Registration date (default today), e.g. "15/5/2017".
    #[serde(default)]
    pub registered_on: Option<String>,
    /// The recognition decision, for a village not in the registry.
    #[serde(default)]
    pub recognised_by: Option<String>,
    #[serde(default)]
    pub representative: Option<String>,
    #[serde(default)]
    pub legal_status: Option<String>,
    #[serde(default)]
    pub has_seal: Option<String>,
    #[serde(default)]
    pub bank_account: Option<String>,
}

fn truthy(v: &Option<String>) -> bool {
    matches!(
        v.as_deref().map(str::trim),
        Some("1" | "true" | "on" | "yes" | "có")
    )
}

async fn register(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &RegisterPayload,
    contents_list: Vec<String>,
) -> AppResult<i64> {
    let s = load(state, ctx, id).await?;
    let u = ctx.user()?;
    let r = role(ctx)?;
    if !matches!(r, Role::Officer | Role::Coordinator | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    if let Err(r) = rules::scheme_transition(store::scheme_status(&s)?, SchemeAction::Register) {
        return Err(AppError::Validation(vec![FieldError::new(
            "village_id",
            r.key(),
        )]));
    }
    let mut errors = vec![];
    let scheme_contents = store::contents(&state.db, s.id).await?;
    let mut keys: Vec<String> = contents_list;
    if let Some(c) = &p.contents {
        keys.extend(
            c.split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty()),
        );
    }
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        errors.push(FieldError::new("contents", "error-required"));
    }
    for k in &keys {
        if !scheme_contents.iter().any(|c| &c.key == k) {
            errors.push(FieldError::new("contents", "error-choice"));
        }
    }
    let village_id: Option<i64> = non_empty(&p.village_id).and_then(|v| v.parse().ok());
    let (applicant, admin_unit_id) = match village_id {
        Some(vid) => {
            let rec = langnghe_store::registry::get(
                &state.db,
                langnghe_store::registry::spec::Entity::Village,
                u.scope_unit_id,
                vid,
            )
            .await?;
            match (rec, store::village_unit(&state.db, vid).await?) {
                (Some(_), Some((name, unit))) => (name, unit),
                _ => {
                    errors.push(FieldError::new("village_id", "error-choice"));
                    (String::new(), 0)
                }
            }
        }
        None => match clean_text(p.applicant.as_deref().unwrap_or(""), 300) {
            Ok(a) if !a.is_empty() => (a, 0),
            _ => {
                errors.push(FieldError::new("village_id", "error-required"));
                (String::new(), 0)
            }
        },
    };
    let unit_agency_id = match non_empty(&p.unit_agency) {
        None => u.agency_id,
        Some(k) => match k.parse::<i64>() {
            Ok(id) => id,
            Err(_) => langnghe_store::agencies::id_by_key(&state.db, &k)
                .await?
                .unwrap_or(0),
        },
    };
    // A district registers for itself only.
    if r == Role::Officer && unit_agency_id != u.agency_id {
        return Err(AppError::Forbidden);
    }
    let agency = langnghe_store::agencies::get(&state.db, u.scope_unit_id, unit_agency_id).await?;
    let Some(agency) = agency else {
        errors.push(FieldError::new("unit_agency", "error-unknown-agency"));
        return Err(AppError::Validation(errors));
    };
    if r == Role::Officer && unit_agency_id != u.agency_id {
        return Err(AppError::Forbidden);
    }
    let admin_unit_id = if admin_unit_id == 0 {
        agency.admin_unit_id
    } else {
        admin_unit_id
    };
    let mut earlier = vec![];
    for y in non_empty(&p.earlier_years)
        .unwrap_or_default()
        .split([',', ';', ' '])
    {
        let y = y.trim();
        if y.is_empty() {
            continue;
        }
        match y.parse::<i32>() {
            Ok(y) if (1990..=i32::from(today().year() as i16)).contains(&y) => earlier.push(y),
            _ => errors.push(FieldError::new("earlier_years", "error-year")),
        }
    }
    let registered_on = match non_empty(&p.registered_on) {
        None => today(),
        Some(d) => match vnfmt::parse_date(&d) {
            Ok(d) => d,
            Err(_) => {
                errors.push(FieldError::new("registered_on", "error-date"));
                today()
            }
        },
    };
    let text = |v: &Option<String>, f: &str, errors: &mut Vec<FieldError>| -> Option<String> {
        match clean_text(v.as_deref().unwrap_or(""), 300) {
            Ok(s) if s.is_empty() => None,
            Ok(s) => Some(s),
            Err(_) => {
                errors.push(FieldError::new(f, "error-text"));
                None
            }
        }
    };
    let representative = text(&p.representative, "representative", &mut errors);
    let recognised_by = text(&p.recognised_by, "recognised_by", &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let registered = store::register(
        &state.db,
        &ctx.actor(),
        &NewApplication {
            scheme_id: s.id,
            village_id,
            applicant,
            unit_agency_id,
            admin_unit_id,
            registered_on,
            earlier_years: earlier,
            contents: keys,
            representative,
            recognised_by,
            legal_status: truthy(&p.legal_status),
            has_seal: truthy(&p.has_seal),
            bank_account: truthy(&p.bank_account),
            sample: false,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => AppError::Validation(vec![FieldError::new(
            "village_id",
            "scheme-already-registered",
        )]),
        e => e.into(),
    })?;
    registered.map_err(|r| match r {
        Refusal::Scheme { key } => AppError::Validation(vec![FieldError::new("village_id", key)]),
        r => refused(ctx.lang, r),
    })
}

/// Applications of a scheme: a district sees its own, the department all.
#[utoipa::path(get, path = "/api/v1/schemes/{id}/applications", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, body = crate::common::ListOf<AppItem>)))]
async fn applications_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<crate::common::ListOf<AppItem>>> {
    let s = load(&state, &ctx, &id).await?;
    let u = ctx.user()?;
    let items: Vec<AppItem> = store::applications(&state.db, s.id, u.scope_unit_id)
        .await?
        .into_iter()
        .map(|a| app_item(ctx.lang, a))
        .collect();
    let total = items.len() as i64;
    Ok(Json(crate::common::ListOf { items, total }))
}

/// Register an applicant through its local unit.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/applications", tag = "schemes", params(("id" = i64, Path)),
    request_body = RegisterPayload,
    responses((status = 201, body = Application), (status = 403), (status = 422)))]
async fn register_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<RegisterPayload>,
) -> AppResult<Response> {
    let aid = register(&state, &ctx, &id, &p, vec![]).await?;
    let (_, app) = load_app(&state, &ctx, &aid.to_string()).await?;
    Ok((StatusCode::CREATED, Json(app)).into_response())
}

async fn register_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    // Checkboxes repeat the `content` field: read them as pairs.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::bad("error-form"))?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let p = RegisterPayload {
        village_id: get("village_id"),
        applicant: get("applicant"),
        unit_agency: get("unit_agency"),
        contents: None,
        earlier_years: get("earlier_years"),
        registered_on: get("registered_on"),
        recognised_by: get("recognised_by"),
        representative: get("representative"),
        legal_status: get("legal_status"),
        has_seal: get("has_seal"),
        bank_account: get("bank_account"),
    };
    let list: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "content")
        .map(|(_, v)| v.clone())
        .collect();
    match register(&state, &ctx, &id, &p, list).await {
        Ok(_) => {
            ctx::flash(&session, "success", t(ctx.lang, "scheme-registered")).await;
            Ok(Redirect::to(&format!("/schemes/{id}#applications")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let typed = Typed::of("register", typed_pairs(&pairs));
            let (h, st) = detail_typed(
                &state,
                &ctx,
                &id,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
            )
            .await?;
            Ok((st, h).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn forward(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<usize> {
    let s = load(state, ctx, id).await?;
    let u = ctx.user()?;
    if !matches!(role(ctx)?, Role::Officer | Role::Coordinator | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    let n = store::forward(&state.db, &ctx.actor(), s.id, u.agency_id, today()).await?;
    Ok(n)
}

/// The local unit forwards its registrations to the department as one batch.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/forward", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, description = "`{forwarded}`"), (status = 403)))]
async fn forward_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let n = forward(&state, &ctx, &id).await?;
    Ok(Json(serde_json::json!({ "forwarded": n })).into_response())
}

async fn forward_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let n = forward(&state, &ctx, &id).await?;
    ctx::flash(
        &session,
        "success",
        t_args(ctx.lang, "scheme-forwarded", &[("count", n.to_string())]),
    )
    .await;
    Ok(Redirect::to(&format!("/schemes/{id}#applications")).into_response())
}

// ---------------------------------------------------------------------------
// Eligibility and selection
// ---------------------------------------------------------------------------

async fn run_eligibility(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(usize, usize)> {
    department(ctx)?;
    let s = load(state, ctx, id).await?;
    let rules_list: Vec<EligibilityRule> = json_list(&s.eligibility);
    let apps = store::applications(&state.db, s.id, langnghe_store::geo::COUNTRY_ID).await?;
    let (mut ok, mut no) = (0, 0);
    for a in &apps {
        // Each is checked on its row as it is once locked; one that moved on
        // in the meantime (or is not forwarded yet) is left as it is.
        let Ok((from, to)) =
            store::record_eligibility(&state.db, &ctx.actor(), a.id, None, &rules_list).await?
        else {
            continue;
        };
        if to == Stage::Eligible {
            ok += 1;
        } else {
            no += 1;
        }
        if from != to {
            notify_unit(state, a, to.as_str()).await?;
        }
    }
    Ok((ok, no))
}

/// Check every forwarded application against the scheme's rules (registry facts included).
/// Each application is checked on its row as it is once locked.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/eligibility", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, description = "`{eligible, ineligible}`"), (status = 403), (status = 404)))]
async fn eligibility_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (ok, no) = run_eligibility(&state, &ctx, &id).await?;
    Ok(Json(serde_json::json!({ "eligible": ok, "ineligible": no })).into_response())
}

async fn eligibility_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (ok, no) = run_eligibility(&state, &ctx, &id).await?;
    ctx::flash(
        &session,
        "success",
        t_args(
            ctx.lang,
            "scheme-checked",
            &[("eligible", ok.to_string()), ("ineligible", no.to_string())],
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/schemes/{id}#applications")).into_response())
}

/// One applicant in the selection.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SelectionItem {
    pub application_id: i64,
    pub applicant: String,
    pub district: String,
    pub rank: Option<u32>,
    pub selected: bool,
    /// Amount granted, đồng.
    pub amount: i64,
    pub requested: i64,
    pub budget_left: i64,
    pub reason_code: String,
    /// The reason: catalogue key, arguments and text in the request's language.
    #[serde(flatten)]
    pub reason: ReasonView,
    /// The reason as recorded (language-neutral).
    #[serde(skip)]
    pub reason_msg: rules::Msg,
}

/// The selection the rules give for a scheme and its applications (pure).
fn selection_items(
    lang: Lang,
    s: &Scheme,
    contents: &[store::Content],
    apps: &[Application],
) -> Vec<SelectionItem> {
    let priority: Vec<PriorityRule> = json_list(&s.priority);
    // District names come from the store: a registry village's commune counts under its district.
    let input = store::selection_input(apps);
    let out = rules::rank_and_select(
        &core_contents(contents),
        &priority,
        fair_of(s),
        s.budget_dong,
        &input,
    );
    out.into_iter()
        .map(|x| SelectionItem {
            application_id: x.application_id,
            applicant: x.applicant,
            district: x.district,
            rank: x.rank,
            selected: x.selected,
            amount: x.amount_dong,
            requested: x.requested_dong,
            budget_left: x.budget_left_dong,
            reason_code: x.reason_code.code().into(),
            reason: ReasonView::of(lang, &x.reason),
            reason_msg: x.reason,
        })
        .collect()
}

/// Only the applicants inside the caller's scope (as the applications list shows them).
async fn in_scope(
    state: &AppState,
    ctx: &Ctx,
    s: &Scheme,
    mut items: Vec<SelectionItem>,
) -> AppResult<Vec<SelectionItem>> {
    let u = ctx.user()?;
    if u.scope_unit_id != langnghe_store::geo::COUNTRY_ID {
        let mine: Vec<i64> = store::applications(&state.db, s.id, u.scope_unit_id)
            .await?
            .iter()
            .map(|a| a.id)
            .collect();
        items.retain(|i| mine.contains(&i.application_id));
    }
    Ok(items)
}

/// The selection as the rules give it now (one item per applicant of the
/// caller's scope, in rank order), not yet recorded.
#[utoipa::path(get, path = "/api/v1/schemes/{id}/selection", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, body = crate::common::ListOf<SelectionItem>), (status = 404)))]
async fn selection_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<crate::common::ListOf<SelectionItem>>> {
    let s = load(&state, &ctx, &id).await?;
    let contents = store::contents(&state.db, s.id).await?;
    let apps = store::applications(&state.db, s.id, langnghe_store::geo::COUNTRY_ID).await?;
    let items = selection_items(ctx.lang, &s, &contents, &apps);
    let items = in_scope(&state, &ctx, &s, items).await?;
    let total = items.len() as i64;
    Ok(Json(crate::common::ListOf { items, total }))
}

async fn record_selection(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    expected: Option<i64>,
) -> AppResult<Vec<SelectionItem>> {
    department(ctx)?;
    let s = load(state, ctx, id).await?;
    let lang = ctx.lang;
    let mut items = vec![];
    // Ranked inside the write, on the scheme and applications as they are once locked.
    let recorded = store::record_selection(
        &state.db,
        &ctx.actor(),
        s.id,
        expected,
        |scheme, contents, apps| {
            items = selection_items(lang, scheme, contents, apps);
            items
                .iter()
                .filter(|i| i.reason_code != rules::ReasonCode::Ineligible.code())
                .map(|i| store::Selected {
                    application_id: i.application_id,
                    rank: i.rank.map(i64::from),
                    selected: i.selected,
                    amount_dong: i.amount,
                    reason: serde_json::to_string(&i.reason_msg).unwrap_or_default(),
                })
                .collect()
        },
    )
    .await;
    match recorded {
        Ok(Ok(_)) => {}
        Ok(Err(r)) => return Err(refused(lang, r)),
        Err(StoreError::Stale { .. }) => return Err(stale_scheme(state, ctx, s.id).await?),
        Err(e) => return Err(e.into()),
    }
    for i in &items {
        if let Ok((_, a)) = load_app(state, ctx, &i.application_id.to_string()).await {
            notify_unit(state, &a, &a.state).await?;
        }
    }
    in_scope(state, ctx, &s, items).await
}

/// An optional version in a body (actions).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct VersionPayload {
    /// Optional: the version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

/// Record the selection: selected applicants get their amounts, the others the
/// reason. The scheme and its applications are ranked as they are once
/// locked; refused (409) once the list is decided, or when the scheme's
/// version, if given (`version` or `If-Match`), is stale.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/selection", tag = "schemes", params(("id" = i64, Path)),
    request_body(content = Option<VersionPayload>, description = "optional"),
    responses((status = 200, body = crate::common::ListOf<SelectionItem>), (status = 403), (status = 404),
        (status = 409, description = "decided already (`refused`), or a stale version (`error.current` is the stored scheme)")))]
async fn record_selection_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<Json<crate::common::ListOf<SelectionItem>>> {
    let p: VersionPayload = crate::extract::optional_json_body(&body)?;
    let expected = action_version(p.version, &headers)?;
    let items = record_selection(&state, &ctx, &id, expected).await?;
    let total = items.len() as i64;
    Ok(Json(crate::common::ListOf { items, total }))
}

async fn selection_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<VersionPayload>,
) -> AppResult<Response> {
    match record_selection(&state, &ctx, &id, p.version).await {
        Ok(items) => {
            let n = items.iter().filter(|i| i.selected).count();
            ctx::flash(
                &session,
                "success",
                t_args(ctx.lang, "scheme-selected", &[("count", n.to_string())]),
            )
            .await;
        }
        Err(e @ (AppError::Stale { .. } | AppError::Refused(_))) => {
            let errs = [refusal_field(e, "selection")];
            let (h, st) = detail(&state, &ctx, &id, &errs, StatusCode::CONFLICT).await?;
            return Ok((st, h).into_response());
        }
        Err(e) => return Err(e),
    }
    Ok(Redirect::to(&format!("/schemes/{id}#applications")).into_response())
}

/// The decision that approves the selection.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DecisionPayload {
    /// "Số: 5432/QĐ-UBND".
    pub number: String,
    /// "30/8/2017".
    pub issued_on: String,
    #[serde(default)]
    pub title: Option<String>,
    /// Optional: the scheme's version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

async fn decide(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &DecisionPayload,
    expected: Option<i64>,
) -> AppResult<i64> {
    department(ctx)?;
    let s = load(state, ctx, id).await?;
    // Refuse what the store would refuse before adding the document to the registry.
    if expected.is_some_and(|v| v != s.version) {
        return Err(stale_scheme(state, ctx, s.id).await?);
    }
    let decide = SchemeAction::Decide {
        linked: s.decision_doc_id.is_some(),
        selected: s.selected,
    };
    if let Err(r) = rules::scheme_transition(store::scheme_status(&s)?, decide) {
        return Err(refused(ctx.lang, Refusal::of_scheme(r)));
    }
    let title = p
        .title
        .clone()
        .filter(|x| !x.trim().is_empty())
        .unwrap_or_else(|| {
            format!(
                "Phê duyệt danh sách, nội dung và mức kinh phí hỗ trợ — {}",
                s.title
            )
        });
    let doc = serde_json::json!({ "number": p.number, "issued_on": p.issued_on, "title": title, "issuer": "UBND" });
    let doc = doc.as_object().cloned().unwrap_or_default();
    let u = ctx.user()?;
    let mut lookup = crate::registry::validate::DbLookup::new(&state.db, u.scope_unit_id);
    let values = crate::registry::validate::validate(
        langnghe_store::registry::spec::Entity::Document,
        &doc,
        &mut lookup,
        false,
    )
    .await
    .map_err(AppError::Validation)?;
    let rec = langnghe_store::registry::create(
        &state.db,
        &ctx.actor(),
        langnghe_store::registry::spec::Entity::Document,
        None,
        &values,
    )
    .await?;
    let doc_id = rec
        .get("id")
        .and_then(|v| v.as_i64())
        .ok_or(AppError::NotFound)?;
    match store::set_decision(&state.db, &ctx.actor(), s.id, expected, doc_id).await {
        Ok(Ok(_)) => Ok(doc_id),
        Ok(Err(r)) => Err(refused(ctx.lang, r)),
        Err(StoreError::Stale { .. }) => Err(stale_scheme(state, ctx, s.id).await?),
        Err(e) => Err(e.into()),
    }
}

/// Record the decision (legal document) that approves the selected list. An
/// action on the scheme: refused (409) when decided already, and when its
/// version, if given (`version` or `If-Match`), is stale.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/decision", tag = "schemes", params(("id" = i64, Path)),
    request_body = DecisionPayload,
    responses((status = 201, description = "`{document_id}`"), (status = 403), (status = 404),
        (status = 409, description = "decided already (`refused`), or a stale version (`error.current` is the stored scheme)"),
        (status = 422)))]
async fn decision_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<DecisionPayload>,
) -> AppResult<Response> {
    let expected = action_version(p.version, &headers)?;
    let d = decide(&state, &ctx, &id, &p, expected).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "document_id": d })),
    )
        .into_response())
}

async fn decision_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<DecisionPayload>,
) -> AppResult<Response> {
    let typed = Typed::of(
        "decision",
        serde_json::json!({"number": p.number, "issued_on": p.issued_on, "title": p.title}),
    );
    match decide(&state, &ctx, &id, &p, p.version).await {
        Ok(_) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/schemes/{id}")).into_response())
        }
        // The page was out of date or the state does not allow it: the page
        // as it is now, the reason in its summary, what was typed kept.
        Err(e @ (AppError::Stale { .. } | AppError::Refused(_))) => {
            let errs = [refusal_field(e, "number")];
            let (h, st) =
                detail_typed(&state, &ctx, &id, &errs, StatusCode::CONFLICT, &typed).await?;
            Ok((st, h).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let (h, st) = detail_typed(
                &state,
                &ctx,
                &id,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
            )
            .await?;
            Ok((st, h).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Mark a step of the timeline done.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StepDonePayload {
    /// The step's order (TT).
    pub ord: String,
    /// The day it was done ("15/9/2017"); default today.
    #[serde(default)]
    pub done_on: Option<String>,
    /// Optional: the scheme's version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

async fn mark_step(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    f: &StepDonePayload,
    expected: Option<i64>,
) -> AppResult<Scheme> {
    department(ctx)?;
    let s = load(state, ctx, id).await?;
    let ord: i64 =
        f.ord.trim().parse().map_err(|_| {
            AppError::Validation(vec![FieldError::new("ord", "error-number-plain")])
        })?;
    let done =
        match non_empty(&f.done_on) {
            None => Some(today()),
            Some(d) => Some(vnfmt::parse_date(&d).map_err(|_| {
                AppError::Validation(vec![FieldError::new("done_on", "error-date")])
            })?),
        };
    match store::set_step_done(&state.db, &ctx.actor(), s.id, expected, ord, done).await {
        Err(StoreError::Stale { .. }) => Err(stale_scheme(state, ctx, s.id).await?),
        other => Ok(other?),
    }
}

/// Mark a step of the scheme's timeline done (an action on the scheme: a
/// version, if given as `version` or `If-Match`, must be current).
#[utoipa::path(post, path = "/api/v1/schemes/{id}/steps", tag = "schemes", params(("id" = i64, Path)),
    request_body = StepDonePayload,
    responses((status = 200, body = SchemeView, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404, description = "no such scheme or step"),
        (status = 409, description = "stale version: `error.current` is the stored scheme"), (status = 422)))]
async fn steps_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<StepDonePayload>,
) -> AppResult<Response> {
    let expected = action_version(p.version, &headers)?;
    let s = mark_step(&state, &ctx, &id, &p, expected).await?;
    let s = load(&state, &ctx, &s.id.to_string()).await?;
    let view = view_of(&state, &ctx, s).await?;
    Ok(crate::version::with_etag(view.scheme.version, view))
}

async fn step_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(f): Form<StepDonePayload>,
) -> AppResult<Response> {
    let typed = Typed::of("step", serde_json::to_value(&f).unwrap_or_default());
    match mark_step(&state, &ctx, &id, &f, f.version).await {
        Ok(_) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/schemes/{id}#timeline")).into_response())
        }
        Err(e @ (AppError::Stale { .. } | AppError::Refused(_))) => {
            let errs = [refusal_field(e, "ord")];
            let (h, st) =
                detail_typed(&state, &ctx, &id, &errs, StatusCode::CONFLICT, &typed).await?;
            Ok((st, h).into_response())
        }
        // Say which field and why, on the page, with what was sent.
        Err(AppError::Validation(errs)) => {
            let (h, st) = detail_typed(
                &state,
                &ctx,
                &id,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
            )
            .await?;
            Ok((st, h).into_response())
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------
// One application: contract, monitoring, acceptance, liquidation, settlement
// ---------------------------------------------------------------------------

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    /// `reason` is in the request's language; `reason_key`/`reason_args` give its key.
    #[serde(flatten)]
    pub application: AppItem,
    /// The eligibility results, each reason in the request's language with its key.
    pub eligibility_results: Vec<RuleView>,
    pub scheme_title: String,
    pub contract: Option<store::Contract>,
    pub items: Vec<store::ContractItem>,
    pub visits: Vec<store::Visit>,
    pub disbursements: Vec<store::Disbursement>,
    pub events: Vec<store::AppEvent>,
    /// Earlier registrations of the same village: (year, scheme, state).
    pub history: Vec<(i64, String, String)>,
    /// Days past the liquidation deadline while not liquidated.
    pub liquidation_overdue_days: Option<i64>,
}

async fn app_view(
    state: &AppState,
    lang: Lang,
    s: &Scheme,
    a: Application,
) -> AppResult<ApplicationView> {
    let (contract, items) = match store::contract_of(&state.db, a.id).await? {
        Some((k, i)) => (Some(k), i),
        None => (None, vec![]),
    };
    let overdue = match (s.liquidate_by, &contract) {
        (Some(by), Some(k)) => rules::liquidation_overdue(by, k.liquidated_on, today()),
        _ => None,
    };
    Ok(ApplicationView {
        scheme_title: s.title.clone(),
        visits: store::visits(&state.db, a.id).await?,
        disbursements: store::disbursements(&state.db, a.id).await?,
        events: store::events(&state.db, a.id)
            .await?
            .into_iter()
            .map(|mut e| {
                // A check's or a selection's note is the reason, as a message.
                if matches!(e.action.as_str(), "check" | "select") {
                    e.note = e.note.as_deref().map(|n| msg_text(lang, &stored_msg(n)));
                }
                e
            })
            .collect(),
        history: match a.village_id {
            Some(v) => store::village_history(&state.db, v, s.id).await?,
            None => vec![],
        },
        liquidation_overdue_days: overdue,
        contract,
        items,
        eligibility_results: stored_results(lang, a.eligibility.as_deref()),
        application: app_item(lang, a),
    })
}

/// One application with its contract, visits, acceptance, payments and
/// history; its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationView, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
async fn application_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (s, a) = load_app(&state, &ctx, &id).await?;
    let view = app_view(&state, ctx.lang, &s, a).await?;
    Ok(crate::version::with_etag(
        view.application.application.version,
        view,
    ))
}

async fn application_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    application_html(&state, &ctx, &id, &[], &Typed::default()).await
}

async fn application_html(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: &[FieldError],
    typed: &Typed,
) -> AppResult<Html<String>> {
    let (s, a) = load_app(state, ctx, id).await?;
    let contents = store::contents(&state.db, s.id).await?;
    let v = app_view(state, ctx.lang, &s, a).await?;
    let eligibility = v.eligibility_results.clone();
    let applied: Vec<String> = json_list(&v.application.application.contents);
    render(
        state,
        ctx,
        "schemes/application.html",
        context! {
            title => v.application.application.applicant.clone(),
            s => s,
            v => v,
            contents => contents,
            applied => applied,
            eligibility => eligibility,
            custom_rules => json_list::<EligibilityRule>(&s.eligibility).into_iter().filter_map(|r| match r { EligibilityRule::Custom { key, label } => Some((key, label)), _ => None }).collect::<Vec<_>>(),
            is_department => department(ctx).is_ok(),
            errors => crate::views::field_errors(ctx.lang, errors),
            today => vnfmt::format_date(today()),
            typed_form => typed.form.clone(),
            typed => typed.over(&app_blank()),
            typed_blank => app_blank(),
        },
    )
}

/// What an action on an application takes (fields by action).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AppActionPayload {
    /// contract: the number ("05/2017/HĐ-SCT").
    #[serde(default)]
    pub number: Option<String>,
    /// contract, visit, accept, liquidate, settle: the date ("15/9/2017"); default today.
    #[serde(default)]
    pub date: Option<String>,
    /// contract: the parties, one per line (default: the scheme's lead and partner and the representative).
    #[serde(default)]
    pub parties: Option<String>,
    /// accept: the content key.
    #[serde(default)]
    pub content: Option<String>,
    /// visit: progress in %.
    #[serde(default)]
    pub progress: Option<String>,
    /// visit, accept, settle: a note.
    #[serde(default)]
    pub note: Option<String>,
    /// settle: the amount paid ("280.000.000"); default the contract amount.
    #[serde(default)]
    pub amount: Option<String>,
    /// review: the key of the scheme's custom rule.
    #[serde(default)]
    pub rule: Option<String>,
    /// review: "1"/"true" when the applicant meets it.
    #[serde(default)]
    pub passed: Option<String>,
    /// Optional: the application's version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

/// A store action's answer: the refusal or the stale version as the person sees it.
async fn acted<T>(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    r: langnghe_store::Result<Result<T, Refusal>>,
) -> AppResult<T> {
    match r {
        Ok(Ok(x)) => Ok(x),
        Ok(Err(refusal)) => Err(refused(ctx.lang, refusal)),
        Err(StoreError::Stale { .. }) => {
            let (s, a) = load_app(state, ctx, id).await?;
            Err(crate::version::stale(
                &app_view(state, ctx.lang, &s, a).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn app_action(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    action: &str,
    p: &AppActionPayload,
    expected: Option<i64>,
) -> AppResult<()> {
    department(ctx)?;
    let (s, a) = load_app(state, ctx, id).await?;
    // A version given that is not the one stored: 409 with the record as it is.
    if expected.is_some_and(|v| v != a.version) {
        return Err(crate::version::stale(
            &app_view(state, ctx.lang, &s, a).await?,
        ));
    }
    let mut errors = vec![];
    let date = match non_empty(&p.date) {
        None => today(),
        Some(d) => vnfmt::parse_date(&d).unwrap_or_else(|_| {
            errors.push(FieldError::new("date", "error-date"));
            today()
        }),
    };
    let note = non_empty(&p.note).and_then(|n| clean_text(&n, 2_000).ok());
    let actor = ctx.actor();
    let lang = ctx.lang;
    let from = Stage::parse(&a.state).ok_or_else(|| AppError::Internal(a.state.clone()))?;
    // What the rules of `core::scheme::transition` need, from the stored
    // application and the form (parsed here; what cannot be parsed is said here).
    let mut facts = rules::AppFacts {
        representative: !a.representative.as_deref().unwrap_or("").is_empty(),
        legal_status: a.legal_status,
        has_seal: a.has_seal,
        bank_account: a.bank_account,
        note: note.is_some(),
        ..Default::default()
    };
    // The rules' verdict: a refusal (409) or the inputs they refuse, after the
    // ones that could not be read.
    let judge = |action: AppAction, facts: &rules::AppFacts, mut errors: Vec<FieldError>| {
        match rules::transition(from, action, facts) {
            Ok(_) if errors.is_empty() => Ok(()),
            Ok(_) => Err(AppError::Validation(errors)),
            Err(rules::AppTransitionError::Refused(r)) => Err(refused(lang, Refusal::State(r))),
            Err(rules::AppTransitionError::Invalid(bad)) => {
                errors.extend(bad.iter().map(|f| FieldError::new(f.field, f.key)));
                Err(AppError::Validation(errors))
            }
        }
    };
    match action {
        "review" => {
            let rules_list: Vec<EligibilityRule> = json_list(&s.eligibility);
            let key = non_empty(&p.rule).unwrap_or_default();
            facts.review_rule_known = rules_list
                .iter()
                .any(|r| matches!(r, EligibilityRule::Custom { key: k, .. } if *k == key));
            // A verdict answers its own form: the date plays no part in it.
            judge(AppAction::Review, &facts, vec![])?;
            let verdict = rules::ReviewerVerdict {
                key,
                passed: truthy(&p.passed),
                note: note.unwrap_or_default(),
            };
            let r = store::review(&state.db, &actor, a.id, expected, verdict, &rules_list).await;
            let after = acted(state, ctx, id, r).await?;
            if after.state != a.state {
                notify_unit(state, &after, &after.state).await?;
            }
            return Ok(());
        }
        "contract" => {
            let number = non_empty(&p.number)
                .and_then(|n| clean_text(&n, 100).ok())
                .unwrap_or_default();
            facts.contract_number = !number.is_empty();
            judge(AppAction::Contract, &facts, errors)?;
            let contents = store::contents(&state.db, s.id).await?;
            let applied: Vec<String> = json_list(&a.contents);
            let items: Vec<(String, i64)> = contents
                .iter()
                .filter(|c| applied.contains(&c.key))
                .map(|c| (c.key.clone(), c.unit_cost_dong.max(0)))
                .collect();
            let parties: Vec<String> = match non_empty(&p.parties) {
                Some(x) => x
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect(),
                None => [
                    s.lead_agency_name.clone(),
                    s.partner_agency_name.clone(),
                    a.representative.clone(),
                ]
                .into_iter()
                .flatten()
                .collect(),
            };
            let r = store::sign_contract(
                &state.db,
                &actor,
                a.id,
                expected,
                &store::NewContract {
                    number,
                    signed_on: date,
                    parties,
                    end_on: s.liquidate_by,
                    items,
                },
            )
            .await;
            acted(state, ctx, id, r).await?;
        }
        "visit" => {
            facts.progress_pct = match non_empty(&p.progress) {
                None => None,
                Some(x) => match vnfmt::parse_int(x.trim_end_matches('%').trim()) {
                    Ok(n) => Some(n),
                    Err(_) => {
                        errors.push(FieldError::new("progress", "error-number-plain"));
                        None
                    }
                },
            };
            judge(AppAction::Visit, &facts, errors)?;
            let r = store::add_visit(
                &state.db,
                &actor,
                a.id,
                expected,
                date,
                facts.progress_pct,
                &note.unwrap_or_default(),
            )
            .await;
            acted(state, ctx, id, r).await?;
            return Ok(());
        }
        "accept" => {
            // Whether this content is the last one open is the store's to
            // know: it applies `AcceptContent { last }` to the locked row.
            let key = non_empty(&p.content).unwrap_or_default();
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            let r = store::accept(
                &state.db,
                &actor,
                a.id,
                expected,
                &key,
                date,
                note.as_deref(),
            )
            .await;
            acted(state, ctx, id, r).await?;
        }
        "liquidate" => {
            judge(AppAction::Liquidate, &facts, errors)?;
            let r = store::liquidate(&state.db, &actor, a.id, expected, date).await;
            acted(state, ctx, id, r).await?;
        }
        "settle" => {
            facts.contract_dong = store::contract_of(&state.db, a.id)
                .await?
                .map(|(k, _)| k.amount_dong)
                .unwrap_or(0);
            match non_empty(&p.amount).map(|x| vnfmt::parse_money_dong(&x)) {
                None => {}
                Some(Ok(v)) => facts.paid_dong = Some(v),
                Some(Err(_)) => errors.push(FieldError::new("amount", "app-amount-range")),
            }
            judge(AppAction::Settle, &facts, errors)?;
            let r = store::settle(
                &state.db,
                &actor,
                a.id,
                expected,
                date,
                facts.paid_dong.unwrap_or(facts.contract_dong),
                note.as_deref(),
            )
            .await;
            acted(state, ctx, id, r).await?;
        }
        _ => return Err(AppError::NotFound),
    }
    let (_, after) = load_app(state, ctx, id).await?;
    notify_unit(state, &after, &after.state).await?;
    Ok(())
}

/// Act on an application: `contract`, `visit`, `accept` (one content),
/// `liquidate`, `settle`, `review` (a verdict on a custom rule). Actions are
/// guarded by the application's state machine, applied to its row once
/// locked: of two concurrent identical actions one succeeds and the other is
/// refused (409 `refused`). A version (`version` or `If-Match`), when given,
/// must be the current one (409 `stale_version` with the stored application).
#[utoipa::path(post, path = "/api/v1/applications/{id}/{action}", tag = "schemes",
    params(("id" = i64, Path), ("action" = String, Path, description = "contract, visit, accept, liquidate, settle or review")),
    request_body = AppActionPayload,
    responses((status = 200, body = ApplicationView, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404),
        (status = 409, description = "the state does not allow the action (`refused`), or the version given is stale (`stale_version`, `error.current` is the stored application)"),
        (status = 422)))]
async fn application_action_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Json(p): Json<AppActionPayload>,
) -> AppResult<Response> {
    let expected = action_version(p.version, &headers)?;
    app_action(&state, &ctx, &id, &action, &p, expected).await?;
    let (s, a) = load_app(&state, &ctx, &id).await?;
    let view = app_view(&state, ctx.lang, &s, a).await?;
    Ok(crate::version::with_etag(
        view.application.application.version,
        view,
    ))
}

async fn application_action_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((id, action)): Path<(String, String)>,
    Form(p): Form<AppActionPayload>,
) -> AppResult<Response> {
    // What was typed goes back into the form it came from.
    let typed = Typed::of(&action, serde_json::to_value(&p).unwrap_or_default());
    match app_action(&state, &ctx, &id, &action, &p, p.version).await {
        Ok(()) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/applications/{id}")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let h = application_html(&state, &ctx, &id, &errs, &typed).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, h).into_response())
        }
        // The page was out of date: show it as it is now, with the reason.
        Err(AppError::Refused(e)) => {
            let h = application_html(&state, &ctx, &id, &[e], &typed).await?;
            Ok((StatusCode::CONFLICT, h).into_response())
        }
        Err(AppError::Stale { .. }) => {
            let e = FieldError::new("state", "error-stale");
            let h = application_html(&state, &ctx, &id, &[e], &typed).await?;
            Ok((StatusCode::CONFLICT, h).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Contracts of the support schemes in the caller's scope.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "schemes", params(ContractQuery),
    responses((status = 200, body = crate::common::ListOf<store::Contract>)))]
async fn contracts_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ContractQuery>,
) -> AppResult<Json<crate::common::ListOf<store::Contract>>> {
    let u = ctx.user()?;
    let (items, total) = store::contracts(
        &state.db,
        u.scope_unit_id,
        crate::extract::api_limit(q.limit),
        crate::extract::api_offset(q.offset),
    )
    .await?;
    Ok(Json(crate::common::ListOf { items, total }))
}

async fn contracts_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let u = ctx.user()?;
    let (items, total) = store::contracts(&state.db, u.scope_unit_id, 500, 0).await?;
    render(
        &state,
        &ctx,
        "schemes/contracts.html",
        context! { title => t(ctx.lang, "contracts-title"), items => items, total => total },
    )
}

// ---------------------------------------------------------------------------
// Defining a scheme
// ---------------------------------------------------------------------------

/// A support content as entered: cost in Vietnamese form ("60.000.000", "60 triệu đồng").
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ContentPayload {
    pub key: String,
    pub name: String,
    pub unit_cost: String,
    /// Code of the programme indicator an accepted content counts towards.
    #[serde(default)]
    pub indicator: Option<String>,
}

/// A step of the timeline: dates "1/5/2017"; lead agency key.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StepPayload {
    pub text: String,
    #[serde(default)]
    pub lead: Option<String>,
    #[serde(default)]
    pub start_on: Option<String>,
    #[serde(default)]
    pub due_on: Option<String>,
    /// The coordinating units, as the plan lists them.
    #[serde(default)]
    pub coordinating: Option<String>,
}

/// A support scheme, as defined or changed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SchemePayload {
    pub program_id: i64,
    pub title: String,
    pub year: i64,
    /// "3.000.000.000" or "3 tỷ đồng".
    pub budget: String,
    pub contents: Vec<ContentPayload>,
    /// village_recognised, registered_through_unit, has_legal_status.
    #[serde(default)]
    pub eligibility: Vec<String>,
    /// Ordered: `{"kind": "registered_in", "years": [2014, 2015]}`, `{"kind": "all_contents"}`, `{"kind": "earlier_registration"}`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub priority: Vec<PriorityRule>,
    /// none, round_robin or cap.
    #[serde(default)]
    pub fair_share: Option<String>,
    #[serde(default)]
    pub fair_cap: Option<i64>,
    #[serde(default)]
    pub liquidate_by: Option<String>,
    /// Budget line of the programme (id); default its first.
    #[serde(default)]
    pub budget_line_id: Option<i64>,
    /// Agency keys or ids.
    #[serde(default)]
    pub lead_agency: Option<String>,
    #[serde(default)]
    pub partner_agency: Option<String>,
    #[serde(default)]
    pub steps: Vec<StepPayload>,
    /// Changes only: the version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

async fn agency_ref(state: &AppState, v: &Option<String>) -> AppResult<Option<i64>> {
    Ok(match non_empty(v) {
        None => None,
        Some(k) => match k.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => langnghe_store::agencies::id_by_key(&state.db, &k).await?,
        },
    })
}

/// The one validation of a scheme, for definition and change: its programme,
/// contents, rules, budget and timeline, inside the caller's scope.
async fn check_scheme(
    state: &AppState,
    ctx: &Ctx,
    p: &SchemePayload,
) -> AppResult<store::NewScheme> {
    department(ctx)?;
    let u = ctx.user()?;
    let program = langnghe_store::plans::get(&state.db, u.scope_unit_id, p.program_id)
        .await?
        .ok_or_else(|| AppError::Validation(vec![FieldError::new("program_id", "error-choice")]))?;
    let mut errors = vec![];
    let title = clean_text(&p.title, 500).unwrap_or_default();
    if title.is_empty() {
        errors.push(FieldError::new("title", "error-required"));
    }
    if !(1990..=2100).contains(&p.year) {
        errors.push(FieldError::new("year", "error-year"));
    }
    let budget = match vnfmt::parse_money_dong(&p.budget) {
        Ok(v) if v > 0 => v,
        _ => {
            errors.push(FieldError::new("budget", "error-money").arg("value", p.budget.trim()));
            0
        }
    };
    let inds = langnghe_store::plans::indicators(&state.db, program.id).await?;
    let mut contents = vec![];
    if p.contents.is_empty() {
        errors.push(FieldError::new("contents", "error-required"));
    }
    for (i, c) in p.contents.iter().enumerate() {
        let key = c.key.trim().to_string();
        let name = clean_text(&c.name, 500).unwrap_or_default();
        if key.is_empty()
            || name.is_empty()
            || contents.iter().any(|x: &store::Content| x.key == key)
        {
            errors.push(FieldError::new(&format!("contents.{i}"), "error-required"));
            continue;
        }
        let cost = match vnfmt::parse_money_dong(&c.unit_cost) {
            Ok(v) if v >= 0 => v,
            _ => {
                errors.push(
                    FieldError::new(&format!("contents.{i}.unit_cost"), "error-money")
                        .arg("value", c.unit_cost.trim()),
                );
                0
            }
        };
        let indicator_id = match non_empty(&c.indicator) {
            None => None,
            Some(code) => match inds.iter().find(|x| x.code == code) {
                Some(x) => Some(x.id),
                None => {
                    errors.push(FieldError::new(
                        &format!("contents.{i}.indicator"),
                        "error-choice",
                    ));
                    None
                }
            },
        };
        contents.push(store::Content {
            key,
            name,
            unit_cost_dong: cost,
            indicator_id,
        });
    }
    let mut eligibility = vec![];
    for e in &p.eligibility {
        match e.as_str() {
            "village_recognised" => eligibility.push(EligibilityRule::VillageRecognised),
            "registered_through_unit" => eligibility.push(EligibilityRule::RegisteredThroughUnit),
            "has_legal_status" => eligibility.push(EligibilityRule::HasLegalStatus),
            // "custom:key:label" — decided by a reviewer.
            other => match other
                .strip_prefix("custom:")
                .and_then(|r| r.split_once(':'))
            {
                Some((key, label)) if !key.trim().is_empty() && !label.trim().is_empty() => {
                    eligibility.push(EligibilityRule::Custom {
                        key: key.trim().to_string(),
                        label: clean_text(label, 300).unwrap_or_default(),
                    })
                }
                _ => errors.push(FieldError::new("eligibility", "error-choice")),
            },
        }
    }
    let fair = non_empty(&p.fair_share).unwrap_or_else(|| "round_robin".into());
    if !matches!(fair.as_str(), "none" | "round_robin" | "cap") {
        errors.push(FieldError::new("fair_share", "error-choice"));
    }
    if fair == "cap" && p.fair_cap.is_none_or(|c| c <= 0) {
        errors.push(FieldError::new("fair_cap", "error-number-plain"));
    }
    let liquidate_by = match non_empty(&p.liquidate_by) {
        None => None,
        Some(d) => match vnfmt::parse_date(&d) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("liquidate_by", "error-date"));
                None
            }
        },
    };
    let mut steps = vec![];
    for (i, st) in p.steps.iter().enumerate() {
        let d = |v: &Option<String>, errors: &mut Vec<FieldError>, f: &str| match non_empty(v) {
            None => None,
            Some(x) => vnfmt::parse_date(&x)
                .map_err(|_| errors.push(FieldError::new(&format!("steps.{i}.{f}"), "error-date")))
                .ok(),
        };
        let start_on = d(&st.start_on, &mut errors, "start_on");
        let due_on = d(&st.due_on, &mut errors, "due_on");
        steps.push(store::Step {
            ord: i as i64 + 1,
            text: clean_text(&st.text, 2_000).unwrap_or_default(),
            lead_agency_id: agency_ref(state, &st.lead).await?,
            lead_agency_name: None,
            coordinating: non_empty(&st.coordinating).and_then(|c| clean_text(&c, 500).ok()),
            start_on,
            due_on,
            done_on: None,
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (lines, _) = langnghe_store::plans::budget(&state.db, program.id).await?;
    let budget_line_id = p
        .budget_line_id
        .filter(|b| lines.iter().any(|l| l.id == *b))
        .or(lines.first().map(|l| l.id));
    Ok(store::NewScheme {
        key: None,
        program_id: program.id,
        budget_line_id,
        title,
        year: p.year,
        budget_dong: budget,
        eligibility: serde_json::to_string(&eligibility).unwrap_or_else(|_| "[]".into()),
        priority: serde_json::to_string(&p.priority).unwrap_or_else(|_| "[]".into()),
        fair_share: fair,
        fair_cap: p.fair_cap,
        liquidate_by,
        indicator_id: contents.iter().find_map(|c| c.indicator_id),
        lead_agency_id: agency_ref(state, &p.lead_agency)
            .await?
            .or(program.lead_agency_id),
        partner_agency_id: agency_ref(state, &p.partner_agency).await?,
        notes: None,
        contents,
        steps,
    })
}

fn duplicate_content(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => {
            AppError::Validation(vec![FieldError::new("contents", "error-duplicate")])
        }
        e => e.into(),
    }
}

async fn create(state: &AppState, ctx: &Ctx, p: &SchemePayload) -> AppResult<i64> {
    let new = check_scheme(state, ctx, p).await?;
    store::insert(&state.db, &ctx.actor(), &new)
        .await
        .map_err(duplicate_content)
}

/// Change a scheme read at version `expected`.
async fn update(
    state: &AppState,
    ctx: &Ctx,
    s: &Scheme,
    expected: i64,
    p: &SchemePayload,
) -> AppResult<Scheme> {
    let mut new = check_scheme(state, ctx, p).await?;
    if new.program_id != s.program_id {
        return Err(AppError::Validation(vec![FieldError::new(
            "program_id",
            "scheme-program-fixed",
        )]));
    }
    new.key = s.key.clone();
    new.notes = s.notes.clone();
    match store::update(&state.db, &ctx.actor(), s.id, Some(expected), &new).await {
        Ok(Ok(saved)) => Ok(saved),
        Ok(Err(r)) => Err(refused(ctx.lang, r)),
        Err(StoreError::Stale { .. }) => Err(stale_scheme(state, ctx, s.id).await?),
        Err(e) => Err(duplicate_content(e)),
    }
}

/// Define a support scheme under a programme: contents with costs, rules, budget, timeline.
#[utoipa::path(post, path = "/api/v1/schemes", tag = "schemes", request_body = SchemePayload,
    responses((status = 201, body = SchemeView), (status = 403), (status = 422)))]
async fn create_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(p): Json<SchemePayload>,
) -> AppResult<Response> {
    let id = create(&state, &ctx, &p).await?;
    let s = load(&state, &ctx, &id.to_string()).await?;
    Ok((StatusCode::CREATED, Json(view_of(&state, &ctx, s).await?)).into_response())
}

/// Change a scheme: its title, year, budget, contents (by key), rules, fair
/// share, liquidation deadline and timeline (a step keeps the day it was
/// done), validated as when it was defined. A content an application applied
/// for cannot go, and the budget cannot go below what is selected (422). Name
/// the version read (`version` or `If-Match`): without one 428, stale 409 with
/// the stored scheme in `error.current`.
#[utoipa::path(put, path = "/api/v1/schemes/{id}", tag = "schemes", params(("id" = i64, Path)), request_body = SchemePayload,
    responses((status = 200, body = SchemeView, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored scheme"),
        (status = 422), (status = 428, description = "no version given")))]
async fn update_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<SchemePayload>,
) -> AppResult<Response> {
    department(&ctx)?;
    let s = load(&state, &ctx, &id).await?;
    let expected = crate::version::expected(p.version, &headers)?;
    let saved = update(&state, &ctx, &s, expected, &p).await?;
    let s = load(&state, &ctx, &saved.id.to_string()).await?;
    let view = view_of(&state, &ctx, s).await?;
    Ok(crate::version::with_etag(view.scheme.version, view))
}

/// The scheme form: contents, steps and reviewer-decided rules one per line.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct SchemeForm {
    #[serde(default)]
    program_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    budget: String,
    /// "key | name | cost | indicator code" per line.
    #[serde(default)]
    contents: String,
    /// "start | due | lead key | text | coordinating" per line.
    #[serde(default)]
    steps: String,
    #[serde(default)]
    registered_in: String,
    #[serde(default)]
    all_contents: Option<String>,
    #[serde(default)]
    village_recognised: Option<String>,
    #[serde(default)]
    registered_through_unit: Option<String>,
    #[serde(default)]
    has_legal_status: Option<String>,
    /// Conditions a reviewer decides: "key | label" per line.
    #[serde(default)]
    custom_rules: String,
    #[serde(default)]
    fair_share: String,
    #[serde(default)]
    fair_cap: String,
    #[serde(default)]
    liquidate_by: String,
    /// Changes only: the version the form was read at.
    #[serde(default)]
    version: String,
}

fn payload_of(f: &SchemeForm) -> SchemePayload {
    let split = |l: &str| {
        l.split('|')
            .map(|x| x.trim().to_string())
            .collect::<Vec<_>>()
    };
    let mut priority = vec![];
    let years: Vec<i32> = f
        .registered_in
        .split([',', ' ', ';'])
        .filter_map(|y| y.trim().parse().ok())
        .collect();
    if !years.is_empty() {
        priority.push(PriorityRule::RegisteredIn { years });
    }
    if truthy(&f.all_contents) {
        priority.push(PriorityRule::AllContents);
    }
    priority.push(PriorityRule::EarlierRegistration);
    let mut eligibility: Vec<String> = [
        ("village_recognised", &f.village_recognised),
        ("registered_through_unit", &f.registered_through_unit),
        ("has_legal_status", &f.has_legal_status),
    ]
    .iter()
    .filter(|(_, v)| truthy(v))
    .map(|(k, _)| k.to_string())
    .collect();
    for l in f.custom_rules.lines().filter(|l| !l.trim().is_empty()) {
        let p = split(l);
        eligibility.push(format!(
            "custom:{}:{}",
            p.first().cloned().unwrap_or_default(),
            p.get(1).cloned().unwrap_or_default()
        ));
    }
    SchemePayload {
        program_id: f.program_id.trim().parse().unwrap_or(0),
        title: f.title.clone(),
        year: f.year.trim().parse().unwrap_or(0),
        budget: f.budget.clone(),
        contents: f
            .contents
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let p = split(l);
                ContentPayload {
                    key: p.first().cloned().unwrap_or_default(),
                    name: p.get(1).cloned().unwrap_or_default(),
                    unit_cost: p.get(2).cloned().unwrap_or_default(),
                    indicator: p.get(3).cloned(),
                }
            })
            .collect(),
        eligibility,
        priority,
        fair_share: Some(f.fair_share.clone()),
        fair_cap: f.fair_cap.trim().parse().ok(),
        liquidate_by: Some(f.liquidate_by.clone()),
        budget_line_id: None,
        lead_agency: None,
        partner_agency: None,
        steps: f
            .steps
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let p = split(l);
                StepPayload {
                    start_on: p.first().cloned(),
                    due_on: p.get(1).cloned(),
                    lead: p.get(2).cloned(),
                    text: p.get(3).cloned().unwrap_or_default(),
                    coordinating: p.get(4).cloned(),
                }
            })
            .collect(),
        version: f.version.trim().parse().ok(),
    }
}

/// The form of a stored scheme.
async fn form_of(state: &AppState, v: &SchemeView) -> AppResult<SchemeForm> {
    let s = &v.scheme;
    let inds = langnghe_store::plans::indicators(&state.db, s.program_id).await?;
    let code_of = |id: Option<i64>| {
        id.and_then(|i| inds.iter().find(|x| x.id == i))
            .map(|x| x.code.clone())
            .unwrap_or_default()
    };
    let d = |x: Option<Date>| x.map(vnfmt::format_date).unwrap_or_default();
    let mut f = SchemeForm {
        program_id: s.program_id.to_string(),
        title: s.title.clone(),
        year: s.year.to_string(),
        budget: vnfmt::format_int(s.budget_dong),
        contents: v
            .contents
            .iter()
            .map(|c| {
                format!(
                    "{} | {} | {} | {}",
                    c.key,
                    c.name,
                    vnfmt::format_int(c.unit_cost_dong),
                    code_of(c.indicator_id)
                )
                .trim_end_matches([' ', '|'])
                .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n"),
        steps: v
            .steps
            .iter()
            .map(|st| {
                let st = &st.step;
                format!(
                    "{} | {} | {} | {} | {}",
                    d(st.start_on),
                    d(st.due_on),
                    st.lead_agency_id.map(|a| a.to_string()).unwrap_or_default(),
                    st.text,
                    st.coordinating.clone().unwrap_or_default()
                )
                .trim_end_matches([' ', '|'])
                .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n"),
        fair_share: s.fair_share.clone(),
        fair_cap: s.fair_cap.map(|c| c.to_string()).unwrap_or_default(),
        liquidate_by: d(s.liquidate_by),
        version: s.version.to_string(),
        ..Default::default()
    };
    let on = || Some("1".to_string());
    for r in &v.eligibility_rules {
        match r {
            EligibilityRule::VillageRecognised => f.village_recognised = on(),
            EligibilityRule::RegisteredThroughUnit => f.registered_through_unit = on(),
            EligibilityRule::HasLegalStatus => f.has_legal_status = on(),
            EligibilityRule::Custom { key, label } => {
                f.custom_rules.push_str(&format!("{key} | {label}\n"))
            }
        }
    }
    for r in &v.priority_rules {
        match r {
            PriorityRule::RegisteredIn { years } => {
                f.registered_in = years
                    .iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            PriorityRule::AllContents => f.all_contents = on(),
            PriorityRule::EarlierRegistration => {}
        }
    }
    Ok(f)
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    scheme_form(
        &state,
        &ctx,
        &SchemeForm {
            fair_share: "round_robin".into(),
            ..Default::default()
        },
        None,
        &[],
        None,
    )
    .await
}

async fn scheme_form(
    state: &AppState,
    ctx: &Ctx,
    f: &SchemeForm,
    id: Option<i64>,
    errors: &[FieldError],
    conflict: Option<Vec<crate::views::ConflictRow>>,
) -> AppResult<Html<String>> {
    department(ctx)?;
    let u = ctx.user()?;
    let (programs, _) =
        langnghe_store::plans::list(&state.db, u.scope_unit_id, None, 500, 0).await?;
    let title = t(
        ctx.lang,
        if id.is_some() {
            "scheme-edit"
        } else {
            "scheme-new"
        },
    );
    render(
        state,
        ctx,
        "schemes/form.html",
        context! { title => title, f => f, id => id, programs => programs, errors => crate::views::field_errors(ctx.lang, errors), conflict => conflict },
    )
}

async fn create_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(f): Form<SchemeForm>,
) -> AppResult<Response> {
    match create(&state, &ctx, &payload_of(&f)).await {
        Ok(id) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/schemes/{id}")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let h = scheme_form(&state, &ctx, &f, None, &errs, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, h).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    department(&ctx)?;
    let s = load(&state, &ctx, &id).await?;
    let sid = s.id;
    let f = form_of(&state, &view_of(&state, &ctx, s).await?).await?;
    scheme_form(&state, &ctx, &f, Some(sid), &[], None).await
}

const SCHEME_FIELDS: [&str; 13] = [
    "title",
    "year",
    "budget",
    "contents",
    "village_recognised",
    "registered_through_unit",
    "has_legal_status",
    "custom_rules",
    "registered_in",
    "all_contents",
    "fair_share",
    "fair_cap",
    "liquidate_by",
];

async fn update_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(f): Form<SchemeForm>,
) -> AppResult<Response> {
    department(&ctx)?;
    let s = load(&state, &ctx, &id).await?;
    let expected = crate::version::from_form(Some(f.version.as_str()))?;
    // The programme stays the scheme's own (the form does not move it).
    let mut p = payload_of(&f);
    p.program_id = s.program_id;
    p.budget_line_id = s.budget_line_id;
    p.lead_agency = s.lead_agency_id.map(|a| a.to_string());
    p.partner_agency = s.partner_agency_id.map(|a| a.to_string());
    match update(&state, &ctx, &s, expected, &p).await {
        Ok(saved) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/schemes/{}", saved.id)).into_response())
        }
        Err(AppError::Stale { .. }) => {
            // What was typed stays, with the stored version, beside what is stored.
            let now = load(&state, &ctx, &id).await?;
            let stored = form_of(&state, &view_of(&state, &ctx, now).await?).await?;
            let mut fields: Vec<&str> = SCHEME_FIELDS.to_vec();
            fields.push("steps");
            let newlines = crate::common::unix_newlines;
            let rows = crate::views::conflict_rows(
                &fields,
                &newlines(serde_json::to_value(&f).unwrap_or_default()),
                &newlines(serde_json::to_value(&stored).unwrap_or_default()),
                |k| scheme_field_label(ctx.lang, k),
            );
            let mut mine = f.clone();
            mine.version = stored.version.clone();
            let h = scheme_form(&state, &ctx, &mine, Some(s.id), &[], Some(rows)).await?;
            Ok((StatusCode::CONFLICT, h).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let h = scheme_form(&state, &ctx, &f, Some(s.id), &errs, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, h).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The label of a scheme form field (for the conflict table).
fn scheme_field_label(lang: Lang, field: &str) -> String {
    let key = match field {
        "title" => "scheme-name",
        "year" => "field-year",
        "budget" => "scheme-budget",
        "contents" => "scheme-contents",
        "steps" => "scheme-timeline",
        "registered_in" => "priority-registered_in",
        "all_contents" => "priority-all_contents",
        "fair_share" => "scheme-fair-share",
        "fair_cap" => "fair-cap",
        "liquidate_by" => "scheme-liquidate-by",
        "custom_rules" => "scheme-custom-rules",
        other => return t(lang, &format!("rule-{other}")),
    };
    t(lang, key)
}

// ---------------------------------------------------------------------------
// The decision as an official document
// ---------------------------------------------------------------------------

/// The decision approving the list (Decree 30/2020 layout): applicants,
/// contents, amounts. It lists exactly the applicants the caller's
/// applications list shows: for a reader scoped to one district it is an
/// extract (trích) of that district's part of the list.
async fn decision_document(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Vec<u8>> {
    let s = load(state, ctx, id).await?;
    let contents = store::contents(&state.db, s.id).await?;
    let scope = ctx.user()?.scope_unit_id;
    let apps = store::applications(&state.db, s.id, scope).await?;
    let chosen: Vec<&Application> = apps
        .iter()
        .filter(|a| Stage::parse(&a.state).is_some_and(Stage::is_chosen))
        .collect();
    if chosen.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut rows = vec![];
    let mut total = 0i64;
    for (i, a) in chosen.iter().enumerate() {
        let keys: Vec<String> = json_list(&a.contents);
        let names: Vec<String> = contents
            .iter()
            .filter(|c| keys.contains(&c.key))
            .map(|c| c.name.clone())
            .collect();
        total = total.saturating_add(a.amount_dong);
        rows.push(vec![
            (i + 1).to_string(),
            a.applicant.clone(),
            a.district.clone(),
            names.join("; "),
            vnfmt::format_int(a.amount_dong),
        ]);
    }
    let n = rows.len();
    // An extract when the reader's scope does not hold every selected applicant.
    let extract = (n as i64) < s.selected;
    let scope_name = if extract {
        langnghe_store::geo::by_id(&state.db, scope)
            .await?
            .map(|u| u.name)
            .unwrap_or_default()
    } else {
        String::new()
    };
    rows.push(vec![
        String::new(),
        if extract {
            "Cộng (phần trích)"
        } else {
            "Tổng cộng"
        }
        .into(),
        String::new(),
        String::new(),
        vnfmt::format_int(total),
    ]);
    let program =
        langnghe_store::plans::get(&state.db, langnghe_store::geo::COUNTRY_ID, s.program_id)
            .await?
            .ok_or(AppError::NotFound)?;
    let unit = langnghe_store::geo::by_id(&state.db, program.admin_unit_id).await?;
    let place = unit
        .as_ref()
        .map(|u| {
            u.name
                .trim_start_matches("Thành phố ")
                .trim_start_matches("Tỉnh ")
                .to_string()
        })
        .unwrap_or_default();
    let level = if unit
        .as_ref()
        .is_some_and(|u| u.name.starts_with("Thành phố"))
    {
        "THÀNH PHỐ"
    } else {
        "TỈNH"
    };
    let doc = langnghe_reports::OfficialReport {
        issuer_parent: String::new(),
        issuer: format!("ỦY BAN NHÂN DÂN\n{level} {}", place.to_uppercase()),
        number: format!("Số: {}", s.decision_number.clone().unwrap_or_else(|| "        /QĐ-UBND".into())),
        place: place.clone(),
        date: s.decision_date,
        kind_title: if extract { "TRÍCH QUYẾT ĐỊNH" } else { "QUYẾT ĐỊNH" }.into(),
        title: format!("Phê duyệt danh sách, nội dung và mức kinh phí hỗ trợ — {}", s.title),
        salutation: None,
        blocks: vec![
            langnghe_reports::Block::Paragraph(format!(
                "Căn cứ {} {}; xét đề nghị của {},",
                program.document_number.clone().map(|n| format!("Kế hoạch số {n}")).unwrap_or_else(|| program.code.clone()),
                program.title,
                s.lead_agency_name.clone().unwrap_or_default()
            )),
            langnghe_reports::Block::Heading("QUYẾT ĐỊNH:".into()),
            langnghe_reports::Block::Paragraph(if extract {
                format!(
                    "Điều 1. Phê duyệt danh sách {} đơn vị được hỗ trợ, nội dung và mức kinh phí hỗ trợ cho từng đơn vị, tổng kinh phí {} đồng (trong tổng dự toán {} đồng). Trích danh sách các đơn vị thuộc địa bàn {scope_name} ({n} đơn vị, {} đồng):",
                    s.selected,
                    vnfmt::format_int(s.selected_dong),
                    vnfmt::format_int(s.budget_dong),
                    vnfmt::format_int(total)
                )
            } else {
                format!(
                    "Điều 1. Phê duyệt danh sách {n} đơn vị được hỗ trợ, nội dung và mức kinh phí hỗ trợ cho từng đơn vị như sau, tổng kinh phí {} đồng (trong tổng dự toán {} đồng):",
                    vnfmt::format_int(total),
                    vnfmt::format_int(s.budget_dong)
                )
            }),
            langnghe_reports::Block::Table(langnghe_reports::ReportTable {
                caption: None,
                header: vec!["STT".into(), "Đơn vị được hỗ trợ".into(), "Địa bàn".into(), "Nội dung hỗ trợ".into(), "Kinh phí (đồng)".into()],
                rows,
                numeric: vec![false, false, false, false, true],
                widths: vec![0.6, 3.0, 1.6, 3.4, 1.6],
                bold_rows: vec![n],
            }),
            langnghe_reports::Block::Paragraph(format!(
                "Điều 2. {} chủ trì, phối hợp các đơn vị liên quan ký hợp đồng, tổ chức thực hiện, nghiệm thu, thanh lý hợp đồng{} và thanh quyết toán kinh phí theo quy định.",
                s.lead_agency_name.clone().unwrap_or_default(),
                s.liquidate_by.map(|d| format!(" trước ngày {}", vnfmt::format_date(d))).unwrap_or_default()
            )),
            langnghe_reports::Block::Paragraph("Điều 3. Quyết định này có hiệu lực kể từ ngày ký.".into()),
        ],
        recipients: vec!["Như Điều 2".into(), "Các đơn vị được hỗ trợ".into(), "Lưu: VT".into()],
        signer_authority: Some("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH".into()),
        signer_title: "PHÓ CHỦ TỊCH".into(),
        signer_name: String::new(),
    };
    tokio::task::spawn_blocking(move || langnghe_reports::render_pdf(&doc))
        .await
        .map_err(|e| AppError::Internal(format!("render: {e}")))?
        .map_err(|e| AppError::Internal(format!("render: {e}")))
}

/// The decision approving the selected list, as the official PDF. It lists the
/// applicants of the caller's scope only (those `GET …/applications` shows):
/// to a district it is the extract of its part of the list.
#[utoipa::path(get, path = "/api/v1/schemes/{id}/decision.pdf", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, description = "PDF", content_type = "application/pdf"),
        (status = 404, description = "no such scheme in the caller's scope, or none of its selected applicants is")))]
async fn decision_pdf_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let bytes = decision_document(&state, &ctx, &id).await?;
    Ok(crate::common::file_response(
        bytes,
        "application/pdf",
        &format!("quyet-dinh-ho-tro-{id}.pdf"),
    ))
}

async fn decision_pdf_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let bytes = decision_document(&state, &ctx, &id).await?;
    Ok(crate::common::file_response(
        bytes,
        "application/pdf",
        &format!("quyet-dinh-ho-tro-{id}.pdf"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use langnghe_core::scheme::{Arg, Msg};

    fn over_budget() -> Msg {
        Msg::new("scheme-sel-over-budget")
            .int("rank", 11)
            .msgs(
                "round",
                vec![Msg::new("scheme-sel-round").int("round", 3)],
                "",
            )
            .arg("left", Arg::Money(200_000_000))
            .arg("amount", Arg::Money(280_000_000))
            .msgs(
                "more",
                vec![Msg::new("scheme-sel-priority").msgs(
                    "list",
                    vec![
                        Msg::new("scheme-prio-all-contents")
                            .int("count", 3)
                            .int("total", 3),
                        Msg::new("scheme-prio-registered-on")
                            .arg("date", Arg::Date(time::macros::date!(2017 - 05 - 15))),
                    ],
                    "; ",
                )],
                "",
            )
    }

    #[test]
    fn a_selection_reason_reads_in_each_language() {
        assert_eq!(
            msg_text(Lang::Vi, &over_budget()),
            "Xếp hạng 11: không đủ kinh phí (vòng 3) (còn 200.000.000 đồng, cần 280.000.000 đồng) \
             — ưu tiên: đủ 3/3 nội dung; đăng ký ngày 15/5/2017"
        );
        assert_eq!(
            msg_text(Lang::En, &over_budget()),
            "Rank 11: not enough budget (round 3) (200,000,000 VND left, 280,000,000 VND needed) \
             — priority: all 3 of 3 contents; registered on 15 May 2017"
        );
    }

    #[test]
    fn a_stored_reason_is_a_message_or_older_text() {
        let json = serde_json::to_string(&Msg::new("scheme-elig-not-recognised")).unwrap();
        assert_eq!(
            msg_text(Lang::En, &stored_msg(&json)),
            "Not recognised as a craft village"
        );
        let old = stored_msg("Chưa được công nhận làng nghề");
        assert_eq!(old.key, "scheme-reason-legacy");
        assert_eq!(msg_text(Lang::En, &old), "Chưa được công nhận làng nghề");
        let legacy = r#"[{"rule":{"kind":"village_recognised"},"passed":false,"reason_vi":"Chưa được công nhận làng nghề","reason_en":"Not recognised as a craft village"}]"#;
        let r = stored_results(Lang::En, Some(legacy));
        assert_eq!(r[0].reason.reason, "Not recognised as a craft village");
        let r = stored_results(Lang::Vi, Some(legacy));
        assert_eq!(r[0].reason.reason, "Chưa được công nhận làng nghề");
    }
}
