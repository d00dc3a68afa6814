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
mod connections;
mod dashboard;
mod db;
pub mod events;
mod forum;
mod guards;
mod listener;
pub mod openapi;
mod query;
mod rate_limit;
mod reply;
mod report;
pub mod router;
mod routes;
mod streams;
mod system;
mod ws;

pub use connections::CloseReason;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::Buf;
use futures_util::Stream;
use warp::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use warp::Filter;

use crate::internal_events::{HttpRequestFinished, RequestRateLimited};
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

/// What every request is dispatched with: the service, request ids, the guards and rate
/// limits (built once, when the listener starts).
pub(crate) struct Dispatch {
    app: Arc<App>,
    ids: RequestIds,
    middleware: Middleware,
    guards: guards::Guards,
    limits: rate_limit::RateLimiter,
}

/// Serves `app` on `listener` until `shutdown` completes; in-flight requests then finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    middleware: Middleware,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let config = app.config();
    let dispatch = Arc::new(Dispatch {
        app: Arc::clone(&app),
        ids: RequestIds::new(),
        middleware,
        guards: guards::Guards::new(config.is_loopback(), config.origins.clone()),
        limits: rate_limit::RateLimiter::new(&config.rate_limits),
    });
    let routes = {
        let dispatch = Arc::clone(&dispatch);
        warp::any()
            .and(warp::method())
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::header::headers_cloned())
            .and(warp::ext::optional::<listener::Peer>())
            .and(warp::ext::optional::<Upgrade>())
            .and(warp::body::stream())
            .then(
                move |method: Method,
                      path: warp::path::FullPath,
                      query,
                      headers: HeaderMap,
                      peer: Option<listener::Peer>,
                      upgrade,
                      body| {
                    let dispatch = Arc::clone(&dispatch);
                    async move {
                        let head = Head {
                            method: &method,
                            path: path.as_str(),
                            query,
                            headers: &headers,
                            upgrade,
                            remote: peer.as_ref().map(|p| p.remote),
                            http11: peer.as_ref().is_none_or(|p| p.http11),
                        };
                        let remote = head.remote;
                        let body = listener::BodyStream::new(body, peer.map(|p| p.tracker));
                        let handled = handle(&dispatch, head, body).await;
                        if middleware.telemetry {
                            record(&method, path.as_str(), remote, &handled);
                        }
                        handled.reply
                    }
                },
            )
    };
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
    listener::accept_loop(listener, service, dispatch, shutdown).await;
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
    /// The client's address.
    remote: Option<SocketAddr>,
    /// HTTP/1.1 rather than 1.0.
    http11: bool,
}

/// Routes the operators' probes use: never rate-limited, so a busy or attacked instance still
/// shows its health and its metrics; nor held to the Host allow-list, since load balancers and
/// Prometheus probe by address (they carry no data a rebound page could steal).
const PROBE_ROUTES: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// One request: check its `Host`, route it, apply the rate limits, the WebSocket origin rule
/// and access control, run the route's handler, and mark the response with its request id
/// (and CORS headers). Every request comes here: through hyper and warp, or from [`streams`].
async fn handle<S, B>(dispatch: &Dispatch, head: Head<'_>, body: S) -> Handled
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
        remote,
        http11,
    } = head;
    let app = &dispatch.app;
    let began = Instant::now();
    let request_id = incoming_request_id(headers).unwrap_or_else(|| dispatch.ids.next());
    // Whether the connection can take another request: not when a body was left unread.
    let mut reusable = true;
    let resolved = router::resolve(method.as_str(), path);
    let (template, kind, credentials) = match &resolved {
        Resolved::Route(route, _) => (
            route.template,
            route.kind,
            credentials(route, headers, &query),
        ),
        _ => ("unmatched", router::Kind::Plain, None),
    };
    let probe = PROBE_ROUTES.contains(&template);
    let refused = dispatch
        .guards
        .check_host(headers, http11, probe)
        .err()
        .map(ApiError::into_reply)
        .or_else(|| {
            let limited = (!probe)
                .then(|| dispatch.limits.check_address(remote.map(|r| r.ip())).err())
                .flatten()?;
            Some(rate_limited(limited, kind))
        })
        .or_else(|| dispatch.guards.preflight(method, headers));
    let (route, mut response) = if let Some(response) = refused {
        reusable = body::drain(app, headers, body).await;
        (template, response)
    } else {
        match resolved {
            Resolved::Route(route, params) => {
                let allowed = if route.kind == router::Kind::WebSocket {
                    dispatch.guards.check_ws_origin(headers)
                } else {
                    Ok(())
                }
                .and_then(|()| {
                    app.tokens
                        .check(route.access, credentials.as_deref())
                        .map_err(ApiError::from)
                });
                // The per-token limit, once the token is known to be ours: by its role.
                let limited = match (&allowed, app.tokens.role_of(credentials.as_deref())) {
                    (Ok(()), Some(role)) if !probe => dispatch.limits.check_role(role).err(),
                    _ => None,
                };
                let response = match (allowed, limited) {
                    (Err(denied), _) => {
                        reusable = body::drain(app, headers, body).await;
                        denied.into_reply()
                    }
                    (Ok(()), Some(limited)) => {
                        reusable = body::drain(app, headers, body).await;
                        rate_limited(limited, route.kind)
                    }
                    (Ok(()), None) => {
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
        }
    };
    if *method == Method::HEAD {
        *response.body_mut() = bytes::Bytes::new().into();
    }
    if !reusable
        || response.status() == StatusCode::PAYLOAD_TOO_LARGE
        || response.status() == StatusCode::REQUEST_TIMEOUT
    {
        // The rest of the body is not read, so this connection cannot carry another request;
        // saying so keeps a keep-alive client from sending one into a closed socket.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    dispatch.guards.add_cors_headers(headers, &mut response);
    Handled {
        reply: response,
        route,
        request_id,
        began,
    }
}

/// The answer to a request over its address's or its token's rate: 429 with `Retry-After`;
/// for an event stream, an empty stream that tells the client when to come back (`retry:`),
/// since a browser's `EventSource` gives up for good on any status but 200 — it reconnects
/// after that delay instead.
fn rate_limited(limited: rate_limit::Limited, kind: router::Kind) -> Reply {
    RequestRateLimited {
        scope: limited.scope.label(),
    }
    .emit();
    let scope = limited.scope.label();
    let secs = limited.retry_after_secs;
    let mut response = if kind == router::Kind::EventStream {
        let text = format!(
            "retry: {}\n: rate_limited: too many requests for this {scope}; retry in {secs} s\n\n",
            secs.saturating_mul(1000)
        );
        reply::with_type(
            StatusCode::OK,
            bytes::Bytes::from(text),
            "text/event-stream",
        )
    } else {
        reply::error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            &format!("too many requests for this {scope}; retry in {secs} s"),
        )
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
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
