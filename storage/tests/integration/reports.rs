//! The report queue on both backends: a task is claimed once, its lease renewed and its writes
//! fenced by owner and token, taken over when the lease runs out, ended as an error once it
//! ran out of attempts, cancelled differently pending and running. And on many claim loops
//! over two handles (two instances): every task claimed exactly once. What a task leaves to
//! read (events, history, counts) is in `report_history`.

use std::collections::BTreeMap;

use storage::reports::{
    CancelOutcome, Holder, LeaseState, NewReportTask, ReportEnding, ReportStatus,
};
use storage::{Database, StorageError};

use super::backends::{self, on_each_backend, Backend};

on_each_backend!(
    a_task_is_claimed_renewed_and_finished_once,
    a_stale_holder_cannot_write_after_a_takeover,
    a_task_out_of_attempts_ends_as_an_error,
    cancel_depends_on_where_the_task_is,
    parallel_claims_from_two_instances_take_each_task_once,
);

pub const T0: i64 = 1_800_000_000_000;
pub const LEASE: i64 = 30_000;
pub const MAX_ATTEMPTS: i64 = 3;

pub fn task(id: &str, created_at: i64) -> NewReportTask<'_> {
    NewReportTask {
        id,
        analysis_id: None,
        query: "极澜汽车 召回",
        template: Some("brand_reputation"),
        custom_template: None,
        created_at,
    }
}

pub fn ending(status: ReportStatus) -> ReportEnding<'static> {
    ReportEnding {
        status,
        error: None,
        document: None,
        markdown: None,
        html: None,
    }
}

async fn status(db: &Database, id: &str) -> ReportStatus {
    db.report_task(id).await.unwrap().unwrap().status
}

async fn a_task_is_claimed_renewed_and_finished_once(b: Backend) {
    let db = &b.db;
    let mut new = task("r-1", T0);
    new.custom_template = Some("# {title}");
    db.create_report_task(&new).await.unwrap();
    let taken = db.create_report_task(&task("r-1", T0 + 1)).await;
    assert!(matches!(taken, Err(StorageError::Conflict(_))), "{taken:?}");
    let stored = db.report_task("r-1").await.unwrap().unwrap();
    assert_eq!(
        (
            stored.status,
            stored.progress,
            stored.attempts,
            stored.owner
        ),
        (ReportStatus::Pending, 0, 0, None)
    );
    assert_eq!(stored.custom_template.as_deref(), Some("# {title}"));
    assert!(!stored.cancel_requested);
    assert_eq!(db.report_task("r-none").await.unwrap(), None);

    let claimed = db
        .claim_report_task("node-a", T0 + 10, LEASE, MAX_ATTEMPTS)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.token, 1, "{}", b.name);
    assert_eq!(claimed.task.id, "r-1");
    assert_eq!(claimed.task.status, ReportStatus::Running);
    assert_eq!(claimed.task.owner.as_deref(), Some("node-a"));
    assert_eq!(claimed.task.lease_until, Some(T0 + 10 + LEASE));
    assert_eq!(claimed.task.attempts, 1);
    let none = db.claim_report_task("node-b", T0 + 20, LEASE, MAX_ATTEMPTS);
    assert_eq!(
        none.await.unwrap(),
        None,
        "a held task is not claimed twice"
    );

    let holder = Holder {
        owner: "node-a",
        token: claimed.token,
    };
    let renewed = db.renew_report_lease("r-1", &holder, T0 + 1_000, LEASE);
    assert_eq!(
        renewed.await.unwrap(),
        LeaseState::Held {
            cancel_requested: false
        }
    );
    let renewed = db.report_task("r-1").await.unwrap().unwrap();
    assert_eq!(renewed.lease_until, Some(T0 + 1_000 + LEASE));
    let saved = db.save_report_progress("r-1", &holder, 40, Some("{\"chapters\":[1]}"), T0 + 2_000);
    assert!(saved.await.unwrap());
    let saved = db.save_report_progress("r-1", &holder, 55, None, T0 + 3_000);
    assert!(saved.await.unwrap());
    let saved = db.report_task("r-1").await.unwrap().unwrap();
    assert_eq!(saved.progress, 55);
    assert_eq!(
        saved.checkpoint.as_deref(),
        Some("{\"chapters\":[1]}"),
        "no checkpoint keeps the last"
    );
    assert_eq!(saved.updated_at, T0 + 3_000);

    let not_an_end = ending(ReportStatus::Running);
    let running = db.finish_report_task("r-1", &holder, &not_an_end, T0);
    assert!(matches!(running.await, Err(StorageError::Invalid(_))));
    let done = ReportEnding {
        document: Some("{\"chapters\":[]}"),
        markdown: Some("# Report"),
        html: Some("<h1>Report</h1>"),
        ..ending(ReportStatus::Completed)
    };
    assert!(db
        .finish_report_task("r-1", &holder, &done, T0 + 4_000)
        .await
        .unwrap());
    let finished = db.report_task("r-1").await.unwrap().unwrap();
    assert_eq!(finished.status, ReportStatus::Completed);
    assert_eq!(finished.progress, 100);
    assert_eq!((finished.owner, finished.lease_until), (None, None));
    assert_eq!(finished.finished_at, Some(T0 + 4_000));
    assert_eq!(finished.document.as_deref(), Some("{\"chapters\":[]}"));
    assert_eq!(finished.markdown.as_deref(), Some("# Report"));
    assert_eq!(finished.html.as_deref(), Some("<h1>Report</h1>"));
    assert!(
        !db.finish_report_task("r-1", &holder, &done, T0 + 5_000)
            .await
            .unwrap(),
        "a task ends once"
    );
    assert_eq!(
        db.renew_report_lease("r-1", &holder, T0 + 5_000, LEASE)
            .await
            .unwrap(),
        LeaseState::Lost
    );
    let none = db.claim_report_task("node-b", T0 + 99 * LEASE, LEASE, MAX_ATTEMPTS);
    assert_eq!(none.await.unwrap(), None, "an ended task is not claimed");
}

