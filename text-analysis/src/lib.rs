//! Built-in analysis, no network: what the engines do with posts when no LLM is configured
//! (and what they hand an LLM when one is).
//!
//! - [`tokens`]: Chinese segmented with jieba-rs, other scripts as lowercased words;
//! - [`sentiment`]: lexicon sentiment with negation and intensifiers, both languages;
//! - [`summary`]: keywords (TF-IDF over the posts analysed), statistics (volume per day,
//!   platform split, top posts by engagement, sentiment distribution) and extractive quotes
//!   of real posts with their sources.
//!
//! - [`evidence`]: an analysis's evidence set and every figure computed once from it;
//! - [`excerpt`]: quotes cut after whole sentences, never inside a hashtag or a word;
//! - [`platform`]: one spelling per platform; [`time_zone`]: the offset days are counted in.
//!
//! [`analyse`] does all of it for a set of posts, on every core.

pub mod evidence;
pub mod excerpt;
pub mod platform;
pub mod sentiment;
pub mod summary;
pub mod time_zone;

use std::sync::OnceLock;

use storage::model::Post;

pub use summary::{Analysis, Quote};

fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

fn is_cjk(c: char) -> bool {
    storage::terms::is_cjk(c)
}

/// The tokens of `text`: jieba's words for runs of Chinese (punctuation kept as tokens, so
/// sentiment modifiers reset there), lowercased words (apostrophes kept) elsewhere.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    let mut word = String::new();
    let flush_run = |run: &mut String, out: &mut Vec<String>| {
        if !run.is_empty() {
            out.extend(jieba().cut(run, true).into_iter().map(str::to_owned));
            run.clear();
        }
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            run.push(c);
        } else if c.is_alphanumeric() || (c == '\'' && !word.is_empty()) {
            flush_run(&mut run, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_run(&mut run, &mut out);
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
        }
    }
    flush_run(&mut run, &mut out);
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// One post's tokens and sentiment.
#[derive(Debug, Clone)]
pub struct Features {
    pub tokens: Vec<String>,
    pub sentiment: sentiment::Sentiment,
}

/// A title and a text as one text to analyse (the title only when the text does not already
/// start with it, ended as a sentence so sentiment modifiers do not run across).
pub fn titled(title: Option<&str>, text: &str) -> String {
    match title {
        Some(t) if !t.trim().is_empty() && !text.starts_with(t) => format!("{t}。{text}"),
        _ => text.to_owned(),
    }
}

/// Tokens and sentiment of a title and a text.
pub fn features_of(title: Option<&str>, text: &str) -> Features {
    let tokens = tokens(&titled(title, text));
    let sentiment = sentiment::score(tokens.iter().map(String::as_str));
    Features { tokens, sentiment }
}

/// Tokens and sentiment of a post's title and text.
pub fn features(post: &Post) -> Features {
    features_of(post.title.as_deref(), &post.body)
}

/// Analyses `posts` (features on every core, then the summary).
pub fn analyse(posts: &[Post], keywords: usize, quotes: usize) -> Analysis {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = posts.len().div_ceil(workers).max(1);
    let features: Vec<Features> = std::thread::scope(|scope| {
        let handles: Vec<_> = posts
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(features).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    summary::summarise(posts, &features, keywords, quotes)
}

#[cfg(test)]
mod tests {
    //! Tokens of mixed text.
    use super::*;

    #[test]
    fn chinese_is_segmented_and_english_lowercased() {
        let t = tokens("滨海马拉松的志愿者 Volunteers didn't stop!");
        assert!(t.contains(&"马拉松".to_owned()), "{t:?}");
        assert!(t.contains(&"志愿者".to_owned()), "{t:?}");
        assert!(
            t.contains(&"volunteers".to_owned()) && t.contains(&"didn't".to_owned()),
            "{t:?}"
        );
        assert!(t.contains(&"!".to_owned()));
    }
}
