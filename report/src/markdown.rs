//! The report as Markdown: chapters, tables, quotes, charts as tables, footnote-style source
//! links `[n]` and the numbered source list.
//!
//! Citations are links, `[\[3\]](#src-3)` (shown as `[3]`), to an anchor `<a id="src-3"></a>` opening each
//! entry of the source list, rather than `[^3]` footnotes: footnote renderers drop sources
//! no claim cites and renumber the rest, while the list must show every source under its own
//! number. A claim with more than `MANY_CITES` sources says how many and lists them,
//! `（8 条来源：[1](#src-1)–[8](#src-8)）` (consecutive sources as a range), so a claim
//! stays readable and each source it names one click away.
//!
//! Text from the document is escaped (`escape`) so a post's `*`, `_`, `[`, `|` or `<b>`
//! is shown, never read as Markdown or HTML, and newlines inside text become spaces (a blank
//! line would end the block it is in).

mod escape;

use std::fmt::Write as _;

use escape::{escape, escape_block_start, link_target};

use crate::charts::value_text;
use crate::document::{Block, Chart, Document, Kpi, Language, SourceRef, Span};
use crate::html::words::{self, Words};
use crate::html::{chapter_anchor, distinct, is_numeric, source_meta, MANY_CITES};

/// The report as Markdown.
pub fn render(doc: &Document) -> String {
    let md = Markdown {
        doc,
        language: doc.language,
        words: words::words(doc.language),
    };
    let mut out = String::with_capacity(32 * 1024);
    md.header(&mut out);
    for chapter in &doc.chapters {
        let _ = write!(
            out,
            "<a id=\"{}\"></a>\n\n## {}\n\n",
            chapter_anchor(&chapter.id),
            escape(&chapter.title)
        );
        for block in &chapter.blocks {
            md.block(&mut out, block);
        }
        if let Some(origin) = words::origin(md.language, &chapter.origin) {
            let _ = write!(out, "*{}*\n\n", escape(&origin));
        }
    }
    md.sources(&mut out);
    md.notes(&mut out);
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

struct Markdown<'a> {
    doc: &'a Document,
    language: Language,
    words: &'static Words,
}

