//! The actors of BettaFish-rs and the domain they run.
//!
//! Today this crate holds the shape of the service's supervision tree ([`tree`]): which
//! supervisors exist, with which strategy, under which names. The actors themselves (the
//! broadcaster, engines, forum, crawlers, report tasks, analysis sessions) are added to those
//! branches as they are built. Everything here runs on the `supervision` crate, which knows
//! nothing of BettaFish; the binary wires configuration, storage and HTTP around it.
//!
//! Start with [`tree::service_tree`].

pub mod tree;
