//! `IndexData` over a real index built from model sessions: every `ConsoleData` method
//! answers per the contract, with the numbers of the index's own stats and search.

use convx_index::pricing::PriceTable;
use convx_index::stats::{GroupBy, StatsRequest, StatsSort};
use convx_index::{Filter, Index, IndexConfig, IndexReader, Origin};
use convx_model::{Agent, CallUsage, Event, EventKind, Session, SourceFile, Timestamp, Usage};
use convx_web::data::*;
use convx_web::index_data::IndexData;
use jiff::tz::TimeZone;
use serde_json::json;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn tokens(input: u64, output: u64) -> Usage {
    Usage {
        input,
        output,
        ..Usage::default()
    }
}

fn session(agent: Agent, id: &str, start: &str, cwd: &str, events: Vec<Event>) -> Session {
    let mut s = Session::new(agent, id);
    s.cwd = Some(cwd.into());
    s.sources.push(SourceFile {
        path: format!("/logs/{id}.jsonl"),
        fingerprint: Default::default(),
        format: None,
    });
    let mut t = ts(start);
    for e in events {
        s.push(e.at(Some(t)));
        t = t.checked_add(jiff::SignedDuration::from_secs(60)).unwrap();
    }
    s
}

fn prompt(text: &str) -> Event {
    Event::new(EventKind::UserPrompt {
        text: text.into(),
        attachments: vec![],
    })
}

fn reply(text: &str, model: &str, u: Usage, key: &str) -> Event {
    let mut e = Event::new(EventKind::AssistantText { text: text.into() });
    e.usage = Some(CallUsage::new(Some(model.into()), u, key));
    e
}

fn tool(id: &str, name: &str, output: &str, is_error: bool) -> [Event; 2] {
    [
        Event::new(EventKind::ToolCall {
            call_id: id.into(),
            name: name.into(),
            input: json!({"command": "cargo test"}),
            subagent: None,
        }),
        Event::new(EventKind::ToolResult {
            call_id: id.into(),
            output: output.into(),
            is_error,
        }),
    ]
}

fn sessions() -> Vec<Session> {
    let [c1, r1] = tool("c1", "Bash", "error: zanzibar failed", true);
    let mut v = vec![
        session(
            Agent::Claude,
            "a1",
            "2026-03-01T10:00:00Z",
            "/home/ana/shop",
            vec![
                prompt("fix the checkout flow"),
                c1,
                r1,
                reply(
                    "done",
                    "claude-sonnet-4-5",
                    tokens(1000, 200),
                    "claude:a1:1",
                ),
            ],
        ),
        session(
            Agent::Codex,
            "b2",
            "2026-03-05T09:00:00Z",
            "/home/ana/blog",
            vec![
                prompt("write a post about quokkas"),
                reply("a draft", "gpt-5", tokens(500, 50), "codex:b2:1"),
                reply("second", "mystery-model-x", tokens(70, 30), "codex:b2:2"),
            ],
        ),
        session(
            Agent::Claude,
            "c3",
            "2026-03-07T12:00:00Z",
            "/home/ana/shop",
            vec![prompt("hello again")],
        ),
    ];
    convx_core::load::finish(&mut v);
    v
}

struct Fixture {
    _dir: tempfile::TempDir,
    data: IndexData,
    reader: IndexReader,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let config = IndexConfig {
        writer_threads: 1,
        writer_memory: 16 * 1024 * 1024,
        ..IndexConfig::default()
    };
    Index::open(dir.path(), config)
        .unwrap()
        .write_sessions(&sessions(), Origin::Sources, &[])
        .unwrap();
    let data = IndexData::new(
        IndexReader::open(dir.path()).unwrap(),
        PriceTable::builtin(),
        TimeZone::UTC,
    );
    let reader = IndexReader::open(dir.path()).unwrap();
    Fixture {
        _dir: dir,
        data,
        reader,
    }
}

#[test]
fn sessions_filter_sort_and_page() {
    let f = fixture();
    let all = f
        .data
        .sessions(&SessionFilter {
            limit: 10,
            descending: true,
            ..SessionFilter::default()
        })
        .unwrap();
    assert_eq!(all.total, 3);
    let keys: Vec<&str> = all.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["claude:c3", "codex:b2", "claude:a1"]);
    let a1 = &all.rows[2];
    assert_eq!(a1.project.as_deref(), Some("shop"));
    assert_eq!((a1.prompts, a1.tool_calls, a1.tool_errors), (1, 1, 1));
    assert_eq!(a1.usage.total(), 1200);
    assert!(a1.cost_usd > 0.0 && a1.unpriced_tokens == 0);
    let b2 = &all.rows[1];
    assert_eq!(b2.unpriced_tokens, 100);
    assert_eq!(b2.models, ["gpt-5", "mystery-model-x"]);

    let page = f
        .data
        .sessions(&SessionFilter {
            project: Some("shop".into()),
            sort: SortKey::Tokens,
            descending: true,
            offset: 1,
            limit: 1,
            ..SessionFilter::default()
        })
        .unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].key, "claude:c3");

    let errors = f
        .data
        .sessions(&SessionFilter {
            has_errors: Some(true),
            limit: 10,
            ..SessionFilter::default()
        })
        .unwrap();
    assert_eq!(errors.total, 1);
    let model = f
        .data
        .sessions(&SessionFilter {
            model: Some("gpt-5".into()),
            agent: Some(Agent::Codex),
            since: Some(ts("2026-03-05T09:01:00Z")),
            until: Some(ts("2026-03-06T00:00:00Z")),
            limit: 10,
            ..SessionFilter::default()
        })
        .unwrap();
    assert_eq!(model.total, 1);
    assert_eq!(model.rows[0].key, "codex:b2");
}

