//! The reporting cycle: periods of a programme, one report per responsible
//! unit with its lines (indicator × disaggregation), narrative, attachments,
//! workflow events, consolidation inputs and reminders.
//!
//! Reports are never deleted. Saves use optimistic locking (`version`).

use crate::audit::{Actor, AuditAction, AuditEntity};
use crate::{with_db, with_tx, Arg, Db, Result, Sql, StoreError};
use langnghe_core::report::{self as rules, PeriodKind, ReportAction, ReportState};
use langnghe_core::report_values as values;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;
use time::{Date, OffsetDateTime};

/// NFC and trimmed; lengths and control characters are checked by the web layer.
fn clean(s: &str) -> String {
    langnghe_core::text::nfc(s).trim().to_string()
}

// ---------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Period {
    pub id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    /// `first_half`, `annual` or `ad_hoc`.
    pub kind: String,
    pub year: i64,
    /// The official name, in Vietnamese as opened ("6 tháng đầu năm 2025"); the PDF/DOCX use it.
    pub label: String,
    /// The name in the reader's language ("First half of 2025"); a typed name stays as typed.
    #[sqlx(skip)]
    pub name: String,
    pub data_from: Date,
    pub data_to: Date,
    pub due_on: Date,
    /// The target milestone this period reports against ("2025").
    pub milestone: Option<String>,
    pub remind_days: i64,
    pub jump_factor: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub reports: i64,
    pub submitted: i64,
    pub approved: i64,
    /// Invented by the demo (`serve --demo`): shown as "Dữ liệu mẫu" / "Sample data".
    pub sample: bool,
}

/// `{SUBMITTED}`, `{APPROVED}`: report states from `core` (see `crate::states`).
/// Periods chosen by `cond` (over alias `{a}`, one `?` bound to `arg`) with their
/// report counts: one pass over those periods' reports on the (period, state)
/// index, grouped, then joined (PostgreSQL read every report to hash-join a
/// `LEFT JOIN reports … GROUP BY`; SQLite paid three subqueries a period).
/// Periods with their report counts; `cond` writes the condition on the
/// periods table under the alias it is given (used twice: the counts read only
/// the chosen periods' reports).
fn select_periods(cond: impl Fn(&mut Sql, &str)) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT rp.id, rp.program_id, p.code AS program_code, p.title AS program_title, \
         rp.kind, rp.year, rp.label, rp.data_from, rp.data_to, rp.due_on, rp.milestone, rp.remind_days, \
         rp.jump_factor, rp.created_at, COALESCE(c.reports, 0) AS reports, COALESCE(c.submitted, 0) AS submitted, \
         COALESCE(c.approved, 0) AS approved, rp.sample \
         FROM report_periods rp JOIN programs p ON p.id = rp.program_id \
         LEFT JOIN (SELECT r.period_id, COUNT(*) AS reports, \
           COUNT(CASE WHEN r.state IN ({SUBMITTED}) THEN 1 END) AS submitted, \
           COUNT(CASE WHEN r.state IN ({APPROVED}) THEN 1 END) AS approved \
           FROM reports r WHERE r.period_id IN (SELECT q.id FROM report_periods q WHERE ",
        SUBMITTED = crate::states::report_submitted(),
        APPROVED = crate::states::report_approved(),
    ));
    cond(&mut sql, "q");
    sql.push(
        ") GROUP BY r.period_id) c ON c.period_id = rp.id WHERE ",
        [],
    );
    cond(&mut sql, "rp");
    sql
}

pub async fn periods(db: &Db, program_id: i64) -> Result<Vec<Period>> {
    let mut sql = select_periods(|s, a| {
        s.push(&format!("{a}.program_id = ?"), [Arg::I64(program_id)]);
    });
    sql.push(" ORDER BY rp.data_to DESC, rp.id DESC", []);
    crate::fetch_all(db, &sql).await
}

/// The periods of several programmes in one read, each programme's newest
/// first (as [`periods`] gives them).
pub async fn periods_of(db: &Db, program_ids: &[i64]) -> Result<Vec<Period>> {
    let mut sql = select_periods(|s, a| {
        s.push(&format!("{a}.program_id IN "), []);
        s.push_ids(program_ids);
    });
    sql.push(" ORDER BY rp.program_id, rp.data_to DESC, rp.id DESC", []);
    crate::fetch_all(db, &sql).await
}

pub async fn period(db: &Db, id: i64) -> Result<Option<Period>> {
    let sql = select_periods(|s, a| {
        s.push(&format!("{a}.id = ?"), [Arg::I64(id)]);
    });
    crate::fetch_optional::<Period>(db, &sql).await
}

/// What a coordinator asks for when opening a period.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewPeriod {
    pub program_id: i64,
    pub kind: PeriodKind,
    pub year: i32,
    pub label: String,
    pub data_from: Date,
    pub data_to: Date,
    pub due_on: Date,
    pub remind_days: i64,
    pub jump_factor: f64,
}

/// Who reports what: computed from the plan when a period opens.
#[derive(Debug, Clone, Default)]
pub struct PlanOwnership {
    pub lead_agency_id: Option<i64>,
    /// (indicator, agency) from task leads/co-leads and agency targets.
    pub owners: Vec<(i64, i64)>,
    /// Agencies with tasks in the plan (lead, co-lead or coordinating).
    pub task_agencies: Vec<i64>,
}

#[derive(sqlx::FromRow)]
struct IndicatorRow {
    id: i64,
    computed_from: Option<String>,
}

#[derive(sqlx::FromRow)]
struct TargetLite {
    indicator_id: i64,
    milestone: String,
    text: String,
    dimension: String,
    category: Option<String>,
    admin_unit_id: Option<i64>,
    agency_id: Option<i64>,
    value: Option<f64>,
}

