//! Events over HTTP: `GET /api/events?topics=…` as Server-Sent Events, and
//! `POST /api/events/{topic}` to publish from outside.
//!
//! The subscription itself — resume, resync, lag, epoch changes, shutdown, the end — is the
//! events layer's [`Feed`]; this module only encodes what it yields as SSE. A stream starts
//! with a `retry:` hint, then what the feed yields: each event as the SSE bytes rendered once
//! at its publication (shared by every client), each notice (`resync`, `lagged`, `shutdown`)
//! as a frame of the same shape. Small events that are ready go out joined in one chunk (up to
//! [`COALESCE`] events and `BETTAFISH_SSE_COALESCE_BYTES`, the only bytes copied per client),
//! so a client that is behind catches up in few writes; an event that does not fit goes out
//! alone as its shared bytes, so a resuming client costs what a live one does whatever the
//! size of the events. A heartbeat comment goes out whenever it has been quiet for the
//! configured interval (at most 15 s). A cursor that cannot be read (`Last-Event-ID` or
//! `?last_event_id=`) is answered like one that cannot be resumed: 200, and `resync` first —
//! a browser's `EventSource` never reconnects after any other status. The stream ends when
//! the feed does: after `lagged`, after `shutdown`, or — for a session's stream — after the
//! session's last event. The same function serves per-entity streams (an analysis's) with a
//! fixed filter.

use std::convert::Infallible;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use events::{Ending, Event, Feed, Item, Notice, Since, TopicFilter};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::json;
use warp::http::{HeaderMap, HeaderValue, StatusCode};
use warp::Reply as _;

use super::query;
use super::reply::{self, ApiError, ApiResult};
use crate::internal_events::RealtimeConnection;
use crate::service::App;

/// The first bytes of every stream: how long a disconnected client should wait before
/// reconnecting (3 s).
const RETRY_HINT: &[u8] = b"retry: 3000\n\n";

/// What a quiet stream sends at the heartbeat interval.
const HEARTBEAT: &[u8] = b": heartbeat\n\n";

/// Events written in one chunk at most: a client that is behind catches up in few writes.
const COALESCE: usize = 64;

/// Whether `event` is an analysis session's last: its stream ends after it (the session's
/// event types are `actors::sessions::SessionEvent`).
pub fn analysis_ended(event: &Event) -> bool {
    actors::sessions::SessionEvent::ends_session(&event.kind)
}

/// How long a resume waits for an event of its cursor still on its way to this node (see
/// `EventBus::catch_up`) before it is answered with `resync`; within half the request
/// timeout, so that the wait never turns into a 503.
pub(crate) fn catch_up_within(app: &App) -> Duration {
    Duration::from_secs(2).min(app.config().request_timeout / 2)
}

/// Where a client resumes from: `Last-Event-ID`, else `last_event_id` in the query (for
/// clients that cannot send the header); a value that is not a cursor (or not text), or a
/// query giving it more than once, is [`Since::Unreadable`], answered with `resync` like any
/// cursor that cannot be honoured, and never logged.
pub fn resume_cursor(headers: &HeaderMap, query: &str) -> Result<Since, ApiError> {
    let given = match headers.get("last-event-id") {
        Some(header) => match header.to_str() {
            Ok(text) => Some(text.to_owned()),
            Err(_) => return Ok(Since::Unreadable),
        },
        None => {
            let pairs: Vec<(String, String)> = query::parse(query)?;
            let mut given = pairs
                .into_iter()
                .filter(|(name, _)| name == "last_event_id")
                .map(|(_, value)| value);
            match (given.next(), given.next()) {
                (first, None) => first,
                (_, Some(_)) => return Ok(Since::Unreadable),
            }
        }
    };
    Ok(match given.filter(|v| !v.is_empty()) {
        None => Since::Now,
        Some(text) => text.parse().map_or(Since::Unreadable, Since::After),
    })
}

/// A notice as an SSE frame.
fn notice_sse(notice: &Notice) -> Bytes {
    let mut out = String::new();
    if let Some(id) = notice.id() {
        out.push_str(&format!("id: {id}\n"));
    }
    out.push_str(&format!(
        "event: {}\ndata: {}\n\n",
        notice.kind(),
        notice.frame()
    ));
    Bytes::from(out)
}

/// The bytes of one write: a single piece is passed on as it is (an event's shared bytes,
/// no copy, whatever its size); several are joined into a copy of at most `limit` bytes.
struct Chunk {
    limit: usize,
    pieces: Pieces,
}

