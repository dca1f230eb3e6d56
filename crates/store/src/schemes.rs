//! Support schemes: the scheme (contents, rules, budget, steps), applications
//! registered through the local unit, eligibility, selection, contracts,
//! monitoring, acceptance per content, liquidation, settlement and
//! disbursements; activities that are not applications. Every change of an
//! application is an event and an audit row. Accepted support and payments
//! flow into the plan: indicator actuals and the budget line's disbursements.

use crate::audit::{self, Actor};
use crate::{with_db, with_tx, Arg, Db, Result, Sql, StoreError, Tx};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

fn clean(s: &str) -> String {
    langnghe_core::text::nfc(s).trim().to_string()
}

// ---------------------------------------------------------------------------
// Schemes
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Scheme {
    pub id: i64,
    pub key: Option<String>,
    pub program_id: i64,
    pub program_code: String,
    pub budget_line_id: Option<i64>,
    pub title: String,
    pub year: i64,
    pub budget_dong: i64,
    /// JSON array of eligibility rules (`core::scheme::EligibilityRule`).
    pub eligibility: String,
    /// JSON array of ordered priority rules (`core::scheme::PriorityRule`).
    pub priority: String,
    /// none, round_robin or cap.
    pub fair_share: String,
    pub fair_cap: Option<i64>,
    pub liquidate_by: Option<Date>,
    pub indicator_id: Option<i64>,
    pub lead_agency_id: Option<i64>,
    pub lead_agency_name: Option<String>,
    pub partner_agency_id: Option<i64>,
    pub partner_agency_name: Option<String>,
    pub decision_doc_id: Option<i64>,
    pub decision_number: Option<String>,
    pub decision_date: Option<Date>,
    /// registration, selection, decided, execution, closed.
    pub status: String,
    pub notes: Option<String>,
    pub applications: i64,
    pub selected: i64,
    pub selected_dong: i64,
    #[serde(skip)]
    pub admin_unit_id: i64,
}

const SELECT_SCHEME: &str = "SELECT s.id, s.key, s.program_id, p.code AS program_code, s.budget_line_id, s.title, s.year, \
    s.budget_dong, s.eligibility, s.priority, s.fair_share, s.fair_cap, s.liquidate_by, s.indicator_id, \
    s.lead_agency_id, la.name AS lead_agency_name, s.partner_agency_id, pa.name AS partner_agency_name, \
    s.decision_doc_id, d.number AS decision_number, d.issued_on AS decision_date, s.status, s.notes, \
    (SELECT COUNT(*) FROM applications a WHERE a.scheme_id = s.id) AS applications, \
    (SELECT COUNT(*) FROM applications a WHERE a.scheme_id = s.id AND a.state IN ('selected', 'contracted', 'accepted', 'liquidated', 'settled')) AS selected, \
    (SELECT CAST(COALESCE(SUM(a.amount_dong), 0) AS BIGINT) FROM applications a WHERE a.scheme_id = s.id AND a.state IN ('selected', 'contracted', 'accepted', 'liquidated', 'settled')) AS selected_dong, \
    p.admin_unit_id \
    FROM schemes s JOIN programs p ON p.id = s.program_id LEFT JOIN agencies la ON la.id = s.lead_agency_id \
    LEFT JOIN agencies pa ON pa.id = s.partner_agency_id LEFT JOIN legal_documents d ON d.id = s.decision_doc_id";

/// Schemes a scope sees: those run inside it, and those of the province its units belong to.
fn scoped(scope_id: i64) -> Sql {
    let mut sql = Sql::new(SELECT_SCHEME);
    sql.push(" WHERE 1 = 1", []);
    if scope_id != crate::geo::COUNTRY_ID {
        sql.push(
            " AND (p.admin_unit_id IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = ?) \
             OR ? IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = p.admin_unit_id))",
            [Arg::I64(scope_id), Arg::I64(scope_id)],
        );
    }
    sql
}

pub async fn list(db: &Db, scope_id: i64) -> Result<Vec<Scheme>> {
    let mut sql = scoped(scope_id);
    sql.push(" ORDER BY s.year DESC, s.id DESC", []);
    Ok(with_db!(db, |c| crate::bind_args!(
        sqlx::query_as::<_, Scheme>(&sql.text),
        sql.args
    )
    .fetch_all(c)
    .await?))
}

pub async fn get(db: &Db, scope_id: i64, id: i64) -> Result<Option<Scheme>> {
    let mut sql = scoped(scope_id);
    sql.push(" AND s.id = ?", [Arg::I64(id)]);
    crate::fetch_optional::<Scheme>(db, &sql).await
}

