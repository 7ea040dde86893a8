//! Secret redaction and identity anonymization: the one path by which session text
//! reaches any output (archive files, index, web pages, exports, CLI output).
//!
//! A [`Redactor`] is built once from a [`RedactConfig`] and shared (it is `Sync`). It is
//! pure: text in, text and counts out, no I/O.
//!
//! * [`Redactor::redact_text`] replaces every secret found by the rules (see
//!   [`Redactor::rules`]: provider tokens, private-key blocks, connection-URL passwords,
//!   `Authorization` headers, entropy-gated `KEY = value` assignments...) with
//!   `[REDACTED:<rule-id>]`. The output is deterministic and redacting it again changes
//!   nothing.
//! * [`Redactor::redact_session`] does that for every text field of a session (prompts,
//!   replies, reasoning, tool inputs walked as JSON, tool outputs, context, plans,
//!   compaction summaries, opaque records, title, paths, git remote, metadata, warnings)
//!   and records what it replaced in `session.redactions` (rule, field, count; never the
//!   secret).
//! * [`Redactor::check_residue`] is the independent second pass over rendered bytes: a
//!   separately compiled, high-confidence subset of the rules. Anything it returns means
//!   the file must not be written.
//! * [`Redactor::scan_text`] reports what the full rule set finds (`convx scan`).
//!
//! ```
//! use convx_core::redact::Redactor;
//! let r = Redactor::default();
//! let text = "export GITHUB_TOKEN=ghp_0123456789abcdefABCDEF0123456789abcd";
//! assert_eq!(r.redact_text(text), "export GITHUB_TOKEN=[REDACTED:github-pat]");
//! assert!(r.check_residue(&r.redact_text(text)).is_empty());
//! ```

mod anonymize;
mod checks;
mod engine;
mod pem;
mod rules;
mod search;
mod walk;

#[cfg(test)]
mod tests_engine;
#[cfg(test)]
mod tests_rules;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use anonymize::Anonymizer;
use convx_model::Session;
use engine::{Allowlist, Engine, Hit, RuleSpec};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Arc;

/// A secret found in text (never carries the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id, e.g. `github-pat`.
    pub rule: String,
    /// 1-based line of the finding in the scanned text.
    pub line: usize,
    /// 1-based column (in characters) of the finding on its line.
    pub column: usize,
    /// A masked preview, e.g. `ghp_…9f2a`.
    pub masked: String,
}

/// A user-defined rule (`[[redact.rules]]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraRule {
    /// Id used in `[REDACTED:<id>]`: lowercase letters, digits, `-`, `_`, `.`.
    pub id: String,
    /// The regex (Rust `regex` syntax). A named group `s` marks the secret inside a larger
    /// match; without it the whole match is replaced.
    pub regex: String,
    /// Optional literals, one of which appears in every match (case-insensitive). They
    /// let the rule be skipped on text without them; without keywords the rule runs on
    /// every string.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

/// Identity anonymization settings (opt-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anonymize {
    /// The home directory, replaced by `~` (e.g. `/home/ana`).
    pub home: Option<String>,
    /// The OS user name, replaced by `user_alias` where it stands as a word.
    pub user: Option<String>,
    /// The host name, replaced by `host_alias` where it stands as a word.
    pub host: Option<String>,
    /// Replacement for the user name.
    pub user_alias: String,
    /// Replacement for the host name.
    pub host_alias: String,
    /// Mask e-mail addresses (`ana@example.com` -> `a***@example.com`).
    pub mask_emails: bool,
}

impl Default for Anonymize {
    fn default() -> Self {
        Anonymize {
            home: None,
            user: None,
            host: None,
            user_alias: "user".into(),
            host_alias: "host".into(),
            mask_emails: true,
        }
    }
}

/// Everything the engine needs; built by the caller from user configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactConfig {
    /// When false nothing is redacted and [`Redactor::check_residue`] finds nothing.
    pub enabled: bool,
    /// Rules added to the built-in ones (after them: built-ins win on overlaps).
    pub extra_rules: Vec<ExtraRule>,
    /// Exact strings never redacted (compared with the secret and with the whole match).
    pub allowlist: Vec<String>,
    /// Regexes; a secret or match they find anywhere in is never redacted.
    pub allowlist_regexes: Vec<String>,
    /// Words (case-insensitive): a line containing one becomes `[SANITIZED]`.
    pub keyword_lines: Vec<String>,
    /// Identity anonymization, when enabled.
    pub anonymize: Option<Anonymize>,
}

