//! `workspaceStorage/<hash>/workspace.json`: which folder a workspace (and so its chats)
//! belongs to. `{"folder": "<uri>"}` for a folder, `{"workspace": "<uri of .code-workspace>"}`
//! for a multi-root workspace (whose JSON-with-comments lists `folders[].path` relative to
//! the file, or `folders[].uri`). URIs are percent-encoded: `file:///home/ana/my%20app`,
//! Windows `file:///c%3A/Users/ana/app`, UNC `file://server/share/x`, remote
//! `vscode-remote://ssh-remote%2Bhost/home/ana/app`.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};
use std::path::{Component, Path, PathBuf};

/// A decoded location: a path, and the remote authority when it is not local.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    pub path: String,
    pub remote: Option<String>,
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Decode a VS Code URI (or a plain path) into a path. Windows drive paths become
/// `C:\dir\file`; UNC authorities `\\server\share\...`.
pub(crate) fn parse_uri(uri: &str) -> Option<Location> {
    let uri = uri.trim();
    if uri.is_empty() {
        return None;
    }
    let Some((scheme, rest)) = uri.split_once("://") else {
        return Some(Location {
            path: uri.to_string(),
            remote: None,
        });
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let authority = decode(authority);
    let path = decode(path.split(['?', '#']).next().unwrap_or(""));
    match scheme {
        "file" if authority.is_empty() || authority == "localhost" => Some(Location {
            path: local_path(&path),
            remote: None,
        }),
        "file" => Some(Location {
            path: format!(r"\\{authority}{}", path.replace('/', "\\")),
            remote: None,
        }),
        "vscode-remote" => Some(Location {
            path,
            remote: Some(authority),
        }),
        other => Some(Location {
            path,
            remote: Some(format!("{other}://{authority}")),
        }),
    }
}

/// `/c:/Users/ana` → `C:\Users\ana`; other paths unchanged.
fn local_path(path: &str) -> String {
    let b = path.as_bytes();
    if b.len() >= 3
        && b[0] == b'/'
        && b[1].is_ascii_alphabetic()
        && b[2] == b':'
        && (b.len() == 3 || b[3] == b'/')
    {
        let rest = path[3..].replace('/', "\\");
        let rest = if rest.is_empty() {
            "\\".to_string()
        } else {
            rest
        };
        return format!("{}:{rest}", (b[1] as char).to_ascii_uppercase());
    }
    path.to_string()
}

/// What a `workspace.json` says: the working directory (first folder) and metadata.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct WorkspaceInfo {
    pub cwd: Option<String>,
    pub metadata: Map<String, Value>,
}

/// Read `workspace.json` (missing or unreadable: nothing known).
pub(crate) fn read_workspace_json(dir: &Path) -> WorkspaceInfo {
    let Ok(bytes) = std::fs::read(dir.join("workspace.json")) else {
        return WorkspaceInfo::default();
    };
    let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
        return WorkspaceInfo::default();
    };
    workspace_info(&v, &|p| std::fs::read_to_string(p).ok())
}

