//! Events over HTTP: `GET /api/events?topics=…` as Server-Sent Events, and
//! `POST /api/events/{topic}` to publish from outside.
//!
//! The subscription itself — resume, resync, lag, epoch changes, shutdown, the end — is the
//! events layer's [`Feed`]; this module only encodes what it yields as SSE. A stream starts
//! with a `retry:` hint, then what the feed yields: each event as the SSE bytes rendered once
//! at its publication (shared by every client), each notice (`resync`, `lagged`, `shutdown`)
//! as a frame of the same shape. Whatever is ready goes out in one chunk (up to [`COALESCE`]
//! events), so a client that is behind catches up in few writes; a heartbeat comment goes out
//! whenever it has been quiet for the configured interval (at most 15 s). The stream ends when
//! the feed does: after `lagged`, after `shutdown`, or — for a session's stream — after the
//! session's last event. The same function serves per-entity streams (an analysis's) with a
//! fixed filter.

use std::convert::Infallible;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use events::{Cursor, Ending, Event, Feed, Item, Notice, TopicFilter};
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

/// `?last_event_id=`: where to resume, for clients that cannot send `Last-Event-ID`.
#[derive(Debug, Deserialize)]
struct ResumeQuery {
    last_event_id: Option<String>,
}

/// The cursor a client resumes from: `Last-Event-ID`, else `last_event_id` in the query.
pub fn resume_cursor(headers: &HeaderMap, query: &str) -> Result<Option<Cursor>, ApiError> {
    let given = match headers.get("last-event-id").and_then(|v| v.to_str().ok()) {
        Some(header) => Some(header.to_owned()),
        None => query::parse::<ResumeQuery>(query)?.last_event_id,
    };
    match given.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|e: events::CursorError| {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_cursor", e.to_string())
        }),
    }
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
/// no copy); several are joined.
#[derive(Default)]
enum Chunk {
    #[default]
    Empty,
    One(Bytes),
    Many(BytesMut),
}

impl Chunk {
    fn push(&mut self, bytes: Bytes) {
        *self = match std::mem::take(self) {
            Chunk::Empty => Chunk::One(bytes),
            Chunk::One(first) => {
                let mut joined = BytesMut::with_capacity(2 * (first.len() + bytes.len()));
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&bytes);
                Chunk::Many(joined)
            }
            Chunk::Many(mut joined) => {
                joined.extend_from_slice(&bytes);
                Chunk::Many(joined)
            }
        }
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Chunk::Empty => Bytes::new(),
            Chunk::One(bytes) => bytes,
            Chunk::Many(joined) => joined.freeze(),
        }
    }
}

/// An SSE stream: the feed, and what its encoding needs.
struct SseStream {
    feed: Feed,
    heartbeat: Duration,
    connection: RealtimeConnection,
    /// The `retry:` hint is still to be sent (the first write).
    starting: bool,
}

impl SseStream {
    fn encode(&self, item: Item, chunk: &mut Chunk) {
        match item {
            Item::Event(event) => {
                self.connection.delivered(event.published.elapsed());
                chunk.push(event.sse().clone());
            }
            Item::Notice(notice) => {
                if let Notice::Lagged { dropped, .. } = notice {
                    self.connection.lagged(dropped);
                }
                chunk.push(notice_sse(&notice));
            }
        }
    }

    /// The next write: the first item (or a heartbeat when quiet for the interval) and
    /// whatever else is ready; `None` once the feed has ended.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        let mut chunk = Chunk::default();
        if std::mem::take(&mut self.starting) {
            chunk.push(Bytes::from_static(RETRY_HINT));
        } else {
            let item = tokio::select! {
                // The feed first: it puts the server's shutdown before events.
                biased;
                item = self.feed.next() => item?,
                () = tokio::time::sleep(self.heartbeat) => return Some(Bytes::from_static(HEARTBEAT)),
            };
            self.encode(item, &mut chunk);
        }
        for _ in 1..COALESCE {
            let Some(item) = self.feed.try_next() else {
                break;
            };
            self.encode(item, &mut chunk);
        }
        Some(chunk.into_bytes())
    }
}

/// The SSE body for `filter`, resuming after `since`, ending as `ending` says (besides lag
/// and shutdown).
pub fn stream(
    app: &App,
    filter: TopicFilter,
    since: Option<Cursor>,
    ending: Ending,
) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + Sync + 'static {
    let mut feed = Feed::new(app.bus.clone(), app.closing.subscribe()).ending(ending);
    feed.subscribe(filter, since);
    let stream = SseStream {
        feed,
        heartbeat: app.config().heartbeat,
        connection: RealtimeConnection::open("sse"),
        starting: true,
    };
    futures_util::stream::unfold(stream, |mut stream| async move {
        let chunk = stream.next_chunk().await?;
        Some((Ok(chunk), stream))
    })
}

/// An SSE response with the proxy-friendly headers.
pub fn sse_reply(
    app: &App,
    filter: TopicFilter,
    since: Option<Cursor>,
    ending: Ending,
) -> reply::Reply {
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
    app.bus.catch_up(since, catch_up_within(app)).await;
    Ok(sse_reply(app, filter, since, Ending::Open))
}

/// `POST /api/events/{topic}` with `{"type": "...", "data": …}`.
pub async fn publish(app: &App, topic: &str, body: &[u8]) -> ApiResult {
    if events::Topic::is_reserved(topic) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "topic_reserved",
            format!("`{topic}` is published by the system only"),
        ));
    }
    #[derive(serde::Deserialize)]
    struct Outside {
        #[serde(rename = "type", default = "default_type")]
        kind: String,
        #[serde(default)]
        data: Option<Box<serde_json::value::RawValue>>,
    }
    fn default_type() -> String {
        "message".into()
    }
    let outside: Outside = serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_shape",
            format!("expected {{\"type\": string, \"data\": any}}: {e}"),
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("malformed JSON: {e}"),
        ),
    })?;
    let data = match outside.data {
        Some(d) => d,
        None => events::event::payload(&serde_json::Value::Null).map_err(|e| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_shape", e.to_string())
        })?,
    };
    let cursor = app
        .bus
        .publish_confirmed(topic, &outside.kind, data)
        .await
        .map_err(|e| match e {
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
