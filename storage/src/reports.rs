//! Report tasks and their event log: the queue several instances share. A task is claimed
//! with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; one `UPDATE … RETURNING` inside a
//! write transaction on SQLite), renewed while its instance works, and taken over by another
//! instance when the lease expires. Every write of a running task is fenced by its owner and
//! claim token, so an instance that lost its lease cannot overwrite the new holder's work.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::db::{on_conn, Conn, Database, SQLITE_BEGIN_WRITE};
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

/// The task columns, with the flag as a number both databases decode alike.
const TASK_COLUMNS: &str = "id, analysis_id, query, template, custom_template, status, progress, \
    error, owner, lease_until, attempts, \
    CAST(CASE WHEN cancel_requested THEN 1 ELSE 0 END AS BIGINT) AS cancel_flag, \
    checkpoint, document, markdown, html, created_at, updated_at, finished_at";

const SUMMARY_COLUMNS: &str =
    "id, analysis_id, query, template, status, progress, error, created_at, updated_at, finished_at";

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
    cancel_flag: i64,
    checkpoint: Option<String>,
    document: Option<String>,
    markdown: Option<String>,
    html: Option<String>,
    created_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
}

impl TaskRow {
    fn record(self) -> Result<ReportTaskRecord> {
        Ok(ReportTaskRecord {
            status: self.status.parse()?,
            progress: u8::try_from(self.progress.clamp(0, 100)).unwrap_or(100),
            id: self.id,
            analysis_id: self.analysis_id,
            query: self.query,
            template: self.template,
            custom_template: self.custom_template,
            error: self.error,
            owner: self.owner,
            lease_until: self.lease_until,
            attempts: self.attempts,
            cancel_requested: self.cancel_flag != 0,
            checkpoint: self.checkpoint,
            document: self.document,
            markdown: self.markdown,
            html: self.html,
            created_at: self.created_at,
            updated_at: self.updated_at,
            finished_at: self.finished_at,
        })
    }
}

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

