//! The typed settings of each part of the service, built once when the configuration is
//! validated ([`super::Config::from_raw`]) and handed to the code that uses them: the engines,
//! the forum, search, the LLM endpoints, analyses, the supervisors, the event bus and the
//! event streams. Code outside
//! `config` reads these fields and never names a key.
//!
//! Each group reads its keys through a [`Reader`], in one function next to its fields, so a
//! reader of the code sees which keys feed which setting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use actors::engines::EngineKind;
use llm::LlmConfig;
use search::{Bocha, Provider, Searxng, Tavily};

use super::catalogue::{
    self, llm_key, supervision_key, LlmEndpoint, LlmSetting, SupervisionSetting, Supervisor,
};
use super::read::Reader;
use super::ConfigError;

/// How the research loop of every engine is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineSettings {
    /// Reflection rounds per paragraph (`MAX_REFLECTIONS`).
    pub reflections: u32,
    /// Most paragraphs a report plans (`MAX_PARAGRAPHS`).
    pub max_paragraphs: usize,
}

impl EngineSettings {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            reflections: keys.number(catalogue::MAX_REFLECTIONS)?,
            max_paragraphs: keys.number(catalogue::MAX_PARAGRAPHS)?,
        })
    }
}

/// The forum: how often the host speaks and which logs it writes and follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForumSettings {
    /// Agent messages per host message (`FORUM_HOST_EVERY`).
    pub host_every: usize,
    /// A `forum.log` other programs write, to follow (`FORUM_LOG_FOLLOW`).
    pub follow: Option<PathBuf>,
    /// The `forum.log` the forum writes, in the data directory.
    pub log_path: PathBuf,
}

impl ForumSettings {
    pub(super) fn read(keys: &Reader<'_>, data_dir: &Path) -> Result<Self, ConfigError> {
        Ok(Self {
            host_every: keys.number(catalogue::FORUM_HOST_EVERY)?,
            follow: keys.path(catalogue::FORUM_LOG_FOLLOW),
            log_path: data_dir.join("forum.log"),
        })
    }
}

/// The web search providers' keys and addresses, and how long a search may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSettings {
    /// How long one search may take (`SEARCH_TIMEOUT`).
    pub timeout: Duration,
    /// `TAVILY_API_KEY`.
    pub tavily_api_key: Option<String>,
    /// `BOCHA_WEB_SEARCH_API_KEY`.
    pub bocha_api_key: Option<String>,
    /// `BOCHA_BASE_URL` (Bocha's own when unset).
    pub bocha_base_url: Option<String>,
    /// `SEARXNG_URL`.
    pub searxng_url: Option<String>,
}

impl SearchSettings {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            timeout: keys.secs(catalogue::SEARCH_TIMEOUT)?,
            tavily_api_key: keys.owned(catalogue::TAVILY_API_KEY),
            bocha_api_key: keys.owned(catalogue::BOCHA_WEB_SEARCH_API_KEY),
            bocha_base_url: keys.owned(catalogue::BOCHA_BASE_URL),
            searxng_url: keys.owned(catalogue::SEARXNG_URL),
        })
    }

    /// Tavily, on when its key is set.
    pub fn tavily(&self) -> Provider {
        Tavily::provider(self.tavily_api_key.as_deref(), None, self.timeout)
    }

    /// Bocha, on when its key is set.
    pub fn bocha(&self) -> Provider {
        Bocha::provider(
            self.bocha_api_key.as_deref(),
            self.bocha_base_url.as_deref(),
            self.timeout,
        )
    }

    /// SearXNG, on when its URL is set.
    pub fn searxng(&self) -> Provider {
        Searxng::provider(self.searxng_url.as_deref(), self.timeout)
    }
}

