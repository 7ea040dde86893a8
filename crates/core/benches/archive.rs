//! Archive benchmark: cold backup, no-op re-run, one grown source; wall time, MB/s and peak
//! RSS, each measured in its own process.
//!
//! ```sh
//! # normalized-JSON corpus (works without the adapters): 1,500 sessions, 400 MB incl. one 300 MB
//! cargo bench -p convx-core --bench archive -- --sessions 1500 --mb 400 --big-mb 300
//! # 10,000 small sessions, for the no-op target
//! cargo bench -p convx-core --bench archive -- --sessions 10000 --mb 100 --big-mb 0
//! # a Claude-Code-style home (needs the Claude adapter): generate, then bench it
//! cargo bench -p convx-core --bench archive -- --generate-claude /tmp/home --sessions 1500 --mb 400
//! cargo bench -p convx-core --bench archive -- --home /tmp/home
//! ```

use convx_adapters::Environment;
use convx_core::archive::git::Repo;
use convx_core::archive::source::{AdapterSource, JsonDirSource, SessionSource};
use convx_core::archive::{ArchiveOptions, Layout, LayoutKind, NoProgress};
use convx_core::load::LoadRequest;
use convx_core::redact::Redactor;
use convx_model::{Agent, CallUsage, Event, EventKind, Session, Usage};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Args {
    sessions: usize,
    mb: u64,
    big_mb: u64,
    home: Option<PathBuf>,
    generate_claude: Option<PathBuf>,
    phase: Option<String>,
    dir: Option<PathBuf>,
}

