//! A scripted OpenAI-compatible chat endpoint on loopback for the report tests: each request's
//! answer comes from a function of the request's number (0, 1, 2…) and body — `Some(text)` is
//! sent as the assistant's message, `None` holds the connection open without answering (a
//! model that never replies). An assertion failing inside the function (on the server's
//! thread) is kept and re-raised by [`ChatServer::check`] on the test's thread.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The endpoint's base URL (`…/v1`) and how many requests it has had.
pub struct ChatServer {
    pub base: String,
    pub asked: Arc<AtomicUsize>,
    failures: Arc<Mutex<Vec<String>>>,
}

impl ChatServer {
    pub fn start(answer: impl Fn(usize, &str) -> Option<String> + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/v1", listener.local_addr().unwrap());
        let asked = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&asked);
        let failures = Arc::new(Mutex::new(Vec::new()));
        let failed = Arc::clone(&failures);
        std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            for stream in listener.incoming().map_while(Result::ok) {
                let n = count.fetch_add(1, Ordering::SeqCst);
                let body = read_request(&stream);
                match catch_unwind(AssertUnwindSafe(|| answer(n, &body))) {
                    Ok(Some(text)) => reply(stream, &text),
                    Ok(None) => held.push(stream),
                    Err(panic) => {
                        let why = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                            .unwrap_or_default();
                        failed.lock().unwrap().push(format!("request {n}: {why}"));
                        held.push(stream);
                    }
                }
            }
        });
        Self {
            base,
            asked,
            failures,
        }
    }

    /// Fails the test with what the answer function asserted, if anything failed there.
    pub fn check(&self) {
        let failures = self.failures.lock().unwrap();
        assert!(failures.is_empty(), "the scripted model saw: {failures:?}");
    }

    pub fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }
}

fn read_request(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    String::from_utf8_lossy(&body).into_owned()
}

fn reply(mut stream: TcpStream, content: &str) {
    let answer = serde_json::json!({
        "id": "x", "object": "chat.completion", "model": "scripted",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}]
    })
    .to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    );
}

/// A whole chapter (long enough not to be thin) citing source 1, as JSON.
pub fn chapter_json() -> String {
    let text = "滨海马拉松在赛后引发了大量讨论，跑者们集中谈论补给、交通管制和志愿者服务。\
                多数帖子肯定了志愿者的热情和城市的组织能力，也有不少跑者抱怨后半程补给不足、\
                接驳大巴排队时间过长，这些意见在赛后第一天最为集中，随后逐渐回落，整体讨论以\
                理性评价为主，并对明年的赛事组织提出了具体而可行的改进建议。";
    serde_json::json!({"blocks": [{"type": "paragraph", "spans": [{"text": text, "cites": [1]}]}]})
        .to_string()
}
