//! Reading a plan document: each seed text, and a 40-page plan made of seed
//! 003 four times over (about 130.000 characters), and that text on one line.
//! Run: `cargo bench -p langnghe-core --bench ingest`
//! Prints characters, p50 / p95 / max (ms) over 30 readings each.

use langnghe_core::ingest::read_plan;
use std::time::Instant;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ingest");
    let mut texts: Vec<(String, String)> = ["000", "001", "002", "003", "own-plan", "own-press"]
        .iter()
        .filter_map(|s| {
            std::fs::read_to_string(dir.join(format!("{s}.txt")))
                .ok()
                .map(|t| (s.to_string(), t))
        })
        .collect();
    if let Some(t) = texts
        .iter()
        .find(|(s, _)| s == "003")
        .map(|(_, t)| t.clone())
    {
        texts.push(("40 pages".into(), t.repeat(4)));
        // The same pasted without line breaks: one line must not make the reading slow.
        texts.push(("one line".into(), t.repeat(4).replace('\n', " ")));
    }
    println!(
        "{:<10} {:>8} {:>8} {:>8} {:>8}",
        "text", "chars", "p50 ms", "p95 ms", "max ms"
    );
    for (name, text) in &texts {
        let mut ms: Vec<f64> = (0..30)
            .map(|_| {
                let t0 = Instant::now();
                let r = read_plan(text);
                std::hint::black_box(&r);
                t0.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{name:<10} {:>8} {:>8.2} {:>8.2} {:>8.2}",
            text.chars().count(),
            ms[ms.len() / 2],
            ms[ms.len() * 95 / 100],
            ms[ms.len() - 1]
        );
    }
}
