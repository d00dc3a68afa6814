//! Report tasks and their event log: the queue several instances share. A task is claimed
//! with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; one `UPDATE … RETURNING` inside a
//! write transaction on SQLite), renewed while its instance works, and taken over by another
//! instance when the lease expires. Every write of a running task is fenced by its owner and
//! claim token, so an instance that lost its lease cannot overwrite the new holder's work.
//!
//! Here: the types, creating a task and reading the history. The lease and its fenced writes
//! are in `queue`, the event log in `events`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::db::{on_conn, Database};
use crate::error::{Result, StorageError};

mod events;
mod queue;

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

/// Every stored column of a task, in [`TaskRow`]'s order.
const TASK_COLUMNS: &str = "id, analysis_id, query, template, custom_template, status, progress, \
    error, owner, lease_until, attempts, cancel_requested, checkpoint, document, markdown, html, \
    created_at, updated_at, finished_at";

/// The columns of a history entry, in [`SummaryRow`]'s order.
const SUMMARY_COLUMNS: &str =
    "id, analysis_id, query, template, status, progress, error, created_at, updated_at, finished_at";

/// A task row as the database gives it; [`ReportTaskRecord`] once its status is known and its
/// progress in range. Decoded the same way from either backend.
#[derive(sqlx::FromRow)]
struct TaskRow {
    id: String,
    analysis_id: Option<String>,
    query: String,
    template: Option<String>,
    custom_template: Option<String>,
    status: String,
    progress: i64,
    error: Option<String>,
    owner: Option<String>,
    lease_until: Option<i64>,
    attempts: i64,
    cancel_requested: bool,
    checkpoint: Option<String>,
    document: Option<String>,
    markdown: Option<String>,
    html: Option<String>,
    created_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<TaskRow> for ReportTaskRecord {
    type Error = StorageError;

    fn try_from(row: TaskRow) -> Result<Self> {
        Ok(Self {
            status: row.status.parse()?,
            progress: progress_of(row.progress),
            id: row.id,
            analysis_id: row.analysis_id,
            query: row.query,
            template: row.template,
            custom_template: row.custom_template,
            error: row.error,
            owner: row.owner,
            lease_until: row.lease_until,
            attempts: row.attempts,
            cancel_requested: row.cancel_requested,
            checkpoint: row.checkpoint,
            document: row.document,
            markdown: row.markdown,
            html: row.html,
            created_at: row.created_at,
            updated_at: row.updated_at,
            finished_at: row.finished_at,
        })
    }
}

/// A history row as the database gives it.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    analysis_id: Option<String>,
    query: String,
    template: Option<String>,
    status: String,
    progress: i64,
    error: Option<String>,
    created_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<SummaryRow> for ReportTaskSummary {
    type Error = StorageError;

    fn try_from(row: SummaryRow) -> Result<Self> {
        Ok(Self {
            status: row.status.parse()?,
            progress: progress_of(row.progress),
            id: row.id,
            analysis_id: row.analysis_id,
            query: row.query,
            template: row.template,
            error: row.error,
            created_at: row.created_at,
            updated_at: row.updated_at,
            finished_at: row.finished_at,
        })
    }
}

/// A stored progress as a percentage: the column is a plain integer, so anything outside
/// 0–100 (written by hand, say) is read as the nearest end rather than refused.
fn progress_of(stored: i64) -> u8 {
    // The clamp makes the cast lossless.
    stored.clamp(0, 100) as u8
}

/// The most history entries one page returns, whatever is asked.
const MAX_PAGE: u32 = 1_000;

impl Database {
    /// Queues a task as pending.
    ///
    /// # Errors
    /// [`StorageError::Conflict`] for a taken id; [`StorageError::Invalid`] for an empty id or
    /// query; the database's.
    pub async fn create_report_task(&self, task: &NewReportTask<'_>) -> Result<()> {
        if task.id.is_empty() || task.query.is_empty() {
            return Err(StorageError::Invalid(
                "a report task needs an id and a query".into(),
            ));
        }
        // ON CONFLICT DO NOTHING rather than catching the unique violation: the taken id is
        // then an answer (no row written), the same on both backends, and a PostgreSQL
        // transaction is not left aborted.
        let written = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO report_tasks (id, analysis_id, query, template, custom_template, \
                 status, progress, attempts, cancel_requested, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 0, 0, FALSE, $7, $7) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(task.id)
            .bind(task.analysis_id)
            .bind(task.query)
            .bind(task.template)
            .bind(task.custom_template)
            .bind(ReportStatus::Pending.as_str())
            .bind(task.created_at)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if written == 0 {
            return Err(StorageError::Conflict(format!(
                "report task `{}` already exists",
                task.id
            )));
        }
        Ok(())
    }

