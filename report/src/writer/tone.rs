//! The Sentiment chapter: how many items lean each way (a chart, counts and percentages that
//! add up to 100), the mean score and what it means, and the scale explained in words.

use super::figures::{self, cites, paragraph, Figures};
use super::summary::sentences;
use super::WriterInput;
use crate::document::{Block, Chart, ChartKind, Series, Span, Tone};

/// The split as a chart and in words, the mean, and how to read the score.
pub(super) fn sentiment(input: &WriterInput<'_>) -> Vec<Block> {
    let stats = input.stats;
    if stats.total == 0 {
        return figures::nothing_found(input);
    }
    let f = Figures::of(input);
    let p = f.prose;
    let s = &stats.sentiment;
    let groups = [&s.positive, &s.neutral, &s.negative];
    let chart = Chart {
        kind: ChartKind::Bar,
        title: p.pick("情感倾向分布", "Items by leaning").to_owned(),
        unit: Some(p.pick("条", "items").to_owned()),
        labels: vec![
            p.pick("正面", "Positive").to_owned(),
            p.pick("中性", "Neutral").to_owned(),
            p.pick("负面", "Negative").to_owned(),
        ],
        series: vec![Series {
            name: p.pick("内容数", "Items").to_owned(),
            values: groups.iter().map(|g| g.len() as f64).collect(),
        }],
        cites: groups.iter().map(|g| cites(g)).collect(),
    };

    let split = if stats.total == 1 {
        let (which, leaning) = if !s.positive.is_empty() {
            (0, text_analysis::sentiment::Leaning::Positive)
        } else if !s.negative.is_empty() {
            (2, text_analysis::sentiment::Leaning::Negative)
        } else {
            (1, text_analysis::sentiment::Leaning::Neutral)
        };
        let text = if p.zh {
            format!("唯一的一条内容为{}。", p.leaning(leaning))
        } else {
            format!("The only item is {}.", p.leaning(leaning))
        };
        vec![Span::cited(text, cites(groups[which]))]
    } else {
        let mut spans = vec![Span::text(if p.zh {
            format!("{} 条内容中，", stats.total)
        } else {
            format!("Of the {}: ", p.items(stats.total))
        })];
        spans.extend(p.list_spans(vec![f.leaning(0), f.leaning(1), f.leaning(2)]));
        spans.push(Span::text(p.pick("。", ".")));
        spans
    };
    let mean = if p.zh {
        format!("平均得分为 {}，{}。", f.mean(), f.mean_meaning())
    } else {
        format!(
            "The mean score is {}: {} overall.",
            f.mean(),
            f.mean_meaning()
        )
    };
    let mean = vec![Span::cited(mean, cites(&f.all()))];

    vec![
        Block::Chart(chart),
        paragraph(sentences(p, [split, mean])),
        Block::Callout {
            tone: Tone::Info,
            title: Some(p.pick("如何理解得分", "How to read the score").to_owned()),
            spans: vec![Span::text(figures::scale_explanation(input.language))],
        },
    ]
}
