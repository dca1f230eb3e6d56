//! Reminders before a report is due, and notices when a report is returned,
//! approved or reopened: in the app for every active user of the unit, and
//! by e-mail when SMTP is configured and the user has an address. Each
//! reminder is recorded once per (user, report, due date), so running the
//! job again sends nothing twice.

use crate::error::AppResult;
use crate::i18n::{t_args, Lang};
use crate::mail::Mailer;
use crate::AppState;
use langnghe_core::report::ReportAction;
use langnghe_core::vnfmt;
use langnghe_store::reporting::{self as store, Report};
use serde::Serialize;
use std::time::Duration;
use time::Date;

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RunSummary {
    /// New in-app notifications.
    pub notified: usize,
    /// E-mails handed to the SMTP server.
    pub emailed: usize,
    /// E-mails that could not be sent (kept for the next run).
    pub failed: usize,
}

fn lang_of(code: &str) -> Lang {
    if code == "en" {
        Lang::En
    } else {
        Lang::Vi
    }
}

fn mailer(state: &AppState) -> Option<Mailer> {
    let cfg = state.config.mail.as_ref()?;
    match Mailer::new(cfg) {
        Ok(m) => Some(m),
        Err(e) => {
            tracing::warn!(error = %e, "mail not configured correctly; reminders stay in the app");
            None
        }
    }
}

/// Remind the units whose reports are due within their period's window.
/// `period`: only that period's reports.
pub async fn run(state: &AppState, today: Date, period: Option<i64>) -> AppResult<RunSummary> {
    let mut sum = RunSummary::default();
    let due = store::due_soon(&state.db, today).await?;
    let mail = mailer(state);
    for d in due {
        if period.is_some_and(|p| p != d.period_id) {
            continue;
        }
        let lang = lang_of(&d.lang);
        let days = (d.due_on - today).whole_days();
        let when = match lang {
            Lang::Vi => vnfmt::days_until_label_vi(today, d.due_on),
            Lang::En => vnfmt::days_until_label_en(today, d.due_on),
        };
        let args = [
            ("period", crate::views::period_name(lang, &d.period_label)),
            ("program", d.program_code.clone()),
            ("unit", d.agency_name.clone()),
            (
                "due",
                match lang {
                    Lang::Vi => vnfmt::format_date(d.due_on),
                    Lang::En => vnfmt::format_date_en(d.due_on),
                },
            ),
            ("when", when),
        ];
        let subject = t_args(lang, "reminder-subject", &args);
        let body = t_args(lang, "reminder-body", &args);
        let kind = if days < 0 {
            format!("overdue:{}", d.due_on)
        } else {
            format!("due:{}", d.due_on)
        };
        let link = format!("/reports/{}", d.report_id);
        let Some(nid) = store::notify(
            &state.db,
            d.user_id,
            Some(d.report_id),
            &kind,
            &subject,
            Some(&link),
        )
        .await?
        else {
            continue;
        };
        sum.notified += 1;
        if let (Some(m), Some(to)) = (&mail, d.email.as_deref().filter(|e| !e.trim().is_empty())) {
            match m.send(to, &subject, &format!("{body}\n\n{link}")).await {
                Ok(()) => {
                    store::mark_emailed(&state.db, nid).await?;
                    sum.emailed += 1;
                }
                Err(e) => {
                    tracing::warn!(error = %e, to, "reminder e-mail failed");
                    sum.failed += 1;
                }
            }
        }
    }
    Ok(sum)
}

/// Tell the unit its report was returned, approved or reopened.
pub async fn tell_unit(
    state: &AppState,
    r: &Report,
    action: ReportAction,
    reason: Option<&str>,
) -> AppResult<()> {
    let users: Vec<(i64, Option<String>, String)> =
        langnghe_store::users::agency_contacts(&state.db, r.agency_id).await?;
    let mail = mailer(state);
    let at = time::OffsetDateTime::now_utc().unix_timestamp();
    for (uid, email, lang) in users {
        let lang = lang_of(&lang);
        let args = [
            ("period", crate::views::period_name(lang, &r.period_label)),
            ("program", r.program_code.clone()),
            ("reason", reason.unwrap_or("").to_string()),
        ];
        let msg = t_args(lang, &format!("notice-{}", action.as_str()), &args);
        let link = format!("/reports/{}", r.id);
        let Some(nid) = store::notify(
            &state.db,
            uid,
            Some(r.id),
            &format!("{}:{at}", action.as_str()),
            &msg,
            Some(&link),
        )
        .await?
        else {
            continue;
        };
        if let (Some(m), Some(to)) = (&mail, email.as_deref().filter(|e| !e.trim().is_empty())) {
            if m.send(to, &msg, &format!("{msg}\n\n{link}")).await.is_ok() {
                store::mark_emailed(&state.db, nid).await?;
            }
        }
    }
    Ok(())
}

/// Run the reminders every hour while the server runs.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match run(&state, super::today(), None).await {
                Ok(s) if s.notified > 0 => {
                    tracing::info!(
                        notified = s.notified,
                        emailed = s.emailed,
                        failed = s.failed,
                        "reminders sent"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminders failed"),
            }
        }
    });
}