fn parse_args() -> Args {
    let mut a = Args {
        sessions: 1500,
        mb: 400,
        big_mb: 300,
        home: None,
        generate_claude: None,
        phase: None,
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = || it.next().expect("flag value");
        match arg.as_str() {
            "--sessions" => a.sessions = val().parse().unwrap(),
            "--mb" => a.mb = val().parse().unwrap(),
            "--big-mb" => a.big_mb = val().parse().unwrap(),
            "--home" => a.home = Some(val().into()),
            "--generate-claude" => a.generate_claude = Some(val().into()),
            "--phase" => a.phase = Some(val()),
            "--dir" => a.dir = Some(val().into()),
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// User + system CPU seconds of this process so far (from /proc/self/stat, 100 Hz ticks).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn text_of(len: usize, seed: usize) -> String {
    const WORDS: [&str; 16] = [
        "the",
        "parser",
        "returns",
        "error",
        "fn",
        "let",
        "mut",
        "Vec<String>",
        "`code`",
        "cargo",
        "test",
        "passes",
        "über",
        "日本",
        "module",
        "→",
    ];
    let mut s = String::with_capacity(len + 16);
    let mut i = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while s.len() < len {
        i = i
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let w = (i >> 33) as usize;
        s.push_str(WORDS[w % WORDS.len()]);
        s.push(if w.is_multiple_of(11) { '\n' } else { ' ' });
    }
    s
}

/// A normalized session of about `bytes` bytes of JSON.
fn json_session(i: usize, bytes: usize) -> Session {
    let mut s = Session::new(
        if i.is_multiple_of(3) {
            Agent::Codex
        } else {
            Agent::Claude
        },
        format!("bench-{i:06}-{:08x}", i * 2654435761),
    );
    s.cwd = Some(format!("/home/ana/src/project-{}", i % 40));
    let start: convx_model::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let mut t = start
        .checked_add(jiff::SignedDuration::from_secs(i as i64 * 600))
        .unwrap();
    let mut n = 0;
    let mut written = 0;
    while written < bytes {
        let out_len = 2_000 + (n * 7919 + i) % 30_000;
        let prompt = text_of(200, i + n);
        s.push(
            Event::new(EventKind::UserPrompt {
                text: prompt.clone(),
                attachments: vec![],
            })
            .at(Some(t)),
        );
        t = t.checked_add(jiff::SignedDuration::from_secs(3)).unwrap();
        let mut reply = Event::new(EventKind::AssistantText {
            text: text_of(600, n),
        })
        .at(Some(t));
        reply.usage = Some(CallUsage::new(
            Some("claude-sonnet-4-5".into()),
            Usage {
                input: 10,
                cache_read: 20_000,
                output: 300,
                ..Usage::default()
            },
            format!("{i}-{n}"),
        ));
        s.push(reply);
        s.push(
            Event::new(EventKind::ToolCall {
                call_id: format!("c{n}"),
                name: "Bash".into(),
                input: serde_json::json!({"command": "cargo test"}),
                subagent: None,
            })
            .at(Some(t)),
        );
        s.push(
            Event::new(EventKind::ToolResult {
                call_id: format!("c{n}"),
                output: text_of(out_len, n),
                is_error: false,
            })
            .at(Some(t)),
        );
        written += out_len + 1_200;
        n += 1;
    }
    s
}

fn generate_json(dir: &Path, a: &Args) -> u64 {
    std::fs::create_dir_all(dir).unwrap();
    let big = (a.big_mb * 1024 * 1024) as usize;
    let rest = (a.mb * 1024 * 1024) as usize - big.min((a.mb * 1024 * 1024) as usize);
    let per = rest / a.sessions.max(1);
    let mut total = 0u64;
    for i in 0..a.sessions {
        let size = if i == 0 && big > 0 { big } else { per };
        let s = json_session(i, size);
        let path = dir.join(format!("{:02}/s{i:06}.json", i % 50));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        convx_core::archive::json::write_session(&mut f, &s).unwrap();
        f.flush().unwrap();
        total += std::fs::metadata(&path).unwrap().len();
    }
    total
}

/// A Claude-Code-style home: `~/.claude/projects/<dir>/<uuid>.jsonl`.
fn generate_claude(home: &Path, a: &Args) -> u64 {
    let per = (a.mb * 1024 * 1024) as usize / a.sessions.max(1);
    let mut total = 0u64;
    for i in 0..a.sessions {
        let cwd = format!("/home/ana/src/project-{}", i % 40);
        let dir = home
            .join(".claude/projects")
            .join(cwd.replace(['/', '.', '_'], "-"));
        std::fs::create_dir_all(&dir).unwrap();
        let sid = format!("{:08x}-0000-4000-8000-{:012x}", i, i * 7919);
        let path = dir.join(format!("{sid}.jsonl"));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut parent = serde_json::Value::Null;
        let mut n = 0usize;
        let mut written = 0usize;
        let base = 1_767_225_600 + i as i64 * 600;
        while written < per || n == 0 {
            let ts = |k: i64| {
                jiff::Timestamp::from_second(base + n as i64 * 30 + k)
                    .unwrap()
                    .to_string()
            };
            let env = |uuid: &str, parent: &serde_json::Value, k: i64| {
                serde_json::json!({"parentUuid": parent, "isSidechain": false, "userType": "external", "cwd": cwd,
                    "sessionId": sid, "version": "2.0.50", "gitBranch": "main", "uuid": uuid, "timestamp": ts(k)})
            };
            let mut lines = Vec::new();
            let u = format!("{sid}-u{n}");
            let mut user = env(&u, &parent, 0);
            user["type"] = "user".into();
            user["message"] = serde_json::json!({"role": "user", "content": text_of(200, i + n)});
            lines.push(user);
            let a1 = format!("{sid}-a{n}");
            let mut asst = env(&a1, &serde_json::json!(u), 2);
            asst["type"] = "assistant".into();
            asst["requestId"] = format!("req_{i}_{n}").into();
            asst["message"] = serde_json::json!({"id": format!("msg_{i}_{n}"), "type": "message", "role": "assistant",
                "model": "claude-sonnet-4-5-20250929", "content": [{"type": "text", "text": text_of(600, n)},
                {"type": "tool_use", "id": format!("toolu_{i}_{n}"), "name": "Bash", "input": {"command": "cargo test", "description": "Run tests"}}],
                "stop_reason": "tool_use", "stop_sequence": null,
                "usage": {"input_tokens": 10, "cache_creation_input_tokens": 500, "cache_read_input_tokens": 20000, "output_tokens": 300}});
            lines.push(asst);
            let out_len = 2_000 + (n * 7919 + i) % 30_000;
            let r = format!("{sid}-r{n}");
            let mut res = env(&r, &serde_json::json!(a1), 4);
            res["type"] = "user".into();
            let output = text_of(out_len, n);
            res["message"] = serde_json::json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": format!("toolu_{i}_{n}"), "content": output, "is_error": false}]});
            res["toolUseResult"] = serde_json::json!({"stdout": output, "stderr": "", "interrupted": false, "isImage": false});
            lines.push(res);
            parent = serde_json::json!(r);
            for l in lines {
                let s = serde_json::to_string(&l).unwrap();
                written += s.len() + 1;
                writeln!(f, "{s}").unwrap();
            }
            n += 1;
        }
        f.flush().unwrap();
        total += std::fs::metadata(&path).unwrap().len();
    }
    total
}

fn phase(a: &Args) {
    let dir = a.dir.clone().expect("--dir");
    let repo = Repo::open(&dir.join("archive")).unwrap();
    let layout = Layout::new(
        LayoutKind::Backup,
        "history",
        "ana",
        "bench",
        Some("/home/ana".into()),
    )
    .unwrap();
    let opts = ArchiveOptions::new(layout);
    let source: Box<dyn SessionSource> = match &a.home {
        Some(home) => Box::new(AdapterSource {
            request: LoadRequest::new(Environment::new(home)),
        }),
        None => Box::new(JsonDirSource {
            dir: dir.join("corpus"),
        }),
    };
    // Parts of a run, timed alone (cache already warm from the previous phase).
    let t = Instant::now();
    let found = source.discover().sources.len();
    let discover_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let state_file = convx_core::archive::state::state_path(&repo.git_dir, &opts.layout);
    let known =
        convx_core::archive::state::State::load(&state_file).map_or(0, |s| s.sessions.len());
    let state_ms = t.elapsed().as_secs_f64() * 1000.0;
    eprintln!(
        "discover {found} sources: {discover_ms:.1} ms; load state ({known} sessions): {state_ms:.1} ms"
    );
    let t = Instant::now();
    let r = convx_core::archive::run(
        &repo,
        &opts,
        source.as_ref(),
        &Redactor::default(),
        &NoProgress,
    )
    .unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{{\"secs\":{secs:.4},\"new\":{},\"updated\":{},\"unchanged\":{},\"sources_read\":{},\"bytes_read\":{},\"peak_rss_mb\":{:.1},\"cpu_secs\":{:.2},\"errors\":{}}}",
        r.new,
        r.updated,
        r.unchanged,
        r.sources_read,
        r.bytes_read,
        peak_rss_mb(),
        cpu_secs(),
        r.errors.len()
    );
}

fn child(dir: &Path, a: &Args) -> serde_json::Value {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--phase", "run", "--dir", dir.to_str().unwrap()]);
    if let Some(h) = &a.home {
        c.args(["--home", h.to_str().unwrap()]);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("  [{}]", String::from_utf8_lossy(&out.stderr).trim());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn main() {
    let a = parse_args();
    if a.phase.is_some() {
        return phase(&a);
    }
    if let Some(home) = &a.generate_claude {
        let t = Instant::now();
        let bytes = generate_claude(home, &a);
        println!(
            "generated {} Claude sessions, {:.0} MB in {:.1}s under {}",
            a.sessions,
            bytes as f64 / 1e6,
            t.elapsed().as_secs_f64(),
            home.display()
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let corpus_mb = if a.home.is_none() {
        let t = Instant::now();
        let bytes = generate_json(&dir.join("corpus"), &a);
        println!(
            "corpus: {} sessions, {:.0} MB (largest {} MB), generated in {:.1}s",
            a.sessions,
            bytes as f64 / 1e6,
            a.big_mb,
            t.elapsed().as_secs_f64()
        );
        bytes as f64 / 1e6
    } else {
        0.0
    };
    Repo::init(&dir.join("archive")).unwrap();
    let cold = child(dir, &a);
    let mb = if corpus_mb > 0.0 {
        corpus_mb
    } else {
        cold["bytes_read"].as_f64().unwrap() / 1e6
    };
    let secs = cold["secs"].as_f64().unwrap();
    println!(
        "cold backup:  {secs:.2}s wall, {:.0} MB/s, {} CPU-s ({:.0} MB per CPU-s), {} sessions written, peak RSS {} MB",
        mb / secs,
        cold["cpu_secs"],
        mb / cold["cpu_secs"].as_f64().unwrap().max(0.01),
        cold["new"],
        cold["peak_rss_mb"]
    );
    let noop = child(dir, &a);
    println!(
        "no-op re-run: {:.1} ms ({} sources read, {} written), peak RSS {} MB",
        noop["secs"].as_f64().unwrap() * 1000.0,
        noop["sources_read"],
        noop["new"].as_u64().unwrap() + noop["updated"].as_u64().unwrap(),
        noop["peak_rss_mb"]
    );
    if a.home.is_none() {
        // One source grows: only it is read and re-rendered.
        let first = dir.join("corpus/01/s000001.json");
        let mut s =
            convx_core::archive::json::read_session(&std::fs::read(&first).unwrap()).unwrap();
        s.push(
            Event::new(EventKind::AssistantText {
                text: "one more reply".into(),
            })
            .at(Some("2027-01-01T00:00:00Z".parse().unwrap())),
        );
        let mut bytes = Vec::new();
        convx_core::archive::json::write_session(&mut bytes, &s).unwrap();
        std::fs::write(&first, bytes).unwrap();
        let grown = child(dir, &a);
        println!(
            "one grown:    {:.1} ms ({} sources read, {} updated), peak RSS {} MB",
            grown["secs"].as_f64().unwrap() * 1000.0,
            grown["sources_read"],
            grown["updated"],
            grown["peak_rss_mb"]
        );
    }
}
