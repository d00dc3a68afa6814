//! The Summary (key figures as cards, and the gist in three sentences) and the Overview (what
//! was found, where, about what, and what the news and web pages among it say).

use storage::model::ItemRef;

use super::figures::{self, cites, paragraph, Figures};
use super::sources::{self, excerpt};
use super::WriterInput;
use crate::document::{Block, Kpi, Span};

/// At most this many headlines in the Overview.
const HEADLINES: usize = 5;

/// At most this many keywords named in prose (the Focus chapter lists them all).
const KEYWORDS_IN_PROSE: usize = 5;

/// Key figures, each card citing the items it counts, then the gist.
pub(super) fn summary(input: &WriterInput<'_>) -> Vec<Block> {
    if input.stats.total == 0 {
        return figures::nothing_found(input);
    }
    let f = Figures::of(input);
    vec![
        Block::Kpis {
            cards: cards(input),
        },
        paragraph(gist(&f)),
    ]
}

fn cards(input: &WriterInput<'_>) -> Vec<Kpi> {
    let f = Figures::of(input);
    let p = f.prose;
    let stats = input.stats;
    let mut cards = Vec::new();

    cards.push(Kpi {
        label: p.pick("内容总数", "Items found").to_owned(),
        value: p.number(stats.total as i64),
        note: Some(p.kinds(&stats.kinds).join(" · ")),
        cites: cites(&f.all()),
    });

    let mut days_note = f.peak().map(|peak| {
        if p.zh {
            format!("高峰 {}", f.day(peak))
        } else {
            format!("peak {}", f.day(peak))
        }
    });
    if !stats.undated.is_empty() {
        let undated = if p.zh {
            format!("无日期 {}", p.items(stats.undated.len()))
        } else {
            format!("{} undated", stats.undated.len())
        };
        days_note = Some(match days_note {
            Some(note) => format!("{note} · {undated}"),
            None => undated,
        });
    }
    cards.push(Kpi {
        label: p.pick("覆盖天数", "Days covered").to_owned(),
        value: stats.per_day.len().to_string(),
        note: days_note,
        cites: cites(&f.dated()),
    });

    cards.push(Kpi {
        label: p.pick("平台数", "Platforms").to_owned(),
        value: stats.platforms.len().to_string(),
        note: f.platform(0).map(|main| {
            if p.zh {
                format!("主要：{}", main.text)
            } else {
                format!("mostly {}", main.text)
            }
        }),
        cites: cites(&f.all()),
    });

    let negative = &stats.sentiment.negative;
    cards.push(Kpi {
        label: p.pick("负面占比", "Negative share").to_owned(),
        value: f.negative_share().text,
        note: Some(if p.zh {
            format!("{} 条中 {}", stats.total, p.items(negative.len()))
        } else {
            format!("{} of {}", negative.len(), p.items(stats.total))
        }),
        cites: cites(negative),
    });

    let e = &stats.engagement;
    let engaged = figures::engaged(input);
    cards.push(Kpi {
        label: p.pick("总互动", "Total engagement").to_owned(),
        value: p.number(e.total),
        note: Some(if p.zh {
            format!(
                "点赞 {} · 评论 {} · 转发 {} · 收藏 {}",
                p.number(e.likes),
                p.number(e.comments),
                p.number(e.shares),
                p.number(e.saves)
            )
        } else {
            format!(
                "likes {} · comments {} · shares {} · saves {}",
                p.number(e.likes),
                p.number(e.comments),
                p.number(e.shares),
                p.number(e.saves)
            )
        }),
        cites: cites(&engaged),
    });
    cards
}

/// The gist: how much, when, and how it leans, each part citing its items.
fn gist(f: &Figures<'_>) -> Vec<Span> {
    let total = vec![Span::cited(f.total_sentence(), cites(&f.all()))];
    sentences(f.prose, [total, when(f), leaning(f)])
}

/// Sentences (each a run of spans) as one paragraph's spans; English ones get a space between.
pub(super) fn sentences(
    prose: super::prose::Prose,
    parts: impl IntoIterator<Item = Vec<Span>>,
) -> Vec<Span> {
    let mut spans = Vec::new();
    for mut sentence in parts.into_iter().filter(|s| !s.is_empty()) {
        if !prose.zh && !spans.is_empty() {
            sentence[0].text.insert(0, ' ');
        }
        spans.extend(sentence);
    }
    spans
}

/// When the dated items were published: the span, the first and last day, the peak.
pub(super) fn when(f: &Figures<'_>) -> Vec<Span> {
    let p = f.prose;
    let stats = f.stats;
    let (Some(first), Some(last), Some(peak)) =
        (stats.per_day.first(), stats.per_day.last(), f.peak())
    else {
        let text = if p.zh {
            "这些内容都没有发布时间。".to_owned()
        } else {
            "None of them carries a publication time.".to_owned()
        };
        return vec![Span::text(text)];
    };
    let dated = f.dated();
    if stats.per_day.len() == 1 {
        let text = match (p.zh, dated.len()) {
            (true, _) => format!("有发布时间的 {} 条内容都在 {}。", dated.len(), first.key),
            (false, 1) => format!("The only dated item is from {}.", first.key),
            (false, n) => format!("The {n} dated items are all from {}.", first.key),
        };
        return vec![Span::cited(text, cites(&dated))];
    }
    let days = stats.per_day.len();
    let (span, busiest) = if p.zh {
        (
            format!(
                "有发布时间的内容跨越 {days} 天（{} 至 {}），",
                first.key, last.key
            ),
            format!("{} 最为集中，共 {}。", peak.key, p.items(peak.count())),
        )
    } else {
        (
            format!(
                "Dated items span {days} days, from {} to {}; ",
                first.key, last.key
            ),
            format!(
                "the busiest is {}, with {}.",
                peak.key,
                p.items(peak.count())
            ),
        )
    };
    vec![
        Span::cited(span, cites(&dated)),
        Span::cited(busiest, cites(&peak.items)),
    ]
}

