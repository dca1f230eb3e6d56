//! Server-rendered pages: the minijinja environment, its filters (Vietnamese
//! formats) and the base context every page gets.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, t_args, Lang};
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Html;
use langnghe_core::access::Action;
use langnghe_core::vnfmt;
use minijinja::value::{Kwargs, Value};
use minijinja::{context, Environment, State};

macro_rules! templates {
    ($env:expr, $($name:literal),* $(,)?) => {
        $( $env.add_template($name, include_str!(concat!("../templates/", $name)))?; )*
    };
}

pub fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    // Escape what HTML needs (& < > " '), but leave '/' readable: "316/KH-UBND".
    env.set_formatter(|out, state, value| {
        if let (Some(s), false) = (value.as_str(), value.is_safe()) {
            if state.auto_escape() == minijinja::AutoEscape::Html {
                let mut esc = String::with_capacity(s.len());
                for c in s.chars() {
                    match c {
                        '&' => esc.push_str("&amp;"),
                        '<' => esc.push_str("&lt;"),
                        '>' => esc.push_str("&gt;"),
                        '"' => esc.push_str("&quot;"),
                        '\'' => esc.push_str("&#39;"),
                        c => esc.push(c),
                    }
                }
                return out.write_str(&esc).map_err(|_| {
                    minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")
                });
            }
        }
        minijinja::escape_formatter(out, state, value)
    });
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    templates!(
        env,
        "base.html",
        "macros.html",
        "places_macros.html",
        "admin_units/pick.html",
        "error.html",
        "login.html",
        "home.html",
        "admin_units/list.html",
        "admin_units/detail.html",
        "agencies/list.html",
        "agencies/detail.html",
        "agencies/form.html",
        "users/list.html",
        "users/form.html",
        "users/edit.html",
        "account/password.html",
        "account/tokens.html",
        "audit/list.html",
        "api_docs.html",
        "registry/home.html",
        "registry/list.html",
        "registry/detail.html",
        "registry/form.html",
        "registry/import.html",
        "registry/job.html",
        "registry/search.html",
        "plans/list.html",
        "plans/detail.html",
        "plans/tasks.html",
        "plans/appendix.html",
        "plans/form.html",
        "plans/edit.html",
        "reporting/periods.html",
        "reporting/period.html",
        "reporting/list.html",
        "reporting/report.html",
        "reporting/consolidation.html",
        "reporting/notifications.html",
        "schemes/list.html",
        "schemes/detail.html",
        "schemes/application.html",
        "schemes/contracts.html",
        "schemes/form.html",
        "schemes/activities.html",
    );
    env.add_function("t", tr);
    env.add_filter("num", num);
    env.add_filter("pct", pct);
    env.add_filter("date", date);
    env.add_filter("datetime", datetime);
    env.add_filter("urlencode_q", urlencode_q);
    Ok(env)
}

fn lang_of(state: &State) -> Lang {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .unwrap_or_default()
}

/// `t("key", name=value, …)`
fn tr(state: &State, key: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let lang = lang_of(state);
    let mut args: Vec<(String, String)> = vec![];
    for k in kwargs.args() {
        let v: Value = kwargs.get(k)?;
        args.push((k.to_string(), v.to_string()));
    }
    if args.is_empty() {
        return Ok(t(lang, key));
    }
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    Ok(t_args(lang, key, &args))
}

fn num(v: Value) -> String {
    match i64::try_from(v.clone()) {
        Ok(n) => vnfmt::format_int(n),
        Err(_) => match f64::try_from(v.clone()) {
            Ok(f) => vnfmt::format_decimal_trim(f, 3),
            Err(_) => v.to_string(),
        },
    }
}

fn pct(v: Value) -> String {
    f64::try_from(v.clone())
        .map(|f| vnfmt::format_percent(f, 1))
        .unwrap_or_else(|_| v.to_string())
}

fn parse_iso_date(s: &str) -> Option<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.get(..10)?, fmt).ok()
}

fn date(state: &State, v: Value) -> String {
    if v.is_none() || v.is_undefined() {
        return String::new();
    }
    let s = v.to_string();
    match parse_iso_date(&s) {
        Some(d) if lang_of(state) == Lang::En => vnfmt::format_date_en(d),
        Some(d) => vnfmt::format_date(d),
        None => s,
    }
}

