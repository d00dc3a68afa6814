//! The lease on a report task: claiming the oldest claimable task, renewing, recording progress
//! and ending it — each write fenced by the holder's owner and token — plus cancelling and the
//! sweep that ends tasks no instance will finish.
//!
//! The fence is `WHERE id = … AND status = 'running' AND owner = … AND attempts = <token>`.
//! A claim increments `attempts`, so a takeover changes the token even when the same instance
//! claims the task again, and a stale holder's statement then changes nothing.

use super::{
    CancelOutcome, Claimed, Holder, LeaseState, ReportEnding, ReportStatus, ReportTaskRecord,
    TaskRow, TASK_COLUMNS,
};
use crate::db::{in_write_tx, Database};
use crate::error::{Result, StorageError};

/// The error recorded on a task cancelled before any instance claimed it.
const CANCELLED_PENDING: &str = "cancelled before it started";

/// The fence of a held write over `$1` id, `$2` owner, `$3` token; `$4` is `running`.
const HELD: &str = "id = $1 AND status = $4 AND owner = $2 AND attempts = $3";

/// Which tasks a claim may take, over `$2` now, `$4` max attempts, `$5` pending, `$6` running.
const CLAIMABLE: &str =
    "status = $5 OR (status = $6 AND lease_until IS NOT NULL AND lease_until < $2 AND attempts < $4)";

impl Database {
    /// Claims the oldest claimable task for `owner` — pending, or running with a lease expired
    /// before `now_ms` and fewer than `max_attempts` claims — as running with a lease to
    /// `now_ms + lease_ms`. Each task is claimed by one caller at a time whatever the number of
    /// instances.
    ///
    /// A task taken over from a holder that vanished keeps its `checkpoint` (to resume from)
    /// and its `cancel_requested`: a claimed task with the flag set is to be ended as
    /// cancelled, not run.
    pub async fn claim_report_task(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        max_attempts: i64,
    ) -> Result<Option<Claimed>> {
        if owner.is_empty() {
            return Err(StorageError::Invalid("a claim needs an owner".into()));
        }
        let lease_until = now_ms.saturating_add(lease_ms.max(0));
        // PostgreSQL: the subquery locks the row it picks and skips rows other claims hold
        // locked, so concurrent claims (from any instance) each take a different task without
        // waiting for one another; the lock lasts until the statement's own commit. SQLite:
        // the write transaction already excludes every other writer.
        let pick = match self.backend() {
            crate::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            crate::Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE report_tasks SET status = $6, owner = $1, lease_until = $3, \
             attempts = attempts + 1, updated_at = $2 \
             WHERE id = (SELECT id FROM report_tasks WHERE {CLAIMABLE} \
                         ORDER BY created_at, id LIMIT 1 {pick}) \
             RETURNING {TASK_COLUMNS}"
        );
        let row: Option<TaskRow> = in_write_tx!(self, tx => {
            sqlx::query_as(&sql)
                .bind(owner)
                .bind(now_ms)
                .bind(lease_until)
                .bind(max_attempts)
                .bind(ReportStatus::Pending.as_str())
                .bind(ReportStatus::Running.as_str())
                .fetch_optional(&mut *tx)
                .await?
        });
        let Some(row) = row else {
            return Ok(None);
        };
        let task = ReportTaskRecord::try_from(row)?;
        Ok(Some(Claimed {
            token: task.attempts,
            task,
        }))
    }

