//! Configuration in layers — built-in defaults < `bettafish.toml` < `.env` < environment — read
//! into raw strings by key, then validated into a typed [`Config`] whose errors name the key.
//!
//! The original's key names are kept (`HOST`, `PORT`, `DB_*`, `*_ENGINE_*`…); the catalogue of
//! keys is in [`catalogue`]; `.env` editing in [`dotenv`].

pub mod catalogue;
mod database;
pub mod dotenv;
mod layers;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use thiserror::Error;

use catalogue::{Affects, Key, Kind};
use database::database_url;
pub use database::mask_url;
use dotenv::{Dotenv, DotenvError};
pub use layers::{load, Inputs, RawConfig};

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The built-in default.
    Default,
    /// `bettafish.toml`.
    Toml,
    /// `.env`.
    Dotenv,
    /// The process environment.
    Env,
}

/// A configuration problem, naming the key (and the layer it came from) where there is one.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A value that its key does not accept.
    #[error("{key} (from {layer:?}): {reason}")]
    Invalid {
        /// The key.
        key: String,
        /// Its layer.
        layer: Source,
        /// What is wrong.
        reason: String,
    },
    /// A key `POST /api/config` may not set, or that does not exist.
    #[error("{0} cannot be set through the API")]
    NotSettable(String),
    /// The TOML file does not parse.
    #[error("{path}: {reason}")]
    Toml {
        /// The file.
        path: String,
        /// The parser's message.
        reason: String,
    },
    /// The `.env` file does not parse or cannot be written.
    #[error(transparent)]
    Dotenv(#[from] DotenvError),
}

/// Checks one value against its key's kind.
///
/// # Errors
/// A sentence saying what the key expects.
pub fn validate_value(key: &Key, value: &str) -> Result<(), String> {
    if value.contains(['\r', '\n', '\0']) {
        return Err("contains a line break or NUL character".into());
    }
    match key.kind {
        Kind::Text | Kind::Path => Ok(()),
        Kind::Host => {
            let ok = value.parse::<IpAddr>().is_ok()
                || (!value.is_empty()
                    && value.len() <= 253
                    && value.split('.').all(|l| {
                        !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    }));
            if ok {
                Ok(())
            } else {
                Err(format!("`{value}` is not a host name or IP address"))
            }
        }
        // 0 asks the OS for a free port (tests, side-by-side instances).
        Kind::Port => match value.parse::<u16>() {
            Ok(_) => Ok(()),
            _ => Err(format!("`{value}` is not a port (0-65535)")),
        },
        Kind::Url => {
            const SCHEMES: [&str; 9] = [
                "http://",
                "https://",
                "postgres://",
                "postgresql://",
                "sqlite:",
                "mysql://",
                "redis://",
                "rediss://",
                "unix://",
            ];
            if SCHEMES.iter().any(|s| value.starts_with(s)) && value.len() > 7 {
                Ok(())
            } else {
                Err(format!(
                    "`{}` is not a URL this service understands",
                    mask_url(value)
                ))
            }
        }
        Kind::Count { min, max } => match value.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(()),
            _ => Err(format!("`{value}` is not a whole number in {min}..={max}")),
        },
        Kind::Choice(words) => {
            if words.contains(&value) {
                Ok(())
            } else {
                Err(format!("`{value}` is not one of {}", words.join(", ")))
            }
        }
        Kind::Dialect => match value.to_ascii_lowercase().as_str() {
            "sqlite" | "postgresql" | "postgres" => Ok(()),
            "mysql" => Err("MySQL is not supported; use postgresql or sqlite".into()),
            other => Err(format!(
                "`{other}` is not a database kind (sqlite, postgresql)"
            )),
        },
    }
}

/// The display form of a value: secrets masked (URLs keep all but the password).
pub fn display_value(key: &Key, value: &str) -> String {
    if !key.secret || value.is_empty() {
        return value.to_owned();
    }
    if key.kind == Kind::Url {
        return mask_url(value);
    }
    "********".to_owned()
}

