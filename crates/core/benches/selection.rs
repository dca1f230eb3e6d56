//! Selection of a support scheme at national scale: 10.000 applications from
//! 700 districts, three contents, a budget that funds about half of them.
//! Run: `cargo bench -p langnghe-core --bench selection`
//! Prints p50 / p95 / max per fair-share rule (ms) and checks the budget.

use langnghe_core::scheme::{
    rank_and_select, selected_total, Application, Content, FairShare, PriorityRule,
};
use std::time::Instant;
use time::{Date, Month};

fn apps(n: usize) -> Vec<Application> {
    // A small deterministic generator (no dependency): xorshift.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let keys = ["dao-tao", "nhan-dien", "chien-luoc"];
    (0..n)
        .map(|i| {
            let r = next();
            let contents: Vec<String> = keys
                .iter()
                .enumerate()
                .filter(|(k, _)| (r >> k) & 1 == 1 || *k == 0)
                .map(|(_, c)| c.to_string())
                .collect();
            let years: Vec<i32> = [2014, 2015, 2016]
                .iter()
                .copied()
                .filter(|y| (r >> (8 + (*y as u64 - 2014))) & 1 == 1)
                .collect();
            let day = 1 + (r >> 20) % 28;
            Application {
                id: i as i64 + 1,
                applicant: format!("Làng nghề {i}"),
                district: format!("district-{:03}", (r >> 32) % 700),
                contents,
                registered_on: Date::from_calendar_date(2017, Month::May, day as u8)
                    .unwrap_or(Date::MIN),
                earlier_years: years,
                eligible: (r >> 40) % 10 != 0,
            }
        })
        .collect()
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let contents = vec![
        Content {
            key: "dao-tao".into(),
            name: "Tập huấn".into(),
            unit_cost_dong: 60_000_000,
        },
        Content {
            key: "nhan-dien".into(),
            name: "Nhận diện".into(),
            unit_cost_dong: 120_000_000,
        },
        Content {
            key: "chien-luoc".into(),
            name: "Chiến lược".into(),
            unit_cost_dong: 100_000_000,
        },
    ];
    let rules = vec![
        PriorityRule::RegisteredIn {
            years: vec![2014, 2015, 2016],
        },
        PriorityRule::AllContents,
        PriorityRule::EarlierRegistration,
    ];
    let input = apps(10_000);
    let budget = 1_000_000_000_000; // about half of the requests
    let iters = 30;
    println!(
        "selection of {} applications, {} districts, budget {} đồng, {iters} runs each",
        input.len(),
        700,
        budget
    );
    for (name, fair) in [
        ("none", FairShare::None),
        ("round_robin", FairShare::RoundRobin),
        ("cap 5", FairShare::CapPerDistrict { max: 5 }),
    ] {
        let mut times = vec![];
        let mut selected = 0;
        for _ in 0..iters {
            let t = Instant::now();
            let out = rank_and_select(&contents, &rules, fair, budget, &input);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(selected_total(&out) <= budget, "over budget");
            selected = out.iter().filter(|s| s.selected).count();
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let (p50, p95, max) = (pct(&times, 0.5), pct(&times, 0.95), times[times.len() - 1]);
        println!("{name:>12}: p50 {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms (p95/p50 {:.2}); {selected} selected", p95 / p50);
    }
}
