//! Reading one transcript file into sessions: the file's own session, plus one child
//! session per in-file sidechain (sub-agents before 2.0.28).

use super::content;
use super::stream::{ChildRef, Stream};
use super::tree::{is_uuid, key_of};
use super::{FileInfo, Layout};
use crate::{AdapterError, ReadOptions, Source, SourceOutput, jsonl};
use convx_model::{Agent, Session, SessionKind, SourceFile, WarningKind};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;

/// An in-file sidechain (sub-agent run written into the main transcript).
struct Side {
    stream: Stream,
    agent_id: Option<String>,
    call_id: Option<String>,
    description: Option<String>,
}

/// Whether the file starts with entries copied from another session: 1.0.x `--resume`
/// wrote a new file that repeats the earlier conversation before the new turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Copies {
    /// No conversation entry seen yet.
    Unknown,
    /// Entries with another `sessionId` come before this session's own entries.
    Prefix,
    /// No (more) copies.
    No,
}

struct Reader {
    info: FileInfo,
    path: PathBuf,
    copies: Copies,
    display: String,
    retain: bool,
    main: Stream,
    sides: Vec<Side>,
    side_of_uuid: HashMap<u128, usize>,
    side_of_agent: HashMap<String, usize>,
}

/// Read the sessions of one source.
pub(crate) fn read(source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
    let input = jsonl::open(&source.path)?;
    let display = source.display();
    let info = FileInfo::of(&source.path);
    let mut r = Reader {
        main: Stream::new(&display, opts.retain_events),
        info,
        path: source.path.clone(),
        copies: Copies::Unknown,
        display: display.clone(),
        retain: opts.retain_events,
        sides: Vec::new(),
        side_of_uuid: HashMap::new(),
        side_of_agent: HashMap::new(),
    };
    let mut warnings = Vec::new();
    jsonl::for_each_line(input, &display, &mut warnings, |l| {
        r.line(l.value, l.number)
    });
    // Line warnings first, in line order, then what the streams noticed.
    warnings.append(&mut r.main.session.warnings);
    warnings.sort_by_key(|w| w.line.unwrap_or(0));
    r.main.session.warnings = warnings;
    let meta = r.read_meta(source);
    Ok(r.finish(source, meta))
}

impl Reader {
    fn line(&mut self, v: Value, line: u64) {
        if !v.is_object() {
            self.main.warn(
                Some(line),
                WarningKind::UnexpectedShape,
                "line is not a JSON object",
            );
            self.main.opaque_line("unknown", v, line);
            return;
        }
        if self.info.layout == Layout::Main
            && v.get("isSidechain").and_then(Value::as_bool) == Some(true)
        {
            let i = self.side_index(&v);
            self.sides[i].stream.entry(v, line, None);
        } else {
            let copied = self.copied_from(&v);
            self.main.entry(v, line, copied.as_deref());
        }
    }

    /// The session a main-chain entry was copied from, when it belongs to a prefix of
    /// entries with another `sessionId` followed by entries with this file's own id.
    fn copied_from(&mut self, v: &Value) -> Option<String> {
        if self.copies == Copies::No || self.info.layout != Layout::Main {
            return None;
        }
        let ty = v.get("type").and_then(Value::as_str)?;
        if !matches!(
            ty,
            "user" | "assistant" | "system" | "attachment" | "progress"
        ) {
            return None;
        }
        let sid = v.get("sessionId").and_then(Value::as_str)?;
        if sid == self.info.stem {
            self.copies = Copies::No;
            return None;
        }
        if self.copies == Copies::Unknown {
            // Rare: decide once with a byte search for an entry carrying our own id.
            let needle = format!("\"sessionId\":\"{}\"", self.info.stem);
            let own_later =
                is_uuid(&self.info.stem) && file_contains(&self.path, needle.as_bytes());
            self.copies = if own_later {
                Copies::Prefix
            } else {
                Copies::No
            };
            if !own_later {
                return None;
            }
        }
        Some(sid.to_string())
    }

    /// The sidechain an entry belongs to: by `agentId`, else by its parent, else a new one
    /// (linked to the `Task` call with the same prompt, or by position).
    fn side_index(&mut self, v: &Value) -> usize {
        let agent = v
            .get("agentId")
            .and_then(Value::as_str)
            .filter(|a| !a.is_empty());
        let uuid = v.get("uuid").and_then(Value::as_str).map(key_of);
        let parent = v.get("parentUuid").and_then(Value::as_str).map(key_of);
        let found = agent
            .and_then(|a| self.side_of_agent.get(a).copied())
            .or_else(|| parent.and_then(|p| self.side_of_uuid.get(&p).copied()));
        let i = match found {
            Some(i) => i,
            None => {
                let i = self.sides.len();
                let text = if v.get("type").and_then(Value::as_str) == Some("user") {
                    content::plain_text(v.pointer("/message/content"))
                } else {
                    String::new()
                };
                let claim = if text.trim() == "Warmup" {
                    None
                } else {
                    self.main.claim_spawn(&text, agent.is_none())
                };
                let (call_id, description) = claim.map_or((None, None), |(c, d)| (Some(c), d));
                if let Some(c) = &call_id {
                    self.main
                        .links
                        .entry(c.clone())
                        .or_insert(ChildRef::Sidechain(i));
                }
                self.sides.push(Side {
                    stream: Stream::new(&self.display, self.retain),
                    agent_id: agent.map(str::to_string),
                    call_id,
                    description,
                });
                i
            }
        };
        if let Some(a) = agent {
            self.side_of_agent.entry(a.to_string()).or_insert(i);
        }
        if let Some(u) = uuid {
            self.side_of_uuid.insert(u, i);
        }
        i
    }

