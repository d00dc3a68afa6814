//! An engine actor: runs research jobs, each in a task of its own so the actor stays free to
//! take more jobs and cancellations; records each job in `engine_outputs` (running, then done
//! with its Markdown and JSON, failed with its reason, or cancelled) and announces it on
//! `engine/<name>`; posts paragraph summaries to the forum in the order they were written.
//!
//! A job that panics fails with the panic's message, and then the actor fails too, so its
//! supervisor restarts it by its policy, as an Erlang process would: the engine's other jobs
//! end with it, failed with the reason, and the next job runs on the fresh incarnation. An
//! engine's jobs share its LLM client and circuit, which is why they live and die together.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde::Serialize;
use serde_json::json;
use storage::analyses::OutputStatus;
use supervision::ChildHandle;
use tokio::sync::oneshot;
use tokio::task::{AbortHandle, JoinError};
use tracing::Instrument;

use super::gather::Searcher;
use super::report::Report;
use super::research::{research, Brief, Reporter, Tools};
use super::EngineKind;
use crate::forum::actor::ForumMsg;
use crate::internal_events::EngineJobEnded;
use crate::sessions::{AnalysisId, SessionEvent};
use events::{EventBus, Topic};
use llm::LlmClient;

/// A research job.
pub struct Job {
    /// Chosen by the caller, unique among the engine's running jobs; used to cancel it.
    pub id: String,
    pub query: String,
    /// The analysis it belongs to, if any.
    pub analysis_id: Option<AnalysisId>,
    /// The analysis's evidence set and its figures: every number the report states is read
    /// from these, so the three engines' reports and the final report agree. None (an engine
    /// used alone, a set that could not be gathered): figures come from the job's own searches.
    pub evidence: Option<Arc<crate::evidence::Evidence>>,
    /// Where the outcome goes.
    pub reply: Option<oneshot::Sender<JobOutcome>>,
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Done,
    Failed,
    Cancelled,
}

impl JobStatus {
    /// What the job's row in `engine_outputs` says of it.
    pub const fn output_status(self) -> OutputStatus {
        match self {
            Self::Done => OutputStatus::Done,
            Self::Failed => OutputStatus::Failed,
            Self::Cancelled => OutputStatus::Cancelled,
        }
    }

    /// Its text: the stored one, so a job and its row never disagree.
    pub const fn as_str(self) -> &'static str {
        self.output_status().as_str()
    }
}

/// A job's outcome.
#[derive(Debug, Clone)]
pub struct JobOutcome {
    pub job: String,
    pub engine: EngineKind,
    pub status: JobStatus,
    pub report: Option<Report>,
    pub error: Option<String>,
    /// Its row in `engine_outputs`, when the database took it.
    pub output_id: Option<i64>,
}

pub enum EngineMsg {
    Run(Job),
    /// Cancel a running job by its id (nothing happens for an unknown one).
    Cancel {
        job: String,
    },
    /// A job's task ended (sent by the engine to itself).
    Finished {
        job: String,
        result: Result<Report, JoinError>,
    },
}

/// Where a job stands: published as `progress` on the engine's topic, and as `engine_progress`
/// on its analysis's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobProgress {
    pub engine: EngineKind,
    pub job: String,
    /// `plan`, `search`, `summary`, `reflection`, `report`.
    pub stage: String,
    pub paragraph: usize,
    pub of: usize,
    pub detail: String,
}

pub struct EngineArgs {
    pub kind: EngineKind,
    /// The actor's path, for spans.
    pub path: String,
    pub bus: EventBus,
    pub db: Option<storage::Database>,
    pub searcher: Arc<Searcher>,
    pub llm: Option<Arc<LlmClient>>,
    /// Where paragraph summaries go: the forum's handle, taken from the tree's handles before
    /// the tree started (the forum starts after the engines).
    pub forum: Option<ChildHandle>,
    pub reflections: u32,
    pub max_paragraphs: usize,
}

struct Running {
    abort: AbortHandle,
    reply: Option<oneshot::Sender<JobOutcome>>,
    output_id: Option<i64>,
    began: Instant,
}

pub struct EngineState {
    args: EngineArgs,
    running: HashMap<String, Running>,
}

impl Drop for EngineState {
    // However the actor ends, its jobs end with it.
    fn drop(&mut self) {
        for run in self.running.values() {
            run.abort.abort();
        }
    }
}

pub struct EngineActor;