async fn ownership(db: &Db, program_id: i64) -> Result<(PlanOwnership, Vec<TargetLite>)> {
    let lead: Option<i64> = with_db!(db, |c| sqlx::query_scalar(
        "SELECT lead_agency_id FROM programs WHERE id = $1"
    )
    .bind(program_id)
    .fetch_optional(c)
    .await?)
    .flatten();
    let targets: Vec<TargetLite> = with_db!(db, |c| {
        sqlx::query_as(
        "SELECT t.indicator_id, t.milestone, t.text, t.dimension, t.category, t.admin_unit_id, t.agency_id, t.value \
         FROM targets t JOIN indicators i ON i.id = t.indicator_id WHERE i.program_id = $1 ORDER BY t.id"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    });
    // Task leads and co-leads own the indicators their tasks serve.
    let mut owners: Vec<(i64, i64)> = with_db!(db, |c| {
        sqlx::query_as(
        "SELECT ti.indicator_id, t.lead_agency_id FROM task_indicators ti JOIN tasks t ON t.id = ti.task_id \
         WHERE t.program_id = $1 AND t.lead_agency_id IS NOT NULL \
         UNION SELECT ti.indicator_id, ta.agency_id FROM task_indicators ti JOIN tasks t ON t.id = ti.task_id \
         JOIN task_agencies ta ON ta.task_id = t.id AND ta.role = 'co_lead' WHERE t.program_id = $1"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    });
    // Targets split to an agency, or to a unit (its people's committee).
    for t in &targets {
        if let Some(a) = t.agency_id.filter(|_| t.dimension == "agency") {
            owners.push((t.indicator_id, a));
        }
        if let Some(u) = t.admin_unit_id.filter(|_| t.dimension == "unit") {
            let a: Option<i64> = with_db!(db, |c| {
                sqlx::query_scalar(
                "SELECT id FROM agencies WHERE admin_unit_id = $1 AND kind = 'people_committee' ORDER BY id LIMIT 1"
            )
            .bind(u)
            .fetch_optional(c)
            .await?
            });
            if let Some(a) = a {
                owners.push((t.indicator_id, a));
            }
        }
    }
    let task_agencies: Vec<i64> = with_db!(db, |c| {
        sqlx::query_scalar(
        "SELECT lead_agency_id FROM tasks WHERE program_id = $1 AND lead_agency_id IS NOT NULL \
         UNION SELECT ta.agency_id FROM task_agencies ta JOIN tasks t ON t.id = ta.task_id WHERE t.program_id = $1"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    });
    Ok((
        PlanOwnership {
            lead_agency_id: lead,
            owners,
            task_agencies,
        },
        targets,
    ))
}

/// Scope marker of a province-wide target shown on a unit's line
/// (`report_lines.target_scope`); each language says it from the catalogue.
pub const TARGET_SCOPE_PROVINCE: &str = "province";

/// The target a line reports against, as text and number, and whether it is
/// the province-wide target (shared by several units, so no number of its own).
fn line_target(
    targets: &[TargetLite],
    indicator_id: i64,
    milestone: Option<&str>,
    category: &str,
    agency_id: i64,
    agency_unit: i64,
    shared: bool,
) -> (Option<String>, Option<f64>, bool) {
    let Some(m) = milestone else {
        return (None, None, false);
    };
    let mine = targets
        .iter()
        .filter(|t| t.indicator_id == indicator_id && t.milestone == m);
    let mut total = None;
    for t in mine {
        let hit = match t.dimension.as_str() {
            "agency" => t.agency_id == Some(agency_id) && category.is_empty(),
            "unit" => t.admin_unit_id == Some(agency_unit) && category.is_empty(),
            "category" => t.category.as_deref() == Some(category),
            _ => {
                if category.is_empty() {
                    total = Some(t);
                }
                false
            }
        };
        if hit {
            return (Some(format!("{} ({m})", t.text)), t.value, false);
        }
    }
    match total {
        Some(t) if shared => (Some(format!("{} ({m})", t.text)), None, true),
        Some(t) => (Some(format!("{} ({m})", t.text)), t.value, false),
        None => (None, None, false),
    }
}

/// Count what the records say for a computed indicator in an area and date range.
pub async fn compute(
    db: &Db,
    what: &str,
    indicator_id: i64,
    area_unit_id: i64,
    from: Date,
    to: Date,
) -> Result<Option<f64>> {
    let area =
        |alias: &str| crate::geo::within(&format!("{alias}.admin_unit_id"), area_unit_id, "$1");
    let (v_area, k_area, p_area) = (area("v"), area("k"), area("p"));
    let (e_area, a_area, x_area) = (area("e"), area("a"), area("x"));
    let q = match what {
        "villages_recognised" => format!(
            "SELECT COUNT(*) FROM villages v JOIN legal_documents d ON d.id = v.recognition_doc_id \
             WHERE v.status = 'recognised' AND {v_area} AND d.issued_on BETWEEN $2 AND $3"
        ),
        "traditional_villages_recognised" => format!(
            "SELECT COUNT(*) FROM villages v JOIN legal_documents d ON d.id = v.recognition_doc_id \
             WHERE v.status = 'traditional' AND {v_area} AND d.issued_on BETWEEN $2 AND $3"
        ),
        "crafts_recognised" => format!(
            "SELECT COUNT(*) FROM crafts k JOIN legal_documents d ON d.id = k.recognition_doc_id \
             WHERE {k_area} AND d.issued_on BETWEEN $2 AND $3"
        ),
        "ocop_products" => format!(
            "SELECT COUNT(*) FROM products p WHERE {p_area} AND p.ocop_certified_on BETWEEN $2 AND $3"
        ),
        "environment_samples" => format!(
            "SELECT CAST(COALESCE(SUM(COALESCE(water_samples, 0) + COALESCE(air_samples, 0)), 0) AS BIGINT) \
             FROM environment_assessments e WHERE {e_area} AND e.assessed_on BETWEEN $2 AND $3"
        ),
        // Support schemes: contents accepted in the period that count towards this indicator.
        "scheme_supported" => format!(
            "SELECT COUNT(*) FROM contract_items ci JOIN contracts k ON k.id = ci.contract_id \
             JOIN applications a ON a.id = k.application_id \
             JOIN scheme_contents sc ON sc.scheme_id = a.scheme_id AND sc.key = ci.content_key \
             WHERE {a_area} AND ci.accepted_on BETWEEN $2 AND $3 AND sc.indicator_id = $4"
        ),
        // Activities recorded against this indicator (classes, fairs, designs).
        "activities" => format!(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM activities x \
             WHERE {x_area} AND x.held_on BETWEEN $2 AND $3 AND x.indicator_id = $4"
        ),
        _ => return Ok(None),
    };
    if matches!(what, "scheme_supported" | "activities") {
        let n: i64 = with_db!(db, |c| sqlx::query_scalar(&q)
            .bind(area_unit_id)
            .bind(from)
            .bind(to)
            .bind(indicator_id)
            .fetch_one(c)
            .await?);
        return Ok(Some(n as f64));
    }
    let n: i64 = with_db!(db, |c| sqlx::query_scalar(&q)
        .bind(area_unit_id)
        .bind(from)
        .bind(to)
        .fetch_one(c)
        .await?);
    Ok(Some(n as f64))
}

/// Whether support schemes or activities count towards an indicator.
async fn fed_by_records(db: &Db, indicator_id: i64) -> Result<bool> {
    let n: i64 = with_db!(db, |c| {
        sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM scheme_contents WHERE indicator_id = $1) + (SELECT COUNT(*) FROM activities WHERE indicator_id = $1)"
    )
    .bind(indicator_id)
    .fetch_one(c)
    .await?
    });
    Ok(n > 0)
}

/// The computation for one line: `computed_from` is either one name for the
/// whole indicator or `CAT=name;CAT=name` per category.
fn computation_for(computed_from: &str, category: &str) -> Option<String> {
    let s = computed_from.trim();
    if s.is_empty() {
        return None;
    }
    if !s.contains('=') {
        return category.is_empty().then(|| s.to_string());
    }
    s.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.trim() == category).then(|| v.trim().to_string())
    })
}

