//! `convx doctor`: where convx looked, what it found, and what it could not read.

use crate::cli::SourceArgs;
use crate::output::{print_json, short_time, thousands};
use clap::Args;
use std::io::Write;

/// Arguments of `convx doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run `convx doctor`. Exit code 1 when a source could not be read at all.
pub fn run(args: DoctorArgs) -> anyhow::Result<i32> {
    let req = super::load_request(&args.source, false)?;
    let result = convx_core::load::load(&req);
    let failed = result.reports.iter().any(|r| !r.source_errors.is_empty());
    if args.json {
        print_json(&result.reports)?;
    } else {
        let mut out = std::io::stdout().lock();
        for r in &result.reports {
            let Some(agent) = r.agent else { continue };
            writeln!(out, "{} ({})", agent.display_name(), agent.slug())?;
            for (root, exists) in &r.roots {
                writeln!(
                    out,
                    "  looked in   {} {}",
                    root.display(),
                    if *exists { "" } else { "(missing)" }
                )?;
            }
            writeln!(
                out,
                "  sources     {} ({} bytes)",
                thousands(r.sources),
                thousands(r.bytes)
            )?;
            writeln!(out, "  sessions    {}", thousands(r.sessions))?;
            if r.sessions > 0 {
                writeln!(out, "  oldest      {} UTC", short_time(r.oldest))?;
                writeln!(out, "  newest      {} UTC", short_time(r.newest))?;
            }
            for (f, n) in &r.formats {
                writeln!(out, "  format      {f}: {n} source(s)")?;
            }
            for e in &r.source_errors {
                writeln!(out, "  UNREADABLE  {e}")?;
            }
            for (kind, n) in &r.warnings {
                writeln!(
                    out,
                    "  skipped     {} record(s): {}",
                    thousands(*n),
                    kind.name()
                )?;
            }
            for w in &r.warning_samples {
                let at = w.line.map(|l| format!(":{l}")).unwrap_or_default();
                writeln!(
                    out,
                    "              {}{at}: {} ({})",
                    w.source,
                    w.kind.name(),
                    w.detail
                )?;
            }
            for (t, n) in &r.raw_types {
                writeln!(
                    out,
                    "  kept raw    {} record(s) of type `{t}`",
                    thousands(*n)
                )?;
            }
            for (t, n) in &r.unknown_types {
                writeln!(
                    out,
                    "  UNKNOWN     {} record(s) of type `{t}` (kept raw; a new format?)",
                    thousands(*n)
                )?;
            }
            writeln!(out)?;
        }
    }
    Ok(if failed {
        crate::exit::FINDINGS
    } else {
        crate::exit::OK
    })
}
