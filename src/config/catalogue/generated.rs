//! Keys made from tables rather than written out: each configurable supervisor's
//! `SUPERVISION_<SEGMENT>_<SETTING>`, and each LLM endpoint's `<PREFIX>_API_KEY`,
//! `<PREFIX>_BASE_URL` and `<PREFIX>_MODEL_NAME` (the original's names).
//!
//! The supervisors, the endpoints and their settings are enums, so code asks for
//! `supervision_key(Supervisor::Engines, SupervisionSetting::MaxRestarts)`, never for a name it
//! spelt itself; [`find`] goes the other way, from a name in a file to its key.

use actors::tree::{self, Branch};

use super::{Affects, Key, Kind, KEYS};

/// A supervisor whose restart intensity and backoff can be configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Supervisor {
    Root,
    Infra,
    Engines,
    Crawlers,
    Reports,
    Analyses,
}

impl Supervisor {
    /// Every configurable supervisor, the root first.
    pub const ALL: [Self; 6] = [
        Self::Root,
        Self::Infra,
        Self::Engines,
        Self::Crawlers,
        Self::Reports,
        Self::Analyses,
    ];

    /// Its name in the supervision tree (`root`, `engines`…).
    pub fn name(self) -> &'static str {
        match self.branch() {
            None => tree::ROOT,
            Some(branch) => branch.id(),
        }
    }

    /// The branch it is; None for the root.
    fn branch(self) -> Option<Branch> {
        match self {
            Self::Root => None,
            Self::Infra => Some(Branch::Infra),
            Self::Engines => Some(Branch::Engines),
            Self::Crawlers => Some(Branch::Crawlers),
            Self::Reports => Some(Branch::Reports),
            Self::Analyses => Some(Branch::Analyses),
        }
    }

    /// The supervisor named `name` in the tree, if it is configurable.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Its path in the tree, which a change of its settings restarts.
    pub fn path(self) -> &'static str {
        match self.branch() {
            None => tree::ROOT,
            Some(branch) => branch.path(),
        }
    }

    /// Its segment of the key names (`SUPERVISION_ENGINES_…`).
    fn segment(self) -> &'static str {
        match self {
            Self::Root => "ROOT",
            Self::Infra => "INFRA",
            Self::Engines => "ENGINES",
            Self::Crawlers => "CRAWLERS",
            Self::Reports => "REPORTS",
            Self::Analyses => "ANALYSES",
        }
    }
}

/// The settings each supervisor takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupervisionSetting {
    MaxRestarts,
    PeriodSecs,
    BackoffMinMs,
    BackoffMaxMs,
}

impl SupervisionSetting {
    /// All of them, in the order `GET /api/config` lists them.
    pub const ALL: [Self; 4] = [
        Self::MaxRestarts,
        Self::PeriodSecs,
        Self::BackoffMinMs,
        Self::BackoffMaxMs,
    ];

    /// The key's suffix, its default, its bounds and what it does.
    fn table(self) -> (&'static str, &'static str, u64, u64, &'static str) {
        match self {
            Self::MaxRestarts => (
                "MAX_RESTARTS",
                "5",
                0,
                10_000,
                "Restarts allowed per period before the supervisor gives up.",
            ),
            Self::PeriodSecs => (
                "PERIOD_SECS",
                "30",
                1,
                86_400,
                "The restart-intensity window.",
            ),
            Self::BackoffMinMs => (
                "BACKOFF_MIN_MS",
                "100",
                0,
                3_600_000,
                "First backoff delay for its children.",
            ),
            Self::BackoffMaxMs => (
                "BACKOFF_MAX_MS",
                "30000",
                0,
                3_600_000,
                "Longest backoff delay for its children.",
            ),
        }
    }
}

/// An OpenAI-compatible endpoint of the original's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LlmEndpoint {
    Insight,
    Media,
    Query,
    Report,
    ForumHost,
    KeywordOptimizer,
    MindSpider,
}

impl LlmEndpoint {
    /// Every endpoint, in the order `GET /api/config` lists their keys.
    pub const ALL: [Self; 7] = [
        Self::Insight,
        Self::Media,
        Self::Query,
        Self::Report,
        Self::ForumHost,
        Self::KeywordOptimizer,
        Self::MindSpider,
    ];

