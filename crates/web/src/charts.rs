//! Server-rendered SVG charts of the dashboard, drawn like the Gantt:
//! no JavaScript, no inline style (presentation attributes only, so the same
//! SVG works inside the page under the CSP and as a file of its own). Every
//! bar carries its value as text and a pattern by status, so the chart reads
//! in grey print; the page puts the data table beside it.

use std::fmt::Write;

const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif";
const WIDTH: f64 = 720.0;
const LABEL_W: f64 = 250.0;
const VALUE_W: f64 = 150.0;
const ROW_H: f64 = 26.0;
const TEXT: &str = "#1b1f24";
const GRID: &str = "#c9ced4";

/// How a bar is filled: solid, hatched or dotted (grey print keeps them apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Dark solid (on track, or a plain measure).
    Solid,
    /// Diagonal hatching (behind).
    Hatched,
    /// Dots (ahead).
    Dotted,
    /// Light outline only (no data).
    Empty,
}

/// One horizontal bar.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    /// Length on the chart's scale; `None` draws no bar.
    pub value: Option<f64>,
    /// A mark across the bar (the target, or the expected value).
    pub mark: Option<f64>,
    /// Printed at the right of the bar: "72,5 % — behind".
    pub text: String,
    pub fill: Fill,
}

/// A horizontal bar chart: `max` is the end of the scale (values beyond are clipped
/// and the text still says the real figure); `mark_label` names the marks; `note`
/// is a line above the bars ("Dữ liệu mẫu" when the figures are the demo's).
pub fn hbars(
    uid: &str,
    title: &str,
    desc: &str,
    bars: &[Bar],
    max: f64,
    mark_label: Option<&str>,
    note: Option<&str>,
) -> String {
    let legend_h = if mark_label.is_some() { 22.0 } else { 0.0 };
    let note_h = if note.is_some() { NOTE_H } else { 0.0 };
    let height = note_h + 10.0 + ROW_H * bars.len().max(1) as f64 + legend_h + 8.0;
    let plot = WIDTH - LABEL_W - VALUE_W;
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let x_of = |v: f64| LABEL_W + (v.clamp(0.0, max) / max) * plot;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart" id="{uid}" viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{uid}-title {uid}-desc" font-family="{FONT}"><title id="{uid}-title">{}</title><desc id="{uid}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    let _ = write!(
        o,
        r##"<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><rect width="3" height="6" fill="#4a4f55"/></pattern><pattern id="{uid}-dots" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#c7d9ef"/><circle cx="3" cy="3" r="1.6" fill="#123a6b"/></pattern></defs>"##
    );
    if let Some(n) = note {
        note_line(&mut o, n);
        let _ = write!(o, r#"<g transform="translate(0 {note_h})">"#);
    }
    let _ = write!(
        o,
        r#"<line x1="{LABEL_W}" y1="4" x2="{LABEL_W}" y2="{}" stroke="{GRID}"/>"#,
        10.0 + ROW_H * bars.len() as f64
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 10.0 + ROW_H * i as f64;
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="{TEXT}">{}</text>"#,
            LABEL_W - 6.0,
            y + 16.0,
            esc(&shorten(&b.label, 32))
        );
        if let Some(v) = b.value {
            let w = (x_of(v) - LABEL_W).max(1.0);
            let fill = match b.fill {
                Fill::Solid => "#1f5fa8".to_string(),
                Fill::Hatched => format!("url(#{uid}-hatch)"),
                Fill::Dotted => format!("url(#{uid}-dots)"),
                Fill::Empty => "#ffffff".to_string(),
            };
            let _ = write!(
                o,
                r#"<rect x="{LABEL_W}" y="{}" width="{w:.1}" height="16" fill="{fill}" stroke="{TEXT}" stroke-width="0.8"/>"#,
                y + 4.0
            );
        }
        if let Some(m) = b.mark {
            let x = x_of(m);
            let _ = write!(
                o,
                r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="#b3261e" stroke-width="2.5" stroke-dasharray="3 2"/>"##,
                y + 1.0,
                y + 23.0
            );
        }
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" font-size="12" fill="{TEXT}">{}</text>"#,
            WIDTH - VALUE_W + 6.0,
            y + 16.0,
            esc(&b.text)
        );
    }
    if let Some(l) = mark_label {
        let y = 10.0 + ROW_H * bars.len().max(1) as f64 + 6.0;
        let _ = write!(
            o,
            r##"<line x1="{LABEL_W}" y1="{y}" x2="{}" y2="{y}" stroke="#b3261e" stroke-width="2.5" stroke-dasharray="3 2"/><text x="{}" y="{}" font-size="12" fill="{TEXT}">{}</text>"##,
            LABEL_W + 18.0,
            LABEL_W + 24.0,
            y + 4.0,
            esc(l)
        );
    }
    if note.is_some() {
        o.push_str("</g>");
    }
    o.push_str("</svg>");
    o
}

/// Height of the note line above a chart.
const NOTE_H: f64 = 22.0;

