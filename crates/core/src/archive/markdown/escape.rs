//! Making session text safe to embed in Markdown that GitHub renders.
//!
//! Two guarantees:
//! * **no live HTML**: outside code, every `<` that could open a tag, comment or
//!   declaration becomes `&lt;`; the result is re-parsed (CommonMark, pulldown-cmark) until
//!   no raw HTML is left, else the text is shown as a code block;
//! * **balanced fences**: an embedded text never leaves a code block open (an unclosed
//!   fence is closed; we check by parsing the text followed by a sentinel paragraph, which
//!   must come out as a top-level paragraph). Code blocks we write use a backtick fence
//!   longer than any backtick run inside.

use pulldown_cmark::{Event, Options, Parser, Tag};
use std::borrow::Cow;
use std::ops::Range;

const SENTINEL: &str = "CONVXENDSENTINEL7F3A";

/// CRLF and lone CR become LF; control characters other than tab and newline are dropped.
pub fn normalize(text: &str) -> Cow<'_, str> {
    let clean = |c: char| !c.is_control() || c == '\n' || c == '\t';
    // Control characters are C0 (< 0x20), DEL, and C1 (UTF-8 0xC2 0x80..0x9F): a byte scan
    // rules them out for almost every text.
    let suspect = |b: &u8| (*b < 0x20 && *b != b'\n' && *b != b'\t') || *b == 0x7f || *b == 0xc2;
    if !text.as_bytes().iter().any(suspect) || text.chars().all(clean) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() != Some(&'\n') {
                out.push('\n');
            }
        } else if clean(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The longest run of backticks in `text`.
pub fn longest_backtick_run(text: &str) -> usize {
    let (mut best, mut cur) = (0, 0);
    for b in text.bytes() {
        if b == b'`' {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// Append a fenced code block holding `text` verbatim (after [`normalize`]), with a fence
/// longer than any backtick run inside.
pub fn fenced(out: &mut String, info: &str, text: &str) {
    let text = normalize(text);
    let fence = "`".repeat(longest_backtick_run(&text).max(2) + 1);
    out.push_str(&fence);
    out.push_str(info);
    out.push('\n');
    out.push_str(&text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
}

/// An inline code span showing `text` literally (on one line).
pub fn code_span(text: &str) -> String {
    let one_line = one_line(text);
    let ticks = "`".repeat(longest_backtick_run(&one_line) + 1);
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') || one_line.starts_with(' ') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{one_line}{pad}{ticks}")
}

/// `text` on one line: newlines and tabs become spaces, runs of spaces collapse.
pub fn one_line(text: &str) -> String {
    let text = normalize(text);
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Plain text for a Markdown line (titles, list items): one line, Markdown punctuation
/// backslash-escaped, `<`, `>` and `&` as entities.
pub fn inline(text: &str) -> String {
    let text = one_line(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '|' | '~' | '(' | ')' | '{' | '}'
            | '+' | '=' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text inside raw HTML we write (`<summary>`): one line, entity-escaped.
pub fn html_text(text: &str) -> String {
    let text = one_line(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '`' => out.push_str("&#96;"),
            _ => out.push(c),
        }
    }
    out
}

/// Session text (a prompt, a reply) as a Markdown block: its own Markdown is kept, raw
/// HTML is neutralized and open code fences are closed. Text that cannot be made safe
/// that way is shown as a code block.
pub fn prose(text: &str) -> String {
    let text = normalize(text);
    let text = text.trim_end_matches('\n');
    let first = analyze(text);
    let mut s = escape_tags(text, &first.code);
    // Most texts need no escaping: their first analysis is already the analysis of `s`.
    let mut known = (s == text).then_some(first);
    for _ in 0..6 {
        let a = known.take().unwrap_or_else(|| analyze(&s));
        if a.has_html {
            let next = escape_tags(&s, &a.code);
            if next == s {
                break;
            }
            s = next;
            continue;
        }
        if a.clean_end {
            return s;
        }
        match open_fence(&s) {
            Some(close) => {
                s.push('\n');
                s.push_str(&close);
            }
            None => break,
        }
    }
    let mut out = String::new();
    fenced(&mut out, "text", text);
    out.trim_end_matches('\n').to_string()
}

struct Analysis {
    has_html: bool,
    clean_end: bool,
    code: Vec<Range<usize>>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
}

fn analyze(text: &str) -> Analysis {
    let doc = format!("{text}\n\n{SENTINEL}\n");
    let sentinel_at = text.len() + 2;
    let mut a = Analysis {
        has_html: false,
        clean_end: false,
        code: Vec::new(),
    };
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(&doc, options()).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if matches!(tag, Tag::CodeBlock(_)) {
                    a.code.push(range);
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Code(_) => a.code.push(range),
            Event::Html(_) | Event::InlineHtml(_) => a.has_html = true,
            Event::Text(t) if depth == 1 && range.start == sentinel_at && &*t == SENTINEL => {
                a.clean_end = true
            }
            _ => {}
        }
    }
    a.code.sort_by_key(|r| r.start);
    a
}

/// Replace `<` by `&lt;` outside `code` wherever it could start a tag, comment or
/// declaration (followed by a letter, `/`, `!` or `?`).
fn escape_tags(text: &str, code: &[Range<usize>]) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    let mut ci = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'<' {
            continue;
        }
        while ci < code.len() && code[ci].end <= i {
            ci += 1;
        }
        if ci < code.len() && code[ci].start <= i {
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        if next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?') {
            out.push_str(&text[last..i]);
            out.push_str("&lt;");
            last = i + 1;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// The closing fence for a top-level fenced code block left open at the end of `text`.
fn open_fence(text: &str) -> Option<String> {
    let mut open: Option<(u8, usize)> = None;
    for line in text.split('\n') {
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() > 3 {
            continue;
        }
        let first = trimmed.bytes().next();
        match (open, first) {
            (Some((c, n)), Some(f)) if f == c => {
                let run = trimmed.bytes().take_while(|&b| b == c).count();
                if run >= n && trimmed[run..].trim().is_empty() {
                    open = None;
                }
            }
            (None, Some(f @ (b'`' | b'~'))) => {
                let run = trimmed.bytes().take_while(|&b| b == f).count();
                if run >= 3 && !(f == b'`' && trimmed[run..].contains('`')) {
                    open = Some((f, run));
                }
            }
            _ => {}
        }
    }
    open.map(|(c, n)| String::from_utf8(vec![c; n]).expect("ascii"))
}

/// At most `max_chars` characters and `max_lines` lines of `text`; `Some(total chars)`
/// when it was cut.
pub fn truncate(text: &str, max_chars: usize, max_lines: usize) -> (&str, Option<usize>) {
    if text.len() <= max_chars && text.bytes().filter(|&b| b == b'\n').count() <= max_lines {
        return (text, None);
    }
    let mut lines = 0;
    for (chars, (i, c)) in text.char_indices().enumerate() {
        if chars == max_chars || lines == max_lines {
            return (&text[..i], Some(text.chars().count()));
        }
        if c == '\n' {
            lines += 1;
        }
    }
    (text, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_live_html(md: &str) -> bool {
        Parser::new_ext(md, options()).any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
    }

    #[test]
    fn html_is_neutralized_but_code_is_kept() {
        let cases = [
            "<script>alert(1)</script>",
            "hello <b>bold</b> and <!-- comment --> and </details>",
            "<div>\n\n```\nx\n</div>",
            "<pre>\n```\n</pre>\n<img src=x onerror=alert(1)>",
            "a `Vec<String>` and\n```rust\nlet x: Vec<u8> = vec![];\n```\n",
            "<?php echo 1; ?> <!DOCTYPE html> <![CDATA[x]]>",
        ];
        for c in cases {
            let out = prose(c);
            assert!(!has_live_html(&out), "live html in {out:?}");
            assert!(analyze(&out).clean_end, "unclean end in {out:?}");
        }
        assert!(prose("a `Vec<String>` b").contains("`Vec<String>`"));
        assert!(prose("```rust\nlet x: Vec<u8>;\n```").contains("Vec<u8>"));
        assert_eq!(prose("1 < 2 & 3 > 2"), "1 < 2 & 3 > 2");
    }

    #[test]
    fn open_fences_are_closed() {
        for c in [
            "```\nunclosed",
            "~~~~python\nx",
            "text\n````\n```\nstill open",
            "> ```\n> quoted",
        ] {
            let out = prose(c);
            assert!(analyze(&out).clean_end, "{c:?} -> {out:?}");
        }
        assert_eq!(prose("```\nunclosed"), "```\nunclosed\n```");
    }

    #[test]
    fn fences_outlast_content() {
        let mut out = String::new();
        fenced(&mut out, "text", "a\n````\nb ``````` c");
        assert!(out.starts_with("````````text\n"));
        assert!(out.ends_with("\n````````\n"));
    }

    #[test]
    fn inline_forms() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(
            inline("# <b>[x](y)</b>\nz"),
            "\\# &lt;b&gt;\\[x\\]\\(y\\)&lt;/b&gt; z"
        );
        assert_eq!(
            html_text("</summary><b>\"x\""),
            "&lt;/summary&gt;&lt;b&gt;&quot;x&quot;"
        );
    }

    #[test]
    fn normalization_and_truncation() {
        assert_eq!(normalize("a\r\nb\rc\u{0}d\u{1b}[0m"), "a\nb\ncd[0m");
        assert_eq!(truncate("abcdef", 3, 10), ("abc", Some(6)));
        assert_eq!(truncate("a\nb\nc\n", 100, 2), ("a\nb\n", Some(6)));
        assert_eq!(truncate("abc", 3, 10), ("abc", None));
    }
}
