//! The `storage` actor (under `root/infra`): keeps the database migrated and watched. Every
//! couple of seconds it applies pending migrations (until they are in), pings the database,
//! and records the pool's gauges; what it finds goes into [`StorageHealth`], which `/readyz`
//! reports and which lets requests that need the database answer 503 at once while it is down
//! instead of each waiting out the acquire timeout. Recovery needs nobody: the next check
//! that succeeds flips it back. On an empty embedded database it loads the sample corpus once
//! (`BETTAFISH_SAMPLE_DATA`), after start-up. At start and once a minute it has the analyses
//! still `running` past their deadline, which a process that was killed or crashed left
//! behind, recorded as failed and announced (see `SessionRecords::abandon_overdue`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actors::sessions::SessionRecords;
use events::Topic;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use storage::Database;
use tokio::task::JoinHandle;

/// How often the database is checked.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);
/// The longest a check may take (migrations included).
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);
/// How often analyses left running by a stopped process are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// What the last check found.
#[derive(Debug, Default)]
pub struct StorageHealth {
    migrated: AtomicBool,
    up: AtomicBool,
    last_error: Mutex<Option<String>>,
}

impl StorageHealth {
    /// Migrated and answering.
    pub fn ready(&self) -> bool {
        self.migrated.load(Ordering::Acquire) && self.up.load(Ordering::Acquire)
    }

    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records a check's outcome; returns whether readiness changed.
    pub fn record(&self, migrated: bool, result: Result<(), String>) -> bool {
        let was = self.ready();
        self.migrated.store(migrated, Ordering::Release);
        self.up.store(result.is_ok(), Ordering::Release);
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = result.err();
        was != self.ready()
    }
}

pub enum StorageMsg {
    Check,
    /// Load the sample corpus if the database holds no posts (once, after the first check).
    SeedSample,
}

pub struct StorageActor;

pub struct StorageArgs {
    pub db: Database,
    pub health: Arc<StorageHealth>,
    pub bus: events::EventBus,
    /// The analysis sessions' records, for the sweep of overdue ones.
    pub sessions: SessionRecords,
    /// Load the sample corpus once the database is migrated, if it holds no posts.
    pub seed_sample: bool,
}

pub struct StorageState {
    args: StorageArgs,
    ticker: JoinHandle<()>,
    /// When overdue analyses were last looked for.
    swept: Option<Instant>,
}

impl StorageState {
    async fn check(&self) {
        let db = &self.args.db;
        let health = &self.args.health;
        let mut migrated = health.migrated.load(Ordering::Acquire);
        let result = async {
            if !migrated {
                db.migrate().await.map_err(|e| e.to_string())?;
                migrated = true;
                tracing::info!(backend = db.backend().name(), "database migrated");
            }
            db.ping().await.map_err(|e| e.to_string())
        };
        let result = match tokio::time::timeout(CHECK_TIMEOUT, result).await {
            Ok(result) => result,
            Err(_) => Err("the database did not answer in time".to_owned()),
        };
        storage::telemetry::pool_sampled(db.pool_state(), result.is_ok());
        if health.record(migrated, result.clone()) {
            let ready = health.ready();
            match &result {
                Ok(()) => tracing::info!("database available"),
                Err(e) => tracing::warn!(error = %e, "database unavailable"),
            }
            let _ = self.args.bus.publish(
                Topic::system().as_str(),
                if ready {
                    "database_up"
                } else {
                    "database_down"
                },
                &serde_json::json!({"backend": db.backend().name(), "error": result.err()}),
            );
        }
    }
}

impl StorageState {
    /// Has overdue analyses recorded as failed and announced, at most once a minute.
    async fn sweep(&mut self) {
        if !self.args.health.ready() || self.swept.is_some_and(|t| t.elapsed() < SWEEP_EVERY) {
            return;
        }
        self.swept = Some(Instant::now());
        let sweep = self.args.sessions.abandon_overdue(storage::clock::now_ms());
        let found = match tokio::time::timeout(CHECK_TIMEOUT, sweep).await {
            Ok(found) => found.map_err(|e| e.to_string()),
            Err(_) => Err("the database did not answer in time".to_owned()),
        };
        if let Err(err) = found {
            tracing::warn!(error = %err, "looking for abandoned analyses failed");
        }
    }

    async fn seed_sample(&mut self) {
        if !self.args.seed_sample || !self.args.health.ready() {
            return;
        }
        self.args.seed_sample = false;
        let db = &self.args.db;
        match db.seed_sample_once().await {
            Ok(storage::sample::FirstSeed::Loaded(seeded)) => tracing::info!(
                posts = seeded.posts,
                comments = seeded.comments,
                news = seeded.news,
                "sample corpus loaded into the empty database (fictional data; BETTAFISH_SAMPLE_DATA=off to skip)"
            ),
            Ok(storage::sample::FirstSeed::Skipped) => {}
            Err(err) => tracing::warn!(error = %err, "loading the sample corpus failed"),
        }
    }
}

impl Actor for StorageActor {
    type Msg = StorageMsg;
    type State = StorageState;
    type Arguments = StorageArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<StorageMsg>,
        args: StorageArgs,
    ) -> Result<StorageState, ActorProcessingErr> {
        let ticker = myself.send_interval(CHECK_EVERY, || StorageMsg::Check);
        let mut state = StorageState {
            args,
            ticker,
            swept: None,
        };
        state.check().await;
        state.sweep().await;
        // After start, so that seeding never delays the service coming up.
        let _ = myself.cast(StorageMsg::SeedSample);
        Ok(state)
    }

    async fn handle(
        &self,
        _myself: ActorRef<StorageMsg>,
        message: StorageMsg,
        state: &mut StorageState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            StorageMsg::Check => {
                state.check().await;
                state.seed_sample().await;
                state.sweep().await;
            }
            StorageMsg::SeedSample => state.seed_sample().await,
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<StorageMsg>,
        state: &mut StorageState,
    ) -> Result<(), ActorProcessingErr> {
        state.ticker.abort();
        Ok(())
    }
}
