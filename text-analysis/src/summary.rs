//! From analysed posts to what a report says: keywords, statistics and quotes of real posts.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use storage::model::Post;

use super::sentiment::Leaning;
use super::Features;

/// Words that say nothing about a topic.
const STOPWORDS: &[&str] = &[
    "的",
    "了",
    "是",
    "在",
    "和",
    "也",
    "都",
    "就",
    "还",
    "又",
    "有",
    "我",
    "你",
    "他",
    "她",
    "它",
    "我们",
    "你们",
    "他们",
    "这",
    "那",
    "这个",
    "那个",
    "一个",
    "什么",
    "怎么",
    "没有",
    "不是",
    "就是",
    "还是",
    "但是",
    "因为",
    "所以",
    "如果",
    "可以",
    "自己",
    "现在",
    "今天",
    "已经",
    "觉得",
    "真的",
    "大家",
    "一下",
    "这么",
    "那么",
    "而且",
    "然后",
    "还有",
    "一些",
    "the",
    "and",
    "for",
    "are",
    "was",
    "were",
    "that",
    "this",
    "with",
    "have",
    "has",
    "had",
    "not",
    "but",
    "you",
    "they",
    "their",
    "our",
    "from",
    "what",
    "just",
    "about",
    "will",
    "would",
    "can",
    "its",
    "it's",
    "i'm",
    "all",
    "out",
    "who",
    "been",
    "more",
    "than",
    "into",
    "when",
    "there",
    "here",
    "how",
    "why",
    "any",
    "one",
    "them",
    "his",
    "her",
    "she",
    // Platform markup (`#话题#`, `[话题]`) and the words our own reports quote numbers with.
    "话题",
    "互动",
    "interactions",
];

/// A keyword and its weight.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Keyword {
    pub word: String,
    pub weight: f64,
    /// Posts it appears in.
    pub posts: usize,
}

/// A real post quoted, with where it came from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quote {
    pub text: String,
    pub platform: String,
    pub url: Option<String>,
    pub author: Option<String>,
    /// ISO day.
    pub published: Option<String>,
    pub engagement: i64,
    pub leaning: Leaning,
}

/// Counts per sentiment leaning.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SentimentSplit {
    pub positive: usize,
    pub neutral: usize,
    pub negative: usize,
}

/// What the built-in analysis says about a set of posts.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub posts: usize,
    pub keywords: Vec<Keyword>,
    /// Posts per ISO day of publication.
    pub by_day: BTreeMap<String, usize>,
    pub by_platform: BTreeMap<String, usize>,
    pub sentiment: SentimentSplit,
    /// The mean sentiment score.
    pub mean_sentiment: f64,
    /// The most engaged posts, quoted.
    pub top_posts: Vec<Quote>,
    /// Posts chosen to represent the set: on its keywords, and engaged with.
    pub quotes: Vec<Quote>,
}

/// Whether a word can say something about a topic: long enough, not a stopword.
pub fn keep(word: &str) -> bool {
    let chars = word.chars().count();
    let cjk = word.chars().any(storage::terms::is_cjk);
    (if cjk { chars >= 2 } else { chars >= 3 })
        && word.chars().any(char::is_alphabetic)
        && !STOPWORDS.contains(&word)
}

fn quote(post: &Post, features: &Features) -> Quote {
    let mut text: String = post.body.chars().take(140).collect();
    if post.body.chars().count() > 140 {
        text.push('…');
    }
    Quote {
        text,
        platform: post.platform.clone(),
        url: post.url.clone(),
        author: post.author_name.clone(),
        published: post.published_at.and_then(storage::clock::day_of_ms),
        engagement: post.engagement(),
        leaning: features.sentiment.leaning,
    }
}

/// Summarises posts whose features are in `features` (same order).
pub fn summarise(
    posts: &[Post],
    features: &[Features],
    keywords: usize,
    quotes: usize,
) -> Analysis {
    let n = posts.len().min(features.len());
    // Keywords: term frequency over the set, weighted by how specific the word is to some
    // posts rather than all (TF-IDF within the set).
    let mut tf: HashMap<&str, usize> = HashMap::new();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for f in &features[..n] {
        let mut seen = HashSet::new();
        for t in f.tokens.iter().filter(|t| keep(t)) {
            *tf.entry(t.as_str()).or_default() += 1;
            if seen.insert(t.as_str()) {
                *df.entry(t.as_str()).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<Keyword> = tf
        .iter()
        .filter(|(_, &count)| count >= 2 || n < 5)
        .map(|(&word, &count)| {
            let docs = df.get(word).copied().unwrap_or(1);
            let idf = ((n as f64 + 1.0) / (docs as f64 + 0.5)).ln() + 1.0;
            Keyword {
                word: word.to_owned(),
                weight: count as f64 * idf,
                posts: docs,
            }
        })
        .collect();
    ranked.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.word.cmp(&b.word)));
    ranked.truncate(keywords);

    let mut by_day = BTreeMap::new();
    let mut by_platform = BTreeMap::new();
    let mut split = SentimentSplit::default();
    let mut total = 0.0f64;
    for (post, f) in posts.iter().zip(features) {
        if let Some(day) = post.published_at.and_then(storage::clock::day_of_ms) {
            *by_day.entry(day).or_insert(0) += 1;
        }
        *by_platform.entry(post.platform.clone()).or_insert(0) += 1;
        match f.sentiment.leaning {
            Leaning::Positive => split.positive += 1,
            Leaning::Neutral => split.neutral += 1,
            Leaning::Negative => split.negative += 1,
        }
        total += f64::from(f.sentiment.score);
    }

    let mut by_engagement: Vec<usize> = (0..n).collect();
    by_engagement.sort_by_key(|&i| std::cmp::Reverse(posts[i].engagement()));
    let top_posts = by_engagement
        .iter()
        .take(quotes)
        .map(|&i| quote(&posts[i], &features[i]))
        .collect();

    // Representative quotes: cover the keywords, prefer engaged posts, avoid near-repeats.
    let key_words: HashSet<&str> = ranked.iter().map(|k| k.word.as_str()).collect();
    let mut scored: Vec<(f64, usize)> = (0..n)
        .map(|i| {
            let distinct: HashSet<&str> = features[i]
                .tokens
                .iter()
                .map(String::as_str)
                .filter(|t| key_words.contains(t))
                .collect();
            let reach = ((posts[i].engagement().max(0) + 2) as f64).ln();
            (distinct.len() as f64 * reach, i)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<Quote> = Vec::new();
    let mut openings: HashSet<String> = HashSet::new();
    for (_, i) in scored {
        if chosen.len() >= quotes {
            break;
        }
        let opening: String = posts[i].body.chars().take(12).collect();
        if openings.insert(opening) {
            chosen.push(quote(&posts[i], &features[i]));
        }
    }

    Analysis {
        posts: n,
        keywords: ranked,
        by_day,
        by_platform,
        sentiment: split,
        mean_sentiment: if n == 0 { 0.0 } else { total / n as f64 },
        top_posts,
        quotes: chosen,
    }
}
