//! Write a benchmark corpus: `convx-corpus OUT_HOME [SESSIONS] [TOTAL_MB] [BIG_MB] [SEED]`.
//! Defaults: 1,500 sessions, 400 MB, one 300 MB Codex rollout, seed 1.

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        anyhow::bail!(
            "usage: convx-corpus OUT_HOME [SESSIONS=1500] [TOTAL_MB=400] [BIG_MB=300] [SEED=1]"
        );
    };
    let num = |i: usize, d: u64| -> anyhow::Result<u64> {
        Ok(args.get(i).map(|s| s.parse()).transpose()?.unwrap_or(d))
    };
    let spec = convx_bench::CorpusSpec {
        out: out.into(),
        sessions: num(1, 1500)? as usize,
        total_mb: num(2, 400)?,
        big_mb: num(3, 300)?,
        seed: num(4, 1)?,
    };
    let t = std::time::Instant::now();
    let stats = convx_bench::generate(&spec)?;
    println!(
        "wrote {} files, {:.1} MB, {} model calls, {} tokens in {:.1} s",
        stats.files,
        stats.bytes as f64 / 1e6,
        stats.model_calls,
        stats.tokens,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
