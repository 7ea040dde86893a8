//! Events: the ordered content of a session.

use crate::Timestamp;
use crate::usage::Usage;
use serde::{Deserialize, Serialize};

/// One thing that happened in a session, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// When it happened (UTC), where the log records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
    /// For model calls: the tokens this call used. Attached to exactly one event per call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<CallUsage>,
    /// The agent's own id for the record (uuid, message id...), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native_id: Option<String>,
    /// Copied from a parent session (fork or sub-agent prefix): shown, never counted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub inherited: bool,
    /// Not on the conversation's final path (rewound branch, rolled-back turn).
    /// Kept and shown as such; still counted, since it happened.
    #[serde(default, skip_serializing_if = "is_false")]
    pub abandoned: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Event {
    /// An event with no timestamp, usage or flags.
    pub fn new(kind: EventKind) -> Self {
        Event {
            timestamp: None,
            kind,
            usage: None,
            native_id: None,
            inherited: false,
            abandoned: false,
        }
    }

    /// Builder: set the timestamp.
    pub fn at(mut self, ts: Option<Timestamp>) -> Self {
        self.timestamp = ts;
        self
    }

    /// Builder: set the native id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.native_id = Some(id.into());
        self
    }

    /// The short name of the event's kind (`user_prompt`, `tool_call`, ...).
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }
}

/// What an [`Event`] is. Serialized with a `type` tag in snake_case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// Text the user typed (injected context is never a prompt).
    UserPrompt {
        /// The prompt text.
        text: String,
        /// Images or files attached to the prompt (metadata only, never base64 data).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<Attachment>,
    },
    /// Text written by the assistant.
    AssistantText {
        /// The text.
        text: String,
    },
    /// Reasoning / thinking. `text` is empty when only encrypted content was recorded.
    Reasoning {
        /// Readable reasoning text (summary or raw).
        text: String,
        /// True when the agent recorded encrypted or redacted reasoning (not kept).
        #[serde(default, skip_serializing_if = "is_false")]
        encrypted: bool,
    },
    /// The assistant called a tool.
    ToolCall {
        /// Id pairing this call with its [`EventKind::ToolResult`].
        call_id: String,
        /// Tool name as the agent recorded it (MCP tools as `mcp__server__tool`).
        name: String,
        /// Arguments: parsed JSON when they were JSON, otherwise a JSON string.
        input: serde_json::Value,
        /// Key of the sub-agent session this call spawned, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subagent: Option<String>,
    },
    /// The output of a tool call.
    ToolResult {
        /// Id of the [`EventKind::ToolCall`] this answers.
        call_id: String,
        /// Output text (structured outputs are flattened to text).
        output: String,
        /// True when the tool failed.
        #[serde(default, skip_serializing_if = "is_false")]
        is_error: bool,
    },
    /// Text that reached the model without the user typing it: environment blocks,
    /// AGENTS.md / CLAUDE.md, developer/system messages, slash-command wrappers,
    /// system reminders, hook output, compaction summaries. Never counted as a prompt.
    Context {
        /// What injected it, e.g. `environment_context`, `agents_md`, `developer`,
        /// `system_reminder`, `command`, `meta`, `compact_summary`.
        source: String,
        /// The injected text.
        text: String,
    },
    /// A plan / todo list update.
    PlanUpdate {
        /// Optional explanation given with the update.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        explanation: Option<String>,
        /// The steps, in order.
        steps: Vec<PlanStep>,
    },
    /// The conversation was compacted (earlier history summarized away).
    Compaction {
        /// The summary that replaced history, when recorded in clear text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
        /// `manual`, `auto`, or what the agent recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trigger: Option<String>,
    },
    /// A model call whose usage is not tied to a message (e.g. Codex `token_count`).
    ModelCall {},
    /// A record convx does not interpret (unknown or metadata record type), kept raw.
    Opaque {
        /// The record's type discriminator, e.g. `world_state` or `system/turn_duration`.
        record_type: String,
        /// The raw JSON record.
        raw: serde_json::Value,
    },
}

impl EventKind {
    /// The snake_case tag of this kind.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::UserPrompt { .. } => "user_prompt",
            EventKind::AssistantText { .. } => "assistant_text",
            EventKind::Reasoning { .. } => "reasoning",
            EventKind::ToolCall { .. } => "tool_call",
            EventKind::ToolResult { .. } => "tool_result",
            EventKind::Context { .. } => "context",
            EventKind::PlanUpdate { .. } => "plan_update",
            EventKind::Compaction { .. } => "compaction",
            EventKind::ModelCall { .. } => "model_call",
            EventKind::Opaque { .. } => "opaque",
        }
    }
}

/// An attachment to a prompt, kept as metadata only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// `image`, `document`, `file`...
    pub kind: String,
    /// MIME type when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Size of the (decoded) data in bytes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// File name or path, when the agent recorded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStep {
    /// The step's text.
    pub text: String,
    /// Its status.
    pub status: PlanStepStatus,
}

/// Status of a [`PlanStep`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStepStatus {
    /// Not started.
    Pending,
    /// Being worked on.
    InProgress,
    /// Done.
    Completed,
    /// Removed / cancelled.
    Cancelled,
    /// Any other status string.
    #[serde(untagged)]
    Other(String),
}

impl PlanStepStatus {
    /// Map an agent's status string (`pending`, `in_progress`, `completed`, `deleted`...).
    pub fn parse(s: &str) -> Self {
        match s {
            "pending" | "todo" | "not_started" => PlanStepStatus::Pending,
            "in_progress" | "in-progress" | "active" => PlanStepStatus::InProgress,
            "completed" | "done" | "complete" => PlanStepStatus::Completed,
            "cancelled" | "canceled" | "deleted" => PlanStepStatus::Cancelled,
            other => PlanStepStatus::Other(other.to_string()),
        }
    }
}

/// Tokens used by one model call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallUsage {
    /// The model that answered, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The normalized tokens.
    pub tokens: Usage,
    /// Identity of the call across files (Claude `message.id`, Codex usage fingerprint):
    /// the same call seen in two files (fork, copy) is counted once.
    pub dedup_key: String,
    /// Cost recorded by the agent itself, in USD, when it records one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_cost_usd: Option<f64>,
    /// True when the same call (same `dedup_key`) is already counted in another session.
    #[serde(default, skip_serializing_if = "is_false")]
    pub duplicate: bool,
}

impl CallUsage {
    /// A call's usage with no recorded cost.
    pub fn new(model: Option<String>, tokens: Usage, dedup_key: impl Into<String>) -> Self {
        CallUsage {
            model,
            tokens,
            dedup_key: dedup_key.into(),
            recorded_cost_usd: None,
            duplicate: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_json_shape() {
        let e = Event::new(EventKind::ToolResult {
            call_id: "c1".into(),
            output: "ok".into(),
            is_error: true,
        })
        .with_id("x");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], "tool_result");
        assert_eq!(v["is_error"], true);
        assert_eq!(v["native_id"], "x");
        assert!(v.get("inherited").is_none());
        let back: Event = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn plan_status_other_round_trips() {
        let s = PlanStepStatus::parse("blocked");
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(j, "\"blocked\"");
        assert_eq!(
            serde_json::from_str::<PlanStepStatus>("\"in_progress\"").unwrap(),
            PlanStepStatus::InProgress
        );
    }
}
