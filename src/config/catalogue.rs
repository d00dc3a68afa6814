//! The catalogue of configuration keys: one flat entry per key, with its default, kind, whether
//! it is a secret, whether `POST /api/config` may set it, and which actor it belongs to.
//!
//! A flat catalogue on purpose (like ripgrep's flag definitions): find a key by its name. The
//! original BettaFish's keys keep their names; ours are prefixed `BETTAFISH_` or `SUPERVISION_`.

mod generated;

pub use generated::{all, find, LlmEndpoint, LLM_ENDPOINTS, SUPERVISION_SETTINGS, SUPERVISORS};

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

const fn key(
    name: &'static str,
    default: Option<&'static str>,
    kind: Kind,
    doc: &'static str,
) -> Key {
    Key {
        name,
        default,
        kind,
        secret: false,
        settable: true,
        affects: Affects::Nothing,
        doc,
    }
}

const fn secret(name: &'static str, doc: &'static str) -> Key {
    Key {
        secret: true,
        ..key(name, None, Kind::Text, doc)
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

const fn count(
    name: &'static str,
    default: &'static str,
    min: u64,
    max: u64,
    doc: &'static str,
) -> Key {
    key(name, Some(default), Kind::Count { min, max }, doc)
}

/// Every key with a fixed name. `SUPERVISION_<SUPERVISOR>_<SETTING>` keys and the LLM
/// endpoints' `<PREFIX>_API_KEY|BASE_URL|MODEL_NAME` are generated ([`generated`]).
pub const KEYS: &[Key] = &[
    // --- the listener and files (the original's HOST/PORT) ---
    at_start(key(
        "HOST",
        Some("127.0.0.1"),
        Kind::Host,
        "Address the HTTP server binds.",
    )),
    at_start(key(
        "PORT",
        Some("5000"),
        Kind::Port,
        "Port the HTTP server binds.",
    )),
    fixed(at_start(key(
        "BETTAFISH_DATA_DIR",
        Some("./data"),
        Kind::Path,
        "Directory for the database, logs, reports and the token file.",
    ))),
    fixed(at_start(key(
        "BETTAFISH_CONFIG",
        Some("bettafish.toml"),
        Kind::Path,
        "The TOML configuration file.",
    ))),
    fixed(at_start(key(
        "BETTAFISH_ENV_FILE",
        Some(".env"),
        Kind::Path,
        "The .env file read at start and written by POST /api/config.",
    ))),
    key(
        "BETTAFISH_LOG",
        Some("info"),
        Kind::Text,
        "Log filter (tracing EnvFilter syntax).",
    ),
    // --- database (the original's DB_* keys, or DATABASE_URL) ---
    at_start(key(
        "DB_DIALECT",
        Some("sqlite"),
        Kind::Dialect,
        "Database kind: sqlite (embedded) or postgresql.",
    )),
    at_start(key("DB_HOST", None, Kind::Host, "PostgreSQL host.")),
    at_start(key("DB_PORT", Some("5432"), Kind::Port, "PostgreSQL port.")),
    at_start(key("DB_USER", None, Kind::Text, "PostgreSQL user.")),
    at_start(secret("DB_PASSWORD", "PostgreSQL password.")),
    at_start(key("DB_NAME", None, Kind::Text, "PostgreSQL database.")),
    at_start(key(
        "DB_CHARSET",
        Some("utf8mb4"),
        Kind::Text,
        "Kept for the original's MySQL setups; PostgreSQL and SQLite use UTF-8.",
    )),
    Key {
        secret: true,
        ..at_start(key(
            "DATABASE_URL",
            None,
            Kind::Url,
            "Database URL; wins over the DB_* keys.",
        ))
    },
    at_start(count(
        "DB_POOL_SIZE",
        "10",
        1,
        1000,
        "Most database connections open at once.",
    )),
    at_start(count(
        "DB_POOL_MIN_IDLE",
        "0",
        0,
        1000,
        "Database connections kept open while idle.",
    )),
    at_start(count(
        "DB_ACQUIRE_TIMEOUT_SECS",
        "3",
        1,
        300,
        "Longest wait for a database connection before a request answers 503.",
    )),
    at_start(count(
        "DB_MAX_LIFETIME_SECS",
        "1800",
        60,
        86400,
        "Database connections are replaced after this long.",
    )),
    at_start(count(
        "DB_IDLE_TIMEOUT_SECS",
        "600",
        10,
        86400,
        "Idle database connections above the minimum close after this long.",
    )),
    at_start(key(
        "DB_TEST_BEFORE_ACQUIRE",
        Some("true"),
        Kind::Choice(&["true", "false"]),
        "Check each pooled database connection before handing it out.",
    )),
    at_start(key(
        "BETTAFISH_SAMPLE_DATA",
        Some("auto"),
        Kind::Choice(&["auto", "on", "off"]),
        "Load the built-in sample corpus (fictional, labelled) into an empty database at start: auto does so only for the embedded SQLite default.",
    )),
    at_start(key(
        "CACHE_TYPE",
        Some("memory"),
        Kind::Choice(&["memory", "sqlite", "redis"]),
        "Cache for search and LLM results: memory, sqlite (a file in the data directory) or redis (needs REDIS_URL).",
    )),
    at_start(count(
        "CACHE_MAX_ENTRIES",
        "10000",
        1,
        100_000_000,
        "Most entries the memory cache holds.",
    )),
    at_start(count(
        "CACHE_MAX_BYTES",
        "67108864",
        1024,
        1 << 40,
        "Most bytes the memory cache holds.",
    )),
    Key {
        secret: true,
        ..at_start(key(
            "REDIS_URL",
            None,
            Kind::Url,
            "Redis URL: cross-node events, shared history, cache.",
        ))
    },
    // --- the forum ---
    restarts(
        count(
            "FORUM_HOST_EVERY",
            "5",
            1,
            100,
            "Agent messages per host message in the forum.",
        ),
        "root/engines/forum",
    ),
    restarts(
        key(
            "FORUM_LOG_FOLLOW",
            None,
            Kind::Path,
            "A forum.log written by other programs (the original's engines) for the forum to follow.",
        ),
        "root/engines/forum",
    ),
    // --- how every LLM endpoint is called ---
    restarts(
        count(
            "LLM_TIMEOUT",
            "180",
            1,
            3_600,
            "Seconds one LLM attempt may take.",
        ),
        "root/engines",
    ),
    restarts(
        count(
            "LLM_MAX_ATTEMPTS",
            "4",
            1,
            10,
            "Attempts per LLM call (429, 5xx, timeouts and broken connections are retried).",
        ),
        "root/engines",
    ),
    restarts(
        count(
            "LLM_BACKOFF_MIN_MS",
            "500",
            1,
            60_000,
            "The first wait between LLM attempts, doubled each time (jittered); Retry-After wins when longer.",
        ),
        "root/engines",
    ),
    restarts(
        count(
            "LLM_MAX_TOTAL_WAIT",
            "60",
            0,
            3_600,
            "Seconds an LLM call may spend waiting between attempts in all.",
        ),
        "root/engines",
    ),
    restarts(
        count(
            "LLM_CIRCUIT_FAILURES",
            "5",
            1,
            100,
            "Failed LLM calls in a row after which the endpoint is left alone (built-in analysis stands in).",
        ),
        "root/engines",
    ),
    restarts(
        count(
            "LLM_CIRCUIT_COOLDOWN",
            "60",
            1,
            86_400,
            "Seconds a failing LLM endpoint is left alone before one call probes it.",
        ),
        "root/engines",
    ),
    // --- the engines and analyses ---
    restarts(
        count(
            "MAX_REFLECTIONS",
            "2",
            0,
            10,
            "Reflection rounds (search again for what is missing, rewrite) per report paragraph.",
        ),
        "root/engines",
    ),
    restarts(
        count(
            "MAX_PARAGRAPHS",
            "5",
            1,
            20,
            "Most paragraphs an engine's report plans.",
        ),
        "root/engines",
    ),
    count(
        "ANALYSIS_ENGINE_TIMEOUT",
        "600",
        1,
        86_400,
        "Seconds each engine may take in an analysis before its job is cancelled.",
    ),
    // --- search providers ---
    secret("TAVILY_API_KEY", "Tavily web search API key."),
    secret("BOCHA_WEB_SEARCH_API_KEY", "Bocha web search API key."),
    key("BOCHA_BASE_URL", None, Kind::Url, "Bocha API base URL."),
    key(
        "SEARXNG_URL",
        None,
        Kind::Url,
        "A self-hosted SearXNG instance (JSON API).",
    ),
    // --- search and report limits (the original's tunables) ---
    count(
        "SEARCH_TIMEOUT",
        "240",
        1,
        3_600,
        "Seconds a search may take.",
    ),
    count(
        "SEARCH_CONTENT_MAX_LENGTH",
        "20000",
        100,
        1_000_000,
        "Characters of search content passed on.",
    ),
    count(
        "MAX_REFLECTIONS",
        "2",
        0,
        10,
        "Reflection rounds per paragraph.",
    ),
    count(
        "MAX_PARAGRAPHS",
        "5",
        1,
        20,
        "Paragraphs planned per report.",
    ),
    count(
        "DEFAULT_SEARCH_HOT_CONTENT_LIMIT",
        "100",
        1,
        10_000,
        "Hot-content rows fetched.",
    ),
    count(
        "DEFAULT_SEARCH_TOPIC_GLOBALLY_LIMIT_PER_TABLE",
        "50",
        1,
        10_000,
        "Rows per table for a global topic search.",
    ),
    count(
        "DEFAULT_SEARCH_TOPIC_BY_DATE_LIMIT_PER_TABLE",
        "100",
        1,
        10_000,
        "Rows per table for a dated topic search.",
    ),
    count(
        "DEFAULT_GET_COMMENTS_FOR_TOPIC_LIMIT",
        "500",
        1,
        100_000,
        "Comments fetched per topic.",
    ),
    count(
        "DEFAULT_SEARCH_TOPIC_ON_PLATFORM_LIMIT",
        "200",
        1,
        10_000,
        "Rows for a topic on one platform.",
    ),
    count(
        "MAX_SEARCH_RESULTS_FOR_LLM",
        "0",
        0,
        10_000,
        "Search results passed to the LLM (0: no cap).",
    ),
    count(
        "MAX_HIGH_CONFIDENCE_SENTIMENT_RESULTS",
        "0",
        0,
        10_000,
        "High-confidence sentiment results kept (0: no cap).",
    ),
    // --- access ---
    fixed(secret(
        "BETTAFISH_OPERATOR_TOKEN",
        "Operator token for mutating routes; generated at first start if unset.",
    )),
    fixed(secret(
        "BETTAFISH_VIEWER_TOKEN",
        "Viewer token for read routes when not bound to loopback.",
    )),
    // --- limits and timings ---
    count(
        "BETTAFISH_MAX_BODY_BYTES",
        "1048576",
        1_024,
        1_073_741_824,
        "Largest request body accepted.",
    ),
    count(
        "BETTAFISH_REQUEST_TIMEOUT_SECS",
        "30",
        1,
        3_600,
        "Longest a request handler may take.",
    ),
    count(
        "BETTAFISH_SHUTDOWN_DEADLINE_SECS",
        "10",
        1,
        600,
        "Longest a graceful shutdown may take before the process exits anyway.",
    ),
    restarts(
        count(
            "BETTAFISH_METRICS_INTERVAL_SECS",
            "5",
            1,
            3_600,
            "How often process metrics are collected.",
        ),
        "root/infra/metrics",
    ),
    // --- real-time delivery ---
    at_start(key(
        "BETTAFISH_REDIS_PREFIX",
        Some("bettafish"),
        Kind::Text,
        "Prefix of this deployment's Redis keys and channels (instances sharing it form one cluster).",
    )),
    at_start(count(
        "BETTAFISH_EVENT_HISTORY_MAX_EVENTS",
        "10000",
        0,
        10_000_000,
        "Events kept for clients that resume (all topics together).",
    )),
    at_start(count(
        "BETTAFISH_EVENT_HISTORY_MAX_AGE_SECS",
        "3600",
        1,
        604_800,
        "How long an event is kept for clients that resume.",
    )),
    at_start(count(
        "BETTAFISH_CLIENT_QUEUE_EVENTS",
        "1024",
        1,
        1_000_000,
        "Events a client may fall behind before it is told it lags and is disconnected.",
    )),
    count(
        "BETTAFISH_HEARTBEAT_SECS",
        "15",
        1,
        15,
        "Interval of SSE heartbeat comments and WebSocket pings.",
    ),
    count(
        "BETTAFISH_WS_MAX_FRAME_BYTES",
        "65536",
        1_024,
        16_777_216,
        "Largest WebSocket message accepted; larger ones close the connection with 1009.",
    ),
];
