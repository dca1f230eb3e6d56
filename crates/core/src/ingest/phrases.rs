//! The phrases of Vietnamese administrative language a plan is read by:
//! quantities with their qualifier and unit noun, amounts of money, agency
//! names and their roles, document numbers, dates, places.

use crate::text::fold_vi;
use regex::Regex;
use std::sync::OnceLock;

macro_rules! re {
    ($name:ident, $pat:expr) => {
        fn $name() -> &'static Regex {
            static R: OnceLock<Regex> = OnceLock::new();
            R.get_or_init(|| Regex::new($pat).unwrap_or_else(|e| panic!("bad pattern: {e}")))
        }
    };
}

/// A number in Vietnamese notation: "24.000", "1,5", "07", "163,4".
const NUM: &str = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?";

re!(
    quantity_re,
    &format!(
        r"(?i)(?P<qual>(?:(?:phấn đấu|ít nhất|tối thiểu|khoảng|trên|dưới|tối đa|không quá|không dưới|hơn|gần|thêm|tăng bình quân|tăng|gấp|từ)\s+)*)(?P<num>{NUM})(?P<range>\s*(?:-|–|đến)\s*(?:{NUM}))?(?P<pct>\s*%(?:\s*/\s*năm)?)?"
    )
);
re!(so_voi_re, r"^\s*so với(?: năm)?\s*(?:19|20)\d{2}");
re!(
    unit_place_re,
    r"^(?:tỉnh|thành phố|quận|huyện|thị xã|xã|phường|thị trấn)\s+"
);
re!(
    second_day_re,
    r"(?i)\bvà\s+(?:ngày\s+)?(\d{1,2})\s*(?:/|tháng)\s*(\d{1,2})\b"
);
re!(
    unit_group_re,
    r"^(?:các\s+(?:quận|huyện|thị xã|thành phố|xã|phường|thị trấn)(?:\s*(?:,|và)\s*(?:quận|huyện|thị xã|thành phố|xã|phường|thị trấn))*|(?:quận|huyện|thị xã|thành phố|xã|phường|thị trấn)(?:\s*(?:,|và)\s*(?:quận|huyện|thị xã|thành phố|xã|phường|thị trấn))+)(?:\s|,|;|\.|$)"
);
re!(year_re, r"\b(19|20)\d{2}\b");
re!(
    milestone_re,
    r"(?i)(?:đến|tới|trong)?\s*(?:hết\s+)?(?:năm|giai đoạn)\s+((?:19|20)\d{2})(?:\s*[-–]\s*((?:19|20)\d{2}))?"
);
re!(
    money_re,
    &format!(r"(?i)(?P<num>{NUM})\s*(?P<unit>tỷ|tỉ|triệu|nghìn|ngàn)?\s*(?:đồng|VNĐ|VND|đ)\b")
);
re!(
    doc_number_re,
    r"\b\d{1,5}(?:/\d{4})?/[A-ZĐ][A-Za-zĐđ&]*(?:-[A-ZĐ][A-Za-zĐđ0-9&]*)+"
);
re!(
    date_re,
    r"(?i)ngày\s+(\d{1,2})\s*(?:/|-|tháng)\s*(\d{1,2})\s*(?:/|-|năm)\s*((?:19|20)\d{2})"
);
re!(
    day_month_re,
    r"(?i)ngày\s+(\d{1,2})\s*(?:/|tháng)\s*(\d{1,2})\b(?:\s*(?:/|năm)\s*\d{4})?"
);

/// A quantity as written, with where it stands in the sentence (char offsets).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Quantity {
    pub start: usize,
    pub end: usize,
    /// The words as written: "ít nhất 11 làng nghề", "Trên 70%", "khoảng 24.000 lao động".
    pub wording: String,
    /// The first number.
    pub value: f64,
    /// The unit noun ("làng nghề", "lao động", "%", "lần"), lower case.
    pub unit: String,
    /// LN, NTT or LNTT when the unit is a kind of craft village.
    pub category: Option<&'static str>,
}

/// Words that end a unit noun phrase.
const UNIT_STOPS: &[&str] = &[
    "và", "cho", "của", "để", "được", "có", "gắn", "tại", "trong", "thuộc", "theo", "với", "so",
    "trở", "đạt", "đến", "nhằm", "phục", "mỗi", "trên", "ở", "đáp", "hoạt", "tham", "thực", "xây",
    "phát", "nâng", "về", "là", "đi", "từ", "khi", "bằng", "do", "nên", "đã", "sẽ", "vào", "ra",
    "chiếm", "góp", "tạo", "hỗ", "giúp", "qua", "thông", "làm", "tổ", "cấy", "truyền", "nhân",
];

