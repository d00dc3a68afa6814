//! How figures read in each language: English nouns and verbs agreeing with their count
//! (`1 item carries`, `3 items carry`), lists joined as each language joins them, and the
//! counts every paragraph words the same way (kinds of item, keywords with their items).

use text_analysis::evidence::{Counted, EvidenceStats};

/// `n` and its noun, singular or plural (`1 item`, `2 items`).
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// [`count`] for a sum of interactions (`1 like`, `582 likes`).
pub fn count_i64(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// An English verb agreeing with `n` (`is`/`are`).
pub fn verb<'v>(n: usize, one: &'v str, many: &'v str) -> &'v str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// A list as each language writes one (`微博、小红书`, `Weibo, Xiaohongshu`).
pub fn join(parts: &[String], zh: bool) -> String {
    parts.join(if zh { "、" } else { ", " })
}

/// The kinds of item the set holds (`帖子 30 条、评论 10 条`), those it has.
pub fn kinds(stats: &EvidenceStats, zh: bool) -> String {
    let k = stats.kinds;
    let parts: Vec<String> = [
        (k.posts, "帖子", "post", "posts"),
        (k.comments, "评论", "comment", "comments"),
        (k.news, "新闻", "news item", "news items"),
        (k.web, "网页", "web page", "web pages"),
    ]
    .into_iter()
    .filter(|(n, ..)| *n > 0)
    .map(|(n, z, one, many)| {
        if zh {
            format!("{z} {n} 条")
        } else {
            count(n, one, many)
        }
    })
    .collect();
    join(&parts, zh)
}

/// Words with the items holding them: `志愿者（17 条）`.
pub fn keywords(words: &[Counted<String>], zh: bool) -> String {
    let parts: Vec<String> = words
        .iter()
        .map(|k| {
            if zh {
                format!("{}（{} 条）", k.key, k.count())
            } else {
                format!("{} ({})", k.key, count(k.count(), "item", "items"))
            }
        })
        .collect();
    join(&parts, zh)
}
