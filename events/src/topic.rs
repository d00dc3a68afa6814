//! Topics: the names the system publishes to ([`Topic`], one constructor per kind, so a topic is
//! spelled in one place) and subscription filters ([`TopicFilter`]: a comma-separated list of
//! topics, where `prefix/*` matches every topic under `prefix/` and `*` matches everything).

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
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

/// What a topic the system publishes to is about. Singles are one topic (`system`); families
/// are a topic per thing (`engine/<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopicKind {
    /// `system`: the service's own news (started, stopping, database up or down).
    System,
    /// `actors`: every lifecycle change in the supervision tree.
    Actors,
    /// `config`: configuration changes.
    Config,
    /// `forum`: the forum's messages.
    Forum,
    /// `engine/<name>`: one engine's jobs, progress and console lines.
    Engine,
    /// `report/<id>`: one report task.
    Report,
    /// `analysis/<id>`: one analysis session.
    Analysis,
    /// `crawler/<source>`: one crawler.
    Crawler,
}

impl TopicKind {
    /// Every kind.
    pub const ALL: [TopicKind; 8] = [
        Self::System,
        Self::Actors,
        Self::Config,
        Self::Forum,
        Self::Engine,
        Self::Report,
        Self::Analysis,
        Self::Crawler,
    ];

    /// The topic (for a single) or its first segment (for a family): also the kind's bounded
    /// metric label.
    pub const fn name(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Actors => "actors",
            Self::Config => "config",
            Self::Forum => "forum",
            Self::Engine => "engine",
            Self::Report => "report",
            Self::Analysis => "analysis",
            Self::Crawler => "crawler",
        }
    }

    /// Whether it is a topic per thing (`engine/<name>`) rather than one topic.
    pub const fn is_family(self) -> bool {
        matches!(
            self,
            Self::Engine | Self::Report | Self::Analysis | Self::Crawler
        )
    }

    /// The kind `topic` is of, if it is one the system publishes to: a single's exact name,
    /// or anything under a family's name and `/`.
    pub fn of(topic: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| {
            if kind.is_family() {
                kind.member(topic).is_some()
            } else {
                topic == kind.name()
            }
        })
    }

    /// For a family, what `topic` is about if it is one of its topics (`query` in
    /// `engine/query`).
    pub fn member(self, topic: &str) -> Option<&str> {
        if !self.is_family() {
            return None;
        }
        topic.strip_prefix(self.name())?.strip_prefix('/')
    }
}

/// A topic the system publishes to, made by its kind's constructor. Topics from outside
/// (`POST /api/events/{topic}`) are plain strings, and may not be of these kinds
/// ([`Topic::is_reserved`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Topic {
    kind: TopicKind,
    name: String,
}

impl Topic {
    fn single(kind: TopicKind) -> Self {
        Self {
            kind,
            name: kind.name().to_owned(),
        }
    }

    fn member(kind: TopicKind, of: impl fmt::Display) -> Self {
        Self {
            kind,
            name: format!("{}/{of}", kind.name()),
        }
    }

    /// `system`.
    pub fn system() -> Self {
        Self::single(TopicKind::System)
    }

    /// `actors`.
    pub fn actors() -> Self {
        Self::single(TopicKind::Actors)
    }

    /// `config`.
    pub fn config() -> Self {
        Self::single(TopicKind::Config)
    }

    /// `forum`.
    pub fn forum() -> Self {
        Self::single(TopicKind::Forum)
    }

    /// `engine/<name>`.
    pub fn engine(name: impl fmt::Display) -> Self {
        Self::member(TopicKind::Engine, name)
    }

    /// `report/<id>`.
    pub fn report(id: impl fmt::Display) -> Self {
        Self::member(TopicKind::Report, id)
    }

    /// `analysis/<id>`.
    pub fn analysis(id: impl fmt::Display) -> Self {
        Self::member(TopicKind::Analysis, id)
    }

    /// `crawler/<source>`.
    pub fn crawler(source: impl fmt::Display) -> Self {
        Self::member(TopicKind::Crawler, source)
    }

    /// What it is about.
    pub fn kind(&self) -> TopicKind {
        self.kind
    }

    /// The topic as published and subscribed to.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// Whether only the system may publish to `topic`: it is of one of the kinds above.
    pub fn is_reserved(topic: &str) -> bool {
        TopicKind::of(topic).is_some()
    }

    /// A filter passing this topic only.
    ///
    /// # Errors
    /// [`TopicError::Invalid`] when what the topic was made of is not valid in a topic (an
    /// id with a space, say).
    pub fn filter(&self) -> Result<TopicFilter, TopicError> {
        TopicFilter::from_patterns([self.as_str()])
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl AsRef<str> for Topic {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

/// The most patterns one subscription may hold — one frame's, and what a connection's
/// frames add up to ([`TopicFilter::union`]): every published event is matched against each
/// subscriber's patterns under the hub's lock.
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

    /// The union of two filters, if it holds at most [`MAX_PATTERNS`] patterns (a client
    /// adding topics frame after frame could otherwise grow its filter without limit).
    ///
    /// # Errors
    /// [`TopicError::TooMany`].
    pub fn union(&self, other: &Self) -> Result<Self, TopicError> {
        let union = Self {
            all: self.all || other.all,
            exact: self.exact.union(&other.exact).cloned().collect(),
            prefixes: self.prefixes.union(&other.prefixes).cloned().collect(),
        };
        if union.len() > MAX_PATTERNS {
            return Err(TopicError::TooMany(MAX_PATTERNS));
        }
        Ok(union)
    }

    /// How many patterns it holds.
    pub fn len(&self) -> usize {
        usize::from(self.all) + self.exact.len() + self.prefixes.len()
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
