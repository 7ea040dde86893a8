//! The real [`ConsoleData`]: the `convx-index` store (SQLite + tantivy).
//!
//! Search, usage and pricing are the index's own ([`IndexReader::search`],
//! [`IndexReader::stats`]), so the console shows the numbers of `convx search` and
//! `convx stats`. A session's project is its project name (the last component of its
//! working directory); project filters of search and usage match every directory with that
//! name and the directories below it, as `convx stats --project NAME` does.

use crate::data::*;
use convx_index::pricing::PriceTable;
use convx_index::search::SearchRequest;
use convx_index::stats::{GroupBy, StatsReport, StatsRequest, StatsSort};
use convx_index::{Filter, IndexError, IndexReader, ProjectFilter, Role, SessionSummary};
use convx_model::{Agent, Timestamp, Usage};
use jiff::tz::TimeZone;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

/// The console's data from an index. See the module docs.
pub struct IndexData {
    reader: Mutex<IndexReader>,
    prices: PriceTable,
    tz: TimeZone,
}

impl std::fmt::Debug for IndexData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexData").finish_non_exhaustive()
    }
}

fn backend(e: IndexError) -> DataError {
    match e {
        IndexError::Query(m) => DataError::InvalidQuery(format!("cannot search for that: {m}")),
        e => DataError::Backend(e.to_string()),
    }
}

/// Priced totals of one session's counted calls.
#[derive(Default, Clone, Copy)]
struct Cost {
    usage: Usage,
    cost_usd: f64,
    unpriced_tokens: u64,
}

fn usage_of(r: &convx_index::stats::StatsRow) -> Usage {
    Usage {
        input: r.input,
        cache_creation: r.cache_creation,
        cache_read: r.cache_read,
        output: r.output,
        reasoning: r.reasoning,
    }
}

/// The event kind name of an index role.
fn kind_name(r: Role) -> &'static str {
    match r {
        Role::User => "user_prompt",
        Role::Assistant => "assistant_text",
        Role::Reasoning => "reasoning",
        Role::ToolCall => "tool_call",
        Role::ToolResult => "tool_result",
        Role::Plan => "plan_update",
        Role::Summary => "compaction",
    }
}

fn role_of(kind: &str) -> Result<Role, DataError> {
    Role::ALL
        .into_iter()
        .find(|r| kind_name(*r) == kind || r.name() == kind)
        .ok_or_else(|| DataError::InvalidQuery(format!("unknown event kind `{kind}`")))
}

fn in_range(r: &SessionRow, since: Option<Timestamp>, until: Option<Timestamp>) -> bool {
    if since.is_none() && until.is_none() {
        return true;
    }
    let (Some(first), Some(last)) = (r.started_at.or(r.ended_at), r.ended_at.or(r.started_at))
    else {
        return false;
    };
    since.is_none_or(|s| last >= s) && until.is_none_or(|u| first < u)
}

impl IndexData {
    /// Serve `reader`, pricing with `prices`; days are counted in `tz` (the zone of
    /// `convx stats`, local by default).
    pub fn new(reader: IndexReader, prices: PriceTable, tz: TimeZone) -> Self {
        IndexData {
            reader: Mutex::new(reader),
            prices,
            tz,
        }
    }

    fn reader(&self) -> std::sync::MutexGuard<'_, IndexReader> {
        self.reader.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stats(&self, req: &StatsRequest) -> Result<StatsReport, DataError> {
        self.reader().stats(req, &self.prices).map_err(backend)
    }

    /// Priced totals per session key.
    fn costs(&self) -> Result<HashMap<String, Cost>, DataError> {
        let report = self.stats(&StatsRequest {
            filter: Filter::default(),
            group_by: vec![GroupBy::Session],
            timezone: self.tz.clone(),
            sort: StatsSort::Key,
        })?;
        Ok(report
            .rows
            .iter()
            .map(|r| {
                (
                    r.keys[0].clone(),
                    Cost {
                        usage: usage_of(r),
                        cost_usd: r.cost_usd,
                        unpriced_tokens: r.unpriced_tokens,
                    },
                )
            })
            .collect())
    }

    /// Every session's row.
    fn rows(&self) -> Result<Vec<SessionRow>, DataError> {
        let summaries = self.reader().session_summaries().map_err(backend)?;
        let costs = self.costs()?;
        Ok(summaries.into_iter().map(|s| row(s, &costs)).collect())
    }
}

