//! Session-level facts gathered from entry envelopes and metadata records: ids, cwd, git
//! branch, version, slug, titles, fork origin, compactions.

use super::tree::{Graph, Key, key_of};
use convx_model::{Session, Timestamp};
use serde_json::{Value, json};

/// Facts of one session, updated entry by entry.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// First `sessionId` seen.
    pub session_id: Option<String>,
    other_session_ids: Vec<String>,
    /// First `agentId` seen.
    pub agent_id: Option<String>,
    cwd: Option<String>,
    current_cwd: Option<String>,
    cwd_changes: Vec<Value>,
    branches: Vec<String>,
    last_branch: Option<String>,
    versions: Vec<String>,
    version: Option<String>,
    slug: Option<String>,
    entrypoint: Option<String>,
    team_name: Option<String>,
    agent_name: Option<String>,
    custom_title: Option<String>,
    ai_title: Option<String>,
    last_prompt: Option<String>,
    summaries: Vec<(Option<Key>, String)>,
    tag: Option<String>,
    pr_links: Vec<Value>,
    /// `(sessionId, messageUuid)` of `forkedFrom`: the session this one was forked from and
    /// the last copied message.
    pub forked_from: Option<(String, Option<String>)>,
    compactions: Vec<Value>,
    /// The first slash command typed (`/init`), a title when no prompt was typed.
    pub first_command: Option<String>,
    /// Entries skipped because an entry with the same uuid was already read.
    pub duplicates: u64,
    /// Event timestamps raised to keep events in order.
    pub clamped: u64,
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn push_distinct(list: &mut Vec<String>, item: &str) {
    if list.last().map(String::as_str) != Some(item) && !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}

impl Facts {
    /// Note the envelope fields of a conversation entry. `copied` entries (copied from
    /// another session's file) do not tell this session's id.
    pub fn envelope(&mut self, v: &Value, ts: Option<Timestamp>, copied: bool) {
        if let Some(id) = s(v, "sessionId").filter(|x| !x.is_empty() && !copied) {
            match &self.session_id {
                None => self.session_id = Some(id.to_string()),
                Some(first) if first != id => push_distinct(&mut self.other_session_ids, id),
                _ => {}
            }
        }
        if let Some(cwd) = s(v, "cwd").filter(|x| !x.is_empty()) {
            self.set_cwd(cwd, ts);
        }
        if let Some(b) = s(v, "gitBranch").filter(|x| !x.is_empty()) {
            push_distinct(&mut self.branches, b);
            self.last_branch = Some(b.to_string());
        }
        if let Some(ver) = s(v, "version").filter(|x| !x.is_empty()) {
            push_distinct(&mut self.versions, ver);
            if self.version.as_deref() != Some(ver) {
                self.version = Some(ver.to_string());
            }
        }
        if self.agent_id.is_none() {
            self.agent_id = s(v, "agentId")
                .filter(|x| !x.is_empty())
                .map(str::to_string);
        }
        for (key, slot) in [
            ("slug", &mut self.slug),
            ("entrypoint", &mut self.entrypoint),
            ("teamName", &mut self.team_name),
            ("agentName", &mut self.agent_name),
        ] {
            if let Some(x) = s(v, key).filter(|x| !x.is_empty()) {
                *slot = Some(x.to_string());
            }
        }
        if let Some(f) = v.get("forkedFrom")
            && let Some(sid) = s(f, "sessionId")
        {
            self.fork_origin(sid, s(f, "messageUuid"));
        }
    }

    /// This session copies entries of session `sid`, the last one being `message`.
    pub fn fork_origin(&mut self, sid: &str, message: Option<&str>) {
        let msg = message.map(str::to_string);
        match &mut self.forked_from {
            None => self.forked_from = Some((sid.to_string(), msg)),
            Some((first, last)) if first == sid => *last = msg.or(last.take()),
            _ => {}
        }
    }

    fn set_cwd(&mut self, cwd: &str, ts: Option<Timestamp>) {
        if self.current_cwd.as_deref() == Some(cwd) {
            return;
        }
        if self.cwd.is_none() {
            self.cwd = Some(cwd.to_string());
        } else {
            self.cwd_changes
                .push(json!({ "cwd": cwd, "at": ts.map(|t| t.to_string()) }));
        }
        self.current_cwd = Some(cwd.to_string());
    }

    /// Note a metadata record (`summary`, `custom-title`, ...). Returns nothing; the record
    /// itself is kept as an opaque event by the caller.
    pub fn metadata(&mut self, ty: &str, v: &Value) {
        let text = |key: &str| {
            s(v, key)
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
        };
        match ty {
            "summary" => {
                if let Some(t) = text("summary") {
                    self.summaries.push((s(v, "leafUuid").map(key_of), t));
                }
            }
            "custom-title" => self.custom_title = text("customTitle").or(self.custom_title.take()),
            "ai-title" => self.ai_title = text("aiTitle").or(self.ai_title.take()),
            "last-prompt" => self.last_prompt = text("lastPrompt").or(self.last_prompt.take()),
            "tag" => self.tag = text("tag"),
            "agent-name" => self.agent_name = text("agentName").or(self.agent_name.take()),
            "pr-link" => self.pr_links.push(json!({
                "number": v.get("prNumber"), "url": v.get("prUrl"), "repository": v.get("prRepository")
            })),
            "relocated" => {
                if let Some(cwd) = s(v, "relocatedCwd").filter(|x| !x.is_empty()) {
                    let ts = v.get("timestamp").and_then(crate::time::from_value);
                    self.set_cwd(cwd, ts);
                }
            }
            _ => {}
        }
    }

