//! Codex CLI adapter (`openai/codex`, `codex-rs`).
//!
//! Layout of a Codex home (`$CODEX_HOME`, else `~/.codex`):
//! `sessions/YYYY/MM/DD/rollout-<local time>-<uuid>.jsonl` (older: flat in `sessions/`),
//! flat `archived_sessions/`, optional `.jsonl.zst` compressed rollouts, and side files
//! (`history.jsonl`, `session_index.jsonl`, SQLite state) that are not transcripts.
//!
//! One rollout file is one session. Each file is read in one streaming pass (after a
//! short look ahead, see `prescan`):
//! * generation A (≤ v0.31: bare meta line + bare `ResponseItem`s, `record_type: state`
//!   lines ignored), generation B (`{timestamp, type, payload}` envelopes) and the
//!   paginated B′ variant are detected per file (`SourceFile::format`:
//!   `codex/bare`, `codex/envelope`, `codex/paginated`);
//! * messages, reasoning and tool calls come from `response_item`s; the `event_msg`
//!   copies are dropped, except `user_message`, which confirms typed prompts and stands in
//!   for missing items (event-only files use the events);
//! * injected context (`<environment_context>`, AGENTS.md, developer messages, …) becomes
//!   `Context`, never a prompt;
//! * usage is the delta of `total_token_usage` between `token_count` events, one
//!   `ModelCall` event per real call, skipping re-emits, estimates, resets and the copied
//!   parent prefix of forks and sub-agents (pushed as inherited events).

mod context;
mod discover;
mod events;
mod items;
mod prescan;
mod reader;
mod tools;
mod ui;
mod usage;

use crate::{Adapter, AdapterError, Discovery, Environment, ReadOptions, Source, SourceOutput};
use convx_model::Agent;
use std::path::PathBuf;

/// Reads Codex session logs.
#[derive(Debug, Default, Clone, Copy)]
pub struct CodexAdapter;

impl Adapter for CodexAdapter {
    fn known_record_types(&self) -> &'static [&'static str] {
        &[
            // §1.3 envelope types that are not conversation.
            "session_meta",
            "world_state",
            "inter_agent_communication",
            "inter_agent_communication_metadata",
            // §1.6 persisted event_msg types that carry no transcript content of their own.
            "event_msg/task_started",
            "event_msg/task_complete",
            "event_msg/turn_started",
            "event_msg/turn_complete",
            "event_msg/turn_aborted",
            "event_msg/thread_rolled_back",
            "event_msg/thread_name_updated",
            "event_msg/thread_goal_updated",
            "event_msg/thread_settings_applied",
            "event_msg/sub_agent_activity",
            "event_msg/image_generation_end",
            "event_msg/entered_review_mode",
            "event_msg/exited_review_mode",
            "event_msg/undo_completed",
            "event_msg/patch_apply_end",
            "event_msg/mcp_tool_call_end",
            "event_msg/web_search_end",
            "event_msg/item_completed",
            "event_msg/error",
            "event_msg/guardian_assessment",
            "event_msg/exec_command_end",
            "event_msg/view_image_tool_call",
            "event_msg/collab_*",
            "event_msg/dynamic_tool_call_*",
            "item_completed/*",
            // §1.5 response items without transcript text.
            "response_item/ghost_snapshot",
            "response_item/image_generation_call",
            "response_item/tool_search_output",
        ]
    }

    fn agent(&self) -> Agent {
        Agent::Codex
    }

    /// `$CODEX_HOME` when set and non-empty, else `<home>/.codex` (every OS).
    fn default_roots(&self, env: &Environment) -> Vec<PathBuf> {
        match env.var("CODEX_HOME") {
            Some(home) => vec![PathBuf::from(home)],
            None => vec![env.home.join(".codex")],
        }
    }

    fn discover(&self, roots: &[PathBuf]) -> Result<Discovery, AdapterError> {
        Ok(discover::discover(roots))
    }

    fn read(&self, source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
        reader::read(source, opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_roots_honour_codex_home() {
        let a = CodexAdapter;
        let env = Environment::new("/home/ana");
        assert_eq!(
            a.default_roots(&env),
            vec![PathBuf::from("/home/ana/.codex")]
        );
        let env = Environment::new("/home/ana").with_var("CODEX_HOME", "/data/codex");
        assert_eq!(a.default_roots(&env), vec![PathBuf::from("/data/codex")]);
        let env = Environment::new("/home/ana").with_var("CODEX_HOME", "");
        assert_eq!(
            a.default_roots(&env),
            vec![PathBuf::from("/home/ana/.codex")]
        );
    }

    #[test]
    fn file_ids() {
        let p = std::path::Path::new(
            "/x/rollout-2025-08-04T11-15-02-5d1e2f3a-0b4c-4d5e-8f60-7a8b9c0d1e2f.jsonl.zst",
        );
        assert_eq!(reader::file_id(p), "5d1e2f3a-0b4c-4d5e-8f60-7a8b9c0d1e2f");
        assert_eq!(
            reader::file_id(std::path::Path::new("/x/rollout-odd.jsonl")),
            "rollout-odd"
        );
        assert!(discover::is_rollout("rollout-a.jsonl.zst"));
        assert!(!discover::is_rollout("history.jsonl"));
        assert!(!discover::is_rollout("rollout-a.json"));
    }

    #[test]
    fn kinds() {
        use convx_model::SessionKind;
        use serde_json::json;
        let k = |v| reader::kind_of(&v);
        assert_eq!(k(json!({"source":"cli"})), (SessionKind::Main, None));
        assert_eq!(
            k(json!({"forked_from_id":"p1"})),
            (SessionKind::Fork, Some("p1".into()))
        );
        assert_eq!(
            k(json!({"source":{"subagent":{"thread_spawn":{"parent_thread_id":"p2","depth":1}}}})),
            (SessionKind::Subagent, Some("p2".into()))
        );
        assert_eq!(
            k(json!({"parent_thread_id":"p3"})),
            (SessionKind::Subagent, Some("p3".into()))
        );
        assert_eq!(
            k(json!({"source":{"subagent":"review"},"parent_thread_id":"p4"})),
            (SessionKind::Internal, Some("p4".into()))
        );
        assert_eq!(
            k(json!({"source":{"internal":"memory_consolidation"}})),
            (SessionKind::Internal, None)
        );
    }
}
