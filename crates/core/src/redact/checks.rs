//! Validation of regex candidates: entropy, placeholders, code references.
//!
//! A regex says "this has the shape of a secret"; these checks say "and it is not an
//! obvious placeholder (`${TOKEN}`, `<password>`, `changeme`), a variable reference
//! (`config.api_key`), a UUID, or low-entropy prose".

use super::rules::{Check, GenericKind};

/// Shannon entropy of `s` in bits per byte.
pub(crate) fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Words that are placeholders when they make up the whole value.
const PLACEHOLDER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "secret",
    "token",
    "changeme",
    "change_me",
    "changeit",
    "example",
    "test",
    "testing",
    "dummy",
    "placeholder",
    "null",
    "none",
    "nil",
    "undefined",
    "true",
    "false",
    "required",
    "optional",
    "string",
    "value",
    "redacted",
    "hidden",
    "masked",
    "secretpassword",
    "mypassword",
    "yourpassword",
    "user",
    "username",
    "admin",
];

/// Substrings that mark a template or documentation value.
const PLACEHOLDER_PARTS: &[&str] = &[
    "redacted",
    "sanitized",
    "your_",
    "your-",
    "yourtoken",
    "yourkey",
    "example",
    "placeholder",
    "xxxx",
    "****",
    "....",
    "<",
    ">",
    "{{",
    "}}",
    "${",
    "#{",
    "%(",
    "env(",
    "getenv",
];

/// True for `${VAR}`, `$VAR`, `<password>`, `xxx`, `changeme` and friends.
pub(crate) fn is_placeholder(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    if lower.starts_with('$') || lower.starts_with('%') || lower.starts_with('@') {
        return true;
    }
    if PLACEHOLDER_WORDS.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_PARTS.iter().any(|p| lower.contains(p)) {
        return true;
    }
    // One repeated character: `xxxxxxxx`, `********`, `00000000`.
    let mut bytes = lower.bytes();
    if let Some(first) = bytes.next()
        && bytes.all(|b| b == first)
    {
        return true;
    }
    false
}

/// `8-4-4-4-12` hex.
fn is_uuid(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `self.token`, `process.env.API_KEY`, `Token::new`: a dotted (or `::`) identifier path.
fn is_dotted_identifier(v: &str) -> bool {
    let v = v.replace("::", ".");
    v.contains('.')
        && v.split('.').all(|seg| {
            let mut c = seg.chars();
            c.next()
                .is_some_and(|f| f.is_ascii_alphabetic() || f == '_' || f == '$')
                && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '$')
        })
}

/// Validate a generic `KEY = value` candidate. `before` is the byte preceding the match.
fn generic_ok(kind: GenericKind, keyword: &str, value: &str, before: Option<u8>) -> bool {
    // `bypass: x`, `compass = y`: the short keywords must start an identifier segment.
    let kw = keyword.to_ascii_lowercase();
    if (kw.starts_with("pass") && !kw.starts_with("passw") && !kw.starts_with("passp")
        || kw.starts_with("pwd"))
        && before.is_some_and(|b| b.is_ascii_lowercase())
    {
        return false;
    }
    let value = value.trim_end_matches(['.', ':', '!', '?']);
    if is_placeholder(value)
        || is_uuid(value)
        || is_dotted_identifier(value)
        || value.contains("://")
    {
        return false;
    }
    if value.starts_with('/')
        || value.starts_with('~')
        || value.starts_with("./")
        || value.starts_with('-')
    {
        return false;
    }
    let bytes = value.as_bytes();
    let letters_only = bytes.iter().all(|b| b.is_ascii_alphabetic() || *b == b'_');
    let digits_only = bytes.iter().all(|b| b.is_ascii_digit());
    let h = entropy(bytes);
    match kind {
        GenericKind::Password => {
            if letters_only {
                // A bare word is usually a variable or a type (`password = userInput`).
                return bytes.len() >= 12 && h >= 3.5 && has_upper_and_lower(bytes);
            }
            bytes.len() >= 6 && h >= 2.2
        }
        GenericKind::Secret | GenericKind::Token | GenericKind::ApiKey => {
            if digits_only || letters_only && !(bytes.len() >= 20 && has_upper_and_lower(bytes)) {
                return false;
            }
            bytes.len() >= 10 && h >= 3.0
        }
    }
}

