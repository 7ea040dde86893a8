//! Identity anonymization (opt-in): the home directory becomes `~`, the OS user name and
//! the host name become configured aliases, e-mail addresses are masked (`a***@host.org`).
//!
//! Runs after secret redaction. Each replacement is counted like a rule: `home-path`,
//! `user-name`, `host-name`, `email`.

use super::Anonymize;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;
use std::borrow::Cow;

/// User and host names too generic to replace in free text (they stay replaced inside
/// the home directory, which is always handled).
const GENERIC_NAMES: &[&str] = &[
    "root",
    "admin",
    "user",
    "users",
    "ubuntu",
    "debian",
    "runner",
    "dev",
    "test",
    "guest",
    "vagrant",
    "ec2-user",
    "node",
    "app",
    "www-data",
    "nobody",
    "localhost",
    "host",
    "home",
    "server",
    "build",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Home,
    Host,
    User,
}

impl Kind {
    fn rule(self) -> &'static str {
        match self {
            Kind::Home => "home-path",
            Kind::Host => "host-name",
            Kind::User => "user-name",
        }
    }
}

/// Compiled anonymization settings.
#[derive(Debug)]
pub(crate) struct Anonymizer {
    names: Option<AhoCorasick>,
    /// Per pattern: what it is, the exact bytes (homes are case-sensitive) and the replacement.
    targets: Vec<(Kind, String, String)>,
    email: Option<Regex>,
}

impl Anonymizer {
    /// Compile; `None` when there is nothing to do.
    pub(crate) fn new(a: &Anonymize) -> Option<Anonymizer> {
        let mut targets: Vec<(Kind, String, String)> = Vec::new();
        if let Some(home) = a
            .home
            .as_deref()
            .map(|h| h.trim_end_matches(['/', '\\']))
            .filter(|h| h.len() > 1)
        {
            targets.push((Kind::Home, home.to_string(), "~".into()));
            if home.contains('\\') {
                // JSON-escaped and forward-slash spellings of a Windows home.
                targets.push((Kind::Home, home.replace('\\', "\\\\"), "~".into()));
                targets.push((Kind::Home, home.replace('\\', "/"), "~".into()));
            }
        }
        let usable = |n: &Option<String>| {
            n.as_deref()
                .map(str::trim)
                .filter(|n| {
                    n.len() >= 3 && !GENERIC_NAMES.contains(&n.to_ascii_lowercase().as_str())
                })
                .map(str::to_string)
        };
        if let Some(host) = usable(&a.host) {
            // The short name too: `ana-laptop.local` -> also `ana-laptop`.
            if let Some((short, _)) = host.split_once('.').filter(|(s, _)| s.len() >= 3) {
                targets.push((Kind::Host, short.to_string(), a.host_alias.clone()));
            }
            targets.push((Kind::Host, host, a.host_alias.clone()));
        }
        if let Some(user) = usable(&a.user) {
            targets.push((Kind::User, user, a.user_alias.clone()));
        }
        let names = (!targets.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(targets.iter().map(|t| t.1.as_str()))
                .expect("literal patterns always compile")
        });
        let email = a.mask_emails.then(|| {
            Regex::new(
                r"(?-u)\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b",
            )
            .expect("email regex compiles")
        });
        if names.is_none() && email.is_none() {
            return None;
        }
        Some(Anonymizer {
            names,
            targets,
            email,
        })
    }

    /// Anonymize `text`, reporting `(rule, count)` for each kind replaced.
    pub(crate) fn apply<'a>(
        &self,
        text: &'a str,
        report: &mut dyn FnMut(&'static str, u64),
    ) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        if let Some(ac) = &self.names
            && let Some(s) = self.replace_names(ac, &out, report)
        {
            out = Cow::Owned(s);
        }
        if let Some(re) = &self.email
            && let Some(s) = mask_emails(re, &out, report)
        {
            out = Cow::Owned(s);
        }
        out
    }

    fn replace_names(
        &self,
        ac: &AhoCorasick,
        text: &str,
        report: &mut dyn FnMut(&'static str, u64),
    ) -> Option<String> {
        let b = text.as_bytes();
        let mut out: Option<String> = None;
        let mut last = 0;
        let mut counts = [0u64; 3];
        for m in ac.find_iter(b) {
            let (kind, exact, repl) = &self.targets[m.pattern().as_usize()];
            let (s, e) = (m.start(), m.end());
            let before = s.checked_sub(1).map(|i| b[i]);
            let after = b.get(e).copied();
            let ok = match kind {
                // `/home/ana` but not `/home/anabel`; case-sensitive.
                Kind::Home => &b[s..e] == exact.as_bytes() && !after.is_some_and(is_name_byte),
                Kind::Host | Kind::User => {
                    !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
                }
            };
            if !ok {
                continue;
            }
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[last..s]);
            o.push_str(repl);
            last = e;
            counts[*kind as usize] += 1;
        }
        let mut o = out?;
        o.push_str(&text[last..]);
        for k in [Kind::Home, Kind::Host, Kind::User] {
            if counts[k as usize] > 0 {
                report(k.rule(), counts[k as usize]);
            }
        }
        Some(o)
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_name_byte(b: u8) -> bool {
    is_word_byte(b) || b == b'-' || b == b'.'
}

/// `ana.lopez@example.com` -> `a***@example.com`; `git@github.com:` is left alone.
fn mask_emails(
    re: &Regex,
    text: &str,
    report: &mut dyn FnMut(&'static str, u64),
) -> Option<String> {
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut last = 0;
    let mut n = 0;
    for m in re.find_iter(b) {
        let at = m.start() + b[m.range()].iter().position(|&c| c == b'@').unwrap_or(0);
        let local = &text[m.start()..at];
        if local == "git" {
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[last..m.start()]);
        o.push_str(&local[..1]);
        o.push_str("***");
        last = at;
        n += 1;
    }
    let mut o = out?;
    o.push_str(&text[last..]);
    report("email", n);
    Some(o)
}
