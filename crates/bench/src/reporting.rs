//! `--only reporting`: a province's reporting period at scale.
//!
//! 1. A synthetic programme of Hà Nội (lead: Sở Công Thương): `--indicators`
//!    indicators (two of them split into two categories each), with targets to
//!    2030, and one task co-led by `--units` people's committees of real admin
//!    units: today's communes, and pre-2025 districts and communes (`valid_to`
//!    set), so the consolidation rolls them up across the 2025 reform.
//! 2. `reporting::open_period` opens the annual period (one report per unit,
//!    with its lines); values, narratives and approval are then written with
//!    bulk SQL (setup, not measured). `--earlier-years` opens, fills and
//!    approves earlier annual periods first (the cumulative path).
//! 3. Timed: the consolidation (`consolidation::compute`), the official
//!    document (`consolidation::official`) and its PDF (`render_pdf`), the
//!    whole PDF request path, and once the DOCX and the XLSX annex; then the
//!    consolidation's sub-steps, by calling the same store functions in the
//!    same iterations.

use crate::stats::{self, fms, int, summarize};
use crate::{Args, StoreKind};
use anyhow::{anyhow, bail, ensure, Context};
use langnghe_core::geo::Era;
use langnghe_core::report::{standard_period, DeadlineRules, PeriodKind};
use langnghe_reports::{Block, OfficialReport};
use langnghe_store::audit::Actor;
use langnghe_store::programs::{self, NewIndicator, NewProgram, NewTarget, NewTask, Program};
use langnghe_store::reporting::{self as rstore, NewPeriod, Period};
use langnghe_store::{agencies, geo, with_db, Db};
use langnghe_web::reporting::consolidation::{self, Consolidation};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::future::Future;
use std::time::{Duration, Instant};
use time::macros::{date, time};
use time::{Date, OffsetDateTime};

/// First year of the synthetic programme (2026-2030, milestone 2030).
pub(crate) const FIRST_YEAR: i32 = 2026;
pub(crate) const LAST_YEAR: i32 = 2030;

/// The targets of the issue.
const TARGET_CONSOLIDATION_MS: f64 = 200.0;
const TARGET_PDF_MS: f64 = 2000.0;

/// (name, unit, aggregation, direction, categories) of the indicator templates.
pub(crate) type Template = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

pub(crate) const TEMPLATES: &[Template] = &[
    (
        "Số làng nghề, làng nghề truyền thống được công nhận",
        "làng",
        "sum",
        "higher",
        &["LN", "LNTT"],
    ),
    (
        "Số lao động làm việc thường xuyên tại các làng nghề",
        "người",
        "sum",
        "higher",
        &[],
    ),
    (
        "Doanh thu từ hoạt động ngành nghề nông thôn",
        "tỷ đồng",
        "sum",
        "higher",
        &[],
    ),
    (
        "Số cơ sở ngành nghề nông thôn đang hoạt động",
        "cơ sở",
        "sum",
        "higher",
        &[],
    ),
    (
        "Tỷ lệ lao động làng nghề qua đào tạo",
        "%",
        "average",
        "higher",
        &[],
    ),
    (
        "Số sản phẩm OCOP được công nhận",
        "sản phẩm",
        "sum",
        "higher",
        &["3 sao", "4 sao"],
    ),
    (
        "Số lớp đào tạo, truyền nghề được tổ chức",
        "lớp",
        "sum",
        "higher",
        &[],
    ),
    (
        "Số cơ sở được hỗ trợ ứng dụng máy móc, thiết bị tiên tiến",
        "cơ sở",
        "sum",
        "higher",
        &[],
    ),
    (
        "Tỷ lệ làng nghề có hệ thống xử lý nước thải đạt chuẩn",
        "%",
        "average",
        "higher",
        &[],
    ),
    (
        "Số nghệ nhân, thợ giỏi được phong tặng",
        "người",
        "sum",
        "higher",
        &[],
    ),
    (
        "Kinh phí khuyến công đã giải ngân",
        "triệu đồng",
        "sum",
        "higher",
        &[],
    ),
    (
        "Số lượt cơ sở tham gia hội chợ, triển lãm",
        "lượt",
        "sum",
        "higher",
        &[],
    ),
    (
        "Số cơ sở vi phạm quy định về bảo vệ môi trường",
        "cơ sở",
        "sum",
        "lower",
        &[],
    ),
];

/// A unit that reports, and the people's committee reporting for it.
pub(crate) struct Unit {
    id: i64,
    name: String,
    valid_to: Option<Date>,
    kind: &'static str,
}

/// What the setup built.
#[derive(Default)]
pub struct Volume {
    pub indicators: usize,
    pub categorised: usize,
    pub lines_per_unit: usize,
    pub units_new_commune: usize,
    pub units_old_district: usize,
    pub units_old_commune: usize,
    pub units_valid_to: usize,
    pub agencies_created: usize,
    pub reports: usize,
    pub approved_values: i64,
    pub counted_values: i64,
    pub periods: usize,
    pub period_label: String,
    pub distinct_today_units: usize,
}

pub struct Report {
    pub store: StoreKind,
    pub load: (String, String),
    pub command: String,
    pub started: OffsetDateTime,
    pub iterations: usize,
    pub warmup: usize,
    pub setup: Vec<(String, Duration)>,
    pub volume: Volume,
    pub checks: Vec<String>,
    /// (label, samples in ms, target in ms).
    pub timings: Vec<(String, Vec<f64>, Option<f64>)>,
    /// Once: (label, ms, bytes).
    pub once: Vec<(String, f64, usize)>,
    /// The consolidation's sub-steps: (label, queries per call, samples in ms).
    pub breakdown: Vec<(String, usize, Vec<f64>)>,
    pub pdf_bytes: usize,
    /// Where the PDF and the DOCX were written.
    pub files: Vec<String>,
    /// For comparison (same iterations): (label, queries per call, samples in ms).
    pub compare: Vec<(String, usize, Vec<f64>)>,
    /// A unit of each kind and what it rolls up to: (kind, unit, today's unit(s)).
    pub examples: Vec<(String, String, String)>,
}

