//! Analysis sessions with a (mock) LLM configured: the run uses it for every step, survives
//! a 429, an unreadable answer and an endpoint that refuses connections (its circuit opens),
//! and says in the report and on the stream where built-in analysis stood in; the forum's
//! host and the keyword optimizer are the model too.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::analysis::{analysis, engine, follow, start, wait_for_sample};
use super::mock_llm::{Faults, MockLlm};
use super::sse::SseClient;
use super::util::Server;

#[test]
fn a_configured_llm_is_used_survives_failures_and_says_so() {
    let llm = MockLlm::start(Faults {
        throttle_step: Some("report_structure"),
        garbled_steps: HashSet::from(["reflection"]),
    });
    // The media engine's endpoint refuses connections: it keeps failing, its circuit opens.
    // Nothing listens on port 1: connections are refused.
    let dead = "http://127.0.0.1:1/v1".to_owned();
    let server = Server::start(&[
        ("QUERY_ENGINE_BASE_URL", llm.base.as_str()),
        ("QUERY_ENGINE_MODEL_NAME", "mock-model"),
        ("QUERY_ENGINE_API_KEY", "sk-test"),
        ("FORUM_HOST_BASE_URL", llm.base.as_str()),
        ("FORUM_HOST_MODEL_NAME", "mock-host"),
        ("MEDIA_ENGINE_BASE_URL", dead.as_str()),
        ("MEDIA_ENGINE_MODEL_NAME", "gone"),
        ("KEYWORD_OPTIMIZER_BASE_URL", llm.base.as_str()),
        ("KEYWORD_OPTIMIZER_MODEL_NAME", "mock-keywords"),
        ("FORUM_HOST_EVERY", "2"),
        ("MAX_REFLECTIONS", "1"),
        ("LLM_MAX_ATTEMPTS", "2"),
        ("LLM_BACKOFF_MIN_MS", "10"),
        ("LLM_CIRCUIT_FAILURES", "2"),
        // What is checked here is the model's part; on a CI machine running every test server
        // at once, the local store's searches must not fail for want of a pooled connection
        // within the production default of 3 s (seen once: the plan's search came back empty).
        ("DB_ACQUIRE_TIMEOUT_SECS", "30"),
    ]);
    wait_for_sample(&server);
    let mut client = SseClient::open(&server.base, "/api/events?topics=analysis/*", &[]);
    client.next_frame();
    // A sentence no post contains whole: the local store needs the keyword optimizer's words.
    let id = start(&server, "滨海马拉松的志愿者服务怎么样");
    let events = follow(&mut client, &id);
    let said = |engine: &str| {
        events
            .iter()
            .find(|(k, d)| k == "engine_done" && d["engine"] == engine)
            .map(|(_, d)| d.clone())
            .unwrap()
    };
    // Live, each engine says how its report was written.
    assert_eq!(said("query")["mode"], "llm");
    assert!(!said("media")["fallbacks"].as_array().unwrap().is_empty());
    assert_eq!(said("insight")["mode"], "builtin");
    let record = analysis(&server, &id);
    assert_eq!(record["status"], "done", "{record:#}");

    // Query: the model planned, searched, wrote and formatted; its one unreadable answer was
    // replaced by built-in analysis, and the report says so.
    let query = engine(&record, "query");
    let report = &query["report"];
    assert_eq!(report["mode"], "llm");
    assert_eq!(report["model"], "mock-model");
    let titles: Vec<&str> = report["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["赛事与志愿者", "封路争议"]);
    for p in report["paragraphs"].as_array().unwrap() {
        assert_eq!(p["searches"][0]["query"], "马拉松 志愿者");
        assert!(
            p["summary"]
                .as_str()
                .unwrap()
                .starts_with("【模型修订】【模型撰写】"),
            "{p:#}"
        );
    }
    let fallbacks = fallbacks_of(report);
    assert!(
        !fallbacks.is_empty() && fallbacks.iter().all(|f| f.starts_with("reflection:")),
        "{fallbacks:?}"
    );
    assert!(query["markdown"]
        .as_str()
        .unwrap()
        .starts_with("# 模型报告：滨海马拉松"));
    assert!(
        server
            .metric("bettafish_llm_requests_total{engine=\"query\",outcome=\"retryable\"}")
            .unwrap_or(0.0)
            >= 1.0
    );

    // Media: every step fell back, the circuit opened, and the report is still about the query.
    let media = engine(&record, "media");
    assert_eq!(media["status"], "done");
    let fallbacks = fallbacks_of(&media["report"]);
    assert!(
        fallbacks.iter().any(|f| f.starts_with("report_structure:")),
        "{fallbacks:?}"
    );
    assert!(
        fallbacks.iter().any(|f| f.contains("left alone")),
        "the circuit never opened: {fallbacks:?}"
    );
    let markdown = media["markdown"].as_str().unwrap();
    assert!(
        markdown.contains("滨海马拉松") && markdown.contains("内置分析"),
        "{markdown}"
    );
    assert!(
        server
            .metric("bettafish_llm_requests_total{engine=\"media\",outcome=\"circuit_open\"}")
            .unwrap_or(0.0)
            >= 1.0
    );

    // Insight has no LLM configured; its searches of the local store took the keyword
    // optimizer's words (the one with a space refused).
    let insight = &engine(&record, "insight")["report"];
    assert_eq!(insight["mode"], "builtin");
    let first = &insight["paragraphs"][0]["searches"][0];
    assert_eq!(
        first["words"],
        json!(["马拉松", "志愿者", "补给站"]),
        "{first:#}"
    );
    assert!(first["hits"].as_u64().unwrap() > 0);

    // The forum's host is the model.
    let forum = record["forum"].as_array().unwrap();
    assert!(
        forum
            .iter()
            .any(|m| m["source"] == "HOST"
                && m["content"].as_str().unwrap().starts_with("【模型主持】")),
        "{forum:#?}"
    );
    let steps = llm.steps.lock().unwrap().clone();
    for step in [
        "report_structure",
        "first_search",
        "first_summary",
        "reflection",
        "report_formatting",
        "host",
        "keyword_optimizer",
    ] {
        assert!(
            steps.iter().any(|s| s == step),
            "{step} never asked: {steps:?}"
        );
    }
    assert!(llm.requests() >= steps.len());
}

/// The steps a report says were done by built-in analysis instead of the LLM.
fn fallbacks_of(report: &Value) -> Vec<&str> {
    report["fallbacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect()
}
