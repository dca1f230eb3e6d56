//! The pages that change an indicator, a target, a task or a budget line.

use super::*;

/// The record kinds changed on `plans/edit.html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Indicator,
    Target,
    Task,
    BudgetLine,
}

/// A form as posted: every field a string (each kind reads its own).
pub(super) type RecordForm = std::collections::HashMap<String, String>;

impl Kind {
    pub(super) fn path(self) -> &'static str {
        match self {
            Kind::Indicator => "indicators",
            Kind::Target => "targets",
            Kind::Task => "tasks",
            Kind::BudgetLine => "budget-lines",
        }
    }
    pub(super) fn title_key(self) -> &'static str {
        match self {
            Kind::Indicator => "indicator-edit",
            Kind::Target => "target-edit",
            Kind::Task => "task-edit",
            Kind::BudgetLine => "budget-line-edit",
        }
    }
    /// Where the programme page shows it.
    pub(super) fn anchor(self) -> &'static str {
        match self {
            Kind::Indicator | Kind::Target => "indicators",
            Kind::Task => "tasks",
            Kind::BudgetLine => "budget",
        }
    }
    pub(super) fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Indicator => &[
                "code",
                "name",
                "unit",
                "aggregation",
                "direction",
                "baseline_value",
                "baseline_year",
            ],
            Kind::Target => &["milestone", "target", "split"],
            Kind::Task => &[
                "section",
                "text",
                "lead_agency",
                "coordinating",
                "indicators",
                "start_on",
                "due_on",
                "status",
            ],
            Kind::BudgetLine => &["line", "source_of_funds", "planned"],
        }
    }
}

/// One field of a record form.
#[derive(Debug, Serialize)]
pub(super) struct FieldSpec {
    name: &'static str,
    label: String,
    /// text, textarea or select.
    kind: &'static str,
    value: String,
    hint: Option<String>,
    options: Vec<(String, String)>,
    required: bool,
}

/// A stored record as its form shows it: (its programme, the payload, its
/// version, whether it is a part of a split).
pub(super) async fn stored_payload(
    state: &AppState,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
) -> AppResult<(Program, serde_json::Value, i64, bool)> {
    Ok(match kind {
        Kind::Indicator => {
            let (prog, i) =
                scoped::load::<(Program, Indicator)>(state, ctx, id, Reach::Change).await?;
            let p = IndicatorEditPayload {
                code: i.code.clone(),
                name: i.name.clone(),
                unit: i.unit.clone(),
                aggregation: Some(i.aggregation.clone()),
                direction: Some(i.direction.clone()),
                baseline_value: i.baseline_value.map(|v| vnfmt::format_decimal_trim(v, 3)),
                baseline_year: i.baseline_year.map(|y| y.to_string()),
                version: Some(i.version),
            };
            (prog, json(&p), i.version, false)
        }
        Kind::Target => {
            let (ind, row) =
                scoped::load::<(Indicator, TargetRow)>(state, ctx, id, Reach::Change).await?;
            let (prog, _) = <(Program, Indicator)>::load(state, ctx, ind.id, Reach::Change).await?;
            let parts: Vec<TargetRow> = store::indicator_targets(&state.db, ind.id)
                .await?
                .into_iter()
                .filter(|t| t.parent_id == Some(row.id))
                .collect();
            let p = TargetPayload {
                milestone: row.milestone.clone(),
                target: row.text.clone(),
                split: Some(split_text(state, &parts).await?),
                version: Some(row.version),
            };
            (prog, json(&p), row.version, row.parent_id.is_some())
        }
        Kind::Task => {
            let (prog, tv) =
                scoped::load::<(Program, crate::programs::TaskView)>(state, ctx, id, Reach::Change)
                    .await?;
            let p = TaskPayload {
                section: tv.task.section.clone(),
                text: tv.task.text.clone(),
                lead_agency: tv
                    .task
                    .lead_agency_id
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                coordinating: Some(agency_keys(state, ctx, &tv.coordinating).await?),
                start_on: date_text(tv.task.start_on),
                due_on: date_text(tv.task.due_on),
                indicators: Some(tv.indicator_codes.join(", ")),
                status: Some(tv.task.status.clone()),
                version: Some(tv.task.version),
            };
            (prog, json(&p), tv.task.version, false)
        }
        Kind::BudgetLine => {
            let line = scoped::load::<BudgetLine>(state, ctx, id, Reach::Change).await?;
            let prog = editable(state, ctx, &line.program_id.to_string()).await?;
            let p = BudgetLinePayload {
                line: line.line.clone(),
                source_of_funds: line.source_of_funds.clone(),
                planned: line.planned_dong.map(vnfmt::format_int),
                version: Some(line.version),
            };
            (prog, json(&p), line.version, false)
        }
    })
}

