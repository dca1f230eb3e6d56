//! Every error body the API can produce, in both languages, against golden
//! files (`tests/it/snapshots/error-bodies.json`). After a deliberate change,
//! regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p langnghe-web --lib error::snapshots`
//! and read the diff.

use super::{api_body, AppError, FieldError};
use crate::i18n::Lang;
use axum::http::StatusCode;
use std::path::Path;

/// One of each variant, and the field errors people meet most.
fn cases() -> Vec<(&'static str, AppError)> {
    use langnghe_core::report::{ReportState, TransitionError};
    let refused_report = |e: TransitionError| match e {
        TransitionError::NotEditable { state }
        | TransitionError::NotSubmitted { state }
        | TransitionError::NotApproved { state }
        | TransitionError::NotLocked { state } => AppError::Refused(
            FieldError::new("state", e.key())
                .arg_key("state", &format!("report-state-{}", state.as_str())),
        ),
        _ => AppError::Forbidden,
    };
    vec![
        ("unauthorized", AppError::Unauthorized),
        ("forbidden", AppError::Forbidden),
        ("not_found", AppError::NotFound),
        ("bad_request", AppError::bad("error-bad-request")),
        (
            "bad_request_json",
            AppError::BadRequest {
                key: "error-json".into(),
                detail: Some("expected value at line 1 column 1".into()),
            },
        ),
        ("bad_request_cursor", AppError::bad("error-cursor")),
        (
            "validation_number",
            AppError::Validation(vec![
                FieldError::new("remind_days", "error-number").arg("value", "năm")
            ]),
        ),
        (
            "validation_dates",
            AppError::Validation(vec![
                FieldError::new("data_from", "error-date"),
                FieldError::new("due_on", "error-date"),
            ]),
        ),
        (
            "validation_required",
            AppError::Validation(vec![FieldError::new("number", "error-required")]),
        ),
        (
            "validation_period_exists",
            AppError::Validation(vec![FieldError::new("year", "error-period-exists")]),
        ),
        (
            "duplicate_username",
            AppError::Duplicate {
                field: "username".into(),
            },
        ),
        (
            "duplicate_document_number",
            AppError::Duplicate {
                field: "number".into(),
            },
        ),
        (
            "duplicate_unlabelled",
            AppError::Duplicate {
                field: "contract".into(),
            },
        ),
        (
            "refused_report_not_editable",
            refused_report(TransitionError::NotEditable {
                state: ReportState::Approved,
            }),
        ),
        (
            "refused_report_not_submitted",
            refused_report(TransitionError::NotSubmitted {
                state: ReportState::Draft,
            }),
        ),
        (
            "refused_state_changed",
            AppError::Refused(FieldError::new("state", "error-state-changed")),
        ),
        (
            "refused_scheme_closed",
            AppError::Refused(FieldError::new("status", "scheme-closed-for-registration")),
        ),
        (
            "stale_version",
            AppError::Stale {
                current: Box::new(serde_json::json!({"version": 4})),
            },
        ),
        ("version_required", AppError::VersionRequired),
        ("busy", AppError::Busy("database is locked".into())),
        ("csrf", AppError::Csrf),
        ("too_large", AppError::TooLarge),
        ("unsupported_media_type", AppError::UnsupportedMediaType),
        (
            "too_many_attempts",
            AppError::TooManyAttempts { wait_seconds: 30 },
        ),
        ("internal", AppError::Internal("secret detail".into())),
        (
            "method",
            AppError::from_status(StatusCode::METHOD_NOT_ALLOWED),
        ),
    ]
}

#[test]
fn error_bodies_match_their_snapshots_in_both_languages() {
    let mut all = serde_json::Map::new();
    for (name, err) in cases() {
        let mut one = serde_json::Map::new();
        one.insert("status".into(), err.status().as_u16().into());
        for lang in [Lang::Vi, Lang::En] {
            let body = api_body(&err, lang, "req-snapshot");
            let msg = body["error"]["message"].as_str().unwrap_or("");
            // No raw key, no unfilled variable, no internal detail.
            assert!(
                !msg.is_empty() && !msg.contains('{'),
                "{name} {lang:?}: {msg}"
            );
            assert_ne!(msg, body["error"]["key"].as_str().unwrap_or(""), "{name}");
            assert!(!msg.contains("secret"), "{name}: internal detail shown");
            assert!(!msg.contains("already exists.") || name.starts_with("duplicate"));
            for f in body["error"]["fields"].as_array().into_iter().flatten() {
                let m = f["message"].as_str().unwrap_or("");
                assert!(
                    !m.is_empty() && m != f["key"].as_str().unwrap_or("") && !m.contains('{'),
                    "{name}: {m}"
                );
            }
            one.insert(lang.as_str().into(), body);
        }
        all.insert(name.into(), serde_json::Value::Object(one));
    }
    let text =
        serde_json::to_string_pretty(&serde_json::Value::Object(all)).unwrap_or_default() + "\n";
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/it/snapshots/error-bodies.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap_or_default();
        }
        std::fs::write(&path, &text).unwrap_or_default();
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        golden == text,
        "error bodies differ from {} (UPDATE_SNAPSHOTS=1 to accept):\n{text}",
        path.display()
    );
    eprintln!(
        "error bodies snapshot-tested: {} in vi and en",
        cases().len()
    );
}
