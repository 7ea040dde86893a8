//! Finding Gemini session files under `~/.gemini/tmp/<project-id>/chats/`.
//!
//! * main sessions: `chats/session-<YYYY-MM-DDTHH-MM>-<id8>.json` (v0.2–v0.38) or `.jsonl`
//!   (v0.39+);
//! * sub-agents: `chats/<parentSessionId>/<sessionId>.json(l)` (v0.37+);
//! * skipped: `….unreadable-<ms>` backups, `….tmp-<pid>` and `tmp-*` temp files, anything
//!   else.
//!
//! Files sharing the first 8 characters of the session id in one folder are peeked (first
//! bytes only) for their full `sessionId`:
//! * `X.json` + `X.jsonl` with the same id is a migrated session (the CLI copies the legacy
//!   record into a new `.jsonl` and leaves the `.json`): only the `.jsonl` is listed;
//! * other files with the same id are distinct conversations that reused it (before v0.18
//!   `/clear` started a new file with the same id; before v0.37 sub-agents recorded under
//!   the parent's id). The first file by name keeps the plain key, the others get
//!   `<sessionId>@<file time>` (see [`Hint`]).

use super::project::{self, Registry, RootVia};
use crate::{Discovery, Source, fingerprint};
use convx_model::{Agent, Fingerprint, Warning, WarningKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

/// What discovery knows about a source that the file itself does not say. Stored as JSON in
/// [`Source::hint`].
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    /// Project root and how it was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// `project_root_file` or `projects_json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_via: Option<String>,
    /// Native id to use instead of the record's `sessionId` (shared ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native_id: Option<String>,
    /// The session id this file shares with an earlier file of the same folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_with: Option<String>,
    /// Parent session id (sub-agent folder name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// The legacy `.json` this `.jsonl` was migrated from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrated_from: Option<String>,
}

impl Hint {
    /// Parse a source hint (absent or malformed: empty).
    pub fn parse(s: Option<&str>) -> Hint {
        s.and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    fn encode(&self) -> Option<String> {
        (*self != Hint::default()).then(|| serde_json::to_string(self).unwrap_or_default())
    }
}

fn is_session_ext(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e == "json" || e == "jsonl")
}

fn name_of(p: &Path) -> &str {
    p.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn sorted_entries(dir: &Path, warnings: &mut Vec<Warning>) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(rd) => {
            let mut v: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
            v.sort();
            v
        }
        Err(e) => {
            if dir.exists() {
                warnings.push(Warning::new(
                    dir.display().to_string(),
                    None,
                    WarningKind::Unreadable,
                    e.to_string(),
                ));
            }
            Vec::new()
        }
    }
}

/// Project folders (`tmp/<project-id>/` holding `chats/`) under a root, which may be the
/// Gemini home, its `tmp/`, or one project folder.
fn project_dirs(root: &Path, warnings: &mut Vec<Warning>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if root.file_name().is_some_and(|n| n == "chats")
        && let Some(pd) = root.parent()
    {
        return vec![pd.to_path_buf()];
    }
    if root.join("chats").is_dir() {
        out.push(root.to_path_buf());
    }
    let tmp = root.join("tmp");
    let base = if tmp.is_dir() {
        tmp
    } else {
        root.to_path_buf()
    };
    for p in sorted_entries(&base, warnings) {
        if p.join("chats").is_dir() && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// `session-2025-09-01T10-22-ab12cd34` → (`2025-09-01T10-22`, `ab12cd34`).
fn split_stem(stem: &str) -> Option<(&str, &str)> {
    let rest = stem.strip_prefix("session-")?;
    let (time, id8) = rest.rsplit_once('-')?;
    Some((time, id8))
}

/// The `sessionId` written near the start of a session file, read from its first bytes.
pub fn peek_session_id(path: &Path) -> Option<String> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut f = std::fs::File::open(path).ok()?;
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(_) => return None,
        }
    }
    let text = String::from_utf8_lossy(&buf[..n]);
    let at = text.find("\"sessionId\"")? + "\"sessionId\"".len();
    let rest = text[at..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let end = rest.find(['"', '\\'])?;
    Some(rest[..end].to_string())
}

/// Combined fingerprint of a file and the files read with it: sizes summed, newest mtime.
pub fn combined_fingerprint(path: &Path, related: &[PathBuf]) -> std::io::Result<Fingerprint> {
    let mut fp = fingerprint(path)?;
    for r in related {
        if let Ok(f) = fingerprint(r) {
            fp.size += f.size;
            fp.mtime_ns = fp.mtime_ns.max(f.mtime_ns);
        }
    }
    Ok(fp)
}

struct Candidate {
    path: PathBuf,
    hint: Hint,
}

