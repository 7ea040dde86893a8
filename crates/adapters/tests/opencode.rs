//! Integration tests of the OpenCode adapter over the fixture cases in
//! `tests/fixtures/opencode/` (see its PROVENANCE.md).

mod common;
#[path = "fixtures/opencode/sqlfix.rs"]
mod sqlfix;

use convx_adapters::{Adapter, opencode::OpenCodeAdapter};
use std::path::PathBuf;

fn case(name: &str) -> PathBuf {
    common::fixtures("opencode").join(name)
}

#[test]
fn fixture_databases_match_their_scripts() {
    sqlfix::check_cases(&common::cases("opencode"));
}

#[test]
fn debug_print() {
    let a = OpenCodeAdapter;
    for c in common::cases("opencode") {
        for s in common::sessions_of(&a, &c) {
            println!("{}", serde_json::to_string_pretty(&common::snapshot_view(&s, &c)).unwrap());
        }
    }
}
