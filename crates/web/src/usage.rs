//! Uses of API tokens and sessions, recorded off the request path.
//!
//! A request authenticated by a token, or a page view in a session, only
//! *reads* the store: it notes here that the token or session was used (a map
//! in memory), and a background task writes what was noted once a minute, in
//! one transaction on the write path. So a read never waits behind a writer
//! (an import holding the SQLite write lock), and a token's last use is
//! written at most once a minute however often it is used.

use langnghe_store::sessions::DbSessionStore;
use langnghe_store::{users, Db};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use time::OffsetDateTime;

/// How often what was noted is written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(60);

/// Most entries kept between two flushes (a flood of distinct sessions cannot grow it further).
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Default)]
pub struct Usage {
    tokens: Mutex<HashMap<i64, OffsetDateTime>>,
    sessions: Mutex<HashMap<String, OffsetDateTime>>,
}

impl Usage {
    pub fn token_used(&self, token_id: i64, at: OffsetDateTime) {
        if let Ok(mut m) = self.tokens.lock() {
            if m.len() < MAX_ENTRIES || m.contains_key(&token_id) {
                m.insert(token_id, at);
            }
        }
    }

    pub fn session_used(&self, session_id: String, at: OffsetDateTime) {
        if let Ok(mut m) = self.sessions.lock() {
            if m.len() < MAX_ENTRIES || m.contains_key(&session_id) {
                m.insert(session_id, at);
            }
        }
    }

    /// How many uses wait to be written (tokens, sessions).
    pub fn pending(&self) -> (usize, usize) {
        (
            self.tokens.lock().map(|m| m.len()).unwrap_or(0),
            self.sessions.lock().map(|m| m.len()).unwrap_or(0),
        )
    }

    /// Write what was noted. On failure (the store busy for long) the uses are
    /// kept for the next flush; a newer use noted meanwhile wins.
    pub async fn flush(&self, db: &Db, sessions: &DbSessionStore) -> langnghe_store::Result<()> {
        let tokens: Vec<(i64, OffsetDateTime)> = match self.tokens.lock() {
            Ok(mut m) => m.drain().collect(),
            Err(_) => vec![],
        };
        let used: Vec<(String, OffsetDateTime)> = match self.sessions.lock() {
            Ok(mut m) => m.drain().collect(),
            Err(_) => vec![],
        };
        let r1 = users::record_token_use(db, &tokens).await;
        if r1.is_err() {
            if let Ok(mut m) = self.tokens.lock() {
                for (k, v) in tokens {
                    m.entry(k).or_insert(v);
                }
            }
        }
        let r2 = sessions.touch(&used).await;
        if r2.is_err() {
            if let Ok(mut m) = self.sessions.lock() {
                for (k, v) in used {
                    m.entry(k).or_insert(v);
                }
            }
        }
        r1.and(r2)
    }
}
