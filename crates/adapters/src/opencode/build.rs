//! Turning OpenCode messages and parts (the same JSON in SQLite rows and legacy files)
//! into a [`Session`]. Both stores feed [`Builder::message`] one message at a time, with
//! its parts in id order, so memory stays bounded by one message.

use super::shapes::{attachment, inline_parts, model_of, plan_steps, scrub};
use super::usage::RawTokens;
use crate::text;
use convx_model::{
    Agent, Attachment, CallUsage, Event, EventKind, Session, SessionKind, SourceFile, Timestamp,
    Warning, WarningKind,
};
use serde_json::{Map, Value, json};

/// Session-level facts, from a `session` row or a legacy `session/<project>/<id>.json`.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionInfo {
    pub id: String,
    pub parent_id: Option<String>,
    pub project_id: Option<String>,
    pub title: Option<String>,
    pub directory: Option<String>,
    pub version: Option<String>,
    pub time_created: Option<i64>,
    /// Session `revert` state `{messageID, partID?, ...}`: messages after it are hidden
    /// (abandoned) until OpenCode deletes them on the next prompt.
    pub revert: Option<Value>,
    /// OpenCode 2 `fork_session_id`: the session this one was forked from.
    pub fork_of: Option<String>,
    /// Other facts kept as session metadata (slug, archive time, diff summary...).
    pub metadata: Map<String, Value>,
}

impl SessionInfo {
    /// From a legacy Session.Info JSON. `id` and `project_id` come from the path (the
    /// body may be stale after OpenCode's own directory migrations).
    pub fn from_legacy(id: &str, project_id: Option<&str>, v: &Value) -> SessionInfo {
        let mut metadata = Map::new();
        if let Some(s) = str_at(v, "/slug") {
            metadata.insert("slug".into(), json!(s));
        }
        if let Some(t) = v.pointer("/time/archived").filter(|t| !t.is_null()) {
            metadata.insert("archived_at".into(), t.clone());
        }
        if v.pointer("/share/url").is_some_and(Value::is_string) {
            metadata.insert("shared".into(), json!(true));
        }
        if let Some(s) = v.get("summary").filter(|s| s.is_object()) {
            let mut sum = Map::new();
            for k in ["additions", "deletions", "files"] {
                if let Some(n) = s.get(k).filter(|n| n.is_number()) {
                    sum.insert(k.into(), n.clone());
                }
            }
            if !sum.is_empty() {
                metadata.insert("diff_summary".into(), Value::Object(sum));
            }
        }
        SessionInfo {
            id: id.to_string(),
            parent_id: str_at(v, "/parentID").map(str::to_string),
            project_id: project_id
                .map(str::to_string)
                .or_else(|| str_at(v, "/projectID").map(str::to_string)),
            title: str_at(v, "/title").map(str::to_string),
            directory: str_at(v, "/directory").map(str::to_string),
            version: str_at(v, "/version").map(str::to_string),
            time_created: v.pointer("/time/created").and_then(Value::as_i64),
            revert: v.get("revert").filter(|r| r.is_object()).cloned(),
            fork_of: None,
            metadata,
        }
    }
}

/// One part: its id (from the row or file name) and its JSON body.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub id: String,
    pub data: Value,
}

/// Builds one session from its messages.
pub(crate) struct Builder {
    s: Session,
    source: String,
    version: Option<String>,
    revert: Option<(String, Option<String>)>,
    last_ts: Option<Timestamp>,
    last_system: Option<String>,
    inline_parts: bool,
    format: String,
    seen_user: bool,
}

fn str_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A Unix-milliseconds (or ISO) timestamp.
fn ts(v: Option<&Value>) -> Option<Timestamp> {
    v.and_then(crate::time::from_value)
}

