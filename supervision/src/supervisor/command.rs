//! Requests routed by path: operator commands, lookups and snapshots.
//!
//! A request names a path relative to the supervisor that receives it. The first segment is a
//! child; if more follow, the request is forwarded (reply port and all) to that child, which must
//! be a running supervisor. Nobody waits on a forward, so a busy subtree never blocks its parent.
//!
//! Operator commands do not count toward restart intensity (OTP's terminate_child +
//! restart_child); they reset the child's backoff; a child an operator stopped stays stopped,
//! even through a sibling's group restart, until it is started.

use std::sync::Arc;
use std::time::Duration;

use ractor::{ActorCell, ActorRef, MessagingErr};
use tokio::time::Instant;

use super::child::Slot;
use super::{Meltdown, Request, State, SupervisorMsg};
use crate::error::SupervisorError;
use crate::observer::Happening;
use crate::spec::{ChildKind, ChildSpec, Restart, Strategy};
use crate::tree::{NodeSnapshot, NodeState};

/// How long a supervisor waits for a nested supervisor's snapshot.
const SNAPSHOT_TIMEOUT: Duration = Duration::from_secs(2);

/// An operator command.
pub(crate) enum Command {
    Restart,
    Stop,
    Start,
    StartChild(ChildSpec),
    TerminateChild,
}

impl Command {
    fn name(&self) -> &'static str {
        match self {
            Command::Restart => "restart",
            Command::Stop => "stop",
            Command::Start => "start",
            Command::StartChild(_) => "start_child",
            Command::TerminateChild => "terminate_child",
        }
    }
}

/// Sends `msg` to a nested supervisor, answering its request with `Unavailable` if that fails.
fn forward(cell: &ActorCell, msg: SupervisorMsg, path: &str) {
    let target: ActorRef<SupervisorMsg> = cell.clone().into();
    if let Err(MessagingErr::SendErr(SupervisorMsg::Route { request, .. })) =
        target.send_message(msg)
    {
        request.refuse(SupervisorError::Unavailable(path.to_owned()));
    }
    // Any other failure drops the reply port, which the caller sees as `Unavailable`.
}

impl State {
    pub(super) async fn route(
        &mut self,
        myself: &ActorCell,
        mut path: Vec<String>,
        request: Request,
    ) -> Result<(), Meltdown> {
        if path.is_empty() {
            return self.handle_own(myself, request).await;
        }
        let id = path.remove(0);
        let full = format!("{}/{}", self.path, id);
        let Some(&seq) = self.by_id.get(id.as_str()) else {
            request.refuse(SupervisorError::NotFound(full));
            return Ok(());
        };
        let Some(child) = self.children.get(&seq) else {
            request.refuse(SupervisorError::NotFound(full));
            return Ok(());
        };
        let is_supervisor = child.spec.kind == ChildKind::Supervisor;
        let below = !path.is_empty()
            || matches!(
                &request,
                Request::Command {
                    command: Command::StartChild(_),
                    ..
                }
            );
        if below {
            if !is_supervisor {
                let err = if path.is_empty() {
                    SupervisorError::NotASupervisor(full)
                } else {
                    SupervisorError::NotFound(format!("{full}/{}", path.join("/")))
                };
                request.refuse(err);
                return Ok(());
            }
            match child.running_cell() {
                Some(cell) => forward(cell, SupervisorMsg::Route { path, request }, &full),
                None => request.refuse(SupervisorError::Unavailable(full)),
            }
            return Ok(());
        }
        match request {
            Request::Lookup { reply } => {
                let _ = reply.send(Ok(child.handle.clone()));
            }
            Request::Snapshot { reply } => {
                let node = self.child_node(seq);
                let nested = child.running_cell().filter(|_| is_supervisor).cloned();
                tokio::spawn(async move {
                    let node = match (node, nested) {
                        (Some(node), Some(cell)) => Ok(expand(node, cell).await),
                        (Some(node), None) => Ok(node),
                        (None, _) => Err(SupervisorError::NotFound(full)),
                    };
                    let _ = reply.send(node);
                });
            }
            Request::Command { command, reply } => {
                let result = self.apply(myself, seq, command).await?;
                let _ = reply.send(result);
            }
        }
        Ok(())
    }

