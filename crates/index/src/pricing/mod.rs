//! Model prices: an embedded, dated table (`prices.toml`), name aliases, and user overrides.
//!
//! Every price is US dollars per million tokens. A model name as recorded in a log
//! (`claude-sonnet-4-5-20250929`, `anthropic/claude-sonnet-4.5`,
//! `us.anthropic.claude-sonnet-4-5-20250929-v1:0`, `gpt-4.1-2025-04-14`...) is resolved to a
//! table entry by [`PriceTable::lookup`]. A model the table does not know has **no** price:
//! callers report it as unpriced, never as $0.
//!
//! ```
//! use convx_index::pricing::PriceTable;
//! let table = PriceTable::builtin();
//! let p = table.lookup("anthropic/claude-sonnet-4-5-20250929").unwrap();
//! assert_eq!(p.id, "claude-sonnet-4-5");
//! assert!(table.lookup("my-local-llama").is_none());
//! ```

use crate::IndexError;
use convx_model::{Timestamp, Usage};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};

const BUILTIN: &str = include_str!("prices.toml");

/// Prices of one model, in USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Price {
    /// Uncached input tokens.
    pub input: f64,
    /// Input tokens written to the prompt cache.
    pub cache_write: f64,
    /// Input tokens read from the prompt cache.
    pub cache_read: f64,
    /// Output tokens (reasoning included).
    pub output: f64,
}

impl Price {
    /// The cost of `usage` in USD. Reasoning is part of output and not charged twice.
    pub fn cost(&self, usage: &Usage) -> f64 {
        (usage.input as f64 * self.input
            + usage.cache_creation as f64 * self.cache_write
            + usage.cache_read as f64 * self.cache_read
            + usage.output as f64 * self.output)
            / 1_000_000.0
    }
}

/// Where a price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    /// The embedded table.
    Builtin,
    /// The user's configuration.
    Config,
}

/// A model's entry in the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelPrice {
    /// Canonical model id, e.g. `claude-sonnet-4-5`.
    pub id: String,
    /// `openai`, `anthropic`, `google`, `xai`, or what the user configured.
    pub provider: String,
    /// The current price.
    pub price: Price,
    /// Other names of the model.
    pub aliases: Vec<String>,
    /// Earlier prices: `(until, price)`, sorted by date; a call before `until` (UTC) uses it.
    pub history: Vec<(jiff::civil::Date, Price)>,
    /// When the entry was checked, if later than the table's date.
    pub checked: Option<String>,
    /// Builtin or configured.
    pub source: PriceSource,
}

impl ModelPrice {
    /// The price in force at `at` (the current price when `at` is unknown).
    pub fn price_at(&self, at: Option<Timestamp>) -> Price {
        let Some(at) = at else { return self.price };
        let day = at.to_zoned(jiff::tz::TimeZone::UTC).date();
        self.history
            .iter()
            .find(|(until, _)| day < *until)
            .map_or(self.price, |(_, p)| *p)
    }
}

/// User price overrides: the `[pricing]` section of the configuration file.
///
/// ```toml
/// [pricing.models."my-proxy-model"]
/// input = 1.0
/// output = 4.0
/// [pricing.aliases]
/// "corp-gpt" = "gpt-5"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingConfig {
    /// Prices to add or change, by model name.
    #[serde(default)]
    pub models: BTreeMap<String, PriceOverride>,
    /// Extra names: recorded name → model id of the table.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
}

