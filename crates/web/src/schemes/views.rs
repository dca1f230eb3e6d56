//! The scheme records as the API answers them: views of web, built from the
//! store's rows (the schema names stay the store's).

use langnghe_store::schemes as store;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Scheme)]
pub struct SchemeBody {
    pub id: i64,
    pub key: Option<String>,
    pub program_id: i64,
    pub program_code: String,
    pub budget_line_id: Option<i64>,
    pub title: String,
    pub year: i64,
    pub budget_dong: i64,
    /// JSON array of eligibility rules (`core::scheme::EligibilityRule`).
    pub eligibility: String,
    /// JSON array of ordered priority rules (`core::scheme::PriorityRule`).
    pub priority: String,
    /// none, round_robin or cap.
    pub fair_share: String,
    pub fair_cap: Option<i64>,
    pub liquidate_by: Option<time::Date>,
    pub indicator_id: Option<i64>,
    pub lead_agency_id: Option<i64>,
    pub lead_agency_name: Option<String>,
    pub partner_agency_id: Option<i64>,
    pub partner_agency_name: Option<String>,
    pub decision_doc_id: Option<i64>,
    pub decision_number: Option<String>,
    pub decision_date: Option<time::Date>,
    /// registration, selection, decided, execution, closed.
    pub status: String,
    pub notes: Option<String>,
    pub applications: i64,
    pub selected: i64,
    pub selected_dong: i64,
    /// Changes name the version they were based on (no lost update).
    pub version: i64,
}

