//! An analysis session (`root/analyses/<id>`, temporary): gives the three engines a research
//! job each for the query, waits for them in parallel with a timeout per engine, and records
//! what came back. Progress and results go out on `analysis/<id>`; the record (with each
//! engine's report and the forum discussion beside it) stays in the database for
//! `GET /api/analysis/{id}`.
//!
//! A session runs once: it stops itself when it ends, and its supervisor forgets it. However
//! it stops before that (an operator, a branch restart, a panic), the engines' jobs are
//! cancelled and the record ends `failed`, so nothing is left `running`.
//!
//! When the report engine exists it will be asked for a final report here; until then the
//! session ends with the engines' reports.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde_json::json;
use supervision::{ChildHandle, SupervisorRef};
use tokio::sync::oneshot;
use tracing::Instrument;

use crate::engines::report::Mode;
use crate::engines::{EngineKind, EngineMsg, Job, JobOutcome, JobStatus};
use crate::forum::actor::ForumMsg;
use crate::internal_events::AnalysisEnded;
use events::EventBus;

pub struct AnalysisArgs {
    pub id: String,
    pub query: String,
    pub bus: EventBus,
    pub db: Option<storage::Database>,
    pub root: SupervisorRef,
    /// Where the engines are (`root/engines`).
    pub engines_path: String,
    /// Where the forum is, told when the session ends.
    pub forum_path: String,
    /// Where this session is, for spans.
    pub path: String,
    /// How long each engine may take.
    pub engine_timeout: Duration,
}

/// Why an engine gave no report.
#[derive(Debug, Clone)]
pub enum NoReport {
    /// It took longer than the session allows; its job was cancelled.
    Timeout(Duration),
    /// The engine could not be reached, or stopped before answering.
    Unreachable(String),
}

pub enum AnalysisMsg {
    /// Send the engines their jobs (first thing after start).
    Begin,
    /// An engine answered, or did not in time.
    EngineDone {
        engine: EngineKind,
        outcome: Result<Box<JobOutcome>, NoReport>,
    },
    /// Stop the engines' jobs and end as cancelled; `done` is told once that is recorded.
    Cancel { done: Option<oneshot::Sender<()>> },
}

/// One engine's part of the session.
#[derive(Debug, Clone, serde::Serialize)]
struct Part {
    status: &'static str,
    error: Option<String>,
    output_id: Option<i64>,
    paragraphs: Option<usize>,
    /// `llm` or `builtin`, when a report came back.
    mode: Option<Mode>,
    /// Steps the LLM could not do, done by built-in analysis instead.
    fallbacks: Vec<String>,
}

pub struct AnalysisState {
    args: AnalysisArgs,
    parts: BTreeMap<EngineKind, Option<Part>>,
    /// The engines given a job, to cancel it through.
    handles: HashMap<EngineKind, ChildHandle>,
    ended: bool,
}

pub struct AnalysisActor;

fn job_id(analysis: &str, engine: EngineKind) -> String {
    format!("{analysis}/{}", engine.name())
}

impl AnalysisState {
    fn topic(&self) -> String {
        format!("analysis/{}", self.args.id)
    }

    fn publish(&self, kind: &str, payload: serde_json::Value) {
        let _ = self.args.bus.publish(&self.topic(), kind, &payload);
    }

