//! Redaction throughput on generated session text.
//!
//! Run: `cargo bench -p convx-core --bench redact` (release profile). Optional argument:
//! corpus size in MB (default 32).
//!
//! The corpus imitates what session fields hold: source code (Rust, TypeScript, Python)
//! where `token`, `key`, `password` and `secret` are common identifiers, build and server
//! logs with UUIDs and git SHAs, JSON tool output (lockfiles with integrity hashes, API
//! responses), prose prompts, the odd base64 image, and a few real-shaped secrets (about
//! one per 64 KB). Each string is redacted as one value, the way `redact_session` does.
//!
//! Reported (single thread, median of 7 runs): `redact_text` MB/s over the corpus, the
//! residue pass, the full scan, and for comparison one combined alternation of every
//! built-in rule with `replace_all` (the approach measured in crates.md §4.7; it has no
//! validation, so it is a baseline, not an alternative). `REDACT_BENCH_SHOW=1` also
//! prints sample redactions and the time spent per rule.

use convx_core::redact::Redactor;
use std::hint::black_box;
use std::time::Instant;

/// A tiny deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}

const HEX: &[u8] = b"0123456789abcdef";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const IDENTS: &[&str] = &[
    "token",
    "tokens",
    "key",
    "api_key",
    "secret",
    "password",
    "config",
    "session",
    "request",
    "response",
    "user",
    "cache",
    "index",
    "buffer",
    "parser",
    "tokenizer",
    "keys",
    "value",
    "result",
    "handler",
    "client",
    "auth",
];
const WORDS: &[&str] = &[
    "the",
    "test",
    "fails",
    "because",
    "parser",
    "returns",
    "an",
    "error",
    "when",
    "input",
    "is",
    "empty",
    "please",
    "fix",
    "it",
    "and",
    "add",
    "a",
    "regression",
    "for",
    "token",
    "refresh",
    "logic",
    "in",
    "auth",
    "module",
    "key",
    "rotation",
    "should",
    "use",
    "secret",
    "manager",
    "password",
    "reset",
    "flow",
];

fn code_block(r: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..(5 + r.below(40)) {
        let a = r.pick(IDENTS);
        let b = r.pick(IDENTS);
        let line = match r.below(9) {
            0 => format!("    let {a} = self.{b}.get(&{a}_id)?;\n"),
            1 => format!("    if {a}.is_empty() {{ return Err(Error::Missing(\"{b}\")); }}\n"),
            2 => format!("const {a}Map = new Map<string, {b}>(); // {b} cache\n"),
            3 => format!("def {a}_{b}(self, {a}: str, {b}: int = 0) -> dict:\n"),
            4 => format!("        {a}[\"{b}\"] = {b}.{a}({a}, timeout=30)\n"),
            5 => format!(
                "    max_tokens: {}, input_tokens: {},\n",
                r.below(100_000),
                r.below(1_000_000)
            ),
            6 => format!("import {{ {a}, {b} }} from \"./{a}/{b}\";\n"),
            7 => format!(
                "    {a}: process.env.{}_{},\n",
                a.to_uppercase(),
                b.to_uppercase()
            ),
            _ => format!(
                "    fn {a}(&mut self, {b}: &str) -> Result<{}, Error> {{\n",
                "Vec<u8>"
            ),
        };
        s.push_str(&line);
    }
    s
}

fn log_block(r: &mut Rng) -> String {
    let mut s = String::new();
    for i in 0..(10 + r.below(60)) {
        let uuid = format!(
            "{}-{}-4{}-a{}-{}",
            r.chars(HEX, 8),
            r.chars(HEX, 4),
            r.chars(HEX, 3),
            r.chars(HEX, 3),
            r.chars(HEX, 12)
        );
        let line = match r.below(5) {
            0 => format!(
                "2026-03-{:02}T12:{:02}:{:02}Z INFO request_id={uuid} path=/api/v1/{} status=200 in {}ms\n",
                i % 28 + 1,
                i % 60,
                r.below(60),
                r.pick(IDENTS),
                r.below(900)
            ),
            1 => format!(
                "commit {}\nAuthor: Dev <dev@example.com>\n\n    fix {} handling\n",
                r.chars(HEX, 40),
                r.pick(IDENTS)
            ),
            2 => format!(
                "   Compiling {} v0.{}.{} (/home/dev/src/{})\n",
                r.pick(IDENTS),
                r.below(20),
                r.below(20),
                r.pick(IDENTS)
            ),
            3 => format!(
                "test {}::{}_{} ... ok\n",
                r.pick(IDENTS),
                r.pick(IDENTS),
                r.pick(IDENTS)
            ),
            _ => format!(
                "WARN token bucket refill for key {uuid}: {} remaining\n",
                r.below(1000)
            ),
        };
        s.push_str(&line);
    }
    s
}

fn json_block(r: &mut Rng) -> String {
    let mut s = String::from("{\n  \"packages\": {\n");
    for _ in 0..(5 + r.below(30)) {
        let name = r.pick(IDENTS);
        s.push_str(&format!(
            "    \"node_modules/{name}\": {{\"version\": \"{}.{}.{}\", \"resolved\": \"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz\", \"integrity\": \"sha512-{}==\"}},\n",
            r.below(10),
            r.below(30),
            r.below(30),
            r.chars(B64, 86)
        ));
    }
    s.push_str(&format!(
        "  }},\n  \"session\": {{\"id\": \"{}\", \"token_count\": {}, \"keys\": [\"a\", \"b\"]}}\n}}\n",
        r.chars(HEX, 32),
        r.below(100_000)
    ));
    s
}

fn prose(r: &mut Rng) -> String {
    let n = 20 + r.below(200);
    (0..n).map(|_| r.pick(WORDS)).collect::<Vec<_>>().join(" ") + ".\n"
}