pub async fn id_by_key(db: &Db, key: &str) -> Result<Option<i64>> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT id FROM schemes WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(c)
    .await?))
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Content {
    pub key: String,
    pub name: String,
    pub unit_cost_dong: i64,
    /// The plan indicator an accepted content counts towards.
    pub indicator_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Step {
    pub ord: i64,
    pub text: String,
    pub lead_agency_id: Option<i64>,
    pub lead_agency_name: Option<String>,
    pub coordinating: Option<String>,
    pub start_on: Option<Date>,
    pub due_on: Option<Date>,
    pub done_on: Option<Date>,
}

pub async fn contents(db: &Db, scheme_id: i64) -> Result<Vec<Content>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT key, name, unit_cost_dong, indicator_id FROM scheme_contents WHERE scheme_id = $1 ORDER BY sort_order, id"
    )
    .bind(scheme_id)
    .fetch_all(c)
    .await?
    }))
}

pub async fn steps(db: &Db, scheme_id: i64) -> Result<Vec<Step>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT st.ord, st.text, st.lead_agency_id, a.name AS lead_agency_name, st.coordinating, st.start_on, st.due_on, st.done_on \
         FROM scheme_steps st LEFT JOIN agencies a ON a.id = st.lead_agency_id WHERE st.scheme_id = $1 ORDER BY st.ord"
    )
    .bind(scheme_id)
    .fetch_all(c)
    .await?
    }))
}

/// A scheme as entered or seeded.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewScheme {
    pub key: Option<String>,
    pub program_id: i64,
    pub budget_line_id: Option<i64>,
    pub title: String,
    pub year: i64,
    pub budget_dong: i64,
    pub eligibility: String,
    pub priority: String,
    pub fair_share: String,
    pub fair_cap: Option<i64>,
    pub liquidate_by: Option<Date>,
    pub indicator_id: Option<i64>,
    pub lead_agency_id: Option<i64>,
    pub partner_agency_id: Option<i64>,
    pub notes: Option<String>,
    pub contents: Vec<Content>,
    pub steps: Vec<Step>,
}

