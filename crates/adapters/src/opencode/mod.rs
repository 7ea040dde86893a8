//! OpenCode adapter (`sst/opencode`, now `anomalyco/opencode`).
//!
//! Data dir (`default_roots`): `$OPENCODE_DATA_DIR`, else `$XDG_DATA_HOME/opencode`, else
//! `~/.local/share/opencode` — on every OS, since OpenCode uses `xdg-basedir`, which does
//! not switch to `~/Library` or `%APPDATA%`.
//!
//! Two stores, both read:
//! * the SQLite database `opencode.db` (≥ 1.2.0; other channels `opencode-<channel>.db`),
//!   one [`Source`] per database file with its `-wal`/`-shm` as `related` ([`db`]); since
//!   OpenCode 2 the same file holds `session_v2`/`session_message`, read per session
//!   instead of the frozen `message`/`part` rows ([`v2`]);
//! * the legacy JSON tree `storage/` (≤ 1.1.x), one [`Source`] per session file ([`legacy`]).
//!
//! OpenCode imports the JSON tree into each database it creates and leaves the files
//! behind, so one session can be in several stores. Discovery lists it **once**: the copy
//! with the most messages wins; on a tie a database beats the JSON tree and `opencode.db`
//! beats channel databases. A database that loses a session gets it in its source hint
//! (`{"skip": [...]}`) and does not report it.
//!
//! Mapping (see `build.rs`): user `text` parts → one `UserPrompt` per message (with `file`
//! parts as attachments); `synthetic` text → `Context{synthetic}`, `ignored` text →
//! `Context{ignored}`; a per-message `system` prompt → `Context{system}` (once while it
//! does not change); assistant `text` → `AssistantText` (`Context{compact_summary}` in a
//! `summary: true` message); `reasoning` → `Reasoning`; `tool` → `ToolCall` (+ `ToolResult`
//! when completed or failed, `PlanUpdate` for `todowrite`; the `task` tool's child session
//! id → `subagent`); `compaction` → `Compaction`; `subtask` → `Context{subtask}`;
//! `step-start`, `step-finish`, `patch`, `snapshot`, `agent`, `retry` and unknown parts →
//! `Opaque` (`part/<type>`); an assistant `error` → `Opaque{assistant_error}`.
//! Usage: the assistant message's `tokens`/`cost`, once per message (dedup key = message
//! id); the `step-finish` parts only when the message has no totals (see [`usage`]).
//! A session's `revert` marks the hidden messages after it as abandoned.

mod build;
mod db;
mod legacy;
mod shapes;
pub(crate) mod sqlite;
mod usage;
mod v2;

use crate::{Adapter, AdapterError, Discovery, Environment, ReadOptions, Source, SourceOutput};
use convx_model::{Agent, Warning, WarningKind};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Reads OpenCode session logs.
#[derive(Debug, Default, Clone, Copy)]
pub struct OpenCodeAdapter;

impl Adapter for OpenCodeAdapter {
    fn known_record_types(&self) -> &'static [&'static str] {
        &[
            // §4.4 part types with no transcript text of their own.
            "part/step-start",
            "part/step-finish",
            "part/snapshot",
            "part/patch",
            "part/retry",
            "part/agent",
            "part/subtask",
            "part/file",
            "part/compaction",
            "session_message/*",
        ]
    }

    fn agent(&self) -> Agent {
        Agent::OpenCode
    }

    fn default_roots(&self, env: &Environment) -> Vec<PathBuf> {
        if let Some(dir) = env.var("OPENCODE_DATA_DIR") {
            return vec![PathBuf::from(dir)];
        }
        let data = match env.var("XDG_DATA_HOME") {
            Some(x) => PathBuf::from(x),
            None => env.home.join(".local").join("share"),
        };
        vec![data.join("opencode")]
    }

    fn discover(&self, roots: &[PathBuf]) -> Result<Discovery, AdapterError> {
        let mut out = Discovery::default();
        let mut seen = std::collections::HashSet::new();
        for root in roots {
            if root.is_dir() && seen.insert(root.clone()) {
                discover_root(root, &mut out);
            }
        }
        out.sources.sort_by(|a, b| a.path.cmp(&b.path));
        out.sources.dedup_by(|a, b| a.path == b.path);
        Ok(out)
    }

    fn read(&self, source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
        if is_database(&source.path) {
            db::read(source, opts)
        } else {
            legacy::read(source, opts)
        }
    }
}

/// `opencode.db` or `opencode-<channel>.db`.
fn is_database(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name == "opencode.db" || (name.starts_with("opencode-") && name.ends_with(".db"))
}

/// Which store a session is listed from.
#[derive(Clone, Copy)]
enum Owner {
    Db(usize),
    Legacy(usize),
}

