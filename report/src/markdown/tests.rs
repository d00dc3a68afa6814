//! The Markdown report: citations as links to the source list's anchors, every block kind,
//! and document text escaped.

use std::collections::BTreeSet;

use super::*;
use crate::validate::sample;

#[test]
fn citations_link_to_anchored_sources() {
    let md = render(&sample::document());
    assert!(md.contains("多数帖子要求退款[\\[1\\]](#src-1)[\\[2\\]](#src-2)，**且集中在微博**。"));
    let linked: BTreeSet<u32> = md
        .match_indices("](#src-")
        .map(|(at, _)| {
            let rest = &md[at + 7..];
            rest[..rest.find(')').unwrap()].parse().unwrap()
        })
        .collect();
    for n in &linked {
        assert!(md.contains(&format!("- <a id=\"src-{n}\"></a>**\\[{n}\\]**")));
    }
    // Sources 1 to 8 are also cited as a range, whose ends are links.
    assert!([1, 8, 12].iter().all(|n| linked.contains(n)), "{linked:?}");
    assert!(linked.iter().all(|n| (1..=12).contains(n)));
}

#[test]
fn many_citations_are_counted_and_listed() {
    let md = render(&sample::document());
    let range = "[1](#src-1)–[8](#src-8)";
    assert!(md.contains(&format!("大量帖子提到同一批次（8 条来源：{range}）\n\n")));
    let mut doc = sample::document();
    doc.language = Language::En;
    let md = render(&doc);
    assert!(md.contains(&format!(" (8 sources: {range})")));
}

#[test]
fn every_block_kind_is_written() {
    let md = render(&sample::document());
    for needle in [
        "# 某品牌召回事件舆情报告\n\n*2026 年 3 月 1 日至 4 日*\n\n",
        "生成时间：2026-03-03 09:06 (UTC+08:00)\\\n查询：某品牌 召回 \\<script\\>\\\n模板：突发事件与危机公关\n",
        "1. [摘要](#ch-summary)\n2. [事件经过 \\<i\\>](#ch-timeline)\n",
        "<a id=\"ch-timeline\"></a>\n\n## 事件经过 \\<i\\>\n\n### 经过\n\n",
        "1. 退款[\\[2\\]](#src-2)\n2. 道歉\n\n",
        "**诉求 \\| 统计**\n\n| 诉求 | 条数 |\n| --- | --- |\n| 退款 | 12[\\[1\\]](#src-1)[\\[2\\]](#src-2) |\n| a\\|b |   |\n",
        "> “我只想要一个说法。” [\\[4\\]](#src-4) — 微博 · 用户4 · 2026-03-04\n\n",
        "> **风险**\n>\n> 若周末前无回应，讨论可能再起。[\\[6\\]](#src-6)\n\n",
        "> **积极信号**\n>\n> 部分用户认可快速召回。\n\n",
        "| 指标 | 数值 | 备注 |\n| --- | ---: | --- |\n| 帖子 | 48[\\[1\\]](#src-1)[\\[2\\]](#src-2)[\\[3\\]](#src-3) | 三天内 |\n| 负面占比 | 62% |   |\n",
        "**各平台帖子数 \\<b\\>（条）**\n\n| 项目 | 帖子 | 来源 |\n| --- | ---: | --- |\n| 微博 | 30 | [\\[2\\]](#src-2)[\\[4\\]](#src-4) |\n| 哔哩哔哩 \\& \\<知乎\\> | 12 |",
        "| 项目 | 正面 | 负面 |\n| --- | ---: | ---: |\n| 03-01 | 1 | 2 |\n| 03-02 | 4 | 17 |\n| 03-03 | 9.5 | 11 |\n",
        "*本章由模型 deepseek-chat 撰写，其输出经过本地修复（fence）。*\n\n",
        "## 说明\n\n- 情感按 -1 到 1 计分。\n",
    ] {
        assert!(md.contains(needle), "missing {needle:?}\nin\n{md}");
    }
}

#[test]
fn sources_list_links_text_urls_and_item_refs() {
    let md = render(&sample::document());
    assert!(md.contains(
        "- <a id=\"src-1\"></a>**\\[1\\]** Bilibili · 用户1 · 2026-03-01 — 第 1 条帖子的开头，说的是产品召回。 — [https://example.com/p/1?a=1\\&b=\\<2\\>](https://example.com/p/1?a=1&b=%3C2%3E)\n"
    ));
    assert!(md.contains("— javascript:alert(1)\n"));
    assert!(!md.contains("](javascript"));
    assert!(md.contains("**\\[11\\]** Bilibili · 用户11 · 2026-03-11 — 第 11 条帖子的开头，说的是产品召回。 — 评论 #7001\n"));
    assert!(md.contains("**\\[12\\]** 微博 · 用户12 · 2026-03-12 — 第 12 条帖子的开头，说的是产品召回。 — [https://example.com/p/12"));
}

#[test]
fn document_text_cannot_become_markup() {
    let md = render(&sample::document());
    let hostile =
        "\\<script\\>alert('x')\\</script\\> \\& \"quotes\" \\| \\*stars\\* \\[link\\](x)";
    assert!(md.contains(hostile));
    // Only the anchors are HTML.
    for (at, _) in md.match_indices('<') {
        let tag = &md[at..];
        let anchor = tag.starts_with("<a id=\"") || tag.starts_with("</a>");
        assert!(
            anchor || md[..at].ends_with('\\'),
            "raw < at {}",
            &md[at..at + 20]
        );
    }
}

#[test]
fn a_cite_of_no_source_is_text() {
    let mut doc = sample::document();
    doc.chapters[0].blocks = vec![Block::Paragraph {
        spans: vec![Span::cited("x", vec![99])],
    }];
    assert!(render(&doc).contains("\n\nx\\[99\\]\n\n"));
}

#[test]
fn bold_hugs_letters_so_cjk_emphasis_closes() {
    assert_eq!(strong("“强调”"), "“**强调**”");
    assert_eq!(strong(" a *b* "), " **a \\*b**\\* ");
    assert_eq!(strong("！？"), "！？");
}
