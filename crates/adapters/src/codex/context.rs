//! Telling injected context apart from what the user typed (§1.7).
//!
//! Codex records many model-visible blocks as `user` or `developer` messages: environment
//! blocks, AGENTS.md, permissions, shell-command output, abort markers, compaction
//! summaries... None of them is a prompt.

use crate::text;

/// Leading markers of injected context and the `source` name each maps to.
/// Checked against the trimmed start of a message's text.
const PREFIXES: &[(&str, &str)] = &[
    ("<environment_context", "environment_context"),
    ("<user_instructions", "user_instructions"),
    ("# AGENTS.md instructions for", "agents_md"),
    ("<INSTRUCTIONS>", "agents_md"),
    ("<permissions instructions", "permissions"),
    ("<skills_instructions", "skills_instructions"),
    ("<apps_instructions", "apps_instructions"),
    ("<plugins_instructions", "plugins_instructions"),
    ("<collaboration_mode", "collaboration_mode"),
    ("<multi_agent_mode", "multi_agent_mode"),
    ("<realtime_conversation", "realtime_conversation"),
    ("<context_window", "context_window"),
    ("<user_shell_command", "user_shell_command"),
    ("<turn_aborted", "turn_aborted"),
    ("<subagent_notification", "subagent_notification"),
    ("<codex_internal_context", "codex_internal_context"),
    ("<goal_context", "goal_context"),
    ("<recommended_plugins", "recommended_plugins"),
    ("<model_switch", "model_switch"),
    ("<personality_spec", "personality_spec"),
    ("<token_budget", "token_budget"),
    ("<rollout_budget", "rollout_budget"),
    ("<environment_diff", "environment_context"),
    ("<system-reminder", "system_reminder"),
    // Summary that replaces history after a local compaction (compact/summary_prefix.md).
    (
        "Another language model started to solve this problem",
        "compact_summary",
    ),
];

/// Marker of IDE-originated prompts: the real request follows it (`strip_user_message_prefix`).
pub(crate) const REQUEST_MARKER: &str = "## My request for Codex:";

/// How one text block of a user message is classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Class {
    /// Typed by the user.
    Prompt,
    /// A known injected block, with its source name.
    Known(&'static str),
    /// Only the generic `<tag>…</tag>` shape says it is context (source = tag). A
    /// `user_message` event with the same text proves it was typed after all.
    Generic(String),
}

/// Classify a user-role text block.
pub(crate) fn classify(text: &str) -> Class {
    let t = text.trim_start();
    for (prefix, source) in PREFIXES {
        if t.starts_with(prefix) {
            return Class::Known(source);
        }
    }
    if text::is_wrapped_in_tag(t)
        && let Some(tag) = text::leading_tag(t)
    {
        return Class::Generic(tag.to_string());
    }
    Class::Prompt
}

/// The source name for a developer/system message: its known tag, else the role.
pub(crate) fn role_source(text: &str, role: &'static str) -> String {
    match classify(text) {
        Class::Known(s) => s.to_string(),
        Class::Generic(tag) => tag,
        Class::Prompt => role.to_string(),
    }
}

/// Split an IDE prompt at `## My request for Codex:` into (injected context, request).
pub(crate) fn split_request(text: &str) -> Option<(&str, &str)> {
    let i = text.find(REQUEST_MARKER)?;
    let before = text[..i].trim();
    let after = text[i + REQUEST_MARKER.len()..].trim();
    Some((before, after))
}

/// True for the `<image name=[Image #1]>` / `</image>` wrappers around image parts.
pub(crate) fn is_image_wrapper(text: &str) -> bool {
    let t = text.trim();
    t == "</image>" || (t.starts_with("<image") && t.ends_with('>') && !t[1..].contains('<'))
}

/// The `<cwd>` inside an `<environment_context>` block (generation A keeps cwd only there).
pub(crate) fn env_cwd(text: &str) -> Option<String> {
    let start = text.find("<cwd>")? + "<cwd>".len();
    let end = text[start..].find("</cwd>")? + start;
    let cwd = text[start..end].trim();
    (!cwd.is_empty()).then(|| cwd.to_string())
}

/// Do a response item's user text and a `user_message` event's text denote the same prompt?
pub(crate) fn same_prompt(item: &str, event: &str) -> bool {
    let (a, b) = (item.trim(), event.trim());
    if a == b {
        return true;
    }
    if b.is_empty() || a.is_empty() {
        return false;
    }
    let a = split_request(a).map_or(a, |(_, r)| r);
    a == b || a.contains(b) || b.contains(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_blocks() {
        assert_eq!(
            classify("<environment_context>\n  <cwd>/x</cwd>\n</environment_context>"),
            Class::Known("environment_context")
        );
        assert_eq!(
            classify("# AGENTS.md instructions for /home/a\n\n<INSTRUCTIONS>x</INSTRUCTIONS>"),
            Class::Known("agents_md")
        );
        assert_eq!(
            classify("<permissions instructions>\nx\n</permissions instructions>"),
            Class::Known("permissions")
        );
        assert_eq!(
            classify("<user_shell_command>\n<command>ls</command>\n</user_shell_command>"),
            Class::Known("user_shell_command")
        );
        assert_eq!(
            classify("<turn_aborted>\nThe user interrupted.\n</turn_aborted>"),
            Class::Known("turn_aborted")
        );
        assert_eq!(
            classify("Another language model started to solve this problem and ..."),
            Class::Known("compact_summary")
        );
    }

    #[test]
    fn generic_and_prompts() {
        assert_eq!(
            classify("<brand_new_block>\nx\n</brand_new_block>"),
            Class::Generic("brand_new_block".into())
        );
        assert_eq!(classify("fix the <div> in index.html"), Class::Prompt);
        assert_eq!(classify("<b>bold</i>"), Class::Prompt);
        assert_eq!(classify("please run `ls`"), Class::Prompt);
        assert_eq!(
            role_source("You are a helpful agent", "developer"),
            "developer"
        );
        assert_eq!(
            role_source("<model_switch>\nnow gpt-5\n</model_switch>", "developer"),
            "model_switch"
        );
    }

    #[test]
    fn request_marker_and_helpers() {
        let t = "# Context from my IDE setup:\n\n## Active file: a.rs\n\n## My request for Codex:\nfix it\n";
        assert_eq!(
            split_request(t),
            Some((
                "# Context from my IDE setup:\n\n## Active file: a.rs",
                "fix it"
            ))
        );
        assert!(same_prompt(t, "fix it"));
        assert!(!same_prompt("fix it", "other"));
        assert!(is_image_wrapper("<image name=[Image #1]>"));
        assert!(is_image_wrapper("</image>"));
        assert!(!is_image_wrapper("<image> and </image>"));
        assert_eq!(
            env_cwd("<environment_context>\n  <cwd>/home/a/x</cwd>\n</environment_context>"),
            Some("/home/a/x".into())
        );
    }
}
