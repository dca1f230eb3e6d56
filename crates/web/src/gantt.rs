//! A server-side Gantt chart (inline SVG) of a support scheme's timeline
//! ("Kế hoạch triển khai và tiến độ thực hiện"): one row per step, a month
//! scale on top, today's line, bars coloured by state.
//!
//! The SVG uses presentation attributes only (no `style`, no script), so it
//! passes the site's Content-Security-Policy; states differ by pattern and
//! border as well as colour so the chart also reads in black-and-white print.
//! The output is deterministic: the same input gives the same bytes.

use std::fmt::Write as _;
use time::{Date, Month};

/// One step of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub order: u32,
    pub label: String,
    pub lead: Option<String>,
    pub start: Option<Date>,
    pub due: Option<Date>,
    pub done_on: Option<Date>,
    /// done, done_late, open, late (computed by the caller; you only colour by it)
    pub state: String,
    pub state_label: String,
}

/// The chart's words, in the page's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The chart's accessible name (`<title>`).
    pub title: String,
    /// Label of today's line, e.g. "Hôm nay"; the date is appended.
    pub today: String,
    /// (state, label) pairs shown as the legend, in this order.
    pub legend: Vec<(String, String)>,
    /// Shown when no step has a date (and on a row without dates).
    pub no_dates: String,
}

/// Width of the viewBox; the SVG itself is `width="100%"`.
pub const WIDTH: f64 = 960.0;
const LABEL_X: f64 = 8.0;
/// Room for a label line (the label column is ~300 units).
const LABEL_W: f64 = 290.0;
const CHART_X0: f64 = 310.0;
const CHART_X1: f64 = 948.0;
const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, 'Liberation Sans', sans-serif";

const LABEL_SIZE: f64 = 13.0;
const LINE_H: f64 = 16.0;
const LEAD_SIZE: f64 = 11.0;
const LEAD_H: f64 = 14.0;
const ROW_PAD: f64 = 7.0;
const ROW_MIN_H: f64 = 34.0;
const BAR_H: f64 = 16.0;
const TODAY_BAND: f64 = 20.0;
const MONTH_BAND: f64 = 24.0;
/// Months are labelled only where this much room is available.
const MONTH_LABEL_MIN_W: f64 = 58.0;
/// Today widens the range when it is at most this many days outside it.
const TODAY_REACH_DAYS: i64 = 60;

const TEXT: &str = "#0b0c0c";
const TEXT_2: &str = "#484f54";
const GRID: &str = "#c9cccf";
const RULE: &str = "#8d9296";
const ROW_BG: [&str; 2] = ["#ffffff", "#f3f4f5"];

/// Colour of a step done on time (solid).
pub const DONE: &str = "#00703c";
/// Colour of a step done late (hatched).
pub const DONE_LATE: &str = "#f47738";
/// Colour of an open step (light fill, solid blue border).
pub const OPEN: &str = "#1d70b8";
/// Colour of a late step (cross-hatched, dashed border).
pub const LATE: &str = "#d4351c";
/// Today's line.
pub const TODAY: &str = "#0b0c0c";

/// How a state is painted: fill (colour or pattern), border, dash.
struct Paint {
    fill: String,
    stroke: &'static str,
    dash: Option<&'static str>,
}

