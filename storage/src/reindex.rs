//! `bettafish db reindex`: rebuilds the full-text index of every post and news item from the
//! rows themselves. Rows written by other programs (MindSpider or MediaCrawler pointed at the
//! same PostgreSQL, a hand-made SQL import) carry no search terms until then, and a change to
//! `storage::terms` needs it too. One transaction; searches see the old index until it
//! commits.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Conn, Database, SQLITE_BEGIN_WRITE};
use crate::error::{Result, StorageError};
use crate::mindspider::news_terms;
use crate::model::post_terms;

/// Rows read and rewritten at a time.
const PAGE: i64 = 5000;

/// What a reindex rewrote.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Reindexed {
    pub posts: u64,
    pub news: u64,
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StorageError::Invalid(e.to_string()))
}

impl Database {
    /// Rebuilds the search terms of every post and news item.
    pub async fn reindex(&self) -> Result<Reindexed> {
        let mut done = Reindexed { posts: 0, news: 0 };
        match self.conn().await? {
            Conn::Sqlite(mut c) => {
                let mut tx = sqlx::Connection::begin_with(&mut *c, SQLITE_BEGIN_WRITE).await?;
                for (table, index) in [("posts", "posts_fts"), ("daily_news", "news_fts")] {
                    sqlx::query(&format!("DELETE FROM {index}"))
                        .execute(&mut *tx)
                        .await?;
                    let mut after = 0i64;
                    loop {
                        let page = page(&mut *tx, table, after).await?;
                        let Some(&(last, _)) = page.last() else {
                            break;
                        };
                        after = last;
                        sqlx::query(&format!(
                            "INSERT INTO {index} (rowid, terms) \
                             SELECT value ->> 0, value ->> 1 FROM json_each($1)"
                        ))
                        .bind(json(&page)?)
                        .execute(&mut *tx)
                        .await?;
                        count(&mut done, table, page.len());
                    }
                }
                tx.commit().await?;
            }
            Conn::Postgres(mut c) => {
                let mut tx = sqlx::Connection::begin(&mut *c).await?;
                for table in ["posts", "daily_news"] {
                    let mut after = 0i64;
                    loop {
                        let page = page(&mut *tx, table, after).await?;
                        let Some(&(last, _)) = page.last() else {
                            break;
                        };
                        after = last;
                        let (ids, terms): (Vec<i64>, Vec<String>) = page.iter().cloned().unzip();
                        sqlx::query(&format!(
                            "UPDATE {table} SET terms = array_to_tsvector(string_to_array(t.terms, ' ')) \
                             FROM UNNEST($1::int8[], $2::text[]) AS t(id, terms) WHERE {table}.id = t.id"
                        ))
                        .bind(ids)
                        .bind(terms)
                        .execute(&mut *tx)
                        .await?;
                        count(&mut done, table, page.len());
                    }
                }
                tx.commit().await?;
            }
        }
        Ok(done)
    }
}

fn count(done: &mut Reindexed, table: &str, n: usize) {
    if table == "posts" {
        done.posts += n as u64;
    } else {
        done.news += n as u64;
    }
}

/// The next page of (id, terms) of `table` after `after`, in id order. Table names are
/// constants.
async fn page<'c, E>(executor: E, table: &str, after: i64) -> Result<Vec<(i64, String)>>
where
    E: sqlx::Executor<'c>,
    i64: sqlx::Type<E::Database>
        + for<'r> sqlx::Decode<'r, E::Database>
        + sqlx::Encode<'c, E::Database>,
    String: sqlx::Type<E::Database> + for<'r> sqlx::Decode<'r, E::Database>,
    Option<String>: sqlx::Type<E::Database> + for<'r> sqlx::Decode<'r, E::Database>,
    for<'q> <E::Database as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, E::Database>,
    usize: sqlx::ColumnIndex<<E::Database as sqlx::Database>::Row>,
{
    let sql = if table == "posts" {
        "SELECT id, title, body FROM posts WHERE id > $1 ORDER BY id LIMIT $2"
    } else {
        "SELECT id, title, description FROM daily_news WHERE id > $1 ORDER BY id LIMIT $2"
    };
    let rows = sqlx::query(sql)
        .bind(after)
        .bind(PAGE)
        .fetch_all(executor)
        .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get(0)?;
            let terms = if table == "posts" {
                let title: Option<String> = row.try_get(1)?;
                let body: String = row.try_get(2)?;
                post_terms(title.as_deref(), &body)
            } else {
                let title: String = row.try_get(1)?;
                let description: Option<String> = row.try_get(2)?;
                news_terms(&title, description.as_deref())
            };
            Ok((id, terms))
        })
        .collect()
}
