//! The actors of BettaFish-rs and the domain they run.
//!
//! It holds the shape of the service's supervision tree ([`tree`]) and the event system
//! ([`events`]): the bus every event passes through, the broadcaster actor, and the log layer
//! that forwards an actor's log lines to its topic. The other actors (engines, forum, crawlers,
//! report tasks, analysis sessions) join the tree's branches as they are built. Everything here runs on the `supervision` crate, which knows
//! nothing of BettaFish; the binary wires configuration, storage and HTTP around it.
//!
//! Start with [`tree::service_tree`].

pub mod analyses;
pub mod analysis;
pub mod engines;
pub mod events;
pub mod forum;
pub mod internal_events;
pub mod llm;
pub mod search;
pub mod tree;
