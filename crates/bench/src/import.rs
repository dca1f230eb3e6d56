//! `--only import`: the spreadsheet import of villages as the web runs it.
//!
//! A fresh store with geography and demo data; a generated CSV file of
//! `--import-rows` villages (100.000 by default) goes through `check_file`
//! (parse, map headers, validate every row) and then the all-or-nothing
//! `insert_all` (one write: the write lock is held from its first statement to
//! its commit). Meanwhile another writer's small write every 0,5 s says how long
//! others wait, and whether any got an error.
//!
//! Reported: rows/s of the whole path (validation + insert) and of the insert
//! alone, how long the write lock was held, the other writers' waits.

use crate::gen::Gen;
use crate::report::ImportRun;
use crate::stats::{self, fms, int};
use crate::Args;
use anyhow::bail;
use langnghe_store::registry::{self, spec::Entity};
use langnghe_store::Db;
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::fmt::Write as _;
use std::time::Instant;

pub struct Report {
    store: &'static str,
    setup_secs: f64,
    run: Option<ImportRun>,
    before: i64,
    after: i64,
}

pub async fn run(db: Db, args: Args) -> anyhow::Result<Report> {
    let t = Instant::now();
    db.migrate().await?;
    langnghe_store::seed::ensure_geography(&db).await?;
    langnghe_demo::ensure_demo(&db).await?;
    let setup_secs = t.elapsed().as_secs_f64();
    let communes = crate::load_communes(&db).await?;
    let crafts = crate::load_crafts(&db).await?;
    let mut gen = Gen::new(StdRng::seed_from_u64(args.seed), communes, crafts);
    let before = registry::count(&db, Entity::Village).await?;
    if args.import_rows == 0 {
        bail!("--import-rows must be at least 1");
    }
    let run = crate::web_import(
        &db,
        &mut gen,
        Entity::Village,
        args.import_rows,
        args.import_budget_secs,
        &[],
        &[],
    )
    .await?;
    let after = registry::count(&db, Entity::Village).await?;
    Ok(Report {
        store: args.store.name(),
        setup_secs,
        run: Some(run),
        before,
        after,
    })
}

impl Report {
    pub fn finish(&mut self) {}

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let Some(r) = &self.run else {
            return s;
        };
        let _ = writeln!(
            s,
            "# Import of villages — {}\n\nA generated CSV of {} village rows ({:.1} MB) through the web import path: `check_file` (parse, headers, every row validated), then one all-or-nothing `insert_all` (multi-row INSERTs; crafts, search entries and one audit row per record in bulk), on a store with geography and demo data (setup {:.1} s).\n",
            self.store,
            int(r.rows as f64),
            r.bytes as f64 / 1e6,
            self.setup_secs
        );
        let whole = r.parse_time.max(r.validate_time) + r.insert_time;
        let _ = writeln!(s, "| measure | value |\n|---|---:|");
        let _ = writeln!(
            s,
            "| parse + validate (`check_file`) | {:.2} s |",
            r.validate_time.as_secs_f64()
        );
        let _ = writeln!(
            s,
            "| insert (`insert_all`) = write lock held | {:.2} s |",
            r.insert_time.as_secs_f64()
        );
        let _ = writeln!(
            s,
            "| **rows/s, whole path (validate + insert)** | **{}** |",
            int(stats::rate(r.rows, r.validate_time + r.insert_time))
        );
        let _ = writeln!(
            s,
            "| rows/s, insert alone | {} |",
            int(stats::rate(r.inserted(), r.insert_time))
        );
        let _ = writeln!(
            s,
            "| committed | {} (villages {} → {}) |",
            if r.finished {
                "yes"
            } else {
                "**no: budget spent, rolled back**"
            },
            int(self.before as f64),
            int(self.after as f64)
        );
        let ok: Vec<f64> = r
            .probes
            .iter()
            .filter_map(|p| p.as_ref().ok().map(|d| stats::ms(*d)))
            .collect();
        let errs: Vec<&String> = r.probes.iter().filter_map(|p| p.as_ref().err()).collect();
        let sum = stats::summarize(&ok);
        let _ = writeln!(
            s,
            "| another writer during the insert (every 0,5 s) | {} answered (p50 {} ms, max {} ms), {} errors |",
            ok.len(),
            fms(sum.p50),
            fms(sum.max),
            errs.len()
        );
        for e in errs.iter().take(5) {
            let _ = writeln!(s, "\n- error: {e}");
        }
        let _ = writeln!(
            s,
            "\nTotal wall time of the import path: {:.2} s.",
            whole.as_secs_f64()
        );
        s
    }
}
