//! Reading a plan document: from its text to a draft programme whose every
//! item is tied to the passage it came from.
//!
//! Deterministic and offline: the text is split into lines with their list
//! markers ([`lines`]), each line is placed in the part of the plan its
//! heading opens (objectives, tasks, organisation, reporting …), and the
//! phrases of administrative Vietnamese are read in it ([`phrases`]):
//! milestones ("Đến năm 2025"), quantities with their qualifier and unit
//! noun ("ít nhất 11 làng nghề"), agency roles ("X chủ trì, phối hợp với Y"),
//! document numbers, dates, amounts of money, places. Tables written one
//! cell a line (Word and PDF text) are read as rows: the appendix of
//! indicators per agency ("Phụ biểu") and the timeline of steps.
//!
//! Offsets are in characters (Unicode scalar values) of the text after NFC
//! normalisation and with "\r\n" turned into "\n": [`normalise`] gives that
//! text, which is what a draft's offsets refer to.

mod lines;
mod matching;
mod phrases;

pub use matching::{match_agency, AgencyCandidate, AgencyMatch};

use crate::plan::{parse_target, Target};
use crate::text::{fold_vi, nfc};
use lines::{Line, Marker, Part};
use serde::{Deserialize, Serialize};

/// Where an item came from: character offsets into the normalised text, its
/// line and the passage quoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub start: usize,
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// The passage (the line or table row it came from), at most 300 characters.
    pub quote: String,
}

/// The document itself, as its header states it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// "316/KH-UBND".
    pub number: Option<String>,
    /// `plan`, `programme`, `decision` or `scheme`.
    pub kind: Option<String>,
    pub date: Option<time::Date>,
    /// "Ủy ban nhân dân tỉnh Lào Cai".
    pub issuer: Option<String>,
    pub title: Option<String>,
}

/// A document the plan is based on ("Quyết định số 801/QĐ-TTg ngày 07/7/2022 …").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalBasis {
    pub number: String,
    pub date: Option<time::Date>,
    pub title: Option<String>,
    pub source: Source,
}

/// The years the plan runs over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPeriod {
    pub start: Option<i32>,
    pub end: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub text: String,
    pub source: Source,
}

/// A target for a milestone, as written and as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetDraft {
    /// The milestone year (the plan's end when none is named).
    pub year: Option<i32>,
    /// As written: "ít nhất 11 làng nghề", "Trên 70%".
    pub wording: String,
    /// The target as the rules read it; `None` when they cannot.
    pub form: Option<Target>,
    /// LN, NTT or LNTT for a count of craft villages or crafts.
    pub category: Option<String>,
    pub source: Source,
}