/// Words that make `<word>key` an API key name (`api_key`, `apiKey`, `x-api-key`,
/// `ACCESS_KEY`, `private.key`).
const KEY_NAMES: &[&str] = &[
    "api",
    "access",
    "private",
    "client",
    "signing",
    "master",
    "encryption",
    "auth",
    "app",
    "license",
    "account",
    "service",
    "subscription",
    "consumer",
    "secret",
    "admin",
    "deploy",
    "webhook",
    "encrypt",
    "crypt",
];

/// Whether the name before `key` (the bytes just before the match) ends in one of
/// [`KEY_NAMES`], optionally followed by `_`, `-` or `.`, starting a word (after a
/// non-letter, or as a capitalized camelCase part).
fn api_key_name(prefix: &[u8]) -> bool {
    let p = match prefix.last() {
        Some(b'_' | b'-' | b'.') => &prefix[..prefix.len() - 1],
        _ => prefix,
    };
    KEY_NAMES.iter().any(|w| {
        let w = w.as_bytes();
        p.len() >= w.len() && p[p.len() - w.len()..].eq_ignore_ascii_case(w) && {
            let start = p.len() - w.len();
            let first = p[start];
            start == 0 || !p[start - 1].is_ascii_alphabetic() || first.is_ascii_uppercase()
        }
    })
}

fn has_upper_and_lower(b: &[u8]) -> bool {
    b.iter().any(u8::is_ascii_uppercase) && b.iter().any(u8::is_ascii_lowercase)
}

/// Run a rule's check on a candidate. `whole` is the full regex match, `secret` the part
/// that would be replaced, `before` the byte preceding the full match.
/// `prefix` is the text just before the match (up to 32 bytes).
pub(crate) fn passes(check: Check, whole: &str, secret: &str, prefix: &[u8]) -> bool {
    let before = prefix.last().copied();
    match check {
        Check::None | Check::PrivateKey => true,
        Check::Credential => !is_placeholder(secret),
        Check::AwsKeyId => !secret.ends_with("EXAMPLE"),
        Check::Entropy(min) => !is_placeholder(secret) && entropy(secret.as_bytes()) >= min,
        Check::Generic(GenericKind::ApiKey) => {
            api_key_name(prefix) && generic_ok(GenericKind::ApiKey, whole, secret, before)
        }
        Check::Generic(kind) => generic_ok(kind, whole, secret, before),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_values() {
        assert_eq!(entropy(b""), 0.0);
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(entropy(b"aZ3$kP9!qW2@xR7#") > 3.9);
    }

    #[test]
    fn placeholders() {
        for p in [
            "${TOKEN}",
            "$PASSWORD",
            "<your-token>",
            "xxxxxxxx",
            "********",
            "changeme",
            "YOUR_API_KEY",
            "{{ secrets.X }}",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for s in ["hunter2!", "Xk9#mP2$vL", "ghp_abc"] {
            assert!(!is_placeholder(s), "{s}");
        }
    }

    #[test]
    fn shapes() {
        assert!(is_uuid("550e8400-e29b-41d4-a716-446655440000"));
        assert!(!is_uuid("550e8400e29b41d4a716446655440000"));
        assert!(is_dotted_identifier("process.env.API_KEY"));
        assert!(!is_dotted_identifier("abc.12x"));
        assert!(is_dotted_identifier("Token::from_env"));
        for p in [
            "api_",
            "API-",
            "x-api-",
            "myApi",
            "ACCESS_",
            "\"private.",
            "secret",
        ] {
            assert!(api_key_name(p.as_bytes()), "{p}");
        }
        for p in ["", "monkey ", "mapi", "sort_", "cache_", "primary_"] {
            assert!(!api_key_name(p.as_bytes()), "{p}");
        }
    }
}
