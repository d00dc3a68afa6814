//! For the search tests: the scripted HTTP server (shared with other crates' tests) and a SQLite
//! database holding the sample corpus.

#![allow(dead_code)] // each test binary uses part of it

#[path = "../../../tests/support/scripted_http.rs"]
mod scripted_http;

pub use scripted_http::*;

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