/// Agencies as a form shows them: their keys ("hn-so-tc"), else their ids.
pub(super) async fn agency_keys(
    state: &AppState,
    ctx: &Ctx,
    list: &[(i64, String)],
) -> AppResult<String> {
    let scope = ctx.user()?.scope_unit_id;
    let mut out = vec![];
    for (id, _) in list {
        let key = agencies::get(&state.db, scope, *id)
            .await?
            .and_then(|a| a.key);
        out.push(key.unwrap_or_else(|| id.to_string()));
    }
    Ok(out.join(", "))
}

pub(super) fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

pub(super) async fn field_specs(
    state: &AppState,
    ctx: &Ctx,
    kind: Kind,
    values: &serde_json::Value,
    part: bool,
) -> AppResult<Vec<FieldSpec>> {
    let lang = ctx.lang;
    let value = |name: &str| match values.get(name) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    };
    let opts = |items: &[&str], prefix: &str| -> Vec<(String, String)> {
        items
            .iter()
            .map(|i| (i.to_string(), t(lang, &format!("{prefix}{i}"))))
            .collect()
    };
    let mut out = vec![];
    for &name in kind.fields() {
        if kind == Kind::Target && name == "split" && part {
            continue;
        }
        let (fkind, options, hint, required) = match (kind, name) {
            (Kind::Indicator, "aggregation") => (
                "select",
                opts(&["sum", "average", "latest", "ratio"], "aggregation-"),
                None,
                false,
            ),
            (Kind::Indicator, "direction") => (
                "select",
                opts(&["higher", "lower"], "direction-"),
                None,
                false,
            ),
            (Kind::Target, "target") => ("text", vec![], Some(t(lang, "hint-target")), true),
            (Kind::Target, "split") => ("textarea", vec![], Some(t(lang, "hint-split")), false),
            (Kind::Task, "text") => ("textarea", vec![], None, true),
            (Kind::Task, "lead_agency") => {
                let mut o = vec![(String::new(), "—".to_string())];
                o.extend(
                    agencies::options(&state.db, ctx.user()?.scope_unit_id)
                        .await?
                        .into_iter()
                        .map(|(id, n)| (id.to_string(), n)),
                );
                ("select", o, None, true)
            }
            (Kind::Task, "coordinating") => {
                ("text", vec![], Some(t(lang, "hint-coordinating")), false)
            }
            (Kind::Task, "indicators") => {
                ("text", vec![], Some(t(lang, "hint-task-indicators")), false)
            }
            (Kind::Task, "start_on") => ("text", vec![], Some("1/3/2026".into()), false),
            (Kind::Task, "due_on") => ("text", vec![], Some("30/11/2026".into()), false),
            (Kind::Task, "status") => ("select", opts(&TASK_STATUSES, "task-status-"), None, false),
            (Kind::BudgetLine, "source_of_funds") => ("select", opts(&FUNDS, "funds-"), None, true),
            (Kind::BudgetLine, "planned") => ("text", vec![], Some(t(lang, "hint-money")), false),
            (_, "code" | "name" | "unit" | "milestone" | "line") => ("text", vec![], None, true),
            _ => ("text", vec![], None, false),
        };
        out.push(FieldSpec {
            name,
            label: field_label(lang, name),
            kind: fkind,
            value: value(name),
            hint,
            options,
            required,
        });
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn record_form(
    state: &AppState,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
    prog: &Program,
    values: &serde_json::Value,
    version: i64,
    part: bool,
    errors: &[FieldError],
    conflict: Option<Vec<ConflictRow>>,
) -> AppResult<Html<String>> {
    let fields = field_specs(state, ctx, kind, values, part).await?;
    let errors: Vec<_> = errors
        .iter()
        .map(|e| context! { field => e.field, message => format!("{}: {}", field_label(ctx.lang, &e.field), e.message(ctx.lang)) })
        .collect();
    let page = context! {
        title => t(ctx.lang, kind.title_key()),
        program => prog,
        fields => fields,
        version => version,
        action => format!("/{}/{}", kind.path(), id.trim()),
        back => format!("/programs/{}#{}", prog.id, kind.anchor()),
        errors => errors,
        conflict => conflict,
    };
    render(state, ctx, "programs/edit.html", page)
}

pub(super) async fn edit_record_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    kind: Kind,
) -> AppResult<Html<String>> {
    let (prog, values, version, part) = stored_payload(&state, &ctx, kind, &id).await?;
    record_form(
        &state,
        &ctx,
        kind,
        &id,
        &prog,
        &values,
        version,
        part,
        &[],
        None,
    )
    .await
}

