//! What a supervisor is told to do: strategies, restart types, shutdown policies, restart
//! intensity and child specifications, with their defaults and validation in one place.
//!
//! Everything here is plain data checked before anything starts, as OTP's `check_childspec`
//! does: a bad spec is refused with a [`SpecError`] naming the child, never half-applied.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorCell};
use serde::Serialize;

use crate::backoff::BackoffPolicy;
use crate::error::{SpecError, StartError};
use crate::observer::Observer;

/// How a supervisor reacts when one of its children has to be restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Restart only the child that exited.
    OneForOne,
    /// Stop every other child (reverse start order), then start them all again in start order.
    OneForAll,
    /// Stop the children started after the one that exited (reverse order), then start the
    /// exited child and those after it again, in start order.
    RestForOne,
}

/// When a child is restarted, with OTP's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Restart {
    /// Always restarted, whatever the exit reason.
    Permanent,
    /// Restarted only after an abnormal exit (a panic, an `Err` from a handler, a stop reason
    /// other than `normal`/`shutdown`, being killed). A normal exit leaves it stopped.
    Transient,
    /// Never restarted, not even when a sibling's failure makes a `one_for_all` or
    /// `rest_for_one` supervisor stop it; its spec is forgotten once it exits.
    Temporary,
}

/// How a child is stopped by its supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shutdown {
    /// Kill at once: the child's running handler is aborted and `post_stop` does not run.
    Brutal,
    /// Ask the child to stop (it finishes its current message and runs `post_stop`); kill it if
    /// it has not stopped within this time.
    Timeout(#[serde(serialize_with = "crate::tree::serialize_duration_ms")] Duration),
    /// Ask the child to stop and wait as long as it takes. The default for supervisors, whose own
    /// children's shutdown policies bound the wait.
    Infinity,
}

/// Whether a child is a worker or a supervisor of its own; decides how snapshots and commands
/// reach below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildKind {
    /// A plain actor.
    Worker,
    /// A supervisor built by [`ChildSpec::supervisor`].
    Supervisor,
}

/// Restart intensity: more than `max_restarts` restarts within any sliding `period` makes the
/// supervisor give up (see [`crate::intensity::RestartWindow`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Intensity {
    /// Restarts allowed within one period; one more escalates.
    pub max_restarts: u32,
    /// The sliding window.
    #[serde(serialize_with = "crate::tree::serialize_duration_ms")]
    pub period: Duration,
}

impl Default for Intensity {
    /// OTP's defaults: one restart in five seconds.
    fn default() -> Self {
        Self {
            max_restarts: 1,
            period: Duration::from_secs(5),
        }
    }
}

/// The future a start function returns: the new incarnation's cell, or why it did not start.
pub type StartFuture = Pin<Box<dyn Future<Output = Result<ActorCell, StartError>> + Send>>;

type StartFn = dyn Fn(ChildContext) -> StartFuture + Send + Sync;

/// What a start function is given: the supervisor to link the new actor to and its path.
#[derive(Clone)]
pub struct ChildContext {
    supervisor: ActorCell,
    path: Arc<str>,
    /// The parent's observer, inherited by nested supervisors.
    observer: Option<Arc<dyn Observer>>,
    /// The tree's handles by path, shared with nested supervisors.
    handles: Option<crate::supervisor::TreeHandles>,
}

impl fmt::Debug for ChildContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildContext")
            .field("supervisor", &self.supervisor)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl ChildContext {
    pub(crate) fn new(
        supervisor: ActorCell,
        path: Arc<str>,
        observer: Option<Arc<dyn Observer>>,
        handles: Option<crate::supervisor::TreeHandles>,
    ) -> Self {
        Self {
            supervisor,
            path,
            observer,
            handles,
        }
    }

    pub(crate) fn observer(&self) -> Option<&Arc<dyn Observer>> {
        self.observer.as_ref()
    }

    pub(crate) fn handles(&self) -> Option<&crate::supervisor::TreeHandles> {
        self.handles.as_ref()
    }

    /// The child's path in the tree, e.g. `root/engines/query`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The supervisor's cell, for start functions that spawn by other means; an actor that is
    /// not linked to it is not supervised.
    pub fn supervisor(&self) -> &ActorCell {
        &self.supervisor
    }

    /// Spawns `actor` linked to the supervisor and returns its cell once `pre_start` succeeded.
    ///
    /// # Errors
    /// [`StartError::Spawn`] when `pre_start` returns an error or panics.
    pub async fn spawn<A: Actor>(
        &self,
        actor: A,
        args: A::Arguments,
    ) -> Result<ActorCell, StartError> {
        let (actor_ref, _join) = Actor::spawn_linked(None, actor, args, self.supervisor.clone())
            .await
            .map_err(|err| StartError::Spawn(err.to_string()))?;
        Ok(actor_ref.get_cell())
    }
}

