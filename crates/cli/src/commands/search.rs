//! `convx search QUERY`: ranked full-text search over every indexed session.

use super::index::{
    IndexLocation, index_error, open_reader, parse_until, project_filter, settings,
};
use crate::cli::parse_since;
use crate::output::short_time;
use clap::Args;
use convx_index::search::{SearchHit, SearchRequest};
use convx_index::{Filter, Role};
use convx_model::{Agent, Timestamp, truncate_chars};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Arguments of `convx search`.
#[derive(Debug, Args)]
#[command(
    after_help = "Query syntax: every word must match; \"quoted words\" match as a phrase; word* matches
a prefix; foo-bar, src/main.rs and 数据库 match as phrases of their parts. Nothing you type is
ever a syntax error. --raw-query uses the engine's syntax instead: OR, AND, NOT/-word,
field:value (fields: body, agent, role, tool, project), \"phrases\"~slop, ranges.

Examples:
  convx search fix the migration
  convx search '\"connection refused\"' --agent claude --since 30d
  convx search tokeniz* --project ~/src/convx --role assistant
  convx search --tool Bash --since 1d          newest Bash calls of the last day
  convx search --raw-query 'migration AND (postgres OR sqlite) -test'"
)]
pub struct SearchArgs {
    /// Words to search for (see below); may be empty when a filter is given.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub location: IndexLocation,
    /// Only these agents (repeatable): codex, claude, gemini, opencode, cursor, copilot.
    #[arg(long = "agent", value_name = "NAME")]
    pub agents: Vec<Agent>,
    /// Only sessions run in PATH (or below it), or in a directory named NAME (or below one).
    #[arg(long, value_name = "PATH|NAME")]
    pub project: Option<String>,
    /// Only events at or after DATE (2026-01-31, RFC 3339, or 7d / 12h / 2w).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<Timestamp>,
    /// Only events before DATE (a bare date includes that day).
    #[arg(long, value_name = "DATE", value_parser = parse_until)]
    pub until: Option<Timestamp>,
    /// Only this kind of text (repeatable): user, assistant, reasoning, tool_call,
    /// tool_result, plan, summary.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<Role>,
    /// Only calls to (and outputs of) this tool, case-insensitive (repeatable).
    #[arg(long = "tool", value_name = "NAME")]
    pub tools: Vec<String>,
    /// Number of hits.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Hits per session at most (0: no limit).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub per_session: usize,
    /// Pass QUERY to the search engine's own query syntax (see below).
    #[arg(long)]
    pub raw_query: bool,
    /// Print a JSON array of hits.
    #[arg(long)]
    pub json: bool,
}

/// The JSON object of one hit.
pub fn hit_json(h: &SearchHit) -> serde_json::Value {
    json!({
        "key": h.key,
        "agent": h.agent,
        "event": h.event,
        "timestamp": h.timestamp,
        "snippet": h.snippet.text,
        "highlights": h.snippet.highlights,
        "score": h.score,
        "role": h.role,
        "tool": h.tool,
        "project": h.project,
        "cwd": h.cwd,
        "title": h.title,
    })
}

/// Run `convx search`.
pub fn run(args: SearchArgs, config: Option<&Path>) -> anyhow::Result<i32> {
    let settings = settings(config, &args.location)?;
    let reader = open_reader(&settings, true)?;
    let project = args.project.as_deref().map(project_filter).transpose()?;
    let req = SearchRequest {
        text: args.query.join(" "),
        raw: args.raw_query,
        filter: Filter {
            agents: args.agents.clone(),
            project,
            since: args.since,
            until: args.until,
            roles: args.roles.clone(),
            tools: args.tools.clone(),
        },
        limit: args.limit.max(1),
        per_session: args.per_session,
        snippet_chars: 160,
    };
    let results = reader.search(&req).map_err(index_error)?;
    if args.json {
        let hits: Vec<_> = results.hits.iter().map(hit_json).collect();
        crate::output::print_json(&hits)?;
        return Ok(crate::exit::OK);
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = std::io::stdout().lock();
    write_hits(&results.hits, color, &mut out)?;
    if results.hits.is_empty() {
        writeln!(out, "no matches")?;
    }
    if let Some(note) = &results.note {
        eprintln!("convx: {note}");
    }
    Ok(crate::exit::OK)
}

/// Two or three lines per hit: time, agent, project, key#event and role; the title; the snippet.
pub fn write_hits(hits: &[SearchHit], color: bool, out: &mut impl Write) -> std::io::Result<()> {
    let (bold, dim, hl, reset) = if color {
        ("\x1b[1m", "\x1b[2m", "\x1b[1;33m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    for (i, h) in hits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let what = match &h.tool {
            Some(t) => format!("{} {t}", h.role),
            None => h.role.to_string(),
        };
        writeln!(
            out,
            "{bold}{} UTC{reset}  {}  {}  {dim}{}#{} ({what}){reset}",
            short_time(h.timestamp),
            h.agent,
            h.project.as_deref().unwrap_or("-"),
            h.key,
            h.event,
        )?;
        let title = truncate_chars(&h.title.replace(['\n', '\t'], " "), 100);
        if title != h.snippet.text {
            writeln!(out, "  {title}")?;
        }
        writeln!(out, "  {}", h.snippet.marked(hl, reset))?;
    }
    Ok(())
}
