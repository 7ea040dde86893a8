//! One session being built from its entries, in file order.
//!
//! Assistant lines of one API response (same `message.id`) are buffered until the next
//! response starts (or the file ends), so that their usage, final only on the line with
//! the largest `output_tokens`, is attached once to one event of that response. Entries
//! interleaved with an open response (tool results of streamed tool calls) are buffered
//! with it to keep file order; the buffer is bounded ([`PENDING_LIMIT`]): past it, events
//! are flushed and the usage is carried by a `ModelCall` event when the response closes.

mod blocks;

use super::content::{self, scrub};
use super::context::{self, Part};
use super::facts::Facts;
use super::plan::Tasks;
use super::tree::{Graph, NONE, flag, key_of};
use super::usage;
use blocks::context;
use convx_model::{
    Agent, CallUsage, Event, EventKind, Session, Timestamp, Usage, Warning, WarningKind,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Events buffered while one API response is open, before a forced flush.
const PENDING_LIMIT: usize = 512;

/// Entry types that are part of the uuid chain (the SDK's transcript entry types).
const CHAIN_TYPES: &[&str] = &["user", "assistant", "system", "attachment", "progress"];

/// What a tool call spawned, resolved to a session key when the source is finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChildRef {
    /// A sub-agent with this `agentId`.
    Agent(String),
    /// The n-th in-file sidechain of this file.
    Sidechain(usize),
}

