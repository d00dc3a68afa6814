//! Connections that carry one long-lived event stream (`GET /api/events` and every route of
//! kind `EventStream` in the table), served by a small HTTP/1 writer of our own instead of hyper.
//!
//! Why: an idle SSE client is the commonest connection this service holds, and hyper keeps two
//! fixed 8 KiB buffers (reads and response heads) for every connection's whole life. Here the
//! request head is read into a buffer that is freed before the stream starts, and an idle stream
//! holds nothing but its subscription. The request still goes through the same dispatcher —
//! routing, access control, request id, access log, metrics — so only the bytes on the wire are
//! ours: a head, then the body in chunked encoding, then the connection closes.
//!
//! Which connections come here is decided by peeking at the first bytes without consuming
//! them; anything else (or a request line that has not fully arrived) goes to hyper untouched.
//! The connection layer's limits apply here as on hyper's path: the head must arrive within
//! `BETTAFISH_HEAD_TIMEOUT_MS` (the listener's watchdog enforces it too) and fit in
//! `BETTAFISH_MAX_HEAD_BYTES` (431 beyond); once it has, the connection is busy for the
//! cap's eviction.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use http_body_util::BodyExt;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use warp::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use super::connections::{Phase, Tracker};
use super::router::{self, Kind, Resolved};
use super::Dispatch;

/// How many bytes are peeked to recognise a stream request.
pub const PROBE: usize = 256;
/// How many header lines a request may have.
const MAX_HEADERS: usize = 64;
/// A peer that accepts no bytes for this long is gone: its connection is closed rather than
/// held forever (its queue is bounded regardless).
const WRITE_STALL: Duration = Duration::from_secs(60);

/// Whether the peeked start of a connection is a request for a streaming route.
pub fn is_stream_request(probe: &[u8]) -> bool {
    let Some(rest) = probe.strip_prefix(b"GET ") else {
        return false;
    };
    let Some(end) = rest.iter().position(|&b| b == b' ' || b == b'?') else {
        return false;
    };
    let Ok(path) = std::str::from_utf8(&rest[..end]) else {
        return false;
    };
    path.starts_with('/')
        && matches!(router::resolve("GET", path), Resolved::Route(route, _) if route.kind == Kind::EventStream)
}

/// A parsed request head, owned so that the read buffer can go.
struct Head {
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    /// HTTP/1.1 (chunked body) rather than 1.0 (body ends with the connection).
    http11: bool,
}

