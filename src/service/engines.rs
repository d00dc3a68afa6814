//! The `engines` branch as configured: the query, media and insight engines (each with its LLM
//! endpoint when one is configured, and its search providers in order of preference, the
//! local store last) and the forum (with the LLM host when configured). The local store's
//! searches take their words from the keyword optimizer when it is configured. Each reads the
//! live configuration's typed settings when it (re)starts.

use std::sync::Arc;
use std::time::Duration;

use actors::engines::gather::Searcher;
use actors::engines::{EngineActor, EngineArgs, EngineKind};
use actors::tree;
use events::EventBus;
use llm::{LlmClient, LlmConfig};
use search::{Cached, LocalStore, Provider};
use supervision::{ChildHandle, ChildSpec, TreeHandles};

use super::config_actor::LiveConfig;
use crate::config::{Config, LlmEndpoint};

/// How long web search results are kept in the cache.
const SEARCH_CACHE_TTL: Duration = Duration::from_secs(600);

/// An LLM client for an endpoint's settings, or None (built-in analysis) when it is not
/// configured or cannot be built; either way the log says which.
pub(super) fn llm(settings: Option<&LlmConfig>) -> Option<Arc<LlmClient>> {
    let settings = settings?;
    match LlmClient::new(settings.clone()) {
        Ok(client) => Some(Arc::new(client)),
        Err(err) => {
            tracing::warn!(endpoint = settings.engine, error = %err, "the LLM client could not be built; built-in analysis is used");
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
    let search = &config.search;
    let web = match kind {
        EngineKind::Query => vec![search.tavily(), search.searxng()],
        EngineKind::Media => vec![search.bocha()],
        EngineKind::Insight => Vec::new(),
    };
    let mut providers: Vec<Provider> = web
        .into_iter()
        .map(|p| Cached::wrap(p, Arc::clone(cache), SEARCH_CACHE_TTL))
        .collect();
    providers.push(LocalStore::provider(db.clone()));
    Searcher::new(providers)
        .with_keyword_optimizer(llm(config.llm.endpoint(LlmEndpoint::KeywordOptimizer)))
}

fn engine(
    kind: EngineKind,
    bus: &EventBus,
    live: &LiveConfig,
    db: &storage::Database,
    cache: &Arc<dyn storage::cache::Cache>,
    forum: &ChildHandle,
) -> ChildSpec {
    let bus = bus.clone();
    let live = Arc::clone(live);
    let db = db.clone();
    let cache = Arc::clone(cache);
    let forum = forum.clone();
    ChildSpec::worker(kind.name(), move |ctx| {
        let config = live.borrow().clone();
        let args = EngineArgs {
            kind,
            path: ctx.path().to_owned(),
            bus: bus.clone(),
            db: Some(db.clone()),
            searcher: Arc::new(searcher(kind, &config, &db, &cache)),
            llm: llm(config.llm.for_engine(kind)),
            forum: Some(forum.clone()),
            reflections: config.engines.reflections,
            max_paragraphs: config.engines.max_paragraphs,
        };
        async move { ctx.spawn(EngineActor, args).await }
    })
}

fn forum(bus: &EventBus, live: &LiveConfig, db: &storage::Database) -> ChildSpec {
    let bus = bus.clone();
    let live = Arc::clone(live);
    let db = db.clone();
    ChildSpec::worker(tree::FORUM, move |ctx| {
        let config = live.borrow().clone();
        let args = actors::forum::actor::ForumArgs {
            bus: bus.clone(),
            db: Some(db.clone()),
            log_path: config.forum.log_path.clone(),
            follow: config.forum.follow.clone(),
            host_every: config.forum.host_every,
            poll_every: Duration::from_millis(500),
            host_llm: llm(config.llm.endpoint(LlmEndpoint::ForumHost)),
        };
        async move { ctx.spawn(actors::forum::actor::ForumActor, args).await }
    })
}

/// The branch's children: the three engines, then the forum. The engines are given the
/// forum's handle from the tree's `handles`, before the tree (and the forum) starts.
pub fn children(
    bus: &EventBus,
    live: &LiveConfig,
    db: &storage::Database,
    cache: &Arc<dyn storage::cache::Cache>,
    handles: &TreeHandles,
) -> Vec<ChildSpec> {
    let forum_handle = handles.handle(tree::FORUM_PATH);
    let mut children: Vec<ChildSpec> = EngineKind::ALL
        .into_iter()
        .map(|kind| engine(kind, bus, live, db, cache, &forum_handle))
        .collect();
    children.push(forum(bus, live, db));
    children
}