/// What a job reports as it goes: progress on the engine's topic (and the analysis's), and
/// paragraphs to the forum.
struct JobReporter {
    bus: EventBus,
    engine: EngineKind,
    job: String,
    analysis: Option<AnalysisId>,
    query: String,
    forum: Option<ChildHandle>,
}

impl Reporter for JobReporter {
    fn progress(&self, stage: &str, paragraph: usize, of: usize, detail: &str) {
        let progress = JobProgress {
            engine: self.engine,
            job: self.job.clone(),
            stage: stage.to_owned(),
            paragraph,
            of,
            detail: detail.to_owned(),
        };
        let _ = self
            .bus
            .publish(topic(self.engine).as_str(), "progress", &progress);
        if let Some(id) = &self.analysis {
            SessionEvent::EngineProgress(progress).publish(&self.bus, id);
        }
    }

    fn paragraph(&self, title: &str, summary: &str) {
        // Straight to the forum's mailbox: a ractor send does not wait (the mailbox is
        // unbounded), and one job's paragraphs are sent from its one task, so they arrive in
        // the order they were written.
        if let Some(forum) = &self.forum {
            let sent = forum.send(ForumMsg::Agent {
                source: self.engine.speaker().to_owned(),
                content: format!("【{title}】{summary}"),
                session: self.analysis.as_ref().map(AnalysisId::to_string),
                topic: Some(self.query.clone()),
            });
            if let Err(err) = sent {
                tracing::warn!(error = %err, "the forum is not running; a paragraph summary was not posted");
            }
        }
    }
}

fn topic(kind: EngineKind) -> Topic {
    Topic::engine(kind.name())
}

/// The text of a panic.
fn panic_reason(err: JoinError) -> String {
    match err.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned()),
        Err(err) => err.to_string(),
    }
}

impl EngineState {
    async fn start(&mut self, myself: &ActorRef<EngineMsg>, job: Job) {
        let kind = self.args.kind;
        if self.running.contains_key(&job.id) {
            let outcome = JobOutcome {
                job: job.id.clone(),
                engine: kind,
                status: JobStatus::Failed,
                report: None,
                error: Some(format!("a job with id {} is already running", job.id)),
                output_id: None,
            };
            if let Some(reply) = job.reply {
                let _ = reply.send(outcome);
            }
            return;
        }
        let now = storage::clock::now_ms();
        let output_id = match &self.args.db {
            Some(db) => match db
                .start_engine_output(
                    job.analysis_id.as_ref().map(AnalysisId::as_str),
                    kind.name(),
                    &job.query,
                    now,
                )
                .await
            {
                Ok(id) => Some(id),
                Err(err) => {
                    tracing::warn!(error = %err, "could not record the job; running it anyway");
                    None
                }
            },
            None => None,
        };
        let _ = self.args.bus.publish(
            topic(kind).as_str(),
            "job_started",
            &json!({"engine": kind.name(), "job": job.id, "query": job.query, "analysis": job.analysis_id, "output_id": output_id}),
        );
        let reporter = JobReporter {
            bus: self.args.bus.clone(),
            engine: kind,
            job: job.id.clone(),
            analysis: job.analysis_id.clone(),
            query: job.query.clone(),
            forum: self.args.forum.clone(),
        };
        let brief = Brief {
            query: job.query.clone(),
            reflections: self.args.reflections,
            max_paragraphs: self.args.max_paragraphs,
            evidence: job.evidence.clone(),
        };
        let searcher = Arc::clone(&self.args.searcher);
        let llm = self.args.llm.clone();
        let span = tracing::info_span!("engine", topic = %topic(kind), actor = %self.args.path, job = %job.id);
        let work = tokio::spawn(
            async move {
                tracing::info!(query = %brief.query, "research job started");
                let tools = Tools {
                    kind,
                    searcher: &searcher,
                    llm: llm.as_deref(),
                };
                research(&tools, &brief, &reporter).await
            }
            .instrument(span),
        );
        let abort = work.abort_handle();
        let me = myself.clone();
        let id = job.id.clone();
        tokio::spawn(async move {
            let result = work.await;
            let _ = me.send_message(EngineMsg::Finished { job: id, result });
        });
        self.running.insert(
            job.id,
            Running {
                abort,
                reply: job.reply,
                output_id,
                began: Instant::now(),
            },
        );
    }

