//! Loading sessions: discover every agent's sources, read them in parallel, link
//! parents and children, and count each model call once across all sessions.

use convx_adapters::{Adapter, Environment, ReadOptions, Source, registry};
use convx_model::{Agent, Session, Timestamp, WarningKind};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// What to load.
#[derive(Debug, Clone)]
pub struct LoadRequest {
    /// The user's environment (home, agent env vars, OS).
    pub env: Environment,
    /// Agents to read; empty means all.
    pub agents: Vec<Agent>,
    /// Roots replacing an agent's default roots (`--input NAME=PATH`).
    pub overrides: BTreeMap<Agent, Vec<PathBuf>>,
    /// Keep only sessions active at or after this instant.
    pub since: Option<Timestamp>,
    /// Keep events (false: summaries only, bounded memory).
    pub retain_events: bool,
}

impl LoadRequest {
    /// Load every agent from `env`'s default locations, keeping events.
    pub fn new(env: Environment) -> Self {
        LoadRequest {
            env,
            agents: Vec::new(),
            overrides: BTreeMap::new(),
            since: None,
            retain_events: true,
        }
    }

    fn wants(&self, agent: Agent) -> bool {
        self.agents.is_empty() || self.agents.contains(&agent)
    }

    /// The roots read for `adapter`.
    pub fn roots_for(&self, adapter: &dyn Adapter) -> Vec<PathBuf> {
        self.overrides
            .get(&adapter.agent())
            .cloned()
            .unwrap_or_else(|| adapter.default_roots(&self.env))
    }
}

/// What happened for one agent.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AgentReport {
    /// The agent.
    pub agent: Option<Agent>,
    /// Roots looked at, and whether each exists.
    pub roots: Vec<(PathBuf, bool)>,
    /// Sources found.
    pub sources: u64,
    /// Bytes in those sources.
    pub bytes: u64,
    /// Sessions parsed.
    pub sessions: u64,
    /// Sources that could not be read at all, with the reason.
    pub source_errors: Vec<String>,
    /// Skipped or degraded records, per reason.
    pub warnings: BTreeMap<WarningKind, u64>,
    /// The first few warnings with file and line, for display.
    pub warning_samples: Vec<convx_model::Warning>,
    /// Record types the adapter does not know (a format change), with counts.
    pub unknown_types: BTreeMap<String, u64>,
    /// Known record types kept raw on purpose (metadata, turn markers), with counts.
    pub raw_types: BTreeMap<String, u64>,
    /// Format generations seen, with counts of sources.
    pub formats: BTreeMap<String, u64>,
    /// Oldest session start.
    pub oldest: Option<Timestamp>,
    /// Newest session activity.
    pub newest: Option<Timestamp>,
    /// Agent version recorded by the most recently active session.
    pub last_version: Option<String>,
    /// Facts about the installation (retention settings...).
    pub notes: Vec<convx_adapters::AgentNote>,
}

/// Everything loaded.
#[derive(Debug, Default)]
pub struct LoadResult {
    /// Sessions, sorted by start time then key.
    pub sessions: Vec<Session>,
    /// One report per agent read, in [`Agent::ALL`] order.
    pub reports: Vec<AgentReport>,
}

/// How many warnings with location each report keeps for display.
const WARNING_SAMPLES: usize = 20;

/// Discover the sources of the requested agents.
pub fn discover(req: &LoadRequest) -> (Vec<Source>, Vec<AgentReport>) {
    let mut sources = Vec::new();
    let mut reports = Vec::new();
    for adapter in registry().into_iter().filter(|a| req.wants(a.agent())) {
        let roots = req.roots_for(adapter);
        let mut report = AgentReport {
            agent: Some(adapter.agent()),
            roots: roots.iter().map(|r| (r.clone(), r.exists())).collect(),
            notes: adapter.notes(&roots),
            ..AgentReport::default()
        };
        match adapter.discover(&roots) {
            Ok(d) => {
                for w in d.warnings {
                    *report.warnings.entry(w.kind).or_default() += 1;
                    if report.warning_samples.len() < WARNING_SAMPLES {
                        report.warning_samples.push(w);
                    }
                }
                let mut found: Vec<Source> = d.sources;
                if let Some(since) = req.since {
                    // Logs are append-only: a source last modified before `since` holds no
                    // activity after it.
                    let cut = since.as_nanosecond();
                    found.retain(|s| s.fingerprint.mtime_ns == 0 || s.fingerprint.mtime_ns >= cut);
                }
                report.sources = found.len() as u64;
                report.bytes = found.iter().map(|s| s.fingerprint.size).sum();
                sources.extend(found);
            }
            Err(e) => report.source_errors.push(e.to_string()),
        }
        reports.push(report);
    }
    (sources, reports)
}

