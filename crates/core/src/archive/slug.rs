//! File-name slugs.
//!
//! A slug comes from the session's first real user prompt (injected context is never a
//! prompt): transliterated to ASCII (`é` → `e`, `ß` → `ss`, `日本` → `ri-ben`), lowercased,
//! every run of characters other than `a-z0-9` turned into one `-`, trimmed, and cut to at
//! most [`MAX_SLUG`] characters (at a word boundary when one is near the end). When nothing
//! is left, the slug is the session's [`short_id`].

use convx_model::Session;
use sha2::{Digest, Sha256};

/// The longest slug, in characters (all ASCII).
pub const MAX_SLUG: usize = 60;

/// How much of the prompt is looked at (a pasted log can be megabytes long).
const PROMPT_PREFIX_CHARS: usize = 400;

/// The slug of `text`, or an empty string when it has no letters or digits.
pub fn slugify(text: &str) -> String {
    let prefix: String = text.chars().take(PROMPT_PREFIX_CHARS).collect();
    let folded = deunicode::deunicode(&prefix);
    let mut out = String::with_capacity(MAX_SLUG + 8);
    let mut dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
            if out.len() > MAX_SLUG {
                break;
            }
        } else {
            dash = true;
        }
    }
    if out.len() > MAX_SLUG {
        out.truncate(MAX_SLUG);
        // Prefer ending at a word boundary when it does not cost more than half the slug.
        if let Some(cut) = out.rfind('-').filter(|&i| i >= MAX_SLUG / 2) {
            out.truncate(cut);
        }
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// A short, stable id for a session: the last 8 letters or digits of its native id,
/// lowercased (UUIDv7 ids start with a timestamp, so their end is the distinctive part).
/// An id with no letters or digits falls back to 8 hex digits of the key's SHA-256.
pub fn short_id(id: &str) -> String {
    let alnum: Vec<char> = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if alnum.is_empty() {
        return key_hash(id, 8);
    }
    alnum[alnum.len().saturating_sub(8)..].iter().collect()
}

/// `n` hex digits of the SHA-256 of `text`.
pub fn key_hash(text: &str, n: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut h = hex::encode(digest);
    h.truncate(n);
    h
}

/// The slug of a (redacted) session: its first prompt's slug, else its short id.
pub fn session_slug(session: &Session) -> String {
    let slug = session
        .summary
        .first_prompt
        .as_deref()
        .map(slugify)
        .unwrap_or_default();
    if slug.is_empty() {
        short_id(&session.id)
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_dashes() {
        assert_eq!(slugify("Fix the `login` bug!!"), "fix-the-login-bug");
        assert_eq!(
            slugify("Crème brûlée für Straße"),
            "creme-brulee-fur-strasse"
        );
        assert_eq!(slugify("  --  "), "");
        assert_eq!(slugify("日本語"), "ri-ben-yu");
        assert_eq!(slugify("a\nb\tc/d"), "a-b-c-d");
        assert_eq!(
            slugify("<script>alert(1)</script>"),
            "script-alert-1-script"
        );
    }

    #[test]
    fn at_most_sixty_characters_at_a_word_boundary() {
        let s = slugify(&"word ".repeat(40));
        assert!(s.len() <= MAX_SLUG, "{s}");
        assert!(!s.ends_with('-'));
        assert!(s.ends_with("word"));
        let long = slugify(&"x".repeat(200));
        assert_eq!(long.len(), MAX_SLUG);
    }

    #[test]
    fn short_ids() {
        assert_eq!(short_id("0199a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"), "2e3f4a5b");
        assert_eq!(short_id("AB"), "ab");
        assert_eq!(short_id("---").len(), 8);
    }

    #[test]
    fn session_slug_falls_back_to_short_id() {
        let mut s = Session::new(convx_model::Agent::Codex, "0199-abcdef123");
        assert_eq!(
            session_slug(&s),
            "abcdef123".chars().skip(1).collect::<String>()
        );
        s.summary.first_prompt = Some("Hello World".into());
        assert_eq!(session_slug(&s), "hello-world");
    }
}