    /// A request addressed to this supervisor itself.
    async fn handle_own(&mut self, myself: &ActorCell, request: Request) -> Result<(), Meltdown> {
        match request {
            Request::Lookup { reply } => {
                let _ = reply.send(Err(SupervisorError::Unsupported {
                    path: self.path.to_string(),
                    command: "be looked up from itself; ask its parent",
                }));
            }
            Request::Snapshot { reply } => {
                let own = NodeSnapshot {
                    path: self.path.to_string(),
                    id: self.path.rsplit('/').next().unwrap_or_default().to_owned(),
                    kind: ChildKind::Supervisor,
                    strategy: Some(self.strategy),
                    restart: Restart::Permanent,
                    state: NodeState::Running,
                    restarts: 0,
                    last_failure: None,
                    uptime: Some(self.started_at.elapsed()),
                    next_attempt_in: None,
                    children: Vec::new(),
                };
                let children: Vec<(NodeSnapshot, Option<ActorCell>)> = self
                    .children
                    .iter()
                    .filter_map(|(&seq, child)| {
                        let nested = child
                            .running_cell()
                            .filter(|_| child.spec.kind == ChildKind::Supervisor)
                            .cloned();
                        self.child_node(seq).map(|node| (node, nested))
                    })
                    .collect();
                // Nested supervisors are asked all at once, so one busy subtree costs one
                // timeout, not one per sibling.
                tokio::spawn(async move {
                    let mut own = own;
                    own.children = futures::future::join_all(children.into_iter().map(
                        |(node, nested)| async move {
                            match nested {
                                Some(cell) => expand(node, cell).await,
                                None => node,
                            }
                        },
                    ))
                    .await;
                    let _ = reply.send(Ok(own));
                });
            }
            Request::Command { command, reply } => {
                let self_path = self.path.to_string();
                self.report(
                    &self_path,
                    Happening::Command {
                        command: command.name(),
                    },
                );
                let result = match command {
                    Command::StartChild(spec) => self.add_child(myself, spec).await,
                    Command::TerminateChild => Err(SupervisorError::Unsupported {
                        path: self_path,
                        command: "terminate itself; terminate it from its parent",
                    }),
                    Command::Stop => {
                        self.stop_all_children().await;
                        Ok(())
                    }
                    Command::Start => self.start_all(myself).await?,
                    Command::Restart => {
                        self.stop_all_children().await;
                        self.start_all(myself).await?
                    }
                };
                let _ = reply.send(result);
            }
        }
        Ok(())
    }

    /// Starts every child that is not running, in order; reports the first failure.
    async fn start_all(
        &mut self,
        myself: &ActorCell,
    ) -> Result<Result<(), SupervisorError>, Meltdown> {
        let seqs: Vec<u64> = self.children.keys().copied().collect();
        let mut first_err = Ok(());
        for seq in seqs {
            if let Err(err) = self.operator_start(myself, seq).await {
                if first_err.is_ok() {
                    first_err = Err(err);
                }
            }
        }
        Ok(first_err)
    }

    /// An operator command on one child.
    async fn apply(
        &mut self,
        myself: &ActorCell,
        seq: u64,
        command: Command,
    ) -> Result<Result<(), SupervisorError>, Meltdown> {
        let Some(child) = self.children.get(&seq) else {
            return Ok(Err(SupervisorError::NotFound(String::new())));
        };
        let path = Arc::clone(&child.path);
        self.report(
            &path,
            Happening::Command {
                command: command.name(),
            },
        );
        match command {
            Command::Stop => {
                self.stop_child(seq).await;
                self.resume_waiting(myself).await?;
                Ok(Ok(()))
            }
            Command::TerminateChild => {
                self.stop_child(seq).await;
                self.remove_child(seq);
                self.resume_waiting(myself).await?;
                Ok(Ok(()))
            }
            Command::Start => {
                let result = self.operator_start(myself, seq).await;
                self.continue_after(myself, seq, result).await
            }
            Command::Restart => {
                self.stop_child(seq).await;
                let result = self.operator_start(myself, seq).await;
                self.continue_after(myself, seq, result).await
            }
            Command::StartChild(_) => Ok(Err(SupervisorError::NotASupervisor(path.to_string()))),
        }
    }

