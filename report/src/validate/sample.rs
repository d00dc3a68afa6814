//! A valid document that uses every block kind, hostile text included, shared by the tests of
//! validation and of both renderers so they all read the same report.

use storage::model::ItemRef;

use crate::document::{
    Block, Chapter, ChapterOrigin, Chart, ChartKind, Document, Kpi, Language, Series, SourceRef,
    Span, Tone,
};

/// Text a renderer must show, never run.
pub(crate) const HOSTILE: &str = "<script>alert('x')</script> & \"quotes\" | *stars* [link](x)";

/// Twelve sources: most with an http(s) URL, one with a `javascript:` URL (shown as text,
/// never a link), one without any.
pub(crate) fn sources() -> Vec<SourceRef> {
    (1..=12u32)
        .map(|n| SourceRef {
            n,
            item: match n {
                11 => ItemRef::Comment(7001),
                12 => ItemRef::News("hn-42".to_owned()),
                _ => ItemRef::Post(i64::from(n) * 100),
            },
            platform: if n % 2 == 0 { "微博" } else { "Bilibili" }.to_owned(),
            url: match n {
                10 => Some("javascript:alert(1)".to_owned()),
                11 => None,
                _ => Some(format!("https://example.com/p/{n}?a=1&b=<2>")),
            },
            author: (n != 3).then(|| format!("用户{n}")),
            published: Some(format!("2026-03-{:02}", n)),
            excerpt: if n == 5 {
                HOSTILE.to_owned()
            } else {
                format!("第 {n} 条帖子的开头，说的是产品召回。")
            },
        })
        .collect()
}

/// The blocks of the main chapter: every kind once or more.
pub(crate) fn every_block() -> Vec<Block> {
    vec![
        Block::Heading {
            level: 3,
            text: "经过".to_owned(),
        },
        Block::Paragraph {
            spans: vec![
                Span::text("三月二日起，讨论迅速升温，"),
                Span::cited("多数帖子要求退款", vec![1, 2]),
                Span {
                    text: "，且集中在微博。".to_owned(),
                    cites: Vec::new(),
                    strong: true,
                },
            ],
        },
        Block::Paragraph {
            spans: vec![Span::cited(
                "大量帖子提到同一批次",
                vec![1, 2, 3, 4, 5, 6, 7, 8],
            )],
        },
        Block::Paragraph {
            spans: vec![Span::cited(HOSTILE, vec![5])],
        },
        Block::List {
            ordered: true,
            items: vec![vec![Span::cited("退款", vec![2])], vec![Span::text("道歉")]],
        },
        Block::Table {
            caption: Some("诉求 | 统计".to_owned()),
            columns: vec!["诉求".to_owned(), "条数".to_owned()],
            rows: vec![
                vec![Span::text("退款"), Span::cited("12", vec![1, 2])],
                vec![Span::text("a|b"), Span::text("")],
            ],
        },
        Block::Quote {
            text: "我只想要一个说法。".to_owned(),
            source: 4,
        },
        Block::Callout {
            tone: Tone::Warning,
            title: Some("风险".to_owned()),
            spans: vec![Span::cited("若周末前无回应，讨论可能再起。", vec![6])],
        },
        Block::Callout {
            tone: Tone::Positive,
            title: None,
            spans: vec![Span::text("部分用户认可快速召回。")],
        },
        Block::Kpis {
            cards: vec![
                Kpi {
                    label: "帖子".to_owned(),
                    value: "48".to_owned(),
                    note: Some("三天内".to_owned()),
                    cites: vec![1, 2, 3],
                },
                Kpi {
                    label: "负面占比".to_owned(),
                    value: "62%".to_owned(),
                    note: None,
                    cites: Vec::new(),
                },
            ],
        },
        Block::Chart(bar_chart()),
        Block::Chart(line_chart()),
        Block::Chart(pie_chart()),
    ]
}

pub(crate) fn bar_chart() -> Chart {
    Chart {
        kind: ChartKind::Bar,
        title: "各平台帖子数 <b>".to_owned(),
        unit: Some("条".to_owned()),
        labels: vec![
            "微博".to_owned(),
            "哔哩哔哩 & <知乎>".to_owned(),
            "抖音".to_owned(),
        ],
        series: vec![Series {
            name: "帖子".to_owned(),
            values: vec![30.0, 12.0, 6.0],
        }],
        cites: vec![vec![2, 4], vec![1, 3], vec![5]],
    }
}

pub(crate) fn line_chart() -> Chart {
    Chart {
        kind: ChartKind::Line,
        title: "每日帖子数".to_owned(),
        unit: Some("条".to_owned()),
        labels: vec![
            "03-01".to_owned(),
            "03-02".to_owned(),
            "03-03".to_owned(),
            "03-04".to_owned(),
        ],
        series: vec![
            Series {
                name: "正面".to_owned(),
                values: vec![1.0, 4.0, 9.5, 3.0],
            },
            Series {
                name: "负面".to_owned(),
                values: vec![2.0, 17.0, 11.0, 1.0],
            },
        ],
        cites: Vec::new(),
    }
}

pub(crate) fn pie_chart() -> Chart {
    Chart {
        kind: ChartKind::Pie,
        title: "情感分布".to_owned(),
        unit: None,
        labels: vec!["正面".to_owned(), "中性".to_owned(), "负面".to_owned()],
        series: vec![Series {
            name: "帖子".to_owned(),
            values: vec![10.0, 8.0, 30.0],
        }],
        cites: Vec::new(),
    }
}

/// A Chinese document of two chapters over [`sources`].
pub(crate) fn document() -> Document {
    Document {
        title: "某品牌召回事件舆情报告".to_owned(),
        subtitle: Some("2026 年 3 月 1 日至 4 日".to_owned()),
        language: Language::Zh,
        query: "某品牌 召回 <script>".to_owned(),
        template: "crisis_pr".to_owned(),
        generated_at: 1_772_500_000_000,
        time_zone: "+08:00".to_owned(),
        chapters: vec![
            Chapter {
                id: "summary".to_owned(),
                title: "摘要".to_owned(),
                blocks: vec![Block::Paragraph {
                    spans: vec![Span::cited("讨论集中在退款与道歉。", vec![1, 12])],
                }],
                origin: ChapterOrigin::Builtin,
            },
            Chapter {
                id: "timeline".to_owned(),
                title: "事件经过 <i>".to_owned(),
                blocks: every_block(),
                origin: ChapterOrigin::Llm {
                    model: "deepseek-chat".to_owned(),
                    repairs: vec!["fence".to_owned()],
                },
            },
        ],
        sources: sources(),
        notes: vec!["情感按 -1 到 1 计分。".to_owned(), HOSTILE.to_owned()],
    }
}
