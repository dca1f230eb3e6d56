//! What the server keeps under the records' revisions.
//!
//! A programme's consolidation, its dashboard, its printable summary and the
//! overview's programme figures are pure functions of the records, the reader's reach and today's
//! date; so are the lists and the map the API answers, for one reader (their
//! account's version) in one language. The store moves two revisions on in
//! the same transaction as every change (migrations 0014 and 0015, store
//! `revision`): the registry's with every change to the registry (villages
//! and what hangs off them, crafts, OCOP products, environmental
//! assessments), the plans' with every change to any other table but the
//! audit log, sessions, API tokens, notifications and the search index. What
//! was computed after reading revision `n` is what a recomputation would give
//! for as long as the revision is still `n`. Each request reads the
//! revisions first ([`Kept::at`]), reads or computes under them, and a later
//! revision drops everything kept before: a report approved, a target changed
//! or an agency renamed is seen by the next request, in this process or any
//! other on the same database.
//!
//! Two shelves: a plan's figures and the answers read from the plans (the
//! [`Area::Plans`] keys) are kept under the plans' revision alone, so the
//! registry's daily work keeps them; what reads the registry ([`Area::Registry`]
//! keys: the village lists, the map, the overview's registry counts) is kept
//! under both revisions, since it also reads the geography, agencies and users.
//!
//! Requests for the same thing while it is computed wait for that one
//! computation. At most [`Kept::ENTRIES`] things are kept on a shelf; beyond
//! that the shelf is emptied and refilled by the next requests.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use langnghe_store::Db;
use serde::Serialize;
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use time::Date;
use tokio::sync::OnceCell;

type Value = Arc<dyn Any + Send + Sync>;
type Slot = Arc<OnceCell<Value>>;

/// Which records a kept thing is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    /// Anything but the registry: kept under the plans' revision.
    Plans,
    /// The registry too: kept under both revisions.
    Registry,
}

/// Who asks, as far as an answer depends on it: the account and its version,
/// which every change of its role, agency, scope or language moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reader {
    pub user: i64,
    pub version: i64,
}

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
    /// The overview's registry counts of an area (villages by status, OCOP
    /// products by stars, environmental assessments overdue).
    RegistryCounts { area: i64, today: Date },
    /// A programme's printable summary (the document's model).
    Summary { program: i64, today: Date },
    /// A programme as a scope reaches it (to read, or to change: `within`),
    /// none when out of reach.
    Program { id: i64, scope: i64, within: bool },
    /// A programme as a scope reads its figures: the whole of it, or only
    /// inside the scope; none when out of reach.
    Readable { id: i64, scope: i64 },
    /// An administrative unit by id.
    Unit(i64),
    /// A unit named by code (as of a date) for a record of a scope: found in
    /// it, outside it, ambiguous or unknown (the candidates labelled in `lang`).
    UnitLookup {
        code: String,
        as_of: Option<Date>,
        scope: i64,
        lang: Lang,
    },
    /// The map's provinces of an era, and which overlap a scope (the
    /// geography alone).
    Provinces {
        era: langnghe_core::map::MapEra,
        scope: i64,
    },
    /// A JSON answer of the API as sent: its path and query, who asks, in
    /// which language, on which day.
    Answer {
        area: Area,
        path_and_query: String,
        reader: Reader,
        lang: Lang,
        today: Date,
    },
}

impl Key {
    /// The answer to this request for this reader, computed from `area`.
    pub fn answer(area: Area, ctx: &Ctx) -> AppResult<Key> {
        let u = ctx.user()?;
        Ok(Key::Answer {
            area,
            path_and_query: ctx.path_and_query.clone(),
            reader: Reader {
                user: u.id,
                version: u.version,
            },
            lang: ctx.lang,
            today: crate::common::today(),
        })
    }

    fn area(&self) -> Area {
        match self {
            Key::RegistryCounts { .. } => Area::Registry,
            Key::Answer { area, .. } => *area,
            _ => Area::Plans,
        }
    }