/// How every LLM endpoint is called: timeouts, retries, the circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LlmCallSettings {
    /// One attempt's limit (`LLM_TIMEOUT`).
    pub attempt_timeout: Duration,
    /// Attempts per call (`LLM_MAX_ATTEMPTS`).
    pub max_attempts: u32,
    /// The first wait between attempts (`LLM_BACKOFF_MIN_MS`).
    pub backoff_min: Duration,
    /// All the waiting one call may do (`LLM_MAX_TOTAL_WAIT`).
    pub max_total_wait: Duration,
    /// Failed calls in a row that open the circuit (`LLM_CIRCUIT_FAILURES`).
    pub circuit_failures: u32,
    /// How long an open circuit leaves the endpoint alone (`LLM_CIRCUIT_COOLDOWN`).
    pub circuit_cooldown: Duration,
}

impl LlmCallSettings {
    fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            attempt_timeout: keys.secs(catalogue::LLM_TIMEOUT)?,
            max_attempts: keys.number(catalogue::LLM_MAX_ATTEMPTS)?,
            backoff_min: keys.millis(catalogue::LLM_BACKOFF_MIN_MS)?,
            max_total_wait: keys.secs(catalogue::LLM_MAX_TOTAL_WAIT)?,
            circuit_failures: keys.number(catalogue::LLM_CIRCUIT_FAILURES)?,
            circuit_cooldown: keys.secs(catalogue::LLM_CIRCUIT_COOLDOWN)?,
        })
    }
}

/// The LLM endpoints that are configured, each with the call settings applied.
#[derive(Debug, Clone)]
pub struct LlmSettings {
    /// How every endpoint is called.
    pub call: LlmCallSettings,
    /// The endpoints whose base URL and model name are both set.
    endpoints: BTreeMap<LlmEndpoint, LlmConfig>,
}

impl LlmSettings {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        let call = LlmCallSettings::read(keys)?;
        let mut endpoints = BTreeMap::new();
        for endpoint in LlmEndpoint::ALL {
            let setting = |s| keys.optional(llm_key(endpoint, s));
            // Read all three, so each is known to feed this endpoint.
            let (base_url, api_key, model) = (
                setting(LlmSetting::BaseUrl),
                setting(LlmSetting::ApiKey),
                setting(LlmSetting::ModelName),
            );
            let (Some(base_url), Some(model)) = (base_url, model) else {
                continue;
            };
            let mut llm = LlmConfig::new(endpoint.label(), base_url, api_key, model);
            llm.attempt_timeout = call.attempt_timeout;
            llm.max_attempts = call.max_attempts;
            llm.backoff_min = call.backoff_min;
            llm.backoff_max = llm.backoff_max.max(call.backoff_min);
            llm.max_total_wait = call.max_total_wait;
            llm.circuit_failures = call.circuit_failures;
            llm.circuit_cooldown = call.circuit_cooldown;
            endpoints.insert(endpoint, llm);
        }
        Ok(Self { call, endpoints })
    }

    /// The endpoint's settings: None unless its base URL and model name are both set (the key
    /// is optional, for local OpenAI-compatible servers).
    pub fn endpoint(&self, endpoint: LlmEndpoint) -> Option<&LlmConfig> {
        self.endpoints.get(&endpoint)
    }

    /// Why an endpoint has no settings, naming its keys for the operator.
    pub fn why_not_configured(endpoint: LlmEndpoint) -> String {
        format!(
            "{} and {} are not both set",
            llm_key(endpoint, LlmSetting::BaseUrl).name,
            llm_key(endpoint, LlmSetting::ModelName).name
        )
    }

    /// The endpoint an engine asks.
    pub fn for_engine(&self, kind: EngineKind) -> Option<&LlmConfig> {
        self.endpoint(match kind {
            EngineKind::Query => LlmEndpoint::Query,
            EngineKind::Media => LlmEndpoint::Media,
            EngineKind::Insight => LlmEndpoint::Insight,
        })
    }
}

/// Analysis sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalysisSettings {
    /// How long each engine may take in an analysis (`ANALYSIS_ENGINE_TIMEOUT`).
    pub engine_timeout: Duration,
}

impl AnalysisSettings {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            engine_timeout: keys.secs(catalogue::ANALYSIS_ENGINE_TIMEOUT)?,
        })
    }
}

