//! How a subscription begins and is read: where the client asks to begin ([`Since`]), what
//! the hub answers ([`Start`]), the registered [`Subscription`], and the pages of a replay read
//! from the history ([`Page`], `Hub::page`) — the subscriber's side of the hub.

use std::sync::Arc;

use super::{Hub, SubscriberQueue, TopicFilter};
use crate::event::{Cursor, Event};

/// History entries one [`Hub::page`] call looks at, at most: bounds the time the lock is held
/// when few events of a long history pass the subscriber's filter (the next call goes on).
const PAGE_SCAN: usize = 4_096;

/// Where a subscriber asks to begin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// No cursor: live events only.
    Now,
    /// After this cursor: what was missed, then live events.
    After(Cursor),
    /// A cursor was given but could not be read (another deployment's, a proxy's, an old
    /// format): answered like any cursor that cannot be resumed, with `resync`.
    Unreadable,
}

impl From<Option<Cursor>> for Since {
    fn from(cursor: Option<Cursor>) -> Self {
        cursor.map_or(Since::Now, Since::After)
    }
}

impl Since {
    /// The cursor, if one was given and read.
    pub fn cursor(self) -> Option<Cursor> {
        match self {
            Since::After(cursor) => Some(cursor),
            Since::Now | Since::Unreadable => None,
        }
    }
}

/// How a subscription begins.
#[derive(Debug, Clone)]
pub enum Start {
    /// No cursor given: live events only.
    Live,
    /// The events of the history after offset `after` up to `until` (the position when the
    /// queue was registered) come first, read with [`Subscription::page`]; the queue holds
    /// what follows `until`.
    Replay {
        /// The client's cursor's offset.
        after: u64,
        /// The last offset the replay covers.
        until: u64,
    },
    /// The cursor cannot be resumed (another epoch, or history trimmed past it): the client
    /// must reload its state; live events follow. `position` is the cursor to resume from next.
    Resync {
        /// The current position.
        position: Cursor,
        /// Why.
        reason: &'static str,
    },
}

/// One page of a replay ([`Subscription::page`]).
#[derive(Debug, Clone)]
pub enum Page {
    /// Events to replay, oldest first (none when the stretch scanned held no event of the
    /// filter), and the offset scanned through: the next page starts after it, and the replay
    /// is done once it reaches `until`.
    Events {
        /// The events of this page.
        events: Vec<Arc<Event>>,
        /// The last offset looked at.
        through: u64,
    },
    /// The history was trimmed past the page cursor: events the replay should have yielded
    /// are gone from everywhere.
    Trimmed,
}

/// A registered subscriber: its queue and how it starts. Dropping it unsubscribes.
pub struct Subscription {
    pub(super) hub: Arc<Hub>,
    pub(super) id: u64,
    pub(super) filter: TopicFilter,
    /// The queue to read.
    pub queue: Arc<SubscriberQueue>,
    /// What comes before the queue.
    pub start: Start,
    /// The position when the queue was registered: the queue holds what follows it. Where a
    /// live subscriber stands until it has been given something.
    pub position: Cursor,
}

impl Subscription {
    /// The epoch subscribed to.
    pub fn epoch(&self) -> u64 {
        self.hub.epoch
    }

    /// The next page of this subscription's replay: its events after `after`, up to `until`
    /// (see [`Start::Replay`]), at most the configured page's count and bytes.
    pub fn page(&self, after: u64, until: u64) -> Page {
        self.hub.page(&self.filter, after, until)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.lock().subscribers.remove(&self.id);
    }
}

impl Hub {
    /// A page of the history for `filter`: events after `after` up to `until`, at most
    /// [`HubConfig::replay_page_events`] of them and [`HubConfig::replay_page_bytes`] of
    /// bytes (always at least one event), looking at no more than [`PAGE_SCAN`] entries.
    pub(super) fn page(&self, filter: &TopicFilter, after: u64, until: u64) -> Page {
        let max_events = self.config.replay_page_events.max(1);
        let max_bytes = self.config.replay_page_bytes;
        let state = self.lock();
        if state.trimmed_through > after {
            return Page::Trimmed;
        }
        let start = state.history.partition_point(|e| e.cursor.offset <= after);
        let mut events = Vec::new();
        let mut bytes = 0usize;
        let mut through = after;
        let mut entries = state.history.range(start..);
        for scanned in 1.. {
            match entries.next() {
                // The history holds everything up to `until` (it only loses its oldest), so
                // running out of it or past `until` both mean the replay is complete.
                Some(e) if e.cursor.offset <= until => {
                    if filter.matches(&e.topic) {
                        // Over the bytes: this event begins the next page.
                        if !events.is_empty() && bytes + e.stored_bytes() > max_bytes {
                            break;
                        }
                        bytes += e.stored_bytes();
                        events.push(Arc::clone(e));
                    }
                    through = e.cursor.offset;
                    if events.len() >= max_events {
                        break;
                    }
                    if scanned >= PAGE_SCAN {
                        break;
                    }
                }
                _ => {
                    through = until;
                    break;
                }
            }
        }
        Page::Events { events, through }
    }
}
