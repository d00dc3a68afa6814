//! The cache kinds through the one trait: SQLite; Redis (ignored without `REDIS_URL`),
//! including a Redis that goes away (lookups become misses) and comes back (hits again).

use std::time::{Duration, Instant};

use storage::cache::{self, Cache, CacheKind};

use super::eventually::eventually_async;

#[path = "../../../tests/support/private_redis.rs"]
mod private_redis;
use private_redis::PrivateRedis;

async fn round_trip(cache: &dyn Cache) {
    let kind = cache.kind();
    cache
        .put("k1", "值 one".as_bytes(), Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        cache.get("k1").await.unwrap().as_deref(),
        Some("值 one".as_bytes()),
        "{kind}"
    );
    cache
        .put("k1", b"two", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        cache::lookup(cache, "k1").await.as_deref(),
        Some(&b"two"[..]),
        "{kind}"
    );
    assert_eq!(cache::lookup(cache, "absent").await, None, "{kind}");
    cache
        .put("gone", b"x", Duration::from_millis(1))
        .await
        .unwrap();
    eventually_async(
        &format!("{kind}: the entry to expire"),
        Duration::from_secs(5),
        move || async move { cache.get("gone").await.unwrap().is_none() },
    )
    .await;
    cache.remove("k1").await.unwrap();
    assert_eq!(cache.get("k1").await.unwrap(), None, "{kind}");
}

#[tokio::test]
async fn sqlite_cache_round_trips_and_expires() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache/cache.sqlite3");
    let cache = cache::open(&CacheKind::Sqlite { path: path.clone() })
        .await
        .unwrap();
    round_trip(cache.as_ref()).await;
    cache
        .put("kept", b"v", Duration::from_secs(60))
        .await
        .unwrap();
    drop(cache);
    // It is a file: a new handle sees what the old one stored.
    let again = cache::open(&CacheKind::Sqlite { path }).await.unwrap();
    assert_eq!(again.get("kept").await.unwrap().as_deref(), Some(&b"v"[..]));
}

#[needs::redis]
#[tokio::test]
async fn redis_cache_round_trips() {
    let url = super::backend_urls::redis_url();
    let prefix = format!("bf-test-{}:", std::process::id());
    let cache = cache::open(&CacheKind::Redis { url, prefix })
        .await
        .unwrap();
    round_trip(cache.as_ref()).await;
}

// Needs `redis-server` (it starts a private one), which is installed where Redis is.
#[needs::redis]
#[tokio::test]
async fn a_redis_outage_turns_lookups_into_misses_until_it_returns() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = PrivateRedis::start(port);
    let url = format!("redis://127.0.0.1:{port}");
    let cache = cache::open(&CacheKind::Redis {
        url,
        prefix: "t:".into(),
    })
    .await
    .unwrap();
    cache::store(cache.as_ref(), "k", b"v", Duration::from_secs(60)).await;
    assert_eq!(
        cache::lookup(cache.as_ref(), "k").await.as_deref(),
        Some(&b"v"[..])
    );

    drop(server);
    let began = Instant::now();
    assert_eq!(
        cache::lookup(cache.as_ref(), "k").await,
        None,
        "an outage is a miss"
    );
    cache::store(cache.as_ref(), "k2", b"v", Duration::from_secs(60)).await; // no panic, no hang
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "lookups do not hang: {:?}",
        began.elapsed()
    );

    let _server = PrivateRedis::start(port);
    let cache = cache.as_ref();
    eventually_async(
        "the cache to reconnect",
        Duration::from_secs(20),
        move || async move {
            cache::store(cache, "k", b"back", Duration::from_secs(60)).await;
            cache::lookup(cache, "k").await.as_deref() == Some(&b"back"[..])
        },
    )
    .await;
}

#[tokio::test]
async fn an_unreachable_redis_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kind = CacheKind::Redis {
        url: format!("redis://127.0.0.1:{port}"),
        prefix: String::new(),
    };
    let err = match cache::open(&kind).await {
        Ok(_) => panic!("nothing listens there"),
        Err(e) => e,
    };
    assert!(err.is_unavailable(), "{err}");
}