impl Report {
    fn new(args: &Args) -> Report {
        Report {
            store: args.store,
            load: (crate::report::loadavg(), String::new()),
            command: std::env::args().collect::<Vec<_>>().join(" "),
            started: OffsetDateTime::now_utc(),
            iterations: args.iterations,
            warmup: args.warmup,
            setup: vec![],
            volume: Volume::default(),
            checks: vec![],
            timings: vec![],
            once: vec![],
            breakdown: vec![],
            pdf_bytes: 0,
            files: vec![],
            compare: vec![],
            examples: vec![],
        }
    }

    pub fn finish(&mut self) {
        self.load.1 = crate::report::loadavg();
    }

    pub fn markdown(&self) -> String {
        let mut o = String::new();
        let store = self.store.name();
        let v = &self.volume;
        let _ = writeln!(o, "# Reporting benchmark: {store}\n");
        let _ = writeln!(o, "- command: `{}`", self.command);
        let _ = writeln!(o, "- started: {} UTC", self.started.date());
        let _ = writeln!(
            o,
            "- load average (1, 5, 15 min): {} at the start, {} at the end",
            self.load.0, self.load.1
        );
        let _ = writeln!(
            o,
            "- period measured: {} ({} period(s) in the programme)",
            v.period_label, v.periods
        );
        let _ = writeln!(
            o,
            "- {} indicators ({} split in 2 categories): {} lines per unit",
            v.indicators, v.categorised, v.lines_per_unit
        );
        let _ = writeln!(
            o,
            "- {} units reporting: {} communes of today, {} pre-2025 districts, {} pre-2025 communes \
             ({} with `valid_to` set); {} people's committees created, {} reports (the lead department's \
             own, without lines, included); {} distinct labels of today's unit(s) in the breakdown",
            v.units_new_commune + v.units_old_district + v.units_old_commune,
            v.units_new_commune,
            v.units_old_district,
            v.units_old_commune,
            v.units_valid_to,
            v.agencies_created,
            v.reports,
            v.distinct_today_units
        );
        let _ = writeln!(
            o,
            "- **{} approved values in the period** ({} counted values read by the consolidation, \
             earlier periods included)",
            int(v.approved_values as f64),
            int(v.counted_values as f64)
        );
        let _ = writeln!(
            o,
            "- {} timed iterations each, after {} warm-up iteration(s)\n",
            self.iterations, self.warmup
        );
        for c in &self.checks {
            let _ = writeln!(o, "- {c}");
        }
        let _ = writeln!(o, "\n## Setup (not measured)\n");
        let _ = writeln!(o, "| step | time |\n|---|---:|");
        for (label, d) in &self.setup {
            let t = if *d < Duration::from_secs(1) {
                format!("{} ms", fms(stats::ms(*d)))
            } else {
                format!("{:.2} s", d.as_secs_f64())
            };
            let _ = writeln!(o, "| {label} | {t} |");
        }
        let _ = writeln!(o, "\n## Timings (ms)\n");
        let _ = writeln!(
            o,
            "| what | n | p50 | p95 | max | p95/p50 | target | met |\n|---|---:|---:|---:|---:|---:|---:|:---:|"
        );
        for (label, samples, target) in &self.timings {
            let s = summarize(samples);
            let (t, met) = match target {
                Some(t) => (
                    format!("< {}", fms(*t)),
                    if s.p95 < *t { "yes" } else { "**no**" },
                ),
                None => ("".into(), ""),
            };
            let _ = writeln!(
                o,
                "| {label} | {} | {} | {} | {} | {:.2} | {t} | {met} |",
                s.n,
                fms(s.p50),
                fms(s.p95),
                fms(s.max),
                s.p95 / s.p50
            );
        }
        if !self.once.is_empty() {
            let _ = writeln!(o, "\n| once | ms | size |\n|---|---:|---:|");
            for (label, ms, bytes) in &self.once {
                let _ = writeln!(
                    o,
                    "| {label} | {} | {} KB |",
                    fms(*ms),
                    int(*bytes as f64 / 1024.0)
                );
            }
        }
        let _ = writeln!(
            o,
            "\nThe PDF has {} KB; written, with the DOCX, to {}.",
            int(self.pdf_bytes as f64 / 1024.0),
            self.files
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        );
        if let Some((_, _, compute)) = self.breakdown.first() {
            let total = summarize(compute).p50;
            let _ = writeln!(
                o,
                "\n## Where the consolidation's time goes\n\nEach iteration runs `compute`, then the \
                 store calls it makes (same arguments), so that they share the machine's noise.\n"
            );
            let _ = writeln!(
                o,
                "| step | queries | p50 ms | p95 ms | share of compute p50 |\n|---|---:|---:|---:|---:|"
            );
            for (label, queries, samples) in &self.breakdown {
                let s = summarize(samples);
                let _ = writeln!(
                    o,
                    "| {label} | {} | {} | {} | {:.0} % |",
                    int(*queries as f64),
                    fms(s.p50),
                    fms(s.p95),
                    s.p50 * 100.0 / total
                );
            }
        }
        if !self.compare.is_empty() {
            let _ = writeln!(o, "\nFor comparison, in the same iterations:\n");
            let _ = writeln!(
                o,
                "| what | queries | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|"
            );
            for (label, queries, samples) in &self.compare {
                let s = summarize(samples);
                let _ = writeln!(
                    o,
                    "| {label} | {} | {} | {} | {} |",
                    int(*queries as f64),
                    fms(s.p50),
                    fms(s.p95),
                    fms(s.max)
                );
            }
        }
        if !self.examples.is_empty() {
            let _ = writeln!(o, "\nRoll-up examples (unit when reporting → today):\n");
            for (kind, unit, today) in &self.examples {
                let _ = writeln!(o, "- {kind}: {unit} → {today}");
            }
        }
        o
    }
}

