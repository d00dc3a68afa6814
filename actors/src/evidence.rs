//! Gathering an analysis's evidence set, once, before anything is written from it: the local
//! store searched for the query (as a whole, then word by word, ranked as the engines'
//! searches rank), and each configured web provider's results for it. The items are read back
//! from their rows (so a post's figures are the stored ones, not a search snippet's), scored
//! for sentiment once, and stored with the figures computed from them — every report of the
//! analysis reads these, and only these.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use search::{Provider, SearchHit};
use storage::evidence::StoredEvidenceItem;
use storage::model::{ItemRef, NewsItem, Post, PostKind};
use storage::{Database, StorageError};
use text_analysis::evidence::{Definition, EvidenceItem, EvidenceSet, EvidenceStats, FoundBy};
use text_analysis::sentiment::Sentiment;

use crate::engines::gather::Searcher;

/// Who gathered an item the session searched for itself (`FoundBy::engine`).
pub const GATHERED_BY: &str = "evidence";

/// A set and its figures, as every report of an analysis reads them.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub set: EvidenceSet,
    pub stats: EvidenceStats,
}

/// What gathering needs.
#[derive(Clone)]
pub struct Gatherer {
    pub db: Database,
    /// The local store (with the keyword optimizer, when configured).
    pub local: Arc<Searcher>,
    /// Web providers, each asked once for the query.
    pub web: Arc<Vec<Provider>>,
    /// At most this many items.
    pub max_items: usize,
    /// The UTC offset days are counted in.
    pub offset: time::UtcOffset,
}

/// Why a set could not be gathered, stored or read.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the stored evidence set could not be read: {0}")]
    Unreadable(String),
}

impl Gatherer {
    /// Gathers the evidence for `query`.
    ///
    /// # Errors
    /// The database's (a web provider's failure only leaves its results out).
    pub async fn gather(&self, query: &str) -> Result<Evidence, EvidenceError> {
        let local = self.local.search(query, self.max_items).await;
        let mut hits: Vec<(SearchHit, FoundBy)> = local
            .hits
            .into_iter()
            .map(|hit| {
                let found = FoundBy {
                    engine: GATHERED_BY.into(),
                    provider: local.record.provider.clone(),
                    query: query.to_owned(),
                };
                (hit, found)
            })
            .collect();
        let per_provider = (self.max_items / 4).clamp(1, 20);
        for provider in self.web.iter() {
            if let Provider::Off { .. } = provider {
                continue;
            }
            match provider.search(query, per_provider).await {
                Ok(found) => hits.extend(found.into_iter().map(|hit| {
                    let by = FoundBy {
                        engine: GATHERED_BY.into(),
                        provider: provider.name().to_owned(),
                        query: query.to_owned(),
                    };
                    (hit, by)
                })),
                Err(err) => {
                    tracing::warn!(provider = provider.name(), error = %err, "a web search for the evidence failed; its results are left out");
                }
            }
        }
        let items = self.items(hits).await?;
        let set = EvidenceSet {
            definition: Definition {
                query: query.to_owned(),
                terms: local.record.words,
                max_items: self.max_items,
            },
            items,
        };
        let stats = EvidenceStats::compute(&set, self.offset);
        Ok(Evidence { set, stats })
    }