/// How to start one child and how to treat it: its id, restart type, shutdown policy, backoff.
#[derive(Clone)]
pub struct ChildSpec {
    pub(crate) id: Arc<str>,
    pub(crate) kind: ChildKind,
    pub(crate) restart: Restart,
    pub(crate) shutdown: Shutdown,
    pub(crate) backoff: BackoffPolicy,
    pub(crate) start: Arc<StartFn>,
    /// Set for supervisor children: their own spec, so snapshots can name the strategy.
    pub(crate) nested: Option<Arc<SupervisorSpec>>,
}

impl fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSpec")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

/// Default graceful shutdown time for workers, as OTP's 5000 ms.
pub const DEFAULT_WORKER_SHUTDOWN: Duration = Duration::from_secs(5);

impl ChildSpec {
    /// A worker started by `start`, which must spawn an actor linked to the supervisor (most
    /// simply with [`ChildContext::spawn`]). Defaults: permanent, graceful shutdown within 5 s,
    /// no backoff.
    pub fn worker<F, Fut>(id: impl Into<String>, start: F) -> Self
    where
        F: Fn(ChildContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ActorCell, StartError>> + Send + 'static,
    {
        Self {
            id: Arc::from(id.into()),
            kind: ChildKind::Worker,
            restart: Restart::Permanent,
            shutdown: Shutdown::Timeout(DEFAULT_WORKER_SHUTDOWN),
            backoff: BackoffPolicy::NONE,
            start: Arc::new(move |ctx| Box::pin(start(ctx))),
            nested: None,
        }
    }

    /// A nested supervisor running `spec`. Defaults: permanent, [`Shutdown::Infinity`], no
    /// backoff. It inherits its parent's observer unless `spec` sets one.
    pub fn supervisor(id: impl Into<String>, spec: SupervisorSpec) -> Self {
        let spec = Arc::new(spec);
        let nested = Arc::clone(&spec);
        Self::nested(id, nested, move || Ok(Arc::clone(&spec)))
    }

    /// A nested supervisor whose spec is built afresh by `factory` at every start, so a restart
    /// picks up new settings (intensity, children) from wherever the factory reads them. The
    /// factory runs once here to validate it and to learn the strategy; a spec it builds later
    /// that does not validate makes that start fail.
    pub fn supervisor_from<F>(id: impl Into<String>, factory: F) -> Self
    where
        F: Fn() -> SupervisorSpec + Send + Sync + 'static,
    {
        let first = Arc::new(factory());
        Self::nested(id, first, move || {
            let spec = factory();
            spec.validate()
                .map_err(|err| StartError::Other(err.to_string()))?;
            Ok(Arc::new(spec))
        })
    }

    /// The one shape of a supervisor child: `spec` describes it, `build` gives the spec each
    /// start runs.
    fn nested<B>(id: impl Into<String>, spec: Arc<SupervisorSpec>, build: B) -> Self
    where
        B: Fn() -> Result<Arc<SupervisorSpec>, StartError> + Send + Sync + 'static,
    {
        Self {
            id: Arc::from(id.into()),
            kind: ChildKind::Supervisor,
            restart: Restart::Permanent,
            shutdown: Shutdown::Infinity,
            backoff: BackoffPolicy::NONE,
            start: Arc::new(move |ctx| {
                let spec = build();
                Box::pin(async move { crate::supervisor::start_nested(ctx, spec?).await })
            }),
            nested: Some(spec),
        }
    }

    /// Sets the restart type.
    #[must_use]
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// Sets the shutdown policy.
    #[must_use]
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// Sets the backoff between restarts of this child.
    #[must_use]
    pub fn backoff(mut self, backoff: BackoffPolicy) -> Self {
        self.backoff = backoff;
        self
    }

    /// The child's id, unique among its siblings.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Checks the id and backoff.
    ///
    /// # Errors
    /// [`SpecError::InvalidId`] for an empty id or one containing `/`;
    /// [`SpecError::InvalidBackoff`] from [`BackoffPolicy::validate`].
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.id.is_empty() || self.id.contains('/') {
            return Err(SpecError::InvalidId(self.id.to_string()));
        }
        self.backoff
            .validate()
            .map_err(|reason| SpecError::InvalidBackoff {
                child: self.id.to_string(),
                reason,
            })?;
        if let Some(nested) = &self.nested {
            nested.validate()?;
        }
        Ok(())
    }
}

