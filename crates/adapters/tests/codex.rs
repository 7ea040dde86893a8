//! Codex CLI adapter: every fixture case under `tests/fixtures/codex/` (see its
//! PROVENANCE.md). Token totals below are computed by hand from the fixture lines.

mod common;

use convx_adapters::codex::CodexAdapter;
use convx_adapters::{Adapter, Environment, ReadOptions};
use convx_model::{EventKind, Session, SessionKind, Usage, WarningKind};
use std::path::{Path, PathBuf};

fn case_dir(name: &str) -> PathBuf {
    common::fixtures("codex").join(name)
}

fn case(name: &str) -> Vec<Session> {
    common::sessions_of(&CodexAdapter, &case_dir(name))
}

fn get<'a>(ss: &'a [Session], id: &str) -> &'a Session {
    let key = format!("codex:{id}");
    ss.iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("no session {key}"))
}

fn usage(input: u64, cache_read: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        cache_creation: 0,
        cache_read,
        output,
        reasoning,
    }
}

fn texts<'a>(s: &'a Session, kind: &'a str) -> Vec<&'a str> {
    s.events_of(kind)
        .filter(|e| !e.inherited)
        .map(|e| match &e.kind {
            EventKind::UserPrompt { text, .. }
            | EventKind::AssistantText { text }
            | EventKind::Context { text, .. } => text.as_str(),
            _ => "",
        })
        .collect()
}

fn context_sources(s: &Session) -> Vec<&str> {
    s.events
        .iter()
        .filter(|e| !e.inherited)
        .filter_map(|e| match &e.kind {
            EventKind::Context { source, .. } => Some(source.as_str()),
            _ => None,
        })
        .collect()
}

fn warnings(s: &Session) -> Vec<(Option<u64>, WarningKind)> {
    s.warnings.iter().map(|w| (w.line, w.kind)).collect()
}

#[test]
fn snapshots_of_every_case() {
    let cases = common::cases("codex");
    assert!(cases.len() >= 14, "cases: {cases:?}");
    for c in cases {
        let name = c.file_name().unwrap().to_string_lossy().into_owned();
        for s in common::sessions_of(&CodexAdapter, &c) {
            let snap = format!("{name}__{}", s.id);
            insta::assert_json_snapshot!(snap, common::snapshot_view(&s, &c));
        }
    }
}

#[test]
fn gen_a_bare_items() {
    let ss = case("gen_a_bare");
    assert_eq!(ss.len(), 2);
    // August 2025 (dated folder): bare meta with git + instructions, state lines ignored.
    let s = get(&ss, "5d1e2f3a-0b4c-4d5e-8f60-7a8b9c0d1e2f");
    assert_eq!(s.sources[0].format.as_deref(), Some("codex/bare"));
    assert_eq!(s.cwd.as_deref(), Some("/home/ana/src/web")); // from <environment_context>
    assert_eq!(s.git.branch.as_deref(), Some("main"));
    assert_eq!(
        s.git.commit.as_deref(),
        Some("1f2e3d4c5b6a79801f2e3d4c5b6a79801f2e3d4c")
    );
    assert_eq!(s.git.remote.as_deref(), Some("git@github.com:acme/web.git"));
    assert_eq!(
        s.started_at,
        Some("2025-08-04T09:15:02.120Z".parse().unwrap())
    );
    assert_eq!(
        texts(s, "user_prompt"),
        vec!["fix the failing test in src/date.test.ts"]
    );
    assert_eq!(
        context_sources(s),
        vec!["user_instructions", "environment_context"]
    );
    let c = &s.summary.counts;
    assert_eq!(
        (
            c.tool_calls,
            c.tool_errors,
            c.reasoning_blocks,
            c.assistant_messages,
            c.opaque_records
        ),
        (2, 1, 2, 1, 0)
    );
    // No token_count in generation A: nothing to count, no model.
    assert!(s.summary.usage.is_zero());
    assert!(s.models.is_empty());
    assert!(s.warnings.is_empty());
    let first_reasoning = s.events_of("reasoning").next().unwrap();
    assert_eq!(
        first_reasoning.kind,
        EventKind::Reasoning {
            text: String::new(),
            encrypted: true
        }
    );
    // May 2025 flat layout directly in sessions/.
    let s = get(&ss, "0a9b8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d");
    assert!(
        s.sources[0]
            .path
            .ends_with("sessions/rollout-2025-05-20-0a9b8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d.jsonl")
    );
    assert_eq!(s.summary.counts.user_prompts, 1);
    assert!(s.cwd.is_none() && s.git.is_empty());
}

