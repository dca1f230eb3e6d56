//! Accepting a draft: the programme (status draft), its documents, indicators
//! with their targets, tasks with their agencies, budget lines, places and the
//! reporting days, in one audited transaction; the draft records what it became.

use super::views::{DraftAgency, DraftTarget, DraftView};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::AppState;
use langnghe_core::access::Action;
use langnghe_core::plan::{parse_target, ProgramStatus, Target};
use langnghe_store::drafts::{self, NewPlace, PlanDraft};
use langnghe_store::programs::{
    self as store, NewActual, NewBudgetLine, NewIndicator, NewProgram, NewTarget, NewTask,
};
use langnghe_store::registry::spec::Entity;
use langnghe_store::registry::{self, Values};
use langnghe_store::{agencies, StoreError};
use time::{Date, Month};

/// A legal document to link: found in the registry, or to add to it.
enum Doc {
    Known(i64),
    New(Values),
}

/// The registry record of a document number, or the values of a new one.
async fn doc_of(
    state: &AppState,
    ctx: &Ctx,
    field: &str,
    number: &str,
    date: Option<&str>,
    title: Option<&str>,
) -> AppResult<Doc> {
    let parsed = langnghe_core::legal_doc::parse_doc_ref(number)
        .map_err(|_| AppError::Validation(vec![FieldError::new(field, "error-doc-number")]))?;
    if let Some(id) = registry::document_by_number(&state.db, &parsed.number).await? {
        return Ok(Doc::Known(id));
    }
    let mut input = serde_json::Map::new();
    input.insert("number".into(), parsed.number.clone().into());
    let title: String = title.unwrap_or(&parsed.number).chars().take(500).collect();
    input.insert("title".into(), title.into());
    if let Some(d) = date.or(parsed.date.map(|d| d.to_string()).as_deref()) {
        input.insert("issued_on".into(), d.to_string().into());
    }
    let scope = ctx.require(Action::EditRegistry)?.scope_unit_id;
    let mut lookup = crate::registry::validate::DbLookup::new(&state.db, scope).with_lang(ctx.lang);
    let values = crate::registry::validate::validate(Entity::Document, &input, &mut lookup, false)
        .await
        .map_err(|errs: Vec<FieldError>| {
            AppError::Validation(
                errs.into_iter()
                    .map(|e| FieldError::new(&format!("{field}.{}", e.field), &e.key))
                    .collect(),
            )
        })?;
    Ok(Doc::New(values))
}

/// The id of a document, adding it to the registry inside the write when new.
async fn link_doc(
    w: &mut langnghe_store::write::Write<'_>,
    backend: langnghe_store::Backend,
    actor: &langnghe_store::audit::Actor,
    doc: Doc,
) -> AppResult<i64> {
    match doc {
        Doc::Known(id) => Ok(id),
        Doc::New(values) => {
            let rec = registry::insert_tx(w.tx(), backend, actor, Entity::Document, None, &values)
                .await?;
            rec.get("id")
                .and_then(serde_json::Value::as_i64)
                .ok_or_else(|| AppError::Internal("document without id".into()))
        }
    }
}

fn year_start(y: i32) -> Option<Date> {
    Date::from_calendar_date(y, Month::January, 1).ok()
}

fn year_end(y: i32) -> Option<Date> {
    Date::from_calendar_date(y, Month::December, 31).ok()
}

/// The programme kind of a document kind.
fn kind_of(doc_kind: Option<&str>) -> &'static str {
    match doc_kind {
        Some("programme") | Some("decision") => "programme",
        Some("scheme") => "scheme_plan",
        _ => "plan",
    }
}

/// The checked fields of the programme a draft becomes.
struct Fields {
    code: String,
    title: String,
    start: Date,
    end: Date,
    lead: i64,
    unit: i64,
}

