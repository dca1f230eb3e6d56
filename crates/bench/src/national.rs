//! `--only national`: the country as the product would hold it, and the live
//! figures over it.
//!
//! 1. A fresh store with the geography, the demo and the admin; then a national
//!    programme and, under it (`parent_id`), one plan per province of today, each
//!    with the same 40 indicator codes (most counts split into two categories:
//!    about 75 lines a report) and targets for 2025 and 2030.
//! 2. Reporting units: five departments per province (fewer with
//!    `--departments`), and the people's committee of every commune and
//!    district of the era: pre-2025 communes and districts
//!    report the periods up to the first half of 2025, today's communes the
//!    periods after. Six-monthly and annual periods 2021-2030, every report
//!    approved (locked up to 2024) with a value on every line. `--values N`
//!    (default 10 million) is met by reporting every unit of the measured
//!    province (`--province`, or `--province-values` of it) and a deterministic
//!    share of the other provinces' units (by `--seed`).
//! 3. Bulk load: PostgreSQL `COPY`, SQLite prepared multi-row inserts in large
//!    transactions; then `period_totals` of every period through the same
//!    function the approvals call.
//! 4. Timed through the router (API token): one province's consolidation of a
//!    period, the national programme by province over every period, the province
//!    plan's dashboard and maps; and in SQL the same aggregates computed from the
//!    lines, next to DuckDB over an export of the same rows (`scripts/duckdb-bench`).
//! 5. Peak and current memory (RSS) of the process at each step.

use crate::dashboard::{time_get, timings_table, volume_and_setup, Timing};
use crate::reads::Auth;
use crate::reporting::{form_json, TEMPLATES};
use crate::stats::{self, fms, int};
use crate::{Args, StoreKind};
use anyhow::{anyhow, bail, Context};
use langnghe_core::report::{standard_period, DeadlineRules, PeriodKind};
use langnghe_core::text::fold_vi;
use langnghe_store::audit::Actor;
use langnghe_store::programs::{self, NewIndicator, NewProgram, NewTarget};
use langnghe_store::reporting as rstore;
use langnghe_store::{geo, seed, users, with_db, Db};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};
use time::macros::date;
use time::{Date, OffsetDateTime};

/// The years of the national programme's periods.
const FIRST: i32 = 2021;
const LAST: i32 = 2030;
/// Periods ending before this day were reported by the units of before the 2025 reform.
const REFORM: Date = date!(2025 - 07 - 01);
/// Indicators of every plan.
const INDICATORS: usize = 40;
/// Departments of each province that report every period.
const DEPARTMENTS: &[(&str, &str)] = &[
    ("ct", "Sở Công Thương"),
    ("nnmt", "Sở Nông nghiệp và Môi trường"),
    ("vhttdl", "Sở Văn hóa, Thể thao và Du lịch"),
    ("tc", "Sở Tài chính"),
    ("khcn", "Sở Khoa học và Công nghệ"),
];

pub struct Report {
    store: StoreKind,
    args: String,
    setup: Vec<(String, Duration)>,
    volume: Vec<(String, i64)>,
    timings: Vec<Timing>,
    /// (query, SQL from the lines p50, the product's route p50, DuckDB p50).
    duckdb: Vec<(String, f64, f64, f64)>,
    memory: Vec<(String, u64, u64)>,
}

impl Report {
    pub fn finish(&mut self) {}

    pub fn markdown(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# The country at scale ({})\n\n`{}`\n",
            self.store.name(),
            self.args
        );
        volume_and_setup(&mut o, &self.volume, &self.setup);
        timings_table(&mut o, "Live figures", &self.timings);
        if !self.duckdb.is_empty() {
            let _ = writeln!(
                o,
                "\n## The same aggregates in DuckDB (same rows, exported)\n\n| query | {s} SQL from the lines p50 ms | the product's route (HTTP, kept totals) p50 ms | DuckDB p50 ms | SQL / DuckDB | route / DuckDB |\n|---|---:|---:|---:|---:|---:|",
                s = self.store.name()
            );
            for (q, ours, route, duck) in &self.duckdb {
                let _ = writeln!(
                    o,
                    "| {q} | {} | {} | {} | {:.2} | {:.2} |",
                    fms(*ours),
                    fms(*route),
                    fms(*duck),
                    ours / duck.max(1e-6),
                    route / duck.max(1e-6)
                );
            }
        }
        let _ = writeln!(
            o,
            "\n## Memory of the process\n\n| after | RSS MB | peak RSS MB |\n|---|---:|---:|"
        );
        for (k, rss, peak) in &self.memory {
            let _ = writeln!(o, "| {k} | {} | {} |", rss / 1024, peak / 1024);
        }
        o
    }

    fn memory(&mut self, after: &str) {
        let (rss, peak) = rss_kb();
        self.memory.push((after.into(), rss, peak));
    }
}

