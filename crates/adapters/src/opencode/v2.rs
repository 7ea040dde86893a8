//! OpenCode 2.x store (tables `session_v2` and `session_message`, 2026-08 →).
//!
//! OpenCode 2 stopped writing `session`/`message`/`part` (left frozen) and writes sessions
//! to `session_v2` and every message as one row of `session_message(id, session_id, type,
//! seq, time_created, time_updated, data)`, ordered by `seq`. The role is the `type`
//! column; an assistant row holds its parts inline (`content: [text | reasoning | tool]`)
//! with `model: {providerID, id}`, `tokens` and `cost`. The rows migrated from the v1
//! tables keep their ids, so a database is read from **one** table per session: its
//! `session_message` rows when it has any, else its v1 `message`/`part` rows.
//! (Third-party descriptions: not in the format reference; read defensively.)

use super::build::Builder;
use super::shapes::{attachment, scrub};
use super::usage::RawTokens;
use crate::text;
use convx_model::{Agent, CallUsage, Event, EventKind, Session, Timestamp};
use serde_json::{Value, json};

fn ts(v: Option<&Value>) -> Option<Timestamp> {
    v.and_then(crate::time::from_value)
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(v) if !v.is_null() => text::flatten_content(v),
        _ => String::new(),
    }
}

/// Add one `session_message` row.
pub(crate) fn message(b: &mut Builder, id: &str, ty: &str, created_col: Option<i64>, data: &Value) {
    let at = ts(data.pointer("/time/created"))
        .or_else(|| created_col.and_then(crate::time::from_millis));
    let mut evs: Vec<Event> = Vec::new();
    let ev = |k: EventKind| Event::new(k).at(at).with_id(id.to_string());
    match ty {
        "user" => {
            let text = text_of(data.get("text"));
            let attachments: Vec<_> = data
                .get("files")
                .and_then(Value::as_array)
                .map(|f| f.iter().map(attachment).collect())
                .unwrap_or_default();
            if !text.is_empty() || !attachments.is_empty() {
                evs.push(ev(EventKind::UserPrompt { text, attachments }));
            }
        }
        "synthetic" | "system" => {
            let text = text_of(data.get("text"));
            if !text.is_empty() {
                evs.push(ev(EventKind::Context {
                    source: ty.into(),
                    text,
                }));
            }
        }
        "shell" => {
            let call = data
                .get("callID")
                .and_then(Value::as_str)
                .unwrap_or(id)
                .to_string();
            let input = json!({"command": data.get("command")});
            evs.push(ev(EventKind::ToolCall {
                call_id: call.clone(),
                name: "shell".into(),
                input,
                subagent: None,
            }));
            let output = text_of(data.get("output"));
            let end = ts(data.pointer("/time/completed")).or(at);
            evs.push(
                Event::new(EventKind::ToolResult {
                    call_id: call,
                    output,
                    is_error: false,
                })
                .at(end)
                .with_id(id.to_string()),
            );
        }
        "compaction" => {
            let summary = data
                .get("summary")
                .and_then(Value::as_str)
                .map(str::to_string);
            let trigger = data
                .get("reason")
                .and_then(Value::as_str)
                .map(str::to_string);
            evs.push(ev(EventKind::Compaction { summary, trigger }));
        }
        "assistant" => assistant(b, id, at, data, &mut evs),
        other => {
            let rt = if other.is_empty() {
                "session_message".to_string()
            } else {
                format!("session_message/{other}")
            };
            evs.push(ev(EventKind::Opaque {
                record_type: rt,
                raw: scrub(data),
            }));
        }
    }
    let abandoned = b.abandoned(id, None);
    for mut e in evs {
        e.abandoned = abandoned;
        b.push(e);
    }
}