/// The note line ("Dữ liệu mẫu — …") at the top of a chart: framed text, so it
/// reads in grey print and survives a download on its own.
fn note_line(o: &mut String, note: &str) {
    let _ = write!(
        o,
        r##"<rect x="1" y="2" width="{}" height="18" fill="#fff4d6" stroke="#8a5a00" stroke-width="0.8"/><text x="8" y="15" font-size="12" font-weight="600" fill="#5c3b00">{}</text>"##,
        WIDTH - 2.0,
        esc(&shorten(note, 110))
    );
}

/// One indicator's values across periods, for a small-multiples trend chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// "CT01 Số làng nghề được công nhận".
    pub label: String,
    /// One per tick; `None` where the period has no value.
    pub points: Vec<Option<f64>>,
    /// The value as printed above its point ("11", "72,5").
    pub texts: Vec<String>,
    /// Points from sample (demo) periods: drawn hollow.
    pub sample: Vec<bool>,
    /// Points of periods not every report of which is approved: drawn as squares.
    pub provisional: Vec<bool>,
    /// The target in force, drawn as a dashed line, and its words ("Chỉ tiêu 2025: 11").
    pub target: Option<f64>,
    pub target_text: Option<String>,
}

const PANEL_W: f64 = 360.0;
const PANEL_H: f64 = 150.0;

/// One panel of the trend chart: a line through the values of the periods
/// (`ticks`, oldest first), each value printed above its point, the target as
/// a dashed line. A panel is an SVG of its own, so the page lays panels out in
/// a grid that reflows on a phone.
pub fn trend_panel(uid: &str, s: &Series, ticks: &[String], desc: &str) -> String {
    let (left, right, top, bottom) = (14.0, PANEL_W - 14.0, 52.0, 116.0);
    let max = s
        .points
        .iter()
        .flatten()
        .copied()
        .chain(s.target)
        .fold(0.0_f64, f64::max);
    let max = if max.is_finite() && max > 0.0 {
        max * 1.08
    } else {
        1.0
    };
    let n = ticks.len().max(1);
    let step = (right - left - 24.0) / n as f64;
    let x_of = |i: usize| left + 12.0 + step * (i as f64 + 0.5);
    let y_of = |v: f64| bottom - (v.clamp(0.0, max) / max) * (bottom - top);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart dash-panel" id="{uid}" viewBox="0 0 {PANEL_W} {PANEL_H}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{uid}-title {uid}-desc" font-family="{FONT}"><title id="{uid}-title">{}</title><desc id="{uid}-desc">{}</desc>"#,
        esc(&s.label),
        esc(desc)
    );
    // The indicator on the first line, the target's words on the second: above
    // the plot, so they never sit on a value.
    let _ = write!(
        o,
        r#"<text x="{left}" y="15" font-size="12" font-weight="600" fill="{TEXT}">{}</text>"#,
        esc(&shorten(&s.label, 46))
    );
    if let Some(tt) = &s.target_text {
        let _ = write!(
            o,
            r##"<line x1="{left}" y1="27" x2="{}" y2="27" stroke="#b3261e" stroke-width="1.6" stroke-dasharray="4 3"/><text x="{}" y="31" font-size="10" fill="{TEXT}">{}</text>"##,
            left + 18.0,
            left + 24.0,
            esc(&shorten(tt, 56))
        );
    }
    let _ = write!(
        o,
        r#"<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{GRID}"/>"#
    );
    if let Some(t) = s.target {
        let y = y_of(t);
        let _ = write!(
            o,
            r##"<line x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="#b3261e" stroke-width="1.6" stroke-dasharray="4 3"/>"##
        );
    }
    // The line, broken where a period has no value.
    let mut run: Vec<(f64, f64)> = vec![];
    let flush = |run: &mut Vec<(f64, f64)>, o: &mut String| {
        if run.len() > 1 {
            let pts: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = write!(
                o,
                r##"<polyline points="{}" fill="none" stroke="#1f5fa8" stroke-width="2"/>"##,
                pts.join(" ")
            );
        }
        run.clear();
    };
    for (i, p) in s.points.iter().enumerate() {
        match p {
            Some(v) => run.push((x_of(i), y_of(*v))),
            None => flush(&mut run, &mut o),
        }
    }
    flush(&mut run, &mut o);
    for (i, p) in s.points.iter().enumerate() {
        let Some(v) = p else { continue };
        let (x, y) = (x_of(i), y_of(*v));
        let fill = if s.sample.get(i).copied().unwrap_or(false) {
            "#ffffff"
        } else {
            "#123a6b"
        };
        if s.provisional.get(i).copied().unwrap_or(false) {
            let _ = write!(
                o,
                r##"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="{fill}" stroke="#123a6b" stroke-width="1.5"/>"##,
                x - 4.0,
                y - 4.0
            );
        } else {
            let _ = write!(
                o,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{fill}" stroke="#123a6b" stroke-width="1.5"/>"##
            );
        }
        let _ = write!(
            o,
            r#"<text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="{TEXT}">{}</text>"#,
            y - 7.0,
            esc(s.texts.get(i).map(String::as_str).unwrap_or(""))
        );
    }
    // Every tick when they fit, else every other one (the first and last kept).
    let every = if n > 8 { 2 } else { 1 };
    for (i, t) in ticks.iter().enumerate() {
        if i % every != 0 && i + 1 != n {
            continue;
        }
        let _ = write!(
            o,
            r#"<text x="{:.1}" y="{}" font-size="10" text-anchor="middle" fill="{TEXT}">{}</text>"#,
            x_of(i),
            bottom + 15.0,
            esc(&shorten(t, 14))
        );
    }
    o.push_str("</svg>");
    o
}

