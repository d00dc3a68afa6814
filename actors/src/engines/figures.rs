//! What an engine states about an analysis whose evidence set was gathered: every number is
//! read from the set's [`EvidenceStats`], computed once for the analysis, never from the
//! paragraph's own search hits — which is how the three engine reports and the final report
//! come to state the same total, the same days, the same platform split.
//!
//! - [`EvidenceView`]: the set as an engine reads it (hits matched to items, days in the
//!   set's time zone, platform names, whole-sentence excerpts);
//! - [`paragraphs`]: the built-in paragraph of each angle, written from the figures;
//! - [`quotes`]: quotes of the set's items, each at most once in a report;
//! - [`Figures`]: the same figures handed to an LLM, which is told not to recount.
//!
//! Start with [`paragraphs::summarise`].

pub mod paragraphs;
pub mod quotes;
mod wording;

use std::collections::HashMap;

use search::SearchHit;
use serde::Serialize;
use storage::model::ItemRef;
use text_analysis::evidence::{Engagement, EvidenceItem, EvidenceStats, KindCounts};
use text_analysis::{excerpt, platform, time_zone};
use time::UtcOffset;

use crate::evidence::Evidence;

/// Characters of a quote: whole sentences up to this many.
pub const QUOTE_CHARS: usize = 140;

/// Posts an LLM is shown as the most engaged.
const LLM_TOP_POSTS: usize = 5;

/// How reports explain the sentiment score, once, where the score appears.
pub fn sentiment_scale(zh: bool) -> &'static str {
    if zh {
        "情感得分范围 −1（最负面）到 +1（最正面）"
    } else {
        "scores run from −1, most negative, to +1, most positive"
    }
}

/// A mean sentiment score as reports show it: to two decimals, and a mean just below zero as
/// 0.00 rather than -0.00.
pub fn shown_mean(mean: f32) -> f32 {
    (mean * 100.0).round() / 100.0 + 0.0
}

/// `part` of `whole` as a whole percentage (`42%`).
pub fn percent(part: usize, whole: usize) -> String {
    format!("{:.0}%", part as f64 * 100.0 / whole.max(1) as f64)
}

/// `text` with each run of whitespace (line breaks included) as one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An analysis's evidence as an engine reads it.
pub struct EvidenceView<'a> {
    evidence: &'a Evidence,
    /// The offset the set's days were counted in, so a quote's day is one of the timeline's.
    offset: UtcOffset,
    by_item: HashMap<&'a ItemRef, usize>,
    /// Items by text: a hit whose item the set left out as a repeat still finds the one kept.
    by_text: HashMap<&'a str, usize>,
}

impl<'a> EvidenceView<'a> {
    pub fn new(evidence: &'a Evidence) -> Self {
        // The stats wrote the offset with `format_offset`, which `parse_offset` reads back; a
        // set stored by a build that wrote something else counts quotes' days in UTC.
        let offset = time_zone::parse_offset(&evidence.stats.time_zone).unwrap_or(UtcOffset::UTC);
        let items = &evidence.set.items;
        let mut by_item = HashMap::with_capacity(items.len());
        let mut by_text = HashMap::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            by_item.entry(&item.item).or_insert(i);
            by_text.entry(item.text.trim()).or_insert(i);
        }
        Self {
            evidence,
            offset,
            by_item,
            by_text,
        }
    }

    pub fn stats(&self) -> &'a EvidenceStats {
        &self.evidence.stats
    }

    pub fn items(&self) -> &'a [EvidenceItem] {
        &self.evidence.set.items
    }

    /// The set's items among `hits`, in the hits' order, each once.
    pub fn items_of(&self, hits: &[SearchHit]) -> Vec<usize> {
        let mut found = Vec::new();
        for hit in hits {
            let at = hit
                .item
                .as_ref()
                .and_then(|item| self.by_item.get(item))
                .or_else(|| self.by_text.get(hit.content.trim()));
            if let Some(&i) = at {
                if !found.contains(&i) {
                    found.push(i);
                }
            }
        }
        found
    }

    /// The day item `i` was published, in the set's time zone.
    pub fn day(&self, i: usize) -> Option<String> {
        let ms = self.items().get(i)?.published_ms?;
        time_zone::day_of_ms(ms, self.offset)
    }

    /// Item `i` quoted: its first whole sentences (its title when it has no text), on one
    /// line — a post's line breaks would break the paragraph that quotes it.
    pub fn excerpt(&self, i: usize) -> String {
        let Some(item) = self.items().get(i) else {
            return String::new();
        };
        let text = match item.title.as_deref() {
            Some(title) if item.text.trim().is_empty() => title,
            _ => &item.text,
        };
        excerpt::sentences(&one_line(text), QUOTE_CHARS)
    }

    /// The display name of item `i`'s platform.
    pub fn platform_of(&self, i: usize, zh: bool) -> String {
        self.items()
            .get(i)
            .map(|item| platform::display(&platform::canonical(&item.platform), zh))
            .unwrap_or_default()
    }
}

