//! [`SupervisorRef`]: the embedding application's handle on a running tree.
//!
//! Every request names a full path (`root/engines/query`) and is routed down the tree by the
//! supervisors themselves; see [`crate`] for the semantics of each command.

use std::sync::Arc;
use std::time::Duration;

use ractor::rpc::CallResult;
use ractor::{ActorCell, ActorRef, RpcReplyPort};
use tokio::sync::watch;

use crate::error::{SpecError, StartError, SupervisorError, SupervisorExit};
use crate::spec::{ChildSpec, SupervisorSpec};
use crate::supervisor::{self, ChildHandle, Command, Request, SupervisorMsg, TreeHandles};
use crate::tree::NodeSnapshot;

/// How long [`SupervisorRef::snapshot`] and [`SupervisorRef::lookup`] wait for the tree.
const SNAPSHOT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a command may take: long enough for graceful stops with their timeouts, short
/// enough that a wedged tree is reported rather than waited on for ever.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// An operator's command on one node, as [`SupervisorRef::operate`] applies it: the commands an
/// embedding application exposes to its operators, named once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// [`SupervisorRef::restart`].
    Restart,
    /// [`SupervisorRef::stop`].
    Stop,
    /// [`SupervisorRef::start`].
    Start,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 3] = [Operation::Restart, Operation::Stop, Operation::Start];

    /// Its name: `restart`, `stop` or `start`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Restart => "restart",
            Self::Stop => "stop",
            Self::Start => "start",
        }
    }

    /// The operation with this name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.name() == name)
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a root supervisor did not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartRootError {
    /// The spec was refused before anything started.
    #[error(transparent)]
    InvalidSpec(#[from] SpecError),
    /// The name is empty or contains `/`.
    #[error("root name `{0}` is empty or contains `/`")]
    InvalidName(String),
    /// Starting the children exceeded the restart intensity (or the actor failed to spawn);
    /// whatever had started was stopped again.
    #[error("root supervisor failed to start: {0}")]
    Failed(#[from] StartError),
}

/// A handle on a running root supervisor. Cheap to clone.
#[derive(Clone)]
pub struct SupervisorRef {
    actor: ActorRef<SupervisorMsg>,
    name: Arc<str>,
    exit: watch::Receiver<Option<SupervisorExit>>,
    handles: TreeHandles,
}

impl std::fmt::Debug for SupervisorRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupervisorRef")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl SupervisorRef {
    /// Starts a root supervisor named `name` and returns once all its children (and theirs)
    /// have been started in order.
    ///
    /// # Errors
    /// [`StartRootError::InvalidSpec`], [`StartRootError::InvalidName`],
    /// [`StartRootError::Failed`].
    pub async fn start_root(
        name: impl Into<String>,
        spec: SupervisorSpec,
    ) -> Result<Self, StartRootError> {
        Self::start_root_with(name, spec, TreeHandles::new()).await
    }

    /// [`SupervisorRef::start_root`] with the tree's handles created beforehand: every child
    /// started in the tree gets its handle from `handles`, so a handle the application took
    /// from it before the start (to give to the specs of the children that will send to that
    /// path) reaches the child once it runs, and across its restarts.
    ///
    /// # Errors
    /// [`StartRootError::InvalidSpec`], [`StartRootError::InvalidName`],
    /// [`StartRootError::Failed`].
    pub async fn start_root_with(
        name: impl Into<String>,
        spec: SupervisorSpec,
        handles: TreeHandles,
    ) -> Result<Self, StartRootError> {
        let name: String = name.into();
        if name.is_empty() || name.contains('/') {
            return Err(StartRootError::InvalidName(name));
        }
        spec.validate()?;
        let name: Arc<str> = Arc::from(name);
        let (sender, exit) = watch::channel(None);
        let sender = Arc::new(sender);
        let (actor, join) = supervisor::start_root(
            Arc::clone(&name),
            Arc::new(spec),
            Arc::clone(&sender),
            handles.clone(),
        )
        .await?;
        // Whatever way the root ends, `wait` must learn of it: a panic or a kill leaves no
        // exit value behind, so the join handle fills one in.
        let watcher_name = Arc::clone(&name);
        tokio::spawn(async move {
            let outcome = join.await;
            sender.send_if_modified(|current| {
                if current.is_some() {
                    return false;
                }
                let reason = match outcome {
                    Ok(()) => "stopped without reporting".to_owned(),
                    Err(err) => err.to_string(),
                };
                *current = Some(SupervisorExit::Terminated {
                    path: watcher_name.to_string(),
                    reason,
                });
                true
            });
        });
        Ok(Self {
            actor,
            name,
            exit,
            handles,
        })
    }

    /// The tree's handles by path. [`TreeHandles::handle`] answers at once, without asking
    /// the tree; [`SupervisorRef::lookup`] asks, and says whether the path exists.
    pub fn handles(&self) -> &TreeHandles {
        &self.handles
    }

    /// The root's name, the first segment of every path in this tree.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The root's actor cell, e.g. to link or monitor it.
    pub fn cell(&self) -> ActorCell {
        self.actor.get_cell()
    }

    fn split(&self, path: &str) -> Result<Vec<String>, SupervisorError> {
        let mut segments = path.trim_matches('/').split('/');
        match segments.next() {
            Some(first) if first == &*self.name => {}
            _ => return Err(SupervisorError::NotFound(path.to_owned())),
        }
        let rest: Vec<String> = segments.map(str::to_owned).collect();
        if rest.iter().any(String::is_empty) {
            return Err(SupervisorError::NotFound(path.to_owned()));
        }
        Ok(rest)
    }

    async fn ask<T: Send + 'static>(
        &self,
        path: &str,
        build: impl FnOnce(RpcReplyPort<Result<T, SupervisorError>>) -> Request,
        timeout: Option<Duration>,
    ) -> Result<T, SupervisorError> {
        let segments = self.split(path)?;
        let answer = self
            .actor
            .call(
                |reply| SupervisorMsg::Route {
                    path: segments,
                    request: build(reply),
                },
                timeout,
            )
            .await;
        match answer {
            Ok(CallResult::Success(result)) => result,
            Ok(CallResult::Timeout) => Err(SupervisorError::Timeout(path.to_owned())),
            // The reply port was dropped on the way (a supervisor stopped), or the root is gone.
            Ok(CallResult::SenderError) | Err(_) => {
                Err(SupervisorError::Unavailable(path.to_owned()))
            }
        }
    }

    async fn command(&self, path: &str, command: Command) -> Result<(), SupervisorError> {
        self.ask(
            path,
            |reply| Request::Command { command, reply },
            Some(COMMAND_TIMEOUT),
        )
        .await
    }

    /// A snapshot of the whole tree.
    ///
    /// # Errors
    /// [`SupervisorError::Timeout`], [`SupervisorError::Unavailable`] when the root is gone.
    pub async fn snapshot(&self) -> Result<NodeSnapshot, SupervisorError> {
        let name = self.name.to_string();
        self.snapshot_of(&name).await
    }

    /// A snapshot of the subtree at `path`.
    ///
    /// # Errors
    /// [`SupervisorError::NotFound`], [`SupervisorError::Unavailable`],
    /// [`SupervisorError::Timeout`].
    pub async fn snapshot_of(&self, path: &str) -> Result<NodeSnapshot, SupervisorError> {
        self.ask(
            path,
            |reply| Request::Snapshot { reply },
            Some(SNAPSHOT_TIMEOUT),
        )
        .await
    }

    /// A stable handle on the child at `path`, which follows it across restarts.
    ///
    /// # Errors
    /// [`SupervisorError::NotFound`], [`SupervisorError::Unavailable`],
    /// [`SupervisorError::Unsupported`] for the root itself.
    pub async fn lookup(&self, path: &str) -> Result<ChildHandle, SupervisorError> {
        self.ask(
            path,
            |reply| Request::Lookup { reply },
            Some(SNAPSHOT_TIMEOUT),
        )
        .await
    }

    /// Applies an operator's `operation` to the node at `path`.
    ///
    /// # Errors
    /// Those of [`Self::restart`], [`Self::stop`] and [`Self::start`].
    pub async fn operate(&self, path: &str, operation: Operation) -> Result<(), SupervisorError> {
        match operation {
            Operation::Restart => self.restart(path).await,
            Operation::Stop => self.stop(path).await,
            Operation::Start => self.start(path).await,
        }
    }

    /// Restarts the node at `path`: stops it if running (by its shutdown policy) and starts it
    /// again. Not a failure: it does not count toward intensity and resets the backoff. On a
    /// supervisor's own path, restarts all of its children.
    ///
    /// # Errors
    /// [`SupervisorError::NotFound`], [`SupervisorError::Unavailable`],
    /// [`SupervisorError::StartFailed`] (the child is then `failed`).
    pub async fn restart(&self, path: &str) -> Result<(), SupervisorError> {
        self.command(path, Command::Restart).await
    }

    /// Stops the node at `path`; it stays stopped until started, whatever its restart type.
    ///
    /// # Errors
    /// [`SupervisorError::NotFound`], [`SupervisorError::Unavailable`].
    pub async fn stop(&self, path: &str) -> Result<(), SupervisorError> {
        self.command(path, Command::Stop).await
    }

    /// Starts the node at `path` if it is not running (a no-op if it is).
    ///
    /// # Errors
    /// [`SupervisorError::NotFound`], [`SupervisorError::Unavailable`],
    /// [`SupervisorError::StartFailed`].
    pub async fn start(&self, path: &str) -> Result<(), SupervisorError> {
        self.command(path, Command::Start).await
    }

    /// Adds `spec` to the supervisor at `supervisor_path` and starts it.
    ///
    /// # Errors
    /// [`SupervisorError::AlreadyExists`], [`SupervisorError::MaxChildren`],
    /// [`SupervisorError::StartFailed`] (the child is not kept), [`SupervisorError::InvalidSpec`],
    /// [`SupervisorError::NotFound`], [`SupervisorError::NotASupervisor`],
    /// [`SupervisorError::Unavailable`].
    pub async fn start_child(
        &self,
        supervisor_path: &str,
        spec: ChildSpec,
    ) -> Result<(), SupervisorError> {
        self.command(supervisor_path, Command::StartChild(spec))
            .await
    }

    /// Stops the child at `path` and forgets its spec.
    ///
    /// # Errors
    /// [`SupervisorError::NotFound`], [`SupervisorError::Unavailable`],
    /// [`SupervisorError::Unsupported`] for the root.
    pub async fn terminate_child(&self, path: &str) -> Result<(), SupervisorError> {
        self.command(path, Command::TerminateChild).await
    }

    /// Stops the tree: children in reverse start order, each by its shutdown policy, and waits
    /// until the root has ended.
    pub async fn shutdown(&self) -> SupervisorExit {
        self.actor.stop(Some("shutdown".into()));
        self.wait().await
    }

    /// Waits until the root ends and says how.
    pub async fn wait(&self) -> SupervisorExit {
        let mut exit = self.exit.clone();
        loop {
            if let Some(exit) = exit.borrow_and_update().clone() {
                return exit;
            }
            if exit.changed().await.is_err() {
                return SupervisorExit::Terminated {
                    path: self.name.to_string(),
                    reason: "exit channel closed".into(),
                };
            }
        }
    }

    /// How the root ended, if it has.
    pub fn exit(&self) -> Option<SupervisorExit> {
        self.exit.borrow().clone()
    }
}
