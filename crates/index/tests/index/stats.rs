//! Statistics on fixtures, with totals computed by hand.

use crate::common::*;
use convx_index::pricing::{PriceTable, PricingConfig};
use convx_index::stats::{GroupBy, StatsReport, StatsRequest, StatsRow, StatsSort};
use convx_index::{Filter, IndexReader, ProjectFilter};
use convx_model::{Agent, Session};
use jiff::tz::TimeZone;
use std::path::Path;

fn fixtures() -> Vec<Session> {
    let mut opencode = Sb::new(Agent::OpenCode, "o1", "2026-01-12T10:00:00Z", "/p/beta")
        .reply(
            "x",
            Some("anthropic/claude-sonnet-4-5"),
            usage(1000, 0, 0, 100, 0),
            "o-1",
        )
        .build();
    opencode.events[0].usage.as_mut().unwrap().recorded_cost_usd = Some(0.0123);
    opencode.rebuild_summary();
    vec![
        Sb::new(Agent::Codex, "a", "2026-01-10T10:00:00Z", "/p/alpha")
            .reply("one", Some("gpt-5"), usage(1000, 0, 500, 200, 50), "")
            .at("2026-01-11T23:30:00Z")
            .reply("two", Some("gpt-5"), usage(2000, 0, 0, 300, 0), "")
            .build(),
        Sb::new(Agent::Claude, "b", "2026-01-11T12:00:00Z", "/p/beta")
            .reply(
                "three",
                Some("claude-sonnet-4-5-20250929"),
                usage(10, 1000, 5000, 400, 0),
                "",
            )
            .at("2026-01-12T00:30:00Z")
            .reply(
                "four",
                Some("claude-haiku-4-5"),
                usage(100, 0, 0, 50, 0),
                "",
            )
            .build(),
        Sb::new(Agent::Gemini, "c", "2026-01-12T08:00:00Z", "/p/alpha/sub")
            .reply("five", Some("my-local-model"), usage(300, 0, 0, 30, 0), "")
            .reply("six", None, usage(7, 0, 0, 3, 0), "")
            .build(),
        opencode,
    ]
}

fn stats(dir: &Path, group_by: &[GroupBy], filter: Filter, tz: TimeZone) -> StatsReport {
    let r = IndexReader::open(dir).unwrap();
    let req = StatsRequest {
        filter,
        group_by: group_by.to_vec(),
        timezone: tz,
        sort: StatsSort::Key,
    };
    r.stats(&req, &PriceTable::builtin()).unwrap()
}

fn row<'a>(rep: &'a StatsReport, keys: &[&str]) -> &'a StatsRow {
    rep.rows
        .iter()
        .find(|r| r.keys == keys)
        .unwrap_or_else(|| panic!("no row {keys:?} in {:#?}", rep.rows))
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn totals_per_agent_match_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &fixtures());
    let rep = stats(
        dir.path(),
        &[GroupBy::Agent],
        Filter::default(),
        TimeZone::UTC,
    );
    assert_eq!(
        rep.rows
            .iter()
            .map(|r| r.keys[0].as_str())
            .collect::<Vec<_>>(),
        ["claude", "codex", "gemini", "opencode"]
    );
    let codex = row(&rep, &["codex"]);
    assert_eq!(
        (
            codex.calls,
            codex.input,
            codex.cache_creation,
            codex.cache_read,
            codex.output,
            codex.reasoning,
            codex.total
        ),
        (2, 3000, 0, 500, 500, 50, 4000)
    );
    // gpt-5: input 1.25, cache read 0.125, output 10 per million
    close(
        codex.cost_usd,
        (3000.0 * 1.25 + 500.0 * 0.125 + 500.0 * 10.0) / 1e6,
    );
    let claude = row(&rep, &["claude"]);
    assert_eq!(
        (
            claude.input,
            claude.cache_creation,
            claude.cache_read,
            claude.output,
            claude.total
        ),
        (110, 1000, 5000, 450, 6560)
    );
    // sonnet 4.5: 3 / 3.75 / 0.30 / 15; haiku 4.5: 1 / 1.25 / 0.10 / 5
    close(
        claude.cost_usd,
        (10.0 * 3.0 + 1000.0 * 3.75 + 5000.0 * 0.30 + 400.0 * 15.0 + 100.0 * 1.0 + 50.0 * 5.0)
            / 1e6,
    );
    assert!(claude.fully_priced());
    let gemini = row(&rep, &["gemini"]);
    assert_eq!((gemini.total, gemini.unpriced_tokens), (340, 340));
    close(gemini.cost_usd, 0.0);
    assert!(!gemini.fully_priced());
    let oc = row(&rep, &["opencode"]);
    close(oc.cost_usd, (1000.0 * 3.0 + 100.0 * 15.0) / 1e6);
    assert_eq!(oc.recorded_cost_usd, Some(0.0123));
    assert_eq!(codex.recorded_cost_usd, None);
    // total and unpriced models
    assert_eq!(
        (rep.total.calls, rep.total.total, rep.total.sessions),
        (7, 4000 + 6560 + 340 + 1100, 4)
    );
    assert_eq!(rep.total.unpriced_tokens, 340);
    let unpriced: Vec<(&str, u64, u64)> = rep
        .unpriced_models
        .iter()
        .map(|m| (m.model.as_str(), m.calls, m.tokens))
        .collect();
    assert_eq!(unpriced, [("my-local-model", 1, 330), ("unknown", 1, 10)]);
    assert_eq!(rep.prices_date, PriceTable::builtin().date());
}

