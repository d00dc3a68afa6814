//! What others said, digested: the Engines chapter (each engine's paragraphs), the Forum
//! chapter (the host's latest conclusions and each agent's latest point, by speaker), and
//! General chapters (the engines' paragraphs that speak to the chapter's words, and posts
//! that do).
//!
//! Their sentences with numbers are left out: an engine's or the host's figures were counted on
//! its own search results, at its own time, and would contradict the evidence set's (the old
//! reports said 36 in one place and 48 in another). So are sentences quoting posts, which the
//! quote chapters quote from the evidence with their sources. Platform codes in what is kept
//! are spelled as everywhere else (`wb` → `微博`).

use std::collections::HashSet;

use super::figures::paragraph;
use super::prose::Prose;
use super::sources::excerpt;
use super::summary::sentences;
use super::{QuoteBook, WriterInput};
use crate::document::{Block, Span};
use crate::templates::ChapterPlan;

/// At most this many characters of one paragraph's or message's digest.
const DIGEST_CHARS: usize = 180;

/// At most this many of the host's messages, latest first.
const HOST_MESSAGES: usize = 2;

/// At most this many posts quoted in a General chapter.
const GENERAL_QUOTES: usize = 2;

/// Whether a sentence states a figure (any digit, ASCII or full-width).
fn has_number(sentence: &str) -> bool {
    sentence
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

/// Whether a sentence quotes someone (its quotes would be unsourced repeats).
fn quotes_someone(sentence: &str) -> bool {
    sentence.contains(['「', '“', '『', '"'])
}

/// `wb` → `微博`: ASCII words that are platform codes, spelled as the report spells them.
fn respell_platforms(text: &str, prose: Prose) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            let lowered = word.to_ascii_lowercase();
            if text_analysis::platform::is_platform_name(&lowered) {
                out.push_str(&prose.platform(&text_analysis::platform::canonical(&lowered)));
            } else {
                out.push_str(word);
            }
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The sentences of `text` without figures or quotes, up to [`DIGEST_CHARS`], platforms
/// respelled; empty when nothing is left.
pub(crate) fn digest(text: &str, prose: Prose) -> String {
    // Tags like 【主持人小结】 name the message's kind, which the chapter already says.
    let text = text.trim_start();
    let text = match text
        .strip_prefix('【')
        .and_then(|rest| rest.split_once('】'))
    {
        Some((_, rest)) => rest,
        None => text,
    };
    let mut out = String::new();
    for sentence in text_analysis::excerpt::split(text) {
        if has_number(sentence) || quotes_someone(sentence) {
            continue;
        }
        let added = out.chars().count() + sentence.chars().count();
        if !out.is_empty() && added > DIGEST_CHARS {
            break;
        }
        // Sentences of a Chinese text run on; English ones (or any after an ASCII stop) get a space.
        if out.ends_with(|c: char| c.is_ascii_punctuation()) {
            out.push(' ');
        }
        out.push_str(sentence);
    }
    let out = excerpt(&out, DIGEST_CHARS);
    respell_platforms(&out, prose)
}

/// A list item: the speaker or title in bold, then what they said.
fn attributed(who: String, said: String, prose: Prose) -> Vec<Span> {
    let mut lead = Span::text(format!("{who}{}", prose.pick("：", ": ")));
    lead.strong = true;
    vec![lead, Span::text(said)]
}

/// What each engine reported, paragraph by paragraph, figures left out.
pub(super) fn engines(input: &WriterInput<'_>) -> Vec<Block> {
    let p = Prose::of(input.language);
    if input.engines.is_empty() {
        return vec![paragraph(vec![Span::text(p.pick(
            "本次分析没有可用的引擎报告。",
            "No engine report was available for this analysis.",
        ))])];
    }
    let mut blocks = vec![paragraph(vec![Span::text(p.pick(
        "以下是各引擎报告的要点，用它们自己的话概括；其中的数字不再重复，因为本报告的每个数字都只从证据集计算一次，见前面各章。",
        "What each engine reported, in its own words. Their figures are left out: every figure in this report is computed once from the evidence set, in the chapters above.",
    ))])];
    for engine in input.engines {
        let name = p.engine(&engine.engine);
        let title = respell_platforms(engine.title.trim(), p);
        blocks.push(Block::Heading {
            level: 3,
            text: if title.is_empty() {
                name
            } else if p.zh {
                format!("{name}：{title}")
            } else {
                format!("{name}: {title}")
            },
        });
        let items: Vec<Vec<Span>> = engine
            .paragraphs
            .iter()
            .filter(|(title, _)| !title.trim().is_empty())
            .map(|(title, summary)| {
                let said = digest(summary, p);
                let said = if said.is_empty() {
                    p.pick(
                        "（本段只有数字，见前面各章。）",
                        "(figures only; see the chapters above.)",
                    )
                    .to_owned()
                } else {
                    said
                };
                attributed(respell_platforms(title.trim(), p), said, p)
            })
            .collect();
        if items.is_empty() {
            blocks.push(paragraph(vec![Span::text(p.pick(
                "该引擎的报告没有段落。",
                "This engine's report has no paragraphs.",
            ))]));
        } else {
            blocks.push(Block::List {
                ordered: false,
                items,
            });
        }
    }
    blocks
}

/// The host's latest conclusions, then each agent's latest point, attributed by speaker.
pub(super) fn forum(input: &WriterInput<'_>) -> Vec<Block> {
    let p = Prose::of(input.language);
    let said: Vec<(String, String)> = input
        .forum
        .iter()
        .filter(|line| !line.speaker.eq_ignore_ascii_case("system"))
        .map(|line| (line.speaker.to_ascii_uppercase(), digest(&line.content, p)))
        .filter(|(_, digest)| !digest.is_empty())
        .collect();
    if said.is_empty() {
        let text = if input.forum.is_empty() {
            p.pick(
                "本次分析的论坛没有讨论记录。",
                "The forum held no discussion for this analysis.",
            )
        } else {
            p.pick(
                "论坛的发言都是数字或引文，本报告改从证据集统计和引用。",
                "The forum's messages were all figures or quotes, which this report takes from the evidence set instead.",
            )
        };
        return vec![paragraph(vec![Span::text(text)])];
    }
    let mut blocks = Vec::new();
    let host: Vec<&(String, String)> = said
        .iter()
        .rev()
        .filter(|(speaker, _)| speaker == "HOST")
        .take(HOST_MESSAGES)
        .collect();
    if !host.is_empty() {
        blocks.push(Block::Heading {
            level: 3,
            text: p.pick("主持人的结论", "The host's conclusions").to_owned(),
        });
        for (_, text) in host.into_iter().rev() {
            blocks.push(paragraph(attributed(p.engine("host"), text.clone(), p)));
        }
    }
    let mut speakers: Vec<&str> = Vec::new();
    for (speaker, _) in &said {
        if speaker != "HOST" && !speakers.contains(&speaker.as_str()) {
            speakers.push(speaker);
        }
    }
    let points: Vec<Vec<Span>> = speakers
        .iter()
        .filter_map(|speaker| {
            let (_, text) = said.iter().rev().find(|(s, _)| s == speaker)?;
            Some(attributed(p.engine(speaker), text.clone(), p))
        })
        .collect();
    if !points.is_empty() {
        blocks.push(Block::Heading {
            level: 3,
            text: p
                .pick("各方的最新观点", "Each agent's latest point")
                .to_owned(),
        });
        blocks.push(Block::List {
            ordered: false,
            items: points,
        });
    }
    blocks
}

/// The words a chapter is about: its title's and intent's, as keywords are kept.
fn plan_words(plan: &ChapterPlan) -> HashSet<String> {
    text_analysis::tokens(&format!("{} {}", plan.title, plan.intent))
        .into_iter()
        .filter(|w| text_analysis::summary::keep(w))
        .collect()
}

/// The engines' paragraphs whose title or summary shares words with the chapter's, and
/// posts that do, quoted once.
pub(super) fn general(
    input: &WriterInput<'_>,
    plan: &ChapterPlan,
    book: &mut QuoteBook,
) -> Vec<Block> {
    let p = Prose::of(input.language);
    let words = plan_words(plan);
    let shares_words = |text: &str| {
        text_analysis::tokens(text)
            .iter()
            .any(|t| words.contains(t.as_str()))
    };
    let mut blocks = Vec::new();
    let paragraphs: Vec<Vec<Span>> = input
        .engines
        .iter()
        .flat_map(|e| e.paragraphs.iter().map(move |para| (e, para)))
        .filter(|(_, (title, summary))| shares_words(title) || shares_words(summary))
        .filter_map(|(engine, (title, summary))| {
            let said = digest(summary, p);
            if said.is_empty() {
                return None;
            }
            let who = if p.zh {
                format!(
                    "{}（{}）",
                    p.engine(&engine.engine),
                    respell_platforms(title.trim(), p)
                )
            } else {
                format!(
                    "{} ({})",
                    p.engine(&engine.engine),
                    respell_platforms(title.trim(), p)
                )
            };
            Some(attributed(who, said, p))
        })
        .collect();
    if !paragraphs.is_empty() {
        blocks.push(Block::List {
            ordered: false,
            items: paragraphs,
        });
    }

    let matching: Vec<(f64, usize)> = input
        .evidence
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| shares_words(&text_analysis::titled(item.title.as_deref(), &item.text)))
        .map(|(i, _)| (super::voices::reach(input, i), i))
        .collect();
    let chosen = super::voices::pick(input, book, &matching, GENERAL_QUOTES, true);
    blocks.extend(super::voices::quote_blocks(chosen));

    if blocks.is_empty() {
        let text = if p.zh {
            format!(
                "引擎报告和证据中都没有直接谈到「{}」的内容；前面各章的数字就是证据所能说明的全部。",
                plan.title
            )
        } else {
            format!(
                "Neither the engines' reports nor the evidence speak to “{}” directly; the figures in the other chapters are what the evidence shows.",
                plan.title
            )
        };
        return vec![paragraph(vec![Span::text(text)])];
    }
    let lead = p.pick(
        "与本章主题相关的引擎结论和原话（数字已略去）：",
        "What the engines concluded and posts said on this chapter's subject (figures left out):",
    );
    let mut out = vec![paragraph(sentences(p, [vec![Span::text(lead)]]))];
    out.extend(blocks);
    out
}
