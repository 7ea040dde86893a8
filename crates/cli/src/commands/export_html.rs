//! `convx export-html KEY|--project P|--all --out DIR`: self-contained HTML files.
//!
//! Sessions are read from the agents' logs like `convx show` does (summaries first, then
//! the events of the selected sessions only), redacted, and written by
//! `convx_web::export`: one page per session plus `index.html`, inline CSS, no script, no
//! external request, relative links. Sub-agent sessions of the selected ones are included
//! so their links work.

use crate::cli::SourceArgs;
use crate::exit::CliError;
use crate::output::print_json;
use anyhow::Context;
use clap::Args;
use convx_adapters::{ReadOptions, adapter_for};
use convx_model::Session;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Arguments of `convx export-html`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["key", "project", "all"])))]
#[command(after_help = "\
Each session becomes DIR/<agent>-<id>.html, and DIR/index.html lists them. The files need no \
server, no network and no JavaScript: zip the folder, attach it to a pull request, or publish \
it. Secrets are redacted as in every other output; review before sharing.

Examples:
  convx export-html codex:0199a3 --out /tmp/review
  convx export-html --project . --out ./session-html
  convx export-html --all --since 7d --out ~/convx-week")]
pub struct ExportHtmlArgs {
    /// Session key (`codex:0199…`), native id, or a unique prefix of either.
    pub key: Option<String>,

    /// Every session of a project: a directory (sessions whose working directory is inside
    /// it, e.g. `.`) or a project name (the last component of the working directory).
    #[arg(long, value_name = "P")]
    pub project: Option<String>,

    /// Every session found.
    #[arg(long)]
    pub all: bool,

    /// Directory to write into (created when missing; existing pages are replaced).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    #[command(flatten)]
    pub source: SourceArgs,

    /// Print what was written as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run `convx export-html`.
pub fn run(args: ExportHtmlArgs, globals: &crate::config::Globals) -> anyhow::Result<i32> {
    let redactor = crate::config::load_redactor(globals)?;
    let req = super::load_request(&args.source, false)?;
    let (sources, reports) = convx_core::load::discover(&req);
    let listed = convx_core::load::load_sources(&req, &sources, reports);
    let selected = select(&args, &listed.sessions)?;
    // Re-read the selected sessions' sources with their events, then apply the same final
    // pass as a full load (links, usage deduplication) with every other session's summary.
    let wanted_paths: BTreeSet<&str> = listed
        .sessions
        .iter()
        .filter(|s| selected.contains(&s.key))
        .flat_map(|s| s.sources.iter().map(|f| f.path.as_str()))
        .collect();
    let mut all: Vec<Session> = listed
        .sessions
        .iter()
        .filter(|s| !selected.contains(&s.key))
        .cloned()
        .collect();
    let opts = ReadOptions {
        retain_events: true,
    };
    for src in sources
        .iter()
        .filter(|s| wanted_paths.contains(s.path.display().to_string().as_str()))
    {
        let out = adapter_for(src.agent)
            .read(src, &opts)
            .with_context(|| format!("cannot read {}", src.path.display()))?;
        all.extend(
            out.sessions
                .into_iter()
                .filter(|s| selected.contains(&s.key)),
        );
    }
    convx_core::load::finish(&mut all);
    let mut chosen: Vec<Session> = all
        .into_iter()
        .filter(|s| selected.contains(&s.key))
        .collect();
    for s in &mut chosen {
        redactor.redact_session(s);
    }
    let summary =
        convx_web::export::export_sessions(chosen, &args.out, jiff::tz::TimeZone::system())
            .with_context(|| format!("cannot export into {}", args.out.display()))?;
    if args.json {
        print_json(&summary)?;
    } else {
        println!(
            "wrote {} session page{} and {}",
            summary.files.len(),
            if summary.files.len() == 1 { "" } else { "s" },
            summary.index.display()
        );
    }
    Ok(crate::exit::OK)
}

/// The keys to export: the named session(s) plus their sub-agents, recursively.
fn select(args: &ExportHtmlArgs, sessions: &[Session]) -> anyhow::Result<BTreeSet<String>> {
    let mut keys: BTreeSet<String> = BTreeSet::new();
    if let Some(wanted) = &args.key {
        keys.insert(resolve_key(wanted, sessions)?);
    } else if let Some(p) = &args.project {
        keys.extend(
            sessions
                .iter()
                .filter(|s| in_project(s, p))
                .map(|s| s.key.clone()),
        );
        if keys.is_empty() {
            return Err(CliError::NotFound(format!(
                "no session belongs to the project `{p}` (a directory or the last component of a session's working directory; see `convx sessions`)"
            ))
            .into());
        }
    } else {
        keys.extend(sessions.iter().map(|s| s.key.clone()));
    }
    // Children, so the links from their parents work.
    let children: HashMap<&str, &[String]> = sessions
        .iter()
        .map(|s| (s.key.as_str(), s.children.as_slice()))
        .collect();
    let mut todo: Vec<String> = keys.iter().cloned().collect();
    while let Some(k) = todo.pop() {
        for c in children.get(k.as_str()).copied().unwrap_or_default() {
            if keys.insert(c.clone()) {
                todo.push(c.clone());
            }
        }
    }
    Ok(keys)
}

fn resolve_key(wanted: &str, sessions: &[Session]) -> anyhow::Result<String> {
    let exact: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.key == wanted || s.id == wanted)
        .collect();
    let matches = if exact.is_empty() {
        sessions
            .iter()
            .filter(|s| s.key.starts_with(wanted) || s.id.starts_with(wanted))
            .collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [one] => Ok(one.key.clone()),
        [] => Err(CliError::NotFound(format!(
            "no session matches `{wanted}` (see `convx sessions`)"
        ))
        .into()),
        many => {
            let keys: Vec<&str> = many.iter().take(10).map(|s| s.key.as_str()).collect();
            Err(CliError::Usage(format!(
                "`{wanted}` matches {} sessions: {}",
                many.len(),
                keys.join(", ")
            ))
            .into())
        }
    }
}

