//! Support schemes: the pure rules of a scheme
//! such as the 2017 Hà Nội "Hỗ trợ xây dựng thương hiệu làng
//! nghề" plan (3 support contents, a 3 tỷ đồng budget, eligibility, an
//! ordered list of priorities, a 9-step timeline, liquidation of contracts
//! before 25/11).
//!
//! # Eligibility
//!
//! [`check_eligibility`] evaluates every [`EligibilityRule`] against the
//! [`Facts`] the store knows about one applicant; the applicant is eligible
//! when every rule passes. Each result carries its evidence in Vietnamese
//! and English ("Làng nghề đã được công nhận (Quyết định số 4892/QĐ-UBND
//! ngày 29/9/2015)", "Thiếu con dấu"), so an ineligible applicant is told
//! why.
//!
//! # Ranking
//!
//! [`rank_and_select`] ranks the eligible applications by the scheme's
//! [`PriorityRule`]s, compared lexicographically (an earlier rule dominates
//! every later one), then by application id, then by the remaining fields
//! of the application, so the ranking is a total order and the result does
//! not depend on the order of the input. Ranks are 1-based and unique.
//! Ineligible applications get no rank and come last (by id).
//!
//! # Selection within the budget
//!
//! Applications are *considered* one at a time in an order fixed by the
//! [`FairShare`] rule. Each one is greedy: it is selected when it fits the
//! budget left at its turn, and otherwise refused with the numbers ("còn
//! 150.000.000 đồng, cần 230.000.000 đồng"). A refused application does not
//! stop the selection: a later, cheaper one may still fit and be selected.
//! Because the budget left only ever decreases, an application refused for
//! the budget would never have fitted later either.
//!
//! - [`FairShare::None`]: consideration in rank order.
//! - [`FairShare::CapPerDistrict`]: rank order, and an application whose
//!   district already has `max` selected is refused (`district_cap`) without
//!   touching the budget.
//! - [`FairShare::RoundRobin`]: in rounds; in every round each district, in
//!   the order of its best-ranked application (then by district key), takes
//!   its best remaining application that fits, refusing on the way those of
//!   its applications that do not fit (they never could later). A district
//!   with nothing left drops out. So a district gets at most one selection
//!   per round, and its k-th selection is made in round k.
//!
//! The amount of an application is the sum of the unit costs of the
//! distinct scheme contents it applies for. Content keys that the scheme
//! does not have are ignored (they cost nothing) and named in the reason;
//! a key listed twice counts once; a negative unit cost counts as 0; a
//! negative budget counts as 0; a sum that overflows `i64` is refused
//! (`amount_overflow`). An eligible application that applies for no
//! content of the scheme is refused (`no_contents`).
//!
//! # Guarantees (property-tested below)
//!
//! 1. The selected amounts never add up to more than the budget.
//! 2. Same district, higher priority first: if A ranks above B, both of the
//!    same district, and B is selected, then A is selected, or A was refused
//!    for the budget with `amount(A)` greater than the budget left at A's
//!    turn (which is at least the budget left at B's turn, so A costs more
//!    than B), or A's amount overflows, or A applies for no content of the
//!    scheme. This holds for every [`FairShare`] rule, because within a
//!    district applications are always considered in rank order. Without a
//!    sharing rule it holds across districts too.
//! 3. The result does not depend on the order of the input.
//! 4. Round robin: if district D has at least two selections more than
//!    district E, then every eligible application of E that was not
//!    selected was refused for `no_contents` or `amount_overflow`, or costs
//!    more than the budget that was left just before D's last selection.
//! 5. A cap per district is never exceeded.
//! 6. An ineligible application is never selected.
//!
//! # Timeline
//!
//! [`Step`] / [`step_state`] give the state of a step of the scheme's
//! timeline for a Gantt chart (done, done late, open, late);
//! [`parse_period`] reads the plan's time column ("Tháng 6 -7 năm 2017",
//! "Trước ngày 10/8/2017"); [`liquidation_overdue`] counts the days a
//! contract's liquidation is late (the 2017 Hà Nội brand-building scheme: before 25/11/2017).
//!
//! Deadlines are inclusive: a due date is the last day on which the work is
//! on time, so "trước ngày 25/11/2017" is stored as 25/11/2017.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use time::{Date, Month};

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

/// A system-generated text as a catalogue key and its arguments, so that
/// every language renders it from its catalogue (`crates/web/locales`).
/// What a person typed (a custom rule's label, a reviewer's note, a
/// decision's number) travels as a [`Arg::Text`] argument, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Msg {
    /// Catalogue key, e.g. `scheme-elig-not-recognised`.
    pub key: String,
    /// Named arguments.
    #[serde(default)]
    pub args: BTreeMap<String, Arg>,
}

/// One argument of a [`Msg`], typed so that each language writes it its
/// own way (vi `200.000.000 đồng`, en `200,000,000 VND`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Arg {
    /// Text as given (a person's words, a name, a key).
    Text(String),
    /// A whole number.
    Int(i64),
    /// An amount in đồng.
    Money(i64),
    /// A date.
    Date(Date),
    /// Messages rendered one after the other, joined by `sep` (punctuation
    /// only, the same in every language). An empty list renders as "".
    Msgs {
        /// The parts.
        items: Vec<Msg>,
        /// What goes between two parts, e.g. `"; "`.
        sep: String,
    },
}

impl Msg {
    /// A message without arguments.
    pub fn new(key: &str) -> Self {
        Self {
            key: key.to_owned(),
            args: BTreeMap::new(),
        }
    }

    /// Add an argument.
    #[must_use]
    pub fn arg(mut self, name: &str, value: Arg) -> Self {
        self.args.insert(name.to_owned(), value);
        self
    }

    /// Add a text argument.
    #[must_use]
    pub fn text(self, name: &str, value: &str) -> Self {
        self.arg(name, Arg::Text(value.to_owned()))
    }

    /// Add a whole-number argument.
    #[must_use]
    pub fn int(self, name: &str, value: i64) -> Self {
        self.arg(name, Arg::Int(value))
    }

    /// Add a list of messages joined by `sep`.
    #[must_use]
    pub fn msgs(self, name: &str, items: Vec<Msg>, sep: &str) -> Self {
        self.arg(
            name,
            Arg::Msgs {
                items,
                sep: sep.to_owned(),
            },
        )
    }
}

// ---------------------------------------------------------------------------
// Contents
// ---------------------------------------------------------------------------

/// A support content of a scheme. Seed 002 has three: training in brand
/// building (3 days per village), brand name, logo and identity system,
/// brand strategy advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    /// Stable key, referenced by [`Application::contents`].
    pub key: String,
    /// Name as the plan writes it.
    pub name: String,
    /// Cost per applicant, in đồng. Negative values count as 0.
    pub unit_cost_dong: i64,
}

// ---------------------------------------------------------------------------
// Eligibility
// ---------------------------------------------------------------------------

/// One condition an applicant must meet to be supported.
///
/// Serialised with a `kind` tag: `{"kind":"village_recognised"}`,
/// `{"kind":"custom","key":"…","label":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EligibilityRule {
    /// The village has been recognised (a recognition decision is on file
    /// in the registry). Seed 002: "đã được UBND Thành phố quyết định công
    /// nhận danh hiệu làng nghề".
    VillageRecognised,
    /// The registration came through the local People's Committee, which
    /// forwarded it (the 2017 Hà Nội brand-building scheme: "được UBND quận, huyện, thị xã gửi văn bản
    /// đăng ký").
    RegisteredThroughUnit,
    /// The representative who signs the contract has legal status, a seal
    /// and its own bank account (the 2017 Hà Nội brand-building scheme: "phải có tư cách pháp nhân, có
    /// con dấu và tài khoản riêng").
    HasLegalStatus,
    /// A condition decided by a reviewer (pass or fail, with a note).
    Custom {
        /// Matches [`ReviewerVerdict::key`].
        key: String,
        /// Shown to people.
        label: String,
    },
}

impl EligibilityRule {
    /// Stable code: `village_recognised`, `registered_through_unit`,
    /// `has_legal_status`, `custom`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::VillageRecognised => "village_recognised",
            Self::RegisteredThroughUnit => "registered_through_unit",
            Self::HasLegalStatus => "has_legal_status",
            Self::Custom { .. } => "custom",
        }
    }

    /// The rule in Vietnamese, as a scheme's conditions list it.
    pub fn label_vi(&self) -> String {
        match self {
            Self::VillageRecognised => "Làng nghề đã được công nhận".to_owned(),
            Self::RegisteredThroughUnit => "Đăng ký qua UBND cấp huyện/xã".to_owned(),
            Self::HasLegalStatus => {
                "Đại diện có tư cách pháp nhân, con dấu và tài khoản riêng".to_owned()
            }
            Self::Custom { label, .. } => label.clone(),
        }
    }

    /// The rule in English.
    pub fn label_en(&self) -> String {
        match self {
            Self::VillageRecognised => "Recognised craft village".to_owned(),
            Self::RegisteredThroughUnit => {
                "Registered through the local People's Committee".to_owned()
            }
            Self::HasLegalStatus => {
                "Representative with legal status, a seal and its own bank account".to_owned()
            }
            Self::Custom { label, .. } => label.clone(),
        }
    }
}

/// A reviewer's decision on a [`EligibilityRule::Custom`] rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerVerdict {
    /// The custom rule's key.
    pub key: String,
    /// Whether the applicant meets the condition.
    pub passed: bool,
    /// The reviewer's note, shown as the reason.
    pub note: String,
}

/// What the store knows about one applicant, for the eligibility check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The recognition decision from the registry, e.g. "Quyết định số
    /// 4892/QĐ-UBND ngày 29/9/2015"; `None` (or blank) when not recognised.
    pub recognised_by: Option<String>,
    /// The registration was forwarded by the local People's Committee.
    pub registered_through_unit: bool,
    /// The representative has legal status (tư cách pháp nhân).
    pub legal_status: bool,
    /// The representative has a seal (con dấu).
    pub seal: bool,
    /// The representative has its own bank account (tài khoản riêng).
    pub bank_account: bool,
    /// Reviewer decisions on custom rules. When a key appears more than
    /// once, the last entry (the most recent decision) counts.
    pub reviewer: Vec<ReviewerVerdict>,
}

/// The outcome of one rule for one applicant, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// The rule checked.
    pub rule: EligibilityRule,
    /// Whether the applicant meets it.
    pub passed: bool,
    /// Why, as a catalogue key and arguments.
    pub reason: Msg,
}

/// The outcome of all rules for one applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// True when every rule passed (and so when there are no rules).
    pub eligible: bool,
    /// One result per rule, in the order of the rules.
    pub results: Vec<RuleResult>,
}

impl Eligibility {
    /// The results of the rules that failed.
    pub fn failures(&self) -> impl Iterator<Item = &RuleResult> {
        self.results.iter().filter(|r| !r.passed)
    }
}

fn result(rule: &EligibilityRule, passed: bool, reason: Msg) -> RuleResult {
    RuleResult {
        rule: rule.clone(),
        passed,
        reason,
    }
}

fn check_rule(rule: &EligibilityRule, facts: &Facts) -> RuleResult {
    match rule {
        EligibilityRule::VillageRecognised => match facts.recognised_by.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => result(
                rule,
                true,
                Msg::new("scheme-elig-recognised").text("decision", d),
            ),
            _ => result(rule, false, Msg::new("scheme-elig-not-recognised")),
        },
        EligibilityRule::RegisteredThroughUnit => {
            if facts.registered_through_unit {
                result(rule, true, Msg::new("scheme-elig-registered"))
            } else {
                result(rule, false, Msg::new("scheme-elig-not-registered"))
            }
        }
        EligibilityRule::HasLegalStatus => {
            let parts = [
                (facts.legal_status, "scheme-elig-part-legal-status"),
                (facts.seal, "scheme-elig-part-seal"),
                (facts.bank_account, "scheme-elig-part-bank-account"),
            ];
            let missing: Vec<Msg> = parts
                .iter()
                .filter(|p| !p.0)
                .map(|p| Msg::new(p.1))
                .collect();
            if missing.is_empty() {
                result(rule, true, Msg::new("scheme-elig-legal-ok"))
            } else {
                result(
                    rule,
                    false,
                    Msg::new("scheme-elig-lacks").msgs("missing", missing, ", "),
                )
            }
        }
        EligibilityRule::Custom { key, label } => {
            match facts.reviewer.iter().rev().find(|v| &v.key == key) {
                None => result(
                    rule,
                    false,
                    Msg::new("scheme-elig-custom-pending").text("label", label),
                ),
                Some(v) => {
                    let note = v.note.trim();
                    let key = match (v.passed, note.is_empty()) {
                        (true, true) => "scheme-elig-custom-met",
                        (false, true) => "scheme-elig-custom-not-met",
                        (true, false) => "scheme-elig-custom-met-note",
                        (false, false) => "scheme-elig-custom-not-met-note",
                    };
                    let m = Msg::new(key).text("label", label);
                    let m = if note.is_empty() {
                        m
                    } else {
                        m.text("note", note)
                    };
                    result(rule, v.passed, m)
                }
            }
        }
    }
}

