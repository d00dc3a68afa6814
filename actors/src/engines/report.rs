//! What a research job produces: paragraphs with the searches behind them and the sources they
//! quote, rendered as Markdown for readers and as a JSON document for programs (the report
//! engine, the API).

use serde::Serialize;
use text_analysis::platform;

/// A search made for a paragraph.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchRecord {
    pub query: String,
    /// Which provider answered (after any fallback).
    pub provider: String,
    pub hits: usize,
    /// Providers that failed before it, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
    /// The words searched one by one when the query as a whole found little.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<String>,
}

/// A source a paragraph quotes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Source {
    pub text: String,
    pub platform: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
    pub engagement: Option<i64>,
    /// The item's index in the analysis's evidence set (source `n + 1` of its report), when
    /// the quote is of one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<usize>,
}

/// One paragraph of a report and how it was researched.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Paragraph {
    pub title: String,
    /// What the paragraph is meant to cover.
    pub intent: String,
    pub summary: String,
    pub searches: Vec<SearchRecord>,
    pub reflections: u32,
    pub sources: Vec<Source>,
}

/// How a report was written.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Built-in analysis only.
    Builtin,
    /// An LLM wrote it (steps it could not do fell back to built-in analysis; see `fallbacks`).
    Llm,
}

/// An engine's report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub engine: String,
    pub query: String,
    pub title: String,
    pub mode: Mode,
    /// The model, when an LLM was used.
    pub model: Option<String>,
    pub paragraphs: Vec<Paragraph>,
    /// Steps where the LLM failed and built-in analysis stood in, with why.
    pub fallbacks: Vec<String>,
    /// Markdown written by the LLM for the whole report, when it wrote one.
    #[serde(skip)]
    pub llm_markdown: Option<String>,
    pub generated_at: i64,
}

impl Report {
    /// The report for readers.
    pub fn markdown(&self) -> String {
        if let Some(text) = &self.llm_markdown {
            return text.clone();
        }
        let zh = self.query.chars().any(storage::terms::is_cjk);
        let mut out = format!("# {}\n\n", self.title);
        let how = match (self.mode, zh) {
            (Mode::Builtin, true) => "内置分析（未配置大模型）".to_owned(),
            (Mode::Builtin, false) => "built-in analysis (no LLM configured)".to_owned(),
            (Mode::Llm, _) => format!("LLM {}", self.model.as_deref().unwrap_or("")),
        };
        out.push_str(&if zh {
            format!(
                "> {} 引擎 · {} · 查询：{}\n\n",
                self.engine.to_uppercase(),
                how,
                self.query
            )
        } else {
            format!(
                "> {} engine · {} · query: {}\n\n",
                self.engine.to_uppercase(),
                how,
                self.query
            )
        });
        for (i, p) in self.paragraphs.iter().enumerate() {
            out.push_str(&format!("## {}. {}\n\n{}\n\n", i + 1, p.title, p.summary));
            if !p.sources.is_empty() {
                out.push_str(if zh { "来源：\n\n" } else { "Sources:\n\n" });
                for s in &p.sources {
                    // Readers see one name per platform, however the source spelled it.
                    let place = s.platform.as_deref().map_or_else(
                        || "web".to_owned(),
                        |p| platform::display(&platform::canonical(p), zh),
                    );
                    let day = s
                        .published
                        .as_deref()
                        .map(|d| format!(" {d}"))
                        .unwrap_or_default();
                    match &s.url {
                        Some(url) => {
                            out.push_str(&format!("- [{place}]{day} “{}” <{url}>\n", s.text))
                        }
                        None => out.push_str(&format!("- [{place}]{day} “{}”\n", s.text)),
                    }
                }
                out.push('\n');
            }
        }
        if !self.fallbacks.is_empty() {
            out.push_str(if zh {
                "---\n\n以下步骤因大模型不可用改用内置分析：\n\n"
            } else {
                "---\n\nSteps done by built-in analysis because the LLM was unavailable:\n\n"
            });
            for f in &self.fallbacks {
                out.push_str(&format!("- {f}\n"));
            }
        }
        out
    }

    /// The report for programs.
    pub fn document(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}