#[test]
fn v032_without_turn_context() {
    let ss = case("v032_no_turn_context");
    let s = get(&ss, "6f2c4a10-3d8e-4b7a-9e51-2c7d8f9a0b13");
    assert_eq!(s.sources[0].format.as_deref(), Some("codex/envelope"));
    assert_eq!(s.agent_version.as_deref(), Some("0.32.0"));
    // tc1 info null: skipped. tc2 total (5000,0,120,64): delta = itself -> in 5000, out 120, reas 64.
    // tc3 identical: re-emit. tc4 total (11200,4864,410,192) - (5000,0,120,64) = (6200,4864,290,128)
    //   -> in 6200-4864 = 1336, cache_read 4864, out 290, reas 128.
    // Sum: in 5000+1336 = 6336, cache_read 4864, out 410, reas 192; total 11610 (= final total_tokens).
    assert_eq!(s.summary.usage, usage(6336, 4864, 410, 192));
    assert_eq!(s.summary.usage.total(), 11610);
    // v0.32-0.34 had no turn_context: the model is unknown.
    assert!(s.models.is_empty());
    assert_eq!(
        s.summary.usage_by_model.keys().collect::<Vec<_>>(),
        vec!["unknown"]
    );
    // Old user_message events with kind user_instructions / environment_context are the
    // duplicates of the injected items: one context block each, one real prompt.
    assert_eq!(
        texts(s, "user_prompt"),
        vec!["Why does round_half_even(2.5) return 3?"]
    );
    assert_eq!(
        context_sources(s),
        vec!["user_instructions", "environment_context"]
    );
    // agent_reasoning/agent_message events written before their items are dropped as copies.
    assert_eq!(
        (
            s.summary.counts.reasoning_blocks,
            s.summary.counts.assistant_messages
        ),
        (1, 1)
    );
    assert_eq!(s.git.branch.as_deref(), Some("fix/rounding"));
}