/// The figures an LLM writes a paragraph with: the set's, as the built-in paragraphs state
/// them (platforms by display name, days in the set's zone, percentages rounded the same way).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub total: usize,
    pub kinds: KindCounts,
    /// The UTC offset days are counted in.
    pub time_zone: String,
    pub per_day: Vec<DayFigure>,
    /// Items without a publication time (with `per_day`, they add up to `total`).
    pub undated: usize,
    pub platforms: Vec<PlatformFigure>,
    pub engagement: Engagement,
    pub sentiment: SentimentFigure,
    pub top_posts: Vec<PostFigure>,
    pub keywords: Vec<KeywordFigure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayFigure {
    pub day: String,
    pub items: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlatformFigure {
    pub platform: String,
    pub items: usize,
    pub share: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SentimentFigure {
    pub positive: usize,
    pub neutral: usize,
    pub negative: usize,
    /// The mean score, to two decimals.
    pub mean: f32,
    /// What the score means, in the report's language.
    pub scale: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct PostFigure {
    pub text: String,
    pub platform: String,
    pub day: Option<String>,
    pub engagement: i64,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeywordFigure {
    pub word: String,
    /// Items holding it.
    pub items: usize,
}

impl Figures {
    /// The figures of `view`'s set, named in the report's language.
    pub fn of(view: &EvidenceView<'_>, zh: bool) -> Self {
        let stats = view.stats();
        let items = view.items();
        Self {
            total: stats.total,
            kinds: stats.kinds,
            time_zone: stats.time_zone.clone(),
            per_day: stats
                .per_day
                .iter()
                .map(|d| DayFigure {
                    day: d.key.clone(),
                    items: d.count(),
                })
                .collect(),
            undated: stats.undated.len(),
            platforms: stats
                .platforms
                .iter()
                .map(|p| PlatformFigure {
                    platform: platform::display(&p.key, zh),
                    items: p.count(),
                    share: percent(p.count(), stats.total),
                })
                .collect(),
            engagement: stats.engagement,
            sentiment: SentimentFigure {
                positive: stats.sentiment.positive.len(),
                neutral: stats.sentiment.neutral.len(),
                negative: stats.sentiment.negative.len(),
                mean: shown_mean(stats.sentiment.mean),
                scale: sentiment_scale(zh),
            },
            top_posts: stats
                .top
                .iter()
                .take(LLM_TOP_POSTS)
                .filter_map(|&i| {
                    let item = items.get(i)?;
                    Some(PostFigure {
                        text: view.excerpt(i),
                        platform: view.platform_of(i, zh),
                        day: view.day(i),
                        engagement: item.engagement(),
                        url: item.url.clone(),
                    })
                })
                .collect(),
            keywords: stats
                .keywords
                .iter()
                .map(|k| KeywordFigure {
                    word: k.key.clone(),
                    items: k.count(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
