//! What happens when a child ends or fails to start: OTP's `do_restart` (restart type × exit)
//! followed by `restart/3` (strategy), with intensity counted and backoff applied.
//!
//! Starting is ordered: [`State::start_pending_from`] starts waiting children in start order and
//! stops at the first that fails or still waits out a backoff, so under one_for_all and
//! rest_for_one a child never runs before the siblings it comes after.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ractor::{ActorCell, ActorId, ActorRef};
use tokio::time::Instant;
use tracing::Instrument;

use super::child::{Child, Slot};
use super::{Meltdown, State, SupervisorMsg};
use crate::observer::Happening;
use crate::spec::{ChildContext, ChildSpec, Restart, Strategy};
use crate::tree::FailureRecord;

/// How an incarnation ended, in OTP's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Exit {
    /// `normal`, `shutdown`, `shutdown:…`, or no reason: transient children stay stopped.
    Normal,
    /// Anything else: a panic, a handler's `Err`, being killed, another stop reason.
    Abnormal(String),
}

impl Exit {
    pub(crate) fn from_stop_reason(reason: Option<String>) -> Self {
        match reason {
            None => Exit::Normal,
            Some(r) if r == "normal" || r == "shutdown" || r.starts_with("shutdown:") => {
                Exit::Normal
            }
            Some(r) => Exit::Abnormal(r),
        }
    }
}

/// When a backoff of `delay` ends; validation caps delays at a day, so this cannot overflow in
/// practice, and saturates if it ever would.
fn deadline(delay: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(delay).unwrap_or(now)
}

fn failure(reason: &str) -> FailureRecord {
    FailureRecord {
        reason: reason.to_owned(),
        at: SystemTime::now(),
    }
}