/// Check one applicant against a scheme's eligibility rules. Every rule is
/// evaluated (so an applicant learns all its shortcomings at once); the
/// applicant is eligible when all pass.
pub fn check_eligibility(rules: &[EligibilityRule], facts: &Facts) -> Eligibility {
    let results: Vec<RuleResult> = rules.iter().map(|r| check_rule(r, facts)).collect();
    Eligibility {
        eligible: results.iter().all(|r| r.passed),
        results,
    }
}

// ---------------------------------------------------------------------------
// Ranking and selection
// ---------------------------------------------------------------------------

/// One priority rule. A scheme lists them in order; an earlier rule
/// dominates every later one (lexicographic comparison).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PriorityRule {
    /// Applicants that registered already in some of `years` come first
    /// (the 2017 Hà Nội brand-building scheme: "đã … gửi văn bản đăng ký hỗ trợ xây dựng thương hiệu từ
    /// năm 2014, 2015, 2016"). More matching years rank higher; with as many
    /// matching years, the one whose earliest matching year is earlier (it
    /// has waited longer) ranks higher. An empty `years` matches nothing,
    /// so the rule then has no effect.
    RegisteredIn {
        /// The earlier years that count.
        years: Vec<i32>,
    },
    /// Applying for more of the scheme's contents ranks higher, so an
    /// applicant for every content comes before one applying for fewer
    /// (the 2017 Hà Nội brand-building scheme: "đăng ký thực hiện đủ 3 nội dung hỗ trợ").
    AllContents,
    /// An earlier registration date ranks higher.
    EarlierRegistration,
}

/// How the districts (the units that forward registrations) share the
/// budget. Seed 002: "Phân bổ hợp lý kinh phí hỗ trợ giữa các quận, huyện,
/// thị xã".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FairShare {
    /// No sharing rule: consideration in rank order.
    None,
    /// Rounds across districts: each district in turn takes its best
    /// remaining application that fits (district order: by its best-ranked
    /// application, then by key).
    RoundRobin,
    /// Rank order, with at most `max` selected per district.
    CapPerDistrict {
        /// Most applications selected per district.
        max: usize,
    },
}

/// One registration for a scheme, as ranking sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Application {
    /// Store id; breaks ties between otherwise equal applications.
    pub id: i64,
    /// Applicant's name (village or establishment).
    pub applicant: String,
    /// Key of the district/commune that forwarded the registration.
    pub district: String,
    /// Keys of the contents applied for.
    pub contents: Vec<String>,
    /// Date of the registration.
    pub registered_on: Date,
    /// Years in which it registered before.
    pub earlier_years: Vec<i32>,
    /// Result of [`check_eligibility`].
    pub eligible: bool,
}

/// Why an application was or was not selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Selected within the budget.
    Selected,
    /// Not eligible: not ranked, not considered.
    Ineligible,
    /// Eligible but applies for no content of the scheme.
    NoContents,
    /// Its district already had the maximum number selected.
    DistrictCap,
    /// Its amount exceeded the budget left at its turn.
    OverBudget,
    /// Its amount does not fit in an `i64` number of đồng.
    AmountOverflow,
}

impl ReasonCode {
    /// Stable code for programs: `selected`, `ineligible`, `no_contents`,
    /// `district_cap`, `over_budget`, `amount_overflow`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Selected => "selected",
            Self::Ineligible => "ineligible",
            Self::NoContents => "no_contents",
            Self::DistrictCap => "district_cap",
            Self::OverBudget => "over_budget",
            Self::AmountOverflow => "amount_overflow",
        }
    }
}

/// The outcome for one application. [`rank_and_select`] returns one per
/// application, in rank order, ineligible ones last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// [`Application::id`].
    pub application_id: i64,
    /// [`Application::applicant`].
    pub applicant: String,
    /// [`Application::district`].
    pub district: String,
    /// 1-based rank among the eligible applications; `None` when ineligible.
    pub rank: Option<u32>,
    /// Whether it is selected for support.
    pub selected: bool,
    /// The distinct scheme contents applied for, in the scheme's order.
    pub contents: Vec<String>,
    /// Content keys applied for that the scheme does not have (ignored).
    pub ignored_contents: Vec<String>,
    /// Amount granted, in đồng: `requested_dong` when selected, else 0.
    pub amount_dong: i64,
    /// Sum of the unit costs of `contents`, in đồng (`i64::MAX` when it
    /// overflows).
    pub requested_dong: i64,
    /// Budget left after this application was considered (for ineligible
    /// applications: the budget left at the end).
    pub budget_left_dong: i64,
    /// Round-robin round in which it was considered (`None` for other
    /// sharing rules and for ineligible applications).
    pub round: Option<u32>,
    /// Why it was or was not selected.
    pub reason_code: ReasonCode,
    /// The reason as a catalogue key and arguments; vi renders e.g. "Xếp
    /// hạng 7: không đủ kinh phí (còn 150.000.000 đồng, cần 230.000.000
    /// đồng) — …". Its `more` argument carries the priority facts and the
    /// ignored contents.
    pub reason: Msg,
}

/// An application with what ranking needs computed once.
struct Prepared<'a> {
    app: &'a Application,
    /// Distinct known content keys, in the scheme's order.
    known: Vec<&'a str>,
    /// Distinct unknown content keys, sorted.
    unknown: Vec<&'a str>,
    /// Sum of the unit costs; `None` on overflow.
    amount: Option<i64>,
    /// One key per priority rule; smaller ranks higher.
    keys: Vec<(i64, i64)>,
}

/// The earlier years of `app` that are among `years`, sorted, distinct.
fn matched_years(app: &Application, years: &[i32]) -> Vec<i32> {
    let wanted: BTreeSet<i32> = years.iter().copied().collect();
    let found: BTreeSet<i32> = app
        .earlier_years
        .iter()
        .copied()
        .filter(|y| wanted.contains(y))
        .collect();
    found.into_iter().collect()
}

fn prepare<'a>(
    app: &'a Application,
    costs: &BTreeMap<&str, (usize, i64)>,
    rules: &[PriorityRule],
) -> Prepared<'a> {
    let mut known: BTreeMap<usize, &'a str> = BTreeMap::new();
    let mut unknown: BTreeSet<&'a str> = BTreeSet::new();
    for k in &app.contents {
        match costs.get(k.as_str()) {
            Some(&(i, _)) => {
                known.insert(i, k.as_str());
            }
            None => {
                unknown.insert(k.as_str());
            }
        }
    }
    let amount = known.values().try_fold(0i64, |sum, k| {
        let cost = costs.get(k).map_or(0, |&(_, c)| c.max(0));
        sum.checked_add(cost)
    });
    let n_known = i64::try_from(known.len()).unwrap_or(i64::MAX);
    let keys = rules
        .iter()
        .map(|r| match r {
            PriorityRule::RegisteredIn { years } => {
                let m = matched_years(app, years);
                let n = i64::try_from(m.len()).unwrap_or(i64::MAX);
                let first = m.first().map_or(0, |&y| i64::from(y));
                (-n, first)
            }
            PriorityRule::AllContents => (-n_known, 0),
            PriorityRule::EarlierRegistration => (i64::from(app.registered_on.to_julian_day()), 0),
        })
        .collect();
    Prepared {
        app,
        known: known.into_values().collect(),
        unknown: unknown.into_iter().collect(),
        amount,
        keys,
    }
}

/// Rank order: the rules' keys, then id, then every other field.
fn rank_cmp(a: &Prepared<'_>, b: &Prepared<'_>) -> Ordering {
    a.keys.cmp(&b.keys).then_with(|| a.app.cmp(b.app))
}

/// What happened to one eligible application during selection.
#[derive(Clone, Copy)]
struct Outcome {
    code: ReasonCode,
    left_before: i64,
    left_after: i64,
    round: Option<u32>,
}

/// Decide one application against the budget left; updates `left`.
fn consider(p: &Prepared<'_>, left: &mut i64, capped: bool, round: Option<u32>) -> Outcome {
    let left_before = *left;
    let code = if p.known.is_empty() {
        ReasonCode::NoContents
    } else if capped {
        ReasonCode::DistrictCap
    } else {
        match p.amount {
            None => ReasonCode::AmountOverflow,
            Some(a) if a > *left => ReasonCode::OverBudget,
            Some(a) => {
                // a ≤ left, both ≥ 0: no overflow.
                *left -= a;
                ReasonCode::Selected
            }
        }
    };
    Outcome {
        code,
        left_before,
        left_after: *left,
        round,
    }
}

/// The priority facts behind a rank, as a phrase per rule.
fn priority_phrases(p: &Prepared<'_>, rules: &[PriorityRule], n_contents: usize) -> Vec<Msg> {
    let years_list = |ys: &[i32]| ys.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
    let as_int = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut out = Vec::new();
    for r in rules {
        match r {
            PriorityRule::RegisteredIn { years } => {
                let m = matched_years(p.app, years);
                if m.is_empty() {
                    let all: BTreeSet<i32> = years.iter().copied().collect();
                    let all: Vec<i32> = all.into_iter().collect();
                    out.push(
                        Msg::new("scheme-prio-not-registered-in").text("years", &years_list(&all)),
                    );
                } else {
                    out.push(Msg::new("scheme-prio-registered-in").text("years", &years_list(&m)));
                }
            }
            PriorityRule::AllContents => {
                let k = p.known.len();
                let key = if k == n_contents {
                    "scheme-prio-all-contents"
                } else {
                    "scheme-prio-contents"
                };
                out.push(
                    Msg::new(key)
                        .int("count", as_int(k))
                        .int("total", as_int(n_contents)),
                );
            }
            PriorityRule::EarlierRegistration => {
                out.push(
                    Msg::new("scheme-prio-registered-on")
                        .arg("date", Arg::Date(p.app.registered_on)),
                );
            }
        }
    }
    out
}

