//! The chapter prompt: names its step, shows the document's block shapes, gives the figures as
//! the writer words them, lists bounded sources, marks what is already quoted, stays small.

use storage::model::ItemRef;
use text_analysis::evidence::{Definition, EvidenceItem, EvidenceSet, EvidenceStats};

use super::*;
use crate::document::Language;
use crate::templates::{Angle, ChapterPlan};
use crate::writer::{EngineSummary, ForumLine, QuoteBook, WriterInput};

fn east8() -> time::UtcOffset {
    text_analysis::time_zone::parse_offset("+08:00").unwrap()
}

fn plan(angle: Angle) -> ChapterPlan {
    ChapterPlan {
        id: "voices".to_owned(),
        title: "各方说法".to_owned(),
        intent: "有代表性的原话与出处".to_owned(),
        angle,
    }
}

/// `n` items of long Chinese text over `days` days, on several platforms.
fn big(n: usize, days: i64) -> EvidenceSet {
    let text = "终点出站排了四十分钟，组织太混乱了，很失望。#滨海马拉松#志愿者非常热情，补给站也很充足，点赞！".repeat(6);
    EvidenceSet {
        definition: Definition {
            query: "滨海马拉松".to_owned(),
            terms: Vec::new(),
            max_items: n,
        },
        items: (0..n)
            .map(|i| {
                let platform = ["wb", "xhs", "dy", "zhihu", "weibo"][i % 5];
                let mut item = EvidenceItem::scored(
                    ItemRef::Post(i as i64),
                    platform,
                    None,
                    format!("{i}号：{text}"),
                );
                item.published_ms = Some(1_794_240_000_000 + (i as i64 % days) * 86_400_000);
                item.likes = (i * 7 % 100) as i64;
                item
            })
            .collect(),
    }
}

fn input<'a>(
    set: &'a EvidenceSet,
    stats: &'a EvidenceStats,
    engines: &'a [EngineSummary],
    forum: &'a [ForumLine],
) -> WriterInput<'a> {
    WriterInput {
        query: &set.definition.query,
        language: Language::Zh,
        evidence: set,
        stats,
        engines,
        forum,
        generated_at: 0,
    }
}

#[test]
fn the_system_message_names_the_step_and_the_shapes() {
    let set = big(10, 3);
    let stats = EvidenceStats::compute(&set, east8());
    let (system, _) = chapter_prompt(
        &input(&set, &stats, &[], &[]),
        &plan(Angle::Voices),
        &QuoteBook::default(),
    );
    assert!(system.starts_with("Step: report_chapter"));
    assert!(system.contains(r#"{"blocks":[...]}"#));
    for shape in [
        r#""type":"heading""#,
        r#""type":"paragraph""#,
        r#""type":"list""#,
        r#""type":"table""#,
        r#""type":"quote""#,
        r#""type":"callout""#,
        r#""type":"kpis""#,
        r#""type":"chart""#,
        r#""cites":[2,5]"#,
        r#""source":7"#,
    ] {
        assert!(system.contains(shape), "no {shape} in {system}");
    }
    assert!(system.contains("Do not count"));
    assert!(system.contains("Chinese"));
}

#[test]
fn the_shapes_shown_parse_as_blocks() {
    for language in [Language::Zh, Language::En] {
        for line in block_shapes(language).lines() {
            let parsed: Result<crate::document::Block, _> = serde_json::from_str(line.trim());
            assert!(parsed.is_ok(), "{line}");
        }
    }
}

#[test]
fn figures_are_given_with_their_sources_and_as_the_writer_words_them() {
    let set = big(10, 3);
    let stats = EvidenceStats::compute(&set, east8());
    let (_, user) = chapter_prompt(
        &input(&set, &stats, &[], &[]),
        &plan(Angle::Voices),
        &QuoteBook::default(),
    );
    assert!(
        user.contains("Items in the evidence set: 10 (10 posts) [sources 1-10]"),
        "{user}"
    );
    assert!(user.contains("Platform 微博: 4 items, 40%"), "{user}");
    assert!(user.contains("Chapter: 各方说法"), "{user}");
    assert!(user.contains("有代表性的原话与出处"), "{user}");
    assert!(user.contains("[1] 微博 · 2026-11-10"), "{user}");
    assert!(!user.contains("wb"), "{user}");
}

#[test]
fn already_quoted_sources_are_marked() {
    let set = big(10, 3);
    let stats = EvidenceStats::compute(&set, east8());
    let book = QuoteBook {
        used: [2usize, 3, 4, 8].into_iter().collect(),
    };
    let (_, user) = chapter_prompt(&input(&set, &stats, &[], &[]), &plan(Angle::Voices), &book);
    assert!(user.contains("do not quote again): 3-5,9"), "{user}");
    assert!(
        user.contains("[3] ") && user.contains("(already quoted)"),
        "{user}"
    );
}

#[test]
fn engine_numbers_are_not_passed_on() {
    let set = big(10, 3);
    let stats = EvidenceStats::compute(&set, east8());
    let engines = vec![EngineSummary {
        engine: "query".to_owned(),
        title: "t".to_owned(),
        paragraphs: vec![("概述".to_owned(), "共找到 36 条。组织受到肯定。".to_owned())],
    }];
    let (_, user) = chapter_prompt(
        &input(&set, &stats, &engines, &[]),
        &plan(Angle::Engines),
        &QuoteBook::default(),
    );
    assert!(user.contains("组织受到肯定。"), "{user}");
    assert!(!user.contains("36 条"), "{user}");
}

#[test]
fn the_prompt_stays_bounded_for_a_big_set() {
    let set = big(2_000, 90);
    let stats = EvidenceStats::compute(&set, east8());
    let forum: Vec<ForumLine> = (0..200)
        .map(|i| ForumLine {
            speaker: "HOST".to_owned(),
            content: format!(
                "第 {i} 轮。讨论焦点仍然是终点疏散和交通管制，请各方补充证据并回应不同观点。"
            ),
        })
        .collect();
    let engines = vec![EngineSummary {
        engine: "insight".to_owned(),
        title: "t".to_owned(),
        paragraphs: (0..100)
            .map(|i| {
                (
                    format!("段落{i}"),
                    "志愿者服务是正面评价的来源。终点疏散是主要争议。".repeat(5),
                )
            })
            .collect(),
    }];
    let book = QuoteBook {
        used: (0..500).collect(),
    };
    let (system, user) = chapter_prompt(
        &input(&set, &stats, &engines, &forum),
        &plan(Angle::Summary),
        &book,
    );
    let size = system.len() + user.len();
    assert!(size <= MAX_PROMPT_BYTES, "{size} bytes");
    let listed = user.lines().filter(|l| l.starts_with('[')).count();
    assert!(
        listed > 10 && listed <= MAX_SOURCES,
        "{listed} sources listed"
    );
    for line in user.lines().filter(|l| l.starts_with("    ")) {
        assert!(
            line.trim().chars().count() <= SOURCE_EXCERPT_CHARS + 1,
            "{line}"
        );
    }
}
