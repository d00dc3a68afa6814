//! What an LLM is asked for one chapter: the chapter's plan, the figures (already computed —
//! the model must not recount), the numbered sources it may cite, which are already quoted,
//! and the JSON shape of a chapter's blocks.
//!
//! The system message starts with `Step: report_chapter`, which names the step for logs and
//! for the mock LLM of the tests. The block shapes it shows are serialised from real
//! [`Block`] values, so the prompt cannot drift from [`crate::document`]. The figures are
//! worded by the same code as the built-in writer's ([`crate::writer`]), percentages included,
//! so an LLM chapter states the same "25%" as a built-in one.
//!
//! The prompt is bounded ([`MAX_PROMPT_BYTES`] in all): at most [`MAX_SOURCES`] sources with
//! excerpts of at most [`SOURCE_EXCERPT_CHARS`] characters, each section within its own
//! budget, so a set of thousands of items asks no more of a model than one of forty.

use std::fmt::Write as _;

use crate::document::{Block, Chart, ChartKind, Kpi, Language, Series, Span, Tone};
use crate::templates::{Angle, ChapterPlan};
use crate::writer::figures::{self, Figures};
use crate::writer::prose::Prose;
use crate::writer::{sources, QuoteBook, WriterInput};

/// The step name the system message opens with.
pub const STEP: &str = "Step: report_chapter";

/// At most this many sources are listed.
pub const MAX_SOURCES: usize = 60;

/// A listed source's excerpt is at most this many characters.
pub const SOURCE_EXCERPT_CHARS: usize = 120;

/// The system and user messages together stay under this many bytes.
pub const MAX_PROMPT_BYTES: usize = 24 * 1024;

/// The user message's sections, each within its budget (bytes): the figures, what the
/// engines and forum said, and the sources. With the system message (about 3 KB) they stay
/// under [`MAX_PROMPT_BYTES`].
const FIGURES_BYTES: usize = 7 * 1024;
const DISCUSSION_BYTES: usize = 3 * 1024;
const SOURCES_BYTES: usize = 10 * 1024;

/// A figure's source numbers are written out up to this many bytes, then "…".
const CITE_LIST_BYTES: usize = 240;

/// Lines added while they fit a byte budget; what did not fit is counted, to say so.
struct Section {
    text: String,
    budget: usize,
    left_out: usize,
}

impl Section {
    fn new(budget: usize) -> Self {
        Self {
            text: String::new(),
            budget,
            left_out: 0,
        }
    }

    fn line(&mut self, line: impl AsRef<str>) {
        let line = line.as_ref();
        if self.text.len() + line.len() + 1 > self.budget {
            self.left_out += 1;
            return;
        }
        self.text.push_str(line);
        self.text.push('\n');
    }

    fn finish(mut self, what: &str) -> String {
        if self.left_out > 0 {
            let _ = writeln!(
                self.text,
                "({} more {what} left out for length)",
                self.left_out
            );
        }
        self.text
    }
}

/// Source numbers as ranges: `1-5,7,9-12`, cut with `…` past [`CITE_LIST_BYTES`].
fn ranges(indexes: &[usize]) -> String {
    let numbers = figures::cites(indexes);
    let mut out = String::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            i += 1;
            end = numbers[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if out.len() > CITE_LIST_BYTES {
            out.push('…');
            return out;
        }
        if end == start {
            let _ = write!(out, "{start}");
        } else {
            let _ = write!(out, "{start}-{end}");
        }
        i += 1;
    }
    if out.is_empty() {
        out.push_str("none");
    }
    out
}

