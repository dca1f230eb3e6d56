//! "Việc cần làm": which of a person's open items make their to-do list, how
//! many days are left, and in what order they come. Pure rules; the store
//! gives the candidates (already in the person's scope), the web renders them.

use serde::Serialize;
use time::Date;

/// Tasks enter the list this many days before they are due.
pub const TASK_HORIZON_DAYS: i64 = 30;
/// A period "closes soon" this many days before its due date.
pub const PERIOD_HORIZON_DAYS: i64 = 14;
/// A scheme step enters the list this many days before it is due.
pub const STEP_HORIZON_DAYS: i64 = 30;

/// What an item asks of the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A report of the person's unit sent back with a reason: fix and resubmit.
    ReportReturned,
    /// A report of the person's unit still to fill and submit.
    ReportToFill,
    /// A submitted report waiting for the reviewer's decision.
    ReportToReview,
    /// Units that have not submitted in a period whose due date has passed.
    UnitsLate,
    /// A period whose due date is near.
    PeriodClosing,
    /// A step of a support scheme due soon (or overdue) and not done.
    SchemeStep,
    /// A plan task the person's agency leads or coordinates, due soon.
    TaskDue,
    /// A programme in scope, with its progress (viewers and leaders).
    Programme,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ReportReturned => "report_returned",
            Kind::ReportToFill => "report_to_fill",
            Kind::ReportToReview => "report_to_review",
            Kind::UnitsLate => "units_late",
            Kind::PeriodClosing => "period_closing",
            Kind::SchemeStep => "scheme_step",
            Kind::TaskDue => "task_due",
            Kind::Programme => "programme",
        }
    }
}

/// An open item as the store finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub kind: Kind,
    pub title: String,
    pub due: Option<Date>,
    pub url: String,
    /// Kind-specific detail: the return reason, a count, a progress text…
    pub detail: Option<String>,
}

/// Where an item stands on its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Past its due date.
    Overdue,
    /// Due today or within the week.
    DueSoon,
    /// Due later.
    Upcoming,
    /// No date (a programme, a report to review).
    Undated,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Overdue => "overdue",
            Urgency::DueSoon => "due_soon",
            Urgency::Upcoming => "upcoming",
            Urgency::Undated => "undated",
        }
    }
}

/// An item of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: Kind,
    pub title: String,
    pub due: Option<Date>,
    /// Days from today to the due date: negative when overdue.
    pub days_left: Option<i64>,
    pub urgency: Urgency,
    pub url: String,
    pub detail: Option<String>,
}

/// Days from `today` to `due` (negative: overdue).
pub fn days_left(today: Date, due: Date) -> i64 {
    (due - today).whole_days()
}

pub fn urgency(days_left: Option<i64>) -> Urgency {
    match days_left {
        None => Urgency::Undated,
        Some(d) if d < 0 => Urgency::Overdue,
        Some(d) if d <= 7 => Urgency::DueSoon,
        Some(_) => Urgency::Upcoming,
    }
}

/// Whether a candidate belongs on the list today.
pub fn is_due(today: Date, c: &Candidate) -> bool {
    let left = c.due.map(|d| days_left(today, d));
    match c.kind {
        // Work in hand is always listed, whatever its date.
        Kind::ReportReturned | Kind::ReportToFill | Kind::ReportToReview | Kind::Programme => true,
        // Late units only once the due date has passed.
        Kind::UnitsLate => left.is_some_and(|d| d < 0),
        // A period closes soon: due today or within the horizon (not after it passed).
        Kind::PeriodClosing => left.is_some_and(|d| (0..=PERIOD_HORIZON_DAYS).contains(&d)),
        // Tasks and steps: within the horizon, or overdue.
        Kind::TaskDue => left.is_some_and(|d| d <= TASK_HORIZON_DAYS),
        Kind::SchemeStep => left.is_some_and(|d| d <= STEP_HORIZON_DAYS),
    }
}

