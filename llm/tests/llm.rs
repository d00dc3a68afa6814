//! The LLM client against a local OpenAI-compatible server on loopback that answers from a
//! script: good answers, streams split at awkward places, 429 with `Retry-After`, 5xx,
//! timeouts, malformed streams, refusals — and the circuit that opens after repeated failure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../tests/support/scripted_http.rs"]
mod support;

use std::time::{Duration, Instant};

use llm::{LlmClient, LlmConfig, LlmError, Message};
use support::{server, Reply};

fn answer(text: &str) -> Reply {
    Reply::Json(
        200,
        vec![],
        serde_json::json!({"choices": [{"message": {"role": "assistant", "content": text}}]})
            .to_string(),
    )
}

fn config(base: &str) -> LlmConfig {
    let mut c = LlmConfig::new("query", base, Some("sk-test"), "test-model");
    c.backoff_min = Duration::from_millis(20);
    c.backoff_max = Duration::from_millis(100);
    c.attempt_timeout = Duration::from_secs(5);
    c
}

fn ask() -> Vec<Message> {
    vec![Message::system("be brief"), Message::user("舆情?")]
}

#[tokio::test]
async fn a_good_answer_carries_model_messages_and_key() {
    let (base, seen) = server(vec![answer("<think>x</think>{\"ok\": true}")]).await;
    let client = LlmClient::new(config(&base)).unwrap();
    let text = client.chat(&ask()).await.unwrap();
    assert_eq!(
        llm::text::parse_json(&text).unwrap(),
        serde_json::json!({"ok": true})
    );
    let seen = seen.0.lock().unwrap();
    let (_, head, body) = &seen[0];
    assert!(head.starts_with("POST /v1/chat/completions "), "{head}");
    assert!(
        head.to_lowercase()
            .contains("authorization: bearer sk-test"),
        "{head}"
    );
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["messages"][1]["content"], "舆情?");
    assert_eq!(body["stream"], false);
}

#[tokio::test]
async fn a_stream_split_inside_events_and_characters_reads_whole() {
    let text = "网络舆情 analysis 😀 done";
    let mut raw = String::from(": ping\n\n");
    for piece in ["网络", "舆情 ", "analysis 😀", " done"] {
        raw.push_str(&format!(
            "data: {}\n\n",
            serde_json::json!({"choices": [{"delta": {"content": piece}}]})
        ));
    }
    raw.push_str("data: [DONE]\n\n");
    // Pieces of 7 bytes: cuts fall inside "data:", inside JSON and inside multi-byte characters.
    let pieces: Vec<Vec<u8>> = raw.as_bytes().chunks(7).map(<[u8]>::to_vec).collect();
    let (base, seen) = server(vec![Reply::Stream(pieces)]).await;
    let client = LlmClient::new(config(&base)).unwrap();
    let mut deltas = Vec::new();
    let whole = client
        .chat_stream(&ask(), &mut |d: &str| deltas.push(d.to_owned()))
        .await
        .unwrap();
    assert_eq!(whole, text);
    assert_eq!(deltas.concat(), text);
    assert_eq!(seen.0.lock().unwrap()[0].2["stream"], true);
}

