//! Evidence sets: what an analysis (or a report task asked for a query alone) found, kept with
//! it — each item by reference, with how it was found and a snapshot of what it said — and the
//! figures computed from it once. The snapshot and the figures are JSON this crate does not
//! read (`text_analysis::evidence` defines them); the references are typed so a report's
//! links and a test's direct queries can reach the rows.

use serde::Serialize;

use crate::db::Database;
use crate::error::Result;
use crate::model::{ItemRef, NewsItem, Post};

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
        let _ = (set_id, definition, stats, items, now_ms);
        todo!("H-storage")
    }

    /// The set `set_id`, items in rank order, if stored.
    pub async fn evidence(&self, set_id: &str) -> Result<Option<StoredEvidence>> {
        let _ = set_id;
        todo!("H-storage")
    }

    /// The posts and comments with these row ids (those that exist), with their ids.
    pub async fn posts_by_ids(&self, ids: &[i64]) -> Result<Vec<(i64, Post)>> {
        let _ = ids;
        todo!("H-storage")
    }

    /// The hot-list news items with these news ids (those that exist; the latest day's when an
    /// id was listed on several days).
    pub async fn news_by_ids(&self, ids: &[String]) -> Result<Vec<NewsItem>> {
        let _ = ids;
        todo!("H-storage")
    }
}