/// Unit nouns that take the next word with them ("làng nghề", "cơ sở").
fn unit_len(words: &[&str]) -> usize {
    let f: Vec<String> = words.iter().take(4).map(|w| fold_vi(w)).collect();
    let s = f.join(" ");
    for (p, n) in [
        ("lang nghe truyen thong", 4),
        ("nghe truyen thong", 3),
        ("lang nghe", 2),
        ("co so", 2),
        ("lao dong", 2),
        ("doanh nghiep", 2),
        ("san pham", 2),
        ("hoi cho", 2),
        ("mo hinh", 2),
        ("du an", 2),
        ("de an", 2),
        ("nhan hieu", 2),
        ("hoc vien", 2),
        ("can bo", 2),
        ("gian hang", 2),
        ("hop tac xa", 3),
        ("hoi thao", 2),
        ("hoi nghi", 2),
        ("cuoc thi", 2),
        ("loai hinh", 2),
        ("cum cong nghiep", 3),
        ("nghe nhan", 2),
        ("ho gia dinh", 3),
        ("nguoi lao dong", 3),
        ("luot", 1),
        ("lop", 1),
        ("nguoi", 1),
        ("mau", 1),
        ("lang", 1),
        ("nghe", 1),
        ("cuoc", 1),
        ("xa", 1),
        ("huyen", 1),
        ("ho", 1),
        ("ngay", 1),
        ("thang", 1),
        ("lan", 1),
        ("doan", 1),
        ("ha", 1),
        ("tan", 1),
    ] {
        if s == p || s.starts_with(&format!("{p} ")) {
            return n;
        }
    }
    0
}

fn category_of(unit_folded: &str) -> Option<&'static str> {
    if unit_folded.starts_with("lang nghe truyen thong") {
        Some("LNTT")
    } else if unit_folded.starts_with("nghe truyen thong") {
        Some("NTT")
    } else if unit_folded.starts_with("lang nghe") {
        Some("LN")
    } else {
        None
    }
}

/// Character offset of byte `b` of `s`.
pub(super) fn char_at(s: &str, b: usize) -> usize {
    s[..b].chars().count()
}

/// Whether the number at `[b0, b1)` of `s` is not a quantity: a year, part of
/// a date or document number, a list number, a percentage of a plan ("đạt
/// 71,2% kế hoạch").
fn not_a_quantity(s: &str, b0: usize, b1: usize, pct: bool) -> bool {
    let before = &s[..b0];
    let after = &s[b1..];
    let num = &s[b0..b1];
    let prev_word = fold_vi(before.split_whitespace().last().unwrap_or(""));
    if matches!(
        prev_word.as_str(),
        "nam"
            | "so"
            | "ngay"
            | "thang"
            | "quy"
            | "muc"
            | "khoan"
            | "dieu"
            | "phu"
            | "bieu"
            | "giai"
            | "doan"
            | "lan"
            | "khoa"
            | "dot"
            | "buoc"
            | "ky"
    ) {
        return true;
    }
    if before.ends_with('/') || after.starts_with('/') || after.starts_with("/QĐ") {
        return true;
    }
    if !pct
        && num.len() == 4
        && (num.starts_with("19") || num.starts_with("20"))
        && !num.contains(['.', ','])
    {
        return true;
    }
    if pct {
        let next = fold_vi(&after.chars().take(14).collect::<String>());
        if next.trim_start().starts_with("ke hoach") || next.trim_start().starts_with("chi phi") {
            return true;
        }
    }
    false
}

