//! Secret redaction: the one path by which session text reaches any output.
//!
//! INTERFACE STUB (to be implemented by the privacy work): the functions below are the
//! contract other modules (archive, index, web, CLI) code against.

use convx_model::Session;

/// A secret found in text (never carries the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Rule id, e.g. `github-pat`.
    pub rule: String,
    /// 1-based line of the finding in the scanned text.
    pub line: usize,
    /// A masked preview, e.g. `ghp_…9f2a`.
    pub masked: String,
}

/// The redaction engine, built once from configuration and shared (it is `Sync`).
#[derive(Debug, Default)]
pub struct Redactor {}

impl Redactor {
    /// Redact every text field of `session` in place and record what was replaced in
    /// `session.redactions`.
    pub fn redact_session(&self, _session: &mut Session) {}

    /// Redact one string.
    pub fn redact_text<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        std::borrow::Cow::Borrowed(text)
    }

    /// The independent second pass over bytes about to be written: high-confidence
    /// secrets still present. Non-empty means the file must not be written.
    pub fn check_residue(&self, _text: &str) -> Vec<Finding> {
        Vec::new()
    }
}
