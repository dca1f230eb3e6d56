//! Creating and changing a programme (plan): its fields, agencies and legal basis.

use super::*;

/// A programme or plan, as entered or changed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ProgramPayload {
    pub code: String,
    pub title: String,
    /// programme, plan, annual_plan, scheme_plan or project.
    pub kind: String,
    /// Number of the issuing document, e.g. "316/KH-UBND" (created in the registry if new).
    #[serde(default)]
    pub document_number: Option<String>,
    #[serde(default)]
    pub document_date: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    /// Lead agency id or key.
    pub lead_agency: String,
    #[serde(default)]
    pub objectives_general: Option<String>,
    /// One objective per line.
    #[serde(default)]
    pub objectives_specific: Option<String>,
    /// Numbers of the documents it is based on, one per line or comma-separated.
    #[serde(default)]
    pub legal_basis: Option<String>,
    /// The programme this one carries out (its id), e.g. the national programme
    /// a province's plan implements: one the caller may read; empty for none.
    #[serde(default)]
    pub parent: Option<String>,
    /// Changes only: the version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

pub(super) const KINDS: [&str; 5] = ["programme", "plan", "annual_plan", "scheme_plan", "project"];

pub(super) async fn document_for(
    state: &AppState,
    ctx: &Ctx,
    number: &str,
    day: Option<Date>,
) -> AppResult<Option<i64>> {
    let number = number.trim();
    if number.is_empty() {
        return Ok(None);
    }
    let parsed = langnghe_core::legal_doc::parse_doc_ref(number).map_err(|_| {
        AppError::Validation(vec![FieldError::new("document_number", "error-doc-number")])
    })?;
    if let Some(id) = registry::document_by_number(&state.db, &parsed.number).await? {
        return Ok(Some(id));
    }
    let mut input = serde_json::Map::new();
    input.insert("number".into(), parsed.number.clone().into());
    input.insert("title".into(), parsed.number.clone().into());
    if let Some(d) = day.or(parsed.date) {
        input.insert("issued_on".into(), d.to_string().into());
    }
    let rec = crate::registry::api::create(state, ctx, Entity::Document, &input).await?;
    Ok(rec.get("id").and_then(serde_json::Value::as_i64))
}

/// A programme's fields checked against the rules and the caller's scope
/// (documents not resolved yet: that may create them in the registry).
pub(super) struct ProgramFields {
    code: String,
    title: String,
    start: Date,
    end: Date,
    doc_date: Option<Date>,
    lead: i64,
    unit: i64,
    general: Option<String>,
    specific: Vec<String>,
    parent: Option<i64>,
}

