//! Configuration in layers — built-in defaults < `bettafish.toml` < `.env` < environment — read
//! into raw strings by key, then validated into a typed [`Config`] whose errors name the key
//! and its layer.
//!
//! The original's key names are kept (`HOST`, `PORT`, `DB_*`, `*_ENGINE_*`…); the catalogue of
//! keys is in [`catalogue`]; the typed settings each part of the service receives in
//! [`settings`]; `.env` editing in [`dotenv`]. Only this module names keys: everything else
//! reads [`Config`]'s fields, and [`Config::raw`] is kept for `GET /api/config`'s display and
//! for telling which keys a reload changed.

pub mod catalogue;
mod database;
pub mod dotenv;
mod layers;
mod read;
pub mod settings;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use thiserror::Error;

use catalogue::{Affects, Key, Kind};
pub use catalogue::{LlmEndpoint, Supervisor};
use database::database_url;
pub use database::mask_url;
use dotenv::{Dotenv, DotenvError};
pub use layers::{load, Inputs, RawConfig};
use read::Reader;
pub use settings::{
    AnalysisSettings, EngineSettings, ForumSettings, InputLimits, LlmSettings, ReportSettings,
    SearchSettings, StreamSettings, Supervision, SupervisionSettings,
};
pub use settings::{ConnectionSettings, OriginSettings, RateLimit, RateLimitSettings};

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
    /// The event bus's history, event size, client queue and replay page limits.
    pub events: events::HubConfig,
    /// How the event streams write to their clients.
    pub streams: StreamSettings,
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
    /// Restart intensity and backoff of each configurable supervisor.
    pub supervision: Supervision,
    /// The engines' research loop.
    pub engines: EngineSettings,
    /// The forum.
    pub forum: ForumSettings,
    /// The web search providers.
    pub search: SearchSettings,
    /// The LLM endpoints and how they are called.
    pub llm: LlmSettings,
    /// Analysis sessions.
    pub analysis: AnalysisSettings,
    /// Report tasks and evidence sets.
    pub reports: ReportSettings,
    /// Limits on untrusted input (forum log pages, searches, imports).
    pub input: InputLimits,
    /// The connection layer: cap, timeouts, head size.
    pub connections: ConnectionSettings,
    /// Host allow-list, WebSocket origins, CORS.
    pub origins: OriginSettings,
    /// Request rate limits.
    pub rate_limits: RateLimitSettings,
    /// Every layered value, for `GET /api/config`'s display and for telling which keys a reload
    /// changed; the settings above are what the service reads.
    pub raw: RawConfig,
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
        Self::read(&Reader::new(&raw), env_path)
    }

    /// Builds the typed configuration from validated values.
    fn read(keys: &Reader<'_>, env_path: &Path) -> Result<Self, ConfigError> {
        use catalogue as k;
        let data_dir = PathBuf::from(keys.text(k::BETTAFISH_DATA_DIR)?);
        let (database_url, database_key) = database_url(keys, &data_dir)?;
        let pool = storage::PoolSettings {
            max_connections: keys.number(k::DB_POOL_SIZE)?,
            min_idle: keys.number(k::DB_POOL_MIN_IDLE)?,
            acquire_timeout: keys.secs(k::DB_ACQUIRE_TIMEOUT_SECS)?,
            max_lifetime: keys.secs(k::DB_MAX_LIFETIME_SECS)?,
            idle_timeout: keys.secs(k::DB_IDLE_TIMEOUT_SECS)?,
            test_before_acquire: keys.text(k::DB_TEST_BEFORE_ACQUIRE)? == "true",
        };
        if pool.min_idle > pool.max_connections {
            return Err(keys.invalid(k::DB_POOL_MIN_IDLE, "is greater than DB_POOL_SIZE"));
        }
        let redis_url = keys.owned(k::REDIS_URL);
        let redis_prefix = keys.text(k::BETTAFISH_REDIS_PREFIX)?.to_owned();
        let cache = match keys.text(k::CACHE_TYPE)? {
            "sqlite" => storage::cache::CacheKind::Sqlite {
                path: data_dir.join("cache.sqlite3"),
            },
            "redis" => storage::cache::CacheKind::Redis {
                url: redis_url.clone().ok_or_else(|| {
                    keys.invalid(k::CACHE_TYPE, "is redis, but REDIS_URL is not set")
                })?,
                prefix: redis_prefix.clone(),
            },
            _ => storage::cache::CacheKind::Memory {
                max_entries: keys.number(k::CACHE_MAX_ENTRIES)?,
                max_bytes: keys.number(k::CACHE_MAX_BYTES)?,
            },
        };
        let seed_sample = match keys.text(k::BETTAFISH_SAMPLE_DATA)? {
            "on" => true,
            "off" => false,
            // The embedded demo: the default SQLite file, nothing configured.
            _ => database_key == k::DB_DIALECT.name && database_url.starts_with("sqlite:"),
        };
        let forum = ForumSettings::read(keys, &data_dir)?;
        Ok(Self {
            host: keys.text(k::HOST)?.to_owned(),
            port: keys.number(k::PORT)?,
            data_dir,
            env_path: env_path.to_path_buf(),
            log_filter: keys.text(k::BETTAFISH_LOG)?.to_owned(),
            operator_token: keys.owned(k::BETTAFISH_OPERATOR_TOKEN),
            viewer_token: keys.owned(k::BETTAFISH_VIEWER_TOKEN),
            max_body_bytes: keys.number(k::BETTAFISH_MAX_BODY_BYTES)?,
            request_timeout: keys.secs(k::BETTAFISH_REQUEST_TIMEOUT_SECS)?,
            shutdown_deadline: keys.secs(k::BETTAFISH_SHUTDOWN_DEADLINE_SECS)?,
            metrics_interval: keys.secs(k::BETTAFISH_METRICS_INTERVAL_SECS)?,
            redis_url,
            redis_prefix,
            events: settings::event_hub(keys)?,
            streams: StreamSettings::read(keys)?,
            heartbeat: keys.secs(k::BETTAFISH_HEARTBEAT_SECS)?,
            ws_max_frame_bytes: keys.number(k::BETTAFISH_WS_MAX_FRAME_BYTES)?,
            database_url,
            database_key,
            seed_sample,
            pool,
            cache,
            supervision: Supervision::read(keys)?,
            engines: EngineSettings::read(keys)?,
            forum,
            search: SearchSettings::read(keys)?,
            llm: LlmSettings::read(keys)?,
            analysis: AnalysisSettings::read(keys)?,
            reports: ReportSettings::read(keys)?,
            input: InputLimits::read(keys)?,
            connections: ConnectionSettings::read(keys)?,
            origins: OriginSettings::read(keys)?,
            rate_limits: RateLimitSettings::read(keys)?,
            raw: keys.raw().clone(),
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
