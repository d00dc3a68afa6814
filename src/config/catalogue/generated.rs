//! Keys made from tables rather than written out: each configurable supervisor's
//! `SUPERVISION_<SEGMENT>_<SETTING>`, and each LLM endpoint's `<PREFIX>_API_KEY`,
//! `<PREFIX>_BASE_URL` and `<PREFIX>_MODEL_NAME` (the original's names).

use super::{Affects, Key, Kind, KEYS};

/// Supervisors whose settings can be configured, as the key segment and the tree path.
pub const SUPERVISORS: &[(&str, &str)] = &[
    ("ROOT", "root"),
    ("INFRA", "root/infra"),
    ("ENGINES", "root/engines"),
    ("CRAWLERS", "root/crawlers"),
    ("REPORTS", "root/reports"),
    ("ANALYSES", "root/analyses"),
];

/// The settings each supervisor takes, with defaults and bounds.
pub const SUPERVISION_SETTINGS: &[(&str, &str, u64, u64, &str)] = &[
    (
        "MAX_RESTARTS",
        "5",
        0,
        10_000,
        "Restarts allowed per period before the supervisor gives up.",
    ),
    (
        "PERIOD_SECS",
        "30",
        1,
        86_400,
        "The restart-intensity window.",
    ),
    (
        "BACKOFF_MIN_MS",
        "100",
        0,
        3_600_000,
        "First backoff delay for its children.",
    ),
    (
        "BACKOFF_MAX_MS",
        "30000",
        0,
        3_600_000,
        "Longest backoff delay for its children.",
    ),
];

/// An OpenAI-compatible endpoint of the original's configuration.
#[derive(Debug, Clone, Copy)]
pub struct LlmEndpoint {
    /// The key prefix (`QUERY_ENGINE`).
    pub prefix: &'static str,
    /// The metric label and status name (`query`).
    pub label: &'static str,
    /// The actor that reads it when it starts, if one exists yet.
    pub actor: Option<&'static str>,
}

/// Every LLM endpoint.
pub const LLM_ENDPOINTS: &[LlmEndpoint] = &[
    LlmEndpoint {
        prefix: "INSIGHT_ENGINE",
        label: "insight",
        actor: Some("root/engines/insight"),
    },
    LlmEndpoint {
        prefix: "MEDIA_ENGINE",
        label: "media",
        actor: Some("root/engines/media"),
    },
    LlmEndpoint {
        prefix: "QUERY_ENGINE",
        label: "query",
        actor: Some("root/engines/query"),
    },
    LlmEndpoint {
        prefix: "REPORT_ENGINE",
        label: "report",
        actor: None,
    },
    LlmEndpoint {
        prefix: "FORUM_HOST",
        label: "forum_host",
        actor: Some("root/engines/forum"),
    },
    LlmEndpoint {
        prefix: "KEYWORD_OPTIMIZER",
        label: "keyword_optimizer",
        actor: Some("root/engines"),
    },
    LlmEndpoint {
        prefix: "MINDSPIDER",
        label: "mindspider",
        actor: None,
    },
];

/// The keys of each endpoint: suffix, kind, secret, what it holds.
const LLM_SETTINGS: &[(&str, Kind, bool, &str)] = &[
    ("API_KEY", Kind::Text, true, "API key"),
    (
        "BASE_URL",
        Kind::Url,
        false,
        "base URL (OpenAI-compatible, up to /v1)",
    ),
    ("MODEL_NAME", Kind::Text, false, "model name"),
];

fn supervision_key(name: &str) -> Option<Key> {
    let rest = name.strip_prefix("SUPERVISION_")?;
    for (segment, path) in SUPERVISORS {
        let Some(setting) = rest.strip_prefix(segment).and_then(|r| r.strip_prefix('_')) else {
            continue;
        };
        for (suffix, default, min, max, doc) in SUPERVISION_SETTINGS {
            if setting == *suffix {
                // The root's settings are read only at start; a branch restarts with new ones.
                let affects = if *path == "root" {
                    Affects::NextStart
                } else {
                    Affects::Actor(path)
                };
                return Some(Key {
                    name: intern(name),
                    default: Some(default),
                    kind: Kind::Count {
                        min: *min,
                        max: *max,
                    },
                    secret: false,
                    settable: true,
                    affects,
                    doc,
                });
            }
        }
    }
    None
}

fn llm_key(name: &str) -> Option<Key> {
    for endpoint in LLM_ENDPOINTS {
        let Some(setting) = name
            .strip_prefix(endpoint.prefix)
            .and_then(|r| r.strip_prefix('_'))
        else {
            continue;
        };
        for (suffix, kind, secret, what) in LLM_SETTINGS {
            if setting == *suffix {
                return Some(Key {
                    name: intern(name),
                    default: None,
                    kind: *kind,
                    secret: *secret,
                    settable: true,
                    affects: endpoint.actor.map_or(Affects::Nothing, Affects::Actor),
                    doc: intern(&format!("LLM {what} for {}.", endpoint.label)),
                });
            }
        }
    }
    None
}

/// Looks a key up, generating the table-made ones on the fly.
pub fn find(name: &str) -> Option<Key> {
    if let Some(k) = KEYS.iter().find(|k| k.name == name) {
        return Some(*k);
    }
    supervision_key(name).or_else(|| llm_key(name))
}

/// Every key, the generated ones included: the written ones in catalogue order, then the
/// LLM endpoints', then the supervisors'.
pub fn all() -> Vec<Key> {
    let mut keys: Vec<Key> = KEYS.to_vec();
    for endpoint in LLM_ENDPOINTS {
        for (suffix, ..) in LLM_SETTINGS {
            keys.extend(llm_key(&format!("{}_{suffix}", endpoint.prefix)));
        }
    }
    for (segment, _) in SUPERVISORS {
        for (suffix, ..) in SUPERVISION_SETTINGS {
            keys.extend(supervision_key(&format!("SUPERVISION_{segment}_{suffix}")));
        }
    }
    keys
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