#[test]
fn v053_sandbox_mode_and_parallel_tools() {
    let ss = case("v053_sandbox_mode_parallel");
    let s = get(&ss, "019a2c11-8e40-7b21-a3f9-5d6e7f801234");
    // tc1 (8000,6000,300,128) -> in 2000, cr 6000, out 300, reas 128 = 8300; tc2 re-emit.
    // tc3 (17500,13800,650,256) - tc1 = (9500,7800,350,128) -> in 1700, cr 7800, out 350 = 9850.
    // Sum: in 3700, cr 13800, out 650, reas 256; total 18150.
    assert_eq!(s.summary.usage, usage(3700, 13800, 650, 256));
    assert_eq!(s.summary.usage.total(), 18150);
    assert_eq!(s.models, vec!["gpt-5-codex"]);
    assert_eq!(s.metadata["sandbox"], "workspace-write"); // tag key `mode` before v0.59
    assert_eq!(s.metadata["reasoning_effort"], "high");
    assert_eq!(s.metadata["source"], "cli");
    // Parallel calls p1, p2; outputs arrive p2 then p1; all paired; image output not kept.
    let order: Vec<String> = s
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ToolCall { call_id, .. } => Some(format!("call {call_id}")),
            EventKind::ToolResult { call_id, .. } => Some(format!("result {call_id}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        [
            "call call_p1",
            "call call_p2",
            "result call_p2",
            "result call_p1",
            "call call_p3",
            "result call_p3"
        ]
    );
    let img = s
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ToolResult {
                call_id, output, ..
            } if call_id == "call_p2" => Some(output.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(img, "Image: docs/ui.png\n[image: image/png, 70 bytes]");
    // ghost_snapshot is not conversation: skipped; nothing opaque here.
    assert_eq!(s.summary.counts.opaque_records, 0);
    assert_eq!(s.summary.counts.tool_calls, 3);
}

#[test]
fn v0107_turn_ids_tools_and_context() {
    let ss = case("v0107_turn_ids");
    let s = get(&ss, "019c9f3e-2a41-7d10-b6c2-5e8f0a9d4c21");
    // Turn 1 (gpt-5.3-codex): tc (18234,11904,612,448) -> in 6330, cr 11904, out 612, reas 448 = 18846;
    //   the next token_count is a rate-limit re-emit.
    // Turn 2 (gpt-5.4): (30000,22000,900,600) - turn 1 = (11766,10096,288,152)
    //   -> in 1670, cr 10096, out 288, reas 152 = 12054.
    // Sum: in 8000, cr 22000, out 900, reas 600; total 30900.
    assert_eq!(s.summary.usage, usage(8000, 22000, 900, 600));
    assert_eq!(s.summary.usage_by_model["gpt-5.3-codex"].total(), 18846);
    assert_eq!(s.summary.usage_by_model["gpt-5.4"].total(), 12054);
    assert_eq!(s.models, vec!["gpt-5.3-codex", "gpt-5.4"]);
    assert_eq!(s.title.as_deref(), Some("Cart DELETE route")); // thread_name_updated
    // The IDE prompt is split at `## My request for Codex:`.
    assert_eq!(
        texts(s, "user_prompt"),
        vec![
            "Add a DELETE /cart/:id route and a test.",
            "Now also add PATCH /cart/:id"
        ]
    );
    assert_eq!(
        context_sources(s),
        vec![
            "permissions",
            "agents_md",
            "environment_context",
            "ide_context",
            "user_shell_command",
            "turn_aborted"
        ]
    );
    let c = &s.summary.counts;
    // update_plan, shell_command, mcp search, exec_command, web_search, apply_patch, local_shell
    assert_eq!((c.tool_calls, c.tool_errors, c.plan_updates), (7, 2, 1));
    let names: Vec<&str> = s
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ToolCall { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        [
            "update_plan",
            "shell_command",
            "mcp__docs__search",
            "exec_command",
            "web_search",
            "apply_patch",
            "local_shell"
        ]
    );
    let errors: Vec<&str> = s
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ToolResult {
                call_id,
                is_error: true,
                ..
            } => Some(call_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(errors, ["call_Mc01", "call_Ux01"]); // MCP isError, `Process exited with code 1`
    // task_started x2, task_complete, thread_name_updated, turn_aborted
    assert_eq!(s.summary.opaque_types["event_msg/task_started"], 2);
    assert_eq!(s.summary.opaque_types["event_msg/turn_aborted"], 1);
    assert_eq!(c.opaque_records, 5);
    assert_eq!(s.metadata["sandbox"], "workspace-write");
    assert_eq!(s.metadata["originator"], "codex_cli_rs");
    assert_eq!(
        s.git.remote.as_deref(),
        Some("https://github.com/ana/shop.git")
    );
}

#[test]
fn v2026_world_state_ids_and_unknown_types() {
    let ss = case("v2026_world_state_ids");
    let s = get(&ss, "019f1a2b-3c4d-7e5f-8a9b-0c1d2e3f4a5b");
    // One call: (40000,30000,1000,500) -> in 10000, cr 30000, out 1000, reas 500 = 41000.
    assert_eq!(s.summary.usage, usage(10000, 30000, 1000, 500));
    assert_eq!(s.summary.usage.total(), 41000);
    // Prompts: the image prompt (wrappers dropped) and a typed `<div>` block confirmed by its event.
    assert_eq!(
        texts(s, "user_prompt"),
        vec![
            "What is wrong in this screenshot?",
            "<div class=\"footer\">\nwhy is this on top?\n</div>"
        ]
    );
    let first = s.first_prompt_event().unwrap();
    let EventKind::UserPrompt { attachments, .. } = &first.kind else {
        panic!()
    };
    assert_eq!(attachments[0].media_type.as_deref(), Some("image/png"));
    assert_eq!(first.native_id.as_deref(), Some("msg_0a13"));
    // An unconfirmed generic block stays context; developer parts are separate blocks.
    assert_eq!(
        context_sources(s),
        vec![
            "permissions",
            "collaboration_mode",
            "memory_digest",
            "inter_agent_communication",
            "agent_message"
        ]
    );
    let ot = &s.summary.opaque_types;
    for t in [
        "world_state",
        "inter_agent_communication_metadata",
        "rollout_checkpoint",
        "response_item/brand_new_item",
        "event_msg/sub_agent_activity",
        "event_msg/thread_goal_updated",
        "event_msg/image_generation_end",
    ] {
        assert_eq!(ot.get(t), Some(&1), "{t}");
    }
    assert_eq!(s.summary.counts.plan_updates, 1); // Plan item_completed
    assert_eq!(s.summary.counts.tool_calls, 3); // tool_search, mcp figma, image_generation
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("iVBORw0KGgo"), "image data leaked");
    assert!(!json.contains("gAAAAAB"), "encrypted content leaked");
    assert_eq!(s.metadata["multi_agent_version"], "v2");
    assert!(!s.metadata.contains_key("session_group")); // session_id == id
}

#[test]
fn fork_skips_the_copied_prefix() {
    let ss = case("fork_copied_prefix");
    assert_eq!(ss.len(), 2);
    let parent = get(&ss, "019cb0a1-1111-7aaa-8bbb-0123456789ab");
    let fork = get(&ss, "019cb0bd-2222-7ccc-8ddd-ba9876543210");
    // Parent: tc1 (10000,8000,200,100) = 10200; tc2 - tc1 = (11000,9000,300,150) -> in 2000, cr 9000 = 11300.
    assert_eq!(parent.summary.usage, usage(4000, 17000, 500, 250));
    assert_eq!(parent.summary.usage.total(), 21500);
    // Fork: copied tc1/tc2 set the baseline (21000,17000,500,250); the first own token_count
    // re-emits it (skipped); then (33000,27000,800,400) - baseline = (12000,10000,300,150)
    // -> in 2000, cr 10000, out 300, reas 150 = 12300.
    assert_eq!(fork.kind, SessionKind::Fork);
    assert_eq!(
        fork.parent.as_deref(),
        Some("codex:019cb0a1-1111-7aaa-8bbb-0123456789ab")
    );
    assert_eq!(parent.children, vec![fork.key.clone()]);
    assert_eq!(fork.summary.usage, usage(2000, 10000, 300, 150));
    assert_eq!(fork.summary.usage.total(), 12300);
    // The copy (parent meta + 14 lines) is kept, inherited, never counted.
    assert_eq!(fork.events.iter().filter(|e| e.inherited).count(), 11);
    assert_eq!(fork.summary.counts.user_prompts, 1);
    assert_eq!(
        texts(fork, "user_prompt"),
        vec!["Instead, keep the array but add an index by SKU"]
    );
    assert_eq!(
        fork.summary.first_prompt.as_deref(),
        Some("Instead, keep the array but add an index by SKU")
    );
    assert_eq!(
        fork.metadata["copied_session_ids"],
        serde_json::json!(["019cb0a1-1111-7aaa-8bbb-0123456789ab"])
    );
    assert_eq!(
        fork.started_at,
        Some("2026-03-05T10:30:12.340Z".parse().unwrap())
    );
    // Grand total across both files: 21500 + 12300.
    let total: u64 = ss.iter().map(|s| s.summary.usage.total()).sum();
    assert_eq!(total, 33800);
}

#[test]
fn subagents_and_internal_runs() {
    let ss = case("subagents");
    assert_eq!(ss.len(), 4);
    let main = get(&ss, "01975a00-aaaa-7bbb-8ccc-000000000001");
    let a = get(&ss, "01975a00-aaaa-7bbb-8ccc-00000000000a");
    let b = get(&ss, "01975a00-aaaa-7bbb-8ccc-00000000000b");
    let c = get(&ss, "01975a00-aaaa-7bbb-8ccc-00000000000c");
    // Main: (5000,4000,150,80) = 5150; (12000,9000,400,200) - that = (7000,5000,250,120) = 7250.
    assert_eq!(main.summary.usage, usage(3000, 9000, 400, 200));
    assert_eq!(main.summary.usage.total(), 12400);
    assert_eq!(main.children.len(), 3);
    // spawn_agent calls carry the key of the thread they spawned (from the output's agent_id).
    let spawned: Vec<&str> = main
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ToolCall {
                subagent: Some(k), ..
            } => Some(k.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(spawned, [a.key.as_str(), b.key.as_str()]);
    // A: thread_spawn without copied context; its first turn shares the second of its meta
    // but is its own (task_started with started_at >= start): nothing inherited.
    assert_eq!(
        (a.kind, a.parent.as_deref()),
        (SessionKind::Subagent, Some(main.key.as_str()))
    );
    assert!(a.events.iter().all(|e| !e.inherited));
    assert_eq!(
        texts(a, "user_prompt"),
        vec!["List every caller of verify_token"]
    );
    assert_eq!(a.summary.usage, usage(6000, 0, 250, 100)); // 6250
    assert_eq!(a.models, vec!["gpt-5.5-mini"]);
    assert_eq!(a.metadata["agent_nickname"], "Nova");
    assert_eq!(a.metadata["session_group"], main.id.as_str());
    // B: fork_context copy (parent meta + first turn incl. tc (5000,4000,150,80)) is inherited;
    // own (9000,7000,330,160) - (5000,4000,150,80) = (4000,3000,180,80) -> in 1000, cr 3000 = 4180.
    assert_eq!(
        (b.kind, b.parent.as_deref()),
        (SessionKind::Subagent, Some(main.key.as_str()))
    );
    assert_eq!(b.events.iter().filter(|e| e.inherited).count(), 7);
    assert_eq!(b.summary.usage, usage(1000, 3000, 180, 80));
    assert_eq!(
        texts(b, "user_prompt"),
        vec!["Review verify_token for timing attacks"]
    );
    // Every tool result in B has its call in B (the copied spawn call is kept, inherited).
    assert_eq!(b.summary.counts.tool_calls, 0);
    // C: review sub-agent -> Internal, parent from top-level parent_thread_id. 3000-1000 = 2000 in.
    assert_eq!(
        (c.kind, c.parent.as_deref()),
        (SessionKind::Internal, Some(main.key.as_str()))
    );
    assert_eq!(c.summary.usage, usage(2000, 1000, 100, 0));
    // 12400 + 6250 + 4180 + 3100
    assert_eq!(
        ss.iter().map(|s| s.summary.usage.total()).sum::<u64>(),
        25930
    );
}

#[test]
fn interrupted_turn_keeps_event_only_text() {
    let ss = case("interrupted_events_without_items");
    let s = &ss[0];
    // (3000,1024,90,64) -> in 1976, cr 1024 = 3090; (6500,3072,200,64) - that = (3500,2048,110,0)
    // -> in 1452, cr 2048, out 110 = 3610. Sum 6700.
    assert_eq!(s.summary.usage, usage(3428, 3072, 200, 64));
    assert_eq!(
        texts(s, "assistant_text"),
        vec![
            "Added /ping; it replies with pong.",
            "I'll start by reading src/stats.rs.",
            "All 12 tests pass."
        ]
    );
    assert_eq!(s.summary.counts.reasoning_blocks, 2);
    // The interrupted turn's text comes before the next prompt, in time order.
    let kinds: Vec<&str> = s.events.iter().map(|e| e.kind_name()).collect();
    assert_eq!(
        kinds,
        [
            "user_prompt",
            "model_call",
            "reasoning",
            "assistant_text",
            "user_prompt",
            "reasoning",
            "assistant_text",
            "opaque",
            "user_prompt",
            "model_call",
            "assistant_text"
        ]
    );
    assert_eq!(s.git.branch.as_deref(), Some("dev"));
}

#[test]
fn token_count_edge_cases() {
    let ss = case("token_edge_cases");
    let s = &ss[0];
    // null info: skip | (1000,0,50,0): +1050 | re-emit: skip
    // (2500,800,120,40) - (1000,0,50,0) = (1500,800,70,40) -> in 700, cr 800, out 70, reas 40 = 1570
    // estimate (same total, last only total_tokens): skip
    // reset to the context window (zero components; last has only total_tokens): skip, new baseline 0
    // (3000,1000,100,20) - 0 -> in 2000, cr 1000, out 100, reas 20 = 3100
    // total went down to (500,0,30,0) with a real last_token_usage (500,0,30,0) -> +530
    // re-emit: skip | only cached moved (input and output deltas 0): ignored
    // Sum: in 1000+700+2000+500 = 4200, cr 800+1000 = 1800, out 50+70+100+30 = 250, reas 60 = 6250.
    assert_eq!(s.summary.usage, usage(4200, 1800, 250, 60));
    assert_eq!(s.summary.usage.total(), 6250);
    assert_eq!(s.events_of("model_call").count(), 4);
    assert_eq!(s.metadata["originator"], "codex_exec");
    assert_eq!(s.metadata["source"], "exec");
    // Usage keys are distinct per call.
    let keys: std::collections::HashSet<&str> = s
        .events
        .iter()
        .filter_map(|e| e.usage.as_ref().map(|u| u.dedup_key.as_str()))
        .collect();
    assert_eq!(keys.len(), 4);
}

#[test]
fn compaction_records_collapse_per_compaction() {
    let ss = case("compaction");
    let s = &ss[0];
    // +50900 (10000 in, 40000 cr, 900 out, 300 reas); the summarisation call
    // (62000,48000,1400,350) - (50000,40000,900,300) = (12000,8000,500,50) -> 4000 in = 12500;
    // the recompute estimate is skipped; (70000,52000,1600,400) - (62000,48000,1400,350)
    // = (8000,4000,200,50) -> 4000 in = 8200. Sum 71600.
    assert_eq!(s.summary.usage, usage(18000, 52000, 1600, 400));
    assert_eq!(s.summary.usage.total(), 71600);
    // compacted + context_compacted = one compaction; compaction item + context_compacted = one.
    assert_eq!(s.summary.counts.compactions, 2);
    let comps: Vec<&EventKind> = s.events_of("compaction").map(|e| &e.kind).collect();
    assert!(
        matches!(comps[0], EventKind::Compaction { summary: Some(t), .. } if t.starts_with("Summary: migrated 14"))
    );
    assert!(matches!(
        comps[1],
        EventKind::Compaction { summary: None, .. }
    ));
    // The summary re-injected as a user message is context, not a prompt.
    assert_eq!(context_sources(s), vec!["compact_summary"]);
    assert_eq!(
        texts(s, "user_prompt"),
        vec!["Migrate all handlers to the new router", "continue"]
    );
}

#[test]
fn thread_rollback_marks_abandoned_turns() {
    let ss = case("thread_rolled_back");
    let s = &ss[0];
    // 3100 + (4000,2800,150,64 -> 1200 in) 4150 + (4000,3800,80,0 -> 200 in) 4080 = 11330;
    // the rolled-back turn still happened, so it is still counted.
    assert_eq!(s.summary.usage, usage(4400, 6600, 330, 64));
    assert_eq!(s.summary.usage.total(), 11330);
    assert_eq!(s.summary.counts.user_prompts, 3);
    let abandoned: Vec<&str> = s
        .events
        .iter()
        .filter(|e| e.abandoned)
        .map(|e| e.kind_name())
        .collect();
    assert_eq!(
        abandoned,
        ["user_prompt", "reasoning", "assistant_text", "model_call"]
    );
    let prompt_b = s
        .events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::UserPrompt { text, .. } if text.starts_with("B:")));
    assert!(prompt_b.unwrap().abandoned);
    assert_eq!(s.summary.opaque_types["event_msg/thread_rolled_back"], 1);
    assert!(
        s.events.iter().filter(|e| !e.abandoned).any(
            |e| matches!(&e.kind, EventKind::UserPrompt { text, .. } if text.starts_with("C:"))
        )
    );
}

