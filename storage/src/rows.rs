//! Rows of either backend read as model types. The post and news columns have the same names
//! and kinds on SQLite and PostgreSQL, so one macro reads a row of each; a generic function
//! would need a decode bound per column type per backend. Search and the evidence look-ups
//! share them, so a column added to a model is read in one place.

/// The [`Post`](crate::model::Post) in a row holding the post columns (see `posts::COLUMNS_P`)
/// and the raw record as text in `raw_text`; `?` on a missing or mistyped column or an
/// unknown kind, so use it where a [`StorageError`](crate::StorageError) can be returned.
macro_rules! post_of_row {
    ($row:expr) => {{
        let row = $row;
        let kind: String = sqlx::Row::try_get(row, "kind")?;
        let raw: Option<String> = sqlx::Row::try_get(row, "raw_text")?;
        $crate::model::Post {
            platform: sqlx::Row::try_get(row, "platform")?,
            kind: $crate::model::PostKind::parse(&kind).ok_or_else(|| {
                $crate::StorageError::Query(format!("unknown post kind `{kind}`"))
            })?,
            platform_id: sqlx::Row::try_get(row, "platform_id")?,
            content_id: sqlx::Row::try_get(row, "content_id")?,
            parent_id: sqlx::Row::try_get(row, "parent_id")?,
            author_id: sqlx::Row::try_get(row, "author_id")?,
            author_name: sqlx::Row::try_get(row, "author_name")?,
            title: sqlx::Row::try_get(row, "title")?,
            body: sqlx::Row::try_get(row, "body")?,
            url: sqlx::Row::try_get(row, "url")?,
            liked_count: sqlx::Row::try_get(row, "liked_count")?,
            comment_count: sqlx::Row::try_get(row, "comment_count")?,
            share_count: sqlx::Row::try_get(row, "share_count")?,
            collected_count: sqlx::Row::try_get(row, "collected_count")?,
            published_at: sqlx::Row::try_get(row, "published_at")?,
            crawled_at: sqlx::Row::try_get(row, "crawled_at")?,
            source_keyword: sqlx::Row::try_get(row, "source_keyword")?,
            topic_id: sqlx::Row::try_get(row, "topic_id")?,
            // A stored record that no longer parses is dropped rather than failing the read:
            // it is the crawler's copy, kept for reference only.
            raw: raw.and_then(|r| serde_json::from_str(&r).ok()),
        }
    }};
}
pub(crate) use post_of_row;

/// The [`NewsItem`](crate::model::NewsItem) in a row holding the news columns; `?` as
/// [`post_of_row`].
macro_rules! news_of_row {
    ($row:expr) => {{
        let row = $row;
        $crate::model::NewsItem {
            news_id: sqlx::Row::try_get(row, "news_id")?,
            source_platform: sqlx::Row::try_get(row, "source_platform")?,
            title: sqlx::Row::try_get(row, "title")?,
            url: sqlx::Row::try_get(row, "url")?,
            description: sqlx::Row::try_get(row, "description")?,
            extra_info: sqlx::Row::try_get(row, "extra_info")?,
            crawl_date: sqlx::Row::try_get(row, "crawl_date")?,
            rank_position: sqlx::Row::try_get(row, "rank_position")?,
        }
    }};
}
pub(crate) use news_of_row;
