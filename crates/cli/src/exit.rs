//! Exit codes (documented in the README):
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the command ran and found problems (`scan` findings, `verify` failures, withheld sessions) |
//! | 2 | usage error (bad flag or argument) |
//! | 3 | configuration error (invalid config file or value) |
//! | 4 | the archive is locked by another run (`--no-wait`) |
//! | 5 | a session or input named on the command line was not found |
//! | 70 | internal error |

/// Success.
pub const OK: i32 = 0;
/// The command ran and found problems.
pub const FINDINGS: i32 = 1;
/// Usage error.
pub const USAGE: i32 = 2;
/// Configuration error.
pub const CONFIG: i32 = 3;
/// Archive locked.
pub const LOCKED: i32 = 4;
/// Not found.
pub const NOT_FOUND: i32 = 5;
/// Anything else.
pub const INTERNAL: i32 = 70;

/// Errors that carry their own exit code.
#[derive(Debug, thiserror::Error)]
#[allow(dead_code)]
pub enum CliError {
    /// See [`USAGE`].
    #[error("{0}")]
    Usage(String),
    /// See [`CONFIG`].
    #[error("{0}")]
    Config(String),
    /// See [`NOT_FOUND`].
    #[error("{0}")]
    NotFound(String),
    /// See [`LOCKED`].
    #[error("{0}")]
    Locked(String),
}

/// The exit code for an error.
pub fn code_for(err: &anyhow::Error) -> i32 {
    match err.downcast_ref::<CliError>() {
        Some(CliError::Usage(_)) => USAGE,
        Some(CliError::Config(_)) => CONFIG,
        Some(CliError::NotFound(_)) => NOT_FOUND,
        Some(CliError::Locked(_)) => LOCKED,
        None => INTERNAL,
    }
}
