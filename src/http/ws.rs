//! `GET /ws`: events over WebSocket, and operator commands for an authorised connection.
//!
//! Client frames (JSON text): `{"op":"subscribe","topics":"a,b" | ["a","b"],"since":"<id>"}`,
//! `{"op":"unsubscribe","topics":…}`, `{"op":"ping"}`, and with the operator token
//! `{"op":"restart"|"stop"|"start","path":"root/…"}`. Server frames:
//! `{"event","topic","id","ts","data"}` — the bus's events, and the system's own `subscribed`,
//! `pong`, `result`, `error`, `resync`, `lagged`, `shutdown`.
//!
//! A bad frame gets an `error` frame and the connection stays up; a frame over the size limit
//! closes it with 1009; the server pings at the heartbeat interval and closes a peer that
//! missed two pongs; a client that falls behind gets `lagged` and a 1013 close, and resumes
//! with `since`. Changing topics resubscribes from the last event delivered, so nothing is
//! missed or repeated.

use std::sync::Arc;
use std::time::Duration;

use events::{Cursor, Event, Next, Start, Subscription, TopicFilter};
use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;
use warp::http::{header, HeaderValue, Request, StatusCode};

use super::reply::{self, Reply};
use crate::auth::Access;
use crate::internal_events::RealtimeConnection;
use crate::service::App;

/// Bytes a connection buffers for reading: frames from clients are small commands, so a small
/// buffer keeps an idle connection cheap (tungstenite's default is 128 KiB).
const READ_BUFFER: usize = 4 * 1024;

/// Close codes.
const MESSAGE_TOO_BIG: u16 = 1009;
const GOING_AWAY: u16 = 1001;
const TRY_AGAIN_LATER: u16 = 1013;
const POLICY: u16 = 1008;

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
    Message::text(
        json!({"event": kind, "topic": "system", "id": id.map(|c| c.to_string()), "data": data})
            .to_string(),
    )
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

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    }))
}