#[test]
fn session_detail_has_the_full_ordered_events() {
    let f = fixture();
    let want = sessions().into_iter().next().unwrap();
    let d = f.data.session("claude:a1").unwrap().unwrap();
    assert_eq!(d.session.events, want.events);
    assert_eq!(d.session.key, want.key);
    assert_eq!(d.row.key, "claude:a1");
    assert!(f.data.session("claude:nope").unwrap().is_none());
}

#[test]
fn search_hit_links_to_its_event() {
    let f = fixture();
    let hits = f
        .data
        .search(&SearchQuery {
            text: "zanzibar".into(),
            limit: 10,
            ..SearchQuery::default()
        })
        .unwrap();
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(h.key, "claude:a1");
    assert_eq!(h.role, "tool_result");
    assert_eq!(h.tool.as_deref(), Some("Bash"));
    let d = f.data.session(&h.key).unwrap().unwrap();
    match &d.session.events[h.event].kind {
        EventKind::ToolResult { output, .. } => assert!(output.contains("zanzibar")),
        k => panic!("hit points at {k:?}"),
    }
    let (a, b) = h.highlights[0];
    assert_eq!(h.snippet[a..b].to_lowercase(), "zanzibar");

    let prompts = f
        .data
        .search(&SearchQuery {
            text: "quokkas".into(),
            role: Some("user_prompt".into()),
            agent: Some(Agent::Codex),
            limit: 10,
            ..SearchQuery::default()
        })
        .unwrap();
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].event, 0);
    assert_eq!(prompts[0].role, "user_prompt");
    // odd input is fine
    for text in ["\"unbalanced", "(*", "日本語"] {
        f.data
            .search(&SearchQuery {
                text: text.into(),
                limit: 5,
                ..SearchQuery::default()
            })
            .unwrap();
    }
    assert!(matches!(
        f.data.search(&SearchQuery {
            text: "x".into(),
            role: Some("nonsense".into()),
            limit: 5,
            ..SearchQuery::default()
        }),
        Err(DataError::InvalidQuery(_))
    ));
}

#[test]
fn usage_equals_convx_stats() {
    let f = fixture();
    let stats = f
        .reader
        .stats(
            &StatsRequest {
                filter: Filter::default(),
                group_by: vec![GroupBy::Model],
                timezone: TimeZone::UTC,
                sort: StatsSort::Key,
            },
            &PriceTable::builtin(),
        )
        .unwrap();
    let r = f
        .data
        .usage(&UsageQuery {
            by: vec![UsageDim::Model],
            ..UsageQuery::default()
        })
        .unwrap();
    assert_eq!(r.totals.usage.total(), stats.total.total);
    assert_eq!(r.totals.calls, stats.total.calls);
    assert_eq!(r.totals.calls, 3);
    assert!((r.totals.cost_usd - stats.total.cost_usd).abs() < 1e-12);
    assert_eq!(r.totals.unpriced_tokens, stats.total.unpriced_tokens);
    assert_eq!(r.unpriced_models, ["mystery-model-x"]);
    let models: Vec<&str> = r.rows.iter().map(|r| r.key[0].as_str()).collect();
    assert_eq!(models, ["claude-sonnet-4-5", "gpt-5", "mystery-model-x"]);
    assert_eq!(r.prices_as_of.as_deref(), Some(stats.prices_date.as_str()));
    let sum: f64 = r.rows.iter().map(|r| r.cost_usd).sum();
    assert!((sum - r.totals.cost_usd).abs() < 1e-9);

    let by = f
        .data
        .usage(&UsageQuery {
            by: vec![UsageDim::Project, UsageDim::Day],
            project: Some("shop".into()),
            ..UsageQuery::default()
        })
        .unwrap();
    assert_eq!(by.rows.len(), 1);
    assert_eq!(by.rows[0].key, ["shop", "2026-03-01"]);
    assert_eq!(by.totals.usage.total(), 1200);
}

#[test]
fn projects_and_facets() {
    let f = fixture();
    let p = f.data.projects().unwrap();
    let names: Vec<&str> = p.iter().map(|p| p.project.as_str()).collect();
    assert_eq!(names, ["shop", "blog"]);
    assert_eq!(p[0].sessions, 2);
    assert_eq!(p[0].activity.len(), 2);
    assert_eq!(p[0].agents[0].agent, Agent::Claude);
    assert_eq!(p[0].usage.total(), 1200);
    let facets = f.data.facets().unwrap();
    let mut agents = vec![Agent::Claude, Agent::Codex];
    agents.sort();
    assert_eq!(facets.agents, agents);
    assert_eq!(facets.projects, ["blog", "shop"]);
    assert_eq!(
        facets.models,
        ["claude-sonnet-4-5", "gpt-5", "mystery-model-x"]
    );
}
