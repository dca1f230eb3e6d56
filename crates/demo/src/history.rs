//! The reporting history of the demo (`serve --demo`): the
//! periods and reports a newcomer needs to see consolidation, timeliness and
//! trends, built through the normal reporting functions (`open_period`,
//! `save`, `set_state`), so events, audit rows and timeliness are real.
//!
//! - Plan 316/KH-UBND (Lào Cai): six-monthly periods H1 2023 … H2 2025 (the
//!   second half is the annual report, due 20/12), a report from every
//!   responsible unit: past periods all in, most on time, a few late, one per
//!   period returned once; the latest partly in, one returned, some drafts,
//!   some missing.
//! - The Hà Nội khuyến công programme 2016-2020: annual periods 2016 … 2020.
//! - The 2011-2015 programme keeps only what its evaluation in the 2016-2020 programme states: no period.
//!
//! Every period made here is marked `sample` (Dữ liệu mẫu); periods opened by
//! people never are. The functions stamp "now"; the history then dates each
//! step in the past (one write per report, with its own audit row
//! `backdate` saying which dates were set, since the audit log itself is
//! append-only and keeps the real time of the seeding).
//!
//! Idempotent: a period that exists (sample or not) is left alone.

use langnghe_core::demo::{self, Fate, Step};
use langnghe_core::report::{self as rules, PeriodKind, ReportAction, ReportState};
use langnghe_core::report_values as values;
use langnghe_store::audit::{Actor, AuditAction, AuditEntity};
use langnghe_store::reporting::{
    self as rp, LineInput, NewPeriod, ReportFilter, ReportInput, ReportScope,
};
use langnghe_store::{programs, with_db, with_tx, Db, Result, StoreError};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime, Time};

/// Key of plan 316/KH-UBND (Lào Cai).
pub const PLAN_316: &str = "lc-316-2022";
/// Key of the Hà Nội khuyến công programme 2016-2020.
pub const KC_2016_2020: &str = "hn-khuyencong-2016-2020";

/// The periods of plan 316 in the demo, oldest first.
pub fn plan_316_periods() -> Vec<(PeriodKind, i32)> {
    let mut v = vec![];
    for y in 2023..=2025 {
        v.push((PeriodKind::FirstHalf, y));
        v.push((PeriodKind::Annual, y));
    }
    v
}

/// Build what is missing of the history; returns the periods added.
pub async fn ensure(db: &Db) -> Result<usize> {
    let mut added = 0;
    if let Some(pid) = programs::id_by_key(db, PLAN_316).await? {
        added += history(db, pid, &plan_316_periods(), true).await?;
    }
    if let Some(pid) = programs::id_by_key(db, KC_2016_2020).await? {
        let years: Vec<(PeriodKind, i32)> =
            (2016..=2020).map(|y| (PeriodKind::Annual, y)).collect();
        added += history(db, pid, &years, false).await?;
    }
    Ok(added)
}

fn parse_mmdd(s: &Option<String>) -> Option<(u8, u8)> {
    let (m, d) = s.as_deref()?.split_once('-')?;
    Some((m.parse().ok()?, d.parse().ok()?))
}

/// The comment a unit writes beside a value far from the last one.
const JUMP_COMMENT: &str =
    "Chênh lệch lớn so với kỳ trước do số lớp, mô hình triển khai trong kỳ khác nhau.";

const RESULTS: [&str; 3] = [
    "Đơn vị đã triển khai các nhiệm vụ được giao trong Kế hoạch; số liệu chi tiết tại các chỉ tiêu kèm theo.",
    "Các nội dung hỗ trợ được triển khai đúng tiến độ; một số mô hình đang hoàn thiện hồ sơ nghiệm thu.",
    "Kết quả thực hiện đạt yêu cầu đề ra; tiếp tục phối hợp với các xã rà soát nhu cầu hỗ trợ.",
];
const DIFFICULTIES: [&str; 3] = [
    "Kinh phí bố trí chậm so với kế hoạch.",
    "Nguồn nhân lực tại cơ sở còn hạn chế; thị trường tiêu thụ chưa ổn định.",
    "",
];

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// When a period of the history was opened: 40 days before it is due, 08:30.
fn opened_at(due: time::Date) -> OffsetDateTime {
    (due - Duration::days(40))
        .with_time(Time::from_hms(8, 30, 0).unwrap_or(Time::MIDNIGHT))
        .assume_offset(langnghe_core::vnfmt::VIETNAM_OFFSET)
        .to_offset(time::UtcOffset::UTC)
}

