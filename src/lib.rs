//! BettaFish-rs, the service: configuration, telemetry, the supervision tree and the HTTP API,
//! wired into one process by the `bettafish` binary (`src/main.rs`), which also offers
//! `bettafish ctl` for operators and `bettafish db` for the data.
//!
//! A library so that benchmarks and tests can build the service in-process. Start with
//! [`serve::run`]; the pieces are [`config`] (layers and keys), [`service`] (the tree and its
//! infrastructure actors), [`http`] (routes), [`ctl`] (the operator CLI).

pub mod auth;
pub mod cli;
pub mod config;
pub mod ctl;
pub mod dbtool;
pub mod http;
pub mod internal_events;
pub mod private_files;
pub mod process_metrics;
pub mod serve;
pub mod service;