/// The whole trend chart as one SVG file (the download): the panels two by two
/// under a title, and the note line when figures are the demo's.
pub fn trend_sheet(
    uid: &str,
    title: &str,
    desc: &str,
    panels: &[String],
    note: Option<&str>,
) -> String {
    let note_h = if note.is_some() { NOTE_H } else { 0.0 };
    let rows = panels.len().div_ceil(2).max(1);
    let head = 28.0;
    let height = note_h + head + PANEL_H * rows as f64 + 8.0;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart" id="{uid}" viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{uid}-title {uid}-desc" font-family="{FONT}"><title id="{uid}-title">{}</title><desc id="{uid}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    if let Some(n) = note {
        note_line(&mut o, n);
    }
    let _ = write!(
        o,
        r#"<text x="8" y="{}" font-size="14" font-weight="600" fill="{TEXT}">{}</text>"#,
        note_h + 20.0,
        esc(title)
    );
    for (i, p) in panels.iter().enumerate() {
        let x = if i % 2 == 0 { 0.0 } else { PANEL_W };
        let y = note_h + head + PANEL_H * (i / 2) as f64;
        // A nested <svg> places the panel; its own viewBox keeps its drawing.
        let inner = p.replacen(
            "<svg ",
            &format!(r#"<svg x="{x}" y="{y}" width="{PANEL_W}" height="{PANEL_H}" "#),
            1,
        );
        // Drop the panel's `width="100%"` (the outer one sizes it).
        o.push_str(&inner.replacen(r#" width="100%""#, "", 1));
    }
    o.push_str("</svg>");
    o
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// XML-escapes text and attribute values; drops characters XML forbids.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' => o.push(' '),
            c if (c as u32) < 0x20 => {}
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_have_text_patterns_and_no_style() {
        let bars = vec![
            Bar {
                label: "A & B".into(),
                value: Some(50.0),
                mark: Some(100.0),
                text: "50 % — behind".into(),
                fill: Fill::Hatched,
            },
            Bar {
                label: "C".into(),
                value: None,
                mark: None,
                text: "—".into(),
                fill: Fill::Empty,
            },
        ];
        let s = hbars(
            "c1",
            "T",
            "D",
            &bars,
            150.0,
            Some("target"),
            Some("Sample data"),
        );
        assert!(s.starts_with("<svg ") && s.ends_with("</svg>"));
        assert!(s.contains("A &amp; B") && s.contains("50 % — behind"));
        assert!(s.contains("url(#c1-hatch)"));
        assert!(!s.contains("style="), "CSP: no inline style");
        assert!(s.contains("Sample data") && s.contains(r#"<g transform="translate(0 22)">"#));
    }

    #[test]
    fn trend_panels_break_on_gaps_print_values_and_hollow_samples() {
        let s = Series {
            label: "CT01 Làng nghề".into(),
            points: vec![Some(3.0), Some(5.0), None, Some(9.0), Some(10.0)],
            texts: vec![
                "3".into(),
                "5".into(),
                String::new(),
                "9".into(),
                "10".into(),
            ],
            sample: vec![true, true, false, false, false],
            provisional: vec![false, false, false, false, true],
            target: Some(11.0),
            target_text: Some("Chỉ tiêu 2025: 11".into()),
        };
        let ticks: Vec<String> = ["6T/2023", "Năm 2023", "6T/2024", "Năm 2024", "6T/2025"]
            .map(String::from)
            .to_vec();
        let p = trend_panel("t1", &s, &ticks, "d");
        // Two runs of two points each: two polylines, not one across the gap.
        assert_eq!(p.matches("<polyline").count(), 2, "{p}");
        assert_eq!(p.matches("<circle").count(), 3);
        assert_eq!(
            p.matches(r#"width="8" height="8""#).count(),
            1,
            "provisional square"
        );
        assert_eq!(
            p.matches(r##"fill="#ffffff" stroke="#123a6b""##).count(),
            2,
            "hollow samples"
        );
        assert!(p.contains("Chỉ tiêu 2025: 11") && p.contains(">10<") && p.contains("6T/2025"));
        assert!(!p.contains("style="));
        let sheet = trend_sheet("all", "Xu hướng", "d", &[p.clone(), p], Some("Dữ liệu mẫu"));
        assert_eq!(sheet.matches("<svg ").count(), 3);
        assert!(
            sheet.contains(r#"<svg x="360" y="50" width="360" height="150""#),
            "{sheet}"
        );
        assert!(sheet.contains("Dữ liệu mẫu"));
    }
}
