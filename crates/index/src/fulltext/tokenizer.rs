//! The full-text tokenizer: words for alphabetic scripts, bigrams for CJK.
//!
//! * Runs of letters and digits (Unicode `is_alphanumeric`) outside CJK scripts are one
//!   token each, lowercased. `foo-bar`, `foo_bar` and `foo.bar` are two tokens each, so
//!   `foo-bar` is searched as the phrase `foo bar`.
//! * Runs of CJK characters (Han, Hiragana, Katakana, Hangul) have no spaces between words,
//!   so each run is indexed as overlapping character **bigrams** (`数据库` → `数据`, `据库`)
//!   plus its last character alone (`库`), which lets a one-character query match anywhere
//!   as a prefix. At query time the last-character token is not produced (see [`Mode`]).
//! * Tokens longer than [`MAX_TOKEN_BYTES`] (base64 blobs, minified code) are dropped.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Longer tokens are not indexed.
pub const MAX_TOKEN_BYTES: usize = 64;

/// Name under which the tokenizer is registered with tantivy.
pub const TOKENIZER_NAME: &str = "convx";

/// Indexing or querying: they differ only in the lone last character of a CJK run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Produce everything that must be findable.
    Index,
    /// Produce what a query must match (bigrams only for CJK runs of 2+ characters).
    Query,
}

/// True for characters of scripts written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x1100..=0x11FF    // Hangul Jamo
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9F    // half-width Katakana
        | 0x20000..=0x2FA1F) // CJK extensions B..F, compatibility supplement
}

/// One token with byte offsets into the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    /// Lowercased token text.
    pub text: String,
    /// Byte offset of the first character.
    pub from: usize,
    /// Byte offset after the last character.
    pub to: usize,
    /// Position (token count).
    pub position: usize,
    /// True for a one-character CJK token (matched as a prefix at query time).
    pub cjk_single: bool,
}

/// Tokenize `text`, calling `sink` for each token.
pub fn tokenize(text: &str, mode: Mode, mut sink: impl FnMut(Tok)) {
    let mut position = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if is_cjk(c) {
            let mut run: Vec<(usize, char)> = Vec::new();
            while let Some(&(i, c)) = chars.peek() {
                if !is_cjk(c) {
                    break;
                }
                run.push((i, c));
                chars.next();
            }
            let end = chars.peek().map_or(text.len(), |&(i, _)| i);
            let end_of = |k: usize| run.get(k + 1).map_or(end, |&(i, _)| i);
            if run.len() == 1 {
                sink(Tok {
                    text: run[0].1.to_string(),
                    from: run[0].0,
                    to: end,
                    position,
                    cjk_single: true,
                });
                position += 1;
                continue;
            }
            for k in 0..run.len() - 1 {
                let mut t = String::with_capacity(8);
                t.push(run[k].1);
                t.push(run[k + 1].1);
                sink(Tok {
                    text: t,
                    from: run[k].0,
                    to: end_of(k + 1),
                    position,
                    cjk_single: false,
                });
                position += 1;
            }
            if mode == Mode::Index {
                let (i, c) = run[run.len() - 1];
                sink(Tok {
                    text: c.to_string(),
                    from: i,
                    to: end,
                    position,
                    cjk_single: true,
                });
            }
            // The position is kept in query mode too, so phrases spanning a CJK run and a
            // following word line up with the indexed positions.
            position += 1;
        } else if c.is_alphanumeric() {
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if !c.is_alphanumeric() || is_cjk(c) {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            let word = &text[start..end];
            if word.len() <= MAX_TOKEN_BYTES {
                let lower = if word.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
                    word.to_lowercase()
                } else {
                    word.to_string()
                };
                sink(Tok {
                    text: lower,
                    from: start,
                    to: end,
                    position,
                    cjk_single: false,
                });
                position += 1;
            }
        } else {
            chars.next();
        }
    }
}

/// Tokenize into a vector.
pub fn tokens(text: &str, mode: Mode) -> Vec<Tok> {
    let mut v = Vec::new();
    tokenize(text, mode, |t| v.push(t));
    v
}

/// The tantivy tokenizer (index mode).
#[derive(Debug, Clone, Default)]
pub struct ConvxTokenizer {
    buf: Vec<Token>,
}

/// Token stream over a pre-tokenized buffer.
pub struct ConvxTokenStream<'a> {
    buf: &'a mut Vec<Token>,
    next: usize,
}

impl Tokenizer for ConvxTokenizer {
    type TokenStream<'a> = ConvxTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ConvxTokenStream<'a> {
        self.buf.clear();
        let buf = &mut self.buf;
        tokenize(text, Mode::Index, |t| {
            buf.push(Token {
                offset_from: t.from,
                offset_to: t.to,
                position: t.position,
                text: t.text,
                position_length: 1,
            });
        });
        ConvxTokenStream {
            buf: &mut self.buf,
            next: 0,
        }
    }
}

impl TokenStream for ConvxTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.buf.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.buf[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.buf[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str, mode: Mode) -> Vec<String> {
        tokens(s, mode).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_are_lowercased_and_split_on_punctuation() {
        assert_eq!(
            texts("Fix the foo-bar_baz.rs MIGRATION!", Mode::Index),
            ["fix", "the", "foo", "bar", "baz", "rs", "migration"]
        );
        assert_eq!(
            texts("Ünïcode Straße café", Mode::Index),
            ["ünïcode", "straße", "café"]
        );
        assert_eq!(texts("\"*( NEAR ))", Mode::Query), ["near"]);
        assert!(texts("", Mode::Index).is_empty());
    }

    #[test]
    fn cjk_runs_become_bigrams() {
        assert_eq!(
            texts("数据库迁移", Mode::Index),
            ["数据", "据库", "库迁", "迁移", "移"]
        );
        assert_eq!(
            texts("数据库迁移", Mode::Query),
            ["数据", "据库", "库迁", "迁移"]
        );
        assert_eq!(texts("修复bug了", Mode::Index), ["修复", "复", "bug", "了"]);
        assert_eq!(texts("テスト", Mode::Query), ["テス", "スト"]);
        assert_eq!(texts("한국어 검색", Mode::Query), ["한국", "국어", "검색"]);
        let one = tokens("库", Mode::Query);
        assert!(one[0].cjk_single);
    }

    #[test]
    fn offsets_and_positions() {
        let t = tokens("ab 数据库", Mode::Index);
        assert_eq!((t[0].from, t[0].to, t[0].position), (0, 2, 0));
        assert_eq!((t[1].from, t[1].to, t[1].position), (3, 9, 1));
        assert_eq!((t[2].from, t[2].to, t[2].position), (6, 12, 2));
        assert_eq!((t[3].from, t[3].to, t[3].position), (9, 12, 3));
        let q = tokens("数据库x", Mode::Query);
        assert_eq!(q.iter().map(|t| t.position).collect::<Vec<_>>(), [0, 1, 3]);
        for tok in &t {
            assert!("ab 数据库".get(tok.from..tok.to).is_some());
        }
    }

    #[test]
    fn long_tokens_are_dropped() {
        let blob = "A".repeat(200);
        assert_eq!(texts(&format!("x {blob} y"), Mode::Index), ["x", "y"]);
    }

    #[test]
    fn tantivy_stream_matches() {
        let mut tk = ConvxTokenizer::default();
        let mut s = tk.token_stream("Hello 世界");
        let mut got = Vec::new();
        while s.advance() {
            got.push(s.token().text.clone());
        }
        assert_eq!(got, ["hello", "世界", "界"]);
    }
}