    /// The `agent-<id>.meta.json` sidecar of a sub-agent transcript, if any.
    fn read_meta(&mut self, source: &Source) -> Option<Value> {
        let agent = self.info.agent_id.as_deref()?;
        let sibling = source
            .path
            .with_file_name(format!("agent-{agent}.meta.json"));
        let path: PathBuf = source
            .related
            .iter()
            .find(|p| p.to_string_lossy().ends_with(".meta.json"))
            .cloned()
            .unwrap_or(sibling);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                self.main.warn(
                    None,
                    WarningKind::Unreadable,
                    format!("{}: {e}", path.display()),
                );
                return None;
            }
        };
        match serde_json::from_str::<Value>(&text) {
            Ok(v) if v.is_object() => Some(v),
            Ok(_) | Err(_) => {
                self.main.warn(
                    None,
                    WarningKind::UnexpectedShape,
                    format!("{}: not a JSON object", path.display()),
                );
                None
            }
        }
    }

    fn finish(self, source: &Source, meta: Option<Value>) -> SourceOutput {
        if self.info.layout == Layout::Main && self.main.is_empty() && self.sides.len() == 1 {
            return self.finish_sidechain_file(source);
        }
        let Reader {
            info,
            display,
            main,
            sides,
            ..
        } = self;
        let key = |id: &str| Session::key_for(Agent::Claude, id);
        // The id of the root session this file belongs to, and this file's own id.
        let (root, id) = match info.layout {
            Layout::Main => {
                let id = if is_uuid(&info.stem) {
                    info.stem.clone()
                } else {
                    main.facts
                        .session_id
                        .clone()
                        .unwrap_or_else(|| info.stem.clone())
                };
                (Some(id.clone()), id)
            }
            Layout::Flat | Layout::Nested => {
                let root = main
                    .facts
                    .session_id
                    .clone()
                    .or_else(|| info.folder_session.clone());
                let agent = info
                    .agent_id
                    .clone()
                    .or_else(|| main.facts.agent_id.clone())
                    .unwrap_or_default();
                let id = match &root {
                    Some(r) => format!("{r}/agent-{agent}"),
                    None => format!("agent-{agent}"),
                };
                (root, id)
            }
        };
        let agent_key = |a: &str| match &root {
            Some(r) => key(&format!("{r}/agent-{a}")),
            None => key(&format!("agent-{a}")),
        };
        let side_ids: Vec<String> = sides
            .iter()
            .enumerate()
            .map(
                |(i, s)| match s.agent_id.as_ref().or(s.stream.facts.agent_id.as_ref()) {
                    Some(a) => match &root {
                        Some(r) => format!("{r}/agent-{a}"),
                        None => format!("agent-{a}"),
                    },
                    None => format!("{id}/sidechain-{}", i + 1),
                },
            )
            .collect();
        let resolve = |c: &ChildRef| match c {
            ChildRef::Agent(a) => Some(agent_key(a)),
            ChildRef::Sidechain(n) => side_ids.get(*n).map(|s| key(s)),
        };
        let source_file = |format: &str| SourceFile {
            path: display.clone(),
            fingerprint: source.fingerprint,
            format: Some(format.to_string()),
        };

        let forked_from = main.facts.forked_from.as_ref().map(|(s, _)| s.clone());
        let mut s = main.finish(id.clone(), &resolve);
        match info.layout {
            Layout::Main => {
                s.sources.push(source_file("claude/session"));
                if let Some(f) = forked_from.filter(|f| *f != s.id) {
                    s.kind = SessionKind::Fork;
                    s.parent = Some(key(&f));
                }
            }
            Layout::Flat | Layout::Nested => {
                let label = if info.layout == Layout::Flat {
                    "claude/subagent-flat"
                } else {
                    "claude/subagent-nested"
                };
                s.sources.push(source_file(label));
                let agent = info.agent_id.clone().unwrap_or_default();
                s.kind = agent_kind(&agent, &s);
                let parent_agent = meta
                    .as_ref()
                    .and_then(|m| m.get("parentAgentId"))
                    .and_then(Value::as_str);
                s.parent = match (parent_agent, &root) {
                    (Some(pa), _) if !pa.is_empty() => Some(agent_key(pa)),
                    (_, Some(r)) => Some(key(r)),
                    _ => None,
                };
                s.metadata.insert("agent_id".into(), json!(agent));
                if let Some(m) = &meta {
                    if s.title.is_none() {
                        s.title = m
                            .get("description")
                            .and_then(Value::as_str)
                            .map(str::to_string);
                    }
                    for (k, field) in [
                        ("agent_type", "agentType"),
                        ("parent_tool_use_id", "toolUseId"),
                    ] {
                        if let Some(x) = m.get(field).filter(|x| !x.is_null()) {
                            s.metadata.insert(k.into(), x.clone());
                        }
                    }
                    s.metadata.insert("agent_meta".into(), m.clone());
                }
            }
        }
        let main_key = s.key.clone();
        let mut sessions = vec![s];
        for (side, sid) in sides.into_iter().zip(side_ids.iter()) {
            let Side {
                stream,
                agent_id,
                call_id,
                description,
            } = side;
            let mut c = stream.finish(sid.clone(), &resolve);
            c.sources.push(source_file("claude/sidechain-inline"));
            c.kind = agent_kind(agent_id.as_deref().unwrap_or(""), &c);
            c.parent = Some(main_key.clone());
            if c.title.is_none() {
                c.title = description;
            }
            if let Some(a) = agent_id {
                c.metadata.insert("agent_id".into(), json!(a));
            }
            if let Some(call) = call_id {
                c.metadata.insert("parent_tool_use_id".into(), json!(call));
            }
            sessions.push(c);
        }
        SourceOutput {
            sessions,
            warnings: Vec::new(),
        }
    }

    /// A session file holding nothing but one sidechain (the SDK skips such files when
    /// listing sessions): it is one sub-agent session, its parent named by `sessionId`.
    fn finish_sidechain_file(mut self, source: &Source) -> SourceOutput {
        let Some(side) = self.sides.pop() else {
            return SourceOutput::default();
        };
        let id = self.info.stem.clone();
        let parent = side.stream.facts.session_id.clone().filter(|p| *p != id);
        let root = parent.clone().unwrap_or_else(|| id.clone());
        let mut s = side.stream.finish(id, &|c| match c {
            ChildRef::Agent(a) => Some(Session::key_for(
                Agent::Claude,
                &format!("{root}/agent-{a}"),
            )),
            ChildRef::Sidechain(_) => None,
        });
        let mut warnings = std::mem::take(&mut self.main.session.warnings);
        warnings.append(&mut s.warnings);
        s.warnings = warnings;
        s.sources.push(SourceFile {
            path: self.display.clone(),
            fingerprint: source.fingerprint,
            format: Some("claude/sidechain-session".to_string()),
        });
        s.kind = agent_kind(side.agent_id.as_deref().unwrap_or(""), &s);
        s.parent = parent.map(|p| Session::key_for(Agent::Claude, &p));
        if let Some(a) = side.agent_id {
            s.metadata.insert("agent_id".into(), json!(a));
        }
        SourceOutput {
            sessions: vec![s],
            warnings: Vec::new(),
        }
    }
}

