//! What the index keeps of a session: rows for SQLite and texts for the full-text index,
//! derived from the normalized events.

use crate::role::Role;
use crate::text::{cap_text, flatten_json};
use convx_model::{Event, EventKind, PlanStepStatus, Session, Timestamp, Usage};
use serde_json::Value;
use std::collections::HashMap;

/// What goes into the full-text index, and how much of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulltextOptions {
    /// Index tool outputs (default true). Changing it rebuilds the full-text index.
    pub tool_outputs: bool,
    /// Longest text kept per event (bytes); the rest is not searchable.
    pub max_text_bytes: usize,
    /// Longest tool output kept per event (bytes).
    pub max_tool_output_bytes: usize,
}

impl Default for FulltextOptions {
    fn default() -> Self {
        FulltextOptions {
            tool_outputs: true,
            max_text_bytes: 256 * 1024,
            max_tool_output_bytes: 32 * 1024,
        }
    }
}

impl FulltextOptions {
    /// A string that changes whenever the options change what is indexed.
    pub(crate) fn fingerprint(&self) -> String {
        format!(
            "outputs={};text={};output={}",
            self.tool_outputs, self.max_text_bytes, self.max_tool_output_bytes
        )
    }
}

/// One event as stored.
#[derive(Debug)]
pub(crate) struct EventRow {
    pub seq: usize,
    pub ts: Option<i64>,
    pub kind: &'static str,
    pub role: Option<Role>,
    pub text: Option<String>,
    pub tool: Option<String>,
    pub native_id: Option<String>,
    pub inherited: bool,
    pub abandoned: bool,
}

impl EventRow {
    /// True when the event goes to the full-text index (own, searchable, non-empty).
    pub fn searchable(&self) -> bool {
        self.role.is_some()
            && !self.inherited
            && self.text.as_deref().is_some_and(|t| !t.trim().is_empty())
    }
}

/// One tool call.
#[derive(Debug)]
pub(crate) struct ToolCallRow {
    pub seq: usize,
    pub ts: Option<i64>,
    pub call_id: String,
    pub name: String,
    pub input: String,
    pub result_seq: Option<usize>,
    pub is_error: Option<bool>,
    pub output_bytes: Option<usize>,
    pub subagent: Option<String>,
    pub inherited: bool,
}

/// One model call's usage.
#[derive(Debug)]
pub(crate) struct UsageRow {
    pub seq: usize,
    pub ts: Option<i64>,
    pub model: Option<String>,
    pub dedup_key: String,
    pub tokens: Usage,
    pub recorded_cost_usd: Option<f64>,
    pub duplicate: bool,
    pub inherited: bool,
}

/// One plan update.
#[derive(Debug)]
pub(crate) struct PlanRow {
    pub seq: usize,
    pub ts: Option<i64>,
    pub explanation: Option<String>,
    pub steps: String,
    pub completed: usize,
    pub total: usize,
}

/// A file a tool call read or changed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FileRow {
    pub seq: usize,
    pub ts: Option<i64>,
    pub path: String,
    pub action: &'static str,
    pub tool: String,
}

/// Everything extracted from one session.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    pub events: Vec<EventRow>,
    pub tool_calls: Vec<ToolCallRow>,
    pub usage: Vec<UsageRow>,
    pub plans: Vec<PlanRow>,
    pub files: Vec<FileRow>,
}

/// Milliseconds since the epoch.
pub(crate) fn millis(t: Option<Timestamp>) -> Option<i64> {
    t.map(|t| t.as_millisecond())
}