/// One model's override. Unset fields keep the builtin price; for a new model `input` and
/// `output` are required, `cache_write` and `cache_read` default to `input`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceOverride {
    /// Uncached input, USD per million tokens.
    pub input: Option<f64>,
    /// Cache write, USD per million tokens.
    pub cache_write: Option<f64>,
    /// Cache read, USD per million tokens.
    pub cache_read: Option<f64>,
    /// Output, USD per million tokens.
    pub output: Option<f64>,
    /// Provider name shown by `convx stats --prices`.
    pub provider: Option<String>,
    /// Other names of this model.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl PricingConfig {
    /// Read the `[pricing]` section of a whole configuration file (other sections are
    /// ignored). A file without `[pricing]` gives the empty configuration.
    pub fn from_config_toml(text: &str) -> Result<PricingConfig, IndexError> {
        crate::config::IndexSettings::from_config_toml(text).map(|s| s.pricing)
    }

    /// True when nothing is overridden.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty() && self.aliases.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    date: String,
    model: Vec<RawModel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    id: String,
    provider: String,
    input: f64,
    cache_write: f64,
    cache_read: f64,
    output: f64,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    history: Vec<RawHistory>,
    #[serde(default)]
    checked: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistory {
    until: String,
    input: f64,
    cache_write: f64,
    cache_read: f64,
    output: f64,
}

/// The price table in force: builtin prices plus user overrides.
#[derive(Debug, Clone)]
pub struct PriceTable {
    date: String,
    models: Vec<ModelPrice>,
    by_name: HashMap<String, usize>,
}

impl PriceTable {
    /// The embedded table.
    pub fn builtin() -> PriceTable {
        PriceTable::parse(BUILTIN).expect("the embedded price table is valid (tested)")
    }

    /// Parse a table in the `prices.toml` format.
    pub fn parse(text: &str) -> Result<PriceTable, IndexError> {
        let raw: RawTable = toml::from_str(text).map_err(|e| IndexError::Pricing(e.to_string()))?;
        raw.date
            .parse::<jiff::civil::Date>()
            .map_err(|e| IndexError::Pricing(format!("date `{}`: {e}", raw.date)))?;
        let mut models = Vec::with_capacity(raw.model.len());
        for m in raw.model {
            let mut history = Vec::new();
            for h in m.history {
                let until = h.until.parse::<jiff::civil::Date>().map_err(|e| {
                    IndexError::Pricing(format!("{}: history date `{}`: {e}", m.id, h.until))
                })?;
                history.push((
                    until,
                    Price {
                        input: h.input,
                        cache_write: h.cache_write,
                        cache_read: h.cache_read,
                        output: h.output,
                    },
                ));
            }
            history.sort_by_key(|(d, _)| *d);
            if let Some(c) = &m.checked {
                c.parse::<jiff::civil::Date>().map_err(|e| {
                    IndexError::Pricing(format!("{}: checked date `{c}`: {e}", m.id))
                })?;
            }
            models.push(ModelPrice {
                id: m.id,
                provider: m.provider,
                price: Price {
                    input: m.input,
                    cache_write: m.cache_write,
                    cache_read: m.cache_read,
                    output: m.output,
                },
                aliases: m.aliases,
                history,
                checked: m.checked,
                source: PriceSource::Builtin,
            });
        }
        let mut table = PriceTable {
            date: raw.date,
            models,
            by_name: HashMap::new(),
        };
        table.reindex()?;
        Ok(table)
    }

    fn reindex(&mut self) -> Result<(), IndexError> {
        self.by_name.clear();
        for (i, m) in self.models.iter().enumerate() {
            for name in std::iter::once(&m.id).chain(&m.aliases) {
                let key = name.trim().to_ascii_lowercase();
                if let Some(&j) = self.by_name.get(&key)
                    && j != i
                {
                    return Err(IndexError::Pricing(format!(
                        "`{name}` names both `{}` and `{}`",
                        self.models[j].id, m.id
                    )));
                }
                self.by_name.insert(key, i);
            }
        }
        Ok(())
    }

