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
        "drafts/import.html",
        "drafts/review.html",
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
        "programs/list.html",
        "programs/detail.html",
        "programs/tasks.html",
        "programs/appendix.html",
        "programs/below.html",
        "programs/form.html",
        "programs/edit.html",
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
        "map/map.html",
        // --- i12-dash2 ---
        "dashboard/program.html",
        "dashboard/overview.html",
    );
    env.add_function("t", tr);
    env.add_filter("num", num);
    env.add_filter("pct", pct);
    env.add_filter("date", date);
    env.add_filter("datetime", datetime);
    env.add_filter("urlencode_q", urlencode_q);
    env.add_filter("period", period_filter);
    env.add_filter("target", target_filter);
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
        // A whole number is written in the page's language (`3.296` / `3,296`);
        // small ones stay bare so plural selectors see a number.
        let shown = match i64::try_from(v.clone()) {
            Ok(n) if n.abs() >= 1000 => in_lang(lang, vnfmt::format_int(n)),
            _ => v.to_string(),
        };
        args.push((k.to_string(), shown));
    }
    if args.is_empty() {
        return Ok(t(lang, key));
    }
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    Ok(crate::i18n::t_args_as_given(lang, key, &args))
}

/// A number in the page's language: vi `3.296` / `82,15`, en `3,296` / `82.15`.
fn num(state: &State, v: Value) -> String {
    let vi = match i64::try_from(v.clone()) {
        Ok(n) => vnfmt::format_int(n),
        Err(_) => match f64::try_from(v.clone()) {
            Ok(f) => vnfmt::format_decimal_trim(f, 3),
            Err(_) => v.to_string(),
        },
    };
    in_lang(lang_of(state), vi)
}

/// A date in `lang`: vi `30/6/2025`, en `30 Jun 2025`.
pub fn date_in(lang: Lang, d: time::Date) -> String {
    match lang {
        Lang::Vi => vnfmt::format_date(d),
        Lang::En => vnfmt::format_date_en(d),
    }
}

/// A number already written the Vietnamese way, in `lang`.
pub fn in_lang(lang: Lang, vi: String) -> String {
    match lang {
        Lang::En => vnfmt::vi_number_to_en(&vi).unwrap_or(vi),
        Lang::Vi => vi,
    }
}

fn pct(state: &State, v: Value) -> String {
    f64::try_from(v.clone())
        .map(|f| {
            let lang = lang_of(state);
            let n = in_lang(lang, vnfmt::format_decimal_trim(f, 1));
            match lang {
                Lang::En => format!("{n}%"),
                Lang::Vi => format!("{n} %"),
            }
        })
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

fn datetime(state: &State, v: Value) -> String {
    let s = v.to_string();
    let en = lang_of(state) == Lang::En;
    time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
        .map(|d| {
            if en {
                vnfmt::format_datetime_en(d)
            } else {
                vnfmt::format_datetime(d)
            }
        })
        .unwrap_or(s)
}

/// A period's name in `lang`: a standard name ("6 tháng đầu năm 2025") is
/// said from its kind and year ("First half of 2025"); a typed name stays.
pub fn period_name(lang: Lang, label: &str) -> String {
    match langnghe_core::report::standard_label_parts(label) {
        Some((kind, year)) if lang == Lang::En => t_args(
            lang,
            &format!("period-name-{}", kind.as_str()),
            &[("year", year.to_string())],
        ),
        _ => label.to_string(),
    }
}

/// A period with its `name` in `lang` (the official `label` kept).
pub fn named_period(
    lang: Lang,
    mut p: langnghe_store::reporting::Period,
) -> langnghe_store::reporting::Period {
    p.name = period_name(lang, &p.label);
    p
}

/// A report with its period's `period_name` in `lang`.
pub fn named_report(
    lang: Lang,
    mut r: langnghe_store::reporting::Report,
) -> langnghe_store::reporting::Report {
    r.period_name = period_name(lang, &r.period_label);
    r
}

fn period_filter(state: &State, v: Value) -> String {
    if v.is_none() || v.is_undefined() {
        return String::new();
    }
    period_name(lang_of(state), &v.to_string())
}

/// The prefix the store gives a province-wide target shown on a unit's line
/// (`store::reporting::line_target`), said in the reader's language.
const SHARED_TARGET_VI: &str = "Toàn tỉnh: ";

pub fn target_text(lang: Lang, text: &str) -> String {
    match text.strip_prefix(SHARED_TARGET_VI) {
        Some(rest) => t_args(lang, "target-shared", &[("target", rest.to_string())]),
        None => text.to_string(),
    }
}

/// A report line's target as the reader reads it: a province-wide one
/// (`target_scope = province`) is said from the catalogue.
pub fn line_target_shown(lang: Lang, l: &langnghe_store::reporting::Line) -> Option<String> {
    let text = l.target_text.as_deref()?;
    Some(
        if l.target_scope.as_deref() == Some(langnghe_store::reporting::TARGET_SCOPE_PROVINCE) {
            t_args(lang, "target-shared", &[("target", text.to_string())])
        } else {
            target_text(lang, text)
        },
    )
}

/// Report lines with `target_shown` in `lang`.
pub fn shown_lines(
    lang: Lang,
    lines: Vec<langnghe_store::reporting::Line>,
) -> Vec<langnghe_store::reporting::Line> {
    lines
        .into_iter()
        .map(|mut l| {
            l.target_shown = line_target_shown(lang, &l);
            l
        })
        .collect()
}

fn target_filter(state: &State, v: Value) -> String {
    if v.is_none() || v.is_undefined() {
        return String::new();
    }
    target_text(lang_of(state), &v.to_string())
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
        unread => ctx.unread,
        unread_text => crate::i18n::t_count(ctx.lang, "todo-unread", "count", ctx.unread, &[]),
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

/// Field errors as templates show them (`{field, message, summary}` in the
/// user's language): the summary line names the field (`field-<name>` label)
/// when the catalogue has one.
pub fn field_errors(lang: Lang, errors: &[crate::error::FieldError]) -> Vec<Value> {
    errors
        .iter()
        .map(|e| {
            let message = e.message(lang);
            let label_key = format!("field-{}", e.field);
            let label = t(lang, &label_key);
            let summary = if label == label_key {
                message.clone()
            } else {
                format!("{label}: {message}")
            };
            context! { field => e.field, message => message, summary => summary }
        })
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
