//! Snippets: the part of a hit's text with the most query terms, and where they are.

use super::query::Mark;
use crate::fulltext::tokenizer::{Mode, tokenize};
use serde::Serialize;

/// A fragment of text with highlighted ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The fragment, whitespace collapsed, `…` where cut.
    #[serde(rename = "snippet")]
    pub text: String,
    /// Byte ranges `[start, end)` of `text` to highlight.
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The fragment with highlights wrapped in `open` / `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(
            self.text.len() + self.highlights.len() * (open.len() + close.len()),
        );
        let mut at = 0;
        for &(a, b) in &self.highlights {
            out.push_str(&self.text[at..a]);
            out.push_str(open);
            out.push_str(&self.text[a..b]);
            out.push_str(close);
            at = b;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

fn matches(marks: &[Mark], tok: &str) -> Option<usize> {
    marks.iter().position(|m| match m {
        Mark::Exact(t) => t == tok,
        Mark::Prefix(p) => tok.starts_with(p.as_str()),
    })
}

/// Cut a snippet of about `max_chars` characters from `text` around the matches of `marks`.
pub(crate) fn snippet(text: &str, marks: &[Mark], max_chars: usize) -> Snippet {
    let mut hits: Vec<(usize, usize, usize)> = Vec::new(); // (from, to, mark)
    tokenize(text, Mode::Index, |t| {
        if let Some(m) = matches(marks, &t.text) {
            hits.push((t.from, t.to, m));
        }
    });
    // merge overlapping ranges (CJK bigrams overlap)
    let mut ranges: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for (a, b, m) in hits {
        match ranges.last_mut() {
            Some(last) if a <= last.1 => {
                last.1 = last.1.max(b);
                last.2.push(m);
            }
            _ => ranges.push((a, b, vec![m])),
        }
    }
    let max_bytes = max_chars.saturating_mul(3).max(16);
    // the window starting a little before some match that covers the most distinct marks
    let mut best = (0usize, 0usize, 0usize); // (distinct, count, start)
    for (i, r) in ranges.iter().enumerate() {
        let start = back_off(text, r.0, max_chars / 4);
        let end_limit = start + max_bytes;
        let mut distinct: Vec<usize> = Vec::new();
        let mut count = 0;
        for q in ranges[i..].iter().take_while(|q| q.1 <= end_limit) {
            count += 1;
            for m in &q.2 {
                if !distinct.contains(m) {
                    distinct.push(*m);
                }
            }
        }
        if (distinct.len(), count) > (best.0, best.1) {
            best = (distinct.len(), count, start);
        }
    }
    let start = best.2;
    build(text, start, max_chars, &ranges)
}

/// A start up to `chars` characters before `at`, preferably at a word boundary.
fn back_off(text: &str, at: usize, chars: usize) -> usize {
    let head = &text[..at];
    let mut start = head
        .char_indices()
        .rev()
        .nth(chars.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    if start > 0
        && let Some(sp) = text[start..at].find(char::is_whitespace)
    {
        start += sp;
    }
    start
}

fn build(
    text: &str,
    start: usize,
    max_chars: usize,
    ranges: &[(usize, usize, Vec<usize>)],
) -> Snippet {
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    // (byte offset in text, start and end byte offsets in out) of every character kept
    let mut kept: Vec<(usize, usize, usize)> = Vec::new();
    let mut chars = 0;
    let mut in_space = false;
    let mut cut = false;
    for (i, c) in text[start..].char_indices() {
        if chars >= max_chars {
            cut = true;
            break;
        }
        if c.is_whitespace() {
            if !in_space && !kept.is_empty() {
                out.push(' ');
                chars += 1;
            }
            in_space = true;
            continue;
        }
        in_space = false;
        let o = out.len();
        out.push(c);
        chars += 1;
        kept.push((i + start, o, out.len()));
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    let mut highlights = Vec::new();
    for r in ranges {
        let first = kept.iter().find(|k| k.0 >= r.0 && k.0 < r.1);
        let last = kept.iter().rev().find(|k| k.0 >= r.0 && k.0 < r.1);
        if let (Some(f), Some(l)) = (first, last)
            && f.1 < l.2
        {
            highlights.push((f.1, l.2));
        }
    }
    if cut {
        out.push('…');
    }
    Snippet {
        text: out,
        highlights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(s: &str) -> Mark {
        Mark::Exact(s.into())
    }

    #[test]
    fn highlights_words_and_prefixes() {
        let s = snippet(
            "We fixed the Migration\n\nin the   database today",
            &[ex("migration"), Mark::Prefix("data".into())],
            200,
        );
        assert_eq!(s.text, "We fixed the Migration in the database today");
        assert_eq!(
            s.marked("[", "]"),
            "We fixed the [Migration] in the [database] today"
        );
    }

    #[test]
    fn long_text_is_cut_around_the_best_window() {
        let text = format!(
            "{} needle and thread {}",
            "filler ".repeat(200),
            "more ".repeat(200)
        );
        let s = snippet(&text, &[ex("needle"), ex("thread")], 60);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert_eq!(s.marked("[", "]").matches('[').count(), 2);
        assert!(s.text.chars().count() <= 62);
    }

    #[test]
    fn cjk_bigrams_merge_into_one_highlight() {
        let s = snippet("修复数据库迁移失败的问题", &[ex("数据"), ex("据库")], 100);
        assert_eq!(s.marked("[", "]"), "修复[数据库]迁移失败的问题");
    }

    #[test]
    fn no_match_gives_the_start() {
        let s = snippet("abc def", &[ex("zzz")], 100);
        assert_eq!(s.text, "abc def");
        assert!(s.highlights.is_empty());
    }
}
