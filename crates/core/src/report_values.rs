//! Values of a unit report: what kind of number each indicator takes, the
//! checks run on save and before submission, and how approved unit values
//! add up into the province figure.
//!
//! Checks:
//! - the text must be a number in Vietnamese format (`17.800`, `71,2`);
//! - counts (làng nghề, lớp, cuộc, người…) are whole and not negative;
//!   money is not negative; percentages lie in 0–100; multiples (`lần`)
//!   are not negative; growth rates (`%/năm`) may be negative;
//! - a total and its parts must agree (13.265 + 10.735 = 24.000);
//! - a value more than `jump_factor` times the previous period's (or less
//!   than its `1/jump_factor`) is a warning that needs a comment.
//!
//! Errors block submission; warnings block it only while their comment is
//! empty. Saving a draft is always allowed: nothing typed is lost.

use serde::Serialize;

use crate::plan::check_split;
use crate::vnfmt::{self, format_decimal_trim, ParseNumberError};

/// What kind of number an indicator takes, from its unit of measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// Whole, non-negative: villages, classes, people, samples…
    Count,
    /// 0–100.
    Percent,
    /// A growth rate in % per year: any sign.
    Rate,
    /// Times a baseline (`lần`): non-negative.
    Multiple,
    /// Money: non-negative, decimals allowed (triệu đồng).
    Money,
    /// Anything else: non-negative, decimals allowed.
    Quantity,
}

/// The kind of value of an indicator measured in `unit` (as the plan prints it).
pub fn value_kind(unit: &str) -> ValueKind {
    let u = crate::text::fold_vi(unit);
    let u = u.trim();
    if u == "%" || u == "phan tram" {
        return ValueKind::Percent;
    }
    if u.starts_with('%') || u.contains("%/nam") {
        return ValueKind::Rate;
    }
    if u == "lan" {
        return ValueKind::Multiple;
    }
    if u.contains("dong") || u.contains("usd") {
        return ValueKind::Money;
    }
    const COUNTS: &[&str] = &[
        "ln",
        "ntt",
        "lntt",
        "lop",
        "cuoc",
        "mau",
        "da",
        "mh",
        "cum",
        "nguoi",
        "lao dong",
        "ho",
        "co so",
        "san pham",
        "nghe",
        "lang",
        "du an",
        "mo hinh",
        "doanh nghiep",
        "hop tac xa",
        "nghe nhan",
        "hoi cho",
        "gian hang",
        "chuong trinh",
        "de an",
        "lang nghe",
        "thuong hieu",
        "nhan hieu",
        "cai",
        "chiec",
        "bo",
        "diem",
        "xa",
        "huyen",
        "don vi",
        "hoc vien",
        "khoa",
        "tour",
        "tuyen",
        "ban",
        "hoi nghi",
        "hoi thao",
    ];
    let parts: Vec<&str> = u.split(['/', ',', ';']).map(str::trim).collect();
    if !parts.is_empty() && parts.iter().all(|p| COUNTS.contains(p)) {
        return ValueKind::Count;
    }
    ValueKind::Quantity
}

/// One line of a unit report as checked: an indicator × disaggregation.
#[derive(Debug, Clone)]
pub struct LineCheck<'a> {
    pub indicator_id: i64,
    /// `""` for the indicator's total, else the category key.
    pub category: &'a str,
    /// Shown in messages: "I.2.1 — Làng nghề được khôi phục (LN)".
    pub label: &'a str,
    pub unit: &'a str,
    /// As typed.
    pub value_text: &'a str,
    pub previous: Option<f64>,
    pub comment: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding on one line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Index into the checked lines.
    pub line: usize,
    /// `value` or `comment`.
    pub field: &'static str,
    pub severity: Severity,
    /// Stable code for programs: `not_a_number`, `negative`, `not_whole`,
    /// `percent_range`, `split_mismatch`, `jump`, `jump_needs_comment`.
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

impl Finding {
    /// Whether this finding stops the report from being submitted.
    pub fn blocks_submission(&self) -> bool {
        self.severity == Severity::Error || self.code == "jump_needs_comment"
    }
}

/// Parse the text of a value: `Ok(None)` when blank.
pub fn parse_value(text: &str) -> Result<Option<f64>, ParseNumberError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    // A trailing % is welcome on percentages.
    let t = t.strip_suffix('%').map(str::trim).unwrap_or(t);
    vnfmt::parse_number(t).map(Some)
}

fn fmt(v: f64) -> String {
    format_decimal_trim(v, 3)
}