impl Paint {
    fn attrs(&self) -> String {
        let mut s = format!(
            r#"fill="{}" stroke="{}" stroke-width="1.5""#,
            self.fill, self.stroke
        );
        if let Some(d) = self.dash {
            let _ = write!(s, r#" stroke-dasharray="{d}""#);
        }
        s
    }
}

fn paint(state: &str, uid: &str) -> Paint {
    match state {
        "done" => Paint {
            fill: DONE.into(),
            stroke: "#003d21",
            dash: None,
        },
        "done_late" => Paint {
            fill: format!("url(#{uid}-done-late)"),
            stroke: "#7a3300",
            dash: None,
        },
        "open" => Paint {
            fill: "#bdd5ee".into(),
            stroke: OPEN,
            dash: None,
        },
        "late" => Paint {
            fill: format!("url(#{uid}-late)"),
            stroke: "#6e160f",
            dash: Some("4 2"),
        },
        _ => Paint {
            fill: "#dfe1e3".into(),
            stroke: "#505a5f",
            dash: Some("2 2"),
        },
    }
}

/// The chart. See the module docs; `today` draws the "today" line when it
/// falls in the (possibly widened) range.
pub fn svg(bars: &[Bar], today: Date, labels: &Labels) -> String {
    let uid = uid(bars, labels);
    let dates = || {
        bars.iter()
            .flat_map(|b| [b.start, b.due, b.done_on])
            .flatten()
    };
    let (Some(min), Some(max)) = (dates().min(), dates().max()) else {
        return no_dates_svg(&uid, labels);
    };
    let mut lo = first_of_month(min);
    let mut hi = last_of_month(max);
    if today < lo && (lo - today).whole_days() <= TODAY_REACH_DAYS {
        lo = first_of_month(today);
    }
    if today > hi && (today - hi).whole_days() <= TODAY_REACH_DAYS {
        hi = last_of_month(today);
    }
    let scale = Scale::new(lo, hi);
    let show_today = today >= lo && today <= hi;

    // Rows: wrap the labels first, their heights set the layout.
    let rows: Vec<RowText> = bars.iter().map(RowText::new).collect();
    let header = if show_today { TODAY_BAND } else { 0.0 } + MONTH_BAND;
    let rows_top = header + 4.0;
    let rows_h: f64 = rows.iter().map(|r| r.height).sum();
    let rows_bottom = rows_top + rows_h;

    // Legend layout (wraps onto more lines when long).
    let legend_top = rows_bottom + 14.0;
    let mut legend_items = Vec::new();
    let (mut lx, mut ly) = (LABEL_X, legend_top);
    for (state, label) in &labels.legend {
        let w = 24.0 + text_width(label, 12.0) + 20.0;
        if lx > LABEL_X && lx + w > WIDTH - 8.0 {
            lx = LABEL_X;
            ly += 22.0;
        }
        legend_items.push((lx, ly, state.as_str(), label.as_str()));
        lx += w;
    }
    let height = if legend_items.is_empty() {
        rows_bottom + 8.0
    } else {
        ly + 14.0 + 10.0
    };

    let mut o = String::with_capacity(4096 + bars.len() * 1024);
    open_svg(&mut o, &uid, height);
    let _ = write!(
        o,
        r#"<title id="{uid}-title">{}</title><desc id="{uid}-desc">{}</desc>"#,
        esc(&labels.title),
        esc(&describe(bars, lo, hi))
    );
    defs(&mut o, &uid);

    // Row stripes first, then the grid over them, then the rows' content.
    o.push_str(r#"<g class="stripes">"#);
    let mut y = rows_top;
    for (i, row) in rows.iter().enumerate() {
        let _ = write!(
            o,
            r#"<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>"#,
            n(y),
            n(WIDTH),
            n(row.height),
            ROW_BG[i % 2]
        );
        y += row.height;
    }
    o.push_str("</g>");

    // Month scale and grid.
    let months_top = if show_today { TODAY_BAND } else { 0.0 };
    let _ = write!(o, r#"<g class="months" font-size="12" fill="{TEXT_2}">"#);
    let month_starts = scale.month_starts();
    let month_w = (CHART_X1 - CHART_X0) / month_starts.len() as f64;
    let step = (MONTH_LABEL_MIN_W / month_w).ceil().max(1.0) as usize;
    for (i, m) in month_starts.iter().enumerate() {
        let x = scale.x(*m);
        let january = m.month() == Month::January && i > 0;
        let _ = write!(
            o,
            r#"<line class="tick" data-month="{:04}-{:02}" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{}" stroke-width="{}"/>"#,
            m.year(),
            m.month() as u8,
            n(months_top),
            n(rows_bottom),
            if january { RULE } else { GRID },
            if january { "1.5" } else { "1" },
            x = n(x),
        );
        if i % step == 0 {
            let text = format!("{}/{}", m.month() as u8, m.year());
            let next = scale.x(next_month(*m));
            let baseline = n(months_top + 16.0);
            if step == 1 && text_width(&text, 12.0) + 6.0 < next - x {
                let _ = write!(
                    o,
                    r#"<text x="{}" y="{baseline}" text-anchor="middle">{text}</text>"#,
                    n((x + next) / 2.0)
                );
            } else {
                let _ = write!(
                    o,
                    r#"<text x="{}" y="{baseline}">{text}</text>"#,
                    n(x + 3.0)
                );
            }
        }
    }
    let _ = write!(
        o,
        r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}"/><line x1="0" y1="{}" x2="{}" y2="{}" stroke="{RULE}"/><line x1="0" y1="{}" x2="{}" y2="{}" stroke="{RULE}"/></g>"#,
        n(months_top),
        n(rows_bottom),
        n(rows_top),
        n(WIDTH),
        n(rows_top),
        n(rows_bottom),
        n(WIDTH),
        n(rows_bottom),
        x = n(CHART_X1),
    );

    // One group per step; its <title> (full text) shows on hover anywhere
    // in the row thanks to a transparent hit area.
    let mut y = rows_top;
    for (bar, row) in bars.iter().zip(&rows) {
        let _ = write!(
            o,
            r##"<g class="row" data-order="{}" data-state="{}"><title>{}</title><rect x="0" y="{}" width="{}" height="{}" fill="#ffffff" fill-opacity="0"/>"##,
            bar.order,
            esc(&bar.state),
            esc(&row_title(bar)),
            n(y),
            n(WIDTH),
            n(row.height),
        );
        row_label(&mut o, row, y);
        row_shape(&mut o, bar, &scale, y + row.height / 2.0, &uid, labels);
        o.push_str("</g>");
        y += row.height;
    }

    if show_today {
        let x = scale.mid(today);
        let text = format!("{} {}", labels.today.trim(), dmy(today));
        let (tx, anchor) = if x - CHART_X0 < text_width(&text, 12.0) / 2.0 {
            (x - 4.0, "start")
        } else if CHART_X1 - x < text_width(&text, 12.0) / 2.0 {
            (x + 4.0, "end")
        } else {
            (x, "middle")
        };
        let _ = write!(
            o,
            r#"<g class="today"><line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{TODAY}" stroke-width="2" stroke-dasharray="6 3"/><path d="M{} {}L{} {}L{x} {}Z" fill="{TODAY}"/><text x="{}" y="14" text-anchor="{anchor}" font-size="12" font-weight="bold" fill="{TODAY}">{}</text></g>"#,
            n(rows_top),
            n(rows_bottom),
            // A pointer under the month labels leads from the label to the line.
            n(x - 5.0),
            n(rows_top - 7.0),
            n(x + 5.0),
            n(rows_top - 7.0),
            n(rows_top),
            n(tx),
            esc(&text),
            x = n(x),
        );
    }

    if !legend_items.is_empty() {
        o.push_str(r#"<g class="legend" font-size="12">"#);
        for (x, y, state, label) in legend_items {
            let _ = write!(
                o,
                r#"<rect x="{}" y="{}" width="18" height="12" rx="2" {}/><text x="{}" y="{}" fill="{TEXT}">{}</text>"#,
                n(x),
                n(y),
                paint(state, &uid).attrs(),
                n(x + 24.0),
                n(y + 10.5),
                esc(label)
            );
        }
        o.push_str("</g>");
    }
    o.push_str("</svg>");
    o
}

fn open_svg(o: &mut String, uid: &str, height: f64) {
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="gantt-chart" id="{uid}" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{uid}-title {uid}-desc" font-family="{FONT}">"#,
        n(WIDTH),
        n(height)
    );
}

fn no_dates_svg(uid: &str, labels: &Labels) -> String {
    let mut o = String::new();
    open_svg(&mut o, uid, 48.0);
    let _ = write!(
        o,
        r##"<title id="{uid}-title">{}</title><desc id="{uid}-desc">{}</desc><rect x="0.5" y="0.5" width="{}" height="47" fill="#f3f4f5" stroke="{GRID}"/><text x="{}" y="29" text-anchor="middle" font-size="14" fill="{TEXT_2}">{}</text></svg>""##,
        esc(&labels.title),
        esc(&labels.no_dates),
        n(WIDTH - 1.0),
        n(WIDTH / 2.0),
        esc(&labels.no_dates)
    );
    o
}

/// Hatches for the patterned states (ids are prefixed with the chart's id).
fn defs(o: &mut String, uid: &str) {
    let _ = write!(
        o,
        r##"<defs><pattern id="{uid}-done-late" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="{DONE_LATE}"/><line x1="1" y1="0" x2="1" y2="6" stroke="#7a3300" stroke-width="1.5"/></pattern><pattern id="{uid}-late" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="{LATE}"/><path d="M0 1H6M1 0V6" stroke="#ffffff" stroke-width="1.2"/></pattern></defs>"##
    );
}

/// A label wrapped for the label column.
struct RowText {
    lines: Vec<String>,
    lead: Option<String>,
    height: f64,
}

impl RowText {
    fn new(bar: &Bar) -> RowText {
        let text = format!("{}. {}", bar.order, bar.label.trim());
        let (lines, _) = wrap(&text, LABEL_SIZE, LABEL_W, 2);
        let lead = bar
            .lead
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| wrap(l, LEAD_SIZE, LABEL_W, 1).0.join(" "));
        let height = (ROW_PAD * 2.0
            + lines.len() as f64 * LINE_H
            + if lead.is_some() { LEAD_H } else { 0.0 })
        .max(ROW_MIN_H);
        RowText {
            lines,
            lead,
            height,
        }
    }
}

fn row_label(o: &mut String, row: &RowText, top: f64) {
    let text_h = row.lines.len() as f64 * LINE_H + if row.lead.is_some() { LEAD_H } else { 0.0 };
    // Centre the block vertically in the row; baselines sit ~3/4 down a line.
    let mut y = top + (row.height - text_h) / 2.0;
    for line in &row.lines {
        y += LINE_H;
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" font-size="{}" fill="{TEXT}">{}</text>"#,
            n(LABEL_X),
            n(y - 4.0),
            n(LABEL_SIZE),
            esc(line)
        );
    }
    if let Some(lead) = &row.lead {
        y += LEAD_H;
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" font-size="{}" fill="{TEXT_2}">{}</text>"#,
            n(LABEL_X),
            n(y - 3.5),
            n(LEAD_SIZE),
            esc(lead)
        );
    }
}

