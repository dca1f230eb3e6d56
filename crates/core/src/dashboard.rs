//! Rules of the leaders' dashboard: where an indicator should be
//! by now, whether it is on track, behind or ahead, and which units are most
//! behind with their reports. Pure functions; the web layer fetches and renders.
//!
//! **Expected trajectory.** Linear from the baseline (value, year) to the
//! target of the milestone in force (value, year), read at the end of the
//! latest period reported: `expected = baseline + (target - baseline) ×
//! (year - baseline_year) / (target_year - baseline_year)`, clamped to the
//! segment. Without a baseline year the plan's own start year is used; without
//! a baseline value, 0 (a count from nothing).
//!
//! **Tolerance.** The gap between the value and the expected value is measured
//! as a share of the whole distance from baseline to target. Within
//! ±[`TOLERANCE`] (10 %) it is `on_track`; beyond it `ahead` or `behind`
//! (reversed for indicators where lower is better). A value at or past the
//! target is always `ahead` or `on_track`, never `behind`.

use crate::plan::Direction;
use serde::Serialize;

/// Share of the baseline-to-target distance within which a value is on track.
pub const TOLERANCE: f64 = 0.10;

/// Where an indicator stands against its expected trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    OnTrack,
    Behind,
    Ahead,
    /// No value, no numeric target, or no year to place it on the line.
    NoData,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::OnTrack => "on_track",
            Standing::Behind => "behind",
            Standing::Ahead => "ahead",
            Standing::NoData => "no_data",
        }
    }
}

/// One point of the line from the baseline to the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trajectory {
    pub baseline: f64,
    pub baseline_year: f64,
    pub target: f64,
    pub target_year: f64,
}

impl Trajectory {
    /// Build the line; `None` when the years do not make a segment forward.
    pub fn new(
        baseline: Option<f64>,
        baseline_year: i32,
        target: f64,
        target_year: i32,
    ) -> Option<Trajectory> {
        if !target.is_finite() || target_year <= baseline_year {
            return None;
        }
        let baseline = baseline.filter(|b| b.is_finite()).unwrap_or(0.0);
        Some(Trajectory {
            baseline,
            baseline_year: f64::from(baseline_year),
            target,
            target_year: f64::from(target_year),
        })
    }

    /// The value expected at `at` (a year, fractional for a date inside it),
    /// clamped to the segment.
    pub fn expected_at(&self, at: f64) -> f64 {
        let span = self.target_year - self.baseline_year;
        let share = ((at - self.baseline_year) / span).clamp(0.0, 1.0);
        self.baseline + (self.target - self.baseline) * share
    }
}

/// The fractional year at the end of a day (`2023-06-30` → ~2023.5).
pub fn year_fraction(year: i32, ordinal: u16) -> f64 {
    let days = if time::util::is_leap_year(year) {
        366.0
    } else {
        365.0
    };
    f64::from(year) + f64::from(ordinal) / days
}

/// Standing of `value` at `at` against the trajectory.
pub fn standing(
    value: Option<f64>,
    line: Option<Trajectory>,
    at: f64,
    direction: Direction,
) -> (Option<f64>, Standing) {
    let (Some(v), Some(line)) = (value.filter(|v| v.is_finite()), line) else {
        return (line.map(|l| l.expected_at(at)), Standing::NoData);
    };
    let expected = line.expected_at(at);
    let distance = (line.target - line.baseline).abs();
    let sign = match direction {
        Direction::HigherIsBetter => 1.0,
        Direction::LowerIsBetter => -1.0,
    };
    // Reached the target: never behind.
    let reached = sign * (v - line.target) >= 0.0;
    let gap = sign * (v - expected);
    let tolerance = if distance > 0.0 {
        TOLERANCE * distance
    } else {
        0.0
    };
    let s = if gap > tolerance {
        Standing::Ahead
    } else if gap < -tolerance && !reached {
        Standing::Behind
    } else {
        Standing::OnTrack
    };
    (Some(expected), s)
}

/// How one unit did with its reports over the periods of a programme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRecord {
    pub agency_id: i64,
    pub agency_name: String,
    pub expected: u32,
    pub approved: u32,
    pub on_time: u32,
    pub late: u32,
    /// Due and never submitted.
    pub missing: u32,
}

impl UnitRecord {
    /// Reports not handed in on time: late plus missing.
    pub fn behind(&self) -> u32 {
        self.late + self.missing
    }
}

/// The `n` units most behind: most missing and late reports first, then
/// fewest approved, then by name; units with nothing behind are left out.
pub fn most_behind(units: &[UnitRecord], n: usize) -> Vec<UnitRecord> {
    let mut v: Vec<UnitRecord> = units.iter().filter(|u| u.behind() > 0).cloned().collect();
    v.sort_by(|a, b| {
        b.behind()
            .cmp(&a.behind())
            .then(b.missing.cmp(&a.missing))
            .then(a.approved.cmp(&b.approved))
            .then(a.agency_name.cmp(&b.agency_name))
    });
    v.truncate(n);
    v
}