/// Open a period: create it and one report per responsible unit, each with
/// the lines that unit owns. All or nothing.
pub async fn open_period(db: &Db, actor: &Actor, p: &NewPeriod) -> Result<(i64, usize)> {
    if p.label.trim().is_empty() {
        return Err(StoreError::Invalid("label".into()));
    }
    let (own, targets) = ownership(db, p.program_id).await?;
    let indicators: Vec<IndicatorRow> = with_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, computed_from FROM indicators WHERE program_id = $1 ORDER BY sort_order, id"
    )
    .bind(p.program_id)
    .fetch_all(c)
    .await?
    });
    // Milestone: from the targets' milestones.
    let mut milestones: Vec<String> = targets.iter().map(|t| t.milestone.clone()).collect();
    milestones.sort();
    milestones.dedup();
    let milestone = values::milestone_for(p.year, &milestones);

    // agency → indicators it owns (in plan order); unowned go to the lead.
    let mut assign: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for a in &own.task_agencies {
        assign.entry(*a).or_default();
    }
    for ind in &indicators {
        let mut os: Vec<i64> = own
            .owners
            .iter()
            .filter(|(i, _)| *i == ind.id)
            .map(|(_, a)| *a)
            .collect();
        os.sort_unstable();
        os.dedup();
        if os.is_empty() {
            if let Some(l) = own.lead_agency_id {
                os.push(l);
            }
        }
        for a in os {
            assign.entry(a).or_default().push(ind.id);
        }
    }
    if let Some(l) = own.lead_agency_id {
        assign.entry(l).or_default();
    }
    let owners_of = |ind: i64| assign.values().filter(|v| v.contains(&ind)).count();
    let previous = previous_values(db, p.program_id, p.data_from).await?;

    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let period_id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO report_periods (program_id, kind, year, label, data_from, data_to, due_on, milestone, remind_days, jump_factor, opened_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
    )
    .bind(p.program_id)
    .bind(p.kind.as_str())
    .bind(i64::from(p.year))
    .bind(p.label.trim())
    .bind(p.data_from)
    .bind(p.data_to)
    .bind(p.due_on)
    .bind(&milestone)
    .bind(p.remind_days)
    .bind(p.jump_factor)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(StoreError::from)
    .map_err(|e| e.on_unique("year"))?
    });
    w.created(AuditEntity::ReportPeriod, period_id, p).await?;
    let mut n = 0;
    for (agency_id, inds) in &assign {
        let unit: i64 = with_tx!(w.tx(), |c| sqlx::query_scalar(
            "SELECT admin_unit_id FROM agencies WHERE id = $1"
        )
        .bind(agency_id)
        .fetch_one(c)
        .await?);
        let rid: i64 = with_tx!(w.tx(), |c| {
            sqlx::query_scalar(
            "INSERT INTO reports (period_id, agency_id, admin_unit_id, state, version, updated_at, created_at) \
             VALUES ($1, $2, $3, $5, 1, $4, $4) RETURNING id"
        )
        .bind(period_id)
        .bind(agency_id)
        .bind(unit)
        .bind(now)
        .bind(ReportState::Draft.as_str())
        .fetch_one(c)
        .await?
        });
        n += 1;
        let mut order = 0i64;
        for ind_id in inds {
            let Some(ind) = indicators.iter().find(|i| i.id == *ind_id) else {
                continue;
            };
            let mut cats: Vec<String> = targets
                .iter()
                .filter(|t| t.indicator_id == ind.id && t.dimension == "category")
                .filter_map(|t| t.category.clone())
                .collect();
            let mut seen = std::collections::HashSet::new();
            cats.retain(|c| seen.insert(c.clone()));
            let mut line_cats = vec![String::new()];
            line_cats.extend(cats);
            let shared = owners_of(ind.id) > 1;
            for cat in line_cats {
                let (target_text, target_value, province_wide) = line_target(
                    &targets,
                    ind.id,
                    milestone.as_deref(),
                    &cat,
                    *agency_id,
                    unit,
                    shared,
                );
                let prev = previous.get(&(*agency_id, ind.id, cat.clone())).copied();
                let computed = match ind
                    .computed_from
                    .as_deref()
                    .and_then(|c| computation_for(c, &cat))
                {
                    Some(what) => compute(db, &what, ind.id, unit, p.data_from, p.data_to).await?,
                    // Indicators fed by support schemes or activities are pre-filled from them.
                    None if cat.is_empty() && fed_by_records(db, ind.id).await? => {
                        let a =
                            compute(db, "scheme_supported", ind.id, unit, p.data_from, p.data_to)
                                .await?;
                        let b =
                            compute(db, "activities", ind.id, unit, p.data_from, p.data_to).await?;
                        Some(a.unwrap_or(0.0) + b.unwrap_or(0.0))
                    }
                    None => None,
                };
                let text = computed
                    .map(|v| langnghe_core::vnfmt::format_decimal_trim(v, 3))
                    .unwrap_or_default();
                let source = if computed.is_some() {
                    "computed"
                } else {
                    "entered"
                };
                with_tx!(w.tx(), |c| {
                    sqlx::query(
                    "INSERT INTO report_lines (report_id, indicator_id, category, sort_order, target_text, target_value, previous_value, value_text, value, computed_value, source, target_scope) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                )
                .bind(rid)
                .bind(ind.id)
                .bind(&cat)
                .bind(order)
                .bind(&target_text)
                .bind(target_value)
                .bind(prev)
                .bind(&text)
                .bind(computed)
                .bind(computed)
                .bind(source)
                .bind(province_wide.then_some(TARGET_SCOPE_PROVINCE))
                .execute(c)
                .await?
                .rows_affected()
                });
                order += 1;
            }
        }
    }
    w.commit().await?;
    Ok((period_id, n))
}

