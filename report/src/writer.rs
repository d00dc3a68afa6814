//! The built-in writer: chapters composed from an analysis's evidence set and its figures, the
//! engines' reports and the forum, without an LLM — readable prose in the report's language,
//! each quote used once in the whole report, whole sentences, platforms spelled one way,
//! scales explained, and every number and quote citing its sources.
//!
//! Every number a chapter shows is read from [`WriterInput::stats`] and worded by one function
//! in [`figures`] (percentages there add up to 100), so the Summary's "25%" is the Sentiment
//! chapter's and the Outlook's. The engines' and the forum's own sentences are digested with
//! their numbers left out ([`digest`]): theirs were counted on other material at other times.
//!
//! Layout, one file per concern:
//! - [`prose`]: wording in both languages (plurals, lists, numbers);
//! - [`figures`]: the figures of the stats as shared phrases and spans, and the cites;
//! - [`sources`]: the numbered sources and their excerpts;
//! - [`summary`] (Summary, Overview), [`volume`] (Timeline, Platforms), [`tone`]
//!   (Sentiment), [`words`] (Focus, TopPosts), [`voices`] (Voices, Complaints, Support: the
//!   quotes), [`digest`] (Engines, Forum, General), [`outlook`] (Outlook, Method);
//! - [`write_chapter`] picks by the plan's [`Angle`]; [`assemble`] makes the document.
//!
//! Start with [`write_chapter`].

pub(crate) mod digest;
pub(crate) mod figures;
mod outlook;
pub(crate) mod prose;
pub(crate) mod sources;
mod summary;
mod tone;
mod voices;
mod volume;
mod words;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use text_analysis::evidence::{EvidenceSet, EvidenceStats};

use crate::document::{Block, Chapter, ChapterOrigin, Document, Language, SourceRef, Span, Tone};
use crate::templates::{Angle, ChapterPlan, Template};

pub use figures::scale_explanation;
pub use sources::excerpt;

/// One engine's report, as the writer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineSummary {
    /// `query`, `media`, `insight`.
    pub engine: String,
    pub title: String,
    /// Each paragraph's title and summary.
    pub paragraphs: Vec<(String, String)>,
}

/// One forum message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForumLine {
    /// `QUERY`, `MEDIA`, `INSIGHT`, `HOST`.
    pub speaker: String,
    pub content: String,
}

/// Everything a report is written from.
#[derive(Debug, Clone, Copy)]
pub struct WriterInput<'a> {
    pub query: &'a str,
    pub language: Language,
    pub evidence: &'a EvidenceSet,
    pub stats: &'a EvidenceStats,
    pub engines: &'a [EngineSummary],
    pub forum: &'a [ForumLine],
    /// Epoch milliseconds.
    pub generated_at: i64,
}

/// The evidence items already quoted in this report (indexes into the set), so each is quoted
/// once; kept with a task's finished chapters so a resumed task goes on without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteBook {
    pub used: BTreeSet<usize>,
}

impl QuoteBook {
    /// Whether item `index` has been quoted.
    pub fn is_quoted(&self, index: usize) -> bool {
        self.used.contains(&index)
    }

    /// Records that item `index` is quoted.
    pub fn record(&mut self, index: usize) {
        self.used.insert(index);
    }

    /// Records every item a chapter's `Quote` blocks quote (source `n` is item `n - 1`): how
    /// a chapter an LLM wrote is entered, so the chapters after it do not quote its posts.
    pub fn record_blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            if let Block::Quote { source, .. } = block {
                if let Some(index) = (*source as usize).checked_sub(1) {
                    self.record(index);
                }
            }
        }
    }
}

/// Every item of the evidence set as a numbered source.
pub fn sources(input: &WriterInput<'_>) -> Vec<SourceRef> {
    sources::all(input)
}

/// A chapter written from the evidence, quoting only items `quotes` has not used (and
/// recording those it quotes).
pub fn write_chapter(
    input: &WriterInput<'_>,
    plan: &ChapterPlan,
    quotes: &mut QuoteBook,
) -> Chapter {
    let blocks = match plan.angle {
        Angle::Summary => summary::summary(input),
        Angle::Overview => summary::overview(input),
        Angle::Timeline => volume::timeline(input),
        Angle::Platforms => volume::platforms(input),
        Angle::Sentiment => tone::sentiment(input),
        Angle::Voices => voices::voices(input, quotes),
        Angle::Complaints => voices::complaints(input, quotes),
        Angle::Support => voices::support(input, quotes),
        Angle::Focus => words::focus(input),
        Angle::TopPosts => words::top_posts(input),
        Angle::Engines => digest::engines(input),
        Angle::Forum => digest::forum(input),
        Angle::Outlook => outlook::outlook(input),
        Angle::Method => outlook::method(input),
        Angle::General => digest::general(input, plan, quotes),
    };
    Chapter {
        id: plan.id.clone(),
        title: plan.title.clone(),
        blocks,
        origin: ChapterOrigin::Builtin,
    }
}

/// A chapter saying that no usable chapter came, and why.
pub fn placeholder(plan: &ChapterPlan, why: &str, language: Language) -> Chapter {
    let zh = language == Language::Zh;
    let (title, text) = if zh {
        (
            "本章未能生成",
            format!(
                "「{}」一章没有得到可用的内容：{why}。其余各章不受影响。",
                plan.title
            ),
        )
    } else {
        (
            "This chapter could not be written",
            format!(
                "No usable text came for the chapter “{}”: {why}. The other chapters are not affected.",
                plan.title
            ),
        )
    };
    Chapter {
        id: plan.id.clone(),
        title: plan.title.clone(),
        blocks: vec![Block::Callout {
            tone: Tone::Warning,
            title: Some(title.to_owned()),
            spans: vec![Span::text(text)],
        }],
        origin: ChapterOrigin::Placeholder {
            why: why.to_owned(),
        },
    }
}

/// The whole document: title, the chapters in order, every source, and the notes (scales,
/// how many items were counted and read, the time zone).
pub fn assemble(input: &WriterInput<'_>, template: &Template, chapters: Vec<Chapter>) -> Document {
    let prose = prose::Prose::of(input.language);
    let title = if prose.zh {
        format!("{}：{}", template.title, input.query)
    } else {
        format!("{}: {}", template.title, input.query)
    };
    Document {
        title,
        subtitle: Some(figures::subtitle(input)),
        language: input.language,
        query: input.query.to_owned(),
        template: template.kind.id().to_owned(),
        generated_at: input.generated_at,
        time_zone: input.stats.time_zone.clone(),
        chapters,
        sources: sources(input),
        notes: figures::notes(input),
    }
}