#[test]
fn corrupt_lines_are_reported_and_skipped() {
    let ss = case("corrupt_lines");
    let s = &ss[0];
    assert_eq!(
        warnings(s),
        vec![
            (Some(5), WarningKind::InvalidJson),
            (Some(6), WarningKind::InvalidJson),
            (Some(8), WarningKind::InvalidUtf8),
            (Some(9), WarningKind::InvalidUtf8),
            (Some(10), WarningKind::BlankLine),
            (Some(13), WarningKind::OrphanToolResult),
            (Some(14), WarningKind::TruncatedTail),
        ]
    );
    // (2000,500,80,0) -> in 1500, cr 500, out 80 = 2080.
    assert_eq!(s.summary.usage, usage(1500, 500, 80, 0));
    let c = &s.summary.counts;
    assert_eq!(
        (
            c.user_prompts,
            c.tool_calls,
            c.assistant_messages,
            c.opaque_records
        ),
        (1, 1, 1, 1)
    );
    // The orphan output is kept as an opaque record, not as an unpaired result.
    assert_eq!(
        s.summary.opaque_types["response_item/function_call_output"],
        1
    );
    assert_eq!(s.events_of("tool_result").count(), 1);
    assert_eq!(
        texts(s, "assistant_text"),
        vec!["Bytes: ff fe 01 0a \u{FFFD} (emoji cut)"]
    );
}

