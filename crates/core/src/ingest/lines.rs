//! The layout of a plan's text: lines with their list markers (I., 1., 1.1.,
//! a), -, +), the part of the plan each line sits in, and the tables of
//! cells (one cell a line, as Word and PDF text comes out).

use crate::text::fold_vi;

/// One line of the text, with its place in it.
#[derive(Debug, Clone)]
pub(super) struct Line {
    /// 1-based line number.
    pub no: usize,
    /// The line without its end-of-line characters.
    pub raw: String,
    /// Whether the raw line starts with a tab (a table cell in Word text).
    pub tabbed: bool,
    pub marker: Marker,
    /// The text after the marker, trimmed.
    pub body: String,
    /// Character offset of `body` in the text.
    pub body_start: usize,
}

impl Line {
    /// Whether the line holds nothing (not even a no-break space).
    pub fn is_blank(&self) -> bool {
        self.raw.is_empty()
    }

    pub fn end(&self) -> usize {
        self.body_start + self.body.chars().count()
    }
}

/// The list marker at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Marker {
    /// "I.", "IV." — a part of the plan.
    Roman(u32),
    /// "1.", "2.1.", "3.1" — a numbered item; the numbers.
    Number(Vec<u32>),
    /// "a)", "đ)".
    Letter(char),
    /// "-", "–", "+", "•".
    Dash,
    None,
}

/// Split `text` (NFC, "\n" line ends) into lines with markers.
pub(super) fn split(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for (i, raw) in text.split('\n').enumerate() {
        let len = raw.chars().count();
        let lead = raw.chars().take_while(|c| c.is_whitespace()).count();
        let trimmed: String = raw.chars().skip(lead).collect();
        let (marker, skip) = marker_of(&trimmed);
        let rest: String = trimmed.chars().skip(skip).collect();
        let rest_lead = rest.chars().take_while(|c| c.is_whitespace()).count();
        let body = rest.trim().to_string();
        out.push(Line {
            no: i + 1,
            raw: raw.to_string(),
            tabbed: raw.starts_with('\t'),
            marker,
            body,
            body_start: offset + lead + skip + rest_lead,
        });
        offset += len + 1;
    }
    out
}

fn roman_value(s: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut prev = 0u32;
    for c in s.chars().rev() {
        let v = match c {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            _ => return None,
        };
        if v < prev {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            prev = v;
        }
    }
    (total > 0 && total < 40).then_some(total)
}

/// The marker at the start of a trimmed line and how many characters it takes.
fn marker_of(s: &str) -> (Marker, usize) {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return (Marker::None, 0);
    }
    if matches!(chars[0], '-' | '–' | '—' | '+' | '•' | '*') {
        return (Marker::Dash, 1);
    }
    // Roman numeral followed by "." or ")" and a space.
    let roman_len = chars
        .iter()
        .take_while(|c| matches!(c, 'I' | 'V' | 'X' | 'L'))
        .count();
    if roman_len > 0
        && chars.get(roman_len).is_some_and(|c| matches!(c, '.' | ')'))
        && chars.get(roman_len + 1).is_some_and(|c| c.is_whitespace())
    {
        let numeral: String = chars[..roman_len].iter().collect();
        if let Some(v) = roman_value(&numeral) {
            return (Marker::Roman(v), roman_len + 1);
        }
    }
    // Lower-case letter followed by ")".
    if chars.len() > 2
        && chars[1] == ')'
        && (chars[0].is_ascii_lowercase() || chars[0] == 'đ')
        && chars[2].is_whitespace()
    {
        return (Marker::Letter(chars[0]), 2);
    }
    // "1.", "2.1.", "3.1 " — small numbers separated by dots.
    let mut numbers = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i - start > 2 {
            break;
        }
        let n: String = chars[start..i].iter().collect();
        numbers.push(n.parse::<u32>().unwrap_or(0));
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
                continue;
            }
            if chars.get(i).is_some_and(|c| c.is_whitespace()) || i == chars.len() {
                return (Marker::Number(numbers), i);
            }
            break;
        }
        if numbers.len() > 1 && chars.get(i).is_some_and(|c| c.is_whitespace()) {
            return (Marker::Number(numbers), i);
        }
        break;
    }
    (Marker::None, 0)
}

/// The part of a plan a heading opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Preamble,
    /// Purpose and requirements ("MỤC ĐÍCH, YÊU CẦU").
    Purpose,
    /// Objectives and targets ("MỤC TIÊU").
    Objectives,
    /// What was done before ("ĐÁNH GIÁ KẾT QUẢ", "THỰC TRẠNG").
    Results,
    /// Tasks and contents ("NHIỆM VỤ", "NỘI DUNG").
    Tasks,
    /// Solutions ("GIẢI PHÁP") — policy, not assigned work.
    Solutions,
    /// Funding ("KINH PHÍ", "NGUỒN VỐN").
    Budget,
    /// Who does what ("TỔ CHỨC THỰC HIỆN").
    Organisation,
    /// Reporting ("CHẾ ĐỘ BÁO CÁO").
    Reporting,
    /// The appendix tables ("PHỤ BIỂU", "PHỤ LỤC").
    Appendix,
    /// What a scheme supports, for whom and how ("Nội dung hỗ trợ",
    /// "Điều kiện", "Trình tự thực hiện"): figures are targets, lines are not tasks.
    Contents,
    Other,
}

