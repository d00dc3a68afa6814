//! MindSpider's tables: daily hot-list news (searchable), topics extracted from them, the links
//! between the two, and crawling tasks. Volumes are hundreds of rows a day, so rows go one
//! statement each, inside one transaction per call.

use sqlx::Row;

use crate::db::{Conn, Database};
use crate::error::{Result, StorageError};
use crate::model::{NewsHit, NewsItem, Topic};
use crate::terms;

pub(crate) fn news_terms(title: &str, description: Option<&str>) -> String {
    terms::indexed(&format!("{title}\n{}", description.unwrap_or_default()))
}

const NEWS_UPSERT: &str = "INSERT INTO daily_news (news_id, source_platform, title, url, \
    description, extra_info, crawl_date, rank_position, add_ts, last_modify_ts) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
    ON CONFLICT (news_id) DO UPDATE SET source_platform = excluded.source_platform, \
    title = excluded.title, url = excluded.url, description = excluded.description, \
    extra_info = excluded.extra_info, crawl_date = excluded.crawl_date, \
    rank_position = excluded.rank_position, last_modify_ts = excluded.last_modify_ts";

const TOPIC_UPSERT: &str = "INSERT INTO daily_topics (topic_id, topic_name, topic_description, \
    keywords, extract_date, relevance_score, news_count, processing_status, add_ts, \
    last_modify_ts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
    ON CONFLICT (topic_id) DO UPDATE SET topic_name = excluded.topic_name, \
    topic_description = excluded.topic_description, keywords = excluded.keywords, \
    extract_date = excluded.extract_date, relevance_score = excluded.relevance_score, \
    news_count = excluded.news_count, processing_status = excluded.processing_status, \
    last_modify_ts = excluded.last_modify_ts";

const RELATION_INSERT: &str = "INSERT INTO topic_news_relation (topic_id, news_id, \
    relation_score, extract_date, add_ts) VALUES ($1, $2, $3, $4, $5) \
    ON CONFLICT (topic_id, news_id, extract_date) DO NOTHING";

/// Binds a news item's upsert parameters (the same on both backends) to `$query`, a query
/// on [`NEWS_UPSERT`].
macro_rules! bind_news {
    ($query:expr, $item:expr, $now:expr) => {
        $query
            .bind(&$item.news_id)
            .bind(&$item.source_platform)
            .bind(&$item.title)
            .bind(&$item.url)
            .bind(&$item.description)
            .bind(&$item.extra_info)
            .bind(&$item.crawl_date)
            .bind($item.rank_position)
            .bind($now)
    };
}

macro_rules! bind_topic {
    ($t:expr, $now:expr) => {
        sqlx::query(TOPIC_UPSERT)
            .bind(&$t.topic_id)
            .bind(&$t.topic_name)
            .bind(&$t.topic_description)
            .bind(&$t.keywords)
            .bind(&$t.extract_date)
            .bind($t.relevance_score)
            .bind($t.news_count)
            .bind(&$t.processing_status)
            .bind($now)
    };
}

fn check_news(item: &NewsItem) -> Result<()> {
    if item.news_id.is_empty() || item.title.is_empty() {
        return Err(StorageError::Invalid(
            "a news item needs an id and a title".into(),
        ));
    }
    if !crate::clock::is_iso_day(&item.crawl_date) {
        return Err(StorageError::Invalid(format!(
            "crawl_date `{}` is not a day (YYYY-MM-DD)",
            item.crawl_date
        )));
    }
    Ok(())
}

macro_rules! news_hit {
    ($row:expr) => {{
        let row = $row;
        Ok::<_, StorageError>(NewsHit {
            score: row.try_get("score")?,
            news: crate::rows::news_of_row!(row),
        })
    }};
}

