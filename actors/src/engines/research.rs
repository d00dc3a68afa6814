//! The research loop every engine runs, as the original's agents did: plan the report's
//! paragraphs; for each, search, summarise, then reflect N times (search for what is missing,
//! summarise again); write the report. With an LLM each step asks it; a step it cannot answer
//! (outage, open circuit, unreadable answer) is done by built-in analysis and recorded, so a
//! job always ends with a report.
//!
//! A job of an analysis carries its evidence set: then every figure a paragraph states comes
//! from the set's stats (built-in paragraphs write them, an LLM is given them and told not to
//! recount), and the searches only choose what to quote — each quote once in the report.

use std::collections::HashMap;
use std::sync::Arc;

use super::builtin::{self, Angle, Planned};
use super::figures::quotes::QuoteBook;
use super::figures::{paragraphs, EvidenceView, Figures};
use super::gather::{Gathered, Searcher};
use super::llm_steps;
use super::report::{Mode, Paragraph, Report};
use super::EngineKind;
use crate::evidence::Evidence;
use llm::LlmClient;
use search::SearchHit;
use text_analysis::Analysis;

/// Hits asked of a search.
const SEARCH_LIMIT: usize = 30;
/// Characters of a paragraph summary posted to the forum.
const FORUM_CHARS: usize = 600;

/// What a job asks for.
#[derive(Debug, Clone)]
pub struct Brief {
    pub query: String,
    /// Reflection rounds per paragraph.
    pub reflections: u32,
    pub max_paragraphs: usize,
    /// The analysis's evidence, when the job belongs to one that gathered it.
    pub evidence: Option<Arc<Evidence>>,
}

/// Where a running job reports to.
pub trait Reporter: Send + Sync {
    /// A step began: `stage` (`plan`, `search`, `summary`, `reflection`, `report`), the
    /// paragraph it is on and how many there are.
    fn progress(&self, stage: &str, paragraph: usize, of: usize, detail: &str);
    /// A paragraph is written (for the forum).
    fn paragraph(&self, title: &str, summary: &str);
}

/// What a job works with.
pub struct Tools<'a> {
    pub kind: EngineKind,
    pub searcher: &'a Searcher,
    pub llm: Option<&'a LlmClient>,
}

struct Run<'a> {
    tools: &'a Tools<'a>,
    /// The job's query.
    query: &'a str,
    reporter: &'a dyn Reporter,
    zh: bool,
    fallbacks: Vec<String>,
    /// Searches already made in this job, by query.
    searched: HashMap<String, Gathered>,
    /// The analysis's evidence, when the job has it: every figure is read from it.
    evidence: Option<EvidenceView<'a>>,
    /// The same figures as the LLM is given them.
    figures: Option<Figures>,
    /// What the report's finished paragraphs quote, so no quote comes twice.
    quoted: QuoteBook,
}