/// A result stated for a past year ("đã tổ chức 473 lớp").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultDraft {
    pub year: Option<i32>,
    pub wording: String,
    pub value: Option<f64>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorDraft {
    pub name: String,
    /// The unit of measure ("làng nghề", "lớp", "%"; "LN/NTT/LNTT" when split by category).
    pub unit: Option<String>,
    pub lead_agency: Option<String>,
    pub targets: Vec<TargetDraft>,
    pub results: Vec<ResultDraft>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDraft {
    pub text: String,
    /// The section of the plan it is listed under ("V.2").
    pub section: Option<String>,
    pub lead_agency: Option<String>,
    /// The lead is the programme's lead, not named for this task.
    #[serde(default)]
    pub lead_inferred: bool,
    pub coordinating_agencies: Vec<String>,
    /// When it is due, as written ("Quý II/2018", "trước ngày 30/6/2018").
    pub due: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceDraft {
    /// The village or commune as written ("thôn Kíp Tước").
    pub name: String,
    pub commune: Option<String>,
    pub district: Option<String>,
    pub craft: Option<String>,
    pub ethnic_group: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetDraft {
    pub wording: String,
    pub amount_dong: i64,
    pub year: Option<i32>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportingDraft {
    /// `half_yearly`, `annual` or `quarterly`.
    pub frequency: Option<String>,
    /// Days of the year reports are due: "06-20".
    pub due_dates: Vec<String>,
    pub to_agency: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineStep {
    pub step: String,
    pub when: Option<String>,
    pub lead_agency: Option<String>,
    pub coordinating_agencies: Vec<String>,
    pub source: Source,
}

/// What a plan's text proposes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanReading {
    pub document: DocumentInfo,
    /// The agency that leads the whole programme ("Là cơ quan chủ trì tổ chức
    /// thực hiện Chương trình"), when the text says so.
    pub lead_agency: Option<String>,
    pub legal_basis: Vec<LegalBasis>,
    pub period: PlanPeriod,
    pub objectives: Vec<Objective>,
    pub indicators: Vec<IndicatorDraft>,
    pub tasks: Vec<TaskDraft>,
    pub places: Vec<PlaceDraft>,
    pub budget: Vec<BudgetDraft>,
    pub reporting: Option<ReportingDraft>,
    pub timeline: Vec<TimelineStep>,
}

/// The text offsets refer to: NFC, "\n" line ends.
pub fn normalise(text: &str) -> String {
    nfc(&text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Read a plan's text (see the module documentation). `text` is normalised first.
pub fn read_plan(text: &str) -> PlanReading {
    let text = normalise(text);
    let lines = lines::split(&text);
    let mut r = Reader::new(&lines);
    r.header();
    r.walk();
    r.tables();
    r.finish()
}

/// Sentence case for a title written in capitals, keeping the proper nouns
/// the body writes with capitals ("Lào Cai", "Chương trình").
fn sentence_case(upper: &str, proper: &std::collections::HashSet<String>) -> String {
    let mut out = Vec::new();
    for (i, w) in upper.split_whitespace().enumerate() {
        let lower = w.to_lowercase();
        let bare = lower.trim_matches(|c: char| !c.is_alphanumeric());
        let cap = {
            let mut cs = lower.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().collect::<String>() + cs.as_str(),
                None => String::new(),
            }
        };
        if i == 0 || proper.contains(bare) {
            out.push(cap);
        } else if w.chars().filter(|c| c.is_alphabetic()).count() <= 4
            && w.chars().all(|c| !c.is_lowercase())
            && is_acronym(w)
        {
            out.push(w.to_string());
        } else {
            out.push(lower);
        }
    }
    out.join(" ")
}

fn is_acronym(w: &str) -> bool {
    let f = fold_vi(w);
    matches!(
        f.trim_matches(|c: char| !c.is_alphanumeric()),
        "ubnd" | "hdnd" | "ocop" | "cnnt" | "tcmn" | "htx" | "khcn" | "ptnt"
    )
}

struct Reader<'a> {
    lines: &'a [Line],
    out: PlanReading,
    /// Words the body writes with a capital letter mid-sentence (folded → as written).
    proper: std::collections::HashSet<String>,
    /// Index of the first line of the body (after the title block).
    body_from: usize,
    /// Lines inside tables (read by [`Reader::tables`]).
    in_table: Vec<bool>,
    /// The tables of the text, read once.
    tables: Vec<lines::Table>,
    /// The part each task was listed in.
    task_parts: Vec<Part>,
}

impl<'a> Reader<'a> {
    fn new(lines: &'a [Line]) -> Self {
        // Words written with a capital mid-sentence more often than without
        // ("Lào Cai", not "Phát" of "Sở … và Phát triển nông thôn").
        let mut counts: std::collections::HashMap<String, (u32, u32)> =
            std::collections::HashMap::new();
        for l in lines {
            if lines::is_upper(&l.body) {
                continue;
            }
            for (i, w) in l.body.split_whitespace().enumerate() {
                let bare = w.trim_matches(|c: char| !c.is_alphanumeric());
                if i == 0
                    || bare.is_empty()
                    || !bare.chars().skip(1).any(char::is_lowercase) && bare.chars().count() > 1
                {
                    continue;
                }
                let e = counts.entry(bare.to_lowercase()).or_default();
                if bare.chars().next().is_some_and(char::is_uppercase) {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
        }
        let proper = counts
            .into_iter()
            .filter(|(_, (cap, low))| cap > low)
            .map(|(w, _)| w)
            .collect();
        let tables = lines::tables(lines);
        let mut in_table = vec![false; lines.len()];
        for t in &tables {
            for flag in in_table.iter_mut().take(t.last + 1).skip(t.first) {
                *flag = true;
            }
        }
        Reader {
            lines,
            out: PlanReading::default(),
            proper,
            body_from: 0,
            in_table,
            tables,
            task_parts: Vec::new(),
        }
    }

    fn source(&self, line: &Line, start: usize, end: usize) -> Source {
        Source {
            start,
            end,
            line: line.no,
            quote: line.body.chars().take(300).collect(),
        }
    }

    fn whole(&self, line: &Line) -> Source {
        self.source(line, line.body_start, line.end())
    }

    /// Number, kind, date, issuer and title from the first lines.
    fn header(&mut self) {
        let head = &self.lines[..self.lines.len().min(60)];
        let mut kind_at = None;
        for (i, l) in head.iter().enumerate() {
            let f = fold_vi(&l.body);
            let numbered = f.starts_with("so:")
                || f.strip_prefix("so ")
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
            if self.out.document.number.is_none() && numbered {
                if let Some((a, b)) = phrases::doc_numbers(&l.body).first() {
                    self.out.document.number = Some(l.body[*a..*b].to_string());
                }
            }
            if f.contains("ban hanh kem theo") || f.contains("kem theo quyet dinh") {
                if let Ok(d) = crate::legal_doc::parse_doc_ref(l.body.trim_matches(['(', ')'])) {
                    self.out.document.number.get_or_insert(d.number);
                    if self.out.document.date.is_none() {
                        self.out.document.date = d.date;
                    }
                    if let Some(b) = l.body.find(" của ") {
                        let issuer = l.body[b + " của ".len()..].trim_end_matches(')').trim();
                        self.out.document.issuer.get_or_insert(issuer.to_string());
                    }
                }
            }
            if self.out.document.date.is_none() && f.contains(", ngay ") && f.contains(" thang ") {
                if let Some((d, _, _)) = phrases::first_date(&l.body) {
                    self.out.document.date = Some(d);
                }
            }
            if kind_at.is_none() {
                let k = match f.as_str() {
                    "ke hoach" => Some("plan"),
                    "chuong trinh" => Some("programme"),
                    "quyet dinh" => Some("decision"),
                    "de an" => Some("scheme"),
                    _ => None,
                };
                if let Some(k) = k {
                    self.out.document.kind = Some(k.to_string());
                    kind_at = Some(i);
                }
            }
        }
        // Issuer: the capital lines above "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".
        if self.out.document.issuer.is_none() {
            if let Some(ch) = head
                .iter()
                .position(|l| fold_vi(&l.body).starts_with("cong hoa xa hoi"))
            {
                let parts: Vec<&str> = head[..ch]
                    .iter()
                    .rev()
                    .map(|l| l.body.as_str())
                    .filter(|b| !b.is_empty() && lines::is_upper(b) && !b.starts_with('-'))
                    .take(2)
                    .collect();
                if !parts.is_empty() {
                    let joined: Vec<&str> = parts.into_iter().rev().collect();
                    let issuer = sentence_case(&joined.join(" "), &self.proper);
                    self.out.document.issuer = Some(issuer);
                }
            }
        }
        if self.out.document.kind.is_none() {
            if let Some(n) = &self.out.document.number {
                let f = fold_vi(n);
                self.out.document.kind = if f.contains("/kh-") {
                    Some("plan".into())
                } else if f.contains("/qd-") {
                    Some("decision".into())
                } else {
                    None
                };
            }
        }
        // Title: the capital lines after the kind line.
        if let Some(k) = kind_at {
            let kind_word = head[k].body.clone();
            let mut parts = vec![];
            let mut j = k + 1;
            while j < head.len() {
                let b = head[j].body.trim();
                if b.is_empty() {
                    if !parts.is_empty() {
                        break;
                    }
                    j += 1;
                    continue;
                }
                if !lines::is_upper(b) || head[j].marker != Marker::None {
                    break;
                }
                parts.push(b.to_string());
                j += 1;
            }
            self.body_from = j;
            if !parts.is_empty() {
                let title = format!("{} {}", kind_word.trim(), parts.join(" "));
                self.out.document.title = Some(sentence_case(&title, &self.proper));
            }
            let t = self.out.document.title.clone().unwrap_or_default();
            self.out.period = period_of(&t);
        }
    }

    /// Every line in order, each read in the part of the plan it sits in.
    fn walk(&mut self) {
        let mut part = Part::Preamble;
        let mut roman_part = Part::Preamble;
        let mut roman = 0u32;
        let mut numbers: Vec<u32> = Vec::new();
        let mut letter: Option<char> = None;
        let mut milestone: Option<i32> = None;
        let mut sub_objectives = false;
        let mut general_objectives = false;
        let mut group_agency: Option<String> = None;
        let lines = self.lines;
        for (i, l) in lines.iter().enumerate().skip(self.body_from) {
            if self.in_table[i] || l.body.is_empty() {
                continue;
            }
            let f = fold_vi(&l.body);
            if f.starts_with("noi nhan") || f.starts_with("tm. ") || f == "tm." {
                break;
            }
            match &l.marker {
                Marker::Roman(n) => {
                    roman = *n;
                    numbers.clear();
                    letter = None;
                    milestone = None;
                    sub_objectives = false;
                    group_agency = None;
                    part = lines::part_of(&l.body);
                    roman_part = part;
                    general_objectives = false;
                    continue;
                }
                Marker::Number(ns) => {
                    numbers = ns.clone();
                    letter = None;
                    milestone = None;
                    group_agency = None;
                    let heading = heading_text(&l.body);
                    let hf = fold_vi(heading);
                    let names_agency = phrases::agencies(heading)
                        .first()
                        .is_some_and(|a| a.start < 3);
                    if !names_agency && heading_is_short(heading) {
                        match lines::sub_part_of(heading) {
                            Some(p) if ns.len() == 1 => part = p,
                            None if ns.len() == 1 => part = roman_part,
                            _ => {}
                        }
                    }
                    general_objectives = hf.contains("muc tieu chung");
                    if hf.contains("muc tieu chung") {
                        sub_objectives = false;
                    } else if hf.contains("muc tieu") || hf.contains("chi tieu") {
                        sub_objectives = true;
                        if part == Part::Tasks || part == Part::Other || part == Part::Preamble {
                            part = Part::Objectives;
                        }
                    }
                    if matches!(part, Part::Tasks | Part::Organisation) {
                        let agencies = phrases::agencies(heading);
                        if let Some(a) = agencies.first() {
                            if a.start < 3 {
                                group_agency = Some(a.name.clone());
                            }
                        }
                    }
                    if let Some(y) = phrases::milestones(heading).first() {
                        if heading.chars().count() < 40 {
                            milestone = Some(y.1);
                        }
                    }
                    let body_after_heading = l.body.len() > heading.len() + 2;
                    if !body_after_heading && heading_is_short(heading) {
                        // A pure heading: nothing else to read on the line.
                        if part == Part::Objectives && !sub_objectives && !hf.contains("muc tieu") {
                            self.objective(l);
                        }
                        continue;
                    }
                }
                Marker::Letter(c) => {
                    letter = Some(*c);
                    milestone = None;
                    let heading = heading_text(&l.body);
                    if let Some(y) = phrases::milestones(heading).first() {
                        if heading.chars().count() < 40 {
                            milestone = Some(y.1);
                            if l.body.len() <= heading.len() + 2 {
                                continue;
                            }
                        }
                    }
                }
                Marker::Dash | Marker::None => {
                    // "Đến năm 2025" on its own line.
                    if l.body.chars().count() < 30 {
                        if let Some(y) = phrases::milestones(&l.body).first() {
                            milestone = Some(y.1);
                            continue;
                        }
                    }
                }
            }
            // Roman II of a programme that first evaluates: "II. CHƯƠNG TRÌNH … GIAI ĐOẠN 2016-2020".
            let section = section_label(roman, &numbers, letter);
            match part {
                // Before any part (a press release, a letter): what was done, and what is aimed at.
                Part::Preamble => {
                    let f = fold_vi(&l.body);
                    if f.contains(" da ") || f.starts_with("da ") {
                        self.results_of(l);
                    } else if f.contains("phan dau") || f.contains("muc tieu") {
                        self.targets_of(l, milestone);
                    }
                }
                Part::Purpose => self.objective(l),
                Part::Objectives => {
                    // Under "Mục tiêu chung" only words; elsewhere a line with figures is a target.
                    let figures = phrases::quantities(&l.body)
                        .iter()
                        .any(|q| !q.unit.is_empty());
                    if sub_objectives || milestone.is_some() || (figures && !general_objectives) {
                        self.targets_of(l, milestone);
                    } else {
                        self.objective(l);
                    }
                }
                Part::Results => self.results_of(l),
                Part::Tasks | Part::Organisation => {
                    self.task(l, &section, group_agency.as_deref(), part);
                    self.targets_of(l, milestone);
                    self.places_of(l);
                }
                Part::Contents => {
                    self.targets_of(l, milestone);
                    self.places_of(l);
                }
                Part::Budget => self.budget_of(l),
                Part::Reporting => self.reporting_of(l),
                Part::Solutions | Part::Appendix | Part::Other => {}
            }
            if part != Part::Budget {
                self.budget_of(l);
            }
            if part != Part::Reporting {
                self.reporting_of(l);
            }
            self.legal_refs(l);
        }
    }

    fn objective(&mut self, l: &Line) {
        let text = l.body.trim();
        if text.chars().count() < 25 {
            return;
        }
        self.out.objectives.push(Objective {
            text: text.to_string(),
            source: self.whole(l),
        });
    }

    /// Legal references: every document number in the preamble, and the
    /// "Căn cứ / Thực hiện" sentences anywhere.
    fn legal_refs(&mut self, l: &Line) {
        let f = fold_vi(&l.body);
        let is_basis =
            f.starts_with("can cu") || f.starts_with("thuc hien") || f.starts_with("theo");
        if !is_basis {
            return;
        }
        for (a, b) in phrases::doc_numbers(&l.body) {
            let number = l.body[a..b].to_string();
            if Some(&number) == self.out.document.number.as_ref()
                || self.out.legal_basis.iter().any(|x| x.number == number)
            {
                continue;
            }
            // The reference: from the kind word before the number to the end of its clause.
            let from = l.body[..a]
                .rfind(['.', ';', ':'])
                .map(|x| x + 1)
                .unwrap_or(0);
            let until = l.body[b..]
                .find([';', '('])
                .map(|x| b + x)
                .unwrap_or(l.body.len());
            let clause = &l.body[from..until];
            let date = phrases::first_date(&l.body[b..until])
                .filter(|(_, at, _)| *at < 12)
                .map(|(d, _, _)| d);
            let title = title_after(&l.body[b..until]);
            let start = l.body_start + phrases::char_at(&l.body, from);
            let end = l.body_start + phrases::char_at(&l.body, until);
            self.out.legal_basis.push(LegalBasis {
                number,
                date,
                title,
                source: Source {
                    start,
                    end,
                    line: l.no,
                    quote: clause.trim().chars().take(300).collect(),
                },
            });
        }
    }

    /// The targets of a line: each quantity, with the milestone of the line
    /// or of its heading. In the tasks (`in_tasks`), only quantities a
    /// milestone governs in the same sentence, or those of a plan of one year.
    fn targets_of(&mut self, l: &Line, milestone: Option<i32>) {
        // Each clause of a sentence ("…; phát triển 4 làng nghề gắn với du lịch") is its own indicator.
        let mut from = 0usize;
        let body = l.body.clone();
        for clause in body.split_inclusive(';') {
            let len = clause.chars().count();
            self.clause_targets(l, clause, from, milestone);
            from += len;
        }
    }

    /// The targets of one clause starting at char `from` of the line's body.
    fn clause_targets(&mut self, l: &Line, body: &str, from: usize, milestone: Option<i32>) {
        let qs = phrases::quantities(body);
        if qs.is_empty() {
            return;
        }
        let inline = phrases::milestones(body);
        let fb = fold_vi(body);
        let is_result = fb.contains(" da ") && !fb.contains("phan dau");
        if is_result {
            return;
        }
        let name = indicator_name(body);
        let mut new_targets: Vec<(Option<String>, String, TargetDraft)> = Vec::new();
        for q in &qs {
            let year = inline
                .iter()
                .rev()
                .find(|(at, _)| *at <= q.start)
                .map(|(_, y)| *y)
                .or(milestone)
                .or(self.out.period.end);

            if q.unit.is_empty() && !q.wording.contains('%') {
                continue;
            }
            let form = parse_target(&q.wording).ok();
            let unit = if q.category.is_some() {
                "LN/NTT/LNTT".to_string()
            } else {
                q.unit.clone()
            };
            new_targets.push((
                Some(unit),
                q.unit.clone(),
                TargetDraft {
                    year,
                    wording: q.wording.clone(),
                    form,
                    category: q.category.map(str::to_string),
                    source: self.source(
                        l,
                        l.body_start + from + q.start,
                        l.body_start + from + q.end,
                    ),
                },
            ));
        }
        // One indicator for the craft-village categories of a sentence, one for each other unit.
        let mut by_unit: Vec<(String, Vec<TargetDraft>)> = Vec::new();
        for (unit, _, t) in new_targets {
            let u = unit.unwrap_or_default();
            match by_unit.iter_mut().find(|(x, _)| *x == u) {
                Some((_, v)) => v.push(t),
                None => by_unit.push((u, vec![t])),
            }
        }
        let several = by_unit.len() > 1;
        for (unit, targets) in by_unit {
            let name = if several {
                format!("{name} ({unit})")
            } else {
                name.clone()
            };
            self.add_indicator(name, Some(unit), None, targets);
        }
    }

    /// Add targets to the indicator of the same name (another milestone of
    /// it), or a new indicator.
    fn add_indicator(
        &mut self,
        name: String,
        unit: Option<String>,
        lead: Option<String>,
        targets: Vec<TargetDraft>,
    ) {
        let key = indicator_key(&name);
        if let Some(ind) = self.out.indicators.iter_mut().find(|i| {
            i.unit == unit
                && similar(&indicator_key(&i.name), &key)
                && !i.targets.iter().any(|t| {
                    targets
                        .iter()
                        .any(|n| n.year == t.year && n.category == t.category)
                })
        }) {
            ind.targets.extend(targets);
            return;
        }
        self.out.indicators.push(IndicatorDraft {
            name,
            unit,
            lead_agency: lead,
            targets,
            results: vec![],
        });
    }

    fn results_of(&mut self, l: &Line) {
        let body = &l.body;
        let years = phrases::years(body);
        for q in phrases::quantities(body) {
            if q.unit.is_empty() || q.wording.contains('%') {
                continue;
            }
            let name = indicator_name(body);
            let r = ResultDraft {
                year: years.last().copied(),
                wording: q.wording.clone(),
                value: Some(q.value),
                source: self.source(l, l.body_start + q.start, l.body_start + q.end),
            };
            let unit = Some(q.unit.clone());
            match self.out.indicators.iter_mut().find(|i| {
                i.unit == unit && i.targets.is_empty() && i.name == format!("{name} ({})", q.unit)
            }) {
                Some(i) => i.results.push(r),
                None => self.out.indicators.push(IndicatorDraft {
                    name: format!("{name} ({})", q.unit),
                    unit,
                    lead_agency: None,
                    targets: vec![],
                    results: vec![r],
                }),
            }
        }
    }

    /// A task: a listed line of the tasks or the organisation part, its lead
    /// from the sentence or from the agency heading above it.
    fn task(&mut self, l: &Line, section: &str, group_agency: Option<&str>, part: Part) {
        let text = l.body.trim();
        if text.chars().count() < 20 {
            return;
        }
        let heading = heading_text(text);
        if matches!(l.marker, Marker::Number(_))
            && heading_is_short(heading)
            && text.len() <= heading.len() + 2
        {
            return;
        }
        let (lead, coord) = phrases::roles(text);
        let lead_name = lead
            .map(|a| a.name)
            .or_else(|| group_agency.map(str::to_string));
        let mut coordinating: Vec<String> = coord.into_iter().map(|a| a.name).collect();
        coordinating.retain(|c| Some(c) != lead_name.as_ref());
        coordinating.dedup();
        let tf = fold_vi(text);
        if part == Part::Organisation
            && self.out.lead_agency.is_none()
            && tf.contains("co quan chu tri")
            && (tf.contains("thuc hien chuong trinh")
                || tf.contains("thuc hien ke hoach")
                || tf.contains("thuc hien de an"))
        {
            self.out.lead_agency = lead_name.clone();
        }
        self.task_parts.push(part);
        self.out.tasks.push(TaskDraft {
            text: text.to_string(),
            section: (!section.is_empty()).then(|| section.to_string()),
            lead_inferred: false,
            lead_agency: lead_name,
            coordinating_agencies: coordinating,
            due: due_of(text),
            source: self.whole(l),
        });
    }

    fn places_of(&mut self, l: &Line) {
        for p in phrases::places(&l.body) {
            self.out.places.push(PlaceDraft {
                name: p.name,
                commune: p.commune,
                district: p.district,
                craft: p.craft,
                ethnic_group: p.ethnic_group,
                source: self.source(l, l.body_start + p.start, l.body_start + p.end),
            });
        }
    }

    fn budget_of(&mut self, l: &Line) {
        let f = fold_vi(&l.body);
        if !(f.contains("kinh phi")
            || f.contains("du toan")
            || f.contains("ngan sach")
            || f.contains("von"))
        {
            return;
        }
        let years = phrases::years(&l.body);
        for m in phrases::money(&l.body) {
            if self
                .out
                .budget
                .iter()
                .any(|b| b.source.start == l.body_start + m.start)
            {
                continue;
            }
            self.out.budget.push(BudgetDraft {
                wording: m.wording.clone(),
                amount_dong: m.dong,
                year: years.first().copied(),
                source: self.source(l, l.body_start + m.start, l.body_start + m.end),
            });
        }
    }

    fn reporting_of(&mut self, l: &Line) {
        if self
            .out
            .reporting
            .as_ref()
            .is_some_and(|r| !r.due_dates.is_empty())
        {
            return;
        }
        let f = fold_vi(&l.body);
        if !f.contains("bao cao") {
            return;
        }
        let frequency =
            if f.contains("6 thang") || f.contains("06 thang") || f.contains("sau thang") {
                Some("half_yearly")
            } else if f.contains("hang quy") || (f.contains("quy ") && f.contains("dinh ky")) {
                // "hằng quý" and "hàng quý" fold alike.
                Some("quarterly")
            } else if f.contains("dinh ky") && f.contains("hang nam") {
                Some("annual")
            } else {
                None
            };
        let due_dates = phrases::days_of_year(&l.body);
        if frequency.is_none() && due_dates.is_empty() {
            return;
        }
        if !f.contains("dinh ky") && due_dates.is_empty() {
            return;
        }
        // The agency reports go to: after "gửi" or "về".
        let mut to = None;
        for m in phrases::agencies(&l.body) {
            let before: String = l.body.chars().take(m.start).collect();
            let bf = fold_vi(&before);
            if bf.ends_with("gui")
                || bf.ends_with("ve")
                || bf.ends_with("gui ve")
                || bf.ends_with("bao cao")
            {
                to = Some(m.name);
                break;
            }
        }
        self.out.reporting = Some(ReportingDraft {
            frequency: frequency.map(str::to_string),
            due_dates,
            to_agency: to,
            source: self.whole(l),
        });
    }

    /// Appendix tables (indicators per agency and milestone) and timelines.
    fn tables(&mut self) {
        for t in std::mem::take(&mut self.tables) {
            let years: Vec<i32> = t
                .header
                .iter()
                .filter_map(|h| phrases::years(h).last().copied())
                .collect();
            let is_timeline = t.header.iter().any(|h| h.contains("thoi gian"))
                && t.header.iter().any(|h| h.contains("chu tri"));
            if is_timeline {
                self.timeline(&t);
            } else if !years.is_empty() {
                self.appendix(&t, &years);
            }
        }
    }

    fn row_source(&self, row: &[(usize, String)]) -> Source {
        let first = &self.lines[row[0].0];
        let last = &self.lines[row[row.len() - 1].0];
        let quote: Vec<&str> = row
            .iter()
            .map(|(_, s)| s.as_str())
            .filter(|s| !s.is_empty())
            .collect();
        Source {
            start: first.body_start,
            end: last.end(),
            line: first.no,
            quote: quote.join(" | ").chars().take(300).collect(),
        }
    }

    fn timeline(&mut self, t: &lines::Table) {
        let col = |name: &str| t.header.iter().position(|h| h.contains(name));
        let (c_step, c_when, c_lead, c_coord) = (
            col("noi dung").unwrap_or(1),
            col("thoi gian"),
            col("chu tri"),
            col("phoi hop"),
        );
        for row in &t.rows {
            let cell = |c: Option<usize>| -> Option<String> {
                let c = c?;
                // A row with a missing cell: align from the right.
                let shift = t.header.len().saturating_sub(row.len());
                let idx = if c >= shift && c > c_step {
                    c - shift
                } else {
                    c
                };
                row.get(idx)
                    .map(|(_, s)| s.clone())
                    .filter(|s| !s.is_empty())
            };
            let step = cell(Some(c_step)).unwrap_or_default();
            if step.is_empty() {
                continue;
            }
            // Agencies of a cell: those named, else its parts between ";".
            let split = |s: Option<String>| -> Vec<String> {
                let Some(s) = s else { return vec![] };
                s.split(';')
                    .flat_map(|part| {
                        let named = phrases::agencies(part);
                        if named.is_empty() {
                            vec![part.trim().to_string()]
                        } else {
                            named.into_iter().map(|a| a.name).collect()
                        }
                    })
                    .filter(|x| x.chars().count() > 3)
                    .collect()
            };
            let source = self.row_source(row);
            self.out.timeline.push(TimelineStep {
                step,
                when: cell(c_when),
                lead_agency: cell(c_lead),
                coordinating_agencies: split(cell(c_coord)),
                source,
            });
        }
    }

    /// An appendix of indicators: group rows (an agency or a district
    /// heading) lead the rows under them; each row's values are targets of
    /// the milestone columns (split by category when the header has LN / NTT
    /// / LNTT under each milestone).
    fn appendix(&mut self, t: &lines::Table, header_years: &[i32]) {
        let mut lead: Option<String> = None;
        let mut years: Vec<i32> = header_years.to_vec();
        let mut categories: Vec<&'static str> = vec![];
        for row in &t.rows {
            let cells: Vec<&str> = row.iter().map(|(_, s)| s.as_str()).collect();
            if cells.len() < 2 {
                continue;
            }
            let key = cells[0];
            let content = cells[1];
            // A second header inside the table ("B | CÁC HUYỆN | | Đến năm 2025 | Đến năm 2030 | LN | NTT | LNTT …").
            let sub_years: Vec<i32> = cells
                .iter()
                .skip(2)
                .filter_map(|c| {
                    let f = fold_vi(c);
                    (f.starts_with("den nam") || f.starts_with("nam "))
                        .then(|| phrases::years(c).last().copied())
                        .flatten()
                })
                .collect();
            if !sub_years.is_empty() {
                years = sub_years;
                categories = cells
                    .iter()
                    .filter_map(|c| match fold_vi(c).as_str() {
                        "ln" => Some("LN"),
                        "ntt" => Some("NTT"),
                        "lntt" => Some("LNTT"),
                        _ => None,
                    })
                    .collect();
                lead = None;
                continue;
            }
            let is_group = key.chars().all(|c| c.is_ascii_uppercase()) && !key.is_empty();
            if is_group {
                let agencies = phrases::agencies(content);
                lead = agencies
                    .first()
                    .map(|a| a.name.clone())
                    .or(Some(content.to_string()));
                if key.len() == 1 {
                    lead = None;
                }
                if let Some(a) = agencies.first() {
                    lead = Some(a.name.clone());
                }
                continue;
            }
            // unit then values.
            let rest: Vec<&str> = cells[2..].to_vec();
            let (unit, values): (Option<String>, Vec<&str>) = match rest.first() {
                Some(u) if !u.is_empty() && !looks_numeric(u) => {
                    (Some(u.to_string()), rest[1..].to_vec())
                }
                Some(&"") => (None, rest[1..].to_vec()),
                _ => (None, rest.clone()),
            };
            let mut targets = Vec::new();
            let source = self.row_source(row);
            let push =
                |year: i32, cat: Option<&'static str>, v: &str, targets: &mut Vec<TargetDraft>| {
                    if v.trim().is_empty() {
                        return;
                    }
                    let wording = v.trim().to_string();
                    let form = parse_target(&wording.replace('.', ","))
                        .ok()
                        .or_else(|| parse_target(&wording).ok());
                    targets.push(TargetDraft {
                        year: Some(year),
                        wording,
                        form,
                        category: cat.map(str::to_string),
                        source: source.clone(),
                    });
                };
            let ncat = categories.len() / years.len().max(1);
            if ncat > 1 && values.len() == years.len() * ncat {
                for (k, v) in values.iter().enumerate() {
                    push(years[k / ncat], categories.get(k).copied(), v, &mut targets);
                }
            } else if values.len() == years.len() {
                for (k, v) in values.iter().enumerate() {
                    push(years[k], None, v, &mut targets);
                }
            } else if values.len() == 1 {
                if let Some(y) = years.last() {
                    push(*y, None, values[0], &mut targets);
                }
            } else {
                for (k, v) in values.iter().enumerate().take(years.len()) {
                    push(years[k], None, v, &mut targets);
                }
            }
            if targets.is_empty() && unit.is_none() {
                // A task line of the appendix without figures.
                continue;
            }
            let unit = if ncat > 1 && unit.is_none() {
                Some("LN/NTT/LNTT".to_string())
            } else {
                unit
            };
            self.out.indicators.push(IndicatorDraft {
                name: content.trim_end_matches([';', '.']).to_string(),
                unit,
                lead_agency: lead.clone(),
                targets,
                results: vec![],
            });
        }
    }

    fn finish(mut self) -> PlanReading {
        // Contents without a lead of their own are the programme lead's.
        if let Some(lead) = self.out.lead_agency.clone() {
            for (t, part) in self.out.tasks.iter_mut().zip(&self.task_parts) {
                if t.lead_agency.is_none() && *part == Part::Tasks {
                    t.lead_agency = Some(lead.clone());
                    t.lead_inferred = true;
                }
            }
        }
        if self.out.period.end.is_none() {
            let years: Vec<i32> = self
                .out
                .indicators
                .iter()
                .flat_map(|i| i.targets.iter().filter_map(|t| t.year))
                .collect();
            self.out.period.end = years.iter().max().copied();
            self.out.period.start = self
                .out
                .document
                .date
                .map(|d| d.year())
                .or(years.iter().min().copied());
        }
        self.out
    }
}

fn looks_numeric(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit()) && s.chars().filter(|c| c.is_alphabetic()).count() <= 3
}

/// The heading part of a numbered line: up to a colon, or the whole line.
fn heading_text(body: &str) -> &str {
    match body.find(':') {
        Some(b) if body[..b].chars().count() < 120 => body[..b].trim(),
        _ => body.trim(),
    }
}

/// A heading rather than a sentence: short and without a full stop.
fn heading_is_short(h: &str) -> bool {
    h.chars().count() <= 110 && !h.trim_end().ends_with('.')
}

/// "II.2.a" for the position in the plan's lists.
fn section_label(roman: u32, numbers: &[u32], letter: Option<char>) -> String {
    const R: [&str; 13] = [
        "", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    let mut parts: Vec<String> = Vec::new();
    if let Some(r) = R.get(roman as usize).filter(|r| !r.is_empty()) {
        parts.push((*r).to_string());
    }
    parts.extend(numbers.iter().map(u32::to_string));
    if let Some(c) = letter {
        parts.push(c.to_string());
    }
    parts.join(".")
}

/// The plan's years from its title: "giai đoạn 2022 - 2025", "năm 2018".
fn period_of(title: &str) -> PlanPeriod {
    let f = fold_vi(title);
    if let Some(at) = f.find("giai doan ") {
        let ys = phrases::years(&f[at..]);
        if ys.len() >= 2 {
            return PlanPeriod {
                start: Some(ys[0]),
                end: Some(ys[1]),
            };
        }
    }
    let ys = phrases::years(&f);
    match ys.as_slice() {
        [y] => PlanPeriod {
            start: Some(*y),
            end: Some(*y),
        },
        [a, b, ..] if b > a && b - a <= 15 => PlanPeriod {
            start: Some(*a),
            end: Some(*b),
        },
        _ => PlanPeriod::default(),
    }
}

/// The title of a referenced document: the words after its number and date,
/// from "về", "phê duyệt", "ban hành" … ("Phê duyệt Chương trình bảo tồn …").
fn title_after(rest: &str) -> Option<String> {
    let lower = rest.to_lowercase();
    let starts = [
        "phê duyệt",
        "về việc",
        "về ",
        "ban hành",
        "quy định",
        "hướng dẫn",
        "thực hiện",
    ];
    let at = starts.iter().filter_map(|s| lower.find(s)).min()?;
    let t = rest[at..].trim();
    let t = t.split([';', '(']).next().unwrap_or(t);
    let t = t.split(", UBND").next().unwrap_or(t);
    let t = t.split(". ").next().unwrap_or(t);
    let t = [
        " và Chương trình số",
        " và Quyết định số",
        " và Kế hoạch số",
        " và Nghị quyết số",
    ]
    .iter()
    .fold(t, |t, cut| t.split(cut).next().unwrap_or(t));
    let t = t.split(", Ủy ban").next().unwrap_or(t);
    let t = t.trim().trim_end_matches([',', '.']);
    if t.chars().count() < 8 {
        return None;
    }
    let mut cs = t.chars();
    let first = cs.next()?;
    Some(first.to_uppercase().collect::<String>() + cs.as_str())
}

/// A task's due date as written ("trước ngày 30/6/2018", "Quý II/2018", "tháng 9/2017").
fn due_of(text: &str) -> Option<String> {
    static DUE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let r = DUE
        .get_or_init(|| {
            regex::Regex::new(r"(?i)(trước ngày\s+\d{1,2}/\d{1,2}(?:/\d{4})?|quý\s+[IV]+(?:/\d{4})?|trong\s+(?:tháng|quý)\s+[\dIV]+(?:/\d{4})?)").ok()
        })
        .as_ref()?;
    r.find(text).map(|m| m.as_str().to_string())
}

/// The name of an indicator from its sentence: the sentence, trimmed.
fn indicator_name(body: &str) -> String {
    let t = body.trim().trim_end_matches(['.', ';', ',']);
    let t = match t.find(':') {
        Some(b) if phrases::milestones(&t[..b]).len() == 1 && t[..b].chars().count() < 60 => {
            t[b + 1..].trim()
        }
        _ => t,
    };
    t.chars().take(250).collect()
}

/// The words of a name without numbers and qualifiers, for matching the same
/// indicator across milestones.
fn indicator_key(name: &str) -> Vec<String> {
    const DROP: &[&str] = &[
        "it", "nhat", "tren", "khoang", "toi", "thieu", "phan", "dau", "va", "co", "duoc", "den",
        "nam",
    ];
    fold_vi(name)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().any(|c| c.is_ascii_digit()) && !DROP.contains(w))
        .map(str::to_string)
        .collect()
}

fn similar(a: &[String], b: &[String]) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let sa: std::collections::HashSet<&String> = a.iter().collect();
    let sb: std::collections::HashSet<&String> = b.iter().collect();
    let inter = sa.intersection(&sb).count() as f64;
    let union = sa.union(&sb).count() as f64;
    inter / union >= 0.6
}

#[cfg(test)]
mod tests;
