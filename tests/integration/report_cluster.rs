//! Report tasks across processes: two instances on one PostgreSQL share the queue and write
//! each task exactly once; a server killed while a task waits on its model leaves the task
//! running in the database, and the next server takes it over when the lease expires and goes
//! on from the chapter after the last one finished.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{json, Value};

use super::analysis::wait_for_sample;
use super::chat_server::{chapter_json, ChatServer};
use super::db::Schema;
use super::eventually::eventually;
use super::util::Server;

fn generate(server: &Server, query: &str) -> String {
    let queued = server.post("/api/report/generate", &json!({ "query": query }));
    assert_eq!(queued.status, 202, "{}", queued.body);
    queued.json()["id"].as_str().unwrap().to_owned()
}

fn status(server: &Server, task: &str) -> Value {
    server.get(&format!("/api/report/progress/{task}")).json()
}

/// The task ids a server's log says it claimed.
fn claimed(server: &Server) -> Vec<String> {
    server
        .log()
        .lines()
        .filter(|l| l.contains("claimed a report task"))
        .filter_map(|l| l.split("task=").nth(1))
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[needs::postgres]
#[test]
fn two_instances_on_one_postgres_share_the_queue_and_write_each_task_once() {
    let schema = Schema::create();
    let env = [
        ("DATABASE_URL", schema.url.as_str()),
        ("REPORT_MAX_RUNNING", "1"),
        ("REPORT_POLL_MS", "100"),
    ];
    // One instance loads the sample corpus (on PostgreSQL only when asked), the other reads it.
    let with_sample: Vec<(&str, &str)> = env
        .iter()
        .copied()
        .chain([("BETTAFISH_SAMPLE_DATA", "on")])
        .collect();
    let a = Server::start(&with_sample);
    wait_for_sample(&a);
    let b = Server::start(&env);
    let queries = [
        "滨海马拉松",
        "食堂涨价",
        "马拉松补给",
        "电池召回",
        "滨海马拉松 交通管制",
        "AI 歌曲 版权",
    ];
    let tasks: Vec<String> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| generate(if i % 2 == 0 { &a } else { &b }, q))
        .collect();
    for task in &tasks {
        eventually(
            &format!("report {task} to complete"),
            Duration::from_secs(90),
            || status(&a, task)["status"] == "completed",
        );
        let seen = status(&b, task);
        assert_eq!(seen["status"], "completed", "both instances read one queue");
        assert_eq!(seen["attempts"], 1, "claimed once: {seen}");
    }
    let (by_a, by_b) = (claimed(&a), claimed(&b));
    let all: HashSet<&String> = by_a.iter().chain(&by_b).collect();
    assert_eq!(
        by_a.len() + by_b.len(),
        tasks.len(),
        "no task claimed twice: {by_a:?} {by_b:?}"
    );
    assert_eq!(all.len(), tasks.len());
    assert!(
        !by_a.is_empty() && !by_b.is_empty(),
        "both instances worked: {by_a:?} {by_b:?}"
    );
    for task in &tasks {
        let events = b.get(&format!("/api/report/progress/{task}")).json();
        assert_eq!(events["progress"], 100);
        let completed = a
            .log()
            .lines()
            .chain(b.log().lines())
            .filter(|l| l.contains("report task ended") && l.contains(task.as_str()))
            .count();
        assert_eq!(completed, 1, "{task} ended once");
    }
}

#[test]
fn a_task_left_running_by_a_killed_server_resumes_after_its_last_chapter() {
    // A model that answers the first chapter and then never answers again.
    let chapters = std::sync::atomic::AtomicUsize::new(0);
    let model = ChatServer::start(move |_, body| {
        if body.contains("Step: report_template") {
            return Some("{\"template\": \"hot_topic_event\"}".to_owned());
        }
        let n = chapters.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        (n == 0).then(chapter_json)
    });
    let base = model.base.clone();
    let first = Server::start(&[
        ("REPORT_ENGINE_BASE_URL", base.as_str()),
        ("REPORT_ENGINE_API_KEY", "k"),
        ("REPORT_ENGINE_MODEL_NAME", "one"),
        ("REPORT_LEASE_SECS", "2"),
        ("REPORT_POLL_MS", "100"),
    ]);
    wait_for_sample(&first);
    let task = generate(&first, "滨海马拉松");
    eventually(
        "the first chapter to be checkpointed",
        Duration::from_secs(30),
        || model.asked() >= 3 && status(&first, &task)["progress"].as_u64().unwrap_or(0) > 10,
    );
    let dir = first.kill_for_restart();
    // The next process has no model: the chapters left are written by the built-in writer.
    let second = Server::start_in(
        dir,
        &[("REPORT_LEASE_SECS", "2"), ("REPORT_POLL_MS", "100")],
    );
    eventually(
        "the task to be taken over and completed",
        Duration::from_secs(60),
        || status(&second, &task)["status"] == "completed",
    );
    let seen = status(&second, &task);
    assert_eq!(seen["attempts"], 2, "{seen}");
    let doc = second
        .get(&format!("/api/report/result/{task}/json"))
        .json();
    let chapters = doc["chapters"].as_array().unwrap();
    assert_eq!(
        chapters[0]["origin"]["by"], "llm",
        "the finished chapter was kept"
    );
    assert!(chapters[1..].iter().all(|c| c["origin"]["by"] == "builtin"));
    let mut client =
        super::sse::SseClient::open(&second.base, &format!("/api/report/stream/{task}"), &[]);
    let mut kinds = Vec::new();
    while let Some(frame) = client.next_event() {
        let data = frame.json();
        kinds.push((
            frame.event.clone().unwrap_or_default(),
            data["payload"]["status"].clone(),
        ));
    }
    assert!(
        kinds
            .iter()
            .any(|(k, s)| k == "chapter_status" && s == "resumed"),
        "{kinds:?}"
    );
    assert_eq!(kinds.last().map(|k| k.0.as_str()), Some("completed"));
}

#[test]
fn a_server_shutting_down_hands_its_task_back_without_spending_an_attempt() {
    // A model that never answers: the task is running when the server is asked to stop.
    let model = ChatServer::start(|_, _| None);
    let first = Server::start(&[
        ("REPORT_ENGINE_BASE_URL", model.base.as_str()),
        ("REPORT_ENGINE_API_KEY", "k"),
        ("REPORT_ENGINE_MODEL_NAME", "silent"),
        ("REPORT_POLL_MS", "100"),
    ]);
    wait_for_sample(&first);
    let task = generate(&first, "滨海马拉松");
    eventually("the task to run", Duration::from_secs(20), || {
        status(&first, &task)["status"] == "running"
    });
    let mut first = first;
    first.signal("TERM");
    assert_eq!(first.wait_exit(Duration::from_secs(20)), Some(0));
    let dir = first.kill_for_restart();
    // The next process (no model) takes it at once — no lease to wait out — and it counts as
    // the first attempt that finished, not the second.
    let second = Server::start_in(dir, &[("REPORT_POLL_MS", "100")]);
    eventually("the task to complete", Duration::from_secs(30), || {
        status(&second, &task)["status"] == "completed"
    });
    assert_eq!(status(&second, &task)["attempts"], 1);
    let log = second.get("/api/report/log").json();
    assert!(
        log["log_lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("handed back")),
        "{log}"
    );
}
