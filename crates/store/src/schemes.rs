//! Support schemes: the scheme (contents, rules, budget, steps), applications
//! registered through the local unit, eligibility, selection, contracts,
//! monitoring, acceptance per content, liquidation, settlement and
//! disbursements; activities that are not applications. Every change of an
//! application is an event and an audit row. Accepted support and payments
//! flow into the plan: indicator actuals and the budget line's disbursements.

use crate::audit::{Actor, AuditAction, AuditEntity};
use crate::write::{Expected, Write};
use crate::{with_db, with_tx, Arg, Db, Result, Sql, StoreError, Tx};
use langnghe_core::scheme::{
    self as rules, AppAction, AppRefusal, AppState, EligibilityRule, SchemeAction, SchemeRefusal,
    SchemeStatus,
};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

fn clean(s: &str) -> String {
    langnghe_core::text::nfc(s).trim().to_string()
}

// ---------------------------------------------------------------------------
// Schemes
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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
    /// Changes name the version they were based on (no lost update).
    pub version: i64,
}

/// `{CHOSEN}`: the states that count in the decision ([`AppState::CHOSEN`]).
static SELECT_SCHEME: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("SELECT s.id, s.key, s.program_id, p.code AS program_code, s.budget_line_id, s.title, s.year, \
    s.budget_dong, s.eligibility, s.priority, s.fair_share, s.fair_cap, s.liquidate_by, s.indicator_id, \
    s.lead_agency_id, la.name AS lead_agency_name, s.partner_agency_id, pa.name AS partner_agency_name, \
    s.decision_doc_id, d.number AS decision_number, d.issued_on AS decision_date, s.status, s.notes, \
    (SELECT COUNT(*) FROM applications a WHERE a.scheme_id = s.id) AS applications, \
    (SELECT COUNT(*) FROM applications a WHERE a.scheme_id = s.id AND a.state IN ({CHOSEN})) AS selected, \
    (SELECT CAST(COALESCE(SUM(a.amount_dong), 0) AS BIGINT) FROM applications a WHERE a.scheme_id = s.id AND a.state IN ({CHOSEN})) AS selected_dong, \
    p.admin_unit_id, s.version \
    FROM schemes s JOIN programs p ON p.id = s.program_id LEFT JOIN agencies la ON la.id = s.lead_agency_id \
    LEFT JOIN agencies pa ON pa.id = s.partner_agency_id LEFT JOIN legal_documents d ON d.id = s.decision_doc_id",
        CHOSEN = crate::states::app_chosen()
    )
});

/// Schemes a scope sees: those run inside it, and those of the province its units belong to.
fn scoped(scope_id: i64) -> Sql {
    let mut sql = Sql::new(&SELECT_SCHEME);
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

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct Content {
    pub key: String,
    pub name: String,
    pub unit_cost_dong: i64,
    /// The plan indicator an accepted content counts towards.
    pub indicator_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// Why a change or an action was not made, once the rows it needs were locked
/// and read as they are now. The caller tells the person why (a 409 or 422).
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The application's state does not allow the action.
    State(AppRefusal),
    /// The scheme's status does not allow it: `key` says why
    /// (`scheme-closed-for-registration`, `scheme-already-decided`).
    Scheme { key: &'static str },
    /// The contract has no such content.
    UnknownContent,
    /// This content is accepted already.
    ContentAccepted,
    /// A content an application applied for cannot be taken off the scheme.
    ContentInUse(String),
    /// The budget cannot go below what is selected already.
    BudgetBelowSelected { selected_dong: i64 },
    /// A decision needs a selection.
    NothingSelected,
}

impl Refusal {
    /// The scheme's refusal as the store reports it.
    pub fn of_scheme(r: SchemeRefusal) -> Refusal {
        match r {
            SchemeRefusal::NothingSelected => Refusal::NothingSelected,
            SchemeRefusal::ClosedForRegistration | SchemeRefusal::AlreadyDecided => {
                Refusal::Scheme { key: r.key() }
            }
        }
    }
}

/// A scheme's stored status, parsed.
pub fn scheme_status(s: &Scheme) -> Result<SchemeStatus> {
    SchemeStatus::parse(&s.status)
        .ok_or_else(|| StoreError::Invalid(format!("scheme status {}", s.status)))
}

/// The result of a write that the rules may refuse: the outer error is the
/// store's, the inner one the rules'.
pub type Act<T> = Result<std::result::Result<T, Refusal>>;

async fn scheme_tx(tx: &mut Tx, id: i64) -> Result<Scheme> {
    let sql = format!("{} WHERE s.id = $1", *SELECT_SCHEME);
    crate::row_for_tx::<Scheme>(tx, &sql, id)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn contents_tx(tx: &mut Tx, scheme_id: i64) -> Result<Vec<Content>> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT key, name, unit_cost_dong, indicator_id FROM scheme_contents WHERE scheme_id = $1 ORDER BY sort_order, id"
    )
    .bind(scheme_id)
    .fetch_all(c)
    .await?
    }))
}

