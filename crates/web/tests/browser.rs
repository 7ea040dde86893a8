//! End to end in a real headless Chromium, driven over the Chrome DevTools Protocol: load
//! the sessions page, apply a filter, open a session, expand a tool call, run a search,
//! follow a hit, and check that the `<script>`/`onerror` payloads in the fixtures never
//! ran and that the browser reported no error (a CSP violation would be one).
//! Screenshots of every page go to `target/screenshots/` (`$CARGO_TARGET_DIR` honoured);
//! with `CONVX_DOCS_SCREENSHOTS=1` they also replace the README's `docs/screenshots/`.
//!
//! Needs the Debian package `chromium` (or `$CHROMIUM`). Without it the test fails when
//! `CI` is set and is skipped with a note otherwise.

mod common;

use convx_web::memory::MemoryData;
use convx_web::security::Access;
use convx_web::server::{self, Config};
use serde_json::{Value, json};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// The console on 127.0.0.1:0 in a background thread; stops when dropped.
struct Server {
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(data: MemoryData) -> Server {
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let port = listener.local_addr().unwrap().port();
                let app = server::router(
                    Arc::new(data),
                    Config {
                        tz: jiff::tz::TimeZone::UTC,
                        access: Access {
                            port,
                            ..Access::default()
                        },
                    },
                );
                port_tx.send(port).unwrap();
                server::serve(listener, app, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
            });
        });
        let port = port_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server started");
        Server {
            port,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A headless Chromium killed when dropped.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    port: u16,
    ws_path: String,
}