    /// The shelf it is kept on: figures and what is kept per reader apart
    /// (answers, programmes and provinces as a scope reaches them), so that
    /// many readers never push a plan's figures out.
    fn shelf(&self) -> usize {
        let per_reader = matches!(
            self,
            Key::Answer { .. } | Key::Program { .. } | Key::Readable { .. } | Key::Provinces { .. }
        );
        match (self.area(), per_reader) {
            (Area::Plans, false) => 0,
            (Area::Registry, false) => 1,
            (Area::Plans, true) => 2,
            (Area::Registry, true) => 3,
        }
    }
}

/// The revisions a request read: (plans, registry).
type Revisions = (i64, i64);

/// One shelf: what is kept under one pair of revisions.
#[derive(Default)]
struct Shelf {
    revisions: Revisions,
    slots: HashMap<Key, Slot>,
    /// The bytes of the answers on it.
    bytes: usize,
}

impl Shelf {
    fn empty(&mut self) {
        self.slots.clear();
        self.bytes = 0;
    }
}

/// The plans' figures, the registry's, the answers from the plans, from the registry.
#[derive(Default)]
struct Inner {
    shelves: [Shelf; 4],
}

/// What this process keeps.
#[derive(Default)]
pub struct Kept {
    inner: Mutex<Inner>,
    /// The revisions, read once for the requests that ask at the same time.
    revisions: langnghe_store::revision::Shared,
}

/// What is kept as of the revisions one request read before anything else.
pub struct At<'a> {
    kept: &'a Kept,
    revisions: Revisions,
}

impl Kept {
    /// At most this many things are kept on each shelf.
    pub const ENTRIES: usize = 512;
    /// At most this many bytes of answers are kept on each shelf.
    pub const ANSWER_BYTES: usize = 32 << 20;

