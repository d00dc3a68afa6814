//! An analysis's evidence set and the figures computed once from it.
//!
//! The evidence set is what an analysis found: posts, comments, hot-list news and web pages,
//! each with how it was found, in rank order. Every number an engine report or the final report
//! states — totals, per-day volume in the configured time zone, platform split, engagement,
//! sentiment distribution, keywords, top posts — is read from one [`EvidenceStats`] computed
//! from that set, so sections never recount and the same figure reads the same everywhere.
//! Each figure keeps the indexes of the items it counts, so a report can cite them.

use serde::{Deserialize, Serialize};
use storage::model::{ItemRef, Post, PostKind};

use crate::sentiment::Leaning;

/// How an item was found: which engine's search, through which provider, for what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundBy {
    /// `query`, `media`, `insight`, or `evidence` for the session's own gathering.
    pub engine: String,
    /// `local`, `tavily`…
    pub provider: String,
    /// The search's text.
    pub query: String,
}

/// One item of an evidence set, as it was when the set was built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceItem {
    pub item: ItemRef,
    /// The canonical platform code ([`crate::platform::canonical`]: `weibo`, never `wb`).
    pub platform: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub text: String,
    #[serde(default)]
    pub author: Option<String>,
    /// Epoch milliseconds.
    #[serde(default)]
    pub published_ms: Option<i64>,
    #[serde(default)]
    pub likes: i64,
    #[serde(default)]
    pub comments: i64,
    #[serde(default)]
    pub shares: i64,
    #[serde(default)]
    pub saves: i64,
    /// Sentiment score on the documented scale ([`crate::sentiment`]: −1 most negative, +1
    /// most positive), computed once when the item joined the set.
    pub sentiment: f32,
    pub leaning: Leaning,
    pub found_by: Vec<FoundBy>,
}

impl EvidenceItem {
    /// An item as found: its platform spelled canonically and its sentiment scored once, from
    /// its title and text, on the −1…+1 scale. Everything else starts empty (no URL, author,
    /// time, engagement or searches); set those fields before the set is stored.
    pub fn scored(item: ItemRef, platform: &str, title: Option<String>, text: String) -> Self {
        let sentiment = crate::features_of(title.as_deref(), &text).sentiment;
        Self {
            item,
            platform: crate::platform::canonical(platform),
            url: None,
            title,
            text,
            author: None,
            published_ms: None,
            likes: 0,
            comments: 0,
            shares: 0,
            saves: 0,
            sentiment: sentiment.unit(),
            leaning: sentiment.leaning,
            found_by: Vec::new(),
        }
    }

    /// A stored post or comment (row `id`) as an item, scored, found by `found_by`.
    pub fn from_post(id: i64, post: &Post, found_by: FoundBy) -> Self {
        let item = match post.kind {
            PostKind::Comment => ItemRef::Comment(id),
            PostKind::Content => ItemRef::Post(id),
        };
        let mut scored = Self::scored(item, &post.platform, post.title.clone(), post.body.clone());
        scored.url.clone_from(&post.url);
        scored.author.clone_from(&post.author_name);
        scored.published_ms = post.published_at;
        scored.likes = post.liked_count;
        scored.comments = post.comment_count;
        scored.shares = post.share_count;
        scored.saves = post.collected_count;
        scored.found_by.push(found_by);
        scored
    }

    /// Likes, comments, shares and saves together.
    pub fn engagement(&self) -> i64 {
        self.likes
            .saturating_add(self.comments)
            .saturating_add(self.shares)
            .saturating_add(self.saves)
    }
}

/// What the set was gathered for: the query, the words searched, and the cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub query: String,
    /// The words searched one by one when the query as a whole found little.
    #[serde(default)]
    pub terms: Vec<String>,
    /// At most this many items are kept.
    pub max_items: usize,
}

/// An analysis's evidence set, in rank order (index `i` is source `i + 1` in a report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceSet {
    pub definition: Definition,
    pub items: Vec<EvidenceItem>,
}

/// A count and the items (indexes into [`EvidenceSet::items`]) it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted<K> {
    pub key: K,
    pub items: Vec<usize>,
}

impl<K> Counted<K> {
    pub fn count(&self) -> usize {
        self.items.len()
    }
}

/// How many items of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub posts: usize,
    pub comments: usize,
    pub news: usize,
    pub web: usize,
}

/// Engagement summed over the set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engagement {
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
    pub saves: i64,
    pub total: i64,
}

/// The sentiment split: which items lean which way, and the mean score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentSplit {
    pub positive: Vec<usize>,
    pub neutral: Vec<usize>,
    pub negative: Vec<usize>,
    /// Mean score on the −1…+1 scale.
    pub mean: f32,
}

/// Every figure of an evidence set, computed once ([`EvidenceStats::compute`], in
/// `evidence/stats.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceStats {
    pub total: usize,
    pub kinds: KindCounts,
    /// The UTC offset days are counted in (`+08:00`).
    pub time_zone: String,
    /// Items per day (`YYYY-MM-DD` in `time_zone`), oldest first; with `undated`, they add up
    /// to `total`.
    pub per_day: Vec<Counted<String>>,
    /// Items without a publication time.
    pub undated: Vec<usize>,
    /// Items per canonical platform, most first (ties by name).
    pub platforms: Vec<Counted<String>>,
    pub engagement: Engagement,
    pub sentiment: SentimentSplit,
    /// Items by engagement, most first (ties by rank), at most 10.
    pub top: Vec<usize>,
    /// The words that recur, with the items that hold them, most first, at most 12.
    pub keywords: Vec<Counted<String>>,
}

mod stats;

#[cfg(test)]
mod tests;
