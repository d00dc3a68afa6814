//! A minimal blocking Server-Sent Events client over a raw socket, for the tests: it sends the
//! request, checks the head, and parses frames (`id`, `event`, `data`, comments) as they come.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One SSE frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
    pub retry: Option<u64>,
}

impl Frame {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("data is not JSON ({e}): {}", self.data))
    }
}

pub struct SseClient {
    reader: BufReader<TcpStream>,
    pub head: String,
}

impl SseClient {
    /// Opens `path` on `base` (`http://host:port`) with extra headers.
    pub fn open(base: &str, path: &str, headers: &[(&str, &str)]) -> Self {
        let address = base.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut request =
            format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n");
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        Self { reader, head }
    }

    pub fn status(&self) -> u16 {
        self.head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }

    /// Reads one line of the (chunked) body, undoing the chunk framing.
    fn line(&mut self) -> Option<String> {
        loop {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            let trimmed = line.trim_end_matches(['\r', '\n']);
            // Chunk-size lines are hex numbers alone on a line; SSE lines never are.
            if !trimmed.is_empty()
                && trimmed.len() <= 8
                && trimmed.chars().all(|c| c.is_ascii_hexdigit())
            {
                if trimmed == "0" {
                    return None;
                }
                continue;
            }
            return Some(trimmed.to_owned());
        }
    }

    /// The next frame with a `data:` or `retry:` field (comments and heartbeats skipped);
    /// None when the stream ends.
    pub fn next_frame(&mut self) -> Option<Frame> {
        let mut frame = Frame::default();
        let mut seen = false;
        loop {
            let line = self.line()?;
            if line.is_empty() {
                if seen {
                    return Some(frame);
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line.as_str(), ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            seen = true;
            match field {
                "id" => frame.id = Some(value.to_owned()),
                "event" => frame.event = Some(value.to_owned()),
                "data" => {
                    if !frame.data.is_empty() {
                        frame.data.push('\n');
                    }
                    frame.data.push_str(value);
                }
                "retry" => frame.retry = value.parse().ok(),
                _ => {}
            }
        }
    }

    /// The next frame that is an event (skipping the `retry:` hint).
    pub fn next_event(&mut self) -> Option<Frame> {
        loop {
            let frame = self.next_frame()?;
            if frame.event.is_some() || frame.id.is_some() {
                return Some(frame);
            }
        }
    }

    /// Reads a heartbeat-or-anything line within `limit`; used to prove the stream is alive.
    pub fn raw_line(&mut self) -> Option<String> {
        self.line()
    }
}
