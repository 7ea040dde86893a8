//! Parse benchmark: `bench-parse HOME [list|full|big|bigfull]`.
//!
//! Discovers and parses every Codex and Claude session under the fake home `HOME` (as
//! `convx sessions` does: listing mode, events not retained, unless `full` is given) using
//! all cores, and reports bytes, sessions, MB/s and peak RSS. `big` and `bigfull` read only
//! the largest source (listing mode / events kept), to show peak memory on one huge session.

use convx_adapters::{Environment, ReadOptions};
use convx_core::load::{LoadRequest, discover, load_sources};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(home) = args.first() else {
        anyhow::bail!("usage: bench-parse HOME [list|full|big|bigfull]");
    };
    let mode = args.get(1).map(String::as_str).unwrap_or("list");
    let mut req = LoadRequest::new(Environment::new(home));
    req.retain_events = mode == "full";
    let (sources, reports) = discover(&req);
    if mode == "big" || mode == "bigfull" {
        let big = sources
            .iter()
            .max_by_key(|s| s.fingerprint.size)
            .ok_or_else(|| anyhow::anyhow!("no sources"))?;
        let t = std::time::Instant::now();
        let out = convx_adapters::adapter_for(big.agent).read(
            big,
            &ReadOptions {
                retain_events: mode == "bigfull",
            },
        )?;
        let secs = t.elapsed().as_secs_f64();
        let mb = big.fingerprint.size as f64 / 1e6;
        let events: usize = out.sessions.iter().map(|s| s.events.len()).sum();
        println!(
            "largest source ({mode}): {:.1} MB, {} session(s), {events} events kept, {:.2} s, {:.0} MB/s, peak RSS {} MB",
            mb,
            out.sessions.len(),
            secs,
            mb / secs,
            convx_bench::peak_rss_kb().unwrap_or(0) / 1024
        );
        return Ok(());
    }
    let bytes: u64 = sources.iter().map(|s| s.fingerprint.size).sum();
    let t = std::time::Instant::now();
    let result = load_sources(&req, &sources, reports);
    let secs = t.elapsed().as_secs_f64();
    let tokens: u64 = result
        .sessions
        .iter()
        .map(|s| s.summary.usage.total())
        .sum();
    let warnings: u64 = result
        .reports
        .iter()
        .flat_map(|r| r.warnings.values())
        .sum();
    println!(
        "mode {mode}: {} sources, {:.1} MB, {} sessions, {} tokens, {} warnings in {:.2} s = {:.0} MB/s on {} threads; peak RSS {} MB",
        sources.len(),
        bytes as f64 / 1e6,
        result.sessions.len(),
        tokens,
        warnings,
        secs,
        bytes as f64 / 1e6 / secs,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        convx_bench::peak_rss_kb().unwrap_or(0) / 1024
    );
    Ok(())
}
