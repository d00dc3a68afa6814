//! Storage against real databases: SQLite always, PostgreSQL in a schema of its own per test
//! (dropped afterwards). Tests that need PostgreSQL or Redis are reported ignored, with the
//! reason, when `DATABASE_URL` / `REDIS_URL` is unset (see `tests/support/needs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod integration {
    #[path = "../../../tests/support/backend_urls.rs"]
    mod backend_urls;
    #[path = "../../../tests/support/eventually.rs"]
    pub mod eventually;

    mod admin;
    mod analyses;
    mod backends;
    mod cache;
    mod evidence;
    mod import;
    mod import_transactions;
    mod posts;
    mod report_history;
    mod reports;
    mod schema;
}