    /// Note a compact boundary.
    pub fn compaction(
        &mut self,
        trigger: Option<&str>,
        pre_tokens: Option<&Value>,
        ts: Option<Timestamp>,
    ) {
        self.compactions.push(json!({
            "trigger": trigger, "pre_tokens": pre_tokens, "at": ts.map(|t| t.to_string())
        }));
    }

    /// The title: last `custom-title` > last `ai-title` > last `last-prompt` > last
    /// `summary` whose leaf is in this file (or that names no leaf). `None` leaves the
    /// first prompt as the displayed title.
    pub fn title(&self, graph: &Graph) -> Option<String> {
        self.custom_title
            .clone()
            .or_else(|| self.ai_title.clone())
            .or_else(|| self.last_prompt.clone())
            .or_else(|| {
                self.summaries
                    .iter()
                    .rev()
                    .find(|(leaf, _)| leaf.is_none_or(|k| graph.contains(k)))
                    .map(|(_, t)| t.clone())
            })
    }

    /// Fill the session's cwd, git, version and metadata.
    pub fn apply(&self, s: &mut Session) {
        s.cwd.clone_from(&self.cwd);
        s.git.branch.clone_from(&self.last_branch);
        s.agent_version.clone_from(&self.version);
        let m = &mut s.metadata;
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        for (k, v) in [
            ("slug", &self.slug),
            ("entrypoint", &self.entrypoint),
            ("team_name", &self.team_name),
            ("agent_name", &self.agent_name),
            ("tag", &self.tag),
        ] {
            if let Some(v) = v {
                put(k, json!(v));
            }
        }
        if !self.cwd_changes.is_empty() {
            put("cwd_changes", json!(self.cwd_changes));
        }
        if self.branches.len() > 1 {
            put("git_branches", json!(self.branches));
        }
        if self.versions.len() > 1 {
            put("versions", json!(self.versions));
        }
        if !self.other_session_ids.is_empty() {
            put("other_session_ids", json!(self.other_session_ids));
        }
        if !self.pr_links.is_empty() {
            put("pr_links", json!(self.pr_links));
        }
        if !self.compactions.is_empty() {
            put("compactions", json!(self.compactions));
        }
        if let Some((sid, msg)) = &self.forked_from {
            put(
                "forked_from",
                json!({ "session_id": sid, "message_uuid": msg }),
            );
        }
        if self.duplicates > 0 {
            put("duplicate_entries", json!(self.duplicates));
        }
        if self.clamped > 0 {
            put("clamped_timestamps", json!(self.clamped));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cwd_changes_and_last_branch() {
        let mut f = Facts::default();
        let t: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        f.envelope(
            &json!({"cwd":"/a","gitBranch":"main","version":"2.0.1","sessionId":"s1"}),
            Some(t),
            false,
        );
        f.envelope(
            &json!({"cwd":"/a","gitBranch":"","version":"2.0.1"}),
            Some(t),
            false,
        );
        f.envelope(
            &json!({"cwd":"/a/b","gitBranch":"feat","version":"2.0.5","sessionId":"s2"}),
            Some(t),
            false,
        );
        let mut s = Session::new(convx_model::Agent::Claude, "s1");
        f.apply(&mut s);
        assert_eq!(s.cwd.as_deref(), Some("/a"));
        assert_eq!(s.git.branch.as_deref(), Some("feat"));
        assert_eq!(s.agent_version.as_deref(), Some("2.0.5"));
        assert_eq!(s.metadata["cwd_changes"][0]["cwd"], "/a/b");
        assert_eq!(s.metadata["git_branches"], json!(["main", "feat"]));
        assert_eq!(s.metadata["other_session_ids"], json!(["s2"]));
    }

    #[test]
    fn title_precedence() {
        let mut g = Graph::default();
        let leaf = "11111111-1111-1111-1111-111111111111";
        g.add(key_of(leaf), None, None, 1);
        let mut f = Facts::default();
        f.metadata("summary", &json!({"summary":"Here","leafUuid":leaf}));
        f.metadata(
            "summary",
            &json!({"summary":"Elsewhere","leafUuid":"22222222-2222-2222-2222-222222222222"}),
        );
        assert_eq!(f.title(&g).as_deref(), Some("Here"));
        f.metadata("last-prompt", &json!({"lastPrompt":"fix it"}));
        assert_eq!(f.title(&g).as_deref(), Some("fix it"));
        f.metadata("ai-title", &json!({"aiTitle":"AI"}));
        assert_eq!(f.title(&g).as_deref(), Some("AI"));
        f.metadata("custom-title", &json!({"customTitle":"Mine"}));
        f.metadata("ai-title", &json!({"aiTitle":"AI 2"}));
        assert_eq!(f.title(&g).as_deref(), Some("Mine"));
    }
}
