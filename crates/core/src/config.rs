//! User configuration: the `config.toml` schema and its layering.
//!
//! Layers, later ones winning: built-in defaults → the file (by default
//! `$XDG_CONFIG_HOME/convx/config.toml`, i.e. `~/.config/convx/config.toml`; `--config`
//! overrides the path) → `CONVX_<SECTION>_<KEY>` environment variables → command-line
//! flags. This module takes the file's text and the variables as plain inputs (it never
//! reads files or the environment); the CLI resolves the path, reads the file and the
//! environment, and applies its flags on the result.
//!
//! ```toml
//! [redact]
//! enabled = true                      # false: nothing is redacted (the CLI warns)
//! allowlist = ["sk_test_not_a_secret"]
//! allowlist_regexes = ['^ghp_0{36}$']
//! keyword_lines = ["AcmeCorp"]        # a line containing one becomes [SANITIZED]
//!
//! [[redact.rules]]
//! id = "acme-license"
//! regex = 'ACME-[0-9]{8}'
//! keywords = ["acme-"]                # optional prefilter literals
//!
//! [anonymize]
//! enabled = true                      # or `--anonymize`
//! user_alias = "me"
//! host_alias = "laptop"
//! mask_emails = true
//! ```
//!
//! An environment variable sets one key: `CONVX_REDACT_ENABLED=false`,
//! `CONVX_ANONYMIZE_USER_ALIAS=me`, `CONVX_REDACT_KEYWORD_LINES=acme,initech` (a list is
//! comma-separated or a TOML array). Errors name the file, line, column and key, or the
//! variable.
//!
//! ```
//! use convx_core::config::{Config, ConfigFile};
//! use std::collections::BTreeMap;
//! let file = ConfigFile { path: "config.toml".into(), text: "[anonymize]\nenabled = true\n".into() };
//! let env = BTreeMap::from([("CONVX_ANONYMIZE_USER_ALIAS".to_string(), "me".to_string())]);
//! let cfg = Config::load(Some(&file), &env).unwrap();
//! assert!(cfg.anonymize.enabled && cfg.redact.enabled);
//! assert_eq!(cfg.anonymize.user_alias, "me");
//! ```

use crate::redact::{Anonymize, ExtraRule, RedactConfig, RedactError, Redactor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The whole configuration. Unknown sections or keys are errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[redact]`: secret redaction.
    pub redact: RedactSettings,
    /// `[anonymize]`: identity anonymization (opt-in).
    pub anonymize: AnonymizeSettings,
    /// `[archive]`: the Git archive.
    pub archive: ArchiveConfig,
    /// `[index]`: the search index.
    pub index: IndexConfig,
    /// `[pricing]`: token prices.
    pub pricing: PricingConfig,
}

/// `[redact]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedactSettings {
    /// Redact secrets (default true). Turning it off makes the CLI warn on every run.
    pub enabled: bool,
    /// Extra rules (`[[redact.rules]]`: `id`, `regex`, optional `keywords`).
    pub rules: Vec<ExtraRule>,
    /// Exact strings never redacted.
    pub allowlist: Vec<String>,
    /// Regexes: a secret they match is never redacted.
    pub allowlist_regexes: Vec<String>,
    /// Words (case-insensitive): a line containing one becomes `[SANITIZED]`.
    pub keyword_lines: Vec<String>,
}

impl Default for RedactSettings {
    fn default() -> Self {
        RedactSettings {
            enabled: true,
            rules: Vec::new(),
            allowlist: Vec::new(),
            allowlist_regexes: Vec::new(),
            keyword_lines: Vec::new(),
        }
    }
}

/// `[anonymize]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnonymizeSettings {
    /// Anonymize (default false; `--anonymize` turns it on).
    pub enabled: bool,
    /// What the OS user name becomes.
    pub user_alias: String,
    /// What the host name becomes.
    pub host_alias: String,
    /// Mask e-mail addresses.
    pub mask_emails: bool,
}

impl Default for AnonymizeSettings {
    fn default() -> Self {
        let a = Anonymize::default();
        AnonymizeSettings {
            enabled: false,
            user_alias: a.user_alias,
            host_alias: a.host_alias,
            mask_emails: true,
        }
    }
}

/// `[archive]` (extended by the archive work).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArchiveConfig {}

/// `[index]`: owned and validated by `convx-index` (`IndexSettings::from_config_toml`);
/// kept here as raw values so the file and `CONVX_INDEX_*` variables layer the same way.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndexConfig {
    /// The section's keys, unvalidated here.
    #[serde(flatten)]
    pub values: BTreeMap<String, toml::Value>,
}

