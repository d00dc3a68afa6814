//! The Outlook (what to watch, by rules on the figures: where the volume is heading, how
//! negative it is, what critics keep raising, where it is concentrated) and the Method (how
//! the report was made: what was counted, how items were found, the time zone, the scale).

use std::collections::BTreeSet;

use super::figures::{self, cites, paragraph, zone_name, Figures};
use super::prose::Prose;
use super::voices::keywords_among;
use super::WriterInput;
use crate::document::{Block, Span};

/// From this negative share (percent) on, the Outlook calls negativity high.
const HIGH_NEGATIVE_SHARE: u32 = 40;

/// From this negative share on, the Outlook calls it notable.
const NOTABLE_NEGATIVE_SHARE: u32 = 20;

/// From this share of one platform on, the Outlook says to watch there first.
const CONCENTRATED_PLATFORM_SHARE: u32 = 50;

/// What to watch, each point citing the items it rests on.
pub(super) fn outlook(input: &WriterInput<'_>) -> Vec<Block> {
    let stats = input.stats;
    let f = Figures::of(input);
    let p = f.prose;
    if stats.total == 0 {
        let text = if p.zh {
            format!(
                "没有找到与{}相关的内容，暂无可观察的动向；可以换用更宽泛的词或更长的时间范围再检索。",
                p.quoted(input.query)
            )
        } else {
            format!(
                "Nothing about {} was found, so there is nothing to watch yet; try broader words or a longer period.",
                p.quoted(input.query)
            )
        };
        return vec![paragraph(vec![Span::text(text)])];
    }
    let mut points: Vec<Vec<Span>> = Vec::new();
    points.extend(trend(&f));
    points.push(negativity(&f));
    if let Some(point) = critics(input, &f) {
        points.push(point);
    }
    if let Some(point) = concentration(&f) {
        points.push(point);
    }
    if let Some(&top) = stats.top.first() {
        let text = if p.zh {
            format!(
                "持续关注互动最多的内容（来源 {}）下的回复：它触达的人最多。",
                top + 1
            )
        } else {
            format!(
                "Follow the replies to the most engaged item (source {}): it reaches the most people.",
                top + 1
            )
        };
        points.push(vec![Span::cited(text, cites(&[top]))]);
    }
    vec![
        paragraph(vec![Span::text(p.pick(
            "以下判断由规则从本报告的数字得出，供下一步观察参考：",
            "These points follow by rule from the figures of this report:",
        ))]),
        Block::List {
            ordered: false,
            items: points,
        },
    ]
}

/// Where the volume is heading: the latest day against the peak and the day before.
fn trend(f: &Figures<'_>) -> Option<Vec<Span>> {
    let p = f.prose;
    let days = &f.stats.per_day;
    let last = days.last()?;
    let peak = f.peak()?;
    if days.len() == 1 {
        let text = if p.zh {
            format!("有发布时间的内容都在 {}，还看不出走势。", last.key)
        } else {
            format!(
                "Every dated item is from {}, so no trend can be read yet.",
                last.key
            )
        };
        return Some(vec![Span::cited(text, cites(&last.items))]);
    }
    let previous = days.get(days.len().wrapping_sub(2))?;
    let (text, items): (String, Vec<usize>) = if last.count() >= peak.count()
        && last.count() > previous.count()
    {
        let text = if p.zh {
            format!(
                "讨论仍在上升：最近一天 {} 是高峰，共 {}，预计还会有更多内容，宜每日跟进。",
                last.key,
                p.items(last.count())
            )
        } else {
            format!(
                "Discussion is still rising: the latest day, {}, is the busiest, with {}; expect more and follow it daily.",
                last.key,
                p.items(last.count())
            )
        };
        (text, last.items.clone())
    } else if last.count() < peak.count() {
        let text = if p.zh {
            format!(
                "讨论已从高峰回落：最近一天 {} 有 {}，高峰 {} 有 {}；留意是否因新消息再起。",
                last.key,
                p.items(last.count()),
                peak.key,
                p.items(peak.count())
            )
        } else {
            format!(
                "Discussion has eased from its peak: {} on the latest day, {}, against {} on {}; watch for news that revives it.",
                p.items(last.count()),
                last.key,
                peak.count(),
                peak.key
            )
        };
        let mut items = last.items.clone();
        items.extend(&peak.items);
        (text, items)
    } else {
        let text = if p.zh {
            format!(
                "讨论保持在高位：最近两天 {} 和 {} 各有 {}。",
                previous.key,
                last.key,
                p.items(last.count())
            )
        } else {
            format!(
                "Discussion holds at its peak: {} on each of the last two days, {} and {}.",
                p.items(last.count()),
                previous.key,
                last.key
            )
        };
        let mut items = previous.items.clone();
        items.extend(&last.items);
        (text, items)
    };
    Some(vec![Span::cited(text, cites(&items))])
}

/// How negative it is, and what that asks for.
fn negativity(f: &Figures<'_>) -> Vec<Span> {
    let p = f.prose;
    let share = f.negative_share();
    let pct = share.text;
    let text = match (p.zh, share.tenths / 10) {
        (true, s) if s >= HIGH_NEGATIVE_SHARE => {
            format!("负面占比高（{pct}）：宜尽快回应主要不满，防止扩散。")
        }
        (true, s) if s >= NOTABLE_NEGATIVE_SHARE => {
            format!("负面占比不低（{pct}）：值得回应其中反复出现的问题。")
        }
        (true, _) => format!("负面占比低（{pct}）：以观察变化为主。"),
        (false, s) if s >= HIGH_NEGATIVE_SHARE => format!(
            "A high share of items lean negative ({pct}): answer the main complaints before they spread."
        ),
        (false, s) if s >= NOTABLE_NEGATIVE_SHARE => format!(
            "A notable share of items lean negative ({pct}): the recurring complaints deserve an answer."
        ),
        (false, _) => format!("Few items lean negative ({pct}): watch for a change rather than act."),
    };
    vec![Span::cited(text, cites(&f.stats.sentiment.negative))]
}