pub async fn insert(db: &Db, actor: &Actor, s: &NewScheme) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let mut tx = db.begin().await?;
    let id: i64 = with_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO schemes (key, program_id, budget_line_id, title, year, budget_dong, eligibility, priority, fair_share, fair_cap, \
         liquidate_by, indicator_id, lead_agency_id, partner_agency_id, status, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'registration', $15, $16, $16) RETURNING id"
    )
    .bind(&s.key)
    .bind(s.program_id)
    .bind(s.budget_line_id)
    .bind(clean(&s.title))
    .bind(s.year)
    .bind(s.budget_dong)
    .bind(&s.eligibility)
    .bind(&s.priority)
    .bind(&s.fair_share)
    .bind(s.fair_cap)
    .bind(s.liquidate_by)
    .bind(s.indicator_id)
    .bind(s.lead_agency_id)
    .bind(s.partner_agency_id)
    .bind(&s.notes)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(StoreError::from)
    .map_err(|e| e.on_unique("key"))?
    });
    for (i, ct) in s.contents.iter().enumerate() {
        with_tx!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO scheme_contents (scheme_id, key, name, unit_cost_dong, indicator_id, sort_order) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(id)
        .bind(&ct.key)
        .bind(clean(&ct.name))
        .bind(ct.unit_cost_dong)
        .bind(ct.indicator_id)
        .bind(i as i64)
        .execute(c)
        .await
        .map_err(StoreError::from)
        .map_err(|e| e.on_unique("content key"))?
        .rows_affected()
        });
    }
    for st in &s.steps {
        with_tx!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO scheme_steps (scheme_id, ord, text, lead_agency_id, coordinating, start_on, due_on, done_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(id)
        .bind(st.ord)
        .bind(clean(&st.text))
        .bind(st.lead_agency_id)
        .bind(&st.coordinating)
        .bind(st.start_on)
        .bind(st.due_on)
        .bind(st.done_on)
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    audit::record::<(), _>(
        &mut tx,
        actor,
        "create",
        "scheme",
        &id.to_string(),
        None,
        Some(s),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn set_status(db: &Db, actor: &Actor, id: i64, status: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE schemes SET status = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(status)
    .bind(OffsetDateTime::now_utc())
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record::<(), _>(
        &mut tx,
        actor,
        "status",
        "scheme",
        &id.to_string(),
        None,
        Some(&status),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_step_done(
    db: &Db,
    actor: &Actor,
    scheme_id: i64,
    ord: i64,
    done_on: Option<Date>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE scheme_steps SET done_on = $1 WHERE scheme_id = $2 AND ord = $3"
    )
    .bind(done_on)
    .bind(scheme_id)
    .bind(ord)
    .execute(c)
    .await?
    .rows_affected());
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record::<(), _>(
        &mut tx,
        actor,
        "step",
        "scheme",
        &scheme_id.to_string(),
        None,
        Some(&(ord, done_on)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Applications
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Application {
    pub id: i64,
    pub scheme_id: i64,
    pub village_id: Option<i64>,
    pub applicant: String,
    /// The People's Committee that forwarded it.
    pub unit_agency_id: i64,
    pub unit_agency_name: String,
    pub admin_unit_id: i64,
    /// The district it came from (a commune counts under its district before the reform).
    pub district: String,
    pub registered_on: Date,
    pub forwarded_on: Option<Date>,
    /// JSON array of earlier years it registered.
    pub earlier_years: String,
    /// JSON array of content keys applied for.
    pub contents: String,
    pub representative: Option<String>,
    /// The recognition decision the unit declares (villages not in the registry).
    pub recognised_by: Option<String>,
    pub legal_status: bool,
    pub has_seal: bool,
    pub bank_account: bool,
    /// registered, forwarded, eligible, ineligible, selected, not_selected, contracted, accepted, liquidated, settled.
    pub state: String,
    /// JSON of the eligibility results.
    pub eligibility: Option<String>,
    /// JSON array of reviewer verdicts on custom rules (`core::scheme::ReviewerVerdict`).
    pub review: String,
    pub rank: Option<i64>,
    pub amount_dong: i64,
    pub reason: Option<String>,
    /// Sample data (the demo), not a real registration.
    pub sample: bool,
}

const SELECT_APP: &str = "SELECT a.id, a.scheme_id, a.village_id, a.applicant, a.unit_agency_id, ag.name AS unit_agency_name, \
    a.admin_unit_id, COALESCE(CASE WHEN u.level = 'commune' AND pu.level = 'district' THEN pu.name END, u.name) AS district, a.registered_on, a.forwarded_on, a.earlier_years, a.contents, a.representative, \
    a.recognised_by, a.legal_status, a.has_seal, a.bank_account, a.state, a.eligibility, a.review, a.rank, a.amount_dong, a.reason, a.sample \
    FROM applications a JOIN agencies ag ON ag.id = a.unit_agency_id JOIN admin_units u ON u.id = a.admin_unit_id \
    LEFT JOIN admin_units pu ON pu.id = u.parent_id";

/// Applications of a scheme: a district sees those registered in its area.
pub async fn applications(db: &Db, scheme_id: i64, scope_id: i64) -> Result<Vec<Application>> {
    let mut sql = Sql::new(SELECT_APP);
    sql.push(" WHERE a.scheme_id = ?", [Arg::I64(scheme_id)]);
    area_filter(&mut sql, scope_id);
    sql.push(" ORDER BY COALESCE(a.rank, 1000000), a.id", []);
    Ok(with_db!(db, |c| crate::bind_args!(
        sqlx::query_as::<_, Application>(&sql.text),
        sql.args
    )
    .fetch_all(c)
    .await?))
}

fn area_filter(sql: &mut Sql, scope_id: i64) {
    if scope_id != crate::geo::COUNTRY_ID {
        sql.push(
            " AND a.admin_unit_id IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = ?)",
            [Arg::I64(scope_id)],
        );
    }
}

pub async fn application(db: &Db, scope_id: i64, id: i64) -> Result<Option<Application>> {
    let mut sql = Sql::new(SELECT_APP);
    sql.push(" WHERE a.id = ?", [Arg::I64(id)]);
    area_filter(&mut sql, scope_id);
    crate::fetch_optional::<Application>(db, &sql).await
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewApplication {
    pub scheme_id: i64,
    pub village_id: Option<i64>,
    pub applicant: String,
    pub unit_agency_id: i64,
    pub admin_unit_id: i64,
    pub registered_on: Date,
    pub earlier_years: Vec<i32>,
    pub contents: Vec<String>,
    pub representative: Option<String>,
    pub recognised_by: Option<String>,
    pub legal_status: bool,
    pub has_seal: bool,
    pub bank_account: bool,
    pub sample: bool,
}

async fn event(
    tx: &mut Tx,
    actor: &Actor,
    app_id: i64,
    action: &str,
    from: Option<&str>,
    to: &str,
    note: Option<&str>,
) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO application_events (application_id, action, from_state, to_state, note, actor_name, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(app_id)
    .bind(action)
    .bind(from)
    .bind(to)
    .bind(note)
    .bind(&actor.name)
    .bind(OffsetDateTime::now_utc())
    .execute(c)
    .await?
    .rows_affected()
    });
    #[derive(Serialize)]
    struct Move<'a> {
        action: &'a str,
        from: Option<&'a str>,
        to: &'a str,
        note: Option<&'a str>,
    }
    audit::record::<(), _>(
        tx,
        actor,
        action,
        "application",
        &app_id.to_string(),
        None,
        Some(&Move {
            action,
            from,
            to,
            note,
        }),
    )
    .await
}

pub async fn register(db: &Db, actor: &Actor, a: &NewApplication) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let mut tx = db.begin().await?;
    let id: i64 = with_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO applications (scheme_id, village_id, applicant, unit_agency_id, admin_unit_id, registered_on, earlier_years, contents, \
         representative, legal_status, has_seal, bank_account, state, sample, created_at, updated_at, recognised_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'registered', $13, $14, $14, $15) RETURNING id"
    )
    .bind(a.scheme_id)
    .bind(a.village_id)
    .bind(clean(&a.applicant))
    .bind(a.unit_agency_id)
    .bind(a.admin_unit_id)
    .bind(a.registered_on)
    .bind(serde_json::to_string(&a.earlier_years).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&a.contents).unwrap_or_else(|_| "[]".into()))
    .bind(a.representative.as_deref().map(clean))
    .bind(a.legal_status)
    .bind(a.has_seal)
    .bind(a.bank_account)
    .bind(a.sample)
    .bind(now)
    .bind(a.recognised_by.as_deref().map(clean))
    .fetch_one(c)
    .await
    .map_err(StoreError::from)
    .map_err(|e| e.on_unique("village"))?
    });
    event(&mut tx, actor, id, "register", None, "registered", None).await?;
    tx.commit().await?;
    Ok(id)
}

