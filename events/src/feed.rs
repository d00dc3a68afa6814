//! [`Feed`]: one client's subscription as every transport sees it — the one state machine from
//! subscribing to the end, so that SSE and WebSocket only encode what it yields.
//!
//! A feed yields [`Item`]s: the events of its topics (the [`Event`] itself, whose wire forms
//! were rendered once at publication, so a transport writes shared bytes, never a copy per
//! client) and the system's own [`Notice`]s, then `None` for the end:
//! - subscribing with a cursor yields the missed events from the history, or a
//!   [`Notice::Resync`] when the cursor cannot be resumed (or read at all); then live events.
//!   The missed events are read from the history a page at a time as the client takes them
//!   (see [`crate::hub`]), so a resuming client holds one page, not a copy of the history; if
//!   the history is trimmed past the replay before the client has read it, the feed yields a
//!   [`Notice::Resync`] at the end of the replay's span and goes on with live events;
//! - a new epoch (history lost) closes the queue: the feed resubscribes from the last cursor it
//!   yielded, which the hub answers with a resync;
//! - a client that fell behind its queue gets what was queued, then [`Notice::Lagged`] naming
//!   the cursor to resume from, then the end;
//! - the stop signal (the server shutting down) yields [`Notice::Shutdown`], then the end —
//!   before whatever is queued or left of a replay;
//! - with [`Ending::After`], the end follows the first event the rule picks (a session's last
//!   event: its stream has nothing more to say).
//!
//! A replay never holds a runtime worker: [`Feed::next`] yields to the runtime before reading
//! each page (a page may scan thousands of entries matching nothing), and [`Feed::try_next`]
//! stops at a page that held nothing for the filter, so one client resuming across a long
//! history cannot starve the others.
//!
//! Heartbeats are the transports' own (an SSE comment after a quiet interval; WebSocket pings
//! on a fixed one), so [`Feed::next`] is cancel-safe: a transport selects on it beside its
//! timers and its socket, and an item is only taken when the call returns it.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::watch;

use super::bus::EventBus;
use super::event::{Cursor, Event};
use super::hub::{Page, Since, Start, Subscription};
use super::queue::Next;
use super::topic::{TopicFilter, TopicKind};
use crate::internal_events::ReplayServed;

/// When a feed ends of itself, besides its client lagging and the server stopping.
#[derive(Debug, Clone, Copy)]
pub enum Ending {
    /// Never: the client decides when it has heard enough.
    Open,
    /// Right after the first event for which the rule is true (the last event of a session).
    After(fn(&Event) -> bool),
    /// Right after what the subscription starts with (its replay, or a resync): the stream of
    /// something that has already ended, whose last event may no longer be in the history (or
    /// was before the client's cursor), so waiting for it would hold the stream open for ever.
    AfterStart,
}

/// A frame of the system's own about this client's subscription, shaped like every event
/// (`{"event","topic":"system","id","data"}`, see [`Notice::frame`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The cursor could not be resumed (another epoch, or older than the history kept): the
    /// client must reload its state. Live events follow; `position` is the cursor to resume
    /// from next.
    Resync {
        /// The current position.
        position: Cursor,
        /// Why.
        reason: &'static str,
    },
    /// The client fell behind its queue: `dropped` events were not queued for it. The feed ends
    /// after this; the client resumes from `resume_from`.
    Lagged {
        /// Events dropped so far.
        dropped: u64,
        /// The last event the feed yielded.
        resume_from: Option<Cursor>,
    },
    /// The server is stopping. The feed ends after this; the client resumes from `resume_from`
    /// (on this node when it is back, or on another).
    Shutdown {
        /// The last event the feed yielded.
        resume_from: Option<Cursor>,
    },
}

