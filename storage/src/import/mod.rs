//! `bettafish db import`: MediaCrawler's output files (JSON arrays, JSONL, CSV; contents and
//! comments of xhs, dy, ks, bili, wb, tieba, zhihu) into the unified post model.
//!
//! A file is one transaction: rows that cannot be read are reported with their file and line
//! and skipped, while anything fatal (unreadable file, broken JSON array, a CSV quote never
//! closed, database error) rolls the whole file back. Rows are upserted, so importing a file
//! twice changes nothing.
//!
//! A file is streamed, never held: a reader on a blocking thread reads it record by record
//! ([`records`]), maps each to a post and hands them over in batches through a channel of two,
//! while this task writes the batches into the file's transaction. Memory is a few batches,
//! whatever the file's size, and reading overlaps writing. A transaction that must be tried
//! again (a deadlock with another import on PostgreSQL, a lost connection) reads the file
//! again from its start.

pub mod counts;
mod mapping;
mod records;
pub mod shapes;
mod source;

use std::path::Path;

use serde::Serialize;

use crate::clock;
use crate::db::Database;
use crate::error::{Result, StorageError};
use crate::model::{Post, PostKind};
pub use mapping::to_post;
use records::Record;
pub use source::{FileIdentity, SourceFile};

/// Rows handed to the database at a time.
const BATCH: usize = 2000;
/// Bytes of records gathered into one batch at most, so that a batch of large records stays
/// small as well.
const BATCH_BYTES: u64 = 8 << 20;
/// Problems kept for the report (all are counted).
const KEEP_PROBLEMS: usize = 200;
/// The read buffer.
const READ_BUFFER: usize = 256 * 1024;
/// Records longer than this are not read (`IMPORT_MAX_RECORD_BYTES`'s default).
pub const DEFAULT_MAX_RECORD_BYTES: usize = 1 << 20;

/// How a file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Jsonl,
    Csv,
}

impl Format {
    fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::Json),
            "jsonl" | "ndjson" => Some(Self::Jsonl),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// What the caller may pin down instead of letting the file tell, and how much it reads.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The platform (`xhs`, `weibo`…), when neither the path nor the fields tell.
    pub platform: Option<String>,
    /// A topic to file every row under.
    pub topic_id: Option<String>,
    /// The longest record read (`IMPORT_MAX_RECORD_BYTES`); see [`records`] for what
    /// happens to a longer one.
    pub max_record_bytes: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            platform: None,
            topic_id: None,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// A row that was skipped, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RowProblem {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// What importing one file did.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    pub format: Format,
    pub rows: u64,
    pub contents: u64,
    pub comments: u64,
    /// Rows written: a row repeated within a batch counts once, a row repeated in different
    /// batches of the file once per batch (counting across the whole file would take memory
    /// in proportion to it).
    pub written: u64,
    pub skipped: u64,
    /// The first skipped rows, with their lines.
    pub problems: Vec<RowProblem>,
}

/// How far an import is, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub file: &'a str,
    /// Bytes of the file read and written so far, of `total`.
    pub bytes: u64,
    pub total: u64,
    /// Records read so far.
    pub rows: u64,
}

/// What the reader needs, owned, for its thread.
struct Reading {
    source: SourceFile,
    name: String,
    format: Format,
    pinned: Option<&'static shapes::Shape>,
    file_kind: Option<PostKind>,
    topic_id: Option<String>,
    max_record_bytes: usize,
}

/// Posts read and mapped, for the writer.
struct Batch {
    posts: Vec<Post>,
    /// Where the reading was when the batch was full.
    offset: u64,
    rows: u64,
}

