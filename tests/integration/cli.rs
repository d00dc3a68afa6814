//! `bettafish ctl` against a running server: tables, `--json`, the token read from the data
//! directory, and a non-zero exit with the server's message on failure.

use super::util::Server;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn restart_through_the_cli() {
    let server = Server::start(&[]);
    let out = server.ctl(&["restart", "root/infra/metrics"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "restart: root/infra/metrics is running (restarts: 1)\n"
    );
    assert_eq!(server.node("root/infra/metrics")["restarts"], 1);
    let out = server.ctl(&["stop", "root/infra/metrics"]);
    assert!(text(&out.stdout).contains("is stopped"));
    let out = server.ctl(&["start", "root/infra/metrics"]);
    assert!(text(&out.stdout).contains("is running (restarts: 2)"));
}

#[test]
fn tables_and_json() {
    let server = Server::start(&[]);
    let out = server.ctl(&["actors"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("PATH") && header.contains("STATE") && header.contains("RESTARTS"));
    assert!(table
        .lines()
        .any(|l| l.trim_start().starts_with("root/infra/config") && l.contains("running")));
    let out = server.ctl(&["--json", "status"]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["success"], true);
    let out = server.ctl(&["status"]);
    assert!(text(&out.stdout).contains("version"));
}

#[test]
fn config_get_and_set() {
    let server = Server::start(&[]);
    let out = server.ctl(&["config", "set", "SEARCH_TIMEOUT=77", "MAX_REFLECTIONS=3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("changed: MAX_REFLECTIONS, SEARCH_TIMEOUT"));
    let out = server.ctl(&["config", "get", "SEARCH_TIMEOUT"]);
    assert_eq!(text(&out.stdout), "77\n");
    let out = server.ctl(&["config", "get"]);
    assert!(text(&out.stdout)
        .lines()
        .any(|l| l.starts_with("SEARCH_TIMEOUT") && l.contains("77")));
}

#[test]
fn failures_exit_non_zero_with_the_server_message() {
    let server = Server::start(&[]);
    let out = server.ctl(&["restart", "root/nope"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no actor at path `root/nope`") && stderr.contains("HTTP 404"),
        "{stderr}"
    );
    let out = server.ctl(&["config", "set", "SEARCH_TIMEOUT=x"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("SEARCH_TIMEOUT"));
    let out = server.ctl(&["--token", "wrong", "restart", "root/infra/config"]);
    assert!(text(&out.stderr).contains("HTTP 403"));
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(super::util::BIN)
        .current_dir(dir.path())
        .env_clear()
        .args(["ctl", "--url", "http://127.0.0.1:9", "status"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cannot reach the service at http://127.0.0.1:9"));
}
