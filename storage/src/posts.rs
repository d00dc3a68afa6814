//! Platform content: batched upserts that keep the full-text index current in the same
//! transaction, and full-text search, on both backends.
//!
//! SQLite takes a batch as multi-row `INSERT … ON CONFLICT DO UPDATE … RETURNING id`, then
//! replaces the batch's rows in the FTS5 table; PostgreSQL takes it as one `INSERT … SELECT
//! FROM UNNEST(arrays)` that also writes the `tsvector`. Either way a batch costs a handful of
//! statements, not one per row, which is what makes tens of thousands of rows per second
//! possible through sqlx.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Row};

use crate::db::{Conn, Database, Pool};
use crate::error::{Result, StorageError};
use crate::model::{Post, PostHit, PostKind};

/// Rows per SQLite statement: 19 parameters each stays under SQLite's 32,766.
const SQLITE_BATCH: usize = 500;
/// Rows per PostgreSQL statement.
const POSTGRES_BATCH: usize = 2000;

/// Posts written in one transaction (see [`Database::post_writer`]).
pub struct PostWriter {
    tx: WriterTx,
    written: u64,
}

enum WriterTx {
    Sqlite(Box<SqliteWriter>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// SQLite's side of a writer. FTS5 rows are gathered and written in large statements: FTS5
/// flushes its in-memory index at the end of every statement, so many small statements make
/// many small segments to merge. Rows this transaction inserted have no FTS row to delete
/// first; only rows that existed before (or were flushed earlier in this transaction) do.
struct SqliteWriter {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    /// The largest post id when the writer began: larger ids are rows it inserted.
    max_before: Option<i64>,
    pending: HashMap<i64, String>,
    /// The bytes of `pending`'s terms.
    pending_bytes: usize,
    to_delete: Vec<i64>,
    /// The largest id flushed to the index so far. Ids the transaction inserts only grow, and a
    /// flush writes every pending row, so the rows it inserted and flushed are exactly those
    /// between `max_before` and this: a watermark, where a set of ids would grow with the file.
    flushed_up_to: i64,
}

/// FTS rows gathered before they are written.
const FTS_FLUSH: usize = 10_000;
/// Bytes of FTS terms gathered before they are written, whatever their rows: FTS5 builds the
/// index of one statement in memory (several times its terms), so long posts (a kilobyte of
/// Chinese is some 2,000 bytes of terms) must flush sooner than short ones.
const FTS_FLUSH_BYTES: usize = 4 << 20;

impl SqliteWriter {
    async fn write(&mut self, batch: &[&Post]) -> Result<()> {
        let max_before = match self.max_before {
            Some(max) => max,
            None => {
                let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM posts")
                    .fetch_one(&mut *self.tx)
                    .await?;
                self.max_before = Some(max);
                max
            }
        };
        for (id, terms) in sqlite_batch(&mut self.tx, batch).await? {
            self.pending_bytes += terms.len();
            if let Some(slot) = self.pending.get_mut(&id) {
                *slot = terms;
                continue;
            }
            if id <= max_before || id <= self.flushed_up_to {
                self.to_delete.push(id);
            }
            self.pending.insert(id, terms);
        }
        if self.pending.len() >= FTS_FLUSH || self.pending_bytes >= FTS_FLUSH_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        // One statement each, the rows passed as a JSON array that SQLite walks itself: a
        // multi-row VALUES list of thousands of rows costs more to compile than to run.
        if !self.to_delete.is_empty() {
            let ids = serde_json::to_string(&self.to_delete)
                .map_err(|e| StorageError::Invalid(e.to_string()))?;
            sqlx::query("DELETE FROM posts_fts WHERE rowid IN (SELECT value FROM json_each($1))")
                .bind(ids)
                .execute(&mut *self.tx)
                .await?;
            self.to_delete.clear();
        }
        // In rowid order: FTS5 flushes its pending index whenever a rowid is not larger than
        // the last one written, so an unordered batch makes a segment every few rows.
        let mut rows: Vec<(i64, String)> = self.pending.drain().collect();
        self.pending_bytes = 0;
        rows.sort_unstable_by_key(|(id, _)| *id);
        if !rows.is_empty() {
            let json =
                serde_json::to_string(&rows).map_err(|e| StorageError::Invalid(e.to_string()))?;
            sqlx::query(
                "INSERT INTO posts_fts (rowid, terms) \
                 SELECT value ->> 0, value ->> 1 FROM json_each($1)",
            )
            .bind(json)
            .execute(&mut *self.tx)
            .await?;
        }
        if let Some((last, _)) = rows.last() {
            self.flushed_up_to = self.flushed_up_to.max(*last);
        }
        Ok(())
    }
}

impl PostWriter {
    /// Writes a batch (the last of each repeated row wins); returns the distinct rows.
    pub async fn write<P: std::borrow::Borrow<Post> + Sync>(&mut self, posts: &[P]) -> Result<u64> {
        let posts: Vec<&Post> = posts.iter().map(|p| p.borrow()).collect();
        for post in &posts {
            check(post)?;
        }
        let rows = last_of_each(&posts);
        match &mut self.tx {
            WriterTx::Sqlite(writer) => {
                for batch in rows.chunks(SQLITE_BATCH) {
                    writer.write(batch).await?;
                }
            }
            WriterTx::Postgres(tx) => {
                let batches: Vec<&[&Post]> = rows.chunks(POSTGRES_BATCH).collect();
                postgres_batches(tx, &batches).await?;
            }
        }
        self.written += rows.len() as u64;
        Ok(rows.len() as u64)
    }

    /// Makes everything written so far permanent; returns how many rows that was.
    pub async fn commit(self) -> Result<u64> {
        match self.tx {
            WriterTx::Sqlite(mut writer) => {
                writer.flush().await?;
                writer.tx.commit().await?
            }
            WriterTx::Postgres(tx) => tx.commit().await?,
        }
        crate::telemetry::rows_written("posts", self.written);
        Ok(self.written)
    }
}

/// What a search asks for.
#[derive(Debug, Clone)]
pub struct PostSearch {
    /// What the user typed; every term must match.
    pub text: String,
    pub limit: u32,
    /// Only this platform.
    pub platform: Option<String>,
    /// Only posts published at or after (epoch ms).
    pub since: Option<i64>,
}

impl PostSearch {
    pub fn new(text: impl Into<String>, limit: u32) -> Self {
        Self {
            text: text.into(),
            limit,
            platform: None,
            since: None,
        }
    }
}

/// Keeps the last of each (platform, kind, platform_id): a batch may repeat a row, and
/// PostgreSQL refuses to update one row twice in a statement.
fn last_of_each<'a>(posts: &[&'a Post]) -> Vec<&'a Post> {
    let mut at: HashMap<(&str, PostKind, &str), usize> = HashMap::with_capacity(posts.len());
    for (i, p) in posts.iter().enumerate() {
        at.insert((p.platform.as_str(), p.kind, p.platform_id.as_str()), i);
    }
    let mut keep: Vec<&Post> = at.into_values().map(|i| posts[i]).collect();
    // In key order: two transactions upserting overlapping rows then lock them in the same
    // order, which keeps PostgreSQL deadlocks rare (a conflicting import is retried anyway).
    keep.sort_unstable_by(|a, b| {
        (a.platform.as_str(), a.kind, a.platform_id.as_str()).cmp(&(
            b.platform.as_str(),
            b.kind,
            b.platform_id.as_str(),
        ))
    });
    keep
}

