//! The Timeline (items per day in the report's time zone: a chart whose bars add up to the
//! total, undated items included, and when discussion began, peaked and stood last) and the
//! Platforms chapter (where it is discussed, names spelled one way).

use text_analysis::evidence::Counted;

use super::figures::{self, cites, paragraph, zone_name, Figures};
use super::summary::sentences;
use super::WriterInput;
use crate::document::{Block, Chart, ChartKind, Series, Span};

/// A pie has room for this many platforms; more are drawn as bars.
const PIE_PLATFORMS: usize = 6;

/// A bar chart shows this many platforms; the rest are one bar, "other".
const CHART_PLATFORMS: usize = 8;

/// Items per day as a chart (undated items as a last bar, so the chart adds up to the
/// total), and the first, busiest and latest days.
pub(super) fn timeline(input: &WriterInput<'_>) -> Vec<Block> {
    let stats = input.stats;
    if stats.total == 0 {
        return figures::nothing_found(input);
    }
    let f = Figures::of(input);
    let p = f.prose;
    if stats.per_day.is_empty() {
        let text = if p.zh {
            format!("{} 条内容都没有发布时间，无法画出时间线。", stats.total)
        } else if stats.total == 1 {
            "The only item carries no publication time, so there is no timeline.".to_owned()
        } else {
            format!(
                "None of the {} carries a publication time, so there is no timeline.",
                p.items(stats.total)
            )
        };
        return vec![paragraph(vec![Span::cited(text, cites(&stats.undated))])];
    }

    let mut days: Vec<&Counted<String>> = stats.per_day.iter().collect();
    let undated = Counted {
        key: p.pick("无日期", "undated").to_owned(),
        items: stats.undated.clone(),
    };
    if !undated.items.is_empty() {
        days.push(&undated);
    }
    let kind = if stats.undated.is_empty() && stats.per_day.len() >= 3 {
        ChartKind::Line
    } else {
        ChartKind::Bar
    };
    let zone = zone_name(stats);
    let chart = Chart {
        kind,
        title: if p.zh {
            format!("每日内容数（{zone}）")
        } else {
            format!("Items per day ({zone})")
        },
        unit: Some(p.pick("条", "items").to_owned()),
        labels: days.iter().map(|d| d.key.clone()).collect(),
        series: vec![Series {
            name: p.pick("内容数", "Items").to_owned(),
            values: days.iter().map(|d| d.count() as f64).collect(),
        }],
        cites: days.iter().map(|d| cites(&d.items)).collect(),
    };

    let mut parts = vec![super::summary::when(&f)];
    if let (Some(first), Some(last)) = (stats.per_day.first(), stats.per_day.last()) {
        if stats.per_day.len() > 1 {
            let first_text = if p.zh {
                format!("最早一天 {} 有 {}，", first.key, p.items(first.count()))
            } else {
                format!(
                    "The first day, {}, has {}; ",
                    first.key,
                    p.items(first.count())
                )
            };
            let last_text = if p.zh {
                format!("最近一天 {} 有 {}。", last.key, p.items(last.count()))
            } else {
                format!("the latest, {}, has {}.", last.key, p.items(last.count()))
            };
            parts.push(vec![
                Span::cited(first_text, cites(&first.items)),
                Span::cited(last_text, cites(&last.items)),
            ]);
        }
    }
    if !stats.undated.is_empty() {
        let n = stats.undated.len();
        let text = if p.zh {
            format!("另有 {n} 条没有发布时间，单独计为“无日期”。")
        } else {
            format!(
                "{} no publication time and {} counted apart as “undated”.",
                if n == 1 {
                    "1 item carries".to_owned()
                } else {
                    format!("{n} items carry")
                },
                p.is_are(n)
            )
        };
        parts.push(vec![Span::cited(text, cites(&stats.undated))]);
    }
    vec![Block::Chart(chart), paragraph(sentences(p, parts))]
}

/// Items per platform as a chart and in words, each platform citing its items.
pub(super) fn platforms(input: &WriterInput<'_>) -> Vec<Block> {
    let stats = input.stats;
    if stats.total == 0 {
        return figures::nothing_found(input);
    }
    let f = Figures::of(input);
    let p = f.prose;

    let mut bars: Vec<(String, Vec<usize>)> = stats
        .platforms
        .iter()
        .take(CHART_PLATFORMS)
        .map(|c| (p.platform(&c.key), c.items.clone()))
        .collect();
    if stats.platforms.len() > CHART_PLATFORMS {
        let mut rest: Vec<usize> = stats.platforms[CHART_PLATFORMS - 1..]
            .iter()
            .flat_map(|c| c.items.iter().copied())
            .collect();
        rest.sort_unstable();
        bars.truncate(CHART_PLATFORMS - 1);
        bars.push((p.pick("其他", "Other").to_owned(), rest));
    }
    let chart = Chart {
        kind: if stats.platforms.len() <= PIE_PLATFORMS {
            ChartKind::Pie
        } else {
            ChartKind::Bar
        },
        title: p.pick("各平台内容数", "Items by platform").to_owned(),
        unit: Some(p.pick("条", "items").to_owned()),
        labels: bars.iter().map(|(name, _)| name.clone()).collect(),
        series: vec![Series {
            name: p.pick("内容数", "Items").to_owned(),
            values: bars.iter().map(|(_, items)| items.len() as f64).collect(),
        }],
        cites: bars.iter().map(|(_, items)| cites(items)).collect(),
    };

    let mut parts = Vec::new();
    if let (Some(main), Some(phrase)) = (stats.platforms.first(), f.platform(0)) {
        let name = p.platform(&main.key);
        let text = match (p.zh, stats.platforms.len(), stats.total) {
            (true, 1, _) => format!("全部 {} 条内容都来自{name}。", stats.total),
            (false, 1, 1) => format!("The only item is from {name}."),
            (false, 1, n) => format!("All {n} items are from {name}."),
            (true, ..) => format!("{}最多。", phrase.text),
            (false, ..) => format!("{} carries the most.", phrase.text),
        };
        parts.push(vec![Span::cited(text, cites(&main.items))]);
    }
    if stats.platforms.len() > 1 {
        let others: Vec<Span> = (1..stats.platforms.len())
            .filter_map(|i| f.platform(i))
            .collect();
        let lead = match (p.zh, others.len()) {
            (true, _) => "其后依次是",
            (false, 1) => "Then comes ",
            (false, _) => "Then come ",
        };
        let mut spans = vec![Span::text(lead)];
        spans.extend(p.list_spans(others));
        spans.push(Span::text(p.pick("。", ".")));
        parts.push(spans);
    }
    vec![Block::Chart(chart), paragraph(sentences(p, parts))]
}