/// Why a request head could not be taken.
enum HeadError {
    /// The peer closed or stalled; nothing to answer.
    Gone,
    /// Answer with this status and close.
    Reject(StatusCode, &'static str),
}

/// Serves one stream request on `stream`, then closes it.
pub async fn serve(
    mut stream: TcpStream,
    remote: SocketAddr,
    dispatch: &Dispatch,
    tracker: &Tracker,
) {
    let limits = dispatch.app.config().connections;
    let read = read_head(&mut stream, limits.max_head_bytes);
    let head = match tokio::time::timeout(limits.head_timeout, read).await {
        Ok(Ok(head)) => head,
        Ok(Err(HeadError::Reject(status, why))) => {
            if write_plain(&mut stream, status, why).await.is_ok() {
                linger(&mut stream).await;
            }
            return;
        }
        Ok(Err(HeadError::Gone)) | Err(_) => return,
    };
    tracker.set(Phase::Busy);
    let request = super::Head {
        method: &head.method,
        path: &head.path,
        query: head.query.clone(),
        headers: &head.headers,
        upgrade: None,
        remote: Some(remote),
        http11: head.http11,
    };
    let handled = super::handle(
        dispatch,
        request,
        futures_util::stream::empty::<Result<Bytes, warp::Error>>(),
    )
    .await;
    if dispatch.middleware.telemetry {
        super::record(&head.method, &head.path, Some(remote), &handled);
    }
    let http11 = head.http11;
    drop(head);
    if respond(&mut stream, handled.reply, http11).await.is_ok() {
        linger(&mut stream).await;
    }
}

/// Reads until the request head is complete, up to `max_head` bytes; the buffer is dropped
/// on return.
async fn read_head(stream: &mut TcpStream, max_head: usize) -> Result<Head, HeadError> {
    use tokio::io::AsyncReadExt;
    let mut buffer = Vec::with_capacity(1024);
    loop {
        let mut chunk = [0u8; 1024];
        let n = stream.read(&mut chunk).await.map_err(|_| HeadError::Gone)?;
        if n == 0 {
            return Err(HeadError::Gone);
        }
        buffer.extend_from_slice(&chunk[..n]);
        head_within(&buffer, max_head)?;
        if let Some(head) = parse_head(&buffer)? {
            return Ok(head);
        }
    }
}

/// Checks what has been read against the limit: a complete head must fit in `max_head`
/// bytes; what follows its end (a body, a pipelined request) does not count.
fn head_within(buffer: &[u8], max_head: usize) -> Result<(), HeadError> {
    let end = buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(buffer.len(), |at| at + 4);
    if end > max_head {
        Err(HeadError::Reject(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request head too large",
        ))
    } else {
        Ok(())
    }
}

/// The head in `buffer`, if complete.
fn parse_head(buffer: &[u8]) -> Result<Option<Head>, HeadError> {
    let bad = || HeadError::Reject(StatusCode::BAD_REQUEST, "malformed request head");
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut slots);
    match request.parse(buffer) {
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(HeadError::Reject(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "too many header lines",
        )),
        Err(_) => Err(bad()),
        Ok(httparse::Status::Complete(_)) => {
            let method = request
                .method
                .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
                .ok_or_else(bad)?;
            let target = request.path.ok_or_else(bad)?;
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let mut headers = HeaderMap::with_capacity(request.headers.len());
            for header in request.headers.iter() {
                let name = HeaderName::from_bytes(header.name.as_bytes()).map_err(|_| bad())?;
                let value = HeaderValue::from_bytes(header.value).map_err(|_| bad())?;
                headers.append(name, value);
            }
            Ok(Some(Head {
                method,
                path: path.to_owned(),
                query: query.to_owned(),
                headers,
                http11: request.version == Some(1),
            }))
        }
    }
}

/// A short plain-text answer for requests that never reached the dispatcher.
async fn write_plain(stream: &mut TcpStream, status: StatusCode, why: &str) -> std::io::Result<()> {
    let text = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{why}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        why.len()
    );
    stream.write_all(text.as_bytes()).await
}

