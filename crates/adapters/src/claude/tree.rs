//! The `uuid` / `parentUuid` tree of a Claude transcript and its final path.
//!
//! A transcript is a tree: rewinds and edits leave abandoned branches in the file. The
//! final path is found as the official SDK does (`_build_conversation_chain`): take the
//! terminal entries (no one points to them), walk each back to its nearest user/assistant
//! entry (the leaf), prefer leaves that are not sidechain/team/meta, pick the one latest in
//! file order and walk `parentUuid` to the root. Unlike the SDK we keep pre-compaction
//! history: at a compact boundary the walk continues through `logicalParentUuid`, and at a
//! legacy compaction root (summary message without a boundary) through the latest leaf
//! before it. Cycles and self references are guarded everywhere.
//!
//! Memory: one small fixed-size node per entry (uuids packed into `u128`).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{DefaultHasher, Hash, Hasher};

/// A packed entry id: the UUID's 128 bits, or a hash of a non-UUID id. Never 0.
pub(crate) type Key = u128;

/// "No node".
pub(crate) const NONE: u32 = u32::MAX;

/// Node flags.
pub(crate) mod flag {
    /// A `user` or `assistant` entry (a message).
    pub const MESSAGE: u8 = 1;
    /// A message the SDK prefers as leaf: not sidechain, team or meta.
    pub const PREFERRED: u8 = 2;
    /// A root that starts a new segment after a compaction without `logicalParentUuid`
    /// (legacy compact summary message, boundary without back pointer).
    pub const COMPACT_ROOT: u8 = 4;
}

/// Pack an entry id. UUIDs map to their bits; anything else to a stable hash.
pub(crate) fn key_of(id: &str) -> Key {
    if let Some(k) = parse_uuid(id)
        && k != 0
    {
        return k;
    }
    let mut a = DefaultHasher::new();
    id.hash(&mut a);
    let mut b = DefaultHasher::new();
    (id, 0x5eed_u32).hash(&mut b);
    let k = (u128::from(a.finish()) << 64) | u128::from(b.finish());
    k.max(1)
}

fn parse_uuid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            continue;
        }
        let d = (c as char).to_digit(16)?;
        v = (v << 4) | u128::from(d);
    }
    Some(v)
}

/// True when `s` is a UUID (any case), the shape of a session file stem.
pub(crate) fn is_uuid(s: &str) -> bool {
    parse_uuid(s).is_some()
}

#[derive(Debug, Clone, Copy)]
struct Node {
    parent: Key,
    logical: Key,
    flags: u8,
}

/// The entries of one session, in file order.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    nodes: Vec<Node>,
    index: HashMap<Key, u32>,
}

impl Graph {
    /// Add an entry. Returns its node index, or `None` when an entry with the same id was
    /// already added (an exact duplicate line).
    pub fn add(
        &mut self,
        key: Key,
        parent: Option<Key>,
        logical: Option<Key>,
        flags: u8,
    ) -> Option<u32> {
        let i = u32::try_from(self.nodes.len())
            .ok()
            .filter(|&i| i != NONE)?;
        match self.index.entry(key) {
            Entry::Occupied(_) => return None,
            Entry::Vacant(v) => {
                v.insert(i);
            }
        }
        self.nodes.push(Node {
            parent: parent.unwrap_or(0),
            logical: logical.unwrap_or(0),
            flags,
        });
        Some(i)
    }

    /// True when an entry with this id is in the graph.
    pub fn contains(&self, key: Key) -> bool {
        self.index.contains_key(&key)
    }

    fn resolve(&self, i: usize, k: Key) -> u32 {
        if k == 0 {
            return NONE;
        }
        match self.index.get(&k) {
            Some(&p) if p as usize != i => p,
            _ => NONE,
        }
    }

    /// For every node, whether it lies off the conversation's final path.
    ///
    /// Messages are abandoned when they are not on the path. Other entries (system,
    /// progress, attachment) take the state of their nearest ancestor that is a message or
    /// on the path, so side records hanging off the final path are not abandoned.
    pub fn abandoned(&self) -> Vec<bool> {
        let n = self.nodes.len();
        if n == 0 {
            return Vec::new();
        }
        let parent: Vec<u32> = (0..n)
            .map(|i| self.resolve(i, self.nodes[i].parent))
            .collect();
        let logical: Vec<u32> = (0..n)
            .map(|i| self.resolve(i, self.nodes[i].logical))
            .collect();
        let mut has_child = vec![false; n];
        for &p in &parent {
            if p != NONE {
                has_child[p as usize] = true;
            }
        }
        let is_msg = |i: usize| self.nodes[i].flags & flag::MESSAGE != 0;

        // Candidate (preferred, leaf, terminal) per terminal whose walk reaches a message.
        let mut stamp = vec![0u32; n];
        let mut round = 0u32;
        let mut cands: Vec<(bool, u32, u32)> = Vec::new();
        for t in (0..n).filter(|&t| !has_child[t]) {
            round += 1;
            let mut cur = t as u32;
            while cur != NONE {
                let c = cur as usize;
                if stamp[c] == round {
                    break;
                }
                stamp[c] = round;
                if is_msg(c) {
                    cands.push((self.nodes[c].flags & flag::PREFERRED != 0, cur, t as u32));
                    break;
                }
                cur = parent[c];
            }
        }
        let Some(&best) = cands.iter().max() else {
            return vec![false; n];
        };

        let mut on_path = vec![false; n];
        let mut cur = best.2;
        while cur != NONE && !on_path[cur as usize] {
            let c = cur as usize;
            on_path[c] = true;
            let mut next = parent[c];
            if next == NONE {
                next = logical[c];
            }
            if next == NONE && self.nodes[c].flags & flag::COMPACT_ROOT != 0 {
                // Legacy compaction: continue from the latest leaf written before this root.
                next = cands
                    .iter()
                    .filter(|&&(_, leaf, term)| (leaf as usize) < c && !on_path[term as usize])
                    .max()
                    .map_or(NONE, |&(_, _, term)| term);
            }
            cur = next;
        }

        // 0 = unknown, 1 = kept, 2 = abandoned.
        let mut state = vec![0u8; n];
        let mut chain: Vec<usize> = Vec::new();
        for i in 0..n {
            if state[i] != 0 {
                continue;
            }
            round += 1;
            chain.clear();
            let mut cur = i as u32;
            let verdict = loop {
                if cur == NONE {
                    break 1;
                }
                let c = cur as usize;
                if state[c] != 0 {
                    break state[c];
                }
                if on_path[c] {
                    break 1;
                }
                if is_msg(c) {
                    break 2;
                }
                if stamp[c] == round {
                    break 1;
                }
                stamp[c] = round;
                chain.push(c);
                cur = parent[c];
            };
            if cur != NONE && state[cur as usize] == 0 {
                state[cur as usize] = verdict;
            }
            for &c in &chain {
                state[c] = verdict;
            }
        }
        state.into_iter().map(|s| s == 2).collect()
    }