/// Report tasks and the evidence they are written from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSettings {
    /// Tasks this instance writes at once (`REPORT_MAX_RUNNING`; read at start).
    pub max_running: usize,
    /// Tasks waiting in the queue before one more is refused (`REPORT_MAX_PENDING`; read at
    /// start).
    pub max_pending: usize,
    /// How the shared queue is worked (`REPORT_LEASE_SECS`, `REPORT_MAX_ATTEMPTS`,
    /// `REPORT_POLL_MS`).
    pub queue: actors::reports::engine::QueueSettings,
    /// Whether an analysis ends by queuing its report (`REPORT_AUTO`).
    pub auto: bool,
    /// Most items in an evidence set (`EVIDENCE_MAX_ITEMS`).
    pub evidence_max_items: usize,
    /// The UTC offset days are counted in (`BETTAFISH_TIME_ZONE`).
    pub time_zone: time::UtcOffset,
    /// The browser that prints PDFs (`BETTAFISH_CHROMIUM`; else one on PATH).
    pub chromium: Option<std::path::PathBuf>,
}

impl ReportSettings {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        let zone = keys.text(catalogue::BETTAFISH_TIME_ZONE)?;
        let time_zone = text_analysis::time_zone::parse_offset(zone)
            .map_err(|e| keys.invalid(catalogue::BETTAFISH_TIME_ZONE, e.to_string()))?;
        Ok(Self {
            max_running: keys.number(catalogue::REPORT_MAX_RUNNING)?,
            max_pending: keys.number(catalogue::REPORT_MAX_PENDING)?,
            queue: actors::reports::engine::QueueSettings {
                lease: keys.secs(catalogue::REPORT_LEASE_SECS)?,
                max_attempts: keys.number(catalogue::REPORT_MAX_ATTEMPTS)?,
                poll: keys.millis(catalogue::REPORT_POLL_MS)?,
            },
            auto: keys.text(catalogue::REPORT_AUTO)? == "true",
            evidence_max_items: keys.number(catalogue::EVIDENCE_MAX_ITEMS)?,
            time_zone,
            chromium: keys.path(catalogue::BETTAFISH_CHROMIUM),
        })
    }
}

/// Limits on untrusted input: what a client's request or an imported file may make the
/// service read, hold or run (issue 12). One group, so every such limit is found in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// Analyses running at once before one more is refused with 429 (`ANALYSIS_MAX_RUNNING`;
    /// read when the analyses branch starts).
    pub analysis_max_running: usize,
    /// Forum log lines per page when the client names none (`FORUM_LOG_PAGE_LINES`).
    pub forum_page_lines: usize,
    /// Most forum log lines per page (`FORUM_LOG_PAGE_MAX_LINES`).
    pub forum_page_max_lines: usize,
    /// Most forum log bytes one page reads (`FORUM_LOG_PAGE_MAX_BYTES`).
    pub forum_page_max_bytes: usize,
    /// Forum log pages read at once (`FORUM_LOG_MAX_READERS`; read at start).
    pub forum_max_readers: usize,
    /// How much one search may ask for (`SEARCH_QUERY_MAX_CHARS`, `SEARCH_QUERY_MAX_TERMS`).
    pub search: storage::terms::QueryLimits,
    /// Largest record `db import` reads (`IMPORT_MAX_RECORD_BYTES`).
    pub import_max_record_bytes: usize,
}

impl InputLimits {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        let forum_page_lines = keys.number(catalogue::FORUM_LOG_PAGE_LINES)?;
        let forum_page_max_lines = keys.number(catalogue::FORUM_LOG_PAGE_MAX_LINES)?;
        if forum_page_lines > forum_page_max_lines {
            return Err(keys.invalid(
                catalogue::FORUM_LOG_PAGE_LINES,
                format!("is more than FORUM_LOG_PAGE_MAX_LINES ({forum_page_max_lines})"),
            ));
        }
        Ok(Self {
            analysis_max_running: keys.number(catalogue::ANALYSIS_MAX_RUNNING)?,
            forum_page_lines,
            forum_page_max_lines,
            forum_page_max_bytes: keys.number(catalogue::FORUM_LOG_PAGE_MAX_BYTES)?,
            forum_max_readers: keys.number(catalogue::FORUM_LOG_MAX_READERS)?,
            search: storage::terms::QueryLimits {
                max_chars: keys.number(catalogue::SEARCH_QUERY_MAX_CHARS)?,
                max_terms: keys.number(catalogue::SEARCH_QUERY_MAX_TERMS)?,
            },
            import_max_record_bytes: keys.number(catalogue::IMPORT_MAX_RECORD_BYTES)?,
        })
    }
}

