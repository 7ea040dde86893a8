//! `convx agents`: every supported agent, detected or not, where convx looked, what it
//! found, and retention warnings.

use crate::cli::SourceArgs;
use crate::output::{Table, print_json, short_time, thousands};
use clap::Args;
use convx_adapters::NoteLevel;
use serde_json::json;
use std::io::Write;

/// Arguments of `convx agents`.
#[derive(Debug, Args)]
pub struct AgentsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run `convx agents`.
pub fn run(args: AgentsArgs) -> anyhow::Result<i32> {
    let req = super::load_request(&args.source, false)?;
    let result = convx_core::load::load(&req);
    if args.json {
        let rows: Vec<serde_json::Value> = result
            .reports
            .iter()
            .filter_map(|r| {
                let agent = r.agent?;
                Some(json!({
                    "agent": agent,
                    "name": agent.display_name(),
                    "detected": r.roots.iter().any(|(_, exists)| *exists),
                    "roots": r.roots.iter().map(|(p, e)| json!({"path": p, "exists": e})).collect::<Vec<_>>(),
                    "sources": r.sources,
                    "sessions": r.sessions,
                    "oldest": r.oldest,
                    "newest": r.newest,
                    "last_version": r.last_version,
                    "formats": r.formats,
                    "notes": r.notes,
                }))
            })
            .collect();
        print_json(&rows)?;
        return Ok(crate::exit::OK);
    }
    let mut t = Table::new(&[
        "AGENT",
        "DETECTED",
        ">SESSIONS",
        "OLDEST (UTC)",
        "NEWEST (UTC)",
        "VERSION",
        "LOCATION",
    ]);
    for r in &result.reports {
        let Some(agent) = r.agent else { continue };
        let detected = r.roots.iter().any(|(_, e)| *e);
        let location = r
            .roots
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        t.row(vec![
            agent.display_name().to_string(),
            if detected { "yes".into() } else { "no".into() },
            thousands(r.sessions),
            if r.sessions > 0 {
                short_time(r.oldest)
            } else {
                "-".into()
            },
            if r.sessions > 0 {
                short_time(r.newest)
            } else {
                "-".into()
            },
            r.last_version.clone().unwrap_or_else(|| "-".into()),
            location,
        ]);
    }
    let mut out = std::io::stdout().lock();
    t.write(&mut out)?;
    for r in &result.reports {
        for n in &r.notes {
            let tag = match n.level {
                NoteLevel::Warning => "WARNING",
                NoteLevel::Info => "note",
            };
            let name = r.agent.map(|a| a.display_name()).unwrap_or("?");
            writeln!(out, "\n{tag} ({name}): {}", n.message)?;
        }
    }
    Ok(crate::exit::OK)
}