/// True when the (possibly compressed) file contains `needle`. Streams with bounded
/// memory; unreadable files count as not containing it.
fn file_contains(path: &std::path::Path, needle: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut input) = jsonl::open(path) else {
        return false;
    };
    let finder = memchr::memmem::Finder::new(needle);
    let keep = needle.len().saturating_sub(1);
    let mut buf = vec![0u8; 256 * 1024];
    let mut filled = 0;
    loop {
        let n = match input.read(&mut buf[filled..]) {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        filled += n;
        if finder.find(&buf[..filled]).is_some() {
            return true;
        }
        let tail = filled.saturating_sub(keep);
        buf.copy_within(tail..filled, 0);
        filled -= tail;
    }
}

/// Sub-agents Claude Code runs for itself (auto-compaction, prompt suggestions, the
/// start-up warm-up) are internal; the rest are sub-agents.
fn agent_kind(agent_id: &str, s: &Session) -> SessionKind {
    let internal = agent_id.starts_with("acompact") || agent_id.starts_with("aprompt_suggestion");
    if internal || s.summary.first_prompt.as_deref() == Some("Warmup") {
        SessionKind::Internal
    } else {
        SessionKind::Subagent
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn byte_search_crosses_chunks() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let needle = b"\"sessionId\":\"7c1f0a52-3e9b-4c7d-9a11-2b6f5d8e0c44\"";
        let pad = vec![b'x'; 256 * 1024 - 20];
        f.write_all(&pad).unwrap();
        f.write_all(needle).unwrap();
        f.flush().unwrap();
        assert!(file_contains(f.path(), needle));
        assert!(!file_contains(f.path(), b"\"sessionId\":\"other\""));
        assert!(!file_contains(
            std::path::Path::new("/nonexistent/x.jsonl"),
            needle
        ));
    }
}
