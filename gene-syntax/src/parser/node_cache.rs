//! Sharing small green nodes, the way rowan's `NodeCache` does: a node with a few children, each
//! of them shared (a cached token or a cached node), is looked up before it is allocated.
//!
//! Programs repeat small forms: `#{name}` pieces, short interpolated strings, `[]`, `(f x)`,
//! `^key value` pairs. A shared node costs one reference count instead of an allocation, its
//! children's slots and, later, freeing them all; trees take less memory. Like the token cache,
//! the table has a fixed size (two-way set-associative, a new node replaces the second entry of
//! its set), and sharing is invisible: green nodes are immutable and compare by content.
//!
//! A node's children are compared by identity (the same shared token or node), so a lookup never
//! compares text; their hashes, which the caches give out with them, pick the set.

use std::hash::{Hash, Hasher};

use rowan::{GreenNode, GreenToken, NodeOrToken};
use rustc_hash::FxHasher;

use crate::SyntaxKind;

/// A child of a node being built and its hash: not zero when it is shared through a cache.
pub(crate) type Child = (u64, NodeOrToken<GreenNode, GreenToken>);

/// Nodes with more children are rarely repeated; they are built without a lookup.
const MAX_CHILDREN: usize = 5;

pub(crate) struct NodeCache {
    /// Two entries per set: the one used again last first.
    sets: Box<[[Entry; 2]]>,
}

#[derive(Clone, Default)]
struct Entry {
    hash: u64,
    node: Option<GreenNode>,
}

impl NodeCache {
    /// 512 nodes in an 8 KiB table, small for the same reason as the token cache's.
    const MAX_SETS: usize = 256;

    /// A cache for parsing about `text_len` bytes.
    pub(crate) fn for_text_len(text_len: usize) -> Self {
        let sets = (text_len / 128)
            .next_power_of_two()
            .clamp(16, Self::MAX_SETS);
        NodeCache {
            sets: vec![Default::default(); sets].into_boxed_slice(),
        }
    }

    /// The node of `kind` holding `children[first..]` (which it takes out of `children`): a
    /// shared one if the cache holds it, a new one otherwise; and its hash, not zero when the
    /// cache holds it.
    pub(crate) fn node(
        &mut self,
        kind: SyntaxKind,
        children: &mut Vec<Child>,
        first: usize,
    ) -> (GreenNode, u64) {
        let raw_kind = rowan::SyntaxKind::from(kind);
        let first = first.min(children.len());
        let pending = children.get(first..).unwrap_or_default();
        if pending.len() > MAX_CHILDREN || pending.iter().any(|(hash, _)| *hash == 0) {
            return (build(raw_kind, children, first), 0);
        }
        let mut hasher = FxHasher::default();
        raw_kind.0.hash(&mut hasher);
        for (hash, _) in pending {
            hasher.write_u64(*hash);
        }
        let hash = hasher.finish().max(1);
        let index = (hash >> 32) as usize & (self.sets.len() - 1);
        let Some(set) = self.sets.get_mut(index) else {
            return (build(raw_kind, children, first), 0);
        };
        for way in 0..2 {
            if set[way].hash == hash
                && let Some(node) = &set[way].node
                && node.kind() == raw_kind
                && same_children(node, pending)
            {
                let node = node.clone();
                set.swap(0, way);
                children.truncate(first);
                return (node, hash);
            }
        }
        let node = build(raw_kind, children, first);
        // A new entry goes second, as in the token cache: nodes seen once never push out the
        // ones in use.
        let way = usize::from(set[0].node.is_some());
        set[way] = Entry {
            hash,
            node: Some(node.clone()),
        };
        (node, hash)
    }
}

/// Builds a node of `children[first..]`, taking them out.
pub(crate) fn build(kind: rowan::SyntaxKind, children: &mut Vec<Child>, first: usize) -> GreenNode {
    let first = first.min(children.len());
    GreenNode::new(kind, children.drain(first..).map(|(_, child)| child))
}

/// Does `node` hold exactly the elements of `pending`, the very same ones?
fn same_children(node: &GreenNode, pending: &[Child]) -> bool {
    let children = node.children();
    children.len() == pending.len()
        && children
            .zip(pending)
            .all(|(old, (_, new))| match (old, new) {
                (NodeOrToken::Node(old), NodeOrToken::Node(new)) => std::ptr::eq(old, &**new),
                (NodeOrToken::Token(old), NodeOrToken::Token(new)) => std::ptr::eq(old, &**new),
                _ => false,
            })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::token_cache::TokenCache;

    fn node(
        nodes: &mut NodeCache,
        tokens: &mut TokenCache,
        parts: &[(SyntaxKind, &str)],
    ) -> (GreenNode, u64) {
        let mut children: Vec<Child> = Vec::new();
        for (kind, text) in parts {
            let (token, hash) = tokens.token(*kind, text);
            children.push((hash, NodeOrToken::Token(token)));
        }
        let built = nodes.node(SyntaxKind::INTERP, &mut children, 0);
        assert!(children.is_empty());
        built
    }

    #[test]
    fn equal_small_nodes_are_shared_and_others_are_not() {
        let (mut nodes, mut tokens) = (NodeCache::for_text_len(0), TokenCache::for_text_len(0));
        let interp = [
            (SyntaxKind::INTERP_START, "#{"),
            (SyntaxKind::SYMBOL, "x"),
            (SyntaxKind::INTERP_END, "}"),
        ];
        let (a, hash) = node(&mut nodes, &mut tokens, &interp);
        let (b, _) = node(&mut nodes, &mut tokens, &interp);
        assert_ne!(hash, 0);
        assert!(std::ptr::eq(&*a, &*b));
        assert_eq!(a.to_string(), "#{x}");
        let other = [
            (SyntaxKind::INTERP_START, "#{"),
            (SyntaxKind::SYMBOL, "y"),
            (SyntaxKind::INTERP_END, "}"),
        ];
        let (c, _) = node(&mut nodes, &mut tokens, &other);
        assert_eq!(c.to_string(), "#{y}");
    }

    #[test]
    fn nodes_with_an_unshared_child_are_built_each_time() {
        let (mut nodes, mut tokens) = (NodeCache::for_text_len(0), TokenCache::for_text_len(0));
        let long = "s".repeat(100);
        let parts = [(SyntaxKind::STRING, long.as_str())];
        let (a, hash) = node(&mut nodes, &mut tokens, &parts);
        let (b, _) = node(&mut nodes, &mut tokens, &parts);
        assert_eq!(hash, 0);
        assert!(!std::ptr::eq(&*a, &*b));
        assert_eq!(a, b);
    }
}
