//! `--only paging`: deep pages of a national village list.
//!
//! A fresh store with geography and demo data, then `--records` villages
//! (600.000 by default for this bench) inserted through `registry::insert_all`.
//! Timed, as the API runs them (`registry::list_page`: the page and its total),
//! over the whole country sorted by name, 50 rows a page:
//! the first page, page 10.000 by `offset`, page 10.000 by cursor and the last
//! page by cursor (`after` = the row before it).

use crate::gen::Gen;
use crate::stats::{self, fms, int, Summary};
use crate::Args;
use anyhow::bail;
use langnghe_store::audit::Actor;
use langnghe_store::cursor::Cursor;
use langnghe_store::geo::COUNTRY_ID;
use langnghe_store::registry::{self, spec::Entity, ListQuery, Values};
use langnghe_store::{with_db, Db};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::Value;
use std::fmt::Write as _;
use std::time::Instant;

const PAGE: i64 = 50;

pub struct Report {
    store: &'static str,
    villages: i64,
    insert_secs: f64,
    rows: Vec<(String, Summary)>,
}

/// The query of one page of all villages by name.
fn query(offset: i64, after: Option<Cursor>) -> ListQuery {
    let mut q = ListQuery::new(Entity::Village, COUNTRY_ID);
    q.sort = "name";
    q.limit = PAGE;
    q.offset = offset;
    q.after = after;
    q
}

/// The cursor that starts the page at `offset` (the row before it).
async fn cursor_at(db: &Db, offset: i64) -> anyhow::Result<Cursor> {
    let mut q = query(offset - 1, None);
    q.limit = 1;
    let (items, _) = registry::list(db, &q).await?;
    let Some(row) = items.first() else {
        bail!("no row at offset {}", offset - 1);
    };
    Ok(Cursor {
        sort: "name".into(),
        value: row.get("name").cloned().unwrap_or(Value::Null),
        id: row.get("id").and_then(Value::as_i64).unwrap_or(0),
    })
}

async fn time(db: &Db, q: &ListQuery, n: usize) -> anyhow::Result<(Summary, Vec<i64>)> {
    let mut samples = vec![];
    let mut ids = vec![];
    registry::list_page(db, q).await?; // warm
    for _ in 0..n {
        let t = Instant::now();
        let (items, _, _) = registry::list_page(db, q).await?;
        samples.push(stats::ms(t.elapsed()));
        ids = items
            .iter()
            .filter_map(|r| r.get("id").and_then(Value::as_i64))
            .collect();
    }
    Ok((stats::summarize(&samples), ids))
}

pub async fn run(db: Db, args: Args) -> anyhow::Result<Report> {
    db.migrate().await?;
    langnghe_store::seed::ensure_geography(&db).await?;
    langnghe_demo::ensure_demo(&db).await?;
    let communes = crate::load_communes(&db).await?;
    let crafts = crate::load_crafts(&db).await?;
    let mut gen = Gen::new(StdRng::seed_from_u64(args.seed), communes, crafts);
    let actor = Actor::system("bench (paging)");
    let t = Instant::now();
    let mut done = 0;
    while done < args.records {
        let size = (args.records - done).min(50_000);
        let rows: Vec<Values> = (0..size).map(|_| gen.village().values()).collect();
        registry::insert_all(&db, &actor, Entity::Village, &rows, |_| {}).await?;
        done += size;
        note!("paging: {done}/{} villages", args.records);
    }
    let insert_secs = t.elapsed().as_secs_f64();
    if matches!(db.backend(), langnghe_store::Backend::Postgres) {
        with_db!(&db, |c| sqlx::query("ANALYZE")
            .execute(c)
            .await?
            .rows_affected());
    }
    let total = registry::count(&db, Entity::Village).await?;
    let deep = 9_999 * PAGE;
    if total <= deep + PAGE {
        bail!(
            "{total} villages: page 10.000 needs more than {}",
            deep + PAGE
        );
    }
    let n = args.iterations.max(5);
    let mut rows = vec![];
    let (first, _) = time(&db, &query(0, None), n).await?;
    rows.push(("first page".to_string(), first));
    let (by_offset, ids_offset) = time(&db, &query(deep, None), n.min(10)).await?;
    rows.push(("page 10.000 by offset".to_string(), by_offset));
    let (by_cursor, ids_cursor) =
        time(&db, &query(0, Some(cursor_at(&db, deep).await?)), n).await?;
    if ids_cursor != ids_offset {
        bail!("page 10.000: the cursor and the offset give different rows");
    }
    rows.push(("page 10.000 by cursor".to_string(), by_cursor));
    let last_start = (total - 1) / PAGE * PAGE;
    let (last, ids_last) = time(&db, &query(0, Some(cursor_at(&db, last_start).await?)), n).await?;
    if ids_last.len() as i64 != total - last_start {
        bail!(
            "the last page has {} rows, not {}",
            ids_last.len(),
            total - last_start
        );
    }
    rows.push((
        format!(
            "last page (page {}) by cursor",
            int((last_start / PAGE + 1) as f64)
        ),
        last,
    ));
    Ok(Report {
        store: args.store.name(),
        villages: total,
        insert_secs,
        rows,
    })
}

impl Report {
    pub fn finish(&mut self) {}

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Deep pages — {}\n\n{} villages (inserted in {:.1} s through `insert_all`); all of them, sorted by name, {PAGE} a page, as `GET /api/v1/villages` reads them (`registry::list_page`: the page and the total count).\n",
            self.store,
            int(self.villages as f64),
            self.insert_secs
        );
        let _ = writeln!(
            s,
            "| page | runs | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|"
        );
        for (name, sum) in &self.rows {
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {} | {} |",
                sum.n,
                fms(sum.p50),
                fms(sum.p95),
                fms(sum.max)
            );
        }
        s
    }
}
