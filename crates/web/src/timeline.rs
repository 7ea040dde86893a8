//! The session view model: one session turned into plain, pre-formatted data that the
//! `session.html` template lays out. Shared by the server and the static export.
//!
//! Decisions (the same as the archive's Markdown): tool calls carry their result and are
//! collapsed; reasoning, injected context and unknown records are collapsed; long texts are
//! cut with a note (the full text stays one click away in the console, and in the archive's
//! JSON); prompts, replies and reasoning are Markdown with raw HTML disabled; tool
//! arguments and outputs are preformatted text.

use crate::format::{clock, compact, cut, thousands};
use crate::markdown;
use convx_model::{CallUsage, Event, EventKind, PlanStepStatus, Session};
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::HashMap;

/// How links to sessions and events are written.
#[derive(Debug, Clone)]
pub enum Links {
    /// The console: `/session/<key>`, full events at `/session/<key>/event/<idx>`.
    Server,
    /// A static export: sessions in the map link to their file; others are not links.
    Export(HashMap<String, String>),
}

impl Links {
    /// The href of a session page, when it can be linked.
    pub fn session(&self, key: &str) -> Option<String> {
        match self {
            Links::Server => Some(format!("/session/{}", crate::routes::encode_key(key))),
            Links::Export(files) => files.get(key).cloned(),
        }
    }

    /// The href of one event's untruncated view (console only).
    pub fn event(&self, key: &str, idx: usize) -> Option<String> {
        match self {
            Links::Server => Some(format!(
                "/session/{}/event/{idx}",
                crate::routes::encode_key(key)
            )),
            Links::Export(_) => None,
        }
    }
}

/// Size limits for text shown inline, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Prompts, replies, reasoning, context.
    pub text: usize,
    /// Each tool argument and each tool output.
    pub output: usize,
}

impl Limits {
    /// The console's limits: the rest is one click away.
    pub const SERVER: Limits = Limits {
        text: 20_000,
        output: 2_500,
    };
    /// Export limits: larger, since nothing is one click away.
    pub const EXPORT: Limits = Limits {
        text: 100_000,
        output: 20_000,
    };
    /// No limit (the single-event page).
    pub const NONE: Limits = Limits {
        text: usize::MAX,
        output: usize::MAX,
    };
}

/// A link to another session.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    /// Where it points; `None` when not linkable (not exported).
    pub href: Option<String>,
    /// The session key.
    pub key: String,
    /// Title, when known.
    pub title: Option<String>,
}

/// A note that text was cut.
#[derive(Debug, Clone, Serialize)]
pub struct More {
    /// Bytes not shown.
    pub hidden: String,
    /// Link to the full text, when there is one.
    pub href: Option<String>,
}

/// Token usage of one model call.
#[derive(Debug, Clone, Serialize)]
pub struct UsageBadge {
    /// Total, compact (`12.3k`).
    pub total: String,
    /// The breakdown for the tooltip.
    pub detail: String,
    /// The model.
    pub model: Option<String>,
    /// Already counted in another session.
    pub duplicate: bool,
}

/// One argument of a tool call.
#[derive(Debug, Clone, Serialize)]
pub struct ArgView {
    /// Argument name (empty for a non-object input).
    pub name: String,
    /// The value: strings verbatim, anything else as pretty JSON.
    pub value: String,
    /// Cut note.
    pub more: Option<More>,
}

/// The result of a tool call.
#[derive(Debug, Clone, Serialize)]
pub struct ResultView {
    /// Event index of the result (its anchor).
    pub idx: usize,
    /// Output text.
    pub output: String,
    /// The tool failed.
    pub error: bool,
    /// Cut note.
    pub more: Option<More>,
    /// Time of the result.
    pub time: String,
}

/// A tool call with its result.
#[derive(Debug, Clone, Serialize)]
pub struct ToolView {
    /// Tool name.
    pub name: String,
    /// One-line summary of the arguments (command, path, pattern...).
    pub summary: String,
    /// The arguments.
    pub args: Vec<ArgView>,
    /// The result, when seen.
    pub result: Option<ResultView>,
    /// The sub-agent session it spawned.
    pub subagent: Option<LinkView>,
}

/// One plan step.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    /// Text.
    pub text: String,
    /// `pending`, `in_progress`, `completed`, `cancelled` or the agent's own word.
    pub status: String,
    /// Checked.
    pub done: bool,
}

