//! The supervisor actor: one message enum, one handler per message, restart by strategy.
//!
//! Layout, in the order OTP's `supervisor.erl` keeps it:
//! - this file: the messages, the actor (`pre_start` starts the children in order, `post_stop`
//!   stops them in reverse), and the entry points [`start_root`] and [`start_nested`];
//! - [`child`]: one child's record and the one function that changes its state;
//! - [`restart`]: what happens when a child exits or fails to start: restart type × exit, then
//!   strategy, intensity, backoff, meltdown;
//! - [`command`]: requests routed by path: operator commands, lookups, snapshots;
//! - [`shutdown`]: the stop protocol for one child (kill, or graceful with a timeout then kill).
//!
//! Concurrency: all of a supervisor's state lives in its actor and is changed only by its own
//! handlers, one message at a time, so there is no lock. Starts and graceful stops are awaited
//! inside the handler (as OTP's `start_link` and `shutdown/2` are); backoff waits are not: they
//! are timers that send [`SupervisorMsg::Retry`] back, so requests are served meanwhile.

mod child;
mod command;
mod restart;
mod shutdown;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use ractor::{
    Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent,
};
use tokio::sync::watch;
use tokio::time::Instant;

use child::Child;
pub use child::{ChildHandle, SendError, TreeHandles};
pub(crate) use command::Command;

use crate::error::{StartError, SupervisorError, SupervisorExit};
use crate::intensity::RestartWindow;
use crate::observer::{Happening, LifecycleEvent, Observer};
use crate::spec::{ChildContext, Strategy, SupervisorSpec};
use crate::tree::NodeSnapshot;

/// What a supervisor handles besides ractor's supervision events.
pub(crate) enum SupervisorMsg {
    /// A request for the node at `path`, relative to this supervisor (empty: itself).
    Route { path: Vec<String>, request: Request },
    /// A backoff timer fired for child `seq`; stale if its generation moved on.
    Retry { seq: u64, generation: u64 },
}

/// A request with its reply port.
pub(crate) enum Request {
    Command {
        command: Command,
        reply: RpcReplyPort<Result<(), SupervisorError>>,
    },
    Snapshot {
        reply: RpcReplyPort<Result<NodeSnapshot, SupervisorError>>,
    },
    Lookup {
        reply: RpcReplyPort<Result<ChildHandle, SupervisorError>>,
    },
}

impl Request {
    /// Answers with `err`, whatever the request was.
    fn refuse(self, err: SupervisorError) {
        // A caller that stopped waiting is no concern of ours.
        match self {
            Request::Command { reply, .. } => {
                let _ = reply.send(Err(err));
            }
            Request::Snapshot { reply } => {
                let _ = reply.send(Err(err));
            }
            Request::Lookup { reply } => {
                let _ = reply.send(Err(err));
            }
        }
    }
}

/// The actor type; all state is in [`State`].
pub(crate) struct Supervisor;

/// What a supervisor is started with.
pub(crate) struct SupervisorArgs {
    pub(crate) path: Arc<str>,
    pub(crate) spec: Arc<SupervisorSpec>,
    pub(crate) observer: Arc<dyn Observer>,
    /// Set for a root, which has no parent to learn how it ended.
    pub(crate) exit: Option<Arc<watch::Sender<Option<SupervisorExit>>>>,
    /// The tree's handles by path.
    pub(crate) handles: TreeHandles,
}

/// A supervisor's whole state.
pub(crate) struct State {
    path: Arc<str>,
    strategy: Strategy,
    dynamic: bool,
    max_children: Option<usize>,
    observer: Arc<dyn Observer>,
    window: RestartWindow,
    /// Children by start sequence: iteration order is start order, reversed for shutdown.
    children: BTreeMap<u64, Child>,
    by_id: HashMap<Arc<str>, u64>,
    /// The current incarnations, to route supervision events; an event from an actor not here
    /// is from an incarnation we stopped ourselves, and is ignored.
    by_actor: HashMap<ActorId, u64>,
    next_seq: u64,
    rng: fastrand::Rng,
    started_at: Instant,
    exit: Option<Arc<watch::Sender<Option<SupervisorExit>>>>,
    handles: TreeHandles,
}

/// A failure that exceeded the restart intensity: the supervisor must escalate.
pub(crate) struct Meltdown {
    reason: String,
}

impl State {
    fn report(&self, path: &str, happening: Happening<'_>) {
        self.observer.on_event(&LifecycleEvent { path, happening });
    }

    fn child_path(&self, id: &str) -> Arc<str> {
        Arc::from(format!("{}/{}", self.path, id))
    }

    /// Stops every child in reverse start order and tells the world how this supervisor ended.
    async fn stop_all_children(&mut self) {
        let seqs: Vec<u64> = self.children.keys().rev().copied().collect();
        for seq in seqs {
            self.stop_child(seq).await;
        }
    }