/// How the items lean: each leaning's count and share, citing its items.
pub(super) fn leaning(f: &Figures<'_>) -> Vec<Span> {
    let p = f.prose;
    let mut spans = vec![Span::text(p.pick("情感上，", "By tone: "))];
    // Negative first: it is what a reader of an opinion report looks for.
    spans.extend(p.list_spans(vec![f.leaning(2), f.leaning(0), f.leaning(1)]));
    spans.push(Span::text(p.pick("。", ".")));
    spans
}

/// What was found, where, about what; the headlines of the news and pages among it; the
/// most engaged item.
pub(super) fn overview(input: &WriterInput<'_>) -> Vec<Block> {
    if input.stats.total == 0 {
        return figures::nothing_found(input);
    }
    let f = Figures::of(input);
    let p = f.prose;
    let stats = input.stats;
    let mut blocks = vec![paragraph(vec![Span::cited(
        f.total_sentence(),
        cites(&f.all()),
    )])];

    let platforms: Vec<Span> = (0..stats.platforms.len())
        .filter_map(|i| f.platform(i))
        .collect();
    let mut spans = vec![Span::text(if stats.platforms.len() == 1 {
        p.pick("全部来自", "All of them come from ").to_owned()
    } else if p.zh {
        format!("它们分布在 {} 个平台：", stats.platforms.len())
    } else {
        format!("They come from {} platforms: ", stats.platforms.len())
    })];
    spans.extend(p.list_spans(platforms));
    spans.push(Span::text(p.pick("。", ".")));
    blocks.push(paragraph(spans));

    if !stats.keywords.is_empty() {
        let words: Vec<Span> = stats
            .keywords
            .iter()
            .take(KEYWORDS_IN_PROSE)
            .map(|k| f.keyword(k))
            .collect();
        let mut spans = vec![Span::text(p.pick(
            "除查询词本身外，讨论最常涉及：",
            "Besides the query's own words, they most often mention ",
        ))];
        spans.extend(p.list_spans(words));
        spans.push(Span::text(p.pick("。", ".")));
        blocks.push(paragraph(spans));
    }

    blocks.extend(headlines(input));

    if let Some(&top) = stats.top.first() {
        if let Some(item) = input.evidence.items.get(top) {
            let platform = p.platform(&text_analysis::platform::canonical(&item.platform));
            let day = sources::day(item, sources::offset(input));
            let engagement = p.number(item.engagement());
            let text = match (p.zh, day) {
                (true, Some(day)) => {
                    format!("互动最多的是 {day} 发布在{platform}的一条内容，互动 {engagement} 次。")
                }
                (true, None) => format!("互动最多的是{platform}上的一条内容，互动 {engagement} 次。"),
                (false, Some(day)) => format!(
                    "The most engaged item was posted on {platform} on {day} and has {engagement} interactions."
                ),
                (false, None) => format!(
                    "The most engaged item is on {platform} and has {engagement} interactions."
                ),
            };
            blocks.push(paragraph(vec![Span::cited(text, cites(&[top]))]));
        }
    }
    blocks
}

/// What the news items and web pages among the evidence are titled: the closest a built-in
/// writer comes to "what happened" without reading like a quote.
fn headlines(input: &WriterInput<'_>) -> Vec<Block> {
    let p = super::prose::Prose::of(input.language);
    let offset = sources::offset(input);
    let items: Vec<Vec<Span>> = input
        .evidence
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| matches!(item.item, ItemRef::News(_) | ItemRef::Web(_)))
        .filter_map(|(i, item)| {
            let title = item.title.as_deref().filter(|t| !t.trim().is_empty())?;
            let platform = p.platform(&text_analysis::platform::canonical(&item.platform));
            let from = match sources::day(item, offset) {
                Some(day) if p.zh => format!("（{platform}，{day}）"),
                Some(day) => format!(" ({platform}, {day})"),
                None if p.zh => format!("（{platform}）"),
                None => format!(" ({platform})"),
            };
            Some(vec![
                Span::cited(excerpt(title, sources::ROW_EXCERPT_CHARS), cites(&[i])),
                Span::text(from),
            ])
        })
        .take(HEADLINES)
        .collect();
    if items.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Heading {
            level: 3,
            text: p
                .pick("新闻与网页怎么说", "What the news and web pages say")
                .to_owned(),
        },
        Block::List {
            ordered: false,
            items,
        },
    ]
}
