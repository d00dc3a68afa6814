//! Label values stay within fixed sets, and every event here emits its metrics under the names
//! and labels of [`super::METRICS`] and `docs/METRICS.md` (with the process metrics, which
//! are rendered by hand).

#[path = "../../tests/support/metrics_contract.rs"]
mod metrics_contract;

use std::time::Duration;

use super::*;

#[test]
fn labels_are_bounded() {
    assert_eq!(method_label("GET"), "GET");
    assert_eq!(method_label("BREW"), "other");
    assert_eq!(status_label(404), "404");
    assert_eq!(status_label(418), "4xx");
    assert_eq!(status_label(599), "5xx");
}

#[test]
fn every_described_metric_is_emitted_as_documented() {
    let ms = Duration::from_millis;
    let actor = ActorLabel::Own("root/infra/metrics");
    let mut emitted = metrics_contract::record(|| {
        HttpRequestFinished {
            method: "GET",
            route: "/healthz",
            status: 200,
            duration: ms(1),
        }
        .emit();
        ActorLifecycle::Started {
            actor,
            restart_took: Some(ms(3)),
            restart: true,
        }
        .emit();
        ActorLifecycle::Failed { actor }.emit();
        ActorLifecycle::Down { actor }.emit();
        ActorLifecycle::Meltdown { actor }.emit();
        ActorLifecycle::Command {
            actor,
            command: "restart",
        }
        .emit();
        ConfigReloaded {
            outcome: "ok",
            changed: 1,
        }
        .emit();
        let connection = RealtimeConnection::open("sse");
        connection.delivered(ms(2));
        connection.lagged(3);
        connection.dropped("stalled");
        drop(connection);
        build_info();
        ConnectionsOpen { open: 3 }.emit();
        ConnectionRefused.emit();
        ConnectionClosed {
            reason: crate::http::CloseReason::Evicted,
        }
        .emit();
        AcceptFailed {
            error: &std::io::Error::other("too many open files"),
            log: true,
            suppressed: 0,
            backoff: ms(10),
        }
        .emit();
        RequestRateLimited { scope: "address" }.emit();
    });
    let process = crate::process_metrics::render(&Default::default());
    emitted.extend(metrics_contract::exposed(&process));
    let described: Vec<&str> = METRICS
        .iter()
        .map(|(name, _)| *name)
        .chain(crate::process_metrics::METRIC_NAMES.iter().copied())
        .collect();
    metrics_contract::check(
        "bettafish",
        &described,
        &emitted,
        env!("CARGO_MANIFEST_DIR"),
    );
}
