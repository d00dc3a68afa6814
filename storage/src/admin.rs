//! The data tools of MindSpider's `db_manager`: tables with row counts, statistics, recent
//! days, and cleanup of what is older than N days (a dry run unless told to execute, then one
//! transaction with bound parameters).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::clock;
use crate::db::{on_conn, Backend, Database};
use crate::error::{Result, StorageError};

/// Every table, with the group `db tables` shows it under.
pub const TABLES: [(&str, &str); 14] = [
    ("daily_news", "mindspider"),
    ("daily_topics", "mindspider"),
    ("topic_news_relation", "mindspider"),
    ("crawling_tasks", "mindspider"),
    ("posts", "content"),
    ("analyses", "service"),
    ("engine_outputs", "service"),
    ("report_tasks", "service"),
    ("report_events", "service"),
    ("forum_messages", "service"),
    ("evidence_sets", "service"),
    ("evidence_items", "service"),
    ("service_meta", "service"),
    ("_sqlx_migrations", "service"),
];

/// A table and its rows.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    pub group: &'static str,
    pub rows: i64,
}

/// Per platform: how much content and how many comments.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlatformCount {
    pub platform: String,
    pub contents: i64,
    pub comments: i64,
}

/// `db stats`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub backend: &'static str,
    pub tables: Vec<TableCount>,
    pub news: NewsStats,
    pub topics: TopicStats,
    pub tasks_by_status: BTreeMap<String, i64>,
    pub posts: PostStats,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewsStats {
    pub total: i64,
    pub days: i64,
    pub platforms: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicStats {
    pub total: i64,
    pub days: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PostStats {
    pub contents: i64,
    pub comments: i64,
    pub by_platform: Vec<PlatformCount>,
    /// Epoch milliseconds of the earliest and latest publication.
    pub first_published: Option<i64>,
    pub last_published: Option<i64>,
}

/// One day's volume.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DayCount {
    pub day: String,
    pub count: i64,
}

/// `db recent --days N`.
#[derive(Debug, Clone, Serialize)]
pub struct Recent {
    /// The first day included.
    pub since: String,
    pub news: Vec<DayCount>,
    pub topics: Vec<DayCount>,
    /// Posts and comments by day of publication.
    pub posts: Vec<DayCount>,
}

/// What a cleanup removes (or would), per table.
#[derive(Debug, Clone, Serialize)]
pub struct Cleanup {
    /// Rows before this day (crawl dates) or time (posts' crawl time) go.
    pub before: String,
    pub executed: bool,
    pub tables: Vec<TableCount>,
}

impl Cleanup {
    pub fn total(&self) -> i64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// What a cleanup compares its cutoff with.
#[derive(Clone, Copy)]
enum Cutoff {
    /// An ISO day column.
    Day,
    /// An epoch-milliseconds column.
    Millis,
}

/// The rows a cleanup takes, per table, as `WHERE` clauses over `$1`, the cutoff. Rows that
/// the foreign keys would cascade away are named explicitly, so the dry run counts them too.
const DOOMED: [(&str, Cutoff, &str); 5] = [
    (
        "topic_news_relation",
        Cutoff::Day,
        "extract_date < $1 \
         OR topic_id IN (SELECT topic_id FROM daily_topics WHERE extract_date < $1) \
         OR news_id IN (SELECT news_id FROM daily_news WHERE crawl_date < $1)",
    ),
    (
        "crawling_tasks",
        Cutoff::Day,
        "scheduled_date < $1 \
         OR topic_id IN (SELECT topic_id FROM daily_topics WHERE extract_date < $1)",
    ),
    ("daily_topics", Cutoff::Day, "extract_date < $1"),
    ("daily_news", Cutoff::Day, "crawl_date < $1"),
    ("posts", Cutoff::Millis, "crawled_at < $1"),
];

fn group_of(table: &str) -> &'static str {
    TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, g)| *g)
        .unwrap_or("other")
}

/// `$query` with the cleanup's cutoff bound in the shape its column holds (a macro: the
/// count and the deletes are different query types on two backends).
macro_rules! bind_cutoff {
    ($query:expr, $cutoff:expr, $day:expr, $ms:expr) => {
        match $cutoff {
            Cutoff::Day => $query.bind($day.to_owned()),
            Cutoff::Millis => $query.bind($ms),
        }
    };
}

impl Database {
    /// Every table with its row count.
    pub async fn table_counts(&self) -> Result<Vec<TableCount>> {
        let mut out = Vec::with_capacity(TABLES.len());
        on_conn!(self, c => {
            for (table, group) in TABLES {
                // Table names come from the constant list above, never from input.
                let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                    .fetch_one(&mut *c)
                    .await?;
                out.push(TableCount { table, group, rows });
            }
        });
        Ok(out)
    }