    /// The key prefix (`QUERY_ENGINE`).
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Insight => "INSIGHT_ENGINE",
            Self::Media => "MEDIA_ENGINE",
            Self::Query => "QUERY_ENGINE",
            Self::Report => "REPORT_ENGINE",
            Self::ForumHost => "FORUM_HOST",
            Self::KeywordOptimizer => "KEYWORD_OPTIMIZER",
            Self::MindSpider => "MINDSPIDER",
        }
    }

    /// The metric label and status name (`query`).
    pub fn label(self) -> &'static str {
        match self {
            Self::Insight => "insight",
            Self::Media => "media",
            Self::Query => "query",
            Self::Report => "report",
            Self::ForumHost => "forum_host",
            Self::KeywordOptimizer => "keyword_optimizer",
            Self::MindSpider => "mindspider",
        }
    }

    /// The actor that builds its client when it starts, if one exists yet.
    pub fn actor(self) -> Option<&'static str> {
        match self {
            Self::Insight => Some("root/engines/insight"),
            Self::Media => Some("root/engines/media"),
            Self::Query => Some("root/engines/query"),
            Self::ForumHost => Some("root/engines/forum"),
            // Every engine's search asks it for words.
            Self::KeywordOptimizer => Some("root/engines"),
            Self::Report | Self::MindSpider => None,
        }
    }
}

/// The keys of each endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmSetting {
    ApiKey,
    BaseUrl,
    ModelName,
}

impl LlmSetting {
    /// All of them, in the order `GET /api/config` lists them.
    pub const ALL: [Self; 3] = [Self::ApiKey, Self::BaseUrl, Self::ModelName];

    /// The key's suffix, its kind, whether it is a secret, and what it holds.
    fn table(self) -> (&'static str, Kind, bool, &'static str) {
        match self {
            Self::ApiKey => ("API_KEY", Kind::Text, true, "API key"),
            Self::BaseUrl => (
                "BASE_URL",
                Kind::Url,
                false,
                "base URL (OpenAI-compatible, up to /v1)",
            ),
            Self::ModelName => ("MODEL_NAME", Kind::Text, false, "model name"),
        }
    }
}

/// The key of one supervisor's setting.
pub fn supervision_key(supervisor: Supervisor, setting: SupervisionSetting) -> Key {
    let (suffix, default, min, max, doc) = setting.table();
    // The root's settings are read only at start; a branch restarts with new ones.
    let affects = match supervisor {
        Supervisor::Root => Affects::NextStart,
        branch => Affects::Actor(branch.path()),
    };
    Key {
        name: intern(&format!("SUPERVISION_{}_{suffix}", supervisor.segment())),
        default: Some(default),
        kind: Kind::Count { min, max },
        secret: false,
        settable: true,
        affects,
        doc,
    }
}

/// The key of one endpoint's setting.
pub fn llm_key(endpoint: LlmEndpoint, setting: LlmSetting) -> Key {
    let (suffix, kind, secret, what) = setting.table();
    Key {
        name: intern(&format!("{}_{suffix}", endpoint.prefix())),
        default: None,
        kind,
        secret,
        settable: true,
        affects: endpoint.actor().map_or(Affects::Nothing, Affects::Actor),
        doc: intern(&format!("LLM {what} for {}.", endpoint.label())),
    }
}

fn generated_keys() -> impl Iterator<Item = Key> {
    let llm = LlmEndpoint::ALL.into_iter().flat_map(|endpoint| {
        LlmSetting::ALL
            .into_iter()
            .map(move |setting| llm_key(endpoint, setting))
    });
    let supervision = Supervisor::ALL.into_iter().flat_map(|supervisor| {
        SupervisionSetting::ALL
            .into_iter()
            .map(move |setting| supervision_key(supervisor, setting))
    });
    llm.chain(supervision)
}

/// Looks a key up by the name a file or the environment gives.
pub fn find(name: &str) -> Option<Key> {
    if let Some(k) = KEYS.iter().find(|k| k.name == name) {
        return Some(*k);
    }
    generated_keys().find(|k| k.name == name)
}

/// Every key, the generated ones included: the written ones in catalogue order, then the
/// LLM endpoints', then the supervisors'.
pub fn all() -> Vec<Key> {
    KEYS.iter().copied().chain(generated_keys()).collect()
}

/// Generated names and docs live as long as the process; there are a few dozen, interned
/// once each.
fn intern(text: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock, PoisonError};
    // std Mutex: a small set touched while validating configuration, never across an await.
    static TEXTS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut texts = TEXTS
        .get_or_init(|| Mutex::new(HashSet::new()))
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(existing) = texts.get(text) {
        return existing;
    }
    let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
    texts.insert(leaked);
    leaked
}
