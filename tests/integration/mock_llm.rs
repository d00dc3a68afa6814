//! A local OpenAI-compatible chat server for the tests: real HTTP on loopback, answering each
//! research step (named in its system prompt, `Step: <name>`) the way a model would, with
//! failures on demand: a 429 before a step's first answer, and an unreadable answer for a step.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

/// How the mock misbehaves.
#[derive(Clone, Default)]
pub struct Faults {
    /// Answer the first request for this step with 429 (`Retry-After: 0`).
    pub throttle_step: Option<&'static str>,
    /// Steps answered with prose instead of JSON.
    pub garbled_steps: HashSet<&'static str>,
}

/// The mock server; it runs until the test process ends.
pub struct MockLlm {
    /// The base URL to configure (`…/v1`).
    pub base: String,
    requests: Arc<AtomicUsize>,
    /// The steps asked for, in order.
    pub steps: Arc<Mutex<Vec<String>>>,
}

impl MockLlm {
    pub fn start(faults: Faults) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/v1", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let steps = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (Arc::clone(&requests), Arc::clone(&steps));
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (count, seen, faults) = (Arc::clone(&count), Arc::clone(&seen), faults.clone());
                std::thread::spawn(move || serve(stream, &count, &seen, &faults));
            }
        });
        Self {
            base,
            requests,
            steps,
        }
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, count: &AtomicUsize, seen: &Mutex<Vec<String>>, faults: &Faults) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    count.fetch_add(1, Ordering::SeqCst);
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    let system = request["messages"][0]["content"]
        .as_str()
        .unwrap_or_default();
    let user = request["messages"][1]["content"]
        .as_str()
        .unwrap_or_default();
    let step = system
        .split("Step: ")
        .nth(1)
        .and_then(|s| s.split('.').next())
        .unwrap_or(if system.contains("moderate") {
            "host"
        } else {
            "unknown"
        })
        .to_owned();
    let first_of_step = {
        let mut seen = seen.lock().unwrap();
        let first = !seen.contains(&step);
        seen.push(step.clone());
        first
    };
    let mut out = stream;
    if first_of_step && faults.throttle_step == Some(step.as_str()) {
        let body = r#"{"error":{"message":"rate limited"}}"#;
        let _ = write!(
            out,
            "HTTP/1.1 429 Too Many Requests\r\nretry-after: 0\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    let content = if faults.garbled_steps.contains(step.as_str()) {
        "I would search for more details about this topic, perhaps the timeline.".to_owned()
    } else {
        answer(&step, user)
    };
    let reply = json!({
        "id": "mock", "object": "chat.completion", "model": request["model"],
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
    })
    .to_string();
    let _ = write!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
        reply.len()
    );
}

/// What a model would say at each step (wrapped as models do: reasoning, code fences).
fn answer(step: &str, user: &str) -> String {
    let input: Value = serde_json::from_str(user).unwrap_or_default();
    match step {
        "report_structure" => "<think>two angles suffice</think>\n```json\n[{\"title\": \"赛事与志愿者\", \"content\": \"志愿者服务与补给\"}, {\"title\": \"封路争议\", \"content\": \"居民对封路的看法\"}]\n```".to_owned(),
        "first_search" => json!({"search_query": "马拉松 志愿者", "reasoning": "the core words"}).to_string(),
        "first_summary" => {
            let hits = input["search_results"].as_array().map_or(0, Vec::len);
            json!({"paragraph_latest_state": format!("【模型撰写】{}：根据 {hits} 条结果，马拉松志愿者获得好评。", input["title"].as_str().unwrap_or(""))}).to_string()
        }
        "reflection" => json!({"search_query": "马拉松 封路", "reasoning": "residents' view is missing"}).to_string(),
        "reflection_summary" => json!({"updated_paragraph_latest_state": format!("【模型修订】{}", input["paragraph_latest_state"].as_str().unwrap_or(""))}).to_string(),
        "report_formatting" => {
            let titles: Vec<String> = input["paragraphs"].as_array().into_iter().flatten()
                .map(|p| format!("## {}\n\n{}", p["title"].as_str().unwrap_or(""), p["paragraph_latest_state"].as_str().unwrap_or("")))
                .collect();
            format!("# 模型报告：{}\n\n{}", input["query"].as_str().unwrap_or(""), titles.join("\n\n"))
        }
        "keyword_optimizer" => json!({"keywords": ["马拉松", "志愿者", "补给站", "有 空格"], "reasoning": "what runners say"}).to_string(),
        "host" => "【模型主持】各位的发言都围绕马拉松展开，请补充封路安排的证据。".to_owned(),
        other => format!("unexpected step {other}"),
    }
}
