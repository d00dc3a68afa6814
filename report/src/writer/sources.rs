//! The numbered sources (every evidence item, source `n` = item `n - 1`) and the excerpts the
//! writer shows of them: whole sentences on one line, never cut inside a hashtag or a word.

use text_analysis::evidence::EvidenceItem;
use time::UtcOffset;

use super::prose::Prose;
use super::WriterInput;
use crate::document::SourceRef;

/// How long a source's excerpt may be, in characters.
pub(crate) const SOURCE_EXCERPT_CHARS: usize = 120;

/// How long a quote may be: enough for two or three sentences of a post.
pub(crate) const QUOTE_CHARS: usize = 140;

/// How long an excerpt in a table row may be.
pub(crate) const ROW_EXCERPT_CHARS: usize = 60;

/// The start of `text` in whole sentences (see [`text_analysis::excerpt::sentences`]) up to
/// `max_chars`, on one line: line breaks and runs of spaces become one space, since a source
/// list or a table cell has no room for a post's layout.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let cut = text_analysis::excerpt::sentences(text, max_chars);
    let mut out = String::with_capacity(cut.len());
    for part in cut.split_whitespace() {
        // Between Chinese a line break becomes nothing; next to a word or a URL, a space.
        let next_to_ascii =
            out.ends_with(|c: char| c.is_ascii()) || part.starts_with(|c: char| c.is_ascii());
        if !out.is_empty() && next_to_ascii {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// The offset days are counted in, from the stats (UTC if they name none we can read: the
/// stats were made with a valid one, so this only guards against a hand-edited set).
pub(crate) fn offset(input: &WriterInput<'_>) -> UtcOffset {
    text_analysis::time_zone::parse_offset(&input.stats.time_zone).unwrap_or(UtcOffset::UTC)
}

/// The day an item was published, in the stats' time zone.
pub(crate) fn day(item: &EvidenceItem, offset: UtcOffset) -> Option<String> {
    item.published_ms
        .and_then(|ms| text_analysis::time_zone::day_of_ms(ms, offset))
}

/// What an item says: its text, or its title when the text is empty.
pub(crate) fn body(item: &EvidenceItem) -> &str {
    match &item.title {
        Some(title) if item.text.trim().is_empty() => title,
        _ => &item.text,
    }
}

/// What names an item in a list: its title, or the start of its text.
fn heading(item: &EvidenceItem) -> &str {
    match &item.title {
        Some(title) if !title.trim().is_empty() => title,
        _ => &item.text,
    }
}

/// Every item of the evidence set as a numbered source.
pub(crate) fn all(input: &WriterInput<'_>) -> Vec<SourceRef> {
    let prose = Prose::of(input.language);
    let offset = offset(input);
    input
        .evidence
        .items
        .iter()
        .zip(1u32..)
        .map(|(item, n)| SourceRef {
            n,
            item: item.item.clone(),
            platform: prose.platform(&text_analysis::platform::canonical(&item.platform)),
            url: item.url.clone(),
            author: item.author.clone(),
            published: day(item, offset),
            excerpt: match excerpt(heading(item), SOURCE_EXCERPT_CHARS) {
                empty if empty.is_empty() => prose.pick("（无正文）", "(no text)").to_owned(),
                text => text,
            },
        })
        .collect()
}