/// Last known value per (agency, indicator, category) before `before`.
async fn previous_values(
    db: &Db,
    program_id: i64,
    before: Date,
) -> Result<HashMap<(i64, i64, String), f64>> {
    let rows: Vec<(i64, i64, String, f64)> = with_db!(db, |c| sqlx::query_as(
        "SELECT r.agency_id, l.indicator_id, l.category, l.value FROM report_lines l \
         JOIN reports r ON r.id = l.report_id JOIN report_periods rp ON rp.id = r.period_id \
         WHERE rp.program_id = $1 AND rp.data_to < $2 AND l.value IS NOT NULL \
         AND r.state IN ($3, $4, $5) ORDER BY rp.data_to, rp.id"
    )
    .bind(program_id)
    .bind(before)
    .bind(ReportState::SUBMITTED[0].as_str())
    .bind(ReportState::SUBMITTED[1].as_str())
    .bind(ReportState::SUBMITTED[2].as_str())
    .fetch_all(c)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(a, i, c, v)| ((a, i, c), v))
        .collect())
}

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub period_id: i64,
    /// The period's official (Vietnamese) name.
    pub period_label: String,
    /// The period's name in the reader's language.
    #[sqlx(skip)]
    pub period_name: String,
    pub period_kind: String,
    pub due_on: Date,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub agency_id: i64,
    pub agency_name: String,
    pub admin_unit_id: i64,
    pub unit_name: String,
    /// draft, submitted, returned, approved, locked.
    pub state: String,
    /// Send it back with a save (optimistic locking).
    pub version: i64,
    pub results: String,
    pub difficulties: String,
    pub causes: String,
    pub proposals: String,
    pub return_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_submitted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub updated_by: Option<String>,
    /// Its period is sample data of the demo (see [`Period::sample`]).
    pub sample: bool,
}

const SELECT_REPORT: &str = "SELECT r.id, r.period_id, rp.label AS period_label, rp.kind AS period_kind, rp.due_on, \
    rp.program_id, p.code AS program_code, p.title AS program_title, r.agency_id, a.name AS agency_name, \
    r.admin_unit_id, u.name AS unit_name, r.state, r.version, r.results, r.difficulties, r.causes, r.proposals, \
    r.return_reason, r.submitted_at, r.first_submitted_at, r.approved_at, r.updated_at, r.updated_by, rp.sample \
    FROM reports r JOIN report_periods rp ON rp.id = r.period_id JOIN programs p ON p.id = rp.program_id \
    JOIN agencies a ON a.id = r.agency_id JOIN admin_units u ON u.id = r.admin_unit_id";

/// Who may see which reports.
#[derive(Debug, Clone, Copy)]
pub struct ReportScope {
    /// The user's geographic scope (programmes inside it).
    pub scope_id: i64,
    /// Officers see their own agency's reports only.
    pub own_agency: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ReportFilter {
    pub period_id: Option<i64>,
    pub program_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub state: Option<String>,
    /// Reports of this unit and the units inside it.
    pub unit_id: Option<i64>,
}

fn scoped_reports(select: &str, scope: ReportScope, f: &ReportFilter) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" WHERE 1 = 1", []);
    // A unit's own reports wherever the programme is run from; others: programmes in scope.
    if let Some(a) = scope.own_agency {
        sql.push(" AND r.agency_id = ?", [Arg::I64(a)]);
    } else if scope.scope_id != crate::geo::COUNTRY_ID {
        sql.push(
            " AND EXISTS (SELECT 1 FROM admin_unit_cover c WHERE c.scope_id = ? AND c.unit_id = p.admin_unit_id)",
            [Arg::I64(scope.scope_id)],
        );
    }
    if let Some(x) = f.period_id {
        sql.push(" AND r.period_id = ?", [Arg::I64(x)]);
    }
    if let Some(x) = f.program_id {
        sql.push(" AND rp.program_id = ?", [Arg::I64(x)]);
    }
    if let Some(x) = f.agency_id {
        sql.push(" AND r.agency_id = ?", [Arg::I64(x)]);
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        sql.push(" AND r.state = ?", [Arg::Text(s.to_string())]);
    }
    if let Some(u) = f.unit_id {
        sql.push(
            " AND EXISTS (SELECT 1 FROM admin_unit_cover c WHERE c.scope_id = ? AND c.unit_id = r.admin_unit_id)",
            [Arg::I64(u)],
        );
    }
    sql
}

pub async fn list_reports(
    db: &Db,
    scope: ReportScope,
    f: &ReportFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Report>, i64)> {
    let mut sql = scoped_reports(SELECT_REPORT, scope, f);
    sql.push(
        " ORDER BY rp.due_on DESC, a.name, r.id LIMIT ? OFFSET ?",
        [Arg::I64(limit), Arg::I64(offset)],
    );
    let count = scoped_reports(
        "SELECT COUNT(*) FROM reports r JOIN report_periods rp ON rp.id = r.period_id \
         JOIN programs p ON p.id = rp.program_id JOIN agencies a ON a.id = r.agency_id",
        scope,
        f,
    );
    crate::fetch_page::<Report>(db, &sql, &count).await
}

/// Every report of a filter, without a page or a count (a period's reports,
/// consolidated or listed whole).
pub async fn all_reports(db: &Db, scope: ReportScope, f: &ReportFilter) -> Result<Vec<Report>> {
    let mut sql = scoped_reports(SELECT_REPORT, scope, f);
    sql.push(" ORDER BY rp.due_on DESC, a.name, r.id", []);
    crate::fetch_all(db, &sql).await
}

/// Every unit that holds a report (a reporting unit or one containing it): a
/// report list filter reads a name as one of these first.
pub async fn units_holding_reports(db: &Db) -> Result<Vec<i64>> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT DISTINCT c.scope_id FROM admin_unit_cover c \
         WHERE c.unit_id IN (SELECT r.admin_unit_id FROM reports r)"
    )
    .fetch_all(c)
    .await?))
}

