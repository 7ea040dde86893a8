//! The line-by-line reader of one rollout file: dispatch on the record shape, session
//! metadata, and the bookkeeping shared by the item and event handlers (emission order,
//! inherited prefix, turns for rollbacks, compaction groups).

use super::context;
use super::prescan::{Prescan, prescan};
use super::usage::Tracker;
use crate::{AdapterError, ReadOptions, Source, SourceOutput, jsonl};
use convx_model::{
    Agent, Attachment, CallUsage, Event, EventKind, GitInfo, Session, SessionKind, SourceFile,
    Timestamp, Warning, WarningKind,
};
use serde_json::{Map, Value, json};
use std::collections::HashSet;

/// Format generation labels recorded in [`SourceFile::format`].
pub(crate) const FORMAT_BARE: &str = "codex/bare";
pub(crate) const FORMAT_ENVELOPE: &str = "codex/envelope";
pub(crate) const FORMAT_PAGINATED: &str = "codex/paginated";

/// A user message held back one line: only the generic `<tag>…</tag>` shape marks it as
/// context, and a following `user_message` event with the same text proves it was typed.
pub(super) struct Pending {
    pub text: String,
    pub tag: String,
    pub ts: Option<Timestamp>,
    pub inherited: bool,
    pub native_id: Option<String>,
}

/// Which record opened the current compaction group (one compaction often writes
/// `compacted` + `context_compacted`, sometimes a `compaction` item too).
pub(super) const CG_COMPACTED: u8 = 1;
pub(super) const CG_EVENT: u8 = 2;
pub(super) const CG_ITEM: u8 = 4;

pub(super) struct Reader<'a> {
    pub src: &'a Source,
    pub file: String,
    pub s: Session,
    pub pre: Prescan,
    pub format: Option<&'static str>,
    pub own_meta: bool,
    pub saw_object: bool,
    pub line_no: u64,
    pub line_ts: Option<Timestamp>,
    pub line_ts_raw: String,
    pub inherited: bool,
    pub last_ts: Option<Timestamp>,
    pub own_last_ts: Option<Timestamp>,
    pub meta_ts: Option<Timestamp>,
    pub model: Option<String>,
    pub tracker: Tracker,
    pub calls: HashSet<String>,
    pub pending: Option<Pending>,
    /// User-role item texts since the last `user_message` event: (text, was a prompt).
    pub recent_user_items: Vec<(String, bool)>,
    pub turn_starts: Vec<usize>,
    pub turn_open: Option<usize>,
    pub compaction: Option<(Option<usize>, u8)>,
    pub title_from_log: Option<String>,
    pub turn_cwd: Option<String>,
    pub env_cwd: Option<String>,
    pub warnings: Vec<Warning>,
    pub last_tool_search: Option<String>,
    pub copied_ids: Vec<String>,
    /// `spawn_agent` calls awaiting their output: call id → event index.
    pub spawn_calls: std::collections::HashMap<String, usize>,
    /// UI copies awaiting their item, and items awaiting their UI copy (see `ui`).
    pub unmatched_ui: Vec<super::ui::UiCopy>,
    pub recent_items: Vec<(super::ui::UiKind, String)>,
}

/// Read one rollout source.
pub(super) fn read(src: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
    let pre = prescan(&src.path)?;
    let input = jsonl::open(&src.path)?;
    let mut r = Reader::new(src, opts, pre);
    let mut warnings = Vec::new();
    let file = r.file.clone();
    jsonl::for_each_line(input, &file, &mut warnings, |line| {
        r.line(line.number, line.value)
    });
    Ok(r.finish(warnings))
}

/// The thread id in a rollout file name (`rollout-<time>-<uuid>.jsonl[.zst]`), else the stem.
pub(super) fn file_id(path: &std::path::Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".zst").unwrap_or(&name);
    let stem = stem.strip_suffix(".jsonl").unwrap_or(stem);
    uuid_suffix(stem).unwrap_or(stem).to_string()
}

/// The trailing UUID (8-4-4-4-12 hex) of `s`, if any.
pub(super) fn uuid_suffix(s: &str) -> Option<&str> {
    let tail = s.get(s.len().checked_sub(36)?..)?;
    let ok = tail.char_indices().all(|(i, c)| {
        if [8, 13, 18, 23].contains(&i) {
            c == '-'
        } else {
            c.is_ascii_hexdigit()
        }
    });
    ok.then_some(tail)
}

