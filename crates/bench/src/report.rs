//! What a run measured, and its Markdown report.

use crate::stats::{fms, int, rate, summarize};
use crate::{Args, StoreKind};
use langnghe_store::registry::spec::Entity;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

pub struct EntityInsert {
    pub entity: Entity,
    pub rows: usize,
    /// Time inside `insert_all` only (generation excluded).
    pub time: Duration,
    pub batch_rates: Vec<f64>,
}

pub struct ImportRun {
    pub entity: Entity,
    pub rows: usize,
    pub bytes: usize,
    pub parse_time: Duration,
    pub validate_time: Duration,
    /// Time spent in the insert (up to the budget when it did not finish).
    pub insert_time: Duration,
    /// Whether the insert committed within its budget (else it was rolled back).
    pub finished: bool,
    pub budget: Duration,
    /// (rows inserted, time since the start of the insert), every 1 000 rows.
    pub points: Vec<(usize, Duration)>,
    /// A small write by someone else during the insert, every 0.5 s: its latency or error.
    pub probes: Vec<Result<Duration, String>>,
}

impl ImportRun {
    /// Rows the insert reached (all of them when it finished).
    pub fn inserted(&self) -> usize {
        if self.finished {
            self.rows
        } else {
            self.points.last().map(|p| p.0).unwrap_or(0)
        }
    }
}

pub struct SearchSample {
    /// Index into `Report::queries`.
    pub query: usize,
    pub ms: f64,
    /// Matches counted by the search (all pages).
    pub total: i64,
    pub returned: usize,
}

pub struct Report {
    pub store: StoreKind,
    /// `/proc/loadavg` at the start and the end (the machine is shared).
    pub load: (String, String),
    pub command: String,
    pub records: usize,
    pub batch: usize,
    pub seed: u64,
    pub started: time::OffsetDateTime,
    pub communes: usize,
    pub setup: Vec<(String, Duration)>,
    pub inserts: Vec<EntityInsert>,
    /// Each insert_all call: (records inserted before it, entity, rows, time).
    pub curve: Vec<(usize, Entity, usize, Duration)>,
    /// The insert budget stopped the run: (records inserted, budget).
    pub insert_stopped: Option<(usize, Duration)>,
    pub counts: Vec<(Entity, i64)>,
    pub queries: Vec<String>,
    /// (scope index, scope name, samples).
    pub search: Vec<(usize, String, Vec<SearchSample>)>,
    /// (q, ms with limit 1, ms with limit 20), whole country.
    pub page_cost: Vec<(String, Vec<f64>, Vec<f64>)>,
    /// (province, q, ms, total, returned).
    pub lists: Vec<(String, String, f64, i64, usize)>,
    pub import: Option<ImportRun>,
}

impl Report {
    pub fn new(args: &Args) -> Report {
        Report {
            store: args.store,
            load: (loadavg(), String::new()),
            command: std::env::args().collect::<Vec<_>>().join(" "),
            records: args.records,
            batch: args.batch,
            seed: args.seed,
            started: time::OffsetDateTime::now_utc(),
            communes: 0,
            setup: vec![],
            inserts: vec![],
            curve: vec![],
            insert_stopped: None,
            counts: vec![],
            queries: vec![],
            search: vec![],
            page_cost: vec![],
            lists: vec![],
            import: None,
        }
    }

    pub fn finish(&mut self) {
        self.load.1 = loadavg();
    }

    fn insert_total(&self) -> (usize, Duration) {
        self.inserts
            .iter()
            .fold((0, Duration::ZERO), |(n, d), i| (n + i.rows, d + i.time))
    }

