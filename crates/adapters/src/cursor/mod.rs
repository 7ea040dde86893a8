//! Cursor adapter (IDE chat, Composer and Agent; closed source, format reverse-engineered
//! by third parties — read defensively).
//!
//! Root (`default_roots`): the VS Code–style `User` folder — Linux
//! `$XDG_CONFIG_HOME/Cursor/User` (default `~/.config/Cursor/User`), macOS
//! `~/Library/Application Support/Cursor/User`, Windows `%APPDATA%\Cursor\User` (default
//! `~\AppData\Roaming\Cursor\User`).
//!
//! One [`Source`] per `User` folder: its `globalStorage/state.vscdb` (the folder itself
//! when there is no global database), with every `workspaceStorage/<hash>/state.vscdb`,
//! `workspace.json` and the `-wal`/`-shm` files as `related`. A chat's folder is only known
//! from the workspace databases, and an old chat may live in a workspace database only,
//! so they are read together; the fingerprint covers all databases, their WALs and the
//! `workspace.json` files (not the `-shm` files, which readers write).
//!
//! Sessions are keyed `cursor:<composerId>` (legacy chat-panel tabs: `cursor:<tabId>`).
//! See [`store`] for the reconstruction and [`bubble`] for the message mapping. Cursor's
//! token counts are unreliable (mostly zero): they are mapped when non-zero and the
//! session is marked `metadata.usage_reliable = false`.

mod bubble;
mod store;
mod workspace;

use crate::{Adapter, AdapterError, Discovery, Environment, Os, ReadOptions, Source, SourceOutput};
use convx_model::Agent;
use std::path::{Path, PathBuf};

/// Reads Cursor session logs.
#[derive(Debug, Default, Clone, Copy)]
pub struct CursorAdapter;

impl Adapter for CursorAdapter {
    fn agent(&self) -> Agent {
        Agent::Cursor
    }

    fn default_roots(&self, env: &Environment) -> Vec<PathBuf> {
        let base = match env.os {
            Os::Linux => env
                .var("XDG_CONFIG_HOME")
                .map_or_else(|| env.home.join(".config"), PathBuf::from),
            Os::MacOs => env.home.join("Library").join("Application Support"),
            Os::Windows => env
                .var("APPDATA")
                .map_or_else(|| env.home.join("AppData").join("Roaming"), PathBuf::from),
        };
        vec![base.join("Cursor").join("User")]
    }

    fn discover(&self, roots: &[PathBuf]) -> Result<Discovery, AdapterError> {
        let mut out = Discovery::default();
        for root in roots {
            if let Some(s) = source_of(root) {
                out.sources.push(s);
            }
        }
        out.sources.sort_by(|a, b| a.path.cmp(&b.path));
        out.sources.dedup_by(|a, b| a.path == b.path);
        Ok(out)
    }

    fn read(&self, source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
        store::read(source, opts)
    }
}

/// The source of a `User` folder, when it holds any Cursor database.
fn source_of(user: &Path) -> Option<Source> {
    if !user.is_dir() {
        return None;
    }
    let (main, fingerprint, related) = store::source_parts(user);
    if main.is_none() && store::workspace_dbs(user).is_empty() {
        return None;
    }
    let path = main.unwrap_or_else(|| user.to_path_buf());
    Some(Source {
        agent: Agent::Cursor,
        path,
        fingerprint,
        related,
        hint: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_per_os() {
        let a = CursorAdapter;
        let linux = Environment::new("/home/ana").with_os(Os::Linux);
        assert_eq!(
            a.default_roots(&linux),
            vec![PathBuf::from("/home/ana/.config/Cursor/User")]
        );
        let xdg = linux.with_var("XDG_CONFIG_HOME", "/cfg");
        assert_eq!(
            a.default_roots(&xdg),
            vec![PathBuf::from("/cfg/Cursor/User")]
        );
        let mac = Environment::new("/Users/ana")
            .with_os(Os::MacOs)
            .with_var("XDG_CONFIG_HOME", "/ignored");
        assert_eq!(
            a.default_roots(&mac),
            vec![PathBuf::from(
                "/Users/ana/Library/Application Support/Cursor/User"
            )]
        );
        let win = Environment::new(r"C:\Users\ana").with_os(Os::Windows);
        assert_eq!(
            a.default_roots(&win),
            vec![
                PathBuf::from(r"C:\Users\ana")
                    .join("AppData")
                    .join("Roaming")
                    .join("Cursor")
                    .join("User")
            ]
        );
        let win = win.with_var("APPDATA", r"D:\Profiles\ana\Roaming");
        assert_eq!(
            a.default_roots(&win),
            vec![
                PathBuf::from(r"D:\Profiles\ana\Roaming")
                    .join("Cursor")
                    .join("User")
            ]
        );
    }

    #[test]
    fn missing_or_empty_root_finds_nothing() {
        let d = CursorAdapter
            .discover(&[PathBuf::from("/nonexistent/Cursor/User")])
            .unwrap();
        assert!(d.sources.is_empty());
        let tmp = tempfile::tempdir().unwrap();
        assert!(
            CursorAdapter
                .discover(&[tmp.path().to_path_buf()])
                .unwrap()
                .sources
                .is_empty()
        );
    }
}
