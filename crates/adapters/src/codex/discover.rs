//! Finding rollouts under a Codex home (§1.1): `sessions/**/rollout-*.jsonl` (dated folders
//! and the older flat layout), flat `archived_sessions/`, `.jsonl.zst` variants; each
//! rollout listed once. Thread names from `session_index.jsonl` ride along as a hint.

use super::reader::{file_id, uuid_suffix};
use crate::{Discovery, Source, fingerprint, jsonl};
use convx_model::{Agent, Fingerprint, Warning, WarningKind};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How deep to walk below `sessions/` (`YYYY/MM/DD` is 3).
const MAX_DEPTH: usize = 6;

struct Candidate {
    /// 0 = `sessions/`, 1 = `archived_sessions/`, 2 = elsewhere; then 0 = plain, 1 = `.zst`.
    rank: (u8, u8),
    path: PathBuf,
    index: Option<usize>,
}

/// Is `name` a rollout file we read?
pub(super) fn is_rollout(name: &str) -> bool {
    name.starts_with("rollout-") && (name.ends_with(".jsonl") || name.ends_with(".jsonl.zst"))
}

pub(super) fn discover(roots: &[PathBuf]) -> Discovery {
    let mut warnings = Vec::new();
    let mut best: HashMap<String, Candidate> = HashMap::new();
    let mut indexes: Vec<(PathBuf, HashMap<String, String>)> = Vec::new();
    for root in roots {
        let mut found: Vec<(PathBuf, u8)> = Vec::new();
        if root.is_file() {
            if root
                .file_name()
                .is_some_and(|n| is_rollout(&n.to_string_lossy()))
            {
                found.push((root.clone(), 2));
            }
        } else if root.is_dir() {
            let sessions = root.join("sessions");
            let archived = root.join("archived_sessions");
            if sessions.is_dir() || archived.is_dir() {
                walk(&sessions, 0, MAX_DEPTH, &mut found, &mut warnings);
                walk(&archived, 1, 0, &mut found, &mut warnings);
            } else {
                // A folder of rollouts given directly (e.g. `--input codex=~/.codex/sessions`).
                walk(root, 2, MAX_DEPTH, &mut found, &mut warnings);
            }
            let index_path = root.join("session_index.jsonl");
            if index_path.is_file() {
                indexes.push((index_path.clone(), read_index(&index_path, &mut warnings)));
            }
        }
        let index = root
            .join("session_index.jsonl")
            .is_file()
            .then(|| indexes.len() - 1);
        for (path, loc) in found {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let zst = u8::from(name.ends_with(".zst"));
            let key = name.strip_suffix(".zst").unwrap_or(&name).to_string();
            let cand = Candidate {
                rank: (loc, zst),
                path,
                index,
            };
            match best.get(&key) {
                Some(old) if (old.rank, &old.path) <= (cand.rank, &cand.path) => {}
                _ => {
                    best.insert(key, cand);
                }
            }
        }
    }
    let mut sources = Vec::new();
    for cand in best.into_values() {
        let fp = match fingerprint(&cand.path) {
            Ok(fp) => fp,
            Err(e) => {
                warnings.push(Warning::new(
                    cand.path.display().to_string(),
                    None,
                    WarningKind::Unreadable,
                    e.to_string(),
                ));
                continue;
            }
        };
        let mut src = Source {
            agent: Agent::Codex,
            path: cand.path,
            fingerprint: fp,
            related: Vec::new(),
            hint: None,
        };
        if let Some((index_path, names)) = cand.index.and_then(|i| indexes.get(i)) {
            let id = file_id(&src.path);
            if let Some(title) = names.get(&id) {
                src.hint = Some(json!({ "title": title }).to_string());
                src.related.push(index_path.clone());
                // A renamed thread changes the index only: fold its mtime into this source's.
                if let Ok(ifp) = fingerprint(index_path) {
                    src.fingerprint = Fingerprint {
                        size: fp.size,
                        mtime_ns: fp.mtime_ns.max(ifp.mtime_ns),
                    };
                }
            }
        }
        sources.push(src);
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    Discovery { sources, warnings }
}

fn walk(
    dir: &Path,
    loc: u8,
    depth: usize,
    out: &mut Vec<(PathBuf, u8)>,
    warnings: &mut Vec<Warning>,
) {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
        Err(e) => {
            warnings.push(Warning::new(
                dir.display().to_string(),
                None,
                WarningKind::Unreadable,
                e.to_string(),
            ));
            return;
        }
    };
    for entry in rd.flatten() {
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        let is_dir = ft.is_dir() || (ft.is_symlink() && path.is_dir());
        if is_dir {
            if depth > 0 {
                walk(&path, loc, depth - 1, out, warnings);
            }
        } else if entry.file_name().to_str().is_some_and(is_rollout) {
            out.push((path, loc));
        }
    }
}

/// `session_index.jsonl`: `{id, thread_name, updated_at}` per line, the last entry per id wins.
fn read_index(path: &Path, warnings: &mut Vec<Warning>) -> HashMap<String, String> {
    let mut names = HashMap::new();
    let Ok(reader) = jsonl::open(path) else {
        return names;
    };
    let file = path.display().to_string();
    let mut w = Vec::new();
    jsonl::for_each_line(reader, &file, &mut w, |line| {
        let id = line.value.get("id").and_then(Value::as_str);
        let name = line.value.get("thread_name").and_then(Value::as_str);
        if let Some(id) = id {
            let id = uuid_suffix(id).unwrap_or(id).to_string();
            match name.filter(|n| !n.trim().is_empty()) {
                Some(n) => {
                    names.insert(id, n.to_string());
                }
                None => {
                    names.remove(&id);
                }
            }
        }
    });
    warnings.extend(w.into_iter().filter(|w| w.kind != WarningKind::EmptyFile));
    names
}
