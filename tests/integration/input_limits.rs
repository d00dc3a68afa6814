//! Untrusted input through the binary: control characters refused where text is stored or
//! searched and escaped in the service log, searches bounded, a refused analysis leaving no
//! row, and the data directory private to the service's user.

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use serde_json::{json, Value};

use super::eventually::eventually;
use super::util::Server;

/// Rows in `table`, as `GET /api/db/stats` counts them.
fn rows(server: &Server, table: &str) -> u64 {
    let stats = server.get("/api/db/stats").json();
    stats["stats"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == table)
        .unwrap_or_else(|| panic!("no {table} in {stats:#}"))["rows"]
        .as_u64()
        .unwrap()
}

#[test]
fn control_characters_are_refused_and_searches_bounded() {
    let server = Server::start(&[
        ("SEARCH_QUERY_MAX_CHARS", "40"),
        ("SEARCH_QUERY_MAX_TERMS", "5"),
    ]);
    for query in ["滨海\u{0}马拉松", "escape \u{1b}[2J", "bell\u{7}"] {
        let answer = server.post("/api/analysis", &json!({ "query": query }));
        assert_eq!(
            (answer.status, answer.code()),
            (400, "control_character".to_owned()),
            "{query:?}: {}",
            answer.body
        );
    }
    assert_eq!(rows(&server, "analyses"), 0, "nothing was stored");
    for (query, code) in [
        ("q=%E9%A9%AC%00", "control_character"),
        ("q=marathon&platform=wb%00", "control_character"),
        // 41 characters, and six words.
        (
            "q=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "query_too_long",
        ),
        ("q=a+b+c+d+e+f", "too_many_terms"),
        // Seven characters of Chinese are six pairs.
        (
            "q=%E6%BB%A8%E6%B5%B7%E9%A9%AC%E6%8B%89%E6%9D%BE%E8%B5%9B%E4%BA%8B",
            "too_many_terms",
        ),
    ] {
        let answer = server.get(&format!("/api/db/search?{query}"));
        assert_eq!(
            (answer.status, answer.code()),
            (400, code.to_owned()),
            "{query}: {}",
            answer.body
        );
    }
    // Within the limits, and repeated words counted once.
    let answer = server.get("/api/db/search?q=a+b+c+d+e+a+b");
    assert_eq!(answer.status, 200, "{}", answer.body);
}

/// A server that takes requests and never answers.
fn black_hole() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().map_while(Result::ok) {
            held.push(stream);
        }
    });
    base
}

#[test]
fn a_refused_analysis_leaves_no_row_and_a_newline_forges_no_log_line() {
    let hole = black_hole();
    let server = Server::start(&[
        ("ANALYSIS_MAX_RUNNING", "1"),
        ("QUERY_ENGINE_BASE_URL", hole.as_str()),
        ("QUERY_ENGINE_MODEL_NAME", "stuck"),
        ("ANALYSIS_ENGINE_TIMEOUT", "600"),
    ]);
    // A newline is text a person may type: stored, but escaped in the log.
    let forged = "滨海马拉松\n2099-01-01T00:00:00.000000Z  INFO forged: operator logged in";
    let first = server.post("/api/analysis", &json!({ "query": forged }));
    assert_eq!(first.status, 202, "{}", first.body);
    let id = first.json()["id"].as_str().unwrap().to_owned();

    let refused = server.post("/api/analysis", &json!({"query": "食堂涨价"}));
    assert_eq!(
        (refused.status, refused.code()),
        (429, "max_children".to_owned()),
        "{}",
        refused.body
    );
    let listed = server.get("/api/analysis").json();
    let ids: Vec<&str> = listed["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()], "{listed:#}");
    assert_eq!(rows(&server, "analyses"), 1);

    // The engines log the query when their jobs start: one line each, the newline escaped.
    eventually(
        "the engines to log the query",
        Duration::from_secs(20),
        || {
            let log = server.log();
            log.contains("research job started").then_some(()).ok_or(())
        },
    );
    let log = server.log();
    assert!(
        log.contains("滨海马拉松\\n2099-01-01T00:00:00.000000Z  INFO forged"),
        "{log}"
    );
    assert!(
        !log.lines().any(|l| l.starts_with("2099-")),
        "a forged line: {log}"
    );
    assert_eq!(
        server
            .post(&format!("/api/analysis/{id}/cancel"), &json!({}))
            .status,
        200
    );
    let record: Value = server.get(&format!("/api/analysis/{id}")).json();
    assert_eq!(record["query"], forged, "stored as sent");
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_data_directory_and_its_files_are_private() {
    // A data directory from before: world-readable, with a world-readable forum.log.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(data.join("forum.log"), "[10:00:00] [HOST] old\n").unwrap();
    std::fs::set_permissions(
        data.join("forum.log"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let outside = tempfile::tempdir().unwrap();
    let theirs = outside.path().join("their_forum.log");
    let server = Server::start_in(dir, &[("FORUM_LOG_FOLLOW", theirs.to_str().unwrap())]);
    let data = server.path().join("data");
    // The old forum.log was tightened at start; now it goes, and the forum writes a new one
    // at run time (a line followed from another program's log), so the umask is what makes
    // it private.
    assert_eq!(mode(&data.join("forum.log")), 0o600);
    std::fs::remove_file(data.join("forum.log")).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&theirs)
        .unwrap();
    f.write_all("[10:00:01] [INSIGHT] [1a2b3c4d] 新的一行\n".as_bytes())
        .unwrap();
    eventually(
        "the forum to write its log again",
        Duration::from_secs(20),
        || {
            std::fs::read_to_string(data.join("forum.log"))
                .ok()
                .filter(|log| log.contains("新的一行"))
                .map(|_| ())
                .ok_or(())
        },
    );
    assert_eq!(mode(&data.join("forum.log")), 0o600, "made at run time");
    assert_eq!(mode(&data), 0o700);
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        let m = mode(&path);
        if path.is_dir() {
            assert_eq!(m, 0o700, "{}", path.display());
        } else {
            assert_eq!(m, 0o600, "{}", path.display());
        }
        seen.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    for name in ["forum.log", "bettafish.db", "operator.token"] {
        assert!(seen.iter().any(|s| s == name), "{name} in {seen:?}");
    }
}
