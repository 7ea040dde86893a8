//! Index benchmark: build throughput, search latency, stats time, size and peak memory on a
//! generated corpus (see `corpus/mod.rs`).
//!
//! ```text
//! cargo bench -p convx-index --bench index_bench -- [--messages N] [--per-session N]
//!     [--batch N] [--dir DIR] [--keep] [--search-only]
//! ```
//! Run it under `/usr/bin/time -v` for the process's maximum RSS as well; the benchmark
//! itself prints VmHWM from /proc/self/status after the build phase.

mod corpus;

use convx_index::pricing::PriceTable;
use convx_index::search::SearchRequest;
use convx_index::stats::{GroupBy, StatsRequest, StatsSort};
use convx_index::{Filter, Index, IndexConfig, IndexReader, Origin, dir_size, paths};
use convx_model::Agent;
use std::time::{Duration, Instant};

struct Args {
    messages: u64,
    per_session: usize,
    batch: usize,
    dir: Option<std::path::PathBuf>,
    keep: bool,
    search_only: bool,
}

fn args() -> Args {
    let mut a = Args {
        messages: 1_000_000,
        per_session: 200,
        batch: 100,
        dir: None,
        keep: false,
        search_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        let mut num = || {
            it.next()
                .and_then(|v| v.parse::<u64>().ok())
                .expect("a number")
        };
        match x.as_str() {
            "--messages" => a.messages = num(),
            "--per-session" => a.per_session = num() as usize,
            "--batch" => a.batch = num() as usize,
            "--dir" => a.dir = Some(it.next().expect("a path").into()),
            "--keep" => a.keep = true,
            "--search-only" => a.search_only = true,
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    // /proc/self/stat fields 14 and 15: utime and stime in clock ticks (100 per second)
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

/// A value of /proc/self/status in kB.
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Samples anonymous and file-backed resident memory every 20 ms; returns their maxima.
fn sample_memory(
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<(u64, u64)> {
    std::thread::spawn(move || {
        let (mut anon, mut file) = (0, 0);
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            anon = anon.max(status_kb("RssAnon:"));
            file = file.max(status_kb("RssFile:"));
            std::thread::sleep(Duration::from_millis(20));
        }
        (anon, file)
    })
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let a = args();
    let tmp;
    let dir = match &a.dir {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::Builder::new()
                .prefix("convx-bench-")
                .tempdir_in(std::env::temp_dir())
                .unwrap();
            tmp.path().to_path_buf()
        }
    };
    if !a.search_only {
        let _ = std::fs::remove_dir_all(&dir);
        build(&a, &dir);
    }
    search(&dir);
    stats(&dir);
    if a.keep || a.dir.is_some() {
        println!("index kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn build(a: &Args, dir: &std::path::Path) {
    let vocab = corpus::Vocab::new();
    let sessions = a.messages.div_ceil(a.per_session as u64);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = sample_memory(stop.clone());
    let mut index = Index::open(dir, IndexConfig::default()).unwrap();
    let mut cpu_build = 0.0;
    let mut write_time = Duration::ZERO;
    let mut gen_time = Duration::ZERO;
    let (mut docs, mut events, mut bytes) = (0u64, 0u64, 0u64);
    let wall = Instant::now();
    let mut n = 0u64;
    while n < sessions {
        let t = Instant::now();
        let batch: Vec<_> = (n..(n + a.batch as u64).min(sessions))
            .map(|i| corpus::session(&vocab, i, a.per_session))
            .collect();
        for s in &batch {
            for e in &s.events {
                bytes += match &e.kind {
                    convx_model::EventKind::UserPrompt { text, .. }
                    | convx_model::EventKind::AssistantText { text }
                    | convx_model::EventKind::Reasoning { text, .. } => text.len() as u64,
                    convx_model::EventKind::ToolCall { input, .. } => {
                        input.to_string().len() as u64
                    }
                    convx_model::EventKind::ToolResult { output, .. } => output.len() as u64,
                    _ => 0,
                };
            }
        }
        gen_time += t.elapsed();
        n += batch.len() as u64;
        let t = Instant::now();
        let c = cpu_seconds();
        let r = index.write_sessions(&batch, Origin::Sources, &[]).unwrap();
        write_time += t.elapsed();
        cpu_build += cpu_seconds() - c;
        docs += r.documents;
        events += r.events;
    }
    let t = Instant::now();
    let c = cpu_seconds();
    index.close().unwrap();
    let close_time = t.elapsed();
    cpu_build += cpu_seconds() - c;
    let build = write_time + close_time;
    let hwm = vm_hwm_kb();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (anon, file) = sampler.join().unwrap();
    let db = dir_size(&dir.join(paths::DATABASE))
        + dir_size(&dir.join(format!("{}-wal", paths::DATABASE)));
    let ft = dir_size(&dir.join(paths::FULLTEXT));
    println!("== build");
    println!("sessions            {sessions}");
    println!("messages (events)   {events}  ({docs} full-text documents)");
    println!(
        "text                {:.1} MB ({:.0} bytes/message)",
        bytes as f64 / 1e6,
        bytes as f64 / events as f64
    );
    println!(
        "index time          {:.2} s (write {:.2} s + final merge {:.2} s; generating the corpus {:.2} s not counted; wall {:.2} s)",
        build.as_secs_f64(),
        write_time.as_secs_f64(),
        close_time.as_secs_f64(),
        gen_time.as_secs_f64(),
        wall.elapsed().as_secs_f64()
    );
    println!(
        "throughput          {:.0} messages/s ({:.2} CPU-s: {:.0} messages per CPU-second)",
        events as f64 / build.as_secs_f64(),
        cpu_build,
        events as f64 / cpu_build.max(1e-9)
    );
    println!(
        "CPU used            {cpu_build:.1} s ({:.0}% of one core; {:.1} µs of CPU per message)",
        100.0 * cpu_build / build.as_secs_f64(),
        1e6 * cpu_build / events as f64
    );
    println!(
        "index size          {:.1} MB (database {:.1} MB, full text {:.1} MB)",
        (db + ft) as f64 / 1e6,
        db as f64 / 1e6,
        ft as f64 / 1e6
    );
    println!("peak memory (VmHWM) {:.1} MB", hwm as f64 / 1024.0);
    println!(
        "  sampled maxima    anonymous {:.1} MB, file-backed (mmap'd index files) {:.1} MB",
        anon as f64 / 1024.0,
        file as f64 / 1024.0
    );
}

fn search(dir: &std::path::Path) {
    let reader = IndexReader::open(dir).unwrap();
    let st = reader.status().unwrap();
    println!(
        "== search over {} messages ({} documents)",
        st.events, st.documents
    );
    let recent = Filter {
        agents: vec![Agent::Claude],
        since: Some("2025-06-01T00:00:00Z".parse().unwrap()),
        ..Filter::default()
    };
    let queries: Vec<(&str, SearchRequest)> = vec![
        ("common word", SearchRequest::new("the")),
        ("common word 2", SearchRequest::new("error")),
        ("mid word", SearchRequest::new("migration")),
        ("rare word", SearchRequest::new("tokenizer")),
        ("two words", SearchRequest::new("fix migration")),
        ("phrase", SearchRequest::new("\"database migration\"")),
        ("prefix", SearchRequest::new("migr*")),
        ("CJK", SearchRequest::new("数据库")),
        (
            "filtered",
            SearchRequest {
                filter: recent,
                ..SearchRequest::new("error")
            },
        ),
        ("hostile", SearchRequest::new("foo-bar (NEAR \"")),
        (
            "all hits",
            SearchRequest {
                per_session: 0,
                ..SearchRequest::new("cache lock")
            },
        ),
    ];
    let mut all = Vec::new();
    println!(
        "{:<14} {:>6} {:>9} {:>9}",
        "query", "hits", "p50 ms", "p95 ms"
    );
    for (name, q) in &queries {
        for _ in 0..3 {
            reader.search(q).unwrap();
        }
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..30 {
            let t = Instant::now();
            hits = reader.search(q).unwrap().hits.len();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "{:<14} {:>6} {:>9.2} {:>9.2}",
            name,
            hits,
            ms(pct(&times, 0.5)),
            ms(pct(&times, 0.95))
        );
        all.extend(times);
    }
    all.sort();
    println!(
        "all queries: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ms(pct(&all, 0.5)),
        ms(pct(&all, 0.95)),
        ms(*all.last().unwrap())
    );
}

fn stats(dir: &std::path::Path) {
    let reader = IndexReader::open(dir).unwrap();
    let prices = PriceTable::builtin();
    println!("== stats");
    let cases: Vec<(&str, Vec<GroupBy>)> = vec![
        ("total", vec![]),
        ("by day+model", vec![GroupBy::Day, GroupBy::Model]),
        ("by project", vec![GroupBy::Project]),
        ("by session", vec![GroupBy::Session]),
        ("by week+agent", vec![GroupBy::Week, GroupBy::Agent]),
    ];
    for (name, by) in cases {
        let req = StatsRequest {
            filter: Filter::default(),
            group_by: by,
            timezone: jiff::tz::TimeZone::get("Europe/Paris").unwrap(),
            sort: StatsSort::Key,
        };
        let mut times = Vec::new();
        let mut rows = 0;
        let mut calls = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let rep = reader.stats(&req, &prices).unwrap();
            times.push(t.elapsed());
            rows = rep.rows.len();
            calls = rep.total.calls;
        }
        times.sort();
        println!(
            "{:<14} {:>7} rows  {:>8} calls  median {:>8.1} ms  max {:>8.1} ms",
            name,
            rows,
            calls,
            ms(times[1]),
            ms(times[2])
        );
    }
}