impl From<store::Scheme> for SchemeBody {
    fn from(v: store::Scheme) -> Self {
        SchemeBody {
            id: v.id,
            key: v.key,
            program_id: v.program_id,
            program_code: v.program_code,
            budget_line_id: v.budget_line_id,
            title: v.title,
            year: v.year,
            budget_dong: v.budget_dong,
            eligibility: v.eligibility,
            priority: v.priority,
            fair_share: v.fair_share,
            fair_cap: v.fair_cap,
            liquidate_by: v.liquidate_by,
            indicator_id: v.indicator_id,
            lead_agency_id: v.lead_agency_id,
            lead_agency_name: v.lead_agency_name,
            partner_agency_id: v.partner_agency_id,
            partner_agency_name: v.partner_agency_name,
            decision_doc_id: v.decision_doc_id,
            decision_number: v.decision_number,
            decision_date: v.decision_date,
            status: v.status,
            notes: v.notes,
            applications: v.applications,
            selected: v.selected,
            selected_dong: v.selected_dong,
            version: v.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Content)]
pub struct ContentBody {
    pub key: String,
    pub name: String,
    pub unit_cost_dong: i64,
    /// The plan indicator an accepted content counts towards.
    pub indicator_id: Option<i64>,
}

impl From<store::Content> for ContentBody {
    fn from(v: store::Content) -> Self {
        ContentBody {
            key: v.key,
            name: v.name,
            unit_cost_dong: v.unit_cost_dong,
            indicator_id: v.indicator_id,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Step)]
pub struct StepBody {
    pub ord: i64,
    pub text: String,
    pub lead_agency_id: Option<i64>,
    pub lead_agency_name: Option<String>,
    pub coordinating: Option<String>,
    pub start_on: Option<time::Date>,
    pub due_on: Option<time::Date>,
    pub done_on: Option<time::Date>,
}

impl From<store::Step> for StepBody {
    fn from(v: store::Step) -> Self {
        StepBody {
            ord: v.ord,
            text: v.text,
            lead_agency_id: v.lead_agency_id,
            lead_agency_name: v.lead_agency_name,
            coordinating: v.coordinating,
            start_on: v.start_on,
            due_on: v.due_on,
            done_on: v.done_on,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Application)]
pub struct ApplicationBody {
    pub id: i64,
    pub scheme_id: i64,
    pub village_id: Option<i64>,
    pub applicant: String,
    /// The People's Committee that forwarded it.
    pub unit_agency_id: i64,
    pub unit_agency_name: String,
    pub admin_unit_id: i64,
    /// The district it came from (a commune counts under its district before the reform).
    pub district: String,
    pub registered_on: time::Date,
    pub forwarded_on: Option<time::Date>,
    /// JSON array of earlier years it registered.
    pub earlier_years: String,
    /// JSON array of content keys applied for.
    pub contents: String,
    pub representative: Option<String>,
    /// The recognition decision the unit declares (villages not in the registry).
    pub recognised_by: Option<String>,
    pub legal_status: bool,
    pub has_seal: bool,
    pub bank_account: bool,
    /// registered, forwarded, eligible, ineligible, selected, not_selected, contracted, accepted, liquidated, settled.
    pub state: String,
    /// JSON of the eligibility results.
    pub eligibility: Option<String>,
    /// JSON array of reviewer verdicts on custom rules (`core::scheme::ReviewerVerdict`).
    pub review: String,
    pub rank: Option<i64>,
    pub amount_dong: i64,
    /// The last check's or selection's reason: a catalogue message
    /// (`core::scheme::Msg`) as JSON; rows written before it are plain
    /// Vietnamese text. Pages and the API give it in the reader's language.
    pub reason: Option<String>,
    /// Sample data (the demo), not a real registration.
    pub sample: bool,
    /// Actions may name the version they were based on (`If-Match`).
    pub version: i64,
}

impl From<store::Application> for ApplicationBody {
    fn from(v: store::Application) -> Self {
        ApplicationBody {
            id: v.id,
            scheme_id: v.scheme_id,
            village_id: v.village_id,
            applicant: v.applicant,
            unit_agency_id: v.unit_agency_id,
            unit_agency_name: v.unit_agency_name,
            admin_unit_id: v.admin_unit_id,
            district: v.district,
            registered_on: v.registered_on,
            forwarded_on: v.forwarded_on,
            earlier_years: v.earlier_years,
            contents: v.contents,
            representative: v.representative,
            recognised_by: v.recognised_by,
            legal_status: v.legal_status,
            has_seal: v.has_seal,
            bank_account: v.bank_account,
            state: v.state,
            eligibility: v.eligibility,
            review: v.review,
            rank: v.rank,
            amount_dong: v.amount_dong,
            reason: v.reason,
            sample: v.sample,
            version: v.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Contract)]
pub struct ContractBody {
    pub id: i64,
    pub application_id: i64,
    pub applicant: String,
    pub scheme_id: i64,
    pub number: String,
    pub signed_on: time::Date,
    /// The parties, one per line.
    pub parties: String,
    pub amount_dong: i64,
    pub end_on: Option<time::Date>,
    pub liquidated_on: Option<time::Date>,
    pub settled_on: Option<time::Date>,
}

impl From<store::Contract> for ContractBody {
    fn from(v: store::Contract) -> Self {
        ContractBody {
            id: v.id,
            application_id: v.application_id,
            applicant: v.applicant,
            scheme_id: v.scheme_id,
            number: v.number,
            signed_on: v.signed_on,
            parties: v.parties,
            amount_dong: v.amount_dong,
            end_on: v.end_on,
            liquidated_on: v.liquidated_on,
            settled_on: v.settled_on,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ContractItem)]
pub struct ContractItemBody {
    pub content_key: String,
    pub amount_dong: i64,
    pub accepted_on: Option<time::Date>,
    pub note: Option<String>,
}

impl From<store::ContractItem> for ContractItemBody {
    fn from(v: store::ContractItem) -> Self {
        ContractItemBody {
            content_key: v.content_key,
            amount_dong: v.amount_dong,
            accepted_on: v.accepted_on,
            note: v.note,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Visit)]
pub struct VisitBody {
    pub id: i64,
    pub visited_on: time::Date,
    pub progress_pct: Option<i64>,
    pub note: String,
    pub actor_name: String,
}

impl From<store::Visit> for VisitBody {
    fn from(v: store::Visit) -> Self {
        VisitBody {
            id: v.id,
            visited_on: v.visited_on,
            progress_pct: v.progress_pct,
            note: v.note,
            actor_name: v.actor_name,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Disbursement)]
pub struct DisbursementBody {
    pub id: i64,
    pub paid_on: time::Date,
    pub amount_dong: i64,
    pub note: Option<String>,
}

impl From<store::Disbursement> for DisbursementBody {
    fn from(v: store::Disbursement) -> Self {
        DisbursementBody {
            id: v.id,
            paid_on: v.paid_on,
            amount_dong: v.amount_dong,
            note: v.note,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AppEvent)]
pub struct AppEventBody {
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub note: Option<String>,
    pub actor_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
}

impl From<store::AppEvent> for AppEventBody {
    fn from(v: store::AppEvent) -> Self {
        AppEventBody {
            action: v.action,
            from_state: v.from_state,
            to_state: v.to_state,
            note: v.note,
            actor_name: v.actor_name,
            at: v.at,
        }
    }
}
