//! Subscription filters: a comma-separated list of topics, where `prefix/*` matches every topic
//! under `prefix/` and `*` matches everything.

use std::collections::BTreeSet;

use thiserror::Error;

use super::event::validate_topic;

/// A filter that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TopicError {
    /// No topic given.
    #[error("no topics given")]
    Empty,
    /// Too many patterns in one filter.
    #[error("at most {0} topics per subscription")]
    TooMany(usize),
    /// A pattern that is not a topic, `prefix/*` or `*`.
    #[error("`{0}` is not a topic or pattern")]
    Invalid(String),
}

/// The most patterns one subscription may hold.
pub const MAX_PATTERNS: usize = 64;

/// Which topics a subscriber wants.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicFilter {
    all: bool,
    exact: BTreeSet<String>,
    /// Prefixes including their trailing `/`.
    prefixes: BTreeSet<String>,
}

impl TopicFilter {
    /// Parses `a,b,report/*`.
    ///
    /// # Errors
    /// [`TopicError`].
    pub fn parse(list: &str) -> Result<Self, TopicError> {
        Self::from_patterns(list.split(',').map(str::trim).filter(|p| !p.is_empty()))
    }

    /// Builds a filter from patterns.
    ///
    /// # Errors
    /// [`TopicError`].
    pub fn from_patterns<I, S>(patterns: I) -> Result<Self, TopicError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut filter = Self::default();
        let mut count = 0;
        for pattern in patterns {
            let pattern = pattern.as_ref();
            count += 1;
            if count > MAX_PATTERNS {
                return Err(TopicError::TooMany(MAX_PATTERNS));
            }
            filter.add(pattern)?;
        }
        if count == 0 {
            return Err(TopicError::Empty);
        }
        Ok(filter)
    }

    fn add(&mut self, pattern: &str) -> Result<(), TopicError> {
        let invalid = || TopicError::Invalid(pattern.chars().take(128).collect());
        if pattern == "*" {
            self.all = true;
        } else if let Some(prefix) = pattern.strip_suffix("/*") {
            validate_topic(prefix).map_err(|_| invalid())?;
            self.prefixes.insert(format!("{prefix}/"));
        } else {
            validate_topic(pattern).map_err(|_| invalid())?;
            self.exact.insert(pattern.to_owned());
        }
        Ok(())
    }

    /// Whether `topic` passes.
    pub fn matches(&self, topic: &str) -> bool {
        self.all
            || self.exact.contains(topic)
            || self.prefixes.iter().any(|p| topic.starts_with(p.as_str()))
    }

    /// The union of two filters.
    pub fn union(&self, other: &Self) -> Self {
        Self {
            all: self.all || other.all,
            exact: self.exact.union(&other.exact).cloned().collect(),
            prefixes: self.prefixes.union(&other.prefixes).cloned().collect(),
        }
    }

    /// This filter without the patterns of `other` (as written, not as matched).
    pub fn without(&self, other: &Self) -> Self {
        Self {
            all: self.all && !other.all,
            exact: self.exact.difference(&other.exact).cloned().collect(),
            prefixes: self.prefixes.difference(&other.prefixes).cloned().collect(),
        }
    }

    /// Whether nothing passes.
    pub fn is_empty(&self) -> bool {
        !self.all && self.exact.is_empty() && self.prefixes.is_empty()
    }

    /// The patterns, as a client would write them.
    pub fn patterns(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.all {
            out.push("*".to_owned());
        }
        out.extend(self.exact.iter().cloned());
        out.extend(self.prefixes.iter().map(|p| format!("{p}*")));
        out
    }
}
