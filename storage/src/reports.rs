//! Report tasks and their event log: the queue several instances share. A task is claimed
//! with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; one `UPDATE … RETURNING` inside a
//! write transaction on SQLite), renewed while its instance works, and taken over by another
//! instance when the lease expires. Every write of a running task is fenced by its owner and
//! claim token, so an instance that lost its lease cannot overwrite the new holder's work.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::db::Database;
use crate::error::{Result, StorageError};

/// Where a report task is. The stored and spoken text is [`ReportStatus::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    Pending,
    Running,
    Completed,
    Error,
    Cancelled,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 5] = [
        Self::Pending,
        Self::Running,
        Self::Completed,
        Self::Error,
        Self::Cancelled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Error => "error",
            Self::Cancelled => "cancelled",
        }
    }

    /// Completed, error or cancelled.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Error | Self::Cancelled)
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportStatus {
    type Err = StorageError;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| StorageError::Invalid(format!("unknown report status `{s}`")))
    }
}

/// A task to queue.
#[derive(Debug, Clone)]
pub struct NewReportTask<'a> {
    pub id: &'a str,
    pub analysis_id: Option<&'a str>,
    pub query: &'a str,
    /// The template kind asked for (`brand_reputation`…), `None` to choose.
    pub template: Option<&'a str>,
    /// A custom template's text, already validated.
    pub custom_template: Option<&'a str>,
    pub created_at: i64,
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportTaskRecord {
    pub id: String,
    pub analysis_id: Option<String>,
    pub query: String,
    pub template: Option<String>,
    #[serde(skip)]
    pub custom_template: Option<String>,
    pub status: ReportStatus,
    /// 0–100.
    pub progress: u8,
    pub error: Option<String>,
    /// The instance holding it (while running).
    pub owner: Option<String>,
    /// Epoch ms the owner's lease runs to.
    pub lease_until: Option<i64>,
    /// How many times it was claimed.
    pub attempts: i64,
    pub cancel_requested: bool,
    /// The finished chapters so far (JSON the report engine writes), to resume from.
    #[serde(skip)]
    pub checkpoint: Option<String>,
    /// The finished document (JSON), Markdown and HTML.
    #[serde(skip)]
    pub document: Option<String>,
    #[serde(skip)]
    pub markdown: Option<String>,
    #[serde(skip)]
    pub html: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// A task in a history page (without its outputs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportTaskSummary {
    pub id: String,
    pub analysis_id: Option<String>,
    pub query: String,
    pub template: Option<String>,
    pub status: ReportStatus,
    pub progress: u8,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// A claimed task and the token that fences its writes (its `attempts` after the claim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub task: ReportTaskRecord,
    pub token: i64,
}

/// Who holds a running task: the instance and its claim's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder<'a> {
    pub owner: &'a str,
    pub token: i64,
}

/// What renewing a lease found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseState {
    /// Still ours, extended; whether a cancel was asked for meanwhile.
    Held { cancel_requested: bool },
    /// Another instance took it over, or it ended.
    Lost,
}

/// How a held task ends.
#[derive(Debug, Clone)]
pub struct ReportEnding<'a> {
    /// Completed, error or cancelled.
    pub status: ReportStatus,
    pub error: Option<&'a str>,
    pub document: Option<&'a str>,
    pub markdown: Option<&'a str>,
    pub html: Option<&'a str>,
}

/// What asking to cancel did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    /// It was pending: now cancelled.
    Cancelled,
    /// It is running: its holder will stop it (the flag is set).
    Requested {
        owner: Option<String>,
    },
    /// It had already ended.
    AlreadyEnded(ReportStatus),
    NotFound,
}

/// One stored event of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportEventRecord {
    /// 1, 2, 3… per task.
    pub seq: i64,
    pub kind: String,
    /// JSON.
    pub payload: String,
    pub at: i64,
}

/// Where a history page starts: after this (created_at, id), newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    pub created_at: i64,
    pub id: String,
}

impl Database {
    /// Queues a task as pending.
    ///
    /// # Errors
    /// [`StorageError::Conflict`] for a taken id; the database's.
    pub async fn create_report_task(&self, task: &NewReportTask<'_>) -> Result<()> {
        let _ = task;
        todo!("H-storage")
    }

    /// A task, if it exists.
    pub async fn report_task(&self, id: &str) -> Result<Option<ReportTaskRecord>> {
        let _ = id;
        todo!("H-storage")
    }

    /// A page of the history, newest first, after `cursor`.
    pub async fn report_tasks_page(
        &self,
        cursor: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<ReportTaskSummary>> {
        let _ = (cursor, limit);
        todo!("H-storage")
    }

    /// How many tasks are in each status (every status listed, zeros included).
    pub async fn report_task_counts(&self) -> Result<Vec<(ReportStatus, i64)>> {
        todo!("H-storage")
    }

    /// Claims the oldest claimable task for `owner` — pending, or running with a lease expired
    /// before `now_ms` and fewer than `max_attempts` claims — as running with a lease to
    /// `now_ms + lease_ms`. Each task is claimed by one caller at a time whatever the number of
    /// instances.
    pub async fn claim_report_task(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        max_attempts: i64,
    ) -> Result<Option<Claimed>> {
        let _ = (owner, now_ms, lease_ms, max_attempts);
        todo!("H-storage")
    }

    /// Ends as `error` (with `reason`) the running tasks whose lease expired and that were
    /// claimed `max_attempts` times already: never left running. Their ids.
    pub async fn fail_exhausted_report_tasks(
        &self,
        now_ms: i64,
        max_attempts: i64,
        reason: &str,
    ) -> Result<Vec<String>> {
        let _ = (now_ms, max_attempts, reason);
        todo!("H-storage")
    }

    /// Extends the lease while `holder` holds the task.
    pub async fn renew_report_lease(
        &self,
        id: &str,
        holder: &Holder<'_>,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<LeaseState> {
        let _ = (id, holder, now_ms, lease_ms);
        todo!("H-storage")
    }

    /// Records progress (and the checkpoint, when given) while `holder` holds the task;
    /// whether it does.
    pub async fn save_report_progress(
        &self,
        id: &str,
        holder: &Holder<'_>,
        progress: u8,
        checkpoint: Option<&str>,
        now_ms: i64,
    ) -> Result<bool> {
        let _ = (id, holder, progress, checkpoint, now_ms);
        todo!("H-storage")
    }

    /// Ends a task `holder` holds; whether it did (false: the lease was lost).
    pub async fn finish_report_task(
        &self,
        id: &str,
        holder: &Holder<'_>,
        ending: &ReportEnding<'_>,
        now_ms: i64,
    ) -> Result<bool> {
        let _ = (id, holder, ending, now_ms);
        todo!("H-storage")
    }

    /// Asks to cancel a task: a pending one is cancelled at once, a running one flagged for
    /// its holder.
    pub async fn request_report_cancel(&self, id: &str, now_ms: i64) -> Result<CancelOutcome> {
        let _ = (id, now_ms);
        todo!("H-storage")
    }

    /// Appends an event to a task's log; its sequence number (1, 2, 3…).
    pub async fn append_report_event(
        &self,
        task_id: &str,
        kind: &str,
        payload: &str,
        at_ms: i64,
    ) -> Result<i64> {
        let _ = (task_id, kind, payload, at_ms);
        todo!("H-storage")
    }

    /// A task's events after `after_seq`, oldest first, at most `limit`.
    pub async fn report_events_after(
        &self,
        task_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ReportEventRecord>> {
        let _ = (task_id, after_seq, limit);
        todo!("H-storage")
    }
}
