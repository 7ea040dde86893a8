//! The Markdown rendering of a session: readable on GitHub and in an editor.
//!
//! Shape: YAML front matter ([`front`]), a title, a one-line summary, links to the parent
//! and the sub-agents, then one `## Turn N` section per user prompt with `### User` and
//! `### Assistant` headers and UTC timestamps. Tool calls are collapsed `<details>` blocks
//! holding their input and output in code blocks (long ones cut, with a note: the full
//! text is in the JSON). Reasoning and injected context are left out unless asked for.
//! Rendering is a pure function of the session and its [`RenderContext`], so re-rendering
//! an unchanged session gives the same bytes (no churn) and `verify` can check a file
//! against its JSON.

pub mod escape;
pub mod front;

use convx_model::{Event, EventKind, PlanStepStatus, Session, SessionKind, Timestamp};
use escape::{code_span, fenced, html_text, inline, prose, truncate};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// Bump when the rendered output changes, so archives are re-rendered once.
pub const RENDERER_VERSION: u32 = 1;
/// Longest tool input or output shown, in characters.
pub const MAX_TOOL_CHARS: usize = 8_000;
/// Longest tool input or output shown, in lines.
pub const MAX_TOOL_LINES: usize = 200;
/// Longest prompt, reply or reasoning shown, in characters.
pub const MAX_PROSE_CHARS: usize = 40_000;

/// What to include.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct RenderOptions {
    /// Include reasoning (collapsed).
    pub reasoning: bool,
    /// Include injected context (AGENTS.md, environment blocks, reminders...), collapsed.
    pub context: bool,
}

/// A link to a related session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The related session's key.
    pub key: String,
    /// Relative, percent-encoded path from this file to the related `.md`, when archived.
    pub file: Option<String>,
}

/// Everything besides the session that the output depends on (all of it is recorded in
/// the front matter).
#[derive(Debug, Clone)]
pub struct RenderContext {
    /// What to include.
    pub options: RenderOptions,
    /// The cwd as shown (relative to home).
    pub cwd: Option<String>,
    /// The parent session.
    pub parent: Option<Link>,
    /// Child sessions, in the order of `session.children`.
    pub children: Vec<Link>,
    /// This file's stem (the JSON is `.<stem>.json`).
    pub stem: String,
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn link_text(link: &Link) -> String {
    link.file
        .as_deref()
        .map(|f| {
            f.rsplit('/')
                .next()
                .unwrap_or(f)
                .trim_end_matches(".md")
                .to_string()
        })
        .unwrap_or_else(|| link.key.clone())
}

fn link_md(link: &Link) -> String {
    match &link.file {
        Some(f) => format!(
            "[{}]({f}) · {}",
            inline(&link_text(link)),
            code_span(&link.key)
        ),
        None => code_span(&link.key),
    }
}

/// Render `session` to Markdown.
pub fn render(session: &Session, ctx: &RenderContext) -> String {
    let mut r = Renderer::new(session, ctx, None);
    r.document();
    r.out
}

/// Render `session` to Markdown into `w`, a piece at a time (the same bytes as [`render`],
/// without holding the whole text of a huge session in memory).
pub fn render_to(
    session: &Session,
    ctx: &RenderContext,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut r = Renderer::new(session, ctx, Some(w));
    r.document();
    if let Some(e) = r.error.take() {
        return Err(e);
    }
    let out = std::mem::take(&mut r.out);
    match r.sink.as_mut() {
        Some(sink) => sink.write_all(out.as_bytes()),
        None => Ok(()),
    }
}

/// Rendered text is handed to the sink in pieces of about this size.
const FLUSH_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    None,
    User,
    Assistant { abandoned: bool },
}

struct Renderer<'a> {
    out: String,
    sink: Option<&'a mut dyn std::io::Write>,
    error: Option<std::io::Error>,
    ctx: &'a RenderContext,
    session: &'a Session,
    role: Role,
    day: Option<String>,
    turn: u64,
    preamble: bool,
}

impl<'a> Renderer<'a> {
    fn new(
        session: &'a Session,
        ctx: &'a RenderContext,
        sink: Option<&'a mut dyn std::io::Write>,
    ) -> Self {
        Renderer {
            out: String::with_capacity(4096),
            sink,
            error: None,
            ctx,
            session,
            role: Role::None,
            day: None,
            turn: 0,
            preamble: false,
        }
    }

