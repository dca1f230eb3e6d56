//! The four seed plans (`data/plans/*.json` in this crate) loaded as programmes with their
//! indicators, targets (as stated, parsed), actuals, tasks and budget. Idempotent
//! by programme key.

use langnghe_core::geo::Era;
use langnghe_store::audit::Actor;
use langnghe_store::programs::{
    self, NewActual, NewBudgetLine, NewIndicator, NewProgram, NewTarget, NewTask,
};
use langnghe_store::{agencies, geo, registry, Db, Result, StoreError};
use serde::Deserialize;
use time::Date;

const PLANS: &[(&str, &str)] = &[
    (
        "hn-khuyencong-2011-2015",
        include_str!("../data/plans/hn-khuyencong-2011-2015.json"),
    ),
    (
        "hn-khuyencong-2016-2020",
        include_str!("../data/plans/hn-khuyencong-2016-2020.json"),
    ),
    (
        "hn-2017-thuong-hieu",
        include_str!("../data/plans/hn-2017-thuong-hieu.json"),
    ),
    (
        "hn-2018-langnghe",
        include_str!("../data/plans/hn-2018-langnghe.json"),
    ),
    (
        "lc-316-2022",
        include_str!("../data/plans/lc-316-2022.json"),
    ),
];

#[derive(Debug, Deserialize)]
struct DocRef {
    number: Option<String>,
    date: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

/// The plan's reporting duty; `due` as recurring dates `--MM-DD`.
#[derive(Debug, Deserialize)]
struct ReportingJson {
    #[serde(default)]
    due: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct PlanJson {
    #[serde(default)]
    reporting: Vec<ReportingJson>,
    key: String,
    code: String,
    title: String,
    kind: String,
    document: Option<DocRef>,
    #[serde(default)]
    legal_basis: Vec<DocRef>,
    period_start: String,
    period_end: String,
    parent_key: Option<String>,
    lead_agency: Option<String>,
    status: String,
    #[serde(default)]
    objectives_general: Option<String>,
    #[serde(default)]
    objectives_specific: Vec<String>,
    #[serde(default)]
    indicators: Vec<IndicatorJson>,
    #[serde(default)]
    tasks: Vec<TaskJson>,
    #[serde(default)]
    budget: Vec<BudgetJson>,
    #[serde(default)]
    timeline: Vec<TimelineJson>,
    #[serde(default)]
    appendix: Option<AppendixJson>,
}

#[derive(Debug, Deserialize)]
struct AppendixJson {
    name: String,
    title: String,
    subtitle: Option<String>,
    rows: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Baseline {
    value: Option<f64>,
    year: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct IndicatorJson {
    code: String,
    name: String,
    unit: String,
    #[serde(default = "sum")]
    aggregation: String,
    #[serde(default = "higher")]
    direction: String,
    baseline: Option<Baseline>,
    #[serde(default)]
    targets: Vec<TargetJson>,
    #[serde(default)]
    actuals: Vec<ActualJson>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    note: Option<String>,
    /// How the value is computed from records, e.g. `LN=villages_recognised`.
    #[serde(default)]
    computed_from: Option<String>,
}

fn sum() -> String {
    "sum".into()
}
fn higher() -> String {
    "higher".into()
}

#[derive(Debug, Deserialize)]
struct SplitJson {
    by: String,
    key: Option<String>,
    value: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct ByUnitJson {
    agency: Option<String>,
    unit_code: Option<String>,
    value: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct TargetJson {
    milestone: Option<String>,
    /// The period a target without a milestone year covers ("2022-2030").
    window: Option<String>,
    /// The wording of the plan; absent when the plan value is only implied.
    text: Option<String>,
    value: Option<f64>,
    value_max: Option<f64>,
    /// exact, expected, about, range, over, at_least.
    qualifier: Option<String>,
    #[serde(default)]
    implied: bool,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    cumulative: bool,
    #[serde(default)]
    split: Vec<SplitJson>,
    #[serde(default)]
    by_unit: Vec<ByUnitJson>,
}

#[derive(Debug, Deserialize)]
struct ActualJson {
    period: String,
    value: f64,
    #[serde(default)]
    rate_stated: Option<String>,
    #[serde(default)]
    implied_plan: bool,
    #[serde(default)]
    plan: Option<f64>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TaskJson {
    section: Option<String>,
    text: String,
    lead: Option<String>,
    #[serde(default)]
    co_leads: Vec<Option<String>>,
    #[serde(default)]
    coordinating: Vec<Option<String>>,
    /// The indicators the task serves (their codes in the plan).
    #[serde(default)]
    indicator_codes: Vec<String>,
    start: Option<String>,
    due: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TimelineJson {
    step: i64,
    text: String,
    lead: Option<String>,
    #[serde(default)]
    coordinating: Vec<Option<String>>,
    deadline: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AmountJson {
    year: Option<i64>,
    period: Option<String>,
    dong: i64,
}

impl AmountJson {
    /// The year of an amount; a whole period counts at its last year.
    fn year(&self) -> i64 {
        self.year.unwrap_or_else(|| {
            self.period
                .as_deref()
                .and_then(|p| p.rsplit('-').next())
                .and_then(|y| y.trim().parse().ok())
                .unwrap_or(0)
        })
    }
}

#[derive(Debug, Deserialize)]
struct BudgetJson {
    line: String,
    source_of_funds: String,
    planned_dong: Option<i64>,
    #[serde(default)]
    allocated: Vec<AmountJson>,
    #[serde(default)]
    disbursed: Vec<AmountJson>,
    #[serde(default)]
    source: Option<String>,
}

/// The target form from an extracted value and its qualifier.
fn value_form(t: &TargetJson, unit: &str) -> Option<langnghe_core::plan::Target> {
    use langnghe_core::plan::Target;
    let v = t.value?;
    let percent = unit.trim() == "%";
    let text = t
        .text
        .as_deref()
        .map(langnghe_core::text::fold_vi)
        .unwrap_or_default();
    if text.contains("tang") || text.contains("lan") {
        return None;
    }
    Some(
        match (
            t.qualifier.as_deref().unwrap_or("exact"),
            t.value_max,
            percent,
        ) {
            ("range" | "about", Some(max), false) => Target::Range { min: v, max },
            ("range" | "about", Some(max), true) => Target::PercentRange { min: v, max },
            ("over", _, false) => Target::AtLeast {
                value: v,
                strict: true,
            },
            ("over", _, true) => Target::PercentAtLeast {
                value: v,
                strict: true,
            },
            ("at_least", None, false) => Target::AtLeast {
                value: v,
                strict: false,
            },
            ("at_least", None, true) => Target::PercentAtLeast {
                value: v,
                strict: false,
            },
            ("exact" | "expected" | "about", None, false) => Target::Exact { value: v },
            ("exact" | "expected" | "about", None, true) => Target::Percent { value: v },
            _ => return None,
        },
    )
}

fn fmt_num(v: f64) -> String {
    langnghe_core::vnfmt::format_decimal_trim(v, 3)
}

fn date(s: &str) -> Option<Date> {
    langnghe_core::vnfmt::parse_date(s).ok()
}

/// The plan value an actual implies when the document gives only the result and the
/// rate: plan = result / rate.
fn implied_plan(value: f64, rate: &str) -> Option<f64> {
    let r = langnghe_core::vnfmt::parse_number(rate.trim().trim_end_matches('%').trim()).ok()?;
    (r > 0.0).then(|| value * 100.0 / r)
}

async fn find_or_create_document(db: &Db, actor: &Actor, d: &DocRef) -> Result<Option<i64>> {
    use langnghe_store::registry::spec::Entity;
    use langnghe_store::registry::{Val, Values};
    let Some(number) = d.number.clone().filter(|n| !n.trim().is_empty()) else {
        return Ok(None);
    };
    // Reuse the document if the registry has it (the seeds cite many twice).
    if let Some(id) = registry::document_by_number(db, &number).await? {
        return Ok(Some(id));
    }
    let mut v = Values::new();
    let parsed = langnghe_core::legal_doc::parse_doc_ref(&number).ok();
    v.insert(
        "number",
        Val::Text(
            parsed
                .as_ref()
                .map(|p| p.number.clone())
                .unwrap_or(number.clone()),
        ),
    );
    if let Some(p) = &parsed {
        v.insert("kind", p.kind.clone().map(Val::Text).unwrap_or(Val::Null));
        v.insert(
            "seq",
            p.seq.map(|s| Val::I64(i64::from(s))).unwrap_or(Val::Null),
        );
        v.insert(
            "year",
            p.year.map(|y| Val::I64(i64::from(y))).unwrap_or(Val::Null),
        );
    }
    v.insert(
        "issued_on",
        d.date
            .as_deref()
            .and_then(date)
            .map(Val::Date)
            .unwrap_or(Val::Null),
    );
    v.insert(
        "issuer",
        d.issuer.clone().map(Val::Text).unwrap_or(Val::Null),
    );
    v.insert(
        "title",
        Val::Text(d.title.clone().unwrap_or_else(|| number.clone())),
    );
    match registry::create(db, actor, Entity::Document, None, &v).await {
        Ok(rec) => Ok(rec.get("id").and_then(serde_json::Value::as_i64)),
        Err(StoreError::Conflict(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn agency(db: &Db, key: &Option<String>) -> Result<Option<i64>> {
    match key {
        Some(k) if !k.is_empty() => agencies::id_by_key(db, k).await,
        _ => Ok(None),
    }
}

/// Load the seed plans that are not there yet.
pub async fn ensure_plans(db: &Db) -> Result<usize> {
    let actor = Actor::system("demo");
    let mut added = 0;
    for (name, text) in PLANS {
        let p: PlanJson = serde_json::from_str(text)
            .map_err(|e| StoreError::Data(format!("plan {name}: {e}")))?;
        if programs::id_by_key(db, &p.key).await?.is_some() {
            continue;
        }
        let lead = agency(db, &p.lead_agency).await?;
        // A programme lies in its lead agency's unit (else the province of its key).
        let unit = match lead {
            Some(a) => agencies::get(db, langnghe_store::geo::COUNTRY_ID, a)
                .await?
                .map(|x| x.admin_unit_id),
            None => None,
        };
        let unit = match unit {
            Some(u) => u,
            None => {
                let code = if p.key.starts_with("lc") { "10" } else { "01" };
                geo::by_era_code(db, Era::Old, code)
                    .await?
                    .map(|u| u.id)
                    .ok_or_else(|| StoreError::Data("unit".into()))?
            }
        };
        let document_id = match &p.document {
            Some(d) => find_or_create_document(db, &actor, d).await?,
            None => None,
        };
        let mut basis = vec![];
        for d in &p.legal_basis {
            if let Some(id) = find_or_create_document(db, &actor, d).await? {
                basis.push(id);
            }
        }
        let parent_id = match &p.parent_key {
            Some(k) => programs::id_by_key(db, k).await?,
            None => None,
        };
        let start = date(&p.period_start)
            .ok_or_else(|| StoreError::Data(format!("plan {name}: period_start")))?;
        let end = date(&p.period_end)
            .ok_or_else(|| StoreError::Data(format!("plan {name}: period_end")))?;
        let mut w = db.write(&actor).await?;
        let pid = programs::insert_program(
            &mut w,
            &NewProgram {
                key: Some(p.key.clone()),
                code: p.code.clone(),
                title: p.title.clone(),
                kind: p.kind.clone(),
                document_id,
                period_start: start,
                period_end: end,
                parent_id,
                lead_agency_id: lead,
                admin_unit_id: unit,
                status: p.status.clone(),
                objectives_general: p.objectives_general.clone(),
                objectives_specific: p.objectives_specific.clone(),
                notes: None,
            },
        )
        .await?;
        // Six-monthly and annual due dates, when the plan sets them (first and last of the year).
        if let Some(due) = p.reporting.iter().find_map(|r| r.due.clone()) {
            let mmdd: Vec<String> = due
                .iter()
                .map(|d| d.trim_start_matches('-').to_string())
                .collect();
            if let (Some(h1), Some(annual)) = (mmdd.first(), mmdd.last()) {
                langnghe_store::with_tx!(w.tx(), |c| {
                    sqlx::query(
                    "UPDATE programs SET report_due_first_half = $1, report_due_annual = $2 WHERE id = $3"
                )
                .bind(h1)
                .bind(annual)
                .bind(pid)
                .execute(c)
                .await?
                .rows_affected()
                });
            }
        }
        for b in basis {
            programs::add_legal_basis(w.tx(), pid, b).await?;
        }
        let mut indicator_ids: std::collections::HashMap<String, i64> = Default::default();
        for (i, ind) in p.indicators.iter().enumerate() {
            let iid = programs::insert_indicator(
                &mut w,
                &NewIndicator {
                    program_id: pid,
                    code: ind.code.clone(),
                    name: ind.name.clone(),
                    unit: ind.unit.clone(),
                    aggregation: ind.aggregation.clone(),
                    direction: ind.direction.clone(),
                    baseline_value: ind.baseline.as_ref().and_then(|b| b.value),
                    baseline_year: ind.baseline.as_ref().and_then(|b| b.year),
                    sort_order: i as i64,
                    source: ind.source.clone(),
                    notes: ind.note.clone(),
                },
            )
            .await?;
            indicator_ids.insert(ind.code.clone(), iid);
            if let Some(what) = &ind.computed_from {
                langnghe_store::with_tx!(w.tx(), |c| sqlx::query(
                    "UPDATE indicators SET computed_from = $1 WHERE id = $2"
                )
                .bind(what)
                .bind(iid)
                .execute(c)
                .await?
                .rows_affected());
            }
            for t in &ind.targets {
                let milestone = t
                    .milestone
                    .clone()
                    .or(t.window.clone())
                    .unwrap_or_else(|| p.period_end.chars().take(4).collect());
                // An implied plan value has no wording of its own: write it as officials would.
                let text = match (&t.text, t.value, t.value_max) {
                    (Some(x), _, _) => x.clone(),
                    (None, Some(v), Some(m)) => format!("{}-{}", fmt_num(v), fmt_num(m)),
                    (None, Some(v), None) => fmt_num(v),
                    (None, None, _) => continue,
                };
                // The extracted value (in the indicator's unit, "1,8 triệu" = 1.800.000) wins
                // over re-reading the wording; growth and multiples still come from the text.
                let form = value_form(t, &ind.unit).or_else(|| {
                    langnghe_core::plan::parse_target_with_unit(&text, &ind.unit)
                        .or_else(|_| langnghe_core::plan::parse_target(&text))
                        .ok()
                });
                let form_json = match form {
                    Some(f) => serde_json::to_string(&f).unwrap_or_default(),
                    None => "null".into(),
                };
                let tid = programs::insert_target(
                    &mut w,
                    &NewTarget {
                        indicator_id: iid,
                        parent_id: None,
                        milestone: milestone.clone(),
                        text: text.clone(),
                        form: form_json,
                        cumulative: t.cumulative,
                        dimension: "total".into(),
                        category: t.implied.then(|| "implied".to_string()),
                        admin_unit_id: None,
                        agency_id: None,
                        value: t.value,
                    },
                )
                .await?;
                let _ = &t.note;
                for s in &t.split {
                    programs::insert_target(
                        &mut w,
                        &NewTarget {
                            indicator_id: iid,
                            parent_id: Some(tid),
                            milestone: milestone.clone(),
                            text: s
                                .value
                                .map(|v| langnghe_core::vnfmt::format_decimal_trim(v, 3))
                                .unwrap_or_default(),
                            form: "null".into(),
                            cumulative: t.cumulative,
                            dimension: "category".into(),
                            category: s.key.clone().or(Some(s.by.clone())),
                            admin_unit_id: None,
                            agency_id: None,
                            value: s.value,
                        },
                    )
                    .await?;
                }
                for u in &t.by_unit {
                    let agency_id = agency(db, &u.agency).await?;
                    let unit_id = match &u.unit_code {
                        Some(c) => geo::by_era_code(db, Era::Old, c).await?.map(|x| x.id),
                        None => None,
                    };
                    let text = match &u.value {
                        Some(serde_json::Value::Number(n)) => n.to_string(),
                        Some(serde_json::Value::String(s)) => s.clone(),
                        _ => String::new(),
                    };
                    programs::insert_target(
                        &mut w,
                        &NewTarget {
                            indicator_id: iid,
                            parent_id: Some(tid),
                            milestone: milestone.clone(),
                            text: text.clone(),
                            form: "null".into(),
                            cumulative: t.cumulative,
                            dimension: if agency_id.is_some() {
                                "agency".into()
                            } else {
                                "unit".into()
                            },
                            category: None,
                            admin_unit_id: unit_id,
                            agency_id,
                            value: langnghe_core::vnfmt::parse_number(&text).ok(),
                        },
                    )
                    .await?;
                }
            }
            for a in &ind.actuals {
                // The plan an evaluated result is measured against: the target of its period.
                let period_target = ind.targets.iter().find(|t| {
                    (t.milestone.as_deref() == Some(a.period.as_str())
                        || t.window.as_deref() == Some(a.period.as_str()))
                        && t.value.is_some()
                });
                let plan_value = a.plan.or(period_target.and_then(|t| t.value)).or_else(|| {
                    a.rate_stated
                        .as_deref()
                        .and_then(|r| implied_plan(a.value, r))
                });
                programs::insert_actual(
                    &mut w,
                    &NewActual {
                        indicator_id: iid,
                        period: a.period.clone(),
                        value: a.value,
                        plan_value,
                        plan_implied: a.implied_plan || period_target.is_some_and(|t| t.implied),
                        rate_stated: a.rate_stated.clone(),
                        category: None,
                        source: ind.source.clone(),
                        notes: a.note.clone(),
                    },
                )
                .await?;
            }
        }
        let mut order = 0;
        for t in &p.tasks {
            let lead = agency(db, &t.lead).await?;
            let mut co = vec![];
            for c in &t.coordinating {
                if let Some(id) = agency(db, c).await? {
                    co.push(id);
                }
            }
            let mut co_leads = vec![];
            for c in &t.co_leads {
                if let Some(id) = agency(db, c).await? {
                    co_leads.push(id);
                }
            }
            let tid = programs::insert_task(
                &mut w,
                &NewTask {
                    program_id: pid,
                    section: t.section.clone(),
                    text: t.text.clone(),
                    lead_agency_id: lead,
                    co_leads,
                    coordinating: co,
                    start_on: t.start.as_deref().and_then(date),
                    due_on: t.due.as_deref().and_then(date),
                    sort_order: order,
                    source: t.source.clone(),
                },
            )
            .await?;
            for code in &t.indicator_codes {
                if let Some(iid) = indicator_ids.get(code) {
                    programs::link_task_indicator(w.tx(), tid, *iid).await?;
                }
            }
            order += 1;
        }
        for s in &p.timeline {
            let lead = agency(db, &s.lead).await?;
            let mut co = vec![];
            for c in &s.coordinating {
                if let Some(id) = agency(db, c).await? {
                    co.push(id);
                }
            }
            programs::insert_task(
                &mut w,
                &NewTask {
                    program_id: pid,
                    section: Some(format!("Bước {}", s.step)),
                    text: s.text.clone(),
                    lead_agency_id: lead,
                    co_leads: vec![],
                    coordinating: co,
                    start_on: None,
                    due_on: s.deadline.as_deref().and_then(date),
                    sort_order: order,
                    source: None,
                },
            )
            .await?;
            order += 1;
        }
        for (i, b) in p.budget.iter().enumerate() {
            let mut amounts: Vec<(i64, String, i64)> = b
                .allocated
                .iter()
                .map(|a| (a.year(), "allocation".to_string(), a.dong))
                .collect();
            amounts.extend(
                b.disbursed
                    .iter()
                    .map(|a| (a.year(), "disbursement".to_string(), a.dong)),
            );
            programs::insert_budget_line(
                &mut w,
                &NewBudgetLine {
                    program_id: pid,
                    line: b.line.clone(),
                    source_of_funds: b.source_of_funds.clone(),
                    planned_dong: b.planned_dong,
                    sort_order: i as i64,
                    source: b.source.clone(),
                    amounts,
                },
            )
            .await?;
        }
        if let Some(a) = &p.appendix {
            programs::insert_appendix(
                w.tx(),
                &programs::Appendix {
                    program_id: pid,
                    name: a.name.clone(),
                    title: a.title.clone(),
                    subtitle: a.subtitle.clone(),
                    rows_json: serde_json::to_string(&a.rows).unwrap_or_else(|_| "[]".into()),
                },
            )
            .await?;
        }
        w.commit().await?;
        added += 1;
    }
    Ok(added)
}
