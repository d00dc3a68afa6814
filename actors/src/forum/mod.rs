//! The forum: where the engines' paragraph summaries meet as agent messages and a host
//! speaks every few of them: the [`actor`], the original's `forum.log` line format
//! ([`line`]) and a follower for logs that other programs write ([`follow`]).

pub mod actor;
pub mod follow;
pub mod line;
