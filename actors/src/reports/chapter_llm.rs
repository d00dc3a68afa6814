//! One chapter by LLM, never failing the task: the report LLM's answer is parsed, repaired
//! locally when it must be (fences, `<think>`, trailing commas, control characters, unbalanced
//! brackets), asked again once when too thin; then another configured LLM is asked; then a
//! placeholder chapter says what went wrong. Each unusable answer is kept in the task's
//! `failures/` folder for debugging. Quotes of items already quoted are dropped, so each post
//! is quoted once in the whole report whoever wrote the chapter.

use std::path::Path;

use llm::{LlmClient, Message};
use report::document::{Block, Chapter, ChapterOrigin};
use report::repair::{parse_chapter, ChapterError, Repaired};
use report::templates::ChapterPlan;
use report::writer::{self, QuoteBook, WriterInput};
use serde::{Deserialize, Serialize};

use super::event::ChapterState;

/// What the LLM steps of a task did, for its `metrics` events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub llm_calls: u32,
    pub repairs: u32,
    pub fallbacks: u32,
    pub placeholders: u32,
}

/// A written chapter and how it came.
pub struct Written {
    pub chapter: Chapter,
    pub state: ChapterState,
    /// Said to the task's stream as a `warning`.
    pub warning: Option<String>,
}

impl Written {
    /// The metric label of how it came.
    pub fn outcome(&self) -> &'static str {
        match (&self.chapter.origin, self.state) {
            (ChapterOrigin::Builtin, _) => "builtin",
            (_, ChapterState::Repaired) => "repaired",
            (ChapterOrigin::Llm { .. }, _) => "llm",
            (ChapterOrigin::Fallback { .. }, _) => "fallback",
            (ChapterOrigin::Placeholder { .. }, _) => "placeholder",
        }
    }
}

/// Asks `llm` (then `fallback`) for `plan`.
pub async fn write(
    llm: &LlmClient,
    fallback: Option<&LlmClient>,
    input: &WriterInput<'_>,
    plan: &ChapterPlan,
    quotes: &mut QuoteBook,
    failures: &Path,
    counters: &mut Counters,
) -> Written {
    let sources = input.evidence.items.len();
    let mut why = match ask(llm, input, plan, quotes, sources, failures, counters).await {
        Ok(repaired) => {
            let state = if repaired.repairs.is_empty() {
                ChapterState::Done
            } else {
                counters.repairs += 1;
                ChapterState::Repaired
            };
            let blocks = once_quoted(repaired.blocks, quotes);
            return Written {
                chapter: Chapter {
                    id: plan.id.clone(),
                    title: plan.title.clone(),
                    blocks,
                    origin: ChapterOrigin::Llm {
                        model: llm.config().model.clone(),
                        repairs: repaired.repairs,
                    },
                },
                state,
                warning: None,
            };
        }
        Err(why) => why,
    };
    if let Some(fallback) = fallback {
        match ask(fallback, input, plan, quotes, sources, failures, counters).await {
            Ok(repaired) => {
                counters.fallbacks += 1;
                let blocks = once_quoted(repaired.blocks, quotes);
                let model = fallback.config().model.clone();
                return Written {
                    chapter: Chapter {
                        id: plan.id.clone(),
                        title: plan.title.clone(),
                        blocks,
                        origin: ChapterOrigin::Fallback {
                            model: model.clone(),
                            why: why.clone(),
                        },
                    },
                    state: ChapterState::Fallback,
                    warning: Some(format!(
                        "chapter `{}`: the report LLM gave no usable chapter ({why}); {model} wrote it",
                        plan.id
                    )),
                };
            }
            Err(second) => why = format!("{why}; fallback: {second}"),
        }
    }
    counters.placeholders += 1;
    Written {
        chapter: writer::placeholder(plan, &why, input.language),
        state: ChapterState::Placeholder,
        warning: Some(format!(
            "chapter `{}` is a placeholder: no LLM gave a usable chapter ({why})",
            plan.id
        )),
    }
}

/// One LLM's chapter: asked, and asked again once when the answer is too thin.
async fn ask(
    llm: &LlmClient,
    input: &WriterInput<'_>,
    plan: &ChapterPlan,
    quotes: &QuoteBook,
    sources: usize,
    failures: &Path,
    counters: &mut Counters,
) -> Result<Repaired, String> {
    let (system, user) = report::prompt::chapter_prompt(input, plan, quotes);
    let mut messages = vec![Message::system(system), Message::user(user)];
    let mut last = String::new();
    for attempt in 1..=2 {
        counters.llm_calls += 1;
        let answer = llm.chat(&messages).await.map_err(|e| e.to_string())?;
        match parse_chapter(&answer, sources, input.language) {
            Ok(repaired) => return Ok(repaired),
            Err(err) => {
                keep_failure(
                    failures,
                    &plan.id,
                    llm.config().engine,
                    attempt,
                    &answer,
                    &err,
                )
                .await;
                last = err.to_string();
                if !matches!(err, ChapterError::Thin(_)) {
                    break;
                }
                messages.push(Message {
                    role: "assistant".into(),
                    content: answer,
                });
                messages.push(Message::user(
                    "That chapter is too thin: write it again, fuller, with the figures and \
                     sources given, in the same JSON shape.",
                ));
            }
        }
    }
    Err(last)
}

/// Drops quotes of items already quoted in the report, and records the rest as quoted.
fn once_quoted(blocks: Vec<Block>, quotes: &mut QuoteBook) -> Vec<Block> {
    blocks
        .into_iter()
        .filter(|block| match block {
            Block::Quote { source, .. } => {
                let index = usize::try_from(*source)
                    .unwrap_or(usize::MAX)
                    .wrapping_sub(1);
                quotes.used.insert(index)
            }
            _ => true,
        })
        .collect()
}

/// Keeps an unusable answer for debugging (`failures/<chapter>-<endpoint>-<attempt>.txt`).
async fn keep_failure(
    dir: &Path,
    chapter: &str,
    endpoint: &str,
    attempt: u32,
    answer: &str,
    err: &ChapterError,
) {
    let name = format!("{chapter}-{endpoint}-{attempt}.txt");
    let text = format!("{err}\n\n{answer}");
    let written = async {
        tokio::fs::create_dir_all(dir).await?;
        tokio::fs::write(dir.join(&name), text).await
    };
    if let Err(io) = written.await {
        tracing::warn!(error = %io, file = %name, "could not keep the unusable chapter answer");
    }
    tracing::warn!(chapter, endpoint, attempt, error = %err, "an LLM's chapter answer was unusable");
}
