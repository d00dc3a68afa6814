//! An LLM's chapter answer into blocks: parse; if that fails, repair locally (code fences,
//! `<think>` sections, prose around the JSON, trailing commas, control characters, unbalanced
//! brackets) and parse again; then validate against the sources. Says what it repaired.
//!
//! The answer asked for is `{"title"?: string, "blocks": [Block…]}`; a bare array of blocks is
//! taken too. Repairs happen in three layers, each recorded by name in
//! [`Repaired::repairs`]:
//!
//! 1. **Text** (`syntax`): `think`, `fence`, `prose`, `trailing_comma`,
//!    `control_character`, `truncated`, tried in that order until the text parses.
//! 2. **Content**: cite numbers that name no source are dropped (`cites_dropped`), and so are
//!    chart cite lists that are not one per label (`chart_cites_dropped`); headings at levels
//!    other than 3–4 are moved to the nearest (`heading_level`). A quote of a source that does
//!    not exist is dropped whole (`block_dropped: …`), since a quote must be someone's.
//! 3. **Blocks**: a block that does not read as a block, or is invalid once the above is
//!    done, is dropped and named (`block_dropped: block 3 (chart): …`), as long as at most
//!    half the blocks go; beyond that the answer is [`ChapterError::Invalid`], because a
//!    chapter that lost most of itself is not the chapter that was asked for.
//!
//! Last, a chapter must say enough to be worth a place in the report ([`MIN_ZH_CHARS`],
//! [`MIN_EN_WORDS`]); otherwise it is [`ChapterError::Thin`] and the caller retries.

mod syntax;

use serde_json::Value;

use crate::document::{Block, Language, Span};
use crate::validate;

/// A chapter's blocks read from an answer, and the repairs it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    pub blocks: Vec<Block>,
    /// What was fixed (`fence`, `think`, `trailing_comma`…); empty when it parsed as it was.
    pub repairs: Vec<String>,
}

/// Why an answer gave no chapter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChapterError {
    #[error("no JSON could be read: {0}")]
    Unreadable(String),
    #[error("the chapter is invalid: {0}")]
    Invalid(String),
    #[error("the chapter is too thin: {0}")]
    Thin(String),
}

/// The longest answer read: a chapter of [`validate::MAX_BLOCKS`] full blocks is far less,
/// and the repairs scan the text several times.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The fewest letters and digits (each Han character one) a Chinese chapter must hold: about
/// three sentences, enough for a finding and its grounds. Headings do not count.
pub const MIN_ZH_CHARS: usize = 120;

/// The fewest words an English chapter must hold: about three sentences, as for Chinese
/// (an English word carries roughly what two Han characters do). Headings do not count.
pub const MIN_EN_WORDS: usize = 60;

/// The blocks of a chapter answer that may cite sources `1..=sources`.
///
/// Errors: [`ChapterError::Unreadable`] when no JSON can be read even after repair,
/// [`ChapterError::Invalid`] when the JSON is not a chapter (wrong shape, too many blocks,
/// most blocks unusable), [`ChapterError::Thin`] when what remains says too little.
pub fn parse_chapter(
    raw: &str,
    sources: usize,
    language: Language,
) -> Result<Repaired, ChapterError> {
    if raw.len() > MAX_ANSWER_BYTES {
        return Err(ChapterError::Unreadable(format!(
            "the answer is {} bytes, more than {MAX_ANSWER_BYTES}",
            raw.len()
        )));
    }
    let mut repairs = Vec::new();
    let mut text = raw.to_owned();
    let mut answer = read_answer(&text);
    for (name, repair) in syntax::REPAIRS {
        if answer.is_ok() {
            break;
        }
        if let Some(repaired) = repair(&text) {
            repairs.push(name.to_owned());
            text = repaired;
            answer = read_answer(&text);
        }
    }
    let values = answer?;
    let blocks = read_blocks(values, sources, &mut repairs)?;
    check_density(&blocks, language)?;
    Ok(Repaired { blocks, repairs })
}

/// The answer's block values: the `blocks` of an object, or a bare array.
fn read_answer(text: &str) -> Result<Vec<Value>, ChapterError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ChapterError::Unreadable(e.to_string()))?;
    match value {
        Value::Array(blocks) => Ok(blocks),
        Value::Object(mut fields) => match fields.remove("blocks") {
            Some(Value::Array(blocks)) => Ok(blocks),
            Some(_) => Err(ChapterError::Invalid("`blocks` is not an array".to_owned())),
            None => Err(ChapterError::Invalid(
                "the object has no `blocks` array".to_owned(),
            )),
        },
        _ => Err(ChapterError::Invalid(
            "expected {\"blocks\": [...]} or an array of blocks".to_owned(),
        )),
    }
}

/// Typed, repaired and validated blocks, by the rules in this module's doc.
fn read_blocks(
    values: Vec<Value>,
    sources: usize,
    repairs: &mut Vec<String>,
) -> Result<Vec<Block>, ChapterError> {
    if values.len() > validate::MAX_BLOCKS {
        return Err(ChapterError::Invalid(format!(
            "{} blocks, more than {}",
            values.len(),
            validate::MAX_BLOCKS
        )));
    }
    let total = values.len();
    let mut dropped = Vec::new();
    let mut kept = Vec::with_capacity(total);
    let mut fixes = ContentFixes::default();
    for (i, value) in values.into_iter().enumerate() {
        let place = i + 1;
        let mut block = match serde_json::from_value::<Block>(value) {
            Ok(block) => block,
            Err(e) => {
                dropped.push(format!("block {place}: {e}"));
                continue;
            }
        };
        fixes.apply(&mut block, sources);
        let problems = validate::block(&block, sources);
        if problems.is_empty() {
            kept.push(block);
        } else {
            dropped.push(format!(
                "block {place} ({}): {}",
                validate::kind_name(&block),
                problems.join("; ")
            ));
        }
    }
    if dropped.len() * 2 > total {
        return Err(ChapterError::Invalid(format!(
            "{} of {total} blocks are unusable: {}",
            dropped.len(),
            dropped.join(" | ")
        )));
    }
    repairs.extend(fixes.names());
    repairs.extend(
        dropped
            .into_iter()
            .map(|why| format!("block_dropped: {why}")),
    );
    Ok(kept)
}

