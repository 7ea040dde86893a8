//! Test-only fixtures: a few sessions built with the model API, with hostile content, and
//! a console over them (the in-memory store, UTC, no token).
#![allow(dead_code)]

pub mod big;

use convx_model::{
    Agent, Attachment, CallUsage, Event, EventKind, PlanStep, PlanStepStatus, Session, SessionKind,
    Timestamp, Usage,
};
use convx_web::memory::MemoryData;
use convx_web::security::Access;
use convx_web::server::{self, Config};
use jiff::tz::TimeZone;
use serde_json::json;
use std::sync::Arc;

/// A prompt that tries to run script three ways. If any of it ever executes in a browser,
/// `document.title` becomes `PWNED` and `window.__pwned` is set.
pub const HOSTILE_PROMPT: &str = "Fix the checkout <script>document.title='PWNED';window.__pwned=1</script> \
and <img src=x onerror=\"document.title='PWNED';window.__pwned=2\"> please\n\n[click](javascript:window.__pwned=3)";

/// A tool output with the same payloads.
pub const HOSTILE_OUTPUT: &str = "<script>document.title='PWNED';window.__pwned=4</script>\n<img src=x onerror=\"window.__pwned=5\">\nAll 12 tests passed";

fn ts(s: &str) -> Option<Timestamp> {
    Some(s.parse().expect("valid fixture time"))
}

fn ev(kind: EventKind, at: &str) -> Event {
    Event::new(kind).at(ts(at))
}

fn usage(
    model: &str,
    key: &str,
    input: u64,
    cache_read: u64,
    output: u64,
    reasoning: u64,
) -> Option<CallUsage> {
    Some(CallUsage::new(
        Some(model.into()),
        Usage {
            input,
            cache_creation: 0,
            cache_read,
            output,
            reasoning,
        },
        key,
    ))
}

fn prompt(text: &str, at: &str) -> Event {
    ev(
        EventKind::UserPrompt {
            text: text.into(),
            attachments: vec![],
        },
        at,
    )
}

fn reply(text: &str, at: &str, u: Option<CallUsage>) -> Event {
    let mut e = ev(EventKind::AssistantText { text: text.into() }, at);
    e.usage = u;
    e
}

fn call(id: &str, name: &str, input: serde_json::Value, at: &str) -> Event {
    ev(
        EventKind::ToolCall {
            call_id: id.into(),
            name: name.into(),
            input,
            subagent: None,
        },
        at,
    )
}

fn result(id: &str, output: &str, is_error: bool, at: &str) -> Event {
    ev(
        EventKind::ToolResult {
            call_id: id.into(),
            output: output.into(),
            is_error,
        },
        at,
    )
}

/// The Codex session with hostile content, errors, a plan and reasoning.
pub fn codex_shop() -> Session {
    let mut s = Session::new(Agent::Codex, "0199a-shop");
    s.cwd = Some("/home/ana/src/shop".into());
    s.git.branch = Some("fix/checkout".into());
    s.git.commit = Some("3f2a9c1".into());
    s.agent_version = Some("0.63.0".into());
    s.push(ev(
        EventKind::Context {
            source: "environment_context".into(),
            text: "<cwd>/home/ana/src/shop</cwd>".into(),
        },
        "2026-03-02T09:00:00Z",
    ));
    let mut p = prompt(HOSTILE_PROMPT, "2026-03-02T09:00:05Z");
    if let EventKind::UserPrompt { attachments, .. } = &mut p.kind {
        attachments.push(Attachment {
            kind: "image".into(),
            media_type: Some("image/png".into()),
            size_bytes: Some(48213),
            name: Some("screenshot.png".into()),
        });
    }
    s.push(p);
    s.push(ev(
        EventKind::Reasoning {
            text: "The **checkout** total is computed twice; check `cart.rs`.".into(),
            encrypted: false,
        },
        "2026-03-02T09:00:09Z",
    ));
    s.push(ev(
        EventKind::PlanUpdate {
            explanation: Some("Plan for the fix".into()),
            steps: vec![
                PlanStep {
                    text: "Reproduce the double charge".into(),
                    status: PlanStepStatus::Completed,
                },
                PlanStep {
                    text: "Fix <b>total</b> computation".into(),
                    status: PlanStepStatus::InProgress,
                },
                PlanStep {
                    text: "Add a regression test".into(),
                    status: PlanStepStatus::Pending,
                },
            ],
        },
        "2026-03-02T09:00:10Z",
    ));
    let mut c = call(
        "c1",
        "shell",
        json!({"command": ["bash", "-lc", "cargo test -p shop"], "workdir": "/home/ana/src/shop"}),
        "2026-03-02T09:00:12Z",
    );
    c.usage = usage("gpt-5-codex", "codex-1", 12_000, 30_000, 800, 300);
    s.push(c);
    s.push(result("c1", HOSTILE_OUTPUT, false, "2026-03-02T09:00:40Z"));
    s.push(call("c2", "apply_patch", json!({"input": "*** Begin Patch\n*** Update File: src/cart.rs\n-    total += item.price;\n+    total = item.price;\n*** End Patch"}), "2026-03-02T09:01:00Z"));
    s.push(result(
        "c2",
        "error: patch does not apply to src/cart.rs",
        true,
        "2026-03-02T09:01:01Z",
    ));
    s.push(reply(
        "Fixed the **double charge** in `cart.rs`:\n\n```rust\ntotal = item.price;\n```\n\nSee <b>notes</b>.",
        "2026-03-02T09:02:30Z",
        usage("gpt-5-codex", "codex-2", 4_000, 44_000, 1_200, 0),
    ));
    s.push(prompt(
        "Now add the regression test for the migration",
        "2026-03-02T09:10:00Z",
    ));
    s.push(reply(
        "Added `tests/checkout.rs`; the migration test passes.",
        "2026-03-02T09:14:00Z",
        usage("gpt-5-codex", "codex-3", 2_000, 50_000, 900, 100),
    ));
    s
}

