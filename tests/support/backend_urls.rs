//! The URLs of the test backends, for tests marked `#[needs::postgres]` / `#[needs::redis]`.
//! Such a test is ignored when its URL is unset; run anyway (`--include-ignored`), it fails
//! here with the reason rather than passing without having checked anything. Included by path
//! by the binary's integration tests and by the storage crate's.

#![allow(dead_code)] // each includer uses part of it

/// `DATABASE_URL`: the PostgreSQL the tests may create schemas in.
pub fn database_url() -> String {
    required("DATABASE_URL", "PostgreSQL")
}

/// `REDIS_URL`: the Redis shared by the tests.
pub fn redis_url() -> String {
    required("REDIS_URL", "Redis")
}

fn required(variable: &str, backend: &str) -> String {
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "needs {variable} ({backend}): this test is ignored without it; set {variable} to run it"
        ),
    }
}
