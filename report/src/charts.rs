//! Charts as inline SVG drawn from a chart block's data (bar, line, pie), with their values
//! as text so they read without colour and in print.

use crate::document::Chart;

/// The chart as an `<svg>` element.
pub fn svg(chart: &Chart) -> String {
    let _ = chart;
    todo!("H-render")
}
