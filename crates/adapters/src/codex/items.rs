//! `response_item` payloads (and generation-A bare items): messages, reasoning, tool
//! calls and their outputs (§1.5).

use super::context::{self, Class};
use super::reader::{CG_ITEM, Pending, Reader, image_attachment, text_parts};
use super::tools;
use super::ui::UiKind;
use convx_model::{Attachment, EventKind, PlanStep, PlanStepStatus, WarningKind};
use serde_json::{Value, json};

impl Reader<'_> {
    pub(super) fn response_item(&mut self, p: &Value) {
        let ty = p.get("type").and_then(Value::as_str).unwrap_or("");
        let nid = p
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        match ty {
            "message" => self.message(p, nid),
            "reasoning" => self.reasoning_item(p, nid),
            "function_call" => {
                let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                let name = tools::tool_name(name, p.get("namespace").and_then(Value::as_str));
                let input = tools::parse_args(p.get("arguments"));
                let call_id = self.call_id(p, "function_call");
                let plan = (name == "update_plan")
                    .then(|| plan_from_args(&input))
                    .flatten();
                self.tool_call(call_id, name, input, nid);
                if let Some(kind) = plan {
                    self.emit(kind, None);
                }
            }
            "custom_tool_call" => {
                let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                let name = tools::tool_name(name, p.get("namespace").and_then(Value::as_str));
                let input = match p.get("input") {
                    Some(Value::String(s)) => tools::parse_json_text(s),
                    other => other.cloned().unwrap_or(Value::Null),
                };
                let call_id = self.call_id(p, "custom_tool_call");
                self.tool_call(call_id, name, input, nid);
            }
            "local_shell_call" => {
                let call_id = self.call_id(p, "local_shell_call");
                let input = p.get("action").cloned().unwrap_or(Value::Null);
                self.tool_call(call_id, "local_shell".into(), input, nid);
            }
            "web_search_call" => {
                let call_id = self.call_id(p, "web_search_call");
                let input = p.get("action").cloned().unwrap_or_else(|| json!({}));
                self.tool_call(call_id, "web_search".into(), input, nid);
            }
            "tool_search_call" => {
                let call_id = self.call_id(p, "tool_search_call");
                self.last_tool_search = Some(call_id.clone());
                let input = tools::parse_args(p.get("arguments"));
                self.tool_call(call_id, "tool_search".into(), input, nid);
            }
            "function_call_output" | "custom_tool_call_output" => {
                let id = p
                    .get("call_id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let (output, is_error) = tools::output(p.get("output"));
                self.tool_result(id, output, is_error, p, ty);
            }
            "tool_search_output" => {
                let id = p.get("call_id").and_then(Value::as_str).map(str::to_string);
                let id = id
                    .or_else(|| self.last_tool_search.take())
                    .unwrap_or_default();
                let names: Vec<String> = p
                    .get("tools")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| {
                                t.get("name").and_then(Value::as_str).map(str::to_string)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let status = p.get("status").and_then(Value::as_str) == Some("failed");
                self.tool_result(id, names.join("\n"), status, p, ty);
            }
            "image_generation_call" => {
                let call_id = self.call_id(p, "image_generation_call");
                let input = json!({ "revised_prompt": p.get("revised_prompt").cloned().unwrap_or(Value::Null) });
                self.tool_call(call_id.clone(), "image_generation".into(), input, nid);
                let size = p
                    .get("result")
                    .and_then(Value::as_str)
                    .map(crate::text::base64_decoded_len);
                let out = size.map_or("[image]".to_string(), |n| format!("[image: {n} bytes]"));
                let failed = p.get("status").and_then(Value::as_str) == Some("failed");
                self.tool_result(call_id, out, failed, p, ty);
            }
            // Undo snapshots: not conversation (§1.5).
            "ghost_snapshot" => {}
            "compaction" | "compaction_summary" | "context_compaction" => {
                self.compaction_event(None, CG_ITEM)
            }
            "agent_message" => {
                let text = tools::flatten(p.get("content").unwrap_or(&Value::Null));
                let author = p.get("author").and_then(Value::as_str).unwrap_or("?");
                let recipient = p.get("recipient").and_then(Value::as_str).unwrap_or("?");
                self.emit(
                    EventKind::Context {
                        source: "agent_message".into(),
                        text: format!("[{author} → {recipient}]\n{text}"),
                    },
                    nid,
                );
            }
            "" => {
                self.warn(WarningKind::UnexpectedShape, "response_item without type");
                self.opaque("response_item", p);
            }
            other => self.opaque(&format!("response_item/{other}"), p),
        }
    }

    /// The item's `call_id`, else its `id`, else an id derived from the line (stable).
    fn call_id(&self, p: &Value, ty: &str) -> String {
        p.get("call_id")
            .and_then(Value::as_str)
            .or_else(|| p.get("id").and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .map_or_else(|| format!("{ty}-line{}", self.line_no), str::to_string)
    }

    /// Keep a user item's text for matching the `user_message` event that follows it
    /// (bounded: generation-A files have no events at all).
    fn remember_user_item(&mut self, item: (String, bool)) {
        if self.recent_user_items.len() >= 16 {
            self.recent_user_items.remove(0);
        }
        self.recent_user_items.push(item);
    }

    fn tool_call(&mut self, call_id: String, name: String, input: Value, nid: Option<String>) {
        self.calls.insert(call_id.clone());
        if name == "spawn_agent" && self.s.retain_events {
            self.spawn_calls
                .insert(call_id.clone(), self.s.events.len());
        }
        self.emit(
            EventKind::ToolCall {
                call_id,
                name,
                input,
                subagent: None,
            },
            nid,
        );
    }

    fn tool_result(
        &mut self,
        call_id: String,
        output: String,
        is_error: bool,
        raw: &Value,
        ty: &str,
    ) {
        if call_id.is_empty() || !self.calls.contains(&call_id) {
            self.warn(
                WarningKind::OrphanToolResult,
                format!("{ty} without a preceding call"),
            );
            self.opaque(&format!("response_item/{ty}"), raw);
            return;
        }
        if let Some(idx) = self.spawn_calls.remove(&call_id) {
            self.link_subagent(idx, &output);
        }
        self.emit(
            EventKind::ToolResult {
                call_id,
                output,
                is_error,
            },
            None,
        );
    }

    /// `spawn_agent` answers `{"agent_id": "<thread id>", ...}`: record the child's key on the call.
    fn link_subagent(&mut self, idx: usize, output: &str) {
        let Ok(v) = serde_json::from_str::<Value>(output) else {
            return;
        };
        let id = v
            .get("agent_id")
            .or_else(|| v.get("thread_id"))
            .and_then(Value::as_str);
        let Some(id) = id.filter(|id| super::reader::uuid_suffix(id) == Some(*id)) else {
            return;
        };
        if let Some(EventKind::ToolCall { subagent, .. }) =
            self.s.events.get_mut(idx).map(|e| &mut e.kind)
        {
            *subagent = Some(convx_model::Session::key_for(convx_model::Agent::Codex, id));
        }
    }

    fn message(&mut self, p: &Value, nid: Option<String>) {
        let role = p.get("role").and_then(Value::as_str).unwrap_or("");
        let content = p.get("content");
        match role {
            "assistant" => {
                let text = text_parts(content).join("\n");
                if !text.trim().is_empty() {
                    self.item_seen(UiKind::Assistant, &text);
                    self.emit(EventKind::AssistantText { text }, nid);
                }
            }
            "developer" | "system" => {
                // Each text part is its own block (permissions, collaboration mode, ...).
                let role: &'static str = if role == "system" {
                    "system"
                } else {
                    "developer"
                };
                let mut nid = nid;
                for text in text_parts(content) {
                    if !text.trim().is_empty() {
                        let source = context::role_source(&text, role);
                        self.emit(EventKind::Context { source, text }, nid.take());
                    }
                }
            }
            "user" => self.user_item(content, nid),
            _ => {
                self.warn(
                    WarningKind::UnexpectedShape,
                    format!("message with role `{role}`"),
                );
                self.opaque("response_item/message", p);
            }
        }
    }

    /// A user-role message item: injected context blocks become Context, the rest a prompt.
    fn user_item(&mut self, content: Option<&Value>, nid: Option<String>) {
        let texts = text_parts(content);
        let attachments: Vec<Attachment> = match content {
            Some(Value::Array(parts)) => parts
                .iter()
                .filter(|p| {
                    p.get("type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.contains("image"))
                })
                .map(image_attachment)
                .collect(),
            _ => Vec::new(),
        };
        let full = texts.join("\n");
        // One generic-tag block and nothing else: wait for a confirming user_message event.
        if texts.len() == 1
            && attachments.is_empty()
            && let Class::Generic(tag) = context::classify(&texts[0])
        {
            self.remember_user_item((full.clone(), false));
            self.pending = Some(Pending {
                text: full,
                tag,
                ts: self.line_ts,
                inherited: self.inherited,
                native_id: nid,
            });
            return;
        }
        let mut prompt: Vec<String> = Vec::new();
        for t in texts {
            match context::classify(&t) {
                Class::Known(source) => {
                    if source == "environment_context" && self.env_cwd.is_none() {
                        self.env_cwd = context::env_cwd(&t);
                    }
                    self.remember_user_item((t.clone(), false));
                    self.emit(
                        EventKind::Context {
                            source: source.to_string(),
                            text: t,
                        },
                        None,
                    );
                }
                Class::Generic(tag) => {
                    self.remember_user_item((t.clone(), false));
                    self.emit(
                        EventKind::Context {
                            source: tag,
                            text: t,
                        },
                        None,
                    );
                }
                Class::Prompt => match context::split_request(&t) {
                    Some((ide, request)) => {
                        if !ide.is_empty() {
                            self.emit(
                                EventKind::Context {
                                    source: "ide_context".into(),
                                    text: ide.to_string(),
                                },
                                None,
                            );
                        }
                        prompt.push(request.to_string());
                    }
                    None => prompt.push(t),
                },
            }
        }
        if !prompt.is_empty() || !attachments.is_empty() {
            let text = prompt.join("\n");
            self.remember_user_item((full, true));
            self.emit(EventKind::UserPrompt { text, attachments }, nid);
        }
    }

    fn reasoning_item(&mut self, p: &Value, nid: Option<String>) {
        let mut parts = text_parts(p.get("summary"));
        parts.extend(text_parts(p.get("content")));
        for part in &parts {
            self.item_seen(UiKind::Reasoning, part);
        }
        let text = parts.join("\n\n");
        let encrypted = p
            .get("encrypted_content")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty());
        self.emit(EventKind::Reasoning { text, encrypted }, nid);
    }
}

/// `update_plan` arguments `{explanation?, plan:[{step, status}]}` as a plan update.
pub(super) fn plan_from_args(args: &Value) -> Option<EventKind> {
    let plan = args.get("plan")?.as_array()?;
    let steps = plan
        .iter()
        .map(|s| PlanStep {
            text: s
                .get("step")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            status: PlanStepStatus::parse(
                s.get("status").and_then(Value::as_str).unwrap_or("pending"),
            ),
        })
        .collect();
    let explanation = args
        .get("explanation")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
        .map(str::to_string);
    Some(EventKind::PlanUpdate { explanation, steps })
}

/// A plan-mode proposal (`Plan` item, markdown) as a plan update: list lines become steps.
pub(super) fn plan_from_text(text: &str) -> EventKind {
    let mut steps = Vec::new();
    for line in text.lines() {
        let l = line.trim_start();
        let body = l
            .strip_prefix("- ")
            .or_else(|| l.strip_prefix("* "))
            .or_else(|| {
                let digits = l.find(|c: char| !c.is_ascii_digit()).filter(|&i| i > 0)?;
                l[digits..].strip_prefix(". ")
            });
        let Some(body) = body else { continue };
        let (status, body) = if let Some(b) = body.strip_prefix("[ ] ") {
            (PlanStepStatus::Pending, b)
        } else if let Some(b) = body
            .strip_prefix("[x] ")
            .or_else(|| body.strip_prefix("[X] "))
        {
            (PlanStepStatus::Completed, b)
        } else {
            (PlanStepStatus::Pending, body)
        };
        if !body.trim().is_empty() {
            steps.push(PlanStep {
                text: body.trim().to_string(),
                status,
            });
        }
    }
    EventKind::PlanUpdate {
        explanation: Some(text.to_string()),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        let args = json!({"explanation":"x","plan":[{"step":"a","status":"completed"},{"step":"b","status":"in_progress"}]});
        let Some(EventKind::PlanUpdate { explanation, steps }) = plan_from_args(&args) else {
            panic!()
        };
        assert_eq!(explanation.as_deref(), Some("x"));
        assert_eq!(steps[1].status, PlanStepStatus::InProgress);
        let EventKind::PlanUpdate { steps, .. } =
            plan_from_text("# Plan\n\n1. Add route\n2. Test it\n- [x] done\nprose")
        else {
            panic!()
        };
        let texts: Vec<&str> = steps.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, vec!["Add route", "Test it", "done"]);
        assert_eq!(steps[2].status, PlanStepStatus::Completed);
    }
}