/// Move an application from one of `from` to `to`, with an event; `None` when it was not in `from`.
pub async fn transition(
    db: &Db,
    actor: &Actor,
    app: &Application,
    from: &[&str],
    to: &str,
    action: &str,
    note: Option<&str>,
) -> Result<bool> {
    if !from.contains(&app.state.as_str()) {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    move_in(&mut tx, actor, app.id, &app.state, to, action, note).await?;
    tx.commit().await?;
    Ok(true)
}

async fn move_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    from: &str,
    to: &str,
    action: &str,
    note: Option<&str>,
) -> Result<()> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE applications SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4"
    )
    .bind(to)
    .bind(OffsetDateTime::now_utc())
    .bind(id)
    .bind(from)
    .execute(c)
    .await?
    .rows_affected());
    if n == 0 {
        return Err(StoreError::Conflict("application state changed".into()));
    }
    event(tx, actor, id, action, Some(from), to, note).await
}

/// The local unit forwards its registrations as one batch. Returns how many moved.
pub async fn forward(
    db: &Db,
    actor: &Actor,
    scheme_id: i64,
    unit_agency_id: i64,
    on: Date,
) -> Result<usize> {
    let ids: Vec<i64> = with_db!(db, |c| {
        sqlx::query_scalar(
        "SELECT id FROM applications WHERE scheme_id = $1 AND unit_agency_id = $2 AND state = 'registered' ORDER BY id"
    )
    .bind(scheme_id)
    .bind(unit_agency_id)
    .fetch_all(c)
    .await?
    });
    let mut tx = db.begin().await?;
    for id in &ids {
        with_tx!(&mut tx, |c| sqlx::query(
            "UPDATE applications SET forwarded_on = $1 WHERE id = $2"
        )
        .bind(on)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
        move_in(
            &mut tx,
            actor,
            *id,
            "registered",
            "forwarded",
            "forward",
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

/// Store the reviewer's verdicts (JSON) on an application's custom rules.
pub async fn set_review(db: &Db, actor: &Actor, app_id: i64, review_json: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE applications SET review = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(review_json)
    .bind(OffsetDateTime::now_utc())
    .bind(app_id)
    .execute(c)
    .await?
    .rows_affected());
    audit::record::<(), _>(
        &mut tx,
        actor,
        "review",
        "application",
        &app_id.to_string(),
        None,
        Some(&review_json),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Record the eligibility check (results as JSON, with reasons).
pub async fn record_eligibility(
    db: &Db,
    actor: &Actor,
    app: &Application,
    eligible: bool,
    results_json: &str,
    summary: &str,
) -> Result<()> {
    let to = if eligible { "eligible" } else { "ineligible" };
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE applications SET eligibility = $1, reason = $2, updated_at = $3 WHERE id = $4"
    )
    .bind(results_json)
    .bind(summary)
    .bind(OffsetDateTime::now_utc())
    .bind(app.id)
    .execute(c)
    .await?
    .rows_affected());
    if app.state != to {
        move_in(
            &mut tx,
            actor,
            app.id,
            &app.state,
            to,
            "check",
            Some(summary),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One line of a selection as decided.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Selected {
    pub application_id: i64,
    pub rank: Option<i64>,
    pub selected: bool,
    pub amount_dong: i64,
    pub reason: String,
}

/// Record a selection run: ranks, amounts, reasons; eligible applications become
/// selected or not_selected. All or nothing.
pub async fn record_selection(
    db: &Db,
    actor: &Actor,
    scheme_id: i64,
    rows: &[Selected],
) -> Result<()> {
    let mut tx = db.begin().await?;
    for r in rows {
        let state: Option<String> = with_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT state FROM applications WHERE id = $1 AND scheme_id = $2"
        )
        .bind(r.application_id)
        .bind(scheme_id)
        .fetch_optional(c)
        .await?);
        let Some(state) = state else {
            return Err(StoreError::Invalid(format!(
                "application {}",
                r.application_id
            )));
        };
        with_tx!(&mut tx, |c| {
            sqlx::query(
            "UPDATE applications SET rank = $1, amount_dong = $2, reason = $3, updated_at = $4 WHERE id = $5"
        )
        .bind(r.rank)
        .bind(if r.selected { r.amount_dong } else { 0 })
        .bind(&r.reason)
        .bind(OffsetDateTime::now_utc())
        .bind(r.application_id)
        .execute(c)
        .await?
        .rows_affected()
        });
        let to = if r.selected {
            "selected"
        } else {
            "not_selected"
        };
        if matches!(state.as_str(), "eligible" | "selected" | "not_selected") && state != to {
            move_in(
                &mut tx,
                actor,
                r.application_id,
                &state,
                to,
                "select",
                Some(&r.reason),
            )
            .await?;
        }
    }
    with_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE schemes SET status = 'selection', updated_at = $1 WHERE id = $2 AND status = 'registration'"
    )
    .bind(OffsetDateTime::now_utc())
    .bind(scheme_id)
    .execute(c)
    .await?
    .rows_affected()
    });
    tx.commit().await?;
    Ok(())
}

/// The selection becomes a decision: link the legal document, status decided.
pub async fn set_decision(db: &Db, actor: &Actor, scheme_id: i64, document_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE schemes SET decision_doc_id = $1, status = 'decided', updated_at = $2 WHERE id = $3"
    )
    .bind(document_id)
    .bind(OffsetDateTime::now_utc())
    .bind(scheme_id)
    .execute(c)
    .await?
    .rows_affected()
    });
    audit::record::<(), _>(
        &mut tx,
        actor,
        "decide",
        "scheme",
        &scheme_id.to_string(),
        None,
        Some(&document_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Contract {
    pub id: i64,
    pub application_id: i64,
    pub applicant: String,
    pub scheme_id: i64,
    pub number: String,
    pub signed_on: Date,
    /// The parties, one per line.
    pub parties: String,
    pub amount_dong: i64,
    pub end_on: Option<Date>,
    pub liquidated_on: Option<Date>,
    pub settled_on: Option<Date>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ContractItem {
    pub content_key: String,
    pub amount_dong: i64,
    pub accepted_on: Option<Date>,
    pub note: Option<String>,
}

const SELECT_CONTRACT: &str = "SELECT k.id, k.application_id, a.applicant, a.scheme_id, k.number, k.signed_on, k.parties, \
    k.amount_dong, k.end_on, k.liquidated_on, k.settled_on FROM contracts k JOIN applications a ON a.id = k.application_id";

pub async fn contract_of(db: &Db, app_id: i64) -> Result<Option<(Contract, Vec<ContractItem>)>> {
    let mut sql = Sql::new(SELECT_CONTRACT);
    sql.push(" WHERE k.application_id = ?", [Arg::I64(app_id)]);
    let Some(k) = crate::fetch_optional::<Contract>(db, &sql).await? else {
        return Ok(None);
    };
    let items: Vec<ContractItem> = with_db!(db, |c| {
        sqlx::query_as(
        "SELECT content_key, amount_dong, accepted_on, note FROM contract_items WHERE contract_id = $1 ORDER BY content_key"
    )
    .bind(k.id)
    .fetch_all(c)
    .await?
    });
    Ok(Some((k, items)))
}

/// Contracts in a scope (by the applicant's area).
pub async fn contracts(
    db: &Db,
    scope_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Contract>, i64)> {
    let mut sql = Sql::new(SELECT_CONTRACT);
    sql.push(" WHERE 1 = 1", []);
    area_filter(&mut sql, scope_id);
    let mut count = Sql::new("SELECT COUNT(*) FROM contracts k JOIN applications a ON a.id = k.application_id WHERE 1 = 1");
    area_filter(&mut count, scope_id);
    sql.push(
        " ORDER BY k.signed_on DESC, k.id DESC LIMIT ? OFFSET ?",
        [Arg::I64(limit), Arg::I64(offset)],
    );
    crate::fetch_page::<Contract>(db, &sql, &count).await
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewContract {
    pub number: String,
    pub signed_on: Date,
    pub parties: Vec<String>,
    pub end_on: Option<Date>,
    /// (content key, amount in đồng)
    pub items: Vec<(String, i64)>,
}

pub async fn sign_contract(
    db: &Db,
    actor: &Actor,
    app: &Application,
    k: &NewContract,
) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let total: i64 = k
        .items
        .iter()
        .map(|(_, a)| *a)
        .fold(0i64, |s, a| s.saturating_add(a));
    let mut tx = db.begin().await?;
    let id: i64 = with_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO contracts (application_id, number, signed_on, parties, amount_dong, end_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(app.id)
    .bind(clean(&k.number))
    .bind(k.signed_on)
    .bind(k.parties.iter().map(|p| clean(p)).collect::<Vec<_>>().join("\n"))
    .bind(total)
    .bind(k.end_on)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(StoreError::from)
    .map_err(|e| e.on_unique("contract"))?
    });
    for (key, amount) in &k.items {
        with_tx!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO contract_items (contract_id, content_key, amount_dong) VALUES ($1, $2, $3)"
        )
        .bind(id)
        .bind(key)
        .bind(amount)
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    move_in(
        &mut tx,
        actor,
        app.id,
        &app.state,
        "contracted",
        "contract",
        Some(&k.number),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Visit {
    pub id: i64,
    pub visited_on: Date,
    pub progress_pct: Option<i64>,
    pub note: String,
    pub actor_name: String,
}

pub async fn visits(db: &Db, app_id: i64) -> Result<Vec<Visit>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, visited_on, progress_pct, note, actor_name FROM monitoring_visits WHERE application_id = $1 ORDER BY visited_on, id"
    )
    .bind(app_id)
    .fetch_all(c)
    .await?
    }))
}

