//! [`EventBus`]: the handle every publisher and every connection holds. It points at the
//! current [`Hub`]; when history is lost (a new epoch) it swaps in a fresh hub and closes the
//! old one's subscribers, which resubscribe and are told to resync.
//!
//! Alone, the bus numbers events itself. Attached to a cluster link ([`EventBus::adopt`]),
//! publications go to the link's outbox instead (bounded; never waited on), the cluster numbers
//! them, and they come back to every node — this one included — through [`EventBus::ingest`].
//!
//! An id is never issued for two events. A cluster's epoch is numbered by the cluster alone:
//! its hub refuses to number ([`Numbering::Cluster`]), and the current hub and the outbox are
//! swapped together, under one lock, so a publication never finds the cluster's hub without
//! the cluster's outbox. When the link is lost ([`EventBus::detach`], or a publication finding
//! the outbox closed) or cannot keep up (a publication finding the outbox full) the bus starts
//! a local epoch — one per outage: a bus already local stays in its epoch through every failed
//! reconnection — and local delivery goes on while clients are told to resync; no event is
//! refused for the link's sake. A new epoch is never one this bus has used or adopted before,
//! and offsets within an epoch are only handed out by its one numbering hub, so they never
//! repeat. Events beyond [`HubConfig::max_event_bytes`] are refused (and counted) before either
//! path.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot};

use super::event::{payload, validate_topic, validate_type, Cursor, EventError};
use super::hub::{Hub, HubConfig, Ingested, Numbering, Since, Subscription, Unpublished};
use super::topic::TopicFilter;
use crate::internal_events::EventRefused;

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

/// An event the cluster numbered, as [`EventBus::adopt`] takes it into the history.
#[derive(Debug)]
pub struct Numbered {
    /// The cursor the cluster gave it.
    pub cursor: Cursor,
    /// Its topic.
    pub topic: String,
    /// Its type.
    pub kind: String,
    /// When it was published.
    pub ts: SystemTime,
    /// Its payload.
    pub payload: Box<RawValue>,
}

/// The hub in force and, while a cluster numbers its events, the cluster link's outbox.
struct Current {
    hub: Arc<Hub>,
    /// Some exactly while `hub` is a cluster's ([`Numbering::Cluster`]). The sender is
    /// bounded and never waited on: a full outbox is an outage (the bus leaves the cluster).
    outbox: Option<mpsc::Sender<Draft>>,
}

struct Inner {
    config: HubConfig,
    // std RwLock: read for every publish and subscribe (two clones), written only when the
    // epoch changes or a cluster link attaches or goes; never held across an await or while
    // publishing (a publication may log, and logging may publish).
    current: RwLock<Current>,
    // std Mutex: the epochs this bus has started or adopted, so that a new one is none of them.
    // Taken only when an epoch is started or adopted (a start, an outage, an adoption): a few
    // per hour, so the set stays small; an epoch merely proposed to the cluster
    // ([`EventBus::proposed_epoch`]) is not recorded unless the cluster adopts it.
    used_epochs: Mutex<HashSet<u64>>,
}

