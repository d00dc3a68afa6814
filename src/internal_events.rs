//! Every metric the binary emits, as typed events: the `metrics` macros appear only here.
//!
//! Each happening is a struct whose `emit` writes its counters (and log line, where one is
//! due). Label values are bounded: HTTP routes are templates, actor paths of dynamic children are
//! collapsed to their supervisor's path. [`METRICS`] is the one list of names; a test fires every
//! event here and holds what is emitted to it and to `docs/METRICS.md`.

use std::time::Duration;

use metrics::{counter, gauge, histogram};

/// Every metric this binary registers, with its help text (the process metrics are rendered
/// by [`crate::process_metrics`]).
pub const METRICS: &[(&str, &str)] = &[
    (
        "bettafish_http_requests_total",
        "HTTP requests answered, by method, route template and status.",
    ),
    (
        "bettafish_http_request_duration_seconds",
        "Time to answer an HTTP request, by method and route template.",
    ),
    (
        "bettafish_actor_up",
        "1 while the actor at this path runs, else 0.",
    ),
    (
        "bettafish_actor_restarts_total",
        "Restarts of the actor at this path, for any reason.",
    ),
    (
        "bettafish_actor_failures_total",
        "Abnormal exits and failed starts of the actor at this path.",
    ),
    (
        "bettafish_supervisor_meltdowns_total",
        "Times the supervisor at this path exceeded its restart intensity.",
    ),
    (
        "bettafish_actor_restart_duration_seconds",
        "Time from an actor's exit to its next incarnation running, backoff included.",
    ),
    (
        "bettafish_operator_commands_total",
        "Operator commands, by target path and command.",
    ),
    (
        "bettafish_config_reloads_total",
        "Configuration reloads, by outcome.",
    ),
    ("bettafish_build_info", "The running version."),
    (
        "bettafish_realtime_connections",
        "Open real-time connections, by transport (sse, websocket).",
    ),
    (
        "bettafish_events_delivered_total",
        "Events written to real-time clients, by transport.",
    ),
    (
        "bettafish_event_delivery_latency_seconds",
        "Time from an event's publication to its write to a client.",
    ),
    (
        "bettafish_realtime_clients_dropped_total",
        "Real-time clients the server disconnected, by transport and reason (lagged, stalled, unresponsive, too_big, protocol, not_utf8).",
    ),
    // The connection layer and request guards (src/http/connections.rs, listener.rs,
    // rate_limit.rs).
    (
        "bettafish_http_connections",
        "Open client connections, every path (HTTP, event streams, WebSockets).",
    ),
    (
        "bettafish_http_connections_refused_total",
        "Connections closed at once because the cap was reached and none was idle.",
    ),
    (
        "bettafish_http_connections_closed_total",
        "Connections the server closed, by reason (evicted, first_byte_timeout, head_timeout, body_timeout, idle_timeout).",
    ),
    (
        "bettafish_http_accept_errors_total",
        "Failed accepts (out of file descriptors and the like); the listener backs off.",
    ),
    (
        "bettafish_http_rate_limited_total",
        "Requests refused by a rate limit (429, or a retry: stream for event streams), by scope (address, token: by role).",
    ),
];

/// Registers the help text of every metric.
pub fn describe() {
    // The Prometheus exporter keys help text by name alone, whatever the kind, so one call
    // serves counters, gauges and histograms.
    for (name, help) in METRICS {
        metrics::describe_counter!(*name, *help);
    }
}

/// Histogram buckets for request durations, in seconds: 100 µs to 30 s.
pub const HTTP_DURATION_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0, 30.0,
];

/// Histogram buckets for event delivery latency, in seconds: 50 µs to 5 s.
pub const DELIVERY_LATENCY_BUCKETS: &[f64] = &[
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    5.0,
];

/// Histogram buckets for restart durations (failure to running, backoff included).
pub const RESTART_DURATION_BUCKETS: &[f64] = &[
    0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0,
];

/// A request was answered.
pub struct HttpRequestFinished<'a> {
    /// `GET`, `POST`…
    pub method: &'a str,
    /// The route template (`/api/actors/{path}/restart`), or `unmatched`.
    pub route: &'static str,
    /// The status code.
    pub status: u16,
    /// Time from receipt to the response head.
    pub duration: Duration,
}