/// Discover and read everything `req` asks for.
pub fn load(req: &LoadRequest) -> LoadResult {
    let (sources, reports) = discover(req);
    load_sources(req, &sources, reports)
}

/// Read `sources` in parallel and assemble the result.
pub fn load_sources(
    req: &LoadRequest,
    sources: &[Source],
    mut reports: Vec<AgentReport>,
) -> LoadResult {
    let opts = ReadOptions {
        retain_events: req.retain_events,
    };
    // Largest sources first, one at a time per thread: a 300 MB session started last would
    // leave the other core idle at the end.
    let mut order: Vec<&Source> = sources.iter().collect();
    order.sort_by_key(|s| std::cmp::Reverse(s.fingerprint.size));
    let outputs: Vec<(Agent, Result<convx_adapters::SourceOutput, String>)> = order
        .into_par_iter()
        .with_max_len(1)
        .map(|s| {
            let adapter = convx_adapters::adapter_for(s.agent);
            (s.agent, adapter.read(s, &opts).map_err(|e| e.to_string()))
        })
        .collect();
    let mut sessions = Vec::new();
    for (agent, out) in outputs {
        let report = report_for(&mut reports, agent);
        match out {
            Ok(out) => {
                for w in out.warnings {
                    *report.warnings.entry(w.kind).or_default() += 1;
                    if report.warning_samples.len() < WARNING_SAMPLES {
                        report.warning_samples.push(w);
                    }
                }
                sessions.extend(out.sessions);
            }
            Err(e) => report.source_errors.push(e),
        }
    }
    finish(&mut sessions);
    if let Some(since) = req.since {
        sessions.retain(|s| s.ended_at.or(s.started_at).is_none_or(|t| t >= since));
    }
    for s in &sessions {
        let report = report_for(&mut reports, s.agent);
        report.sessions += 1;
        for w in &s.warnings {
            *report.warnings.entry(w.kind).or_default() += 1;
            if report.warning_samples.len() < WARNING_SAMPLES {
                report.warning_samples.push(w.clone());
            }
        }
        let known = convx_adapters::adapter_for(s.agent).known_record_types();
        for (t, n) in &s.summary.opaque_types {
            let bucket = if convx_adapters::matches_record_type(known, t) {
                &mut report.raw_types
            } else {
                &mut report.unknown_types
            };
            *bucket.entry(t.clone()).or_default() += n;
        }
        for src in &s.sources {
            if let Some(f) = &src.format {
                *report.formats.entry(f.clone()).or_default() += 1;
            }
        }
        if let Some(t) = s.started_at {
            report.oldest = Some(report.oldest.map_or(t, |o| o.min(t)));
        }
        if let Some(t) = s.ended_at.or(s.started_at) {
            if report.newest.is_none_or(|n| t >= n) && s.agent_version.is_some() {
                report.last_version = s.agent_version.clone();
            }
            report.newest = Some(report.newest.map_or(t, |n| n.max(t)));
        }
    }
    LoadResult { sessions, reports }
}

fn report_for(reports: &mut Vec<AgentReport>, agent: Agent) -> &mut AgentReport {
    if let Some(i) = reports.iter().position(|r| r.agent == Some(agent)) {
        return &mut reports[i];
    }
    reports.push(AgentReport {
        agent: Some(agent),
        ..AgentReport::default()
    });
    reports.last_mut().expect("just pushed")
}

