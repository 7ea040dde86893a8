//! Telling injected text apart from what the user typed in Gemini `user` messages.

/// Marker the CLI puts before the contents of `@file` references
/// (`REFERENCE_CONTENT_START` in `atCommandProcessor`).
pub const REFERENCE_MARKER: &str = "--- Content from referenced files ---";

/// What a `user` message's text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserText {
    /// Typed by the user.
    Prompt,
    /// The compression summary (`<state_snapshot>`) that replaced earlier history.
    CompactSummary,
    /// Injected; the `Context` source to use.
    Context(&'static str),
}

/// Classify the (typed or recorded) text of a `user` message.
///
/// * `<session_context>` (and the untagged pre-2026 "This is the Gemini CLI. We are setting
///   up the context for our chat." block): environment context;
/// * `<hook_context>`: hook output;
/// * `<state_snapshot>`: compression summary;
/// * `Please continue.`: the automatic next-speaker continuation the CLI sends itself;
/// * `/command …` and `?`: slash commands (the CLI itself skips these on resume).
pub fn classify(text: &str) -> UserText {
    let t = text.trim_start();
    if t.starts_with("<session_context>")
        || t.starts_with("This is the Gemini CLI. We are setting up the context for our chat.")
    {
        return UserText::Context("environment_context");
    }
    if t.starts_with("<hook_context>") {
        return UserText::Context("hook");
    }
    if t.starts_with("<state_snapshot>") {
        return UserText::CompactSummary;
    }
    let trimmed = t.trim_end();
    if trimmed == "Please continue." {
        return UserText::Context("next_speaker");
    }
    if trimmed == "?" || is_slash_command(trimmed) {
        return UserText::Context("command");
    }
    UserText::Prompt
}

/// `/name args…` where `name` is a command word (no further `/`), e.g. `/compress`,
/// `/review src`; not an absolute path like `/usr/bin/env is missing`.
fn is_slash_command(t: &str) -> bool {
    let Some(rest) = t.strip_prefix('/') else {
        return false;
    };
    let word = rest.split_whitespace().next().unwrap_or("");
    !word.is_empty()
        && word.as_bytes()[0].is_ascii_alphabetic()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

/// Split a recorded prompt at the `@file` contents marker: `(typed part, referenced part)`.
pub fn split_referenced(text: &str) -> (&str, Option<&str>) {
    match text.find(REFERENCE_MARKER) {
        Some(i) => {
            let head = text[..i].trim_end_matches(['\n', '\r']);
            (head, Some(&text[i..]))
        }
        None => (text, None),
    }
}

/// True for user content the CLI itself never sends back to the model on resume
/// (`isIgnoredUserContent`): empty, slash commands, `?`, session and hook context.
pub fn is_ignored_user_text(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || t.starts_with('/')
        || t.starts_with('?')
        || t.starts_with("<session_context>")
        || t.starts_with("<hook_context>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_injected_text() {
        assert_eq!(
            classify("<session_context>\nThis is the Gemini CLI…</session_context>"),
            UserText::Context("environment_context")
        );
        assert_eq!(
            classify(
                "This is the Gemini CLI. We are setting up the context for our chat.\nToday's date"
            ),
            UserText::Context("environment_context")
        );
        assert_eq!(
            classify("<hook_context>lint ok</hook_context>"),
            UserText::Context("hook")
        );
        assert_eq!(
            classify("<state_snapshot>\n<overall_goal>x</overall_goal>"),
            UserText::CompactSummary
        );
        assert_eq!(
            classify("Please continue."),
            UserText::Context("next_speaker")
        );
        assert_eq!(classify("/compress"), UserText::Context("command"));
        assert_eq!(
            classify("/review src/cart.ts"),
            UserText::Context("command")
        );
        assert_eq!(classify("?"), UserText::Context("command"));
    }

    #[test]
    fn typed_text_stays_a_prompt() {
        assert_eq!(classify("fix the cart total"), UserText::Prompt);
        assert_eq!(
            classify("/usr/bin/env: node not found, why?"),
            UserText::Prompt
        );
        assert_eq!(
            classify("Please continue. And also add tests"),
            UserText::Prompt
        );
    }

    #[test]
    fn splits_referenced_files() {
        let t = "explain @src/a.ts\n--- Content from referenced files ---\nContent from @src/a.ts:\nlet x = 1;";
        let (head, rest) = split_referenced(t);
        assert_eq!(head, "explain @src/a.ts");
        assert!(rest.unwrap().starts_with(REFERENCE_MARKER));
        assert_eq!(split_referenced("plain"), ("plain", None));
    }
}