/// `doc` with every paragraph and one cell of every table row changed (`k`),
/// so that typst finds none of its layout in its memo cache.
fn changed(doc: &OfficialReport, k: usize) -> OfficialReport {
    let mut d = doc.clone();
    for b in &mut d.blocks {
        match b {
            Block::Paragraph(p) => p.push_str(&format!(" ({k})")),
            Block::Table(t) => {
                for row in &mut t.rows {
                    if let Some(cell) = row.last_mut() {
                        cell.push_str(&format!(" {k}"));
                    }
                }
            }
            Block::Heading(_) => {}
        }
    }
    d
}

/// Time `n` calls after `warm` untimed ones; milliseconds.
pub(crate) async fn sample<F, Fut, T>(warm: usize, n: usize, mut f: F) -> anyhow::Result<Vec<f64>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    for _ in 0..warm {
        f().await?;
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = f().await?;
        out.push(stats::ms(t.elapsed()));
        drop(r);
    }
    Ok(out)
}

/// "Xã Bát Tràng" → "xã Bát Tràng".
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Every `step`-th of `v`, `n` of them at most.
fn spread<T>(v: Vec<T>, n: usize) -> Vec<T> {
    if n == 0 {
        return vec![];
    }
    let step = (v.len() / n).max(1);
    v.into_iter().step_by(step).take(n).collect()
}

async fn units_of(db: &Db, sql: &str, parent: i64) -> anyhow::Result<Vec<Unit>> {
    let rows: Vec<(i64, String, Option<String>, Option<Date>)> =
        with_db!(db, |c| sqlx::query_as(sql)
            .bind(parent)
            .fetch_all(c)
            .await?);
    Ok(rows
        .into_iter()
        .map(|(id, name, district, valid_to)| Unit {
            id,
            name: match district {
                Some(d) => format!("{}, {}", lower_first(&name), lower_first(&d)),
                None => lower_first(&name),
            },
            valid_to,
            kind: "",
        })
        .collect())
}

/// `n` units of Hà Nội: 40 % communes of today, 12 % pre-2025 districts, the
/// rest pre-2025 communes (spread over the city).
/// Hà Nội as the synthetic programme needs it: the lead department (Sở Công
/// Thương), the city's people's committee, and the province of today.
pub(crate) async fn hanoi(db: &Db) -> anyhow::Result<(i64, i64, geo::AdminUnit)> {
    let lead = agencies::id_by_key(db, "hn-so-ct")
        .await?
        .ok_or_else(|| anyhow!("demo agency hn-so-ct is missing"))?;
    let city = agencies::id_by_key(db, "hn-ubnd")
        .await?
        .ok_or_else(|| anyhow!("demo agency hn-ubnd is missing"))?;
    let province = geo::by_era_code(db, Era::New, "01")
        .await?
        .ok_or_else(|| anyhow!("Hà Nội (new structure) not in the geography"))?;
    Ok((lead, city, province))
}

pub(crate) async fn pick_units(db: &Db, n: usize) -> anyhow::Result<Vec<Unit>> {
    let new_hn = geo::by_era_code(db, Era::New, "01")
        .await?
        .ok_or_else(|| anyhow!("Hà Nội (new structure) not in the geography"))?;
    let old_hn = geo::by_era_code(db, Era::Old, "01")
        .await?
        .ok_or_else(|| anyhow!("Hà Nội (old structure) not in the geography"))?;
    let new_communes = units_of(
        db,
        "SELECT u.id, u.name, NULL, u.valid_to FROM admin_units u \
         WHERE u.era = 'new' AND u.level = 'commune' AND u.parent_id = $1 ORDER BY u.code",
        new_hn.id,
    )
    .await?;
    let old_districts = units_of(
        db,
        "SELECT u.id, u.name, NULL, u.valid_to FROM admin_units u \
         WHERE u.era = 'old' AND u.level = 'district' AND u.parent_id = $1 ORDER BY u.code",
        old_hn.id,
    )
    .await?;
    let old_communes = units_of(
        db,
        "SELECT u.id, u.name, d.name, u.valid_to FROM admin_units u JOIN admin_units d ON d.id = u.parent_id \
         WHERE u.era = 'old' AND u.level = 'commune' AND d.parent_id = $1 ORDER BY u.code",
        old_hn.id,
    )
    .await?;
    let n_new = (n * 40 / 100).min(new_communes.len());
    let n_dist = (n * 12 / 100).min(old_districts.len());
    let n_old = n - n_new - n_dist;
    if old_communes.len() < n_old {
        bail!(
            "--units {n}: Hà Nội has {} + {} + {} units to choose from",
            new_communes.len(),
            old_districts.len(),
            old_communes.len()
        );
    }
    let mut out = vec![];
    for (list, k, kind) in [
        (new_communes, n_new, "new_commune"),
        (old_districts, n_dist, "old_district"),
        (old_communes, n_old, "old_commune"),
    ] {
        out.extend(spread(list, k).into_iter().map(|u| Unit { kind, ..u }));
    }
    Ok(out)
}

/// The people's committee of each unit: the demo's when there is one, else a new one.
pub(crate) async fn committees(
    db: &Db,
    actor: &Actor,
    units: &[Unit],
    parent: i64,
) -> anyhow::Result<(Vec<i64>, usize)> {
    let mut ids = vec![];
    let mut created = 0;
    for u in units {
        let existing: Option<i64> = with_db!(db, |c| {
            sqlx::query_scalar(
            "SELECT id FROM agencies WHERE admin_unit_id = $1 AND kind = 'people_committee' ORDER BY id LIMIT 1"
        )
        .bind(u.id)
        .fetch_optional(c)
        .await?
        });
        let id = match existing {
            Some(id) => id,
            None => {
                let input = agencies::AgencyInput {
                    name: format!("Ủy ban nhân dân {}", u.name),
                    short_name: format!("UBND {}", u.name),
                    kind: "people_committee".into(),
                    admin_unit_id: u.id,
                    parent_id: Some(parent),
                };
                created += 1;
                agencies::create(db, actor, Some(&format!("bench-ubnd-{}", u.id)), &input)
                    .await
                    .with_context(|| format!("agency for unit {}", u.id))?
                    .id
            }
        };
        ids.push(id);
    }
    Ok((ids, created))
}

