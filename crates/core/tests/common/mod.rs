//! Helpers for the archive tests: real git repositories and real source files in temp
//! dirs, sessions built with the model's API.
#![allow(dead_code)]

use convx_core::archive::git::Repo;
use convx_core::archive::source::{Discovered, JsonDirSource, SessionSource};
use convx_core::archive::{ArchiveOptions, Guard, Layout, LayoutKind, NoProgress, Report};
use convx_core::redact::Finding;
use convx_model::{Agent, CallUsage, Event, EventKind, Session, Timestamp, Usage};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const HOME: &str = "/home/ana";

/// Run git in `dir` with a test identity; panics on failure; returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_raw(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

pub fn git_raw(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs")
}

/// A fresh repository with a local identity (convx's own git calls read it).
pub fn init_repo(dir: &Path) -> Repo {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    configure(dir);
    Repo::open(dir).unwrap()
}

pub fn configure(dir: &Path) {
    git(dir, &["config", "user.name", "Test"]);
    git(dir, &["config", "user.email", "test@example.com"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
}

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A session with one prompt, one reply (with usage) and one tool call + result.
pub fn session(agent: Agent, id: &str, start: &str, cwd: Option<&str>, prompt: &str) -> Session {
    let t = ts(start);
    let mut s = Session::new(agent, id);
    s.cwd = cwd.map(str::to_string);
    s.push(
        Event::new(EventKind::UserPrompt {
            text: prompt.into(),
            attachments: vec![],
        })
        .at(Some(t)),
    );
    let mut reply = Event::new(EventKind::AssistantText {
        text: format!("Working on: {prompt}"),
    })
    .at(Some(
        t.checked_add(jiff::SignedDuration::from_secs(5)).unwrap(),
    ));
    reply.usage = Some(CallUsage::new(
        Some("model-x".into()),
        Usage {
            input: 100,
            cache_read: 50,
            output: 20,
            ..Usage::default()
        },
        format!("{id}-call-1"),
    ));
    s.push(reply);
    s.push(
        Event::new(EventKind::ToolCall {
            call_id: format!("{id}-c1"),
            name: "Bash".into(),
            input: serde_json::json!({"command": "ls -la"}),
            subagent: None,
        })
        .at(Some(
            t.checked_add(jiff::SignedDuration::from_secs(6)).unwrap(),
        )),
    );
    s.push(
        Event::new(EventKind::ToolResult {
            call_id: format!("{id}-c1"),
            output: "total 0\n".into(),
            is_error: false,
        })
        .at(Some(
            t.checked_add(jiff::SignedDuration::from_secs(7)).unwrap(),
        )),
    );
    s
}

/// Append a reply (the source "grows").
pub fn grow(s: &mut Session, text: &str, at: &str) {
    s.push(Event::new(EventKind::AssistantText { text: text.into() }).at(Some(ts(at))));
}

/// A folder of session JSON files standing in for an agent's logs.
pub struct Sources {
    pub dir: PathBuf,
}

impl Sources {
    pub fn new(dir: &Path) -> Sources {
        std::fs::create_dir_all(dir).unwrap();
        Sources {
            dir: dir.to_path_buf(),
        }
    }

    pub fn put(&self, name: &str, s: &Session) -> PathBuf {
        let path = self.dir.join(format!("{name}.json"));
        let mut bytes = Vec::new();
        convx_core::archive::json::write_session(&mut bytes, s).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub fn source(&self) -> Counting {
        Counting {
            inner: JsonDirSource {
                dir: self.dir.clone(),
            },
            reads: AtomicUsize::new(0),
        }
    }
}

/// A source that counts reads.
pub struct Counting {
    pub inner: JsonDirSource,
    pub reads: AtomicUsize,
}

impl Counting {
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}

impl SessionSource for Counting {
    fn discover(&self) -> Discovered {
        self.inner.discover()
    }
    fn read(
        &self,
        source: &convx_adapters::Source,
    ) -> Result<convx_adapters::SourceOutput, String> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.read(source)
    }
}

/// A guard whose residue scan fires on a marker (standing in for a secret the redactor
/// missed), and whose redaction replaces another marker.
pub struct TestGuard;

pub const LEAK: &str = "LEAKED-SECRET-4f9a";
pub const REDACT_ME: &str = "sk-test-redact-me";

impl Guard for TestGuard {
    fn redact_session(&self, s: &mut Session) {
        for e in &mut s.events {
            if let EventKind::UserPrompt { text, .. } | EventKind::AssistantText { text } =
                &mut e.kind
                && text.contains(REDACT_ME)
            {
                *text = text.replace(REDACT_ME, "[REDACTED:test]");
            }
        }
        if let Some(p) = &mut s.summary.first_prompt {
            *p = p.replace(REDACT_ME, "[REDACTED:test]");
        }
    }
    fn redact_text<'a>(&self, t: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(t)
    }
    fn check_residue(&self, text: &str) -> Vec<Finding> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.contains(LEAK))
            .map(|(i, _)| Finding {
                rule: "test-leak".into(),
                line: i + 1,
                column: 1,
                masked: "LEAK…4f9a".into(),
            })
            .collect()
    }
}

pub fn backup_options(user: &str, host: &str) -> ArchiveOptions {
    ArchiveOptions::new(
        Layout::new(LayoutKind::Backup, "history", user, host, Some(HOME.into())).unwrap(),
    )
}

pub fn run(repo: &Repo, opts: &ArchiveOptions, src: &dyn SessionSource) -> Report {
    convx_core::archive::run(repo, opts, src, &TestGuard, &NoProgress).unwrap()
}

/// Every file under `root/sub`: relative path → (bytes, mtime).
pub fn snapshot(root: &Path, sub: &str) -> BTreeMap<String, (Vec<u8>, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, rel: &str, out: &mut BTreeMap<String, (Vec<u8>, std::time::SystemTime)>) {
        let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
            return;
        };
        for e in entries.flatten() {
            let child = format!("{rel}/{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                walk(root, &child, out);
            } else {
                let md = e.metadata().unwrap();
                out.insert(
                    child,
                    (std::fs::read(e.path()).unwrap(), md.modified().unwrap()),
                );
            }
        }
    }
    walk(root, sub, &mut out);
    out
}

/// Paths of the `.md` files under `root/sub`.
pub fn md_files(root: &Path, sub: &str) -> Vec<String> {
    snapshot(root, sub)
        .into_keys()
        .filter(|k| k.ends_with(".md"))
        .collect()
}
