//! A report task (`root/reports/<id>`, transient): runs the pipeline for a task this instance
//! claimed, keeps its lease while it works, and records how it ended — completed, error or
//! cancelled — fenced by its claim, so an instance that lost the lease writes nothing.
//!
//! Cancel really stops the work: the pipeline runs in a task of its own that is aborted (an
//! LLM call in flight is dropped with it), whether the cancel came through this instance (a
//! message) or another (the flag its lease renewal reads). A pipeline that panics fails the
//! actor, and its supervisor restarts it: the new incarnation resumes from the last finished
//! chapter, up to [`MAX_PANICS`] times before the task is recorded as failed.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ractor::{Actor, ActorProcessingErr, ActorRef};
use storage::reports::{Claimed, Holder, LeaseState, ReportEnding, ReportStatus};
use tokio::task::AbortHandle;
use tracing::Instrument;

use super::event::{Journal, ReportEvent};
use super::output::{self, Format};
use super::pipeline::{self, Outputs, TaskContext, LEASE_LOST};
use super::RunningSlot;
use crate::internal_events::ReportTaskEnded;
use events::Topic;

/// What a pipeline not started says (the task is not held, or is to be cancelled): the
/// actor is already stopping or cancelling it.
const NOT_RUN: &str = "not run";

/// Panics of a task's pipeline before it is recorded as failed.
pub const MAX_PANICS: u32 = 2;

pub struct TaskArgs {
    pub ctx: TaskContext,
    pub claimed: Claimed,
    pub lease: Duration,
    /// The actor's path, for spans.
    pub path: String,
    /// Its place among the running tasks, held as long as its spec exists.
    pub slot: RunningSlot,
    /// Panics so far, across incarnations.
    pub panics: Arc<AtomicU32>,
}

pub enum TaskMsg {
    /// Renew the lease (and read whether a cancel was asked for elsewhere).
    Renew,
    /// Stop the work and record the task cancelled.
    Cancel,
    /// The pipeline ended.
    Done(Result<Outputs, String>),
    /// The pipeline panicked.
    Panicked(String),
}

pub struct TaskState {
    args: TaskArgs,
    journal: Journal,
    pipeline: AbortHandle,
    renewal: AbortHandle,
    began: Instant,
    ended: bool,
    /// The pipeline panicked and the actor is failing: its supervisor restarts it, and the
    /// task stays held for the next incarnation.
    failing: bool,
}

impl Drop for TaskState {
    fn drop(&mut self) {
        self.pipeline.abort();
        self.renewal.abort();
    }
}

pub struct TaskActor;

impl TaskState {
    fn id(&self) -> &str {
        &self.args.claimed.task.id
    }