/// (current, peak) resident set of this process in KB, from /proc (0 elsewhere).
pub fn rss_kb() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A unit that reports: its people's committee (or department) and its place.
#[derive(Clone)]
struct Reporter {
    agency_id: i64,
    unit_id: i64,
}

/// One province of today with the units that report to its plan.
struct Province {
    id: i64,
    code: String,
    name: String,
    old: Vec<(i64, String)>,
    new: Vec<(i64, String)>,
}

/// The plan's indicators: (code, name, unit, aggregation, categories).
fn indicator_shapes() -> Vec<(String, String, &'static str, &'static str, Vec<String>)> {
    (0..INDICATORS)
        .map(|i| {
            let (name, unit, aggregation, _, cats) = TEMPLATES[i % TEMPLATES.len()];
            let round = i / TEMPLATES.len();
            let name = if round == 0 {
                name.to_string()
            } else {
                format!("{name} (nhóm {})", round + 1)
            };
            let cats: Vec<String> = if !cats.is_empty() && round == 0 {
                cats.iter().map(|c| c.to_string()).collect()
            } else if i % 5 < 3 && unit != "%" {
                vec!["Nông thôn".into(), "Đô thị".into()]
            } else {
                vec![]
            };
            (format!("CT.{:02}", i + 1), name, unit, aggregation, cats)
        })
        .collect()
}

/// Whether a unit reports, deterministically: its share `f` of the units.
fn chosen(seed: u64, unit_id: i64, f: f64) -> bool {
    if f >= 1.0 {
        return true;
    }
    let mut h = seed ^ (unit_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h % 1_000_000) as f64 / 1_000_000.0 < f
}

async fn provinces(db: &Db) -> anyhow::Result<Vec<Province>> {
    let rows: Vec<(i64, String, String)> = with_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, code, name FROM admin_units WHERE level = 'province' AND era = 'new' ORDER BY code"
    )
    .fetch_all(c)
    .await?
    });
    let mut out = vec![];
    for (id, code, name) in rows {
        let old: Vec<(i64, String)> = with_db!(db, |c| {
            sqlx::query_as(
            "SELECT u.id, u.name FROM admin_unit_cover c JOIN admin_units u ON u.id = c.unit_id \
             WHERE c.scope_id = $1 AND u.era = 'old' AND u.level IN ('commune', 'district') ORDER BY u.code, u.id"
        )
        .bind(id)
        .fetch_all(c)
        .await?
        });
        let new: Vec<(i64, String)> = with_db!(db, |c| {
            sqlx::query_as(
            "SELECT id, name FROM admin_units WHERE parent_id = $1 AND level = 'commune' ORDER BY code, id"
        )
        .bind(id)
        .fetch_all(c)
        .await?
        });
        out.push(Province {
            id,
            code,
            name,
            old,
            new,
        });
    }
    Ok(out)
}

/// The periods of the programme: (kind, year, standard period), oldest first.
fn periods() -> Vec<(PeriodKind, i32, langnghe_core::report::Period)> {
    let rules = DeadlineRules::default();
    let mut out = vec![];
    for y in FIRST..=LAST {
        for k in [PeriodKind::FirstHalf, PeriodKind::Annual] {
            out.push((k, y, standard_period(k, y, &rules)));
        }
    }
    out
}

