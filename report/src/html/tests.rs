//! The HTML page: self-contained (no script, no resource loads), everything escaped, every
//! cite and chapter link landing on an element, well nested, in the document's language.

use std::collections::BTreeSet;

use super::*;
use crate::document::{Block, Span};
use crate::validate::sample;

/// The values of every `attr="…"` in `html`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn the_page_is_self_contained() {
    let html = render(&sample::document());
    let lower = html.to_lowercase();
    for banned in [
        "<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(",
    ] {
        assert!(!lower.contains(banned), "found {banned}");
    }
    assert!(attr_values(&html, "src").is_empty());
    // The only http(s) strings are links to sources and the SVG namespace.
    let sources: BTreeSet<String> = sample::sources()
        .into_iter()
        .filter_map(|s| s.url)
        .map(|u| escape(&u).into_owned())
        .collect();
    for href in attr_values(&html, "href") {
        assert!(
            href.starts_with('#') || sources.contains(href),
            "unexpected href {href}"
        );
    }
    for (at, _) in html.match_indices("http") {
        let before = &html[..at];
        let ok = before.ends_with("href=\"")
            || before.ends_with("xmlns=\"")
            || before.ends_with("target=\"_blank\">")
            || before.ends_with("<span class=\"src-url\">")
            // The Content-Security-Policy's `http-equiv`, which loads nothing.
            || before.ends_with("<meta ")
            // The print stylesheet's selector of outgoing links.
            || before.ends_with("a[href^=\"");
        assert!(ok, "http at {}", &html[at.saturating_sub(40)..at + 20]);
    }
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    // Wherever the file is opened (downloaded, printed), nothing in it runs or loads.
    assert!(
        html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
    );
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
}

#[test]
fn document_text_is_escaped_everywhere() {
    let html = render(&sample::document());
    assert!(!html.contains("<script>alert"));
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;")
    );
    // The title, the query, a chapter title, a chart title and label, a table caption.
    assert!(html.contains("<title>某品牌召回事件舆情报告</title>"));
    assert!(html.contains("某品牌 召回 &lt;script&gt;"));
    assert!(html.contains("事件经过 &lt;i&gt;"));
    assert!(html.contains("各平台帖子数 &lt;b&gt;"));
    assert!(html.contains("哔哩哔哩 &amp; &lt;知乎&gt;"));
    assert!(html.contains("<caption>诉求 | 统计</caption>"));
    // Source URLs keep their query strings, escaped.
    assert!(html.contains("href=\"https://example.com/p/1?a=1&amp;b=&lt;2&gt;\""));
}

#[test]
fn every_cite_lands_on_a_source() {
    let html = render(&sample::document());
    let ids: BTreeSet<&str> = attr_values(&html, "id").into_iter().collect();
    let mut cited = BTreeSet::new();
    for href in attr_values(&html, "href") {
        if let Some(target) = href.strip_prefix('#') {
            assert!(ids.contains(target), "#{target} has no element");
            if let Some(n) = target.strip_prefix("src-") {
                cited.insert(n.parse::<u32>().unwrap());
            }
        }
    }
    // Every source any block cites is linked (the sample cites 1 to 8, and 12).
    let expected: BTreeSet<u32> = (1..=8).chain([12]).collect();
    assert_eq!(cited, expected);
    for n in 1..=12 {
        assert!(ids.contains(format!("src-{n}").as_str()));
    }
}

