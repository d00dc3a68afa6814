//! Every outcome of an LLM attempt emits its metrics under the names and labels of
//! [`super::METRICS`] and `docs/METRICS.md`.

#[path = "../../../tests/support/metrics_contract.rs"]
mod metrics_contract;

use std::time::Duration;

use super::*;

#[test]
fn every_described_metric_is_emitted_as_documented() {
    let emitted = metrics_contract::record(|| {
        for outcome in [
            LlmOutcome::Ok,
            LlmOutcome::Retryable,
            LlmOutcome::Error,
            LlmOutcome::CircuitOpen,
        ] {
            LlmAttempt {
                engine: "query",
                outcome,
                duration: Duration::from_millis(5),
            }
            .emit();
        }
    });
    let described: Vec<&str> = METRICS.iter().map(|(name, _)| *name).collect();
    metrics_contract::check("llm", &described, &emitted, env!("CARGO_MANIFEST_DIR"));
}
