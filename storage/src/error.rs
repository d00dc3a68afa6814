//! What can go wrong in storage, sorted by what a caller does about it: `Unavailable` is worth
//! a 503 and a retry; the rest are answered as they are.

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database (or cache server) cannot be reached, or no connection came in time.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The URL names a kind of database this build does not speak.
    #[error("{0}")]
    Unsupported(String),
    /// The URL or a setting cannot be used.
    #[error("bad database setting: {0}")]
    BadSetting(String),
    /// Applying the migrations failed.
    #[error("migrating the database failed: {0}")]
    Migration(String),
    /// A statement failed.
    #[error("database error: {0}")]
    Query(String),
    /// Input that cannot be stored (an empty id, say).
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read.
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
}

impl StorageError {
    /// Whether trying again later may help.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => Self::Unavailable(err.to_string()),
            sqlx::Error::Configuration(e) => Self::BadSetting(e.to_string()),
            sqlx::Error::Migrate(e) => Self::Migration(e.to_string()),
            // PostgreSQL shutting down or restarting (57P…, 08…); SQLite busy or locked (5, 6).
            sqlx::Error::Database(ref e)
                if e.code().is_some_and(|c| {
                    c.starts_with("57P") || c.starts_with("08") || c == "5" || c == "6"
                }) =>
            {
                Self::Unavailable(err.to_string())
            }
            other => Self::Query(other.to_string()),
        }
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;