/// The quantities of a sentence, outside parentheses (a class "dưới 03 tháng"
/// in brackets describes, it does not target). A quantity without its own
/// qualifier that follows another in an enumeration ("ít nhất 11 làng nghề,
/// 21 nghề truyền thống và 13 …") takes that one's qualifier.
pub(super) fn quantities(s: &str) -> Vec<Quantity> {
    let depth = paren_depths(s);
    let mut out: Vec<Quantity> = Vec::new();
    let mut prev_end_b: Option<usize> = None;
    let mut prev_qual = String::new();
    for c in quantity_re().captures_iter(s) {
        let Some(whole) = c.get(0) else { continue };
        let Some(num) = c.name("num") else { continue };
        let pct = c.name("pct").is_some();
        if depth.get(num.start()).copied().unwrap_or(0) > 0 {
            continue;
        }
        if not_a_quantity(
            s,
            num.start(),
            c.name("range").map_or(num.end(), |r| r.end()),
            pct,
        ) {
            continue;
        }
        // The unit after the number.
        let mut end_b = whole.end();
        let rest = &s[end_b..];
        let mut unit = String::new();
        if pct {
            unit = c
                .name("pct")
                .map(|p| p.as_str().replace(' ', ""))
                .unwrap_or_default();
        } else {
            let words: Vec<&str> = rest
                .split(|ch: char| ch.is_whitespace())
                .filter(|w| !w.is_empty())
                .take(5)
                .collect();
            let clean: Vec<String> = words
                .iter()
                .map(|w| w.trim_end_matches([',', ';', '.', ':', ')']).to_string())
                .collect();
            let refs: Vec<&str> = clean.iter().map(String::as_str).collect();
            let mut n = unit_len(&refs);
            if n == 0 {
                // Any words up to a stop word or punctuation (at most three).
                for w in &words {
                    let bare = w.trim_end_matches([',', ';', '.', ':', ')']);
                    if bare.is_empty()
                        || UNIT_STOPS.contains(&bare.to_lowercase().as_str())
                        || bare.chars().any(|ch| ch.is_ascii_digit())
                        || bare.starts_with('(')
                    {
                        break;
                    }
                    n += 1;
                    if bare.len() != w.len() || n >= 3 {
                        break;
                    }
                }
            }
            if n > 0 {
                unit = clean[..n.min(clean.len())].join(" ");
                // Extend end_b over the unit words as written.
                let mut taken = 0;
                let mut b = 0;
                let bytes = rest;
                let mut in_word = false;
                for (i, ch) in bytes.char_indices() {
                    if ch.is_whitespace() {
                        if in_word {
                            taken += 1;
                            in_word = false;
                            if taken == n {
                                break;
                            }
                        }
                    } else {
                        in_word = true;
                    }
                    b = i + ch.len_utf8();
                }
                let unit_text = &rest[..b];
                let trimmed = unit_text.trim_end_matches([',', ';', '.', ':', ')']);
                end_b += trimmed.len();
            }
        }
        // "so với năm 2020" belongs to a growth or a multiple.
        let after = &s[end_b..];
        if let Some(m) = so_voi_re().find(after) {
            end_b += m.end();
        }
        let qual_own = c
            .name("qual")
            .map(|q| q.as_str().trim().to_string())
            .unwrap_or_default();
        let gap = prev_end_b.map(|p| s.get(p..whole.start()).unwrap_or("x").trim().to_string());
        let enumerated = gap
            .as_deref()
            .is_some_and(|g| matches!(g, "," | "và" | ", và" | ";") || g.is_empty());
        let mut wording = s[whole.start()..end_b].trim().to_string();
        let mut start_b = whole.start();
        if qual_own.is_empty() && enumerated && !prev_qual.is_empty() {
            wording = format!("{prev_qual} {wording}");
        } else if !qual_own.is_empty() {
            prev_qual = qual_own.clone();
        } else {
            prev_qual.clear();
        }
        if let Some(q) = c.name("qual") {
            start_b = q.start();
        }
        let value = crate::vnfmt::parse_number(num.as_str()).unwrap_or(f64::NAN);
        if value.is_nan() {
            continue;
        }
        let unit_f = fold_vi(&unit);
        // Money is a budget, durations describe: neither is a quantity to target.
        if matches!(
            unit_f.as_str(),
            "dong"
                | "ty dong"
                | "ti dong"
                | "trieu dong"
                | "nghin dong"
                | "ngan dong"
                | "thang"
                | "nam"
                | "nam trien khai"
        ) {
            prev_end_b = Some(end_b);
            continue;
        }
        out.push(Quantity {
            start: char_at(s, start_b),
            end: char_at(s, end_b),
            wording,
            value,
            category: category_of(&unit_f),
            unit: if unit == "%/năm" {
                unit
            } else {
                unit.to_lowercase()
            },
        });
        prev_end_b = Some(end_b);
    }
    out
}

/// How deep in parentheses each byte is; "(dự kiến …)" states the plan's
/// own figures and does not count as a parenthesis.
fn paren_depths(s: &str) -> Vec<i32> {
    let mut out = vec![0; s.len() + 1];
    let mut d = 0;
    for (i, ch) in s.char_indices() {
        if ch == '(' && !fold_vi(s[i + 1..].get(..12).unwrap_or(&s[i + 1..])).starts_with("du kien")
        {
            d += 1;
        }
        for slot in out.iter_mut().skip(i).take(ch.len_utf8()) {
            *slot = d;
        }
        if ch == ')' && d > 0 {
            d -= 1;
        }
    }
    out
}

/// The years a sentence names as milestones: "Đến năm 2025", "giai đoạn
/// 2016-2020" (its end), "năm 2018"; with char offsets.
pub(super) fn milestones(s: &str) -> Vec<(usize, i32)> {
    milestone_re()
        .captures_iter(s)
        .filter_map(|c| {
            let y = c.get(2).or(c.get(1))?.as_str().parse().ok()?;
            Some((char_at(s, c.get(0)?.start()), y))
        })
        .collect()
}