/// Discover every session file under `roots`.
pub fn discover(roots: &[PathBuf]) -> Discovery {
    let mut d = Discovery::default();
    let mut registries: HashMap<PathBuf, Registry> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for root in roots {
        if !root.exists() {
            continue;
        }
        for pd in project_dirs(root, &mut d.warnings) {
            if !seen.insert(pd.clone()) {
                continue;
            }
            // Gemini home = tmp/.. (the registry lives there).
            let home = pd
                .parent()
                .and_then(Path::parent)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let registry = registries
                .entry(home.clone())
                .or_insert_with(|| Registry::load(&home));
            let resolved = project::resolve_folder(&pd, registry);
            let mut related = Vec::new();
            let mut base_hint = Hint::default();
            if let Some((root, via, file)) = &resolved {
                base_hint.root = Some(root.clone());
                base_hint.root_via = Some(via.label().to_string());
                if matches!(via, RootVia::ProjectRootFile | RootVia::Registry) {
                    related.push(file.clone());
                }
            }
            for c in chats_candidates(&pd.join("chats"), &base_hint, &mut d.warnings) {
                match combined_fingerprint(&c.path, &related) {
                    Ok(fp) => d.sources.push(Source {
                        agent: Agent::Gemini,
                        path: c.path,
                        fingerprint: fp,
                        related: related.clone(),
                        hint: c.hint.encode(),
                    }),
                    Err(e) => d.warnings.push(Warning::new(
                        c.path.display().to_string(),
                        None,
                        WarningKind::Unreadable,
                        e.to_string(),
                    )),
                }
            }
        }
    }
    d.sources.sort_by(|a, b| a.path.cmp(&b.path));
    d.sources.dedup_by(|a, b| a.path == b.path);
    d
}

fn chats_candidates(chats: &Path, base: &Hint, warnings: &mut Vec<Warning>) -> Vec<Candidate> {
    let mut out = Vec::new();
    // Top-level main sessions, grouped by the 8-character id prefix in the name.
    let mut groups: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for p in sorted_entries(chats, warnings) {
        let name = name_of(&p);
        if p.is_dir() {
            let parent_id = name.to_string();
            for f in sorted_entries(&p, warnings) {
                let n = name_of(&f);
                if f.is_file()
                    && is_session_ext(&f)
                    && !n.starts_with("tmp-")
                    && !n.starts_with('.')
                {
                    let mut hint = base.clone();
                    hint.parent_id = Some(parent_id.clone());
                    out.push(Candidate { path: f, hint });
                }
            }
            continue;
        }
        if !p.is_file() || !is_session_ext(&p) || !name.starts_with("session-") {
            continue;
        }
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let key = split_stem(stem).map_or_else(|| stem.to_string(), |(_, id8)| id8.to_string());
        groups.entry(key).or_default().push(p);
    }
    for (_, files) in groups {
        if files.len() == 1 {
            out.extend(files.into_iter().map(|path| Candidate {
                path,
                hint: base.clone(),
            }));
            continue;
        }
        // Same prefix: group by the full session id.
        let mut by_id: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
        for f in files {
            let id = peek_session_id(&f).unwrap_or_else(|| format!("?{}", f.display()));
            by_id.entry(id).or_default().push(f);
        }
        for (id, mut files) in by_id {
            files.sort();
            // Migrated pairs: X.json + X.jsonl → keep X.jsonl.
            let stems_jsonl: Vec<PathBuf> = files
                .iter()
                .filter(|f| f.extension().is_some_and(|e| e == "jsonl"))
                .map(|f| f.with_extension(""))
                .collect();
            let mut kept: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
            for f in &files {
                let is_json = f.extension().is_some_and(|e| e == "json");
                if is_json && stems_jsonl.contains(&f.with_extension("")) {
                    continue;
                }
                let migrated = (!is_json && files.contains(&f.with_extension("json")))
                    .then(|| f.with_extension("json"));
                kept.push((f.clone(), migrated));
            }
            kept.sort_by(|a, b| a.0.file_stem().cmp(&b.0.file_stem()));
            for (n, (path, migrated)) in kept.into_iter().enumerate() {
                let mut hint = base.clone();
                hint.migrated_from = migrated.map(|m| m.display().to_string());
                if n > 0 && !id.starts_with('?') {
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                    let suffix = split_stem(stem).map_or(stem, |(t, _)| t);
                    hint.native_id = Some(format!("{id}@{suffix}"));
                    hint.shared_with = Some(id.clone());
                }
                out.push(Candidate { path, hint });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_split() {
        assert_eq!(
            split_stem("session-2025-09-01T10-22-ab12cd34"),
            Some(("2025-09-01T10-22", "ab12cd34"))
        );
        assert_eq!(split_stem("x7k2pq"), None);
    }

    #[test]
    fn peeks_pretty_and_compact_ids() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        std::fs::write(
            &a,
            "{\n  \"sessionId\": \"1234-abcd\",\n  \"projectHash\": \"x\"\n}",
        )
        .unwrap();
        assert_eq!(peek_session_id(&a).as_deref(), Some("1234-abcd"));
        let b = dir.path().join("b.jsonl");
        std::fs::write(&b, "{\"sessionId\":\"zz-9\",\"projectHash\":\"x\"}\n").unwrap();
        assert_eq!(peek_session_id(&b).as_deref(), Some("zz-9"));
    }

    #[test]
    fn hint_round_trips() {
        let h = Hint {
            native_id: Some("a@b".into()),
            ..Hint::default()
        };
        assert_eq!(Hint::parse(h.encode().as_deref()), h);
        assert_eq!(Hint::default().encode(), None);
        assert_eq!(Hint::parse(Some("garbage")), Hint::default());
    }
}
