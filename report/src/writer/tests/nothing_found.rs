//! An empty evidence set: every chapter says plainly that nothing was found, cites nothing,
//! and nothing panics — the document, the sources and the prompt included.

use text_analysis::evidence::{Definition, EvidenceSet, EvidenceStats};

use super::*;
use crate::document::{Block, Language};

fn empty() -> EvidenceSet {
    EvidenceSet {
        definition: Definition {
            query: "不存在的话题".to_owned(),
            terms: Vec::new(),
            max_items: 200,
        },
        items: Vec::new(),
    }
}

#[test]
fn every_chapter_says_nothing_was_found_and_cites_nothing() {
    let set = empty();
    let stats = EvidenceStats::compute(&set, time::UtcOffset::UTC);
    for language in [Language::Zh, Language::En] {
        let input = super::fixture::input(&set, &stats, &[], &[], language);
        let doc = write_all(&input);
        assert!(doc.sources.is_empty());
        for chapter in &doc.chapters {
            assert!(!chapter.blocks.is_empty(), "{} is empty", chapter.id);
            assert!(cited(chapter).is_empty(), "{} cites", chapter.id);
            assert!(
                !chapter.blocks.iter().any(|b| matches!(
                    b,
                    Block::Chart(_) | Block::Kpis { .. } | Block::Quote { .. }
                )),
                "{} draws figures of nothing",
                chapter.id
            );
            let text = text(chapter);
            assert!(!text.trim().is_empty(), "{}", chapter.id);
        }
        let summary = text(chapter(&doc, Angle::Summary));
        match language {
            Language::Zh => assert!(summary.contains("没有找到"), "{summary}"),
            Language::En => assert!(summary.contains("No items"), "{summary}"),
        }
        let (system, user) =
            crate::prompt::chapter_prompt(&input, &plan(Angle::Summary), &QuoteBook::default());
        assert!(system.starts_with(crate::prompt::STEP));
        assert!(user.contains("Nothing was found"), "{user}");
    }
}

#[test]
fn a_placeholder_says_why() {
    let chapter = super::super::placeholder(
        &plan(Angle::Outlook),
        "the model answered no JSON",
        Language::En,
    );
    assert_eq!(
        chapter.origin,
        crate::document::ChapterOrigin::Placeholder {
            why: "the model answered no JSON".to_owned()
        }
    );
    match &chapter.blocks[..] {
        [Block::Callout { tone, spans, .. }] => {
            assert_eq!(*tone, crate::document::Tone::Warning);
            assert!(spans[0].text.contains("the model answered no JSON"));
        }
        other => panic!("{other:?}"),
    }
}
