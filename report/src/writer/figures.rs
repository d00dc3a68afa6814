//! The figures of an evidence set as the report words them: each phrase built in one place
//! from [`EvidenceStats`], so a figure reads the same in every chapter, and percentages that
//! add up to 100 (largest remainder). Also the cites (item indexes → source numbers), the
//! sentiment scale in words, and the document's subtitle and notes.

use text_analysis::evidence::{Counted, EvidenceStats};
use text_analysis::sentiment::LEANING_FROM;

use super::prose::Prose;
use super::WriterInput;
use crate::document::{Block, Language, Span, Tone};

/// Source numbers of item indexes: ascending, each once (source `n` is item `n - 1`).
pub(crate) fn cites(indexes: &[usize]) -> Vec<u32> {
    let mut out: Vec<u32> = indexes
        .iter()
        .filter_map(|&i| u32::try_from(i).ok()?.checked_add(1))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A share of a whole as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Share {
    /// Tenths of a percent, 0–1000: what rules compare.
    pub tenths: u32,
    /// `25%`, or `2.5%` when whole percentages would show equal counts unequally.
    pub text: String,
}

/// Parts of `scale` in proportion to `counts`, adding up to exactly `scale` (0s for an empty
/// sum): each gets its floor, and the points left go to the largest remainders (ties to the
/// larger count, then to the first).
fn largest_remainder(counts: &[usize], scale: usize) -> Vec<u32> {
    let total: usize = counts.iter().sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut out: Vec<usize> = counts.iter().map(|&c| c * scale / total).collect();
    let given: usize = out.iter().sum();
    let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
    by_remainder.sort_by_key(|&i| {
        (
            std::cmp::Reverse(counts[i] * scale % total),
            std::cmp::Reverse(counts[i]),
            i,
        )
    });
    for &i in by_remainder.iter().take(scale.saturating_sub(given)) {
        out[i] += 1;
    }
    out.into_iter()
        .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
        .collect()
}

/// Whether equal counts got equal parts.
fn fair(counts: &[usize], parts: &[u32]) -> bool {
    let pairs: Vec<(usize, u32)> = counts.iter().copied().zip(parts.iter().copied()).collect();
    pairs
        .iter()
        .all(|(c, p)| pairs.iter().all(|(c2, p2)| c != c2 || p == p2))
}

/// The shares of `counts` in their sum, adding up to exactly 100%, so a chapter's three
/// shares never add up to 99% or 101%. Whole percentages, unless they would show two equal counts
/// with different percentages (four platforms of one item each among forty: 3%, 3%, 2%, 2%);
/// then tenths (2.5% each), which rarely need such a tie-break and hide it when they do.
pub(crate) fn shares(counts: &[usize]) -> Vec<Share> {
    let whole = largest_remainder(counts, 100);
    if fair(counts, &whole) {
        return whole
            .into_iter()
            .map(|w| Share {
                tenths: w * 10,
                text: format!("{w}%"),
            })
            .collect();
    }
    largest_remainder(counts, 1000)
        .into_iter()
        .map(|t| Share {
            tenths: t,
            text: format!("{}.{}%", t / 10, t % 10),
        })
        .collect()
}

/// The items with any engagement: what the total engagement counts.
pub(crate) fn engaged(input: &WriterInput<'_>) -> Vec<usize> {
    (0..input.evidence.items.len())
        .filter(|&i| input.evidence.items[i].engagement() > 0)
        .collect()
}

/// `UTC+08:00`: how prose names the time zone.
pub(crate) fn zone_name(stats: &EvidenceStats) -> String {
    format!("UTC{}", stats.time_zone)
}

/// The figures of one input, worded in its language.
#[derive(Clone, Copy)]
pub(crate) struct Figures<'a> {
    pub stats: &'a EvidenceStats,
    pub prose: Prose,
    pub query: &'a str,
}

impl<'a> Figures<'a> {
    pub fn of(input: &WriterInput<'a>) -> Self {
        Self {
            stats: input.stats,
            prose: Prose::of(input.language),
            query: input.query,
        }
    }

    /// Every item.
    pub fn all(&self) -> Vec<usize> {
        (0..self.stats.total).collect()
    }

    /// The items with a publication time.
    pub fn dated(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .stats
            .per_day
            .iter()
            .flat_map(|d| d.items.iter().copied())
            .collect();
        out.sort_unstable();
        out
    }