    /// Number of nodes.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: u8 = flag::MESSAGE | flag::PREFERRED;

    fn k(n: u128) -> Key {
        n
    }

    fn build(entries: &[(u128, Option<u128>, Option<u128>, u8)]) -> Graph {
        let mut g = Graph::default();
        for &(key, parent, logical, flags) in entries {
            g.add(k(key), parent.map(k), logical.map(k), flags);
        }
        g
    }

    #[test]
    fn uuid_keys() {
        assert_eq!(key_of("00000000-0000-0000-0000-00000000000a"), 10);
        assert!(is_uuid("7C1F0A52-3e9b-4c7d-9a11-2b6f5d8e0c44"));
        assert!(!is_uuid("agent-a1b2c3"));
        assert_ne!(key_of("x"), key_of("y"));
        assert_eq!(key_of("x"), key_of("x"));
        assert_ne!(key_of("00000000-0000-0000-0000-000000000000"), 0);
    }

    #[test]
    fn rewind_marks_the_old_branch() {
        // 1 user, 2 assistant, 3 user (old), 4 assistant (old), 5 user (edit of 3), 6 assistant
        let g = build(&[
            (1, None, None, M),
            (2, Some(1), None, M),
            (3, Some(2), None, M),
            (4, Some(3), None, M),
            (5, Some(2), None, M),
            (6, Some(5), None, M),
        ]);
        assert_eq!(g.abandoned(), vec![false, false, true, true, false, false]);
    }

    #[test]
    fn side_records_follow_their_message() {
        // 3 is a system record hanging off 2 (on path); 5 hangs off abandoned 4.
        let g = build(&[
            (1, None, None, M),
            (2, Some(1), None, M),
            (3, Some(2), None, 0),
            (4, Some(1), None, M),
            (5, Some(4), None, 0),
            (6, Some(2), None, M),
        ]);
        assert_eq!(g.abandoned(), vec![false, false, false, true, true, false]);
    }

    #[test]
    fn trailing_system_record_is_on_path() {
        let g = build(&[
            (1, None, None, M),
            (2, Some(1), None, M),
            (3, Some(2), None, 0),
        ]);
        assert_eq!(g.abandoned(), vec![false; 3]);
    }

    #[test]
    fn compaction_keeps_history() {
        // boundary 4 has no parent but a logical parent 3; summary 5 follows.
        let g = build(&[
            (1, None, None, M),
            (2, Some(1), None, M),
            (3, Some(2), None, M),
            (4, None, Some(3), 0),
            (5, Some(4), None, flag::MESSAGE),
            (6, Some(5), None, M),
        ]);
        assert_eq!(g.abandoned(), vec![false; 6]);
    }

    #[test]
    fn legacy_compaction_root_keeps_history() {
        let g = build(&[
            (1, None, None, M),
            (2, Some(1), None, M),
            (3, None, None, flag::MESSAGE | flag::COMPACT_ROOT),
            (4, Some(3), None, M),
        ]);
        assert_eq!(g.abandoned(), vec![false; 4]);
    }

    #[test]
    fn cycles_and_self_references_terminate() {
        // 1 points to itself; 2 and 3 point to each other; 4 is a normal child of 1.
        let g = build(&[
            (1, Some(1), None, M),
            (2, Some(3), None, M),
            (3, Some(2), None, M),
            (4, Some(1), None, M),
        ]);
        let a = g.abandoned();
        assert_eq!(a.len(), 4);
        assert!(!a[0] && !a[3]);
        assert!(a[1] && a[2]);
        // A pure cycle with no terminal at all.
        let g = build(&[(1, Some(2), None, M), (2, Some(1), None, M)]);
        assert_eq!(g.abandoned(), vec![false, false]);
    }

    #[test]
    fn duplicates_are_refused() {
        let mut g = Graph::default();
        assert_eq!(g.add(1, None, None, M), Some(0));
        assert_eq!(g.add(1, None, None, M), None);
        assert_eq!(g.len(), 1);
    }

    #[test]
    fn sidechain_leaves_lose_to_main_leaves() {
        // 3 is a later non-preferred (meta) leaf; the preferred leaf 2 wins.
        let g = build(&[
            (1, None, None, M),
            (2, Some(1), None, M),
            (3, Some(1), None, flag::MESSAGE),
        ]);
        assert_eq!(g.abandoned(), vec![false, false, true]);
    }
}
