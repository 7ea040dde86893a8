//! Helpers for the CLI tests: a fake home, session JSON files as input, the real binary.
#![allow(dead_code)]

use convx_model::{Agent, CallUsage, Event, EventKind, Session, Usage};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_convx");

/// A temp home with a folder of session JSON files.
pub struct World {
    pub tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub input: PathBuf,
}

impl World {
    pub fn new() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let input = tmp.path().join("input");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&input).unwrap();
        World { tmp, home, input }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// The binary with a clean environment: this home, a git identity, no user git config.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("USER", "ana")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig-none"))
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("COLUMNS", "100");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Write a session file into the input folder.
    pub fn put(&self, name: &str, s: &Session) {
        let mut bytes = Vec::new();
        convx_core::archive::json::write_session(&mut bytes, s).unwrap();
        std::fs::write(self.input.join(format!("{name}.json")), bytes).unwrap();
    }

    pub fn cwd(&self, rel: &str) -> String {
        self.home.join(rel).to_string_lossy().into_owned()
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout).trim_end().to_string()
}

pub fn init(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
}

/// A session of `n` turns, each with a tool output of `output_bytes`.
pub fn session(
    agent: Agent,
    id: &str,
    minute: u32,
    cwd: &str,
    prompt: &str,
    turns: usize,
    output_bytes: usize,
) -> Session {
    let mut s = Session::new(agent, id);
    s.cwd = Some(cwd.to_string());
    let base: convx_model::Timestamp = format!(
        "2026-02-{:02}T{:02}:{:02}:00Z",
        1 + minute / 1440 % 27,
        minute / 60 % 24,
        minute % 60
    )
    .parse()
    .unwrap();
    let t = |sec: i64| {
        Some(
            base.checked_add(jiff::SignedDuration::from_secs(sec))
                .unwrap(),
        )
    };
    for turn in 0..turns {
        let k = turn as i64 * 10;
        let text = if turn == 0 {
            prompt.to_string()
        } else {
            format!("next step {turn}")
        };
        s.push(
            Event::new(EventKind::UserPrompt {
                text,
                attachments: vec![],
            })
            .at(t(k)),
        );
        let mut reply = Event::new(EventKind::AssistantText {
            text: format!("Reply {turn} with `code` and <b>html</b>"),
        })
        .at(t(k + 1));
        reply.usage = Some(CallUsage::new(
            Some("model-x".into()),
            Usage {
                input: 10,
                output: 5,
                ..Usage::default()
            },
            format!("{id}-{turn}"),
        ));
        s.push(reply);
        s.push(
            Event::new(EventKind::ToolCall {
                call_id: format!("c{turn}"),
                name: "Bash".into(),
                input: serde_json::json!({"command": "cat log"}),
                subagent: None,
            })
            .at(t(k + 2)),
        );
        let line = "0123456789abcdef log line with words\n";
        let output = line.repeat(output_bytes / line.len() + 1);
        s.push(
            Event::new(EventKind::ToolResult {
                call_id: format!("c{turn}"),
                output,
                is_error: false,
            })
            .at(t(k + 3)),
        );
    }
    s
}

/// Every file under `root` (relative path → bytes).
pub fn files(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    walk(root, root, &mut out);
    out
}
