//! Chapter repair: each local repair on the damage it is for, content fixes, dropped blocks,
//! and the density check; property tests in [`properties`].

mod properties;

use super::*;
use crate::document::Tone;

/// About 150 letters of Chinese: dense enough on its own.
fn long_zh() -> String {
    "讨论集中在退款与道歉，多数用户要求企业尽快给出明确说法。".repeat(6)
}

fn long_en() -> String {
    "Most posts ask for a refund and a clear apology from the company. ".repeat(6)
}

/// A chapter answer of one dense paragraph citing `cites`, then `extra` blocks.
fn answer(cites: &[u32], extra: &str) -> String {
    let cites: Vec<String> = cites.iter().map(u32::to_string).collect();
    format!(
        r#"{{"title":"摘要","blocks":[{{"type":"paragraph","spans":[{{"text":"{}","cites":[{}]}}]}}{extra}]}}"#,
        long_zh(),
        cites.join(",")
    )
}

fn parse(raw: &str) -> Result<Repaired, ChapterError> {
    parse_chapter(raw, 10, Language::Zh)
}

fn repairs_of(raw: &str) -> Vec<String> {
    match parse(raw) {
        Ok(repaired) => repaired.repairs,
        Err(e) => panic!("{raw:?} gave {e}"),
    }
}

#[test]
fn a_clean_answer_needs_no_repair() {
    let repaired = parse(&answer(&[1, 2], "")).unwrap();
    assert!(repaired.repairs.is_empty());
    assert_eq!(
        repaired.blocks,
        vec![Block::Paragraph {
            spans: vec![Span::cited(long_zh(), vec![1, 2])]
        }]
    );
}

#[test]
fn a_bare_array_of_blocks_is_a_chapter() {
    let raw = format!(
        r#"[{{"type":"heading","level":3,"text":"经过"}},{{"type":"paragraph","spans":[{{"text":"{}"}}]}}]"#,
        long_zh()
    );
    let repaired = parse(&raw).unwrap();
    assert_eq!(repaired.blocks.len(), 2);
    assert!(repaired.repairs.is_empty());
}

#[test]
fn fences_think_and_prose_are_stripped_and_named() {
    let clean = answer(&[1], "");
    assert_eq!(repairs_of(&format!("```json\n{clean}\n```")), ["fence"]);
    assert_eq!(
        repairs_of(&format!(
            "<think>先想想 {{\"blocks\": 1}}</think>\n```json\n{clean}\n```"
        )),
        ["think", "fence"]
    );
    // A model whose chat template opened the section writes only its end.
    assert_eq!(
        repairs_of(&format!("思考 [1] 完毕</think>{clean}")),
        ["think"]
    );
    // Cut off while thinking, then the answer on its own line.
    assert_eq!(repairs_of(&format!("<think>嗯 {{a}}\n{clean}")), ["think"]);
    assert_eq!(
        repairs_of(&format!("以下是本章（见 [1]）：\n{clean}\n希望有帮助！")),
        ["prose"]
    );
}

#[test]
fn trailing_commas_are_removed_outside_strings_only() {
    let raw = format!(
        r#"{{"blocks":[{{"type":"paragraph","spans":[{{"text":"{},]}}","cites":[1,2,],}},],}},],}}"#,
        long_zh()
    );
    let repaired = parse(&raw).unwrap();
    assert_eq!(repaired.repairs, ["trailing_comma"]);
    assert_eq!(
        repaired.blocks,
        vec![Block::Paragraph {
            spans: vec![Span::cited(format!("{},]}}", long_zh()), vec![1, 2])]
        }]
    );
}

#[test]
fn raw_control_characters_in_strings_are_escaped() {
    let raw = format!(
        "{{\"blocks\":[\n\t{{\"type\":\"paragraph\",\"spans\":[{{\"text\":\"第一行\n\t第二行{}\"}}]}}]}}",
        long_zh()
    );
    let repaired = parse(&raw).unwrap();
    assert_eq!(repaired.repairs, ["control_character"]);
    let Block::Paragraph { spans } = &repaired.blocks[0] else {
        panic!("not a paragraph")
    };
    assert!(spans[0].text.starts_with("第一行\n\t第二行"));
}

