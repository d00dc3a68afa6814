//! The Focus chapter (the words that recur, each with the items holding it — the counts of
//! `stats.keywords`, nowhere recounted) and the TopPosts chapter (the most engaged items).

use super::figures::{self, cites, paragraph, Figures};
use super::sources::{self, excerpt};
use super::WriterInput;
use crate::document::{Block, Chart, ChartKind, Series, Span};

/// The recurring words as a chart and in words.
pub(super) fn focus(input: &WriterInput<'_>) -> Vec<Block> {
    let stats = input.stats;
    if stats.total == 0 {
        return figures::nothing_found(input);
    }
    let f = Figures::of(input);
    let p = f.prose;
    if stats.keywords.is_empty() {
        let text = if p.zh {
            format!(
                "除查询词{}本身外，没有在多条内容中反复出现的词。",
                p.quoted(input.query)
            )
        } else {
            format!(
                "Apart from the query {} itself, no word recurs across the items.",
                p.quoted(input.query)
            )
        };
        return vec![paragraph(vec![Span::text(text)])];
    }
    let chart = Chart {
        kind: ChartKind::Bar,
        title: p
            .pick(
                "高频词（按包含该词的内容条数）",
                "Recurring words (items holding each)",
            )
            .to_owned(),
        unit: Some(p.pick("条", "items").to_owned()),
        labels: stats.keywords.iter().map(|k| k.key.clone()).collect(),
        series: vec![Series {
            name: p.pick("内容数", "Items").to_owned(),
            values: stats.keywords.iter().map(|k| k.count() as f64).collect(),
        }],
        cites: stats.keywords.iter().map(|k| cites(&k.items)).collect(),
    };
    let mut spans = vec![Span::text(p.pick(
        "除查询词本身外，反复出现的词依次是",
        "Apart from the query's own words, the words that recur most are ",
    ))];
    spans.extend(p.list_spans(stats.keywords.iter().map(|k| f.keyword(k)).collect()));
    spans.push(Span::text(p.pick(
        "。括号里是包含该词的内容条数，不是出现次数。",
        ". Each count is of the items holding the word, not of its uses.",
    )));
    vec![Block::Chart(chart), paragraph(spans)]
}

/// The most engaged items as a table: rank, platform, excerpt, engagement, day.
pub(super) fn top_posts(input: &WriterInput<'_>) -> Vec<Block> {
    let stats = input.stats;
    if stats.total == 0 {
        return figures::nothing_found(input);
    }
    let f = Figures::of(input);
    let p = f.prose;
    if stats.top.is_empty() {
        let text = p.pick(
            "这些内容都没有记录到点赞、评论、转发或收藏，无法按互动排序。",
            "None of the items has any recorded likes, comments, shares or saves, so there is no ranking by engagement.",
        );
        return vec![paragraph(vec![Span::text(text)])];
    }
    let offset = sources::offset(input);
    let rows: Vec<Vec<Span>> = stats
        .top
        .iter()
        .enumerate()
        .filter_map(|(rank, &i)| {
            let item = input.evidence.items.get(i)?;
            let cite = cites(&[i]);
            Some(vec![
                Span::text((rank + 1).to_string()),
                Span::text(p.platform(&text_analysis::platform::canonical(&item.platform))),
                Span::cited(
                    excerpt(sources::body(item), sources::ROW_EXCERPT_CHARS),
                    cite.clone(),
                ),
                Span::cited(p.number(item.engagement()), cite.clone()),
                Span::text(sources::day(item, offset).unwrap_or_else(|| "—".to_owned())),
            ])
        })
        .collect();
    let e = &stats.engagement;
    let engaged = figures::engaged(input);
    let total = if p.zh {
        format!(
            "全部内容合计互动 {} 次，下表列出互动最多的 {}。",
            p.number(e.total),
            p.items(stats.top.len())
        )
    } else if stats.top.len() == 1 {
        format!(
            "Together the items have {} interactions; the table lists the one item that has any.",
            p.number(e.total)
        )
    } else {
        format!(
            "Together the items have {} interactions; the table lists the {} most engaged.",
            p.number(e.total),
            stats.top.len()
        )
    };
    vec![
        paragraph(vec![Span::cited(total, cites(&engaged))]),
        Block::Table {
            caption: Some(
                p.pick(
                    "按互动量排序（点赞、评论、转发、收藏之和）",
                    "By engagement: likes, comments, shares and saves together",
                )
                .to_owned(),
            ),
            columns: ["排名", "平台", "内容", "互动", "日期"]
                .iter()
                .zip(["Rank", "Platform", "Excerpt", "Engagement", "Published"])
                .map(|(zh, en)| p.pick(zh, en).to_owned())
                .collect(),
            rows,
        },
    ]
}
