//! The records of a programme as the API answers them: views of web, built
//! from the store's rows (the schema names stay the store's).

use langnghe_store::programs as store;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Program)]
pub struct ProgramView {
    pub id: i64,
    pub key: Option<String>,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub document_id: Option<i64>,
    pub document_number: Option<String>,
    pub document_date: Option<time::Date>,
    pub period_start: time::Date,
    pub period_end: time::Date,
    pub parent_id: Option<i64>,
    pub parent_title: Option<String>,
    pub lead_agency_id: Option<i64>,
    pub lead_agency_name: Option<String>,
    pub status: String,
    pub objectives_general: Option<String>,
    /// JSON array of strings.
    pub objectives_specific: Option<String>,
    pub notes: Option<String>,
    /// Changes name the version they were based on (no lost update).
    pub version: i64,
}

impl From<store::Program> for ProgramView {
    fn from(v: store::Program) -> Self {
        ProgramView {
            id: v.id,
            key: v.key,
            code: v.code,
            title: v.title,
            kind: v.kind,
            document_id: v.document_id,
            document_number: v.document_number,
            document_date: v.document_date,
            period_start: v.period_start,
            period_end: v.period_end,
            parent_id: v.parent_id,
            parent_title: v.parent_title,
            lead_agency_id: v.lead_agency_id,
            lead_agency_name: v.lead_agency_name,
            status: v.status,
            objectives_general: v.objectives_general,
            objectives_specific: v.objectives_specific,
            notes: v.notes,
            version: v.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Indicator)]
pub struct IndicatorBody {
    pub id: i64,
    pub program_id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub aggregation: String,
    pub direction: String,
    pub baseline_value: Option<f64>,
    pub baseline_year: Option<i64>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub version: i64,
}

impl From<store::Indicator> for IndicatorBody {
    fn from(v: store::Indicator) -> Self {
        IndicatorBody {
            id: v.id,
            program_id: v.program_id,
            code: v.code,
            name: v.name,
            unit: v.unit,
            aggregation: v.aggregation,
            direction: v.direction,
            baseline_value: v.baseline_value,
            baseline_year: v.baseline_year,
            source: v.source,
            notes: v.notes,
            version: v.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TargetRow)]
pub struct TargetRowBody {
    pub id: i64,
    pub indicator_id: i64,
    pub parent_id: Option<i64>,
    pub milestone: String,
    /// As the plan states it: "10-12", "trên 7.000".
    pub text: String,
    /// The parsed form (JSON of `core::plan::Target`).
    pub form: String,
    pub cumulative: bool,
    pub dimension: String,
    pub category: Option<String>,
    pub admin_unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub agency_id: Option<i64>,
    pub agency_name: Option<String>,
    pub value: Option<f64>,
    pub version: i64,
}

impl From<store::TargetRow> for TargetRowBody {
    fn from(v: store::TargetRow) -> Self {
        TargetRowBody {
            id: v.id,
            indicator_id: v.indicator_id,
            parent_id: v.parent_id,
            milestone: v.milestone,
            text: v.text,
            form: v.form,
            cumulative: v.cumulative,
            dimension: v.dimension,
            category: v.category,
            admin_unit_id: v.admin_unit_id,
            unit_name: v.unit_name,
            agency_id: v.agency_id,
            agency_name: v.agency_name,
            value: v.value,
            version: v.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ActualRow)]
pub struct ActualRowBody {
    pub id: i64,
    pub indicator_id: i64,
    pub period: String,
    pub value: f64,
    pub plan_value: Option<f64>,
    /// The plan value was derived from a stated result and rate (plan = result / rate).
    pub plan_implied: bool,
    pub rate_stated: Option<String>,
    pub category: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
}

impl From<store::ActualRow> for ActualRowBody {
    fn from(v: store::ActualRow) -> Self {
        ActualRowBody {
            id: v.id,
            indicator_id: v.indicator_id,
            period: v.period,
            value: v.value,
            plan_value: v.plan_value,
            plan_implied: v.plan_implied,
            rate_stated: v.rate_stated,
            category: v.category,
            source: v.source,
            notes: v.notes,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Task)]
pub struct TaskBody {
    pub id: i64,
    pub program_id: i64,
    pub section: Option<String>,
    pub text: String,
    pub lead_agency_id: Option<i64>,
    pub lead_agency_name: Option<String>,
    pub start_on: Option<time::Date>,
    pub due_on: Option<time::Date>,
    pub status: String,
    pub source: Option<String>,
    pub version: i64,
}

impl From<store::Task> for TaskBody {
    fn from(v: store::Task) -> Self {
        TaskBody {
            id: v.id,
            program_id: v.program_id,
            section: v.section,
            text: v.text,
            lead_agency_id: v.lead_agency_id,
            lead_agency_name: v.lead_agency_name,
            start_on: v.start_on,
            due_on: v.due_on,
            status: v.status,
            source: v.source,
            version: v.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = BudgetLine)]
pub struct BudgetLineBody {
    pub id: i64,
    pub program_id: i64,
    pub line: String,
    pub source_of_funds: String,
    pub planned_dong: Option<i64>,
    pub source: Option<String>,
    pub version: i64,
}

impl From<store::BudgetLine> for BudgetLineBody {
    fn from(v: store::BudgetLine) -> Self {
        BudgetLineBody {
            id: v.id,
            program_id: v.program_id,
            line: v.line,
            source_of_funds: v.source_of_funds,
            planned_dong: v.planned_dong,
            source: v.source,
            version: v.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = BudgetAmount)]
pub struct BudgetAmountBody {
    pub budget_line_id: i64,
    pub year: i64,
    pub kind: String,
    pub dong: i64,
}

impl From<store::BudgetAmount> for BudgetAmountBody {
    fn from(v: store::BudgetAmount) -> Self {
        BudgetAmountBody {
            budget_line_id: v.budget_line_id,
            year: v.year,
            kind: v.kind,
            dong: v.dong,
        }
    }
}

/// A task as an agency sees it: with its programme and the agency's role.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AgencyTask)]
pub struct AgencyTaskBody {
    pub id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub section: Option<String>,
    pub text: String,
    pub due_on: Option<time::Date>,
    pub status: String,
    /// `lead` or `coordinating`.
    pub role: String,
    pub version: i64,
}

impl From<store::AgencyTask> for AgencyTaskBody {
    fn from(v: store::AgencyTask) -> Self {
        AgencyTaskBody {
            id: v.id,
            program_id: v.program_id,
            program_code: v.program_code,
            program_title: v.program_title,
            section: v.section,
            text: v.text,
            due_on: v.due_on,
            status: v.status,
            role: v.role,
            version: v.version,
        }
    }
}