    /// The hits as items, in order, without repeats, read back from their rows.
    async fn items(
        &self,
        hits: Vec<(SearchHit, FoundBy)>,
    ) -> Result<Vec<EvidenceItem>, StorageError> {
        let mut order: Vec<(ItemRef, SearchHit, Vec<FoundBy>)> = Vec::new();
        let mut at: HashMap<ItemRef, usize> = HashMap::new();
        for (hit, by) in hits {
            let Some(item) = hit.item.clone() else {
                continue;
            };
            match at.get(&item) {
                Some(&i) => order[i].2.push(by),
                None => {
                    if order.len() >= self.max_items {
                        continue;
                    }
                    at.insert(item.clone(), order.len());
                    order.push((item, hit, vec![by]));
                }
            }
        }
        let post_ids: Vec<i64> = order
            .iter()
            .filter_map(|(item, _, _)| match item {
                ItemRef::Post(id) | ItemRef::Comment(id) => Some(*id),
                _ => None,
            })
            .collect();
        let news_ids: Vec<String> = order
            .iter()
            .filter_map(|(item, _, _)| match item {
                ItemRef::News(id) => Some(id.clone()),
                _ => None,
            })
            .collect();
        let posts: HashMap<i64, Post> =
            self.db.posts_by_ids(&post_ids).await?.into_iter().collect();
        let news: HashMap<String, NewsItem> = self
            .db
            .news_by_ids(&news_ids)
            .await?
            .into_iter()
            .map(|n| (n.news_id.clone(), n))
            .collect();
        let mut seen_text = HashSet::new();
        let mut items = Vec::with_capacity(order.len());
        for (item, hit, found_by) in order {
            let built = match &item {
                ItemRef::Post(id) | ItemRef::Comment(id) => {
                    posts.get(id).map(|p| from_post(item.clone(), p, found_by))
                }
                ItemRef::News(id) => news.get(id).map(|n| from_news(item.clone(), n, found_by)),
                ItemRef::Web(_) => Some(from_web(item.clone(), &hit, found_by)),
            };
            // A row gone since the search, or the same text twice (a repost, one news item
            // listed by two hot lists), is left out.
            if let Some(built) = built {
                if seen_text.insert(built.text.clone()) {
                    items.push(built);
                }
            }
        }
        Ok(items)
    }
}

/// An item's sentiment, scored the way [`EvidenceItem::scored`] scores it. Items store the
/// unit score ([`Sentiment::unit`], −1…+1), not the raw sum: reports state the mean on that
/// scale and explain it, and a raw mean of 2.4 would contradict the explanation.
fn scored(title: Option<&str>, text: &str) -> Sentiment {
    text_analysis::features_of(title, text).sentiment
}

fn from_post(item: ItemRef, post: &Post, found_by: Vec<FoundBy>) -> EvidenceItem {
    let sentiment = scored(post.title.as_deref(), &post.body);
    let item = match (item, post.kind) {
        (ItemRef::Post(id) | ItemRef::Comment(id), PostKind::Comment) => ItemRef::Comment(id),
        (ItemRef::Post(id) | ItemRef::Comment(id), PostKind::Content) => ItemRef::Post(id),
        (other, _) => other,
    };
    EvidenceItem {
        item,
        platform: text_analysis::platform::canonical(&post.platform),
        url: post.url.clone(),
        title: post.title.clone(),
        text: post.body.clone(),
        author: post.author_name.clone(),
        published_ms: post.published_at,
        likes: post.liked_count,
        comments: post.comment_count,
        shares: post.share_count,
        saves: post.collected_count,
        sentiment: sentiment.unit(),
        leaning: sentiment.leaning,
        found_by,
    }
}

fn from_news(item: ItemRef, news: &NewsItem, found_by: Vec<FoundBy>) -> EvidenceItem {
    let text = news
        .description
        .clone()
        .unwrap_or_else(|| news.title.clone());
    let sentiment = scored(Some(&news.title), &text);
    EvidenceItem {
        item,
        platform: text_analysis::platform::canonical(&news.source_platform),
        url: news.url.clone(),
        title: Some(news.title.clone()),
        text,
        author: None,
        published_ms: storage::clock::parse_time(&format!("{}T00:00:00Z", news.crawl_date)),
        likes: 0,
        comments: 0,
        shares: 0,
        saves: 0,
        sentiment: sentiment.unit(),
        leaning: sentiment.leaning,
        found_by,
    }
}

