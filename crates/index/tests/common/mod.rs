//! Helpers: build sessions with the model's API, open indexes in temp dirs.
#![allow(dead_code)]

use convx_index::{Index, IndexConfig, Origin};
use convx_model::{
    Agent, CallUsage, Event, EventKind, Session, SessionKind, SourceFile, Timestamp, Usage,
};
use serde_json::Value;
use std::path::Path;

/// Parse an RFC 3339 time.
pub fn ts(s: &str) -> Timestamp {
    s.parse().expect("valid timestamp")
}

/// A config with a small writer, for tests.
pub fn config() -> IndexConfig {
    IndexConfig {
        writer_threads: 1,
        writer_memory: 16 * 1024 * 1024,
        ..IndexConfig::default()
    }
}

/// Open (or create) an index in `dir`.
pub fn open(dir: &Path) -> Index {
    Index::open(dir, config()).expect("open index")
}

/// Write sessions as if read from their sources.
pub fn write(dir: &Path, sessions: &[Session]) {
    open(dir)
        .write_sessions(sessions, Origin::Sources, &[])
        .expect("write sessions");
}

/// Token counts.
pub fn usage(
    input: u64,
    cache_creation: u64,
    cache_read: u64,
    output: u64,
    reasoning: u64,
) -> Usage {
    Usage {
        input,
        cache_creation,
        cache_read,
        output,
        reasoning,
    }
}

/// A session builder.
pub struct Sb {
    pub s: Session,
    clock: Timestamp,
    calls: u32,
}

impl Sb {
    /// A session of `agent` with id `id`, starting at `start`, run in `cwd`.
    pub fn new(agent: Agent, id: &str, start: &str, cwd: &str) -> Sb {
        let mut s = Session::new(agent, id);
        s.cwd = Some(cwd.to_string());
        s.sources.push(SourceFile {
            path: format!("/logs/{id}.jsonl"),
            fingerprint: Default::default(),
            format: None,
        });
        Sb {
            s,
            clock: ts(start),
            calls: 0,
        }
    }

    fn tick(&mut self) -> Timestamp {
        let t = self.clock;
        self.clock = t.checked_add(jiff::SignedDuration::from_secs(60)).unwrap();
        t
    }

    /// Set the clock.
    pub fn at(mut self, t: &str) -> Sb {
        self.clock = ts(t);
        self
    }

    /// A user prompt.
    pub fn prompt(mut self, text: &str) -> Sb {
        let t = self.tick();
        self.s.push(
            Event::new(EventKind::UserPrompt {
                text: text.into(),
                attachments: vec![],
            })
            .at(Some(t)),
        );
        self
    }

    /// An assistant reply without usage.
    pub fn say(mut self, text: &str) -> Sb {
        let t = self.tick();
        self.s
            .push(Event::new(EventKind::AssistantText { text: text.into() }).at(Some(t)));
        self
    }

    /// An assistant reply with usage under `key` (generated when empty).
    pub fn reply(mut self, text: &str, model: Option<&str>, u: Usage, key: &str) -> Sb {
        let t = self.tick();
        self.calls += 1;
        let key = if key.is_empty() {
            format!("{}-call-{}", self.s.key, self.calls)
        } else {
            key.to_string()
        };
        let mut e = Event::new(EventKind::AssistantText { text: text.into() }).at(Some(t));
        e.usage = Some(CallUsage::new(model.map(str::to_string), u, key));
        self.s.push(e);
        self
    }

    /// A usage-only model call (Codex `token_count`).
    pub fn model_call(mut self, model: &str, u: Usage, key: &str) -> Sb {
        let t = self.tick();
        let mut e = Event::new(EventKind::ModelCall {}).at(Some(t));
        e.usage = Some(CallUsage::new(Some(model.into()), u, key));
        self.s.push(e);
        self
    }

    /// A tool call and its result.
    pub fn tool(mut self, name: &str, input: Value, output: &str) -> Sb {
        let t = self.tick();
        let id = format!("call-{}", self.s.events.len());
        self.s.push(
            Event::new(EventKind::ToolCall {
                call_id: id.clone(),
                name: name.into(),
                input,
                subagent: None,
            })
            .at(Some(t)),
        );
        self.s.push(
            Event::new(EventKind::ToolResult {
                call_id: id,
                output: output.into(),
                is_error: false,
            })
            .at(Some(t)),
        );
        self
    }

    /// Make this a fork of `parent`.
    pub fn fork_of(mut self, parent: &str) -> Sb {
        self.s.parent = Some(parent.to_string());
        self.s.kind = SessionKind::Fork;
        self
    }

    /// Push an event as is.
    pub fn event(mut self, e: Event) -> Sb {
        self.s.push(e);
        self
    }

    /// The session.
    pub fn build(self) -> Session {
        self.s
    }
}

/// An assistant event carrying usage.
pub fn usage_event(text: &str, at: &str, model: &str, u: Usage, key: &str) -> Event {
    let mut e = Event::new(EventKind::AssistantText { text: text.into() }).at(Some(ts(at)));
    e.usage = Some(CallUsage::new(Some(model.into()), u, key));
    e
}
