//! Server-side sessions stored in the database, so they survive a restart.

use crate::{with_db, Db};
use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        DbSessionStore { db }
    }

    /// Remove expired sessions; returns how many went.
    pub async fn delete_expired(&self) -> crate::Result<u64> {
        let now = OffsetDateTime::now_utc();
        Ok(with_db!(&self.db, |c| sqlx::query(
            "DELETE FROM sessions WHERE expires_at < $1"
        )
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()))
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
        loop {
            let id = record.id.to_string();
            let inserted = with_db!(&self.db, |c| {
                sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING"
            )
            .bind(&id)
            .bind(&data)
            .bind(record.expiry_date)
            .execute(c)
            .await
            .map_err(backend)?
            .rows_affected()
            });
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
        with_db!(&self.db, |c| sqlx::query(
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at"
        )
        .bind(&id)
        .bind(&data)
        .bind(record.expiry_date)
        .execute(c)
        .await
        .map_err(backend)?
        .rows_affected());
        Ok(())
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
        with_db!(&self.db, |c| sqlx::query(
            "DELETE FROM sessions WHERE id = $1"
        )
        .bind(&id)
        .execute(c)
        .await
        .map_err(backend)?
        .rows_affected());
        Ok(())
    }
}
