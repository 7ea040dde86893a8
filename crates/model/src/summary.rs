//! Per-session aggregates, maintained while events are pushed.

use crate::event::{Event, EventKind};
use crate::usage::Usage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts of what a session's **own** events add (inherited events are not counted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Prompts typed by the user.
    pub user_prompts: u64,
    /// Assistant text messages.
    pub assistant_messages: u64,
    /// Tool calls.
    pub tool_calls: u64,
    /// Tool results flagged as errors.
    pub tool_errors: u64,
    /// Reasoning blocks.
    pub reasoning_blocks: u64,
    /// Plan updates.
    pub plan_updates: u64,
    /// Compactions.
    pub compactions: u64,
    /// Injected-context blocks.
    pub context_blocks: u64,
    /// Opaque records (unknown types).
    pub opaque_records: u64,
}

/// One counted model call (kept in memory for cross-session deduplication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// See [`crate::CallUsage::dedup_key`].
    pub dedup_key: String,
    /// The model, if known.
    pub model: Option<String>,
    /// Tokens.
    pub tokens: Usage,
    /// True when the same call was already counted in another session.
    pub duplicate: bool,
}

/// Aggregates over a session's own events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Event counts.
    pub counts: Counts,
    /// Total normalized usage, each model call once.
    pub usage: Usage,
    /// Usage per model (`unknown` when the log does not say).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub usage_by_model: BTreeMap<String, Usage>,
    /// Cost recorded by the agent itself (OpenCode), in USD, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_cost_usd: Option<f64>,
    /// Opaque records per record type (what `convx doctor` reports as unknown).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub opaque_types: BTreeMap<String, u64>,
    /// First real user prompt (injected context skipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_prompt: Option<String>,
    /// The counted calls (not serialized; rebuilt from events).
    #[serde(skip)]
    pub calls: Vec<CallRecord>,
}

/// Name used for usage whose model the log does not record.
pub const UNKNOWN_MODEL: &str = "unknown";

impl Summary {
    /// Account for one event.
    pub fn add(&mut self, e: &Event) {
        if e.inherited {
            return;
        }
        let c = &mut self.counts;
        match &e.kind {
            EventKind::UserPrompt { text, .. } => {
                c.user_prompts += 1;
                if self.first_prompt.is_none() && !text.trim().is_empty() {
                    self.first_prompt = Some(text.clone());
                }
            }
            EventKind::AssistantText { .. } => c.assistant_messages += 1,
            EventKind::Reasoning { .. } => c.reasoning_blocks += 1,
            EventKind::ToolCall { .. } => c.tool_calls += 1,
            EventKind::ToolResult { is_error, .. } => c.tool_errors += u64::from(*is_error),
            EventKind::Context { .. } => c.context_blocks += 1,
            EventKind::PlanUpdate { .. } => c.plan_updates += 1,
            EventKind::Compaction { .. } => c.compactions += 1,
            EventKind::ModelCall { .. } => {}
            EventKind::Opaque { record_type, .. } => {
                c.opaque_records += 1;
                *self.opaque_types.entry(record_type.clone()).or_default() += 1;
            }
        }
        if let Some(u) = &e.usage {
            self.calls.push(CallRecord {
                dedup_key: u.dedup_key.clone(),
                model: u.model.clone(),
                tokens: u.tokens,
                duplicate: u.duplicate,
            });
            if u.duplicate {
                return;
            }
            if let Some(cost) = u.recorded_cost_usd {
                *self.recorded_cost_usd.get_or_insert(0.0) += cost;
            }
            self.add_usage(u.model.as_deref(), u.tokens);
        }
    }

    fn add_usage(&mut self, model: Option<&str>, tokens: Usage) {
        self.usage += tokens;
        *self
            .usage_by_model
            .entry(model.unwrap_or(UNKNOWN_MODEL).to_string())
            .or_default() += tokens;
    }

    /// Recompute `usage` and `usage_by_model` from `calls`, skipping duplicates.
    pub fn retotal(&mut self) {
        self.usage = Usage::default();
        self.usage_by_model.clear();
        let calls = std::mem::take(&mut self.calls);
        for c in calls.iter().filter(|c| !c.duplicate) {
            self.add_usage(c.model.as_deref(), c.tokens);
        }
        self.calls = calls;
    }
}
