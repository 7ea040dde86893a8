//! Private key blocks: from the `-----BEGIN ... PRIVATE KEY-----` header to the matching
//! footer, whatever sits between the lines (patch `+` prefixes, `    12→` / `12:` /
//! `  12 |` line numbers, JSON-escaped `\n`). Without a footer (truncated output, `head`),
//! the block runs over the base64 body lines that follow the header.

/// Where a private-key block that starts with a header at `header` ends, or `None` when
/// it is not a key (a header constant in code, documentation without a body).
pub(crate) fn block_end(text: &[u8], header: std::ops::Range<usize>) -> Option<usize> {
    let label = &text[header.start + "-----BEGIN".len()..header.end - "-----".len()];
    let search_end = text.len().min(header.end + MAX_BLOCK);
    let rest = &text[header.end..search_end];
    // The first footer with a real key body before it (a header constant in code may be
    // followed by a footer constant long before any key).
    let footer_len = "-----END".len() + label.len() + "-----".len();
    let mut from = 0;
    while let Some(pos) = find_footer(&rest[from..], label).map(|p| from + p) {
        if has_base64_run(&rest[..pos], MIN_RUN) {
            return Some(header.end + pos + footer_len);
        }
        from = pos + footer_len;
    }
    body_end(text, header.end)
}

/// Keys are a few KB; a footer further away than this belongs to something else.
const MAX_BLOCK: usize = 32 * 1024;
/// A real key body has long base64 runs (64-70 characters per line).
const MIN_RUN: usize = 40;

fn find_footer(rest: &[u8], label: &[u8]) -> Option<usize> {
    let finder = memchr::memmem::Finder::new(b"-----END");
    let mut from = 0;
    while let Some(i) = finder.find(&rest[from..]) {
        let at = from + i;
        let after = &rest[at + "-----END".len()..];
        if after.starts_with(label) && after[label.len()..].starts_with(b"-----") {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
}

fn has_base64_run(s: &[u8], min: usize) -> bool {
    let mut run = 0;
    for &b in s {
        if is_b64(b) {
            run += 1;
            if run >= min {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Length of a line separator at `i`: `\n`, `\r\n`, or JSON-escaped `\n` / `\r\n` /
/// `\\n` (any number of backslashes).
fn separator_len(t: &[u8], i: usize) -> usize {
    let mut j = i;
    let mut seen = false;
    loop {
        match t.get(j) {
            Some(b'\r') | Some(b'\n') => {
                j += 1;
                seen = true;
            }
            Some(b'\\') => {
                let mut k = j;
                while t.get(k) == Some(&b'\\') {
                    k += 1;
                }
                match t.get(k) {
                    Some(b'n') | Some(b'r') => {
                        j = k + 1;
                        seen = true;
                    }
                    _ => break,
                }
            }
            _ => break,
        }
    }
    if seen { j - i } else { 0 }
}

/// Length of a line prefix at `i`: indentation, a patch marker (`+`, `-`, `>`), a line
/// number followed by `→`, `:`, `|`, `-` or a tab (`cat -n`, `grep -n`, Claude's Read tool).
fn prefix_len(t: &[u8], i: usize) -> usize {
    let mut j = i;
    let skip_ws = |j: &mut usize| {
        while matches!(t.get(*j), Some(b' ') | Some(b'\t')) {
            *j += 1;
        }
    };
    skip_ws(&mut j);
    if matches!(t.get(j), Some(b'+') | Some(b'-') | Some(b'>')) {
        j += 1;
        skip_ws(&mut j);
    }
    let digits = j;
    while t.get(j).is_some_and(u8::is_ascii_digit) {
        j += 1;
    }
    if j > digits {
        let mut k = j;
        while t.get(k) == Some(&b' ') {
            k += 1;
        }
        if t[k..].starts_with("→".as_bytes()) {
            j = k + "→".len();
        } else if matches!(t.get(k), Some(b':') | Some(b'|') | Some(b'\t')) {
            j = k + 1;
        } else {
            // Digits that are not a line number are part of the body.
            j = digits;
        }
        skip_ws(&mut j);
    }
    j - i
}

/// Length of a PEM header line such as `Proc-Type: 4,ENCRYPTED` or `DEK-Info: ...`.
fn pem_header_line_len(t: &[u8], i: usize) -> usize {
    for name in [&b"Proc-Type:"[..], b"DEK-Info:", b"Comment:"] {
        if t[i..].starts_with(name) {
            let mut j = i + name.len();
            while j < t.len() && t[j] != b'\n' && t[j] != b'\\' && t[j] != b'\r' {
                j += 1;
            }
            return j - i;
        }
    }
    0
}

/// The end of the body lines following a header that has no footer: each line is a gap
/// (line separators, spaces), an optional prefix, then base64 (or a PEM header line such
/// as `Proc-Type:`). The first body line must be long; a short line ends the body.
fn body_end(t: &[u8], mut i: usize) -> Option<usize> {
    let mut end = None;
    let mut lines = 0usize;
    let mut empties = 0usize;
    loop {
        let gap = gap_len(t, i);
        if gap == 0 {
            break;
        }
        let start = i + gap + prefix_len(t, i + gap);
        let hdr = pem_header_line_len(t, start);
        if hdr > 0 {
            i = start + hdr;
            continue;
        }
        let mut j = start;
        while j < t.len() && is_b64(t[j]) {
            j += 1;
        }
        let len = j - start;
        if len == 0 && empties < 2 && gap_len(t, start) > 0 {
            // An empty (possibly prefixed) line, e.g. after `DEK-Info:`.
            empties += 1;
            i = start;
            continue;
        }
        let min = if lines == 0 { MIN_RUN } else { 4 };
        if len < min {
            break;
        }
        empties = 0;
        lines += 1;
        end = Some(j);
        i = j;
        if len < 16 {
            break;
        }
    }
    end
}

/// Spaces, tabs and line separators between two body lines.
fn gap_len(t: &[u8], i: usize) -> usize {
    let mut j = i;
    loop {
        let before = j;
        while matches!(t.get(j), Some(b' ') | Some(b'\t')) {
            j += 1;
        }
        j += separator_len(t, j);
        if j == before {
            break;
        }
    }
    j - i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(prefix_len(b"+MIIE", 0), 1);
        assert_eq!(prefix_len("    12→MIIE".as_bytes(), 0), 4 + 2 + "→".len());
        assert_eq!(prefix_len(b"12:MIIE", 0), 3);
        assert_eq!(prefix_len(b"  12 | MIIE", 0), 7);
        assert_eq!(prefix_len(b"12\tMIIE", 0), 3);
        assert_eq!(prefix_len(b"1234MIIE", 0), 0);
    }

    #[test]
    fn separators() {
        assert_eq!(separator_len(b"\nX", 0), 1);
        assert_eq!(separator_len(b"\r\nX", 0), 2);
        assert_eq!(separator_len(br"\nX", 0), 2);
        assert_eq!(separator_len(br"\\nX", 0), 3);
        assert_eq!(separator_len(br"\r\nX", 0), 4);
        assert_eq!(separator_len(br"\tX", 0), 0);
    }
}
