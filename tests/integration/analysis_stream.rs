//! Issue 11: an analysis's own stream (`GET /api/analysis/{id}/stream`) ends after the
//! session's last event instead of sending heartbeats for ever — live, and replayed to a client
//! that connects after the end. Read from a raw socket, so the end is the server's chunked
//! terminator and the connection closing, not a read timing out.

use std::io::{Read, Write};
use std::time::Duration;

use super::analysis::{start, wait_for_sample};
use super::util::Server;

/// Everything the server sends for `GET path` until it closes the connection; fails if it
/// does not close within `limit`.
fn read_to_the_end(server: &Server, path: &str, limit: Duration) -> String {
    read_to_the_end_with(server, path, "", limit)
}

/// The same, with extra header lines (each ending in CRLF).
fn read_to_the_end_with(server: &Server, path: &str, headers: &str, limit: Duration) -> String {
    let address = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(limit)).unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{headers}\r\n").as_bytes())
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return String::from_utf8_lossy(&seen).into_owned(),
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) => panic!(
                "the stream did not end ({e}); it sent:\n{}",
                String::from_utf8_lossy(&seen)
            ),
        }
    }
}

/// Checks that `body` ends with the session's `finished` event, then the chunked terminator.
fn ends_after_finished(body: &str) {
    assert!(body.starts_with("HTTP/1.1 200 "), "{body}");
    let at = body
        .rfind("event: finished\n")
        .unwrap_or_else(|| panic!("no finished event:\n{body}"));
    let (_, after) = body[at..]
        .split_once("\n\n")
        .unwrap_or_else(|| panic!("the finished frame is cut:\n{body}"));
    assert_eq!(
        after, "\r\n0\r\n\r\n",
        "nothing after the last event but the end of the body"
    );
}

#[test]
fn an_analysis_stream_ends_after_its_last_event() {
    // Heartbeats every second: a stream that did not end would send one within the wait.
    let server = Server::start(&[("BETTAFISH_HEARTBEAT_SECS", "1")]);
    wait_for_sample(&server);
    let id = start(&server, "滨海马拉松");
    let path = format!("/api/analysis/{id}/stream");
    let live = read_to_the_end(&server, &path, Duration::from_secs(60));
    ends_after_finished(&live);
    assert!(live.contains("event: started\n"), "{live}");
    // Connecting after the end replays the session from its start, and ends the same way.
    let late = read_to_the_end(&server, &path, Duration::from_secs(10));
    ends_after_finished(&late);
    assert!(late.contains("event: started\n"), "{late}");
    // An EventSource reconnecting after the end (from the last id it read) is not held open
    // waiting for a last event it already has: nothing to replay, and the end at once.
    let at = live.rfind("event: finished\n").unwrap();
    let last_id = live[..at]
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("id: "))
        .unwrap_or_else(|| panic!("no id before the finished event:\n{live}"));
    let again = read_to_the_end_with(
        &server,
        &path,
        &format!("Last-Event-ID: {last_id}\r\n"),
        Duration::from_secs(10),
    );
    assert!(again.starts_with("HTTP/1.1 200 "), "{again}");
    assert!(!again.contains("event: "), "nothing replayed:\n{again}");
    assert!(again.ends_with("\r\n0\r\n\r\n"), "{again}");
    // An analysis that does not exist has no stream.
    let unknown = read_to_the_end(
        &server,
        "/api/analysis/0123456789ab/stream",
        Duration::from_secs(10),
    );
    assert!(unknown.starts_with("HTTP/1.1 404 "), "{unknown}");
    // The general stream of the same topic is the client's to end: it stays open.
    let mut open = super::sse::SseClient::open(
        &server.base,
        &format!("/api/events?topics=analysis/{id}"),
        &[],
    );
    open.next_frame();
    let line = std::iter::from_fn(|| open.raw_line())
        .find(|l| !l.is_empty())
        .unwrap();
    assert!(line.starts_with(':'), "a heartbeat, got {line:?}");
}