    /// The busiest day (the earliest of equals).
    pub fn peak(&self) -> Option<&'a Counted<String>> {
        self.stats.per_day.iter().rev().max_by_key(|d| d.count())
    }

    /// The shares of positive, neutral and negative items, adding up to 100%.
    pub fn sentiment_shares(&self) -> [Share; 3] {
        let s = &self.stats.sentiment;
        let mut parts = shares(&[s.positive.len(), s.neutral.len(), s.negative.len()]).into_iter();
        let mut next = || {
            parts.next().unwrap_or(Share {
                tenths: 0,
                text: "0%".to_owned(),
            })
        };
        [next(), next(), next()]
    }

    /// The negative share, as every chapter states it.
    pub fn negative_share(&self) -> Share {
        let [_, _, negative] = self.sentiment_shares();
        negative
    }

    /// Each platform's share (in [`EvidenceStats::platforms`] order), adding up to 100%.
    pub fn platform_shares(&self) -> Vec<Share> {
        shares(
            &self
                .stats
                .platforms
                .iter()
                .map(Counted::count)
                .collect::<Vec<_>>(),
        )
    }

    /// The mean score as shown: `+0.12`, `-0.40`, `0.00`.
    pub fn mean(&self) -> String {
        let mean = self.stats.sentiment.mean;
        if mean.abs() < 0.005 {
            "0.00".to_owned()
        } else {
            format!("{mean:+.2}")
        }
    }

    /// What the mean means, in words.
    pub fn mean_meaning(&self) -> &'static str {
        let mean = self.stats.sentiment.mean;
        let p = self.prose;
        if mean >= LEANING_FROM {
            p.pick("偏正面", "positive")
        } else if mean <= -LEANING_FROM {
            p.pick("偏负面", "negative")
        } else if mean >= 0.05 {
            p.pick("略偏正面", "slightly positive")
        } else if mean <= -0.05 {
            p.pick("略偏负面", "slightly negative")
        } else {
            p.pick("总体中性", "neutral")
        }
    }

    /// The total and its kinds: `围绕「q」共找到 40 条内容（帖子 30 条、评论 10 条）。` /
    /// `40 items about “q” were found: 30 posts and 10 comments.`
    pub fn total_sentence(&self) -> String {
        let p = self.prose;
        let total = self.stats.total;
        let kinds = p.kinds(&self.stats.kinds);
        let q = p.quoted(self.query);
        match (p.zh, kinds.len()) {
            (true, 0) => format!("围绕{q}没有找到任何内容。"),
            (true, _) => format!("围绕{q}共找到 {total} 条内容（{}）。", p.list(&kinds)),
            (false, 0) => format!("No items about {q} were found."),
            (false, _) => format!(
                "{} about {q} {} found: {}.",
                capitalised(&p.items(total)),
                p.was_were(total),
                p.list(&kinds)
            ),
        }
    }

    /// A day and its count: `2026-11-12（12 条）` / `2026-11-12 (12 items)`.
    pub fn day(&self, day: &Counted<String>) -> String {
        let p = self.prose;
        if p.zh {
            format!("{}（{}）", day.key, p.items(day.count()))
        } else {
            format!("{} ({})", day.key, p.items(day.count()))
        }
    }

    /// A platform, its count and share: `微博（20 条，50%）` / `Weibo (20 items, 50%)`.
    pub fn platform(&self, at: usize) -> Option<Span> {
        let platform = self.stats.platforms.get(at)?;
        let share = self.platform_shares().get(at)?.text.clone();
        let p = self.prose;
        let name = p.platform(&platform.key);
        let text = if p.zh {
            format!("{name}（{}，{share}）", p.items(platform.count()))
        } else {
            format!("{name} ({}, {share})", p.items(platform.count()))
        };
        Some(Span::cited(text, cites(&platform.items)))
    }

    /// A keyword and the items holding it: `志愿者（7 条）` / `volunteers (7 items)`.
    pub fn keyword(&self, keyword: &Counted<String>) -> Span {
        let p = self.prose;
        let text = if p.zh {
            format!("{}（{}）", keyword.key, p.items(keyword.count()))
        } else {
            format!("{} ({})", keyword.key, p.items(keyword.count()))
        };
        Span::cited(text, cites(&keyword.items))
    }

    /// A leaning's count and share, as a span citing its items: `负面 10 条（25%）` /
    /// `10 negative (25%)`.
    pub fn leaning(&self, which: usize) -> Span {
        let s = &self.stats.sentiment;
        let (items, leaning) = match which {
            0 => (&s.positive, text_analysis::sentiment::Leaning::Positive),
            1 => (&s.neutral, text_analysis::sentiment::Leaning::Neutral),
            _ => (&s.negative, text_analysis::sentiment::Leaning::Negative),
        };
        let [positive, neutral, negative] = self.sentiment_shares();
        let share = match which {
            0 => positive.text,
            1 => neutral.text,
            _ => negative.text,
        };
        let p = self.prose;
        let text = if p.zh {
            format!("{} {}（{share}）", p.leaning(leaning), p.items(items.len()))
        } else {
            format!("{} {} ({share})", items.len(), p.leaning(leaning))
        };
        Span::cited(text, cites(items))
    }
}