/// What critics keep raising: the recurring words among the negative items.
fn critics(input: &WriterInput<'_>, f: &Figures<'_>) -> Option<Vec<Span>> {
    let p = f.prose;
    let words = keywords_among(input, &f.stats.sentiment.negative, 3);
    if words.is_empty() {
        return None;
    }
    let mut spans = vec![Span::text(p.pick(
        "关注批评者反复提到的：",
        "Watch what critics keep raising: ",
    ))];
    spans.extend(
        p.list_spans(
            words
                .into_iter()
                .map(|(word, held)| Span::cited(word, cites(&held)))
                .collect(),
        ),
    );
    spans.push(Span::text(p.pick("。", ".")));
    Some(spans)
}

/// Where it is concentrated, when one platform holds half or more.
fn concentration(f: &Figures<'_>) -> Option<Vec<Span>> {
    let p = f.prose;
    let main = f.stats.platforms.first()?;
    let share = f.platform_shares().into_iter().next()?;
    if share.tenths < CONCENTRATED_PLATFORM_SHARE * 10 || f.stats.platforms.len() < 2 {
        return None;
    }
    let name = p.platform(&main.key);
    let pct = share.text;
    let text = if p.zh {
        format!("讨论集中在{name}（{pct}）：优先在那里监测和回应。")
    } else {
        format!("Most of it is on {name} ({pct}): monitor and answer there first.")
    };
    Some(vec![Span::cited(text, cites(&main.items))])
}

/// How the report was made.
pub(super) fn method(input: &WriterInput<'_>) -> Vec<Block> {
    let f = Figures::of(input);
    let p = f.prose;
    let stats = input.stats;
    let max = input.evidence.definition.max_items;
    let counted = if p.zh {
        format!(
            "本报告的全部数字都来自同一个证据集，只计算一次：{}每个分析最多保留 {max} 条。",
            f.total_sentence()
        )
    } else {
        format!(
            "Every figure in this report comes from one evidence set, computed once. {} An analysis keeps at most {max} items.",
            f.total_sentence()
        )
    };
    let counted = vec![Span::cited(counted, cites(&f.all()))];
    let found = found_by(input, p);
    let zone = if p.zh {
        format!("日期按 {} 计算。", zone_name(stats))
    } else {
        format!("Days are counted in {}.", zone_name(stats))
    };
    let read = if p.zh {
        format!("内置写作器逐条读取了全部 {} 条内容，", stats.total)
    } else if stats.total == 1 {
        "The built-in writer read the one item and ".to_owned()
    } else {
        format!("The built-in writer read all {} items and ", stats.total)
    };
    let how = p.pick(
        "并结合各引擎报告和论坛讨论撰写本报告，未使用大语言模型：引文都是完整的句子，每条内容最多引用一次；平台名称统一写法；高频词不含查询词本身、平台名和常见虚词，按包含该词的内容条数计。",
        "composed this report from them, the engines' reports and the forum, without a language model: quotes are whole sentences, no item is quoted twice, platform names are spelled one way, and recurring words leave out the query's own words, platform names and function words, counting the items that hold each.",
    );
    let writer = vec![Span::cited(read, cites(&f.all())), Span::text(how)];
    let mut blocks = vec![paragraph(super::summary::sentences(
        p,
        [counted, found, vec![Span::text(zone)]],
    ))];
    blocks.push(Block::Callout {
        tone: crate::document::Tone::Info,
        title: Some(p.pick("情感得分", "The sentiment score").to_owned()),
        spans: vec![Span::text(figures::scale_explanation(input.language))],
    });
    blocks.push(paragraph(writer));
    blocks
}

/// How the items were found: which engines' searches, through which providers (names, not
/// counts: the counts a report states are the evidence set's).
fn found_by(input: &WriterInput<'_>, p: Prose) -> Vec<Span> {
    let mut by_engine: Vec<(String, BTreeSet<String>)> = Vec::new();
    for found in input.evidence.items.iter().flat_map(|i| &i.found_by) {
        let at = match by_engine.iter().position(|(e, _)| *e == found.engine) {
            Some(at) => at,
            None => {
                by_engine.push((found.engine.clone(), BTreeSet::new()));
                by_engine.len() - 1
            }
        };
        if !found.provider.trim().is_empty() {
            by_engine[at].1.insert(found.provider.clone());
        }
    }
    if by_engine.is_empty() {
        return Vec::new();
    }
    let parts: Vec<String> = by_engine
        .into_iter()
        .map(|(engine, providers)| {
            let name = match (engine.as_str(), p.zh) {
                ("evidence", _) => p
                    .pick("分析自身的检索", "the analysis's own search")
                    .to_owned(),
                (other, true) => p.engine(other),
                (other, false) => format!("the {}", p.engine(other).to_lowercase()),
            };
            let providers: Vec<String> = providers.into_iter().collect();
            match (p.zh, providers.is_empty()) {
                (_, true) => name,
                (true, false) => format!("{name}（{}）", providers.join("、")),
                (false, false) => format!("{name} ({})", providers.join(", ")),
            }
        })
        .collect();
    let text = if p.zh {
        format!("内容经由{}检索得到。", p.list(&parts))
    } else {
        format!("The items were found by {}.", p.list(&parts))
    };
    vec![Span::text(text)]
}