/// Rank the applications and select them within the budget.
///
/// `contents` are the scheme's contents (a key listed twice: the first
/// counts); `rules` the ordered priority rules; `fair` how districts share;
/// `budget_dong` the total budget (negative counts as 0).
///
/// Returns one [`Selection`] per application: the eligible ones in rank
/// order, then the ineligible ones by id. See the module documentation for
/// the exact semantics and the guarantees. Pure and total: never panics.
pub fn rank_and_select(
    contents: &[Content],
    rules: &[PriorityRule],
    fair: FairShare,
    budget_dong: i64,
    apps: &[Application],
) -> Vec<Selection> {
    let mut costs: BTreeMap<&str, (usize, i64)> = BTreeMap::new();
    for c in contents {
        let next = costs.len();
        costs
            .entry(c.key.as_str())
            .or_insert((next, c.unit_cost_dong));
    }
    let n_contents = costs.len();

    let (mut ranked, mut ineligible): (Vec<Prepared<'_>>, Vec<Prepared<'_>>) = apps
        .iter()
        .map(|a| prepare(a, &costs, rules))
        .partition(|p| p.app.eligible);
    ranked.sort_by(rank_cmp);
    ineligible.sort_by(|a, b| a.app.cmp(b.app));

    let mut left = budget_dong.max(0);
    let unset = Outcome {
        code: ReasonCode::Ineligible,
        left_before: 0,
        left_after: 0,
        round: None,
    };
    let mut outcomes = vec![unset; ranked.len()];
    match fair {
        FairShare::None => {
            for (i, p) in ranked.iter().enumerate() {
                outcomes[i] = consider(p, &mut left, false, None);
            }
        }
        FairShare::CapPerDistrict { max } => {
            let mut count: BTreeMap<&str, usize> = BTreeMap::new();
            for (i, p) in ranked.iter().enumerate() {
                let n = count.entry(p.app.district.as_str()).or_insert(0);
                let o = consider(p, &mut left, *n >= max, None);
                if o.code == ReasonCode::Selected {
                    *n += 1;
                }
                outcomes[i] = o;
            }
        }
        FairShare::RoundRobin => {
            // Queues in rank order; districts ordered by their best rank.
            let mut queues: BTreeMap<&str, VecDeque<usize>> = BTreeMap::new();
            for (i, p) in ranked.iter().enumerate() {
                queues
                    .entry(p.app.district.as_str())
                    .or_default()
                    .push_back(i);
            }
            let mut order: Vec<(usize, &str, VecDeque<usize>)> = queues
                .into_iter()
                .map(|(d, q)| (q.front().copied().unwrap_or(usize::MAX), d, q))
                .collect();
            order.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
            let mut round: u32 = 0;
            while !order.is_empty() {
                round = round.saturating_add(1);
                for (_, _, queue) in order.iter_mut() {
                    while let Some(i) = queue.pop_front() {
                        let o = consider(&ranked[i], &mut left, false, Some(round));
                        outcomes[i] = o;
                        if o.code == ReasonCode::Selected {
                            break;
                        }
                    }
                }
                order.retain(|(_, _, q)| !q.is_empty());
            }
        }
    }

    let mut out = Vec::with_capacity(apps.len());
    for (i, (p, o)) in ranked.iter().zip(&outcomes).enumerate() {
        let rank = u32::try_from(i.saturating_add(1)).unwrap_or(u32::MAX);
        let requested = p.amount.unwrap_or(i64::MAX);
        let head = match o.code {
            ReasonCode::Selected => Msg::new("scheme-sel-selected")
                .arg("amount", Arg::Money(requested))
                .arg("left", Arg::Money(o.left_after)),
            ReasonCode::OverBudget => Msg::new("scheme-sel-over-budget")
                .arg("left", Arg::Money(o.left_before))
                .arg("amount", Arg::Money(requested)),
            ReasonCode::DistrictCap => {
                let max = match fair {
                    FairShare::CapPerDistrict { max } => max,
                    _ => 0,
                };
                Msg::new("scheme-sel-district-cap")
                    .text("district", &p.app.district)
                    .int("max", i64::try_from(max).unwrap_or(i64::MAX))
            }
            ReasonCode::NoContents => Msg::new("scheme-sel-no-contents"),
            ReasonCode::AmountOverflow => Msg::new("scheme-sel-amount-overflow"),
            ReasonCode::Ineligible => Msg::new("scheme-sel-rank-ineligible"),
        };
        let round: Vec<Msg> = o
            .round
            .map(|n| Msg::new("scheme-sel-round").int("round", i64::from(n)))
            .into_iter()
            .collect();
        let mut more = Vec::new();
        let prio = priority_phrases(p, rules, n_contents);
        if !prio.is_empty() {
            more.push(Msg::new("scheme-sel-priority").msgs("list", prio, "; "));
        }
        add_ignored(p, &mut more);
        let reason = head
            .int("rank", i64::from(rank))
            .msgs("round", round, "")
            .msgs("more", more, "");
        let selected = o.code == ReasonCode::Selected;
        out.push(Selection {
            application_id: p.app.id,
            applicant: p.app.applicant.clone(),
            district: p.app.district.clone(),
            rank: Some(rank),
            selected,
            contents: p.known.iter().map(|k| (*k).to_owned()).collect(),
            ignored_contents: p.unknown.iter().map(|k| (*k).to_owned()).collect(),
            amount_dong: if selected { requested } else { 0 },
            requested_dong: requested,
            budget_left_dong: o.left_after,
            round: o.round,
            reason_code: o.code,
            reason,
        });
    }
    for p in &ineligible {
        let mut more = Vec::new();
        add_ignored(p, &mut more);
        let reason = Msg::new("scheme-sel-ineligible").msgs("more", more, "");
        out.push(Selection {
            application_id: p.app.id,
            applicant: p.app.applicant.clone(),
            district: p.app.district.clone(),
            rank: None,
            selected: false,
            contents: p.known.iter().map(|k| (*k).to_owned()).collect(),
            ignored_contents: p.unknown.iter().map(|k| (*k).to_owned()).collect(),
            amount_dong: 0,
            requested_dong: p.amount.unwrap_or(i64::MAX),
            budget_left_dong: left,
            round: None,
            reason_code: ReasonCode::Ineligible,
            reason,
        });
    }
    out
}

/// Append the note on ignored content keys, if any.
fn add_ignored(p: &Prepared<'_>, more: &mut Vec<Msg>) {
    if !p.unknown.is_empty() {
        more.push(Msg::new("scheme-sel-ignored").text("list", &p.unknown.join(", ")));
    }
}

/// Total of the selected amounts, in đồng (saturating; never above the
/// budget for a result of [`rank_and_select`]).
pub fn selected_total(selections: &[Selection]) -> i64 {
    selections
        .iter()
        .filter(|s| s.selected)
        .fold(0i64, |sum, s| sum.saturating_add(s.amount_dong))
}

// ---------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------

/// One step of a scheme's timeline (the 2017 Hà Nội brand-building scheme has 9: from "Nhận hồ sơ đăng
/// ký hỗ trợ" in May 2017 to "Thanh quyết toán Chương trình" in December).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Position in the plan's table (TT), 1-based.
    pub order: u32,
    /// What is to be done.
    pub text: String,
    /// Lead unit (đơn vị chủ trì).
    pub lead: Option<String>,
    /// Coordinating units (đơn vị phối hợp), as the plan lists them.
    pub coordinating: Option<String>,
    /// First day of the step, when the plan gives one.
    pub start: Option<Date>,
    /// Last day on which the step is on time (inclusive).
    pub due: Option<Date>,
    /// Day it was done; `None` while not done.
    pub done_on: Option<Date>,
}

/// State of a step on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Done on or before its due date (or it has none).
    Done,
    /// Done after its due date.
    DoneLate,
    /// Not done, and not past its due date (or it has none).
    Open,
    /// Not done and past its due date.
    Late,
}

impl StepState {
    /// Stable code: `done`, `done_late`, `open`, `late`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::DoneLate => "done_late",
            Self::Open => "open",
            Self::Late => "late",
        }
    }

    /// Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Done => "Đã hoàn thành",
            Self::DoneLate => "Hoàn thành muộn",
            Self::Open => "Chưa hoàn thành",
            Self::Late => "Quá hạn",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Done => "Done",
            Self::DoneLate => "Done late",
            Self::Open => "Open",
            Self::Late => "Late",
        }
    }
}

/// Days past a deadline: for work done, how late it was done; for work not
/// done, how late it is `today`. `None` when on time (the due day itself is
/// on time).
fn days_late(due: Date, done_on: Option<Date>, today: Date) -> Option<i64> {
    let day = done_on.unwrap_or(today);
    let days = (day - due).whole_days();
    (days > 0).then_some(days)
}

/// The state of `step` on `today`.
pub fn step_state(step: &Step, today: Date) -> StepState {
    let late = step
        .due
        .and_then(|due| days_late(due, step.done_on, today))
        .is_some();
    match (step.done_on.is_some(), late) {
        (true, false) => StepState::Done,
        (true, true) => StepState::DoneLate,
        (false, false) => StepState::Open,
        (false, true) => StepState::Late,
    }
}

/// Days a contract's liquidation is overdue: `None` when liquidated by
/// `liquidate_by` (inclusive) or, not yet liquidated, when `today` is not
/// past it; otherwise the days from `liquidate_by` to the liquidation (or to
/// `today` while not liquidated). Seed 002: liquidation "trước ngày
/// 25/11/2017".
pub fn liquidation_overdue(
    liquidate_by: Date,
    liquidated_on: Option<Date>,
    today: Date,
) -> Option<i64> {
    days_late(liquidate_by, liquidated_on, today)
}

/// A step's time span as read from a plan's time column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First day, when the text gives a span of months.
    pub start: Option<Date>,
    /// Last day on which the step is on time (inclusive).
    pub due: Date,
}

fn last_day(year: i32, month: Month) -> Option<Date> {
    Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()
}

/// The unsigned integers in `s`, in order (at most a few: longer runs of
/// numbers make the text unrecognised anyway).
fn numbers(s: &str) -> Vec<i64> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<i64>().unwrap_or(i64::MAX))
        .collect()
}

/// Read the time column of a plan's timeline, as the 2017 Hà Nội brand-building scheme writes it:
///
/// - "Tháng 5 năm 2017", "Tháng 9/2017" → 1/5/2017–31/5/2017, 1/9–30/9;
/// - "Tháng 6 -7 năm 2017", "Tháng 10 - 11/2017" → 1/6–31/7, 1/10–30/11;
/// - "Trước ngày 10/8/2017", "Trước 30/8/2017", "Hoàn thành trước ngày
///   25/11/2017" → due 10/8/2017 (inclusive), no start.
///
/// `None` for anything else (the user then types the dates).
pub fn parse_period(text: &str) -> Option<Period> {
    let t = crate::text::fold_vi(text);
    let n = numbers(&t);
    let int = |v: i64| i32::try_from(v).ok();
    let month = |v: i64| u8::try_from(v).ok().and_then(|m| Month::try_from(m).ok());
    if t.contains("truoc") {
        if let [d, m, y] = n[..] {
            let day = u8::try_from(d).ok()?;
            let due = Date::from_calendar_date(int(y)?, month(m)?, day).ok()?;
            return Some(Period { start: None, due });
        }
        return None;
    }
    if t.starts_with("thang") {
        let (m1, m2, y) = match n[..] {
            [m, y] => (m, m, y),
            [m1, m2, y] => (m1, m2, y),
            _ => return None,
        };
        if m1 > m2 {
            return None;
        }
        let year = int(y)?;
        let start = Date::from_calendar_date(year, month(m1)?, 1).ok()?;
        let due = last_day(year, month(m2)?)?;
        return Some(Period {
            start: Some(start),
            due,
        });
    }
    None
}

// ---------------------------------------------------------------------------
// The life of an application
// ---------------------------------------------------------------------------

/// Where an application is: registered → forwarded → eligible / ineligible →
/// selected / not selected → contracted → accepted → liquidated → settled.
/// Stored as its [`AppState::as_str`] text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppState {
    Registered,
    Forwarded,
    Eligible,
    Ineligible,
    Selected,
    NotSelected,
    Contracted,
    Accepted,
    Liquidated,
    Settled,
}

impl AppState {
    pub const ALL: [AppState; 10] = [
        AppState::Registered,
        AppState::Forwarded,
        AppState::Eligible,
        AppState::Ineligible,
        AppState::Selected,
        AppState::NotSelected,
        AppState::Contracted,
        AppState::Accepted,
        AppState::Liquidated,
        AppState::Settled,
    ];

    /// The stored text: `registered`, `not_selected`…
    pub const fn as_str(self) -> &'static str {
        match self {
            AppState::Registered => "registered",
            AppState::Forwarded => "forwarded",
            AppState::Eligible => "eligible",
            AppState::Ineligible => "ineligible",
            AppState::Selected => "selected",
            AppState::NotSelected => "not_selected",
            AppState::Contracted => "contracted",
            AppState::Accepted => "accepted",
            AppState::Liquidated => "liquidated",
            AppState::Settled => "settled",
        }
    }

    pub fn parse(s: &str) -> Option<AppState> {
        AppState::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The states selected for support and every later one: what counts in
    /// the decision.
    pub const CHOSEN: [AppState; 5] = [
        AppState::Selected,
        AppState::Contracted,
        AppState::Accepted,
        AppState::Liquidated,
        AppState::Settled,
    ];

    /// Selected for support (and every later stage): it counts in the decision.
    pub fn is_chosen(self) -> bool {
        AppState::CHOSEN.contains(&self)
    }
}

/// What can happen to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum AppAction {
    /// The local unit forwards its registrations.
    Forward,
    /// The eligibility check, with its outcome.
    Check { eligible: bool },
    /// A selection run, with its outcome for this application.
    Select { selected: bool },
    /// The contract is signed.
    Contract,
    /// A monitoring visit.
    Visit,
    /// One content is accepted; `last` when it was the last one open.
    AcceptContent { last: bool },
    /// The contract is liquidated.
    Liquidate,
    /// The payment is made.
    Settle,
    /// A reviewer's verdict on a custom rule (the state does not change).
    Review,
}

impl AppAction {
    pub fn code(self) -> &'static str {
        match self {
            AppAction::Forward => "forward",
            AppAction::Check { .. } => "check",
            AppAction::Select { .. } => "select",
            AppAction::Contract => "contract",
            AppAction::Visit => "visit",
            AppAction::AcceptContent { .. } => "accept",
            AppAction::Liquidate => "liquidate",
            AppAction::Settle => "settle",
            AppAction::Review => "review",
        }
    }
}