/// The target of an indicator to 2030, as a plan states it, and its parsed form.
fn target_text(unit: &str, direction: &str, units: usize, category: bool) -> (String, Option<f64>) {
    let n = units as f64;
    let (text, value) = if unit == "%" {
        ("80 %".to_string(), Some(80.0))
    } else if direction == "lower" {
        let v = n * 300.0;
        (
            format!("không quá {}", langnghe_core::vnfmt::format_int(v as i64)),
            Some(v),
        )
    } else {
        // About five years of the synthetic values (mean ~500 a unit a year, ~250 a category).
        let v = if category { n * 1_200.0 } else { n * 2_400.0 };
        (langnghe_core::vnfmt::format_int(v as i64), Some(v))
    };
    (text, value)
}

pub(crate) fn form_json(text: &str, unit: &str) -> anyhow::Result<String> {
    match langnghe_core::plan::parse_target_with_unit(text, unit)
        .or_else(|_| langnghe_core::plan::parse_target(text))
    {
        Ok(f) => serde_json::to_string(&f).context("target form"),
        Err(_) => Ok("null".into()),
    }
}

/// The programme, its indicators and targets, and the task co-led by the units.
pub(crate) async fn programme(
    db: &Db,
    actor: &Actor,
    args: &Args,
    lead: i64,
    province: i64,
    committees: &[i64],
    vol: &mut Volume,
) -> anyhow::Result<(i64, Vec<(i64, bool)>)> {
    let mut w = db.write(actor).await?;
    let pid = programs::insert_program(
        &mut w,
        &NewProgram {
            key: Some("bench-reporting".into()),
            code: "Kế hoạch 250/KH-UBND".into(),
            title:
                "Phát triển ngành nghề nông thôn và làng nghề thành phố Hà Nội giai đoạn 2026-2030 \
                    (số liệu giả lập để đo hiệu năng)"
                    .into(),
            kind: "plan".into(),
            document_id: None,
            period_start: date!(2026 - 01 - 01),
            period_end: date!(2030 - 12 - 31),
            parent_id: None,
            lead_agency_id: Some(lead),
            admin_unit_id: province,
            status: "active".into(),
            objectives_general: Some(
                "Bảo tồn và phát triển làng nghề gắn với du lịch và xây dựng nông thôn mới.".into(),
            ),
            objectives_specific: vec![],
            notes: None,
        },
    )
    .await?;
    let mut inds = vec![];
    for i in 0..args.indicators {
        let (name, unit, aggregation, direction, cats) = TEMPLATES[i % TEMPLATES.len()];
        let round = i / TEMPLATES.len();
        // Only the first round splits into categories (two indicators, two each).
        let cats: &[&str] = if round == 0 { cats } else { &[] };
        let name = if round == 0 {
            name.to_string()
        } else {
            format!("{name} (nhóm ngành {})", round + 1)
        };
        let iid = programs::insert_indicator(
            &mut w,
            &NewIndicator {
                program_id: pid,
                code: format!("CT.{:02}", i + 1),
                name,
                unit: unit.into(),
                aggregation: aggregation.into(),
                direction: direction.into(),
                baseline_value: Some(if unit == "%" { 60.0 } else { 1_000.0 }),
                baseline_year: Some(2025),
                sort_order: i as i64,
                source: None,
                notes: None,
            },
        )
        .await?;
        let (text, value) = target_text(unit, direction, args.units, false);
        programs::insert_target(
            &mut w,
            &NewTarget {
                indicator_id: iid,
                parent_id: None,
                milestone: LAST_YEAR.to_string(),
                form: form_json(&text, unit)?,
                text,
                cumulative: aggregation == "sum",
                dimension: "total".into(),
                category: None,
                admin_unit_id: None,
                agency_id: None,
                value,
            },
        )
        .await?;
        for cat in cats {
            let (text, value) = target_text(unit, direction, args.units, true);
            programs::insert_target(
                &mut w,
                &NewTarget {
                    indicator_id: iid,
                    parent_id: None,
                    milestone: LAST_YEAR.to_string(),
                    form: form_json(&text, unit)?,
                    text,
                    cumulative: aggregation == "sum",
                    dimension: "category".into(),
                    category: Some((*cat).into()),
                    admin_unit_id: None,
                    agency_id: None,
                    value,
                },
            )
            .await?;
        }
        vol.lines_per_unit += 1 + cats.len();
        if !cats.is_empty() {
            vol.categorised += 1;
        }
        inds.push((iid, aggregation == "sum" && cats.is_empty()));
    }
    let task = programs::insert_task(
        &mut w,
        &NewTask {
            program_id: pid,
            section: Some("III.1".into()),
            text: "Ủy ban nhân dân các quận, huyện, thị xã và các xã, phường tổ chức thực hiện, \
                   theo dõi và báo cáo kết quả các chỉ tiêu trên địa bàn"
                .into(),
            lead_agency_id: None,
            co_leads: committees.to_vec(),
            coordinating: vec![lead],
            start_on: Some(date!(2026 - 01 - 01)),
            due_on: Some(date!(2030 - 12 - 31)),
            sort_order: 1,
            source: None,
        },
    )
    .await?;
    for (iid, _) in &inds {
        programs::link_task_indicator(w.tx(), task, *iid).await?;
    }
    w.commit().await?;
    vol.indicators = inds.len();
    Ok((pid, inds))
}