fn datetime(v: Value) -> String {
    let s = v.to_string();
    time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
        .map(vnfmt::format_datetime)
        .unwrap_or(s)
}

fn urlencode_q(v: Value) -> String {
    crate::ctx::urlencode(&v.to_string())
}

/// Context every page gets: language, user, CSRF token, flash, navigation.
fn base(state: &AppState, ctx: &Ctx) -> Value {
    let user = ctx.user.as_ref().map(|u| {
        context! {
            username => u.username,
            display_name => u.display_name,
            role => u.role,
            agency_name => u.agency_name,
            scope_name => u.scope_name,
        }
    });
    context! {
        lang => ctx.lang.as_str(),
        user => user,
        csrf => ctx.csrf,
        flash => ctx.flash.as_ref().map(|f| context!{ kind => f.kind, message => f.message }),
        path => ctx.path_and_query,
        is_admin => ctx.may(Action::Administer),
        can_edit => ctx.may(Action::EditRegistry),
        asset_v => state.asset_version,
        brand_sub => state.config.brand_sub,
    }
}

pub fn render(state: &AppState, ctx: &Ctx, name: &str, page: Value) -> AppResult<Html<String>> {
    let tmpl = state
        .views
        .get_template(name)
        .map_err(|e| AppError::Internal(format!("template {name}: {e}")))?;
    let merged = context! { ..page, ..base(state, ctx) };
    tmpl.render(merged)
        .map(Html)
        .map_err(|e| AppError::Internal(format!("render {name}: {e:#}")))
}

pub fn render_error(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    err: &AppError,
) -> Html<String> {
    let page = context! {
        title => t(ctx.lang, "error-title"),
        status => status.as_u16(),
        message => err.message(ctx.lang),
        request_id => ctx.request_id,
    };
    match render(state, ctx, "error.html", page) {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            Html(format!(
                "<!doctype html><title>{}</title><p>{}</p>",
                status.as_u16(),
                minijinja::HtmlEscape(&err.message(ctx.lang))
            ))
        }
    }
}

/// "Hiển thị 1-50 / 1.350" and the page links of a list.
pub fn pager(lang: Lang, page: i64, per_page: i64, total: i64) -> Value {
    let pages = ((total + per_page - 1) / per_page).max(1);
    let from = if total == 0 {
        0
    } else {
        (page - 1) * per_page + 1
    };
    let to = (page * per_page).min(total);
    context! {
        page => page,
        pages => pages,
        total => total,
        count_text => t_args(lang, "list-count", &[
            ("from", vnfmt::format_int(from)),
            ("to", vnfmt::format_int(to)),
            ("total", vnfmt::format_int(total)),
        ]),
        prev => (page > 1).then_some(page - 1),
        next => (page < pages).then_some(page + 1),
    }
}

/// A pager whose "next" link goes by cursor (`after`): deep pages cost what page 1 costs.
pub fn pager_after(
    lang: Lang,
    page: i64,
    per_page: i64,
    total: i64,
    after: Option<String>,
) -> Value {
    let p = pager(lang, page, per_page, total);
    let next = after.as_ref().map(|_| page + 1);
    context! { after => after, next => next, ..p }
}

/// Field errors as templates show them (`{field, message}` in the user's language).
pub fn field_errors(lang: Lang, errors: &[crate::error::FieldError]) -> Vec<Value> {
    errors
        .iter()
        .map(|e| context! { field => e.field, message => e.message(lang) })
        .collect()
}

/// One row of a "Bạn nhập / Đã lưu" table: a field whose typed value differs
/// from the stored one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConflictRow {
    pub field: String,
    pub label: String,
    pub mine: String,
    pub stored: String,
}

/// The fields of `mine` (what the person typed) whose value differs from
/// `stored` (the record as saved now), labelled by `label(field)`.
pub fn conflict_rows(
    fields: &[&str],
    mine: &serde_json::Value,
    stored: &serde_json::Value,
    label: impl Fn(&str) -> String,
) -> Vec<ConflictRow> {
    fn show(v: Option<&serde_json::Value>) -> String {
        match v {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.trim().to_string(),
            Some(other) => other.to_string(),
        }
    }
    fields
        .iter()
        .filter_map(|f| {
            let (m, s) = (show(mine.get(*f)), show(stored.get(*f)));
            (m != s).then(|| ConflictRow {
                field: f.to_string(),
                label: label(f),
                mine: m,
                stored: s,
            })
        })
        .collect()
}