pub async fn get_report(db: &Db, scope: ReportScope, id: i64) -> Result<Option<Report>> {
    let mut sql = scoped_reports(SELECT_REPORT, scope, &ReportFilter::default());
    sql.push(" AND r.id = ?", [Arg::I64(id)]);
    crate::fetch_optional::<Report>(db, &sql).await
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct Line {
    pub id: i64,
    pub indicator_id: i64,
    pub indicator_code: String,
    pub indicator_name: String,
    pub unit: String,
    pub aggregation: String,
    /// `""` for the indicator's total, else the category key (LN, NTT…).
    pub category: String,
    /// The target as the plan words it, with its milestone ("25 (2025)").
    pub target_text: Option<String>,
    /// `province` when the target is the province's, shared by several units.
    pub target_scope: Option<String>,
    /// The target as the reader reads it ("Province-wide: 25 (2025)"); filled by the web layer.
    #[sqlx(skip)]
    pub target_shown: Option<String>,
    pub target_value: Option<f64>,
    pub previous_value: Option<f64>,
    /// As typed (kept even when it is not a number yet).
    pub value_text: String,
    pub value: Option<f64>,
    /// What the records say, when the indicator is computed from them.
    pub computed_value: Option<f64>,
    /// `computed` while the value is the one computed from records.
    pub source: String,
    pub comment: String,
}

pub async fn lines(db: &Db, report_id: i64) -> Result<Vec<Line>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT l.id, l.indicator_id, i.code AS indicator_code, i.name AS indicator_name, i.unit, i.aggregation, \
         l.category, l.target_text, l.target_scope, l.target_value, l.previous_value, l.value_text, l.value, l.computed_value, l.source, l.comment \
         FROM report_lines l JOIN indicators i ON i.id = l.indicator_id WHERE l.report_id = $1 ORDER BY l.sort_order, l.id"
    )
    .bind(report_id)
    .fetch_all(c)
    .await?
    }))
}

/// Check the lines as they stand (or as about to be saved).
pub fn check(lines: &[Line], jump_factor: f64) -> Vec<values::Finding> {
    let labels: Vec<String> = lines.iter().map(line_label).collect();
    let checks: Vec<values::LineCheck<'_>> = lines
        .iter()
        .zip(&labels)
        .map(|(l, label)| values::LineCheck {
            indicator_id: l.indicator_id,
            category: &l.category,
            label,
            unit: &l.unit,
            value_text: &l.value_text,
            previous: l.previous_value,
            comment: &l.comment,
        })
        .collect();
    values::check_lines(&checks, jump_factor)
}

/// "I.2.1 (LN)" — how a line is named in messages and in the spreadsheet.
pub fn line_label(l: &Line) -> String {
    if l.category.is_empty() {
        l.indicator_code.clone()
    } else {
        format!("{} ({})", l.indicator_code, l.category)
    }
}

/// What a save changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReportInput {
    /// The version read; a save against an older one is a conflict.
    pub version: i64,
    pub results: Option<String>,
    pub difficulties: Option<String>,
    pub causes: Option<String>,
    pub proposals: Option<String>,
    #[serde(default)]
    pub lines: Vec<LineInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LineInput {
    pub id: i64,
    /// The value as typed, Vietnamese format ("17.800", "71,2"); blank clears it.
    pub value: Option<String>,
    pub comment: Option<String>,
}

/// The outcome of a save that lost the race: what is stored now.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub current: Report,
    pub current_lines: Vec<Line>,
}

#[derive(Debug)]
pub enum SaveError {
    Conflict(Box<Conflict>),
    Store(StoreError),
}

impl From<StoreError> for SaveError {
    fn from(e: StoreError) -> Self {
        SaveError::Store(e)
    }
}
impl From<sqlx::Error> for SaveError {
    fn from(e: sqlx::Error) -> Self {
        SaveError::Store(StoreError::Db(e))
    }
}

/// Apply an input to the report's lines in memory (for checks before saving).
pub fn apply_input(lines: &mut [Line], input: &ReportInput) -> Result<()> {
    for li in &input.lines {
        let Some(l) = lines.iter_mut().find(|l| l.id == li.id) else {
            return Err(StoreError::Invalid(format!("line {}", li.id)));
        };
        if let Some(v) = &li.value {
            let v = clean(v);
            l.value = values::parse_value(&v).ok().flatten();
            if l.value_text.trim() != v.trim() {
                l.source = if l.computed_value.is_some() && l.value == l.computed_value {
                    "computed".into()
                } else {
                    "entered".into()
                };
            }
            l.value_text = v;
        }
        if let Some(c) = &li.comment {
            l.comment = clean(c);
        }
    }
    Ok(())
}

