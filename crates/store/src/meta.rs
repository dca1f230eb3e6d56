//! Small key/value facts about the store itself (dataset versions, first-start flags).

use crate::{with_db, with_tx, Db, Result, Tx};

pub async fn get(db: &Db, key: &str) -> Result<Option<String>> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT value FROM meta WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(c)
    .await?))
}

pub async fn set(tx: &mut Tx, key: &str, value: &str) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    .bind(key)
    .bind(value)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(())
}
