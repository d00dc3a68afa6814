//! The HTTP server (warp): one dispatcher in front of the route table, wrapped in what every
//! request gets — a request id, access control, a body limit, a timeout, an access-log line and
//! the request metrics. Every route goes this way, `/ws` and the event streams included: the
//! route table (`http/routes.rs`) names each route's handler, and [`handle`] runs it.
//!
//! [`serve`] takes an already-bound listener and a shutdown future, so tests bind port 0 and
//! `main` alone owns the signals.

mod actors;
mod analysis;
mod body;
mod config;
mod dashboard;
mod db;
pub mod events;
mod forum;
pub mod openapi;
mod query;
mod reply;
pub mod router;
mod routes;
mod streams;
mod system;
mod ws;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::Buf;
use futures_util::Stream;
use warp::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use warp::Filter;

use crate::internal_events::HttpRequestFinished;
use crate::service::App;
pub(crate) use query::query_limit;
use reply::{ApiError, ApiResult, Reply};
use router::{Call, Resolved, RouteDef, Upgrade};

/// Request ids: a per-process random prefix and a counter, unique across restarts.
struct RequestIds {
    prefix: String,
    next: AtomicU64,
}

impl RequestIds {
    fn new() -> Self {
        let prefix = crate::auth::generate_token()
            .map(|t| t[..8].to_owned())
            .unwrap_or_else(|_| format!("{:08x}", std::process::id()));
        Self {
            prefix,
            next: AtomicU64::new(1),
        }
    }

    fn next(&self) -> String {
        format!(
            "{}-{}",
            self.prefix,
            self.next.fetch_add(1, Ordering::Relaxed)
        )
    }
}

/// A usable incoming request id: short and printable, else we make our own.
fn incoming_request_id(headers: &HeaderMap) -> Option<String> {
    let id = headers.get("x-request-id")?.to_str().ok()?;
    (!id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| id.to_owned())
}

/// What every request gets besides its handler.
#[derive(Debug, Clone, Copy)]
pub struct Middleware {
    /// The access-log line and the request metrics. Always on in the service; the benchmark
    /// turns it off to measure what it costs.
    pub telemetry: bool,
}

impl Default for Middleware {
    fn default() -> Self {
        Self { telemetry: true }
    }
}

/// Serves `app` on `listener` until `shutdown` completes; in-flight requests then finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    middleware: Middleware,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let ids = Arc::new(RequestIds::new());
    let streams = Arc::new(streams::Streams {
        app: Arc::clone(&app),
        ids: Arc::clone(&ids),
        middleware,
    });
    let routes = warp::any()
        .and(warp::method())
        .and(warp::path::full())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(warp::header::headers_cloned())
        .and(warp::addr::remote())
        .and(warp::ext::optional::<Upgrade>())
        .and(warp::body::stream())
        .then(
            move |method: Method,
                  path: warp::path::FullPath,
                  query,
                  headers: HeaderMap,
                  remote,
                  upgrade,
                  body| {
                let app = Arc::clone(&app);
                let ids = Arc::clone(&ids);
                async move {
                    let head = Head {
                        method: &method,
                        path: path.as_str(),
                        query,
                        headers: &headers,
                        upgrade,
                    };
                    let handled = handle(&app, &ids, head, body).await;
                    if middleware.telemetry {
                        record(&method, path.as_str(), remote, &handled);
                    }
                    handled.reply
                }
            },
        );
    let warp_service = warp::service(routes);
    let service = hyper::service::service_fn(
        move |mut request: warp::http::Request<hyper::body::Incoming>| {
            // An upgrade hyper offers (an `Upgrade:` request) is handed on to the route's
            // handler: `/ws` answers it itself, so that each WebSocket's buffers can be sized
            // (warp's WebSocket takes tungstenite's 128 KiB default).
            if let Some(on) = request
                .extensions_mut()
                .remove::<hyper::upgrade::OnUpgrade>()
            {
                request.extensions_mut().insert(Upgrade::new(on));
            }
            tower_service::Service::call(&mut warp_service.clone(), request)
        },
    );
    accept_loop(listener, service, streams, shutdown).await;
}

/// Accepts connections until `shutdown`, then lets open ones finish (the caller bounds that
/// with its deadline). Our own loop rather than `warp::serve` so that every connection gets
/// `TCP_NODELAY`: without it, an event written while the previous one is unacknowledged waits
/// for the client's delayed ACK (up to 40 ms on Linux) — fatal for live streams. Event-stream
/// requests, recognised from their first bytes, are served by [`streams`] instead of hyper.
async fn accept_loop<S>(
    listener: tokio::net::TcpListener,
    service: S,
    streams: Arc<streams::Streams>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) where
    S: hyper::service::Service<
            warp::http::Request<hyper::body::Incoming>,
            Response = warp::reply::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    use hyper_util::rt::TokioIo;
    // Shutdown fans out on a watch channel; every connection task holds a clone of `done`,
    // so `recv` returns None once the last one has finished (mini-redis's drain pattern).
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let (done, mut all_done) = tokio::sync::mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(err) => {
                // Out of file descriptors and the like: keep serving the open connections.
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let mut stopping = stopping.clone();
        let done = done.clone();
        let service = service.clone();
        let streams = Arc::clone(&streams);
        tokio::spawn(async move {
            let mut probe = [0u8; streams::PROBE];
            let peeked = tokio::select! {
                peeked = stream.peek(&mut probe) => peeked.unwrap_or(0),
                _ = stopping.wait_for(|&s| s) => 0,
            };
            if peeked == 0 {
                drop(done);
                return;
            }
            if streams::is_stream_request(&probe[..peeked]) {
                streams::serve(stream, &streams).await;
                drop(done);
                return;
            }
            // HTTP/1.1 only (what browsers and proxies speak to us; nginx terminates HTTP/2),
            // with vectored writes so no per-connection flattening buffer is kept.
            let connection = hyper::server::conn::http1::Builder::new()
                .writev(true)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            let mut connection = std::pin::pin!(connection);
            let finished = tokio::select! {
                // A client that goes away mid-request is routine, not worth a log line.
                _ = connection.as_mut() => true,
                _ = async { stopping.wait_for(|&s| s).await.is_ok() } => false,
            };
            if !finished {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
            drop(done);
        });
    }
    stop.send_replace(true);
    drop(done);
    let _ = all_done.recv().await;
}

