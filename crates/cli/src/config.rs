//! Configuration for the CLI: finds and reads the config file and the `CONVX_*`
//! environment, layers them with `convx_core::config::Config::load`, applies the global
//! flags, and builds the redactor every command that prints or writes session text uses.

use crate::exit::CliError;
use convx_core::config::{Config, ConfigFile, ENV_PREFIX, Identity};
use convx_core::redact::Redactor;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The global flags that affect configuration.
#[derive(Debug, Clone, Default)]
pub struct Globals {
    /// `--config PATH` (or `CONVX_CONFIG`).
    pub config: Option<PathBuf>,
    /// `--anonymize`.
    pub anonymize: bool,
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The layered configuration.
    pub config: Config,
    /// The file that was read, if any.
    pub path: Option<PathBuf>,
}

/// `$XDG_CONFIG_HOME/convx/config.toml`, else `~/.config/convx/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = xdg.or_else(|| etcetera::home_dir().ok().map(|h| h.join(".config")))?;
    Some(base.join("convx").join("config.toml"))
}

/// Defaults → file → `CONVX_*` variables → flags.
pub fn load(globals: &Globals) -> anyhow::Result<Loaded> {
    let (path, explicit) = match &globals.config {
        Some(p) => (Some(p.clone()), true),
        None => (default_path(), false),
    };
    let file = match &path {
        Some(p) => read_file(p, explicit)?,
        None => None,
    };
    let env: BTreeMap<String, String> = std::env::vars()
        .filter(|(k, _)| k.starts_with(ENV_PREFIX))
        .collect();
    let mut config = Config::load(file.as_ref(), &env)
        .map_err(|e| CliError::Config(format!("invalid configuration: {e}")))?;
    if globals.anonymize {
        config.anonymize.enabled = true;
    }
    Ok(Loaded {
        config,
        path: file.map(|f| f.path),
    })
}

fn read_file(path: &Path, explicit: bool) -> anyhow::Result<Option<ConfigFile>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(ConfigFile {
            path: path.to_path_buf(),
            text,
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(None),
        Err(e) => {
            Err(CliError::Config(format!("cannot read config file {}: {e}", path.display())).into())
        }
    }
}

/// The user's identity for anonymization: home directory, OS user name, host name.
pub fn identity() -> Identity {
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| std::env::var(n).ok())
            .filter(|v| !v.trim().is_empty())
    };
    Identity {
        home: etcetera::home_dir().ok().map(|h| h.display().to_string()),
        user: var(&["USER", "USERNAME", "LOGNAME"]),
        host: var(&["HOSTNAME", "COMPUTERNAME"]).or_else(host_name),
    }
}

fn host_name() -> Option<String> {
    for f in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        if let Ok(s) = std::fs::read_to_string(f) {
            let s = s.trim();
            if !s.is_empty() {
                return Some(s.to_string());
            }
        }
    }
    let out = std::process::Command::new("hostname").output().ok()?;
    let s = String::from_utf8(out.stdout).ok()?;
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The redactor for `loaded`; warns on stderr when redaction is disabled.
pub fn redactor(loaded: &Loaded) -> anyhow::Result<Redactor> {
    let cfg = &loaded.config;
    if !cfg.redact.enabled {
        let from = loaded
            .path
            .as_ref()
            .map(|p| format!(" (config: {})", p.display()))
            .unwrap_or_default();
        eprintln!(
            "convx: warning: secret redaction is disabled by `redact.enabled = false`{from}; output may contain credentials"
        );
    }
    Redactor::new(&cfg.redact_config(&identity()))
        .map_err(|e| CliError::Config(format!("invalid configuration: {e}")).into())
}

/// Load the configuration and build its redactor in one step.
pub fn load_redactor(globals: &Globals) -> anyhow::Result<Redactor> {
    redactor(&load(globals)?)
}
