//! Events over real sockets: SSE with resume, resync, heartbeats and headers; slow clients;
//! WebSocket subscribe, commands, bad and oversized frames; publishing from outside; shutdown.

use std::time::Duration;

use serde_json::json;

use super::sse::SseClient;
use super::util::Server;

fn publish(server: &Server, topic: &str, n: usize) -> String {
    server.publish(topic, &json!({"n": n}))
}

#[test]
fn sse_headers_retry_and_live_events() {
    let server = Server::start(&[]);
    let mut client = SseClient::open(&server.base, "/api/events?topics=ext/a", &[]);
    assert_eq!(client.status(), 200);
    assert!(client
        .header("content-type")
        .unwrap()
        .starts_with("text/event-stream"));
    assert_eq!(client.header("cache-control").as_deref(), Some("no-cache"));
    assert_eq!(client.header("x-accel-buffering").as_deref(), Some("no"));
    assert_eq!(client.next_frame().unwrap().retry, Some(3000));
    let id = publish(&server, "ext/a", 1);
    publish(&server, "ext/other", 2);
    let frame = client.next_event().unwrap();
    assert_eq!(frame.id.as_deref(), Some(id.as_str()));
    assert_eq!(frame.event.as_deref(), Some("tick"));
    let data = frame.json();
    assert_eq!(
        (data["topic"].as_str(), data["id"].as_str()),
        (Some("ext/a"), Some(id.as_str()))
    );
    assert_eq!(data["data"]["n"], 1);
}

#[test]
fn resuming_gets_exactly_the_missed_events_in_order() {
    let server = Server::start(&[]);
    let mut first = SseClient::open(&server.base, "/api/events?topics=ext/t", &[]);
    first.next_frame();
    let ids: Vec<String> = (0..5).map(|n| publish(&server, "ext/t", n)).collect();
    let a = first.next_event().unwrap();
    let b = first.next_event().unwrap();
    assert_eq!(
        (a.id.unwrap(), b.id.as_deref().unwrap()),
        (ids[0].clone(), ids[1].as_str())
    );
    drop(first); // the connection drops after the client handled two events
    let more: Vec<String> = (5..8).map(|n| publish(&server, "ext/t", n)).collect();
    let last = b.id.unwrap();
    // Resume through the header...
    let mut again = SseClient::open(
        &server.base,
        "/api/events?topics=ext/t",
        &[("Last-Event-ID", &last)],
    );
    again.next_frame();
    let marker = publish(&server, "ext/t", 99);
    let expected: Vec<String> = ids[2..]
        .iter()
        .chain(&more)
        .chain([&marker])
        .cloned()
        .collect();
    let got: Vec<String> = (0..expected.len())
        .map(|_| again.next_event().unwrap().id.unwrap())
        .collect();
    assert_eq!(
        got, expected,
        "every missed event, in order, once, then live"
    );
    // ...and through the query parameter.
    let mut third = SseClient::open(
        &server.base,
        &format!("/api/events?topics=ext/t&last_event_id={}", ids[3]),
        &[],
    );
    third.next_frame();
    assert_eq!(third.next_event().unwrap().id.unwrap(), ids[4]);
}

#[test]
fn stale_foreign_and_bad_cursors() {
    let server = Server::start(&[("BETTAFISH_EVENT_HISTORY_MAX_EVENTS", "5")]);
    let first = publish(&server, "ext/s", 0);
    for n in 1..20 {
        publish(&server, "ext/s", n);
    }
    let mut stale = SseClient::open(
        &server.base,
        "/api/events?topics=ext/s",
        &[("Last-Event-ID", &first)],
    );
    stale.next_frame();
    let resync = stale.next_event().unwrap();
    assert_eq!(resync.event.as_deref(), Some("resync"));
    assert!(resync.json()["data"]["reason"]
        .as_str()
        .unwrap()
        .contains("older"));
    // The resync's id is the current position: the next event follows it directly.
    let next = publish(&server, "ext/s", 20);
    assert_eq!(stale.next_event().unwrap().id.unwrap(), next);
    let foreign = format!("{:016x}-3", 0xdead_beef_u64);
    let mut other = SseClient::open(
        &server.base,
        "/api/events?topics=ext/s",
        &[("Last-Event-ID", &foreign)],
    );
    other.next_frame();
    assert_eq!(other.next_event().unwrap().event.as_deref(), Some("resync"));
    // Issue 12: a cursor that cannot be read is answered like one that cannot be resumed
    // (an EventSource never reconnects after a non-200).
    let mut bad = SseClient::open(
        &server.base,
        "/api/events?topics=ext/s&last_event_id=nonsense",
        &[],
    );
    assert_eq!(bad.status(), 200);
    assert_eq!(bad.next_event().unwrap().event.as_deref(), Some("resync"));
    let bad = server.get("/api/events?topics=a%20b");
    assert_eq!((bad.status, bad.code().as_str()), (400, "bad_topics"));
    assert_eq!(server.get("/api/events").status, 400, "topics are required");
}

