//! Integration tests of the `convx` binary (one test binary; one module per area): the real
//! binary on temp homes, fixture homes and real git repositories.

mod common;
mod world;

mod archive;
mod config;
mod index_commands;
mod kill;
mod scan;
mod sessions;
mod sync_hooks;
mod web;