async fn steps_tx(tx: &mut Tx, scheme_id: i64) -> Result<Vec<Step>> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT st.ord, st.text, st.lead_agency_id, a.name AS lead_agency_name, st.coordinating, st.start_on, st.due_on, st.done_on \
         FROM scheme_steps st LEFT JOIN agencies a ON a.id = st.lead_agency_id WHERE st.scheme_id = $1 ORDER BY st.ord"
    )
    .bind(scheme_id)
    .fetch_all(c)
    .await?
    }))
}

/// A scheme as the audit log records it: the row, its contents and its steps.
#[derive(Debug, Clone, Serialize)]
pub struct SchemeRecord {
    #[serde(flatten)]
    pub scheme: Scheme,
    pub contents: Vec<Content>,
    pub steps: Vec<Step>,
}

async fn scheme_record(tx: &mut Tx, id: i64) -> Result<SchemeRecord> {
    Ok(SchemeRecord {
        scheme: scheme_tx(tx, id).await?,
        contents: contents_tx(tx, id).await?,
        steps: steps_tx(tx, id).await?,
    })
}

async fn bump_scheme(tx: &mut Tx, id: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE schemes SET version = version + 1, updated_at = $1 WHERE id = $2"
    )
    .bind(OffsetDateTime::now_utc())
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

async fn insert_contents(tx: &mut Tx, id: i64, contents: &[Content]) -> Result<()> {
    for (i, ct) in contents.iter().enumerate() {
        with_tx!(tx, |c| {
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
        .map_err(|e| e.on_unique("contents"))?
        .rows_affected()
        });
    }
    Ok(())
}

async fn insert_steps(tx: &mut Tx, id: i64, steps: &[Step]) -> Result<()> {
    for st in steps {
        with_tx!(tx, |c| {
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
    Ok(())
}

pub async fn insert(db: &Db, actor: &Actor, s: &NewScheme) -> Result<i64> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO schemes (key, program_id, budget_line_id, title, year, budget_dong, eligibility, priority, fair_share, fair_cap, \
         liquidate_by, indicator_id, lead_agency_id, partner_agency_id, status, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $17, $15, $16, $16) RETURNING id"
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
    .bind(SchemeStatus::Registration.as_str())
    .fetch_one(c)
    .await
    .map_err(StoreError::from)
    .map_err(|e| e.on_unique("key"))?
    });
    insert_contents(w.tx(), id, &s.contents).await?;
    insert_steps(w.tx(), id, &s.steps).await?;
    w.created(AuditEntity::Scheme, id, s).await?;
    w.commit().await?;
    Ok(id)
}

/// Change a scheme at version `expected`: its fields, contents (by key) and
/// steps (by order; a step keeps the day it was done). A content that an
/// application applied for stays; the budget does not go below what is
/// selected. Records the exact before and after.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected: Expected,
    s: &NewScheme,
) -> Act<Scheme> {
    let mut w = db.write(actor).await?;
    w.lock("schemes", id, expected).await?;
    let before = scheme_record(w.tx(), id).await?;
    if s.budget_dong < before.scheme.selected_dong {
        return Ok(Err(Refusal::BudgetBelowSelected {
            selected_dong: before.scheme.selected_dong,
        }));
    }
    let applied: Vec<String> = with_tx!(w.tx(), |c| sqlx::query_scalar(
        "SELECT contents FROM applications WHERE scheme_id = $1"
    )
    .bind(id)
    .fetch_all(c)
    .await?);
    for old in &before.contents {
        let kept = s.contents.iter().any(|c| c.key == old.key);
        let used = applied.iter().any(|a| {
            serde_json::from_str::<Vec<String>>(a)
                .unwrap_or_default()
                .contains(&old.key)
        });
        if !kept && used {
            return Ok(Err(Refusal::ContentInUse(old.key.clone())));
        }
    }
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE schemes SET budget_line_id = $1, title = $2, year = $3, budget_dong = $4, eligibility = $5, priority = $6, \
         fair_share = $7, fair_cap = $8, liquidate_by = $9, indicator_id = $10, lead_agency_id = $11, partner_agency_id = $12, \
         updated_at = $13, version = version + 1 WHERE id = $14"
    )
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
    .bind(OffsetDateTime::now_utc())
    .bind(id)
    .execute(c)
    .await?
    .rows_affected()
    });
    // Contents: the ones kept are changed in place, new ones added, the others go.
    for (i, ct) in s.contents.iter().enumerate() {
        let n = with_tx!(w.tx(), |c| {
            sqlx::query(
            "UPDATE scheme_contents SET name = $1, unit_cost_dong = $2, indicator_id = $3, sort_order = $4 WHERE scheme_id = $5 AND key = $6"
        )
        .bind(clean(&ct.name))
        .bind(ct.unit_cost_dong)
        .bind(ct.indicator_id)
        .bind(i as i64)
        .bind(id)
        .bind(&ct.key)
        .execute(c)
        .await?
        .rows_affected()
        });
        if n == 0 {
            with_tx!(w.tx(), |c| {
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
            .await?
            .rows_affected()
            });
        }
    }
    for old in &before.contents {
        if !s.contents.iter().any(|c| c.key == old.key) {
            with_tx!(w.tx(), |c| sqlx::query(
                "DELETE FROM scheme_contents WHERE scheme_id = $1 AND key = $2"
            )
            .bind(id)
            .bind(&old.key)
            .execute(c)
            .await?
            .rows_affected());
        }
    }
    w.exec_for("DELETE FROM scheme_steps WHERE scheme_id = $1", id)
        .await?;
    let steps: Vec<Step> = s
        .steps
        .iter()
        .map(|st| Step {
            done_on: before
                .steps
                .iter()
                .find(|o| o.ord == st.ord)
                .and_then(|o| o.done_on),
            ..st.clone()
        })
        .collect();
    insert_steps(w.tx(), id, &steps).await?;
    let after = scheme_record(w.tx(), id).await?;
    w.finish(
        AuditAction::Update,
        AuditEntity::Scheme,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(Ok(after.scheme))
}

