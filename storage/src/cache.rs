//! The cache for search and LLM results, behind one trait with three kinds: `memory`
//! (bounded by entries and bytes, least recently used goes first, TTL; the order of use is the
//! `lru` crate's), `sqlite` (a file of its own in the data directory) and `redis` (shared by
//! every node).
//!
//! A cache is an optimisation, never a dependency: [`lookup`] and [`store`] turn every error
//! into a miss (counted, logged) so a Redis outage slows the service down instead of breaking
//! it, and the Redis client reconnects by itself.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::time::Instant;

use crate::error::{Result, StorageError};
use crate::telemetry;

/// A key-value cache with expiry.
pub trait Cache: Send + Sync {
    /// `memory`, `sqlite` or `redis` (the metric label).
    fn kind(&self) -> &'static str;
    /// The value under `key`, unless absent or expired.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>>>;
    /// Stores `value` under `key` for `ttl`.
    fn put<'a>(&'a self, key: &'a str, value: &'a [u8], ttl: Duration)
        -> BoxFuture<'a, Result<()>>;
    /// Forgets `key`.
    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>>;
}

/// A lookup that treats failure as a miss.
pub async fn lookup(cache: &dyn Cache, key: &str) -> Option<Vec<u8>> {
    match cache.get(key).await {
        Ok(Some(value)) => {
            telemetry::cache_lookup(cache.kind(), "hit");
            Some(value)
        }
        Ok(None) => {
            telemetry::cache_lookup(cache.kind(), "miss");
            None
        }
        Err(err) => {
            telemetry::cache_lookup(cache.kind(), "error");
            tracing::warn!(kind = cache.kind(), error = %err, "cache lookup failed; treated as a miss");
            None
        }
    }
}

/// A store that only logs failure.
pub async fn store(cache: &dyn Cache, key: &str, value: &[u8], ttl: Duration) {
    if let Err(err) = cache.put(key, value, ttl).await {
        tracing::warn!(kind = cache.kind(), error = %err, "cache store failed");
    }
}

/// Which cache to build, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheKind {
    Memory {
        max_entries: usize,
        max_bytes: usize,
    },
    Sqlite {
        path: std::path::PathBuf,
    },
    Redis {
        url: String,
        prefix: String,
    },
}

/// Opens the cache `kind` describes.
pub async fn open(kind: &CacheKind) -> Result<Arc<dyn Cache>> {
    Ok(match kind {
        CacheKind::Memory {
            max_entries,
            max_bytes,
        } => Arc::new(MemoryCache::new(*max_entries, *max_bytes)),
        CacheKind::Sqlite { path } => Arc::new(SqliteCache::open(path).await?),
        CacheKind::Redis { url, prefix } => Arc::new(RedisCache::connect(url, prefix).await?),
    })
}

// --- memory ---

struct Entry {
    value: Vec<u8>,
    expires: Instant,
}

/// The entries in order of use (the `lru` crate's map) and the bytes they hold.
struct Lru {
    /// Unbounded by itself: the bounds are entries and bytes together, enforced by `put`.
    entries: lru::LruCache<String, Entry>,
    /// Keys and values, summed.
    bytes: usize,
}

impl Lru {
    fn forget(&mut self, key: &str) {
        if let Some(entry) = self.entries.pop(key) {
            self.bytes -= entry.value.len() + key.len();
        }
    }

    fn forget_least_recently_used(&mut self) -> bool {
        match self.entries.pop_lru() {
            Some((key, entry)) => {
                self.bytes -= entry.value.len() + key.len();
                true
            }
            None => false,
        }
    }
}

/// An in-process cache bounded by entries and bytes; the least recently used goes first.
/// Expiry is checked on the tokio clock (so tests can pause it) when an entry is read; an
/// expired entry that is never read again goes when it becomes the least recently used.
pub struct MemoryCache {
    max_entries: usize,
    max_bytes: usize,
    /// A std mutex: every operation is a few map updates with no await while it is held.
    inner: Mutex<Lru>,
}

