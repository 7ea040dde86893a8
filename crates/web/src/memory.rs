//! A simple in-memory [`ConsoleData`] over a `Vec<Session>`.
//!
//! **Not the real store.** It exists for the console's tests; `convx serve` uses
//! [`crate::index_data::IndexData`]. Every query is a
//! linear scan; search is a case-insensitive substring match of every word (no ranking
//! model); cost is only what the agents recorded themselves (everything else is reported
//! as unpriced). The project of a session is the last component of its working directory.
//!
//! The sessions given must already be redacted and finished (`convx_core::load::finish`).

use crate::data::*;
use convx_model::{Agent, Event, EventKind, Session, Timestamp, Usage};
use jiff::tz::TimeZone;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// In-memory sessions. See the module docs.
#[derive(Debug)]
pub struct MemoryData {
    sessions: Vec<Session>,
    by_key: HashMap<String, usize>,
    rows: Vec<SessionRow>,
    archive: HashMap<String, String>,
    tz: TimeZone,
}

impl MemoryData {
    /// Hold `sessions`; days are counted in `tz`.
    pub fn new(sessions: Vec<Session>, tz: TimeZone) -> Self {
        let rows = sessions
            .iter()
            .map(|s| {
                let (cost, unpriced, _) = session_cost(s);
                SessionRow::from_session(s, project_of(s), cost, unpriced)
            })
            .collect();
        let by_key = sessions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.key.clone(), i))
            .collect();
        MemoryData {
            sessions,
            by_key,
            rows,
            archive: HashMap::new(),
            tz,
        }
    }

    /// Record where a session is archived (see [`SessionDetail::archive_link`]).
    pub fn with_archive_link(mut self, key: &str, link: &str) -> Self {
        self.archive.insert(key.to_string(), link.to_string());
        self
    }

    /// Number of sessions held.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// True when no session is held.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    fn day(&self, t: Timestamp) -> jiff::civil::Date {
        t.to_zoned(self.tz.clone()).date()
    }
}

/// The project of a session: the last component of its working directory.
pub fn project_of(s: &Session) -> Option<String> {
    let cwd = s.cwd.as_deref()?.trim_end_matches(['/', '\\']);
    cwd.rsplit(['/', '\\'])
        .next()
        .filter(|p| !p.is_empty())
        .map(str::to_string)
}

fn session_cost(s: &Session) -> (f64, u64, BTreeSet<String>) {
    let mut cost = 0.0;
    let mut unpriced = 0;
    let mut models = BTreeSet::new();
    for e in counted(s) {
        let u = e.usage.as_ref().expect("counted events have usage");
        match u.recorded_cost_usd {
            Some(c) => cost += c,
            None => {
                unpriced += u.tokens.total();
                models.insert(
                    u.model
                        .clone()
                        .unwrap_or_else(|| convx_model::UNKNOWN_MODEL.into()),
                );
            }
        }
    }
    (cost, unpriced, models)
}

/// Events whose usage counts: own, not duplicated.
fn counted(s: &Session) -> impl Iterator<Item = &Event> {
    s.events
        .iter()
        .filter(|e| !e.inherited && e.usage.as_ref().is_some_and(|u| !u.duplicate))
}

fn in_range(row: &SessionRow, since: Option<Timestamp>, until: Option<Timestamp>) -> bool {
    if since.is_none() && until.is_none() {
        return true;
    }
    let (Some(first), Some(last)) = (
        row.started_at.or(row.ended_at),
        row.ended_at.or(row.started_at),
    ) else {
        return false;
    };
    since.is_none_or(|s| last >= s) && until.is_none_or(|u| first < u)
}

fn time_ok(t: Option<Timestamp>, since: Option<Timestamp>, until: Option<Timestamp>) -> bool {
    match t {
        Some(t) => since.is_none_or(|s| t >= s) && until.is_none_or(|u| t < u),
        None => since.is_none() && until.is_none(),
    }
}

fn duration(row: &SessionRow) -> i64 {
    row.duration_secs().unwrap_or(-1)
}

