//! Ordered shutdown: children stop in reverse start order through nested supervisors, each by
//! its policy — graceful within a timeout and then killed, killed at once, or waited for.

use std::time::Duration;

use supervision::{ChildSpec, Shutdown, Strategy, SupervisorExit, SupervisorRef, SupervisorSpec};
use tokio::time::Instant;

use super::util::{worker, Probe};

#[tokio::test]
async fn children_stop_in_reverse_start_order_through_the_tree() {
    let probe = Probe::new();
    let inner = SupervisorSpec::new(Strategy::RestForOne)
        .child(worker("b1", &probe))
        .child(worker("b2", &probe));
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(worker("a", &probe))
        .child(ChildSpec::supervisor("b", inner))
        .child(worker("c", &probe));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    assert_eq!(probe.log(), ["start:a", "start:b1", "start:b2", "start:c"]);
    probe.clear_log();
    assert_eq!(
        root.shutdown().await,
        SupervisorExit::Shutdown("root".into())
    );
    assert_eq!(probe.log(), ["stop:c", "stop:b2", "stop:b1", "stop:a"]);
}

/// A child that does not stop within its timeout is killed (its post_stop never finishes); the
/// shutdown takes the timeout, not the child's 60 s. Paused clock: no real waiting.
#[tokio::test(start_paused = true)]
async fn a_slow_child_is_killed_after_its_timeout() {
    let probe = Probe::new();
    probe.slow_stop("stubborn", Duration::from_secs(60));
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(worker("first", &probe))
        .child(worker("stubborn", &probe).shutdown(Shutdown::Timeout(Duration::from_millis(250))))
        .child(worker("last", &probe));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    probe.clear_log();
    let began = Instant::now();
    root.shutdown().await;
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(1),
        "took {took:?}"
    );
    // Killed mid-post_stop: its stop never logged; the others stopped in order around it.
    assert_eq!(probe.log(), ["stop:last", "stop:first"]);
    assert_eq!(
        probe.current("stubborn").get_status(),
        ractor::ActorStatus::Stopped
    );
}

#[tokio::test(start_paused = true)]
async fn brutal_kills_at_once_and_infinity_waits() {
    let probe = Probe::new();
    probe.slow_stop("patient", Duration::from_secs(30));
    probe.slow_stop("brutal", Duration::from_secs(30));
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(worker("patient", &probe).shutdown(Shutdown::Infinity))
        .child(worker("brutal", &probe).shutdown(Shutdown::Brutal));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    probe.clear_log();
    let began = Instant::now();
    root.shutdown().await;
    // brutal: no post_stop at all; patient: its full 30 s post_stop, waited for.
    assert_eq!(probe.log(), ["stop:patient"]);
    assert_eq!(began.elapsed(), Duration::from_secs(30));
}

/// Stopping one child by command uses the same protocol.
#[tokio::test(start_paused = true)]
async fn an_operator_stop_honours_the_timeout_too() {
    let probe = Probe::new();
    probe.slow_stop("w", Duration::from_secs(60));
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .child(worker("w", &probe).shutdown(Shutdown::Timeout(Duration::from_secs(2))));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    let began = Instant::now();
    root.stop("root/w").await.unwrap();
    assert_eq!(began.elapsed(), Duration::from_secs(2));
    root.shutdown().await;
}
