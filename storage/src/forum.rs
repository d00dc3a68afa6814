//! Forum messages: what the engines said to each other and what the host said back, kept
//! beside `forum.log` so a discussion outlives the file.

use serde::Serialize;

use crate::db::{on_conn, Database};
use crate::error::Result;

/// A stored forum message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct ForumMessage {
    pub id: i64,
    pub analysis_id: Option<String>,
    /// `INSIGHT`, `MEDIA`, `QUERY`, `HOST`…
    pub source: String,
    pub content: String,
    /// Epoch milliseconds.
    pub at: i64,
}

impl Database {
    /// Stores a message; returns its id.
    pub async fn add_forum_message(
        &self,
        analysis_id: Option<&str>,
        source: &str,
        content: &str,
        at: i64,
    ) -> Result<i64> {
        Ok(on_conn!(self, c => {
            sqlx::query_scalar(
                "INSERT INTO forum_messages (analysis_id, source, content, at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(analysis_id)
            .bind(source)
            .bind(content)
            .bind(at)
            .fetch_one(&mut *c)
            .await?
        }))
    }

    /// The latest `limit` messages, oldest first.
    pub async fn recent_forum_messages(&self, limit: u32) -> Result<Vec<ForumMessage>> {
        let limit = i64::from(limit.clamp(1, 10_000));
        let mut rows: Vec<ForumMessage> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, analysis_id, source, content, at FROM forum_messages \
                 ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&mut *c)
            .await?
        });
        rows.reverse();
        Ok(rows)
    }
}
