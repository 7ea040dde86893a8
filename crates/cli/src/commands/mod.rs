//! One file per command.

mod archive_common;
pub mod backup;
pub mod doctor;
pub mod hooks;
pub mod sessions;
pub mod show;
pub mod sync;
pub mod verify;

use crate::cli::{Cli, Command, SourceArgs};
use convx_core::load::LoadRequest;

/// Run the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Sessions(args) => sessions::run(args),
        Command::Show(args) => show::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Backup(args) => backup::run(args),
        Command::Sync(args) => sync::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Hooks(args) => hooks::run(args),
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
