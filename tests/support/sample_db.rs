//! For the tests of several crates (included by path): a migrated SQLite database holding the
//! sample corpus.

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
