//! Why the WebSocket server closes a connection, and the close code and reason it sends for
//! each (RFC 6455 §7.4.1); the module documentation of `ws` says why each code.

/// Why the server closes a connection; each has its close code (RFC 6455 §7.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// The subscription ended (a session's stream): 1000.
    Ended,
    /// The server is stopping: 1001.
    Shutdown,
    /// A frame broke the protocol (unmasked, a reserved opcode or bit, a bad fragment): 1002.
    Protocol,
    /// A text frame was not UTF-8: 1007.
    NotUtf8,
    /// No pong to two pings: 1008.
    Unresponsive,
    /// A message over `BETTAFISH_WS_MAX_FRAME_BYTES`: 1009.
    TooBig,
    /// The client fell behind its queue (after a `lagged` frame): 1013, try again later.
    Lagged,
}

impl Closing {
    pub fn code(self) -> u16 {
        match self {
            Closing::Ended => 1000,
            Closing::Shutdown => 1001,
            Closing::Protocol => 1002,
            Closing::NotUtf8 => 1007,
            Closing::Unresponsive => 1008,
            Closing::TooBig => 1009,
            Closing::Lagged => 1013,
        }
    }

    pub fn reason(self) -> &'static str {
        match self {
            Closing::Ended => "the subscription ended",
            Closing::Shutdown => "server shutting down",
            Closing::Protocol => "protocol error",
            Closing::NotUtf8 => "text frames must be UTF-8",
            Closing::Unresponsive => "no pong to two pings",
            Closing::TooBig => "message too big",
            Closing::Lagged => "slow consumer: resume from resume_from",
        }
    }

    /// The `reason` label of `bettafish_realtime_clients_dropped_total` for a client the
    /// server drops; none for a normal end, and for a lag, which the `lagged` notice counts.
    pub fn dropped(self) -> Option<&'static str> {
        match self {
            Closing::Ended | Closing::Shutdown | Closing::Lagged => None,
            Closing::Protocol => Some("protocol"),
            Closing::NotUtf8 => Some("not_utf8"),
            Closing::Unresponsive => Some("unresponsive"),
            Closing::TooBig => Some("too_big"),
        }
    }
}
