//! Attacks through what clients and files send: a forum log grown large, import files built to
//! exhaust memory or never finish, and the small refusals (long or NUL-bearing searches, forged
//! log lines, bad `Host`s, cross-origin WebSockets, bad WebSocket frames, work refused at the
//! concurrency limit, publish bodies of the wrong shape, request floods, file permissions).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

use super::measure::peak_mb;
use super::net::{self, exchange, KeepAlive};
use super::report::{check, Row, PEAK_RSS_MB};
use super::server::{self, Launch, TOKEN};
use super::{Target, NO_RATE_LIMITS};

/// A forum log of about `mb` MB, then `clients` clients reading `/api/forum/log` for `hold`.
pub async fn forum_log(mb: usize, clients: usize, hold: Duration) -> Row {
    let mut log = Vec::with_capacity(mb << 20);
    let mut n = 0u64;
    while log.len() < mb * 1_000_000 {
        let line = format!(
            "[{:02}:{:02}:{:02}] [QUERY] [a{n}] 第{n}条发言：关于滨海马拉松的补给与交通管制，网友的讨论集中在三十公里后的补给站和接驳大巴。\n",
            n / 3600 % 24,
            n / 60 % 60,
            n % 60
        );
        log.extend_from_slice(line.as_bytes());
        n += 1;
    }
    let mut launch = Launch {
        data_files: vec![("forum.log", log)],
        ..Launch::default()
    };
    launch
        .env
        .extend(NO_RATE_LIMITS.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let target = Target::start(launch);
    let largest = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let port = target.port;
        let (largest, requests) = (largest.clone(), requests.clone());
        tasks.push(tokio::spawn(async move {
            let until = Instant::now() + hold;
            let mut client = KeepAlive::new(port);
            while Instant::now() < until {
                let answer = client.call("GET", "/api/forum/log", b"").await;
                largest.fetch_max(answer.body.len(), std::sync::atomic::Ordering::Relaxed);
                requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut row = Row::new(
        "forum log",
        format!(
            "forum.log of {mb} MB ({n} lines); {clients} clients read `/api/forum/log` for {:.0} s",
            hold.as_secs_f64()
        ),
    );
    row.checks.push(check(
        format!(
            "{} answers, the largest {:.0} KB",
            requests.load(std::sync::atomic::Ordering::Relaxed),
            largest.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e3
        ),
        largest.load(std::sync::atomic::Ordering::Relaxed) < 1_000_000,
    ));
    target.finish(&mut row).await;
    row
}

/// What one `bettafish db import` did.
struct Imported {
    peak_mb: f64,
    took: Duration,
    finished: bool,
    output: String,
}

/// Runs `bettafish db import <path>` in `dir` (its own data directory), polling its peak
/// memory, for at most `bound`.
fn run_import(dir: &Path, path: &Path, bound: Duration) -> Imported {
    let out = dir.join("import.out");
    let mut child = Command::new(server::bin())
        .current_dir(dir)
        .args(["db", "import"])
        .arg(path)
        .arg("--platform")
        .arg("xhs")
        .env("BETTAFISH_LOG", "warn")
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::from(
            std::fs::OpenOptions::new().append(true).open(&out).unwrap(),
        ))
        .spawn()
        .unwrap();
    let began = Instant::now();
    let mut peak = 0.0f64;
    let finished = loop {
        peak = peak.max(peak_mb(child.id()));
        if let Ok(Some(_)) = child.try_wait() {
            break true;
        }
        if began.elapsed() > bound {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Imported {
        peak_mb: peak,
        took: began.elapsed(),
        finished,
        output: std::fs::read_to_string(out).unwrap_or_default(),
    }
}

/// A CSV of `lines` tiny rows (`,,`: no id, no text).
pub fn import_tiny_lines(lines: usize) -> Row {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny.csv");
    let mut bytes = b"note_id,content,liked_count\n".to_vec();
    bytes.reserve(lines * 3);
    for _ in 0..lines {
        bytes.extend_from_slice(b",,\n");
    }
    std::fs::write(&file, &bytes).unwrap();
    let imported = run_import(dir.path(), &file, Duration::from_secs(300));
    let mut row = Row::new(
        "import: tiny lines",
        format!(
            "`db import` of a {:.0} MB CSV of {:.0} M tiny lines",
            bytes.len() as f64 / 1e6,
            lines as f64 / 1e6
        ),
    );
    row.checks.push(check(
        format!(
            "import peak RSS {:.0} MB, {} in {:.1} s",
            imported.peak_mb,
            if imported.finished {
                "finished"
            } else {
                "killed"
            },
            imported.took.as_secs_f64()
        ),
        imported.finished && imported.peak_mb <= PEAK_RSS_MB,
    ));
    row
}

/// A folder with two symlinks to itself and one out of it.
pub fn import_symlinks() -> Row {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("crawl");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(root.join("xhs")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        root.join("xhs/inside.jsonl"),
        "{\"note_id\": \"in-1\", \"content\": \"inside the folder\"}\n",
    )
    .unwrap();
    std::fs::write(
        outside.join("secret.jsonl"),
        "{\"note_id\": \"out-1\", \"content\": \"outside the folder\"}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&root, root.join("loop-a")).unwrap();
    std::os::unix::fs::symlink(&root, root.join("xhs/loop-b")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("escape")).unwrap();
    let imported = run_import(dir.path(), &root, Duration::from_secs(60));
    let mut row = Row::new(
        "import: symlinks",
        "a folder with two symlinks to itself and one out of it",
    );
    row.checks.push(check(
        format!(
            "{} in {:.1} s",
            if imported.finished {
                "finished"
            } else {
                "killed"
            },
            imported.took.as_secs_f64()
        ),
        imported.finished,
    ));
    row.checks.push(check(
        "the file out of the folder was not read",
        !imported.output.contains("secret.jsonl"),
    ));
    row
}

/// A CSV whose third line opens a quote that never closes, followed by `mb` MB.
pub fn import_open_quote(mb: usize) -> Row {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("open.csv");
    let mut bytes = b"note_id,content\nq-1,fine\nq-2,\"never closed\n".to_vec();
    while bytes.len() < mb * 1_000_000 {
        bytes.extend_from_slice("这一行在引号里，本应是下一条帖子,123\n".as_bytes());
    }
    std::fs::write(&file, &bytes).unwrap();
    let imported = run_import(dir.path(), &file, Duration::from_secs(120));
    let mut row = Row::new(
        "import: unterminated quote",
        format!("a {mb} MB CSV whose third line opens a quote that never closes"),
    );
    row.checks.push(check(
        format!(
            "reported as open.csv:3 ({:.1} s, peak {:.0} MB)",
            imported.took.as_secs_f64(),
            imported.peak_mb
        ),
        imported.finished && imported.output.contains("open.csv:3"),
    ));
    row
}

/// The quick refusals, each against the same server (its log kept).
pub async fn refusals() -> Vec<Row> {
    // Small limits, so that a short burst shows what is beyond them.
    let target = Target::start(Launch {
        keep_log: true,
        env: vec![
            ("ANALYSIS_MAX_RUNNING", "5".into()),
            ("BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC", "100".into()),
            ("BETTAFISH_RATE_LIMIT_ADDRESS_BURST", "200".into()),
            ("BETTAFISH_RATE_LIMIT_TOKEN_PER_SEC", "100".into()),
            ("BETTAFISH_RATE_LIMIT_TOKEN_BURST", "200".into()),
            // The harness is on loopback, which the per-address limit spares by default
            // (a reverse proxy's address is every user's).
            ("BETTAFISH_RATE_LIMIT_LOOPBACK", "true".into()),
        ],
        ..Launch::default()
    });
    let port = target.port;
    let mut rows = Vec::new();
    let get = |path: String| async move {
        exchange(
            port,
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .as_bytes(),
            Duration::from_secs(10),
        )
        .await
    };

    // A search of 6,500 characters: Chinese (every character a term; percent-encoded it is
    // 58 KB, beyond the head limit) and words of Latin letters (within it).
    let chinese: String = "滨海马拉松补给".chars().cycle().take(6_500).collect();
    let words: String = (0..6_500)
        .map(|i| {
            if i % 5 == 4 {
                ' '
            } else {
                (b'a' + (i % 26) as u8) as char
            }
        })
        .collect();
    let mut row = Row::new(
        "search: 6,500 characters",
        "one search of 6,500 Chinese characters; one of 1,300 words",
    );
    for (what, text) in [("Chinese", &chinese), ("words", &words)] {
        let began = Instant::now();
        let answer = get(format!("/api/db/search?q={}", percent(text))).await;
        let took = began.elapsed();
        row.checks.push(check(
            format!(
                "{what}: {} in {:.0} ms",
                answer.status,
                took.as_secs_f64() * 1e3
            ),
            matches!(answer.status, 400 | 431)
                || (answer.status == 200 && took < Duration::from_millis(100)),
        ));
    }
    rows.push(row);

    // NUL and a forged log line.
    let nul = get("/api/db/search?q=a%00b".into()).await;
    let forged = get("/api/db/search?q=x%0A2026-01-01T00:00:00Z%20INFO%20forged-line".into()).await;
    let mut row = Row::new(
        "control characters",
        "a NUL in a search; a newline forging a log line",
    );
    row.checks
        .push(check(format!("NUL: {}", nul.status), nul.status == 400));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log = target.log();
    row.checks.push(check(
        format!("newline: {}, no forged line in the log", forged.status),
        !log.lines().any(|l| l.starts_with("2026-01-01T00:00:00Z")),
    ));
    rows.push(row);

    // Host headers.
    let none = exchange(
        port,
        b"GET /api/status HTTP/1.1\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    let two = exchange(
        port,
        b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    let evil = exchange(
        port,
        b"GET /api/status HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    let mut row = Row::new(
        "Host",
        "no Host; two; a foreign one (DNS rebinding) on loopback",
    );
    row.checks
        .push(check(format!("none: {}", none.status), none.status == 400));
    row.checks
        .push(check(format!("two: {}", two.status), two.status == 400));
    row.checks.push(check(
        format!("evil.example: {}", evil.status),
        matches!(evil.status, 400 | 403 | 421),
    ));
    rows.push(row);

    // A cross-origin WebSocket upgrade without a token.
    let upgrade = exchange(
        port,
        b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\nUpgrade: websocket\r\n\
          Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        Duration::from_secs(2),
    )
    .await;
    let mut row = Row::new(
        "cross-origin WebSocket",
        "an upgrade with Origin: http://evil.example",
    );
    row.checks.push(check(
        format!("answered {}", upgrade.status),
        upgrade.status == 403,
    ));
    rows.push(row);

    // WebSocket frames that break the protocol.
    let mut row = Row::new("WebSocket protocol", "invalid UTF-8 in a text frame");
    let code = ws_close_code(port).await;
    row.checks
        .push(check(format!("closed with {code:?}"), code == Some(1007)));
    rows.push(row);

    // A publish of the wrong shape.
    let wrong = net::call(port, "POST", "/api/events/abuse", b"[1, 2, 3]").await;
    let extra = net::call(
        port,
        "POST",
        "/api/events/abuse",
        br#"{"type": "a", "data": 1, "extra": 2}"#,
    )
    .await;
    let mut row = Row::new(
        "publish shape",
        "a JSON array; an object with an unknown field",
    );
    row.checks.push(check(
        format!("array: {}", wrong.status),
        wrong.status == 422,
    ));
    row.checks.push(check(
        format!("unknown field: {}", extra.status),
        extra.status == 422,
    ));
    rows.push(row);

    // Analyses beyond the concurrency limit.
    let mut accepted = 0;
    let mut refused = 0;
    let mut client = KeepAlive::new(port);
    for _ in 0..100 {
        let answer = client
            .call(
                "POST",
                "/api/analysis",
                r#"{"query": "滨海马拉松"}"#.as_bytes(),
            )
            .await;
        match answer.status {
            202 => accepted += 1,
            429 => refused += 1,
            _ => {}
        }
    }
    let listed = client
        .call("GET", "/api/analysis?limit=1000", b"")
        .await
        .json();
    let rows_written = listed
        .get("analyses")
        .or(Some(&listed))
        .and_then(|l| l.as_array())
        .map_or(0, Vec::len);
    let mut row = Row::new(
        "refused analyses",
        "100 analyses started at once (ANALYSIS_MAX_RUNNING=5)",
    );
    row.checks.push(check(
        format!("{accepted} accepted, {refused} refused with 429, {rows_written} rows"),
        rows_written == accepted,
    ));
    rows.push(row);

    // A flood from one address, without a token.
    let mut limited = 0;
    let mut retry_after = None;
    let began = Instant::now();
    let mut flood = net::KeepAlive::new(port);
    for _ in 0..3_000 {
        let answer = flood.call("GET", "/api/status", b"").await;
        if answer.status == 429 {
            limited += 1;
            retry_after = retry_after.or(answer.header("retry-after").map(str::to_owned));
        }
    }
    let mut row = Row::new(
        "request flood",
        "3,000 requests from one address and token on one connection",
    );
    row.checks.push(check(
        format!(
            "{limited} answered 429 (Retry-After: {}) in {:.1} s",
            retry_after.as_deref().unwrap_or("none"),
            began.elapsed().as_secs_f64()
        ),
        limited > 0 && retry_after.is_some(),
    ));
    rows.push(row);

    // Permissions of the data directory.
    let mut row = Row::new(
        "data/ permissions",
        "modes of the data directory and its files",
    );
    let data = target.data_dir();
    let mode = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    };
    let dir_mode = mode(&data);
    let loose: Vec<String> = std::fs::read_dir(&data)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_file() && mode(&e.path()) & 0o077 != 0)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    row.checks
        .push(check(format!("data/ {dir_mode:o}"), dir_mode == 0o700));
    row.checks.push(check(
        if loose.is_empty() {
            "every file 600".to_owned()
        } else {
            format!("readable by others: {}", loose.join(", "))
        },
        loose.is_empty(),
    ));
    rows.push(row);

    target.finish_quietly();
    rows
}

/// Opens a WebSocket and sends a text frame that is not UTF-8: the close code it gets.
async fn ws_close_code(port: u16) -> Option<u16> {
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws?token={TOKEN}"))
            .await
            .ok()?;
    let frame = Frame::message(vec![0xff, 0xfe, 0xfd], OpCode::Data(Data::Text), true);
    ws.send(Message::Frame(frame)).await.ok()?;
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
            Ok(Some(Ok(Message::Close(Some(close))))) => return Some(close.code.into()),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
    None
}

/// Percent-encodes a query value.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
