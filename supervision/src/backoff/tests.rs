//! Backoff bounds: growth, cap, jitter range and reset, checked exhaustively and by property.

use std::time::Duration;

use proptest::prelude::*;

use super::{Backoff, BackoffPolicy};

#[test]
fn none_never_waits() {
    let mut backoff = Backoff::default();
    let mut rng = fastrand::Rng::with_seed(1);
    for _ in 0..100 {
        assert_eq!(
            backoff.next_delay(&BackoffPolicy::NONE, &mut rng),
            Duration::ZERO
        );
    }
}

#[test]
fn delays_double_then_cap_without_jitter() {
    let policy = BackoffPolicy::exponential(Duration::from_millis(10), Duration::from_millis(100))
        .with_jitter(0.0);
    let mut backoff = Backoff::default();
    let mut rng = fastrand::Rng::with_seed(1);
    let delays: Vec<u64> = (0..7)
        .map(|_| backoff.next_delay(&policy, &mut rng).as_millis() as u64)
        .collect();
    assert_eq!(delays, vec![10, 20, 40, 80, 100, 100, 100]);
}

#[test]
fn healthy_run_resets_and_short_run_does_not() {
    let policy = BackoffPolicy::exponential(Duration::from_millis(10), Duration::from_secs(1))
        .with_jitter(0.0)
        .with_reset_after(Duration::from_secs(5));
    let mut backoff = Backoff::default();
    let mut rng = fastrand::Rng::with_seed(7);
    backoff.next_delay(&policy, &mut rng);
    backoff.next_delay(&policy, &mut rng);
    backoff.note_run(&policy, Duration::from_secs(4));
    assert_eq!(
        backoff.next_delay(&policy, &mut rng),
        Duration::from_millis(40)
    );
    backoff.note_run(&policy, Duration::from_secs(5));
    assert_eq!(
        backoff.next_delay(&policy, &mut rng),
        Duration::from_millis(10)
    );
}

#[test]
fn huge_attempt_counts_do_not_overflow() {
    let policy = BackoffPolicy::exponential(Duration::from_secs(1), Duration::from_secs(60));
    assert_eq!(policy.base_delay(u32::MAX), Duration::from_secs(60));
    assert_eq!(policy.base_delay(64), Duration::from_secs(60));
}

#[test]
fn validation_names_the_bad_bound() {
    let inverted = BackoffPolicy::exponential(Duration::from_secs(2), Duration::from_secs(1));
    assert!(inverted.validate().unwrap_err().contains("min"));
    let jitter =
        BackoffPolicy::exponential(Duration::ZERO, Duration::from_secs(1)).with_jitter(1.5);
    assert!(jitter.validate().unwrap_err().contains("jitter"));
}

proptest! {
    /// Every delay lies within [base·(1−jitter), base], base = min(max, min·2ⁿ), and never above max.
    #[test]
    fn delays_stay_within_jitter_bounds(
        min_ms in 0u64..1_000,
        extra_ms in 0u64..60_000,
        jitter in 0.0f64..=1.0,
        seed in any::<u64>(),
        steps in 1usize..40,
    ) {
        let policy = BackoffPolicy::exponential(
            Duration::from_millis(min_ms),
            Duration::from_millis(min_ms + extra_ms),
        ).with_jitter(jitter);
        let mut backoff = Backoff::default();
        let mut rng = fastrand::Rng::with_seed(seed);
        for n in 0..steps {
            let base = policy.base_delay(n as u32);
            let delay = backoff.next_delay(&policy, &mut rng);
            prop_assert!(delay <= base);
            prop_assert!(delay <= policy.max);
            let floor = base.mul_f64(1.0 - jitter);
            // mul_f64 rounds to nanoseconds; allow one of slack.
            prop_assert!(delay + Duration::from_nanos(1) >= floor, "{delay:?} < {floor:?}");
        }
    }
}
