//! An analysis session (`root/analyses/<id>`, temporary): gives the three engines a research
//! job each for the query, waits for them in parallel with a timeout per engine, and records
//! and announces what came back. Progress and results go out on `analysis/<id>`; the record
//! (with each engine's report and the forum discussion beside it) stays in the database.
//!
//! A session runs once: it stops itself when it ends, and its supervisor forgets it. However
//! it stops before that (an operator, a branch restart, a panic, shutdown), the engines' jobs
//! are cancelled and the record ends `failed`, so nothing is left `running`.
//!
//! Before the engines start, the session gathers the analysis's evidence set and stores it
//! (every report of the analysis is written from it); when they are done it queues the
//! analysis's report (`REPORT_AUTO`) and links it in the result.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use supervision::ChildHandle;
use tokio::sync::oneshot;
use tracing::Instrument;

use super::event::SessionEvent;
use super::outcome::{AnalysisResult, Ending, EnginePart, NoReport, PartStatus};
use super::records::SessionRecords;
use super::{AnalysisId, AnalysisStatus};
use crate::engines::{EngineHandles, EngineKind, EngineMsg, Job, JobOutcome};
use crate::evidence::Evidence;
use crate::forum::actor::ForumMsg;
use events::Topic;

/// Why a session that stopped before it ended is recorded failed.
const STOPPED: &str = "the analysis session stopped before it finished";

pub struct SessionArgs {
    pub id: AnalysisId,
    pub query: String,
    pub records: SessionRecords,
    /// The engines, given a job each.
    pub engines: EngineHandles,
    /// The forum, told when the session ends.
    pub forum: ChildHandle,
    /// Where this session is, for spans.
    pub path: String,
    /// How long each engine may take.
    pub engine_timeout: Duration,
    /// Its place among the running analyses, held as long as the actor lives.
    pub slot: super::RunningSlot,
    /// Gathering the evidence first and queuing the report at the end (none: neither).
    pub reporting: Option<super::Reporting>,
}

pub enum SessionMsg {
    /// Gather the evidence (first thing after start).
    Begin,
    /// The evidence is gathered (or not): send the engines their jobs.
    Evidence(Option<Arc<Evidence>>),
    /// An engine answered, or did not in time.
    EngineDone {
        engine: EngineKind,
        outcome: Result<Box<JobOutcome>, NoReport>,
    },
    /// Stop the engines' jobs and end as cancelled; `done` is told once that is recorded.
    Cancel { done: Option<oneshot::Sender<()>> },
}

pub struct SessionState {
    args: SessionArgs,
    /// Each engine's part, `None` until it answered.
    parts: BTreeMap<EngineKind, Option<EnginePart>>,
    /// The engines that took a job, to cancel it through.
    asked: BTreeSet<EngineKind>,
    ended: bool,
    /// The evidence set, once gathered and stored: each engine's job carries it, so their
    /// reports state the figures the final report (reading the stored set) states.
    evidence: Option<Arc<Evidence>>,
    /// The evidence being gathered, aborted if the session ends first.
    gathering: Option<tokio::task::AbortHandle>,
    /// The report task queued at the end.
    report: Option<super::ReportLink>,
}

pub struct SessionActor;

/// Gathers and stores the evidence set; `None` (logged) when either fails.
async fn gather(
    gatherer: crate::evidence::Gatherer,
    query: &str,
    id: &AnalysisId,
) -> Option<Arc<Evidence>> {
    let db = gatherer.db.clone();
    let gathered = match gatherer.gather(query).await {
        Ok(gathered) => gathered,
        Err(err) => {
            tracing::warn!(error = %err, "could not gather the analysis's evidence; its report will gather it");
            return None;
        }
    };
    // An unstored set is not handed to the engines either: the report would gather its own,
    // and the engines' figures would disagree with it.
    if let Err(err) = crate::evidence::store(&db, id.as_str(), &gathered).await {
        tracing::warn!(error = %err, "could not store the analysis's evidence; its report will gather it");
        return None;
    }
    tracing::info!(items = gathered.stats.total, "evidence gathered");
    Some(Arc::new(gathered))
}

fn job_id(analysis: &AnalysisId, engine: EngineKind) -> String {
    format!("{analysis}/{}", engine.name())
}

impl SessionState {
    fn publish(&self, event: SessionEvent) {
        event.publish(self.args.records.bus(), &self.args.id);
    }

