//! Search windows per rule: where around a keyword hit the engine looks for a match, and
//! which keyword hits need an assignment after them. Facts about the rules in
//! `rules.rs`, kept apart from the table itself.

/// How far before a keyword a rule's match may start, and how far after it the match
/// may end (the search window around each keyword; longer matches are still found
/// whole when their shortest form fits).
pub(crate) fn window(id: &str) -> (usize, usize) {
    let before = match id {
        "private-key" => 64,
        "mailchimp-api-key" | "discord-webhook" => 40,
        "slack-webhook" => 16,
        "url-credentials" | "telegram-bot-token" | "azure-storage-key" => 16,
        "azure-ad-client-secret" => 8,
        _ => 2,
    };
    let after = match id {
        "putty-private-key" => 16 * 1024,
        "aws-session-token" => 8 * 1024,
        id if id.starts_with("generic-") => 320,
        "url-credentials"
        | "connection-url-password"
        | "authorization-header"
        | "bearer-token"
        | "netrc-password" => 400,
        _ => 1024,
    };
    (before, after)
}

/// Rules whose match needs `NAME = value` right after the keyword: at most this many
/// more name characters, a closing quote, spaces, then `=` or `:`. Keyword hits without
/// that are dropped before any regex runs. `None`: no such requirement.
pub(crate) fn assignment_suffix(id: &str) -> Option<usize> {
    match id {
        "generic-token" | "generic-api-key" => Some(0),
        "generic-password" => Some(7),
        "generic-secret" => Some(9),
        "aws-secret-access-key"
        | "aws-session-token"
        | "azure-storage-key"
        | "twilio-auth-token"
        | "gcp-service-account-key-id" => Some(40),
        _ => None,
    }
}