impl MemoryCache {
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            max_entries: max_entries.max(1),
            max_bytes: max_bytes.max(1),
            inner: Mutex::new(Lru {
                entries: lru::LruCache::unbounded(),
                bytes: 0,
            }),
        }
    }

    /// Entries held (expired ones included until touched or evicted).
    pub fn len(&self) -> usize {
        self.inner.lock().map(|l| l.entries.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn locked(&self) -> Result<std::sync::MutexGuard<'_, Lru>> {
        self.inner
            .lock()
            .map_err(|_| StorageError::Unavailable("the memory cache was poisoned".into()))
    }
}

impl Cache for MemoryCache {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>>> {
        Box::pin(async move {
            let mut lru = self.locked()?;
            let now = Instant::now();
            // Reading marks the entry as the most recently used.
            let value = match lru.entries.get(key) {
                None => return Ok(None),
                Some(entry) if entry.expires <= now => None,
                Some(entry) => Some(entry.value.clone()),
            };
            if value.is_none() {
                lru.forget(key);
            }
            Ok(value)
        })
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        value: &'a [u8],
        ttl: Duration,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let size = value.len() + key.len();
            if size > self.max_bytes {
                return Ok(()); // larger than the whole cache: not worth evicting everything
            }
            let mut lru = self.locked()?;
            lru.forget(key);
            while lru.entries.len() >= self.max_entries || lru.bytes + size > self.max_bytes {
                if !lru.forget_least_recently_used() {
                    break;
                }
            }
            lru.bytes += size;
            lru.entries.put(
                key.to_owned(),
                Entry {
                    value: value.to_vec(),
                    expires: Instant::now() + ttl,
                },
            );
            Ok(())
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.locked()?.forget(key);
            Ok(())
        })
    }
}

// --- sqlite ---

/// A cache in a SQLite file of its own; expired rows are purged as new ones arrive.
pub struct SqliteCache {
    pool: sqlx::SqlitePool,
    puts: std::sync::atomic::AtomicU64,
}

impl SqliteCache {
    pub async fn open(path: &std::path::Path) -> Result<Self> {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| StorageError::File {
                    path: dir.display().to_string(),
                    reason: e.to_string(),
                })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, \
             expires_at INTEGER NOT NULL)",
        )
        .execute(&pool)
        .await?;
        Ok(Self {
            pool,
            puts: std::sync::atomic::AtomicU64::new(0),
        })
    }
}

