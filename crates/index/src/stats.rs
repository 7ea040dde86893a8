//! Token and cost statistics over the counted model calls.
//!
//! Each model call is counted once across all sessions: the index keeps, per dedup key, a
//! single `counted` row (a call copied into a fork or a sub-agent, a streamed reply split
//! over several records, a re-emitted usage record are all one call). Inherited copies are
//! never counted.

use crate::IndexError;
use crate::filter::Filter;
use crate::pricing::PriceTable;
use crate::reader::IndexReader;
use convx_model::{Timestamp, Usage};
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

/// A grouping dimension (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// Calendar day in the report's time zone.
    Day,
    /// ISO week (`2026-W05`) in the report's time zone.
    Week,
    /// Calendar month.
    Month,
    /// Session key.
    Session,
    /// Working directory.
    Project,
    /// Model name as recorded.
    Model,
    /// Agent.
    Agent,
}

impl GroupBy {
    /// The name used on the command line and in column headers.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Day => "day",
            GroupBy::Week => "week",
            GroupBy::Month => "month",
            GroupBy::Session => "session",
            GroupBy::Project => "project",
            GroupBy::Model => "model",
            GroupBy::Agent => "agent",
        }
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<GroupBy, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "day" | "daily" => GroupBy::Day,
            "week" | "weekly" => GroupBy::Week,
            "month" | "monthly" => GroupBy::Month,
            "session" => GroupBy::Session,
            "project" => GroupBy::Project,
            "model" => GroupBy::Model,
            "agent" => GroupBy::Agent,
            _ => {
                return Err(format!(
                    "unknown grouping `{s}` (use day, week, month, session, project, model or agent)"
                ));
            }
        })
    }
}

/// Row order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatsSort {
    /// By group keys (time ascending, sessions by start).
    #[default]
    Key,
    /// Most tokens first.
    Tokens,
    /// Highest cost first.
    Cost,
}

/// What to compute.
#[derive(Debug, Clone)]
pub struct StatsRequest {
    /// Which calls (roles and tools are ignored).
    pub filter: Filter,
    /// Grouping, in column order; empty gives one total row.
    pub group_by: Vec<GroupBy>,
    /// Time zone of day, week and month boundaries.
    pub timezone: TimeZone,
    /// Row order.
    pub sort: StatsSort,
}

/// Totals of one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StatsRow {
    /// One value per grouping dimension.
    pub keys: Vec<String>,
    /// Session title, when grouped by session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Distinct sessions.
    pub sessions: u64,
    /// Model calls.
    pub calls: u64,
    /// Uncached input tokens.
    pub input: u64,
    /// Tokens written to the prompt cache.
    pub cache_creation: u64,
    /// Tokens read from the prompt cache.
    pub cache_read: u64,
    /// Output tokens (reasoning included).
    pub output: u64,
    /// Reasoning tokens (part of output).
    pub reasoning: u64,
    /// input + cache_creation + cache_read + output.
    pub total: u64,
    /// Cost in USD of the priced tokens.
    pub cost_usd: f64,
    /// Tokens of models without a price (not in `cost_usd`).
    pub unpriced_tokens: u64,
    /// Cost the agent itself recorded (OpenCode), when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_cost_usd: Option<f64>,
}

impl StatsRow {
    fn add(&mut self, u: &Usage, calls: u64) {
        self.calls += calls;
        self.input += u.input;
        self.cache_creation += u.cache_creation;
        self.cache_read += u.cache_read;
        self.output += u.output;
        self.reasoning += u.reasoning;
        self.total += u.total();
    }

    /// True when every token of the row is priced.
    pub fn fully_priced(&self) -> bool {
        self.unpriced_tokens == 0
    }
}

/// A model the price table does not know, with what it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnpricedModel {
    /// The model name as recorded (`unknown` when the log does not say).
    pub model: String,
    /// Calls.
    pub calls: u64,
    /// Tokens.
    pub tokens: u64,
}

/// A statistics report.
#[derive(Debug, Clone, Serialize)]
pub struct StatsReport {
    /// The grouping dimensions, in column order.
    pub group_by: Vec<GroupBy>,
    /// The time zone of time groups.
    pub timezone: String,
    /// One row per group.
    pub rows: Vec<StatsRow>,
    /// The total over all rows.
    pub total: StatsRow,
    /// Models without a price: their tokens are not in any cost.
    pub unpriced_models: Vec<UnpricedModel>,
    /// The date of the price table.
    pub prices_date: String,
}