/// The method as a static label: anything unusual is `other`, so clients cannot mint labels.
fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// The status as a static label (the hot path must not allocate for it).
fn status_label(status: u16) -> &'static str {
    const CODES: [&str; 21] = [
        "101", "200", "201", "202", "204", "301", "304", "400", "401", "403", "404", "405", "409",
        "413", "421", "422", "429", "431", "500", "501", "503",
    ];
    CODES
        .iter()
        .find(|c| c.parse::<u16>().ok() == Some(status))
        .copied()
        .unwrap_or(match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        })
}

impl HttpRequestFinished<'_> {
    pub fn emit(self) {
        let method = method_label(self.method);
        counter!(
            "bettafish_http_requests_total",
            "method" => method,
            "route" => self.route,
            "status" => status_label(self.status)
        )
        .increment(1);
        histogram!(
            "bettafish_http_request_duration_seconds",
            "method" => method,
            "route" => self.route
        )
        .record(self.duration.as_secs_f64());
    }
}

/// Whose lifecycle a metric counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorLabel<'a> {
    /// The actor at this path, with an `actor_up` of its own.
    Own(&'a str),
    /// A child of the dynamic supervisor at this path (an analysis session, a report task):
    /// counted under the supervisor's path, since its id must not become a label, and never in
    /// `actor_up`, which is the supervisor's own — a session ending must not read as
    /// `root/analyses` going down.
    ChildOf(&'static str),
}

impl<'a> ActorLabel<'a> {
    /// The `path` label.
    pub fn path(self) -> &'a str {
        match self {
            Self::Own(path) | Self::ChildOf(path) => path,
        }
    }

    fn set_up(self, up: bool) {
        if let Self::Own(path) = self {
            gauge!("bettafish_actor_up", "path" => path.to_owned()).set(if up { 1.0 } else { 0.0 });
        }
    }
}

