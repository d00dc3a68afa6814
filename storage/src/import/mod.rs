//! `bettafish db import`: MediaCrawler's output files (JSON arrays, JSONL, CSV; contents and
//! comments of xhs, dy, ks, bili, wb, tieba, zhihu) into the unified post model.
//!
//! A file is one transaction: rows that cannot be read are reported with their file and line
//! and skipped, while anything fatal (unreadable file, broken JSON array, database error)
//! rolls the whole file back. Rows are upserted, so importing a file twice changes nothing.

pub mod counts;
mod mapping;
mod records;
pub mod shapes;

use std::path::Path;

use serde::Serialize;

use crate::clock;
use crate::db::Database;
use crate::error::{Result, StorageError};
use crate::model::{Post, PostKind};
pub use mapping::to_post;
use records::records;

/// Rows handed to the database at a time.
const BATCH: usize = 2000;
/// Problems kept for the report (all are counted).
const KEEP_PROBLEMS: usize = 200;

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

/// What the caller may pin down instead of letting the file tell.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The platform (`xhs`, `weibo`…), when neither the path nor the fields tell.
    pub platform: Option<String>,
    /// A topic to file every row under.
    pub topic_id: Option<String>,
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
    /// Distinct rows written (a file may repeat a row).
    pub written: u64,
    pub skipped: u64,
    /// The first skipped rows, with their lines.
    pub problems: Vec<RowProblem>,
}

/// How far an import is, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub file: &'a str,
    /// Bytes of the file written so far, of `total`.
    pub bytes: u64,
    pub total: u64,
    /// Records in the file.
    pub rows: u64,
}

/// Imports `path` into `db` in one transaction.
pub async fn import_file(
    db: &Database,
    path: &Path,
    options: &ImportOptions,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<FileReport> {
    let name = path.display().to_string();
    let fail = |reason: String| StorageError::File {
        path: name.clone(),
        reason,
    };
    let format = Format::of(path).ok_or_else(|| fail("not a .json, .jsonl or .csv file".into()))?;
    let pinned = match &options.platform {
        Some(p) => Some(shapes::shape_named(p).ok_or_else(|| {
            StorageError::Invalid(format!(
                "`{p}` is not a platform (xhs, dy, ks, bili, wb, tieba, zhihu)"
            ))
        })?),
        None => shapes::shape_for_path(path),
    };
    let file_kind = file_kind(path);
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let total = bytes.len() as u64;
    let records = records(&bytes, format).map_err(fail)?;

    let mut report = FileReport {
        file: name.clone(),
        format,
        rows: 0,
        contents: 0,
        comments: 0,
        written: 0,
        skipped: 0,
        problems: Vec::new(),
    };
    // Map everything first, so that a transaction that must be tried again (a deadlock with
    // another import on PostgreSQL, say) can be, from the same rows.
    let now = clock::now_ms();
    let mut posts: Vec<(u64, Post)> = Vec::with_capacity(records.len());
    for (line, offset, record) in records {
        report.rows += 1;
        let mapped = record.and_then(|record| {
            let shape = pinned
                .or_else(|| shapes::shape_for_record(&record))
                .ok_or_else(|| {
                    "cannot tell the platform: name it (--platform) or keep MediaCrawler's \
                     directory names"
                        .to_owned()
                })?;
            let kind = file_kind.unwrap_or(if record.contains_key("comment_id") {
                PostKind::Comment
            } else {
                PostKind::Content
            });
            to_post(shape, kind, record, now, options.topic_id.as_deref())
        });
        match mapped {
            Ok(post) => {
                match post.kind {
                    PostKind::Content => report.contents += 1,
                    PostKind::Comment => report.comments += 1,
                }
                posts.push((offset, post));
            }
            Err(reason) => {
                report.skipped += 1;
                if report.problems.len() < KEEP_PROBLEMS {
                    report.problems.push(RowProblem {
                        file: name.clone(),
                        line,
                        reason,
                    });
                }
            }
        }
    }
    let mut attempt = 1;
    loop {
        match write_all(db, &posts, &name, total, report.rows, progress).await {
            Ok(written) => {
                report.written = written;
                return Ok(report);
            }
            Err(err) if err.is_retryable() && attempt < ATTEMPTS => {
                tracing::warn!(file = %name, attempt, error = %err, "import conflicted; trying the file again");
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
            }
            Err(err) => return Err(err),
        }
    }
}

/// Times a file's transaction is tried when it conflicts with another.
const ATTEMPTS: u64 = 4;

/// Writes the mapped rows of one file in one transaction; returns the distinct rows written.
async fn write_all(
    db: &Database,
    posts: &[(u64, Post)],
    name: &str,
    total: u64,
    rows: u64,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<u64> {
    let mut writer = db.post_writer().await?;
    for chunk in posts.chunks(BATCH) {
        let batch: Vec<&Post> = chunk.iter().map(|(_, p)| p).collect();
        writer.write(&batch).await?;
        progress(Progress {
            file: name,
            bytes: chunk.last().map(|(offset, _)| *offset).unwrap_or(total),
            total,
            rows,
        });
    }
    writer.commit().await?;
    // Distinct rows over the whole file (a row repeated across batches is written twice).
    let written = posts
        .iter()
        .map(|(_, p)| (p.platform.as_str(), p.kind, p.platform_id.as_str()))
        .collect::<std::collections::HashSet<_>>()
        .len() as u64;
    progress(Progress {
        file: name,
        bytes: total,
        total,
        rows,
    });
    Ok(written)
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
