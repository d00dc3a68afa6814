//! Issue 12, the event streams' part: what a client can make the server hold is bounded, and a
//! client that breaks the rules is told why. Through the real binary: a resume replays through
//! small pages and writes; the history keeps its bytes; an event over the size limit is 413; a
//! publish body of the wrong shape is 422 and publishes nothing; a cursor that cannot be read
//! is a 200 with `resync` (SSE and WebSocket); a payload's line breaks never split an SSE
//! event. The WebSocket's own bounds are in `ws`.

use std::time::Duration;

use serde_json::{json, Value};

use super::sse::SseClient;
use super::util::Server;

fn publish(server: &Server, topic: &str, data: &Value) -> String {
    server.publish(topic, data)
}

/// Review of issue 12: a payload's own line breaks (raw JSON keeps the publisher's
/// whitespace) once went into the SSE `data:` line as they were; the blank line ended the event
/// early for every client of the topic. Every frame is one line, and the next event is whole.
#[test]
fn a_payload_with_line_breaks_is_one_sse_event() {
    let server = Server::start(&[]);
    let mut client = SseClient::open(&server.base, "/api/events?topics=ext/nl", &[]);
    client.next_frame();
    let answer = server.post_raw(
        "/api/events/ext/nl",
        Some(&server.token),
        "{\"type\":\"tick\",\"data\":{\"a\":\n\n1,\r\n\"b\":[2,\n3]}}",
    );
    assert_eq!(answer.status, 202, "{}", answer.body);
    let event = client.next_event().unwrap();
    assert_eq!(event.event.as_deref(), Some("tick"));
    assert_eq!(event.json()["data"], json!({"a": 1, "b": [2, 3]}));
    let next = publish(&server, "ext/nl", &json!("after"));
    let frame = client.next_event().unwrap();
    assert_eq!(frame.id.as_deref(), Some(next.as_str()), "{frame:?}");
    assert_eq!(frame.json()["data"], "after");
}

/// Issue 12 (9): a cursor that cannot be read is a 200 whose stream starts with `resync` — on
/// the header, the query and a WebSocket `since` — and its text is not logged.
#[test]
fn issue12_a_malformed_cursor_is_a_200_that_starts_with_resync() {
    let server = Server::start(&[]);
    let marker = "not-a-cursor-5f1e";
    for (path, headers) in [
        (
            "/api/events?topics=ext/c".to_owned(),
            vec![("Last-Event-ID", marker)],
        ),
        (
            format!("/api/events?topics=ext/c&last_event_id={marker}"),
            vec![],
        ),
        (
            "/api/events?topics=ext/c".to_owned(),
            vec![("Last-Event-ID", "0123456789abcdef-")],
        ),
        // Given twice: which one would be honoured? Neither — resync, not a 400.
        (
            "/api/events?topics=ext/c&last_event_id=0000000000000001-1&last_event_id=b".to_owned(),
            vec![],
        ),
    ] {
        let mut client = SseClient::open(&server.base, &path, &headers);
        assert_eq!(client.status(), 200, "{path} {headers:?}");
        let resync = client.next_event().unwrap();
        assert_eq!(resync.event.as_deref(), Some("resync"), "{path}");
        assert!(resync.json()["data"]["reason"]
            .as_str()
            .unwrap()
            .contains("could not be read"));
        // Live events follow the resync's position.
        let id = publish(&server, "ext/c", &json!(1));
        assert_eq!(
            client.next_event().unwrap().id.as_deref(),
            Some(id.as_str())
        );
    }
    // An analysis's stream reads the cursor the same way: an unknown analysis is refused for
    // being unknown, not for its cursor.
    let analysis = SseClient::open(
        &server.base,
        "/api/analysis/0123456789ab/stream",
        &[("Last-Event-ID", marker)],
    );
    assert_eq!(analysis.status(), 404, "{}", analysis.head);
    // A WebSocket `since` that cannot be read: subscribed, then resync.
    runtime().block_on(async {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        let url = format!("{}/ws", server.base.replace("http://", "ws://"));
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        ws.send(Message::text(
            json!({"op": "subscribe", "topics": "ext/c", "since": marker}).to_string(),
        ))
        .await
        .unwrap();
        let mut kinds = Vec::new();
        while kinds.len() < 2 {
            let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if let Message::Text(text) = message {
                let frame: Value = serde_json::from_str(&text).unwrap();
                kinds.push(frame["event"].as_str().unwrap().to_owned());
            }
        }
        assert_eq!(kinds, ["subscribed", "resync"]);
    });
    assert!(
        !server.log().contains(marker),
        "the cursor's text is not logged"
    );
}

