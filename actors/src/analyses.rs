//! An analysis session (`root/analyses/<id>`, transient): gives the three engines a research
//! job each for the query, waits for them in parallel with a timeout per engine, and records
//! what came back. Progress and results go out on `analysis/<id>`; the record (with each
//! engine's report and the forum discussion beside it) stays in the database for
//! `GET /api/analysis/{id}`.
//!
//! When the report engine exists it will be asked for a final report here; until then the
//! session ends with the engines' reports.

use std::collections::BTreeMap;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde_json::json;
use supervision::SupervisorRef;
use tokio::sync::oneshot;

use crate::engines::{EngineKind, EngineMsg, Job, JobOutcome, JobStatus};
use crate::events::EventBus;
use crate::internal_events::AnalysisEnded;

pub struct AnalysisArgs {
    pub id: String,
    pub query: String,
    pub bus: EventBus,
    pub db: Option<storage::Database>,
    pub root: SupervisorRef,
    /// Where the engines are (`root/engines`).
    pub engines_path: String,
    /// Where this session is, to be forgotten by its supervisor when it ends.
    pub path: String,
    /// How long each engine may take.
    pub engine_timeout: Duration,
}

pub enum AnalysisMsg {
    /// Send the engines their jobs (first thing after start).
    Begin,
    /// An engine answered, or did not in time.
    EngineDone {
        engine: EngineKind,
        outcome: Result<Box<JobOutcome>, String>,
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
    mode: Option<crate::engines::report::Mode>,
    /// Steps the LLM could not do, done by built-in analysis instead.
    fallbacks: Vec<String>,
}

pub struct AnalysisState {
    args: AnalysisArgs,
    parts: BTreeMap<EngineKind, Option<Part>>,
    ended: bool,
}

impl PartialOrd for EngineKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for EngineKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let at = |k: &EngineKind| EngineKind::ALL.iter().position(|x| x == k);
        at(self).cmp(&at(other))
    }
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
            let handle = match self.args.root.lookup(&path).await {
                Ok(handle) => handle,
                Err(err) => {
                    let _ = myself.send_message(AnalysisMsg::EngineDone {
                        engine,
                        outcome: Err(format!("{path}: {err}")),
                    });
                    continue;
                }
            };
            if let Err(err) = handle.send(EngineMsg::Run(job)) {
                let _ = myself.send_message(AnalysisMsg::EngineDone {
                    engine,
                    outcome: Err(err.to_string()),
                });
                continue;
            }
            let me = myself.clone();
            let timeout = self.args.engine_timeout;
            let job = job_id(&self.args.id, engine);
            tokio::spawn(async move {
                let outcome = match tokio::time::timeout(timeout, answer).await {
                    Ok(Ok(outcome)) => Ok(Box::new(outcome)),
                    Ok(Err(_)) => Err("the engine stopped before answering".to_owned()),
                    Err(_) => {
                        let _ = handle.send(EngineMsg::Cancel { job });
                        Err(format!(
                            "no report within {timeout:?}; the job was cancelled"
                        ))
                    }
                };
                let _ = me.send_message(AnalysisMsg::EngineDone { engine, outcome });
            });
        }
    }

    async fn engine_done(&mut self, engine: EngineKind, outcome: Result<Box<JobOutcome>, String>) {
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
                status: if why.contains("within") {
                    "timeout"
                } else {
                    "failed"
                },
                error: Some(why),
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
            let error = (done < 3).then(|| {
                self.parts
                    .iter()
                    .filter_map(|(k, p)| {
                        let p = p.as_ref()?;
                        p.error.as_ref().map(|e| format!("{}: {e}", k.name()))
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            self.end(status, error).await;
        }
    }

    async fn end(&mut self, status: &'static str, error: Option<String>) {
        if self.ended {
            return;
        }
        self.ended = true;
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
        let result = json!({"engines": engines, "report": null});
        if let Some(db) = &self.args.db {
            let saved = db
                .set_analysis_status(
                    &self.args.id,
                    status,
                    error.as_deref(),
                    Some(&result.to_string()),
                    true,
                    storage::clock::now_ms(),
                )
                .await;
            if let Err(err) = saved {
                tracing::warn!(error = %err, "could not record how the analysis ended");
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
        // Forgotten by the supervisor once ended: a finished session has nothing to restart.
        let root = self.args.root.clone();
        let path = self.args.path.clone();
        tokio::spawn(async move {
            if let Err(err) = root.terminate_child(&path).await {
                tracing::debug!(error = %err, path, "the ended analysis was already gone");
            }
        });
    }

    async fn cancel(&mut self) {
        if self.ended {
            return;
        }
        for (engine, part) in &self.parts {
            if part.is_some() {
                continue;
            }
            let path = format!("{}/{}", self.args.engines_path, engine.name());
            if let Ok(handle) = self.args.root.lookup(&path).await {
                let _ = handle.send(EngineMsg::Cancel {
                    job: job_id(&self.args.id, *engine),
                });
            }
        }
        self.end("cancelled", Some("cancelled by request".into()))
            .await;
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
        let span =
            tracing::info_span!("analysis", topic = %state.topic(), actor = %state.args.path);
        let _enter = span.enter();
        match message {
            AnalysisMsg::Begin => state.begin(&myself).await,
            AnalysisMsg::EngineDone { engine, outcome } => {
                if !state.ended {
                    state.engine_done(engine, outcome).await
                }
            }
            AnalysisMsg::Cancel { done } => {
                state.cancel().await;
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
        }
        Ok(())
    }
}
