//! Order statistics of timings: the machine is shared and noisy, so the
//! report gives medians and percentiles, never a single run.

use std::time::Duration;

/// Summary of a set of samples (milliseconds, or rows per second).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

/// The nearest-rank percentile `p` (0–100) of sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn summarize(samples: &[f64]) -> Summary {
    let mut s: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return Summary {
            p5: f64::NAN,
            p50: f64::NAN,
            p95: f64::NAN,
            p99: f64::NAN,
            max: f64::NAN,
            mean: f64::NAN,
            ..Summary::default()
        };
    }
    Summary {
        n: s.len(),
        p5: percentile(&s, 5.0),
        p50: percentile(&s, 50.0),
        p95: percentile(&s, 95.0),
        p99: percentile(&s, 99.0),
        max: s[s.len() - 1],
        mean: s.iter().sum::<f64>() / s.len() as f64,
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Rows per second, `NaN` for an empty interval.
pub fn rate(rows: usize, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 {
        rows as f64 / s
    } else {
        f64::NAN
    }
}

/// `12 345` (thin grouping, as the report tables show it).
pub fn int(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let n = x.round() as i64;
    let digits = n.abs().to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|g| std::str::from_utf8(g).unwrap_or(""))
        .collect();
    let out = groups.join(" ");
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Milliseconds with a precision that suits their size.
pub fn fms(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&s, 50.0), 50.0);
        assert_eq!(percentile(&s, 95.0), 95.0);
        assert_eq!(percentile(&s, 99.0), 99.0);
        assert_eq!(percentile(&s, 100.0), 100.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
        let sum = summarize(&[5.0, 1.0, 3.0]);
        assert_eq!((sum.n, sum.p50, sum.max), (3, 3.0, 5.0));
        assert!(summarize(&[]).p50.is_nan());
    }

    #[test]
    fn formatting() {
        assert_eq!(int(1234567.4), "1 234 567");
        assert_eq!(int(999.0), "999");
        assert_eq!(fms(1.234), "1.23");
        assert_eq!(fms(123.4), "123");
    }
}
