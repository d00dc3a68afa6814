//! The research steps done without an LLM: a plan of paragraphs for each engine's angle, a
//! summary of what the searches found (statistics, keywords, sentiment and quotes of real
//! posts, from [`text_analysis`]), and a reflection that searches again for what the first
//! results talk about most but the query did not name.

use serde::Serialize;

use super::gather::{as_post, topical_words};
use super::report::Source;
use super::EngineKind;
use search::SearchHit;
use text_analysis::{self, sentiment::Leaning, Analysis, Quote};

/// What a paragraph looks at in the material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Angle {
    Overview,
    Timeline,
    Voices,
    Focus,
    Platforms,
    TopPosts,
    Sentiment,
    Critical,
    Supportive,
    /// An LLM's paragraph, summarised without it.
    General,
}

/// A paragraph to write.
#[derive(Debug, Clone)]
pub struct Planned {
    pub title: String,
    pub intent: String,
    pub angle: Angle,
}

fn planned(zh: bool, angle: Angle, title: (&str, &str), intent: (&str, &str)) -> Planned {
    let pick = |(z, e): (&str, &str)| if zh { z } else { e }.to_owned();
    Planned {
        title: pick(title),
        intent: pick(intent),
        angle,
    }
}

/// Each engine's paragraphs: the query engine tells what happened, the media engine where and
/// how it spread, the insight engine how people feel about it.
pub fn plan(kind: EngineKind, zh: bool, max: usize) -> Vec<Planned> {
    use Angle::*;
    let mut paragraphs = match kind {
        EngineKind::Query => vec![
            planned(
                zh,
                Overview,
                ("事件概述", "What happened"),
                (
                    "事件本身、涉及各方与报道来源",
                    "the event, who is involved, and who reported it",
                ),
            ),
            planned(
                zh,
                Timeline,
                ("发展脉络", "How it unfolded"),
                (
                    "讨论从何时开始、何时达到高峰",
                    "when discussion began and when it peaked",
                ),
            ),
            planned(
                zh,
                Voices,
                ("各方说法", "What people say"),
                (
                    "有代表性的原话与出处",
                    "representative posts, quoted with their sources",
                ),
            ),
            planned(
                zh,
                Focus,
                ("争议焦点", "Points of contention"),
                (
                    "讨论集中在哪些问题上",
                    "the questions discussion keeps returning to",
                ),
            ),
        ],
        EngineKind::Media => vec![
            planned(
                zh,
                Platforms,
                ("传播平台", "Where it spreads"),
                ("各平台的声量分布", "how discussion splits across platforms"),
            ),
            planned(
                zh,
                TopPosts,
                ("高互动内容", "Most engaged posts"),
                (
                    "点赞、评论、转发最多的内容",
                    "the posts with the most likes, comments and shares",
                ),
            ),
            planned(
                zh,
                Focus,
                ("话题与关键词", "Topics and keywords"),
                ("内容里反复出现的词", "the words that recur in the material"),
            ),
        ],
        EngineKind::Insight => vec![
            planned(
                zh,
                Sentiment,
                ("情感倾向", "Sentiment"),
                (
                    "正面、中性、负面的比例与总体倾向",
                    "the split of positive, neutral and negative posts",
                ),
            ),
            planned(
                zh,
                Critical,
                ("不满与诉求", "Complaints and demands"),
                (
                    "负面声音说了什么、要求什么",
                    "what critical voices say and ask for",
                ),
            ),
            planned(
                zh,
                Supportive,
                ("理解与支持", "Understanding and support"),
                ("正面声音的理由", "why supportive voices think as they do"),
            ),
            planned(
                zh,
                Timeline,
                ("声量走势", "Volume over time"),
                ("每天的讨论量变化", "how much was said each day"),
            ),
        ],
    };
    paragraphs.truncate(max.max(1));
    paragraphs
}

/// Analyses hits (once per set of hits: both the summary and the reflection read it).
pub fn analyse(hits: &[SearchHit]) -> Analysis {
    let posts: Vec<_> = hits
        .iter()
        .enumerate()
        .map(|(i, h)| as_post(h, i))
        .collect();
    text_analysis::analyse(&posts, 8, 12)
}

