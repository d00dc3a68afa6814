//! The report as Markdown: chapters, tables, quotes, charts as tables, footnote-style source
//! links `[n]` and the numbered source list.

use crate::document::Document;

/// The report as Markdown.
pub fn render(doc: &Document) -> String {
    let _ = doc;
    todo!("H-render")
}