/// Percent with one decimal, `None` when nothing was expected.
pub fn rate(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line() -> Option<Trajectory> {
        Trajectory::new(Some(10.0), 2020, 20.0, 2025)
    }

    #[test]
    fn linear_from_baseline_to_target() {
        let l = line().expect("line");
        assert_eq!(l.expected_at(2020.0), 10.0);
        assert_eq!(l.expected_at(2023.0), 16.0);
        assert_eq!(l.expected_at(2025.0), 20.0);
        assert_eq!(l.expected_at(2030.0), 20.0, "clamped after");
        assert_eq!(l.expected_at(2010.0), 10.0, "clamped before");
        assert!(Trajectory::new(Some(1.0), 2025, 5.0, 2025).is_none());
        assert_eq!(
            Trajectory::new(None, 2020, 10.0, 2025).map(|l| l.baseline),
            Some(0.0)
        );
    }

    #[test]
    fn tolerance_is_ten_percent_of_the_distance() {
        let up = Direction::HigherIsBetter;
        // Expected 16 in 2023; the distance is 10, tolerance 1.
        assert_eq!(
            standing(Some(16.0), line(), 2023.0, up).1,
            Standing::OnTrack
        );
        assert_eq!(
            standing(Some(15.0), line(), 2023.0, up).1,
            Standing::OnTrack
        );
        assert_eq!(standing(Some(14.9), line(), 2023.0, up).1, Standing::Behind);
        assert_eq!(standing(Some(17.1), line(), 2023.0, up).1, Standing::Ahead);
        assert_eq!(standing(None, line(), 2023.0, up).1, Standing::NoData);
        assert_eq!(standing(Some(3.0), None, 2023.0, up).1, Standing::NoData);
        assert_eq!(standing(Some(16.0), line(), 2023.0, up).0, Some(16.0));
    }

    #[test]
    fn lower_is_better_reverses() {
        let down = Direction::LowerIsBetter;
        let l = Trajectory::new(Some(20.0), 2020, 10.0, 2025);
        // Expected 14 in 2023.
        assert_eq!(standing(Some(12.0), l, 2023.0, down).1, Standing::Ahead);
        assert_eq!(standing(Some(16.0), l, 2023.0, down).1, Standing::Behind);
        assert_eq!(standing(Some(14.5), l, 2023.0, down).1, Standing::OnTrack);
    }

    #[test]
    fn ranking_puts_the_most_behind_first() {
        let u = |id: i64, name: &str, approved, late, missing| UnitRecord {
            agency_id: id,
            agency_name: name.into(),
            expected: 4,
            approved,
            on_time: 4 - late - missing,
            late,
            missing,
        };
        let all = vec![
            u(1, "A", 4, 0, 0),
            u(2, "B", 2, 1, 1),
            u(3, "C", 3, 1, 0),
            u(4, "D", 1, 0, 2),
        ];
        let top = most_behind(&all, 5);
        let names: Vec<&str> = top.iter().map(|u| u.agency_name.as_str()).collect();
        assert_eq!(names, ["D", "B", "C"], "A is not behind");
        assert_eq!(most_behind(&all, 1).len(), 1);
        assert_eq!(rate(1, 3), Some(33.3));
        assert_eq!(rate(0, 0), None);
    }

    proptest! {
        #[test]
        fn expected_stays_between_baseline_and_target(
            b in -1e6f64..1e6, t in -1e6f64..1e6, by in 1990i32..2030, span in 1i32..20, at in 1980f64..2060.0
        ) {
            let l = Trajectory::new(Some(b), by, t, by + span).expect("line");
            let e = l.expected_at(at);
            prop_assert!(e >= b.min(t) - 1e-6 && e <= b.max(t) + 1e-6);
        }

        #[test]
        fn reaching_the_target_is_never_behind(
            b in 0f64..1e4, d in 1f64..1e4, extra in 0f64..1e4, at in 2020f64..2030.0
        ) {
            let up = Trajectory::new(Some(b), 2020, b + d, 2025);
            prop_assert_ne!(standing(Some(b + d + extra), up, at, Direction::HigherIsBetter).1, Standing::Behind);
            let down = Trajectory::new(Some(b + d), 2020, b, 2025);
            prop_assert_ne!(standing(Some(b - extra), down, at, Direction::LowerIsBetter).1, Standing::Behind);
        }

        #[test]
        fn more_is_never_worse(b in 0f64..100.0, d in 1f64..100.0, v in 0f64..200.0, dv in 0f64..50.0, at in 2020f64..2025.0) {
            let l = Trajectory::new(Some(b), 2020, b + d, 2025);
            let rank = |s: Standing| match s { Standing::Behind => 0, Standing::OnTrack => 1, Standing::Ahead => 2, Standing::NoData => -1 };
            let lo = rank(standing(Some(v), l, at, Direction::HigherIsBetter).1);
            let hi = rank(standing(Some(v + dv), l, at, Direction::HigherIsBetter).1);
            prop_assert!(hi >= lo);
        }
    }
}
