//! The forum over HTTP, as the original serves it: `GET /api/forum/log` (a page of the log,
//! raw and parsed, by byte-offset cursor: see [`page`]), `POST /api/forum/log/history
//! {position, max_lines}` (a window of it by line number), and `POST /api/forum/{start,stop}`
//! (the `root/engines/forum` actor). The log grows without end, so neither reads it whole.
//!
//! Memory is bounded overall, not only per request: a page is read once into one string and
//! serialised from it (its parsed form made a line at a time while the answer is written), and
//! at most `FORUM_LOG_MAX_READERS` requests read at once; one more waits up to
//! [`READER_WAIT`] for a place and is then answered 503 with `Retry-After`.

mod page;

use std::time::Duration;

use actors::tree::FORUM_PATH as FORUM;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::json;
use tokio::sync::OwnedSemaphorePermit;
use warp::http::{header, HeaderValue, StatusCode};

use super::query::{self, Whole};
use super::reply::{self, ApiError, ApiResult, Reply};
use crate::service::App;
use page::{Cursor, PageError, PageLimits};

/// How long a request waits for a reader's place before it is told to come back.
const READER_WAIT: Duration = Duration::from_secs(1);

/// A place among the forum log's readers, or the 503 to answer instead.
async fn reader_place(app: &App) -> Result<OwnedSemaphorePermit, Reply> {
    let waiting = std::sync::Arc::clone(&app.forum_readers).acquire_owned();
    match tokio::time::timeout(READER_WAIT, waiting).await {
        Ok(Ok(permit)) => Ok(permit),
        // Timed out, or (never: it is not closed) the semaphore closed.
        Ok(Err(_)) | Err(_) => {
            let mut busy = reply::error(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the forum log is being read by as many clients as it serves at once (FORUM_LOG_MAX_READERS): try again in a moment",
            );
            busy.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            Err(busy)
        }
    }
}

/// Lines, serialised as their parsed messages, each parsed while it is written (so the page's
/// messages are never all held beside it).
struct Parsed<I>(I);

impl<'a, I: Iterator<Item = &'a str> + Clone> Serialize for Parsed<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Message {
            timestamp: String,
            source: Option<String>,
            session: Option<String>,
            content: String,
        }
        serializer.collect_seq(
            self.0
                .clone()
                .filter_map(actors::forum::line::parse)
                .map(|l| Message {
                    timestamp: l.time,
                    source: l.source,
                    session: l.session,
                    content: l.content,
                }),
        )
    }
}

/// Lines as a JSON array of strings, borrowed.
struct Lines<I>(I);

impl<'a, I: Iterator<Item = &'a str> + Clone> Serialize for Lines<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}

fn unreadable(path: &std::path::Path, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "forum_log_unreadable",
        format!("{}: {e}", path.display()),
    )
}

/// Runs a blocking read of the log off the async runtime.
async fn off_runtime<T: Send + 'static>(
    path: &std::path::Path,
    place: OwnedSemaphorePermit,
    read: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<(T, OwnedSemaphorePermit), ApiError> {
    // The reader's place goes with the read: a request that times out or whose client goes
    // away drops this future, not the blocking read, which keeps its place until it is done.
    let (read, place) = tokio::task::spawn_blocking(move || (read(), place))
        .await
        .map_err(|e| unreadable(path, e))?;
    Ok((read?, place))
}

/// What `GET /api/forum/log` reads from its query string.
#[derive(Debug, Deserialize)]
struct PageQuery {
    limit: Option<Whole<u32>>,
    /// The page that ends at this byte offset (paging backwards).
    before: Option<String>,
    /// The page that starts at this byte offset (following forwards).
    after: Option<String>,
}

/// A cursor's offset; 400 `bad_cursor` for anything else.
fn offset(name: &str, text: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| {
        bad_cursor(format!(
            "{name}= is a byte offset from a previous answer, not `{}`",
            text.chars().take(32).collect::<String>()
        ))
    })
}

fn bad_cursor(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_cursor", message)
}

