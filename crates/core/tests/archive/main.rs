//! Archive tests: real files, real git repositories in temp dirs.

#[path = "../common/mod.rs"]
mod common;

mod guarantees;
mod layout;
mod render;
mod repos;