#[test]
fn totals_per_model_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &fixtures());
    let rep = stats(
        dir.path(),
        &[GroupBy::Model],
        Filter::default(),
        TimeZone::UTC,
    );
    let models: Vec<&str> = rep.rows.iter().map(|r| r.keys[0].as_str()).collect();
    assert_eq!(
        models,
        [
            "anthropic/claude-sonnet-4-5",
            "claude-haiku-4-5",
            "claude-sonnet-4-5-20250929",
            "gpt-5",
            "my-local-model",
            "unknown"
        ]
    );
    let g = row(&rep, &["gpt-5"]);
    assert_eq!((g.calls, g.total, g.sessions), (2, 4000, 1));
    let s = row(&rep, &["claude-sonnet-4-5-20250929"]);
    assert_eq!(s.total, 6410);
    close(s.cost_usd, 0.01128);
    assert_eq!(row(&rep, &["my-local-model"]).unpriced_tokens, 330);
    // a configured price makes the local model priced
    let cfg = PricingConfig::from_config_toml(
        "[pricing.models.\"my-local-model\"]\ninput = 1.0\noutput = 2.0\n",
    )
    .unwrap();
    let prices = PriceTable::builtin().with_overrides(&cfg).unwrap();
    let r = IndexReader::open(dir.path()).unwrap();
    let req = StatsRequest {
        filter: Filter::default(),
        group_by: vec![GroupBy::Model],
        timezone: TimeZone::UTC,
        sort: StatsSort::Cost,
    };
    let rep = r.stats(&req, &prices).unwrap();
    let local = row(&rep, &["my-local-model"]);
    close(local.cost_usd, (300.0 * 1.0 + 30.0 * 2.0) / 1e6);
    assert_eq!(rep.unpriced_models.len(), 1);
    assert_eq!(
        rep.rows[0].keys,
        ["claude-sonnet-4-5-20250929"],
        "sorted by cost"
    );
}

#[test]
fn days_follow_the_time_zone_and_filters_apply() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &fixtures());
    let utc = stats(
        dir.path(),
        &[GroupBy::Day],
        Filter::default(),
        TimeZone::UTC,
    );
    let days: Vec<(&str, u64)> = utc
        .rows
        .iter()
        .map(|r| (r.keys[0].as_str(), r.calls))
        .collect();
    assert_eq!(
        days,
        [("2026-01-10", 1), ("2026-01-11", 2), ("2026-01-12", 4)]
    );
    // New York is UTC-5 in January: 2026-01-12T00:30Z is still the 11th, 2026-01-10T10:00Z the 10th
    let ny = stats(
        dir.path(),
        &[GroupBy::Day],
        Filter::default(),
        TimeZone::get("America/New_York").unwrap(),
    );
    let days: Vec<(&str, u64)> = ny
        .rows
        .iter()
        .map(|r| (r.keys[0].as_str(), r.calls))
        .collect();
    assert_eq!(
        days,
        [("2026-01-10", 1), ("2026-01-11", 3), ("2026-01-12", 3)]
    );
    let week = stats(
        dir.path(),
        &[GroupBy::Week, GroupBy::Agent],
        Filter::default(),
        TimeZone::UTC,
    );
    assert_eq!(row(&week, &["2026-W02", "codex"]).calls, 2);
    assert_eq!(row(&week, &["2026-W03", "gemini"]).calls, 2);
    let month = stats(
        dir.path(),
        &[GroupBy::Month],
        Filter::default(),
        TimeZone::UTC,
    );
    assert_eq!(month.rows.len(), 1);
    assert_eq!(month.rows[0].keys, ["2026-01"]);
    // filters
    let f = Filter {
        since: Some(ts("2026-01-11T00:00:00Z")),
        until: Some(ts("2026-01-12T00:00:00Z")),
        ..Filter::default()
    };
    let rep = stats(dir.path(), &[], f, TimeZone::UTC);
    assert_eq!((rep.total.calls, rep.total.total), (2, 2300 + 6410));
    let f = Filter {
        project: Some(ProjectFilter::Name("alpha".into())),
        ..Filter::default()
    };
    let rep = stats(dir.path(), &[GroupBy::Project], f, TimeZone::UTC);
    let projects: Vec<&str> = rep.rows.iter().map(|r| r.keys[0].as_str()).collect();
    assert_eq!(projects, ["/p/alpha", "/p/alpha/sub"]);
    let f = Filter {
        agents: vec![Agent::Claude, Agent::OpenCode],
        ..Filter::default()
    };
    assert_eq!(
        stats(dir.path(), &[], f, TimeZone::UTC).total.total,
        6560 + 1100
    );
    let by_session = stats(
        dir.path(),
        &[GroupBy::Session],
        Filter::default(),
        TimeZone::UTC,
    );
    let sessions: Vec<&str> = by_session.rows.iter().map(|r| r.keys[0].as_str()).collect();
    assert_eq!(
        sessions,
        ["codex:a", "claude:b", "gemini:c", "opencode:o1"],
        "sessions in start order"
    );
    assert_eq!(by_session.rows[0].title.as_deref(), Some("a"));
}

#[test]
fn price_history_applies_by_call_date() {
    let dir = tempfile::tempdir().unwrap();
    let s = Sb::new(Agent::Codex, "o3", "2025-05-01T10:00:00Z", "/p")
        .reply(
            "old price",
            Some("o3-2025-04-16"),
            usage(0, 0, 0, 1_000_000, 0),
            "",
        )
        .at("2025-07-01T10:00:00Z")
        .reply("new price", Some("o3"), usage(0, 0, 0, 1_000_000, 0), "")
        .build();
    write(dir.path(), &[s]);
    let rep = stats(
        dir.path(),
        &[GroupBy::Month],
        Filter::default(),
        TimeZone::UTC,
    );
    close(row(&rep, &["2025-05"]).cost_usd, 40.0);
    close(row(&rep, &["2025-07"]).cost_usd, 8.0);
}
