//! The reporting history of the demo (`serve --demo`): which reports are
//! approved, late, returned or missing, when each step happened, and the
//! sample values, all decided by a small hash of names, so the demo is the
//! same on every machine and every start. Pure functions; the store's demo
//! module applies them through the normal reporting functions.
//!
//! Every value decided here is invented: the store marks its periods as
//! sample data (`report_periods.sample`), and pages, exports and official
//! outputs say so.

use crate::report_values::ValueKind;
use time::{Date, Duration, OffsetDateTime, Time};

/// FNV-1a over the parts (with a separator), then a final mix: stable across
/// platforms and Rust versions (unlike `std::hash`).
pub fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    // splitmix64 finaliser: spreads nearby inputs apart.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A number in [0, 1) from the parts.
pub fn unit(parts: &[&str]) -> f64 {
    (hash(parts) >> 11) as f64 / (1u64 << 53) as f64
}

/// How fast a unit moves towards its targets: between 0,55 (well behind)
/// and 1,35 (ahead), fixed per unit so its story holds across periods.
pub fn pace(agency_key: &str) -> f64 {
    0.55 + 0.8 * unit(&["pace", agency_key])
}

/// What happened to one report of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Submitted (late or not) and approved.
    Approved { late: bool },
    /// Submitted, returned with a reason, submitted again and approved.
    ReturnedThenApproved,
    /// Submitted, waiting for review.
    Submitted { late: bool },
    /// Submitted and returned with a reason: back with the unit.
    Returned,
    /// Values typed and saved, not submitted.
    Draft,
    /// Nothing done yet.
    Missing,
}

impl Fate {
    /// Whether the report has values (everything but `Missing`).
    pub fn has_values(self) -> bool {
        self != Fate::Missing
    }
}

/// The fate of the report of the unit at `index` (0-based, in a stable
/// order) among `count` units in a period. `latest` is the newest period,
/// which is still being filled in; `returned_here` asks for the one
/// returned report of the history in this period.
///
/// Past periods: most approved, about one in six late, none missing. The
/// latest: about half approved, a few waiting, one returned, a few drafts and
/// a few with nothing yet. Which unit gets which fate comes from the hash.
pub fn fate(
    period_label: &str,
    agency_key: &str,
    index: usize,
    count: usize,
    latest: bool,
) -> Fate {
    let r = unit(&["fate", period_label, agency_key]);
    let late = unit(&["late", period_label, agency_key]) < 0.18;
    if !latest {
        // One report of each past period went back once before approval.
        if count > 2 && index == (hash(&["returned", period_label]) as usize) % count {
            return Fate::ReturnedThenApproved;
        }
        return Fate::Approved { late };
    }
    // The latest period: the first unit in hash order is the returned one.
    if count > 0 && index == (hash(&["returned", period_label]) as usize) % count {
        return Fate::Returned;
    }
    match r {
        x if x < 0.45 => Fate::Approved { late },
        x if x < 0.62 => Fate::Submitted { late },
        x if x < 0.80 => Fate::Draft,
        _ => Fate::Missing,
    }
}

/// One step of a report's history, with when it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Save,
    Submit,
    Return,
    Approve,
}

/// At 08:00-16:59 Vietnam time on `day`, as UTC (offices' hours).
fn office_time(day: Date, parts: &[&str]) -> OffsetDateTime {
    let minutes = (unit(parts) * 540.0) as u8 as i64 + 60 * 8;
    let t = Time::from_hms((minutes / 60) as u8, (minutes % 60) as u8, 0).unwrap_or(Time::MIDNIGHT);
    day.with_time(t)
        .assume_offset(crate::vnfmt::VIETNAM_OFFSET)
        .to_offset(time::UtcOffset::UTC)
}

