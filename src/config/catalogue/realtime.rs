//! Real-time delivery: the event history, client queues, heartbeats, WebSocket and SSE bounds.
//!
//! A group of the catalogue ([`super`]): its keys are re-exported there as
//! `catalogue::NAME`, and [`super::KEYS`] lists them in catalogue order.

use super::*;

catalogue! {
    REALTIME;
    // --- real-time delivery ---
    BETTAFISH_REDIS_PREFIX = at_start(key(
        Some("bettafish"),
        Kind::Text,
        "Prefix of this deployment's Redis keys and channels (instances sharing it form one cluster).",
    ));
    BETTAFISH_EVENT_HISTORY_MAX_EVENTS = at_start(count(
        "10000",
        0,
        10_000_000,
        "Events kept for clients that resume (all topics together).",
    ));
    BETTAFISH_EVENT_HISTORY_MAX_AGE_SECS = at_start(count(
        "3600",
        1,
        604_800,
        "How long an event is kept for clients that resume.",
    ));
    BETTAFISH_CLIENT_QUEUE_EVENTS = at_start(count(
        "1024",
        1,
        1_000_000,
        "Events a client may fall behind before it is told it lags and is disconnected.",
    ));
    BETTAFISH_HEARTBEAT_SECS = count(
        "15",
        1,
        15,
        "Interval of SSE heartbeat comments and WebSocket pings.",
    );
    BETTAFISH_WS_MAX_FRAME_BYTES = count(
        "65536",
        1_024,
        16_777_216,
        "Largest WebSocket message accepted; larger ones close the connection with 1009.",
    );
    // --- real-time delivery: memory and slow-consumer bounds (issue 12) ---
    BETTAFISH_EVENT_HISTORY_MAX_BYTES = at_start(count(
        "67108864",
        1_048_576,
        17_179_869_184,
        "Bytes of events kept for clients that resume, all topics together (each event counts its payload and its two rendered frames, about 3× the payload plus up to 2 KiB; the oldest go first). Must hold at least 4 events of BETTAFISH_EVENT_MAX_BYTES counted so (about 12× it), so that a resume can span a few of the largest events. Also caps the Redis stream's messages.",
    ));
    BETTAFISH_EVENT_MAX_BYTES = at_start(count(
        "1048576",
        1_024,
        67_108_864,
        "Largest event payload (its JSON `data`): `POST /api/events/{topic}` answers 413 beyond it; an internal publication beyond it is refused, logged and counted (log lines forwarded to topics are cut to fit). BETTAFISH_EVENT_HISTORY_MAX_BYTES must hold at least 4 such events as stored (about 12× this).",
    ));
    BETTAFISH_CLIENT_QUEUE_BYTES = at_start(count(
        "262144",
        65_536,
        1_073_741_824,
        "Bytes of events a client may fall behind (besides BETTAFISH_CLIENT_QUEUE_EVENTS) before it is told it lags and is disconnected (an empty queue takes any one event). Queued events are shared with the history and every other queue; this bounds what a stalled client pins once the history has dropped them: with the defaults, 300 stalled resuming clients pin at most about 112 MiB (a queue and a replay page each, plus the event each is being sent) beside the 64 MiB history.",
    ));
    BETTAFISH_REPLAY_PAGE_EVENTS = at_start(count(
        "256",
        1,
        100_000,
        "Events a resuming client's replay reads from the history at a time (pages are read as the client takes them, never the whole history at once).",
    ));
    BETTAFISH_REPLAY_PAGE_BYTES = at_start(count(
        "131072",
        4_096,
        67_108_864,
        "Bytes of events (as stored) one page of a resuming client's replay holds at most (always at least one event). A page pins its events until the client has read them, even once the history has dropped them, so it is kept small.",
    ));
    BETTAFISH_SSE_COALESCE_BYTES = count(
        "32768",
        0,
        1_048_576,
        "Most bytes of small events an SSE write joins into one chunk (copied per client); an event that does not fit goes out alone, as the bytes every client shares.",
    );
    BETTAFISH_WS_SEND_TIMEOUT_SECS = count(
        "60",
        1,
        3_600,
        "Longest a WebSocket send may go without the client taking any bytes; beyond it the connection is dropped as a slow consumer. A slow but steady reader is never dropped for how long a big frame takes.",
    );
}
