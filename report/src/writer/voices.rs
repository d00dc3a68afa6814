//! The quotes: Voices (representative posts across platforms and leanings), Complaints (from
//! negative items) and Support (from positive ones). Each quote is whole sentences of one item,
//! and the [`QuoteBook`] makes sure no item is quoted twice in the whole report — the old
//! reports quoted the same two or three posts in nearly every section.

use std::collections::HashSet;

use text_analysis::sentiment::Leaning;

use super::figures::{self, cites, paragraph, Figures};
use super::sources::{self, excerpt, QUOTE_CHARS};
use super::summary::sentences;
use super::{QuoteBook, WriterInput};
use crate::document::{Block, Span};

/// How many quotes the Voices chapter gives.
const VOICES: usize = 4;

/// How many quotes the Complaints and Support chapters give.
const SIDE_QUOTES: usize = 3;

/// A quote shorter than this (in characters) says too little to stand alone (`好！`).
const MIN_QUOTE_CHARS: usize = 6;

/// How many keywords name what one side keeps raising.
const SIDE_KEYWORDS: usize = 3;

/// The quote of item `i`: whole sentences, on one line.
fn quote_text(input: &WriterInput<'_>, i: usize) -> Option<String> {
    let item = input.evidence.items.get(i)?;
    let text = excerpt(sources::body(item), QUOTE_CHARS);
    (text.chars().count() >= MIN_QUOTE_CHARS).then_some(text)
}

/// The start of a quote, to tell reposts of one text apart from different posts.
fn opening(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .take(16)
        .collect()
}

/// Picks up to `n` items from `ranked` (best first) that the book has not quoted, that say
/// enough, and that do not repeat a quoted text; records them; returns them with their quotes.
/// With `diverse`, a later pick from a platform or leaning already picked counts for less.
pub(super) fn pick(
    input: &WriterInput<'_>,
    book: &mut QuoteBook,
    ranked: &[(f64, usize)],
    n: usize,
    diverse: bool,
) -> Vec<(usize, String)> {
    let mut openings: HashSet<String> = book
        .used
        .iter()
        .filter_map(|&i| quote_text(input, i))
        .map(|t| opening(&t))
        .collect();
    let mut candidates: Vec<(f64, usize, String)> = ranked
        .iter()
        .filter(|(_, i)| !book.is_quoted(*i))
        .filter_map(|&(score, i)| Some((score, i, quote_text(input, i)?)))
        .collect();
    let mut chosen: Vec<(usize, String)> = Vec::new();
    let mut platforms: HashSet<String> = HashSet::new();
    let mut leanings: HashSet<Leaning> = HashSet::new();
    while chosen.len() < n && !candidates.is_empty() {
        let items = &input.evidence.items;
        let weigh = |score: f64, i: usize| {
            let Some(item) = items.get(i) else {
                return score;
            };
            let mut score = score;
            if diverse && platforms.contains(&item.platform) {
                score *= 0.5;
            }
            if diverse && leanings.contains(&item.leaning) {
                score *= 0.7;
            }
            score
        };
        let best = (0..candidates.len()).max_by(|&a, &b| {
            let (sa, ia, _) = &candidates[a];
            let (sb, ib, _) = &candidates[b];
            weigh(*sa, *ia).total_cmp(&weigh(*sb, *ib)).then(ib.cmp(ia))
        });
        let Some(best) = best else { break };
        let (_, i, text) = candidates.swap_remove(best);
        if !openings.insert(opening(&text)) {
            continue;
        }
        if let Some(item) = input.evidence.items.get(i) {
            platforms.insert(item.platform.clone());
            leanings.insert(item.leaning);
        }
        book.record(i);
        chosen.push((i, text));
    }
    chosen
}

pub(super) fn quote_blocks(chosen: Vec<(usize, String)>) -> Vec<Block> {
    chosen
        .into_iter()
        .filter_map(|(i, text)| {
            Some(Block::Quote {
                text,
                source: u32::try_from(i + 1).ok()?,
            })
        })
        .collect()
}

/// An item's reach, for ranking: grows with engagement, slowly.
pub(super) fn reach(input: &WriterInput<'_>, i: usize) -> f64 {
    let engagement = input
        .evidence
        .items
        .get(i)
        .map_or(0, |item| item.engagement());
    ((engagement.max(0) + 2) as f64).ln()
}

/// Representative posts: those holding the most recurring words and reaching the most
/// people, spread across platforms and leanings.
pub(super) fn voices(input: &WriterInput<'_>, book: &mut QuoteBook) -> Vec<Block> {
    if input.stats.total == 0 {
        return figures::nothing_found(input);
    }
    let p = Figures::of(input).prose;
    let mut keyword_hits = vec![0usize; input.stats.total];
    for k in &input.stats.keywords {
        for &i in &k.items {
            if let Some(hits) = keyword_hits.get_mut(i) {
                *hits += 1;
            }
        }
    }
    let ranked: Vec<(f64, usize)> = (0..input.stats.total)
        .map(|i| ((1 + keyword_hits[i]) as f64 * reach(input, i), i))
        .collect();
    let chosen = pick(input, book, &ranked, VOICES, true);
    if chosen.is_empty() {
        let text = p.pick(
            "可引用的内容都已在前面的章节中引用过，这里不再重复。",
            "Every item worth quoting is already quoted in an earlier chapter, so none is repeated here.",
        );
        return vec![paragraph(vec![Span::text(text)])];
    }
    let intro = p.pick(
        "以下原话按与高频词的相关程度和传播范围挑选，尽量覆盖不同平台与立场；每条内容在本报告中只引用一次。",
        "These posts were chosen for how much they touch the recurring words and how far they reached, across platforms and leanings; no item is quoted twice in this report.",
    );
    let mut blocks = vec![paragraph(vec![Span::text(intro)])];
    blocks.extend(quote_blocks(chosen));
    blocks
}

