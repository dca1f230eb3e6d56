//! Agencies, always read and written inside a user's admin-unit scope.

use crate::audit::{Actor, AuditAction, AuditEntity};
use crate::write::Expected;
use crate::{with_db, with_tx, Arg, Db, Result, Sql, StoreError, Tx};
use serde::Serialize;
use time::OffsetDateTime;

/// An agency as stored (with its unit's and parent's names); the API answers
/// `web::agencies::AgencyView`. Serialize is for the audit log's before/after.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Agency {
    pub id: i64,
    pub key: Option<String>,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    #[serde(skip)]
    pub admin_unit_id: i64,
    pub admin_unit_code: String,
    pub admin_unit_name: String,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    /// Changes name the version they were based on (no lost update).
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What a form or an API call may set.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AgencyInput {
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub admin_unit_id: i64,
    pub parent_id: Option<i64>,
}

const SELECT: &str = "SELECT a.id, a.key, a.name, a.short_name, a.kind, a.admin_unit_id, \
    u.code AS admin_unit_code, u.name AS admin_unit_name, a.parent_id, p.name AS parent_name, \
    a.version, a.created_at, a.updated_at \
    FROM agencies a JOIN admin_units u ON u.id = a.admin_unit_id \
    LEFT JOIN agencies p ON p.id = a.parent_id";

#[derive(Debug, Clone, Default)]
pub struct AgencyFilter {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub sort: AgencySort,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AgencySort {
    #[default]
    Name,
    NameDesc,
    Unit,
    Kind,
}

impl AgencySort {
    pub fn parse(s: &str) -> Option<AgencySort> {
        Some(match s {
            "name" => AgencySort::Name,
            "-name" => AgencySort::NameDesc,
            "unit" => AgencySort::Unit,
            "kind" => AgencySort::Kind,
            _ => return None,
        })
    }
    fn order_by(self) -> &'static str {
        match self {
            AgencySort::Name => " ORDER BY a.name_folded, a.id",
            AgencySort::NameDesc => " ORDER BY a.name_folded DESC, a.id",
            AgencySort::Unit => " ORDER BY u.code, a.name_folded, a.id",
            AgencySort::Kind => " ORDER BY a.kind, a.name_folded, a.id",
        }
    }
}

fn scoped(select: &str, scope_id: i64, f: &AgencyFilter) -> Sql {
    let mut sql = Sql::new(select);
    // A probe per agency (a few hundred rows), not a list of the scope's units
    // (14.150 for the country) probed one by one: the agency list was the
    // slowest route under load.
    sql.push(
        " WHERE EXISTS (SELECT 1 FROM admin_unit_cover c WHERE c.scope_id = ? AND c.unit_id = a.admin_unit_id)",
        [Arg::I64(scope_id)],
    );
    if let Some(kind) = &f.kind {
        sql.push(" AND a.kind = ?", [Arg::Text(kind.clone())]);
    }
    if let Some(q) = &f.q {
        let terms = langnghe_core::text::search_terms(q);
        if terms.is_empty() && !q.trim().is_empty() {
            // Only punctuation: nothing can match (it is never a wildcard).
            sql.push(" AND 1 = 0", []);
        }
        for term in terms {
            sql.push(
                " AND a.name_folded LIKE ? ESCAPE '\\'",
                [Arg::Text(format!("%{}%", crate::like_escape(&term)))],
            );
        }
    }
    sql
}

pub async fn list(db: &Db, scope_id: i64, f: &AgencyFilter) -> Result<(Vec<Agency>, i64)> {
    let mut sql = scoped(SELECT, scope_id, f);
    sql.push(f.sort.order_by(), []);
    sql.push(" LIMIT ? OFFSET ?", [Arg::I64(f.limit), Arg::I64(f.offset)]);
    let count = scoped(
        "SELECT COUNT(*) FROM agencies a JOIN admin_units u ON u.id = a.admin_unit_id",
        scope_id,
        f,
    );
    crate::fetch_page::<Agency>(db, &sql, &count).await
}

/// The agency if it exists and lies inside the scope; `None` otherwise (no leak of existence).
pub async fn get(db: &Db, scope_id: i64, id: i64) -> Result<Option<Agency>> {
    let mut sql = scoped(SELECT, scope_id, &AgencyFilter::default());
    sql.push(" AND a.id = ?", [Arg::I64(id)]);
    crate::fetch_optional::<Agency>(db, &sql).await
}

async fn get_tx(tx: &mut Tx, id: i64) -> Result<Option<Agency>> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    crate::row_for_tx::<Agency>(tx, &sql, id).await
}

/// Create an agency and its audit row in one transaction.
pub async fn create(
    db: &Db,
    actor: &Actor,
    key: Option<&str>,
    input: &AgencyInput,
) -> Result<Agency> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO agencies (key, name, name_folded, short_name, kind, admin_unit_id, parent_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id"
    )
    .bind(key)
    .bind(&input.name)
    .bind(langnghe_core::text::fold_vi(&input.name))
    .bind(&input.short_name)
    .bind(&input.kind)
    .bind(input.admin_unit_id)
    .bind(input.parent_id)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(|e| StoreError::from(e).on_unique("name"))?
    });
    let created = get_tx(w.tx(), id).await?.ok_or(StoreError::NotFound)?;
    w.created(AuditEntity::Agency, id, &created).await?;
    w.commit().await?;
    Ok(created)
}

/// Change an agency that is at version `expected` (when given); records the
/// exact before and after. `Stale` when someone changed it in between.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected: Expected,
    input: &AgencyInput,
) -> Result<Agency> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    w.lock("agencies", id, expected).await?;
    let before = get_tx(w.tx(), id).await?.ok_or(StoreError::NotFound)?;
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE agencies SET name = $1, name_folded = $2, short_name = $3, kind = $4, admin_unit_id = $5, parent_id = $6, \
         updated_at = $7, version = version + 1 WHERE id = $8"
    )
    .bind(&input.name)
    .bind(langnghe_core::text::fold_vi(&input.name))
    .bind(&input.short_name)
    .bind(&input.kind)
    .bind(input.admin_unit_id)
    .bind(input.parent_id)
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected()
    });
    let after = get_tx(w.tx(), id).await?.ok_or(StoreError::NotFound)?;
    w.finish(
        AuditAction::Update,
        AuditEntity::Agency,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn id_by_key(db: &Db, key: &str) -> Result<Option<i64>> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT id FROM agencies WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(c)
    .await?))
}

/// All agencies inside a scope, for select boxes (id, name).
pub async fn options(db: &Db, scope_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(with_db!(db, |c| {
        sqlx::query_as(
        "SELECT a.id, a.name FROM agencies a WHERE EXISTS \
         (SELECT 1 FROM admin_unit_cover c WHERE c.scope_id = $1 AND c.unit_id = a.admin_unit_id) ORDER BY a.name_folded"
    )
    .bind(scope_id)
    .fetch_all(c)
    .await?
    }))
}
