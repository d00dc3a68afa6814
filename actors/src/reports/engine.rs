//! The report engine (`root/engines/report`): takes tasks from the shared queue in the
//! database while this instance has room (`REPORT_MAX_RUNNING`), and starts each as an actor
//! under `root/reports`. It looks on a timer and whenever a task is queued here; tasks queued
//! by other instances, and tasks whose instance died (their lease expired), are found by the
//! timer. Tasks claimed too many times are recorded as failed, never left running.

use std::sync::atomic::AtomicU32;
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use storage::reports::Claimed;
use supervision::{ChildSpec, Restart};

use super::event::{Journal, ReportEvent};
use super::pipeline::TaskContext;
use super::task::{TaskActor, TaskArgs};
use super::{RootLink, RunningSlot, Slots};
use crate::tree::Branch;

/// What a task claimed too many times is recorded as having failed of.
pub const EXHAUSTED: &str =
    "abandoned: the instances that took this task stopped before finishing it, too many times";

/// The queue's settings, read when the engine starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSettings {
    /// How long a claim holds without renewal.
    pub lease: Duration,
    /// Claims of one task before it is recorded as failed.
    pub max_attempts: i64,
    /// How often the queue is looked at without a nudge.
    pub poll: Duration,
}

pub struct ReportEngineArgs {
    pub ctx: TaskContext,
    pub queue: QueueSettings,
    pub root: RootLink,
    pub slots: Slots,
    pub path: String,
}

pub enum ReportEngineMsg {
    /// Look at the queue now (a task was queued here, or a place was given back).
    Look,
    /// The timer: sweep the tasks claimed too many times, then look at the queue.
    Tick,
}

pub struct ReportEngine;

pub struct ReportEngineState {
    args: ReportEngineArgs,
    ticker: tokio::task::AbortHandle,
}

impl Drop for ReportEngineState {
    fn drop(&mut self) {
        self.ticker.abort();
    }
}

impl ReportEngineState {
    /// Records as failed the tasks claimed too many times: never left running.
    async fn sweep(&self) {
        let db = &self.args.ctx.db;
        let now = storage::clock::now_ms();
        match db
            .fail_exhausted_report_tasks(now, self.args.queue.max_attempts, EXHAUSTED)
            .await
        {
            Ok(ids) => {
                for id in ids {
                    tracing::warn!(task = %id, "a report task was abandoned too many times and is recorded as failed");
                    Journal::new(db.clone(), self.args.ctx.bus.clone(), id)
                        .record(ReportEvent::Error {
                            message: EXHAUSTED.to_owned(),
                        })
                        .await;
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not sweep the report queue"),
        }
    }

    /// Claims and starts tasks while this instance has room.
    async fn look(&mut self) {
        let Some(root) = self.args.root.get() else {
            return; // The tree is still starting.
        };
        let db = &self.args.ctx.db;
        let lease_ms = i64::try_from(self.args.queue.lease.as_millis()).unwrap_or(i64::MAX);
        loop {
            let Some(slot) = self.args.slots.take() else {
                return;
            };
            let claimed = db
                .claim_report_task(
                    &self.args.ctx.owner,
                    storage::clock::now_ms(),
                    lease_ms,
                    self.args.queue.max_attempts,
                )
                .await;
            let claimed = match claimed {
                Ok(Some(claimed)) => claimed,
                Ok(None) => return,
                Err(err) => {
                    tracing::warn!(error = %err, "could not claim a report task");
                    return;
                }
            };
            let id = claimed.task.id.clone();
            tracing::info!(task = %id, attempt = claimed.token, "claimed a report task");
            self.args.ctx.log.line(
                &id,
                &format!(
                    "claimed by {} (attempt {})",
                    self.args.ctx.owner, claimed.token
                ),
            );
            let spec = self.spec(claimed.clone(), slot.hold());
            let mut started = root.start_child(Branch::Reports.path(), spec).await;
            if let Err(supervision::SupervisorError::AlreadyExists(_)) = started {
                // An earlier claim's child is still in the tree (an operator stopped it, or its
                // restart failed): it is forgotten, and this claim runs in its place.
                let _ = root.terminate_child(&crate::tree::report_path(&id)).await;
                let Some(slot) = self.args.slots.take() else {
                    return;
                };
                let spec = self.spec(claimed, slot.hold());
                started = root.start_child(Branch::Reports.path(), spec).await;
            }
            if let Err(err) = started {
                // Its lease expires and it is claimed again (here or elsewhere).
                tracing::warn!(task = %id, error = %err, "could not start the report task");
                return;
            }
        }
    }

    fn spec(&self, claimed: Claimed, slot: RunningSlot) -> ChildSpec {
        let ctx = self.args.ctx.clone();
        let lease = self.args.queue.lease;
        let panics = Arc::new(AtomicU32::new(0));
        ChildSpec::worker(claimed.task.id.clone(), move |cx| {
            let args = TaskArgs {
                ctx: ctx.clone(),
                claimed: claimed.clone(),
                lease,
                path: cx.path().to_owned(),
                slot: slot.clone(),
                panics: Arc::clone(&panics),
            };
            async move { cx.spawn(TaskActor, args).await }
        })
        .restart(Restart::Transient)
    }
}

impl Actor for ReportEngine {
    type Msg = ReportEngineMsg;
    type State = ReportEngineState;
    type Arguments = ReportEngineArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<ReportEngineMsg>,
        args: ReportEngineArgs,
    ) -> Result<ReportEngineState, ActorProcessingErr> {
        let every = args.queue.poll.max(Duration::from_millis(50));
        let me = myself.clone();
        let slots = args.slots.clone();
        // The queue is looked at on the timer (tasks queued elsewhere, leases expired) and as
        // soon as a place is given back here.
        let ticker = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let message = tokio::select! {
                    _ = ticks.tick() => ReportEngineMsg::Tick,
                    () = slots.freed() => ReportEngineMsg::Look,
                };
                if me.send_message(message).is_err() {
                    return;
                }
            }
        })
        .abort_handle();
        Ok(ReportEngineState { args, ticker })
    }

    async fn handle(
        &self,
        _myself: ActorRef<ReportEngineMsg>,
        message: ReportEngineMsg,
        state: &mut ReportEngineState,
    ) -> Result<(), ActorProcessingErr> {
        // A root span: a nudge comes from whoever queued a task (an analysis session, whose
        // span names its topic), and ractor carries the sender's span into the handler; the
        // engine's work, and the tasks it starts, are not that analysis's events.
        let span = tracing::info_span!(parent: None, "report_engine", actor = %state.args.path);
        match message {
            ReportEngineMsg::Look => {
                tracing::Instrument::instrument(state.look(), span).await;
            }
            ReportEngineMsg::Tick => {
                let work = async {
                    state.sweep().await;
                    state.look().await;
                };
                tracing::Instrument::instrument(work, span).await;
            }
        }
        Ok(())
    }
}