fn secret(r: &mut Rng) -> String {
    match r.below(6) {
        0 => format!("export GITHUB_TOKEN=ghp_{}\n", r.chars(ALNUM, 36)),
        1 => format!(
            "DATABASE_URL=postgres://app:{}@db:5432/app\n",
            r.chars(ALNUM, 16)
        ),
        2 => format!("OPENAI_API_KEY=sk-proj-{}\n", r.chars(ALNUM, 100)),
        3 => format!(
            "aws_access_key_id = AKIA{}\n",
            r.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        ),
        4 => format!("password: \"{}\"\n", r.chars(ALNUM, 14)),
        _ => {
            let body: Vec<String> = (0..12).map(|_| r.chars(B64, 64)).collect();
            format!(
                "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
                body.join("\n")
            )
        }
    }
}

/// Strings of a generated corpus of about `mb` megabytes.
fn corpus(mb: usize) -> Vec<String> {
    let mut r = Rng(0x5EED_1234_ABCD_0001);
    let mut out = Vec::new();
    let mut total = 0;
    let mut next_secret = 64 * 1024;
    while total < mb << 20 {
        let mut s = match r.below(20) {
            0..=7 => code_block(&mut r),
            8..=12 => log_block(&mut r),
            13..=16 => json_block(&mut r),
            17..=18 => prose(&mut r),
            _ => {
                if r.below(10) == 0 {
                    format!("data:image/png;base64,iVBORw0KGgo{}", r.chars(B64, 20_000))
                } else {
                    prose(&mut r)
                }
            }
        };
        if total + s.len() >= next_secret {
            s.push_str(&secret(&mut r));
            next_secret += 64 * 1024;
        }
        total += s.len();
        out.push(s);
    }
    out
}

/// CPU time of the calling thread in seconds (Linux: `/proc/thread-self/schedstat`),
/// so that a machine shared with other jobs still gives a meaningful rate.
fn thread_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Median throughput over `runs` runs, in MB/s of wall time and of thread CPU time.
fn median_mbps(bytes: usize, runs: usize, mut f: impl FnMut()) -> (f64, Option<f64>) {
    let mb = bytes as f64 / (1 << 20) as f64;
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..runs {
        let c = thread_cpu_secs();
        let t = Instant::now();
        f();
        wall.push(mb / t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (c, thread_cpu_secs()) {
            cpu.push(mb / (b - a).max(1e-9));
        }
    }
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    (wall[runs / 2], cpu.get(cpu.len() / 2).copied())
}

fn report(name: &str, (wall, cpu): (f64, Option<f64>)) {
    match cpu {
        Some(c) => {
            println!("{name:16} {wall:6.0} MB/s wall   {c:6.0} MB/s of CPU time (one thread)")
        }
        None => println!("{name:16} {wall:6.0} MB/s wall"),
    }
}

fn main() {
    let mb: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(32);
    let data = corpus(mb);
    let bytes: usize = data.iter().map(String::len).sum();
    let r = Redactor::default();
    let changed = data
        .iter()
        .filter(|s| matches!(r.redact_text(s), std::borrow::Cow::Owned(_)))
        .count();
    println!(
        "corpus: {:.1} MB in {} strings, {} with a secret; {} rules",
        bytes as f64 / (1 << 20) as f64,
        data.len(),
        changed,
        r.rules().len()
    );

    if std::env::var_os("REDACT_BENCH_SHOW").is_some() {
        let mut shown = std::collections::BTreeMap::<String, usize>::new();
        for s in &data {
            let out = r.redact_text(s);
            let mut rest: &str = &out;
            while let Some(i) = rest.find("[REDACTED:") {
                let id = &rest[i + 10..i + rest[i..].find(']').unwrap()];
                let n = shown.entry(id.to_string()).or_default();
                *n += 1;
                if *n <= 3 {
                    let a = rest[..i].char_indices().rev().nth(50).map_or(0, |(j, _)| j);
                    let e = (i + 90).min(rest.len());
                    let e = (e..=rest.len())
                        .find(|&k| rest.is_char_boundary(k))
                        .unwrap();
                    println!("{id}: {:?}", &rest[a..e]);
                }
                rest = &rest[i + 10..];
            }
        }
        println!("{shown:?}");
        for (id, secs) in r.profile_rules(&data).into_iter().take(12) {
            println!("  {id:28} {:7.1} ms", secs * 1000.0);
        }
    }

    let t = Instant::now();
    let _ = black_box(Redactor::default());
    println!(
        "build Redactor::default(): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );

    report(
        "redact_text",
        median_mbps(bytes, 7, || {
            for s in &data {
                black_box(r.redact_text(black_box(s)));
            }
        }),
    );
    report(
        "check_residue",
        median_mbps(bytes, 7, || {
            for s in &data {
                black_box(r.check_residue(black_box(s)));
            }
        }),
    );
    report(
        "scan_text",
        median_mbps(bytes, 7, || {
            for s in &data {
                black_box(r.scan_text(black_box(s)));
            }
        }),
    );

    // Baseline: one combined alternation of all built-in rules (no validation).
    let alternation = r
        .rules()
        .iter()
        .map(|i| format!("(?:{})", i.pattern.replace("(?P<s>", "(?:")))
        .collect::<Vec<_>>()
        .join("|");
    let combined = regex::bytes::RegexBuilder::new(&alternation)
        .unicode(false)
        .size_limit(1 << 26)
        .build()
        .unwrap();
    report(
        "baseline",
        median_mbps(bytes, 3, || {
            for s in &data {
                black_box(combined.replace_all(black_box(s.as_bytes()), &b"[REDACTED]"[..]));
            }
        }),
    );
    println!("(baseline: one combined alternation of all rules, replace_all, no validation)");
}
