//! Per-host run state, kept inside the repository's git directory (never committed, so
//! clones and machines never conflict over it): which source files were read at which
//! (size, mtime), which sessions they held, and the file each session was given. It makes
//! a no-change run read nothing, and it keeps every session's file name forever.
//!
//! Losing it is harmless: the next run re-reads every source (writing nothing that did not
//! change) and recovers every session's file name from the keys in the archived JSON.

use super::json::peek_key;
use super::layout::{Layout, META_DIR, md_path};
use super::write::{TempDir, write_if_changed};
use convx_model::Fingerprint;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Version of the state format; another version is ignored (and rebuilt).
pub const STATE_VERSION: u32 = 1;

/// What is remembered about one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceState {
    /// Fingerprint when it was last read completely.
    pub fingerprint: Fingerprint,
    /// Keys of the sessions it held.
    pub keys: Vec<String>,
}

/// What is remembered about one archived session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    /// Repo-relative path of its `.md` (kept forever).
    pub path: String,
    /// Its parent's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Its children's keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<String>,
}

/// The whole state of one (archive, history root, user, host).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// [`STATE_VERSION`].
    pub version: u32,
    /// Renderer version, options and selection: when it changes, every source is re-read.
    pub signature: String,
    /// Source path → what it held.
    pub sources: BTreeMap<String, SourceState>,
    /// Session key → its file.
    pub sessions: BTreeMap<String, SessionState>,
}

/// The state file for `layout` inside `git_dir`.
pub fn state_path(git_dir: &Path, layout: &Layout) -> PathBuf {
    let tag = super::slug::key_hash(&layout.history, 8);
    let kind = match layout.kind {
        super::layout::LayoutKind::Backup => "backup",
        super::layout::LayoutKind::Sync => "sync",
    };
    git_dir
        .join("convx")
        .join("state")
        .join(format!("{kind}-{}@{}-{tag}.json", layout.user, layout.host))
}

impl State {
    /// Load the state; `None` when there is none (or it is unreadable or of another version).
    pub fn load(path: &Path) -> Option<State> {
        let bytes = std::fs::read(path).ok()?;
        let state: State = serde_json::from_slice(&bytes).ok()?;
        (state.version == STATE_VERSION).then_some(state)
    }

    /// Save atomically, only when it changed on disk.
    pub fn save(&self, path: &Path, tmp: &TempDir) -> io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let bytes = serde_json::to_vec(self).map_err(io::Error::other)?;
        write_if_changed(path, &bytes, tmp).map(|_| ())
    }
}

/// Rebuild key → `.md` path from the archived JSON files this user and host own (reading
/// only the first bytes of each).
pub fn recover_paths(repo_root: &Path, layout: &Layout) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let root = layout.user_root();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(repo_root.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{dir}/{name}");
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if name != META_DIR {
                    stack.push(rel);
                }
                continue;
            }
            if !(name.starts_with('.') && name.ends_with(".json")) {
                continue;
            }
            let Some(md) = md_path(&rel).filter(|m| layout.owns(m)) else {
                continue;
            };
            let mut head = vec![0u8; 1024];
            let n = std::fs::File::open(entry.path())
                .and_then(|mut f| f.read(&mut head))
                .unwrap_or(0);
            if let Some(key) = peek_key(&String::from_utf8_lossy(&head[..n])) {
                found
                    .entry(key)
                    .and_modify(|p: &mut String| {
                        if md < *p {
                            *p = md.clone()
                        }
                    })
                    .or_insert(md);
            }
        }
    }
    found
}
