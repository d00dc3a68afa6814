//! The built-in paragraph of each angle for a job with an evidence set: totals, days,
//! platforms, engagement, sentiment and keyword counts as the set's figures give them, in
//! either language, and quotes of its items that the report has not used yet. The paragraph's
//! own search hits only choose which items to quote first: counting them is what made one
//! report say 36 items while its days added up to 48.

use search::SearchHit;
use text_analysis::evidence::{Counted, EvidenceStats};
use text_analysis::platform;

use super::quotes::{self, Quote, QuoteBook};
use super::wording::{count, count_i64, join, keywords, kinds, verb};
use super::{percent, sentiment_scale, shown_mean, EvidenceView};
use crate::engines::builtin::Angle;
use crate::engines::report::Source;

/// Quotes per paragraph that quotes several.
const QUOTES: usize = 3;
/// Platforms named one by one; the rest are summed.
const PLATFORMS_NAMED: usize = 8;
/// Platforms named in an overview.
const OVERVIEW_PLATFORMS: usize = 5;
/// Keywords in an overview, and in a paragraph on them.
const OVERVIEW_KEYWORDS: usize = 5;
const FOCUS_KEYWORDS: usize = 8;
/// From this mean score on (or below its negative) the material leans one way overall.
const MEAN_LEANS_FROM: f32 = 0.1;

fn overview(
    query: &str,
    view: &EvidenceView<'_>,
    book: &QuoteBook,
    zh: bool,
) -> (String, Vec<Quote>) {
    let stats = view.stats();
    let n = stats.total;
    let named: Vec<String> = stats
        .platforms
        .iter()
        .take(OVERVIEW_PLATFORMS)
        .map(|p| {
            let name = platform::display(&p.key, zh);
            if zh {
                format!("{name}（{} 条）", p.count())
            } else {
                format!("{name} ({})", p.count())
            }
        })
        .collect();
    let more = stats.platforms.len().saturating_sub(OVERVIEW_PLATFORMS);
    let quoted = quotes::pick(view, book, stats.top.iter().copied(), 2);
    let words = &stats.keywords[..stats.keywords.len().min(OVERVIEW_KEYWORDS)];
    let mut text = if zh {
        let more = if more > 0 {
            format!("等 {} 个平台", stats.platforms.len())
        } else {
            String::new()
        };
        format!(
            "围绕「{query}」的证据集共 {n} 条内容（{}），来自 {}{more}。",
            kinds(stats, zh),
            join(&named, zh)
        )
    } else {
        let more = if more > 0 {
            format!(" and {}", count(more, "more platform", "more platforms"))
        } else {
            String::new()
        };
        format!(
            "The evidence set about “{query}” holds {} ({}), from {}{more}.",
            count(n, "item", "items"),
            kinds(stats, zh),
            join(&named, zh)
        )
    };
    if !words.is_empty() {
        text.push_str(&if zh {
            format!("讨论主要涉及：{}。", keywords(words, zh))
        } else {
            format!(" They are mostly about {}.", keywords(words, zh))
        });
    }
    if !quoted.is_empty() {
        text.push_str(&if zh {
            format!("互动最多的内容：{}。", quotes::render(view, &quoted, zh))
        } else {
            format!(" The most engaged: {}.", quotes::render(view, &quoted, zh))
        });
    }
    (text, quoted)
}

