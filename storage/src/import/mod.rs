//! `bettafish db import`: MediaCrawler's output files (JSON arrays, JSONL, CSV; contents and
//! comments of xhs, dy, ks, bili, wb, tieba, zhihu) into the unified post model.
//!
//! A file is one transaction: rows that cannot be read are reported with their file and line
//! and skipped, while anything fatal (unreadable file, broken JSON array, database error)
//! rolls the whole file back. Rows are upserted, so importing a file twice changes nothing.

pub mod counts;
pub mod shapes;

use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::clock;
use crate::db::Database;
use crate::error::{Result, StorageError};
use crate::model::{Post, PostKind};
use shapes::{Fields, Shape};

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
    pub bytes: u64,
    pub total: u64,
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

/// A record: its line, its byte offset, and its fields (or why it has none).
type Record = (u64, u64, std::result::Result<Map<String, Value>, String>);

/// The records of a file, in order. Only a JSON array that does not parse is fatal.
fn records(bytes: &[u8], format: Format) -> std::result::Result<Vec<Record>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line_at =
        |offset: usize| 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64;
    match format {
        Format::Json => {
            let items: Vec<&serde_json::value::RawValue> = serde_json::from_slice(bytes)
                .map_err(|e| format!("not a JSON array of records ({e})"))?;
            let mut out = Vec::with_capacity(items.len());
            let mut line = 1;
            let mut counted = 0;
            for item in items {
                let offset = (item.get().as_ptr() as usize).saturating_sub(bytes.as_ptr() as usize);
                line += bytes[counted..offset]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                counted = offset;
                out.push((
                    line,
                    offset as u64,
                    object(serde_json::from_str(item.get())),
                ));
            }
            Ok(out)
        }
        Format::Jsonl => {
            let mut out = Vec::new();
            let mut offset = 0;
            for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
                let start = offset;
                offset += raw.len() + 1;
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                // Blank as a reader sees it: Unicode whitespace too (a stray no-break space),
                // though JSON itself only knows the ASCII kinds.
                let blank = raw.iter().all(u8::is_ascii_whitespace)
                    || std::str::from_utf8(raw).is_ok_and(|s| s.trim().is_empty());
                if blank {
                    continue;
                }
                out.push((
                    i as u64 + 1,
                    start as u64,
                    object(serde_json::from_slice(raw)),
                ));
            }
            Ok(out)
        }
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
            let headers = reader
                .headers()
                .map_err(|e| format!("no CSV header ({e})"))?
                .clone();
            let mut out = Vec::new();
            for row in reader.records() {
                match row {
                    Ok(row) => {
                        let at = row
                            .position()
                            .map(|p| (p.line(), p.byte()))
                            .unwrap_or((0, 0));
                        let fields = if row.len() != headers.len() {
                            Err(format!(
                                "{} fields where the header has {}",
                                row.len(),
                                headers.len()
                            ))
                        } else {
                            Ok(headers
                                .iter()
                                .zip(row.iter())
                                .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
                                .collect())
                        };
                        out.push((at.0, at.1, fields));
                    }
                    Err(e) => {
                        let at = e.position().map(|p| p.line()).unwrap_or(0);
                        let offset = e.position().map(|p| p.byte() as usize).unwrap_or(0);
                        out.push((
                            at.max(line_at(offset.min(bytes.len()))),
                            offset as u64,
                            Err(format!("unreadable CSV row ({e})")),
                        ));
                    }
                }
            }
            Ok(out)
        }
    }
}

fn object(
    parsed: std::result::Result<Value, serde_json::Error>,
) -> std::result::Result<Map<String, Value>, String> {
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!("expected a JSON object, found {}", kind_of(&other))),
        Err(e) => Err(format!("malformed JSON ({e})")),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Text of the first present field: strings trimmed, numbers as written; NULs removed
/// (PostgreSQL refuses them).
fn text(record: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        let value = match record.get(*name)? {
            Value::String(s) => s.trim().replace('\0', ""),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (!value.is_empty()).then_some(value)
    })
}

fn count(record: &Map<String, Value>, names: &[&str]) -> std::result::Result<i64, String> {
    for name in names {
        if let Some(value) = record.get(*name) {
            return counts::parse_count(value)
                .ok_or_else(|| format!("{name}: `{value}` is not a count"));
        }
    }
    Ok(0)
}

fn time(record: &Map<String, Value>, names: &[&str]) -> Option<i64> {
    names.iter().find_map(|name| match record.get(*name)? {
        Value::Number(n) => n.as_i64().and_then(clock::epoch),
        Value::String(s) => clock::parse_time(s),
        _ => None,
    })
}

/// Removes NULs from every string, keys included, so the record can be stored as JSON on
/// PostgreSQL.
fn without_nuls(value: Value) -> Value {
    match value {
        Value::String(s) if s.contains('\0') => Value::String(s.replace('\0', "")),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nuls).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.replace('\0', ""), without_nuls(v)))
                .collect(),
        ),
        other => other,
    }
}