/// Store a record posted by its form; answers the program it belongs to.
pub(super) async fn save_record(
    state: &AppState,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
    expected: i64,
    posted: &serde_json::Value,
) -> AppResult<()> {
    fn read<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> AppResult<T> {
        serde_json::from_value(v.clone()).map_err(|e| AppError::BadRequest {
            key: "error-form".into(),
            detail: Some(e.to_string().chars().take(200).collect()),
        })
    }
    let id = crate::common::path_id(id)?;
    match kind {
        Kind::Indicator => change_indicator(state, ctx, id, expected, &read(posted)?)
            .await
            .map(|_| ()),
        Kind::Target => change_target(state, ctx, id, expected, &read(posted)?)
            .await
            .map(|_| ()),
        Kind::Task => change_task(state, ctx, id, expected, &read(posted)?)
            .await
            .map(|_| ()),
        Kind::BudgetLine => change_budget_line(state, ctx, id, expected, &read(posted)?)
            .await
            .map(|_| ()),
    }
}

/// The form again after a stale save: what was typed stays, with the stored
/// version, beside what is stored.
async fn stale_record_form(
    state: &AppState,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
    posted: &serde_json::Value,
) -> AppResult<Response> {
    let (prog, now, version, part) = stored_payload(state, ctx, kind, id).await?;
    let rows = conflict_rows(ctx.lang, kind.fields(), posted, &now);
    let html = record_form(
        state,
        ctx,
        kind,
        id,
        &prog,
        posted,
        version,
        part,
        &[],
        Some(rows),
    )
    .await?;
    Ok((StatusCode::CONFLICT, html).into_response())
}

pub(super) async fn save_record_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(f): Form<RecordForm>,
    kind: Kind,
) -> AppResult<Response> {
    let (prog, _, _, part) = stored_payload(&state, &ctx, kind, &id).await?;
    let expected = version::from_form(f.get("version").map(String::as_str))?;
    let mut posted = serde_json::Map::new();
    for &name in kind.fields() {
        let v = f.get(name).cloned().unwrap_or_default();
        // A part of a split shows no split: it keeps none.
        if !(name == "split" && part) {
            posted.insert(name.into(), v.into());
        }
    }
    let posted = serde_json::Value::Object(posted);
    match save_record(&state, &ctx, kind, &id, expected, &posted).await {
        Ok(()) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/programs/{}#{}", prog.id, kind.anchor())).into_response())
        }
        Err(AppError::Stale { .. }) => stale_record_form(&state, &ctx, kind, &id, &posted).await,
        Err(AppError::Validation(errs)) => {
            let html = record_form(
                &state, &ctx, kind, &id, &prog, &posted, expected, part, &errs, None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e),
    }
}
