//! `convx show KEY`: one session as readable text or normalized JSON.

use crate::cli::SourceArgs;
use crate::exit::CliError;
use crate::output::{print_json, short_time, thousands};
use clap::Args;
use convx_adapters::{ReadOptions, adapter_for};
use convx_model::{EventKind, Session};
use std::io::Write;

/// Arguments of `convx show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Session key (`codex:0199…`), native id, or a unique prefix of either.
    pub key: String,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Print the normalized JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run `convx show`. Every text field is redacted (and anonymized with `--anonymize`)
/// before anything is printed.
pub fn run(args: ShowArgs, globals: &crate::config::Globals) -> anyhow::Result<i32> {
    let redactor = crate::config::load_redactor(globals)?;
    let req = super::load_request(&args.source, false)?;
    let (sources, reports) = convx_core::load::discover(&req);
    let listed = convx_core::load::load_sources(&req, &sources, reports);
    let wanted = args.key.as_str();
    let matches: Vec<&Session> = listed
        .sessions
        .iter()
        .filter(|s| s.key == wanted || s.id == wanted)
        .collect();
    let matches = if matches.is_empty() {
        listed
            .sessions
            .iter()
            .filter(|s| s.key.starts_with(wanted) || s.id.starts_with(wanted))
            .collect()
    } else {
        matches
    };
    let summary = match matches.as_slice() {
        [one] => *one,
        [] => {
            return Err(CliError::NotFound(format!(
                "no session matches `{wanted}` (see `convx sessions`)"
            ))
            .into());
        }
        many => {
            let keys: Vec<&str> = many.iter().take(10).map(|s| s.key.as_str()).collect();
            return Err(CliError::Usage(format!(
                "`{wanted}` matches {} sessions: {}",
                many.len(),
                keys.join(", ")
            ))
            .into());
        }
    };
    // Re-read the session's sources with events, then apply the same final pass.
    let mut full: Vec<Session> = Vec::new();
    for src in sources.iter().filter(|s| {
        summary
            .sources
            .iter()
            .any(|f| f.path == s.path.display().to_string())
    }) {
        let out = adapter_for(src.agent).read(
            src,
            &ReadOptions {
                retain_events: true,
            },
        )?;
        full.extend(out.sessions);
    }
    let mut all: Vec<Session> = listed
        .sessions
        .iter()
        .filter(|s| s.key != summary.key)
        .cloned()
        .collect();
    all.extend(full);
    convx_core::load::finish(&mut all);
    if let Some(s) = all.iter_mut().find(|s| s.key == summary.key) {
        redactor.redact_session(s);
    }
    let session = all
        .into_iter()
        .find(|s| s.key == summary.key)
        .ok_or_else(|| {
            CliError::NotFound(format!("session `{}` vanished while reading", summary.key))
        })?;
    if args.json {
        print_json(&session)?;
    } else {
        write_text(&session, &mut std::io::stdout().lock())?;
    }
    Ok(crate::exit::OK)
}

fn write_text(s: &Session, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "{}", s.display_title())?;
    writeln!(out, "key:      {}", s.key)?;
    writeln!(out, "kind:     {}", s.kind.name())?;
    if let Some(p) = &s.parent {
        writeln!(out, "parent:   {p}")?;
    }
    for c in &s.children {
        writeln!(out, "child:    {c}")?;
    }
    writeln!(out, "start:    {} UTC", short_time(s.started_at))?;
    writeln!(out, "end:      {} UTC", short_time(s.ended_at))?;
    if let Some(c) = &s.cwd {
        writeln!(out, "cwd:      {c}")?;
    }
    if let Some(b) = &s.git.branch {
        writeln!(out, "branch:   {b}")?;
    }
    if !s.models.is_empty() {
        writeln!(out, "models:   {}", s.models.join(", "))?;
    }
    let u = &s.summary.usage;
    writeln!(
        out,
        "tokens:   {} (input {}, cache write {}, cache read {}, output {}, reasoning {})",
        thousands(u.total()),
        thousands(u.input),
        thousands(u.cache_creation),
        thousands(u.cache_read),
        thousands(u.output),
        thousands(u.reasoning)
    )?;
    for e in &s.events {
        let when = e
            .timestamp
            .map(|t| t.strftime("%H:%M:%S").to_string())
            .unwrap_or_default();
        let mut flags = String::new();
        if e.inherited {
            flags.push_str(" (inherited)");
        }
        if e.abandoned {
            flags.push_str(" (abandoned)");
        }
        let (head, body) = match &e.kind {
            EventKind::UserPrompt { text, .. } => ("USER".to_string(), text.clone()),
            EventKind::AssistantText { text } => ("ASSISTANT".to_string(), text.clone()),
            EventKind::Reasoning { text, encrypted } => (
                "REASONING".to_string(),
                if text.is_empty() && *encrypted {
                    "[encrypted]".into()
                } else {
                    text.clone()
                },
            ),
            EventKind::ToolCall { name, input, .. } => {
                (format!("TOOL CALL {name}"), input.to_string())
            }
            EventKind::ToolResult {
                output, is_error, ..
            } => (
                if *is_error {
                    "TOOL ERROR".to_string()
                } else {
                    "TOOL RESULT".to_string()
                },
                output.clone(),
            ),
            EventKind::Context { source, text } => (format!("CONTEXT {source}"), text.clone()),
            EventKind::PlanUpdate { steps, .. } => (
                "PLAN".to_string(),
                steps
                    .iter()
                    .map(|s| format!("- [{:?}] {}", s.status, s.text))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            EventKind::Compaction { summary, .. } => (
                "COMPACTION".to_string(),
                summary.clone().unwrap_or_default(),
            ),
            EventKind::ModelCall {} => ("MODEL CALL".to_string(), String::new()),
            EventKind::Opaque { record_type, .. } => {
                (format!("RECORD {record_type}"), String::new())
            }
        };
        let usage = e
            .usage
            .as_ref()
            .map(|u| {
                format!(
                    "  [{} tokens{}]",
                    thousands(u.tokens.total()),
                    if u.duplicate {
                        ", counted elsewhere"
                    } else {
                        ""
                    }
                )
            })
            .unwrap_or_default();
        writeln!(out, "\n── {when} {head}{flags}{usage}")?;
        if !body.is_empty() {
            writeln!(out, "{}", convx_model::truncate_chars(&body, 4000))?;
        }
    }
    Ok(())
}
