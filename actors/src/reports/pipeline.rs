//! Writing one report: read the inputs (the evidence set — gathered and stored first for a
//! task asked for a query alone —, the engines' reports and the forum), choose the template,
//! write each chapter (an LLM with repair and fallback, or the built-in writer), then render
//! the document to HTML, Markdown and JSON. Each finished chapter is checkpointed, so a task
//! taken over after a crash goes on from the last finished chapter instead of starting again.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use llm::LlmClient;
use report::templates::{parse_custom, Template, TemplateKind, Templates};
use report::writer::{self, EngineSummary, ForumLine, QuoteBook, WriterInput};
use report::{Chapter, Document, Language};
use serde::{Deserialize, Serialize};
use storage::reports::{Holder, ReportTaskRecord};
use storage::Database;

use super::chapter_llm::{self, Counters};
use super::event::{ChapterState, Journal, ReportEvent, Stage};
use super::live;
use super::output;
use crate::evidence::{self, Evidence, Gatherer};
use crate::internal_events::ReportChapterWritten;

/// What every task of one report engine incarnation works with.
#[derive(Clone)]
pub struct TaskContext {
    pub db: Database,
    pub bus: events::EventBus,
    pub templates: Arc<Templates>,
    /// The report LLM (`REPORT_ENGINE_*`), when configured.
    pub llm: Option<Arc<LlmClient>>,
    /// Another configured LLM, asked when the report LLM gives no usable chapter.
    pub fallback: Option<Arc<LlmClient>>,
    pub gatherer: Gatherer,
    /// Where each task's files go (`<dir>/<id>/report.html`…).
    pub dir: PathBuf,
    /// This instance's name in the queue (`owner`).
    pub owner: String,
    /// The report engine's log file.
    pub log: super::log::ReportLog,
}

/// The chapters finished so far, kept in the task's row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    pub template: Template,
    pub chapters: Vec<Chapter>,
    pub quotes: QuoteBook,
    #[serde(default)]
    pub counters: Counters,
}

/// What a finished task produced.
pub struct Outputs {
    pub document: String,
    pub markdown: String,
    pub html: String,
}

/// Progress at the start of the chapters and at their end.
const CHAPTERS_FROM: u8 = 10;
const CHAPTERS_TO: u8 = 90;