/// `GET /api/forum/log?limit=N&before=B|after=A`: a page of whole lines, raw and parsed,
/// with the cursors of the pages around it. Without a cursor, the last lines; `before` pages
/// back towards the start, `after` follows the log as it grows (an empty page means nothing
/// new yet). Only the page's bytes are read, off the runtime.
pub async fn log(app: &App, query: &str) -> ApiResult {
    let config = app.config();
    let limits = config.input;
    let PageQuery {
        limit,
        before,
        after,
    } = query::parse(query)?;
    let lines = query::checked_limit(
        limit.map(|Whole(n)| n),
        u32::try_from(limits.forum_page_lines).unwrap_or(u32::MAX),
        u32::try_from(limits.forum_page_max_lines).unwrap_or(u32::MAX),
    )?;
    let cursor = match (before, after) {
        (None, None) => Cursor::Tail,
        (Some(at), None) => Cursor::Before(offset("before", &at)?),
        (None, Some(at)) => Cursor::After(offset("after", &at)?),
        (Some(_), Some(_)) => return Err(bad_cursor("give before= or after=, not both")),
    };
    let page_limits = PageLimits {
        lines: lines as usize,
        max_bytes: limits.forum_page_max_bytes,
    };
    let place = match reader_place(app).await {
        Ok(place) => place,
        Err(busy) => return Ok(busy),
    };
    let path = config.forum.log_path.clone();
    let reading = path.clone();
    let (page, place) = off_runtime(&path, place, move || {
        page::read_page(&reading, cursor, page_limits).map_err(|e| match e {
            PageError::BadCursor(message) => bad_cursor(message),
            PageError::Io(e) => unreadable(&reading, e),
        })
    })
    .await?;
    #[derive(Serialize)]
    struct Answer<P, L> {
        success: bool,
        parsed_messages: P,
        log_lines: L,
        start: u64,
        end: u64,
        size: u64,
        before: Option<u64>,
        after: u64,
        cut: bool,
    }
    let answer = reply::json(
        StatusCode::OK,
        &Answer {
            success: true,
            parsed_messages: Parsed(page.lines()),
            log_lines: Lines(page.lines()),
            start: page.start,
            end: page.end,
            size: page.size,
            before: (page.start > 0).then_some(page.start),
            after: page.end,
            cut: page.cut,
        },
    );
    // Held until the page has become the answer: the page and the answer are the memory.
    drop(place);
    Ok(answer)
}

/// `POST /api/forum/log/history {position, max_lines}`: lines from `position` (0-based), at
/// most `FORUM_LOG_PAGE_MAX_LINES` and `FORUM_LOG_PAGE_MAX_BYTES` of them. The file is
/// streamed to find them and count its lines; memory holds only the window. That scan reads
/// the whole log (the answer's `total_lines` needs it: a few milliseconds per 10 MB), which is
/// why it takes a reader's place like a page: at most `FORUM_LOG_MAX_READERS` scans at once.
pub async fn history(app: &App, body: &[u8]) -> ApiResult {
    #[derive(serde::Deserialize)]
    struct Window {
        #[serde(default)]
        position: usize,
        #[serde(default = "default_max")]
        max_lines: usize,
    }
    fn default_max() -> usize {
        1000
    }
    let window: Window = if body.iter().all(u8::is_ascii_whitespace) {
        Window {
            position: 0,
            max_lines: default_max(),
        }
    } else {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_window",
                format!("expected {{\"position\": n, \"max_lines\": n}}: {e}"),
            )
        })?
    };
    let config = app.config();
    let want = window.max_lines.min(config.input.forum_page_max_lines);
    let budget = config.input.forum_page_max_bytes;
    let place = match reader_place(app).await {
        Ok(place) => place,
        Err(busy) => return Ok(busy),
    };
    let path = config.forum.log_path.clone();
    let reading = path.clone();
    let ((slice, end, total), place) = off_runtime(&path, place, move || {
        page::window(&reading, window.position, want, budget).map_err(|e| unreadable(&reading, e))
    })
    .await?;
    #[derive(Serialize)]
    struct Answer<P, L> {
        success: bool,
        parsed_messages: P,
        log_lines: L,
        position: usize,
        total_lines: usize,
        has_more: bool,
    }
    let lines = || slice.iter().map(String::as_str);
    let answer = reply::json(
        StatusCode::OK,
        &Answer {
            success: true,
            parsed_messages: Parsed(lines()),
            log_lines: Lines(lines()),
            position: end,
            total_lines: total,
            has_more: end < total,
        },
    );
    drop(place);
    Ok(answer)
}

/// `POST /api/forum/start` and `/stop`.
pub async fn command(app: &App, start: bool) -> ApiResult {
    if start {
        app.root.start(FORUM).await?;
    } else {
        app.root.stop(FORUM).await?;
    }
    Ok(reply::json(
        StatusCode::OK,
        &json!({"success": true, "forum": if start { "started" } else { "stopped" }}),
    ))
}
