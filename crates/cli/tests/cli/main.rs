//! CLI tests: the real `convx` binary on temp homes and real git repositories.

#[path = "../common/mod.rs"]
mod common;

mod archive;
mod kill;
mod sync_hooks;
