//! Snapshots of a supervision tree: what an operator, a dashboard or a test sees of it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};

use crate::spec::{ChildKind, Restart, Strategy};

/// The state of one node, as a snapshot shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    /// A start is in progress. Starts run inside the supervisor's own handler (as OTP's
    /// `start_link` does), so only a supervisor still starting its own children is seen so.
    Starting,
    /// The current incarnation is running.
    Running,
    /// Waiting for an earlier sibling to start again (one_for_all, rest_for_one).
    Restarting,
    /// Waiting out a backoff delay before the next start attempt.
    BackingOff,
    /// Stopped: by an operator, or after a normal exit of a transient child. Stays so until
    /// started.
    Stopped,
    /// An operator's start failed; stays so until started again.
    Failed,
}

/// The last failure seen for a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureRecord {
    /// The reason (panic message, handler error, stop reason, start error).
    pub reason: String,
    /// When it happened (wall clock).
    #[serde(serialize_with = "serialize_system_time_ms")]
    pub at: SystemTime,
}

/// One node of the tree with everything below it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeSnapshot {
    /// The full path, e.g. `root/engines/query`.
    pub path: String,
    /// The last path segment.
    pub id: String,
    /// Worker or supervisor.
    pub kind: ChildKind,
    /// For supervisors, their strategy.
    pub strategy: Option<Strategy>,
    /// The restart type (a root reports `permanent`).
    pub restart: Restart,
    /// Its state.
    pub state: NodeState,
    /// Times it was started again after its first start, for any reason.
    pub restarts: u64,
    /// The last failure, if any.
    pub last_failure: Option<FailureRecord>,
    /// How long the current incarnation has run.
    #[serde(serialize_with = "serialize_opt_duration_ms", rename = "uptime_ms")]
    pub uptime: Option<Duration>,
    /// When backing off: time left until the next attempt.
    #[serde(
        serialize_with = "serialize_opt_duration_ms",
        rename = "next_attempt_in_ms"
    )]
    pub next_attempt_in: Option<Duration>,
    /// Children in start order (supervisors only).
    pub children: Vec<NodeSnapshot>,
}

impl NodeSnapshot {
    /// The node at `path` (full path, starting with this node's own path), if any.
    pub fn find(&self, path: &str) -> Option<&NodeSnapshot> {
        if self.path == path {
            return Some(self);
        }
        let rest = path.strip_prefix(self.path.as_str())?.strip_prefix('/')?;
        let first = rest.split('/').next()?;
        self.children
            .iter()
            .find(|c| c.id == first)
            .and_then(|c| c.find(path))
    }

    /// Every node of the subtree, depth first, this one included.
    pub fn walk(&self) -> Vec<&NodeSnapshot> {
        let mut out = vec![self];
        for child in &self.children {
            out.extend(child.walk());
        }
        out
    }
}

pub(crate) fn serialize_duration_ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn serialize_opt_duration_ms<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => serialize_duration_ms(d, s),
        None => s.serialize_none(),
    }
}

fn serialize_system_time_ms<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    let ms = t
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    s.serialize_u64(ms)
}