/// Restart intensity and backoff for one supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SupervisionSettings {
    /// Restarts allowed per period.
    pub max_restarts: u32,
    /// The window, in seconds.
    pub period_secs: u64,
    /// First backoff delay for its children, in milliseconds.
    pub backoff_min_ms: u64,
    /// Longest backoff delay, in milliseconds.
    pub backoff_max_ms: u64,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind.
    pub host: String,
    /// Port to bind.
    pub port: u16,
    /// Where files live.
    pub data_dir: PathBuf,
    /// The `.env` file that `POST /api/config` edits.
    pub env_path: PathBuf,
    /// The log filter.
    pub log_filter: String,
    /// Operator token set explicitly (else generated at first start).
    pub operator_token: Option<String>,
    /// Viewer token for read routes off loopback.
    pub viewer_token: Option<String>,
    /// Largest request body.
    pub max_body_bytes: u64,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// Longest a graceful shutdown may take.
    pub shutdown_deadline: Duration,
    /// Process metrics interval.
    pub metrics_interval: Duration,
    /// Redis, for cross-node events (none: everything stays in process).
    pub redis_url: Option<String>,
    /// Prefix of Redis keys and channels.
    pub redis_prefix: String,
    /// The event bus's history and client queue limits.
    pub events: events::HubConfig,
    /// SSE heartbeat and WebSocket ping interval.
    pub heartbeat: Duration,
    /// Largest WebSocket message.
    pub ws_max_frame_bytes: usize,
    /// The database URL: `DATABASE_URL`, else built from `DB_DIALECT` and the `DB_*` keys
    /// (SQLite in the data directory by default).
    pub database_url: String,
    /// The key the database URL came from, for error messages.
    pub database_key: &'static str,
    /// The database pool.
    pub pool: storage::PoolSettings,
    /// Whether to load the sample corpus into an empty database at start.
    pub seed_sample: bool,
    /// The cache for search and LLM results.
    pub cache: storage::cache::CacheKind,
    /// Per supervisor segment (`ENGINES`…).
    pub supervision: BTreeMap<&'static str, SupervisionSettings>,
    /// Every layered value, for `GET /api/config`.
    pub raw: RawConfig,
}

fn required<'a>(raw: &'a RawConfig, key: &str) -> Result<&'a str, ConfigError> {
    raw.get(key).ok_or_else(|| ConfigError::Invalid {
        key: key.to_owned(),
        layer: Source::Default,
        reason: "has no value".into(),
    })
}

fn number<T: std::str::FromStr>(raw: &RawConfig, key: &str) -> Result<T, ConfigError> {
    let value = required(raw, key)?;
    value.parse().map_err(|_| ConfigError::Invalid {
        key: key.to_owned(),
        layer: raw.source(key).unwrap_or(Source::Default),
        reason: format!("`{value}` is not a number"),
    })
}

