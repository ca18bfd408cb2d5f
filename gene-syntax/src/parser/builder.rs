//! Building the green tree.
//!
//! rowan's `GreenNodeBuilder` hash-conses every token and small node through a `NodeCache`.
//! Profiling showed token creation to be the largest cost of parsing: hashing, and the atomic
//! reference count of every shared token. This builder shares only one-byte tokens (brackets,
//! single spaces, one-letter names), found by their byte without hashing, and allocates the
//! other tokens and the nodes directly.

use rowan::{GreenNode, GreenToken, NodeOrToken};

use crate::SyntaxKind;

#[derive(Default)]
pub(crate) struct TreeBuilder {
    parents: Vec<(SyntaxKind, usize)>,
    children: Vec<NodeOrToken<GreenNode, GreenToken>>,
    /// One-byte ASCII tokens (brackets, single spaces and newlines, one-letter names) by byte:
    /// the most common tokens, shared without any hashing.
    one_byte: Vec<Option<GreenToken>>,
    whitespace: Vec<Option<GreenToken>>,
}

impl TreeBuilder {
    pub(crate) fn start_node(&mut self, kind: SyntaxKind) {
        self.parents.push((kind, self.children.len()));
    }

    pub(crate) fn token(&mut self, kind: SyntaxKind, text: &str) {
        let token = match text.as_bytes() {
            &[b] if b.is_ascii() => self.one_byte_token(kind, b),
            bytes if kind == SyntaxKind::WHITESPACE && bytes.len() <= 16 => {
                self.whitespace_token(text)
            }
            _ => GreenToken::new(kind.into(), text),
        };
        self.children.push(NodeOrToken::Token(token));
    }

    /// Short whitespace (a newline and the next line's indentation, mostly) is shared too.
    fn whitespace_token(&mut self, text: &str) -> GreenToken {
        if self.whitespace.is_empty() {
            self.whitespace.resize(64, None);
        }
        let bytes = text.as_bytes();
        // Whitespace is made of five bytes; the length and the last byte spread it well enough.
        let slot = (bytes.len() * 8 + usize::from(bytes[bytes.len() - 1] & 7)) % 64;
        match &mut self.whitespace[slot] {
            Some(t) if t.text() == text => t.clone(),
            slot => {
                let token = GreenToken::new(SyntaxKind::WHITESPACE.into(), text);
                *slot = Some(token.clone());
                token
            }
        }
    }

    fn one_byte_token(&mut self, kind: SyntaxKind, byte: u8) -> GreenToken {
        if self.one_byte.is_empty() {
            self.one_byte.resize(128, None);
        }
        match &mut self.one_byte[usize::from(byte)] {
            Some(t) if t.kind() == kind.into() => t.clone(),
            slot => {
                let mut buf = [0u8; 4];
                let token = GreenToken::new(kind.into(), char::from(byte).encode_utf8(&mut buf));
                *slot = Some(token.clone());
                token
            }
        }
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
    /// remains; should that ever not hold, the children are wrapped rather than lost.
    pub(crate) fn finish(mut self) -> GreenNode {
        while !self.parents.is_empty() {
            self.finish_node();
        }
        match (self.children.pop(), self.children.is_empty()) {
            (Some(NodeOrToken::Node(root)), true) => root,
            (last, _) => {
                self.children.extend(last);
                GreenNode::new(SyntaxKind::SOURCE_FILE.into(), self.children)
            }
        }
    }
}