    async fn begin(&mut self, myself: &ActorRef<AnalysisMsg>) {
        self.publish(
            "started",
            json!({"id": self.args.id, "query": self.args.query, "engines": EngineKind::ALL.map(EngineKind::name)}),
        );
        for engine in EngineKind::ALL {
            let path = format!("{}/{}", self.args.engines_path, engine.name());
            let (reply, answer) = oneshot::channel();
            let job = Job {
                id: job_id(&self.args.id, engine),
                query: self.args.query.clone(),
                analysis_id: Some(self.args.id.clone()),
                reply: Some(reply),
            };
            let unreachable = |why: String| AnalysisMsg::EngineDone {
                engine,
                outcome: Err(NoReport::Unreachable(why)),
            };
            let handle = match self.args.root.lookup(&path).await {
                Ok(handle) => handle,
                Err(err) => {
                    let _ = myself.send_message(unreachable(format!("{path}: {err}")));
                    continue;
                }
            };
            if let Err(err) = handle.send(EngineMsg::Run(job)) {
                let _ = myself.send_message(unreachable(err.to_string()));
                continue;
            }
            self.handles.insert(engine, handle.clone());
            let me = myself.clone();
            let timeout = self.args.engine_timeout;
            let job = job_id(&self.args.id, engine);
            tokio::spawn(async move {
                let outcome = match tokio::time::timeout(timeout, answer).await {
                    Ok(Ok(outcome)) => Ok(Box::new(outcome)),
                    Ok(Err(_)) => Err(NoReport::Unreachable(
                        "the engine stopped before answering".to_owned(),
                    )),
                    Err(_) => {
                        let _ = handle.send(EngineMsg::Cancel { job });
                        Err(NoReport::Timeout(timeout))
                    }
                };
                let _ = me.send_message(AnalysisMsg::EngineDone { engine, outcome });
            });
        }
    }

    async fn engine_done(
        &mut self,
        myself: &ActorRef<AnalysisMsg>,
        engine: EngineKind,
        outcome: Result<Box<JobOutcome>, NoReport>,
    ) {
        let part = match outcome {
            Ok(o) => Part {
                status: o.status.as_str(),
                error: o.error,
                output_id: o.output_id,
                paragraphs: o.report.as_ref().map(|r| r.paragraphs.len()),
                mode: o.report.as_ref().map(|r| r.mode),
                fallbacks: o.report.map(|r| r.fallbacks).unwrap_or_default(),
            },
            Err(why) => Part {
                status: match why {
                    NoReport::Timeout(_) => "timeout",
                    NoReport::Unreachable(_) => "failed",
                },
                error: Some(match why {
                    NoReport::Timeout(t) => {
                        format!("no report within {t:?}; the job was cancelled")
                    }
                    NoReport::Unreachable(reason) => reason,
                }),
                output_id: None,
                paragraphs: None,
                mode: None,
                fallbacks: Vec::new(),
            },
        };
        tracing::info!(
            engine = engine.name(),
            status = part.status,
            "engine finished its part"
        );
        if !part.fallbacks.is_empty() {
            tracing::warn!(
                engine = engine.name(),
                steps = part.fallbacks.len(),
                "the LLM could not do every step; built-in analysis stood in"
            );
        }
        let mut payload = json!(part);
        payload["engine"] = json!(engine.name());
        self.publish("engine_done", payload);
        self.parts.insert(engine, Some(part));
        if self.parts.values().all(Option::is_some) {
            let done = self
                .parts
                .values()
                .flatten()
                .filter(|p| p.status == JobStatus::Done.as_str())
                .count();
            let status = match done {
                3 => "done",
                0 => "failed",
                _ => "partial",
            };
            let error = (done < 3).then(|| self.errors());
            self.end(myself, status, error).await;
        }
    }