pub async fn add_visit(
    db: &Db,
    actor: &Actor,
    app_id: i64,
    on: Date,
    progress: Option<i64>,
    note: &str,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id: i64 = with_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO monitoring_visits (application_id, visited_on, progress_pct, note, actor_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(app_id)
    .bind(on)
    .bind(progress)
    .bind(clean(note))
    .bind(&actor.name)
    .bind(OffsetDateTime::now_utc())
    .fetch_one(c)
    .await?
    });
    audit::record::<(), _>(
        &mut tx,
        actor,
        "visit",
        "application",
        &app_id.to_string(),
        None,
        Some(&(on, progress, note)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Accept one content of a contract (nghiệm thu). When every content is
/// accepted the application is `accepted`, and each accepted content with an
/// indicator counts one towards it (an indicator actual of the scheme's year).
pub async fn accept(
    db: &Db,
    actor: &Actor,
    app: &Application,
    content_key: &str,
    on: Date,
    note: Option<&str>,
) -> Result<bool> {
    let Some((k, items)) = contract_of(db, app.id).await? else {
        return Err(StoreError::Invalid("no contract".into()));
    };
    if !items.iter().any(|i| i.content_key == content_key) {
        return Err(StoreError::Invalid(format!("content {content_key}")));
    }
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE contract_items SET accepted_on = $1, note = $2 WHERE contract_id = $3 AND content_key = $4 AND accepted_on IS NULL"
    )
    .bind(on)
    .bind(note)
    .bind(k.id)
    .bind(content_key)
    .execute(c)
    .await?
    .rows_affected()
    });
    if n == 0 {
        return Err(StoreError::Conflict("already accepted".into()));
    }
    event(
        &mut tx,
        actor,
        app.id,
        "accept_content",
        Some(&app.state),
        &app.state,
        Some(content_key),
    )
    .await?;
    // Results flow back: the content's indicator, for the scheme's year.
    let ind: Option<(Option<i64>, i64)> = with_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT sc.indicator_id, s.year FROM scheme_contents sc JOIN schemes s ON s.id = sc.scheme_id WHERE sc.scheme_id = $1 AND sc.key = $2"
    )
    .bind(app.scheme_id)
    .bind(content_key)
    .fetch_optional(c)
    .await?
    });
    if let Some((Some(indicator_id), year)) = ind {
        with_tx!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO indicator_actuals (indicator_id, period, value, admin_unit_id, source, notes, created_at) \
             VALUES ($1, $2, 1, $3, $4, $5, $6)"
        )
        .bind(indicator_id)
        .bind(year.to_string())
        .bind(app.admin_unit_id)
        .bind(format!("application:{}:{content_key}", app.id))
        .bind(format!("{} — nghiệm thu {}", app.applicant, langnghe_core::vnfmt::format_date(on)))
        .bind(OffsetDateTime::now_utc())
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    let open: i64 = with_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM contract_items WHERE contract_id = $1 AND accepted_on IS NULL"
    )
    .bind(k.id)
    .fetch_one(c)
    .await?);
    let all = open == 0;
    if all && app.state == "contracted" {
        move_in(
            &mut tx,
            actor,
            app.id,
            "contracted",
            "accepted",
            "accept",
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(all)
}

/// Liquidate the contract (thanh lý).
pub async fn liquidate(db: &Db, actor: &Actor, app: &Application, on: Date) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE contracts SET liquidated_on = $1 WHERE application_id = $2"
    )
    .bind(on)
    .bind(app.id)
    .execute(c)
    .await?
    .rows_affected());
    move_in(
        &mut tx,
        actor,
        app.id,
        "accepted",
        "liquidated",
        "liquidate",
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Disbursement {
    pub id: i64,
    pub paid_on: Date,
    pub amount_dong: i64,
    pub note: Option<String>,
}

pub async fn disbursements(db: &Db, app_id: i64) -> Result<Vec<Disbursement>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, paid_on, amount_dong, note FROM disbursements WHERE application_id = $1 ORDER BY paid_on, id"
    )
    .bind(app_id)
    .fetch_all(c)
    .await?
    }))
}

