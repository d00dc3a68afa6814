//! The self-contained HTML report: inline CSS and SVG charts, no script or CDN, readable on a
//! phone and in print; every cited claim links to its numbered source, and every source to its
//! page.
//!
//! The page, in order: the title, subtitle and when and for what it was made; a table of
//! contents linking each chapter (`#ch-<id>`); the chapters (`blocks`); the numbered
//! sources (`#src-n`: platform, author, day, excerpt, and the post's URL as a link, or what
//! the item is in storage when it has none); the notes. Everything taken from the document is
//! escaped (`escape`), and only `http`/`https` URLs become links; a report is made of what
//! strangers posted, so nothing in it may act as markup.

mod blocks;
pub(crate) mod escape;
mod style;
pub(crate) mod words;

use std::fmt::Write as _;

use blocks::Page;
use escape::{escape, http_url};

use crate::document::{Chapter, Document, Language, SourceRef};

pub(crate) use blocks::{distinct, is_numeric, source_meta, MANY_CITES};

/// The report as one HTML page.
pub fn render(doc: &Document) -> String {
    let page = Page {
        doc,
        language: doc.language,
        words: words::words(doc.language),
    };
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, doc);
    out.push_str("<body>\n");
    header(&mut out, &page);
    contents(&mut out, &page);
    out.push_str("<main>\n");
    for chapter in &doc.chapters {
        chapter_section(&mut out, &page, chapter);
    }
    out.push_str("</main>\n");
    sources(&mut out, &page);
    notes(&mut out, &page);
    out.push_str("<footer class=\"colophon\">BettaFish-rs</footer>\n</body>\n</html>\n");
    out
}

/// The anchor of a chapter: `ch-` and its id, with any character outside `[A-Za-z0-9_-]`
/// written as `.` and its code point in hex, so ids from custom templates stay distinct and
/// the anchor needs no escaping in a URL.
pub(crate) fn chapter_anchor(id: &str) -> String {
    let mut anchor = String::from("ch-");
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            anchor.push(c);
        } else {
            let _ = write!(anchor, ".{:x}", u32::from(c));
        }
    }
    anchor
}

fn head(out: &mut String, doc: &Document) {
    let lang = match doc.language {
        Language::Zh => "zh-CN",
        Language::En => "en",
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"BettaFish-rs\">\n<title>{}</title>\n<style>{}</style>\n</head>\n",
        escape(&doc.title),
        style::CSS
    );
}

fn header(out: &mut String, page: &Page<'_>) {
    let (doc, w) = (page.doc, page.words);
    let _ = write!(
        out,
        "<header id=\"top\">\n<h1>{}</h1>\n",
        escape(&doc.title)
    );
    if let Some(subtitle) = doc.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape(subtitle));
    }
    out.push_str("<p class=\"meta\">");
    if let Some(at) = words::generated_at(doc.generated_at, &doc.time_zone) {
        let _ = write!(
            out,
            "{}{}<time datetime=\"{}\">{}</time><br>",
            w.generated,
            w.colon,
            escape(&at.machine),
            escape(&at.human)
        );
    }
    let _ = write!(
        out,
        "{}{}{}<br>{}{}{}</p>\n</header>\n",
        w.query,
        w.colon,
        escape(&doc.query),
        w.template,
        w.colon,
        escape(&words::template_name(page.language, &doc.template))
    );
}

fn contents(out: &mut String, page: &Page<'_>) {
    let (doc, w) = (page.doc, page.words);
    let _ = write!(
        out,
        "<nav class=\"toc\" aria-labelledby=\"toc-title\">\n<h2 id=\"toc-title\">{}</h2>\n<ol>",
        w.contents
    );
    for chapter in &doc.chapters {
        let _ = write!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            escape(&chapter_anchor(&chapter.id)),
            escape(&chapter.title)
        );
    }
    let _ = write!(
        out,
        "</ol>\n<p class=\"more\"><a href=\"#sources\">{}</a>{}{}{}",
        w.sources,
        w.open_paren,
        doc.sources.len(),
        w.close_paren
    );
    if !doc.notes.is_empty() {
        let _ = write!(out, " · <a href=\"#notes\">{}</a>", w.notes);
    }
    out.push_str("</p>\n</nav>\n");
}

fn chapter_section(out: &mut String, page: &Page<'_>, chapter: &Chapter) {
    let _ = write!(
        out,
        "<section class=\"chapter\" id=\"{}\">\n<h2>{}</h2>\n",
        escape(&chapter_anchor(&chapter.id)),
        escape(&chapter.title)
    );
    for block in &chapter.blocks {
        page.block(out, block);
    }
    if let Some(origin) = words::origin(page.language, &chapter.origin) {
        let _ = writeln!(out, "<p class=\"origin\">{}</p>", escape(&origin));
    }
    let _ = write!(
        out,
        "<p class=\"back\"><a href=\"#toc-title\">{}</a></p>\n</section>\n",
        page.words.back_to_contents
    );
}

fn sources(out: &mut String, page: &Page<'_>) {
    let _ = write!(
        out,
        "<section class=\"sources\" id=\"sources\">\n<h2>{}</h2>\n<ol class=\"source-list\">\n",
        page.words.sources
    );
    for source in &page.doc.sources {
        source_item(out, page.language, source);
    }
    out.push_str("</ol>\n</section>\n");
}

/// One source: `[n] platform · author · day excerpt URL`.
fn source_item(out: &mut String, language: Language, source: &SourceRef) {
    let n = source.n;
    let _ = write!(
        out,
        "<li id=\"src-{n}\"><span class=\"src-num\">[{n}]</span><span class=\"src-meta\">{}</span> ",
        escape(&blocks::source_meta(source))
    );
    if !source.excerpt.trim().is_empty() {
        let _ = write!(
            out,
            "<span class=\"src-excerpt\">{}</span> ",
            escape(&source.excerpt)
        );
    }
    let url = source.url.as_deref().or(match &source.item {
        storage::model::ItemRef::Web(url) => Some(url.as_str()),
        _ => None,
    });
    match url {
        Some(url) => match http_url(url) {
            Some(href) => {
                let _ = write!(
                    out,
                    "<a class=\"src-url\" href=\"{}\" rel=\"noopener noreferrer\" target=\"_blank\">{}</a>",
                    escape(href),
                    escape(href)
                );
            }
            None => {
                let _ = write!(out, "<span class=\"src-url\">{}</span>", escape(url));
            }
        },
        None => {
            let _ = write!(
                out,
                "<span class=\"src-ref\">{}</span>",
                escape(&words::item_ref(language, &source.item))
            );
        }
    }
    out.push_str("</li>\n");
}

fn notes(out: &mut String, page: &Page<'_>) {
    if page.doc.notes.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section class=\"notes\" id=\"notes\">\n<h2>{}</h2>\n<ul>",
        page.words.notes
    );
    for note in &page.doc.notes {
        let _ = write!(out, "<li>{}</li>", escape(note));
    }
    out.push_str("</ul>\n</section>\n");
}

#[cfg(test)]
mod tests;
