//! What a report task leaves to read, on both backends: its events numbered 1, 2, 3… per task
//! (also under concurrent appends from two instances) and read after a number; the history
//! paged newest first by (created_at, id) without repeats or gaps; counts for every status.

use std::collections::BTreeMap;

use storage::reports::{Holder, PageCursor, ReportStatus};
use storage::{Database, StorageError};

use super::backends::{self, on_each_backend, Backend};
use super::reports::{db_create, ending, task, LEASE, MAX_ATTEMPTS, T0};

on_each_backend!(
    events_are_numbered_per_task_and_read_after_a_number,
    history_pages_newest_first_across_equal_times,
    counts_list_every_status,
);

async fn events_are_numbered_per_task_and_read_after_a_number(b: Backend) {
    let db = &b.db;
    db.create_report_task(&task("r-a", T0)).await.unwrap();
    db.create_report_task(&task("r-b", T0)).await.unwrap();
    let mut numbers: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for i in 0..7 {
        let id = if i % 3 == 2 { "r-b" } else { "r-a" };
        let payload = format!("{{\"i\":{i}}}");
        let seq = db.append_report_event(id, "log", &payload, T0 + i).await;
        numbers.entry(id).or_default().push(seq.unwrap());
    }
    assert_eq!(numbers["r-a"], [1, 2, 3, 4, 5], "{}", b.name);
    assert_eq!(numbers["r-b"], [1, 2]);

    let after = db.report_events_after("r-a", 2, 100).await.unwrap();
    let seqs: Vec<i64> = after.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [3, 4, 5]);
    assert_eq!(after[0].kind, "log");
    assert_eq!(after[0].payload, "{\"i\":3}");
    assert_eq!(after[0].at, T0 + 3);
    let page = db.report_events_after("r-a", 0, 2).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    assert!(db
        .report_events_after("r-a", 5, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(db
        .report_events_after("r-none", 0, 10)
        .await
        .unwrap()
        .is_empty());

    let orphan = db.append_report_event("r-none", "log", "{}", T0).await;
    assert!(
        matches!(orphan, Err(StorageError::Invalid(_))),
        "{orphan:?}"
    );
}

/// Concurrent appends to one task from two instances: two PostgreSQL statements could compute
/// the same next number, so appends take turns; none fails, none skips a number.
#[needs::postgres]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_to_one_task_number_without_gaps() {
    const PER_WRITER: i64 = 25;
    let b = backends::postgres().await;
    let other = Database::open(&b.url, &backends::settings()).await.unwrap();
    db_create(&b.db, "r-1", T0).await;
    let mut writers = tokio::task::JoinSet::new();
    for (w, db) in [b.db.clone(), b.db.clone(), other.clone(), other.clone()]
        .into_iter()
        .enumerate()
    {
        writers.spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..PER_WRITER {
                let payload = format!("{{\"writer\":{w},\"i\":{i}}}");
                seqs.push(
                    db.append_report_event("r-1", "log", &payload, T0)
                        .await
                        .unwrap(),
                );
            }
            seqs
        });
    }
    let mut all = Vec::new();
    while let Some(seqs) = writers.join_next().await {
        let seqs = seqs.unwrap();
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "one writer's numbers grow"
        );
        all.extend(seqs);
    }
    all.sort_unstable();
    assert_eq!(all, (1..=4 * PER_WRITER).collect::<Vec<_>>());
    let stored = b.db.report_events_after("r-1", 0, 1_000).await.unwrap();
    assert_eq!(stored.len() as i64, 4 * PER_WRITER);
    other.close().await;
}

async fn history_pages_newest_first_across_equal_times(b: Backend) {
    let db = &b.db;
    // Three share one millisecond and two another: pages must split inside both groups.
    let created = [
        ("r-a", T0),
        ("r-b", T0 + 5),
        ("r-c", T0 + 5),
        ("r-d", T0 + 5),
        ("r-e", T0 + 9),
        ("r-f", T0 + 9),
        ("r-g", T0 + 12),
    ];
    for (id, at) in created {
        db.create_report_task(&task(id, at)).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<PageCursor> = None;
    loop {
        let page = db.report_tasks_page(cursor.as_ref(), 2).await.unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        cursor = Some(PageCursor {
            created_at: last.created_at,
            id: last.id.clone(),
        });
        seen.extend(page.into_iter().map(|t| t.id));
    }
    assert_eq!(
        seen,
        ["r-g", "r-f", "r-e", "r-d", "r-c", "r-b", "r-a"],
        "{}",
        b.name
    );
    let first = db.report_tasks_page(None, 100).await.unwrap();
    assert_eq!(first.len(), 7);
    assert_eq!(first[0].status, ReportStatus::Pending);
    assert_eq!(first[0].template.as_deref(), Some("brand_reputation"));
}

async fn counts_list_every_status(b: Backend) {
    let db = &b.db;
    let zeros: Vec<(ReportStatus, i64)> = ReportStatus::ALL.map(|s| (s, 0)).into();
    assert_eq!(db.report_task_counts().await.unwrap(), zeros);
    for (id, at) in [
        ("r-1", T0),
        ("r-2", T0 + 1),
        ("r-3", T0 + 2),
        ("r-4", T0 + 3),
    ] {
        db.create_report_task(&task(id, at)).await.unwrap();
    }
    let c = db.claim_report_task("n", T0, LEASE, MAX_ATTEMPTS).await;
    let c = c.unwrap().unwrap();
    let holder = Holder {
        owner: "n",
        token: c.token,
    };
    let completed = ending(ReportStatus::Completed);
    let done = db.finish_report_task(&c.task.id, &holder, &completed, T0);
    assert!(done.await.unwrap());
    db.claim_report_task("n", T0, LEASE, MAX_ATTEMPTS)
        .await
        .unwrap()
        .unwrap();
    db.request_report_cancel("r-4", T0).await.unwrap();
    assert_eq!(
        db.report_task_counts().await.unwrap(),
        [
            (ReportStatus::Pending, 1),
            (ReportStatus::Running, 1),
            (ReportStatus::Completed, 1),
            (ReportStatus::Error, 0),
            (ReportStatus::Cancelled, 1),
        ],
        "{}",
        b.name
    );
}
