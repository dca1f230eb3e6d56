//! Workflow states as SQL text, built once from the `core` enums: where a query's text needs a list of states (a shared `SELECT`),
//! it names a placeholder filled from here; elsewhere a state is a bound
//! parameter. No state is spelled in the store's SQL.

use langnghe_core::report::ReportState;
use langnghe_core::scheme::AppState;
use std::sync::LazyLock;

/// `'a', 'b'`: stored texts as an SQL list (they come from enums: no quoting
/// to escape).
fn sql_list(texts: impl IntoIterator<Item = &'static str>) -> String {
    texts
        .into_iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

static APP_CHOSEN: LazyLock<String> =
    LazyLock::new(|| sql_list(AppState::CHOSEN.iter().map(|s| s.as_str())));
static REPORT_APPROVED: LazyLock<String> =
    LazyLock::new(|| sql_list(ReportState::APPROVED.iter().map(|s| s.as_str())));
static REPORT_SUBMITTED: LazyLock<String> =
    LazyLock::new(|| sql_list(ReportState::SUBMITTED.iter().map(|s| s.as_str())));

/// The application states that count in a decision (`AppState::CHOSEN`).
pub(crate) fn app_chosen() -> &'static str {
    &APP_CHOSEN
}

/// Approved or locked reports (`ReportState::APPROVED`).
pub(crate) fn report_approved() -> &'static str {
    &REPORT_APPROVED
}

/// Reports submitted at least once and not sent back (`ReportState::SUBMITTED`).
pub(crate) fn report_submitted() -> &'static str {
    &REPORT_SUBMITTED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_the_stored_texts() {
        assert_eq!(
            app_chosen(),
            "'selected', 'contracted', 'accepted', 'liquidated', 'settled'"
        );
        assert_eq!(report_approved(), "'approved', 'locked'");
        assert_eq!(report_submitted(), "'submitted', 'approved', 'locked'");
    }
}