fn row(s: SessionSummary, costs: &HashMap<String, Cost>) -> SessionRow {
    let c = costs.get(&s.key).copied().unwrap_or_default();
    SessionRow {
        key: s.key,
        agent: s.agent,
        kind: s.kind,
        parent: s.parent,
        title: s.title,
        project: s.project,
        cwd: s.cwd,
        started_at: s.started_at,
        ended_at: s.ended_at,
        prompts: s.user_prompts,
        tool_calls: s.tool_calls,
        tool_errors: s.tool_errors,
        usage: c.usage,
        cost_usd: c.cost_usd,
        unpriced_tokens: c.unpriced_tokens,
        models: s.models,
    }
}

impl ConsoleData for IndexData {
    fn sessions(&self, f: &SessionFilter) -> Result<SessionPage, DataError> {
        let mut rows: Vec<SessionRow> = self
            .rows()?
            .into_iter()
            .filter(|r| f.agent.is_none_or(|a| r.agent == a))
            .filter(|r| f.project.is_none() || r.project == f.project)
            .filter(|r| {
                f.model
                    .as_ref()
                    .is_none_or(|m| r.models.iter().any(|x| x == m))
            })
            .filter(|r| f.has_errors.is_none_or(|e| r.has_errors() == e))
            .filter(|r| in_range(r, f.since, f.until))
            .collect();
        let dur = |r: &SessionRow| r.duration_secs().unwrap_or(-1);
        rows.sort_by(|a, b| {
            let primary = match f.sort {
                SortKey::Start => std::cmp::Ordering::Equal,
                SortKey::Duration => dur(a).cmp(&dur(b)),
                SortKey::Prompts => a.prompts.cmp(&b.prompts),
                SortKey::ToolCalls => a.tool_calls.cmp(&b.tool_calls),
                SortKey::Tokens => a.usage.total().cmp(&b.usage.total()),
                SortKey::Cost => a.cost_usd.total_cmp(&b.cost_usd),
            };
            primary
                .then_with(|| a.started_at.cmp(&b.started_at))
                .then_with(|| a.key.cmp(&b.key))
        });
        if f.descending {
            rows.reverse();
        }
        let total = rows.len() as u64;
        let rows = rows.into_iter().skip(f.offset).take(f.limit).collect();
        Ok(SessionPage { total, rows })
    }

    fn session(&self, key: &str) -> Result<Option<SessionDetail>, DataError> {
        let Some(session) = self.reader().load_session(key).map_err(backend)? else {
            return Ok(None);
        };
        let rows = self.rows()?;
        let by_key: HashMap<&str, &SessionRow> = rows.iter().map(|r| (r.key.as_str(), r)).collect();
        let Some(row) = by_key.get(key).map(|r| (*r).clone()) else {
            return Ok(None);
        };
        let relatives = session
            .parent
            .iter()
            .chain(session.children.iter())
            .filter_map(|k| by_key.get(k.as_str()).map(|r| (*r).clone()))
            .collect();
        Ok(Some(SessionDetail {
            session,
            row,
            relatives,
            // the index does not know where sessions are archived
            archive_link: None,
        }))
    }

    fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>, DataError> {
        if q.text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let mut req = SearchRequest::new(q.text.clone());
        req.limit = q.limit;
        req.per_session = 0;
        req.filter = Filter {
            agents: q.agent.into_iter().collect(),
            project: q.project.clone().map(ProjectFilter::Name),
            since: q.since,
            until: q.until,
            roles: q
                .role
                .as_deref()
                .map(role_of)
                .transpose()?
                .into_iter()
                .collect(),
            tools: q.tool.clone().into_iter().collect(),
        };
        let results = self.reader().search(&req).map_err(backend)?;
        Ok(results
            .hits
            .into_iter()
            .filter_map(|h| {
                Some(SearchHit {
                    agent: h.agent.parse::<Agent>().ok()?,
                    key: h.key,
                    title: h.title,
                    project: h.project,
                    event: h.event as usize,
                    timestamp: h.timestamp,
                    role: kind_name(h.role).to_string(),
                    tool: h.tool,
                    snippet: h.snippet.text,
                    highlights: h.snippet.highlights,
                    score: h.score,
                })
            })
            .take(q.limit)
            .collect())
    }