    /// Apply user overrides (see [`PricingConfig`]).
    pub fn with_overrides(mut self, cfg: &PricingConfig) -> Result<PriceTable, IndexError> {
        for (name, o) in &cfg.models {
            let check = |v: Option<f64>, what: &str| -> Result<(), IndexError> {
                match v {
                    Some(x) if !x.is_finite() || x < 0.0 => Err(IndexError::Pricing(format!(
                        "[pricing.models.\"{name}\"] {what} must be a number >= 0"
                    ))),
                    _ => Ok(()),
                }
            };
            check(o.input, "input")?;
            check(o.cache_write, "cache_write")?;
            check(o.cache_read, "cache_read")?;
            check(o.output, "output")?;
            let existing = self.by_name.get(&name.trim().to_ascii_lowercase()).copied();
            match existing {
                Some(i) => {
                    let m = &mut self.models[i];
                    let p = &mut m.price;
                    p.input = o.input.unwrap_or(p.input);
                    p.cache_write = o.cache_write.unwrap_or(p.cache_write);
                    p.cache_read = o.cache_read.unwrap_or(p.cache_read);
                    p.output = o.output.unwrap_or(p.output);
                    if let Some(pr) = &o.provider {
                        m.provider = pr.clone();
                    }
                    m.aliases.extend(o.aliases.iter().cloned());
                    m.history.clear();
                    m.source = PriceSource::Config;
                }
                None => {
                    let (Some(input), Some(output)) = (o.input, o.output) else {
                        return Err(IndexError::Pricing(format!(
                            "[pricing.models.\"{name}\"] is not in the builtin table: set at least `input` and `output`"
                        )));
                    };
                    self.models.push(ModelPrice {
                        id: name.clone(),
                        provider: o.provider.clone().unwrap_or_else(|| "custom".into()),
                        price: Price {
                            input,
                            cache_write: o.cache_write.unwrap_or(input),
                            cache_read: o.cache_read.unwrap_or(input),
                            output,
                        },
                        aliases: o.aliases.clone(),
                        history: Vec::new(),
                        checked: None,
                        source: PriceSource::Config,
                    });
                }
            }
        }
        self.reindex()?;
        for (alias, target) in &cfg.aliases {
            let Some(i) = self.lookup_index(target) else {
                return Err(IndexError::Pricing(format!(
                    "[pricing.aliases] \"{alias}\" = \"{target}\": no model `{target}` in the price table"
                )));
            };
            self.models[i].aliases.push(alias.clone());
            self.by_name.insert(alias.trim().to_ascii_lowercase(), i);
        }
        Ok(self)
    }

    /// The date the builtin prices were checked.
    pub fn date(&self) -> &str {
        &self.date
    }

    /// All models, in table order (configured additions last).
    pub fn models(&self) -> &[ModelPrice] {
        &self.models
    }

    /// The entry for a recorded model name, resolving aliases, dated snapshots and
    /// provider prefixes. `None` means unknown: the caller must not price it at $0.
    pub fn lookup(&self, model: &str) -> Option<&ModelPrice> {
        self.lookup_index(model).map(|i| &self.models[i])
    }

    /// The price of `model` at `at` (see [`ModelPrice::price_at`]).
    pub fn price_at(&self, model: &str, at: Option<Timestamp>) -> Option<Price> {
        self.lookup(model).map(|m| m.price_at(at))
    }

    fn lookup_index(&self, model: &str) -> Option<usize> {
        candidates(model)
            .iter()
            .find_map(|c| self.by_name.get(c).copied())
    }
}

/// The names tried for a recorded model name, most specific first.
fn candidates(model: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut queue: VecDeque<String> = VecDeque::from([model.trim().to_ascii_lowercase()]);
    while let Some(c) = queue.pop_front() {
        if c.is_empty() || out.contains(&c) || out.len() > 64 {
            continue;
        }
        queue.extend(strip_once(&c));
        out.push(c);
    }
    out
}

const EFFORT_SUFFIXES: [&str; 8] = [
    "-thinking",
    "-minimal",
    "-low",
    "-medium",
    "-high",
    "-xhigh",
    "-fast",
    "-max-thinking",
];

