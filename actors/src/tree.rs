//! The service's supervision tree (DESIGN.md §2): names and strategies of its branches.
//!
//! ```text
//! root        one_for_one
//! ├── infra     rest_for_one: broadcaster, store monitor, cache link
//! ├── engines   one_for_one: query, media, insight, forum
//! ├── crawlers  one_for_one: one actor per configured source
//! ├── reports   dynamic: report/<task_id>  (transient)
//! └── analyses  dynamic: analysis/<id>     (transient)
//! ```
//!
//! The paths (`root/engines/query`) are what the API, the CLI, metrics and the dashboard use.

use std::sync::Arc;
use std::time::Duration;

use supervision::{ChildSpec, Observer, Strategy, SupervisorSpec};

/// The root's name: the first segment of every actor path.
pub const ROOT: &str = "root";

/// The branches under the root, in start order.
pub const BRANCHES: [&str; 5] = ["infra", "engines", "crawlers", "reports", "analyses"];

/// How many report tasks or analyses may exist at once before new ones are refused.
pub const DEFAULT_MAX_DYNAMIC_CHILDREN: usize = 1_000;

/// What to put on each static branch; the dynamic ones fill up at run time.
#[derive(Default)]
pub struct Branches {
    /// Infrastructure actors (broadcaster, store monitor, cache link), in dependency order.
    pub infra: Vec<ChildSpec>,
    /// The engines and the forum.
    pub engines: Vec<ChildSpec>,
    /// One crawler per configured source.
    pub crawlers: Vec<ChildSpec>,
}

/// The whole tree's spec, reporting every lifecycle change to `observer`.
pub fn service_tree(branches: Branches, observer: Arc<dyn Observer>) -> SupervisorSpec {
    let with = |strategy: Strategy, children: Vec<ChildSpec>| {
        children
            .into_iter()
            .fold(SupervisorSpec::new(strategy), SupervisorSpec::child)
            .intensity(5, Duration::from_secs(30))
    };
    SupervisorSpec::new(Strategy::OneForOne)
        .intensity(10, Duration::from_secs(60))
        .observer(observer)
        .child(ChildSpec::supervisor(
            "infra",
            with(Strategy::RestForOne, branches.infra),
        ))
        .child(ChildSpec::supervisor(
            "engines",
            with(Strategy::OneForOne, branches.engines),
        ))
        .child(ChildSpec::supervisor(
            "crawlers",
            with(Strategy::OneForOne, branches.crawlers),
        ))
        .child(ChildSpec::supervisor(
            "reports",
            SupervisorSpec::dynamic(DEFAULT_MAX_DYNAMIC_CHILDREN)
                .intensity(50, Duration::from_secs(60)),
        ))
        .child(ChildSpec::supervisor(
            "analyses",
            SupervisorSpec::dynamic(DEFAULT_MAX_DYNAMIC_CHILDREN)
                .intensity(50, Duration::from_secs(60)),
        ))
}

#[cfg(test)]
mod tests;
