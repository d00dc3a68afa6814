//! Attacks on the event streams: clients that resume from the start of a full history and read
//! slowly (SSE and WebSocket), WebSocket clients that stop reading, events too large to keep,
//! a Redis outage (are event ids ever issued twice?), and cursors that cannot be parsed.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

use super::net::{self, connect_small, KeepAlive};
use super::report::{check, Row};
use super::server::{Launch, TOKEN};
use super::{Target, NO_RATE_LIMITS};

const TOPIC: &str = "abuse";

/// Publishes `count` events of about `size` bytes on one connection; their ids, and how many
/// were refused with 413.
async fn publish(port: u16, count: usize, size: usize) -> (Vec<String>, usize) {
    let mut client = KeepAlive::new(port);
    let body = serde_json::to_vec(&serde_json::json!({
        "type": "pad",
        "data": {"pad": "a".repeat(size)},
    }))
    .unwrap();
    let mut ids = Vec::new();
    let mut too_large = 0;
    for _ in 0..count {
        let answer = client
            .call("POST", &format!("/api/events/{TOPIC}"), &body)
            .await;
        match answer.status {
            202 => ids.extend(answer.json()["id"].as_str().map(str::to_owned)),
            413 => too_large += 1,
            _ => {}
        }
    }
    (ids, too_large)
}

/// Settings for attacks whose setup makes many requests.
fn busy_launch() -> Launch<'static> {
    Launch {
        env: NO_RATE_LIMITS
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect(),
        ..Launch::default()
    }
}

