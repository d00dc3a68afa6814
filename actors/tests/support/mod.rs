//! For the tests: a SQLite database holding the sample corpus, `eventually`, and a scripted
//! HTTP server to stand in for an LLM (all shared with other crates' tests).

#![allow(dead_code)] // each test binary uses part of it

#[path = "../../../tests/support/eventually.rs"]
pub mod eventually;
#[path = "../../../tests/support/sample_db.rs"]
mod sample_db;
#[path = "../../../tests/support/scripted_http.rs"]
pub mod scripted_http;

pub use sample_db::sample_db;