/// An action the application's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} an application that is {}", .action.code(), .from.as_str())]
pub struct AppRefusal {
    pub from: AppState,
    pub action: AppAction,
}

impl AppRefusal {
    /// The message key that tells a person why (`app-not-selected`…).
    pub fn key(&self) -> &'static str {
        match self.action {
            AppAction::Forward => "app-not-registered",
            AppAction::Check { .. } => "app-not-forwarded",
            AppAction::Select { .. } => "app-not-checked",
            AppAction::Contract => "app-not-selected",
            AppAction::Visit | AppAction::AcceptContent { .. } => "app-not-contracted",
            AppAction::Liquidate => "app-not-accepted",
            AppAction::Settle => "app-not-liquidated",
            AppAction::Review => "app-not-checked",
        }
    }
}

/// The state an application moves to when `action` happens to it in state
/// `from`, or why it cannot. The store applies it to the row it has locked,
/// so two concurrent actions can never both move the same state.
pub fn app_transition(from: AppState, action: AppAction) -> Result<AppState, AppRefusal> {
    use AppState as S;
    let to = match (from, action) {
        (S::Registered, AppAction::Forward) => S::Forwarded,
        (S::Forwarded | S::Eligible | S::Ineligible, AppAction::Check { eligible }) => {
            if eligible {
                S::Eligible
            } else {
                S::Ineligible
            }
        }
        (S::Eligible | S::Selected | S::NotSelected, AppAction::Select { selected }) => {
            if selected {
                S::Selected
            } else {
                S::NotSelected
            }
        }
        (S::Selected, AppAction::Contract) => S::Contracted,
        (S::Contracted | S::Accepted, AppAction::Visit) => from,
        (S::Contracted, AppAction::AcceptContent { last }) => {
            if last {
                S::Accepted
            } else {
                S::Contracted
            }
        }
        (S::Accepted, AppAction::Liquidate) => S::Liquidated,
        (S::Liquidated, AppAction::Settle) => S::Settled,
        // A verdict can be recorded until the application is selected or not.
        (S::Registered | S::Forwarded | S::Eligible | S::Ineligible, AppAction::Review) => from,
        _ => return Err(AppRefusal { from, action }),
    };
    Ok(to)
}

impl std::str::FromStr for AppState {
    type Err = crate::workflow::UnknownText;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AppState::parse(s).ok_or_else(|| crate::workflow::UnknownText::new("application state", s))
    }
}

impl std::fmt::Display for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AppState {
    /// The stage in the documented order (registered 0 … settled 7); the two
    /// outcomes of a check, or of a selection, share their stage.
    pub fn stage(self) -> u8 {
        match self {
            AppState::Registered => 0,
            AppState::Forwarded => 1,
            AppState::Eligible | AppState::Ineligible => 2,
            AppState::Selected | AppState::NotSelected => 3,
            AppState::Contracted => 4,
            AppState::Accepted => 5,
            AppState::Liquidated => 6,
            AppState::Settled => 7,
        }
    }

    /// Not yet through the eligibility check (what a selection leaves out).
    pub fn is_unchecked(self) -> bool {
        matches!(self, AppState::Registered | AppState::Forwarded)
    }

    /// Contracted and not yet accepted in full (what can fall overdue for
    /// liquidation).
    pub fn is_under_contract(self) -> bool {
        matches!(self, AppState::Contracted | AppState::Accepted)
    }
}

/// What the rules of an action need to know besides the state, as the
/// person gave it or the store holds it. Parsing happens at the edge; a
/// field that could not be parsed is reported there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppFacts {
    /// The village representative is named (contract prerequisite in the 2017 Hà Nội brand-building scheme).
    pub representative: bool,
    /// The representative has legal status (contract prerequisite).
    pub legal_status: bool,
    /// The representative has a seal (contract prerequisite).
    pub has_seal: bool,
    /// The representative has a bank account (contract prerequisite).
    pub bank_account: bool,
    /// A contract number was given.
    pub contract_number: bool,
    /// A note was given (visits and reviews need one).
    pub note: bool,
    /// The custom eligibility rule a review names is one of the scheme's.
    pub review_rule_known: bool,
    /// A visit's progress in %, when given.
    pub progress_pct: Option<i64>,
    /// The contract's amount: the most a settlement pays.
    pub contract_dong: i64,
    /// The amount a settlement pays, when given (else the contract's).
    pub paid_dong: Option<i64>,
}

/// One input a rule refuses: the field and the message key saying why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRefusal {
    /// The input's name (`representative`, `amount`…).
    pub field: &'static str,
    /// The message key (`app-contract-requires`…).
    pub key: &'static str,
}

/// Why an action cannot happen: the state does not allow it (a conflict), or
/// what was given does not satisfy its rules (one entry per input). Message
/// keys only: the text is the catalogues'.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppTransitionError {
    #[error("{0}")]
    Refused(AppRefusal),
    #[error("invalid input: {}", .0.iter().map(|f| f.field).collect::<Vec<_>>().join(", "))]
    Invalid(Vec<FieldRefusal>),
}

/// The rules of `action` on an application in state `from` given `facts`:
/// the state it moves to, or why it cannot (the state first, then the
/// inputs: every failing input is listed, in the form's order).
pub fn transition(
    from: AppState,
    action: AppAction,
    facts: &AppFacts,
) -> Result<AppState, AppTransitionError> {
    let to = app_transition(from, action).map_err(AppTransitionError::Refused)?;
    let mut bad = vec![];
    let mut need = |ok: bool, field: &'static str, key: &'static str| {
        if !ok {
            bad.push(FieldRefusal { field, key });
        }
    };
    match action {
        AppAction::Contract => {
            // Seed 002: the village representative must have legal status, a
            // seal and an account before a contract is signed.
            need(
                facts.representative,
                "representative",
                "app-contract-requires",
            );
            need(facts.legal_status, "legal_status", "app-contract-requires");
            need(facts.has_seal, "has_seal", "app-contract-requires");
            need(facts.bank_account, "bank_account", "app-contract-requires");
            need(facts.contract_number, "number", "error-required");
        }
        AppAction::Visit => {
            let progress_ok = facts.progress_pct.is_none_or(|p| (0..=100).contains(&p));
            need(progress_ok, "progress", "error-number-plain");
            need(facts.note, "note", "error-required");
        }
        AppAction::Settle => {
            let paid = facts.paid_dong.unwrap_or(facts.contract_dong);
            let in_range = facts.paid_dong.is_none() || (paid > 0 && paid <= facts.contract_dong);
            need(in_range, "amount", "app-amount-range");
        }
        // One verdict at a time: a rule of the scheme first, then its note.
        AppAction::Review => {
            if !facts.review_rule_known {
                need(false, "rule", "error-choice");
            } else {
                need(facts.note, "note", "error-required");
            }
        }
        AppAction::Forward
        | AppAction::Check { .. }
        | AppAction::Select { .. }
        | AppAction::AcceptContent { .. }
        | AppAction::Liquidate => {}
    }
    if bad.is_empty() {
        Ok(to)
    } else {
        Err(AppTransitionError::Invalid(bad))
    }
}

// ---------------------------------------------------------------------------
// The life of a scheme
// ---------------------------------------------------------------------------

crate::workflow::stored_text_enum! {
    /// Where a scheme is: registration → selection → decided → execution →
    /// closed. Registration takes applications; the first selection run moves
    /// it to selection; the decision (a legal document) fixes the list.
    /// Execution and closed are recorded as such (seeded histories).
    pub enum SchemeStatus ("scheme status") {
        Registration => "registration",
        Selection => "selection",
        Decided => "decided",
        Execution => "execution",
        Closed => "closed",
    }
}

impl SchemeStatus {
    /// The list of selected applications is fixed by a decision.
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            SchemeStatus::Decided | SchemeStatus::Execution | SchemeStatus::Closed
        )
    }
}

/// What can happen to a scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemeAction {
    /// An application is registered (the status does not change).
    Register,
    /// A selection run.
    Select,
    /// The decision: `linked` when a decision document is linked already,
    /// `selected` the number of applications selected.
    Decide { linked: bool, selected: i64 },
}

/// Why a scheme refuses an action (each has its message key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SchemeRefusal {
    #[error("the scheme no longer takes registrations")]
    ClosedForRegistration,
    #[error("the list is decided already")]
    AlreadyDecided,
    #[error("nothing is selected")]
    NothingSelected,
}

impl SchemeRefusal {
    /// The message key that tells a person why.
    pub fn key(self) -> &'static str {
        match self {
            SchemeRefusal::ClosedForRegistration => "scheme-closed-for-registration",
            SchemeRefusal::AlreadyDecided => "scheme-already-decided",
            SchemeRefusal::NothingSelected => "scheme-nothing-selected",
        }
    }
}

/// The status a scheme moves to when `action` happens to it, or why not.
pub fn scheme_transition(
    from: SchemeStatus,
    action: SchemeAction,
) -> Result<SchemeStatus, SchemeRefusal> {
    use SchemeStatus as S;
    match action {
        SchemeAction::Register if from == S::Registration => Ok(from),
        SchemeAction::Register => Err(SchemeRefusal::ClosedForRegistration),
        SchemeAction::Select if from.is_decided() => Err(SchemeRefusal::AlreadyDecided),
        SchemeAction::Select => Ok(S::Selection),
        SchemeAction::Decide { linked, .. } if linked || from.is_decided() => {
            Err(SchemeRefusal::AlreadyDecided)
        }
        SchemeAction::Decide { selected, .. } if selected <= 0 => {
            Err(SchemeRefusal::NothingSelected)
        }
        SchemeAction::Decide { .. } => Ok(S::Decided),
    }
}

