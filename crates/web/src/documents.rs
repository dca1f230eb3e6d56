//! Official documents rendered once per content.
//!
//! Typesetting a PDF or writing a DOCX or XLSX costs tens of milliseconds of
//! CPU; reading the figures that go into it costs a few. Rendering is a pure
//! function of the document's model (`OfficialReport` or `Table`) and its
//! sample mark, so the bytes are kept under a SHA-256 of that model: a report
//! approved, a target changed or another day's date gives another model,
//! another key and a fresh render. Nothing is invalidated, nothing can be
//! stale, and several servers on one database need no coordination.
//!
//! Requests for the same content while it renders wait for that one render
//! (fifty officials opening the same consolidation cost one typesetting, and
//! one document's memory, not fifty). The kept bytes are bounded by
//! [`Documents::BUDGET`]; the oldest go first.

use crate::error::{AppError, AppResult};
use axum::body::Bytes;
use langnghe_reports::{OfficialReport, Table};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type Key = [u8; 32];
type Slot = Arc<OnceCell<Bytes>>;

/// What a model is rendered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
    Xlsx,
}

#[derive(Default)]
struct Kept {
    slots: HashMap<Key, Slot>,
    /// Keys in the order they were filled, with their size.
    order: VecDeque<(Key, usize)>,
    bytes: usize,
}

/// The rendered documents of this process.
#[derive(Default)]
pub struct Documents {
    kept: Mutex<Kept>,
}

impl Documents {
    /// At most this many bytes of rendered documents are kept.
    pub const BUDGET: usize = 64 * 1024 * 1024;

    /// The official report as PDF or DOCX, rendered once per content.
    pub async fn official(
        &self,
        doc: OfficialReport,
        mark: Option<&'static str>,
        format: Format,
    ) -> AppResult<Bytes> {
        let key = key_of(format, mark, &doc);
        self.rendered(key, move || match format {
            Format::Docx => langnghe_reports::render_docx_marked(&doc, mark),
            _ => langnghe_reports::render_pdf_marked(&doc, mark),
        })
        .await
    }

    /// A spreadsheet, written once per content.
    pub async fn xlsx(&self, table: Table) -> AppResult<Bytes> {
        let key = key_of(Format::Xlsx, None, &table);
        self.rendered(key, move || langnghe_reports::to_xlsx(&table))
            .await
    }