/// All four-digit years of a sentence.
pub(super) fn years(s: &str) -> Vec<i32> {
    year_re()
        .find_iter(s)
        .filter_map(|m| m.as_str().parse().ok())
        .collect()
}

/// An amount of money as written and in đồng, with char offsets.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Money {
    pub start: usize,
    pub end: usize,
    pub wording: String,
    pub dong: i64,
}

/// The amounts of money of a sentence ("3.000.000.000 đồng", "163,4 tỷ đồng").
/// Amounts under a million đồng are prices, not budgets, and are left out.
pub(super) fn money(s: &str) -> Vec<Money> {
    money_re()
        .captures_iter(s)
        .filter_map(|c| {
            let m = c.get(0)?;
            let dong = crate::vnfmt::parse_money_dong(m.as_str()).ok()?;
            (dong >= 1_000_000).then(|| Money {
                start: char_at(s, m.start()),
                end: char_at(s, m.end()),
                wording: m.as_str().to_string(),
                dong,
            })
        })
        .collect()
}

/// Document numbers of a sentence ("801/QĐ-TTg"), with byte spans.
pub(super) fn doc_numbers(s: &str) -> Vec<(usize, usize)> {
    doc_number_re()
        .find_iter(s)
        .map(|m| (m.start(), m.end()))
        .collect()
}

/// The first full date of a sentence ("ngày 21 tháng 9 năm 2022", "ngày 07/7/2022").
pub(super) fn first_date(s: &str) -> Option<(time::Date, usize, usize)> {
    let c = date_re().captures(s)?;
    let m = c.get(0)?;
    let d = crate::vnfmt::parse_date(m.as_str()).ok()?;
    Some((d, m.start(), m.end()))
}