    /// Starts gathering the evidence set every report of the analysis is written from, in a
    /// task of its own (bounded by [`super::GATHER_TIMEOUT`], aborted by a cancel), which
    /// tells the session when it is done; without reporting, the engines start at once.
    fn gather_evidence(&mut self, myself: &ActorRef<SessionMsg>) {
        let Some(reporting) = &self.args.reporting else {
            let _ = myself.send_message(SessionMsg::Evidence(None));
            return;
        };
        let gatherer = (reporting.gatherer)();
        let (query, id, me) = (
            self.args.query.clone(),
            self.args.id.clone(),
            myself.clone(),
        );
        let task = tokio::spawn(
            async move {
                let gathered = tokio::time::timeout(super::GATHER_TIMEOUT, gather(gatherer, &query, &id)).await;
                let evidence = gathered.unwrap_or_else(|_| {
                    tracing::warn!(within = ?super::GATHER_TIMEOUT, "the evidence was not gathered in time; the engines go on without it");
                    None
                });
                let _ = me.send_message(SessionMsg::Evidence(evidence));
            }
            .in_current_span(),
        );
        self.gathering = Some(task.abort_handle());
    }

    /// What the evidence set holds, for the result.
    fn evidence_summary(&self) -> Option<super::EvidenceSummary> {
        self.evidence.as_deref().map(|gathered| {
            let kinds = gathered.stats.kinds;
            super::EvidenceSummary {
                items: gathered.stats.total,
                posts: kinds.posts,
                comments: kinds.comments,
                news: kinds.news,
                web: kinds.web,
            }
        })
    }

    /// Queues the analysis's report, when configured and there is something to report on.
    async fn queue_report(&mut self, status: AnalysisStatus) {
        let Some(reporting) = &self.args.reporting else {
            return;
        };
        let found = self.evidence.as_ref().is_some_and(|e| e.stats.total > 0);
        if !(reporting.auto)()
            || !found
            || !matches!(status, AnalysisStatus::Done | AnalysisStatus::Partial)
        {
            return;
        }
        let ask = crate::reports::GenerateRequest {
            analysis_id: Some(self.args.id.to_string()),
            ..Default::default()
        };
        match reporting.reports.generate(ask).await {
            Ok(task) => {
                self.report = Some(super::ReportLink {
                    url: task.progress_url.clone(),
                    stream: task.stream.clone(),
                    task_id: task.task.id,
                });
            }
            Err(err) => tracing::warn!(error = %err, "could not queue the analysis's report"),
        }
    }

    fn begin(&mut self, myself: &ActorRef<SessionMsg>) {
        self.publish(SessionEvent::Started {
            id: self.args.id.clone(),
            query: self.args.query.clone(),
            engines: EngineKind::ALL,
        });
        self.gather_evidence(myself);
    }