/// Set a scheme's status (registration, selection, decided, execution, closed).
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected: Expected,
    status: &str,
) -> Result<()> {
    let mut w = db.write(actor).await?;
    w.lock("schemes", id, expected).await?;
    let before = scheme_tx(w.tx(), id).await?;
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE schemes SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3"
    )
    .bind(status)
    .bind(OffsetDateTime::now_utc())
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    let after = scheme_tx(w.tx(), id).await?;
    w.audit(
        AuditAction::Status,
        AuditEntity::Scheme,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    w.commit().await
}

/// Mark a step of the timeline done (or not, with `None`).
pub async fn set_step_done(
    db: &Db,
    actor: &Actor,
    scheme_id: i64,
    expected: Expected,
    ord: i64,
    done_on: Option<Date>,
) -> Result<Scheme> {
    let mut w = db.write(actor).await?;
    w.lock("schemes", scheme_id, expected).await?;
    let before = scheme_record(w.tx(), scheme_id).await?;
    let n = with_tx!(w.tx(), |c| sqlx::query(
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
    bump_scheme(w.tx(), scheme_id).await?;
    let after = scheme_record(w.tx(), scheme_id).await?;
    w.finish(
        AuditAction::Step,
        AuditEntity::Scheme,
        scheme_id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after.scheme)
}

// ---------------------------------------------------------------------------
// Applications
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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
    /// The last check's or selection's reason: a catalogue message
    /// (`core::scheme::Msg`) as JSON; rows written before it are plain
    /// Vietnamese text. Pages and the API give it in the reader's language.
    pub reason: Option<String>,
    /// Sample data (the demo), not a real registration.
    pub sample: bool,
    /// Actions may name the version they were based on (`If-Match`).
    pub version: i64,
}

const SELECT_APP: &str = "SELECT a.id, a.scheme_id, a.village_id, a.applicant, a.unit_agency_id, ag.name AS unit_agency_name, \
    a.admin_unit_id, COALESCE(CASE WHEN u.level = 'commune' AND pu.level = 'district' THEN pu.name END, u.name) AS district, a.registered_on, a.forwarded_on, a.earlier_years, a.contents, a.representative, \
    a.recognised_by, a.legal_status, a.has_seal, a.bank_account, a.state, a.eligibility, a.review, a.rank, a.amount_dong, a.reason, a.sample, a.version \
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

#[derive(Debug, Clone, Serialize, Deserialize)]
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

async fn app_tx(tx: &mut Tx, id: i64) -> Result<Application> {
    let sql = format!("{SELECT_APP} WHERE a.id = $1");
    crate::row_for_tx::<Application>(tx, &sql, id)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn apps_tx(tx: &mut Tx, scheme_id: i64) -> Result<Vec<Application>> {
    let sql =
        format!("{SELECT_APP} WHERE a.scheme_id = $1 ORDER BY COALESCE(a.rank, 1000000), a.id");
    crate::rows_for_tx::<Application>(tx, &sql, scheme_id).await
}

async fn contract_tx(tx: &mut Tx, app_id: i64) -> Result<Option<(Contract, Vec<ContractItem>)>> {
    let sql = format!("{SELECT_CONTRACT} WHERE k.application_id = $1");
    let k: Option<Contract> = crate::row_for_tx::<Contract>(tx, &sql, app_id).await?;
    let Some(k) = k else {
        return Ok(None);
    };
    let items: Vec<ContractItem> = with_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT content_key, amount_dong, accepted_on, note FROM contract_items WHERE contract_id = $1 ORDER BY content_key"
    )
    .bind(k.id)
    .fetch_all(c)
    .await?
    });
    Ok(Some((k, items)))
}