impl ConsoleData for MemoryData {
    fn sessions(&self, f: &SessionFilter) -> Result<SessionPage, DataError> {
        let mut rows: Vec<&SessionRow> = self
            .rows
            .iter()
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
        rows.sort_by(|a, b| {
            let primary = match f.sort {
                SortKey::Start => std::cmp::Ordering::Equal,
                SortKey::Duration => duration(a).cmp(&duration(b)),
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
        let rows = rows
            .into_iter()
            .skip(f.offset)
            .take(f.limit)
            .cloned()
            .collect();
        Ok(SessionPage { total, rows })
    }

    fn session(&self, key: &str) -> Result<Option<SessionDetail>, DataError> {
        let Some(&i) = self.by_key.get(key) else {
            return Ok(None);
        };
        let s = &self.sessions[i];
        let relatives = s
            .parent
            .iter()
            .chain(s.children.iter())
            .filter_map(|k| self.by_key.get(k).map(|&j| self.rows[j].clone()))
            .collect();
        Ok(Some(SessionDetail {
            session: s.clone(),
            row: self.rows[i].clone(),
            relatives,
            archive_link: self.archive.get(key).cloned(),
        }))
    }

    fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>, DataError> {
        let words: Vec<String> = q.text.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut hits = Vec::new();
        for (s, row) in self.sessions.iter().zip(&self.rows) {
            if q.agent.is_some_and(|a| s.agent != a)
                || (q.project.is_some() && row.project != q.project)
            {
                continue;
            }
            let tools = tool_names(s);
            for (i, e) in s.events.iter().enumerate() {
                if !time_ok(e.timestamp.or(s.started_at), q.since, q.until)
                    || q.role.as_deref().is_some_and(|r| r != e.kind.name())
                {
                    continue;
                }
                let tool = match &e.kind {
                    EventKind::ToolCall { name, .. } => Some(name.clone()),
                    EventKind::ToolResult { call_id, .. } => tools.get(call_id).cloned(),
                    _ => None,
                };
                if q.tool.is_some() && tool != q.tool {
                    continue;
                }
                let Some(text) = searchable_text(e) else {
                    continue;
                };
                let lower = text.to_lowercase();
                if !words.iter().all(|w| lower.contains(w.as_str())) {
                    continue;
                }
                let score: usize = words
                    .iter()
                    .map(|w| lower.matches(w.as_str()).count())
                    .sum();
                let (snippet, highlights) = snippet(&text, &words);
                hits.push(SearchHit {
                    key: s.key.clone(),
                    agent: s.agent,
                    title: row.title.clone(),
                    project: row.project.clone(),
                    event: i,
                    timestamp: e.timestamp,
                    role: e.kind.name().to_string(),
                    tool,
                    snippet,
                    highlights,
                    score: score as f32,
                });
            }
        }
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| b.timestamp.cmp(&a.timestamp))
        });
        hits.truncate(q.limit);
        Ok(hits)
    }

    fn usage(&self, q: &UsageQuery) -> Result<UsageReport, DataError> {
        let mut groups: BTreeMap<Vec<String>, UsageRow> = BTreeMap::new();
        let mut totals = UsageRow::default();
        let mut unpriced_models = BTreeSet::new();
        for (s, row) in self.sessions.iter().zip(&self.rows) {
            if q.agent.is_some_and(|a| s.agent != a)
                || (q.project.is_some() && row.project != q.project)
            {
                continue;
            }
            for e in counted(s) {
                let t = e.timestamp.or(s.started_at);
                if !time_ok(t, q.since, q.until) {
                    continue;
                }
                let u = e.usage.as_ref().expect("counted");
                let model = u.model.as_deref().unwrap_or(convx_model::UNKNOWN_MODEL);
                let key: Vec<String> =
                    q.by.iter()
                        .map(|d| self.dim_value(*d, s, row, model, t))
                        .collect();
                let g = groups.entry(key.clone()).or_insert_with(|| UsageRow {
                    key,
                    ..UsageRow::default()
                });
                for r in [g, &mut totals] {
                    add_call(r, u.tokens, u.recorded_cost_usd);
                }
                if u.recorded_cost_usd.is_none() {
                    unpriced_models.insert(model.to_string());
                }
            }
        }
        Ok(UsageReport {
            by: q.by.clone(),
            rows: groups.into_values().collect(),
            totals,
            unpriced_models: unpriced_models.into_iter().collect(),
            prices_as_of: None,
        })
    }

    fn projects(&self) -> Result<Vec<ProjectSummary>, DataError> {
        let mut map: BTreeMap<String, ProjectSummary> = BTreeMap::new();
        let mut agents: BTreeMap<String, BTreeMap<Agent, u64>> = BTreeMap::new();
        let mut days: BTreeMap<String, BTreeMap<jiff::civil::Date, u64>> = BTreeMap::new();
        for row in &self.rows {
            let Some(p) = &row.project else { continue };
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
                    .entry(self.day(t))
                    .or_default() += 1;
            }
            if let Some(t) = row.ended_at.or(row.started_at) {
                e.last = Some(e.last.map_or(t, |l| l.max(t)));
            }
            *agents
                .entry(p.clone())
                .or_default()
                .entry(row.agent)
                .or_default() += 1;
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
        let agents: BTreeSet<Agent> = self.rows.iter().map(|r| r.agent).collect();
        let projects: BTreeSet<&String> = self
            .rows
            .iter()
            .filter_map(|r| r.project.as_ref())
            .collect();
        let models: BTreeSet<&String> = self.rows.iter().flat_map(|r| &r.models).collect();
        Ok(Facets {
            agents: agents.into_iter().collect(),
            projects: projects.into_iter().cloned().collect(),
            models: models.into_iter().cloned().collect(),
        })
    }
}

