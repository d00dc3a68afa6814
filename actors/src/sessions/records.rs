//! The sessions' records: creating an analysis's row, recording and announcing how it ended,
//! reading it back with its engines' outputs and forum messages, and finding the analyses a
//! stopped process left `running`. Needs the database and the bus, not the tree, so the
//! storage actor's sweep can hold it before the tree exists.

use serde::Serialize;
use serde_json::value::RawValue;
use storage::analyses::OutputStatus;
use storage::forum::ForumMessage;
use storage::{Database, StorageError};

use super::event::SessionEvent;
use super::outcome::{AnalysisResult, Ending};
use super::{AnalysisId, AnalysisStatus};
use crate::internal_events::AnalysisEnded;
use events::EventBus;

/// What an analysis a stopped process left running is recorded as having failed of.
pub const ABANDONED: &str = "abandoned: the process running it stopped before it finished";

/// An analysis as `GET /api/analysis/{id}` answers it.
#[derive(Debug, Clone, Serialize)]
pub struct AnalysisView {
    pub id: String,
    pub query: String,
    pub status: AnalysisStatus,
    pub error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    /// What it came to; `None` while it runs (and for a stored result this build cannot read).
    pub result: Option<AnalysisResult>,
    /// Each engine's run, in the order they started.
    pub engines: Vec<EngineOutputView>,
    /// The forum's messages about it, oldest first.
    pub forum: Vec<ForumMessage>,
}

/// One engine's run within an analysis.
#[derive(Debug, Clone, Serialize)]
pub struct EngineOutputView {
    pub engine: String,
    pub status: OutputStatus,
    pub error: Option<String>,
    pub markdown: Option<String>,
    /// The report as its engine stored it (JSON), passed through unread; `None` when there is
    /// none or it is not JSON.
    pub report: Option<Box<RawValue>>,
    pub output_id: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// An analysis in a list (without its reports).
#[derive(Debug, Clone, Serialize)]
pub struct AnalysisSummary {
    pub id: String,
    pub query: String,
    pub status: AnalysisStatus,
    pub error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// The sessions' rows and their announcements. Cheap to clone.
#[derive(Clone)]
pub struct SessionRecords {
    db: Database,
    bus: EventBus,
}

impl SessionRecords {
    /// Records in `db`, announcements on `bus`.
    pub fn new(db: Database, bus: EventBus) -> Self {
        Self { db, bus }
    }

    pub(crate) fn bus(&self) -> &EventBus {
        &self.bus
    }

    /// Records a new analysis as running, to have ended by `deadline_ms`.
    pub(crate) async fn create(
        &self,
        id: &AnalysisId,
        query: &str,
        at_ms: i64,
        deadline_ms: i64,
    ) -> Result<(), StorageError> {
        self.db
            .create_analysis(id.as_str(), query, at_ms, deadline_ms)
            .await
    }

    /// Removes the row of an analysis whose session never started; whether there was one.
    pub(crate) async fn forget_unstarted(&self, id: &AnalysisId) -> Result<bool, StorageError> {
        self.db.forget_unstarted_analysis(id.as_str()).await
    }

    /// The analysis's status, if it exists.
    pub(crate) async fn status(
        &self,
        id: &AnalysisId,
    ) -> Result<Option<AnalysisStatus>, StorageError> {
        Ok(self.db.analysis(id.as_str()).await?.map(|r| r.status))
    }

    /// Writes `ending` to the analysis's row if it is still running; whether it was.
    pub(crate) async fn record_end(
        &self,
        id: &AnalysisId,
        ending: &Ending,
    ) -> Result<bool, StorageError> {
        // Serialising a result cannot fail (string keys, no floats); were it to, the ending
        // is still recorded, without its result.
        let result = ending.result.to_json().ok();
        self.db
            .finish_analysis(
                id.as_str(),
                ending.status,
                ending.error.as_deref(),
                result.as_deref(),
                storage::clock::now_ms(),
            )
            .await
    }

    /// Counts `ending` and says it on the analysis's topic (`finished` or `cancelled`).
    pub(crate) fn announce_end(&self, id: &AnalysisId, ending: &Ending) {
        AnalysisEnded {
            outcome: ending.status,
        }
        .emit();
        SessionEvent::ended(id, ending).publish(&self.bus, id);
    }

    /// Records `ending` if the analysis is still running, and then announces it; whether it
    /// was running.
    pub(crate) async fn end_if_running(
        &self,
        id: &AnalysisId,
        ending: &Ending,
    ) -> Result<bool, StorageError> {
        let ended = self.record_end(id, ending).await?;
        if ended {
            self.announce_end(id, ending);
        }
        Ok(ended)
    }

    /// Ends as `failed` ([`ABANDONED`]) every analysis still running past its deadline, with
    /// its running engine outputs, and announces each; their ids. Such an analysis's process
    /// stopped (a kill, a crash) before it could record an ending. A deadline, rather than
    /// "whatever was running when this process started", because another node sharing the
    /// database may be running its own.
    ///
    /// # Errors
    /// The database's.
    pub async fn abandon_overdue(&self, now_ms: i64) -> Result<Vec<AnalysisId>, StorageError> {
        let ids = self.db.abandon_overdue_analyses(now_ms, ABANDONED).await?;
        let ending = Ending::without_parts(AnalysisStatus::Failed, ABANDONED.to_owned());
        Ok(ids
            .into_iter()
            .map(|id| {
                let id = AnalysisId::from_record(id);
                tracing::warn!(analysis = %id, "an analysis left running by a stopped process is recorded as failed");
                self.announce_end(&id, &ending);
                id
            })
            .collect())
    }

    /// An analysis with its engines' outputs and its forum messages, if it exists.
    pub(crate) async fn view(&self, id: &AnalysisId) -> Result<Option<AnalysisView>, StorageError> {
        let Some(record) = self.db.analysis(id.as_str()).await? else {
            return Ok(None);
        };
        let engines = self
            .db
            .engine_outputs_of(id.as_str())
            .await?
            .into_iter()
            .map(|o| EngineOutputView {
                report: o.document.and_then(|text| RawValue::from_string(text).ok()),
                engine: o.engine,
                status: o.status,
                error: o.error,
                markdown: o.markdown,
                output_id: o.id,
                created_at: o.created_at,
                finished_at: o.finished_at,
            })
            .collect();
        let forum = self.db.forum_messages_of(id.as_str()).await?;
        Ok(Some(AnalysisView {
            result: record.result.as_deref().and_then(AnalysisResult::from_json),
            id: record.id,
            query: record.query,
            status: record.status,
            error: record.error,
            created_at: record.created_at,
            finished_at: record.finished_at,
            engines,
            forum,
        }))
    }

    /// The latest `limit` analyses, newest first.
    pub(crate) async fn list(&self, limit: u32) -> Result<Vec<AnalysisSummary>, StorageError> {
        Ok(self
            .db
            .recent_analyses(limit)
            .await?
            .into_iter()
            .map(|r| AnalysisSummary {
                id: r.id,
                query: r.query,
                status: r.status,
                error: r.error,
                created_at: r.created_at,
                finished_at: r.finished_at,
            })
            .collect())
    }
}
