//! `GET /ws`: events over WebSocket, and operator commands for an authorised connection.
//!
//! Client frames (JSON text): `{"op":"subscribe","topics":"a,b" | ["a","b"],"since":"<id>"}`,
//! `{"op":"unsubscribe","topics":…}`, `{"op":"ping"}`, and with the operator token
//! `{"op":"restart"|"stop"|"start","path":"root/…"}`. Server frames:
//! `{"event","topic","id","ts","data"}` — the bus's events, and the system's own `subscribed`,
//! `pong`, `result`, `error`, `resync`, `lagged`, `shutdown`.
//!
//! The route goes through the dispatcher like any other (authorisation — the token also as
//! `?token=` —, request id, access log, metrics); its handler answers the handshake itself
//! rather than through warp's `Ws`, so that the connection gets a 4 KiB read buffer instead
//! of tungstenite's 128 KiB. The subscription is the events layer's [`Feed`]; this module
//! encodes what it yields as messages and handles the client's operations.
//!
//! A bad operation gets an `error` frame and the connection stays up. The connection closes
//! with a code that says why ([`Closing`]): 1000 when the subscription ended, 1001 when the
//! server stops, 1002 for a frame that breaks the protocol, 1007 for a text frame that is not
//! UTF-8, 1008 for a peer that missed two pongs (the server pings at the heartbeat interval),
//! 1009 for a message over the size limit, and 1013 — after a `lagged` frame — for a client
//! that fell behind its queue (which holds at most `BETTAFISH_CLIENT_QUEUE_EVENTS` and
//! `BETTAFISH_CLIENT_QUEUE_BYTES`, as for SSE): "try again later" is what it should do, after
//! a pause, resuming from `resume_from` with `since`; 1008 would tell it that it broke a rule,
//! which clients treat as final. Every send is bounded by the time the socket takes nothing
//! (`BETTAFISH_WS_SEND_TIMEOUT_SECS`, see [`progress`]): a client that stops reading while the
//! server has something to send is dropped once its socket has taken nothing for that long,
//! as SSE drops a stalled stream — no close frame can reach it — while a slow but steady
//! reader of big frames is served however long they take. A turn sends at most [`BATCH`]
//! frames of the feed and about [`BATCH_BYTES`], so the client's own frames are read between. A cursor in `since` that cannot be read is
//! answered like one that cannot be resumed: `subscribed`, then `resync`. Changing topics
//! resubscribes from the last event delivered (before any, from where the subscription was
//! registered), so nothing queued is lost and nothing is repeated.

use std::sync::Arc;
use std::time::Duration;

use events::{system_frame, Cursor, Event, Feed, Item, Notice, Since, TopicFilter};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::json;
use supervision::Operation;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;
use warp::http::{header, HeaderMap, HeaderValue, StatusCode};

use super::reply::{self, ApiError, ApiResult};
use super::router::Call;
use crate::auth::Access;
use crate::internal_events::RealtimeConnection;
use crate::service::App;

mod closing;
mod progress;

use closing::Closing;
use progress::{LastWrite, Progress};

/// Bytes a connection buffers for reading: frames from clients are small commands, so a small
/// buffer keeps an idle connection cheap (tungstenite's default is 128 KiB).
const READ_BUFFER: usize = 4 * 1024;

/// Frames of the feed sent at most in one turn after a client's operation (a replay's first
/// page with its `subscribed`); the rest follows on the next turns, between the client's frames.
const BATCH: usize = 64;

/// Bytes of the feed's frames sent at most in one turn (at least one frame): a resume of big
/// events goes out over several turns, reading the client's frames between them.
const BATCH_BYTES: usize = 256 * 1024;

#[derive(Deserialize)]
#[serde(untagged)]
enum Topics {
    List(Vec<String>),
    Text(String),
}

impl Topics {
    fn filter(&self) -> Result<TopicFilter, events::TopicError> {
        match self {
            Topics::List(list) => TopicFilter::from_patterns(list),
            Topics::Text(text) => TopicFilter::parse(text),
        }
    }
}

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum ClientOp {
    Subscribe {
        topics: Topics,
        since: Option<String>,
    },
    Unsubscribe {
        topics: Topics,
    },
    Ping,
    Restart {
        path: String,
    },
    Stop {
        path: String,
    },
    Start {
        path: String,
    },
}

fn frame(kind: &str, id: Option<Cursor>, data: serde_json::Value) -> Message {
    Message::text(system_frame(kind, id, &data))
}

fn error_frame(code: &str, message: &str) -> Message {
    frame("error", None, json!({"code": code, "message": message}))
}

/// An event's frame, sharing the bytes rendered at publication (no copy per client).
fn event_frame(event: &Event) -> Message {
    match Utf8Bytes::try_from(event.frame().clone()) {
        Ok(text) => Message::Text(text),
        Err(_) => Message::text(event.frame_str()),
    }
}

fn close(closing: Closing) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(closing.code()),
        reason: closing.reason().into(),
    }))
}

/// Whether a request asks for a WebSocket upgrade.
fn is_upgrade(headers: &HeaderMap) -> bool {
    let has = |name: header::HeaderName, token: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    has(header::CONNECTION, "upgrade") && has(header::UPGRADE, "websocket")
}

