//! Tool call inputs and outputs: lenient argument parsing, output flattening and
//! error detection from the output text formats Codex used over time (§1.5).

use crate::text;
use serde_json::Value;

/// Parse tool arguments: a JSON string holding JSON becomes that JSON; anything else is
/// kept as a JSON string (invalid JSON included). Non-string values are kept as they are.
pub(crate) fn parse_args(v: Option<&Value>) -> Value {
    match v {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) => parse_json_text(s),
        Some(other) => other.clone(),
    }
}

/// `s` parsed when it looks like a JSON object/array and parses; otherwise a JSON string.
pub(crate) fn parse_json_text(s: &str) -> Value {
    let t = s.trim_start();
    if (t.starts_with('{') || t.starts_with('['))
        && let Ok(v) = serde_json::from_str::<Value>(s)
    {
        return v;
    }
    Value::String(s.to_string())
}

/// MCP-aware tool name: 2026 `namespace` (`mcp__server__`) + `name`; 2025 `server__tool`
/// names become `mcp__server__tool`.
pub(crate) fn tool_name(name: &str, namespace: Option<&str>) -> String {
    match namespace.filter(|n| !n.is_empty()) {
        Some(ns) if ns.ends_with('_') => format!("{ns}{name}"),
        Some(ns) => format!("{ns}__{name}"),
        None if name.contains("__") && !name.starts_with("mcp__") => format!("mcp__{name}"),
        None => name.to_string(),
    }
}

/// A tool output flattened to text, and whether it reports a failure.
pub(crate) fn output(v: Option<&Value>) -> (String, bool) {
    match v {
        None | Some(Value::Null) => (String::new(), false),
        Some(Value::String(s)) => from_text(s),
        Some(Value::Array(_)) => {
            let t = flatten(v.unwrap_or(&Value::Null));
            let err = text_error(&t);
            (t, err)
        }
        Some(Value::Object(o)) => {
            // FunctionCallOutputPayload as an object: {content | content_items, success?}.
            let body = o
                .get("content")
                .or_else(|| o.get("content_items"))
                .or_else(|| o.get("output"));
            let (t, err) = match body {
                Some(b) => output(Some(b)),
                None => from_json(v.unwrap_or(&Value::Null)),
            };
            (
                t,
                err || o.get("success") == Some(&Value::Bool(false))
                    || json_error(v.unwrap_or(&Value::Null)),
            )
        }
        Some(other) => (other.to_string(), false),
    }
}

/// Flatten content parts (never keeping image data or encrypted blobs).
pub(crate) fn flatten(v: &Value) -> String {
    match v {
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|p| match p.get("type").and_then(Value::as_str) {
                    Some("encrypted_content") => "[encrypted content]".to_string(),
                    Some(t) if t.contains("image") => text::image_placeholder(p),
                    _ => text::flatten_content(p),
                })
                .filter(|s| !s.is_empty())
                .collect();
            parts.join("\n")
        }
        other => text::flatten_content(other),
    }
}

fn from_text(s: &str) -> (String, bool) {
    let t = s.trim_start();
    if t.starts_with('{')
        && let Ok(v) = serde_json::from_str::<Value>(s)
        && v.is_object()
    {
        return from_json(&v);
    }
    (s.to_string(), text_error(s))
}

/// Structured JSON outputs: `{output, metadata:{exit_code}}` (2025 shell), MCP
/// `CallToolResult` (`{content, isError}`), `{"Ok":…}` / `{"Err":…}`.
fn from_json(v: &Value) -> (String, bool) {
    let err = json_error(v);
    if let Some(out) = v.get("output") {
        let (t, e) = output(Some(out));
        return (t, err || e);
    }
    if let Some(ok) = v.get("Ok") {
        let (t, e) = from_json_or_text(ok);
        return (t, err || e);
    }
    if let Some(e) = v.get("Err") {
        return (text::flatten_content(e), true);
    }
    if let Some(c) = v.get("content") {
        return (flatten(c), err);
    }
    (v.to_string(), err)
}

fn from_json_or_text(v: &Value) -> (String, bool) {
    match v {
        Value::Object(_) => from_json(v),
        other => output(Some(other)),
    }
}

