//! Events over HTTP: `GET /api/events?topics=…` as Server-Sent Events, and
//! `POST /api/events/{topic}` to publish from outside.
//!
//! An SSE stream starts with a `retry:` hint, then what its cursor calls for (the missed events,
//! or a `resync` event), then live events; a heartbeat comment goes out whenever it has been
//! quiet for the configured interval (at most 15 s). A client that falls behind its queue gets a
//! `lagged` event naming the cursor to resume from, and the stream ends; so does every stream,
//! after a `shutdown` event, when the server stops. The same function serves per-entity
//! streams (a report's, an analysis's) with a fixed filter.

use std::convert::Infallible;
use std::time::Duration;

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use events::{Cursor, EventBus, Next, Start, Subscription, TopicFilter};
use futures_util::Stream;
use serde_json::json;
use tokio::sync::watch;
use warp::http::{HeaderMap, HeaderValue, StatusCode};
use warp::Reply as _;

use super::reply::{self, ApiError, ApiResult};
use crate::internal_events::RealtimeConnection;
use crate::service::App;

/// How long a disconnected SSE client should wait before reconnecting.
const RETRY: Duration = Duration::from_secs(3);

/// How long a resume waits for an event of its cursor still on its way to this node (see
/// `EventBus::catch_up`) before it is answered with `resync`; within half the request
/// timeout, so that the wait never turns into a 503.
pub(crate) fn catch_up_within(app: &App) -> Duration {
    Duration::from_secs(2).min(app.config().request_timeout / 2)
}

/// Topics only the system publishes to.
const RESERVED: [&str; 8] = [
    "system",
    "actors",
    "config",
    "forum",
    "engine/",
    "report/",
    "analysis/",
    "crawler/",
];

/// The cursor a client resumes from: `Last-Event-ID`, else `last_event_id` in the query.
pub fn resume_cursor(headers: &HeaderMap, query: &str) -> Result<Option<Cursor>, ApiError> {
    let given = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| super::query_param(query, "last_event_id").map(decode));
    match given.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|e: events::CursorError| {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_cursor", e.to_string())
        }),
    }
}

/// Percent-decoding for query values (`report%2F*` → `report/*`).
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 3 <= bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A frame of the system's own (resync, lagged, shutdown), shaped like every other frame.
fn system_frame(kind: &str, id: Option<Cursor>, data: serde_json::Value) -> String {
    json!({"event": kind, "topic": "system", "id": id.map(|c| c.to_string()), "data": data})
        .to_string()
}

/// The same as an SSE frame.
fn system_sse(kind: &str, id: Option<Cursor>, data: serde_json::Value) -> Bytes {
    let mut out = String::new();
    if let Some(id) = id {
        out.push_str(&format!("id: {id}\n"));
    }
    out.push_str(&format!(
        "event: {kind}\ndata: {}\n\n",
        system_frame(kind, id, data)
    ));
    Bytes::from(out)
}

/// Events written in one chunk at most: a client that is behind catches up in few writes.
const COALESCE: usize = 64;

/// Where an SSE stream is in its life.
struct SseState {
    bus: EventBus,
    filter: TopicFilter,
    subscription: Subscription,
    /// Bytes to send before reading the queue (the retry hint, replay, resync).
    pending: BytesMut,
    last: Option<Cursor>,
    closing: watch::Receiver<bool>,
    heartbeat: Duration,
    connection: RealtimeConnection,
    done: bool,
}

impl SseState {
    fn begin(&mut self) {
        match std::mem::replace(&mut self.subscription.start, Start::Live) {
            Start::Live => {}
            Start::Replay(events) => {
                for event in events {
                    self.last = Some(event.cursor);
                    self.pending.extend_from_slice(event.sse());
                }
            }
            Start::Resync { position, reason } => {
                self.last = Some(position);
                self.pending.extend_from_slice(&system_sse(
                    "resync",
                    Some(position),
                    json!({"reason": reason, "position": position.to_string()}),
                ));
            }
        }
    }