impl Markdown<'_> {
    fn header(&self, out: &mut String) {
        let (doc, w) = (self.doc, self.words);
        let _ = write!(out, "# {}\n\n", escape(&doc.title));
        if let Some(subtitle) = doc.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = write!(out, "*{}*\n\n", escape(subtitle));
        }
        // Lines of one paragraph, each ended by a hard break (a backslash) but the last.
        let mut meta = Vec::new();
        if let Some(at) = words::generated_at(doc.generated_at, &doc.time_zone) {
            meta.push(format!("{}{}{}", w.generated, w.colon, escape(&at.human)));
        }
        meta.push(format!("{}{}{}", w.query, w.colon, escape(&doc.query)));
        meta.push(format!(
            "{}{}{}",
            w.template,
            w.colon,
            escape(&words::template_name(self.language, &doc.template))
        ));
        let _ = write!(out, "{}\n\n", meta.join("\\\n"));
        let _ = write!(out, "## {}\n\n", w.contents);
        for (i, chapter) in doc.chapters.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. [{}](#{})",
                i + 1,
                escape(&chapter.title),
                chapter_anchor(&chapter.id)
            );
        }
        let _ = write!(out, "\n[{}](#sources)", w.sources);
        if !doc.notes.is_empty() {
            let _ = write!(out, " · [{}](#notes)", w.notes);
        }
        out.push_str("\n\n");
    }

    fn block(&self, out: &mut String, block: &Block) {
        match block {
            Block::Heading { level, text } => {
                let hashes = "#".repeat(usize::from((*level).clamp(3, 4)));
                let _ = write!(out, "{hashes} {}\n\n", escape(text));
            }
            Block::Paragraph { spans } => {
                let _ = write!(out, "{}\n\n", escape_block_start(&self.spans(spans)));
            }
            Block::List { ordered, items } => {
                for (i, item) in items.iter().enumerate() {
                    let marker = if *ordered {
                        format!("{}.", i + 1)
                    } else {
                        "-".to_owned()
                    };
                    let _ = writeln!(out, "{marker} {}", escape_block_start(&self.spans(item)));
                }
                out.push('\n');
            }
            Block::Table {
                caption,
                columns,
                rows,
            } => {
                if let Some(caption) = caption {
                    let _ = write!(out, "**{}**\n\n", escape(caption));
                }
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|c| self.spans(std::slice::from_ref(c)))
                            .collect()
                    })
                    .collect();
                let numeric: Vec<bool> = (0..columns.len())
                    .map(|c| {
                        !rows.is_empty()
                            && rows
                                .iter()
                                .all(|r| r.get(c).is_some_and(|s| is_numeric(&s.text)))
                    })
                    .collect();
                let header: Vec<String> = columns.iter().map(|c| escape(c)).collect();
                table(out, &header, &numeric, &cells);
            }
            Block::Quote { text, source } => self.quote(out, text, *source),
            Block::Callout { tone, title, spans } => {
                let title = title
                    .as_deref()
                    .unwrap_or_else(|| words::tone(self.language, *tone));
                let _ = write!(
                    out,
                    "> **{}**\n>\n> {}\n\n",
                    escape(title),
                    escape_block_start(&self.spans(spans))
                );
            }
            Block::Kpis { cards } => self.kpis(out, cards),
            Block::Chart(chart) => self.chart(out, chart),
        }
    }

    /// Spans as one line of inline Markdown, each followed by its citations.
    fn spans(&self, spans: &[Span]) -> String {
        let mut line = String::new();
        for span in spans {
            if span.strong {
                line.push_str(&strong(&span.text));
            } else {
                line.push_str(&escape(&span.text));
            }
            line.push_str(&self.cites(&span.cites));
        }
        line
    }

    /// `[\[1\]](#src-1)[\[2\]](#src-2)`, or past `MANY_CITES` the count and the numbers.
    fn cites(&self, cites: &[u32]) -> String {
        let cites = distinct(cites);
        if cites.is_empty() {
            return String::new();
        }
        if cites.len() > MANY_CITES {
            let w = self.words;
            let links = self.runs(&cites);
            return format!(
                "{}{}{}{}{}",
                w.open_paren,
                words::source_count(self.language, cites.len()),
                w.colon,
                links.join(w.comma),
                w.close_paren
            );
        }
        cites.iter().map(|&n| self.cite(n, true)).collect()
    }

    /// Many citations, runs of three or more consecutive sources written as a range
    /// (`[3](#src-3)–[9](#src-9)`), so a claim resting on the whole set stays one line; every
    /// source named is still a link.
    fn runs(&self, cites: &[u32]) -> Vec<String> {
        let mut pieces = Vec::new();
        let mut i = 0;
        while i < cites.len() {
            let mut j = i;
            while j + 1 < cites.len() && cites[j + 1] == cites[j] + 1 {
                j += 1;
            }
            if j - i >= 2 {
                pieces.push(format!(
                    "{}–{}",
                    self.cite(cites[i], false),
                    self.cite(cites[j], false)
                ));
            } else {
                pieces.extend(cites[i..=j].iter().map(|&n| self.cite(n, false)));
            }
            i = j + 1;
        }
        pieces
    }

    /// One citation; plain text when the document has no such source.
    fn cite(&self, n: u32, bracketed: bool) -> String {
        let known = self.doc.sources.iter().any(|s| s.n == n);
        match (known, bracketed) {
            (true, true) => format!("[\\[{n}\\]](#src-{n})"),
            (true, false) => format!("[{n}](#src-{n})"),
            (false, true) => format!("\\[{n}\\]"),
            (false, false) => n.to_string(),
        }
    }

    fn quote(&self, out: &mut String, text: &str, n: u32) {
        let w = self.words;
        let _ = write!(
            out,
            "> {}{}{} {}",
            w.open_quote,
            escape(text),
            w.close_quote,
            self.cite(n, true)
        );
        if let Some(source) = self.doc.sources.iter().find(|s| s.n == n) {
            let meta = source_meta(source);
            if !meta.is_empty() {
                let _ = write!(out, " — {}", escape(&meta));
            }
        }
        out.push_str("\n\n");
    }

    fn kpis(&self, out: &mut String, cards: &[Kpi]) {
        let w = self.words;
        let with_notes = cards.iter().any(|c| c.note.is_some());
        let mut header = vec![w.kpi_label.to_owned(), w.value.to_owned()];
        if with_notes {
            header.push(w.kpi_note.to_owned());
        }
        let rows: Vec<Vec<String>> = cards
            .iter()
            .map(|card| {
                let mut row = vec![
                    escape(&card.label),
                    format!("{}{}", escape(&card.value), self.cites(&card.cites)),
                ];
                if with_notes {
                    row.push(card.note.as_deref().map(escape).unwrap_or_default());
                }
                row
            })
            .collect();
        table(out, &header, &[false, true, false], &rows);
    }

    /// A chart as its title and a table of its numbers, with each label's sources.
    fn chart(&self, out: &mut String, chart: &Chart) {
        let w = self.words;
        let title = match &chart.unit {
            Some(unit) => format!("{}{}{unit}{}", chart.title, w.open_paren, w.close_paren),
            None => chart.title.clone(),
        };
        let _ = write!(out, "**{}**\n\n", escape(&title));
        let mut header = vec![w.item.to_owned()];
        header.extend(chart.series.iter().map(|s| {
            if s.name.trim().is_empty() {
                w.value.to_owned()
            } else {
                escape(&s.name)
            }
        }));
        let with_cites = !chart.cites.is_empty();
        if with_cites {
            header.push(w.sources.to_owned());
        }
        let mut numeric = vec![false];
        numeric.extend(chart.series.iter().map(|_| true));
        numeric.push(false);
        let rows: Vec<Vec<String>> = chart
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let mut row = vec![escape(label)];
                row.extend(
                    chart
                        .series
                        .iter()
                        .map(|s| value_text(s.values.get(i).copied().unwrap_or(f64::NAN))),
                );
                if with_cites {
                    row.push(self.cites(chart.cites.get(i).map_or(&[], Vec::as_slice)));
                }
                row
            })
            .collect();
        table(out, &header, &numeric, &rows);
    }

    fn sources(&self, out: &mut String) {
        let _ = write!(
            out,
            "<a id=\"sources\"></a>\n\n## {}\n\n",
            self.words.sources
        );
        for source in &self.doc.sources {
            self.source(out, source);
        }
        out.push('\n');
    }

    /// `- <a id="src-n"></a>**[n]** platform · author · day — excerpt — link`.
    fn source(&self, out: &mut String, source: &SourceRef) {
        let n = source.n;
        let _ = write!(
            out,
            "- <a id=\"src-{n}\"></a>**\\[{n}\\]** {}",
            escape(&source_meta(source))
        );
        if !source.excerpt.trim().is_empty() {
            let _ = write!(out, " — {}", escape(&source.excerpt));
        }
        let url = source.url.as_deref().or(match &source.item {
            storage::model::ItemRef::Web(url) => Some(url.as_str()),
            _ => None,
        });
        let place = match url {
            Some(url) => match link_target(url) {
                Some(target) => format!("[{}]({target})", escape(url.trim())),
                None => escape(url),
            },
            None => escape(&words::item_ref(self.language, &source.item)),
        };
        let _ = writeln!(out, " — {place}");
    }

    fn notes(&self, out: &mut String) {
        if self.doc.notes.is_empty() {
            return;
        }
        let _ = write!(out, "<a id=\"notes\"></a>\n\n## {}\n\n", self.words.notes);
        for note in &self.doc.notes {
            let _ = writeln!(out, "- {}", escape_block_start(&escape(note)));
        }
        out.push('\n');
    }
}

