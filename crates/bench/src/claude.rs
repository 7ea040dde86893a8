//! Claude Code transcripts (2.0.x/2.1.x shape: one line per content block).

use crate::text::{output, prose, prose_n};
use crate::{CorpusStats, Out, Rng};
use serde_json::{Value, json};
use std::path::Path;

/// Write one transcript of about `target` bytes.
pub fn write_transcript(
    home: &Path,
    rng: &mut Rng,
    n: usize,
    target: u64,
    stats: &mut CorpusStats,
) -> std::io::Result<()> {
    let session = rng.uuid();
    let cwd = format!("/home/dev/src/app_{}", n % 23);
    let dir: String = cwd
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let path = home
        .join(".claude/projects")
        .join(dir)
        .join(format!("{session}.jsonl"));
    let mut out = Out::create(&path)?;
    let mut ms = 1_760_000_000_000 + rng.below(31_000_000_000) as i64;
    let model = *rng.pick(&[
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-1-20250805",
        "claude-haiku-4-5-20251001",
    ]);
    let mut parent: Option<String> = None;
    let mut tick = |rng: &mut Rng, max: u64| {
        ms += 1 + rng.below(max) as i64;
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default()
    };
    let base = |uuid: &str, parent: &Option<String>, ts: &str| -> Value {
        json!({"parentUuid": parent, "isSidechain": false, "userType": "external", "cwd": cwd, "sessionId": session,
               "version": "2.0.50", "gitBranch": "main", "uuid": uuid, "timestamp": ts})
    };
    while out.bytes < target {
        let uuid = rng.uuid();
        let ts = tick(rng, 90_000);
        let mut user = base(&uuid, &parent, &ts);
        user["type"] = json!("user");
        user["message"] = json!({"role": "user", "content": prose_n(rng, 30, 800)});
        out.line(&user)?;
        parent = Some(uuid);
        let calls = 1 + rng.below(6);
        for call in 0..calls {
            let msg_id = format!("msg_{:024x}", rng.next_u64());
            let req = format!("req_{:024x}", rng.next_u64());
            stats.model_calls += 1;
            let usage_final = json!({"input_tokens": rng.below(50) + 3, "cache_creation_input_tokens": rng.below(8_000),
                "cache_read_input_tokens": 10_000 + rng.below(90_000), "output_tokens": 40 + rng.below(1_500),
                "service_tier": "standard"});
            stats.tokens += [
                "input_tokens",
                "cache_creation_input_tokens",
                "cache_read_input_tokens",
                "output_tokens",
            ]
            .iter()
            .map(|k| usage_final[*k].as_u64().unwrap_or(0))
            .sum::<u64>();
            let mut usage_stream = usage_final.clone();
            usage_stream["output_tokens"] = json!(1);
            let last = call + 1 == calls;
            let mut blocks: Vec<(Value, bool)> = vec![(
                json!({"type": "thinking", "thinking": prose(rng, 200), "signature": "EqQB"}),
                false,
            )];
            if last {
                blocks.push((
                    json!({"type": "text", "text": prose_n(rng, 300, 1200)}),
                    true,
                ));
            } else {
                blocks.push((json!({"type": "text", "text": prose(rng, 80)}), false));
                let tool_id = format!("toolu_{:020x}", rng.next_u64());
                blocks.push((json!({"type": "tool_use", "id": tool_id, "name": "Bash", "input": {"command": "cargo test", "description": "Run tests"}}), true));
            }
            let mut tool_id = None;
            for (block, is_final) in blocks {
                if block["type"] == "tool_use" {
                    tool_id = block["id"].as_str().map(str::to_string);
                }
                let uuid = rng.uuid();
                let ts = tick(rng, 3_000);
                let mut line = base(&uuid, &parent, &ts);
                line["type"] = json!("assistant");
                line["requestId"] = json!(req);
                line["message"] = json!({"id": msg_id, "type": "message", "role": "assistant", "model": model,
                    "content": [block], "stop_reason": if is_final { json!("end_turn") } else { Value::Null },
                    "stop_sequence": null, "usage": if is_final { usage_final.clone() } else { usage_stream.clone() }});
                out.line(&line)?;
                parent = Some(uuid);
            }
            if let Some(tid) = tool_id {
                let size = (rng.pareto(1.1) * 300.0).min(300_000.0) as usize;
                let text = output(rng, size);
                let uuid = rng.uuid();
                let ts = tick(rng, 20_000);
                let mut line = base(&uuid, &parent, &ts);
                line["type"] = json!("user");
                line["message"] = json!({"role": "user", "content": [{"tool_use_id": tid, "type": "tool_result", "content": text, "is_error": false}]});
                line["toolUseResult"] =
                    json!({"stdout": text, "stderr": "", "interrupted": false, "isImage": false});
                out.line(&line)?;
                parent = Some(uuid);
            }
        }
        if rng.below(4) == 0 {
            out.line(&json!({"type": "file-history-snapshot", "messageId": parent, "snapshot": {"messageId": parent, "trackedFileBackups": {}, "timestamp": tick(rng, 10)}, "isSnapshotUpdate": false}))?;
        }
    }
    stats.bytes += out.finish()?;
    stats.files += 1;
    Ok(())
}
