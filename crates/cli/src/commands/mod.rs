//! One file per command.

pub mod agents;
mod archive_common;
pub mod backup;
pub mod doctor;
pub mod export_html;
pub mod hooks;
pub mod index;
pub mod scan;
pub mod search;
pub mod serve;
pub mod sessions;
pub mod show;
pub mod stats;
pub mod sync;
pub mod verify;

use crate::cli::{Cli, Command, SourceArgs};
use convx_core::load::LoadRequest;

/// Run the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let globals = crate::config::Globals {
        config: cli.config.clone(),
        anonymize: cli.anonymize,
    };
    match cli.command {
        Command::Sessions(args) => sessions::run(args, &globals),
        Command::Show(args) => show::run(args, &globals),
        Command::Scan(args) => scan::run(args, &globals),
        Command::Doctor(args) => doctor::run(args),
        Command::Agents(args) => agents::run(args),
        Command::Serve(args) => serve::run(args, &globals),
        Command::ExportHtml(args) => export_html::run(args, &globals),
        Command::Backup(args) => backup::run(args, &globals),
        Command::Sync(args) => sync::run(args, &globals),
        Command::Verify(args) => verify::run(args, &globals),
        Command::Hooks(args) => hooks::run(args),
        Command::Index(args) => index::run(args, &globals),
        Command::Search(args) => search::run(args, globals.config.as_deref()),
        Command::Stats(args) => stats::run(args, globals.config.as_deref()),
    }
}

/// The load request for `args` in the real environment.
pub fn load_request(args: &SourceArgs, retain_events: bool) -> anyhow::Result<LoadRequest> {
    let env = crate::environment::from_process()?;
    Ok(LoadRequest {
        env,
        agents: args.agents.clone(),
        overrides: args.overrides(),
        since: args.since,
        retain_events,
    })
}
