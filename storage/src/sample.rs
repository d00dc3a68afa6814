//! The sample corpus (`storage/sample/`): fictional posts, comments, hot-list news and topics
//! written for this project — four clearly different stories in Chinese and English across
//! seven platforms and two weeks — built into the binary and loaded by `bettafish db
//! seed-sample`. Every row carries `"sample": true` in its raw record so it can never be taken
//! for crawled data. Seeding twice changes nothing (everything is upserted).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock;
use crate::db::Database;
use crate::error::{Result, StorageError};
use crate::model::{NewsItem, Post, PostKind, Topic};

const POSTS: &str = include_str!("../sample/posts.jsonl");
const COMMENTS: &str = include_str!("../sample/comments.jsonl");
const NEWS: &str = include_str!("../sample/news.jsonl");
const TOPICS: &str = include_str!("../sample/topics.jsonl");

#[derive(Deserialize)]
struct SamplePost {
    platform: String,
    id: String,
    topic: String,
    author_id: Option<String>,
    author: Option<String>,
    title: Option<String>,
    text: String,
    url: Option<String>,
    liked: i64,
    comments: i64,
    shares: i64,
    collected: i64,
    published: String,
    keyword: Option<String>,
}

#[derive(Deserialize)]
struct SampleComment {
    platform: String,
    id: String,
    post_id: String,
    parent_id: Option<String>,
    topic: String,
    author_id: Option<String>,
    author: Option<String>,
    text: String,
    liked: i64,
    published: String,
}

#[derive(Deserialize)]
struct SampleNews {
    id: String,
    source: String,
    topic: String,
    title: String,
    url: Option<String>,
    description: Option<String>,
    date: String,
    rank: Option<i64>,
}

#[derive(Deserialize)]
struct SampleTopic {
    id: String,
    name: String,
    name_en: Option<String>,
    description: Option<String>,
    keywords: Vec<String>,
    date: String,
}

/// What seeding wrote.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SeedReport {
    pub topics: u64,
    pub news: u64,
    pub posts: u64,
    pub comments: u64,
}

/// The parsed corpus.
pub struct Corpus {
    pub topics: Vec<Topic>,
    pub news: Vec<NewsItem>,
    /// Contents first, then comments.
    pub posts: Vec<Post>,
    /// (topic, news id, day) links.
    pub links: Vec<(String, String, String, Option<f64>)>,
}

fn lines<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<Vec<(T, Value)>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let bad = |e: serde_json::Error| StorageError::File {
                path: format!("sample/{file}:{}", i + 1),
                reason: e.to_string(),
            };
            let raw: Value = serde_json::from_str(line).map_err(bad)?;
            let row = T::deserialize(&raw).map_err(bad)?;
            Ok((row, raw))
        })
        .collect()
}

fn labelled(mut raw: Value) -> Value {
    if let Value::Object(map) = &mut raw {
        map.insert("sample".into(), Value::Bool(true));
    }
    raw
}

fn time(file: &str, id: &str, text: &str) -> Result<i64> {
    clock::parse_time(text).ok_or_else(|| StorageError::File {
        path: format!("sample/{file}"),
        reason: format!("{id}: `{text}` is not a time"),
    })
}

/// The corpus, parsed (the files are built in; a parse error is a bug in them).
pub fn corpus() -> Result<Corpus> {
    let now = clock::now_ms();
    let topics = lines::<SampleTopic>("topics.jsonl", TOPICS)?
        .into_iter()
        .map(|(t, _)| Topic {
            topic_id: t.id,
            topic_name: t.name,
            topic_description: match (t.description, t.name_en) {
                (Some(d), _) => Some(d),
                (None, en) => en,
            },
            keywords: serde_json::to_string(&t.keywords).ok(),
            extract_date: t.date,
            relevance_score: Some(1.0),
            news_count: 0,
            processing_status: "completed".into(),
        })
        .collect::<Vec<_>>();
    let mut links = Vec::new();
    let news = lines::<SampleNews>("news.jsonl", NEWS)?
        .into_iter()
        .map(|(n, raw)| {
            links.push((n.topic.clone(), n.id.clone(), n.date.clone(), None));
            NewsItem {
                news_id: n.id,
                source_platform: n.source,
                title: n.title,
                url: n.url,
                description: n.description,
                extra_info: Some(labelled(raw).to_string()),
                crawl_date: n.date,
                rank_position: n.rank,
            }
        })
        .collect::<Vec<_>>();
    let mut topics = topics;
    for topic in &mut topics {
        topic.news_count = links.iter().filter(|l| l.0 == topic.topic_id).count() as i64;
    }
    let mut posts = Vec::new();
    for (p, raw) in lines::<SamplePost>("posts.jsonl", POSTS)? {
        posts.push(Post {
            published_at: Some(time("posts.jsonl", &p.id, &p.published)?),
            platform: p.platform,
            kind: PostKind::Content,
            platform_id: p.id,
            content_id: None,
            parent_id: None,
            author_id: p.author_id,
            author_name: p.author,
            title: p.title,
            body: p.text,
            url: p.url,
            liked_count: p.liked,
            comment_count: p.comments,
            share_count: p.shares,
            collected_count: p.collected,
            crawled_at: now,
            source_keyword: p.keyword,
            topic_id: Some(p.topic),
            raw: Some(labelled(raw)),
        });
    }
    for (c, raw) in lines::<SampleComment>("comments.jsonl", COMMENTS)? {
        posts.push(Post {
            published_at: Some(time("comments.jsonl", &c.id, &c.published)?),
            platform: c.platform,
            kind: PostKind::Comment,
            platform_id: c.id,
            content_id: Some(c.post_id),
            parent_id: c.parent_id,
            author_id: c.author_id,
            author_name: c.author,
            title: None,
            body: c.text,
            url: None,
            liked_count: c.liked,
            comment_count: 0,
            share_count: 0,
            collected_count: 0,
            crawled_at: now,
            source_keyword: None,
            topic_id: Some(c.topic),
            raw: Some(labelled(raw)),
        });
    }
    Ok(Corpus {
        topics,
        news,
        posts,
        links,
    })
}

