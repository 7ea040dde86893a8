//! Turning Gemini `MessageRecord`s into convx events.
//!
//! One [`Builder`] per session. Messages arrive in order (already replayed for JSONL) and
//! each becomes zero or more events:
//!
//! * `user`: a prompt (`displayContent` when the CLI recorded the typed text separately),
//!   injected context (see [`super::context`]), the compression summary, `@file` contents,
//!   and `functionResponse` parts (tool results; duplicates of the `toolCalls[].result`
//!   already emitted are collapsed);
//! * `gemini`: `thoughts[]` (or `thought: true` parts) → reasoning, text → assistant text,
//!   `toolCalls[]` → tool call + result (`status` `error`/`cancelled` or an `error` response
//!   → error), `write_todos` → plan update, `tokens` → the call's usage (once per message);
//! * `info` / `error` / `warning`: UI notes → context with that source;
//! * any other `type`: opaque.

use super::content::{self, Part};
use super::context::{self, UserText};
use super::project::PathCandidates;
use super::tools::{display_text, parse_args, result_text, scrub, todo_steps};
use super::usage::GeminiTokens;
use crate::time;
use convx_model::{
    Attachment, CallUsage, Event, EventKind, Session, Timestamp, Warning, WarningKind,
};
use serde_json::Value;
use std::collections::HashMap;

/// How one message is to be read.
#[derive(Debug, Default, Clone)]
pub struct MsgCtx {
    /// Not on the final conversation (rewound / rolled back).
    pub abandoned: bool,
    /// First seen inside a `$set.messages` checkpoint (history rewritten by the CLI).
    pub from_checkpoint: bool,
    /// Tokens to use instead of the record's own (last non-null version seen).
    pub tokens: Option<GeminiTokens>,
    /// Line of the record, for warnings.
    pub line: Option<u64>,
}

/// Accumulates the events of one Gemini session.
pub struct Builder {
    /// The session being built.
    pub session: Session,
    /// Source path for warnings.
    pub src: String,
    /// Tool call id → whether its result was emitted.
    calls: HashMap<String, bool>,
    last_ts: Option<Timestamp>,
    /// Absolute paths seen (project root recovery for hash folders).
    pub paths: PathCandidates,
    /// The session called `complete_task` (the sub-agent termination tool).
    pub saw_complete_task: bool,
    /// A compression summary was seen since the last checkpoint.
    pub snapshot_since_checkpoint: bool,
    /// Events being pushed are copies of history (see [`MsgCtx::from_checkpoint`]).
    inherit: bool,
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

impl Builder {
    /// A builder around `session` (whose `retain_events` must already be set).
    pub fn new(session: Session, src: String) -> Builder {
        Builder {
            session,
            src,
            calls: HashMap::new(),
            last_ts: None,
            paths: PathCandidates::default(),
            saw_complete_task: false,
            snapshot_since_checkpoint: false,
            inherit: false,
        }
    }