fn check(post: &Post) -> Result<()> {
    if post.platform.is_empty() || post.platform_id.is_empty() {
        return Err(StorageError::Invalid(
            "a post needs a platform and an id".into(),
        ));
    }
    Ok(())
}

/// A search hit from a row of either backend (same column names and kinds).
macro_rules! hit {
    ($row:expr) => {{
        let row = $row;
        Ok::<_, StorageError>(PostHit {
            id: row.try_get("id")?,
            score: row.try_get("score")?,
            post: crate::rows::post_of_row!(row),
        })
    }};
}

impl Database {
    /// Inserts or updates `posts` in one transaction, index included; returns how many
    /// distinct rows were written.
    pub async fn upsert_posts(&self, posts: &[Post]) -> Result<u64> {
        let mut writer = self.post_writer().await?;
        writer.write(posts).await?;
        writer.commit().await
    }

    /// A transaction that takes posts batch by batch: an import writes a whole file through
    /// one, so a failure part-way leaves nothing of it behind. Dropped uncommitted, it rolls
    /// back.
    pub async fn post_writer(&self) -> Result<PostWriter> {
        let began = std::time::Instant::now();
        let tx = match &self.pool {
            Pool::Sqlite(p) => p.begin_with(crate::db::SQLITE_BEGIN_WRITE).await.map(|tx| {
                WriterTx::Sqlite(Box::new(SqliteWriter {
                    tx,
                    max_before: None,
                    pending: HashMap::new(),
                    pending_bytes: 0,
                    to_delete: Vec::new(),
                    flushed_up_to: i64::MIN,
                }))
            }),
            Pool::Postgres(p) => p.begin().await.map(WriterTx::Postgres),
        };
        crate::telemetry::acquired(began.elapsed(), tx.is_ok());
        Ok(PostWriter {
            tx: tx?,
            written: 0,
        })
    }