/// What [`Database::seed_sample_once`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstSeed {
    /// The database was empty and had never been offered the sample: it was loaded.
    Loaded(SeedReport),
    /// The database already had data, or the sample was offered before: nothing was done.
    Skipped,
}

/// The sentences of the sample posts (for benchmarks that need much realistic text).
pub fn sentences() -> Result<Vec<String>> {
    Ok(corpus()?
        .posts
        .iter()
        .flat_map(|p| {
            p.body
                .split(['。', '！', '？', '.', '!', '?'])
                .map(str::trim)
                .filter(|s| s.chars().count() > 4)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect())
}

impl Database {
    /// Loads the sample corpus if this database holds no posts and has never been offered it;
    /// records either way that it has been, so emptying the tables later does not bring the
    /// sample back. (The check and the load are separate transactions: a writer that commits
    /// its first rows in between can end up beside the sample, whose rows are all marked.)
    pub async fn seed_sample_once(&self) -> Result<FirstSeed> {
        let empty = self.count_posts().await? == 0;
        let claimed = crate::db::on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO service_meta (key, value, updated_at) VALUES ('sample_offered', $1, $2) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(if empty { "loaded" } else { "skipped: the database had data" })
            .bind(clock::now_ms())
            .execute(&mut *c)
            .await?
            .rows_affected()
                == 1
        });
        if claimed && empty {
            Ok(FirstSeed::Loaded(self.seed_sample().await?))
        } else {
            Ok(FirstSeed::Skipped)
        }
    }

    /// Loads the sample corpus (idempotent).
    pub async fn seed_sample(&self) -> Result<SeedReport> {
        let corpus = corpus()?;
        self.upsert_topics(&corpus.topics).await?;
        self.upsert_news(&corpus.news).await?;
        self.link_topic_news(&corpus.links).await?;
        self.upsert_posts(&corpus.posts).await?;
        let comments = corpus
            .posts
            .iter()
            .filter(|p| p.kind == PostKind::Comment)
            .count() as u64;
        Ok(SeedReport {
            topics: corpus.topics.len() as u64,
            news: corpus.news.len() as u64,
            posts: corpus.posts.len() as u64 - comments,
            comments,
        })
    }
}

#[cfg(test)]
mod tests {
    //! The built-in corpus parses and is what it says: four topics, several platforms and
    //! languages, comments attached to posts of their own topic.
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    #[test]
    fn the_corpus_is_complete_and_consistent() {
        let corpus = corpus().unwrap();
        assert_eq!(corpus.topics.len(), 4);
        let contents: Vec<&Post> = corpus
            .posts
            .iter()
            .filter(|p| p.kind == PostKind::Content)
            .collect();
        assert!(contents.len() >= 200, "{} posts", contents.len());
        let platforms: BTreeSet<&str> = contents.iter().map(|p| p.platform.as_str()).collect();
        assert!(platforms.len() >= 5, "{platforms:?}");
        let by_id: HashMap<(&str, &str), &Post> = contents
            .iter()
            .map(|p| ((p.platform.as_str(), p.platform_id.as_str()), *p))
            .collect();
        assert_eq!(
            by_id.len(),
            contents.len(),
            "post ids are unique per platform"
        );
        for c in corpus.posts.iter().filter(|p| p.kind == PostKind::Comment) {
            let parent = by_id
                .get(&(
                    c.platform.as_str(),
                    c.content_id.as_deref().unwrap_or_default(),
                ))
                .unwrap_or_else(|| panic!("comment {} has no post", c.platform_id));
            assert_eq!(
                parent.topic_id, c.topic_id,
                "comment {} strays",
                c.platform_id
            );
        }
        let days: BTreeSet<String> = contents
            .iter()
            .filter_map(|p| clock::day_of_ms(p.published_at.unwrap_or(0)))
            .collect();
        assert!(days.len() >= 7, "{days:?}");
        assert!(contents
            .iter()
            .all(|p| p.raw.as_ref().unwrap()["sample"] == true));
    }
}