/// Imports `path` into `db` in one transaction (a link named here is followed: see
/// [`import_source`] for a file chosen from a folder).
pub async fn import_file(
    db: &Database,
    path: &Path,
    options: &ImportOptions,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<FileReport> {
    let source = SourceFile::at(path).map_err(|e| StorageError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    import_source(db, &source, options, progress).await
}

/// Imports `source` into `db` in one transaction, reading only the very file that was chosen
/// ([`SourceFile`]).
pub async fn import_source(
    db: &Database,
    source: &SourceFile,
    options: &ImportOptions,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<FileReport> {
    let path = source.path.as_path();
    let name = path.display().to_string();
    let format = Format::of(path).ok_or_else(|| StorageError::File {
        path: name.clone(),
        reason: "not a .json, .jsonl or .csv file".into(),
    })?;
    let pinned = match &options.platform {
        Some(p) => Some(shapes::shape_named(p).ok_or_else(|| {
            StorageError::Invalid(format!(
                "`{p}` is not a platform (xhs, dy, ks, bili, wb, tieba, zhihu)"
            ))
        })?),
        None => shapes::shape_for_path(path),
    };
    let total = tokio::fs::metadata(&source.real_path)
        .await
        .map_err(|e| StorageError::File {
            path: name.clone(),
            reason: e.to_string(),
        })?
        .len();
    let reading = || Reading {
        source: source.clone(),
        name: name.clone(),
        format,
        pinned,
        file_kind: file_kind(path),
        topic_id: options.topic_id.clone(),
        max_record_bytes: options.max_record_bytes,
    };
    let mut attempt = 1;
    loop {
        match import_once(db, reading(), total, progress).await {
            Ok(report) => return Ok(report),
            Err(err) if err.is_retryable() && attempt < ATTEMPTS => {
                tracing::warn!(file = %name, attempt, error = %err, "import conflicted; reading the file again");
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
            }
            Err(err) => return Err(err),
        }
    }
}

/// Times a file's transaction is tried when it conflicts with another.
const ATTEMPTS: u64 = 4;

/// Reads, maps and writes the file once, in one transaction.
async fn import_once(
    db: &Database,
    reading: Reading,
    total: u64,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<FileReport> {
    let name = reading.name.clone();
    // Two batches may wait while one is written: reading stays ahead without running away.
    let (batches, mut received) = tokio::sync::mpsc::channel::<Batch>(2);
    let reader = tokio::task::spawn_blocking(move || read_file(&reading, &batches));
    let mut writer = db.post_writer().await?;
    let mut written = 0;
    let mut rows = 0;
    while let Some(batch) = received.recv().await {
        written += writer.write(&batch.posts).await?;
        rows = batch.rows;
        progress(Progress {
            file: &name,
            bytes: batch.offset.min(total),
            total,
            rows,
        });
    }
    let mut report = reader.await.map_err(|e| StorageError::File {
        path: name.clone(),
        reason: format!("the reader stopped: {e}"),
    })??;
    writer.commit().await?;
    report.written = written;
    progress(Progress {
        file: &name,
        bytes: total,
        total,
        rows: rows.max(report.rows),
    });
    Ok(report)
}

/// Reads and maps every record of the file into batches sent to `batches`; the report of
/// what was read (all but `written`). Stops early, with an empty report, when the writer has
/// gone (it failed, and says why).
fn read_file(reading: &Reading, batches: &tokio::sync::mpsc::Sender<Batch>) -> Result<FileReport> {
    let name = &reading.name;
    let file = reading.source.open().map_err(|e| StorageError::File {
        path: name.clone(),
        reason: e.to_string(),
    })?;
    let input = std::io::BufReader::with_capacity(READ_BUFFER, file);
    let mut report = FileReport {
        file: name.clone(),
        format: reading.format,
        rows: 0,
        contents: 0,
        comments: 0,
        written: 0,
        skipped: 0,
        problems: Vec::new(),
    };
    let now = clock::now_ms();
    let mut batch: Vec<Post> = Vec::with_capacity(BATCH);
    let (mut batch_from, mut offset) = (0u64, 0u64);
    let mut writer_gone = false;
    let mut take = |record: Record| -> bool {
        report.rows += 1;
        offset = record.end;
        match map(reading, record.fields, now) {
            Ok(post) => {
                match post.kind {
                    PostKind::Content => report.contents += 1,
                    PostKind::Comment => report.comments += 1,
                }
                batch.push(post);
            }
            Err(reason) => {
                report.skipped += 1;
                if report.problems.len() < KEEP_PROBLEMS {
                    report.problems.push(RowProblem {
                        file: name.clone(),
                        line: record.line,
                        reason,
                    });
                }
            }
        }
        if batch.len() >= BATCH || offset.saturating_sub(batch_from) >= BATCH_BYTES {
            let full = Batch {
                posts: std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
                offset,
                rows: report.rows,
            };
            batch_from = offset;
            if batches.blocking_send(full).is_err() {
                writer_gone = true;
                return false;
            }
        }
        true
    };
    let read = records::read(input, reading.format, reading.max_record_bytes, &mut take);
    if let Err(broken) = read {
        return Err(StorageError::Malformed {
            path: name.clone(),
            line: broken.line,
            reason: broken.reason,
        });
    }
    if !writer_gone && !batch.is_empty() {
        let last = Batch {
            posts: batch,
            offset,
            rows: report.rows,
        };
        // A writer that has gone has its own error to give.
        let _ = batches.blocking_send(last);
    }
    Ok(report)
}

/// One record as a post, or why not.
fn map(
    reading: &Reading,
    fields: std::result::Result<serde_json::Map<String, serde_json::Value>, String>,
    now: i64,
) -> std::result::Result<Post, String> {
    let record = fields?;
    let shape = reading
        .pinned
        .or_else(|| shapes::shape_for_record(&record))
        .ok_or_else(|| {
            "cannot tell the platform: name it (--platform) or keep MediaCrawler's directory names"
                .to_owned()
        })?;
    let kind = reading
        .file_kind
        .unwrap_or(if record.contains_key("comment_id") {
            PostKind::Comment
        } else {
            PostKind::Content
        });
    to_post(shape, kind, record, now, reading.topic_id.as_deref())
}

/// Contents or comments, when the file name says (`search_comments_2024-01-01.json`).
fn file_kind(path: &Path) -> Option<PostKind> {
    let stem = path.file_stem()?.to_str()?.to_ascii_lowercase();
    if stem.contains("comment") {
        Some(PostKind::Comment)
    } else if ["contents", "videos", "notes"]
        .iter()
        .any(|k| stem.contains(k))
    {
        Some(PostKind::Content)
    } else {
        None
    }
}