/// Every name obtained from `s` by removing one decoration.
fn strip_once(s: &str) -> Vec<String> {
    let mut v = Vec::new();
    // provider prefixes: `openrouter/anthropic/x` → `x`, `models/gemini-2.5-pro` → ...
    if let Some((_, last)) = s.rsplit_once('/') {
        v.push(last.to_string());
    }
    // Bedrock / Vertex: `us.anthropic.claude-…-v1:0`, `claude-…@20250929`
    for region in ["us.", "eu.", "apac.", "global.", "jp.", "au.", "ca."] {
        if let Some(rest) = s.strip_prefix(region) {
            v.push(rest.to_string());
        }
    }
    for provider in ["anthropic.", "openai.", "google.", "amazon."] {
        if let Some(rest) = s.strip_prefix(provider) {
            v.push(rest.to_string());
        }
    }
    if let Some((head, _)) = s.split_once('@') {
        v.push(head.to_string());
    }
    if let Some((head, tail)) = s.rsplit_once(':') {
        // `-v1:0` (Bedrock) or `:thinking` / ollama-style tags
        let _ = tail;
        v.push(head.to_string());
    }
    if let Some(i) = s.rfind("-v")
        && s.len() > i + 2
        && s[i + 2..].chars().all(|c| c.is_ascii_digit())
    {
        v.push(s[..i].to_string());
    }
    // dated snapshots: `-20250929`, `-2025-08-07`
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() > 9 && b[b.len() - 9] == b'-' && digits(b.len() - 8..b.len()) {
        v.push(s[..s.len() - 9].to_string());
    }
    if b.len() > 11
        && b[b.len() - 11] == b'-'
        && b[b.len() - 6] == b'-'
        && b[b.len() - 3] == b'-'
        && digits(b.len() - 10..b.len() - 6)
        && digits(b.len() - 5..b.len() - 3)
        && digits(b.len() - 2..b.len())
    {
        v.push(s[..s.len() - 11].to_string());
    }
    for suffix in ["-latest", "-preview", "-exp"] {
        if let Some(i) = s.find(suffix) {
            v.push(s[..i].to_string());
        }
    }
    for suffix in EFFORT_SUFFIXES {
        if let Some(head) = s.strip_suffix(suffix) {
            v.push(head.to_string());
        }
    }
    // `claude-sonnet-4.5` → `claude-sonnet-4-5`
    if s.starts_with("claude") && s.contains('.') {
        v.push(s.replace('.', "-"));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(table: &PriceTable, name: &str) -> Option<String> {
        table.lookup(name).map(|m| m.id.clone())
    }

    #[test]
    fn builtin_table_parses_and_is_dated() {
        let t = PriceTable::builtin();
        assert!(t.date().parse::<jiff::civil::Date>().is_ok());
        assert!(t.models().len() > 30);
        for m in t.models() {
            assert!(
                m.price.input >= 0.0 && m.price.output >= m.price.input * 0.0,
                "{}",
                m.id
            );
        }
    }

    #[test]
    fn aliases_resolve() {
        let t = PriceTable::builtin();
        let cases = [
            ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
            ("claude-sonnet-4-5@20250929", "claude-sonnet-4-5"),
            ("anthropic/claude-sonnet-4.5", "claude-sonnet-4-5"),
            (
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "claude-sonnet-4-5",
            ),
            ("Claude-Opus-4-1-20250805", "claude-opus-4-1"),
            ("claude-opus-4-20250514", "claude-opus-4"),
            ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
            ("claude-3-5-haiku-20241022", "claude-3-5-haiku"),
            ("claude-3-7-sonnet-20250219", "claude-3-7-sonnet"),
            ("claude-4.5-sonnet-thinking", "claude-sonnet-4-5"),
            ("openai/gpt-5-codex", "gpt-5-codex"),
            ("gpt-5-2025-08-07", "gpt-5"),
            ("gpt-5.1-codex-max", "gpt-5.1-codex-max"),
            ("gpt-4.1-2025-04-14", "gpt-4.1"),
            ("gpt-4o-2024-08-06", "gpt-4o"),
            ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
            ("o3-2025-04-16", "o3"),
            ("gpt-5-high", "gpt-5"),
            ("models/gemini-2.5-flash", "gemini-2.5-flash"),
            ("google/gemini-2.5-pro", "gemini-2.5-pro"),
            ("gemini-2.5-pro-preview-06-05", "gemini-2.5-pro"),
            ("gemini-3-pro-preview", "gemini-3-pro-preview"),
            ("gemini-2.5-flash-lite", "gemini-2.5-flash-lite"),
            ("gpt-5.3-codex", "gpt-5.3-codex"),
            ("claude-opus-4-6", "claude-opus-4-6"),
            ("github-copilot/claude-sonnet-4.6", "claude-sonnet-4-6"),
        ];
        for (name, want) in cases {
            assert_eq!(id(&t, name).as_deref(), Some(want), "{name}");
        }
        for unknown in [
            "",
            "my-local-llama",
            "gpt-9",
            "claude-sonnet-9",
            "unknown",
            "claude-opus-4-7",
        ] {
            assert_eq!(id(&t, unknown), None, "{unknown}");
        }
    }

    #[test]
    fn price_history_is_date_aware() {
        let t = PriceTable::builtin();
        let before: Timestamp = "2025-05-01T12:00:00Z".parse().unwrap();
        let after: Timestamp = "2025-07-01T12:00:00Z".parse().unwrap();
        assert_eq!(
            t.price_at("o3-2025-04-16", Some(before)).unwrap().output,
            40.0
        );
        assert_eq!(t.price_at("o3", Some(after)).unwrap().output, 8.0);
        assert_eq!(t.price_at("o3", None).unwrap().output, 8.0);
    }

    #[test]
    fn cost_counts_reasoning_once() {
        let p = Price {
            input: 3.0,
            cache_write: 3.75,
            cache_read: 0.3,
            output: 15.0,
        };
        let u = Usage {
            input: 1_000_000,
            cache_creation: 1_000_000,
            cache_read: 1_000_000,
            output: 1_000_000,
            reasoning: 500_000,
        };
        assert!((p.cost(&u) - 22.05).abs() < 1e-9);
    }

    #[test]
    fn overrides_change_add_and_alias() {
        let cfg = PricingConfig::from_config_toml(
            r#"
            [archive]
            user = "x"
            [pricing.models."gpt-5"]
            output = 9.0
            [pricing.models."local-llama"]
            input = 0
            output = 0
            aliases = ["llama-3-local"]
            [pricing.aliases]
            "corp-gpt" = "gpt-5"
            "#,
        )
        .unwrap();
        let t = PriceTable::builtin().with_overrides(&cfg).unwrap();
        let g = t.lookup("corp-gpt").unwrap();
        assert_eq!(
            (g.id.as_str(), g.price.output, g.price.input),
            ("gpt-5", 9.0, 1.25)
        );
        assert_eq!(g.source, PriceSource::Config);
        let l = t.lookup("llama-3-local").unwrap();
        assert_eq!(
            (l.price.input, l.price.cache_read, l.provider.as_str()),
            (0.0, 0.0, "custom")
        );
        // an override drops the price history: the user's price applies at all times
        let cfg = PricingConfig::from_config_toml("[pricing.models.o3]\ninput = 2.0\n").unwrap();
        let t = PriceTable::builtin().with_overrides(&cfg).unwrap();
        assert_eq!(
            t.price_at("o3", Some("2025-01-01T00:00:00Z".parse().unwrap()))
                .unwrap()
                .output,
            8.0
        );
    }

    #[test]
    fn bad_overrides_are_errors() {
        let bad = [
            "[pricing.models.new-model]\ninput = 1.0\n",
            "[pricing.models.gpt-5]\ninput = -1.0\n",
            "[pricing.aliases]\nx = \"no-such-model\"\n",
            "[pricing]\nmodel = 3\n",
        ];
        for text in bad {
            let r = PricingConfig::from_config_toml(text)
                .and_then(|c| PriceTable::builtin().with_overrides(&c));
            assert!(r.is_err(), "{text}");
        }
        assert!(PricingConfig::from_config_toml("").unwrap().is_empty());
    }
}
