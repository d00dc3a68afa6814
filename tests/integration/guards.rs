//! The request guards against the real binary: `Host` (missing, doubled, not served on
//! loopback, the allow-list), WebSocket origins, CORS off and on, the rate limits with 429 and
//! `Retry-After`, and the client's address on every access-log line, upgrades included.

use std::time::Duration;

use super::eventually::eventually;
use super::raw;
use super::util::Server;

/// A WebSocket upgrade request with `origin` (none if empty).
fn upgrade(address: &str, origin: &str) -> String {
    let origin = if origin.is_empty() {
        String::new()
    } else {
        format!("Origin: {origin}\r\n")
    };
    format!(
        "GET /ws HTTP/1.1\r\nHost: {address}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{origin}\r\n"
    )
}

#[test]
fn a_missing_or_doubled_host_is_400() {
    let server = Server::start(&[]);
    let address = raw::address(&server.base).to_owned();
    let missing = raw::exchange(&server.base, "GET /healthz HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(
        (missing.status(), missing.json()["error"]["code"].as_str()),
        (400, Some("bad_host"))
    );
    let doubled = raw::exchange(
        &server.base,
        &format!("GET /api/status HTTP/1.1\r\nHost: {address}\r\nHost: {address}\r\n\r\n"),
    )
    .unwrap();
    assert_eq!(doubled.status(), 400, "{doubled:?}");
    // The same on the event-stream path.
    let missing = raw::exchange(
        &server.base,
        "GET /api/events?topics=ext/h HTTP/1.1\r\n\r\n",
    )
    .unwrap();
    assert_eq!(missing.status(), 400, "{missing:?}");
    // HTTP/1.0 did not require it.
    let old = raw::exchange(&server.base, "GET /healthz HTTP/1.0\r\n\r\n").unwrap();
    assert_eq!(old.status(), 200, "{old:?}");
}

#[test]
fn on_loopback_only_loopback_names_and_listed_ones_are_served() {
    let server = Server::start(&[("BETTAFISH_ALLOWED_HOSTS", "bettafish.lan")]);
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    let with_host = |path: &str, host: &str| {
        raw::exchange(
            &server.base,
            &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
        .unwrap()
    };
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "LOCALHOST".to_owned(),
        format!("[::1]:{port}"),
        format!("bettafish.lan:{port}"),
    ] {
        assert_eq!(with_host("/api/status", &host).status(), 200, "{host}");
    }
    // A rebound name: refused on both paths, with a body that says why.
    for path in ["/api/status", "/api/events?topics=ext/h"] {
        let refused = with_host(path, &format!("evil.example:{port}"));
        assert_eq!(refused.status(), 421, "{path}: {refused:?}");
        assert_eq!(refused.json()["error"]["code"], "unknown_host");
    }
}

/// `GET path` with `host` and the viewer token `viewer`.
fn get_with_host(server: &Server, path: &str, host: &str) -> raw::Answer {
    raw::exchange(
        &server.base,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer viewer\r\n\
             Connection: close\r\n\r\n"
        ),
    )
    .unwrap()
}

#[test]
fn off_loopback_every_name_is_served_unless_a_list_is_set() {
    let server = Server::start(&[("HOST", "0.0.0.0"), ("BETTAFISH_VIEWER_TOKEN", "viewer")]);
    for path in ["/healthz", "/api/status"] {
        let answer = get_with_host(&server, path, "service.example");
        assert_eq!(answer.status(), 200, "{path}: {answer:?}");
    }
    drop(server);

    // With a list: only its names, on the data routes; probes answer to any name (load
    // balancers and Prometheus use the address).
    let server = Server::start(&[
        ("HOST", "0.0.0.0"),
        ("BETTAFISH_VIEWER_TOKEN", "viewer"),
        ("BETTAFISH_ALLOWED_HOSTS", "service.example,2001:db8::1"),
    ]);
    for host in [
        "service.example:443",
        "SERVICE.example",
        "[2001:db8::1]:5000",
    ] {
        let answer = get_with_host(&server, "/api/status", host);
        assert_eq!(answer.status(), 200, "{host}: {answer:?}");
    }
    for path in ["/api/status", "/api/events?topics=ext/h"] {
        let refused = get_with_host(&server, path, "other.example");
        assert_eq!(refused.status(), 421, "{path}: {refused:?}");
        assert_eq!(refused.json()["error"]["code"], "unknown_host");
    }
    for path in ["/healthz", "/readyz", "/metrics"] {
        let answer = get_with_host(&server, path, "10.1.2.3:5000");
        assert_ne!(answer.status(), 421, "{path}: {answer:?}");
    }
}