/// One MediaCrawler record as a post.
pub fn to_post(
    shape: &Shape,
    kind: PostKind,
    record: Map<String, Value>,
    now: i64,
    topic: Option<&str>,
) -> std::result::Result<Post, String> {
    let fields: &Fields = match kind {
        PostKind::Content => &shape.content,
        PostKind::Comment => &shape.comment,
    };
    let id = text(&record, fields.id)
        .ok_or_else(|| format!("no id (expected {})", fields.id.join(" or ")))?;
    let content_id = text(&record, fields.content_ref);
    if kind == PostKind::Comment && content_id.is_none() {
        return Err(format!(
            "comment {id} does not say what it belongs to (expected {})",
            fields.content_ref.join(" or ")
        ));
    }
    let title = text(&record, fields.title);
    let body = text(&record, fields.body)
        .or_else(|| title.clone())
        .ok_or_else(|| format!("{id} has no text (expected {})", fields.body.join(" or ")))?;
    Ok(Post {
        platform: shape.platform.to_owned(),
        kind,
        platform_id: id,
        content_id,
        parent_id: text(&record, fields.parent).filter(|p| p != "0"),
        author_id: text(&record, fields.author_id),
        author_name: text(&record, fields.author_name),
        title,
        body,
        url: text(&record, fields.url),
        liked_count: count(&record, fields.liked)?,
        comment_count: count(&record, fields.comments)?,
        share_count: count(&record, fields.shares)?,
        collected_count: count(&record, fields.collected)?,
        published_at: time(&record, fields.published),
        crawled_at: time(&record, &["last_modify_ts", "add_ts"]).unwrap_or(now),
        source_keyword: text(&record, &["source_keyword"]),
        topic_id: topic
            .map(str::to_owned)
            .or_else(|| text(&record, &["topic_id"])),
        raw: Some(without_nuls(Value::Object(record))),
    })
}

#[cfg(test)]
mod tests {
    //! The readers of crawled files take any bytes without panicking, account for every
    //! record, and map what they can.
    use super::*;
    use proptest::prelude::*;

    fn map_all(records: Vec<Record>) -> (usize, usize) {
        let shape = shapes::shape_named("wb").unwrap();
        let mut ok = 0;
        let mut bad = 0;
        for (_, _, record) in records {
            match record.and_then(|r| to_post(shape, PostKind::Content, r, 1, None)) {
                Ok(post) => {
                    assert!(!post.platform_id.is_empty() && !post.body.is_empty());
                    assert!(!post.body.contains('\0'));
                    ok += 1;
                }
                Err(reason) => {
                    assert!(!reason.is_empty());
                    bad += 1;
                }
            }
        }
        (ok, bad)
    }

    proptest! {
        #[test]
        fn any_bytes_in_any_format_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            for format in [Format::Json, Format::Jsonl, Format::Csv] {
                if let Ok(records) = records(&bytes, format) {
                    map_all(records);
                }
            }
        }

        #[test]
        fn every_jsonl_line_is_a_row_or_a_reported_problem(
            lines in proptest::collection::vec(
                prop_oneof![
                    // Well-formed Weibo notes, some with odd counts and NULs.
                    ("[0-9]{1,12}", "\\PC{0,30}", prop_oneof![Just("12".to_owned()), Just("1.5万".to_owned()), "\\PC{0,6}"])
                        .prop_map(|(id, text, liked)| serde_json::json!({"note_id": id, "content": text, "liked_count": liked}).to_string()),
                    // Garbage and non-objects.
                    "\\PC{0,40}",
                    Just("[1, 2]".to_owned()),
                    Just("   ".to_owned()),
                ],
                0..40,
            )
        ) {
            let text = lines.join("\n");
            let records = records(text.as_bytes(), Format::Jsonl).unwrap();
            let non_blank = lines.iter().filter(|l| !l.trim().is_empty()).count();
            prop_assert_eq!(records.len(), non_blank);
            let (ok, bad) = map_all(records.clone());
            prop_assert_eq!(ok + bad, non_blank);
            // Lines are numbered as in the file.
            for (line, _, _) in &records {
                prop_assert!((*line as usize) <= lines.len().max(1));
                prop_assert!(!lines[*line as usize - 1].trim().is_empty());
            }
        }
    }

    #[test]
    fn json_arrays_give_each_record_its_line() {
        let text = "[\n  {\"note_id\": 1, \"content\": \"a\"},\n\n  {\"note_id\": 2,\n   \"content\": \"b\"},\n  7\n]";
        let lines: Vec<u64> = records(text.as_bytes(), Format::Json)
            .unwrap()
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(lines, [2, 4, 6]);
        assert!(records(b"{\"not\": \"an array\"}", Format::Json).is_err());
    }
}
