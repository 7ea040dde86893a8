//! Gemini CLI adapter (`google-gemini/gemini-cli`, chat recording since v0.2.0).
//!
//! Layout: `~/.gemini` (or `$GEMINI_CLI_HOME/.gemini`) → `tmp/<project-id>/chats/`, where the
//! project id is the SHA-256 of the project root (v0.2–v0.28) or a slug with a
//! `.project_root` file (v0.29+). See [`discover`] for the file rules.
//!
//! Generations handled, detected per file:
//! * `gemini/json`: one `ConversationRecord` document (v0.2–v0.38); `content` a string
//!   (v0.2–v0.3) or a Part list (v0.4+); info/error/warning messages (v0.18+), `summary`
//!   (v0.21+), `directories` (v0.28+), `kind` (v0.31+);
//! * `gemini/jsonl`: the v0.39+ state log, replayed by the `replay` module: re-appended messages
//!   (last version wins), `$set` (metadata, `messages` checkpoints), `$rewindTo`.
//!
//! Usage: one call per `gemini` message with `tokens`, `dedup_key` = message id; the
//! mapping to normalized tokens is in [`usage`].

mod content;
mod context;
pub mod discover;
mod json;
mod messages;
mod project;
mod replay;
mod tools;
pub mod usage;

use crate::{Adapter, AdapterError, Discovery, Environment, ReadOptions, Source, SourceOutput};
use convx_model::{Agent, Session, SessionKind, SourceFile, WarningKind};
use discover::Hint;
use messages::Builder;
use project::{PathCandidates, Registry, RootVia};
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Reads Gemini CLI session logs.
#[derive(Debug, Default, Clone, Copy)]
pub struct GeminiAdapter;

impl Adapter for GeminiAdapter {
    fn agent(&self) -> Agent {
        Agent::Gemini
    }

    /// `$GEMINI_CLI_HOME/.gemini` when `GEMINI_CLI_HOME` is set, else `<home>/.gemini`
    /// (`%USERPROFILE%\.gemini` on Windows, where the CLI passes that as the home).
    fn default_roots(&self, env: &Environment) -> Vec<PathBuf> {
        match env.var("GEMINI_CLI_HOME") {
            Some(h) => vec![PathBuf::from(h).join(".gemini")],
            None => vec![home(env).join(".gemini")],
        }
    }

    fn discover(&self, roots: &[PathBuf]) -> Result<Discovery, AdapterError> {
        Ok(discover::discover(roots))
    }

    fn read(&self, source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
        read_source(source, opts)
    }
}

/// The user's home as the CLI sees it: `%USERPROFILE%` on Windows (Node's `os.homedir()`),
/// the environment's home elsewhere.
fn home(env: &Environment) -> PathBuf {
    match (env.os, env.var("USERPROFILE")) {
        (crate::Os::Windows, Some(p)) => PathBuf::from(p),
        _ => env.home.clone(),
    }
}

/// Session-level fields of a record (metadata line, `$set`, legacy document keys).
#[derive(Debug, Default)]
pub struct Meta {
    fields: Map<String, Value>,
}

impl Meta {
    /// Set a field (later values win).
    pub fn set(&mut self, key: &str, v: Value) {
        self.fields.insert(key.to_string(), v);
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key).filter(|v| !v.is_null())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Jsonl,
    Empty,
}

/// JSONL when one of the first two non-blank lines is a complete JSON object (the first may
/// be damaged), else a JSON document (pretty-printed legacy records start with a bare `{`).
fn sniff(path: &Path) -> Result<Format, AdapterError> {
    let file = std::fs::File::open(path).map_err(|e| AdapterError::io(path, e))?;
    let mut r = BufReader::new(file);
    let mut buf = Vec::new();
    let mut seen = 0;
    loop {
        buf.clear();
        let n = r
            .read_until(b'\n', &mut buf)
            .map_err(|e| AdapterError::io(path, e))?;
        if n == 0 {
            return Ok(if seen == 0 {
                Format::Empty
            } else {
                Format::Json
            });
        }
        let line = buf.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(&buf);
        if line.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
            continue;
        }
        // Validate without building a value (the first line may be a whole legacy record).
        let line = line.trim_ascii();
        if line.starts_with(b"{") && serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok() {
            return Ok(Format::Jsonl);
        }
        seen += 1;
        if seen == 2 {
            return Ok(Format::Json);
        }
    }
}

