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
    /// Two transactions got in each other's way (deadlock, serialization): the whole
    /// transaction may be tried again.
    #[error("database conflict (try again): {0}")]
    Conflict(String),
    /// A statement failed.
    #[error("database error: {0}")]
    Query(String),
    /// Input that cannot be stored (an empty id, say).
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read.
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    /// A file cannot be read as a whole: it broke at this line.
    #[error("{path}:{line}: {reason}")]
    Malformed {
        path: String,
        line: u64,
        reason: String,
    },
}

impl StorageError {
    /// Whether trying again later may help.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    /// Whether running the same transaction again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Conflict(_))
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
            sqlx::Error::Database(ref e) => match e.code().as_deref().map(classify) {
                Some(Class::Unavailable) => Self::Unavailable(err.to_string()),
                Some(Class::Conflict) => Self::Conflict(err.to_string()),
                _ => Self::Query(err.to_string()),
            },
            other => Self::Query(other.to_string()),
        }
    }
}

enum Class {
    Unavailable,
    Conflict,
    Other,
}

/// What a database error code means for the caller. PostgreSQL's are SQLSTATEs: 08… lost
/// connection, 53… out of resources (too many connections), 57P… shutting down; 40P01
/// deadlock and 40001 serialization failure are conflicts. SQLite's are (extended) result
/// codes whose low byte 5 is BUSY and 6 LOCKED.
fn classify(code: &str) -> Class {
    if code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") {
        return Class::Unavailable;
    }
    if code == "40P01" || code == "40001" {
        return Class::Conflict;
    }
    match code.parse::<i64>() {
        Ok(n) if matches!(n & 0xff, 5 | 6) => Class::Unavailable,
        _ => Class::Other,
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;
