//! One epoch of events: numbering, the bounded history, and fan-out to subscribers.
//!
//! Publishing takes the hub's lock for the append and the fan-out (a push per matching
//! subscriber, each O(1) and never waiting), so offsets are handed out, stored and delivered in
//! one order. Subscribing takes the same lock to decide what to replay and to register the
//! queue, so a resuming subscriber sees every event after its cursor exactly once: those up to
//! the registration (`until`) from the history, those after from its queue.
//!
//! The replay is not copied out at subscription: the subscriber reads it from the history page
//! by page ([`Subscription::page`]), each page a short lock and a bounded count and size of
//! shared events, so a thousand clients resuming from the start of a full history hold a page
//! each, not the history each. Offsets in the history are contiguous, so a page finds its start
//! by offset. If the history is trimmed past the page cursor before the replay is read (the
//! client reads slower than the history turns over), the missing events are gone from
//! everywhere: the page says [`Page::Trimmed`] and the client is told `resync` at `until`, from
//! where its queue goes on without a gap.
//!
//! The history is bounded by count, by bytes (each event's [`Event::stored_bytes`]) and by age.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use serde_json::value::RawValue;
use tokio::sync::watch;

use super::event::{Cursor, Event};
use super::queue::{CloseReason, Pushed, SubscriberQueue};
use super::topic::TopicFilter;
use crate::internal_events::{EventPublished, EventsDropped, HistorySize, ReplayServed};

mod subscription;

pub use subscription::{Page, Since, Start, Subscription};

/// Limits of the history, of events and of each subscriber's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubConfig {
    /// Events kept for replay, across all topics.
    pub history_max_events: usize,
    /// Bytes of events ([`Event::stored_bytes`]) kept for replay, across all topics.
    pub history_max_bytes: usize,
    /// How long an event is kept for replay.
    pub history_max_age: Duration,
    /// Events one subscriber may have waiting before it counts as lagging.
    pub client_queue: usize,
    /// Bytes of events one subscriber may have waiting before it counts as lagging (an empty
    /// queue takes any one event).
    pub client_queue_bytes: usize,
    /// The largest payload a publication may carry; larger ones are refused.
    pub max_event_bytes: usize,
    /// Events one replay page holds at most.
    pub replay_page_events: usize,
    /// Bytes of events one replay page holds at most (always at least one event). Kept small:
    /// a page pins what it holds for as long as its client takes to read it, even once the
    /// history has dropped it.
    pub replay_page_bytes: usize,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            history_max_events: 10_000,
            history_max_bytes: 64 * 1024 * 1024,
            history_max_age: Duration::from_secs(3_600),
            client_queue: 1_024,
            client_queue_bytes: 256 * 1024,
            max_event_bytes: 1024 * 1024,
            replay_page_events: 256,
            replay_page_bytes: 128 * 1024,
        }
    }
}

/// An event a hub did not number ([`Hub::publish`]), given back whole.
#[derive(Debug)]
pub struct Unpublished {
    /// Its topic.
    pub topic: Arc<str>,
    /// Its type.
    pub kind: Arc<str>,
    /// Its payload.
    pub payload: Box<RawValue>,
}

/// What [`Hub::ingest`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// It was the next event: stored and delivered.
    Applied,
    /// Already have it.
    Duplicate,
    /// Events are missing before it: fetch from `expected` first.
    Gap {
        /// The next offset this hub needs.
        expected: u64,
    },
    /// It belongs to another epoch.
    OtherEpoch,
}

struct Registered {
    filter: TopicFilter,
    queue: Arc<SubscriberQueue>,
}

struct State {
    next_offset: u64,
    /// Contiguous offsets, oldest first.
    history: VecDeque<Arc<Event>>,
    /// The sum of the history's [`Event::stored_bytes`].
    history_bytes: usize,
    /// The highest offset dropped from the history (0: none).
    trimmed_through: u64,
    subscribers: HashMap<u64, Registered>,
    next_id: u64,
    closed: bool,
}

/// Who hands out this epoch's offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    /// This hub ([`Hub::publish`]).
    Here,
    /// A cluster (Redis): the hub only takes events it numbered ([`Hub::ingest`]). Numbering
    /// one here could issue an offset the cluster will issue again for another event.
    Cluster,
}

/// One epoch's history and subscribers.
pub struct Hub {
    epoch: u64,
    numbering: Numbering,
    config: HubConfig,
    // std Mutex: held for an append and a fan-out of non-blocking pushes, never across an await.
    state: Mutex<State>,
    /// The offset of the latest event while someone waits for one to arrive ([`Hub::reached`]);
    /// `u64::MAX` once the epoch has ended.
    latest: watch::Sender<u64>,
}