    /// The engines' errors, one line.
    fn errors(&self) -> String {
        self.parts
            .iter()
            .filter_map(|(k, p)| {
                let p = p.as_ref()?;
                p.error.as_ref().map(|e| format!("{}: {e}", k.name()))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn result(&self, status: &str) -> (serde_json::Value, serde_json::Value) {
        let engines: serde_json::Map<String, serde_json::Value> = self
            .parts
            .iter()
            .map(|(k, p)| {
                let view = match p {
                    Some(p) => json!(p),
                    None => json!({"status": status}),
                };
                (k.name().to_owned(), view)
            })
            .collect();
        let engines = serde_json::Value::Object(engines);
        (json!({"engines": engines.clone(), "report": null}), engines)
    }

    async fn end(
        &mut self,
        myself: &ActorRef<AnalysisMsg>,
        status: &'static str,
        error: Option<String>,
    ) {
        if self.ended {
            return;
        }
        self.ended = true;
        let (result, engines) = self.result(status);
        if let Some(db) = &self.args.db {
            let saved = db
                .finish_analysis(
                    &self.args.id,
                    status,
                    error.as_deref(),
                    Some(&result.to_string()),
                    storage::clock::now_ms(),
                )
                .await;
            match saved {
                Ok(true) => {}
                Ok(false) => tracing::warn!("the analysis had already ended in the database"),
                Err(err) => tracing::warn!(error = %err, "could not record how the analysis ended"),
            }
        }
        AnalysisEnded { outcome: status }.emit();
        tracing::info!(status, "analysis ended");
        self.publish(
            if status == "cancelled" {
                "cancelled"
            } else {
                "finished"
            },
            json!({"id": self.args.id, "status": status, "error": error, "engines": engines}),
        );
        self.tell_forum();
        // A session runs once; its supervisor forgets it when it stops (it is temporary).
        myself.stop(None);
    }

    /// Tells the forum the session is over, so its host can close the last round.
    fn tell_forum(&self) {
        let root = self.args.root.clone();
        let path = self.args.forum_path.clone();
        let session = self.args.id.clone();
        tokio::spawn(async move {
            if let Ok(forum) = root.lookup(&path).await {
                let _ = forum.send(ForumMsg::SessionEnded { session });
            }
        });
    }

    /// Cancels the jobs of engines that have not answered.
    fn cancel_jobs(&self) {
        for (engine, handle) in &self.handles {
            if self.parts.get(engine).is_some_and(Option::is_none) {
                let job = job_id(&self.args.id, *engine);
                if let Err(err) = handle.send(EngineMsg::Cancel { job }) {
                    tracing::warn!(engine = engine.name(), error = %err, "could not cancel the engine's job");
                }
            }
        }
    }

    async fn cancel(&mut self, myself: &ActorRef<AnalysisMsg>) {
        if self.ended {
            return;
        }
        self.cancel_jobs();
        self.end(myself, "cancelled", Some("cancelled by request".into()))
            .await;
    }
}

impl Drop for AnalysisState {
    // Stopped before it ended (an operator, a restart of `analyses`, a panic, shutdown): the
    // jobs are cancelled and the record says the session failed, rather than `running` forever.
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        self.cancel_jobs();
        let why = "the analysis session stopped before it finished";
        let (result, engines) = self.result("failed");
        self.publish(
            "finished",
            json!({"id": self.args.id, "status": "failed", "error": why, "engines": engines}),
        );
        AnalysisEnded { outcome: "failed" }.emit();
        self.tell_forum();
        if let (Some(db), Ok(runtime)) =
            (self.args.db.clone(), tokio::runtime::Handle::try_current())
        {
            let id = self.args.id.clone();
            runtime.spawn(async move {
                let at = storage::clock::now_ms();
                if let Err(err) = db
                    .finish_analysis(&id, "failed", Some(why), Some(&result.to_string()), at)
                    .await
                {
                    tracing::warn!(error = %err, id, "could not record the stopped analysis");
                }
            });
        }
    }
}

impl Actor for AnalysisActor {
    type Msg = AnalysisMsg;
    type State = AnalysisState;
    type Arguments = AnalysisArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<AnalysisMsg>,
        args: AnalysisArgs,
    ) -> Result<AnalysisState, ActorProcessingErr> {
        myself.send_message(AnalysisMsg::Begin)?;
        Ok(AnalysisState {
            parts: EngineKind::ALL.into_iter().map(|k| (k, None)).collect(),
            handles: HashMap::new(),
            args,
            ended: false,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<AnalysisMsg>,
        message: AnalysisMsg,
        state: &mut AnalysisState,
    ) -> Result<(), ActorProcessingErr> {
        // Instrumented, not entered: the handler awaits, and an entered span would follow the
        // thread rather than this work.
        let span =
            tracing::info_span!("analysis", topic = %state.topic(), actor = %state.args.path);
        async {
            match message {
                AnalysisMsg::Begin => state.begin(&myself).await,
                AnalysisMsg::EngineDone { engine, outcome } => {
                    if !state.ended {
                        state.engine_done(&myself, engine, outcome).await
                    }
                }
                AnalysisMsg::Cancel { done } => {
                    state.cancel(&myself).await;
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                }
            }
        }
        .instrument(span)
        .await;
        Ok(())
    }
}