async fn history(
    db: &Db,
    program_id: i64,
    periods: &[(PeriodKind, i32)],
    last_is_open: bool,
) -> Result<usize> {
    let actor = Actor::system("demo");
    let (h1, annual) = rp::plan_due_dates(db, program_id).await?;
    let mut deadlines = rules::DeadlineRules::default();
    if let Some(x) = parse_mmdd(&h1) {
        deadlines.first_half_due = x;
    }
    if let Some(x) = parse_mmdd(&annual) {
        deadlines.annual_due = x;
    }
    let existing = rp::periods(db, program_id).await?;
    let mut added = 0;
    for (idx, (kind, year)) in periods.iter().enumerate() {
        let std = rules::standard_period(*kind, *year, &deadlines);
        if existing
            .iter()
            .any(|p| p.kind == kind.as_str() && p.year == i64::from(*year))
        {
            continue;
        }
        let np = NewPeriod {
            program_id,
            kind: *kind,
            year: *year,
            label: std.label_vi.clone(),
            data_from: std.data_from,
            data_to: std.data_to,
            due_on: std.due,
            remind_days: 5,
            jump_factor: 3.0,
        };
        let (period_id, _) = rp::open_period(db, &actor, &np).await?;
        let opened = opened_at(std.due);
        let mut w = db.write(&actor).await?;
        with_tx!(w.tx(), |c| sqlx::query(
            "UPDATE report_periods SET sample = TRUE, created_at = $1 WHERE id = $2"
        )
        .bind(opened)
        .bind(period_id)
        .execute(c)
        .await?
        .rows_affected());
        with_tx!(w.tx(), |c| sqlx::query(
            "UPDATE reports SET created_at = $1, updated_at = $1 WHERE period_id = $2"
        )
        .bind(opened)
        .bind(period_id)
        .execute(c)
        .await?
        .rows_affected());
        w.audit::<(), _>(
            AuditAction::Backdate,
            AuditEntity::ReportPeriod,
            period_id,
            None,
            Some(&serde_json::json!({ "sample": true, "created_at": rfc3339(opened) })),
        )
        .await?;
        w.commit().await?;
        added += 1;
        let latest = last_is_open && idx + 1 == periods.len();
        // Where the period sits in the history (fractions of it): an annual
        // report covers its whole year, first half included.
        let n = periods.len() as f64;
        let to = (idx + 1) as f64 / n;
        let year_start = periods.iter().position(|(_, y)| y == year).unwrap_or(idx) as f64 / n;
        let span = (year_start, to);
        fill_period(db, &actor, period_id, span, latest).await?;
    }
    Ok(added)
}