#[test]
fn empty_file_and_meta_only_rollout() {
    let dir = case_dir("empty_and_meta_only");
    let (disc, outs) = common::read_case(&CodexAdapter, &dir);
    assert_eq!(disc.sources.len(), 2);
    // The 0-byte file: no session, one EmptyFile warning on the source.
    let empty = &outs[0];
    assert!(empty.sessions.is_empty());
    assert_eq!(
        empty.warnings.iter().map(|w| w.kind).collect::<Vec<_>>(),
        vec![WarningKind::EmptyFile]
    );
    // The meta-only rollout (2025 TUI start without a prompt): a session with no events.
    let s = &outs[1].sessions[0];
    assert_eq!(s.id, "5e8a1c2d-3b4f-4a6e-9d0c-7f1e2a3b4c5d");
    assert!(s.events.is_empty());
    assert_eq!(s.cwd.as_deref(), Some("/home/kim/scratch"));
    assert_eq!(s.agent_version.as_deref(), Some("0.36.0"));
    assert_eq!(
        s.started_at,
        Some("2025-09-21T08:30:00.101Z".parse().unwrap())
    );
    assert!(s.summary.usage.is_zero());
}

#[test]
fn archived_duplicates_and_session_index() {
    let dir = case_dir("archived_and_index");
    let root = dir.join("root");
    let disc = CodexAdapter.discover(std::slice::from_ref(&root)).unwrap();
    let rel: Vec<String> = disc
        .sources
        .iter()
        .map(|s| s.path.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    // Listed once (sessions/ preferred), sorted; side files, .json and .txt ignored.
    assert_eq!(
        rel,
        vec![
            "archived_sessions/rollout-2025-11-04T09-00-00-019a3100-1111-7222-8333-444455557777.jsonl",
            "sessions/2025/11/03/rollout-2025-11-03T11-00-00-019a3000-1111-7222-8333-444455556666.jsonl",
        ]
    );
    for s in &disc.sources {
        assert_eq!(s.related, vec![root.join("session_index.jsonl")]);
    }
    let ss = case("archived_and_index");
    let y1 = get(&ss, "019a3000-1111-7222-8333-444455556666");
    let y2 = get(&ss, "019a3100-1111-7222-8333-444455557777");
    assert_eq!(y1.title.as_deref(), Some("Hero image resolution")); // last index entry wins
    assert_eq!(y2.title.as_deref(), Some("Sitemap"));
    // Y1 (4000,1000,200,0) = 4200; Y2 (2500,0,90,30) = 2590.
    assert_eq!(y1.summary.usage, usage(3000, 1000, 200, 0));
    assert_eq!(y2.summary.usage, usage(2500, 0, 90, 30));
    assert_eq!(y1.metadata["originator"], "codex_vscode");
}

fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&t).unwrap();
            copy_tree(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

fn compress(from: &Path, to: &Path) {
    let data = std::fs::read(from).unwrap();
    std::fs::write(to, zstd::encode_all(&data[..], 3).unwrap()).unwrap();
}

#[test]
fn zst_rollouts_are_read_and_plain_files_win() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join(".codex");
    let src_root = case_dir("v053_sandbox_mode_parallel").join("root");
    let rel = "sessions/2025/10/30/rollout-2025-10-30T17-20-00-019a2c11-8e40-7b21-a3f9-5d6e7f801234.jsonl";
    let day = home.join("sessions/2025/10/30");
    std::fs::create_dir_all(&day).unwrap();
    // Only the compressed file: read through the decoder, same totals as the plain fixture.
    let zst = home.join(format!("{rel}.zst"));
    compress(&src_root.join(rel), &zst);
    let d = CodexAdapter.discover(std::slice::from_ref(&home)).unwrap();
    assert_eq!(
        d.sources.iter().map(|s| s.path.clone()).collect::<Vec<_>>(),
        vec![zst.clone()]
    );
    let out = CodexAdapter
        .read(&d.sources[0], &ReadOptions::default())
        .unwrap();
    let s = &out.sessions[0];
    assert_eq!(s.summary.usage.total(), 18150);
    assert_eq!(s.summary.counts.tool_calls, 3);
    assert!(s.warnings.is_empty());
    // Plain and compressed both present: the plain file wins; archived copies are dropped.
    std::fs::copy(src_root.join(rel), home.join(rel)).unwrap();
    std::fs::create_dir_all(home.join("archived_sessions")).unwrap();
    compress(
        &src_root.join(rel),
        &home
            .join("archived_sessions")
            .join(zst.file_name().unwrap()),
    );
    let d = CodexAdapter.discover(std::slice::from_ref(&home)).unwrap();
    assert_eq!(
        d.sources.iter().map(|s| s.path.clone()).collect::<Vec<_>>(),
        vec![home.join(rel)]
    );
    // An archived .zst of another session (flat) is found.
    let other = case_dir("token_edge_cases").join("root/sessions/2025/12/01");
    let name = "rollout-2025-12-01T13-00-00-019b7c00-1234-7abc-8def-0123456789ee.jsonl";
    compress(
        &other.join(name),
        &home.join("archived_sessions").join(format!("{name}.zst")),
    );
    let d = CodexAdapter.discover(std::slice::from_ref(&home)).unwrap();
    assert_eq!(d.sources.len(), 2);
    let out = CodexAdapter
        .read(&d.sources[0], &ReadOptions::default())
        .unwrap();
    assert_eq!(out.sessions[0].summary.usage.total(), 6250);
}

