//! Access control: mutating routes need the operator token; read routes are open on loopback
//! and need a viewer (or operator) token elsewhere.

use serde_json::json;

use super::util::Server;

#[test]
fn mutations_need_the_operator_token() {
    let server = Server::start(&[]);
    let path = "/api/actors/root/infra/metrics/restart";
    let missing = server.post_raw(path, None, "{}");
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (401, "unauthorized")
    );
    let wrong = server.post_raw(path, Some("not-the-token"), "{}");
    assert_eq!((wrong.status, wrong.code().as_str()), (403, "forbidden"));
    assert_eq!(server.node("root/infra/metrics")["restarts"], 0);
    // The generated token is private and works.
    use std::os::unix::fs::PermissionsExt;
    let file = server.path().join("data/operator.token");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(server.post(path, &json!({})).status, 200);
    assert!(
        server.log().contains("operator.token"),
        "the log says where the token is"
    );
    assert!(
        !server.log().contains(&server.token),
        "the token itself is never logged"
    );
}

#[test]
fn reads_need_a_token_off_loopback() {
    let server = Server::start(&[
        ("HOST", "0.0.0.0"),
        ("BETTAFISH_OPERATOR_TOKEN", "op-token"),
        ("BETTAFISH_VIEWER_TOKEN", "view-token"),
    ]);
    assert_eq!(server.get("/healthz").status, 200, "health stays public");
    assert_eq!(server.get("/metrics").status, 200, "metrics stay public");
    assert_eq!(server.get("/api/actors").status, 401);
    assert_eq!(server.get_as("/api/actors", "wrong").status, 403);
    assert_eq!(server.get_as("/api/actors", "view-token").status, 200);
    assert_eq!(server.get_as("/api/actors", "op-token").status, 200);
    let as_viewer = server.post_raw("/api/system/restart", Some("view-token"), "{}");
    assert_eq!(as_viewer.status, 403);
    assert_eq!(
        server
            .post_raw("/api/system/restart", Some("op-token"), "{}")
            .status,
        200
    );
    // Event streams also take the token as `?token=` (EventSource cannot set headers);
    // other routes do not.
    let stream = |path: &str| super::sse::SseClient::open(&server.base, path, &[]).status();
    assert_eq!(stream("/api/events?topics=actors"), 401);
    assert_eq!(stream("/api/events?topics=actors&token=wrong"), 403);
    assert_eq!(stream("/api/events?topics=actors&token=view-token"), 200);
    // Let in by the token, then told that no such analysis exists.
    assert_eq!(
        stream("/api/analysis/0123456789ab/stream?token=view-token"),
        404
    );
    assert_eq!(server.get("/api/actors?token=view-token").status, 401);
}