pub async fn run(db: Db, args: Args) -> anyhow::Result<Report> {
    let mut rep = Report {
        store: args.store,
        args: std::env::args().collect::<Vec<_>>().join(" "),
        setup: vec![],
        volume: vec![],
        timings: vec![],
        duckdb: vec![],
        memory: vec![],
    };
    let actor = Actor::system("bench");
    let t = Instant::now();
    db.migrate().await?;
    seed::ensure_geography(&db).await?;
    langnghe_demo::ensure_demo(&db).await?;
    seed::ensure_admin(&db)
        .await?
        .ok_or_else(|| anyhow!("the store already had an admin"))?;
    rep.setup
        .push(("migrate, geography, demo, admin".into(), t.elapsed()));
    rep.memory("the demo");

    // The shape and how many units report.
    let t = Instant::now();
    let provs = provinces(&db).await?;
    let shapes = indicator_shapes();
    let lines_per_report: usize = shapes.iter().map(|s| 1 + s.4.len()).sum();
    let all_periods = periods();
    let old_periods = all_periods
        .iter()
        .filter(|(_, _, p)| p.data_to < REFORM)
        .count();
    let new_periods = all_periods.len() - old_periods;
    let lpr = lines_per_report as f64;
    let departments = &DEPARTMENTS[..usize::from(args.departments).clamp(1, DEPARTMENTS.len())];
    let fixed = (provs.len() * departments.len() * all_periods.len()) as f64 * lpr;
    let units_values =
        |p: &Province| (p.old.len() * old_periods + p.new.len() * new_periods) as f64 * lpr;
    let measured = provs
        .iter()
        .position(|p| p.code == args.province)
        .ok_or_else(|| {
            anyhow!(
                "--province {}: no province of today has that code",
                args.province
            )
        })?;
    let measured_full = units_values(&provs[measured]);
    let f_measured = match args.province_values {
        Some(m) => ((m as f64 - (departments.len() * all_periods.len()) as f64 * lpr)
            / measured_full)
            .clamp(0.0, 1.0),
        None => 1.0,
    };
    let others: f64 = provs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != measured)
        .map(|(_, p)| units_values(p))
        .sum();
    let wanted = args.values as f64;
    let f_others = (wanted - fixed - f_measured * measured_full) / others;
    if f_others > 1.0 {
        bail!(
            "--values {}: this shape holds at most {} values ({lines_per_report} lines a report, every unit of every province)",
            args.values,
            int(fixed + measured_full + others)
        );
    }
    let f_others = f_others.max(0.0);
    note!(
        "{} provinces, {lines_per_report} lines a report; {} reports its units at {:.3}, the others at {:.4}",
        provs.len(),
        provs[measured].name,
        f_measured,
        f_others
    );

    // Agencies: five departments a province and one committee per chosen unit.
    let now = OffsetDateTime::now_utc();
    let mut agencies: Vec<AgencyRow> = vec![];
    let mut next_agency = max_id(&db, "agencies").await? + 1;
    struct Plan {
        province: usize,
        departments: Vec<Reporter>,
        old: Vec<Reporter>,
        new: Vec<Reporter>,
    }
    let mut plans = vec![];
    for (pi, p) in provs.iter().enumerate() {
        let f = if pi == measured { f_measured } else { f_others };
        let mut add = |key: String, name: String, kind: &'static str, unit: i64| {
            let id = next_agency;
            next_agency += 1;
            agencies.push(AgencyRow {
                id,
                key,
                folded: fold_vi(&name),
                name,
                kind,
                unit,
            });
            Reporter {
                agency_id: id,
                unit_id: unit,
            }
        };
        let departments = departments
            .iter()
            .map(|(k, n)| {
                add(
                    format!("nat-{}-so-{k}", p.code),
                    format!("{n} {}", p.name),
                    "department",
                    p.id,
                )
            })
            .collect();
        let mut committees = |units: &[(i64, String)], era: &str| -> Vec<Reporter> {
            units
                .iter()
                .filter(|(id, _)| chosen(args.seed, *id, f))
                .map(|(id, name)| {
                    add(
                        format!("nat-{era}-{}-{id}", p.code),
                        format!("Ủy ban nhân dân {name}"),
                        "people_committee",
                        *id,
                    )
                })
                .collect()
        };
        let old = committees(&p.old, "old");
        let new = committees(&p.new, "new");
        plans.push(Plan {
            province: pi,
            departments,
            old,
            new,
        });
    }
    bulk_agencies(&db, &agencies, now).await?;
    rep.volume
        .push(("reporting agencies".into(), agencies.len() as i64));
    drop(agencies);

    // The national programme and one plan per province, through the store.
    let country = geo::COUNTRY_ID;
    let mut w = db.write(&actor).await?;
    let national = programs::insert_program(
        &mut w,
        &program_row(
            "nat-801".into(),
            "Chương trình 801/QĐ-TTg".into(),
            "Chương trình bảo tồn và phát triển làng nghề Việt Nam (số liệu giả lập để đo hiệu năng)"
                .into(),
            "programme",
            None,
            None,
            country,
        ),
    )
    .await?;
    insert_indicators(&mut w, national, &shapes).await?;
    w.commit().await?;
    let mut plan_ids = vec![];
    // plan → (indicator code → id)
    let mut plan_inds: Vec<Vec<i64>> = vec![];
    for plan in &plans {
        let p = &provs[plan.province];
        let mut w = db.write(&actor).await?;
        let pid = programs::insert_program(
            &mut w,
            &program_row(
                format!("nat-plan-{}", p.code),
                format!("Kế hoạch {}/KH-UBND", 100 + plan.province),
                format!(
                    "Bảo tồn và phát triển làng nghề {} giai đoạn 2021-2030 (số liệu giả lập)",
                    p.name
                ),
                "plan",
                Some(national),
                plan.departments.first().map(|d| d.agency_id),
                p.id,
            ),
        )
        .await?;
        let ids = insert_indicators(&mut w, pid, &shapes).await?;
        w.commit().await?;
        plan_ids.push(pid);
        plan_inds.push(ids);
    }

    // Periods, reports and lines in bulk.
    let mut next_period = max_id(&db, "report_periods").await? + 1;
    let mut next_report = max_id(&db, "reports").await? + 1;
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut loader = Loader::new(&db).await?;
    let mut measured_periods: Vec<i64> = vec![];
    let mut values = 0usize;
    for (k, plan) in plans.iter().enumerate() {
        for (kind, year, std) in &all_periods {
            let period_id = next_period;
            next_period += 1;
            bulk_periods(
                &db,
                &[(period_id, plan_ids[k], *kind, *year, std.clone())],
                now,
            )
            .await?;
            if k == measured {
                measured_periods.push(period_id);
            }
            let units = if std.data_to < REFORM {
                &plan.old
            } else {
                &plan.new
            };
            let locked = *year < 2025;
            let mut report_rows: Vec<ReportRow> = vec![];
            for r in plan.departments.iter().chain(units.iter()) {
                report_rows.push(ReportRow {
                    id: next_report,
                    period_id,
                    agency_id: r.agency_id,
                    unit_id: r.unit_id,
                    locked,
                    submitted: (std.due - time::Duration::days(rng.gen_range(0..5)))
                        .midnight()
                        .assume_utc(),
                    approved: (std.due + time::Duration::days(rng.gen_range(1..15)))
                        .midnight()
                        .assume_utc(),
                });
                next_report += 1;
            }
            // The reports first: the lines refer to them.
            bulk_reports(&db, &report_rows, now).await?;
            for r in &report_rows {
                let mut order = 0;
                for (shape, iid) in shapes.iter().zip(&plan_inds[k]) {
                    let pct = shape.3 == "average";
                    let parts: Vec<f64> = shape
                        .4
                        .iter()
                        .map(|_| f64::from(rng.gen_range(0..60u32)))
                        .collect();
                    let total = if pct {
                        Some(f64::from(rng.gen_range(40..96u32)))
                    } else if parts.is_empty() {
                        Some(f64::from(rng.gen_range(0..200u32)))
                    } else if rng.gen_range(0..10u32) == 0 {
                        // Some units leave the total blank: the sum of the parts counts.
                        None
                    } else {
                        Some(parts.iter().sum())
                    };
                    loader.line(r.id, *iid, "", order, total).await?;
                    order += 1;
                    values += usize::from(total.is_some());
                    for (cat, v) in shape.4.iter().zip(&parts) {
                        loader.line(r.id, *iid, cat, order, Some(*v)).await?;
                        order += 1;
                        values += 1;
                    }
                }
            }
        }
        note!(
            "{} ({}/{}): {} values so far",
            provs[plans[k].province].name,
            k + 1,
            plans.len(),
            int(values as f64)
        );
    }
    loader.finish().await?;
    if let Db::Pg(_) = &db {
        with_db!(&db, |c| {
            for t in ["agencies", "report_periods", "reports"] {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
                ))
                .execute(c)
                .await?;
            }
        });
    }
    rep.setup.push((
        format!("bulk load of {} values", int(values as f64)),
        t.elapsed(),
    ));
    rep.memory("the bulk load");

    // The kept totals of every period, as each approval keeps them.
    let t = Instant::now();
    let ids: Vec<i64> = with_db!(&db, |c| {
        sqlx::query_scalar(
        "SELECT id FROM report_periods WHERE program_id IN (SELECT id FROM programs WHERE parent_id = $1) ORDER BY id"
    )
    .bind(national)
    .fetch_all(c)
    .await?
    });
    for chunk in ids.chunks(40) {
        let mut w = db.write(&actor).await?;
        for id in chunk {
            rstore::refresh_totals(w.tx(), *id).await?;
        }
        w.commit().await?;
    }
    rep.setup.push((
        format!("period_totals of {} periods", ids.len()),
        t.elapsed(),
    ));
    let t = Instant::now();
    with_db!(&db, |c| sqlx::query("ANALYZE")
        .execute(c)
        .await?
        .rows_affected());
    rep.setup.push(("ANALYZE".into(), t.elapsed()));
    for (what, sql) in [
        ("programmes (national + provinces)", "SELECT COUNT(*) FROM programs WHERE id = $1 OR parent_id = $1"),
        ("periods", "SELECT COUNT(*) FROM report_periods WHERE program_id IN (SELECT id FROM programs WHERE parent_id = $1)"),
        ("reports (approved or locked)", "SELECT COUNT(*) FROM reports WHERE period_id IN (SELECT id FROM report_periods WHERE program_id IN (SELECT id FROM programs WHERE parent_id = $1))"),
    ] {
        let n: i64 = with_db!(&db, |c| sqlx::query_scalar(sql).bind(national).fetch_one(c).await?);
        rep.volume.push((what.into(), n));
    }
    let total_lines: i64 = with_db!(&db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM report_lines"
    )
    .fetch_one(c)
    .await?);
    rep.volume
        .push(("report values (filled lines)".into(), values as i64));
    rep.volume
        .push(("report lines in the store".into(), total_lines));
    let measured_plan = plan_ids[measured];
    let last_period = *measured_periods
        .last()
        .ok_or_else(|| anyhow!("no period"))?;
    let in_period: i64 = with_db!(&db, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM report_lines WHERE report_id IN (SELECT id FROM reports WHERE period_id = $1)"
    )
    .bind(last_period)
    .fetch_one(c)
    .await?
    });
    rep.volume.push((
        format!("lines of {} in its last period", provs[measured].name),
        in_period,
    ));
    let in_plan: i64 = with_db!(&db, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM report_lines WHERE report_id IN (SELECT r.id FROM reports r JOIN report_periods p ON p.id = r.period_id WHERE p.program_id = $1)"
    )
    .bind(measured_plan)
    .fetch_one(c)
    .await?
    });
    rep.volume.push((
        format!("lines of {} in every period", provs[measured].name),
        in_plan,
    ));

    // Through the router, as a program asks.
    let admin = users::by_username(&db, "admin")
        .await?
        .ok_or_else(|| anyhow!("admin"))?;
    let token = users::create_token(&db, &actor, admin.id, "bench").await?;
    let state = langnghe_web::AppState::new(db.clone(), langnghe_web::WebConfig::default())?;
    let router = langnghe_web::app(state.clone());
    let first_ind = plan_inds[measured][0];
    let demo_plan: Option<i64> = with_db!(&db, |c| sqlx::query_scalar(
        "SELECT id FROM programs WHERE key = 'lc-316-2022'"
    )
    .fetch_optional(c)
    .await?);
    let mut requests: Vec<(String, String)> = vec![
        (
            format!("consolidation of {}, last period (every unit's value)", provs[measured].name),
            format!("/api/v1/programs/{measured_plan}/consolidation?period={last_period}"),
        ),
        (
            format!("consolidation of {}, last period (the figures, `units=false`)", provs[measured].name),
            format!("/api/v1/programs/{measured_plan}/consolidation?period={last_period}&units=false"),
        ),
        (
            "the national programme by province, every period".into(),
            format!("/api/v1/programs/{national}/plans?indicator=CT.01"),
        ),
        (
            format!("programme dashboard of {}", provs[measured].name),
            format!("/api/v1/programs/{measured_plan}/dashboard"),
        ),
        (
            "map: achievement of an indicator by province".into(),
            format!("/api/v1/map?era=new&measure=achievement&program={measured_plan}&indicator={first_ind}"),
        ),
        (
            "map: reporting rate of the plan".into(),
            format!("/api/v1/map?era=new&measure=reporting_rate&program={measured_plan}"),
        ),
        ("map: villages per province".into(), "/api/v1/map?era=new&measure=villages".into()),
        ("overview of the country".into(), "/api/v1/dashboard".into()),
    ];
    let kept_requests: Vec<(String, String)> = requests
        .iter()
        // The maps and the plans below a programme are not kept.
        .filter(|(_, p)| !p.contains("/map") && !p.contains("/plans"))
        .cloned()
        .collect();
    if let Some(d) = demo_plan {
        requests.push((
            "demo plan 316: dashboard".into(),
            format!("/api/v1/programs/{d}/dashboard"),
        ));
    }
    // Each figure computed from the records (the kept figures dropped before
    // every request), then as the next readers get it (kept under the plans'
    // revision until a change moves it).
    for (what, path) in requests {
        let timing = time_get(
            &router,
            (Auth::Token, &token),
            &what,
            &path,
            args.warmup,
            args.iterations,
            Some(&state.kept),
        )
        .await?;
        rep.timings.push(timing);
    }
    for (what, path) in kept_requests {
        let timing = time_get(
            &router,
            (Auth::Token, &token),
            &format!("{what}: kept, the next readers"),
            &path,
            args.warmup,
            args.iterations,
            None,
        )
        .await?;
        rep.timings.push(timing);
    }
    rep.memory("the requests");

    // The same aggregates in SQL from the lines (no kept totals), and in DuckDB.
    let sql_queries = aggregate_queries(last_period, national);
    let mut ours = vec![];
    for (what, sql) in &sql_queries {
        let mut samples = vec![];
        for i in 0..(args.warmup + args.iterations.min(10)) {
            let t = Instant::now();
            // A group whose lines are all empty sums to NULL (PostgreSQL says so).
            let rows: Vec<(i64, Option<f64>)> =
                with_db!(&db, |c| sqlx::query_as(sql).fetch_all(c).await?);
            if i >= args.warmup {
                samples.push(stats::ms(t.elapsed()));
            }
            if rows.is_empty() {
                bail!("{what}: no rows");
            }
        }
        let latency = stats::summarize(&samples);
        note!("SQL {what}: p50 {} ms", fms(latency.p50));
        ours.push(latency.p50);
        rep.timings.push(Timing {
            what: format!("SQL from the lines: {what}"),
            path: "store".into(),
            latency,
            bytes: 0,
        });
    }
    if args.duckdb {
        let dir = crate::target_dir(&args).join("bench");
        std::fs::create_dir_all(&dir)?;
        let csv = dir.join(format!("national-{}.csv", args.store.name()));
        let t = Instant::now();
        export_csv(&db, &csv).await.context("export for DuckDB")?;
        rep.setup
            .push(("export for DuckDB (CSV)".into(), t.elapsed()));
        let duck = run_duckdb(&csv, last_period, national, args.iterations.min(10))
            .context("DuckDB (scripts/duckdb-bench)")?;
        // The product answers the same questions from its kept totals: the
        // province's figures (`units=false`) and the plans below by province.
        let route_p50 = |needle: &str| {
            rep.timings
                .iter()
                .find(|t| t.path.contains(needle))
                .map(|t| t.latency.p50)
                .unwrap_or(f64::NAN)
        };
        let routes = [route_p50("units=false"), route_p50("/plans?indicator=")];
        for (((what, _), ours), (route, theirs)) in sql_queries
            .iter()
            .zip(ours.iter())
            .zip(routes.into_iter().zip(duck))
        {
            rep.duckdb.push((what.clone(), *ours, route, theirs));
        }
        let _ = std::fs::remove_file(&csv);
    }
    rep.memory("the aggregates");
    Ok(rep)
}

