//! Quotes: each item at most once in the whole report, whole sentences, never cut inside a
//! hashtag, from the side a chapter is about.

use std::collections::HashSet;

use text_analysis::sentiment::Leaning;

use super::fixture;
use super::*;
use crate::document::{Block, Language};

fn quotes(chapter: &Chapter) -> Vec<(u32, &str)> {
    chapter
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Quote { text, source } => Some((*source, text.as_str())),
            _ => None,
        })
        .collect()
}

#[test]
fn no_item_is_quoted_twice_in_the_whole_report() {
    let set = fixture::marathon();
    let stats = fixture::stats(&set);
    let engines = fixture::engines();
    let forum = fixture::forum();
    for language in [Language::Zh, Language::En] {
        let input = fixture::input(&set, &stats, &engines, &forum, language);
        let doc = write_all(&input);
        let all: Vec<(u32, &str)> = doc.chapters.iter().flat_map(quotes).collect();
        assert!(all.len() >= 8, "only {} quotes", all.len());
        let mut sources = HashSet::new();
        let mut texts = HashSet::new();
        for (source, text) in &all {
            assert!(sources.insert(*source), "source {source} quoted twice");
            // Item 15 reposts item 8's text: quoting both would read as a repeat.
            assert!(texts.insert(*text), "“{text}” quoted twice");
        }
    }
}

#[test]
fn quotes_are_whole_sentences_of_their_source() {
    let set = fixture::marathon();
    let stats = fixture::stats(&set);
    let input = fixture::input(&set, &stats, &[], &[], Language::Zh);
    let doc = write_all(&input);
    for chapter in &doc.chapters {
        for (source, text) in quotes(chapter) {
            let item = &set.items[source as usize - 1];
            let kept = text.strip_suffix('…').unwrap_or(text);
            assert!(
                item.text.starts_with(kept),
                "{text} is not the start of {}",
                item.text
            );
            assert_eq!(text.matches('#').count() % 2, 0, "{text} cuts a hashtag");
            if kept.chars().count() < item.text.trim().chars().count() {
                assert!(
                    kept.ends_with(['。', '！', '？', '…']) || text.ends_with('…'),
                    "{text} ends mid-sentence"
                );
            }
        }
    }
}

#[test]
fn long_posts_are_quoted_without_cutting_a_hashtag() {
    let mut set = fixture::marathon();
    let long = format!(
        "{}#滨海马拉松终点拥堵#{}",
        "终点出站排了四十分钟，".repeat(12),
        "组织太混乱了，很失望。"
    );
    for item in set
        .items
        .iter_mut()
        .filter(|i| i.leaning == Leaning::Negative)
    {
        item.text = long.clone();
    }
    let stats = fixture::stats(&set);
    let input = fixture::input(&set, &stats, &[], &[], Language::Zh);
    let mut book = QuoteBook::default();
    let complaints = write_chapter(&input, &plan(Angle::Complaints), &mut book);
    let found = quotes(&complaints);
    assert!(!found.is_empty());
    for (_, text) in found {
        assert_eq!(text.matches('#').count() % 2, 0, "{text}");
        assert!(text.ends_with('…'), "{text}");
    }
}

#[test]
fn complaints_quote_negative_items_and_support_positive_ones() {
    let set = fixture::marathon();
    let stats = fixture::stats(&set);
    let input = fixture::input(&set, &stats, &[], &[], Language::En);
    let mut book = QuoteBook::default();
    for (angle, leaning) in [
        (Angle::Complaints, Leaning::Negative),
        (Angle::Support, Leaning::Positive),
    ] {
        let chapter = write_chapter(&input, &plan(angle), &mut book);
        let found = quotes(&chapter);
        assert!(!found.is_empty(), "{angle:?}");
        for (source, _) in found {
            assert_eq!(set.items[source as usize - 1].leaning, leaning);
        }
    }
}

#[test]
fn the_book_carries_over_between_chapters() {
    let set = fixture::marathon();
    let stats = fixture::stats(&set);
    let input = fixture::input(&set, &stats, &[], &[], Language::Zh);
    let mut book = QuoteBook::default();
    let first = write_chapter(&input, &plan(Angle::Voices), &mut book);
    let second = write_chapter(&input, &plan(Angle::Voices), &mut book);
    let a: HashSet<u32> = quotes(&first).iter().map(|q| q.0).collect();
    let b: HashSet<u32> = quotes(&second).iter().map(|q| q.0).collect();
    assert!(!a.is_empty() && !b.is_empty());
    assert!(a.is_disjoint(&b));
    assert_eq!(book.used.len(), a.len() + b.len());

    // A chapter an LLM wrote enters the book by its quote blocks.
    let mut other = QuoteBook::default();
    other.record_blocks(&first.blocks);
    assert_eq!(other.used, a.iter().map(|n| *n as usize - 1).collect());
}

#[test]
fn a_side_with_nothing_left_says_so() {
    let set = fixture::marathon();
    let stats = fixture::stats(&set);
    let input = fixture::input(&set, &stats, &[], &[], Language::En);
    let mut book = QuoteBook {
        used: (0..set.items.len()).collect(),
    };
    let chapter = write_chapter(&input, &plan(Angle::Complaints), &mut book);
    assert!(quotes(&chapter).is_empty());
    assert!(
        text(&chapter).contains("already quoted"),
        "{}",
        text(&chapter)
    );
    let voices = write_chapter(&input, &plan(Angle::Voices), &mut book);
    assert!(quotes(&voices).is_empty());
    assert!(cited(&voices).is_empty());
}
