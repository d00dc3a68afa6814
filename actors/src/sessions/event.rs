//! The events of an analysis session, on `analysis/<id>`: one type, published one way
//! ([`SessionEvent::publish`]), whoever publishes (the session, its engines, the overdue sweep).

use std::collections::BTreeMap;

use serde::Serialize;

use super::outcome::{Ending, EnginePart};
use super::{AnalysisId, AnalysisStatus};
use crate::engines::{EngineKind, JobProgress};
use events::{EventBus, Topic};

/// How a session ended, as `finished` and `cancelled` carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionEnd {
    pub id: AnalysisId,
    pub status: AnalysisStatus,
    pub error: Option<String>,
    /// Each engine's part (empty when none is known: a session that never started, or one a
    /// stopped process left).
    pub engines: BTreeMap<EngineKind, EnginePart>,
}

/// Something that happened to a session. The payload is the variant's fields; the event's type
/// is [`SessionEvent::kind`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum SessionEvent {
    /// `started`: the engines are being sent their jobs.
    Started {
        id: AnalysisId,
        query: String,
        engines: [EngineKind; 3],
    },
    /// `engine_progress`: an engine's job moved on (the same payload as its `progress` on
    /// `engine/<name>`).
    EngineProgress(JobProgress),
    /// `engine_done`: an engine's part ended.
    EngineDone {
        engine: EngineKind,
        #[serde(flatten)]
        part: EnginePart,
    },
    /// `finished`: the session ended `done`, `partial` or `failed`.
    Finished(SessionEnd),
    /// `cancelled`: the session was cancelled.
    Cancelled(SessionEnd),
}

impl SessionEvent {
    /// The event's type on the stream.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Started { .. } => "started",
            Self::EngineProgress(_) => "engine_progress",
            Self::EngineDone { .. } => "engine_done",
            Self::Finished(_) => Self::FINISHED,
            Self::Cancelled(_) => Self::CANCELLED,
        }
    }

    /// The type of the event that ends a session that ran its course (or failed).
    const FINISHED: &'static str = "finished";
    /// The type of the event that ends a cancelled session.
    const CANCELLED: &'static str = "cancelled";

    /// The types of the events that end a session, after which its stream ends.
    pub const ENDINGS: [&'static str; 2] = [Self::FINISHED, Self::CANCELLED];

    /// Whether an event of type `kind` ends a session (see [`SessionEvent::ENDINGS`]).
    pub fn ends_session(kind: &str) -> bool {
        Self::ENDINGS.contains(&kind)
    }

    /// The event that announces `ending`: `cancelled` for a cancellation, else `finished`.
    pub(crate) fn ended(id: &AnalysisId, ending: &Ending) -> Self {
        let end = SessionEnd {
            id: id.clone(),
            status: ending.status,
            error: ending.error.clone(),
            engines: ending.result.engines.clone(),
        };
        match ending.status {
            AnalysisStatus::Cancelled => Self::Cancelled(end),
            _ => Self::Finished(end),
        }
    }

    /// Publishes it on the session's topic, `analysis/<id>`.
    pub fn publish(&self, bus: &EventBus, id: &AnalysisId) {
        let topic = Topic::analysis(id);
        if let Err(err) = bus.publish(topic.as_str(), self.kind(), self) {
            // Topics and types here are made of checked parts; this would be a bug, and the
            // record still holds the session's state.
            tracing::warn!(error = %err, topic = %topic, "a session event could not be published");
        }
    }
}