async fn a_stale_holder_cannot_write_after_a_takeover(b: Backend) {
    let db = &b.db;
    db.create_report_task(&task("r-1", T0)).await.unwrap();
    let first = db.claim_report_task("node-a", T0, LEASE, MAX_ATTEMPTS);
    let first = first.await.unwrap().unwrap();
    let a = Holder {
        owner: "node-a",
        token: first.token,
    };
    assert!(db
        .save_report_progress("r-1", &a, 30, Some("chapters 1-2"), T0 + 1)
        .await
        .unwrap());
    let early = db.claim_report_task("node-b", T0 + LEASE - 1, LEASE, MAX_ATTEMPTS);
    assert_eq!(early.await.unwrap(), None, "the lease still runs");

    // node-a stalls; its lease runs out and node-b takes over where it left off.
    let second = db.claim_report_task("node-b", T0 + LEASE + 1, LEASE, MAX_ATTEMPTS);
    let second = second.await.unwrap().unwrap();
    assert_eq!((second.token, second.task.attempts), (2, 2), "{}", b.name);
    assert_eq!(second.task.owner.as_deref(), Some("node-b"));
    assert_eq!(second.task.checkpoint.as_deref(), Some("chapters 1-2"));
    assert_eq!(second.task.progress, 30);
    let b_holder = Holder {
        owner: "node-b",
        token: second.token,
    };

    let now = T0 + LEASE + 2;
    assert_eq!(
        db.renew_report_lease("r-1", &a, now, LEASE).await.unwrap(),
        LeaseState::Lost
    );
    assert!(!db
        .save_report_progress("r-1", &a, 90, Some("stale"), now)
        .await
        .unwrap());
    let stale_end = ReportEnding {
        error: Some("stale"),
        ..ending(ReportStatus::Error)
    };
    assert!(!db
        .finish_report_task("r-1", &a, &stale_end, now)
        .await
        .unwrap());
    let kept = db.report_task("r-1").await.unwrap().unwrap();
    assert_eq!(kept.status, ReportStatus::Running);
    assert_eq!(kept.owner.as_deref(), Some("node-b"));
    assert_eq!(
        (kept.progress, kept.checkpoint.as_deref()),
        (30, Some("chapters 1-2"))
    );

    // The same instance claiming again holds a new token: its old one is fenced too.
    let third = db.claim_report_task("node-a", now + 2 * LEASE, LEASE, MAX_ATTEMPTS);
    let third = third.await.unwrap().unwrap();
    assert_eq!(third.token, 3);
    for stale in [&a, &b_holder] {
        assert_eq!(
            db.renew_report_lease("r-1", stale, now + 2 * LEASE, LEASE)
                .await
                .unwrap(),
            LeaseState::Lost
        );
    }
    let a_again = Holder {
        owner: "node-a",
        token: third.token,
    };
    assert!(db
        .finish_report_task(
            "r-1",
            &a_again,
            &ending(ReportStatus::Completed),
            now + 3 * LEASE
        )
        .await
        .unwrap());
}

