//! The report engine as configured (`root/engines/report`): its LLM (`REPORT_ENGINE_*`) and a
//! fallback (the first other configured engine LLM), the evidence gatherer (the local store
//! with the keyword optimizer, and the web providers the engines use), the templates, and
//! where its files go; and [`ReportTasks`], the facade the HTTP handlers and the analysis
//! sessions queue tasks through. Each start reads the live configuration.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use actors::engines::gather::Searcher;
use actors::evidence::Gatherer;
use actors::reports::engine::{ReportEngine, ReportEngineArgs};
use actors::reports::log::ReportLog;
use actors::reports::pipeline::TaskContext;
use actors::reports::{ReportTasks, RootLink, Slots};
use actors::tree;
use events::EventBus;
use report::templates::Templates;
use search::{Cached, LocalStore, Provider};
use supervision::{ChildSpec, TreeHandles};

use super::config_actor::LiveConfig;
use super::engines::llm;
use crate::config::{Config, LlmEndpoint};

/// How long web search results are kept in the cache.
const SEARCH_CACHE_TTL: Duration = Duration::from_secs(600);

/// Where report tasks' files go.
pub fn reports_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("reports")
}

/// What the wiring gives the service.
pub struct Wiring {
    /// The report engine's spec, for the `engines` branch.
    pub engine: ChildSpec,
    pub tasks: ReportTasks,
    /// Filled once the tree has started.
    pub root: RootLink,
}

/// The evidence gatherer for the configuration.
pub fn gatherer(
    config: &Config,
    db: &storage::Database,
    cache: &Arc<dyn storage::cache::Cache>,
) -> Gatherer {
    let search = &config.search;
    let web: Vec<Provider> = [search.tavily(), search.searxng(), search.bocha()]
        .into_iter()
        .map(|p| Cached::wrap(p, Arc::clone(cache), SEARCH_CACHE_TTL))
        .collect();
    let local = Searcher::new(vec![LocalStore::provider(db.clone())])
        .with_keyword_optimizer(llm(config.llm.endpoint(LlmEndpoint::KeywordOptimizer)));
    Gatherer {
        db: db.clone(),
        local: Arc::new(local),
        web: Arc::new(web),
        max_items: config.reports.evidence_max_items,
        offset: config.reports.time_zone,
    }
}

/// This instance's name in the shared queue: host, process and a random part, so a restarted
/// process never passes for the one that held a task before it.
fn owner() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_owned());
    format!(
        "{host}:{}:{:06x}",
        std::process::id(),
        fastrand::u32(..) & 0xff_ffff
    )
}

/// The report engine's spec and the facade.
pub fn wiring(
    bus: &EventBus,
    live: &LiveConfig,
    db: &storage::Database,
    cache: &Arc<dyn storage::cache::Cache>,
    handles: &TreeHandles,
) -> Wiring {
    let config = live.borrow().clone();
    let templates = Arc::new(Templates::builtin());
    let root = RootLink::default();
    let slots = Slots::new(config.reports.max_running);
    let dir = reports_dir(&config.data_dir);
    let log = ReportLog::new(config.data_dir.join("logs").join("report.log"));
    let owner = owner();
    let engine_log = log.clone();
    let tasks = ReportTasks::new(
        db.clone(),
        bus.clone(),
        Arc::clone(&templates),
        root.clone(),
        handles.handle(tree::REPORT_ENGINE_PATH),
        actors::reports::Files {
            dir: dir.clone(),
            log,
        },
        config.reports.max_pending,
    );
    let (bus, live, db, cache, link) = (
        bus.clone(),
        Arc::clone(live),
        db.clone(),
        Arc::clone(cache),
        root.clone(),
    );
    let engine = ChildSpec::worker(tree::REPORT_ENGINE, move |ctx| {
        let config = live.borrow().clone();
        let report_llm = llm(config.llm.endpoint(LlmEndpoint::Report));
        let fallback = [LlmEndpoint::Insight, LlmEndpoint::Media, LlmEndpoint::Query]
            .into_iter()
            .find_map(|e| llm(config.llm.endpoint(e)));
        let args = ReportEngineArgs {
            ctx: TaskContext {
                db: db.clone(),
                bus: bus.clone(),
                templates: Arc::clone(&templates),
                llm: report_llm,
                fallback,
                gatherer: gatherer(&config, &db, &cache),
                dir: dir.clone(),
                owner: owner.clone(),
                log: engine_log.clone(),
            },
            queue: config.reports.queue,
            root: link.clone(),
            slots: slots.clone(),
            path: ctx.path().to_owned(),
        };
        async move { ctx.spawn(ReportEngine, args).await }
    });
    Wiring {
        engine,
        tasks,
        root,
    }
}
