//! The database handle: a SQLite or PostgreSQL pool behind one type, opened from a URL with the
//! pool settings from config, migrated from `migrations/<kind>`, and measured.
//!
//! The pool connects lazily, so the service starts (and says it is not ready) while PostgreSQL
//! is down, and recovers by itself when it returns: every acquire tries again. Each acquire is
//! timed into `bettafish_db_acquire_duration_seconds`.

use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite};

use crate::error::{Result, StorageError};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database a handle speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgresql",
        }
    }
}

/// Pool settings (DESIGN.md §5): health-checked before use, recycled after `max_lifetime`.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub min_idle: u32,
    pub acquire_timeout: Duration,
    pub max_lifetime: Duration,
    pub idle_timeout: Duration,
    pub test_before_acquire: bool,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            min_idle: 0,
            acquire_timeout: Duration::from_secs(3),
            max_lifetime: Duration::from_secs(30 * 60),
            idle_timeout: Duration::from_secs(10 * 60),
            test_before_acquire: true,
        }
    }
}

/// A pool's connections right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection from either pool.
pub(crate) enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// Runs `$body` with `$c` bound to a connection of whichever backend: for statements whose
/// text is the same on both (numbered `$n` parameters work on both).
macro_rules! on_conn {
    ($db:expr, $c:ident => $body:expr) => {
        match $db.conn().await? {
            $crate::db::Conn::Sqlite(mut $c) => $body,
            $crate::db::Conn::Postgres(mut $c) => $body,
        }
    };
}
pub(crate) use on_conn;

