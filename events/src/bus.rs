//! [`EventBus`]: the handle every publisher and every connection holds. It points at the
//! current [`Hub`]; when history is lost (a new epoch) it swaps in a fresh hub and closes the
//! old one's subscribers, which resubscribe and are told to resync.
//!
//! Alone, the bus numbers events itself. Attached to a cluster link ([`EventBus::attach`]),
//! publications go to the link's outbox instead (bounded; never waited on), the cluster numbers
//! them, and they come back to every node — this one included — through [`EventBus::ingest`].
//! When the link is lost the bus detaches and starts a local epoch, so local delivery goes on
//! and clients are told to resync rather than miss events silently.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot};

use super::event::{payload, validate_topic, validate_type, Cursor, EventError};
use super::hub::{Hub, HubConfig, Ingested, Subscription};
use super::topic::TopicFilter;

/// An event on its way to the cluster, which will number it.
#[derive(Debug)]
pub struct Draft {
    /// Its topic.
    pub topic: Arc<str>,
    /// Its type.
    pub kind: Arc<str>,
    /// When it was published.
    pub ts: SystemTime,
    /// Its payload.
    pub payload: Box<RawValue>,
    /// Told the cursor once the cluster numbered it.
    pub numbered: Option<oneshot::Sender<Cursor>>,
}

/// The system's event bus. Cheap to clone.
#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

struct Inner {
    config: HubConfig,
    // std RwLock: read for every publish and subscribe (an Arc clone), written only when the
    // epoch changes.
    hub: RwLock<Arc<Hub>>,
    // std RwLock: read for every publish, written when a cluster link attaches or detaches.
    // The sender is bounded: a full outbox drops the event (counted), it never blocks.
    outbox: RwLock<Option<mpsc::Sender<Draft>>>,
}

/// A random epoch, so that cursors from an earlier process never resume by accident.
fn new_epoch() -> u64 {
    // Never 0, so a zero epoch can mean "none".
    fastrand::u64(1..)
}

