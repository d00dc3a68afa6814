//! The service's supervision tree (DESIGN.md §2): names and strategies of its branches.
//!
//! ```text
//! root        one_for_one
//! ├── infra     rest_for_one: broadcaster, redis (with REDIS_URL), storage, config, metrics
//! ├── engines   one_for_one: query, media, insight, forum (as they are built)
//! ├── crawlers  one_for_one: one actor per configured source
//! ├── reports   dynamic: <task_id>  (transient)
//! └── analyses  dynamic: <id>       (temporary: an analysis session runs once)
//! ```
//!
//! The paths (`root/engines/query`) are what the API, the CLI, metrics and the dashboard use;
//! this module is the one place they are spelled ([`Branch`], [`engine_path`], [`FORUM_PATH`],
//! [`analysis_path`], [`infra`]). The branches are built by a factory at each start, so a
//! restarted branch runs with the settings current then (`SUPERVISION_<BRANCH>_*`).

use std::sync::Arc;
use std::time::Duration;

use supervision::{BackoffPolicy, ChildSpec, Observer, Strategy, SupervisorSpec};

use crate::engines::EngineKind;

/// The root's name: the first segment of every actor path.
pub const ROOT: &str = "root";

/// A branch under the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Branch {
    /// Infrastructure: broadcaster, redis, storage, config, metrics.
    Infra,
    /// The engines and the forum.
    Engines,
    /// One crawler per configured source.
    Crawlers,
    /// Report tasks, added at run time.
    Reports,
    /// Analysis sessions, added at run time.
    Analyses,
}

impl Branch {
    /// The branches, in start order.
    pub const ALL: [Branch; 5] = [
        Self::Infra,
        Self::Engines,
        Self::Crawlers,
        Self::Reports,
        Self::Analyses,
    ];

    /// Its id under the root (`engines`), also the `<BRANCH>` of its `SUPERVISION_*` settings.
    pub const fn id(self) -> &'static str {
        match self {
            Self::Infra => "infra",
            Self::Engines => "engines",
            Self::Crawlers => "crawlers",
            Self::Reports => "reports",
            Self::Analyses => "analyses",
        }
    }

    /// Its path (`root/engines`).
    pub const fn path(self) -> &'static str {
        match self {
            Self::Infra => "root/infra",
            Self::Engines => "root/engines",
            Self::Crawlers => "root/crawlers",
            Self::Reports => "root/reports",
            Self::Analyses => "root/analyses",
        }
    }

    /// Whether its children are added at run time, with ids in their paths (which must not
    /// become metric labels).
    pub const fn is_dynamic(self) -> bool {
        matches!(self, Self::Reports | Self::Analyses)
    }

    /// The path of its child `id`.
    pub fn child(self, id: &str) -> String {
        format!("{}/{id}", self.path())
    }

    /// The id of the child of this branch at `path`, if `path` is one (not deeper).
    pub fn child_id(self, path: &str) -> Option<&str> {
        path.strip_prefix(self.path())?
            .strip_prefix('/')
            .filter(|id| !id.is_empty() && !id.contains('/'))
    }

    /// The dynamic branch that `path` lies under (not the branch itself).
    pub fn dynamic_parent_of(path: &str) -> Option<Branch> {
        Self::ALL.into_iter().find(|b| {
            b.is_dynamic()
                && path
                    .strip_prefix(b.path())
                    .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/'))
        })
    }
}

/// The branches' ids, in start order ([`Branch::id`] of [`Branch::ALL`]).
pub const BRANCHES: [&str; 5] = {
    let mut ids = [""; 5];
    let mut i = 0;
    while i < ids.len() {
        ids[i] = Branch::ALL[i].id();
        i += 1;
    }
    ids
};

/// The forum's id under `engines`.
pub const FORUM: &str = "forum";

/// The forum's path.
pub const FORUM_PATH: &str = "root/engines/forum";

/// An engine's path (`root/engines/query`); its id under `engines` is its name.
pub fn engine_path(kind: EngineKind) -> String {
    Branch::Engines.child(kind.name())
}