    /// Push an event, keeping timestamps non-decreasing (a timestamp earlier than the
    /// previous event's is raised to it).
    pub fn push(&mut self, mut e: Event, abandoned: bool) {
        e.abandoned = abandoned;
        e.inherited |= self.inherit;
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

    /// Record a warning about this source.
    pub fn warn(&mut self, line: Option<u64>, kind: WarningKind, detail: impl Into<String>) {
        self.session
            .warnings
            .push(Warning::new(self.src.clone(), line, kind, detail));
    }

    /// Push an opaque record.
    pub fn opaque(
        &mut self,
        record_type: &str,
        raw: &Value,
        ts: Option<Timestamp>,
        abandoned: bool,
    ) {
        let e = Event::new(EventKind::Opaque {
            record_type: record_type.to_string(),
            raw: scrub(raw),
        })
        .at(ts);
        self.push(e, abandoned);
    }

    /// Push a compaction marker.
    pub fn compaction(
        &mut self,
        summary: Option<String>,
        trigger: Option<&str>,
        ts: Option<Timestamp>,
    ) {
        let e = Event::new(EventKind::Compaction {
            summary,
            trigger: trigger.map(str::to_string),
        })
        .at(ts);
        self.push(e, false);
    }

    /// Convert one message record.
    pub fn message(&mut self, msg: &Value, ctx: &MsgCtx) {
        // A message first seen in a checkpoint is the CLI's rewritten copy of history
        // (masked / distilled turns, restored chats): shown but not counted, like a fork
        // prefix. Exceptions: the environment context injected into this session, and
        // anything carrying tokens (copies never do; a real message whose own line was lost
        // does).
        self.inherit = ctx.from_checkpoint
            && ctx.tokens.is_none()
            && msg.get("tokens").is_none_or(Value::is_null)
            && !matches!(
                context::classify(&content::flatten(
                    msg.get("content").unwrap_or(&Value::Null)
                )),
                UserText::Context("environment_context")
            );
        self.message_inner(msg, ctx);
        self.inherit = false;
    }

    fn message_inner(&mut self, msg: &Value, ctx: &MsgCtx) {
        let ty = str_of(msg, "type").unwrap_or("");
        match ty {
            "user" => self.user(msg, ctx),
            "gemini" | "model" => self.gemini(msg, ctx),
            "info" | "error" | "warning" => {
                let ts = ts_of(msg);
                let text = content::flatten(msg.get("content").unwrap_or(&Value::Null));
                let mut e = Event::new(EventKind::Context {
                    source: ty.to_string(),
                    text,
                })
                .at(ts);
                e.native_id = str_of(msg, "id").map(str::to_string);
                self.push(e, ctx.abandoned);
            }
            other => {
                if other.is_empty() {
                    self.warn(
                        ctx.line,
                        WarningKind::UnexpectedShape,
                        "message without a type; kept as opaque",
                    );
                }
                let rt = if other.is_empty() {
                    "message".to_string()
                } else {
                    format!("message/{other}")
                };
                self.opaque(&rt, msg, ts_of(msg), ctx.abandoned);
            }
        }
    }

    fn user(&mut self, msg: &Value, ctx: &MsgCtx) {
        let ts = ts_of(msg);
        let id = str_of(msg, "id").map(str::to_string);
        let content_v = msg.get("content").unwrap_or(&Value::Null);
        let mut events: Vec<Event> = Vec::new();
        let mut text = String::new();
        let mut attachments: Vec<Attachment> = Vec::new();
        let mut saw_function_response = false;
        for p in content::parts(content_v) {
            match p {
                Part::Text { text: t, .. } => text.push_str(t),
                Part::FunctionResponse(fr) => {
                    saw_function_response = true;
                    if let Some(e) = self.function_response(fr, ts) {
                        events.push(e);
                    }
                }
                Part::InlineData(d) | Part::FileData(d) => {
                    attachments.push(content::attachment(d));
                    if !text.is_empty() && !text.ends_with('\n') {
                        text.push('\n');
                    }
                    text.push_str(&content::binary_placeholder(d));
                }
                Part::FunctionCall(fc) => text.push_str(&format!(
                    "[function call: {}]",
                    str_of(fc, "name").unwrap_or("?")
                )),
                Part::Other(v) => text.push_str(&content::other_text(v)),
            }
        }
        let display = msg
            .get("displayContent")
            .filter(|v| !v.is_null())
            .map(content::flatten);
        let typed_source = display.clone().unwrap_or_else(|| text.clone());
        if !(saw_function_response && typed_source.trim().is_empty() && attachments.is_empty()) {
            if ctx.from_checkpoint {
                // History the CLI rewrote (bootstrapped / resumed turns): not typed here.
                let source = match context::classify(&text) {
                    UserText::Context(s) => s,
                    _ => "history",
                };
                events.push(
                    Event::new(EventKind::Context {
                        source: source.to_string(),
                        text: text.clone(),
                    })
                    .at(ts),
                );
            } else {
                match context::classify(&typed_source) {
                    UserText::Context(source) => {
                        events.push(
                            Event::new(EventKind::Context {
                                source: source.to_string(),
                                text: typed_source.clone(),
                            })
                            .at(ts),
                        );
                        if display.is_some() && text != typed_source && !text.trim().is_empty() {
                            events.push(
                                Event::new(EventKind::Context {
                                    source: "command_prompt".into(),
                                    text: text.clone(),
                                })
                                .at(ts),
                            );
                        }
                    }
                    UserText::CompactSummary => {
                        self.snapshot_since_checkpoint = true;
                        events.push(
                            Event::new(EventKind::Compaction {
                                summary: Some(typed_source.clone()),
                                trigger: None,
                            })
                            .at(ts),
                        );
                    }
                    UserText::Prompt => {
                        let (head, referenced) = if display.is_some() {
                            (typed_source.as_str(), None)
                        } else {
                            context::split_referenced(&typed_source)
                        };
                        if head.trim().is_empty() && attachments.is_empty() && referenced.is_none()
                        {
                            events.push(
                                Event::new(EventKind::Context {
                                    source: "empty".into(),
                                    text: head.to_string(),
                                })
                                .at(ts),
                            );
                        } else {
                            events.push(
                                Event::new(EventKind::UserPrompt {
                                    text: head.to_string(),
                                    attachments: attachments.clone(),
                                })
                                .at(ts),
                            );
                        }
                        if let Some(r) = referenced {
                            events.push(
                                Event::new(EventKind::Context {
                                    source: "referenced_files".into(),
                                    text: r.to_string(),
                                })
                                .at(ts),
                            );
                        } else if display.is_some()
                            && text != typed_source
                            && !text.trim().is_empty()
                        {
                            // The recorded content is the expanded prompt the model got.
                            let (source, injected) = match context::split_referenced(&text) {
                                (_, Some(r)) => ("referenced_files", r.to_string()),
                                (_, None) => ("expanded_prompt", text.clone()),
                            };
                            events.push(
                                Event::new(EventKind::Context {
                                    source: source.into(),
                                    text: injected,
                                })
                                .at(ts),
                            );
                        }
                    }
                }
            }
        }
        for mut e in events {
            if e.native_id.is_none() {
                e.native_id = id.clone();
            }
            self.push(e, ctx.abandoned);
        }
    }

    /// A `functionResponse` part in a user message: the tool result when its call has none
    /// yet, nothing when it duplicates an emitted result, opaque when the call is unknown.
    fn function_response(&mut self, fr: &Value, ts: Option<Timestamp>) -> Option<Event> {
        let id = str_of(fr, "id").map(str::to_string);
        match id.as_ref().and_then(|i| self.calls.get(i).copied()) {
            Some(true) => None,
            Some(false) => {
                let call_id = id?;
                self.calls.insert(call_id.clone(), true);
                let (output, is_error) = content::function_response_text(fr);
                Some(
                    Event::new(EventKind::ToolResult {
                        call_id,
                        output,
                        is_error,
                    })
                    .at(ts),
                )
            }
            None => Some(
                Event::new(EventKind::Opaque {
                    record_type: "function_response/orphan".into(),
                    raw: scrub(&serde_json::json!({ "functionResponse": fr })),
                })
                .at(ts),
            ),
        }
    }

    fn gemini(&mut self, msg: &Value, ctx: &MsgCtx) {
        let ts = ts_of(msg);
        let id = str_of(msg, "id").map(str::to_string);
        let model = str_of(msg, "model")
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        let tokens = ctx
            .tokens
            .or_else(|| msg.get("tokens").and_then(GeminiTokens::from_value));
        let thoughts = msg
            .get("thoughts")
            .and_then(Value::as_array)
            .filter(|t| !t.is_empty());
        let tool_calls = msg.get("toolCalls").and_then(Value::as_array);
        let tool_ids: Vec<&str> = tool_calls
            .map(|a| a.iter().filter_map(|t| str_of(t, "id")).collect())
            .unwrap_or_default();

        let mut events: Vec<Event> = Vec::new();
        if let Some(thoughts) = thoughts {
            for th in thoughts {
                let text = thought_text(th);
                let at = th.get("timestamp").and_then(time::from_value).or(ts);
                events.push(
                    Event::new(EventKind::Reasoning {
                        text,
                        encrypted: false,
                    })
                    .at(at),
                );
            }
        }
        let mut text = String::new();
        let mut extra_calls: Vec<Event> = Vec::new();
        for (i, p) in content::parts(msg.get("content").unwrap_or(&Value::Null))
            .into_iter()
            .enumerate()
        {
            match p {
                Part::Text {
                    text: t,
                    thought: true,
                } => {
                    if thoughts.is_none() && !t.trim().is_empty() {
                        events.push(
                            Event::new(EventKind::Reasoning {
                                text: t.to_string(),
                                encrypted: false,
                            })
                            .at(ts),
                        );
                    }
                }
                Part::Text { text: t, .. } => text.push_str(t),
                Part::FunctionCall(fc) => {
                    let cid = str_of(fc, "id").map(str::to_string);
                    if cid
                        .as_deref()
                        .is_some_and(|c| tool_ids.contains(&c) || self.calls.contains_key(c))
                    {
                        continue;
                    }
                    let call_id = cid
                        .unwrap_or_else(|| format!("{}#fc{i}", id.as_deref().unwrap_or("gemini")));
                    let name = str_of(fc, "name").unwrap_or("").to_string();
                    let input = parse_args(fc.get("args"));
                    self.paths.add_from_args(&input);
                    self.note_tool(&name);
                    self.calls.insert(call_id.clone(), false);
                    extra_calls.push(
                        Event::new(EventKind::ToolCall {
                            call_id,
                            name,
                            input,
                            subagent: None,
                        })
                        .at(ts),
                    );
                }
                Part::FunctionResponse(fr) => {
                    if let Some(e) = self.function_response(fr, ts) {
                        extra_calls.push(e);
                    }
                }
                Part::InlineData(d) | Part::FileData(d) => {
                    if !text.is_empty() && !text.ends_with('\n') {
                        text.push('\n');
                    }
                    text.push_str(&content::binary_placeholder(d));
                }
                Part::Other(v) => text.push_str(&content::other_text(v)),
            }
        }
        let text_index = if text.trim().is_empty() {
            None
        } else {
            events.push(Event::new(EventKind::AssistantText { text }).at(ts));
            Some(events.len() - 1)
        };
        events.extend(extra_calls);
        if let Some(calls) = tool_calls {
            // All calls are requested with the message; results come as each completes.
            let mut results = Vec::new();
            for (i, tc) in calls.iter().enumerate() {
                self.tool_call(tc, i, id.as_deref(), ts, &mut events, &mut results);
            }
            events.extend(results);
        }
        if let Some(m) = &model {
            self.session.add_model(m);
        }
        if let Some(t) = tokens {
            let key = id.clone().unwrap_or_else(|| {
                format!(
                    "{}@{}",
                    self.session.id,
                    ts.map(|t| t.to_string()).unwrap_or_default()
                )
            });
            let usage = CallUsage::new(model.clone(), t.normalize(), key);
            let first_call = events
                .iter()
                .position(|e| matches!(e.kind, EventKind::ToolCall { .. }));
            match text_index
                .or(first_call)
                .or(if events.is_empty() { None } else { Some(0) })
            {
                Some(i) => events[i].usage = Some(usage),
                None => {
                    let mut e = Event::new(EventKind::ModelCall {}).at(ts);
                    e.usage = Some(usage);
                    events.push(e);
                }
            }
        }
        if events.is_empty() {
            // An empty model turn (no text, thoughts, tools or tokens): keep it visible.
            self.opaque("message/gemini_empty", msg, ts, ctx.abandoned);
            return;
        }
        for mut e in events {
            e.native_id = id.clone();
            self.push(e, ctx.abandoned);
        }
    }

    fn note_tool(&mut self, name: &str) {
        if name == "complete_task" {
            self.saw_complete_task = true;
        }
    }

    fn tool_call(
        &mut self,
        tc: &Value,
        index: usize,
        msg_id: Option<&str>,
        msg_ts: Option<Timestamp>,
        out: &mut Vec<Event>,
        results: &mut Vec<Event>,
    ) {
        let call_id = str_of(tc, "id")
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}#{index}", msg_id.unwrap_or("gemini")));
        let name = str_of(tc, "name").unwrap_or("").to_string();
        let input = parse_args(tc.get("args"));
        // The call is requested with the message; `timestamp` is rewritten when it completes.
        let done_ts = tc.get("timestamp").and_then(time::from_value).or(msg_ts);
        let ts = msg_ts.or(done_ts);
        self.paths.add_from_args(&input);
        self.note_tool(&name);
        let subagent = str_of(tc, "agentId")
            .filter(|a| !a.is_empty())
            .map(|a| Session::key_for(convx_model::Agent::Gemini, a));
        let status = str_of(tc, "status").unwrap_or("");
        let result = tc.get("result").filter(|r| !r.is_null());
        let terminal = matches!(status, "success" | "error" | "cancelled");
        let already = self.calls.get(&call_id).copied();
        if already.is_none() {
            out.push(
                Event::new(EventKind::ToolCall {
                    call_id: call_id.clone(),
                    name: name.clone(),
                    input: input.clone(),
                    subagent,
                })
                .at(ts),
            );
            self.calls.insert(call_id.clone(), false);
        }
        let mut is_error = matches!(status, "error" | "cancelled");
        if already != Some(true) && (terminal || result.is_some()) {
            let output = match result {
                Some(r) => {
                    let (text, err) = result_text(r);
                    is_error |= err;
                    if text.is_empty() {
                        display_text(tc.get("resultDisplay"))
                    } else {
                        text
                    }
                }
                None => display_text(tc.get("resultDisplay")),
            };
            results.push(
                Event::new(EventKind::ToolResult {
                    call_id: call_id.clone(),
                    output,
                    is_error,
                })
                .at(done_ts),
            );
            self.calls.insert(call_id, true);
        }
        if name == "write_todos"
            && !is_error
            && already.is_none()
            && let Some(steps) = todo_steps(&input)
        {
            results.push(
                Event::new(EventKind::PlanUpdate {
                    explanation: None,
                    steps,
                })
                .at(done_ts),
            );
        }
    }
}

/// `**subject** description`, the way the CLI renders a thought summary.
fn thought_text(th: &Value) -> String {
    let subject = str_of(th, "subject").unwrap_or("").trim();
    let description = str_of(th, "description").unwrap_or("");
    match (subject.is_empty(), description.is_empty()) {
        (true, _) => description.to_string(),
        (false, true) => format!("**{subject}**"),
        (false, false) => format!("**{subject}** {description}"),
    }
}

fn ts_of(msg: &Value) -> Option<Timestamp> {
    msg.get("timestamp").and_then(time::from_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use convx_model::Agent;
    use serde_json::json;

    fn builder() -> Builder {
        Builder::new(Session::new(Agent::Gemini, "s1"), "f.jsonl".into())
    }

    #[test]
    fn tool_call_with_result_and_usage() {
        let mut b = builder();
        let msg = json!({"id":"m2","timestamp":"2026-05-11T07:02:24.901Z","type":"gemini","content":"",
            "toolCalls":[{"id":"grep-1","name":"grep_search","args":{"pattern":"TODO"},"status":"success",
                "result":[{"functionResponse":{"id":"grep-1","name":"grep_search","response":{"output":"a.ts:3"}}}],
                "timestamp":"2026-05-11T07:02:25.010Z"}],
            "thoughts":[{"subject":"Searching","description":"grep it","timestamp":"2026-05-11T07:02:23.100Z"}],
            "tokens":{"input":100,"output":5,"cached":40,"thoughts":10,"tool":0,"total":115},"model":"gemini-2.5-pro"});
        b.message(&msg, &MsgCtx::default());
        let kinds: Vec<&str> = b.session.events.iter().map(|e| e.kind_name()).collect();
        assert_eq!(kinds, vec!["reasoning", "tool_call", "tool_result"]);
        assert!(b.session.events[0].usage.is_none());
        let u = b.session.events[1].usage.as_ref().unwrap();
        assert_eq!(u.dedup_key, "m2");
        assert_eq!(u.tokens.total(), 115);
        // The tool-response user turn (v0.44+) duplicates the result: collapsed.
        let resp = json!({"id":"m3","timestamp":"2026-05-11T07:02:26Z","type":"user",
            "content":[{"functionResponse":{"id":"grep-1","name":"grep_search","response":{"output":"a.ts:3"}}}]});
        b.message(&resp, &MsgCtx::default());
        assert_eq!(b.session.events.len(), 3);
    }

    #[test]
    fn cancelled_and_todos() {
        let mut b = builder();
        let msg = json!({"id":"m","timestamp":"2026-01-01T00:00:00Z","type":"gemini","content":"ok",
        "toolCalls":[
          {"id":"t1","name":"write_todos","args":{"todos":[{"description":"a","status":"completed"},{"description":"b","status":"in_progress"}]},"status":"success","result":[{"functionResponse":{"id":"t1","name":"write_todos","response":{"output":"ok"}}}]},
          {"id":"t2","name":"run_shell_command","args":{"command":"rm -rf x"},"status":"cancelled","result":[{"functionResponse":{"id":"t2","name":"run_shell_command","response":{"error":"[Operation Cancelled] Reason: User did not allow tool call"}}}]}
        ]});
        b.message(&msg, &MsgCtx::default());
        let kinds: Vec<&str> = b.session.events.iter().map(|e| e.kind_name()).collect();
        assert_eq!(
            kinds,
            vec![
                "assistant_text",
                "tool_call",
                "tool_call",
                "tool_result",
                "plan_update",
                "tool_result"
            ]
        );
        assert_eq!(b.session.summary.counts.tool_errors, 1);
    }

    #[test]
    fn display_content_is_the_prompt() {
        let mut b = builder();
        let msg = json!({"id":"u","timestamp":"2026-03-01T00:00:00Z","type":"user",
            "content":[{"text":"explain src/a.ts"},{"text":"\n--- Content from referenced files ---"},{"text":"\nContent from @src/a.ts:\n"},{"text":"let a = 1;"}],
            "displayContent":[{"text":"explain @src/a.ts"}]});
        b.message(&msg, &MsgCtx::default());
        match &b.session.events[0].kind {
            EventKind::UserPrompt { text, .. } => assert_eq!(text, "explain @src/a.ts"),
            k => panic!("{k:?}"),
        }
        assert!(
            matches!(&b.session.events[1].kind, EventKind::Context { source, .. } if source == "referenced_files")
        );
    }

    #[test]
    fn timestamps_never_go_back() {
        let mut b = builder();
        b.push(
            Event::new(EventKind::AssistantText { text: "a".into() })
                .at(time::parse_iso("2026-01-01T00:00:05Z")),
            false,
        );
        b.push(
            Event::new(EventKind::AssistantText { text: "b".into() })
                .at(time::parse_iso("2026-01-01T00:00:01Z")),
            false,
        );
        assert_eq!(
            b.session.events[1].timestamp,
            time::parse_iso("2026-01-01T00:00:05Z")
        );
    }

    #[test]
    fn scrub_removes_base64() {
        let v = json!({"inlineData":{"mimeType":"image/png","data":"A".repeat(400)}});
        assert_eq!(scrub(&v)["inlineData"]["data"], "[binary: 300 bytes]");
    }
}
