//! An import is one transaction per file: a writer that is not committed leaves nothing,
//! writers at once take turns (and PostgreSQL deadlocks are tried again), progress comes in
//! order, and a connection lost mid-file is tried again, reading the file again — or, lost
//! for good, leaves nothing of the file.

use serde_json::json;
use storage::import::{import_file, ImportOptions};
use storage::PostSearch;

use super::backends::{on_each_backend, Backend};
use super::import::{import, write};

on_each_backend!(
    an_uncommitted_writer_leaves_nothing,
    one_writer_updating_its_own_rows_across_flushes_keeps_one_index_entry_each,
    concurrent_writers_take_turns_instead_of_failing,
    overlapping_imports_at_once_both_land,
    a_large_file_reports_its_progress_in_order_and_lands_whole,
);

async fn an_uncommitted_writer_leaves_nothing(b: Backend) {
    let db = &b.db;
    let mut writer = db.post_writer().await.unwrap();
    let posts: Vec<_> = (0..2500)
        .map(|i| super::posts::post("wb", &format!("w{i}"), "批量写入 rollback"))
        .collect();
    assert_eq!(writer.write(&posts).await.unwrap(), 2500);
    drop(writer);
    assert_eq!(db.count_posts().await.unwrap(), 0, "{}", b.name);
    assert!(db
        .search_posts(&PostSearch::new("rollback", 5))
        .await
        .unwrap()
        .is_empty());
}

async fn one_writer_updating_its_own_rows_across_flushes_keeps_one_index_entry_each(b: Backend) {
    let db = &b.db;
    db.upsert_posts(&[super::posts::post("wb", "old", "旧内容 before")])
        .await
        .unwrap();
    let mut writer = db.post_writer().await.unwrap();
    // More rows than one index flush, each written twice, with the pre-existing row too.
    let first: Vec<_> = (0..12_000)
        .map(|i| super::posts::post("wb", &format!("r{i}"), "first version alpha"))
        .collect();
    writer.write(&first).await.unwrap();
    let second: Vec<_> = (0..12_000)
        .map(|i| super::posts::post("wb", &format!("r{i}"), "second version omega"))
        .chain([super::posts::post("wb", "old", "新内容 after")])
        .collect();
    writer.write(&second).await.unwrap();
    writer.commit().await.unwrap();
    assert_eq!(db.count_posts().await.unwrap(), 12_001, "{}", b.name);
    let count = |text: &'static str| async move {
        db.search_posts(&PostSearch::new(text, 1000))
            .await
            .unwrap()
            .len()
    };
    assert_eq!(count("alpha").await, 0, "{}: stale terms left", b.name);
    assert_eq!(count("omega").await, 1000, "{}", b.name);
    assert_eq!(count("before").await, 0, "{}", b.name);
    assert_eq!(count("after").await, 1, "{}", b.name);
}

async fn concurrent_writers_take_turns_instead_of_failing(b: Backend) {
    // Two imports at once (or an import while the service seeds the sample corpus): on SQLite
    // a deferred transaction could not wait for the other writer and failed with "database is
    // locked"; writers now take the lock when they begin.
    let db = &b.db;
    let write = |prefix: &'static str| async move {
        let rows: Vec<_> = (0..3000)
            .map(|i| super::posts::post("wb", &format!("{prefix}{i}"), "并发 concurrent"))
            .collect();
        let mut writer = db.post_writer().await?;
        for chunk in rows.chunks(500) {
            writer.write(chunk).await?;
            tokio::task::yield_now().await;
        }
        writer.commit().await
    };
    let (a, c, n) = tokio::join!(write("a"), write("c"), db.seed_sample());
    assert_eq!((a.unwrap(), c.unwrap()), (3000, 3000), "{}", b.name);
    n.unwrap();
    assert_eq!(db.count_posts().await.unwrap(), 6900, "{}", b.name);
}

async fn overlapping_imports_at_once_both_land(b: Backend) {
    // Two files with the same notes in opposite orders, imported at once: on PostgreSQL their
    // row locks can deadlock; the loser is tried again and both land.
    let db = &b.db;
    let dir = tempfile::tempdir().unwrap();
    let lines = notes("n", 6000);
    let reversed: Vec<&str> = lines.lines().rev().collect();
    let a = write(
        dir.path(),
        "data/weibo/jsonl/search_contents_a.jsonl",
        &lines,
    );
    let c = write(
        dir.path(),
        "data/weibo/jsonl/search_contents_b.jsonl",
        &reversed.join("\n"),
    );
    let (ra, rc) = tokio::join!(import(db, &a), import(db, &c));
    assert_eq!(ra.unwrap().written, 6000, "{}", b.name);
    assert_eq!(rc.unwrap().written, 6000, "{}", b.name);
    assert_eq!(db.count_posts().await.unwrap(), 6000, "{}", b.name);
}

