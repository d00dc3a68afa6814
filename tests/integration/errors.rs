//! Errors are JSON with the right status code: malformed JSON, unknown routes, wrong methods,
//! oversized bodies, query values that do not fit; a body where none is taken does not spoil
//! the connection.

use super::util::Server;

#[test]
fn malformed_json_is_400() {
    let server = Server::start(&[]);
    let token = server.token.clone();
    let answer = server.post_raw("/api/config", Some(&token), "{\"SEARCH_TIMEOUT\": ");
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.code(), "bad_json");
    assert_eq!(answer.json()["success"], false);
}

#[test]
fn unknown_route_is_404_and_wrong_method_405() {
    let server = Server::start(&[]);
    let answer = server.get("/api/nothing-here");
    assert_eq!(answer.status, 404);
    assert_eq!(answer.code(), "no_route");
    let answer = server.get("/api/system/restart");
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("POST"));
    assert_eq!(answer.code(), "method_not_allowed");
}

#[test]
fn oversized_body_is_413() {
    let server = Server::start(&[("BETTAFISH_MAX_BODY_BYTES", "2048")]);
    let token = server.token.clone();
    let big = format!("{{\"SEARCH_TIMEOUT\": \"{}\"}}", "9".repeat(4096));
    let answer = server.post_raw("/api/config", Some(&token), &big);
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert_eq!(answer.code(), "body_too_large");
    assert_eq!(answer.header("connection"), Some("close"));
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn every_response_carries_a_request_id() {
    let server = Server::start(&[]);
    let a = server.get("/healthz");
    let b = server.get("/nope");
    let (a, b) = (
        a.header("x-request-id").unwrap().to_owned(),
        b.header("x-request-id").unwrap().to_owned(),
    );
    assert_ne!(a, b);
}

/// A body the server does not read — sent to a command that takes none (`curl -XPOST -d '{}'`),
/// without a token, to no route or with the wrong method — is drained: the same keep-alive
/// connection then serves the next request.
#[test]
fn a_body_on_a_command_keeps_the_connection_usable() {
    use std::io::{BufRead, BufReader, Read, Write};
    let server = Server::start(&[("BETTAFISH_SAMPLE_DATA", "off")]);
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let body = "{\"query\": \"ignored\"}";
    let post = |path: &str, authorization: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\n{authorization}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let bearer = format!("Authorization: Bearer {}\r\n", server.token);
    let requests = [
        (post("/api/forum/start", &bearer), "200"),
        (post("/api/analysis", ""), "401"),
        (post("/api/no/such/route", &bearer), "404"),
        (post("/healthz", &bearer), "405"),
        (
            format!("GET /api/status HTTP/1.1\r\nHost: {address}\r\n\r\n"),
            "200",
        ),
    ];
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    stream.set_nodelay(true).unwrap();
    for (request, status) in &requests {
        // The head first and the body a moment later, as a client that writes them
        // separately does: the server must not answer and close before the body arrives.
        let (head, body) = request.split_at(request.find("\r\n\r\n").unwrap() + 4);
        stream.write_all(head.as_bytes()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        stream.write_all(body.as_bytes()).unwrap();
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(
            line.starts_with(&format!("HTTP/1.1 {status}")),
            "{request}\n→ {line}"
        );
        let mut length = 0;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            if header == "\r\n" {
                break;
            }
            if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            assert!(
                !header.eq_ignore_ascii_case("connection: close\r\n"),
                "{request}"
            );
        }
        let mut answer = vec![0u8; length];
        reader.read_exact(&mut answer).unwrap();
    }
}

/// A refused request whose body will not come in a moment — it waits to be invited
/// (`Expect: 100-continue`), or says it is larger than the limit — is answered at once without
/// being read, and the answer says the connection closes.
#[test]
fn a_refused_body_that_is_not_read_closes_the_connection() {
    use std::io::{BufRead, BufReader, Read, Write};
    let server = Server::start(&[
        ("BETTAFISH_SAMPLE_DATA", "off"),
        ("BETTAFISH_MAX_BODY_BYTES", "2048"),
    ]);
    let address = server.base.trim_start_matches("http://").to_owned();
    for extra in [
        "Expect: 100-continue\r\nContent-Length: 100",
        "Content-Length: 5000",
    ] {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let head = format!("POST /api/analysis HTTP/1.1\r\nHost: {address}\r\n{extra}\r\n\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 401"), "{extra}: {line}");
        let mut headers = Vec::new();
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            if header == "\r\n" {
                break;
            }
            headers.push(header.trim().to_ascii_lowercase());
        }
        assert!(
            headers.iter().any(|h| h == "connection: close"),
            "{extra}: {headers:?}"
        );
        // The answer, then the end of the connection.
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert!(String::from_utf8_lossy(&rest).contains("unauthorized"));
    }
}

/// Query strings are read into typed structs: values are percent- and plus-decoded, and a value
/// that does not fit is a 400 that says which and why.
#[test]
fn query_strings_are_decoded_and_bad_values_refused() {
    let server = Server::start(&[("BETTAFISH_SAMPLE_DATA", "off")]);
    for (path, code, says) in [
        ("/api/analysis?limit=ten", "bad_limit", "limit is 1 to 1000"),
        ("/api/analysis?limit=0", "bad_limit", "limit is 1 to 1000"),
        (
            "/api/output/query?tail=ten",
            "bad_query",
            "`ten` is not a whole number",
        ),
        (
            "/api/db/search?q=x&limit=ten",
            "bad_query",
            "`ten` is not a whole number",
        ),
        (
            "/api/db/search?q=x&limit=500",
            "bad_limit",
            "limit is 1 to 200",
        ),
        (
            "/api/events?topics=a&topics=b",
            "bad_query",
            "duplicate field `topics`",
        ),
        ("/api/events?topics=a%20b", "bad_topics", "`a b`"),
    ] {
        let answer = server.get(path);
        assert_eq!(
            (answer.status, answer.code()),
            (400, code.to_owned()),
            "{path}"
        );
        let message = answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(says), "{path}: {message}");
    }
    // `ext%2Fq` is the topic `ext/q`.
    let mut client = super::sse::SseClient::open(&server.base, "/api/events?topics=ext%2Fq", &[]);
    assert_eq!(client.status(), 200);
    client.next_frame();
    let published = server.post(
        "/api/events/ext/q",
        &serde_json::json!({"type": "tick", "data": 1}),
    );
    assert_eq!(published.status, 202, "{}", published.body);
    assert_eq!(client.next_event().unwrap().json()["topic"], "ext/q");
}
