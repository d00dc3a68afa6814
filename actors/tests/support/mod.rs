//! For the tests: a SQLite database holding the sample corpus, and `eventually` (shared by
//! every crate's tests).

#![allow(dead_code)] // each test binary uses part of it

#[path = "../../../tests/support/eventually.rs"]
pub mod eventually;

/// A migrated SQLite database in `dir` with the sample corpus loaded.
pub async fn sample_db(dir: &tempfile::TempDir) -> storage::Database {
    let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let db = storage::Database::open(&url, &storage::PoolSettings::default())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    db.seed_sample().await.unwrap();
    db
}
