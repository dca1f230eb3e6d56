//! `--only dashboard`: the leaders' pictures at scale — the programme dashboard,
//! the province and country overviews and the map — through the real router.
//!
//! 1. A fresh store with the geography and the demo, `--records` registry records
//!    over the real communes (villages, establishments, artisans, products: the map's
//!    points and the overview's counts), and a synthetic programme of Hà Nội as
//!    `--only reporting` builds it: `--indicators` indicators, `--units` reporting
//!    units, annual periods 2026 … 2026 + `--earlier-years`, every report filled and
//!    approved (setup, not measured).
//! 2. Timed through the router in-process (`tower::ServiceExt::oneshot`, an API
//!    token for the JSON, a browser session for the page): each request `--warmup`
//!    times untimed, then `--iterations` times; p50 / p95 / max and the body size.

use crate::reads::{get, Auth};
use crate::reporting::{self, FIRST_YEAR, LAST_YEAR};
use crate::stats::{self, fms, int, Summary};
use crate::{Args, StoreKind};
use anyhow::{anyhow, bail, Context};
use axum::http::StatusCode;
use langnghe_store::audit::Actor;
use langnghe_store::registry::{self, spec::Entity};
use langnghe_store::{seed, users, with_db, Db};
use rand::{rngs::StdRng, SeedableRng};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// One timed request (or query: `bytes` 0).
pub(crate) struct Timing {
    pub what: String,
    pub path: String,
    pub latency: Summary,
    pub bytes: usize,
}

/// The volume and setup sections of a bench report.
pub(crate) fn volume_and_setup(
    o: &mut String,
    volume: &[(String, i64)],
    setup: &[(String, Duration)],
) {
    let _ = writeln!(o, "## Volume\n\n| what | count |\n|---|---:|");
    for (k, v) in volume {
        let _ = writeln!(o, "| {k} | {} |", int(*v as f64));
    }
    let _ = writeln!(o, "\n## Setup (not measured)\n\n| step | s |\n|---|---:|");
    for (k, d) in setup {
        let _ = writeln!(o, "| {k} | {:.1} |", d.as_secs_f64());
    }
}

/// A table of timed requests under `title`.
pub(crate) fn timings_table(o: &mut String, title: &str, timings: &[Timing]) {
    let _ = writeln!(
        o,
        "\n## {title}\n\n| request | n | p50 ms | p95 ms | max ms | body |\n|---|---:|---:|---:|---:|---:|"
    );
    for t in timings {
        let _ = writeln!(
            o,
            "| {} (`{}`) | {} | {} | {} | {} | {} KB |",
            t.what,
            t.path,
            t.latency.n,
            fms(t.latency.p50),
            fms(t.latency.p95),
            fms(t.latency.max),
            int((t.bytes as f64 / 1024.0).round())
        );
    }
}

/// GET `path` through the router once (it must answer 200), `warmup` times
/// untimed, then `iterations` times timed.
pub(crate) async fn time_get(
    router: &axum::Router,
    auth: (Auth, &str),
    what: &str,
    path: &str,
    warmup: usize,
    iterations: usize,
    computed: Option<&langnghe_web::kept::Kept>,
) -> anyhow::Result<Timing> {
    // `computed`: the plans' kept figures are dropped before every request, so
    // each one computes them from the records (as a reader right after a change).
    let drop_kept = || {
        if let Some(k) = computed {
            k.clear();
        }
    };
    drop_kept();
    let (status, body, _) = get(router, auth.1, auth.0, path).await;
    if status != StatusCode::OK {
        bail!("{path}: {status} {body}");
    }
    let bytes = body.len();
    for _ in 0..warmup {
        drop_kept();
        get(router, auth.1, auth.0, path).await;
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        drop_kept();
        let t = Instant::now();
        let (s, _, _) = get(router, auth.1, auth.0, path).await;
        samples.push(stats::ms(t.elapsed()));
        if s != StatusCode::OK {
            bail!("{path}: {s}");
        }
    }
    let latency = stats::summarize(&samples);
    note!(
        "{what}: p50 {} ms, p95 {} ms",
        fms(latency.p50),
        fms(latency.p95)
    );
    Ok(Timing {
        what: what.into(),
        path: path.into(),
        latency,
        bytes,
    })
}

pub struct Report {
    store: StoreKind,
    args: String,
    setup: Vec<(String, Duration)>,
    volume: Vec<(String, i64)>,
    timings: Vec<Timing>,
}

impl Report {
    pub fn finish(&mut self) {}

    pub fn markdown(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# Dashboard, overview and map at scale ({})\n\n`{}`\n",
            self.store.name(),
            self.args
        );
        volume_and_setup(&mut o, &self.volume, &self.setup);
        timings_table(&mut o, "Requests through the router", &self.timings);
        o
    }
}

