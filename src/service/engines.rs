//! The `engines` branch as configured: the query, media and insight engines (each with its LLM
//! endpoint when `*_ENGINE_BASE_URL` and `*_ENGINE_MODEL_NAME` are set, and its search
//! providers in order of preference, the local store last) and the forum (with the LLM host
//! when `FORUM_HOST_*` is set). The local store's searches take their words from the keyword
//! optimizer when `KEYWORD_OPTIMIZER_*` is set. Each reads the live configuration when it
//! (re)starts.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actors::engines::gather::Searcher;
use actors::engines::{EngineActor, EngineArgs, EngineKind, ForumLink};
use events::EventBus;
use llm::LlmClient;
use search::{Bocha, Cached, LocalStore, Provider, Searxng, Tavily};
use supervision::{ChildSpec, SupervisorRef};

use super::config_actor::LiveConfig;
use crate::config::Config;

/// Where the forum lives, for the engines to post to.
pub const FORUM_PATH: &str = "root/engines/forum";

/// How long web search results are kept in the cache.
const SEARCH_CACHE_TTL: Duration = Duration::from_secs(600);

/// An LLM client for `prefix`, or None (built-in analysis) when it is not configured or cannot
/// be built; either way the log says which.
fn llm(config: &Config, prefix: &str) -> Option<Arc<LlmClient>> {
    let settings = config.llm(prefix)?;
    match LlmClient::new(settings) {
        Ok(client) => Some(Arc::new(client)),
        Err(err) => {
            tracing::warn!(prefix, error = %err, "the LLM client could not be built; built-in analysis is used");
            None
        }
    }
}

/// The engine's providers: query searches the web (Tavily, SearXNG), media Bocha, insight the
/// local database only; all fall back to the local store.
fn searcher(
    kind: EngineKind,
    config: &Config,
    db: &storage::Database,
    cache: &Arc<dyn storage::cache::Cache>,
) -> Searcher {
    let timeout = Duration::from_secs(config.count("SEARCH_TIMEOUT"));
    let get = |key: &str| config.raw.get(key).filter(|v| !v.is_empty());
    let web = match kind {
        EngineKind::Query => vec![
            Tavily::provider(get("TAVILY_API_KEY"), None, timeout),
            Searxng::provider(get("SEARXNG_URL"), timeout),
        ],
        EngineKind::Media => vec![Bocha::provider(
            get("BOCHA_WEB_SEARCH_API_KEY"),
            get("BOCHA_BASE_URL"),
            timeout,
        )],
        EngineKind::Insight => Vec::new(),
    };
    let mut providers: Vec<Provider> = web
        .into_iter()
        .map(|p| Cached::wrap(p, Arc::clone(cache), SEARCH_CACHE_TTL))
        .collect();
    providers.push(LocalStore::provider(db.clone()));
    Searcher::new(providers).with_keyword_optimizer(llm(config, "KEYWORD_OPTIMIZER"))
}

fn engine(
    kind: EngineKind,
    bus: &EventBus,
    live: &LiveConfig,
    db: &storage::Database,
    cache: &Arc<dyn storage::cache::Cache>,
    root: &Arc<OnceLock<SupervisorRef>>,
) -> ChildSpec {
    let bus = bus.clone();
    let live = Arc::clone(live);
    let db = db.clone();
    let cache = Arc::clone(cache);
    let root = Arc::clone(root);
    ChildSpec::worker(kind.name(), move |ctx| {
        let config = live.borrow().clone();
        let args = EngineArgs {
            kind,
            path: ctx.path().to_owned(),
            bus: bus.clone(),
            db: Some(db.clone()),
            searcher: Arc::new(searcher(kind, &config, &db, &cache)),
            llm: llm(&config, kind.llm_prefix()),
            forum: Some(ForumLink {
                root: Arc::clone(&root),
                path: FORUM_PATH.to_owned(),
            }),
            reflections: config.count("MAX_REFLECTIONS") as u32,
            max_paragraphs: config.count("MAX_PARAGRAPHS") as usize,
        };
        async move { ctx.spawn(EngineActor, args).await }
    })
}

fn forum(bus: &EventBus, live: &LiveConfig, db: &storage::Database) -> ChildSpec {
    let bus = bus.clone();
    let live = Arc::clone(live);
    let db = db.clone();
    ChildSpec::worker("forum", move |ctx| {
        let config = live.borrow().clone();
        let args = actors::forum::actor::ForumArgs {
            bus: bus.clone(),
            db: Some(db.clone()),
            log_path: config.data_dir.join("forum.log"),
            follow: config
                .raw
                .get("FORUM_LOG_FOLLOW")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
            host_every: config.count("FORUM_HOST_EVERY") as usize,
            poll_every: Duration::from_millis(500),
            host_llm: llm(&config, "FORUM_HOST"),
        };
        async move { ctx.spawn(actors::forum::actor::ForumActor, args).await }
    })
}

/// The branch's children: the three engines, then the forum.
pub fn children(
    bus: &EventBus,
    live: &LiveConfig,
    db: &storage::Database,
    cache: &Arc<dyn storage::cache::Cache>,
    root: &Arc<OnceLock<SupervisorRef>>,
) -> Vec<ChildSpec> {
    let mut children: Vec<ChildSpec> = EngineKind::ALL
        .into_iter()
        .map(|kind| engine(kind, bus, live, db, cache, root))
        .collect();
    children.push(forum(bus, live, db));
    children
}
