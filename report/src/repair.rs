//! An LLM's chapter answer into blocks: parse; if that fails, repair locally (code fences,
//! `<think>` sections, prose around the JSON, trailing commas, control characters, unbalanced
//! brackets) and parse again; then validate against the sources. Says what it repaired.

use crate::document::{Block, Language};

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

/// The blocks of a chapter answer that may cite sources `1..=sources`.
pub fn parse_chapter(
    raw: &str,
    sources: usize,
    language: Language,
) -> Result<Repaired, ChapterError> {
    let _ = (raw, sources, language);
    todo!("H-render")
}
