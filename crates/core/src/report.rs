//! Periodic reporting: reporting periods and their data cut-offs, deadlines
//! and timeliness, the life cycle of a report, and consolidation rates.
//!
//! The rules come from the source documents:
//! - Lào Cai, KH 316/KH-UBND, section VI "Chế độ báo cáo": departments and
//!   localities evaluate results every 6 months "trước ngày 20 tháng 6 và
//!   ngày 20 tháng 12 hàng năm", plus ad hoc reports (báo cáo đột xuất).
//! - Hà Nội, 2018 plan: "định kỳ 6 tháng và cả năm báo cáo kết quả thực
//!   hiện về Sở Công Thương".
//! - Data cut-off convention: first half "15/12 năm trước → 14/6", year
//!   "15/12 năm trước → 14/12".
//!
//! A report submitted on the due day itself counts as on time.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Date, Month};

use crate::access::Role;
use crate::vnfmt::format_int;

// ---------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------

/// Which kind of reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// Six-monthly report (báo cáo 6 tháng đầu năm).
    FirstHalf,
    /// Annual report (báo cáo năm).
    Annual,
    /// Ad hoc report (báo cáo đột xuất).
    AdHoc,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 3] = [PeriodKind::FirstHalf, PeriodKind::Annual, PeriodKind::AdHoc];

    /// Stable identifier, same as the serde form: `first_half`, `annual`, `ad_hoc`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::FirstHalf => "first_half",
            PeriodKind::Annual => "annual",
            PeriodKind::AdHoc => "ad_hoc",
        }
    }

    pub fn parse(s: &str) -> Option<PeriodKind> {
        PeriodKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Deadlines and data cut-off of the standard periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRules {
    /// (month, day) the first-half report is due; default 20 June.
    pub first_half_due: (u8, u8),
    /// (month, day) the annual report is due; default 20 December.
    pub annual_due: (u8, u8),
    /// Last day of data in the due month: data run to 14/6 (first half) and
    /// 14/12 (year), from the day after the cut-off in the annual due month
    /// of the previous year (15/12). Default 14.
    pub cutoff_day: u8,
}

impl Default for DeadlineRules {
    fn default() -> Self {
        DeadlineRules {
            first_half_due: (6, 20),
            annual_due: (12, 20),
            cutoff_day: 14,
        }
    }
}

/// A reporting period: which data it covers and when it is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub year: i32,
    /// First day of data (inclusive).
    pub data_from: Date,
    /// Last day of data (inclusive).
    pub data_to: Date,
    /// Due date: a report submitted on this day is on time.
    pub due: Date,
    pub label_vi: String,
}

impl Period {
    /// Number of days of data, both ends included.
    pub fn data_days(&self) -> i64 {
        (self.data_to - self.data_from).whole_days() + 1
    }

    /// Whether `d` falls inside the data range (both ends included).
    pub fn covers(&self, d: Date) -> bool {
        self.data_from <= d && d <= self.data_to
    }
}

/// Why a period is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    #[error("data start {from} is after data end {to}")]
    FromAfterTo { from: Date, to: Date },
    #[error("data end {to} is after the due date {due}")]
    ToAfterDue { to: Date, due: Date },
    #[error("a period needs a label")]
    EmptyLabel,
}

/// A valid date from possibly out-of-range parts: the year is clamped to
/// what `time` supports, the month to 1-12 and the day to the month's length
/// (so 29/2 becomes 28/2 in a common year).
fn clamped_date(year: i32, month: u8, day: u8) -> Date {
    let year = year.clamp(Date::MIN.year(), Date::MAX.year());
    let month = Month::try_from(month.clamp(1, 12)).unwrap_or(Month::January);
    let day = day.clamp(1, month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN)
}