#[derive(Default)]
enum Pieces {
    #[default]
    Empty,
    One(Bytes),
    Many(BytesMut),
}

impl Chunk {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            pieces: Pieces::Empty,
        }
    }

    /// Adds `bytes` to this write, or gives them back when they do not fit (they go out in the
    /// next write). An empty chunk takes anything.
    fn push(&mut self, bytes: Bytes) -> Result<(), Bytes> {
        let held = match &self.pieces {
            Pieces::Empty => 0,
            Pieces::One(one) => one.len(),
            Pieces::Many(joined) => joined.len(),
        };
        if held > 0 && held + bytes.len() > self.limit {
            return Err(bytes);
        }
        self.pieces = match std::mem::take(&mut self.pieces) {
            Pieces::Empty => Pieces::One(bytes),
            Pieces::One(first) => {
                let wanted = 2 * (first.len() + bytes.len());
                let mut joined = BytesMut::with_capacity(wanted.min(self.limit));
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&bytes);
                Pieces::Many(joined)
            }
            Pieces::Many(mut joined) => {
                joined.extend_from_slice(&bytes);
                Pieces::Many(joined)
            }
        };
        Ok(())
    }

    fn into_bytes(self) -> Bytes {
        match self.pieces {
            Pieces::Empty => Bytes::new(),
            Pieces::One(bytes) => bytes,
            Pieces::Many(joined) => joined.freeze(),
        }
    }
}

/// An SSE stream: the feed, and what its encoding needs.
struct SseStream {
    feed: Feed,
    heartbeat: Duration,
    /// Most bytes one write copies to join small events.
    coalesce_bytes: usize,
    connection: RealtimeConnection,
    /// The `retry:` hint is still to be sent (the first write).
    starting: bool,
    /// What did not fit in the last write: the next one begins with it.
    pending: Option<Bytes>,
}

impl SseStream {
    fn encode(&self, item: Item) -> Bytes {
        match item {
            Item::Event(event) => {
                self.connection.delivered(event.published.elapsed());
                event.sse().clone()
            }
            Item::Notice(notice) => {
                if let Notice::Lagged { dropped, .. } = notice {
                    self.connection.lagged(dropped);
                }
                notice_sse(&notice)
            }
        }
    }

    /// The next write: the first item (or a heartbeat when quiet for the interval) and
    /// whatever else is ready and fits; `None` once the feed has ended.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        let mut chunk = Chunk::new(self.coalesce_bytes);
        let first = if let Some(pending) = self.pending.take() {
            pending
        } else if std::mem::take(&mut self.starting) {
            Bytes::from_static(RETRY_HINT)
        } else {
            let item = tokio::select! {
                // The feed first: it puts the server's shutdown before events.
                biased;
                item = self.feed.next() => item?,
                () = tokio::time::sleep(self.heartbeat) => return Some(Bytes::from_static(HEARTBEAT)),
            };
            self.encode(item)
        };
        // An empty chunk takes anything.
        let _ = chunk.push(first);
        for _ in 1..COALESCE {
            let Some(item) = self.feed.try_next() else {
                break;
            };
            if let Err(unfit) = chunk.push(self.encode(item)) {
                self.pending = Some(unfit);
                break;
            }
        }
        Some(chunk.into_bytes())
    }
}

/// The SSE body for `filter`, resuming after `since`, ending as `ending` says (besides lag
/// and shutdown).
pub fn stream(
    app: &App,
    filter: TopicFilter,
    since: Since,
    ending: Ending,
) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + Sync + 'static {
    let mut feed = Feed::new(app.bus.clone(), app.closing.subscribe()).ending(ending);
    feed.subscribe(filter, since);
    let config = app.config();
    let stream = SseStream {
        feed,
        heartbeat: config.heartbeat,
        coalesce_bytes: config.streams.sse_coalesce_bytes,
        connection: RealtimeConnection::open("sse"),
        starting: true,
        pending: None,
    };
    futures_util::stream::unfold(stream, |mut stream| async move {
        let chunk = stream.next_chunk().await?;
        Some((Ok(chunk), stream))
    })
}

