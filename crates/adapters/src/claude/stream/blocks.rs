//! Content blocks of `user` and `assistant` entries turned into events: typed prompts vs
//! injected context, attachments, tool calls and results, reasoning, plans.

use super::{At, CallKind, ChildRef, Spawn, Stream, is_true, str_of};
use crate::claude::content::{self, scrub};
use crate::claude::context::{self, Part};
use convx_model::{Attachment, EventKind, WarningKind};
use serde_json::Value;

/// A context event.
pub(super) fn context(source: &str, text: &str) -> EventKind {
    EventKind::Context {
        source: source.to_string(),
        text: text.to_string(),
    }
}

fn add_prompt(
    out: &mut Vec<EventKind>,
    prompt: &mut Option<usize>,
    text: &str,
    attachment: Option<Attachment>,
) {
    let i = *prompt.get_or_insert_with(|| {
        out.push(EventKind::UserPrompt {
            text: String::new(),
            attachments: Vec::new(),
        });
        out.len() - 1
    });
    if let EventKind::UserPrompt {
        text: t,
        attachments,
    } = &mut out[i]
    {
        if !text.is_empty() {
            if !t.is_empty() {
                t.push_str("\n\n");
            }
            t.push_str(text);
        }
        attachments.extend(attachment);
    }
}

/// Tool input: parsed JSON when a string holds JSON, else as recorded.
fn tool_input(v: Option<&Value>) -> Value {
    match v {
        Some(Value::String(s)) => {
            serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
        }
        Some(v) => v.clone(),
        None => Value::Object(serde_json::Map::new()),
    }
}

impl Stream {
    /// Events of a `user` entry.
    pub(super) fn user(&mut self, v: &Value, at: &At) {
        let meta = is_true(v, "isMeta");
        let compact = is_true(v, "isCompactSummary");
        let tur = v.get("toolUseResult");
        let mut out: Vec<EventKind> = Vec::new();
        let mut prompt: Option<usize> = None;
        match v.pointer("/message/content") {
            Some(Value::String(s)) => user_text(s, meta, compact, &mut out, &mut prompt),
            Some(Value::Array(blocks)) => {
                for b in blocks {
                    match str_of(b, "type").unwrap_or("") {
                        "text" => user_text(
                            str_of(b, "text").unwrap_or(""),
                            meta,
                            compact,
                            &mut out,
                            &mut prompt,
                        ),
                        kind @ ("image" | "document") => {
                            if meta || compact {
                                out.push(context("meta", &content::flatten_result(b)));
                            } else {
                                add_prompt(
                                    &mut out,
                                    &mut prompt,
                                    "",
                                    Some(content::attachment(b, kind)),
                                );
                            }
                        }
                        "tool_result" => out.push(self.tool_result(b, tur, at)),
                        other => out.push(raw(format!("user/{other}"), b)),
                    }
                }
            }
            _ => {
                self.warn(
                    Some(at.line),
                    WarningKind::UnexpectedShape,
                    "user entry without message content",
                );
                out.push(raw("user".to_string(), v));
            }
        }
        if self.facts.first_command.is_none() {
            self.facts.first_command = out.iter().find_map(command_name);
        }
        for k in out {
            self.emit(at.event(k), at.node);
        }
    }

    fn tool_result(&mut self, b: &Value, tur: Option<&Value>, at: &At) -> EventKind {
        let id = str_of(b, "tool_use_id").unwrap_or("");
        let Some(&kind) = self.calls.get(id) else {
            return self.orphan(b, id, at);
        };
        let mut output = b
            .get("content")
            .map(content::flatten_result)
            .unwrap_or_default();
        if output.trim().is_empty()
            && let Some(o) = content::output_from_tool_use_result(tur)
        {
            output = o;
        }
        if kind == CallKind::Spawn
            && let Some(agent) = tur
                .and_then(|t| str_of(t, "agentId"))
                .filter(|a| !a.is_empty())
        {
            self.links
                .insert(id.to_string(), ChildRef::Agent(agent.to_string()));
        }
        self.tasks.on_result(id, tur);
        EventKind::ToolResult {
            call_id: id.to_string(),
            output,
            is_error: is_true(b, "is_error"),
        }
    }

