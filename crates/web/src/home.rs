//! The start page ("Việc cần làm": what is mine, what is due, what is late) and
//! the readiness check.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, t_args, t_count, Lang};
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::access::{Action, Role};
use langnghe_core::todo::{self as rules, Candidate, Kind};
use langnghe_store::agencies::{self, AgencyFilter};
use langnghe_store::todo as store;
use minijinja::context;
use serde::Serialize;
use time::{Date, Duration};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/readyz", get(readyz))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(todo_api))
}

/// One item of a person's to-do list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TodoItem {
    /// report_returned, report_to_fill, report_to_review, units_late,
    /// period_closing, scheme_step, task_due or programme.
    pub kind: String,
    /// What to do, in the caller's language.
    pub title: String,
    /// The due date, when the item has one.
    pub due: Option<Date>,
    /// Days from today to `due`: negative when overdue.
    pub days_left: Option<i64>,
    /// Where it is done (a page of this site).
    pub url: String,
    /// overdue, due_soon (within 7 days), upcoming or undated.
    pub state: String,
    /// The return reason, the late units, a programme's progress… in the caller's language.
    pub detail: Option<String>,
    /// "còn 5 ngày", "quá hạn 12 ngày", "12 days overdue".
    pub days_text: Option<String>,
}

/// A person's to-do list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Todo {
    pub items: Vec<TodoItem>,
    pub total: i64,
}

/// The first `max` characters of a long text (a task of a plan is often a paragraph), cut at a space.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    // Cut at the last whole word: the cut's end is a word's end when a space follows it.
    let at_word_end = text.chars().nth(max).is_some_and(char::is_whitespace);
    let cut = if at_word_end {
        cut.as_str()
    } else {
        cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut)
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// "còn 5 ngày" / "hạn hôm nay" / "quá hạn 12 ngày" (English plurals through Fluent).
pub fn days_text(lang: Lang, days_left: i64) -> String {
    match days_left {
        0 => t(lang, "todo-due-today"),
        d if d > 0 => t_count(lang, "todo-days-left", "days", d, &[]),
        d => t_count(lang, "todo-days-overdue", "days", -d, &[]),
    }
}

/// The to-do list of the caller, by role: officers their unit's reports and
/// tasks; reviewers and coordinators what waits for them in their scope;
/// viewers the programmes in scope with their progress.
pub async fn todo_for(state: &AppState, ctx: &Ctx, today: Date) -> AppResult<Vec<TodoItem>> {
    let u = ctx.require(Action::Read)?;
    let role = Role::parse(&u.role).ok_or(AppError::Forbidden)?;
    let lang = ctx.lang;
    let db = &state.db;
    let mut cands: Vec<Candidate> = vec![];
    let period = |label: &str, code: &str| -> Vec<(&'static str, String)> {
        vec![
            ("period", crate::views::period_name(lang, label)),
            ("program", code.to_string()),
        ]
    };
    let task_until = today + Duration::days(rules::TASK_HORIZON_DAYS);
    match role {
        Role::Officer => {
            for r in store::own_reports(db, u.agency_id, 100).await? {
                let returned = r.state == langnghe_core::report::ReportState::Returned.as_str();
                cands.push(Candidate {
                    kind: if returned {
                        Kind::ReportReturned
                    } else {
                        Kind::ReportToFill
                    },
                    title: t_args(
                        lang,
                        if returned {
                            "todo-report-returned"
                        } else {
                            "todo-report-fill"
                        },
                        &period(&r.period_label, &r.program_code),
                    ),
                    due: Some(r.due_on),
                    url: format!("/reports/{}", r.id),
                    detail: r
                        .return_reason
                        .filter(|_| returned)
                        .map(|reason| t_args(lang, "todo-return-reason", &[("reason", reason)])),
                });
            }
        }
        Role::Reviewer | Role::Coordinator | Role::Admin => {
            for r in store::to_review(db, u.scope_unit_id, 100).await? {
                let mut args = period(&r.period_label, &r.program_code);
                args.push(("who", r.agency_name.clone()));
                cands.push(Candidate {
                    kind: Kind::ReportToReview,
                    title: t_args(lang, "todo-report-review", &args),
                    due: None,
                    url: format!("/reports/{}", r.id),
                    detail: None,
                });
            }
            let until = today + Duration::days(rules::PERIOD_HORIZON_DAYS);
            for p in store::open_periods(db, u.scope_unit_id, until).await? {
                let late = p.due_on < today;
                let args = period(&p.label, &p.program_code);
                cands.push(Candidate {
                    kind: if late {
                        Kind::UnitsLate
                    } else {
                        Kind::PeriodClosing
                    },
                    title: t_count(
                        lang,
                        if late {
                            "todo-units-late"
                        } else {
                            "todo-period-closing"
                        },
                        "count",
                        p.pending,
                        &args,
                    ),
                    due: Some(p.due_on),
                    url: format!("/periods/{}", p.id),
                    detail: Some(t_args(
                        lang,
                        "todo-period-pending",
                        &[
                            ("submitted", (p.expected - p.pending).to_string()),
                            ("expected", p.expected.to_string()),
                        ],
                    )),
                });
            }
            let step_until = today + Duration::days(rules::STEP_HORIZON_DAYS);
            for s in store::scheme_steps_due(db, u.scope_unit_id, step_until).await? {
                cands.push(Candidate {
                    kind: Kind::SchemeStep,
                    title: t_args(
                        lang,
                        "todo-scheme-step",
                        &[("what", s.text), ("label", s.scheme_title)],
                    ),
                    due: Some(s.due_on),
                    url: format!("/schemes/{}", s.scheme_id),
                    detail: None,
                });
            }
        }
        Role::Viewer => {
            for p in store::programmes(db, u.scope_unit_id, 30).await? {
                cands.push(Candidate {
                    kind: Kind::Programme,
                    title: format!("{} — {}", p.code, p.title),
                    due: None,
                    url: format!("/programs/{}", p.id),
                    detail: Some(t_args(
                        lang,
                        "todo-programme-progress",
                        &[
                            ("submitted", p.tasks_done.to_string()),
                            ("total", p.tasks.to_string()),
                            ("approved", p.reports_approved.to_string()),
                            ("expected", p.reports.to_string()),
                            ("date", crate::views::date_in(lang, p.period_end)),
                        ],
                    )),
                });
            }
        }
    }
    // Everyone but a viewer also sees the tasks their agency leads or coordinates.
    if role != Role::Viewer {
        for tk in store::tasks_due(db, u.scope_unit_id, u.agency_id, task_until).await? {
            cands.push(Candidate {
                kind: Kind::TaskDue,
                title: t_args(
                    lang,
                    "todo-task-due",
                    &[
                        (
                            "code",
                            tk.section.unwrap_or_else(|| tk.program_code.clone()),
                        ),
                        ("what", shorten(&tk.text, 140)),
                        ("program", tk.program_code),
                    ],
                ),
                due: Some(tk.due_on),
                url: format!("/programs/{}#task-{}", tk.program_id, tk.id),
                detail: None,
            });
        }
    }
    Ok(rules::pick(today, cands)
        .into_iter()
        .map(|i| TodoItem {
            kind: i.kind.as_str().to_string(),
            title: i.title,
            due: i.due,
            days_left: i.days_left,
            url: i.url,
            state: i.urgency.as_str().to_string(),
            detail: i.detail,
            days_text: i.days_left.map(|d| days_text(lang, d)),
        })
        .collect())
}