#[test]
fn websocket_upgrades_are_same_origin_unless_allowed_and_logged_with_the_address() {
    let server = Server::start(&[("BETTAFISH_ALLOWED_ORIGINS", "http://ui.example:8080")]);
    let address = raw::address(&server.base).to_owned();
    // Another page's origin: 403 before any upgrade.
    let mut stream = raw::connect(&server.base);
    std::io::Write::write_all(
        &mut stream,
        upgrade(&address, "http://evil.example").as_bytes(),
    )
    .unwrap();
    let refused = raw::read_answer(&mut stream).unwrap();
    assert_eq!(refused.status(), 403, "{refused:?}");
    assert_eq!(refused.json()["error"]["code"], "origin_not_allowed");
    assert!(refused.header("upgrade").is_none());
    // The server's own pages, an allowed origin, and clients that send no Origin: upgraded.
    for origin in [
        format!("http://{address}"),
        "http://ui.example:8080".to_owned(),
        String::new(),
    ] {
        let answer = raw::exchange(&server.base, &upgrade(&address, &origin)).unwrap();
        assert_eq!(answer.status(), 101, "{origin}: {answer:?}");
    }
    // Each upgrade, the refused one too, has its access-log line with the client's address.
    for status in ["status=403", "status=101"] {
        eventually(
            &format!("an access line for /ws with {status}"),
            Duration::from_secs(5),
            || {
                server.log().lines().any(|l| {
                    l.contains("path=\"/ws\"")
                        && l.contains(status)
                        && l.contains("remote=127.0.0.1")
                })
            },
        );
    }
    // And requests served by hyper have it too.
    assert_eq!(server.get("/api/status").status, 200);
    eventually(
        "an access line for /api/status",
        Duration::from_secs(5),
        || {
            server
                .log()
                .lines()
                .any(|l| l.contains("path=\"/api/status\"") && l.contains("remote=127.0.0.1"))
        },
    );
}

/// An `OPTIONS` preflight from `origin`.
fn preflight(server: &Server, origin: &str) -> raw::Answer {
    raw::exchange(
        &server.base,
        &format!(
            "OPTIONS /api/status HTTP/1.1\r\nHost: {}\r\nOrigin: {origin}\r\n\
             Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\n\
             Connection: close\r\n\r\n",
            raw::address(&server.base)
        ),
    )
    .unwrap()
}

#[test]
fn cors_is_off_by_default() {
    let server = Server::start(&[]);
    let answer = preflight(&server, "http://ui.example");
    assert_ne!(answer.status(), 204, "{answer:?}");
    assert!(answer.header("access-control-allow-origin").is_none());
    let answer = raw::get(&server.base, "/api/status", "Origin: http://ui.example\r\n").unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.header("access-control-allow-origin").is_none());
}

#[test]
fn cors_answers_configured_origins_only() {
    let server = Server::start(&[("BETTAFISH_CORS_ORIGINS", "http://ui.example")]);
    let answer = preflight(&server, "http://ui.example");
    assert_eq!(answer.status(), 204, "{answer:?}");
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("http://ui.example")
    );
    assert!(answer
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    assert!(answer
        .header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    let answer = raw::get(&server.base, "/api/status", "Origin: http://ui.example\r\n").unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("http://ui.example")
    );

    let answer = preflight(&server, "http://evil.example");
    assert_eq!(answer.status(), 403, "{answer:?}");
    assert!(answer.header("access-control-allow-origin").is_none());
    let answer = raw::get(
        &server.base,
        "/api/status",
        "Origin: http://evil.example\r\n",
    )
    .unwrap();
    assert!(answer.header("access-control-allow-origin").is_none());
}

