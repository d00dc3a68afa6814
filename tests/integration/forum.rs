//! The forum through the binary: a forum.log written by another program is followed; its
//! agent messages and our host's reply reach SSE clients as `forum_message`, land in our
//! forum.log in the original format, and are served by `/api/forum/*`.

use std::io::Write;
use std::time::Duration;

use serde_json::json;

use super::eventually::eventually;
use super::sse::SseClient;
use super::util::Server;

fn append(path: &std::path::Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

#[test]
fn followed_messages_and_the_host_reach_clients_and_the_log() {
    let outside = tempfile::tempdir().unwrap();
    let theirs = outside.path().join("forum.log");
    let server = Server::start(&[
        ("FORUM_LOG_FOLLOW", theirs.to_str().unwrap()),
        ("FORUM_HOST_EVERY", "2"),
    ]);
    let mut client = SseClient::open(&server.base, "/api/events?topics=forum", &[]);
    client.next_frame();
    append(
        &theirs,
        "[10:00:00] [SYSTEM] [1a2b3c4d] === 搜索会话ID: 1a2b3c4d ===\n",
    );
    append(
        &theirs,
        "[10:00:01] [INSIGHT] [1a2b3c4d] 滨海马拉松志愿者服务获好评\\n第二行\n",
    );
    append(
        &theirs,
        "[10:00:02] [MEDIA] [1a2b3c4d] 马拉松封路引发居民不满\n",
    );
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let frame = client.next_event().unwrap();
        assert_eq!(frame.event.as_deref(), Some("forum_message"));
        let data = frame.json()["data"].clone();
        seen.push((
            data["type"].as_str().unwrap().to_owned(),
            data["sender"].as_str().unwrap().to_owned(),
            data["content"].as_str().unwrap().to_owned(),
        ));
    }
    assert_eq!(
        (seen[0].0.as_str(), seen[0].1.as_str()),
        ("agent", "INSIGHT")
    );
    assert_eq!(seen[0].2, "滨海马拉松志愿者服务获好评\n第二行");
    assert_eq!((seen[1].0.as_str(), seen[1].1.as_str()), ("agent", "MEDIA"));
    assert_eq!((seen[2].0.as_str(), seen[2].1.as_str()), ("host", "HOST"));
    assert!(seen[2].2.contains("马拉松"), "{}", seen[2].2);

    let log = server.get("/api/forum/log").json();
    assert_eq!(log["log_lines"].as_array().unwrap().len(), 3, "{log:#}");
    assert_eq!(
        (log["start"].as_u64(), log["before"].as_u64()),
        (Some(0), None)
    );
    let raw = log["log_lines"][0].as_str().unwrap();
    assert!(
        raw.contains("[INSIGHT]") && raw.contains("\\n第二行"),
        "one line, newline escaped: {raw}"
    );
    assert_eq!(
        log["parsed_messages"][0]["content"],
        "滨海马拉松志愿者服务获好评\n第二行"
    );
    assert_eq!(log["parsed_messages"][2]["source"], "HOST");
    let window = server.post(
        "/api/forum/log/history",
        &json!({"position": 1, "max_lines": 1}),
    );
    assert_eq!(window.status, 200, "{}", window.body);
    let window = window.json();
    assert_eq!(
        (
            window["log_lines"].as_array().unwrap().len(),
            window["has_more"].as_bool(),
            window["total_lines"].as_u64()
        ),
        (1, Some(true), Some(3))
    );
    assert_eq!(window["parsed_messages"][0]["source"], "MEDIA");
    assert_eq!(
        server
            .post_raw("/api/forum/log/history", Some(&server.token), "{oops")
            .status,
        400
    );

    // Stored as well.
    let stats = server.get("/api/db/stats").json();
    let forum_rows = stats["stats"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "forum_messages")
        .unwrap()["rows"]
        .clone();
    assert_eq!(forum_rows, 3);
}

#[test]
fn the_forum_stops_and_starts_by_command() {
    let server = Server::start(&[]);
    assert_eq!(server.node("root/engines/forum")["state"], "running");
    assert_eq!(server.post("/api/forum/stop", &json!({})).status, 200);
    assert_eq!(server.node("root/engines/forum")["state"], "stopped");
    assert_eq!(server.post("/api/forum/start", &json!({})).status, 200);
    eventually("the forum to run again", Duration::from_secs(2), || {
        let state = server.node("root/engines/forum")["state"].clone();
        if state == "running" {
            Ok(())
        } else {
            Err(state)
        }
    });
}