/// The part a heading's words open.
pub(super) fn part_of(heading: &str) -> Part {
    let f = fold_vi(heading);
    let has = |w: &str| f.contains(w);
    if has("phu bieu") || has("phu luc") {
        Part::Appendix
    } else if has("bao cao") && (has("che do") || f.starts_with("bao cao")) {
        Part::Reporting
    } else if has("to chuc thuc hien") || has("phan cong") {
        Part::Organisation
    } else if has("danh gia") || has("ket qua thuc hien") || has("thuc trang") || has("tinh hinh") {
        Part::Results
    } else if has("muc dich") || has("yeu cau") {
        Part::Purpose
    } else if has("muc tieu") || has("chi tieu") {
        Part::Objectives
    } else if has("giai phap") {
        Part::Solutions
    } else if has("kinh phi") || has("nguon von") {
        Part::Budget
    } else if has("nhiem vu") || has("noi dung") || has("chuong trinh") || has("ke hoach") {
        Part::Tasks
    } else {
        Part::Other
    }
}

/// The part a numbered heading opens inside a part ("2. Mục tiêu", "6. Tổ
/// chức thực hiện", "3. Điều kiện hỗ trợ"), when its words say so clearly.
pub(super) fn sub_part_of(heading: &str) -> Option<Part> {
    let f = fold_vi(heading);
    let starts = |w: &str| f.starts_with(w);
    let has = |w: &str| f.contains(w);
    if starts("doi tuong")
        || starts("dieu kien")
        || starts("tieu chi")
        || has("thu tu uu tien")
        || starts("trinh tu")
        || starts("quy trinh")
        || starts("don vi thuc hien")
        || starts("don vi chu tri")
        || starts("phuong thuc")
    {
        // Who may apply and how: conditions, not targets or tasks.
        Some(Part::Other)
    } else if has("noi dung ho tro")
        || has("muc ho tro")
        || has("tien do")
        || starts("ke hoach trien khai")
    {
        Some(Part::Contents)
    } else if has("muc tieu") || has("chi tieu") {
        Some(Part::Objectives)
    } else if starts("nhiem vu") || starts("noi dung") {
        Some(Part::Tasks)
    } else if starts("kinh phi")
        || starts("nguon kinh phi")
        || f == "nguon von"
        || f == "nguon von:"
    {
        Some(Part::Budget)
    } else if has("giai phap") {
        Some(Part::Solutions)
    } else if has("to chuc thuc hien") {
        Some(Part::Organisation)
    } else if has("che do bao cao") {
        Some(Part::Reporting)
    } else if starts("du bao") {
        Some(Part::Other)
    } else if starts("danh gia") || starts("ket qua") {
        Some(Part::Results)
    } else if starts("muc dich") || starts("yeu cau") {
        Some(Part::Purpose)
    } else {
        None
    }
}

/// Whether a line is written in capitals (a title line such as "KẾ HOẠCH").
pub(super) fn is_upper(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| !c.is_lowercase())
}

/// A table as cells, one a line: its header and its rows.
#[derive(Debug, Clone)]
pub(super) struct Table {
    /// Header cells, folded ("tt", "noi dung", "dvt", "den nam 2025").
    pub header: Vec<String>,
    /// Rows: each cell as (its line index, its text; "" for an empty cell).
    pub rows: Vec<Vec<(usize, String)>>,
    /// Index of the first and last line of the table.
    pub first: usize,
    pub last: usize,
}

fn is_header_cell(f: &str) -> bool {
    matches!(
        f,
        "tt" | "stt"
            | "noi dung"
            | "noi dung cong viec"
            | "dvt"
            | "don vi tinh"
            | "thoi gian"
            | "thoi gian thuc hien"
            | "don vi chu tri"
            | "don vi phoi hop"
            | "co quan chu tri"
            | "co quan phoi hop"
            | "ghi chu"
            | "chi tieu"
            | "ke hoach"
            | "ket qua"
            | "ty le"
            | "nhiem vu"
            | "san pham"
            | "kinh phi"
    ) || f.starts_with("den nam ")
        || f.starts_with("nam 20")
        || f.starts_with("giai doan ")
}

/// Whether a cell opens a row: "1", "12", "I", "IV", "A", "B".
pub(super) fn is_row_key(s: &str) -> bool {
    let s = s.trim();
    (!s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_digit()))
        || roman_value(s).is_some()
        || (s.len() == 1 && s.chars().all(|c| c.is_ascii_uppercase()))
}

/// Whether a cell holds words (the content of a row, not a value).
pub(super) fn is_wordy(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphabetic()).count() >= 6
}

/// Lines that end a table: the page furniture of a published text.
fn ends_table(f: &str) -> bool {
    f.starts_with("da xem")
        || f.starts_with("thuoc tinh")
        || f.starts_with("noi nhan")
        || f.starts_with("danh gia:")
        || f.starts_with("tai van ban")
}

