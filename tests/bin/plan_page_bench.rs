//! Time to render the largest plan page (Lào Cai 316/KH-UBND: 19 indicators, 76 tasks,
//! the task matrix, the budget) and the Phụ biểu 01 page, in-process on a fresh store.
//! Prints median and p95 of N requests. Run in release:
//!   cargo run --release -p langnghe-it --bin plan-page-bench -- [sqlite|postgres] [N]

use langnghe_it::{Backend, TestApp};
use std::time::Instant;

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let backend = match args.get(1).map(String::as_str) {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let app = TestApp::spawn(backend).await;
    let mut admin = app.admin().await;
    let list = admin.get("/api/v1/programs?q=316").await.json();
    let id = list["items"][0]["id"].as_i64().unwrap_or(0);
    println!("store: {backend:?}; requests: {n} each (after 5 warm-up)");
    println!("| page | p50 ms | p95 ms | max ms | bytes |");
    println!("|---|---:|---:|---:|---:|");
    for path in [
        format!("/programs/{id}"),
        format!("/programs/{id}/appendix"),
        format!("/api/v1/programs/{id}/indicators"),
    ] {
        let mut times = vec![];
        let mut bytes = 0;
        for i in 0..n + 5 {
            let t = Instant::now();
            let r = admin.get(&path).await;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(r.status, 200, "{path}");
            bytes = r.body.len();
            if i >= 5 {
                times.push(ms);
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "| `{path}` | {:.1} | {:.1} | {:.1} | {bytes} |",
            pct(&times, 0.5),
            pct(&times, 0.95),
            times[times.len() - 1]
        );
    }
}
