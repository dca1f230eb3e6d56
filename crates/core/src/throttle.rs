//! Login throttling: after too many failures in a window, wait.

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub max_failures: usize,
    pub window: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_failures: 5,
            window: Duration::minutes(15),
        }
    }
}

/// Given the times of recent failures for one key (username or client address),
/// returns how many seconds to wait before another attempt is allowed (0 = go).
pub fn wait_seconds(policy: Policy, failures: &[OffsetDateTime], now: OffsetDateTime) -> i64 {
    let recent: Vec<&OffsetDateTime> = failures
        .iter()
        .filter(|t| now - **t < policy.window)
        .collect();
    if recent.len() < policy.max_failures {
        return 0;
    }
    // Allowed again when the oldest failure that keeps us at the limit leaves the window.
    let mut times: Vec<OffsetDateTime> = recent.into_iter().copied().collect();
    times.sort();
    let pivot = times[times.len() - policy.max_failures];
    let until = pivot + policy.window;
    (until - now).whole_seconds().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn allows_until_the_limit_then_waits() {
        let p = Policy::default();
        let now = datetime!(2026-01-01 08:00 UTC);
        let mut f = vec![];
        for i in 0..4 {
            f.push(now - Duration::minutes(i));
        }
        assert_eq!(wait_seconds(p, &f, now), 0);
        f.push(now);
        let w = wait_seconds(p, &f, now);
        assert!(w > 0 && w <= 15 * 60, "{w}");
        // Old failures do not count.
        let old: Vec<_> = (0..10).map(|i| now - Duration::hours(1 + i)).collect();
        assert_eq!(wait_seconds(p, &old, now), 0);
    }
}