/// The bar, diamond or marker of one row, centred on `cy`.
fn row_shape(o: &mut String, bar: &Bar, scale: &Scale, cy: f64, uid: &str, labels: &Labels) {
    let p = paint(&bar.state, uid);
    let mut end_x = None;
    match (bar.start, bar.due) {
        (Some(a), Some(b)) => {
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            let x0 = scale.x(a);
            let x1 = scale.x_end(b).max(x0 + 3.0);
            let _ = write!(
                o,
                r#"<rect class="bar" x="{}" y="{}" width="{}" height="{}" rx="2" {}/>"#,
                n(x0),
                n(cy - BAR_H / 2.0),
                n(x1 - x0),
                n(BAR_H),
                p.attrs()
            );
            end_x = Some(x1);
        }
        (None, Some(d)) => {
            // Only a deadline ("trước ngày …"): a milestone diamond.
            let x = scale.mid(d);
            let r = 9.0;
            let _ = write!(
                o,
                r#"<path class="milestone" d="M{} {}L{} {}L{} {}L{} {}Z" {}/>"#,
                n(x),
                n(cy - r),
                n(x + r),
                n(cy),
                n(x),
                n(cy + r),
                n(x - r),
                n(cy),
                p.attrs()
            );
            end_x = Some(x + r);
        }
        (Some(s), None) => {
            // Only a start: a flag pointing right.
            let x = scale.x(s);
            let _ = write!(
                o,
                r#"<path class="start-only" d="M{} {}L{} {}L{} {}Z" {}/>"#,
                n(x),
                n(cy - 8.0),
                n(x + 12.0),
                n(cy),
                n(x),
                n(cy + 8.0),
                p.attrs()
            );
        }
        (None, None) => {
            let _ = write!(
                o,
                r#"<text x="{}" y="{}" font-size="11" font-style="italic" fill="{TEXT_2}">{}</text>"#,
                n(CHART_X0 + 6.0),
                n(cy + 4.0),
                esc(&labels.no_dates)
            );
        }
    }
    if let Some(done) = bar.done_on {
        let x = scale.mid(done);
        if let Some(e) = end_x.filter(|e| x > *e) {
            // Finished after the planned end: a dotted run-on to the finish.
            let _ = write!(
                o,
                r#"<line x1="{}" y1="{cy}" x2="{}" y2="{cy}" stroke="{}" stroke-width="2" stroke-dasharray="3 2"/>"#,
                n(e),
                n(x),
                p.stroke,
                cy = n(cy)
            );
        }
        let _ = write!(
            o,
            r##"<circle class="done-mark" cx="{}" cy="{}" r="4" fill="{TEXT}" stroke="#ffffff" stroke-width="1.5"/>"##,
            n(x),
            n(cy)
        );
    }
}

