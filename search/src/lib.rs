//! Search providers behind one trait: Tavily, Bocha, SearXNG (self-hosted, for a fully local
//! setup) and the local store (full-text search over crawled posts and news). A provider
//! without its key or URL is [`Provider::Off`] with the reason, not an error at start; results
//! go through the storage cache when one is given.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use storage::cache::{self, Cache};

/// One result, whatever the provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub title: String,
    pub url: Option<String>,
    /// The text found: a snippet, a post's body.
    pub content: String,
    /// Which provider found it.
    pub provider: String,
    /// The platform of a local post (`wb`, `xhs`…), or the news source.
    pub platform: Option<String>,
    pub published: Option<String>,
    /// Likes + comments + shares + saves of a local post.
    pub engagement: Option<i64>,
    /// The item found: a stored post, comment or news item, or the web page (by URL); `None`
    /// for a web result without a URL.
    pub item: Option<storage::model::ItemRef>,
}

/// Why a search failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("{provider}: {reason}")]
    Failed {
        provider: &'static str,
        reason: String,
    },
    #[error("{provider} is off: {reason}")]
    Off {
        provider: &'static str,
        reason: String,
    },
}

/// Something that answers a query with hits.
pub trait Search: Send + Sync {
    fn name(&self) -> &'static str;
    fn search<'a>(
        &'a self,
        query: &'a str,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<SearchHit>, SearchError>>;
}

/// A configured provider, or why it is not.
pub enum Provider {
    On(Arc<dyn Search>),
    Off { name: &'static str, reason: String },
}

impl Provider {
    pub fn name(&self) -> &'static str {
        match self {
            Self::On(p) => p.name(),
            Self::Off { name, .. } => name,
        }
    }

    /// Searches, or says plainly that this provider is off.
    pub async fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, SearchError> {
        match self {
            Self::On(p) => p.search(query, limit).await,
            Self::Off { name, reason } => Err(SearchError::Off {
                provider: name,
                reason: reason.clone(),
            }),
        }
    }
}

fn http(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())
}

async fn fetch(
    provider: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<Value, SearchError> {
    let failed = |reason: String| SearchError::Failed { provider, reason };
    let response = request.send().await.map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        let body: String = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        return Err(failed(format!("HTTP {}: {body}", status.as_u16())));
    }
    response
        .json::<Value>()
        .await
        .map_err(|e| failed(format!("not JSON: {e}")))
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The hits under `pointer` in a provider's answer, mapped by `hit`, at most `limit`.
fn hits_at(
    value: &Value,
    pointer: &str,
    limit: usize,
    hit: impl Fn(&Value) -> Option<SearchHit>,
) -> Vec<SearchHit> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|results| results.iter().filter_map(&hit).take(limit).collect())
        .unwrap_or_default()
}

/// A provider that needs `setting` (a key or URL): off, saying so, without it.
fn needing(
    name: &'static str,
    setting: &str,
    value: Option<&str>,
    timeout: Duration,
    build: impl FnOnce(String, reqwest::Client) -> Arc<dyn Search>,
) -> Provider {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Provider::Off {
            name,
            reason: format!("{setting} is not set"),
        };
    };
    match http(timeout) {
        Ok(http) => Provider::On(build(value.to_owned(), http)),
        Err(reason) => Provider::Off { name, reason },
    }
}

fn base_url(base: Option<&str>, default: &str) -> String {
    base.unwrap_or(default).trim_end_matches('/').to_owned()
}

/// Tavily's search API.
pub struct Tavily {
    key: String,
    base: String,
    http: reqwest::Client,
}

impl Tavily {
    /// On with `TAVILY_API_KEY`; `base` is `https://api.tavily.com` unless testing.
    pub fn provider(key: Option<&str>, base: Option<&str>, timeout: Duration) -> Provider {
        let base = base_url(base, "https://api.tavily.com");
        needing("tavily", "TAVILY_API_KEY", key, timeout, |key, http| {
            Arc::new(Self { key, base, http })
        })
    }
}

impl Search for Tavily {
    fn name(&self) -> &'static str {
        "tavily"
    }

    fn search<'a>(
        &'a self,
        query: &'a str,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<SearchHit>, SearchError>> {
        Box::pin(async move {
            let body = json!({"api_key": self.key, "query": query, "max_results": limit, "search_depth": "basic"});
            let request = self.http.post(format!("{}/search", self.base)).json(&body);
            let value = fetch("tavily", request).await?;
            Ok(hits_at(&value, "/results", limit, |r| {
                Some(SearchHit {
                    title: text(r, "title").unwrap_or_default(),
                    url: text(r, "url"),
                    content: text(r, "content")?,
                    provider: "tavily".into(),
                    platform: None,
                    published: text(r, "published_date"),
                    engagement: None,
                    item: text(r, "url").map(storage::model::ItemRef::Web),
                })
            }))
        })
    }
}

/// Bocha's web search API.
pub struct Bocha {
    key: String,
    base: String,
    http: reqwest::Client,
}

impl Bocha {
    /// On with `BOCHA_WEB_SEARCH_API_KEY`; `BOCHA_BASE_URL` defaults to Bocha's own.
    pub fn provider(key: Option<&str>, base: Option<&str>, timeout: Duration) -> Provider {
        let base = base_url(base, "https://api.bochaai.com");
        needing(
            "bocha",
            "BOCHA_WEB_SEARCH_API_KEY",
            key,
            timeout,
            |key, http| Arc::new(Self { key, base, http }),
        )
    }
}

