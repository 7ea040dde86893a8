//! One file per command.

pub mod doctor;
pub mod index;
pub mod search;
pub mod sessions;
pub mod show;
pub mod stats;

use crate::cli::{Cli, Command, SourceArgs};
use convx_core::load::LoadRequest;

/// Run the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Sessions(args) => sessions::run(args),
        Command::Show(args) => show::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Index(args) => index::run(args, cli.config.as_deref()),
        Command::Search(args) => search::run(args, cli.config.as_deref()),
        Command::Stats(args) => stats::run(args, cli.config.as_deref()),
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