/// An SSE response with the proxy-friendly headers.
pub fn sse_reply(app: &App, filter: TopicFilter, since: Since, ending: Ending) -> reply::Reply {
    let mut response = warp::reply::stream(stream(app, filter, since, ending)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert("cache-control", HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// `?topics=a,b,report/*`: what `GET /api/events` subscribes to.
#[derive(Debug, Deserialize)]
struct TopicsQuery {
    #[serde(default)]
    topics: String,
}

/// `GET /api/events?topics=a,b&last_event_id=…`.
pub async fn subscribe(app: &App, headers: &HeaderMap, query: &str) -> ApiResult {
    let TopicsQuery { topics } = query::parse(query)?;
    let filter = TopicFilter::parse(&topics).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_topics",
            format!("topics: {e}"),
        )
    })?;
    let since = resume_cursor(headers, query)?;
    app.bus.catch_up(since.cursor(), catch_up_within(app)).await;
    Ok(sse_reply(app, filter, since, Ending::Open))
}

/// What `POST /api/events/{topic}` takes, said in every refusal of a body of another shape.
const PUBLISH_SHAPE: &str =
    "expected a JSON object {\"type\": string (optional, default \"message\"), \"data\": any JSON value}";

/// `POST /api/events/{topic}` with `{"type": "...", "data": …}`: 202 with the event's id; 400
/// for a body that is not JSON, 422 for JSON of another shape (nothing is published), 413 for
/// `data` over `BETTAFISH_EVENT_MAX_BYTES`.
pub async fn publish(app: &App, topic: &str, body: &[u8]) -> ApiResult {
    if events::Topic::is_reserved(topic) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "topic_reserved",
            format!("`{topic}` is published by the system only"),
        ));
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outside {
        #[serde(rename = "type", default = "default_type")]
        kind: String,
        data: Box<serde_json::value::RawValue>,
    }
    fn default_type() -> String {
        "message".into()
    }
    let bad_shape = |why: String| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_shape",
            format!("{PUBLISH_SHAPE}: {why}"),
        )
    };
    let json: &serde_json::value::RawValue = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("malformed JSON: {e}"),
        )
    })?;
    // serde reads a struct from an array too: only an object is the documented shape.
    if !json.get().trim_start().starts_with('{') {
        return Err(bad_shape("got a JSON value that is not an object".into()));
    }
    let outside: Outside =
        serde_json::from_str(json.get()).map_err(|e| bad_shape(e.to_string()))?;
    let max = app.config().events.max_event_bytes;
    let too_large = |bytes: usize| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "event_too_large",
            format!("`data` is {bytes} bytes; events may carry at most {max} (BETTAFISH_EVENT_MAX_BYTES)"),
        )
    };
    let cursor = app
        .bus
        .publish_confirmed(topic, &outside.kind, outside.data)
        .await
        .map_err(|e| match e {
            events::EventError::TooLarge { bytes, .. } => too_large(bytes),
            events::EventError::NotNumbered => ApiError::unavailable(e.to_string()),
            other => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_event",
                other.to_string(),
            ),
        })?;
    Ok(reply::json(
        StatusCode::ACCEPTED,
        &json!({"success": true, "id": cursor.to_string()}),
    ))
}

#[cfg(test)]
mod tests {
    //! What one SSE write copies: small pieces joined up to the limit, anything else passed on
    //! as the shared bytes it is.
    use super::*;

    #[test]
    fn a_write_joins_small_pieces_up_to_its_limit_and_shares_big_ones() {
        let big = Bytes::from(vec![b'x'; 100_000]);
        let mut chunk = Chunk::new(1_000);
        assert!(
            chunk.push(big.clone()).is_ok(),
            "an empty write takes anything"
        );
        let out = chunk.into_bytes();
        assert_eq!(out.as_ptr(), big.as_ptr(), "passed on, not copied");

        let mut chunk = Chunk::new(1_000);
        for _ in 0..4 {
            assert!(chunk.push(Bytes::from(vec![b'a'; 200])).is_ok());
        }
        let refused = chunk.push(Bytes::from(vec![b'b'; 300])).unwrap_err();
        assert_eq!(refused.len(), 300, "given back for the next write");
        assert!(chunk.push(big.clone()).is_err());
        assert!(chunk.push(Bytes::from(vec![b'c'; 200])).is_ok());
        assert_eq!(chunk.into_bytes().len(), 1_000);

        let mut never = Chunk::new(0);
        assert!(never.push(Bytes::from_static(b"a")).is_ok());
        assert!(
            never.push(Bytes::from_static(b"b")).is_err(),
            "0: nothing is joined"
        );
    }
}
