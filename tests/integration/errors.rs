//! Errors are JSON with the right status code: malformed JSON, unknown routes, wrong methods,
//! oversized bodies.

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
