//! Finding material for a paragraph: the engine's providers in order of preference, falling
//! back to the next when one fails or finds nothing (the local store last, so an engine always
//! has something to read on a machine with no keys).
//!
//! The local store's full-text search is the AND of a query's terms, which a whole sentence
//! ("极澜汽车电池召回怎么样") rarely satisfies. When it finds little, the query's topical words
//! are searched one by one and the posts ranked by how many of them they contain — what the
//! original's keyword optimizer did; with `KEYWORD_OPTIMIZER_*` configured the words come
//! from that LLM (as in the original), otherwise from jieba without stopwords.

use std::collections::HashMap;
use std::sync::Arc;

use storage::model::{Post, PostKind};

use super::report::SearchRecord;
use llm::{text::parse_json, LlmClient, Message};
use search::{Provider, SearchError, SearchHit};

/// At most this many words come from the keyword optimizer.
const MAX_OPTIMIZED: usize = 10;

/// At most this many words of a query are searched one by one.
const MAX_WORDS: usize = 6;

/// The engine's providers, in order of preference.
pub struct Searcher {
    providers: Vec<Provider>,
    /// The keyword optimizer, when one is configured.
    optimizer: Option<Arc<LlmClient>>,
}

/// What a search found, and the record of how.
pub struct Gathered {
    pub hits: Vec<SearchHit>,
    pub record: SearchRecord,
}

/// The words of `query` worth searching for, in order, without repeats.
pub fn topical_words(query: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for t in text_analysis::tokens(query) {
        if text_analysis::summary::keep(&t) && !words.contains(&t) {
            words.push(t);
        }
    }
    words.truncate(MAX_WORDS);
    words
}

fn key(hit: &SearchHit) -> String {
    hit.url
        .clone()
        .unwrap_or_else(|| hit.content.chars().take(80).collect())
}

impl Searcher {
    pub fn new(providers: Vec<Provider>) -> Self {
        Self {
            providers,
            optimizer: None,
        }
    }

    /// Words for the local store come from this LLM (falling back to jieba's when it fails).
    pub fn with_keyword_optimizer(mut self, llm: Option<Arc<LlmClient>>) -> Self {
        self.optimizer = llm;
        self
    }

    /// The providers' names, in order (`off` ones included).
    pub fn names(&self) -> Vec<&'static str> {
        self.providers.iter().map(Provider::name).collect()
    }

    /// Searches the first provider that answers with something; says which, and who failed.
    pub async fn search(&self, query: &str, limit: usize) -> Gathered {
        let mut failed = Vec::new();
        let mut last_empty = None;
        for provider in &self.providers {
            if let Provider::Off { .. } = provider {
                continue;
            }
            let mut words = Vec::new();
            let found = if provider.name() == "local" {
                self.local(provider, query, limit, &mut words, &mut failed)
                    .await
            } else {
                provider.search(query, limit).await
            };
            match found {
                Ok(hits) if !hits.is_empty() => {
                    return Gathered {
                        record: SearchRecord {
                            query: query.to_owned(),
                            provider: provider.name().to_owned(),
                            hits: hits.len(),
                            failed,
                            words,
                        },
                        hits,
                    };
                }
                Ok(_) => last_empty = Some(provider.name()),
                Err(err) => {
                    tracing::warn!(provider = provider.name(), error = %err, "search failed; trying the next provider");
                    failed.push(err.to_string());
                }
            }
        }
        Gathered {
            hits: Vec::new(),
            record: SearchRecord {
                query: query.to_owned(),
                provider: last_empty.unwrap_or("none").to_owned(),
                hits: 0,
                failed,
                words: Vec::new(),
            },
        }
    }

    /// The words to search one by one: the optimizer's, or jieba's when it is absent or fails
    /// (the failure noted in `failed`).
    async fn words(&self, query: &str, failed: &mut Vec<String>) -> Vec<String> {
        let Some(llm) = &self.optimizer else {
            return topical_words(query);
        };
        match optimize(llm, query).await {
            Ok(words) if !words.is_empty() => words,
            Ok(_) => {
                failed.push("keyword_optimizer: no usable keywords".into());
                topical_words(query)
            }
            Err(why) => {
                tracing::warn!(reason = %why, "the keyword optimizer failed; using the query's own words");
                failed.push(format!("keyword_optimizer: {why}"));
                topical_words(query)
            }
        }
    }

    /// The local store: the query as it is, and when that finds little, its words one by
    /// one, ranked by how many of them a hit contains (then by engagement).
    async fn local(
        &self,
        provider: &Provider,
        query: &str,
        limit: usize,
        words: &mut Vec<String>,
        failed: &mut Vec<String>,
    ) -> Result<Vec<SearchHit>, SearchError> {
        let direct = provider.search(query, limit).await?;
        if direct.len() * 2 >= limit {
            return Ok(direct);
        }
        *words = self.words(query, failed).await;
        if words.len() < 2 {
            return Ok(direct);
        }
        merge_by_words(provider, direct, words, limit).await
    }
}