/// Whether a request asks for a WebSocket upgrade.
pub fn is_upgrade<B>(request: &Request<B>) -> bool {
    let has = |name: header::HeaderName, token: &str| {
        request
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    has(header::CONNECTION, "upgrade") && has(header::UPGRADE, "websocket")
}

/// Checks the token (header, or `?token=` since browsers cannot set headers on WebSockets),
/// answers the handshake and runs the session on the upgraded connection. An operator token
/// also allows commands on the connection.
pub fn upgrade(app: Arc<App>, mut request: Request<hyper::body::Incoming>) -> Reply {
    let query = request.uri().query().unwrap_or_default().to_owned();
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            super::query_param(&query, "token")
                .map(|t| format!("Bearer {}", super::events::decode(t)))
        });
    if let Err(denied) = app.tokens.check(Access::Read, authorization.as_deref()) {
        return super::denied_reply(denied);
    }
    let operator = app
        .tokens
        .check(Access::Operate, authorization.as_deref())
        .is_ok();
    let version_ok = request
        .headers()
        .get("sec-websocket-version")
        .is_some_and(|v| v.as_bytes() == b"13");
    let Some(key) = request
        .headers()
        .get("sec-websocket-key")
        .filter(|_| version_ok)
    else {
        return reply::error(
            StatusCode::BAD_REQUEST,
            "bad_handshake",
            "a WebSocket upgrade needs Sec-WebSocket-Key and version 13",
        );
    };
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let on_upgrade = hyper::upgrade::on(&mut request);
    let max = app.config().ws_max_frame_bytes;
    tokio::spawn(async move {
        // The client may give up between the 101 and the upgrade: nothing to do then.
        if let Ok(upgraded) = on_upgrade.await {
            let config = WebSocketConfig::default()
                .read_buffer_size(READ_BUFFER)
                .write_buffer_size(0)
                .max_message_size(Some(max))
                .max_frame_size(Some(max));
            let socket = WebSocketStream::from_raw_socket(
                TokioIo::new(upgraded),
                Role::Server,
                Some(config),
            )
            .await;
            session(socket, app, operator).await;
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
    response
}

struct Session<'a> {
    app: &'a App,
    operator: bool,
    filter: Option<TopicFilter>,
    subscription: Option<Subscription>,
    last: Option<Cursor>,
    connection: RealtimeConnection,
}

impl Session<'_> {
    /// (Re)subscribes to the current filter from `since`, returning the frames that come first.
    fn resubscribe(&mut self, since: Option<Cursor>) -> Vec<Message> {
        let Some(filter) = self.filter.clone().filter(|f| !f.is_empty()) else {
            self.subscription = None;
            return Vec::new();
        };
        let mut subscription = self.app.bus.subscribe(filter, since);
        let mut frames = Vec::new();
        match std::mem::replace(&mut subscription.start, Start::Live) {
            Start::Live => {}
            Start::Replay(events) => {
                for event in events {
                    self.last = Some(event.cursor);
                    frames.push(event_frame(&event));
                }
            }
            Start::Resync { position, reason } => {
                self.last = Some(position);
                frames.push(frame(
                    "resync",
                    Some(position),
                    json!({"reason": reason, "position": position.to_string()}),
                ));
            }
        }
        self.subscription = Some(subscription);
        frames
    }

    async fn command(&self, op: &'static str, path: &str) -> Message {
        if !self.operator {
            return error_frame("forbidden", "operator commands need the operator token");
        }
        let result = match op {
            "restart" => self.app.root.restart(path).await,
            "stop" => self.app.root.stop(path).await,
            _ => self.app.root.start(path).await,
        };
        match result {
            Ok(()) => {
                let node = self.app.root.snapshot_of(path).await.ok();
                frame(
                    "result",
                    None,
                    json!({"op": op, "path": path, "success": true, "node": node}),
                )
            }
            Err(err) => frame(
                "result",
                None,
                json!({"op": op, "path": path, "success": false, "error": err.to_string()}),
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
            ClientOp::Ping => vec![frame("pong", self.last, json!({}))],
            ClientOp::Subscribe { topics, since } => {
                let added = match topics.filter() {
                    Ok(f) => f,
                    Err(err) => return vec![error_frame("bad_topics", &err.to_string())],
                };
                let since = match since.as_deref().map(str::parse::<Cursor>) {
                    None => self.last,
                    Some(Ok(c)) => Some(c),
                    Some(Err(err)) => return vec![error_frame("bad_cursor", &err.to_string())],
                };
                self.app
                    .bus
                    .catch_up(since, super::events::catch_up_within(self.app))
                    .await;
                let filter = self
                    .filter
                    .as_ref()
                    .map_or(added.clone(), |f| f.union(&added));
                self.filter = Some(filter.clone());
                let mut frames = vec![frame(
                    "subscribed",
                    self.last,
                    json!({"topics": filter.patterns()}),
                )];
                frames.extend(self.resubscribe(since));
                frames
            }
            ClientOp::Unsubscribe { topics } => {
                let removed = match topics.filter() {
                    Ok(f) => f,
                    Err(err) => return vec![error_frame("bad_topics", &err.to_string())],
                };
                let filter = self
                    .filter
                    .as_ref()
                    .map(|f| f.without(&removed))
                    .unwrap_or_default();
                self.filter = Some(filter.clone());
                let mut frames = vec![frame(
                    "subscribed",
                    self.last,
                    json!({"topics": filter.patterns()}),
                )];
                frames.extend(self.resubscribe(self.last));
                frames
            }
            ClientOp::Restart { path } => vec![self.command("restart", &path).await],
            ClientOp::Stop { path } => vec![self.command("stop", &path).await],
            ClientOp::Start { path } => vec![self.command("start", &path).await],
        }
    }
}

/// What the event side of the loop produced.
enum Outgoing {
    Frame(Message),
    Close(u16, &'static str, Message),
    Resubscribe,
}

async fn next_outgoing(session: &mut Session<'_>) -> Outgoing {
    let Some(subscription) = &session.subscription else {
        return std::future::pending().await;
    };
    match subscription.queue.next().await {
        Next::Event(event) => {
            session.last = Some(event.cursor);
            session.connection.delivered(event.published.elapsed());
            Outgoing::Frame(event_frame(&event))
        }
        Next::Lagged { dropped } => {
            session.connection.lagged(dropped);
            let notice = frame(
                "lagged",
                session.last,
                json!({
                    "reason": "this client fell behind and was disconnected; reconnect and subscribe with since to resume",
                    "dropped": dropped,
                    "resume_from": session.last.map(|c| c.to_string()),
                }),
            );
            Outgoing::Close(TRY_AGAIN_LATER, "slow consumer", notice)
        }
        Next::Closed(_) => Outgoing::Resubscribe,
    }
}

/// Runs one connection to its end.
async fn session<S>(socket: WebSocketStream<S>, app: Arc<App>, operator: bool)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let heartbeat = app.config().heartbeat;
    let (mut tx, mut rx) = socket.split();
    let mut closing = app.closing.subscribe();
    let mut session = Session {
        app: &app,
        operator,
        filter: None,
        subscription: None,
        last: None,
        connection: RealtimeConnection::open("websocket"),
    };
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
    // A tick missed while the session waited (a resume catching up) is not made up at once:
    // two pings in a row would count as two unanswered.
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut unanswered = 0u32;
    loop {
        let mut out: Vec<Message> = Vec::new();
        let mut ending: Option<(u16, &'static str)> = None;
        tokio::select! {
            biased;
            _ = async { closing.wait_for(|&c| c).await.is_ok() } => {
                out.push(frame("shutdown", session.last, json!({"reason": "the server is shutting down", "resume_from": session.last.map(|c| c.to_string())})));
                ending = Some((GOING_AWAY, "server shutting down"));
            }
            incoming = rx.next() => match incoming {
                None => break,
                Some(Err(WsError::Capacity(_))) => ending = Some((MESSAGE_TOO_BIG, "message too big")),
                Some(Err(_)) => break,
                Some(Ok(Message::Pong(_))) => unanswered = 0,
                Some(Ok(Message::Close(_))) => break,
                Some(Ok(Message::Text(text))) => out.extend(session.handle(text.as_str()).await),
                Some(Ok(Message::Binary(_))) => {
                    out.push(error_frame("bad_frame", "binary frames are not supported; send JSON text"));
                }
                // Pings are answered by the library; raw frames do not reach us.
                Some(Ok(_)) => {}
            },
            outgoing = next_outgoing(&mut session) => match outgoing {
                Outgoing::Frame(message) => out.push(message),
                Outgoing::Close(code, reason, notice) => {
                    out.push(notice);
                    ending = Some((code, reason));
                }
                Outgoing::Resubscribe => {
                    let since = session.last;
                    out.extend(session.resubscribe(since));
                }
            },
            _ = ping.tick() => {
                if unanswered >= 2 {
                    ending = Some((POLICY, "no pong to two pings"));
                } else {
                    unanswered += 1;
                    out.push(Message::Ping(bytes::Bytes::new()));
                }
            }
        }
        for message in out {
            if tx.send(message).await.is_err() {
                return;
            }
        }
        if let Some((code, reason)) = ending {
            let _ = tx.send(close(code, reason)).await;
            let _ = tokio::time::timeout(Duration::from_secs(1), tx.close()).await;
            return;
        }
    }
}