    /// How many posts (contents and comments) are stored.
    pub async fn count_posts(&self) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM posts";
        Ok(match self.conn().await? {
            Conn::Sqlite(mut c) => sqlx::query_scalar(sql).fetch_one(&mut *c).await?,
            Conn::Postgres(mut c) => sqlx::query_scalar(sql).fetch_one(&mut *c).await?,
        })
    }

    /// Posts matching every term of `search.text`, best first.
    pub async fn search_posts(&self, search: &PostSearch) -> Result<Vec<PostHit>> {
        let query = self.query(&search.text);
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let limit = i64::from(search.limit.clamp(1, 1000));
        let since = search.since.unwrap_or(i64::MIN);
        match self.conn().await? {
            Conn::Sqlite(mut c) => {
                let sql = format!(
                    "SELECT {COLUMNS_P}, p.raw AS raw_text, -bm25(posts_fts) AS score \
                     FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid \
                     WHERE posts_fts MATCH ?1 AND (?2 IS NULL OR p.platform = ?2) \
                       AND (p.published_at IS NULL OR p.published_at >= ?3) \
                     ORDER BY score DESC LIMIT ?4"
                );
                let rows = sqlx::query(&sql)
                    .bind(query.fts5())
                    .bind(&search.platform)
                    .bind(since)
                    .bind(limit)
                    .fetch_all(&mut *c)
                    .await?;
                rows.iter().map(|r| hit!(r)).collect()
            }
            Conn::Postgres(mut c) => {
                let sql = format!(
                    "SELECT {COLUMNS_P}, p.raw::text AS raw_text, \
                            ts_rank(p.terms, q)::float8 AS score \
                     FROM posts p, CAST($1 AS tsquery) AS q \
                     WHERE p.terms @@ q AND ($2::text IS NULL OR p.platform = $2) \
                       AND (p.published_at IS NULL OR p.published_at >= $3) \
                     ORDER BY score DESC, p.id LIMIT $4"
                );
                let rows = sqlx::query(&sql)
                    .bind(query.tsquery())
                    .bind(&search.platform)
                    .bind(since)
                    .bind(limit)
                    .fetch_all(&mut *c)
                    .await?;
                rows.iter().map(|r| hit!(r)).collect()
            }
        }
    }
}

/// The post columns, qualified by `p`.
pub(crate) const COLUMNS_P: &str =
    "p.id, p.platform, p.kind, p.platform_id, p.content_id, p.parent_id, \
    p.author_id, p.author_name, p.title, p.body, p.url, p.liked_count, p.comment_count, \
    p.share_count, p.collected_count, p.published_at, p.crawled_at, p.source_keyword, p.topic_id";

const INSERT_COLUMNS: &str = "platform, kind, platform_id, content_id, parent_id, author_id, \
    author_name, title, body, url, liked_count, comment_count, share_count, collected_count, \
    published_at, crawled_at, source_keyword, topic_id, raw";

const ON_CONFLICT: &str = " ON CONFLICT (platform, kind, platform_id) DO UPDATE SET \
    content_id = excluded.content_id, parent_id = excluded.parent_id, \
    author_id = excluded.author_id, author_name = excluded.author_name, \
    title = excluded.title, body = excluded.body, url = excluded.url, \
    liked_count = excluded.liked_count, comment_count = excluded.comment_count, \
    share_count = excluded.share_count, collected_count = excluded.collected_count, \
    published_at = excluded.published_at, crawled_at = excluded.crawled_at, \
    source_keyword = excluded.source_keyword, topic_id = excluded.topic_id, raw = excluded.raw";

/// Upserts one batch; returns each row's id with its search terms.
async fn sqlite_batch(
    conn: &mut sqlx::SqliteConnection,
    batch: &[&Post],
) -> Result<Vec<(i64, String)>> {
    let mut insert: QueryBuilder<sqlx::Sqlite> =
        QueryBuilder::new(format!("INSERT INTO posts ({INSERT_COLUMNS}) "));
    insert.push_values(batch, |mut b, p| {
        b.push_bind(&p.platform)
            .push_bind(p.kind.as_str())
            .push_bind(&p.platform_id)
            .push_bind(&p.content_id)
            .push_bind(&p.parent_id)
            .push_bind(&p.author_id)
            .push_bind(&p.author_name)
            .push_bind(&p.title)
            .push_bind(&p.body)
            .push_bind(&p.url)
            .push_bind(p.liked_count)
            .push_bind(p.comment_count)
            .push_bind(p.share_count)
            .push_bind(p.collected_count)
            .push_bind(p.published_at)
            .push_bind(p.crawled_at)
            .push_bind(&p.source_keyword)
            .push_bind(&p.topic_id)
            .push_bind(p.raw.as_ref().map(|r| r.to_string()));
    });
    insert.push(ON_CONFLICT);
    insert.push(" RETURNING id, platform, kind, platform_id");
    // The terms are made here while SQLite's worker thread runs the insert: `join!` polls the
    // query first (handing it to the worker), then runs the synchronous block to the end.
    let (returned, mut terms) = futures_util::join!(insert.build().fetch_all(&mut *conn), async {
        batch
            .iter()
            .map(|p| Some(p.search_terms()))
            .collect::<Vec<_>>()
    });
    let returned = returned?;
    // RETURNING comes in no promised order: match rows to the batch by key.
    let at: HashMap<(&str, &str, &str), usize> = batch
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                (p.platform.as_str(), p.kind.as_str(), p.platform_id.as_str()),
                i,
            )
        })
        .collect();
    let mut out = Vec::with_capacity(returned.len());
    for row in &returned {
        let key: (&str, &str, &str) = (
            row.try_get("platform")?,
            row.try_get("kind")?,
            row.try_get("platform_id")?,
        );
        if let Some(t) = at.get(&key).and_then(|&i| terms[i].take()) {
            out.push((row.try_get("id")?, t));
        }
    }
    Ok(out)
}