impl<'a> Reader<'a> {
    fn new(src: &'a Source, opts: &ReadOptions, pre: Prescan) -> Self {
        let mut s = Session::new(Agent::Codex, file_id(&src.path));
        s.retain_events = opts.retain_events;
        Reader {
            src,
            file: src.display(),
            s,
            pre,
            format: None,
            own_meta: false,
            saw_object: false,
            line_no: 0,
            line_ts: None,
            line_ts_raw: String::new(),
            inherited: false,
            last_ts: None,
            own_last_ts: None,
            meta_ts: None,
            model: None,
            tracker: Tracker::default(),
            calls: HashSet::new(),
            pending: None,
            recent_user_items: Vec::new(),
            turn_starts: Vec::new(),
            turn_open: None,
            compaction: None,
            title_from_log: None,
            turn_cwd: None,
            env_cwd: None,
            warnings: Vec::new(),
            last_tool_search: None,
            copied_ids: Vec::new(),
            spawn_calls: std::collections::HashMap::new(),
            unmatched_ui: Vec::new(),
            recent_items: Vec::new(),
        }
    }

    pub(super) fn warn(&mut self, kind: WarningKind, detail: impl Into<String>) {
        self.warnings.push(Warning::new(
            self.file.clone(),
            Some(self.line_no),
            kind,
            detail,
        ));
    }

    fn line(&mut self, number: u64, v: Value) {
        self.line_no = number;
        let first = !self.saw_object;
        if !v.is_object() {
            self.flush_pending();
            self.warn(WarningKind::UnexpectedShape, "line is not a JSON object");
            return;
        }
        self.saw_object = true;
        self.inherited = self.own_meta && self.pre.prefix_end.is_some_and(|end| number <= end);
        let ty = v.get("type").and_then(Value::as_str).map(str::to_string);
        let envelope = ty.is_some() && v.get("payload").is_some();
        self.line_ts_raw = if envelope {
            v.get("timestamp")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        } else {
            String::new()
        };
        self.line_ts = crate::time::parse_iso(&self.line_ts_raw);
        if !self.inherited
            && let Some(t) = self.line_ts
        {
            self.own_last_ts = Some(self.own_last_ts.map_or(t, |o| o.max(t)));
        }
        let is_user_event = envelope
            && ty.as_deref() == Some("event_msg")
            && v["payload"].get("type").and_then(Value::as_str) == Some("user_message");
        if !is_user_event {
            self.flush_pending();
        }
        if envelope {
            if first {
                self.format = Some(FORMAT_ENVELOPE);
            }
            let ty = ty.unwrap_or_default();
            self.envelope(&ty, &v["payload"], first);
        } else if let Some(rt) = v.get("record_type") {
            // Generation A state snapshots: empty, ignored (§1.2). Other record types are kept.
            if rt.as_str() != Some("state") {
                let name = rt.as_str().unwrap_or("record").to_string();
                self.opaque(&name, &v);
            }
        } else if first && ty.is_none() && v.get("id").is_some() && v.get("timestamp").is_some() {
            self.format = Some(FORMAT_BARE);
            self.bare_meta(&v);
        } else if ty.is_some() {
            if first {
                self.format = Some(FORMAT_BARE);
            }
            self.response_item(&v);
        } else {
            self.warn(WarningKind::UnexpectedShape, "object without `type`");
            self.opaque("unknown", &v);
        }
    }

    fn envelope(&mut self, ty: &str, p: &Value, first: bool) {
        match ty {
            "session_meta" => self.session_meta(p, first),
            "response_item" => self.response_item(p),
            "event_msg" => self.event_msg(p),
            "turn_context" => self.turn_context(p),
            "compacted" => {
                let msg = p
                    .get("message")
                    .and_then(Value::as_str)
                    .filter(|m| !m.trim().is_empty());
                self.compaction_event(msg.map(str::to_string), CG_COMPACTED);
            }
            "inter_agent_communication" => {
                let text = super::tools::flatten(p.get("content").unwrap_or(&Value::Null));
                if text.trim().is_empty() {
                    self.opaque(ty, p);
                } else {
                    let author = p.get("author").and_then(Value::as_str).unwrap_or("?");
                    let recipient = p.get("recipient").and_then(Value::as_str).unwrap_or("?");
                    let text = format!("[{author} → {recipient}]\n{text}");
                    self.emit(
                        EventKind::Context {
                            source: "inter_agent_communication".into(),
                            text,
                        },
                        None,
                    );
                }
            }
            _ => self.opaque(ty, p),
        }
    }