/// The steps of a report of `fate` in a period due on `due`, with times in
/// the past of `due` (or shortly after it when late), in order. On time is
/// 1-12 days before the due date, late 2-25 days after; review takes 1-10
/// days; a returned report comes back 3-9 days later.
pub fn schedule(
    due: Date,
    period_label: &str,
    agency_key: &str,
    fate: Fate,
) -> Vec<(Step, OffsetDateTime)> {
    let d = |what: &str, lo: i64, span: i64| -> i64 {
        lo + (unit(&[what, period_label, agency_key]) * span as f64) as i64
    };
    let at = |day: Date, what: &str| office_time(day, &[what, period_label, agency_key]);
    let submit_day = |late: bool| {
        if late {
            due + Duration::days(d("late-days", 2, 24))
        } else {
            due - Duration::days(d("early-days", 1, 12))
        }
    };
    let save_day = |submit: Date| submit - Duration::days(d("save-days", 0, 5));
    let mut out = vec![];
    match fate {
        Fate::Missing => {}
        Fate::Draft => {
            let day = due - Duration::days(d("draft-days", 1, 20));
            out.push((Step::Save, at(day, "save")));
        }
        Fate::Approved { late } | Fate::Submitted { late } => {
            let s = submit_day(late);
            out.push((Step::Save, at(save_day(s), "save")));
            // A save and a submission on the same day: the submission later.
            let sub = at(s, "submit").max(out[0].1 + Duration::minutes(20));
            out.push((Step::Submit, sub));
            if matches!(fate, Fate::Approved { .. }) {
                let a = s + Duration::days(d("review-days", 1, 10));
                out.push((Step::Approve, at(a, "approve")));
            }
        }
        Fate::Returned | Fate::ReturnedThenApproved => {
            let s = submit_day(false);
            out.push((Step::Save, at(save_day(s), "save")));
            let sub = at(s, "submit").max(out[0].1 + Duration::minutes(20));
            out.push((Step::Submit, sub));
            let r = s + Duration::days(d("review-days", 1, 5));
            out.push((Step::Return, at(r, "return")));
            if fate == Fate::ReturnedThenApproved {
                let again = r + Duration::days(d("again-days", 3, 7));
                out.push((Step::Save, at(again, "save-again")));
                out.push((
                    Step::Submit,
                    at(again, "save-again") + Duration::minutes(35),
                ));
                let a = again + Duration::days(d("review-again", 1, 6));
                out.push((Step::Approve, at(a, "approve")));
            }
        }
    }
    out
}

/// The reason a reviewer gives when returning a demo report.
pub const RETURN_REASON: &str = "Số liệu lớp đào tạo nghề chưa khớp với biên bản nghiệm thu; \
đề nghị rà soát, bổ sung tài liệu kèm theo.";

