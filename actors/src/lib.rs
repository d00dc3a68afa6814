//! The actors of BettaFish-rs and the domain they run.
//!
//! It holds the shape of the service's supervision tree and every path in it ([`tree`]), the
//! research engines ([`engines`]), the forum ([`forum`]) and the analysis sessions
//! ([`sessions`], which offer the rest of the service one facade). Crawlers and report tasks
//! join the tree's branches as they are built. Everything here runs on the `supervision` crate,
//! which knows nothing of BettaFish; events go through the `events` crate, models through
//! `llm`, material through `search` and `text-analysis`, records through `storage`. The binary
//! wires configuration and HTTP around it.
//!
//! Start with [`tree::service_tree`].

pub mod engines;
pub mod evidence;
pub mod forum;
pub mod internal_events;
pub mod reports;
pub mod sessions;
pub mod tree;
