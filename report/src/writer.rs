//! The built-in writer: chapters composed from an analysis's evidence set and its figures, the
//! engines' reports and the forum, without an LLM — readable prose in the report's language,
//! each quote used once in the whole report, whole sentences, platforms spelled one way,
//! scales explained, and every number and quote citing its sources.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use text_analysis::evidence::{EvidenceSet, EvidenceStats};

use crate::document::Language;

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

/// Every item of the evidence set as a numbered source.
pub fn sources(input: &WriterInput<'_>) -> Vec<crate::document::SourceRef> {
    let _ = input;
    todo!("H-writer")
}

/// A chapter written from the evidence, quoting only items `quotes` has not used (and
/// recording those it quotes).
pub fn write_chapter(
    input: &WriterInput<'_>,
    plan: &crate::templates::ChapterPlan,
    quotes: &mut QuoteBook,
) -> crate::document::Chapter {
    let _ = (input, plan, quotes);
    todo!("H-writer")
}

/// A chapter saying that no usable chapter came, and why.
pub fn placeholder(
    plan: &crate::templates::ChapterPlan,
    why: &str,
    language: Language,
) -> crate::document::Chapter {
    let _ = (plan, why, language);
    todo!("H-writer")
}

/// The whole document: title, the chapters in order, every source, and the notes (scales,
/// how many items were counted and read, the time zone).
pub fn assemble(
    input: &WriterInput<'_>,
    template: &crate::templates::Template,
    chapters: Vec<crate::document::Chapter>,
) -> crate::document::Document {
    let _ = (input, template, chapters);
    todo!("H-writer")
}