/// Extract the rows of `s`. Text is capped per [`FulltextOptions`].
pub(crate) fn extract(s: &Session, opts: &FulltextOptions) -> Extracted {
    let mut x = Extracted::default();
    let fallback_ts = millis(s.started_at);
    let mut call_index: HashMap<&str, usize> = HashMap::new();
    for (seq, e) in s.events.iter().enumerate() {
        let ts = millis(e.timestamp);
        let (role, text, tool) = event_text(e, opts, &call_index, &x.tool_calls);
        match &e.kind {
            EventKind::ToolCall {
                call_id,
                name,
                input,
                subagent,
            } => {
                call_index.insert(call_id.as_str(), x.tool_calls.len());
                x.tool_calls.push(ToolCallRow {
                    seq,
                    ts,
                    call_id: call_id.clone(),
                    name: name.clone(),
                    input: cap_text(&input.to_string(), opts.max_text_bytes).into_owned(),
                    result_seq: None,
                    is_error: None,
                    output_bytes: None,
                    subagent: subagent.clone(),
                    inherited: e.inherited,
                });
                if !e.inherited {
                    files_touched(seq, ts, name, input, &mut x.files);
                }
            }
            EventKind::ToolResult {
                call_id,
                output,
                is_error,
            } => {
                if let Some(&i) = call_index.get(call_id.as_str()) {
                    let c = &mut x.tool_calls[i];
                    c.result_seq = Some(seq);
                    c.is_error = Some(*is_error);
                    c.output_bytes = Some(output.len());
                }
            }
            EventKind::PlanUpdate { explanation, steps } => {
                x.plans.push(PlanRow {
                    seq,
                    ts,
                    explanation: explanation.clone(),
                    steps: serde_json::to_string(steps).unwrap_or_else(|_| "[]".into()),
                    completed: steps
                        .iter()
                        .filter(|s| s.status == PlanStepStatus::Completed)
                        .count(),
                    total: steps.len(),
                });
            }
            _ => {}
        }
        if let Some(u) = &e.usage {
            let key = if u.dedup_key.is_empty() {
                format!("{}#{seq}", s.key)
            } else {
                u.dedup_key.clone()
            };
            x.usage.push(UsageRow {
                seq,
                ts: ts.or(fallback_ts),
                model: u.model.clone().filter(|m| !m.is_empty()),
                dedup_key: key,
                tokens: u.tokens,
                recorded_cost_usd: u.recorded_cost_usd,
                duplicate: u.duplicate,
                inherited: e.inherited,
            });
        }
        x.events.push(EventRow {
            seq,
            ts,
            kind: e.kind_name(),
            role,
            text,
            tool,
            native_id: e.native_id.clone(),
            inherited: e.inherited,
            abandoned: e.abandoned,
        });
    }
    x
}

/// The searchable role, text and tool name of an event.
fn event_text(
    e: &Event,
    opts: &FulltextOptions,
    calls: &HashMap<&str, usize>,
    rows: &[ToolCallRow],
) -> (Option<Role>, Option<String>, Option<String>) {
    let cap = |t: &str| Some(cap_text(t, opts.max_text_bytes).into_owned());
    match &e.kind {
        EventKind::UserPrompt { text, .. } => (Some(Role::User), cap(text), None),
        EventKind::AssistantText { text } => (Some(Role::Assistant), cap(text), None),
        EventKind::Reasoning { text, .. } => (Some(Role::Reasoning), cap(text), None),
        EventKind::ToolCall { name, input, .. } => {
            let mut t = String::with_capacity(name.len() + 64);
            t.push_str(name);
            flatten_json(input, &mut t, opts.max_text_bytes);
            (Some(Role::ToolCall), cap(&t), Some(name.clone()))
        }
        EventKind::ToolResult {
            call_id, output, ..
        } => {
            let tool = calls.get(call_id.as_str()).map(|&i| rows[i].name.clone());
            (
                Some(Role::ToolResult),
                Some(cap_text(output, opts.max_tool_output_bytes).into_owned()),
                tool,
            )
        }
        EventKind::PlanUpdate { explanation, steps } => {
            let mut t = explanation.clone().unwrap_or_default();
            for s in steps {
                if !t.is_empty() {
                    t.push('\n');
                }
                t.push_str(&s.text);
            }
            (Some(Role::Plan), cap(&t), None)
        }
        EventKind::Compaction {
            summary: Some(s), ..
        } => (Some(Role::Summary), cap(s), None),
        EventKind::Context { text, .. } => (None, cap(text), None),
        EventKind::Compaction { summary: None, .. }
        | EventKind::ModelCall {}
        | EventKind::Opaque { .. } => (None, None, None),
    }
}