/// Settle (quyết toán): record the payment, mark the contract settled, and add
/// the amount to the disbursements of the scheme's budget line for the year.
pub async fn settle(
    db: &Db,
    actor: &Actor,
    app: &Application,
    on: Date,
    amount_dong: i64,
    note: Option<&str>,
) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query(
        "INSERT INTO disbursements (application_id, paid_on, amount_dong, note, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(app.id)
    .bind(on)
    .bind(amount_dong)
    .bind(note)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
    });
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE contracts SET settled_on = $1 WHERE application_id = $2"
    )
    .bind(on)
    .bind(app.id)
    .execute(c)
    .await?
    .rows_affected());
    let line: Option<Option<i64>> = with_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT budget_line_id FROM schemes WHERE id = $1"
    )
    .bind(app.scheme_id)
    .fetch_optional(c)
    .await?);
    if let Some(Some(line)) = line {
        with_tx!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO budget_amounts (budget_line_id, year, kind, dong, created_at) VALUES ($1, $2, 'disbursement', $3, $4) \
             ON CONFLICT (budget_line_id, year, kind) DO UPDATE SET dong = budget_amounts.dong + excluded.dong"
        )
        .bind(line)
        .bind(i64::from(on.year()))
        .bind(amount_dong)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    move_in(
        &mut tx,
        actor,
        app.id,
        "liquidated",
        "settled",
        "settle",
        note,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AppEvent {
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub note: Option<String>,
    pub actor_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

pub async fn events(db: &Db, app_id: i64) -> Result<Vec<AppEvent>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT action, from_state, to_state, note, actor_name, at FROM application_events WHERE application_id = $1 ORDER BY id"
    )
    .bind(app_id)
    .fetch_all(c)
    .await?
    }))
}