/// Writes the report of `task`, held as `holder`.
///
/// # Errors
/// Why it could not be written (the inputs could not be read, the custom template is
/// invalid, the outputs could not be stored).
pub async fn generate(
    ctx: &TaskContext,
    task: &ReportTaskRecord,
    holder: &Holder<'_>,
    journal: &Journal,
) -> Result<Outputs, String> {
    let began = Instant::now();
    let resumed: Option<Checkpoint> = task
        .checkpoint
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok());
    journal
        .record(ReportEvent::Status {
            status: storage::reports::ReportStatus::Running,
            progress: task.progress,
            message: match &resumed {
                Some(c) => format!("resumed after {} finished chapters", c.chapters.len()),
                None => "started".to_owned(),
            },
        })
        .await;
    stage(
        journal,
        Stage::Inputs,
        2,
        "reading the evidence, the engines' reports and the forum",
    )
    .await;
    let evidence = evidence_for(ctx, task).await?;
    let (engines, forum) = engine_reports_and_forum(&ctx.db, task.analysis_id.as_deref()).await?;
    let language = Language::of(&task.query);
    let template = match &resumed {
        Some(c) => c.template.clone(),
        None => choose_template(ctx, task, language, journal).await?,
    };
    stage(
        journal,
        Stage::Template,
        6,
        &format!("template: {}", template.title),
    )
    .await;
    let input = WriterInput {
        query: &task.query,
        language,
        evidence: &evidence.set,
        stats: &evidence.stats,
        engines: &engines,
        forum: &forum,
        generated_at: storage::clock::now_ms(),
    };
    let (mut chapters, mut quotes, mut counters) = match resumed {
        Some(c) => (c.chapters, c.quotes, c.counters),
        None => (Vec::new(), QuoteBook::default(), Counters::default()),
    };
    let of = template.chapters.len();
    let resumed_from = chapters.len();
    stage(
        journal,
        Stage::Chapters,
        CHAPTERS_FROM,
        &format!("{of} chapters"),
    )
    .await;
    for (i, chapter) in chapters.iter().enumerate() {
        journal
            .record(ReportEvent::ChapterStatus {
                chapter_id: chapter.id.clone(),
                title: chapter.title.clone(),
                index: i + 1,
                of,
                status: ChapterState::Resumed,
                detail: None,
            })
            .await;
    }
    let failures = output::failures_dir(&ctx.dir, &task.id);
    // After a takeover, the chapter the last holder was writing may have chunks in the log
    // already: its `running` says they are void.
    let mut restarted = resumed_from > 0 || task.attempts > 1;
    for (i, plan) in template.chapters.iter().enumerate().skip(chapters.len()) {
        journal
            .record(ReportEvent::ChapterStatus {
                chapter_id: plan.id.clone(),
                title: plan.title.clone(),
                index: i + 1,
                of,
                status: ChapterState::Running,
                detail: std::mem::take(&mut restarted).then(|| {
                    "restarted after a takeover: earlier chunks of this chapter are void".to_owned()
                }),
            })
            .await;
        let written = match &ctx.llm {
            Some(llm) => {
                chapter_llm::write(
                    llm,
                    ctx.fallback.as_deref(),
                    &input,
                    plan,
                    &mut quotes,
                    &failures,
                    &mut counters,
                )
                .await
            }
            None => chapter_llm::Written {
                chapter: writer::write_chapter(&input, plan, &mut quotes),
                state: ChapterState::Done,
                warning: None,
            },
        };
        ReportChapterWritten {
            outcome: written.outcome(),
        }
        .emit();
        if let Some(warning) = &written.warning {
            journal
                .record(ReportEvent::Warning {
                    message: warning.clone(),
                })
                .await;
        }
        for delta in live::chunks(&live::text(&written.chapter)) {
            journal
                .record(ReportEvent::ChapterChunk {
                    chapter_id: plan.id.clone(),
                    delta,
                })
                .await;
        }
        journal
            .record(ReportEvent::ChapterStatus {
                chapter_id: plan.id.clone(),
                title: plan.title.clone(),
                index: i + 1,
                of,
                status: written.state,
                detail: written.warning.clone(),
            })
            .await;
        chapters.push(written.chapter);
        let progress = chapter_progress(chapters.len(), of);
        let checkpoint = Checkpoint {
            template: template.clone(),
            chapters: chapters.clone(),
            quotes: quotes.clone(),
            counters,
        };
        let text = serde_json::to_string(&checkpoint).map_err(|e| e.to_string())?;
        match ctx
            .db
            .save_report_progress(
                &task.id,
                holder,
                progress,
                Some(&text),
                storage::clock::now_ms(),
            )
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(LEASE_LOST.to_owned()),
            Err(err) => {
                tracing::warn!(task = %task.id, error = %err, "could not checkpoint the chapter; going on")
            }
        }
        journal
            .record(ReportEvent::Status {
                status: storage::reports::ReportStatus::Running,
                progress,
                message: format!("{}/{of} chapters", chapters.len()),
            })
            .await;
        journal
            .record(ReportEvent::Metrics {
                chapters_done: chapters.len(),
                chapters_total: of,
                elapsed_ms: elapsed_ms(began),
                llm_calls: counters.llm_calls,
                repairs: counters.repairs,
                fallbacks: counters.fallbacks,
                placeholders: counters.placeholders,
            })
            .await;
    }
    stage(
        journal,
        Stage::Render,
        92,
        "rendering HTML, Markdown and JSON",
    )
    .await;
    let document = writer::assemble(&input, &template, chapters);
    for problem in report::validate::document(&document) {
        journal
            .record(ReportEvent::Warning {
                message: format!("the document: {problem}"),
            })
            .await;
    }
    // The files are written, and `html_ready` said, once the ending is recorded under this
    // claim (the task actor): an instance that lost the lease leaves no report of its own.
    render(&document)
}

/// Why a task stops without recording an ending: another instance holds it now.
pub const LEASE_LOST: &str = "the task's lease was lost to another instance";