const RESULTS: &str = "Đã phổ biến kế hoạch tới các làng nghề trên địa bàn; tổ chức 02 lớp truyền nghề \
    cho 60 lao động; hỗ trợ 05 cơ sở đổi mới máy móc, thiết bị; 03 sản phẩm được công nhận OCOP; các làng nghề \
    duy trì sản xuất ổn định, doanh thu tăng so với cùng kỳ.";
const DIFFICULTIES: &str =
    "Mặt bằng sản xuất chật hẹp, nằm xen kẽ trong khu dân cư; nguồn nguyên liệu \
    phụ thuộc bên ngoài; việc xử lý nước thải, khí thải tại một số cơ sở chưa đạt yêu cầu.";
const CAUSES: &str =
    "Kinh phí hỗ trợ còn hạn chế; quy hoạch cụm công nghiệp làng nghề triển khai chậm; \
    lao động trẻ ít gắn bó với nghề.";
const PROPOSALS: &str =
    "Đề nghị Thành phố bố trí kinh phí khuyến công kịp thời, ưu tiên đầu tư hạ tầng \
    xử lý môi trường và hỗ trợ xúc tiến thương mại cho các làng nghề.";

/// Open an annual period, fill every line, and approve every report (bulk SQL).
pub(crate) async fn open_fill_approve(
    db: &Db,
    actor: &Actor,
    program_id: i64,
    year: i32,
) -> anyhow::Result<(i64, usize, Period)> {
    let std = standard_period(PeriodKind::Annual, year, &DeadlineRules::default());
    let (period_id, reports) = rstore::open_period(
        db,
        actor,
        &NewPeriod {
            program_id,
            kind: PeriodKind::Annual,
            year,
            label: std.label_vi.clone(),
            data_from: std.data_from,
            data_to: std.data_to,
            due_on: std.due,
            remind_days: 5,
            jump_factor: 3.0,
        },
    )
    .await
    .context("open_period")?;
    let seed = i64::from(year) * 17;
    // Rates 40–94 %; categories 1–499, other counts 1–1000; totals of
    // categorised indicators are the sum of their categories.
    with_db!(db, |c| {
        sqlx::query(
        "UPDATE report_lines SET value = CASE \
           WHEN (SELECT i.aggregation FROM indicators i WHERE i.id = report_lines.indicator_id) = 'average' \
             THEN 40 + ((id * 31 + $2) % 55) \
           WHEN category <> '' THEN 1 + ((id * 7919 + $2) % 499) \
           ELSE 1 + ((id * 7919 + $2) % 1000) END \
         WHERE report_id IN (SELECT r.id FROM reports r WHERE r.period_id = $1)"
    )
    .bind(period_id)
    .bind(seed)
    .execute(c)
    .await?
    .rows_affected()
    });
    with_db!(db, |c| {
        sqlx::query(
        "UPDATE report_lines SET value = (SELECT SUM(p.value) FROM report_lines p \
           WHERE p.report_id = report_lines.report_id AND p.indicator_id = report_lines.indicator_id AND p.category <> '') \
         WHERE category = '' AND report_id IN (SELECT r.id FROM reports r WHERE r.period_id = $1) \
           AND EXISTS (SELECT 1 FROM report_lines p WHERE p.report_id = report_lines.report_id \
             AND p.indicator_id = report_lines.indicator_id AND p.category <> '')"
    )
    .bind(period_id)
    .execute(c)
    .await?
    .rows_affected()
    });
    with_db!(db, |c| sqlx::query(
        "UPDATE report_lines SET value_text = CAST(CAST(value AS BIGINT) AS TEXT) \
         WHERE report_id IN (SELECT r.id FROM reports r WHERE r.period_id = $1)"
    )
    .bind(period_id)
    .execute(c)
    .await?
    .rows_affected());
    // Submitted two days before the due date at 9:00 (every 7th three days
    // late), approved ten days after it.
    let at = |d: Date, days: i64| {
        (d + time::Duration::days(days))
            .with_time(time!(02:00))
            .assume_utc()
    };
    with_db!(db, |c| {
        sqlx::query(
        "UPDATE reports SET state = 'approved', version = version + 2, submitted_at = $2, first_submitted_at = $2, \
         approved_at = $3, updated_at = $3, updated_by = $4, results = $5, \
         difficulties = CASE WHEN id % 3 = 0 THEN $6 ELSE '' END, \
         causes = CASE WHEN id % 4 = 0 THEN $7 ELSE '' END, \
         proposals = CASE WHEN id % 5 = 0 THEN $8 ELSE '' END \
         WHERE period_id = $1"
    )
    .bind(period_id)
    .bind(at(std.due, -2))
    .bind(at(std.due, 10))
    .bind(&actor.name)
    .bind(RESULTS)
    .bind(DIFFICULTIES)
    .bind(CAUSES)
    .bind(PROPOSALS)
    .execute(c)
    .await?
    .rows_affected()
    });
    with_db!(db, |c| {
        sqlx::query(
        "UPDATE reports SET submitted_at = $2, first_submitted_at = $2 WHERE period_id = $1 AND id % 7 = 0"
    )
    .bind(period_id)
    .bind(at(std.due, 3))
    .execute(c)
    .await?
    .rows_affected()
    });
    // The approvals above bypass `set_state`: keep the period's totals as it would.
    let mut w = db.write(actor).await?;
    rstore::refresh_totals(w.tx(), period_id).await?;
    w.commit().await?;
    let period = rstore::period(db, period_id)
        .await?
        .ok_or_else(|| anyhow!("period {period_id}"))?;
    Ok((period_id, reports, period))
}