async fn fill_period(
    db: &Db,
    actor: &Actor,
    period_id: i64,
    (from, to): (f64, f64),
    latest: bool,
) -> Result<()> {
    let period = rp::period(db, period_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let scope = ReportScope {
        scope_id: langnghe_store::geo::COUNTRY_ID,
        own_agency: None,
    };
    let filter = ReportFilter {
        period_id: Some(period_id),
        ..ReportFilter::default()
    };
    let (reports, _) = rp::list_reports(db, scope, &filter, 10_000, 0).await?;
    let keys: HashMap<i64, String> = with_db!(db, |c| sqlx::query_as::<_, (i64, Option<String>)>(
        "SELECT id, key FROM agencies"
    )
    .fetch_all(c)
    .await?)
    .into_iter()
    .map(|(id, k)| (id, k.unwrap_or_else(|| format!("agency-{id}"))))
    .collect();
    let mut reports: Vec<(String, rp::Report)> = reports
        .into_iter()
        .map(|r| {
            let k = keys
                .get(&r.agency_id)
                .cloned()
                .unwrap_or_else(|| format!("agency-{}", r.agency_id));
            (k, r)
        })
        .collect();
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    // How many reports share each (indicator, category), for lines without a target of their own.
    let mut all_lines = vec![];
    let mut share: HashMap<(i64, String), usize> = HashMap::new();
    for (_, r) in &reports {
        let ls = rp::lines(db, r.id).await?;
        for l in &ls {
            *share
                .entry((l.indicator_id, l.category.clone()))
                .or_default() += 1;
        }
        all_lines.push(ls);
    }
    // The programme's targets per (indicator, category): the one of the
    // period's milestone, else the indicator's latest (a 2030-only target, or
    // one with no year, still gives the demo its scale).
    let rows: Vec<(i64, String, Option<String>, String, f64)> = with_db!(db, |c| sqlx::query_as(
        "SELECT t.indicator_id, t.dimension, t.category, t.milestone, t.value FROM targets t \
         JOIN indicators i ON i.id = t.indicator_id \
         WHERE i.program_id = $1 AND t.value IS NOT NULL AND t.dimension IN ('total', 'category') \
         ORDER BY t.milestone, t.id"
    )
    .bind(period.program_id)
    .fetch_all(c)
    .await?);
    let mut totals: HashMap<(i64, String), f64> = HashMap::new();
    let mut exact: std::collections::HashSet<(i64, String)> = Default::default();
    for (i, dim, cat, milestone, v) in rows {
        let cat = if dim == "category" {
            cat.unwrap_or_default()
        } else {
            String::new()
        };
        let k = (i, cat);
        if exact.contains(&k) {
            continue;
        }
        if period.milestone.as_deref() == Some(milestone.as_str()) {
            exact.insert(k.clone());
        }
        totals.insert(k, v);
    }
    let count = reports.len();
    for (index, ((key, report), lines)) in reports.iter().zip(all_lines).enumerate() {
        let mut fate = demo::fate(&period.label, key, index, count, latest);
        if !fate.has_values() {
            continue;
        }
        let pace = demo::pace(key);
        let mut filled = lines.clone();
        for l in filled.iter_mut() {
            if l.computed_value.is_some() {
                continue; // counted from the records: left as computed
            }
            let line_key = format!("{}:{}", l.indicator_id, l.category);
            if fate == Fate::Draft
                && demo::unit(&["draft-line", &period.label, key, &line_key]) < 0.4
            {
                continue; // a draft is half typed
            }
            // A province-wide target (or none of the unit's own) is shared
            // by every unit reporting the line.
            let k = (l.indicator_id, l.category.clone());
            // Units' values add up across units unless the indicator averages them.
            let shared_by = match values::across_units(&l.aggregation) {
                values::Across::Sum => (*share.get(&k).unwrap_or(&1)).max(1) as f64,
                values::Across::Mean => 1.0,
            };
            let total = totals.get(&k).copied();
            let target = match (l.target_value, total) {
                (Some(t), Some(all)) if t == all => Some(t / shared_by),
                (Some(t), _) => Some(t),
                (None, Some(all)) => Some(all / shared_by),
                (None, None) => None,
            };
            // Units are uneven, and so are their lines.
            let line_pace = pace * (0.8 + 0.4 * demo::unit(&["line", key, &line_key]));
            let v = demo::value(
                values::value_kind(&l.unit),
                l.aggregation == "sum",
                target,
                from,
                to,
                line_pace,
                if l.aggregation == "sum" {
                    demo::unit(&["phase", key, &line_key])
                } else {
                    demo::unit(&["jitter", &period.label, key, &line_key])
                },
            );
            l.value = Some(v);
            l.value_text = langnghe_core::vnfmt::format_decimal_trim(v, 1);
        }
        // A total with every part filled is the sum of its parts.
        let snapshot = filled.clone();
        for l in filled.iter_mut().filter(|l| l.category.is_empty()) {
            let parts: Vec<Option<f64>> = snapshot
                .iter()
                .filter(|p| p.indicator_id == l.indicator_id && !p.category.is_empty())
                .map(|p| p.value)
                .collect();
            if l.computed_value.is_none() && !parts.is_empty() {
                match values::total_from_parts(&parts) {
                    Some(t) => {
                        l.value = Some(t);
                        l.value_text = langnghe_core::vnfmt::format_decimal_trim(t, 1);
                    }
                    None => {
                        l.value = None;
                        l.value_text = String::new();
                    }
                }
            }
        }
        let findings = rp::check(&filled, period.jump_factor);
        for f in &findings {
            if f.code == "jump_needs_comment" {
                if let Some(l) = filled.get_mut(f.line) {
                    l.comment = JUMP_COMMENT.to_string();
                }
            }
        }
        let blocked = rp::check(&filled, period.jump_factor)
            .iter()
            .any(|f| f.blocks_submission());
        if blocked {
            fate = Fate::Draft; // never submit what a person could not
        }
        let input = ReportInput {
            version: report.version,
            results: Some(RESULTS[index % RESULTS.len()].to_string()),
            difficulties: Some(DIFFICULTIES[index % DIFFICULTIES.len()].to_string()),
            causes: None,
            proposals: None,
            lines: filled
                .iter()
                .zip(&lines)
                .filter(|(n, o)| n.value_text != o.value_text || n.comment != o.comment)
                .map(|(n, _)| LineInput {
                    id: n.id,
                    value: Some(n.value_text.clone()),
                    comment: Some(n.comment.clone()),
                })
                .collect(),
        };
        let steps = demo::schedule(period.due_on, &period.label, key, fate);
        play(db, actor, report.id, &input, &steps).await?;
    }
    Ok(())
}

/// Take the steps through the normal functions, then date them.
async fn play(
    db: &Db,
    actor: &Actor,
    report_id: i64,
    input: &ReportInput,
    steps: &[(Step, OffsetDateTime)],
) -> Result<()> {
    let scope = ReportScope {
        scope_id: langnghe_store::geo::COUNTRY_ID,
        own_agency: None,
    };
    for (step, _) in steps {
        let r = rp::get_report(db, scope, report_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        match step {
            Step::Save => {
                let mut inp = input.clone();
                inp.version = r.version;
                rp::save(db, actor, &r, &inp).await.map_err(|e| match e {
                    rp::SaveError::Store(e) => e,
                    rp::SaveError::Conflict(_) => StoreError::Stale { current: r.version },
                })?;
            }
            Step::Submit => {
                rp::set_state(
                    db,
                    actor,
                    &r,
                    ReportAction::Submit,
                    ReportState::Submitted,
                    None,
                )
                .await?
            }
            Step::Return => {
                rp::set_state(
                    db,
                    actor,
                    &r,
                    ReportAction::Return,
                    ReportState::Returned,
                    Some(demo::RETURN_REASON),
                )
                .await?
            }
            Step::Approve => {
                rp::set_state(
                    db,
                    actor,
                    &r,
                    ReportAction::Approve,
                    ReportState::Approved,
                    None,
                )
                .await?
            }
        }
    }
    let Some(last) = steps.last().map(|s| s.1) else {
        return Ok(());
    };
    let submits: Vec<OffsetDateTime> = steps
        .iter()
        .filter(|s| s.0 == Step::Submit)
        .map(|s| s.1)
        .collect();
    let approved = match steps.last() {
        Some((Step::Approve, t)) => Some(*t),
        _ => None,
    };
    let mut w = db.write(actor).await?;
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE reports SET updated_at = $1, submitted_at = $2, first_submitted_at = $3, approved_at = $4 \
         WHERE id = $5"
    )
    .bind(last)
    .bind(submits.last().copied())
    .bind(submits.first().copied())
    .bind(approved)
    .bind(report_id)
    .execute(c)
    .await?
    .rows_affected()
    });
    let events: Vec<i64> = with_tx!(w.tx(), |c| sqlx::query_scalar(
        "SELECT id FROM report_events WHERE report_id = $1 ORDER BY id"
    )
    .bind(report_id)
    .fetch_all(c)
    .await?);
    let moves: Vec<OffsetDateTime> = steps
        .iter()
        .filter(|s| s.0 != Step::Save)
        .map(|s| s.1)
        .collect();
    for (id, at) in events.iter().zip(&moves) {
        with_tx!(w.tx(), |c| sqlx::query(
            "UPDATE report_events SET at = $1 WHERE id = $2"
        )
        .bind(at)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    }
    let dated: Vec<serde_json::Value> = steps
        .iter()
        .map(|(s, t)| serde_json::json!({ "step": format!("{s:?}").to_lowercase(), "at": rfc3339(*t) }))
        .collect();
    w.audit::<(), _>(
        AuditAction::Backdate,
        AuditEntity::Report,
        report_id,
        None,
        Some(&serde_json::json!({ "sample": true, "steps": dated })),
    )
    .await?;
    w.commit().await
}
