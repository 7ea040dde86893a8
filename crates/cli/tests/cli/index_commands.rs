//! End-to-end tests of `convx index`, `convx search` and `convx stats` on an archive fixture
//! (the archive's JSON files are built with the model's API).

use assert_cmd::cargo::cargo_bin_cmd;
use convx_model::{Agent, CallUsage, Event, EventKind, Session, SourceFile, Usage};
use std::path::Path;

fn ev(kind: EventKind, at: &str) -> Event {
    Event::new(kind).at(Some(at.parse().unwrap()))
}

fn reply(text: &str, at: &str, model: &str, key: &str, u: Usage) -> Event {
    let mut e = ev(EventKind::AssistantText { text: text.into() }, at);
    e.usage = Some(CallUsage::new(Some(model.into()), u, key));
    e
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

fn session(agent: Agent, id: &str, cwd: &str, events: Vec<Event>) -> Session {
    let mut s = Session::new(agent, id);
    s.cwd = Some(cwd.into());
    s.sources.push(SourceFile {
        path: format!("/home/ana/.{agent}/{id}.jsonl"),
        fingerprint: Default::default(),
        format: None,
    });
    for e in events {
        s.push(e);
    }
    s
}

fn u(input: u64, cache_creation: u64, cache_read: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        cache_creation,
        cache_read,
        output,
        reasoning,
    }
}

/// An archive with three sessions; returns nothing, writes under `repo`.
fn archive(repo: &Path) {
    let sessions = [
        session(
            Agent::Codex,
            "0199a1",
            "/home/ana/src/shop",
            vec![
                prompt(
                    "fix the database migration that fails on startup",
                    "2026-01-10T09:00:00Z",
                ),
                reply(
                    "The migration failed because the schema version was stale. I fixed the migration script.",
                    "2026-01-10T09:01:00Z",
                    "gpt-5-codex",
                    "c1",
                    u(12_000, 0, 30_000, 800, 300),
                ),
                ev(
                    EventKind::ToolCall {
                        call_id: "t1".into(),
                        name: "shell".into(),
                        input: serde_json::json!({"command": ["cargo", "test", "migration"]}),
                        subagent: None,
                    },
                    "2026-01-10T09:02:00Z",
                ),
                ev(
                    EventKind::ToolResult {
                        call_id: "t1".into(),
                        output: "test migration::up ... ok".into(),
                        is_error: false,
                    },
                    "2026-01-10T09:02:10Z",
                ),
            ],
        ),
        session(
            Agent::Claude,
            "5f2e",
            "/home/ana/src/convx",
            vec![
                prompt(
                    "add a tokenizer for CJK text: 数据库迁移失败 should be searchable",
                    "2026-01-15T14:00:00Z",
                ),
                reply(
                    "Added a bigram tokenizer for CJK runs.",
                    "2026-01-15T14:00:30Z",
                    "claude-sonnet-4-5-20250929",
                    "msg_1",
                    u(20, 4000, 18_000, 900, 0),
                ),
                reply(
                    "Tests pass.",
                    "2026-01-16T00:30:00Z",
                    "claude-haiku-4-5",
                    "msg_2",
                    u(300, 0, 0, 40, 0),
                ),
            ],
        ),
        session(
            Agent::Gemini,
            "e7c1",
            "/home/ana/work/webapp",
            vec![
                prompt(
                    "why is the login page slow? maybe the migration to React 19",
                    "2026-02-01T08:00:00Z",
                ),
                reply(
                    "The login page loads three megabytes of JavaScript.",
                    "2026-02-01T08:00:20Z",
                    "gemini-2.5-pro",
                    "g1",
                    u(5000, 0, 1000, 600, 200),
                ),
                reply(
                    "Try code splitting.",
                    "2026-02-01T08:05:00Z",
                    "my-local-model",
                    "g2",
                    u(100, 0, 0, 10, 0),
                ),
            ],
        ),
    ];
    for s in &sessions {
        let dir = repo
            .join("history/ana")
            .join(s.agent.slug())
            .join("laptop/src");
        std::fs::create_dir_all(&dir).unwrap();
        let name = format!(
            ".{}-{}.json",
            s.started_at.unwrap().strftime("%Y-%m-%d-%H%M"),
            s.id
        );
        std::fs::write(dir.join(name), serde_json::to_vec_pretty(s).unwrap()).unwrap();
    }
}

struct Env {
    home: tempfile::TempDir,
    repo: tempfile::TempDir,
    index: std::path::PathBuf,
}

fn env() -> Env {
    let home = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    archive(repo.path());
    let index = home.path().join("idx");
    Env { home, repo, index }
}

