//! Validation of a document and of a chapter's blocks: cites within the sources, charts whose
//! series match their labels, headings at levels 3–4, no empty text, bounded sizes.
//!
//! Problems come back as sentences naming where they are (`block 3 (table): row 2 has 3
//! cells, not 4`), because their readers are people and LLM retry prompts, not programs: a
//! caller only asks "is the list empty". The limits are public so a prompt can state them.

use std::collections::HashSet;

use crate::document::{Block, Chart, ChartKind, Document, Kpi, Span};

/// Most blocks in one chapter.
pub const MAX_BLOCKS: usize = 200;
/// Most rows in one table.
pub const MAX_ROWS: usize = 100;
/// Most columns in one table.
pub const MAX_COLUMNS: usize = 12;
/// Most items in one list.
pub const MAX_LIST_ITEMS: usize = 100;
/// Most labels (bars, points, slices) in one chart.
pub const MAX_LABELS: usize = 60;
/// Most series in one chart: more cannot be told apart, in colour or in grey.
pub const MAX_SERIES: usize = 6;
/// Most cards in one KPI block.
pub const MAX_KPIS: usize = 12;
/// Most spans in one paragraph, list item, cell or callout.
pub const MAX_SPANS: usize = 200;
/// Most characters in one piece of text (a span, a heading, a quote).
pub const MAX_TEXT_CHARS: usize = 8_000;
/// Most cites on one span, KPI or chart label (a claim may rest on many posts, not on all).
pub const MAX_CITES: usize = 1_000;
/// Most chapters in one document.
pub const MAX_CHAPTERS: usize = 40;

/// The problems of `blocks` that may cite sources `1..=sources`; empty when valid.
pub fn blocks(blocks: &[Block], sources: usize) -> Vec<String> {
    let mut problems = Vec::new();
    if blocks.len() > MAX_BLOCKS {
        problems.push(format!("{} blocks, more than {MAX_BLOCKS}", blocks.len()));
    }
    for (i, block) in blocks.iter().enumerate() {
        for problem in block_problems(block, sources) {
            problems.push(format!("block {} ({}): {problem}", i + 1, kind_name(block)));
        }
    }
    problems
}

/// The problems of one block, without its position (the caller adds it). Used by
/// [`crate::repair`] to drop just the blocks that are wrong.
pub fn block(block: &Block, sources: usize) -> Vec<String> {
    block_problems(block, sources)
}

/// The problems of a whole document; empty when valid.
pub fn document(doc: &Document) -> Vec<String> {
    let mut problems = Vec::new();
    if doc.title.trim().is_empty() {
        problems.push("the title is empty".to_owned());
    }
    if doc.chapters.is_empty() {
        problems.push("there are no chapters".to_owned());
    }
    if doc.chapters.len() > MAX_CHAPTERS {
        problems.push(format!(
            "{} chapters, more than {MAX_CHAPTERS}",
            doc.chapters.len()
        ));
    }
    for (i, source) in doc.sources.iter().enumerate() {
        let expected = i + 1;
        if usize::try_from(source.n).ok() != Some(expected) {
            problems.push(format!(
                "source at position {expected} is numbered {}",
                source.n
            ));
        }
    }
    let mut ids = HashSet::new();
    for (i, chapter) in doc.chapters.iter().enumerate() {
        let place = format!("chapter {} (`{}`)", i + 1, chapter.id);
        if chapter.id.trim().is_empty() {
            problems.push(format!("chapter {}: the id is empty", i + 1));
        } else if !ids.insert(chapter.id.as_str()) {
            problems.push(format!("{place}: the id is used twice"));
        }
        if chapter.title.trim().is_empty() {
            problems.push(format!("{place}: the title is empty"));
        }
        for problem in blocks(&chapter.blocks, doc.sources.len()) {
            problems.push(format!("{place}: {problem}"));
        }
    }
    problems
}

