//! `event_msg` payloads (§1.6): UI copies of the conversation (dropped when the model-history
//! items exist, §1.7), token counts (§1.8), compaction and rollback markers, and the
//! paginated `item_completed` TurnItems.

use super::context::{self, Class};
use super::items::plan_from_text;
use super::reader::{CG_EVENT, Reader, image_attachment, text_parts};
use super::tools;
use super::ui::UiKind;
use super::usage::dedup_key;
use convx_model::{Attachment, CallUsage, EventKind};
use serde_json::{Value, json};

impl Reader<'_> {
    /// True when the file has model-history items, so `event_msg` copies are duplicates.
    fn dual(&self) -> bool {
        self.pre.has_items
    }

    pub(super) fn event_msg(&mut self, p: &Value) {
        let ty = p.get("type").and_then(Value::as_str).unwrap_or("");
        match ty {
            "user_message" => self.user_message(p),
            "agent_message" => {
                let text = p
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if self.dual() {
                    self.ui_copy(UiKind::Assistant, text);
                } else if !text.trim().is_empty() {
                    self.emit(EventKind::AssistantText { text }, None);
                }
            }
            "agent_reasoning" | "agent_reasoning_raw_content" => {
                let text = p
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if self.dual() {
                    self.ui_copy(UiKind::Reasoning, text);
                } else {
                    self.emit(
                        EventKind::Reasoning {
                            text,
                            encrypted: false,
                        },
                        None,
                    );
                }
            }
            "token_count" => self.token_count(p),
            "context_compacted" => self.compaction_event(None, CG_EVENT),
            "thread_rolled_back" => {
                let n = p.get("num_turns").and_then(Value::as_u64).unwrap_or(0);
                self.rollback(n);
                self.opaque("event_msg/thread_rolled_back", p);
            }
            "thread_name_updated" => {
                if !self.inherited
                    && let Some(name) = p.get("thread_name").and_then(Value::as_str)
                {
                    self.title_from_log = Some(name.to_string());
                }
                self.opaque("event_msg/thread_name_updated", p);
            }
            "task_started" | "turn_started" => {
                self.flush_ui();
                if !self.inherited {
                    self.turn_open = Some(self.s.events.len());
                }
                self.opaque(&format!("event_msg/{ty}"), p);
            }
            "item_completed" => self.item_completed(p),
            "turn_aborted" | "task_complete" | "turn_complete" => {
                // Turn boundary: event copies still unmatched have no item.
                self.flush_ui();
                self.opaque(&format!("event_msg/{ty}"), p);
            }
            "" => self.opaque("event_msg", p),
            other => self.opaque(&format!("event_msg/{other}"), p),
        }
    }

    fn user_message(&mut self, p: &Value) {
        let text = p
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if let Some(pending) = self.pending.take() {
            if context::same_prompt(&pending.text, &text) {
                // The user typed a `<tag>…</tag>` text: a prompt after all.
                self.recent_user_items.clear();
                let kind = EventKind::UserPrompt {
                    text: pending.text,
                    attachments: Vec::new(),
                };
                self.emit_at(kind, pending.ts, pending.inherited, pending.native_id, None);
                return;
            }
            self.pending = Some(pending);
            self.flush_pending();
        }
        let recent = std::mem::take(&mut self.recent_user_items);
        let duplicate = recent.iter().any(|(t, prompt)| {
            if *prompt {
                context::same_prompt(t, &text)
            } else {
                t.trim() == text.trim()
            }
        });
        if duplicate {
            return;
        }
        // No model-history copy: this event is the only record of the message.
        let kind = p.get("kind").and_then(Value::as_str).unwrap_or("plain");
        let mut attachments: Vec<Attachment> = Vec::new();
        if let Some(images) = p.get("images").and_then(Value::as_array) {
            attachments.extend(
                images
                    .iter()
                    .map(|i| image_attachment(&json!({ "image_url": i }))),
            );
        }
        if let Some(paths) = p.get("local_images").and_then(Value::as_array) {
            attachments.extend(paths.iter().filter_map(|x| {
                let name = x
                    .as_str()
                    .or_else(|| x.get("path").and_then(Value::as_str))?;
                Some(Attachment {
                    kind: "image".into(),
                    media_type: None,
                    size_bytes: None,
                    name: Some(name.to_string()),
                })
            }));
        }
        match (kind, context::classify(&text)) {
            ("environment_context" | "user_instructions", _) => {
                self.emit(
                    EventKind::Context {
                        source: kind.to_string(),
                        text,
                    },
                    None,
                );
            }
            (_, Class::Known(source)) => self.emit(
                EventKind::Context {
                    source: source.to_string(),
                    text,
                },
                None,
            ),
            _ => {
                if text.trim().is_empty() && attachments.is_empty() {
                    return;
                }
                match context::split_request(&text) {
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
                        self.emit(
                            EventKind::UserPrompt {
                                text: request.to_string(),
                                attachments,
                            },
                            None,
                        );
                    }
                    None => self.emit(EventKind::UserPrompt { text, attachments }, None),
                }
            }
        }
    }

    fn token_count(&mut self, p: &Value) {
        // `info: null`: a rate-limit-only refresh, no usage (§1.8).
        let Some(info) = p.get("info").filter(|i| i.is_object()) else {
            return;
        };
        let Some(delta) = self.tracker.observe(info) else {
            return;
        };
        let model = self.model.clone();
        let key = dedup_key(&self.line_ts_raw, model.as_deref(), &delta);
        let usage = CallUsage::new(model, delta.normalize(), key);
        let (ts, inh) = (self.line_ts, self.inherited);
        self.emit_at(EventKind::ModelCall {}, ts, inh, None, Some(usage));
    }

    /// Paginated rollouts persist TurnItems (PascalCase `type`); legacy ones only `Plan`.
    fn item_completed(&mut self, p: &Value) {
        let item = p.get("item").unwrap_or(&Value::Null);
        let ty = item.get("type").and_then(Value::as_str).unwrap_or("");
        let nid = item.get("id").and_then(Value::as_str).map(str::to_string);
        let dual = self.dual();
        match ty {
            "Plan" => {
                let text = item.get("text").and_then(Value::as_str).unwrap_or("");
                self.emit(plan_from_text(text), nid);
            }
            "ContextCompaction" => self.compaction_event(None, CG_EVENT),
            "UserMessage" | "AgentMessage" | "Reasoning" if dual => {}
            "UserMessage" => {
                let content = item.get("content");
                let texts = text_parts(content);
                let attachments: Vec<Attachment> = content
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter(|x| {
                                x.get("type")
                                    .and_then(Value::as_str)
                                    .is_some_and(|t| t.contains("image"))
                            })
                            .map(|x| {
                                let mut att = image_attachment(x);
                                if att.name.is_none() {
                                    att.name =
                                        x.get("path").and_then(Value::as_str).map(str::to_string);
                                }
                                att
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let text = texts.join("\n");
                match context::classify(&text) {
                    Class::Known(source) => self.emit(
                        EventKind::Context {
                            source: source.into(),
                            text,
                        },
                        nid,
                    ),
                    _ => self.emit(EventKind::UserPrompt { text, attachments }, nid),
                }
            }
            "AgentMessage" => {
                let text = text_parts(item.get("content")).join("\n");
                if !text.trim().is_empty() {
                    self.emit(EventKind::AssistantText { text }, nid);
                }
            }
            "Reasoning" => {
                let mut parts = strings(item.get("summary_text"));
                parts.extend(strings(item.get("raw_content")));
                self.emit(
                    EventKind::Reasoning {
                        text: parts.join("\n\n"),
                        encrypted: false,
                    },
                    nid,
                );
            }
            "CommandExecution" | "McpToolCall" | "FileChange" | "WebSearch" if !dual => {
                self.turn_item_tool(ty, item, nid)
            }
            _ => self.opaque(
                &format!(
                    "item_completed/{}",
                    if ty.is_empty() { "unknown" } else { ty }
                ),
                p,
            ),
        }
    }

    /// Tool-like TurnItems of a paginated file without model-history items.
    fn turn_item_tool(&mut self, ty: &str, item: &Value, nid: Option<String>) {
        let call_id = nid
            .clone()
            .unwrap_or_else(|| format!("{ty}-line{}", self.line_no));
        let get = |k: &str| item.get(k).cloned().unwrap_or(Value::Null);
        let status_failed = matches!(
            item.get("status").and_then(Value::as_str),
            Some("failed" | "declined")
        );
        let (name, input, result) = match ty {
            "CommandExecution" => {
                let code = item.get("exit_code").and_then(Value::as_i64);
                let out = item
                    .get("aggregated_output")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                (
                    "shell".to_string(),
                    json!({ "command": get("command") }),
                    Some((out, code.is_some_and(|c| c != 0))),
                )
            }
            "McpToolCall" => {
                let server = item.get("server").and_then(Value::as_str).unwrap_or("");
                let tool = item.get("tool").and_then(Value::as_str).unwrap_or("");
                let res = item
                    .get("result")
                    .filter(|r| !r.is_null())
                    .or_else(|| item.get("error"));
                let (out, err) = tools::output(res);
                let err = err || item.get("error").is_some_and(|e| !e.is_null());
                (
                    format!("mcp__{server}__{tool}"),
                    get("arguments"),
                    Some((out, err)),
                )
            }
            "FileChange" => {
                let status = item
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                (
                    "apply_patch".to_string(),
                    json!({ "changes": get("changes") }),
                    Some((status, false)),
                )
            }
            _ => (
                "web_search".to_string(),
                json!({ "query": get("query"), "action": get("action") }),
                None,
            ),
        };
        self.calls.insert(call_id.clone());
        self.emit(
            EventKind::ToolCall {
                call_id: call_id.clone(),
                name,
                input,
                subagent: None,
            },
            nid,
        );
        if let Some((output, is_error)) = result {
            self.emit(
                EventKind::ToolResult {
                    call_id,
                    output,
                    is_error: is_error || status_failed,
                },
                None,
            );
        }
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}
