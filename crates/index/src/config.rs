//! The index's sections of the configuration file: `[index]` and `[pricing]`.
//!
//! ```toml
//! [index]
//! dir = "/data/convx-index"   # default: $XDG_DATA_HOME/convx/index
//! tool_outputs = true         # index tool outputs for search (default true)
//!
//! [pricing.models."my-proxy-model"]
//! input = 1.0                 # USD per million tokens
//! output = 4.0
//!
//! [pricing.aliases]
//! "corp-gpt" = "gpt-5"
//! ```

use crate::IndexError;
use crate::pricing::PricingConfig;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `[index]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSection {
    /// Where the index lives.
    pub dir: Option<PathBuf>,
    /// Index tool outputs for full-text search (default true).
    pub tool_outputs: Option<bool>,
}

/// The sections of the configuration file the index reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexSettings {
    /// `[index]`.
    pub index: IndexSection,
    /// `[pricing]`.
    pub pricing: PricingConfig,
}

impl IndexSettings {
    /// Read `[index]` and `[pricing]` from a whole configuration file; other sections are
    /// left to their owners.
    pub fn from_config_toml(text: &str) -> Result<IndexSettings, IndexError> {
        #[derive(Deserialize)]
        struct Doc {
            #[serde(default)]
            index: Option<toml::Value>,
            #[serde(default)]
            pricing: Option<toml::Value>,
        }
        let bad =
            |section: &str, e: toml::de::Error| IndexError::Config(format!("[{section}]: {e}"));
        let doc: Doc = toml::from_str(text).map_err(|e| IndexError::Config(e.to_string()))?;
        Ok(IndexSettings {
            index: match doc.index {
                None => IndexSection::default(),
                Some(v) => v.try_into().map_err(|e| bad("index", e))?,
            },
            pricing: match doc.pricing {
                None => PricingConfig::default(),
                Some(v) => v.try_into().map_err(|e| bad("pricing", e))?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_read_and_others_ignored() {
        let s = IndexSettings::from_config_toml(
            "[redact]\nenabled = true\n[index]\ntool_outputs = false\n[pricing.aliases]\nx = \"gpt-5\"\n",
        )
        .unwrap();
        assert_eq!(s.index.tool_outputs, Some(false));
        assert_eq!(
            s.pricing.aliases.get("x").map(String::as_str),
            Some("gpt-5")
        );
        assert!(IndexSettings::from_config_toml("[index]\nnope = 1\n").is_err());
        assert_eq!(
            IndexSettings::from_config_toml("").unwrap(),
            IndexSettings::default()
        );
    }
}