/// `[pricing]`: owned and validated by `convx-index` (price overrides); kept raw here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PricingConfig {
    /// The section's keys, unvalidated here.
    #[serde(flatten)]
    pub values: BTreeMap<String, toml::Value>,
}

/// The sections environment variables may address (`CONVX_<SECTION>_<KEY>`).
pub const SECTIONS: &[&str] = &["redact", "anonymize", "archive", "index", "pricing"];

/// Prefix of the configuration environment variables.
pub const ENV_PREFIX: &str = "CONVX_";

/// A configuration file's path (for messages) and text.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its contents.
    pub text: String,
}

/// Who the user is, for anonymization (filled in by the CLI).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// Home directory.
    pub home: Option<String>,
    /// OS user name.
    pub user: Option<String>,
    /// Host name.
    pub host: Option<String>,
}

/// An invalid configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file is not valid TOML or does not fit the schema.
    #[error("{}:{line}:{column}: {key}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The key (`redact.enabled`), or `-` when the error is not about one key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// An environment variable does not fit the schema.
    #[error("environment variable {var}: {message}")]
    Env {
        /// The variable.
        var: String,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Layer defaults, `file` and the `CONVX_*` variables of `env` (other variables are
    /// ignored), and check that every regex compiles.
    pub fn load(
        file: Option<&ConfigFile>,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let (mut table, file_cfg) = match file {
            Some(f) => {
                let cfg: Config =
                    toml::from_str(&f.text).map_err(|e| file_error(f, e.span(), e.message()))?;
                if let Err(e) = cfg.check_regexes() {
                    return Err(locate_regex_error(f, &e));
                }
                let table: toml::Table =
                    toml::from_str(&f.text).map_err(|e| file_error(f, e.span(), e.message()))?;
                (table, cfg)
            }
            None => (toml::Table::new(), Config::default()),
        };
        let mut cfg = file_cfg;
        for (var, value) in env {
            let Some((section, key)) = env_key(var) else {
                continue;
            };
            cfg = apply_env(&mut table, var, section, &key, value)?;
            if let Err(e) = cfg.check_regexes() {
                return Err(ConfigError::Env {
                    var: var.clone(),
                    message: e.to_string(),
                });
            }
        }
        Ok(cfg)
    }

    /// Parse one file alone (no environment).
    pub fn from_file(file: &ConfigFile) -> Result<Config, ConfigError> {
        Config::load(Some(file), &BTreeMap::new())
    }

    /// The engine configuration for this user.
    pub fn redact_config(&self, identity: &Identity) -> RedactConfig {
        let r = &self.redact;
        let a = &self.anonymize;
        RedactConfig {
            enabled: r.enabled,
            extra_rules: r.rules.clone(),
            allowlist: r.allowlist.clone(),
            allowlist_regexes: r.allowlist_regexes.clone(),
            keyword_lines: r.keyword_lines.clone(),
            anonymize: a.enabled.then(|| Anonymize {
                home: identity.home.clone(),
                user: identity.user.clone(),
                host: identity.host.clone(),
                user_alias: a.user_alias.clone(),
                host_alias: a.host_alias.clone(),
                mask_emails: a.mask_emails,
            }),
        }
    }

    fn check_regexes(&self) -> Result<(), RedactError> {
        Redactor::new(&self.redact_config(&Identity::default())).map(|_| ())
    }
}

/// `CONVX_REDACT_KEYWORD_LINES` → `("redact", "keyword_lines")`.
fn env_key(var: &str) -> Option<(&'static str, String)> {
    let rest = var.strip_prefix(ENV_PREFIX)?;
    let (section, key) = rest.split_once('_')?;
    let section = SECTIONS.iter().find(|s| s.eq_ignore_ascii_case(section))?;
    (!key.is_empty()).then(|| (*section, key.to_ascii_lowercase()))
}

/// Set `section.key` from an environment value: the first reading that fits the schema
/// wins (a TOML literal, a boolean word, a plain string, a comma-separated list).
fn apply_env(
    table: &mut toml::Table,
    var: &str,
    section: &str,
    key: &str,
    value: &str,
) -> Result<Config, ConfigError> {
    let mut candidates: Vec<toml::Value> = Vec::new();
    if let Ok(mut t) = toml::from_str::<toml::Table>(&format!("v = {value}"))
        && let Some(v) = t.remove("v")
    {
        candidates.push(v);
    }
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "on" | "true" => candidates.push(toml::Value::Boolean(true)),
        "0" | "no" | "off" | "false" => candidates.push(toml::Value::Boolean(false)),
        _ => {}
    }
    candidates.push(toml::Value::String(value.to_string()));
    let list = value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| toml::Value::String(s.into()));
    candidates.push(toml::Value::Array(list.collect()));
    let mut last_err = String::new();
    for c in candidates {
        let mut t = table.clone();
        let sec = t
            .entry(section)
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let Some(sec) = sec.as_table_mut() else {
            return Err(ConfigError::Env {
                var: var.into(),
                message: format!("`{section}` is not a table"),
            });
        };
        sec.insert(key.to_string(), c);
        match t.clone().try_into::<Config>() {
            Ok(cfg) => {
                *table = t;
                return Ok(cfg);
            }
            Err(e) => last_err = e.message().to_string(),
        }
    }
    Err(ConfigError::Env {
        var: var.into(),
        message: format!("{section}.{key}: {last_err}"),
    })
}

