//! Codex CLI rollouts (generation B envelope, 2026 shape).

use crate::text::{blob_n, output, prose};
use crate::{CorpusStats, Out, Rng};
use serde_json::{Value, json};
use std::path::Path;

struct Clock(i64);

impl Clock {
    fn tick(&mut self, rng: &mut Rng, max_ms: u64) -> String {
        self.0 += 1 + rng.below(max_ms) as i64;
        jiff::Timestamp::from_millisecond(self.0)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default()
    }
}

fn env(ts: &str, ty: &str, payload: Value) -> Value {
    json!({"timestamp": ts, "type": ty, "payload": payload})
}

/// Write one rollout of about `target` bytes.
pub fn write_rollout(
    home: &Path,
    rng: &mut Rng,
    n: usize,
    target: u64,
    stats: &mut CorpusStats,
) -> std::io::Result<()> {
    let id = rng.uuid();
    let start_ms = 1_760_000_000_000 + rng.below(31_000_000_000) as i64;
    let start = jiff::Timestamp::from_millisecond(start_ms).unwrap_or_default();
    let day = start.strftime("%Y/%m/%d").to_string();
    let stamp = start.strftime("%Y-%m-%dT%H-%M-%S").to_string();
    let path = home
        .join(".codex/sessions")
        .join(day)
        .join(format!("rollout-{stamp}-{id}.jsonl"));
    let mut out = Out::create(&path)?;
    let mut clock = Clock(start_ms);
    let cwd = format!("/home/dev/src/project-{}", n % 37);
    let model = *rng.pick(&["gpt-5-codex", "gpt-5.1-codex", "gpt-5.3-codex", "gpt-5"]);
    let ts = clock.tick(rng, 50);
    out.line(&env(&ts, "session_meta", json!({
        "id": id, "timestamp": ts, "cwd": cwd, "originator": "codex_cli_rs", "cli_version": "0.107.0",
        "source": "cli", "model_provider": "openai",
        "base_instructions": {"text": prose(rng, 3000)},
        "git": {"commit_hash": format!("{:040x}", rng.next_u64()), "branch": "main", "repository_url": format!("git@github.com:dev/project-{}.git", n % 37)}
    })))?;
    let (mut input, mut cached, mut output_t, mut reasoning) = (0u64, 0u64, 0u64, 0u64);
    let mut turn = 0;
    while out.bytes < target {
        turn += 1;
        let turn_id = rng.uuid();
        let ts = clock.tick(rng, 60_000);
        out.line(&env(
            &ts,
            "turn_context",
            json!({
                "turn_id": turn_id, "cwd": cwd, "approval_policy": "on-request",
                "sandbox_policy": {"type": "workspace-write", "network_access": false},
                "model": model, "effort": "medium", "summary": "auto"
            }),
        ))?;
        out.line(&env(
            &clock.tick(rng, 5),
            "event_msg",
            json!({"type": "task_started", "turn_id": turn_id, "model_context_window": 258400}),
        ))?;
        if turn == 1 {
            let envc = format!(
                "<environment_context>\n  <cwd>{cwd}</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>workspace-write</sandbox_mode>\n</environment_context>"
            );
            out.line(&env(&clock.tick(rng, 5), "response_item", json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": envc}]})))?;
        }
        let prompt = {
            let len = 40 + rng.below(600) as usize;
            prose(rng, len)
        };
        let ts = clock.tick(rng, 5);
        out.line(&env(&ts, "response_item", json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": prompt}]})))?;
        out.line(&env(
            &ts,
            "event_msg",
            json!({"type": "user_message", "message": prompt, "images": []}),
        ))?;
        let steps = 1 + rng.below(8);
        for step in 0..steps {
            let summary = format!("**Step {step}**\n\n{}", prose(rng, 120));
            let ts = clock.tick(rng, 8_000);
            out.line(&env(&ts, "response_item", json!({"type": "reasoning", "summary": [{"type": "summary_text", "text": summary}], "content": null, "encrypted_content": blob_n(rng, 1000, 5000)})))?;
            out.line(&env(
                &ts,
                "event_msg",
                json!({"type": "agent_reasoning", "text": summary}),
            ))?;
            let call_id = format!("call_{:016x}", rng.next_u64());
            let cmd = format!("rg -n \"{}\" src", prose(rng, 12).replace('\n', " "));
            out.line(&env(&clock.tick(rng, 50), "response_item", json!({"type": "function_call", "name": "shell_command", "arguments": json!({"command": cmd, "workdir": cwd}).to_string(), "call_id": call_id})))?;
            let size = (rng.pareto(1.1) * 400.0).min(400_000.0) as usize;
            let text = format!(
                "Exit code: 0\nWall time: 0.{} seconds\nOutput:\n{}",
                rng.below(9),
                output(rng, size)
            );
            out.line(&env(
                &clock.tick(rng, 3_000),
                "response_item",
                json!({"type": "function_call_output", "call_id": call_id, "output": text}),
            ))?;
            let last_in = 8_000 + rng.below(60_000);
            let last_cached = last_in * rng.below(90) / 100;
            let last_out = 50 + rng.below(2_000);
            let last_reason = last_out * rng.below(80) / 100;
            input += last_in;
            cached += last_cached;
            output_t += last_out;
            reasoning += last_reason;
            stats.model_calls += 1;
            stats.tokens += last_in + last_out;
            let info = json!({
                "total_token_usage": {"input_tokens": input, "cached_input_tokens": cached, "output_tokens": output_t, "reasoning_output_tokens": reasoning, "total_tokens": input + output_t},
                "last_token_usage": {"input_tokens": last_in, "cached_input_tokens": last_cached, "output_tokens": last_out, "reasoning_output_tokens": last_reason, "total_tokens": last_in + last_out},
                "model_context_window": 258400
            });
            let limits = json!({"primary": {"used_percent": 14.0, "window_minutes": 300, "resets_at": 1772475000}, "secondary": null, "credits": null, "plan_type": "plus"});
            let ts = clock.tick(rng, 200);
            out.line(&env(
                &ts,
                "event_msg",
                json!({"type": "token_count", "info": info, "rate_limits": limits}),
            ))?;
            if rng.below(3) == 0 {
                // A rate-limit refresh re-emits the same totals: not a new call.
                out.line(&env(
                    &clock.tick(rng, 200),
                    "event_msg",
                    json!({"type": "token_count", "info": info, "rate_limits": limits}),
                ))?;
            }
        }
        let answer = {
            let len = 200 + rng.below(1500) as usize;
            prose(rng, len)
        };
        let ts = clock.tick(rng, 4_000);
        out.line(&env(&ts, "response_item", json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": answer}], "phase": "final_answer"})))?;
        out.line(&env(
            &ts,
            "event_msg",
            json!({"type": "agent_message", "message": answer, "phase": "final_answer"}),
        ))?;
        out.line(&env(
            &clock.tick(rng, 20),
            "event_msg",
            json!({"type": "task_complete", "turn_id": turn_id, "last_agent_message": answer}),
        ))?;
    }
    stats.bytes += out.finish()?;
    stats.files += 1;
    Ok(())
}