/// One timeline entry.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Event index (anchor `e<idx>`).
    pub idx: usize,
    /// `prompt`, `assistant`, `reasoning`, `tool`, `result`, `context`, `plan`,
    /// `compaction`, `model_call`, `opaque`.
    pub kind: &'static str,
    /// Header label.
    pub label: String,
    /// Clock time.
    pub time: String,
    /// Rendered Markdown (safe HTML).
    pub html: Option<String>,
    /// Preformatted text (escaped by the template).
    pub text: Option<String>,
    /// Cut note for `html`/`text`.
    pub more: Option<More>,
    /// Tool call details.
    pub tool: Option<ToolView>,
    /// Plan steps.
    pub steps: Vec<StepView>,
    /// Tokens of this model call.
    pub usage: Option<UsageBadge>,
    /// Turn number (user prompts).
    pub turn: Option<u64>,
    /// Tokens used by the turn this prompt starts.
    pub turn_tokens: Option<String>,
    /// Copied from a parent session.
    pub inherited: bool,
    /// Not on the final conversation path.
    pub abandoned: bool,
    /// A failed tool call / result.
    pub error: bool,
    /// Attachments (user prompts), described.
    pub attachments: Vec<String>,
}

/// The timeline of `s`.
pub fn items(s: &Session, links: &Links, limits: Limits, tz: &TimeZone) -> Vec<Item> {
    // Pair each call with the first later result carrying its id.
    let mut calls: HashMap<&str, usize> = HashMap::new();
    let mut result_of: HashMap<usize, usize> = HashMap::new();
    let mut paired = vec![false; s.events.len()];
    for (i, e) in s.events.iter().enumerate() {
        match &e.kind {
            EventKind::ToolCall { call_id, .. } => {
                calls.insert(call_id.as_str(), i);
            }
            EventKind::ToolResult { call_id, .. } => {
                if let Some(c) = calls.remove(call_id.as_str()) {
                    result_of.insert(c, i);
                    paired[i] = true;
                }
            }
            _ => {}
        }
    }
    let turns = turn_tokens(s);
    let mut turn = 0;
    let mut out = Vec::with_capacity(s.events.len());
    for (i, e) in s.events.iter().enumerate() {
        if paired[i] {
            continue;
        }
        let mut it = base_item(i, e, tz);
        match &e.kind {
            EventKind::UserPrompt { text, attachments } => {
                turn += 1;
                it.kind = "prompt";
                it.label = "User".into();
                it.turn = Some(turn);
                it.turn_tokens = turns.get(&i).map(|t| compact(*t));
                set_markdown(&mut it, text, limits, links.event(&s.key, i));
                it.attachments = attachments
                    .iter()
                    .map(|a| {
                        let mut d = a.kind.clone();
                        if let Some(n) = &a.name {
                            d.push_str(&format!(" {n}"));
                        }
                        if let Some(m) = &a.media_type {
                            d.push_str(&format!(" ({m})"));
                        }
                        if let Some(b) = a.size_bytes {
                            d.push_str(&format!(", {} bytes", thousands(b)));
                        }
                        d
                    })
                    .collect();
            }
            EventKind::AssistantText { text } => {
                it.kind = "assistant";
                it.label = "Assistant".into();
                set_markdown(&mut it, text, limits, links.event(&s.key, i));
            }
            EventKind::Reasoning { text, encrypted } => {
                it.kind = "reasoning";
                if text.is_empty() && *encrypted {
                    it.label = "Reasoning (encrypted, not recorded)".into();
                } else {
                    it.label = "Reasoning".into();
                    set_markdown(&mut it, text, limits, links.event(&s.key, i));
                }
            }
            EventKind::ToolCall {
                name,
                input,
                subagent,
                ..
            } => {
                it.kind = "tool";
                it.label = name.clone();
                let result = result_of.get(&i).map(|&r| {
                    let re = &s.events[r];
                    let (output, error) = match &re.kind {
                        EventKind::ToolResult {
                            output, is_error, ..
                        } => (output.as_str(), *is_error),
                        _ => ("", false),
                    };
                    let (shown, more) = clip(output, limits.output, links.event(&s.key, r));
                    ResultView {
                        idx: r,
                        output: shown,
                        error,
                        more,
                        time: clock(re.timestamp, tz),
                    }
                });
                it.error = result.as_ref().is_some_and(|r| r.error);
                it.tool = Some(ToolView {
                    name: name.clone(),
                    summary: summary(input),
                    args: args(input, limits, links.event(&s.key, i)),
                    result,
                    subagent: subagent.as_deref().map(|k| LinkView {
                        href: links.session(k),
                        key: k.to_string(),
                        title: None,
                    }),
                });
            }
            EventKind::ToolResult {
                output,
                is_error,
                call_id,
            } => {
                it.kind = "result";
                it.label = format!("Tool result ({call_id})");
                it.error = *is_error;
                let (shown, more) = clip(output, limits.output, links.event(&s.key, i));
                it.text = Some(shown);
                it.more = more;
            }
            EventKind::Context { source, text } => {
                it.kind = "context";
                it.label = format!("Context · {source}");
                let (shown, more) = clip(text, limits.text, links.event(&s.key, i));
                it.text = Some(shown);
                it.more = more;
            }
            EventKind::PlanUpdate { explanation, steps } => {
                it.kind = "plan";
                it.label = "Plan".into();
                if let Some(x) = explanation {
                    set_markdown(&mut it, x, limits, links.event(&s.key, i));
                }
                it.steps = steps
                    .iter()
                    .map(|st| StepView {
                        text: st.text.clone(),
                        status: status_name(&st.status),
                        done: st.status == PlanStepStatus::Completed,
                    })
                    .collect();
            }
            EventKind::Compaction { summary, trigger } => {
                it.kind = "compaction";
                it.label = match trigger {
                    Some(t) => format!("Compaction ({t})"),
                    None => "Compaction".into(),
                };
                if let Some(x) = summary {
                    set_markdown(&mut it, x, limits, links.event(&s.key, i));
                }
            }
            EventKind::ModelCall {} => {
                it.kind = "model_call";
                it.label = "Model call".into();
            }
            EventKind::Opaque { record_type, raw } => {
                it.kind = "opaque";
                it.label = format!("Record · {record_type}");
                let pretty = serde_json::to_string_pretty(raw).unwrap_or_default();
                let (shown, more) = clip(&pretty, limits.output, links.event(&s.key, i));
                it.text = Some(shown);
                it.more = more;
            }
        }
        out.push(it);
    }
    out
}