/// Whether `text` can be the id of a dynamic branch's child that this service made (an
/// analysis's, a report task's): 1 to 32 ASCII letters and digits. Ids from outside are checked
/// with this before anything is looked up, so a path or file name built from one stays put.
pub fn is_child_id(text: &str) -> bool {
    !text.is_empty() && text.len() <= 32 && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The report engine's id under `engines`.
pub const REPORT_ENGINE: &str = "report";

/// The report engine's path.
pub const REPORT_ENGINE_PATH: &str = "root/engines/report";

/// A report task's path (`root/reports/<id>`).
pub fn report_path(id: &str) -> String {
    Branch::Reports.child(id)
}

/// An analysis session's path (`root/analyses/<id>`).
pub fn analysis_path(id: &str) -> String {
    Branch::Analyses.child(id)
}

/// The `infra` branch's actors, which the binary builds: their ids, and the paths the API
/// reaches them by.
pub mod infra {
    /// The broadcaster (the event history's upkeep).
    pub const BROADCASTER: &str = "broadcaster";
    /// The Redis link (with `REDIS_URL`).
    pub const REDIS: &str = "redis";
    /// The database's keeper.
    pub const STORAGE: &str = "storage";
    /// The configuration's keeper.
    pub const CONFIG: &str = "config";
    /// The metrics' upkeep.
    pub const METRICS: &str = "metrics";
    /// The configuration actor's path.
    pub const CONFIG_PATH: &str = "root/infra/config";
    /// The metrics actor's path.
    pub const METRICS_PATH: &str = "root/infra/metrics";
}

/// How many report tasks or analyses may exist at once before new ones are refused.
pub const DEFAULT_MAX_DYNAMIC_CHILDREN: usize = 1_000;

/// What to put on each static branch; the dynamic ones fill up at run time.
#[derive(Default, Clone)]
pub struct Branches {
    /// Infrastructure actors (broadcaster, store monitor, cache link), in dependency order.
    pub infra: Vec<ChildSpec>,
    /// The engines and the forum.
    pub engines: Vec<ChildSpec>,
    /// One crawler per configured source.
    pub crawlers: Vec<ChildSpec>,
}

/// Restart intensity of one supervisor and the backoff of its children.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BranchSettings {
    /// Restarts allowed per period.
    pub max_restarts: u32,
    /// The intensity window.
    pub period: Duration,
    /// Backoff between restarts of the branch's children.
    pub backoff: BackoffPolicy,
    /// For a dynamic branch (reports, analyses): children at once before one more is refused.
    pub max_children: usize,
}

impl Default for BranchSettings {
    fn default() -> Self {
        Self {
            max_restarts: 5,
            period: Duration::from_secs(30),
            backoff: BackoffPolicy::exponential(
                Duration::from_millis(100),
                Duration::from_secs(30),
            ),
            max_children: DEFAULT_MAX_DYNAMIC_CHILDREN,
        }
    }
}

/// Where the tree reads its settings, by supervisor name (`root`, `infra`, `engines`…). Asked
/// again each time a branch starts, so a restarted branch runs with the current settings.
pub type SettingsSource = Arc<dyn Fn(&str) -> BranchSettings + Send + Sync>;

fn branch(
    branch: Branch,
    strategy: Option<Strategy>,
    children: Vec<ChildSpec>,
    settings: SettingsSource,
) -> ChildSpec {
    ChildSpec::supervisor_from(branch.id(), move || {
        let s = settings(branch.id());
        let spec = match strategy {
            Some(strategy) => SupervisorSpec::new(strategy),
            None => SupervisorSpec::dynamic(s.max_children),
        };
        children
            .iter()
            .cloned()
            .map(|child| child.backoff(s.backoff))
            .fold(spec, SupervisorSpec::child)
            .intensity(s.max_restarts, s.period)
    })
}

/// The whole tree's spec, reporting every lifecycle change to `observer`.
pub fn service_tree(
    branches: Branches,
    settings: SettingsSource,
    observer: Arc<dyn Observer>,
) -> SupervisorSpec {
    let root = settings(ROOT);
    SupervisorSpec::new(Strategy::OneForOne)
        .intensity(root.max_restarts, root.period)
        .observer(observer)
        .child(branch(
            Branch::Infra,
            Some(Strategy::RestForOne),
            branches.infra,
            Arc::clone(&settings),
        ))
        .child(branch(
            Branch::Engines,
            Some(Strategy::OneForOne),
            branches.engines,
            Arc::clone(&settings),
        ))
        .child(branch(
            Branch::Crawlers,
            Some(Strategy::OneForOne),
            branches.crawlers,
            Arc::clone(&settings),
        ))
        .child(branch(
            Branch::Reports,
            None,
            Vec::new(),
            Arc::clone(&settings),
        ))
        .child(branch(
            Branch::Analyses,
            None,
            Vec::new(),
            Arc::clone(&settings),
        ))
}

#[cfg(test)]
mod tests;
