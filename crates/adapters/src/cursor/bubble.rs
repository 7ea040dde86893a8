//! Cursor chat messages ("bubbles") → events.
//!
//! Bubbles are parsed into [`RawBubble`], which names only the fields convx uses: serde
//! skips the rest (file contents, code-block diffs, context chunks...) without
//! allocating them, so a bubble of tens of MB costs little more than its text.
//!
//! * `type` 1 (older: `"user"`) → `UserPrompt` (`text`, else `rawText`, else the text of
//!   the Lexical `richText`); images → attachments (count only).
//! * `type` 2 (older: `"ai"`) → `thinking.text` → `Reasoning`; `text` → `AssistantText`;
//!   `toolFormerData {name, rawArgs, result, status, toolCallId}` → `ToolCall` and, once it
//!   has a result or a final status, `ToolResult` (`is_error` for error/failed/rejected/
//!   cancelled/aborted).
//! * `tokenCount {inputTokens, outputTokens}` (mostly zeros, unreliable) → a `CallUsage`
//!   when non-zero, keyed by composer and bubble id; the session is marked
//!   `usage_reliable: false`.
//! * anything else → `Opaque` (`bubble/<type>`).

use convx_model::{Attachment, CallUsage, Event, EventKind, Timestamp, Usage};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};

/// The fields of a bubble convx reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct RawBubble {
    #[serde(rename = "type")]
    pub kind: Value,
    pub bubble_id: Option<String>,
    pub text: Option<String>,
    pub raw_text: Option<String>,
    pub rich_text: Option<Value>,
    pub created_at: Option<Value>,
    pub timing_info: Option<Value>,
    pub thinking: Option<Value>,
    pub tool_former_data: Option<Value>,
    pub token_count: Option<Value>,
    pub model_info: Option<Value>,
    pub images: Option<Vec<IgnoredAny>>,
}

/// Who wrote a bubble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    User,
    Assistant,
    Other,
}

impl RawBubble {
    pub fn role(&self) -> Role {
        match &self.kind {
            Value::Number(n) if n.as_i64() == Some(1) => Role::User,
            Value::Number(n) if n.as_i64() == Some(2) => Role::Assistant,
            Value::String(s) if s == "user" => Role::User,
            Value::String(s) if s == "ai" || s == "assistant" => Role::Assistant,
            _ => Role::Other,
        }
    }

    /// `createdAt` (ISO or ms), else `timingInfo.clientStartTime` (ms).
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.created_at
            .as_ref()
            .and_then(crate::time::from_value)
            .or_else(|| {
                self.timing_info
                    .as_ref()
                    .and_then(|t| t.get("clientStartTime"))
                    .and_then(crate::time::from_value)
            })
    }

    fn text(&self) -> String {
        for t in [&self.text, &self.raw_text].into_iter().flatten() {
            if !t.trim().is_empty() {
                return t.clone();
            }
        }
        self.rich_text
            .as_ref()
            .map(lexical_text)
            .unwrap_or_default()
    }
}

/// Plain text of a Lexical editor state (a JSON string or object): the `text` of every
/// node, paragraphs separated by newlines.
fn lexical_text(v: &Value) -> String {
    fn walk(v: &Value, out: &mut String) {
        if let Some(t) = v.get("text").and_then(Value::as_str) {
            out.push_str(t);
        }
        if let Some(children) = v.get("children").and_then(Value::as_array) {
            for c in children {
                walk(c, out);
            }
            if v.get("type").and_then(Value::as_str) == Some("paragraph") {
                out.push('\n');
            }
        }
        if let Some(root) = v.get("root") {
            walk(root, out);
        }
    }
    let parsed;
    let v = match v {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(p) => {
                parsed = p;
                &parsed
            }
            Err(_) => return s.clone(),
        },
        other => other,
    };
    let mut out = String::new();
    walk(v, &mut out);
    out.trim_end().to_string()
}