impl Builder {
    /// Start a session from its info. `source` is where it is read from.
    pub fn new(info: &SessionInfo, source: SourceFile, retain_events: bool) -> Builder {
        let mut s = Session::new(Agent::OpenCode, info.id.clone());
        s.retain_events = retain_events;
        s.title = info.title.clone().filter(|t| !t.trim().is_empty());
        s.cwd = info.directory.clone().filter(|d| !d.is_empty());
        s.agent_version = info.version.clone().filter(|v| !v.is_empty());
        s.started_at = info.time_created.and_then(crate::time::from_millis);
        if let Some(p) = info.parent_id.as_deref().filter(|p| !p.is_empty()) {
            s.parent = Some(Session::key_for(Agent::OpenCode, p));
            s.kind = SessionKind::Subagent;
        } else if let Some(f) = info.fork_of.as_deref().filter(|f| !f.is_empty()) {
            s.parent = Some(Session::key_for(Agent::OpenCode, f));
            s.kind = SessionKind::Fork;
        }
        if let Some(p) = &info.project_id {
            s.metadata.insert("project_id".into(), json!(p));
        }
        for (k, v) in &info.metadata {
            s.metadata.insert(k.clone(), v.clone());
        }
        let revert = info.revert.as_ref().and_then(|r| {
            let m = r.get("messageID").and_then(Value::as_str)?;
            Some((
                m.to_string(),
                r.get("partID").and_then(Value::as_str).map(str::to_string),
            ))
        });
        if let Some(r) = &info.revert {
            s.metadata.insert("revert".into(), r.clone());
        }
        let format = source.format.clone().unwrap_or_default();
        let display = source.path.clone();
        s.sources.push(source);
        Builder {
            s,
            source: display,
            version: info.version.clone(),
            revert,
            last_ts: None,
            last_system: None,
            inline_parts: false,
            format,
            seen_user: false,
        }
    }

    /// Record a problem with one record of this session.
    pub fn warn(&mut self, kind: WarningKind, detail: impl Into<String>) {
        self.s
            .warnings
            .push(Warning::new(self.source.clone(), None, kind, detail));
    }

    /// The session being built.
    pub(super) fn session_mut(&mut self) -> &mut Session {
        &mut self.s
    }

    /// The OpenCode version that wrote the session.
    pub(super) fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Record a problem located in another file (legacy JSON tree).
    pub fn warn_file(&mut self, file: &str, kind: WarningKind, detail: impl Into<String>) {
        self.s.warnings.push(Warning::new(file, None, kind, detail));
    }

    /// True when `revert` hides this message (or part).
    pub(super) fn abandoned(&self, message_id: &str, part_id: Option<&str>) -> bool {
        let Some((rm, rp)) = &self.revert else {
            return false;
        };
        match message_id.cmp(rm.as_str()) {
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => match (rp, part_id) {
                (Some(rp), Some(p)) => p >= rp.as_str(),
                _ => true,
            },
        }
    }

    /// Add one message (`data` = message info) and its parts, in order.
    /// `created_col` is the row's `time_created` (SQLite), used when the body has none.
    pub fn message(&mut self, id: &str, created_col: Option<i64>, data: &Value, parts: &[Part]) {
        let created = ts(data.pointer("/time/created"))
            .or_else(|| ts(data.pointer("/metadata/time/created")))
            .or_else(|| created_col.and_then(crate::time::from_millis));
        let inline;
        let parts = if parts.is_empty() && data.get("parts").is_some_and(Value::is_array) {
            inline = inline_parts(id, data);
            self.inline_parts = true;
            &inline[..]
        } else {
            parts
        };
        let mut evs: Vec<(Option<String>, Event)> = Vec::new();
        match data.get("role").and_then(Value::as_str).unwrap_or("") {
            "user" => self.user(id, created, data, parts, &mut evs),
            "assistant" => self.assistant(id, created, data, parts, &mut evs),
            other => {
                let raw = json!({"id": id, "info": scrub(data), "parts": parts.iter().map(|p| scrub(&p.data)).collect::<Vec<_>>()});
                let rt = if other.is_empty() {
                    "message".to_string()
                } else {
                    format!("message/{other}")
                };
                evs.push((
                    None,
                    Event::new(EventKind::Opaque {
                        record_type: rt,
                        raw,
                    })
                    .at(created)
                    .with_id(id),
                ));
            }
        }
        for (part_id, mut e) in evs {
            e.abandoned = self.abandoned(id, part_id.as_deref());
            self.push(e);
        }
    }

