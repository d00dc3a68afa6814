//! BettaFish-rs storage: the database (SQLite embedded by default, PostgreSQL in production,
//! through sqlx), its schema and migrations, MindSpider's data tools, MediaCrawler import,
//! full-text search in Chinese and English, the sample corpus, and the cache.
//!
//! This crate sits below `actors` (engines search and store through it) and knows nothing of
//! HTTP or configuration files: the binary hands it a URL and pool settings.

pub mod admin;
pub mod analyses;
pub mod cache;
pub mod clock;
mod db;
mod error;
pub mod evidence;
pub mod forum;
pub mod import;
mod mindspider;
pub mod model;
mod posts;
mod reindex;
pub mod reports;
mod rows;
pub mod sample;
pub mod telemetry;
pub mod terms;
pub mod text;

pub use db::{backend_of, Backend, Database, PoolSettings, PoolState};
pub use error::{Result, StorageError};
pub use posts::PostSearch;
pub use reindex::Reindexed;