    fn set_exit(&self, exit: SupervisorExit) {
        if let Some(sender) = &self.exit {
            sender.send_if_modified(|current| {
                if current.is_none() {
                    *current = Some(exit);
                    true
                } else {
                    false
                }
            });
        }
    }

    /// Escalates: stops all children, reports, and returns the error that fails this actor.
    async fn meltdown(&mut self, meltdown: Meltdown) -> ActorProcessingErr {
        self.report(
            &self.path.clone(),
            Happening::Meltdown {
                reason: &meltdown.reason,
            },
        );
        self.stop_all_children().await;
        self.set_exit(SupervisorExit::Meltdown {
            path: self.path.to_string(),
            reason: meltdown.reason.clone(),
        });
        format!(
            "meltdown: restart intensity exceeded; last failure: {}",
            meltdown.reason
        )
        .into()
    }
}

impl Actor for Supervisor {
    type Msg = SupervisorMsg;
    type State = State;
    type Arguments = SupervisorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: SupervisorArgs,
    ) -> Result<State, ActorProcessingErr> {
        let spec = &args.spec;
        let mut state = State {
            path: args.path,
            strategy: spec.strategy,
            dynamic: spec.dynamic,
            max_children: spec.max_children,
            observer: args.observer,
            window: RestartWindow::new(spec.intensity),
            children: BTreeMap::new(),
            by_id: HashMap::new(),
            by_actor: HashMap::new(),
            next_seq: 0,
            rng: fastrand::Rng::new(),
            started_at: Instant::now(),
            exit: args.exit,
            handles: args.handles,
        };
        for child_spec in &spec.children {
            state.insert_child(child_spec.clone());
        }
        let cell = myself.get_cell();
        if let Err(meltdown) = state.start_initial_children(&cell).await {
            return Err(state.meltdown(meltdown).await);
        }
        Ok(state)
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut State,
    ) -> Result<(), ActorProcessingErr> {
        state.stop_all_children().await;
        state.set_exit(SupervisorExit::Shutdown(state.path.to_string()));
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: SupervisorMsg,
        state: &mut State,
    ) -> Result<(), ActorProcessingErr> {
        let cell = myself.get_cell();
        let outcome = match message {
            SupervisorMsg::Route { path, request } => state.route(&cell, path, request).await,
            SupervisorMsg::Retry { seq, generation } => state.retry(&cell, seq, generation).await,
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(meltdown) => Err(state.meltdown(meltdown).await),
        }
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        state: &mut State,
    ) -> Result<(), ActorProcessingErr> {
        let cell = myself.get_cell();
        let outcome = match event {
            SupervisionEvent::ActorTerminated(actor, _, reason) => {
                state
                    .child_exited(
                        &cell,
                        actor.get_id(),
                        restart::Exit::from_stop_reason(reason),
                    )
                    .await
            }
            SupervisionEvent::ActorFailed(actor, err) => {
                state
                    .child_exited(
                        &cell,
                        actor.get_id(),
                        restart::Exit::Abnormal(err.to_string()),
                    )
                    .await
            }
            _ => Ok(()),
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(meltdown) => Err(state.meltdown(meltdown).await),
        }
    }
}

/// Spawns a root supervisor (linked to nothing) and waits until its children have started.
pub(crate) async fn start_root(
    name: Arc<str>,
    spec: Arc<SupervisorSpec>,
    exit: Arc<watch::Sender<Option<SupervisorExit>>>,
    handles: TreeHandles,
) -> Result<(ActorRef<SupervisorMsg>, ractor::concurrency::JoinHandle<()>), StartError> {
    let observer = spec
        .observer
        .clone()
        .unwrap_or_else(|| Arc::new(crate::observer::NoopObserver));
    let args = SupervisorArgs {
        path: name,
        spec,
        observer,
        exit: Some(exit),
        handles,
    };
    Actor::spawn(None, Supervisor, args)
        .await
        .map_err(|err| StartError::Spawn(err.to_string()))
}

/// The start function of a [`crate::ChildSpec::supervisor`] child.
pub(crate) async fn start_nested(
    ctx: ChildContext,
    spec: Arc<SupervisorSpec>,
) -> Result<ActorCell, StartError> {
    let observer = spec
        .observer
        .clone()
        .or_else(|| ctx.observer().cloned())
        .unwrap_or_else(|| Arc::new(crate::observer::NoopObserver));
    let args = SupervisorArgs {
        path: Arc::from(ctx.path()),
        spec,
        observer,
        exit: None,
        handles: ctx.handles().cloned().unwrap_or_default(),
    };
    ctx.spawn(Supervisor, args).await
}