impl MemoryData {
    fn dim_value(
        &self,
        d: UsageDim,
        s: &Session,
        row: &SessionRow,
        model: &str,
        t: Option<Timestamp>,
    ) -> String {
        let date = t.map(|t| self.day(t));
        match d {
            UsageDim::Day => date.map_or("-".into(), |d| d.to_string()),
            UsageDim::Week => date.map_or("-".into(), |d| {
                let w = d.iso_week_date();
                format!("{:04}-W{:02}", w.year(), w.week())
            }),
            UsageDim::Month => {
                date.map_or("-".into(), |d| format!("{:04}-{:02}", d.year(), d.month()))
            }
            UsageDim::Model => model.to_string(),
            UsageDim::Project => row.project.clone().unwrap_or_else(|| "-".into()),
            UsageDim::Agent => s.agent.slug().to_string(),
            UsageDim::Session => s.key.clone(),
        }
    }
}

fn add_call(r: &mut UsageRow, tokens: Usage, cost: Option<f64>) {
    r.usage += tokens;
    r.calls += 1;
    match cost {
        Some(c) => r.cost_usd += c,
        None => r.unpriced_tokens += tokens.total(),
    }
}

fn tool_names(s: &Session) -> HashMap<String, String> {
    s.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ToolCall { call_id, name, .. } => Some((call_id.clone(), name.clone())),
            _ => None,
        })
        .collect()
}

/// The text of an event that search looks at (injected context and opaque records are not
/// searched).
fn searchable_text(e: &Event) -> Option<String> {
    match &e.kind {
        EventKind::UserPrompt { text, .. }
        | EventKind::AssistantText { text }
        | EventKind::Reasoning { text, .. } => Some(text.clone()),
        EventKind::ToolCall { name, input, .. } => Some(format!(
            "{name} {}",
            match input {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            }
        )),
        EventKind::ToolResult { output, .. } => Some(output.clone()),
        EventKind::PlanUpdate { explanation, steps } => Some(
            explanation
                .iter()
                .cloned()
                .chain(steps.iter().map(|s| s.text.clone()))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        EventKind::Compaction { summary, .. } => summary.clone(),
        EventKind::Context { .. } | EventKind::ModelCall {} | EventKind::Opaque { .. } => None,
    }
}

/// About 200 characters around the first match, with every word occurrence highlighted.
fn snippet(text: &str, words: &[String]) -> (String, Vec<(usize, usize)>) {
    const BEFORE: usize = 60;
    const LEN: usize = 200;
    let lower = text.to_lowercase();
    // Lowercasing can change byte lengths; fall back to the start when offsets disagree.
    let first = if lower.len() == text.len() {
        words
            .iter()
            .filter_map(|w| lower.find(w.as_str()))
            .min()
            .unwrap_or(0)
    } else {
        0
    };
    let start = floor_char(text, first.saturating_sub(BEFORE));
    let end = floor_char(text, (start + LEN).min(text.len()));
    let mut snip = String::new();
    if start > 0 {
        snip.push('…');
    }
    let offset = snip.len();
    snip.push_str(&text[start..end]);
    if end < text.len() {
        snip.push('…');
    }
    let mut ranges = Vec::new();
    let body = &snip[offset..offset + (end - start)];
    let body_lower = body.to_lowercase();
    if body_lower.len() == body.len() {
        for w in words {
            for (i, _) in body_lower.match_indices(w.as_str()) {
                ranges.push((offset + i, offset + i + w.len()));
            }
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.0 <= last.1 => last.1 = last.1.max(r.1),
            _ => merged.push(r),
        }
    }
    (snip, merged)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_highlights_every_word() {
        let (s, h) = snippet(
            "Fix the Migration; then migration again",
            &["migration".into()],
        );
        assert_eq!(s, "Fix the Migration; then migration again");
        assert_eq!(h, vec![(8, 17), (24, 33)]);
        let long = format!("{}needle{}", "a".repeat(300), "b".repeat(300));
        let (s, h) = snippet(&long, &["needle".into()]);
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert_eq!(&s[h[0].0..h[0].1], "needle");
    }

    #[test]
    fn project_is_last_cwd_component() {
        let mut s = Session::new(Agent::Codex, "x");
        s.cwd = Some("/home/ana/src/shop/".into());
        assert_eq!(project_of(&s).as_deref(), Some("shop"));
    }
}
