//! The vocabulary of the audit log: what was done ([`AuditAction`]) to what
//! kind of record ([`AuditEntity`]). Stored as text in `audit_log.action` and
//! `audit_log.entity`; the store's write path takes only these.

use crate::report::ReportAction;

crate::workflow::stored_text_enum! {
    /// What an audit row records.
    pub enum AuditAction ("audit action") {
        Create => "create",
        Update => "update",
        /// A programme's or scheme's status changed.
        Status => "status",
        /// A step of a scheme's timeline recorded.
        Step => "step",
        // An application through its workflow.
        Register => "register",
        Forward => "forward",
        Check => "check",
        Review => "review",
        Select => "select",
        Decide => "decide",
        Contract => "contract",
        Visit => "visit",
        Accept => "accept",
        Liquidate => "liquidate",
        Settle => "settle",
        // A report through its workflow.
        Save => "save",
        Submit => "submit",
        Return => "return",
        Approve => "approve",
        Lock => "lock",
        Reopen => "reopen",
        /// An evidence file attached to a report, or taken off it.
        Attach => "attach",
        Detach => "detach",
        /// A document's file stored.
        AttachFile => "attach_file",
        ChangePassword => "change_password",
        Login => "login",
        LoginFailed => "login_failed",
        Logout => "logout",
        /// The demo's sample history dated in the past.
        Backdate => "backdate",
    }
}

crate::workflow::stored_text_enum! {
    /// The kind of record an audit row is about.
    pub enum AuditEntity ("audit entity") {
        Agency => "agency",
        User => "user",
        ApiToken => "api_token",
        Session => "session",
        // The registry.
        Document => "document",
        Craft => "craft",
        Village => "village",
        Establishment => "establishment",
        Artisan => "artisan",
        Product => "product",
        EnvironmentAssessment => "environment_assessment",
        // Programmes (plans) and what they hold.
        Program => "program",
        Indicator => "indicator",
        Target => "target",
        IndicatorActual => "indicator_actual",
        Task => "task",
        BudgetLine => "budget_line",
        ProgramPlace => "program_place",
        /// A plan document read into a draft programme.
        PlanDraft => "plan_draft",
        // Reporting.
        ReportPeriod => "report_period",
        Report => "report",
        // Support schemes.
        Scheme => "scheme",
        Application => "application",
        Activity => "activity",
    }
}

impl From<ReportAction> for AuditAction {
    fn from(a: ReportAction) -> Self {
        match a {
            ReportAction::Save => AuditAction::Save,
            ReportAction::Submit => AuditAction::Submit,
            ReportAction::Return => AuditAction::Return,
            ReportAction::Approve => AuditAction::Approve,
            ReportAction::Lock => AuditAction::Lock,
            ReportAction::Reopen => AuditAction::Reopen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_distinct_and_parse_back() {
        for all in [
            AuditAction::ALL
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>(),
            AuditEntity::ALL
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>(),
        ] {
            let mut seen = std::collections::HashSet::new();
            assert!(all.iter().all(|t| seen.insert(*t)), "{all:?}");
        }
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
        }
        for e in AuditEntity::ALL {
            assert_eq!(AuditEntity::parse(e.as_str()), Some(*e));
        }
        assert_eq!(AuditAction::parse("drop"), None);
    }

    #[test]
    fn a_report_action_is_audited_under_its_own_name() {
        for a in [
            ReportAction::Save,
            ReportAction::Submit,
            ReportAction::Return,
            ReportAction::Approve,
            ReportAction::Lock,
            ReportAction::Reopen,
        ] {
            assert_eq!(AuditAction::from(a).as_str(), a.as_str());
        }
    }
}
