//! Report tasks: an analysis (or a query alone) turned into a report an analyst can trust.
//! [`ReportTasks`] is what the rest of the service calls (the HTTP handlers parse, call it and
//! serialise); the queue lives in the database, so every instance sharing it shares the work.
//!
//! - [`engine`]: the report engine (`root/engines/report`), which claims queued tasks while
//!   this instance has room and starts each as an actor;
//! - [`task`]: a task's actor (`root/reports/<id>`, transient): lease, cancel, ending;
//! - [`pipeline`]: writing the report, chapter by chapter, checkpointed;
//!   [`chapter_llm`]: one chapter by LLM, repaired, with fallback and placeholder;
//! - [`places`]: this instance's places for running tasks, and the link to the tree's root;
//! - [`event`]: the task's events, stored and announced; [`output`]: its files;
//!   [`log`]: the report engine's log file (`GET /api/report/log`).

pub mod chapter_llm;
pub mod engine;
pub mod event;
pub mod live;
pub mod log;
pub mod output;
pub mod pipeline;
pub mod places;
pub mod task;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use report::templates::{parse_custom, Template, TemplateError, TemplateKind, Templates};
use report::Language;
use serde::{Deserialize, Serialize};
use storage::reports::{
    CancelOutcome, NewReportTask, PageCursor, ReportEventRecord, ReportStatus, ReportTaskRecord,
    ReportTaskSummary,
};
use storage::{Database, StorageError};
use supervision::ChildHandle;

use self::event::{Journal, ReportEvent};
use self::output::Format;
pub use self::places::{Reserved, RootLink, RunningSlot, Slots};
use crate::sessions::{checked_query, QueryError};
use crate::tree;
use events::{EventBus, Topic};

/// How long [`ReportTasks::cancel`] waits for a running task to record its cancellation.
pub const CANCEL_WAIT: Duration = Duration::from_secs(5);

/// A report task's id: 12 hex digits when made here. Only ids that could be ours are taken
/// from outside, so a path or a file name built from one never leaves its folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ReportId(String);

impl ReportId {
    pub fn random() -> Self {
        Self(format!("r{:012x}", fastrand::u64(..) & 0xffff_ffff_ffff))
    }