/// A Claude session with a sub-agent.
pub fn claude_api() -> Session {
    let mut s = Session::new(Agent::Claude, "7c1e-api");
    s.cwd = Some("/home/ana/src/api".into());
    s.title = Some("Speed up the orders endpoint".into());
    s.children = vec!["claude:7c1e-api-agent".into()];
    s.push(prompt(
        "The orders endpoint is slow, find why",
        "2026-03-03T14:00:00Z",
    ));
    let mut c = call(
        "t1",
        "Task",
        json!({"description": "Profile the orders query", "prompt": "Find slow SQL"}),
        "2026-03-03T14:00:05Z",
    );
    if let EventKind::ToolCall { subagent, .. } = &mut c.kind {
        *subagent = Some("claude:7c1e-api-agent".into());
    }
    c.usage = usage("claude-sonnet-4-5", "msg_01", 3, 20_000, 150, 0);
    s.push(c);
    s.push(result(
        "t1",
        "The query lacks an index on orders.customer_id",
        false,
        "2026-03-03T14:03:00Z",
    ));
    s.push(reply(
        "Added an index on `orders.customer_id`: p95 went from 900 ms to 40 ms.",
        "2026-03-03T14:05:00Z",
        usage("claude-sonnet-4-5", "msg_02", 5, 24_000, 400, 0),
    ));
    s
}

/// The sub-agent of [`claude_api`].
pub fn claude_agent() -> Session {
    let mut s = Session::new(Agent::Claude, "7c1e-api-agent");
    s.cwd = Some("/home/ana/src/api".into());
    s.kind = SessionKind::Subagent;
    s.parent = Some("claude:7c1e-api".into());
    s.push(prompt("Find slow SQL", "2026-03-03T14:00:06Z"));
    s.push(call(
        "g1",
        "Grep",
        json!({"pattern": "SELECT .* FROM orders"}),
        "2026-03-03T14:00:10Z",
    ));
    s.push(result(
        "g1",
        "src/orders.rs:42: SELECT * FROM orders WHERE customer_id = $1",
        false,
        "2026-03-03T14:00:11Z",
    ));
    s.push(reply(
        "The query lacks an index on orders.customer_id",
        "2026-03-03T14:02:50Z",
        usage("claude-haiku-4-5", "msg_a1", 100, 5_000, 200, 0),
    ));
    s
}

/// A Gemini session without a working directory.
pub fn gemini_notes() -> Session {
    let mut s = Session::new(Agent::Gemini, "g-notes");
    s.push(prompt(
        "Summarize the release notes",
        "2026-03-04T08:00:00Z",
    ));
    s.push(reply(
        "Three fixes and one feature.",
        "2026-03-04T08:00:30Z",
        usage("gemini-2.5-pro", "gem-1", 900, 0, 300, 120),
    ));
    s
}

/// An OpenCode session with a recorded cost.
pub fn opencode_shop() -> Session {
    let mut s = Session::new(Agent::OpenCode, "oc-shop");
    s.cwd = Some("/home/ana/src/shop".into());
    s.push(prompt("Rename cart to basket", "2026-03-04T16:00:00Z"));
    let mut r = reply(
        "Renamed in 14 files.",
        "2026-03-04T16:03:00Z",
        usage("claude-sonnet-4-5", "oc-1", 1_000, 10_000, 600, 0),
    );
    if let Some(u) = &mut r.usage {
        u.recorded_cost_usd = Some(0.0412);
    }
    s.push(r);
    s
}

/// Every fixture session, finished like the loader does (children linked).
pub fn sessions() -> Vec<Session> {
    vec![
        codex_shop(),
        claude_api(),
        claude_agent(),
        gemini_notes(),
        opencode_shop(),
    ]
}

