//! The catalogue of configuration keys: one flat entry per key, with its default, kind, whether
//! it is a secret, whether `POST /api/config` may set it, and which actor must restart when it
//! changes.
//!
//! A flat catalogue on purpose (like ripgrep's flag definitions): find a key by its name. The
//! original BettaFish's keys keep their names; ours are prefixed `BETTAFISH_` or `SUPERVISION_`.
//! Each fixed key is also a constant named exactly like the key ([`PORT`], [`MAX_PARAGRAPHS`]),
//! and the typed settings ([`super::settings`]) read keys only through these constants and
//! through the enums of the generated keys ([`LlmEndpoint`], [`Supervisor`]): a misspelt key
//! does not compile, so it cannot silently read as nothing.

mod generated;

use actors::tree;

pub use generated::{
    all, find, llm_key, supervision_key, LlmEndpoint, LlmSetting, SupervisionSetting, Supervisor,
};

/// What values a key takes; checked by [`super::validate_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any single-line text.
    Text,
    /// A host name or IP address to bind or connect to.
    Host,
    /// A TCP port, 0–65535 (0: any free port).
    Port,
    /// An `http(s)://`, `postgres(ql)://`, `sqlite:`, `mysql://` or `redis(s)://` URL.
    Url,
    /// A whole number within bounds.
    Count { min: u64, max: u64 },
    /// `sqlite`, `postgresql`/`postgres`, or `mysql` (refused when used).
    Dialect,
    /// A file-system path.
    Path,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
}

/// Who must act when a key changes at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affects {
    /// Read where it is used; nothing to restart.
    Nothing,
    /// The actor at this path reads it when it starts: restart it.
    Actor(&'static str),
    /// Only read at process start (the listener, the data directory): needs a process restart.
    NextStart,
}

/// One configuration key.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// Its name, as in `.env` and the environment.
    pub name: &'static str,
    /// The built-in default, if any.
    pub default: Option<&'static str>,
    /// Its kind.
    pub kind: Kind,
    /// Masked by `GET /api/config`, never logged.
    pub secret: bool,
    /// Whether `POST /api/config` may set it.
    pub settable: bool,
    /// Who must act when it changes.
    pub affects: Affects,
    /// What it does.
    pub doc: &'static str,
}

// The constructors leave the name empty: [`catalogue!`] fills it in from the constant's name.

const fn key(default: Option<&'static str>, kind: Kind, doc: &'static str) -> Key {
    Key {
        name: "",
        default,
        kind,
        secret: false,
        settable: true,
        affects: Affects::Nothing,
        doc,
    }
}

const fn secret(doc: &'static str) -> Key {
    Key {
        secret: true,
        ..key(None, Kind::Text, doc)
    }
}

const fn secret_url(doc: &'static str) -> Key {
    Key {
        secret: true,
        ..key(None, Kind::Url, doc)
    }
}

const fn at_start(k: Key) -> Key {
    Key {
        affects: Affects::NextStart,
        ..k
    }
}

const fn fixed(k: Key) -> Key {
    Key {
        settable: false,
        ..k
    }
}

const fn restarts(k: Key, path: &'static str) -> Key {
    Key {
        affects: Affects::Actor(path),
        ..k
    }
}

const fn count(default: &'static str, min: u64, max: u64, doc: &'static str) -> Key {
    key(Some(default), Kind::Count { min, max }, doc)
}

