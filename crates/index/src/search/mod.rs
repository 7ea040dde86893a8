//! Full-text search: ranked (bm25) hits with highlighted snippets.
//!
//! ```no_run
//! use convx_index::{IndexReader, search::SearchRequest};
//! let reader = IndexReader::open("/home/ana/.local/share/convx".as_ref())?;
//! let hits = reader.search(&SearchRequest::new("fix the migration"))?;
//! for h in &hits.hits {
//!     println!("{} {} {}", h.key, h.score, h.snippet.marked("[", "]"));
//! }
//! # Ok::<(), convx_index::IndexError>(())
//! ```

pub(crate) mod query;
pub mod snippet;

use crate::filter::Filter;
use crate::reader::IndexReader;
use crate::role::Role;
use crate::{IndexError, fulltext::Fields};
use convx_model::Timestamp;
use serde::Serialize;
use snippet::Snippet;
use std::collections::HashMap;
use std::ops::Bound;
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Order, Searcher, Term};

/// What to search for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// The user's text.
    pub text: String,
    /// Pass `text` to tantivy's query parser instead of the plain syntax.
    pub raw: bool,
    /// Filters.
    pub filter: Filter,
    /// Hits to return.
    pub limit: usize,
    /// Hits per session at most (0: no limit).
    pub per_session: usize,
    /// Snippet length in characters.
    pub snippet_chars: usize,
}

impl SearchRequest {
    /// A plain search for `text`: 20 hits, the best one per session.
    pub fn new(text: impl Into<String>) -> Self {
        SearchRequest {
            text: text.into(),
            raw: false,
            filter: Filter::default(),
            limit: 20,
            per_session: 1,
            snippet_chars: 160,
        }
    }
}

/// One hit: an event of a session.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    /// Session key.
    pub key: String,
    /// Agent slug.
    pub agent: String,
    /// Index of the event in the session's events.
    pub event: u64,
    /// When the event happened (the session's start when the event has no time).
    pub timestamp: Option<Timestamp>,
    /// The matching fragment (`snippet`) and the byte ranges to highlight in it
    /// (`highlights`), see [`Snippet`].
    #[serde(flatten)]
    pub snippet: Snippet,
    /// bm25 score (0 when no words were searched).
    pub score: f32,
    /// What kind of text matched.
    pub role: Role,
    /// The tool, for tool calls and results.
    pub tool: Option<String>,
    /// Project name (last component of the working directory).
    pub project: Option<String>,
    /// Working directory.
    pub cwd: Option<String>,
    /// Session title.
    pub title: String,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Hits, best first.
    pub hits: Vec<SearchHit>,
    /// Something the user should know (nothing searchable in the query, unknown project...).
    pub note: Option<String>,
}

