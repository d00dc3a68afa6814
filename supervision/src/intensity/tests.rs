//! The intensity rule against a direct restatement of OTP's `add_restart`, by property.

use std::time::Duration;

use proptest::prelude::*;
use tokio::time::Instant;

use super::RestartWindow;
use crate::spec::Intensity;

fn window(max_restarts: u32, period_ms: u64) -> RestartWindow {
    RestartWindow::new(Intensity {
        max_restarts,
        period: Duration::from_millis(period_ms),
    })
}

#[test]
fn exactly_max_restarts_pass_and_one_more_fails() {
    let start = Instant::now();
    let mut w = window(3, 1_000);
    for i in 0..3 {
        assert!(
            w.record(start + Duration::from_millis(i)).is_ok(),
            "restart {i}"
        );
    }
    let err = w.record(start + Duration::from_millis(3)).unwrap_err();
    assert_eq!(err.restarts, 4);
}

#[test]
fn zero_intensity_refuses_the_first_restart() {
    let mut w = window(0, 1_000);
    assert!(w.record(Instant::now()).is_err());
}

#[test]
fn restarts_slower_than_the_window_never_exceed() {
    let start = Instant::now();
    let mut w = window(1, 100);
    for i in 0..1_000u64 {
        assert!(w.record(start + Duration::from_millis(i * 101)).is_ok());
        assert!(w.len() <= 1);
    }
}

#[test]
fn a_restart_exactly_one_period_old_still_counts() {
    let start = Instant::now();
    let mut w = window(1, 100);
    assert!(w.record(start).is_ok());
    assert!(w.record(start + Duration::from_millis(100)).is_err());
}

proptest! {
    /// Agrees with the OTP rule restated naively: the restart at time t is refused iff more than
    /// max_restarts of the accepted-or-refused restarts so far lie within [t - period, t].
    #[test]
    fn agrees_with_naive_restatement(
        max_restarts in 0u32..6,
        period_ms in 1u64..200,
        gaps in proptest::collection::vec(0u64..120, 1..60),
    ) {
        let start = Instant::now();
        let mut w = window(max_restarts, period_ms);
        let mut times: Vec<u64> = Vec::new();
        let mut t = 0u64;
        for gap in gaps {
            t += gap;
            // The naive model forgets restarts exactly as the window does after a refusal:
            // the supervisor is gone, so a fresh window starts.
            let in_window = times.iter().filter(|&&s| t - s <= period_ms).count() + 1;
            let expected_ok = in_window <= max_restarts as usize;
            let got = w.record(start + Duration::from_millis(t));
            prop_assert_eq!(got.is_ok(), expected_ok, "t={} times={:?}", t, times);
            if expected_ok {
                times.push(t);
            } else {
                w = window(max_restarts, period_ms);
                times.clear();
            }
            prop_assert!(w.len() <= max_restarts as usize + 1);
        }
    }
}