pub async fn run(db: Db, args: Args) -> anyhow::Result<Report> {
    if args.units == 0 || args.indicators == 0 || args.iterations == 0 {
        bail!("--units, --indicators and --iterations must be at least 1");
    }
    let last_year = FIRST_YEAR + args.earlier_years as i32;
    if last_year > LAST_YEAR {
        bail!(
            "--earlier-years: at most {} (the programme runs {FIRST_YEAR}-{LAST_YEAR})",
            LAST_YEAR - FIRST_YEAR
        );
    }
    let mut rep = Report::new(&args);
    let actor = Actor::system("bench");
    let t = Instant::now();
    db.migrate().await?;
    rep.setup.push(("migrate".into(), t.elapsed()));
    let t = Instant::now();
    langnghe_store::seed::ensure_geography(&db).await?;
    rep.setup
        .push(("load geography (ensure_geography)".into(), t.elapsed()));
    let t = Instant::now();
    langnghe_demo::ensure_demo(&db).await?;
    rep.setup
        .push(("load demo data (ensure_demo)".into(), t.elapsed()));

    let (lead, city, province) = hanoi(&db).await?;

    let t = Instant::now();
    let units = pick_units(&db, args.units).await?;
    let vol = &mut rep.volume;
    for u in &units {
        match u.kind {
            "new_commune" => vol.units_new_commune += 1,
            "old_district" => vol.units_old_district += 1,
            _ => vol.units_old_commune += 1,
        }
        if u.valid_to.is_some() {
            vol.units_valid_to += 1;
        }
    }
    let (committee_ids, created) = committees(&db, &actor, &units, city).await?;
    vol.agencies_created = created;
    rep.setup.push((
        format!(
            "{} units, their people's committees (agencies::create)",
            units.len()
        ),
        t.elapsed(),
    ));
    note!(
        "{} units ({} pre-2025), {} committees created",
        units.len(),
        rep.volume.units_valid_to,
        created
    );

    let t = Instant::now();
    let (program_id, inds) = programme(
        &db,
        &actor,
        &args,
        lead,
        province.id,
        &committee_ids,
        &mut rep.volume,
    )
    .await?;
    rep.setup.push((
        format!(
            "programme, {} indicators, targets, task (programs::insert_*)",
            inds.len()
        ),
        t.elapsed(),
    ));

    let mut measured = None;
    for year in FIRST_YEAR..=last_year {
        let t = Instant::now();
        let (pid, reports, period) = open_fill_approve(&db, &actor, program_id, year).await?;
        rep.setup.push((
            format!(
                "{}: open_period ({reports} reports), fill and approve (bulk SQL)",
                period.label
            ),
            t.elapsed(),
        ));
        note!("{}: {reports} reports", period.label);
        rep.volume.reports = reports;
        rep.volume.periods += 1;
        measured = Some((pid, period));
    }
    let Some((period_id, _)) = measured else {
        bail!("no period opened");
    };

    if args.store == StoreKind::Postgres && !args.no_analyze {
        let t = Instant::now();
        with_db!(&db, |c| sqlx::query("ANALYZE")
            .execute(c)
            .await?
            .rows_affected());
        rep.setup
            .push(("ANALYZE after the setup".into(), t.elapsed()));
    }

    // What the web handler loads before computing.
    let program: Program = programs::get(&db, geo::COUNTRY_ID, program_id)
        .await?
        .ok_or_else(|| anyhow!("programme {program_id}"))?;
    let period: Period = rstore::period(&db, period_id)
        .await?
        .ok_or_else(|| anyhow!("period {period_id}"))?;
    rep.volume.period_label = period.label.clone();
    let state = langnghe_web::AppState::new(db.clone(), langnghe_web::WebConfig::default())?;

    let approved: i64 = with_db!(&db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM report_lines l JOIN reports r ON r.id = l.report_id \
         WHERE r.period_id = $1 AND r.state IN ('approved', 'locked') AND l.value IS NOT NULL"
    )
    .bind(period_id)
    .fetch_one(c)
    .await?);
    rep.volume.approved_values = approved;
    let counted = rstore::counted_values(&db, program_id, period.data_to).await?;
    rep.volume.counted_values = counted.len() as i64;
    note!(
        "{approved} approved values in {} ({} counted with earlier periods)",
        period.label,
        counted.len()
    );

    // Check once: a plain sum indicator, and a categorised one, against SQL.
    let c = consolidation::compute(&state, &program, &period, consolidation::PerUnit::Yes).await?;
    check(&db, &c, &inds, period_id, args.units, &mut rep).await?;
    let today_units: BTreeSet<String> = c
        .rows
        .iter()
        .flat_map(|r| r.units.iter().map(|u| u.today_unit.clone()))
        .collect();
    rep.volume.distinct_today_units = today_units.len();

    let (w, n) = (args.warmup, args.iterations);
    note!("consolidation::compute × {n}");
    let (s, p, pe) = (&state, &program, &period);
    let compute = sample(w, n, || async move {
        Ok(consolidation::compute(s, p, pe, consolidation::PerUnit::Yes).await?)
    })
    .await?;
    rep.timings.push((
        "consolidation (`consolidation::compute`)".into(),
        compute,
        Some(TARGET_CONSOLIDATION_MS),
    ));

    let cr = &c;
    let official = sample(w, n, || async move {
        Ok(consolidation::official(s, p, cr).await?)
    })
    .await?;
    rep.timings
        .push(("official document (`official`)".into(), official, None));

    note!("render_pdf × {n}, twice");
    let doc = consolidation::official(&state, &program, &c).await?;
    // The first render of the process: fonts and template still cold.
    let t = Instant::now();
    let mut pdf = langnghe_reports::render_pdf(&doc).map_err(|e| anyhow!("render_pdf: {e}"))?;
    rep.once.push((
        "first PDF render of the process (fonts, template cold)".into(),
        stats::ms(t.elapsed()),
        pdf.len(),
    ));
    // typst memoises layout across compilations (`render_pdf` keeps what the last
    // 10 used): the same document again is mostly cache hits, a consolidation
    // with new values is not. Both are timed: the same document, and a document
    // whose every paragraph and table differs from the last ones.
    let again = sample(w, n, || {
        let r = langnghe_reports::render_pdf(&doc).map(|b| pdf = b);
        async move { r.map_err(|e| anyhow!("render_pdf: {e}")) }
    })
    .await?;
    let mut k = 0;
    let fresh = sample(w, n, || {
        k += 1;
        let r = langnghe_reports::render_pdf(&changed(&doc, k)).map(|b| b.len());
        async move { r.map_err(|e| anyhow!("render_pdf: {e}")) }
    })
    .await?;
    rep.timings.push((
        "PDF render (`render_pdf`), every paragraph and table changed (no typst memo hits)".into(),
        fresh,
        Some(TARGET_PDF_MS),
    ));
    rep.timings.push((
        "PDF render (`render_pdf`), the same document again (typst memo hits)".into(),
        again,
        None,
    ));

    note!("consolidation + official + PDF (the request path) × {n}");
    let mut k = 1_000;
    let whole = sample(w, n, || {
        k += 1;
        async move {
            let c = consolidation::compute(s, p, pe, consolidation::PerUnit::Yes).await?;
            let doc = changed(&consolidation::official(s, p, &c).await?, k);
            let bytes = tokio::task::spawn_blocking(move || langnghe_reports::render_pdf(&doc))
                .await
                .map_err(|e| anyhow!("render: {e}"))?
                .map_err(|e| anyhow!("render: {e}"))?;
            Ok(bytes.len())
        }
    })
    .await?;
    rep.timings.push((
        "consolidation + official + PDF: the `.pdf` request path (document changed each time)"
            .into(),
        whole,
        Some(TARGET_PDF_MS),
    ));
    rep.pdf_bytes = pdf.len();

    let t = Instant::now();
    let docx = langnghe_reports::render_docx(&doc).map_err(|e| anyhow!("render_docx: {e}"))?;
    rep.once.push((
        "DOCX (`render_docx`)".into(),
        stats::ms(t.elapsed()),
        docx.len(),
    ));
    let t = Instant::now();
    let xlsx = langnghe_reports::to_xlsx(&consolidation::annex(&c))
        .map_err(|e| anyhow!("to_xlsx: {e}"))?;
    rep.once.push((
        "XLSX annex (`annex`, one row per unit value)".into(),
        stats::ms(t.elapsed()),
        xlsx.len(),
    ));

    let dir = crate::target_dir(&args).join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    for (ext, bytes) in [("pdf", &pdf), ("docx", &docx)] {
        let file = dir.join(format!("reporting-{}.{ext}", args.store.name()));
        std::fs::write(&file, bytes).with_context(|| format!("write {}", file.display()))?;
        rep.files.push(file.display().to_string());
    }

    breakdown(&state, &program, &period, &units, &mut rep).await?;
    Ok(rep)
}