/// The block kind's JSON name, for messages.
pub(crate) fn kind_name(block: &Block) -> &'static str {
    match block {
        Block::Heading { .. } => "heading",
        Block::Paragraph { .. } => "paragraph",
        Block::List { .. } => "list",
        Block::Table { .. } => "table",
        Block::Quote { .. } => "quote",
        Block::Callout { .. } => "callout",
        Block::Kpis { .. } => "kpis",
        Block::Chart(_) => "chart",
    }
}

fn block_problems(block: &Block, sources: usize) -> Vec<String> {
    let mut out = Vec::new();
    match block {
        Block::Heading { level, text } => {
            if !(3..=4).contains(level) {
                out.push(format!("level {level}, not 3 or 4"));
            }
            check_text(&mut out, "the text", text);
        }
        Block::Paragraph { spans } => check_spans(&mut out, "the text", spans, sources, true),
        Block::List { items, .. } => {
            if items.is_empty() {
                out.push("no items".to_owned());
            }
            if items.len() > MAX_LIST_ITEMS {
                out.push(format!("{} items, more than {MAX_LIST_ITEMS}", items.len()));
            }
            for (i, item) in items.iter().enumerate() {
                check_spans(&mut out, &format!("item {}", i + 1), item, sources, true);
            }
        }
        Block::Table {
            caption,
            columns,
            rows,
        } => check_table(&mut out, caption.as_deref(), columns, rows, sources),
        Block::Quote { text, source } => {
            check_text(&mut out, "the quote", text);
            check_cite(&mut out, "the source", *source, sources);
        }
        Block::Callout { title, spans, .. } => {
            if let Some(title) = title {
                check_text(&mut out, "the title", title);
            }
            check_spans(&mut out, "the text", spans, sources, true);
        }
        Block::Kpis { cards } => {
            if cards.is_empty() {
                out.push("no cards".to_owned());
            }
            if cards.len() > MAX_KPIS {
                out.push(format!("{} cards, more than {MAX_KPIS}", cards.len()));
            }
            for (i, card) in cards.iter().enumerate() {
                check_kpi(&mut out, i + 1, card, sources);
            }
        }
        Block::Chart(chart) => check_chart(&mut out, chart, sources),
    }
    out
}

fn check_table(
    out: &mut Vec<String>,
    caption: Option<&str>,
    columns: &[String],
    rows: &[Vec<Span>],
    sources: usize,
) {
    if let Some(caption) = caption {
        check_text(out, "the caption", caption);
    }
    if columns.is_empty() {
        out.push("no columns".to_owned());
    }
    if columns.len() > MAX_COLUMNS {
        out.push(format!(
            "{} columns, more than {MAX_COLUMNS}",
            columns.len()
        ));
    }
    for (i, column) in columns.iter().enumerate() {
        check_text(out, &format!("column {}", i + 1), column);
    }
    if rows.is_empty() {
        out.push("no rows".to_owned());
    }
    if rows.len() > MAX_ROWS {
        out.push(format!("{} rows, more than {MAX_ROWS}", rows.len()));
    }
    for (i, row) in rows.iter().enumerate() {
        if row.len() != columns.len() {
            out.push(format!(
                "row {} has {} cells, not {}",
                i + 1,
                row.len(),
                columns.len()
            ));
        }
        // An empty cell is a fact ("none"), so cells may be blank; their cites must still hold.
        check_spans(out, &format!("row {}", i + 1), row, sources, false);
    }
}

fn check_kpi(out: &mut Vec<String>, n: usize, card: &Kpi, sources: usize) {
    let place = format!("card {n}");
    check_text(out, &format!("{place} label"), &card.label);
    check_text(out, &format!("{place} value"), &card.value);
    if let Some(note) = &card.note {
        check_text(out, &format!("{place} note"), note);
    }
    check_cites(out, &place, &card.cites, sources);
}