    /// Events of the content blocks of one `assistant` line.
    pub(super) fn assistant_blocks(&mut self, content: Option<&Value>, at: &At) -> Vec<EventKind> {
        let mut out = Vec::new();
        let blocks = match content {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                out.push(EventKind::AssistantText { text: s.clone() });
                return out;
            }
            Some(Value::Array(blocks)) => blocks,
            _ => return out,
        };
        for b in blocks {
            let ty = str_of(b, "type").unwrap_or("");
            match ty {
                "text" => {
                    let t = str_of(b, "text").unwrap_or("");
                    if !t.trim().is_empty() {
                        out.push(EventKind::AssistantText {
                            text: t.to_string(),
                        });
                    }
                }
                "thinking" => {
                    let t = str_of(b, "thinking").unwrap_or("");
                    out.push(EventKind::Reasoning {
                        text: t.to_string(),
                        encrypted: t.is_empty(),
                    });
                }
                "redacted_thinking" => out.push(EventKind::Reasoning {
                    text: String::new(),
                    encrypted: true,
                }),
                "tool_use" | "server_tool_use" | "mcp_tool_use" => {
                    let id = str_of(b, "id").unwrap_or("").to_string();
                    let name = str_of(b, "name").unwrap_or("").to_string();
                    let input = tool_input(b.get("input"));
                    let kind = if matches!(name.as_str(), "Task" | "Agent") {
                        CallKind::Spawn
                    } else {
                        CallKind::Other
                    };
                    if kind == CallKind::Spawn {
                        self.spawns.push(Spawn {
                            call_id: id.clone(),
                            prompt: str_of(&input, "prompt").unwrap_or("").to_string(),
                            description: str_of(&input, "description").map(str::to_string),
                            linked: false,
                        });
                    }
                    self.calls.insert(id.clone(), kind);
                    let plan = self.tasks.on_call(&id, &name, &input);
                    out.push(EventKind::ToolCall {
                        call_id: id,
                        name,
                        input,
                        subagent: None,
                    });
                    out.extend(plan);
                }
                t if t.ends_with("_tool_result") => {
                    let id = str_of(b, "tool_use_id").unwrap_or("");
                    if self.calls.contains_key(id) {
                        let c = b.get("content").unwrap_or(&Value::Null);
                        let is_error = is_true(b, "is_error")
                            || str_of(c, "type").is_some_and(|t| t.contains("error"));
                        out.push(EventKind::ToolResult {
                            call_id: id.to_string(),
                            output: content::flatten_result(c),
                            is_error,
                        });
                    } else {
                        out.push(self.orphan(b, id, at));
                    }
                }
                other => out.push(raw(format!("assistant/{other}"), b)),
            }
        }
        out
    }

    /// A tool result whose call this session never saw: kept raw, with a warning.
    fn orphan(&mut self, b: &Value, id: &str, at: &At) -> EventKind {
        self.warn(
            Some(at.line),
            WarningKind::OrphanToolResult,
            format!("tool result for unknown tool use `{id}`"),
        );
        raw("orphan_tool_result".to_string(), b)
    }
}

/// An opaque event keeping `v` (base64 data and encrypted blobs scrubbed).
fn raw(record_type: String, v: &Value) -> EventKind {
    let mut raw = v.clone();
    scrub(&mut raw);
    EventKind::Opaque { record_type, raw }
}

fn user_text(
    s: &str,
    meta: bool,
    compact: bool,
    out: &mut Vec<EventKind>,
    prompt: &mut Option<usize>,
) {
    if compact {
        out.push(context("compact_summary", s));
    } else if meta {
        out.push(context(context::whole_source(s, "meta"), s));
    } else {
        for part in context::split(s) {
            match part {
                Part::Prompt(t) => add_prompt(out, prompt, t, None),
                Part::Context(src, t) => out.push(context(src, t)),
            }
        }
    }
}

/// The `/name` of a slash-command wrapper (`<command-name>/name</command-name>`).
fn command_name(k: &EventKind) -> Option<String> {
    let EventKind::Context { source, text } = k else {
        return None;
    };
    if source != "command" {
        return None;
    }
    let start = text.find("<command-name>")? + "<command-name>".len();
    let len = text[start..].find("</command-name>")?;
    Some(text[start..start + len].trim().to_string()).filter(|n| !n.is_empty())
}
