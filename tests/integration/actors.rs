//! Operator commands over HTTP: a restart shows in the tree, in the metrics and in the recent
//! lifecycle events; stop and start; readiness follows the infrastructure.

use serde_json::json;

use super::util::Server;

#[test]
fn restart_counts_in_tree_metrics_and_events() {
    let server = Server::start(&[]);
    assert_eq!(server.node("root/infra/metrics")["restarts"], 0);
    let answer = server.post("/api/actors/root/infra/metrics/restart", &json!({}));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["node"]["restarts"], 1);
    assert_eq!(body["node"]["state"], "running");
    assert_eq!(server.node("root/infra/metrics")["restarts"], 1);
    assert_eq!(
        server.metric(r#"bettafish_actor_restarts_total{path="root/infra/metrics"}"#),
        Some(1.0)
    );
    assert_eq!(
        server.metric(
            r#"bettafish_operator_commands_total{path="root/infra/metrics",command="restart"}"#
        ),
        Some(1.0)
    );
    // The observer hook saw the command and the new incarnation.
    let events = server.get("/api/system/status").json()["recent_events"].clone();
    let seen = |event: &str| {
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "root/infra/metrics" && e["event"] == event)
    };
    assert!(
        seen("command") && seen("stopped") && seen("started"),
        "{events:#}"
    );
    // The config actor next to it was not touched.
    assert_eq!(server.node("root/infra/config")["restarts"], 0);
}

#[test]
fn stop_and_start_and_readiness() {
    let server = Server::start(&[]);
    assert_eq!(server.get("/readyz").status, 200);
    let stopped = server.post("/api/actors/root/infra/metrics/stop", &json!({}));
    assert_eq!(stopped.status, 200, "{}", stopped.body);
    assert_eq!(server.node("root/infra/metrics")["state"], "stopped");
    assert_eq!(
        server.metric(r#"bettafish_actor_up{path="root/infra/metrics"}"#),
        Some(0.0)
    );
    let ready = server.get("/readyz");
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert_eq!(ready.json()["ready"], false);
    let started = server.post("/api/actors/root/infra/metrics/start", &json!({}));
    assert_eq!(started.status, 200);
    assert_eq!(server.node("root/infra/metrics")["state"], "running");
    assert_eq!(
        server.metric(r#"bettafish_actor_up{path="root/infra/metrics"}"#),
        Some(1.0)
    );
    assert_eq!(server.get("/readyz").status, 200);
}

#[test]
fn unknown_actor_paths_are_404() {
    let server = Server::start(&[]);
    let answer = server.post("/api/actors/root/engines/nope/restart", &json!({}));
    assert_eq!(answer.status, 404);
    assert_eq!(answer.code(), "not_found");
    assert!(answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("root/engines/nope"));
}

#[test]
fn system_commands_act_on_the_workload_branches() {
    let server = Server::start(&[]);
    let answer = server.post("/api/system/restart", &json!({}));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(server.node("root/engines")["restarts"], 1);
    assert_eq!(server.node("root/crawlers")["restarts"], 1);
    assert_eq!(server.node("root/infra")["restarts"], 0);
    server.post("/api/system/stop", &json!({}));
    assert_eq!(server.node("root/engines")["state"], "stopped");
    server.post("/api/system/start", &json!({}));
    assert_eq!(server.node("root/engines")["state"], "running");
    let status = server.get("/api/status").json();
    assert_eq!(status["success"], true);
    assert!(status["engines"].is_object());
}