/// Check the lines of one report. `jump_factor` ≤ 1 disables the jump check.
pub fn check_lines(lines: &[LineCheck<'_>], jump_factor: f64) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut values: Vec<Option<f64>> = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let err = |code: &'static str, vi: String, en: String| Finding {
            line: i,
            field: "value",
            severity: Severity::Error,
            code,
            message_vi: vi,
            message_en: en,
        };
        let v = match parse_value(l.value_text) {
            Ok(v) => v,
            Err(e) => {
                let (vi, en) = match e {
                    ParseNumberError::Ambiguous(_) => (
                        format!(
                            "{}: \"{}\" không rõ — dấu thập phân là dấu phẩy (ví dụ 71,2)",
                            l.label,
                            l.value_text.trim()
                        ),
                        format!(
                            "{}: \"{}\" is ambiguous — the decimal mark is a comma (e.g. 71,2)",
                            l.label,
                            l.value_text.trim()
                        ),
                    ),
                    _ => (
                        format!("{}: \"{}\" không phải là số", l.label, l.value_text.trim()),
                        format!("{}: \"{}\" is not a number", l.label, l.value_text.trim()),
                    ),
                };
                out.push(err("not_a_number", vi, en));
                values.push(None);
                continue;
            }
        };
        values.push(v);
        let Some(v) = v else { continue };
        let kind = value_kind(l.unit);
        if v < 0.0 && kind != ValueKind::Rate {
            out.push(err(
                "negative",
                format!("{}: giá trị không được âm ({})", l.label, fmt(v)),
                format!("{}: the value cannot be negative ({})", l.label, fmt(v)),
            ));
            continue;
        }
        if kind == ValueKind::Count && v.fract() != 0.0 {
            out.push(err(
                "not_whole",
                format!(
                    "{}: số đếm ({}) phải là số nguyên, không phải {}",
                    l.label,
                    l.unit,
                    fmt(v)
                ),
                format!(
                    "{}: a count ({}) must be a whole number, not {}",
                    l.label,
                    l.unit,
                    fmt(v)
                ),
            ));
            continue;
        }
        if kind == ValueKind::Percent && v > 100.0 {
            out.push(err(
                "percent_range",
                format!(
                    "{}: tỷ lệ phải từ 0 đến 100 %, không phải {} %",
                    l.label,
                    fmt(v)
                ),
                format!(
                    "{}: a percentage must be 0–100 %, not {} %",
                    l.label,
                    fmt(v)
                ),
            ));
            continue;
        }
        if jump_factor > 1.0 {
            if let Some(p) = l.previous.filter(|p| *p > 0.0) {
                if v > p * jump_factor || v < p / jump_factor {
                    let needs = l.comment.trim().is_empty();
                    out.push(Finding {
                        line: i,
                        field: if needs { "comment" } else { "value" },
                        severity: Severity::Warning,
                        code: if needs { "jump_needs_comment" } else { "jump" },
                        message_vi: format!(
                            "{}: {} so với kỳ trước {} (chênh quá {} lần){}",
                            l.label,
                            fmt(v),
                            fmt(p),
                            fmt(jump_factor),
                            if needs {
                                " — cần ghi chú giải thích"
                            } else {
                                ""
                            }
                        ),
                        message_en: format!(
                            "{}: {} against {} last period (more than {}×){}",
                            l.label,
                            fmt(v),
                            fmt(p),
                            fmt(jump_factor),
                            if needs {
                                " — a comment is required"
                            } else {
                                ""
                            }
                        ),
                    });
                }
            }
        }
    }
    // Totals against their parts, per indicator.
    for (i, l) in lines.iter().enumerate() {
        if !l.category.is_empty() {
            continue;
        }
        let Some(total) = values[i] else { continue };
        let parts: Vec<(usize, f64)> = lines
            .iter()
            .enumerate()
            .filter(|(_, p)| p.indicator_id == l.indicator_id && !p.category.is_empty())
            .filter_map(|(j, _)| values[j].map(|v| (j, v)))
            .collect();
        let expected = lines
            .iter()
            .filter(|p| p.indicator_id == l.indicator_id && !p.category.is_empty())
            .count();
        if parts.is_empty() || parts.len() != expected {
            continue;
        }
        let nums: Vec<f64> = parts.iter().map(|(_, v)| *v).collect();
        if let Err(crate::plan::SplitError::Mismatch { sum, .. }) = check_split(total, &nums, 0.0) {
            let shown: Vec<String> = nums.iter().map(|v| fmt(*v)).collect();
            out.push(Finding {
                line: i,
                field: "value",
                severity: Severity::Error,
                code: "split_mismatch",
                message_vi: format!(
                    "{}: tổng {} khác tổng các phần {} = {}",
                    l.label,
                    fmt(total),
                    shown.join(" + "),
                    fmt(sum)
                ),
                message_en: format!(
                    "{}: total {} differs from the sum of its parts {} = {}",
                    l.label,
                    fmt(total),
                    shown.join(" + "),
                    fmt(sum)
                ),
            });
        }
    }
    out
}