    /// Gives each engine its job, with the evidence (if gathered).
    fn send_jobs(&mut self, myself: &ActorRef<SessionMsg>, evidence: Option<Arc<Evidence>>) {
        self.gathering = None;
        self.evidence = evidence;
        for engine in EngineKind::ALL {
            let (reply, answer) = oneshot::channel();
            let job = Job {
                id: job_id(&self.args.id, engine),
                query: self.args.query.clone(),
                analysis_id: Some(self.args.id.clone()),
                evidence: self.evidence.clone(),
                reply: Some(reply),
            };
            let handle = self.args.engines.get(engine).clone();
            if let Err(err) = handle.send(EngineMsg::Run(job)) {
                let _ = myself.send_message(SessionMsg::EngineDone {
                    engine,
                    outcome: Err(NoReport::Unreachable(err.to_string())),
                });
                continue;
            }
            self.asked.insert(engine);
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
                let _ = me.send_message(SessionMsg::EngineDone { engine, outcome });
            });
        }
    }

    async fn engine_done(
        &mut self,
        myself: &ActorRef<SessionMsg>,
        engine: EngineKind,
        outcome: Result<Box<JobOutcome>, NoReport>,
    ) {
        let part = match outcome {
            Ok(outcome) => EnginePart::answered(*outcome),
            Err(why) => EnginePart::no_report(why),
        };
        tracing::info!(
            engine = engine.name(),
            status = ?part.status,
            "engine finished its part"
        );
        if !part.fallbacks.is_empty() {
            tracing::warn!(
                engine = engine.name(),
                steps = part.fallbacks.len(),
                "the LLM could not do every step; built-in analysis stood in"
            );
        }
        self.publish(SessionEvent::EngineDone {
            engine,
            part: part.clone(),
        });
        self.parts.insert(engine, Some(part));
        if self.parts.values().all(Option::is_some) {
            let done = self
                .parts
                .values()
                .flatten()
                .filter(|p| p.status == PartStatus::Done)
                .count();
            let status = match done {
                0 => AnalysisStatus::Failed,
                n if n == EngineKind::ALL.len() => AnalysisStatus::Done,
                _ => AnalysisStatus::Partial,
            };
            let error = (status != AnalysisStatus::Done).then(|| self.errors());
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

    /// What the session came to, the engines that had not answered counted as `unanswered`.
    fn result(&self, unanswered: PartStatus) -> AnalysisResult {
        AnalysisResult {
            engines: self
                .parts
                .iter()
                .map(|(k, p)| {
                    let part = p
                        .clone()
                        .unwrap_or_else(|| EnginePart::unanswered(unanswered, None));
                    (*k, part)
                })
                .collect(),
            evidence: self.evidence_summary(),
            report: self.report.clone(),
        }
    }

    async fn end(
        &mut self,
        myself: &ActorRef<SessionMsg>,
        status: AnalysisStatus,
        error: Option<String>,
    ) {
        if self.ended {
            return;
        }
        self.ended = true;
        let unanswered = match status {
            AnalysisStatus::Cancelled => PartStatus::Cancelled,
            _ => PartStatus::Failed,
        };
        self.queue_report(status).await;
        let ending = Ending {
            status,
            error,
            result: self.result(unanswered),
        };
        match self.args.records.record_end(&self.args.id, &ending).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!("the analysis had already ended in the database"),
            Err(err) => tracing::warn!(error = %err, "could not record how the analysis ended"),
        }
        tracing::info!(status = %status, "analysis ended");
        self.args.records.announce_end(&self.args.id, &ending);
        self.tell_forum();
        // A session runs once; its supervisor forgets it when it stops (it is temporary).
        myself.stop(None);
    }

    /// Tells the forum the session is over, so its host can close the last round.
    fn tell_forum(&self) {
        let session = self.args.id.to_string();
        if let Err(err) = self.args.forum.send(ForumMsg::SessionEnded { session }) {
            tracing::debug!(error = %err, "the forum is not running to close the session's round");
        }
    }

    /// Cancels the jobs of engines that have not answered.
    fn cancel_jobs(&self) {
        if let Some(gathering) = &self.gathering {
            gathering.abort();
        }
        for engine in &self.asked {
            if self.parts.get(engine).is_some_and(Option::is_none) {
                let job = job_id(&self.args.id, *engine);
                if let Err(err) = self
                    .args
                    .engines
                    .get(*engine)
                    .send(EngineMsg::Cancel { job })
                {
                    tracing::warn!(engine = engine.name(), error = %err, "could not cancel the engine's job");
                }
            }
        }
    }

    async fn cancel(&mut self, myself: &ActorRef<SessionMsg>) {
        if self.ended {
            return;
        }
        self.cancel_jobs();
        self.end(
            myself,
            AnalysisStatus::Cancelled,
            Some("cancelled by request".into()),
        )
        .await;
    }
}

impl Drop for SessionState {
    // Stopped before it ended (an operator, a restart of `analyses`, a panic, shutdown): the
    // jobs are cancelled and the record says the session failed, rather than `running` forever.
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        self.cancel_jobs();
        let ending = Ending {
            status: AnalysisStatus::Failed,
            error: Some(STOPPED.to_owned()),
            result: self.result(PartStatus::Failed),
        };
        self.args.records.announce_end(&self.args.id, &ending);
        self.tell_forum();
        // Drop cannot await: the record is written by a task (if a runtime is still there; if
        // not, the overdue sweep records it once past its deadline).
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (records, id) = (self.args.records.clone(), self.args.id.clone());
            runtime.spawn(async move {
                if let Err(err) = records.record_end(&id, &ending).await {
                    tracing::warn!(error = %err, analysis = %id, "could not record the stopped analysis");
                }
            });
        }
    }
}

impl Actor for SessionActor {
    type Msg = SessionMsg;
    type State = SessionState;
    type Arguments = SessionArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<SessionMsg>,
        args: SessionArgs,
    ) -> Result<SessionState, ActorProcessingErr> {
        myself.send_message(SessionMsg::Begin)?;
        Ok(SessionState {
            parts: EngineKind::ALL.into_iter().map(|k| (k, None)).collect(),
            asked: BTreeSet::new(),
            args,
            ended: false,
            evidence: None,
            gathering: None,
            report: None,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<SessionMsg>,
        message: SessionMsg,
        state: &mut SessionState,
    ) -> Result<(), ActorProcessingErr> {
        // Instrumented, not entered: the handler awaits, and an entered span would follow the
        // thread rather than this work.
        let span = tracing::info_span!(
            "analysis",
            topic = %Topic::analysis(&state.args.id),
            actor = %state.args.path
        );
        async {
            match message {
                SessionMsg::Begin => state.begin(&myself),
                SessionMsg::Evidence(evidence) => {
                    if !state.ended {
                        state.send_jobs(&myself, evidence);
                    }
                }
                SessionMsg::EngineDone { engine, outcome } => {
                    if !state.ended {
                        state.engine_done(&myself, engine, outcome).await
                    }
                }
                SessionMsg::Cancel { done } => {
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