/// Interpret a `workspace.json` value; `read_file` reads a `.code-workspace` file.
pub(crate) fn workspace_info(
    v: &Value,
    read_file: &dyn Fn(&Path) -> Option<String>,
) -> WorkspaceInfo {
    let mut info = WorkspaceInfo::default();
    if let Some(loc) = v.get("folder").and_then(Value::as_str).and_then(parse_uri) {
        if let Some(r) = loc.remote {
            info.metadata.insert("remote".into(), json!(r));
        }
        info.cwd = Some(loc.path);
        return info;
    }
    let Some(loc) = v
        .get("workspace")
        .and_then(Value::as_str)
        .and_then(parse_uri)
    else {
        return info;
    };
    info.metadata
        .insert("workspace_file".into(), json!(loc.path));
    if let Some(r) = &loc.remote {
        info.metadata.insert("remote".into(), json!(r));
        return info;
    }
    let file = PathBuf::from(&loc.path);
    let Some(text) = read_file(&file) else {
        return info;
    };
    let Ok(ws) = serde_json::from_str::<Value>(&strip_jsonc(&text)) else {
        return info;
    };
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let folders: Vec<String> = ws
        .get("folders")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| {
                    if let Some(p) = f.get("path").and_then(Value::as_str) {
                        Some(resolve(&base, p))
                    } else {
                        f.get("uri")
                            .and_then(Value::as_str)
                            .and_then(parse_uri)
                            .map(|l| l.path)
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    info.cwd = folders.first().cloned();
    if !folders.is_empty() {
        info.metadata
            .insert("workspace_folders".into(), json!(folders));
    }
    info
}

/// `base` joined with a (possibly relative) folder path, `.`/`..` resolved lexically.
fn resolve(base: &Path, p: &str) -> String {
    let joined = if Path::new(p).is_absolute() || local_path(p) != p {
        PathBuf::from(p)
    } else {
        base.join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out.display().to_string()
}

/// JSON with comments (`//`, `/* */`) and trailing commas → JSON.
pub(crate) fn strip_jsonc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_str = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            _ => out.push(c),
        }
    }
    // Trailing commas: a comma followed (after whitespace) by } or ].
    let mut res = String::with_capacity(out.len());
    let bytes: Vec<char> = out.chars().collect();
    let mut in_str = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_str {
            res.push(c);
            if c == '\\' && i + 1 < bytes.len() {
                res.push(bytes[i + 1]);
                i += 1;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            res.push(c);
        } else if c == ',' {
            let next = bytes[i + 1..].iter().find(|c| !c.is_whitespace());
            if !matches!(next, Some('}') | Some(']')) {
                res.push(c);
            }
        } else {
            res.push(c);
        }
        i += 1;
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(p: &str, r: Option<&str>) -> Option<Location> {
        Some(Location {
            path: p.into(),
            remote: r.map(str::to_string),
        })
    }

    #[test]
    fn file_uris() {
        assert_eq!(
            parse_uri("file:///home/ana/my%20app"),
            loc("/home/ana/my app", None)
        );
        assert_eq!(
            parse_uri("file:///Users/ana/caf%C3%A9"),
            loc("/Users/ana/café", None)
        );
        assert_eq!(
            parse_uri("file:///c%3A/Users/ana/proj"),
            loc(r"C:\Users\ana\proj", None)
        );
        assert_eq!(parse_uri("file:///d:/work"), loc(r"D:\work", None));
        assert_eq!(parse_uri("file:///C%3A"), loc(r"C:\", None));
        assert_eq!(
            parse_uri("file://fileserver/share/proj"),
            loc(r"\\fileserver\share\proj", None)
        );
        assert_eq!(parse_uri("/plain/path"), loc("/plain/path", None));
        assert_eq!(parse_uri(""), None);
    }

    #[test]
    fn remote_uris() {
        assert_eq!(
            parse_uri("vscode-remote://ssh-remote%2Bbuild-box/home/ana/api"),
            loc("/home/ana/api", Some("ssh-remote+build-box"))
        );
        assert_eq!(
            parse_uri("vscode-remote://wsl%2BUbuntu-22.04/home/ana/x"),
            loc("/home/ana/x", Some("wsl+Ubuntu-22.04"))
        );
        assert_eq!(
            parse_uri("vscode-vfs://github/ana/repo"),
            loc("/ana/repo", Some("vscode-vfs://github"))
        );
    }

    #[test]
    fn multi_root_workspace_file() {
        let text = "{\n  // the monorepo\n  \"folders\": [\n    {\"path\": \".\"},\n    {\"path\": \"../shared/libs\", \"name\": \"libs\"},\n    /* remote one */ {\"uri\": \"vscode-remote://ssh-remote%2Bh/srv/x\"},\n  ],\n  \"settings\": {\"a\": \"http://x//y\"},\n}";
        let v = json!({"workspace": "file:///home/ana/work/mono.code-workspace"});
        let info = workspace_info(&v, &|p| {
            (p == Path::new("/home/ana/work/mono.code-workspace")).then(|| text.to_string())
        });
        assert_eq!(info.cwd.as_deref(), Some("/home/ana/work"));
        assert_eq!(
            info.metadata["workspace_folders"],
            json!(["/home/ana/work", "/home/ana/shared/libs", "/srv/x"])
        );
        assert_eq!(
            info.metadata["workspace_file"],
            json!("/home/ana/work/mono.code-workspace")
        );
        // Unreadable workspace file: no cwd, but the file is recorded.
        let none = workspace_info(&v, &|_| None);
        assert_eq!(none.cwd, None);
        assert_eq!(
            none.metadata["workspace_file"],
            json!("/home/ana/work/mono.code-workspace")
        );
    }

    #[test]
    fn folder_and_remote_workspace() {
        let i = workspace_info(
            &json!({"folder": "vscode-remote://dev-container%2B7b22/workspaces/app"}),
            &|_| None,
        );
        assert_eq!(i.cwd.as_deref(), Some("/workspaces/app"));
        assert_eq!(i.metadata["remote"], json!("dev-container+7b22"));
        assert_eq!(
            workspace_info(&json!({}), &|_| None),
            WorkspaceInfo::default()
        );
    }

    #[test]
    fn jsonc() {
        assert_eq!(
            strip_jsonc("{\"a\": \"//not a comment\", /* x */ \"b\": [1,2,],}"),
            "{\"a\": \"//not a comment\",  \"b\": [1,2]}"
        );
    }
}