/// Complaints: what the negative items say.
pub(super) fn complaints(input: &WriterInput<'_>, book: &mut QuoteBook) -> Vec<Block> {
    side(input, book, Leaning::Negative)
}

/// Support: what the positive items say.
pub(super) fn support(input: &WriterInput<'_>, book: &mut QuoteBook) -> Vec<Block> {
    side(input, book, Leaning::Positive)
}

/// The recurring words among `group` (the keywords holding any of its items), most of the
/// group first, with the group's items holding each; at most `n`.
pub(super) fn keywords_among(
    input: &WriterInput<'_>,
    group: &[usize],
    n: usize,
) -> Vec<(String, Vec<usize>)> {
    let members: HashSet<usize> = group.iter().copied().collect();
    let mut words: Vec<(String, Vec<usize>)> = input
        .stats
        .keywords
        .iter()
        .map(|k| {
            let held: Vec<usize> = k
                .items
                .iter()
                .copied()
                .filter(|i| members.contains(i))
                .collect();
            (k.key.clone(), held)
        })
        .filter(|(_, held)| held.len() >= 2 || (group.len() < 5 && !held.is_empty()))
        .collect();
    // Stable: among equals, the overall ranking of the keywords stands.
    words.sort_by_key(|(_, held)| std::cmp::Reverse(held.len()));
    words.truncate(n);
    words
}

fn side(input: &WriterInput<'_>, book: &mut QuoteBook, leaning: Leaning) -> Vec<Block> {
    let stats = input.stats;
    if stats.total == 0 {
        return figures::nothing_found(input);
    }
    let f = Figures::of(input);
    let p = f.prose;
    let (group, which) = match leaning {
        Leaning::Negative => (&stats.sentiment.negative, 2),
        _ => (&stats.sentiment.positive, 0),
    };
    let name = p.leaning(leaning);
    if group.is_empty() {
        let text = if p.zh {
            format!(
                "{} 条内容中没有按情感词典判为{name}的，因此这里没有可引用的{name}声音。",
                stats.total
            )
        } else if stats.total == 1 {
            format!("The only item does not lean {name} on the lexicon's scale, so there is nothing to quote here.")
        } else {
            format!(
                "None of the {} leans {name} on the lexicon's scale, so there is nothing to quote here.",
                p.items(stats.total)
            )
        };
        return vec![paragraph(vec![Span::text(text)])];
    }

    let [positive, _, negative] = f.sentiment_shares();
    let share = if which == 2 {
        negative.text
    } else {
        positive.text
    };
    let n = group.len();
    let count = if p.zh {
        format!("{} 条内容中有 {n} 条为{name}，占 {share}。", stats.total)
    } else {
        format!(
            "{n} of the {} ({share}) {} {name}.",
            p.items(stats.total),
            if n == 1 { "leans" } else { "lean" }
        )
    };
    let mut parts = vec![vec![Span::cited(count, cites(group))]];
    let words = keywords_among(input, group, SIDE_KEYWORDS);
    if !words.is_empty() {
        let mut spans = vec![Span::text(
            p.pick("其中反复出现的词有", "Words that recur among them: "),
        )];
        spans.extend(
            p.list_spans(
                words
                    .into_iter()
                    .map(|(word, held)| Span::cited(word, cites(&held)))
                    .collect(),
            ),
        );
        spans.push(Span::text(p.pick("。", ".")));
        parts.push(spans);
    }

    let items = &input.evidence.items;
    let mut ranked: Vec<(f64, usize)> = group
        .iter()
        .filter_map(|&i| {
            let item = items.get(i)?;
            // Most engaged first; among equals, the strongest feeling.
            let strength = f64::from(item.sentiment.abs());
            Some((reach(input, i) + strength / 10.0, i))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let chosen = pick(input, book, &ranked, SIDE_QUOTES, false);
    if chosen.is_empty() {
        parts.push(vec![Span::text(p.pick(
            "这些内容已在前面的章节中引用过，或过短而不宜单独引用。",
            "They are already quoted in earlier chapters, or too short to quote alone.",
        ))]);
        return vec![paragraph(sentences(p, parts))];
    }
    parts.push(vec![Span::text(if p.zh {
        "其中传播最广的说法：".to_owned()
    } else if chosen.len() == 1 {
        "The most engaged of them says:".to_owned()
    } else {
        "The most engaged of them say:".to_owned()
    })]);
    let mut blocks = vec![paragraph(sentences(p, parts))];
    blocks.extend(quote_blocks(chosen));
    blocks
}
