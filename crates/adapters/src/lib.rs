//! # convx-adapters
//!
//! One reader per coding agent, each turning that agent's on-disk logs into
//! [`convx_model::Session`]s. Depends only on `convx-model`: no printing, no environment
//! reads (the caller passes an [`Environment`]).
//!
//! The contract ([`Adapter`]):
//! 1. [`Adapter::default_roots`]: where the agent keeps its data for a given environment;
//! 2. [`Adapter::discover`]: the sources under some roots, each with a cheap
//!    [`convx_model::Fingerprint`] so unchanged sources can be skipped without reading;
//! 3. [`Adapter::read`]: the sessions of one source. A source that cannot be opened is an
//!    [`AdapterError`]; a bad record inside it becomes a [`convx_model::Warning`] (file and
//!    line) and the rest of the source is still read. Unknown records are kept as
//!    [`convx_model::EventKind::Opaque`] events.
//!
//! ```
//! use convx_adapters::{registry, Environment};
//! let env = Environment::new("/home/ana");
//! for adapter in registry() {
//!     let roots = adapter.default_roots(&env);
//!     assert!(!roots.is_empty());
//! }
//! ```

pub mod claude;
pub mod codex;
pub mod copilot;
pub mod cursor;
mod env;
mod error;
pub mod gemini;
pub mod jsonl;
pub mod opencode;
mod registry;
mod source;
pub mod text;
pub mod time;

pub use env::{Environment, Os};
pub use error::AdapterError;
pub use registry::{adapter_for, registry};
pub use source::{Discovery, ReadOptions, Source, SourceOutput, fingerprint};

use convx_model::Agent;
use std::path::PathBuf;

/// A reader of one agent's logs. See the crate docs for the contract.
pub trait Adapter: Send + Sync {
    /// The agent this adapter reads.
    fn agent(&self) -> Agent;

    /// Where the agent keeps its data in `env` (honouring the agent's own env vars).
    /// Roots that do not exist are fine: discovery of a missing root finds nothing.
    fn default_roots(&self, env: &Environment) -> Vec<PathBuf>;

    /// The sources under `roots`, each listed once.
    fn discover(&self, roots: &[PathBuf]) -> Result<Discovery, AdapterError>;

    /// The sessions in one source.
    fn read(&self, source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError>;

    /// Record types this adapter recognises but keeps raw (`EventKind::Opaque`) on purpose,
    /// as documented for the agent. Patterns ending in `*` match a prefix. Any other opaque
    /// type is reported by `convx doctor` as **unknown**: a format change to look at.
    fn known_record_types(&self) -> &'static [&'static str] {
        &[]
    }

    /// Facts about the agent's installation worth telling the user, such as a retention
    /// setting that will delete transcripts. Default: none.
    fn notes(&self, _roots: &[PathBuf]) -> Vec<AgentNote> {
        Vec::new()
    }
}

/// True when `record_type` matches one of `patterns` (exact, or prefix for a pattern
/// ending in `*`).
pub fn matches_record_type(patterns: &[&str], record_type: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => record_type.starts_with(prefix),
        None => *p == record_type,
    })
}

/// A fact about an agent's installation (see [`Adapter::notes`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgentNote {
    /// `warning` when sessions are at risk, else `info`.
    pub level: NoteLevel,
    /// What the user should know, including how to change it.
    pub message: String,
}

/// Severity of an [`AgentNote`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteLevel {
    /// Informational.
    Info,
    /// Sessions are at risk.
    Warning,
}
