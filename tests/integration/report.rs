//! Report tasks through the binary: an offline analysis of the sample corpus ends by queuing
//! its report, which streams its events live and completes with an HTML report whose figures
//! equal what the database holds for the evidence set (computed here, independently), whose
//! per-day volumes add up to the total, and which quotes no post twice; the stream replays
//! from `Last-Event-ID`; a task waiting on a model that never answers is cancelled for real,
//! and tasks beyond `REPORT_MAX_RUNNING` wait in the queue until there is room.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use serde_json::{json, Value};

use super::analysis::{start, wait_for_sample};
use super::chat_server::ChatServer;
use super::eventually::eventually;
use super::sse::SseClient;
use super::util::Server;

/// Reads the task's stream to its end: each event's (seq, type, data).
fn follow(server: &Server, task: &str, last_event_id: Option<&str>) -> Vec<(i64, String, Value)> {
    let headers: Vec<(&str, &str)> = last_event_id
        .map(|id| ("Last-Event-ID", id))
        .into_iter()
        .collect();
    let mut client = SseClient::open(
        &server.base,
        &format!("/api/report/stream/{task}"),
        &headers,
    );
    assert_eq!(client.status(), 200);
    let mut seen = Vec::new();
    while let Some(frame) = client.next_event() {
        let data = frame.json();
        let kind = frame.event.clone().unwrap_or_default();
        let seq = data["id"].as_i64().unwrap();
        assert_eq!(frame.id.as_deref(), Some(seq.to_string().as_str()));
        // The original's envelope.
        assert_eq!(
            data["type"],
            frame.event.clone().unwrap_or_default().as_str()
        );
        assert!(data["task_id"].is_string() && data["timestamp"].is_string());
        assert!(data["payload"].is_object());
        seen.push((seq, kind, data));
    }
    seen
}

fn wait_for_status(server: &Server, task: &str, want: &str) -> Value {
    let mut last = Value::Null;
    eventually(
        &format!("report {task} to be {want}"),
        Duration::from_secs(60),
        || {
            last = server.get(&format!("/api/report/progress/{task}")).json();
            last["status"] == want
        },
    );
    last
}

