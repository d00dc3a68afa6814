//! Events and their delivery: every event in the system passes through one [`EventBus`], which
//! numbers it, keeps a bounded history, and hands it to every subscriber whose topics match —
//! without ever blocking the publisher or waiting on a client.
//!
//! - [`event`]: the event, its [`Cursor`] (`epoch-offset`) and validation of topics and types;
//! - [`topic`]: the system's topics ([`Topic`], one constructor per kind) and subscription
//!   filters (`actors,report/*`);
//! - [`queue`]: one subscriber's bounded queue, and what happens when it overflows;
//! - [`hub`]: the numbering, history and fan-out of one epoch;
//! - [`feed`]: one client's subscription from start to end, as every transport sees it;
//! - [`bus`]: the stable handle everyone holds;
//! - [`broadcaster`]: the supervised actor that keeps the history within its age limit;
//! - [`log_layer`]: a tracing layer that forwards an actor's log lines to its topic;
//! - [`redis_link`]: the supervised link that shares events across instances through Redis.
//!
//! Guarantees (see `docs/ARCHITECTURE.md`): offsets increase by one per event within an epoch;
//! a subscriber that gives its last cursor gets every later event of its topics, in order,
//! exactly once, or an explicit `resync` when that is impossible (another epoch, history
//! trimmed past its cursor); a subscriber that falls more than its queue behind is told
//! (`lagged`) and disconnected, and resumes from its cursor.
//!
//! Start with [`EventBus`].

pub mod broadcaster;
pub mod bus;
pub mod event;
pub mod feed;
pub mod hub;
pub mod internal_events;
pub mod log_layer;
pub mod queue;
pub mod redis_link;
pub mod topic;

pub use bus::{Draft, EventBus, Numbered};
pub use event::{Cursor, CursorError, Event, EventError};
pub use feed::{system_frame, Ending, Feed, Item, Notice};
pub use hub::{HubConfig, Ingested, Numbering, Page, Since, Start, Subscription};
pub use queue::Next;
pub use topic::{Topic, TopicError, TopicFilter, TopicKind};

#[cfg(test)]
mod tests;
