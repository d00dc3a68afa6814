//! Validation: the sample document is valid, and each kind of problem is caught and named.

use super::sample;
use super::*;
use crate::document::{Block, ChartKind, Series, Span, Tone};

/// The problems of one block among twelve sources.
fn problems_of(block: Block) -> Vec<String> {
    blocks(&[block], 12)
}

fn assert_caught(block: Block, needle: &str) {
    let problems = problems_of(block);
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "expected a problem containing {needle:?}, got {problems:?}"
    );
}

#[test]
fn the_sample_document_is_valid() {
    assert_eq!(document(&sample::document()), Vec::<String>::new());
}

#[test]
fn cites_beyond_the_sources_or_zero_are_caught() {
    assert_caught(
        Block::Paragraph {
            spans: vec![Span::cited("x", vec![13])],
        },
        "cite 13 is not a source (1..=12)",
    );
    assert_caught(
        Block::Paragraph {
            spans: vec![Span::cited("x", vec![0])],
        },
        "cite 0 is not a source",
    );
    assert_caught(
        Block::Quote {
            text: "q".to_owned(),
            source: 99,
        },
        "the source 99 is not a source",
    );
    let mut chart = sample::bar_chart();
    chart.cites[1] = vec![40];
    assert_caught(Block::Chart(chart), "label 2: cite 40");
}

#[test]
fn the_problem_names_its_block() {
    let problems = blocks(
        &[
            Block::Heading {
                level: 3,
                text: "ok".to_owned(),
            },
            Block::Heading {
                level: 2,
                text: "bad".to_owned(),
            },
        ],
        0,
    );
    assert_eq!(problems, vec!["block 2 (heading): level 2, not 3 or 4"]);
}

#[test]
fn chart_shapes_are_checked() {
    let mut chart = sample::bar_chart();
    chart.series[0].values.pop();
    assert_caught(Block::Chart(chart), "series 1 has 2 values for 3 labels");

    let mut chart = sample::bar_chart();
    chart.cites.pop();
    assert_caught(Block::Chart(chart), "2 cite lists for 3 labels");

    let mut chart = sample::bar_chart();
    chart.series[0].values[0] = f64::NAN;
    assert_caught(Block::Chart(chart), "value 1 is not a finite number");

    let mut chart = sample::pie_chart();
    chart.series[0].values[2] = -1.0;
    assert_caught(Block::Chart(chart), "value 3 is negative in a pie");

    let mut chart = sample::pie_chart();
    chart.series[0].values = vec![0.0; 3];
    assert_caught(Block::Chart(chart), "sums to zero");

    let mut chart = sample::pie_chart();
    chart.series.push(Series {
        name: "again".to_owned(),
        values: vec![1.0; 3],
    });
    assert_caught(Block::Chart(chart), "a pie has one series");

    let mut chart = sample::line_chart();
    chart.labels = (0..=MAX_LABELS).map(|i| format!("d{i}")).collect();
    chart.series.truncate(1);
    chart.series[0].values = vec![1.0; MAX_LABELS + 1];
    assert_caught(Block::Chart(chart), "61 labels, more than 60");

    let mut chart = sample::line_chart();
    chart.kind = ChartKind::Bar;
    chart.labels.clear();
    chart.series.clear();
    let problems = problems_of(Block::Chart(chart));
    assert!(problems.iter().any(|p| p.contains("no labels")));
    assert!(problems.iter().any(|p| p.contains("no series")));
}

#[test]
fn table_rows_need_one_cell_per_column() {
    assert_caught(
        Block::Table {
            caption: None,
            columns: vec!["a".to_owned(), "b".to_owned()],
            rows: vec![
                vec![Span::text("1")],
                vec![Span::text("1"), Span::text("2")],
            ],
        },
        "row 1 has 1 cells, not 2",
    );
    assert_caught(
        Block::Table {
            caption: None,
            columns: vec!["a".to_owned()],
            rows: vec![vec![Span::text("1")]; MAX_ROWS + 1],
        },
        "101 rows, more than 100",
    );
}

#[test]
fn empty_text_is_caught() {
    assert_caught(
        Block::Heading {
            level: 4,
            text: "  ".to_owned(),
        },
        "the text is empty",
    );
    assert_caught(
        Block::Paragraph {
            spans: vec![Span::cited(" ", vec![1])],
        },
        "the text is empty",
    );
    assert_caught(Block::Paragraph { spans: Vec::new() }, "the text is empty");
    assert_caught(
        Block::List {
            ordered: false,
            items: vec![vec![Span::text("a")], vec![]],
        },
        "item 2 is empty",
    );
    assert_caught(
        Block::Callout {
            tone: Tone::Info,
            title: Some(String::new()),
            spans: vec![Span::text("x")],
        },
        "the title is empty",
    );
    assert_caught(Block::Kpis { cards: Vec::new() }, "no cards");
    assert_caught(
        Block::Quote {
            text: String::new(),
            source: 1,
        },
        "the quote is empty",
    );
}

#[test]
fn too_many_blocks_are_caught() {
    let many = vec![
        Block::Paragraph {
            spans: vec![Span::text("x")],
        };
        MAX_BLOCKS + 1
    ];
    assert_eq!(blocks(&many, 0), vec!["201 blocks, more than 200"]);
}

#[test]
fn document_numbering_and_ids_are_checked() {
    let mut doc = sample::document();
    doc.sources.swap(0, 1);
    doc.chapters[1].id = "summary".to_owned();
    doc.chapters.push(doc.chapters[0].clone());
    doc.chapters[2].id = " ".to_owned();
    let problems = document(&doc);
    assert!(problems.contains(&"source at position 1 is numbered 2".to_owned()));
    assert!(problems.contains(&"source at position 2 is numbered 1".to_owned()));
    assert!(problems.contains(&"chapter 2 (`summary`): the id is used twice".to_owned()));
    assert!(problems.contains(&"chapter 3: the id is empty".to_owned()));
}

#[test]
fn document_cites_are_checked_against_its_sources() {
    let mut doc = sample::document();
    doc.sources.truncate(4);
    let problems = document(&doc);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("chapter 1 (`summary`): block 1 (paragraph): the text: cite 12")),
        "{problems:?}"
    );
}