/// Pick the candidates due today and order them: returned reports first (someone
/// is waiting on a fix), then by date (most overdue first, undated last), then
/// by kind and title, so the same data always gives the same list.
pub fn pick(today: Date, candidates: Vec<Candidate>) -> Vec<Item> {
    let mut items: Vec<Item> = candidates
        .into_iter()
        .filter(|c| is_due(today, c))
        .map(|c| {
            let left = c.due.map(|d| days_left(today, d));
            Item {
                kind: c.kind,
                title: c.title,
                due: c.due,
                days_left: left,
                urgency: urgency(left),
                url: c.url,
                detail: c.detail,
            }
        })
        .collect();
    items.sort_by(|a, b| {
        let returned = |i: &Item| i.kind != Kind::ReportReturned;
        returned(a)
            .cmp(&returned(b))
            .then_with(|| match (a.days_left, b.days_left) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.url.cmp(&b.url))
    });
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn c(kind: Kind, title: &str, due: Option<Date>) -> Candidate {
        Candidate {
            kind,
            title: title.into(),
            due,
            url: format!("/x/{title}"),
            detail: None,
        }
    }

    const TODAY: Date = date!(2026 - 12 - 04);

    #[test]
    fn days_left_counts_calendar_days() {
        assert_eq!(days_left(TODAY, date!(2026 - 12 - 09)), 5);
        assert_eq!(days_left(TODAY, TODAY), 0);
        assert_eq!(days_left(TODAY, date!(2025 - 06 - 20)), -532);
        assert_eq!(urgency(Some(-1)), Urgency::Overdue);
        assert_eq!(urgency(Some(0)), Urgency::DueSoon);
        assert_eq!(urgency(Some(7)), Urgency::DueSoon);
        assert_eq!(urgency(Some(8)), Urgency::Upcoming);
        assert_eq!(urgency(None), Urgency::Undated);
    }

    #[test]
    fn tasks_enter_thirty_days_ahead_and_stay_when_overdue() {
        assert!(is_due(
            TODAY,
            &c(Kind::TaskDue, "a", Some(date!(2027 - 01 - 03)))
        ));
        assert!(!is_due(
            TODAY,
            &c(Kind::TaskDue, "a", Some(date!(2027 - 01 - 04)))
        ));
        assert!(is_due(
            TODAY,
            &c(Kind::TaskDue, "a", Some(date!(2024 - 01 - 01)))
        ));
        assert!(!is_due(TODAY, &c(Kind::TaskDue, "undated", None)));
        assert!(is_due(
            TODAY,
            &c(Kind::SchemeStep, "s", Some(date!(2026 - 12 - 20)))
        ));
        assert!(!is_due(TODAY, &c(Kind::SchemeStep, "s", None)));
    }

    #[test]
    fn late_units_only_after_the_due_date_and_closing_periods_only_before() {
        assert!(!is_due(TODAY, &c(Kind::UnitsLate, "p", Some(TODAY))));
        assert!(is_due(
            TODAY,
            &c(Kind::UnitsLate, "p", Some(date!(2026 - 12 - 03)))
        ));
        assert!(is_due(TODAY, &c(Kind::PeriodClosing, "p", Some(TODAY))));
        assert!(is_due(
            TODAY,
            &c(Kind::PeriodClosing, "p", Some(date!(2026 - 12 - 18)))
        ));
        assert!(!is_due(
            TODAY,
            &c(Kind::PeriodClosing, "p", Some(date!(2026 - 12 - 19)))
        ));
        assert!(!is_due(
            TODAY,
            &c(Kind::PeriodClosing, "p", Some(date!(2026 - 12 - 03)))
        ));
    }

    #[test]
    fn work_in_hand_is_always_listed() {
        for k in [
            Kind::ReportToFill,
            Kind::ReportReturned,
            Kind::ReportToReview,
        ] {
            assert!(is_due(TODAY, &c(k, "r", Some(date!(2030 - 01 - 01)))));
            assert!(is_due(TODAY, &c(k, "r", Some(date!(2020 - 01 - 01)))));
        }
        assert!(is_due(TODAY, &c(Kind::Programme, "p", None)));
    }

    #[test]
    fn returned_first_then_most_overdue_then_undated() {
        let items = pick(
            TODAY,
            vec![
                c(Kind::Programme, "prog", None),
                c(
                    Kind::ReportToFill,
                    "fill-later",
                    Some(date!(2026 - 12 - 20)),
                ),
                c(Kind::ReportToFill, "fill-late", Some(date!(2025 - 06 - 20))),
                c(
                    Kind::ReportReturned,
                    "returned",
                    Some(date!(2027 - 01 - 01)),
                ),
                c(Kind::TaskDue, "task-far", Some(date!(2027 - 06 - 01))),
                c(Kind::ReportToReview, "review", None),
                c(Kind::TaskDue, "task-soon", Some(date!(2026 - 12 - 06))),
            ],
        );
        let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "returned",
                "fill-late",
                "task-soon",
                "fill-later",
                "review",
                "prog"
            ]
        );
        assert_eq!(items[1].days_left, Some(-532));
        assert_eq!(items[1].urgency, Urgency::Overdue);
        assert_eq!(items[2].urgency, Urgency::DueSoon);
        assert_eq!(items[3].urgency, Urgency::Upcoming);
    }

    fn kind() -> impl Strategy<Value = Kind> {
        prop_oneof![
            Just(Kind::ReportReturned),
            Just(Kind::ReportToFill),
            Just(Kind::ReportToReview),
            Just(Kind::UnitsLate),
            Just(Kind::PeriodClosing),
            Just(Kind::SchemeStep),
            Just(Kind::TaskDue),
            Just(Kind::Programme),
        ]
    }

    proptest! {
        #[test]
        fn pick_keeps_exactly_the_due_and_orders_them(
            raw in proptest::collection::vec((kind(), proptest::option::of(-800i64..800), "[a-c]{1,2}"), 0..30)
        ) {
            let cands: Vec<Candidate> = raw
                .iter()
                .map(|(k, d, t)| c(*k, t, d.map(|d| TODAY + time::Duration::days(d))))
                .collect();
            let expected = cands.iter().filter(|x| is_due(TODAY, x)).count();
            let items = pick(TODAY, cands.clone());
            prop_assert_eq!(items.len(), expected);
            // Order does not depend on the input order.
            let mut rev = cands;
            rev.reverse();
            prop_assert_eq!(&pick(TODAY, rev), &items);
            for w in items.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                if a.kind != Kind::ReportReturned && b.kind != Kind::ReportReturned {
                    match (a.days_left, b.days_left) {
                        (Some(x), Some(y)) => prop_assert!(x <= y),
                        (None, Some(_)) => prop_assert!(false, "undated before dated"),
                        _ => {}
                    }
                } else {
                    prop_assert!(a.kind == Kind::ReportReturned || b.kind != Kind::ReportReturned);
                }
                if let Some(d) = a.days_left {
                    prop_assert_eq!(a.urgency == Urgency::Overdue, d < 0);
                }
            }
        }
    }
}
