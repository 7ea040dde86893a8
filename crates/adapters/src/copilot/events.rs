//! Mapping Copilot CLI session events to convx events.
//!
//! Envelope per line: `{type, id, parentId, timestamp, data, agentId?, ephemeral?}`. The file
//! is append-only and linear (`parentId` points at the previous event); ephemeral events
//! (`*_delta`, `assistant.usage`, `session.idle`, …) are never written.
//!
//! | event | convx |
//! |---|---|
//! | `session.start` | session metadata (id, start, cwd, git, version, model) |
//! | `user.message` | prompt = `content` (what the user typed; `transformedContent` is the context-augmented copy sent to the model); sub-agent, skill, agent and autopilot messages → context |
//! | `assistant.message` | reasoning (`reasoningText`, encrypted blobs as `encrypted`), text, `toolRequests` → tool calls |
//! | `assistant.reasoning` | reasoning (once, even when the message repeats it) |
//! | `tool.execution_start` / `tool.user_requested` | tool call (when the request was not seen) |
//! | `tool.execution_complete` | tool result (`success: false` → error) |
//! | `session.compaction_complete` / `session.truncation` | compaction |
//! | `session.info` / `warning` / `error`, `system.message`, `system.notification`, `skill.invoked`, `abort` | context |
//! | `session.shutdown` | one `ModelCall` per model with its aggregate usage (see [`super::usage`]) |
//! | anything else (≈150 types) | opaque |

