//! A chapter's blocks as HTML, and the citations every block carries: a cited text is
//! followed by superscript links `[n]` to `#src-n`, or, past [`MANY_CITES`], by a folded
//! `<details>` ("48 条来源") that opens on every link, so a claim reaches each of its posts
//! in one click without burying the sentence under numbers.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::escape::escape;
use super::words::{self, Words};
use crate::charts;
use crate::document::{Block, Chart, Document, Kpi, Language, SourceRef, Span, Tone};

/// More cites than this on one claim fold into a `<details>`.
pub(crate) const MANY_CITES: usize = 5;

/// What block rendering needs of the document.
pub(super) struct Page<'a> {
    pub doc: &'a Document,
    pub language: Language,
    pub words: &'static Words,
}

impl Page<'_> {
    /// Source `n`, if the document has it.
    pub(super) fn source(&self, n: u32) -> Option<&SourceRef> {
        let index = usize::try_from(n).ok()?.checked_sub(1)?;
        match self.doc.sources.get(index) {
            Some(source) if source.n == n => Some(source),
            // Misnumbered sources (an invalid document) are still found by number.
            _ => self.doc.sources.iter().find(|s| s.n == n),
        }
    }

    /// One block.
    pub(super) fn block(&self, out: &mut String, block: &Block) {
        match block {
            Block::Heading { level, text } => {
                let level = (*level).clamp(3, 4);
                let _ = writeln!(out, "<h{level}>{}</h{level}>", escape(text));
            }
            Block::Paragraph { spans } => self.paragraph(out, spans, ""),
            Block::List { ordered, items } => {
                let tag = if *ordered { "ol" } else { "ul" };
                let _ = write!(out, "<{tag}>");
                for item in items {
                    out.push_str("<li>");
                    self.spans(out, item);
                    out.push_str("</li>");
                }
                let _ = writeln!(out, "</{tag}>");
            }
            Block::Table {
                caption,
                columns,
                rows,
            } => self.table(out, caption.as_deref(), columns, rows),
            Block::Quote { text, source } => self.quote(out, text, *source),
            Block::Callout { tone, title, spans } => {
                self.callout(out, *tone, title.as_deref(), spans)
            }
            Block::Kpis { cards } => self.kpis(out, cards),
            Block::Chart(chart) => self.chart(out, chart),
        }
    }

    /// A paragraph: `<p>`, or a `<div class="p">` when a span folds its cites into a
    /// `<details>`, which HTML does not allow inside `<p>` (the parser would end it there).
    fn paragraph(&self, out: &mut String, spans: &[Span], class: &str) {
        let folds = spans.iter().any(|s| distinct(&s.cites).len() > MANY_CITES);
        let (open, close) = if folds {
            (format!(r#"<div class="p{class}">"#), "</div>")
        } else if class.is_empty() {
            ("<p>".to_owned(), "</p>")
        } else {
            (format!(r#"<p class="{}">"#, class.trim()), "</p>")
        };
        out.push_str(&open);
        self.spans(out, spans);
        out.push_str(close);
        out.push('\n');
    }

    pub(super) fn spans(&self, out: &mut String, spans: &[Span]) {
        for span in spans {
            if span.strong {
                let _ = write!(out, "<strong>{}</strong>", escape(&span.text));
            } else {
                out.push_str(&escape(&span.text));
            }
            self.cites(out, &span.cites);
        }
    }

    /// The links of `cites`; see the module doc.
    pub(super) fn cites(&self, out: &mut String, cites: &[u32]) {
        let cites = distinct(cites);
        if cites.is_empty() {
            return;
        }
        if cites.len() > MANY_CITES {
            let _ = write!(
                out,
                r#"<details class="cites"><summary>{}</summary><span class="cite-list">"#,
                escape(&words::source_count(self.language, cites.len()))
            );
            for (i, &n) in cites.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                self.cite_link(out, n);
            }
            out.push_str("</span></details>");
        } else {
            out.push_str(r#"<sup class="cite">"#);
            for &n in &cites {
                self.cite_link(out, n);
            }
            out.push_str("</sup>");
        }
    }

    /// `[n]` linking to source `n`; plain text when the document has no such source, so a
    /// link never leads nowhere.
    fn cite_link(&self, out: &mut String, n: u32) {
        if self.source(n).is_some() {
            let _ = write!(out, "<a href=\"#src-{n}\">[{n}]</a>");
        } else {
            let _ = write!(out, "<span class=\"cite-missing\">[{n}]</span>");
        }
    }

    fn table(
        &self,
        out: &mut String,
        caption: Option<&str>,
        columns: &[String],
        rows: &[Vec<Span>],
    ) {
        out.push_str(r#"<div class="table-wrap"><table>"#);
        if let Some(caption) = caption {
            let _ = write!(out, "<caption>{}</caption>", escape(caption));
        }
        out.push_str("<thead><tr>");
        for column in columns {
            let _ = write!(out, r#"<th scope="col">{}</th>"#, escape(column));
        }
        out.push_str("</tr></thead><tbody>");
        for row in rows {
            out.push_str("<tr>");
            for cell in row {
                let numeric = is_numeric(&cell.text);
                out.push_str(if numeric {
                    r#"<td class="num">"#
                } else {
                    "<td>"
                });
                self.spans(out, std::slice::from_ref(cell));
                out.push_str("</td>");
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div>\n");
    }

    fn quote(&self, out: &mut String, text: &str, n: u32) {
        let w = self.words;
        let _ = write!(
            out,
            r#"<blockquote class="quote"><p>{}{}{}</p><footer>— "#,
            w.open_quote,
            escape(text),
            w.close_quote
        );
        self.cite_link(out, n);
        if let Some(source) = self.source(n) {
            let meta = source_meta(source);
            if !meta.is_empty() {
                let _ = write!(out, " {}", escape(&meta));
            }
        }
        out.push_str("</footer></blockquote>\n");
    }

    fn callout(&self, out: &mut String, tone: Tone, title: Option<&str>, spans: &[Span]) {
        let tone_class = match tone {
            Tone::Info => "info",
            Tone::Positive => "positive",
            Tone::Negative => "negative",
            Tone::Warning => "warning",
        };
        let title = title.unwrap_or_else(|| words::tone(self.language, tone));
        let _ = write!(
            out,
            r#"<aside class="callout tone-{tone_class}" role="note"><p class="callout-title">{}</p>"#,
            escape(title)
        );
        // Always a div: a callout's text may fold its cites.
        out.push_str(r#"<div class="p">"#);
        self.spans(out, spans);
        out.push_str("</div></aside>\n");
    }

    fn kpis(&self, out: &mut String, cards: &[Kpi]) {
        out.push_str(r#"<div class="kpis">"#);
        for card in cards {
            let _ = write!(
                out,
                r#"<div class="kpi"><div class="kpi-value">{}</div><div class="kpi-label">{}"#,
                escape(&card.value),
                escape(&card.label)
            );
            self.cites(out, &card.cites);
            out.push_str("</div>");
            if let Some(note) = &card.note {
                let _ = write!(out, r#"<div class="kpi-note">{}</div>"#, escape(note));
            }
            out.push_str("</div>");
        }
        out.push_str("</div>\n");
    }

    /// The chart drawn, then its numbers as a folded table with each label's sources.
    fn chart(&self, out: &mut String, chart: &Chart) {
        let w = self.words;
        let caption = match &chart.unit {
            Some(unit) => format!("{}{}{unit}{}", chart.title, w.open_paren, w.close_paren),
            None => chart.title.clone(),
        };
        let _ = write!(
            out,
            r#"<figure class="chart"><figcaption>{}</figcaption>{}"#,
            escape(&caption),
            charts::svg(chart)
        );
        let _ = write!(
            out,
            r#"<details class="chart-data"><summary>{}</summary><div class="table-wrap"><table><thead><tr><th scope="col">{}</th>"#,
            w.data, w.item
        );
        for series in &chart.series {
            let name = if series.name.trim().is_empty() {
                w.value
            } else {
                series.name.as_str()
            };
            let _ = write!(out, r#"<th scope="col">{}</th>"#, escape(name));
        }
        let with_cites = !chart.cites.is_empty();
        if with_cites {
            let _ = write!(out, r#"<th scope="col">{}</th>"#, w.sources);
        }
        out.push_str("</tr></thead><tbody>");
        for (i, label) in chart.labels.iter().enumerate() {
            let _ = write!(out, r#"<tr><th scope="row">{}</th>"#, escape(label));
            for series in &chart.series {
                let value = series.values.get(i).copied().unwrap_or(f64::NAN);
                let _ = write!(out, r#"<td class="num">{}</td>"#, charts::value_text(value));
            }
            if with_cites {
                out.push_str("<td>");
                self.cites(out, chart.cites.get(i).map_or(&[], Vec::as_slice));
                out.push_str("</td>");
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div></details></figure>\n");
    }
}

/// `platform · author · day`, the parts a source has.
pub(crate) fn source_meta(source: &SourceRef) -> String {
    let parts: Vec<&str> = [
        Some(source.platform.as_str()),
        source.author.as_deref(),
        source.published.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .filter(|p| !p.is_empty())
    .collect();
    parts.join(" · ")
}

/// `cites` without repeats, in their first order.
pub(crate) fn distinct(cites: &[u32]) -> Vec<u32> {
    let mut seen = HashSet::with_capacity(cites.len());
    cites.iter().copied().filter(|&n| seen.insert(n)).collect()
}

/// Whether a cell holds a figure (`48`, `62%`, `-1.5`, `12,345`), to align it right.
pub(crate) fn is_numeric(text: &str) -> bool {
    let text = text.trim();
    let body = text.strip_suffix('%').unwrap_or(text);
    let body = body.strip_prefix(['-', '+']).unwrap_or(body);
    !body.is_empty()
        && body.starts_with(|c: char| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}