async fn village_facts_tx(
    tx: &mut Tx,
    village_id: Option<i64>,
) -> Result<Option<(String, Option<String>, Option<Date>)>> {
    let Some(v) = village_id else {
        return Ok(None);
    };
    Ok(with_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT v.status, d.number, d.issued_on FROM villages v LEFT JOIN legal_documents d ON d.id = v.recognition_doc_id WHERE v.id = $1"
    )
    .bind(v)
    .fetch_optional(c)
    .await?
    }))
}

/// An application as the audit log records it: the row, its contract with the
/// contents, the visits and the payments.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationRecord {
    #[serde(flatten)]
    pub application: Application,
    pub contract: Option<Contract>,
    pub items: Vec<ContractItem>,
    pub visits: Vec<Visit>,
    pub disbursements: Vec<Disbursement>,
}

async fn app_record(tx: &mut Tx, id: i64) -> Result<ApplicationRecord> {
    let application = app_tx(tx, id).await?;
    let (contract, items) = match contract_tx(tx, id).await? {
        Some((k, i)) => (Some(k), i),
        None => (None, vec![]),
    };
    let visits = with_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, visited_on, progress_pct, note, actor_name FROM monitoring_visits WHERE application_id = $1 ORDER BY visited_on, id"
    )
    .bind(id)
    .fetch_all(c)
    .await?
    });
    let disbursements = with_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, paid_on, amount_dong, note FROM disbursements WHERE application_id = $1 ORDER BY paid_on, id"
    )
    .bind(id)
    .fetch_all(c)
    .await?
    });
    Ok(ApplicationRecord {
        application,
        contract,
        items,
        visits,
        disbursements,
    })
}

fn state_of(a: &Application) -> Result<AppState> {
    AppState::parse(&a.state)
        .ok_or_else(|| StoreError::Invalid(format!("application state {}", a.state)))
}

/// Lock application `id` at `expected` (when given), read it as it is now and
/// ask the state machine where `action` takes it. Concurrent actions on the
/// same application queue here, so each one sees the state the previous one left.
async fn begin_act(
    w: &mut Write<'_>,
    id: i64,
    expected: Expected,
    action: AppAction,
) -> Result<std::result::Result<(ApplicationRecord, AppState, AppState), Refusal>> {
    w.lock("applications", id, expected).await?;
    let rec = app_record(w.tx(), id).await?;
    let from = state_of(&rec.application)?;
    Ok(match rules::app_transition(from, action) {
        Ok(to) => Ok((rec, from, to)),
        Err(r) => Err(Refusal::State(r)),
    })
}

/// Put the application in state `to` (a new version) and, when `event` is
/// given, add that line to its history.
async fn set_state(
    w: &mut Write<'_>,
    id: i64,
    from: AppState,
    to: AppState,
    event: Option<(&str, Option<&str>)>,
) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE applications SET state = $1, updated_at = $2, version = version + 1 WHERE id = $3"
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    if let Some((action, note)) = event {
        let actor = w.actor().name.clone();
        with_tx!(w.tx(), |c| {
            sqlx::query(
            "INSERT INTO application_events (application_id, action, from_state, to_state, note, actor_name, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(id)
        .bind(action)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(note)
        .bind(&actor)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    Ok(())
}

/// Audit the action (the application before and after) and commit.
async fn finish(
    mut w: Write<'_>,
    action: AuditAction,
    id: i64,
    before: Option<&ApplicationRecord>,
) -> Result<ApplicationRecord> {
    let after = app_record(w.tx(), id).await?;
    w.finish(action, AuditEntity::Application, id, before, Some(&after))
        .await?;
    Ok(after)
}

/// Register an application while the scheme takes registrations.
pub async fn register(db: &Db, actor: &Actor, a: &NewApplication) -> Act<i64> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    // The scheme's row is held so that registration and the selection run queue.
    w.lock("schemes", a.scheme_id, None).await?;
    let status = scheme_status(&scheme_tx(w.tx(), a.scheme_id).await?)?;
    if let Err(r) = rules::scheme_transition(status, SchemeAction::Register) {
        return Ok(Err(Refusal::of_scheme(r)));
    }
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO applications (scheme_id, village_id, applicant, unit_agency_id, admin_unit_id, registered_on, earlier_years, contents, \
         representative, legal_status, has_seal, bank_account, state, sample, created_at, updated_at, recognised_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $16, $13, $14, $14, $15) RETURNING id"
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
    .bind(AppState::Registered.as_str())
    .fetch_one(c)
    .await
    .map_err(StoreError::from)
    .map_err(|e| e.on_unique("village_id"))?
    });
    let actor_name = w.actor().name.clone();
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "INSERT INTO application_events (application_id, action, from_state, to_state, note, actor_name, at) \
         VALUES ($1, 'register', NULL, $4, NULL, $2, $3)"
    )
    .bind(id)
    .bind(&actor_name)
    .bind(now)
    .bind(AppState::Registered.as_str())
    .execute(c)
    .await?
    .rows_affected()
    });
    finish(w, AuditAction::Register, id, None).await?;
    Ok(Ok(id))
}