/// The consolidation agrees with SQL on a plain sum indicator and a categorised one.
async fn check(
    db: &Db,
    c: &Consolidation,
    inds: &[(i64, bool)],
    period_id: i64,
    units: usize,
    rep: &mut Report,
) -> anyhow::Result<()> {
    let plain = inds
        .iter()
        .find(|(_, plain)| *plain)
        .map(|(id, _)| *id)
        .ok_or_else(|| anyhow!("no plain sum indicator"))?;
    let categorised = c
        .rows
        .iter()
        .find(|r| !r.category.is_empty())
        .map(|r| r.indicator_id);
    for (ind, cat) in std::iter::once((plain, String::new())).chain(
        categorised
            .into_iter()
            .flat_map(|i| [(i, String::new()), (i, "LN".to_string())]),
    ) {
        let sql: Option<f64> = with_db!(db, |cn| {
            sqlx::query_scalar(
            "SELECT SUM(l.value) FROM report_lines l JOIN reports r ON r.id = l.report_id \
             WHERE r.period_id = $1 AND r.state IN ('approved', 'locked') AND l.indicator_id = $2 AND l.category = $3"
        )
        .bind(period_id)
        .bind(ind)
        .bind(&cat)
        .fetch_one(cn)
        .await?
        });
        let row = c
            .rows
            .iter()
            .find(|r| r.indicator_id == ind && r.category == cat)
            .ok_or_else(|| anyhow!("no row for indicator {ind} {cat:?}"))?;
        let (got, want) = (
            row.period_value.unwrap_or(f64::NAN),
            sql.unwrap_or(f64::NAN),
        );
        ensure!(
            (got - want).abs() <= 1e-6 * want.abs().max(1.0),
            "consolidation of {} {cat:?}: {got} ≠ SQL sum {want}",
            row.code
        );
        ensure!(
            row.units.len() == units,
            "consolidation of {}: {} units, expected {units}",
            row.code,
            row.units.len()
        );
        let line = format!(
            "check ok: {}{} = {} over {} units (SQL sum of the approved values: {})",
            row.code,
            if cat.is_empty() {
                String::new()
            } else {
                format!(" ({cat})")
            },
            int(got),
            row.units.len(),
            int(want)
        );
        note!("{line}");
        rep.checks.push(line);
    }
    Ok(())
}

