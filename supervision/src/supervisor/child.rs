//! One child as its supervisor keeps it: spec, state, counters, and the handle that reaches its
//! current incarnation.
//!
//! A child's state is one enum, [`Slot`], changed only through [`Child::set_slot`], which also
//! cancels a pending backoff timer and bumps the generation so a stale timer is ignored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak};

use ractor::{ActorCell, Message, MessagingErr};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::backoff::Backoff;
use crate::spec::ChildSpec;
use crate::tree::{FailureRecord, NodeState};

/// Where a child is in its life.
#[derive(Debug)]
pub(crate) enum Slot {
    /// The current incarnation and when it started.
    Running { cell: ActorCell, since: Instant },
    /// Waiting for a backoff timer; started when it fires.
    BackingOff { until: Instant },
    /// Waiting for an earlier sibling in a group restart.
    Pending,
    /// Stopped until an operator starts it.
    Stopped,
    /// An operator's start failed; stopped until started.
    Failed,
}

impl Slot {
    pub(crate) fn node_state(&self) -> NodeState {
        match self {
            Slot::Running { .. } => NodeState::Running,
            Slot::BackingOff { .. } => NodeState::BackingOff,
            Slot::Pending => NodeState::Restarting,
            Slot::Stopped => NodeState::Stopped,
            Slot::Failed => NodeState::Failed,
        }
    }
}

pub(crate) struct Child {
    pub(crate) spec: ChildSpec,
    pub(crate) path: Arc<str>,
    slot: Slot,
    /// Starts after the first, for any reason.
    pub(crate) restarts: u64,
    pub(crate) started_once: bool,
    pub(crate) last_failure: Option<FailureRecord>,
    pub(crate) backoff: Backoff,
    /// When the previous incarnation ended (or a start failed), to time restarts.
    pub(crate) ended_at: Option<Instant>,
    generation: u64,
    timer: Option<JoinHandle<()>>,
    pub(crate) handle: ChildHandle,
}

impl Child {
    pub(crate) fn new(spec: ChildSpec, path: Arc<str>, handles: &TreeHandles) -> Self {
        Self {
            handle: handles.handle_at(&path),
            spec,
            path,
            slot: Slot::Pending,
            restarts: 0,
            started_once: false,
            last_failure: None,
            backoff: Backoff::default(),
            ended_at: None,
            generation: 0,
            timer: None,
        }
    }

    pub(crate) fn slot(&self) -> &Slot {
        &self.slot
    }

    /// The only way a child's state changes. Returns the new generation.
    pub(crate) fn set_slot(&mut self, slot: Slot) -> u64 {
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
        match &slot {
            Slot::Running { cell, .. } => self.handle.set(Some(cell.clone())),
            _ => self.handle.set(None),
        }
        self.slot = slot;
        self.generation = self.generation.wrapping_add(1);
        self.generation
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Keeps the timer so that leaving the backoff state cancels it.
    pub(crate) fn set_timer(&mut self, timer: JoinHandle<()>) {
        self.timer = Some(timer);
    }

    pub(crate) fn running_cell(&self) -> Option<&ActorCell> {
        match &self.slot {
            Slot::Running { cell, .. } => Some(cell),
            _ => None,
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
        // A supervisor's state may be dropped after its replacement already started this
        // path's next incarnation: clear the shared handle only if it still points to ours.
        if let Slot::Running { cell, .. } = &self.slot {
            self.handle.clear_if(cell.get_id());
        }
    }
}

/// Where a handle's current incarnation lives, shared by every clone of the handle.
type CurrentCell = RwLock<Option<ActorCell>>;

/// The stable handles of one tree, by path: the directory a [`ChildHandle`] comes from.
///
/// A handle outlives the incarnations it reaches and the supervisors that keep them: when a
/// supervisor restarts (a parent's restart, a meltdown), its new children reuse the handles the
/// old ones had. The embedding application may create the directory before the tree starts
/// and give it to the root ([`crate::SupervisorRef::start_root_with`]): a handle taken from it
/// then for a path (`root/engines/forum`) is the one the child at that path is given when it
/// starts, so child specs can be built holding the handles of their siblings, and no part of
/// the application has to wait for the tree before it can name an actor. Until a child runs
/// at the path, sends through the handle are refused (see [`ChildHandle::send`]).
///
/// Entries are weak: a path nobody holds a handle to costs nothing, and a handle taken for a
/// path where nothing ever starts simply never reaches anything. Cheap to clone; clones share
/// the directory.
#[derive(Clone, Default)]
pub struct TreeHandles {
    // std Mutex: taken only when a child record or a handle is created, never across an await.
    inner: Arc<Mutex<HashMap<Arc<str>, Weak<CurrentCell>>>>,
}

impl std::fmt::Debug for TreeHandles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TreeHandles").finish_non_exhaustive()
    }
}