/// A supervisor's whole configuration: strategy, intensity, children in start order.
#[derive(Clone)]
pub struct SupervisorSpec {
    pub(crate) strategy: Strategy,
    pub(crate) intensity: Intensity,
    pub(crate) children: Vec<ChildSpec>,
    pub(crate) max_children: Option<usize>,
    pub(crate) dynamic: bool,
    pub(crate) observer: Option<Arc<dyn Observer>>,
}

impl fmt::Debug for SupervisorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisorSpec")
            .field("strategy", &self.strategy)
            .field("intensity", &self.intensity)
            .field("children", &self.children)
            .field("max_children", &self.max_children)
            .field("dynamic", &self.dynamic)
            .finish_non_exhaustive()
    }
}

impl SupervisorSpec {
    /// A static supervisor with `strategy`, OTP's default intensity and no children yet.
    pub fn new(strategy: Strategy) -> Self {
        Self {
            strategy,
            intensity: Intensity::default(),
            children: Vec::new(),
            max_children: None,
            dynamic: false,
            observer: None,
        }
    }

    /// A dynamic supervisor: one_for_one, children added at run time with
    /// [`crate::SupervisorRef::start_child`], at most `max_children` at once; a child that ends
    /// for good (temporary, or transient after a normal exit) is forgotten.
    pub fn dynamic(max_children: usize) -> Self {
        Self {
            max_children: Some(max_children),
            dynamic: true,
            ..Self::new(Strategy::OneForOne)
        }
    }

    /// Sets the restart intensity.
    #[must_use]
    pub fn intensity(mut self, max_restarts: u32, period: Duration) -> Self {
        self.intensity = Intensity {
            max_restarts,
            period,
        };
        self
    }

    /// Appends a child; children start in the order they are added.
    #[must_use]
    pub fn child(mut self, child: ChildSpec) -> Self {
        self.children.push(child);
        self
    }

    /// Caps the number of children (running or not) this supervisor keeps.
    #[must_use]
    pub fn max_children(mut self, max_children: usize) -> Self {
        self.max_children = Some(max_children);
        self
    }

    /// Installs the observer told of every lifecycle change in this supervisor and, unless they
    /// set their own, in the supervisors below it.
    #[must_use]
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The strategy.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Checks the whole spec, nested supervisors included, before anything starts.
    ///
    /// # Errors
    /// [`SpecError::DuplicateId`], [`SpecError::InvalidId`], [`SpecError::InvalidBackoff`],
    /// [`SpecError::InvalidIntensity`], [`SpecError::TooManyChildren`].
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.intensity.period.is_zero() {
            return Err(SpecError::InvalidIntensity(
                "period must be longer than zero".into(),
            ));
        }
        let mut seen = HashSet::new();
        for child in &self.children {
            child.validate()?;
            if !seen.insert(child.id.clone()) {
                return Err(SpecError::DuplicateId(child.id.to_string()));
            }
        }
        if let Some(max) = self.max_children {
            if self.children.len() > max {
                return Err(SpecError::TooManyChildren {
                    max,
                    given: self.children.len(),
                });
            }
        }
        Ok(())
    }
}