/// Restart intensity and backoff for one supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupervisionSettings {
    /// Restarts allowed per period.
    pub max_restarts: u32,
    /// The intensity window.
    pub period: Duration,
    /// First backoff delay for its children.
    pub backoff_min: Duration,
    /// Longest backoff delay.
    pub backoff_max: Duration,
}

/// Every configurable supervisor's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervision {
    root: SupervisionSettings,
    infra: SupervisionSettings,
    engines: SupervisionSettings,
    crawlers: SupervisionSettings,
    reports: SupervisionSettings,
    analyses: SupervisionSettings,
}

impl Supervision {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        let one = |supervisor| -> Result<SupervisionSettings, ConfigError> {
            let key = |setting| supervision_key(supervisor, setting);
            let settings = SupervisionSettings {
                max_restarts: keys.number(key(SupervisionSetting::MaxRestarts))?,
                period: keys.secs(key(SupervisionSetting::PeriodSecs))?,
                backoff_min: keys.millis(key(SupervisionSetting::BackoffMinMs))?,
                backoff_max: keys.millis(key(SupervisionSetting::BackoffMaxMs))?,
            };
            if settings.backoff_min > settings.backoff_max {
                return Err(keys.invalid(
                    key(SupervisionSetting::BackoffMinMs),
                    "is greater than the matching BACKOFF_MAX_MS",
                ));
            }
            Ok(settings)
        };
        Ok(Self {
            root: one(Supervisor::Root)?,
            infra: one(Supervisor::Infra)?,
            engines: one(Supervisor::Engines)?,
            crawlers: one(Supervisor::Crawlers)?,
            reports: one(Supervisor::Reports)?,
            analyses: one(Supervisor::Analyses)?,
        })
    }

    /// The settings of `supervisor`.
    pub fn of(&self, supervisor: Supervisor) -> SupervisionSettings {
        match supervisor {
            Supervisor::Root => self.root,
            Supervisor::Infra => self.infra,
            Supervisor::Engines => self.engines,
            Supervisor::Crawlers => self.crawlers,
            Supervisor::Reports => self.reports,
            Supervisor::Analyses => self.analyses,
        }
    }
}

/// Maximum-size events the history must be able to hold at once (in stored bytes), so that
/// a resume can span a few of them.
const HISTORY_HOLDS_MAX_EVENTS: usize = 4;

/// The event bus's limits: history, event size, client queues and replay pages.
pub(super) fn event_hub(keys: &Reader<'_>) -> Result<events::HubConfig, ConfigError> {
    let hub = events::HubConfig {
        history_max_events: keys.number(catalogue::BETTAFISH_EVENT_HISTORY_MAX_EVENTS)?,
        history_max_bytes: keys.number(catalogue::BETTAFISH_EVENT_HISTORY_MAX_BYTES)?,
        history_max_age: keys.secs(catalogue::BETTAFISH_EVENT_HISTORY_MAX_AGE_SECS)?,
        client_queue: keys.number(catalogue::BETTAFISH_CLIENT_QUEUE_EVENTS)?,
        client_queue_bytes: keys.number(catalogue::BETTAFISH_CLIENT_QUEUE_BYTES)?,
        max_event_bytes: keys.number(catalogue::BETTAFISH_EVENT_MAX_BYTES)?,
        replay_page_events: keys.number(catalogue::BETTAFISH_REPLAY_PAGE_EVENTS)?,
        replay_page_bytes: keys.number(catalogue::BETTAFISH_REPLAY_PAGE_BYTES)?,
    };
    // The history counts what an event costs to keep — its payload three times (as it is and
    // in its two rendered frames) plus names and frame fields — not its payload alone: a
    // history sized for one payload would be emptied by every maximum-size event, and no
    // client could resume across one.
    let least = HISTORY_HOLDS_MAX_EVENTS
        .saturating_mul(events::Event::stored_bytes_at_most(hub.max_event_bytes));
    if hub.history_max_bytes < least {
        return Err(keys.invalid(
            catalogue::BETTAFISH_EVENT_HISTORY_MAX_BYTES,
            format!(
                "must hold at least {HISTORY_HOLDS_MAX_EVENTS} events of BETTAFISH_EVENT_MAX_BYTES \
                 ({}) as stored — each payload three times (as it is and in its two rendered \
                 frames) plus up to {} bytes —, that is at least {least}; raise it or lower \
                 BETTAFISH_EVENT_MAX_BYTES",
                hub.max_event_bytes,
                events::Event::STORED_OVERHEAD_MAX,
            ),
        ));
    }
    Ok(hub)
}