/// The standard period of `kind` for `year` under `rules`.
///
/// - First half: data from the day after the cut-off of the annual due month
///   of `year - 1` (15/12) to the cut-off of the first-half due month (14/6),
///   due on `first_half_due` (20/6); label `"6 tháng đầu năm 2025"`.
/// - Annual: same start, data to the cut-off of the annual due month
///   (14/12), due on `annual_due` (20/12); label `"Năm 2025"`.
/// - Ad hoc has no standard dates: it gets the whole calendar year, due on
///   31/12, labelled `"Đột xuất năm 2025"`; build real ones with [`ad_hoc`].
///
/// Days that do not exist in a month are clamped to its last day; a cut-off
/// that the rules place after the due date is moved back to the due date.
pub fn standard_period(kind: PeriodKind, year: i32, rules: &DeadlineRules) -> Period {
    let year = year.clamp(Date::MIN.year() + 1, Date::MAX.year() - 1);
    let (annual_month, annual_day) = rules.annual_due;
    let prev_cutoff = clamped_date(year - 1, annual_month, rules.cutoff_day);
    let data_from = prev_cutoff.next_day().unwrap_or(prev_cutoff);
    let (due_month, due_day, label_vi) = match kind {
        PeriodKind::FirstHalf => (
            rules.first_half_due.0,
            rules.first_half_due.1,
            format!("6 tháng đầu năm {year}"),
        ),
        PeriodKind::Annual => (annual_month, annual_day, format!("Năm {year}")),
        PeriodKind::AdHoc => {
            let from = clamped_date(year, 1, 1);
            let to = clamped_date(year, 12, 31);
            return Period {
                kind,
                year,
                data_from: from,
                data_to: to,
                due: to,
                label_vi: format!("Đột xuất năm {year}"),
            };
        }
    };
    let due = clamped_date(year, due_month, due_day);
    let data_to = clamped_date(year, due_month, rules.cutoff_day).min(due);
    Period {
        kind,
        year,
        data_from: data_from.min(data_to),
        data_to,
        due,
        label_vi,
    }
}

/// The kind and year of a period whose name is the standard one
/// (`"6 tháng đầu năm 2025"`, `"Năm 2025"`, `"Đột xuất năm 2025"`), so the
/// name can be said in another language from kind and year; `None` for a
/// name someone typed (which is shown as typed).
pub fn standard_label_parts(label: &str) -> Option<(PeriodKind, i32)> {
    let label = label.trim();
    let year: i32 = label.rsplit(' ').next()?.parse().ok()?;
    [PeriodKind::FirstHalf, PeriodKind::Annual, PeriodKind::AdHoc]
        .into_iter()
        .find(|k| standard_period(*k, year, &DeadlineRules::default()).label_vi == label)
        .map(|k| (k, year))
}

/// An ad hoc period (báo cáo đột xuất). Requires `from ≤ to ≤ due` and a
/// non-blank label (trimmed). Its `year` is the year of `to`.
pub fn ad_hoc(from: Date, to: Date, due: Date, label: &str) -> Result<Period, PeriodError> {
    if from > to {
        return Err(PeriodError::FromAfterTo { from, to });
    }
    if to > due {
        return Err(PeriodError::ToAfterDue { to, due });
    }
    let label = label.trim();
    if label.is_empty() {
        return Err(PeriodError::EmptyLabel);
    }
    Ok(Period {
        kind: PeriodKind::AdHoc,
        year: to.year(),
        data_from: from,
        data_to: to,
        due,
        label_vi: label.to_owned(),
    })
}

// ---------------------------------------------------------------------------
// Timeliness
// ---------------------------------------------------------------------------

/// Whether a report came in on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Submitted on or before the due date (`days_early` is 0 on the day).
    OnTime { days_early: i64 },
    /// Submitted `days` after the due date.
    Late { days: i64 },
    /// Not submitted; `overdue_days` is `None` while the due date has not
    /// passed (the due day itself included).
    NotSubmitted { overdue_days: Option<i64> },
}

/// Timeliness of a report due on `due`, submitted on `submitted_on` (if at
/// all), as seen on `today` (Vietnam date).
pub fn timeliness(due: Date, submitted_on: Option<Date>, today: Date) -> Timeliness {
    match submitted_on {
        Some(s) if s <= due => Timeliness::OnTime {
            days_early: (due - s).whole_days(),
        },
        Some(s) => Timeliness::Late {
            days: (s - due).whole_days(),
        },
        None if today <= due => Timeliness::NotSubmitted { overdue_days: None },
        None => Timeliness::NotSubmitted {
            overdue_days: Some((today - due).whole_days()),
        },
    }
}

/// Vietnamese label: `"Đúng hạn"`, `"Trễ 2 ngày"`, `"Chưa nộp"`,
/// `"Chưa nộp — quá hạn 3 ngày"`.
pub fn timeliness_label_vi(t: Timeliness) -> String {
    match t {
        Timeliness::OnTime { .. } => "Đúng hạn".to_owned(),
        Timeliness::Late { days } => format!("Trễ {} ngày", format_int(days)),
        Timeliness::NotSubmitted { overdue_days: None } => "Chưa nộp".to_owned(),
        Timeliness::NotSubmitted {
            overdue_days: Some(d),
        } => format!("Chưa nộp — quá hạn {} ngày", format_int(d)),
    }
}