/// Save a draft or returned report. Invalid values are stored as typed (their
/// number stays empty) so nothing is lost; submission checks them.
pub async fn save(
    db: &Db,
    actor: &Actor,
    report: &Report,
    input: &ReportInput,
) -> std::result::Result<i64, SaveError> {
    let mut ls = lines(db, report.id).await?;
    apply_input(&mut ls, input)?;
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let text = |new: &Option<String>, old: &str| {
        new.as_deref().map(clean).unwrap_or_else(|| old.to_string())
    };
    let results = text(&input.results, &report.results);
    let difficulties = text(&input.difficulties, &report.difficulties);
    let causes = text(&input.causes, &report.causes);
    let proposals = text(&input.proposals, &report.proposals);
    let n = with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE reports SET results = $1, difficulties = $2, causes = $3, proposals = $4, version = version + 1, \
         updated_at = $5, updated_by = $6 WHERE id = $7 AND version = $8"
    )
    .bind(&results)
    .bind(&difficulties)
    .bind(&causes)
    .bind(&proposals)
    .bind(now)
    .bind(&actor.name)
    .bind(report.id)
    .bind(input.version)
    .execute(c)
    .await?
    .rows_affected()
    });
    if n == 0 {
        drop(w);
        let scope = ReportScope {
            scope_id: crate::geo::COUNTRY_ID,
            own_agency: None,
        };
        let current = get_report(db, scope, report.id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let current_lines = lines(db, report.id).await?;
        return Err(SaveError::Conflict(Box::new(Conflict {
            current,
            current_lines,
        })));
    }
    for l in &ls {
        with_tx!(w.tx(), |c| {
            sqlx::query(
            "UPDATE report_lines SET value_text = $1, value = $2, source = $3, comment = $4 WHERE id = $5 AND report_id = $6"
        )
        .bind(&l.value_text)
        .bind(l.value)
        .bind(&l.source)
        .bind(&l.comment)
        .bind(l.id)
        .bind(report.id)
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    #[derive(Serialize)]
    struct Saved<'a> {
        version: i64,
        input: &'a ReportInput,
    }
    w.audit::<(), _>(
        AuditAction::Update,
        AuditEntity::Report,
        report.id,
        None,
        Some(&Saved {
            version: input.version + 1,
            input,
        }),
    )
    .await?;
    w.commit().await?;
    Ok(input.version + 1)
}

/// Move a report along its life cycle; records the event and audits it.
/// The caller has checked the rules (`core::report::transition`) and, for a
/// submission, the findings.
pub async fn set_state(
    db: &Db,
    actor: &Actor,
    report: &Report,
    action: ReportAction,
    to: ReportState,
    reason: Option<&str>,
) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let reason = reason.map(clean).filter(|r| !r.trim().is_empty());
    let mut sql2 = Sql::new("UPDATE reports SET state = ");
    sql2.push(
        "?, version = version + 1, updated_at = ?, updated_by = ?",
        [
            Arg::Text(to.as_str().into()),
            Arg::Time(now),
            Arg::Text(actor.name.clone()),
        ],
    );
    match action {
        ReportAction::Submit => {
            sql2.push(", submitted_at = ?, return_reason = NULL", [Arg::Time(now)]);
            sql2.push(
                ", first_submitted_at = COALESCE(first_submitted_at, ?)",
                [Arg::Time(now)],
            );
        }
        ReportAction::Return | ReportAction::Reopen => {
            sql2.push(
                ", return_reason = ?, approved_at = NULL",
                [reason.clone().map(Arg::Text).unwrap_or(Arg::NullText)],
            );
        }
        ReportAction::Approve => {
            sql2.push(", approved_at = ?", [Arg::Time(now)]);
        }
        _ => {}
    }
    sql2.push(
        " WHERE id = ? AND state = ?",
        [Arg::I64(report.id), Arg::Text(report.state.clone())],
    );
    let n = with_tx!(w.tx(), |c| crate::bind_args!(
        sqlx::query(&sql2.text),
        sql2.args
    )
    .execute(c)
    .await?
    .rows_affected());
    if n == 0 {
        return Err(StoreError::StateChanged);
    }
    if ReportState::text_is_approved(&report.state) != ReportState::text_is_approved(to.as_str()) {
        refresh_totals(w.tx(), report.period_id).await?;
    }
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "INSERT INTO report_events (report_id, action, from_state, to_state, reason, actor_id, actor_name, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(report.id)
    .bind(action.as_str())
    .bind(&report.state)
    .bind(to.as_str())
    .bind(&reason)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
    });
    #[derive(Serialize)]
    struct Move<'a> {
        action: &'a str,
        from: &'a str,
        to: &'a str,
        reason: Option<&'a str>,
    }
    w.audit::<(), _>(
        AuditAction::from(action),
        AuditEntity::Report,
        report.id,
        None,
        Some(&Move {
            action: action.as_str(),
            from: &report.state,
            to: to.as_str(),
            reason: reason.as_deref(),
        }),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub reason: Option<String>,
    pub actor_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

pub async fn events(db: &Db, report_id: i64) -> Result<Vec<Event>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, action, from_state, to_state, reason, actor_name, at FROM report_events WHERE report_id = $1 ORDER BY id"
    )
    .bind(report_id)
    .fetch_all(c)
    .await?
    }))
}

// ---------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub file_name: String,
    pub file_type: String,
    pub size: i64,
    pub uploaded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

pub async fn attachments(db: &Db, report_id: i64) -> Result<Vec<Attachment>> {
    Ok(with_db!(db, |c| sqlx::query_as(
        "SELECT id, file_name, file_type, size, uploaded_by, created_at FROM report_attachments \
         WHERE report_id = $1 AND removed_at IS NULL ORDER BY id"
    )
    .bind(report_id)
    .fetch_all(c)
    .await?))
}

pub async fn add_attachment(
    db: &Db,
    actor: &Actor,
    report_id: i64,
    file_name: &str,
    file_type: &str,
    bytes: &[u8],
) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO report_attachments (report_id, file_name, file_type, size, bytes, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(report_id)
    .bind(file_name)
    .bind(file_type)
    .bind(bytes.len() as i64)
    .bind(bytes)
    .bind(&actor.name)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    #[derive(Serialize)]
    struct Att<'a> {
        report_id: i64,
        file_name: &'a str,
        size: usize,
    }
    w.audit::<(), _>(
        AuditAction::Attach,
        AuditEntity::Report,
        report_id,
        None,
        Some(&Att {
            report_id,
            file_name,
            size: bytes.len(),
        }),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// (name, type, bytes) of an attachment of a report.
pub async fn attachment_file(
    db: &Db,
    report_id: i64,
    id: i64,
) -> Result<Option<(String, String, Vec<u8>)>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT file_name, file_type, bytes FROM report_attachments WHERE id = $1 AND report_id = $2 AND removed_at IS NULL"
    )
    .bind(id)
    .bind(report_id)
    .fetch_optional(c)
    .await?
    }))
}

/// Take an attachment off a report (kept in the store, marked removed).
pub async fn remove_attachment(db: &Db, actor: &Actor, report_id: i64, id: i64) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let n = with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE report_attachments SET removed_at = $1 WHERE id = $2 AND report_id = $3 AND removed_at IS NULL"
    )
    .bind(now)
    .bind(id)
    .bind(report_id)
    .execute(c)
    .await?
    .rows_affected()
    });
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    w.audit::<(), _>(
        AuditAction::Detach,
        AuditEntity::Report,
        report_id,
        None,
        Some(&id),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Consolidation inputs
// ---------------------------------------------------------------------------

/// One approved (or locked) line, with its unit, for consolidation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CountedValue {
    pub period_id: i64,
    pub report_id: i64,
    pub agency_id: i64,
    pub agency_name: String,
    pub admin_unit_id: i64,
    pub indicator_id: i64,
    pub category: String,
    pub value: f64,
}

/// Values of approved and locked reports of a programme's periods ending by `to`.
pub async fn counted_values(db: &Db, program_id: i64, to: Date) -> Result<Vec<CountedValue>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT r.period_id, r.id AS report_id, r.agency_id, a.name AS agency_name, r.admin_unit_id, \
         l.indicator_id, l.category, l.value FROM report_lines l JOIN reports r ON r.id = l.report_id \
         JOIN report_periods rp ON rp.id = r.period_id JOIN agencies a ON a.id = r.agency_id \
         WHERE rp.program_id = $1 AND rp.data_to <= $2 AND r.state IN ($3, $4) AND l.value IS NOT NULL"
    )
    .bind(program_id)
    .bind(to)
    .bind(ReportState::APPROVED[0].as_str())
    .bind(ReportState::APPROVED[1].as_str())
    .fetch_all(c)
    .await?
    }))
}

