//! The privacy gate every archived byte passes: redaction before rendering, and an
//! independent residue scan of the rendered bytes before they are written.

use crate::redact::{Finding, Redactor};
use convx_model::Session;
use std::borrow::Cow;

/// Redaction as the archive uses it. Implemented by [`Redactor`]; tests implement it to
/// make the residue scan fire.
pub trait Guard: Sync {
    /// Redact every text field of `session` in place.
    fn redact_session(&self, session: &mut Session);
    /// Redact one string (folder names taken from a cwd).
    fn redact_text<'a>(&self, text: &'a str) -> Cow<'a, str>;
    /// High-confidence secrets still present in bytes about to be written.
    fn check_residue(&self, text: &str) -> Vec<Finding>;
}

impl Guard for Redactor {
    fn redact_session(&self, session: &mut Session) {
        Redactor::redact_session(self, session);
    }
    fn redact_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        Redactor::redact_text(self, text)
    }
    fn check_residue(&self, text: &str) -> Vec<Finding> {
        Redactor::check_residue(self, text)
    }
}