/// The one validation of a programme, for creation and change.
pub(super) async fn check_program(
    state: &AppState,
    ctx: &Ctx,
    p: &ProgramPayload,
) -> AppResult<ProgramFields> {
    let user = ctx.require(Action::EditRegistry)?;
    let scope = user.scope_unit_id;
    let mut errors = vec![];
    let code = text(&mut errors, "code", &p.code, 50, true);
    let title = text(&mut errors, "title", &p.title, 500, true);
    if !KINDS.contains(&p.kind.as_str()) {
        errors.push(FieldError::new("kind", "error-enum"));
    }
    let start = date(&mut errors, "period_start", &p.period_start, true);
    let end = date(&mut errors, "period_end", &p.period_end, true);
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            errors.push(FieldError::new("period_end", "error-period"));
        }
    }
    let doc_date = date(&mut errors, "document_date", &p.document_date, false);
    let lead = agency_ref(state, scope, &p.lead_agency).await;
    if lead.is_none() {
        errors.push(FieldError::new("lead_agency", "error-unknown-agency"));
    }
    let general = non_empty(&p.objectives_general)
        .map(|s| text(&mut errors, "objectives_general", &s, 5000, false));
    let specific: Vec<String> = non_empty(&p.objectives_specific)
        .map(|s| {
            s.lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut parent = None;
    if let Some(raw) = non_empty(&p.parent) {
        let found = match raw.trim().parse::<i64>() {
            Ok(id) => store::get_visible(&state.db, scope, id).await?,
            Err(_) => None,
        };
        match found {
            Some(pp) => parent = Some(pp.id),
            None => {
                errors.push(FieldError::new("parent", "error-unknown-parent").arg("value", raw))
            }
        }
    }
    if let Some(n) = non_empty(&p.document_number) {
        if langnghe_core::legal_doc::parse_doc_ref(&n).is_err() {
            errors.push(FieldError::new("document_number", "error-doc-number"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (Some(start), Some(end), Some(lead)) = (start, end, lead) else {
        return Err(AppError::Validation(vec![]));
    };
    let unit = agencies::get(&state.db, scope, lead)
        .await?
        .map(|a| a.admin_unit_id)
        .ok_or(AppError::NotFound)?;
    Ok(ProgramFields {
        code,
        title,
        start,
        end,
        doc_date,
        lead,
        unit,
        general,
        specific,
        parent,
    })
}

/// The issuing document and the legal basis, found in the registry or added to it.
pub(super) async fn documents_of(
    state: &AppState,
    ctx: &Ctx,
    p: &ProgramPayload,
    doc_date: Option<Date>,
) -> AppResult<(Option<i64>, Vec<i64>)> {
    let document_id = document_for(
        state,
        ctx,
        p.document_number.as_deref().unwrap_or(""),
        doc_date,
    )
    .await?;
    let mut basis = vec![];
    for n in non_empty(&p.legal_basis)
        .unwrap_or_default()
        .split(['\n', ',', ';'])
    {
        if let Some(id) = document_for(state, ctx, n, None).await? {
            if !basis.contains(&id) {
                basis.push(id);
            }
        }
    }
    basis.sort_unstable();
    Ok((document_id, basis))
}

pub(super) async fn create(state: &AppState, ctx: &Ctx, p: &ProgramPayload) -> AppResult<Program> {
    let f = check_program(state, ctx, p).await?;
    let (document_id, basis) = documents_of(state, ctx, p, f.doc_date).await?;
    let actor = ctx.actor();
    let mut w = state.db.write(&actor).await?;
    let id = store::insert_program(
        &mut w,
        &NewProgram {
            key: None,
            code: f.code,
            title: f.title,
            kind: p.kind.clone(),
            document_id,
            period_start: f.start,
            period_end: f.end,
            parent_id: f.parent,
            lead_agency_id: Some(f.lead),
            admin_unit_id: f.unit,
            status: ProgramStatus::Draft.as_str().into(),
            objectives_general: f.general,
            objectives_specific: f.specific,
            notes: None,
        },
    )
    .await?;
    for b in basis {
        store::add_legal_basis(w.tx(), id, b).await?;
    }
    w.commit().await?;
    store::get(&state.db, ctx.user()?.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Enter a programme or plan (it starts as a draft).
#[utoipa::path(post, path = "/api/v1/programs", tag = "plans", request_body = ProgramPayload,
    responses((status = 201, body = crate::programs::ProgramView), (status = 403), (status = 422)))]
pub(super) async fn create_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(p): Json<ProgramPayload>,
) -> AppResult<Response> {
    let created = crate::programs::ProgramView::from(create(&state, &ctx, &p).await?);
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Change a programme read at version `expected`.
pub(super) async fn update(
    state: &AppState,
    ctx: &Ctx,
    prog: &Program,
    expected: i64,
    p: &ProgramPayload,
) -> AppResult<Program> {
    let f = check_program(state, ctx, p).await?;
    // A programme is not under itself, nor under a plan below it.
    if let Some(parent) = f.parent {
        if parent == prog.id
            || store::ancestors(&state.db, parent)
                .await?
                .contains(&prog.id)
        {
            return Err(AppError::Validation(vec![FieldError::new(
                "parent",
                "error-parent-loop",
            )]));
        }
    }
    // Refuse a stale change before adding any document to the registry.
    if prog.version != expected {
        return Err(stale_of(prog));
    }
    let (document_id, legal_basis) = documents_of(state, ctx, p, f.doc_date).await?;
    let input = ProgramInput {
        code: f.code,
        title: f.title,
        kind: p.kind.clone(),
        document_id,
        period_start: f.start,
        period_end: f.end,
        lead_agency_id: f.lead,
        admin_unit_id: f.unit,
        objectives_general: f.general,
        objectives_specific: f.specific,
        legal_basis,
        parent_id: f.parent,
    };
    match store::update_program(&state.db, &ctx.actor(), prog.id, Some(expected), &input).await {
        Err(StoreError::Stale { .. }) => Err(stale_of(&reload(state, ctx, prog.id).await?)),
        other => Ok(other?),
    }
}

pub(super) async fn reload(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Program> {
    store::get(&state.db, ctx.user()?.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Change a programme's title, dates, lead agency, documents and objectives
/// (admin or coordinator, inside their scope). Name the version read
/// (`version` or `If-Match`): without one 428, stale 409 with the stored
/// programme in `error.current`. The status moves by `POST …/status`.
#[utoipa::path(put, path = "/api/v1/programs/{id}", tag = "plans", params(("id" = i64, Path)), request_body = ProgramPayload,
    responses((status = 200, body = crate::programs::ProgramView, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404), (status = 409, description = "stale version: `error.current` is the stored programme"),
        (status = 422), (status = 428, description = "no version given")))]
pub(super) async fn update_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<ProgramPayload>,
) -> AppResult<Response> {
    let prog = editable(&state, &ctx, &id).await?;
    let expected = version::expected(p.version, &headers)?;
    let saved = update(&state, &ctx, &prog, expected, &p).await?;
    Ok(version::with_etag(
        saved.version,
        crate::programs::ProgramView::from(saved),
    ))
}

/// The payload a form shows for a stored programme.
pub(super) async fn payload_of(state: &AppState, p: &Program) -> AppResult<ProgramPayload> {
    let basis = store::legal_basis(&state.db, p.id).await?;
    let specific: Vec<String> = p
        .objectives_specific
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    Ok(ProgramPayload {
        code: p.code.clone(),
        title: p.title.clone(),
        kind: p.kind.clone(),
        document_number: p.document_number.clone(),
        document_date: date_text(p.document_date),
        period_start: Some(vnfmt::format_date(p.period_start)),
        period_end: Some(vnfmt::format_date(p.period_end)),
        lead_agency: p.lead_agency_id.map(|a| a.to_string()).unwrap_or_default(),
        objectives_general: p.objectives_general.clone(),
        objectives_specific: Some(specific.join("\n")),
        legal_basis: Some(
            basis
                .into_iter()
                .map(|(_, n, title)| n.unwrap_or(title))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        parent: p.parent_id.map(|x| x.to_string()),
        version: Some(p.version),
    })
}

pub(super) async fn form(
    state: &AppState,
    ctx: &Ctx,
    p: &ProgramPayload,
    id: Option<i64>,
    errors: &[FieldError],
    conflict: Option<Vec<ConflictRow>>,
) -> AppResult<Html<String>> {
    let user = ctx.require(Action::EditRegistry)?;
    let agencies = agencies::options(&state.db, user.scope_unit_id).await?;
    // The programmes it may carry out: those the caller reads, but itself.
    let (visible, _) = store::list(&state.db, user.scope_unit_id, None, 500, 0).await?;
    let parents: Vec<(i64, String)> = visible
        .into_iter()
        .filter(|x| Some(x.id) != id)
        .map(|x| (x.id, format!("{} — {}", x.code, x.title)))
        .collect();
    let errors: Vec<_> = errors
        .iter()
        .map(|e| context! { field => e.field, message => format!("{}: {}", field_label(ctx.lang, &e.field), e.message(ctx.lang)) })
        .collect();
    let title = t(
        ctx.lang,
        if id.is_some() {
            "program-edit"
        } else {
            "program-new"
        },
    );
    let page = context! { title => title, p => p, id => id, kinds => KINDS, agencies => agencies, parents => parents, errors => errors, conflict => conflict };
    render(state, ctx, "programs/form.html", page)
}

pub(super) async fn new_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    form(
        &state,
        &ctx,
        &ProgramPayload {
            kind: "plan".into(),
            ..Default::default()
        },
        None,
        &[],
        None,
    )
    .await
}

pub(super) async fn create_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Form(p): Form<ProgramPayload>,
) -> AppResult<Response> {
    match create(&state, &ctx, &p).await {
        Ok(prog) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/programs/{}", prog.id)).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. })) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form(&state, &ctx, &p, None, &e.field_errors(), None).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

pub(super) async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let prog = editable(&state, &ctx, &id).await?;
    let p = payload_of(&state, &prog).await?;
    form(&state, &ctx, &p, Some(prog.id), &[], None).await
}

pub(super) const PROGRAM_FIELDS: [&str; 11] = [
    "code",
    "title",
    "kind",
    "document_number",
    "document_date",
    "period_start",
    "period_end",
    "lead_agency",
    "legal_basis",
    "objectives_general",
    "objectives_specific",
];

pub(super) async fn update_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    Form(p): Form<ProgramPayload>,
) -> AppResult<Response> {
    let prog = editable(&state, &ctx, &id).await?;
    let expected = version::from_form(p.version.map(|v| v.to_string()).as_deref())?;
    match update(&state, &ctx, &prog, expected, &p).await {
        Ok(saved) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/programs/{}", saved.id)).into_response())
        }
        Err(AppError::Stale { .. }) => {
            // Keep what was typed; show it beside what is stored, with the stored
            // version, so saving again overwrites deliberately.
            let stored = reload(&state, &ctx, prog.id).await?;
            let stored_p = payload_of(&state, &stored).await?;
            let rows = conflict_rows(ctx.lang, &PROGRAM_FIELDS, &p, &stored_p);
            let mut mine = p.clone();
            mine.version = Some(stored.version);
            let html = form(&state, &ctx, &mine, Some(prog.id), &[], Some(rows)).await?;
            Ok((StatusCode::CONFLICT, html).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Duplicate { .. })) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form(&state, &ctx, &p, Some(prog.id), &e.field_errors(), None).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

/// "Bạn nhập / Đã lưu": the fields whose typed value differs from the stored one.
pub(super) fn conflict_rows<A: Serialize, B: Serialize>(
    lang: Lang,
    fields: &[&str],
    mine: &A,
    stored: &B,
) -> Vec<ConflictRow> {
    crate::views::conflict_rows(
        fields,
        &unix_newlines(serde_json::to_value(mine).unwrap_or_default()),
        &unix_newlines(serde_json::to_value(stored).unwrap_or_default()),
        |f| field_label(lang, f),
    )
}

pub(super) async fn editable(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Program> {
    let user = ctx.require(Action::EditRegistry)?;
    let id = crate::common::path_id(id)?;
    store::get(&state.db, user.scope_unit_id, id)
        .await?
        .ok_or(AppError::NotFound)
}
