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

/// One lifecycle change, as the status page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RecentEvent {
    pub path: String,
    pub event: &'static str,
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
    event: &'a str,
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

    fn publish(&self, path: &str, event: &'static str, detail: Option<&str>) {
        // Paths and event names are valid topics' payloads; a failure here would be a bug in
        // the names above, and the metrics and recent list still record the change.
        let _ = self.bus.publish(
            Topic::actors().as_str(),
            event,
            &ActorEvent {
                path,
                event,
                detail,
            },
        );
        if let Some(app) = Branch::Engines.child_id(path) {
            let status = match event {
                "started" => "running",
                "failed" => "error",
                "restarting" => "restarting",
                "command" => return,
                _ => "stopped",
            };
            let payload =
                serde_json::json!({ app: {"status": status, "event": event, "detail": detail} });
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

    fn remember(&self, path: &str, event: &'static str, detail: Option<String>) {
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
                ("started", restart.then(|| "restart".to_owned()))
            }
            Happening::Failed { reason } => {
                ActorLifecycle::Failed { actor }.emit();
                ("failed", Some(reason.to_owned()))
            }
            Happening::Exited => {
                ActorLifecycle::Down { actor }.emit();
                ("exited", None)
            }
            Happening::Stopped => {
                ActorLifecycle::Down { actor }.emit();
                ("stopped", None)
            }
            Happening::Removed => {
                ActorLifecycle::Down { actor }.emit();
                ("removed", None)
            }
            Happening::Restarting { delay, attempt } => (
                "restarting",
                Some(format!("in {} ms (attempt {attempt})", delay.as_millis())),
            ),
            Happening::Meltdown { reason } => {
                ActorLifecycle::Meltdown { actor }.emit();
                ("meltdown", Some(reason.to_owned()))
            }
            Happening::Command { command } => {
                ActorLifecycle::Command { actor, command }.emit();
                ("command", Some(command.to_owned()))
            }
        };
        self.publish(event.path, name, detail.as_deref());
        self.remember(event.path, name, detail);
    }
}
