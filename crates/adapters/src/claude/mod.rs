//! Claude Code adapter.
//!
//! Layout (root = `$CLAUDE_CONFIG_DIR`, each entry of a comma-separated list, else
//! `~/.claude`):
//! * `projects/<project-dir>/<sessionId>.jsonl` — a session transcript (UUID stem).
//!   Before 2.0.28 sub-agent runs live inside it as `isSidechain: true` entries; each
//!   becomes a child session (`<sessionId>/sidechain-<n>`, or `<sessionId>/agent-<agentId>`).
//! * `projects/<project-dir>/agent-<agentId>.jsonl` — a sub-agent (2.0.28–2.1.1).
//! * `projects/<project-dir>/<sessionId>/subagents/**/agent-<agentId>.jsonl` with an
//!   `agent-<agentId>.meta.json` sidecar — a sub-agent (2.1.2+, possibly nested).
//!
//! Sub-agent sessions have the id `<parentSessionId>/agent-<agentId>`. Everything else in
//! the tree (`sessions-index.json`, `tool-results/`, non-UUID stems) is not a session. The
//! project directory name is lossy; the cwd always comes from the entries.
//!
//! Reading: see `stream` (API responses merged by `message.id`, usage once per response
//! from its line with the largest `output_tokens`), `tree` (final path, abandoned branches,
//! compaction), `context` (typed prompts vs injected context) and `plan` (todo lists).

mod content;
mod context;
mod facts;
mod plan;
mod reader;
mod retention;
mod stream;
mod tree;
mod usage;

use crate::{
    Adapter, AdapterError, Discovery, Environment, ReadOptions, Source, SourceOutput, fingerprint,
};
use convx_model::{Agent, Fingerprint, Warning, WarningKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Reads Claude Code session logs.
#[derive(Debug, Default, Clone, Copy)]
pub struct ClaudeAdapter;

/// Where a transcript sits, which decides what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `<sessionId>.jsonl`: a session (with in-file sidechains before 2.0.28).
    Main,
    /// `agent-<id>.jsonl` next to sessions (2.0.28–2.1.1).
    Flat,
    /// `<sessionId>/subagents/**/agent-<id>.jsonl` (2.1.2+).
    Nested,
}

/// What a transcript's path says about it.
#[derive(Debug, Clone)]
pub(crate) struct FileInfo {
    layout: Layout,
    stem: String,
    /// The `<id>` of `agent-<id>.jsonl`.
    agent_id: Option<String>,
    /// For nested sub-agents: the `<sessionId>` folder holding `subagents/`.
    folder_session: Option<String>,
}

impl FileInfo {
    fn of(path: &Path) -> FileInfo {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.strip_suffix(".jsonl").unwrap_or(&name).to_string();
        let Some(agent) = stem.strip_prefix("agent-").filter(|a| !a.is_empty()) else {
            return FileInfo {
                layout: Layout::Main,
                stem,
                agent_id: None,
                folder_session: None,
            };
        };
        let agent_id = Some(agent.to_string());
        let subagents = path
            .ancestors()
            .skip(1)
            .find(|a| a.file_name().is_some_and(|n| n == "subagents"));
        match subagents {
            Some(dir) => {
                let folder_session = dir
                    .parent()
                    .and_then(Path::file_name)
                    .map(|n| n.to_string_lossy().into_owned());
                FileInfo {
                    layout: Layout::Nested,
                    stem,
                    agent_id,
                    folder_session,
                }
            }
            None => FileInfo {
                layout: Layout::Flat,
                stem,
                agent_id,
                folder_session: None,
            },
        }
    }
}

/// How deep `subagents/` folders are walked (workflow runs nest a few levels).
const MAX_DEPTH: usize = 8;

struct Walk {
    found: BTreeMap<PathBuf, Vec<PathBuf>>,
    warnings: Vec<Warning>,
}

impl Walk {
    fn read_dir(&mut self, dir: &Path) -> Vec<PathBuf> {
        match std::fs::read_dir(dir) {
            Ok(rd) => {
                let mut v: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
                v.sort();
                v
            }
            Err(e) => {
                self.warnings.push(Warning::new(
                    dir.display().to_string(),
                    None,
                    WarningKind::Unreadable,
                    e.to_string(),
                ));
                Vec::new()
            }
        }
    }

    fn project(&mut self, dir: &Path) {
        for p in self.read_dir(dir) {
            if p.is_dir() {
                let sub = p.join("subagents");
                if sub.is_dir() {
                    self.subagents(&sub, 0);
                }
                continue;
            }
            let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(stem) = name.strip_suffix(".jsonl") else {
                continue;
            };
            if tree::is_uuid(stem) {
                self.found.insert(p, Vec::new());
            } else if stem.starts_with("agent-") {
                self.agent(p);
            }
        }
    }

    fn subagents(&mut self, dir: &Path, depth: usize) {
        for p in self.read_dir(dir) {
            if p.is_dir() {
                if depth < MAX_DEPTH {
                    self.subagents(&p, depth + 1);
                }
            } else if p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("agent-") && n.ends_with(".jsonl"))
            {
                self.agent(p);
            }
        }
    }

    fn agent(&mut self, p: PathBuf) {
        let meta = p.with_extension("meta.json");
        let related = if meta.is_file() {
            vec![meta]
        } else {
            Vec::new()
        };
        self.found.insert(p, related);
    }
}

