//! Each model call is counted once: forks, streamed replies split over several records,
//! re-emitted usage, and copies written in separate runs.

use crate::common::*;
use convx_index::pricing::PriceTable;
use convx_index::stats::{GroupBy, StatsReport, StatsRequest, StatsSort};
use convx_index::{Filter, IndexReader, Origin};
use convx_model::{Agent, Event, EventKind, Session};
use jiff::tz::TimeZone;
use std::path::Path;

fn report(dir: &Path, by: &[GroupBy]) -> StatsReport {
    let req = StatsRequest {
        filter: Filter::default(),
        group_by: by.to_vec(),
        timezone: TimeZone::UTC,
        sort: StatsSort::Key,
    };
    IndexReader::open(dir)
        .unwrap()
        .stats(&req, &PriceTable::builtin())
        .unwrap()
}

fn parent() -> Session {
    Sb::new(Agent::Claude, "p", "2026-03-01T10:00:00Z", "/r")
        .prompt("start")
        .reply(
            "a",
            Some("claude-sonnet-4-5"),
            usage(0, 0, 0, 10, 0),
            "msg_1",
        )
        .reply(
            "b",
            Some("claude-sonnet-4-5"),
            usage(0, 0, 0, 20, 0),
            "msg_2",
        )
        .build()
}

/// A fork whose first two replies are copies of the parent's (one flagged inherited, one
/// not: a copy the adapter could not recognise), then a call of its own.
fn fork() -> Session {
    let mut inherited = usage_event(
        "a",
        "2026-03-01T10:01:00Z",
        "claude-sonnet-4-5",
        usage(0, 0, 0, 10, 0),
        "msg_1",
    );
    inherited.inherited = true;
    Sb::new(Agent::Claude, "f", "2026-03-02T10:00:00Z", "/r")
        .fork_of("claude:p")
        .event(inherited)
        .event(usage_event(
            "b",
            "2026-03-01T10:02:00Z",
            "claude-sonnet-4-5",
            usage(0, 0, 0, 20, 0),
            "msg_2",
        ))
        .reply(
            "c",
            Some("claude-sonnet-4-5"),
            usage(0, 0, 0, 30, 0),
            "msg_3",
        )
        .build()
}

#[test]
fn a_fork_and_its_parent_share_calls_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[fork(), parent()]);
    let rep = report(dir.path(), &[GroupBy::Session]);
    assert_eq!((rep.total.calls, rep.total.output), (3, 60));
    let by: Vec<(&str, u64)> = rep
        .rows
        .iter()
        .map(|r| (r.keys[0].as_str(), r.output))
        .collect();
    assert_eq!(
        by,
        [("claude:p", 30), ("claude:f", 30)],
        "shared calls belong to the parent"
    );
}

#[test]
fn copies_written_in_separate_runs_are_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    // the fork first (e.g. its file changed first), the parent in a later run
    write(dir.path(), &[fork()]);
    assert_eq!(
        report(dir.path(), &[]).total.output,
        50,
        "msg_2 (not inherited) counts while the parent is absent"
    );
    write(dir.path(), &[parent()]);
    let rep = report(dir.path(), &[GroupBy::Session]);
    assert_eq!((rep.total.calls, rep.total.output), (3, 60));
    assert_eq!(rep.rows[0].keys, ["claude:p"]);
    assert_eq!(rep.rows[0].output, 30);
    // re-indexing the parent (its file grew) keeps the count
    let grown = Sb::new(Agent::Claude, "p", "2026-03-01T10:00:00Z", "/r")
        .prompt("start")
        .reply(
            "a",
            Some("claude-sonnet-4-5"),
            usage(0, 0, 0, 10, 0),
            "msg_1",
        )
        .reply(
            "b",
            Some("claude-sonnet-4-5"),
            usage(0, 0, 0, 20, 0),
            "msg_2",
        )
        .reply(
            "d",
            Some("claude-sonnet-4-5"),
            usage(0, 0, 0, 40, 0),
            "msg_4",
        )
        .build();
    write(dir.path(), &[grown]);
    let rep = report(dir.path(), &[]);
    assert_eq!((rep.total.calls, rep.total.output), (4, 100));
    // re-writing the fork changes nothing
    write(dir.path(), &[fork()]);
    assert_eq!(report(dir.path(), &[]).total.output, 100);
}

#[test]
fn a_claude_reply_split_over_four_records_is_one_call() {
    let dir = tempfile::tempdir().unwrap();
    // Claude Code writes one line per content block (thinking, text, tool_use...), each
    // repeating the message id and its usage.
    let u = usage(3, 2000, 40_000, 500, 0);
    let mut b = Sb::new(Agent::Claude, "split", "2026-03-05T10:00:00Z", "/r").prompt("go");
    for (i, text) in ["thinking", "text", "tool_use 1", "tool_use 2"]
        .iter()
        .enumerate()
    {
        b = b.event(usage_event(
            text,
            &format!("2026-03-05T10:00:0{i}Z"),
            "claude-opus-4-5",
            u,
            "msg_01ABC",
        ));
    }
    write(dir.path(), &[b.build()]);
    let rep = report(dir.path(), &[GroupBy::Model]);
    assert_eq!(rep.rows.len(), 1);
    assert_eq!(
        (
            rep.total.calls,
            rep.total.input,
            rep.total.cache_creation,
            rep.total.cache_read,
            rep.total.output
        ),
        (1, 3, 2000, 40_000, 500)
    );
}

#[test]
fn a_codex_re_emit_adds_no_call() {
    let dir = tempfile::tempdir().unwrap();
    // Codex repeats its last token_count record (same cumulative totals) after some events;
    // the adapter gives both the same fingerprint key.
    let u1 = usage(1000, 0, 200, 50, 10);
    let u2 = usage(500, 0, 1200, 80, 0);
    let s = Sb::new(Agent::Codex, "rollout", "2026-03-06T10:00:00Z", "/r")
        .prompt("go")
        .model_call("gpt-5-codex", u1, "codex:1250")
        .model_call("gpt-5-codex", u1, "codex:1250")
        .event(Event::new(EventKind::AssistantText {
            text: "done".into(),
        }))
        .model_call("gpt-5-codex", u2, "codex:3030")
        .model_call("gpt-5-codex", u2, "codex:3030")
        .build();
    write(dir.path(), &[s]);
    let rep = report(dir.path(), &[]);
    assert_eq!(
        (
            rep.total.calls,
            rep.total.input,
            rep.total.cache_read,
            rep.total.output,
            rep.total.reasoning
        ),
        (2, 1500, 1400, 130, 10)
    );
}

#[test]
fn sessions_passed_through_the_load_pipeline_agree() {
    // convx_core::load::finish flags the copy as duplicate; the index agrees with it
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec![fork(), parent()];
    convx_core::load::finish(&mut all);
    let summed: u64 = all.iter().map(|s| s.summary.usage.output).sum();
    let mut idx = open(dir.path());
    idx.write_sessions(&all, Origin::Sources, &[]).unwrap();
    drop(idx);
    assert_eq!(report(dir.path(), &[]).total.output, summed);
}