/// How the event streams (SSE and WebSocket) write to their clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSettings {
    /// Most bytes of small events one SSE write joins (`BETTAFISH_SSE_COALESCE_BYTES`).
    pub sse_coalesce_bytes: usize,
    /// Longest a WebSocket write may stall (`BETTAFISH_WS_SEND_TIMEOUT_SECS`).
    pub ws_send_timeout: Duration,
}

impl StreamSettings {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            sse_coalesce_bytes: keys.number(catalogue::BETTAFISH_SSE_COALESCE_BYTES)?,
            ws_send_timeout: keys.secs(catalogue::BETTAFISH_WS_SEND_TIMEOUT_SECS)?,
        })
    }
}

// --- the connection layer and request guards (src/http/listener.rs, guards.rs, rate_limit.rs) ---

/// How client connections are bounded: how many, how long each may wait, how big a head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// Most open connections (`BETTAFISH_MAX_CONNECTIONS`), before the file-descriptor clamp.
    pub max_connections: usize,
    /// Descriptors kept out of the cap for everything else (`BETTAFISH_FD_RESERVE`).
    pub fd_reserve: usize,
    /// Silence allowed before a connection's first byte (`BETTAFISH_FIRST_BYTE_TIMEOUT_MS`).
    pub first_byte_timeout: Duration,
    /// From a head's first byte to its end (`BETTAFISH_HEAD_TIMEOUT_MS`).
    pub head_timeout: Duration,
    /// Idle time between two requests of a kept-alive connection
    /// (`BETTAFISH_KEEPALIVE_TIMEOUT_MS`).
    pub keepalive_timeout: Duration,
    /// From a head's end to its body's end (`BETTAFISH_BODY_TIMEOUT_MS`).
    pub body_timeout: Duration,
    /// Largest request head (`BETTAFISH_MAX_HEAD_BYTES`).
    pub max_head_bytes: usize,
}

impl ConnectionSettings {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            max_connections: keys.number(catalogue::BETTAFISH_MAX_CONNECTIONS)?,
            fd_reserve: keys.number(catalogue::BETTAFISH_FD_RESERVE)?,
            first_byte_timeout: keys.millis(catalogue::BETTAFISH_FIRST_BYTE_TIMEOUT_MS)?,
            head_timeout: keys.millis(catalogue::BETTAFISH_HEAD_TIMEOUT_MS)?,
            keepalive_timeout: keys.millis(catalogue::BETTAFISH_KEEPALIVE_TIMEOUT_MS)?,
            body_timeout: keys.millis(catalogue::BETTAFISH_BODY_TIMEOUT_MS)?,
            max_head_bytes: keys.number(catalogue::BETTAFISH_MAX_HEAD_BYTES)?,
        })
    }
}

/// Which names requests may address and which web pages may talk to the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginSettings {
    /// Host names, lower case, without port (`BETTAFISH_ALLOWED_HOSTS`).
    pub allowed_hosts: Vec<String>,
    /// Origins allowed WebSockets besides the server's own (`BETTAFISH_ALLOWED_ORIGINS`).
    pub allowed_origins: Vec<String>,
    /// Origins allowed cross-origin requests; empty: CORS off (`BETTAFISH_CORS_ORIGINS`).
    pub cors_origins: Vec<String>,
}

