//! Every metric this crate emits (publication, drops, replays, the Redis link), as typed
//! events: the `metrics` macros appear only here. Labels are bounded: topics are reduced to
//! their kind (`report/42` → `report`).

use std::time::Duration;

use metrics::{counter, gauge, histogram};

/// The names this crate registers, with their help text.
pub const METRICS: &[(&str, &str)] = &[
    (
        "bettafish_events_published_total",
        "Events published, by topic kind.",
    ),
    (
        "bettafish_events_dropped_total",
        "Events not delivered to a subscriber, by reason.",
    ),
    (
        "bettafish_subscribers_lagged_total",
        "Subscribers that fell behind their queue.",
    ),
    (
        "bettafish_replay_total",
        "Subscriptions by how they began: live, replayed or resync; interrupted: a replay the history's trimming overtook.",
    ),
    (
        "bettafish_events_refused_total",
        "Publications refused, by reason: too_large (over BETTAFISH_EVENT_MAX_BYTES).",
    ),
    (
        "bettafish_event_history_bytes",
        "Bytes of the events the history keeps for replay.",
    ),
    (
        "bettafish_redis_up",
        "1 while the Redis link shares events across instances, else 0.",
    ),
    (
        "bettafish_redis_reconnects_total",
        "Attempts of the Redis link to reconnect.",
    ),
    (
        "bettafish_redis_command_duration_seconds",
        "Time one Redis command of the link took.",
    ),
];

/// Registers the help text of this crate's metrics.
pub fn describe() {
    // The Prometheus exporter keys help text by name alone, whatever the kind, so one call
    // serves counters, gauges and histograms.
    for (name, help) in METRICS {
        metrics::describe_counter!(*name, *help);
    }
}

/// A topic's kind as a bounded label value: `other` for topics from outside.
pub fn topic_kind(topic: &str) -> &'static str {
    crate::topic::TopicKind::of(topic).map_or("other", crate::topic::TopicKind::name)
}

/// An event was published.
pub struct EventPublished<'a> {
    pub topic: &'a str,
}

impl EventPublished<'_> {
    pub fn emit(self) {
        counter!("bettafish_events_published_total", "topic_kind" => topic_kind(self.topic))
            .increment(1);
    }
}

/// Events were not delivered.
pub struct EventsDropped {
    /// `lagged` (queue full) or another reason.
    pub reason: &'static str,
    pub count: u64,
    /// Subscribers that started lagging with this publication.
    pub newly_lagging: u64,
}

impl EventsDropped {
    pub fn emit(self) {
        counter!("bettafish_events_dropped_total", "reason" => self.reason).increment(self.count);
        if self.newly_lagging > 0 {
            tracing::debug!(count = self.newly_lagging, "subscribers fell behind");
            counter!("bettafish_subscribers_lagged_total").increment(self.newly_lagging);
        }
    }
}

/// A subscription began, or its replay was cut short.
pub struct ReplayServed {
    /// `live`, `replayed` or `resync`; `interrupted` when the history was trimmed past a
    /// replay still being read (the client gets `resync`).
    pub result: &'static str,
}

impl ReplayServed {
    pub fn emit(self) {
        counter!("bettafish_replay_total", "result" => self.result).increment(1);
    }
}

/// A publication was refused.
pub struct EventRefused<'a> {
    /// `too_large`.
    pub reason: &'static str,
    /// Its topic (logged by kind only: an outside topic may be anything).
    pub topic: &'a str,
    /// Its payload's size.
    pub bytes: usize,
}

impl EventRefused<'_> {
    pub fn emit(self) {
        // Most internal publishers ignore the error: the refusal is logged here, once.
        tracing::warn!(
            reason = self.reason,
            topic_kind = topic_kind(self.topic),
            bytes = self.bytes,
            "event refused"
        );
        counter!("bettafish_events_refused_total", "reason" => self.reason).increment(1);
    }
}

/// The history's size after a change.
pub struct HistorySize {
    pub bytes: usize,
}

impl HistorySize {
    pub fn emit(self) {
        gauge!("bettafish_event_history_bytes").set(self.bytes as f64);
    }
}

/// The Redis link's state changed.
pub enum RedisLink<'a> {
    /// Connected and serving the cluster's epoch.
    Up { epoch: u64, history: usize },
    /// Lost; local delivery goes on in a local epoch.
    Down { error: &'a str },
    /// Trying again.
    Reconnecting { attempt: u32 },
    /// A reconnection failed; the outage (and its local epoch) goes on.
    AttemptFailed { error: &'a str },
    /// Starting, not connected yet.
    Connecting,
}

impl RedisLink<'_> {
    pub fn emit(self) {
        match self {
            RedisLink::Up { epoch, history } => {
                tracing::info!(
                    epoch = format!("{epoch:016x}"),
                    history,
                    "redis link up: events are shared across nodes"
                );
                gauge!("bettafish_redis_up").set(1.0);
            }
            RedisLink::Down { error } => {
                tracing::warn!(
                    error,
                    "redis link down: events stay on this node (clients will resync)"
                );
                gauge!("bettafish_redis_up").set(0.0);
            }
            RedisLink::Connecting => {
                tracing::info!("connecting to redis for cross-node events");
                gauge!("bettafish_redis_up").set(0.0);
            }
            RedisLink::AttemptFailed { error } => {
                tracing::debug!(error, "redis still unreachable");
            }
            RedisLink::Reconnecting { attempt } => {
                tracing::debug!(attempt, "reconnecting to redis");
                counter!("bettafish_redis_reconnects_total").increment(1);
            }
        }
    }
}

/// One Redis command of the link took this long.
pub fn redis_command(duration: Duration) {
    histogram!("bettafish_redis_command_duration_seconds").record(duration.as_secs_f64());
}

#[cfg(test)]
mod tests;