async fn a_task_out_of_attempts_ends_as_an_error(b: Backend) {
    let db = &b.db;
    let max = 2;
    db.create_report_task(&task("r-dies", T0)).await.unwrap();
    db.create_report_task(&task("r-live", T0 + 1))
        .await
        .unwrap();
    let mut now = T0;
    for attempt in 1..=max {
        let claimed = db.claim_report_task("node", now, LEASE, max).await.unwrap();
        assert_eq!(
            claimed.map(|c| (c.task.id, c.token)),
            Some(("r-dies".into(), attempt))
        );
        now += LEASE + 1;
    }
    // r-dies has had its tries and its lease expired: claims pass it over for r-live…
    let live = db.claim_report_task("node", now, LEASE, max).await.unwrap();
    assert_eq!(live.map(|c| c.task.id).as_deref(), Some("r-live"));
    // …and the sweep ends it, leaving the live lease alone.
    let failed = db
        .fail_exhausted_report_tasks(now, max, "no instance could finish it")
        .await
        .unwrap();
    assert_eq!(failed, ["r-dies"], "{}", b.name);
    let dead = db.report_task("r-dies").await.unwrap().unwrap();
    assert_eq!(dead.status, ReportStatus::Error);
    assert_eq!(dead.error.as_deref(), Some("no instance could finish it"));
    assert_eq!(dead.finished_at, Some(now));
    assert_eq!((dead.owner, dead.lease_until), (None, None));
    assert_eq!(status(db, "r-live").await, ReportStatus::Running);
    let again = db.fail_exhausted_report_tasks(now, max, "again").await;
    assert_eq!(again.unwrap(), Vec::<String>::new());
    // An expired task with tries left is claimable, not failed.
    let later = now + LEASE + 1;
    let swept = db
        .fail_exhausted_report_tasks(later, max, "x")
        .await
        .unwrap();
    assert_eq!(swept, Vec::<String>::new());
    let retaken = db
        .claim_report_task("node", later, LEASE, max)
        .await
        .unwrap();
    assert_eq!(
        retaken.map(|c| (c.task.id, c.token)),
        Some(("r-live".into(), 2))
    );
}

