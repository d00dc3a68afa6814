//! One figure, one wording: what the Summary states, later chapters state the same way, every
//! chart adds up, and every cite is a source.

use super::fixture;
use super::*;
use crate::document::{Block, Language};

fn doc(language: Language) -> (Document, usize) {
    let set = fixture::marathon();
    let stats = fixture::stats(&set);
    let engines = fixture::engines();
    let forum = fixture::forum();
    let input = fixture::input(&set, &stats, &engines, &forum, language);
    (write_all(&input), stats.total)
}

fn chart(chapter: &Chapter) -> &crate::document::Chart {
    chapter
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Chart(c) => Some(c),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{} has no chart", chapter.id))
}

fn kpi<'a>(doc: &'a Document, label: &str) -> &'a crate::document::Kpi {
    chapter(doc, Angle::Summary)
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Kpis { cards } => cards.iter().find(|c| c.label == label),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no card {label}"))
}

#[test]
fn the_fixture_is_what_the_tests_say() {
    let set = fixture::marathon();
    assert_eq!(set.items.len(), 40);
    let stats = fixture::stats(&set);
    assert_eq!(stats.per_day.len(), 5);
    assert!(!stats.undated.is_empty());
    assert!(!stats.sentiment.negative.is_empty() && !stats.sentiment.positive.is_empty());
}

#[test]
fn the_timeline_chart_adds_up_to_the_total() {
    for language in [Language::Zh, Language::En] {
        let (doc, total) = doc(language);
        let chart = chart(chapter(&doc, Angle::Timeline));
        let sum: f64 = chart.series[0].values.iter().sum();
        assert_eq!(sum as usize, total);
        assert_eq!(chart.labels.len(), chart.series[0].values.len());
        assert_eq!(chart.cites.len(), chart.labels.len());
        for (value, cites) in chart.series[0].values.iter().zip(&chart.cites) {
            assert_eq!(
                *value as usize,
                cites.len(),
                "each bar cites what it counts"
            );
        }
    }
}

#[test]
fn summary_figures_read_the_same_in_later_chapters() {
    let (doc, total) = doc(Language::Zh);
    let text_of = |angle| text(chapter(&doc, angle));

    // The total, with its kinds: one sentence, the same wherever it is stated.
    let total_card = kpi(&doc, "内容总数");
    assert_eq!(total_card.value, total.to_string());
    let summary = text_of(Angle::Summary);
    let sentence = summary
        .lines()
        .find(|l| l.starts_with("围绕"))
        .and_then(|l| l.split_inclusive('。').next())
        .unwrap_or_default()
        .to_owned();
    assert!(
        sentence.contains(&format!("共找到 {total} 条内容")),
        "{sentence}"
    );
    assert!(text_of(Angle::Overview).contains(&sentence));
    assert!(text_of(Angle::Method).contains(&sentence));

    // The negative share.
    let negative = kpi(&doc, "负面占比");
    assert!(negative.value.ends_with('%'));
    for angle in [Angle::Sentiment, Angle::Complaints, Angle::Outlook] {
        assert!(
            text_of(angle).contains(&negative.value),
            "{angle:?} states another negative share than {}",
            negative.value
        );
    }

    // The main platform.
    let platforms = kpi(&doc, "平台数");
    let main = platforms
        .note
        .as_deref()
        .and_then(|n| n.strip_prefix("主要："))
        .unwrap_or_default();
    assert!(main.starts_with("微博"), "{main}");
    assert!(text_of(Angle::Overview).contains(main));
    assert!(text_of(Angle::Platforms).contains(main));

    // The peak day: the card's note, the timeline's bar.
    let days = kpi(&doc, "覆盖天数");
    let note = days.note.as_deref().unwrap_or_default();
    let timeline = chart(chapter(&doc, Angle::Timeline));
    let (peak_at, peak) =
        timeline.series[0]
            .values
            .iter()
            .enumerate()
            .fold(
                (0, 0.0),
                |best, (i, v)| if *v > best.1 { (i, *v) } else { best },
            );
    assert!(
        note.contains(&format!("{}（{} 条）", timeline.labels[peak_at], peak)),
        "{note}"
    );

    // Total engagement.
    let engagement = kpi(&doc, "总互动");
    assert!(text_of(Angle::TopPosts).contains(&format!("合计互动 {} 次", engagement.value)));
}