    /// An id from outside (a URL).
    ///
    /// # Errors
    /// [`ReportError::NotFound`] for anything that cannot be ours.
    pub fn parse(text: &str) -> Result<Self, ReportError> {
        if crate::tree::is_child_id(text) {
            Ok(Self(text.to_owned()))
        } else {
            Err(ReportError::NotFound(text.chars().take(64).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What `generate` asks for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub analysis_id: Option<String>,
    /// A built-in kind (`crisis_pr`…); chosen by rules when absent.
    #[serde(default)]
    pub template: Option<String>,
    /// A template of one's own (Markdown: `# title`, `## chapter` lines).
    #[serde(default)]
    pub custom_template: Option<String>,
}

/// What the facade can answer instead.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("give a `query` or an `analysis_id`")]
    NothingToReport,
    #[error("the query is empty")]
    EmptyQuery,
    #[error("the query is longer than {max} characters")]
    QueryTooLong { max: usize },
    #[error("the query has a {0}")]
    ControlCharacter(#[from] storage::text::ControlCharacter),
    #[error("no template `{0}`; see /api/report/templates")]
    UnknownTemplate(String),
    #[error("the custom template is invalid: {0}")]
    BadTemplate(#[from] TemplateError),
    #[error("no analysis `{0}`")]
    NoAnalysis(String),
    #[error("no report task `{0}`")]
    NotFound(String),
    #[error("report task {id} has already ended ({status})")]
    AlreadyEnded { id: String, status: ReportStatus },
    #[error("{pending} report tasks are waiting already; try again later")]
    QueueFull { pending: i64 },
    #[error("report task {id} is {status}: it has no output yet")]
    NotReady { id: String, status: ReportStatus },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A task as the API answers it.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    #[serde(flatten)]
    pub task: ReportTaskSummary,
    pub owner: Option<String>,
    pub attempts: i64,
    pub cancel_requested: bool,
    pub stream: String,
    pub progress_url: String,
    /// Where the outputs are, once completed.
    pub urls: Option<OutputUrls>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutputUrls {
    pub html: String,
    pub markdown: String,
    pub json: String,
    pub pdf: String,
}

/// How a cancellation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    Recorded,
    /// Asked; its instance has not recorded it within [`CANCEL_WAIT`].
    Pending,
}

/// Where the report tasks' files go: each task's folder, and the report engine's log.
#[derive(Clone)]
pub struct Files {
    pub dir: PathBuf,
    pub log: log::ReportLog,
}

/// The report tasks: queue, cancel, read, list, and their outputs.
#[derive(Clone)]
pub struct ReportTasks {
    db: Database,
    bus: EventBus,
    templates: Arc<Templates>,
    root: RootLink,
    engine: ChildHandle,
    dir: PathBuf,
    log: log::ReportLog,
    /// Tasks waiting before one more is refused.
    max_pending: usize,
}

impl ReportTasks {
    pub fn new(
        db: Database,
        bus: EventBus,
        templates: Arc<Templates>,
        root: RootLink,
        engine: ChildHandle,
        files: Files,
        max_pending: usize,
    ) -> Self {
        let Files { dir, log } = files;
        Self {
            db,
            bus,
            templates,
            root,
            engine,
            dir,
            log,
            max_pending,
        }
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    pub fn log(&self) -> &log::ReportLog {
        &self.log
    }

    /// Queues a task; answers with it, pending.
    ///
    /// # Errors
    /// The request's problems (see [`ReportError`]); the database's.
    pub async fn generate(&self, ask: GenerateRequest) -> Result<TaskView, ReportError> {
        let query = match (&ask.analysis_id, &ask.query) {
            (Some(analysis), _) => {
                let Some(found) = self.db.analysis(analysis).await? else {
                    return Err(ReportError::NoAnalysis(analysis.chars().take(64).collect()));
                };
                found.query
            }
            (None, Some(query)) => checked_query(query)?.to_owned(),
            (None, None) => return Err(ReportError::NothingToReport),
        };
        if let Some(kind) = &ask.template {
            if TemplateKind::parse(kind).is_none() {
                return Err(ReportError::UnknownTemplate(
                    kind.chars().take(64).collect(),
                ));
            }
        }
        if let Some(text) = &ask.custom_template {
            parse_custom(text, Language::of(&query))?;
        }
        let pending = self
            .db
            .report_task_counts()
            .await?
            .into_iter()
            .find(|(s, _)| *s == ReportStatus::Pending)
            .map_or(0, |(_, n)| n);
        if pending >= i64::try_from(self.max_pending).unwrap_or(i64::MAX) {
            return Err(ReportError::QueueFull { pending });
        }
        let id = ReportId::random();
        self.db
            .create_report_task(&NewReportTask {
                id: id.as_str(),
                analysis_id: ask.analysis_id.as_deref(),
                query: &query,
                template: ask.template.as_deref(),
                custom_template: ask.custom_template.as_deref(),
                created_at: storage::clock::now_ms(),
            })
            .await?;
        Journal::new(self.db.clone(), self.bus.clone(), id.as_str())
            .record(ReportEvent::Status {
                status: ReportStatus::Pending,
                progress: 0,
                message: "queued".into(),
            })
            .await;
        self.log.line(id.as_str(), "queued");
        self.nudge();
        self.get(&id).await
    }

    /// Asks the report engine to look at the queue now.
    pub fn nudge(&self) {
        if self.engine.send(engine::ReportEngineMsg::Look).is_err() {
            tracing::debug!("the report engine is not running; the task waits in the queue");
        }
    }

    /// A task.
    ///
    /// # Errors
    /// [`ReportError::NotFound`]; the database's.
    pub async fn get(&self, id: &ReportId) -> Result<TaskView, ReportError> {
        let task = self.record(id).await?;
        Ok(view(task))
    }

    async fn record(&self, id: &ReportId) -> Result<ReportTaskRecord, ReportError> {
        self.db
            .report_task(id.as_str())
            .await?
            .ok_or_else(|| ReportError::NotFound(id.as_str().to_owned()))
    }

    /// A task's status and error, read without its outputs.
    ///
    /// # Errors
    /// [`ReportError::NotFound`]; the database's.
    pub async fn status(
        &self,
        id: &ReportId,
    ) -> Result<(ReportStatus, Option<String>), ReportError> {
        self.db
            .report_task_status(id.as_str())
            .await?
            .ok_or_else(|| ReportError::NotFound(id.as_str().to_owned()))
    }

    /// A page of the history, newest first, after `cursor`.
    ///
    /// # Errors
    /// The database's.
    pub async fn list(
        &self,
        cursor: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<ReportTaskSummary>, ReportError> {
        Ok(self.db.report_tasks_page(cursor, limit).await?)
    }

    /// Tasks by status.
    ///
    /// # Errors
    /// The database's.
    pub async fn counts(&self) -> Result<Vec<(ReportStatus, i64)>, ReportError> {
        Ok(self.db.report_task_counts().await?)
    }

    /// A task's stored events after `after_seq`.
    ///
    /// # Errors
    /// The database's.
    pub async fn events_after(
        &self,
        id: &ReportId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ReportEventRecord>, ReportError> {
        Ok(self
            .db
            .report_events_after(id.as_str(), after_seq, limit)
            .await?)
    }

    /// The task's topic (its live events).
    pub fn topic(id: &ReportId) -> Topic {
        Topic::report(id.as_str())
    }

    pub fn bus(&self) -> &EventBus {
        &self.bus
    }

    /// Cancels a task: a pending one at once; a running one is stopped by its instance (this
    /// one at once, another at its next lease renewal).
    ///
    /// # Errors
    /// [`ReportError::NotFound`], [`ReportError::AlreadyEnded`]; the database's.
    pub async fn cancel(&self, id: &ReportId) -> Result<Cancellation, ReportError> {
        match self
            .db
            .request_report_cancel(id.as_str(), storage::clock::now_ms())
            .await?
        {
            CancelOutcome::NotFound => Err(ReportError::NotFound(id.as_str().to_owned())),
            CancelOutcome::AlreadyEnded(status) => Err(ReportError::AlreadyEnded {
                id: id.as_str().to_owned(),
                status,
            }),
            CancelOutcome::Cancelled => {
                Journal::new(self.db.clone(), self.bus.clone(), id.as_str())
                    .record(ReportEvent::Cancelled {
                        message: "cancelled before it started".into(),
                    })
                    .await;
                self.log.line(id.as_str(), "cancelled before it started");
                Ok(Cancellation::Recorded)
            }
            CancelOutcome::Requested { .. } => {
                self.log.line(id.as_str(), "cancel requested");
                if let Some(root) = self.root.get() {
                    let local = root.handles().handle(&tree::report_path(id.as_str()));
                    let _ = local.send(task::TaskMsg::Cancel);
                }
                let deadline = tokio::time::Instant::now() + CANCEL_WAIT;
                loop {
                    let (status, _) = self.status(id).await?;
                    if status == ReportStatus::Cancelled {
                        return Ok(Cancellation::Recorded);
                    }
                    if status.is_final() {
                        // It ended otherwise (completed, failed) before the cancel reached it.
                        return Err(ReportError::AlreadyEnded {
                            id: id.as_str().to_owned(),
                            status,
                        });
                    }
                    if tokio::time::Instant::now() >= deadline {
                        return Ok(Cancellation::Pending);
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    /// A completed task's output: its file, or the database's copy.
    ///
    /// # Errors
    /// [`ReportError::NotFound`], [`ReportError::NotReady`]; the database's.
    pub async fn output(&self, id: &ReportId, format: Format) -> Result<String, ReportError> {
        let task = self.record(id).await?;
        if task.status != ReportStatus::Completed {
            return Err(ReportError::NotReady {
                id: task.id,
                status: task.status,
            });
        }
        if let Some(text) = output::read(&self.dir, id.as_str(), format).await {
            return Ok(text);
        }
        let stored = match format {
            Format::Html => task.html,
            Format::Markdown => task.markdown,
            Format::Json => task.document,
        };
        stored.ok_or(ReportError::NotReady {
            id: task.id,
            status: task.status,
        })
    }

    /// The templates, both languages.
    pub fn template_list(&self) -> Vec<&Template> {
        self.templates.all().iter().collect()
    }
}

impl From<QueryError> for ReportError {
    fn from(err: QueryError) -> Self {
        match err {
            QueryError::Empty => Self::EmptyQuery,
            QueryError::TooLong { max } => Self::QueryTooLong { max },
            QueryError::ControlCharacter(c) => Self::ControlCharacter(c),
        }
    }
}

fn view(task: ReportTaskRecord) -> TaskView {
    let id = task.id.clone();
    TaskView {
        urls: (task.status == ReportStatus::Completed).then(|| OutputUrls {
            html: output::url(&id, Format::Html),
            markdown: output::url(&id, Format::Markdown),
            json: output::url(&id, Format::Json),
            pdf: format!("/api/report/export/pdf/{id}"),
        }),
        stream: format!("/api/report/stream/{id}"),
        progress_url: format!("/api/report/progress/{id}"),
        owner: task.owner,
        attempts: task.attempts,
        cancel_requested: task.cancel_requested,
        task: ReportTaskSummary {
            id: task.id,
            analysis_id: task.analysis_id,
            query: task.query,
            template: task.template,
            status: task.status,
            progress: task.progress,
            error: task.error,
            created_at: task.created_at,
            updated_at: task.updated_at,
            finished_at: task.finished_at,
        },
    }
}
