//! Report chapters written by a (scripted) model: an answer wrapped in `<think>` and a code
//! fence with a trailing comma is repaired locally; prose instead of JSON sends the chapter to
//! the fallback model; when neither gives a chapter, a placeholder says so and the report
//! still completes, with the unusable answers kept for debugging.

use std::time::Duration;

use serde_json::{json, Value};

use super::analysis::wait_for_sample;
use super::chat_server::{chapter_json, ChatServer};
use super::eventually::eventually;
use super::util::Server;

const STEP: &str = "Step: report_chapter";
const TEMPLATE_STEP: &str = "Step: report_template";

/// The model's choice of template, for a request that asks for one.
fn template_choice(body: &str, kind: &str) -> Option<String> {
    body.contains(TEMPLATE_STEP).then(|| {
        format!("{{\"template\": \"{kind}\", \"reason\": \"an incident with complaints\"}}")
    })
}

/// Queues a report of the sample's marathon and waits for it to complete; its id, document
/// and the types and chapter statuses of its events.
fn report(server: &Server) -> (String, Value, Vec<(String, Value)>) {
    wait_for_sample(server);
    let queued = server.post("/api/report/generate", &json!({ "query": "滨海马拉松" }));
    assert_eq!(queued.status, 202, "{}", queued.body);
    let task = queued.json()["id"].as_str().unwrap().to_owned();
    eventually("the report to end", Duration::from_secs(60), || {
        let s = server.get(&format!("/api/report/progress/{task}")).json();
        s["status"] != "pending" && s["status"] != "running"
    });
    let status = server.get(&format!("/api/report/progress/{task}")).json();
    assert_eq!(status["status"], "completed", "{status}");
    let doc = server
        .get(&format!("/api/report/result/{task}/json"))
        .json();
    let mut client =
        super::sse::SseClient::open(&server.base, &format!("/api/report/stream/{task}"), &[]);
    let mut events = Vec::new();
    while let Some(frame) = client.next_event() {
        events.push((frame.event.clone().unwrap_or_default(), frame.json()));
    }
    (task, doc, events)
}

fn origins(doc: &Value) -> Vec<String> {
    doc["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["origin"]["by"].as_str().unwrap().to_owned())
        .collect()
}

fn endpoint(prefix: &str, base: &str) -> Vec<(String, String)> {
    vec![
        (format!("{prefix}_BASE_URL"), base.to_owned()),
        (format!("{prefix}_API_KEY"), "k".to_owned()),
        (
            format!("{prefix}_MODEL_NAME"),
            format!("{}-model", prefix.to_lowercase()),
        ),
    ]
}

fn start(endpoints: Vec<(String, String)>) -> Server {
    let env: Vec<(&str, &str)> = endpoints
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Server::start(&env)
}

#[test]
fn a_thinking_fenced_answer_with_a_trailing_comma_is_repaired_locally() {
    let model = ChatServer::start(|_, body| {
        if let Some(choice) = template_choice(body, "crisis_pr") {
            return Some(choice);
        }
        assert!(
            body.contains(STEP),
            "the report model is asked for a template, then chapters"
        );
        let broken = chapter_json().replacen("\"cites\":[1]", "\"cites\":[1,]", 1);
        Some(format!(
            "<think>先看看数据再写。</think>\n```json\n{broken}\n```"
        ))
    });
    let server = start(endpoint("REPORT_ENGINE", &model.base));
    let (_, doc, events) = report(&server);
    let chapters = doc["chapters"].as_array().unwrap();
    assert_eq!(origins(&doc), vec!["llm"; chapters.len()]);
    for chapter in chapters {
        let repairs: Vec<&str> = chapter["origin"]["repairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert!(!repairs.is_empty(), "{chapter}");
    }
    assert!(events
        .iter()
        .any(|(k, d)| k == "chapter_status" && d["payload"]["status"] == "repaired"));
    model.check();
    assert_eq!(doc["template"], "crisis_pr", "the model chose the template");
    assert_eq!(
        model.asked(),
        1 + chapters.len(),
        "the template, then one request per chapter: nothing was asked again"
    );
    assert!(
        server
            .metric("bettafish_report_chapters_total{outcome=\"repaired\"}")
            .unwrap_or(0.0)
            >= chapters.len() as f64
    );
}

#[test]
fn prose_instead_of_a_chapter_goes_to_the_fallback_model() {
    // It cannot choose a template either: the rules do.
    let report_model = ChatServer::start(|_, _| Some("抱歉，这一章我写不了。".to_owned()));
    let fallback = ChatServer::start(|_, body| {
        assert!(body.contains(STEP));
        Some(chapter_json())
    });
    let mut env = endpoint("REPORT_ENGINE", &report_model.base);
    env.extend(endpoint("INSIGHT_ENGINE", &fallback.base));
    let server = start(env);
    let (_, doc, events) = report(&server);
    let chapters = doc["chapters"].as_array().unwrap();
    assert_eq!(origins(&doc), vec!["fallback"; chapters.len()]);
    assert_eq!(chapters[0]["origin"]["model"], "insight_engine-model");
    assert_eq!(
        doc["template"], "hot_topic_event",
        "the rules' choice for an event"
    );
    assert!(events
        .iter()
        .any(|(k, d)| k == "chapter_status" && d["payload"]["status"] == "fallback"));
    assert!(events.iter().any(|(k, _)| k == "warning"));
    fallback.check();
    assert!(fallback.asked() >= chapters.len());
}

#[test]
fn when_no_model_gives_a_chapter_a_placeholder_says_so_and_the_report_completes() {
    let report_model = ChatServer::start(|_, _| Some("{\"blocks\": 不是 JSON".to_owned()));
    let fallback = ChatServer::start(|_, _| Some("no".to_owned()));
    let mut env = endpoint("REPORT_ENGINE", &report_model.base);
    env.extend(endpoint("INSIGHT_ENGINE", &fallback.base));
    let server = start(env);
    let (task, doc, events) = report(&server);
    let chapters = doc["chapters"].as_array().unwrap();
    assert_eq!(origins(&doc), vec!["placeholder"; chapters.len()]);
    for chapter in chapters {
        let why = chapter["origin"]["why"].as_str().unwrap();
        assert!(why.contains("fallback"), "{why}");
    }
    let warnings = events.iter().filter(|(k, _)| k == "warning").count();
    assert!(
        warnings >= chapters.len(),
        "a warning per placeholder: {warnings}"
    );
    let kept = std::fs::read_dir(
        server
            .path()
            .join("data/reports")
            .join(&task)
            .join("failures"),
    )
    .unwrap()
    .count();
    assert!(
        kept >= chapters.len(),
        "the unusable answers are kept: {kept}"
    );
    let html = server.get(&format!("/api/report/download/{task}"));
    assert_eq!(html.status, 200);
}