    fn holder(&self) -> Holder<'_> {
        Holder {
            owner: &self.args.ctx.owner,
            token: self.args.claimed.token,
        }
    }

    /// Records the ending (if the lease is still ours) and says it; then the actor stops.
    async fn end(
        &mut self,
        myself: &ActorRef<TaskMsg>,
        status: ReportStatus,
        error: Option<String>,
        outputs: Option<&Outputs>,
    ) {
        if self.ended {
            return;
        }
        self.ended = true;
        self.pipeline.abort();
        self.renewal.abort();
        let ending = ReportEnding {
            status,
            error: error.as_deref(),
            document: outputs.map(|o| o.document.as_str()),
            markdown: outputs.map(|o| o.markdown.as_str()),
            html: outputs.map(|o| o.html.as_str()),
        };
        let recorded = self
            .args
            .ctx
            .db
            .finish_report_task(self.id(), &self.holder(), &ending, storage::clock::now_ms())
            .await;
        match recorded {
            Ok(true) => {
                if let Some(outputs) = outputs.filter(|_| status == ReportStatus::Completed) {
                    self.write_files(outputs).await;
                }
                let elapsed = self.began.elapsed();
                ReportTaskEnded {
                    status,
                    duration: elapsed,
                }
                .emit();
                let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
                let id = self.id().to_owned();
                let event = match status {
                    ReportStatus::Completed => ReportEvent::Completed {
                        progress: 100,
                        url: output::url(&id, Format::Html),
                        markdown_url: output::url(&id, Format::Markdown),
                        json_url: output::url(&id, Format::Json),
                        elapsed_ms,
                    },
                    ReportStatus::Cancelled => ReportEvent::Cancelled {
                        message: error.unwrap_or_else(|| "cancelled by request".into()),
                    },
                    _ => ReportEvent::Error {
                        message: error.unwrap_or_else(|| "the report failed".into()),
                    },
                };
                self.journal.record(event).await;
                let said = match self.args.ctx.db.report_task_status(self.id()).await {
                    Ok(Some((_, Some(error)))) => format!("{status}: {error}"),
                    _ => status.to_string(),
                };
                self.args.ctx.log.line(self.id(), &said);
                tracing::info!(status = %status, "report task ended");
            }
            Ok(false) => {
                tracing::warn!("the task's lease was lost before its ending could be recorded")
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not record how the report task ended; its lease will expire and another attempt take it")
            }
        }
        myself.stop(None);
    }

    /// Writes the outputs to the task's folder and says `html_ready`. The database has them
    /// already, and downloads fall back to it: a full disk costs the local copy, not the report.
    async fn write_files(&self, outputs: &Outputs) {
        let (dir, id) = (&self.args.ctx.dir, self.id());
        if let Err(err) = output::write_all(dir, id, outputs).await {
            tracing::warn!(error = %err, "could not write the report's files");
            self.journal
                .record(ReportEvent::Warning {
                    message: format!(
                        "the report's files could not be written ({err}); it is kept in the database"
                    ),
                })
                .await;
        }
        self.journal
            .record(ReportEvent::HtmlReady {
                url: output::url(id, Format::Html),
                bytes: outputs.html.len(),
            })
            .await;
    }

    async fn renew(&mut self, myself: &ActorRef<TaskMsg>) {
        let lease_ms = i64::try_from(self.args.lease.as_millis()).unwrap_or(i64::MAX);
        let renewed = self
            .args
            .ctx
            .db
            .renew_report_lease(
                self.id(),
                &self.holder(),
                storage::clock::now_ms(),
                lease_ms,
            )
            .await;
        match renewed {
            Ok(LeaseState::Held {
                cancel_requested: false,
            }) => {}
            Ok(LeaseState::Held {
                cancel_requested: true,
            }) => {
                self.end(
                    myself,
                    ReportStatus::Cancelled,
                    Some("cancelled by request".into()),
                    None,
                )
                .await;
            }
            Ok(LeaseState::Lost) => {
                tracing::warn!("{LEASE_LOST}; stopping its work here");
                self.ended = true;
                myself.stop(None);
            }
            Err(err) => tracing::warn!(error = %err, "could not renew the report task's lease"),
        }
    }
}

impl Actor for TaskActor {
    type Msg = TaskMsg;
    type State = TaskState;
    type Arguments = TaskArgs;

