//! This instance's places for running report tasks (`REPORT_MAX_RUNNING`), and the link to
//! the tree's root through which the report engine starts them. A place is reserved before a
//! claim and held by the task's spec after it; given back by a task, it wakes the engine so the
//! next queued task starts at once.

use std::sync::{Arc, OnceLock};

use supervision::SupervisorRef;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The tree's root, once it has started: the report engine starts tasks through it, and is
/// itself started by the tree, so the link is filled after the start.
#[derive(Clone, Default)]
pub struct RootLink(Arc<OnceLock<SupervisorRef>>);

impl RootLink {
    /// Fills the link (once; later calls are ignored).
    pub fn set(&self, root: SupervisorRef) {
        let _ = self.0.set(root);
    }

    pub fn get(&self) -> Option<&SupervisorRef> {
        self.0.get()
    }
}

/// This instance's places for running tasks (`REPORT_MAX_RUNNING`), shared by every
/// incarnation of the report engine. A place given back wakes the engine, so the next queued
/// task starts at once rather than at the next look at the queue.
#[derive(Clone)]
pub struct Slots {
    places: Arc<Semaphore>,
    freed: Arc<Notify>,
}

impl Slots {
    pub fn new(max: usize) -> Self {
        Self {
            places: Arc::new(Semaphore::new(max.clamp(1, Semaphore::MAX_PERMITS))),
            freed: Arc::new(Notify::new()),
        }
    }

    /// A free place, reserved; it wakes no one if given back unused.
    pub fn take(&self) -> Option<Reserved> {
        let permit = Arc::clone(&self.places).try_acquire_owned().ok()?;
        Some(Reserved {
            permit,
            freed: Arc::clone(&self.freed),
        })
    }

    /// Places free now.
    pub fn free(&self) -> usize {
        self.places.available_permits()
    }

    /// Waits until a place a task held is given back.
    pub async fn freed(&self) {
        self.freed.notified().await;
    }
}

/// A place taken before a claim: dropped unused (nothing to claim), it goes back quietly, so
/// an idle queue is not looked at again and again.
pub struct Reserved {
    permit: OwnedSemaphorePermit,
    freed: Arc<Notify>,
}

impl Reserved {
    /// The place, held by a task from now on.
    pub fn hold(self) -> RunningSlot {
        RunningSlot(Arc::new(Place {
            permit: Some(self.permit),
            freed: self.freed,
        }))
    }
}

struct Place {
    permit: Option<OwnedSemaphorePermit>,
    freed: Arc<Notify>,
}

impl Drop for Place {
    fn drop(&mut self) {
        // The permit first, so the engine, woken, finds the place free.
        drop(self.permit.take());
        self.freed.notify_one();
    }
}

impl std::fmt::Debug for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Place")
    }
}

/// One of the places, held by a task's spec until the tree forgets it.
#[derive(Debug, Clone)]
pub struct RunningSlot(#[allow(dead_code)] Arc<Place>);