fn from_web(item: ItemRef, hit: &SearchHit, found_by: Vec<FoundBy>) -> EvidenceItem {
    let title = (!hit.title.is_empty()).then(|| hit.title.clone());
    let sentiment = scored(title.as_deref(), &hit.content);
    let platform = hit
        .platform
        .clone()
        .or_else(|| hit.url.as_deref().and_then(host_of))
        .unwrap_or_else(|| hit.provider.clone());
    EvidenceItem {
        item,
        platform: text_analysis::platform::canonical(&platform),
        url: hit.url.clone(),
        title,
        text: hit.content.clone(),
        author: None,
        published_ms: hit
            .published
            .as_deref()
            .and_then(storage::clock::parse_time),
        likes: 0,
        comments: 0,
        shares: 0,
        saves: 0,
        sentiment: sentiment.unit(),
        leaning: sentiment.leaning,
        found_by,
    }
}

/// `example.com` of `https://www.example.com/a`.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Stores `evidence` as the set `set_id`.
///
/// # Errors
/// The database's.
pub async fn store(db: &Database, set_id: &str, evidence: &Evidence) -> Result<(), EvidenceError> {
    let json = |v: &dyn erased::Json| v.to_json();
    let definition = json(&evidence.set.definition);
    let stats = json(&evidence.stats);
    let items: Vec<StoredEvidenceItem> = evidence
        .set
        .items
        .iter()
        .enumerate()
        .map(|(rank, item)| StoredEvidenceItem {
            rank: i64::try_from(rank).unwrap_or(i64::MAX),
            item: item.item.clone(),
            snapshot: json(item),
        })
        .collect();
    db.store_evidence(
        set_id,
        &definition,
        &stats,
        &items,
        storage::clock::now_ms(),
    )
    .await?;
    Ok(())
}

/// The set `set_id` as stored, if it is.
///
/// # Errors
/// The database's; [`EvidenceError::Unreadable`] for JSON this build cannot read.
pub async fn load(db: &Database, set_id: &str) -> Result<Option<Evidence>, EvidenceError> {
    let Some(stored) = db.evidence(set_id).await? else {
        return Ok(None);
    };
    let unreadable = |e: serde_json::Error| EvidenceError::Unreadable(e.to_string());
    let definition: Definition = serde_json::from_str(&stored.definition).map_err(unreadable)?;
    let stats: EvidenceStats = serde_json::from_str(&stored.stats).map_err(unreadable)?;
    let items = stored
        .items
        .iter()
        .map(|i| serde_json::from_str::<EvidenceItem>(&i.snapshot))
        .collect::<Result<Vec<_>, _>>()
        .map_err(unreadable)?;
    Ok(Some(Evidence {
        set: EvidenceSet { definition, items },
        stats,
    }))
}

mod erased {
    //! Serialising the set's parts to stored JSON: they are plain data (strings, integers,
    //! finite floats), so this cannot fail; were it to, an empty object is stored and the set
    //! reads back as unreadable rather than the service stopping.
    pub trait Json {
        fn to_json(&self) -> String;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathered_items_are_scored_on_the_unit_scale_like_the_set_type_scores_them() {
        let hit = SearchHit {
            title: String::new(),
            url: None,
            content: "非常好，太棒了，点赞！志愿者非常热情，组织得非常好，完美！".into(),
            provider: "local".into(),
            platform: Some("wb".into()),
            published: None,
            engagement: None,
            item: Some(ItemRef::Post(7)),
        };
        let post = crate::engines::gather::as_post(&hit, 0);
        let by = FoundBy {
            engine: GATHERED_BY.into(),
            provider: "local".into(),
            query: "q".into(),
        };
        let ours = from_post(ItemRef::Post(7), &post, vec![by.clone()]);
        let theirs = EvidenceItem::from_post(7, &post, by);
        assert!(
            ours.sentiment > 0.25 && ours.sentiment < 1.0,
            "{}",
            ours.sentiment
        );
        assert_eq!(ours.sentiment, theirs.sentiment);
        assert_eq!(ours.leaning, theirs.leaning);
        assert_eq!(ours.platform, "weibo");
    }

    #[test]
    fn hosts_of_urls() {
        assert_eq!(
            host_of("https://www.example.com/a?b").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            host_of("http://u@news.cn:8080/x").as_deref(),
            Some("news.cn")
        );
        assert_eq!(host_of("not a url"), None);
    }
}