/// Closes our side and reads what the peer still sends for a moment: closing a socket with
/// unread input resets it, and the peer would lose the answer it has not read yet.
async fn linger(stream: &mut TcpStream) {
    use tokio::io::AsyncReadExt;
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 1024];
    let drain = async {
        let mut total = 0;
        while total < 64 * 1024 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

/// Writes `reply`: its head, then its body — by length when known, else chunked (HTTP/1.1)
/// or up to the close (HTTP/1.0) — until it ends or the peer goes.
async fn respond(stream: &mut TcpStream, reply: super::Reply, http11: bool) -> std::io::Result<()> {
    use http_body::Body as _;
    let (parts, mut body) = reply.into_parts();
    let exact = body.size_hint().exact();
    let chunked = exact.is_none() && http11;
    let mut head = BytesMut::with_capacity(512);
    head.extend_from_slice(
        format!(
            "HTTP/1.1 {} {}\r\n",
            parts.status.as_u16(),
            parts.status.canonical_reason().unwrap_or("")
        )
        .as_bytes(),
    );
    for (name, value) in &parts.headers {
        if name == "content-length" || name == "transfer-encoding" || name == "connection" {
            continue;
        }
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    match exact {
        Some(n) => head.extend_from_slice(format!("content-length: {n}\r\n").as_bytes()),
        None if chunked => head.extend_from_slice(b"transfer-encoding: chunked\r\n"),
        None => {}
    }
    head.extend_from_slice(b"connection: close\r\n\r\n");
    write(stream, &mut head.freeze()).await?;
    drop(parts);

    let mut probe = [0u8; 64];
    loop {
        let frame = tokio::select! {
            frame = body.frame() => frame,
            // The peer closing (or sending what it should not) while the stream is quiet.
            readable = stream.readable() => {
                readable?;
                match stream.try_read(&mut probe) {
                    Ok(0) => return Ok(()),
                    Ok(_) => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(e) => return Err(e),
                }
            }
        };
        let frame = match frame {
            None => break,
            Some(Ok(frame)) => frame,
            // No terminating chunk: the client must see the stream cut, not complete.
            Some(Err(e)) => return Err(std::io::Error::other(e.to_string())),
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if data.is_empty() {
            continue;
        }
        if chunked {
            let size = Bytes::from(format!("{:x}\r\n", data.len()));
            let mut chunk = size.chain(data).chain(&b"\r\n"[..]);
            write(stream, &mut chunk).await?;
        } else {
            write(stream, &mut data.clone()).await?;
        }
    }
    if chunked {
        write(stream, &mut &b"0\r\n\r\n"[..]).await?;
    }
    Ok(())
}

/// Writes all of `buf` (vectored where it is several pieces), giving up on a stalled peer.
async fn write<B: Buf>(stream: &mut TcpStream, buf: &mut B) -> std::io::Result<()> {
    match tokio::time::timeout(WRITE_STALL, stream.write_all_buf(buf)).await {
        Ok(result) => result,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the peer took no bytes",
        )),
    }
}

#[cfg(test)]
mod tests {
    //! Recognising stream requests from their first bytes, and parsing heads.
    use super::*;

    #[test]
    fn recognises_stream_requests_only() {
        assert!(is_stream_request(
            b"GET /api/events?topics=actors HTTP/1.1\r\n"
        ));
        assert!(is_stream_request(b"GET /api/events HTTP/1.1\r\n"));
        assert!(!is_stream_request(b"GET /api/events"), "path not yet ended");
        assert!(!is_stream_request(b"POST /api/events/x HTTP/1.1\r\n"));
        assert!(!is_stream_request(b"GET /api/eventsx HTTP/1.1\r\n"));
        assert!(!is_stream_request(b"GET /api/status HTTP/1.1\r\n"));
        assert!(!is_stream_request(b"GET http://h/api/events HTTP/1.1\r\n"));
        assert!(!is_stream_request(b"\x16\x03\x01"));
    }

    #[test]
    fn a_head_is_measured_to_its_end() {
        let head = b"GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n";
        assert!(head_within(head, head.len()).is_ok());
        assert!(head_within(head, head.len() - 1).is_err(), "one byte over");
        assert!(head_within(&head[..20], 20).is_ok(), "not ended, within");
        assert!(head_within(&head[..21], 20).is_err(), "not ended, past it");
        let mut more = head.to_vec();
        more.extend_from_slice(b"GET /next HTTP/1.1\r\n");
        assert!(
            head_within(&more, head.len()).is_ok(),
            "what follows is not the head"
        );
    }

    #[test]
    fn parses_heads_and_rejects_bad_ones() {
        assert!(matches!(
            parse_head(b"GET /api/events HTTP/1.1\r\nHost: x\r\n"),
            Ok(None)
        ));
        let head =
            match parse_head(b"GET /api/events?topics=a HTTP/1.0\r\nLast-Event-ID: 1\r\n\r\n") {
                Ok(Some(head)) => head,
                _ => panic!("a complete head"),
            };
        assert_eq!(head.path, "/api/events");
        assert_eq!(head.query, "topics=a");
        assert!(!head.http11);
        assert_eq!(
            head.headers.get("last-event-id").map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
        assert!(matches!(
            parse_head(b"GET /api/events HTTP/1.1\r\nBad Header\r\n\r\n"),
            Err(HeadError::Reject(StatusCode::BAD_REQUEST, _))
        ));
    }
}