/// `GET /ws`, authorised by the dispatcher: answers the handshake (101) and runs the session
/// on the upgraded connection. An operator token also allows commands on the connection.
pub fn upgrade(call: &Call<'_>) -> ApiResult {
    let on_upgrade = is_upgrade(call.headers)
        .then(|| call.take_upgrade())
        .flatten()
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UPGRADE_REQUIRED,
                "upgrade_required",
                "this route speaks WebSocket: send an upgrade request",
            )
        })?;
    let version_ok = call
        .headers
        .get("sec-websocket-version")
        .is_some_and(|v| v.as_bytes() == b"13");
    let Some(key) = call.headers.get("sec-websocket-key").filter(|_| version_ok) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_handshake",
            "a WebSocket upgrade needs Sec-WebSocket-Key and version 13",
        ));
    };
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let operator = call.grants(Access::Operate);
    let app = Arc::clone(call.app);
    let max = app.config().ws_max_frame_bytes;
    tokio::spawn(async move {
        // The client may give up between the 101 and the upgrade: nothing to do then.
        if let Ok(upgraded) = on_upgrade.await {
            let config = WebSocketConfig::default()
                .read_buffer_size(READ_BUFFER)
                .write_buffer_size(0)
                .max_message_size(Some(max))
                .max_frame_size(Some(max));
            let last_write = LastWrite::new();
            let socket = WebSocketStream::from_raw_socket(
                Progress::new(TokioIo::new(upgraded), last_write.clone()),
                Role::Server,
                Some(config),
            )
            .await;
            session(socket, app, operator, last_write).await;
        }
    });
    let mut response = reply::with_type(
        StatusCode::SWITCHING_PROTOCOLS,
        bytes::Bytes::new(),
        "text/plain",
    );
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert("sec-websocket-accept", accept);
    }
    Ok(response)
}

struct Session<'a> {
    app: &'a App,
    operator: bool,
    /// The subscription: topics change with the client's operations; empty until the first
    /// `subscribe`, but the feed still brings the server's shutdown.
    feed: Feed,
    connection: RealtimeConnection,
}

impl Session<'_> {
    /// Encodes what the feed yielded; the close it calls for, if any.
    fn encode(&self, item: Item, out: &mut Vec<Message>) -> Option<Closing> {
        match item {
            Item::Event(event) => {
                self.connection.delivered(event.published.elapsed());
                out.push(event_frame(&event));
                None
            }
            Item::Notice(notice) => {
                out.push(Message::text(notice.frame()));
                match notice {
                    Notice::Resync { .. } => None,
                    Notice::Lagged { dropped, .. } => {
                        self.connection.lagged(dropped);
                        Some(Closing::Lagged)
                    }
                    Notice::Shutdown { .. } => Some(Closing::Shutdown),
                }
            }
        }
    }

    /// Moves the subscription to `filter` from `since`; the `subscribed` frame.
    fn subscribe(&mut self, filter: TopicFilter, since: Since) -> Message {
        let subscribed = frame(
            "subscribed",
            self.feed.last(),
            json!({"topics": filter.patterns()}),
        );
        self.feed.subscribe(filter, since);
        subscribed
    }

    async fn command(&self, op: Operation, path: &str) -> Message {
        if !self.operator {
            return error_frame("forbidden", "operator commands need the operator token");
        }
        let result = self.app.root.operate(path, op).await;
        match result {
            Ok(()) => {
                let node = self.app.root.snapshot_of(path).await.ok();
                frame(
                    "result",
                    None,
                    json!({"op": op.name(), "path": path, "success": true, "node": node}),
                )
            }
            Err(err) => frame(
                "result",
                None,
                json!({"op": op.name(), "path": path, "success": false, "error": err.to_string()}),
            ),
        }
    }

    /// Handles one text frame; returns the frames to send back.
    async fn handle(&mut self, text: &str) -> Vec<Message> {
        let op: ClientOp = match serde_json::from_str(text) {
            Ok(op) => op,
            Err(err) => {
                return vec![error_frame(
                    "bad_frame",
                    &format!("not a known operation: {err}"),
                )]
            }
        };
        match op {
            ClientOp::Ping => vec![frame("pong", self.feed.last(), json!({}))],
            ClientOp::Subscribe { topics, since } => {
                let added = match topics.filter() {
                    Ok(f) => f,
                    Err(err) => return vec![error_frame("bad_topics", &err.to_string())],
                };
                // A cursor that cannot be read is answered with `resync` (never echoed).
                let since = match since.as_deref().filter(|s| !s.is_empty()) {
                    None => Since::from(self.feed.resume_point()),
                    Some(text) => text.parse().map_or(Since::Unreadable, Since::After),
                };
                self.app
                    .bus
                    .catch_up(since.cursor(), super::events::catch_up_within(self.app))
                    .await;
                // The topics a connection adds up over its frames are capped as one frame's are.
                let filter = match self.feed.filter().union(&added) {
                    Ok(filter) => filter,
                    Err(err) => return vec![error_frame("bad_topics", &err.to_string())],
                };
                vec![self.subscribe(filter, since)]
            }
            ClientOp::Unsubscribe { topics } => {
                let removed = match topics.filter() {
                    Ok(f) => f,
                    Err(err) => return vec![error_frame("bad_topics", &err.to_string())],
                };
                let filter = self.feed.filter().without(&removed);
                let since = Since::from(self.feed.resume_point());
                vec![self.subscribe(filter, since)]
            }
            ClientOp::Restart { path } => vec![self.command(Operation::Restart, &path).await],
            ClientOp::Stop { path } => vec![self.command(Operation::Stop, &path).await],
            ClientOp::Start { path } => vec![self.command(Operation::Start, &path).await],
        }
    }
}