/// The one-line reason of an eligibility check, as stored with the
/// application: the failures when ineligible, every result when eligible.
pub fn eligibility_summary(e: &Eligibility) -> Msg {
    let items = e
        .results
        .iter()
        .filter(|r| !r.passed || e.eligible)
        .map(|r| r.reason.clone())
        .collect();
    Msg::new("scheme-elig-summary").msgs("list", items, "; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vnfmt::{format_date, format_date_en, format_int, format_int_en, format_money_dong};
    use time::macros::date;

    const VI_FTL: &str = include_str!("../../web/locales/vi/main.ftl");
    const EN_FTL: &str = include_str!("../../web/locales/en/main.ftl");

    /// A message as the catalogue writes it (the plain subset these
    /// messages use: `{ $arg }` and `{ "literal" }`), so the texts the
    /// rules always gave stay asserted word for word.
    fn render(ftl: &str, en: bool, m: &Msg) -> String {
        let prefix = format!("{} = ", m.key);
        let Some(line) = ftl.lines().find(|l| l.starts_with(&prefix)) else {
            return m.key.clone();
        };
        let mut src = &line[prefix.len()..];
        let mut out = String::new();
        while let Some(open) = src.find('{') {
            out.push_str(&src[..open]);
            let close = src[open..].find('}').map_or(src.len(), |c| open + c);
            let inner = src[open + 1..close].trim();
            if let Some(name) = inner.strip_prefix('$') {
                out.push_str(
                    &m.args
                        .get(name)
                        .map(|a| arg(ftl, en, a))
                        .unwrap_or_default(),
                );
            } else {
                out.push_str(inner.trim_matches('"'));
            }
            src = src.get(close + 1..).unwrap_or("");
        }
        out.push_str(src);
        out
    }

    fn arg(ftl: &str, en: bool, a: &Arg) -> String {
        match (a, en) {
            (Arg::Text(t), _) => t.clone(),
            (Arg::Int(n), false) => format_int(*n),
            (Arg::Int(n), true) => format_int_en(*n),
            (Arg::Money(n), false) => format_money_dong(*n),
            (Arg::Money(n), true) => format!("{} VND", format_int_en(*n)),
            (Arg::Date(d), false) => format_date(*d),
            (Arg::Date(d), true) => format_date_en(*d),
            (Arg::Msgs { items, sep }, _) => items
                .iter()
                .map(|m| render(ftl, en, m))
                .collect::<Vec<_>>()
                .join(sep),
        }
    }

    fn vi(m: &Msg) -> String {
        render(VI_FTL, false, m)
    }

    fn en(m: &Msg) -> String {
        render(EN_FTL, true, m)
    }

    // ---- eligibility ------------------------------------------------------

    fn recognised() -> Facts {
        Facts {
            recognised_by: Some("Quyết định số 4892/QĐ-UBND ngày 29/9/2015".to_owned()),
            registered_through_unit: true,
            legal_status: true,
            seal: true,
            bank_account: true,
            reviewer: vec![],
        }
    }

    fn seed_002_conditions() -> Vec<EligibilityRule> {
        vec![
            EligibilityRule::VillageRecognised,
            EligibilityRule::RegisteredThroughUnit,
        ]
    }

    #[test]
    fn recognised_village_through_district_is_eligible_with_evidence() {
        let e = check_eligibility(&seed_002_conditions(), &recognised());
        assert!(e.eligible);
        assert_eq!(e.results[0].reason.key, "scheme-elig-recognised");
        assert_eq!(
            e.results[0].reason.args.get("decision"),
            Some(&Arg::Text(
                "Quyết định số 4892/QĐ-UBND ngày 29/9/2015".to_owned()
            ))
        );
        assert_eq!(
            vi(&eligibility_summary(&e)),
            "Làng nghề đã được công nhận (Quyết định số 4892/QĐ-UBND ngày 29/9/2015); \
             Đăng ký qua UBND cấp huyện/xã"
        );
        assert_eq!(
            vi(&e.results[0].reason),
            "Làng nghề đã được công nhận (Quyết định số 4892/QĐ-UBND ngày 29/9/2015)"
        );
        assert_eq!(
            en(&e.results[0].reason),
            "Recognised craft village (Quyết định số 4892/QĐ-UBND ngày 29/9/2015)"
        );
        assert_eq!(vi(&e.results[1].reason), "Đăng ký qua UBND cấp huyện/xã");
        assert_eq!(e.failures().count(), 0);
    }

    #[test]
    fn unrecognised_or_not_forwarded_is_ineligible_with_every_reason() {
        let facts = Facts {
            recognised_by: Some("   ".to_owned()),
            registered_through_unit: false,
            ..recognised()
        };
        let e = check_eligibility(&seed_002_conditions(), &facts);
        assert!(!e.eligible);
        let reasons: Vec<String> = e.failures().map(|r| vi(&r.reason)).collect();
        assert_eq!(
            reasons,
            [
                "Chưa được công nhận làng nghề",
                "Không đăng ký qua UBND cấp huyện/xã"
            ]
        );
        let facts = Facts {
            recognised_by: None,
            ..recognised()
        };
        let e = check_eligibility(&seed_002_conditions(), &facts);
        assert_eq!(
            en(&e.results[0].reason),
            "Not recognised as a craft village"
        );
    }

    #[test]
    fn legal_status_names_what_is_missing() {
        let rules = [EligibilityRule::HasLegalStatus];
        let e = check_eligibility(&rules, &recognised());
        assert!(e.eligible);
        let e = check_eligibility(
            &rules,
            &Facts {
                seal: false,
                ..recognised()
            },
        );
        assert!(!e.eligible);
        assert_eq!(vi(&e.results[0].reason), "Thiếu con dấu");
        assert_eq!(en(&e.results[0].reason), "Lacks a seal");
        let e = check_eligibility(
            &rules,
            &Facts {
                legal_status: false,
                bank_account: false,
                ..recognised()
            },
        );
        assert_eq!(
            vi(&e.results[0].reason),
            "Thiếu tư cách pháp nhân, tài khoản riêng"
        );
    }

    #[test]
    fn custom_rule_takes_the_latest_reviewer_decision_and_its_note() {
        let rule = EligibilityRule::Custom {
            key: "ho_so".to_owned(),
            label: "Hồ sơ đầy đủ".to_owned(),
        };
        let rules = [rule.clone()];
        let e = check_eligibility(&rules, &recognised());
        assert!(!e.eligible);
        assert_eq!(
            vi(&e.results[0].reason),
            "Hồ sơ đầy đủ: chưa có ý kiến người thẩm định"
        );
        let mut facts = recognised();
        facts.reviewer.push(ReviewerVerdict {
            key: "ho_so".to_owned(),
            passed: false,
            note: "thiếu bản sao quyết định".to_owned(),
        });
        facts.reviewer.push(ReviewerVerdict {
            key: "ho_so".to_owned(),
            passed: true,
            note: "đã bổ sung ngày 20/5/2017".to_owned(),
        });
        let e = check_eligibility(&rules, &facts);
        assert!(e.eligible);
        assert_eq!(e.results[0].rule, rule);
        assert_eq!(
            vi(&e.results[0].reason),
            "Hồ sơ đầy đủ: đạt — Người thẩm định: đã bổ sung ngày 20/5/2017"
        );
        assert_eq!(
            en(&e.results[0].reason),
            "Hồ sơ đầy đủ: met — Reviewer: đã bổ sung ngày 20/5/2017"
        );
    }

    #[test]
    fn no_rules_means_eligible() {
        let e = check_eligibility(&[], &Facts::default());
        assert!(e.eligible);
        assert!(e.results.is_empty());
        assert_eq!(EligibilityRule::HasLegalStatus.code(), "has_legal_status");
        assert_eq!(
            EligibilityRule::VillageRecognised.label_vi(),
            "Làng nghề đã được công nhận"
        );
    }

    // ---- ranking and selection: the 2017 Hà Nội brand-building scheme -----------------------------------

    // SAMPLE unit costs: the 2017 Hà Nội brand-building scheme gives only the total (3.000.000.000 đồng),
    // not a cost per content. These are made up for the tests.
    const SAMPLE_TRAINING: i64 = 60_000_000;
    const SAMPLE_IDENTITY: i64 = 120_000_000;
    const SAMPLE_STRATEGY: i64 = 100_000_000;
    /// Seed 002, II.7: "Tổng dự toán kinh phí năm 2017: 3.000.000.000 đồng".
    const SEED_002_BUDGET: i64 = 3_000_000_000;

    fn seed_002_contents() -> Vec<Content> {
        vec![
            Content {
                key: "dao_tao".to_owned(),
                name:
                    "Đào tạo, tập huấn kiến thức về xây dựng và quảng bá thương hiệu (3 ngày/làng)"
                        .to_owned(),
                unit_cost_dong: SAMPLE_TRAINING,
            },
            Content {
                key: "nhan_dien".to_owned(),
                name: "Đặt tên thương hiệu, thiết kế lô gô và hệ thống nhận diện thương hiệu"
                    .to_owned(),
                unit_cost_dong: SAMPLE_IDENTITY,
            },
            Content {
                key: "chien_luoc".to_owned(),
                name: "Tư vấn chiến lược xây dựng và phát triển thương hiệu".to_owned(),
                unit_cost_dong: SAMPLE_STRATEGY,
            },
        ]
    }

    /// Seed 002, II.4, in order: registered in 2014, 2015, 2016; all three
    /// contents; (fair share is the `FairShare` argument); then earlier
    /// registration.
    fn seed_002_priorities() -> Vec<PriorityRule> {
        vec![
            PriorityRule::RegisteredIn {
                years: vec![2014, 2015, 2016],
            },
            PriorityRule::AllContents,
            PriorityRule::EarlierRegistration,
        ]
    }

    const ALL: &[&str] = &["dao_tao", "nhan_dien", "chien_luoc"];

    fn app(
        id: i64,
        applicant: &str,
        district: &str,
        contents: &[&str],
        registered_on: Date,
        earlier_years: &[i32],
    ) -> Application {
        Application {
            id,
            applicant: applicant.to_owned(),
            district: district.to_owned(),
            contents: contents.iter().map(|s| (*s).to_owned()).collect(),
            registered_on,
            earlier_years: earlier_years.to_vec(),
            eligible: true,
        }
    }

    #[test]
    fn seed_002_priority_order() {
        // SAMPLE registrations (villages are real names, data is not).
        let apps = vec![
            app(
                1,
                "Làng nghề A (không đăng ký trước, 2 nội dung)",
                "gia_lam",
                &["dao_tao", "chien_luoc"],
                date!(2017 - 05 - 02),
                &[],
            ),
            app(
                2,
                "Làng nghề B (không đăng ký trước, đủ 3 nội dung, muộn)",
                "gia_lam",
                ALL,
                date!(2017 - 05 - 20),
                &[],
            ),
            app(
                3,
                "Làng nghề C (không đăng ký trước, đủ 3 nội dung, sớm)",
                "hoai_duc",
                ALL,
                date!(2017 - 05 - 10),
                &[],
            ),
            app(
                4,
                "Làng nghề D (đăng ký 2016, 1 nội dung)",
                "hoai_duc",
                &["dao_tao"],
                date!(2017 - 05 - 25),
                &[2016],
            ),
            app(
                5,
                "Làng nghề E (đăng ký 2014, 2015, 2016)",
                "ung_hoa",
                &["nhan_dien"],
                date!(2017 - 05 - 30),
                &[2014, 2015, 2016],
            ),
            app(
                6,
                "Làng nghề F (đăng ký 2014)",
                "ung_hoa",
                ALL,
                date!(2017 - 05 - 30),
                &[2014, 2013],
            ),
            app(
                7,
                "Làng nghề G (đăng ký 2013: không tính)",
                "ung_hoa",
                ALL,
                date!(2017 - 05 - 01),
                &[2013],
            ),
        ];
        let s = rank_and_select(
            &seed_002_contents(),
            &seed_002_priorities(),
            FairShare::None,
            SEED_002_BUDGET,
            &apps,
        );
        let order: Vec<i64> = s.iter().map(|x| x.application_id).collect();
        // E: 3 matching years; F: 2014 (earlier than D's 2016); D: 2016;
        // then no earlier year: all three contents (G earliest, C, B), then A.
        assert_eq!(order, [5, 6, 4, 7, 3, 2, 1]);
        assert_eq!(s[0].rank, Some(1));
        assert!(
            vi(&s[0].reason).contains(
                "ưu tiên: đã đăng ký năm 2014, 2015, 2016; 1/3 nội dung; đăng ký ngày 30/5/2017"
            ),
            "{}",
            vi(&s[0].reason)
        );
        assert!(
            vi(&s[3].reason).contains("chưa đăng ký năm 2014, 2015, 2016; đủ 3/3 nội dung"),
            "{}",
            vi(&s[3].reason)
        );
        assert!(
            en(&s[3].reason).contains(
                "not registered in 2014, 2015, 2016; all 3 of 3 contents; registered on 1 May 2017"
            ),
            "{}",
            en(&s[3].reason)
        );
        assert!(s.iter().all(|x| x.selected));
    }

    #[test]
    fn seed_002_budget_refuses_one_then_selects_a_cheaper_one() {
        // 10 villages applying for all three contents at the SAMPLE costs
        // (280.000.000 đồng each: the 2017 Hà Nội brand-building scheme expects "10 làng"), an 11th that
        // does not fit, and a 12th, cheaper, that does.
        let full = SAMPLE_TRAINING + SAMPLE_IDENTITY + SAMPLE_STRATEGY;
        assert_eq!(full, 280_000_000);
        let mut apps: Vec<Application> = (1..=10)
            .map(|i| {
                app(
                    i,
                    &format!("Làng nghề mẫu {i}"),
                    if i % 2 == 0 { "gia_lam" } else { "chuong_my" },
                    ALL,
                    date!(2017 - 05 - 01),
                    &[2016],
                )
            })
            .collect();
        apps.push(app(
            11,
            "Làng nghề Phú Vinh (mẫu)",
            "chuong_my",
            ALL,
            date!(2017 - 05 - 15),
            &[],
        ));
        apps.push(app(
            12,
            "Làng nghề Chuyên Mỹ (mẫu)",
            "phu_xuyen",
            &["dao_tao", "chien_luoc"],
            date!(2017 - 05 - 16),
            &[],
        ));
        let s = rank_and_select(
            &seed_002_contents(),
            &seed_002_priorities(),
            FairShare::None,
            SEED_002_BUDGET,
            &apps,
        );
        assert_eq!(s.iter().filter(|x| x.selected).count(), 11);
        let refused = &s[10];
        assert_eq!(refused.application_id, 11);
        assert_eq!(refused.rank, Some(11));
        assert!(!refused.selected);
        assert_eq!(refused.reason_code, ReasonCode::OverBudget);
        assert_eq!(refused.reason.key, "scheme-sel-over-budget");
        assert_eq!(refused.reason.args.get("rank"), Some(&Arg::Int(11)));
        assert_eq!(
            refused.reason.args.get("left"),
            Some(&Arg::Money(200_000_000))
        );
        assert_eq!(refused.amount_dong, 0);
        assert_eq!(refused.requested_dong, 280_000_000);
        assert_eq!(refused.budget_left_dong, 200_000_000);
        assert_eq!(
            vi(&refused.reason),
            "Xếp hạng 11: không đủ kinh phí (còn 200.000.000 đồng, cần 280.000.000 đồng) \
             — ưu tiên: chưa đăng ký năm 2014, 2015, 2016; đủ 3/3 nội dung; đăng ký ngày 15/5/2017"
        );
        assert!(en(&refused.reason).starts_with(
            "Rank 11: not enough budget (200,000,000 VND left, 280,000,000 VND needed)"
        ));
        let cheaper = &s[11];
        assert_eq!(cheaper.application_id, 12);
        assert!(cheaper.selected);
        assert_eq!(cheaper.amount_dong, 160_000_000);
        assert_eq!(cheaper.contents, ["dao_tao", "chien_luoc"]);
        assert_eq!(cheaper.budget_left_dong, 40_000_000);
        assert!(vi(&cheaper.reason)
            .starts_with("Xếp hạng 12: được chọn, 160.000.000 đồng (còn lại 40.000.000 đồng)"));
        assert_eq!(selected_total(&s), 2_960_000_000);
        assert!(selected_total(&s) <= SEED_002_BUDGET);
    }

    #[test]
    fn round_robin_alternates_districts_by_their_best_rank() {
        // Gia Lâm has the three best-ranked villages; round robin still
        // gives Hoài Đức its turn. Budget for 3 full applications.
        let apps = vec![
            app(1, "GL1", "gia_lam", ALL, date!(2017 - 05 - 01), &[2016]),
            app(2, "GL2", "gia_lam", ALL, date!(2017 - 05 - 02), &[2016]),
            app(3, "GL3", "gia_lam", ALL, date!(2017 - 05 - 03), &[2016]),
            app(4, "HD1", "hoai_duc", ALL, date!(2017 - 05 - 04), &[]),
            app(5, "HD2", "hoai_duc", ALL, date!(2017 - 05 - 05), &[]),
        ];
        let budget = 3 * 280_000_000;
        let none = rank_and_select(
            &seed_002_contents(),
            &seed_002_priorities(),
            FairShare::None,
            budget,
            &apps,
        );
        let sel = |s: &[Selection]| {
            s.iter()
                .filter(|x| x.selected)
                .map(|x| x.application_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(sel(&none), [1, 2, 3]);
        let rr = rank_and_select(
            &seed_002_contents(),
            &seed_002_priorities(),
            FairShare::RoundRobin,
            budget,
            &apps,
        );
        assert_eq!(sel(&rr), [1, 2, 4]);
        let gl3 = rr
            .iter()
            .find(|x| x.application_id == 3)
            .map(|x| vi(&x.reason))
            .unwrap_or_default();
        assert!(
            gl3.starts_with(
                "Xếp hạng 3: không đủ kinh phí (vòng 3) (còn 0 đồng, cần 280.000.000 đồng)"
            ),
            "{gl3}"
        );
        let hd1 = rr
            .iter()
            .find(|x| x.application_id == 4)
            .map(|x| (x.round, vi(&x.reason)));
        assert_eq!(hd1.as_ref().map(|h| h.0), Some(Some(1)));
        assert!(hd1.is_some_and(|h| h.1.starts_with("Xếp hạng 4: được chọn (vòng 1)")));
        let capped = rank_and_select(
            &seed_002_contents(),
            &seed_002_priorities(),
            FairShare::CapPerDistrict { max: 2 },
            budget,
            &apps,
        );
        assert_eq!(sel(&capped), [1, 2, 4]);
        assert_eq!(capped[2].reason_code, ReasonCode::DistrictCap);
        assert_eq!(
            vi(&capped[2].reason).split(" — ").next(),
            Some("Xếp hạng 3: gia_lam đã đủ 2 đơn vị được chọn (tối đa 2 mỗi quận, huyện)")
        );
    }

    #[test]
    fn ineligible_come_last_without_rank() {
        let mut a = app(
            1,
            "Không đủ điều kiện",
            "gia_lam",
            ALL,
            date!(2017 - 05 - 01),
            &[2014],
        );
        a.eligible = false;
        let b = app(
            2,
            "Đủ điều kiện",
            "gia_lam",
            &["dao_tao"],
            date!(2017 - 05 - 09),
            &[],
        );
        let s = rank_and_select(
            &seed_002_contents(),
            &seed_002_priorities(),
            FairShare::None,
            SEED_002_BUDGET,
            &[a, b],
        );
        assert_eq!(s[0].application_id, 2);
        assert_eq!(s[0].rank, Some(1));
        assert_eq!(s[1].rank, None);
        assert!(!s[1].selected);
        assert_eq!(s[1].reason_code, ReasonCode::Ineligible);
        assert_eq!(vi(&s[1].reason), "Không đủ điều kiện hỗ trợ");
        assert_eq!(s[1].budget_left_dong, SEED_002_BUDGET - SAMPLE_TRAINING);
    }

    #[test]
    fn unknown_and_repeated_content_keys() {
        let a = app(
            1,
            "X",
            "d",
            &["dao_tao", "dao_tao", "quang_cao", "nhan_dien"],
            date!(2017 - 05 - 01),
            &[],
        );
        let s = rank_and_select(
            &seed_002_contents(),
            &[PriorityRule::AllContents],
            FairShare::None,
            SEED_002_BUDGET,
            &[a],
        );
        assert_eq!(s[0].requested_dong, SAMPLE_TRAINING + SAMPLE_IDENTITY);
        assert_eq!(s[0].contents, ["dao_tao", "nhan_dien"]);
        assert_eq!(s[0].ignored_contents, ["quang_cao"]);
        assert!(
            vi(&s[0].reason).ends_with(
                "ưu tiên: 2/3 nội dung; bỏ qua nội dung không có trong kế hoạch: quang_cao"
            ),
            "{}",
            vi(&s[0].reason)
        );
        let b = app(2, "Y", "d", &["quang_cao"], date!(2017 - 05 - 01), &[]);
        let s = rank_and_select(
            &seed_002_contents(),
            &[],
            FairShare::None,
            SEED_002_BUDGET,
            &[b],
        );
        assert_eq!(s[0].reason_code, ReasonCode::NoContents);
        assert!(!s[0].selected);
        assert_eq!(
            vi(&s[0].reason),
            "Xếp hạng 1: không đăng ký nội dung hỗ trợ nào của kế hoạch; bỏ qua nội dung không có trong kế hoạch: quang_cao"
        );
    }

    #[test]
    fn negative_costs_budget_and_overflow_are_handled() {
        let contents = vec![
            Content {
                key: "a".into(),
                name: "A".into(),
                unit_cost_dong: -5,
            },
            Content {
                key: "b".into(),
                name: "B".into(),
                unit_cost_dong: i64::MAX,
            },
            Content {
                key: "c".into(),
                name: "C".into(),
                unit_cost_dong: i64::MAX,
            },
            Content {
                key: "a".into(),
                name: "A again".into(),
                unit_cost_dong: 99,
            },
        ];
        let apps = vec![
            app(1, "free", "d", &["a"], date!(2017 - 05 - 01), &[]),
            app(2, "overflow", "d", &["b", "c"], date!(2017 - 05 - 01), &[]),
            app(3, "max", "d", &["b"], date!(2017 - 05 - 01), &[]),
        ];
        let s = rank_and_select(&contents, &[], FairShare::None, -10, &apps);
        assert_eq!(
            (s[0].selected, s[0].requested_dong, s[0].budget_left_dong),
            (true, 0, 0)
        );
        assert_eq!(s[1].reason_code, ReasonCode::AmountOverflow);
        assert_eq!(s[1].requested_dong, i64::MAX);
        assert_eq!(s[2].reason_code, ReasonCode::OverBudget);
        let s = rank_and_select(&contents, &[], FairShare::None, i64::MAX, &apps);
        assert!(s[2].selected);
        assert_eq!(s[2].budget_left_dong, 0);
        assert_eq!(selected_total(&s), i64::MAX);
        assert!(rank_and_select(&contents, &[], FairShare::RoundRobin, 0, &[]).is_empty());
    }

    // ---- timeline -----------------------------------------------------------

    #[test]
    fn seed_002_time_column_is_read() {
        // Seed 002, II.6, the "Thời gian thực hiện" column of the 9 steps.
        let cases: [(&str, Option<Date>, Date); 9] = [
            (
                "Tháng 5 năm 2017",
                Some(date!(2017 - 05 - 01)),
                date!(2017 - 05 - 31),
            ),
            (
                "Tháng 6 -7 năm 2017",
                Some(date!(2017 - 06 - 01)),
                date!(2017 - 07 - 31),
            ),
            (
                "Tháng 7 năm 2017",
                Some(date!(2017 - 07 - 01)),
                date!(2017 - 07 - 31),
            ),
            ("Trước ngày 10/8/2017", None, date!(2017 - 08 - 10)),
            ("Trước 30/8/2017", None, date!(2017 - 08 - 30)),
            (
                "Tháng 9/2017",
                Some(date!(2017 - 09 - 01)),
                date!(2017 - 09 - 30),
            ),
            (
                "Tháng 10 - 11/2017",
                Some(date!(2017 - 10 - 01)),
                date!(2017 - 11 - 30),
            ),
            (
                "Hoàn thành trước ngày 25/11/2017",
                None,
                date!(2017 - 11 - 25),
            ),
            (
                "Tháng 12 năm 2017",
                Some(date!(2017 - 12 - 01)),
                date!(2017 - 12 - 31),
            ),
        ];
        for (text, start, due) in cases {
            assert_eq!(parse_period(text), Some(Period { start, due }), "{text}");
        }
        for bad in [
            "",
            "Quý III",
            "Tháng 13 năm 2017",
            "Tháng 7 - 6/2017",
            "Trước ngày 31/2/2017",
            "Tháng 99999999999999999999 năm 2017",
        ] {
            assert_eq!(parse_period(bad), None, "{bad}");
        }
    }

    #[test]
    fn step_states() {
        // Seed 002, step 4.
        let mut step = Step {
            order: 4,
            text: "Tổ chức họp liên ngành … thống nhất lựa chọn danh sách các làng nghề".to_owned(),
            lead: Some("Sở Công Thương".to_owned()),
            coordinating: Some(
                "Sở Tài chính; Trung tâm Xúc tiến Đầu tư, Thương mại, Du lịch Thành phố".to_owned(),
            ),
            start: None,
            due: Some(date!(2017 - 08 - 10)),
            done_on: None,
        };
        assert_eq!(step_state(&step, date!(2017 - 08 - 10)), StepState::Open);
        assert_eq!(step_state(&step, date!(2017 - 08 - 11)), StepState::Late);
        step.done_on = Some(date!(2017 - 08 - 09));
        assert_eq!(step_state(&step, date!(2017 - 12 - 01)), StepState::Done);
        step.done_on = Some(date!(2017 - 08 - 14));
        let s = step_state(&step, date!(2017 - 12 - 01));
        assert_eq!(
            (s, s.code(), s.label_vi(), s.label_en()),
            (
                StepState::DoneLate,
                "done_late",
                "Hoàn thành muộn",
                "Done late"
            )
        );
        step.due = None;
        step.done_on = None;
        assert_eq!(step_state(&step, date!(2030 - 01 - 01)), StepState::Open);
        assert_eq!(StepState::Late.label_vi(), "Quá hạn");
    }

    #[test]
    fn liquidation_before_25_november() {
        let by = date!(2017 - 11 - 25);
        assert_eq!(liquidation_overdue(by, None, date!(2017 - 11 - 25)), None);
        assert_eq!(
            liquidation_overdue(by, None, date!(2017 - 11 - 28)),
            Some(3)
        );
        assert_eq!(
            liquidation_overdue(by, Some(date!(2017 - 11 - 20)), date!(2017 - 12 - 30)),
            None
        );
        assert_eq!(
            liquidation_overdue(by, Some(date!(2017 - 12 - 01)), date!(2018 - 01 - 30)),
            Some(6)
        );
    }

    #[test]
    fn ten_thousand_applications() {
        let apps = many(10_000);
        let start = std::time::Instant::now();
        let s = rank_and_select(
            &seed_002_contents(),
            &seed_002_priorities(),
            FairShare::RoundRobin,
            SEED_002_BUDGET * 100,
            &apps,
        );
        let took = start.elapsed();
        eprintln!("rank_and_select, 10.000 applications, round robin: {took:?}");
        assert_eq!(s.len(), 10_000);
        assert!(selected_total(&s) <= SEED_002_BUDGET * 100);
    }

    /// Deterministic pseudo-random applications (SAMPLE data).
    fn many(n: i64) -> Vec<Application> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..n)
            .map(|i| {
                let r = next();
                let contents: Vec<&str> = ALL
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| (r >> k) & 1 == 1)
                    .map(|(_, c)| *c)
                    .collect();
                let years: Vec<i32> = (2014..=2016)
                    .filter(|y| (r >> (8 + y - 2014)) & 1 == 1)
                    .collect();
                let day = date!(2017 - 05 - 01)
                    .checked_add(time::Duration::days((r >> 16) as i64 % 31))
                    .unwrap_or(date!(2017 - 05 - 01));
                let mut a = app(
                    i,
                    &format!("Làng {i}"),
                    &format!("d{}", (r >> 24) % 30),
                    &contents,
                    day,
                    &years,
                );
                a.eligible = (r >> 32) % 10 != 0;
                a
            })
            .collect()
    }

    // ---- properties -----------------------------------------------------------

    mod props {
        use super::*;
        use proptest::prelude::*;

        // Case count: 256 per property (proptest's default, set explicitly
        // so the number is visible: 8 properties × 256 cases).
        const CASES: u32 = 256;

        fn contents() -> Vec<Content> {
            vec![
                Content {
                    key: "a".into(),
                    name: "A".into(),
                    unit_cost_dong: 100,
                },
                Content {
                    key: "b".into(),
                    name: "B".into(),
                    unit_cost_dong: 250,
                },
                Content {
                    key: "c".into(),
                    name: "C".into(),
                    unit_cost_dong: 0,
                },
                Content {
                    key: "d".into(),
                    name: "D".into(),
                    unit_cost_dong: -40,
                },
                Content {
                    key: "e".into(),
                    name: "E".into(),
                    unit_cost_dong: 700,
                },
            ]
        }

        fn arb_contents() -> impl Strategy<Value = Vec<Content>> {
            prop_oneof![
                4 => Just(contents()),
                1 => proptest::collection::vec(
                    (prop::sample::select(vec!["a", "b", "c", "e"]), prop_oneof![3 => -50i64..1_000, 1 => Just(i64::MAX / 2), 1 => Just(i64::MAX)]),
                    0..5,
                ).prop_map(|v| v.into_iter().map(|(k, c)| Content { key: k.into(), name: k.into(), unit_cost_dong: c }).collect()),
            ]
        }

        fn arb_app() -> impl Strategy<Value = Application> {
            (
                0i64..40,
                prop::sample::select(vec!["d1", "d2", "d3", "d4"]),
                proptest::collection::vec(
                    prop::sample::select(vec!["a", "b", "c", "d", "e", "x"]),
                    0..5,
                ),
                0i64..60,
                proptest::collection::vec(2012i32..2018, 0..4),
                prop::bool::weighted(0.8),
            )
                .prop_map(|(id, d, cs, day, years, eligible)| Application {
                    id,
                    applicant: format!("LN {id}"),
                    district: d.to_owned(),
                    contents: cs.into_iter().map(str::to_owned).collect(),
                    registered_on: date!(2017 - 05 - 01)
                        .checked_add(time::Duration::days(day))
                        .unwrap_or(date!(2017 - 05 - 01)),
                    earlier_years: years,
                    eligible,
                })
        }

        fn arb_rules() -> impl Strategy<Value = Vec<PriorityRule>> {
            proptest::collection::vec(
                prop_oneof![
                    Just(PriorityRule::AllContents),
                    Just(PriorityRule::EarlierRegistration),
                    proptest::collection::vec(2012i32..2018, 0..4)
                        .prop_map(|years| PriorityRule::RegisteredIn { years }),
                ],
                0..4,
            )
        }

        fn arb_fair() -> impl Strategy<Value = FairShare> {
            prop_oneof![
                Just(FairShare::None),
                Just(FairShare::RoundRobin),
                (0usize..4).prop_map(|max| FairShare::CapPerDistrict { max }),
            ]
        }

        fn arb_budget() -> impl Strategy<Value = i64> {
            prop_oneof![4 => -100i64..4_000, 1 => Just(i64::MAX), 1 => Just(0i64)]
        }

        type Case = (
            Vec<Content>,
            Vec<PriorityRule>,
            FairShare,
            i64,
            Vec<Application>,
        );

        fn arb_case() -> impl Strategy<Value = Case> {
            (
                arb_contents(),
                arb_rules(),
                arb_fair(),
                arb_budget(),
                proptest::collection::vec(arb_app(), 0..30),
            )
        }

        fn run(c: &Case) -> Vec<Selection> {
            rank_and_select(&c.0, &c.1, c.2, c.3, &c.4)
        }

        /// Position of each selection in consideration order is not
        /// recorded; the budget left before an outcome is derived instead.
        fn left_before(s: &Selection) -> i64 {
            s.budget_left_dong + s.amount_dong
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(CASES))]

            /// (1) Never over budget; amounts consistent.
            #[test]
            fn never_over_budget(c in arb_case()) {
                let s = run(&c);
                let mut sum: i128 = 0;
                for x in &s {
                    prop_assert!(x.amount_dong >= 0 && x.budget_left_dong >= 0);
                    prop_assert_eq!(x.amount_dong, if x.selected { x.requested_dong } else { 0 });
                    sum += i128::from(x.amount_dong);
                }
                prop_assert!(sum <= i128::from(c.3.max(0)));
                prop_assert_eq!(s.len(), c.4.len());
            }

            /// (2) Same district: a higher-ranked application is selected
            /// whenever a lower-ranked one is, unless it alone did not fit
            /// the budget left at its turn.
            #[test]
            fn higher_priority_never_dropped_in_its_district(c in arb_case()) {
                let s = run(&c);
                for (i, a) in s.iter().enumerate() {
                    for b in &s[i + 1..] {
                        if a.rank.is_none() || b.rank.is_none() || a.district != b.district || !b.selected {
                            continue;
                        }
                        prop_assert!(
                            a.selected
                                || a.reason_code == ReasonCode::AmountOverflow
                                || (a.reason_code == ReasonCode::NoContents && a.contents.is_empty())
                                || (a.reason_code == ReasonCode::OverBudget
                                    && a.requested_dong > a.budget_left_dong
                                    && a.budget_left_dong >= left_before(b)
                                    && a.requested_dong > b.requested_dong),
                            "{:?} dropped for {:?}", a, b
                        );
                    }
                }
            }

            /// (3) The result does not depend on the order of the input.
            #[test]
            fn input_order_does_not_matter(
                (c, shuffled) in arb_case().prop_flat_map(|c| {
                    let apps = c.4.clone();
                    (Just(c), Just(apps).prop_shuffle())
                })
            ) {
                let a = run(&c);
                let b = rank_and_select(&c.0, &c.1, c.2, c.3, &shuffled);
                prop_assert_eq!(a, b);
            }

            /// (4) Round robin: a district with two selections more than
            /// another only when none of the other's unselected applications
            /// fitted the budget left before its last selection.
            #[test]
            fn round_robin_shares_between_districts(c in arb_case()) {
                let c = (c.0, c.1, FairShare::RoundRobin, c.3, c.4);
                let s = run(&c);
                let mut count: BTreeMap<&str, usize> = BTreeMap::new();
                let mut last: BTreeMap<&str, &Selection> = BTreeMap::new();
                for x in s.iter().filter(|x| x.rank.is_some()) {
                    let n = count.entry(x.district.as_str()).or_insert(0);
                    if x.selected {
                        *n += 1;
                        last.insert(x.district.as_str(), x);
                    }
                }
                for (d, &nd) in &count {
                    for (e, &ne) in &count {
                        if nd < ne + 2 {
                            continue;
                        }
                        let Some(l) = last.get(d) else { continue };
                        for x in s.iter().filter(|x| x.rank.is_some() && x.district == *e && !x.selected) {
                            prop_assert!(
                                matches!(x.reason_code, ReasonCode::NoContents | ReasonCode::AmountOverflow)
                                    || (x.reason_code == ReasonCode::OverBudget && x.requested_dong > left_before(l)),
                                "{} has {} selected, {} has {}: {:?} vs last {:?}", d, nd, e, ne, x, l
                            );
                        }
                    }
                }
                // Selections of a district are made one per round, in order.
                for d in count.keys() {
                    let rounds: Vec<Option<u32>> = s.iter().filter(|x| x.selected && x.district == *d).map(|x| x.round).collect();
                    let expected: Vec<Option<u32>> = (1..=rounds.len() as u32).map(Some).collect();
                    prop_assert_eq!(rounds, expected);
                }
            }

            /// (5) A cap per district is respected, and only a full district
            /// refuses for the cap.
            #[test]
            fn cap_per_district_respected(c in arb_case(), max in 0usize..4) {
                let c = (c.0, c.1, FairShare::CapPerDistrict { max }, c.3, c.4);
                let s = run(&c);
                let mut count: BTreeMap<&str, usize> = BTreeMap::new();
                for x in &s {
                    let n = count.entry(x.district.as_str()).or_insert(0);
                    if x.selected {
                        *n += 1;
                    }
                    if x.reason_code == ReasonCode::DistrictCap {
                        prop_assert_eq!(*n, max);
                    }
                    prop_assert!(*n <= max);
                }
            }

            /// (6) Ineligible applications are never selected, have no rank
            /// and come after every eligible one.
            #[test]
            fn ineligible_never_selected(c in arb_case()) {
                let s = run(&c);
                let n_eligible = c.4.iter().filter(|a| a.eligible).count();
                for (i, x) in s.iter().enumerate() {
                    let eligible = i < n_eligible;
                    prop_assert_eq!(x.rank.is_some(), eligible);
                    if !eligible {
                        prop_assert!(!x.selected);
                        prop_assert_eq!(x.reason_code, ReasonCode::Ineligible);
                    } else {
                        prop_assert_eq!(x.rank, Some(i as u32 + 1));
                    }
                }
            }

            /// (7) Without a sharing rule, the same holds across districts:
            /// an application ranked above a selected one is selected or did
            /// not fit at its turn.
            #[test]
            fn plain_greedy_in_rank_order(c in arb_case()) {
                let c = (c.0, c.1, FairShare::None, c.3, c.4);
                let s = run(&c);
                let mut left = c.3.max(0);
                for x in s.iter().filter(|x| x.rank.is_some()) {
                    match x.reason_code {
                        ReasonCode::Selected => {
                            prop_assert!(x.requested_dong <= left);
                            left -= x.requested_dong;
                        }
                        ReasonCode::OverBudget => prop_assert!(x.requested_dong > left),
                        ReasonCode::NoContents => prop_assert!(x.contents.is_empty()),
                        ReasonCode::AmountOverflow => prop_assert_eq!(x.requested_dong, i64::MAX),
                        other => prop_assert!(false, "unexpected {:?}", other),
                    }
                    prop_assert_eq!(x.budget_left_dong, left);
                }
            }

            /// (8) Eligibility: eligible exactly when every rule passes, one
            /// result per rule, never an empty reason.
            #[test]
            fn eligibility_is_all_rules(
                recognised in proptest::option::of("[ A-Za-z0-9/]{0,12}"),
                flags in proptest::array::uniform4(any::<bool>()),
                verdicts in proptest::collection::vec((prop::sample::select(vec!["k1", "k2"]), any::<bool>(), "[a-z ]{0,6}"), 0..4),
            ) {
                let rules = vec![
                    EligibilityRule::VillageRecognised,
                    EligibilityRule::RegisteredThroughUnit,
                    EligibilityRule::HasLegalStatus,
                    EligibilityRule::Custom { key: "k1".into(), label: "K1".into() },
                ];
                let facts = Facts {
                    recognised_by: recognised,
                    registered_through_unit: flags[0],
                    legal_status: flags[1],
                    seal: flags[2],
                    bank_account: flags[3],
                    reviewer: verdicts.into_iter().map(|(k, p, n)| ReviewerVerdict { key: k.into(), passed: p, note: n }).collect(),
                };
                let e = check_eligibility(&rules, &facts);
                prop_assert_eq!(e.results.len(), rules.len());
                prop_assert_eq!(e.eligible, e.results.iter().all(|r| r.passed));
                // Every reason is a key both catalogues have.
        prop_assert!(e.results.iter().all(|r| vi(&r.reason) != r.reason.key && en(&r.reason) != r.reason.key));
            }
        }
    }
}