/// Sort, link children to parents, and mark model calls already counted in an earlier
/// session as duplicates.
pub fn finish(sessions: &mut Vec<Session>) {
    sessions.sort_by(|a, b| {
        a.started_at
            .cmp(&b.started_at)
            .then_with(|| a.key.cmp(&b.key))
    });
    // A session key read twice (e.g. the same session in two stores) is kept once: the
    // one with more events wins, then the first.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut keep = vec![true; sessions.len()];
    for (i, s) in sessions.iter().enumerate() {
        if let Some(&j) = seen.get(&s.key) {
            let better = s.summary.counts.user_prompts + s.summary.counts.assistant_messages
                > sessions[j].summary.counts.user_prompts
                    + sessions[j].summary.counts.assistant_messages;
            if better {
                keep[j] = false;
                seen.insert(s.key.clone(), i);
            } else {
                keep[i] = false;
            }
        } else {
            seen.insert(s.key.clone(), i);
        }
    }
    let mut it = keep.iter();
    sessions.retain(|_| *it.next().expect("same length"));
    link_children(sessions);
    dedupe_calls(sessions);
}

fn link_children(sessions: &mut [Session]) {
    let index: HashMap<String, usize> = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key.clone(), i))
        .collect();
    let mut children: HashMap<usize, Vec<String>> = HashMap::new();
    for s in sessions.iter() {
        if let Some(&p) = s.parent.as_ref().and_then(|p| index.get(p)) {
            children.entry(p).or_default().push(s.key.clone());
        }
    }
    for (i, kids) in children {
        let s = &mut sessions[i];
        for k in kids {
            if !s.children.contains(&k) {
                s.children.push(k);
            }
        }
    }
}

fn dedupe_calls(sessions: &mut [Session]) {
    // Parents and main sessions first, so a copy in a fork or sub-agent is the duplicate.
    let mut order: Vec<usize> = (0..sessions.len()).collect();
    order.sort_by_key(|&i| (sessions[i].parent.is_some(), sessions[i].started_at, i));
    let mut seen: HashSet<String> = HashSet::new();
    for i in order {
        let s = &mut sessions[i];
        let mut dups: HashSet<String> = HashSet::new();
        for c in &mut s.summary.calls {
            if c.duplicate {
                continue;
            }
            if !seen.insert(c.dedup_key.clone()) {
                c.duplicate = true;
                dups.insert(c.dedup_key.clone());
            }
        }
        if dups.is_empty() {
            continue;
        }
        for e in &mut s.events {
            if let Some(u) = &mut e.usage
                && dups.contains(&u.dedup_key)
            {
                u.duplicate = true;
            }
        }
        s.summary.retotal();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use convx_model::{CallUsage, Event, EventKind, Usage};

    fn session(id: &str, start: &str, calls: &[&str]) -> Session {
        let mut s = Session::new(Agent::Claude, id);
        for (n, k) in calls.iter().enumerate() {
            let mut e = Event::new(EventKind::AssistantText {
                text: format!("{n}"),
            })
            .at(Some(start.parse().unwrap()));
            e.usage = Some(CallUsage::new(
                Some("m".into()),
                Usage {
                    output: 10,
                    ..Default::default()
                },
                *k,
            ));
            s.push(e);
        }
        s
    }

    #[test]
    fn a_call_copied_into_a_fork_is_counted_once() {
        let parent = session("p", "2026-01-01T00:00:00Z", &["a", "b"]);
        let mut fork = session("f", "2026-01-02T00:00:00Z", &["b", "c"]);
        fork.parent = Some(parent.key.clone());
        let mut all = vec![fork, parent];
        finish(&mut all);
        assert_eq!(all[0].key, "claude:p");
        assert_eq!(all[0].children, vec!["claude:f".to_string()]);
        assert_eq!(all[0].summary.usage.output, 20);
        assert_eq!(all[1].summary.usage.output, 10);
        assert!(all[1].events[0].usage.as_ref().unwrap().duplicate);
        let total: u64 = all.iter().map(|s| s.summary.usage.output).sum();
        assert_eq!(total, 30);
    }
}
