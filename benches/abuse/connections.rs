//! Attacks on the listener: sockets that send nothing, idle after one request, trickle a head,
//! send heads too large to keep, or outnumber the file descriptors the process may open.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::measure::{closed_after, open_fds, Held};
use super::net::{self, setting};
use super::report::{check, Row};
use super::server::Launch;
use super::Target;

/// The settings these attacks are held to (read back from the server, so the table states
/// the limits actually in force).
pub const FIRST_BYTE_KEY: &str = "BETTAFISH_FIRST_BYTE_TIMEOUT_MS";
pub const HEAD_KEY: &str = "BETTAFISH_HEAD_TIMEOUT_MS";
pub const KEEPALIVE_KEY: &str = "BETTAFISH_KEEPALIVE_TIMEOUT_MS";
pub const MAX_CONNECTIONS_KEY: &str = "BETTAFISH_MAX_CONNECTIONS";

/// A limit in milliseconds as configured, else `fallback`.
async fn limit_ms(port: u16, key: &str, fallback: Duration) -> Duration {
    setting(port, key)
        .await
        .and_then(|v| v.parse().ok())
        .map_or(fallback, Duration::from_millis)
}

/// Margin on a timeout for the server's timer and this machine's scheduling.
const MARGIN: Duration = Duration::from_secs(2);