impl OriginSettings {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        let hosts = catalogue::BETTAFISH_ALLOWED_HOSTS;
        let allowed_hosts = list(keys.text(hosts)?);
        if let Some(bad) = allowed_hosts.iter().find(|h| !is_host_name(h)) {
            return Err(keys.invalid(
                hosts,
                format!("`{bad}` is not a host name or IP address (give no scheme or port)"),
            ));
        }
        let allowed_hosts = allowed_hosts.iter().map(|h| host_as_in_header(h)).collect();
        let origins = |key: catalogue::Key| -> Result<Vec<String>, ConfigError> {
            let origins = list(keys.text(key)?);
            match origins.iter().find(|o| !is_origin(o)) {
                Some(bad) => Err(keys.invalid(
                    key,
                    format!("`{bad}` is not an origin (scheme://host[:port], no path)"),
                )),
                None => Ok(origins),
            }
        };
        Ok(Self {
            allowed_hosts,
            allowed_origins: origins(catalogue::BETTAFISH_ALLOWED_ORIGINS)?,
            cors_origins: origins(catalogue::BETTAFISH_CORS_ORIGINS)?,
        })
    }
}

/// The non-empty, lower-cased items of a comma-separated list.
fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|item| item.trim().to_ascii_lowercase())
        .filter(|item| !item.is_empty())
        .collect()
}

/// A DNS name or an IP address (IPv6 in brackets or not), without port.
fn is_host_name(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>().is_ok()
        || (host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }))
}

/// A listed host name as requests spell it in `Host`: an IPv6 address in brackets (given
/// bare or bracketed), anything else as it is.
fn host_as_in_header(host: &str) -> String {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => format!("[{v6}]"),
        _ => host.to_owned(),
    }
}

/// `http(s)://host[:port]`, as a browser sends it in `Origin`.
fn is_origin(origin: &str) -> bool {
    let Some(authority) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && port.parse::<u16>().is_ok() => host,
        _ => authority,
    };
    is_host_name(host)
}

/// One token bucket's shape: `per_sec` requests a second on average, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The refill rate; 0 turns the limit off.
    pub per_sec: u32,
    /// The bucket's size.
    pub burst: u32,
}

impl RateLimit {
    /// Whether requests are limited at all.
    pub fn is_on(self) -> bool {
        self.per_sec > 0
    }
}

/// Request rate limits, per client address and per bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Per client address (`BETTAFISH_RATE_LIMIT_ADDRESS_*`).
    pub per_address: RateLimit,
    /// Per bearer token (`BETTAFISH_RATE_LIMIT_TOKEN_*`).
    pub per_token: RateLimit,
    /// Addresses tracked at once (`BETTAFISH_RATE_LIMIT_MAX_CLIENTS`).
    pub max_clients: usize,
    /// Whether loopback peers are limited by address (`BETTAFISH_RATE_LIMIT_LOOPBACK`).
    pub limit_loopback: bool,
}

impl RateLimitSettings {
    pub(super) fn read(keys: &Reader<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            per_address: RateLimit {
                per_sec: keys.number(catalogue::BETTAFISH_RATE_LIMIT_ADDRESS_PER_SEC)?,
                burst: keys.number(catalogue::BETTAFISH_RATE_LIMIT_ADDRESS_BURST)?,
            },
            per_token: RateLimit {
                per_sec: keys.number(catalogue::BETTAFISH_RATE_LIMIT_TOKEN_PER_SEC)?,
                burst: keys.number(catalogue::BETTAFISH_RATE_LIMIT_TOKEN_BURST)?,
            },
            max_clients: keys.number(catalogue::BETTAFISH_RATE_LIMIT_MAX_CLIENTS)?,
            limit_loopback: keys.text(catalogue::BETTAFISH_RATE_LIMIT_LOOPBACK)? == "true",
        })
    }
}
