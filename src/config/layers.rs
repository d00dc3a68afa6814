//! The layers of the configuration, read in order — built-in defaults, `bettafish.toml`,
//! `.env`, the environment — into one raw map of strings that remembers each value's layer.
//! Validation and typing happen afterwards, in [`super::Config::from_raw`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::dotenv::Dotenv;
use super::{catalogue, ConfigError, Source};

/// The raw layered values, by key.
#[derive(Debug, Clone, Default)]
pub struct RawConfig {
    values: BTreeMap<String, (String, Source)>,
}

impl RawConfig {
    /// The value of `key`, if set in any layer.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|(v, _)| v.as_str())
    }

    /// The layer `key` came from.
    pub fn source(&self, key: &str) -> Option<Source> {
        self.values.get(key).map(|(_, s)| *s)
    }

    /// Every value set, with its layer.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, Source)> {
        self.values
            .iter()
            .map(|(k, (v, s))| (k.as_str(), v.as_str(), *s))
    }

    fn set(&mut self, key: &str, value: String, source: Source) {
        self.values.insert(key.to_owned(), (value, source));
    }
}

/// Where the files are and what the environment holds: the inputs of [`load`].
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The TOML file (may be missing).
    pub toml_path: PathBuf,
    /// The `.env` file (may be missing).
    pub env_path: PathBuf,
    /// The environment, as key → value.
    pub env: BTreeMap<String, String>,
}

impl Inputs {
    /// The process environment and the file paths it names (or the defaults).
    pub fn from_process() -> Self {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        // Where the files are can only come from the environment (or the defaults).
        let path = |key: catalogue::Key| {
            PathBuf::from(
                env.get(key.name)
                    .map(String::as_str)
                    .or(key.default)
                    .unwrap_or_default(),
            )
        };
        Self {
            toml_path: path(catalogue::BETTAFISH_CONFIG),
            env_path: path(catalogue::BETTAFISH_ENV_FILE),
            env,
        }
    }
}

/// Flattens a TOML table into `KEY` strings: nested tables join with `_`, names upper-cased, so
/// `[supervision.engines] max_restarts = 3` is `SUPERVISION_ENGINES_MAX_RESTARTS`.
fn flatten_toml(prefix: &str, table: &toml::Table, out: &mut Vec<(String, String)>) {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.to_ascii_uppercase()
        } else {
            format!("{prefix}_{}", name.to_ascii_uppercase())
        };
        match value {
            toml::Value::Table(inner) => flatten_toml(&key, inner, out),
            toml::Value::String(s) => out.push((key, s.clone())),
            other => out.push((key, other.to_string())),
        }
    }
}

/// Reads every layer. Unknown keys are ignored (a `.env` shared with other tools is normal).
///
/// # Errors
/// [`ConfigError::Toml`], [`ConfigError::Dotenv`].
pub fn load(inputs: &Inputs) -> Result<RawConfig, ConfigError> {
    let mut raw = RawConfig::default();
    for key in catalogue::all() {
        if let Some(default) = key.default {
            raw.set(key.name, default.to_owned(), Source::Default);
        }
    }
    match std::fs::read_to_string(&inputs.toml_path) {
        Ok(text) => {
            let table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| ConfigError::Toml {
                        path: inputs.toml_path.display().to_string(),
                        reason: e.message().to_owned(),
                    })?;
            let mut flat = Vec::new();
            flatten_toml("", &table, &mut flat);
            for (key, value) in flat {
                if catalogue::find(&key).is_some() {
                    raw.set(&key, value, Source::Toml);
                }
            }
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => {
            return Err(ConfigError::Toml {
                path: inputs.toml_path.display().to_string(),
                reason: err.to_string(),
            })
        }
    }
    let dotenv = Dotenv::load(&inputs.env_path)?;
    for (key, value) in dotenv.entries() {
        if catalogue::find(key).is_some() {
            raw.set(key, value.to_owned(), Source::Dotenv);
        }
    }
    for (key, value) in &inputs.env {
        if catalogue::find(key).is_some() {
            raw.set(key, value.clone(), Source::Env);
        }
    }
    Ok(raw)
}