    /// Hand what is rendered so far to the sink, keeping trailing newlines (the document's
    /// end is trimmed).
    fn maybe_flush(&mut self) {
        if self.out.len() < FLUSH_BYTES || self.error.is_some() {
            return;
        }
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        let keep = self.out.len() - self.out.trim_end_matches('\n').len();
        let cut = self.out.len() - keep;
        if let Err(e) = sink.write_all(&self.out.as_bytes()[..cut]) {
            self.error = Some(e);
        }
        self.out.drain(..cut);
    }

    fn document(&mut self) {
        let s = self.session;
        front::write(&mut self.out, s, self.ctx);
        let _ = write!(self.out, "\n# {}\n\n", inline(&s.display_title()));
        self.meta_lines();
        self.relations();
        let inherited = s.events.iter().filter(|e| e.inherited).count() as u64;
        if inherited > 0 {
            let _ = write!(
                self.out,
                "*{} copied from the parent session {} not repeated here (they are in the JSON).*\n\n",
                plural(inherited, "event", "events"),
                if inherited == 1 { "is" } else { "are" }
            );
        }
        self.events();
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
    }

    fn meta_lines(&mut self) {
        let s = self.session;
        let mut first = vec![format!("**{}**", s.agent.display_name())];
        if let Some(t) = s.started_at {
            first.push(format!("{} UTC", t.strftime("%Y-%m-%d %H:%M")));
        }
        if let Some(d) = front::duration_secs(s) {
            first.push(front::duration(d));
        }
        if let Some(c) = &self.ctx.cwd {
            first.push(code_span(c));
        }
        if let Some(b) = &s.git.branch {
            first.push(format!("branch {}", code_span(b)));
        }
        let c = &s.summary.counts;
        let mut second = vec![
            plural(c.user_prompts, "prompt", "prompts"),
            plural(c.tool_calls, "tool call", "tool calls"),
            plural(s.summary.usage.total(), "token", "tokens"),
        ];
        if !s.models.is_empty() {
            second.push(
                s.models
                    .iter()
                    .map(|m| inline(m))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        let _ = write!(
            self.out,
            "{}  \n{}\n\n",
            first.join(" · "),
            second.join(" · ")
        );
    }

    fn relations(&mut self) {
        if let Some(p) = &self.ctx.parent {
            let what = match self.session.kind {
                SessionKind::Fork => "Fork of",
                SessionKind::Subagent => "Sub-agent of",
                _ => "Child of",
            };
            let _ = write!(self.out, "{what} {}\n\n", link_md(p));
        }
        if !self.ctx.children.is_empty() {
            self.out.push_str("**Sub-agents and forks**\n\n");
            for c in &self.ctx.children {
                let _ = writeln!(self.out, "- {}", link_md(c));
            }
            self.out.push('\n');
        }
    }

    fn stamp(&mut self, t: Option<Timestamp>, with_date: bool) -> String {
        let Some(t) = t else { return String::new() };
        let day = t.strftime("%Y-%m-%d").to_string();
        let same_day = self.day.as_deref() == Some(day.as_str());
        self.day = Some(day);
        if with_date || !same_day {
            format!(" · {} UTC", t.strftime("%Y-%m-%d %H:%M:%S"))
        } else {
            format!(" · {}", t.strftime("%H:%M:%S"))
        }
    }

    fn events(&mut self) {
        let events = &self.session.events;
        let mut results: HashMap<&str, usize> = HashMap::new();
        for (i, e) in events.iter().enumerate() {
            if let EventKind::ToolResult { call_id, .. } = &e.kind
                && !e.inherited
            {
                results.entry(call_id.as_str()).or_insert(i);
            }
        }
        let mut used: HashSet<usize> = HashSet::new();
        for (i, e) in events.iter().enumerate() {
            if e.inherited {
                continue;
            }
            self.maybe_flush();
            match &e.kind {
                EventKind::UserPrompt { text, attachments } => {
                    self.turn += 1;
                    let when = self.stamp(e.timestamp, true);
                    let flag = if e.abandoned {
                        " · abandoned branch"
                    } else {
                        ""
                    };
                    let _ = write!(
                        self.out,
                        "## Turn {}{when}{flag}\n\n### User\n\n",
                        self.turn
                    );
                    self.prose(text);
                    for a in attachments {
                        let mut parts = vec![inline(&a.kind)];
                        parts.extend(a.media_type.as_deref().map(inline));
                        parts.extend(a.size_bytes.map(human_bytes));
                        parts.extend(a.name.as_deref().map(code_span));
                        let _ = writeln!(self.out, "- Attachment: {}", parts.join(" · "));
                    }
                    if !attachments.is_empty() {
                        self.out.push('\n');
                    }
                    self.role = Role::User;
                }
                EventKind::AssistantText { text } => {
                    self.assistant(e);
                    self.prose(text);
                }
                EventKind::Reasoning { text, encrypted } => {
                    if !self.ctx.options.reasoning || (text.trim().is_empty() && !encrypted) {
                        continue;
                    }
                    self.assistant(e);
                    if text.trim().is_empty() {
                        self.out
                            .push_str("*Reasoning: encrypted, not recorded.*\n\n");
                    } else {
                        self.out
                            .push_str("<details>\n<summary>Reasoning</summary>\n\n");
                        self.prose(text);
                        self.out.push_str("</details>\n\n");
                    }
                }
                EventKind::ToolCall {
                    call_id,
                    name,
                    input,
                    subagent,
                } => {
                    self.assistant(e);
                    let result = results.get(call_id.as_str()).copied();
                    if let Some(r) = result {
                        used.insert(r);
                    }
                    self.tool_call(name, input, subagent.as_deref(), result.map(|r| &events[r]));
                }
                EventKind::ToolResult {
                    call_id,
                    output,
                    is_error,
                } => {
                    if used.contains(&i) {
                        continue;
                    }
                    self.assistant(e);
                    let _ = write!(
                        self.out,
                        "<details>\n<summary>Tool output for <code>{}</code></summary>\n\n",
                        html_text(call_id)
                    );
                    self.output_block(output, *is_error);
                    self.out.push_str("</details>\n\n");
                }
                EventKind::Context { source, text } => {
                    if !self.ctx.options.context {
                        continue;
                    }
                    let _ = write!(
                        self.out,
                        "<details>\n<summary>Context · {}</summary>\n\n",
                        html_text(source)
                    );
                    self.tool_text(text, "text");
                    self.out.push_str("</details>\n\n");
                }
                EventKind::PlanUpdate { explanation, steps } => {
                    self.assistant(e);
                    self.out.push_str("**Plan**\n\n");
                    if let Some(x) = explanation.as_deref().filter(|x| !x.trim().is_empty()) {
                        self.prose(x);
                    }
                    for step in steps {
                        let text = inline(&step.text);
                        let line = match &step.status {
                            PlanStepStatus::Completed => format!("- [x] {text}"),
                            PlanStepStatus::InProgress => format!("- [ ] {text} *(in progress)*"),
                            PlanStepStatus::Cancelled => format!("- [ ] ~~{text}~~ *(cancelled)*"),
                            PlanStepStatus::Pending => format!("- [ ] {text}"),
                            PlanStepStatus::Other(o) => format!("- [ ] {text} *({})*", inline(o)),
                        };
                        self.out.push_str(&line);
                        self.out.push('\n');
                    }
                    self.out.push('\n');
                }
                EventKind::Compaction { summary, trigger } => {
                    let when = self.stamp(e.timestamp, false);
                    let how = trigger
                        .as_deref()
                        .map(|t| format!(" ({})", inline(t)))
                        .unwrap_or_default();
                    let _ = write!(self.out, "> **Conversation compacted**{how}{when}\n\n");
                    if let Some(sum) = summary.as_deref().filter(|x| !x.trim().is_empty()) {
                        self.out
                            .push_str("<details>\n<summary>Compaction summary</summary>\n\n");
                        self.prose(sum);
                        self.out.push_str("</details>\n\n");
                    }
                    self.role = Role::None;
                }
                EventKind::ModelCall {} | EventKind::Opaque { .. } => {}
            }
        }
    }

    fn assistant(&mut self, e: &Event) {
        let want = Role::Assistant {
            abandoned: e.abandoned,
        };
        if self.role == want {
            return;
        }
        if self.turn == 0 && !self.preamble {
            self.out.push_str("## Before the first prompt\n\n");
            self.preamble = true;
        }
        let when = self.stamp(e.timestamp, false);
        let flag = if e.abandoned {
            " · abandoned branch"
        } else {
            ""
        };
        let _ = write!(self.out, "### Assistant{when}{flag}\n\n");
        self.role = want;
    }

    fn prose(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let (shown, cut) = truncate(text, MAX_PROSE_CHARS, usize::MAX);
        self.out.push_str(&prose(shown));
        self.out.push_str("\n\n");
        if let Some(total) = cut {
            self.truncated_note("Text", MAX_PROSE_CHARS.min(total), total);
        }
    }

    fn truncated_note(&mut self, what: &str, shown: usize, total: usize) {
        let _ = write!(
            self.out,
            "*{what} truncated: {} of {} characters shown; the full text is in [the JSON](.{}.json).*\n\n",
            thousands(shown as u64),
            thousands(total as u64),
            self.ctx.stem
        );
    }

    fn tool_text(&mut self, text: &str, info: &str) {
        let (shown, cut) = truncate(text, MAX_TOOL_CHARS, MAX_TOOL_LINES);
        fenced(&mut self.out, info, shown);
        self.out.push('\n');
        if let Some(total) = cut {
            let what = if info == "json" { "Input" } else { "Output" };
            self.truncated_note(what, shown.chars().count(), total);
        }
    }

    fn output_block(&mut self, output: &str, is_error: bool) {
        self.out.push_str(if is_error {
            "**Output (error)**\n\n"
        } else {
            "**Output**\n\n"
        });
        if output.is_empty() {
            self.out.push_str("*(empty)*\n\n");
        } else {
            self.tool_text(output, "text");
        }
    }

    fn tool_call(
        &mut self,
        name: &str,
        input: &serde_json::Value,
        subagent: Option<&str>,
        result: Option<&Event>,
    ) {
        let preview = preview(input)
            .map(|p| format!(" · <code>{}</code>", html_text(&p)))
            .unwrap_or_default();
        let failed = matches!(
            result.map(|r| &r.kind),
            Some(EventKind::ToolResult { is_error: true, .. })
        );
        let flag = if failed { " · failed" } else { "" };
        let _ = write!(
            self.out,
            "<details>\n<summary><b>{}</b>{preview}{flag}</summary>\n\n",
            html_text(name)
        );
        if let Some(key) = subagent {
            let link = self
                .ctx
                .children
                .iter()
                .find(|c| c.key == key)
                .cloned()
                .unwrap_or_else(|| Link {
                    key: key.to_string(),
                    file: None,
                });
            let _ = write!(self.out, "Sub-agent: {}\n\n", link_md(&link));
        }
        match input {
            serde_json::Value::Null => {}
            serde_json::Value::Object(m) if m.is_empty() => {}
            serde_json::Value::String(s) => {
                self.out.push_str("**Input**\n\n");
                self.tool_text(s, "text");
            }
            v => {
                self.out.push_str("**Input**\n\n");
                let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
                self.tool_text(&pretty, "json");
            }
        }
        if let Some(Event {
            kind: EventKind::ToolResult {
                output, is_error, ..
            },
            ..
        }) = result
        {
            self.output_block(output, *is_error);
        }
        self.out.push_str("</details>\n\n");
    }
}

/// A short one-line preview of a tool input: its command, path, pattern, url or query.
fn preview(input: &serde_json::Value) -> Option<String> {
    const KEYS: [&str; 10] = [
        "command",
        "cmd",
        "file_path",
        "path",
        "pattern",
        "url",
        "query",
        "description",
        "prompt",
        "filePath",
    ];
    let text = match input {
        serde_json::Value::Object(m) => KEYS.iter().find_map(|k| match m.get(*k) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(serde_json::Value::Array(a)) if !a.is_empty() => Some(
                a.iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => None,
        })?,
        serde_json::Value::String(s) if !s.trim().is_empty() => s.clone(),
        _ => return None,
    };
    Some(convx_model::truncate_chars(&escape::one_line(&text), 80))
}

fn human_bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    }
}