#[cfg(test)]
mod lifecycle_tests {
    use super::*;
    use proptest::prelude::*;

    fn action() -> impl Strategy<Value = AppAction> {
        prop_oneof![
            Just(AppAction::Forward),
            any::<bool>().prop_map(|eligible| AppAction::Check { eligible }),
            any::<bool>().prop_map(|selected| AppAction::Select { selected }),
            Just(AppAction::Contract),
            Just(AppAction::Visit),
            any::<bool>().prop_map(|last| AppAction::AcceptContent { last }),
            Just(AppAction::Liquidate),
            Just(AppAction::Settle),
            Just(AppAction::Review),
        ]
    }

    #[test]
    fn states_round_trip_their_text() {
        for s in AppState::ALL {
            assert_eq!(AppState::parse(s.as_str()), Some(s));
        }
        assert_eq!(AppState::parse("draft"), None);
    }

    #[test]
    fn the_happy_path() {
        use AppAction as A;
        let mut s = AppState::Registered;
        for a in [
            A::Forward,
            A::Check { eligible: true },
            A::Select { selected: true },
            A::Contract,
            A::Visit,
            A::AcceptContent { last: false },
            A::AcceptContent { last: true },
            A::Liquidate,
            A::Settle,
        ] {
            s = match app_transition(s, a) {
                Ok(next) => next,
                Err(e) => panic!("refused on the way to settlement: {e:?}"),
            };
        }
        assert_eq!(s, AppState::Settled);
    }