/// A full history (`events` × `size` bytes published), then `clients` SSE clients resuming
/// `back` events before its end and reading 4 KB every 100 ms for `hold`.
pub async fn sse_resume(
    events: usize,
    back: usize,
    size: usize,
    clients: usize,
    hold: Duration,
) -> Row {
    let target = Target::start(busy_launch());
    let (ids, _) = publish(target.port, events, size).await;
    // From `back` events before the end: what the history still holds (it is bounded by
    // bytes as well as count), so that the resume is a replay, not a resync.
    let first = ids[ids.len().saturating_sub(back)..]
        .first()
        .cloned()
        .unwrap_or_default();
    let received = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let port = target.port;
        let first = first.clone();
        let received = received.clone();
        tasks.push(tokio::spawn(async move {
            let Ok(mut s) = connect_small(port, 4096).await else {
                return;
            };
            let head = format!(
                "GET /api/events?topics={TOPIC} HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                 Authorization: Bearer {TOKEN}\r\nLast-Event-ID: {first}\r\n\r\n"
            );
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let until = Instant::now() + hold;
            let mut chunk = [0u8; 4096];
            while Instant::now() < until {
                match tokio::time::timeout(Duration::from_millis(500), s.read(&mut chunk)).await {
                    Ok(Ok(0)) | Ok(Err(_)) => return,
                    Ok(Ok(n)) => {
                        received.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    Err(_) => {}
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut row = Row::new(
        "SSE resume, slow readers",
        format!(
            "{} events of {} KB published; {clients} SSE clients resume {back} events back, read 4 KB / 100 ms for {:.0} s",
            ids.len(),
            size / 1000,
            hold.as_secs_f64()
        ),
    );
    let received = received.load(Ordering::Relaxed);
    row.checks.push(check(
        format!("clients read {:.0} MB of the replay", received as f64 / 1e6),
        received > (clients as u64) * 100_000,
    ));
    target.finish(&mut row).await;
    row
}

type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// A WebSocket on a socket with a small receive buffer, subscribed to the topic from `since`.
async fn ws_subscribe(port: u16, since: Option<&str>, origin: Option<&str>) -> Option<Ws> {
    let stream = connect_small(port, 4096).await.ok()?;
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://127.0.0.1:{port}/ws?token={TOKEN}"
        ))
        .ok()?;
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", origin.parse().ok()?);
    }
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .ok()?;
    let mut subscribe = serde_json::json!({"op": "subscribe", "topics": [TOPIC]});
    if let Some(since) = since {
        subscribe["since"] = since.into();
    }
    ws.send(Message::text(subscribe.to_string())).await.ok()?;
    Some(ws)
}

/// The same as [`sse_resume`] over WebSocket.
pub async fn ws_resume(
    events: usize,
    back: usize,
    size: usize,
    clients: usize,
    hold: Duration,
) -> Row {
    let target = Target::start(busy_launch());
    let (ids, _) = publish(target.port, events, size).await;
    // From `back` events before the end: what the history still holds (it is bounded by
    // bytes as well as count), so that the resume is a replay, not a resync.
    let first = ids[ids.len().saturating_sub(back)..]
        .first()
        .cloned()
        .unwrap_or_default();
    let received = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let port = target.port;
        let first = first.clone();
        let received = received.clone();
        tasks.push(tokio::spawn(async move {
            let Some(mut ws) = ws_subscribe(port, Some(&first), None).await else {
                return;
            };
            let until = Instant::now() + hold;
            while Instant::now() < until {
                match tokio::time::timeout(Duration::from_millis(500), ws.next()).await {
                    Ok(Some(Ok(message))) => {
                        received.fetch_add(message.len() as u64, Ordering::Relaxed);
                    }
                    Ok(_) => return,
                    Err(_) => {}
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut row = Row::new(
        "WebSocket resume, slow readers",
        format!(
            "{} events of {} KB published; {clients} WebSocket clients resume {back} events back, read a frame / 100 ms for {:.0} s",
            ids.len(),
            size / 1000,
            hold.as_secs_f64()
        ),
    );
    let received = received.load(Ordering::Relaxed);
    row.checks.push(check(
        format!("clients read {:.0} MB of the replay", received as f64 / 1e6),
        received > (clients as u64) * 100_000,
    ));
    target.finish(&mut row).await;
    row
}

/// The number of open realtime connections of `transport` the server reports.
async fn open_connections(port: u16, transport: &str) -> Option<u64> {
    let metrics = net::call(port, "GET", "/metrics", b"").await.text();
    let needle = format!("bettafish_realtime_connections{{transport=\"{transport}\"}}");
    metrics
        .lines()
        .find(|l| l.starts_with(&needle))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse::<f64>().ok())
        .map(|v| v as u64)
}

/// `clients` WebSocket clients subscribe and stop reading while events of `size` bytes go out
/// at 20 a second: how long until the server drops them.
pub async fn ws_stalled(clients: usize, size: usize, limit: Duration) -> Row {
    let target = Target::start(busy_launch());
    let mut sockets = Vec::new();
    for _ in 0..clients {
        if let Some(mut ws) = ws_subscribe(target.port, None, None).await {
            // The subscription's acknowledgement; from here on the client reads nothing.
            let _ = tokio::time::timeout(Duration::from_secs(2), ws.next()).await;
            sockets.push(ws);
        }
    }
    let subscribed = sockets.len();
    let began = Instant::now();
    let bound = limit + Duration::from_secs(30);
    let port = target.port;
    let publisher = tokio::spawn(async move {
        let mut client = KeepAlive::new(port);
        let body = serde_json::to_vec(&serde_json::json!({
            "type": "pad", "data": {"pad": "a".repeat(size)},
        }))
        .unwrap();
        loop {
            client
                .call("POST", &format!("/api/events/{TOPIC}"), &body)
                .await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let mut dropped_after = None;
    while began.elapsed() < bound {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if open_connections(target.port, "websocket").await == Some(0) {
            dropped_after = Some(began.elapsed());
            break;
        }
    }
    publisher.abort();
    let mut row = Row::new(
        "WebSocket clients stop reading",
        format!(
            "{subscribed} WebSocket clients stop reading; {} KB events at 20/s",
            size / 1000
        ),
    );
    row.checks.push(check(
        match dropped_after {
            Some(t) => format!(
                "all dropped after {:.1} s (limit {:.0} s)",
                t.as_secs_f64(),
                limit.as_secs_f64()
            ),
            None => format!("still connected after {:.0} s", bound.as_secs_f64()),
        },
        dropped_after.is_some_and(|t| t <= limit + Duration::from_secs(5)),
    ));
    drop(sockets);
    target.finish(&mut row).await;
    row
}

/// `count` events of `size` bytes published: refused beyond the event size limit, and the
/// history bounded by bytes.
pub async fn big_events(count: usize, size: usize) -> Row {
    let target = Target::start(busy_launch());
    let (ids, too_large) = publish(target.port, count, size).await;
    let mut row = Row::new(
        "large events",
        format!("{count} events of {} KB published", size / 1000),
    );
    row.checks.push(check(
        format!("{} accepted, {too_large} refused with 413", ids.len()),
        ids.len() + too_large == count,
    ));
    target.finish(&mut row).await;
    row
}

/// A subscriber and a publisher while the server's Redis is cut for `outage`: are event ids
/// unique, and how many resyncs does the subscriber see?
pub async fn redis_cut(outage: Duration) -> Row {
    let redis_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start_redis = || {
        std::process::Command::new("redis-server")
            .args([
                "--port",
                &redis_port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
    };
    let Ok(mut redis) = start_redis() else {
        let mut row = Row::new("Redis cut", "redis-server is not installed");
        row.checks.push(check("not run", false));
        return row;
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", redis_port)).is_err()
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut launch = busy_launch();
    launch
        .env
        .push(("REDIS_URL", format!("redis://127.0.0.1:{redis_port}")));
    let target = Target::start(launch);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut subscriber = tokio::net::TcpStream::connect(("127.0.0.1", target.port))
        .await
        .unwrap();
    subscriber
        .write_all(
            format!(
                "GET /api/events?topics={TOPIC} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let port = target.port;
    let publisher = tokio::spawn(async move {
        let mut client = KeepAlive::new(port);
        let mut published = 0u64;
        loop {
            let body = format!("{{\"type\":\"tick\",\"data\":{{\"n\":{published}}}}}");
            if client
                .call("POST", &format!("/api/events/{TOPIC}"), body.as_bytes())
                .await
                .status
                == 202
            {
                published += 1;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let reader = tokio::spawn(async move {
        net::read_for(&mut subscriber, Duration::from_secs(3600), usize::MAX).await
    });
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = redis.kill();
    let _ = redis.wait();
    tokio::time::sleep(outage).await;
    let mut redis = start_redis().unwrap();
    tokio::time::sleep(Duration::from_secs(8)).await;
    publisher.abort();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut row = Row::new(
        "Redis cut",
        format!(
            "Redis killed for {:.0} s while 20 events/s are published and one SSE client reads",
            outage.as_secs_f64()
        ),
    );
    target.finish(&mut row).await;
    let stream = reader.await.unwrap_or_default();
    let _ = redis.kill();
    let _ = redis.wait();
    let text = String::from_utf8_lossy(&stream);
    let (mut ids, mut ticks, mut resyncs) = (HashSet::new(), 0usize, 0usize);
    let mut duplicates = 0;
    for frame in text.split("\n\n") {
        let id = frame.lines().find_map(|l| l.strip_prefix("id: "));
        let kind = frame.lines().find_map(|l| l.strip_prefix("event: "));
        match (kind, id) {
            (Some("tick"), Some(id)) => {
                ticks += 1;
                if !ids.insert(id.to_owned()) {
                    duplicates += 1;
                }
            }
            (Some("resync"), _) => resyncs += 1,
            _ => {}
        }
    }
    row.checks.push(check(
        format!("{ticks} events read, {duplicates} ids issued twice"),
        ticks > 0 && duplicates == 0,
    ));
    row.checks.push(check(
        format!("{resyncs} resyncs for one outage"),
        resyncs <= 2,
    ));
    row
}

/// `count` SSE requests with cursors that do not parse: each should get 200 and `resync`.
pub async fn bad_cursors(count: usize) -> Row {
    let target = Target::start(busy_launch());
    let cursors = [
        "garbage",
        "0000000000000000-x",
        "1-2-3",
        "-",
        "ffffffffffffffffffff-1",
        "0000000000000001-99999999999999999999999",
    ];
    let mut good = 0;
    for i in 0..count {
        let cursor = cursors[i % cursors.len()];
        let mut s = match tokio::net::TcpStream::connect(("127.0.0.1", target.port)).await {
            Ok(s) => s,
            Err(_) => continue,
        };
        let head = format!(
            "GET /api/events?topics={TOPIC} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\nLast-Event-ID: {cursor}\r\n\r\n"
        );
        if s.write_all(head.as_bytes()).await.is_err() {
            continue;
        }
        let seen = net::read_until(&mut s, b"event: resync", Duration::from_millis(1500)).await;
        let seen = String::from_utf8_lossy(&seen);
        if seen.starts_with("HTTP/1.1 200") && seen.contains("event: resync") {
            good += 1;
        }
    }
    let mut row = Row::new(
        "malformed cursors",
        format!("{count} SSE requests with a Last-Event-ID that does not parse"),
    );
    row.checks.push(check(
        format!("{good} of {count} answered 200 and began with resync"),
        good == count,
    ));
    target.finish(&mut row).await;
    row
}