    fn bare_meta(&mut self, v: &Value) {
        self.own_meta = true;
        if let Some(id) = v
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            self.set_id(id);
        }
        self.meta_ts = v
            .get("timestamp")
            .and_then(Value::as_str)
            .and_then(crate::time::parse_iso);
        self.git(v.get("git"));
        if let Some(instr) = v
            .get("instructions")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
        {
            let ts = self.meta_ts;
            self.emit_at(
                EventKind::Context {
                    source: "user_instructions".into(),
                    text: instr.to_string(),
                },
                ts,
                false,
                None,
                None,
            );
        }
    }

    fn set_id(&mut self, id: &str) {
        self.s.id = id.to_string();
        self.s.key = Session::key_for(Agent::Codex, id);
    }

    fn session_meta(&mut self, p: &Value, first: bool) {
        if !first || self.own_meta {
            // Copied from the parent's history (fork / sub-agent), or a stray later meta.
            if let Some(id) = p.get("id").and_then(Value::as_str)
                && !self.copied_ids.iter().any(|c| c == id)
            {
                self.copied_ids.push(id.to_string());
            }
            let raw = slim_meta(p);
            self.opaque("session_meta", &raw);
            return;
        }
        self.own_meta = true;
        if p.get("history_mode").and_then(Value::as_str) == Some("paginated") {
            self.format = Some(FORMAT_PAGINATED);
        }
        if let Some(id) = p
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            self.set_id(id);
        }
        self.meta_ts = p
            .get("timestamp")
            .and_then(Value::as_str)
            .and_then(crate::time::parse_iso)
            .or(self.line_ts);
        let str_of = |k: &str| {
            p.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        self.s.cwd = str_of("cwd");
        self.s.agent_version = str_of("cli_version");
        self.git(p.get("git"));
        let md = &mut self.s.metadata;
        for key in [
            "originator",
            "model_provider",
            "forked_from_id",
            "agent_nickname",
            "agent_path",
            "thread_source",
            "parent_thread_id",
            "multi_agent_version",
            "history_mode",
            "memory_mode",
        ] {
            if let Some(v) = p.get(key).filter(|v| !v.is_null()) {
                md.insert(key.to_string(), v.clone());
            }
        }
        if let Some(role) = p
            .get("agent_role")
            .or_else(|| p.get("agent_type"))
            .filter(|v| !v.is_null())
        {
            md.insert("agent_role".into(), role.clone());
        }
        if let Some(src) = p.get("source") {
            md.insert("source".into(), src.clone());
        }
        if let Some(group) = str_of("session_id").filter(|g| *g != self.s.id) {
            md.insert("session_group".into(), Value::String(group));
        }
        let (kind, parent) = kind_of(p);
        self.s.kind = kind;
        self.s.parent = parent.map(|id| Session::key_for(Agent::Codex, &id));
    }

    fn git(&mut self, g: Option<&Value>) {
        let Some(g) = g.filter(|g| g.is_object()) else {
            return;
        };
        let f = |k: &str| {
            g.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        self.s.git = GitInfo {
            branch: f("branch"),
            commit: f("commit_hash"),
            remote: f("repository_url"),
        };
    }

    fn turn_context(&mut self, p: &Value) {
        self.flush_ui();
        if let Some(m) = p
            .get("model")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
        {
            self.model = Some(m.to_string());
            if !self.inherited {
                self.s.add_model(m);
            }
        }
        if self.inherited {
            return;
        }
        if self.turn_open.is_none() {
            self.turn_open = Some(self.s.events.len());
        }
        if let Some(cwd) = p
            .get("cwd")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            && self.turn_cwd.is_none()
        {
            self.turn_cwd = Some(cwd.to_string());
        }
        let md = &mut self.s.metadata;
        if let Some(a) = p.get("approval_policy").filter(|v| !v.is_null()) {
            md.insert("approval_policy".into(), a.clone());
        }
        // The sandbox tag key was `mode` until v0.58 and `type` from v0.59.
        if let Some(sb) = p.get("sandbox_policy") {
            let mode = sb
                .get("type")
                .or_else(|| sb.get("mode"))
                .or(Some(sb))
                .filter(|v| v.is_string());
            if let Some(mode) = mode {
                md.insert("sandbox".into(), mode.clone());
            }
        }
        if let Some(e) = p.get("effort").filter(|v| v.is_string()) {
            md.insert("reasoning_effort".into(), e.clone());
        }
    }

    /// Push an event stamped with the current line.
    pub(super) fn emit(&mut self, kind: EventKind, native_id: Option<String>) {
        let (ts, inh) = (self.line_ts, self.inherited);
        self.emit_at(kind, ts, inh, native_id, None);
    }

    /// Push an event; timestamps are kept non-decreasing.
    pub(super) fn emit_at(
        &mut self,
        kind: EventKind,
        ts: Option<Timestamp>,
        inherited: bool,
        native_id: Option<String>,
        usage: Option<CallUsage>,
    ) {
        if matches!(kind, EventKind::UserPrompt { .. }) && !self.unmatched_ui.is_empty() {
            self.flush_ui();
        }
        let ts = match (ts, self.last_ts) {
            (Some(t), Some(last)) if t < last => Some(last),
            (t, _) => t,
        };
        if ts.is_some() {
            self.last_ts = ts;
        }
        match &kind {
            EventKind::UserPrompt { .. } => {
                self.compaction = None;
                let start = self.turn_open.take().unwrap_or(self.s.events.len());
                self.turn_starts.push(start);
            }
            EventKind::AssistantText { .. }
            | EventKind::ToolCall { .. }
            | EventKind::ToolResult { .. }
            | EventKind::Reasoning { .. } => {
                self.compaction = None;
                self.turn_open = None;
            }
            _ => {}
        }
        let mut e = Event::new(kind).at(ts);
        e.native_id = native_id;
        e.inherited = inherited;
        e.usage = usage;
        self.s.push(e);
    }

    /// A compaction record; records of one compaction collapse into one event.
    pub(super) fn compaction_event(&mut self, summary: Option<String>, bit: u8) {
        if let Some((idx, bits)) = self.compaction
            && bits & bit == 0
        {
            self.compaction = Some((idx, bits | bit));
            if let (Some(i), Some(new)) = (idx, summary)
                && let Some(EventKind::Compaction {
                    summary: s @ None, ..
                }) = self.s.events.get_mut(i).map(|e| &mut e.kind)
            {
                *s = Some(new);
            }
            return;
        }
        let idx = self.s.retain_events.then_some(self.s.events.len());
        self.emit(
            EventKind::Compaction {
                summary,
                trigger: None,
            },
            None,
        );
        self.compaction = Some((idx, bit));
    }

    /// `thread_rolled_back`: the last `n` user turns are no longer part of the thread.
    pub(super) fn rollback(&mut self, n: u64) {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        if n == 0 || self.turn_starts.is_empty() {
            return;
        }
        let keep = self.turn_starts.len().saturating_sub(n);
        let start = self.turn_starts[keep];
        if self.s.retain_events {
            for e in self.s.events.iter_mut().skip(start) {
                e.abandoned = true;
            }
        }
        self.turn_starts.truncate(keep);
    }

    /// Keep a record convx does not interpret.
    pub(super) fn opaque(&mut self, record_type: &str, raw: &Value) {
        self.emit(
            EventKind::Opaque {
                record_type: record_type.to_string(),
                raw: scrub(raw),
            },
            None,
        );
    }

    pub(super) fn flush_pending(&mut self) {
        if let Some(p) = self.pending.take() {
            self.emit_at(
                EventKind::Context {
                    source: p.tag,
                    text: p.text,
                },
                p.ts,
                p.inherited,
                p.native_id,
                None,
            );
        }
    }

    fn finish(mut self, mut read_warnings: Vec<Warning>) -> SourceOutput {
        self.flush_pending();
        self.flush_ui();
        if !self.saw_object {
            read_warnings.append(&mut self.warnings);
            return SourceOutput {
                sessions: Vec::new(),
                warnings: read_warnings,
            };
        }
        let mut s = self.s;
        if let Some(t) = self.meta_ts {
            s.started_at = Some(s.started_at.map_or(t, |x| x.min(t)));
        }
        if let Some(t) = self.own_last_ts {
            s.ended_at = Some(s.ended_at.map_or(t, |x| x.max(t)));
        }
        if let Some(st) = s.started_at
            && s.ended_at.is_none_or(|e| e < st)
        {
            s.ended_at = Some(st);
        }
        if s.cwd.is_none() {
            s.cwd = self.turn_cwd.or(self.env_cwd);
        }
        let hint_title = self
            .src
            .hint
            .as_deref()
            .and_then(|h| serde_json::from_str::<Value>(h).ok())
            .and_then(|h| h.get("title").and_then(Value::as_str).map(str::to_string));
        s.title = hint_title
            .or(self.title_from_log)
            .filter(|t| !t.trim().is_empty());
        if !self.copied_ids.is_empty() {
            s.metadata
                .insert("copied_session_ids".into(), json!(self.copied_ids));
        }
        if let Some(end) = self.pre.prefix_end {
            s.metadata.insert(
                "inherited_prefix_lines".into(),
                json!(end.saturating_sub(1)),
            );
        }
        s.sources = vec![SourceFile {
            path: self.file.clone(),
            fingerprint: self.src.fingerprint,
            format: Some(self.format.unwrap_or(FORMAT_ENVELOPE).to_string()),
        }];
        read_warnings.append(&mut self.warnings);
        read_warnings.sort_by_key(|w| w.line);
        s.warnings = read_warnings;
        SourceOutput {
            sessions: vec![s],
            warnings: Vec::new(),
        }
    }
}

