//! The hooks through which an embedding application learns of every lifecycle change, so it
//! can publish events and metrics without this crate depending on either.

use std::time::Duration;

/// A lifecycle change somewhere in a tree.
///
/// Borrowed so that reporting costs nothing when nobody listens; clone what you keep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LifecycleEvent<'a> {
    /// The path of the child it concerns, or of the supervisor for [`Happening::Meltdown`].
    pub path: &'a str,
    /// What happened.
    pub happening: Happening<'a>,
}

/// The kinds of [`LifecycleEvent`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Happening<'a> {
    /// A new incarnation is running. `restart` is true after the first start; `since_exit` is the
    /// time from the previous incarnation's exit (or failed start) to now, backoff included.
    Started {
        /// Whether this is a restart.
        restart: bool,
        /// Time since the previous incarnation ended, for restarts.
        since_exit: Option<Duration>,
    },
    /// An incarnation ended abnormally, or a start failed.
    Failed {
        /// The reason: a panic message, a handler's error, a stop reason, `killed`.
        reason: &'a str,
    },
    /// An incarnation ended normally (`normal`/`shutdown`, or no reason).
    Exited,
    /// The supervisor will restart the child after `delay` (zero for at once).
    Restarting {
        /// The backoff delay.
        delay: Duration,
        /// Restarts in a row so far, for this child.
        attempt: u32,
    },
    /// The supervisor stopped the child (shutdown, a sibling's restart, or an operator).
    Stopped,
    /// The child's spec was forgotten (temporary child ended, terminated dynamic child).
    Removed,
    /// The supervisor exceeded its restart intensity and is escalating.
    Meltdown {
        /// The failure that tipped it over.
        reason: &'a str,
    },
    /// An operator command is being applied here.
    Command {
        /// `restart`, `stop`, `start`, `start_child` or `terminate_child`.
        command: &'a str,
    },
}

/// Receives lifecycle events. Called on the supervisor's own task, in order, so it must be quick
/// and must not block or call back into the tree (hand work off to a channel instead).
pub trait Observer: Send + Sync + 'static {
    /// Called for every lifecycle change. The default does nothing.
    fn on_event(&self, _event: &LifecycleEvent<'_>) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopObserver;

impl Observer for NoopObserver {}
