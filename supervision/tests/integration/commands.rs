//! Operator commands by path, lookups and snapshots: restart, stop and start are not failures;
//! a stopped child stays stopped; handles follow the current incarnation; dynamic supervisors
//! take and drop children at run time within `max_children`.

use std::time::Duration;

use supervision::{
    ChildSpec, NodeState, Restart, SendError, Strategy, SupervisorError, SupervisorRef,
    SupervisorSpec,
};

use super::util::{incarnation, node, unstartable, worker, ExitKind, Probe, Recorder, WorkerMsg};

async fn tree(probe: &std::sync::Arc<Probe>, rec: &std::sync::Arc<Recorder>) -> SupervisorRef {
    let engines = SupervisorSpec::new(Strategy::OneForAll)
        .child(worker("query", probe))
        .child(worker("media", probe));
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        // No restart may happen by failure in these tests: an operator's never counts.
        .intensity(0, Duration::from_secs(60))
        .observer(rec.clone())
        .child(worker("infra", probe))
        .child(ChildSpec::supervisor("engines", engines))
        .child(ChildSpec::supervisor("reports", SupervisorSpec::dynamic(2)));
    SupervisorRef::start_root("root", spec).await.unwrap()
}

#[tokio::test]
async fn operator_restart_is_not_a_failure() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let root = tree(&probe, &rec).await;
    for n in 1..=3 {
        root.restart("root/engines/query").await.unwrap();
        let query = node(&root, "root/engines/query").await;
        assert_eq!(query.state, NodeState::Running);
        assert_eq!(query.restarts, n);
        assert_eq!(incarnation(&probe, "query").await, n + 1);
    }
    // Intensity 0 would have melted the tree down at the first failure-driven restart.
    assert!(root.exit().is_none());
    assert_eq!(rec.count("root/engines/query", "command"), 3);
    // The sibling under one_for_all was left alone: an operator restarts one child.
    assert_eq!(probe.starts("media"), 1);
    // Restarting a whole supervisor restarts its subtree.
    root.restart("root/engines").await.unwrap();
    assert_eq!(node(&root, "root/engines").await.restarts, 1);
    assert_eq!(probe.starts("media"), 2);
    root.shutdown().await;
}

#[tokio::test]
async fn a_stopped_child_stays_stopped_until_started() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let engines = SupervisorSpec::new(Strategy::OneForAll)
        .intensity(5, Duration::from_secs(60))
        .child(worker("query", &probe))
        .child(worker("media", &probe));
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .observer(rec.clone())
        .child(ChildSpec::supervisor("engines", engines));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    root.stop("root/engines/media").await.unwrap();
    assert_eq!(
        node(&root, "root/engines/media").await.state,
        NodeState::Stopped
    );
    assert_eq!(probe.log().last().map(String::as_str), Some("stop:media"));
    // A sibling's failure under one_for_all does not bring it back.
    probe.exit("query", ExitKind::Panic);
    rec.until_count("root/engines/query", "started", 2).await;
    assert_eq!(
        node(&root, "root/engines/media").await.state,
        NodeState::Stopped
    );
    assert_eq!(probe.starts("media"), 1);
    // Stopping again is harmless; starting brings it back; starting a running child is a no-op.
    root.stop("root/engines/media").await.unwrap();
    root.start("root/engines/media").await.unwrap();
    root.start("root/engines/media").await.unwrap();
    assert_eq!(
        node(&root, "root/engines/media").await.state,
        NodeState::Running
    );
    assert_eq!(probe.starts("media"), 2);
    root.shutdown().await;
}

#[tokio::test]
async fn handles_follow_the_current_incarnation_and_refuse_while_stopped() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let root = tree(&probe, &rec).await;
    let handle = root.lookup("root/engines/query").await.unwrap();
    assert_eq!(handle.path(), "root/engines/query");
    let first = handle.current().unwrap().get_id();
    root.restart("root/engines/query").await.unwrap();
    let second = handle.current().unwrap().get_id();
    assert_ne!(first, second);
    let answer = ractor::call!(
        ractor::ActorRef::<WorkerMsg>::from(handle.current().unwrap()),
        WorkerMsg::Ping
    )
    .unwrap();
    assert_eq!(answer, 2);
    root.stop("root/engines/query").await.unwrap();
    match handle.send(WorkerMsg::Exit(ExitKind::Normal)) {
        Err(SendError::Unavailable { path, message }) => {
            assert_eq!(path, "root/engines/query");
            assert!(message.is_some(), "the refused message comes back");
        }
        other => panic!(
            "expected a refusal, got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    match handle.send(42u32) {
        Err(SendError::Unavailable { .. }) => {}
        other => panic!("{:?}", other.map_err(|e| e.to_string())),
    }
    root.start("root/engines/query").await.unwrap();
    assert!(matches!(
        handle.send(7u32),
        Err(SendError::WrongType { .. })
    ));
    assert!(handle.send(WorkerMsg::Exit(ExitKind::Normal)).is_ok());
    root.shutdown().await;
}