/// A period's consolidated figure of one indicator line, as `period_totals`
/// keeps it: the sum of the counted units' values and how many units counted.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PeriodTotal {
    pub period_id: i64,
    pub indicator_id: i64,
    /// "" for the indicator's total.
    pub category: String,
    pub value_sum: f64,
    pub value_n: i64,
}

/// The totals of one period recomputed from its approved and locked reports'
/// lines (`$1` is the period): category lines as stated, and per report the
/// total line, else the sum of its category lines when every one is filled.
/// The same text fills `period_totals` (migration 0012 for every period).
static TOTALS_OF_PERIOD: LazyLock<String> = LazyLock::new(|| {
    let approved = crate::states::report_approved();
    format!(
        "SELECT r.period_id, l.indicator_id, l.category, SUM(l.value) AS value_sum, COUNT(*) AS value_n \
         FROM report_lines l JOIN reports r ON r.id = l.report_id \
         WHERE r.period_id = $1 AND r.state IN ({approved}) AND l.category <> '' AND l.value IS NOT NULL \
         GROUP BY r.period_id, l.indicator_id, l.category \
         UNION ALL \
         SELECT t.period_id, t.indicator_id, '' AS category, SUM(t.v) AS value_sum, COUNT(*) AS value_n FROM ( \
           SELECT r.period_id, l.indicator_id, \
             COALESCE(MAX(CASE WHEN l.category = '' THEN l.value END), \
               CASE WHEN COUNT(CASE WHEN l.category <> '' THEN 1 END) > 0 \
                     AND COUNT(CASE WHEN l.category <> '' THEN 1 END) = COUNT(CASE WHEN l.category <> '' THEN l.value END) \
                    THEN SUM(CASE WHEN l.category <> '' THEN l.value END) END) AS v \
           FROM report_lines l JOIN reports r ON r.id = l.report_id \
           WHERE r.period_id = $1 AND r.state IN ({approved}) \
           GROUP BY r.period_id, l.report_id, l.indicator_id \
         ) t WHERE t.v IS NOT NULL GROUP BY t.period_id, t.indicator_id"
    )
});

static INSERT_TOTALS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO period_totals (period_id, indicator_id, category, value_sum, value_n) {}",
        TOTALS_OF_PERIOD.as_str()
    )
});

/// Recompute `period_totals` of one period inside the caller's transaction:
/// whatever changes which reports count (a state moving into or out of
/// approved / locked) calls it before committing.
pub async fn refresh_totals(tx: &mut crate::Tx, period_id: i64) -> Result<()> {
    with_tx!(tx, |c| {
        // One refresh of a period at a time: on PostgreSQL two approvals in the
        // same period wait here for each other, so the second recomputes after
        // the first committed (SQLite has one writer anyway).
        sqlx::query("UPDATE report_periods SET id = id WHERE id = $1")
            .bind(period_id)
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM period_totals WHERE period_id = $1")
            .bind(period_id)
            .execute(&mut *c)
            .await?;
        sqlx::query(INSERT_TOTALS.as_str())
            .bind(period_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// The totals of one period recomputed from the lines now (what
/// `period_totals` must hold; the test of the kept figures compares them).
pub async fn recomputed_totals(db: &Db, period_id: i64) -> Result<Vec<PeriodTotal>> {
    let sql = format!(
        "SELECT * FROM ({}) x ORDER BY indicator_id, category",
        TOTALS_OF_PERIOD.as_str()
    );
    Ok(with_db!(db, |c| sqlx::query_as(&sql)
        .bind(period_id)
        .fetch_all(c)
        .await?))
}

/// The kept totals of the given periods; `total_only`: the indicators' total
/// lines only (category '').
pub async fn totals_of_periods(
    db: &Db,
    period_ids: &[i64],
    total_only: bool,
) -> Result<Vec<PeriodTotal>> {
    if period_ids.is_empty() {
        return Ok(vec![]);
    }
    let mut sql = Sql::new(
        "SELECT t.period_id, t.indicator_id, t.category, t.value_sum, t.value_n FROM period_totals t \
         WHERE t.period_id IN ",
    );
    sql.push_ids(period_ids);
    if total_only {
        sql.push(" AND t.category = ''", []);
    }
    Ok(with_db!(db, |c| crate::bind_args!(
        sqlx::query_as::<_, PeriodTotal>(&sql.text),
        sql.args
    )
    .fetch_all(c)
    .await?))
}

/// One value of an approved (or locked) report of a period.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PeriodValue {
    pub report_id: i64,
    pub indicator_id: i64,
    pub category: String,
    pub value: f64,
}

/// The counted values of one period only (the breakdown per unit): the lines
/// alone, the reports' names apart ([`approved_reports`]).
pub async fn period_values(db: &Db, period_id: i64) -> Result<Vec<PeriodValue>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
            "SELECT l.report_id, l.indicator_id, l.category, l.value FROM reports r \
             JOIN report_lines l ON l.report_id = r.id \
             WHERE r.period_id = $1 AND r.state IN ($2, $3) AND l.value IS NOT NULL",
        )
        .bind(period_id)
        .bind(ReportState::APPROVED[0].as_str())
        .bind(ReportState::APPROVED[1].as_str())
        .fetch_all(c)
        .await?
    }))
}

/// (report, agency name, admin unit) of a period's approved and locked reports.
pub async fn approved_reports(db: &Db, period_id: i64) -> Result<Vec<(i64, String, i64)>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
            "SELECT r.id, a.name, r.admin_unit_id FROM reports r JOIN agencies a ON a.id = r.agency_id \
             WHERE r.period_id = $1 AND r.state IN ($2, $3)",
        )
        .bind(period_id)
        .bind(ReportState::APPROVED[0].as_str())
        .bind(ReportState::APPROVED[1].as_str())
        .fetch_all(c)
        .await?
    }))
}

/// Narrative of the approved reports of a period, per unit.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Narrative {
    pub report_id: i64,
    pub agency_name: String,
    pub results: String,
    pub difficulties: String,
    pub causes: String,
    pub proposals: String,
}

pub async fn narratives(db: &Db, period_id: i64) -> Result<Vec<Narrative>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT r.id AS report_id, a.name AS agency_name, r.results, r.difficulties, r.causes, r.proposals \
         FROM reports r JOIN agencies a ON a.id = r.agency_id \
         WHERE r.period_id = $1 AND r.state IN ($2, $3) ORDER BY a.name"
    )
    .bind(period_id)
    .bind(ReportState::APPROVED[0].as_str())
    .bind(ReportState::APPROVED[1].as_str())
    .fetch_all(c)
    .await?
    }))
}