impl Default for RedactConfig {
    fn default() -> Self {
        RedactConfig {
            enabled: true,
            extra_rules: Vec::new(),
            allowlist: Vec::new(),
            allowlist_regexes: Vec::new(),
            keyword_lines: Vec::new(),
            anonymize: None,
        }
    }
}

/// Why a [`Redactor`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedactError {
    /// A rule's regex does not compile.
    #[error("rule `{id}`: invalid regex: {message}")]
    InvalidRule {
        /// The rule id.
        id: String,
        /// The regex compiler's message.
        message: String,
    },
    /// A user rule id is malformed or already taken.
    #[error("rule id `{id}`: {reason}")]
    InvalidRuleId {
        /// The id.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An allowlist regex does not compile.
    #[error("allowlist regex #{index} `{pattern}`: {message}")]
    InvalidAllowlist {
        /// 0-based position in `allowlist_regexes`.
        index: usize,
        /// The pattern.
        pattern: String,
        /// The regex compiler's message.
        message: String,
    },
}

/// A rule, as listed by [`Redactor::rules`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// The id in `[REDACTED:<id>]`.
    pub id: String,
    /// What it finds.
    pub description: String,
    /// Part of the residue pass.
    pub high_confidence: bool,
    /// Defined in the user's configuration.
    pub user: bool,
    /// The regex.
    pub pattern: String,
    /// The prefilter literals (case-insensitive); empty: the rule runs on every string.
    pub keywords: Vec<String>,
}

/// Rule ids the engine reports besides the rules themselves.
pub const KEYWORD_LINE_RULE: &str = "keyword-line";

/// The redaction engine, built once from configuration and shared (it is `Sync`).
pub struct Redactor {
    enabled: bool,
    main: Engine,
    residue: Engine,
    lines: Option<AhoCorasick>,
    anon: Option<Anonymizer>,
    infos: Vec<RuleInfo>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("enabled", &self.enabled)
            .field("rules", &self.infos.len())
            .field("keyword_lines", &self.lines.is_some())
            .field("anonymize", &self.anon.is_some())
            .finish()
    }
}

impl Default for Redactor {
    /// The built-in rules, no allowlist, no anonymization.
    fn default() -> Self {
        Redactor::new(&RedactConfig::default()).expect("built-in rules compile")
    }
}

