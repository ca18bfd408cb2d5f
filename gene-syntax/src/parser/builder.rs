//! Building the green tree.
//!
//! rowan's `GreenNodeBuilder` hash-conses every token and small node through a hash map.
//! Profiling showed that to be the largest cost of parsing: allocation, hashing with a
//! general-purpose hash map, and the atomic reference count of every shared element. This builder
//! shares tokens through a [`TokenCache`], a fixed-size table that never grows, and keeps its
//! buffers from one parse to the next. Nodes are not shared: with the binaries' allocator
//! (mimalloc), allocating a small node costs less than looking it up in a cache, and measured
//! faster (an earlier cache of nodes of up to five shared children found one in seven).

use rowan::{GreenNode, GreenToken, NodeOrToken};

use super::token_cache::TokenCache;
use crate::SyntaxKind;

pub(crate) struct TreeBuilder {
    parents: Vec<(SyntaxKind, usize)>,
    children: Vec<NodeOrToken<GreenNode, GreenToken>>,
    tokens: TokenCache,
}

impl TreeBuilder {
    /// A builder for parsing about `text_len` bytes.
    pub(crate) fn for_text_len(text_len: usize) -> Self {
        TreeBuilder {
            parents: Vec::new(),
            children: Vec::new(),
            tokens: TokenCache::for_text_len(text_len),
        }
    }

    /// A builder with a cache of the largest size, for a database that parses many texts.
    pub(crate) fn large() -> Self {
        Self::for_text_len(usize::MAX / 2)
    }

    pub(crate) fn start_node(&mut self, kind: SyntaxKind) {
        self.parents.push((kind, self.children.len()));
    }

    /// Adds the token of `kind` at `range` in `text`.
    #[inline]
    pub(crate) fn token(&mut self, kind: SyntaxKind, text: &str, range: std::ops::Range<usize>) {
        let token = self.tokens.token_at(kind, text, range);
        self.children.push(NodeOrToken::Token(token));
    }

    pub(crate) fn finish_node(&mut self) {
        // Every `finish_node` pairs with a `start_node` in the parser; an unpaired call would be
        // a parser bug, and ignoring it keeps the tree lossless anyway.
        let Some((kind, first)) = self.parents.pop() else {
            return;
        };
        let node = self.build(kind, first);
        self.children.push(NodeOrToken::Node(node));
    }

    /// The finished root. The parser wraps everything in one root node, so exactly one child
    /// remains; should that ever not hold, the children are wrapped rather than lost. The builder
    /// is left empty, with its buffers and token cache, for the next parse.
    pub(crate) fn finish(&mut self) -> GreenNode {
        while !self.parents.is_empty() {
            self.finish_node();
        }
        match (self.children.pop(), self.children.is_empty()) {
            (Some(NodeOrToken::Node(root)), true) => root,
            (last, _) => {
                self.children.extend(last);
                self.build(SyntaxKind::SOURCE_FILE, 0)
            }
        }
    }

    /// A node of `kind` holding the children from `first` on, which it takes out.
    fn build(&mut self, kind: SyntaxKind, first: usize) -> GreenNode {
        let first = first.min(self.children.len());
        GreenNode::new(kind.into(), self.children.drain(first..))
    }
}