/// What a PostgreSQL batch needs computed (the rest is bound from the posts as they are).
struct PgPrepared {
    terms: Vec<String>,
    raw: Vec<Option<String>>,
}

fn pg_prepare(batch: &[&Post]) -> PgPrepared {
    PgPrepared {
        terms: batch.iter().map(|p| p.search_terms()).collect(),
        raw: batch
            .iter()
            .map(|p| p.raw.as_ref().map(|r| r.to_string()))
            .collect(),
    }
}

/// Writes `batches` in order; each batch's terms are computed while PostgreSQL works on the
/// batch before it.
async fn postgres_batches(conn: &mut sqlx::PgConnection, batches: &[&[&Post]]) -> Result<()> {
    let mut prepared = batches.first().map(|b| pg_prepare(b));
    for (i, batch) in batches.iter().enumerate() {
        let Some(this) = prepared.take() else {
            break;
        };
        let next = batches.get(i + 1);
        let (done, next) = futures_util::join!(postgres_batch(&mut *conn, batch, this), async {
            next.map(|b| pg_prepare(b))
        });
        done?;
        prepared = next;
    }
    Ok(())
}

async fn postgres_batch(
    conn: &mut sqlx::PgConnection,
    batch: &[&Post],
    prepared: PgPrepared,
) -> Result<()> {
    macro_rules! column {
        ($f:expr) => {
            batch.iter().map($f).collect::<Vec<_>>()
        };
    }
    let sql = format!(
        "INSERT INTO posts ({INSERT_COLUMNS}, terms) \
         SELECT t.platform, t.kind, t.platform_id, t.content_id, t.parent_id, t.author_id, \
                t.author_name, t.title, t.body, t.url, t.liked_count, t.comment_count, \
                t.share_count, t.collected_count, t.published_at, t.crawled_at, \
                t.source_keyword, t.topic_id, t.raw::jsonb, \
                array_to_tsvector(string_to_array(t.terms, ' ')) \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
                     $7::text[], $8::text[], $9::text[], $10::text[], $11::int8[], $12::int8[], \
                     $13::int8[], $14::int8[], $15::int8[], $16::int8[], $17::text[], \
                     $18::text[], $19::text[], $20::text[]) \
              AS t(platform, kind, platform_id, content_id, parent_id, author_id, author_name, \
                   title, body, url, liked_count, comment_count, share_count, collected_count, \
                   published_at, crawled_at, source_keyword, topic_id, raw, terms) \
         {ON_CONFLICT}, terms = excluded.terms"
    );
    sqlx::query(&sql)
        .bind(column!(|p| p.platform.as_str()))
        .bind(column!(|p| p.kind.as_str()))
        .bind(column!(|p| p.platform_id.as_str()))
        .bind(column!(|p| p.content_id.as_deref()))
        .bind(column!(|p| p.parent_id.as_deref()))
        .bind(column!(|p| p.author_id.as_deref()))
        .bind(column!(|p| p.author_name.as_deref()))
        .bind(column!(|p| p.title.as_deref()))
        .bind(column!(|p| p.body.as_str()))
        .bind(column!(|p| p.url.as_deref()))
        .bind(column!(|p| p.liked_count))
        .bind(column!(|p| p.comment_count))
        .bind(column!(|p| p.share_count))
        .bind(column!(|p| p.collected_count))
        .bind(column!(|p| p.published_at))
        .bind(column!(|p| p.crawled_at))
        .bind(column!(|p| p.source_keyword.as_deref()))
        .bind(column!(|p| p.topic_id.as_deref()))
        .bind(prepared.raw)
        .bind(prepared.terms)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