    pub fn markdown(&self) -> String {
        let mut o = String::new();
        let store = self.store.name();
        let _ = writeln!(o, "# Registry benchmark: {store}\n");
        let _ = writeln!(o, "- command: `{}`", self.command);
        let _ = writeln!(
            o,
            "- started: {} UTC; seed {}; {} logical CPUs; release build: {}",
            self.started
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            self.seed,
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(0),
            !cfg!(debug_assertions)
        );
        let _ = writeln!(
            o,
            "- {} records generated over {} old-structure communes; `insert_all` batches of {} rows (one transaction each)",
            int(self.records as f64),
            int(self.communes as f64),
            int(self.batch as f64)
        );
        let _ = writeln!(
            o,
            "- machine shared and noisy (load average at start `{}`, at end `{}`): medians and percentiles, never single timings\n",
            self.load.0, self.load.1
        );

        // Summary.
        let (rows, time) = self.insert_total();
        let all: Vec<f64> = self
            .search
            .iter()
            .flat_map(|(_, _, s)| s.iter().map(|x| x.ms))
            .collect();
        let s = summarize(&all);
        let l = summarize(&self.lists.iter().map(|x| x.2).collect::<Vec<_>>());
        let (iv, ii, it) = match &self.import {
            Some(im) if im.finished => (
                int(rate(im.rows, im.validate_time)),
                int(rate(im.rows, im.insert_time)),
                int(rate(im.rows, im.validate_time + im.insert_time)),
            ),
            Some(im) => (
                int(rate(im.rows, im.validate_time)),
                format!(
                    "{} (unfinished: {} of {} rows in {} s)",
                    int(rate(im.inserted(), im.insert_time)),
                    int(im.inserted() as f64),
                    int(im.rows as f64),
                    im.budget.as_secs()
                ),
                "unfinished".into(),
            ),
            None => ("–".into(), "–".into(), "–".into()),
        };
        let _ = writeln!(o, "## Summary\n");
        let _ = writeln!(
            o,
            "| store | records | insert rows/s | import validate rows/s | import insert rows/s | import total rows/s | search p50 ms | search p95 ms | search p99 ms | list p50 ms | list p95 ms |"
        );
        let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let _ = writeln!(
            o,
            "| {store} | {} | {} | {iv} | {ii} | {it} | {} | {} | {} | {} | {} |\n",
            int(rows as f64),
            int(rate(rows, time)),
            fms(s.p50),
            fms(s.p95),
            fms(s.p99),
            fms(l.p50),
            fms(l.p95)
        );
        if let Some((done, budget)) = self.insert_stopped {
            let _ = writeln!(
                o,
                "**The insert did not reach the {} records asked for: it stopped at {} records when its time budget of {} s was spent** (`--insert-budget-secs 0` inserts all; the search, list and import figures are for this smaller store).\n",
                int(self.records as f64),
                int(done as f64),
                budget.as_secs()
            );
        }
        if let Some(im) = self.import.as_ref().filter(|im| !im.finished) {
            let _ = writeln!(
                o,
                "**The import insert did not finish within its budget of {} s** (`--import-budget-secs 0` waits for it): {} of {} rows were inserted, then the transaction was rolled back; its rows/s is the rate reached until then.\n",
                im.budget.as_secs(),
                int(im.inserted() as f64),
                int(im.rows as f64)
            );
        }
        let _ = writeln!(
            o,
            "Search percentiles pool both scopes (whole country and one province); see below for each.\n"
        );

        let _ = writeln!(o, "## Setup\n\n| step | seconds |\n|---|---:|");
        for (name, d) in &self.setup {
            let _ = writeln!(o, "| {name} | {:.2} |", d.as_secs_f64());
        }

        let _ = writeln!(
            o,
            "\n## Insert: `registry::insert_all` ({} rows per call)\n",
            int(self.batch as f64)
        );
        let _ = writeln!(
            o,
            "| entity | rows | seconds | rows/s | batch rows/s p5 | p50 | p95 |\n|---|---:|---:|---:|---:|---:|---:|"
        );
        for i in &self.inserts {
            let b = summarize(&i.batch_rates);
            let _ = writeln!(
                o,
                "| {} | {} | {:.1} | {} | {} | {} | {} |",
                i.entity.kind(),
                int(i.rows as f64),
                i.time.as_secs_f64(),
                int(rate(i.rows, i.time)),
                int(b.p5),
                int(b.p50),
                int(b.p95)
            );
        }
        let all_batches: Vec<f64> = self
            .inserts
            .iter()
            .flat_map(|i| i.batch_rates.iter().copied())
            .collect();
        let b = summarize(&all_batches);
        let _ = writeln!(
            o,
            "| **all** | {} | {:.1} | **{}** | {} | {} | {} |",
            int(rows as f64),
            time.as_secs_f64(),
            int(rate(rows, time)),
            int(b.p5),
            int(b.p50),
            int(b.p95)
        );
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(e, n)| format!("{} {}", e.kind(), int(*n as f64)))
            .collect();
        let _ = writeln!(
            o,
            "\nRows in the store afterwards (with the demo data): {}.",
            counts.join(", ")
        );

