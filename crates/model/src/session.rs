//! Sessions.

use crate::Timestamp;
use crate::agent::Agent;
use crate::event::{Event, EventKind};
use crate::summary::Summary;
use crate::warning::Warning;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What kind of session this is relative to others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A top-level conversation started by the user.
    #[default]
    Main,
    /// A sub-agent spawned by another session (Task/Agent tool, Codex thread_spawn...).
    Subagent,
    /// A fork / branch of another session, sharing its history prefix.
    Fork,
    /// An internal helper run (review, compaction, memory consolidation...).
    Internal,
}

impl SessionKind {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            SessionKind::Main => "main",
            SessionKind::Subagent => "subagent",
            SessionKind::Fork => "fork",
            SessionKind::Internal => "internal",
        }
    }
}

/// Git state recorded by the agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitInfo {
    /// Branch name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Commit hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Remote URL (credentials are redacted before anything is written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
}

impl GitInfo {
    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.branch.is_none() && self.commit.is_none() && self.remote.is_none()
    }
}

/// Cheap identity of a source's content: unchanged (size, mtime) means unchanged content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
}

/// A file (or database) a session was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Absolute path.
    pub path: String,
    /// Fingerprint at read time.
    pub fingerprint: Fingerprint,
    /// Format generation detected in this file, e.g. `codex/envelope`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// One conversation with one agent, normalized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// [`crate::SCHEMA_VERSION`] of this document.
    pub schema_version: u32,
    /// Stable key `<agent>:<native id>`.
    pub key: String,
    /// The agent.
    pub agent: Agent,
    /// The agent's own session id.
    pub id: String,
    /// Main, sub-agent, fork...
    pub kind: SessionKind,
    /// Key of the parent session (sub-agents, forks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Keys of child sessions (filled when sessions are linked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<String>,
    /// Title recorded by the agent or the user (first prompt otherwise; see [`Session::display_title`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Start (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    /// End: last recorded activity (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// Working directory, as recorded inside the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// Git state, where recorded.
    #[serde(default, skip_serializing_if = "GitInfo::is_empty")]
    pub git: GitInfo,
    /// Models used, in order of first use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    /// Version of the agent that wrote the log (last seen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_version: Option<String>,
    /// Files the session was read from.
    #[serde(default)]
    pub sources: Vec<SourceFile>,
    /// Agent-specific metadata worth keeping (originator, source, slug...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, serde_json::Value>,
    /// Aggregates over the session's own events.
    pub summary: Summary,
    /// Problems met while reading.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// What redaction removed (rule id, field, count), never the secret itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redactions: Vec<RedactionRecord>,
    /// The events, in order.
    #[serde(default)]
    pub events: Vec<Event>,
    /// When false, [`Session::push`] only updates the summary (listing mode).
    #[serde(skip, default = "yes")]
    pub retain_events: bool,
}

fn yes() -> bool {
    true
}

/// A record of what one redaction rule replaced in one field of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactionRecord {
    /// Rule id, e.g. `github-pat`.
    pub rule: String,
    /// Field kind, e.g. `user_prompt`, `tool_result.output`, `cwd`.
    pub field: String,
    /// How many replacements.
    pub count: u64,
}

impl Session {
    /// An empty main session of `agent` with native id `id`.
    pub fn new(agent: Agent, id: impl Into<String>) -> Self {
        let id = id.into();
        Session {
            schema_version: crate::SCHEMA_VERSION,
            key: format!("{}:{}", agent.slug(), id),
            agent,
            id,
            kind: SessionKind::Main,
            parent: None,
            children: Vec::new(),
            title: None,
            started_at: None,
            ended_at: None,
            cwd: None,
            git: GitInfo::default(),
            models: Vec::new(),
            agent_version: None,
            sources: Vec::new(),
            metadata: BTreeMap::new(),
            summary: Summary::default(),
            warnings: Vec::new(),
            redactions: Vec::new(),
            events: Vec::new(),
            retain_events: true,
        }
    }

    /// The key a session of `agent` with native id `id` has.
    pub fn key_for(agent: Agent, id: &str) -> String {
        format!("{}:{}", agent.slug(), id)
    }

    /// Append an event: updates the summary, the time bounds and the model list, and keeps
    /// the event unless [`Session::retain_events`] is false.
    pub fn push(&mut self, event: Event) {
        self.note(&event);
        if self.retain_events {
            self.events.push(event);
        }
    }

