//! Every event here emits its metrics under the names and labels of [`super::METRICS`] and
//! `docs/METRICS.md`, and topics are labelled by their kind.

#[path = "../../../tests/support/metrics_contract.rs"]
mod metrics_contract;

use std::time::Duration;

use super::*;

#[test]
fn every_described_metric_is_emitted_as_documented() {
    let emitted = metrics_contract::record(|| {
        EventPublished { topic: "report/42" }.emit();
        EventsDropped {
            reason: "lagged",
            count: 3,
            newly_lagging: 1,
        }
        .emit();
        ReplayServed { result: "replayed" }.emit();
        EventRefused {
            reason: "too_large",
            topic: "ext/x",
            bytes: 2,
        }
        .emit();
        HistorySize { bytes: 1 }.emit();
        RedisLink::AttemptFailed {
            error: "still gone",
        }
        .emit();
        RedisLink::Connecting.emit();
        RedisLink::Up {
            epoch: 1,
            history: 10,
        }
        .emit();
        RedisLink::Down { error: "gone" }.emit();
        RedisLink::Reconnecting { attempt: 1 }.emit();
        redis_command(Duration::from_millis(1));
    });
    let described: Vec<&str> = METRICS.iter().map(|(name, _)| *name).collect();
    metrics_contract::check("events", &described, &emitted, env!("CARGO_MANIFEST_DIR"));
}

#[test]
fn topics_are_labelled_by_kind() {
    assert_eq!(topic_kind("report/42"), "report");
    assert_eq!(topic_kind("analysis/0123456789ab"), "analysis");
    assert_eq!(topic_kind("ext/anything"), "other");
}
