//! Analyses and engine outputs: what an analysis session asked, how it went, and each engine's
//! report (Markdown and its JSON document), kept so `GET /api/analysis/{id}` answers after
//! the actors that did the work have gone.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::db::{on_conn, Database};
use crate::error::{Result, StorageError};
use crate::forum::ForumMessage;

/// Where an analysis session is: running, or how it ended. Its text (`running`, `done`…) is
/// what the database stores, the API answers and the event stream says; [`AnalysisStatus::as_str`]
/// and its [`FromStr`] are the one place that text is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisStatus {
    /// Started and not ended (or its process stopped; see
    /// [`Database::abandon_overdue_analyses`]).
    Running,
    /// Every engine gave its report.
    Done,
    /// Some engines gave their report, the others failed or timed out.
    Partial,
    /// No engine gave a report, or the session stopped before it ended.
    Failed,
    /// Cancelled on request.
    Cancelled,
}

impl AnalysisStatus {
    /// Every status, `running` first.
    pub const ALL: [AnalysisStatus; 5] = [
        Self::Running,
        Self::Done,
        Self::Partial,
        Self::Failed,
        Self::Cancelled,
    ];

    /// The stored (and spoken) text.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Partial => "partial",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the session has ended (every status but `running`).
    pub const fn is_final(self) -> bool {
        !matches!(self, Self::Running)
    }
}

impl fmt::Display for AnalysisStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored status this build does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a known status")]
pub struct UnknownStatus(pub String);

impl FromStr for AnalysisStatus {
    type Err = UnknownStatus;

    fn from_str(text: &str) -> std::result::Result<Self, UnknownStatus> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| UnknownStatus(text.to_owned()))
    }
}

impl TryFrom<String> for AnalysisStatus {
    type Error = UnknownStatus;

    fn try_from(text: String) -> std::result::Result<Self, UnknownStatus> {
        text.parse()
    }
}

/// Where one engine's research job is: running, or how it ended. Its text is what
/// `engine_outputs.status` stores and the API answers; [`OutputStatus::as_str`] is the one place
/// that text is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputStatus {
    /// The engine is working on it (or its process stopped; see
    /// [`Database::abandon_overdue_analyses`]).
    Running,
    /// The report is in.
    Done,
    /// No report: the job failed, or its engine stopped.
    Failed,
    /// Cancelled (its analysis was, or it ran out of time).
    Cancelled,
}

impl OutputStatus {
    /// Every status, `running` first.
    pub const ALL: [OutputStatus; 4] = [Self::Running, Self::Done, Self::Failed, Self::Cancelled];

    /// The stored (and spoken) text.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for OutputStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for OutputStatus {
    type Error = UnknownStatus;

    fn try_from(text: String) -> std::result::Result<Self, UnknownStatus> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or(UnknownStatus(text))
    }
}