use super::usage::model_metric_usage;
use crate::time;
use convx_model::{
    Attachment, CallUsage, Event, EventKind, GitInfo, Session, Timestamp, Warning, WarningKind,
};
use serde_json::{Map, Value};
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// Accumulates one Copilot session.
pub struct Reader {
    /// The session being built (id fixed up by `session.start`).
    pub session: Session,
    src: String,
    calls: HashMap<String, bool>,
    last_ts: Option<Timestamp>,
    turn_reasoning: HashSet<u64>,
    shutdowns: usize,
    shutdown_meta: Vec<Value>,
    /// `data.sessionId` of `session.start`.
    pub session_id: Option<String>,
    resumes: u64,
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn hash(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl Reader {
    /// A reader building `session` (whose `retain_events` must already be set).
    pub fn new(session: Session, src: String) -> Reader {
        Reader {
            session,
            src,
            calls: HashMap::new(),
            last_ts: None,
            turn_reasoning: HashSet::new(),
            shutdowns: 0,
            shutdown_meta: Vec::new(),
            session_id: None,
            resumes: 0,
        }
    }

    fn push(&mut self, mut e: Event) {
        if let (Some(ts), Some(last)) = (e.timestamp, self.last_ts)
            && ts < last
        {
            e.timestamp = Some(last);
        }
        if e.timestamp.is_some() {
            self.last_ts = e.timestamp;
        }
        self.session.push(e);
    }

    fn opaque(&mut self, record_type: &str, raw: &Value, ts: Option<Timestamp>, id: Option<&str>) {
        let mut e = Event::new(EventKind::Opaque {
            record_type: record_type.to_string(),
            raw: scrub(raw),
        })
        .at(ts);
        e.native_id = id.map(str::to_string);
        self.push(e);
    }

    fn context(&mut self, source: &str, text: String, ts: Option<Timestamp>, id: Option<&str>) {
        let mut e = Event::new(EventKind::Context {
            source: source.to_string(),
            text,
        })
        .at(ts);
        e.native_id = id.map(str::to_string);
        self.push(e);
    }

    /// Handle one parsed line.
    pub fn line(&mut self, number: u64, v: &Value) {
        let Some(ty) = s(v, "type") else {
            self.session.warnings.push(Warning::new(
                self.src.clone(),
                Some(number),
                WarningKind::UnexpectedShape,
                "event without a type; kept as opaque",
            ));
            self.opaque(
                "unknown",
                v,
                v.get("timestamp").and_then(time::from_value),
                None,
            );
            return;
        };
        let ts = v.get("timestamp").and_then(time::from_value);
        let id = s(v, "id");
        let empty = Value::Object(Map::new());
        let data = v.get("data").filter(|d| d.is_object()).unwrap_or(&empty);
        let from_subagent = s(v, "agentId").is_some() || s(data, "parentToolCallId").is_some();
        match ty {
            "session.start" => self.start(data, ts),
            "session.resume" => {
                self.resumes += 1;
                if self.session.cwd.is_none() {
                    self.apply_context(data.get("context"));
                }
                self.opaque(ty, v, ts, id);
            }
            "session.shutdown" => self.shutdown(data, ts, id),
            "user.message" => self.user(data, ts, id, from_subagent),
            "assistant.turn_start" => {
                self.turn_reasoning.clear();
                self.opaque(ty, v, ts, id);
            }
            "assistant.message" => self.assistant(data, ts, id),
            "assistant.reasoning" => {
                if let Some(text) = s(data, "content")
                    && self.turn_reasoning.insert(hash(text))
                {
                    let mut e = Event::new(EventKind::Reasoning {
                        text: text.to_string(),
                        encrypted: false,
                    })
                    .at(ts);
                    e.native_id = s(data, "reasoningId").or(id).map(str::to_string);
                    self.push(e);
                }
            }
            "tool.execution_start" | "tool.user_requested" => {
                let call = s(data, "toolCallId").unwrap_or("").to_string();
                if call.is_empty() || self.calls.contains_key(&call) {
                    if call.is_empty() {
                        self.opaque(ty, v, ts, id);
                    }
                    return;
                }
                let name = s(data, "toolName").or(s(data, "name")).unwrap_or("");
                self.tool_call(call, name, data.get("arguments"), ts, id);
            }
            "tool.execution_complete" => self.tool_complete(v, data, ts, id),
            "session.compaction_complete" => {
                if data.get("success").and_then(Value::as_bool) == Some(false) {
                    self.opaque(ty, v, ts, id);
                } else {
                    let trigger = data.get("trigger").and_then(|t| {
                        t.as_str()
                            .map(str::to_string)
                            .or_else(|| s(t, "type").map(str::to_string))
                    });
                    let mut e = Event::new(EventKind::Compaction {
                        summary: s(data, "summaryContent").map(str::to_string),
                        trigger,
                    })
                    .at(ts);
                    e.native_id = id.map(str::to_string);
                    self.push(e);
                }
            }
            "session.truncation" => {
                let mut e = Event::new(EventKind::Compaction {
                    summary: None,
                    trigger: Some("truncation".into()),
                })
                .at(ts);
                e.native_id = id.map(str::to_string);
                self.push(e);
            }
            "session.info" | "session.warning" | "session.error" => {
                let source = ty.trim_start_matches("session.");
                let text = s(data, "message").unwrap_or("").to_string();
                self.context(source, text, ts, id);
            }
            "system.message" => {
                let role = s(data, "role").unwrap_or("system");
                let text = s(data, "content").unwrap_or("").to_string();
                self.context(role, text, ts, id);
            }
            "system.notification" => {
                let text = s(data, "content").unwrap_or("").to_string();
                self.context("system_notification", text, ts, id);
            }
            "skill.invoked" => {
                let text = s(data, "content").unwrap_or("").to_string();
                self.context("skill", text, ts, id);
            }
            "abort" => {
                let text = s(data, "reason").unwrap_or("").to_string();
                self.context("abort", text, ts, id);
            }
            _ => self.opaque(ty, v, ts, id),
        }
    }

    fn apply_context(&mut self, ctx: Option<&Value>) {
        let Some(c) = ctx.filter(|c| c.is_object()) else {
            return;
        };
        if self.session.cwd.is_none() {
            self.session.cwd = s(c, "cwd").map(str::to_string);
        }
        if self.session.git.is_empty() {
            let remote = s(c, "repository").map(|r| match s(c, "repositoryHost") {
                Some(h) => format!("https://{h}/{r}"),
                None => r.to_string(),
            });
            self.session.git = GitInfo {
                branch: s(c, "branch").map(str::to_string),
                commit: s(c, "headCommit").map(str::to_string),
                remote,
            };
        }
        for (key, field) in [
            ("git_root", "gitRoot"),
            ("repository", "repository"),
            ("repository_host", "repositoryHost"),
            ("host_type", "hostType"),
            ("base_commit", "baseCommit"),
        ] {
            if let Some(val) = s(c, field) {
                self.session
                    .metadata
                    .entry(key.to_string())
                    .or_insert_with(|| Value::String(val.to_string()));
            }
        }
    }

    fn start(&mut self, data: &Value, ts: Option<Timestamp>) {
        if self.session_id.is_none() {
            self.session_id = s(data, "sessionId").map(str::to_string);
        }
        let start = data.get("startTime").and_then(time::from_value).or(ts);
        if let Some(t) = start {
            self.session.started_at = Some(self.session.started_at.map_or(t, |x| x.min(t)));
            self.session.ended_at = Some(self.session.ended_at.map_or(t, |x| x.max(t)));
        }
        if let Some(v) = s(data, "copilotVersion") {
            self.session.agent_version = Some(v.to_string());
        }
        self.apply_context(data.get("context"));
        let meta = &mut self.session.metadata;
        for (key, field) in [
            ("producer", "producer"),
            ("selected_model", "selectedModel"),
            ("reasoning_effort", "reasoningEffort"),
        ] {
            if let Some(val) = s(data, field) {
                meta.insert(key.to_string(), Value::String(val.to_string()));
            }
        }
        if let Some(v) = data.get("version").filter(|v| !v.is_null()) {
            meta.insert("event_schema_version".into(), v.clone());
        }
    }

    fn shutdown(&mut self, data: &Value, ts: Option<Timestamp>, id: Option<&str>) {
        self.shutdowns += 1;
        let n = self.shutdowns;
        let sid = self
            .session_id
            .clone()
            .unwrap_or_else(|| self.session.id.clone());
        if let Some(metrics) = data.get("modelMetrics").and_then(Value::as_object) {
            for (model, metric) in metrics {
                let Some(tokens) = model_metric_usage(metric) else {
                    continue;
                };
                let key = if n == 1 {
                    format!("{sid}:shutdown:{model}")
                } else {
                    format!("{sid}:shutdown:{model}#{n}")
                };
                let mut e = Event::new(EventKind::ModelCall {}).at(ts);
                e.native_id = id.map(str::to_string);
                e.usage = Some(CallUsage::new(Some(model.clone()), tokens, key));
                self.push(e);
            }
        }
        let mut m = Map::new();
        if let Some(t) = ts {
            m.insert("timestamp".into(), Value::String(t.to_string()));
        }
        for field in [
            "shutdownType",
            "totalPremiumRequests",
            "currentModel",
            "errorReason",
        ] {
            if let Some(v) = data.get(field).filter(|v| !v.is_null()) {
                m.insert(field.into(), v.clone());
            }
        }
        if let Some(cc) = data.get("codeChanges").filter(|c| c.is_object()) {
            for field in ["linesAdded", "linesRemoved"] {
                if let Some(v) = cc.get(field) {
                    m.insert(field.into(), v.clone());
                }
            }
            if let Some(files) = cc.get("filesModified").and_then(Value::as_array) {
                m.insert("filesModified".into(), Value::from(files.len()));
            }
        }
        self.shutdown_meta.push(Value::Object(m));
    }

    fn user(&mut self, data: &Value, ts: Option<Timestamp>, id: Option<&str>, from_subagent: bool) {
        self.turn_reasoning.clear();
        let text = s(data, "content").unwrap_or("").to_string();
        let source = s(data, "source");
        let injected = if from_subagent {
            Some("subagent_prompt".to_string())
        } else if data.get("isAutopilotContinuation").and_then(Value::as_bool) == Some(true) {
            Some("autopilot".to_string())
        } else {
            source
                .filter(|src| {
                    ["skill", "agent", "system", "hook", "autopilot"]
                        .iter()
                        .any(|p| src.starts_with(p))
                })
                .map(str::to_string)
        };
        let attachments: Vec<Attachment> = data
            .get("attachments")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(attachment).collect())
            .unwrap_or_default();
        let kind = match injected {
            Some(src) => EventKind::Context { source: src, text },
            None if text.trim().is_empty() && attachments.is_empty() => EventKind::Context {
                source: "empty".into(),
                text,
            },
            None => EventKind::UserPrompt { text, attachments },
        };
        let mut e = Event::new(kind).at(ts);
        e.native_id = id.map(str::to_string);
        self.push(e);
    }

    fn assistant(&mut self, data: &Value, ts: Option<Timestamp>, id: Option<&str>) {
        let native = s(data, "messageId").or(id).map(str::to_string);
        let encrypted =
            s(data, "reasoningOpaque").is_some() || s(data, "encryptedContent").is_some();
        let mut events = Vec::new();
        match s(data, "reasoningText") {
            // Already shown by the `assistant.reasoning` event of this turn.
            Some(text) if !self.turn_reasoning.insert(hash(text)) => {}
            Some(text) => events.push(EventKind::Reasoning {
                text: text.to_string(),
                encrypted,
            }),
            None if encrypted => events.push(EventKind::Reasoning {
                text: String::new(),
                encrypted: true,
            }),
            None => {}
        }
        if let Some(text) = s(data, "content").filter(|t| !t.trim().is_empty()) {
            events.push(EventKind::AssistantText {
                text: text.to_string(),
            });
        }
        if let Some(m) = s(data, "model") {
            self.session.add_model(m);
        }
        for kind in events {
            let mut e = Event::new(kind).at(ts);
            e.native_id = native.clone();
            self.push(e);
        }
        if let Some(reqs) = data.get("toolRequests").and_then(Value::as_array) {
            for r in reqs {
                let call = s(r, "toolCallId").unwrap_or("").to_string();
                if call.is_empty() || self.calls.contains_key(&call) {
                    continue;
                }
                let name = s(r, "name").unwrap_or("");
                self.tool_call(call, name, r.get("arguments"), ts, native.as_deref());
            }
        }
    }

    fn tool_call(
        &mut self,
        call_id: String,
        name: &str,
        args: Option<&Value>,
        ts: Option<Timestamp>,
        id: Option<&str>,
    ) {
        let input = match args {
            None => Value::Null,
            Some(Value::String(t)) => {
                serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone()))
            }
            Some(v) => v.clone(),
        };
        self.calls.insert(call_id.clone(), false);
        let mut e = Event::new(EventKind::ToolCall {
            call_id,
            name: name.to_string(),
            input,
            subagent: None,
        })
        .at(ts);
        e.native_id = id.map(str::to_string);
        self.push(e);
    }

    fn tool_complete(&mut self, v: &Value, data: &Value, ts: Option<Timestamp>, id: Option<&str>) {
        let call = s(data, "toolCallId").unwrap_or("").to_string();
        if self.calls.get(&call) != Some(&false) {
            // No call seen (or already answered): keep the record, never an orphan result.
            self.opaque("tool.execution_complete", v, ts, id);
            return;
        }
        let success = data.get("success").and_then(Value::as_bool).unwrap_or(true);
        let result = data.get("result").filter(|r| r.is_object());
        let result_text = result.map(result_text).unwrap_or_default();
        let error = data.get("error").and_then(|e| {
            e.as_str()
                .map(str::to_string)
                .or_else(|| s(e, "message").map(str::to_string))
        });
        let output = match (success, error) {
            (false, Some(err)) if result_text.is_empty() => err,
            (false, Some(err)) => format!("{err}\n{result_text}"),
            _ => result_text,
        };
        self.calls.insert(call.clone(), true);
        let mut e = Event::new(EventKind::ToolResult {
            call_id: call,
            output,
            is_error: !success,
        })
        .at(ts);
        e.native_id = id.map(str::to_string);
        self.push(e);
    }

    /// Metadata gathered while reading, stored on the session.
    pub fn finish_metadata(&mut self) {
        if !self.shutdown_meta.is_empty() {
            self.session.metadata.insert(
                "shutdowns".into(),
                Value::Array(std::mem::take(&mut self.shutdown_meta)),
            );
        }
        if self.resumes > 0 {
            self.session
                .metadata
                .insert("resumes".into(), Value::from(self.resumes));
        }
    }
}

