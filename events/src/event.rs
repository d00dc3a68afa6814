//! One event: topic, type, cursor, time and JSON payload, with its wire forms rendered once at
//! publication so that fan-out to a thousand clients copies bytes, not structures.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use serde::Serialize;
use serde_json::value::RawValue;
use thiserror::Error;

/// Where an event stands: the epoch of the history it belongs to and its offset in it.
///
/// Written `"{epoch:016x}-{offset}"`. An epoch changes whenever history was lost (a process
/// restart with an in-memory history), so a cursor from another epoch cannot be resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cursor {
    /// The history's identity.
    pub epoch: u64,
    /// The position within it: 1 for the first event.
    pub offset: u64,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}-{}", self.epoch, self.offset)
    }
}

/// A cursor that does not parse. It carries the first 64 characters of what was given,
/// escaped (`\n`, `\u{0}`…), so that showing it can never forge a log line or a frame.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{0}` is not an event id (expected EPOCH-OFFSET, as sent in `id`)")]
pub struct CursorError(pub String);

impl CursorError {
    fn of(text: &str) -> Self {
        Self(text.chars().take(64).flat_map(char::escape_debug).collect())
    }
}

impl FromStr for Cursor {
    type Err = CursorError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || CursorError::of(text);
        let (epoch, offset) = text.trim().split_once('-').ok_or_else(bad)?;
        if epoch.len() != 16 || offset.is_empty() || offset.len() > 20 {
            return Err(bad());
        }
        Ok(Self {
            epoch: u64::from_str_radix(epoch, 16).map_err(|_| bad())?,
            offset: offset.parse().map_err(|_| bad())?,
        })
    }
}

/// A topic or type that may not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EventError {
    /// Topics are 1–128 characters of `A-Z a-z 0-9 _ - . / :`, not starting or ending with `/`.
    #[error("`{0}` is not a valid topic")]
    InvalidTopic(String),
    /// Types are 1–64 characters of `a-z 0-9 _ - .`.
    #[error("`{0}` is not a valid event type")]
    InvalidType(String),
    /// The payload is not JSON.
    #[error("the payload is not valid JSON: {0}")]
    InvalidPayload(String),
    /// The cluster link lost the event before numbering it.
    #[error("the event was not numbered: the cluster link went away")]
    NotNumbered,
    /// The payload is larger than an event may be (`BETTAFISH_EVENT_MAX_BYTES`): refused, so
    /// that one publication cannot hold unbounded memory in the history and every queue.
    #[error("the event's data is {bytes} bytes; events may carry at most {max}")]
    TooLarge {
        /// The payload's size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
}

/// Checks a topic name.
///
/// # Errors
/// [`EventError::InvalidTopic`].
pub fn validate_topic(topic: &str) -> Result<(), EventError> {
    let ok = !topic.is_empty()
        && topic.len() <= 128
        && !topic.starts_with('/')
        && !topic.ends_with('/')
        && topic
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b':'));
    if ok {
        Ok(())
    } else {
        Err(EventError::InvalidTopic(topic.chars().take(128).collect()))
    }
}

/// Checks an event type.
///
/// # Errors
/// [`EventError::InvalidType`].
pub fn validate_type(kind: &str) -> Result<(), EventError> {
    let ok = !kind.is_empty()
        && kind.len() <= 64
        && kind.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
        });
    if ok {
        Ok(())
    } else {
        Err(EventError::InvalidType(kind.chars().take(64).collect()))
    }
}

/// An event as delivered.
#[derive(Debug)]
pub struct Event {
    /// Its topic, e.g. `actors` or `report/42`.
    pub topic: Arc<str>,
    /// Its type, e.g. `started`, `console_output`.
    pub kind: Arc<str>,
    /// Its position.
    pub cursor: Cursor,
    /// When it was published (UTC).
    pub ts: SystemTime,
    /// When it was published, on this process's monotonic clock (for delivery latency).
    pub published: Instant,
    /// The JSON payload.
    pub payload: Box<RawValue>,
    /// `{"event","topic","id","ts","data"}` as one JSON line: the WebSocket frame and the SSE
    /// `data:` line.
    frame: Bytes,
    /// The whole SSE frame (`id:`, `event:`, `data:` and the blank line), rendered once and
    /// shared by every SSE client.
    sse: Bytes,
    /// What keeping this event costs, in bytes: its three renderings (payload, frame, SSE
    /// frame), names and the struct itself. The history and the client queues are bounded by
    /// the sum of these.
    stored_bytes: usize,
}

