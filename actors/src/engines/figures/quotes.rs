//! Quotes of an analysis's evidence items in an engine report: whole sentences (never cut
//! inside a `#hashtag#`), and each item — or the same words under another item — quoted at
//! most once in a report. Reports used to quote the same two or three most engaged posts in
//! nearly every section, because each section picked its quotes on its own.
//!
//! "The same words" includes a quote that opens with a sentence already quoted: reposts and
//! copy-paste posts differ after their first sentence, and a reader sees that sentence twice.

use std::collections::HashSet;

use text_analysis::excerpt;

use super::EvidenceView;
use crate::engines::report::Source;

/// What a report has quoted so far.
#[derive(Debug, Default)]
pub struct QuoteBook {
    /// Evidence items, by index in the set.
    items: HashSet<usize>,
    /// The first sentence of each quote, as it reads in the report.
    openings: HashSet<String>,
}

/// The sentence a quote opens with.
fn opening(text: &str) -> &str {
    excerpt::split(text).first().copied().unwrap_or(text)
}

impl QuoteBook {
    fn holds(&self, item: usize, text: &str) -> bool {
        self.items.contains(&item) || self.openings.contains(opening(text))
    }

    /// Records what a finished paragraph quotes. Only finished ones: a paragraph is written
    /// again after each reflection, and a draft's quotes never reach the report.
    pub fn record(&mut self, sources: &[Source]) {
        for source in sources {
            if let Some(i) = source.evidence {
                self.items.insert(i);
            }
            self.openings.insert(opening(&source.text).to_owned());
        }
    }
}

/// An item chosen to quote, and its excerpt.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub item: usize,
    pub text: String,
}

/// Up to `n` quotes from `candidates` (item indexes, best first) that the report has not
/// quoted yet, no two opening alike.
pub fn pick(
    view: &EvidenceView<'_>,
    book: &QuoteBook,
    candidates: impl IntoIterator<Item = usize>,
    n: usize,
) -> Vec<Quote> {
    let mut chosen: Vec<Quote> = Vec::new();
    for item in candidates {
        if chosen.len() >= n {
            break;
        }
        if chosen.iter().any(|q| q.item == item) {
            continue;
        }
        let text = view.excerpt(item);
        let repeats = |q: &Quote| opening(&q.text) == opening(&text);
        if text.is_empty() || book.holds(item, &text) || chosen.iter().any(repeats) {
            continue;
        }
        chosen.push(Quote { item, text });
    }
    chosen
}

/// The quotes as they read in a paragraph: text, platform, day and interactions.
pub fn render(view: &EvidenceView<'_>, quotes: &[Quote], zh: bool) -> String {
    quotes
        .iter()
        .map(|q| {
            let engagement = view.items().get(q.item).map_or(0, |i| i.engagement());
            let mut about = vec![view.platform_of(q.item, zh)];
            about.extend(view.day(q.item));
            if engagement > 0 {
                about.push(match (zh, engagement) {
                    (true, e) => format!("互动 {e}"),
                    (false, 1) => "1 interaction".to_owned(),
                    (false, e) => format!("{e} interactions"),
                });
            }
            if zh {
                format!("「{}」（{}）", q.text, about.join("，"))
            } else {
                format!("“{}” ({})", q.text, about.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(if zh { "；" } else { "; " })
}

/// The quotes as a paragraph's sources.
pub fn sources(view: &EvidenceView<'_>, quotes: &[Quote]) -> Vec<Source> {
    quotes
        .iter()
        .filter_map(|q| {
            let item = view.items().get(q.item)?;
            Some(Source {
                text: q.text.clone(),
                platform: Some(text_analysis::platform::canonical(&item.platform)),
                url: item.url.clone(),
                published: view.day(q.item),
                engagement: Some(item.engagement()),
                evidence: Some(q.item),
            })
        })
        .collect()
}
