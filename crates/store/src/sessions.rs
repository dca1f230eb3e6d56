//! Server-side sessions stored in the database, so they survive a restart.
//!
//! The store keeps the idle expiry itself: a session expires `idle` after it was
//! last saved or touched. Page views do not save a session (nothing in it
//! changed); the web layer notes which sessions were used and [`DbSessionStore::touch`]
//! moves their expiry in one write, off the request path. Saves run on the
//! write path (on SQLite the single writer connection), never on a reader.

use crate::{with_db, with_tx, Db};
use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
    idle: time::Duration,
}

impl DbSessionStore {
    /// A store whose sessions expire after eight idle hours.
    pub fn new(db: Db) -> Self {
        DbSessionStore::with_idle(db, time::Duration::hours(8))
    }

    pub fn with_idle(db: Db, idle: time::Duration) -> Self {
        DbSessionStore { db, idle }
    }

    /// Move the expiry of sessions used at the given times to `time + idle`
    /// (never backwards). One transaction for all of them.
    pub async fn touch(&self, used: &[(String, OffsetDateTime)]) -> crate::Result<()> {
        if used.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        for (id, at) in used {
            let until = *at + self.idle;
            with_tx!(&mut tx, |c| sqlx::query(
                "UPDATE sessions SET expires_at = $1 WHERE id = $2 AND expires_at < $1"
            )
            .bind(until)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected());
        }
        tx.commit().await
    }

    /// Remove expired sessions; returns how many went.
    pub async fn delete_expired(&self) -> crate::Result<u64> {
        let now = OffsetDateTime::now_utc();
        let mut tx = self.db.begin().await?;
        let n = with_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM sessions WHERE expires_at < $1"
        )
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(n)
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let expires_at = OffsetDateTime::now_utc() + self.idle;
        loop {
            let id = record.id.to_string();
            let mut tx = self.db.begin().await.map_err(backend)?;
            let inserted = with_tx!(&mut tx, |c| {
                sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING"
            )
            .bind(&id)
            .bind(&data)
            .bind(expires_at)
            .execute(c)
            .await
            .map_err(backend)?
            .rows_affected()
            });
            tx.commit().await.map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let id = record.id.to_string();
        let expires_at = OffsetDateTime::now_utc() + self.idle;
        let mut tx = self.db.begin().await.map_err(backend)?;
        with_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at"
        )
        .bind(&id)
        .bind(&data)
        .bind(expires_at)
        .execute(c)
        .await
        .map_err(backend)?
        .rows_affected());
        tx.commit().await.map_err(backend)
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let id = session_id.to_string();
        let now = OffsetDateTime::now_utc();
        let row: Option<(String, OffsetDateTime)> = with_db!(&self.db, |c| sqlx::query_as(
            "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2"
        )
        .bind(&id)
        .bind(now)
        .fetch_optional(c)
        .await
        .map_err(backend)?);
        match row {
            None => Ok(None),
            Some((data, expiry_date)) => {
                let data = serde_json::from_str(&data)
                    .map_err(|e| session_store::Error::Decode(e.to_string()))?;
                Ok(Some(Record {
                    id: *session_id,
                    data,
                    expiry_date,
                }))
            }
        }
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        let id = session_id.to_string();
        let mut tx = self.db.begin().await.map_err(backend)?;
        with_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM sessions WHERE id = $1"
        )
        .bind(&id)
        .execute(c)
        .await
        .map_err(backend)?
        .rows_affected());
        tx.commit().await.map_err(backend)
    }
}