    /// Read the revisions: call before reading anything what is kept is
    /// computed from, so that what is computed is at least as new as them.
    pub async fn at<'a>(&'a self, db: &Db) -> AppResult<At<'a>> {
        let r = self.revisions(db).await?;
        Ok(At {
            kept: self,
            revisions: (r.plans, r.registry),
        })
    }

    /// Every revision, read after this call began: with the requests that
    /// ask at the same time (store `revision::Shared`).
    pub async fn revisions(&self, db: &Db) -> AppResult<langnghe_store::revision::Revisions> {
        Ok(self.revisions.read(db).await?)
    }

    /// How many statements have read the revisions so far.
    pub fn revision_reads(&self) -> u64 {
        self.revisions.reads()
    }

    /// As [`Kept::at`], with the revisions the request read to let its
    /// token in when it did.
    pub async fn for_request<'a>(&'a self, db: &Db, ctx: &Ctx) -> AppResult<At<'a>> {
        match ctx.revisions {
            Some(revisions) => Ok(At {
                kept: self,
                revisions,
            }),
            None => self.at(db).await,
        }
    }

    /// Drop everything kept (tests compare it with a recomputation).
    pub fn clear(&self) {
        for shelf in &mut self.lock().shelves {
            shelf.empty();
        }
    }

    /// How many things are kept, and under which plans' revision.
    pub fn kept(&self) -> (usize, i64) {
        let inner = self.lock();
        (
            inner.shelves.iter().map(|s| s.slots.len()).sum(),
            inner.shelves[0].revisions.0,
        )
    }

    /// How many things read from the registry are kept (figures and
    /// answers), and under which registry revision.
    pub fn kept_from_registry(&self) -> (usize, i64) {
        let inner = self.lock();
        let (f, a) = (&inner.shelves[1], &inner.shelves[3]);
        (
            f.slots.len() + a.slots.len(),
            f.revisions.1.max(a.revisions.1),
        )
    }

    /// The bytes of the answers kept.
    pub fn answer_bytes(&self) -> usize {
        self.lock().shelves.iter().map(|s| s.bytes).sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while the map was held leaves it consistent enough to use:
        // at worst something is computed again.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl At<'_> {
    /// What is kept under `key`, else `compute`d now and kept.
    pub async fn get<T, F, Fut>(&self, key: Key, compute: F) -> AppResult<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<T>>,
    {
        let slot = {
            let mut inner = self.kept.lock();
            let read = match key.area() {
                Area::Plans => (self.revisions.0, 0),
                Area::Registry => self.revisions,
            };
            let shelf = &mut inner.shelves[key.shelf()];
            let kept = shelf.revisions;
            if read != kept && read.0 >= kept.0 && read.1 >= kept.1 {
                // Later than what is kept: that is dropped.
                shelf.revisions = read;
                shelf.empty();
            }
            if shelf.revisions != read {
                // Another request has seen a later revision: what this one
                // computes may be older than that, so it is not kept.
                None
            } else {
                if shelf.slots.len() >= Kept::ENTRIES && !shelf.slots.contains_key(&key) {
                    shelf.empty();
                }
                Some(shelf.slots.entry(key).or_default().clone())
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

    /// A JSON answer: kept as sent (the bytes), else computed, serialized and kept.
    pub async fn answer<T, F, Fut>(&self, key: Key, compute: F) -> AppResult<Response>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<T>>,
    {
        let shelf = key.shelf();
        let body: Arc<Bytes> = self
            .get(key, || async {
                let v = compute().await?;
                let body = serde_json::to_vec(&v)
                    .map(Bytes::from)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                // Counted by the one request that computed it (also when it
                // computed without keeping: at worst the shelf is emptied a
                // little early); past the bound the shelf is emptied (this
                // answer is still sent).
                let mut inner = self.kept.lock();
                let s = &mut inner.shelves[shelf];
                s.bytes += body.len();
                if s.bytes > Kept::ANSWER_BYTES {
                    s.empty();
                }
                Ok(body)
            })
            .await?;
        Ok((
            [(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            )],
            Bytes::clone(&body),
        )
            .into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn at(kept: &Kept, revision: i64) -> At<'_> {
        at2(kept, revision, 0)
    }

    fn at2(kept: &Kept, plans: i64, registry: i64) -> At<'_> {
        At {
            kept,
            revisions: (plans, registry),
        }
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
    async fn the_registry_moves_only_its_shelf() -> AppResult<()> {
        let kept = Kept::default();
        let calls = AtomicUsize::new(0);
        let compute = |v: i64| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<i64, AppError>(v) }
        };
        let plan = Key::Plan(1);
        let counts = Key::RegistryCounts {
            area: 1,
            today: day(),
        };
        assert_eq!(
            *at2(&kept, 1, 1).get(plan.clone(), || compute(10)).await?,
            10
        );
        assert_eq!(
            *at2(&kept, 1, 1).get(counts.clone(), || compute(20)).await?,
            20
        );
        // A village changed: the registry's shelf is dropped, the plans' kept.
        assert_eq!(
            *at2(&kept, 1, 2).get(plan.clone(), || compute(11)).await?,
            10
        );
        assert_eq!(
            *at2(&kept, 1, 2).get(counts.clone(), || compute(21)).await?,
            21
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(kept.kept_from_registry(), (1, 2));
        // A request that read the registry before that change computes without keeping.
        assert_eq!(
            *at2(&kept, 1, 1).get(counts.clone(), || compute(22)).await?,
            22
        );
        assert_eq!(
            *at2(&kept, 1, 2).get(counts.clone(), || compute(23)).await?,
            21
        );
        // An agency renamed (the plans' revision): both shelves are dropped.
        assert_eq!(*at2(&kept, 2, 2).get(counts, || compute(24)).await?, 24);
        assert_eq!(*at2(&kept, 2, 2).get(plan, || compute(12)).await?, 12);
        assert_eq!(calls.load(Ordering::SeqCst), 6);
        Ok(())
    }

    #[tokio::test]
    async fn answers_are_bounded_by_their_bytes() -> AppResult<()> {
        let kept = Kept::default();
        let big = "x".repeat(1 << 20);
        for i in 0..40 {
            let key = Key::Answer {
                area: Area::Registry,
                path_and_query: format!("/api/v1/villages?offset={i}"),
                reader: Reader {
                    user: 1,
                    version: 1,
                },
                lang: Lang::Vi,
                today: day(),
            };
            let r = at2(&kept, 1, 1)
                .answer(key, || async { Ok(vec![big.clone()]) })
                .await?;
            assert_eq!(r.status(), axum::http::StatusCode::OK);
            assert!(kept.answer_bytes() <= Kept::ANSWER_BYTES);
        }
        assert!(kept.kept_from_registry().0 < 40);
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