/// `n` sockets that connect and send nothing.
pub async fn silent(n: usize) -> Row {
    let target = Target::start(Launch::default());
    let limit = limit_ms(target.port, FIRST_BYTE_KEY, Duration::from_secs(10)).await + MARGIN;
    let bound = limit + Duration::from_secs(30);
    let held = Held::default();
    let mut tasks = Vec::new();
    for _ in 0..n {
        let held = held.clone();
        let port = target.port;
        tasks.push(tokio::spawn(async move {
            let began = Instant::now();
            match TcpStream::connect(("127.0.0.1", port)).await {
                Ok(mut s) => held.record(closed_after(&mut s, began, bound).await),
                Err(_) => held.record(Some(began.elapsed())),
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut row = Row::new("silent sockets", format!("{n} sockets send nothing"));
    row.held = Some((held.summary(), limit, bound));
    target.finish(&mut row).await;
    row
}

/// `n` sockets that make one keep-alive request, then stay idle.
pub async fn idle_keepalive(n: usize) -> Row {
    let target = Target::start(Launch::default());
    let limit = limit_ms(target.port, KEEPALIVE_KEY, Duration::from_secs(60)).await + MARGIN;
    let bound = limit + Duration::from_secs(30);
    let held = Held::default();
    let mut tasks = Vec::new();
    for _ in 0..n {
        let held = held.clone();
        let port = target.port;
        tasks.push(tokio::spawn(async move {
            let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else {
                return held.record(Some(Duration::ZERO));
            };
            let _ = s
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .await;
            let mut first = [0u8; 1024];
            let _ = s.read(&mut first).await;
            let answered = Instant::now();
            held.record(closed_after(&mut s, answered, bound).await);
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut row = Row::new(
        "idle keep-alive",
        format!("{n} sockets idle after one request"),
    );
    row.held = Some((held.summary(), limit, bound));
    target.finish(&mut row).await;
    row
}

/// `n` sockets that send a request head one byte every `every`.
pub async fn trickle(n: usize, every: Duration) -> Row {
    let target = Target::start(Launch::default());
    let limit = limit_ms(target.port, HEAD_KEY, Duration::from_secs(10)).await + MARGIN;
    let bound = limit + Duration::from_secs(30);
    let held = Held::default();
    let mut tasks = Vec::new();
    for _ in 0..n {
        let held = held.clone();
        let port = target.port;
        tasks.push(tokio::spawn(async move {
            let began = Instant::now();
            let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else {
                return held.record(Some(Duration::ZERO));
            };
            let head = b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
            let mut sink = [0u8; 1024];
            let mut next = 0;
            let until = began + bound;
            // The head's time runs from its first byte, sent after the first wait.
            let mut first_byte = None;
            let closed = loop {
                tokio::select! {
                    read = s.read(&mut sink) => match read {
                        Ok(0) | Err(_) => break Some(first_byte.unwrap_or(began).elapsed()),
                        Ok(_) => {}
                    },
                    () = tokio::time::sleep(every) => {
                        if Instant::now() >= until {
                            break None;
                        }
                        let byte = head.get(next).copied().unwrap_or(b'a');
                        next += 1;
                        first_byte.get_or_insert_with(Instant::now);
                        if s.write_all(&[byte]).await.is_err() {
                            break Some(first_byte.unwrap_or(began).elapsed());
                        }
                    }
                }
            };
            held.record(closed);
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut row = Row::new(
        "trickled head",
        format!(
            "{n} sockets send a head byte every {:.0} s",
            every.as_secs_f64()
        ),
    );
    row.held = Some((held.summary(), limit, bound));
    target.finish(&mut row).await;
    row
}

/// `n` sockets that each send `size` bytes of one header line and never end the head.
pub async fn big_heads(n: usize, size: usize) -> Row {
    let target = Target::start(Launch::default());
    let held = Held::default();
    let refused = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // The sockets open at a steady pace over `over`, not all in one instant: the harness
    // shares the server's two cores, and 2,000 writers of 380 KB at once (760 MB through
    // loopback in a fifth of a second) measure the harness, not the server. Against a server
    // that holds them, they all still pile up.
    let over = Duration::from_secs(10);
    let mut tasks = Vec::new();
    for i in 0..n {
        let held = held.clone();
        let refused = refused.clone();
        let port = target.port;
        let start_at = tokio::time::Instant::now() + over * i as u32 / n as u32;
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(start_at).await;
            let began = Instant::now();
            let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else {
                return held.record(Some(Duration::ZERO));
            };
            let mut head = b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ".to_vec();
            head.resize(size, b'a');
            let (mut reader, mut writer) = s.split();
            let write = async {
                let _ = writer.write_all(&head).await;
                // Then wait, as an attacker holding the connection would.
                std::future::pending::<()>().await;
            };
            let mut answer = Vec::new();
            let read = tokio::time::timeout(Duration::from_secs(60), reader.read_to_end(&mut answer));
            tokio::select! {
                () = write => {}
                result = read => {
                    held.record(result.is_ok().then(|| began.elapsed()));
                    if answer.starts_with(b"HTTP/1.1 431") || answer.starts_with(b"HTTP/1.1 400") || answer.is_empty() {
                        refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut row = Row::new(
        "oversized heads",
        format!(
            "{n} sockets each send {} KB of one header line, opened over {:.0} s",
            size / 1000,
            over.as_secs_f64()
        ),
    );
    let refused = refused.load(std::sync::atomic::Ordering::Relaxed);
    row.checks.push(check(
        format!("{refused} of {n} refused (431 or closed)"),
        refused == n,
    ));
    let bound = Duration::from_secs(60);
    row.held = Some((held.summary(), Duration::from_secs(10), bound));
    target.finish(&mut row).await;
    row
}

/// The process limited to `nofile` descriptors, and `n` idle sockets (more than that).
pub async fn descriptors(nofile: u64, n: usize, hold: Duration) -> Row {
    let target = Target::start(Launch {
        nofile: Some(nofile),
        ..Launch::default()
    });
    let cap = setting(target.port, MAX_CONNECTIONS_KEY).await;
    let mut sockets = Vec::new();
    let mut failed_connects = 0;
    for _ in 0..n {
        match TcpStream::connect(("127.0.0.1", target.port)).await {
            Ok(s) => sockets.push(s),
            Err(_) => failed_connects += 1,
        }
    }
    let fds_during = open_fds(target.pid);
    tokio::time::sleep(hold).await;
    // How many the server closed (refused beyond its cap, or evicted as idle).
    let mut closed = 0;
    for s in &mut sockets {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_millis(5), s.read(&mut byte)).await;
        if matches!(read, Ok(Ok(0)) | Ok(Err(_))) {
            closed += 1;
        }
    }
    let after = net::exchange(
        target.port,
        b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        Duration::from_secs(2),
    )
    .await;
    let mut row = Row::new(
        "descriptor limit",
        format!(
            "RLIMIT_NOFILE {nofile}, {n} idle sockets held {:.0} s",
            hold.as_secs_f64()
        ),
    );
    row.checks.push(check(
        format!(
            "server's fds at most {fds_during} (BETTAFISH_MAX_CONNECTIONS {}, clamped to the limit), {closed} sockets closed by it, {failed_connects} connects failed",
            cap.unwrap_or_else(|| "?".into())
        ),
        (fds_during as u64) < nofile,
    ));
    row.checks
        .push(check("/healthz answers after", after.status == 200));
    drop(sockets);
    target.finish(&mut row).await;
    row
}
