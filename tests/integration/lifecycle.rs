//! Process lifecycle: start-up refuses invalid configuration naming the key; SIGTERM, SIGINT
//! and the shutdown route stop the service cleanly within the deadline, exit code 0.

use std::process::Command;
use std::time::Duration;

use serde_json::json;

use super::util::{Server, BIN};

#[test]
fn invalid_configuration_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (key, value) in [
        ("PORT", "http"),
        ("DB_DIALECT", "mysql"),
        ("SUPERVISION_ENGINES_MAX_RESTARTS", "-1"),
    ] {
        let output = Command::new(BIN)
            .current_dir(dir.path())
            .env_clear()
            .env(key, value)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{key}={value} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(key), "{key}: {stderr}");
    }
    std::fs::write(dir.path().join("bettafish.toml"), "port = \"many\"\n").unwrap();
    let output = Command::new(BIN)
        .current_dir(dir.path())
        .env_clear()
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("PORT (from Toml)"));
}

#[test]
fn sigterm_shuts_down_cleanly_within_the_deadline() {
    for signal in ["TERM", "INT"] {
        let mut server = Server::start(&[("BETTAFISH_SHUTDOWN_DEADLINE_SECS", "5")]);
        assert_eq!(server.get("/readyz").status, 200);
        server.signal(signal);
        let code = server.wait_exit(Duration::from_secs(10));
        assert_eq!(code, Some(0), "SIG{signal}; log:\n{}", server.log());
        let log = server.log();
        assert!(
            log.contains(&format!("SIG{signal}")) && log.contains("shut down"),
            "{log}"
        );
    }
}

#[test]
fn the_shutdown_route_stops_the_process() {
    let mut server = Server::start(&[]);
    let answer = server.post("/api/system/shutdown", &json!({}));
    assert_eq!(answer.status, 202);
    assert_eq!(
        server.wait_exit(Duration::from_secs(10)),
        Some(0),
        "{}",
        server.log()
    );
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .current_dir(dir.path())
        .env_clear()
        .env("PORT", &port)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains(&format!("cannot listen on 127.0.0.1:{port}")));
}