fn base_item(i: usize, e: &Event, tz: &TimeZone) -> Item {
    Item {
        idx: i,
        kind: "",
        label: String::new(),
        time: clock(e.timestamp, tz),
        html: None,
        text: None,
        more: None,
        tool: None,
        steps: Vec::new(),
        usage: e.usage.as_ref().map(badge),
        turn: None,
        turn_tokens: None,
        inherited: e.inherited,
        abandoned: e.abandoned,
        error: false,
        attachments: Vec::new(),
    }
}

fn badge(u: &CallUsage) -> UsageBadge {
    let t = &u.tokens;
    let mut detail = format!(
        "input {} · cache write {} · cache read {} · output {}",
        thousands(t.input),
        thousands(t.cache_creation),
        thousands(t.cache_read),
        thousands(t.output)
    );
    if t.reasoning > 0 {
        detail.push_str(&format!(" (reasoning {})", thousands(t.reasoning)));
    }
    if u.duplicate {
        detail.push_str(" · already counted in another session");
    }
    UsageBadge {
        total: compact(t.total()),
        detail,
        model: u.model.clone(),
        duplicate: u.duplicate,
    }
}

/// Tokens counted from each user prompt up to the next one, keyed by the prompt's index.
fn turn_tokens(s: &Session) -> HashMap<usize, u64> {
    let mut out = HashMap::new();
    let mut current: Option<usize> = None;
    for (i, e) in s.events.iter().enumerate() {
        if matches!(e.kind, EventKind::UserPrompt { .. }) && !e.inherited {
            current = Some(i);
            out.insert(i, 0);
        }
        if let (Some(p), Some(u)) = (current, &e.usage)
            && !u.duplicate
            && !e.inherited
        {
            *out.entry(p).or_default() += u.tokens.total();
        }
    }
    out
}

fn set_markdown(it: &mut Item, text: &str, limits: Limits, full: Option<String>) {
    let (shown, cut_) = cut(text, limits.text);
    it.html = Some(markdown::to_html(shown));
    if cut_ {
        it.more = Some(More {
            hidden: thousands((text.len() - shown.len()) as u64),
            href: full,
        });
    }
}