/// A `Task` / `Agent` tool call, for linking in-file sidechains by prompt or position.
#[derive(Debug)]
pub(crate) struct Spawn {
    call_id: String,
    prompt: String,
    description: Option<String>,
    linked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallKind {
    Other,
    Spawn,
}

/// Where an entry's events come from.
#[derive(Debug, Clone)]
struct At {
    ts: Option<Timestamp>,
    node: u32,
    inherited: bool,
    line: u64,
    uuid: Option<String>,
}

impl At {
    fn event(&self, kind: EventKind) -> Event {
        let mut e = Event::new(kind).at(self.ts);
        e.native_id.clone_from(&self.uuid);
        e.inherited = self.inherited;
        e
    }
}

/// The line of an open response with the largest `output_tokens` so far.
#[derive(Debug)]
struct Best {
    usage: Usage,
    output: u64,
    cost: Option<f64>,
    model: Option<String>,
    at: At,
    /// Pending index of the last event of that line.
    carrier: Option<usize>,
    /// Pending length when that line was read (where a `ModelCall` goes if needed).
    insert_at: usize,
}

#[derive(Debug)]
struct Open {
    id: String,
    best: Option<Best>,
    /// Pending index of the response's last event, and of its last non-opaque event.
    last_event: Option<usize>,
    last_content: Option<usize>,
    detached: bool,
}

/// A session under construction.
pub(crate) struct Stream {
    /// The session (id and key are set by [`Stream::finish`]).
    pub session: Session,
    /// Envelope and metadata facts.
    pub facts: Facts,
    graph: Graph,
    /// Tool call id -> spawned child.
    pub links: HashMap<String, ChildRef>,
    spawns: Vec<Spawn>,
    source: String,
    event_nodes: Vec<u32>,
    open: Option<Open>,
    pending: Vec<(Event, u32)>,
    closed: HashSet<String>,
    calls: HashMap<String, CallKind>,
    tasks: Tasks,
    last_ts: Option<Timestamp>,
    pushed: u64,
}

fn is_true(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn node_flags(ty: &str, v: &Value) -> u8 {
    let mut f = 0;
    // A user entry holding only tool results behaves like a side record: with parallel tool
    // calls (2.1.x) each result hangs off its own tool_use line and only the last one is
    // on the parent chain of the next response.
    let tool_results_only = ty == "user"
        && v.pointer("/message/content")
            .and_then(Value::as_array)
            .is_some_and(|b| {
                !b.is_empty()
                    && b.iter()
                        .all(|x| x.get("type").and_then(Value::as_str) == Some("tool_result"))
            });
    if (ty == "user" && !tool_results_only) || ty == "assistant" {
        f |= flag::MESSAGE;
        if !is_true(v, "isSidechain")
            && !is_true(v, "isMeta")
            && v.get("teamName").is_none_or(Value::is_null)
        {
            f |= flag::PREFERRED;
        }
    }
    let rootless = str_of(v, "parentUuid").is_none() && str_of(v, "logicalParentUuid").is_none();
    let boundary = ty == "system" && str_of(v, "subtype") == Some("compact_boundary");
    if rootless && (boundary || (ty == "user" && is_true(v, "isCompactSummary"))) {
        f |= flag::COMPACT_ROOT;
    }
    f
}

impl Stream {
    /// An empty stream whose warnings name `source`.
    pub fn new(source: &str, retain_events: bool) -> Self {
        let mut session = Session::new(Agent::Claude, "");
        session.retain_events = retain_events;
        Stream {
            session,
            facts: Facts::default(),
            graph: Graph::default(),
            links: HashMap::new(),
            spawns: Vec::new(),
            source: source.to_string(),
            event_nodes: Vec::new(),
            open: None,
            pending: Vec::new(),
            closed: HashSet::new(),
            calls: HashMap::new(),
            tasks: Tasks::default(),
            last_ts: None,
            pushed: 0,
        }
    }

    /// True when nothing was read into this stream yet (no event, open or pushed).
    pub fn is_empty(&self) -> bool {
        self.pushed == 0 && self.pending.is_empty() && self.open.is_none()
    }

    /// Record a warning about `line`.
    pub fn warn(&mut self, line: Option<u64>, kind: WarningKind, detail: impl Into<String>) {
        self.session
            .warnings
            .push(Warning::new(self.source.clone(), line, kind, detail));
    }

    /// Read one entry (a JSON object line).
    /// `copied_from`: the entry is a copy of an entry of that session (1.0.x resume copies).
    pub fn entry(&mut self, v: Value, line: u64, copied_from: Option<&str>) {
        let ty = str_of(&v, "type").unwrap_or_default().to_string();
        let ts = v.get("timestamp").and_then(crate::time::from_value);
        let chain = CHAIN_TYPES.contains(&ty.as_str());
        let uuid = str_of(&v, "uuid").map(str::to_string);
        let mut node = NONE;
        if chain {
            self.facts.envelope(&v, ts, copied_from.is_some());
            if let Some(sid) = copied_from {
                self.facts.fork_origin(sid, uuid.as_deref());
            }
            if let Some(u) = &uuid {
                let parent = str_of(&v, "parentUuid").map(key_of);
                let logical = str_of(&v, "logicalParentUuid").map(key_of);
                match self
                    .graph
                    .add(key_of(u), parent, logical, node_flags(&ty, &v))
                {
                    Some(n) => node = n,
                    None => {
                        self.facts.duplicates += 1;
                        return;
                    }
                }
            }
        }
        let inherited = copied_from.is_some() || v.get("forkedFrom").is_some_and(Value::is_object);
        let at = At {
            ts,
            node,
            inherited,
            line,
            uuid,
        };
        match ty.as_str() {
            "user" => self.user(&v, &at),
            "assistant" => self.assistant(&v, &at),
            "system" => self.system(v, &at),
            "attachment" => {
                let sub = v
                    .pointer("/attachment/type")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
                    .to_string();
                self.opaque(format!("attachment/{sub}"), v, &at);
            }
            "progress" => self.progress(v, &at),
            "" => {
                self.warn(
                    Some(line),
                    WarningKind::UnexpectedShape,
                    "record without a type",
                );
                self.opaque("unknown".to_string(), v, &at);
            }
            _ => {
                self.facts.metadata(&ty, &v);
                self.opaque(ty, v, &at);
            }
        }
    }

    /// Keep a record raw (base64 data and encrypted blobs scrubbed).
    pub fn opaque_line(&mut self, record_type: &str, raw: Value, line: u64) {
        let at = At {
            ts: None,
            node: NONE,
            inherited: false,
            line,
            uuid: None,
        };
        self.opaque(record_type.to_string(), raw, &at);
    }

    fn opaque(&mut self, record_type: String, mut raw: Value, at: &At) {
        scrub(&mut raw);
        self.emit(at.event(EventKind::Opaque { record_type, raw }), at.node);
    }

    fn assistant(&mut self, v: &Value, at: &At) {
        let msg = v.get("message").unwrap_or(&Value::Null);
        let model = str_of(msg, "model").filter(|m| !m.is_empty());
        let api_error = is_true(v, "isApiErrorMessage");
        let id = str_of(msg, "id")
            .or_else(|| str_of(v, "requestId"))
            .filter(|i| !i.is_empty())
            .map(str::to_string)
            .or_else(|| at.uuid.as_ref().map(|u| format!("uuid:{u}")))
            .unwrap_or_else(|| format!("line:{}:{}", self.source, at.line));
        if self.open.as_ref().is_some_and(|o| o.id != id) {
            self.close_open();
        }
        if api_error || model == Some("<synthetic>") {
            // Not a model call: no usage, no model.
            let text = content::plain_text(msg.get("content"));
            let source = if api_error || text.starts_with("API Error") {
                "api_error"
            } else {
                "synthetic"
            };
            self.emit(at.event(context(source, &text)), at.node);
            return;
        }
        if !msg.is_object() {
            self.warn(
                Some(at.line),
                WarningKind::UnexpectedShape,
                "assistant entry without message",
            );
            self.opaque("assistant".to_string(), v.clone(), at);
            return;
        }
        if let Some(m) = model {
            self.session.add_model(m);
        }
        let kinds = self.assistant_blocks(msg.get("content"), at);
        let late = self.closed.contains(&id);
        if !late && self.open.is_none() {
            self.open = Some(Open {
                id,
                best: None,
                last_event: None,
                last_content: None,
                detached: false,
            });
        }
        // The usage goes on a content event (text, reasoning, tool call...) of the final line,
        // else on the response's last content event, else on its last event.
        let n = kinds.len();
        let content = kinds
            .iter()
            .rposition(|k| !matches!(k, EventKind::Opaque { .. }));
        for k in kinds {
            self.emit(at.event(k), at.node);
        }
        if late {
            return;
        }
        let pending = self.pending.len();
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let mut line_carrier = None;
        if n > 0 && !open.detached && pending >= n {
            open.last_event = Some(pending - 1);
            if let Some(c) = content {
                line_carrier = Some(pending - n + c);
                open.last_content = line_carrier;
            }
        }
        if let Some(u) = msg.get("usage").filter(|u| u.is_object()) {
            let output = usage::output_tokens(u);
            if open.best.as_ref().is_none_or(|b| output >= b.output) {
                open.best = Some(Best {
                    usage: usage::normalize(u),
                    output,
                    cost: v.get("costUSD").and_then(Value::as_f64),
                    model: model.map(str::to_string),
                    at: at.clone(),
                    carrier: line_carrier,
                    insert_at: pending,
                });
            }
        }
    }

    fn system(&mut self, v: Value, at: &At) {
        let sub = str_of(&v, "subtype")
            .filter(|s| !s.is_empty())
            .unwrap_or("unknown")
            .to_string();
        match sub.as_str() {
            "compact_boundary" => {
                let meta = v.get("compactMetadata").unwrap_or(&Value::Null);
                let trigger = str_of(meta, "trigger");
                self.facts.compaction(trigger, meta.get("preTokens"), at.ts);
                let kind = EventKind::Compaction {
                    summary: None,
                    trigger: trigger.map(str::to_string),
                };
                self.emit(at.event(kind), at.node);
            }
            "local_command" if str_of(&v, "content").is_some_and(|c| !c.trim().is_empty()) => {
                let text = str_of(&v, "content").unwrap_or("");
                let kinds: Vec<EventKind> = context::split(text)
                    .into_iter()
                    .map(|p| match p {
                        Part::Context(src, t) => context(src, t),
                        Part::Prompt(t) => context("command", t),
                    })
                    .collect();
                for k in kinds {
                    self.emit(at.event(k), at.node);
                }
            }
            _ => self.opaque(format!("system/{sub}"), v, at),
        }
    }

    fn progress(&mut self, v: Value, at: &At) {
        let ty = v
            .pointer("/data/type")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string();
        let agent = v.pointer("/data/agentId").and_then(Value::as_str);
        let call = str_of(&v, "parentToolUseID");
        if let (Some(agent), Some(call)) = (agent, call)
            && self.calls.get(call) == Some(&CallKind::Spawn)
        {
            self.links
                .entry(call.to_string())
                .or_insert_with(|| ChildRef::Agent(agent.to_string()));
        }
        self.opaque(format!("progress/{ty}"), v, at);
    }

    /// Claim the `Task`/`Agent` call an in-file sidechain answers: the first unclaimed one
    /// with the same prompt, else (when `by_position`) the first unclaimed one. Returns
    /// the call id and its description.
    pub fn claim_spawn(
        &mut self,
        prompt: &str,
        by_position: bool,
    ) -> Option<(String, Option<String>)> {
        let p = prompt.trim();
        let i = self
            .spawns
            .iter()
            .position(|s| !s.linked && !p.is_empty() && s.prompt.trim() == p)
            .or_else(|| {
                if by_position {
                    self.spawns.iter().position(|s| !s.linked)
                } else {
                    None
                }
            })?;
        let s = &mut self.spawns[i];
        s.linked = true;
        Some((s.call_id.clone(), s.description.clone()))
    }

    fn emit(&mut self, e: Event, node: u32) {
        if self.open.is_none() {
            self.push_now(e, node);
            return;
        }
        self.pending.push((e, node));
        if self.pending.len() >= PENDING_LIMIT {
            if let Some(o) = self.open.as_mut() {
                o.detached = true;
            }
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (e, node) in std::mem::take(&mut self.pending) {
            self.push_now(e, node);
        }
    }

    fn push_now(&mut self, mut e: Event, node: u32) {
        if let Some(ts) = e.timestamp {
            match self.last_ts {
                Some(last) if ts < last => {
                    e.timestamp = Some(last);
                    self.facts.clamped += 1;
                }
                _ => self.last_ts = Some(ts),
            }
        }
        self.session.push(e);
        self.pushed += 1;
        if self.session.retain_events {
            self.event_nodes.push(node);
        }
    }

    /// Close the open response: attach its usage once, then flush the buffer.
    fn close_open(&mut self) {
        let Some(open) = self.open.take() else { return };
        if let Some(best) = open.best {
            let mut cu = CallUsage::new(best.model, best.usage, open.id.clone());
            cu.recorded_cost_usd = best.cost;
            let carrier = if open.detached {
                None
            } else {
                best.carrier.or(open.last_content).or(open.last_event)
            };
            match carrier.filter(|&i| i < self.pending.len()) {
                Some(i) => self.pending[i].0.usage = Some(cu),
                None => {
                    let mut e = best.at.event(EventKind::ModelCall {});
                    e.native_id = Some(open.id.clone());
                    e.usage = Some(cu);
                    let at = best.insert_at.min(self.pending.len());
                    self.pending.insert(at, (e, best.at.node));
                }
            }
        }
        self.closed.insert(open.id);
        self.flush();
    }

    /// Finish: close the open response, mark abandoned branches and spawned sub-agents,
    /// set id, key, title and facts. `resolve` turns a spawned child into a session key.
    pub fn finish(mut self, id: String, resolve: &dyn Fn(&ChildRef) -> Option<String>) -> Session {
        self.close_open();
        if self.session.retain_events {
            let abandoned = self.graph.abandoned();
            for (e, &n) in self.session.events.iter_mut().zip(&self.event_nodes) {
                if abandoned.get(n as usize).copied().unwrap_or(false) {
                    e.abandoned = true;
                }
                if let EventKind::ToolCall {
                    call_id, subagent, ..
                } = &mut e.kind
                    && let Some(child) = self.links.get(call_id.as_str())
                {
                    *subagent = resolve(child);
                }
            }
        }
        self.session.key = Session::key_for(Agent::Claude, &id);
        self.session.id = id;
        self.session.title = self.facts.title(&self.graph);
        if self.session.title.is_none() && self.session.summary.first_prompt.is_none() {
            // Only slash commands were typed: the first command names the session (SDK).
            self.session.title = self.facts.first_command.clone();
        }
        self.facts.apply(&mut self.session);
        self.session
    }
}
