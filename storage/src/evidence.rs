//! Evidence sets: what an analysis (or a report task asked for a query alone) found, kept with
//! it — each item by reference, with how it was found and a snapshot of what it said — and the
//! figures computed from it once. The snapshot and the figures are JSON this crate does not
//! read (`text_analysis::evidence` defines them); the references are typed so a report's
//! links and a test's direct queries can reach the rows.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::QueryBuilder;

use crate::db::{in_write_tx, Conn, Database};
use crate::error::{Result, StorageError};
use crate::model::{ItemRef, NewsItem, Post};
use crate::rows::{news_of_row, post_of_row};

/// One item of a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEvidenceItem {
    /// 0-based position in the set (a report's source `rank + 1`).
    pub rank: i64,
    pub item: ItemRef,
    /// JSON: the item as it was when the set was built.
    pub snapshot: String,
}

/// A whole set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEvidence {
    /// JSON: what the set was gathered for.
    pub definition: String,
    /// JSON: the figures computed from it.
    pub stats: String,
    pub items: Vec<StoredEvidenceItem>,
    pub created_at: i64,
}

/// Items per insert statement: 5 parameters each stays far below SQLite's limit.
const ITEMS_PER_INSERT: usize = 500;

/// Ids per look-up statement. They travel as one parameter (a JSON array on SQLite, an array
/// on PostgreSQL), so this only bounds the work one statement does.
const IDS_PER_LOOKUP: usize = 1_000;

/// How an item is stored: its `kind` (the tag of [`ItemRef`]'s serde form) and id as text.
fn stored_ref(item: &ItemRef) -> (&'static str, String) {
    match item {
        ItemRef::Post(id) => ("post", id.to_string()),
        ItemRef::Comment(id) => ("comment", id.to_string()),
        ItemRef::News(id) => ("news", id.clone()),
        ItemRef::Web(url) => ("web", url.clone()),
    }
}

/// The item a stored `kind` and id name.
fn item_ref(kind: &str, id: String) -> Result<ItemRef> {
    let row_id = |id: &str| {
        id.parse::<i64>().map_err(|_| {
            StorageError::Query(format!("evidence item {kind} `{id}` is not a row id"))
        })
    };
    Ok(match kind {
        "post" => ItemRef::Post(row_id(&id)?),
        "comment" => ItemRef::Comment(row_id(&id)?),
        "news" => ItemRef::News(id),
        "web" => ItemRef::Web(id),
        other => {
            return Err(StorageError::Query(format!(
                "unknown evidence item kind `{other}`"
            )))
        }
    })
}

/// The ids once each, in their first order: a look-up answers each id once.
fn distinct<T: Clone + Eq + std::hash::Hash>(ids: &[T]) -> Vec<T> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    ids.iter().filter(|id| seen.insert(*id)).cloned().collect()
}

