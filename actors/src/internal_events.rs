//! Every metric this crate emits, as typed events: the `metrics` macros appear only here.
//! Labels are bounded: topics are reduced to their kind (`report/42` → `report`).

use metrics::counter;

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
        "Subscriptions by how they began: live, replayed or resync.",
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

/// The first segment of a topic: a bounded label value.
pub fn topic_kind(topic: &str) -> &'static str {
    match topic.split('/').next().unwrap_or_default() {
        "system" => "system",
        "actors" => "actors",
        "engine" => "engine",
        "forum" => "forum",
        "report" => "report",
        "analysis" => "analysis",
        "crawler" => "crawler",
        "config" => "config",
        _ => "other",
    }
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

/// A subscription began.
pub struct ReplayServed {
    /// `live`, `replayed` or `resync`.
    pub result: &'static str,
}

impl ReplayServed {
    pub fn emit(self) {
        counter!("bettafish_replay_total", "result" => self.result).increment(1);
    }
}