fn source(q: &Quote) -> Source {
    Source {
        text: q.text.clone(),
        platform: Some(q.platform.clone()),
        url: q.url.clone(),
        published: q.published.clone(),
        engagement: Some(q.engagement),
        evidence: None,
    }
}

fn quoted(quotes: &[&Quote], zh: bool) -> String {
    quotes
        .iter()
        .map(|q| {
            let day = q.published.as_deref().unwrap_or("");
            if zh {
                format!(
                    "「{}」（{} {}，互动 {}）",
                    q.text, q.platform, day, q.engagement
                )
            } else {
                format!(
                    "“{}” ({} {}, {} interactions)",
                    q.text, q.platform, day, q.engagement
                )
            }
        })
        .collect::<Vec<_>>()
        .join(if zh { "；" } else { "; " })
}

fn keywords(a: &Analysis, n: usize, zh: bool) -> String {
    a.keywords
        .iter()
        .take(n)
        .map(|k| {
            if zh {
                format!("{}（{} 条）", k.word, k.posts)
            } else {
                format!("{} ({} posts)", k.word, k.posts)
            }
        })
        .collect::<Vec<_>>()
        .join(if zh { "、" } else { ", " })
}

fn percent(part: usize, whole: usize) -> String {
    format!("{:.0}%", part as f64 * 100.0 / whole.max(1) as f64)
}

fn timeline(a: &Analysis, zh: bool) -> String {
    let (Some((first, _)), Some((last, _))) = (a.by_day.iter().next(), a.by_day.iter().last())
    else {
        return if zh {
            "材料没有发布时间。".into()
        } else {
            "The material carries no dates.".into()
        };
    };
    let (peak, most) = a
        .by_day
        .iter()
        .max_by_key(|(day, n)| (**n, std::cmp::Reverse((*day).clone())))
        .map(|(d, n)| (d.clone(), *n))
        .unwrap_or_default();
    let days: Vec<String> = a.by_day.iter().map(|(d, n)| format!("{d}: {n}")).collect();
    if zh {
        format!(
            "最早的相关内容出现在 {first}，最近一条在 {last}；{peak} 最为集中（{most} 条）。逐日声量：{}。",
            days.join("，")
        )
    } else {
        format!(
            "The first related post is from {first}, the latest from {last}; {peak} was the busiest day ({most} posts). Per day: {}.",
            days.join(", ")
        )
    }
}