fn clip(text: &str, max: usize, full: Option<String>) -> (String, Option<More>) {
    let (shown, was_cut) = cut(text, max);
    let more = was_cut.then(|| More {
        hidden: thousands((text.len() - shown.len()) as u64),
        href: full,
    });
    (shown.to_string(), more)
}

fn status_name(s: &PlanStepStatus) -> String {
    match s {
        PlanStepStatus::Pending => "pending".into(),
        PlanStepStatus::InProgress => "in_progress".into(),
        PlanStepStatus::Completed => "completed".into(),
        PlanStepStatus::Cancelled => "cancelled".into(),
        PlanStepStatus::Other(o) => o.clone(),
    }
}

/// The argument that best says what a call does, on one line.
fn summary(input: &serde_json::Value) -> String {
    use serde_json::Value;
    const KEYS: [&str; 10] = [
        "command",
        "cmd",
        "file_path",
        "path",
        "pattern",
        "query",
        "url",
        "description",
        "prompt",
        "filePath",
    ];
    let line = match input {
        Value::String(s) => patch_files(s).unwrap_or_else(|| s.clone()),
        Value::Object(m) => KEYS
            .iter()
            .find_map(|k| match m.get(*k) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Array(a)) if a.iter().all(Value::is_string) => Some(
                    a.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                _ => None,
            })
            // Otherwise: the files a patch touches, or the first text argument.
            .or_else(|| m.values().filter_map(Value::as_str).find_map(patch_files))
            .or_else(|| m.values().find_map(|v| v.as_str().map(str::to_string)))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let first = line
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    convx_model::truncate_chars(first, 160)
}

/// `Update src/a.rs, Add src/b.rs` for a Codex-style patch.
fn patch_files(s: &str) -> Option<String> {
    if !s.trim_start().starts_with("*** Begin Patch") {
        return None;
    }
    let files: Vec<String> = s
        .lines()
        .filter_map(|l| {
            let l = l.strip_prefix("*** ")?;
            let (verb, path) = l.split_once(" File: ")?;
            Some(format!("{verb} {}", path.trim()))
        })
        .collect();
    (!files.is_empty()).then(|| files.join(", "))
}

fn args(input: &serde_json::Value, limits: Limits, full: Option<String>) -> Vec<ArgView> {
    use serde_json::Value;
    let show = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    let one = |name: String, v: &Value| {
        let text = show(v);
        let (value, more) = clip(&text, limits.output, full.clone());
        ArgView { name, value, more }
    };
    match input {
        Value::Object(m) => m.iter().map(|(k, v)| one(k.clone(), v)).collect(),
        Value::Null => Vec::new(),
        other => vec![one(String::new(), other)],
    }
}

/// Event `idx` alone, untruncated, with its tool-call partner (the call of a result, the
/// result of a call). Item indices are those of `s.events`.
pub fn event_items(s: &Session, idx: usize, tz: &TimeZone) -> Vec<Item> {
    let mut keep = vec![idx];
    match &s.events[idx].kind {
        EventKind::ToolCall { call_id, .. } => {
            if let Some(r) = s
                .events
                .iter()
                .enumerate()
                .skip(idx + 1)
                .find_map(|(i, e)| {
                    matches!(&e.kind, EventKind::ToolResult { call_id: c, .. } if c == call_id)
                        .then_some(i)
                })
            {
                keep.push(r);
            }
        }
        EventKind::ToolResult { call_id, .. } => {
            if let Some(c) = s.events[..idx].iter().rposition(
                |e| matches!(&e.kind, EventKind::ToolCall { call_id: c, .. } if c == call_id),
            ) {
                keep.insert(0, c);
            }
        }
        _ => {}
    }
    let mut sub = Session::new(s.agent, s.id.clone());
    sub.key = s.key.clone();
    sub.events = keep.iter().map(|&i| s.events[i].clone()).collect();
    let mut out = items(&sub, &Links::Server, Limits::NONE, tz);
    for it in &mut out {
        it.idx = keep[it.idx];
        if let Some(r) = it.tool.as_mut().and_then(|t| t.result.as_mut()) {
            r.idx = keep[r.idx];
        }
    }
    out
}
