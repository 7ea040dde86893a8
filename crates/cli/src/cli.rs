//! Command-line definition (clap).

use crate::commands;
use clap::{Args, Parser, Subcommand};
use convx_model::{Agent, Timestamp};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// convx: a durable, private, searchable memory of your AI coding-agent sessions.
///
/// Reads the session logs of Codex CLI, Claude Code, Gemini CLI, OpenCode, Cursor and
/// Copilot CLI from your home directory, normalizes them, and lists, shows, archives,
/// indexes and searches them. Secrets are redacted before anything is written.
#[derive(Debug, Parser)]
#[command(
    name = "convx",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Configuration file (default: $XDG_CONFIG_HOME/convx/config.toml).
    #[arg(long, global = true, value_name = "PATH", env = "CONVX_CONFIG")]
    pub config: Option<PathBuf>,

    /// Anonymize identities in what is printed or written: home directory -> `~`, user and
    /// host names -> aliases, e-mail addresses masked (see `[anonymize]` in the config).
    #[arg(long, global = true)]
    pub anonymize: bool,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Archive every session into a Git repository as Markdown + hidden JSON (default:
    /// ~/.local/share/convx/archive). Incremental, atomic, safe to run from cron.
    Backup(commands::backup::BackupArgs),
    /// Archive the sessions of one project into that project's repository (.ai/history).
    Sync(commands::sync::SyncArgs),
    /// List sessions found in the agents' logs.
    Sessions(commands::sessions::SessionsArgs),
    /// Show one session as readable text or normalized JSON.
    Show(commands::show::ShowArgs),
    /// Search every indexed session: ranked hits with highlighted snippets.
    Search(commands::search::SearchArgs),
    /// Tokens and cost per day, week, month, session, project, model or agent.
    Stats(commands::stats::StatsArgs),
    /// Update the search index from the agents' logs (or an archive); skips unchanged files.
    Index(commands::index::IndexArgs),
    /// Browse sessions, search and usage charts in a local web console.
    Serve(commands::serve::ServeArgs),
    /// Write sessions as self-contained HTML files (no server, no script needed).
    ExportHtml(commands::export_html::ExportHtmlArgs),
    /// Every supported agent: detected or not, where convx looked, sessions found,
    /// oldest and newest session, last version seen, and retention warnings.
    Agents(commands::agents::AgentsArgs),
    /// Check what convx can read: locations, sources, parse problems, unknown record types.
    Doctor(commands::doctor::DoctorArgs),
    /// Check an archive: manifests and hashes, JSON against Markdown, no secrets left.
    Verify(commands::verify::VerifyArgs),
    /// Install or remove the pre-commit hook that runs `convx sync`.
    Hooks(commands::hooks::HooksArgs),
    /// Scan files or folders for secrets with the redaction rules (exit code 1 when found).
    Scan(commands::scan::ScanArgs),
}

/// Where to read sessions from; shared by the commands that read agent logs.
#[derive(Debug, Clone, Args, Default)]
pub struct SourceArgs {
    /// Only these agents (repeatable): codex, claude, gemini, opencode, cursor, copilot.
    #[arg(long = "agent", value_name = "NAME")]
    pub agents: Vec<Agent>,

    /// Read an agent's data from PATH instead of its default location (repeatable),
    /// e.g. `--input codex=/backup/.codex`.
    #[arg(long = "input", value_name = "NAME=PATH", value_parser = parse_input)]
    pub inputs: Vec<(Agent, PathBuf)>,

    /// Only sessions active since DATE: `2026-01-31`, an RFC 3339 time, or a relative
    /// age such as `7d`, `12h`, `2w`.
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<Timestamp>,
}

impl SourceArgs {
    /// The `--input` overrides grouped per agent.
    pub fn overrides(&self) -> BTreeMap<Agent, Vec<PathBuf>> {
        let mut m: BTreeMap<Agent, Vec<PathBuf>> = BTreeMap::new();
        for (a, p) in &self.inputs {
            m.entry(*a).or_default().push(p.clone());
        }
        m
    }
}

fn parse_input(s: &str) -> Result<(Agent, PathBuf), String> {
    let (name, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=PATH, got `{s}`"))?;
    let agent: Agent = name
        .parse()
        .map_err(|e: convx_model::UnknownAgentError| e.to_string())?;
    if path.is_empty() {
        return Err("empty PATH".into());
    }
    Ok((agent, PathBuf::from(path)))
}

/// Parse `--since`/`--until` values.
pub fn parse_since(s: &str) -> Result<Timestamp, String> {
    parse_time(s, Timestamp::now())
}

fn parse_time(s: &str, now: Timestamp) -> Result<Timestamp, String> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return d
            .to_zoned(jiff::tz::TimeZone::system())
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    if let Some(num) = s.strip_suffix(['d', 'h', 'w', 'm'])
        && let Ok(n) = num.parse::<i64>()
    {
        let secs = match s.chars().last() {
            Some('m') => n * 60,
            Some('h') => n * 3600,
            Some('d') => n * 86_400,
            _ => n * 7 * 86_400,
        };
        return now
            .checked_sub(jiff::SignedDuration::from_secs(secs))
            .map_err(|e| e.to_string());
    }
    Err(format!(
        "cannot read `{s}` as a date: use 2026-01-31, an RFC 3339 time, or 7d / 12h / 2w / 30m"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute_times() {
        let now: Timestamp = "2026-11-22T12:00:00Z".parse().unwrap();
        assert_eq!(
            parse_time("7d", now).unwrap(),
            "2026-11-15T12:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            parse_time("12h", now).unwrap(),
            "2026-11-22T00:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            parse_time("2026-01-01T00:00:00Z", now).unwrap(),
            "2026-01-01T00:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(parse_time("2026-01-01", now).is_ok());
        assert!(parse_time("yesterday", now).is_err());
    }

    #[test]
    fn input_flag() {
        assert_eq!(
            parse_input("codex=/x").unwrap(),
            (Agent::Codex, PathBuf::from("/x"))
        );
        assert!(parse_input("nope=/x").is_err());
        assert!(parse_input("codex").is_err());
    }

    #[test]
    fn cli_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