#[tokio::test]
async fn rate_limited_then_answered_honours_retry_after() {
    let (base, seen) = server(vec![
        Reply::Json(
            429,
            vec![("retry-after", "1".into())],
            "{\"error\": \"slow down\"}".into(),
        ),
        Reply::Json(503, vec![], "busy".into()),
        answer("fine"),
    ])
    .await;
    let client = LlmClient::new(config(&base)).unwrap();
    assert_eq!(client.chat(&ask()).await.unwrap(), "fine");
    let seen = seen.0.lock().unwrap();
    assert_eq!(seen.len(), 3);
    let gap = seen[1].0 - seen[0].0;
    assert!(
        gap >= Duration::from_millis(950),
        "waited only {gap:?} after Retry-After: 1"
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_ends_the_call_at_once() {
    let (base, seen) = server(vec![Reply::Json(
        429,
        vec![("retry-after", "600".into())],
        "{}".into(),
    )])
    .await;
    let mut c = config(&base);
    c.max_total_wait = Duration::from_secs(5);
    let client = LlmClient::new(c).unwrap();
    let began = Instant::now();
    let err = client.chat(&ask()).await.unwrap_err();
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "{:?}",
        began.elapsed()
    );
    assert!(matches!(err, LlmError::GaveUp { attempts: 1, .. }), "{err}");
    assert!(err.to_string().contains("past the 5s allowed"), "{err}");
    assert!(err.is_outage());
    assert_eq!(seen.0.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_each_attempt() {
    let (base, seen) = server(vec![
        Reply::Hang(Duration::from_secs(30)),
        Reply::Hang(Duration::from_secs(30)),
    ])
    .await;
    let mut c = config(&base);
    c.attempt_timeout = Duration::from_millis(300);
    c.max_attempts = 2;
    let client = LlmClient::new(c).unwrap();
    let began = Instant::now();
    let err = client.chat(&ask()).await.unwrap_err();
    assert!(
        began.elapsed() < Duration::from_secs(3),
        "{:?}",
        began.elapsed()
    );
    assert!(matches!(err, LlmError::GaveUp { attempts: 2, .. }), "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(seen.0.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn malformed_streams_and_refusals_are_not_retried() {
    let (base, seen) = server(vec![
        Reply::Stream(vec![b"data: {not json\n\n".to_vec()]),
        Reply::Json(400, vec![], "{\"error\": \"bad model\"}".into()),
    ])
    .await;
    let client = LlmClient::new(config(&base)).unwrap();
    let err = client.chat_stream(&ask(), &mut |_| {}).await.unwrap_err();
    assert!(matches!(err, LlmError::Malformed { .. }), "{err}");
    let err = client.chat(&ask()).await.unwrap_err();
    assert!(
        matches!(err, LlmError::Refused { status: 400, .. }),
        "{err}"
    );
    assert!(!err.is_outage());
    assert_eq!(seen.0.lock().unwrap().len(), 2, "one request each");
}

#[tokio::test]
async fn a_stream_cut_after_some_text_fails_without_retrying() {
    let piece = format!(
        "data: {}\n\n",
        serde_json::json!({"choices": [{"delta": {"content": "half"}}]})
    );
    let (base, seen) = server(vec![
        Reply::Stream(vec![piece.into_bytes()]),
        answer("never asked"),
    ])
    .await;
    let client = LlmClient::new(config(&base)).unwrap();
    let mut got = String::new();
    let err = client
        .chat_stream(&ask(), &mut |d: &str| got.push_str(d))
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::Interrupted { .. }), "{err}");
    assert_eq!(got, "half", "what was streamed stays streamed, once");
    assert_eq!(seen.0.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn repeated_failure_opens_the_circuit_and_a_probe_closes_it() {
    let failing = || Reply::Json(500, vec![], "down".into());
    let (base, seen) = server(vec![
        failing(),
        failing(),
        failing(),
        failing(),
        answer("back"),
    ])
    .await;
    let mut c = config(&base);
    c.max_attempts = 2;
    c.circuit_failures = 2;
    c.circuit_cooldown = Duration::from_millis(500);
    let client = LlmClient::new(c).unwrap();
    for _ in 0..2 {
        assert!(matches!(
            client.chat(&ask()).await.unwrap_err(),
            LlmError::GaveUp { .. }
        ));
    }
    let err = client.chat(&ask()).await.unwrap_err();
    assert!(matches!(err, LlmError::CircuitOpen { .. }), "{err}");
    assert!(err.is_outage());
    assert_eq!(
        seen.0.lock().unwrap().len(),
        4,
        "an open circuit sends nothing"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(client.chat(&ask()).await.unwrap(), "back");
}