    /// Push keeping timestamps non-decreasing (a part recorded earlier than the previous
    /// event is shown at the previous event's time).
    pub(super) fn push(&mut self, mut e: Event) {
        match (e.timestamp, self.last_ts) {
            (Some(t), Some(last)) if t < last => e.timestamp = Some(last),
            (None, last) => e.timestamp = last,
            _ => {}
        }
        if e.timestamp.is_some() {
            self.last_ts = e.timestamp;
        }
        self.s.push(e);
    }

    fn user(
        &mut self,
        id: &str,
        created: Option<Timestamp>,
        data: &Value,
        parts: &[Part],
        evs: &mut Vec<(Option<String>, Event)>,
    ) {
        self.system(data.get("system"), id, created, evs);
        let is_typed = |p: &Part| {
            p.data.get("type").and_then(Value::as_str) == Some("text")
                && !flag(&p.data, "synthetic")
                && !flag(&p.data, "ignored")
        };
        let is_file = |p: &Part| p.data.get("type").and_then(Value::as_str) == Some("file");
        let typed: Vec<&str> = parts
            .iter()
            .filter(|p| is_typed(p))
            .filter_map(|p| p.data.get("text").and_then(Value::as_str))
            .collect();
        let attachments: Vec<Attachment> = parts
            .iter()
            .filter(|p| is_file(p))
            .map(|p| attachment(&p.data))
            .collect();
        // The first user message of a sub-agent session is the prompt the parent's `task`
        // tool wrote, not something the user typed.
        let delegated = self.s.kind == SessionKind::Subagent && !self.seen_user;
        self.seen_user = true;
        let mut prompt_done = false;
        for p in parts {
            if is_typed(p) || is_file(p) {
                if !prompt_done {
                    prompt_done = true;
                    let kind = if delegated && !typed.is_empty() {
                        context_kind("subagent_prompt", &typed.join("\n\n"))
                    } else {
                        EventKind::UserPrompt {
                            text: typed.join("\n\n"),
                            attachments: attachments.clone(),
                        }
                    };
                    evs.push((Some(p.id.clone()), Event::new(kind).at(created).with_id(id)));
                }
                continue;
            }
            self.part(id, created, p, false, None, evs);
        }
    }

    /// A per-message system prompt (string; older builds: array of strings, on the user
    /// message or under `metadata.assistant`). Repeated identical prompts are shown once.
    fn system(
        &mut self,
        v: Option<&Value>,
        id: &str,
        created: Option<Timestamp>,
        evs: &mut Vec<(Option<String>, Event)>,
    ) {
        let system = match v {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(a)) => Some(
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            _ => None,
        }
        .filter(|s| !s.trim().is_empty());
        if let Some(sys) = system
            && self.last_system.as_deref() != Some(sys.as_str())
        {
            evs.push((None, ctx("system", sys.clone(), created, id)));
            self.last_system = Some(sys);
        }
    }