/// Earlier registrations of the same village in other schemes: (year, title, state).
pub async fn village_history(
    db: &Db,
    village_id: i64,
    except_scheme: i64,
) -> Result<Vec<(i64, String, String)>> {
    Ok(with_db!(db, |c| sqlx::query_as(
        "SELECT s.year, s.title, a.state FROM applications a JOIN schemes s ON s.id = a.scheme_id \
         WHERE a.village_id = $1 AND a.scheme_id <> $2 ORDER BY s.year"
    )
    .bind(village_id)
    .bind(except_scheme)
    .fetch_all(c)
    .await?))
}

/// Facts the registry gives about a village: (recognised?, the recognition decision's number and date).
pub async fn village_facts(
    db: &Db,
    village_id: i64,
) -> Result<Option<(String, Option<String>, Option<Date>)>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT v.status, d.number, d.issued_on FROM villages v LEFT JOIN legal_documents d ON d.id = v.recognition_doc_id WHERE v.id = $1"
    )
    .bind(village_id)
    .fetch_optional(c)
    .await?
    }))
}

/// The users of an agency (to notify the applicant's unit).
pub async fn unit_users(db: &Db, agency_id: i64) -> Result<Vec<i64>> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT id FROM users WHERE agency_id = $1 AND active ORDER BY id"
    )
    .bind(agency_id)
    .fetch_all(c)
    .await?))
}