fn discover_root(root: &Path, out: &mut Discovery) {
    let mut dbs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_database(p))
                .collect()
        })
        .unwrap_or_default();
    // Priority on ties: the main database, then channel databases by name.
    dbs.sort_by_key(|p| (p.file_name().is_none_or(|n| n != "opencode.db"), p.clone()));
    let mut counts: Vec<BTreeMap<String, u64>> = Vec::new();
    for db in &dbs {
        match db::message_counts(db) {
            Ok(c) => counts.push(c),
            Err(e) => {
                out.warnings.push(Warning::new(
                    db.display().to_string(),
                    None,
                    WarningKind::Unreadable,
                    e.to_string(),
                ));
                counts.push(BTreeMap::new());
            }
        }
    }
    let legacy_files = legacy::session_files(&root.join("storage"));
    let mut winners: HashMap<String, (Owner, u64)> = HashMap::new();
    for (i, c) in counts.iter().enumerate() {
        for (id, &n) in c {
            let replace = winners.get(id).is_none_or(|w| n > w.1);
            if replace {
                winners.insert(id.clone(), (Owner::Db(i), n));
            }
        }
    }
    for (i, f) in legacy_files.iter().enumerate() {
        let Some(id) = legacy::session_id(f) else {
            continue;
        };
        let n = legacy::message_count(f);
        if winners.get(&id).is_none_or(|w| n > w.1) {
            winners.insert(id, (Owner::Legacy(i), n));
        }
    }
    for (i, db) in dbs.iter().enumerate() {
        let skip: Vec<&String> = counts[i]
            .keys()
            .filter(|id| !matches!(winners.get(*id), Some((Owner::Db(w), _)) if *w == i))
            .collect();
        let fingerprint = match sqlite::db_fingerprint(db) {
            Ok(f) => f,
            Err(e) => {
                out.warnings.push(Warning::new(
                    db.display().to_string(),
                    None,
                    WarningKind::Unreadable,
                    e.to_string(),
                ));
                continue;
            }
        };
        let (wal, shm) = sqlite::companions(db);
        let related = [wal, shm].into_iter().filter(|p| p.exists()).collect();
        let hint = (!skip.is_empty()).then(|| serde_json::json!({ "skip": skip }).to_string());
        out.sources.push(Source {
            agent: Agent::OpenCode,
            path: db.clone(),
            fingerprint,
            related,
            hint,
        });
    }
    for (i, f) in legacy_files.iter().enumerate() {
        let Some(id) = legacy::session_id(f) else {
            continue;
        };
        if !matches!(winners.get(&id), Some((Owner::Legacy(w), _)) if *w == i) {
            continue;
        }
        match legacy::source(f) {
            Ok(s) => out.sources.push(s),
            Err(e) => out.warnings.push(Warning::new(
                f.display().to_string(),
                None,
                WarningKind::Unreadable,
                e.to_string(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Os;

    #[test]
    fn roots_follow_env_and_xdg() {
        let a = OpenCodeAdapter;
        let env = Environment::new("/home/li").with_os(Os::Linux);
        assert_eq!(
            a.default_roots(&env),
            vec![PathBuf::from("/home/li/.local/share/opencode")]
        );
        let mac = Environment::new("/Users/li").with_os(Os::MacOs);
        assert_eq!(
            a.default_roots(&mac),
            vec![PathBuf::from("/Users/li/.local/share/opencode")]
        );
        let win = Environment::new(r"C:\Users\li")
            .with_os(Os::Windows)
            .with_var("APPDATA", r"C:\Users\li\AppData\Roaming");
        assert_eq!(
            a.default_roots(&win),
            vec![
                PathBuf::from(r"C:\Users\li")
                    .join(".local")
                    .join("share")
                    .join("opencode")
            ]
        );
        let xdg = env.clone().with_var("XDG_DATA_HOME", "/data");
        assert_eq!(a.default_roots(&xdg), vec![PathBuf::from("/data/opencode")]);
        let own = xdg.with_var("OPENCODE_DATA_DIR", "/srv/oc");
        assert_eq!(a.default_roots(&own), vec![PathBuf::from("/srv/oc")]);
    }

    #[test]
    fn database_names() {
        assert!(is_database(Path::new("/x/opencode.db")));
        assert!(is_database(Path::new("/x/opencode-dev.db")));
        assert!(!is_database(Path::new("/x/opencode.db-wal")));
        assert!(!is_database(Path::new("/x/other.db")));
        assert!(!is_database(Path::new("/x/storage/session/p/ses_1.json")));
    }

    #[test]
    fn missing_root_finds_nothing() {
        let d = OpenCodeAdapter
            .discover(&[PathBuf::from("/nonexistent/opencode")])
            .unwrap();
        assert!(d.sources.is_empty() && d.warnings.is_empty());
    }
}
