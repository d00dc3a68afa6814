//! Analysis sessions: one query, the three engines' research on it, their reports and the
//! forum's discussion of it. [`AnalysisSessions`] is what the rest of the service calls (the
//! HTTP handlers parse, call it and serialise); everything a session is — its id, deadline,
//! record, actor, result and events — is decided here.
//!
//! - [`actor`]: a session (`root/analyses/<id>`, temporary): sends the engines their jobs, waits
//!   for each within the engine timeout, and records and announces how it ended. However it
//!   stops before that, its jobs are cancelled and it is recorded `failed`.
//! - [`records`]: the sessions' rows and how an ending is recorded and announced. It needs no
//!   tree, so the storage actor's sweep of overdue sessions can use it before the tree exists.
//! - [`outcome`]: the typed result (each engine's part; the report engine's report, none yet).
//! - [`event`]: the events on `analysis/<id>`, one type, one publish path.
//!
//! Start with [`AnalysisSessions`].

pub mod actor;
pub mod event;
pub mod outcome;
pub mod records;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use storage::StorageError;
use supervision::{ChildHandle, ChildSpec, Restart, SupervisorError, SupervisorRef};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

pub use actor::{SessionActor, SessionArgs, SessionMsg};
pub use event::{SessionEnd, SessionEvent};
pub use outcome::{AnalysisResult, EnginePart, EvidenceSummary, NoReport, PartStatus, ReportLink};
pub use records::{AnalysisSummary, AnalysisView, EngineOutputView, SessionRecords};
pub use storage::analyses::AnalysisStatus;

use crate::engines::EngineHandles;
use crate::tree::{self, Branch};
use events::Topic;
use outcome::Ending;

/// The longest query taken, in characters.
pub const MAX_QUERY_CHARS: usize = 500;

/// How long past its engines' timeout a running analysis may go before a stopped process is
/// presumed to have left it (recorded failed by [`SessionRecords::abandon_overdue`]). The
/// engines run in parallel, each within the timeout; the margin covers the rest. When a report
/// step is added after the engines, the deadline must grow by its timeout.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(60);

/// How long a session may take to gather its evidence before the engines start without it.
pub const GATHER_TIMEOUT: Duration = Duration::from_secs(30);

/// How long [`AnalysisSessions::cancel`] waits for the session to record its cancellation.
pub const CANCEL_WAIT: Duration = Duration::from_secs(10);

/// An analysis session's id: 12 hex digits when made here. Only ids that could be ours are
/// taken from outside ([`AnalysisId::parse`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AnalysisId(String);

impl AnalysisId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(format!("{:012x}", fastrand::u64(..) & 0xffff_ffff_ffff))
    }

    /// An id given from outside (a URL).
    ///
    /// # Errors
    /// [`SessionError::NotFound`] for anything that cannot be one of ours (empty, longer than
    /// 32, not ASCII letters and digits): there is no such analysis.
    pub fn parse(text: &str) -> Result<Self, SessionError> {
        if crate::tree::is_child_id(text) {
            Ok(Self(text.to_owned()))
        } else {
            Err(SessionError::NotFound(text.chars().take(64).collect()))
        }
    }

    /// An id read back from the database, which holds only ids made here.
    pub(crate) fn from_record(id: String) -> Self {
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AnalysisId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a session is started with, read again for each one (so a configuration change applies
/// to the next analysis).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// How long each engine may take before its job is cancelled.
    pub engine_timeout: Duration,
}

impl SessionSettings {
    /// When a session started at `now_ms` must have ended (epoch milliseconds): gathering
    /// its evidence ([`GATHER_TIMEOUT`]), then the engine timeout, plus [`DEADLINE_MARGIN`].
    pub fn deadline_ms(&self, now_ms: i64) -> i64 {
        let allowed = GATHER_TIMEOUT
            .saturating_add(self.engine_timeout)
            .saturating_add(DEADLINE_MARGIN);
        now_ms.saturating_add(i64::try_from(allowed.as_millis()).unwrap_or(i64::MAX))
    }
}

/// Where the sessions read their settings, once per session started.
pub type SessionSettingsSource = Arc<dyn Fn() -> SessionSettings + Send + Sync>;

/// What a session needs to gather its evidence and queue its report, read again for each one.
#[derive(Clone)]
pub struct Reporting {
    /// The gatherer for the configuration now (`EVIDENCE_MAX_ITEMS`, `BETTAFISH_TIME_ZONE`…).
    pub gatherer: Arc<dyn Fn() -> crate::evidence::Gatherer + Send + Sync>,
    /// Where reports are queued.
    pub reports: crate::reports::ReportTasks,
    /// Whether an analysis ends by queuing its report (`REPORT_AUTO`), read at its end.
    pub auto: Arc<dyn Fn() -> bool + Send + Sync>,
}

/// Why a query (an analysis's, a report's) is refused.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("the query is empty")]
    Empty,
    #[error("the query is longer than {max} characters")]
    TooLong { max: usize },
    #[error("the query has a {0}")]
    ControlCharacter(#[from] storage::text::ControlCharacter),
}

/// `query` without its surrounding spaces, if it can be analysed: not empty, at most
/// [`MAX_QUERY_CHARS`], no character that cannot be stored.
///
/// # Errors
/// [`QueryError`].
pub fn checked_query(query: &str) -> Result<&str, QueryError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(QueryError::Empty);
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong {
            max: MAX_QUERY_CHARS,
        });
    }
    storage::text::check(query)?;
    Ok(query)
}