fn filter_clause(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

fn any_of(
    field: tantivy::schema::Field,
    values: impl IntoIterator<Item = String>,
) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = values
        .into_iter()
        .map(|v| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, &v),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

impl IndexReader {
    /// Run a search. Plain input never fails; `--raw-query` input may be
    /// [`IndexError::Query`]. A missing or damaged full-text index is an error.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, IndexError> {
        let (ft, reader) = self.fulltext.as_ref().map_err(|e| IndexError::Corrupt {
            path: self.dir.join(crate::paths::FULLTEXT),
            reason: e.clone(),
        })?;
        let fields = &ft.fields;
        let built = if req.raw {
            Some(query::raw(&req.text, &ft.index, fields)?)
        } else {
            query::plain(&req.text, fields)
        };
        let mut filters = Vec::new();
        let f = &req.filter;
        if !f.agents.is_empty() {
            filters.push(filter_clause(any_of(
                fields.agent,
                f.agents.iter().map(|a| a.slug().to_string()),
            )));
        }
        if !f.roles.is_empty() {
            filters.push(filter_clause(any_of(
                fields.role,
                f.roles.iter().map(|r| r.name().to_string()),
            )));
        }
        if !f.tools.is_empty() {
            filters.push(filter_clause(any_of(
                fields.tool,
                f.tools.iter().map(|t| t.to_lowercase()),
            )));
        }
        let mut note = None;
        if let Some(roots) = f.project_roots(&self.store)? {
            if roots.0.is_empty() {
                return Ok(SearchResults {
                    hits: Vec::new(),
                    note: Some("no session ran in a project of that name".into()),
                });
            }
            filters.push(filter_clause(any_of(fields.project, roots.0)));
        }
        if f.since.is_some() || f.until.is_some() {
            let lo = f.since.map_or(Bound::Unbounded, |t| {
                Bound::Included(Term::from_field_i64(fields.time, t.as_millisecond()))
            });
            let hi = f.until.map_or(Bound::Unbounded, |t| {
                Bound::Excluded(Term::from_field_i64(fields.time, t.as_millisecond()))
            });
            filters.push(filter_clause(Box::new(RangeQuery::new(lo, hi))));
        }
        let (main, marks, by_score) = match built {
            Some(b) => (b.query, b.marks, true),
            None if filters.is_empty() => {
                return Ok(SearchResults {
                    hits: Vec::new(),
                    note: Some("nothing to search for: the query has no words".into()),
                });
            }
            None => {
                note = Some(
                    "the query has no words: showing the newest matches of the filters".into(),
                );
                (Box::new(AllQuery) as Box<dyn Query>, Vec::new(), false)
            }
        };
        let query: Box<dyn Query> = if filters.is_empty() {
            main
        } else {
            let mut clauses = vec![(Occur::Must, main)];
            clauses.extend(filters);
            Box::new(BooleanQuery::new(clauses))
        };
        let searcher = reader.searcher();
        let docs = collect(&searcher, fields, query.as_ref(), req, by_score)?;
        let mut hits = Vec::with_capacity(docs.len());
        let mut st = self
            .store
            .conn
            .prepare_cached(
                "SELECT s.agent, s.title, s.cwd, s.project, s.started_at, e.ts, e.role, e.tool, e.text
                 FROM sessions s JOIN events e ON e.session_id = s.id WHERE s.key = ?1 AND e.seq = ?2",
            )
            .map_err(|e| self.store.err(e))?;
        for (score, key, event) in docs {
            let row = st.query_row(rusqlite::params![key, event as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            });
            // a document whose rows are gone (interrupted run, repaired on the next write)
            let Ok((agent, title, cwd, project, started, ts, role, tool, text)) = row else {
                continue;
            };
            let Some(role) = role.and_then(|r| r.parse::<Role>().ok()) else {
                continue;
            };
            hits.push(SearchHit {
                key,
                agent,
                event,
                timestamp: ts
                    .or(started)
                    .and_then(|ms| Timestamp::from_millisecond(ms).ok()),
                snippet: snippet::snippet(
                    text.as_deref().unwrap_or_default(),
                    &marks,
                    req.snippet_chars,
                ),
                score: if by_score { score } else { 0.0 },
                role,
                tool,
                project,
                cwd,
                title,
            });
        }
        Ok(SearchResults { hits, note })
    }
}

/// The best `(score, session key, event)` triples, at most `per_session` per session.
fn collect(
    searcher: &Searcher,
    fields: &Fields,
    query: &dyn Query,
    req: &SearchRequest,
    by_score: bool,
) -> Result<Vec<(f32, String, u64)>, IndexError> {
    let limit = req.limit.max(1);
    let mut fetch = if req.per_session == 0 {
        limit
    } else {
        (limit * 4).max(50)
    };
    let ft_err = |e: tantivy::TantivyError| IndexError::Query(e.to_string());
    loop {
        let docs: Vec<(f32, DocAddress)> = if by_score {
            searcher
                .search(query, &TopDocs::with_limit(fetch).order_by_score())
                .map_err(ft_err)?
        } else {
            searcher
                .search(
                    query,
                    &TopDocs::with_limit(fetch).order_by_fast_field::<i64>("time", Order::Desc),
                )
                .map_err(ft_err)?
                .into_iter()
                .map(|(_, d)| (0.0, d))
                .collect()
        };
        let exhausted = docs.len() < fetch;
        let mut out: Vec<(f32, String, u64)> = Vec::new();
        let mut per: HashMap<String, usize> = HashMap::new();
        let mut cols: HashMap<u32, (tantivy::columnar::StrColumn, tantivy::columnar::Column<u64>)> =
            HashMap::new();
        for (score, addr) in docs {
            if let std::collections::hash_map::Entry::Vacant(slot) = cols.entry(addr.segment_ord) {
                let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
                let s = ff
                    .str("session")
                    .map_err(ft_err)?
                    .ok_or_else(|| IndexError::Query("no session column".into()))?;
                let e = ff.u64("event").map_err(ft_err)?;
                slot.insert((s, e));
            }
            let (scol, ecol) = &cols[&addr.segment_ord];
            let mut key = String::new();
            if let Some(ord) = scol.term_ords(addr.doc_id).next() {
                scol.ord_to_str(ord, &mut key)
                    .map_err(|e| IndexError::Query(e.to_string()))?;
            }
            let event = ecol.first(addr.doc_id).unwrap_or(0);
            let _ = fields;
            let n = per.entry(key.clone()).or_default();
            if req.per_session > 0 && *n >= req.per_session {
                continue;
            }
            *n += 1;
            out.push((score, key, event));
            if out.len() == limit {
                return Ok(out);
            }
        }
        if exhausted || fetch >= 20_000 {
            return Ok(out);
        }
        fetch *= 4;
    }
}
