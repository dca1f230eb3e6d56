//! One application after selection: contract, monitoring visits, acceptance per content, liquidation, settlement.

use super::*;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    /// `reason` is in the request's language; `reason_key`/`reason_args` give its key.
    #[serde(flatten)]
    pub application: AppItem,
    /// The eligibility results, each reason in the request's language with its key.
    pub eligibility_results: Vec<RuleView>,
    pub scheme_title: String,
    pub contract: Option<ContractBody>,
    pub items: Vec<ContractItemBody>,
    pub visits: Vec<VisitBody>,
    pub disbursements: Vec<DisbursementBody>,
    pub events: Vec<AppEventBody>,
    /// Earlier registrations of the same village: (year, scheme, state).
    pub history: Vec<(i64, String, String)>,
    /// Days past the liquidation deadline while not liquidated.
    pub liquidation_overdue_days: Option<i64>,
}

pub(super) async fn app_view(
    state: &AppState,
    lang: Lang,
    s: &Scheme,
    a: Application,
) -> AppResult<ApplicationView> {
    let (contract, items) = match store::contract_of(&state.db, a.id).await? {
        Some((k, i)) => (Some(k), i),
        None => (None, vec![]),
    };
    let overdue = match (s.liquidate_by, &contract) {
        (Some(by), Some(k)) => rules::liquidation_overdue(by, k.liquidated_on, today()),
        _ => None,
    };
    Ok(ApplicationView {
        scheme_title: s.title.clone(),
        visits: views(store::visits(&state.db, a.id).await?),
        disbursements: views(store::disbursements(&state.db, a.id).await?),
        events: store::events(&state.db, a.id)
            .await?
            .into_iter()
            .map(|mut e| {
                // A check's or a selection's note is the reason, as a message.
                if matches!(e.action.as_str(), "check" | "select") {
                    e.note = e.note.as_deref().map(|n| msg_text(lang, &stored_msg(n)));
                }
                AppEventBody::from(e)
            })
            .collect(),
        history: match a.village_id {
            Some(v) => store::village_history(&state.db, v, s.id).await?,
            None => vec![],
        },
        liquidation_overdue_days: overdue,
        contract: contract.map(ContractBody::from),
        items: views(items),
        eligibility_results: stored_results(lang, a.eligibility.as_deref()),
        application: app_item(lang, a),
    })
}

/// One application with its contract, visits, acceptance, payments and
/// history; its version is also the `ETag`.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationView, headers(("ETag" = String, description = "the version, quoted"))), (status = 404)))]
pub(super) async fn application_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Scoped(found): Scoped<(Scheme, Application)>,
) -> AppResult<Response> {
    let (s, a) = found;
    let view = app_view(&state, ctx.lang, &s, a).await?;
    Ok(crate::version::with_etag(
        view.application.application.version,
        view,
    ))
}

pub(super) async fn application_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    application_html(&state, &ctx, &id, &[], &Typed::default()).await
}

pub(super) async fn application_html(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: &[FieldError],
    typed: &Typed,
) -> AppResult<Html<String>> {
    let (s, a) = crate::scoped::load::<(Scheme, Application)>(state, ctx, id, Reach::Read).await?;
    let contents = store::contents(&state.db, s.id).await?;
    let v = app_view(state, ctx.lang, &s, a).await?;
    let eligibility = v.eligibility_results.clone();
    let applied: Vec<String> = json_list(&v.application.application.contents);
    render(
        state,
        ctx,
        "schemes/application.html",
        context! {
            title => v.application.application.applicant.clone(),
            s => s,
            v => v,
            contents => contents,
            applied => applied,
            eligibility => eligibility,
            custom_rules => json_list::<EligibilityRule>(&s.eligibility).into_iter().filter_map(|r| match r { EligibilityRule::Custom { key, label } => Some((key, label)), _ => None }).collect::<Vec<_>>(),
            is_department => department(ctx).is_ok(),
            errors => crate::views::field_errors(ctx.lang, errors),
            today => vnfmt::format_date(today()),
            typed_form => typed.form.clone(),
            typed => typed.over(&app_blank()),
            typed_blank => app_blank(),
        },
    )
}