/// A JSONL file of `n` Weibo notes, their ids starting with `prefix`.
fn notes(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| {
            json!({"note_id": format!("{prefix}{i}"), "content": format!("第{i}条 note {i}")})
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn a_large_file_reports_its_progress_in_order_and_lands_whole(b: Backend) {
    let db = &b.db;
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "data/weibo/jsonl/search_contents_big.jsonl",
        &notes("n", 5000),
    );
    let size = std::fs::metadata(&path).unwrap().len();
    let mut seen: Vec<(u64, u64, u64)> = Vec::new();
    let report = import_file(db, &path, &ImportOptions::default(), &mut |p| {
        seen.push((p.bytes, p.total, p.rows))
    })
    .await
    .unwrap();
    assert_eq!((report.rows, report.written), (5000, 5000), "{}", b.name);
    assert_eq!(db.count_posts().await.unwrap(), 5000, "{}", b.name);
    // More than one step, never backwards, ending at the whole file.
    assert!(seen.len() >= 3, "{}: {seen:?}", b.name);
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "{}: {seen:?}",
        b.name
    );
    // Rows as read so far: the file is streamed, so the total is known only at its end.
    assert!(
        seen.iter()
            .all(|s| s.1 == size && s.0 <= size && s.2 <= 5000),
        "{seen:?}"
    );
    assert!(seen.windows(2).all(|w| w[0].2 <= w[1].2), "{seen:?}");
    assert_eq!(seen.last(), Some(&(size, size, 5000)), "{}", b.name);
    assert!(seen[0].0 < size, "{}: {seen:?}", b.name);
}

/// Ends the server process of each transaction that holds this schema's `posts` for writing;
/// returns how many it ended.
async fn end_writers(admin: &sqlx::PgPool) -> usize {
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(l.pid) FROM pg_locks l \
         WHERE l.relation = 'posts'::regclass AND l.mode = 'RowExclusiveLock' \
           AND l.pid <> pg_backend_pid()",
    )
    .fetch_all(admin)
    .await
    .unwrap();
    ended.into_iter().filter(|&e| e).count()
}

#[needs::postgres]
#[tokio::test]
async fn a_connection_lost_mid_file_is_tried_again_and_lost_for_good_leaves_nothing() {
    // PostgreSQL only: the writer's server process is ended under it.
    let b = super::backends::postgres().await;
    let admin = sqlx::PgPool::connect(&b.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "data/weibo/jsonl/search_contents_cut.jsonl",
        &notes("n", 30_000),
    );
    let options = ImportOptions::default();

    // Lost once, after the first batch: the file is read and written again.
    let (first_batch, mut written) = tokio::sync::watch::channel(false);
    let mut progress = |_: storage::import::Progress<'_>| {
        first_batch.send_replace(true);
    };
    let import = import_file(&b.db, &path, &options, &mut progress);
    let cut = async {
        written.wait_for(|w| *w).await.unwrap();
        assert_eq!(end_writers(&admin).await, 1);
    };
    let (report, ()) = tokio::join!(import, cut);
    assert_eq!(report.unwrap().written, 30_000);
    assert_eq!(b.db.count_posts().await.unwrap(), 30_000);

    // Lost on every try: the import gives up, and nothing of this file is left.
    let path = write(
        dir.path(),
        "data/weibo/jsonl/search_contents_doomed.jsonl",
        &notes("doomed-", 30_000),
    );
    let mut quiet = |_: storage::import::Progress<'_>| {};
    let import = import_file(&b.db, &path, &options, &mut quiet);
    let cut_every_try = async {
        let mut ended = 0;
        loop {
            ended += end_writers(&admin).await;
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            if ended > 10 {
                panic!("the import kept trying");
            }
        }
    };
    let result = tokio::select! {
        result = import => result,
        () = cut_every_try => unreachable!(),
    };
    let err = result.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(b.db.count_posts().await.unwrap(), 30_000);
}