/// Days of the year a sentence names ("ngày 20 tháng 6", "ngày 20/12"): "MM-DD".
pub(super) fn days_of_year(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in day_month_re().captures_iter(s) {
        let (Some(d), Some(m)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let (Ok(d), Ok(m)) = (d.as_str().parse::<u32>(), m.as_str().parse::<u32>()) else {
            continue;
        };
        if (1..=31).contains(&d) && (1..=12).contains(&m) {
            let v = format!("{m:02}-{d:02}");
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    // "trước ngày 20 tháng 6 và ngày 20 tháng 12": the second one often has
    // no "ngày" of its own ("20/6 và 20/12").
    {
        for c in second_day_re().captures_iter(s) {
            let (Some(d), Some(m)) = (c.get(1), c.get(2)) else {
                continue;
            };
            let (Ok(d), Ok(m)) = (d.as_str().parse::<u32>(), m.as_str().parse::<u32>()) else {
                continue;
            };
            if (1..=31).contains(&d) && (1..=12).contains(&m) {
                let v = format!("{m:02}-{d:02}");
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Agencies
// ---------------------------------------------------------------------------

/// The first 2.000 characters of a line: agencies are named at the start of
/// what a line assigns, and a longer line (a pasted page without line breaks)
/// must not make the reading slow.
fn capped(s: &str) -> &str {
    match s.char_indices().nth(2000) {
        Some((b, _)) => &s[..b],
        None => s,
    }
}

/// Departments (sở) by the words after "Sở" (folded), longest first.
const DEPARTMENTS: &[&str] = &[
    "nong nghiep va phat trien nong thon",
    "nong nghiep va ptnt",
    "lao dong - thuong binh va xa hoi",
    "lao dong, thuong binh va xa hoi",
    "lao dong thuong binh va xa hoi",
    "van hoa, the thao va du lich",
    "van hoa the thao va du lich",
    "tai nguyen va moi truong",
    "khoa hoc va cong nghe",
    "ke hoach va dau tu",
    "van hoa va the thao",
    "thong tin va truyen thong",
    "giao duc va dao tao",
    "giao thong van tai",
    "quy hoach - kien truc",
    "cong thuong",
    "tai chinh",
    "du lich",
    "xay dung",
    "noi vu",
    "tu phap",
    "y te",
    "ngoai vu",
];

/// Bodies that head an agency name followed by its capitalised words.
const BODIES: &[&str] = &[
    "Trung tâm",
    "Chi cục",
    "Liên minh",
    "Ngân hàng",
    "Văn phòng",
    "Hiệp hội",
    "Hội",
    "Ban",
    "Cục",
    "Bộ",
    "Đài",
    "Báo",
    "Viện",
    "Trường",
    "Công an",
    "Bảo hiểm",
    "Kho bạc",
    "Cục Thuế",
];

/// An agency named in a sentence, with char offsets.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct AgencyMention {
    pub start: usize,
    pub end: usize,
    pub name: String,
}

fn is_cap_word(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_uppercase())
}

/// Agencies named in a sentence, in order: "Sở Công Thương", "Sở Nông nghiệp
/// và PTNT", "UBND các quận, huyện, thị xã", "Trung tâm Xúc tiến Đầu tư,
/// Thương mại, Du lịch Thành phố", "Ủy ban nhân dân huyện Bát Xát".
pub(super) fn agencies(s: &str) -> Vec<AgencyMention> {
    let s = capped(s);
    let mut out: Vec<AgencyMention> = Vec::new();
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let lower = s.to_lowercase();
    let mut i = 0;
    while i < chars.len() {
        let b = chars[i].0;
        let at_word = i == 0 || !chars[i - 1].1.is_alphanumeric();
        if !at_word {
            i += 1;
            continue;
        }
        if let Some(end_b) = agency_at(s, &lower, b) {
            let name = s[b..end_b]
                .trim_end_matches([',', ';', '.', ':', ' '])
                .to_string();
            let end_b = b + name.len();
            if name.chars().count() > 3 {
                out.push(AgencyMention {
                    start: char_at(s, b),
                    end: char_at(s, end_b),
                    name,
                });
                while i < chars.len() && chars[i].0 < end_b {
                    i += 1;
                }
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The end (byte) of an agency name starting at byte `b`, if one does.
fn agency_at(s: &str, lower: &str, b: usize) -> Option<usize> {
    let rest = &s[b..];
    let lrest = lower.get(b..)?;
    // Sở + a known department.
    if rest.starts_with("Sở ") {
        let after = &rest[4..];
        let f = fold_vi(
            after
                .get(..after.char_indices().nth(60).map_or(after.len(), |(b, _)| b))
                .unwrap_or(after),
        );
        for d in DEPARTMENTS {
            if f.starts_with(d)
                && f[d.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
            {
                // Map folded length back: take as many words as the department has.
                let words = d.split(' ').count();
                let end = take_words(after, words);
                return Some(b + 4 + end);
            }
        }
        // Sở + capitalised words ("Sở Quy hoạch - Kiến trúc").
        let end = cap_run(after);
        return (end > 0).then_some(b + 4 + end);
    }
    // People's committees: "UBND các quận, huyện, thị xã", "Ủy ban nhân dân tỉnh Lào Cai".
    for head in ["ubnd ", "ủy ban nhân dân ", "uỷ ban nhân dân "] {
        if lrest.starts_with(head) {
            let hl = head.len();
            let after = &rest[hl..];
            let lafter = &lrest[hl..];
            let group = unit_group_re().find(lafter);
            if let Some(m) = group {
                let matched = lafter[..m.end()].trim_end_matches([' ', ',', ';', '.']);
                return Some(b + hl + matched.len());
            }
            if let Some(m) = unit_place_re().find(lafter) {
                let end = cap_run(&after[m.end()..]);
                return Some(b + hl + m.end() + end);
            }
            // "UBND Thành phố", "UBND tỉnh".
            let end = cap_run(after);
            return Some(b + hl + end);
        }
    }
    for body in BODIES {
        if rest.starts_with(body) && rest[body.len()..].starts_with(' ') {
            let after = &rest[body.len() + 1..];
            let end = cap_run(after);
            if end > 0 {
                return Some(b + body.len() + 1 + end);
            }
        }
    }
    None
}

/// Byte length of the first `n` words of `s` (as written).
fn take_words(s: &str, n: usize) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for (i, ch) in s.char_indices() {
        if ch.is_whitespace() {
            if in_word {
                count += 1;
                in_word = false;
                if count == n {
                    return i;
                }
            }
        } else {
            in_word = true;
        }
    }
    s.len()
}

/// Lower-case words that belong to agency names after a capitalised one
/// ("Chi cục Phát triển nông thôn", "Trung tâm Khuyến công và Tư vấn phát
/// triển công nghiệp").
const NAME_TAILS: &[&str] = &[
    "phố",
    "triển nông thôn",
    "triển công nghiệp",
    "tiến thương mại",
    "nghiệp và phát triển nông thôn",
];

/// First words of agency names: a list of agencies does not run into the next one.
const AGENCY_HEADS: &[&str] = &[
    "UBND", "Sở", "Ủy", "Uỷ", "Trung", "Chi", "Liên", "Ngân", "Văn", "Ban", "Hội", "Hiệp", "Cục",
    "Bộ", "Các", "các",
];

/// Byte length of a run of capitalised words, as in "Xúc tiến Đầu tư,
/// Thương mại, Du lịch Thành phố": "và", "-", "," and up to two lower-case
/// words between capitalised ones, and the known lower-case tails of names.
fn cap_run(s: &str) -> usize {
    let words: Vec<(usize, &str)> = s
        .split_inclusive(' ')
        .scan(0usize, |acc, w| {
            let at = *acc;
            *acc += w.len();
            Some((at, w))
        })
        .collect();
    let bare = |w: &str| {
        w.trim()
            .trim_end_matches([',', ';', '.', ':', ')'])
            .to_string()
    };
    let mut end = 0;
    let mut i = 0;
    while i < words.len() {
        let (at, w) = words[i];
        let b = bare(w);
        if b.is_empty() {
            break;
        }
        let after_joiner = i > 0
            && (words[i - 1].1.trim_end().ends_with(',')
                || matches!(bare(words[i - 1].1).as_str(), "và"));
        if after_joiner && AGENCY_HEADS.contains(&b.as_str()) {
            break;
        }
        if is_cap_word(&b) || b.contains('&') {
            end = at + w.trim_end().trim_end_matches([',', ';', '.', ':']).len();
            if w.trim_end().ends_with([';', '.', ':']) {
                break;
            }
            // A known lower-case tail ("Phát" + "triển nông thôn").
            let tail: String = words[i + 1..].iter().map(|(_, w)| *w).collect::<String>();
            if let Some(t) = NAME_TAILS.iter().find(|t| tail.starts_with(*t)) {
                let n = t.split(' ').count();
                let (lat, lw) = words[i + n];
                end = lat + lw.trim_end().trim_end_matches([',', ';', '.', ':']).len();
                i += n + 1;
                if lw.trim_end().ends_with([',', ';', '.', ':']) {
                    break;
                }
                continue;
            }
            i += 1;
            continue;
        }
        // Joiners and short lower-case runs between capitalised words.
        let mut j = i;
        while j < words.len() && j - i < 3 {
            let bj = bare(words[j].1);
            if is_cap_word(&bj) {
                break;
            }
            if words[j].1.trim_end().ends_with([';', '.', ':']) {
                j = words.len();
                break;
            }
            j += 1;
        }
        let joined_by_comma = w.trim_end().ends_with(',')
            || words[..i]
                .last()
                .is_some_and(|(_, p)| p.trim_end().ends_with(','));
        let ok = j < words.len()
            && is_cap_word(&bare(words[j].1))
            && (matches!(b.as_str(), "và" | "-" | "–") || joined_by_comma || j - i <= 2);
        if ok && end > 0 {
            i = j;
            continue;
        }
        break;
    }
    end
}

/// The agency that leads the work a sentence describes, and those that
/// coordinate: "X chủ trì, phối hợp (với) Y, Z …", "Giao X chủ trì",
/// "Chủ trì, phối hợp với Y" (the lead is the heading's agency), "Phối hợp
/// (với) Y" (likewise).
pub(super) fn roles(s: &str) -> (Option<AgencyMention>, Vec<AgencyMention>) {
    let s = capped(s);
    let mentions = agencies(s);
    let lower = s.to_lowercase();
    let coord_at = lower.find("phối hợp").map(|b| char_at(s, b));
    let lead_words = ["chủ trì", "là cơ quan đầu mối", "chịu trách nhiệm"];
    let lead_at = lead_words
        .iter()
        .filter_map(|w| lower.find(w))
        .min()
        .map(|b| char_at(s, b));
    let mut lead = None;
    let mut coordinating = Vec::new();
    for m in &mentions {
        let before_coord = coord_at.is_none_or(|c| m.end <= c);
        match (lead_at, coord_at) {
            _ if before_coord && lead.is_none() && m.start < 60 && starts_sentence(s, m.start) => {
                lead = Some(m.clone());
            }
            (Some(l), _) if m.end <= l && lead.is_none() && before_coord => {
                lead = Some(m.clone());
            }
            (_, Some(c)) if m.start >= c && within_coordination(s, c, m.start) => {
                coordinating.push(m.clone());
            }
            _ => {}
        }
    }
    (lead, coordinating)
}

/// Whether the text before char `at` is empty or "Giao"/"Đề nghị".
fn starts_sentence(s: &str, at: usize) -> bool {
    let before: String = s.chars().take(at).collect();
    let f = fold_vi(&before);
    f.is_empty() || matches!(f.as_str(), "giao" | "de nghi" | "yeu cau" | "cac")
}

/// Whether the agency at char `at` is still in the "phối hợp …" list that
/// starts at char `from` (no verb phrase between).
fn within_coordination(s: &str, from: usize, at: usize) -> bool {
    let between: String = s.chars().skip(from).take(at.saturating_sub(from)).collect();
    let f = fold_vi(&between);
    let words = f.split(' ').count();
    words <= 40
        && ![
            "rà soát",
            "xây dựng",
            "nghiên cứu",
            "tổ chức",
            "hướng dẫn",
            "triển khai",
            "đánh giá",
            "thẩm định",
            "tham mưu",
            "kiểm tra",
            "thực hiện",
            "để ",
        ]
        .iter()
        .any(|v| between.to_lowercase().contains(v))
}

// ---------------------------------------------------------------------------
// Places
// ---------------------------------------------------------------------------

/// Ethnic groups named in plans of the northern provinces.
const ETHNIC: &[&str] = &[
    "H’Mông",
    "H'Mông",
    "Mông",
    "Dao Đỏ",
    "Dao",
    "Tày",
    "Giáy",
    "Hà Nhì",
    "Xa Phó",
    "Xá Phó",
    "Nùng",
    "Thái",
    "Phù Lá",
    "Bố Y",
    "La Chí",
    "Mường",
    "Lô Lô",
    "Pa Dí",
    "Kinh",
];

/// A place named in a sentence: a commune (or village) with its district.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PlaceMention {
    pub start: usize,
    pub end: usize,
    pub name: String,
    pub commune: Option<String>,
    pub district: Option<String>,
    pub craft: Option<String>,
    pub ethnic_group: Option<String>,
}

re!(
    commune_re,
    r"\b(xã|phường|thị trấn)\s+((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ][\p{L}’']*)(?:\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ\p{Lu}][\p{L}’']*)*)"
);
re!(
    district_re,
    r"\b(huyện|thị xã|thành phố|quận)\s+((?:\p{Lu}[\p{L}’']*)(?:\s+\p{Lu}[\p{L}’']*)*)"
);
re!(
    village_re,
    r"\b(thôn|bản|làng|Làng)\s+((?:\p{Lu}[\p{L}’']*)(?:\s+\p{Lu}[\p{L}’']*)*)"
);
re!(
    craft_re,
    r"(?i)\bnghề\s+((?:[\p{Ll}’']+\s*,?\s*){1,6}?)(?:của|dân tộc|tại|người|truyền thống|ở|,|\(|$)"
);

/// The places of a sentence about a craft or craft village: one for each
/// commune named, with the district named after it.
pub(super) fn places(s: &str) -> Vec<PlaceMention> {
    let f = fold_vi(s);
    if !f.contains("nghe") {
        return vec![];
    }
    let craft = craft_re()
        .captures(s)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().trim().trim_end_matches(',').trim().to_string())
        .filter(|c| !c.is_empty());
    let ethnic = ETHNIC
        .iter()
        .find(|e| {
            ["người", "dân tộc", "đồng bào", "Người", "Dân tộc"]
                .iter()
                .any(|w| s.contains(&format!("{w} {e}")))
        })
        .map(|e| e.to_string());
    let districts: Vec<(usize, String)> = district_re()
        .captures_iter(s)
        .filter_map(|c| {
            Some((
                c.get(0)?.start(),
                format!("{} {}", c.get(1)?.as_str(), c.get(2)?.as_str()),
            ))
        })
        .collect();
    let villages: Vec<(usize, String)> = village_re()
        .captures_iter(s)
        .filter_map(|c| Some((c.get(0)?.start(), c.get(0)?.as_str().to_string())))
        .collect();
    let mut out = Vec::new();
    for c in commune_re().captures_iter(s) {
        let (Some(m), Some(kind), Some(name)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        // "thị xã Sa Pa" is a district, not the commune "xã Sa Pa".
        if kind.as_str() == "xã" && s[..m.start()].to_lowercase().ends_with("thị ") {
            continue;
        }
        let district = districts
            .iter()
            .find(|(at, _)| *at > m.start())
            .map(|(_, d)| d.clone());
        let village = villages
            .iter()
            .rev()
            .find(|(at, _)| *at < m.start() && m.start() - at < 40)
            .map(|(_, v)| v.clone());
        out.push(PlaceMention {
            start: char_at(s, m.start()),
            end: char_at(s, m.end()),
            name: village.unwrap_or_else(|| format!("{} {}", kind.as_str(), name.as_str())),
            commune: Some(format!("{} {}", kind.as_str(), name.as_str())),
            district,
            craft: craft.clone(),
            ethnic_group: ethnic.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        quantities(s).into_iter().map(|q| q.wording).collect()
    }

    #[test]
    fn quantities_keep_their_qualifier_and_unit() {
        let q = quantities("Khôi phục, bảo tồn được ít nhất 11 làng nghề, 21 nghề truyền thống và 13 làng nghề truyền thống có nguy cơ mai một.");
        let w: Vec<&str> = q.iter().map(|q| q.wording.as_str()).collect();
        assert_eq!(
            w,
            vec![
                "ít nhất 11 làng nghề",
                "ít nhất 21 nghề truyền thống",
                "ít nhất 13 làng nghề truyền thống"
            ]
        );
        let cats: Vec<_> = q.iter().map(|q| q.category).collect();
        assert_eq!(cats, vec![Some("LN"), Some("NTT"), Some("LNTT")]);
        assert_eq!(
            words("Trên 70% làng nghề hoạt động có hiệu quả."),
            vec!["Trên 70%"]
        );
        assert_eq!(
            words("Hỗ trợ khoảng 10-12 làng nghề xây dựng thương hiệu."),
            vec!["khoảng 10-12 làng nghề"]
        );
        assert_eq!(
            words("Thu nhập bình quân của lao động tăng ít nhất 1-1,5 lần so với năm 2020."),
            vec!["tăng ít nhất 1-1,5 lần so với năm 2020"]
        );
        assert_eq!(
            words("Tổ chức 600 lớp truyền nghề, nhân cấy nghề (thời gian dưới 03 tháng) cho 21.000 lao động nông thôn"),
            vec!["600 lớp", "21.000 lao động"]
        );
        // Years, dates, document numbers and rates of a plan are not quantities.
        assert!(words("Quyết định số 801/QĐ-TTg ngày 07/7/2022 giai đoạn 2021-2030").is_empty());
        assert_eq!(
            words("Tổ chức 473 lớp (đạt 71,2% kế hoạch)"),
            vec!["473 lớp"]
        );
    }

    #[test]
    fn money_in_figures() {
        let m = money("Tổng dự toán kinh phí năm 2017: 3.000.000.000 đồng (Ba tỷ đồng).");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].dong, 3_000_000_000);
        let m = money("tổng kinh phí 163,4 tỷ đồng, đã giải ngân 77,63 tỷ đồng");
        assert_eq!(
            m.iter().map(|m| m.dong).collect::<Vec<_>>(),
            vec![163_400_000_000, 77_630_000_000]
        );
    }

    #[test]
    fn agencies_and_their_roles() {
        let names = |s: &str| agencies(s).into_iter().map(|a| a.name).collect::<Vec<_>>();
        assert_eq!(
            names("Sở Tài nguyên và Môi trường chủ trì, phối hợp các Sở, ngành có liên quan"),
            vec!["Sở Tài nguyên và Môi trường"]
        );
        assert_eq!(
            names("Phối hợp Sở Công Thương, UBND quận, huyện, thị xã tổ chức thực hiện"),
            vec!["Sở Công Thương", "UBND quận, huyện, thị xã"]
        );
        assert_eq!(
            names("Trung tâm Xúc tiến Đầu tư, Thương mại, Du lịch Thành phố; đại diện làng nghề"),
            vec!["Trung tâm Xúc tiến Đầu tư, Thương mại, Du lịch Thành phố"]
        );
        assert_eq!(
            names("UBND các quận, huyện, thị xã chủ động"),
            vec!["UBND các quận, huyện, thị xã"]
        );
        let (lead, coord) = roles("Sở Quy hoạch - Kiến trúc chủ trì, phối hợp các Sở, ngành Thành phố, UBND quận Hà Đông, UBND huyện Gia Lâm và các đơn vị có liên quan hoàn thiện quy hoạch");
        assert_eq!(
            lead.map(|l| l.name).as_deref(),
            Some("Sở Quy hoạch - Kiến trúc")
        );
        let c: Vec<String> = coord.into_iter().map(|c| c.name).collect();
        assert_eq!(c, vec!["UBND quận Hà Đông", "UBND huyện Gia Lâm"]);
        let (lead, coord) = roles("Chủ trì, phối hợp với Sở Nông nghiệp và PTNT đánh giá nhu cầu");
        assert!(lead.is_none());
        assert_eq!(coord[0].name, "Sở Nông nghiệp và PTNT");
    }

    #[test]
    fn due_days_of_a_reporting_rule() {
        assert_eq!(
            days_of_year("định kỳ 06 tháng (trước ngày 20 tháng 6 và ngày 20 tháng 12 hàng năm)"),
            vec!["06-20", "12-20"]
        );
        assert_eq!(days_of_year("trước ngày 15/12 hằng năm"), vec!["12-15"]);
    }

    #[test]
    fn places_of_a_craft_sentence() {
        let p = places(
            "Bảo tồn nghề làm hương của người Giáy thôn Kíp Tước, xã Hợp Thành, thành phố Lào Cai.",
        );
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].commune.as_deref(), Some("xã Hợp Thành"));
        assert_eq!(p[0].district.as_deref(), Some("thành phố Lào Cai"));
        assert_eq!(p[0].ethnic_group.as_deref(), Some("Giáy"));
        assert_eq!(p[0].craft.as_deref(), Some("làm hương"));
        assert_eq!(p[0].name, "thôn Kíp Tước");
    }
}