/// Why sending a turn's frames stopped.
enum Unsent {
    /// The connection failed.
    Failed,
    /// The socket took nothing for the send timeout.
    Stalled,
}

/// Sends `out` in order. A send may take as long as the socket keeps taking bytes; it is
/// given up as stalled once the socket has taken nothing for `timeout` (counted from the
/// send's start when the socket was idle before it).
async fn send_all<S>(
    tx: &mut SplitSink<WebSocketStream<S>, Message>,
    out: Vec<Message>,
    last_write: &LastWrite,
    timeout: Duration,
) -> Result<(), Unsent>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    for message in out {
        let began = tokio::time::Instant::now();
        let send = tx.send(message);
        tokio::pin!(send);
        loop {
            let deadline = last_write.get().max(began) + timeout;
            tokio::select! {
                sent = &mut send => {
                    sent.map_err(|_| Unsent::Failed)?;
                    break;
                }
                () = tokio::time::sleep_until(deadline) => {
                    if last_write.get().max(began) + timeout <= tokio::time::Instant::now() {
                        return Err(Unsent::Stalled);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Runs one connection to its end.
async fn session<S>(
    socket: WebSocketStream<S>,
    app: Arc<App>,
    operator: bool,
    last_write: LastWrite,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let heartbeat = app.config().heartbeat;
    let send_timeout = app.config().streams.ws_send_timeout;
    let (mut tx, mut rx) = socket.split();
    let mut session = Session {
        app: &app,
        operator,
        feed: Feed::new(app.bus.clone(), app.closing.subscribe()),
        connection: RealtimeConnection::open("websocket"),
    };
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
    // A tick missed while the session waited (a resume catching up) is not made up at once:
    // two pings in a row would count as two unanswered.
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut unanswered = 0u32;
    loop {
        let mut out: Vec<Message> = Vec::new();
        let mut ending: Option<Closing> = None;
        // After a client's operation, what the feed has ready (a replay) goes out with its
        // answer, up to a batch, before the next operation is read.
        let mut answered = false;
        tokio::select! {
            // The client's frames first, then the feed (which puts the server's shutdown before
            // events), then the ping timer.
            biased;
            incoming = rx.next() => match incoming {
                None => break,
                Some(Err(WsError::Capacity(_))) => ending = Some(Closing::TooBig),
                Some(Err(WsError::Protocol(_))) => ending = Some(Closing::Protocol),
                Some(Err(WsError::Utf8(_))) => ending = Some(Closing::NotUtf8),
                Some(Err(_)) => break,
                Some(Ok(Message::Pong(_))) => unanswered = 0,
                Some(Ok(Message::Close(_))) => break,
                Some(Ok(Message::Text(text))) => {
                    out.extend(session.handle(text.as_str()).await);
                    answered = true;
                }
                Some(Ok(Message::Binary(_))) => {
                    out.push(error_frame("bad_frame", "binary frames are not supported; send JSON text"));
                }
                // Pings are answered by the library; raw frames do not reach us.
                Some(Ok(_)) => {}
            },
            item = session.feed.next() => match item {
                Some(item) => ending = session.encode(item, &mut out),
                None => ending = Some(Closing::Ended),
            },
            _ = ping.tick() => {
                if unanswered >= 2 {
                    ending = Some(Closing::Unresponsive);
                } else {
                    unanswered += 1;
                    out.push(Message::Ping(bytes::Bytes::new()));
                }
            }
        }
        let mut batch_bytes = 0usize;
        for _ in 0..BATCH {
            if !answered || ending.is_some() || batch_bytes >= BATCH_BYTES {
                break;
            }
            let Some(item) = session.feed.try_next() else {
                break;
            };
            let before = out.len();
            ending = session.encode(item, &mut out);
            batch_bytes += out[before..].iter().map(Message::len).sum::<usize>();
        }
        if let Some(closing) = ending {
            out.push(close(closing));
            if let Some(reason) = closing.dropped() {
                session.connection.dropped(reason);
            }
        }
        match send_all(&mut tx, out, &last_write, send_timeout).await {
            Ok(()) => {}
            Err(Unsent::Failed) => return,
            Err(Unsent::Stalled) => {
                session.connection.dropped("stalled");
                return;
            }
        }
        if ending.is_some() {
            let _ = tokio::time::timeout(Duration::from_secs(1), tx.close()).await;
            return;
        }
    }
}
