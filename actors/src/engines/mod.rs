//! The research engines `query`, `media` and `insight` (`root/engines/<name>`): each takes
//! research jobs for a query and runs the original's loop ([`research`]) with an LLM where one
//! is configured ([`llm_steps`]) and built-in analysis otherwise ([`builtin`]), searching its
//! providers in order with the local store last ([`gather`]). A job of an analysis states the
//! figures of the analysis's evidence set, never its own counts ([`figures`]). The actor
//! ([`actor`]) runs jobs, stores and announces their reports, and can cancel them.

pub mod actor;
pub mod builtin;
pub mod figures;
pub mod gather;
pub mod llm_steps;
pub mod report;
pub mod research;

pub use actor::{EngineActor, EngineArgs, EngineMsg, Job, JobOutcome, JobProgress, JobStatus};
pub use report::Report;

use supervision::{ChildHandle, TreeHandles};

/// Which engine (ordered as [`EngineKind::ALL`] lists them).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    Query,
    Media,
    Insight,
}

impl EngineKind {
    /// All three, in the order an analysis lists them.
    pub const ALL: [EngineKind; 3] = [Self::Query, Self::Media, Self::Insight];

    /// `query`, `media`, `insight`: the actor's name and its topic `engine/<name>`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Media => "media",
            Self::Insight => "insight",
        }
    }

    /// The forum speaker (`QUERY`…), as the original's log names them.
    pub fn speaker(self) -> &'static str {
        match self {
            Self::Query => "QUERY",
            Self::Media => "MEDIA",
            Self::Insight => "INSIGHT",
        }
    }

    /// The report's title after the query.
    pub fn title(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Self::Query, true) => "事件调查报告",
            (Self::Query, false) => "What happened",
            (Self::Media, true) => "传播与媒体分析",
            (Self::Media, false) => "How it spread",
            (Self::Insight, true) => "舆情洞察",
            (Self::Insight, false) => "How people feel",
        }
    }

    /// The engine of this name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The three engines' handles (`root/engines/<name>`), taken from the tree's handles: they reach
/// each engine's current incarnation, and can be taken before the tree starts.
#[derive(Debug, Clone)]
pub struct EngineHandles([ChildHandle; 3]);

impl EngineHandles {
    /// The engines' handles in `handles`.
    pub fn of(handles: &TreeHandles) -> Self {
        Self(EngineKind::ALL.map(|kind| handles.handle(&crate::tree::engine_path(kind))))
    }

    /// The handle of `kind`.
    pub fn get(&self, kind: EngineKind) -> &ChildHandle {
        match kind {
            EngineKind::Query => &self.0[0],
            EngineKind::Media => &self.0[1],
            EngineKind::Insight => &self.0[2],
        }
    }
}