impl From<QueryError> for SessionError {
    fn from(err: QueryError) -> Self {
        match err {
            QueryError::Empty => Self::EmptyQuery,
            QueryError::TooLong { max } => Self::QueryTooLong { max },
            QueryError::ControlCharacter(c) => Self::ControlCharacter(c),
        }
    }
}

/// What the sessions' facade can answer instead.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The query is empty (or only spaces).
    #[error("the query is empty")]
    EmptyQuery,
    /// The query is longer than [`MAX_QUERY_CHARS`].
    #[error("the query is longer than {max} characters")]
    QueryTooLong { max: usize },
    /// The query holds a NUL or control character, which cannot be stored.
    #[error("the query has a {0}")]
    ControlCharacter(#[from] storage::text::ControlCharacter),
    /// No analysis has this id.
    #[error("no analysis `{0}`")]
    NotFound(String),
    /// The analysis had already ended, as `status`.
    #[error("analysis {id} has already ended ({status})")]
    AlreadyEnded {
        id: AnalysisId,
        status: AnalysisStatus,
    },
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The tree refused the session (too many running, the branch unavailable…).
    #[error(transparent)]
    Tree(#[from] SupervisorError),
    /// The task recording and starting the session ended abnormally.
    #[error("starting the analysis failed: {0}")]
    StartFailed(String),
}

/// A session that was recorded and started.
#[derive(Debug, Clone, Serialize)]
pub struct Started {
    pub id: AnalysisId,
    pub query: String,
    /// `running`.
    pub status: AnalysisStatus,
    /// Where it reports (`analysis/<id>`).
    pub topic: Topic,
}

/// How a cancellation went, when the analysis was running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// The analysis is recorded `cancelled`.
    Recorded,
    /// The session was told, and has not recorded it within [`CANCEL_WAIT`].
    Pending,
}

/// One of the places for a running analysis (`ANALYSIS_MAX_RUNNING` of them), taken before
/// its row is written and given back when its session's actor and spec are gone: so an
/// analysis refused for want of one leaves no row, not even for a moment.
#[derive(Debug, Clone)]
pub struct RunningSlot {
    _permit: Arc<OwnedSemaphorePermit>,
}

/// The analysis sessions: start, cancel, read, list, and record those a stopped process left.
#[derive(Clone)]
pub struct AnalysisSessions {
    records: SessionRecords,
    root: SupervisorRef,
    engines: EngineHandles,
    forum: ChildHandle,
    settings: SessionSettingsSource,
    /// The places for running analyses; the analyses branch's `max_children` (the same number)
    /// stays as the backstop.
    running: Arc<Semaphore>,
    max_running: usize,
    /// Evidence and reports (none in tests of the sessions alone).
    reporting: Option<Reporting>,
}

impl AnalysisSessions {
    /// Sessions that gather their evidence first and end by queuing their report.
    pub fn with_reporting(mut self, reporting: Reporting) -> Self {
        self.reporting = Some(reporting);
        self
    }

    /// The sessions of the tree at `root` (which must have the service's shape,
    /// [`tree::service_tree`]), recording through `records`, at most `max_running` at once.
    pub fn new(
        records: SessionRecords,
        root: SupervisorRef,
        settings: SessionSettingsSource,
        max_running: usize,
    ) -> Self {
        let handles = root.handles();
        let max_running = max_running.min(Semaphore::MAX_PERMITS);
        Self {
            engines: EngineHandles::of(handles),
            forum: handles.handle(tree::FORUM_PATH),
            records,
            root,
            settings,
            running: Arc::new(Semaphore::new(max_running)),
            max_running,
            reporting: None,
        }
    }

