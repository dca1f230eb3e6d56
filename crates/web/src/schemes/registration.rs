//! Registering applicants through their local unit, and forwarding them to the department.

use super::*;

/// A registration, by the local unit (or the department on its behalf).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RegisterPayload {
    /// A village of the registry (its id), or blank with `applicant` for one not listed.
    #[serde(default)]
    pub village_id: Option<String>,
    #[serde(default)]
    pub applicant: Option<String>,
    /// The People's Committee that forwards it (agency id or key); default: the caller's agency.
    #[serde(default)]
    pub unit_agency: Option<String>,
    /// Content keys, comma separated (forms send one field per checked box too).
    #[serde(default)]
    pub contents: Option<String>,
    /// Earlier years registered, e.g. "2015, 2016".
    #[serde(default)]
    pub earlier_years: Option<String>,
    /// Registration date (default today), e.g. "15/5/2017".
    #[serde(default)]
    pub registered_on: Option<String>,
    /// The recognition decision, for a village not in the registry.
    #[serde(default)]
    pub recognised_by: Option<String>,
    #[serde(default)]
    pub representative: Option<String>,
    #[serde(default)]
    pub legal_status: Option<String>,
    #[serde(default)]
    pub has_seal: Option<String>,
    #[serde(default)]
    pub bank_account: Option<String>,
}

pub(super) fn truthy(v: &Option<String>) -> bool {
    matches!(
        v.as_deref().map(str::trim),
        Some("1" | "true" | "on" | "yes" | "có")
    )
}

pub(super) async fn register(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    p: &RegisterPayload,
    contents_list: Vec<String>,
) -> AppResult<i64> {
    let s = crate::scoped::load::<Scheme>(state, ctx, id, Reach::Read).await?;
    let u = ctx.user()?;
    let r = role(ctx)?;
    if !matches!(r, Role::Officer | Role::Coordinator | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    if let Err(r) = rules::scheme_transition(store::scheme_status(&s)?, SchemeAction::Register) {
        return Err(AppError::Validation(vec![FieldError::new(
            "village_id",
            r.key(),
        )]));
    }
    let mut errors = vec![];
    let scheme_contents = store::contents(&state.db, s.id).await?;
    let mut keys: Vec<String> = contents_list;
    if let Some(c) = &p.contents {
        keys.extend(
            c.split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty()),
        );
    }
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        errors.push(FieldError::new("contents", "error-required"));
    }
    for k in &keys {
        if !scheme_contents.iter().any(|c| &c.key == k) {
            errors.push(FieldError::new("contents", "error-choice"));
        }
    }
    let village_id: Option<i64> = non_empty(&p.village_id).and_then(|v| v.parse().ok());
    let (applicant, admin_unit_id) = match village_id {
        Some(vid) => {
            let rec = langnghe_store::registry::get(
                &state.db,
                langnghe_store::registry::spec::Entity::Village,
                u.scope_unit_id,
                vid,
            )
            .await?;
            match (rec, store::village_unit(&state.db, vid).await?) {
                (Some(_), Some((name, unit))) => (name, unit),
                _ => {
                    errors.push(FieldError::new("village_id", "error-choice"));
                    (String::new(), 0)
                }
            }
        }
        None => match clean_text(p.applicant.as_deref().unwrap_or(""), 300) {
            Ok(a) if !a.is_empty() => (a, 0),
            _ => {
                errors.push(FieldError::new("village_id", "error-required"));
                (String::new(), 0)
            }
        },
    };
    let unit_agency_id = match non_empty(&p.unit_agency) {
        None => u.agency_id,
        Some(k) => match k.parse::<i64>() {
            Ok(id) => id,
            Err(_) => langnghe_store::agencies::id_by_key(&state.db, &k)
                .await?
                .unwrap_or(0),
        },
    };
    // A district registers for itself only.
    if r == Role::Officer && unit_agency_id != u.agency_id {
        return Err(AppError::Forbidden);
    }
    let agency = langnghe_store::agencies::get(&state.db, u.scope_unit_id, unit_agency_id).await?;
    let Some(agency) = agency else {
        errors.push(FieldError::new("unit_agency", "error-unknown-agency"));
        return Err(AppError::Validation(errors));
    };
    if r == Role::Officer && unit_agency_id != u.agency_id {
        return Err(AppError::Forbidden);
    }
    let admin_unit_id = if admin_unit_id == 0 {
        agency.admin_unit_id
    } else {
        admin_unit_id
    };
    let mut earlier = vec![];
    for y in non_empty(&p.earlier_years)
        .unwrap_or_default()
        .split([',', ';', ' '])
    {
        let y = y.trim();
        if y.is_empty() {
            continue;
        }
        match y.parse::<i32>() {
            Ok(y) if (1990..=i32::from(today().year() as i16)).contains(&y) => earlier.push(y),
            _ => errors.push(FieldError::new("earlier_years", "error-year")),
        }
    }
    let registered_on = match non_empty(&p.registered_on) {
        None => today(),
        Some(d) => match vnfmt::parse_date(&d) {
            Ok(d) => d,
            Err(_) => {
                errors.push(FieldError::new("registered_on", "error-date"));
                today()
            }
        },
    };
    let text = |v: &Option<String>, f: &str, errors: &mut Vec<FieldError>| -> Option<String> {
        match clean_text(v.as_deref().unwrap_or(""), 300) {
            Ok(s) if s.is_empty() => None,
            Ok(s) => Some(s),
            Err(_) => {
                errors.push(FieldError::new(f, "error-text"));
                None
            }
        }
    };
    let representative = text(&p.representative, "representative", &mut errors);
    let recognised_by = text(&p.recognised_by, "recognised_by", &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let registered = store::register(
        &state.db,
        &ctx.actor(),
        &NewApplication {
            scheme_id: s.id,
            village_id,
            applicant,
            unit_agency_id,
            admin_unit_id,
            registered_on,
            earlier_years: earlier,
            contents: keys,
            representative,
            recognised_by,
            legal_status: truthy(&p.legal_status),
            has_seal: truthy(&p.has_seal),
            bank_account: truthy(&p.bank_account),
            sample: false,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => AppError::Validation(vec![FieldError::new(
            "village_id",
            "scheme-already-registered",
        )]),
        e => e.into(),
    })?;
    registered.map_err(|r| match r {
        Refusal::Scheme { key } => AppError::Validation(vec![FieldError::new("village_id", key)]),
        r => refused(ctx.lang, r),
    })
}