/// The caller's to-do list ("Việc cần làm"), the same as on the home page: by role,
/// returned reports first, then by due date (most overdue first), undated last.
#[utoipa::path(get, path = "/api/v1/me/todo", tag = "home",
    responses((status = 200, body = Todo), (status = 401)))]
async fn todo_api(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let key = crate::kept::Key::answer(crate::kept::Area::Plans, &ctx)?;
    kept.answer(key, || async {
        let items = todo_for(&state, &ctx, crate::common::today()).await?;
        let total = items.len() as i64;
        Ok(Todo { items, total })
    })
    .await
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let user = ctx.require(Action::Read)?;
    let role = Role::parse(&user.role).ok_or(AppError::Forbidden)?;
    let items = todo_for(&state, &ctx, crate::common::today()).await?;
    let empty_key = match role {
        Role::Officer => "todo-empty-officer",
        Role::Viewer => "todo-empty-viewer",
        _ => "todo-empty-reviewer",
    };
    let (_, agency_count) = agencies::list(
        &state.db,
        user.scope_unit_id,
        &AgencyFilter {
            limit: 1,
            ..AgencyFilter::default()
        },
    )
    .await?;
    let page = context! {
        title => t(ctx.lang, "home-title"),
        agency_count => agency_count,
        items => items,
        empty_key => empty_key,
        role => role.as_str(),
    };
    render(&state, &ctx, "home.html", page)
}

/// Ready when the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_in_both_languages_with_plurals() {
        assert_eq!(days_text(Lang::Vi, 5), "còn 5 ngày");
        assert_eq!(days_text(Lang::Vi, -12), "quá hạn 12 ngày");
        assert_eq!(days_text(Lang::Vi, 0), "hạn hôm nay");
        assert_eq!(days_text(Lang::En, 1), "1 day left");
        assert_eq!(days_text(Lang::En, 12), "12 days left");
        assert_eq!(days_text(Lang::En, -1), "1 day overdue");
        assert_eq!(days_text(Lang::En, -532), "532 days overdue");
        assert_eq!(days_text(Lang::En, 0), "due today");
    }

    #[test]
    fn long_task_texts_are_cut_at_a_word() {
        assert_eq!(shorten("Bảo tồn làng nghề", 140), "Bảo tồn làng nghề");
        assert_eq!(
            shorten("Bảo tồn làng nghề mây tre đan", 12),
            "Bảo tồn làng…"
        );
    }
}
