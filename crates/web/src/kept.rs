//! A plan's figures kept under the plans' revision.
//!
//! A programme's consolidation, its dashboard, its printable summary and the
//! overview's programme figures are pure functions of the records, the reader's reach and today's
//! date. The store moves the plans' revision on in the same transaction as
//! every change to the records they read (migration 0014, store `revision`), so
//! what was computed after reading revision `n` is what a recomputation would
//! give for as long as the revision is still `n`. Each request reads the
//! revision first ([`Kept::at`]), reads or computes under it, and a later
//! revision drops everything kept before: a report approved, a target changed
//! or an agency renamed is seen by the next request, in this process or any
//! other on the same database. Editing a village does not move it (the figures
//! never read the registry), so the registry's daily work keeps them.
//!
//! Requests for the same figures while they are computed wait for that one
//! computation. At most [`Kept::ENTRIES`] figures are kept; beyond that the
//! lot is dropped and refilled by the next requests.

use crate::error::{AppError, AppResult};
use langnghe_store::Db;
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use time::Date;
use tokio::sync::OnceCell;

type Value = Arc<dyn Any + Send + Sync>;
type Slot = Arc<OnceCell<Value>>;

/// What is kept: each key names every input besides the records.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A programme's plan: indicators, targets, periods.
    Plan(i64),
    /// A period's consolidation, with the breakdown per unit or not.
    Consolidation {
        program: i64,
        period: i64,
        per_unit: bool,
        today: Date,
    },
    /// A programme's dashboard for a reader whose scope lies `within` its area
    /// (or covers it: `None`), with the trend or without.
    Dashboard {
        program: i64,
        within: Option<i64>,
        trend: bool,
        today: Date,
    },
    /// The overview's programme figures of an area.
    Overview { area: i64, today: Date },
    /// A programme's printable summary (the document's model).
    Summary { program: i64, today: Date },
}

#[derive(Default)]
struct Inner {
    revision: i64,
    slots: HashMap<Key, Slot>,
}

/// The figures this process keeps.
#[derive(Default)]
pub struct Kept {
    inner: Mutex<Inner>,
}

/// The kept figures as of the revision one request read before anything else.
pub struct At<'a> {
    kept: &'a Kept,
    revision: i64,
}

impl Kept {
    /// At most this many figures are kept.
    pub const ENTRIES: usize = 512;

    /// Read the plans' revision: call before reading anything the figures are
    /// computed from, so that what is computed is at least as new as it.
    pub async fn at<'a>(&'a self, db: &Db) -> AppResult<At<'a>> {
        let revision = langnghe_store::revision::plans(db).await?;
        Ok(At {
            kept: self,
            revision,
        })
    }

    /// Drop every kept figure (tests compare them with a recomputation).
    pub fn clear(&self) {
        self.lock().slots.clear();
    }

    /// How many figures are kept, and under which revision.
    pub fn kept(&self) -> (usize, i64) {
        let inner = self.lock();
        (inner.slots.len(), inner.revision)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while the map was held leaves it consistent enough to use:
        // at worst a figure is computed again.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl At<'_> {
    /// The figures under `key`: kept ones, else `compute`d now and kept.
    pub async fn get<T, F, Fut>(&self, key: Key, compute: F) -> AppResult<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<T>>,
    {
        let slot = {
            let mut inner = self.kept.lock();
            if self.revision > inner.revision {
                inner.revision = self.revision;
                inner.slots.clear();
            }
            if self.revision < inner.revision {
                // Another request has seen a later revision: what this one
                // computes may be older than that, so it is not kept.
                None
            } else {
                if inner.slots.len() >= Kept::ENTRIES && !inner.slots.contains_key(&key) {
                    inner.slots.clear();
                }
                Some(inner.slots.entry(key).or_default().clone())
            }
        };
        let Some(slot) = slot else {
            return Ok(Arc::new(compute().await?));
        };
        let value = slot
            .get_or_try_init(|| async { Ok::<Value, AppError>(Arc::new(compute().await?)) })
            .await?
            .clone();
        value
            .downcast::<T>()
            .map_err(|_| AppError::Internal("a kept figure of another type".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn at(kept: &Kept, revision: i64) -> At<'_> {
        At { kept, revision }
    }

    fn day() -> Date {
        time::macros::date!(2026 - 12 - 05)
    }

    #[tokio::test]
    async fn computes_once_per_revision_and_key() -> AppResult<()> {
        let kept = Kept::default();
        let calls = AtomicUsize::new(0);
        let compute = |v: i64| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<i64, AppError>(v) }
        };
        let k = Key::Plan(1);
        assert_eq!(*at(&kept, 1).get(k.clone(), || compute(10)).await?, 10);
        // Same revision and key: kept.
        assert_eq!(*at(&kept, 1).get(k.clone(), || compute(11)).await?, 10);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Another key: computed.
        let o = Key::Overview {
            area: 1,
            today: day(),
        };
        assert_eq!(*at(&kept, 1).get(o, || compute(20)).await?, 20);
        // A later revision drops what was kept.
        assert_eq!(*at(&kept, 2).get(k.clone(), || compute(12)).await?, 12);
        assert_eq!(kept.kept(), (1, 2));
        // A request that read an earlier revision computes without keeping.
        assert_eq!(*at(&kept, 1).get(k.clone(), || compute(13)).await?, 13);
        assert_eq!(*at(&kept, 2).get(k, || compute(14)).await?, 12);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        Ok(())
    }

    #[tokio::test]
    async fn a_failure_is_not_kept() -> AppResult<()> {
        let kept = Kept::default();
        let k = Key::Plan(7);
        let e = at(&kept, 1)
            .get(k.clone(), || async { Err::<i64, _>(AppError::NotFound) })
            .await;
        assert!(matches!(e, Err(AppError::NotFound)));
        let v = at(&kept, 1)
            .get(k, || async { Ok::<i64, AppError>(3) })
            .await;
        assert_eq!(*v?, 3);
        Ok(())
    }

    #[tokio::test]
    async fn concurrent_readers_share_one_computation() -> AppResult<()> {
        let kept = Arc::new(Kept::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = vec![];
        for _ in 0..16 {
            let (kept, calls) = (kept.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                let v = at(&kept, 5)
                    .get(Key::Plan(1), || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok::<i64, AppError>(42)
                    })
                    .await?;
                Ok::<i64, AppError>(*v)
            }));
        }
        for t in tasks {
            let v = t.await.map_err(|e| AppError::Internal(e.to_string()))??;
            assert_eq!(v, 42);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        Ok(())
    }

    #[tokio::test]
    async fn bounded() -> AppResult<()> {
        let kept = Kept::default();
        for i in 0..(Kept::ENTRIES as i64 + 3) {
            at(&kept, 1)
                .get(Key::Plan(i), || async move { Ok::<i64, AppError>(i) })
                .await?;
        }
        assert!(kept.kept().0 <= Kept::ENTRIES);
        Ok(())
    }
}
