//! Charts: each kind prints its values and escaped labels, scales by `viewBox`, picks its
//! layout from its labels, and draws the same bytes twice.

use super::line::ticks;
use super::*;
use crate::document::Series;
use crate::validate::sample;

/// The text contents of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .map(|t| {
            let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
            body.split("<title>").next().unwrap().to_owned()
        })
        .collect()
}

fn assert_well_formed(svg: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 "));
    assert!(svg.ends_with("</svg>"));
    let root = &svg[..svg.find('>').unwrap()];
    assert!(
        !root.contains("width=") && !root.contains("height="),
        "scales by viewBox only"
    );
    assert!(svg.contains("role=\"img\""));
    for tag in ["text", "title", "rect", "path", "circle"] {
        let opened =
            svg.matches(&format!("<{tag} ")).count() + svg.matches(&format!("<{tag}>")).count();
        let closed = svg.matches(&format!("</{tag}>")).count() + {
            // Self-closing elements.
            svg.split(&format!("<{tag} "))
                .skip(1)
                .filter(|t| t.split('>').next().unwrap().ends_with('/'))
                .count()
        };
        assert_eq!(opened, closed, "<{tag}> in {svg}");
    }
    for banned in ["<script", "href", "NaN", "inf", "<foreignObject"] {
        assert!(!svg.contains(banned), "{banned}");
    }
}

#[test]
fn bars_print_values_and_escaped_labels() {
    let chart = sample::bar_chart();
    let svg = svg(&chart);
    assert_well_formed(&svg);
    assert!(svg.contains("<title>各平台帖子数 &lt;b&gt; (条)</title>"));
    let shown = texts(&svg);
    for value in ["30", "12", "6"] {
        assert!(shown.iter().any(|t| t == value), "{value} in {shown:?}");
    }
    assert!(shown.iter().any(|t| t == "哔哩哔哩 &amp; &lt;知乎&gt;"));
    assert!(!svg.contains("<知乎>"));
    assert!(svg.contains("<title>微博: 30 条</title>"));
    assert_eq!(svg, super::svg(&chart), "deterministic");
}

#[test]
fn long_labels_make_horizontal_bars_and_short_ones_vertical() {
    let mut chart = sample::bar_chart();
    // Labels right-aligned before their bars: horizontal.
    assert!(svg(&chart).contains("text-anchor=\"end\">微博</text>"));
    chart.labels = vec!["3/1".to_owned(), "3/2".to_owned(), "3/3".to_owned()];
    let vertical = svg(&chart);
    assert!(vertical.contains("text-anchor=\"middle\">3/1</text>"));

    // A label too long for its column is cut, whole in its tooltip.
    let long = "一个非常非常非常非常非常非常非常非常非常非常长的话题名称".to_owned();
    chart.labels = vec![long.clone(), "b".to_owned(), "c".to_owned()];
    let svg = svg(&chart);
    assert!(svg.contains(&format!("…<title>{long}</title></text>")));
}

#[test]
fn several_series_get_a_legend_and_negative_values_a_zero_line() {
    let mut chart = sample::bar_chart();
    chart.series.push(Series {
        name: "评论 & 转发".to_owned(),
        values: vec![-3.0, 2.5, 0.0],
    });
    let svg = svg(&chart);
    assert_well_formed(&svg);
    let shown = texts(&svg);
    assert!(shown.iter().any(|t| t == "评论 &amp; 转发"));
    assert!(shown.iter().any(|t| t == "-3"));
    assert!(shown.iter().any(|t| t == "2.5"));
    assert!(svg.contains("<title>微博 · 评论 &amp; 转发: -3 条</title>"));
    assert!(svg.contains(PALETTE[0]) && svg.contains(PALETTE[1]));
}

