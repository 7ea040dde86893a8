//! # convx
//!
//! The `convx` command-line tool: a thin layer over `convx-core` that parses arguments,
//! resolves the environment and configuration, prints human or `--json` output and maps
//! errors to documented exit codes (see [`exit`]).

mod cli;
mod commands;
mod config;
mod environment;
mod exit;
mod output;

use clap::Parser;

fn main() {
    output::reset_sigpipe();
    let cli = cli::Cli::parse();
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if output::is_broken_pipe(&err) {
                exit::OK
            } else {
                eprintln!("convx: error: {err:#}");
                exit::code_for(&err)
            }
        }
    };
    std::process::exit(code);
}