// ---------------------------------------------------------------------------
// Reminders
// ---------------------------------------------------------------------------

/// A report still to come in, with who should hear about it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub report_id: i64,
    pub period_id: i64,
    pub due_on: Date,
    pub period_label: String,
    pub program_code: String,
    pub agency_name: String,
    pub user_id: i64,
    pub email: Option<String>,
    pub lang: String,
    /// Days before the due date reminders start.
    pub remind_days: i64,
}

/// Reports not yet submitted whose due date is within their period's
/// reminder window of `today` (or passed), with the active users of the unit.
pub async fn due_soon(db: &Db, today: Date) -> Result<Vec<Due>> {
    let rows: Vec<Due> = with_db!(db, |c| {
        sqlx::query_as(
        "SELECT r.id AS report_id, r.period_id, rp.due_on, rp.label AS period_label, p.code AS program_code, \
         a.name AS agency_name, u.id AS user_id, u.email, u.lang, rp.remind_days \
         FROM reports r JOIN report_periods rp ON rp.id = r.period_id JOIN programs p ON p.id = rp.program_id \
         JOIN agencies a ON a.id = r.agency_id JOIN users u ON u.agency_id = r.agency_id AND u.active \
         WHERE r.state IN ($2, $3) AND rp.due_on >= $1 ORDER BY r.id, u.id",
    )
    .bind(today - time::Duration::days(60))
    .bind(ReportState::PENDING[0].as_str())
    .bind(ReportState::PENDING[1].as_str())
    .fetch_all(c)
    .await?
    });
    Ok(rows
        .into_iter()
        .filter(|d| (d.due_on - today).whole_days() <= d.remind_days)
        .collect())
}

/// Who writes notifications and their read marks: the system. They are
/// messages to one person, not records, so they take the write path (and its
/// queue) without an audit row each.
fn messenger() -> Actor {
    Actor::system("notifications")
}

/// Record a notification once per (user, report, kind); true when new.
pub async fn notify(
    db: &Db,
    user_id: i64,
    report_id: Option<i64>,
    kind: &str,
    message: &str,
    link: Option<&str>,
) -> Result<Option<i64>> {
    let now = OffsetDateTime::now_utc();
    let actor = messenger();
    let mut w = db.write(&actor).await?;
    let exists: Option<i64> = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "SELECT id FROM notifications WHERE user_id = $1 AND report_id IS NOT DISTINCT FROM $2 AND kind = $3"
    )
    .bind(user_id)
    .bind(report_id)
    .bind(kind)
    .fetch_optional(c)
    .await?
    });
    if exists.is_some() {
        return Ok(None);
    }
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO notifications (user_id, report_id, kind, message, link, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(user_id)
    .bind(report_id)
    .bind(kind)
    .bind(message)
    .bind(link)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    w.commit().await?;
    Ok(Some(id))
}

pub async fn mark_emailed(db: &Db, id: i64) -> Result<()> {
    let actor = messenger();
    let mut w = db.write(&actor).await?;
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE notifications SET emailed_at = $1 WHERE id = $2"
    )
    .bind(OffsetDateTime::now_utc())
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    w.commit().await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub report_id: Option<i64>,
    pub kind: String,
    pub message: String,
    pub link: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub emailed_at: Option<OffsetDateTime>,
}

pub async fn notifications(db: &Db, user_id: i64, limit: i64) -> Result<Vec<Notification>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, report_id, kind, message, link, created_at, read_at, emailed_at FROM notifications \
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2"
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(c)
    .await?
    }))
}

pub async fn unread_count(db: &Db, user_id: i64) -> Result<i64> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user_id)
    .fetch_one(c)
    .await?))
}

pub async fn mark_read(db: &Db, user_id: i64) -> Result<()> {
    let actor = messenger();
    let mut w = db.write(&actor).await?;
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL"
    )
    .bind(OffsetDateTime::now_utc())
    .bind(user_id)
    .execute(c)
    .await?
    .rows_affected());
    w.commit().await
}

/// Timeliness of a report as shown on the period page.
pub fn timeliness_of(r: &Report, today: Date) -> rules::Timeliness {
    let submitted = r
        .first_submitted_at
        .map(|t| t.to_offset(langnghe_core::vnfmt::VIETNAM_OFFSET).date());
    rules::timeliness(r.due_on, submitted, today)
}

/// Set how an indicator is computed from records (see [`compute`]): a change
/// of the indicator (new version), audited.
pub async fn set_computed_from(
    db: &Db,
    actor: &Actor,
    indicator_id: i64,
    what: Option<&str>,
) -> Result<()> {
    let mut w = db.write(actor).await?;
    w.lock("indicators", indicator_id, None).await?;
    let before: Option<String> = with_tx!(w.tx(), |c| sqlx::query_scalar(
        "SELECT computed_from FROM indicators WHERE id = $1"
    )
    .bind(indicator_id)
    .fetch_one(c)
    .await?);
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE indicators SET computed_from = $1, version = version + 1 WHERE id = $2"
    )
    .bind(what)
    .bind(indicator_id)
    .execute(c)
    .await?
    .rows_affected());
    w.audit(
        AuditAction::Update,
        AuditEntity::Indicator,
        indicator_id,
        Some(&serde_json::json!({ "computed_from": before })),
        Some(&serde_json::json!({ "computed_from": what })),
    )
    .await?;
    w.commit().await
}

/// The plan's own due dates ("MM-DD" for the first half and the year), if set.
pub async fn plan_due_dates(db: &Db, program_id: i64) -> Result<(Option<String>, Option<String>)> {
    Ok(with_db!(db, |c| sqlx::query_as(
        "SELECT report_due_first_half, report_due_annual FROM programs WHERE id = $1"
    )
    .bind(program_id)
    .fetch_optional(c)
    .await?)
    .unwrap_or((None, None)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computations_per_category() {
        let c = "LN=villages_recognised; NTT=crafts_recognised";
        assert_eq!(
            computation_for(c, "LN").as_deref(),
            Some("villages_recognised")
        );
        assert_eq!(
            computation_for(c, "NTT").as_deref(),
            Some("crafts_recognised")
        );
        assert_eq!(computation_for(c, "LNTT"), None);
        assert_eq!(computation_for(c, ""), None);
        assert_eq!(
            computation_for("ocop_products", "").as_deref(),
            Some("ocop_products")
        );
        assert_eq!(computation_for("ocop_products", "LN"), None);
    }
}