async fn fields(state: &AppState, ctx: &Ctx, d: &PlanDraft, v: &DraftView) -> AppResult<Fields> {
    let user = ctx.require(Action::EditRegistry)?;
    let mut errors = vec![];
    let title = v
        .document
        .title
        .clone()
        .or(v.title.clone())
        .map(|t| t.trim().chars().take(500).collect::<String>())
        .filter(|t| !t.is_empty());
    if title.is_none() {
        errors.push(FieldError::new("document.title", "error-required"));
    }
    let doc_year = v
        .document
        .date
        .as_deref()
        .and_then(|s| s.get(..4))
        .and_then(|y| y.parse::<i32>().ok());
    let start_y = v.period.start.or(doc_year);
    let end_y = v.period.end.or(start_y);
    let (start, end) = match (start_y.and_then(year_start), end_y.and_then(year_end)) {
        (Some(s), Some(e)) if s <= e && (1990..=2100).contains(&s.year()) && e.year() <= 2100 => {
            (s, e)
        }
        _ => {
            errors.push(FieldError::new("period", "error-period"));
            (Date::MIN, Date::MIN)
        }
    };
    let lead = v
        .lead_agency
        .as_ref()
        .and_then(|a| a.agency_id)
        .or(Some(user.agency_id));
    let lead_agency = match lead {
        Some(id) => agencies::get(&state.db, user.scope_unit_id, id).await?,
        None => None,
    };
    if lead_agency.is_none() {
        errors.push(FieldError::new("lead_agency", "error-unknown-agency"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let code = v
        .document
        .number
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("DT-{}", d.id));
    let (Some(title), Some(a)) = (title, lead_agency) else {
        return Err(AppError::Validation(vec![]));
    };
    Ok(Fields {
        code: code.chars().take(50).collect(),
        title,
        start,
        end,
        lead: a.id,
        unit: a.admin_unit_id,
    })
}

/// Where a budget line's money comes from, as its sentence says.
fn funds_of(sentence: &str) -> &'static str {
    let f = langnghe_core::text::fold_vi(sentence);
    if f.contains("khuyen cong") {
        "khuyen_cong"
    } else if f.contains("xuc tien thuong mai") {
        "trade_promotion"
    } else if f.contains("trung uong") {
        "central"
    } else if f.contains("ngan sach") || f.contains("dia phuong") {
        "local"
    } else if f.contains("xa hoi hoa") {
        "socialised"
    } else {
        "other"
    }
}

fn source_of(draft_id: i64, line: usize) -> Option<String> {
    Some(format!("draft {draft_id}:{line}"))
}

fn agency_ids(list: &[DraftAgency]) -> Vec<i64> {
    let mut ids: Vec<i64> = list.iter().filter_map(|a| a.agency_id).collect();
    ids.dedup();
    ids
}

/// The targets of one indicator, grouped by milestone: a single wording, or a
/// total with its parts per category (LN / NTT / LNTT).
fn targets_of(iid: i64, targets: &[DraftTarget]) -> Vec<(NewTarget, Vec<NewTarget>)> {
    let mut years: Vec<Option<i32>> = Vec::new();
    for t in targets {
        if !years.contains(&t.year) {
            years.push(t.year);
        }
    }
    years
        .into_iter()
        .map(|y| {
            let milestone = y.map(|y| y.to_string()).unwrap_or_default();
            let parts: Vec<&DraftTarget> = targets.iter().filter(|t| t.year == y).collect();
            let form_of = |w: &str| parse_target(w).ok();
            if parts.len() == 1 && parts[0].category.is_none() {
                let form = form_of(&parts[0].wording);
                let total = NewTarget {
                    indicator_id: iid,
                    parent_id: None,
                    milestone,
                    text: parts[0].wording.chars().take(500).collect(),
                    form: serde_json::to_string(&form).unwrap_or_else(|_| "null".into()),
                    cumulative: true,
                    dimension: "total".into(),
                    category: None,
                    admin_unit_id: None,
                    agency_id: None,
                    value: match form {
                        Some(Target::Exact { value }) => Some(value),
                        _ => None,
                    },
                };
                return (total, vec![]);
            }
            let value_of = |t: &DraftTarget| match form_of(&t.wording) {
                Some(Target::Exact { value }) | Some(Target::AtLeast { value, .. }) => Some(value),
                _ => None,
            };
            let values: Vec<Option<f64>> = parts.iter().map(|t| value_of(t)).collect();
            let total = NewTarget {
                indicator_id: iid,
                parent_id: None,
                milestone: milestone.clone(),
                text: parts
                    .iter()
                    .map(|t| t.wording.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                form: "null".into(),
                cumulative: true,
                dimension: "total".into(),
                category: None,
                admin_unit_id: None,
                agency_id: None,
                value: values.iter().copied().sum::<Option<f64>>(),
            };
            let children = parts
                .iter()
                .zip(values)
                .map(|(t, v)| NewTarget {
                    indicator_id: iid,
                    parent_id: None,
                    milestone: milestone.clone(),
                    text: t.wording.chars().take(500).collect(),
                    form: "null".into(),
                    cumulative: true,
                    dimension: "category".into(),
                    category: t.category.as_ref().map(|c| c.chars().take(50).collect()),
                    admin_unit_id: None,
                    agency_id: None,
                    value: v,
                })
                .collect();
            (total, children)
        })
        .collect()
}

/// Every agency a task names by id is one of the caller's scope (422 naming it otherwise).
async fn check_agencies(state: &AppState, ctx: &Ctx, v: &DraftView) -> AppResult<()> {
    let scope = ctx.require(Action::EditRegistry)?.scope_unit_id;
    let known: std::collections::HashSet<i64> = agencies::options(&state.db, scope)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut errors = vec![];
    for (i, t) in v.tasks.iter().enumerate() {
        if let Some(id) = t.lead_agency.as_ref().and_then(|a| a.agency_id) {
            if !known.contains(&id) {
                errors.push(FieldError::new(
                    &format!("tasks[{i}].lead_agency"),
                    "error-unknown-agency",
                ));
            }
        }
        for (k, c) in t.coordinating_agencies.iter().enumerate() {
            if c.agency_id.is_some_and(|id| !known.contains(&id)) {
                errors.push(FieldError::new(
                    &format!("tasks[{i}].coordinating_agencies[{k}]"),
                    "error-unknown-agency",
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Create the programme an (edited) draft describes; its id.
pub async fn create_programme(
    state: &AppState,
    ctx: &Ctx,
    d: &PlanDraft,
    v: &DraftView,
) -> AppResult<i64> {
    if d.program_id.is_some() {
        return Err(AppError::Refused(FieldError::new(
            "plan_draft",
            "draft-error-accepted",
        )));
    }
    let f = fields(state, ctx, d, v).await?;
    // Documents: read (and validated) before the write takes the lock.
    let own = match v
        .document
        .number
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        Some(n) => Some(
            doc_of(
                state,
                ctx,
                "document.number",
                n,
                v.document.date.as_deref(),
                v.document.title.as_deref(),
            )
            .await?,
        ),
        None => None,
    };
    let mut basis = Vec::new();
    for (i, b) in v.legal_basis.iter().enumerate() {
        let field = format!("legal_basis[{i}].number");
        basis.push(
            doc_of(
                state,
                ctx,
                &field,
                &b.number,
                b.date.as_deref(),
                b.title.as_deref(),
            )
            .await?,
        );
    }
    let places = super::resolve_place_ids(state, v).await?;
    check_agencies(state, ctx, v).await?;
    let actor = ctx.actor();
    let backend = state.db.backend();
    let mut w = state.db.write(&actor).await?;
    let document_id = match own {
        Some(doc) => Some(link_doc(&mut w, backend, &actor, doc).await?),
        None => None,
    };
    let general = v.objectives.first().map(|o| o.text.clone());
    let specific: Vec<String> = v
        .objectives
        .iter()
        .skip(1)
        .map(|o| o.text.clone())
        .collect();
    let pid = store::insert_program(
        &mut w,
        &NewProgram {
            key: None,
            code: f.code,
            title: f.title,
            kind: kind_of(v.document.kind.as_deref()).into(),
            document_id,
            period_start: f.start,
            period_end: f.end,
            parent_id: None,
            lead_agency_id: Some(f.lead),
            admin_unit_id: f.unit,
            status: ProgramStatus::Draft.as_str().into(),
            objectives_general: general,
            objectives_specific: specific,
            notes: Some(format!("draft {}", d.id)),
        },
    )
    .await?;
    let mut linked = Vec::new();
    for doc in basis {
        let id = link_doc(&mut w, backend, &actor, doc).await?;
        if Some(id) != document_id && !linked.contains(&id) {
            store::add_legal_basis(w.tx(), pid, id).await?;
            linked.push(id);
        }
    }
    for (n, ind) in v.indicators.iter().enumerate() {
        let unit = ind.unit.clone().unwrap_or_default();
        let iid = store::insert_indicator(
            &mut w,
            &NewIndicator {
                program_id: pid,
                code: (n + 1).to_string(),
                name: ind.name.chars().take(500).collect(),
                unit: unit.chars().take(50).collect(),
                aggregation: if unit.contains('%') { "latest" } else { "sum" }.into(),
                direction: "higher".into(),
                baseline_value: None,
                baseline_year: None,
                sort_order: n as i64,
                source: ind
                    .targets
                    .first()
                    .and_then(|t| source_of(d.id, t.source.line)),
                notes: None,
            },
        )
        .await?;
        // Results stated for past years are the indicator's actual values.
        for r in &ind.results {
            let Some(value) = r.value else { continue };
            store::insert_actual(
                &mut w,
                &NewActual {
                    indicator_id: iid,
                    period: r.year.map(|y| y.to_string()).unwrap_or_default(),
                    value,
                    plan_value: None,
                    plan_implied: false,
                    rate_stated: None,
                    category: None,
                    source: source_of(d.id, r.source.line),
                    notes: Some(r.wording.clone()),
                },
            )
            .await?;
        }
        for (total, parts) in targets_of(iid, &ind.targets) {
            let tid = store::insert_target(&mut w, &total).await?;
            for mut p in parts {
                p.parent_id = Some(tid);
                store::insert_target(&mut w, &p).await?;
            }
        }
    }
    for (n, t) in v.tasks.iter().enumerate() {
        store::insert_task(
            &mut w,
            &NewTask {
                program_id: pid,
                section: t.section.as_ref().map(|s| s.chars().take(50).collect()),
                text: t.text.chars().take(2000).collect(),
                lead_agency_id: t.lead_agency.as_ref().and_then(|a| a.agency_id),
                co_leads: vec![],
                coordinating: agency_ids(&t.coordinating_agencies),
                start_on: None,
                due_on: None,
                sort_order: n as i64,
                source: source_of(d.id, t.source.line),
            },
        )
        .await?;
    }
    for (n, b) in v.budget.iter().enumerate() {
        store::insert_budget_line(
            &mut w,
            &NewBudgetLine {
                program_id: pid,
                line: b.source.quote.chars().take(300).collect(),
                source_of_funds: funds_of(&b.source.quote).into(),
                planned_dong: Some(b.amount_dong),
                sort_order: n as i64,
                source: source_of(d.id, b.source.line),
                amounts: vec![],
            },
        )
        .await?;
    }
    for (p, unit) in v.places.iter().zip(places) {
        drafts::insert_place(
            &mut w,
            &NewPlace {
                program_id: pid,
                name: p.name.chars().take(200).collect(),
                admin_unit_id: unit,
                craft: p.craft.as_ref().map(|c| c.chars().take(200).collect()),
                ethnic_group: p
                    .ethnic_group
                    .as_ref()
                    .map(|c| c.chars().take(100).collect()),
                source: source_of(d.id, p.source.line),
            },
        )
        .await?;
    }
    if let Some(r) = &v.reporting {
        let mut days = r.due_dates.clone();
        days.sort();
        let first_half = days.iter().find(|d| d.as_str() <= "08-31").cloned();
        let annual = days.iter().rev().find(|d| d.as_str() > "08-31").cloned();
        drafts::set_report_due(&mut w, pid, first_half.as_deref(), annual.as_deref()).await?;
    }
    match drafts::mark_accepted(&mut w, d.id, pid).await {
        Err(StoreError::Stale { .. }) => {
            return Err(AppError::Refused(FieldError::new(
                "plan_draft",
                "draft-error-accepted",
            )))
        }
        other => other?,
    }
    w.commit().await?;
    Ok(pid)
}
