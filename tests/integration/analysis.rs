//! Analysis sessions through the binary, on the embedded sample corpus: offline (no keys) the
//! three engines write reports about the query and discuss it in the forum, live on the event
//! stream; a stuck engine times out, and a running analysis can be cancelled or stopped. The
//! runs with a (mock) LLM are in `analysis_llm.rs`.

use std::collections::HashSet;
use std::net::TcpListener;
use std::time::Duration;

use serde_json::{json, Value};

use super::eventually::eventually;
use super::sse::SseClient;
use super::util::Server;

/// Words only the other sample topics use (battery recall, canteen prices, AI song).
const OTHER_TOPICS: [&str; 6] = ["极澜", "召回", "食堂", "饭卡", "苏念", "版权"];

/// Waits until the service has loaded the sample corpus (it does so after start).
pub(super) fn wait_for_sample(server: &Server) {
    eventually(
        "the sample corpus to be searchable",
        Duration::from_secs(60),
        || {
            let found = server.get("/api/db/search?q=%E9%A9%AC%E6%8B%89%E6%9D%BE&limit=1");
            found.status == 200
                && found.json()["posts"]
                    .as_array()
                    .is_some_and(|p| !p.is_empty())
        },
    );
}

/// Starts an analysis; its id.
pub(super) fn start(server: &Server, query: &str) -> String {
    let started = server.post("/api/analysis", &json!({ "query": query }));
    assert_eq!(started.status, 202, "{}", started.body);
    let body = started.json();
    assert_eq!(body["status"], "running");
    body["id"].as_str().unwrap().to_owned()
}

/// Reads `client` until the analysis `id` ends; its events (and the forum's messages about
/// it, when subscribed), in order.
pub(super) fn follow(client: &mut SseClient, id: &str) -> Vec<(String, Value)> {
    let topic = format!("analysis/{id}");
    let mut seen = Vec::new();
    while let Some(frame) = client.next_event() {
        let event = frame.json();
        let ours = event["topic"] == topic.as_str()
            || (event["topic"] == "forum" && event["data"]["session"] == id);
        if !ours {
            continue;
        }
        let kind = frame.event.clone().unwrap_or_default();
        let done = kind == "finished" || kind == "cancelled";
        seen.push((kind, event["data"].clone()));
        if done {
            return seen;
        }
    }
    panic!("the stream ended before analysis {id} did: {seen:?}");
}

pub(super) fn analysis(server: &Server, id: &str) -> Value {
    let answer = server.get(&format!("/api/analysis/{id}"));
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

pub(super) fn engine<'a>(record: &'a Value, name: &str) -> &'a Value {
    record["engines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["engine"] == name)
        .unwrap_or_else(|| panic!("no {name} engine in {record:#}"))
}

