//! The per-host manifest: `<history>/.convx/<user>@<host>.sha256`, one line per file this
//! host wrote, `<sha256>  <repo-relative path>`, sorted by path. It is in `sha256sum`
//! format, so `cd REPO && sha256sum -c history/.convx/ana@mbp.sha256` checks it too. Each
//! host writes only its own manifest, so clones never conflict over it.

use std::collections::BTreeMap;

/// File path → SHA-256 (hex).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The entries.
    pub entries: BTreeMap<String, String>,
}

impl Manifest {
    /// Parse a manifest; the error names the first bad line.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut entries = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let (hash, path) = line
                .split_once("  ")
                .ok_or_else(|| format!("line {}: expected `<sha256>  <path>`", i + 1))?;
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("line {}: bad hash", i + 1));
            }
            entries.insert(path.to_string(), hash.to_ascii_lowercase());
        }
        Ok(Manifest { entries })
    }

    /// The manifest's text.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.entries.len() * 120);
        for (path, hash) in &self.entries {
            out.push_str(hash);
            out.push_str("  ");
            out.push_str(path);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let mut m = Manifest::default();
        m.entries.insert("b/x.md".into(), "a".repeat(64));
        m.entries.insert("a/.y.json".into(), "b".repeat(64));
        let text = m.render();
        assert!(text.starts_with(&"b".repeat(64)));
        assert_eq!(Manifest::parse(&text).unwrap(), m);
        assert!(Manifest::parse("xyz  a\n").is_err());
        assert!(Manifest::parse("nospace\n").is_err());
    }
}