impl SummaryRow {
    fn summary(self) -> Result<ReportTaskSummary> {
        Ok(ReportTaskSummary {
            status: self.status.parse()?,
            progress: u8::try_from(self.progress.clamp(0, 100)).unwrap_or(100),
            id: self.id,
            analysis_id: self.analysis_id,
            query: self.query,
            template: self.template,
            error: self.error,
            created_at: self.created_at,
            updated_at: self.updated_at,
            finished_at: self.finished_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    kind: String,
    payload: String,
    at: i64,
}

impl Database {
    /// Queues a task as pending.
    ///
    /// # Errors
    /// The database's (a taken id among them).
    pub async fn create_report_task(&self, task: &NewReportTask<'_>) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO report_tasks (id, analysis_id, query, template, custom_template, status, \
                 progress, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
            )
            .bind(task.id)
            .bind(task.analysis_id)
            .bind(task.query)
            .bind(task.template)
            .bind(task.custom_template)
            .bind(task.created_at)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// A task, if it exists.
    pub async fn report_task(&self, id: &str) -> Result<Option<ReportTaskRecord>> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM report_tasks WHERE id = $1");
        let row: Option<TaskRow> = on_conn!(self, c => {
            sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await?
        });
        row.map(TaskRow::record).transpose()
    }

    /// A page of the history, newest first, after `cursor`.
    pub async fn report_tasks_page(
        &self,
        cursor: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<ReportTaskSummary>> {
        let limit = i64::from(limit.clamp(1, 1_000));
        let (at, id) = match cursor {
            Some(c) => (c.created_at, c.id.as_str()),
            None => (i64::MAX, ""),
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM report_tasks \
             WHERE $1 = 0 OR created_at < $2 OR (created_at = $2 AND id < $3) \
             ORDER BY created_at DESC, id DESC LIMIT $4"
        );
        let first = i64::from(cursor.is_some());
        let rows: Vec<SummaryRow> = on_conn!(self, c => {
            sqlx::query_as(&sql)
                .bind(first)
                .bind(at)
                .bind(id)
                .bind(limit)
                .fetch_all(&mut *c)
                .await?
        });
        rows.into_iter().map(SummaryRow::summary).collect()
    }

    /// How many tasks are in each status (every status listed, zeros included).
    pub async fn report_task_counts(&self) -> Result<Vec<(ReportStatus, i64)>> {
        let rows: Vec<(String, i64)> = on_conn!(self, c => {
            sqlx::query_as("SELECT status, COUNT(*) FROM report_tasks GROUP BY status")
                .fetch_all(&mut *c)
                .await?
        });
        Ok(ReportStatus::ALL
            .into_iter()
            .map(|s| {
                let n = rows
                    .iter()
                    .find(|(t, _)| t == s.as_str())
                    .map_or(0, |r| r.1);
                (s, n)
            })
            .collect())
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
        let until = now_ms.saturating_add(lease_ms);
        let claimable =
            "(status = 'pending' OR (status = 'running' AND lease_until < $2 AND attempts < $3))";
        let row: Option<TaskRow> = match self.conn().await? {
            Conn::Sqlite(mut c) => {
                sqlx::query(SQLITE_BEGIN_WRITE).execute(&mut *c).await?;
                let sql = format!(
                    "UPDATE report_tasks SET status = 'running', owner = $1, lease_until = $4, \
                     attempts = attempts + 1, updated_at = $2 \
                     WHERE id = (SELECT id FROM report_tasks WHERE {claimable} \
                                 ORDER BY created_at, id LIMIT 1) \
                     RETURNING {TASK_COLUMNS}"
                );
                let claimed = sqlx::query_as(&sql)
                    .bind(owner)
                    .bind(now_ms)
                    .bind(max_attempts)
                    .bind(until)
                    .fetch_optional(&mut *c)
                    .await;
                match claimed {
                    Ok(row) => {
                        sqlx::query("COMMIT").execute(&mut *c).await?;
                        row
                    }
                    Err(err) => {
                        let _ = sqlx::query("ROLLBACK").execute(&mut *c).await;
                        return Err(err.into());
                    }
                }
            }
            Conn::Postgres(mut c) => {
                let sql = format!(
                    "UPDATE report_tasks SET status = 'running', owner = $1, lease_until = $4, \
                     attempts = attempts + 1, updated_at = $2 \
                     WHERE id = (SELECT id FROM report_tasks WHERE {claimable} \
                                 ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
                     RETURNING {TASK_COLUMNS}"
                );
                sqlx::query_as(&sql)
                    .bind(owner)
                    .bind(now_ms)
                    .bind(max_attempts)
                    .bind(until)
                    .fetch_optional(&mut *c)
                    .await?
            }
        };
        let Some(row) = row else {
            return Ok(None);
        };
        let task = row.record()?;
        let token = task.attempts;
        Ok(Some(Claimed { task, token }))
    }

    /// Ends as `error` (with `reason`) the running tasks whose lease expired and that were
    /// claimed `max_attempts` times already: never left running. Their ids.
    pub async fn fail_exhausted_report_tasks(
        &self,
        now_ms: i64,
        max_attempts: i64,
        reason: &str,
    ) -> Result<Vec<String>> {
        Ok(on_conn!(self, c => {
            sqlx::query_scalar(
                "UPDATE report_tasks SET status = 'error', error = $3, owner = NULL, \
                 lease_until = NULL, finished_at = $1, updated_at = $1 \
                 WHERE status = 'running' AND lease_until < $1 AND attempts >= $2 RETURNING id",
            )
            .bind(now_ms)
            .bind(max_attempts)
            .bind(reason)
            .fetch_all(&mut *c)
            .await?
        }))
    }

    /// Extends the lease while `holder` holds the task.
    pub async fn renew_report_lease(
        &self,
        id: &str,
        holder: &Holder<'_>,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<LeaseState> {
        let flag: Option<i64> = on_conn!(self, c => {
            sqlx::query_scalar(
                "UPDATE report_tasks SET lease_until = $4, updated_at = $5 \
                 WHERE id = $1 AND status = 'running' AND owner = $2 AND attempts = $3 \
                 RETURNING CAST(CASE WHEN cancel_requested THEN 1 ELSE 0 END AS BIGINT)",
            )
            .bind(id)
            .bind(holder.owner)
            .bind(holder.token)
            .bind(now_ms.saturating_add(lease_ms))
            .bind(now_ms)
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(match flag {
            Some(flag) => LeaseState::Held {
                cancel_requested: flag != 0,
            },
            None => LeaseState::Lost,
        })
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
        let done = on_conn!(self, c => {
            sqlx::query(
                "UPDATE report_tasks SET progress = $4, checkpoint = COALESCE($5, checkpoint), \
                 updated_at = $6 WHERE id = $1 AND status = 'running' AND owner = $2 AND attempts = $3",
            )
            .bind(id)
            .bind(holder.owner)
            .bind(holder.token)
            .bind(i64::from(progress.min(100)))
            .bind(checkpoint)
            .bind(now_ms)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Ends a task `holder` holds; whether it did (false: the lease was lost).
    pub async fn finish_report_task(
        &self,
        id: &str,
        holder: &Holder<'_>,
        ending: &ReportEnding<'_>,
        now_ms: i64,
    ) -> Result<bool> {
        let progress: Option<i64> = (ending.status == ReportStatus::Completed).then_some(100);
        let done = on_conn!(self, c => {
            sqlx::query(
                "UPDATE report_tasks SET status = $4, error = $5, document = $6, markdown = $7, \
                 html = $8, progress = COALESCE($9, progress), owner = NULL, lease_until = NULL, \
                 finished_at = $10, updated_at = $10 \
                 WHERE id = $1 AND status = 'running' AND owner = $2 AND attempts = $3",
            )
            .bind(id)
            .bind(holder.owner)
            .bind(holder.token)
            .bind(ending.status.as_str())
            .bind(ending.error)
            .bind(ending.document)
            .bind(ending.markdown)
            .bind(ending.html)
            .bind(progress)
            .bind(now_ms)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Asks to cancel a task: a pending one is cancelled at once, a running one flagged for
    /// its holder.
    pub async fn request_report_cancel(&self, id: &str, now_ms: i64) -> Result<CancelOutcome> {
        let cancelled = on_conn!(self, c => {
            sqlx::query(
                "UPDATE report_tasks SET status = 'cancelled', error = 'cancelled before it started', \
                 finished_at = $2, updated_at = $2 WHERE id = $1 AND status = 'pending'",
            )
            .bind(id)
            .bind(now_ms)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if cancelled == 1 {
            return Ok(CancelOutcome::Cancelled);
        }
        let flagged: Option<Option<String>> = on_conn!(self, c => {
            sqlx::query_scalar(
                "UPDATE report_tasks SET cancel_requested = TRUE, updated_at = $2 \
                 WHERE id = $1 AND status = 'running' RETURNING owner",
            )
            .bind(id)
            .bind(now_ms)
            .fetch_optional(&mut *c)
            .await?
        });
        if let Some(owner) = flagged {
            return Ok(CancelOutcome::Requested { owner });
        }
        Ok(match self.report_task(id).await? {
            Some(task) if task.status.is_final() => CancelOutcome::AlreadyEnded(task.status),
            // Claimed between the two updates: ask again.
            Some(_) => Box::pin(self.request_report_cancel(id, now_ms)).await?,
            None => CancelOutcome::NotFound,
        })
    }

    /// Appends an event to a task's log; its sequence number (1, 2, 3…).
    pub async fn append_report_event(
        &self,
        task_id: &str,
        kind: &str,
        payload: &str,
        at_ms: i64,
    ) -> Result<i64> {
        // Two writers of one task's log (its instance, a cancel elsewhere) may pick the same
        // number; the unique constraint refuses the second, which takes the next.
        let mut last = None;
        for _ in 0..5 {
            let inserted: std::result::Result<i64, sqlx::Error> = match self.conn().await? {
                Conn::Sqlite(mut c) => {
                    sqlx::query_scalar(
                        "INSERT INTO report_events (task_id, seq, kind, payload, at) \
                         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM report_events \
                         WHERE task_id = $1 RETURNING seq",
                    )
                    .bind(task_id)
                    .bind(kind)
                    .bind(payload)
                    .bind(at_ms)
                    .fetch_one(&mut *c)
                    .await
                }
                Conn::Postgres(mut c) => {
                    sqlx::query_scalar(
                        "INSERT INTO report_events (task_id, seq, kind, payload, at) \
                         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM report_events \
                         WHERE task_id = $1 RETURNING seq",
                    )
                    .bind(task_id)
                    .bind(kind)
                    .bind(payload)
                    .bind(at_ms)
                    .fetch_one(&mut *c)
                    .await
                }
            };
            match inserted {
                Ok(seq) => return Ok(seq),
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    last = Some(StorageError::Conflict(db.to_string()));
                }
                Err(err) => return Err(err.into()),
            }
        }
        Err(last.unwrap_or_else(|| StorageError::Conflict("report event".into())))
    }

    /// A task's events after `after_seq`, oldest first, at most `limit`.
    pub async fn report_events_after(
        &self,
        task_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ReportEventRecord>> {
        let rows: Vec<EventRow> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT seq, kind, payload, at FROM report_events \
                 WHERE task_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            )
            .bind(task_id)
            .bind(after_seq)
            .bind(i64::from(limit.clamp(1, 10_000)))
            .fetch_all(&mut *c)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| ReportEventRecord {
                seq: r.seq,
                kind: r.kind,
                payload: r.payload,
                at: r.at,
            })
            .collect())
    }
}