/// The local unit forwards its registrations as one batch. Returns how many moved.
pub async fn forward(
    db: &Db,
    actor: &Actor,
    scheme_id: i64,
    unit_agency_id: i64,
    on: Date,
) -> Result<usize> {
    let mut w = db.write(actor).await?;
    let ids: Vec<i64> = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "SELECT id FROM applications WHERE scheme_id = $1 AND unit_agency_id = $2 AND state = $3 ORDER BY id"
    )
    .bind(scheme_id)
    .bind(unit_agency_id)
    .bind(AppState::Registered.as_str())
    .fetch_all(c)
    .await?
    });
    let mut moved = 0;
    for id in ids {
        let Ok((before, from, to)) = begin_act(&mut w, id, None, AppAction::Forward).await? else {
            continue;
        };
        with_tx!(w.tx(), |c| sqlx::query(
            "UPDATE applications SET forwarded_on = $1 WHERE id = $2"
        )
        .bind(on)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
        set_state(&mut w, id, from, to, Some(("forward", None))).await?;
        let after = app_record(w.tx(), id).await?;
        w.audit(
            AuditAction::Forward,
            AuditEntity::Application,
            id,
            Some(&before),
            Some(&after),
        )
        .await?;
        moved += 1;
    }
    w.commit().await?;
    Ok(moved)
}

/// Check one application against the scheme's rules (`core::scheme`), with
/// the registry's facts and the reviewers' verdicts as they are now; record
/// the results and the reason. Returns (state before, state after).
pub async fn record_eligibility(
    db: &Db,
    actor: &Actor,
    app_id: i64,
    expected: Expected,
    rules_list: &[EligibilityRule],
) -> Act<(AppState, AppState)> {
    let mut w = db.write(actor).await?;
    w.lock("applications", app_id, expected).await?;
    let before = app_record(w.tx(), app_id).await?;
    let from = state_of(&before.application)?;
    let village = village_facts_tx(w.tx(), before.application.village_id).await?;
    let e = rules::check_eligibility(rules_list, &facts_from(&before.application, village));
    let to = match rules::app_transition(
        from,
        AppAction::Check {
            eligible: e.eligible,
        },
    ) {
        Ok(to) => to,
        Err(r) => return Ok(Err(Refusal::State(r))),
    };
    write_check(&mut w, app_id, from, to, &e).await?;
    finish(w, AuditAction::Check, app_id, Some(&before)).await?;
    Ok(Ok((from, to)))
}

async fn write_check(
    w: &mut Write<'_>,
    app_id: i64,
    from: AppState,
    to: AppState,
    e: &rules::Eligibility,
) -> Result<()> {
    // Language-neutral: the catalogue key and arguments, as JSON.
    let summary = serde_json::to_string(&rules::eligibility_summary(e)).unwrap_or_default();
    let json = serde_json::to_string(&e.results).unwrap_or_else(|_| "[]".into());
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE applications SET eligibility = $1, reason = $2 WHERE id = $3"
    )
    .bind(&json)
    .bind(&summary)
    .bind(app_id)
    .execute(c)
    .await?
    .rows_affected());
    let event = (from != to).then_some(("check", Some(summary.as_str())));
    set_state(w, app_id, from, to, event).await
}

/// Record a reviewer's verdict on one of the scheme's custom rules (replacing
/// an earlier verdict on the same rule) and, while the application is being
/// checked, check it again with it.
pub async fn review(
    db: &Db,
    actor: &Actor,
    app_id: i64,
    expected: Expected,
    verdict: rules::ReviewerVerdict,
    rules_list: &[EligibilityRule],
) -> Act<Application> {
    let mut w = db.write(actor).await?;
    let (before, from, _) = match begin_act(&mut w, app_id, expected, AppAction::Review).await? {
        Ok(x) => x,
        Err(r) => return Ok(Err(r)),
    };
    let mut verdicts: Vec<rules::ReviewerVerdict> =
        serde_json::from_str(&before.application.review).unwrap_or_default();
    verdicts.retain(|v| v.key != verdict.key);
    verdicts.push(verdict);
    let review = serde_json::to_string(&verdicts).unwrap_or_else(|_| "[]".into());
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE applications SET review = $1 WHERE id = $2"
    )
    .bind(&review)
    .bind(app_id)
    .execute(c)
    .await?
    .rows_affected());
    let mut fresh = before.application.clone();
    fresh.review = review;
    let village = village_facts_tx(w.tx(), fresh.village_id).await?;
    let e = rules::check_eligibility(rules_list, &facts_from(&fresh, village));
    match rules::app_transition(
        from,
        AppAction::Check {
            eligible: e.eligible,
        },
    ) {
        Ok(to) => write_check(&mut w, app_id, from, to, &e).await?,
        // Not being checked (still registered): the verdict waits for the check.
        Err(_) => set_state(&mut w, app_id, from, from, None).await?,
    }
    Ok(Ok(finish(w, AuditAction::Review, app_id, Some(&before))
        .await?
        .application))
}