impl Run<'_> {
    /// An LLM step's answer, or None after recording why built-in analysis stands in.
    fn llm_or_fallback<T>(&mut self, step: &str, answer: Result<T, String>) -> Option<T> {
        match answer {
            Ok(value) => Some(value),
            Err(why) => {
                tracing::warn!(step, reason = %why, "LLM step failed; falling back to built-in analysis");
                self.fallbacks.push(format!("{step}: {why}"));
                None
            }
        }
    }

    async fn search(&mut self, query: &str) -> (Vec<SearchHit>, super::report::SearchRecord) {
        if let Some(done) = self.searched.get(query) {
            return (done.hits.clone(), done.record.clone());
        }
        let found = self.tools.searcher.search(query, SEARCH_LIMIT).await;
        tracing::info!(query, provider = %found.record.provider, hits = found.hits.len(), "searched");
        let result = (found.hits.clone(), found.record.clone());
        self.searched.insert(query.to_owned(), found);
        result
    }

    async fn plan(&mut self, query: &str, max: usize) -> Vec<Planned> {
        let kind = self.tools.kind;
        if let Some(llm) = self.tools.llm {
            let answer = llm_steps::plan(llm, kind, query, max).await;
            if let Some(paragraphs) = self.llm_or_fallback("report_structure", answer) {
                return paragraphs
                    .into_iter()
                    .map(|(title, intent)| Planned {
                        title,
                        intent,
                        angle: Angle::General,
                    })
                    .collect();
            }
        }
        builtin::plan(kind, self.zh, max)
    }

    async fn summarise(
        &mut self,
        planned: &Planned,
        p: &Paragraph,
        search_query: &str,
        hits: &[SearchHit],
        analysis: &Analysis,
        previous: Option<&str>,
    ) -> (String, Vec<super::report::Source>) {
        let (text, sources) = match &self.evidence {
            Some(view) => {
                paragraphs::summarise(planned.angle, self.query, view, hits, self.zh, &self.quoted)
            }
            None => builtin::summarise(planned.angle, self.query, analysis, self.zh),
        };
        if let Some(llm) = self.tools.llm {
            let step = if previous.is_some() {
                "reflection_summary"
            } else {
                "first_summary"
            };
            let input = llm_steps::SummaryInput {
                paragraph: p,
                search_query,
                hits,
                previous,
                figures: self.figures.as_ref(),
                zh: self.zh,
            };
            let answer = llm_steps::summary(llm, self.tools.kind, &input).await;
            if let Some(written) = self.llm_or_fallback(step, answer) {
                return (written, sources);
            }
        }
        (text, sources)
    }

    async fn paragraph(
        &mut self,
        query: &str,
        planned: &Planned,
        index: usize,
        of: usize,
        reflections: u32,
    ) -> Paragraph {
        let kind = self.tools.kind;
        let mut p = Paragraph {
            title: planned.title.clone(),
            intent: planned.intent.clone(),
            summary: String::new(),
            searches: Vec::new(),
            reflections: 0,
            sources: Vec::new(),
        };
        let mut search_query = query.to_owned();
        if let Some(llm) = self.tools.llm {
            let answer = llm_steps::first_search(llm, kind, query, &p).await;
            if let Some(q) = self.llm_or_fallback("first_search", answer) {
                search_query = q;
            }
        }
        self.reporter.progress("search", index, of, &search_query);
        let (mut hits, record) = self.search(&search_query).await;
        p.searches.push(record);
        let mut analysis = builtin::analyse(&hits);
        self.reporter.progress("summary", index, of, &p.title);
        let (summary, sources) = self
            .summarise(planned, &p, &search_query, &hits, &analysis, None)
            .await;
        p.summary = summary;
        p.sources = sources;
        for round in 1..=reflections {
            let mut next = None;
            if let Some(llm) = self.tools.llm {
                let answer = llm_steps::reflect(llm, kind, &p).await;
                next = self.llm_or_fallback("reflection", answer);
            }
            // Every search of the job so far: each paragraph's reflections look somewhere new.
            let searched: Vec<String> = self.searched.keys().cloned().collect();
            let Some(next) = next.or_else(|| builtin::reflect(query, &analysis, &searched)) else {
                tracing::info!(paragraph = %p.title, round, "nothing new to search; reflection ends");
                break;
            };
            self.reporter.progress("reflection", index, of, &next);
            let (more, record) = self.search(&next).await;
            p.searches.push(record);
            for hit in more {
                if !hits
                    .iter()
                    .any(|h| h.url == hit.url && h.content == hit.content)
                {
                    hits.push(hit);
                }
            }
            analysis = builtin::analyse(&hits);
            let previous = p.summary.clone();
            let (summary, sources) = self
                .summarise(planned, &p, &next, &hits, &analysis, Some(&previous))
                .await;
            p.summary = summary;
            p.sources = sources;
            p.reflections = round;
        }
        self.quoted.record(&p.sources);
        p
    }
}

/// Runs the loop for `brief`; always ends with a report (an empty search makes a paragraph
/// that says so).
pub async fn research(tools: &Tools<'_>, brief: &Brief, reporter: &dyn Reporter) -> Report {
    let query = brief.query.trim();
    let zh = query.chars().any(storage::terms::is_cjk);
    let evidence = brief.evidence.as_deref().map(EvidenceView::new);
    let figures = evidence.as_ref().map(|view| Figures::of(view, zh));
    let mut run = Run {
        tools,
        query,
        reporter,
        zh,
        fallbacks: Vec::new(),
        searched: HashMap::new(),
        evidence,
        figures,
        quoted: QuoteBook::default(),
    };
    reporter.progress("plan", 0, 0, query);
    let plan = run.plan(query, brief.max_paragraphs).await;
    tracing::info!(
        paragraphs = plan.len(),
        "planned: {}",
        plan.iter()
            .map(|p| p.title.as_str())
            .collect::<Vec<_>>()
            .join(" / ")
    );
    let mut paragraphs = Vec::with_capacity(plan.len());
    for (i, planned) in plan.iter().enumerate() {
        let p = run
            .paragraph(query, planned, i + 1, plan.len(), brief.reflections)
            .await;
        let short: String = p.summary.chars().take(FORUM_CHARS).collect();
        reporter.paragraph(&p.title, &short);
        tracing::info!(paragraph = %p.title, searches = p.searches.len(), "paragraph written");
        paragraphs.push(p);
    }
    reporter.progress("report", plan.len(), plan.len(), "");
    let mut llm_markdown = None;
    if let Some(llm) = tools.llm {
        let answer =
            llm_steps::format_report(llm, tools.kind, query, &paragraphs, run.figures.as_ref())
                .await;
        llm_markdown = run.llm_or_fallback("report_formatting", answer);
    }
    let title = if zh {
        format!("「{query}」{}", tools.kind.title(true))
    } else {
        format!("{}: {query}", tools.kind.title(false))
    };
    Report {
        engine: tools.kind.name().to_owned(),
        query: query.to_owned(),
        title,
        mode: if tools.llm.is_some() {
            Mode::Llm
        } else {
            Mode::Builtin
        },
        model: tools.llm.map(|l| l.config().model.clone()),
        paragraphs,
        fallbacks: run.fallbacks,
        llm_markdown,
        generated_at: storage::clock::now_ms(),
    }
}
