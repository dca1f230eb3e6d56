//! Rules that keep a consolidation from misleading:
//! - the coverage of a period (how many of the expected unit reports are
//!   approved) and whether the verdicts are still provisional;
//! - which milestone a period (or a plan read on a given day) is measured
//!   against, and its year;
//! - whether an indicator's total line can be compared with a target or must
//!   be compared category by category (LN, NTT, LNTT are not added);
//! - split targets written with their year;
//! - the totals of a printed group row per unit of measure, never a sum of
//!   unlike units;
//! - opening a period whose due date has passed needs a confirmation.

use time::Date;

/// How many of the expected unit reports of a period are approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    pub approved: usize,
    pub expected: usize,
}

impl Coverage {
    /// Every expected report is approved (and at least one was expected).
    pub fn complete(self) -> bool {
        self.expected > 0 && self.approved >= self.expected
    }

    /// Verdicts computed from this coverage are provisional until it is complete.
    pub fn provisional(self) -> bool {
        !self.complete()
    }

    /// The number of expected reports not approved yet.
    pub fn missing(self) -> usize {
        self.expected.saturating_sub(self.approved)
    }
}

/// The year of a milestone text: "2025" → 2025, "2022-2025" → 2025 (a range
/// counts at its last year).
pub fn milestone_year(m: &str) -> Option<i32> {
    m.rsplit(['-', '–'])
        .next()
        .and_then(|y| y.trim().parse::<i32>().ok())
}

/// The milestone in force for `year`: the first milestone at or after it,
/// else (the plan is over) the last one. The plain year is preferred to a
/// range ending the same year.
pub fn milestone_in_force(year: i32, milestones: &[String]) -> Option<String> {
    let mut with_year: Vec<(i32, &String)> = milestones
        .iter()
        .filter_map(|m| milestone_year(m).map(|y| (y, m)))
        .collect();
    with_year.sort_by_key(|(y, m)| (*y, m.len()));
    with_year.dedup_by_key(|(y, _)| *y);
    with_year
        .iter()
        .find(|(y, _)| *y >= year)
        .or_else(|| with_year.last())
        .map(|(_, m)| (*m).clone())
}

/// The year a plan is read at on a day of `today_year`: that year, but never
/// after the plan's end (a 2022–2025 plan read in 2026 is measured against
/// its 2025 milestone, not its 2030 vision).
pub fn reference_year(today_year: i32, plan_end_year: i32) -> i32 {
    today_year.min(plan_end_year)
}

/// How an indicator's total line is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalBasis {
    /// Against the total target.
    Own,
    /// Each category against its own target; the total line gives no verdict
    /// (its target lists categories that do not add: "11 LN, 21 NTT, 13 LNTT").
    PerCategory,
}

/// The basis of an indicator's total line: per category when the milestone
/// has category targets and the total target states no value of its own.
pub fn total_basis(category_targets: usize, total_value: Option<f64>) -> TotalBasis {
    if category_targets > 0 && total_value.is_none() {
        TotalBasis::PerCategory
    } else {
        TotalBasis::Own
    }
}