#[test]
fn actor_restarts_show_live_on_the_actors_topic() {
    let server = Server::start(&[]);
    let mut client = SseClient::open(&server.base, "/api/events?topics=actors", &[]);
    client.next_frame();
    server.post("/api/actors/root/infra/metrics/restart", &json!({}));
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("started") {
        let frame = client.next_event().unwrap();
        let data = frame.json();
        assert_eq!(data["data"]["path"], "root/infra/metrics");
        seen.push(frame.event.unwrap());
    }
    assert_eq!(seen, ["command", "stopped", "started"]);
}

#[test]
fn heartbeats_keep_a_quiet_stream_alive() {
    let server = Server::start(&[("BETTAFISH_HEARTBEAT_SECS", "1")]);
    let mut client = SseClient::open(&server.base, "/api/events?topics=ext/quiet", &[]);
    client.next_frame();
    let line = std::iter::from_fn(|| client.raw_line())
        .find(|l| !l.is_empty())
        .unwrap();
    assert!(line.starts_with(':'), "a comment heartbeat, got {line:?}");
}

#[test]
fn publishing_from_outside_is_checked() {
    let server = Server::start(&[]);
    let token = server.token.clone();
    for topic in ["actors", "system", "report/1", "engine/query"] {
        let answer = server.post(&format!("/api/events/{topic}"), &json!({"data": 1}));
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (403, "topic_reserved"),
            "{topic}"
        );
    }
    let answer = server.post_raw("/api/events/ext/x", Some(&token), "{\"data\": ");
    assert_eq!(answer.status, 400);
    let answer = server.post_raw("/api/events/ext/x", Some(&token), "{\"type\": 5}");
    assert_eq!(answer.status, 422);
    let answer = server.post(
        "/api/events/ext/x",
        &json!({"type": "Not Valid", "data": 1}),
    );
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (422, "invalid_event")
    );
    assert_eq!(server.post_raw("/api/events/ext/x", None, "{}").status, 401);
}