fn timeline(stats: &EvidenceStats, zh: bool) -> String {
    let n = stats.total;
    let undated = stats.undated.len();
    let dated = n - undated.min(n);
    let (Some(first), Some(last)) = (stats.per_day.first(), stats.per_day.last()) else {
        return if zh {
            format!("证据集的 {n} 条内容都没有发布时间，无法给出走势。")
        } else {
            format!(
                "None of the evidence set's {} carries a date, so there is no timeline.",
                count(n, "item", "items")
            )
        };
    };
    // The busiest day; on a tie, the first of them.
    let peak = stats.per_day.iter().fold(
        first,
        |best, d| if d.count() > best.count() { d } else { best },
    );
    let zone = &stats.time_zone;
    let days: Vec<String> = stats
        .per_day
        .iter()
        .map(|d| format!("{}: {}", d.key, d.count()))
        .collect();
    let mut text = match (zh, stats.per_day.len()) {
        (true, 1) => format!("有日期的 {dated} 条内容都发布于 {}（按 UTC{zone} 计）。", first.key),
        (false, 1) => format!(
            "{} from {} (UTC{zone}).",
            if dated == 1 {
                "The one dated item is".to_owned()
            } else {
                format!("All {dated} dated items are")
            },
            first.key
        ),
        (true, _) => format!(
            "有日期的内容最早出现在 {}，最近在 {}；{} 最为集中（{} 条）。逐日声量（按 UTC{zone} 计）：{}。",
            first.key,
            last.key,
            peak.key,
            peak.count(),
            days.join("，")
        ),
        (false, _) => format!(
            "The first dated item is from {}, the latest from {}; {} was the busiest day ({}). Per day (UTC{zone}): {}.",
            first.key,
            last.key,
            peak.key,
            count(peak.count(), "item", "items"),
            days.join(", ")
        ),
    };
    if undated > 0 {
        text.push_str(&if zh {
            format!("另有 {undated} 条没有发布时间。")
        } else {
            format!(
                " {} no date.",
                count(undated, "item carries", "items carry")
            )
        });
    }
    text.push_str(&if zh {
        format!("合计 {n} 条。")
    } else {
        format!(" {} in all.", count(n, "item", "items"))
    });
    text
}

fn platforms(stats: &EvidenceStats, zh: bool) -> String {
    let n = stats.total;
    // A single platform left over is named rather than summed as "1 other platform".
    let shown = match stats.platforms.len() {
        all if all <= PLATFORMS_NAMED + 1 => all,
        _ => PLATFORMS_NAMED,
    };
    let named = &stats.platforms[..shown];
    let rest = &stats.platforms[named.len()..];
    let mut parts: Vec<String> = named
        .iter()
        .map(|p| {
            let name = platform::display(&p.key, zh);
            let share = percent(p.count(), n);
            if zh {
                format!("{name} {} 条（{share}）", p.count())
            } else {
                format!("{name} {} ({share})", p.count())
            }
        })
        .collect();
    if !rest.is_empty() {
        let items: usize = rest.iter().map(Counted::count).sum();
        let share = percent(items, n);
        parts.push(if zh {
            format!("其余 {} 个平台共 {items} 条（{share}）", rest.len())
        } else {
            format!(
                "{}: {items} ({share})",
                count(rest.len(), "other platform", "other platforms")
            )
        });
    }
    let lead = match named {
        [first, second, ..] if first.count() == second.count() => {
            let (a, b) = (
                platform::display(&first.key, zh),
                platform::display(&second.key, zh),
            );
            if zh {
                format!("{a}与{b}声量相当。")
            } else {
                format!("{a} and {b} carry the same volume.")
            }
        }
        [first, ..] => {
            let name = platform::display(&first.key, zh);
            if zh {
                format!("{name}是主要阵地。")
            } else {
                format!("Most of it is on {name}.")
            }
        }
        [] => String::new(),
    };
    if zh {
        format!("{n} 条内容的平台分布：{}。{lead}", parts.join("，"))
    } else {
        format!(
            "Across {}: {}. {lead}",
            count(n, "item", "items"),
            parts.join(", ")
        )
    }
}

fn top_posts(view: &EvidenceView<'_>, book: &QuoteBook, zh: bool) -> (String, Vec<Quote>) {
    let stats = view.stats();
    let e = stats.engagement;
    let mut text = if zh {
        format!(
            "证据集的 {} 条内容共获得互动 {} 次（点赞 {}、评论 {}、转发 {}、收藏 {}）。",
            stats.total, e.total, e.likes, e.comments, e.shares, e.saves
        )
    } else {
        format!(
            "The evidence set's {} drew {} ({}, {}, {}, {}).",
            count(stats.total, "item", "items"),
            count_i64(e.total, "interaction", "interactions"),
            count_i64(e.likes, "like", "likes"),
            count_i64(e.comments, "comment", "comments"),
            count_i64(e.shares, "share", "shares"),
            count_i64(e.saves, "save", "saves")
        )
    };
    let quoted = quotes::pick(view, book, stats.top.iter().copied(), QUOTES);
    text.push_str(&match (stats.top.is_empty(), quoted.is_empty(), zh) {
        (true, _, true) => "没有内容带有互动数据。".to_owned(),
        (true, _, false) => " No item carries engagement figures.".to_owned(),
        (false, true, true) => "互动最多的内容已在前文引用。".to_owned(),
        (false, true, false) => " The most engaged posts are quoted above.".to_owned(),
        (false, false, true) => format!("互动最多的内容：{}。", quotes::render(view, &quoted, zh)),
        (false, false, false) => format!(
            " The most engaged posts: {}.",
            quotes::render(view, &quoted, zh)
        ),
    });
    (text, quoted)
}

