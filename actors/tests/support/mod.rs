//! For the tests: a SQLite database holding the sample corpus, and `eventually` (both shared
//! with other crates' tests).

#![allow(dead_code)] // each test binary uses part of it

#[path = "../../../tests/support/eventually.rs"]
pub mod eventually;
#[path = "../../../tests/support/sample_db.rs"]
mod sample_db;

pub use sample_db::sample_db;