#[tokio::test]
async fn bad_paths_and_misdirected_commands_are_named() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let root = tree(&probe, &rec).await;
    let not_found = |p: &str| SupervisorError::NotFound(p.to_owned());
    assert_eq!(root.restart("root/nope").await, Err(not_found("root/nope")));
    assert_eq!(
        root.restart("other/infra").await,
        Err(not_found("other/infra"))
    );
    assert_eq!(
        root.restart("root/engines/nope").await,
        Err(not_found("root/engines/nope"))
    );
    assert_eq!(
        root.restart("root/infra/deeper").await,
        Err(not_found("root/infra/deeper"))
    );
    assert_eq!(
        root.restart("root//infra").await,
        Err(not_found("root//infra"))
    );
    assert_eq!(
        root.start_child("root/infra", worker("x", &probe)).await,
        Err(SupervisorError::NotASupervisor("root/infra".into()))
    );
    assert!(matches!(
        root.terminate_child("root").await,
        Err(SupervisorError::Unsupported { .. })
    ));
    // A stopped supervisor cannot route below itself.
    root.stop("root/engines").await.unwrap();
    assert_eq!(
        root.restart("root/engines/query").await,
        Err(SupervisorError::Unavailable("root/engines".into()))
    );
    let snap = root.snapshot().await.unwrap();
    assert_eq!(snap.find("root/engines").unwrap().children.len(), 0);
    root.shutdown().await;
}

#[tokio::test]
async fn dynamic_supervisor_takes_children_within_its_cap() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let root = tree(&probe, &rec).await;
    root.start_child(
        "root/reports",
        worker("r1", &probe).restart(Restart::Transient),
    )
    .await
    .unwrap();
    assert_eq!(
        root.start_child("root/reports", worker("r1", &probe)).await,
        Err(SupervisorError::AlreadyExists("r1".into()))
    );
    // A child whose start fails is not kept (and does not count toward the cap).
    let failed = root.start_child("root/reports", unstartable("bad")).await;
    assert!(
        matches!(failed, Err(SupervisorError::StartFailed { ref path, .. }) if path == "root/reports/bad")
    );
    root.start_child(
        "root/reports",
        worker("r2", &probe).restart(Restart::Transient),
    )
    .await
    .unwrap();
    assert_eq!(
        root.start_child("root/reports", worker("r3", &probe)).await,
        Err(SupervisorError::MaxChildren {
            path: "root/reports".into(),
            max: 2
        })
    );
    assert!(matches!(
        root.start_child(
            "root/reports",
            ChildSpec::worker("a/b", |_| async { unreachable!() })
        )
        .await,
        Err(SupervisorError::InvalidSpec(_))
    ));
    // A transient child that finishes normally is forgotten, freeing a place.
    probe.exit("r1", ExitKind::Normal);
    rec.until_count("root/reports/r1", "removed", 1).await;
    root.start_child("root/reports", worker("r3", &probe))
        .await
        .unwrap();
    // terminate_child stops and forgets.
    root.terminate_child("root/reports/r2").await.unwrap();
    let reports = node(&root, "root/reports").await;
    let ids: Vec<&str> = reports.children.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["r3"]);
    assert!(probe.log().contains(&"stop:r2".to_owned()));
    root.shutdown().await;
}

