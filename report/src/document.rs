//! The report document: chapters of typed blocks, and the numbered sources every claim cites.
//!
//! This is the contract between everything that writes a report (the built-in writer, an
//! LLM's chapter after [`crate::repair`]) and everything that reads one (the HTML and
//! Markdown renderers, `GET /api/report/result/{id}/json`, the web console). A claim carries
//! the sources it came from as numbers into [`Document::sources`] (`cites`), so a reader goes
//! from a number or a quote to its posts in one click, and a program can follow the same links
//! in the JSON.
//!
//! Source numbers are 1-based and are the evidence set's order: source `n` is the analysis's
//! evidence item at index `n - 1`.

use serde::{Deserialize, Serialize};
use storage::model::ItemRef;

/// The language a report is written in (the query's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Zh,
    En,
}

impl Language {
    /// Chinese when the text holds any CJK character, English otherwise.
    pub fn of(text: &str) -> Self {
        if text.chars().any(storage::terms::is_cjk) {
            Self::Zh
        } else {
            Self::En
        }
    }

    /// `zh` or `en`: the suffix of template files and the `lang` of the HTML.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub language: Language,
    /// The query the analysis was about.
    pub query: String,
    /// The template's id (`brand_reputation`…, or `custom`).
    pub template: String,
    /// Epoch milliseconds.
    pub generated_at: i64,
    /// The UTC offset days are counted in (`+08:00`).
    pub time_zone: String,
    pub chapters: Vec<Chapter>,
    /// Every item of the evidence set, numbered from 1 in its order.
    pub sources: Vec<SourceRef>,
    /// How the report was made: scales, counts, what was read, what the LLM could not do.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One chapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chapter {
    /// Stable within the template (`overview`), an anchor in the HTML.
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
    /// Who wrote it.
    pub origin: ChapterOrigin,
}

/// Who wrote a chapter, and how it got there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ChapterOrigin {
    /// The built-in writer, from the evidence.
    Builtin,
    /// An LLM; `repairs` lists what local repair fixed in its answer (empty when it parsed).
    Llm {
        model: String,
        #[serde(default)]
        repairs: Vec<String>,
    },
    /// The fallback LLM, after the first could not give a usable chapter (`why`).
    Fallback { model: String, why: String },
    /// No usable chapter came; this one says so.
    Placeholder { why: String },
}

/// A piece of text and the sources it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    /// Source numbers ([`Document::sources`]) this text's claim comes from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strong: bool,
}

impl Span {
    /// Plain text with no source.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            cites: Vec::new(),
            strong: false,
        }
    }

    /// Text resting on `cites`.
    pub fn cited(text: impl Into<String>, cites: Vec<u32>) -> Self {
        Self {
            text: text.into(),
            cites,
            strong: false,
        }
    }
}

/// The tone of a callout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Info,
    Positive,
    Negative,
    Warning,
}

/// One of a chapter's blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A heading inside a chapter (levels 3 and 4; the chapter's title is level 2).
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        spans: Vec<Span>,
    },
    List {
        #[serde(default)]
        ordered: bool,
        items: Vec<Vec<Span>>,
    },
    Table {
        #[serde(default)]
        caption: Option<String>,
        columns: Vec<String>,
        /// Each row has one cell per column.
        rows: Vec<Vec<Span>>,
    },
    /// A post quoted whole, with its source.
    Quote {
        text: String,
        source: u32,
    },
    Callout {
        tone: Tone,
        #[serde(default)]
        title: Option<String>,
        spans: Vec<Span>,
    },
    Kpis {
        cards: Vec<Kpi>,
    },
    Chart(Chart),
}

/// A key figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpi {
    pub label: String,
    /// As shown (`48`, `62%`).
    pub value: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<u32>,
}

/// What kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    Bar,
    Line,
    Pie,
}

/// A chart and the data it draws: one value per label in each series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: String,
    /// What the values count (`条` / `posts`).
    #[serde(default)]
    pub unit: Option<String>,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    /// For each label, the sources its value counts (empty lists for charts of other data).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<Vec<u32>>,
}

/// One series of a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// One item of the evidence set, as the report cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// 1-based; the evidence item at index `n - 1`.
    pub n: u32,
    pub item: ItemRef,
    /// The platform's display name in the report's language (`微博`, `Weibo`).
    pub platform: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    /// The day it was published, in the report's time zone.
    #[serde(default)]
    pub published: Option<String>,
    /// Its title, or the start of its text (whole sentences, not cut mid-word).
    pub excerpt: String,
}