#[test]
fn codex_home_and_missing_roots() {
    let tmp = tempfile::tempdir().unwrap();
    let custom = tmp.path().join("custom-codex");
    std::fs::create_dir_all(&custom).unwrap();
    copy_tree(&case_dir("fork_copied_prefix").join("root"), &custom);
    let env = Environment::new(tmp.path().join("home"))
        .with_var("CODEX_HOME", custom.display().to_string());
    let roots = CodexAdapter.default_roots(&env);
    assert_eq!(roots, vec![custom.clone()]);
    assert_eq!(CodexAdapter.discover(&roots).unwrap().sources.len(), 2);
    // Empty CODEX_HOME falls back to ~/.codex, which does not exist: no sources, no error.
    let env = Environment::new(tmp.path().join("home")).with_var("CODEX_HOME", "");
    let roots = CodexAdapter.default_roots(&env);
    assert_eq!(roots, vec![tmp.path().join("home/.codex")]);
    let d = CodexAdapter.discover(&roots).unwrap();
    assert!(d.sources.is_empty() && d.warnings.is_empty());
    // A sessions folder given directly as a root also works.
    let d = CodexAdapter.discover(&[custom.join("sessions")]).unwrap();
    assert_eq!(d.sources.len(), 2);
}

#[test]
fn summary_mode_and_repeat_reads_agree() {
    for c in common::cases("codex") {
        let (disc, full) = common::read_case(&CodexAdapter, &c);
        let again: Vec<_> = disc
            .sources
            .iter()
            .map(|s| CodexAdapter.read(s, &ReadOptions::default()).unwrap())
            .collect();
        for (a, b) in full.iter().zip(&again) {
            let ja = serde_json::to_string(&a.sessions).unwrap();
            assert_eq!(
                ja,
                serde_json::to_string(&b.sessions).unwrap(),
                "{}",
                c.display()
            );
        }
        for (src, out) in disc.sources.iter().zip(&full) {
            let lean = CodexAdapter
                .read(
                    src,
                    &ReadOptions {
                        retain_events: false,
                    },
                )
                .unwrap();
            for (a, b) in out.sessions.iter().zip(&lean.sessions) {
                assert!(b.events.is_empty());
                assert_eq!(a.summary.counts, b.summary.counts, "{}", src.path.display());
                assert_eq!(a.summary.usage, b.summary.usage);
                assert_eq!(a.started_at, b.started_at);
            }
        }
    }
}

#[test]
fn invariants_hold_for_every_case() {
    for c in common::cases("codex") {
        for s in common::sessions_of(&CodexAdapter, &c) {
            let mut last = None;
            let mut calls = std::collections::HashSet::new();
            for e in &s.events {
                if let Some(t) = e.timestamp {
                    assert!(last.is_none_or(|l| l <= t), "{}: timestamps go back", s.key);
                    last = Some(t);
                }
                match &e.kind {
                    EventKind::ToolCall { call_id, .. } => {
                        calls.insert(call_id.clone());
                    }
                    EventKind::ToolResult { call_id, .. } => {
                        assert!(calls.contains(call_id), "{}: orphan {call_id}", s.key)
                    }
                    EventKind::UserPrompt { text, .. } => {
                        assert!(
                            !text.trim_start().starts_with("<environment_context>"),
                            "{}",
                            s.key
                        )
                    }
                    _ => {}
                }
            }
        }
    }
}