    /// Records an analysis of `query` and starts its session; answers once both are done.
    ///
    /// # Errors
    /// [`SessionError::EmptyQuery`], [`SessionError::QueryTooLong`],
    /// [`SessionError::ControlCharacter`]; [`SessionError::Tree`] with
    /// [`SupervisorError::MaxChildren`] when `max_running` are running (refused before any row
    /// is written); [`SessionError::Storage`] when it could not be recorded;
    /// [`SessionError::Tree`] when its session could not start (a definite refusal removes its
    /// row again; an unknown outcome records it failed); [`SessionError::StartFailed`].
    pub async fn start(&self, query: &str) -> Result<Started, SessionError> {
        let query = checked_query(query)?;
        // A place first, so that refused work never has a row (not even one a listing could
        // see before it is deleted, or one left behind when deleting fails).
        let Ok(permit) = Arc::clone(&self.running).try_acquire_owned() else {
            return Err(SessionError::Tree(SupervisorError::MaxChildren {
                path: Branch::Analyses.path().to_owned(),
                max: self.max_running,
            }));
        };
        let slot = RunningSlot {
            _permit: Arc::new(permit),
        };
        let id = AnalysisId::random();
        let settings = (self.settings)();
        // Recorded and started in a task of its own: a caller that stops waiting (a request
        // that timed out, a client that went away) must not leave a record without a session,
        // or a session its caller was told had failed.
        let (sessions, task_id, task_query) = (self.clone(), id.clone(), query.to_owned());
        let started = tokio::spawn(async move {
            sessions
                .record_and_start(task_id, task_query, settings, slot)
                .await
        });
        match started.await {
            Ok(result) => result?,
            Err(err) => return Err(SessionError::StartFailed(err.to_string())),
        }
        Ok(Started {
            topic: Topic::analysis(&id),
            id,
            query: query.to_owned(),
            status: AnalysisStatus::Running,
        })
    }

    async fn record_and_start(
        &self,
        id: AnalysisId,
        query: String,
        settings: SessionSettings,
        slot: RunningSlot,
    ) -> Result<(), SessionError> {
        let now = storage::clock::now_ms();
        self.records
            .create(&id, &query, now, settings.deadline_ms(now))
            .await?;
        let spec = self.spec(id.clone(), query, settings.engine_timeout, slot);
        let Err(err) = self.root.start_child(Branch::Analyses.path(), spec).await else {
            return Ok(());
        };
        if start_was_refused(&err) {
            // Refused work leaves no row: the caller gets the refusal and no id, so a `failed`
            // row would be an analysis nobody asked about.
            if let Err(record) = self.records.forget_unstarted(&id).await {
                tracing::warn!(error = %record, analysis = %id, "could not remove the analysis that did not start");
            }
        } else {
            // No answer (a timeout, a supervisor gone mid-way): the start may still happen, so
            // the row stays, recorded failed (a session starting later finds it ended and
            // records nothing over it), and the session is stopped if it is there.
            let ending = Ending::without_parts(
                AnalysisStatus::Failed,
                format!("its session's start was not confirmed: {err}"),
            );
            if let Err(record) = self.records.end_if_running(&id, &ending).await {
                tracing::warn!(error = %record, analysis = %id, "could not record the analysis whose start was not confirmed");
            }
            let (root, path) = (self.root.clone(), tree::analysis_path(id.as_str()));
            tokio::spawn(async move {
                match root.terminate_child(&path).await {
                    Ok(()) | Err(SupervisorError::NotFound(_)) => {}
                    Err(stop) => {
                        tracing::warn!(error = %stop, %path, "could not stop the session whose start was not confirmed");
                    }
                }
            });
        }
        Err(err.into())
    }

    /// The session's child spec: temporary, since running it again would send its jobs again
    /// beside the ones still running.
    fn spec(
        &self,
        id: AnalysisId,
        query: String,
        engine_timeout: Duration,
        slot: RunningSlot,
    ) -> ChildSpec {
        let (records, engines, forum, reporting) = (
            self.records.clone(),
            self.engines.clone(),
            self.forum.clone(),
            self.reporting.clone(),
        );
        ChildSpec::worker(id.to_string(), move |ctx| {
            let args = SessionArgs {
                id: id.clone(),
                query: query.clone(),
                records: records.clone(),
                engines: engines.clone(),
                forum: forum.clone(),
                path: ctx.path().to_owned(),
                engine_timeout,
                slot: slot.clone(),
                reporting: reporting.clone(),
            };
            async move { ctx.spawn(SessionActor, args).await }
        })
        .restart(Restart::Temporary)
    }