/// One example of each block type, serialised from real values.
fn block_shapes(language: Language) -> String {
    let zh = language == Language::Zh;
    let span = |text: &str, cites: Vec<u32>| Span::cited(text, cites);
    let examples = [
        Block::Heading {
            level: 3,
            text: if zh { "小标题" } else { "A subheading" }.to_owned(),
        },
        Block::Paragraph {
            spans: vec![
                span(
                    if zh {
                        "负面 10 条（25%）"
                    } else {
                        "10 negative (25%)"
                    },
                    vec![2, 5],
                ),
                Span::text(if zh {
                    "，主要关于……"
                } else {
                    ", mostly about …"
                }),
            ],
        },
        Block::List {
            ordered: false,
            items: vec![vec![span("…", vec![3])]],
        },
        Block::Table {
            caption: Some("…".to_owned()),
            columns: vec!["…".to_owned(), "…".to_owned()],
            rows: vec![vec![Span::text("…"), span("…", vec![4])]],
        },
        Block::Quote {
            text: if zh {
                "原文中完整的一句或几句。"
            } else {
                "Whole sentences copied from the source."
            }
            .to_owned(),
            source: 7,
        },
        Block::Callout {
            tone: Tone::Info,
            title: Some("…".to_owned()),
            spans: vec![Span::text("…")],
        },
        Block::Kpis {
            cards: vec![Kpi {
                label: "…".to_owned(),
                value: "40".to_owned(),
                note: Some("…".to_owned()),
                cites: vec![1, 2, 3],
            }],
        },
        Block::Chart(Chart {
            kind: ChartKind::Bar,
            title: "…".to_owned(),
            unit: Some(if zh { "条" } else { "items" }.to_owned()),
            labels: vec!["2026-11-10".to_owned(), "2026-11-11".to_owned()],
            series: vec![Series {
                name: "…".to_owned(),
                values: vec![3.0, 5.0],
            }],
            cites: vec![vec![1, 2, 3], vec![4, 5, 6, 7, 8]],
        }),
    ];
    examples
        .iter()
        .filter_map(|b| serde_json::to_string(b).ok())
        .map(|json| format!("  {json}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn system_message(input: &WriterInput<'_>) -> String {
    let language = match input.language {
        Language::Zh => "Chinese (简体中文)",
        Language::En => "English",
    };
    let sources = input.stats.total;
    format!(
        "{STEP}\n\
You write one chapter of a public-opinion analysis report, in {language}.\n\
\n\
Answer with one JSON object and nothing else: {{\"blocks\":[...]}}. Each block has a \"type\" and is shaped like one of these:\n\
{shapes}\n\
A span is {{\"text\":\"...\",\"cites\":[3,7],\"strong\":false}}; \"cites\" and \"strong\" may be left out. \
A heading's level is 3 or 4 (the chapter's own title is given; do not repeat it). A chart has one value per label in each series, \
\"kind\" is bar, line or pie, and its \"cites\" has one list of source numbers per label. A callout's tone is info, positive, negative or warning.\n\
\n\
Rules:\n\
1. Do not count, add up or compute anything. The figures given were computed once from the evidence set; state them exactly as given, \
with what they mean, or leave them out. Never write a number that is not among the figures or in a source.\n\
2. Every number and every quote cites the sources it rests on, by number (1 to {sources}). A figure's sources are listed with it; \
\"1-5\" means 1, 2, 3, 4 and 5.\n\
3. A quote block copies whole sentences of one source exactly, never cut inside a #hashtag#, and gives that source's number. \
Quote each source at most once, and never one marked as already quoted.\n\
4. The engines' and forum's words are their opinions; their numbers are stale, so do not repeat them.\n\
5. Spell platform names as the source list does. Write readable prose in {language}, not a list of fragments.",
        shapes = block_shapes(input.language),
    )
}

/// The figures, each with its meaning and its sources.
fn figure_lines(input: &WriterInput<'_>) -> String {
    let f = Figures::of(input);
    // Figures are worded in English (the rules are), platforms as the source list names them.
    let p = Prose { zh: false };
    let names = Prose::of(input.language);
    let stats = input.stats;
    let mut s = Section::new(FIGURES_BYTES);
    s.line(format!("Time zone for days: {}", figures::zone_name(stats)));
    s.line(format!(
        "- Items in the evidence set: {} ({}) [sources {}]",
        stats.total,
        p.kinds(&stats.kinds).join(", "),
        ranges(&f.all())
    ));
    if let Some(peak) = f.peak() {
        s.line(format!(
            "- Days covered: {}; busiest day {} with {} [sources {}]",
            stats.per_day.len(),
            peak.key,
            p.items(peak.count()),
            ranges(&peak.items)
        ));
    }
    if !stats.undated.is_empty() {
        s.line(format!(
            "- Items without a publication time: {} [sources {}]",
            stats.undated.len(),
            ranges(&stats.undated)
        ));
    }
    let shares = f.platform_shares();
    for (platform, share) in stats.platforms.iter().zip(&shares) {
        s.line(format!(
            "- Platform {}: {}, {} [sources {}]",
            names.platform(&platform.key),
            p.items(platform.count()),
            share.text,
            ranges(&platform.items)
        ));
    }
    let [pos, neu, neg] = f.sentiment_shares();
    let split = &stats.sentiment;
    for (name, items, share) in [
        ("positive", &split.positive, pos),
        ("neutral", &split.neutral, neu),
        ("negative", &split.negative, neg),
    ] {
        s.line(format!(
            "- Sentiment {name}: {}, {} [sources {}]",
            p.items(items.len()),
            share.text,
            ranges(items)
        ));
    }
    s.line(format!(
        "- Mean sentiment score: {} ({} overall) [sources {}]",
        f.mean(),
        Figures { prose: p, ..f }.mean_meaning(),
        ranges(&f.all())
    ));
    s.line(format!(
        "- How to read the score: {}",
        figures::scale_explanation(Language::En)
    ));
    let e = &stats.engagement;
    s.line(format!(
        "- Engagement in all: {} (likes {}, comments {}, shares {}, saves {}) [sources {}]",
        p.number(e.total),
        p.number(e.likes),
        p.number(e.comments),
        p.number(e.shares),
        p.number(e.saves),
        ranges(&figures::engaged(input))
    ));
    for (rank, &i) in stats.top.iter().enumerate() {
        if let Some(item) = input.evidence.items.get(i) {
            s.line(format!(
                "- Most engaged #{}: source {} with {} interactions",
                rank + 1,
                i + 1,
                p.number(item.engagement())
            ));
        }
    }
    for k in &stats.keywords {
        s.line(format!(
            "- Recurring word “{}”: held by {} [sources {}]",
            k.key,
            p.items(k.count()),
            ranges(&k.items)
        ));
    }
    for day in &stats.per_day {
        s.line(format!(
            "- Day {}: {} [sources {}]",
            day.key,
            p.items(day.count()),
            ranges(&day.items)
        ));
    }
    s.finish("figures")
}

/// What the engines and the forum said, figures left out, for the chapters that draw on it.
fn discussion_lines(input: &WriterInput<'_>, plan: &ChapterPlan) -> String {
    if !matches!(
        plan.angle,
        Angle::Engines | Angle::Forum | Angle::General | Angle::Outlook | Angle::Summary
    ) {
        return String::new();
    }
    let p = Prose::of(input.language);
    let mut s = Section::new(DISCUSSION_BYTES);
    for engine in input.engines {
        for (title, summary) in &engine.paragraphs {
            let said = crate::writer::digest::digest(summary, p);
            s.line(format!(
                "- {} engine, “{}”: {said}",
                engine.engine,
                title.trim()
            ));
        }
    }
    let said = input
        .forum
        .iter()
        .filter(|line| !line.speaker.eq_ignore_ascii_case("system"));
    let latest: Vec<_> = said.rev().take(12).collect();
    for line in latest.into_iter().rev() {
        let said = crate::writer::digest::digest(&line.content, p);
        if !said.is_empty() {
            s.line(format!("- Forum, {}: {said}", line.speaker));
        }
    }
    s.finish("lines")
}

/// The sources to list, most useful first: the most engaged, then the chapter's side
/// (negative items for complaints, positive for support), then the rest in rank order, the
/// already quoted last; at most [`MAX_SOURCES`], listed in number order.
fn listed_sources(input: &WriterInput<'_>, plan: &ChapterPlan, quotes: &QuoteBook) -> Vec<usize> {
    let stats = input.stats;
    let side: &[usize] = match plan.angle {
        Angle::Complaints => &stats.sentiment.negative,
        Angle::Support => &stats.sentiment.positive,
        _ => &[],
    };
    let mut order: Vec<usize> = Vec::new();
    let fresh = |i: &usize| !quotes.is_quoted(*i);
    order.extend(side.iter().copied().filter(fresh));
    order.extend(stats.top.iter().copied().filter(fresh));
    order.extend((0..stats.total).filter(fresh));
    order.extend(quotes.used.iter().copied().filter(|&i| i < stats.total));
    let mut seen = std::collections::HashSet::new();
    order.retain(|i| seen.insert(*i));
    order.truncate(MAX_SOURCES);
    order
}

fn source_lines(input: &WriterInput<'_>, listed: &[usize], quotes: &QuoteBook) -> String {
    let p = Prose::of(input.language);
    let offset = sources::offset(input);
    let mut s = Section::new(SOURCES_BYTES);
    let mut sorted = listed.to_vec();
    sorted.sort_unstable();
    for i in sorted {
        let Some(item) = input.evidence.items.get(i) else {
            continue;
        };
        let platform = p.platform(&text_analysis::platform::canonical(&item.platform));
        let day = sources::day(item, offset).unwrap_or_else(|| "undated".to_owned());
        let excerpt = sources::excerpt(sources::body(item), SOURCE_EXCERPT_CHARS);
        let mark = if quotes.is_quoted(i) {
            " (already quoted)"
        } else {
            ""
        };
        s.line(format!(
            "[{}] {platform} · {day} · {:?} · engagement {}{mark}",
            i + 1,
            item.leaning,
            item.engagement()
        ));
        s.line(format!("    {excerpt}"));
    }
    s.finish("lines")
}

/// The system and user messages asking for `plan`.
pub fn chapter_prompt(
    input: &WriterInput<'_>,
    plan: &ChapterPlan,
    quotes: &QuoteBook,
) -> (String, String) {
    let system = system_message(input);
    let listed = listed_sources(input, plan, quotes);
    let language = match input.language {
        Language::Zh => "Chinese",
        Language::En => "English",
    };
    let mut user = String::new();
    let _ = writeln!(user, "Query: {}", input.query);
    let _ = writeln!(user, "Language: {language}");
    let _ = writeln!(
        user,
        "Chapter: {} (id `{}`, angle {:?})",
        plan.title, plan.id, plan.angle
    );
    let _ = writeln!(user, "What it covers: {}", plan.intent);
    let _ = writeln!(
        user,
        "\nFigures (state them as given):\n{}",
        figure_lines(input)
    );
    let discussion = discussion_lines(input, plan);
    if !discussion.is_empty() {
        let _ = writeln!(
            user,
            "What the engines and the forum said (numbers removed):\n{discussion}"
        );
    }
    let quoted: Vec<usize> = quotes
        .used
        .iter()
        .copied()
        .filter(|&i| i < input.stats.total)
        .collect();
    let _ = writeln!(
        user,
        "Sources: {} in all, numbered 1 to {}; {} listed below (platform · day · leaning · engagement, then an excerpt).",
        input.stats.total,
        input.stats.total,
        listed.len()
    );
    if !quoted.is_empty() {
        let _ = writeln!(
            user,
            "Already quoted in earlier chapters (do not quote again): {}",
            ranges(&quoted)
        );
    }
    user.push_str(&source_lines(input, &listed, quotes));
    if input.stats.total == 0 {
        user.push_str(
            "Nothing was found for this query: say so plainly in one short paragraph, cite nothing, and do not invent figures.\n",
        );
    }
    (system, user)
}

#[cfg(test)]
mod tests;