impl State {
    /// Adds a child at the end of the start order, waiting to be started.
    pub(super) fn insert_child(&mut self, spec: ChildSpec) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let path = self.child_path(&spec.id);
        self.by_id.insert(Arc::clone(&spec.id), seq);
        self.children
            .insert(seq, Child::new(spec, path, &self.handles));
        seq
    }

    /// Forgets a child entirely.
    pub(super) fn remove_child(&mut self, seq: u64) {
        if let Some(child) = self.children.remove(&seq) {
            self.by_id.remove(&child.spec.id);
            if let Some(cell) = child.running_cell() {
                self.by_actor.remove(&cell.get_id());
            }
            self.report(&child.path, Happening::Removed);
        }
    }

    /// Runs the child's start function once. On success the child is running; on failure its
    /// state is left as it was and the reason returned.
    pub(super) async fn start_child(&mut self, myself: &ActorCell, seq: u64) -> Result<(), String> {
        let Some(child) = self.children.get(&seq) else {
            return Err("child vanished".into());
        };
        let start = Arc::clone(&child.spec.start);
        let path = Arc::clone(&child.path);
        let ctx = ChildContext::new(
            myself.clone(),
            Arc::clone(&path),
            Some(self.observer.clone()),
            Some(self.handles.clone()),
        );
        let span = tracing::debug_span!("actor_start", path = %path);
        let started = start(ctx).instrument(span).await;
        let Some(child) = self.children.get_mut(&seq) else {
            return Err("child vanished".into());
        };
        match started {
            Ok(cell) => {
                let now = Instant::now();
                let restart = child.started_once;
                if restart {
                    child.restarts += 1;
                }
                child.started_once = true;
                let since_exit = child
                    .ended_at
                    .take()
                    .map(|t| now.saturating_duration_since(t));
                self.by_actor.insert(cell.get_id(), seq);
                child.set_slot(Slot::Running { cell, since: now });
                let path = Arc::clone(&child.path);
                self.report(
                    &path,
                    Happening::Started {
                        restart,
                        since_exit: if restart { since_exit } else { None },
                    },
                );
                Ok(())
            }
            Err(err) => Err(err.to_string()),
        }
    }

    /// The supervisor's own start: every child in order. Under one_for_one a child that fails
    /// to start backs off while the others go on; under the other strategies the children
    /// after it wait for it.
    pub(super) async fn start_initial_children(
        &mut self,
        myself: &ActorCell,
    ) -> Result<(), Meltdown> {
        let seqs: Vec<u64> = self.children.keys().copied().collect();
        for seq in seqs {
            if let Err(reason) = self.start_child(myself, seq).await {
                let go_on = self.start_failed(myself, seq, &reason)?;
                if !go_on && self.strategy != Strategy::OneForOne {
                    break;
                }
            }
        }
        Ok(())
    }

    /// A supervision event for one of our actors.
    pub(super) async fn child_exited(
        &mut self,
        myself: &ActorCell,
        actor: ActorId,
        exit: Exit,
    ) -> Result<(), Meltdown> {
        let Some(seq) = self.by_actor.remove(&actor) else {
            // An incarnation we stopped ourselves, or not ours.
            return Ok(());
        };
        let Some(child) = self.children.get_mut(&seq) else {
            return Ok(());
        };
        let now = Instant::now();
        let ran_for = match child.slot() {
            Slot::Running { since, .. } => now.saturating_duration_since(*since),
            _ => Duration::ZERO,
        };
        child.set_slot(Slot::Stopped);
        child.ended_at = Some(now);
        let path = Arc::clone(&child.path);
        let restart_type = child.spec.restart;
        match &exit {
            Exit::Normal => self.report(&path, Happening::Exited),
            Exit::Abnormal(reason) => {
                if let Some(child) = self.children.get_mut(&seq) {
                    child.last_failure = Some(failure(reason));
                }
                self.report(&path, Happening::Failed { reason });
            }
        }
        match (restart_type, &exit) {
            (Restart::Temporary, _) => {
                self.remove_child(seq);
                return Ok(());
            }
            (Restart::Transient, Exit::Normal) => {
                if self.dynamic {
                    self.remove_child(seq);
                }
                return Ok(());
            }
            _ => {}
        }
        let reason = match &exit {
            Exit::Normal => "exited normally (permanent child)".to_owned(),
            Exit::Abnormal(reason) => reason.clone(),
        };
        if let Some(child) = self.children.get_mut(&seq) {
            let policy = child.spec.backoff;
            child.backoff.note_run(&policy, ran_for);
        }
        self.restart_after_failure(myself, seq, &reason).await
    }

    /// Counts the restart, picks the backoff delay, stops the siblings the strategy names and
    /// starts the group again (now, or when the delay is over).
    async fn restart_after_failure(
        &mut self,
        myself: &ActorCell,
        seq: u64,
        reason: &str,
    ) -> Result<(), Meltdown> {
        if self.window.record(Instant::now()).is_err() {
            return Err(Meltdown {
                reason: reason.to_owned(),
            });
        }
        let Some(child) = self.children.get_mut(&seq) else {
            return Ok(());
        };
        let policy = child.spec.backoff;
        let delay = child.backoff.next_delay(&policy, &mut self.rng);
        let attempt = child.backoff.attempt();
        let path = Arc::clone(&child.path);
        self.report(&path, Happening::Restarting { delay, attempt });

        let group: Vec<u64> = match self.strategy {
            Strategy::OneForOne => vec![seq],
            Strategy::OneForAll => self.children.keys().copied().collect(),
            Strategy::RestForOne => self.children.range(seq..).map(|(s, _)| *s).collect(),
        };
        for &sibling in group.iter().rev().filter(|&&s| s != seq) {
            self.take_down_for_group(sibling).await;
        }
        self.wait_then_start(myself, seq, delay);
        if let Some(&first) = group.iter().find(|&&s| {
            self.children
                .get(&s)
                .is_some_and(|c| matches!(c.slot(), Slot::Pending | Slot::BackingOff { .. }))
        }) {
            self.start_pending_from(myself, first).await?;
        }
        Ok(())
    }

    /// A sibling caught in a group restart: stopped and made to wait, except that temporary
    /// children are stopped and forgotten and stopped children stay stopped.
    async fn take_down_for_group(&mut self, seq: u64) {
        let Some(child) = self.children.get(&seq) else {
            return;
        };
        let temporary = child.spec.restart == Restart::Temporary;
        match child.slot() {
            Slot::Stopped | Slot::Failed => return,
            Slot::Running { .. } => self.stop_child(seq).await,
            // A sibling waiting out its own backoff keeps waiting: a group restart must not
            // let a crash-looping child skip its delay. The group's start stops at it.
            Slot::BackingOff { .. } if !temporary => return,
            Slot::BackingOff { .. } | Slot::Pending => {}
        }
        if temporary {
            self.remove_child(seq);
        } else if let Some(child) = self.children.get_mut(&seq) {
            child.set_slot(Slot::Pending);
        }
    }

    /// Puts a child into backoff for `delay`; a zero delay means waiting in line (`Pending`).
    fn wait_then_start(&mut self, myself: &ActorCell, seq: u64, delay: Duration) {
        let Some(child) = self.children.get_mut(&seq) else {
            return;
        };
        if delay.is_zero() {
            child.set_slot(Slot::Pending);
            return;
        }
        let generation = child.set_slot(Slot::BackingOff {
            until: deadline(delay),
        });
        let me: ActorRef<SupervisorMsg> = myself.clone().into();
        child.set_timer(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            // The supervisor may be gone; then so is the need to retry.
            let _ = me.send_message(SupervisorMsg::Retry { seq, generation });
        }));
    }

    /// A start function failed. Returns whether the caller may go on starting later siblings
    /// (only when the child was temporary and has been forgotten).
    pub(super) fn start_failed(
        &mut self,
        myself: &ActorCell,
        seq: u64,
        reason: &str,
    ) -> Result<bool, Meltdown> {
        let Some(child) = self.children.get_mut(&seq) else {
            return Ok(true);
        };
        child.last_failure = Some(failure(reason));
        child.ended_at.get_or_insert_with(Instant::now);
        let path = Arc::clone(&child.path);
        let temporary = child.spec.restart == Restart::Temporary;
        self.report(&path, Happening::Failed { reason });
        if temporary {
            self.remove_child(seq);
            return Ok(true);
        }
        if self.window.record(Instant::now()).is_err() {
            return Err(Meltdown {
                reason: reason.to_owned(),
            });
        }
        let Some(child) = self.children.get_mut(&seq) else {
            return Ok(true);
        };
        let policy = child.spec.backoff;
        let delay = child.backoff.next_delay(&policy, &mut self.rng);
        let attempt = child.backoff.attempt();
        self.report(&path, Happening::Restarting { delay, attempt });
        // Even with no delay the retry goes through the mailbox, so that requests (a shutdown,
        // an operator's stop) are served between attempts, as OTP's try_again_restart does.
        let Some(child) = self.children.get_mut(&seq) else {
            return Ok(true);
        };
        let generation = child.set_slot(Slot::BackingOff {
            until: deadline(delay),
        });
        let me: ActorRef<SupervisorMsg> = myself.clone().into();
        if delay.is_zero() {
            let _ = me.send_message(SupervisorMsg::Retry { seq, generation });
        } else {
            child.set_timer(tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let _ = me.send_message(SupervisorMsg::Retry { seq, generation });
            }));
        }
        Ok(false)
    }

    /// Starts waiting children from `from` on, in start order, until one fails or is still
    /// backing off. Under one_for_one only `from` itself.
    pub(super) async fn start_pending_from(
        &mut self,
        myself: &ActorCell,
        from: u64,
    ) -> Result<(), Meltdown> {
        let seqs: Vec<u64> = match self.strategy {
            Strategy::OneForOne => vec![from],
            _ => self.children.range(from..).map(|(s, _)| *s).collect(),
        };
        for seq in seqs {
            let Some(child) = self.children.get(&seq) else {
                continue;
            };
            match child.slot() {
                Slot::Pending => {
                    if let Err(reason) = self.start_child(myself, seq).await {
                        if !self.start_failed(myself, seq, &reason)? {
                            break;
                        }
                    }
                }
                Slot::BackingOff { .. } => break,
                Slot::Running { .. } | Slot::Stopped | Slot::Failed => {}
            }
        }
        Ok(())
    }

    /// After an operator took a child out of line (stopped it, or its start failed), the
    /// children waiting behind it under one_for_all or rest_for_one would wait for ever: start
    /// the first waiting one, unless a child before it is still backing off (its timer goes on).
    pub(super) async fn resume_waiting(&mut self, myself: &ActorCell) -> Result<(), Meltdown> {
        if self.strategy == Strategy::OneForOne {
            return Ok(());
        }
        let first = self
            .children
            .iter()
            .find_map(|(seq, child)| match child.slot() {
                Slot::Pending => Some(Some(*seq)),
                Slot::BackingOff { .. } => Some(None),
                _ => None,
            })
            .flatten();
        match first {
            Some(seq) => self.start_pending_from(myself, seq).await,
            None => Ok(()),
        }
    }

    /// A backoff timer fired.
    pub(super) async fn retry(
        &mut self,
        myself: &ActorCell,
        seq: u64,
        generation: u64,
    ) -> Result<(), Meltdown> {
        let Some(child) = self.children.get_mut(&seq) else {
            return Ok(());
        };
        if child.generation() != generation || !matches!(child.slot(), Slot::BackingOff { .. }) {
            return Ok(());
        }
        child.set_slot(Slot::Pending);
        self.start_pending_from(myself, seq).await
    }

    /// Stops a running child by its shutdown policy and marks it stopped; no-op otherwise.
    pub(super) async fn stop_child(&mut self, seq: u64) {
        let Some(child) = self.children.get_mut(&seq) else {
            return;
        };
        let Some(cell) = child.running_cell().cloned() else {
            if matches!(child.slot(), Slot::BackingOff { .. } | Slot::Pending) {
                child.set_slot(Slot::Stopped);
                let path = Arc::clone(&child.path);
                self.report(&path, Happening::Stopped);
            }
            return;
        };
        // Forget the incarnation first: its termination event must not look like a failure.
        self.by_actor.remove(&cell.get_id());
        child.set_slot(Slot::Stopped);
        child.ended_at = Some(Instant::now());
        let policy = child.spec.shutdown;
        let path = Arc::clone(&child.path);
        super::shutdown::shutdown(&cell, policy).await;
        self.report(&path, Happening::Stopped);
    }
}