/// (what, SQL) of the aggregates DuckDB answers too: (key, value) rows.
fn aggregate_queries(period: i64, national: i64) -> Vec<(String, String)> {
    vec![
        (
            "one province, one period, per indicator line".into(),
            format!(
                "SELECT l.indicator_id, SUM(l.value) FROM report_lines l JOIN reports r ON r.id = l.report_id \
                 WHERE r.period_id = {period} AND r.state IN ('approved', 'locked') AND l.value IS NOT NULL \
                 GROUP BY l.indicator_id"
            ),
        ),
        (
            "national, one indicator, every period, by province".into(),
            format!(
                "SELECT p.admin_unit_id * 100000 + rp.id, SUM(l.value) FROM programs p \
                 JOIN indicators i ON i.program_id = p.id AND i.code = 'CT.01' \
                 JOIN report_periods rp ON rp.program_id = p.id \
                 JOIN reports r ON r.period_id = rp.id AND r.state IN ('approved', 'locked') \
                 JOIN report_lines l ON l.report_id = r.id AND l.indicator_id = i.id AND l.category = '' \
                 WHERE p.parent_id = {national} GROUP BY p.admin_unit_id, rp.id"
            ),
        ),
    ]
}

/// Export the lines with what the aggregates group by, for DuckDB.
async fn export_csv(db: &Db, path: &Path) -> anyhow::Result<()> {
    use futures_util::TryStreamExt;
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "report_id,period_id,program_id,parent_id,admin_unit_id,state,indicator_id,code,category,value")?;
    let sql = "SELECT l.report_id, r.period_id, rp.program_id, COALESCE(p.parent_id, 0), p.admin_unit_id, r.state, \
               l.indicator_id, i.code, l.category, l.value FROM report_lines l JOIN reports r ON r.id = l.report_id \
               JOIN report_periods rp ON rp.id = r.period_id JOIN programs p ON p.id = rp.program_id \
               JOIN indicators i ON i.id = l.indicator_id";
    type Row = (
        i64,
        i64,
        i64,
        i64,
        i64,
        String,
        i64,
        String,
        String,
        Option<f64>,
    );
    with_db!(db, |c| {
        let mut rows = sqlx::query_as::<_, Row>(sql).fetch(c);
        while let Some(r) = rows.try_next().await? {
            let v = r.9.map(|v| v.to_string()).unwrap_or_default();
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},\"{}\",{v}",
                r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8
            )?;
        }
    });
    out.flush()?;
    Ok(())
}

