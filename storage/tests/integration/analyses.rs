//! Analysis records on both backends: an analysis ends once, and those a stopped process left
//! `running` past their deadline are recorded failed with their engine outputs.

use storage::analyses::{AnalysisStatus, OutputStatus};

use super::backends::{self, on_each_backend, Backend};

on_each_backend!(overdue_running_analyses_are_abandoned_and_nothing_else,);

async fn overdue_running_analyses_are_abandoned_and_nothing_else(b: Backend) {
    let db = &b.db;
    let now = 1_800_000_000_000_i64;
    let hour = 3_600_000;
    let day = 24 * hour;
    // Past its deadline, with an engine still running and one that had finished.
    db.create_analysis("a-overdue", "q", now - hour, now - 1)
        .await
        .unwrap();
    let running = db
        .start_engine_output(Some("a-overdue"), "query", "q", now - hour)
        .await
        .unwrap();
    let finished = db
        .start_engine_output(Some("a-overdue"), "media", "q", now - hour)
        .await
        .unwrap();
    let done = storage::analyses::Ending {
        status: OutputStatus::Done,
        markdown: Some("# ok"),
        document: None,
        error: None,
        at: now - hour,
    };
    db.finish_engine_output(finished, done).await.unwrap();
    // Within its deadline; ended already; from before deadlines (none), old and recent.
    db.create_analysis("a-live", "q", now - hour, now + 1)
        .await
        .unwrap();
    db.create_analysis("a-ended", "q", now - day, now - day)
        .await
        .unwrap();
    assert!(db
        .finish_analysis("a-ended", AnalysisStatus::Done, None, None, now - day)
        .await
        .unwrap());
    for (id, created) in [
        ("a-legacy-old", now - 2 * day),
        ("a-legacy-new", now - hour),
    ] {
        db.create_analysis(id, "q", created, 0).await.unwrap();
    }
    sqlx_null_deadlines(&b).await;

    let mut abandoned = db.abandon_overdue_analyses(now, "abandoned").await.unwrap();
    abandoned.sort();
    assert_eq!(abandoned, ["a-legacy-old", "a-overdue"], "{}", b.name);
    let status = |id: &'static str| async move { db.analysis(id).await.unwrap().unwrap().status };
    assert_eq!(status("a-overdue").await, AnalysisStatus::Failed);
    assert_eq!(status("a-live").await, AnalysisStatus::Running);
    assert_eq!(status("a-ended").await, AnalysisStatus::Done);
    assert_eq!(status("a-legacy-new").await, AnalysisStatus::Running);
    let overdue = db.analysis("a-overdue").await.unwrap().unwrap();
    assert_eq!(
        (overdue.error.as_deref(), overdue.finished_at),
        (Some("abandoned"), Some(now))
    );
    let outputs = db.engine_outputs_of("a-overdue").await.unwrap();
    let of = |id: i64| outputs.iter().find(|o| o.id == id).unwrap();
    assert_eq!(of(running).status, OutputStatus::Failed, "{}", b.name);
    assert_eq!(of(running).error.as_deref(), Some("abandoned"));
    assert_eq!(of(finished).status, OutputStatus::Done, "{}", b.name);
    // Once: a second sweep finds nothing more.
    assert!(db
        .abandon_overdue_analyses(now, "abandoned")
        .await
        .unwrap()
        .is_empty());
}

/// Rows written before deadlines existed have none: made so here, as migration 0004 leaves them.
async fn sqlx_null_deadlines(b: &backends::Backend) {
    let sql = "UPDATE analyses SET deadline_at = NULL WHERE id LIKE 'a-legacy-%'";
    if b.name == "sqlite" {
        let pool = sqlx::SqlitePool::connect(&b.url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&b.url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
        pool.close().await;
    }
}
