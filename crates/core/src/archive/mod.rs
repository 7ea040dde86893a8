//! The archive: every session kept durably and readably in a Git repository, as Markdown
//! plus the hidden normalized JSON.
//!
//! Two shapes ([`layout`]): `backup` writes everything into a dedicated repository
//! (`<history>/<user>/<agent>/<host>/<cwd relative to home>/<stem>.md`), `sync` writes one
//! project's sessions into that project (`<history>/<user>/<agent>/<stem>.md`, flat).
//!
//! A run ([`run::run`]):
//! 1. discovers sources and skips every one whose (size, mtime) is unchanged since it was
//!    last read completely (per-host [`state`], kept in the git directory);
//! 2. reads the others in parallel, together with the sources of their related sessions
//!    (parents, children, other copies), so links and usage deduplication come out the
//!    same as in a full run;
//! 3. redacts every session ([`guard::Guard`]), renders Markdown and JSON, scans the
//!    rendered bytes for residue (a finding withholds the session), and writes only files
//!    whose bytes changed, atomically ([`write`]);
//! 4. updates the per-host [`manifest`] and state.
//!
//! The CLI holds the [`lock`] around a run and does the [`git`] work.

pub mod git;
pub mod guard;
pub mod hooks;
mod jobs;
pub mod json;
pub mod layout;
pub mod lock;
pub mod manifest;
pub mod markdown;
mod plan;
pub mod run;
pub mod select;
pub mod slug;
pub mod source;
pub mod state;
pub mod verify;
pub mod write;

pub use guard::Guard;
pub use layout::{Layout, LayoutKind};
pub use markdown::RenderOptions;
pub use run::{ArchiveOptions, Report, run};
pub use select::Selection;
pub use source::{AdapterSource, JsonDirSource, SessionSource};

/// An archive run failed as a whole (single sessions and sources fail alone, in the report).
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A file in the archive or the git directory could not be read or written.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: std::path::PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

impl ArchiveError {
    fn io(
        what: &'static str,
        path: impl Into<std::path::PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> ArchiveError {
        let path = path.into();
        move |source| ArchiveError::Io { what, path, source }
    }
}

/// Progress of a run, for a progress bar. All methods may be called from several threads.
pub trait Progress: Sync {
    /// A phase starts (`reading`, `writing`) with `total` steps.
    fn phase(&self, _name: &'static str, _total: u64) {}
    /// `n` steps of the current phase are done.
    fn inc(&self, _n: u64) {}
    /// A session was written (`new` or updated).
    fn wrote(&self, _new: bool) {}
}

/// No progress reporting.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}