    fn assistant(
        &mut self,
        id: &str,
        created: Option<Timestamp>,
        data: &Value,
        parts: &[Part],
        evs: &mut Vec<(Option<String>, Event)>,
    ) {
        let info = if data.get("tokens").is_some()
            || data.get("modelID").is_some()
            || data.get("model").is_some()
        {
            data
        } else {
            // Inline-parts generation: usage and model under `metadata.assistant`.
            data.pointer("/metadata/assistant").unwrap_or(data)
        };
        if self.s.cwd.is_none() {
            self.s.cwd = str_at(info, "/path/cwd").map(str::to_string);
        }
        if !std::ptr::eq(info, data) {
            self.system(info.get("system"), id, created, evs);
        }
        let model = model_of(info);
        let summary = flag(data, "summary") || flag(info, "summary");
        let tokens = info
            .get("tokens")
            .and_then(RawTokens::parse)
            .filter(|t| !t.is_zero());
        let step_usage = if tokens.is_none() {
            Some(model.clone())
        } else {
            None
        };
        let start = evs.len();
        for p in parts {
            self.part(id, created, p, summary, step_usage.as_ref(), evs);
        }
        if let Some(err) = data.get("error").filter(|e| !e.is_null()) {
            let done = ts(data.pointer("/time/completed")).or(created);
            let ev = Event::new(EventKind::Opaque {
                record_type: "assistant_error".into(),
                raw: scrub(err),
            })
            .at(done)
            .with_id(id);
            evs.push((None, ev));
        }
        if let Some(t) = tokens {
            let mut cu = CallUsage::new(model, t.normalize(self.version.as_deref()), id);
            cu.recorded_cost_usd = info.get("cost").and_then(Value::as_f64);
            let carrier = evs[start..]
                .iter()
                .position(|(_, e)| matches!(e.kind, EventKind::AssistantText { .. }))
                .or_else(|| {
                    evs[start..].iter().position(|(_, e)| {
                        matches!(
                            e.kind,
                            EventKind::Reasoning { .. }
                                | EventKind::ToolCall { .. }
                                | EventKind::Context { .. }
                        )
                    })
                });
            match carrier {
                Some(i) => evs[start + i].1.usage = Some(cu),
                None => {
                    let done = ts(data.pointer("/time/completed")).or(created);
                    let mut ev = Event::new(EventKind::ModelCall {}).at(done).with_id(id);
                    ev.usage = Some(cu);
                    evs.push((None, ev));
                }
            }
        }
    }

    /// One part of any message. `summary`: the message is a compaction summary.
    /// `step_usage`: `Some(model)` when the message has no usable totals, so its
    /// `step-finish` parts carry the usage instead.
    fn part(
        &mut self,
        mid: &str,
        created: Option<Timestamp>,
        p: &Part,
        summary: bool,
        step_usage: Option<&Option<String>>,
        evs: &mut Vec<(Option<String>, Event)>,
    ) {
        let d = &p.data;
        let ty = d.get("type").and_then(Value::as_str).unwrap_or("");
        let start = ts(d.pointer("/time/start")).or(created);
        let pid = Some(p.id.clone());
        let mut push = |kind: EventKind, at: Option<Timestamp>| {
            evs.push((pid.clone(), Event::new(kind).at(at).with_id(p.id.clone())));
        };
        match ty {
            "text" => {
                let t = d.get("text").and_then(Value::as_str).unwrap_or("");
                if t.is_empty() {
                    return;
                }
                let kind = if flag(d, "synthetic") {
                    context_kind("synthetic", t)
                } else if flag(d, "ignored") {
                    context_kind("ignored", t)
                } else if summary {
                    context_kind("compact_summary", t)
                } else {
                    EventKind::AssistantText {
                        text: t.to_string(),
                    }
                };
                push(kind, start);
            }
            "reasoning" => {
                let t = d
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let encrypted = t.is_empty()
                    && d.get("metadata")
                        .is_some_and(|m| m.to_string().contains("ncrypted"));
                if t.is_empty() && !encrypted {
                    return;
                }
                push(EventKind::Reasoning { text: t, encrypted }, start);
            }
            "tool" => self.tool(mid, created, p, evs),
            "step-finish" if step_usage.is_some() => {
                let Some(t) = d
                    .get("tokens")
                    .and_then(RawTokens::parse)
                    .filter(|t| !t.is_zero())
                else {
                    push(
                        EventKind::Opaque {
                            record_type: "part/step-finish".into(),
                            raw: scrub(d),
                        },
                        created,
                    );
                    return;
                };
                let model = step_usage.cloned().flatten();
                let mut cu = CallUsage::new(
                    model,
                    t.normalize(self.version.as_deref()),
                    format!("{mid}/{}", p.id),
                );
                cu.recorded_cost_usd = d.get("cost").and_then(Value::as_f64);
                let mut ev = Event::new(EventKind::ModelCall {})
                    .at(created)
                    .with_id(p.id.clone());
                ev.usage = Some(cu);
                evs.push((pid, ev));
            }
            "compaction" => {
                let trigger = match d.get("auto").and_then(Value::as_bool) {
                    Some(true) => "auto",
                    Some(false) => "manual",
                    None => "unknown",
                };
                push(
                    EventKind::Compaction {
                        summary: None,
                        trigger: Some(trigger.into()),
                    },
                    created,
                );
            }
            "subtask" => {
                let prompt = d.get("prompt").and_then(Value::as_str).unwrap_or("");
                push(context_kind("subtask", prompt), created);
            }
            "file" => {
                // A file in an assistant message (generated image...): metadata only.
                let a = attachment(d);
                push(
                    EventKind::Opaque {
                        record_type: "part/file".into(),
                        raw: json!({"kind": a.kind, "mime": a.media_type, "name": a.name, "size_bytes": a.size_bytes}),
                    },
                    created,
                );
            }
            "" => push(
                EventKind::Opaque {
                    record_type: "part".into(),
                    raw: scrub(d),
                },
                created,
            ),
            other => push(
                EventKind::Opaque {
                    record_type: format!("part/{other}"),
                    raw: scrub(d),
                },
                start,
            ),
        }
    }