    /// Ends as `error` (with `reason`) the running tasks whose lease expired and that were
    /// claimed `max_attempts` times already: never left running. Their ids.
    pub async fn fail_exhausted_report_tasks(
        &self,
        now_ms: i64,
        max_attempts: i64,
        reason: &str,
    ) -> Result<Vec<String>> {
        // The complement of a claim's condition for running tasks, so a task is either
        // claimable or failed here, never both and never neither.
        Ok(in_write_tx!(self, tx => {
            sqlx::query_scalar(
                "UPDATE report_tasks SET status = $4, error = $3, owner = NULL, \
                 lease_until = NULL, updated_at = $1, finished_at = $1 \
                 WHERE status = $5 AND lease_until IS NOT NULL AND lease_until < $1 \
                   AND attempts >= $2 \
                 RETURNING id",
            )
            .bind(now_ms)
            .bind(max_attempts)
            .bind(reason)
            .bind(ReportStatus::Error.as_str())
            .bind(ReportStatus::Running.as_str())
            .fetch_all(&mut *tx)
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
        // A renewal changes no part of the task a reader sees, so `updated_at` stays.
        let sql = format!(
            "UPDATE report_tasks SET lease_until = $5 WHERE {HELD} RETURNING cancel_requested"
        );
        let cancel_requested: Option<bool> = in_write_tx!(self, tx => {
            sqlx::query_scalar(&sql)
                .bind(id)
                .bind(holder.owner)
                .bind(holder.token)
                .bind(ReportStatus::Running.as_str())
                .bind(now_ms.saturating_add(lease_ms.max(0)))
                .fetch_optional(&mut *tx)
                .await?
        });
        Ok(match cancel_requested {
            Some(cancel_requested) => LeaseState::Held { cancel_requested },
            None => LeaseState::Lost,
        })
    }

    /// Records progress (and the checkpoint, when given) while `holder` holds the task;
    /// whether it does. A checkpoint of `None` keeps the one stored.
    pub async fn save_report_progress(
        &self,
        id: &str,
        holder: &Holder<'_>,
        progress: u8,
        checkpoint: Option<&str>,
        now_ms: i64,
    ) -> Result<bool> {
        let sql = format!(
            "UPDATE report_tasks SET progress = $5, checkpoint = COALESCE($6, checkpoint), \
             updated_at = $7 WHERE {HELD}"
        );
        let changed = in_write_tx!(self, tx => {
            sqlx::query(&sql)
                .bind(id)
                .bind(holder.owner)
                .bind(holder.token)
                .bind(ReportStatus::Running.as_str())
                .bind(i64::from(progress.min(100)))
                .bind(checkpoint)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(changed > 0)
    }

    /// Gives a task `holder` holds back to the queue, as if this claim had not been made (its
    /// claim count goes back down): an instance stopping in good order hands its work on
    /// instead of leaving it to its lease, which would count as an attempt that failed. The
    /// checkpoint stays, so the next holder goes on from it. Whether it did.
    pub async fn release_report_task(
        &self,
        id: &str,
        holder: &Holder<'_>,
        now_ms: i64,
    ) -> Result<bool> {
        let sql = format!(
            "UPDATE report_tasks SET status = $5, owner = NULL, lease_until = NULL, \
             attempts = attempts - 1, updated_at = $6 WHERE {HELD}"
        );
        let changed = in_write_tx!(self, tx => {
            sqlx::query(&sql)
                .bind(id)
                .bind(holder.owner)
                .bind(holder.token)
                .bind(ReportStatus::Running.as_str())
                .bind(ReportStatus::Pending.as_str())
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(changed > 0)
    }

    /// Ends a task `holder` holds; whether it did (false: the lease was lost). A completed
    /// task's progress becomes 100; the others keep theirs.
    ///
    /// # Errors
    /// [`StorageError::Invalid`] for an ending that is not final (pending, running).
    pub async fn finish_report_task(
        &self,
        id: &str,
        holder: &Holder<'_>,
        ending: &ReportEnding<'_>,
        now_ms: i64,
    ) -> Result<bool> {
        if !ending.status.is_final() {
            return Err(StorageError::Invalid(format!(
                "a report task cannot end as `{}`",
                ending.status
            )));
        }
        let progress = (ending.status == ReportStatus::Completed).then_some(100_i64);
        let sql = format!(
            "UPDATE report_tasks SET status = $5, error = $6, document = $7, markdown = $8, \
             html = $9, progress = COALESCE($10, progress), owner = NULL, lease_until = NULL, checkpoint = NULL, \
             updated_at = $11, finished_at = $11 WHERE {HELD}"
        );
        let changed = in_write_tx!(self, tx => {
            sqlx::query(&sql)
                .bind(id)
                .bind(holder.owner)
                .bind(holder.token)
                .bind(ReportStatus::Running.as_str())
                .bind(ending.status.as_str())
                .bind(ending.error)
                .bind(ending.document)
                .bind(ending.markdown)
                .bind(ending.html)
                .bind(progress)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        Ok(changed > 0)
    }

    /// Asks to cancel a task: a pending one is cancelled at once, a running one flagged for
    /// its holder.
    ///
    /// One transaction holding the row (`FOR UPDATE` on PostgreSQL, the write lock on SQLite)
    /// reads the status and writes on the condition that it is still the one read, so a claim
    /// or an ending racing the cancel is either before it or after it.
    pub async fn request_report_cancel(&self, id: &str, now_ms: i64) -> Result<CancelOutcome> {
        let lock = match self.backend() {
            crate::Backend::Postgres => "FOR UPDATE",
            crate::Backend::Sqlite => "",
        };
        let read = format!("SELECT status FROM report_tasks WHERE id = $1 {lock}");
        let pending = ReportStatus::Pending.as_str();
        let running = ReportStatus::Running.as_str();
        Ok(in_write_tx!(self, tx => {
            let status: Option<String> = sqlx::query_scalar(&read)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            match status.as_deref().map(str::parse::<ReportStatus>).transpose()? {
                None => CancelOutcome::NotFound,
                Some(ReportStatus::Pending) => {
                    let changed = sqlx::query(
                        "UPDATE report_tasks SET status = $3, error = $4, updated_at = $2, \
                         finished_at = $2 WHERE id = $1 AND status = $5",
                    )
                    .bind(id)
                    .bind(now_ms)
                    .bind(ReportStatus::Cancelled.as_str())
                    .bind(CANCELLED_PENDING)
                    .bind(pending)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed == 0 {
                        return Err(changed_under_lock());
                    }
                    CancelOutcome::Cancelled
                }
                Some(ReportStatus::Running) => {
                    let owner: Option<Option<String>> = sqlx::query_scalar(
                        "UPDATE report_tasks SET cancel_requested = TRUE, updated_at = $2 \
                         WHERE id = $1 AND status = $3 RETURNING owner",
                    )
                    .bind(id)
                    .bind(now_ms)
                    .bind(running)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(owner) = owner else {
                        return Err(changed_under_lock());
                    };
                    CancelOutcome::Requested { owner }
                }
                Some(ended) => CancelOutcome::AlreadyEnded(ended),
            }
        }))
    }
}

/// The row changed under a lock that should have kept it still, which only a conflicting
/// transaction explains: the caller may ask again.
fn changed_under_lock() -> StorageError {
    StorageError::Conflict("the report task changed while it was being cancelled".into())
}