    /// What `db stats` and `GET /api/db/stats` show.
    pub async fn stats(&self) -> Result<Stats> {
        let tables = self.table_counts().await?;
        on_conn!(self, c => {
            let (total, days, platforms): (i64, i64, i64) = sqlx::query_as(
                "SELECT COUNT(*), COUNT(DISTINCT crawl_date), COUNT(DISTINCT source_platform) \
                 FROM daily_news",
            )
            .fetch_one(&mut *c)
            .await?;
            let news = NewsStats { total, days, platforms };
            let (total, days): (i64, i64) = sqlx::query_as(
                "SELECT COUNT(*), COUNT(DISTINCT extract_date) FROM daily_topics",
            )
            .fetch_one(&mut *c)
            .await?;
            let topics = TopicStats { total, days };
            let tasks: Vec<(String, i64)> = sqlx::query_as(
                "SELECT task_status, COUNT(*) FROM crawling_tasks GROUP BY task_status",
            )
            .fetch_all(&mut *c)
            .await?;
            let per: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT platform, kind, COUNT(*) FROM posts GROUP BY platform, kind \
                 ORDER BY platform, kind",
            )
            .fetch_all(&mut *c)
            .await?;
            let (first, last): (Option<i64>, Option<i64>) =
                sqlx::query_as("SELECT MIN(published_at), MAX(published_at) FROM posts")
                    .fetch_one(&mut *c)
                    .await?;
            let mut by_platform: Vec<PlatformCount> = Vec::new();
            for (platform, kind, n) in per {
                if by_platform.last().map(|p| &p.platform) != Some(&platform) {
                    by_platform.push(PlatformCount {
                        platform: platform.clone(),
                        contents: 0,
                        comments: 0,
                    });
                }
                if let Some(entry) = by_platform.last_mut() {
                    if kind == "comment" {
                        entry.comments = n;
                    } else {
                        entry.contents = n;
                    }
                }
            }
            let posts = PostStats {
                contents: by_platform.iter().map(|p| p.contents).sum(),
                comments: by_platform.iter().map(|p| p.comments).sum(),
                by_platform,
                first_published: first,
                last_published: last,
            };
            Ok(Stats {
                backend: self.backend().name(),
                tables,
                news,
                topics,
                tasks_by_status: tasks.into_iter().collect(),
                posts,
            })
        })
    }

    /// Volumes per day over the last `days` days (today included).
    pub async fn recent(&self, days: u32) -> Result<Recent> {
        let back = days.saturating_sub(1);
        let since = clock::days_ago(back);
        let since_ms = clock::days_ago_ms(back);
        let post_day = match self.backend() {
            Backend::Sqlite => "date(published_at / 1000, 'unixepoch')",
            Backend::Postgres => {
                "to_char(to_timestamp(published_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
            }
        };
        on_conn!(self, c => {
            let news: Vec<(String, i64)> = sqlx::query_as(
                "SELECT crawl_date, COUNT(*) FROM daily_news WHERE crawl_date >= $1 \
                 GROUP BY crawl_date ORDER BY crawl_date",
            )
            .bind(&since)
            .fetch_all(&mut *c)
            .await?;
            let topics: Vec<(String, i64)> = sqlx::query_as(
                "SELECT extract_date, COUNT(*) FROM daily_topics WHERE extract_date >= $1 \
                 GROUP BY extract_date ORDER BY extract_date",
            )
            .bind(&since)
            .fetch_all(&mut *c)
            .await?;
            let posts: Vec<(Option<String>, i64)> = sqlx::query_as(&format!(
                "SELECT {post_day} AS day, COUNT(*) FROM posts WHERE published_at >= $1 \
                 GROUP BY day ORDER BY day"
            ))
            .bind(since_ms)
            .fetch_all(&mut *c)
            .await?;
            let days = |rows: Vec<(String, i64)>| {
                rows.into_iter()
                    .map(|(day, count)| DayCount { day, count })
                    .collect()
            };
            // A time no calendar can show (a corrupt row) has no day; it is left out.
            let posts = posts
                .into_iter()
                .filter_map(|(day, n)| day.map(|d| (d, n)))
                .collect();
            Ok(Recent {
                since,
                news: days(news),
                topics: days(topics),
                posts: days(posts),
            })
        })
    }

    /// Counts (and with `execute`, deletes in one transaction) what is older than `days` days.
    pub async fn cleanup(&self, days: u32, execute: bool) -> Result<Cleanup> {
        if days == 0 {
            return Err(StorageError::Invalid(
                "cleanup needs at least one day to keep (--days 1 or more)".into(),
            ));
        }
        let day = clock::days_ago(days);
        let ms = clock::days_ago_ms(days);
        let backend = self.backend();
        let mut tables = Vec::with_capacity(DOOMED.len());
        on_conn!(self, c => {
            // A dry run only reads: it must not hold SQLite's write lock while it counts.
            let begin = match backend {
                Backend::Sqlite if execute => crate::db::SQLITE_BEGIN_WRITE,
                _ => "BEGIN",
            };
            let mut tx = sqlx::Connection::begin_with(&mut *c, begin).await?;
            for (table, cutoff, doomed) in DOOMED {
                let count_sql = format!("SELECT COUNT(*) FROM {table} WHERE {doomed}");
                let count: i64 = bind_cutoff!(sqlx::query_scalar(&count_sql), cutoff, &day, ms)
                    .fetch_one(&mut *tx)
                    .await?;
                if !execute || count == 0 {
                    tables.push(TableCount { table, group: group_of(table), rows: count });
                    continue;
                }
                if backend == Backend::Sqlite {
                    let index = match table {
                        "posts" => Some("posts_fts"),
                        "daily_news" => Some("news_fts"),
                        _ => None,
                    };
                    if let Some(index) = index {
                        let sql = format!(
                            "DELETE FROM {index} WHERE rowid IN \
                             (SELECT id FROM {table} WHERE {doomed})"
                        );
                        bind_cutoff!(
                            sqlx::query(&sql),
                            cutoff,
                            &day,
                            ms
                        )
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                // What was deleted, which a concurrent writer may have made differ from the
                // count a moment ago.
                let delete_sql = format!("DELETE FROM {table} WHERE {doomed}");
                let deleted = bind_cutoff!(
                    sqlx::query(&delete_sql),
                    cutoff,
                    &day,
                    ms
                )
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tables.push(TableCount {
                    table,
                    group: group_of(table),
                    rows: i64::try_from(deleted).unwrap_or(i64::MAX),
                });
            }
            if execute {
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
        });
        Ok(Cleanup {
            before: day,
            executed: execute,
            tables,
        })
    }
}
