//! Service speed, measured with the real binary and `wrk` (Debian package `wrk`):
//! - start-up: process spawn to the first `200` from `/readyz`, on the embedded defaults;
//! - idle resident memory after start-up;
//! - `GET /api/status` throughput under `wrk -t2 -c64`;
//! - the cost of the access-log and metrics middleware: the same route served in-process with
//!   and without it, the access log written through a real formatter to a file.
//!
//! Run: `cargo bench --bench http` (needs `wrk` on the PATH). Prints a Markdown table.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark aborts on setup failure

use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bettafish::config::{Config, Inputs};
use bettafish::http::{self, Middleware};

const BIN: &str = env!("CARGO_BIN_EXE_bettafish");

/// The load generator makes thousands of requests a second from 127.0.0.1: the rate limits
/// are off, and the connection cap is as high as the file-descriptor limit lets it be.
const UNLIMITED: [(&str, &str); 3] = [
    ("BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC", "0"),
    ("BETTAFISH_RATE_LIMIT_TOKEN_PER_SEC", "0"),
    ("BETTAFISH_MAX_CONNECTIONS", "1000000"),
];

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = String::new();
    stream.read_to_string(&mut head).ok()?;
    head.split_whitespace().nth(1)?.parse().ok()
}

/// Spawn to first ready answer, in a fresh directory each time.
fn startup(runs: usize) -> (Vec<Duration>, u64) {
    let mut times = Vec::new();
    let mut rss_kb = 0;
    for _ in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let began = Instant::now();
        let mut child = Command::new(BIN)
            .current_dir(dir.path())
            .env("PORT", port.to_string())
            .env("BETTAFISH_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Busy-poll: the figure is the time to readiness, so no sleep may blur it.
        while http_get(port, "/readyz") != Some(200) {
            assert!(began.elapsed() < Duration::from_secs(10), "never ready");
        }
        times.push(began.elapsed());
        for _ in 0..10 {
            http_get(port, "/api/status");
        }
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
        rss_kb = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        child.kill().unwrap();
        child.wait().unwrap();
    }
    times.sort();
    (times, rss_kb)
}

/// Requests per second from `wrk` against `url`.
fn wrk(url: &str, seconds: u32) -> f64 {
    let out = Command::new("wrk")
        .args(["-t2", "-c64", &format!("-d{seconds}s"), url])
        .output()
        .expect("wrk is not installed (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no figure from wrk:\n{text}"))
}

fn throughput_of_the_binary(seconds: u32) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .env("PORT", port.to_string())
        .envs(UNLIMITED)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    while http_get(port, "/readyz") != Some(200) {}
    let rps = wrk(&format!("http://127.0.0.1:{port}/api/status"), seconds);
    child.kill().unwrap();
    child.wait().unwrap();
    rps
}

/// The same route with and without the middleware, in one process, access log to a file.
fn middleware_cost(seconds: u32) -> (f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::File::create(dir.path().join("access.log")).unwrap();
    let (writer, _guard) = bettafish::serve::log_writer(log);
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter("info")
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let prometheus = bettafish::serve::install_recorder().unwrap();
        let inputs = Inputs {
            toml_path: dir.path().join("none.toml"),
            env_path: dir.path().join(".env"),
            env: UNLIMITED
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .chain([(
                    "BETTAFISH_DATA_DIR".to_owned(),
                    dir.path().join("data").display().to_string(),
                )])
                .collect(),
        };
        let config = Config::load(&inputs).unwrap();
        let bus = events::EventBus::new(config.events);
        let app = Arc::new(
            bettafish::service::start(config, inputs, prometheus, bus)
                .await
                .unwrap(),
        );
        // Alternate three times and take each side's median: the machine is shared with wrk.
        let mut bare = Vec::new();
        let mut full = Vec::new();
        for telemetry in [false, true, false, true, false, true] {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let server = tokio::spawn(http::serve(
                listener,
                Arc::clone(&app),
                Middleware { telemetry },
                async {
                    let _ = stopped.await;
                },
            ));
            let url = format!("http://127.0.0.1:{port}/api/status");
            let rate = tokio::task::spawn_blocking(move || wrk(&url, seconds))
                .await
                .unwrap();
            if telemetry {
                full.push(rate)
            } else {
                bare.push(rate)
            }
            let _ = stop.send(());
            let _ = server.await;
        }
        bare.sort_by(f64::total_cmp);
        full.sort_by(f64::total_cmp);
        (bare[1], full[1])
    })
}

fn main() {
    let seconds: u32 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let (times, rss_kb) = startup(20);
    let p50 = times[times.len() / 2];
    let max = times[times.len() - 1];
    let rps = throughput_of_the_binary(seconds);
    let (bare, full) = middleware_cost(seconds);
    let cost = (bare - full) / bare * 100.0;
    println!("| measure | result | target |");
    println!("|---|---|---|");
    println!(
        "| start to `/readyz` 200, p50 of 20 | {:.1} ms | ≤ 200 ms |",
        p50.as_secs_f64() * 1e3
    );
    println!(
        "| start to `/readyz` 200, max of 20 | {:.1} ms | ≤ 200 ms |",
        max.as_secs_f64() * 1e3
    );
    println!(
        "| idle resident memory | {:.1} MB | ≤ 30 MB |",
        rss_kb as f64 / 1024.0
    );
    println!("| `GET /api/status`, binary, wrk -t2 -c64 | {rps:.0} req/s | ≥ 20,000 |");
    println!("| same route in-process without middleware, median of 3 | {bare:.0} req/s | |");
    println!(
        "| same route in-process with access log + metrics, median of 3 | {full:.0} req/s | |"
    );
    println!("| middleware cost | {cost:.1} % | ≤ 20 % |");
}
