//! The legacy JSON tree (OpenCode ≤ 1.1.x, before the SQLite store), under `<data>/storage/`:
//!
//! * `session/<projectID>/<sessionID>.json` — Session.Info (earliest builds:
//!   `session/info/<sessionID>.json`);
//! * `message/<sessionID>/<messageID>.json` — message info (earliest builds:
//!   `session/message/<sessionID>/<messageID>.json`, with parts inline in `parts`);
//! * `part/<messageID>/<partID>.json` — one part per file (earliest builds:
//!   `session/part/<sessionID>/<messageID>/<partID>.json`).
//!
//! Ids come from paths, never from bodies (OpenCode's own migrations moved files without
//! rewriting them). One session file is one [`Source`]; its message and part files and
//! folders are its `related` paths, so a session that grows changes its fingerprint.

use super::build::{Builder, Part, SessionInfo};
use crate::{AdapterError, ReadOptions, Source, SourceOutput};
use convx_model::{Fingerprint, SourceFile, WarningKind};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Format label of sessions read from the JSON tree.
pub(crate) const FORMAT: &str = "opencode/json";

/// Every `storage/session/<dir>/<id>.json` under `storage`, sorted.
pub(crate) fn session_files(storage: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in sorted_entries(&storage.join("session"))
        .into_iter()
        .filter(|p| p.is_dir())
    {
        for f in sorted_entries(&dir) {
            if f.extension().is_some_and(|e| e == "json") && f.is_file() {
                out.push(f);
            }
        }
    }
    out
}

/// The storage folder of a legacy session file (`<storage>/session/<project>/<id>.json`).
fn storage_of(session_file: &Path) -> Option<&Path> {
    session_file.parent()?.parent()?.parent()
}

/// Session id (file stem) of a session file.
pub(crate) fn session_id(session_file: &Path) -> Option<String> {
    session_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
}

fn message_dir(storage: &Path, sid: &str) -> PathBuf {
    let current = storage.join("message").join(sid);
    if current.is_dir() {
        return current;
    }
    let old = storage.join("session").join("message").join(sid);
    if old.is_dir() { old } else { current }
}

fn part_dir(storage: &Path, sid: &str, mid: &str) -> PathBuf {
    let current = storage.join("part").join(mid);
    if current.is_dir() {
        return current;
    }
    let old = storage.join("session").join("part").join(sid).join(mid);
    if old.is_dir() { old } else { current }
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    sorted_entries(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect()
}

/// Number of message files of a legacy session (to compare with the database copy).
pub(crate) fn message_count(session_file: &Path) -> u64 {
    match (storage_of(session_file), session_id(session_file)) {
        (Some(storage), Some(sid)) => json_files(&message_dir(storage, &sid)).len() as u64,
        _ => 0,
    }
}

/// The source of one legacy session: the session file, with its message/part folders
/// and files as `related` and a fingerprint over all of them (sizes summed, newest mtime;
/// folder mtimes catch added and removed files).
pub(crate) fn source(session_file: &Path) -> Result<Source, AdapterError> {
    let mut fp = crate::fingerprint(session_file).map_err(|e| AdapterError::io(session_file, e))?;
    let mut related = Vec::new();
    if let (Some(storage), Some(sid)) = (storage_of(session_file), session_id(session_file)) {
        let mdir = message_dir(storage, &sid);
        if mdir.is_dir() {
            related.push(mdir.clone());
            for m in json_files(&mdir) {
                let mid = m
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                related.push(m);
                let pdir = part_dir(storage, &sid, &mid);
                if pdir.is_dir() {
                    related.push(pdir.clone());
                    related.extend(json_files(&pdir));
                }
            }
        }
    }
    for r in &related {
        if let Ok(f) = crate::fingerprint(r) {
            // Folder sizes are file-system noise; only their mtimes matter.
            let f = if r.is_dir() {
                Fingerprint { size: 0, ..f }
            } else {
                f
            };
            fp = super::sqlite::combine(fp, f);
        }
    }
    Ok(Source {
        agent: convx_model::Agent::OpenCode,
        path: session_file.to_path_buf(),
        fingerprint: fp,
        related,
        hint: None,
    })
}

/// Read one legacy session.
pub(crate) fn read(source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
    let file = &source.path;
    let bytes = std::fs::read(file).map_err(|e| AdapterError::io(file, e))?;
    let sid = session_id(file).unwrap_or_default();
    let project = file
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().into_owned());
    let project = project.filter(|p| p != "info");
    let parsed: Result<Value, _> = serde_json::from_slice(&bytes);
    let info = match &parsed {
        Ok(v) => SessionInfo::from_legacy(&sid, project.as_deref(), v),
        Err(_) => SessionInfo {
            id: sid.clone(),
            project_id: project.clone(),
            ..SessionInfo::default()
        },
    };
    let sf = SourceFile {
        path: source.display(),
        fingerprint: source.fingerprint,
        format: Some(FORMAT.into()),
    };
    let mut b = Builder::new(&info, sf, opts.retain_events);
    if let Err(e) = parsed {
        b.warn(WarningKind::InvalidJson, format!("session file: {e}"));
    }
    let Some(storage) = storage_of(file) else {
        return Ok(SourceOutput {
            sessions: vec![b.finish()],
            warnings: Vec::new(),
        });
    };
    // Message infos are small: read them all, then order by (created, id).
    let mut messages: Vec<(i64, String, Value)> = Vec::new();
    for m in json_files(&message_dir(storage, &sid)) {
        let mid = m
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match read_json(&m) {
            Ok(v) => {
                let created = v
                    .pointer("/time/created")
                    .or_else(|| v.pointer("/metadata/time/created"))
                    .and_then(Value::as_i64)
                    .unwrap_or(i64::MAX);
                messages.push((created, mid, v));
            }
            Err(e) => b.warn_file(&m.display().to_string(), e.0, e.1),
        }
    }
    messages.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    for (_, mid, data) in messages {
        let mut parts = Vec::new();
        for p in json_files(&part_dir(storage, &sid, &mid)) {
            let pid = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            match read_json(&p) {
                Ok(v) => parts.push(Part { id: pid, data: v }),
                Err(e) => b.warn_file(&p.display().to_string(), e.0, e.1),
            }
        }
        b.message(&mid, None, &data, &parts);
    }
    Ok(SourceOutput {
        sessions: vec![b.finish()],
        warnings: Vec::new(),
    })
}

fn read_json(path: &Path) -> Result<Value, (WarningKind, String)> {
    let bytes = std::fs::read(path).map_err(|e| (WarningKind::Unreadable, e.to_string()))?;
    if bytes.trim_ascii().is_empty() {
        return Err((WarningKind::EmptyFile, "empty file".into()));
    }
    serde_json::from_slice(&bytes).map_err(|e| (WarningKind::InvalidJson, e.to_string()))
}
