//! Line charts, for values over days: a value axis with round gridlines, x labels thinned so
//! they never overlap, one dashed or solid line per series with a legend when there are
//! several. Each point prints its value when few points are drawn; with many, each series
//! prints its peak and its last value, and every point keeps a tooltip.

use std::fmt::Write as _;

use super::{
    colour, dashes, fit, legend, num, open, round_up, text, text_width, value_range, value_text,
    value_with_unit, FONT_SIZE, RULE, WIDTH,
};
use crate::document::Chart;
use crate::html::escape::escape;

/// Most points (labels × series) whose values are all printed.
const MAX_PRINTED_POINTS: usize = 24;
/// About how many steps the value axis has.
const GRID_STEPS: usize = 4;
/// The widest x label; longer ones are cut.
const MAX_LABEL_WIDTH: f64 = 120.0;
const PLOT_HEIGHT: f64 = 200.0;

pub(super) fn draw(chart: &Chart) -> String {
    let n = chart.labels.len();
    let series = chart.series.len();
    let ticks = ticks(chart);
    let (lo, hi) = match (ticks.first(), ticks.last()) {
        (Some(&lo), Some(&hi)) if hi > lo => (lo, hi),
        _ => (0.0, 1.0),
    };
    let mut body = String::new();
    let top = if series > 1 {
        legend(&mut body, chart, 8.0, true) + 20.0
    } else {
        24.0
    };
    let axis_w = ticks
        .iter()
        .map(|&v| text_width(&value_text(v), FONT_SIZE))
        .fold(0.0, f64::max);
    let label_w = chart
        .labels
        .iter()
        .map(|l| text_width(l, FONT_SIZE))
        .fold(0.0, f64::max)
        .min(MAX_LABEL_WIDTH)
        + 10.0;
    // Room for the axis numbers on the left, and for half of the first and last x labels,
    // which are centred on their points.
    let x0 = (16.0 + axis_w + 8.0).max(label_w / 2.0);
    let x1 = WIDTH - (label_w / 2.0).max(24.0);
    let height = top + PLOT_HEIGHT + 30.0;
    let y = |v: f64| top + (hi - v) / (hi - lo) * PLOT_HEIGHT;
    let x = |i: usize| {
        if n == 1 {
            (x0 + x1) / 2.0
        } else {
            x0 + (x1 - x0) * i as f64 / (n - 1) as f64
        }
    };

    for &v in &ticks {
        let _ = write!(
            body,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{RULE}" stroke-width="{}"/>"#,
            num(x0),
            num(y(v)),
            num(x1),
            num(y(v)),
            if v == 0.0 { "1" } else { "0.5" }
        );
        text(
            &mut body,
            x0 - 6.0,
            y(v) + 4.0,
            "end",
            &value_text(v),
            r##" fill="#666""##,
        );
    }

    // Every `every`-th label, and the last, so labels never run into each other.
    let room = if n > 1 {
        (x1 - x0) / (n - 1) as f64
    } else {
        x1 - x0
    };
    let every = (label_w / room).ceil().max(1.0) as usize;
    for (i, name) in chart.labels.iter().enumerate() {
        let last = i + 1 == n;
        let clear_of_last = (n - 1 - i) >= every || last;
        if (i % every == 0 && clear_of_last) || last {
            let (shown, _) = fit(name, label_w - 10.0, FONT_SIZE);
            text(
                &mut body,
                x(i),
                top + PLOT_HEIGHT + 20.0,
                "middle",
                &shown,
                "",
            );
        }
    }

    let print_all = n * series <= MAX_PRINTED_POINTS;
    for (s, line) in chart.series.iter().enumerate() {
        let points: Vec<(usize, f64)> = line
            .values
            .iter()
            .copied()
            .enumerate()
            .take(n)
            .filter(|(_, v)| v.is_finite())
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|&(i, v)| format!("{},{}", num(x(i)), num(y(v))))
            .collect();
        let _ = write!(
            body,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="{}" stroke-linejoin="round"/>"#,
            path.join(" "),
            colour(s),
            dashes(s)
        );
        let peak = points
            .iter()
            .copied()
            .fold(None, |best: Option<(usize, f64)>, p| match best {
                Some(b) if b.1 >= p.1 => Some(b),
                _ => Some(p),
            })
            .map(|(i, _)| i);
        let last = points.last().map(|&(i, _)| i);
        for &(i, v) in &points {
            let label = chart.labels.get(i).map_or("", String::as_str);
            let tip = if series > 1 {
                format!(
                    "{label} · {}: {}",
                    line.name,
                    value_with_unit(v, chart.unit.as_deref())
                )
            } else {
                format!("{label}: {}", value_with_unit(v, chart.unit.as_deref()))
            };
            let _ = write!(
                body,
                r##"<circle cx="{}" cy="{}" r="3.5" fill="{}" stroke="#fff" stroke-width="1"><title>{}</title></circle>"##,
                num(x(i)),
                num(y(v)),
                colour(s),
                escape(&tip)
            );
            if print_all || Some(i) == peak || Some(i) == last {
                // The highest series at a point prints above it, the others below, so
                // values of close points do not overlap.
                let dy = if highest_at(chart, i) == Some(s) {
                    -8.0
                } else {
                    16.0
                };
                text(
                    &mut body,
                    x(i),
                    y(v) + dy,
                    "middle",
                    &value_text(v),
                    r#" font-size="11""#,
                );
            }
        }
    }
    let mut out = open(chart, height);
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

/// The gridline values: round steps (1, 2, 2.5 or 5 × 10ⁿ) from at or below the lowest
/// value (zero at most) to at or above the highest, about [`GRID_STEPS`] of them.
pub(super) fn ticks(chart: &Chart) -> Vec<f64> {
    let (lo, hi) = value_range(chart);
    let step = round_up((hi - lo) / GRID_STEPS as f64);
    let first = (lo / step).floor() as i64;
    let last = (hi / step).ceil() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// The series with the highest value at label `i` (the first of equals).
fn highest_at(chart: &Chart, i: usize) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (s, series) in chart.series.iter().enumerate() {
        if let Some(&v) = series.values.get(i).filter(|v| v.is_finite()) {
            if best.is_none_or(|(_, b)| v > b) {
                best = Some((s, v));
            }
        }
    }
    best.map(|(s, _)| s)
}
