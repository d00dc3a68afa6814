//! Test fixtures: a worker actor whose exits and start failures a test controls, a probe that
//! records what happened to each worker, and an observer that records lifecycle events and lets
//! a test await one instead of sleeping.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use supervision::{
    ChildSpec, Happening, LifecycleEvent, NodeSnapshot, Observer, StartError, SupervisorRef,
};
use tokio::sync::Notify;
use tokio::time::Instant;

/// How a test makes a worker end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// `stop(None)`: a normal exit.
    Normal,
    /// `stop(Some("shutdown"))`: a normal exit in OTP's terms.
    Shutdown,
    /// A panic in a handler.
    Panic,
    /// `Err` returned from a handler.
    Error,
}

impl ExitKind {
    pub fn is_abnormal(self) -> bool {
        matches!(self, ExitKind::Panic | ExitKind::Error)
    }
}

pub enum WorkerMsg {
    Exit(ExitKind),
    /// Answers with the incarnation number (1 for the first start).
    Ping(RpcReplyPort<u64>),
}

#[derive(Default)]
struct ChildProbe {
    starts: u64,
    fail_next_starts: u32,
    stop_delay: Option<Duration>,
    start_times: Vec<Instant>,
    refs: Vec<ActorRef<WorkerMsg>>,
}

/// What happened to each worker, shared between the test and the workers.
#[derive(Default)]
pub struct Probe {
    children: Mutex<HashMap<String, ChildProbe>>,
    /// "start:<id>" and "stop:<id>" in the order they happened.
    log: Mutex<Vec<String>>,
}

impl Probe {
    pub fn new() -> Arc<Self> {
        quiet_deliberate_panics();
        Arc::new(Self::default())
    }

    pub fn starts(&self, id: &str) -> u64 {
        self.children
            .lock()
            .unwrap()
            .get(id)
            .map_or(0, |c| c.starts)
    }

    pub fn start_times(&self, id: &str) -> Vec<Instant> {
        self.children
            .lock()
            .unwrap()
            .get(id)
            .map(|c| c.start_times.clone())
            .unwrap_or_default()
    }

    /// Makes the next `n` starts of `id` fail in `pre_start`.
    pub fn fail_next_starts(&self, id: &str, n: u32) {
        self.children
            .lock()
            .unwrap()
            .entry(id.into())
            .or_default()
            .fail_next_starts = n;
    }

    /// Makes `id`'s `post_stop` take this long.
    pub fn slow_stop(&self, id: &str, delay: Duration) {
        self.children
            .lock()
            .unwrap()
            .entry(id.into())
            .or_default()
            .stop_delay = Some(delay);
    }

    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }

    /// The latest incarnation's reference.
    pub fn current(&self, id: &str) -> ActorRef<WorkerMsg> {
        self.children.lock().unwrap()[id]
            .refs
            .last()
            .unwrap()
            .clone()
    }

    /// Makes the current incarnation of `id` exit.
    pub fn exit(&self, id: &str, kind: ExitKind) {
        self.current(id)
            .send_message(WorkerMsg::Exit(kind))
            .unwrap();
    }
}

pub struct Worker;

pub struct WorkerArgs {
    id: String,
    probe: Arc<Probe>,
}

pub struct WorkerState {
    id: String,
    probe: Arc<Probe>,
    incarnation: u64,
}

impl Actor for Worker {
    type Msg = WorkerMsg;
    type State = WorkerState;
    type Arguments = WorkerArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<WorkerMsg>,
        args: WorkerArgs,
    ) -> Result<WorkerState, ActorProcessingErr> {
        let incarnation = {
            let mut children = args.probe.children.lock().unwrap();
            let child = children.entry(args.id.clone()).or_default();
            if child.fail_next_starts > 0 {
                child.fail_next_starts -= 1;
                return Err(format!("{} refused to start", args.id).into());
            }
            child.starts += 1;
            child.start_times.push(Instant::now());
            child.refs.push(myself);
            child.starts
        };
        args.probe
            .log
            .lock()
            .unwrap()
            .push(format!("start:{}", args.id));
        Ok(WorkerState {
            id: args.id,
            probe: args.probe,
            incarnation,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<WorkerMsg>,
        message: WorkerMsg,
        state: &mut WorkerState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            WorkerMsg::Ping(reply) => {
                let _ = reply.send(state.incarnation);
            }
            WorkerMsg::Exit(ExitKind::Normal) => myself.stop(None),
            WorkerMsg::Exit(ExitKind::Shutdown) => myself.stop(Some("shutdown".into())),
            WorkerMsg::Exit(ExitKind::Panic) => panic!("{} panicked on purpose", state.id),
            WorkerMsg::Exit(ExitKind::Error) => {
                return Err(format!("{} failed on purpose", state.id).into())
            }
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<WorkerMsg>,
        state: &mut WorkerState,
    ) -> Result<(), ActorProcessingErr> {
        let delay = state
            .probe
            .children
            .lock()
            .unwrap()
            .get(&state.id)
            .and_then(|c| c.stop_delay);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        state
            .probe
            .log
            .lock()
            .unwrap()
            .push(format!("stop:{}", state.id));
        Ok(())
    }
}

/// Keeps the panics tests cause on purpose out of the output; others still print.
fn quiet_deliberate_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let deliberate = info
                .payload()
                .downcast_ref::<String>()
                .is_some_and(|m| m.ends_with("panicked on purpose"));
            if !deliberate {
                default(info);
            }
        }));
    });
}

