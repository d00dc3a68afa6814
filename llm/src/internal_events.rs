//! Every metric this crate emits, as typed events: the `metrics` macros appear only here.

use std::time::Duration;

use metrics::{counter, histogram};

/// The names this crate registers, with their help text.
pub const METRICS: &[(&str, &str)] = &[
    (
        "bettafish_llm_requests_total",
        "LLM attempts by engine and outcome (ok, retryable, error, circuit_open).",
    ),
    (
        "bettafish_llm_request_duration_seconds",
        "Time an LLM attempt took, by engine.",
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

#[cfg(test)]
mod tests;