/// Where `compute`'s time goes: every iteration runs `compute`, then the store
/// calls it makes (same arguments), so that all share the machine's noise; and,
/// for comparison, the unit-by-unit roll-up `compute` made before
/// `geo::rollup_many` (`geo::by_id` + `geo::rollup` for each unit).
async fn breakdown(
    state: &langnghe_web::AppState,
    program: &Program,
    period: &Period,
    units: &[Unit],
    rep: &mut Report,
) -> anyhow::Result<()> {
    let db = &state.db;
    let (pid, to, per) = (program.id, period.data_to, period.id);
    let counted = rstore::counted_values(db, pid, to).await?;
    let mut unit_ids: Vec<i64> = counted
        .iter()
        .filter(|v| v.period_id == per)
        .map(|v| v.admin_unit_id)
        .collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let day = langnghe_web::common::today();

    // The batched roll-up gives what the unit-by-unit one gives.
    let many = geo::rollup_many(db, &unit_ids, day).await?;
    let names = |u: &[geo::AdminUnit]| {
        u.iter()
            .map(|x| x.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut one_by_one_queries = 0;
    for id in &unit_ids {
        one_by_one_queries += 1 + rollup_query_count(db, *id).await?;
        let one = geo::rollup(db, *id, day).await?;
        let got = many.get(id).map(|(_, now)| names(now));
        ensure!(
            got.as_deref() == Some(names(&one).as_str()),
            "geo::rollup_many of unit {id}: {got:?}, geo::rollup: {:?}",
            names(&one)
        );
    }
    for (kind, label) in [
        ("new_commune", "commune of today"),
        ("old_district", "pre-2025 district"),
        ("old_commune", "pre-2025 commune"),
    ] {
        if let Some((u, (unit, now))) = units
            .iter()
            .find(|u| u.kind == kind)
            .and_then(|u| many.get(&u.id).map(|x| (u, x)))
        {
            let since = u
                .valid_to
                .map(|d| format!(" (valid to {d})"))
                .unwrap_or_default();
            rep.examples
                .push((label.into(), format!("{}{since}", unit.name), names(now)));
        }
    }

    let steps: Vec<(String, usize)> = vec![
        (
            "`consolidation::compute`, interleaved with the steps below".into(),
            0,
        ),
        ("programs::indicators".into(), 1),
        ("programs::targets".into(), 1),
        (
            format!(
                "reporting::counted_values ({} rows)",
                int(counted.len() as f64)
            ),
            1,
        ),
        ("reporting::periods".into(), 1),
        (
            format!(
                "geo::rollup_many of the {} units (units, links, successors)",
                unit_ids.len()
            ),
            3,
        ),
        ("reporting::list_reports (period)".into(), 2),
        ("reporting::narratives".into(), 1),
    ];
    let mut st: Vec<Vec<f64>> = vec![vec![]; steps.len()];
    let mut rest = vec![];
    let mut before = vec![];
    let (w, n) = (rep.warmup, rep.iterations);
    note!("breakdown: compute and its steps, interleaved × {n}");
    for i in 0..w + n {
        let mut d = vec![];
        let t = Instant::now();
        consolidation::compute(state, program, period, consolidation::PerUnit::Yes).await?;
        d.push(t.elapsed());
        let t = Instant::now();
        programs::indicators(db, pid).await?;
        d.push(t.elapsed());
        let t = Instant::now();
        programs::targets(db, pid).await?;
        d.push(t.elapsed());
        let t = Instant::now();
        rstore::counted_values(db, pid, to).await?;
        d.push(t.elapsed());
        let t = Instant::now();
        rstore::periods(db, pid).await?;
        d.push(t.elapsed());
        let t = Instant::now();
        geo::rollup_many(db, &unit_ids, day).await?;
        d.push(t.elapsed());
        let t = Instant::now();
        rstore::list_reports(
            db,
            rstore::ReportScope {
                scope_id: geo::COUNTRY_ID,
                own_agency: None,
            },
            &rstore::ReportFilter {
                period_id: Some(per),
                ..Default::default()
            },
            100_000,
            0,
        )
        .await?;
        d.push(t.elapsed());
        let t = Instant::now();
        rstore::narratives(db, per).await?;
        d.push(t.elapsed());
        // For comparison: the roll-up unit by unit.
        let t = Instant::now();
        for id in &unit_ids {
            geo::by_id(db, *id).await?;
            geo::rollup(db, *id, day).await?;
        }
        let one_by_one = t.elapsed();
        if i >= w {
            let ms: Vec<f64> = d.iter().map(|x| stats::ms(*x)).collect();
            rest.push(ms[0] - ms[1..].iter().sum::<f64>());
            for (k, x) in ms.into_iter().enumerate() {
                st[k].push(x);
            }
            before.push(stats::ms(one_by_one));
        }
    }
    rep.breakdown = steps
        .into_iter()
        .zip(st)
        .map(|((label, queries), s)| (label, queries, s))
        .collect();
    rep.breakdown.push((
        "rest: in-memory assembly of the rows (compute minus the steps, per iteration)".into(),
        0,
        rest,
    ));
    rep.compare = vec![(
        format!(
            "for comparison: geo::by_id + geo::rollup unit by unit for the {} units (before `rollup_many`)",
            unit_ids.len()
        ),
        one_by_one_queries,
        before,
    )];
    Ok(())
}

/// Queries `geo::rollup` makes for a unit: `by_id`, then `successors` of each
/// unit of each level of the successor chain, until a level has none (≤ 4).
async fn rollup_query_count(db: &Db, id: i64) -> anyhow::Result<usize> {
    let mut n = 1;
    let mut frontier = vec![id];
    for _ in 0..4 {
        let mut next = vec![];
        for f in frontier {
            n += 1;
            next.extend(geo::successors(db, f).await?.into_iter().map(|l| l.unit.id));
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(lower_first("Xã Bát Tràng"), "xã Bát Tràng");
        assert_eq!(lower_first(""), "");
        assert_eq!(spread((0..10).collect(), 3), vec![0, 3, 6]);
        assert_eq!(spread((0..2).collect(), 5), vec![0, 1]);
        assert!(spread::<i32>(vec![1], 0).is_empty());
        let (text, v) = target_text("%", "higher", 250, false);
        assert_eq!((text.as_str(), v), ("80 %", Some(80.0)));
        assert_ne!(form_json("80 %", "%").unwrap_or_default(), "null");
        assert_ne!(
            form_json("không quá 75.000", "cơ sở").unwrap_or_default(),
            "null"
        );
    }
}