    /// A task, if it exists.
    pub async fn report_task(&self, id: &str) -> Result<Option<ReportTaskRecord>> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM report_tasks WHERE id = $1");
        let row: Option<TaskRow> = on_conn!(self, c => {
            sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await?
        });
        row.map(ReportTaskRecord::try_from).transpose()
    }

    /// A task's status and error, without its outputs: what streams and cancels poll.
    pub async fn report_task_status(
        &self,
        id: &str,
    ) -> Result<Option<(ReportStatus, Option<String>)>> {
        let row: Option<(String, Option<String>)> = on_conn!(self, c => {
            sqlx::query_as("SELECT status, error FROM report_tasks WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *c)
                .await?
        });
        row.map(|(status, error)| Ok((status.parse()?, error)))
            .transpose()
    }

    /// A page of the history, newest first, after `cursor` (at most 1,000 entries). Ordered by
    /// (created_at, id), so tasks created in the same millisecond are neither repeated nor
    /// skipped from one page to the next.
    pub async fn report_tasks_page(
        &self,
        cursor: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<ReportTaskSummary>> {
        let limit = i64::from(limit.clamp(1, MAX_PAGE));
        let rows: Vec<SummaryRow> = match cursor {
            None => {
                let sql = format!(
                    "SELECT {SUMMARY_COLUMNS} FROM report_tasks \
                     ORDER BY created_at DESC, id DESC LIMIT $1"
                );
                on_conn!(self, c => {
                    sqlx::query_as(&sql).bind(limit).fetch_all(&mut *c).await?
                })
            }
            Some(cursor) => {
                // Strictly after the cursor in (created_at DESC, id DESC); the first condition
                // alone lets either backend start its scan of idx_report_tasks_created there.
                let sql = format!(
                    "SELECT {SUMMARY_COLUMNS} FROM report_tasks \
                     WHERE created_at <= $1 AND (created_at < $1 OR id < $2) \
                     ORDER BY created_at DESC, id DESC LIMIT $3"
                );
                on_conn!(self, c => {
                    sqlx::query_as(&sql)
                        .bind(cursor.created_at)
                        .bind(&cursor.id)
                        .bind(limit)
                        .fetch_all(&mut *c)
                        .await?
                })
            }
        };
        rows.into_iter().map(ReportTaskSummary::try_from).collect()
    }

    /// How many tasks are in each status (every status listed, zeros included), in
    /// [`ReportStatus::ALL`]'s order.
    pub async fn report_task_counts(&self) -> Result<Vec<(ReportStatus, i64)>> {
        let rows: Vec<(String, i64)> = on_conn!(self, c => {
            sqlx::query_as("SELECT status, COUNT(*) FROM report_tasks GROUP BY status")
                .fetch_all(&mut *c)
                .await?
        });
        let mut counts: Vec<(ReportStatus, i64)> =
            ReportStatus::ALL.into_iter().map(|s| (s, 0)).collect();
        for (status, count) in rows {
            match counts.iter_mut().find(|(s, _)| s.as_str() == status) {
                Some((_, slot)) => *slot = count,
                // Written by something newer (or by hand): not one of ours to count.
                None => tracing::warn!(%status, count, "report tasks in an unknown status"),
            }
        }
        Ok(counts)
    }
}