/// Run `scripts/duckdb-bench` (it makes its virtualenv with the `duckdb`
/// package): the p50 of each aggregate in ms.
fn run_duckdb(
    csv: &Path,
    period: i64,
    national: i64,
    iterations: usize,
) -> anyhow::Result<Vec<f64>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/duckdb-bench");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .arg(csv)
        .arg(period.to_string())
        .arg(national.to_string())
        .arg(iterations.to_string())
        .output()?;
    if !out.status.success() {
        bail!("{}", String::from_utf8_lossy(&out.stderr));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    v.as_array()
        .ok_or_else(|| anyhow!("DuckDB answered {v}"))?
        .iter()
        .map(|x| x.as_f64().ok_or_else(|| anyhow!("DuckDB answered {v}")))
        .collect()
}

fn program_row(
    key: String,
    code: String,
    title: String,
    kind: &str,
    parent_id: Option<i64>,
    lead_agency_id: Option<i64>,
    admin_unit_id: i64,
) -> NewProgram {
    NewProgram {
        key: Some(key),
        code,
        title,
        kind: kind.into(),
        document_id: None,
        period_start: date!(2021 - 01 - 01),
        period_end: date!(2030 - 12 - 31),
        parent_id,
        lead_agency_id,
        admin_unit_id,
        status: "active".into(),
        objectives_general: None,
        objectives_specific: vec![],
        notes: None,
    }
}