pub async fn run(db: Db, args: Args) -> anyhow::Result<Report> {
    if args.iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    let last_year = FIRST_YEAR + args.earlier_years as i32;
    if last_year > LAST_YEAR {
        bail!(
            "--earlier-years: at most {} (the programme runs {FIRST_YEAR}-{LAST_YEAR})",
            LAST_YEAR - FIRST_YEAR
        );
    }
    let mut rep = Report {
        store: args.store,
        args: std::env::args().collect::<Vec<_>>().join(" "),
        setup: vec![],
        volume: vec![],
        timings: vec![],
    };
    let actor = Actor::system("bench");
    let t = Instant::now();
    db.migrate().await?;
    seed::ensure_geography(&db).await?;
    langnghe_demo::ensure_demo(&db).await?;
    let password = seed::ensure_admin(&db)
        .await?
        .ok_or_else(|| anyhow!("the store already had an admin"))?;
    rep.setup
        .push(("migrate, geography, demo, admin".into(), t.elapsed()));

    // Registry records over the whole country: the map's points and counts.
    if args.records > 0 {
        let t = Instant::now();
        let communes = crate::load_communes(&db).await?;
        let crafts = crate::load_crafts(&db).await?;
        let mut gen =
            crate::gen::Gen::new(StdRng::seed_from_u64(args.seed), communes.clone(), crafts);
        let mut scratch = crate::Report::new(&args);
        crate::insert_records(&db, &mut gen, &args, &communes, &mut scratch).await?;
        rep.setup.push((
            format!("{} registry records (registry::insert_all)", args.records),
            t.elapsed(),
        ));
    }
    for e in [Entity::Village, Entity::Establishment, Entity::Product] {
        rep.volume.push((
            format!("{} (whole country)", e.table()),
            registry::count(&db, e).await?,
        ));
    }

    // The programme, its units and its periods, as `--only reporting` builds them.
    let t = Instant::now();
    let (lead, city, province) = reporting::hanoi(&db).await?;
    let units = reporting::pick_units(&db, args.units).await?;
    let (committee_ids, _) = reporting::committees(&db, &actor, &units, city).await?;
    let mut vol = reporting::Volume::default();
    let (program_id, inds) = reporting::programme(
        &db,
        &actor,
        &args,
        lead,
        province.id,
        &committee_ids,
        &mut vol,
    )
    .await?;
    let mut reports = 0;
    for year in FIRST_YEAR..=last_year {
        let (_, n, period) = reporting::open_fill_approve(&db, &actor, program_id, year).await?;
        note!("{}: {n} reports", period.label);
        reports += n;
    }
    rep.setup.push((
        format!(
            "programme: {} indicators, {} units, {} periods (open, fill, approve)",
            inds.len(),
            units.len(),
            last_year - FIRST_YEAR + 1
        ),
        t.elapsed(),
    ));
    rep.volume.push(("indicators".into(), inds.len() as i64));
    rep.volume
        .push(("reporting units".into(), units.len() as i64));
    rep.volume
        .push(("periods".into(), i64::from(last_year - FIRST_YEAR + 1)));
    rep.volume
        .push(("reports (all approved)".into(), reports as i64));
    let values: i64 = with_db!(&db, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM report_lines l JOIN reports r ON r.id = l.report_id \
         JOIN report_periods p ON p.id = r.period_id WHERE p.program_id = $1 AND l.value IS NOT NULL"
    )
    .bind(program_id)
    .fetch_one(c)
    .await?
    });
    rep.volume.push(("report values".into(), values));
    let indicator_id = inds
        .first()
        .map(|(id, _)| *id)
        .ok_or_else(|| anyhow!("no indicator"))?;

    if args.store == StoreKind::Postgres && !args.no_analyze {
        let t = Instant::now();
        with_db!(&db, |c| sqlx::query("ANALYZE")
            .execute(c)
            .await?
            .rows_affected());
        rep.setup.push(("ANALYZE".into(), t.elapsed()));
    }

    // Who asks: the admin (whole country), with a token and a browser session.
    let admin = users::by_username(&db, "admin")
        .await?
        .ok_or_else(|| anyhow!("admin"))?;
    let token = users::create_token(&db, &actor, admin.id, "bench").await?;
    let state = langnghe_web::AppState::new(db.clone(), langnghe_web::WebConfig::default())?;
    let router = langnghe_web::app(state.clone());
    let sid = crate::reads::login(&router, "admin", &password)
        .await
        .context("log in")?;
    let (tok, ses) = ((Auth::Token, token.as_str()), (Auth::Session, sid.as_str()));
    let requests: Vec<(&str, String, &(Auth, &str))> = vec![
        (
            "programme dashboard, JSON",
            format!("/api/v1/programs/{program_id}/dashboard"),
            &tok,
        ),
        (
            "programme dashboard, page",
            format!("/programs/{program_id}/dashboard"),
            &ses,
        ),
        ("overview of Hà Nội, JSON", "/api/v1/dashboard?unit=01".into(), &tok),
        ("overview of the country, JSON", "/api/v1/dashboard".into(), &tok),
        ("map: villages per province, GeoJSON", "/api/v1/map?era=new&measure=villages".into(), &tok),
        (
            "map: reporting rate of the programme",
            format!("/api/v1/map?era=new&measure=reporting_rate&program={program_id}"),
            &tok,
        ),
        (
            "map: achievement of an indicator",
            format!("/api/v1/map?era=new&measure=achievement&program={program_id}&indicator={indicator_id}"),
            &tok,
        ),
        ("map: village points of Hà Nội", "/api/v1/map/villages?era=new&province=01".into(), &tok),
        ("map: the page, whole country, 2017 provinces", "/map?era=old".into(), &ses),
    ];
    for (what, path, auth) in requests {
        rep.timings.push(
            time_get(
                &router,
                (auth.0, auth.1),
                what,
                &path,
                args.warmup,
                args.iterations,
                Some(&state.kept),
            )
            .await?,
        );
    }
    Ok(rep)
}