        let _ = writeln!(
            o,
            "\n### Insert rate as the store grows (each `insert_all` call)\n\n| records before | entity | rows | seconds | rows/s |\n|---:|---|---:|---:|---:|"
        );
        for (before, e, n, d) in &self.curve {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {:.1} | {} |",
                int(*before as f64),
                e.kind(),
                int(*n as f64),
                d.as_secs_f64(),
                int(rate(*n, *d))
            );
        }

        if let Some(im) = &self.import {
            let _ = writeln!(
                o,
                "\n## Web import path: {} rows of {} from a {:.1} MB CSV\n",
                int(im.rows as f64),
                im.entity.kind(),
                im.bytes as f64 / 1_000_000.0
            );
            let _ = writeln!(o, "| step | seconds | rows/s |\n|---|---:|---:|");
            let _ = writeln!(
                o,
                "| parse only (`langnghe_reports::read_table`, also inside check_file) | {:.2} | {} |",
                im.parse_time.as_secs_f64(),
                int(rate(im.rows, im.parse_time))
            );
            let _ = writeln!(
                o,
                "| validate (`import::check_file`: parse + validate every row) | {:.2} | {} |",
                im.validate_time.as_secs_f64(),
                int(rate(im.rows, im.validate_time))
            );
            let inserted = im.inserted();
            let _ = writeln!(
                o,
                "| insert (`registry::insert_all`, one transaction, as the import job){} | {:.2} | {} |",
                if im.finished { String::new() } else { format!(" **unfinished: {} of {} rows when the {} s budget ran out; rolled back**", int(inserted as f64), int(im.rows as f64), im.budget.as_secs()) },
                im.insert_time.as_secs_f64(),
                int(rate(inserted, im.insert_time))
            );
            if im.finished {
                let total = im.validate_time + im.insert_time;
                let _ = writeln!(
                    o,
                    "| **total** | {:.2} | **{}** |",
                    total.as_secs_f64(),
                    int(rate(im.rows, total))
                );
            }
            let ok: Vec<f64> = im
                .probes
                .iter()
                .filter_map(|p| p.as_ref().ok())
                .map(|d| d.as_secs_f64() * 1000.0)
                .collect();
            let failed: Vec<&String> = im.probes.iter().filter_map(|p| p.as_ref().err()).collect();
            let ps = summarize(&ok);
            let _ = writeln!(
                o,
                "\nMeanwhile another session wrote one small row (`meta::set` in its own transaction) every 0.5 s: {} attempts, {} succeeded (p50 {} ms, p95 {} ms, max {} ms), {} failed{}.",
                im.probes.len(),
                ok.len(),
                fms(ps.p50),
                fms(ps.p95),
                fms(ps.max),
                failed.len(),
                failed.first().map(|e| format!(" (first: `{e}`)")).unwrap_or_default()
            );
            let _ = writeln!(
                o,
                "\nInsert progress (rate over each step):\n\n| rows | seconds | rows/s in the step |\n|---:|---:|---:|"
            );
            let step = ((im.rows / 10) / 1000).max(1) * 1000;
            let last = im.points.last().map(|p| p.0).unwrap_or(0);
            let mut prev = (0usize, Duration::ZERO);
            for &(n, d) in im
                .points
                .iter()
                .filter(|(n, _)| n % step == 0 || *n == last)
            {
                let _ = writeln!(
                    o,
                    "| {} | {:.1} | {} |",
                    int(n as f64),
                    d.as_secs_f64(),
                    int(rate(n - prev.0, d.saturating_sub(prev.1)))
                );
                prev = (n, d);
            }
            let _ = writeln!(o, "\nThe import runs after the search and list timings, so they see exactly the records above.");
        }

        let _ = writeln!(
            o,
            "\n## Search: `registry::search::search(db, scope, q, all kinds, 20, 0)`\n"
        );
        let _ = writeln!(o, "| scope | n | p50 ms | p95 ms | p99 ms | max ms | mean ms |\n|---|---:|---:|---:|---:|---:|---:|");
        for (_, name, samples) in &self.search {
            let s = summarize(&samples.iter().map(|x| x.ms).collect::<Vec<_>>());
            let _ = writeln!(
                o,
                "| {name} | {} | {} | {} | {} | {} | {} |",
                s.n,
                fms(s.p50),
                fms(s.p95),
                fms(s.p99),
                fms(s.max),
                fms(s.mean)
            );
        }
        let names: Vec<&str> = self.search.iter().map(|(_, n, _)| n.as_str()).collect();
        let _ = write!(
            o,
            "\nPer query (hits = matches counted; p50 of its timed runs):\n\n| q |"
        );
        for n in &names {
            let _ = write!(o, " hits: {n} | p50 ms | max ms |");
        }
        let _ = write!(o, "\n|---|");
        for _ in &names {
            let _ = write!(o, "---:|---:|---:|");
        }
        let _ = writeln!(o);
        for (qi, q) in self.queries.iter().enumerate() {
            let _ = write!(o, "| {q} |");
            for (_, _, samples) in &self.search {
                let mine: Vec<&SearchSample> = samples.iter().filter(|x| x.query == qi).collect();
                let s = summarize(&mine.iter().map(|x| x.ms).collect::<Vec<_>>());
                let hits = mine
                    .first()
                    .map(|x| int(x.total as f64))
                    .unwrap_or_else(|| "–".into());
                let _ = write!(o, " {hits} | {} | {} |", fms(s.p50), fms(s.max));
            }
            let _ = writeln!(o);
        }
        let short = self
            .search
            .iter()
            .flat_map(|(_, _, s)| s.iter())
            .filter(|x| x.total > 0 && x.returned == 0)
            .count();
        if short > 0 {
            let _ = writeln!(o, "\n{short} searches counted hits but returned none.");
        }

        if !self.page_cost.is_empty() {
            let _ = writeln!(
                o,
                "\nPage size (whole country, 30 interleaved runs each): every hit's name is read by a query of its own.\n\n| q | p50 ms, limit 1 | p50 ms, limit 20 | ms per extra hit |\n|---|---:|---:|---:|"
            );
            for (q, one, twenty) in &self.page_cost {
                let (a, b) = (summarize(one).p50, summarize(twenty).p50);
                let _ = writeln!(
                    o,
                    "| {q} | {} | {} | {:.3} |",
                    fms(a),
                    fms(b),
                    (b - a) / 19.0
                );
            }
        }
        let _ = writeln!(
            o,
            "\n## Lists: `registry::list` of villages within a province with q (limit 50, sorted by name)\n"
        );
        let _ = writeln!(
            o,
            "| n | p50 ms | p95 ms | p99 ms | max ms |\n|---:|---:|---:|---:|---:|"
        );
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            l.n,
            fms(l.p50),
            fms(l.p95),
            fms(l.p99),
            fms(l.max)
        );
        let mut by: BTreeMap<(String, String), (Vec<f64>, i64)> = BTreeMap::new();
        for (p, q, ms, total, _) in &self.lists {
            let e = by.entry((p.clone(), q.clone())).or_insert((vec![], *total));
            e.0.push(*ms);
        }
        let _ = writeln!(
            o,
            "\n| province | q | matches | p50 ms | max ms |\n|---|---|---:|---:|---:|"
        );
        for ((p, q), (ms, total)) in &by {
            let s = summarize(ms);
            let _ = writeln!(
                o,
                "| {p} | {q} | {} | {} | {} |",
                int(*total as f64),
                fms(s.p50),
                fms(s.max)
            );
        }
        o
    }
}

/// The load averages of the machine, as `/proc/loadavg` gives them (empty elsewhere).
pub(crate) fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