    #[test]
    fn a_second_liquidation_or_acceptance_is_refused() {
        let r = app_transition(AppState::Liquidated, AppAction::Liquidate).unwrap_err();
        assert_eq!(r.key(), "app-not-accepted");
        let r = app_transition(AppState::Accepted, AppAction::AcceptContent { last: true })
            .unwrap_err();
        assert_eq!(r.key(), "app-not-contracted");
        assert!(app_transition(AppState::Contracted, AppAction::Contract).is_err());
        assert!(app_transition(AppState::Forwarded, AppAction::Forward).is_err());
        assert!(
            app_transition(AppState::Ineligible, AppAction::Select { selected: true }).is_err()
        );
        assert!(app_transition(AppState::Selected, AppAction::Review).is_err());
    }

    fn all_facts() -> AppFacts {
        AppFacts {
            representative: true,
            legal_status: true,
            has_seal: true,
            bank_account: true,
            contract_number: true,
            note: true,
            review_rule_known: true,
            progress_pct: Some(40),
            contract_dong: 100_000_000,
            paid_dong: None,
        }
    }

    fn fields(r: Result<AppState, AppTransitionError>) -> Vec<(&'static str, &'static str)> {
        match r {
            Err(AppTransitionError::Invalid(v)) => v.iter().map(|f| (f.field, f.key)).collect(),
            other => panic!("expected invalid inputs, got {other:?}"),
        }
    }

