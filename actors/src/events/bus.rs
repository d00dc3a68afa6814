//! [`EventBus`]: the handle every publisher and every connection holds. It points at the
//! current [`Hub`]; when history is lost (a new epoch) it swaps in a fresh hub and closes the
//! old one's subscribers, which resubscribe and are told to resync.

use std::sync::{Arc, PoisonError, RwLock};

use serde::Serialize;
use serde_json::value::RawValue;

use super::event::{payload, validate_topic, validate_type, Cursor, EventError};
use super::hub::{Hub, HubConfig, Subscription};
use super::topic::TopicFilter;

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

    /// The limits in force.
    pub fn config(&self) -> HubConfig {
        self.inner.config
    }

    /// Publishes a payload that serialises to JSON. Never blocks, never waits on a subscriber.
    ///
    /// # Errors
    /// [`EventError`] for an invalid topic, type or payload.
    pub fn publish<T: Serialize + ?Sized>(
        &self,
        topic: &str,
        kind: &str,
        data: &T,
    ) -> Result<Cursor, EventError> {
        self.publish_raw(topic, kind, payload(data)?)
    }

    /// Publishes an already-rendered JSON payload.
    ///
    /// # Errors
    /// [`EventError`] for an invalid topic or type.
    pub fn publish_raw(
        &self,
        topic: &str,
        kind: &str,
        data: Box<RawValue>,
    ) -> Result<Cursor, EventError> {
        validate_topic(topic)?;
        validate_type(kind)?;
        Ok(self
            .hub()
            .publish(Arc::from(topic), Arc::from(kind), data)
            .cursor)
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
