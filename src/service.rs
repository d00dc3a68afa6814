//! The running service: the supervision tree with its `infra` actors, the live configuration,
//! access tokens and metrics — everything the HTTP layer serves from, in one [`App`].

pub mod config_actor;
pub mod engines;
pub mod metrics_actor;
pub mod reports;
pub mod storage_actor;
pub mod telemetry;

use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use actors::sessions::{AnalysisSessions, SessionRecords, SessionSettings, SessionSettingsSource};
use actors::tree::{infra as infra_ids, service_tree, BranchSettings, Branches, ROOT};
use anyhow::Context;
use events::broadcaster::Broadcaster;
use events::{EventBus, Topic};
use metrics_exporter_prometheus::PrometheusHandle;
use supervision::{BackoffPolicy, ChildSpec, SupervisorRef, TreeHandles};
use tokio::sync::watch;

use crate::auth::{OperatorTokenOrigin, Tokens};
use crate::config::{Config, Inputs, Supervisor};
use config_actor::{ConfigActor, ConfigArgs, LiveConfig};
use metrics_actor::{LatestSample, MetricsActor, MetricsArgs};
use telemetry::TreeTelemetry;

/// Everything a request handler may need.
pub struct App {
    /// The supervision tree.
    pub root: SupervisorRef,
    /// The analysis sessions.
    pub sessions: AnalysisSessions,
    /// The report tasks.
    pub reports: actors::reports::ReportTasks,
    /// The live configuration.
    pub live: LiveConfig,
    /// Access tokens.
    pub tokens: Tokens,
    /// The Prometheus exporter.
    pub prometheus: PrometheusHandle,
    /// The latest process sample.
    pub latest_sample: LatestSample,
    /// Recent lifecycle events.
    pub telemetry: Arc<TreeTelemetry>,
    /// When the service started.
    pub started_at: Instant,
    /// The same, on the wall clock.
    pub started_wall: SystemTime,
    /// Set to true to ask the process to shut down (`POST /api/system/shutdown`).
    pub shutdown: watch::Sender<bool>,
    /// Set to true when shutdown begins: streaming connections send a last frame and close.
    pub closing: watch::Sender<bool>,
    /// The event bus.
    pub bus: EventBus,
    /// The database.
    pub db: storage::Database,
    /// What the `storage` actor last found.
    pub storage: Arc<storage_actor::StorageHealth>,
    /// The cache for search and LLM results.
    pub cache: Arc<dyn storage::cache::Cache>,
    /// The places of the forum log's readers (`FORUM_LOG_MAX_READERS`).
    pub forum_readers: Arc<tokio::sync::Semaphore>,
}

impl App {
    /// The current configuration.
    pub fn config(&self) -> Arc<Config> {
        self.live.borrow().clone()
    }
}

/// A branch's settings from the live configuration, which holds every branch the tree has.
fn branch_settings(live: &LiveConfig, name: &str) -> BranchSettings {
    let Some(supervisor) = Supervisor::named(name) else {
        return BranchSettings::default();
    };
    let config = live.borrow();
    let settings = config.supervision.of(supervisor);
    BranchSettings {
        max_restarts: settings.max_restarts,
        period: settings.period,
        backoff: BackoffPolicy::exponential(settings.backoff_min, settings.backoff_max),
        // Analyses are bounded by ANALYSIS_MAX_RUNNING; the other dynamic branch (reports)
        // keeps the tree's default.
        max_children: if name == actors::tree::Branch::Analyses.id() {
            config.input.analysis_max_running
        } else {
            BranchSettings::default().max_children
        },
    }
}

/// What the analysis sessions read for each one they start: the one place their settings come
/// from the configuration.
fn session_settings(live: &LiveConfig) -> SessionSettingsSource {
    let live = Arc::clone(live);
    Arc::new(move || SessionSettings {
        engine_timeout: live.borrow().analysis.engine_timeout,
    })
}

