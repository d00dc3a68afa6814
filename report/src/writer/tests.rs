//! The built-in writer over a built evidence set: every angle written and assembled, figures
//! that agree across chapters, each item quoted once, cites within the sources, whole-sentence
//! quotes, grammar for one and many, and honest chapters when nothing was found.

mod figures_agree;
mod fixture;
mod nothing_found;
mod quotes;
mod wording;

use crate::document::{Block, Chapter, Document, Span};
use crate::templates::{Angle, ChapterPlan, Template, TemplateKind};

use super::{assemble, write_chapter, QuoteBook, WriterInput};

/// Every angle, in the order a full report would have them.
const ANGLES: [Angle; 15] = [
    Angle::Summary,
    Angle::Overview,
    Angle::Timeline,
    Angle::Platforms,
    Angle::Sentiment,
    Angle::Voices,
    Angle::Complaints,
    Angle::Support,
    Angle::Focus,
    Angle::TopPosts,
    Angle::Engines,
    Angle::Forum,
    Angle::General,
    Angle::Outlook,
    Angle::Method,
];

fn plan(angle: Angle) -> ChapterPlan {
    let id = serde_json::to_value(angle)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let (title, intent) = match angle {
        Angle::General => ("交通管制与出行", "交通管制对市民出行的影响"),
        _ => ("章节", "本章内容"),
    };
    ChapterPlan {
        id,
        title: title.to_owned(),
        intent: intent.to_owned(),
        angle,
    }
}

/// A template with a chapter for every angle, built by hand (the built-in templates are
/// another module's).
fn template(language: crate::document::Language) -> Template {
    Template {
        kind: TemplateKind::HotTopicEvent,
        language,
        title: "热点事件分析报告".to_owned(),
        description: String::new(),
        chapters: ANGLES.iter().map(|&a| plan(a)).collect(),
    }
}

/// Every chapter written in order with one quote book, then the document.
fn write_all(input: &WriterInput<'_>) -> Document {
    let template = template(input.language);
    let mut book = QuoteBook::default();
    let chapters: Vec<Chapter> = template
        .chapters
        .iter()
        .map(|plan| write_chapter(input, plan, &mut book))
        .collect();
    assemble(input, &template, chapters)
}

/// Every span of a block (paragraphs, lists, table cells, callouts).
fn spans(block: &Block) -> Vec<&Span> {
    match block {
        Block::Paragraph { spans } | Block::Callout { spans, .. } => spans.iter().collect(),
        Block::List { items, .. } => items.iter().flatten().collect(),
        Block::Table { rows, .. } => rows.iter().flatten().collect(),
        _ => Vec::new(),
    }
}

/// The text a chapter shows, its blocks' text joined.
fn text(chapter: &Chapter) -> String {
    let mut out = String::new();
    for block in &chapter.blocks {
        for span in spans(block) {
            out.push_str(&span.text);
        }
        match block {
            Block::Kpis { cards } => {
                for card in cards {
                    out.push_str(&format!("{} {} {:?}\n", card.label, card.value, card.note));
                }
            }
            Block::Quote { text, .. } | Block::Heading { text, .. } => out.push_str(text),
            _ => {}
        }
        out.push('\n');
    }
    out
}

/// Every source number a chapter cites, anywhere.
fn cited(chapter: &Chapter) -> Vec<u32> {
    let mut out = Vec::new();
    for block in &chapter.blocks {
        out.extend(spans(block).iter().flat_map(|s| s.cites.iter().copied()));
        match block {
            Block::Kpis { cards } => out.extend(cards.iter().flat_map(|c| c.cites.iter().copied())),
            Block::Chart(chart) => out.extend(chart.cites.iter().flatten().copied()),
            Block::Quote { source, .. } => out.push(*source),
            _ => {}
        }
    }
    out
}

fn chapter(doc: &Document, angle: Angle) -> &Chapter {
    let id = plan(angle).id;
    doc.chapters
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no chapter {id}"))
}
