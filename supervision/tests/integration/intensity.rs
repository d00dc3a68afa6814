//! Restart intensity through the real supervisor: exactly `max_restarts` pass, one more
//! escalates (stopping the children in reverse order), escalation reaches the parent for every
//! strategy, and failures slower than the window never escalate.

use std::time::Duration;

use supervision::{ChildSpec, NodeState, Strategy, SupervisorExit, SupervisorRef, SupervisorSpec};

use super::util::{node, worker, ExitKind, Probe, Recorder};

#[tokio::test]
async fn exactly_max_restarts_pass_and_one_more_melts_down() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(3, Duration::from_secs(60))
        .observer(rec.clone())
        .child(worker("a", &probe))
        .child(worker("b", &probe))
        .child(worker("c", &probe));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    for n in 1..=3 {
        probe.exit("b", ExitKind::Panic);
        rec.until_count("root/b", "started", n + 1).await;
        assert!(root.exit().is_none(), "restart {n} must pass");
    }
    probe.clear_log();
    probe.exit("b", ExitKind::Panic);
    let exit = tokio::time::timeout(Duration::from_secs(10), root.wait())
        .await
        .unwrap();
    match exit {
        SupervisorExit::Meltdown { path, reason } => {
            assert_eq!(path, "root");
            assert!(reason.contains("b panicked on purpose"), "{reason}");
        }
        other => panic!("expected a meltdown, got {other:?}"),
    }
    assert_eq!(rec.count("root", "meltdown"), 1);
    // The siblings were stopped, in reverse start order, and b was not started again.
    assert_eq!(probe.log(), ["stop:c", "stop:a"]);
    assert_eq!(probe.starts("b"), 4);
    assert!(
        root.snapshot().await.is_err(),
        "a melted-down root answers no more"
    );
}

/// An inner supervisor that melts down is restarted by its parent, whatever its strategy.
#[tokio::test]
async fn escalation_reaches_the_parent_for_every_strategy() {
    for strategy in [
        Strategy::OneForOne,
        Strategy::OneForAll,
        Strategy::RestForOne,
    ] {
        let probe = Probe::new();
        let rec = Recorder::new();
        let inner = SupervisorSpec::new(strategy)
            .intensity(1, Duration::from_secs(60))
            .child(worker("x", &probe))
            .child(worker("y", &probe));
        let spec = SupervisorSpec::new(Strategy::OneForOne)
            .intensity(5, Duration::from_secs(60))
            .observer(rec.clone())
            .child(worker("sibling", &probe))
            .child(ChildSpec::supervisor("inner", inner));
        let root = SupervisorRef::start_root("root", spec).await.unwrap();
        probe.exit("x", ExitKind::Error);
        rec.until_count("root/inner/x", "started", 2).await;
        probe.exit("x", ExitKind::Error);
        rec.until_count("root/inner", "meltdown", 1).await;
        rec.until_count("root/inner", "started", 2).await;
        let inner_node = node(&root, "root/inner").await;
        assert_eq!(inner_node.state, NodeState::Running, "{strategy:?}");
        assert_eq!(inner_node.restarts, 1, "{strategy:?}");
        assert!(
            inner_node.last_failure.unwrap().reason.contains("meltdown"),
            "{strategy:?}"
        );
        // A fresh inner supervisor started fresh children; the root's other child was untouched.
        assert_eq!(probe.starts("x"), 3, "{strategy:?}");
        // y was also restarted by x's first failure, unless the strategy is one_for_one.
        let y_group = u64::from(strategy != Strategy::OneForOne);
        assert_eq!(probe.starts("y"), 2 + y_group, "{strategy:?}");
        assert_eq!(probe.starts("sibling"), 1, "{strategy:?}");
        assert!(root.exit().is_none());
        root.shutdown().await;
    }
}

/// A child that fails more slowly than the window allows never escalates (paused clock).
#[tokio::test(start_paused = true)]
async fn failures_slower_than_the_window_never_escalate() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(2, Duration::from_secs(1))
        .observer(rec.clone())
        .child(worker("slow", &probe));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    for n in 1..=30 {
        // Two failures per second at most would be allowed; one every 600 ms never exceeds it.
        tokio::time::sleep(Duration::from_millis(600)).await;
        probe.exit("slow", ExitKind::Panic);
        rec.until_count("root/slow", "started", n + 1).await;
    }
    assert!(root.exit().is_none());
    assert_eq!(node(&root, "root/slow").await.restarts, 30);
    // After a quiet spell, three quick failures in a row do escalate.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for n in 0..3 {
        probe.exit("slow", ExitKind::Panic);
        if n < 2 {
            rec.until_count("root/slow", "started", 32 + n).await;
        }
    }
    assert!(matches!(root.wait().await, SupervisorExit::Meltdown { .. }));
}
