use crate::error::AdapterError;
use convx_model::{Agent, Fingerprint, Session, Warning};
use std::path::{Path, PathBuf};

/// One readable unit of an agent's data: a log file, a session folder, a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The agent.
    pub agent: Agent,
    /// The main path (file, folder or database).
    pub path: PathBuf,
    /// Combined fingerprint of `path` and `related` files.
    pub fingerprint: Fingerprint,
    /// Other files read together with `path` (WAL file, sidecar metadata...).
    pub related: Vec<PathBuf>,
    /// Adapter-specific hint found during discovery (project root, format...).
    pub hint: Option<String>,
}

impl Source {
    /// A source for a single file, fingerprinted now.
    pub fn file(agent: Agent, path: impl Into<PathBuf>) -> Result<Source, AdapterError> {
        let path = path.into();
        let fingerprint = fingerprint(&path).map_err(|e| AdapterError::io(&path, e))?;
        Ok(Source {
            agent,
            path,
            fingerprint,
            related: Vec::new(),
            hint: None,
        })
    }

    /// The path as a display string (used in warnings).
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }
}

/// The (size, mtime) fingerprint of a file.
pub fn fingerprint(path: &Path) -> std::io::Result<Fingerprint> {
    let md = std::fs::metadata(path)?;
    let mtime_ns = md
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Ok(Fingerprint {
        size: md.len(),
        mtime_ns,
    })
}

/// What discovery found under the roots.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Sources, each listed once, sorted by path.
    pub sources: Vec<Source>,
    /// Problems met while walking (unreadable folders...).
    pub warnings: Vec<Warning>,
}

/// How to read a source.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Keep events (false: only summaries, for listings; memory stays bounded).
    pub retain_events: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            retain_events: true,
        }
    }
}

/// The sessions read from one source.
#[derive(Debug, Default)]
pub struct SourceOutput {
    /// Sessions (a file may hold several: in-file sub-agents, databases).
    pub sessions: Vec<Session>,
    /// Problems not attributable to one session.
    pub warnings: Vec<Warning>,
}