/// The events of one bubble, in order. `model`: the composer's model. Returns whether a
/// usage was attached.
pub(crate) fn events(
    b: &RawBubble,
    composer: &str,
    bubble_id: &str,
    model: Option<&str>,
) -> (Vec<Event>, bool) {
    let at = b.timestamp();
    let ev = |k: EventKind| Event::new(k).at(at).with_id(bubble_id.to_string());
    let mut out = Vec::new();
    match b.role() {
        Role::User => {
            let text = b.text();
            let n_images = b.images.as_ref().map_or(0, Vec::len);
            let attachments: Vec<Attachment> = (0..n_images)
                .map(|_| Attachment {
                    kind: "image".into(),
                    media_type: None,
                    size_bytes: None,
                    name: None,
                })
                .collect();
            if !text.trim().is_empty() || !attachments.is_empty() {
                out.push(ev(EventKind::UserPrompt { text, attachments }));
            }
        }
        Role::Assistant => {
            if let Some(th) = &b.thinking {
                let text = th
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let signed = th
                    .get("signature")
                    .is_some_and(|s| s.as_str().is_some_and(|s| !s.is_empty()));
                if !text.is_empty() || signed {
                    out.push(ev(EventKind::Reasoning {
                        encrypted: text.is_empty(),
                        text,
                    }));
                }
            }
            let text = b.text();
            if !text.trim().is_empty() {
                out.push(ev(EventKind::AssistantText { text }));
            }
            if let Some(t) = b.tool_former_data.as_ref().filter(|t| t.is_object()) {
                tool(t, bubble_id, &ev, &mut out);
            }
        }
        Role::Other => {
            let rt = match &b.kind {
                Value::Null => "bubble".to_string(),
                Value::String(s) => format!("bubble/{s}"),
                other => format!("bubble/{other}"),
            };
            out.push(ev(EventKind::Opaque {
                record_type: rt,
                raw: json!({"type": b.kind, "bubbleId": bubble_id}),
            }));
        }
    }
    let usage = b.token_count.as_ref().map(|t| Usage {
        input: num(t.get("inputTokens")),
        output: num(t.get("outputTokens")),
        ..Usage::default()
    });
    let mut attached = false;
    if let Some(u) = usage.filter(|u| !u.is_zero()) {
        let m = b
            .model_info
            .as_ref()
            .and_then(|m| m.get("modelName"))
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .or(model)
            .map(str::to_string);
        let cu = CallUsage::new(m, u, format!("{composer}:{bubble_id}"));
        match out
            .iter_mut()
            .find(|e| !matches!(e.kind, EventKind::ToolResult { .. }))
        {
            Some(e) => e.usage = Some(cu),
            None => {
                let mut e = ev(EventKind::ModelCall {});
                e.usage = Some(cu);
                out.push(e);
            }
        }
        attached = true;
    }
    (out, attached)
}

fn tool(t: &Value, bubble_id: &str, ev: &dyn Fn(EventKind) -> Event, out: &mut Vec<Event>) {
    let call_id = t
        .get("toolCallId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(bubble_id)
        .to_string();
    let name = match (t.get("name").and_then(Value::as_str), t.get("tool")) {
        (Some(n), _) if !n.is_empty() => n.to_string(),
        (_, Some(Value::String(s))) => s.clone(),
        (_, Some(Value::Number(n))) => format!("tool_{n}"),
        _ => "unknown".to_string(),
    };
    let input = match t.get("rawArgs") {
        Some(Value::String(s)) if !s.is_empty() => {
            serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
        }
        Some(v) if !v.is_null() && !v.is_string() => v.clone(),
        _ => match t.get("params") {
            Some(Value::String(s)) => {
                serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
            }
            Some(v) if !v.is_null() => v.clone(),
            _ => json!({}),
        },
    };
    out.push(ev(EventKind::ToolCall {
        call_id: call_id.clone(),
        name,
        input,
        subagent: None,
    }));
    let status = t.get("status").and_then(Value::as_str).unwrap_or("");
    let is_error = matches!(
        status,
        "error" | "failed" | "rejected" | "cancelled" | "canceled" | "aborted"
    );
    let output = match t.get("result") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(v) => Some(v.to_string()),
    };
    let finished = is_error || status == "completed";
    if output.is_some() || finished {
        out.push(ev(EventKind::ToolResult {
            call_id,
            output: output.unwrap_or_default(),
            is_error,
        }));
    }
}