/// One line of a selection as decided.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Selected {
    pub application_id: i64,
    pub rank: Option<i64>,
    pub selected: bool,
    pub amount_dong: i64,
    /// The reason as a catalogue message (`core::scheme::Msg`), JSON.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewContract {
    pub number: String,
    pub signed_on: Date,
    pub parties: Vec<String>,
    pub end_on: Option<Date>,
    /// (content key, amount in đồng)
    pub items: Vec<(String, i64)>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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

/// Record a selection run: with the scheme locked (at `expected`, when given),
/// `select` ranks the applications as they are now and says who is selected;
/// eligible applications become selected or not selected with their rank,
/// amount and reason. All or nothing; refused once the list is decided.
pub async fn record_selection<F>(
    db: &Db,
    actor: &Actor,
    scheme_id: i64,
    expected: Expected,
    select: F,
) -> Act<Vec<Selected>>
where
    F: FnOnce(&Scheme, &[Content], &[Application]) -> Vec<Selected>,
{
    let mut w = db.write(actor).await?;
    w.lock("schemes", scheme_id, expected).await?;
    let scheme = scheme_record(w.tx(), scheme_id).await?;
    let status = scheme_status(&scheme.scheme)?;
    let to = match rules::scheme_transition(status, SchemeAction::Select) {
        Ok(to) => to,
        Err(r) => return Ok(Err(Refusal::of_scheme(r))),
    };
    let apps = apps_tx(w.tx(), scheme_id).await?;
    let rows = select(&scheme.scheme, &scheme.contents, &apps);
    for r in &rows {
        if !apps.iter().any(|a| a.id == r.application_id) {
            return Err(StoreError::Invalid(format!(
                "application {}",
                r.application_id
            )));
        }
        let action = AppAction::Select {
            selected: r.selected,
        };
        // Contracted and later applications keep what they have.
        let Ok((before, from, to)) = begin_act(&mut w, r.application_id, None, action).await?
        else {
            continue;
        };
        with_tx!(w.tx(), |c| sqlx::query(
            "UPDATE applications SET rank = $1, amount_dong = $2, reason = $3 WHERE id = $4"
        )
        .bind(r.rank)
        .bind(if r.selected { r.amount_dong } else { 0 })
        .bind(&r.reason)
        .bind(r.application_id)
        .execute(c)
        .await?
        .rows_affected());
        let event = (from != to).then_some(("select", Some(r.reason.as_str())));
        set_state(&mut w, r.application_id, from, to, event).await?;
        let after = app_record(w.tx(), r.application_id).await?;
        w.audit(
            AuditAction::Select,
            AuditEntity::Application,
            r.application_id,
            Some(&before),
            Some(&after),
        )
        .await?;
    }
    if to != status {
        with_tx!(w.tx(), |c| {
            sqlx::query(
            "UPDATE schemes SET status = $3, updated_at = $1, version = version + 1 WHERE id = $2"
        )
        .bind(OffsetDateTime::now_utc())
        .bind(scheme_id)
        .bind(to.as_str())
        .execute(c)
        .await?
        .rows_affected()
        });
        let after = scheme_record(w.tx(), scheme_id).await?;
        w.audit(
            AuditAction::Select,
            AuditEntity::Scheme,
            scheme_id,
            Some(&scheme),
            Some(&after),
        )
        .await?;
    }
    w.commit().await?;
    Ok(Ok(rows))
}

/// The selection becomes a decision: link the legal document, status decided.
/// Refused when nothing is selected or the list is decided already.
pub async fn set_decision(
    db: &Db,
    actor: &Actor,
    scheme_id: i64,
    expected: Expected,
    document_id: i64,
) -> Act<Scheme> {
    let mut w = db.write(actor).await?;
    w.lock("schemes", scheme_id, expected).await?;
    let before = scheme_tx(w.tx(), scheme_id).await?;
    let decide = SchemeAction::Decide {
        linked: before.decision_doc_id.is_some(),
        selected: before.selected,
    };
    let to = match rules::scheme_transition(scheme_status(&before)?, decide) {
        Ok(to) => to,
        Err(r) => return Ok(Err(Refusal::of_scheme(r))),
    };
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE schemes SET decision_doc_id = $1, status = $4, updated_at = $2, version = version + 1 WHERE id = $3"
    )
    .bind(document_id)
    .bind(OffsetDateTime::now_utc())
    .bind(scheme_id)
    .bind(to.as_str())
    .execute(c)
    .await?
    .rows_affected()
    });
    let after = scheme_tx(w.tx(), scheme_id).await?;
    w.finish(
        AuditAction::Decide,
        AuditEntity::Scheme,
        scheme_id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(Ok(after))
}

