//! Real-time fan-out, measured against the release binary with real clients on loopback:
//! - for N SSE clients and N WebSocket clients (N = 1,000 and 10,000) subscribed to one topic,
//!   events published at a fixed rate through `POST /api/events/{topic}`: deliveries per second
//!   and the publish-to-receive latency (p50, p99, max), from a timestamp in each event;
//! - resident memory per idle connection: the server's RSS with N idle connections open, less
//!   its RSS before, divided by N.
//!
//! The load generator runs on the same two cores as the server. Run: `cargo bench --bench
//! fanout` (`FANOUT_SECONDS=N` sets each run's length, default 10). Prints a Markdown table.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark aborts on setup failure

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[path = "support/server.rs"]
mod server;
use server::{Server, TOKEN};

/// The server's resident memory, in KiB.
fn rss_kb(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// The `"t":` timestamp in a frame.
fn stamp(frame: &str) -> Option<u64> {
    let at = frame.find("\"t\":")? + 4;
    let digits: String = frame[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Calls `found` with every `"t":` timestamp in `bytes`, without allocating.
fn stamps(bytes: &[u8], mut found: impl FnMut(u64)) {
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if &bytes[i..i + 4] != b"\"t\":" {
            i += 1;
            continue;
        }
        i += 4;
        let mut value = 0u64;
        let mut digits = 0;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            value = value * 10 + u64::from(bytes[i] - b'0');
            digits += 1;
            i += 1;
        }
        if digits > 0 {
            found(value);
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Transport {
    Sse,
    WebSocket,
}

/// Latencies in microseconds, gathered from every client.
#[derive(Default)]
struct Samples {
    latencies: std::sync::Mutex<Vec<u32>>,
    delivered: AtomicU64,
}

/// Reads raw bytes and scans them for timestamps: the generator must stay cheap, since it
/// shares the two cores with the server it measures.
async fn sse_client(
    port: u16,
    samples: Option<Arc<Samples>>,
    ready: tokio::sync::mpsc::Sender<()>,
) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream
        .write_all(b"GET /api/events?topics=ext/bench HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let mut carry: Vec<u8> = Vec::new();
    let mut mine = Vec::new();
    let mut announced = false;
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        carry.extend_from_slice(&buf[..n]);
        if !announced && carry.windows(6).any(|w| w == b"retry:") {
            announced = true;
            let _ = ready.send(()).await;
        }
        // Consume whole frames only (up to the last blank line).
        let Some(end) = carry.windows(2).rposition(|w| w == b"\n\n") else {
            continue;
        };
        if let Some(samples) = &samples {
            let now = now_us();
            let before = mine.len();
            stamps(&carry[..end], |t| mine.push(now.saturating_sub(t) as u32));
            samples
                .delivered
                .fetch_add((mine.len() - before) as u64, Ordering::Relaxed);
            if mine.len() >= 4096 {
                samples.latencies.lock().unwrap().append(&mut mine);
            }
        }
        carry.drain(..end + 2);
    }
    if let Some(samples) = samples {
        samples.latencies.lock().unwrap().append(&mut mine);
    }
}

async fn ws_client(port: u16, samples: Option<Arc<Samples>>, ready: tokio::sync::mpsc::Sender<()>) {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws"))
        .await
        .unwrap();
    ws.send(tokio_tungstenite::tungstenite::Message::text(
        r#"{"op":"subscribe","topics":"ext/bench"}"#,
    ))
    .await
    .unwrap();
    let mut mine = Vec::new();
    let mut announced = false;
    while let Some(Ok(message)) = ws.next().await {
        let Ok(text) = message.to_text() else {
            continue;
        };
        if !announced && text.contains("\"subscribed\"") {
            announced = true;
            let _ = ready.send(()).await;
            continue;
        }
        if let (Some(samples), Some(t)) = (&samples, stamp(text)) {
            mine.push(now_us().saturating_sub(t) as u32);
            samples.delivered.fetch_add(1, Ordering::Relaxed);
            if mine.len() >= 256 {
                samples.latencies.lock().unwrap().append(&mut mine);
            }
        }
    }
    if let Some(samples) = samples {
        samples.latencies.lock().unwrap().append(&mut mine);
    }
}

/// Opens `n` clients (in batches, as the accept backlog allows) and waits until all subscribed.
async fn open_clients(
    port: u16,
    n: usize,
    transport: Transport,
    samples: Option<Arc<Samples>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut handles = Vec::with_capacity(n);
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(n.max(1));
    for batch in (0..n).collect::<Vec<_>>().chunks(500) {
        for _ in batch {
            let samples = samples.clone();
            let ready = ready_tx.clone();
            handles.push(tokio::spawn(async move {
                match transport {
                    Transport::Sse => sse_client(port, samples, ready).await,
                    Transport::WebSocket => ws_client(port, samples, ready).await,
                }
            }));
        }
        for _ in batch {
            ready_rx.recv().await.unwrap();
        }
    }
    handles
}

/// Publishes at `rate` per second for `seconds` over one keep-alive connection.
async fn publish(port: u16, rate: u32, seconds: u32) -> u64 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut every = tokio::time::interval(Duration::from_secs(1) / rate);
    let mut sent = 0;
    let mut buf = vec![0u8; 4096];
    for _ in 0..rate * seconds {
        every.tick().await;
        let body = format!(r#"{{"type":"tick","data":{{"t":{}}}}}"#, now_us());
        let request = format!(
            "POST /api/events/ext/bench HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        // Read the (small) response before the next request.
        let n = stream.read(&mut buf).await.unwrap();
        assert!(
            n > 0 && buf.starts_with(b"HTTP/1.1 202"),
            "{}",
            String::from_utf8_lossy(&buf[..n])
        );
        sent += 1;
    }
    sent
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p) as usize] as f64 / 1000.0
}

fn fanout(
    runtime: &tokio::runtime::Runtime,
    clients: usize,
    transport: Transport,
    rate: u32,
    seconds: u32,
) -> String {
    let server = Server::start();
    let port = server.port;
    let samples = Arc::new(Samples::default());
    let (handles, began, sent) = runtime.block_on(async {
        let handles = open_clients(port, clients, transport, Some(Arc::clone(&samples))).await;
        let began = Instant::now();
        let sent = publish(port, rate, seconds).await;
        (handles, began, sent)
    });
    // Let the last deliveries land, then close everything.
    let expected = sent * clients as u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    while samples.delivered.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = began.elapsed().as_secs_f64();
    drop(server);
    runtime.block_on(async {
        for h in handles {
            let _ = tokio::time::timeout(Duration::from_secs(5), h).await;
        }
    });
    let mut latencies = std::mem::take(&mut *samples.latencies.lock().unwrap());
    latencies.sort_unstable();
    let delivered = samples.delivered.load(Ordering::Relaxed);
    let name = if transport == Transport::Sse {
        "SSE"
    } else {
        "WebSocket"
    };
    format!(
        "| {clients} {name} clients, {rate} events/s for {seconds} s | {delivered} of {expected} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms |",
        delivered as f64 / elapsed,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    )
}

fn idle_memory(runtime: &tokio::runtime::Runtime, clients: usize, transport: Transport) -> String {
    let server = Server::start();
    let port = server.port;
    // Warm the server up with a few connections, so allocator start-up is not counted.
    let warm = runtime.block_on(open_clients(port, 100, transport, None));
    std::thread::sleep(Duration::from_millis(200));
    let before = rss_kb(&server);
    let handles = runtime.block_on(open_clients(port, clients, transport, None));
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_kb(&server);
    drop(server);
    runtime.block_on(async {
        for h in handles.into_iter().chain(warm) {
            let _ = tokio::time::timeout(Duration::from_secs(5), h).await;
        }
    });
    let name = if transport == Transport::Sse {
        "SSE"
    } else {
        "WebSocket"
    };
    format!(
        "| {clients} idle {name} connections | {:.1} MB → {:.1} MB | {:.1} KB per connection |",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after.saturating_sub(before)) as f64 / clients as f64
    )
}

fn main() {
    // 10,000 clients from 127.0.0.1 in a burst: above the default connection cap and the
    // per-address rate's burst. The server inherits this process's environment, so the limits
    // are lifted here, for this bench only (the abuse harness measures the defaults).
    for (key, value) in [
        ("BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC", "0"),
        ("BETTAFISH_RATE_LIMIT_TOKEN_PER_SEC", "0"),
        ("BETTAFISH_MAX_CONNECTIONS", "1000000"),
    ] {
        std::env::set_var(key, value);
    }
    let seconds: u32 = std::env::var("FANOUT_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("| run | delivered | deliveries/s | p50 | p99 | max |");
    println!("|---|---|---|---|---|---|");
    println!("{}", fanout(&runtime, 1_000, Transport::Sse, 100, seconds));
    println!(
        "{}",
        fanout(&runtime, 1_000, Transport::WebSocket, 100, seconds)
    );
    println!("{}", fanout(&runtime, 10_000, Transport::Sse, 10, seconds));
    println!(
        "{}",
        fanout(&runtime, 10_000, Transport::WebSocket, 10, seconds)
    );
    println!();
    println!("| idle connections | server RSS | cost |");
    println!("|---|---|---|");
    println!("{}", idle_memory(&runtime, 10_000, Transport::Sse));
    println!("{}", idle_memory(&runtime, 10_000, Transport::WebSocket));
}