/// What an action on an application takes (fields by action).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AppActionPayload {
    /// contract: the number ("05/2017/HĐ-SCT").
    #[serde(default)]
    pub number: Option<String>,
    /// contract, visit, accept, liquidate, settle: the date ("15/9/2017"); default today.
    #[serde(default)]
    pub date: Option<String>,
    /// contract: the parties, one per line (default: the scheme's lead and partner and the representative).
    #[serde(default)]
    pub parties: Option<String>,
    /// accept: the content key.
    #[serde(default)]
    pub content: Option<String>,
    /// visit: progress in %.
    #[serde(default)]
    pub progress: Option<String>,
    /// visit, accept, settle: a note.
    #[serde(default)]
    pub note: Option<String>,
    /// settle: the amount paid ("280.000.000"); default the contract amount.
    #[serde(default)]
    pub amount: Option<String>,
    /// review: the key of the scheme's custom rule.
    #[serde(default)]
    pub rule: Option<String>,
    /// review: "1"/"true" when the applicant meets it.
    #[serde(default)]
    pub passed: Option<String>,
    /// Optional: the application's version read (or send `If-Match`); a stale one answers 409.
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

/// A store action's answer: the refusal or the stale version as the person sees it.
pub(super) async fn acted<T>(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    r: langnghe_store::Result<Result<T, Refusal>>,
) -> AppResult<T> {
    match r {
        Ok(Ok(x)) => Ok(x),
        Ok(Err(refusal)) => Err(refused(ctx.lang, refusal)),
        Err(StoreError::Stale { .. }) => {
            let (s, a) =
                crate::scoped::load::<(Scheme, Application)>(state, ctx, id, Reach::Read).await?;
            Err(crate::version::stale(
                &app_view(state, ctx.lang, &s, a).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn app_action(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    action: &str,
    p: &AppActionPayload,
    expected: Option<i64>,
) -> AppResult<()> {
    department(ctx)?;
    let (s, a) = crate::scoped::load::<(Scheme, Application)>(state, ctx, id, Reach::Read).await?;
    // A version given that is not the one stored: 409 with the record as it is.
    if expected.is_some_and(|v| v != a.version) {
        return Err(crate::version::stale(
            &app_view(state, ctx.lang, &s, a).await?,
        ));
    }
    let mut errors = vec![];
    let date = match non_empty(&p.date) {
        None => today(),
        Some(d) => vnfmt::parse_date(&d).unwrap_or_else(|_| {
            errors.push(FieldError::new("date", "error-date"));
            today()
        }),
    };
    let note = non_empty(&p.note).and_then(|n| clean_text(&n, 2_000).ok());
    let actor = ctx.actor();
    let lang = ctx.lang;
    let from = Stage::parse(&a.state).ok_or_else(|| AppError::Internal(a.state.clone()))?;
    // What the rules of `core::scheme::transition` need, from the stored
    // application and the form (parsed here; what cannot be parsed is said here).
    let mut facts = rules::AppFacts {
        representative: !a.representative.as_deref().unwrap_or("").is_empty(),
        legal_status: a.legal_status,
        has_seal: a.has_seal,
        bank_account: a.bank_account,
        note: note.is_some(),
        ..Default::default()
    };
    // The rules' verdict: a refusal (409) or the inputs they refuse, after the
    // ones that could not be read.
    let judge = |action: AppAction, facts: &rules::AppFacts, mut errors: Vec<FieldError>| {
        match rules::transition(from, action, facts) {
            Ok(_) if errors.is_empty() => Ok(()),
            Ok(_) => Err(AppError::Validation(errors)),
            Err(rules::AppTransitionError::Refused(r)) => Err(refused(lang, Refusal::State(r))),
            Err(rules::AppTransitionError::Invalid(bad)) => {
                errors.extend(bad.iter().map(|f| FieldError::new(f.field, f.key)));
                Err(AppError::Validation(errors))
            }
        }
    };
    match action {
        "review" => {
            let rules_list: Vec<EligibilityRule> = json_list(&s.eligibility);
            let key = non_empty(&p.rule).unwrap_or_default();
            facts.review_rule_known = rules_list
                .iter()
                .any(|r| matches!(r, EligibilityRule::Custom { key: k, .. } if *k == key));
            // A verdict answers its own form: the date plays no part in it.
            judge(AppAction::Review, &facts, vec![])?;
            let verdict = rules::ReviewerVerdict {
                key,
                passed: truthy(&p.passed),
                note: note.unwrap_or_default(),
            };
            let r = store::review(&state.db, &actor, a.id, expected, verdict, &rules_list).await;
            let after = acted(state, ctx, id, r).await?;
            if after.state != a.state {
                notify_unit(state, &after, &after.state).await?;
            }
            return Ok(());
        }
        "contract" => {
            let number = non_empty(&p.number)
                .and_then(|n| clean_text(&n, 100).ok())
                .unwrap_or_default();
            facts.contract_number = !number.is_empty();
            judge(AppAction::Contract, &facts, errors)?;
            let contents = store::contents(&state.db, s.id).await?;
            let applied: Vec<String> = json_list(&a.contents);
            let items: Vec<(String, i64)> = contents
                .iter()
                .filter(|c| applied.contains(&c.key))
                .map(|c| (c.key.clone(), c.unit_cost_dong.max(0)))
                .collect();
            let parties: Vec<String> = match non_empty(&p.parties) {
                Some(x) => x
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect(),
                None => [
                    s.lead_agency_name.clone(),
                    s.partner_agency_name.clone(),
                    a.representative.clone(),
                ]
                .into_iter()
                .flatten()
                .collect(),
            };
            let r = store::sign_contract(
                &state.db,
                &actor,
                a.id,
                expected,
                &store::NewContract {
                    number,
                    signed_on: date,
                    parties,
                    end_on: s.liquidate_by,
                    items,
                },
            )
            .await;
            acted(state, ctx, id, r).await?;
        }
        "visit" => {
            facts.progress_pct = match non_empty(&p.progress) {
                None => None,
                Some(x) => match vnfmt::parse_int(x.trim_end_matches('%').trim()) {
                    Ok(n) => Some(n),
                    Err(_) => {
                        errors.push(FieldError::new("progress", "error-number-plain"));
                        None
                    }
                },
            };
            judge(AppAction::Visit, &facts, errors)?;
            let r = store::add_visit(
                &state.db,
                &actor,
                a.id,
                expected,
                date,
                facts.progress_pct,
                &note.unwrap_or_default(),
            )
            .await;
            acted(state, ctx, id, r).await?;
            return Ok(());
        }
        "accept" => {
            // Whether this content is the last one open is the store's to
            // know: it applies `AcceptContent { last }` to the locked row.
            let key = non_empty(&p.content).unwrap_or_default();
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            let r = store::accept(
                &state.db,
                &actor,
                a.id,
                expected,
                &key,
                date,
                note.as_deref(),
            )
            .await;
            acted(state, ctx, id, r).await?;
        }
        "liquidate" => {
            judge(AppAction::Liquidate, &facts, errors)?;
            let r = store::liquidate(&state.db, &actor, a.id, expected, date).await;
            acted(state, ctx, id, r).await?;
        }
        "settle" => {
            facts.contract_dong = store::contract_of(&state.db, a.id)
                .await?
                .map(|(k, _)| k.amount_dong)
                .unwrap_or(0);
            match non_empty(&p.amount).map(|x| vnfmt::parse_money_dong(&x)) {
                None => {}
                Some(Ok(v)) => facts.paid_dong = Some(v),
                Some(Err(_)) => errors.push(FieldError::new("amount", "app-amount-range")),
            }
            judge(AppAction::Settle, &facts, errors)?;
            let r = store::settle(
                &state.db,
                &actor,
                a.id,
                expected,
                date,
                facts.paid_dong.unwrap_or(facts.contract_dong),
                note.as_deref(),
            )
            .await;
            acted(state, ctx, id, r).await?;
        }
        _ => return Err(AppError::NotFound),
    }
    let (_, after) =
        crate::scoped::load::<(Scheme, Application)>(state, ctx, id, Reach::Read).await?;
    notify_unit(state, &after, &after.state).await?;
    Ok(())
}

/// Act on an application: `contract`, `visit`, `accept` (one content),
/// `liquidate`, `settle`, `review` (a verdict on a custom rule). Actions are
/// guarded by the application's state machine, applied to its row once
/// locked: of two concurrent identical actions one succeeds and the other is
/// refused (409 `refused`). A version (`version` or `If-Match`), when given,
/// must be the current one (409 `stale_version` with the stored application).
#[utoipa::path(post, path = "/api/v1/applications/{id}/{action}", tag = "schemes",
    params(("id" = i64, Path), ("action" = String, Path, description = "contract, visit, accept, liquidate, settle or review")),
    request_body = AppActionPayload,
    responses((status = 200, body = ApplicationView, headers(("ETag" = String, description = "the new version, quoted"))),
        (status = 403), (status = 404),
        (status = 409, description = "the state does not allow the action (`refused`), or the version given is stale (`stale_version`, `error.current` is the stored application)"),
        (status = 422)))]
pub(super) async fn application_action_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Json(p): Json<AppActionPayload>,
) -> AppResult<Response> {
    let expected = action_version(p.version, &headers)?;
    app_action(&state, &ctx, &id, &action, &p, expected).await?;
    let (s, a) =
        crate::scoped::load::<(Scheme, Application)>(&state, &ctx, &id, Reach::Read).await?;
    let view = app_view(&state, ctx.lang, &s, a).await?;
    Ok(crate::version::with_etag(
        view.application.application.version,
        view,
    ))
}

pub(super) async fn application_action_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((id, action)): Path<(String, String)>,
    Form(p): Form<AppActionPayload>,
) -> AppResult<Response> {
    // What was typed goes back into the form it came from.
    let typed = Typed::of(&action, serde_json::to_value(&p).unwrap_or_default());
    match app_action(&state, &ctx, &id, &action, &p, p.version).await {
        Ok(()) => {
            ctx::flash(&session, "success", t(ctx.lang, "saved")).await;
            Ok(Redirect::to(&format!("/applications/{id}")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let h = application_html(&state, &ctx, &id, &errs, &typed).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, h).into_response())
        }
        // The page was out of date: show it as it is now, with the reason.
        Err(AppError::Refused(e)) => {
            let h = application_html(&state, &ctx, &id, &[e], &typed).await?;
            Ok((StatusCode::CONFLICT, h).into_response())
        }
        Err(AppError::Stale { .. }) => {
            let e = FieldError::new("state", "error-stale");
            let h = application_html(&state, &ctx, &id, &[e], &typed).await?;
            Ok((StatusCode::CONFLICT, h).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Contracts of the support schemes in the caller's scope.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "schemes", params(ContractQuery),
    responses((status = 200, body = crate::common::ListOf<ContractBody>)))]
pub(super) async fn contracts_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ContractQuery>,
) -> AppResult<Json<crate::common::ListOf<ContractBody>>> {
    let u = ctx.user()?;
    let (items, total) = store::contracts(
        &state.db,
        u.scope_unit_id,
        crate::extract::api_limit(q.limit),
        crate::extract::api_offset(q.offset),
    )
    .await?;
    Ok(Json(crate::common::ListOf {
        items: views(items),
        total,
    }))
}

pub(super) async fn contracts_page(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Html<String>> {
    let u = ctx.user()?;
    let (items, total) = store::contracts(&state.db, u.scope_unit_id, 500, 0).await?;
    render(
        &state,
        &ctx,
        "schemes/contracts.html",
        context! { title => t(ctx.lang, "contracts-title"), items => items, total => total },
    )
}