/// Split targets with their year, milestones in the order given:
/// `[("2025","LN","11"), ("2025","NTT","21"), ("2030","LN","8")]` →
/// "2025 — LN: 11, NTT: 21; 2030 — LN: 8".
pub fn split_targets_text(parts: &[(&str, &str, &str)]) -> String {
    let mut groups: Vec<(&str, Vec<String>)> = vec![];
    for (m, cat, text) in parts {
        let item = format!("{cat}: {text}");
        match groups.iter_mut().find(|(g, _)| g == m) {
            Some((_, items)) => items.push(item),
            None => groups.push((m, vec![item])),
        }
    }
    groups
        .iter()
        .map(|(m, items)| format!("{m} — {}", items.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The totals of a group row per unit of measure, units in order of first
/// appearance; lines without a unit or a value are left out. One unit gives
/// one total; several give one total each, never their sum.
pub fn totals_per_unit(items: &[(&str, Option<f64>)]) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = vec![];
    for (unit, value) in items {
        let unit = unit.trim();
        let Some(v) = value else { continue };
        if unit.is_empty() {
            continue;
        }
        match out.iter_mut().find(|(u, _)| u == unit) {
            Some((_, total)) => *total += v,
            None => out.push((unit.to_string(), *v)),
        }
    }
    out
}

/// Opening a period due on `due` on `today` needs a confirmation: every unit
/// would be late from the first day.
pub fn opening_needs_confirmation(today: Date, due: Date) -> bool {
    due < today
}

/// Whether a period was opened after its due date (the period page says so).
pub fn opened_past_due(opened_on: Date, due: Date) -> bool {
    due < opened_on
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn coverage_is_provisional_until_every_unit_is_approved() {
        let c = Coverage {
            approved: 14,
            expected: 19,
        };
        assert!(c.provisional());
        assert_eq!(c.missing(), 5);
        let full = Coverage {
            approved: 19,
            expected: 19,
        };
        assert!(full.complete());
        assert!(!full.provisional());
        // Nothing expected: nothing to be sure of.
        assert!(Coverage {
            approved: 0,
            expected: 0
        }
        .provisional());
    }

    #[test]
    fn a_2025_period_is_measured_against_2025_and_later_ones_against_the_next() {
        let ms = vec!["2030".to_string(), "2025".to_string()];
        assert_eq!(milestone_in_force(2025, &ms).as_deref(), Some("2025"));
        assert_eq!(milestone_in_force(2023, &ms).as_deref(), Some("2025"));
        assert_eq!(milestone_in_force(2026, &ms).as_deref(), Some("2030"));
        assert_eq!(milestone_in_force(2031, &ms).as_deref(), Some("2030"));
        assert_eq!(milestone_in_force(2025, &[]), None);
        let ranged = vec!["2022-2025".to_string(), "2025".to_string()];
        assert_eq!(milestone_in_force(2024, &ranged).as_deref(), Some("2025"));
        assert_eq!(milestone_year("2022–2025"), Some(2025));
        assert_eq!(milestone_year("sau"), None);
    }

    #[test]
    fn a_plan_ending_in_2025_read_in_2026_uses_2025() {
        assert_eq!(reference_year(2026, 2025), 2025);
        assert_eq!(reference_year(2024, 2025), 2024);
        let ms = vec!["2025".to_string(), "2030".to_string()];
        assert_eq!(
            milestone_in_force(reference_year(2026, 2025), &ms).as_deref(),
            Some("2025")
        );
    }

    #[test]
    fn a_composite_target_is_compared_per_category() {
        // I.2.1 "ít nhất 11 làng nghề, 21 nghề truyền thống và 13 làng nghề truyền thống".
        assert_eq!(total_basis(3, None), TotalBasis::PerCategory);
        // I.2.6 "ít nhất 07 làng nghề, nghề truyền thống" states its own total (7).
        assert_eq!(total_basis(2, Some(7.0)), TotalBasis::Own);
        // No categories: the total is the target.
        assert_eq!(total_basis(0, None), TotalBasis::Own);
    }

    #[test]
    fn split_targets_carry_their_year() {
        let parts = [
            ("2025", "LN", "11"),
            ("2025", "NTT", "21"),
            ("2025", "LNTT", "13"),
            ("2030", "LN", "8"),
            ("2030", "NTT", "32"),
            ("2030", "LNTT", "18"),
        ];
        assert_eq!(
            split_targets_text(&parts),
            "2025 — LN: 11, NTT: 21, LNTT: 13; 2030 — LN: 8, NTT: 32, LNTT: 18"
        );
        assert_eq!(split_targets_text(&[]), "");
    }

    #[test]
    fn group_rows_total_per_unit_never_across_units() {
        // Phụ biểu 01, Sở Công thương 2025: 3 DA/MH, 6 lớp, 90 cuộc (printed "99").
        let t = totals_per_unit(&[
            ("DA/MH", Some(3.0)),
            ("Lớp", Some(6.0)),
            ("Cuộc", Some(90.0)),
        ]);
        assert_eq!(
            t,
            vec![
                ("DA/MH".to_string(), 3.0),
                ("Lớp".to_string(), 6.0),
                ("Cuộc".to_string(), 90.0)
            ]
        );
        let same = totals_per_unit(&[("LN", Some(2.0)), ("LN", Some(4.0)), ("", Some(9.0))]);
        assert_eq!(same, vec![("LN".to_string(), 6.0)]);
        assert!(totals_per_unit(&[("LN", None)]).is_empty());
    }

    #[test]
    fn opening_after_the_due_date_needs_confirmation() {
        assert!(opening_needs_confirmation(
            date!(2026 - 12 - 04),
            date!(2025 - 06 - 20)
        ));
        assert!(!opening_needs_confirmation(
            date!(2025 - 06 - 20),
            date!(2025 - 06 - 20)
        ));
        assert!(opened_past_due(
            date!(2025 - 06 - 21),
            date!(2025 - 06 - 20)
        ));
        assert!(!opened_past_due(
            date!(2025 - 01 - 21),
            date!(2025 - 06 - 20)
        ));
    }

    proptest! {
        #[test]
        fn provisional_exactly_when_some_report_is_missing(approved in 0usize..50, expected in 0usize..50) {
            let approved = approved.min(expected);
            let c = Coverage { approved, expected };
            prop_assert_eq!(c.provisional(), expected == 0 || approved < expected);
            prop_assert_eq!(c.approved + c.missing(), expected);
        }

        #[test]
        fn the_milestone_in_force_is_never_before_the_year_unless_the_plan_is_over(
            year in 2000i32..2050,
            ms in proptest::collection::vec(2000i32..2050, 1..5),
        ) {
            let texts: Vec<String> = ms.iter().map(|y| y.to_string()).collect();
            let chosen = milestone_in_force(year, &texts).and_then(|m| milestone_year(&m));
            let chosen = chosen.unwrap_or_default();
            let max = *ms.iter().max().unwrap_or(&0);
            if max >= year {
                prop_assert!(chosen >= year);
                // The nearest one: no milestone between the year and the one chosen.
                prop_assert!(!ms.iter().any(|m| *m >= year && *m < chosen));
            } else {
                prop_assert_eq!(chosen, max);
            }
        }

        #[test]
        fn per_unit_totals_keep_every_units_sum(
            items in proptest::collection::vec((0usize..3, 0u32..1000), 0..20),
        ) {
            let units = ["LN", "lớp", "cuộc"];
            let input: Vec<(&str, Option<f64>)> =
                items.iter().map(|(u, v)| (units[*u], Some(f64::from(*v)))).collect();
            let out = totals_per_unit(&input);
            for (u, total) in &out {
                let expect: f64 = input.iter().filter(|(x, _)| x == u).filter_map(|(_, v)| *v).sum();
                prop_assert!((total - expect).abs() < 1e-9);
            }
            // One line per unit present, never one line for all.
            let distinct: std::collections::HashSet<&str> = input.iter().map(|(u, _)| *u).collect();
            prop_assert_eq!(out.len(), distinct.len());
        }
    }
}