/// The in-memory store over the fixtures, with one archive link.
pub fn data() -> MemoryData {
    MemoryData::new(sessions(), TimeZone::UTC).with_archive_link(
        "codex:0199a-shop",
        "history/ana/codex/host/src/shop/2026-03-02-0900-fix-the-checkout.md",
    )
}

/// The console over the fixtures, loopback only.
pub fn app() -> axum::Router {
    app_with(Access {
        port: 7420,
        ..Access::default()
    })
}

/// The console over the fixtures with a given access policy.
pub fn app_with(access: Access) -> axum::Router {
    server::router(
        Arc::new(data()),
        Config {
            tz: TimeZone::UTC,
            access,
        },
    )
}

/// About 40 generated, harmless sessions over three weeks (five agents, five projects,
/// several models), so lists and charts look like a real home. Deterministic.
pub fn showcase() -> Vec<Session> {
    const PROJECTS: [&str; 5] = ["shop", "api", "infra", "docs-site", "ml-pipeline"];
    const TASKS: [&str; 8] = [
        "Fix the flaky login test",
        "Add pagination to the orders API",
        "Migrate the CI to the new runners",
        "Explain the retry logic in the uploader",
        "Speed up the nightly data import",
        "Write a migration for the invoices table",
        "Review the Terraform plan for staging",
        "Rename the config loader and update callers",
    ];
    let agents: [(Agent, &str); 5] = [
        (Agent::Codex, "gpt-5-codex"),
        (Agent::Claude, "claude-sonnet-4-5"),
        (Agent::Gemini, "gemini-2.5-pro"),
        (Agent::OpenCode, "claude-opus-4-1"),
        (Agent::Copilot, "gpt-5"),
    ];
    let mut seed: u64 = 0x5eed;
    let mut rnd = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let start: Timestamp = "2026-02-10T08:00:00Z".parse().unwrap();
    let mut out = Vec::new();
    for i in 0..40u64 {
        let (agent, model) = agents[rnd(5) as usize];
        let project = PROJECTS[rnd(5) as usize];
        let task = TASKS[rnd(8) as usize];
        let mut s = Session::new(agent, format!("demo-{i:03}"));
        s.cwd = Some(format!("/home/ana/src/{project}"));
        let mut t = start
            .checked_add(jiff::SignedDuration::from_secs(
                (i * 12 * 3600 + rnd(5 * 3600)) as i64,
            ))
            .unwrap();
        let mut step = |secs: u64| {
            t = t
                .checked_add(jiff::SignedDuration::from_secs(secs as i64))
                .unwrap();
            Some(t)
        };
        let turns = 1 + rnd(4);
        for turn in 0..turns {
            let text = if turn == 0 {
                task.to_string()
            } else {
                format!("Also handle the edge case #{turn}")
            };
            s.push(
                Event::new(EventKind::UserPrompt {
                    text,
                    attachments: vec![],
                })
                .at(step(30)),
            );
            for c in 0..1 + rnd(3) {
                let id = format!("call-{turn}-{c}");
                let mut call = Event::new(EventKind::ToolCall {
                    call_id: id.clone(),
                    name: "shell".into(),
                    input: json!({"command": format!("cargo test -p {project}")}),
                    subagent: None,
                })
                .at(step(20 + rnd(60)));
                call.usage = Some(CallUsage::new(
                    Some(model.into()),
                    Usage {
                        input: 500 + rnd(4000),
                        cache_creation: rnd(2) * rnd(8000),
                        cache_read: 5_000 + rnd(60_000),
                        output: 100 + rnd(900),
                        reasoning: rnd(200),
                    },
                    format!("{i}-{turn}-{c}"),
                ));
                s.push(call);
                let failed = rnd(9) == 0;
                s.push(
                    Event::new(EventKind::ToolResult {
                        call_id: id,
                        output: if failed {
                            "error: 1 test failed".into()
                        } else {
                            "test result: ok. 42 passed".into()
                        },
                        is_error: failed,
                    })
                    .at(step(5 + rnd(50))),
                );
            }
            let mut r = Event::new(EventKind::AssistantText {
                text: format!("Done: {}.", task.to_lowercase()),
            })
            .at(step(40));
            r.usage = Some(CallUsage::new(
                Some(model.into()),
                Usage {
                    input: 300 + rnd(2000),
                    cache_creation: 0,
                    cache_read: 8_000 + rnd(40_000),
                    output: 200 + rnd(1500),
                    reasoning: 0,
                },
                format!("{i}-{turn}-r"),
            ));
            if agent == Agent::OpenCode {
                r.usage.as_mut().unwrap().recorded_cost_usd = Some(0.01 * (1 + rnd(20)) as f64);
            }
            s.push(r);
        }
        out.push(s);
    }
    out
}