/// A paragraph's text and the sources it quotes, from the analysed material.
pub fn summarise(angle: Angle, query: &str, a: &Analysis, zh: bool) -> (String, Vec<Source>) {
    if a.posts == 0 {
        let text = if zh {
            format!("没有检索到与「{query}」相关的内容，本段无法给出结论。")
        } else {
            format!("Nothing about “{query}” was found, so this paragraph can draw no conclusion.")
        };
        return (text, Vec::new());
    }
    let n = a.posts;
    let leaning = |l: Leaning| {
        a.quotes
            .iter()
            .chain(&a.top_posts)
            .filter(move |q| q.leaning == l)
    };
    let mut used: Vec<&Quote> = Vec::new();
    let text = match angle {
        Angle::Overview => {
            let platforms: Vec<&str> = a.by_platform.keys().map(String::as_str).collect();
            used.extend(a.top_posts.iter().take(2));
            if zh {
                format!(
                    "围绕「{query}」共找到 {n} 条相关内容，来自 {}。讨论主要涉及：{}。传播最广的内容：{}。",
                    platforms.join("、"), keywords(a, 5, zh), quoted(&used, zh)
                )
            } else {
                format!(
                    "{n} items about “{query}” were found, from {}. They are mostly about {}. The most shared: {}.",
                    platforms.join(", "), keywords(a, 5, zh), quoted(&used, zh)
                )
            }
        }
        Angle::Timeline => timeline(a, zh),
        Angle::Voices | Angle::General => {
            used.extend(a.quotes.iter().take(3));
            if zh {
                format!("有代表性的说法：{}。", quoted(&used, zh))
            } else {
                format!("Representative posts: {}.", quoted(&used, zh))
            }
        }
        Angle::Focus => {
            used.extend(a.quotes.iter().take(1));
            if zh {
                format!(
                    "讨论反复出现的词是 {}，说明关注点集中于此。例如：{}。",
                    keywords(a, 8, zh),
                    quoted(&used, zh)
                )
            } else {
                format!(
                    "The words that recur are {}, which is where attention lies. For example: {}.",
                    keywords(a, 8, zh),
                    quoted(&used, zh)
                )
            }
        }
        Angle::Platforms => {
            let mut split: Vec<(&String, &usize)> = a.by_platform.iter().collect();
            split.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
            let parts: Vec<String> = split
                .iter()
                .map(|(p, c)| format!("{p} {c} ({})", percent(**c, n)))
                .collect();
            if zh {
                format!(
                    "{n} 条内容的平台分布：{}。{} 是主要阵地。",
                    parts.join("，"),
                    split.first().map_or("", |s| s.0.as_str())
                )
            } else {
                format!(
                    "Across {n} items: {}. Most of it is on {}.",
                    parts.join(", "),
                    split.first().map_or("", |s| s.0.as_str())
                )
            }
        }
        Angle::TopPosts => {
            used.extend(a.top_posts.iter().take(3));
            if zh {
                format!("互动最多的内容：{}。", quoted(&used, zh))
            } else {
                format!("The most engaged posts: {}.", quoted(&used, zh))
            }
        }
        Angle::Sentiment => {
            let s = &a.sentiment;
            let lean = if a.mean_sentiment > 0.1 {
                if zh {
                    "总体偏正面"
                } else {
                    "leans positive overall"
                }
            } else if a.mean_sentiment < -0.1 {
                if zh {
                    "总体偏负面"
                } else {
                    "leans negative overall"
                }
            } else if zh {
                "总体中性或分化"
            } else {
                "is neutral or divided overall"
            };
            if zh {
                format!(
                    "{n} 条内容中，正面 {}（{}），中性 {}（{}），负面 {}（{}），平均情感得分 {:.2}，{lean}。",
                    s.positive, percent(s.positive, n), s.neutral, percent(s.neutral, n),
                    s.negative, percent(s.negative, n), a.mean_sentiment
                )
            } else {
                format!(
                    "Of {n} items, {} are positive ({}), {} neutral ({}), {} negative ({}); the mean score is {:.2}: it {lean}.",
                    s.positive, percent(s.positive, n), s.neutral, percent(s.neutral, n),
                    s.negative, percent(s.negative, n), a.mean_sentiment
                )
            }
        }
        Angle::Critical | Angle::Supportive => {
            let want = if angle == Angle::Critical {
                Leaning::Negative
            } else {
                Leaning::Positive
            };
            let mut seen = std::collections::HashSet::new();
            used.extend(
                leaning(want)
                    .filter(|q| seen.insert(q.text.clone()))
                    .take(3),
            );
            match (used.is_empty(), zh, want) {
                (true, true, Leaning::Negative) => "材料中几乎没有明显的负面声音。".into(),
                (true, true, _) => "材料中几乎没有明显的正面声音。".into(),
                (true, false, Leaning::Negative) => {
                    "There are hardly any clearly critical voices in the material.".into()
                }
                (true, false, _) => {
                    "There are hardly any clearly supportive voices in the material.".into()
                }
                (false, true, Leaning::Negative) => {
                    format!("负面声音主要是：{}。", quoted(&used, zh))
                }
                (false, true, _) => format!("正面声音主要是：{}。", quoted(&used, zh)),
                (false, false, Leaning::Negative) => {
                    format!("Critical voices say: {}.", quoted(&used, zh))
                }
                (false, false, _) => format!("Supportive voices say: {}.", quoted(&used, zh)),
            }
        }
    };
    (text, used.into_iter().map(source).collect())
}

/// What to search next for a paragraph: the query's most specific word with the material's
/// strongest keyword that no search has named yet; None when there is nothing new.
pub fn reflect(query: &str, a: &Analysis, searched: &[String]) -> Option<String> {
    let words = topical_words(query);
    let core = words.first()?;
    let named = |w: &str| {
        words
            .iter()
            .any(|q| q.contains(w) || w.contains(q.as_str()))
            || searched
                .iter()
                .any(|s| s.split(' ').any(|p| p.contains(w) || w.contains(p)))
    };
    a.keywords
        .iter()
        .map(|k| k.word.as_str())
        .find(|w| !named(w))
        .map(|w| format!("{core} {w}"))
}