impl Browser {
    fn launch(bin: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--window-size=1280,860",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        // Chromium writes its DevTools port and browser endpoint to this file.
        let file = profile.path().join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(60);
        let (port, ws_path) = loop {
            if let Ok(text) = std::fs::read_to_string(&file) {
                let mut lines = text.lines();
                if let (Some(p), Some(w)) = (lines.next(), lines.next()) {
                    break (p.trim().parse().expect("port"), w.trim().to_string());
                }
            }
            assert!(
                Instant::now() < deadline,
                "Chromium did not open its DevTools port within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        Browser {
            child,
            _profile: profile,
            port,
            ws_path,
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal DevTools client: one page target, flat session, synchronous calls.
struct Cdp {
    ws: WebSocket<TcpStream>,
    next: u64,
    session: String,
    problems: Vec<String>,
}

impl Cdp {
    fn connect(b: &Browser) -> Cdp {
        let stream = TcpStream::connect(("127.0.0.1", b.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let url = format!("ws://127.0.0.1:{}{}", b.port, b.ws_path);
        let (ws, _) = tungstenite::client(url.as_str(), stream).expect("DevTools websocket");
        let mut cdp = Cdp {
            ws,
            next: 0,
            session: String::new(),
            problems: Vec::new(),
        };
        let target = cdp.call_browser("Target.createTarget", json!({"url": "about:blank"}));
        let attached = cdp.call_browser(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        cdp.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            cdp.call(domain, json!({}));
        }
        cdp.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1280, "height": 860, "deviceScaleFactor": 1, "mobile": false}),
        );
        cdp
    }

    fn raw(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        self.try_raw(method, params, session)
            .unwrap_or_else(|err| panic!("{method} failed: {err}"))
    }

    fn try_raw(
        &mut self,
        method: &str,
        params: Value,
        session: Option<String>,
    ) -> Result<Value, Value> {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = Value::from(s);
        }
        self.ws
            .send(Message::Text(msg.to_string().into()))
            .expect("send");
        loop {
            let m = self
                .ws
                .read()
                .unwrap_or_else(|e| panic!("no answer to {method}: {e}"));
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(t.as_str()).expect("JSON from DevTools");
            if v["id"].as_u64() == Some(id) {
                if let Some(err) = v.get("error") {
                    return Err(err.clone());
                }
                return Ok(v["result"].clone());
            }
            self.note_event(&v);
        }
    }

    /// Record what the page reports as a problem: exceptions, console errors, log errors
    /// (CSP violations are reported there).
    fn note_event(&mut self, v: &Value) {
        match v["method"].as_str() {
            Some("Runtime.exceptionThrown") => self
                .problems
                .push(format!("exception: {}", v["params"]["exceptionDetails"])),
            Some("Log.entryAdded") if v["params"]["entry"]["level"] == "error" => self
                .problems
                .push(format!("log: {}", v["params"]["entry"]["text"])),
            Some("Runtime.consoleAPICalled") if v["params"]["type"] == "error" => self
                .problems
                .push(format!("console: {}", v["params"]["args"])),
            _ => {}
        }
    }

    fn call_browser(&mut self, method: &str, params: Value) -> Value {
        self.raw(method, params, None)
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let s = self.session.clone();
        self.raw(method, params, Some(s))
    }

    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("`{expr}` threw: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Evaluate `expr`; `None` while the page is navigating (no context to run in) or when
    /// it throws.
    fn try_eval(&mut self, expr: &str) -> Option<Value> {
        let s = self.session.clone();
        let r = self
            .try_raw(
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true}),
                Some(s),
            )
            .ok()?;
        if r.get("exceptionDetails").is_some() {
            return None;
        }
        Some(r["result"]["value"].clone())
    }

    fn wait_for(&mut self, expr: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.try_eval(expr) != Some(Value::Bool(true)) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} (`{expr}`)"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for(
            &format!(
                "location.href === {} && document.readyState === 'complete'",
                json!(url)
            ),
            url,
        );
    }

    /// A real mouse click in the middle of the first element matching `selector`.
    fn click(&mut self, selector: &str) {
        let at = self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return null; e.scrollIntoView({{block: 'center'}}); \
             const r = e.getBoundingClientRect(); return [r.left + Math.min(r.width / 2, 40), r.top + r.height / 2]; }})()",
            json!(selector)
        ));
        let (x, y) = (
            at[0]
                .as_f64()
                .unwrap_or_else(|| panic!("nothing matches {selector}")),
            at[1].as_f64().unwrap(),
        );
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", json!({"text": text}));
    }

    fn press_enter(&mut self) {
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": if kind == "keyDown" { "\r" } else { "" }}),
            );
        }
    }

    fn screenshot(&mut self, name: &str) {
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let png = base64_decode(r["data"].as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(screenshot_dir().join(name), &png).unwrap();
        // The README's pictures: refreshed on request only.
        if std::env::var_os("CONVX_DOCS_SCREENSHOTS").is_some() && name != "sessions-filtered.png" {
            let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::write(docs.join(name), &png).unwrap();
        }
    }

    /// The fixtures' payloads set `window.__pwned` or the title to `PWNED` if they ever run.
    fn assert_nothing_ran(&mut self, page: &str) {
        assert_eq!(
            self.eval("typeof window.__pwned"),
            json!("undefined"),
            "an injected script ran on {page}"
        );
        let title = self.eval("document.title");
        assert_ne!(
            title,
            json!("PWNED"),
            "an injected script changed the title on {page}"
        );
        assert_eq!(
            self.eval("document.querySelectorAll('main script, main img, main iframe').length"),
            json!(0),
            "{page}"
        );
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64")
}

#[test]
fn console_in_real_chromium() {
    let Some(bin) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "Chromium is required for this test in CI: install the Debian package `chromium` (apt-get install -y chromium) or set CHROMIUM=/path/to/chrome"
            );
        }
        eprintln!(
            "note: skipping the browser test: no Chromium found (install the Debian package `chromium` or set CHROMIUM)"
        );
        return;
    };
    let mut sessions = common::sessions();
    sessions.extend(common::showcase());
    let claude_count = sessions
        .iter()
        .filter(|s| s.agent == convx_model::Agent::Claude)
        .count();
    let data = MemoryData::new(sessions, jiff::tz::TimeZone::UTC);
    let server = Server::start(data);
    let base = format!("http://127.0.0.1:{}", server.port);
    let browser = Browser::launch(&bin);
    let mut cdp = Cdp::connect(&browser);

    // 1. The sessions page.
    cdp.goto(&format!("{base}/"));
    assert_eq!(cdp.eval("document.title"), json!("Sessions · convx"));
    let rows = cdp.eval("document.querySelectorAll('table.sessions tbody tr').length");
    assert_eq!(rows, json!(45));
    cdp.assert_nothing_ran("the sessions page");
    cdp.screenshot("sessions.png");

    // 2. A filter: choosing an agent submits the form (app.js) and reloads the list.
    cdp.eval("(() => { const s = document.querySelector('select[name=agent]'); s.value = 'claude'; s.dispatchEvent(new Event('change')); return true; })()");
    cdp.wait_for(
        "location.search.includes('agent=claude') && document.readyState === 'complete'",
        "the agent filter",
    );
    let rows = cdp.eval("Array.from(document.querySelectorAll('table.sessions tbody tr .agent')).map(e => e.textContent)");
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), claude_count);
    assert!(rows.iter().all(|a| a == "claude"), "{rows:?}");
    cdp.screenshot("sessions-filtered.png");

    // 3. Open a session from the list with a real click.
    cdp.goto(&format!("{base}/?project=shop&sort=start&order=asc"));
    cdp.click("a[href='/session/codex%3A0199a-shop']");
    cdp.wait_for(
        "location.pathname === '/session/codex%3A0199a-shop' && document.readyState === 'complete'",
        "the session page",
    );
    assert!(
        cdp.eval("document.querySelector('h1').textContent")
            .as_str()
            .unwrap()
            .starts_with("Fix the checkout <script>")
    );
    cdp.assert_nothing_ran("the session page");
    // The payloads are on screen as text.
    assert!(
        cdp.eval("document.querySelector('#e1 .md').textContent")
            .as_str()
            .unwrap()
            .contains("<img src=x onerror=")
    );

    // 4. Expand a tool call: collapsed at first, open after a click, output visible.
    assert_eq!(
        cdp.eval("document.querySelector('#e4 details').open"),
        json!(false)
    );
    assert_eq!(
        cdp.eval("document.querySelector('#e5 pre').checkVisibility()"),
        json!(false),
        "output hidden while collapsed"
    );
    cdp.click("#e4 details > summary");
    cdp.wait_for(
        "document.querySelector('#e4 details').open",
        "the tool call to open",
    );
    assert!(
        cdp.eval("document.querySelector('#e5 pre').innerText")
            .as_str()
            .unwrap()
            .contains("All 12 tests passed")
    );
    assert_eq!(
        cdp.eval("document.querySelector('#e5 pre').checkVisibility()"),
        json!(true),
        "output shown once open"
    );
    cdp.assert_nothing_ran("the session page with the tool output open");
    // The toolbar works: "Expand all" opens every block.
    cdp.click("button[data-action=expand]");
    cdp.wait_for(
        "Array.from(document.querySelectorAll('#timeline details')).every(d => d.open)",
        "expand all",
    );
    cdp.assert_nothing_ran("the fully expanded session page");
    cdp.click("button[data-action=collapse]");
    cdp.click("#e4 details > summary");
    cdp.eval("window.scrollTo(0, 0)");
    cdp.screenshot("session.png");

    // 5. Search: type in the box, press Enter, follow the first hit to its event.
    cdp.goto(&format!("{base}/search"));
    cdp.click("input[name=q]");
    cdp.type_text("migration");
    cdp.press_enter();
    cdp.wait_for(
        "location.search.includes('q=migration') && document.readyState === 'complete'",
        "the search results",
    );
    let marks = cdp.eval("Array.from(document.querySelectorAll('.snippet mark')).map(m => m.textContent.toLowerCase())");
    assert!(!marks.as_array().unwrap().is_empty(), "no highlighted hit");
    assert!(marks.as_array().unwrap().iter().all(|m| m == "migration"));
    cdp.assert_nothing_ran("the search page");
    cdp.screenshot("search.png");
    let href = cdp.eval("document.querySelector('.hit a').getAttribute('href')");
    let href = href.as_str().unwrap().to_string();
    assert!(href.contains("#e"), "{href}");
    cdp.click(".hit a");
    cdp.wait_for(
        &format!(
            "location.href === {} && document.readyState === 'complete'",
            json!(format!("{base}{href}"))
        ),
        "the hit's session",
    );
    let anchor = href.split('#').nth(1).unwrap();
    cdp.wait_for(&format!("(() => {{ const r = document.getElementById({}).getBoundingClientRect(); return r.height > 0 && r.top < innerHeight; }})()", json!(anchor)), "the hit's event to be on screen");

    // A hit inside a collapsed tool output opens it.
    cdp.goto(&format!("{base}/search?q=tests+passed&agent=codex"));
    let href =
        cdp.eval("document.querySelector('.hit a[href*=\"0199a-shop\"]').getAttribute('href')");
    cdp.goto(&format!("{base}{}", href.as_str().unwrap()));
    cdp.wait_for(
        "document.querySelector('#e4 details').open",
        "the tool call around the hit to open",
    );
    cdp.assert_nothing_ran("a session opened from a hit");

    // 6. Usage and projects.
    cdp.goto(&format!("{base}/usage"));
    assert_eq!(
        cdp.eval("document.querySelectorAll('svg.chart').length"),
        json!(5)
    );
    assert!(
        cdp.eval("document.querySelector('svg.chart rect').getBoundingClientRect().width > 0")
            == json!(true)
    );
    cdp.screenshot("usage.png");
    cdp.goto(&format!("{base}/projects"));
    assert_eq!(
        cdp.eval("document.querySelectorAll('table.projects tbody tr').length"),
        json!(5)
    );
    cdp.screenshot("projects.png");

    // Nothing went wrong in the browser: no script error, no CSP violation.
    cdp.eval("true");
    assert!(
        cdp.problems.is_empty(),
        "the browser reported problems: {:#?}",
        cdp.problems
    );
    drop(cdp);
    drop(browser);
    drop(server);
    eprintln!("screenshots in {}", screenshot_dir().display());
}