fn num(v: Option<&Value>) -> u64 {
    v.and_then(|n| {
        n.as_u64()
            .or_else(|| n.as_f64().filter(|f| *f > 0.0).map(|f| f as u64))
    })
    .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bubble(v: Value) -> RawBubble {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn rich_text_fallback() {
        let rich = json!({"root":{"children":[{"type":"paragraph","children":[{"type":"text","text":"fix the "},{"type":"text","text":"bug"}]},{"type":"paragraph","children":[{"type":"text","text":"please"}]}]}});
        let b = bubble(json!({"type":1,"text":"","richText": rich.to_string()}));
        let (evs, _) = events(&b, "c", "b1", None);
        assert!(
            matches!(&evs[0].kind, EventKind::UserPrompt { text, .. } if text == "fix the bug\nplease")
        );
    }

    #[test]
    fn tool_with_error_and_usage() {
        let b = bubble(json!({"type":2,"text":"","createdAt":1761811221004i64,
            "toolFormerData":{"tool":7,"name":"edit_file","rawArgs":"{\"target_file\":\"a.ts\"}","result":null,"status":"error","toolCallId":"toolu_1"},
            "tokenCount":{"inputTokens":120,"outputTokens":30}}));
        let (evs, attached) = events(&b, "c", "b2", Some("gpt-5"));
        assert!(attached);
        assert_eq!(evs.len(), 2);
        assert!(
            matches!(&evs[0].kind, EventKind::ToolCall { call_id, name, input, .. } if call_id == "toolu_1" && name == "edit_file" && input["target_file"] == "a.ts")
        );
        assert!(matches!(
            &evs[1].kind,
            EventKind::ToolResult { is_error: true, .. }
        ));
        let u = evs[0].usage.as_ref().unwrap();
        assert_eq!(
            (
                u.tokens.input,
                u.tokens.output,
                u.model.as_deref(),
                u.dedup_key.as_str()
            ),
            (120, 30, Some("gpt-5"), "c:b2")
        );
    }

    #[test]
    fn pending_tool_has_no_result_and_zero_tokens_no_usage() {
        let b = bubble(
            json!({"type":2,"toolFormerData":{"name":"run_terminal_cmd","rawArgs":"not json","status":"loading"},"tokenCount":{"inputTokens":0,"outputTokens":0}}),
        );
        let (evs, attached) = events(&b, "c", "b3", None);
        assert!(!attached);
        assert_eq!(evs.len(), 1);
        assert!(
            matches!(&evs[0].kind, EventKind::ToolCall { input: Value::String(s), .. } if s == "not json")
        );
    }

    #[test]
    fn legacy_string_types_and_unknown() {
        assert_eq!(bubble(json!({"type":"user"})).role(), Role::User);
        assert_eq!(bubble(json!({"type":"ai"})).role(), Role::Assistant);
        let (evs, _) = events(&bubble(json!({"type":3})), "c", "b4", None);
        assert!(
            matches!(&evs[0].kind, EventKind::Opaque { record_type, .. } if record_type == "bubble/3")
        );
        let ts = bubble(json!({"createdAt":"2025-10-30T08:00:21.004Z"}))
            .timestamp()
            .unwrap();
        assert_eq!(
            ts,
            bubble(json!({"createdAt":1761811221004i64}))
                .timestamp()
                .unwrap()
        );
    }
}
