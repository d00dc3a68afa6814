//! A chapter as the live stream shows it (`chapter_chunk`): its text in pieces, while the
//! finished outputs come at the end. The text is Markdown whose post text is escaped, so a
//! client that renders it cannot be made to show markup a post wrote.

use report::document::{Block, Span};
use report::Chapter;

/// Post text with Markdown's and HTML's active characters escaped.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A chapter as text for the live stream (`chapter_chunk`): its title, its prose, list items,
/// quotes and key figures, with `[n]` for citations. The rendered outputs come at the end.
pub fn text(chapter: &Chapter) -> String {
    fn spans(out: &mut String, spans: &[Span]) {
        for span in spans {
            out.push_str(&escaped(&span.text));
            for n in span.cites.iter().take(5) {
                out.push_str(&format!("[{n}]"));
            }
        }
    }
    let mut out = format!("## {}\n\n", escaped(&chapter.title));
    for block in &chapter.blocks {
        match block {
            Block::Heading { text, .. } => out.push_str(&format!("### {}\n\n", escaped(text))),
            Block::Paragraph { spans: s } | Block::Callout { spans: s, .. } => {
                spans(&mut out, s);
                out.push_str("\n\n");
            }
            Block::List { items, .. } => {
                for item in items {
                    out.push_str("- ");
                    spans(&mut out, item);
                    out.push('\n');
                }
                out.push('\n');
            }
            Block::Quote { text, source } => {
                out.push_str(&format!("> {} [{source}]\n\n", escaped(text)))
            }
            Block::Kpis { cards } => {
                for card in cards {
                    out.push_str(&format!(
                        "- {}: {}\n",
                        escaped(&card.label),
                        escaped(&card.value)
                    ));
                }
                out.push('\n');
            }
            Block::Table { caption, .. } => out.push_str(&format!(
                "({})\n\n",
                escaped(caption.as_deref().unwrap_or("table"))
            )),
            Block::Chart(chart) => out.push_str(&format!("({})\n\n", escaped(&chart.title))),
        }
    }
    out
}

/// Text in pieces of at most 2,000 bytes, cut at character boundaries.
pub fn chunks(text: &str) -> Vec<String> {
    const MAX: usize = 2_000;
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = rest.len().min(MAX);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (piece, tail) = rest.split_at(end);
        out.push(piece.to_owned());
        rest = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use report::document::ChapterOrigin;

    #[test]
    fn post_text_cannot_inject_markup() {
        let chapter = Chapter {
            id: "c1".into(),
            title: "t".into(),
            blocks: vec![Block::Quote {
                text: "<script>x</script> **bold** [a](http://x)".into(),
                source: 1,
            }],
            origin: ChapterOrigin::Builtin,
        };
        let text = text(&chapter);
        assert!(!text.contains("<script>"), "{text}");
        assert!(text.contains("\\<script\\>"), "{text}");
        assert!(
            text.contains("\\[a\\](http"),
            "a link is not a link: {text}"
        );
    }

    #[test]
    fn pieces_are_whole_characters_and_join_back() {
        let long = "滨海马拉松".repeat(1_000);
        let pieces = chunks(&long);
        assert!(pieces.iter().all(|p| p.len() <= 2_000));
        assert_eq!(pieces.concat(), long);
    }
}