impl EventBus {
    /// A bus with an empty history in a new epoch.
    pub fn new(config: HubConfig) -> Self {
        let mut used = HashSet::new();
        let epoch = draw_epoch(&mut used);
        Self {
            inner: Arc::new(Inner {
                config,
                current: RwLock::new(Current {
                    hub: Hub::new(epoch, Numbering::Here, config, 0),
                    outbox: None,
                }),
                used_epochs: Mutex::new(used),
            }),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Current> {
        self.inner
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Current> {
        self.inner
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The current hub.
    pub fn hub(&self) -> Arc<Hub> {
        Arc::clone(&self.read().hub)
    }

    /// The current hub and, when a cluster numbers it, the cluster link's outbox: one read, so
    /// the two always belong together.
    fn current(&self) -> (Arc<Hub>, Option<mpsc::Sender<Draft>>) {
        let current = self.read();
        (Arc::clone(&current.hub), current.outbox.clone())
    }

    /// The limits in force.
    pub fn config(&self) -> HubConfig {
        self.inner.config
    }

    /// A random epoch this bus has never used or adopted (never 0, so a zero epoch can mean
    /// "none"); random so that cursors from an earlier process or another node never resume by
    /// accident.
    pub fn fresh_epoch(&self) -> u64 {
        draw_epoch(
            &mut self
                .inner
                .used_epochs
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// An epoch to propose to the cluster when it has none: one this bus has never used or
    /// adopted, not recorded (the link proposes one per session, with every publication; the
    /// cluster's epoch is recorded when the bus adopts it).
    pub fn proposed_epoch(&self) -> u64 {
        let used = self
            .inner
            .used_epochs
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            let epoch = fastrand::u64(1..);
            if !used.contains(&epoch) {
                return epoch;
            }
        }
    }

    /// How many epochs this bus has started or adopted (what it must never start again).
    #[cfg(test)]
    pub(crate) fn used_epochs(&self) -> usize {
        self.inner
            .used_epochs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether publications go to `outbox` (the bus serves the cluster through it); false once
    /// the bus has left the cluster, for whatever reason.
    pub fn routes_to(&self, outbox: &mpsc::Sender<Draft>) -> bool {
        self.read()
            .outbox
            .as_ref()
            .is_some_and(|current| current.same_channel(outbox))
    }

    /// Publishes a payload that serialises to JSON. Never blocks, never waits on a subscriber.
    /// Returns the event's cursor, or `None` when it went to the cluster, which numbers it.
    ///
    /// # Errors
    /// [`EventError`] for an invalid topic, type or payload, or a payload over the size limit.
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
    /// A payload over [`HubConfig::max_event_bytes`] is refused, logged and counted here, so
    /// that a publisher ignoring the error (most internal ones) loses the event visibly.
    ///
    /// A full cluster outbox (Redis slower than the publishers) is an outage: the bus leaves
    /// the cluster for a local epoch and numbers the event there, as when the link is lost —
    /// never refused (internal publishers ignore errors: a session's last event must not be
    /// lost) and never numbered in the cluster's epoch. The link sees that the bus left it
    /// ([`EventBus::routes_to`]), ends its session and reconnects.
    ///
    /// # Errors
    /// [`EventError`] for an invalid topic or type, or a payload over the size limit.
    pub fn publish_raw(
        &self,
        topic: &str,
        kind: &str,
        data: Box<RawValue>,
        numbered: Option<oneshot::Sender<Cursor>>,
    ) -> Result<Option<Cursor>, EventError> {
        validate_topic(topic)?;
        validate_type(kind)?;
        let max = self.inner.config.max_event_bytes;
        let bytes = data.get().len();
        if bytes > max {
            EventRefused {
                reason: "too_large",
                topic,
                bytes,
            }
            .emit();
            return Err(EventError::TooLarge { bytes, max });
        }
        let mut draft = Draft {
            topic: Arc::from(topic),
            kind: Arc::from(kind),
            ts: SystemTime::now(),
            payload: data,
            numbered,
        };
        // Each turn means the epoch changed between reading the current hub and using it.
        loop {
            let (hub, outbox) = self.current();
            if let Some(outbox) = outbox {
                match outbox.try_send(draft) {
                    Ok(()) => return Ok(None),
                    // The link is gone without detaching (its task ended), or cannot keep up:
                    // an outage either way.
                    Err(
                        mpsc::error::TrySendError::Closed(returned)
                        | mpsc::error::TrySendError::Full(returned),
                    ) => {
                        self.leave_cluster(&hub);
                        draft = returned;
                        continue;
                    }
                }
            }
            match Self::number_on(&hub, draft) {
                Ok(cursor) => return Ok(Some(cursor)),
                Err(returned) => draft = returned,
            }
        }
    }

    /// Publishes a draft the cluster could not number on this node's own history, in a local
    /// epoch: if the current hub is still the cluster's, the outage begins here.
    pub fn publish_local(&self, mut draft: Draft) -> Cursor {
        loop {
            let hub = self.hub();
            if hub.numbering() == Numbering::Cluster {
                self.leave_cluster(&hub);
                continue;
            }
            match Self::number_on(&hub, draft) {
                Ok(cursor) => return cursor,
                // Its epoch ended meanwhile: on the hub that replaced it.
                Err(returned) => draft = returned,
            }
        }
    }

    /// Numbers `draft` on `hub` and tells its sender; the draft back if `hub` may not number.
    fn number_on(hub: &Hub, draft: Draft) -> Result<Cursor, Draft> {
        let Draft {
            topic,
            kind,
            ts,
            payload,
            numbered,
        } = draft;
        match hub.publish(topic, kind, payload) {
            Ok(event) => {
                if let Some(numbered) = numbered {
                    let _ = numbered.send(event.cursor);
                }
                Ok(event.cursor)
            }
            Err(Unpublished {
                topic,
                kind,
                payload,
            }) => Err(Draft {
                topic,
                kind,
                ts,
                payload,
                numbered,
            }),
        }
    }

    /// Leaves the cluster's epoch for a new local one, if `hub` is still the current hub and a
    /// cluster's (whoever noticed the outage first starts the local epoch; the others find it
    /// started). Its subscribers are closed and resync.
    fn leave_cluster(&self, hub: &Arc<Hub>) {
        let old = {
            let mut current = self.write();
            if !Arc::ptr_eq(&current.hub, hub) || hub.numbering() != Numbering::Cluster {
                return;
            }
            current.outbox = None;
            let local = Hub::new(self.fresh_epoch(), Numbering::Here, self.inner.config, 0);
            std::mem::replace(&mut current.hub, local)
        };
        old.close();
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

    /// The cluster is gone: publications are numbered here again, in a local epoch of their
    /// own — started now if the bus was in the cluster's epoch, kept if it already left it (an
    /// outage is one local epoch, however many reconnections fail).
    pub fn detach(&self) {
        let hub = self.hub();
        self.leave_cluster(&hub);
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

    /// Switches to the cluster's `epoch`, with `history` (oldest first) as the replayable past,
    /// and routes publications to the cluster link's `outbox` from now on: both at once, so no
    /// publication finds the cluster's hub without its outbox. The current subscribers are
    /// closed and resync.
    pub fn adopt(&self, epoch: u64, history: Vec<Numbered>, outbox: mpsc::Sender<Draft>) {
        self.inner
            .used_epochs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(epoch);
        let base = history
            .first()
            .map_or(0, |e| e.cursor.offset.saturating_sub(1));
        let hub = Hub::new(epoch, Numbering::Cluster, self.inner.config, base);
        for e in history {
            let _ = hub.ingest(
                e.cursor,
                Arc::from(e.topic),
                Arc::from(e.kind),
                e.ts,
                e.payload,
            );
        }
        let old = {
            let mut current = self.write();
            current.outbox = Some(outbox);
            std::mem::replace(&mut current.hub, hub)
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
        let (hub, outbox) = self.current();
        if outbox.is_some() && cursor.epoch == hub.epoch() && cursor.offset > hub.position().offset
        {
            hub.reached(cursor.offset, within).await;
        }
    }

    /// Subscribes to `filter`, beginning as `since` asks (an `Option<Cursor>` will do).
    pub fn subscribe(&self, filter: TopicFilter, since: impl Into<Since>) -> Subscription {
        self.hub().subscribe(filter, since.into())
    }

    /// The cursor of the latest event.
    pub fn position(&self) -> Cursor {
        self.hub().position()
    }

    /// Starts a new local epoch (history lost), leaving any cluster: a fresh hub replaces the
    /// current one, whose subscribers are closed and will resync when they resubscribe.
    pub fn new_epoch(&self) -> u64 {
        let epoch = self.fresh_epoch();
        let old = {
            let mut current = self.write();
            current.outbox = None;
            std::mem::replace(
                &mut current.hub,
                Hub::new(epoch, Numbering::Here, self.inner.config, 0),
            )
        };
        old.close();
        epoch
    }
}

/// Draws an epoch not in `used` and records it.
fn draw_epoch(used: &mut HashSet<u64>) -> u64 {
    loop {
        let epoch = fastrand::u64(1..);
        if used.insert(epoch) {
            return epoch;
        }
    }
}