/// Sign the contract of a selected application.
pub async fn sign_contract(
    db: &Db,
    actor: &Actor,
    app_id: i64,
    expected: Expected,
    k: &NewContract,
) -> Act<i64> {
    let now = OffsetDateTime::now_utc();
    let total: i64 = k
        .items
        .iter()
        .map(|(_, a)| *a)
        .fold(0i64, |s, a| s.saturating_add(a));
    let mut w = db.write(actor).await?;
    let (before, from, to) = match begin_act(&mut w, app_id, expected, AppAction::Contract).await? {
        Ok(x) => x,
        Err(r) => return Ok(Err(r)),
    };
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO contracts (application_id, number, signed_on, parties, amount_dong, end_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(app_id)
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
        with_tx!(w.tx(), |c| {
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
    set_state(
        &mut w,
        app_id,
        from,
        to,
        Some(("contract", Some(&k.number))),
    )
    .await?;
    finish(w, AuditAction::Contract, app_id, Some(&before)).await?;
    Ok(Ok(id))
}

/// Record a monitoring visit (while the contract runs).
pub async fn add_visit(
    db: &Db,
    actor: &Actor,
    app_id: i64,
    expected: Expected,
    on: Date,
    progress: Option<i64>,
    note: &str,
) -> Act<i64> {
    let mut w = db.write(actor).await?;
    let (before, from, to) = match begin_act(&mut w, app_id, expected, AppAction::Visit).await? {
        Ok(x) => x,
        Err(r) => return Ok(Err(r)),
    };
    let actor_name = w.actor().name.clone();
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO monitoring_visits (application_id, visited_on, progress_pct, note, actor_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(app_id)
    .bind(on)
    .bind(progress)
    .bind(clean(note))
    .bind(&actor_name)
    .bind(OffsetDateTime::now_utc())
    .fetch_one(c)
    .await?
    });
    set_state(&mut w, app_id, from, to, None).await?;
    finish(w, AuditAction::Visit, app_id, Some(&before)).await?;
    Ok(Ok(id))
}

/// Accept one content of a contract (nghiệm thu). When every content is
/// accepted the application is `accepted`, and each accepted content with an
/// indicator counts one towards it (an indicator actual of the scheme's year).
/// Returns whether every content is now accepted.
pub async fn accept(
    db: &Db,
    actor: &Actor,
    app_id: i64,
    expected: Expected,
    content_key: &str,
    on: Date,
    note: Option<&str>,
) -> Act<bool> {
    let mut w = db.write(actor).await?;
    w.lock("applications", app_id, expected).await?;
    let before = app_record(w.tx(), app_id).await?;
    let from = state_of(&before.application)?;
    let Some(k) = &before.contract else {
        return Ok(Err(Refusal::State(AppRefusal {
            from,
            action: AppAction::AcceptContent { last: false },
        })));
    };
    let Some(item) = before.items.iter().find(|i| i.content_key == content_key) else {
        return Ok(Err(Refusal::UnknownContent));
    };
    if item.accepted_on.is_some() {
        return Ok(Err(Refusal::ContentAccepted));
    }
    let last = !before
        .items
        .iter()
        .any(|i| i.accepted_on.is_none() && i.content_key != content_key);
    let to = match rules::app_transition(from, AppAction::AcceptContent { last }) {
        Ok(to) => to,
        Err(r) => return Ok(Err(Refusal::State(r))),
    };
    let contract_id = k.id;
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE contract_items SET accepted_on = $1, note = $2 WHERE contract_id = $3 AND content_key = $4"
    )
    .bind(on)
    .bind(note)
    .bind(contract_id)
    .bind(content_key)
    .execute(c)
    .await?
    .rows_affected()
    });
    // Results flow back: the content's indicator, for the scheme's year.
    let a = &before.application;
    let ind: Option<(Option<i64>, i64)> = with_tx!(w.tx(), |c| {
        sqlx::query_as(
        "SELECT sc.indicator_id, s.year FROM scheme_contents sc JOIN schemes s ON s.id = sc.scheme_id WHERE sc.scheme_id = $1 AND sc.key = $2"
    )
    .bind(a.scheme_id)
    .bind(content_key)
    .fetch_optional(c)
    .await?
    });
    if let Some((Some(indicator_id), year)) = ind {
        with_tx!(w.tx(), |c| {
            sqlx::query(
            "INSERT INTO indicator_actuals (indicator_id, period, value, admin_unit_id, source, notes, created_at) \
             VALUES ($1, $2, 1, $3, $4, $5, $6)"
        )
        .bind(indicator_id)
        .bind(year.to_string())
        .bind(a.admin_unit_id)
        .bind(format!("application:{}:{content_key}", a.id))
        .bind(format!("{} — nghiệm thu {}", a.applicant, langnghe_core::vnfmt::format_date(on)))
        .bind(OffsetDateTime::now_utc())
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    set_state(
        &mut w,
        app_id,
        from,
        from,
        Some(("accept_content", Some(content_key))),
    )
    .await?;
    if to != from {
        with_tx!(w.tx(), |c| sqlx::query(
            "UPDATE applications SET state = $1 WHERE id = $2"
        )
        .bind(to.as_str())
        .bind(app_id)
        .execute(c)
        .await?
        .rows_affected());
        let actor_name = w.actor().name.clone();
        with_tx!(w.tx(), |c| {
            sqlx::query(
            "INSERT INTO application_events (application_id, action, from_state, to_state, note, actor_name, at) \
             VALUES ($1, 'accept', $2, $3, NULL, $4, $5)"
        )
        .bind(app_id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(&actor_name)
        .bind(OffsetDateTime::now_utc())
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    finish(w, AuditAction::Accept, app_id, Some(&before)).await?;
    Ok(Ok(last))
}

/// Liquidate the contract (thanh lý) of an application whose contents are all accepted.
pub async fn liquidate(
    db: &Db,
    actor: &Actor,
    app_id: i64,
    expected: Expected,
    on: Date,
) -> Act<()> {
    let mut w = db.write(actor).await?;
    let (before, from, to) = match begin_act(&mut w, app_id, expected, AppAction::Liquidate).await?
    {
        Ok(x) => x,
        Err(r) => return Ok(Err(r)),
    };
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE contracts SET liquidated_on = $1 WHERE application_id = $2"
    )
    .bind(on)
    .bind(app_id)
    .execute(c)
    .await?
    .rows_affected());
    set_state(&mut w, app_id, from, to, Some(("liquidate", None))).await?;
    finish(w, AuditAction::Liquidate, app_id, Some(&before)).await?;
    Ok(Ok(()))
}

/// Settle (quyết toán): record the payment, mark the contract settled, and add
/// the amount to the disbursements of the scheme's budget line for the year.
pub async fn settle(
    db: &Db,
    actor: &Actor,
    app_id: i64,
    expected: Expected,
    on: Date,
    amount_dong: i64,
    note: Option<&str>,
) -> Act<()> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let (before, from, to) = match begin_act(&mut w, app_id, expected, AppAction::Settle).await? {
        Ok(x) => x,
        Err(r) => return Ok(Err(r)),
    };
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "INSERT INTO disbursements (application_id, paid_on, amount_dong, note, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(app_id)
    .bind(on)
    .bind(amount_dong)
    .bind(note)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
    });
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE contracts SET settled_on = $1 WHERE application_id = $2"
    )
    .bind(on)
    .bind(app_id)
    .execute(c)
    .await?
    .rows_affected());
    let line: Option<Option<i64>> = with_tx!(w.tx(), |c| sqlx::query_scalar(
        "SELECT budget_line_id FROM schemes WHERE id = $1"
    )
    .bind(before.application.scheme_id)
    .fetch_optional(c)
    .await?);
    if let Some(Some(line)) = line {
        with_tx!(w.tx(), |c| {
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
    set_state(&mut w, app_id, from, to, Some(("settle", note))).await?;
    finish(w, AuditAction::Settle, app_id, Some(&before)).await?;
    Ok(Ok(()))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
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
    let mut w = db.write(actor).await?;
    let id: i64 = with_tx!(w.tx(), |c| {
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
        with_tx!(w.tx(), |c| {
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
    let recorded = Activity { id, ..a.clone() };
    w.created(AuditEntity::Activity, id, &recorded).await?;
    w.commit().await?;
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
/// representative, and the reviewer's verdicts. `village` is the registry's
/// (status, decision number, decision date) of its village.
pub fn facts_from(
    a: &Application,
    village: Option<(String, Option<String>, Option<Date>)>,
) -> rules::Facts {
    let recognised_by = match a.village_id {
        Some(_) => match village {
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
    rules::Facts {
        recognised_by,
        registered_through_unit: a.forwarded_on.is_some(),
        legal_status: a.legal_status,
        seal: a.has_seal,
        bank_account: a.bank_account,
        reviewer: serde_json::from_str(&a.review).unwrap_or_default(),
    }
}

/// [`facts_from`] with the village read from the store.
pub async fn facts_of(db: &Db, a: &Application) -> Result<rules::Facts> {
    let village = match a.village_id {
        Some(v) => village_facts(db, v).await?,
        None => None,
    };
    Ok(facts_from(a, village))
}

/// The applications a selection ranks: every checked one (contracted and later
/// ones keep their share of the budget); `eligible` unless found ineligible.
pub fn selection_input(apps: &[Application]) -> Vec<langnghe_core::scheme::Application> {
    apps.iter()
        .filter(|a| !AppState::parse(&a.state).is_some_and(AppState::is_unchecked))
        .map(|a| langnghe_core::scheme::Application {
            id: a.id,
            applicant: a.applicant.clone(),
            district: a.district.clone(),
            contents: serde_json::from_str(&a.contents).unwrap_or_default(),
            registered_on: a.registered_on,
            earlier_years: serde_json::from_str(&a.earlier_years).unwrap_or_default(),
            eligible: AppState::parse(&a.state) != Some(AppState::Ineligible),
        })
        .collect()
}
