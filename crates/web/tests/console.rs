//! The console in-process: status codes, escaping of hostile session content, security
//! headers, Host and token checks, read-only routes, JSON shapes, static export, and
//! snapshots of each page.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use convx_web::security::{Access, CSP};
use serde_json::Value;
use tower::ServiceExt;

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn send(app: Router, req: Request<Body>) -> Resp {
    let resp = app.oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 64 << 20)
        .await
        .expect("body");
    Resp {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("utf-8"),
    }
}

fn req(method: Method, uri: &str, host: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(h) = host {
        b = b.header(header::HOST, h);
    }
    b.body(Body::empty()).expect("request")
}

async fn get(uri: &str) -> Resp {
    send(common::app(), req(Method::GET, uri, Some("127.0.0.1:7420"))).await
}

/// Every `<script` tag in an HTML page (there must only be the console's own file).
fn script_tags(html: &str) -> Vec<&str> {
    html.match_indices("<script")
        .map(|(i, _)| &html[i..(i + 60).min(html.len())])
        .collect()
}

fn assert_no_live_payload(what: &str, html: &str) {
    for tag in script_tags(html) {
        assert!(
            tag.starts_with("<script src=\"/static/app.js\" defer>"),
            "unexpected script in {what}: {tag}"
        );
    }
    assert!(!html.contains("<img"), "an <img> tag got through");
    assert!(
        !html.contains("=\"javascript:"),
        "a javascript: URL got through"
    );
    // No tag carries an event handler attribute (`on...=`).
    for (i, _) in html.match_indices('<') {
        let tag = &html[i..html[i..].find('>').map_or(html.len(), |e| i + e)];
        let lower = tag.to_ascii_lowercase();
        assert!(
            !lower
                .split_whitespace()
                .skip(1)
                .any(|a| a.starts_with("on") && a.contains('=')),
            "event handler in {tag}"
        );
    }
}

