//! Backoff through the real supervisor, on tokio's paused clock: delays grow, cap, stay within
//! the jitter bounds and reset after a healthy run; a child waiting shows as backing off with the
//! time of its next attempt. No real sleeps: the clock jumps to each timer.

use std::time::Duration;

use supervision::{BackoffPolicy, NodeState, Strategy, SupervisorRef, SupervisorSpec};
use tokio::time::Instant;

use super::util::{node, worker, ExitKind, Probe, Recorder};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Crashes `id` and returns how long it took until its next incarnation started.
async fn crash_and_time(probe: &Probe, rec: &Recorder, path: &str, id: &str) -> Duration {
    let starts = probe.starts(id) as usize;
    let crashed_at = Instant::now();
    probe.exit(id, ExitKind::Error);
    rec.until_count(path, "started", starts + 1).await;
    *probe.start_times(id).last().unwrap() - crashed_at
}

#[tokio::test(start_paused = true)]
async fn delays_grow_cap_and_reset_after_a_healthy_run() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let policy = BackoffPolicy::exponential(ms(100), ms(1_000))
        .with_jitter(0.0)
        .with_reset_after(Duration::from_secs(10));
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(100, Duration::from_secs(1))
        .observer(rec.clone())
        .child(worker("w", &probe).backoff(policy));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    let mut delays = Vec::new();
    for _ in 0..6 {
        delays.push(crash_and_time(&probe, &rec, "root/w", "w").await);
    }
    assert_eq!(
        delays,
        [ms(100), ms(200), ms(400), ms(800), ms(1_000), ms(1_000)]
    );
    // A run shorter than reset_after keeps the sequence going...
    tokio::time::sleep(Duration::from_secs(9)).await;
    assert_eq!(crash_and_time(&probe, &rec, "root/w", "w").await, ms(1_000));
    // ...a healthy one starts it over.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(crash_and_time(&probe, &rec, "root/w", "w").await, ms(100));
    root.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn jittered_delays_stay_within_bounds() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let policy = BackoffPolicy::exponential(ms(100), ms(2_000)).with_jitter(0.5);
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(1_000, Duration::from_secs(1))
        .observer(rec.clone())
        .child(worker("w", &probe).backoff(policy));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    let mut distinct = std::collections::HashSet::new();
    for attempt in 0..12u32 {
        let delay = crash_and_time(&probe, &rec, "root/w", "w").await;
        let base = policy.base_delay(attempt);
        assert!(
            delay <= base && delay >= base / 2,
            "attempt {attempt}: {delay:?} vs base {base:?}"
        );
        distinct.insert(delay);
    }
    assert!(
        distinct.len() > 3,
        "jitter should spread delays: {distinct:?}"
    );
    root.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_child_waiting_shows_as_backing_off_with_its_next_attempt() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let policy =
        BackoffPolicy::exponential(Duration::from_secs(5), Duration::from_secs(5)).with_jitter(0.0);
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .observer(rec.clone())
        .child(worker("w", &probe).backoff(policy));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    probe.exit("w", ExitKind::Panic);
    rec.until_count("root/w", "restarting", 1).await;
    let waiting = node(&root, "root/w").await;
    assert_eq!(waiting.state, NodeState::BackingOff);
    assert_eq!(waiting.next_attempt_in, Some(Duration::from_secs(5)));
    assert_eq!(waiting.uptime, None);
    // Messages sent meanwhile are refused, not lost silently.
    let handle = root.lookup("root/w").await.unwrap();
    let refused = handle.send(super::util::WorkerMsg::Exit(ExitKind::Normal));
    assert!(matches!(
        refused,
        Err(supervision::SendError::Unavailable {
            message: Some(_),
            ..
        })
    ));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        node(&root, "root/w").await.next_attempt_in,
        Some(Duration::from_secs(3))
    );
    rec.until_count("root/w", "started", 2).await;
    assert_eq!(node(&root, "root/w").await.state, NodeState::Running);
    assert!(
        handle.current().is_some(),
        "the handle follows the new incarnation"
    );
    root.shutdown().await;
}

/// Start failures back off too, and the supervisor answers requests while a child waits.
#[tokio::test(start_paused = true)]
async fn failed_starts_back_off_and_requests_are_served_meanwhile() {
    let probe = Probe::new();
    let rec = Recorder::new();
    probe.fail_next_starts("w", 3);
    let policy = BackoffPolicy::exponential(ms(500), ms(10_000)).with_jitter(0.0);
    let spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(10, Duration::from_secs(60))
        .observer(rec.clone())
        .child(worker("w", &probe).backoff(policy));
    let started = Instant::now();
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    assert_eq!(node(&root, "root/w").await.state, NodeState::BackingOff);
    rec.until_count("root/w", "started", 1).await;
    // 500 + 1000 + 2000 ms of backoff before the fourth attempt succeeded.
    assert_eq!(probe.start_times("w")[0] - started, ms(3_500));
    root.shutdown().await;
}

/// A sibling's group restart does not let a crash-looping child skip its own backoff.
#[tokio::test(start_paused = true)]
async fn a_group_restart_keeps_a_siblings_backoff() {
    let probe = Probe::new();
    let rec = Recorder::new();
    let policy = BackoffPolicy::exponential(ms(1_000), ms(1_000)).with_jitter(0.0);
    let spec = SupervisorSpec::new(Strategy::OneForAll)
        .intensity(10, Duration::from_secs(60))
        .observer(rec.clone())
        .child(worker("other", &probe))
        .child(worker("looping", &probe).backoff(policy));
    let root = SupervisorRef::start_root("root", spec).await.unwrap();
    let crashed_at = Instant::now();
    probe.exit("looping", ExitKind::Panic);
    rec.until_count("root/looping", "restarting", 1).await;
    // `other` comes first, so it runs again at once; `looping` waits out its second.
    rec.until_count("root/other", "started", 2).await;
    assert_eq!(
        node(&root, "root/looping").await.state,
        NodeState::BackingOff
    );
    // `other` fails meanwhile: its group restart must leave `looping` waiting.
    probe.exit("other", ExitKind::Panic);
    rec.until_count("root/other", "started", 3).await;
    assert_eq!(
        node(&root, "root/looping").await.state,
        NodeState::BackingOff
    );
    rec.until_count("root/looping", "started", 2).await;
    assert_eq!(
        *probe.start_times("looping").last().unwrap() - crashed_at,
        ms(1_000)
    );
    root.shutdown().await;
}