/// The full text of a row, for its `<title>` (hover) and the chart's `<desc>`.
fn row_title(bar: &Bar) -> String {
    let mut s = format!("{}. {}", bar.order, bar.label.trim());
    if let Some(lead) = bar.lead.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        let _ = write!(s, " — {lead}");
    }
    match (bar.start, bar.due) {
        (Some(a), Some(b)) => {
            let _ = write!(s, ": {} – {}", dmy(a), dmy(b));
        }
        (None, Some(b)) => {
            let _ = write!(s, ": … – {}", dmy(b));
        }
        (Some(a), None) => {
            let _ = write!(s, ": {} – …", dmy(a));
        }
        (None, None) => {}
    }
    let state = bar.state_label.trim();
    if !state.is_empty() || bar.done_on.is_some() {
        s.push_str(" (");
        s.push_str(state);
        if let Some(d) = bar.done_on {
            if !state.is_empty() {
                s.push(' ');
            }
            s.push_str(&dmy(d));
        }
        s.push(')');
    }
    s
}

fn describe(bars: &[Bar], lo: Date, hi: Date) -> String {
    let mut s = format!("{} – {}.", dmy(lo), dmy(hi));
    for b in bars {
        s.push(' ');
        s.push_str(&row_title(b));
        if !s.ends_with('.') {
            s.push('.');
        }
    }
    s
}

/// Maps dates onto the chart's x axis.
struct Scale {
    lo: Date,
    hi: Date,
    days: f64,
}

impl Scale {
    fn new(lo: Date, hi: Date) -> Scale {
        let days = ((hi - lo).whole_days() + 1).max(1) as f64;
        Scale { lo, hi, days }
    }
    /// x of the start of day `d`.
    fn x(&self, d: Date) -> f64 {
        self.at((d - self.lo).whole_days() as f64)
    }
    /// x of the end of day `d`.
    fn x_end(&self, d: Date) -> f64 {
        self.at((d - self.lo).whole_days() as f64 + 1.0)
    }
    /// x of the middle of day `d`.
    fn mid(&self, d: Date) -> f64 {
        self.at((d - self.lo).whole_days() as f64 + 0.5)
    }
    fn at(&self, day: f64) -> f64 {
        let day = day.clamp(0.0, self.days);
        CHART_X0 + day / self.days * (CHART_X1 - CHART_X0)
    }
    fn month_starts(&self) -> Vec<Date> {
        let mut out = Vec::new();
        let mut m = first_of_month(self.lo);
        while m <= self.hi {
            out.push(m);
            let next = next_month(m);
            if next <= m {
                break; // the calendar's end
            }
            m = next;
        }
        out
    }
}