/// English label: `"On time"`, `"2 days late"`, `"1 day late"`,
/// `"Not submitted"`, `"Not submitted — 3 days overdue"`.
pub fn timeliness_label_en(t: Timeliness) -> String {
    let unit = |n: i64| if n == 1 { "day" } else { "days" };
    match t {
        Timeliness::OnTime { .. } => "On time".to_owned(),
        Timeliness::Late { days } => {
            format!("{} {} late", crate::vnfmt::format_int_en(days), unit(days))
        }
        Timeliness::NotSubmitted { overdue_days: None } => "Not submitted".to_owned(),
        Timeliness::NotSubmitted {
            overdue_days: Some(d),
        } => format!(
            "Not submitted — {} {} overdue",
            crate::vnfmt::format_int_en(d),
            unit(d)
        ),
    }
}

/// Status colour per the UX note: "Đúng hạn" green, "Trễ hạn" red,
/// "Chưa nộp" grey (also when overdue).
pub fn status_colour(t: Timeliness) -> &'static str {
    match t {
        Timeliness::OnTime { .. } => "green",
        Timeliness::Late { .. } => "red",
        Timeliness::NotSubmitted { .. } => "grey",
    }
}

// ---------------------------------------------------------------------------
// Report life cycle
// ---------------------------------------------------------------------------

/// Where a report is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    Draft,
    Submitted,
    Returned,
    Approved,
    Locked,
}

impl ReportState {
    pub const ALL: [ReportState; 5] = [
        ReportState::Draft,
        ReportState::Submitted,
        ReportState::Returned,
        ReportState::Approved,
        ReportState::Locked,
    ];

    /// Approved or locked: the figures count.
    pub const APPROVED: [ReportState; 2] = [ReportState::Approved, ReportState::Locked];

    /// Submitted and not sent back: waiting for a decision or decided.
    pub const SUBMITTED: [ReportState; 3] = [
        ReportState::Submitted,
        ReportState::Approved,
        ReportState::Locked,
    ];

    /// Still in the unit's hands: a draft, or returned to it.
    pub const PENDING: [ReportState; 2] = [ReportState::Draft, ReportState::Returned];

    pub const fn as_str(self) -> &'static str {
        match self {
            ReportState::Draft => "draft",
            ReportState::Submitted => "submitted",
            ReportState::Returned => "returned",
            ReportState::Approved => "approved",
            ReportState::Locked => "locked",
        }
    }

    pub fn parse(s: &str) -> Option<ReportState> {
        ReportState::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Approved or locked: the report's figures count.
    pub fn is_approved(self) -> bool {
        ReportState::APPROVED.contains(&self)
    }

    /// Whether a stored state text is approved or locked.
    pub fn text_is_approved(s: &str) -> bool {
        ReportState::parse(s).is_some_and(ReportState::is_approved)
    }
}

/// What a user does to a report. The reason of `Return` and `Reopen` is
/// passed to [`transition`] separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    Save,
    Submit,
    Return,
    Approve,
    Lock,
    Reopen,
}

impl ReportAction {
    pub const ALL: [ReportAction; 6] = [
        ReportAction::Save,
        ReportAction::Submit,
        ReportAction::Return,
        ReportAction::Approve,
        ReportAction::Lock,
        ReportAction::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportAction::Save => "save",
            ReportAction::Submit => "submit",
            ReportAction::Return => "return",
            ReportAction::Approve => "approve",
            ReportAction::Lock => "lock",
            ReportAction::Reopen => "reopen",
        }
    }

    pub fn parse(s: &str) -> Option<ReportAction> {
        ReportAction::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the action needs a non-blank reason (return, reopen).
    pub fn requires_reason(self) -> bool {
        matches!(self, ReportAction::Return | ReportAction::Reopen)
    }

    /// Roles that may take this action at all.
    fn allows(self, role: Role) -> bool {
        match self {
            // Coordinators (and admins) may enter a report on behalf of a unit
            // that sent it on paper.
            ReportAction::Save | ReportAction::Submit => {
                matches!(role, Role::Officer | Role::Coordinator | Role::Admin)
            }
            ReportAction::Return | ReportAction::Approve => {
                matches!(role, Role::Reviewer | Role::Coordinator | Role::Admin)
            }
            ReportAction::Lock => matches!(role, Role::Coordinator | Role::Admin),
            ReportAction::Reopen => matches!(role, Role::Coordinator | Role::Admin),
        }
    }
}