impl Hub {
    /// A hub for `epoch`, numbered as `numbering` says; offsets continue after `last_offset`.
    pub fn new(epoch: u64, numbering: Numbering, config: HubConfig, last_offset: u64) -> Arc<Self> {
        Arc::new(Self {
            epoch,
            numbering,
            config,
            state: Mutex::new(State {
                next_offset: last_offset + 1,
                history: VecDeque::new(),
                history_bytes: 0,
                trimmed_through: last_offset,
                subscribers: HashMap::new(),
                next_id: 0,
                closed: false,
            }),
            latest: watch::Sender::new(last_offset),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The epoch.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Who numbers this epoch's events.
    pub fn numbering(&self) -> Numbering {
        self.numbering
    }

    /// The cursor of the last event (offset 0 before any).
    pub fn position(&self) -> Cursor {
        Cursor {
            epoch: self.epoch,
            offset: self.lock().next_offset - 1,
        }
    }

    /// The cursor just before the oldest event in the history that passes `filter`: where to
    /// resume to replay all of it.
    pub fn before_first(&self, filter: &TopicFilter) -> Option<Cursor> {
        let state = self.lock();
        state
            .history
            .iter()
            .find(|e| filter.matches(&e.topic))
            .map(|e| Cursor {
                epoch: e.cursor.epoch,
                offset: e.cursor.offset.saturating_sub(1),
            })
    }

    /// The last `limit` events of the history that pass `filter`, oldest first.
    pub fn recent(&self, filter: &TopicFilter, limit: usize) -> Vec<Arc<Event>> {
        let state = self.lock();
        let mut out: Vec<Arc<Event>> = state
            .history
            .iter()
            .rev()
            .filter(|e| filter.matches(&e.topic))
            .take(limit)
            .cloned()
            .collect();
        out.reverse();
        out
    }

    /// Numbers, stores and fans out one event. Gives the parts back, numbering nothing, when
    /// this hub may not number (a cluster's epoch) or no longer may (its epoch has ended): the
    /// caller publishes on the bus's current hub instead.
    pub fn publish(
        &self,
        topic: Arc<str>,
        kind: Arc<str>,
        payload: Box<RawValue>,
    ) -> Result<Arc<Event>, Unpublished> {
        let mut state = self.lock();
        if self.numbering == Numbering::Cluster || state.closed {
            return Err(Unpublished {
                topic,
                kind,
                payload,
            });
        }
        let cursor = Cursor {
            epoch: self.epoch,
            offset: state.next_offset,
        };
        let event = Arc::new(Event::new(topic, kind, cursor, SystemTime::now(), payload));
        let (dropped, lagging) = self.append(&mut state, Arc::clone(&event));
        let history_bytes = state.history_bytes;
        drop(state);
        Self::report(&event, dropped, lagging, history_bytes);
        Ok(event)
    }

    /// Takes an event numbered elsewhere (the cluster): applied only if it is the next one.
    pub fn ingest(
        &self,
        cursor: Cursor,
        topic: Arc<str>,
        kind: Arc<str>,
        ts: SystemTime,
        payload: Box<RawValue>,
    ) -> Ingested {
        let mut state = self.lock();
        if cursor.epoch != self.epoch {
            return Ingested::OtherEpoch;
        }
        if cursor.offset < state.next_offset {
            return Ingested::Duplicate;
        }
        if cursor.offset > state.next_offset {
            return Ingested::Gap {
                expected: state.next_offset,
            };
        }
        let event = Arc::new(Event::new(topic, kind, cursor, ts, payload));
        let (dropped, lagging) = self.append(&mut state, Arc::clone(&event));
        let history_bytes = state.history_bytes;
        drop(state);
        Self::report(&event, dropped, lagging, history_bytes);
        Ingested::Applied
    }

    /// Appends under the lock: history, trim, fan-out. Returns drops and new laggers.
    fn append(&self, state: &mut State, event: Arc<Event>) -> (u64, u64) {
        let mut dropped = 0u64;
        let mut lagging = 0u64;
        state.next_offset = event.cursor.offset + 1;
        // Only while someone waits: a send wakes every waiter's slot, a cost the publish path
        // need not pay when nobody does (`reached` reads the position itself first).
        // Never on a closed hub: its `u64::MAX` must stay, or a waiter would wait out its time.
        if !state.closed && self.latest.receiver_count() > 0 {
            self.latest.send_replace(event.cursor.offset);
        }
        state.history_bytes += event.stored_bytes();
        state.history.push_back(Arc::clone(&event));
        self.trim(state);
        for sub in state.subscribers.values() {
            if sub.filter.matches(&event.topic) {
                if let Pushed::Dropped { first } = sub.queue.push(Arc::clone(&event)) {
                    dropped += 1;
                    lagging += u64::from(first);
                }
            }
        }
        (dropped, lagging)
    }

    fn report(event: &Event, dropped: u64, lagging: u64, history_bytes: usize) {
        EventPublished {
            topic: &event.topic,
        }
        .emit();
        HistorySize {
            bytes: history_bytes,
        }
        .emit();
        if dropped > 0 {
            EventsDropped {
                reason: "lagged",
                count: dropped,
                newly_lagging: lagging,
            }
            .emit();
        }
    }

    fn trim(&self, state: &mut State) {
        let max_age = self.config.history_max_age;
        while let Some(front) = state.history.front() {
            let too_many = state.history.len() > self.config.history_max_events;
            let too_big = state.history_bytes > self.config.history_max_bytes;
            if too_many || too_big || front.published.elapsed() > max_age {
                state.trimmed_through = front.cursor.offset;
                state.history_bytes -= front.stored_bytes();
                state.history.pop_front();
            } else {
                break;
            }
        }
    }

    /// Drops events older than the age limit (called periodically, as quiet topics publish
    /// nothing that would trim them).
    pub fn trim_by_age(&self) {
        let mut state = self.lock();
        self.trim(&mut state);
        let bytes = state.history_bytes;
        drop(state);
        HistorySize { bytes }.emit();
    }

    /// The bytes the history holds.
    pub fn history_bytes(&self) -> usize {
        self.lock().history_bytes
    }

    /// Waits until this hub holds the event at `offset` or its epoch ends (true), or until
    /// `within` has passed (false).
    pub async fn reached(&self, offset: u64, within: Duration) -> bool {
        let mut latest = self.latest.subscribe();
        // After subscribing: any later append sends, and this sees every earlier one.
        if self.position().offset >= offset || self.lock().closed {
            return true;
        }
        tokio::time::timeout(within, latest.wait_for(|&at| at >= offset))
            .await
            .is_ok_and(|waited| waited.is_ok())
    }

    /// Registers a subscriber for `filter`, beginning as `since` asks.
    pub fn subscribe(self: &Arc<Self>, filter: TopicFilter, since: Since) -> Subscription {
        let queue = SubscriberQueue::new(self.config.client_queue, self.config.client_queue_bytes);
        let mut state = self.lock();
        let position = Cursor {
            epoch: self.epoch,
            offset: state.next_offset - 1,
        };
        let start = match since {
            Since::Now => Start::Live,
            Since::Unreadable => Start::Resync {
                position,
                reason: "the cursor could not be read (expected EPOCH-OFFSET, as sent in `id`)",
            },
            Since::After(c) if c.epoch != self.epoch => Start::Resync {
                position,
                reason: "the cursor is from another epoch: history was lost since",
            },
            Since::After(c) if c.offset > position.offset => Start::Resync {
                position,
                reason: "the cursor is ahead of this history",
            },
            Since::After(c) if c.offset < state.trimmed_through => Start::Resync {
                position,
                reason: "the cursor is older than the history kept",
            },
            Since::After(c) => Start::Replay {
                after: c.offset,
                until: position.offset,
            },
        };
        let id = state.next_id;
        state.next_id += 1;
        if state.closed {
            queue.close(CloseReason::EpochChanged);
        } else {
            state.subscribers.insert(
                id,
                Registered {
                    filter: filter.clone(),
                    queue: Arc::clone(&queue),
                },
            );
        }
        drop(state);
        ReplayServed {
            result: match &start {
                Start::Live => "live",
                Start::Replay { .. } => "replayed",
                Start::Resync { .. } => "resync",
            },
        }
        .emit();
        Subscription {
            hub: Arc::clone(self),
            id,
            filter,
            queue,
            start,
            position,
        }
    }

    /// Ends this epoch: every subscriber's queue is closed (they resubscribe to the next hub).
    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        for sub in state.subscribers.values() {
            sub.queue.close(CloseReason::EpochChanged);
        }
        // Those waiting for an event of this epoch wait no more.
        self.latest.send_replace(u64::MAX);
    }
}
