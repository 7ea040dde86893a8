//! GitHub Copilot CLI adapter (`copilot`, npm `@github/copilot`).
//!
//! Layout under `~/.copilot` (or `$COPILOT_HOME`):
//! * current: `session-state/<sessionId>/events.jsonl` (+ `workspace.yaml`, read for the
//!   title and fingerprinted with the session; `checkpoints/`, `files/` are not sessions);
//! * legacy: `session-state/<sessionId>.jsonl` (same event envelope). When both exist for one
//!   id, only the folder is listed.
//!
//! Events are mapped by the `events` module. Usage is a per-session aggregate: only
//! `session.shutdown.modelMetrics` is persisted (see [`usage`]).

mod events;
pub mod usage;
mod workspace;

use crate::{
    Adapter, AdapterError, Discovery, Environment, ReadOptions, Source, SourceOutput, fingerprint,
    jsonl,
};
use convx_model::{Agent, Fingerprint, Session, SourceFile, Warning, WarningKind};
use std::path::{Path, PathBuf};

/// Reads GitHub Copilot CLI session logs.
#[derive(Debug, Default, Clone, Copy)]
pub struct CopilotAdapter;

impl Adapter for CopilotAdapter {
    fn known_record_types(&self) -> &'static [&'static str] {
        &[
            // §6.1: the documented event namespaces (≈150 types; only some are transcript).
            "session.*",
            "assistant.*",
            "user.*",
            "tool.*",
            "subagent.*",
            "custom_agent.*",
            "hook.*",
            "skill.*",
            "permission.*",
            "system.*",
            "abort",
        ]
    }

    fn agent(&self) -> Agent {
        Agent::Copilot
    }

    /// `$COPILOT_HOME` when set, else `<home>/.copilot` (on Windows the CLI passes the
    /// `%USERPROFILE%` home, so the same rule gives `%USERPROFILE%\.copilot`).
    fn default_roots(&self, env: &Environment) -> Vec<PathBuf> {
        match env.var("COPILOT_HOME") {
            Some(h) => vec![PathBuf::from(h)],
            None => vec![home(env).join(".copilot")],
        }
    }

    fn discover(&self, roots: &[PathBuf]) -> Result<Discovery, AdapterError> {
        Ok(discover(roots))
    }

    fn read(&self, source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
        read(source, opts)
    }
}

/// The user's home as the CLI sees it: `%USERPROFILE%` on Windows, the environment's home
/// elsewhere.
fn home(env: &Environment) -> PathBuf {
    match (env.os, env.var("USERPROFILE")) {
        (crate::Os::Windows, Some(p)) => PathBuf::from(p),
        _ => env.home.clone(),
    }
}

const EVENTS_FILE: &str = "events.jsonl";
const WORKSPACE_FILE: &str = "workspace.yaml";

fn combined(path: &Path, related: &[PathBuf]) -> std::io::Result<Fingerprint> {
    let mut fp = fingerprint(path)?;
    for r in related {
        if let Ok(f) = fingerprint(r) {
            fp.size += f.size;
            fp.mtime_ns = fp.mtime_ns.max(f.mtime_ns);
        }
    }
    Ok(fp)
}

fn discover(roots: &[PathBuf]) -> Discovery {
    let mut d = Discovery::default();
    for root in roots {
        let state = if root.file_name().is_some_and(|n| n == "session-state") {
            root.clone()
        } else {
            root.join("session-state")
        };
        if !state.is_dir() {
            continue;
        }
        let entries = match std::fs::read_dir(&state) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect::<Vec<_>>(),
            Err(e) => {
                d.warnings.push(Warning::new(
                    state.display().to_string(),
                    None,
                    WarningKind::Unreadable,
                    e.to_string(),
                ));
                continue;
            }
        };
        for p in &entries {
            let (path, related) = if p.is_dir() {
                let events = p.join(EVENTS_FILE);
                if !events.is_file() {
                    continue;
                }
                let ws = p.join(WORKSPACE_FILE);
                (events, if ws.is_file() { vec![ws] } else { Vec::new() })
            } else if p.is_file() && p.extension().is_some_and(|e| e == "jsonl") {
                // Legacy flat file; superseded by a folder of the same id.
                if p.with_extension("").join(EVENTS_FILE).is_file() {
                    continue;
                }
                (p.clone(), Vec::new())
            } else {
                continue;
            };
            match combined(&path, &related) {
                Ok(fp) => d.sources.push(Source {
                    agent: Agent::Copilot,
                    path,
                    fingerprint: fp,
                    related,
                    hint: None,
                }),
                Err(e) => d.warnings.push(Warning::new(
                    path.display().to_string(),
                    None,
                    WarningKind::Unreadable,
                    e.to_string(),
                )),
            }
        }
    }
    d.sources.sort_by(|a, b| a.path.cmp(&b.path));
    d.sources.dedup_by(|a, b| a.path == b.path);
    d
}

fn read(source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
    let path = &source.path;
    let src = source.display();
    let current = path.file_name().is_some_and(|n| n == EVENTS_FILE);
    let fallback_id = if current {
        path.parent().and_then(Path::file_name)
    } else {
        path.file_stem()
    }
    .and_then(|n| n.to_str())
    .unwrap_or("session")
    .to_string();
    let mut session = Session::new(Agent::Copilot, fallback_id.clone());
    session.retain_events = opts.retain_events;
    let mut r = events::Reader::new(session, src.clone());
    let mut warnings = Vec::new();
    let mut lines = 0u64;
    jsonl::for_each_line(jsonl::open(path)?, &src, &mut warnings, |line| {
        lines += 1;
        r.line(line.number, &line.value);
    });
    let mut out = SourceOutput::default();
    if lines == 0 {
        out.warnings = warnings;
        return Ok(out);
    }
    r.finish_metadata();
    let id = r.session_id.clone().unwrap_or(fallback_id);
    let mut s = r.session;
    s.warnings.extend(warnings);
    s.warnings.sort_by_key(|w| w.line.unwrap_or(u64::MAX));
    s.key = Session::key_for(Agent::Copilot, &id);
    s.id = id;
    if current {
        let ws = workspace::read(&path.with_file_name(WORKSPACE_FILE));
        s.title = ws
            .get("name")
            .or_else(|| ws.get("summary"))
            .filter(|t| !t.trim().is_empty())
            .cloned();
        if s.cwd.is_none() {
            s.cwd = ws.get("cwd").cloned();
        }
    }
    s.sources.push(SourceFile {
        path: path.display().to_string(),
        fingerprint: source.fingerprint,
        format: Some(
            if current {
                "copilot/events"
            } else {
                "copilot/legacy-flat"
            }
            .to_string(),
        ),
    });
    out.sessions.push(s);
    Ok(out)
}
