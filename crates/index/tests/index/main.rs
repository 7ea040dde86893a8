//! Integration tests of convx-index: real SQLite, real tantivy, temp dirs.

#[path = "../common/mod.rs"]
mod common;

mod dedup;
mod durability;
mod search;
mod stats;
mod update;
