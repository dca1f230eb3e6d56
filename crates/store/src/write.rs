//! The one audited write path.
//!
//! Every change to the store goes through a [`Write`]:
//!
//! 1. [`Db::write`] begins a transaction that holds the write lock from its first
//!    statement (SQLite: `BEGIN IMMEDIATE` on the single writer connection, so
//!    writers queue in order and a read-then-write can never fail half-way;
//!    PostgreSQL: rows are locked as they are changed). A lock not had within
//!    [`crate::WRITE_LOCK_WAIT`] is [`StoreError::Busy`] (503 for the caller).
//! 2. [`Write::lock`] locks one versioned row and checks the version the caller
//!    read: a stale version is [`StoreError::Stale`] (409), nothing is written.
//!    The before-image read after the lock is exact on both stores.
//! 3. The area runs its own SQL on [`Write::tx`], bumping `version = version + 1`.
//! 4. [`Write::audit`] appends the audit row (before and after) in the same
//!    transaction; [`Write::commit`] commits all of it or, if dropped, nothing.

use crate::audit::{self, Actor, AuditAction, AuditEntity};
use crate::{with_tx, Db, Result, StoreError, Tx};
use serde::Serialize;

/// A transaction of one actor's write, with its audit rows.
pub struct Write<'a> {
    tx: Tx,
    actor: &'a Actor,
}

impl Db {
    /// Begin a write by `actor` (see the module documentation).
    pub async fn write<'a>(&self, actor: &'a Actor) -> Result<Write<'a>> {
        Ok(Write {
            tx: self.begin().await?,
            actor,
        })
    }
}

/// The caller's idea of a record's version: `None` when it did not say
/// (internal writes such as the demo seed, which read and write in one go).
pub type Expected = Option<i64>;

impl<'a> Write<'a> {
    /// The open transaction, for the area's own SQL.
    pub fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    pub fn actor(&self) -> &'a Actor {
        self.actor
    }

    /// Lock row `id` of a versioned `table` for the rest of the transaction and
    /// check that it is at version `expected` (when given). Returns the current
    /// version. `NotFound` when there is no such row.
    ///
    /// The lock is a no-op `UPDATE` — the same SQL on both stores: a row lock on
    /// PostgreSQL (concurrent writers of the row wait here, so the before-image
    /// read next is the row as it is), on SQLite the write lock is already held.
    pub async fn lock(&mut self, table: &'static str, id: i64, expected: Expected) -> Result<i64> {
        let sql = format!("UPDATE {table} SET version = version WHERE id = $1 RETURNING version");
        let current: Option<i64> = with_tx!(&mut self.tx, |c| sqlx::query_scalar(&sql)
            .bind(id)
            .fetch_optional(c)
            .await?);
        match (current, expected) {
            (None, _) => Err(StoreError::NotFound),
            (Some(v), Some(e)) if e != v => Err(StoreError::Stale { current: v }),
            (Some(v), _) => Ok(v),
        }
    }

    /// Append the audit row of this change (inside the transaction).
    pub async fn audit<B: Serialize, A: Serialize>(
        &mut self,
        action: AuditAction,
        entity: AuditEntity,
        entity_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<()> {
        audit::record(
            &mut self.tx,
            self.actor,
            action,
            entity,
            &entity_id.to_string(),
            before,
            after,
        )
        .await
    }

    /// Run one statement of the area that takes one id
    /// (`DELETE FROM task_indicators WHERE task_id = $1`); the rows it touched.
    pub async fn exec_for(&mut self, sql: &'static str, id: i64) -> Result<u64> {
        Ok(with_tx!(&mut self.tx, |c| sqlx::query(sql)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()))
    }

    /// The audit row of a record this write created (no before-image); its id.
    pub async fn created<A: Serialize>(
        &mut self,
        entity: AuditEntity,
        id: i64,
        after: &A,
    ) -> Result<i64> {
        self.audit::<(), A>(AuditAction::Create, entity, id, None, Some(after))
            .await?;
        Ok(id)
    }

    /// The last step of a write: its audit row, then the commit of all of it.
    pub async fn finish<B: Serialize, A: Serialize>(
        mut self,
        action: AuditAction,
        entity: AuditEntity,
        entity_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<()> {
        self.audit(action, entity, entity_id, before, after).await?;
        self.commit().await
    }

    /// Commit the change and its audit rows together.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await
    }
}
