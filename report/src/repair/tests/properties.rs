//! Properties of chapter repair: any valid chapter, serialised and then damaged the ways LLM
//! answers are (fences, `<think>`, prose, trailing commas, missing closing brackets), reads
//! back as the same blocks; and no string at all makes it panic.

use proptest::prelude::*;

use super::*;
use crate::document::{Chart, ChartKind, Kpi, Series, Tone};

const SOURCES: usize = 20;

/// Text that never is blank, with the characters that stress JSON and the repairs: quotes,
/// backslashes, brackets, commas, newlines, tabs, CJK.
fn text() -> impl Strategy<Value = String> {
    "[a-z一-龥][a-z一-龥 ,:{}\\[\\]\"\\\\\n\t<>`]{0,24}"
}

fn cites() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(1..=SOURCES as u32, 0..4)
}

fn span() -> impl Strategy<Value = Span> {
    (text(), cites(), any::<bool>()).prop_map(|(text, cites, strong)| Span {
        text,
        cites,
        strong,
    })
}

fn spans() -> impl Strategy<Value = Vec<Span>> {
    prop::collection::vec(span(), 1..4)
}

fn tone() -> impl Strategy<Value = Tone> {
    prop_oneof![
        Just(Tone::Info),
        Just(Tone::Positive),
        Just(Tone::Negative),
        Just(Tone::Warning)
    ]
}

fn chart() -> impl Strategy<Value = Block> {
    (
        prop_oneof![
            Just(ChartKind::Bar),
            Just(ChartKind::Line),
            Just(ChartKind::Pie)
        ],
        text(),
        prop::option::of(text()),
        prop::collection::vec((text(), 1u32..1000, cites()), 1..6),
        any::<bool>(),
    )
        .prop_map(|(kind, title, unit, points, with_cites)| {
            Block::Chart(Chart {
                kind,
                title,
                unit,
                labels: points.iter().map(|(l, _, _)| l.clone()).collect(),
                series: vec![Series {
                    name: "n".to_owned(),
                    // Halves: exact in binary, so they survive the JSON round trip as is.
                    values: points.iter().map(|(_, v, _)| f64::from(*v) / 2.0).collect(),
                }],
                cites: if with_cites {
                    points.into_iter().map(|(_, _, c)| c).collect()
                } else {
                    Vec::new()
                },
            })
        })
}

fn block() -> impl Strategy<Value = Block> {
    prop_oneof![
        (3u8..=4, text()).prop_map(|(level, text)| Block::Heading { level, text }),
        spans().prop_map(|spans| Block::Paragraph { spans }),
        (any::<bool>(), prop::collection::vec(spans(), 1..4))
            .prop_map(|(ordered, items)| Block::List { ordered, items }),
        (prop::option::of(text()), 1usize..4, 1usize..4).prop_flat_map(|(caption, cols, rows)| {
            (
                prop::collection::vec(text(), cols),
                prop::collection::vec(prop::collection::vec(span(), cols), rows),
            )
                .prop_map(move |(columns, rows)| Block::Table {
                    caption: caption.clone(),
                    columns,
                    rows,
                })
        }),
        (text(), 1..=SOURCES as u32).prop_map(|(text, source)| Block::Quote { text, source }),
        (tone(), prop::option::of(text()), spans())
            .prop_map(|(tone, title, spans)| Block::Callout { tone, title, spans }),
        prop::collection::vec((text(), text(), prop::option::of(text()), cites()), 1..4).prop_map(
            |cards| Block::Kpis {
                cards: cards
                    .into_iter()
                    .map(|(label, value, note, cites)| Kpi {
                        label,
                        value,
                        note,
                        cites,
                    })
                    .collect()
            }
        ),
        chart(),
    ]
}

/// A valid chapter: one dense paragraph (so it is never thin), then any blocks.
fn chapter() -> impl Strategy<Value = Vec<Block>> {
    prop::collection::vec(block(), 0..8).prop_map(|mut blocks| {
        blocks.insert(
            0,
            Block::Paragraph {
                spans: vec![Span::cited(long_zh(), vec![1])],
            },
        );
        blocks
    })
}

/// How an answer is damaged.
#[derive(Debug, Clone)]
struct Damage {
    bare_array: bool,
    trailing_commas: bool,
    /// How many of the final closing brackets are lost.
    truncate: usize,
    fence: bool,
    think: bool,
    prose: bool,
}

fn damage() -> impl Strategy<Value = Damage> {
    (
        any::<bool>(),
        any::<bool>(),
        0usize..8,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(bare_array, trailing_commas, truncate, fence, think, prose)| Damage {
                bare_array,
                trailing_commas,
                truncate,
                fence,
                think,
                prose,
            },
        )
}

/// A comma before every closing bracket outside strings that follows a value.
fn add_trailing_commas(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if (c == '}' || c == ']') && !out.ends_with(['{', '[']) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn damaged(blocks: &[Block], damage: &Damage) -> String {
    let mut json = if damage.bare_array {
        serde_json::to_string(blocks).unwrap()
    } else {
        serde_json::to_string(&serde_json::json!({ "title": "标题", "blocks": blocks })).unwrap()
    };
    if damage.trailing_commas {
        json = add_trailing_commas(&json);
    }
    let mut lost = 0;
    while lost < damage.truncate && json.ends_with([',', '}', ']']) {
        if !json.ends_with(',') {
            lost += 1;
        }
        json.pop();
    }
    let truncated = lost > 0;
    if damage.fence {
        json = format!("```json\n{json}");
        if !truncated {
            json.push_str("\n```");
        }
    }
    if damage.prose {
        json = format!("好的，以下是本章内容：\n{json}");
        if !truncated && !damage.fence {
            json.push_str("\n以上。");
        }
    }
    if damage.think {
        json = format!("<think>\n先列出 {{要点}} 与 [来源]，再写。\n</think>\n{json}");
    }
    json
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn damaged_chapters_read_back_as_themselves(blocks in chapter(), damage in damage()) {
        let raw = damaged(&blocks, &damage);
        let repaired = parse_chapter(&raw, SOURCES, Language::Zh)
            .map_err(|e| TestCaseError::fail(format!("{e} for {raw}")))?;
        prop_assert_eq!(&repaired.blocks, &blocks, "from {}", raw);
        prop_assert!(
            repaired.repairs.iter().all(|r| !r.starts_with("block_dropped")),
            "{:?}", repaired.repairs
        );
    }

    #[test]
    fn any_string_is_read_or_refused_without_panic(raw in "\\PC{0,200}") {
        let _ = parse_chapter(&raw, SOURCES, Language::Zh);
    }

    #[test]
    fn any_json_like_string_is_read_or_refused_without_panic(
        raw in "[\\[\\]{}\",:\\\\ a-z0-9\n<>/`一]{0,200}"
    ) {
        let _ = parse_chapter(&raw, SOURCES, Language::En);
    }
}