impl Config {
    /// Validates every known key, then builds the typed configuration.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the first bad key and its layer.
    pub fn from_raw(raw: RawConfig, env_path: &Path) -> Result<Self, ConfigError> {
        for (name, value, source) in raw.iter() {
            if let Some(key) = catalogue::find(name) {
                validate_value(&key, value).map_err(|reason| ConfigError::Invalid {
                    key: name.to_owned(),
                    layer: source,
                    reason,
                })?;
            }
        }
        let mut supervision = BTreeMap::new();
        for (segment, _) in catalogue::SUPERVISORS {
            let get =
                |setting: &str| number::<u64>(&raw, &format!("SUPERVISION_{segment}_{setting}"));
            let settings = SupervisionSettings {
                max_restarts: u32::try_from(get("MAX_RESTARTS")?).unwrap_or(u32::MAX),
                period_secs: get("PERIOD_SECS")?,
                backoff_min_ms: get("BACKOFF_MIN_MS")?,
                backoff_max_ms: get("BACKOFF_MAX_MS")?,
            };
            if settings.backoff_min_ms > settings.backoff_max_ms {
                let key = format!("SUPERVISION_{segment}_BACKOFF_MIN_MS");
                return Err(ConfigError::Invalid {
                    layer: raw.source(&key).unwrap_or(Source::Default),
                    key,
                    reason: "is greater than the matching BACKOFF_MAX_MS".into(),
                });
            }
            supervision.insert(*segment, settings);
        }
        let non_empty = |key: &str| raw.get(key).filter(|v| !v.is_empty()).map(str::to_owned);
        let data_dir = PathBuf::from(required(&raw, "BETTAFISH_DATA_DIR")?);
        let (database_url, database_key) = database_url(&raw, &data_dir)?;
        let invalid = |key: &str, reason: String| ConfigError::Invalid {
            key: key.to_owned(),
            layer: raw.source(key).unwrap_or(Source::Default),
            reason,
        };
        let pool = storage::PoolSettings {
            max_connections: number(&raw, "DB_POOL_SIZE")?,
            min_idle: number(&raw, "DB_POOL_MIN_IDLE")?,
            acquire_timeout: Duration::from_secs(number(&raw, "DB_ACQUIRE_TIMEOUT_SECS")?),
            max_lifetime: Duration::from_secs(number(&raw, "DB_MAX_LIFETIME_SECS")?),
            idle_timeout: Duration::from_secs(number(&raw, "DB_IDLE_TIMEOUT_SECS")?),
            test_before_acquire: required(&raw, "DB_TEST_BEFORE_ACQUIRE")? == "true",
        };
        if pool.min_idle > pool.max_connections {
            return Err(invalid(
                "DB_POOL_MIN_IDLE",
                "is greater than DB_POOL_SIZE".into(),
            ));
        }
        let cache = match required(&raw, "CACHE_TYPE")? {
            "sqlite" => storage::cache::CacheKind::Sqlite {
                path: data_dir.join("cache.sqlite3"),
            },
            "redis" => storage::cache::CacheKind::Redis {
                url: non_empty("REDIS_URL").ok_or_else(|| {
                    invalid("CACHE_TYPE", "is redis, but REDIS_URL is not set".into())
                })?,
                prefix: required(&raw, "BETTAFISH_REDIS_PREFIX")?.to_owned(),
            },
            _ => storage::cache::CacheKind::Memory {
                max_entries: number(&raw, "CACHE_MAX_ENTRIES")?,
                max_bytes: number(&raw, "CACHE_MAX_BYTES")?,
            },
        };
        let seed_sample = match required(&raw, "BETTAFISH_SAMPLE_DATA")? {
            "on" => true,
            "off" => false,
            // The embedded demo: the default SQLite file, nothing configured.
            _ => database_key == "DB_DIALECT" && database_url.starts_with("sqlite:"),
        };
        Ok(Self {
            host: required(&raw, "HOST")?.to_owned(),
            port: number(&raw, "PORT")?,
            data_dir,
            env_path: env_path.to_path_buf(),
            log_filter: required(&raw, "BETTAFISH_LOG")?.to_owned(),
            operator_token: non_empty("BETTAFISH_OPERATOR_TOKEN"),
            viewer_token: non_empty("BETTAFISH_VIEWER_TOKEN"),
            max_body_bytes: number(&raw, "BETTAFISH_MAX_BODY_BYTES")?,
            request_timeout: Duration::from_secs(number(&raw, "BETTAFISH_REQUEST_TIMEOUT_SECS")?),
            shutdown_deadline: Duration::from_secs(number(
                &raw,
                "BETTAFISH_SHUTDOWN_DEADLINE_SECS",
            )?),
            metrics_interval: Duration::from_secs(number(&raw, "BETTAFISH_METRICS_INTERVAL_SECS")?),
            redis_url: non_empty("REDIS_URL"),
            redis_prefix: required(&raw, "BETTAFISH_REDIS_PREFIX")?.to_owned(),
            events: events::HubConfig {
                history_max_events: number(&raw, "BETTAFISH_EVENT_HISTORY_MAX_EVENTS")?,
                history_max_age: Duration::from_secs(number(
                    &raw,
                    "BETTAFISH_EVENT_HISTORY_MAX_AGE_SECS",
                )?),
                client_queue: number(&raw, "BETTAFISH_CLIENT_QUEUE_EVENTS")?,
            },
            heartbeat: Duration::from_secs(number(&raw, "BETTAFISH_HEARTBEAT_SECS")?),
            ws_max_frame_bytes: number(&raw, "BETTAFISH_WS_MAX_FRAME_BYTES")?,
            database_url,
            database_key,
            seed_sample,
            pool,
            cache,
            supervision,
            raw,
        })
    }

    /// Loads and validates everything `inputs` points at.
    ///
    /// # Errors
    /// Any [`ConfigError`].
    pub fn load(inputs: &Inputs) -> Result<Self, ConfigError> {
        Self::from_raw(load(inputs)?, &inputs.env_path)
    }

    /// Whether the listener is on a loopback address (read routes are then open).
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost" || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// The supervision settings of the supervisor with this key segment (`ENGINES`…).
    pub fn supervision_for(&self, segment: &str) -> Option<SupervisionSettings> {
        self.supervision.get(segment).copied()
    }

