//! Markdown snapshots, hostile content included. Review changes with `cargo insta review`.

use crate::common::ts;
use convx_core::archive::markdown::{Link, RenderContext, RenderOptions, render};
use convx_model::{
    Agent, Attachment, CallUsage, Event, EventKind, PlanStep, PlanStepStatus, Session, SessionKind,
    Usage,
};
use pulldown_cmark::{Event as Md, Parser};

fn at(s: &str) -> Option<convx_model::Timestamp> {
    Some(ts(s))
}

fn ctx(options: RenderOptions) -> RenderContext {
    RenderContext {
        options,
        cwd: Some("~/src/app".into()),
        parent: None,
        children: Vec::new(),
        stem: "2026-03-04-0506-x".into(),
    }
}

fn rich() -> Session {
    let mut s = Session::new(Agent::Claude, "7c1f0a52-3e9b-4c7d-9a11-2b6f5d8e0c44");
    s.title = Some("Health endpoint returns 500".into());
    s.cwd = Some("/home/ana/src/app".into());
    s.git.branch = Some("main".into());
    s.git.commit = Some("a1b2c3d".into());
    s.push(
        Event::new(EventKind::Context {
            source: "agents_md".into(),
            text: "# AGENTS.md\nBe nice.".into(),
        })
        .at(at("2026-03-04T05:06:00Z")),
    );
    s.push(
        Event::new(EventKind::UserPrompt {
            text: "why does `/health` return 500?\n\nSee the screenshot.".into(),
            attachments: vec![Attachment {
                kind: "image".into(),
                media_type: Some("image/png".into()),
                size_bytes: Some(48_213),
                name: None,
            }],
        })
        .at(at("2026-03-04T05:06:07Z")),
    );
    s.push(
        Event::new(EventKind::Reasoning {
            text: "Check the handler first.".into(),
            encrypted: false,
        })
        .at(at("2026-03-04T05:06:09Z")),
    );
    let mut call = Event::new(EventKind::ToolCall {
        call_id: "toolu_1".into(),
        name: "Bash".into(),
        input: serde_json::json!({"command": "curl -s localhost:8080/health", "description": "Probe health"}),
        subagent: None,
    })
    .at(at("2026-03-04T05:06:10Z"));
    call.usage = Some(CallUsage::new(
        Some("claude-sonnet-4-5".into()),
        Usage {
            input: 3,
            cache_creation: 5120,
            cache_read: 14800,
            output: 97,
            reasoning: 0,
        },
        "msg_1",
    ));
    s.push(call);
    s.push(
        Event::new(EventKind::ToolResult {
            call_id: "toolu_1".into(),
            output: "{\"error\":\"db down\"}".into(),
            is_error: true,
        })
        .at(at("2026-03-04T05:06:11Z")),
    );
    s.push(
        Event::new(EventKind::PlanUpdate {
            explanation: None,
            steps: vec![
                PlanStep {
                    text: "Find the cause".into(),
                    status: PlanStepStatus::Completed,
                },
                PlanStep {
                    text: "Fix *the* pool".into(),
                    status: PlanStepStatus::InProgress,
                },
                PlanStep {
                    text: "Write a test".into(),
                    status: PlanStepStatus::Pending,
                },
            ],
        })
        .at(at("2026-03-04T05:06:12Z")),
    );
    s.push(Event::new(EventKind::AssistantText { text: "The DB pool is exhausted:\n\n```rust\nlet pool = Pool::new(1);\n```\n\n- raise the limit\n- add a timeout".into() }).at(at("2026-03-04T05:06:20Z")));
    s.push(
        Event::new(EventKind::Compaction {
            summary: Some("Summary: pool exhausted.".into()),
            trigger: Some("auto".into()),
        })
        .at(at("2026-03-04T06:00:00Z")),
    );
    s.push(
        Event::new(EventKind::UserPrompt {
            text: "thanks, fix it".into(),
            attachments: vec![],
        })
        .at(at("2026-03-05T00:01:02Z")),
    );
    s.push(
        Event::new(EventKind::AssistantText {
            text: "Done.".into(),
        })
        .at(at("2026-03-05T00:02:00Z")),
    );
    s
}

#[test]
fn rich_session_default_options() {
    insta::assert_snapshot!(render(&rich(), &ctx(RenderOptions::default())));
}

#[test]
fn rich_session_with_reasoning_and_context() {
    insta::assert_snapshot!(render(
        &rich(),
        &ctx(RenderOptions {
            reasoning: true,
            context: true
        })
    ));
}