/// Kind and parent id from a `session_meta` payload.
pub(super) fn kind_of(p: &Value) -> (SessionKind, Option<String>) {
    let id = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let source = p.get("source");
    let sub = source.and_then(|s| s.get("subagent"));
    let spawn_parent = id(sub
        .and_then(|s| s.get("thread_spawn"))
        .and_then(|t| t.get("parent_thread_id")));
    let top_parent = id(p.get("parent_thread_id"));
    let fork = id(p.get("forked_from_id"));
    let internal = match sub {
        Some(Value::String(_)) => true,
        Some(Value::Object(o)) => !o.contains_key("thread_spawn"),
        _ => false,
    } || source.and_then(|s| s.get("internal")).is_some()
        || p.get("thread_source").and_then(Value::as_str) == Some("memory_consolidation");
    if internal {
        return (SessionKind::Internal, spawn_parent.or(top_parent).or(fork));
    }
    if spawn_parent.is_some() || top_parent.is_some() || sub.is_some() {
        return (SessionKind::Subagent, spawn_parent.or(top_parent));
    }
    if fork.is_some() {
        return (SessionKind::Fork, fork);
    }
    (SessionKind::Main, None)
}

/// A copied `session_meta` kept as an opaque record, without the large instruction texts.
fn slim_meta(p: &Value) -> Value {
    let mut m = p.as_object().cloned().unwrap_or_default();
    for k in ["base_instructions", "instructions", "dynamic_tools"] {
        if let Some(v) = m.get_mut(k)
            && !v.is_null()
        {
            *v = Value::String("[omitted]".into());
        }
    }
    Value::Object(m)
}

