//! Every event here emits its metrics under the names and labels of [`super::METRICS`] and
//! `docs/METRICS.md`.

#[path = "../../../tests/support/metrics_contract.rs"]
mod metrics_contract;

use std::time::Duration;

use super::*;

#[test]
fn every_described_metric_is_emitted_as_documented() {
    let emitted = metrics_contract::record(|| {
        EngineJobEnded {
            engine: "media",
            outcome: "done",
            duration: Duration::from_millis(5),
        }
        .emit();
        AnalysisEnded {
            outcome: storage::analyses::AnalysisStatus::Partial,
        }
        .emit();
        ReportTaskEnded {
            status: storage::reports::ReportStatus::Completed,
            duration: Duration::from_millis(800),
        }
        .emit();
        ReportChapterWritten {
            outcome: "repaired",
        }
        .emit();
    });
    let described: Vec<&str> = METRICS.iter().map(|(name, _)| *name).collect();
    metrics_contract::check("actors", &described, &emitted, env!("CARGO_MANIFEST_DIR"));
}
