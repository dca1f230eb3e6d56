//! Server-rendered SVG charts of the dashboard (issue 12), drawn like the Gantt:
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
/// and the text still says the real figure); `mark_label` names the marks.
pub fn hbars(
    uid: &str,
    title: &str,
    desc: &str,
    bars: &[Bar],
    max: f64,
    mark_label: Option<&str>,
) -> String {
    let legend_h = if mark_label.is_some() { 22.0 } else { 0.0 };
    let height = 10.0 + ROW_H * bars.len().max(1) as f64 + legend_h + 8.0;
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
        let s = hbars("c1", "T", "D", &bars, 150.0, Some("target"));
        assert!(s.starts_with("<svg ") && s.ends_with("</svg>"));
        assert!(s.contains("A &amp; B") && s.contains("50 % — behind"));
        assert!(s.contains("url(#c1-hatch)"));
        assert!(!s.contains("style="), "CSP: no inline style");
    }
}