fn read_source(source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
    let path = &source.path;
    let src = source.display();
    let mut hint = Hint::parse(source.hint.as_deref());
    if hint.parent_id.is_none() {
        // `chats/<parentSessionId>/<id>.jsonl`: a nested sub-agent even without a hint.
        let dir = path.parent();
        if dir
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .is_some_and(|n| n == "chats")
        {
            hint.parent_id = dir
                .and_then(Path::file_name)
                .and_then(|n| n.to_str())
                .map(str::to_string);
        }
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("session")
        .to_string();
    let mut session = Session::new(Agent::Gemini, stem.clone());
    session.retain_events = opts.retain_events;
    let mut b = Builder::new(session, src.clone());
    let mut meta = Meta::default();
    let format = sniff(path)?;
    let label = match format {
        Format::Empty => {
            let mut out = SourceOutput::default();
            out.warnings.push(convx_model::Warning::new(
                src,
                None,
                WarningKind::EmptyFile,
                "empty session file",
            ));
            return Ok(out);
        }
        Format::Jsonl => {
            replay::read(path, &mut b, &mut meta)?;
            "gemini/jsonl"
        }
        Format::Json => {
            json::read(path, &mut b, &mut meta)?;
            "gemini/json"
        }
    };
    let mut out = SourceOutput::default();
    if meta.str("sessionId").is_none()
        && b.session.events.is_empty()
        && b.session.summary.counts == Default::default()
    {
        // Nothing recognisable: not a session.
        out.warnings.append(&mut b.session.warnings);
        out.warnings.push(convx_model::Warning::new(
            src,
            None,
            WarningKind::UnexpectedShape,
            "no sessionId and no messages",
        ));
        return Ok(out);
    }
    out.sessions.push(finish(b, &meta, source, &hint, label));
    Ok(out)
}

fn finish(mut b: Builder, meta: &Meta, source: &Source, hint: &Hint, label: &str) -> Session {
    let record_id = meta.str("sessionId").map(str::to_string);
    if record_id.is_none() {
        b.warn(
            None,
            WarningKind::UnexpectedShape,
            "no sessionId in the record; file name used as id",
        );
    }
    let id = hint
        .native_id
        .clone()
        .or_else(|| record_id.clone())
        .unwrap_or_else(|| b.session.id.clone());
    let paths = std::mem::take(&mut b.paths);
    let saw_complete_task = b.saw_complete_task;
    let mut s = b.session;
    s.key = Session::key_for(Agent::Gemini, &id);
    s.id = id;
    if let Some(t) = meta.get("startTime").and_then(crate::time::from_value) {
        s.started_at = Some(t);
        s.ended_at = Some(s.ended_at.map_or(t, |e| e.max(t)));
    }
    if let Some(t) = meta.get("lastUpdated").and_then(crate::time::from_value) {
        s.ended_at = Some(s.ended_at.map_or(t, |e| e.max(t)));
    }
    s.title = meta.str("summary").map(str::to_string);

    // Kind and parent.
    let kind = meta.str("kind");
    if let Some(parent) = &hint.parent_id {
        s.kind = SessionKind::Subagent;
        s.parent = Some(Session::key_for(Agent::Gemini, parent));
    } else if let Some(shared) = &hint.shared_with {
        // A later file reusing an earlier session's id: a sub-agent when it says so (v0.31+)
        // or used the sub-agent termination tool; otherwise (e.g. pre-v0.18 `/clear`) a
        // separate conversation.
        if kind == Some("subagent") || (kind.is_none() && saw_complete_task) {
            s.kind = SessionKind::Subagent;
            s.parent = Some(Session::key_for(Agent::Gemini, shared));
        }
        s.metadata
            .insert("shares_session_id".into(), Value::String(shared.clone()));
    } else if kind == Some("subagent") {
        s.kind = SessionKind::Subagent;
    }

    // Project root → cwd.
    let project_hash = meta.str("projectHash");
    let (root, via) = project_root(hint, project_hash, meta, &source.path, &paths);
    s.cwd = root;
    if let Some(via) = via {
        s.metadata
            .insert("project_root_via".into(), Value::String(via.to_string()));
    }
    if let Some(h) = project_hash {
        s.metadata
            .insert("project_hash".into(), Value::String(h.to_string()));
    }
    if let Some(pid) = project_id(&source.path, hint.parent_id.is_some()) {
        s.metadata.insert("project_id".into(), Value::String(pid));
    }
    for (key, field) in [
        ("directories", "directories"),
        ("memory_scratchpad", "memoryScratchpad"),
        ("record_kind", "kind"),
    ] {
        if let Some(v) = meta.get(field) {
            s.metadata.insert(key.into(), v.clone());
        }
    }
    if let (Some(rid), true) = (&record_id, hint.native_id.is_some()) {
        s.metadata
            .insert("record_session_id".into(), Value::String(rid.clone()));
    }
    if let Some(m) = &hint.migrated_from {
        s.metadata
            .insert("migrated_from".into(), Value::String(m.clone()));
    }
    s.sources.push(SourceFile {
        path: source.path.display().to_string(),
        fingerprint: source.fingerprint,
        format: Some(label.to_string()),
    });
    s
}

/// `tmp/<project-id>/chats/<file>` → `<project-id>` (one level more for sub-agents).
fn project_id(path: &Path, nested: bool) -> Option<String> {
    let chats = if nested {
        path.parent()?.parent()?
    } else {
        path.parent()?
    };
    chats.parent()?.file_name()?.to_str().map(str::to_string)
}

fn project_root(
    hint: &Hint,
    project_hash: Option<&str>,
    meta: &Meta,
    path: &Path,
    paths: &PathCandidates,
) -> (Option<String>, Option<&'static str>) {
    if let Some(r) = &hint.root {
        let via = match hint.root_via.as_deref() {
            Some("project_root_file") => RootVia::ProjectRootFile,
            _ => RootVia::Registry,
        };
        return (Some(r.clone()), Some(via.label()));
    }
    // No discovery hint (source built by hand) or an unresolved folder: look around.
    let project_dir = project_id(path, hint.parent_id.is_some()).and_then(|_| {
        let chats = if hint.parent_id.is_some() {
            path.parent()?.parent()?
        } else {
            path.parent()?
        };
        chats.parent().map(Path::to_path_buf)
    });
    let registry = project_dir
        .as_deref()
        .and_then(|pd| pd.parent()?.parent().map(Registry::load))
        .unwrap_or_default();
    if hint.root_via.is_none()
        && let Some(pd) = &project_dir
        && let Some((r, via, _)) = project::resolve_folder(pd, &registry)
    {
        return (Some(r), Some(via.label()));
    }
    let hash = project_hash.map(str::to_string).or_else(|| {
        let pd = project_dir.as_ref()?;
        let name = pd.file_name()?.to_str()?;
        project::is_hash_name(name).then(|| name.to_string())
    });
    let Some(hash) = hash else {
        return (None, None);
    };
    if let Some(r) = registry.by_hash(&hash) {
        return (Some(r.to_string()), Some(RootVia::Registry.label()));
    }
    let mut cands = PathCandidates::default();
    if let Some(dirs) = meta.get("directories").and_then(Value::as_array) {
        dirs.iter()
            .filter_map(Value::as_str)
            .for_each(|d| cands.add(d));
    }
    if let Some(r) = cands.find(&hash).or_else(|| paths.find(&hash)) {
        return (Some(r), Some(RootVia::HashMatch.label()));
    }
    (None, None)
}