/// Keys whose string value names a file.
const FILE_KEYS: [&str; 9] = [
    "file_path",
    "filePath",
    "path",
    "notebook_path",
    "target_file",
    "absolute_path",
    "file",
    "filename",
    "paths",
];

fn action_for(tool: &str) -> Option<&'static str> {
    let t = tool
        .rsplit("__")
        .next()
        .unwrap_or(tool)
        .to_ascii_lowercase();
    let t = t.as_str();
    if matches!(
        t,
        "grep"
            | "glob"
            | "ls"
            | "list_directory"
            | "list_dir"
            | "search"
            | "find"
            | "codebase_search"
            | "search_file_content"
            | "file_search"
            | "grep_search"
    ) {
        return None;
    }
    Some(if t.contains("read") || t == "view" || t == "cat" {
        "read"
    } else if t.contains("write") || t.contains("create") {
        "write"
    } else if t.contains("edit") || t.contains("replace") || t.contains("patch") {
        "edit"
    } else if t.contains("delete") || t.contains("remove") {
        "delete"
    } else {
        "other"
    })
}

/// Files named in a tool call's input: path-like keys and patch headers (best effort).
fn files_touched(seq: usize, ts: Option<i64>, tool: &str, input: &Value, out: &mut Vec<FileRow>) {
    let mut found: Vec<(String, &'static str)> = Vec::new();
    let default_action = action_for(tool);
    walk(input, None, 0, &mut |key, v| {
        if let Value::String(s) = v {
            if s.contains("*** Begin Patch")
                || s.contains("\n+++ ")
                || s.starts_with("+++ ")
                || s.starts_with("--- ")
            {
                patch_files(s, &mut found);
            } else if let (Some(k), Some(action)) = (key, default_action)
                && FILE_KEYS.contains(&k)
                && looks_like_path(s)
            {
                found.push((s.clone(), action));
            }
        }
    });
    for (path, action) in found {
        let row = FileRow {
            seq,
            ts,
            path,
            action,
            tool: tool.to_string(),
        };
        if !out
            .iter()
            .any(|r| r.seq == seq && r.path == row.path && r.action == row.action)
        {
            out.push(row);
        }
    }
}

fn walk<'v>(
    v: &'v Value,
    key: Option<&'v str>,
    depth: usize,
    f: &mut dyn FnMut(Option<&'v str>, &'v Value),
) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                walk(x, Some(k.as_str()), depth + 1, f);
            }
        }
        // array items inherit their key: `"paths": ["a", "b"]`
        Value::Array(a) => {
            for y in a {
                walk(y, key, depth + 1, f);
            }
        }
        other => f(key, other),
    }
}

fn looks_like_path(s: &str) -> bool {
    !s.is_empty() && s.len() < 4096 && !s.contains('\n') && !s.contains('*') && s != "." && s != "/"
}

