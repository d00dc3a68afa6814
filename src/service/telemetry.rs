//! The observer of the supervision tree: turns every lifecycle change into metrics (through
//! [`crate::internal_events`]), an event on the `actors` topic (and, for engines, the original
//! UI's `status_update` on `engine/<name>`), and keeps the most recent ones for
//! `/api/system/status`. Publishing never blocks, so it is safe inside a supervisor's handler.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use actors::tree::Branch;
use events::{EventBus, Topic};
use serde::Serialize;
use supervision::{Happening, LifecycleEvent, Observer};

use crate::internal_events::{ActorLabel, ActorLifecycle};

/// How many lifecycle events are kept for the status page.
const RECENT: usize = 200;

/// Whose metrics a path's lifecycle changes: a child of a supervisor whose children are created
/// at run time (its path carries an id) is counted under that supervisor, and does not touch
/// the supervisor's `actor_up`.
pub fn actor_label(path: &str) -> ActorLabel<'_> {
    match Branch::dynamic_parent_of(path) {
        Some(branch) => ActorLabel::ChildOf(branch.path()),
        None => ActorLabel::Own(path),
    }
}

/// What happened to an actor: the type of its event on the `actors` topic and in the status
/// page's list, and what the original UI's engine status becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorChange {
    Started,
    Failed,
    Exited,
    Stopped,
    Removed,
    Restarting,
    Meltdown,
    Command,
}

impl ActorChange {
    /// The event type on the `actors` topic.
    pub const fn kind(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Failed => "failed",
            Self::Exited => "exited",
            Self::Stopped => "stopped",
            Self::Removed => "removed",
            Self::Restarting => "restarting",
            Self::Meltdown => "meltdown",
            Self::Command => "command",
        }
    }

    /// The engine's status in the original UI's `status_update`; None when the engine's status
    /// does not change (an operator command is only being applied).
    const fn engine_status(self) -> Option<EngineStatus> {
        match self {
            Self::Started => Some(EngineStatus::Running),
            Self::Failed => Some(EngineStatus::Error),
            Self::Restarting => Some(EngineStatus::Restarting),
            Self::Command => None,
            Self::Exited | Self::Stopped | Self::Removed | Self::Meltdown => {
                Some(EngineStatus::Stopped)
            }
        }
    }
}

/// An engine's status as the original UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum EngineStatus {
    Running,
    Error,
    Restarting,
    Stopped,
}

/// One lifecycle change, as the status page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RecentEvent {
    pub path: String,
    pub event: ActorChange,
    pub detail: Option<String>,
    #[serde(serialize_with = "serialize_time")]
    pub at: SystemTime,
}

fn serialize_time<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    let ms = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    s.serialize_u64(ms)
}

/// The tree's observer.
pub struct TreeTelemetry {
    // std Mutex: pushed to from supervisors' handlers and read by the status route; held for a
    // push or a copy only.
    recent: Mutex<VecDeque<RecentEvent>>,
    bus: EventBus,
}

/// An `actors` event's payload.
#[derive(Serialize)]
struct ActorEvent<'a> {
    path: &'a str,
    event: ActorChange,
    detail: Option<&'a str>,
}

/// One engine's entry in a `status_update` (the original UI's shape: `{engine: {...}}`).
#[derive(Serialize)]
struct EngineStatusEntry<'a> {
    status: EngineStatus,
    event: ActorChange,
    detail: Option<&'a str>,
}

impl TreeTelemetry {
    /// An observer publishing to `bus`.
    pub fn new(bus: EventBus) -> Self {
        Self {
            recent: Mutex::new(VecDeque::new()),
            bus,
        }
    }

    fn publish(&self, path: &str, change: ActorChange, detail: Option<&str>) {
        // Paths and event names are valid topics' payloads; a failure here would be a bug in
        // the names above, and the metrics and recent list still record the change.
        let _ = self.bus.publish(
            Topic::actors().as_str(),
            change.kind(),
            &ActorEvent {
                path,
                event: change,
                detail,
            },
        );
        let engine = Branch::Engines.child_id(path);
        if let (Some(app), Some(status)) = (engine, change.engine_status()) {
            let entry = EngineStatusEntry {
                status,
                event: change,
                detail,
            };
            let payload = std::collections::BTreeMap::from([(app, entry)]);
            let _ = self
                .bus
                .publish(Topic::engine(app).as_str(), "status_update", &payload);
        }
    }

    /// The most recent lifecycle events, oldest first.
    pub fn recent(&self) -> Vec<RecentEvent> {
        self.recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    fn remember(&self, path: &str, event: ActorChange, detail: Option<String>) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if recent.len() == RECENT {
            recent.pop_front();
        }
        recent.push_back(RecentEvent {
            path: path.to_owned(),
            event,
            detail,
            at: SystemTime::now(),
        });
    }
}

impl Observer for TreeTelemetry {
    fn on_event(&self, event: &LifecycleEvent<'_>) {
        let actor = actor_label(event.path);
        let (name, detail) = match event.happening {
            Happening::Started {
                restart,
                since_exit,
            } => {
                ActorLifecycle::Started {
                    actor,
                    restart_took: since_exit,
                    restart,
                }
                .emit();
                (ActorChange::Started, restart.then(|| "restart".to_owned()))
            }
            Happening::Failed { reason } => {
                ActorLifecycle::Failed { actor }.emit();
                (ActorChange::Failed, Some(reason.to_owned()))
            }
            Happening::Exited => {
                ActorLifecycle::Down { actor }.emit();
                (ActorChange::Exited, None)
            }
            Happening::Stopped => {
                ActorLifecycle::Down { actor }.emit();
                (ActorChange::Stopped, None)
            }
            Happening::Removed => {
                ActorLifecycle::Down { actor }.emit();
                (ActorChange::Removed, None)
            }
            Happening::Restarting { delay, attempt } => (
                ActorChange::Restarting,
                Some(format!("in {} ms (attempt {attempt})", delay.as_millis())),
            ),
            Happening::Meltdown { reason } => {
                ActorLifecycle::Meltdown { actor }.emit();
                (ActorChange::Meltdown, Some(reason.to_owned()))
            }
            Happening::Command { command } => {
                ActorLifecycle::Command { actor, command }.emit();
                (ActorChange::Command, Some(command.to_owned()))
            }
        };
        self.publish(event.path, name, detail.as_deref());
        self.remember(event.path, name, detail);
    }
}