/// Applications of a scheme: a district sees its own, the department all.
#[utoipa::path(get, path = "/api/v1/schemes/{id}/applications", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, body = crate::common::ListOf<AppItem>)))]
pub(super) async fn applications_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(s): Scoped<Scheme>,
) -> AppResult<Json<crate::common::ListOf<AppItem>>> {
    let u = ctx.user()?;
    let items: Vec<AppItem> = store::applications(&state.db, s.id, u.scope_unit_id)
        .await?
        .into_iter()
        .map(|a| app_item(ctx.lang, a))
        .collect();
    let total = items.len() as i64;
    Ok(Json(crate::common::ListOf { items, total }))
}

/// Register an applicant through its local unit.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/applications", tag = "schemes", params(("id" = i64, Path)),
    request_body = RegisterPayload,
    responses((status = 201, body = ApplicationBody), (status = 403), (status = 422)))]
pub(super) async fn register_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<RegisterPayload>,
) -> AppResult<Response> {
    let aid = register(&state, &ctx, &id, &p, vec![]).await?;
    let (_, app) = <(Scheme, Application)>::load(&state, &ctx, aid, Reach::Read).await?;
    Ok((StatusCode::CREATED, Json(ApplicationBody::from(app))).into_response())
}

/// A registration as its form posts it: the fields, and the contents ticked.
fn registration_form(pairs: &[(String, String)]) -> (RegisterPayload, Vec<String>) {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let p = RegisterPayload {
        village_id: get("village_id"),
        applicant: get("applicant"),
        unit_agency: get("unit_agency"),
        contents: None,
        earlier_years: get("earlier_years"),
        registered_on: get("registered_on"),
        recognised_by: get("recognised_by"),
        representative: get("representative"),
        legal_status: get("legal_status"),
        has_seal: get("has_seal"),
        bank_account: get("bank_account"),
    };
    let list = pairs
        .iter()
        .filter(|(n, _)| n == "content")
        .map(|(_, v)| v.clone())
        .collect();
    (p, list)
}

pub(super) async fn register_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    // Checkboxes repeat the `content` field: read them as pairs.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::bad("error-form"))?;
    let (p, list) = registration_form(&pairs);
    match register(&state, &ctx, &id, &p, list).await {
        Ok(_) => {
            ctx::flash(&session, "success", t(ctx.lang, "scheme-registered")).await;
            Ok(Redirect::to(&format!("/schemes/{id}#applications")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let typed = Typed::of("register", typed_pairs(&pairs));
            let (h, st) = detail_typed(
                &state,
                &ctx,
                &id,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
            )
            .await?;
            Ok((st, h).into_response())
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn forward(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<usize> {
    let s = crate::scoped::load::<Scheme>(state, ctx, id, Reach::Read).await?;
    let u = ctx.user()?;
    if !matches!(role(ctx)?, Role::Officer | Role::Coordinator | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    let n = store::forward(&state.db, &ctx.actor(), s.id, u.agency_id, today()).await?;
    Ok(n)
}

/// The local unit forwards its registrations to the department as one batch.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/forward", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, description = "`{forwarded}`"), (status = 403)))]
pub(super) async fn forward_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let n = forward(&state, &ctx, &id).await?;
    Ok(Json(serde_json::json!({ "forwarded": n })).into_response())
}

pub(super) async fn forward_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let n = forward(&state, &ctx, &id).await?;
    ctx::flash(
        &session,
        "success",
        t_args(ctx.lang, "scheme-forwarded", &[("count", n.to_string())]),
    )
    .await;
    Ok(Redirect::to(&format!("/schemes/{id}#applications")).into_response())
}