/// The indicators and targets (2025 and 2030, total and per category) of one programme.
async fn insert_indicators(
    w: &mut langnghe_store::write::Write<'_>,
    program_id: i64,
    shapes: &[(String, String, &'static str, &'static str, Vec<String>)],
) -> anyhow::Result<Vec<i64>> {
    let mut ids = vec![];
    for (i, (code, name, unit, aggregation, cats)) in shapes.iter().enumerate() {
        let iid = programs::insert_indicator(
            w,
            &NewIndicator {
                program_id,
                code: code.clone(),
                name: name.clone(),
                unit: (*unit).into(),
                aggregation: (*aggregation).into(),
                direction: "higher".into(),
                baseline_value: Some(if *unit == "%" { 60.0 } else { 1_000.0 }),
                baseline_year: Some(2020),
                sort_order: i as i64,
                source: None,
                notes: None,
            },
        )
        .await?;
        for (milestone, scale) in [("2025", 1.0), ("2030", 2.0)] {
            let mut lines: Vec<(Option<String>, f64)> = vec![(None, 20_000.0 * scale)];
            lines.extend(cats.iter().map(|c| (Some(c.clone()), 6_000.0 * scale)));
            for (cat, v) in lines {
                let (text, value) = if *unit == "%" {
                    ("80 %".to_string(), 80.0)
                } else {
                    (langnghe_core::vnfmt::format_int(v as i64), v)
                };
                programs::insert_target(
                    w,
                    &NewTarget {
                        indicator_id: iid,
                        parent_id: None,
                        milestone: milestone.into(),
                        form: form_json(&text, unit)?,
                        text,
                        cumulative: *aggregation == "sum",
                        dimension: if cat.is_some() { "category" } else { "total" }.into(),
                        category: cat,
                        admin_unit_id: None,
                        agency_id: None,
                        value: Some(value),
                    },
                )
                .await?;
            }
        }
        ids.push(iid);
    }
    Ok(ids)
}

