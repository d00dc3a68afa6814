//! Analyses and engine outputs: what an analysis session asked, how it went, and each engine's
//! report (Markdown and its JSON document), kept so `GET /api/analysis/{id}` answers after
//! the actors that did the work have gone.

use serde::Serialize;

use crate::db::{on_conn, Database};
use crate::error::Result;
use crate::forum::ForumMessage;

/// A stored analysis session.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct AnalysisRecord {
    pub id: String,
    pub query: String,
    /// `running`, `done`, `partial`, `failed`, `cancelled`.
    pub status: String,
    pub error: Option<String>,
    /// The gathered result (JSON text) once finished.
    pub result: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// One engine's run of a research job.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct EngineOutput {
    pub id: i64,
    pub analysis_id: Option<String>,
    pub engine: String,
    pub query: String,
    /// `running`, `done`, `failed`, `cancelled`.
    pub status: String,
    pub markdown: Option<String>,
    /// The report as JSON text.
    pub document: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// How an engine job ended, for [`Database::finish_engine_output`].
#[derive(Debug, Clone, Copy)]
pub struct Ending<'a> {
    pub status: &'a str,
    pub markdown: Option<&'a str>,
    pub document: Option<&'a str>,
    pub error: Option<&'a str>,
    pub at: i64,
}

const ANALYSIS_COLUMNS: &str =
    "id, query, status, error, result, created_at, updated_at, finished_at";
const OUTPUT_COLUMNS: &str = "id, analysis_id, engine, query, status, markdown, document, error, \
                              created_at, finished_at";

impl Database {
    /// Records a new analysis as `running`, to have ended by `deadline` (see
    /// [`Database::abandon_overdue_analyses`]).
    pub async fn create_analysis(
        &self,
        id: &str,
        query: &str,
        at: i64,
        deadline: i64,
    ) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO analyses (id, query, status, created_at, updated_at, deadline_at) \
                 VALUES ($1, $2, 'running', $3, $3, $4)",
            )
            .bind(id)
            .bind(query)
            .bind(at)
            .bind(deadline)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Ends a running analysis with `status`, its error and result; false (and nothing
    /// changed) when it had already ended, so a late cancel cannot overwrite a finished one.
    pub async fn finish_analysis(
        &self,
        id: &str,
        status: &str,
        error: Option<&str>,
        result: Option<&str>,
        at: i64,
    ) -> Result<bool> {
        let changed = on_conn!(self, c => {
            sqlx::query(
                "UPDATE analyses SET status = $2, error = $3, result = $4, updated_at = $5, \
                 finished_at = $5 WHERE id = $1 AND status = 'running'",
            )
            .bind(id)
            .bind(status)
            .bind(error)
            .bind(result)
            .bind(at)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(changed > 0)
    }

    /// Ends as `failed`, with `reason`, every analysis still `running` past its deadline (a
    /// day after it began, for rows older than deadlines), and its engine outputs still
    /// running: the process that ran it stopped before it could record an ending. Returns
    /// their ids. The engine outputs go first, so that a sweep that fails half-way leaves the
    /// analyses `running` for the next one to find.
    pub async fn abandon_overdue_analyses(&self, now: i64, reason: &str) -> Result<Vec<String>> {
        const DAY_MS: i64 = 86_400_000;
        const OVERDUE: &str = "status = 'running' AND COALESCE(deadline_at, created_at + $3) < $1";
        let outputs = format!(
            "UPDATE engine_outputs SET status = 'failed', error = $2, finished_at = $1 \
             WHERE status = 'running' AND analysis_id IN (SELECT id FROM analyses WHERE {OVERDUE})"
        );
        let analyses = format!(
            "UPDATE analyses SET status = 'failed', error = $2, updated_at = $1, \
             finished_at = $1 WHERE {OVERDUE} RETURNING id"
        );
        Ok(on_conn!(self, c => {
            sqlx::query(&outputs)
                .bind(now)
                .bind(reason)
                .bind(DAY_MS)
                .execute(&mut *c)
                .await?;
            sqlx::query_scalar(&analyses)
                .bind(now)
                .bind(reason)
                .bind(DAY_MS)
                .fetch_all(&mut *c)
                .await?
        }))
    }

    /// One analysis, if it exists.
    pub async fn analysis(&self, id: &str) -> Result<Option<AnalysisRecord>> {
        let sql = format!("SELECT {ANALYSIS_COLUMNS} FROM analyses WHERE id = $1");
        Ok(on_conn!(self, c => {
            sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await?
        }))
    }

    /// The latest `limit` analyses, newest first.
    pub async fn recent_analyses(&self, limit: u32) -> Result<Vec<AnalysisRecord>> {
        let sql = format!(
            "SELECT {ANALYSIS_COLUMNS} FROM analyses ORDER BY created_at DESC, id DESC LIMIT $1"
        );
        Ok(on_conn!(self, c => {
            sqlx::query_as(&sql)
                .bind(i64::from(limit.clamp(1, 1_000)))
                .fetch_all(&mut *c)
                .await?
        }))
    }

    /// Records an engine job as `running`; returns its id.
    pub async fn start_engine_output(
        &self,
        analysis_id: Option<&str>,
        engine: &str,
        query: &str,
        at: i64,
    ) -> Result<i64> {
        Ok(on_conn!(self, c => {
            sqlx::query_scalar(
                "INSERT INTO engine_outputs (analysis_id, engine, query, status, created_at) \
                 VALUES ($1, $2, $3, 'running', $4) RETURNING id",
            )
            .bind(analysis_id)
            .bind(engine)
            .bind(query)
            .bind(at)
            .fetch_one(&mut *c)
            .await?
        }))
    }

    /// Records how an engine job ended.
    pub async fn finish_engine_output(&self, id: i64, ending: Ending<'_>) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query(
                "UPDATE engine_outputs SET status = $2, markdown = $3, document = $4, \
                 error = $5, finished_at = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(ending.status)
            .bind(ending.markdown)
            .bind(ending.document)
            .bind(ending.error)
            .bind(ending.at)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// One engine job's record.
    pub async fn engine_output(&self, id: i64) -> Result<Option<EngineOutput>> {
        let sql = format!("SELECT {OUTPUT_COLUMNS} FROM engine_outputs WHERE id = $1");
        Ok(on_conn!(self, c => {
            sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await?
        }))
    }

    /// The engine outputs of an analysis, in the order they started.
    pub async fn engine_outputs_of(&self, analysis_id: &str) -> Result<Vec<EngineOutput>> {
        let sql = format!(
            "SELECT {OUTPUT_COLUMNS} FROM engine_outputs WHERE analysis_id = $1 ORDER BY id"
        );
        Ok(on_conn!(self, c => {
            sqlx::query_as(&sql).bind(analysis_id).fetch_all(&mut *c).await?
        }))
    }

    /// The forum discussion of an analysis, oldest first.
    pub async fn forum_messages_of(&self, analysis_id: &str) -> Result<Vec<ForumMessage>> {
        Ok(on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, analysis_id, source, content, at FROM forum_messages \
                 WHERE analysis_id = $1 ORDER BY id",
            )
            .bind(analysis_id)
            .fetch_all(&mut *c)
            .await?
        }))
    }
}