/// A stored analysis session.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct AnalysisRecord {
    pub id: String,
    pub query: String,
    #[sqlx(try_from = "String")]
    pub status: AnalysisStatus,
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
    #[sqlx(try_from = "String")]
    pub status: OutputStatus,
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
    pub status: OutputStatus,
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
                 VALUES ($1, $2, $5, $3, $3, $4)",
            )
            .bind(id)
            .bind(query)
            .bind(at)
            .bind(deadline)
            .bind(AnalysisStatus::Running.as_str())
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Removes an analysis recorded `running` whose session never started (the tree refused
    /// it: too many running, the branch stopped): refused work leaves no row behind. Whether
    /// there was one. Nothing else refers to it yet, since only its session writes engine
    /// outputs and forum messages.
    pub async fn forget_unstarted_analysis(&self, id: &str) -> Result<bool> {
        let removed = on_conn!(self, c => {
            sqlx::query("DELETE FROM analyses WHERE id = $1 AND status = $2")
                .bind(id)
                .bind(AnalysisStatus::Running.as_str())
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        Ok(removed > 0)
    }

    /// Ends a running analysis with `status`, its error and result (JSON text); false (and
    /// nothing changed) when it had already ended, so a late cancel cannot overwrite a
    /// finished one.
    ///
    /// # Errors
    /// [`StorageError::Invalid`] for [`AnalysisStatus::Running`], which is no ending; else
    /// the database's errors.
    pub async fn finish_analysis(
        &self,
        id: &str,
        status: AnalysisStatus,
        error: Option<&str>,
        result: Option<&str>,
        at: i64,
    ) -> Result<bool> {
        if !status.is_final() {
            return Err(StorageError::Invalid(format!(
                "an analysis cannot end as `{status}`"
            )));
        }
        let changed = on_conn!(self, c => {
            sqlx::query(
                "UPDATE analyses SET status = $2, error = $3, result = $4, updated_at = $5, \
                 finished_at = $5 WHERE id = $1 AND status = $6",
            )
            .bind(id)
            .bind(status.as_str())
            .bind(error)
            .bind(result)
            .bind(at)
            .bind(AnalysisStatus::Running.as_str())
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
        // $4 is `running` and $5 `failed`, as AnalysisStatus spells them; for the engine
        // outputs, $5 and $6 are OutputStatus's `failed` and `running`.
        const OVERDUE: &str = "status = $4 AND COALESCE(deadline_at, created_at + $3) < $1";
        let outputs = format!(
            "UPDATE engine_outputs SET status = $5, error = $2, finished_at = $1 \
             WHERE status = $6 AND analysis_id IN (SELECT id FROM analyses WHERE {OVERDUE})"
        );
        let analyses = format!(
            "UPDATE analyses SET status = $5, error = $2, updated_at = $1, \
             finished_at = $1 WHERE {OVERDUE} RETURNING id"
        );
        let running = AnalysisStatus::Running.as_str();
        Ok(on_conn!(self, c => {
            sqlx::query(&outputs)
                .bind(now)
                .bind(reason)
                .bind(DAY_MS)
                .bind(running)
                .bind(OutputStatus::Failed.as_str())
                .bind(OutputStatus::Running.as_str())
                .execute(&mut *c)
                .await?;
            sqlx::query_scalar(&analyses)
                .bind(now)
                .bind(reason)
                .bind(DAY_MS)
                .bind(running)
                .bind(AnalysisStatus::Failed.as_str())
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
                 VALUES ($1, $2, $3, $5, $4) RETURNING id",
            )
            .bind(analysis_id)
            .bind(engine)
            .bind(query)
            .bind(at)
            .bind(OutputStatus::Running.as_str())
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
            .bind(ending.status.as_str())
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

#[cfg(test)]
mod tests {
    //! The status text is spelled in one place and reads back as it was written.

    use super::{AnalysisStatus, OutputStatus, UnknownStatus};

    #[test]
    fn every_status_reads_back_from_its_text_and_serialises_as_it() {
        for status in AnalysisStatus::ALL {
            assert_eq!(status.as_str().parse::<AnalysisStatus>(), Ok(status));
            assert_eq!(
                AnalysisStatus::try_from(status.to_string()),
                Ok(status),
                "Display and the stored text agree"
            );
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::Value::from(status.as_str()))
            );
        }
        let texts: Vec<&str> = AnalysisStatus::ALL.map(AnalysisStatus::as_str).into();
        assert_eq!(
            texts,
            ["running", "done", "partial", "failed", "cancelled"],
            "the text is what the database, the API and the events carry: it must not change"
        );
        for status in OutputStatus::ALL {
            assert_eq!(OutputStatus::try_from(status.to_string()), Ok(status));
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::Value::from(status.as_str()))
            );
        }
        let texts: Vec<&str> = OutputStatus::ALL.map(OutputStatus::as_str).into();
        assert_eq!(texts, ["running", "done", "failed", "cancelled"]);
        assert!(OutputStatus::try_from("finished".to_owned()).is_err());
    }

    #[test]
    fn unknown_text_is_refused_and_only_running_is_not_an_ending() {
        assert_eq!(
            "Done".parse::<AnalysisStatus>(),
            Err(UnknownStatus("Done".into()))
        );
        assert!("".parse::<AnalysisStatus>().is_err());
        let endings: Vec<AnalysisStatus> = AnalysisStatus::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(endings.len(), 4);
        assert!(!endings.contains(&AnalysisStatus::Running));
    }
}
