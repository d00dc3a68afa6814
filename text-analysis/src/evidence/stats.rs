//! [`EvidenceStats::compute`]: every figure of an evidence set in one pass over its items, each
//! keeping the indexes of the items it counts.

use std::collections::{BTreeMap, HashMap, HashSet};

use storage::model::ItemRef;
use time::UtcOffset;

use super::{
    Counted, Engagement, EvidenceItem, EvidenceSet, EvidenceStats, KindCounts, SentimentSplit,
};
use crate::sentiment::Leaning;

/// At most this many items in [`EvidenceStats::top`].
pub const TOP_ITEMS: usize = 10;

/// At most this many words in [`EvidenceStats::keywords`].
pub const KEYWORDS: usize = 12;

/// From this many items on, a keyword must appear in at least two of them: a word one post
/// uses is not something the discussion "recurs" to. Smaller sets keep single words, or they
/// would have none.
const RECUR_FROM_ITEMS: usize = 5;

impl EvidenceStats {
    /// Every figure of `set`, days counted at `offset`.
    ///
    /// Decisions a reader of the figures should know:
    /// - platforms are grouped by [`crate::platform::canonical`] again, so a set stored before
    ///   its platforms were canonical still counts `wb` and `weibo` as one;
    /// - sentiment is read from each item's stored leaning and score, never rescored, so the
    ///   figures match what the set recorded when it was built;
    /// - `top` holds only items with some engagement (more than 0): a ranking of zeros says
    ///   nothing, and web pages and hot-list news carry none, so in practice it ranks posts
    ///   and comments;
    /// - keywords leave out the words of the query and of the searched terms (every item
    ///   holds them, by construction), platform names, and stopwords; each counts the items
    ///   holding it, not its occurrences.
    pub fn compute(set: &EvidenceSet, offset: UtcOffset) -> Self {
        let items = &set.items;
        let mut kinds = KindCounts::default();
        let mut days: BTreeMap<time::Date, Vec<usize>> = BTreeMap::new();
        let mut undated = Vec::new();
        let mut platforms: HashMap<String, Vec<usize>> = HashMap::new();
        let mut engagement = Engagement::default();
        let mut sentiment = SentimentSplit {
            positive: Vec::new(),
            neutral: Vec::new(),
            negative: Vec::new(),
            mean: 0.0,
        };
        let mut score_sum = 0.0f64;
        for (i, item) in items.iter().enumerate() {
            match item.item {
                ItemRef::Post(_) => kinds.posts += 1,
                ItemRef::Comment(_) => kinds.comments += 1,
                ItemRef::News(_) => kinds.news += 1,
                ItemRef::Web(_) => kinds.web += 1,
            }
            match item
                .published_ms
                .and_then(|ms| crate::time_zone::date_of_ms(ms, offset))
            {
                Some(day) => days.entry(day).or_default().push(i),
                None => undated.push(i),
            }
            platforms
                .entry(crate::platform::canonical(&item.platform))
                .or_default()
                .push(i);
            engagement.likes = engagement.likes.saturating_add(item.likes);
            engagement.comments = engagement.comments.saturating_add(item.comments);
            engagement.shares = engagement.shares.saturating_add(item.shares);
            engagement.saves = engagement.saves.saturating_add(item.saves);
            engagement.total = engagement.total.saturating_add(item.engagement());
            match item.leaning {
                Leaning::Positive => sentiment.positive.push(i),
                Leaning::Neutral => sentiment.neutral.push(i),
                Leaning::Negative => sentiment.negative.push(i),
            }
            score_sum += f64::from(item.sentiment);
        }
        if !items.is_empty() {
            sentiment.mean = (score_sum / items.len() as f64) as f32;
        }

        let per_day = days
            .into_iter()
            .map(|(day, items)| Counted {
                key: crate::time_zone::iso_day(day),
                items,
            })
            .collect();
        let mut platforms: Vec<Counted<String>> = platforms
            .into_iter()
            .map(|(key, items)| Counted { key, items })
            .collect();
        platforms.sort_by(|a, b| b.count().cmp(&a.count()).then_with(|| a.key.cmp(&b.key)));

        Self {
            total: items.len(),
            kinds,
            time_zone: crate::time_zone::format_offset(offset),
            per_day,
            undated,
            platforms,
            engagement,
            sentiment,
            top: top(items),
            keywords: keywords(set),
        }
    }
}

/// The items with engagement, most first, ties by rank, at most [`TOP_ITEMS`].
fn top(items: &[EvidenceItem]) -> Vec<usize> {
    let mut engaged: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].engagement() > 0)
        .collect();
    engaged.sort_by_key(|&i| (std::cmp::Reverse(items[i].engagement()), i));
    engaged.truncate(TOP_ITEMS);
    engaged
}

/// The words searched for: the query's and the terms', and the query's text without spaces
/// (jieba may cut an item's `马拉松赛` where it cut the query's `马拉松`).
struct Searched {
    words: HashSet<String>,
    squeezed: String,
}

impl Searched {
    fn of(set: &EvidenceSet) -> Self {
        let definition = &set.definition;
        let mut words = HashSet::new();
        let mut squeezed = String::new();
        for text in std::iter::once(&definition.query).chain(&definition.terms) {
            words.extend(crate::tokens(text));
            squeezed.extend(
                text.chars()
                    .filter(|c| !c.is_whitespace())
                    .flat_map(char::to_lowercase),
            );
            // A separator no token holds, so one text's end and the next's start never join.
            squeezed.push('\u{0}');
        }
        Self { words, squeezed }
    }

    fn holds(&self, word: &str) -> bool {
        self.words.contains(word) || self.squeezed.contains(word)
    }
}

/// The words that recur across items, with the items holding them, most items first (then
/// most uses, then by the word), at most [`KEYWORDS`].
fn keywords(set: &EvidenceSet) -> Vec<Counted<String>> {
    let searched = Searched::of(set);
    let mut holders: HashMap<String, (Vec<usize>, usize)> = HashMap::new();
    for (i, item) in set.items.iter().enumerate() {
        let mut seen = HashSet::new();
        for token in crate::tokens(&crate::titled(item.title.as_deref(), &item.text)) {
            if !crate::summary::keep(&token)
                || crate::platform::is_platform_name(&token)
                || searched.holds(&token)
            {
                continue;
            }
            let entry = holders.entry(token.clone()).or_default();
            entry.1 += 1;
            if seen.insert(token) {
                entry.0.push(i);
            }
        }
    }
    let least = if set.items.len() >= RECUR_FROM_ITEMS {
        2
    } else {
        1
    };
    let mut ranked: Vec<(String, Vec<usize>, usize)> = holders
        .into_iter()
        .filter(|(_, (items, _))| items.len() >= least)
        .map(|(word, (items, uses))| (word, items, uses))
        .collect();
    ranked.sort_by(|a, b| {
        b.1.len()
            .cmp(&a.1.len())
            .then(b.2.cmp(&a.2))
            .then_with(|| a.0.cmp(&b.0))
    });
    ranked
        .into_iter()
        .take(KEYWORDS)
        .map(|(key, items, _)| Counted { key, items })
        .collect()
}
