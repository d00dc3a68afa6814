//! The search providers against local servers shaped like Tavily, Bocha and SearXNG; a
//! provider without its key is visibly off; results come from the cache the second time; the
//! local store searches the sample corpus.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use search::{Bocha, Cached, LocalStore, Provider, SearchError, Searxng, Tavily};
use serde_json::json;
use support::{server, Reply};

const T: Duration = Duration::from_secs(5);

async fn api(reply: serde_json::Value) -> (String, support::Seen) {
    let (base, seen) = server(vec![Reply::Json(200, vec![], reply.to_string())]).await;
    (base.trim_end_matches("/v1").to_owned(), seen)
}

#[tokio::test]
async fn each_web_provider_reads_its_own_shape() {
    let (base, seen) = api(json!({"results": [
        {"title": "Jilan recall", "url": "https://n.example/1", "content": "Jilan Motors recalls S7", "published_date": "2026-11-12"},
        {"title": "no content"}
    ]}))
    .await;
    let tavily = Tavily::provider(Some("tvly-key"), Some(&base), T);
    let hits = tavily.search("极澜 召回", 5).await.unwrap();
    assert_eq!(hits.len(), 1, "a result without text is dropped");
    assert_eq!(
        (hits[0].provider.as_str(), hits[0].content.as_str()),
        ("tavily", "Jilan Motors recalls S7")
    );
    let (_, head, body) = seen.0.lock().unwrap()[0].clone();
    assert!(head.starts_with("POST /search "), "{head}");
    assert_eq!(
        (
            body["api_key"].as_str(),
            body["query"].as_str(),
            body["max_results"].as_u64()
        ),
        (Some("tvly-key"), Some("极澜 召回"), Some(5))
    );

    let (base, seen) = api(json!({"data": {"webPages": {"value": [
        {"name": "食堂涨价", "url": "https://b.example/2", "snippet": "short", "summary": "江北大学食堂涨价的完整摘要", "siteName": "thepaper"}
    ]}}}))
    .await;
    let bocha = Bocha::provider(Some("bocha-key"), Some(&base), T);
    let hits = bocha.search("食堂", 3).await.unwrap();
    assert_eq!(
        hits[0].content, "江北大学食堂涨价的完整摘要",
        "the summary is preferred"
    );
    let (_, head, body) = seen.0.lock().unwrap()[0].clone();
    assert!(head.starts_with("POST /v1/web-search "), "{head}");
    assert!(
        head.to_lowercase()
            .contains("authorization: bearer bocha-key"),
        "{head}"
    );
    assert_eq!(body["count"], 3);

    let (base, seen) = api(json!({"results": [
        {"title": "Binhai Marathon", "url": "https://s.example/3", "content": "record times", "engine": "bing"}
    ]}))
    .await;
    let searx = Searxng::provider(Some(&base), T);
    let hits = searx.search("马拉松 marathon", 10).await.unwrap();
    assert_eq!(
        (hits[0].platform.as_deref(), hits[0].url.as_deref()),
        (Some("bing"), Some("https://s.example/3"))
    );
    let (_, head, _) = seen.0.lock().unwrap()[0].clone();
    assert!(
        head.starts_with("GET /search?q=%E9%A9%AC%E6%8B%89%E6%9D%BE+marathon&format=json "),
        "{head}"
    );
}

#[tokio::test]
async fn missing_keys_are_off_visibly_and_failures_are_errors() {
    for provider in [
        Tavily::provider(None, None, T),
        Bocha::provider(Some(""), None, T),
        Searxng::provider(None, T),
    ] {
        let err = provider.search("x", 3).await.unwrap_err();
        assert!(matches!(err, SearchError::Off { .. }), "{err}");
        assert!(err.to_string().contains("is not set"), "{err}");
    }
    let (base, _) = server(vec![Reply::Json(
        500,
        vec![],
        "{\"error\": \"down\"}".into(),
    )])
    .await;
    let tavily = Tavily::provider(Some("k"), Some(base.trim_end_matches("/v1")), T);
    let err = tavily.search("x", 3).await.unwrap_err();
    assert!(
        matches!(
            err,
            SearchError::Failed {
                provider: "tavily",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("HTTP 500"), "{err}");
}

#[tokio::test]
async fn cached_results_do_not_ask_again() {
    let (base, seen) =
        api(json!({"results": [{"title": "t", "url": "u", "content": "cached text"}]})).await;
    let cache: Arc<dyn storage::cache::Cache> =
        Arc::new(storage::cache::MemoryCache::new(100, 1 << 20));
    let provider = Cached::wrap(
        Tavily::provider(Some("k"), Some(&base), T),
        cache,
        Duration::from_secs(60),
    );
    let first = provider.search("q", 5).await.unwrap();
    let second = provider.search("q", 5).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(
        seen.0.lock().unwrap().len(),
        1,
        "the second came from the cache"
    );
    assert!(matches!(
        Cached::wrap(
            Searxng::provider(None, T),
            Arc::new(storage::cache::MemoryCache::new(1, 1024)),
            T
        ),
        Provider::Off { .. }
    ));
}

#[tokio::test]
async fn the_local_store_searches_the_sample_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::sample_db(&dir).await;
    let local = LocalStore::provider(db);
    let hits = local.search("马拉松", 10).await.unwrap();
    assert_eq!(hits.len(), 10);
    assert!(
        hits.iter()
            .all(|h| h.content.contains("马拉松") || h.title.contains("马拉松")),
        "{hits:?}"
    );
    assert!(hits
        .iter()
        .any(|h| h.engagement.is_some() && h.platform.is_some()));
    assert!(local
        .search("召回 marathon-less-term-xyz", 5)
        .await
        .unwrap()
        .is_empty());
}