impl Cache for SqliteCache {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>>> {
        Box::pin(async move {
            Ok(
                sqlx::query_scalar("SELECT value FROM cache WHERE key = $1 AND expires_at > $2")
                    .bind(key)
                    .bind(crate::clock::now_ms())
                    .fetch_optional(&self.pool)
                    .await?,
            )
        })
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        value: &'a [u8],
        ttl: Duration,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let now = crate::clock::now_ms();
            let expires = now.saturating_add(ttl.as_millis().min(i64::MAX as u128) as i64);
            sqlx::query(
                "INSERT INTO cache (key, value, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
                 expires_at = excluded.expires_at",
            )
            .bind(key)
            .bind(value)
            .bind(expires)
            .execute(&self.pool)
            .await?;
            let puts = self.puts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if puts % 256 == 255 {
                sqlx::query("DELETE FROM cache WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
            }
            Ok(())
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            sqlx::query("DELETE FROM cache WHERE key = $1")
                .bind(key)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }
}

// --- redis ---

/// A cache in Redis, shared by every node; entries expire in Redis itself.
pub struct RedisCache {
    client: fred::clients::Client,
    prefix: String,
}

impl RedisCache {
    /// Connects (waiting at most a few seconds); later outages are retried in the background.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self> {
        use fred::prelude::*;
        let config = Config::from_url(url).map_err(|e| StorageError::BadSetting(e.to_string()))?;
        let client = Builder::from_config(config)
            .with_connection_config(|c| {
                c.connection_timeout = Duration::from_secs(2);
                c.internal_command_timeout = Duration::from_secs(2);
            })
            .with_performance_config(|p| {
                p.default_command_timeout = Duration::from_millis(500);
            })
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2))
            .build()
            .map_err(|e| StorageError::BadSetting(e.to_string()))?;
        client
            .init()
            .await
            .map_err(|e| StorageError::Unavailable(format!("redis: {e}")))?;
        Ok(Self {
            client,
            prefix: format!("{prefix}cache:"),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn redis_error(err: fred::error::Error) -> StorageError {
    StorageError::Unavailable(format!("redis: {err}"))
}

impl Cache for RedisCache {
    fn kind(&self) -> &'static str {
        "redis"
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>>> {
        Box::pin(async move {
            use fred::interfaces::KeysInterface;
            let value: Option<Vec<u8>> =
                self.client.get(self.key(key)).await.map_err(redis_error)?;
            Ok(value)
        })
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        value: &'a [u8],
        ttl: Duration,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            use fred::interfaces::KeysInterface;
            use fred::types::Expiration;
            let ms = (ttl.as_millis().min(i64::MAX as u128) as i64).max(1);
            let _: () = self
                .client
                .set(self.key(key), value, Some(Expiration::PX(ms)), None, false)
                .await
                .map_err(redis_error)?;
            Ok(())
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            use fred::interfaces::KeysInterface;
            let _: i64 = self.client.del(self.key(key)).await.map_err(redis_error)?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    //! The memory cache's bounds and expiry on a paused clock.
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn memory_cache_expires_and_evicts_the_least_recently_used() {
        let cache = MemoryCache::new(2, 1024);
        cache.put("a", b"1", Duration::from_secs(10)).await.unwrap();
        cache.put("b", b"2", Duration::from_secs(60)).await.unwrap();
        assert_eq!(cache.get("a").await.unwrap().as_deref(), Some(&b"1"[..]));
        // "b" is now the least recently used, so "c" pushes it out.
        cache.put("c", b"3", Duration::from_secs(60)).await.unwrap();
        assert_eq!(cache.get("b").await.unwrap(), None);
        assert_eq!(cache.len(), 2);
        tokio::time::advance(Duration::from_secs(11)).await;
        assert_eq!(cache.get("a").await.unwrap(), None, "expired");
        assert!(cache.get("c").await.unwrap().is_some());
        cache.remove("c").await.unwrap();
        assert!(cache.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn memory_cache_replaces_a_key_and_counts_its_bytes_once() {
        let cache = MemoryCache::new(10, 1024);
        let ttl = Duration::from_secs(60);
        cache.put("k", &[0u8; 100], ttl).await.unwrap();
        cache.put("k", &[1u8; 10], ttl).await.unwrap();
        assert_eq!(cache.inner.lock().unwrap().bytes, 11);
        assert_eq!(cache.get("k").await.unwrap(), Some(vec![1u8; 10]));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(cache.get("k").await.unwrap(), None, "expired");
        assert_eq!(cache.inner.lock().unwrap().bytes, 0, "and forgotten");
    }

    #[tokio::test(start_paused = true)]
    async fn memory_cache_is_bounded_by_bytes() {
        let cache = MemoryCache::new(100, 64);
        for i in 0..10 {
            cache
                .put(&format!("k{i}"), &[0u8; 20], Duration::from_secs(60))
                .await
                .unwrap();
        }
        let held = cache.inner.lock().unwrap().bytes;
        assert!(held <= 64, "{held} bytes held");
        assert!(cache.get("k9").await.unwrap().is_some());
        assert!(cache.get("k0").await.unwrap().is_none());
        cache
            .put("huge", &[0u8; 100], Duration::from_secs(60))
            .await
            .unwrap();
        assert!(
            cache.get("huge").await.unwrap().is_none(),
            "larger than the cache"
        );
    }
}