/// Renders a frame of the system's own: `{"event": kind, "topic": "system", "id", "data"}`,
/// the shape of every event frame (without `ts`).
pub fn system_frame<T: Serialize + ?Sized>(kind: &str, id: Option<Cursor>, data: &T) -> String {
    #[derive(Serialize)]
    struct Frame<'a, T: ?Sized> {
        event: &'a str,
        topic: &'a str,
        id: Option<String>,
        data: &'a T,
    }
    serde_json::to_string(&Frame {
        event: kind,
        topic: TopicKind::System.name(),
        id: id.map(|c| c.to_string()),
        data,
    })
    // Strings, a cursor's text and a value of ours: nothing here fails to serialise.
    .unwrap_or_default()
}

impl Notice {
    /// The event type the client sees: `resync`, `lagged` or `shutdown`.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Resync { .. } => "resync",
            Notice::Lagged { .. } => "lagged",
            Notice::Shutdown { .. } => "shutdown",
        }
    }

    /// The cursor the frame carries as its id: where the client stands after it.
    pub fn id(&self) -> Option<Cursor> {
        match self {
            Notice::Resync { position, .. } => Some(*position),
            Notice::Lagged { resume_from, .. } | Notice::Shutdown { resume_from } => *resume_from,
        }
    }

    /// The JSON frame (one line), the same on every transport.
    pub fn frame(&self) -> String {
        let cursor = |c: &Option<Cursor>| c.map(|c| c.to_string());
        match self {
            Notice::Resync { position, reason } => {
                #[derive(Serialize)]
                struct Data<'a> {
                    reason: &'a str,
                    position: String,
                }
                let data = Data {
                    reason,
                    position: position.to_string(),
                };
                system_frame(self.kind(), self.id(), &data)
            }
            Notice::Lagged {
                dropped,
                resume_from,
            } => {
                #[derive(Serialize)]
                struct Data {
                    reason: &'static str,
                    dropped: u64,
                    resume_from: Option<String>,
                }
                let data = Data {
                    reason: "this client fell behind and was disconnected; resume from resume_from",
                    dropped: *dropped,
                    resume_from: cursor(resume_from),
                };
                system_frame(self.kind(), self.id(), &data)
            }
            Notice::Shutdown { resume_from } => {
                #[derive(Serialize)]
                struct Data {
                    reason: &'static str,
                    resume_from: Option<String>,
                }
                let data = Data {
                    reason: "the server is shutting down",
                    resume_from: cursor(resume_from),
                };
                system_frame(self.kind(), self.id(), &data)
            }
        }
    }
}

/// What a feed yields.
#[derive(Debug, Clone)]
pub enum Item {
    /// An event of the subscribed topics.
    Event(Arc<Event>),
    /// A frame of the system's own.
    Notice(Notice),
}

/// One client's subscription, from its start to its end. See the module documentation.
pub struct Feed {
    bus: EventBus,
    filter: TopicFilter,
    /// None while the filter is empty (a WebSocket before its first `subscribe`, or after
    /// unsubscribing from everything): the feed then waits for the stop signal alone.
    subscription: Option<Subscription>,
    /// Items decided before the queue is read: the current page of the replay, or the resync
    /// a subscription starts with.
    ahead: VecDeque<Item>,
    /// The part of the replay not read from the history yet.
    replay: Option<Replay>,
    /// The last event (or resync position) yielded: where a resubscription resumes from.
    last: Option<Cursor>,
    /// Where a live subscription was registered (its queue holds what follows), while nothing
    /// has been yielded: a resubscription before the first event resumes from it, so the
    /// events queued meanwhile are read again from the history, not dropped with the queue.
    registered: Option<Cursor>,
    /// True once the server stops (or the sender is gone): ends the feed with a notice.
    stop: watch::Receiver<bool>,
    ending: Ending,
    ended: bool,
}

/// A replay's progress: the events after `after` up to `until` are still to be read.
#[derive(Debug, Clone, Copy)]
struct Replay {
    after: u64,
    until: u64,
}