    /// Handles one thing from the queue; false when the stream must end after `pending`.
    fn take(&mut self, next: Next) -> bool {
        match next {
            Next::Event(event) => {
                self.last = Some(event.cursor);
                self.connection.delivered(event.published.elapsed());
                self.pending.extend_from_slice(event.sse());
                true
            }
            Next::Lagged { dropped } => {
                self.connection.lagged(dropped);
                self.pending.extend_from_slice(&system_sse(
                    "lagged",
                    self.last,
                    json!({
                        "reason": "this client fell behind and was disconnected; reconnect with the last id to resume",
                        "dropped": dropped,
                        "resume_from": self.last.map(|c| c.to_string()),
                    }),
                ));
                false
            }
            Next::Closed(_) => {
                // A new epoch: resubscribe from where we are; the hub answers resync.
                self.subscription = self.bus.subscribe(self.filter.clone(), self.last);
                self.begin();
                true
            }
        }
    }
}

/// The SSE body for `filter`, resuming after `since`: chunks of ready-rendered frames.
pub fn stream(
    app: &App,
    filter: TopicFilter,
    since: Option<Cursor>,
) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + Sync + 'static {
    let subscription = app.bus.subscribe(filter.clone(), since);
    let mut state = SseState {
        bus: app.bus.clone(),
        filter,
        subscription,
        pending: BytesMut::from(format!("retry: {}\n\n", RETRY.as_millis()).as_bytes()),
        last: since,
        closing: app.closing.subscribe(),
        heartbeat: app.config().heartbeat,
        connection: RealtimeConnection::open("sse"),
        done: false,
    };
    state.begin();
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if !state.pending.is_empty() {
                let chunk = state.pending.split().freeze();
                return Some((Ok(chunk), state));
            }
            if state.done {
                return None;
            }
            let closing = &mut state.closing;
            let queue = Arc::clone(&state.subscription.queue);
            let step = tokio::select! {
                biased;
                // Shutdown first: a last frame, then the end, so the server's graceful stop
                // does not wait on this stream.
                _ = async { closing.wait_for(|&c| c).await.is_ok() } => None,
                next = queue.next() => Some(Some(next)),
                () = tokio::time::sleep(state.heartbeat) => Some(None),
            };
            match step {
                None => {
                    state.done = true;
                    let resume = state.last.map(|c| c.to_string());
                    state.pending.extend_from_slice(&system_sse(
                        "shutdown",
                        state.last,
                        json!({"reason": "the server is shutting down", "resume_from": resume}),
                    ));
                }
                Some(None) => state.pending.extend_from_slice(b": heartbeat\n\n"),
                Some(Some(next)) => {
                    let mut going = state.take(next);
                    // Whatever else is already queued goes in the same chunk.
                    let mut taken = 1;
                    while going && taken < COALESCE {
                        let Some(more) = state.subscription.queue.try_next() else {
                            break;
                        };
                        going = state.take(more);
                        taken += 1;
                    }
                    state.done = !going;
                }
            }
        }
    })
}

/// An SSE response with the proxy-friendly headers.
pub fn sse_reply(app: &App, filter: TopicFilter, since: Option<Cursor>) -> reply::Reply {
    let mut response = warp::reply::stream(stream(app, filter, since)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert("cache-control", HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// `GET /api/events?topics=a,b&last_event_id=…`.
pub async fn subscribe(app: &App, headers: &HeaderMap, query: &str) -> ApiResult {
    let topics = super::query_param(query, "topics")
        .map(decode)
        .unwrap_or_default();
    let filter = TopicFilter::parse(&topics).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_topics",
            format!("topics: {e}"),
        )
    })?;
    let since = resume_cursor(headers, query)?;
    app.bus.catch_up(since, catch_up_within(app)).await;
    Ok(sse_reply(app, filter, since))
}

/// `POST /api/events/{topic}` with `{"type": "...", "data": …}`.
pub async fn publish(app: &App, topic: &str, body: &[u8]) -> ApiResult {
    if RESERVED.iter().any(|r| {
        if r.ends_with('/') {
            topic.starts_with(r)
        } else {
            topic == *r
        }
    }) {
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