/// The content repairs made so far, recorded once each.
#[derive(Debug, Default)]
struct ContentFixes {
    cites_dropped: bool,
    chart_cites_dropped: bool,
    heading_level: bool,
}

impl ContentFixes {
    fn apply(&mut self, block: &mut Block, sources: usize) {
        match block {
            Block::Heading { level, .. } => {
                let fitted = (*level).clamp(3, 4);
                if fitted != *level {
                    *level = fitted;
                    self.heading_level = true;
                }
            }
            Block::Paragraph { spans } | Block::Callout { spans, .. } => {
                self.spans(spans, sources);
            }
            Block::List { items, .. } => items.iter_mut().for_each(|s| self.spans(s, sources)),
            Block::Table { rows, .. } => rows.iter_mut().for_each(|s| self.spans(s, sources)),
            Block::Kpis { cards } => {
                for card in cards {
                    self.cites(&mut card.cites, sources);
                }
            }
            Block::Chart(chart) => {
                if !chart.cites.is_empty() && chart.cites.len() != chart.labels.len() {
                    chart.cites.clear();
                    self.chart_cites_dropped = true;
                }
                for cites in &mut chart.cites {
                    self.cites(cites, sources);
                }
            }
            // A quote's source is not dropped but judged: validation rejects the block.
            Block::Quote { .. } => {}
        }
    }

    fn spans(&mut self, spans: &mut [Span], sources: usize) {
        for span in spans {
            self.cites(&mut span.cites, sources);
        }
    }

    fn cites(&mut self, cites: &mut Vec<u32>, sources: usize) {
        let before = cites.len();
        cites.retain(|&n| validate::cites_a_source(n, sources));
        self.cites_dropped |= cites.len() != before;
    }

    fn names(&self) -> impl Iterator<Item = String> {
        [
            (self.cites_dropped, "cites_dropped"),
            (self.chart_cites_dropped, "chart_cites_dropped"),
            (self.heading_level, "heading_level"),
        ]
        .into_iter()
        .filter(|(done, _)| *done)
        .map(|(_, name)| name.to_owned())
    }
}

/// Refuses a chapter that says too little; see [`MIN_ZH_CHARS`] and [`MIN_EN_WORDS`].
fn check_density(blocks: &[Block], language: Language) -> Result<(), ChapterError> {
    if blocks.is_empty() {
        return Err(ChapterError::Thin("no blocks".to_owned()));
    }
    let mut texts = Vec::new();
    for block in blocks {
        body_texts(block, &mut texts);
    }
    match language {
        Language::Zh => {
            let chars: usize = texts
                .iter()
                .map(|t| t.chars().filter(|c| c.is_alphanumeric()).count())
                .sum();
            if chars < MIN_ZH_CHARS {
                return Err(ChapterError::Thin(format!(
                    "{chars} characters of text, fewer than {MIN_ZH_CHARS}"
                )));
            }
        }
        Language::En => {
            let words: usize = texts.iter().map(|t| word_count(t)).sum();
            if words < MIN_EN_WORDS {
                return Err(ChapterError::Thin(format!(
                    "{words} words of text, fewer than {MIN_EN_WORDS}"
                )));
            }
        }
    }
    Ok(())
}

/// Words: runs of letters or digits between spaces, each Han character counted as one (an
/// English report may name a Chinese brand).
fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .map(|w| {
            let han = w.chars().filter(|&c| storage::terms::is_cjk(c)).count();
            let other = w
                .chars()
                .any(|c| c.is_alphanumeric() && !storage::terms::is_cjk(c));
            han + usize::from(other)
        })
        .sum()
}

/// The text a block says (headings excluded: a title says nothing by itself).
fn body_texts<'a>(block: &'a Block, out: &mut Vec<&'a str>) {
    let spans = |spans: &'a [Span], out: &mut Vec<&'a str>| {
        out.extend(spans.iter().map(|s| s.text.as_str()));
    };
    match block {
        Block::Heading { .. } => {}
        Block::Paragraph { spans: s } => spans(s, out),
        Block::Callout {
            title, spans: s, ..
        } => {
            out.extend(title.as_deref());
            spans(s, out);
        }
        Block::List { items, .. } => items.iter().for_each(|s| spans(s, out)),
        Block::Table {
            caption,
            columns,
            rows,
        } => {
            out.extend(caption.as_deref());
            out.extend(columns.iter().map(String::as_str));
            rows.iter().for_each(|s| spans(s, out));
        }
        Block::Quote { text, .. } => out.push(text),
        Block::Kpis { cards } => {
            for card in cards {
                out.push(&card.label);
                out.push(&card.value);
                out.extend(card.note.as_deref());
            }
        }
        Block::Chart(chart) => {
            out.push(&chart.title);
            out.extend(chart.labels.iter().map(String::as_str));
        }
    }
}

#[cfg(test)]
mod tests;
