//! Reading typed values out of the raw layers, by catalogue key: the only place where a
//! configuration value is parsed after validation, so every error names the key and its layer.
//!
//! A [`Reader`] takes [`Key`]s, not names: the fixed keys are the catalogue's constants and the
//! generated ones come from its enums, so a key that is not in the catalogue cannot be asked
//! for. It also remembers what it was asked for, which lets tests check which keys each group
//! of settings depends on.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use super::catalogue::Key;
use super::{ConfigError, RawConfig, Source};

/// Typed access to the validated raw values.
pub(super) struct Reader<'a> {
    raw: &'a RawConfig,
    /// The names of the keys read so far. A `RefCell`: the reader is used on one thread, while
    /// the configuration is being built.
    read: RefCell<BTreeSet<&'static str>>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(raw: &'a RawConfig) -> Self {
        Self {
            raw,
            read: RefCell::default(),
        }
    }

    /// The values read from.
    pub(super) fn raw(&self) -> &'a RawConfig {
        self.raw
    }

    /// An error about `key`, naming the layer its value came from.
    pub(super) fn invalid(&self, key: Key, reason: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            key: key.name.to_owned(),
            layer: self.raw.source(key.name).unwrap_or(Source::Default),
            reason: reason.into(),
        }
    }

    /// The value of `key`: a layer's, else its default.
    fn value(&self, key: Key) -> Option<&'a str> {
        self.read.borrow_mut().insert(key.name);
        self.raw.get(key.name).or(key.default)
    }

    /// The value of a key that always has one (its catalogue entry has a default).
    pub(super) fn text(&self, key: Key) -> Result<&'a str, ConfigError> {
        self.value(key)
            .ok_or_else(|| self.invalid(key, "has no value"))
    }

    /// The value of an optional key; an empty value is no value.
    pub(super) fn optional(&self, key: Key) -> Option<&'a str> {
        self.value(key).filter(|v| !v.is_empty())
    }

    /// An optional key's value, owned.
    pub(super) fn owned(&self, key: Key) -> Option<String> {
        self.optional(key).map(str::to_owned)
    }

    /// An optional path.
    pub(super) fn path(&self, key: Key) -> Option<PathBuf> {
        self.optional(key).map(PathBuf::from)
    }

    /// A number, in the type its user needs: a catalogue bound that does not fit the type is an
    /// error naming the key, not a silent wrap.
    pub(super) fn number<T: FromStr>(&self, key: Key) -> Result<T, ConfigError> {
        let value = self.text(key)?;
        value
            .parse()
            .map_err(|_| self.invalid(key, format!("`{value}` is not a number")))
    }

    /// A key in whole seconds (`…_SECS`, `…_TIMEOUT`).
    pub(super) fn secs(&self, key: Key) -> Result<Duration, ConfigError> {
        self.number(key).map(Duration::from_secs)
    }

    /// A key in milliseconds (`…_MS`).
    pub(super) fn millis(&self, key: Key) -> Result<Duration, ConfigError> {
        self.number(key).map(Duration::from_millis)
    }

    /// Every key name read so far.
    #[cfg(test)]
    pub(super) fn keys_read(&self) -> BTreeSet<&'static str> {
        self.read.borrow().clone()
    }
}