impl Feed {
    /// A feed subscribed to nothing yet, which ends when `stop` turns true (or its sender goes).
    pub fn new(bus: EventBus, stop: watch::Receiver<bool>) -> Self {
        Self {
            bus,
            filter: TopicFilter::default(),
            subscription: None,
            ahead: VecDeque::new(),
            replay: None,
            last: None,
            registered: None,
            stop,
            ending: Ending::Open,
            ended: false,
        }
    }

    /// The same feed, ending as `ending` says.
    #[must_use]
    pub fn ending(mut self, ending: Ending) -> Self {
        self.ending = ending;
        self
    }

    /// (Re)subscribes to `filter`, beginning as `since` asks (an `Option<Cursor>` will do:
    /// none is live events only). Whatever the previous subscription had not yielded yet is
    /// dropped; where the client stands stays, so a transport that changes topics passes
    /// [`Feed::resume_point`] to miss and repeat nothing.
    pub fn subscribe(&mut self, filter: TopicFilter, since: impl Into<Since>) {
        let since = since.into();
        self.ahead.clear();
        self.replay = None;
        self.subscription = None;
        self.filter = filter;
        if self.ended || self.filter.is_empty() {
            return;
        }
        // The client's own cursor is where it stands until something is yielded: a lag, a
        // shutdown or an epoch change before the first event must resume from it.
        if let Since::After(cursor) = since {
            self.last = Some(cursor);
        }
        let mut subscription = self.bus.subscribe(self.filter.clone(), since);
        if since == Since::Now && self.last.is_none() {
            self.registered = Some(subscription.position);
        }
        match std::mem::replace(&mut subscription.start, Start::Live) {
            Start::Live => {}
            Start::Replay { after, until } => {
                self.replay = (after < until).then_some(Replay { after, until });
            }
            Start::Resync { position, reason } => self
                .ahead
                .push_back(Item::Notice(Notice::Resync { position, reason })),
        }
        self.subscription = Some(subscription);
    }

    /// The topics subscribed to.
    pub fn filter(&self) -> &TopicFilter {
        &self.filter
    }

    /// The cursor of the last event (or resync) yielded.
    pub fn last(&self) -> Option<Cursor> {
        self.last
    }

    /// Where a resubscription should begin to miss and repeat nothing: after the last item
    /// yielded, or — before any — where the live subscription was registered (its queued
    /// events are then replayed from the history). None when the client stands nowhere yet.
    pub fn resume_point(&self) -> Option<Cursor> {
        self.last.or(self.registered)
    }

    /// Whether the feed has ended (`next` returns `None` from now on).
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// The next item, waiting for it; `None` once the feed has ended. The stop signal comes
    /// before queued events and the rest of a replay. Cancel-safe: nothing is taken unless it
    /// is returned.
    pub async fn next(&mut self) -> Option<Item> {
        loop {
            if self.ended {
                return None;
            }
            if self.stopping() {
                let shutdown = Item::Notice(Notice::Shutdown {
                    resume_from: self.last,
                });
                return Some(self.yielded(shutdown));
            }
            if let Some(item) = self.ahead.pop_front() {
                return Some(self.yielded(item));
            }
            if self.replay.is_some() {
                // Between pages, the other tasks of this worker run (cancelling here takes
                // nothing: the page is read after).
                tokio::task::yield_now().await;
                self.next_page();
                continue;
            }
            if self.started_and_done() {
                return None;
            }
            let stop = &mut self.stop;
            let queue = self.subscription.as_ref().map(|s| &s.queue);
            let next = tokio::select! {
                biased;
                // A dropped sender counts as stopping: nobody is left to say otherwise.
                _ = async { stop.wait_for(|&stopping| stopping).await.is_ok() } => None,
                next = async {
                    match queue {
                        Some(queue) => queue.next().await,
                        None => std::future::pending().await,
                    }
                } => Some(next),
            };
            let item = match next {
                None => Some(Item::Notice(Notice::Shutdown {
                    resume_from: self.last,
                })),
                Some(next) => self.read_queue(next),
            };
            if let Some(item) = item {
                return Some(self.yielded(item));
            }
        }
    }

