//! Realistic filler text: prose, code, logs and JSON, with quotes, escapes and unicode.

use crate::Rng;

const WORDS: &[&str] = &[
    "the",
    "test",
    "fails",
    "because",
    "router",
    "handler",
    "returns",
    "error",
    "migration",
    "database",
    "config",
    "cache",
    "request",
    "response",
    "timeout",
    "retry",
    "index",
    "schema",
    "token",
    "parse",
    "render",
    "commit",
    "branch",
    "merge",
    "deploy",
    "build",
    "cargo",
    "module",
    "function",
    "struct",
    "async",
    "await",
    "thread",
    "lock",
    "queue",
    "worker",
    "payload",
    "header",
    "client",
    "server",
    "café",
    "naïve",
    "日本語",
    "emoji 🚀",
    "größer",
    "señal",
];

const CODE: &[&str] = &[
    "fn handle(req: Request) -> Result<Response, Error> {\n    let body = req.body()?;\n    Ok(Response::new(body))\n}\n",
    "export async function load(id: string) {\n  const res = await fetch(`/api/items/${id}`);\n  if (!res.ok) throw new Error(\"bad \\\"status\\\"\");\n  return res.json();\n}\n",
    "def migrate(conn):\n    conn.execute(\"ALTER TABLE users ADD COLUMN email TEXT\")\n    conn.commit()\n",
    "SELECT id, name FROM users WHERE created_at > '2026-01-01' ORDER BY id;\n",
    "\tif err != nil {\n\t\treturn fmt.Errorf(\"open %s: %w\", path, err)\n\t}\n",
];

const LOG: &[&str] = &[
    "test result: ok. 41 passed; 0 failed; 0 ignored",
    "error[E0308]: mismatched types\n  --> src/lib.rs:14:9",
    "npm WARN deprecated inflight@1.0.6: This module is not supported",
    "2026-03-02T14:07:20Z INFO server listening on 127.0.0.1:8080",
    "FAILED tests/test_api.py::test_health - AssertionError: 500 != 200",
    "Compiling serde v1.0.229\n   Compiling serde_json v1.0.154",
];

/// A sentence-ish run of words of about `len` bytes.
pub fn prose(rng: &mut Rng, len: usize) -> String {
    let mut s = String::with_capacity(len + 16);
    while s.len() < len {
        if !s.is_empty() {
            s.push(' ');
        }
        let w: &str = rng.pick::<&str>(WORDS);
        s.push_str(w);
        if rng.below(12) == 0 {
            s.push_str(".\n");
        }
    }
    s
}

/// Tool-output-like text (code, logs, JSON) of about `len` bytes.
pub fn output(rng: &mut Rng, len: usize) -> String {
    let mut s = String::with_capacity(len + 256);
    let mut line = 1;
    while s.len() < len {
        match rng.below(4) {
            0 => {
                let c: &str = rng.pick::<&str>(CODE);
                s.push_str(c)
            }
            1 => {
                let l: &str = rng.pick::<&str>(LOG);
                s.push_str(l)
            }
            2 => {
                s.push_str(&format!(
                    "{{\"id\": {line}, \"name\": \"item-{line}\", \"tags\": [\"a\", \"b\"], \"ok\": true}}"
                ));
            }
            _ => s.push_str(&format!(
                "src/module_{}.rs:{line}: {}",
                rng.below(90),
                prose(rng, 60)
            )),
        }
        s.push('\n');
        line += 1;
    }
    s
}

/// An opaque base64-looking blob of `len` bytes (encrypted reasoning).
pub fn blob(rng: &mut Rng, len: usize) -> String {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..len)
        .map(|_| ALPHA[rng.below(64) as usize] as char)
        .collect()
}

/// `prose` of `base + random(0..extra)` bytes.
pub fn prose_n(rng: &mut Rng, base: usize, extra: u64) -> String {
    let len = base + rng.below(extra) as usize;
    prose(rng, len)
}

/// `blob` of `base + random(0..extra)` bytes.
pub fn blob_n(rng: &mut Rng, base: usize, extra: u64) -> String {
    let len = base + rng.below(extra) as usize;
    blob(rng, len)
}