    fn usage(&self, q: &UsageQuery) -> Result<UsageReport, DataError> {
        let group_by: Vec<GroupBy> =
            q.by.iter()
                .map(|d| match d {
                    UsageDim::Day => GroupBy::Day,
                    UsageDim::Week => GroupBy::Week,
                    UsageDim::Month => GroupBy::Month,
                    UsageDim::Model => GroupBy::Model,
                    UsageDim::Project => GroupBy::Project,
                    UsageDim::Agent => GroupBy::Agent,
                    UsageDim::Session => GroupBy::Session,
                })
                .collect();
        let report = self.stats(&StatsRequest {
            filter: Filter {
                agents: q.agent.into_iter().collect(),
                project: q.project.clone().map(ProjectFilter::Name),
                since: q.since,
                until: q.until,
                ..Filter::default()
            },
            group_by: group_by.clone(),
            timezone: self.tz.clone(),
            sort: StatsSort::Key,
        })?;
        // stats groups projects by directory; the console by project name
        let mut groups: BTreeMap<Vec<String>, UsageRow> = BTreeMap::new();
        for r in &report.rows {
            let key: Vec<String> = r
                .keys
                .iter()
                .zip(&group_by)
                .map(|(k, g)| match g {
                    GroupBy::Project if k != "-" => convx_index::project_name(k),
                    GroupBy::Day | GroupBy::Week | GroupBy::Month if k == "unknown" => {
                        "-".to_string()
                    }
                    _ => k.clone(),
                })
                .collect();
            let g = groups.entry(key.clone()).or_insert_with(|| UsageRow {
                key,
                ..UsageRow::default()
            });
            g.usage += usage_of(r);
            g.calls += r.calls;
            g.cost_usd += r.cost_usd;
            g.unpriced_tokens += r.unpriced_tokens;
        }
        let t = &report.total;
        Ok(UsageReport {
            by: q.by.clone(),
            rows: groups.into_values().collect(),
            totals: UsageRow {
                key: Vec::new(),
                usage: usage_of(t),
                calls: t.calls,
                cost_usd: t.cost_usd,
                unpriced_tokens: t.unpriced_tokens,
            },
            unpriced_models: report
                .unpriced_models
                .into_iter()
                .map(|m| m.model)
                .collect(),
            prices_as_of: Some(report.prices_date).filter(|d| !d.is_empty()),
        })
    }

    fn projects(&self) -> Result<Vec<ProjectSummary>, DataError> {
        let mut map: BTreeMap<String, ProjectSummary> = BTreeMap::new();
        let mut agents: BTreeMap<String, BTreeMap<Agent, u64>> = BTreeMap::new();
        let mut days: BTreeMap<String, BTreeMap<jiff::civil::Date, u64>> = BTreeMap::new();
        for row in self.rows()? {
            let Some(p) = row.project.clone() else {
                continue;
            };
            let e = map.entry(p.clone()).or_insert_with(|| ProjectSummary {
                project: p.clone(),
                sessions: 0,
                first: None,
                last: None,
                agents: Vec::new(),
                usage: Usage::default(),
                cost_usd: 0.0,
                unpriced_tokens: 0,
                activity: Vec::new(),
            });
            e.sessions += 1;
            e.usage += row.usage;
            e.cost_usd += row.cost_usd;
            e.unpriced_tokens += row.unpriced_tokens;
            if let Some(t) = row.started_at {
                e.first = Some(e.first.map_or(t, |f| f.min(t)));
                *days
                    .entry(p.clone())
                    .or_default()
                    .entry(t.to_zoned(self.tz.clone()).date())
                    .or_default() += 1;
            }
            if let Some(t) = row.ended_at.or(row.started_at) {
                e.last = Some(e.last.map_or(t, |l| l.max(t)));
            }
            *agents.entry(p).or_default().entry(row.agent).or_default() += 1;
        }
        let mut out: Vec<ProjectSummary> = map
            .into_values()
            .map(|mut p| {
                let mut a: Vec<AgentCount> = agents
                    .remove(&p.project)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(agent, sessions)| AgentCount { agent, sessions })
                    .collect();
                a.sort_by(|x, y| y.sessions.cmp(&x.sessions).then(x.agent.cmp(&y.agent)));
                p.agents = a;
                p.activity = days
                    .remove(&p.project)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(day, sessions)| DayCount { day, sessions })
                    .collect();
                p
            })
            .collect();
        out.sort_by(|a, b| b.last.cmp(&a.last).then_with(|| a.project.cmp(&b.project)));
        Ok(out)
    }

    fn facets(&self) -> Result<Facets, DataError> {
        let summaries = self.reader().session_summaries().map_err(backend)?;
        let agents: BTreeSet<Agent> = summaries.iter().map(|r| r.agent).collect();
        let projects: BTreeSet<&String> = summaries
            .iter()
            .filter_map(|r| r.project.as_ref())
            .collect();
        let models: BTreeSet<&String> = summaries.iter().flat_map(|r| &r.models).collect();
        Ok(Facets {
            agents: agents.into_iter().collect(),
            projects: projects.into_iter().cloned().collect(),
            models: models.into_iter().cloned().collect(),
        })
    }
}