    /// After an operator started a child, siblings waiting behind it (one_for_all,
    /// rest_for_one) may start too.
    async fn continue_after(
        &mut self,
        myself: &ActorCell,
        seq: u64,
        result: Result<(), SupervisorError>,
    ) -> Result<Result<(), SupervisorError>, Meltdown> {
        if result.is_ok() && self.strategy != Strategy::OneForOne {
            if let Some((&next, _)) = self.children.range(seq + 1..).next() {
                self.start_pending_from(myself, next).await?;
            }
        } else if result.is_err() {
            self.resume_waiting(myself).await?;
        }
        Ok(result)
    }

    /// Starts a child that is not running, outside the restart rules: its backoff is reset, the
    /// start does not count toward intensity, and a failure leaves it `Failed`.
    async fn operator_start(
        &mut self,
        myself: &ActorCell,
        seq: u64,
    ) -> Result<(), SupervisorError> {
        let Some(child) = self.children.get_mut(&seq) else {
            return Err(SupervisorError::NotFound(String::new()));
        };
        if child.running_cell().is_some() {
            return Ok(());
        }
        child.backoff.reset();
        child.set_slot(Slot::Pending);
        let path = child.path.to_string();
        match self.start_child(myself, seq).await {
            Ok(()) => Ok(()),
            Err(reason) => {
                if let Some(child) = self.children.get_mut(&seq) {
                    child.last_failure = Some(crate::tree::FailureRecord {
                        reason: reason.clone(),
                        at: std::time::SystemTime::now(),
                    });
                    child.set_slot(Slot::Failed);
                }
                self.report(&path, Happening::Failed { reason: &reason });
                Err(SupervisorError::StartFailed { path, reason })
            }
        }
    }

    /// `start_child`: adds a child at the end of the start order and starts it; a child that
    /// fails to start is not kept (as in OTP).
    async fn add_child(
        &mut self,
        myself: &ActorCell,
        spec: ChildSpec,
    ) -> Result<(), SupervisorError> {
        spec.validate()?;
        if self.by_id.contains_key(&spec.id) {
            return Err(SupervisorError::AlreadyExists(spec.id.to_string()));
        }
        if let Some(max) = self.max_children {
            if self.children.len() >= max {
                return Err(SupervisorError::MaxChildren {
                    path: self.path.to_string(),
                    max,
                });
            }
        }
        let seq = self.insert_child(spec);
        match self.start_child(myself, seq).await {
            Ok(()) => Ok(()),
            Err(reason) => {
                let path = self
                    .children
                    .get(&seq)
                    .map(|c| c.path.to_string())
                    .unwrap_or_default();
                self.report(&path, Happening::Failed { reason: &reason });
                self.remove_child(seq);
                Err(SupervisorError::StartFailed { path, reason })
            }
        }
    }

    /// One child's node as this supervisor knows it (children filled in by [`expand`]).
    fn child_node(&self, seq: u64) -> Option<NodeSnapshot> {
        let child = self.children.get(&seq)?;
        let now = Instant::now();
        let (uptime, next_attempt_in) = match child.slot() {
            Slot::Running { since, .. } => (Some(now.saturating_duration_since(*since)), None),
            Slot::BackingOff { until } => (None, Some(until.saturating_duration_since(now))),
            _ => (None, None),
        };
        Some(NodeSnapshot {
            path: child.path.to_string(),
            id: child.spec.id.to_string(),
            kind: child.spec.kind,
            strategy: child.spec.nested.as_ref().map(|s| s.strategy),
            restart: child.spec.restart,
            state: child.slot().node_state(),
            restarts: child.restarts,
            last_failure: child.last_failure.clone(),
            uptime,
            next_attempt_in,
            children: Vec::new(),
        })
    }
}

/// Fills in a nested supervisor's children by asking it; on timeout the node stays without them.
async fn expand(mut node: NodeSnapshot, cell: ActorCell) -> NodeSnapshot {
    let target: ActorRef<SupervisorMsg> = cell.into();
    let answer = target
        .call(
            |reply| SupervisorMsg::Route {
                path: Vec::new(),
                request: Request::Snapshot { reply },
            },
            Some(SNAPSHOT_TIMEOUT),
        )
        .await;
    if let Ok(ractor::rpc::CallResult::Success(Ok(nested))) = answer {
        node.children = nested.children;
    }
    node
}
