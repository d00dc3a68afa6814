//! Every metric of this crate is emitted under the names and labels of [`super::METRICS`] and
//! `docs/METRICS.md`.

#[path = "../../../tests/support/metrics_contract.rs"]
mod metrics_contract;

use std::time::Duration;

use super::*;

#[test]
fn every_described_metric_is_emitted_as_documented() {
    let emitted = metrics_contract::record(|| {
        acquired(Duration::from_millis(1), true);
        acquired(Duration::from_millis(3), false);
        let state = PoolState {
            open: 3,
            idle: 1,
            max: 10,
        };
        pool_sampled(state, true);
        cache_lookup("memory", "hit");
        rows_written("posts", 3);
    });
    let described: Vec<&str> = METRICS.iter().map(|(name, _)| *name).collect();
    metrics_contract::check("storage", &described, &emitted, env!("CARGO_MANIFEST_DIR"));
}