#[test]
fn the_log_is_served_in_pages_back_from_the_tail_and_forwards() {
    let server = Server::start(&[
        ("FORUM_LOG_PAGE_LINES", "4"),
        ("FORUM_LOG_PAGE_MAX_LINES", "10"),
    ]);
    // The forum's own log, grown as by many analyses (the forum appends to it).
    let path = server.path().join("data/forum.log");
    let lines: Vec<String> = (0..25)
        .map(|i| {
            format!(
                "[10:00:{:02}] [INSIGHT] [1a2b3c4d] 第{i}条 message {i}",
                i % 60
            )
        })
        .collect();
    append(&path, &format!("{}\n", lines.join("\n")));

    // Back from the tail, four lines a page, to the start.
    let mut seen: Vec<String> = Vec::new();
    let mut page = server.get("/api/forum/log").json();
    let newest_end = page["after"].as_u64().unwrap();
    loop {
        let got: Vec<String> = page["log_lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_owned())
            .collect();
        assert!(got.len() <= 4, "{page:#}");
        assert_eq!(page["parsed_messages"].as_array().unwrap().len(), got.len());
        seen.splice(0..0, got);
        match page["before"].as_u64() {
            Some(before) => {
                page = server
                    .get(&format!("/api/forum/log?before={before}"))
                    .json()
            }
            None => break,
        }
    }
    assert_eq!(seen, lines);

    // Forwards from the newest page: nothing new, then what is appended (a line still being
    // written waits for its newline).
    let follow = |at: u64| {
        server
            .get(&format!("/api/forum/log?after={at}&limit=10"))
            .json()
    };
    let empty = follow(newest_end);
    assert_eq!(empty["log_lines"].as_array().unwrap().len(), 0);
    assert_eq!(empty["after"].as_u64(), Some(newest_end));
    append(
        &path,
        "[10:01:00] [MEDIA] [1a2b3c4d] new one\n[10:01:01] [QUERY] [1a2b3c4d] half",
    );
    let next = follow(newest_end);
    assert_eq!(
        next["log_lines"],
        json!(["[10:01:00] [MEDIA] [1a2b3c4d] new one"])
    );
    assert_eq!(next["parsed_messages"][0]["content"], "new one");
    append(&path, " done\n");
    let last = follow(next["after"].as_u64().unwrap());
    assert_eq!(last["parsed_messages"][0]["content"], "half done");

    // Bad cursors and limits are 400s that say so.
    for (query, code) in [
        ("before=3", "bad_cursor"),
        ("after=999999", "bad_cursor"),
        ("after=abc", "bad_cursor"),
        ("before=0&after=0", "bad_cursor"),
        ("limit=11", "bad_limit"),
        ("limit=0", "bad_limit"),
    ] {
        let answer = server.get(&format!("/api/forum/log?{query}"));
        assert_eq!(
            (answer.status, answer.code()),
            (400, code.to_owned()),
            "{query}: {}",
            answer.body
        );
    }
}

/// At most `FORUM_LOG_MAX_READERS` requests read the log at once; one more is told to come
/// back (503, `Retry-After`). The log is made a FIFO nobody writes, so the first reader is
/// held opening it for as long as the test wants.
#[test]
fn one_reader_too_many_is_told_to_come_back() {
    let server = Server::start(&[("FORUM_LOG_MAX_READERS", "1")]);
    let path = server.path().join("data/forum.log");
    let _ = std::fs::remove_file(&path);
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    std::thread::scope(|s| {
        let first = s.spawn(|| server.get("/api/forum/log"));
        let second = s.spawn(|| server.get("/api/forum/log?limit=5"));
        // Whichever came second waits its second and is refused; the other holds the place.
        eventually("one reader to be refused", Duration::from_secs(20), || {
            [&first, &second]
                .iter()
                .any(|t| t.is_finished())
                .then_some(())
                .ok_or(())
        });
        // Let the held one go: a writer that opens the FIFO and closes it again.
        drop(std::fs::OpenOptions::new().write(true).open(&path).unwrap());
        let (a, b) = (first.join().unwrap(), second.join().unwrap());
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 503], "{} / {}", a.body, b.body);
        let refused = if a.status == 503 { &a } else { &b };
        assert_eq!(refused.code(), "busy");
        assert_eq!(refused.header("retry-after"), Some("1"));
    });
}
