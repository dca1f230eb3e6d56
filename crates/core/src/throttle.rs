//! Login throttling without lock-out.
//!
//! Failures are counted per pair (username, client address): the pair that keeps
//! failing waits longer and longer between attempts (0, 0, 0, 1, 2, 4, … seconds,
//! capped), while the same account from another client — the colleague at the
//! next desk, or the owner who remembers the password — is not slowed at all.
//! Nothing ever refuses the right password for good: after the wait it is tried.

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed without any wait.
    pub free: u32,
    /// The first wait; each failure after it doubles it.
    pub base: Duration,
    /// The longest wait between two attempts.
    pub cap: Duration,
    /// Failures older than this (counted from the last one) are forgotten.
    pub forget_after: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            free: 3,
            base: Duration::seconds(1),
            cap: Duration::minutes(5),
            forget_after: Duration::hours(1),
        }
    }
}

/// The failures of one pair so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last: OffsetDateTime,
}

/// How long the pair must wait after its last failure before the next attempt,
/// given `count` failures in a row: 0 for the first `free`, then `base` (1 s)
/// doubling each time, at most `cap`.
pub fn delay(policy: Policy, count: u32) -> Duration {
    if count < policy.free {
        return Duration::ZERO;
    }
    let exp = (count - policy.free).min(30);
    (policy.base * (1i32 << exp)).min(policy.cap)
}

/// Seconds to wait before this pair may try again (0 = go now).
pub fn wait_seconds(policy: Policy, f: Option<&Failures>, now: OffsetDateTime) -> i64 {
    let Some(f) = f else { return 0 };
    if now - f.last >= policy.forget_after {
        return 0;
    }
    let until = f.last + delay(policy, f.count);
    if until <= now {
        return 0;
    }
    // Round up: a client told "1" that comes back after one second gets in.
    let left = until - now;
    let whole = left.whole_seconds();
    if left > Duration::seconds(whole) {
        whole + 1
    } else {
        whole.max(1)
    }
}

/// The pair failed once more at `now`.
pub fn record_failure(policy: Policy, f: Option<Failures>, now: OffsetDateTime) -> Failures {
    match f {
        Some(f) if now - f.last < policy.forget_after => Failures {
            count: f.count.saturating_add(1),
            last: now,
        },
        _ => Failures {
            count: 1,
            last: now,
        },
    }
}

/// Whether a pair's record can be dropped (it no longer slows anyone).
pub fn expired(policy: Policy, f: &Failures, now: OffsetDateTime) -> bool {
    now - f.last >= policy.forget_after
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-01-01 08:00 UTC);

    #[test]
    fn delays_grow_from_the_fourth_attempt_and_are_capped() {
        let p = Policy::default();
        let d: Vec<i64> = (0..12).map(|n| delay(p, n).whole_seconds()).collect();
        assert_eq!(d, vec![0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256]);
        assert_eq!(delay(p, 13).whole_seconds(), 300);
        assert_eq!(delay(p, u32::MAX).whole_seconds(), 300);
    }

    #[test]
    fn a_pair_waits_then_may_try_again() {
        let p = Policy::default();
        let mut f = None;
        for _ in 0..3 {
            assert_eq!(wait_seconds(p, f.as_ref(), NOW), 0);
            f = Some(record_failure(p, f, NOW));
        }
        // Fourth attempt at once: one second.
        assert_eq!(wait_seconds(p, f.as_ref(), NOW), 1);
        assert_eq!(
            wait_seconds(p, f.as_ref(), NOW + Duration::milliseconds(300)),
            1
        );
        assert_eq!(wait_seconds(p, f.as_ref(), NOW + Duration::seconds(1)), 0);
        f = Some(record_failure(p, f, NOW + Duration::seconds(1)));
        assert_eq!(wait_seconds(p, f.as_ref(), NOW + Duration::seconds(1)), 2);
        // An hour after the last failure the pair starts afresh.
        let later = NOW + Duration::hours(2);
        assert_eq!(wait_seconds(p, f.as_ref(), later), 0);
        assert_eq!(record_failure(p, f, later).count, 1);
        assert!(f.is_some_and(|f| expired(p, &f, later)));
    }

    proptest! {
        /// Never a lock-out: whatever happened, the wait is at most the cap, and
        /// after it the pair may try.
        #[test]
        fn the_wait_is_bounded(count in 0u32..1000, ago_ms in 0i64..4_000_000) {
            let p = Policy::default();
            let f = Failures { count, last: NOW - Duration::milliseconds(ago_ms) };
            let w = wait_seconds(p, Some(&f), NOW);
            prop_assert!((0..=300).contains(&w));
            prop_assert_eq!(wait_seconds(p, Some(&f), NOW + Duration::seconds(w)), 0);
        }

        /// More failures never mean a shorter wait.
        #[test]
        fn delays_are_monotonic(n in 0u32..200) {
            let p = Policy::default();
            prop_assert!(delay(p, n) <= delay(p, n + 1));
        }
    }
}