/// The total of an indicator when only its parts were filled in.
pub fn total_from_parts(parts: &[Option<f64>]) -> Option<f64> {
    if parts.is_empty() || parts.iter().any(Option::is_none) {
        return None;
    }
    Some(parts.iter().flatten().sum())
}

/// How unit values of one indicator add up into the province value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Across {
    /// Counts and amounts: the sum of the units.
    Sum,
    /// Rates and averages: the mean of the units that reported.
    Mean,
}

/// How an indicator with `aggregation` (sum / average / latest / ratio) adds up across units.
pub fn across_units(aggregation: &str) -> Across {
    match aggregation {
        "average" | "ratio" => Across::Mean,
        _ => Across::Sum,
    }
}

/// The province value from unit values (`None` when no unit reported one).
pub fn consolidate(across: Across, values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let sum: f64 = values.iter().sum();
    Some(match across {
        Across::Sum => sum,
        Across::Mean => sum / values.len() as f64,
    })
}

/// The province value from a kept sum of `n` unit values: the same as
/// [`consolidate`] over those values (`None` when no unit reported one).
pub fn consolidate_kept(across: Across, sum: f64, n: i64) -> Option<f64> {
    if n <= 0 {
        return None;
    }
    Some(match across {
        Across::Sum => sum,
        Across::Mean => sum / n as f64,
    })
}

/// The value to the milestone: earlier periods' values and this one's.
/// `sum` indicators add up over periods; the others keep the latest.
pub fn cumulative(aggregation: &str, earlier: &[f64], this: Option<f64>) -> Option<f64> {
    if aggregation == "sum" {
        if earlier.is_empty() && this.is_none() {
            return None;
        }
        Some(earlier.iter().sum::<f64>() + this.unwrap_or(0.0))
    } else {
        this.or_else(|| earlier.last().copied())
    }
}

