//! # convx-bench
//!
//! A deterministic generator of realistic agent homes (Codex CLI rollouts and Claude Code
//! transcripts, written from the documented formats) and helpers for the benchmark
//! binaries: `convx-corpus` writes a corpus, `bench-parse` measures parse throughput and
//! peak memory over one.
//!
//! ```no_run
//! let stats = convx_bench::generate(&convx_bench::CorpusSpec {
//!     out: "/tmp/home".into(), sessions: 100, total_mb: 50, big_mb: 0, seed: 1,
//! }).unwrap();
//! assert!(stats.bytes > 0);
//! ```

mod claude;
mod codex;
mod rng;
mod text;

use std::io::Write;
use std::path::PathBuf;

pub use rng::Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct CorpusSpec {
    /// The fake home directory to write (`.codex/` and `.claude/` inside it).
    pub out: PathBuf,
    /// Number of ordinary sessions (half Codex, half Claude).
    pub sessions: usize,
    /// Approximate total size of the ordinary sessions, in MB.
    pub total_mb: u64,
    /// Size of one extra large Codex rollout, in MB (0: none).
    pub big_mb: u64,
    /// Seed: the same spec always gives the same bytes.
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct CorpusStats {
    /// Files written.
    pub files: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Model calls written (each counted once), for cross-checks.
    pub model_calls: u64,
    /// Sum of the normalized total tokens of those calls, for cross-checks.
    pub tokens: u64,
}

/// Write the corpus described by `spec`.
pub fn generate(spec: &CorpusSpec) -> std::io::Result<CorpusStats> {
    let mut rng = Rng::new(spec.seed);
    let mut stats = CorpusStats::default();
    let n = spec.sessions.max(1);
    // A heavy-tailed size mix: most sessions are small, a few are large.
    let weights: Vec<f64> = (0..n).map(|_| rng.pareto(1.2).min(400.0)).collect();
    let sum: f64 = weights.iter().sum();
    let budget = (spec.total_mb * 1_000_000) as f64;
    for (i, w) in weights.iter().enumerate() {
        let target = ((w / sum) * budget).max(4_000.0) as u64;
        if i % 2 == 0 {
            codex::write_rollout(&spec.out, &mut rng, i, target, &mut stats)?;
        } else {
            claude::write_transcript(&spec.out, &mut rng, i, target, &mut stats)?;
        }
    }
    if spec.big_mb > 0 {
        codex::write_rollout(
            &spec.out,
            &mut rng,
            n + 1,
            spec.big_mb * 1_000_000,
            &mut stats,
        )?;
    }
    Ok(stats)
}

/// Peak resident set size of this process in kB (Linux `VmHWM`), if available.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// A line writer that counts bytes.
pub(crate) struct Out {
    w: std::io::BufWriter<std::fs::File>,
    pub(crate) bytes: u64,
}

impl Out {
    pub(crate) fn create(path: &std::path::Path) -> std::io::Result<Out> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Ok(Out {
            w: std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?),
            bytes: 0,
        })
    }

    pub(crate) fn line(&mut self, v: &serde_json::Value) -> std::io::Result<()> {
        let s = serde_json::to_string(v).map_err(std::io::Error::other)?;
        self.w.write_all(s.as_bytes())?;
        self.w.write_all(b"\n")?;
        self.bytes += s.len() as u64 + 1;
        Ok(())
    }

    pub(crate) fn finish(mut self) -> std::io::Result<u64> {
        self.w.flush()?;
        Ok(self.bytes)
    }
}