/// How a write transaction begins on SQLite: taking the write lock at once. A deferred
/// transaction that reads first and writes later cannot wait for another writer (SQLite
/// answers "database is locked" at once rather than deadlock), so two imports, or an import
/// and the sample seeding, would fail instead of taking turns.
pub(crate) const SQLITE_BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// Runs `$body` with `$tx` bound to a write transaction of whichever backend, and commits it
/// when `$body` has run (a `?` in it drops the transaction, which rolls it back). On SQLite
/// the transaction holds the write lock from its start ([`SQLITE_BEGIN_WRITE`]), so a statement
/// that reads before it writes (a claim choosing the oldest task) sees no other writer between
/// the two, and waits its turn rather than failing when another writer is at work.
macro_rules! in_write_tx {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db.conn().await? {
            $crate::db::Conn::Sqlite(mut conn) => {
                let mut $tx =
                    sqlx::Connection::begin_with(&mut *conn, $crate::db::SQLITE_BEGIN_WRITE)
                        .await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::db::Conn::Postgres(mut conn) => {
                let mut $tx = sqlx::Connection::begin(&mut *conn).await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}
pub(crate) use in_write_tx;

/// The database. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pub(crate) pool: Pool,
    max: u32,
    /// How much one search may ask for: its searches are cut to it (see
    /// [`Database::with_query_limits`]).
    query_limits: crate::terms::QueryLimits,
}

impl Database {
    /// This handle, cutting every search it runs to `limits` (its clones too); the default is
    /// [`QueryLimits::default`](crate::terms::QueryLimits::default).
    #[must_use]
    pub fn with_query_limits(mut self, limits: crate::terms::QueryLimits) -> Self {
        self.query_limits = limits;
        self
    }

    /// The limits its searches are cut to, for a caller that refuses rather than cuts.
    pub fn query_limits(&self) -> &crate::terms::QueryLimits {
        &self.query_limits
    }

    /// The query for `text` within this handle's limits; a cut one is noted in the log.
    pub(crate) fn query(&self, text: &str) -> crate::terms::Query {
        let (query, clipped) = crate::terms::Query::parse_clipped(text, &self.query_limits);
        if clipped {
            tracing::debug!(
                max_chars = self.query_limits.max_chars,
                max_terms = self.query_limits.max_terms,
                "a search beyond the limits was cut to them"
            );
        }
        query
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend())
            .field("max", &self.max)
            .finish()
    }
}

/// The kind of database a URL names, or why it names none we speak.
pub fn backend_of(url: &str) -> Result<Backend> {
    let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or_default();
    match scheme.to_ascii_lowercase().as_str() {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        "mysql" | "mariadb" => Err(StorageError::Unsupported(
            "MySQL is not supported: use PostgreSQL (postgres://…) or SQLite (sqlite://…)".into(),
        )),
        "" => Err(StorageError::BadSetting(format!(
            "`{url}` is not a database URL (sqlite://path or postgres://…)"
        ))),
        other => Err(StorageError::Unsupported(format!(
            "`{other}` databases are not supported: use postgres:// or sqlite://"
        ))),
    }
}

impl Database {
    /// Opens (lazily) the database at `url`. A SQLite file and its directory are created.
    pub async fn open(url: &str, settings: &PoolSettings) -> Result<Self> {
        let max = settings.max_connections.max(1);
        let pool = match backend_of(url)? {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StorageError::BadSetting(e.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
                    // Up to 32 MiB of page cache per connection, taken as used: bulk imports
                    // otherwise spend their time re-reading index pages.
                    .pragma("cache_size", "-32768");
                if let Some(dir) = options.get_filename().parent() {
                    if !dir.as_os_str().is_empty() {
                        tokio::fs::create_dir_all(dir)
                            .await
                            .map_err(|e| StorageError::File {
                                path: dir.display().to_string(),
                                reason: e.to_string(),
                            })?;
                    }
                }
                Pool::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(max)
                        .min_connections(settings.min_idle.min(max))
                        .acquire_timeout(settings.acquire_timeout)
                        .max_lifetime(settings.max_lifetime)
                        .idle_timeout(settings.idle_timeout)
                        .test_before_acquire(settings.test_before_acquire)
                        .connect_lazy_with(options),
                )
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| StorageError::BadSetting(e.to_string()))?
                    .application_name("bettafish");
                Pool::Postgres(
                    PgPoolOptions::new()
                        .max_connections(max)
                        .min_connections(settings.min_idle.min(max))
                        .acquire_timeout(settings.acquire_timeout)
                        .max_lifetime(settings.max_lifetime)
                        .idle_timeout(settings.idle_timeout)
                        .test_before_acquire(settings.test_before_acquire)
                        .connect_lazy_with(options),
                )
            }
        };
        Ok(Self {
            pool,
            max,
            query_limits: crate::terms::QueryLimits::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations not yet applied (concurrent callers wait on the migrator's lock).
    pub async fn migrate(&self) -> Result<()> {
        let result = match &self.pool {
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        };
        result.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(inner) => match StorageError::from(inner) {
                StorageError::Unavailable(why) => StorageError::Unavailable(why),
                other => StorageError::Migration(other.to_string()),
            },
            other => StorageError::Migration(other.to_string()),
        })
    }

    /// The migrations this build carries for this backend, and how many are applied.
    pub async fn migration_status(&self) -> Result<(usize, usize)> {
        let known = match self.backend() {
            Backend::Sqlite => SQLITE_MIGRATIONS.iter().count(),
            Backend::Postgres => POSTGRES_MIGRATIONS.iter().count(),
        };
        let applied: Result<i64> = match self.conn().await? {
            Conn::Sqlite(mut c) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                    .fetch_one(&mut *c)
                    .await
                    .map_err(Into::into)
            }
            Conn::Postgres(mut c) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                    .fetch_one(&mut *c)
                    .await
                    .map_err(Into::into)
            }
        };
        Ok((known, applied.unwrap_or(0) as usize))
    }

    /// One round trip: the database answers.
    pub async fn ping(&self) -> Result<()> {
        match self.conn().await? {
            Conn::Sqlite(mut c) => {
                sqlx::query("SELECT 1").execute(&mut *c).await?;
            }
            Conn::Postgres(mut c) => {
                sqlx::query("SELECT 1").execute(&mut *c).await?;
            }
        }
        Ok(())
    }

    /// The pool's connections: open, idle, and the most it will open.
    pub fn pool_state(&self) -> PoolState {
        let (open, idle) = match &self.pool {
            Pool::Sqlite(p) => (p.size(), p.num_idle() as u32),
            Pool::Postgres(p) => (p.size(), p.num_idle() as u32),
        };
        PoolState {
            open,
            idle: idle.min(open),
            max: self.max,
        }
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }

    /// A connection, timed.
    pub(crate) async fn conn(&self) -> Result<Conn> {
        let began = Instant::now();
        let conn = match &self.pool {
            Pool::Sqlite(p) => p.acquire().await.map(Conn::Sqlite),
            Pool::Postgres(p) => p.acquire().await.map(Conn::Postgres),
        };
        crate::telemetry::acquired(began.elapsed(), conn.is_ok());
        Ok(conn?)
    }
}

#[cfg(test)]
mod tests {
    //! URL kinds.
    use super::*;

    #[test]
    fn urls_name_their_backend_or_a_clear_refusal() {
        assert_eq!(backend_of("sqlite://data/x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(
            backend_of("postgresql://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        let mysql = backend_of("mysql://root@localhost/test").unwrap_err();
        assert!(
            mysql.to_string().contains("MySQL is not supported"),
            "{mysql}"
        );
        assert!(backend_of("nonsense").is_err());
    }
}
