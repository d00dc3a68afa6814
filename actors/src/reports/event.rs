//! A report task's events, with the original's types and fields (`status`, `stage`,
//! `chapter_status`, `chapter_chunk`, `warning`, `log`, `metrics`, `html_ready`, `completed`,
//! `error`, `cancelled`), and the journal that keeps them: each is appended to the task's log in
//! the database first (so `stream/{id}` replays the whole task, from any instance, after any
//! restart), then announced on `report/<id>` to wake the streams that follow it live.

use serde::Serialize;
use storage::reports::ReportStatus;
use storage::Database;

use events::{EventBus, Topic};

/// What a task is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading the analysis, its evidence, its engines' reports and its forum.
    Inputs,
    /// Choosing and reading the template.
    Template,
    /// Writing chapters.
    Chapters,
    /// Rendering HTML, Markdown and JSON.
    Render,
}

/// Where a chapter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChapterState {
    Running,
    /// Written by the built-in writer or an LLM whose answer parsed.
    Done,
    /// An LLM's answer that needed local repair.
    Repaired,
    /// Written by the fallback LLM.
    Fallback,
    /// No usable chapter: a placeholder stands in.
    Placeholder,
    /// Taken from the checkpoint of an earlier attempt.
    Resumed,
}

/// How much a `log` event matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Info,
    Warn,
}

/// One event of a report task.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReportEvent {
    Status {
        status: ReportStatus,
        progress: u8,
        message: String,
    },
    Stage {
        stage: Stage,
        progress: u8,
        message: String,
    },
    ChapterStatus {
        chapter_id: String,
        title: String,
        /// 1-based.
        index: usize,
        of: usize,
        status: ChapterState,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    ChapterChunk {
        chapter_id: String,
        /// A piece of the chapter's Markdown, in order.
        delta: String,
    },
    Warning {
        message: String,
    },
    Log {
        level: LogLevel,
        message: String,
    },
    Metrics {
        chapters_done: usize,
        chapters_total: usize,
        elapsed_ms: u64,
        llm_calls: u32,
        repairs: u32,
        fallbacks: u32,
        placeholders: u32,
    },
    HtmlReady {
        url: String,
        bytes: usize,
    },
    Completed {
        progress: u8,
        url: String,
        markdown_url: String,
        json_url: String,
        elapsed_ms: u64,
    },
    Error {
        message: String,
    },
    Cancelled {
        message: String,
    },
}

/// An event's type: the SSE `event:` name and the stored `kind`, spelled in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Status,
    Stage,
    ChapterStatus,
    ChapterChunk,
    Warning,
    Log,
    Metrics,
    HtmlReady,
    Completed,
    Error,
    Cancelled,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        Self::Status,
        Self::Stage,
        Self::ChapterStatus,
        Self::ChapterChunk,
        Self::Warning,
        Self::Log,
        Self::Metrics,
        Self::HtmlReady,
        Self::Completed,
        Self::Error,
        Self::Cancelled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Stage => "stage",
            Self::ChapterStatus => "chapter_status",
            Self::ChapterChunk => "chapter_chunk",
            Self::Warning => "warning",
            Self::Log => "log",
            Self::Metrics => "metrics",
            Self::HtmlReady => "html_ready",
            Self::Completed => "completed",
            Self::Error => "error",
            Self::Cancelled => "cancelled",
        }
    }

    /// The kind a stored event names, if this build knows it.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether it ends a task (and its stream).
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Error | Self::Cancelled)
    }
}

impl ReportEvent {
    /// Its type.
    pub fn kind(&self) -> EventKind {
        match self {
            Self::Status { .. } => EventKind::Status,
            Self::Stage { .. } => EventKind::Stage,
            Self::ChapterStatus { .. } => EventKind::ChapterStatus,
            Self::ChapterChunk { .. } => EventKind::ChapterChunk,
            Self::Warning { .. } => EventKind::Warning,
            Self::Log { .. } => EventKind::Log,
            Self::Metrics { .. } => EventKind::Metrics,
            Self::HtmlReady { .. } => EventKind::HtmlReady,
            Self::Completed { .. } => EventKind::Completed,
            Self::Error { .. } => EventKind::Error,
            Self::Cancelled { .. } => EventKind::Cancelled,
        }
    }

    /// The event's fields as stored (without `type`).
    pub fn payload(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.remove("type");
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_the_serde_tag_of_its_event() {
        let events = [
            ReportEvent::Warning {
                message: "m".into(),
            },
            ReportEvent::Completed {
                progress: 100,
                url: String::new(),
                markdown_url: String::new(),
                json_url: String::new(),
                elapsed_ms: 0,
            },
            ReportEvent::ChapterChunk {
                chapter_id: "c".into(),
                delta: "d".into(),
            },
        ];
        for event in events {
            let tagged = serde_json::to_value(&event).unwrap_or_default();
            assert_eq!(tagged["type"], event.kind().as_str());
            assert_eq!(EventKind::parse(event.kind().as_str()), Some(event.kind()));
        }
        assert!(EventKind::Cancelled.is_terminal() && !EventKind::Stage.is_terminal());
    }
}

/// A task's journal: its log in the database, and its topic.
#[derive(Clone)]
pub struct Journal {
    db: Database,
    bus: EventBus,
    task: String,
}

impl Journal {
    pub fn new(db: Database, bus: EventBus, task: impl Into<String>) -> Self {
        Self {
            db,
            bus,
            task: task.into(),
        }
    }

    /// Appends `event` to the log, then announces it with its sequence number. A database
    /// failure is logged: the live stream still hears it, a replay will not.
    pub async fn record(&self, event: ReportEvent) -> Option<i64> {
        let mut payload = event.payload();
        let text = payload.to_string();
        let seq = match self
            .db
            .append_report_event(
                &self.task,
                event.kind().as_str(),
                &text,
                storage::clock::now_ms(),
            )
            .await
        {
            Ok(seq) => Some(seq),
            Err(err) => {
                tracing::warn!(task = %self.task, kind = event.kind().as_str(), error = %err, "a report event could not be stored");
                None
            }
        };
        if let Some(object) = payload.as_object_mut() {
            object.insert("task_id".into(), self.task.clone().into());
            object.insert("seq".into(), seq.into());
        }
        let _ = self.bus.publish(
            Topic::report(&self.task).as_str(),
            event.kind().as_str(),
            &payload,
        );
        seq
    }
}
