//! What an LLM is asked for one chapter: the chapter's plan, the figures (already computed —
//! the model must not recount), the numbered sources it may cite, which are already quoted,
//! and the JSON shape of a chapter's blocks.

use crate::templates::ChapterPlan;
use crate::writer::{QuoteBook, WriterInput};

/// The system and user messages asking for `plan`.
pub fn chapter_prompt(
    input: &WriterInput<'_>,
    plan: &ChapterPlan,
    quotes: &QuoteBook,
) -> (String, String) {
    let _ = (input, plan, quotes);
    todo!("H-writer")
}
