//! What a session comes to: each engine's part, its evidence set, and its report task.
//! [`AnalysisResult`] is what is stored in the analysis's row (as JSON, written once when it
//! ends), answered by `GET /api/analysis/{id}` as `result`, and carried by the `finished` event.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::AnalysisStatus;
use crate::engines::report::Mode;
use crate::engines::{EngineKind, JobOutcome, JobStatus};

/// How one engine's part of a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartStatus {
    /// Its report came back.
    Done,
    /// Its job failed, the engine could not be reached, or the session stopped first.
    Failed,
    /// Its job was cancelled (with the session, or by the engine's operator).
    Cancelled,
    /// No report within the engine timeout; its job was cancelled.
    Timeout,
}

impl From<JobStatus> for PartStatus {
    fn from(status: JobStatus) -> Self {
        match status {
            JobStatus::Done => Self::Done,
            JobStatus::Failed => Self::Failed,
            JobStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// Why an engine gave no report.
#[derive(Debug, Clone)]
pub enum NoReport {
    /// It took longer than the session allows; its job was cancelled.
    Timeout(Duration),
    /// The engine could not be reached, or stopped before answering.
    Unreachable(String),
}

/// One engine's part of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnginePart {
    pub status: PartStatus,
    #[serde(default)]
    pub error: Option<String>,
    /// Its row in `engine_outputs`, when the database took it.
    #[serde(default)]
    pub output_id: Option<i64>,
    /// How many paragraphs its report has.
    #[serde(default)]
    pub paragraphs: Option<usize>,
    /// `llm` or `builtin`, when a report came back.
    #[serde(default)]
    pub mode: Option<Mode>,
    /// Steps the LLM could not do, done by built-in analysis instead.
    #[serde(default)]
    pub fallbacks: Vec<String>,
}

impl EnginePart {
    /// The part of an engine that answered.
    pub fn answered(outcome: JobOutcome) -> Self {
        let report = outcome.report;
        Self {
            status: outcome.status.into(),
            error: outcome.error,
            output_id: outcome.output_id,
            paragraphs: report.as_ref().map(|r| r.paragraphs.len()),
            mode: report.as_ref().map(|r| r.mode),
            fallbacks: report.map(|r| r.fallbacks).unwrap_or_default(),
        }
    }

    /// The part of an engine that gave no report.
    pub fn no_report(why: NoReport) -> Self {
        let (status, error) = match why {
            NoReport::Timeout(t) => (
                PartStatus::Timeout,
                format!("no report within {t:?}; the job was cancelled"),
            ),
            NoReport::Unreachable(reason) => (PartStatus::Failed, reason),
        };
        Self::unanswered(status, Some(error))
    }

    /// The part of an engine whose answer the session did not wait for.
    pub fn unanswered(status: PartStatus, error: Option<String>) -> Self {
        Self {
            status,
            error,
            output_id: None,
            paragraphs: None,
            mode: None,
            fallbacks: Vec::new(),
        }
    }
}

/// The analysis's report task, queued when it ended (with `REPORT_AUTO`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLink {
    pub task_id: String,
    /// Its progress and, once completed, where its outputs are.
    pub url: String,
    /// Its events (SSE).
    pub stream: String,
}

/// What the analysis's evidence set holds (the set itself is stored beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceSummary {
    pub items: usize,
    pub posts: usize,
    pub comments: usize,
    pub news: usize,
    pub web: usize,
}

/// What a session came to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisResult {
    /// Each engine's part, by engine (`query`, `media`, `insight`).
    pub engines: BTreeMap<EngineKind, EnginePart>,
    /// The evidence set every report of the analysis is written from.
    #[serde(default)]
    pub evidence: Option<EvidenceSummary>,
    /// The report task queued for it.
    #[serde(default)]
    pub report: Option<ReportLink>,
}

impl AnalysisResult {
    /// The stored text, written once when the session ends.
    ///
    /// # Errors
    /// None in practice (every field serialises); a serde error otherwise.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// A stored result; `None` for text this build cannot read (logged).
    pub fn from_json(text: &str) -> Option<Self> {
        match serde_json::from_str(text) {
            Ok(result) => Some(result),
            Err(err) => {
                tracing::warn!(error = %err, "a stored analysis result could not be read");
                None
            }
        }
    }
}

/// How a session ended: recorded in its row and announced on its topic.
#[derive(Debug, Clone)]
pub(crate) struct Ending {
    pub(crate) status: AnalysisStatus,
    pub(crate) error: Option<String>,
    pub(crate) result: AnalysisResult,
}

impl Ending {
    /// An ending with no engine's part to tell (a session that never started, or whose
    /// cancellation came when it was gone).
    pub(crate) fn without_parts(status: AnalysisStatus, error: String) -> Self {
        Self {
            status,
            error: Some(error),
            result: AnalysisResult::default(),
        }
    }
}
