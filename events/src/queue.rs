//! One subscriber's queue: bounded, filled by the publisher without waiting, drained by the
//! subscriber's connection.
//!
//! When it is full the subscriber has fallen behind: the queue stops taking events, counts what
//! it drops, and once the connection has drained what was queued it reads [`Next::Lagged`] — it
//! then tells its client and disconnects, and the client resumes from the last event it got.
//! Memory per subscriber is bounded by the capacity in events and in bytes, whatever the client
//! does. The queue holds `Arc`s of events that the history and every other queue share, so
//! while an event is in the history a queue costs a pointer for it; the byte bound is what an
//! event still queued after the history dropped it can cost (a client stalled long enough for
//! the history to turn over): at most `max_bytes` per subscriber (plus one event, as an empty
//! queue takes any event, and events are at most `BETTAFISH_EVENT_MAX_BYTES`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use super::event::Event;

/// Why a queue was closed by the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The history was replaced (a new epoch): resubscribe with the last cursor, which will be
    /// answered with `resync`.
    EpochChanged,
}

/// What a subscriber reads next.
#[derive(Debug, Clone)]
pub enum Next {
    /// The next event.
    Event(Arc<Event>),
    /// The queue overflowed; `dropped` events were not queued.
    Lagged {
        /// Events dropped so far.
        dropped: u64,
    },
    /// The hub closed the queue.
    Closed(CloseReason),
}

/// What a push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pushed {
    Queued,
    /// Dropped; `first` is true for the drop that made the subscriber lag.
    Dropped {
        first: bool,
    },
}

#[derive(Debug, Default)]
struct State {
    events: VecDeque<Arc<Event>>,
    /// The sum of the queued events' [`Event::stored_bytes`].
    bytes: usize,
    lagged: bool,
    dropped: u64,
    closed: Option<CloseReason>,
}

/// A bounded queue between the hub and one connection.
#[derive(Debug)]
pub struct SubscriberQueue {
    // std Mutex: the publisher pushes and the connection pops, each for a few instructions,
    // never across an await.
    state: Mutex<State>,
    notify: Notify,
    capacity: usize,
    max_bytes: usize,
}

impl SubscriberQueue {
    /// A queue of at most `capacity` events and `max_bytes` of them (any one event fits
    /// in an empty queue).
    pub(crate) fn new(capacity: usize, max_bytes: usize) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State::default()),
            notify: Notify::new(),
            capacity: capacity.max(1),
            max_bytes,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn push(&self, event: Arc<Event>) -> Pushed {
        let mut state = self.lock();
        if state.closed.is_some() {
            return Pushed::Dropped { first: false };
        }
        let too_big =
            !state.events.is_empty() && state.bytes + event.stored_bytes() > self.max_bytes;
        if state.lagged || state.events.len() >= self.capacity || too_big {
            let first = !state.lagged;
            state.lagged = true;
            state.dropped += 1;
            drop(state);
            if first {
                self.notify.notify_one();
            }
            return Pushed::Dropped { first };
        }
        state.bytes += event.stored_bytes();
        state.events.push_back(event);
        drop(state);
        self.notify.notify_one();
        Pushed::Queued
    }

    pub(crate) fn close(&self, reason: CloseReason) {
        self.lock().closed = Some(reason);
        self.notify.notify_one();
    }

    /// The next event or condition, without waiting.
    pub fn try_next(&self) -> Option<Next> {
        let mut state = self.lock();
        if let Some(event) = state.events.pop_front() {
            state.bytes -= event.stored_bytes();
            return Some(Next::Event(event));
        }
        if state.lagged {
            return Some(Next::Lagged {
                dropped: state.dropped,
            });
        }
        state.closed.map(Next::Closed)
    }

    /// Waits for the next event or condition. Queued events come first: a lagging or closed
    /// queue still delivers what it holds.
    pub async fn next(&self) -> Next {
        loop {
            let notified = self.notify.notified();
            if let Some(next) = self.try_next() {
                return next;
            }
            notified.await;
        }
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.lock().events.len()
    }

    /// Bytes of the events waiting.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