fn hostile() -> Session {
    let mut s = Session::new(Agent::Codex, "hostile-1");
    s.title = Some("title: \"quoted\" # not a comment\n---\nkey: injected <script>".into());
    s.git.branch = Some("feat/`tick`".into());
    let t = "2026-01-01T00:00:00Z";
    s.push(Event::new(EventKind::UserPrompt { text: "<script>alert(1)</script>\n</details>\n<!-- hidden -->\n<img src=x onerror=alert(1)>".into(), attachments: vec![] }).at(at(t)));
    s.push(
        Event::new(EventKind::AssistantText {
            text: "Unclosed fence:\n```js\nconsole.log('</details>')\n".into(),
        })
        .at(at(t)),
    );
    s.push(
        Event::new(EventKind::ToolCall {
            call_id: "c1".into(),
            name: "Write</summary><b>".into(),
            input: serde_json::json!({"file_path": "a</summary>.md", "content": "````\n``` nested ```\n</details>"}),
            subagent: None,
        })
        .at(at(t)),
    );
    s.push(
        Event::new(EventKind::ToolResult {
            call_id: "c1".into(),
            output: "`````\n</details>\n<script>x</script>".into(),
            is_error: false,
        })
        .at(at(t)),
    );
    s.push(
        Event::new(EventKind::AssistantText {
            text: "<details open><summary>fake</summary>\n\n```\n</details>\n```".into(),
        })
        .at(at(t)),
    );
    s.push(
        Event::new(EventKind::ToolResult {
            call_id: "orphan".into(),
            output: "no call\r\nwith CRLF\u{0}".into(),
            is_error: false,
        })
        .at(at(t)),
    );
    s
}

#[test]
fn hostile_content_stays_inert() {
    let md = render(&hostile(), &ctx(RenderOptions::default()));
    // The only raw HTML is ours: balanced <details>/<summary> and <b>/<code> inside summaries.
    let mut depth = 0i32;
    for e in Parser::new(&md) {
        match e {
            Md::Html(h) | Md::InlineHtml(h) => {
                let h = h.trim();
                let ours = ["<details>", "</details>"].contains(&h) || h.starts_with("<summary>");
                assert!(ours, "live HTML from the session: {h:?}\n{md}");
                if h == "<details>" {
                    depth += 1;
                } else if h == "</details>" {
                    depth -= 1;
                }
                assert!(depth >= 0, "unbalanced details\n{md}");
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "details balanced\n{md}");
    assert!(!md.contains('\0') && !md.contains('\r'));
    insta::assert_snapshot!(md);
}

#[test]
fn long_outputs_are_cut_with_a_note() {
    let mut s = Session::new(Agent::Codex, "long");
    s.push(Event::new(EventKind::UserPrompt {
        text: "dump".into(),
        attachments: vec![],
    }));
    s.push(Event::new(EventKind::ToolCall {
        call_id: "c".into(),
        name: "shell".into(),
        input: serde_json::json!({"cmd": ["cat", "big.log"]}),
        subagent: None,
    }));
    let big: String = (0..5000).map(|i| format!("line {i}\n")).collect();
    s.push(Event::new(EventKind::ToolResult {
        call_id: "c".into(),
        output: big,
        is_error: false,
    }));
    let md = render(&s, &ctx(RenderOptions::default()));
    assert!(md.contains("line 199\n"));
    assert!(!md.contains("line 200\n"));
    assert!(md.contains("*Output truncated: 1,690 of 48,890 characters shown; the full text is in [the JSON](.2026-03-04-0506-x.json).*"), "{md}");
}

#[test]
fn sub_agent_with_links() {
    let mut s = Session::new(Agent::Claude, "agent-1");
    s.kind = SessionKind::Subagent;
    s.parent = Some("claude:p".into());
    s.children = vec!["claude:g1".into(), "claude:g2".into()];
    s.push(
        Event::new(EventKind::UserPrompt {
            text: "Explore the parser".into(),
            attachments: vec![],
        })
        .at(at("2026-01-01T10:00:00Z")),
    );
    s.push(Event::new(EventKind::ToolCall {
        call_id: "t".into(),
        name: "Task".into(),
        input: serde_json::json!({"prompt": "deeper"}),
        subagent: Some("claude:g1".into()),
    }));
    let mut c = ctx(RenderOptions::default());
    c.parent = Some(Link {
        key: "claude:p".into(),
        file: Some("2026-01-01-0959-parent.md".into()),
    });
    c.children = vec![
        Link {
            key: "claude:g1".into(),
            file: Some("2026-01-01-0959-parent--deeper.md".into()),
        },
        Link {
            key: "claude:g2".into(),
            file: None,
        },
    ];
    insta::assert_snapshot!(render(&s, &c));
}

#[test]
fn streamed_rendering_gives_the_same_bytes() {
    let mut s = rich();
    for i in 0..3000 {
        s.push(Event::new(EventKind::UserPrompt {
            text: format!("prompt {i}\n\n\n"),
            attachments: vec![],
        }));
        s.push(Event::new(EventKind::ToolResult {
            call_id: format!("x{i}"),
            output: "output line\n".repeat(20),
            is_error: false,
        }));
    }
    let c = ctx(RenderOptions::default());
    let whole = render(&s, &c);
    assert!(
        whole.len() > 1_000_000,
        "large enough to be flushed in pieces"
    );
    let mut streamed = Vec::new();
    convx_core::archive::markdown::render_to(&s, &c, &mut streamed).unwrap();
    assert_eq!(String::from_utf8(streamed).unwrap(), whole);
}
