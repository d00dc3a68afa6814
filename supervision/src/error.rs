//! The errors of this crate, each naming an expected outcome a caller can match on.

use thiserror::Error;

/// A spec refused before anything started.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SpecError {
    /// Two children of one supervisor share an id.
    #[error("two children are named `{0}`")]
    DuplicateId(String),
    /// An id is empty or contains `/`, which separates path segments.
    #[error("child id `{0}` is empty or contains `/`")]
    InvalidId(String),
    /// A child's backoff bounds are inconsistent.
    #[error("child `{child}` has an invalid backoff: {reason}")]
    InvalidBackoff {
        /// The child.
        child: String,
        /// What is wrong.
        reason: String,
    },
    /// The intensity cannot be applied.
    #[error("invalid restart intensity: {0}")]
    InvalidIntensity(String),
    /// More initial children than `max_children`.
    #[error("{given} children given but max_children is {max}")]
    TooManyChildren {
        /// The cap.
        max: usize,
        /// Children in the spec.
        given: usize,
    },
}

/// Why a child's start function did not produce a running actor.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StartError {
    /// Spawning failed: `pre_start` returned an error or panicked.
    #[error("spawn failed: {0}")]
    Spawn(String),
    /// The start function itself gave up.
    #[error("{0}")]
    Other(String),
}

/// What a supervisor answers when a request cannot be carried out.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SupervisorError {
    /// No child or supervisor lives at this path.
    #[error("no actor at path `{0}`")]
    NotFound(String),
    /// The path continues below a worker, or a supervisor-only request named a worker.
    #[error("`{0}` is not a supervisor")]
    NotASupervisor(String),
    /// The supervisor on the way to the path is not running (stopped, or restarting).
    #[error("supervisor `{0}` is not running")]
    Unavailable(String),
    /// A child with this id already exists.
    #[error("a child named `{0}` already exists")]
    AlreadyExists(String),
    /// The supervisor already holds `max_children` children.
    #[error("supervisor `{path}` already has its maximum of {max} children")]
    MaxChildren {
        /// The supervisor.
        path: String,
        /// Its cap.
        max: usize,
    },
    /// The child's start function failed; it is left stopped (as `failed`).
    #[error("`{path}` failed to start: {reason}")]
    StartFailed {
        /// The child.
        path: String,
        /// Why.
        reason: String,
    },
    /// The request needs a child but named the supervisor itself, or the reverse.
    #[error("`{path}` cannot {command}")]
    Unsupported {
        /// Where the request went.
        path: String,
        /// What was asked.
        command: &'static str,
    },
    /// A new child's spec is invalid.
    #[error(transparent)]
    InvalidSpec(#[from] SpecError),
    /// The supervisor did not answer in time.
    #[error("supervisor `{0}` did not answer in time")]
    Timeout(String),
}

/// How a supervisor (usually the root) ended.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SupervisorExit {
    /// Stopped on request; its children were shut down in reverse start order.
    #[error("supervisor `{0}` shut down")]
    Shutdown(String),
    /// Its restart intensity was exceeded; children were stopped and the failure escalated.
    #[error("supervisor `{path}` exceeded its restart intensity: {reason}")]
    Meltdown {
        /// The supervisor.
        path: String,
        /// The last failure, which tipped it over.
        reason: String,
    },
    /// It ended some other way (killed, or a bug in this crate).
    #[error("supervisor `{path}` terminated: {reason}")]
    Terminated {
        /// The supervisor.
        path: String,
        /// What was seen.
        reason: String,
    },
}
