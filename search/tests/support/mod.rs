//! For the search tests: the scripted HTTP server and a SQLite database holding the sample
//! corpus, both shared with other crates' tests.

#![allow(dead_code)] // each test binary uses part of it

#[path = "../../../tests/support/sample_db.rs"]
mod sample_db;
#[path = "../../../tests/support/scripted_http.rs"]
mod scripted_http;

pub use sample_db::sample_db;
pub use scripted_http::*;