impl Search for Bocha {
    fn name(&self) -> &'static str {
        "bocha"
    }

    fn search<'a>(
        &'a self,
        query: &'a str,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<SearchHit>, SearchError>> {
        Box::pin(async move {
            let body = json!({"query": query, "count": limit, "summary": true});
            let request = self
                .http
                .post(format!("{}/v1/web-search", self.base))
                .bearer_auth(&self.key)
                .json(&body);
            let value = fetch("bocha", request).await?;
            Ok(hits_at(&value, "/data/webPages/value", limit, |r| {
                Some(SearchHit {
                    title: text(r, "name").unwrap_or_default(),
                    url: text(r, "url"),
                    content: text(r, "summary").or_else(|| text(r, "snippet"))?,
                    provider: "bocha".into(),
                    platform: text(r, "siteName"),
                    published: text(r, "datePublished"),
                    engagement: None,
                    item: text(r, "url").map(storage::model::ItemRef::Web),
                })
            }))
        })
    }
}

/// A self-hosted SearXNG instance's JSON API (`format=json` must be enabled there).
pub struct Searxng {
    base: String,
    http: reqwest::Client,
}

impl Searxng {
    /// On with `SEARXNG_URL`.
    pub fn provider(url: Option<&str>, timeout: Duration) -> Provider {
        needing("searxng", "SEARXNG_URL", url, timeout, |url, http| {
            Arc::new(Self {
                base: base_url(Some(&url), ""),
                http,
            })
        })
    }
}

impl Search for Searxng {
    fn name(&self) -> &'static str {
        "searxng"
    }

    fn search<'a>(
        &'a self,
        query: &'a str,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<SearchHit>, SearchError>> {
        Box::pin(async move {
            let request = self
                .http
                .get(format!("{}/search", self.base))
                .query(&[("q", query), ("format", "json")]);
            let value = fetch("searxng", request).await?;
            Ok(hits_at(&value, "/results", limit, |r| {
                Some(SearchHit {
                    title: text(r, "title").unwrap_or_default(),
                    url: text(r, "url"),
                    content: text(r, "content").or_else(|| text(r, "title"))?,
                    provider: "searxng".into(),
                    platform: text(r, "engine"),
                    published: text(r, "publishedDate"),
                    engagement: None,
                    item: text(r, "url").map(storage::model::ItemRef::Web),
                })
            }))
        })
    }
}

/// The local store: full-text search over crawled posts and hot-list news.
pub struct LocalStore {
    db: storage::Database,
}

impl LocalStore {
    pub fn provider(db: storage::Database) -> Provider {
        Provider::On(Arc::new(Self { db }))
    }
}

impl Search for LocalStore {
    fn name(&self) -> &'static str {
        "local"
    }

    fn search<'a>(
        &'a self,
        query: &'a str,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<SearchHit>, SearchError>> {
        Box::pin(async move {
            let failed = |e: storage::StorageError| SearchError::Failed {
                provider: "local",
                reason: e.to_string(),
            };
            let limit32 = u32::try_from(limit).unwrap_or(u32::MAX);
            let posts = self
                .db
                .search_posts(&storage::PostSearch::new(query, limit32))
                .await
                .map_err(failed)?;
            let news = self.db.search_news(query, limit32).await.map_err(failed)?;
            let mut hits: Vec<SearchHit> = posts
                .into_iter()
                .map(|h| SearchHit {
                    item: Some(match h.post.kind {
                        storage::model::PostKind::Comment => storage::model::ItemRef::Comment(h.id),
                        _ => storage::model::ItemRef::Post(h.id),
                    }),
                    title: h.post.title.clone().unwrap_or_default(),
                    url: h.post.url.clone(),
                    engagement: Some(h.post.engagement()),
                    published: h.post.published_at.and_then(storage::clock::day_of_ms),
                    platform: Some(h.post.platform.clone()),
                    content: h.post.body,
                    provider: "local".into(),
                })
                .collect();
            hits.extend(news.into_iter().map(|n| SearchHit {
                item: Some(storage::model::ItemRef::News(n.news.news_id.clone())),
                title: n.news.title.clone(),
                url: n.news.url,
                content: n.news.description.unwrap_or(n.news.title),
                provider: "local".into(),
                platform: Some(n.news.source_platform),
                published: Some(n.news.crawl_date),
                engagement: None,
            }));
            hits.truncate(limit);
            Ok(hits)
        })
    }
}

/// A provider whose results are kept in the cache for `ttl`.
pub struct Cached {
    inner: Arc<dyn Search>,
    cache: Arc<dyn Cache>,
    ttl: Duration,
}

impl Cached {
    pub fn wrap(provider: Provider, cache: Arc<dyn Cache>, ttl: Duration) -> Provider {
        match provider {
            Provider::On(inner) => Provider::On(Arc::new(Self { inner, cache, ttl })),
            off => off,
        }
    }
}

impl Search for Cached {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn search<'a>(
        &'a self,
        query: &'a str,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<SearchHit>, SearchError>> {
        Box::pin(async move {
            let key = format!("search:{}:{limit}:{query}", self.inner.name());
            if let Some(bytes) = cache::lookup(self.cache.as_ref(), &key).await {
                if let Ok(hits) = serde_json::from_slice::<Vec<SearchHit>>(&bytes) {
                    return Ok(hits);
                }
            }
            let hits = self.inner.search(query, limit).await?;
            if let Ok(bytes) = serde_json::to_vec(&hits) {
                cache::store(self.cache.as_ref(), &key, &bytes, self.ttl).await;
            }
            Ok(hits)
        })
    }
}
