//! The edit forms of a programme's parts as they are posted (page and API alike):
//! indicators, tasks, budget lines. Their own module, so the programme page
//! (`plans`) shows empty forms and the edit handlers (`programs::edit`) read them
//! without the two importing each other.

use serde::{Deserialize, Serialize};

/// An indicator with one target (and its split, if the plan splits it).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct IndicatorPayload {
    pub code: String,
    pub name: String,
    /// lớp, người, lao động, lượt, DA/MH, LN, NTT, LNTT, NH, cuộc, mẫu, gian hàng, %, đồng, tỷ đồng, USD…
    pub unit: String,
    /// sum, average, latest or ratio (default sum).
    #[serde(default)]
    pub aggregation: Option<String>,
    /// higher or lower (default higher).
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub baseline_value: Option<String>,
    #[serde(default)]
    pub baseline_year: Option<String>,
    /// "2025", "2016-2020"…
    pub milestone: String,
    /// The target as the plan states it: "10-12", "trên 7.000", "80 %", "tăng bình quân 12-15 %/năm", "1-1,5 lần so với năm 2020".
    pub target: String,
    /// Optional split, "category = value" per line, e.g. "Nông nghiệp = 13.265".
    #[serde(default)]
    pub split: Option<String>,
}

/// A task of a programme.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TaskPayload {
    #[serde(default)]
    pub section: Option<String>,
    pub text: String,
    /// Lead agency id or key.
    pub lead_agency: String,
    /// Coordinating agencies: ids or keys, comma-separated (a change replaces them).
    #[serde(default)]
    pub coordinating: Option<String>,
    #[serde(default)]
    pub start_on: Option<String>,
    #[serde(default)]
    pub due_on: Option<String>,
    /// Codes of the programme's indicators this task serves, comma-separated (a change replaces them).
    #[serde(default)]
    pub indicators: Option<String>,
    /// Changes only: open, in_progress, done or cancelled (default: as it is).
    #[serde(default)]
    pub status: Option<String>,
    /// Changes only: the version read (or send `If-Match`).
    #[serde(default, deserialize_with = "crate::version::lenient")]
    #[schema(value_type = Option<i64>)]
    pub version: Option<i64>,
}

/// A budget line.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BudgetPayload {
    pub line: String,
    /// central, local, khuyen_cong, trade_promotion, socialised or other.
    pub source_of_funds: String,
    /// "3 tỷ đồng", "163.400.000.000".
    #[serde(default)]
    pub planned: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    /// Allocated (dự toán giao) in the year.
    #[serde(default)]
    pub allocated: Option<String>,
    /// Disbursed (giải ngân) in the year.
    #[serde(default)]
    pub disbursed: Option<String>,
}
