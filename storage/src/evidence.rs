//! Evidence sets: what an analysis (or a report task asked for a query alone) found, kept with
//! it — each item by reference, with how it was found and a snapshot of what it said — and the
//! figures computed from it once. The snapshot and the figures are JSON this crate does not
//! read (`text_analysis::evidence` defines them); the references are typed so a report's
//! links and a test's direct queries can reach the rows.

use serde::Serialize;

use crate::db::{Conn, Database, SQLITE_BEGIN_WRITE};
use crate::error::{Result, StorageError};
use crate::model::ItemRef;

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
        macro_rules! store {
            ($c:expr, $begin:expr) => {{
                let c = $c;
                sqlx::query($begin).execute(&mut **c).await?;
                let written: std::result::Result<(), sqlx::Error> = async {
                    sqlx::query("DELETE FROM evidence_items WHERE set_id = $1")
                        .bind(set_id)
                        .execute(&mut **c)
                        .await?;
                    sqlx::query("DELETE FROM evidence_sets WHERE set_id = $1")
                        .bind(set_id)
                        .execute(&mut **c)
                        .await?;
                    sqlx::query(
                        "INSERT INTO evidence_sets (set_id, definition, stats, created_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(set_id)
                    .bind(definition)
                    .bind(stats)
                    .bind(now_ms)
                    .execute(&mut **c)
                    .await?;
                    for item in items {
                        let (kind, id) = item_key(&item.item);
                        sqlx::query(
                            "INSERT INTO evidence_items (set_id, rank, kind, item_id, snapshot) \
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(set_id)
                        .bind(item.rank)
                        .bind(kind)
                        .bind(id)
                        .bind(&item.snapshot)
                        .execute(&mut **c)
                        .await?;
                    }
                    Ok(())
                }
                .await;
                match written {
                    Ok(()) => {
                        sqlx::query("COMMIT").execute(&mut **c).await?;
                        Ok(())
                    }
                    Err(err) => {
                        let _ = sqlx::query("ROLLBACK").execute(&mut **c).await;
                        Err(StorageError::from(err))
                    }
                }
            }};
        }
        match self.conn().await? {
            Conn::Sqlite(mut c) => store!(&mut c, SQLITE_BEGIN_WRITE),
            Conn::Postgres(mut c) => store!(&mut c, "BEGIN"),
        }
    }

    /// The set `set_id`, items in rank order, if stored.
    pub async fn evidence(&self, set_id: &str) -> Result<Option<StoredEvidence>> {
        macro_rules! read {
            ($c:expr) => {{
                let c = $c;
                let set: Option<(String, String, i64)> = sqlx::query_as(
                    "SELECT definition, stats, created_at FROM evidence_sets WHERE set_id = $1",
                )
                .bind(set_id)
                .fetch_optional(&mut **c)
                .await?;
                let Some((definition, stats, created_at)) = set else {
                    return Ok(None);
                };
                let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                    "SELECT rank, kind, item_id, snapshot FROM evidence_items \
                     WHERE set_id = $1 ORDER BY rank",
                )
                .bind(set_id)
                .fetch_all(&mut **c)
                .await?;
                let items = rows
                    .into_iter()
                    .map(|(rank, kind, id, snapshot)| {
                        Ok(StoredEvidenceItem {
                            rank,
                            item: item_of(&kind, id)?,
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
            }};
        }
        match self.conn().await? {
            Conn::Sqlite(mut c) => read!(&mut c),
            Conn::Postgres(mut c) => read!(&mut c),
        }
    }
}

/// An item's stored kind and id.
fn item_key(item: &ItemRef) -> (&'static str, String) {
    match item {
        ItemRef::Post(id) => ("post", id.to_string()),
        ItemRef::Comment(id) => ("comment", id.to_string()),
        ItemRef::News(id) => ("news", id.clone()),
        ItemRef::Web(url) => ("web", url.clone()),
    }
}

/// The item of a stored kind and id.
fn item_of(kind: &str, id: String) -> Result<ItemRef> {
    let number = || {
        id.parse::<i64>()
            .map_err(|_| StorageError::Invalid(format!("evidence item `{kind}` with id `{id}`")))
    };
    Ok(match kind {
        "post" => ItemRef::Post(number()?),
        "comment" => ItemRef::Comment(number()?),
        "news" => ItemRef::News(id),
        "web" => ItemRef::Web(id),
        other => {
            return Err(StorageError::Invalid(format!(
                "unknown evidence kind `{other}`"
            )))
        }
    })
}