/// Why a report may not move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TransitionError {
    /// The role may never take this action.
    #[error("role {} may not {} a report", role.as_str(), action.as_str())]
    RoleNotAllowed { role: Role, action: ReportAction },
    /// Officers only save and submit their own unit's reports.
    #[error("only officers of the reporting unit may edit or submit its report")]
    NotOwnerUnit,
    /// Save or submit on a report that is not a draft or returned.
    #[error("a {} report cannot be edited or submitted", state.as_str())]
    NotEditable { state: ReportState },
    /// Return or approve on a report that is not submitted.
    #[error("only a submitted report can be reviewed (this one is {})", state.as_str())]
    NotSubmitted { state: ReportState },
    /// Lock on a report that is not approved.
    #[error("only an approved report can be locked (this one is {})", state.as_str())]
    NotApproved { state: ReportState },
    /// Reopen on a report that is not locked.
    #[error("only an approved or locked report can be reopened (this one is {})", state.as_str())]
    NotLocked { state: ReportState },
    /// Return and reopen need a non-blank reason.
    #[error("a reason is required to {}", action.as_str())]
    ReasonRequired { action: ReportAction },
}

impl TransitionError {
    /// The message key that explains the refusal (argument `state`: the
    /// report's state, itself a key `report-state-…`).
    pub fn key(&self) -> &'static str {
        match self {
            TransitionError::RoleNotAllowed { .. } | TransitionError::NotOwnerUnit => {
                "error-forbidden"
            }
            TransitionError::NotEditable { .. } => "report-error-not-editable",
            TransitionError::NotSubmitted { .. } => "report-error-not-submitted",
            TransitionError::NotApproved { .. } => "report-error-not-approved",
            TransitionError::NotLocked { .. } => "report-error-not-locked",
            TransitionError::ReasonRequired { .. } => "error-required",
        }
    }
}

/// The state a report moves to when `role` takes `action` on it.
///
/// - Save (stays) / Submit (→ Submitted): officers of the reporting unit
///   (`is_owner_unit`), on Draft or Returned.
/// - Return (→ Returned, reason required) / Approve (→ Approved): reviewers,
///   coordinators, admins, on Submitted.
/// - Lock (→ Locked): coordinators, admins, on Approved.
/// - Reopen (→ Returned, reason required): admins, on Locked.
///
/// Checks run in that order: role, unit, state, reason. Scope (which units
/// a reviewer reaches) is the store's business.
pub fn transition(
    state: ReportState,
    action: ReportAction,
    role: Role,
    is_owner_unit: bool,
    reason: Option<&str>,
) -> Result<ReportState, TransitionError> {
    use ReportAction as A;
    use ReportState as S;
    if !action.allows(role) {
        return Err(TransitionError::RoleNotAllowed { role, action });
    }
    let next = match (action, state) {
        (A::Save | A::Submit, _) if role == Role::Officer && !is_owner_unit => {
            return Err(TransitionError::NotOwnerUnit)
        }
        (A::Save, S::Draft | S::Returned) => state,
        (A::Submit, S::Draft | S::Returned) => S::Submitted,
        (A::Save | A::Submit, _) => return Err(TransitionError::NotEditable { state }),
        (A::Return, S::Submitted) => S::Returned,
        (A::Approve, S::Submitted) => S::Approved,
        (A::Return | A::Approve, _) => return Err(TransitionError::NotSubmitted { state }),
        (A::Lock, S::Approved) => S::Locked,
        (A::Lock, _) => return Err(TransitionError::NotApproved { state }),
        (A::Reopen, S::Approved | S::Locked) => S::Returned,
        (A::Reopen, _) => return Err(TransitionError::NotLocked { state }),
    };
    if action.requires_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(TransitionError::ReasonRequired { action });
    }
    Ok(next)
}

// ---------------------------------------------------------------------------
// Consolidation
// ---------------------------------------------------------------------------