fn render(document: &Document) -> Result<Outputs, String> {
    Ok(Outputs {
        document: serde_json::to_string_pretty(document).map_err(|e| e.to_string())?,
        markdown: report::markdown::render(document),
        html: report::html::render(document),
    })
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn chapter_progress(done: usize, of: usize) -> u8 {
    let span = usize::from(CHAPTERS_TO - CHAPTERS_FROM);
    let step = span * done / of.max(1);
    CHAPTERS_FROM + u8::try_from(step).unwrap_or(CHAPTERS_TO - CHAPTERS_FROM)
}

async fn stage(journal: &Journal, stage: Stage, progress: u8, message: &str) {
    journal
        .record(ReportEvent::Stage {
            stage,
            progress,
            message: message.to_owned(),
        })
        .await;
}

/// The task's evidence: its analysis's set, or the one gathered for it earlier, or gathered
/// now and stored under the task's id (so a resumed task reads the same set).
async fn evidence_for(ctx: &TaskContext, task: &ReportTaskRecord) -> Result<Evidence, String> {
    let set_id = task.analysis_id.as_deref().unwrap_or(&task.id);
    match evidence::load(&ctx.db, set_id).await {
        Ok(Some(found)) => return Ok(found),
        Ok(None) => {}
        Err(err) => return Err(format!("the evidence set could not be read: {err}")),
    }
    let gathered = ctx
        .gatherer
        .gather(&task.query)
        .await
        .map_err(|e| format!("the evidence could not be gathered: {e}"))?;
    evidence::store(&ctx.db, set_id, &gathered)
        .await
        .map_err(|e| format!("the evidence could not be stored: {e}"))?;
    Ok(gathered)
}

/// The engines' reports (paragraph titles and summaries) and the forum's messages of an
/// analysis; none for a task asked for a query alone.
async fn engine_reports_and_forum(
    db: &Database,
    analysis: Option<&str>,
) -> Result<(Vec<EngineSummary>, Vec<ForumLine>), String> {
    let Some(analysis) = analysis else {
        return Ok((Vec::new(), Vec::new()));
    };
    let outputs = db
        .engine_outputs_of(analysis)
        .await
        .map_err(|e| format!("the engines' reports could not be read: {e}"))?;
    let engines = outputs
        .into_iter()
        .filter_map(|o| {
            let doc: serde_json::Value = serde_json::from_str(o.document.as_deref()?).ok()?;
            let paragraphs = doc
                .get("paragraphs")?
                .as_array()?
                .iter()
                .filter_map(|p| {
                    Some((
                        p.get("title")?.as_str()?.to_owned(),
                        p.get("summary")?.as_str()?.to_owned(),
                    ))
                })
                .collect();
            Some(EngineSummary {
                engine: o.engine,
                title: doc
                    .get("title")
                    .and_then(|t| t.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                paragraphs,
            })
        })
        .collect();
    let forum = db
        .forum_messages_of(analysis)
        .await
        .map_err(|e| format!("the forum could not be read: {e}"))?
        .into_iter()
        .map(|m| ForumLine {
            speaker: m.source,
            content: m.content,
        })
        .collect();
    Ok((engines, forum))
}

/// The task's template: its custom one, the kind it asked for, else the LLM's choice (when
/// one is configured), else the rules' ([`Templates::choose`]).
async fn choose_template(
    ctx: &TaskContext,
    task: &ReportTaskRecord,
    language: Language,
    journal: &Journal,
) -> Result<Template, String> {
    if let Some(text) = &task.custom_template {
        return parse_custom(text, language).map_err(|e| format!("the custom template: {e}"));
    }
    let asked = task.template.as_deref().and_then(TemplateKind::parse);
    let kind = match (asked, &ctx.llm) {
        (Some(kind), _) => kind,
        (None, Some(llm)) => match llm_choice(llm, &ctx.templates, &task.query, language).await {
            Ok(kind) => kind,
            Err(why) => {
                let kind = ctx.templates.choose(&task.query);
                journal
                    .record(ReportEvent::Log {
                        level: super::event::LogLevel::Warn,
                        message: format!(
                            "the LLM did not choose a template ({why}); the rules chose `{}`",
                            kind.id()
                        ),
                    })
                    .await;
                kind
            }
        },
        (None, None) => ctx.templates.choose(&task.query),
    };
    ctx.templates
        .get(kind, language)
        .cloned()
        .ok_or_else(|| format!("no template `{}` in {}", kind.id(), language.code()))
}

/// Asks the LLM which built-in kind fits the query.
async fn llm_choice(
    llm: &LlmClient,
    templates: &Templates,
    query: &str,
    language: Language,
) -> Result<TemplateKind, String> {
    let kinds: Vec<String> = TemplateKind::BUILTIN
        .iter()
        .filter_map(|k| templates.get(*k, language))
        .map(|t| format!("- {}: {} — {}", t.kind.id(), t.title, t.description))
        .collect();
    let system = format!(
        "You choose the template of a public-opinion report. Step: report_template. The kinds:\n{}\n\
         Answer with JSON only: {{\"template\": one of the ids above, \"reason\": string}}.",
        kinds.join("\n")
    );
    let answer = llm
        .chat(&[llm::Message::system(system), llm::Message::user(query)])
        .await
        .map_err(|e| e.to_string())?;
    let value = llm::text::parse_json(&answer)?;
    let id = value
        .get("template")
        .and_then(serde_json::Value::as_str)
        .ok_or("the answer names no `template`")?;
    TemplateKind::parse(id).ok_or_else(|| {
        format!(
            "`{}` is not a template",
            id.chars().take(40).collect::<String>()
        )
    })
}