    /// Cancels a running analysis: its session stops its engines' jobs and records it
    /// `cancelled`. An analysis recorded `running` whose session is gone (it ended just now, or
    /// its process stopped) is recorded `cancelled` here.
    ///
    /// # Errors
    /// [`SessionError::NotFound`]; [`SessionError::AlreadyEnded`] when it had ended (before,
    /// or while it was being cancelled); [`SessionError::Storage`].
    pub async fn cancel(&self, id: &AnalysisId) -> Result<Cancellation, SessionError> {
        let Some(status) = self.records.status(id).await? else {
            return Err(SessionError::NotFound(id.to_string()));
        };
        if status.is_final() {
            return Err(SessionError::AlreadyEnded {
                id: id.clone(),
                status,
            });
        }
        let (done, recorded) = oneshot::channel();
        let session = self
            .root
            .handles()
            .handle(&tree::analysis_path(id.as_str()));
        if session
            .send(SessionMsg::Cancel { done: Some(done) })
            .is_ok()
        {
            // Not answered in time: the caller hears it is still being cancelled.
            let _ = tokio::time::timeout(CANCEL_WAIT, recorded).await;
        } else {
            // Running in the database but no session in the tree: the update only touches a
            // running record, so an ending recorded meanwhile stands.
            let ending = Ending::without_parts(
                AnalysisStatus::Cancelled,
                "cancelled by request; its session was no longer running".to_owned(),
            );
            self.records.end_if_running(id, &ending).await?;
        }
        match self
            .records
            .status(id)
            .await?
            .unwrap_or(AnalysisStatus::Cancelled)
        {
            AnalysisStatus::Cancelled => Ok(Cancellation::Recorded),
            AnalysisStatus::Running => Ok(Cancellation::Pending),
            status => Err(SessionError::AlreadyEnded {
                id: id.clone(),
                status,
            }),
        }
    }

    /// An analysis: its record, each engine's output and the forum's messages about it.
    ///
    /// # Errors
    /// [`SessionError::NotFound`], [`SessionError::Storage`].
    pub async fn get(&self, id: &AnalysisId) -> Result<AnalysisView, SessionError> {
        self.records
            .view(id)
            .await?
            .ok_or_else(|| SessionError::NotFound(id.to_string()))
    }

    /// Where an analysis stands: running, or how it ended.
    ///
    /// # Errors
    /// [`SessionError::NotFound`], [`SessionError::Storage`].
    pub async fn status(&self, id: &AnalysisId) -> Result<AnalysisStatus, SessionError> {
        self.records
            .status(id)
            .await?
            .ok_or_else(|| SessionError::NotFound(id.to_string()))
    }

    /// The latest `limit` analyses (1 to 1,000), newest first.
    ///
    /// # Errors
    /// [`SessionError::Storage`].
    pub async fn list(&self, limit: u32) -> Result<Vec<AnalysisSummary>, SessionError> {
        Ok(self.records.list(limit).await?)
    }

    /// Records as failed the analyses still running past their deadline, and announces it;
    /// see [`SessionRecords::abandon_overdue`].
    ///
    /// # Errors
    /// [`SessionError::Storage`].
    pub async fn abandon_overdue(&self, now_ms: i64) -> Result<Vec<AnalysisId>, SessionError> {
        Ok(self.records.abandon_overdue(now_ms).await?)
    }
}

/// Whether `err` from starting a session says for sure that it did not start (so its row can
/// go); a timeout or a lost answer leaves that open.
fn start_was_refused(err: &SupervisorError) -> bool {
    match err {
        SupervisorError::NotFound(_)
        | SupervisorError::NotASupervisor(_)
        | SupervisorError::AlreadyExists(_)
        | SupervisorError::MaxChildren { .. }
        | SupervisorError::StartFailed { .. }
        | SupervisorError::Unsupported { .. }
        | SupervisorError::InvalidSpec(_) => true,
        SupervisorError::Unavailable(_) | SupervisorError::Timeout(_) => false,
    }
}

#[cfg(test)]
mod tests;