    fn note(&mut self, event: &Event) {
        self.summary.add(event);
        if let (false, Some(ts)) = (event.inherited, event.timestamp) {
            self.started_at = Some(self.started_at.map_or(ts, |s| s.min(ts)));
            self.ended_at = Some(self.ended_at.map_or(ts, |e| e.max(ts)));
        }
        if let Some(m) = event.usage.as_ref().and_then(|u| u.model.as_deref()) {
            self.add_model(m);
        }
    }

    /// Record that `model` was used (kept in first-use order, no duplicates).
    pub fn add_model(&mut self, model: &str) {
        if !model.is_empty() && !self.models.iter().any(|m| m == model) {
            self.models.push(model.to_string());
        }
    }

    /// Recompute the summary from the retained events (after events were edited or the
    /// session was deserialized). Time bounds are only widened, never narrowed.
    pub fn rebuild_summary(&mut self) {
        self.summary = Summary::default();
        let events = std::mem::take(&mut self.events);
        for e in &events {
            self.note(e);
        }
        self.events = events;
    }

    /// The title to show: the recorded title, else the first prompt's first line, else the id.
    pub fn display_title(&self) -> String {
        let t = self
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .or(self.summary.first_prompt.as_deref())
            .and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or(&self.id);
        truncate_chars(t, 120)
    }

    /// Index of the events of a kind, for tests and renderers.
    pub fn events_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| e.kind.name() == name)
    }

    /// The first non-inherited user prompt event.
    pub fn first_prompt_event(&self) -> Option<&Event> {
        self.events
            .iter()
            .find(|e| !e.inherited && matches!(e.kind, EventKind::UserPrompt { .. }))
    }
}

/// Cut `s` to at most `max` characters, adding `…` when cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CallUsage, Usage};

    fn ts(s: &str) -> Option<Timestamp> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn push_counts_own_events_only() {
        let mut s = Session::new(Agent::Claude, "abc");
        let mut inherited = Event::new(EventKind::UserPrompt {
            text: "old".into(),
            attachments: vec![],
        })
        .at(ts("2026-01-01T00:00:00Z"));
        inherited.inherited = true;
        inherited.usage = Some(CallUsage::new(
            Some("m".into()),
            Usage {
                input: 5,
                ..Default::default()
            },
            "k0",
        ));
        s.push(inherited);
        let mut e = Event::new(EventKind::AssistantText { text: "hi".into() })
            .at(ts("2026-01-02T00:00:00Z"));
        e.usage = Some(CallUsage::new(
            Some("m2".into()),
            Usage {
                output: 3,
                ..Default::default()
            },
            "k1",
        ));
        s.push(e);
        s.push(
            Event::new(EventKind::UserPrompt {
                text: "new".into(),
                attachments: vec![],
            })
            .at(ts("2026-01-03T00:00:00Z")),
        );
        assert_eq!(s.summary.counts.user_prompts, 1);
        assert_eq!(s.summary.first_prompt.as_deref(), Some("new"));
        assert_eq!(s.summary.usage.total(), 3);
        assert_eq!(s.models, vec!["m".to_string(), "m2".to_string()]);
        assert_eq!(s.started_at, ts("2026-01-02T00:00:00Z"));
        assert_eq!(s.ended_at, ts("2026-01-03T00:00:00Z"));
        let before = s.summary.clone();
        s.rebuild_summary();
        assert_eq!(s.summary.counts, before.counts);
        assert_eq!(s.summary.usage, before.usage);
    }

    #[test]
    fn summary_mode_keeps_no_events() {
        let mut s = Session::new(Agent::Codex, "x");
        s.retain_events = false;
        s.push(Event::new(EventKind::AssistantText { text: "a".into() }));
        assert!(s.events.is_empty());
        assert_eq!(s.summary.counts.assistant_messages, 1);
    }

    #[test]
    fn display_title_falls_back() {
        let mut s = Session::new(Agent::Codex, "id-1");
        assert_eq!(s.display_title(), "id-1");
        s.push(Event::new(EventKind::UserPrompt {
            text: "\n  first line\nsecond".into(),
            attachments: vec![],
        }));
        assert_eq!(s.display_title(), "first line");
        s.title = Some("Named".into());
        assert_eq!(s.display_title(), "Named");
    }
}