#[test]
fn an_address_over_its_rate_gets_429_with_retry_after_and_probes_are_exempt() {
    let server = Server::start(&[
        ("BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC", "1"),
        ("BETTAFISH_RATE_LIMIT_ADDRESS_BURST", "3"),
        // The test's client is on loopback, which is not limited unless asked.
        ("BETTAFISH_RATE_LIMIT_LOOPBACK", "true"),
    ]);
    for _ in 0..3 {
        assert_eq!(server.get("/api/status").status, 200);
    }
    let limited = server.get("/api/status");
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.code(), "rate_limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(retry >= 1);
    for _ in 0..10 {
        assert_eq!(server.get("/healthz").status, 200);
    }
    let counted = server
        .metric("bettafish_http_rate_limited_total{scope=\"address\"}")
        .unwrap_or(0.0);
    assert!(counted >= 1.0, "{counted}");
}

#[test]
fn loopback_peers_are_not_limited_by_address_by_default() {
    // As behind a reverse proxy on the same machine: every user comes from 127.0.0.1.
    let server = Server::start(&[
        ("BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC", "1"),
        ("BETTAFISH_RATE_LIMIT_ADDRESS_BURST", "1"),
    ]);
    for _ in 0..10 {
        assert_eq!(server.get("/api/status").status, 200);
    }
}

#[test]
fn an_event_stream_over_its_rate_is_told_when_to_come_back() {
    let server = Server::start(&[
        ("BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC", "1"),
        ("BETTAFISH_RATE_LIMIT_ADDRESS_BURST", "1"),
        ("BETTAFISH_RATE_LIMIT_LOOPBACK", "true"),
    ]);
    assert_eq!(server.get("/api/status").status, 200);
    // A browser's EventSource gives up for good on a 429; it follows a 200 stream that ends
    // with a `retry:` delay, reconnecting after it.
    let answer = raw::get(&server.base, "/api/events?topics=ext/r", "").unwrap();
    assert_eq!(answer.status(), 200, "{answer:?}");
    assert_eq!(answer.header("content-type"), Some("text/event-stream"));
    let retry_after: u64 = answer.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    assert!(
        answer
            .body
            .starts_with(&format!("retry: {}\n", retry_after * 1000)),
        "{answer:?}"
    );
    assert!(answer.body.contains("rate_limited"), "{answer:?}");
    let counted = server
        .metric("bettafish_http_rate_limited_total{scope=\"address\"}")
        .unwrap_or(0.0);
    assert!(counted >= 1.0, "{counted}");
}

#[test]
fn unknown_tokens_neither_count_for_nor_reset_the_real_ones() {
    let server = Server::start(&[
        ("BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC", "0"),
        ("BETTAFISH_RATE_LIMIT_TOKEN_PER_SEC", "1"),
        ("BETTAFISH_RATE_LIMIT_TOKEN_BURST", "2"),
        ("BETTAFISH_RATE_LIMIT_MAX_CLIENTS", "16"),
    ]);
    for _ in 0..2 {
        assert_eq!(server.call("GET", "/api/status", "").status, 200);
    }
    assert_eq!(server.call("GET", "/api/status", "").status, 429);
    let emptied = std::time::Instant::now();
    // Many made-up tokens (reads are open on loopback, so they are served): none is limited
    // as a token, and they do not push the operator's bucket out of the table.
    for i in 0..20 {
        let answer = server.get_as("/api/status", &format!("made-up-{i}"));
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let limited = server.call("GET", "/api/status", "");
    // The bucket refills one request a second (the slowest rate there is): on a machine slow
    // enough that the made-up requests took that long, a 200 is the refill, not a reset.
    if emptied.elapsed() < std::time::Duration::from_millis(900) {
        assert_eq!(limited.status, 429, "the operator's bucket was not reset");
    } else {
        eprintln!("the made-up requests took over a second: the bucket may have refilled");
    }
}

#[test]
fn a_token_over_its_rate_gets_429() {
    let server = Server::start(&[
        ("BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC", "0"),
        ("BETTAFISH_RATE_LIMIT_TOKEN_PER_SEC", "1"),
        ("BETTAFISH_RATE_LIMIT_TOKEN_BURST", "2"),
    ]);
    for _ in 0..2 {
        assert_eq!(server.call("GET", "/api/status", "").status, 200);
    }
    let limited = server.call("GET", "/api/status", "");
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert!(limited.header("retry-after").is_some());
    // The address is not limited: the same client without the token is served.
    assert_eq!(server.get("/api/status").status, 200);
    let counted = server
        .metric("bettafish_http_rate_limited_total{scope=\"token\"}")
        .unwrap_or(0.0);
    assert!(counted >= 1.0, "{counted}");
}