#[test]
fn a_truncated_answer_is_closed() {
    let clean = answer(
        &[1],
        r#",{"type":"callout","tone":"warning","spans":[{"text":"周末前需回应"}]}"#,
    );
    // Cut inside the last string.
    let cut = &clean[..clean.len() - "回应\"}]}]}".len()];
    let repaired = parse(cut).unwrap();
    assert_eq!(repaired.repairs, ["truncated"]);
    assert_eq!(
        repaired.blocks[1],
        Block::Callout {
            tone: Tone::Warning,
            title: None,
            spans: vec![Span::text("周末前需")]
        }
    );
    // Cut inside a key: the unfinished block is given up.
    let cut = &clean[..clean.find(r#""tone"#).unwrap() + 4];
    let repaired = parse(cut).unwrap();
    assert_eq!(repaired.repairs[0], "truncated");
    assert_eq!(repaired.blocks.len(), 1);
    // Cut after a backslash inside a string.
    let raw = format!(
        r#"{{"blocks":[{{"type":"paragraph","spans":[{{"text":"{}\"#,
        long_zh()
    );
    assert_eq!(repairs_of(&raw), ["truncated"]);
}

#[test]
fn cites_beyond_the_sources_are_dropped_not_fatal() {
    let raw = answer(&[1, 11, 0, 3], "");
    let repaired = parse(&raw).unwrap();
    assert_eq!(repaired.repairs, ["cites_dropped"]);
    let Block::Paragraph { spans } = &repaired.blocks[0] else {
        panic!("not a paragraph")
    };
    assert_eq!(spans[0].cites, vec![1, 3]);
}

#[test]
fn a_quote_of_no_source_is_dropped_and_named() {
    let raw = answer(&[1], r#",{"type":"quote","text":"编的","source":99}"#);
    let repaired = parse(&raw).unwrap();
    assert_eq!(repaired.blocks.len(), 1);
    assert_eq!(repaired.repairs.len(), 1);
    assert!(
        repaired.repairs[0].starts_with("block_dropped: block 2 (quote): the source 99"),
        "{:?}",
        repaired.repairs
    );
}

#[test]
fn heading_levels_are_fitted() {
    let raw = answer(&[1], r#",{"type":"heading","level":2,"text":"经过"}"#);
    let repaired = parse(&raw).unwrap();
    assert_eq!(repaired.repairs, ["heading_level"]);
    assert_eq!(
        repaired.blocks[1],
        Block::Heading {
            level: 3,
            text: "经过".to_owned()
        }
    );
}

#[test]
fn chart_cites_not_one_per_label_are_dropped() {
    let chart = r#",{"type":"chart","kind":"bar","title":"t","labels":["a","b"],"series":[{"name":"n","values":[1,2]}],"cites":[[1]]}"#;
    let repaired = parse(&answer(&[1], chart)).unwrap();
    assert_eq!(repaired.repairs, ["chart_cites_dropped"]);
}

#[test]
fn unreadable_blocks_are_dropped_while_most_are_usable() {
    let raw = answer(
        &[1],
        r#",{"type":"image","src":"x"},{"type":"heading","level":3,"text":"ok"}"#,
    );
    let repaired = parse(&raw).unwrap();
    assert_eq!(repaired.blocks.len(), 2);
    assert!(repaired.repairs[0].starts_with("block_dropped: block 2: unknown variant `image`"));

    let raw = answer(
        &[1],
        r#",{"type":"image"},{"type":"heading","level":3,"text":""}"#,
    );
    match parse(&raw) {
        Err(ChapterError::Invalid(why)) => assert!(why.starts_with("2 of 3 blocks"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn answers_that_are_no_chapter_say_why() {
    assert!(matches!(
        parse("I cannot write this chapter."),
        Err(ChapterError::Unreadable(_))
    ));
    assert!(matches!(parse("\"blocks\""), Err(ChapterError::Invalid(_))));
    assert!(matches!(
        parse(r#"{"chapter":{"blocks":[]}}"#),
        Err(ChapterError::Invalid(_))
    ));
    assert!(matches!(
        parse(&" ".repeat(MAX_ANSWER_BYTES + 1)),
        Err(ChapterError::Unreadable(_))
    ));
}

#[test]
fn thin_chapters_are_refused() {
    assert_eq!(
        parse(r#"{"blocks":[]}"#),
        Err(ChapterError::Thin("no blocks".to_owned()))
    );
    let headings = r#"[{"type":"heading","level":3,"text":"一个很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的标题"}]"#;
    assert!(matches!(parse(headings), Err(ChapterError::Thin(_))));
    let short = r#"[{"type":"paragraph","spans":[{"text":"暂无数据。"}]}]"#;
    assert_eq!(
        parse(short),
        Err(ChapterError::Thin(
            "4 characters of text, fewer than 120".to_owned()
        ))
    );
}

#[test]
fn english_density_counts_words() {
    let dense = format!(
        r#"[{{"type":"paragraph","spans":[{{"text":"{}"}}]}}]"#,
        long_en()
    );
    assert!(parse_chapter(&dense, 0, Language::En).is_ok());
    let short = r#"[{"type":"paragraph","spans":[{"text":"No data about 华为 yet."}]}]"#;
    assert_eq!(
        parse_chapter(short, 0, Language::En),
        Err(ChapterError::Thin(
            "6 words of text, fewer than 60".to_owned()
        ))
    );
}