/// `(size, mtime)` of a file and its related files: sizes added, newest mtime.
fn combined_fingerprint(path: &Path, related: &[PathBuf]) -> std::io::Result<Fingerprint> {
    let mut fp = fingerprint(path)?;
    for r in related {
        if let Ok(f) = fingerprint(r) {
            fp.size += f.size;
            fp.mtime_ns = fp.mtime_ns.max(f.mtime_ns);
        }
    }
    Ok(fp)
}

impl Adapter for ClaudeAdapter {
    fn known_record_types(&self) -> &'static [&'static str] {
        &[
            // §2.2 non-conversation entries.
            "summary",
            "custom-title",
            "ai-title",
            "last-prompt",
            "tag",
            "file-history-snapshot",
            "queue-operation",
            "content-replacement",
            "agent-name",
            "agent-color",
            "agent-setting",
            "mode",
            "permission-mode",
            "worktree-state",
            "pr-link",
            "attribution-snapshot",
            "speculation-accept",
            "marble-origami-commit",
            "marble-origami-snapshot",
            "relocated",
            "ended-by-model",
            "repl-mode",
            "isolation-latch",
            "session-owner",
            "memory-mode",
            "tools-used",
            "data-flow-records",
            // UI records and documented system subtypes.
            "attachment/*",
            "progress/*",
            "system/compact_boundary",
            "system/local_command",
            "system/api_error",
            "system/informational",
            "system/stop_hook_summary",
            "system/turn_duration",
            "system/model_refusal_fallback",
            "system/notification",
            "orphan_tool_result",
        ]
    }

    fn notes(&self, roots: &[PathBuf]) -> Vec<crate::AgentNote> {
        roots.iter().filter_map(|r| retention::note(r)).collect()
    }

    fn agent(&self) -> Agent {
        Agent::Claude
    }

    fn default_roots(&self, env: &Environment) -> Vec<PathBuf> {
        if let Some(dirs) = env.var("CLAUDE_CONFIG_DIR") {
            let roots: Vec<PathBuf> = dirs
                .split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .collect();
            if !roots.is_empty() {
                return roots;
            }
        }
        vec![env.home.join(".claude")]
    }

    fn discover(&self, roots: &[PathBuf]) -> Result<Discovery, AdapterError> {
        let mut walk = Walk {
            found: BTreeMap::new(),
            warnings: Vec::new(),
        };
        for root in roots {
            let projects = if root.join("projects").is_dir() {
                root.join("projects")
            } else if root.file_name().is_some_and(|n| n == "projects") && root.is_dir() {
                root.clone()
            } else {
                continue;
            };
            for dir in walk.read_dir(&projects) {
                if dir.is_dir() {
                    walk.project(&dir);
                }
            }
        }
        let mut sources = Vec::with_capacity(walk.found.len());
        for (path, related) in walk.found {
            match combined_fingerprint(&path, &related) {
                Ok(fingerprint) => sources.push(Source {
                    agent: Agent::Claude,
                    path,
                    fingerprint,
                    related,
                    hint: None,
                }),
                Err(e) => walk.warnings.push(Warning::new(
                    path.display().to_string(),
                    None,
                    WarningKind::Unreadable,
                    e.to_string(),
                )),
            }
        }
        Ok(Discovery {
            sources,
            warnings: walk.warnings,
        })
    }

    fn read(&self, source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
        reader::read(source, opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_from_env() {
        let a = ClaudeAdapter;
        let env = Environment::new("/home/ana");
        assert_eq!(
            a.default_roots(&env),
            vec![PathBuf::from("/home/ana/.claude")]
        );
        let env = Environment::new("/home/ana").with_var("CLAUDE_CONFIG_DIR", "/data/claude");
        assert_eq!(a.default_roots(&env), vec![PathBuf::from("/data/claude")]);
        let env = Environment::new("/home/ana")
            .with_var("CLAUDE_CONFIG_DIR", "/a/claude, /b/claude-work,");
        assert_eq!(
            a.default_roots(&env),
            vec![PathBuf::from("/a/claude"), PathBuf::from("/b/claude-work")]
        );
        let env = Environment::new("/home/ana").with_var("CLAUDE_CONFIG_DIR", " , ");
        assert_eq!(
            a.default_roots(&env),
            vec![PathBuf::from("/home/ana/.claude")]
        );
        let env = Environment::new("/home/ana").with_var("CLAUDE_CONFIG_DIR", "");
        assert_eq!(
            a.default_roots(&env),
            vec![PathBuf::from("/home/ana/.claude")]
        );
    }

    #[test]
    fn file_kinds_from_paths() {
        let f = FileInfo::of(Path::new(
            "/r/projects/-x/0b9e1c2d-0000-4000-8000-000000000001.jsonl",
        ));
        assert_eq!((f.layout, f.agent_id), (Layout::Main, None));
        let f = FileInfo::of(Path::new("/r/projects/-x/agent-a1b2c3d4.jsonl"));
        assert_eq!(
            (f.layout, f.agent_id.as_deref()),
            (Layout::Flat, Some("a1b2c3d4"))
        );
        let f = FileInfo::of(Path::new(
            "/r/projects/-x/S1/subagents/workflows/run1/agent-acompact-9f.jsonl",
        ));
        assert_eq!(f.layout, Layout::Nested);
        assert_eq!(f.agent_id.as_deref(), Some("acompact-9f"));
        assert_eq!(f.folder_session.as_deref(), Some("S1"));
    }
}
