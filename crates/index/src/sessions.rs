//! Sessions as stored: summaries for listing, and each session's full normalized document.

use crate::IndexError;
use crate::reader::IndexReader;
use crate::store::decode_session;
use convx_model::{Agent, Session, SessionKind, Timestamp, Usage};
use rusqlite::OptionalExtension;
use serde::Serialize;

/// One session's summary row (no events).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    /// Session key `<agent>:<native id>`.
    pub key: String,
    /// The agent.
    pub agent: Agent,
    /// Main, sub-agent, fork, internal.
    pub kind: SessionKind,
    /// Parent session key.
    pub parent: Option<String>,
    /// Display title.
    pub title: String,
    /// Working directory.
    pub cwd: Option<String>,
    /// Project name (last component of the working directory, see [`crate::project_name`]).
    pub project: Option<String>,
    /// Start.
    pub started_at: Option<Timestamp>,
    /// Last activity.
    pub ended_at: Option<Timestamp>,
    /// User prompts.
    pub user_prompts: u64,
    /// Tool calls.
    pub tool_calls: u64,
    /// Failed tool calls.
    pub tool_errors: u64,
    /// Tokens the session's own summary records (all its calls, copies included).
    pub usage: Usage,
    /// Models, in order of first use.
    pub models: Vec<String>,
    /// Events.
    pub event_count: u64,
}

fn time(ms: Option<i64>) -> Option<Timestamp> {
    ms.and_then(|m| Timestamp::from_millisecond(m).ok())
}

impl IndexReader {
    /// Every session's summary (sessions of unknown agents are skipped), in key order.
    pub fn session_summaries(&self) -> Result<Vec<SessionSummary>, IndexError> {
        let err = |e| self.store.err(e);
        let mut st = self
            .store
            .conn
            .prepare_cached(
                "SELECT key, agent, kind, parent, title, cwd, project, started_at, ended_at,
                        user_prompts, tool_calls, tool_errors, input, cache_creation, cache_read,
                        output, reasoning, models, event_count
                 FROM sessions ORDER BY key",
            )
            .map_err(err)?;
        let rows = st
            .query_map([], |r| {
                let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    SessionSummary {
                        key: String::new(),
                        agent: Agent::Codex,
                        kind: SessionKind::Main,
                        parent: r.get(3)?,
                        title: r.get(4)?,
                        cwd: r.get(5)?,
                        project: r.get(6)?,
                        started_at: time(r.get(7)?),
                        ended_at: time(r.get(8)?),
                        user_prompts: n(9)?,
                        tool_calls: n(10)?,
                        tool_errors: n(11)?,
                        usage: Usage {
                            input: n(12)?,
                            cache_creation: n(13)?,
                            cache_read: n(14)?,
                            output: n(15)?,
                            reasoning: n(16)?,
                        },
                        models: serde_json::from_str(&r.get::<_, String>(17)?).unwrap_or_default(),
                        event_count: n(18)?,
                    },
                ))
            })
            .map_err(err)?;
        let mut out = Vec::new();
        for row in rows {
            let (key, agent, kind, mut s) = row.map_err(err)?;
            let Ok(agent) = agent.parse::<Agent>() else {
                continue;
            };
            s.key = key;
            s.agent = agent;
            s.kind = [
                SessionKind::Subagent,
                SessionKind::Fork,
                SessionKind::Internal,
            ]
            .into_iter()
            .find(|k| k.name() == kind)
            .unwrap_or(SessionKind::Main);
            out.push(s);
        }
        Ok(out)
    }

    /// The full redacted session `key` as indexed, events included; `None` when the index
    /// has no such session or no document for it (indexed before documents were stored:
    /// the next `convx index` stores it).
    pub fn load_session(&self, key: &str) -> Result<Option<Session>, IndexError> {
        let blob: Option<Vec<u8>> = self
            .store
            .conn
            .query_row(
                "SELECT d.json FROM sessions s JOIN session_docs d ON d.session_id = s.id
                 WHERE s.key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.store.err(e))?;
        Ok(blob.as_deref().and_then(decode_session))
    }
}