impl Redactor {
    /// Compile the built-in rules plus `config`'s.
    pub fn new(config: &RedactConfig) -> Result<Redactor, RedactError> {
        let mut allow = Allowlist {
            exact: config.allowlist.clone(),
            regexes: Vec::new(),
        };
        for (index, p) in config.allowlist_regexes.iter().enumerate() {
            let re = regex::Regex::new(p).map_err(|e| RedactError::InvalidAllowlist {
                index,
                pattern: p.clone(),
                message: e.to_string(),
            })?;
            allow.regexes.push(re);
        }
        let allow = Arc::new(allow);
        let builtin: Vec<(RuleSpec, bool)> = rules::RULES
            .iter()
            .map(|r| {
                let spec = RuleSpec {
                    id: r.id.into(),
                    keywords: r.keywords.iter().map(|k| k.to_string()).collect(),
                    pattern: r.pattern.into(),
                    check: r.check,
                    unicode: false,
                    lookbehind: search::window(r.id).0,
                    reach: search::window(r.id).1,
                    needs_assignment: search::assignment_suffix(r.id),
                };
                (spec, r.high)
            })
            .collect();
        let mut infos: Vec<RuleInfo> = rules::RULES
            .iter()
            .map(|r| RuleInfo {
                id: r.id.into(),
                description: r.description.into(),
                high_confidence: r.high,
                user: false,
                pattern: r.pattern.into(),
                keywords: r.keywords.iter().map(|k| k.to_string()).collect(),
            })
            .collect();
        let mut user = Vec::new();
        for x in &config.extra_rules {
            validate_id(&x.id, &infos)?;
            user.push(RuleSpec {
                id: x.id.clone(),
                keywords: x.keywords.clone(),
                pattern: x.regex.clone(),
                check: rules::Check::None,
                unicode: true,
                lookbehind: 64,
                reach: 4096,
                needs_assignment: None,
            });
            infos.push(RuleInfo {
                id: x.id.clone(),
                description: "user rule".into(),
                high_confidence: true,
                user: true,
                pattern: x.regex.clone(),
                keywords: x.keywords.clone(),
            });
        }
        let all: Vec<RuleSpec> = builtin
            .iter()
            .map(|(s, _)| s.clone())
            .chain(user.iter().cloned())
            .collect();
        let high: Vec<RuleSpec> = builtin
            .iter()
            .filter(|(_, h)| *h)
            .map(|(s, _)| s.clone())
            .chain(user.iter().cloned())
            .collect();
        let main = Engine::new(&all, allow.clone())?;
        let residue = Engine::new(&high, allow)?;
        let words: Vec<&str> = config
            .keyword_lines
            .iter()
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .collect();
        let lines = (!words.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(&words)
                .expect("literal patterns always compile")
        });
        let anon = config.anonymize.as_ref().and_then(Anonymizer::new);
        Ok(Redactor {
            enabled: config.enabled,
            main,
            residue,
            lines,
            anon,
            infos,
        })
    }

    /// False when redaction was switched off in the configuration.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Every rule: built-in ones in priority order, then the user's.
    pub fn rules(&self) -> &[RuleInfo] {
        &self.infos
    }

    /// Redact every text field of `session` in place and record what was replaced in
    /// `session.redactions` (rule id, field, count).
    pub fn redact_session(&self, session: &mut Session) {
        if self.enabled {
            walk::redact_session(self, session);
        }
    }

    /// Redact every string (and object key) of a JSON value in place; returns how many
    /// replacements were made.
    pub fn redact_json(&self, value: &mut serde_json::Value) -> u64 {
        let mut n = 0;
        if self.enabled {
            walk::redact_json(self, value, &mut |_, c| n += c);
        }
        n
    }

    /// Redact one string.
    pub fn redact_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.apply(text, &mut |_, _| {})
    }

    /// Redact one string, calling `report(rule_id, count)` for each rule that fired.
    pub fn redact_text_with<'a>(
        &self,
        text: &'a str,
        report: &mut dyn FnMut(&str, u64),
    ) -> Cow<'a, str> {
        self.apply(text, report)
    }

    /// The independent second pass over bytes about to be written: high-confidence
    /// secrets still present. Non-empty means the file must not be written. Never flags
    /// `[REDACTED:...]` markers; empty when redaction is disabled.
    pub fn check_residue(&self, text: &str) -> Vec<Finding> {
        if !self.enabled {
            return Vec::new();
        }
        findings(&self.residue, text, &self.residue.find(text))
    }

    /// What the full rule set finds in `text` (used by `convx scan`), whether or not
    /// redaction is enabled.
    pub fn scan_text(&self, text: &str) -> Vec<Finding> {
        findings(&self.main, text, &self.main.find(text))
    }

    /// Seconds spent per rule (and in the `prefilter`) redacting `texts`, slowest first.
    /// Unmerged regions: an upper bound, for the benchmark.
    #[doc(hidden)]
    pub fn profile_rules(&self, texts: &[String]) -> Vec<(String, f64)> {
        let mut v: Vec<(String, f64)> = self
            .main
            .profile(texts)
            .into_iter()
            .map(|(r, d)| {
                (
                    if r == usize::MAX {
                        "prefilter".to_string()
                    } else {
                        self.main.rule_id(r).to_string()
                    },
                    d.as_secs_f64(),
                )
            })
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v
    }

    fn apply<'a>(&self, text: &'a str, report: &mut dyn FnMut(&str, u64)) -> Cow<'a, str> {
        if !self.enabled {
            return Cow::Borrowed(text);
        }
        let mut out = Cow::Borrowed(text);
        if let Some(ac) = &self.lines
            && let Some(s) = scrub_lines(ac, &out, report)
        {
            out = Cow::Owned(s);
        }
        let hits = self.main.find(&out);
        if !hits.is_empty() {
            report_hits(&self.main, &hits, report);
            out = Cow::Owned(engine::replace(&self.main, &out, &hits));
        }
        if let Some(a) = &self.anon {
            let changed = match a.apply(&out, &mut |r, n| report(r, n)) {
                Cow::Owned(s) => Some(s),
                Cow::Borrowed(_) => None,
            };
            if let Some(s) = changed {
                out = Cow::Owned(s);
            }
        }
        out
    }
}

