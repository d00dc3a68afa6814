//! The table of open client connections: the cap, what phase each connection is in, and which
//! one gives way when the cap is reached.
//!
//! Every accepted socket takes a [`Slot`] here before anything is read from it, whichever path
//! serves it (hyper, the event-stream writer, an upgraded WebSocket), and gives it back when it
//! closes. A connection is in one [`Phase`]: waiting for bytes (its first request, or the next
//! one on a kept-alive connection), reading a request head, or busy. Each phase but busy has a
//! deadline, which [`Slot::expired`] turns into the reason to close.
//!
//! At the cap, a new connection does not simply bounce: idle sockets cost an attacker nothing,
//! so a cap that only refused would let a few hundred silent sockets lock every real client out.
//! Instead the connection waiting the longest is closed to make room (one still sending its
//! head the longest, if none is waiting); only when every connection is busy is the new one
//! refused. A real client loses at most a kept-alive socket it was not using, and reconnects.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::config::ConnectionSettings;
use crate::internal_events::{ConnectionClosed, ConnectionsOpen};

/// What a connection is doing, as far as the cap and the timeouts care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// No byte of a request yet: a new connection, or a kept-alive one between requests.
    Waiting = 0,
    /// A request head has begun and not ended.
    Head = 1,
    /// A request is being handled, a response written, or the connection carries a stream or
    /// a WebSocket: no deadline of ours applies.
    Busy = 2,
}

impl Phase {
    fn from_u8(value: u8) -> Self {
        match value {
            0 => Phase::Waiting,
            1 => Phase::Head,
            _ => Phase::Busy,
        }
    }
}

/// Why the server closed a connection it had accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// Made room for a new connection at the cap.
    Evicted,
    /// No first byte in time.
    FirstByteTimeout,
    /// The request head did not end in time.
    HeadTimeout,
    /// A kept-alive connection waited too long for its next request.
    IdleTimeout,
}

impl CloseReason {
    /// The `reason` label.
    pub fn label(self) -> &'static str {
        match self {
            CloseReason::Evicted => "evicted",
            CloseReason::FirstByteTimeout => "first_byte_timeout",
            CloseReason::HeadTimeout => "head_timeout",
            CloseReason::IdleTimeout => "idle_timeout",
        }
    }
}

/// One connection's state, shared by its task, its I/O wrapper and the table.
#[derive(Debug)]
pub struct Shared {
    /// The [`Phase`], as its `u8`.
    phase: AtomicU8,
    /// When the phase began, in milliseconds since the table's epoch.
    since_ms: AtomicU64,
    /// Whether a request has been served (a waiting connection is then kept alive, not new).
    served: AtomicBool,
    /// Set by the table when it closes this connection to make room.
    evicted: AtomicBool,
    /// Busy for good: the connection was upgraded (a WebSocket) and no longer carries requests.
    held: AtomicBool,
    /// Wakes the connection's watchdog when its phase changes or it is evicted. A `Notify`
    /// stores one permit, so a change between two checks is never missed.
    wake: Notify,
}

/// The table. A std `Mutex`: held for a map insert or remove (or, at the cap, one scan), never
/// across an `.await`.
#[derive(Debug)]
pub struct Connections {
    open: Mutex<Table>,
    /// The effective cap (the configured one, clamped to the file-descriptor limit).
    cap: usize,
    settings: ConnectionSettings,
    /// The zero of every `since_ms`.
    epoch: Instant,
}

#[derive(Debug, Default)]
struct Table {
    next_id: u64,
    slots: HashMap<u64, Arc<Shared>>,
}

/// A connection's place in the table; dropping it frees the place.
#[derive(Debug)]
pub struct Slot {
    id: u64,
    shared: Arc<Shared>,
    table: Arc<Connections>,
}

impl Connections {
    /// A table holding at most `cap` connections, timed by `settings`.
    pub fn new(cap: usize, settings: ConnectionSettings) -> Arc<Self> {
        ConnectionsOpen { open: 0 }.emit();
        Arc::new(Self {
            open: Mutex::new(Table::default()),
            cap: cap.max(1),
            settings,
            epoch: Instant::now(),
        })
    }