    /// A whole-number key's value: validated when the configuration was loaded, and its
    /// catalogue default when no layer set it (0 only for a key that has neither).
    pub fn count(&self, key: &str) -> u64 {
        self.raw
            .get(key)
            .and_then(|v| v.parse().ok())
            .or_else(|| catalogue::find(key)?.default?.parse().ok())
            .unwrap_or(0)
    }

    /// The LLM endpoint configured under `prefix` (`QUERY_ENGINE`, `FORUM_HOST`…; see
    /// [`catalogue::LLM_ENDPOINTS`]): None unless its base URL and model name are set. The key
    /// is optional, for local OpenAI-compatible servers.
    pub fn llm(&self, prefix: &str) -> Option<llm::LlmConfig> {
        let label = catalogue::LLM_ENDPOINTS
            .iter()
            .find(|e| e.prefix == prefix)?
            .label;
        let get = |suffix: &str| {
            self.raw
                .get(&format!("{prefix}_{suffix}"))
                .filter(|v| !v.is_empty())
        };
        let mut llm =
            llm::LlmConfig::new(label, get("BASE_URL")?, get("API_KEY"), get("MODEL_NAME")?);
        // Every endpoint is called the same way; the keys always have a value (their default).
        let count = |key: &str| u32::try_from(self.count(key)).unwrap_or(u32::MAX);
        llm.attempt_timeout = Duration::from_secs(self.count("LLM_TIMEOUT"));
        llm.max_attempts = count("LLM_MAX_ATTEMPTS");
        llm.backoff_min = Duration::from_millis(self.count("LLM_BACKOFF_MIN_MS"));
        llm.backoff_max = llm.backoff_max.max(llm.backoff_min);
        llm.max_total_wait = Duration::from_secs(self.count("LLM_MAX_TOTAL_WAIT"));
        llm.circuit_failures = count("LLM_CIRCUIT_FAILURES");
        llm.circuit_cooldown = Duration::from_secs(self.count("LLM_CIRCUIT_COOLDOWN"));
        Some(llm)
    }

    /// Every known key with its display value and layer, secrets masked.
    pub fn describe(&self) -> Vec<KeyView> {
        catalogue::all()
            .into_iter()
            .map(|key| {
                let value = self.raw.get(key.name);
                KeyView {
                    key: key.name,
                    value: value.map(|v| display_value(&key, v)),
                    source: self.raw.source(key.name),
                    secret: key.secret,
                    settable: key.settable,
                    takes_effect: match key.affects {
                        Affects::Nothing => "now".into(),
                        Affects::Actor(path) => format!("restart of {path}"),
                        Affects::NextStart => "next start".into(),
                    },
                    doc: key.doc,
                }
            })
            .collect()
    }
}

/// One key as `GET /api/config` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct KeyView {
    /// The key.
    pub key: &'static str,
    /// Its value, masked if secret.
    pub value: Option<String>,
    /// Its layer.
    pub source: Option<Source>,
    /// Whether it is a secret.
    pub secret: bool,
    /// Whether the API may set it.
    pub settable: bool,
    /// When a change takes effect.
    pub takes_effect: String,
    /// What it does.
    pub doc: &'static str,
}

/// Validates `changes` against the catalogue, writes them to the `.env` file atomically and
/// returns the keys whose value actually changed.
///
/// # Errors
/// [`ConfigError::NotSettable`], [`ConfigError::Invalid`] (nothing is written then),
/// [`ConfigError::Dotenv`].
pub fn write_changes(
    current: &Config,
    changes: &BTreeMap<String, String>,
) -> Result<Vec<Key>, ConfigError> {
    let mut keys = Vec::new();
    for (name, value) in changes {
        let key = catalogue::find(name)
            .filter(|k| k.settable)
            .ok_or_else(|| ConfigError::NotSettable(name.clone()))?;
        validate_value(&key, value).map_err(|reason| ConfigError::Invalid {
            key: name.clone(),
            layer: Source::Dotenv,
            reason,
        })?;
        keys.push(key);
    }
    let mut dotenv = Dotenv::load(&current.env_path)?;
    let mut changed = Vec::new();
    for key in keys {
        let value = &changes[key.name];
        dotenv.set(key.name, value)?;
        if current.raw.get(key.name) != Some(value.as_str()) {
            changed.push(key);
        }
    }
    dotenv.save(&current.env_path)?;
    Ok(changed)
}

#[cfg(test)]
mod tests;
