//! The service's supervision tree (DESIGN.md §2): names and strategies of its branches.
//!
//! ```text
//! root        one_for_one
//! ├── infra     rest_for_one: broadcaster, redis (with REDIS_URL), config, metrics
//! │                            (store monitor and cache link join with storage)
//! ├── engines   one_for_one: query, media, insight, forum (as they are built)
//! ├── crawlers  one_for_one: one actor per configured source
//! ├── reports   dynamic: report/<task_id>  (transient)
//! └── analyses  dynamic: analysis/<id>     (transient)
//! ```
//!
//! The paths (`root/engines/query`) are what the API, the CLI, metrics and the dashboard use.
//! The branches are built by a factory at each start, so a restarted branch runs with the
//! settings current then (`SUPERVISION_<BRANCH>_*`).

use std::sync::Arc;
use std::time::Duration;

use supervision::{BackoffPolicy, ChildSpec, Observer, Strategy, SupervisorSpec};

/// The root's name: the first segment of every actor path.
pub const ROOT: &str = "root";

/// The branches under the root, in start order.
pub const BRANCHES: [&str; 5] = ["infra", "engines", "crawlers", "reports", "analyses"];

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
        }
    }
}

/// Where the tree reads its settings, by supervisor name (`root`, `infra`, `engines`…). Asked
/// again each time a branch starts, so a restarted branch runs with the current settings.
pub type SettingsSource = Arc<dyn Fn(&str) -> BranchSettings + Send + Sync>;

fn branch(
    name: &'static str,
    strategy: Option<Strategy>,
    children: Vec<ChildSpec>,
    settings: SettingsSource,
) -> ChildSpec {
    ChildSpec::supervisor_from(name, move || {
        let s = settings(name);
        let spec = match strategy {
            Some(strategy) => SupervisorSpec::new(strategy),
            None => SupervisorSpec::dynamic(DEFAULT_MAX_DYNAMIC_CHILDREN),
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
            "infra",
            Some(Strategy::RestForOne),
            branches.infra,
            Arc::clone(&settings),
        ))
        .child(branch(
            "engines",
            Some(Strategy::OneForOne),
            branches.engines,
            Arc::clone(&settings),
        ))
        .child(branch(
            "crawlers",
            Some(Strategy::OneForOne),
            branches.crawlers,
            Arc::clone(&settings),
        ))
        .child(branch("reports", None, Vec::new(), Arc::clone(&settings)))
        .child(branch("analyses", None, Vec::new(), Arc::clone(&settings)))
}

#[cfg(test)]
mod tests;