/// `text` in bold. The `**` go around its letters and digits only, leaving spaces and
/// punctuation at either end outside: CommonMark does not open or close emphasis next to a
/// space, nor between punctuation and a letter (`中文**“强调”**中文` stays unbolded).
fn strong(text: &str) -> String {
    let core_start = text.find(char::is_alphanumeric);
    let core_end = text
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_alphanumeric())
        .map(|(at, c)| at + c.len_utf8());
    match (core_start, core_end) {
        (Some(start), Some(end)) => format!(
            "{}**{}**{}",
            escape(&text[..start]),
            escape(&text[start..end]),
            escape(&text[end..])
        ),
        _ => escape(text),
    }
}

/// A table; `numeric[c]` aligns column `c` right. Rows are padded or cut to the header.
fn table(out: &mut String, header: &[String], numeric: &[bool], rows: &[Vec<String>]) {
    let cell = |text: &str| {
        if text.trim().is_empty() {
            " ".to_owned()
        } else {
            text.to_owned()
        }
    };
    let _ = writeln!(
        out,
        "| {} |",
        header
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let rule: Vec<&str> = (0..header.len())
        .map(|c| {
            if numeric.get(c).copied().unwrap_or(false) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for row in rows {
        let cells: Vec<String> = (0..header.len())
            .map(|c| cell(row.get(c).map_or("", String::as_str)))
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests;
