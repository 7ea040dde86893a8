//! Turning what the user typed into a tantivy query, without ever failing.
//!
//! The plain syntax is deliberately small: every word must match (AND); `"several words"`
//! is a phrase; `word*` is a prefix; a word made of several tokens (`foo-bar`,
//! `src/main.rs`, `数据库`) is searched as a phrase of those tokens. Everything else
//! (`(`, `NEAR`, `:`, unbalanced quotes...) is just text. `--raw-query` hands the text to
//! tantivy's query parser instead (fields, boolean operators, phrases, ranges).

use crate::IndexError;
use crate::fulltext::Fields;
use crate::fulltext::tokenizer::{Mode, Tok, tokens};
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, QueryParser, TermQuery,
};
use tantivy::schema::IndexRecordOption;

/// How many index terms a prefix may expand to.
const MAX_EXPANSIONS: u32 = 512;

/// A term to highlight in snippets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mark {
    /// A token equal to this.
    Exact(String),
    /// A token starting with this.
    Prefix(String),
}

/// A built query and the terms to highlight.
pub(crate) struct Built {
    pub query: Box<dyn Query>,
    pub marks: Vec<Mark>,
}

/// Split user input into units: quoted phrases and whitespace-separated words.
/// Returns `(text, prefix)` pairs.
fn units(input: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix('"') {
            if let Some(end) = after.find('"') {
                let inner = &after[..end];
                let prefix = inner.trim_end().ends_with('*');
                out.push((inner.to_string(), prefix));
                rest = &after[end + 1..];
                continue;
            }
            // an unbalanced quote is just punctuation
            rest = after;
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        let word = &rest[..end];
        let prefix = word.ends_with('*')
            && word
                .trim_end_matches('*')
                .chars()
                .last()
                .is_some_and(char::is_alphanumeric);
        out.push((word.to_string(), prefix));
        rest = &rest[end..];
    }
    out
}

fn term(fields: &Fields, t: &Tok) -> Term {
    Term::from_field_text(fields.body, &t.text)
}

/// The query for plain user input; `None` when it contains nothing searchable.
pub(crate) fn plain(input: &str, fields: &Fields) -> Option<Built> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut marks = Vec::new();
    for (text, prefix) in units(input) {
        let toks = tokens(&text, Mode::Query);
        let Some(last) = toks.last() else { continue };
        let prefix = prefix || (toks.len() == 1 && last.cjk_single);
        for (i, t) in toks.iter().enumerate() {
            let m = if prefix && i + 1 == toks.len() {
                Mark::Prefix(t.text.clone())
            } else {
                Mark::Exact(t.text.clone())
            };
            if !marks.contains(&m) {
                marks.push(m);
            }
        }
        let base = toks[0].position;
        let q: Box<dyn Query> = if toks.len() == 1 && !prefix {
            Box::new(TermQuery::new(
                term(fields, last),
                IndexRecordOption::WithFreqs,
            ))
        } else if prefix {
            let mut q = PhrasePrefixQuery::new_with_offset(
                toks.iter()
                    .map(|t| (t.position - base, term(fields, t)))
                    .collect(),
            );
            q.set_max_expansions(MAX_EXPANSIONS);
            Box::new(q)
        } else {
            Box::new(PhraseQuery::new_with_offset(
                toks.iter()
                    .map(|t| (t.position - base, term(fields, t)))
                    .collect(),
            ))
        };
        clauses.push((Occur::Must, q));
    }
    match clauses.len() {
        0 => None,
        1 => Some(Built {
            query: clauses.pop().expect("one clause").1,
            marks,
        }),
        _ => Some(Built {
            query: Box::new(BooleanQuery::new(clauses)),
            marks,
        }),
    }
}

/// The query for `--raw-query` input (tantivy syntax, AND by default).
pub(crate) fn raw(
    input: &str,
    index: &tantivy::Index,
    fields: &Fields,
) -> Result<Built, IndexError> {
    let mut parser = QueryParser::for_index(index, vec![fields.body]);
    parser.set_conjunction_by_default();
    let query = parser
        .parse_query(input)
        .map_err(|e| IndexError::Query(e.to_string()))?;
    let mut marks = Vec::new();
    query.query_terms(&mut |t: &Term, _| {
        if t.field() == fields.body
            && let Some(s) = t.value().as_str()
        {
            let m = Mark::Exact(s.to_string());
            if !marks.contains(&m) {
                marks.push(m);
            }
        }
    });
    Ok(Built { query, marks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_split_quotes_and_prefixes() {
        assert_eq!(
            units(r#"fix "the migration" foo*"#),
            [
                ("fix".into(), false),
                ("the migration".into(), false),
                ("foo*".into(), true)
            ]
        );
        assert_eq!(
            units(r#"say "hi"#),
            [("say".into(), false), ("hi".into(), false)]
        );
        assert_eq!(units("*"), [("*".into(), false)]);
        assert_eq!(units("  "), []);
    }
}