/// The `storage` actor: the database's keeper, and the sweep of analyses left running.
fn storage(
    live: &LiveConfig,
    bus: &EventBus,
    db: &storage::Database,
    health: &Arc<storage_actor::StorageHealth>,
    sessions: &SessionRecords,
) -> ChildSpec {
    let seed_sample = live.borrow().seed_sample;
    let db = db.clone();
    let health = Arc::clone(health);
    let bus = bus.clone();
    let sessions = sessions.clone();
    ChildSpec::worker(infra_ids::STORAGE, move |ctx| {
        let args = storage_actor::StorageArgs {
            db: db.clone(),
            health: Arc::clone(&health),
            bus: bus.clone(),
            sessions: sessions.clone(),
            seed_sample,
        };
        async move { ctx.spawn(storage_actor::StorageActor, args).await }
    })
}

/// The `infra` branch's own actors, in dependency order (`storage` built by [`storage`]).
fn infra(
    bus: &EventBus,
    live: &LiveConfig,
    inputs: &Arc<Inputs>,
    prometheus: &PrometheusHandle,
    latest: &LatestSample,
    storage: ChildSpec,
) -> Vec<ChildSpec> {
    let broadcaster = {
        let bus = bus.clone();
        ChildSpec::worker(infra_ids::BROADCASTER, move |ctx| {
            let bus = bus.clone();
            async move { ctx.spawn(Broadcaster, bus).await }
        })
    };
    let config = {
        let live = Arc::clone(live);
        let inputs = Arc::clone(inputs);
        ChildSpec::worker(infra_ids::CONFIG, move |ctx| {
            let args = ConfigArgs {
                live: Arc::clone(&live),
                inputs: Arc::clone(&inputs),
            };
            async move { ctx.spawn(ConfigActor, args).await }
        })
    };
    let metrics = {
        let live = Arc::clone(live);
        let prometheus = prometheus.clone();
        let latest = Arc::clone(latest);
        ChildSpec::worker(infra_ids::METRICS, move |ctx| {
            let args = MetricsArgs {
                prometheus: prometheus.clone(),
                latest: Arc::clone(&latest),
                interval: live.borrow().metrics_interval,
            };
            async move { ctx.spawn(MetricsActor, args).await }
        })
    };
    let mut children = vec![broadcaster];
    let current = live.borrow().clone();
    if let Some(url) = current.redis_url.clone() {
        let bus = bus.clone();
        let prefix = current.redis_prefix.clone();
        children.push(ChildSpec::worker(infra_ids::REDIS, move |ctx| {
            let args = events::redis_link::RedisLinkArgs {
                bus: bus.clone(),
                url: url.clone(),
                prefix: prefix.clone(),
            };
            async move { ctx.spawn(events::redis_link::RedisLinkActor, args).await }
        }));
    }
    children.extend([storage, config, metrics]);
    children
}