/// The tables of the text: a run of at least three header cells starting with
/// "TT"/"STT", then cells to the end of the run. A row starts at a key cell
/// ("1", "II", "A") followed by a cell of words.
pub(super) fn tables(lines: &[Line]) -> Vec<Table> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let f = fold_vi(lines[i].raw.trim());
        if !(f == "tt" || f == "stt") {
            i += 1;
            continue;
        }
        let tabbed = lines[i].tabbed;
        // The header: consecutive header cells (blank lines between are separators).
        let mut header = vec![f];
        let mut j = i + 1;
        while j < lines.len() {
            if lines[j].is_blank() {
                j += 1;
                continue;
            }
            let h = fold_vi(lines[j].raw.trim());
            if is_header_cell(&h) {
                header.push(h);
                j += 1;
            } else {
                break;
            }
        }
        if header.len() < 3 {
            i += 1;
            continue;
        }
        // The cells.
        let mut cells: Vec<(usize, String)> = Vec::new();
        let mut k = j;
        while k < lines.len() {
            let l = &lines[k];
            if l.is_blank() {
                k += 1;
                continue;
            }
            if tabbed && !l.tabbed {
                break;
            }
            let text = l.raw.trim().to_string();
            if ends_table(&fold_vi(&text)) {
                break;
            }
            cells.push((k, text));
            k += 1;
        }
        let rows = rows_of(&cells);
        out.push(Table {
            header,
            rows,
            first: i,
            last: k.saturating_sub(1),
        });
        i = k.max(i + 1);
    }
    out
}

fn rows_of(cells: &[(usize, String)]) -> Vec<Vec<(usize, String)>> {
    let mut rows: Vec<Vec<(usize, String)>> = Vec::new();
    for (n, (line, text)) in cells.iter().enumerate() {
        let next_wordy = cells.get(n + 1).is_some_and(|(_, t)| is_wordy(t));
        if is_row_key(text) && next_wordy {
            rows.push(Vec::new());
        }
        if let Some(row) = rows.last_mut() {
            row.push((*line, text.clone()));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_of_plan_lists() {
        assert_eq!(marker_of("I. MỤC TIÊU").0, Marker::Roman(1));
        assert_eq!(marker_of("IV. GIẢI PHÁP").0, Marker::Roman(4));
        assert_eq!(marker_of("2. Mục tiêu cụ thể").0, Marker::Number(vec![2]));
        assert_eq!(
            marker_of("2.1. Mục tiêu chung").0,
            Marker::Number(vec![2, 1])
        );
        assert_eq!(marker_of("3.1 Truyền nghề").0, Marker::Number(vec![3, 1]));
        assert_eq!(marker_of("a) Đến năm 2025").0, Marker::Letter('a'));
        assert_eq!(marker_of("đ) Khác").0, Marker::Letter('đ'));
        assert_eq!(marker_of("- Hỗ trợ 14 cơ sở").0, Marker::Dash);
        assert_eq!(marker_of("+ Chi tiết").0, Marker::Dash);
        // Numbers that are not list markers.
        assert_eq!(marker_of("2.000 lao động").0, Marker::None);
        assert_eq!(marker_of("473 lớp").0, Marker::None);
        assert_eq!(marker_of("Ủy ban").0, Marker::None);
        assert_eq!(marker_of("II").0, Marker::None);
    }

    #[test]
    fn parts_of_headings() {
        assert_eq!(part_of("MỤC TIÊU"), Part::Objectives);
        assert_eq!(part_of("NHIỆM VỤ"), Part::Tasks);
        assert_eq!(part_of("GIẢI PHÁP THỰC HIỆN"), Part::Solutions);
        assert_eq!(part_of("TỔ CHỨC THỰC HIỆN"), Part::Organisation);
        assert_eq!(part_of("CHẾ ĐỘ BÁO CÁO"), Part::Reporting);
        assert_eq!(part_of("NGUỒN KINH PHÍ THỰC HIỆN"), Part::Budget);
        assert_eq!(
            part_of("ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH KHUYẾN CÔNG"),
            Part::Results
        );
        assert_eq!(part_of("MỤC ĐÍCH, YÊU CẦU"), Part::Purpose);
    }

    #[test]
    fn a_table_of_one_cell_a_line() {
        let text = "TT\n\nNội dung\n\nĐVT\n\nĐến năm 2025\n\nĐến năm 2030\n\nI\n\nSở Công thương\n\n\u{a0} \n\n99\n\n165\n\n1\n\nĐào tạo nghề\n\nLớp\n\n6\n\n10\n\nĐã xem:";
        let lines = split(text);
        let t = tables(&lines);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].header.len(), 5);
        assert_eq!(t[0].rows.len(), 2);
        let row: Vec<&str> = t[0].rows[1].iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(row, vec!["1", "Đào tạo nghề", "Lớp", "6", "10"]);
        let group: Vec<&str> = t[0].rows[0].iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(group, vec!["I", "Sở Công thương", "", "99", "165"]);
    }
}