    /// How many documents are kept, and their bytes.
    pub fn kept(&self) -> (usize, usize) {
        let kept = self.lock();
        (kept.order.len(), kept.bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A panic while the map was held leaves it consistent enough to use:
        // at worst a document renders again.
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn rendered<E: std::fmt::Display + Send + 'static>(
        &self,
        key: Key,
        render: impl FnOnce() -> Result<Vec<u8>, E> + Send + 'static,
    ) -> AppResult<Bytes> {
        let slot = self.lock().slots.entry(key).or_default().clone();
        let filled = AtomicBool::new(false);
        let bytes = slot
            .get_or_try_init(|| async {
                let bytes = tokio::task::spawn_blocking(render)
                    .await
                    .map_err(|e| AppError::Internal(format!("render: {e}")))?
                    .map_err(|e| AppError::Internal(format!("render: {e}")))?;
                filled.store(true, Ordering::Relaxed);
                Ok::<_, AppError>(Bytes::from(bytes))
            })
            .await;
        let bytes = match bytes {
            Ok(b) => b.clone(),
            Err(e) => {
                // A failed render keeps nothing: the next request tries again.
                let mut kept = self.lock();
                if kept
                    .slots
                    .get(&key)
                    .is_some_and(|s| Arc::ptr_eq(s, &slot) && s.get().is_none())
                {
                    kept.slots.remove(&key);
                }
                return Err(e);
            }
        };
        if filled.load(Ordering::Relaxed) {
            self.account(key, bytes.len());
        }
        Ok(bytes)
    }

    /// Count a new document and let the oldest go while over the budget.
    fn account(&self, key: Key, size: usize) {
        let mut kept = self.lock();
        kept.order.push_back((key, size));
        kept.bytes += size;
        while kept.bytes > Self::BUDGET && kept.order.len() > 1 {
            let Some((old, n)) = kept.order.pop_front() else {
                break;
            };
            kept.slots.remove(&old);
            kept.bytes -= n;
        }
    }
}

/// SHA-256 of the format, the mark and the model's every field (its `Debug`
/// text: every string, number and date of the document, in order), fed to
/// the hash as it is written (a large annex is never held as one string).
fn key_of(format: Format, mark: Option<&str>, model: &impl std::fmt::Debug) -> Key {
    struct Hashing(Sha256);
    impl std::fmt::Write for Hashing {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.update(s.as_bytes());
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    // Writing into a hash cannot fail.
    let _ = std::fmt::Write::write_fmt(
        &mut h,
        format_args!("{format:?}\u{0}{mark:?}\u{0}{model:?}"),
    );
    h.0.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn doc(title: &str) -> OfficialReport {
        OfficialReport {
            title: title.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_key_follows_every_field_the_format_and_the_mark() {
        let a = key_of(Format::Pdf, None, &doc("Báo cáo 6 tháng"));
        assert_eq!(a, key_of(Format::Pdf, None, &doc("Báo cáo 6 tháng")));
        assert_ne!(a, key_of(Format::Pdf, None, &doc("Báo cáo năm")));
        assert_ne!(a, key_of(Format::Docx, None, &doc("Báo cáo 6 tháng")));
        assert_ne!(
            a,
            key_of(Format::Pdf, Some("DỮ LIỆU MẪU"), &doc("Báo cáo 6 tháng"))
        );
        let mut dated = doc("Báo cáo 6 tháng");
        dated.date = time::Date::from_calendar_date(2026, time::Month::December, 5).ok();
        assert_ne!(a, key_of(Format::Pdf, None, &dated));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_same_content_renders_once_even_when_asked_at_once() {
        let docs = Arc::new(Documents::default());
        let renders = Arc::new(AtomicUsize::new(0));
        let mut tasks = vec![];
        for _ in 0..20 {
            let (docs, renders) = (docs.clone(), renders.clone());
            tasks.push(tokio::spawn(async move {
                docs.rendered([7; 32], move || {
                    renders.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    Ok::<_, String>(vec![1, 2, 3])
                })
                .await
            }));
        }
        for t in tasks {
            let bytes = t.await.expect("task").expect("rendered");
            assert_eq!(&bytes[..], &[1, 2, 3]);
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1);
        assert_eq!(docs.kept(), (1, 3));
    }

    #[tokio::test]
    async fn a_failed_render_is_not_kept_and_the_budget_holds() {
        let docs = Documents::default();
        let failed = docs
            .rendered([1; 32], || Err::<Vec<u8>, _>("typst: no font"))
            .await;
        assert!(matches!(failed, Err(AppError::Internal(_))));
        assert_eq!(docs.kept(), (0, 0));
        let again = docs
            .rendered([1; 32], || Ok::<_, String>(vec![9]))
            .await
            .expect("second try renders");
        assert_eq!(&again[..], &[9]);
        // Three documents of 40 % of the budget each: the oldest goes.
        let big = Documents::BUDGET * 2 / 5;
        for k in 2u8..5 {
            docs.rendered([k; 32], move || Ok::<_, String>(vec![0; big]))
                .await
                .expect("rendered");
        }
        let (n, bytes) = docs.kept();
        assert!(bytes <= Documents::BUDGET, "{bytes} bytes kept");
        assert_eq!(n, 2);
        assert!(!docs.lock().slots.contains_key(&[1; 32]));
        assert!(docs.lock().slots.contains_key(&[4; 32]));
    }
}