#[test]
fn few_cites_are_superscripts_and_many_fold_into_details() {
    let html = render(&sample::document());
    assert!(html.contains(
        "多数帖子要求退款<sup class=\"cite\"><a href=\"#src-1\">[1]</a><a href=\"#src-2\">[2]</a></sup>"
    ));
    let links: String = (1..=8)
        .map(|n| format!("<a href=\"#src-{n}\">[{n}]</a>"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(html.contains(&format!(
        "<div class=\"p\">大量帖子提到同一批次<details class=\"cites\"><summary>8 条来源</summary><span class=\"cite-list\">{links}</span></details></div>"
    )));
}

#[test]
fn a_cite_of_no_source_is_text_not_a_dead_link() {
    let mut doc = sample::document();
    doc.chapters[0].blocks = vec![Block::Paragraph {
        spans: vec![Span::cited("x", vec![99, 99])],
    }];
    let html = render(&doc);
    assert!(html.contains("x<sup class=\"cite\"><span class=\"cite-missing\">[99]</span></sup>"));
    assert!(!html.contains("#src-99"));
}

#[test]
fn sources_show_links_text_urls_and_item_refs() {
    let html = render(&sample::document());
    assert!(html.contains(
        "<li id=\"src-2\"><span class=\"src-num\">[2]</span><span class=\"src-meta\">微博 · 用户2 · 2026-03-02</span> <span class=\"src-excerpt\">第 2 条帖子的开头，说的是产品召回。</span> <a class=\"src-url\" href=\"https://example.com/p/2?a=1&amp;b=&lt;2&gt;\" rel=\"noopener noreferrer\" target=\"_blank\">"
    ));
    // A javascript: URL is shown, never linked.
    assert!(html.contains("<span class=\"src-url\">javascript:alert(1)</span>"));
    assert!(!html.contains("href=\"javascript"));
    // No URL: what the item is in storage.
    assert!(html.contains("<span class=\"src-ref\">评论 #7001</span>"));
    for a in html.split("<a class=\"src-url\"").skip(1) {
        assert!(a.contains("rel=\"noopener noreferrer\""));
    }
}

#[test]
fn contents_link_every_chapter() {
    let mut doc = sample::document();
    doc.chapters[1].id = "经过 1".to_owned();
    let html = render(&doc);
    assert!(html.contains("<a href=\"#ch-summary\">摘要</a>"));
    assert!(html.contains("<a href=\"#ch-.7ecf.8fc7.201\">事件经过 &lt;i&gt;</a>"));
    assert!(html.contains("<section class=\"chapter\" id=\"ch-.7ecf.8fc7.201\">"));
    assert!(html.contains("<a href=\"#sources\">来源</a>（12）"));
}

#[test]
fn every_block_kind_is_rendered() {
    let html = render(&sample::document());
    for needle in [
        "<h3>经过</h3>",
        "<strong>，且集中在微博。</strong>",
        "<ol><li>退款<sup class=\"cite\">",
        "<th scope=\"col\">诉求</th>",
        "<td class=\"num\">12<sup",
        "<blockquote class=\"quote\"><p>“我只想要一个说法。”</p><footer>— <a href=\"#src-4\">[4]</a> 微博 · 用户4 · 2026-03-04</footer></blockquote>",
        "<aside class=\"callout tone-warning\" role=\"note\"><p class=\"callout-title\">风险</p>",
        "<aside class=\"callout tone-positive\" role=\"note\"><p class=\"callout-title\">积极信号</p>",
        "<div class=\"kpi\"><div class=\"kpi-value\">48</div><div class=\"kpi-label\">帖子<sup",
        "<div class=\"kpi-note\">三天内</div>",
        "<figure class=\"chart\"><figcaption>各平台帖子数 &lt;b&gt;（条）</figcaption><svg",
        "<summary>数据</summary>",
        "<tr><th scope=\"row\">微博</th><td class=\"num\">30</td><td><sup class=\"cite\"><a href=\"#src-2\">[2]</a><a href=\"#src-4\">[4]</a></sup></td></tr>",
        "class=\"chart-line\"",
        "class=\"chart-pie\"",
        "<p class=\"origin\">本章由模型 deepseek-chat 撰写，其输出经过本地修复（fence）。</p>",
        "<li>情感按 -1 到 1 计分。</li>",
        "生成时间：<time datetime=\"2026-03-03T09:06:40+08:00\">2026-03-03 09:06 (UTC+08:00)</time>",
        "模板：突发事件与危机公关",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
}

#[test]
fn english_documents_speak_english() {
    let mut doc = sample::document();
    doc.language = Language::En;
    let html = render(&doc);
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<summary>8 sources</summary>"));
    assert!(html.contains("<h2 id=\"toc-title\">Contents</h2>"));
    assert!(html.contains("<span class=\"src-ref\">comment #7001</span>"));
    assert!(html.contains("Template: Crisis response"));
}

#[test]
fn elements_are_well_nested() {
    const VOID: [&str; 4] = ["meta", "br", "hr", "wbr"];
    let html = render(&sample::document());
    let body = &html[html.find("<body>").unwrap()..html.find("</html>").unwrap()];
    let mut open: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if tag.starts_with('/') {
            assert_eq!(open.pop().as_deref(), Some(name.as_str()), "closing {name}");
        } else {
            // Phrasing content may not hold blocks: a `<p>` never holds a `<details>` or `<div>`.
            if open.last().map(String::as_str) == Some("p") {
                assert!(!["div", "details", "p", "table", "ul", "ol"].contains(&name.as_str()));
            }
            open.push(name);
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");
}