/// A file error at `span`, naming the key found there.
fn file_error(f: &ConfigFile, span: Option<std::ops::Range<usize>>, message: &str) -> ConfigError {
    let at = span.map_or(0, |s| s.start).min(f.text.len());
    let (line, column) = line_col(&f.text, at);
    ConfigError::File {
        path: f.path.clone(),
        line,
        column,
        key: key_at(&f.text, at).unwrap_or_else(|| "-".into()),
        message: message.trim().to_string(),
    }
}

fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The dotted key at byte `at`: the nearest `[table]` header above plus the key on that
/// line (`redact.enabled`), or the header itself when `at` is on a header line.
fn key_at(text: &str, at: usize) -> Option<String> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[line_start..line_end].trim();
    let header = |l: &str| {
        l.strip_prefix('[').map(|h| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .trim()
                .to_string()
        })
    };
    if line.starts_with('[') {
        return header(line);
    }
    let key = line.split('=').next()?.trim().trim_matches('"').to_string();
    if key.is_empty() {
        return None;
    }
    let section = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .and_then(header);
    Some(match section {
        Some(s) => format!("{s}.{key}"),
        None => key,
    })
}

/// Point a regex error at the value in the file.
fn locate_regex_error(f: &ConfigFile, e: &RedactError) -> ConfigError {
    let spanned = toml::de::DeTable::parse(&f.text).ok();
    let redact = spanned.as_ref().and_then(|t| child(t.get_ref(), "redact"));
    let (path, span) = match e {
        RedactError::InvalidRule { id, .. } | RedactError::InvalidRuleId { id, .. } => {
            let rules = redact
                .and_then(|r| r.get_ref().as_table())
                .and_then(|t| child(t, "rules"));
            let rule = rules.and_then(|r| r.get_ref().as_array()).and_then(|a| {
                a.iter().enumerate().find(|(_, v)| {
                    v.get_ref()
                        .as_table()
                        .and_then(|t| child(t, "id"))
                        .and_then(|x| x.get_ref().as_str())
                        == Some(id)
                })
            });
            let field = if matches!(e, RedactError::InvalidRule { .. }) {
                "regex"
            } else {
                "id"
            };
            match rule {
                Some((i, v)) => (
                    format!("redact.rules[{i}].{field}"),
                    v.get_ref()
                        .as_table()
                        .and_then(|t| child(t, field))
                        .map(|x| x.span()),
                ),
                None => ("redact.rules".into(), None),
            }
        }
        RedactError::InvalidAllowlist { index, .. } => {
            let item = redact
                .and_then(|r| r.get_ref().as_table())
                .and_then(|t| child(t, "allowlist_regexes"))
                .and_then(|a| {
                    a.get_ref()
                        .as_array()
                        .and_then(|a| a.get(*index))
                        .map(|x| x.span())
                });
            (format!("redact.allowlist_regexes[{index}]"), item)
        }
    };
    let (line, column) = span.map_or((1, 1), |s| line_col(&f.text, s.start.min(f.text.len())));
    ConfigError::File {
        path: f.path.clone(),
        line,
        column,
        key: path,
        message: e.to_string(),
    }
}

fn child<'a, 'i>(
    t: &'a toml::de::DeTable<'i>,
    name: &str,
) -> Option<&'a toml::Spanned<toml::de::DeValue<'i>>> {
    t.iter().find(|(k, _)| k.get_ref() == name).map(|(_, v)| v)
}

#[cfg(test)]
mod tests;
