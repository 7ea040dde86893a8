//! Projects: a session's project is its working directory. `--project` takes a path (the
//! directory and everything below it) or a name (the last component of a directory some
//! session ran in, and everything below such directories).

/// `/home/ana/src/convx/` → `convx` (also for Windows paths).
pub fn project_name(cwd: &str) -> String {
    let trimmed = trim_sep(cwd);
    trimmed
        .rsplit(['/', '\\'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(trimmed)
        .to_string()
}

/// The path without trailing separators (`/` stays `/`).
pub fn trim_sep(p: &str) -> &str {
    let t = p.trim_end_matches(['/', '\\']);
    if t.is_empty() && !p.is_empty() {
        &p[..1]
    } else {
        t
    }
}

/// `/a/b/c` → `["/a/b/c", "/a/b", "/a"]`: the directory and its ancestors (not the root).
pub fn ancestors(cwd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = trim_sep(cwd);
    while !cur.is_empty() {
        if cur == "/" || cur == "\\" {
            break;
        }
        out.push(cur.to_string());
        match cur.rfind(['/', '\\']) {
            Some(0) | None => break,
            Some(i) => {
                // `C:\x` → stop at the drive
                if cur[..i].ends_with(':') {
                    break;
                }
                cur = &cur[..i];
            }
        }
    }
    out
}

/// True when `cwd` is `root` or below it.
pub fn is_under(cwd: &str, root: &str) -> bool {
    let cwd = trim_sep(cwd);
    let root = trim_sep(root);
    cwd == root
        || (cwd.starts_with(root) && matches!(cwd.as_bytes().get(root.len()), Some(b'/' | b'\\')))
}

/// A `--project` filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectFilter {
    /// Sessions whose cwd is this absolute directory or below it.
    Path(String),
    /// Sessions in a directory with this name, or below one.
    Name(String),
}

impl ProjectFilter {
    /// A path when `s` contains a path separator or starts with `~` or `.`, else a name.
    /// (The CLI makes relative paths absolute before building the filter.)
    pub fn parse(s: &str) -> ProjectFilter {
        if s.contains(['/', '\\']) {
            ProjectFilter::Path(trim_sep(s).to_string())
        } else {
            ProjectFilter::Name(s.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ancestors() {
        assert_eq!(project_name("/home/ana/src/convx/"), "convx");
        assert_eq!(project_name("C:\\Users\\ana\\proj"), "proj");
        assert_eq!(
            ancestors("/home/ana/x/"),
            ["/home/ana/x", "/home/ana", "/home"]
        );
        assert_eq!(ancestors("C:\\Users\\ana"), ["C:\\Users\\ana", "C:\\Users"]);
        assert!(ancestors("/").is_empty());
        assert!(is_under("/a/b/c", "/a/b"));
        assert!(is_under("/a/b", "/a/b/"));
        assert!(!is_under("/a/bc", "/a/b"));
        assert_eq!(
            ProjectFilter::parse("/x/y/"),
            ProjectFilter::Path("/x/y".into())
        );
        assert_eq!(
            ProjectFilter::parse("convx"),
            ProjectFilter::Name("convx".into())
        );
    }
}