/// Declares each fixed key as a constant whose name is the key's name, and [`KEYS`], every
/// one of them in catalogue order. A key written twice is a compile error (two constants).
macro_rules! catalogue {
    ($($(#[$attr:meta])* $name:ident = $key:expr;)*) => {
        $(
            $(#[$attr])*
            #[doc = concat!("The `", stringify!($name), "` key.")]
            pub const $name: Key = Key { name: stringify!($name), ..$key };
        )*
        /// Every key with a fixed name, in catalogue order. `SUPERVISION_<SUPERVISOR>_<SETTING>`
        /// keys and the LLM endpoints' `<PREFIX>_API_KEY|BASE_URL|MODEL_NAME` are generated
        /// ([`generated`]).
        pub const KEYS: &[Key] = &[$($name),*];
    };
}

catalogue! {
    // --- the listener and files (the original's HOST/PORT) ---
    HOST = at_start(key(
        Some("127.0.0.1"),
        Kind::Host,
        "Address the HTTP server binds.",
    ));
    PORT = at_start(key(
        Some("5000"),
        Kind::Port,
        "Port the HTTP server binds.",
    ));
    BETTAFISH_DATA_DIR = fixed(at_start(key(
        Some("./data"),
        Kind::Path,
        "Directory for the database, logs, reports and the token file.",
    )));
    BETTAFISH_CONFIG = fixed(at_start(key(
        Some("bettafish.toml"),
        Kind::Path,
        "The TOML configuration file.",
    )));
    BETTAFISH_ENV_FILE = fixed(at_start(key(
        Some(".env"),
        Kind::Path,
        "The .env file read at start and written by POST /api/config.",
    )));
    BETTAFISH_LOG = at_start(key(
        Some("info"),
        Kind::Text,
        "Log filter (tracing EnvFilter syntax).",
    ));
    // --- database (the original's DB_* keys, or DATABASE_URL) ---
    DB_DIALECT = at_start(key(
        Some("sqlite"),
        Kind::Dialect,
        "Database kind: sqlite (embedded) or postgresql.",
    ));
    DB_HOST = at_start(key(None, Kind::Host, "PostgreSQL host."));
    DB_PORT = at_start(key(Some("5432"), Kind::Port, "PostgreSQL port."));
    DB_USER = at_start(key(None, Kind::Text, "PostgreSQL user."));
    DB_PASSWORD = at_start(secret("PostgreSQL password."));
    DB_NAME = at_start(key(None, Kind::Text, "PostgreSQL database."));
    DB_CHARSET = at_start(key(
        Some("utf8mb4"),
        Kind::Text,
        "Kept for the original's MySQL setups; PostgreSQL and SQLite use UTF-8.",
    ));
    DATABASE_URL = at_start(secret_url("Database URL; wins over the DB_* keys."));
    DB_POOL_SIZE = at_start(count(
        "10",
        1,
        1000,
        "Most database connections open at once.",
    ));
    DB_POOL_MIN_IDLE = at_start(count(
        "0",
        0,
        1000,
        "Database connections kept open while idle.",
    ));
    DB_ACQUIRE_TIMEOUT_SECS = at_start(count(
        "3",
        1,
        300,
        "Longest wait for a database connection before a request answers 503.",
    ));
    DB_MAX_LIFETIME_SECS = at_start(count(
        "1800",
        60,
        86400,
        "Database connections are replaced after this long.",
    ));
    DB_IDLE_TIMEOUT_SECS = at_start(count(
        "600",
        10,
        86400,
        "Idle database connections above the minimum close after this long.",
    ));
    DB_TEST_BEFORE_ACQUIRE = at_start(key(
        Some("true"),
        Kind::Choice(&["true", "false"]),
        "Check each pooled database connection before handing it out.",
    ));
    BETTAFISH_SAMPLE_DATA = at_start(key(
        Some("auto"),
        Kind::Choice(&["auto", "on", "off"]),
        "Load the built-in sample corpus (fictional, labelled) into an empty database at start: auto does so only for the embedded SQLite default.",
    ));
    CACHE_TYPE = at_start(key(
        Some("memory"),
        Kind::Choice(&["memory", "sqlite", "redis"]),
        "Cache for search and LLM results: memory, sqlite (a file in the data directory) or redis (needs REDIS_URL).",
    ));
    CACHE_MAX_ENTRIES = at_start(count(
        "10000",
        1,
        100_000_000,
        "Most entries the memory cache holds.",
    ));
    CACHE_MAX_BYTES = at_start(count(
        "67108864",
        1024,
        1 << 40,
        "Most bytes the memory cache holds.",
    ));
    REDIS_URL = at_start(secret_url("Redis URL: cross-node events, shared history, cache."));
    // --- the forum ---
    FORUM_HOST_EVERY = restarts(
        count(
            "5",
            1,
            100,
            "Agent messages per host message in the forum.",
        ),
        tree::FORUM_PATH,
    );
    FORUM_LOG_FOLLOW = restarts(
        key(
            None,
            Kind::Path,
            "A forum.log written by other programs (the original's engines) for the forum to follow.",
        ),
        tree::FORUM_PATH,
    );
    // --- how every LLM endpoint is called ---
    LLM_TIMEOUT = restarts(
        count(
            "180",
            1,
            3_600,
            "Seconds one LLM attempt may take.",
        ),
        tree::Branch::Engines.path(),
    );
    LLM_MAX_ATTEMPTS = restarts(
        count(
            "4",
            1,
            10,
            "Attempts per LLM call (429, 5xx, timeouts and broken connections are retried).",
        ),
        tree::Branch::Engines.path(),
    );
    LLM_BACKOFF_MIN_MS = restarts(
        count(
            "500",
            1,
            60_000,
            "The first wait between LLM attempts, doubled each time (jittered); Retry-After wins when longer.",
        ),
        tree::Branch::Engines.path(),
    );
    LLM_MAX_TOTAL_WAIT = restarts(
        count(
            "60",
            0,
            3_600,
            "Seconds an LLM call may spend waiting between attempts in all.",
        ),
        tree::Branch::Engines.path(),
    );
    LLM_CIRCUIT_FAILURES = restarts(
        count(
            "5",
            1,
            100,
            "Failed LLM calls in a row after which the endpoint is left alone (built-in analysis stands in).",
        ),
        tree::Branch::Engines.path(),
    );
    LLM_CIRCUIT_COOLDOWN = restarts(
        count(
            "60",
            1,
            86_400,
            "Seconds a failing LLM endpoint is left alone before one call probes it.",
        ),
        tree::Branch::Engines.path(),
    );
    // --- the engines and analyses ---
    MAX_REFLECTIONS = restarts(
        count(
            "2",
            0,
            10,
            "Reflection rounds (search again for what is missing, rewrite) per report paragraph.",
        ),
        tree::Branch::Engines.path(),
    );
    MAX_PARAGRAPHS = restarts(
        count(
            "5",
            1,
            20,
            "Most paragraphs an engine's report plans.",
        ),
        tree::Branch::Engines.path(),
    );
    ANALYSIS_ENGINE_TIMEOUT = count(
        "600",
        1,
        86_400,
        "Seconds each engine may take in an analysis before its job is cancelled.",
    );
    // --- untrusted input: what a client or an imported file may make the service hold ---
    ANALYSIS_MAX_RUNNING = at_start(count(
        "1000",
        1,
        100_000,
        "Analyses running at once; one more is refused with 429 and leaves no row.",
    ));
    FORUM_LOG_PAGE_LINES = count(
        "200",
        1,
        100_000,
        "Lines of forum.log that GET /api/forum/log serves when no ?limit= is given.",
    );
    FORUM_LOG_PAGE_MAX_LINES = count(
        "1000",
        1,
        100_000,
        "Most lines of forum.log one GET /api/forum/log page serves; a larger ?limit= is 400.",
    );
    FORUM_LOG_PAGE_MAX_BYTES = count(
        "262144",
        4096,
        1 << 30,
        "Most bytes of forum.log one page reads; the page ends earlier, and a longer line is served cut.",
    );
    FORUM_LOG_MAX_READERS = at_start(count(
        "4",
        1,
        1024,
        "Forum log pages read at once (GET /api/forum/log and its history); one more waits a second, then gets 503 with Retry-After.",
    ));
    SEARCH_QUERY_MAX_CHARS = at_start(count(
        "256",
        1,
        100_000,
        "Longest search text: GET /api/db/search answers 400 beyond it; the engines' searches are cut to it.",
    ));
    SEARCH_QUERY_MAX_TERMS = at_start(count(
        "64",
        1,
        10_000,
        "Most terms one search matches (all must match): 400 beyond it over HTTP; the engines' searches keep the first.",
    ));
    IMPORT_MAX_RECORD_BYTES = count(
        "1048576",
        1024,
        1 << 30,
        "Largest record db import reads: a longer JSON or JSONL record is skipped and reported; a longer CSV record refuses the file.",
    );
    // --- search providers (the engines build theirs when they start) ---
    TAVILY_API_KEY = restarts(secret("Tavily web search API key."), tree::Branch::Engines.path());
    BOCHA_WEB_SEARCH_API_KEY = restarts(secret("Bocha web search API key."), tree::Branch::Engines.path());
    BOCHA_BASE_URL = restarts(key(None, Kind::Url, "Bocha API base URL."), tree::Branch::Engines.path());
    SEARXNG_URL = restarts(
        key(None, Kind::Url, "A self-hosted SearXNG instance (JSON API)."),
        tree::Branch::Engines.path(),
    );
    SEARCH_TIMEOUT = restarts(
        count("240", 1, 3_600, "Seconds a search may take."),
        tree::Branch::Engines.path(),
    );
    // --- the original's search and report limits: accepted and shown, so its .env files load,
    // but nothing reads them yet ---
    SEARCH_CONTENT_MAX_LENGTH = count(
        "20000",
        100,
        1_000_000,
        "Characters of search content passed on.",
    );
    DEFAULT_SEARCH_HOT_CONTENT_LIMIT = count(
        "100",
        1,
        10_000,
        "Hot-content rows fetched.",
    );
    DEFAULT_SEARCH_TOPIC_GLOBALLY_LIMIT_PER_TABLE = count(
        "50",
        1,
        10_000,
        "Rows per table for a global topic search.",
    );
    DEFAULT_SEARCH_TOPIC_BY_DATE_LIMIT_PER_TABLE = count(
        "100",
        1,
        10_000,
        "Rows per table for a dated topic search.",
    );
    DEFAULT_GET_COMMENTS_FOR_TOPIC_LIMIT = count(
        "500",
        1,
        100_000,
        "Comments fetched per topic.",
    );
    DEFAULT_SEARCH_TOPIC_ON_PLATFORM_LIMIT = count(
        "200",
        1,
        10_000,
        "Rows for a topic on one platform.",
    );
    MAX_SEARCH_RESULTS_FOR_LLM = count(
        "0",
        0,
        10_000,
        "Search results passed to the LLM (0: no cap).",
    );
    MAX_HIGH_CONFIDENCE_SENTIMENT_RESULTS = count(
        "0",
        0,
        10_000,
        "High-confidence sentiment results kept (0: no cap).",
    );
    // --- access ---
    BETTAFISH_OPERATOR_TOKEN = fixed(secret(
        "Operator token for mutating routes; generated at first start if unset.",
    ));
    BETTAFISH_VIEWER_TOKEN = fixed(secret(
        "Viewer token for read routes when not bound to loopback.",
    ));
    // --- limits and timings ---
    BETTAFISH_MAX_BODY_BYTES = count(
        "1048576",
        1_024,
        1_073_741_824,
        "Largest request body accepted.",
    );
    BETTAFISH_REQUEST_TIMEOUT_SECS = count(
        "30",
        1,
        3_600,
        "Longest a request handler may take.",
    );
    BETTAFISH_SHUTDOWN_DEADLINE_SECS = at_start(count(
        "10",
        1,
        600,
        "Longest a graceful shutdown may take before the process exits anyway.",
    ));
    BETTAFISH_METRICS_INTERVAL_SECS = restarts(
        count(
            "5",
            1,
            3_600,
            "How often process metrics are collected.",
        ),
        tree::infra::METRICS_PATH,
    );
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
        "Comma-separated host names (no port) requests may address. Bound to loopback, localhost and loopback addresses are always allowed and other names are refused (421) unless listed, against DNS rebinding; elsewhere, every name is allowed unless this is set.",
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
