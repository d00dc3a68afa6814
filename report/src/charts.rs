//! Charts as inline SVG drawn from a chart block's data (bar, line, pie), with their values
//! as text so they read without colour and in print.
//!
//! What every chart shares, and why:
//!
//! - a `viewBox` and no fixed size, so it scales to a phone's width;
//! - a `<title>` (the chart's title and unit) as its accessible name, `role="img"`, and a
//!   `<title>` on each bar, point and slice naming its label and value;
//! - values printed next to the marks, and a `PALETTE` whose greys differ, with dash
//!   patterns for lines, so a grayscale printout still tells series apart;
//! - only system fonts (the page's, or the stack below), never a download;
//! - every piece of text escaped; output that depends on the data alone (no clock, no
//!   randomness, fixed number formatting), so a report renders the same twice.
//!
//! `bar` draws horizontal bars when labels are long (Chinese platform or topic names) and
//! vertical ones for a few short labels (days); `line` is for values over days; `pie` is
//! a donut with a legend of values and shares.

mod bar;
mod line;
mod pie;

use std::fmt::Write as _;

use crate::document::{Chart, ChartKind};
use crate::html::escape::escape;

/// The width every chart is drawn at, in `viewBox` units.
const WIDTH: f64 = 640.0;
/// The body text size, in `viewBox` units.
const FONT_SIZE: f64 = 13.0;
/// The fonts: the system's, Chinese ones named for systems whose default has no Han.
const FONT_FAMILY: &str = "system-ui, -apple-system, &quot;Segoe UI&quot;, &quot;PingFang SC&quot;, &quot;Hiragino Sans GB&quot;, &quot;Microsoft YaHei&quot;, &quot;Noto Sans CJK SC&quot;, sans-serif";
/// Series colours, ordered so neighbours differ most; their greys (49, 195, 121, 167, 87,
/// 218 of 255) stay apart when printed without colour.
const PALETTE: [&str; 6] = [
    "#0b3c5d", "#f2c14e", "#d95f02", "#7fb3d5", "#5b4b8a", "#c7e9c0",
];
/// Text colour.
const INK: &str = "#222";
/// Grid and axis colour.
const RULE: &str = "#ccc";

/// The chart as an `<svg>` element.
pub fn svg(chart: &Chart) -> String {
    let drawable = !chart.labels.is_empty()
        && chart
            .series
            .iter()
            .any(|s| s.values.iter().any(|v| v.is_finite()));
    if !drawable {
        return empty(chart);
    }
    match chart.kind {
        ChartKind::Bar => bar::draw(chart),
        ChartKind::Line => line::draw(chart),
        ChartKind::Pie => pie::draw(chart),
    }
}

/// A chart with nothing to draw says so rather than drawing an empty frame.
fn empty(chart: &Chart) -> String {
    let mut out = open(chart, 48.0);
    text(&mut out, WIDTH / 2.0, 28.0, "middle", "—", "");
    out.push_str("</svg>");
    out
}

/// The opening `<svg>` of a chart `height` units tall, with its `<title>`.
fn open(chart: &Chart, height: f64) -> String {
    let kind = match chart.kind {
        ChartKind::Bar => "bar",
        ChartKind::Line => "line",
        ChartKind::Pie => "pie",
    };
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" class="chart-{kind}" font-family="{FONT_FAMILY}" font-size="{}" fill="{INK}"><title>{}</title>"#,
        num(WIDTH),
        num(height),
        num(FONT_SIZE),
        escape(&title_of(chart)),
    );
    out
}

/// The chart's title with its unit, as its accessible name.
fn title_of(chart: &Chart) -> String {
    match &chart.unit {
        Some(unit) => format!("{} ({unit})", chart.title),
        None => chart.title.clone(),
    }
}