    #[test]
    fn states_parse_with_from_str_and_display_their_text() {
        for s in AppState::ALL {
            assert_eq!(s.as_str().parse::<AppState>(), Ok(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        let e = "Selected".parse::<AppState>().unwrap_err();
        assert_eq!(e.text, "Selected");
    }

    #[test]
    fn a_contract_needs_every_prerequisite_and_a_number() {
        let none = AppFacts::default();
        assert_eq!(
            fields(transition(AppState::Selected, AppAction::Contract, &none)),
            vec![
                ("representative", "app-contract-requires"),
                ("legal_status", "app-contract-requires"),
                ("has_seal", "app-contract-requires"),
                ("bank_account", "app-contract-requires"),
                ("number", "error-required"),
            ]
        );
        let no_seal = AppFacts {
            has_seal: false,
            ..all_facts()
        };
        assert_eq!(
            fields(transition(
                AppState::Selected,
                AppAction::Contract,
                &no_seal
            )),
            vec![("has_seal", "app-contract-requires")]
        );
        assert_eq!(
            transition(AppState::Selected, AppAction::Contract, &all_facts()),
            Ok(AppState::Contracted)
        );
    }

    #[test]
    fn the_state_is_judged_before_the_inputs() {
        // Not selected: a conflict, whatever the form says.
        let r = transition(
            AppState::Eligible,
            AppAction::Contract,
            &AppFacts::default(),
        );
        match r {
            Err(AppTransitionError::Refused(r)) => assert_eq!(r.key(), "app-not-selected"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_settlement_pays_at_most_the_contract() {
        let f = |paid| AppFacts {
            paid_dong: paid,
            ..all_facts()
        };
        let at = |paid| transition(AppState::Liquidated, AppAction::Settle, &f(paid));
        assert_eq!(at(None), Ok(AppState::Settled));
        assert_eq!(at(Some(100_000_000)), Ok(AppState::Settled));
        assert_eq!(at(Some(1)), Ok(AppState::Settled));
        for bad in [Some(0), Some(-5), Some(100_000_001)] {
            assert_eq!(fields(at(bad)), vec![("amount", "app-amount-range")]);
        }
    }

    #[test]
    fn a_visit_needs_a_note_and_a_progress_in_percent() {
        let f = |p, note| AppFacts {
            progress_pct: p,
            note,
            ..all_facts()
        };
        let at = |p, note| transition(AppState::Contracted, AppAction::Visit, &f(p, note));
        assert_eq!(at(None, true), Ok(AppState::Contracted));
        assert_eq!(at(Some(0), true), Ok(AppState::Contracted));
        assert_eq!(at(Some(100), true), Ok(AppState::Contracted));
        assert_eq!(
            fields(at(Some(101), false)),
            vec![
                ("progress", "error-number-plain"),
                ("note", "error-required")
            ]
        );
        assert_eq!(
            fields(at(Some(-1), true)),
            vec![("progress", "error-number-plain")]
        );
    }

    #[test]
    fn a_review_names_a_rule_of_the_scheme_then_needs_a_note() {
        let f = |known, note| AppFacts {
            review_rule_known: known,
            note,
            ..all_facts()
        };
        let at = |k, n| transition(AppState::Forwarded, AppAction::Review, &f(k, n));
        assert_eq!(at(true, true), Ok(AppState::Forwarded));
        assert_eq!(fields(at(false, false)), vec![("rule", "error-choice")]);
        assert_eq!(fields(at(true, false)), vec![("note", "error-required")]);
    }

    fn facts() -> impl Strategy<Value = AppFacts> {
        (
            proptest::collection::vec(any::<bool>(), 7),
            proptest::option::of(-10i64..120),
            0i64..1_000,
            proptest::option::of(-10i64..1_100),
        )
            .prop_map(|(b, progress_pct, contract_dong, paid_dong)| AppFacts {
                representative: b[0],
                legal_status: b[1],
                has_seal: b[2],
                bank_account: b[3],
                contract_number: b[4],
                note: b[5],
                review_rule_known: b[6],
                progress_pct,
                contract_dong,
                paid_dong,
            })
    }

    proptest! {
        /// Settled is final: no action, whatever the inputs.
        #[test]
        fn nothing_happens_to_a_settled_application(a in action(), f in facts()) {
            prop_assert!(matches!(
                transition(AppState::Settled, a, &f),
                Err(AppTransitionError::Refused(_))
            ));
        }

        /// Every accepted move stays in its stage or goes to the next one in
        /// the documented order (registered → forwarded → checked → selected
        /// or not → contracted → accepted → liquidated → settled).
        #[test]
        fn moves_follow_the_documented_order(
            from in proptest::sample::select(AppState::ALL.to_vec()),
            a in action(),
            f in facts(),
        ) {
            if let Ok(to) = transition(from, a, &f) {
                prop_assert!(to.stage() == from.stage() || to.stage() == from.stage() + 1,
                    "{from} -{}-> {to}", a.code());
            }
        }

        /// The rules only ever refuse more than the state machine does: a
        /// move `transition` allows is the one `app_transition` gives, and a
        /// state refusal is the same refusal.
        #[test]
        fn transition_refines_the_state_machine(
            from in proptest::sample::select(AppState::ALL.to_vec()),
            a in action(),
            f in facts(),
        ) {
            match (transition(from, a, &f), app_transition(from, a)) {
                (Ok(x), Ok(y)) => prop_assert_eq!(x, y),
                (Err(AppTransitionError::Refused(x)), Err(y)) => prop_assert_eq!(x, y),
                (Err(AppTransitionError::Invalid(v)), Ok(_)) => prop_assert!(!v.is_empty()),
                (x, y) => prop_assert!(false, "{x:?} vs {y:?}"),
            }
        }

        /// With every prerequisite and input in order, the rules add nothing.
        #[test]
        fn complete_inputs_are_never_refused(
            from in proptest::sample::select(AppState::ALL.to_vec()),
            a in action(),
        ) {
            prop_assert_eq!(transition(from, a, &all_facts()).ok(), app_transition(from, a).ok());
        }
    }

    proptest! {
        /// Money only moves forward: once contracted, no action brings an
        /// application back before the contract, and settled is final.
        #[test]
        fn no_way_back_after_the_contract(actions in proptest::collection::vec(action(), 0..30)) {
            let mut s = AppState::Contracted;
            for a in actions {
                if let Ok(next) = app_transition(s, a) {
                    prop_assert!(matches!(next, AppState::Contracted | AppState::Accepted | AppState::Liquidated | AppState::Settled));
                    if s == AppState::Settled { prop_assert_eq!(next, s); }
                    s = next;
                }
            }
        }

        /// The same action applied twice to a state it moved out of is refused
        /// (what makes two concurrent clicks end in one change), except the
        /// actions that keep their state (visits, reviews, a content that was
        /// not the last) and re-runs of checks and selections.
        #[test]
        fn a_move_cannot_be_made_twice(from in proptest::sample::select(AppState::ALL.to_vec()), a in action()) {
            if let Ok(to) = app_transition(from, a) {
                let repeatable = to == from || matches!(a, AppAction::Check { .. } | AppAction::Select { .. });
                if !repeatable {
                    prop_assert!(app_transition(to, a).is_err());
                }
            }
        }
    }
}

#[cfg(test)]
mod scheme_status_tests {
    use super::*;
    use proptest::prelude::*;

    fn action() -> impl Strategy<Value = SchemeAction> {
        prop_oneof![
            Just(SchemeAction::Register),
            Just(SchemeAction::Select),
            (any::<bool>(), -2i64..5)
                .prop_map(|(linked, selected)| SchemeAction::Decide { linked, selected }),
        ]
    }

    #[test]
    fn statuses_round_trip_their_text() {
        for s in SchemeStatus::ALL {
            assert_eq!(SchemeStatus::parse(s.as_str()), Some(*s));
            assert_eq!(s.as_str().parse::<SchemeStatus>(), Ok(*s));
        }
        assert!("Registration".parse::<SchemeStatus>().is_err());
    }

    #[test]
    fn the_life_of_a_scheme() {
        use SchemeStatus as S;
        assert_eq!(
            scheme_transition(S::Registration, SchemeAction::Register),
            Ok(S::Registration)
        );
        assert_eq!(
            scheme_transition(S::Registration, SchemeAction::Select),
            Ok(S::Selection)
        );
        assert_eq!(
            scheme_transition(S::Selection, SchemeAction::Select),
            Ok(S::Selection)
        );
        assert_eq!(
            scheme_transition(S::Selection, SchemeAction::Register),
            Err(SchemeRefusal::ClosedForRegistration)
        );
        let decide = |linked, selected| SchemeAction::Decide { linked, selected };
        assert_eq!(
            scheme_transition(S::Selection, decide(false, 3)),
            Ok(S::Decided)
        );
        assert_eq!(
            scheme_transition(S::Selection, decide(false, 0)),
            Err(SchemeRefusal::NothingSelected)
        );
        assert_eq!(
            scheme_transition(S::Selection, decide(true, 3)),
            Err(SchemeRefusal::AlreadyDecided)
        );
        assert_eq!(
            scheme_transition(S::Decided, SchemeAction::Select).map_err(SchemeRefusal::key),
            Err("scheme-already-decided")
        );
    }

    proptest! {
        /// Once decided, a scheme's list never changes again.
        #[test]
        fn a_decision_is_final(
            from in proptest::sample::select(SchemeStatus::ALL.to_vec()),
            a in action(),
        ) {
            if from.is_decided() {
                prop_assert!(scheme_transition(from, a).is_err());
            }
            if let Ok(to) = scheme_transition(from, a) {
                prop_assert!(to >= from, "{from} -> {to}");
            }
        }
    }
}
