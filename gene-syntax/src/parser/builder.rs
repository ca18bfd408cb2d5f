//! Building the green tree.
//!
//! rowan's `GreenNodeBuilder` hash-conses every token and small node through a hash map.
//! Profiling showed that to be the largest cost of parsing: allocation, hashing with a
//! general-purpose hash map, and the atomic reference count of every shared element. This builder
//! shares tokens through a [`TokenCache`] and small nodes through a [`NodeCache`], fixed-size
//! tables that never grow, and keeps its buffers from one parse to the next.

use rowan::{GreenNode, NodeOrToken};

use super::node_cache::{self, Child, NodeCache};
use super::token_cache::TokenCache;
use crate::SyntaxKind;

pub(crate) struct TreeBuilder {
    parents: Vec<(SyntaxKind, usize)>,
    children: Vec<Child>,
    tokens: TokenCache,
    nodes: NodeCache,
}

impl TreeBuilder {
    /// A builder for parsing about `text_len` bytes.
    pub(crate) fn for_text_len(text_len: usize) -> Self {
        TreeBuilder {
            parents: Vec::new(),
            children: Vec::new(),
            tokens: TokenCache::for_text_len(text_len),
            nodes: NodeCache::for_text_len(text_len),
        }
    }

    /// A builder with caches of the largest size, for a database that parses many texts.
    pub(crate) fn large() -> Self {
        Self::for_text_len(usize::MAX / 2)
    }

    pub(crate) fn start_node(&mut self, kind: SyntaxKind) {
        self.parents.push((kind, self.children.len()));
    }

    /// Adds the token of `kind` at `range` in `text`.
    #[inline]
    pub(crate) fn token(&mut self, kind: SyntaxKind, text: &str, range: std::ops::Range<usize>) {
        let (token, hash) = self.tokens.token_at(kind, text, range);
        self.children.push((hash, NodeOrToken::Token(token)));
    }

    pub(crate) fn finish_node(&mut self) {
        // Every `finish_node` pairs with a `start_node` in the parser; an unpaired call would be
        // a parser bug, and ignoring it keeps the tree lossless anyway.
        let Some((kind, first)) = self.parents.pop() else {
            return;
        };
        let (node, hash) = self.nodes.node(kind, &mut self.children, first);
        self.children.push((hash, NodeOrToken::Node(node)));
    }

    /// The finished root. The parser wraps everything in one root node, so exactly one child
    /// remains; should that ever not hold, the children are wrapped rather than lost. The builder
    /// is left empty, with its buffers and token cache, for the next parse.
    pub(crate) fn finish(&mut self) -> GreenNode {
        while !self.parents.is_empty() {
            self.finish_node();
        }
        match (self.children.pop(), self.children.is_empty()) {
            (Some((_, NodeOrToken::Node(root))), true) => root,
            (last, _) => {
                self.children.extend(last);
                node_cache::build(SyntaxKind::SOURCE_FILE.into(), &mut self.children, 0)
            }
        }
    }
}