/// A worker child spec reporting to `probe`.
pub fn worker(id: &str, probe: &Arc<Probe>) -> ChildSpec {
    let probe = Arc::clone(probe);
    let owned = id.to_owned();
    ChildSpec::worker(id, move |ctx| {
        let args = WorkerArgs {
            id: owned.clone(),
            probe: Arc::clone(&probe),
        };
        async move { ctx.spawn(Worker, args).await }
    })
}

/// A child spec whose start function itself fails, without spawning.
pub fn unstartable(id: &str) -> ChildSpec {
    ChildSpec::worker(id, |_ctx| async { Err(StartError::Other("no".into())) })
}

/// One recorded lifecycle event, owned.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub path: String,
    pub what: &'static str,
    pub reason: Option<String>,
    pub delay: Option<Duration>,
    pub restart: bool,
}

/// An observer that records events and wakes waiters.
#[derive(Default)]
pub struct Recorder {
    events: Mutex<Vec<Recorded>>,
    notify: Notify,
}

impl Recorder {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn events(&self) -> Vec<Recorded> {
        self.events.lock().unwrap().clone()
    }

    pub fn count(&self, path: &str, what: &str) -> usize {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.path == path && e.what == what)
            .count()
    }

    /// Waits until `pred` holds for the recorded events; fails the test after 10 s.
    pub async fn until(&self, what: &str, pred: impl Fn(&[Recorded]) -> bool) {
        let deadline = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let notified = self.notify.notified();
                if pred(&self.events.lock().unwrap()) {
                    return;
                }
                notified.await;
            }
        });
        if deadline.await.is_err() {
            panic!("timed out waiting for {what}; events: {:#?}", self.events());
        }
    }

    /// Waits until `path` has had `n` events of kind `what`.
    pub async fn until_count(&self, path: &str, what: &str, n: usize) {
        self.until(&format!("{n} × {what} at {path}"), |events| {
            events
                .iter()
                .filter(|e| e.path == path && e.what == what)
                .count()
                >= n
        })
        .await;
    }
}

impl Observer for Recorder {
    fn on_event(&self, event: &LifecycleEvent<'_>) {
        let (what, reason, delay, restart) = match event.happening {
            Happening::Started { restart, .. } => ("started", None, None, restart),
            Happening::Failed { reason } => ("failed", Some(reason.to_owned()), None, false),
            Happening::Exited => ("exited", None, None, false),
            Happening::Restarting { delay, .. } => ("restarting", None, Some(delay), false),
            Happening::Stopped => ("stopped", None, None, false),
            Happening::Removed => ("removed", None, None, false),
            Happening::Meltdown { reason } => ("meltdown", Some(reason.to_owned()), None, false),
            Happening::Command { command } => ("command", Some(command.to_owned()), None, false),
        };
        self.events.lock().unwrap().push(Recorded {
            path: event.path.to_owned(),
            what,
            reason,
            delay,
            restart,
        });
        self.notify.notify_waiters();
    }
}

pub async fn node(root: &SupervisorRef, path: &str) -> NodeSnapshot {
    root.snapshot()
        .await
        .unwrap()
        .find(path)
        .cloned()
        .unwrap_or_else(|| panic!("no node {path}"))
}

/// The incarnation number the current `id` answers with.
pub async fn incarnation(probe: &Probe, id: &str) -> u64 {
    ractor::call!(probe.current(id), WorkerMsg::Ping).unwrap()
}