#[test]
fn lines_print_values_when_few_and_peaks_when_many() {
    let chart = sample::line_chart();
    let svg = svg(&chart);
    assert_well_formed(&svg);
    let shown = texts(&svg);
    for value in ["1", "4", "9.5", "3", "2", "17", "11"] {
        assert!(shown.iter().any(|t| t == value), "{value} in {shown:?}");
    }
    assert!(
        svg.contains("stroke-dasharray=\"7 4\""),
        "the second series is dashed"
    );
    assert!(shown.iter().any(|t| t == "03-04"));

    let mut many = sample::line_chart();
    many.labels = (1..=40).map(|d| format!("2026-03-{d:02}")).collect();
    many.series.truncate(1);
    many.series[0].values = (1..=40).map(|d| f64::from(d % 7) * 10.0 + 1.0).collect();
    many.series[0].values[39] = 5.0;
    let svg = super::svg(&many);
    assert_well_formed(&svg);
    let shown = texts(&svg);
    // The peak (61, first reached on day 6) and the last value; no other point values.
    assert!(shown.iter().any(|t| t == "61"));
    assert!(shown.iter().any(|t| t == "5"));
    assert!(!shown.iter().any(|t| t == "41"));
    // Day labels are thinned, the last always shown.
    let days = shown.iter().filter(|t| t.starts_with("2026-")).count();
    assert!((2..40).contains(&days), "{days} day labels");
    assert!(shown.iter().any(|t| t == "2026-03-40"));
    // Every point still has its tooltip.
    assert_eq!(svg.matches("<circle ").count(), 40);
}

#[test]
fn pies_are_donuts_with_a_legend_of_values_and_shares() {
    let chart = sample::pie_chart();
    let svg = svg(&chart);
    assert_well_formed(&svg);
    assert_eq!(svg.matches("<path ").count(), 3);
    let shown = texts(&svg);
    assert!(shown.iter().any(|t| t == "48"), "the total in the hole");
    for figure in ["10", "21%", "8", "17%", "30", "62%"] {
        assert!(shown.iter().any(|t| t == figure), "{figure} in {shown:?}");
    }
    for label in ["正面", "中性", "负面"] {
        assert!(shown.iter().any(|t| t == label));
    }

    let mut whole = chart.clone();
    whole.series[0].values = vec![0.0, 0.0, 5.0];
    let svg = super::svg(&whole);
    assert_well_formed(&svg);
    assert_eq!(svg.matches("<path ").count(), 0);
    assert!(svg.contains("<circle "), "a single slice is a ring");
    assert!(texts_of_contains(&svg, "0%") && texts_of_contains(&svg, "100%"));
}

fn texts_of_contains(svg: &str, text: &str) -> bool {
    texts(svg).iter().any(|t| t == text)
}

#[test]
fn nothing_to_draw_says_so() {
    let mut chart = sample::bar_chart();
    chart.labels.clear();
    let svg = svg(&chart);
    assert_well_formed(&svg);
    assert_eq!(texts(&svg), vec!["—"]);

    let mut chart = sample::line_chart();
    chart
        .series
        .iter_mut()
        .for_each(|s| s.values = vec![f64::NAN; 4]);
    assert_eq!(texts(&super::svg(&chart)), vec!["—"]);
}

#[test]
fn numbers_are_formatted_stably() {
    assert_eq!(value_text(1.0), "1");
    assert_eq!(value_text(-0.0), "0");
    assert_eq!(value_text(9.5), "9.5");
    assert_eq!(value_text(1.0 / 3.0), "0.33");
    assert_eq!(value_text(2.999_999_999_9), "3");
    assert_eq!(value_text(f64::INFINITY), "—");
    assert_eq!(num(-0.04), "0");
    assert_eq!(num(12.25), "12.2");
    assert_eq!(round_up(48.0), 50.0);
    assert_eq!(
        ticks(&sample::line_chart()),
        vec![0.0, 5.0, 10.0, 15.0, 20.0]
    );
    assert_eq!(round_up(0.3), 0.5);
    assert_eq!(round_up(101.0), 200.0);
    assert_eq!(round_up(2.2), 2.5);
}