    async fn finish(
        &self,
        job: String,
        run: Running,
        status: JobStatus,
        report: Option<Report>,
        error: Option<String>,
    ) {
        let kind = self.args.kind;
        let markdown = report.as_ref().map(Report::markdown);
        let document = report.as_ref().map(|r| r.document().to_string());
        if let (Some(db), Some(id)) = (&self.args.db, run.output_id) {
            let ending = storage::analyses::Ending {
                status: status.output_status(),
                markdown: markdown.as_deref(),
                document: document.as_deref(),
                error: error.as_deref(),
                at: storage::clock::now_ms(),
            };
            if let Err(err) = db.finish_engine_output(id, ending).await {
                tracing::warn!(error = %err, job, "could not record how the job ended");
            }
        }
        EngineJobEnded {
            engine: kind.name(),
            outcome: status.as_str(),
            duration: run.began.elapsed(),
        }
        .emit();
        let kind_of_event = match status {
            JobStatus::Done => "job_finished",
            JobStatus::Failed => "job_failed",
            JobStatus::Cancelled => "job_cancelled",
        };
        let _ = self.args.bus.publish(
            topic(kind).as_str(),
            kind_of_event,
            &json!({"engine": kind.name(), "job": job, "status": status, "error": error, "output_id": run.output_id,
                    "paragraphs": report.as_ref().map(|r| r.paragraphs.len()), "mode": report.as_ref().map(|r| r.mode)}),
        );
        match status {
            JobStatus::Failed => tracing::error!(
                job,
                reason = error.as_deref().unwrap_or(""),
                "research job failed"
            ),
            _ => tracing::info!(job, status = status.as_str(), "research job ended"),
        }
        if let Some(reply) = run.reply {
            let _ = reply.send(JobOutcome {
                job,
                engine: kind,
                status,
                report,
                error,
                output_id: run.output_id,
            });
        }
    }
}

impl Actor for EngineActor {
    type Msg = EngineMsg;
    type State = EngineState;
    type Arguments = EngineArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<EngineMsg>,
        args: EngineArgs,
    ) -> Result<EngineState, ActorProcessingErr> {
        tracing::info!(
            engine = args.kind.name(),
            llm = args.llm.as_ref().map(|l| l.config().model.as_str()).unwrap_or("none (built-in analysis)"),
            search = %args.searcher.names().join(" > "),
            "engine ready"
        );
        Ok(EngineState {
            args,
            running: HashMap::new(),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<EngineMsg>,
        message: EngineMsg,
        state: &mut EngineState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            EngineMsg::Run(job) => state.start(&myself, job).await,
            EngineMsg::Cancel { job } => match state.running.get(&job) {
                Some(run) => run.abort.abort(),
                None => tracing::debug!(job, "cancel for a job that is not running"),
            },
            EngineMsg::Finished { job, result } => {
                let Some(run) = state.running.remove(&job) else {
                    return Ok(());
                };
                match result {
                    Ok(report) => {
                        state
                            .finish(job, run, JobStatus::Done, Some(report), None)
                            .await
                    }
                    Err(err) if err.is_cancelled() => {
                        state
                            .finish(
                                job,
                                run,
                                JobStatus::Cancelled,
                                None,
                                Some("cancelled".into()),
                            )
                            .await
                    }
                    Err(err) => {
                        let reason = format!("job panicked: {}", panic_reason(err));
                        state
                            .finish(
                                job.clone(),
                                run,
                                JobStatus::Failed,
                                None,
                                Some(reason.clone()),
                            )
                            .await;
                        let others: Vec<(String, Running)> = state.running.drain().collect();
                        for (other, run) in others {
                            run.abort.abort();
                            let why =
                                format!("the engine restarted after job {job} failed ({reason})");
                            state
                                .finish(other, run, JobStatus::Failed, None, Some(why))
                                .await;
                        }
                        return Err(format!("{reason} (job {job})").into());
                    }
                }
            }
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<EngineMsg>,
        state: &mut EngineState,
    ) -> Result<(), ActorProcessingErr> {
        // Stopped (by an operator, a restart of the branch, shutdown) with jobs still running:
        // they end here, recorded and answered, rather than left `running`.
        let running: Vec<(String, Running)> = state.running.drain().collect();
        for (job, run) in running {
            run.abort.abort();
            let why = "the engine stopped before the job finished".to_owned();
            state
                .finish(job, run, JobStatus::Failed, None, Some(why))
                .await;
        }
        Ok(())
    }
}
