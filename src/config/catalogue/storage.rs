//! The database (the original's DB_* keys, or DATABASE_URL) and the cache.
//!
//! A group of the catalogue ([`super`]): its keys are re-exported there as
//! `catalogue::NAME`, and [`super::KEYS`] lists them in catalogue order.

use super::*;

catalogue! {
    STORAGE;
    // --- database (the original's DB_* keys, or DATABASE_URL) ---
    DB_DIALECT = at_start(key(
        Some("sqlite"),
        Kind::Dialect,
        "Database kind: sqlite (embedded) or postgresql.",
    ));
    DB_HOST = at_start(key(None, Kind::Host, "PostgreSQL host."));
    DB_PORT = at_start(key(Some("5432"), Kind::Port, "PostgreSQL port."));
    DB_USER = at_start(key(None, Kind::Text, "PostgreSQL user."));
    DB_PASSWORD = at_start(secret("PostgreSQL password."));
    DB_NAME = at_start(key(None, Kind::Text, "PostgreSQL database."));
    DB_CHARSET = at_start(key(
        Some("utf8mb4"),
        Kind::Text,
        "Kept for the original's MySQL setups; PostgreSQL and SQLite use UTF-8.",
    ));
    DATABASE_URL = at_start(secret_url("Database URL; wins over the DB_* keys."));
    DB_POOL_SIZE = at_start(count(
        "10",
        1,
        1000,
        "Most database connections open at once.",
    ));
    DB_POOL_MIN_IDLE = at_start(count(
        "0",
        0,
        1000,
        "Database connections kept open while idle.",
    ));
    DB_ACQUIRE_TIMEOUT_SECS = at_start(count(
        "3",
        1,
        300,
        "Longest wait for a database connection before a request answers 503.",
    ));
    DB_MAX_LIFETIME_SECS = at_start(count(
        "1800",
        60,
        86400,
        "Database connections are replaced after this long.",
    ));
    DB_IDLE_TIMEOUT_SECS = at_start(count(
        "600",
        10,
        86400,
        "Idle database connections above the minimum close after this long.",
    ));
    DB_TEST_BEFORE_ACQUIRE = at_start(key(
        Some("true"),
        Kind::Choice(&["true", "false"]),
        "Check each pooled database connection before handing it out.",
    ));
    BETTAFISH_SAMPLE_DATA = at_start(key(
        Some("auto"),
        Kind::Choice(&["auto", "on", "off"]),
        "Load the built-in sample corpus (fictional, labelled) into an empty database at start: auto does so only for the embedded SQLite default.",
    ));
    CACHE_TYPE = at_start(key(
        Some("memory"),
        Kind::Choice(&["memory", "sqlite", "redis"]),
        "Cache for search and LLM results: memory, sqlite (a file in the data directory) or redis (needs REDIS_URL).",
    ));
    CACHE_MAX_ENTRIES = at_start(count(
        "10000",
        1,
        100_000_000,
        "Most entries the memory cache holds.",
    ));
    CACHE_MAX_BYTES = at_start(count(
        "67108864",
        1024,
        1 << 40,
        "Most bytes the memory cache holds.",
    ));
    REDIS_URL = at_start(secret_url("Redis URL: cross-node events, shared history, cache."));
}