/// `Text` with its first letter upper-cased (English sentences that start with a count do
/// not need it, but ones that start with a word do).
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How the sentiment score is made and read, in words (the thresholds are the ones
/// `text_analysis` leans by).
pub fn scale_explanation(language: Language) -> String {
    let cut = format!("{LEANING_FROM:.2}");
    match language {
        Language::Zh => format!(
            "情感得分：每条内容在进入证据集时按中英文情感词典（含否定词与程度副词）打分一次，分值从 −1（最负面）到 +1（最正面），0 表示没有情感词或正负相抵；得分不低于 +{cut} 记为正面，不高于 −{cut} 记为负面，其间为中性。"
        ),
        Language::En => format!(
            "Sentiment score: each item is scored once, when it joins the evidence set, by a lexicon of Chinese and English sentiment words with negation and intensifiers, from −1 (most negative) to +1 (most positive); 0 means no sentiment words, or as many of each kind. An item scoring +{cut} or more counts as positive, −{cut} or less as negative, anything in between as neutral."
        ),
    }
}

/// The document's subtitle: how many items, the time zone, when it was made.
pub(crate) fn subtitle(input: &WriterInput<'_>) -> String {
    let p = Prose::of(input.language);
    let zone = zone_name(input.stats);
    let offset = text_analysis::time_zone::parse_offset(&input.stats.time_zone)
        .unwrap_or(time::UtcOffset::UTC);
    let when =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(input.generated_at) * 1_000_000)
            .ok()
            .and_then(|t| t.checked_to_offset(offset))
            .map(|t| {
                format!(
                    "{} {:02}:{:02}",
                    text_analysis::time_zone::iso_day(t.date()),
                    t.hour(),
                    t.minute()
                )
            });
    let items = p.items(input.stats.total);
    match (p.zh, when) {
        (true, Some(when)) => format!("基于 {items}内容 · 时区 {zone} · 生成于 {when}"),
        (true, None) => format!("基于 {items}内容 · 时区 {zone}"),
        (false, Some(when)) => format!("From {items} · time zone {zone} · generated {when}"),
        (false, None) => format!("From {items} · time zone {zone}"),
    }
}

/// The document's notes: the scale, what was counted and read, the time zone.
pub(crate) fn notes(input: &WriterInput<'_>) -> Vec<String> {
    let p = Prose::of(input.language);
    let total = input.stats.total;
    let zone = zone_name(input.stats);
    let counted = if p.zh {
        format!(
            "证据集共 {total} 条内容，全部计入统计并列为来源；报告中的每个数字都只从这一证据集计算一次，每个数字和引文都链接到它所依据的内容。"
        )
    } else {
        format!(
            "The evidence set holds {}; all of them were counted and are listed as sources. Every figure in this report is computed once from that set, and every number and quote links to the items it rests on.",
            p.items(total)
        )
    };
    let days = if p.zh {
        format!("日期按 {zone} 计算。")
    } else {
        format!("Days are counted in {zone}.")
    };
    vec![scale_explanation(input.language), counted, days]
}

/// The one block a figures chapter has when nothing was found.
pub(crate) fn nothing_found(input: &WriterInput<'_>) -> Vec<Block> {
    let p = Prose::of(input.language);
    let q = p.quoted(input.query);
    let text = if p.zh {
        format!("没有找到与{q}相关的内容，本章没有可以统计或引用的材料。")
    } else {
        format!("No items about {q} were found, so this chapter has nothing to count or quote.")
    };
    vec![Block::Callout {
        tone: Tone::Info,
        title: Some(p.pick("没有找到内容", "Nothing found").to_owned()),
        spans: vec![Span::text(text)],
    }]
}

/// A paragraph of spans, with the sentence ends as they are in the spans' text.
pub(crate) fn paragraph(spans: Vec<Span>) -> Block {
    Block::Paragraph { spans }
}

#[cfg(test)]
mod tests {
    //! Percentages that add up, cites that are source numbers.
    use super::*;

    fn texts(counts: &[usize]) -> Vec<String> {
        shares(counts).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn shares_add_up_to_a_hundred() {
        assert_eq!(texts(&[2, 1]), vec!["67%", "33%"]);
        assert_eq!(texts(&[10, 22, 8]), vec!["25%", "55%", "20%"]);
        assert_eq!(texts(&[0, 0]), vec!["0%", "0%"]);
        assert!(texts(&[]).is_empty());
        for counts in [
            vec![1usize, 2, 3, 7],
            vec![0, 0, 1, 0],
            vec![13, 13, 13, 1],
            vec![5, 9, 11, 17],
            vec![18, 7, 6, 5, 1, 1, 1, 1],
            vec![1, 1, 1],
        ] {
            let sum: u32 = shares(&counts).iter().map(|s| s.tenths).sum();
            assert_eq!(sum, 1000, "{counts:?}");
        }
    }

    #[test]
    fn equal_counts_show_equal_shares_when_tenths_allow() {
        // Whole percentages would show 3%, 3%, 2%, 2% for the four single items.
        assert_eq!(
            texts(&[18, 7, 6, 5, 1, 1, 1, 1]),
            vec!["45.0%", "17.5%", "15.0%", "12.5%", "2.5%", "2.5%", "2.5%", "2.5%"]
        );
        // A three-way tie cannot be split evenly; the first gets the tenth left over.
        assert_eq!(texts(&[1, 1, 1]), vec!["33.4%", "33.3%", "33.3%"]);
    }

    #[test]
    fn cites_are_sorted_one_based_and_unique() {
        assert_eq!(cites(&[3, 0, 3, 1]), vec![1, 2, 4]);
        assert!(cites(&[]).is_empty());
    }
}
