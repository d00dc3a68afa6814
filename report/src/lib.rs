//! Reports: what the report engine writes, independent of actors, storage and HTTP.
//!
//! - [`document`]: the typed document (chapters of blocks; every number and quote cites the
//!   evidence it came from) and its validation ([`validate`]);
//! - [`templates`]: the six report kinds in Chinese and English (files in `templates/`),
//!   chosen by rules, and custom templates, validated;
//! - [`writer`]: the built-in writer, which composes chapters from an analysis's evidence
//!   set, its engines' reports and its forum without an LLM;
//! - [`prompt`]: what an LLM is asked for a chapter; [`repair`]: turning its answer into a
//!   chapter (parse, local repair, or say why not);
//! - [`html`], [`markdown`]: the outputs (self-contained HTML with inline SVG [`charts`]).

pub mod charts;
pub mod document;
pub mod html;
pub mod markdown;
pub mod prompt;
pub mod repair;
pub mod templates;
pub mod validate;
pub mod writer;

pub use document::{Block, Chapter, ChapterOrigin, Document, Language, SourceRef, Span};
pub use templates::{ChapterPlan, Template, TemplateKind};