/// `result.content` (the text the model got), else `detailedContent`, else the text of
/// `contents[]` blocks (binary blocks as placeholders).
fn result_text(r: &Value) -> String {
    if let Some(t) = s(r, "content") {
        return t.to_string();
    }
    if let Some(t) = s(r, "detailedContent") {
        return t.to_string();
    }
    let Some(blocks) = r.get("contents").and_then(Value::as_array) else {
        return String::new();
    };
    blocks
        .iter()
        .map(|b| match s(b, "text") {
            Some(t) => t.to_string(),
            None => {
                let kind = s(b, "type").unwrap_or("block");
                match s(b, "mimeType") {
                    Some(m) => format!("[{kind}: {m}]"),
                    None => format!("[{kind}]"),
                }
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn attachment(a: &Value) -> Attachment {
    Attachment {
        kind: s(a, "type").unwrap_or("file").to_string(),
        media_type: s(a, "mimeType").map(str::to_string),
        size_bytes: a
            .get("byteLength")
            .and_then(Value::as_u64)
            .or_else(|| s(a, "data").map(crate::text::base64_decoded_len)),
        name: s(a, "path")
            .or(s(a, "filePath"))
            .or(s(a, "displayName"))
            .or(s(a, "url"))
            .map(str::to_string),
    }
}

/// A copy of `v` with base64 payloads replaced by a size note (binary assets, image
/// results), so opaque records never keep binary data.
pub fn scrub(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = Map::with_capacity(o.len());
            for (k, val) in o {
                let replaced = match val {
                    Value::String(t)
                        if matches!(k.as_str(), "data" | "base64" | "bytes" | "blob")
                            && t.len() > 64 =>
                    {
                        Some(Value::String(format!(
                            "[binary: {} bytes]",
                            crate::text::base64_decoded_len(t)
                        )))
                    }
                    Value::String(t) if k == "encryptedContent" || k == "reasoningOpaque" => {
                        Some(Value::String(format!("[encrypted: {} chars]", t.len())))
                    }
                    _ => None,
                };
                out.insert(k.clone(), replaced.unwrap_or_else(|| scrub(val)));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(scrub).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use convx_model::Agent;
    use serde_json::json;

    fn reader() -> Reader {
        Reader::new(Session::new(Agent::Copilot, "s"), "events.jsonl".into())
    }

    #[test]
    fn reasoning_is_not_doubled() {
        let mut r = reader();
        r.line(1, &json!({"type":"assistant.reasoning","id":"e1","timestamp":"2026-05-01T10:00:00Z","data":{"reasoningId":"r1","content":"Check the tests first."}}));
        r.line(2, &json!({"type":"assistant.message","id":"e2","timestamp":"2026-05-01T10:00:01Z","data":{"messageId":"m1","content":"ok","reasoningText":"Check the tests first.","model":"claude-sonnet-4.5"}}));
        let kinds: Vec<&str> = r.session.events.iter().map(|e| e.kind_name()).collect();
        assert_eq!(kinds, vec!["reasoning", "assistant_text"]);
        assert_eq!(r.session.models, vec!["claude-sonnet-4.5"]);
    }

    #[test]
    fn tool_request_then_execution_is_one_call() {
        let mut r = reader();
        r.line(1, &json!({"type":"assistant.message","id":"e1","timestamp":"2026-05-01T10:00:00Z","data":{"messageId":"m","content":"","toolRequests":[{"toolCallId":"c1","name":"bash","arguments":{"command":"ls"}}]}}));
        r.line(2, &json!({"type":"tool.execution_start","id":"e2","timestamp":"2026-05-01T10:00:01Z","data":{"toolCallId":"c1","toolName":"bash","arguments":{"command":"ls"}}}));
        r.line(3, &json!({"type":"tool.execution_complete","id":"e3","timestamp":"2026-05-01T10:00:02Z","data":{"toolCallId":"c1","success":false,"error":{"message":"exit 2"}}}));
        r.line(4, &json!({"type":"tool.execution_complete","id":"e4","timestamp":"2026-05-01T10:00:03Z","data":{"toolCallId":"zz","success":true,"result":{"content":"x"}}}));
        let kinds: Vec<&str> = r.session.events.iter().map(|e| e.kind_name()).collect();
        assert_eq!(kinds, vec!["tool_call", "tool_result", "opaque"]);
        assert_eq!(r.session.summary.counts.tool_errors, 1);
    }

    #[test]
    fn subagent_and_skill_messages_are_context() {
        let mut r = reader();
        r.line(1, &json!({"type":"user.message","id":"e1","timestamp":"2026-05-01T10:00:00Z","agentId":"a1","data":{"content":"Explore the repo"}}));
        r.line(2, &json!({"type":"user.message","id":"e2","timestamp":"2026-05-01T10:00:01Z","data":{"content":"use the pdf skill","source":"skill-pdf"}}));
        r.line(3, &json!({"type":"user.message","id":"e3","timestamp":"2026-05-01T10:00:02Z","data":{"content":"fix it","transformedContent":"<current_datetime>…</current_datetime>\nfix it"}}));
        assert_eq!(r.session.summary.counts.user_prompts, 1);
        assert_eq!(r.session.summary.counts.context_blocks, 2);
        assert_eq!(r.session.summary.first_prompt.as_deref(), Some("fix it"));
    }
}
