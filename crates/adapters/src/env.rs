use std::collections::BTreeMap;
use std::path::PathBuf;

/// The operating system whose path conventions apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Linux and other XDG systems.
    Linux,
    /// macOS.
    MacOs,
    /// Windows.
    Windows,
}

impl Os {
    /// The OS this binary was built for.
    pub fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        }
    }
}

/// What adapters may know of the user's environment. Built by the CLI (which reads the
/// real environment); adapters never read env vars themselves, so tests can fake a home.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The user's home directory.
    pub home: PathBuf,
    /// Environment variables relevant to agents (`CODEX_HOME`, `CLAUDE_CONFIG_DIR`,
    /// `GEMINI_CLI_HOME`, `XDG_DATA_HOME`, `XDG_CONFIG_HOME`, `APPDATA`, ...).
    pub vars: BTreeMap<String, String>,
    /// Path conventions to apply.
    pub os: Os,
}

impl Environment {
    /// An environment with `home`, no variables, and the current OS.
    pub fn new(home: impl Into<PathBuf>) -> Self {
        Environment {
            home: home.into(),
            vars: BTreeMap::new(),
            os: Os::current(),
        }
    }

    /// Builder: set a variable.
    pub fn with_var(mut self, key: &str, value: impl Into<String>) -> Self {
        self.vars.insert(key.to_string(), value.into());
        self
    }

    /// Builder: set the OS.
    pub fn with_os(mut self, os: Os) -> Self {
        self.os = os;
        self
    }

    /// A variable's value, when set and non-empty.
    pub fn var(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The variables agents care about: the CLI copies these from the process environment.
    pub const VARS: &'static [&'static str] = &[
        "CODEX_HOME",
        "CLAUDE_CONFIG_DIR",
        "GEMINI_CLI_HOME",
        "XDG_DATA_HOME",
        "XDG_CONFIG_HOME",
        "APPDATA",
        "LOCALAPPDATA",
        "USERPROFILE",
        "COPILOT_HOME",
        "OPENCODE_DATA_DIR",
    ];
}
