//! The LLM client: OpenAI-compatible chat completions, streamed or not, for the engines.
//!
//! [`client`] calls one endpoint with bounded retries and a circuit breaker; [`stream`]
//! decodes the server-sent events of a streamed answer from arbitrary chunks; [`text`] takes
//! reasoning and code fences off answers that should be JSON.

pub mod client;
pub mod internal_events;
pub mod stream;
pub mod text;

pub use client::{LlmClient, LlmConfig, LlmError, Message};