/// File names from an `apply_patch` envelope or a unified diff.
fn patch_files(patch: &str, out: &mut Vec<(String, &'static str)>) {
    for line in patch.lines() {
        let line = line.trim_end();
        let hit = if let Some(p) = line.strip_prefix("*** Update File: ") {
            Some((p, "edit"))
        } else if let Some(p) = line.strip_prefix("*** Add File: ") {
            Some((p, "write"))
        } else if let Some(p) = line.strip_prefix("*** Delete File: ") {
            Some((p, "delete"))
        } else if let Some(p) = line.strip_prefix("*** Move to: ") {
            Some((p, "write"))
        } else if let Some(p) = line.strip_prefix("+++ ") {
            let p = p.split('\t').next().unwrap_or(p);
            (p != "/dev/null").then(|| (p.strip_prefix("b/").unwrap_or(p), "edit"))
        } else {
            None
        };
        if let Some((p, action)) = hit {
            let p = p.trim();
            if looks_like_path(p) && !out.iter().any(|(q, a)| q == p && *a == action) {
                out.push((p.to_string(), action));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use convx_model::{Agent, CallUsage, PlanStep};
    use serde_json::json;

    fn call(name: &str, input: Value) -> Event {
        Event::new(EventKind::ToolCall {
            call_id: format!("c-{name}"),
            name: name.into(),
            input,
            subagent: None,
        })
    }

    #[test]
    fn files_from_inputs_and_patches() {
        let mut s = Session::new(Agent::Codex, "f");
        s.push(call("Read", json!({"file_path": "/r/src/a.rs"})));
        s.push(call(
            "Edit",
            json!({"file_path": "/r/src/b.rs", "old_string": "x", "new_string": "y"}),
        ));
        s.push(call("Grep", json!({"pattern": "x", "path": "/r"})));
        s.push(call(
            "apply_patch",
            json!("*** Begin Patch\n*** Update File: src/c.rs\n@@\n-a\n+b\n*** Add File: src/d.rs\n+x\n*** Delete File: old.rs\n*** End Patch"),
        ));
        s.push(call(
            "shell",
            json!({"command": ["git", "apply"], "stdin": "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n"}),
        ));
        s.push(call("read_many_files", json!({"paths": ["a.md", "b.md"]})));
        let x = extract(&s, &FulltextOptions::default());
        let got: Vec<(&str, &str)> = x
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.action))
            .collect();
        assert_eq!(
            got,
            [
                ("/r/src/a.rs", "read"),
                ("/r/src/b.rs", "edit"),
                ("src/c.rs", "edit"),
                ("src/d.rs", "write"),
                ("old.rs", "delete"),
                ("x.py", "edit"),
                ("a.md", "read"),
                ("b.md", "read"),
            ]
        );
    }

    #[test]
    fn roles_text_and_tool_names() {
        let mut s = Session::new(Agent::Claude, "r");
        s.push(Event::new(EventKind::UserPrompt {
            text: "hello".into(),
            attachments: vec![],
        }));
        s.push(call(
            "Bash",
            json!({"command": "cargo test", "description": "run tests"}),
        ));
        s.push(Event::new(EventKind::ToolResult {
            call_id: "c-Bash".into(),
            output: "x".repeat(100),
            is_error: true,
        }));
        s.push(Event::new(EventKind::Context {
            source: "agents_md".into(),
            text: "rules".into(),
        }));
        s.push(Event::new(EventKind::PlanUpdate {
            explanation: Some("why".into()),
            steps: vec![PlanStep {
                text: "step one".into(),
                status: PlanStepStatus::Completed,
            }],
        }));
        let mut reply = Event::new(EventKind::AssistantText { text: "ok".into() });
        reply.usage = Some(CallUsage::new(
            Some(String::new()),
            Usage {
                output: 1,
                ..Usage::default()
            },
            "",
        ));
        s.push(reply);
        let opts = FulltextOptions {
            max_tool_output_bytes: 10,
            ..FulltextOptions::default()
        };
        let x = extract(&s, &opts);
        assert_eq!(
            x.events[1].text.as_deref(),
            Some("Bash\ncargo test\nrun tests")
        );
        assert_eq!(x.events[1].tool.as_deref(), Some("Bash"));
        assert_eq!(x.events[2].role, Some(Role::ToolResult));
        assert_eq!(x.events[2].tool.as_deref(), Some("Bash"));
        assert_eq!(x.events[2].text.as_ref().unwrap().len(), 10);
        assert!(!x.events[3].searchable());
        assert_eq!(x.events[4].text.as_deref(), Some("why\nstep one"));
        assert_eq!((x.plans[0].completed, x.plans[0].total), (1, 1));
        assert_eq!(x.tool_calls[0].result_seq, Some(2));
        assert_eq!(x.tool_calls[0].is_error, Some(true));
        assert_eq!(x.usage[0].dedup_key, "claude:r#5");
        assert_eq!(x.usage[0].model, None);
    }
}
