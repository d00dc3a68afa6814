//! For the tests of several crates (included by path): a scripted HTTP server on loopback, shaped
//! like the outside APIs the service calls (LLMs, search providers). Each request takes the next
//! reply, and every request is recorded — arrival time, head, JSON body — for assertions.

#![allow(dead_code)] // each test binary uses part of it

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub enum Reply {
    /// Status, extra headers, JSON body.
    Json(u16, Vec<(&'static str, String)>, String),
    /// A 200 event stream written in these pieces.
    Stream(Vec<Vec<u8>>),
    /// Read the request, then say nothing for this long.
    Hang(Duration),
}

#[derive(Clone, Default)]
pub struct Seen(pub Arc<Mutex<Vec<(Instant, String, serde_json::Value)>>>);

/// A scripted server: each request takes the next reply.
pub async fn server(script: Vec<Reply>) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let seen = Seen::default();
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let script = Arc::clone(&script);
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head_end, length) = loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break (end + 4, length);
                    }
                };
                while buf.len() < head_end + length {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let body =
                    serde_json::from_slice(&buf[head_end..head_end + length]).unwrap_or_default();
                log.0.lock().unwrap().push((Instant::now(), head, body));
                let reply = script.lock().unwrap().pop_front();
                match reply {
                    None => {}
                    Some(Reply::Hang(d)) => tokio::time::sleep(d).await,
                    Some(Reply::Json(status, headers, body)) => {
                        let mut out = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
                        for (k, v) in headers {
                            out.push_str(&format!("{k}: {v}\r\n"));
                        }
                        out.push_str("\r\n");
                        out.push_str(&body);
                        let _ = socket.write_all(out.as_bytes()).await;
                    }
                    Some(Reply::Stream(pieces)) => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
                        let _ = socket.write_all(head.as_bytes()).await;
                        for piece in pieces {
                            let _ = socket.write_all(&piece).await;
                            let _ = socket.flush().await;
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                    }
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    (base, seen)
}