    fn tool(
        &mut self,
        _mid: &str,
        created: Option<Timestamp>,
        p: &Part,
        evs: &mut Vec<(Option<String>, Event)>,
    ) {
        let d = &p.data;
        let state = d.get("state").cloned().unwrap_or(Value::Null);
        let call_id = d
            .get("callID")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .unwrap_or(&p.id)
            .to_string();
        let name = d
            .get("tool")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string();
        let input = match state.get("input") {
            Some(v) if !v.is_null() => v.clone(),
            _ => match state.get("raw").and_then(Value::as_str) {
                Some(raw) => {
                    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()))
                }
                None => json!({}),
            },
        };
        let subagent = [
            "/metadata/sessionId",
            "/metadata/sessionID",
            "/metadata/session_id",
        ]
        .iter()
        .find_map(|k| {
            state
                .pointer(k)
                .or_else(|| d.pointer(k))
                .and_then(Value::as_str)
        })
        .filter(|s| !s.is_empty())
        .map(|s| Session::key_for(Agent::OpenCode, s));
        let start = ts(state.pointer("/time/start")).or(created);
        let end = ts(state.pointer("/time/end")).or(start);
        let plan = if name == "todowrite" {
            plan_steps(&input)
        } else {
            None
        };
        let pid = Some(p.id.clone());
        let call = EventKind::ToolCall {
            call_id: call_id.clone(),
            name,
            input,
            subagent,
        };
        evs.push((
            pid.clone(),
            Event::new(call).at(start).with_id(p.id.clone()),
        ));
        if let Some(steps) = plan {
            evs.push((
                pid.clone(),
                Event::new(EventKind::PlanUpdate {
                    explanation: None,
                    steps,
                })
                .at(start)
                .with_id(p.id.clone()),
            ));
        }
        let result = match state.get("status").and_then(Value::as_str) {
            Some("completed") => {
                let mut out = match state.get("output") {
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => text::flatten_content(v),
                    None => String::new(),
                };
                if let Some(atts) = state.get("attachments").and_then(Value::as_array) {
                    for a in atts {
                        let a = attachment(a);
                        out.push_str(&format!(
                            "\n[{}: {}]",
                            a.kind,
                            a.name.or(a.media_type).unwrap_or_default()
                        ));
                    }
                }
                Some((out, false))
            }
            Some("error") => Some((
                state
                    .get("error")
                    .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
                    .unwrap_or_default(),
                true,
            )),
            _ => None,
        };
        if let Some((output, is_error)) = result {
            evs.push((
                pid,
                Event::new(EventKind::ToolResult {
                    call_id,
                    output,
                    is_error,
                })
                .at(end)
                .with_id(p.id.clone()),
            ));
        }
    }

    /// The finished session.
    pub fn finish(mut self) -> Session {
        if self.inline_parts
            && let Some(src) = self.s.sources.last_mut()
        {
            src.format = Some(format!("{}-inline", self.format));
        }
        self.s
    }
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn context_kind(source: &str, text: &str) -> EventKind {
    EventKind::Context {
        source: source.into(),
        text: text.to_string(),
    }
}

fn ctx(source: &str, text: String, at: Option<Timestamp>, id: &str) -> Event {
    Event::new(EventKind::Context {
        source: source.into(),
        text,
    })
    .at(at)
    .with_id(id)
}