impl Database {
    /// Inserts or updates hot-list items (unique on `news_id`), index included.
    pub async fn upsert_news(&self, items: &[NewsItem]) -> Result<u64> {
        for item in items {
            check_news(item)?;
        }
        let now = crate::clock::now_ms();
        let returning = format!("{NEWS_UPSERT} RETURNING id");
        match self.conn().await? {
            Conn::Sqlite(mut conn) => {
                let mut tx =
                    sqlx::Connection::begin_with(&mut *conn, crate::db::SQLITE_BEGIN_WRITE).await?;
                for item in items {
                    let id: i64 = bind_news!(sqlx::query_scalar(&returning), item, now)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM news_fts WHERE rowid = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("INSERT INTO news_fts (rowid, terms) VALUES ($1, $2)")
                        .bind(id)
                        .bind(news_terms(&item.title, item.description.as_deref()))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
            Conn::Postgres(mut conn) => {
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                for item in items {
                    bind_news!(sqlx::query(NEWS_UPSERT), item, now)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "UPDATE daily_news SET terms = array_to_tsvector(string_to_array($2, ' ')) \
                         WHERE news_id = $1",
                    )
                    .bind(&item.news_id)
                    .bind(news_terms(&item.title, item.description.as_deref()))
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
            }
        }
        crate::telemetry::rows_written("daily_news", items.len() as u64);
        Ok(items.len() as u64)
    }

    /// Inserts or updates topics (unique on `topic_id`).
    pub async fn upsert_topics(&self, topics: &[Topic]) -> Result<u64> {
        for t in topics {
            if t.topic_id.is_empty() || !crate::clock::is_iso_day(&t.extract_date) {
                return Err(StorageError::Invalid(format!(
                    "topic `{}` needs an id and an extract_date (YYYY-MM-DD)",
                    t.topic_id
                )));
            }
        }
        let now = crate::clock::now_ms();
        match self.conn().await? {
            Conn::Sqlite(mut conn) => {
                let mut tx =
                    sqlx::Connection::begin_with(&mut *conn, crate::db::SQLITE_BEGIN_WRITE).await?;
                for t in topics {
                    bind_topic!(t, now).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            Conn::Postgres(mut conn) => {
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                for t in topics {
                    bind_topic!(t, now).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
        }
        crate::telemetry::rows_written("daily_topics", topics.len() as u64);
        Ok(topics.len() as u64)
    }

    /// Links topics to news items (`(topic_id, news_id, extract_date)` once each).
    pub async fn link_topic_news(
        &self,
        links: &[(String, String, String, Option<f64>)],
    ) -> Result<u64> {
        let now = crate::clock::now_ms();
        macro_rules! run {
            ($tx:expr) => {
                for (topic, news, day, score) in links {
                    sqlx::query(RELATION_INSERT)
                        .bind(topic)
                        .bind(news)
                        .bind(score)
                        .bind(day)
                        .bind(now)
                        .execute(&mut *$tx)
                        .await?;
                }
            };
        }
        match self.conn().await? {
            Conn::Sqlite(mut conn) => {
                let mut tx =
                    sqlx::Connection::begin_with(&mut *conn, crate::db::SQLITE_BEGIN_WRITE).await?;
                run!(tx);
                tx.commit().await?;
            }
            Conn::Postgres(mut conn) => {
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                run!(tx);
                tx.commit().await?;
            }
        }
        Ok(links.len() as u64)
    }

    /// News whose title or description holds every term of `text`, best first.
    pub async fn search_news(&self, text: &str, limit: u32) -> Result<Vec<NewsHit>> {
        let query = self.query(text);
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let limit = i64::from(limit.clamp(1, 1000));
        const COLUMNS: &str = "n.news_id, n.source_platform, n.title, n.url, n.description, \
            n.extra_info, n.crawl_date, n.rank_position";
        let rows = match self.conn().await? {
            Conn::Sqlite(mut c) => {
                let sql = format!(
                    "SELECT {COLUMNS}, -bm25(news_fts) AS score FROM news_fts \
                     JOIN daily_news n ON n.id = news_fts.rowid WHERE news_fts MATCH $1 \
                     ORDER BY score DESC LIMIT $2"
                );
                let rows = sqlx::query(&sql)
                    .bind(query.fts5())
                    .bind(limit)
                    .fetch_all(&mut *c)
                    .await?;
                rows.iter()
                    .map(|r| news_hit!(r))
                    .collect::<Result<Vec<_>>>()?
            }
            Conn::Postgres(mut c) => {
                let sql = format!(
                    "SELECT {COLUMNS}, ts_rank(n.terms, q)::float8 AS score \
                     FROM daily_news n, CAST($1 AS tsquery) AS q WHERE n.terms @@ q \
                     ORDER BY score DESC, n.id LIMIT $2"
                );
                let rows = sqlx::query(&sql)
                    .bind(query.tsquery())
                    .bind(limit)
                    .fetch_all(&mut *c)
                    .await?;
                rows.iter()
                    .map(|r| news_hit!(r))
                    .collect::<Result<Vec<_>>>()?
            }
        };
        Ok(rows)
    }
}