#[test]
fn a_thousand_clients_each_get_a_burst_complete_and_in_order() {
    const CLIENTS: usize = 1_000;
    const EVENTS: usize = 1_000;
    let server = Server::start(&[]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let address = server.base.trim_start_matches("http://").to_owned();
    let counts = runtime.block_on(async {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(CLIENTS);
        let mut clients = Vec::new();
        for _ in 0..CLIENTS {
            let address = address.clone();
            let ready = ready_tx.clone();
            clients.push(tokio::spawn(async move {
                let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
                stream
                    .write_all(
                        format!(
                            "GET /api/events?topics=ext/burst HTTP/1.1\r\nHost: {address}\r\n\r\n"
                        )
                        .as_bytes(),
                    )
                    .await
                    .unwrap();
                let mut lines = BufReader::new(stream).lines();
                let mut offsets = Vec::with_capacity(EVENTS);
                let mut announced = false;
                while offsets.len() < EVENTS {
                    let line = match tokio::time::timeout(
                        Duration::from_secs(60),
                        lines.next_line(),
                    )
                    .await
                    {
                        Ok(Ok(Some(line))) => line,
                        _ => break,
                    };
                    if !announced && line.starts_with("retry:") {
                        announced = true;
                        ready.send(()).await.unwrap();
                    }
                    if let Some(id) = line.strip_prefix("id:") {
                        let offset: u64 = id.trim().rsplit('-').next().unwrap().parse().unwrap();
                        offsets.push(offset);
                    }
                }
                offsets
            }));
        }
        for _ in 0..CLIENTS {
            ready_rx.recv().await.unwrap();
        }
        clients
    });
    // Every client is subscribed: publish the burst.
    let first = publish(&server, "ext/burst", 0);
    for n in 1..EVENTS {
        publish(&server, "ext/burst", n);
    }
    let first_offset: u64 = first.rsplit('-').next().unwrap().parse().unwrap();
    let expected: Vec<u64> = (first_offset..first_offset + EVENTS as u64).collect();
    runtime.block_on(async {
        for (i, client) in counts.into_iter().enumerate() {
            let offsets = client.await.unwrap();
            assert_eq!(
                offsets.len(),
                EVENTS,
                "client {i} got {} events",
                offsets.len()
            );
            assert_eq!(offsets, expected, "client {i}: out of order or with gaps");
        }
    });
    assert!(
        server
            .metric(r#"bettafish_events_delivered_total{transport="sse"}"#)
            .unwrap()
            >= (CLIENTS * EVENTS) as f64
    );
}

#[test]
fn a_client_that_stops_reading_is_dropped_visibly_and_can_resume() {
    let server = Server::start(&[("BETTAFISH_CLIENT_QUEUE_EVENTS", "16")]);
    let mut reader = SseClient::open(&server.base, "/api/events?topics=ext/flood", &[]);
    reader.next_frame();
    let mut stalled = SseClient::open(&server.base, "/api/events?topics=ext/flood", &[]);
    stalled.next_frame();
    // Big events, so the stalled client's socket buffers fill and its queue overflows.
    let blob = "x".repeat(16 * 1024);
    let mut ids = Vec::new();
    for n in 0..600 {
        let answer = server.post(
            "/api/events/ext/flood",
            &json!({"type": "tick", "data": {"n": n, "blob": blob}}),
        );
        ids.push(answer.json()["id"].as_str().unwrap().to_owned());
        // The reading client keeps up; the publisher was never held back by the stalled one.
        assert_eq!(reader.next_event().unwrap().id.unwrap(), ids[n]);
    }
    assert!(
        server
            .metric(r#"bettafish_events_dropped_total{reason="lagged"}"#)
            .unwrap_or(0.0)
            > 0.0
    );
    // The stalled client finally reads: what was queued, then a `lagged` notice, then the end.
    let mut last_id = None;
    let notice = loop {
        let frame = stalled
            .next_event()
            .expect("the stream ends only after the notice");
        if frame.event.as_deref() == Some("lagged") {
            break frame;
        }
        last_id = frame.id;
    };
    let data = notice.json();
    assert_eq!(data["data"]["resume_from"].as_str(), last_id.as_deref());
    assert!(
        stalled.next_event().is_none(),
        "disconnected after the notice"
    );
    // It resumes from its cursor and gets the rest, exactly.
    let last = last_id.unwrap();
    let at = ids.iter().position(|id| *id == last).unwrap();
    let mut resumed = SseClient::open(
        &server.base,
        "/api/events?topics=ext/flood",
        &[("Last-Event-ID", &last)],
    );
    resumed.next_frame();
    for expected in &ids[at + 1..] {
        assert_eq!(&resumed.next_event().unwrap().id.unwrap(), expected);
    }
}

#[test]
fn streams_end_with_a_shutdown_frame_on_sigterm() {
    let mut server = Server::start(&[]);
    let mut client = SseClient::open(&server.base, "/api/events?topics=ext/z", &[]);
    client.next_frame();
    server.signal("TERM");
    let frame = client.next_event().unwrap();
    assert_eq!(frame.event.as_deref(), Some("shutdown"));
    assert!(client.next_event().is_none());
    assert_eq!(
        server.wait_exit(Duration::from_secs(10)),
        Some(0),
        "{}",
        server.log()
    );
}

/// Event streams are served on their own HTTP/1 path (not hyper's); its framing must hold for
/// every kind of client and its connections must go when their peers do.
#[test]
fn event_stream_connections_speak_plain_http_and_end_with_their_peers() {
    use std::io::{Read, Write};
    let server = Server::start(&[]);
    let address = server.base.trim_start_matches("http://").to_owned();
    let gauge = "bettafish_realtime_connections{transport=\"sse\"}";

    // HTTP/1.0: no chunked encoding; the body runs until the connection closes.
    let mut old = std::net::TcpStream::connect(&address).unwrap();
    old.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    old.write_all(b"GET /api/events?topics=ext/old HTTP/1.0\r\n\r\n")
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("retry: 3000\n\n") {
        let n = old.read(&mut buf).unwrap();
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&seen).to_string();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(
        !text.to_ascii_lowercase().contains("transfer-encoding"),
        "{text}"
    );
    assert!(text.contains("\r\n\r\nretry: 3000\n\n"), "{text}");
    assert_eq!(server.metric(gauge), Some(1.0));

    // The peer going away ends the stream even while it is quiet.
    drop(old);
    server.wait_for_metric(gauge, 0.0, Duration::from_secs(5));

    // A head that never ends in a reasonable size is refused with 431, not buffered.
    let mut big = std::net::TcpStream::connect(&address).unwrap();
    big.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let filler = format!("X-Filler: {}\r\n", "a".repeat(1000));
    let mut request = String::from("GET /api/events?topics=a HTTP/1.1\r\n");
    for _ in 0..20 {
        request.push_str(&filler);
    }
    let _ = big.write_all(request.as_bytes());
    let mut answer = String::new();
    let _ = big.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");

    // Errors from the dispatcher keep their JSON body and request id; the server lives on.
    let bad = server.get("/api/events?topics=a%20b");
    assert_eq!((bad.status, bad.code().as_str()), (400, "bad_topics"));
    assert!(bad.header("x-request-id").is_some());
    assert_eq!(server.get("/healthz").status, 200);
}
