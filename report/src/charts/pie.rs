//! Pie charts as a donut with the total in its hole and a legend that lists every label with
//! its value and share, so the chart reads without telling colours apart. Slices start at
//! the top and run clockwise in the labels' order.

use std::f64::consts::{FRAC_PI_2, TAU};
use std::fmt::Write as _;

use super::{colour, label, num, open, swatch, text, value_text, value_with_unit, WIDTH};
use crate::document::Chart;
use crate::html::escape::escape;

const OUTER: f64 = 90.0;
const INNER: f64 = 54.0;
const LEGEND_ROW: f64 = 22.0;
const LEGEND_X: f64 = 236.0;

pub(super) fn draw(chart: &Chart) -> String {
    let values: Vec<f64> = chart
        .labels
        .iter()
        .enumerate()
        .map(|(i, _)| {
            chart
                .series
                .first()
                .and_then(|s| s.values.get(i))
                .copied()
                .filter(|v| v.is_finite() && *v > 0.0)
                .unwrap_or(0.0)
        })
        .collect();
    let total: f64 = values.iter().sum();
    let height = (2.0 * OUTER + 24.0).max(LEGEND_ROW * values.len() as f64 + 24.0);
    let (cx, cy) = (24.0 + OUTER, height / 2.0);
    let mut out = open(chart, height);

    let mut start = 0.0;
    for (i, &v) in values.iter().enumerate() {
        if v <= 0.0 || total <= 0.0 {
            continue;
        }
        let share = v / total;
        let tip = format!(
            "{}: {} ({})",
            chart.labels[i],
            value_with_unit(v, chart.unit.as_deref()),
            percent(share)
        );
        slice(&mut out, cx, cy, start, start + share, colour(i), &tip);
        start += share;
    }
    text(
        &mut out,
        cx,
        cy + 2.0,
        "middle",
        &value_text(total),
        r#" font-size="20" font-weight="600""#,
    );
    if let Some(unit) = &chart.unit {
        text(&mut out, cx, cy + 20.0, "middle", unit, r##" fill="#666""##);
    }

    let legend_top = cy - LEGEND_ROW * values.len() as f64 / 2.0;
    for (i, (&v, name)) in values.iter().zip(&chart.labels).enumerate() {
        let y = legend_top + LEGEND_ROW * i as f64;
        swatch(&mut out, LEGEND_X, y + 4.0, colour(i));
        label(&mut out, LEGEND_X + 20.0, y + 15.0, "start", name, 240.0);
        let share = if total > 0.0 { v / total } else { 0.0 };
        text(&mut out, WIDTH - 76.0, y + 15.0, "end", &value_text(v), "");
        text(
            &mut out,
            WIDTH - 16.0,
            y + 15.0,
            "end",
            &percent(share),
            r##" fill="#555""##,
        );
    }
    out.push_str("</svg>");
    out
}

/// A share as a percentage with one decimal when it is small.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// The ring between `from` and `to` (fractions of a turn from the top, clockwise).
fn slice(out: &mut String, cx: f64, cy: f64, from: f64, to: f64, colour: &str, tip: &str) {
    if to - from >= 0.9999 {
        // One slice is the whole ring: an arc cannot start and end at one point.
        let _ = write!(
            out,
            r#"<circle cx="{}" cy="{}" r="{}" fill="none" stroke="{colour}" stroke-width="{}"><title>{}</title></circle>"#,
            num(cx),
            num(cy),
            num((OUTER + INNER) / 2.0),
            num(OUTER - INNER),
            escape(tip)
        );
        return;
    }
    let point = |r: f64, turn: f64| {
        let angle = turn * TAU - FRAC_PI_2;
        (cx + r * angle.cos(), cy + r * angle.sin())
    };
    let large = if to - from > 0.5 { 1 } else { 0 };
    let (ox1, oy1) = point(OUTER, from);
    let (ox2, oy2) = point(OUTER, to);
    let (ix2, iy2) = point(INNER, to);
    let (ix1, iy1) = point(INNER, from);
    let _ = write!(
        out,
        r##"<path d="M{} {}A{OUTER} {OUTER} 0 {large} 1 {} {}L{} {}A{INNER} {INNER} 0 {large} 0 {} {}Z" fill="{colour}" stroke="#fff" stroke-width="1.5"><title>{}</title></path>"##,
        num(ox1),
        num(oy1),
        num(ox2),
        num(oy2),
        num(ix2),
        num(iy2),
        num(ix1),
        num(iy1),
        escape(tip)
    );
}
