//! Bar charts: horizontal bars with the labels on the left when labels are long or many
//! (Chinese names read across, never rotated), vertical bars for a few short labels (days).
//! Several series are grouped per label, with a legend; every bar prints its value.

use std::fmt::Write as _;

use super::{
    colour, fit, label, legend, num, open, text, text_width, value_range, value_text,
    value_with_unit, FONT_SIZE, RULE, WIDTH,
};
use crate::document::Chart;
use crate::html::escape::escape;

/// Most labels drawn as vertical bars; more read better as horizontal rows.
const MAX_VERTICAL_LABELS: usize = 12;
/// The widest label column of horizontal bars; longer labels are cut (whole in a tooltip).
const MAX_LABEL_WIDTH: f64 = 200.0;
const MARGIN: f64 = 16.0;

pub(super) fn draw(chart: &Chart) -> String {
    if vertical(chart) {
        vertical_bars(chart)
    } else {
        horizontal_bars(chart)
    }
}

/// The longest label drawn under a vertical bar: a day (`03-01`, `3月1日`), a short name.
const MAX_VERTICAL_LABEL_EMS: f64 = 6.0;

/// Vertical when there are few labels and each is short and fits under its own bars.
fn vertical(chart: &Chart) -> bool {
    let n = chart.labels.len();
    if n > MAX_VERTICAL_LABELS {
        return false;
    }
    let slot = (WIDTH - 2.0 * MARGIN) / n as f64;
    let widest = (slot - 6.0).min(MAX_VERTICAL_LABEL_EMS * FONT_SIZE);
    chart
        .labels
        .iter()
        .all(|l| text_width(l, FONT_SIZE) <= widest)
}

/// The value of series `s` at label `i`, 0 when missing or not a number.
fn value(chart: &Chart, s: usize, i: usize) -> f64 {
    chart.series[s]
        .values
        .get(i)
        .copied()
        .filter(|v| v.is_finite())
        .unwrap_or(0.0)
}

fn bar(out: &mut String, x: f64, y: f64, w: f64, h: f64, colour: &str, tip: &str) {
    let _ = write!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{colour}" stroke="#555" stroke-width="0.5"><title>{}</title></rect>"##,
        num(x),
        num(y),
        num(w.max(0.0)),
        num(h.max(0.0)),
        escape(tip)
    );
}

/// What a bar's tooltip says: label, series (when several), value and unit.
fn tip(chart: &Chart, s: usize, i: usize) -> String {
    let value = value_with_unit(value(chart, s, i), chart.unit.as_deref());
    let label = chart.labels.get(i).map_or("", String::as_str);
    if chart.series.len() > 1 {
        format!("{label} · {}: {value}", chart.series[s].name)
    } else {
        format!("{label}: {value}")
    }
}

fn horizontal_bars(chart: &Chart) -> String {
    let series = chart.series.len();
    let bar_h = if series == 1 { 18.0 } else { 12.0 };
    let group_h = bar_h * series as f64 + 10.0;
    let label_w = chart
        .labels
        .iter()
        .map(|l| text_width(l, FONT_SIZE))
        .fold(0.0, f64::max)
        .min(MAX_LABEL_WIDTH);
    let (lo, hi) = value_range(chart);
    let value_w = (0..series)
        .flat_map(|s| (0..chart.labels.len()).map(move |i| (s, i)))
        .map(|(s, i)| text_width(&value_text(value(chart, s, i)), FONT_SIZE))
        .fold(0.0, f64::max)
        + 8.0;
    // Negative bars print their values to their left: room for those before the plot.
    let x0 = MARGIN + label_w + 8.0 + if lo < 0.0 { value_w } else { 0.0 };
    let plot_w = (WIDTH - MARGIN - value_w - x0).max(60.0);
    let x = |v: f64| x0 + (v - lo) / (hi - lo) * plot_w;

    let mut body = String::new();
    let top = if series > 1 {
        legend(&mut body, chart, 8.0, false) + 12.0
    } else {
        8.0
    };
    let height = top + group_h * chart.labels.len() as f64 + 8.0;
    for (i, name) in chart.labels.iter().enumerate() {
        let y = top + group_h * i as f64;
        label(
            &mut body,
            MARGIN + label_w,
            y + (group_h - 10.0) / 2.0 + 4.5,
            "end",
            name,
            label_w,
        );
        for s in 0..series {
            let v = value(chart, s, i);
            let (from, to) = (x(0.0), x(v));
            let bar_y = y + bar_h * s as f64;
            bar(
                &mut body,
                from.min(to),
                bar_y,
                (to - from).abs(),
                bar_h,
                colour(s),
                &tip(chart, s, i),
            );
            let (at, anchor) = if v < 0.0 {
                (to - 4.0, "end")
            } else {
                (to + 4.0, "start")
            };
            let size = if series == 1 {
                ""
            } else {
                r#" font-size="11""#
            };
            text(
                &mut body,
                at,
                bar_y + bar_h / 2.0 + 4.0,
                anchor,
                &value_text(v),
                size,
            );
        }
    }
    if lo < 0.0 {
        zero_rule(&mut body, x(0.0), top, height - 8.0);
    }
    let mut out = open(chart, height);
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

fn vertical_bars(chart: &Chart) -> String {
    let series = chart.series.len();
    let n = chart.labels.len();
    let mut body = String::new();
    let top = if series > 1 {
        legend(&mut body, chart, 8.0, false) + 20.0
    } else {
        24.0
    };
    let plot_h = 180.0;
    let baseline_space = 26.0;
    let height = top + plot_h + baseline_space;
    let (lo, hi) = value_range(chart);
    let y = |v: f64| top + (hi - v) / (hi - lo) * plot_h;
    let slot = (WIDTH - 2.0 * MARGIN) / n as f64;
    let bar_w = (slot * 0.7 / series as f64).min(56.0);
    for (i, name) in chart.labels.iter().enumerate() {
        let centre = MARGIN + slot * (i as f64 + 0.5);
        let left = centre - bar_w * series as f64 / 2.0;
        for s in 0..series {
            let v = value(chart, s, i);
            let (from, to) = (y(0.0), y(v));
            let bar_x = left + bar_w * s as f64;
            bar(
                &mut body,
                bar_x,
                from.min(to),
                bar_w,
                (to - from).abs(),
                colour(s),
                &tip(chart, s, i),
            );
            let at = if v < 0.0 { to + 14.0 } else { to - 5.0 };
            let size = if series == 1 {
                ""
            } else {
                r#" font-size="11""#
            };
            text(
                &mut body,
                bar_x + bar_w / 2.0,
                at,
                "middle",
                &value_text(v),
                size,
            );
        }
        let (shown, _) = fit(name, slot - 6.0, FONT_SIZE);
        text(&mut body, centre, top + plot_h + 18.0, "middle", &shown, "");
    }
    let _ = write!(
        body,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{RULE}"/>"#,
        num(MARGIN),
        num(y(0.0)),
        num(WIDTH - MARGIN),
        num(y(0.0))
    );
    let mut out = open(chart, height);
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

fn zero_rule(out: &mut String, x: f64, from: f64, to: f64) {
    let _ = write!(
        out,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{RULE}"/>"#,
        num(x),
        num(from),
        num(x),
        num(to)
    );
}
