//! The append-only audit log. Rows are only ever inserted; the database
//! itself refuses UPDATE and DELETE (triggers in the migrations).

use crate::{with_tx, Arg, Db, Result, Sql, Tx};
pub use langnghe_core::audit::{AuditAction, AuditEntity};
use serde::Serialize;
use time::OffsetDateTime;

/// Who is writing, from where: carried from the request to every write.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: None,
            name: name.to_string(),
            request_id: None,
            client_addr: None,
        }
    }
}

/// A row of the audit log as stored; the API answers `web::audit::AuditRow`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[serde(skip)]
    pub before_json: Option<String>,
    #[serde(skip)]
    pub after_json: Option<String>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

impl AuditEntry {
    pub fn before(&self) -> Option<serde_json::Value> {
        self.before_json
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
    }
    pub fn after(&self) -> Option<serde_json::Value> {
        self.after_json
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
    }
}

/// Append one row. Call inside the transaction of the write it records.
pub async fn record<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    actor: &Actor,
    action: AuditAction,
    entity: AuditEntity,
    entity_id: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let enc = |v: Option<String>| v;
    let before = enc(before.and_then(|b| serde_json::to_string(b).ok()));
    let after = enc(after.and_then(|a| serde_json::to_string(a).ok()));
    let now = OffsetDateTime::now_utc();
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, before_json, after_json, request_id, client_addr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )
    .bind(now)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(action.as_str())
    .bind(entity.as_str())
    .bind(entity_id)
    .bind(&before)
    .bind(&after)
    .bind(&actor.request_id)
    .bind(&actor.client_addr)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(())
}

/// Append one audit row per `(entity_id, after)` of a bulk write (an import)
/// inside the transaction: the same rows [`record`] would write one by one, in
/// the same order. SQLite: multi-row statements of plain `?` (10 values a row);
/// PostgreSQL: one `INSERT … SELECT … FROM UNNEST` of the ids and after-images.
pub async fn record_many<A: Serialize>(
    tx: &mut Tx,
    actor: &Actor,
    action: AuditAction,
    entity: AuditEntity,
    rows: &[(i64, &A)],
) -> Result<()> {
    let ids: Vec<String> = rows.iter().map(|(id, _)| id.to_string()).collect();
    let afters: Vec<Option<String>> = rows
        .iter()
        .map(|(_, after)| serde_json::to_string(after).ok())
        .collect();
    record_many_json(tx, actor, action, entity, &ids, &afters).await
}

/// [`record_many`] with the entity ids and after-images already as text (an
/// import serialises them while the store writes the batch before).
pub async fn record_many_json(
    tx: &mut Tx,
    actor: &Actor,
    action: AuditAction,
    entity: AuditEntity,
    ids: &[String],
    afters: &[Option<String>],
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    if ids.len() != afters.len() {
        return Err(crate::StoreError::Data(format!(
            "{} audit ids, {} after-images",
            ids.len(),
            afters.len()
        )));
    }
    let now = OffsetDateTime::now_utc();
    match tx {
        Tx::Sqlite(t) => {
            for start in (0..ids.len()).step_by(3_000) {
                let end = (start + 3_000).min(ids.len());
                let mut text = String::from(
                    "INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, before_json, after_json, request_id, client_addr) VALUES ",
                );
                for i in start..end {
                    text.push_str(if i == start {
                        "(?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)"
                    } else {
                        ", (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)"
                    });
                }
                let mut q = sqlx::query(&text);
                for i in start..end {
                    q = q
                        .bind(now)
                        .bind(actor.user_id)
                        .bind(actor.name.as_str())
                        .bind(action.as_str())
                        .bind(entity.as_str())
                        .bind(ids[i].as_str())
                        .bind(afters[i].as_deref())
                        .bind(actor.request_id.as_deref())
                        .bind(actor.client_addr.as_deref());
                }
                q.execute(&mut **t).await?;
            }
        }
        Tx::Pg(t) => {
            sqlx::query(
                "INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, before_json, after_json, request_id, client_addr) \
                 SELECT $1, $2, $3, $4, $5, u.entity_id, NULL, u.after_json, $6, $7 \
                 FROM UNNEST($8::text[], $9::text[]) WITH ORDINALITY AS u(entity_id, after_json, ord) ORDER BY u.ord",
            )
            .bind(now)
            .bind(actor.user_id)
            .bind(actor.name.as_str())
            .bind(action.as_str())
            .bind(entity.as_str())
            .bind(actor.request_id.as_deref())
            .bind(actor.client_addr.as_deref())
            .bind(ids)
            .bind(afters)
            .execute(&mut **t)
            .await?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<time::Date>,
    pub to: Option<time::Date>,
    pub limit: i64,
    pub offset: i64,
    /// Keyset paging (newest first): only rows older than this id, in place of `offset`.
    pub before_id: Option<i64>,
}

fn filter_sql(select: &str, f: &AuditFilter) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" WHERE 1 = 1", []);
    if let Some(v) = &f.entity {
        sql.push(" AND entity = ?", [Arg::Text(v.clone())]);
    }
    if let Some(v) = &f.entity_id {
        sql.push(" AND entity_id = ?", [Arg::Text(v.clone())]);
    }
    if let Some(v) = &f.actor {
        sql.push(" AND actor_name = ?", [Arg::Text(v.clone())]);
    }
    if let Some(v) = &f.action {
        sql.push(" AND action = ?", [Arg::Text(v.clone())]);
    }
    if let Some(d) = f.from {
        let t = d.midnight().assume_utc() - time::Duration::hours(7);
        sql.push(" AND at >= ?", [Arg::Time(t)]);
    }
    if let Some(d) = f.to {
        let t = d.next_day().unwrap_or(d).midnight().assume_utc() - time::Duration::hours(7);
        sql.push(" AND at < ?", [Arg::Time(t)]);
    }
    sql
}

pub async fn list(db: &Db, f: &AuditFilter) -> Result<(Vec<AuditEntry>, i64)> {
    let (items, total, _) = list_page(db, f).await?;
    Ok((items, total))
}

/// One page, newest first, its total, and the id to pass as `before_id` for the
/// next page (`None` on the last one).
pub async fn list_page(db: &Db, f: &AuditFilter) -> Result<(Vec<AuditEntry>, i64, Option<i64>)> {
    let mut sql = filter_sql(
        "SELECT id, at, actor_id, actor_name, action, entity, entity_id, before_json, after_json, request_id, client_addr FROM audit_log",
        f,
    );
    if let Some(b) = f.before_id {
        sql.push(" AND id < ?", [Arg::I64(b)]);
    }
    let offset = if f.before_id.is_some() { 0 } else { f.offset };
    sql.push(
        " ORDER BY id DESC LIMIT ? OFFSET ?",
        [Arg::I64(f.limit + 1), Arg::I64(offset)],
    );
    let count = filter_sql("SELECT COUNT(*) FROM audit_log", f);
    let (mut items, total) = crate::fetch_page::<AuditEntry>(db, &sql, &count).await?;
    let more = items.len() as i64 > f.limit;
    items.truncate(f.limit.max(0) as usize);
    let next = if more {
        items.last().map(|e| e.id)
    } else {
        None
    };
    Ok((items, total, next))
}