/// Asks the keyword optimizer for the words people would use about `query`.
async fn optimize(llm: &LlmClient, query: &str) -> Result<Vec<String>, String> {
    let system = "You turn a research query into the words people actually use on social media \
                  about it, to search a database of posts. Step: keyword_optimizer. Give 5 to 10 \
                  short keywords, each one indivisible term without spaces, on the query's topic, \
                  in its language; no analyst jargon. Answer with JSON only: \
                  {\"keywords\": [string], \"reasoning\": string}.";
    let answer = llm
        .chat(&[Message::system(system), Message::user(query)])
        .await
        .map_err(|e| e.to_string())?;
    let value = parse_json(&answer)?;
    let keywords = value
        .get("keywords")
        .and_then(serde_json::Value::as_array)
        .ok_or("the answer has no `keywords` list")?;
    let mut words: Vec<String> = Vec::new();
    for word in keywords.iter().filter_map(serde_json::Value::as_str) {
        let word = word.trim();
        if !word.is_empty()
            && word.chars().count() <= 20
            && !word.contains(char::is_whitespace)
            && !words.iter().any(|w| w == word)
        {
            words.push(word.to_owned());
        }
    }
    words.truncate(MAX_OPTIMIZED);
    Ok(words)
}

/// `direct` hits first, then those of `words` searched one by one, ranked by how many of the
/// words a hit contains (then by engagement).
async fn merge_by_words(
    provider: &Provider,
    direct: Vec<SearchHit>,
    words: &[String],
    limit: usize,
) -> Result<Vec<SearchHit>, SearchError> {
    let mut found: HashMap<String, (usize, SearchHit)> = HashMap::new();
    for word in words {
        for hit in provider.search(word, limit * 2).await? {
            found
                .entry(key(&hit))
                .and_modify(|(n, _)| *n += 1)
                .or_insert((1, hit));
        }
    }
    let mut ranked: Vec<(usize, SearchHit)> = found.into_values().collect();
    ranked.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.engagement.cmp(&a.1.engagement))
            .then(a.1.content.cmp(&b.1.content))
    });
    // Prefer hits with at least two of the words when there are enough of them: one common
    // word alone ("价格", "price") would wander off the topic.
    let strong = ranked.iter().filter(|(n, _)| *n >= 2).count();
    let floor = if strong >= 5 { 2 } else { 1 };
    let mut hits = direct;
    let mut seen: std::collections::HashSet<String> = hits.iter().map(key).collect();
    for (_, hit) in ranked.into_iter().filter(|(n, _)| *n >= floor) {
        if hits.len() >= limit {
            break;
        }
        if seen.insert(key(&hit)) {
            hits.push(hit);
        }
    }
    Ok(hits)
}

/// A hit as a post, for the built-in analysis.
pub fn as_post(hit: &SearchHit, i: usize) -> Post {
    let published_at = hit.published.as_deref().and_then(published_ms);
    Post {
        platform: hit.platform.clone().unwrap_or_else(|| hit.provider.clone()),
        kind: PostKind::Content,
        platform_id: i.to_string(),
        content_id: None,
        parent_id: None,
        author_id: None,
        author_name: None,
        title: (!hit.title.is_empty()).then(|| hit.title.clone()),
        body: hit.content.clone(),
        url: hit.url.clone(),
        liked_count: hit.engagement.unwrap_or(0),
        comment_count: 0,
        share_count: 0,
        collected_count: 0,
        published_at,
        crawled_at: 0,
        source_keyword: None,
        topic_id: None,
        raw: None,
    }
}

/// Epoch milliseconds of a hit's publication: an ISO day (as the local store gives it, in
/// UTC like [`storage::clock::day_of_ms`]) or any time the crawlers' parser reads.
fn published_ms(published: &str) -> Option<i64> {
    if storage::clock::is_iso_day(published) {
        storage::clock::parse_time(&format!("{published}T00:00:00Z"))
    } else {
        storage::clock::parse_time(published)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_the_clock() {
        for ms in [0i64, 86_400_000 * 20_000, 1_795_000_000_000] {
            let day = storage::clock::day_of_ms(ms).unwrap();
            let start = published_ms(&day).unwrap();
            assert!(start <= ms && ms - start < 86_400_000, "{day} {start} {ms}");
        }
        assert_eq!(published_ms("2026-13-01"), None);
        assert_eq!(published_ms("x"), None);
        assert_eq!(
            published_ms("2026-11-12T08:00:00+08:00"),
            published_ms("2026-11-12")
        );
    }

    #[test]
    fn topical_words_drop_filler() {
        let words = topical_words("极澜汽车的电池召回怎么样");
        assert!(words.iter().any(|w| w == "召回"), "{words:?}");
        assert!(!words.iter().any(|w| w == "的" || w == "怎么"), "{words:?}");
    }
}
