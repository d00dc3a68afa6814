//! Connections and request guards, read once when the listener starts.
//!
//! A group of the catalogue ([`super`]): its keys are re-exported there as
//! `catalogue::NAME`, and [`super::KEYS`] lists them in catalogue order.

use super::*;

catalogue! {
    CONNECTIONS;
    // --- connections and request guards (read once, when the listener starts) ---
    BETTAFISH_MAX_CONNECTIONS = at_start(count(
        "10000",
        1,
        1_000_000,
        "Most open client connections (HTTP, event streams, WebSockets). At the cap, the connection idle the longest is closed for a new one; with none idle, the new one is closed at once. Never more than the file-descriptor limit less BETTAFISH_FD_RESERVE.",
    ));
    BETTAFISH_FD_RESERVE = at_start(count(
        "256",
        16,
        1_000_000,
        "File descriptors kept out of the connection cap for the database, Redis, logs and data files.",
    ));
    BETTAFISH_FIRST_BYTE_TIMEOUT_MS = at_start(count(
        "10000",
        10,
        3_600_000,
        "Longest a new connection may stay silent before its first byte; then it is closed.",
    ));
    BETTAFISH_HEAD_TIMEOUT_MS = at_start(count(
        "10000",
        10,
        3_600_000,
        "Longest a request head may take from its first byte to its end; then the connection is closed.",
    ));
    BETTAFISH_KEEPALIVE_TIMEOUT_MS = at_start(count(
        "60000",
        10,
        3_600_000,
        "Longest a kept-alive connection may wait idle for its next request; then it is closed.",
    ));
    BETTAFISH_BODY_TIMEOUT_MS = at_start(count(
        "30000",
        10,
        3_600_000,
        "Longest a request body may take to arrive, from the end of its head; then the request is answered 408 and the connection closed. While its body arrives a connection is among the first closed to make room at BETTAFISH_MAX_CONNECTIONS (after idle ones and unfinished heads).",
    ));
    BETTAFISH_MAX_HEAD_BYTES = at_start(count(
        "16384",
        8_192,
        1_048_576,
        "Largest request head (request line and headers); larger ones are answered 431 and closed.",
    ));
    BETTAFISH_ALLOWED_HOSTS = at_start(key(
        Some(""),
        Kind::Text,
        "Comma-separated host names (no port) requests may address. Bound to loopback, localhost and loopback addresses are always allowed and other names are refused (421) unless listed, against DNS rebinding; elsewhere, every name is allowed unless this is set. IPv6 addresses may be given with or without brackets. /healthz, /readyz and /metrics answer to any name (load balancers and Prometheus probe by address).",
    ));
    BETTAFISH_ALLOWED_ORIGINS = at_start(key(
        Some(""),
        Kind::Text,
        "Comma-separated origins (scheme://host[:port]) whose pages may open WebSockets besides the server's own; other origins are refused with 403.",
    ));
    BETTAFISH_CORS_ORIGINS = at_start(key(
        Some(""),
        Kind::Text,
        "Comma-separated origins (scheme://host[:port]) allowed cross-origin requests (CORS headers, preflight answered). Empty: CORS off.",
    ));
    // The rates' defaults are far above what a dashboard or one machine's scripts make (the
    // thousand-client test makes 2,000 requests in seconds from 127.0.0.1): they only stop one
    // address or token from taking the whole instance. Deployments tighten them.
    BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC = at_start(count(
        "500",
        0,
        1_000_000,
        "Requests per second each client address may make on average (IPv6 by /64); beyond its burst, 429 with Retry-After (an event stream gets instead an empty stream with a `retry:` delay, which a browser's EventSource follows; it gives up on a 429 for good). 0: no per-address limit. /healthz, /readyz and /metrics are exempt, and so are loopback peers unless BETTAFISH_RATE_LIMIT_LOOPBACK is true.",
    ));
    BETTAFISH_RATE_LIMIT_ADDRESS_BURST = at_start(count(
        "5000",
        1,
        1_000_000,
        "Requests a client address may make at once before its per-second rate applies.",
    ));
    BETTAFISH_RATE_LIMIT_LOOPBACK = at_start(key(
        Some("false"),
        Kind::Choice(&["true", "false"]),
        "Whether the per-address limit applies to loopback peers (127.0.0.0/8, ::1). Off by default: a reverse proxy on the same machine (nginx) connects from loopback for every user, who would all share one bucket — let the proxy limit by the real address. Turn it on when clients connect from loopback themselves.",
    ));
    BETTAFISH_RATE_LIMIT_TOKEN_PER_SEC = at_start(count(
        "500",
        0,
        1_000_000,
        "Requests per second each role may make on average with its token (operator, viewer: counted after the token is checked, so unknown tokens cannot touch these buckets; requests without a valid token count only for their address); beyond its burst, 429 with Retry-After. 0: no per-token limit.",
    ));
    BETTAFISH_RATE_LIMIT_TOKEN_BURST = at_start(count(
        "5000",
        1,
        1_000_000,
        "Requests each role's token may make at once before its per-second rate applies.",
    ));
    BETTAFISH_RATE_LIMIT_MAX_CLIENTS = at_start(count(
        "10000",
        16,
        10_000_000,
        "Client addresses whose rate is tracked at once; beyond, the ones idle the longest are forgotten.",
    ));
}