/// Every block of the document, in order.
fn blocks(doc: &Value) -> Vec<&Value> {
    doc["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["blocks"].as_array().unwrap().iter())
        .collect()
}

fn is_day(label: &str) -> bool {
    label.len() == 10 && label.as_bytes()[4] == b'-' && label.as_bytes()[7] == b'-'
}

#[test]
fn an_offline_analysis_ends_with_a_report_whose_figures_are_the_databases() {
    let server = Server::start(&[]);
    wait_for_sample(&server);
    let id = start(&server, "滨海马拉松");
    let mut record = Value::Null;
    eventually("the analysis to end", Duration::from_secs(60), || {
        record = server.get(&format!("/api/analysis/{id}")).json();
        record["status"] != "running"
    });
    let result = &record["result"];
    let items = result["evidence"]["items"].as_u64().unwrap();
    assert!(items > 5, "{result:#}");
    let task = result["report"]["task_id"].as_str().unwrap().to_owned();

    let events = follow(&server, &task, None);
    let kinds: Vec<&str> = events.iter().map(|(_, k, _)| k.as_str()).collect();
    for want in [
        "status",
        "stage",
        "chapter_status",
        "chapter_chunk",
        "metrics",
        "html_ready",
        "completed",
    ] {
        assert!(kinds.contains(&want), "no {want} in {kinds:?}");
    }
    assert_eq!(
        kinds.last(),
        Some(&"completed"),
        "the stream ends after the terminal event"
    );
    let seqs: Vec<i64> = events.iter().map(|(s, _, _)| *s).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "every stored event, in order"
    );

    let progress = wait_for_status(&server, &task, "completed");
    assert_eq!(progress["progress"], 100);
    let doc = server
        .get(&format!("/api/report/result/{task}/json"))
        .json();
    let sources = doc["sources"].as_array().unwrap();
    assert_eq!(
        sources.len() as u64,
        items,
        "every evidence item is a numbered source"
    );

    // The evidence set, and its posts, read from the database here.
    let db = server.path().join("data/bettafish.db");
    let rows = sqlite_rows(
        &db,
        &format!(
            "SELECT e.rank, e.kind, p.published_at, p.liked_count + p.comment_count + p.share_count + p.collected_count \
             , n.crawl_date \
             FROM evidence_items e LEFT JOIN posts p ON e.kind IN ('post', 'comment') AND p.id = CAST(e.item_id AS INTEGER) \
             LEFT JOIN daily_news n ON e.kind = 'news' AND n.news_id = e.item_id \
             WHERE e.set_id = '{id}' ORDER BY e.rank"
        ),
    );
    assert_eq!(rows.len() as u64, items);
    let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
    for row in &rows {
        if let Some(ms) = row[2].as_i64() {
            // The default time zone, +08:00.
            let day = day_of(ms + 8 * 3_600_000);
            *per_day.entry(day).or_default() += 1;
        } else if let Some(day) = row[4].as_str() {
            // A hot-list item is dated by the day it was listed (midnight UTC: the same day
            // at +08:00).
            *per_day.entry(day.to_owned()).or_default() += 1;
        }
    }
    let mut day_charts = 0;
    for block in blocks(&doc) {
        if block["type"] != "chart" {
            continue;
        }
        let labels: Vec<&str> = block["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        if labels.is_empty() || !labels.iter().all(|l| is_day(l)) {
            continue;
        }
        day_charts += 1;
        let values: Vec<u64> = block["series"][0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as u64)
            .collect();
        let charted: BTreeMap<String, u64> =
            labels.iter().map(|l| l.to_string()).zip(values).collect();
        assert_eq!(
            charted, per_day,
            "the per-day chart is the database's count per day"
        );
        // Each day cites exactly the items it counts.
        let cites = block["cites"].as_array().unwrap();
        for (label, cited) in labels.iter().zip(cites) {
            assert_eq!(cited.as_array().unwrap().len() as u64, per_day[*label]);
        }
    }
    assert!(day_charts > 0, "the report charts volume per day");
    let undated = rows
        .iter()
        .filter(|r| r[2].is_null() && r[4].is_null())
        .count() as u64;
    assert_eq!(
        per_day.values().sum::<u64>() + undated,
        items,
        "per-day volumes add up to the total"
    );

    // No post is quoted twice, and every quote is a real source.
    let mut quoted = HashSet::new();
    for block in blocks(&doc) {
        if block["type"] == "quote" {
            let n = block["source"].as_u64().unwrap();
            assert!(n >= 1 && n <= items);
            assert!(quoted.insert(n), "source {n} quoted twice");
        }
    }
    assert!(!quoted.is_empty(), "the report quotes posts");

    let html = server.get(&format!("/api/report/download/{task}"));
    assert_eq!(html.status, 200);
    assert!(html
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(!html.body.contains("<script"), "no script in the report");
    assert!(html.body.contains("id=\"src-1\""), "sources are anchored");
    let md = server.get(&format!("/api/report/export/md/{task}"));
    assert_eq!(md.status, 200);
    assert!(md.body.contains("滨海马拉松"));

    // Replay from Last-Event-ID: what came after it, to the end.
    let middle = seqs[seqs.len() / 2];
    let replayed = follow(&server, &task, Some(&middle.to_string()));
    assert_eq!(replayed.first().map(|e| e.0), Some(middle + 1));
    assert_eq!(replayed.last().map(|e| e.1.as_str()), Some("completed"));
    assert_eq!(replayed.len(), events.len() - seqs.len() / 2 - 1);

    // A client reconnecting after the last event is told there is nothing more (204), so a
    // browser's EventSource stops.
    let last = seqs.last().unwrap().to_string();
    let done = SseClient::open(
        &server.base,
        &format!("/api/report/stream/{task}"),
        &[("Last-Event-ID", last.as_str())],
    );
    assert_eq!(done.status(), 204);

    // The report engine's log has the task's milestones; clearing empties it.
    let log = server.get("/api/report/log").json();
    let lines: Vec<&str> = log["log_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains(task.as_str()) && l.contains("queued")),
        "{lines:?}"
    );
    eventually(
        "the ending in the report log",
        Duration::from_secs(5),
        || {
            let log = server.get("/api/report/log").json();
            log["log_lines"].as_array().unwrap().iter().any(|l| {
                let l = l.as_str().unwrap();
                l.contains(task.as_str()) && l.ends_with("completed")
            })
        },
    );
    assert_eq!(server.post("/api/report/log/clear", &json!({})).status, 200);
    assert!(server.get("/api/report/log").json()["log_lines"]
        .as_array()
        .unwrap()
        .is_empty());

    // The history lists it; finished tasks cannot be cancelled.
    let history = server.get("/api/report/tasks?limit=10").json();
    assert!(history["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == task.as_str()));
    assert_eq!(
        server
            .post(&format!("/api/report/cancel/{task}"), &json!({}))
            .status,
        409
    );
    assert!(
        server
            .metric("bettafish_report_tasks_total{status=\"completed\"}")
            .unwrap_or(0.0)
            >= 1.0
    );
}

#[test]
fn tasks_beyond_the_limit_wait_and_a_cancel_stops_the_running_one() {
    let model = ChatServer::start(|_, _| None);
    let base = model.base.clone();
    let server = Server::start(&[
        ("REPORT_ENGINE_BASE_URL", base.as_str()),
        ("REPORT_ENGINE_API_KEY", "k"),
        ("REPORT_ENGINE_MODEL_NAME", "silent"),
        ("REPORT_MAX_RUNNING", "1"),
        ("REPORT_MAX_PENDING", "2"),
        ("REPORT_POLL_MS", "100"),
    ]);
    wait_for_sample(&server);
    let mut tasks = Vec::new();
    for query in ["滨海马拉松", "食堂涨价", "马拉松补给"] {
        let queued = server.post("/api/report/generate", &json!({ "query": query }));
        assert_eq!(queued.status, 202, "{}", queued.body);
        // Queued; the engine, nudged, may have taken it already.
        let said = queued.json()["status"].as_str().unwrap().to_owned();
        assert!(said == "pending" || said == "running", "{said}");
        assert_eq!(queued.json()["task_id"], queued.json()["id"]);
        tasks.push(queued.json()["id"].as_str().unwrap().to_owned());
        if tasks.len() == 1 {
            wait_for_status(&server, &tasks[0], "running");
        }
    }
    let first = &tasks[0];
    // One running, two waiting: the queue is full.
    let refused = server.post("/api/report/generate", &json!({ "query": "再来一个" }));
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.code(), "queue_full");
    // The other two wait for the one place.
    for other in &tasks[1..] {
        assert_eq!(
            server.get(&format!("/api/report/progress/{other}")).json()["status"],
            "pending"
        );
    }
    // Cancel a waiting one: at once.
    let cancelled = server.post(&format!("/api/report/cancel/{}", tasks[2]), &json!({}));
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    // Cancel the running one, blocked on the model: it stops, and the next one starts.
    let cancelled = server.post(&format!("/api/report/cancel/{first}"), &json!({}));
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(
        server.get(&format!("/api/report/progress/{first}")).json()["status"],
        "cancelled"
    );
    let events = follow(&server, first, None);
    assert_eq!(events.last().map(|e| e.1.as_str()), Some("cancelled"));
    wait_for_status(&server, &tasks[1], "running");
    assert_eq!(
        server
            .get(&format!("/api/report/progress/{}", tasks[2]))
            .json()["status"],
        "cancelled"
    );
    let path = format!("root/reports/{first}");
    eventually(
        "the cancelled task's actor to be gone",
        Duration::from_secs(10),
        || server.find_node(&path).is_none(),
    );
}

#[test]
fn bad_requests_are_refused_with_what_to_fix() {
    let server = Server::start(&[]);
    let cases = [
        (json!({}), 400, "bad_request"),
        (json!({"query": "  "}), 400, "empty_query"),
        (
            json!({"query": "x", "template": "nope"}),
            400,
            "unknown_template",
        ),
        (
            json!({"query": "x", "custom_template": "no chapters here"}),
            422,
            "invalid_template",
        ),
        (json!({"analysis_id": "000000000000"}), 404, "no_analysis"),
        (json!({"query": "x", "extra": 1}), 400, "bad_request"),
    ];
    for (body, status, code) in cases {
        let answer = server.post("/api/report/generate", &body);
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        assert_eq!(answer.code(), code, "{body}");
    }
    assert_eq!(server.get("/api/report/progress/..%2Fetc").status, 404);
    assert_eq!(server.get("/api/report/download/nosuchtask").status, 404);
    // A download names a task, never a path: nothing outside the reports' folder is reachable.
    std::fs::write(server.path().join("data/secret.txt"), "TOP-SECRET-CONTENT").unwrap();
    for path in [
        "..%2Fsecret.txt",
        "..%2F..%2Fdata%2Fsecret.txt",
        "%2E%2E",
        "r1%00",
    ] {
        for route in ["download", "export/md", "result"] {
            let answer = server.get(&format!("/api/report/{route}/{path}"));
            assert!(
                answer.status == 404 || answer.status == 400,
                "{route}/{path}: {}",
                answer.status
            );
            assert!(!answer.body.contains("TOP-SECRET"), "{route}/{path}");
        }
    }
    let templates = server.get("/api/report/templates").json();
    assert_eq!(templates["templates"].as_array().unwrap().len(), 12);
}

/// `YYYY-MM-DD` of epoch milliseconds (already shifted to the zone).
fn day_of(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Rows of a query on the server's SQLite file, as JSON values per column.
fn sqlite_rows(path: &std::path::Path, sql: &str) -> Vec<Vec<Value>> {
    use sqlx::Row;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = format!("sqlite://{}?mode=ro", path.display());
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        let rows = sqlx::query(sql).fetch_all(&mut conn).await.unwrap();
        rows.iter()
            .map(|row| {
                (0..row.columns().len())
                    .map(|i| {
                        if let Ok(Some(n)) = row.try_get::<Option<i64>, _>(i) {
                            json!(n)
                        } else if let Ok(Some(s)) = row.try_get::<Option<String>, _>(i) {
                            json!(s)
                        } else {
                            Value::Null
                        }
                    })
                    .collect()
            })
            .collect()
    })
}

#[needs::chromium]
#[test]
fn a_report_prints_to_pdf_with_headless_chromium() {
    let server = Server::start(&[]);
    wait_for_sample(&server);
    let queued = server.post("/api/report/generate", &json!({ "query": "滨海马拉松" }));
    let task = queued.json()["id"].as_str().unwrap().to_owned();
    wait_for_status(&server, &task, "completed");
    let pdf = server.get(&format!("/api/report/export/pdf/{task}"));
    assert_eq!(pdf.status, 200, "{}", pdf.body);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
}

#[test]
fn without_a_browser_pdf_export_says_what_to_install() {
    // The browser is looked for before anything else: no report is needed to be told.
    let server = Server::start(&[("BETTAFISH_CHROMIUM", "/nonexistent/chromium")]);
    let pdf = server.get("/api/report/export/pdf/r000000000000");
    assert_eq!(pdf.status, 503, "{}", pdf.body);
    assert!(
        pdf.body.contains("apt-get install chromium"),
        "{}",
        pdf.body
    );
}