/// Which milestone a period of `year` reports against: the first milestone
/// year at or after it, else the last one. Milestones are the targets'
/// texts ("2025", "2022-2030"); a range counts at its last year.
pub fn milestone_for(year: i32, milestones: &[String]) -> Option<String> {
    let end = |m: &str| -> Option<i32> {
        m.rsplit(['-', '–'])
            .next()
            .and_then(|y| y.trim().parse::<i32>().ok())
    };
    let mut with_year: Vec<(i32, &String)> = milestones
        .iter()
        .filter_map(|m| end(m).map(|y| (y, m)))
        .collect();
    // One milestone per year, the plain year before a range ending in it.
    with_year.sort_by_key(|(y, m)| (*y, m.len()));
    with_year.dedup_by_key(|(y, _)| *y);
    with_year
        .iter()
        .find(|(y, _)| *y >= year)
        .or_else(|| with_year.last())
        .map(|(_, m)| (*m).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A kept (sum, count) gives the same province value as the values themselves.
        #[test]
        fn kept_sum_consolidates_like_the_values(vals in proptest::collection::vec(0u32..1_000_000, 0..50), mean in proptest::bool::ANY) {
            let vals: Vec<f64> = vals.into_iter().map(f64::from).collect();
            let across = if mean { Across::Mean } else { Across::Sum };
            let kept = consolidate_kept(across, vals.iter().sum(), vals.len() as i64);
            proptest::prop_assert_eq!(kept, consolidate(across, &vals));
        }
    }

    fn line<'a>(id: i64, cat: &'a str, unit: &'a str, text: &'a str) -> LineCheck<'a> {
        LineCheck {
            indicator_id: id,
            category: cat,
            label: "X",
            unit,
            value_text: text,
            previous: None,
            comment: "",
        }
    }

    #[test]
    fn kinds_from_units() {
        assert_eq!(value_kind("%"), ValueKind::Percent);
        assert_eq!(value_kind("%/năm"), ValueKind::Rate);
        assert_eq!(value_kind("lần"), ValueKind::Multiple);
        assert_eq!(value_kind("triệu đồng"), ValueKind::Money);
        assert_eq!(value_kind("LN/NTT/LNTT"), ValueKind::Count);
        assert_eq!(value_kind("lớp"), ValueKind::Count);
        assert_eq!(value_kind("DA/MH"), ValueKind::Count);
        assert_eq!(value_kind("người"), ValueKind::Count);
        assert_eq!(value_kind("tấn"), ValueKind::Quantity);
    }

    #[test]
    fn values_parse_in_vietnamese_format() {
        assert_eq!(parse_value(" 17.800 "), Ok(Some(17800.0)));
        assert_eq!(parse_value("71,2 %"), Ok(Some(71.2)));
        assert_eq!(parse_value(""), Ok(None));
        assert!(parse_value("1.5").is_err());
        assert!(parse_value("abc").is_err());
    }

    #[test]
    fn type_and_range_errors_name_the_line() {
        let lines = [
            line(1, "", "LN", "-1"),
            line(2, "", "lớp", "2,5"),
            line(3, "", "%", "120"),
            line(4, "", "%/năm", "-3"),
            line(5, "", "người", "abc"),
            line(6, "", "%", "71,2"),
        ];
        let f = check_lines(&lines, 3.0);
        let codes: Vec<(usize, &str)> = f.iter().map(|f| (f.line, f.code)).collect();
        assert_eq!(
            codes,
            vec![
                (0, "negative"),
                (1, "not_whole"),
                (2, "percent_range"),
                (4, "not_a_number")
            ]
        );
        assert!(f.iter().all(Finding::blocks_submission));
        assert!(f[2].message_vi.contains("120"), "{}", f[2].message_vi);
    }

    #[test]
    fn split_sums_are_checked_against_the_total() {
        // Hà Nội 2018: 24.000 jobs = 13.265 agricultural + 10.735 other.
        let ok = [
            line(1, "", "người", "24.000"),
            line(1, "agricultural", "người", "13.265"),
            line(1, "non_agricultural", "người", "10.735"),
        ];
        assert!(check_lines(&ok, 3.0).is_empty());
        let bad = [
            line(1, "", "người", "24.000"),
            line(1, "agricultural", "người", "13.265"),
            line(1, "non_agricultural", "người", "10.000"),
        ];
        let f = check_lines(&bad, 3.0);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "split_mismatch");
        assert_eq!(f[0].line, 0);
        assert!(
            f[0].message_vi.contains("13.265 + 10.000 = 23.265"),
            "{}",
            f[0].message_vi
        );
        // Parts not all filled: no check yet.
        let partial = [
            line(1, "", "người", "24.000"),
            line(1, "agricultural", "người", "13.265"),
            line(1, "non_agricultural", "người", ""),
        ];
        assert!(check_lines(&partial, 3.0).is_empty());
    }

    #[test]
    fn jumps_warn_and_need_a_comment() {
        let mut l = line(1, "", "lớp", "40");
        l.previous = Some(10.0);
        let f = check_lines(std::slice::from_ref(&l), 3.0);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].code, "jump_needs_comment");
        assert!(f[0].blocks_submission());
        l.comment = "Năm nay mở thêm lớp theo đề án mới";
        let f = check_lines(std::slice::from_ref(&l), 3.0);
        assert_eq!(f[0].code, "jump");
        assert!(!f[0].blocks_submission());
        // Within the factor, or the check disabled: nothing.
        l.value_text = "25";
        assert!(check_lines(std::slice::from_ref(&l), 3.0).is_empty());
        l.value_text = "100";
        assert!(check_lines(std::slice::from_ref(&l), 0.0).is_empty());
        // A drop is a jump too.
        l.value_text = "2";
        l.comment = "";
        assert_eq!(
            check_lines(std::slice::from_ref(&l), 3.0)[0].code,
            "jump_needs_comment"
        );
    }

    #[test]
    fn consolidation_rules() {
        assert_eq!(consolidate(across_units("sum"), &[3.0, 4.0]), Some(7.0));
        assert_eq!(
            consolidate(across_units("ratio"), &[70.0, 80.0]),
            Some(75.0)
        );
        assert_eq!(consolidate(Across::Sum, &[]), None);
        assert_eq!(cumulative("sum", &[5.0, 6.0], Some(2.0)), Some(13.0));
        assert_eq!(cumulative("sum", &[], None), None);
        assert_eq!(cumulative("latest", &[5.0, 6.0], None), Some(6.0));
        assert_eq!(cumulative("ratio", &[50.0], Some(71.2)), Some(71.2));
        assert_eq!(
            total_from_parts(&[Some(13265.0), Some(10735.0)]),
            Some(24000.0)
        );
        assert_eq!(total_from_parts(&[Some(1.0), None]), None);
    }

    #[test]
    fn milestones_by_year() {
        let ms = vec![
            "2030".to_string(),
            "2025".to_string(),
            "2022-2030".to_string(),
        ];
        assert_eq!(milestone_for(2023, &ms).as_deref(), Some("2025"));
        assert_eq!(milestone_for(2026, &ms).as_deref(), Some("2030"));
        assert_eq!(milestone_for(2040, &ms).as_deref(), Some("2030"));
        assert_eq!(milestone_for(2023, &[]), None);
    }
}