fn validate_id(id: &str, taken: &[RuleInfo]) -> Result<(), RedactError> {
    let bad = |reason: &str| {
        Err(RedactError::InvalidRuleId {
            id: id.into(),
            reason: reason.into(),
        })
    };
    if id.is_empty() {
        return bad("must not be empty");
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
    {
        return bad("use lowercase letters, digits, `-`, `_` and `.` only");
    }
    if taken.iter().any(|r| r.id == id) || id == KEYWORD_LINE_RULE {
        return bad("already used by another rule");
    }
    Ok(())
}

fn report_hits(engine: &Engine, hits: &[Hit], report: &mut dyn FnMut(&str, u64)) {
    let mut ids: Vec<usize> = hits.iter().map(|h| h.rule).collect();
    ids.sort_unstable();
    let mut i = 0;
    while i < ids.len() {
        let j = ids[i..].iter().take_while(|&&r| r == ids[i]).count();
        report(engine.rule_id(ids[i]), j as u64);
        i += j;
    }
}

/// Replace each line containing a keyword with `[SANITIZED]`.
fn scrub_lines(ac: &AhoCorasick, text: &str, report: &mut dyn FnMut(&str, u64)) -> Option<String> {
    const MARK: &str = "[SANITIZED]";
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut last = 0;
    let mut n = 0;
    for m in ac.find_iter(b) {
        if m.start() < last {
            continue; // same line as the previous hit
        }
        let start = memchr::memrchr(b'\n', &b[..m.start()]).map_or(0, |i| i + 1);
        let mut end = memchr::memchr(b'\n', &b[m.end()..]).map_or(b.len(), |i| m.end() + i);
        if end > start && b[end - 1] == b'\r' {
            end -= 1;
        }
        if &text[start..end] == MARK {
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[last..start]);
        o.push_str(MARK);
        last = end;
        n += 1;
    }
    let mut o = out?;
    o.push_str(&text[last..]);
    report(KEYWORD_LINE_RULE, n);
    Some(o)
}

/// Findings (line, column, masked preview) for `hits` in `text`.
fn findings(engine: &Engine, text: &str, hits: &[Hit]) -> Vec<Finding> {
    let b = text.as_bytes();
    let mut line = 1;
    let mut line_start = 0;
    let mut pos = 0;
    hits.iter()
        .map(|h| {
            for i in memchr::memchr_iter(b'\n', &b[pos..h.span.start]) {
                line += 1;
                line_start = pos + i + 1;
            }
            pos = h.span.start;
            let id = engine.rule_id(h.rule);
            Finding {
                rule: id.to_string(),
                line,
                column: text[line_start..h.span.start].chars().count() + 1,
                masked: mask(id, &text[h.span.clone()]),
            }
        })
        .collect()
}

/// A preview that identifies a secret without revealing it: provider tokens keep their
/// (public) prefix and last 4 characters, other secrets only their length.
pub fn mask(rule: &str, secret: &str) -> String {
    if let Some(rest) = secret.strip_prefix("-----BEGIN") {
        let label = rest.split("-----").next().unwrap_or("").trim();
        return format!("-----BEGIN {label}-----…");
    }
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    let structural = rule.starts_with("generic-")
        || matches!(
            rule,
            "connection-url-password"
                | "url-credentials"
                | "authorization-header"
                | "bearer-token"
                | "netrc-password"
                | "npm-auth-token"
        );
    if structural || n < 16 {
        return format!("…({n} chars)");
    }
    let head: String = chars[..4].iter().collect();
    if n >= 24 {
        let tail: String = chars[n - 4..].iter().collect();
        format!("{head}…{tail}")
    } else {
        format!("{head}…")
    }
}
