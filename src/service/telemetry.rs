//! The observer of the supervision tree: turns every lifecycle change into metrics (through
//! [`crate::internal_events`]), an event on the `actors` topic (and, for engines, the original
//! UI's `status_update` on `engine/<name>`), and keeps the most recent ones for
//! `/api/system/status`. Publishing never blocks, so it is safe inside a supervisor's handler.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use events::EventBus;
use serde::Serialize;
use supervision::{Happening, LifecycleEvent, Observer};

use crate::internal_events::ActorLifecycle;

/// How many lifecycle events are kept for the status page.
const RECENT: usize = 200;

/// Supervisors whose children are created at run time: their children's paths carry ids,
/// which must not become metric labels.
const DYNAMIC: [&str; 2] = ["root/reports/", "root/analyses/"];

/// The label for a path: a dynamic child is counted under its supervisor.
pub fn label_path(path: &str) -> &str {
    for prefix in DYNAMIC {
        if path.starts_with(prefix) {
            return &prefix[..prefix.len() - 1];
        }
    }
    path
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
            "actors",
            event,
            &ActorEvent {
                path,
                event,
                detail,
            },
        );
        if let Some(app) = path
            .strip_prefix("root/engines/")
            .filter(|a| !a.contains('/'))
        {
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
                .publish(&format!("engine/{app}"), "status_update", &payload);
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
        let label = label_path(event.path);
        let (name, detail) = match event.happening {
            Happening::Started {
                restart,
                since_exit,
            } => {
                ActorLifecycle::Started {
                    path: label,
                    restart_took: since_exit,
                    restart,
                }
                .emit();
                ("started", restart.then(|| "restart".to_owned()))
            }
            Happening::Failed { reason } => {
                ActorLifecycle::Failed { path: label }.emit();
                ("failed", Some(reason.to_owned()))
            }
            Happening::Exited => {
                ActorLifecycle::Down { path: label }.emit();
                ("exited", None)
            }
            Happening::Stopped => {
                ActorLifecycle::Down { path: label }.emit();
                ("stopped", None)
            }
            Happening::Removed => {
                ActorLifecycle::Down { path: label }.emit();
                ("removed", None)
            }
            Happening::Restarting { delay, attempt } => (
                "restarting",
                Some(format!("in {} ms (attempt {attempt})", delay.as_millis())),
            ),
            Happening::Meltdown { reason } => {
                ActorLifecycle::Meltdown { path: label }.emit();
                ("meltdown", Some(reason.to_owned()))
            }
            Happening::Command { command } => {
                ActorLifecycle::Command {
                    path: label,
                    command,
                }
                .emit();
                ("command", Some(command.to_owned()))
            }
        };
        self.publish(event.path, name, detail.as_deref());
        self.remember(event.path, name, detail);
    }
}