/// Reporting rates of a consolidation, in percent of the expected units:
/// (submitted, on time). Counts are clamped so that
/// `on_time ≤ submitted ≤ expected`; with no expected unit both are 0.
pub fn reporting_rate(expected_units: usize, submitted: usize, on_time: usize) -> (f64, f64) {
    if expected_units == 0 {
        return (0.0, 0.0);
    }
    let submitted = submitted.min(expected_units);
    let on_time = on_time.min(submitted);
    let pct = |n: usize| n as f64 * 100.0 / expected_units as f64;
    (pct(submitted), pct(on_time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vnfmt::format_date;
    use time::macros::date;

    fn std_period(kind: PeriodKind, year: i32) -> Period {
        standard_period(kind, year, &DeadlineRules::default())
    }

    #[test]
    fn period_kind_round_trip() {
        for k in PeriodKind::ALL {
            assert_eq!(PeriodKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(PeriodKind::AdHoc.as_str(), "ad_hoc");
        assert_eq!(PeriodKind::parse("quarterly"), None);
    }

    #[test]
    fn seed_first_half_2025() {
        // Lào Cai 316/KH-UBND: "trước ngày 20 tháng 6"; data 15/12/2024 → 14/6/2025.
        let p = std_period(PeriodKind::FirstHalf, 2025);
        assert_eq!(p.kind, PeriodKind::FirstHalf);
        assert_eq!(p.year, 2025);
        assert_eq!(p.data_from, date!(2024 - 12 - 15));
        assert_eq!(p.data_to, date!(2025 - 06 - 14));
        assert_eq!(p.due, date!(2025 - 06 - 20));
        assert_eq!(p.label_vi, "6 tháng đầu năm 2025");
        assert_eq!(format_date(p.due), "20/6/2025");
        assert_eq!(p.data_days(), 182);
        assert!(p.covers(date!(2024 - 12 - 15)));
        assert!(!p.covers(date!(2024 - 12 - 14)));
        assert!(!p.covers(date!(2025 - 06 - 15)));
    }

    #[test]
    fn seed_annual_2025() {
        // "ngày 20 tháng 12 hàng năm"; data 15/12/2024 → 14/12/2025.
        let p = std_period(PeriodKind::Annual, 2025);
        assert_eq!(p.data_from, date!(2024 - 12 - 15));
        assert_eq!(p.data_to, date!(2025 - 12 - 14));
        assert_eq!(p.due, date!(2025 - 12 - 20));
        assert_eq!(p.label_vi, "Năm 2025");
        assert_eq!(
            standard_label_parts("6 tháng đầu năm 2025"),
            Some((PeriodKind::FirstHalf, 2025))
        );
        assert_eq!(
            standard_label_parts("Năm 2025"),
            Some((PeriodKind::Annual, 2025))
        );
        assert_eq!(
            standard_label_parts("Đột xuất năm 2024"),
            Some((PeriodKind::AdHoc, 2024))
        );
        assert_eq!(standard_label_parts("Kiểm tra nhanh quý 3 2025"), None);
        assert_eq!(standard_label_parts("Năm nay"), None);
        assert_eq!(p.data_days(), 365);
        // Consecutive years tile without gap or overlap.
        let next = std_period(PeriodKind::Annual, 2026);
        assert_eq!(p.data_to.next_day(), Some(next.data_from));
    }

    #[test]
    fn leap_years() {
        let h = std_period(PeriodKind::FirstHalf, 2024);
        assert_eq!(h.data_from, date!(2023 - 12 - 15));
        assert_eq!(h.data_days(), 183);
        assert!(h.covers(date!(2024 - 02 - 29)));
        assert_eq!(std_period(PeriodKind::Annual, 2024).data_days(), 366);
        // The year 2000 is leap, 2100 is not.
        assert_eq!(std_period(PeriodKind::Annual, 2000).data_days(), 366);
        assert_eq!(std_period(PeriodKind::Annual, 2100).data_days(), 365);
        // A due day that does not exist in a common year is clamped.
        let rules = DeadlineRules {
            first_half_due: (2, 29),
            annual_due: (12, 20),
            cutoff_day: 14,
        };
        let leap = standard_period(PeriodKind::FirstHalf, 2028, &rules);
        assert_eq!(leap.due, date!(2028 - 02 - 29));
        assert_eq!(leap.data_to, date!(2028 - 02 - 14));
        let common = standard_period(PeriodKind::FirstHalf, 2027, &rules);
        assert_eq!(common.due, date!(2027 - 02 - 28));
    }

    #[test]
    fn odd_rules_are_clamped() {
        let rules = DeadlineRules {
            first_half_due: (6, 31),
            annual_due: (13, 40),
            cutoff_day: 31,
        };
        let h = standard_period(PeriodKind::FirstHalf, 2025, &rules);
        assert_eq!(h.due, date!(2025 - 06 - 30));
        assert_eq!(h.data_to, date!(2025 - 06 - 30));
        assert_eq!(h.data_from, date!(2025 - 01 - 01));
        let a = standard_period(PeriodKind::Annual, 2025, &rules);
        assert_eq!(a.due, date!(2025 - 12 - 31));
        assert!(a.data_from <= a.data_to && a.data_to <= a.due);
        // Cut-off after the due date moves back to the due date.
        let late_cutoff = DeadlineRules {
            cutoff_day: 25,
            ..DeadlineRules::default()
        };
        let p = standard_period(PeriodKind::FirstHalf, 2025, &late_cutoff);
        assert_eq!(p.data_to, p.due);
        // Extreme years do not panic.
        for y in [i32::MIN, -9999, 9999, i32::MAX] {
            for k in PeriodKind::ALL {
                let p = standard_period(k, y, &DeadlineRules::default());
                assert!(p.data_from <= p.data_to && p.data_to <= p.due);
            }
        }
    }

    #[test]
    fn standard_ad_hoc_is_calendar_year() {
        let p = std_period(PeriodKind::AdHoc, 2025);
        assert_eq!(p.data_from, date!(2025 - 01 - 01));
        assert_eq!(p.data_to, date!(2025 - 12 - 31));
        assert_eq!(p.kind, PeriodKind::AdHoc);
    }

    #[test]
    fn ad_hoc_periods() {
        let p = ad_hoc(
            date!(2025 - 07 - 01),
            date!(2025 - 09 - 30),
            date!(2025 - 10 - 05),
            "  Báo cáo đột xuất quý III  ",
        );
        let p = p.as_ref().map(|p| (p.kind, p.year, p.label_vi.as_str()));
        assert_eq!(p, Ok((PeriodKind::AdHoc, 2025, "Báo cáo đột xuất quý III")));
        // Same day for all three is fine.
        let d = date!(2025 - 03 - 01);
        assert!(ad_hoc(d, d, d, "x").is_ok());
        assert_eq!(
            ad_hoc(date!(2025 - 03 - 02), d, d, "x"),
            Err(PeriodError::FromAfterTo {
                from: date!(2025 - 03 - 02),
                to: d
            })
        );
        assert_eq!(
            ad_hoc(d, date!(2025 - 03 - 05), date!(2025 - 03 - 04), "x"),
            Err(PeriodError::ToAfterDue {
                to: date!(2025 - 03 - 05),
                due: date!(2025 - 03 - 04)
            })
        );
        assert_eq!(ad_hoc(d, d, d, "  "), Err(PeriodError::EmptyLabel));
    }

    #[test]
    fn timeliness_against_seed_deadline() {
        let due = date!(2025 - 06 - 20);
        let on_day = timeliness(due, Some(due), date!(2025 - 07 - 01));
        assert_eq!(on_day, Timeliness::OnTime { days_early: 0 });
        let early = timeliness(due, Some(date!(2025 - 06 - 15)), due);
        assert_eq!(early, Timeliness::OnTime { days_early: 5 });
        let late = timeliness(due, Some(date!(2025 - 06 - 22)), date!(2025 - 06 - 22));
        assert_eq!(late, Timeliness::Late { days: 2 });
        let pending = timeliness(due, None, due);
        assert_eq!(pending, Timeliness::NotSubmitted { overdue_days: None });
        let overdue = timeliness(due, None, date!(2025 - 06 - 23));
        assert_eq!(
            overdue,
            Timeliness::NotSubmitted {
                overdue_days: Some(3)
            }
        );
        // Across a leap day: due 20/2/2024, submitted 1/3/2024 → 10 days late.
        let leap = timeliness(date!(2024 - 02 - 20), Some(date!(2024 - 03 - 01)), due);
        assert_eq!(leap, Timeliness::Late { days: 10 });

        assert_eq!(timeliness_label_vi(on_day), "Đúng hạn");
        assert_eq!(timeliness_label_vi(late), "Trễ 2 ngày");
        assert_eq!(timeliness_label_vi(pending), "Chưa nộp");
        assert_eq!(timeliness_label_vi(overdue), "Chưa nộp — quá hạn 3 ngày");
        assert_eq!(
            timeliness_label_vi(Timeliness::Late { days: 1234 }),
            "Trễ 1.234 ngày"
        );
        assert_eq!(timeliness_label_en(early), "On time");
        assert_eq!(timeliness_label_en(late), "2 days late");
        assert_eq!(
            timeliness_label_en(Timeliness::Late { days: 1 }),
            "1 day late"
        );
        assert_eq!(timeliness_label_en(pending), "Not submitted");
        assert_eq!(
            timeliness_label_en(overdue),
            "Not submitted — 3 days overdue"
        );
        assert_eq!(
            timeliness_label_en(Timeliness::NotSubmitted {
                overdue_days: Some(1)
            }),
            "Not submitted — 1 day overdue"
        );

        assert_eq!(status_colour(on_day), "green");
        assert_eq!(status_colour(late), "red");
        assert_eq!(status_colour(pending), "grey");
        assert_eq!(status_colour(overdue), "grey");
    }

    #[test]
    fn state_and_action_names() {
        for s in ReportState::ALL {
            assert_eq!(ReportState::parse(s.as_str()), Some(s));
        }
        for a in ReportAction::ALL {
            assert_eq!(ReportAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(ReportState::parse("deleted"), None);
        assert!(ReportAction::Return.requires_reason());
        assert!(ReportAction::Reopen.requires_reason());
        assert!(!ReportAction::Approve.requires_reason());
    }

    /// The expected outcome of every (state, action, role, owner) with a
    /// valid reason, written out independently of `transition`.
    fn expected(
        state: ReportState,
        action: ReportAction,
        role: Role,
        owner: bool,
    ) -> Result<ReportState, TransitionError> {
        use ReportAction as A;
        use ReportState as S;
        use TransitionError as E;
        let role_ok = match action {
            A::Save | A::Submit => {
                role == Role::Officer || role == Role::Coordinator || role == Role::Admin
            }
            A::Return | A::Approve => {
                role == Role::Reviewer || role == Role::Coordinator || role == Role::Admin
            }
            A::Lock => role == Role::Coordinator || role == Role::Admin,
            A::Reopen => role == Role::Coordinator || role == Role::Admin,
        };
        if !role_ok {
            return Err(E::RoleNotAllowed { role, action });
        }
        match action {
            A::Save | A::Submit if role == Role::Officer && !owner => Err(E::NotOwnerUnit),
            A::Save | A::Submit => match state {
                S::Draft | S::Returned if action == A::Save => Ok(state),
                S::Draft | S::Returned => Ok(S::Submitted),
                _ => Err(E::NotEditable { state }),
            },
            A::Return if state == S::Submitted => Ok(S::Returned),
            A::Approve if state == S::Submitted => Ok(S::Approved),
            A::Return | A::Approve => Err(E::NotSubmitted { state }),
            A::Lock if state == S::Approved => Ok(S::Locked),
            A::Lock => Err(E::NotApproved { state }),
            A::Reopen if state == S::Locked || state == S::Approved => Ok(S::Returned),
            A::Reopen => Err(E::NotLocked { state }),
        }
    }

    #[test]
    fn every_transition() {
        let mut allowed = 0;
        for state in ReportState::ALL {
            for action in ReportAction::ALL {
                for role in Role::ALL {
                    for owner in [true, false] {
                        let got = transition(state, action, role, owner, Some("Thiếu số liệu"));
                        let want = expected(state, action, role, owner);
                        assert_eq!(got, want, "{state:?} {action:?} {role:?} owner={owner}");
                        if got.is_ok() {
                            allowed += 1;
                            // Without a reason, return and reopen are refused.
                            for reason in [None, Some(""), Some("  \t ")] {
                                let r = transition(state, action, role, owner, reason);
                                if action.requires_reason() {
                                    assert_eq!(r, Err(TransitionError::ReasonRequired { action }));
                                } else {
                                    assert_eq!(r, got);
                                }
                            }
                        }
                    }
                }
            }
        }
        // Save and Submit on 2 states: officer (owner) 1 + coordinator/admin
        // 2 × 2 owner flags = 5 each → 10 + 10; Return/Approve 3 roles × 2
        // owner each; Lock 2 roles × 2; Reopen 2 roles × 2 owner × 2 states.
        assert_eq!(allowed, 10 + 10 + 6 + 6 + 4 + 8);
    }

    #[test]
    fn transitions_spelled_out() {
        use ReportAction as A;
        use ReportState as S;
        use TransitionError as E;
        let why = Some("Số liệu lao động chưa khớp Phụ biểu 01");
        // The happy path.
        assert_eq!(
            transition(S::Draft, A::Save, Role::Officer, true, None),
            Ok(S::Draft)
        );
        assert_eq!(
            transition(S::Draft, A::Submit, Role::Officer, true, None),
            Ok(S::Submitted)
        );
        assert_eq!(
            transition(S::Submitted, A::Return, Role::Reviewer, false, why),
            Ok(S::Returned)
        );
        assert_eq!(
            transition(S::Returned, A::Save, Role::Officer, true, None),
            Ok(S::Returned)
        );
        assert_eq!(
            transition(S::Returned, A::Submit, Role::Officer, true, None),
            Ok(S::Submitted)
        );
        assert_eq!(
            transition(S::Submitted, A::Approve, Role::Coordinator, false, None),
            Ok(S::Approved)
        );
        assert_eq!(
            transition(S::Approved, A::Lock, Role::Coordinator, false, None),
            Ok(S::Locked)
        );
        assert_eq!(
            transition(S::Locked, A::Reopen, Role::Admin, false, why),
            Ok(S::Returned)
        );
        // Refusals, one per error variant.
        assert_eq!(
            transition(S::Draft, A::Submit, Role::Viewer, true, None),
            Err(E::RoleNotAllowed {
                role: Role::Viewer,
                action: A::Submit
            })
        );
        assert_eq!(
            transition(S::Approved, A::Lock, Role::Reviewer, false, None),
            Err(E::RoleNotAllowed {
                role: Role::Reviewer,
                action: A::Lock
            })
        );
        assert_eq!(
            transition(S::Locked, A::Reopen, Role::Reviewer, false, why),
            Err(E::RoleNotAllowed {
                role: Role::Reviewer,
                action: A::Reopen
            })
        );
        assert_eq!(
            transition(S::Approved, A::Reopen, Role::Coordinator, false, why),
            Ok(S::Returned)
        );
        assert_eq!(
            transition(S::Draft, A::Submit, Role::Coordinator, false, None),
            Ok(S::Submitted)
        );
        assert_eq!(
            transition(S::Draft, A::Save, Role::Officer, false, None),
            Err(E::NotOwnerUnit)
        );
        assert_eq!(
            transition(S::Submitted, A::Save, Role::Officer, true, None),
            Err(E::NotEditable {
                state: S::Submitted
            })
        );
        assert_eq!(
            transition(S::Draft, A::Approve, Role::Reviewer, false, None),
            Err(E::NotSubmitted { state: S::Draft })
        );
        assert_eq!(
            transition(S::Submitted, A::Lock, Role::Admin, false, None),
            Err(E::NotApproved {
                state: S::Submitted
            })
        );
        assert_eq!(
            transition(S::Submitted, A::Reopen, Role::Admin, false, why),
            Err(E::NotLocked {
                state: S::Submitted
            })
        );
        assert_eq!(
            transition(S::Submitted, A::Return, Role::Reviewer, false, Some(" ")),
            Err(E::ReasonRequired { action: A::Return })
        );
        assert_eq!(
            transition(S::Locked, A::Reopen, Role::Admin, false, None),
            Err(E::ReasonRequired { action: A::Reopen })
        );
        assert_eq!(
            E::RoleNotAllowed {
                role: Role::Viewer,
                action: A::Approve
            }
            .to_string(),
            "role viewer may not approve a report"
        );
    }

    #[test]
    fn rates() {
        // 9 districts of Lào Cai expected, 8 submitted, 6 on time.
        let (sub, on) = reporting_rate(9, 8, 6);
        assert!((sub - 88.888_888).abs() < 1e-4);
        assert!((on - 66.666_666).abs() < 1e-4);
        assert_eq!(reporting_rate(4, 4, 4), (100.0, 100.0));
        assert_eq!(reporting_rate(0, 0, 0), (0.0, 0.0));
        // Inconsistent counts are clamped.
        assert_eq!(reporting_rate(4, 9, 7), (100.0, 100.0));
        assert_eq!(reporting_rate(4, 2, 3), (50.0, 50.0));
    }
}