fn sentiment(stats: &EvidenceStats, zh: bool) -> String {
    let n = stats.total;
    let s = &stats.sentiment;
    let (pos, neu, neg) = (s.positive.len(), s.neutral.len(), s.negative.len());
    let mean = shown_mean(s.mean);
    let lean = match (mean, zh) {
        (m, true) if m >= MEAN_LEANS_FROM => "总体偏正面",
        (m, false) if m >= MEAN_LEANS_FROM => "the material leans positive overall",
        (m, true) if m <= -MEAN_LEANS_FROM => "总体偏负面",
        (m, false) if m <= -MEAN_LEANS_FROM => "the material leans negative overall",
        (_, true) => "总体中性或分化",
        (_, false) => "the material is neutral or divided overall",
    };
    if zh {
        format!(
            "{n} 条内容中，正面 {pos} 条（{}），中性 {neu} 条（{}），负面 {neg} 条（{}）。{}，平均得分 {mean:.2}，{lean}。",
            percent(pos, n),
            percent(neu, n),
            percent(neg, n),
            sentiment_scale(zh)
        )
    } else {
        format!(
            "Of {}: {pos} positive ({}), {neu} neutral ({}), {neg} negative ({}). Sentiment {}; the mean is {mean:.2}, so {lean}.",
            count(n, "item", "items"),
            percent(pos, n),
            percent(neu, n),
            percent(neg, n),
            sentiment_scale(zh)
        )
    }
}

/// The items leaning one way, those the paragraph's searches found first, then the most
/// engaged (ties by rank).
fn leaning_candidates(view: &EvidenceView<'_>, leaning: &[usize], hits: &[usize]) -> Vec<usize> {
    let mut by_engagement = leaning.to_vec();
    by_engagement.sort_by_key(|&i| {
        let e = view.items().get(i).map_or(0, |item| item.engagement());
        (std::cmp::Reverse(e), i)
    });
    hits.iter()
        .copied()
        .filter(|i| leaning.contains(i))
        .chain(by_engagement)
        .collect()
}

fn voices_of(
    angle: Angle,
    view: &EvidenceView<'_>,
    book: &QuoteBook,
    hits: &[usize],
    zh: bool,
) -> (String, Vec<Quote>) {
    let stats = view.stats();
    let critical = angle == Angle::Critical;
    let leaning = if critical {
        &stats.sentiment.negative
    } else {
        &stats.sentiment.positive
    };
    let n = leaning.len();
    if n == 0 {
        let text = match (zh, critical) {
            (true, true) => "证据集中没有明显的负面内容。",
            (true, false) => "证据集中没有明显的正面内容。",
            (false, true) => "No item of the evidence set is clearly critical.",
            (false, false) => "No item of the evidence set is clearly supportive.",
        };
        return (text.to_owned(), Vec::new());
    }
    let quoted = quotes::pick(view, book, leaning_candidates(view, leaning, hits), QUOTES);
    let share = percent(n, stats.total);
    let (z, e) = if critical {
        ("负面", "negative")
    } else {
        ("正面", "positive")
    };
    let mut text = if zh {
        format!(
            "证据集的 {} 条内容中，{z}内容 {n} 条（{share}）。",
            stats.total
        )
    } else {
        format!(
            "{n} of the evidence set's {} {} {e} ({share}).",
            count(stats.total, "item", "items"),
            verb(n, "leans", "lean")
        )
    };
    text.push_str(&match (quoted.is_empty(), zh, critical) {
        (true, true, _) => "有代表性的内容已在前文引用。".to_owned(),
        (true, false, _) => " The representative ones are quoted above.".to_owned(),
        (false, true, true) => format!("负面声音主要是：{}。", quotes::render(view, &quoted, zh)),
        (false, true, false) => format!("正面声音主要是：{}。", quotes::render(view, &quoted, zh)),
        (false, false, true) => format!(
            " Critical voices say: {}.",
            quotes::render(view, &quoted, zh)
        ),
        (false, false, false) => {
            format!(
                " Supportive voices say: {}.",
                quotes::render(view, &quoted, zh)
            )
        }
    });
    (text, quoted)
}