impl Env {
    fn convx(&self) -> assert_cmd::Command {
        let mut cmd = cargo_bin_cmd!("convx");
        cmd.env("HOME", self.home.path())
            .env("NO_COLOR", "1")
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("CONVX_CONFIG")
            .env("CONVX_INDEX_DIR", &self.index);
        cmd
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.convx().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn indexed(self) -> Env {
        let (code, _, err) = self.run(&[
            "index",
            "--from-archive",
            self.repo.path().to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        self
    }
}

#[test]
fn index_from_archive_then_silent_when_unchanged() {
    let e = env();
    let repo = e.repo.path().to_str().unwrap().to_string();
    let (code, out, err) = e.run(&["index", "--from-archive", &repo]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(
        err.starts_with("indexed 3 sessions (10 events) from 3 changed source(s)"),
        "{err}"
    );
    let (code, out, err) = e.run(&["index", "--from-archive", &repo]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "", ""),
        "a no-op run prints nothing"
    );
    let (code, out, _) = e.run(&["index", "--status", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["sessions"].as_u64(), v["counted_calls"].as_u64()),
        (Some(3), Some(5))
    );
}

#[test]
fn search_prints_ranked_hits() {
    let e = env().indexed();
    let (code, out, err) = e.run(&["search", "migration", "--per-session", "0", "--limit", "3"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
    let (code, out, _) = e.run(&["search", "数据库", "--json"]);
    assert_eq!(code, 0);
    let mut hits: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(hits[0]["score"].as_f64().unwrap() > 0.0);
    hits[0]["score"] = serde_json::json!("<score>");
    insta::assert_json_snapshot!(hits);
}

#[test]
fn search_filters_and_hostile_input() {
    let e = env().indexed();
    let keys = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["search", "--json"];
        a.extend_from_slice(args);
        let (code, out, err) = e.run(&a);
        assert_eq!(code, 0, "{args:?}: {err}");
        let v: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        v.iter()
            .map(|h| h["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys(&["migration", "--agent", "gemini"]), ["gemini:e7c1"]);
    assert_eq!(keys(&["migration", "--project", "shop"]), ["codex:0199a1"]);
    assert_eq!(
        keys(&["migration", "--project", "/home/ana/work"]),
        ["gemini:e7c1"]
    );
    assert_eq!(
        keys(&["migration", "--since", "2026-01-20"]),
        ["gemini:e7c1"]
    );
    assert_eq!(
        keys(&["migration", "--until", "2026-01-10"]),
        ["codex:0199a1"]
    );
    assert_eq!(
        keys(&["--tool", "SHELL", "--role", "tool_result"]),
        ["codex:0199a1"]
    );
    for q in [
        "foo-bar", "\"", "*", "(", "NEAR", "a AND", "🔥", "ü", "库", "'; --", "--",
    ] {
        let (code, _, err) = e.run(&["search", "--", q]);
        assert_eq!(code, 0, "{q}: {err}");
    }
    let (code, _, err) = e.run(&["search", "--raw-query", "body:("]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid query"), "{err}");
    let (code, _, err) = e.run(&["search", "x", "--index", "/nonexistent/convx-index"]);
    assert_eq!(code, 5);
    assert!(err.contains("run `convx index`"), "{err}");
}

#[test]
fn stats_tables_in_every_format() {
    let e = env().indexed();
    let run = |args: &[&str]| {
        let mut a = vec!["stats", "--timezone", "UTC"];
        a.extend_from_slice(args);
        let (code, out, err) = e.run(&a);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    insta::assert_snapshot!("stats_by_agent", run(&["--by", "agent"]));
    insta::assert_snapshot!(
        "stats_by_day_model_markdown",
        run(&["--by", "day,model", "--markdown"])
    );
    insta::assert_snapshot!("stats_by_session_csv", run(&["--by", "session", "--csv"]));
    let json: serde_json::Value = serde_json::from_str(&run(&["--by", "model", "--json"])).unwrap();
    insta::assert_json_snapshot!("stats_by_model_json", json);
    // a config price makes the local model priced
    let cfg = e.home.path().join("convx.toml");
    std::fs::write(
        &cfg,
        "[pricing.models.\"my-local-model\"]\ninput = 1.0\noutput = 2.0\n",
    )
    .unwrap();
    let out = run(&["--config", cfg.to_str().unwrap()]);
    assert!(!out.contains('*'), "{out}");
    std::fs::write(&cfg, "[pricing.models.\"brand-new\"]\ninput = 1.0\n").unwrap();
    let (code, _, err) = e.run(&["stats", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
}

#[test]
fn stats_prices_shows_the_dated_table() {
    let e = env();
    let (code, out, _) = e.run(&["stats", "--prices"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Prices in USD per million tokens, list prices as of 20"),
        "{out}"
    );
    assert!(
        out.contains("claude-sonnet-4-5")
            && out.contains("gemini-2.5-pro")
            && out.contains("gpt-5-codex")
    );
    let (_, out, _) = e.run(&["stats", "--prices", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["date"].is_string() && v["models"].as_array().unwrap().len() > 30);
}

#[test]
fn help_texts() {
    let e = env();
    for cmd in ["index", "search", "stats"] {
        let (code, out, _) = e.run(&[cmd, "--help"]);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("help_{cmd}"), out);
    }
}