fn first_of_month(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

fn last_of_month(d: Date) -> Date {
    d.replace_day(d.month().length(d.year())).unwrap_or(d)
}

fn next_month(d: Date) -> Date {
    let (y, m) = match d.month() {
        Month::December => (d.year() + 1, Month::January),
        m => (d.year(), m.next()),
    };
    Date::from_calendar_date(y, m, 1).unwrap_or(Date::MAX)
}

fn dmy(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year())
}

/// A number for an attribute: one decimal at most, no "-0".
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r };
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// XML-escapes text and attribute values; drops characters XML forbids.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' => o.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => o.push(c),
        }
    }
    o
}

/// A stable id for the chart (pattern and title ids must be unique per page).
fn uid(bars: &[Bar], labels: &Labels) -> String {
    let mut h: u32 = 0x811c_9dc5;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u32::from(*b);
            h = h.wrapping_mul(0x0100_0193);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0193);
    };
    eat(labels.title.as_bytes());
    for b in bars {
        eat(&b.order.to_le_bytes());
        eat(b.label.as_bytes());
        eat(b.state.as_bytes());
        for d in [b.start, b.due, b.done_on] {
            eat(&d.map_or(0, |d| d.to_julian_day()).to_le_bytes());
        }
    }
    format!("gantt-{h:08x}")
}

/// Rough advance width of a character, in em. Calibrated on DejaVu Sans, the
/// widest of the usual fallbacks (Linux `system-ui`), so wrapped text does not
/// overflow its column; narrower fonts (Segoe UI, Roboto) leave some room.
fn char_em(c: char) -> f64 {
    match c {
        ' ' => 0.32,
        '0'..='9' => 0.64,
        '.' | ',' | ':' | ';' | '\'' | '!' | '|' | '/' | '\u{2018}' | '\u{2019}' => 0.34,
        '(' | ')' | '[' | ']' | '-' => 0.4,
        '"' | '\u{201c}' | '\u{201d}' => 0.46,
        '\u{2013}' => 0.5,
        '\u{2014}' | '\u{2026}' => 1.0,
        'i' | 'l' | 'j' | 'I' | 'J' | 'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' | 'Ì' | 'Í' | 'Ỉ' | 'Ĩ' | 'Ị' => {
            0.3
        }
        't' | 'f' | 'r' => 0.42,
        'm' => 0.98,
        'w' => 0.82,
        'M' | 'W' => 1.0,
        'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' | 'ơ' | 'ờ' | 'ớ' | 'ở' | 'ỡ' | 'ợ' => {
            0.72
        }
        c if c.is_uppercase() => 0.77,
        _ => 0.63,
    }
}

fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * size
}