/// Remove image data and encrypted blobs from a raw record before keeping it.
pub(super) fn scrub(v: &Value) -> Value {
    match v {
        Value::String(s) if s.starts_with("data:") && s.contains(";base64,") => {
            Value::String(crate::text::image_placeholder(&json!({ "image_url": s })))
        }
        Value::String(s) if s.len() > 4096 && looks_base64(s) => {
            Value::String(format!("[base64: {} chars]", s.len()))
        }
        Value::Array(a) => Value::Array(a.iter().map(scrub).collect()),
        Value::Object(o) => {
            let mut out = Map::with_capacity(o.len());
            for (k, x) in o {
                let x = if k == "encrypted_content" && x.is_string() {
                    Value::String("[encrypted]".into())
                } else {
                    scrub(x)
                };
                out.insert(k.clone(), x);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn looks_base64(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r'))
}

/// An image content part as an attachment (metadata only).
pub(super) fn image_attachment(part: &Value) -> Attachment {
    let (media_type, size_bytes) = crate::text::image_meta(part);
    let url = part
        .get("image_url")
        .and_then(|u| u.as_str().or_else(|| u.get("url").and_then(Value::as_str)));
    let name = url.filter(|u| !u.starts_with("data:")).map(str::to_string);
    Attachment {
        kind: "image".into(),
        media_type,
        size_bytes,
        name,
    }
}

/// Text of a message's content (array of parts or a plain string), skipping image wrappers.
pub(super) fn text_parts(content: Option<&Value>) -> Vec<String> {
    match content {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| match p {
                Value::String(s) => Some(s.clone()),
                _ => p.get("text").and_then(Value::as_str).map(str::to_string),
            })
            .filter(|t| !context::is_image_wrapper(t))
            .collect(),
        _ => Vec::new(),
    }
}
