//! The table of open client connections: the cap, what phase each connection is in, and which
//! one gives way when the cap is reached.
//!
//! Every accepted socket takes a [`Slot`] here before anything is read from it, whichever path
//! serves it (hyper, the event-stream writer, an upgraded WebSocket), and gives it back when it
//! closes: the slot is owned by the socket's wrapper, so an upgraded WebSocket, which keeps the
//! socket in its own task after hyper is done with the connection, keeps its slot too. A
//! connection is in one [`Phase`]: waiting for bytes (its first request, or the next one on a
//! kept-alive connection), reading a request head, receiving a request body, or busy. Each
//! phase but busy has a deadline, which [`Slot::expired`] turns into the reason to close.
//!
//! At the cap, a new connection does not simply bounce: idle sockets cost an attacker nothing,
//! so a cap that only refused would let a few hundred silent sockets lock every real client out.
//! Instead the connection waiting the longest is closed to make room (else the one that has
//! spent the longest on its head, else on its body — a body trickled a byte a minute is as
//! cheap to hold as silence); only when every connection is busy is the new one refused. A real
//! client loses at most a kept-alive socket it was not using, and reconnects. The evictable
//! connections are kept ordered by when their phase began, so choosing one is a lookup, not a
//! scan of the table under the lock every connection's close takes.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::config::ConnectionSettings;
use crate::internal_events::{ConnectionClosed, ConnectionsOpen};

/// What a connection is doing, as far as the cap and the timeouts care. The order of the
/// evictable phases is the order in which they give way at the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// No byte of a request yet: a new connection, or a kept-alive one between requests.
    Waiting = 0,
    /// A request head has begun and not ended.
    Head = 1,
    /// The head has ended and its body is still arriving.
    Body = 2,
    /// A request is being handled, a response written, or the connection carries a stream or
    /// a WebSocket: no deadline of ours applies.
    Busy = 3,
}

impl Phase {
    fn from_u8(value: u8) -> Self {
        match value {
            0 => Phase::Waiting,
            1 => Phase::Head,
            2 => Phase::Body,
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
    /// The request body did not end in time (and the 408 could not be sent first).
    BodyTimeout,
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
            CloseReason::BodyTimeout => "body_timeout",
            CloseReason::IdleTimeout => "idle_timeout",
        }
    }
}

/// How long past `BETTAFISH_BODY_TIMEOUT_MS` the watchdog waits before closing a connection
/// whose body has not ended: the dispatcher answers 408 at the limit itself, and this is the
/// time that answer has to go out.
const BODY_ANSWER_GRACE: Duration = Duration::from_secs(1);

/// One connection's state, shared by its task, its I/O wrapper and the table. The phase and
/// its start change only under the table's lock (so the table's order stays true); they are
/// atomics so that the watchdog and the I/O's fast paths read them without it.
#[derive(Debug)]
pub struct Shared {
    /// The connection's key in the table; ids grow with age.
    id: u64,
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
    /// A response has been handed over whole and is still being written out: the connection
    /// starts waiting once the socket has taken it (the I/O's flush), not before.
    flushing: AtomicBool,
    /// Wakes the connection's watchdog when its phase changes or it is evicted. A `Notify`
    /// stores one permit, so a change between two checks is never missed.
    wake: Notify,
}

/// The table. A std `Mutex`: held for a few map operations, never across an `.await`.
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
    /// The evictable connections of each phase (waiting, head, body), oldest first:
    /// `(since_ms, id)` — among equal times (a millisecond's resolution) the older connection.
    order: [BTreeSet<(u64, u64)>; 3],
}

