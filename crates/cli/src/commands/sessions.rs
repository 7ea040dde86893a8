//! `convx sessions`: one row per session.

use crate::cli::SourceArgs;
use crate::output::{Table, print_json, short_time, thousands};
use clap::Args;
use convx_model::{Session, truncate_chars};
use serde_json::{Value, json};
use std::io::Write;

/// Arguments of `convx sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Run `convx sessions`. Titles, prompts, paths and metadata are redacted (and
/// anonymized with `--anonymize`) before anything is printed.
pub fn run(args: SessionsArgs, globals: &crate::config::Globals) -> anyhow::Result<i32> {
    let redactor = crate::config::load_redactor(globals)?;
    let req = super::load_request(&args.source, false)?;
    let mut result = convx_core::load::load(&req);
    for s in &mut result.sessions {
        redactor.redact_session(s);
    }
    if args.json {
        let rows: Vec<Value> = result.sessions.iter().map(json_row).collect();
        print_json(&rows)?;
        return Ok(crate::exit::OK);
    }
    let mut t = Table::new(&[
        "AGENT",
        "KEY",
        "START (UTC)",
        "PROJECT",
        "TITLE",
        ">PROMPTS",
        ">TOOLS",
        ">TOKENS",
    ]);
    for s in &result.sessions {
        t.row(vec![
            s.agent.slug().to_string(),
            s.key.clone(),
            short_time(s.started_at),
            s.cwd
                .as_deref()
                .map(project_name)
                .unwrap_or_else(|| "-".into()),
            truncate_chars(&s.display_title().replace(['\n', '\t'], " "), 60),
            thousands(s.summary.counts.user_prompts),
            thousands(s.summary.counts.tool_calls),
            thousands(s.summary.usage.total()),
        ]);
    }
    let mut out = std::io::stdout().lock();
    t.write(&mut out)?;
    if result.sessions.is_empty() {
        writeln!(
            out,
            "(no sessions found; `convx doctor` shows where convx looked)"
        )?;
    }
    Ok(crate::exit::OK)
}

fn project_name(cwd: &str) -> String {
    let trimmed = cwd.trim_end_matches(['/', '\\']);
    trimmed
        .rsplit(['/', '\\'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(trimmed)
        .to_string()
}

/// The JSON object of one session in `convx sessions --json`.
pub fn json_row(s: &Session) -> Value {
    json!({
        "key": s.key,
        "agent": s.agent,
        "id": s.id,
        "kind": s.kind,
        "parent": s.parent,
        "children": s.children,
        "started_at": s.started_at,
        "ended_at": s.ended_at,
        "cwd": s.cwd,
        "git": { "branch": s.git.branch, "commit": s.git.commit, "remote": s.git.remote },
        "title": s.display_title(),
        "first_prompt": s.summary.first_prompt,
        "models": s.models,
        "agent_version": s.agent_version,
        "counts": s.summary.counts,
        "usage": s.summary.usage,
        "usage_by_model": s.summary.usage_by_model,
        "recorded_cost_usd": s.summary.recorded_cost_usd,
        "sources": s.sources.iter().map(|f| &f.path).collect::<Vec<_>>(),
        "warnings": s.warnings,
    })
}