fn assistant(b: &mut Builder, id: &str, at: Option<Timestamp>, data: &Value, evs: &mut Vec<Event>) {
    let model = match (
        data.pointer("/model/providerID").and_then(Value::as_str),
        data.pointer("/model/id").and_then(Value::as_str),
    ) {
        (Some(p), Some(m)) if !m.starts_with(&format!("{p}/")) => Some(format!("{p}/{m}")),
        (_, Some(m)) => Some(m.to_string()),
        _ => None,
    };
    for (i, c) in data
        .get("content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let cid = c
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{id}#{i}"), str::to_string);
        let ev = |k: EventKind, t: Option<Timestamp>| Event::new(k).at(t).with_id(cid.clone());
        match c.get("type").and_then(Value::as_str).unwrap_or("") {
            "text" => {
                let t = text_of(c.get("text"));
                if t.is_empty() {
                    continue;
                }
                let flag = |k: &str| c.get(k).and_then(Value::as_bool).unwrap_or(false);
                let kind = if flag("synthetic") {
                    EventKind::Context {
                        source: "synthetic".into(),
                        text: t,
                    }
                } else if flag("ignored") {
                    EventKind::Context {
                        source: "ignored".into(),
                        text: t,
                    }
                } else {
                    EventKind::AssistantText { text: t }
                };
                evs.push(ev(kind, at));
            }
            "reasoning" => {
                let t = text_of(c.get("text"));
                if !t.is_empty() {
                    evs.push(ev(
                        EventKind::Reasoning {
                            text: t,
                            encrypted: false,
                        },
                        at,
                    ));
                }
            }
            "tool" => {
                let state = c.get("state").cloned().unwrap_or(Value::Null);
                let name = c
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
                    .to_string();
                let input = match state.get("input") {
                    Some(Value::String(s)) => {
                        serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
                    }
                    Some(v) if !v.is_null() => v.clone(),
                    _ => json!({}),
                };
                let subagent = [
                    "/structured/sessionId",
                    "/structured/sessionID",
                    "/metadata/sessionId",
                ]
                .iter()
                .find_map(|k| {
                    state
                        .pointer(k)
                        .or_else(|| c.pointer(k))
                        .and_then(Value::as_str)
                })
                .map(|s| Session::key_for(Agent::OpenCode, s));
                let start = ts(c.pointer("/time/created")).or(at);
                let end = ts(c.pointer("/time/completed")).or(start);
                evs.push(ev(
                    EventKind::ToolCall {
                        call_id: cid.clone(),
                        name,
                        input,
                        subagent,
                    },
                    start,
                ));
                let status = state.get("status").and_then(Value::as_str).unwrap_or("");
                if matches!(status, "completed" | "error") {
                    let mut output = text_of(state.get("content").or_else(|| state.get("output")));
                    let is_error = status == "error";
                    if is_error {
                        let err = state.get("error").map(|e| {
                            e.pointer("/data/message")
                                .or_else(|| e.get("message"))
                                .and_then(Value::as_str)
                                .map_or_else(|| text_of(Some(e)), str::to_string)
                        });
                        if let Some(err) = err.filter(|e| !e.is_empty()) {
                            output = if output.is_empty() {
                                err
                            } else {
                                format!("{output}\n{err}")
                            };
                        }
                    }
                    evs.push(ev(
                        EventKind::ToolResult {
                            call_id: cid.clone(),
                            output,
                            is_error,
                        },
                        end,
                    ));
                }
            }
            other => evs.push(ev(
                EventKind::Opaque {
                    record_type: format!("content/{other}"),
                    raw: scrub(c),
                },
                at,
            )),
        }
    }
    if let Some(err) = data.get("error").filter(|e| !e.is_null()) {
        evs.push(
            Event::new(EventKind::Opaque {
                record_type: "assistant_error".into(),
                raw: scrub(err),
            })
            .at(at)
            .with_id(id.to_string()),
        );
    }
    if let Some(t) = data
        .get("tokens")
        .and_then(RawTokens::parse)
        .filter(|t| !t.is_zero())
    {
        let mut cu = CallUsage::new(model, t.normalize(b.version()), id);
        cu.recorded_cost_usd = data.get("cost").and_then(Value::as_f64);
        let carrier = evs
            .iter()
            .position(|e| matches!(e.kind, EventKind::AssistantText { .. }))
            .or_else(|| {
                evs.iter().position(|e| {
                    matches!(
                        e.kind,
                        EventKind::Reasoning { .. } | EventKind::ToolCall { .. }
                    )
                })
            });
        match carrier {
            Some(i) => evs[i].usage = Some(cu),
            None => {
                let mut e = Event::new(EventKind::ModelCall {})
                    .at(ts(data.pointer("/time/completed")).or(at))
                    .with_id(id.to_string());
                e.usage = Some(cu);
                evs.push(e);
            }
        }
    }
}