impl EventBus {
    /// A bus with an empty history in a new epoch.
    pub fn new(config: HubConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                hub: RwLock::new(Hub::new(new_epoch(), config, 0)),
                outbox: RwLock::new(None),
            }),
        }
    }

    /// The current hub.
    pub fn hub(&self) -> Arc<Hub> {
        Arc::clone(
            &self
                .inner
                .hub
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// The cluster link's outbox, while one is attached.
    fn outbox(&self) -> Option<mpsc::Sender<Draft>> {
        self.inner
            .outbox
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The limits in force.
    pub fn config(&self) -> HubConfig {
        self.inner.config
    }

    /// Publishes a payload that serialises to JSON. Never blocks, never waits on a subscriber.
    /// Returns the event's cursor, or `None` when it went to the cluster, which numbers it.
    ///
    /// # Errors
    /// [`EventError`] for an invalid topic, type or payload, or a full cluster outbox.
    pub fn publish<T: Serialize + ?Sized>(
        &self,
        topic: &str,
        kind: &str,
        data: &T,
    ) -> Result<Option<Cursor>, EventError> {
        self.publish_raw(topic, kind, payload(data)?, None)
    }

    /// Publishes an already-rendered JSON payload; `numbered` learns the cursor when the
    /// cluster assigns it (at once when local).
    ///
    /// # Errors
    /// [`EventError`] for an invalid topic or type, or a full cluster outbox.
    pub fn publish_raw(
        &self,
        topic: &str,
        kind: &str,
        data: Box<RawValue>,
        numbered: Option<oneshot::Sender<Cursor>>,
    ) -> Result<Option<Cursor>, EventError> {
        validate_topic(topic)?;
        validate_type(kind)?;
        match self.outbox() {
            Some(outbox) => {
                let draft = Draft {
                    topic: Arc::from(topic),
                    kind: Arc::from(kind),
                    ts: SystemTime::now(),
                    payload: data,
                    numbered,
                };
                match outbox.try_send(draft) {
                    Ok(()) => Ok(None),
                    // The link is gone or swamped: deliver here rather than lose the event.
                    Err(
                        mpsc::error::TrySendError::Closed(draft)
                        | mpsc::error::TrySendError::Full(draft),
                    ) => Ok(Some(self.publish_local(draft))),
                }
            }
            None => {
                let cursor = self
                    .hub()
                    .publish(Arc::from(topic), Arc::from(kind), data)
                    .cursor;
                if let Some(numbered) = numbered {
                    let _ = numbered.send(cursor);
                }
                Ok(Some(cursor))
            }
        }
    }

    /// Publishes a draft on this node's own history.
    pub fn publish_local(&self, draft: Draft) -> Cursor {
        let cursor = self
            .hub()
            .publish(draft.topic, draft.kind, draft.payload)
            .cursor;
        if let Some(numbered) = draft.numbered {
            let _ = numbered.send(cursor);
        }
        cursor
    }

    /// Publishes and waits until the event is numbered (immediately when local).
    ///
    /// # Errors
    /// [`EventError`] as [`EventBus::publish_raw`]; [`EventError::NotNumbered`] if the
    /// cluster link dropped the event before numbering it.
    pub async fn publish_confirmed(
        &self,
        topic: &str,
        kind: &str,
        data: Box<RawValue>,
    ) -> Result<Cursor, EventError> {
        let (tx, rx) = oneshot::channel();
        if let Some(cursor) = self.publish_raw(topic, kind, data, Some(tx))? {
            return Ok(cursor);
        }
        rx.await.map_err(|_| EventError::NotNumbered)
    }

    /// Routes publications to a cluster link's outbox from now on.
    pub fn attach(&self, outbox: mpsc::Sender<Draft>) {
        *self
            .inner
            .outbox
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(outbox);
    }

    /// Stops routing to the cluster; publications are numbered here again.
    pub fn detach(&self) {
        *self
            .inner
            .outbox
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Takes an event numbered by the cluster.
    pub fn ingest(
        &self,
        cursor: Cursor,
        topic: &str,
        kind: &str,
        ts: SystemTime,
        data: Box<RawValue>,
    ) -> Ingested {
        self.hub()
            .ingest(cursor, Arc::from(topic), Arc::from(kind), ts, data)
    }

    /// Switches to the cluster's `epoch`, with `history` (oldest first) as the replayable past.
    /// The current subscribers are closed and resync.
    pub fn adopt(
        &self,
        epoch: u64,
        history: Vec<(Cursor, String, String, SystemTime, Box<RawValue>)>,
    ) {
        let base = history
            .first()
            .map_or(0, |(c, ..)| c.offset.saturating_sub(1));
        let hub = Hub::new(epoch, self.inner.config, base);
        for (cursor, topic, kind, ts, data) in history {
            let _ = hub.ingest(cursor, Arc::from(topic), Arc::from(kind), ts, data);
        }
        let old = {
            let mut current = self
                .inner
                .hub
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            std::mem::replace(&mut *current, hub)
        };
        old.close();
    }

    /// Waits, up to `within`, for the event at `cursor` when it is of this epoch but has not
    /// reached this node yet — in a cluster, a cursor another node issued, or one this node
    /// issued for an event still on its way back from Redis — so that resuming from it replays
    /// instead of answering `resync`. Returns at once otherwise; alone, a cursor ahead of the
    /// history can never become valid.
    pub async fn catch_up(&self, cursor: Option<Cursor>, within: std::time::Duration) {
        let Some(cursor) = cursor else { return };
        let clustered = self.outbox().is_some();
        let hub = self.hub();
        if clustered && cursor.epoch == hub.epoch() && cursor.offset > hub.position().offset {
            hub.reached(cursor.offset, within).await;
        }
    }

    /// Subscribes to `filter`, resuming after `since` if given.
    pub fn subscribe(&self, filter: TopicFilter, since: Option<Cursor>) -> Subscription {
        self.hub().subscribe(filter, since)
    }

    /// The cursor of the latest event.
    pub fn position(&self) -> Cursor {
        self.hub().position()
    }

    /// Starts a new epoch (history lost): a fresh hub replaces the current one, whose
    /// subscribers are closed and will resync when they resubscribe.
    pub fn new_epoch(&self) -> u64 {
        let epoch = new_epoch();
        let old = {
            let mut hub = self
                .inner
                .hub
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            std::mem::replace(&mut *hub, Hub::new(epoch, self.inner.config, 0))
        };
        old.close();
        epoch
    }
}