impl TreeHandles {
    /// An empty directory, for a tree not started yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The handle for the child at `path` (a full path, starting with the root's name): the
    /// one its supervisor gives the child when it starts there, whether that happened already,
    /// happens later, or happens again after a restart.
    pub fn handle(&self, path: &str) -> ChildHandle {
        self.handle_at(&Arc::from(path))
    }

    /// [`TreeHandles::handle`] for a path already shared.
    pub(crate) fn handle_at(&self, path: &Arc<str>) -> ChildHandle {
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(current) = map.get(path).and_then(Weak::upgrade) {
            return ChildHandle {
                path: Arc::clone(path),
                current,
            };
        }
        // Forget dead entries now and then; amortised O(1) per insert.
        if map.len() >= 64 && map.len().is_power_of_two() {
            map.retain(|_, weak| weak.strong_count() > 0);
        }
        let current = Arc::new(RwLock::new(None));
        map.insert(Arc::clone(path), Arc::downgrade(&current));
        ChildHandle {
            path: Arc::clone(path),
            current,
        }
    }
}

/// A stable way to reach a child's current incarnation, across restarts — its own and its
/// supervisors'.
///
/// The supervisor updates it whenever the child starts or ends. While no incarnation runs
/// (restarting, backing off, stopped), sends are **refused** with [`SendError::Unavailable`],
/// which gives the message back: nothing is queued for a future incarnation and nothing is
/// dropped silently. A message already accepted by an incarnation that then crashes is lost with
/// it, as in Erlang: use a reply port to know a request was handled.
#[derive(Debug, Clone)]
pub struct ChildHandle {
    path: Arc<str>,
    // std RwLock: held only to clone or replace an ActorCell, never across an await. Readers
    // (senders) vastly outnumber the writer (the supervisor).
    current: Arc<RwLock<Option<ActorCell>>>,
}

/// Why [`ChildHandle::send`] refused a message; the message comes back in it.
#[derive(Debug, thiserror::Error)]
pub enum SendError<M> {
    /// No incarnation is running, or the one found was stopping.
    #[error("`{path}` has no running incarnation")]
    Unavailable {
        /// The child.
        path: String,
        /// The message, not delivered.
        message: Option<M>,
    },
    /// The child's actor does not take this message type.
    #[error("`{path}` does not accept this message type")]
    WrongType {
        /// The child.
        path: String,
    },
}

impl ChildHandle {
    fn set(&self, cell: Option<ActorCell>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = cell;
    }

    fn clear_if(&self, id: ractor::ActorId) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|c| c.get_id() == id) {
            *current = None;
        }
    }

    /// The child's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The current incarnation, if one is running.
    pub fn current(&self) -> Option<ActorCell> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sends `message` to the current incarnation.
    ///
    /// # Errors
    /// [`SendError::Unavailable`] with the message when no incarnation is running or it is
    /// stopping; [`SendError::WrongType`] when the actor takes another message type.
    pub fn send<M: Message>(&self, message: M) -> Result<(), SendError<M>> {
        let Some(cell) = self.current() else {
            return Err(SendError::Unavailable {
                path: self.path.to_string(),
                message: Some(message),
            });
        };
        cell.send_message(message).map_err(|err| match err {
            MessagingErr::SendErr(message) => SendError::Unavailable {
                path: self.path.to_string(),
                message: Some(message),
            },
            MessagingErr::ChannelClosed => SendError::Unavailable {
                path: self.path.to_string(),
                message: None,
            },
            MessagingErr::InvalidActorType => SendError::WrongType {
                path: self.path.to_string(),
            },
        })
    }
}
