//! Validation of a document and of a chapter's blocks: cites within the sources, charts whose
//! series match their labels, headings at levels 3–4, no empty text, bounded sizes.

use crate::document::{Block, Document};

/// The problems of `blocks` that may cite sources `1..=sources`; empty when valid.
pub fn blocks(blocks: &[Block], sources: usize) -> Vec<String> {
    let _ = (blocks, sources);
    todo!("H-render")
}

/// The problems of a whole document; empty when valid.
pub fn document(doc: &Document) -> Vec<String> {
    let _ = doc;
    todo!("H-render")
}
