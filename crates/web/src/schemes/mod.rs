//! Support schemes on the web: define a scheme (contents, rules, budget,
//! timeline), register applicants through the local unit and forward them,
//! check eligibility against the registry, rank and select within the budget
//! (core::scheme), record the decision, sign contracts, monitor, accept per
//! content, liquidate and settle; activities that are not applications.
//! Every page has its JSON twin under `/api/v1`.

mod views;
pub use views::*;

mod application;
mod decision;
mod define;
mod registration;
mod scheme;
mod selection;

pub use application::*;
pub use decision::*;
pub use define::*;
pub use registration::*;
pub use scheme::*;
pub use selection::*;

use crate::common::views;
use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, Form, Json, Path, Query};
use crate::i18n::{t, t_args, Lang};
use crate::scoped::{InScope, Reach, Scoped};
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

/// A scheme run inside the caller's scope (schemes are not read from above).
impl InScope for Scheme {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, _reach: Reach) -> AppResult<Self> {
        let u = ctx.user()?;
        store::get(&state.db, u.scope_unit_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }
}

/// An application with its scheme (in the scheme's reach).
impl InScope for (Scheme, Application) {
    async fn load(state: &AppState, ctx: &Ctx, id: i64, reach: Reach) -> AppResult<Self> {
        let u = ctx.user()?;
        let app = store::application(&state.db, u.scope_unit_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let scheme = Scheme::load(state, ctx, app.scheme_id, reach).await?;
        Ok((scheme, app))
    }
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
    pub application: ApplicationBody,
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
        application: a.into(),
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