#[tokio::test]
async fn snapshot_shows_the_whole_tree() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let root = tree(&probe, &rec).await;
    root.start_child("root/reports", worker("r1", &probe))
        .await
        .unwrap();
    let snap = root.snapshot().await.unwrap();
    let paths: Vec<&str> = snap.walk().iter().map(|n| n.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "root",
            "root/infra",
            "root/engines",
            "root/engines/query",
            "root/engines/media",
            "root/reports",
            "root/reports/r1"
        ]
    );
    assert!(snap.walk().iter().all(|n| n.state == NodeState::Running));
    let engines = snap.find("root/engines").unwrap();
    assert_eq!(engines.strategy, Some(Strategy::OneForAll));
    assert!(engines.uptime.is_some());
    // The subtree alone, and its JSON form.
    let sub = root.snapshot_of("root/engines").await.unwrap();
    assert_eq!(sub.children.len(), 2);
    let json = serde_json::to_value(&sub).unwrap();
    assert_eq!(json["children"][0]["path"], "root/engines/query");
    assert_eq!(json["children"][0]["state"], "running");
    assert!(json["children"][0]["uptime_ms"].is_u64());
    root.shutdown().await;
}

/// A supervisor built by a factory picks up new settings when it is restarted.
#[tokio::test]
async fn factory_built_supervisors_take_new_settings_on_restart() {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    let probe = Probe::new();
    let rec = Recorder::new();
    let allowed = Arc::new(AtomicU32::new(0));
    let factory_probe = Arc::clone(&probe);
    let factory_allowed = Arc::clone(&allowed);
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(5, Duration::from_secs(60))
        .observer(rec.clone())
        .child(ChildSpec::supervisor_from("branch", move || {
            SupervisorSpec::new(Strategy::OneForOne)
                .intensity(
                    factory_allowed.load(Ordering::SeqCst),
                    Duration::from_secs(60),
                )
                .child(worker("w", &factory_probe))
        }));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    assert_eq!(
        node(&root, "root/branch").await.strategy,
        Some(Strategy::OneForOne)
    );
    // With intensity 0 the first crash escalates to the root...
    probe.exit("w", ExitKind::Panic);
    rec.until_count("root/branch", "meltdown", 1).await;
    rec.until_count("root/branch", "started", 2).await;
    // ...after a restart with intensity 1 the branch absorbs one.
    allowed.store(1, Ordering::SeqCst);
    root.restart("root/branch").await.unwrap();
    probe.exit("w", ExitKind::Panic);
    rec.until_count("root/branch/w", "started", 2).await;
    assert_eq!(rec.count("root/branch", "meltdown"), 1);
    root.shutdown().await;
}

/// A handle keeps reaching its child when a supervisor above it restarts (a meltdown that the
/// parent repairs, or an operator's restart of the branch).
#[tokio::test]
async fn handles_survive_their_supervisors_restarts() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let engines = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(0, Duration::from_secs(60))
        .child(worker("query", &probe));
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(5, Duration::from_secs(60))
        .observer(rec.clone())
        .child(ChildSpec::supervisor("engines", engines));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    let handle = root.lookup("root/engines/query").await.unwrap();
    let first = handle.current().unwrap().get_id();
    // Intensity 0: the crash melts `engines` down; the root starts it again.
    probe.exit("query", ExitKind::Panic);
    rec.until_count("root/engines", "started", 2).await;
    let second = handle
        .current()
        .expect("the old handle reaches the new incarnation");
    assert_ne!(second.get_id(), first);
    root.restart("root/engines").await.unwrap();
    let third = handle.current().unwrap();
    assert_ne!(third.get_id(), second.get_id());
    assert!(handle.send(WorkerMsg::Exit(ExitKind::Normal)).is_ok());
    root.shutdown().await;
}

/// Under rest_for_one, children waiting behind a backing-off child start when an operator
/// takes that child out of line.
#[tokio::test(start_paused = true)]
async fn waiting_siblings_start_when_an_operator_stops_the_child_they_wait_for() {
    use supervision::BackoffPolicy;
    let probe = Probe::new();
    let rec = Recorder::new();
    let slow = BackoffPolicy::exponential(Duration::from_secs(3_600), Duration::from_secs(3_600));
    let spec = SupervisorSpec::new(Strategy::RestForOne)
        .intensity(10, Duration::from_secs(60))
        .observer(rec.clone())
        .child(worker("a", &probe).backoff(slow))
        .child(worker("b", &probe));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    probe.exit("a", ExitKind::Panic);
    rec.until_count("root/a", "restarting", 1).await;
    assert_eq!(node(&root, "root/a").await.state, NodeState::BackingOff);
    assert_eq!(node(&root, "root/b").await.state, NodeState::Restarting);
    root.stop("root/a").await.unwrap();
    assert_eq!(node(&root, "root/a").await.state, NodeState::Stopped);
    assert_eq!(node(&root, "root/b").await.state, NodeState::Running);
    assert_eq!(probe.starts("b"), 2);
    root.shutdown().await;
}
