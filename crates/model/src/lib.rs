//! # convx-model
//!
//! The normalized session model shared by every convx crate. Pure data: no I/O,
//! no environment, no printing.
//!
//! A [`Session`] is one conversation with one coding agent, identified by a stable
//! [`Session::key`] of the form `<agent>:<native id>`. It holds metadata (times, cwd,
//! git, models, source files) and an ordered list of [`Event`]s: user prompts,
//! assistant text, reasoning, tool calls and results, injected context, plan updates,
//! compactions and opaque (unknown) records.
//!
//! Token usage has **one meaning for every agent**, see [`Usage`].
//!
//! ```
//! use convx_model::{Agent, Session, Event, EventKind, Usage, CallUsage};
//! let mut s = Session::new(Agent::Codex, "0199-abc");
//! s.push(Event::new(EventKind::UserPrompt { text: "fix the test".into(), attachments: vec![] }));
//! let mut reply = Event::new(EventKind::AssistantText { text: "done".into() });
//! reply.usage = Some(CallUsage::new(Some("gpt-5".into()), Usage { input: 10, output: 5, ..Usage::default() }, "k1"));
//! s.push(reply);
//! assert_eq!(s.key, "codex:0199-abc");
//! assert_eq!(s.summary.counts.user_prompts, 1);
//! assert_eq!(s.summary.usage.total(), 15);
//! ```

mod agent;
mod event;
mod session;
mod summary;
mod usage;
mod warning;

pub use agent::{Agent, UnknownAgentError};
pub use event::{Attachment, CallUsage, Event, EventKind, PlanStep, PlanStepStatus};
pub use session::{
    Fingerprint, GitInfo, RedactionRecord, Session, SessionKind, SourceFile, truncate_chars,
};
pub use summary::{CallRecord, Counts, Summary, UNKNOWN_MODEL};
pub use usage::Usage;
pub use warning::{Warning, WarningKind};

/// Version of the normalized JSON schema. Bump when a field changes meaning or is removed;
/// adding optional fields does not require a bump.
pub const SCHEMA_VERSION: u32 = 1;

/// Timestamps are UTC instants.
pub type Timestamp = jiff::Timestamp;
