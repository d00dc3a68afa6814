//! A report task's event log: every event its stream sent, numbered 1, 2, 3… per task, so a
//! client that reconnects (to this instance or another) replays from the last number it saw.

use super::ReportEventRecord;
use crate::db::{on_conn, Database};
use crate::error::{Result, StorageError};

/// How many times an append is tried when another append to the same task took its number.
/// Appends to one task come from its one holder, so a collision means two writers briefly
/// overlapped (a takeover); a handful of tries is plenty.
const APPEND_TRIES: u32 = 8;

/// The most events one read returns, whatever is asked.
const MAX_EVENTS: u32 = 10_000;

/// Inserts the event with the next number of its task, computed in the same statement.
/// SQLite runs a write statement under the write lock from its first step, so no other writer
/// sees the same maximum; two PostgreSQL statements can, and the second then fails on
/// `uq_report_events_seq` once the first commits, to be tried again with a fresh snapshot.
const APPEND: &str = "INSERT INTO report_events (task_id, seq, kind, payload, at) \
    SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM report_events WHERE task_id = $1 \
    RETURNING seq";

impl Database {
    /// Appends an event to a task's log; its sequence number (1, 2, 3…).
    ///
    /// # Errors
    /// [`StorageError::Invalid`] when there is no such task; [`StorageError::Conflict`] when
    /// concurrent appends kept taking the number; the database's.
    pub async fn append_report_event(
        &self,
        task_id: &str,
        kind: &str,
        payload: &str,
        at_ms: i64,
    ) -> Result<i64> {
        for _ in 0..APPEND_TRIES {
            let appended: std::result::Result<i64, sqlx::Error> = on_conn!(self, c => {
                sqlx::query_scalar(APPEND)
                    .bind(task_id)
                    .bind(kind)
                    .bind(payload)
                    .bind(at_ms)
                    .fetch_one(&mut *c)
                    .await
            });
            match appended {
                Ok(seq) => return Ok(seq),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
                Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                    return Err(StorageError::Invalid(format!(
                        "no report task `{task_id}` to log an event for"
                    )))
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StorageError::Conflict(format!(
            "report task `{task_id}`: {APPEND_TRIES} concurrent appends took the next number"
        )))
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
