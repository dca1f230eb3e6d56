//! How well plans are read: for each seed document, what `ingest::read_plan`
//! proposes against the hand-checked expectation in
//! `tests/ingest/<seed>.expected.json`, as precision and recall per kind.
//!
//! Run with `-- --nocapture` to see the table. Targets and tasks must reach
//! 0,9 precision and 0,9 recall on every seed; the other kinds are reported.

use langnghe_core::ingest::{match_agency, read_plan, AgencyCandidate, PlanReading};
use serde_json::Value;
use std::collections::HashMap;

/// The four seed documents, and two texts written for these tests: a plan in
/// the usual provincial layout and a press release about a plan's results.
const SEEDS: [&str; 6] = ["000", "001", "002", "003", "own-plan", "own-press"];

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ingest")
}

#[derive(Default, Clone, Copy)]
struct Score {
    found: usize,
    expected: usize,
    right: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        if self.found == 0 {
            1.0
        } else {
            self.right as f64 / self.found as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.expected == 0 {
            1.0
        } else {
            self.right as f64 / self.expected as f64
        }
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// Match found items to expected ones, each expected item at most once.
/// With `INGEST_VERBOSE` set, what did not match is printed.
fn score<F: std::fmt::Debug, E: std::fmt::Debug>(
    found: &[F],
    expected: &[E],
    same: impl Fn(&F, &E) -> bool,
) -> Score {
    let mut taken = vec![false; expected.len()];
    let mut right = 0;
    let verbose = std::env::var_os("INGEST_VERBOSE").is_some();
    for f in found {
        if let Some(i) = (0..expected.len()).find(|&i| !taken[i] && same(f, &expected[i])) {
            taken[i] = true;
            right += 1;
        } else if verbose {
            println!("  found, not expected: {f:?}");
        }
    }
    if verbose {
        for (e, t) in expected.iter().zip(&taken) {
            if !t {
                println!("  expected, not found: {e:?}");
            }
        }
    }
    Score {
        found: found.len(),
        expected: expected.len(),
        right,
    }
}

fn arr<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v[k].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn scores(seed: &str, r: &PlanReading, exp: &Value) -> Vec<(&'static str, Score)> {
    let mut out = Vec::new();
    // Targets: same line, value, year, and category when both have one.
    let targets: Vec<_> = r.indicators.iter().flat_map(|i| &i.targets).collect();
    let value_of = |t: &&langnghe_core::ingest::TargetDraft| -> Option<f64> {
        let mut digits: String = t
            .wording
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .find(|s| s.chars().any(|c| c.is_ascii_digit()))
            .unwrap_or("")
            .to_string();
        // "1.5" in a table cell is a decimal written the English way.
        if digits.len() == 3 && digits.as_bytes()[1] == b'.' {
            digits = digits.replace('.', ",");
        }
        langnghe_core::vnfmt::parse_number(&digits).ok()
    };
    out.push((
        "targets",
        score(&targets, arr(exp, "targets"), |t, e| {
            t.source.line as u64 == e["line"].as_u64().unwrap_or(0)
                && value_of(t)
                    .zip(e["value"].as_f64())
                    .is_some_and(|(a, b)| close(a, b))
                && e["year"].as_i64().is_none_or(|y| t.year == Some(y as i32))
                && (e["category"].is_null() || t.category.as_deref() == e["category"].as_str())
        }),
    ));
    let results: Vec<_> = r.indicators.iter().flat_map(|i| &i.results).collect();
    out.push((
        "results",
        score(&results, arr(exp, "results"), |t, e| {
            t.source.line as u64 == e["line"].as_u64().unwrap_or(0)
                && t.value
                    .zip(e["value"].as_f64())
                    .is_some_and(|(a, b)| close(a, b))
        }),
    ));
    out.push((
        "tasks",
        score(&r.tasks, arr(exp, "tasks"), |t, e| {
            t.source.line as u64 == e["line"].as_u64().unwrap_or(0)
        }),
    ));
    // Leads: among tasks whose text names their lead, the lead matched in the registry.
    let candidates: Vec<AgencyCandidate> = arr(exp, "agencies")
        .iter()
        .enumerate()
        .map(|(i, a)| AgencyCandidate {
            id: i as i64,
            name: a["name"].as_str().unwrap_or("").to_string(),
            short_name: a["short_name"].as_str().map(str::to_string),
        })
        .collect();
    let key_of: HashMap<i64, &str> = arr(exp, "agencies")
        .iter()
        .enumerate()
        .map(|(i, a)| (i as i64, a["key"].as_str().unwrap_or("")))
        .collect();
    let led: Vec<&Value> = arr(exp, "tasks")
        .iter()
        .filter(|t| t["lead"].is_string())
        .collect();
    let led_lines: Vec<u64> = led.iter().filter_map(|t| t["line"].as_u64()).collect();
    let found_led: Vec<_> = r
        .tasks
        .iter()
        .filter(|t| t.lead_agency.is_some() && led_lines.contains(&(t.source.line as u64)))
        .collect();
    out.push((
        "task leads",
        score(&found_led, &led, |t, e| {
            t.source.line as u64 == e["line"].as_u64().unwrap_or(0)
                && t.lead_agency
                    .as_deref()
                    .and_then(|n| match_agency(n, &candidates))
                    .and_then(|m| key_of.get(&m.id).copied())
                    == e["lead"].as_str()
        }),
    ));
    out.push((
        "legal basis",
        score(&r.legal_basis, arr(exp, "legal_basis"), |f, e| {
            Some(f.number.as_str()) == e["number"].as_str()
        }),
    ));
    out.push((
        "budget",
        score(&r.budget, arr(exp, "budget"), |f, e| {
            Some(f.amount_dong) == e["amount_dong"].as_i64()
        }),
    ));
    let reporting: Vec<_> = r.reporting.iter().collect();
    out.push((
        "reporting",
        score(&reporting, arr(exp, "reporting"), |f, e| {
            let due: Vec<&str> = arr(e, "due_dates")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            f.due_dates.iter().map(String::as_str).collect::<Vec<_>>() == due
        }),
    ));
    // Places: a village of the registry whose line names a place found there.
    let mut place_lines: Vec<usize> = r.places.iter().map(|p| p.source.line).collect();
    place_lines.dedup();
    out.push((
        "places",
        score(&place_lines, arr(exp, "places"), |l, e| {
            *l as u64 == e["line"].as_u64().unwrap_or(0)
        }),
    ));
    let _ = seed;
    out
}

#[test]
fn seeds_are_read_with_the_measured_quality() {
    let mut failures = Vec::new();
    println!(
        "{:<5} {:<12} {:>6} {:>8} {:>6} {:>9} {:>7}",
        "seed", "kind", "found", "expected", "right", "precision", "recall"
    );
    for seed in SEEDS {
        let text = std::fs::read_to_string(dir().join(format!("{seed}.txt"))).expect("seed text");
        let exp: Value = serde_json::from_str(
            &std::fs::read_to_string(dir().join(format!("{seed}.expected.json")))
                .expect("expected"),
        )
        .expect("expected json");
        let r = read_plan(&text);
        for (kind, s) in scores(seed, &r, &exp) {
            println!(
                "{seed:<5} {kind:<12} {:>6} {:>8} {:>6} {:>9.3} {:>7.3}",
                s.found,
                s.expected,
                s.right,
                s.precision(),
                s.recall()
            );
            if matches!(kind, "targets" | "tasks") && (s.precision() < 0.9 || s.recall() < 0.9) {
                failures.push(format!(
                    "{seed} {kind}: precision {:.3}, recall {:.3}",
                    s.precision(),
                    s.recall()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "below 0,9: {failures:#?}");
}
