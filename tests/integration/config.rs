//! The configuration round trip through a real `.env`: comments and unknown lines kept, values
//! quoted, injections refused, secrets masked, and exactly the affected actors restarted.

use serde_json::json;

use super::util::Server;

fn server_with_env(dotenv: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), dotenv).unwrap();
    Server::start_in(dir, &[])
}

#[test]
fn round_trip_through_dotenv_restarts_only_the_affected_actor() {
    let server =
        server_with_env("# my settings\nSOMETHING_ELSE=keep\nQUERY_ENGINE_API_KEY=sk-secret-1\n");
    let before = server.get("/api/config").json();
    let find = |doc: &serde_json::Value, key: &str| {
        doc["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(find(&before, "QUERY_ENGINE_API_KEY")["value"], "********");
    assert!(!server.get("/api/config").body.contains("sk-secret-1"));

    let answer = server.post(
        "/api/config",
        &json!({"BETTAFISH_METRICS_INTERVAL_SECS": 2, "SEARCH_TIMEOUT": "61"}),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    // The engines build their search providers when they start, so a search setting restarts
    // them; the metrics actor reads its interval when it starts.
    assert_eq!(
        body["restarted"],
        json!(["root/engines", "root/infra/metrics"])
    );
    let mut changed: Vec<String> = serde_json::from_value(body["changed"].clone()).unwrap();
    changed.sort();
    assert_eq!(
        changed,
        ["BETTAFISH_METRICS_INTERVAL_SECS", "SEARCH_TIMEOUT"]
    );

    let text = std::fs::read_to_string(server.env_file()).unwrap();
    assert_eq!(
        text,
        "# my settings\nSOMETHING_ELSE=keep\nQUERY_ENGINE_API_KEY=sk-secret-1\n\
         BETTAFISH_METRICS_INTERVAL_SECS=\"2\"\nSEARCH_TIMEOUT=\"61\"\n"
    );
    let after = server.get("/api/config").json();
    assert_eq!(find(&after, "SEARCH_TIMEOUT")["value"], "61");
    assert_eq!(find(&after, "SEARCH_TIMEOUT")["source"], "dotenv");
    assert_eq!(server.node("root/infra/metrics")["restarts"], 1);
    assert_eq!(server.node("root/engines")["restarts"], 1);
    assert_eq!(server.node("root/infra/config")["restarts"], 0);

    // Setting the same value again changes nothing and restarts nothing.
    let again = server
        .post("/api/config", &json!({"SEARCH_TIMEOUT": "61"}))
        .json();
    assert_eq!(again["changed"], json!([]));
    assert_eq!(server.node("root/infra/metrics")["restarts"], 1);
}

#[test]
fn injection_and_bad_values_are_refused_and_nothing_is_written() {
    let original = "# keep\nPORT=5000\n";
    let server = server_with_env(original);
    for (body, status, code) in [
        (json!({"SEARCH_TIMEOUT": "x\nEVIL=1"}), 422, "invalid_value"),
        (
            json!({"QUERY_ENGINE_MODEL_NAME": "m\r\nEVIL=1"}),
            422,
            "invalid_value",
        ),
        (json!({"SEARCH_TIMEOUT": "ten"}), 422, "invalid_value"),
        (json!({"EVIL=1\nX": "1"}), 403, "not_settable"),
        (
            json!({"BETTAFISH_OPERATOR_TOKEN": "mine"}),
            403,
            "not_settable",
        ),
        (json!({"NOT_A_KEY": "1"}), 403, "not_settable"),
        (json!({"SEARCH_TIMEOUT": ["a"]}), 422, "bad_shape"),
        (json!(["SEARCH_TIMEOUT"]), 422, "bad_shape"),
        (json!({}), 422, "bad_shape"),
    ] {
        let answer = server.post("/api/config", &body);
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (status, code),
            "{body}: {}",
            answer.body
        );
    }
    assert_eq!(
        std::fs::read_to_string(server.env_file()).unwrap(),
        original
    );
    assert!(!server.get("/api/config").body.contains("EVIL"));
}

#[test]
fn the_environment_wins_and_the_answer_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_in(dir, &[("SEARCH_TIMEOUT", "30")]);
    let body = server
        .post("/api/config", &json!({"SEARCH_TIMEOUT": "90"}))
        .json();
    assert_eq!(body["overridden_by_environment"], json!(["SEARCH_TIMEOUT"]));
    assert!(std::fs::read_to_string(server.env_file())
        .unwrap()
        .contains("SEARCH_TIMEOUT=\"90\""));
}

#[test]
fn supervision_settings_restart_their_branch_with_the_new_values() {
    let server = Server::start(&[]);
    let body = server
        .post("/api/config", &json!({"SUPERVISION_ENGINES_MAX_RESTARTS": "7", "SUPERVISION_ROOT_MAX_RESTARTS": "20"}))
        .json();
    assert_eq!(body["restarted"], json!(["root/engines"]), "{body}");
    assert_eq!(
        body["needs_process_restart"],
        json!(["SUPERVISION_ROOT_MAX_RESTARTS"])
    );
    assert_eq!(server.node("root/engines")["restarts"], 1);
    assert_eq!(server.node("root/crawlers")["restarts"], 0);
    let invalid = server.post(
        "/api/config",
        &json!({"SUPERVISION_ENGINES_PERIOD_SECS": "0"}),
    );
    assert_eq!(invalid.status, 422, "{}", invalid.body);
}