    /// The effective cap.
    pub fn cap(&self) -> usize {
        self.cap
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A slot for a new connection, waiting for its first byte; at the cap, the connection
    /// that waited the longest is evicted for it. None when every open connection is busy.
    pub fn admit(self: &Arc<Self>) -> Option<Slot> {
        let shared = Arc::new(Shared {
            phase: AtomicU8::new(Phase::Waiting as u8),
            since_ms: AtomicU64::new(self.now_ms()),
            served: AtomicBool::new(false),
            evicted: AtomicBool::new(false),
            held: AtomicBool::new(false),
            wake: Notify::new(),
        });
        let (id, open) = {
            let mut table = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            if table.slots.len() >= self.cap {
                let victim = table.longest_waiting()?;
                if let Some(evicted) = table.slots.remove(&victim) {
                    evicted.evicted.store(true, Ordering::Release);
                    evicted.wake.notify_one();
                }
            }
            table.next_id += 1;
            let id = table.next_id;
            table.slots.insert(id, Arc::clone(&shared));
            (id, table.slots.len())
        };
        ConnectionsOpen { open }.emit();
        Some(Slot {
            id,
            shared,
            table: Arc::clone(self),
        })
    }
}

impl Table {
    /// The connection that has waited the longest for bytes; else the one that has spent the
    /// longest on its head. Busy connections are never chosen.
    fn longest_waiting(&self) -> Option<u64> {
        let oldest = |wanted: Phase| {
            self.slots
                .iter()
                .filter(|(_, s)| Phase::from_u8(s.phase.load(Ordering::Acquire)) == wanted)
                // Ids grow with age: among equal times (a millisecond's resolution), the
                // older connection goes first.
                .min_by_key(|(id, s)| (s.since_ms.load(Ordering::Acquire), **id))
                .map(|(id, _)| *id)
        };
        oldest(Phase::Waiting).or_else(|| oldest(Phase::Head))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let open = {
            let mut table = self
                .table
                .open
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            // An evicted slot is already gone: the table made room the moment it chose it.
            table.slots.remove(&self.id);
            table.slots.len()
        };
        ConnectionsOpen { open }.emit();
    }
}

impl Slot {
    /// The handle the connection's I/O and service use to report its phase.
    pub fn tracker(&self) -> Tracker {
        Tracker {
            shared: Arc::clone(&self.shared),
            table: Arc::clone(&self.table),
        }
    }

    /// Resolves when the connection must be closed: evicted, or past its phase's deadline.
    /// The caller closes it (drops its socket) and the reason is counted here.
    pub async fn expired(&self) -> CloseReason {
        let reason = loop {
            if self.shared.evicted.load(Ordering::Acquire) {
                break CloseReason::Evicted;
            }
            let notified = self.shared.wake.notified();
            match self.deadline() {
                None => notified.await,
                Some((deadline, reason)) => {
                    if Instant::now() >= deadline {
                        break reason;
                    }
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline.into()) => {}
                        () = notified => {}
                    }
                }
            }
        };
        ConnectionClosed { reason }.emit();
        reason
    }

    /// The current phase's deadline and what passing it means.
    fn deadline(&self) -> Option<(Instant, CloseReason)> {
        let shared = &self.shared;
        let since =
            self.table.epoch + Duration::from_millis(shared.since_ms.load(Ordering::Acquire));
        let settings = &self.table.settings;
        match Phase::from_u8(shared.phase.load(Ordering::Acquire)) {
            Phase::Waiting if shared.served.load(Ordering::Acquire) => {
                Some((since + settings.keepalive_timeout, CloseReason::IdleTimeout))
            }
            Phase::Waiting => Some((
                since + settings.first_byte_timeout,
                CloseReason::FirstByteTimeout,
            )),
            Phase::Head => Some((since + settings.head_timeout, CloseReason::HeadTimeout)),
            Phase::Busy => None,
        }
    }
}

/// Reports a connection's phase changes; cheap to clone, held by its I/O and its service.
#[derive(Debug, Clone)]
pub struct Tracker {
    shared: Arc<Shared>,
    table: Arc<Connections>,
}

impl Tracker {
    /// The current phase.
    pub fn phase(&self) -> Phase {
        Phase::from_u8(self.shared.phase.load(Ordering::Acquire))
    }

    /// Enters `phase` (a no-op if already in it).
    pub fn set(&self, phase: Phase) {
        if self.phase() == phase {
            return;
        }
        self.shared
            .since_ms
            .store(self.table.now_ms(), Ordering::Release);
        self.shared.phase.store(phase as u8, Ordering::Release);
        self.shared.wake.notify_one();
    }

    /// Bytes arrived: a waiting connection's head has begun.
    pub fn bytes_arrived(&self) {
        if self.phase() == Phase::Waiting {
            self.set(Phase::Head);
        }
    }

    /// A response is done: the connection waits for its next request, kept alive (unless it
    /// was upgraded).
    pub fn response_done(&self) {
        if self.shared.held.load(Ordering::Acquire) {
            return;
        }
        self.shared.served.store(true, Ordering::Release);
        self.set(Phase::Waiting);
    }

    /// The connection carries something else than requests now (a WebSocket): busy until it
    /// closes, out of reach of the timeouts and of eviction.
    pub fn hold(&self) {
        self.shared.held.store(true, Ordering::Release);
        self.set(Phase::Busy);
    }
}

#[cfg(test)]
mod tests;