#[derive(Serialize)]
struct Frame<'a> {
    event: &'a str,
    topic: &'a str,
    id: String,
    ts: String,
    data: &'a RawValue,
}

impl Event {
    /// Builds an event and renders its frame (the payload made one line first, see
    /// [`one_line`]: every event passes here, published, ingested or adopted).
    pub(crate) fn new(
        topic: Arc<str>,
        kind: Arc<str>,
        cursor: Cursor,
        ts: SystemTime,
        payload: Box<RawValue>,
    ) -> Self {
        let payload = one_line(payload);
        let frame = serde_json::to_vec(&Frame {
            event: &kind,
            topic: &topic,
            id: cursor.to_string(),
            ts: humantime::format_rfc3339_millis(ts).to_string(),
            data: &payload,
        })
        // Serialising strings and an already-valid raw value cannot fail.
        .unwrap_or_default();
        let mut sse = Vec::with_capacity(frame.len() + kind.len() + 48);
        sse.extend_from_slice(b"id: ");
        sse.extend_from_slice(cursor.to_string().as_bytes());
        sse.extend_from_slice(b"\nevent: ");
        sse.extend_from_slice(kind.as_bytes());
        sse.extend_from_slice(b"\ndata: ");
        sse.extend_from_slice(&frame);
        sse.extend_from_slice(b"\n\n");
        let stored_bytes = std::mem::size_of::<Self>()
            + topic.len()
            + kind.len()
            + payload.get().len()
            + frame.len()
            + sse.len();
        Self {
            topic,
            kind,
            cursor,
            ts,
            published: Instant::now(),
            payload,
            frame: Bytes::from(frame),
            sse: Bytes::from(sse),
            stored_bytes,
        }
    }

    /// Bytes an event may cost beyond three times its payload, at most: the struct, its topic
    /// and type (at their longest) and cursor in each rendering, the frames' field names and
    /// the SSE lines. [`Event::stored_bytes_at_most`] uses it.
    pub const STORED_OVERHEAD_MAX: usize = 2_048;

    /// The most an event with a payload of `payload` bytes costs to keep ([`Event::stored_bytes`]):
    /// the payload is stored three times (as it is, in the JSON frame, in the SSE frame), plus
    /// [`Event::STORED_OVERHEAD_MAX`].
    pub const fn stored_bytes_at_most(payload: usize) -> usize {
        payload
            .saturating_mul(3)
            .saturating_add(Self::STORED_OVERHEAD_MAX)
    }

    /// What keeping this event costs, in bytes (see the field).
    pub fn stored_bytes(&self) -> usize {
        self.stored_bytes
    }

    /// The SSE frame, ready to write.
    pub fn sse(&self) -> &Bytes {
        &self.sse
    }

    /// The JSON frame (one line).
    pub fn frame(&self) -> &Bytes {
        &self.frame
    }

    /// The frame as text.
    pub fn frame_str(&self) -> &str {
        // Built from serde_json output, which is UTF-8.
        std::str::from_utf8(&self.frame).unwrap_or_default()
    }
}

/// The payload as one line. A raw payload keeps its publisher's whitespace, and an SSE `data:`
/// line ends at a CR or an LF — a blank line would end the event early, for every client of
/// the topic. In valid JSON a CR or LF can only be whitespace between tokens (inside strings
/// they must be escaped), and no two tokens need it to stay apart, so each becomes a space:
/// same meaning, one line. Only a payload holding one pays for the copy.
pub(crate) fn one_line(payload: Box<RawValue>) -> Box<RawValue> {
    if !payload.get().contains(['\n', '\r']) {
        return payload;
    }
    let text = payload.get().replace(['\n', '\r'], " ");
    // Cannot fail (whitespace for whitespace); should it, the original is still valid JSON.
    RawValue::from_string(text).unwrap_or(payload)
}

/// Renders `value` as a raw JSON payload.
///
/// # Errors
/// [`EventError::InvalidPayload`] when it does not serialise.
pub fn payload<T: Serialize + ?Sized>(value: &T) -> Result<Box<RawValue>, EventError> {
    serde_json::value::to_raw_value(value).map_err(|e| EventError::InvalidPayload(e.to_string()))
}