/// A connection's place in the table; dropping it frees the place.
#[derive(Debug)]
pub struct Slot {
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

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for a new connection, waiting for its first byte; at the cap, the connection
    /// that waited the longest is evicted for it. None when every open connection is busy.
    pub fn admit(self: &Arc<Self>) -> Option<Slot> {
        let now = self.now_ms();
        let mut table = self.lock();
        if table.slots.len() >= self.cap {
            let evicted = table.evict_oldest()?;
            evicted.evicted.store(true, Ordering::Release);
            evicted.wake.notify_one();
        }
        table.next_id += 1;
        let id = table.next_id;
        let shared = Arc::new(Shared {
            id,
            phase: AtomicU8::new(Phase::Waiting as u8),
            since_ms: AtomicU64::new(now),
            served: AtomicBool::new(false),
            evicted: AtomicBool::new(false),
            held: AtomicBool::new(false),
            flushing: AtomicBool::new(false),
            wake: Notify::new(),
        });
        table.slots.insert(id, Arc::clone(&shared));
        table.order[Phase::Waiting as usize].insert((now, id));
        // Under the lock: two connections changing the count cannot set the gauge out of
        // order.
        ConnectionsOpen {
            open: table.slots.len(),
        }
        .emit();
        drop(table);
        Some(Slot {
            shared,
            table: Arc::clone(self),
        })
    }
}

impl Table {
    /// Takes out the connection that has waited the longest for bytes; else the one that has
    /// spent the longest on its head, else on its body. Busy connections are never chosen.
    fn evict_oldest(&mut self) -> Option<Arc<Shared>> {
        let (_, id) = self.order.iter_mut().find_map(BTreeSet::pop_first)?;
        self.slots.remove(&id)
    }

    /// Takes `shared` out of its phase's order (if that phase is evictable).
    fn unorder(&mut self, shared: &Shared) {
        let phase = Phase::from_u8(shared.phase.load(Ordering::Acquire));
        if let Some(order) = self.order.get_mut(phase as usize) {
            order.remove(&(shared.since_ms.load(Ordering::Acquire), shared.id));
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut table = self.table.lock();
        // An evicted slot is already gone: the table made room the moment it chose it.
        if table.slots.remove(&self.shared.id).is_some() {
            table.unorder(&self.shared);
        }
        ConnectionsOpen {
            open: table.slots.len(),
        }
        .emit();
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
            Phase::Body => Some((
                since + settings.body_timeout + BODY_ANSWER_GRACE,
                CloseReason::BodyTimeout,
            )),
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

    /// Enters `phase` (a no-op if already in it, or if the connection was evicted).
    pub fn set(&self, phase: Phase) {
        let shared = &self.shared;
        let mut table = self.table.lock();
        if self.phase() == phase || !table.slots.contains_key(&shared.id) {
            return;
        }
        table.unorder(shared);
        let now = self.table.now_ms();
        if let Some(order) = table.order.get_mut(phase as usize) {
            order.insert((now, shared.id));
        }
        shared.since_ms.store(now, Ordering::Release);
        shared.phase.store(phase as u8, Ordering::Release);
        drop(table);
        shared.wake.notify_one();
    }

    /// Bytes arrived: a waiting connection's head has begun.
    pub fn bytes_arrived(&self) {
        // Read without the lock first: this runs on every read.
        if self.phase() == Phase::Waiting {
            self.set(Phase::Head);
        }
    }

    /// A request's head has been read: busy, or receiving its body if it has one.
    pub fn request_began(&self, has_body: bool) {
        // A pipelined request may begin while the previous response is still being written;
        // the connection is busy with this one now.
        self.shared.flushing.store(false, Ordering::Release);
        self.set(if has_body { Phase::Body } else { Phase::Busy });
    }

    /// The request's body has been read (or given up on): busy with the request.
    pub fn body_done(&self) {
        if self.phase() == Phase::Body {
            self.set(Phase::Busy);
        }
    }

    /// A response has been handed over whole; the connection waits for its next request once
    /// the socket has taken it ([`Tracker::flushed`]).
    pub fn response_queued(&self) {
        if !self.shared.held.load(Ordering::Acquire) {
            self.shared.flushing.store(true, Ordering::Release);
        }
    }

    /// The socket has taken everything written to it: if a response was waiting for that, the
    /// connection now waits for its next request, kept alive.
    pub fn flushed(&self) {
        if self.shared.flushing.swap(false, Ordering::AcqRel) {
            self.response_done();
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
        self.shared.flushing.store(false, Ordering::Release);
        self.set(Phase::Busy);
    }
}

#[cfg(test)]
mod tests;
