//! What each API token lets in, kept under the revisions.
//!
//! A request made with a token needs the token's id and its account (active,
//! with its role, agency, scope and language). Both are pure functions of the
//! API tokens (the tokens' revision, migration 0017) and the accounts (the
//! plans' revision, migration 0014): as long as neither has moved since a
//! token was looked up, the lookup would give the same. So a request reads
//! the revisions first ([`crate::kept::Kept::revisions`], one statement for
//! every request asking at the same time), and looks the token up only when
//! it is not kept under them. A token revoked or an account deactivated or
//! changed, in this process or any other on the same database, moves a
//! revision and is looked up again by the next request.
//!
//! Only tokens that let someone in are kept (a wrong token costs its lookup
//! each time, and cannot fill the memory); the key is the token's hash, as in
//! the database. At most [`Tokens::ENTRIES`] are kept; beyond that all are
//! dropped and looked up again.

use crate::error::AppResult;
use langnghe_store::revision::Revisions;
use langnghe_store::users::{self, User};
use langnghe_store::Db;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The token's id and its account.
pub type Admitted = (i64, Arc<User>);

#[derive(Default)]
struct Inner {
    /// (plans, tokens) revisions the entries were looked up under.
    revisions: (i64, i64),
    by_hash: HashMap<String, Admitted>,
}

/// The tokens this process has let in.
#[derive(Default)]
pub struct Tokens {
    inner: Mutex<Inner>,
}

impl Tokens {
    /// At most this many tokens are kept.
    pub const ENTRIES: usize = 4096;

    /// Who `token` lets in under `revisions` (read before this call), or
    /// nobody.
    pub async fn admit(
        &self,
        db: &Db,
        token: &str,
        revisions: Revisions,
    ) -> AppResult<Option<Admitted>> {
        let read = (revisions.plans, revisions.tokens);
        let hash = users::token_hash(token);
        let keep = {
            let mut inner = self.lock();
            let kept = inner.revisions;
            if read != kept && read.0 >= kept.0 && read.1 >= kept.1 {
                // Later than what is kept: that is dropped.
                inner.revisions = read;
                inner.by_hash.clear();
            }
            if inner.revisions == read {
                if let Some(a) = inner.by_hash.get(&hash) {
                    return Ok(Some(a.clone()));
                }
                true
            } else {
                // Another request has seen a later revision: this lookup may
                // be older than that, so it is not kept.
                false
            }
        };
        let Some((id, user)) = users::by_token(db, token).await? else {
            return Ok(None);
        };
        let admitted = (id, Arc::new(user));
        if keep {
            let mut inner = self.lock();
            if inner.revisions == read {
                if inner.by_hash.len() >= Tokens::ENTRIES {
                    inner.by_hash.clear();
                }
                inner.by_hash.insert(hash, admitted.clone());
            }
        }
        Ok(Some(admitted))
    }

    /// How many tokens are kept.
    pub fn len(&self) -> usize {
        self.lock().by_hash.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while the map was held leaves it usable: at worst a token
        // is looked up again.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}
