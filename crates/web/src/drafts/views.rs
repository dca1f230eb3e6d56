//! A draft programme as the API answers it and the review page shows it: what
//! reading the plan proposed (`core::ingest`), with agencies matched to the
//! registry and places to admin units. The accept call takes the same shape
//! back, edited: items left out are dropped.

use langnghe_core::ingest as core;
use serde::{Deserialize, Serialize};

/// Where an item came from in the draft's text (character offsets, 1-based line).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftSource {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    /// The passage quoted.
    pub quote: String,
}

impl From<core::Source> for DraftSource {
    fn from(s: core::Source) -> Self {
        DraftSource {
            start: s.start,
            end: s.end,
            line: s.line,
            quote: s.quote,
        }
    }
}

/// An agency as the plan names it, and the registry agency it was matched to.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftAgency {
    /// As written ("Sở Nông nghiệp và PTNT").
    pub name: String,
    /// The registry agency; null when none matched (the name is kept as text).
    pub agency_id: Option<i64>,
    /// The registry name of the match.
    pub agency_name: Option<String>,
    /// How sure the match is, 0–1.
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftDocument {
    /// "316/KH-UBND".
    pub number: Option<String>,
    /// plan, programme, decision or scheme.
    pub kind: Option<String>,
    /// ISO date.
    pub date: Option<String>,
    pub issuer: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftLegalBasis {
    pub number: String,
    pub date: Option<String>,
    pub title: Option<String>,
    pub source: DraftSource,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftPeriod {
    pub start: Option<i32>,
    pub end: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftObjective {
    pub text: String,
    pub source: DraftSource,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftTarget {
    pub year: Option<i32>,
    /// As written: "ít nhất 11 làng nghề", "Trên 70%".
    pub wording: String,
    /// The target as the rules read the wording (`{"kind": "at_least", …}`); null when they cannot.
    #[schema(value_type = Option<Object>)]
    pub form: Option<serde_json::Value>,
    /// LN, NTT or LNTT.
    pub category: Option<String>,
    pub source: DraftSource,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftResult {
    pub year: Option<i32>,
    pub wording: String,
    pub value: Option<f64>,
    pub source: DraftSource,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftIndicator {
    pub name: String,
    pub unit: Option<String>,
    pub lead_agency: Option<DraftAgency>,
    pub targets: Vec<DraftTarget>,
    pub results: Vec<DraftResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftTask {
    pub text: String,
    pub section: Option<String>,
    pub lead_agency: Option<DraftAgency>,
    /// The lead is the programme's lead, not named for this task.
    #[serde(default)]
    pub lead_inferred: bool,
    #[serde(default)]
    pub coordinating_agencies: Vec<DraftAgency>,
    /// When it is due, as written.
    pub due: Option<String>,
    pub source: DraftSource,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftPlace {
    pub name: String,
    /// The commune (or district) matched among the admin units in force on the document's date.
    pub admin_unit_code: Option<String>,
    pub commune: Option<String>,
    pub district: Option<String>,
    pub craft: Option<String>,
    pub ethnic_group: Option<String>,
    pub source: DraftSource,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftBudgetLine {
    pub wording: String,
    pub amount_dong: i64,
    pub year: Option<i32>,
    pub source: DraftSource,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftReporting {
    /// half_yearly, annual or quarterly.
    pub frequency: Option<String>,
    /// Days of the year reports are due, "MM-DD".
    pub due_dates: Vec<String>,
    pub to_agency: Option<DraftAgency>,
    pub source: DraftSource,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftStep {
    pub step: String,
    pub when: Option<String>,
    pub lead_agency: Option<DraftAgency>,
    #[serde(default)]
    pub coordinating_agencies: Vec<DraftAgency>,
    pub source: DraftSource,
}

/// A plan read into a draft programme: every item with the passage it came from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftView {
    /// The draft's id (ignored in an accept body).
    #[serde(default)]
    pub id: i64,
    /// The title given with the text, if any.
    #[serde(default)]
    pub title: Option<String>,
    /// The programme it became, once accepted.
    #[serde(default)]
    pub program_id: Option<i64>,
    #[serde(default)]
    pub document: DraftDocument,
    #[serde(default)]
    pub legal_basis: Vec<DraftLegalBasis>,
    #[serde(default)]
    pub period: DraftPeriod,
    /// The agency leading the whole programme, when the text says so.
    #[serde(default)]
    pub lead_agency: Option<DraftAgency>,
    #[serde(default)]
    pub objectives: Vec<DraftObjective>,
    #[serde(default)]
    pub indicators: Vec<DraftIndicator>,
    #[serde(default)]
    pub tasks: Vec<DraftTask>,
    #[serde(default)]
    pub places: Vec<DraftPlace>,
    #[serde(default)]
    pub budget: Vec<DraftBudgetLine>,
    #[serde(default)]
    pub reporting: Option<DraftReporting>,
    #[serde(default)]
    pub timeline: Vec<DraftStep>,
}

/// Agencies of the registry the plan's names are matched to.
pub struct Matcher {
    pub candidates: Vec<core::AgencyCandidate>,
}

impl Matcher {
    pub fn agency(&self, name: &str) -> DraftAgency {
        let m = core::match_agency(name, &self.candidates);
        DraftAgency {
            name: name.to_string(),
            agency_id: m.as_ref().map(|m| m.id),
            agency_name: m.as_ref().and_then(|m| {
                self.candidates
                    .iter()
                    .find(|c| c.id == m.id)
                    .map(|c| c.name.clone())
            }),
            confidence: m.map(|m| m.confidence),
        }
    }

    fn opt(&self, name: Option<String>) -> Option<DraftAgency> {
        name.map(|n| self.agency(&n))
    }

    fn many(&self, names: Vec<String>) -> Vec<DraftAgency> {
        names.iter().map(|n| self.agency(n)).collect()
    }
}

/// The draft of a reading; places get their codes afterwards (they need the store).
pub fn build(r: core::PlanReading, m: &Matcher) -> DraftView {
    DraftView {
        id: 0,
        title: None,
        program_id: None,
        document: DraftDocument {
            number: r.document.number,
            kind: r.document.kind,
            date: r.document.date.map(|d| d.to_string()),
            issuer: r.document.issuer,
            title: r.document.title,
        },
        legal_basis: r
            .legal_basis
            .into_iter()
            .map(|b| DraftLegalBasis {
                number: b.number,
                date: b.date.map(|d| d.to_string()),
                title: b.title,
                source: b.source.into(),
            })
            .collect(),
        period: DraftPeriod {
            start: r.period.start,
            end: r.period.end,
        },
        lead_agency: m.opt(r.lead_agency),
        objectives: r
            .objectives
            .into_iter()
            .map(|o| DraftObjective {
                text: o.text,
                source: o.source.into(),
            })
            .collect(),
        indicators: r
            .indicators
            .into_iter()
            .map(|i| DraftIndicator {
                name: i.name,
                unit: i.unit,
                lead_agency: m.opt(i.lead_agency),
                targets: i
                    .targets
                    .into_iter()
                    .map(|t| DraftTarget {
                        year: t.year,
                        wording: t.wording,
                        form: t.form.and_then(|f| serde_json::to_value(f).ok()),
                        category: t.category,
                        source: t.source.into(),
                    })
                    .collect(),
                results: i
                    .results
                    .into_iter()
                    .map(|x| DraftResult {
                        year: x.year,
                        wording: x.wording,
                        value: x.value,
                        source: x.source.into(),
                    })
                    .collect(),
            })
            .collect(),
        tasks: r
            .tasks
            .into_iter()
            .map(|t| DraftTask {
                text: t.text,
                section: t.section,
                lead_agency: m.opt(t.lead_agency),
                lead_inferred: t.lead_inferred,
                coordinating_agencies: m.many(t.coordinating_agencies),
                due: t.due,
                source: t.source.into(),
            })
            .collect(),
        places: r
            .places
            .into_iter()
            .map(|p| DraftPlace {
                name: p.name,
                admin_unit_code: None,
                commune: p.commune,
                district: p.district,
                craft: p.craft,
                ethnic_group: p.ethnic_group,
                source: p.source.into(),
            })
            .collect(),
        budget: r
            .budget
            .into_iter()
            .map(|b| DraftBudgetLine {
                wording: b.wording,
                amount_dong: b.amount_dong,
                year: b.year,
                source: b.source.into(),
            })
            .collect(),
        reporting: r.reporting.map(|x| DraftReporting {
            frequency: x.frequency,
            due_dates: x.due_dates,
            to_agency: m.opt(x.to_agency),
            source: x.source.into(),
        }),
        timeline: r
            .timeline
            .into_iter()
            .map(|s| DraftStep {
                step: s.step,
                when: s.when,
                lead_agency: m.opt(s.lead_agency),
                coordinating_agencies: m.many(s.coordinating_agencies),
                source: s.source.into(),
            })
            .collect(),
    }
}
