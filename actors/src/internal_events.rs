//! Every metric this crate emits, as typed events: the `metrics` macros appear only here.
//! Labels are bounded: topics are reduced to their kind (`report/42` → `report`).

use std::time::Duration;

use metrics::{counter, histogram};

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
    (
        "bettafish_llm_requests_total",
        "LLM attempts by engine and outcome (ok, retryable, error, circuit_open).",
    ),
    (
        "bettafish_llm_request_duration_seconds",
        "Time an LLM attempt took, by engine.",
    ),
    (
        "bettafish_engine_jobs_total",
        "Research jobs ended, by engine and outcome (done, failed, cancelled).",
    ),
    (
        "bettafish_engine_job_duration_seconds",
        "Time a research job took, by engine.",
    ),
    (
        "bettafish_analyses_total",
        "Analysis sessions ended, by outcome (done, partial, failed, cancelled).",
    ),
];

/// Histogram buckets for research jobs and analyses, in seconds: 10 ms to 30 min.
pub const JOB_DURATION_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];

/// Histogram buckets for LLM attempts, in seconds: 50 ms to 5 min.
pub const LLM_DURATION_BUCKETS: &[f64] = &[
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0,
];

/// How an LLM attempt ended.
#[derive(Debug, Clone, Copy)]
pub enum LlmOutcome {
    Ok,
    /// 429, 5xx, timeout, broken connection: retried if the budget allows.
    Retryable,
    /// Refused or malformed: not retried.
    Error,
    /// Not attempted: the endpoint's circuit is open.
    CircuitOpen,
}

/// An LLM attempt ended (or was not made).
pub struct LlmAttempt {
    pub engine: &'static str,
    pub outcome: LlmOutcome,
    pub duration: Duration,
}

impl LlmAttempt {
    pub fn emit(self) {
        let outcome = match self.outcome {
            LlmOutcome::Ok => "ok",
            LlmOutcome::Retryable => "retryable",
            LlmOutcome::Error => "error",
            LlmOutcome::CircuitOpen => "circuit_open",
        };
        counter!("bettafish_llm_requests_total", "engine" => self.engine, "outcome" => outcome)
            .increment(1);
        if !matches!(self.outcome, LlmOutcome::CircuitOpen) {
            histogram!("bettafish_llm_request_duration_seconds", "engine" => self.engine)
                .record(self.duration.as_secs_f64());
        }
    }
}

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

/// A research job ended.
pub struct EngineJobEnded {
    pub engine: &'static str,
    /// `done`, `failed` or `cancelled`.
    pub outcome: &'static str,
    pub duration: Duration,
}

impl EngineJobEnded {
    pub fn emit(self) {
        counter!("bettafish_engine_jobs_total", "engine" => self.engine, "outcome" => self.outcome)
            .increment(1);
        histogram!("bettafish_engine_job_duration_seconds", "engine" => self.engine)
            .record(self.duration.as_secs_f64());
    }
}

/// An analysis session ended.
pub struct AnalysisEnded {
    /// `done`, `partial`, `failed` or `cancelled`.
    pub outcome: &'static str,
}

impl AnalysisEnded {
    pub fn emit(self) {
        counter!("bettafish_analyses_total", "outcome" => self.outcome).increment(1);
    }
}
