//! Raw TCP for the connection-layer tests: requests written byte for byte (no `Host`, two of
//! them, a head dripped slowly), answers read as they come, and the moment the server closes.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A connection to the server at `base` (`http://host:port`).
pub fn connect(base: &str) -> TcpStream {
    let stream = TcpStream::connect(address(base)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

/// `host:port` of `base`.
pub fn address(base: &str) -> &str {
    base.trim_start_matches("http://")
}

/// An answer's head and what of its body was read.
#[derive(Debug)]
pub struct Answer {
    pub head: String,
    pub body: String,
}

impl Answer {
    pub fn status(&self) -> u16 {
        self.head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

/// Reads an answer's head, byte by byte so nothing after it is consumed. None if the server
/// closed before a whole head.
pub fn read_answer_head(stream: &mut TcpStream) -> Option<String> {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => bytes.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads one answer: its head, then a `Content-Length` body (or none for 101 and 204, or up
/// to the close). None if the server closed before a head.
pub fn read_answer(stream: &mut TcpStream) -> Option<Answer> {
    let head = read_answer_head(stream)?;
    let mut answer = Answer {
        head,
        body: String::new(),
    };
    if matches!(answer.status(), 101 | 204) {
        return Some(answer);
    }
    match answer
        .header("content-length")
        .map(|v| v.parse::<usize>().unwrap())
    {
        Some(length) => {
            let mut body = vec![0u8; length];
            stream.read_exact(&mut body).ok()?;
            answer.body = String::from_utf8_lossy(&body).into_owned();
        }
        None => {
            let mut body = Vec::new();
            let _ = stream.read_to_end(&mut body);
            answer.body = String::from_utf8_lossy(&body).into_owned();
        }
    }
    Some(answer)
}

/// Sends `request` on a new connection and reads the answer (even if the server stopped
/// reading before the request's end, as it does for a head too large).
pub fn exchange(base: &str, request: &str) -> Option<Answer> {
    let mut stream = connect(base);
    let _ = stream.write_all(request.as_bytes());
    read_answer(&mut stream)
}

/// A GET with the right `Host` and `extra` header lines, on a new connection.
pub fn get(base: &str, path: &str, extra: &str) -> Option<Answer> {
    exchange(
        base,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{extra}\r\n",
            address(base)
        ),
    )
}

/// Waits for the server to close `stream` (EOF or reset), reading and dropping whatever comes;
/// how long that took. Fails the test after `limit`.
pub fn closed_within(stream: &mut TcpStream, limit: Duration) -> Duration {
    let began = Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut sink = [0u8; 4096];
    loop {
        match stream.read(&mut sink) {
            Ok(0) => return began.elapsed(),
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                panic!("still open after {:?}", began.elapsed())
            }
            Err(_) => return began.elapsed(),
        }
    }
}