/// Issue 12 (10): a publish body that is not `{type, data}` is refused with 422 naming the
/// expected shape, and nothing is published.
#[test]
fn issue12_a_publish_body_of_the_wrong_shape_is_422_and_publishes_nothing() {
    let server = Server::start(&[]);
    let mut client = SseClient::open(&server.base, "/api/events?topics=ext/shape", &[]);
    client.next_frame();
    for body in [
        "[\"tick\", 1]",
        "\"tick\"",
        "null",
        "{\"type\": \"tick\"}",
        "{\"type\": \"tick\", \"data\": 1, \"extra\": true}",
        "{\"type\": 5, \"data\": 1}",
    ] {
        let answer = server.post_raw("/api/events/ext/shape", Some(&server.token), body);
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (422, "bad_shape"),
            "{body}"
        );
        let message = answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains("\"data\""), "{body}: {message}");
    }
    assert_eq!(
        server
            .post_raw("/api/events/ext/shape", Some(&server.token), "{\"data\": ")
            .status,
        400
    );
    // `type` may be left out; `data: null` given is data.
    let id = server
        .post_raw(
            "/api/events/ext/shape",
            Some(&server.token),
            "{\"data\": null}",
        )
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = client.next_event().unwrap();
    assert_eq!(
        first.id.as_deref(),
        Some(id.as_str()),
        "nothing was published before"
    );
    assert_eq!(first.event.as_deref(), Some("message"));
}

/// Issue 12 (6): an event over `BETTAFISH_EVENT_MAX_BYTES` is 413; the history keeps at most
/// `BETTAFISH_EVENT_HISTORY_MAX_BYTES`, and a cursor it lost resyncs.
#[test]
fn issue12_events_and_the_history_are_bounded_by_bytes() {
    let server = Server::start(&[
        ("BETTAFISH_EVENT_MAX_BYTES", "60000"),
        ("BETTAFISH_EVENT_HISTORY_MAX_BYTES", "1048576"),
    ]);
    let answer = server.post(
        "/api/events/ext/big",
        &json!({"type": "tick", "data": "x".repeat(70_000)}),
    );
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (413, "event_too_large")
    );
    assert_eq!(
        server.metric(r#"bettafish_events_refused_total{reason="too_large"}"#),
        Some(1.0)
    );
    let blob = "x".repeat(50_000);
    let first = publish(&server, "ext/big", &json!(blob));
    for _ in 0..40 {
        publish(&server, "ext/big", &json!(blob));
    }
    let kept = server.metric("bettafish_event_history_bytes").unwrap();
    assert!(kept <= 1_048_576.0 && kept > 500_000.0, "{kept}");
    let mut stale = SseClient::open(
        &server.base,
        "/api/events?topics=ext/big",
        &[("Last-Event-ID", &first)],
    );
    let resync = stale.next_event().unwrap();
    assert_eq!(resync.event.as_deref(), Some("resync"));
    assert!(resync.json()["data"]["reason"]
        .as_str()
        .unwrap()
        .contains("older"));
}

/// Issue 12 (2): a resume reads the history in pages and joins only small events into a
/// write: with tiny pages and writes, every missed event still comes once, in order.
#[test]
fn issue12_a_resume_through_small_pages_and_writes_misses_and_repeats_nothing() {
    let server = Server::start(&[
        ("BETTAFISH_REPLAY_PAGE_EVENTS", "3"),
        ("BETTAFISH_SSE_COALESCE_BYTES", "600"),
    ]);
    let before = publish(&server, "ext/other", &json!(0));
    let big = "y".repeat(20_000);
    let mut ids = Vec::new();
    for n in 0..60 {
        let data = if n % 7 == 0 { json!(big) } else { json!(n) };
        ids.push(publish(&server, "ext/p", &data));
        publish(&server, "ext/other", &json!(n));
    }
    let mut resumed = SseClient::open(
        &server.base,
        "/api/events?topics=ext/p",
        &[("Last-Event-ID", &before)],
    );
    let got: Vec<String> = (0..ids.len())
        .map(|_| resumed.next_event().unwrap().id.unwrap())
        .collect();
    assert_eq!(got, ids);
    let live = publish(&server, "ext/p", &json!("live"));
    assert_eq!(resumed.next_event().unwrap().id.unwrap(), live);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

mod ws;