    /// Stopped before the task ended (the service shutting down, an operator): the work stops
    /// and the task goes back to the queue under its checkpoint, rather than waiting out its
    /// lease and counting as a failed attempt.
    async fn post_stop(
        &self,
        _myself: ActorRef<TaskMsg>,
        state: &mut TaskState,
    ) -> Result<(), ActorProcessingErr> {
        if state.ended || state.failing {
            return Ok(());
        }
        state.pipeline.abort();
        state.renewal.abort();
        let released = state
            .args
            .ctx
            .db
            .release_report_task(state.id(), &state.holder(), storage::clock::now_ms())
            .await;
        match released {
            Ok(true) => {
                tracing::info!(task = %state.id(), "report task handed back to the queue");
                state
                    .args
                    .ctx
                    .log
                    .line(state.id(), "handed back to the queue: its instance stopped");
                state
                    .journal
                    .record(ReportEvent::Status {
                        status: ReportStatus::Pending,
                        progress: state.args.claimed.task.progress,
                        message: "handed back to the queue: its instance stopped; it goes on from its last chapter".into(),
                    })
                    .await;
            }
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(error = %err, "could not hand the report task back; its lease will expire")
            }
        }
        Ok(())
    }

    async fn pre_start(
        &self,
        myself: ActorRef<TaskMsg>,
        mut args: TaskArgs,
    ) -> Result<TaskState, ActorProcessingErr> {
        // A restarted incarnation reads the row again: its checkpoint has the chapters the
        // last one finished.
        if let Ok(Some(fresh)) = args.ctx.db.report_task(&args.claimed.task.id).await {
            args.claimed.task = fresh;
        }
        let journal = Journal::new(
            args.ctx.db.clone(),
            args.ctx.bus.clone(),
            args.claimed.task.id.clone(),
        );
        let span = tracing::info_span!(parent: None, "report", topic = %Topic::report(&args.claimed.task.id), actor = %args.path);
        let (ctx, task, token, me) = (
            args.ctx.clone(),
            args.claimed.task.clone(),
            args.claimed.token,
            myself.clone(),
        );
        let run_journal = journal.clone();
        let task_row = &args.claimed.task;
        // Whether this instance still holds the task under this claim: a restarted incarnation
        // may find it ended, or taken over after its backoff outlasted the lease.
        let held = task_row.status == ReportStatus::Running
            && task_row.owner.as_deref() == Some(args.ctx.owner.as_str())
            && task_row.attempts == args.claimed.token;
        // A task whose cancel was asked while its last holder was dying is claimed with the
        // flag set: it ends cancelled, without running again.
        let cancelled = task_row.cancel_requested;
        let work = tokio::spawn(
            async move {
                if !held || cancelled {
                    return Err(NOT_RUN.to_owned());
                }
                let holder = Holder {
                    owner: &ctx.owner,
                    token,
                };
                pipeline::generate(&ctx, &task, &holder, &run_journal).await
            }
            .instrument(span),
        );
        if !held {
            tracing::warn!(task = %args.claimed.task.id, "the report task is no longer held under this claim; not running it");
            myself.stop(None);
        } else if cancelled {
            myself.send_message(TaskMsg::Cancel)?;
        }
        let pipeline = work.abort_handle();
        let watcher = myself.clone();
        tokio::spawn(async move {
            let message = match work.await {
                Ok(result) => TaskMsg::Done(result),
                Err(err) if err.is_panic() => TaskMsg::Panicked(panic_text(err)),
                // Aborted: the actor that aborted it is ending the task.
                Err(_) => return,
            };
            let _ = watcher.send_message(message);
        });
        let every = (args.lease / 3).max(Duration::from_millis(100));
        let renewal = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                if me.send_message(TaskMsg::Renew).is_err() {
                    return;
                }
            }
        })
        .abort_handle();
        Ok(TaskState {
            args,
            journal,
            pipeline,
            renewal,
            began: Instant::now(),
            ended: false,
            failing: false,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<TaskMsg>,
        message: TaskMsg,
        state: &mut TaskState,
    ) -> Result<(), ActorProcessingErr> {
        if state.ended {
            return Ok(());
        }
        let span = tracing::info_span!(parent: None, "report", topic = %Topic::report(state.id()), actor = %state.args.path);
        async {
            match message {
                TaskMsg::Renew => state.renew(&myself).await,
                TaskMsg::Cancel => {
                    state
                        .end(
                            &myself,
                            ReportStatus::Cancelled,
                            Some("cancelled by request".into()),
                            None,
                        )
                        .await;
                }
                TaskMsg::Done(Ok(outputs)) => {
                    state
                        .end(&myself, ReportStatus::Completed, None, Some(&outputs))
                        .await;
                }
                TaskMsg::Done(Err(why)) if why == NOT_RUN => {}
                TaskMsg::Done(Err(why)) if why == LEASE_LOST => {
                    tracing::warn!("{LEASE_LOST}; stopping its work here");
                    state.ended = true;
                    myself.stop(None);
                }
                TaskMsg::Done(Err(why)) => {
                    state
                        .end(&myself, ReportStatus::Error, Some(why), None)
                        .await;
                }
                TaskMsg::Panicked(why) => {
                    let panics = state.args.panics.fetch_add(1, Ordering::SeqCst) + 1;
                    if panics >= MAX_PANICS {
                        let why = format!("the report failed {panics} times: {why}");
                        state
                            .end(&myself, ReportStatus::Error, Some(why), None)
                            .await;
                    } else {
                        state.failing = true;
                        return Err(why);
                    }
                }
            }
            Ok(())
        }
        .instrument(span)
        .await
        .map_err(|why: String| {
            ActorProcessingErr::from(format!("the report pipeline panicked: {why}"))
        })
    }
}

fn panic_text(err: tokio::task::JoinError) -> String {
    let payload = err.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}