// ---------------------------------------------------------------------------
// Activities
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Activity {
    #[serde(default)]
    pub id: i64,
    pub program_id: i64,
    pub indicator_id: Option<i64>,
    /// training, fair, design or other.
    pub kind: String,
    pub title: String,
    pub held_on: Date,
    pub admin_unit_id: i64,
    pub agency_id: Option<i64>,
    /// What it counts towards its indicator (1 class, 3 designs…).
    pub quantity: f64,
    pub participants: Option<i64>,
    pub employed_after: Option<i64>,
    pub cost_dong: Option<i64>,
    pub notes: Option<String>,
}

pub async fn activities(db: &Db, program_id: i64) -> Result<Vec<Activity>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, program_id, indicator_id, kind, title, held_on, admin_unit_id, agency_id, quantity, participants, employed_after, cost_dong, notes \
         FROM activities WHERE program_id = $1 ORDER BY held_on DESC, id DESC"
    )
    .bind(program_id)
    .fetch_all(c)
    .await?
    }))
}

/// Record an activity; with an indicator it counts `quantity` towards it for its year.
pub async fn add_activity(db: &Db, actor: &Actor, a: &Activity) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let mut tx = db.begin().await?;
    let id: i64 = with_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO activities (program_id, indicator_id, kind, title, held_on, admin_unit_id, agency_id, quantity, participants, employed_after, cost_dong, notes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
    )
    .bind(a.program_id)
    .bind(a.indicator_id)
    .bind(&a.kind)
    .bind(clean(&a.title))
    .bind(a.held_on)
    .bind(a.admin_unit_id)
    .bind(a.agency_id)
    .bind(a.quantity)
    .bind(a.participants)
    .bind(a.employed_after)
    .bind(a.cost_dong)
    .bind(&a.notes)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    if let Some(ind) = a.indicator_id {
        with_tx!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO indicator_actuals (indicator_id, period, value, admin_unit_id, source, notes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(ind)
        .bind(a.held_on.year().to_string())
        .bind(a.quantity)
        .bind(a.admin_unit_id)
        .bind(format!("activity:{id}"))
        .bind(clean(&a.title))
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    audit::record::<(), _>(
        &mut tx,
        actor,
        "create",
        "activity",
        &id.to_string(),
        None,
        Some(a),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// (name, admin unit) of a registry village.
pub async fn village_unit(db: &Db, village_id: i64) -> Result<Option<(String, i64)>> {
    Ok(with_db!(db, |c| sqlx::query_as(
        "SELECT name, admin_unit_id FROM villages WHERE id = $1"
    )
    .bind(village_id)
    .fetch_optional(c)
    .await?))
}

/// What the eligibility rules see of an application: the registry's
/// recognition (or the decision the unit declared), forwarding, the
/// representative, and the reviewer's verdicts.
pub async fn facts_of(db: &Db, a: &Application) -> Result<langnghe_core::scheme::Facts> {
    let recognised_by = match a.village_id {
        Some(v) => match village_facts(db, v).await? {
            Some((status, number, date)) if status == "recognised" || status == "traditional" => {
                Some(match (number, date) {
                    (Some(n), Some(d)) => {
                        format!(
                            "Quyết định số {n} ngày {}",
                            langnghe_core::vnfmt::format_date(d)
                        )
                    }
                    (Some(n), None) => format!("Quyết định số {n}"),
                    _ => a
                        .recognised_by
                        .clone()
                        .unwrap_or_else(|| "danh mục làng nghề".into()),
                })
            }
            _ => None,
        },
        None => a.recognised_by.clone(),
    };
    Ok(langnghe_core::scheme::Facts {
        recognised_by,
        registered_through_unit: a.forwarded_on.is_some(),
        legal_status: a.legal_status,
        seal: a.has_seal,
        bank_account: a.bank_account,
        reviewer: serde_json::from_str(&a.review).unwrap_or_default(),
    })
}

/// The applications a selection ranks: every checked one (contracted and later
/// ones keep their share of the budget); `eligible` unless found ineligible.
pub fn selection_input(apps: &[Application]) -> Vec<langnghe_core::scheme::Application> {
    apps.iter()
        .filter(|a| !matches!(a.state.as_str(), "registered" | "forwarded"))
        .map(|a| langnghe_core::scheme::Application {
            id: a.id,
            applicant: a.applicant.clone(),
            district: a.district.clone(),
            contents: serde_json::from_str(&a.contents).unwrap_or_default(),
            registered_on: a.registered_on,
            earlier_years: serde_json::from_str(&a.earlier_years).unwrap_or_default(),
            eligible: a.state != "ineligible",
        })
        .collect()
}