async fn max_id(db: &Db, table: &str) -> anyhow::Result<i64> {
    let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
    Ok(with_db!(db, |c| sqlx::query_scalar(&sql)
        .fetch_one(c)
        .await?))
}

struct AgencyRow {
    id: i64,
    key: String,
    name: String,
    folded: String,
    kind: &'static str,
    unit: i64,
}

struct ReportRow {
    id: i64,
    period_id: i64,
    agency_id: i64,
    unit_id: i64,
    locked: bool,
    submitted: OffsetDateTime,
    approved: OffsetDateTime,
}

async fn bulk_agencies(db: &Db, rows: &[AgencyRow], now: OffsetDateTime) -> anyhow::Result<()> {
    for chunk in rows.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO agencies (id, key, name, name_folded, short_name, kind, admin_unit_id, created_at, updated_at) VALUES ",
        );
        sql.push_str(&values_rows(db, chunk.len(), 9));
        with_db!(db, |c| {
            let mut q = sqlx::query(&sql);
            for a in chunk {
                q = q
                    .bind(a.id)
                    .bind(&a.key)
                    .bind(&a.name)
                    .bind(&a.folded)
                    .bind(&a.name)
                    .bind(a.kind)
                    .bind(a.unit)
                    .bind(now)
                    .bind(now);
            }
            q.execute(c).await?.rows_affected()
        });
    }
    Ok(())
}