fn check_chart(out: &mut Vec<String>, chart: &Chart, sources: usize) {
    check_text(out, "the title", &chart.title);
    if let Some(unit) = &chart.unit {
        check_text(out, "the unit", unit);
    }
    let labels = chart.labels.len();
    if labels == 0 {
        out.push("no labels".to_owned());
    }
    if labels > MAX_LABELS {
        out.push(format!("{labels} labels, more than {MAX_LABELS}"));
    }
    for (i, label) in chart.labels.iter().enumerate() {
        check_text(out, &format!("label {}", i + 1), label);
    }
    if chart.series.is_empty() {
        out.push("no series".to_owned());
    }
    if chart.series.len() > MAX_SERIES {
        out.push(format!(
            "{} series, more than {MAX_SERIES}",
            chart.series.len()
        ));
    }
    if chart.kind == ChartKind::Pie && chart.series.len() > 1 {
        out.push(format!(
            "a pie has one series, this one has {}",
            chart.series.len()
        ));
    }
    for (i, series) in chart.series.iter().enumerate() {
        let place = format!("series {}", i + 1);
        if series.name.chars().count() > MAX_TEXT_CHARS {
            out.push(format!(
                "{place} name is longer than {MAX_TEXT_CHARS} characters"
            ));
        }
        if series.values.len() != labels {
            out.push(format!(
                "{place} has {} values for {labels} labels",
                series.values.len()
            ));
        }
        if let Some(bad) = series.values.iter().position(|v| !v.is_finite()) {
            out.push(format!("{place} value {} is not a finite number", bad + 1));
        }
        if chart.kind == ChartKind::Pie {
            if let Some(bad) = series.values.iter().position(|v| *v < 0.0) {
                out.push(format!("{place} value {} is negative in a pie", bad + 1));
            }
            let total: f64 = series.values.iter().filter(|v| v.is_finite()).sum();
            if !series.values.is_empty() && total <= 0.0 {
                out.push(format!("{place} sums to zero: a pie of nothing"));
            }
        }
    }
    if !chart.cites.is_empty() && chart.cites.len() != labels {
        out.push(format!(
            "{} cite lists for {labels} labels (give none, or one per label)",
            chart.cites.len()
        ));
    }
    for (i, cites) in chart.cites.iter().enumerate() {
        check_cites(out, &format!("label {}", i + 1), cites, sources);
    }
}

/// Spans' cites and text; `need_text` when the spans together must say something.
fn check_spans(
    out: &mut Vec<String>,
    place: &str,
    spans: &[Span],
    sources: usize,
    need_text: bool,
) {
    if spans.len() > MAX_SPANS {
        out.push(format!(
            "{place}: {} spans, more than {MAX_SPANS}",
            spans.len()
        ));
    }
    if need_text && spans.iter().all(|s| s.text.trim().is_empty()) {
        out.push(format!("{place} is empty"));
    }
    for span in spans {
        if span.text.chars().count() > MAX_TEXT_CHARS {
            out.push(format!(
                "{place}: a span is longer than {MAX_TEXT_CHARS} characters"
            ));
        }
        check_cites(out, place, &span.cites, sources);
    }
}

fn check_cites(out: &mut Vec<String>, place: &str, cites: &[u32], sources: usize) {
    if cites.len() > MAX_CITES {
        out.push(format!(
            "{place}: {} cites, more than {MAX_CITES}",
            cites.len()
        ));
    }
    for &cite in cites {
        check_cite(out, &format!("{place}: cite"), cite, sources);
    }
}

fn check_cite(out: &mut Vec<String>, place: &str, cite: u32, sources: usize) {
    if !cites_a_source(cite, sources) {
        out.push(format!("{place} {cite} is not a source (1..={sources})"));
    }
}

/// Whether `cite` names one of sources `1..=sources`.
pub(crate) fn cites_a_source(cite: u32, sources: usize) -> bool {
    usize::try_from(cite).is_ok_and(|n| (1..=sources).contains(&n))
}

fn check_text(out: &mut Vec<String>, place: &str, text: &str) {
    if text.trim().is_empty() {
        out.push(format!("{place} is empty"));
    } else if text.chars().count() > MAX_TEXT_CHARS {
        out.push(format!(
            "{place} is longer than {MAX_TEXT_CHARS} characters"
        ));
    }
}

#[cfg(test)]
pub(crate) mod sample;
#[cfg(test)]
mod tests;
