//! The reporting records as the API answers them: views of web, built from the
//! store's rows (the schema names stay the store's).

use langnghe_store::reporting as store;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Period)]
pub struct PeriodBody {
    pub id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    /// `first_half`, `annual` or `ad_hoc`.
    pub kind: String,
    pub year: i64,
    /// The official name, in Vietnamese as opened ("6 tháng đầu năm 2025"); the PDF/DOCX use it.
    pub label: String,
    /// The name in the reader's language ("First half of 2025"); a typed name stays as typed.
    pub name: String,
    pub data_from: time::Date,
    pub data_to: time::Date,
    pub due_on: time::Date,
    /// The target milestone this period reports against ("2025").
    pub milestone: Option<String>,
    pub remind_days: i64,
    pub jump_factor: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    pub reports: i64,
    pub submitted: i64,
    pub approved: i64,
    /// Invented by the demo (`serve --demo`): shown as "Dữ liệu mẫu" / "Sample data".
    pub sample: bool,
}

impl From<store::Period> for PeriodBody {
    fn from(v: store::Period) -> Self {
        PeriodBody {
            id: v.id,
            program_id: v.program_id,
            program_code: v.program_code,
            program_title: v.program_title,
            kind: v.kind,
            year: v.year,
            label: v.label,
            name: v.name,
            data_from: v.data_from,
            data_to: v.data_to,
            due_on: v.due_on,
            milestone: v.milestone,
            remind_days: v.remind_days,
            jump_factor: v.jump_factor,
            created_at: v.created_at,
            reports: v.reports,
            submitted: v.submitted,
            approved: v.approved,
            sample: v.sample,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Report)]
pub struct ReportBody {
    pub id: i64,
    pub period_id: i64,
    /// The period's official (Vietnamese) name.
    pub period_label: String,
    /// The period's name in the reader's language.
    pub period_name: String,
    pub period_kind: String,
    pub due_on: time::Date,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub agency_id: i64,
    pub agency_name: String,
    pub admin_unit_id: i64,
    pub unit_name: String,
    /// draft, submitted, returned, approved, locked.
    pub state: String,
    /// Send it back with a save (optimistic locking).
    pub version: i64,
    pub results: String,
    pub difficulties: String,
    pub causes: String,
    pub proposals: String,
    pub return_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_submitted_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
    pub updated_by: Option<String>,
    /// Its period is sample data of the demo (see [`Period::sample`]).
    pub sample: bool,
}

impl From<store::Report> for ReportBody {
    fn from(v: store::Report) -> Self {
        ReportBody {
            id: v.id,
            period_id: v.period_id,
            period_label: v.period_label,
            period_name: v.period_name,
            period_kind: v.period_kind,
            due_on: v.due_on,
            program_id: v.program_id,
            program_code: v.program_code,
            program_title: v.program_title,
            agency_id: v.agency_id,
            agency_name: v.agency_name,
            admin_unit_id: v.admin_unit_id,
            unit_name: v.unit_name,
            state: v.state,
            version: v.version,
            results: v.results,
            difficulties: v.difficulties,
            causes: v.causes,
            proposals: v.proposals,
            return_reason: v.return_reason,
            submitted_at: v.submitted_at,
            first_submitted_at: v.first_submitted_at,
            approved_at: v.approved_at,
            updated_at: v.updated_at,
            updated_by: v.updated_by,
            sample: v.sample,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Line)]
pub struct LineBody {
    pub id: i64,
    pub indicator_id: i64,
    pub indicator_code: String,
    pub indicator_name: String,
    pub unit: String,
    pub aggregation: String,
    /// `""` for the indicator's total, else the category key (LN, NTT…).
    pub category: String,
    /// The target as the plan words it, with its milestone ("25 (2025)").
    pub target_text: Option<String>,
    /// `province` when the target is the province's, shared by several units.
    pub target_scope: Option<String>,
    /// The target as the reader reads it ("Province-wide: 25 (2025)"); filled by the web layer.
    pub target_shown: Option<String>,
    pub target_value: Option<f64>,
    pub previous_value: Option<f64>,
    /// As typed (kept even when it is not a number yet).
    pub value_text: String,
    pub value: Option<f64>,
    /// What the records say, when the indicator is computed from them.
    pub computed_value: Option<f64>,
    /// `computed` while the value is the one computed from records.
    pub source: String,
    pub comment: String,
}

impl From<store::Line> for LineBody {
    fn from(v: store::Line) -> Self {
        LineBody {
            id: v.id,
            indicator_id: v.indicator_id,
            indicator_code: v.indicator_code,
            indicator_name: v.indicator_name,
            unit: v.unit,
            aggregation: v.aggregation,
            category: v.category,
            target_text: v.target_text,
            target_scope: v.target_scope,
            target_shown: v.target_shown,
            target_value: v.target_value,
            previous_value: v.previous_value,
            value_text: v.value_text,
            value: v.value,
            computed_value: v.computed_value,
            source: v.source,
            comment: v.comment,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Event)]
pub struct EventBody {
    pub id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub reason: Option<String>,
    pub actor_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
}

impl From<store::Event> for EventBody {
    fn from(v: store::Event) -> Self {
        EventBody {
            id: v.id,
            action: v.action,
            from_state: v.from_state,
            to_state: v.to_state,
            reason: v.reason,
            actor_name: v.actor_name,
            at: v.at,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Attachment)]
pub struct AttachmentBody {
    pub id: i64,
    pub file_name: String,
    pub file_type: String,
    pub size: i64,
    pub uploaded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

impl From<store::Attachment> for AttachmentBody {
    fn from(v: store::Attachment) -> Self {
        AttachmentBody {
            id: v.id,
            file_name: v.file_name,
            file_type: v.file_type,
            size: v.size,
            uploaded_by: v.uploaded_by,
            created_at: v.created_at,
        }
    }
}

/// Narrative of the approved reports of a period, per unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Narrative)]
pub struct NarrativeBody {
    pub report_id: i64,
    pub agency_name: String,
    pub results: String,
    pub difficulties: String,
    pub causes: String,
    pub proposals: String,
}

impl From<store::Narrative> for NarrativeBody {
    fn from(v: store::Narrative) -> Self {
        NarrativeBody {
            report_id: v.report_id,
            agency_name: v.agency_name,
            results: v.results,
            difficulties: v.difficulties,
            causes: v.causes,
            proposals: v.proposals,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Notification)]
pub struct NotificationBody {
    pub id: i64,
    pub report_id: Option<i64>,
    pub kind: String,
    pub message: String,
    pub link: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<time::OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub emailed_at: Option<time::OffsetDateTime>,
}

impl From<store::Notification> for NotificationBody {
    fn from(v: store::Notification) -> Self {
        NotificationBody {
            id: v.id,
            report_id: v.report_id,
            kind: v.kind,
            message: v.message,
            link: v.link,
            created_at: v.created_at,
            read_at: v.read_at,
            emailed_at: v.emailed_at,
        }
    }
}

/// What a save of a report changes: the body of `PUT /api/v1/reports/{id}`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = ReportInput)]
pub struct ReportInputBody {
    /// The version read; a save against an older one is a conflict.
    pub version: i64,
    pub results: Option<String>,
    pub difficulties: Option<String>,
    pub causes: Option<String>,
    pub proposals: Option<String>,
    #[serde(default)]
    pub lines: Vec<LineInputBody>,
}

/// One line of a report as a save changes it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = LineInput)]
pub struct LineInputBody {
    pub id: i64,
    /// The value as typed, Vietnamese format ("17.800", "71,2"); blank clears it.
    pub value: Option<String>,
    pub comment: Option<String>,
}

impl From<ReportInputBody> for store::ReportInput {
    fn from(b: ReportInputBody) -> Self {
        store::ReportInput {
            version: b.version,
            results: b.results,
            difficulties: b.difficulties,
            causes: b.causes,
            proposals: b.proposals,
            lines: b
                .lines
                .into_iter()
                .map(|l| store::LineInput {
                    id: l.id,
                    value: l.value,
                    comment: l.comment,
                })
                .collect(),
        }
    }
}
