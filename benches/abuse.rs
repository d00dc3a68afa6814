//! The abuse harness: each attack of issue 12 against the release binary, on loopback only,
//! bounded in count and time, measuring during each the `/healthz` latency (goal: p99 ≤
//! 100 ms, failures counted), the server's peak resident memory (goal: ≤ 256 MB) and how long
//! the attack's connections stay open (goal: closed within the configured limit), and checking
//! what the server answered. Each attack gets a fresh server on the embedded defaults.
//!
//! Run: `cargo bench --bench abuse` (about 10 minutes; `ABUSE_ONLY=silent,forum` runs the
//! attacks whose names contain those words). Prints a Markdown table for docs/SECURITY.md and
//! exits non-zero when a goal is missed. Not part of the test run: it is a measurement.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a harness aborts on setup failure

use std::time::Duration;

#[path = "support/server.rs"]
mod server;

#[path = "abuse/connections.rs"]
mod connections;
#[path = "abuse/inputs.rs"]
mod inputs;
#[path = "abuse/measure.rs"]
mod measure;
#[path = "abuse/net.rs"]
mod net;
#[path = "abuse/report.rs"]
mod report;
#[path = "abuse/streams.rs"]
mod streams;

use measure::{peak_mb, rss_mb, Prober};
use report::Row;
use server::{Launch, Server};

/// Settings that turn the rate limits off, for attacks whose setup makes thousands of
/// requests (the flood attack measures the limits themselves).
pub const NO_RATE_LIMITS: &[(&str, &str)] = &[
    ("BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC", "0"),
    ("BETTAFISH_RATE_LIMIT_TOKEN_PER_SEC", "0"),
];

/// A server under attack, with its `/healthz` prober running and its memory at the start.
pub struct Target {
    server: Server,
    pub port: u16,
    pub pid: u32,
    rss_start: f64,
    prober: Prober,
}

impl Target {
    pub fn start(launch: Launch<'_>) -> Self {
        let server = Server::launch(launch);
        let pid = server.child.id();
        // Let start-up settle (the sample corpus is loaded in the background) before the
        // baseline is taken.
        std::thread::sleep(Duration::from_secs(2));
        let port = server.port;
        Self {
            rss_start: rss_mb(pid),
            prober: Prober::start(port),
            server,
            port,
            pid,
        }
    }

    /// Stops probing and puts what was measured in `row`.
    pub async fn finish(self, row: &mut Row) {
        row.healthz = Some(self.prober.finish().await);
        row.rss = Some((self.rss_start, peak_mb(self.pid)));
    }

    /// Stops probing; nothing measured (the quick refusals).
    pub fn finish_quietly(self) {}

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.server.data_dir()
    }

    pub fn log(&self) -> String {
        self.server.log()
    }
}

fn wanted(name: &str) -> bool {
    match std::env::var("ABUSE_ONLY") {
        Ok(only) if !only.is_empty() => only.split(',').any(|w| name.contains(w.trim())),
        _ => true,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut rows = Vec::new();
    let secs = Duration::from_secs;
    runtime.block_on(async {
        if wanted("silent") {
            rows.push(connections::silent(60).await);
        }
        if wanted("keep-alive") {
            rows.push(connections::idle_keepalive(60).await);
        }
        if wanted("trickle") {
            rows.push(connections::trickle(60, secs(2)).await);
        }
        if wanted("heads") {
            rows.push(connections::big_heads(2_000, 380_000).await);
        }
        if wanted("descriptors") {
            rows.push(connections::descriptors(1_024, 1_100, secs(15)).await);
        }
        if wanted("sse") {
            rows.push(streams::sse_resume(10_000, 2_000, 8_000, 300, secs(20)).await);
        }
        if wanted("websocket-resume") {
            rows.push(streams::ws_resume(10_000, 2_000, 8_000, 300, secs(20)).await);
        }
        if wanted("stalled") {
            rows.push(streams::ws_stalled(50, 64_000, secs(60)).await);
        }
        if wanted("large") {
            rows.push(streams::big_events(500, 1_000_000).await);
        }
        if wanted("redis") {
            rows.push(streams::redis_cut(secs(15)).await);
        }
        if wanted("cursors") {
            rows.push(streams::bad_cursors(60).await);
        }
        if wanted("forum") {
            rows.push(inputs::forum_log(17, 50, secs(15)).await);
        }
        if wanted("tiny") {
            rows.push(inputs::import_tiny_lines(16_000_000));
        }
        if wanted("symlinks") {
            rows.push(inputs::import_symlinks());
        }
        if wanted("quote") {
            rows.push(inputs::import_open_quote(40));
        }
        if wanted("refusals") {
            rows.extend(inputs::refusals().await);
        }
    });
    report::print_table(&rows);
    let missed: Vec<&str> = rows
        .iter()
        .filter(|r| !r.goals_met())
        .map(|r| r.name)
        .collect();
    if !missed.is_empty() {
        eprintln!("abuse: goals missed by: {}", missed.join(", "));
        std::process::exit(1);
    }
}