#[test]
fn sentiment_counts_are_the_stats_and_percentages_add_up() {
    let set = fixture::marathon();
    let stats = fixture::stats(&set);
    let (doc, _) = doc(Language::En);
    let sentiment = chapter(&doc, Angle::Sentiment);
    let chart = chart(sentiment);
    let counts: Vec<usize> = chart.series[0].values.iter().map(|v| *v as usize).collect();
    assert_eq!(
        counts,
        vec![
            stats.sentiment.positive.len(),
            stats.sentiment.neutral.len(),
            stats.sentiment.negative.len()
        ]
    );
    let text = text(sentiment);
    let percents: u32 = text
        .split('(')
        .skip(1)
        .filter_map(|s| s.split_once("%)"))
        .filter_map(|(n, _)| n.parse::<u32>().ok())
        .sum();
    assert_eq!(percents, 100, "{text}");
    assert!(
        text.contains("from −1 (most negative) to +1 (most positive)"),
        "{text}"
    );
    assert!(text.contains("+0.25 or more counts as positive"), "{text}");
}

#[test]
fn keyword_counts_are_the_stats_everywhere() {
    let set = fixture::marathon();
    let stats = fixture::stats(&set);
    assert!(!stats.keywords.is_empty());
    let (doc, _) = doc(Language::Zh);
    let focus = chapter(&doc, Angle::Focus);
    let chart = chart(focus);
    for (k, (label, value)) in stats
        .keywords
        .iter()
        .zip(chart.labels.iter().zip(&chart.series[0].values))
    {
        assert_eq!(&k.key, label);
        assert_eq!(k.count(), *value as usize);
        let phrase = format!("{}（{} 条）", k.key, k.count());
        assert!(text(focus).contains(&phrase), "{phrase}");
    }
    // The Overview names the first keywords with the same counts.
    let first = &stats.keywords[0];
    assert!(text(chapter(&doc, Angle::Overview)).contains(&format!(
        "{}（{} 条）",
        first.key,
        first.count()
    )));
}

#[test]
fn every_cite_is_a_source() {
    for language in [Language::Zh, Language::En] {
        let (doc, total) = doc(language);
        assert_eq!(doc.sources.len(), total);
        for (n, source) in doc.sources.iter().enumerate() {
            assert_eq!(source.n as usize, n + 1);
            assert!(!source.excerpt.is_empty());
        }
        for chapter in &doc.chapters {
            for n in cited(chapter) {
                assert!((1..=total as u32).contains(&n), "{}: cites {n}", chapter.id);
            }
        }
    }
}

#[test]
fn platforms_are_spelled_one_way() {
    let (doc, _) = doc(Language::Zh);
    let platforms = chart(chapter(&doc, Angle::Platforms));
    assert_eq!(
        platforms
            .labels
            .iter()
            .filter(|l| l.as_str() == "微博")
            .count(),
        1
    );
    assert!(doc
        .sources
        .iter()
        .all(|s| s.platform != "wb" && s.platform != "weibo"));
    for chapter in &doc.chapters {
        let text = text(chapter);
        let words: Vec<&str> = text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        for code in ["wb", "weibo", "xhs", "dy", "zhihu"] {
            assert!(!words.contains(&code), "{}: `{code}` in {text}", chapter.id);
        }
    }
}

#[test]
fn engine_and_forum_numbers_are_not_restated() {
    let (doc, _) = doc(Language::Zh);
    for angle in [Angle::Engines, Angle::Forum, Angle::General] {
        let text = text(chapter(&doc, angle));
        for stale in ["36", "48", "17", "42%"] {
            assert!(!text.contains(stale), "{angle:?} restates {stale}: {text}");
        }
    }
    let engines = text(chapter(&doc, Angle::Engines));
    assert!(engines.contains("终点疏散是主要争议。"), "{engines}");
    let forum = text(chapter(&doc, Angle::Forum));
    assert!(forum.contains("主持人"), "{forum}");
    assert!(forum.contains("讨论焦点：交通管制、终点疏散。"), "{forum}");
    assert!(forum.contains("抖音"), "{forum}");
    assert!(!forum.contains("forum started"), "{forum}");
}

#[test]
fn the_document_says_how_it_was_made() {
    let (doc, total) = doc(Language::Zh);
    assert_eq!(doc.title, "热点事件分析报告：滨海马拉松");
    assert_eq!(doc.time_zone, "+08:00");
    assert_eq!(doc.template, "hot_topic_event");
    let subtitle = doc.subtitle.clone().unwrap_or_default();
    assert!(
        subtitle.contains(&format!("基于 {total} 条内容")),
        "{subtitle}"
    );
    assert!(subtitle.contains("UTC+08:00"), "{subtitle}");
    assert!(subtitle.contains("2026-11-16 00:00"), "{subtitle}");
    assert_eq!(doc.notes.len(), 3);
    assert!(doc.notes[0].contains("−1") && doc.notes[0].contains("+1"));
    assert!(doc.notes[1].contains(&total.to_string()));
    assert!(doc.notes[2].contains("UTC+08:00"));
    assert_eq!(doc.chapters.len(), ANGLES.len());
    assert!(doc
        .chapters
        .iter()
        .all(|c| c.origin == crate::document::ChapterOrigin::Builtin && !c.blocks.is_empty()));
}