impl Database {
    /// Stores the set `set_id` (an analysis's id, or a report task's), replacing any earlier
    /// one, in one transaction.
    pub async fn store_evidence(
        &self,
        set_id: &str,
        definition: &str,
        stats: &str,
        items: &[StoredEvidenceItem],
        now_ms: i64,
    ) -> Result<()> {
        if set_id.is_empty() {
            return Err(StorageError::Invalid("an evidence set needs an id".into()));
        }
        let refs: Vec<(&'static str, String)> = items.iter().map(|i| stored_ref(&i.item)).collect();
        in_write_tx!(self, tx => {
            // The items go with their set (ON DELETE CASCADE); deleted explicitly as well, so
            // nothing depends on the connection enforcing foreign keys.
            sqlx::query("DELETE FROM evidence_items WHERE set_id = $1")
                .bind(set_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM evidence_sets WHERE set_id = $1")
                .bind(set_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO evidence_sets (set_id, definition, stats, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(set_id)
            .bind(definition)
            .bind(stats)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            let rows: Vec<(&StoredEvidenceItem, &(&'static str, String))> =
                items.iter().zip(&refs).collect();
            for chunk in rows.chunks(ITEMS_PER_INSERT) {
                let mut insert = QueryBuilder::new(
                    "INSERT INTO evidence_items (set_id, rank, kind, item_id, snapshot) ",
                );
                insert.push_values(chunk, |mut row, (item, (kind, id))| {
                    row.push_bind(set_id)
                        .push_bind(item.rank)
                        .push_bind(*kind)
                        .push_bind(id.as_str())
                        .push_bind(item.snapshot.as_str());
                });
                insert.build().execute(&mut *tx).await?;
            }
        });
        Ok(())
    }

    /// The set `set_id`, items in rank order, if stored. Its header and items are read in one
    /// snapshot, so a replacement stored meanwhile is seen whole or not at all.
    pub async fn evidence(&self, set_id: &str) -> Result<Option<StoredEvidence>> {
        const SET: &str =
            "SELECT definition, stats, created_at FROM evidence_sets WHERE set_id = $1";
        const ITEMS: &str = "SELECT rank, kind, item_id, snapshot FROM evidence_items \
                             WHERE set_id = $1 ORDER BY rank";
        type Header = (String, String, i64);
        type ItemRow = (i64, String, String, String);
        let (header, rows): (Option<Header>, Vec<ItemRow>) = match self.conn().await? {
            Conn::Sqlite(mut conn) => {
                // A deferred transaction reads one WAL snapshot from its first statement on.
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                let header = sqlx::query_as(SET)
                    .bind(set_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let rows = sqlx::query_as(ITEMS)
                    .bind(set_id)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                (header, rows)
            }
            Conn::Postgres(mut conn) => {
                // Read committed would take a new snapshot per statement.
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                let header = sqlx::query_as(SET)
                    .bind(set_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let rows = sqlx::query_as(ITEMS)
                    .bind(set_id)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                (header, rows)
            }
        };
        let Some((definition, stats, created_at)) = header else {
            return Ok(None);
        };
        let items = rows
            .into_iter()
            .map(|(rank, kind, id, snapshot)| {
                Ok(StoredEvidenceItem {
                    rank,
                    item: item_ref(&kind, id)?,
                    snapshot,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(StoredEvidence {
            definition,
            stats,
            items,
            created_at,
        }))
    }

    /// The posts and comments with these row ids (those that exist), with their ids, in the
    /// order of `ids` (each once).
    pub async fn posts_by_ids(&self, ids: &[i64]) -> Result<Vec<(i64, Post)>> {
        let columns = crate::posts::COLUMNS_P;
        let mut found: HashMap<i64, Post> = HashMap::with_capacity(ids.len());
        let wanted = distinct(ids);
        for chunk in wanted.chunks(IDS_PER_LOOKUP) {
            match self.conn().await? {
                Conn::Sqlite(mut c) => {
                    let sql = format!(
                        "SELECT {columns}, p.raw AS raw_text FROM posts p \
                         WHERE p.id IN (SELECT value FROM json_each($1))"
                    );
                    let json = serde_json::to_string(chunk)
                        .map_err(|e| StorageError::Invalid(e.to_string()))?;
                    for row in &sqlx::query(&sql).bind(json).fetch_all(&mut *c).await? {
                        found.insert(sqlx::Row::try_get(row, "id")?, post_of_row!(row));
                    }
                }
                Conn::Postgres(mut c) => {
                    let sql = format!(
                        "SELECT {columns}, p.raw::text AS raw_text FROM posts p \
                         WHERE p.id = ANY($1)"
                    );
                    for row in &sqlx::query(&sql).bind(chunk).fetch_all(&mut *c).await? {
                        found.insert(sqlx::Row::try_get(row, "id")?, post_of_row!(row));
                    }
                }
            }
        }
        Ok(wanted
            .into_iter()
            .filter_map(|id| found.remove(&id).map(|post| (id, post)))
            .collect())
    }

    /// The hot-list news items with these news ids (those that exist; the latest day's when an
    /// id was listed on several days), in the order of `ids` (each once).
    pub async fn news_by_ids(&self, ids: &[String]) -> Result<Vec<NewsItem>> {
        const COLUMNS: &str = "news_id, source_platform, title, url, description, extra_info, \
                               crawl_date, rank_position";
        let mut found: HashMap<String, NewsItem> = HashMap::with_capacity(ids.len());
        let wanted = distinct(ids);
        for chunk in wanted.chunks(IDS_PER_LOOKUP) {
            // Latest day last, so it is the one kept.
            let rows = match self.conn().await? {
                Conn::Sqlite(mut c) => {
                    let sql = format!(
                        "SELECT {COLUMNS} FROM daily_news \
                         WHERE news_id IN (SELECT value FROM json_each($1)) ORDER BY crawl_date"
                    );
                    let json = serde_json::to_string(chunk)
                        .map_err(|e| StorageError::Invalid(e.to_string()))?;
                    let rows = sqlx::query(&sql).bind(json).fetch_all(&mut *c).await?;
                    rows.iter()
                        .map(|row| Ok(news_of_row!(row)))
                        .collect::<Result<Vec<NewsItem>>>()?
                }
                Conn::Postgres(mut c) => {
                    let sql = format!(
                        "SELECT {COLUMNS} FROM daily_news WHERE news_id = ANY($1) \
                         ORDER BY crawl_date"
                    );
                    let rows = sqlx::query(&sql).bind(chunk).fetch_all(&mut *c).await?;
                    rows.iter()
                        .map(|row| Ok(news_of_row!(row)))
                        .collect::<Result<Vec<NewsItem>>>()?
                }
            };
            for item in rows {
                found.insert(item.news_id.clone(), item);
            }
        }
        Ok(wanted
            .into_iter()
            .filter_map(|id| found.remove(&id))
            .collect())
    }
}
