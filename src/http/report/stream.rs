//! `GET /api/report/stream/{id}`: a report task's events as Server-Sent Events, read from its
//! log in the database — so the stream replays the whole task (or from `Last-Event-ID`, the
//! event's sequence number) on any instance, after any restart — then followed live: the
//! task's topic wakes the stream when this instance hears of a new event, and the log is read
//! again every second besides, for events written by another instance. Heartbeats while
//! quiet; the stream ends after the task's terminal event (`completed`, `error`, `cancelled`).

use std::convert::Infallible;
use std::time::Duration;

use actors::reports::event::is_terminal;
use actors::reports::{ReportId, ReportTasks};
use bytes::Bytes;
use events::{Feed, Since};
use futures_util::Stream;
use storage::reports::ReportEventRecord;

use crate::service::App;

/// Events read from the log at once.
const PAGE: u32 = 200;
/// How often the log is read when nothing woke the stream.
const POLL: Duration = Duration::from_secs(1);

struct ReportStream {
    tasks: ReportTasks,
    id: ReportId,
    after: i64,
    wake: Feed,
    heartbeat: Duration,
    started: bool,
    ended: bool,
    /// Events read and not yet sent.
    queued: std::collections::VecDeque<ReportEventRecord>,
}

/// One event as an SSE frame: `id:` its sequence number, `event:` its type, `data:` its fields
/// with `task_id` and `seq`.
fn frame(task: &str, event: &ReportEventRecord) -> Bytes {
    let mut data: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&event.payload).unwrap_or_default();
    data.insert("task_id".into(), task.into());
    data.insert("seq".into(), event.seq.into());
    let data = serde_json::Value::Object(data).to_string();
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {data}\n\n",
        event.seq, event.kind
    ))
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
                if is_terminal(&event.kind) {
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
            if quiet >= self.heartbeat {
                return Some(Bytes::from_static(b": heartbeat\n\n"));
            }
            let began = tokio::time::Instant::now();
            tokio::select! {
                item = self.wake.next() => {
                    // The feed ends at shutdown: so does the stream.
                    item?;
                }
                () = tokio::time::sleep(POLL.min(self.heartbeat)) => {}
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
