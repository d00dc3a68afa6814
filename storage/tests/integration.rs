//! Storage against real databases: SQLite always, PostgreSQL whenever `DATABASE_URL` is set
//! (each test in a schema of its own, dropped afterwards).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod integration {
    mod admin;
    mod analyses;
    mod backends;
    mod cache;
    mod import;
    mod import_transactions;
    mod posts;
    mod schema;
}
