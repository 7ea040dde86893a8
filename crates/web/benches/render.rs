//! Server time and page weight of the console's pages on a big session.
//!
//! `cargo bench -p convx-web --bench render` (optionally `-- EVENTS RUNS`, default 5000 20).
//! Builds one session of EVENTS events (prompts, Markdown replies with code, reasoning,
//! tool calls with outputs of 0.2–40 KB, plan updates) plus 2,000 small sessions, then
//! requests each page in-process through the full router (security layer, store on a
//! blocking thread, templates) and prints the median, min and max time and the body size.
//! Target: the session page of a 5,000-event session in < 500 ms server time.

use axum::body::Body;
use axum::http::{Request, header};
use convx_model::{Agent, CallUsage, Event, EventKind, Session, Usage};
use convx_web::memory::MemoryData;
use convx_web::security::Access;
use convx_web::server::{self, Config};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[path = "../tests/common/big.rs"]
mod big;
use big::big_session;

fn small_sessions(count: usize) -> Vec<Session> {
    (0..count)
        .map(|i| {
            let mut s = Session::new(Agent::ALL[i % 6], format!("small-{i:05}"));
            s.cwd = Some(format!("/home/bench/src/project-{}", i % 40));
            let t: convx_model::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
            let t = t
                .checked_add(jiff::SignedDuration::from_secs(i as i64 * 3_000))
                .unwrap();
            s.push(
                Event::new(EventKind::UserPrompt {
                    text: format!("task {i}: fix the migration"),
                    attachments: vec![],
                })
                .at(Some(t)),
            );
            let mut r = Event::new(EventKind::AssistantText {
                text: "done".into(),
            })
            .at(Some(t));
            r.usage = Some(CallUsage::new(
                Some(format!("model-{}", i % 5)),
                Usage {
                    input: 10,
                    output: 20,
                    ..Usage::default()
                },
                format!("s{i}"),
            ));
            s.push(r);
            s
        })
        .collect()
}

async fn measure(
    app: &axum::Router,
    uri: &str,
    runs: usize,
) -> (Duration, Duration, Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs {
        let req = Request::builder()
            .uri(uri)
            .header(header::HOST, "127.0.0.1")
            .body(Body::empty())
            .unwrap();
        let start = Instant::now();
        let resp = app.clone().oneshot(req).await.unwrap();
        assert!(resp.status().is_success(), "{uri}: {}", resp.status());
        let body = axum::body::to_bytes(resp.into_body(), 1 << 30)
            .await
            .unwrap();
        times.push(start.elapsed());
        size = body.len();
    }
    times.sort();
    (times[runs / 2], times[0], times[runs - 1], size)
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let events: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let big = big_session(events);
    let key = big.key.clone();
    let raw: usize = serde_json::to_string(&big).unwrap().len();
    let mut sessions = small_sessions(2_000);
    sessions.push(big);
    let data = Arc::new(MemoryData::new(sessions, jiff::tz::TimeZone::UTC));
    let app = server::router(
        data,
        Config {
            tz: jiff::tz::TimeZone::UTC,
            access: Access {
                port: 7420,
                ..Access::default()
            },
        },
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "session of {events} events ({:.1} MB of normalized JSON) among 2,001 sessions; {runs} runs each",
        raw as f64 / 1e6
    );
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>11}",
        "page", "median", "min", "max", "bytes"
    );
    let encoded = key.replace(':', "%3A");
    let pages = [
        format!("/session/{encoded}"),
        format!("/api/session/{encoded}"),
        "/".to_string(),
        "/?sort=tokens".to_string(),
        "/search?q=migration".to_string(),
        "/usage".to_string(),
        "/projects".to_string(),
    ];
    rt.block_on(async {
        for uri in &pages {
            let (med, min, max, size) = measure(&app, uri, runs).await;
            println!(
                "{:<44} {:>7.1}ms {:>7.1}ms {:>7.1}ms {:>11}",
                uri,
                med.as_secs_f64() * 1e3,
                min.as_secs_f64() * 1e3,
                max.as_secs_f64() * 1e3,
                size
            );
        }
    });
}