async fn cancel_depends_on_where_the_task_is(b: Backend) {
    let db = &b.db;
    for (id, at) in [("r-pending", T0), ("r-running", T0 + 1), ("r-done", T0 + 2)] {
        db.create_report_task(&task(id, at)).await.unwrap();
    }
    assert_eq!(
        db.request_report_cancel("r-pending", T0 + 5).await.unwrap(),
        CancelOutcome::Cancelled
    );
    let cancelled = db.report_task("r-pending").await.unwrap().unwrap();
    assert_eq!(cancelled.status, ReportStatus::Cancelled);
    assert_eq!(cancelled.finished_at, Some(T0 + 5));
    assert!(cancelled.error.is_some());

    // Claims skip the cancelled task: the next two are r-running and r-done.
    let mut holders = Vec::new();
    for expected in ["r-running", "r-done"] {
        let c = db.claim_report_task("node-a", T0 + 10, LEASE, MAX_ATTEMPTS);
        let c = c.await.unwrap().unwrap();
        assert_eq!(c.task.id, expected, "{}", b.name);
        holders.push(c.token);
    }
    let done = Holder {
        owner: "node-a",
        token: holders[1],
    };
    assert!(db
        .finish_report_task("r-done", &done, &ending(ReportStatus::Completed), T0 + 20)
        .await
        .unwrap());

    assert_eq!(
        db.request_report_cancel("r-running", T0 + 30)
            .await
            .unwrap(),
        CancelOutcome::Requested {
            owner: Some("node-a".into())
        }
    );
    let running = Holder {
        owner: "node-a",
        token: holders[0],
    };
    assert_eq!(
        db.renew_report_lease("r-running", &running, T0 + 40, LEASE)
            .await
            .unwrap(),
        LeaseState::Held {
            cancel_requested: true
        },
        "the holder hears of the cancel at its next renewal"
    );
    assert_eq!(status(db, "r-running").await, ReportStatus::Running);
    assert!(db
        .finish_report_task(
            "r-running",
            &running,
            &ending(ReportStatus::Cancelled),
            T0 + 50
        )
        .await
        .unwrap());

    for (id, ended) in [
        ("r-pending", ReportStatus::Cancelled),
        ("r-running", ReportStatus::Cancelled),
        ("r-done", ReportStatus::Completed),
    ] {
        assert_eq!(
            db.request_report_cancel(id, T0 + 60).await.unwrap(),
            CancelOutcome::AlreadyEnded(ended)
        );
    }
    assert_eq!(
        db.request_report_cancel("r-none", T0).await.unwrap(),
        CancelOutcome::NotFound
    );
}

/// Two handles on one database are two instances. Many claim loops on each, all at once, over
/// a queue of tasks: each task is claimed exactly once and every task is claimed.
async fn parallel_claims_from_two_instances_take_each_task_once(b: Backend) {
    const TASKS: i64 = 30;
    const LOOPS_PER_INSTANCE: usize = 8;
    let other = Database::open(&b.url, &backends::settings()).await.unwrap();
    for i in 0..TASKS {
        let id = format!("r-{i:02}");
        // A few share a millisecond, so the claim order's tie-break is exercised too.
        db_create(&b.db, &id, T0 + i / 3).await;
    }
    let mut loops = tokio::task::JoinSet::new();
    for (instance, db) in [("node-a", b.db.clone()), ("node-b", other.clone())] {
        for n in 0..LOOPS_PER_INSTANCE {
            let db = db.clone();
            let owner = format!("{instance}/{n}");
            loops.spawn(async move {
                let mut taken = Vec::new();
                while let Some(c) = db
                    .claim_report_task(&owner, T0 + 100, LEASE, MAX_ATTEMPTS)
                    .await
                    .unwrap()
                {
                    assert_eq!(c.token, 1);
                    assert_eq!(c.task.owner.as_deref(), Some(owner.as_str()));
                    taken.push(c.task.id);
                }
                taken
            });
        }
    }
    let mut claims: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(taken) = loops.join_next().await {
        for id in taken.unwrap() {
            *claims.entry(id).or_default() += 1;
        }
    }
    assert_eq!(claims.len() as i64, TASKS, "{}: {claims:?}", b.name);
    assert!(claims.values().all(|&n| n == 1), "{}: {claims:?}", b.name);
    let counts = b.db.report_task_counts().await.unwrap();
    assert!(
        counts.contains(&(ReportStatus::Running, TASKS)),
        "{counts:?}"
    );
    other.close().await;
}

pub async fn db_create(db: &Database, id: &str, at: i64) {
    db.create_report_task(&task(id, at)).await.unwrap();
}
