//! `GET /api/report/stream/{id}`: a report task's events as Server-Sent Events, read from its
//! log in the database — so the stream replays the whole task (or from `Last-Event-ID`, the
//! event's sequence number) on any instance, after any restart — then followed live: the
//! task's topic wakes the stream when this instance hears of a new event, and the log is read
//! again every [`POLL`] besides, for events written by another instance. Heartbeats while
//! quiet. The stream ends after the task's terminal event (`completed`, `error`,
//! `cancelled`); a task found ended whose log lacks one (its instance stopped between
//! recording the ending and logging it) gets one made from its row, so no stream outlives its
//! task. Each frame's data has the original's shape: `{id, type, task_id, timestamp,
//! payload}`.

use std::convert::Infallible;
use std::time::Duration;

use actors::reports::event::{EventKind, ReportEvent};
use actors::reports::output::{self, Format};
use actors::reports::{ReportId, ReportTasks};
use bytes::Bytes;
use events::{Feed, Since};
use futures_util::Stream;
use storage::reports::{ReportEventRecord, ReportStatus};

use crate::service::App;

/// Events read from the log at once.
const PAGE: u32 = 200;
/// How often the log is read when nothing woke the stream (events of other instances).
pub const POLL: Duration = Duration::from_secs(2);

struct ReportStream {
    tasks: ReportTasks,
    id: ReportId,
    after: i64,
    wake: Feed,
    heartbeat: Duration,
    started: bool,
    ended: bool,
    /// Whether the task's row is read the next time the log has nothing new.
    check_status: bool,
    /// Events read and not yet sent.
    queued: std::collections::VecDeque<ReportEventRecord>,
}

/// One event as an SSE frame: `id:` its sequence number, `event:` its type, `data:` the
/// original's envelope `{id, type, task_id, timestamp, payload}`.
fn frame(task: &str, event: &ReportEventRecord) -> Bytes {
    let payload: serde_json::Value =
        serde_json::from_str(&event.payload).unwrap_or_else(|_| serde_json::json!({}));
    let data = serde_json::json!({
        "id": event.seq,
        "type": event.kind,
        "task_id": task,
        "timestamp": storage::clock::iso_of_ms(event.at),
        "payload": payload,
    });
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {data}\n\n",
        event.seq, event.kind
    ))
}

/// The terminal event a task's row says it ended with, for a log that lacks one.
fn ending_of(
    task: &str,
    status: ReportStatus,
    error: Option<String>,
    after: i64,
) -> ReportEventRecord {
    let message = error.unwrap_or_default();
    let event = match status {
        ReportStatus::Completed => ReportEvent::Completed {
            progress: 100,
            url: output::url(task, Format::Html),
            markdown_url: output::url(task, Format::Markdown),
            json_url: output::url(task, Format::Json),
            elapsed_ms: 0,
        },
        ReportStatus::Cancelled => ReportEvent::Cancelled { message },
        _ => ReportEvent::Error { message },
    };
    ReportEventRecord {
        seq: after,
        kind: event.kind().as_str().to_owned(),
        payload: event.payload().to_string(),
        at: storage::clock::now_ms(),
    }
}

impl ReportStream {
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if !std::mem::replace(&mut self.started, true) {
            return Some(Bytes::from_static(b"retry: 3000\n\n"));
        }
        let mut quiet = Duration::ZERO;
        loop {
            if self.ended {
                return None;
            }
            if let Some(event) = self.queued.pop_front() {
                self.after = event.seq;
                if EventKind::parse(&event.kind).is_some_and(EventKind::is_terminal) {
                    self.ended = true;
                }
                return Some(frame(self.id.as_str(), &event));
            }
            match self.tasks.events_after(&self.id, self.after, PAGE).await {
                Ok(events) if !events.is_empty() => {
                    self.queued.extend(events);
                    continue;
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(task = %self.id.as_str(), error = %err, "could not read the report's events; ending its stream");
                    return None;
                }
            }
            // Nothing new: a task that has ended will write nothing more. Its row is read on
            // the first look and on the timer only: a wake-up means an event is in the log.
            let look = std::mem::replace(&mut self.check_status, false);
            if let Some(Ok((status, error))) = match look {
                true => Some(self.tasks.status(&self.id).await),
                false => None,
            } {
                if status.is_final() {
                    // Its terminal event may be a moment behind its row.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    if let Ok(events) = self.tasks.events_after(&self.id, self.after, PAGE).await {
                        if !events.is_empty() {
                            self.queued.extend(events);
                            continue;
                        }
                    }
                    self.ended = true;
                    return Some(frame(
                        self.id.as_str(),
                        &ending_of(self.id.as_str(), status, error, self.after),
                    ));
                }
            }
            if quiet >= self.heartbeat {
                return Some(Bytes::from_static(b": heartbeat\n\n"));
            }
            let began = tokio::time::Instant::now();
            tokio::select! {
                item = self.wake.next() => {
                    if item.is_none() {
                        // Shutdown: a last frame says so, and the client resumes elsewhere.
                        self.ended = true;
                        return Some(Bytes::from_static(b"event: shutdown\ndata: {}\n\n"));
                    }
                }
                () = tokio::time::sleep(POLL.min(self.heartbeat)) => self.check_status = true,
            }
            quiet += began.elapsed();
        }
    }
}

/// The SSE body for task `id`, after its event `after`.
pub fn body(
    app: &App,
    id: ReportId,
    after: i64,
) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + Sync + 'static {
    let mut wake = Feed::new(app.bus.clone(), app.closing.subscribe());
    if let Ok(filter) = ReportTasks::topic(&id).filter() {
        wake.subscribe(filter, Since::Now);
    }
    let stream = ReportStream {
        tasks: app.reports.clone(),
        id,
        after,
        wake,
        heartbeat: app.config().heartbeat,
        started: false,
        ended: false,
        check_status: true,
        queued: std::collections::VecDeque::new(),
    };
    // The stream runs in a task of its own and hands its chunks over a small channel: the
    // database reads it awaits are not `Sync`, which the response body must be. A client that
    // goes away closes the channel, and the task ends at its next send.
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let mut stream = stream;
    tokio::spawn(async move {
        while let Some(chunk) = stream.next_chunk().await {
            if tx.send(chunk).await.is_err() {
                return;
            }
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((Ok(chunk), rx))
    })
}
