//! Integration tests of the `convx` binary (one test binary; one module per area).

mod common;
mod config;
mod scan;
mod sessions;
mod web;
