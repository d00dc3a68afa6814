//! English for one and for many, Chinese with 条, and sources named as readers know them.

use storage::model::ItemRef;
use text_analysis::evidence::{Definition, EvidenceItem, EvidenceSet, EvidenceStats};

use super::*;
use crate::document::Language;

fn english(texts: &[&str]) -> EvidenceSet {
    EvidenceSet {
        definition: Definition {
            query: "city marathon".to_owned(),
            terms: Vec::new(),
            max_items: 200,
        },
        items: texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let mut item =
                    EvidenceItem::scored(ItemRef::Post(i as i64), "wb", None, (*text).to_owned());
                item.published_ms = Some(1_794_300_000_000);
                item.likes = 3;
                item
            })
            .collect(),
    }
}

fn whole(set: &EvidenceSet) -> String {
    let stats = EvidenceStats::compute(set, time::UtcOffset::UTC);
    let input = super::fixture::input(set, &stats, &[], &[], Language::En);
    let doc = write_all(&input);
    doc.chapters.iter().map(text).collect::<Vec<_>>().join("\n")
}

#[test]
fn one_item_is_singular_everywhere() {
    let set = english(&["The volunteers were amazing and the race was well organised."]);
    let text = whole(&set);
    assert!(
        text.contains("1 item about “city marathon” was found: 1 post."),
        "{text}"
    );
    assert!(text.contains("The only dated item is from"), "{text}");
    assert!(text.contains("The only item is positive."), "{text}");
    assert!(
        text.contains("1 of the 1 item (100%) leans positive."),
        "{text}"
    );
    for wrong in ["1 items", "1 posts", "1 are", "1 were", "Then come "] {
        assert!(!text.contains(wrong), "`{wrong}` in {text}");
    }
}

#[test]
fn many_items_are_plural() {
    let set = english(&[
        "The volunteers were amazing.",
        "The road closures were a terrible mess and I'm not happy.",
        "The race starts at 7 am on Sunday.",
    ]);
    let text = whole(&set);
    assert!(
        text.contains("3 items about “city marathon” were found: 3 posts."),
        "{text}"
    );
    assert!(text.contains("The 3 dated items are all from"), "{text}");
    assert!(
        text.contains(
            "Of the 3 items: 1 positive (33.4%), 1 neutral (33.3%) and 1 negative (33.3%)."
        ),
        "{text}"
    );
    assert!(
        text.contains("1 of the 3 items (33.3%) leans negative."),
        "{text}"
    );
    assert!(!text.contains("1 items"), "{text}");
}

#[test]
fn chinese_counts_use_tiao_and_sources_use_display_names() {
    let set = super::fixture::marathon();
    let stats = super::fixture::stats(&set);
    let input = super::fixture::input(&set, &stats, &[], &[], Language::Zh);
    let summary = write_chapter(&input, &plan(Angle::Summary), &mut QuoteBook::default());
    let text = text(&summary);
    assert!(
        text.contains(&format!("共找到 {} 条内容", stats.total)),
        "{text}"
    );
    assert!(!text.contains("items"), "{text}");
    let sources = crate::writer::sources(&input);
    assert_eq!(sources[0].platform, "微博");
    assert_eq!(sources[2].platform, "小红书");
    assert_eq!(sources[0].published.as_deref(), Some("2026-11-10"));
    assert_eq!(sources[36].excerpt, "滨海马拉松周日开跑，三万名跑者参赛");
    assert!(sources.iter().all(|s| s.excerpt.chars().count() <= 121));
}

#[test]
fn excerpts_keep_one_line() {
    use crate::writer::excerpt;
    assert_eq!(excerpt("第一句。\n第二句。", 20), "第一句。第二句。");
    assert_eq!(
        excerpt("First line.\nSecond  line.", 40),
        "First line. Second line."
    );
    assert_eq!(
        excerpt("看这个\nhttps://x.com 好", 40),
        "看这个 https://x.com 好"
    );
}