/// A directory (existing, or containing a separator) matches sessions whose cwd is inside
/// it; anything else is a project name.
fn in_project(s: &Session, p: &str) -> bool {
    let Some(cwd) = s.cwd.as_deref() else {
        return false;
    };
    let as_path = Path::new(p);
    if as_path.is_dir() || p.contains(['/', '\\']) {
        let dir = std::fs::canonicalize(as_path).unwrap_or_else(|_| as_path.to_path_buf());
        return Path::new(cwd).starts_with(&dir) || Path::new(cwd).starts_with(as_path);
    }
    convx_web::memory::project_of(s).as_deref() == Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use convx_model::Agent;

    fn session(id: &str, cwd: &str) -> Session {
        let mut s = Session::new(Agent::Codex, id);
        s.cwd = Some(cwd.into());
        s
    }

    #[test]
    fn keys_resolve_exactly_then_by_unique_prefix() {
        let all = vec![
            session("abc1", "/w/shop"),
            session("abc2", "/w/api"),
            session("xyz", "/w/api"),
        ];
        assert_eq!(resolve_key("codex:xyz", &all).unwrap(), "codex:xyz");
        assert_eq!(resolve_key("abc1", &all).unwrap(), "codex:abc1");
        assert_eq!(resolve_key("xy", &all).unwrap(), "codex:xyz");
        let many = resolve_key("abc", &all).unwrap_err();
        assert_eq!(crate::exit::code_for(&many), crate::exit::USAGE);
        let none = resolve_key("nope", &all).unwrap_err();
        assert_eq!(crate::exit::code_for(&none), crate::exit::NOT_FOUND);
    }

    #[test]
    fn projects_match_by_directory_or_name() {
        let s = session("a", "/w/shop/sub");
        assert!(in_project(&s, "/w/shop"));
        assert!(!in_project(&s, "/w/sho"));
        assert!(in_project(&s, "sub"));
        assert!(!in_project(&s, "shop"));
    }
}