#[test]
fn offline_the_engines_report_on_the_query_and_discuss_it_live() {
    let server = Server::start(&[("FORUM_HOST_EVERY", "3")]);
    wait_for_sample(&server);
    let mut client = SseClient::open(&server.base, "/api/events?topics=analysis/*,forum", &[]);
    client.next_frame();
    let id = start(&server, "滨海马拉松");
    let events = follow(&mut client, &id);

    // Live: started, each engine's progress and result, then the end.
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"started"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"finished"), "{kinds:?}");
    let done: HashSet<&str> = events
        .iter()
        .filter(|(k, _)| k == "engine_done")
        .map(|(_, d)| d["engine"].as_str().unwrap())
        .collect();
    assert_eq!(done, HashSet::from(["query", "media", "insight"]));
    for engine in ["query", "media", "insight"] {
        for stage in ["plan", "search", "summary", "reflection", "report"] {
            assert!(
                events.iter().any(|(k, d)| k == "engine_progress"
                    && d["engine"] == engine
                    && d["stage"] == stage),
                "no {stage} progress from {engine}: {kinds:?}"
            );
        }
    }
    assert_eq!(events.last().unwrap().1["status"], "done");

    // Its own stream, opened after the end, replays the session from its start.
    let mut late = SseClient::open(&server.base, &format!("/api/analysis/{id}/stream"), &[]);
    let replayed = follow(&mut late, &id);
    assert_eq!(replayed.first().unwrap().0, "started");
    assert_eq!(replayed.last().unwrap().0, "finished");
    assert_eq!(
        replayed.len(),
        events.iter().filter(|(k, _)| k != "forum_message").count()
    );

    // The record: three reports about the marathon, none about the other topics.
    let record = analysis(&server, &id);
    assert_eq!(record["status"], "done", "{record:#}");
    for name in ["query", "media", "insight"] {
        let e = engine(&record, name);
        assert_eq!(e["status"], "done", "{e:#}");
        let markdown = e["markdown"].as_str().unwrap();
        assert!(markdown.contains("滨海马拉松"), "{markdown}");
        assert!(
            ["志愿者", "封路", "补给", "跑者"]
                .iter()
                .any(|w| markdown.contains(w)),
            "{name} names nothing from the marathon's posts:\n{markdown}"
        );
        for other in OTHER_TOPICS {
            assert!(
                !markdown.contains(other),
                "{name} wandered to `{other}`:\n{markdown}"
            );
        }
        let report = &e["report"];
        assert_eq!(report["mode"], "builtin");
        let paragraphs = report["paragraphs"].as_array().unwrap();
        assert!(paragraphs.len() >= 3, "{report:#}");
        for p in paragraphs {
            assert!(
                p["searches"].as_array().unwrap().len() >= 2,
                "no reflection: {p:#}"
            );
            assert!(p["searches"][0]["hits"].as_u64().unwrap() > 0, "{p:#}");
            assert_eq!(p["searches"][0]["provider"], "local");
        }
        // Quotes carry their sources.
        assert!(paragraphs.iter().any(|p| p["sources"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["url"].is_string()))));
    }

    // The forum: each engine spoke, the host summed up, all of it tied to the analysis and
    // also written to forum.log.
    let forum = record["forum"].as_array().unwrap();
    let speakers: HashSet<&str> = forum
        .iter()
        .map(|m| m["source"].as_str().unwrap())
        .collect();
    for speaker in ["QUERY", "MEDIA", "INSIGHT", "HOST"] {
        assert!(speakers.contains(speaker), "{speakers:?}");
    }
    assert!(forum.iter().all(|m| m["analysis_id"] == id.as_str()));
    let host = forum.iter().find(|m| m["source"] == "HOST").unwrap();
    let said = host["content"].as_str().unwrap();
    assert!(said.contains("关于「滨海马拉松」"), "{host}");
    assert!(
        !said.contains("xhs") && !said.contains("平台、"),
        "the focus is report phrasing: {host}"
    );
    let log = std::fs::read_to_string(server.path().join("data/forum.log")).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains("] [QUERY] ") && l.contains("马拉松")),
        "{log}"
    );

    // …and live on the stream: each engine's paragraphs and the host's replies, as they were
    // said (the last may trail the session's end by a moment).
    let mut live: HashSet<String> = events
        .iter()
        .filter(|(k, _)| k == "forum_message")
        .map(|(_, d)| d["sender"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        !live.is_empty(),
        "no forum message before the end: {kinds:?}"
    );
    while live.len() < 4 {
        let frame = client.next_event().expect("the forum went quiet");
        let data = frame.json()["data"].clone();
        if frame.event.as_deref() == Some("forum_message") && data["session"] == id.as_str() {
            live.insert(data["sender"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        live,
        HashSet::from(["QUERY", "MEDIA", "INSIGHT", "HOST"].map(String::from))
    );

    // Console lines and metrics.
    let output = server.get("/api/output/insight?tail=500").json();
    let lines: Vec<&str> = output["output"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        lines.iter().any(|l| l.contains("research job started")),
        "{lines:?}"
    );
    assert!(
        server
            .metric("bettafish_engine_jobs_total{engine=\"media\",outcome=\"done\"}")
            .unwrap_or(0.0)
            >= 1.0
    );
    assert!(
        server
            .metric("bettafish_analyses_total{outcome=\"done\"}")
            .unwrap_or(0.0)
            >= 1.0
    );

    // An English query on another topic finds that topic instead.
    let id = start(&server, "Jiangbei University canteen prices");
    follow(&mut client, &id);
    let record = analysis(&server, &id);
    let markdown = engine(&record, "query")["markdown"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(markdown.to_lowercase().contains("canteen"), "{markdown}");
    assert!(
        !markdown.contains("marathon") && !markdown.contains("马拉松"),
        "{markdown}"
    );

    // Both are listed, newest first.
    let listed = server.get("/api/analysis?limit=2").json();
    let queries: Vec<&str> = listed["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["query"].as_str().unwrap())
        .collect();
    assert_eq!(
        queries,
        ["Jiangbei University canteen prices", "滨海马拉松"]
    );
    assert_eq!(server.get("/api/analysis?limit=0").status, 400);

    // The session leaves the tree once it ended; cancelling it now is a conflict.
    wait_until_gone(&server, &format!("root/analyses/{id}"));
    let cancelled = server.post(&format!("/api/analysis/{id}/cancel"), &json!({}));
    assert_eq!(cancelled.status, 409, "{}", cancelled.body);
}

/// Issue 11 (9): a session ending is not its supervisor going down. `root/analyses` stays up in
/// `/metrics` after an analysis ended and left the tree, and no session's path becomes a label.
#[test]
fn issue11_root_analyses_stays_up_after_an_analysis_ends() {
    let server = Server::start(&[("BETTAFISH_SAMPLE_DATA", "off")]);
    let up = "bettafish_actor_up{path=\"root/analyses\"}";
    assert_eq!(
        server.metric(up),
        Some(1.0),
        "{}",
        server.get("/metrics").body
    );
    let mut client = SseClient::open(&server.base, "/api/events?topics=analysis/*", &[]);
    client.next_frame();
    let id = start(&server, "滨海马拉松");
    follow(&mut client, &id);
    wait_until_gone(&server, &format!("root/analyses/{id}"));
    let metrics = server.get("/metrics").body;
    assert_eq!(server.metric(up), Some(1.0), "{metrics}");
    assert!(
        !metrics.contains(&id),
        "a session's id became a label:\n{metrics}"
    );
}

/// Waits until no node of the tree has `path`.
fn wait_until_gone(server: &Server, path: &str) {
    eventually(
        &format!("{path} to leave the tree"),
        Duration::from_secs(10),
        || server.find_node(path).map_or(Ok(()), Err),
    );
}

#[test]
fn bad_requests_are_refused_clearly() {
    let server = Server::start(&[("BETTAFISH_SAMPLE_DATA", "off")]);
    let token = server.token.clone();
    for (body, code) in [
        ("not json", "bad_request"),
        ("{\"q\": \"x\"}", "bad_request"),
        ("{\"query\": \"   \"}", "empty_query"),
    ] {
        let answer = server.post_raw("/api/analysis", Some(&token), body);
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_eq!(answer.code(), code);
    }
    let long = json!({"query": "长".repeat(501)});
    assert_eq!(server.post("/api/analysis", &long).code(), "query_too_long");
    assert_eq!(
        server
            .post_raw("/api/analysis", None, "{\"query\": \"x\"}")
            .status,
        401
    );
    assert_eq!(server.get("/api/analysis/0123456789ab").status, 404);
    assert_eq!(server.get("/api/analysis/..%2Fetc").status, 404);
    assert_eq!(
        server
            .post("/api/analysis/0123456789ab/cancel", &json!({}))
            .status,
        404
    );
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
fn a_stuck_engine_times_out_and_a_running_analysis_can_be_cancelled() {
    let hole = black_hole();
    let server = Server::start(&[
        ("QUERY_ENGINE_BASE_URL", hole.as_str()),
        ("QUERY_ENGINE_MODEL_NAME", "stuck"),
        ("LLM_TIMEOUT", "600"),
        // Long enough for the other engines in a debug build on a busy machine, with their
        // reports kept small (one paragraph, no reflection): the whole suite at once on two
        // loaded cores made five paragraphs with two reflections each miss it.
        ("ANALYSIS_ENGINE_TIMEOUT", "10"),
        ("MAX_PARAGRAPHS", "1"),
        ("MAX_REFLECTIONS", "0"),
    ]);
    wait_for_sample(&server);
    let mut client = SseClient::open(&server.base, "/api/events?topics=analysis/*", &[]);
    client.next_frame();

    // The query engine never answers: after 10 s its job is cancelled, the others' reports stand.
    let id = start(&server, "滨海马拉松");
    let events = follow(&mut client, &id);
    assert_eq!(events.last().unwrap().1["status"], "partial", "{events:?}");
    let record = analysis(&server, &id);
    assert_eq!(record["status"], "partial");
    assert!(
        record["error"].as_str().unwrap().contains("query"),
        "{record:#}"
    );
    assert_eq!(record["result"]["engines"]["query"]["status"], "timeout");
    assert_eq!(engine(&record, "media")["status"], "done");
    let stuck = wait_for_engine_status(&server, &id, "query", "cancelled");
    assert!(stuck["markdown"].is_null());

    // A running analysis is cancelled on request, its stuck job with it.
    let id = start(&server, "滨海马拉松");
    let cancelled = server.post(&format!("/api/analysis/{id}/cancel"), &json!({}));
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.json()["status"], "cancelled");
    let events = follow(&mut client, &id);
    assert_eq!(events.last().unwrap().0, "cancelled");
    // Cancelled while it gathered its evidence (no job was given) or with its jobs running
    // (each is cancelled): either way no job is left running.
    eventually(
        "no job of the cancelled analysis to run",
        Duration::from_secs(20),
        || {
            analysis(&server, &id)["engines"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["status"] == "cancelled")
        },
    );
    assert_eq!(
        server
            .post(&format!("/api/analysis/{id}/cancel"), &json!({}))
            .status,
        409
    );
    assert_eq!(analysis(&server, &id)["status"], "cancelled");

    // An operator stopping the engine mid-job ends that job at once, recorded as failed.
    let id = start(&server, "滨海马拉松");
    // Once the query engine is at work on it (planning, stuck on its LLM)…
    wait_for_progress(&mut client, &id, "query");
    let stopped = server.post("/api/stop/query", &json!({}));
    assert_eq!(stopped.status, 200, "{}", stopped.body);
    let events = follow(&mut client, &id);
    let end = &events.last().unwrap().1;
    assert_eq!(end["status"], "partial", "{events:?}");
    let query = &end["engines"]["query"];
    assert_eq!(query["status"], "failed", "{end:#}");
    assert!(
        query["error"].as_str().unwrap().contains("stopped"),
        "{end:#}"
    );
    let record = wait_for_engine_status(&server, &id, "query", "failed");
    assert!(
        record["error"].as_str().unwrap().contains("stopped"),
        "{record:#}"
    );

    assert_eq!(server.post("/api/start/query", &json!({})).status, 200);

    // An operator stopping the session itself: its jobs are cancelled and it is recorded as
    // failed, not left running.
    let id = start(&server, "滨海马拉松");
    wait_for_progress(&mut client, &id, "query");
    let stopped = server.post(&format!("/api/actors/root/analyses/{id}/stop"), &json!({}));
    assert_eq!(stopped.status, 200, "{}", stopped.body);
    let events = follow(&mut client, &id);
    assert_eq!(events.last().unwrap().1["status"], "failed", "{events:?}");
    wait_for_engine_status(&server, &id, "query", "cancelled");
    let record = eventually(
        "the stopped session to be recorded ended",
        Duration::from_secs(10),
        || ended(analysis(&server, &id)),
    );
    assert_eq!(record["status"], "failed");
    assert!(record["error"]
        .as_str()
        .unwrap()
        .contains("stopped before it finished"));
}

/// Reads `client` until `engine` reports progress on analysis `id`.
fn wait_for_progress(client: &mut SseClient, id: &str, engine: &str) {
    loop {
        let frame = client.next_event().unwrap();
        let event = frame.json();
        if frame.event.as_deref() == Some("engine_progress")
            && event["topic"] == format!("analysis/{id}").as_str()
            && event["data"]["engine"] == engine
        {
            return;
        }
    }
}

/// The analysis record once it is no longer `running`; the record as it is otherwise.
fn ended(record: Value) -> Result<Value, Value> {
    if record["status"] == "running" {
        Err(record)
    } else {
        Ok(record)
    }
}

/// Waits until `engine`'s job has `status` in the record (engines record their end on their
/// own); the engine's entry.
fn wait_for_engine_status(server: &Server, id: &str, name: &str, status: &str) -> Value {
    eventually(
        &format!("{name}'s job to be recorded {status}"),
        Duration::from_secs(20),
        || {
            let record = analysis(server, id);
            let e = engine(&record, name).clone();
            if e["status"] == status {
                Ok(e)
            } else {
                Err(record)
            }
        },
    )
}

/// An analysis that a killed process left `running` is recorded failed once it is past its
/// deadline, by the next process on the database; one still within its deadline is left be.
#[test]
fn analyses_left_running_by_a_stopped_process_are_recorded_failed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("data/bettafish.db").display()
    );
    let (left, live) = ("00000000000a", "00000000000b");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = storage::Database::open(&url, &storage::PoolSettings::default())
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let now = storage::clock::now_ms();
        let hour = 3_600_000;
        db.create_analysis(left, "滨海马拉松", now - hour, now - 1)
            .await
            .unwrap();
        db.start_engine_output(Some(left), "query", "滨海马拉松", now - hour)
            .await
            .unwrap();
        db.create_analysis(live, "食堂涨价", now, now + hour)
            .await
            .unwrap();
        db.close().await;
    });
    let server = Server::start_in(dir, &[("BETTAFISH_SAMPLE_DATA", "off")]);
    let record = eventually(
        "the abandoned analysis to be recorded ended",
        Duration::from_secs(20),
        || ended(analysis(&server, left)),
    );
    assert_eq!(record["status"], "failed", "{record:#}");
    assert!(
        record["error"].as_str().unwrap().contains("abandoned"),
        "{record:#}"
    );
    assert!(record["finished_at"].is_i64(), "{record:#}");
    assert_eq!(engine(&record, "query")["status"], "failed", "{record:#}");
    assert_eq!(analysis(&server, live)["status"], "running");
    // Counted once the sweep has told its topic, just after the record changed.
    server.wait_for_metric(
        "bettafish_analyses_total{outcome=\"failed\"}",
        1.0,
        Duration::from_secs(20),
    );
}
