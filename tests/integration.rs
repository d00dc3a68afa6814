//! The service's behaviour through its real interfaces: the `bettafish` binary started on an
//! ephemeral port in a fresh directory, spoken to over HTTP and through `bettafish ctl`.
//! One binary (`autotests = false`) so everything links once; `util` holds the server fixture.

// A failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod integration {
    #[path = "../support/backend_urls.rs"]
    mod backend_urls;
    #[path = "../support/eventually.rs"]
    pub mod eventually;
    pub mod sse;
    pub mod util;

    mod access;
    mod actors;
    mod analysis;
    mod analysis_llm;
    mod analysis_stream;
    pub mod chat_server;
    mod cli;
    mod config;
    pub mod db;
    mod errors;
    mod events;
    mod forum;
    mod import_limits;
    mod input_limits;
    mod lifecycle;
    pub mod mock_llm;
    mod openapi;
    pub mod proxy;
    mod redis;
    mod report;
    mod report_cluster;
    mod report_llm;
    // Issue 12: the event streams' bounds.
    mod stream_limits;
    mod ws;

    // The connection layer and request guards.
    mod connections;
    mod guards;
    pub mod raw;
}
