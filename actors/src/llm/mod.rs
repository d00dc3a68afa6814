//! The LLM client: OpenAI-compatible chat completions, streamed or not, for the engines.
//!
//! [`stream`] decodes the server-sent events of a streamed answer from arbitrary chunks;
//! [`text`] takes reasoning and code fences off answers that should be JSON.

pub mod stream;
pub mod text;