/// A lifecycle change in the supervision tree, as metrics.
pub enum ActorLifecycle<'a> {
    /// An incarnation is running; `restart_took` is set for restarts.
    Started {
        actor: ActorLabel<'a>,
        restart_took: Option<Duration>,
        restart: bool,
    },
    /// An incarnation failed (or a start did).
    Failed { actor: ActorLabel<'a> },
    /// An incarnation is gone (exited, stopped, removed).
    Down { actor: ActorLabel<'a> },
    /// A supervisor gave up.
    Meltdown { actor: ActorLabel<'a> },
    /// An operator command reached a node.
    Command {
        actor: ActorLabel<'a>,
        command: &'a str,
    },
}

impl ActorLifecycle<'_> {
    pub fn emit(self) {
        match self {
            ActorLifecycle::Started {
                actor,
                restart_took,
                restart,
            } => {
                actor.set_up(true);
                let path = actor.path();
                if restart {
                    counter!("bettafish_actor_restarts_total", "path" => path.to_owned())
                        .increment(1);
                }
                if let Some(took) = restart_took {
                    histogram!("bettafish_actor_restart_duration_seconds", "path" => path.to_owned())
                        .record(took.as_secs_f64());
                }
            }
            ActorLifecycle::Failed { actor } => {
                actor.set_up(false);
                counter!("bettafish_actor_failures_total", "path" => actor.path().to_owned())
                    .increment(1);
            }
            ActorLifecycle::Down { actor } => actor.set_up(false),
            ActorLifecycle::Meltdown { actor } => {
                let path = actor.path();
                tracing::error!(path, "supervisor exceeded its restart intensity");
                counter!("bettafish_supervisor_meltdowns_total", "path" => path.to_owned())
                    .increment(1);
            }
            ActorLifecycle::Command { actor, command } => {
                let path = actor.path();
                tracing::info!(path, command, "operator command");
                counter!(
                    "bettafish_operator_commands_total",
                    "path" => path.to_owned(),
                    "command" => command.to_owned()
                )
                .increment(1);
            }
        }
    }
}

/// The configuration was reloaded (`outcome`: `ok` or `invalid`).
pub struct ConfigReloaded {
    pub outcome: &'static str,
    pub changed: usize,
}

impl ConfigReloaded {
    pub fn emit(self) {
        tracing::info!(
            outcome = self.outcome,
            changed = self.changed,
            "configuration reloaded"
        );
        counter!("bettafish_config_reloads_total", "outcome" => self.outcome).increment(1);
    }
}

/// A real-time connection, counted in `bettafish_realtime_connections` for as long as it lives.
pub struct RealtimeConnection {
    transport: &'static str,
}

impl RealtimeConnection {
    /// Counts a new connection of `transport` (`sse` or `websocket`).
    pub fn open(transport: &'static str) -> Self {
        gauge!("bettafish_realtime_connections", "transport" => transport).increment(1.0);
        Self { transport }
    }

    /// An event was written to this connection, `latency` after its publication.
    pub fn delivered(&self, latency: Duration) {
        counter!("bettafish_events_delivered_total", "transport" => self.transport).increment(1);
        histogram!("bettafish_event_delivery_latency_seconds").record(latency.as_secs_f64());
    }

    /// The connection fell behind its queue and is being closed.
    pub fn lagged(&self, dropped: u64) {
        tracing::info!(
            transport = self.transport,
            dropped,
            "closing a client that fell behind"
        );
        counter!("bettafish_realtime_clients_dropped_total", "transport" => self.transport, "reason" => "lagged")
            .increment(1);
    }

    /// The server disconnects this client: `reason` is `lagged` (behind its queue), `stalled`
    /// (a write took nothing for the send timeout), `unresponsive` (no pong), `too_big`,
    /// `protocol` or `not_utf8` (a frame it may not send).
    pub fn dropped(&self, reason: &'static str) {
        tracing::info!(
            transport = self.transport,
            reason,
            "dropping a real-time client"
        );
        counter!("bettafish_realtime_clients_dropped_total", "transport" => self.transport, "reason" => reason)
            .increment(1);
    }
}

impl Drop for RealtimeConnection {
    fn drop(&mut self) {
        gauge!("bettafish_realtime_connections", "transport" => self.transport).decrement(1.0);
    }
}

// --- the connection layer and request guards ---

/// The number of open connections changed.
pub struct ConnectionsOpen {
    pub open: usize,
}

impl ConnectionsOpen {
    pub fn emit(self) {
        gauge!("bettafish_http_connections").set(self.open as f64);
    }
}

/// A new connection was closed at once: the cap was reached and every connection was busy.
pub struct ConnectionRefused;

impl ConnectionRefused {
    pub fn emit(self) {
        counter!("bettafish_http_connections_refused_total").increment(1);
    }
}

/// The server closed a connection it had accepted (`reason`: a
/// [`crate::http::CloseReason`] label).
pub struct ConnectionClosed {
    pub reason: crate::http::CloseReason,
}

impl ConnectionClosed {
    pub fn emit(self) {
        let reason = self.reason.label();
        tracing::debug!(reason, "closing a connection");
        counter!("bettafish_http_connections_closed_total", "reason" => reason).increment(1);
    }
}

/// `accept` failed; `suppressed` more failures since the last line was logged. The log line
/// is the caller's to throttle: one per backoff period.
pub struct AcceptFailed<'a> {
    pub error: &'a std::io::Error,
    pub log: bool,
    pub suppressed: u64,
    pub backoff: Duration,
}

impl AcceptFailed<'_> {
    pub fn emit(self) {
        counter!("bettafish_http_accept_errors_total").increment(1);
        if self.log {
            tracing::warn!(
                error = %self.error,
                suppressed = self.suppressed,
                backoff_ms = self.backoff.as_millis() as u64,
                "accept failed; backing off"
            );
        }
    }
}

/// A request was answered 429 by the rate limit of `scope` (`address` or `token`).
pub struct RequestRateLimited {
    pub scope: &'static str,
}

impl RequestRateLimited {
    pub fn emit(self) {
        counter!("bettafish_http_rate_limited_total", "scope" => self.scope).increment(1);
    }
}

/// Announces the build, so dashboards can show the version.
pub fn build_info() {
    gauge!("bettafish_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
}

#[cfg(test)]
mod tests;
