//! A deterministic generator of realistic-looking sessions for the index benchmark.
//!
//! Words follow a Zipf distribution over a 50,000-word vocabulary (real common English
//! and code words first, then generated ones), so common, mid-frequency and rare words all
//! exist. A few marker words and phrases are planted at known rates so queries have a known
//! selectivity: `migration` (1 event in 400), `"database migration"` (1 in 2,000),
//! `tokenizer` (1 in 100,000), `数据库迁移` (1 in 1,000).

use convx_model::{
    Agent, CallUsage, Event, EventKind, Session, SessionKind, SourceFile, Timestamp, Usage,
};

/// splitmix64: small, fast, deterministic.
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// Next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const COMMON: &[&str] = &[
    "the", "to", "and", "a", "of", "is", "in", "that", "it", "for", "this", "with", "on", "be",
    "not", "we", "you", "file", "error", "test", "function", "can", "if", "are", "from", "as",
    "by", "an", "use", "now", "code", "return", "value", "let", "type", "fn", "self", "string",
    "should", "will", "new", "add", "run", "check", "fix", "line", "change", "build", "cargo",
    "struct", "impl", "module", "path", "config", "data", "output", "input", "result", "option",
    "update", "need", "make", "method", "call", "index", "query", "user", "server", "request",
    "response", "api", "json", "field", "list", "map", "loop", "async", "await", "thread", "lock",
    "cache", "memory", "time", "log", "debug", "release", "branch", "commit", "merge", "diff",
    "patch", "review", "comment", "docs", "readme",
];

/// The vocabulary and its Zipf cumulative distribution.
pub struct Vocab {
    words: Vec<String>,
    cdf: Vec<f64>,
}

impl Vocab {
    /// 50,000 words, Zipf exponent 1.
    pub fn new() -> Vocab {
        let mut rng = Rng::new(7);
        let syll = [
            "ka", "lo", "mi", "ter", "on", "ra", "zu", "pe", "ly", "sta", "gri", "vo", "nex",
            "qua", "di", "mor",
        ];
        let mut words: Vec<String> = COMMON.iter().map(|s| s.to_string()).collect();
        while words.len() < 50_000 {
            let n = 2 + rng.below(3) as usize;
            let w: String = (0..n)
                .map(|_| syll[rng.below(syll.len() as u64) as usize])
                .collect();
            words.push(w);
        }
        let mut cdf = Vec::with_capacity(words.len());
        let mut acc = 0.0;
        for r in 1..=words.len() {
            acc += 1.0 / r as f64;
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Vocab { words, cdf }
    }

    /// One word.
    pub fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        let i = self
            .cdf
            .partition_point(|&c| c < u)
            .min(self.words.len() - 1);
        &self.words[i]
    }

    /// `n` words with the planted markers.
    pub fn text(&self, rng: &mut Rng, min: usize, spread: u64) -> String {
        let n = min + rng.below(spread) as usize;
        let mut s = String::with_capacity(n * 7);
        for i in 0..n {
            if i > 0 {
                s.push(if rng.below(12) == 0 { '\n' } else { ' ' });
            }
            s.push_str(self.word(rng));
        }
        if rng.below(400) == 0 {
            s.push_str(" migration");
        }
        if rng.below(2_000) == 0 {
            s.push_str(" the database migration failed");
        }
        if rng.below(100_000) == 0 {
            s.push_str(" tokenizer");
        }
        if rng.below(1_000) == 0 {
            s.push_str(" 数据库迁移失败");
        }
        s
    }
}

const MODELS: [(&str, Agent); 6] = [
    ("gpt-5-codex", Agent::Codex),
    ("claude-sonnet-4-5-20250929", Agent::Claude),
    ("gemini-2.5-pro", Agent::Gemini),
    ("anthropic/claude-opus-4-5", Agent::OpenCode),
    ("gpt-5", Agent::Cursor),
    ("claude-haiku-4-5", Agent::Copilot),
];

/// Session `n` of the corpus, with `events` events.
pub fn session(vocab: &Vocab, n: u64, events: usize) -> Session {
    let mut rng = Rng::new(n.wrapping_mul(0x1234_5678_9ABC_DEF1) ^ 0xC0FFEE);
    let (model, agent) = MODELS[(n % 6) as usize];
    let mut s = Session::new(agent, format!("bench-{n:07}"));
    s.cwd = Some(format!("/home/dev/src/project-{:02}", rng.below(50)));
    s.sources.push(SourceFile {
        path: format!("/logs/{n}.jsonl"),
        fingerprint: Default::default(),
        format: None,
    });
    if n % 20 == 19 {
        s.kind = SessionKind::Subagent;
        s.parent = Some(format!("{}:bench-{:07}", agent.slug(), n - 6));
    }
    // two years of history
    let start = 1_704_067_200 + rng.below(730 * 86_400) as i64;
    let mut t = start;
    let mut call = 0u64;
    let ts = |t: i64| Timestamp::from_second(t).ok();
    for i in 0..events {
        t += 5 + rng.below(90) as i64;
        let r = rng.below(20);
        let kind = match r {
            0..=1 => EventKind::UserPrompt {
                text: vocab.text(&mut rng, 8, 30),
                attachments: vec![],
            },
            2..=7 => EventKind::AssistantText {
                text: vocab.text(&mut rng, 15, 60),
            },
            8..=9 => EventKind::Reasoning {
                text: vocab.text(&mut rng, 10, 50),
                encrypted: false,
            },
            10..=14 => EventKind::ToolCall {
                call_id: format!("c{i}"),
                name: ["Bash", "Read", "Edit", "shell", "apply_patch"][rng.below(5) as usize]
                    .into(),
                input: serde_json::json!({ "command": vocab.text(&mut rng, 4, 12),
                                           "file_path": format!("src/{}.rs", vocab.word(&mut rng)) }),
                subagent: None,
            },
            _ => EventKind::ToolResult {
                call_id: format!("c{}", i.saturating_sub(1)),
                output: vocab.text(&mut rng, 10, 80),
                is_error: rng.below(20) == 0,
            },
        };
        let is_assistant = matches!(kind, EventKind::AssistantText { .. });
        let mut e = Event::new(kind).at(ts(t));
        if is_assistant {
            call += 1;
            let u = Usage {
                input: rng.below(3_000),
                cache_creation: rng.below(2_000),
                cache_read: rng.below(60_000),
                output: 50 + rng.below(1_500),
                reasoning: rng.below(300),
            };
            e.usage = Some(CallUsage::new(
                Some(model.to_string()),
                u,
                format!("{}#{call}", s.key),
            ));
        }
        s.push(e);
    }
    s
}
