//! Every metric this crate emits (engine jobs, analysis sessions), as typed events: the
//! `metrics` macros appear only here.

use std::time::Duration;

use metrics::{counter, histogram};

/// The names this crate registers, with their help text.
pub const METRICS: &[(&str, &str)] = &[
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
    (
        "bettafish_report_tasks_total",
        "Report tasks ended on this instance, by status (completed, error, cancelled).",
    ),
    (
        "bettafish_report_generation_duration_seconds",
        "Time from a report task's claim to its ending, by status.",
    ),
    (
        "bettafish_report_chapters_total",
        "Report chapters written, by outcome (builtin, llm, repaired, fallback, placeholder).",
    ),
];

/// Histogram buckets for research jobs and analyses, in seconds: 10 ms to 30 min.
pub const JOB_DURATION_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];

/// Registers the help text of this crate's metrics.
pub fn describe() {
    // The Prometheus exporter keys help text by name alone, whatever the kind, so one call
    // serves counters, gauges and histograms.
    for (name, help) in METRICS {
        metrics::describe_counter!(*name, *help);
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
    pub outcome: storage::analyses::AnalysisStatus,
}

impl AnalysisEnded {
    pub fn emit(self) {
        counter!("bettafish_analyses_total", "outcome" => self.outcome.as_str()).increment(1);
    }
}

/// A report task ended (recorded by the instance that held it).
pub struct ReportTaskEnded {
    pub status: storage::reports::ReportStatus,
    pub duration: Duration,
}

impl ReportTaskEnded {
    pub fn emit(self) {
        counter!("bettafish_report_tasks_total", "status" => self.status.as_str()).increment(1);
        histogram!("bettafish_report_generation_duration_seconds", "status" => self.status.as_str())
            .record(self.duration.as_secs_f64());
    }
}

/// A report chapter was written.
pub struct ReportChapterWritten {
    /// `builtin`, `llm`, `repaired`, `fallback` or `placeholder`.
    pub outcome: &'static str,
}

impl ReportChapterWritten {
    pub fn emit(self) {
        counter!("bettafish_report_chapters_total", "outcome" => self.outcome).increment(1);
    }
}

#[cfg(test)]
mod tests;