/// A response with what the access log and the metrics need to know of it.
struct Handled {
    reply: Reply,
    route: &'static str,
    request_id: String,
    began: Instant,
}

/// The access-log line and the request metrics.
fn record(method: &Method, path: &str, remote: Option<SocketAddr>, handled: &Handled) {
    let status = handled.reply.status().as_u16();
    let duration = handled.began.elapsed();
    tracing::info!(
        target: "access",
        request_id = %handled.request_id,
        method = %method,
        path,
        route = handled.route,
        status,
        duration_us = duration.as_micros() as u64,
        remote = %remote.map(|r| r.ip().to_string()).unwrap_or_default(),
    );
    HttpRequestFinished {
        method: method.as_str(),
        route: handled.route,
        status,
        duration,
    }
    .emit();
}

/// A request's head, as the dispatcher takes it from warp or from [`streams`].
struct Head<'a> {
    method: &'a Method,
    path: &'a str,
    query: String,
    headers: &'a HeaderMap,
    /// The connection's upgrade, when hyper offers one.
    upgrade: Option<Upgrade>,
}

/// One request: route, authorise, run the route's handler, and mark the response with its
/// request id. Every request comes here: through hyper and warp, or from [`streams`].
async fn handle<S, B>(app: &Arc<App>, ids: &RequestIds, head: Head<'_>, body: S) -> Handled
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin + Send,
    B: Buf,
{
    let Head {
        method,
        path,
        query,
        headers,
        upgrade,
    } = head;
    let began = Instant::now();
    let request_id = incoming_request_id(headers).unwrap_or_else(|| ids.next());
    // Whether the connection can take another request: not when a body was left unread.
    let mut reusable = true;
    let (route, mut response) = match router::resolve(method.as_str(), path) {
        Resolved::Route(route, params) => {
            let credentials = credentials(route, headers, &query);
            let response = match app.tokens.check(route.access, credentials.as_deref()) {
                Err(denied) => {
                    reusable = body::drain(app, headers, body).await;
                    ApiError::from(denied).into_reply()
                }
                Ok(()) => {
                    let call = Call {
                        app,
                        params,
                        query: &query,
                        headers,
                        body: bytes::Bytes::new(),
                        credentials,
                        upgrade,
                    };
                    run(route, call, body, &mut reusable)
                        .await
                        .unwrap_or_else(ApiError::into_reply)
                }
            };
            (route.template, response)
        }
        Resolved::WrongMethod(allowed) => {
            reusable = body::drain(app, headers, body).await;
            let mut response = reply::error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                &format!("{method} is not allowed here; use {}", allowed.join(", ")),
            );
            if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            ("unmatched", response)
        }
        Resolved::NotFound => {
            reusable = body::drain(app, headers, body).await;
            (
                "unmatched",
                reply::error(
                    StatusCode::NOT_FOUND,
                    "no_route",
                    &format!("no route for {path}"),
                ),
            )
        }
    };
    if *method == Method::HEAD {
        *response.body_mut() = bytes::Bytes::new().into();
    }
    if !reusable || response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        // The rest of the body is not read, so this connection cannot carry another request;
        // saying so keeps a keep-alive client from sending one into a closed socket.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    Handled {
        reply: response,
        route,
        request_id,
        began,
    }
}

/// The credentials a request comes with: `Authorization`, else — on event streams and
/// WebSockets, since a browser's `EventSource` and `WebSocket` cannot set headers — the token
/// given as `?token=`.
fn credentials(route: &RouteDef, headers: &HeaderMap, query: &str) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            route
                .kind
                .token_in_query()
                .then(|| query::token(query))
                .flatten()
                .map(|token| format!("Bearer {token}"))
        })
}

/// Reads the body (routes that take one) or drains it, then runs the route's handler within
/// the request timeout.
async fn run<S, B>(route: &RouteDef, mut call: Call<'_>, body: S, reusable: &mut bool) -> ApiResult
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin + Send,
    B: Buf,
{
    if route.body.is_some() {
        call.body = body::read(call.app, call.headers, body).await?;
    } else {
        *reusable = body::drain(call.app, call.headers, body).await;
    }
    let timeout = call.app.config().request_timeout;
    match tokio::time::timeout(timeout, (route.handler)(&call)).await {
        Ok(result) => result,
        Err(_) => Err(ApiError::unavailable(format!(
            "the request took longer than {} s",
            timeout.as_secs()
        ))),
    }
}
