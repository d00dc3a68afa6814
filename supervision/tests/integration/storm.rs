//! A restart storm: many children crashing in a loop. The supervisor must melt down exactly when
//! the intensity says, stop everything, and leave no tasks or actors behind.

use std::sync::Arc;
use std::time::Duration;

use ractor::ActorStatus;
use supervision::{Strategy, SupervisorExit, SupervisorRef, SupervisorSpec};

use super::eventually::eventually_async;
use super::util::{worker, ExitKind, Probe, Recorder};

const CHILDREN: usize = 50;
const MAX_RESTARTS: u32 = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_crashing_children_melt_down_at_the_right_moment() {
    let baseline_tasks = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let probe = Probe::new();
    let rec = Recorder::new();
    let mut spec = SupervisorSpec::new(Strategy::OneForOne)
        .intensity(MAX_RESTARTS, Duration::from_secs(3_600))
        .observer(rec.clone());
    let ids: Vec<String> = (0..CHILDREN).map(|i| format!("w{i}")).collect();
    for id in &ids {
        spec = spec.child(worker(id, &probe));
    }
    let root = SupervisorRef::start_root("storm", spec).await.unwrap();

    // Every child crashes over and over, from two tasks at once, until the tree is gone.
    let crashers: Vec<_> = [0usize, 1]
        .into_iter()
        .map(|half| {
            let probe = Arc::clone(&probe);
            let ids = ids.clone();
            let root = root.clone();
            tokio::spawn(async move {
                let mut i = half;
                while root.exit().is_none() {
                    let id = &ids[i % CHILDREN];
                    // Refusals are expected while a child is between incarnations.
                    let _ = probe
                        .current(id)
                        .send_message(super::util::WorkerMsg::Exit(ExitKind::Error));
                    i += 2;
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let exit = tokio::time::timeout(Duration::from_secs(30), root.wait())
        .await
        .unwrap();
    for crasher in crashers {
        crasher.await.unwrap();
    }
    assert!(matches!(exit, SupervisorExit::Meltdown { .. }), "{exit:?}");

    // Exactly MAX_RESTARTS restarts happened; the next failure melted it down.
    let events = rec.events();
    let restarts = events
        .iter()
        .filter(|e| e.what == "started" && e.restart)
        .count();
    assert_eq!(restarts, MAX_RESTARTS as usize);
    assert_eq!(events.iter().filter(|e| e.what == "meltdown").count(), 1);
    let total_starts: u64 = ids.iter().map(|id| probe.starts(id)).sum();
    assert_eq!(total_starts, CHILDREN as u64 + u64::from(MAX_RESTARTS));

    // Nothing is left running: every incarnation stopped, and the task count is back.
    for id in &ids {
        let status = probe.current(id).get_status();
        assert!(
            status == ActorStatus::Stopped || status == ActorStatus::Stopping,
            "{id} is {status:?}"
        );
    }
    eventually_async(
        "the tasks left alive after the meltdown to end",
        Duration::from_secs(10),
        || async {
            let alive = tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks();
            if alive <= baseline_tasks {
                Ok(())
            } else {
                Err(format!("{alive} alive, {baseline_tasks} before"))
            }
        },
    )
    .await;
}