/// A value as shown: whole numbers without decimals, others with at most two.
pub(crate) fn value_text(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    if (value - value.round()).abs() < 1e-9 {
        // `+ 0.0` turns -0 into 0.
        return format!("{:.0}", value.round() + 0.0);
    }
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A value and a unit, as a tooltip says it.
fn value_with_unit(value: f64, unit: Option<&str>) -> String {
    match unit {
        Some(unit) => format!("{} {unit}", value_text(value)),
        None => value_text(value),
    }
}

/// A coordinate: one decimal at most, so output is short and stable.
fn num(x: f64) -> String {
    let text = format!("{:.1}", x + 0.0);
    match text.strip_suffix(".0") {
        Some(whole) if whole != "-0" => whole.to_owned(),
        Some(_) => "0".to_owned(),
        None => text,
    }
}

/// The width of `text` at `size`: Han, kana, Hangul and full-width forms are one em, the
/// rest about 0.6 em. Close enough to lay out labels without measuring fonts.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.6 })
        .sum::<f64>()
        * size
}

fn is_wide(c: char) -> bool {
    storage::terms::is_cjk(c) || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF)
}

/// `text` cut to fit `width` at `size`, with `…` when cut.
fn fit(text: &str, width: f64, size: f64) -> (String, bool) {
    if text_width(text, size) <= width {
        return (text.to_owned(), false);
    }
    let budget = width - size;
    let mut used = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        used += if is_wide(c) { size } else { 0.6 * size };
        if used > budget {
            break;
        }
        out.push(c);
    }
    out.push('…');
    (out, true)
}

/// A text element; `extra` holds further attributes (already escaped).
fn text(out: &mut String, x: f64, y: f64, anchor: &str, content: &str, extra: &str) {
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" text-anchor="{anchor}"{extra}>{}</text>"#,
        num(x),
        num(y),
        escape(content)
    );
}

/// A label that may be cut to `width`: cut ones carry their whole text as a `<title>`.
fn label(out: &mut String, x: f64, y: f64, anchor: &str, content: &str, width: f64) {
    let (shown, cut) = fit(content, width, FONT_SIZE);
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" text-anchor="{anchor}">{}"#,
        num(x),
        num(y),
        escape(&shown)
    );
    if cut {
        let _ = write!(out, "<title>{}</title>", escape(content));
    }
    out.push_str("</text>");
}

/// The range the values cover, zero included (bars and lines grow from zero).
fn value_range(chart: &Chart) -> (f64, f64) {
    let values = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi > lo {
        (lo, hi)
    } else {
        (lo, lo + 1.0)
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `x` (> 0).
fn round_up(x: f64) -> f64 {
    let magnitude = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&m| m >= x)
        .unwrap_or(10.0 * magnitude)
}

/// A legend of the series' names in one or more rows from `y`; returns the height used.
fn legend(out: &mut String, chart: &Chart, y: f64, with_dashes: bool) -> f64 {
    const ROW: f64 = 20.0;
    let (mut x, mut row) = (16.0, 0.0);
    for (i, series) in chart.series.iter().enumerate() {
        let name = if series.name.trim().is_empty() {
            format!("#{}", i + 1)
        } else {
            series.name.clone()
        };
        let (shown, _) = fit(&name, 180.0, FONT_SIZE);
        let width = 20.0 + text_width(&shown, FONT_SIZE) + 18.0;
        if x + width > WIDTH - 16.0 && x > 16.0 {
            x = 16.0;
            row += ROW;
        }
        let colour = colour(i);
        if with_dashes {
            let _ = write!(
                out,
                r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="3" stroke-dasharray="{}"/>"#,
                num(x),
                num(y + row + 6.0),
                num(x + 16.0),
                num(y + row + 6.0),
                dashes(i)
            );
        } else {
            swatch(out, x, y + row, colour);
        }
        text(out, x + 20.0, y + row + 11.0, "start", &shown, "");
        x += width;
    }
    row + ROW
}

fn swatch(out: &mut String, x: f64, y: f64, colour: &str) {
    let _ = write!(
        out,
        r##"<rect x="{}" y="{}" width="12" height="12" fill="{colour}" stroke="#555" stroke-width="0.5"/>"##,
        num(x),
        num(y)
    );
}

fn colour(series: usize) -> &'static str {
    PALETTE[series % PALETTE.len()]
}

/// Dash patterns for line series, so lines differ in grey too.
fn dashes(series: usize) -> &'static str {
    const DASHES: [&str; 4] = ["none", "7 4", "2 3", "9 3 2 3"];
    DASHES[series % DASHES.len()]
}

#[cfg(test)]
mod tests;