/// A sample value for one line.
///
/// - `target`: the value the line reports against (the unit's share of the
///   milestone target), if any.
/// - `cumulative`: the indicator sums across periods (`sum`): the value is
///   what was done between `from` and `to` (fractions of the history,
///   0..=1) on a running total that reaches `target × pace` at the end; an
///   annual report covers its whole year, so its `from` is the start of the
///   year, like its first half's. Otherwise the value is a level that climbs
///   from about half the target towards it, read at `to`.
/// - `pace`: the line's pace ([`pace`], times a per-line factor if wished);
///   `jitter` a number in [0, 1): for levels, noise; for running counts, the
///   line's phase (keep it the same across periods), so that a unit's share
///   of a small target (0,55 of a village) comes out whole, 0 or 1, and the
///   units together make about the target.
///
/// Counts are whole; percentages stay within 0..=100; multiples near 1.
pub fn value(
    kind: ValueKind,
    cumulative: bool,
    target: Option<f64>,
    from: f64,
    to: f64,
    pace: f64,
    jitter: f64,
) -> f64 {
    let noise = 0.75 + 0.5 * jitter;
    let progress = to;
    let v = match kind {
        ValueKind::Percent => {
            let t = target.unwrap_or(70.0);
            (t * (0.55 + 0.45 * progress) * pace * (0.95 + 0.1 * jitter)).min(100.0)
        }
        ValueKind::Rate => target.unwrap_or(8.0) * pace * noise,
        ValueKind::Multiple => 1.0 + (target.unwrap_or(1.2) - 1.0).max(0.1) * progress * pace,
        _ if cumulative => {
            // This period's share of a running total that reaches `target ×
            // pace` at the end: whole steps fall where the running total
            // crosses them, so small targets still move.
            let t = target.unwrap_or(12.0) * pace;
            let at = |p: f64| {
                let x = t * p.clamp(0.0, 1.0);
                if kind == ValueKind::Count {
                    (x + jitter).floor()
                } else {
                    x
                }
            };
            (at(to) - at(from.min(to))).max(0.0)
        }
        _ => target.unwrap_or(10.0) * (0.5 + 0.5 * progress) * pace * noise,
    };
    match kind {
        ValueKind::Count => v.round().max(0.0),
        ValueKind::Percent | ValueKind::Rate | ValueKind::Multiple => (v * 10.0).round() / 10.0,
        ValueKind::Money | ValueKind::Quantity => v.round().max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn hash_is_stable_and_spreads() {
        assert_eq!(hash(&["a", "b"]), hash(&["a", "b"]));
        assert_ne!(hash(&["ab"]), hash(&["a", "b"]));
        let u: Vec<f64> = (0..200).map(|i| unit(&["x", &i.to_string()])).collect();
        assert!(u.iter().all(|x| (0.0..1.0).contains(x)));
        let low = u.iter().filter(|x| **x < 0.5).count();
        assert!((70..130).contains(&low), "{low} of 200 below one half");
    }

    #[test]
    fn past_periods_are_all_in_and_one_went_back() {
        let n = 20;
        let keys: Vec<String> = (0..n).map(|i| format!("unit-{i}")).collect();
        let fates: Vec<Fate> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| fate("Năm 2023", k, i, n, false))
            .collect();
        assert!(fates.iter().all(|f| f.has_values()));
        assert_eq!(
            fates
                .iter()
                .filter(|f| **f == Fate::ReturnedThenApproved)
                .count(),
            1
        );
        assert!(fates.contains(&Fate::Approved { late: true }));
        assert!(fates.contains(&Fate::Approved { late: false }));
    }

    #[test]
    fn the_latest_period_is_partly_in() {
        let n = 24;
        let fates: Vec<Fate> = (0..n)
            .map(|i| fate("Năm 2025", &format!("lc-{i}"), i, n, true))
            .collect();
        assert_eq!(fates.iter().filter(|f| **f == Fate::Returned).count(), 1);
        assert!(fates.iter().any(|f| matches!(f, Fate::Approved { .. })));
        assert!(fates
            .iter()
            .any(|f| *f == Fate::Draft || *f == Fate::Missing));
    }

    #[test]
    fn schedules_are_ordered_and_late_means_after_due() {
        let due = date!(2024 - 06 - 20);
        for (i, f) in [
            Fate::Approved { late: false },
            Fate::Approved { late: true },
            Fate::Submitted { late: true },
            Fate::Returned,
            Fate::ReturnedThenApproved,
            Fate::Draft,
        ]
        .into_iter()
        .enumerate()
        {
            let s = schedule(due, "6 tháng đầu năm 2024", &format!("k{i}"), f);
            assert!(!s.is_empty());
            assert!(s.windows(2).all(|w| w[0].1 < w[1].1), "{f:?}: {s:?}");
            let first_submit = s.iter().find(|(st, _)| *st == Step::Submit).map(|x| x.1);
            if let Some(t) = first_submit {
                let day = t.to_offset(crate::vnfmt::VIETNAM_OFFSET).date();
                let late = matches!(
                    f,
                    Fate::Approved { late: true } | Fate::Submitted { late: true }
                );
                assert_eq!(day > due, late, "{f:?} submitted {day}");
            }
        }
        assert!(schedule(due, "x", "y", Fate::Missing).is_empty());
    }

    #[test]
    fn values_respect_their_kind() {
        for j in 0..20 {
            let jitter = f64::from(j) / 20.0;
            let c = value(ValueKind::Count, true, Some(7.0), 0.25, 0.5, 1.3, jitter);
            assert_eq!(c.fract(), 0.0);
            // Small targets still move: over six halves a unit on pace gets
            // there, and a year is its two halves.
            let half = |k: u32| {
                value(
                    ValueKind::Count,
                    true,
                    Some(5.0),
                    f64::from(k - 1) / 6.0,
                    f64::from(k) / 6.0,
                    1.0,
                    jitter,
                )
            };
            let total: f64 = (1..=6).map(half).sum();
            assert_eq!(total, 5.0, "jitter {jitter}");
            let year = value(
                ValueKind::Count,
                true,
                Some(5.0),
                2.0 / 6.0,
                4.0 / 6.0,
                1.0,
                jitter,
            );
            assert_eq!(year, half(3) + half(4));
            let p = value(
                ValueKind::Percent,
                false,
                Some(100.0),
                0.8,
                1.0,
                1.35,
                jitter,
            );
            assert!((0.0..=100.0).contains(&p));
            let m = value(ValueKind::Multiple, false, Some(1.0), 0.0, 0.0, 1.0, jitter);
            assert!(m >= 1.0);
        }
        // Behind and ahead: a slow unit's level stays below a fast one's.
        let slow = value(ValueKind::Percent, false, Some(70.0), 0.8, 1.0, 0.6, 0.5);
        let fast = value(ValueKind::Percent, false, Some(70.0), 0.8, 1.0, 1.3, 0.5);
        assert!(slow < 70.0 && fast > 70.0, "{slow} {fast}");
    }
}
