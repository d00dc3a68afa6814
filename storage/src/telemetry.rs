//! Storage's metrics (DESIGN.md §7): the `metrics` macros of this crate appear only here.

use std::time::Duration;

use metrics::{counter, gauge, histogram};

use crate::db::PoolState;

/// Every metric this crate registers, with its help text.
pub const METRICS: &[(&str, &str)] = &[
    (
        "bettafish_db_pool_connections",
        "Database pool connections, by state (idle, in_use).",
    ),
    (
        "bettafish_db_pool_max_connections",
        "The most connections the database pool will open.",
    ),
    (
        "bettafish_db_acquire_duration_seconds",
        "Time to get a connection from the database pool, failures included.",
    ),
    (
        "bettafish_db_acquire_failures_total",
        "Connections the pool could not give (database down, pool exhausted).",
    ),
    (
        "bettafish_db_up",
        "1 when the last database health check succeeded, else 0.",
    ),
    (
        "bettafish_cache_requests_total",
        "Cache lookups, by cache kind and result (hit, miss, error).",
    ),
    (
        "bettafish_rows_imported_total",
        "Rows written by imports and ingestion, by table.",
    ),
];

/// Histogram buckets for pool acquisition, in seconds: 10 µs to 10 s.
pub const ACQUIRE_BUCKETS: &[f64] = &[
    0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Registers the help text of every metric.
pub fn describe() {
    for (name, help) in METRICS {
        metrics::describe_counter!(*name, *help);
    }
}

pub(crate) fn acquired(took: Duration, ok: bool) {
    histogram!("bettafish_db_acquire_duration_seconds").record(took.as_secs_f64());
    if !ok {
        counter!("bettafish_db_acquire_failures_total").increment(1);
    }
}

/// Records a pool's state and the outcome of a health check.
pub fn pool_sampled(state: PoolState, up: bool) {
    gauge!("bettafish_db_pool_connections", "state" => "idle").set(f64::from(state.idle));
    gauge!("bettafish_db_pool_connections", "state" => "in_use")
        .set(f64::from(state.open.saturating_sub(state.idle)));
    gauge!("bettafish_db_pool_max_connections").set(f64::from(state.max));
    gauge!("bettafish_db_up").set(if up { 1.0 } else { 0.0 });
}

pub(crate) fn cache_lookup(kind: &'static str, result: &'static str) {
    counter!("bettafish_cache_requests_total", "kind" => kind, "result" => result).increment(1);
}

pub(crate) fn rows_written(table: &'static str, rows: u64) {
    counter!("bettafish_rows_imported_total", "table" => table).increment(rows);
}

#[cfg(test)]
mod tests;