    /// The next item if one is ready now (the stop signal is not looked at): what a transport
    /// adds to a write it is about to make. `None` when nothing is ready, when a page of the
    /// replay held nothing for the filter (the caller writes what it has and comes back through
    /// [`Feed::next`], which yields to the runtime first), or when the feed has ended.
    pub fn try_next(&mut self) -> Option<Item> {
        loop {
            if self.ended {
                return None;
            }
            if let Some(item) = self.ahead.pop_front() {
                return Some(self.yielded(item));
            }
            if self.replay.is_some() {
                self.next_page();
                if self.ahead.is_empty() && self.replay.is_some() {
                    return None;
                }
                continue;
            }
            if self.started_and_done() {
                return None;
            }
            let next = self.subscription.as_ref()?.queue.try_next()?;
            if let Some(item) = self.read_queue(next) {
                return Some(self.yielded(item));
            }
        }
    }

    /// Reads the replay's next page from the history into `ahead` (possibly nothing, when the
    /// stretch it looked at held no event of the filter; the replay then goes on from there).
    /// A history trimmed past the page cursor is a resync at the replay's end, from where the
    /// queue goes on.
    fn next_page(&mut self) {
        let (Some(replay), Some(subscription)) = (self.replay, self.subscription.as_ref()) else {
            self.replay = None;
            return;
        };
        match subscription.page(replay.after, replay.until) {
            Page::Events { events, through } => {
                self.replay = (through < replay.until).then_some(Replay {
                    after: through,
                    until: replay.until,
                });
                self.ahead.extend(events.into_iter().map(Item::Event));
            }
            Page::Trimmed => {
                self.replay = None;
                ReplayServed {
                    result: "interrupted",
                }
                .emit();
                self.ahead.push_back(Item::Notice(Notice::Resync {
                    position: Cursor {
                        epoch: subscription.epoch(),
                        offset: replay.until,
                    },
                    reason: "the history was trimmed past this replay before it was read",
                }));
            }
        }
    }

    /// Whether the server is stopping (or nobody is left to say it is not).
    fn stopping(&self) -> bool {
        self.stop.has_changed().is_err() || *self.stop.borrow()
    }

    /// What one read of the queue means for the client; `None` when there is nothing to yield
    /// yet (an epoch change, answered by resubscribing).
    fn read_queue(&mut self, next: Next) -> Option<Item> {
        match next {
            Next::Event(event) => Some(Item::Event(event)),
            Next::Lagged { dropped } => Some(Item::Notice(Notice::Lagged {
                dropped,
                resume_from: self.last,
            })),
            Next::Closed(_) => {
                // A new epoch: resubscribe from where the client stands; the hub answers
                // resync (or, with no cursor, live events of the new epoch).
                self.subscribe(self.filter.clone(), self.resume_point());
                self.ahead.pop_front()
            }
        }
    }

    /// Records what handing out `item` means: the client's position, and whether it was the
    /// last item.
    fn yielded(&mut self, item: Item) -> Item {
        match &item {
            Item::Event(event) => {
                self.last = Some(event.cursor);
                if let Ending::After(ends) = self.ending {
                    if ends(event) {
                        self.finish();
                    }
                }
            }
            Item::Notice(Notice::Resync { position, .. }) => self.last = Some(*position),
            Item::Notice(Notice::Lagged { .. } | Notice::Shutdown { .. }) => self.finish(),
        }
        item
    }

    /// With [`Ending::AfterStart`], ends the feed once the start (its whole replay) has been
    /// yielded.
    fn started_and_done(&mut self) -> bool {
        if matches!(self.ending, Ending::AfterStart)
            && self.subscription.is_some()
            && self.replay.is_none()
        {
            self.finish();
            return true;
        }
        false
    }

    /// Ends the feed: nothing more is yielded, and the queue is unregistered at once.
    fn finish(&mut self) {
        self.ended = true;
        self.ahead.clear();
        self.replay = None;
        self.subscription = None;
    }
}

#[cfg(test)]
mod tests;