/// Starts the service: data directory, tokens, the supervision tree.
///
/// # Errors
/// The data directory or token files cannot be created, or the tree fails to start.
pub async fn start(
    config: Config,
    inputs: Inputs,
    prometheus: PrometheusHandle,
    bus: EventBus,
) -> anyhow::Result<App> {
    // Private before anything is written there: the umask covers every file created later.
    // A walk of the disk: off the runtime's threads.
    let data_dir = config.data_dir.clone();
    tokio::task::spawn_blocking(move || crate::private_files::keep_private(&data_dir))
        .await
        .context("making the data directory private")?
        .with_context(|| {
            format!(
                "making the data directory {} private (mode 0700)",
                config.data_dir.display()
            )
        })?;
    let (tokens, origin) = Tokens::init(
        &config.data_dir,
        config.operator_token.as_deref(),
        config.viewer_token.as_deref(),
        config.is_loopback(),
    )
    .context("setting up the operator token")?;
    match origin {
        OperatorTokenOrigin::Configured => {
            tracing::info!("operator token: from BETTAFISH_OPERATOR_TOKEN")
        }
        OperatorTokenOrigin::Stored(path) => {
            tracing::info!(file = %path.display(), "operator token: as generated at first start")
        }
        OperatorTokenOrigin::Generated(path) => tracing::warn!(
            file = %path.display(),
            "operator token generated; read it from this file (mode 0600) and keep it safe"
        ),
    }
    if !config.is_loopback() && config.viewer_token.is_none() {
        tracing::warn!("bound beyond loopback without BETTAFISH_VIEWER_TOKEN: read routes need the operator token");
    }
    crate::internal_events::build_info();
    let db = storage::Database::open(&config.database_url, &config.pool)
        .await
        .with_context(|| format!("opening the database ({})", config.database_key))?
        .with_query_limits(config.input.search);
    tracing::info!(
        backend = db.backend().name(),
        url = %crate::config::mask_url(&config.database_url),
        "database"
    );
    let cache = match storage::cache::open(&config.cache).await {
        Ok(cache) => cache,
        Err(err) => {
            tracing::warn!(error = %err, "the configured cache is unavailable; using memory until the next start");
            Arc::new(storage::cache::MemoryCache::new(10_000, 64 << 20))
        }
    };
    let health = Arc::new(storage_actor::StorageHealth::default());
    let (live, _) = watch::channel(Arc::new(config));
    let live: LiveConfig = Arc::new(live);
    let inputs = Arc::new(inputs);
    let latest: LatestSample = Arc::new(Mutex::new(crate::process_metrics::sample()));
    let telemetry = Arc::new(TreeTelemetry::new(bus.clone()));
    // The tree's handles exist before the tree, so that specs are built holding the handles
    // of the actors they send to (the engines, the forum's), whichever starts first.
    let handles = TreeHandles::new();
    let records = SessionRecords::new(db.clone(), bus.clone());
    let reports = reports::wiring(&bus, &live, &db, &cache, &handles);
    let mut engine_children = engines::children(&bus, &live, &db, &cache, &handles);
    engine_children.push(reports.engine);
    let branches = Branches {
        infra: infra(
            &bus,
            &live,
            &inputs,
            &prometheus,
            &latest,
            storage(&live, &bus, &db, &health, &records),
        ),
        engines: engine_children,
        ..Branches::default()
    };
    let settings_live = Arc::clone(&live);
    let spec = service_tree(
        branches,
        Arc::new(move |name: &str| branch_settings(&settings_live, name)),
        Arc::clone(&telemetry) as Arc<dyn supervision::Observer>,
    );
    let root = SupervisorRef::start_root_with(ROOT, spec, handles)
        .await
        .context("starting the supervision tree")?;
    reports.root.set(root.clone());
    let (max_running, forum_readers) = {
        let input = live.borrow().input;
        (input.analysis_max_running, input.forum_max_readers)
    };
    let reporting = {
        let (gather_live, auto_live, db, cache) = (
            Arc::clone(&live),
            Arc::clone(&live),
            db.clone(),
            Arc::clone(&cache),
        );
        actors::sessions::Reporting {
            gatherer: Arc::new(move || reports::gatherer(&gather_live.borrow(), &db, &cache)),
            reports: reports.tasks.clone(),
            auto: Arc::new(move || auto_live.borrow().reports.auto),
        }
    };
    let sessions =
        AnalysisSessions::new(records, root.clone(), session_settings(&live), max_running)
            .with_reporting(reporting);
    let (shutdown, _) = watch::channel(false);
    let (closing, _) = watch::channel(false);
    let _ = bus.publish(
        Topic::system().as_str(),
        "started",
        &serde_json::json!({"version": env!("CARGO_PKG_VERSION"), "pid": std::process::id()}),
    );
    Ok(App {
        root,
        sessions,
        reports: reports.tasks,
        live,
        tokens,
        prometheus,
        latest_sample: latest,
        telemetry,
        started_at: Instant::now(),
        started_wall: SystemTime::now(),
        shutdown,
        closing,
        bus,
        db,
        storage: health,
        cache,
        forum_readers: Arc::new(tokio::sync::Semaphore::new(
            forum_readers.min(tokio::sync::Semaphore::MAX_PERMITS),
        )),
    })
}