#[tokio::test]
async fn pages_answer_200_and_unknown_things_404() {
    for uri in [
        "/",
        "/?agent=claude",
        "/?errors=yes&sort=tokens&order=asc",
        "/session/codex:0199a-shop",
        "/session/codex%3A0199a-shop",
        "/session/codex:0199a-shop/event/5",
        "/search",
        "/search?q=migration",
        "/usage",
        "/usage?since=2026-03-03&until=2026-03-03",
        "/projects",
        "/api/",
        "/static/app.css",
        "/static/app.js",
        "/static/icon.svg",
    ] {
        let r = get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    }
    assert_eq!(get("/favicon.ico").await.status, StatusCode::NO_CONTENT);
    for uri in [
        "/nope",
        "/session/codex:missing",
        "/session/codex:0199a-shop/event/999",
    ] {
        let r = get(uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(r.body.contains("<h1>Not Found</h1>"), "{uri}: {}", r.body);
    }
    for uri in [
        "/?agent=nope",
        "/?since=yesterday",
        "/?page=0",
        "/session/codex:0199a-shop/event/x",
        "/usage?until=13-13",
    ] {
        let r = get(uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
    }
}

#[tokio::test]
async fn session_list_filters_and_sorts() {
    let all = get("/").await.body;
    for title in [
        "Fix the checkout",
        "Speed up the orders endpoint",
        "Find slow SQL",
        "Summarize the release notes",
        "Rename cart to basket",
    ] {
        assert!(all.contains(title), "{title} missing");
    }
    let claude = get("/?agent=claude").await.body;
    assert!(claude.contains("Speed up the orders endpoint") && !claude.contains("Rename cart"));
    let errors = get("/?errors=yes").await.body;
    assert!(errors.contains("Fix the checkout") && !errors.contains("Speed up"));
    let shop = get("/?project=shop").await.body;
    assert!(
        shop.contains("Fix the checkout")
            && shop.contains("Rename cart")
            && !shop.contains("Speed up")
    );
    assert!(shop.contains("2 sessions"));
    let model = get("/?model=gemini-2.5-pro").await.body;
    assert!(model.contains("Summarize") && !model.contains("Fix the checkout"));
    let day = get("/?since=2026-03-03&until=2026-03-03").await.body;
    assert!(
        day.contains("Speed up")
            && !day.contains("Fix the checkout")
            && !day.contains("Rename cart")
    );
    // Sorted by tokens ascending: the Gemini session (1.2k) comes before the Codex one.
    let asc = get("/?sort=tokens&order=asc").await.body;
    assert!(asc.find("Summarize").unwrap() < asc.find("Fix the checkout").unwrap());
    assert!(asc.contains("Tokens ▲"));
    // Paging.
    let api = get("/api/sessions?limit=2&page=2").await.json();
    assert_eq!(api["total"], 5);
    assert_eq!(api["rows"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn hostile_content_is_text_never_markup() {
    for uri in [
        "/",
        "/session/codex:0199a-shop",
        "/session/codex:0199a-shop/event/5",
        "/search?q=checkout",
        "/search?q=tests+passed",
        "/usage",
        "/projects",
    ] {
        let r = get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert_no_live_payload(uri, &r.body);
    }
    let page = get("/session/codex:0199a-shop").await.body;
    // The payloads are visible as text.
    assert!(
        page.contains("&lt;script&gt;document.title="),
        "prompt script not shown as text"
    );
    assert!(
        page.contains("&lt;img src=x onerror="),
        "prompt img not shown as text"
    );
    assert!(
        page.contains("&lt;script&gt;document.title=&#x27;PWNED&#x27;;window.__pwned=4"),
        "tool output script not shown as text"
    );
    // The Markdown still renders, the plan is a checklist, the error is highlighted.
    assert!(page.contains("<strong>double charge</strong>"));
    assert!(page.contains("class=\"st-completed\""));
    assert!(page.contains("Fix &lt;b&gt;total&lt;/b&gt; computation"));
    assert!(page.contains("ev-tool error"));
    assert!(
        page.contains("<details class=\"tool\">"),
        "tool calls are collapsed"
    );
    assert!(
        page.contains("<details class=\"reasoning\">"),
        "reasoning is collapsed"
    );
    let event = get("/session/codex:0199a-shop/event/5").await.body;
    assert!(event.contains("All 12 tests passed"));
}

#[tokio::test]
async fn session_page_links_children_anchors_and_archive() {
    let page = get("/session/claude:7c1e-api").await.body;
    assert!(
        page.contains("href=\"/session/claude%3A7c1e-api-agent\""),
        "sub-agent link"
    );
    assert!(page.contains("sub-agent session"));
    let child = get("/session/claude:7c1e-api-agent").await.body;
    assert!(child.contains(
        "Parent session: <a href=\"/session/claude%3A7c1e-api\">Speed up the orders endpoint</a>"
    ));
    let codex = get("/session/codex:0199a-shop").await.body;
    assert!(codex.contains("Archived at <code>history/ana/codex/host/src/shop/2026-03-02-0900-fix-the-checkout.md</code>"));
    // Every search hit points at an anchor that exists on its session page.
    let hits = get("/api/search?q=migration").await.json();
    let hits = hits.as_array().unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        let key = h["key"].as_str().unwrap();
        let idx = h["event"].as_u64().unwrap();
        let page = get(&format!("/session/{key}")).await.body;
        assert!(
            page.contains(&format!("id=\"e{idx}\"")),
            "no anchor e{idx} in {key}"
        );
    }
    let search = get("/search?q=migration").await.body;
    assert!(search.contains("<mark>migration</mark>"));
    assert!(search.contains("href=\"/session/codex%3A0199a-shop#e"));
}

#[tokio::test]
async fn security_headers_on_every_response() {
    for uri in [
        "/",
        "/session/codex:0199a-shop",
        "/api/sessions",
        "/static/app.js",
        "/nope",
        "/?agent=nope",
    ] {
        let r = get(uri).await;
        assert_eq!(r.header("content-security-policy"), CSP, "{uri}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(r.header("referrer-policy"), "no-referrer", "{uri}");
        assert_eq!(r.header("x-frame-options"), "DENY", "{uri}");
    }
    assert!(CSP.contains("script-src 'self'") && !CSP.contains("unsafe-inline"));
    assert_eq!(
        get("/static/app.js").await.header("content-type"),
        "text/javascript; charset=utf-8"
    );
}

#[tokio::test]
async fn host_header_is_checked() {
    let with = |h: Option<&'static str>| async move {
        send(common::app(), req(Method::GET, "/", h)).await.status
    };
    for ok in [
        "127.0.0.1:7420",
        "localhost:7420",
        "LOCALHOST",
        "[::1]:7420",
        "127.0.0.2",
        "convx.localhost:7420",
    ] {
        assert_eq!(with(Some(ok)).await, StatusCode::OK, "{ok}");
    }
    for bad in [
        "evil.example:7420",
        "192.168.1.5:7420",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
    ] {
        assert_eq!(
            with(Some(bad)).await,
            StatusCode::MISDIRECTED_REQUEST,
            "{bad}"
        );
    }
    assert_eq!(with(None).await, StatusCode::MISDIRECTED_REQUEST);
    let r = send(
        common::app(),
        req(Method::GET, "/api/sessions", Some("evil.example")),
    )
    .await;
    assert!(!r.body.contains("codex"), "no data behind a bad Host");
}

#[tokio::test]
async fn token_is_required_when_configured() {
    const T: &str = "s3cret-token-0123456789";
    let app = || {
        common::app_with(Access {
            token: Some(T.into()),
            extra_hosts: vec!["box.lan".into()],
            port: 7420,
        })
    };
    let plain = send(
        app(),
        req(Method::GET, "/api/sessions", Some("192.168.1.5:7420")),
    )
    .await;
    assert_eq!(plain.status, StatusCode::UNAUTHORIZED);
    assert!(!plain.body.contains("codex"));
    let wrong = Request::builder()
        .uri("/")
        .header(header::HOST, "box.lan:7420")
        .header(header::AUTHORIZATION, "Bearer nope")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(app(), wrong).await.status, StatusCode::UNAUTHORIZED);
    let bearer = Request::builder()
        .uri("/api/sessions")
        .header(header::HOST, "box.lan:7420")
        .header(header::AUTHORIZATION, format!("Bearer {T}"))
        .body(Body::empty())
        .unwrap();
    let r = send(app(), bearer).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["total"], 5);
    // ?token= sets the cookie and redirects to the same URL without the token.
    let r = send(
        app(),
        req(
            Method::GET,
            &format!("/?agent=codex&token={T}"),
            Some("127.0.0.1:7420"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/?agent=codex");
    let cookie = r.header("set-cookie").to_string();
    assert!(
        cookie.starts_with(&format!("convx_token_7420={T};"))
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
    );
    let with_cookie = Request::builder()
        .uri("/")
        .header(header::HOST, "127.0.0.1:7420")
        .header(header::COOKIE, format!("other=1; convx_token_7420={T}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(app(), with_cookie).await.status, StatusCode::OK);
    // A domain name that is not configured is still refused, token or not.
    let rebind = Request::builder()
        .uri("/")
        .header(header::HOST, "evil.example")
        .header(header::AUTHORIZATION, format!("Bearer {T}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send(app(), rebind).await.status,
        StatusCode::MISDIRECTED_REQUEST
    );
}

#[tokio::test]
async fn only_get_and_head() {
    for m in [
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
    ] {
        for uri in ["/", "/api/sessions", "/nope"] {
            let r = send(common::app(), req(m.clone(), uri, Some("localhost"))).await;
            assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{m} {uri}");
            assert_eq!(r.header("allow"), "GET, HEAD");
        }
    }
    let head = send(common::app(), req(Method::HEAD, "/", Some("localhost"))).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
}

#[tokio::test]
async fn api_json_shapes() {
    let s = get("/api/sessions?agent=codex").await.json();
    assert_eq!(s["total"], 1);
    let row = &s["rows"][0];
    for field in [
        "key",
        "agent",
        "kind",
        "title",
        "project",
        "cwd",
        "started_at",
        "ended_at",
        "prompts",
        "tool_calls",
        "tool_errors",
        "usage",
        "cost_usd",
        "unpriced_tokens",
        "models",
    ] {
        assert!(row.get(field).is_some(), "row lacks {field}");
    }
    assert_eq!(row["key"], "codex:0199a-shop");
    assert_eq!(row["tool_errors"], 1);
    assert_eq!(row["usage"]["output"], 2_900);

    let d = get("/api/session/codex:0199a-shop").await.json();
    assert_eq!(d["session"]["key"], "codex:0199a-shop");
    assert_eq!(d["session"]["events"].as_array().unwrap().len(), 11);
    assert_eq!(d["row"]["project"], "shop");
    assert!(d["archive_link"].as_str().unwrap().ends_with(".md"));
    let missing = get("/api/session/nope:x").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.json()["error"].as_str().unwrap().contains("nope:x"));

    let hits = get("/api/search?q=index&agent=claude").await.json();
    let h = &hits[0];
    for field in [
        "key",
        "agent",
        "title",
        "event",
        "timestamp",
        "role",
        "snippet",
        "highlights",
        "score",
    ] {
        assert!(h.get(field).is_some(), "hit lacks {field}");
    }
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .all(|h| h["agent"] == "claude")
    );
    let no_q = get("/api/search").await;
    assert_eq!(no_q.status, StatusCode::BAD_REQUEST);
    assert!(no_q.json()["error"].is_string());

    let stats = get("/api/stats?by=agent").await.json();
    assert_eq!(stats["by"], serde_json::json!(["agent"]));
    let total: u64 = stats["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["usage"]["output"].as_u64().unwrap())
        .sum();
    assert_eq!(total, stats["totals"]["usage"]["output"].as_u64().unwrap());
    // Output tokens by hand: codex 800+1200+900, claude 150+400, sub-agent 200, gemini 300, opencode 600.
    assert_eq!(total, 4_550);
    assert!(
        stats["unpriced_models"]
            .as_array()
            .unwrap()
            .contains(&Value::from("gpt-5-codex"))
    );
    let bad = get("/api/stats?by=year").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].as_str().unwrap().contains("year"));

    let projects = get("/api/projects").await.json();
    let names: Vec<&str> = projects
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["shop", "api"]);
    assert_eq!(projects[0]["sessions"], 2);
    let facets = get("/api/facets").await.json();
    assert_eq!(
        facets["agents"],
        serde_json::json!(["codex", "claude", "gemini", "opencode"])
    );
}

#[tokio::test]
async fn usage_page_has_charts_and_exact_numbers() {
    let page = get("/usage").await.body;
    assert_eq!(
        page.matches("<svg class=\"chart\"").count(),
        5,
        "tokens, cost, model, project, agent"
    );
    assert!(
        page.contains("No price known for"),
        "unpriced models are called out"
    );
    // Exact totals in the per-agent table: codex output 2,900.
    assert!(page.contains("<td class=\"num\">2,900</td>"));
    assert!(
        page.contains("$0.04+"),
        "recorded OpenCode cost shown, marked incomplete"
    );
    // A day range limits the numbers.
    let one_day = get("/api/stats?since=2026-03-04&until=2026-03-04")
        .await
        .json();
    assert_eq!(one_day["totals"]["usage"]["output"], 900);
}

#[tokio::test]
async fn export_is_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let summary =
        convx_web::export::export_sessions(common::sessions(), dir.path(), jiff::tz::TimeZone::UTC)
            .unwrap();
    assert_eq!(summary.files.len(), 5);
    let index = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(index.contains("href=\"codex-0199a-shop.html\""));
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "claude-7c1e-api-agent.html",
            "claude-7c1e-api.html",
            "codex-0199a-shop.html",
            "gemini-g-notes.html",
            "index.html",
            "opencode-oc-shop.html"
        ]
    );
    let hash = convx_web::assets::css_hash_source();
    for name in &names {
        let html = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(!html.contains("<script"), "{name} has a script");
        assert!(
            !html.contains("<img") && !html.contains("javascript:"),
            "{name}"
        );
        assert!(
            !html.contains("src=\"")
                && !html.contains("href=\"/")
                && !html.contains("http://")
                && !html.contains("https://"),
            "{name} makes an external or absolute reference"
        );
        assert!(
            html.contains(&format!("style-src {hash}")),
            "{name} lacks its CSP"
        );
        assert!(html.contains("<style>"), "{name} has no inline CSS");
    }
    let parent = std::fs::read_to_string(dir.path().join("claude-7c1e-api.html")).unwrap();
    assert!(
        parent.contains("href=\"claude-7c1e-api-agent.html\""),
        "relative link to the sub-agent"
    );
    let codex = std::fs::read_to_string(dir.path().join("codex-0199a-shop.html")).unwrap();
    assert!(codex.contains("&lt;script&gt;document.title="));
    // Exporting again writes the same bytes.
    let before = std::fs::metadata(dir.path().join("codex-0199a-shop.html"))
        .unwrap()
        .modified()
        .unwrap();
    convx_web::export::export_sessions(common::sessions(), dir.path(), jiff::tz::TimeZone::UTC)
        .unwrap();
    let after = std::fs::metadata(dir.path().join("codex-0199a-shop.html"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "unchanged files are not rewritten");
}

#[tokio::test]
async fn page_snapshots() {
    let v = |html: String| {
        html.replace(
            concat!("convx ", env!("CARGO_PKG_VERSION")),
            "convx [version]",
        )
    };
    insta::assert_snapshot!("sessions_page", v(get("/").await.body));
    insta::assert_snapshot!(
        "session_page",
        v(get("/session/codex:0199a-shop").await.body)
    );
    insta::assert_snapshot!(
        "subagent_parent_page",
        v(get("/session/claude:7c1e-api").await.body)
    );
    insta::assert_snapshot!("search_page", v(get("/search?q=migration").await.body));
    insta::assert_snapshot!("usage_page", v(get("/usage").await.body));
    insta::assert_snapshot!("projects_page", v(get("/projects").await.body));
    let data = common::data();
    let rows = convx_web::ConsoleData::sessions(
        &data,
        &convx_web::data::SessionFilter {
            limit: 100,
            ..Default::default()
        },
    )
    .unwrap()
    .rows;
    let exporter = convx_web::export::Exporter::new(rows, jiff::tz::TimeZone::UTC)
        .with_exported_at("2026-03-05 10:00 UTC");
    insta::assert_snapshot!("export_index", v(exporter.render_index().unwrap()));
    let detail = convx_web::ConsoleData::session(&data, "claude:7c1e-api")
        .unwrap()
        .unwrap();
    insta::assert_snapshot!(
        "export_session",
        v(exporter.render_session(&detail).unwrap())
    );
}