struct Agg {
    quarter: Option<i64>,
    agent: String,
    cwd: Option<String>,
    model: Option<String>,
    session: i64,
    calls: u64,
    usage: Usage,
    recorded: Option<f64>,
}

/// (key, title, start in ms) of a session.
type SessionInfo = (String, String, Option<i64>);

const QUARTER_MS: i64 = 15 * 60 * 1000;

impl IndexReader {
    /// Compute statistics, pricing each call with `prices`.
    pub fn stats(
        &self,
        req: &StatsRequest,
        prices: &PriceTable,
    ) -> Result<StatsReport, IndexError> {
        let err = |e| self.store.err(e);
        let mut sql = String::from(
            "SELECT CASE WHEN ts IS NULL THEN NULL ELSE ts / 900000 END, agent, project, model, session_id, count(*),
                    sum(input), sum(cache_creation), sum(cache_read), sum(output), sum(reasoning),
                    sum(recorded_cost_usd), count(recorded_cost_usd)
             FROM usage WHERE counted = 1",
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let f = &req.filter;
        if let Some(s) = f.since {
            sql.push_str(" AND ts >= ?");
            args.push(s.as_millisecond().into());
        }
        if let Some(u) = f.until {
            sql.push_str(" AND ts < ?");
            args.push(u.as_millisecond().into());
        }
        if !f.agents.is_empty() {
            sql.push_str(" AND agent IN (");
            sql.push_str(&vec!["?"; f.agents.len()].join(","));
            sql.push(')');
            args.extend(f.agents.iter().map(|a| a.slug().to_string().into()));
        }
        sql.push_str(" GROUP BY 1, 2, 3, 4, 5");
        let roots = f.project_roots(&self.store)?;
        let mut st = self.store.conn.prepare(&sql).map_err(err)?;
        let rows = st
            .query_map(rusqlite::params_from_iter(args), |r| {
                let n = |i: usize| {
                    r.get::<_, Option<i64>>(i)
                        .map(|v| v.unwrap_or(0).max(0) as u64)
                };
                let recorded_n: i64 = r.get(12)?;
                Ok(Agg {
                    quarter: r.get(0)?,
                    agent: r.get(1)?,
                    cwd: r.get(2)?,
                    model: r.get(3)?,
                    session: r.get(4)?,
                    calls: r.get::<_, i64>(5)? as u64,
                    usage: Usage {
                        input: n(6)?,
                        cache_creation: n(7)?,
                        cache_read: n(8)?,
                        output: n(9)?,
                        reasoning: n(10)?,
                    },
                    recorded: if recorded_n > 0 { r.get(11)? } else { None },
                })
            })
            .map_err(err)?;
        let mut groups: HashMap<Vec<String>, (StatsRow, HashSet<i64>)> = HashMap::new();
        let mut total = StatsRow::default();
        let mut total_sessions: HashSet<i64> = HashSet::new();
        let mut unpriced: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let mut session_ids: HashSet<i64> = HashSet::new();
        let mut day_cache: HashMap<i64, jiff::civil::Date> = HashMap::new();
        for a in rows {
            let a = a.map_err(err)?;
            if let Some(roots) = &roots
                && !roots.matches(a.cwd.as_deref())
            {
                continue;
            }
            let at = a
                .quarter
                .and_then(|q| Timestamp::from_millisecond(q * QUARTER_MS).ok());
            let model = a
                .model
                .clone()
                .unwrap_or_else(|| convx_model::UNKNOWN_MODEL.to_string());
            let (cost, unpriced_tokens) =
                match a.model.as_deref().and_then(|m| prices.price_at(m, at)) {
                    Some(p) => (p.cost(&a.usage), 0),
                    None => {
                        let t = a.usage.total();
                        if t > 0 {
                            let e = unpriced.entry(model.clone()).or_default();
                            e.0 += a.calls;
                            e.1 += t;
                        }
                        (0.0, t)
                    }
                };
            let date = at.map(|t| {
                *day_cache
                    .entry(a.quarter.unwrap_or(0))
                    .or_insert_with(|| t.to_zoned(req.timezone.clone()).date())
            });
            let keys: Vec<String> = req
                .group_by
                .iter()
                .map(|g| match g {
                    GroupBy::Day => date.map_or_else(|| "unknown".into(), |d| d.to_string()),
                    GroupBy::Week => date.map_or_else(
                        || "unknown".into(),
                        |d| {
                            let w = d.iso_week_date();
                            format!("{:04}-W{:02}", w.year(), w.week())
                        },
                    ),
                    GroupBy::Month => date.map_or_else(
                        || "unknown".into(),
                        |d| format!("{:04}-{:02}", d.year(), d.month()),
                    ),
                    GroupBy::Session => a.session.to_string(),
                    GroupBy::Project => a.cwd.clone().unwrap_or_else(|| "-".into()),
                    GroupBy::Model => model.clone(),
                    GroupBy::Agent => a.agent.clone(),
                })
                .collect();
            session_ids.insert(a.session);
            let (row, sessions) = groups.entry(keys).or_default();
            for r in [&mut *row, &mut total] {
                r.add(&a.usage, a.calls);
                r.cost_usd += cost;
                r.unpriced_tokens += unpriced_tokens;
                if let Some(c) = a.recorded {
                    *r.recorded_cost_usd.get_or_insert(0.0) += c;
                }
            }
            sessions.insert(a.session);
            total_sessions.insert(a.session);
        }
        drop(st);
        let session_pos = req.group_by.iter().position(|g| *g == GroupBy::Session);
        let sessions_info = if session_pos.is_some() {
            self.session_info(&session_ids)?
        } else {
            HashMap::new()
        };
        let mut out: Vec<StatsRow> = groups
            .into_iter()
            .map(|(keys, (mut row, sessions))| {
                row.keys = keys;
                row.sessions = sessions.len() as u64;
                if let Some(i) = session_pos
                    && let Some((key, title, _)) = row.keys[i]
                        .parse::<i64>()
                        .ok()
                        .and_then(|id| sessions_info.get(&id))
                {
                    row.keys[i] = key.clone();
                    row.title = Some(title.clone());
                }
                row
            })
            .collect();
        let started: HashMap<&str, Option<i64>> = sessions_info
            .values()
            .map(|(k, _, s)| (k.as_str(), *s))
            .collect();
        match req.sort {
            StatsSort::Key => out.sort_by(|a, b| {
                for (i, g) in req.group_by.iter().enumerate() {
                    let o = if *g == GroupBy::Session {
                        (started.get(a.keys[i].as_str()), &a.keys[i])
                            .cmp(&(started.get(b.keys[i].as_str()), &b.keys[i]))
                    } else {
                        a.keys[i].cmp(&b.keys[i])
                    };
                    if o != std::cmp::Ordering::Equal {
                        return o;
                    }
                }
                std::cmp::Ordering::Equal
            }),
            StatsSort::Tokens => {
                out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.keys.cmp(&b.keys)))
            }
            StatsSort::Cost => out.sort_by(|a, b| {
                b.cost_usd
                    .total_cmp(&a.cost_usd)
                    .then_with(|| b.total.cmp(&a.total))
                    .then_with(|| a.keys.cmp(&b.keys))
            }),
        }
        total.sessions = total_sessions.len() as u64;
        Ok(StatsReport {
            group_by: req.group_by.clone(),
            timezone: req.timezone.iana_name().unwrap_or("local").to_string(),
            rows: out,
            total,
            unpriced_models: unpriced
                .into_iter()
                .map(|(model, (calls, tokens))| UnpricedModel {
                    model,
                    calls,
                    tokens,
                })
                .collect(),
            prices_date: prices.date().to_string(),
        })
    }

    fn session_info(&self, ids: &HashSet<i64>) -> Result<HashMap<i64, SessionInfo>, IndexError> {
        let mut st = self
            .store
            .conn
            .prepare_cached("SELECT key, title, started_at FROM sessions WHERE id = ?1")
            .map_err(|e| self.store.err(e))?;
        let mut out = HashMap::with_capacity(ids.len());
        for id in ids {
            if let Ok(v) = st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))) {
                out.insert(*id, v);
            }
        }
        Ok(out)
    }
}
