//! A report task's event log: every event its stream sent, numbered 1, 2, 3… per task, so a
//! client that reconnects (to this instance or another) replays from the last number it saw.

use super::ReportEventRecord;
use crate::db::{on_conn, Conn, Database};
use crate::error::{Result, StorageError};

/// The first key of the PostgreSQL advisory lock that serialises appends to one task (the
/// second is the task id's hash): a namespace of its own, apart from the single-key locks
/// sqlx's migrator takes.
const APPEND_LOCK_SPACE: i32 = 0x5245_5054; // "REPT"

/// The most events one read returns, whatever is asked.
const MAX_EVENTS: u32 = 10_000;

/// Inserts the event with the next number of its task, computed in the same statement.
/// SQLite runs a write statement under the write lock from its first step, so no other writer
/// sees the same maximum. Two PostgreSQL statements could (the second would then fail on
/// `uq_report_events_seq`), so there appends to one task take turns on an advisory lock held
/// to the end of their transaction: unlike a lock on the task's row, it holds up neither the
/// holder's lease renewals nor claims.
const APPEND: &str = "INSERT INTO report_events (task_id, seq, kind, payload, at) \
    SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM report_events WHERE task_id = $1 \
    RETURNING seq";

impl Database {
    /// Appends an event to a task's log; its sequence number (1, 2, 3…).
    ///
    /// # Errors
    /// [`StorageError::Invalid`] when there is no such task; the database's.
    pub async fn append_report_event(
        &self,
        task_id: &str,
        kind: &str,
        payload: &str,
        at_ms: i64,
    ) -> Result<i64> {
        let appended: std::result::Result<i64, sqlx::Error> = match self.conn().await? {
            Conn::Sqlite(mut c) => {
                sqlx::query_scalar(APPEND)
                    .bind(task_id)
                    .bind(kind)
                    .bind(payload)
                    .bind(at_ms)
                    .fetch_one(&mut *c)
                    .await
            }
            Conn::Postgres(mut c) => {
                let mut tx = sqlx::Connection::begin(&mut *c).await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                    .bind(APPEND_LOCK_SPACE)
                    .bind(task_id)
                    .execute(&mut *tx)
                    .await?;
                let seq = sqlx::query_scalar(APPEND)
                    .bind(task_id)
                    .bind(kind)
                    .bind(payload)
                    .bind(at_ms)
                    .fetch_one(&mut *tx)
                    .await;
                match seq {
                    Ok(seq) => tx.commit().await.map(|()| seq),
                    // Dropping the transaction rolls it back.
                    Err(e) => Err(e),
                }
            }
        };
        match appended {
            Ok(seq) => Ok(seq),
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => Err(
                StorageError::Invalid(format!("no report task `{task_id}` to log an event for")),
            ),
            // Only a writer that skipped the lock could take the number: worth another try.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StorageError::Conflict(format!(
                    "report task `{task_id}`: another append took the next number"
                )))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A task's events after `after_seq`, oldest first, at most `limit` (and at most 10,000).
    pub async fn report_events_after(
        &self,
        task_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ReportEventRecord>> {
        let limit = i64::from(limit.clamp(1, MAX_EVENTS));
        let rows: Vec<(i64, String, String, i64)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT seq, kind, payload, at FROM report_events \
                 WHERE task_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            )
            .bind(task_id)
            .bind(after_seq)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(seq, kind, payload, at)| ReportEventRecord {
                seq,
                kind,
                payload,
                at,
            })
            .collect())
    }
}