async fn bulk_periods(
    db: &Db,
    rows: &[(i64, i64, PeriodKind, i32, langnghe_core::report::Period)],
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    for (id, program, kind, year, p) in rows {
        with_db!(db, |c| {
            sqlx::query(
            "INSERT INTO report_periods (id, program_id, kind, year, label, data_from, data_to, due_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(id)
        .bind(program)
        .bind(kind.as_str())
        .bind(year)
        .bind(&p.label_vi)
        .bind(p.data_from)
        .bind(p.data_to)
        .bind(p.due)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    Ok(())
}

async fn bulk_reports(db: &Db, rows: &[ReportRow], now: OffsetDateTime) -> anyhow::Result<()> {
    let (approved, locked) = (
        langnghe_core::report::ReportState::Approved.as_str(),
        langnghe_core::report::ReportState::Locked.as_str(),
    );
    for chunk in rows.chunks(400) {
        let mut sql = String::from(
            "INSERT INTO reports (id, period_id, agency_id, admin_unit_id, state, version, submitted_at, \
             first_submitted_at, approved_at, updated_at, updated_by, created_at) VALUES ",
        );
        sql.push_str(&values_rows(db, chunk.len(), 12));
        with_db!(db, |c| {
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q
                    .bind(r.id)
                    .bind(r.period_id)
                    .bind(r.agency_id)
                    .bind(r.unit_id)
                    .bind(if r.locked { locked } else { approved })
                    .bind(3_i64)
                    .bind(r.submitted)
                    .bind(r.submitted)
                    .bind(r.approved)
                    .bind(r.approved)
                    .bind("bench")
                    .bind(now);
            }
            q.execute(c).await?.rows_affected()
        });
    }
    Ok(())
}

/// Report lines in bulk: PostgreSQL `COPY … FROM STDIN` in blocks, SQLite
/// prepared multi-row inserts in transactions of 500.000 rows.
struct Loader {
    db: Db,
    buf: Vec<(i64, i64, String, i64, Option<f64>)>,
}

/// Rows per SQLite statement (6 parameters each).
const SQLITE_ROWS: usize = 1_000;
/// Rows held before they go to the store.
const BLOCK: usize = 500_000;

impl Loader {
    async fn new(db: &Db) -> anyhow::Result<Loader> {
        Ok(Loader {
            db: db.clone(),
            buf: Vec::with_capacity(BLOCK),
        })
    }

    async fn line(
        &mut self,
        report: i64,
        indicator: i64,
        category: &str,
        order: i64,
        value: Option<f64>,
    ) -> anyhow::Result<()> {
        self.buf
            .push((report, indicator, category.to_string(), order, value));
        if self.buf.len() >= BLOCK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        match &self.db {
            Db::Pg(pool) => {
                let mut conn = pool.acquire().await?;
                let mut copy = conn
                    .copy_in_raw(
                        "COPY report_lines (report_id, indicator_id, category, sort_order, value_text, value) FROM STDIN",
                    )
                    .await?;
                let mut data = String::with_capacity(self.buf.len() * 32);
                for (r, i, cat, o, v) in &self.buf {
                    let (text, value) = match v {
                        Some(v) => (langnghe_core::vnfmt::format_int(*v as i64), v.to_string()),
                        None => (String::new(), "\\N".to_string()),
                    };
                    let _ = writeln!(data, "{r}\t{i}\t{cat}\t{o}\t{text}\t{value}");
                }
                copy.send(data.as_bytes()).await?;
                copy.finish().await?;
            }
            Db::Sqlite(_, writer) => {
                let mut tx = writer.begin().await?;
                let full = insert_lines_sql(&self.db, SQLITE_ROWS);
                for chunk in self.buf.chunks(SQLITE_ROWS) {
                    let partial;
                    let sql = if chunk.len() == SQLITE_ROWS {
                        &full
                    } else {
                        partial = insert_lines_sql(&self.db, chunk.len());
                        &partial
                    };
                    let mut q = sqlx::query(sql);
                    for (r, i, cat, o, v) in chunk {
                        q = q
                            .bind(r)
                            .bind(i)
                            .bind(cat.as_str())
                            .bind(o)
                            .bind(
                                v.map(|v| langnghe_core::vnfmt::format_int(v as i64))
                                    .unwrap_or_default(),
                            )
                            .bind(v);
                    }
                    q.execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
        }
        self.buf.clear();
        Ok(())
    }

    async fn finish(mut self) -> anyhow::Result<()> {
        self.flush().await
    }
}

/// `(…), (…)` of `rows` rows of `cols` placeholders for a multi-row insert, as
/// the store's backend wants them for many values (plain `?` on SQLite, where
/// looking `$n` up costs a walk per value: see `Sql::text_for`; `$n` on PostgreSQL).
fn values_rows(db: &Db, rows: usize, cols: usize) -> String {
    let row = |i: usize| {
        let cells: Vec<String> = (1..=cols).map(|k| format!("${}", i * cols + k)).collect();
        format!("({})", cells.join(", "))
    };
    let text = (0..rows).map(row).collect::<Vec<_>>().join(", ");
    langnghe_store::Sql { text, args: vec![] }
        .text_for(db.backend())
        .into_owned()
}

/// A multi-row insert of report lines (the SQLite path of the loader).
fn insert_lines_sql(db: &Db, rows: usize) -> String {
    format!(
        "INSERT INTO report_lines (report_id, indicator_id, category, sort_order, value_text, value) VALUES {}",
        values_rows(db, rows, 6)
    )
}