/// Greedy word wrap into at most `max_lines` lines of `max_w` units; the last
/// line ends with "…" when text was cut. Returns the lines and whether it cut.
fn wrap(text: &str, size: f64, max_w: f64, max_lines: usize) -> (Vec<String>, bool) {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if text_width(&candidate, size) <= max_w {
            cur = candidate;
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        // A word wider than the column is broken where it overflows.
        for c in word.chars() {
            cur.push(c);
            if text_width(&cur, size) > max_w {
                cur.pop();
                lines.push(std::mem::replace(&mut cur, c.to_string()));
            }
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() <= max_lines.max(1) {
        return (lines, false);
    }
    let keep = max_lines.max(1);
    let rest = lines.split_off(keep - 1).join(" ");
    lines.push(ellipsize(&rest, size, max_w));
    (lines, true)
}

fn ellipsize(s: &str, size: f64, max_w: f64) -> String {
    let mut out: String = String::new();
    let budget = max_w - text_width("…", size);
    for c in s.chars() {
        if text_width(&out, size) + char_em(c) * size > budget {
            break;
        }
        out.push(c);
    }
    let trimmed = out.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c));
    format!("{trimmed}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn bar(order: u32, label: &str, start: Option<Date>, due: Option<Date>, state: &str) -> Bar {
        Bar {
            order,
            label: label.into(),
            lead: Some("Sở Công Thương".into()),
            start,
            due,
            done_on: None,
            state: state.into(),
            state_label: state.into(),
        }
    }

    fn labels() -> Labels {
        Labels {
            title: "Tiến độ thực hiện".into(),
            today: "Hôm nay".into(),
            legend: vec![
                ("done".into(), "Hoàn thành".into()),
                ("done_late".into(), "Hoàn thành trễ".into()),
                ("open".into(), "Đang thực hiện".into()),
                ("late".into(), "Trễ hạn".into()),
            ],
            no_dates: "Chưa có mốc thời gian".into(),
        }
    }

    /// The nine steps of Hà Nội's 2017 craft-village brand scheme ("thương hiệu làng nghề").
    fn seed_bars() -> Vec<Bar> {
        let mut v = vec![
            bar(1, "Nhận hồ sơ đăng ký hỗ trợ", Some(date!(2017-05-01)), Some(date!(2017-05-31)), "done"),
            bar(2, "Dự thảo Kế hoạch Triển khai “Hỗ trợ xây dựng thương hiệu làng nghề” năm 2017 và xin ý kiến các đơn vị liên quan; trình UBND Thành phố xem xét, phê duyệt.", Some(date!(2017-06-01)), Some(date!(2017-07-31)), "done_late"),
            bar(3, "Kiểm tra đối tượng, nội dung, mức kinh phí hỗ trợ cho từng làng nghề; Tổng hợp danh sách, lập hồ sơ.", Some(date!(2017-07-01)), Some(date!(2017-07-31)), "done"),
            bar(4, "Tổ chức họp liên ngành Công Thương; Tài chính và Trung tâm Xúc tiến Đầu tư, Thương mại, Du lịch Thành phố nhằm thống nhất lựa chọn danh sách các làng nghề, nội dung và mức kinh phí hỗ trợ cho từng làng nghề.", None, Some(date!(2017-08-10)), "done"),
            bar(5, "Dự thảo Quyết định, Trình UBND Thành phố phê duyệt danh sách các làng nghề, nội dung và mức kinh phí hỗ trợ cho từng làng nghề.", None, Some(date!(2017-08-30)), "late"),
            bar(6, "Dự thảo, thương thảo, ký Hợp đồng thực hiện nhiệm vụ theo các nội dung hỗ trợ đã được duyệt.", Some(date!(2017-09-01)), Some(date!(2017-09-30)), "open"),
            bar(7, "Tổ chức kiểm tra, giám sát tiến độ triển khai thực hiện hỗ trợ thương hiệu làng nghề.", Some(date!(2017-10-01)), Some(date!(2017-11-30)), "open"),
            bar(8, "Nghiệm thu và Thanh lý hợp đồng sau khi hoàn thành các nội dung công việc.", None, Some(date!(2017-11-25)), "open"),
            bar(9, "Thanh quyết toán Chương trình", Some(date!(2017-12-01)), Some(date!(2017-12-31)), "open"),
        ];
        v[0].done_on = Some(date!(2017 - 05 - 29));
        v[1].done_on = Some(date!(2017 - 08 - 12));
        v[2].done_on = Some(date!(2017 - 07 - 28));
        v[3].done_on = Some(date!(2017 - 08 - 09));
        for b in &mut v[7..] {
            b.lead = Some("Trung tâm Xúc tiến, Đầu tư, Thương mại, Du lịch Thành phố".into());
        }
        v
    }

    /// The `<g class="row">` of step `order`.
    fn row(svg: &str, order: u32) -> &str {
        let start = svg
            .find(&format!(r#"<g class="row" data-order="{order}""#))
            .expect("row present");
        let len = svg[start..].find("</g>").expect("row closed");
        &svg[start..start + len]
    }

    /// The first number in attribute `attr` after `needle`.
    fn attr_after(svg: &str, needle: &str, attr: &str) -> f64 {
        let at = svg.find(needle).expect("needle present");
        let rest = &svg[at..];
        let a = rest.find(&format!(r#" {attr}=""#)).expect("attr present") + attr.len() + 3;
        let len = rest[a..].find('"').unwrap();
        rest[a..a + len].parse().unwrap()
    }

    #[test]
    fn gantt_seed_today_line_between_sep_and_oct() {
        let svg = svg(&seed_bars(), date!(2017 - 09 - 15), &labels());
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("aria-labelledby=\"gantt-"));
        assert!(svg.contains("<title id=\"gantt-"));
        assert!(svg.contains("<desc id=\"gantt-"));
        let sep = attr_after(&svg, r#"data-month="2017-09""#, "x1");
        let oct = attr_after(&svg, r#"data-month="2017-10""#, "x1");
        let today = attr_after(&svg, r#"<g class="today">"#, "x1");
        assert!(sep < today && today < oct, "{sep} < {today} < {oct}");
        // 15 September is about half-way through the month.
        let frac = (today - sep) / (oct - sep);
        assert!((0.45..0.52).contains(&frac), "{frac}");
        assert!(svg.contains("Hôm nay 15/09/2017"));
        // May..December 2017: 8 months, first and last ticks.
        assert!(svg.contains(r#"data-month="2017-05""#));
        assert!(svg.contains(r#"data-month="2017-12""#));
        assert!(!svg.contains(r#"data-month="2017-04""#));
        assert!(!svg.contains(r#"data-month="2018-01""#));
        assert!(svg.contains(">5/2017</text>"));
        assert!(svg.contains(">12/2017</text>"));
        for order in 1..=9 {
            row(&svg, order);
        }
    }

    #[test]
    fn gantt_states_are_coloured() {
        let svg = svg(&seed_bars(), date!(2017 - 09 - 15), &labels());
        let uid = &svg[svg.find(r#"id="gantt-"#).unwrap() + 4..][..14];
        // Step 5 is late: cross-hatched red pattern, dashed border.
        let late = row(&svg, 5);
        assert!(late.contains(r#"data-state="late""#));
        assert!(
            late.contains(&format!(r#"fill="url(#{uid}-late)""#)),
            "{late}"
        );
        assert!(late.contains(r#"stroke-dasharray="4 2""#));
        assert!(
            late.contains(r#"class="milestone""#),
            "deadline only: diamond"
        );
        assert!(svg.contains(&format!(
            r#"<pattern id="{uid}-late" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="{LATE}"/>"#
        )));
        // Step 1 is done: solid green.
        let done = row(&svg, 1);
        assert!(done.contains(r#"class="bar""#));
        assert!(done.contains(&format!(r#"fill="{DONE}""#)));
        assert!(done.contains(r#"class="done-mark""#));
        // Step 2 finished late: hatched orange plus a run-on to the finish.
        let done_late = row(&svg, 2);
        assert!(done_late.contains(&format!(r#"fill="url(#{uid}-done-late)""#)));
        assert!(done_late.contains(r#"stroke-dasharray="3 2""#));
        assert!(svg.contains(&format!(r#"fill="{DONE_LATE}""#)));
        // Open: light fill, blue border.
        assert!(row(&svg, 7).contains(&format!(r#"stroke="{OPEN}""#)));
        // The legend repeats the four paints.
        let legend = &svg[svg.find(r#"<g class="legend""#).unwrap()..];
        assert!(legend.contains(&format!(r#"fill="{DONE}""#)));
        assert!(legend.contains(&format!(r#"fill="url(#{uid}-late)""#)));
        assert!(legend.contains(">Trễ hạn</text>"));
        // The lead unit is under the label.
        assert!(row(&svg, 1).contains(">Sở Công Thương</text>"));
    }

    #[test]
    fn gantt_no_inline_style_or_script_and_deterministic() {
        let a = svg(&seed_bars(), date!(2017 - 09 - 15), &labels());
        let b = svg(&seed_bars(), date!(2017 - 09 - 15), &labels());
        assert_eq!(a, b);
        assert!(!a.contains("style="));
        assert!(!a.contains("<style"));
        assert!(!a.contains("<script"));
        assert!(a.contains(r#"width="100%""#));
        assert!(a.contains(r#"viewBox="0 0 960 "#));
        assert!(a.starts_with("<svg ") && a.ends_with("</svg>"));
    }

    #[test]
    fn gantt_text_is_escaped() {
        let nasty = r#"<script>&"'"#;
        let mut bars = seed_bars();
        bars[0].label = format!("{nasty} bước");
        bars[0].lead = Some(nasty.into());
        bars[0].state_label = nasty.into();
        let mut l = labels();
        l.title = nasty.into();
        l.today = nasty.into();
        l.legend[0].1 = nasty.into();
        let svg = svg(&bars, date!(2017 - 09 - 15), &l);
        assert!(!svg.contains("<script"));
        assert!(!svg.contains(r#"&""#));
        assert!(svg.contains("&lt;script&gt;&amp;&quot;&apos;"));
        assert!(row(&svg, 1)
            .contains("<title>1. &lt;script&gt;&amp;&quot;&apos; bước — &lt;script&gt;"));
        // Nothing unescaped: every '&' starts an entity.
        for (i, _) in svg.match_indices('&') {
            let rest = &svg[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| rest.starts_with(e)),
                "{}",
                &rest[..rest.len().min(20)]
            );
        }
    }

    #[test]
    fn gantt_no_dates() {
        let bars = vec![bar(1, "Việc chưa có ngày", None, None, "open")];
        let svg = svg(&bars, date!(2017 - 09 - 15), &labels());
        assert!(svg.contains(">Chưa có mốc thời gian</text>"));
        assert!(svg.contains(r#"role="img""#));
        assert!(!svg.contains("class=\"row\""));
        let empty = super::svg(&[], date!(2017 - 09 - 15), &labels());
        assert!(empty.contains(">Chưa có mốc thời gian</text>"));
    }

    #[test]
    fn gantt_one_step() {
        let bars = vec![bar(
            1,
            "Thanh quyết toán",
            Some(date!(2017 - 12 - 01)),
            Some(date!(2017 - 12 - 31)),
            "open",
        )];
        // Today more than 60 days away: the range stays December.
        let svg = svg(&bars, date!(2017 - 05 - 15), &labels());
        assert!(svg.contains(r#"data-month="2017-12""#));
        assert!(!svg.contains(r#"data-month="2017-11""#));
        assert!(!svg.contains(r#"<g class="today">"#));
        let x = attr_after(&svg, r#"class="bar""#, "x");
        let w = attr_after(&svg, r#"class="bar""#, "width");
        assert_eq!((x, x + w), (CHART_X0, CHART_X1));
        // Today within 60 days before: the range grows to include it.
        let svg = super::svg(&bars, date!(2017 - 10 - 20), &labels());
        assert!(svg.contains(r#"data-month="2017-10""#));
        assert!(svg.contains(r#"<g class="today">"#));
        // A row without dates among dated ones says so in its row.
        let mut two = bars.clone();
        two.push(bar(2, "Chưa rõ", None, None, "open"));
        let svg = super::svg(&two, date!(2017 - 12 - 10), &labels());
        assert!(row(&svg, 2).contains(">Chưa có mốc thời gian</text>"));
    }

    #[test]
    fn gantt_long_label_truncated() {
        let long = "Tổ chức kiểm tra giám sát tiến độ triển khai ".repeat(12);
        let mut bars = seed_bars();
        bars[6].label = long.clone();
        bars[6].lead = Some("Trung tâm Xúc tiến Đầu tư, Thương mại, Du lịch Thành phố ".repeat(4));
        let svg = svg(&bars, date!(2017 - 09 - 15), &labels());
        let r = row(&svg, 7);
        // Full text in the row's <title>.
        assert!(r.contains(&format!("<title>7. {}", long.trim())));
        // Two label lines + one lead line, the second label line cut with "…".
        let texts: Vec<&str> = r.split("<text ").skip(1).collect();
        assert_eq!(texts.len(), 3, "{r}");
        assert!(texts[1].contains("…</text>"));
        assert!(texts[2].contains("…</text>"));
        for t in &texts {
            let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
            let size = if t.contains(r#"font-size="11""#) {
                LEAD_SIZE
            } else {
                LABEL_SIZE
            };
            assert!(text_width(body, size) <= LABEL_W, "{body}");
        }
        // A single unbreakable word is cut too.
        let (lines, cut) = wrap(&"x".repeat(500), LABEL_SIZE, LABEL_W, 2);
        assert!(cut);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        // A short label stays whole.
        assert_eq!(
            wrap("1. Ngắn", LABEL_SIZE, LABEL_W, 2),
            (vec!["1. Ngắn".to_string()], false)
        );
    }

    #[test]
    fn gantt_spans_year_boundary() {
        let bars = vec![
            bar(
                1,
                "Cuối năm",
                Some(date!(2017 - 11 - 15)),
                Some(date!(2018 - 01 - 20)),
                "open",
            ),
            bar(2, "Đầu năm", None, Some(date!(2018 - 02 - 10)), "late"),
        ];
        let svg = svg(&bars, date!(2018 - 01 - 05), &labels());
        let months = ["2017-11", "2017-12", "2018-01", "2018-02"];
        let xs: Vec<f64> = months
            .iter()
            .map(|m| attr_after(&svg, &format!(r#"data-month="{m}""#), "x1"))
            .collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
        assert!(!svg.contains(r#"data-month="2018-03""#));
        assert!(svg.contains(">12/2017</text>") && svg.contains(">1/2018</text>"));
        // January gets the heavier year rule.
        assert!(svg.contains(&format!(
            r#"data-month="2018-01" x1="{}" y1="20" x2="{}""#,
            n(xs[2]),
            n(xs[2])
        )));
        let today = attr_after(&svg, r#"<g class="today">"#, "x1");
        assert!(xs[2] < today && today < xs[3]);
        // The bar runs from mid-November into January.
        let x = attr_after(&svg, r#"class="bar""#, "x");
        let w = attr_after(&svg, r#"class="bar""#, "width");
        assert!(xs[0] < x && x < xs[1]);
        assert!(xs[2] < x + w && x + w < xs[3]);
    }

    #[test]
    fn gantt_calendar_edges_terminate() {
        let bars = vec![bar(1, "Biên", Some(Date::MAX), Some(Date::MAX), "open")];
        let svg = svg(&bars, date!(2017 - 09 - 15), &labels());
        assert!(svg.contains(r#"data-month="9999-12""#));
    }

    #[test]
    fn gantt_many_months_thin_labels() {
        let bars = vec![bar(
            1,
            "Dài hạn",
            Some(date!(2016 - 01 - 01)),
            Some(date!(2020 - 12 - 31)),
            "open",
        )];
        let svg = svg(&bars, date!(2030 - 01 - 01), &labels());
        assert_eq!(svg.matches(r#"class="tick""#).count(), 60);
        let labelled = svg.matches("</text>").count();
        assert!(labelled < 40, "{labelled}");
    }
}