fn json_error(v: &Value) -> bool {
    let exit = v
        .get("metadata")
        .and_then(|m| m.get("exit_code"))
        .or_else(|| v.get("exit_code"));
    if exit.and_then(Value::as_i64).is_some_and(|c| c != 0) {
        return true;
    }
    v.get("isError") == Some(&Value::Bool(true))
        || v.get("is_error") == Some(&Value::Bool(true))
        || v.get("Err").is_some()
        || v.get("Ok").and_then(|o| o.get("isError")) == Some(&Value::Bool(true))
}

/// Errors stated by the text formats: `Exit code: N`, `Process exited with code N`,
/// `command timed out after …`.
pub(crate) fn text_error(s: &str) -> bool {
    let t = s.trim_start();
    if t.starts_with("command timed out after") {
        return true;
    }
    for line in t.lines().take(8) {
        let line = line.trim();
        let code = line
            .strip_prefix("Exit code:")
            .or_else(|| line.strip_prefix("Process exited with code"));
        if let Some(code) = code
            && let Ok(n) = code.trim().parse::<i64>()
        {
            return n != 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn args_are_lenient() {
        assert_eq!(
            parse_args(Some(&json!("{\"command\":[\"ls\"]}"))),
            json!({"command":["ls"]})
        );
        assert_eq!(
            parse_args(Some(&json!("{\"command\": [\"ls\""))),
            json!("{\"command\": [\"ls\"")
        );
        assert_eq!(
            parse_args(Some(&json!("*** Begin Patch"))),
            json!("*** Begin Patch")
        );
        assert_eq!(parse_args(Some(&json!({"a":1}))), json!({"a":1}));
    }

    #[test]
    fn names() {
        assert_eq!(
            tool_name("search", Some("mcp__docs__")),
            "mcp__docs__search"
        );
        assert_eq!(tool_name("create_issue", None), "create_issue");
        assert_eq!(
            tool_name("github__create_issue", None),
            "mcp__github__create_issue"
        );
        assert_eq!(tool_name("mcp__a__b", None), "mcp__a__b");
    }

    #[test]
    fn errors_from_every_format() {
        assert!(
            !output(Some(&json!(
                "Exit code: 0\nWall time: 0.1 seconds\nOutput:\nok"
            )))
            .1
        );
        assert!(
            output(Some(&json!(
                "Exit code: 2\nWall time: 0.1 seconds\nOutput:\nboom"
            )))
            .1
        );
        assert!(
            output(Some(&json!(
                "Chunk ID: 1\nWall time: 1.0 seconds\nProcess exited with code 1\nOutput:\nx"
            )))
            .1
        );
        assert!(output(Some(&json!("command timed out after 10000 milliseconds\n"))).1);
        let (t, e) = output(Some(&json!(
            "{\"output\":\"fail\\n\",\"metadata\":{\"exit_code\":1,\"duration_seconds\":0.2}}"
        )));
        assert_eq!((t.as_str(), e), ("fail\n", true));
        let (t, e) = output(Some(&json!(
            "{\"output\":\"ok\\n\",\"metadata\":{\"exit_code\":0,\"duration_seconds\":0.2}}"
        )));
        assert_eq!((t.as_str(), e), ("ok\n", false));
        let (t, e) = output(Some(&json!(
            "{\"content\":[{\"type\":\"text\",\"text\":\"nope\"}],\"isError\":true}"
        )));
        assert_eq!((t.as_str(), e), ("nope", true));
        let (t, e) = output(Some(&json!({"Err": "tool not found"})));
        assert_eq!((t.as_str(), e), ("tool not found", true));
        let (t, e) = output(Some(
            &json!([{"type":"input_text","text":"a"},{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]),
        ));
        assert_eq!((t.as_str(), e), ("a\n[image: image/png, 3 bytes]", false));
        let (t, e) = output(Some(&json!({"content": "denied", "success": false})));
        assert_eq!((t.as_str(), e), ("denied", true));
        assert_eq!(
            output(Some(&json!("Plan updated"))),
            ("Plan updated".to_string(), false)
        );
    }
}