/// First render of the session page of a 5,000-event session in Chromium (navigation
/// timing and first contentful paint), plus its size. A measurement, not a pass/fail test:
/// `cargo test --release -p convx-web --test browser -- --ignored --nocapture`.
#[test]
#[ignore = "measurement; run with --ignored --nocapture (and --release for server time)"]
fn big_session_first_render() {
    let Some(bin) = chromium() else {
        eprintln!("note: no Chromium found; nothing measured");
        return;
    };
    let big = common::big::big_session(5_000);
    let key = big.key.clone();
    let server = Server::start(MemoryData::new(vec![big], jiff::tz::TimeZone::UTC));
    let browser = Browser::launch(&bin);
    let mut cdp = Cdp::connect(&browser);
    let url = format!(
        "http://127.0.0.1:{}/session/{}",
        server.port,
        key.replace(':', "%3A")
    );
    for run in 0..3 {
        cdp.goto(&url);
        cdp.wait_for(
            "performance.getEntriesByType('paint').some(p => p.name === 'first-contentful-paint')",
            "first paint",
        );
        let t = cdp.eval(
            "(() => { const n = performance.getEntriesByType('navigation')[0]; \
             const fcp = performance.getEntriesByType('paint').find(p => p.name === 'first-contentful-paint'); \
             return { ttfb: n.responseStart, response_end: n.responseEnd, dom_content_loaded: n.domContentLoadedEventEnd, \
             load: n.loadEventEnd, fcp: fcp.startTime, bytes: n.transferSize, decoded: n.decodedBodySize, \
             elements: document.getElementsByTagName('*').length }; })()",
        );
        println!(
            "run {run}: TTFB {:.0} ms, response end {:.0} ms, first contentful paint {:.0} ms, DOMContentLoaded {:.0} ms, load {:.0} ms, {} bytes, {} elements",
            t["ttfb"].as_f64().unwrap_or(0.0),
            t["response_end"].as_f64().unwrap_or(0.0),
            t["fcp"].as_f64().unwrap_or(0.0),
            t["dom_content_loaded"].as_f64().unwrap_or(0.0),
            t["load"].as_f64().unwrap_or(0.0),
            t["decoded"],
            t["elements"]
        );
    }
    assert!(cdp.problems.is_empty(), "{:#?}", cdp.problems);
}
