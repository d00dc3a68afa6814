//! Erlang/OTP supervisors on [ractor], with Akka-style backoff.
//!
//! ractor gives actors and links (a parent learns when a child started, stopped or failed); it
//! has no restart strategies, no restart intensity, no backoff and no stable names. This crate
//! adds them, and knows nothing of the application that embeds it.
//!
//! # Semantics
//!
//! - **Strategies** ([`Strategy`]): `one_for_one` restarts the child that exited;
//!   `one_for_all` stops the others (reverse start order) and starts all again (start order);
//!   `rest_for_one` does that for the exited child and those started after it. A **dynamic**
//!   supervisor ([`SupervisorSpec::dynamic`]) is one_for_one with children added at run time,
//!   capped by `max_children`.
//! - **Restart types** ([`Restart`]): permanent children are always restarted; transient ones only
//!   after an abnormal exit; temporary ones never, not even by a sibling's group restart, and
//!   their spec is forgotten when they exit. An exit is *normal* when an actor stops with no
//!   reason or with `normal`, `shutdown` or `shutdown:<anything>`; a panic, an `Err` from a
//!   handler or from `post_start`, any other stop reason, and being killed are *abnormal*.
//! - **Intensity** ([`Intensity`], [`RestartWindow`]): more than `max_restarts` restarts in a
//!   sliding `period` and the supervisor stops its children in reverse start order and fails, so
//!   its parent's strategy applies (escalation). At the root this is a meltdown, reported to the
//!   [`Observer`] and by [`SupervisorRef::wait`].
//! - **Backoff** ([`BackoffPolicy`]): per child, jittered exponential, reset after a healthy run.
//!   A child waiting it out shows as `backing_off` with the time to its next attempt.
//! - **Start failures count**: a start function that fails (a `pre_start` error or panic) is a
//!   failure like a crash: counted toward intensity and retried with backoff. The retry always
//!   goes through the supervisor's mailbox, so requests are served between attempts.
//! - **Ordered start and shutdown**: each child is running before the next starts (under
//!   one_for_one a child that fails to start does not hold back the ones after it; under the
//!   other strategies they wait for it); shutdown goes in reverse order, each child by its
//!   [`Shutdown`] policy (kill at once, or graceful with a timeout and then kill, or graceful
//!   without limit for supervisors).
//! - **Stable names**: [`SupervisorRef::lookup`] returns a [`ChildHandle`] that always reaches
//!   the current incarnation, across the child's restarts and its supervisors' restarts. A
//!   message sent while no incarnation runs is **refused** with [`SendError::Unavailable`],
//!   which hands the message back; nothing is dropped silently and nothing is queued for a
//!   later incarnation. The handles live in the tree's [`TreeHandles`], which the application
//!   may create before the tree starts ([`SupervisorRef::start_root_with`]): a handle taken
//!   from it then is the one the child gets, so specs can hold their siblings' handles when they
//!   are built, and no part of the application waits for the tree to name an actor.
//! - **Backoff is kept through group restarts**: a sibling waiting out its backoff when another
//!   child's failure restarts the group keeps waiting, and the group's start waits for it.
//! - **Snapshots** ([`SupervisorRef::snapshot`]): path, state, restart count, last failure,
//!   uptime, time to next attempt, children — for the whole tree.
//! - **Operator commands** by path: restart, stop, start; start_child and terminate_child.
//!
//! # Where this differs from OTP
//!
//! - Backoff between restarts (OTP restarts at once; [`BackoffPolicy::NONE`] does too).
//! - An operator's restart/stop/start is not a failure: it does not count toward intensity (as
//!   OTP's terminate_child + restart_child), and a child an operator stopped stays stopped — also
//!   through a sibling's one_for_all or rest_for_one restart, which in OTP would start it again.
//! - A child that fails to start while its supervisor starts does not fail the supervisor: it
//!   backs off and is retried like any failed start, unless that exceeds the intensity.
//! - Shutdown reasons are strings (`"shutdown"`), as ractor's stop reasons are.
//! - A transient child that ended normally, like an operator-stopped one, stays stopped through
//!   a sibling's group restart (OTP would start it again). A temporary child an operator stopped
//!   keeps its spec until it is started or terminated.
//!
//! # Rules for children and observers
//!
//! - A child's start function and `post_stop` run while its supervisor waits for them: they must
//!   not call into the tree (lookup, commands), which would wait on that same supervisor. Calls
//!   time out ([`COMMAND_TIMEOUT`], 5 s for lookups and snapshots) rather than hang.
//! - An [`Observer`] runs on the supervisor's task and must not panic: a panic there ends the
//!   supervisor without the ordered shutdown of its children.
//!
//! # Hooks
//!
//! Every lifecycle change (started, failed with reason, restarting with delay, stopped, removed,
//! meltdown, operator command) is reported to the [`Observer`] of the supervisor — installed
//! with [`SupervisorSpec::observer`] and inherited by nested supervisors — so the application can
//! publish events and metrics without this crate depending on either.
//!
//! # Start with
//!
//! [`SupervisorRef::start_root`], [`SupervisorSpec`] and [`ChildSpec`]; the crate's README has a
//! worked example.

pub mod backoff;
mod error;
mod handle;
pub mod intensity;
mod observer;
mod spec;
mod supervisor;
pub mod tree;

pub use backoff::{Backoff, BackoffPolicy};
pub use error::{SpecError, StartError, SupervisorError, SupervisorExit};
pub use handle::{Operation, StartRootError, SupervisorRef, COMMAND_TIMEOUT};
pub use intensity::{IntensityExceeded, RestartWindow};
pub use observer::{Happening, LifecycleEvent, NoopObserver, Observer};
pub use spec::{
    ChildContext, ChildKind, ChildSpec, Intensity, Restart, Shutdown, StartFuture, Strategy,
    SupervisorSpec, DEFAULT_WORKER_SHUTDOWN,
};
pub use supervisor::{ChildHandle, SendError, TreeHandles};
pub use tree::{FailureRecord, NodeSnapshot, NodeState};
