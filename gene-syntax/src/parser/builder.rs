//! Building the green tree.
//!
//! rowan's `GreenNodeBuilder` hash-conses every token and small node through a `NodeCache`.
//! Profiling showed token creation to be the largest cost of parsing: allocation, hashing with
//! a general-purpose hash map, and the atomic reference count of every shared token. This
//! builder shares tokens through a [`TokenCache`] (a fixed-size table, no growth, one-byte
//! tokens found without hashing) and allocates the nodes directly.

use rowan::{GreenNode, GreenToken, NodeOrToken};

use super::token_cache::TokenCache;
use crate::SyntaxKind;

pub(crate) struct TreeBuilder {
    parents: Vec<(SyntaxKind, usize)>,
    children: Vec<NodeOrToken<GreenNode, GreenToken>>,
    tokens: TokenCache,
}

impl TreeBuilder {
    pub(crate) fn new(tokens: TokenCache) -> Self {
        TreeBuilder {
            parents: Vec::new(),
            children: Vec::new(),
            tokens,
        }
    }

    pub(crate) fn start_node(&mut self, kind: SyntaxKind) {
        self.parents.push((kind, self.children.len()));
    }

    #[inline]
    pub(crate) fn token(&mut self, kind: SyntaxKind, text: &str) {
        let token = self.tokens.token(kind, text);
        self.children.push(NodeOrToken::Token(token));
    }

    pub(crate) fn finish_node(&mut self) {
        // Every `finish_node` pairs with a `start_node` in the parser; an unpaired call would be
        // a parser bug, and ignoring it keeps the tree lossless anyway.
        let Some((kind, first)) = self.parents.pop() else {
            return;
        };
        let node = GreenNode::new(kind.into(), self.children.drain(first..));
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
                GreenNode::new(SyntaxKind::SOURCE_FILE.into(), self.children.drain(..))
            }
        }
    }
}
