//! # convx-core
//!
//! The convx pipeline as a library: discover sources, read them in parallel, link
//! sub-agents and forks, deduplicate usage, redact, archive. It never prints and never
//! reads the environment: the CLI passes everything in.

pub mod archive;
pub mod config;
pub mod load;
pub mod redact;