fn focus(
    view: &EvidenceView<'_>,
    book: &QuoteBook,
    hits: &[usize],
    zh: bool,
) -> (String, Vec<Quote>) {
    let stats = view.stats();
    let words = &stats.keywords[..stats.keywords.len().min(FOCUS_KEYWORDS)];
    let Some(first) = words.first() else {
        let text = if zh {
            "证据集中没有反复出现的词。"
        } else {
            "No word recurs across the evidence set."
        };
        return (text.to_owned(), Vec::new());
    };
    // An item holding the strongest word, one the paragraph's searches found if any.
    let holders = hits
        .iter()
        .copied()
        .filter(|i| first.items.contains(i))
        .chain(first.items.iter().copied());
    let quoted = quotes::pick(view, book, holders, 1);
    let mut text = if zh {
        format!(
            "讨论反复出现的词（括号内为含该词的内容条数）是 {}，说明关注点集中于此。",
            keywords(words, zh)
        )
    } else {
        format!(
            "The words that recur (with the items holding each) are {}, which is where attention lies.",
            keywords(words, zh)
        )
    };
    if !quoted.is_empty() {
        text.push_str(&if zh {
            format!("例如：{}。", quotes::render(view, &quoted, zh))
        } else {
            format!(" For example: {}.", quotes::render(view, &quoted, zh))
        });
    }
    (text, quoted)
}

fn voices(
    view: &EvidenceView<'_>,
    book: &QuoteBook,
    hits: &[usize],
    zh: bool,
) -> (String, Vec<Quote>) {
    let candidates = hits.iter().copied().chain(0..view.items().len());
    let quoted = quotes::pick(view, book, candidates, QUOTES);
    let text = match (quoted.is_empty(), zh) {
        (true, true) => "有代表性的内容已在前文引用。".to_owned(),
        (true, false) => "The representative posts are quoted above.".to_owned(),
        (false, true) => format!("有代表性的说法：{}。", quotes::render(view, &quoted, zh)),
        (false, false) => format!(
            "Representative posts: {}.",
            quotes::render(view, &quoted, zh)
        ),
    };
    (text, quoted)
}

/// A paragraph's text and the sources it quotes, from the analysis's evidence: figures from
/// its stats, quotes of its items — those among `hits` (the paragraph's searches) first — that
/// `book` says the report has not quoted yet.
pub fn summarise(
    angle: Angle,
    query: &str,
    view: &EvidenceView<'_>,
    hits: &[SearchHit],
    zh: bool,
    book: &QuoteBook,
) -> (String, Vec<Source>) {
    let stats = view.stats();
    if stats.total == 0 {
        let text = if zh {
            format!("证据集中没有与「{query}」相关的内容，本段无法给出结论。")
        } else {
            format!("The evidence set holds nothing about “{query}”, so this paragraph can draw no conclusion.")
        };
        return (text, Vec::new());
    }
    let found = view.items_of(hits);
    let (text, quoted) = match angle {
        Angle::Overview => overview(query, view, book, zh),
        Angle::Timeline => (timeline(stats, zh), Vec::new()),
        Angle::Voices | Angle::General => voices(view, book, &found, zh),
        Angle::Focus => focus(view, book, &found, zh),
        Angle::Platforms => (platforms(stats, zh), Vec::new()),
        Angle::TopPosts => top_posts(view, book, zh),
        Angle::Sentiment => (sentiment(stats, zh), Vec::new()),
        Angle::Critical | Angle::Supportive => voices_of(angle, view, book, &found, zh),
    };
    (text, quotes::sources(view, &quoted))
}
