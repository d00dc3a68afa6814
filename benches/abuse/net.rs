//! The harness's own small HTTP/1.1 client over raw TCP: attacks need to send what a
//! well-behaved client library would not (no `Host`, two of them, unfinished heads), and the
//! setup publishes thousands of events on one keep-alive connection.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::server::TOKEN;

/// An answer: status, head lines, body.
#[derive(Debug, Default)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

/// Sends `raw` on a new connection and reads the answer to the close (status 0: none).
pub async fn exchange(port: u16, raw: &[u8], within: Duration) -> Answer {
    let until = tokio::time::Instant::now() + within;
    let Ok(Ok(mut stream)) =
        tokio::time::timeout_at(until, TcpStream::connect(("127.0.0.1", port))).await
    else {
        return Answer::default();
    };
    if stream.write_all(raw).await.is_err() {
        return Answer::default();
    }
    // To the close, or what has come by the deadline (a connection kept alive after the
    // answer); a reset after the answer still leaves the answer read.
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    while let Ok(Ok(n)) = tokio::time::timeout_at(until, stream.read(&mut chunk)).await {
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    parse(&bytes)
}

fn parse(bytes: &[u8]) -> Answer {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Answer::default();
    };
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        head,
        body: bytes[end + 4..].to_vec(),
    }
}

/// A request with the operator token, closed after the answer.
pub async fn call(port: u16, method: &str, path: &str, body: &[u8]) -> Answer {
    let mut raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    exchange(port, &raw, Duration::from_secs(30)).await
}

/// One keep-alive connection for many requests with the operator token (answers must have a
/// `content-length`, as the JSON answers do).
pub struct KeepAlive {
    port: u16,
    stream: Option<BufReader<TcpStream>>,
}

impl KeepAlive {
    pub fn new(port: u16) -> Self {
        Self { port, stream: None }
    }

    pub async fn call(&mut self, method: &str, path: &str, body: &[u8]) -> Answer {
        for _ in 0..2 {
            if self.stream.is_none() {
                match TcpStream::connect(("127.0.0.1", self.port)).await {
                    Ok(s) => {
                        let _ = s.set_nodelay(true);
                        self.stream = Some(BufReader::new(s));
                    }
                    Err(_) => return Answer::default(),
                }
            }
            if let Some(answer) = self.try_call(method, path, body).await {
                return answer;
            }
            self.stream = None;
        }
        Answer::default()
    }

    async fn try_call(&mut self, method: &str, path: &str, body: &[u8]) -> Option<Answer> {
        let stream = self.stream.as_mut()?;
        // One write for head and body: two small writes on a connection without
        // TCP_NODELAY wait for the server's delayed ACK (40 ms a request).
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        stream.get_mut().write_all(&request).await.ok()?;
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line).await.ok()? == 0 {
                return None;
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let mut answer = Answer {
            status: head.split_whitespace().nth(1)?.parse().ok()?,
            head,
            body: Vec::new(),
        };
        let length: usize = answer.header("content-length")?.parse().ok()?;
        answer.body = vec![0; length];
        stream.read_exact(&mut answer.body).await.ok()?;
        if answer
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            self.stream = None;
        }
        Some(answer)
    }
}

/// A socket whose receive buffer is small, so that a client that reads slowly is slow
/// at once instead of after megabytes of kernel buffering.
pub async fn connect_small(port: u16, buffer: u32) -> std::io::Result<TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_recv_buffer_size(buffer)?;
    socket
        .connect(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .await
}

/// Reads what `stream` sends for up to `within` and returns it (SSE frames to inspect).
pub async fn read_for(stream: &mut TcpStream, within: Duration, limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 8192];
    let until = tokio::time::Instant::now() + within;
    while out.len() < limit {
        match tokio::time::timeout_at(until, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => out.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    out
}

/// Reads what `stream` sends until `marker` has arrived, for up to `within`.
pub async fn read_until(stream: &mut TcpStream, marker: &[u8], within: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 8192];
    let until = tokio::time::Instant::now() + within;
    while !out.windows(marker.len()).any(|w| w == marker) {
        match tokio::time::timeout_at(until, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => out.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    out
}

/// The value of a settings key as the server reports it (`GET /api/config`).
pub async fn setting(port: u16, key: &str) -> Option<String> {
    let answer = call(port, "GET", "/api/config", b"").await;
    let config = answer.json();
    let keys = config.get("keys").or(Some(&config))?;
    let entry = match keys {
        serde_json::Value::Array(list) => {
            list.iter().find(|k| k["key"] == key || k["name"] == key)?
        }
        serde_json::Value::Object(map) => map.get(key)?,
        _ => return None,
    };
    let value = entry.get("value").unwrap_or(entry);
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}
