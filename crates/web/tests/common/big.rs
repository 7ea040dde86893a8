//! A big generated session for measurements (the render bench and the browser's
//! first-render measurement): prompts, Markdown replies with code, reasoning, tool calls
//! with outputs of 0.2–40 KB (HTML-ish text that escaping expands), plan updates.

use convx_model::{Agent, CallUsage, Event, EventKind, PlanStep, PlanStepStatus, Session, Usage};
use serde_json::json;

struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const WORDS: [&str; 16] = [
    "the",
    "migration",
    "test",
    "fails",
    "because",
    "index",
    "cache",
    "is",
    "stale",
    "and",
    "we",
    "retry",
    "request",
    "handler",
    "config",
    "value",
];

fn text(rng: &mut Rng, words: u64) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(if i % 17 == 0 { '\n' } else { ' ' });
        }
        s.push_str(WORDS[rng.next(16) as usize]);
    }
    s
}

/// A session of `events` events, deterministic.
pub fn big_session(events: usize) -> Session {
    let mut rng = Rng(42);
    let mut s = Session::new(Agent::Codex, "bench-big");
    s.cwd = Some("/home/bench/src/big".into());
    let mut t: convx_model::Timestamp = "2026-03-01T08:00:00Z".parse().unwrap();
    let mut at = |secs: i64| {
        t = t
            .checked_add(jiff::SignedDuration::from_secs(secs))
            .unwrap();
        Some(t)
    };
    let mut n = 0;
    let mut call = 0;
    while s.events.len() < events {
        let e = match n % 10 {
            0 => Event::new(EventKind::UserPrompt {
                text: {
                    let words = 40 + rng.next(60);
                    text(&mut rng, words)
                },
                attachments: vec![],
            }),
            1 => Event::new(EventKind::Reasoning {
                text: text(&mut rng, 60),
                encrypted: false,
            }),
            2 | 4 | 6 => {
                call += 1;
                let mut e = Event::new(EventKind::ToolCall {
                    call_id: format!("c{call}"),
                    name: "shell".into(),
                    input: json!({"command": ["bash", "-lc", format!("cargo test -p crate{call}")], "workdir": "/home/bench/src/big"}),
                    subagent: None,
                });
                e.usage = Some(CallUsage::new(
                    Some("gpt-5-codex".into()),
                    Usage {
                        input: 1000,
                        cache_creation: 0,
                        cache_read: 20_000,
                        output: 300,
                        reasoning: 100,
                    },
                    format!("k{n}"),
                ));
                e
            }
            3 | 5 | 7 => {
                let size = [200usize, 1_000, 4_000, 40_000][rng.next(4) as usize];
                let mut out = String::with_capacity(size);
                while out.len() < size {
                    out.push_str("test module::case ... ok <tag> & \"quoted\"\n");
                }
                Event::new(EventKind::ToolResult {
                    call_id: format!("c{call}"),
                    output: out,
                    is_error: rng.next(20) == 0,
                })
            }
            8 => Event::new(EventKind::PlanUpdate {
                explanation: None,
                steps: (0..4)
                    .map(|i| PlanStep {
                        text: text(&mut rng, 6),
                        status: if i < 2 {
                            PlanStepStatus::Completed
                        } else {
                            PlanStepStatus::Pending
                        },
                    })
                    .collect(),
            }),
            _ => {
                let body = format!(
                    "## Result\n\n{}\n\n```rust\nfn main() {{\n    println!(\"{}\");\n}}\n```\n\n- {}\n- {}\n",
                    text(&mut rng, 80),
                    text(&mut rng, 4),
                    text(&mut rng, 8),
                    text(&mut rng, 8)
                );
                let mut e = Event::new(EventKind::AssistantText { text: body });
                e.usage = Some(CallUsage::new(
                    Some("gpt-5-codex".into()),
                    Usage {
                        input: 500,
                        cache_creation: 0,
                        cache_read: 25_000,
                        output: 700,
                        reasoning: 0,
                    },
                    format!("k{n}"),
                ));
                e
            }
        };
        s.push(e.at(at(7)));
        n += 1;
    }
    s
}
