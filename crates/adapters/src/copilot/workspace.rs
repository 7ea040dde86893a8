//! The session folder's `workspace.yaml` (current layout): flat `key: value` scalars such as
//! `id`, `cwd`, `git_root`, `repository`, `branch`, `name` / `summary` (the session title),
//! `created_at`, `updated_at`. Only top-level scalars are read; anything else is ignored.

use std::collections::BTreeMap;
use std::path::Path;

/// Top-level scalar fields of a `workspace.yaml`, unquoted.
pub fn read(path: &Path) -> BTreeMap<String, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return BTreeMap::new();
    };
    parse(&text)
}

/// Parse the top-level `key: scalar` lines of a YAML document.
pub fn parse(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t', '-', '#']) {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let k = k.trim();
        if k.is_empty() || k.contains(' ') {
            continue;
        }
        let v = unquote(strip_comment(v.trim()));
        if v.is_empty() || v == "|" || v == ">" || v == "~" || v == "null" {
            continue;
        }
        out.insert(k.to_string(), v);
    }
    out
}

fn strip_comment(v: &str) -> &str {
    if v.starts_with(['"', '\'']) {
        return v;
    }
    v.find(" #").map_or(v, |i| v[..i].trim_end())
}

fn unquote(v: &str) -> String {
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        serde_json::from_str::<String>(v).unwrap_or_else(|_| v[1..v.len() - 1].to_string())
    } else if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        v[1..v.len() - 1].replace("''", "'")
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scalars() {
        let y = "id: 1b2c\ncwd: /home/ana/src/webshop\nname: \"Fix: rounding\"\nsummary: 'it''s done'\nlist:\n  - a\nuser_named: false # set by /rename\n";
        let m = parse(y);
        assert_eq!(m["cwd"], "/home/ana/src/webshop");
        assert_eq!(m["name"], "Fix: rounding");
        assert_eq!(m["summary"], "it's done");
        assert_eq!(m["user_named"], "false");
        assert!(!m.contains_key("list"));
    }
}
