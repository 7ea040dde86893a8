//! Helpers: a `convx` command isolated from the user's home, config and environment.

use assert_cmd::Command;
use std::path::Path;

/// `convx` with HOME and XDG_CONFIG_HOME inside `home`, no `CONVX_*` variables, and
/// `home` as the working directory.
pub fn convx(home: &Path) -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("convx");
    for (k, _) in std::env::vars() {
        if k.starts_with("CONVX_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .current_dir(home);
    cmd
}

/// Write `text` to `dir/rel`, creating folders.
pub fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A GitHub token that is not real.
pub const GHP: &str = "ghp_0123456789abcdefABCDEF0123456789abcd";
