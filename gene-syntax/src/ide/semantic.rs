//! Semantic tokens and inlay hints.

use rowan::{TextRange, TextSize};

use std::collections::HashMap;

use super::index::{Target, file_index, target_at};
use crate::analysis::facts::{DeclKind, LocalDecl};
use crate::analysis::symbols::{self, Def, DefKind};
use crate::builtins::BuiltinKind;
use crate::db::{self, Db, SourceFile};
use crate::{SyntaxKind, SyntaxNode};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Function,
    Method,
    Parameter,
    Variable,
    Property,
    Keyword,
    Operator,
    String,
    Number,
    Comment,
    Class,
    Namespace,
    Macro,
}

impl TokenKind {
    /// Every kind, in the order of the legend the server announces.
    pub const ALL: &'static [TokenKind] = &[
        TokenKind::Function,
        TokenKind::Method,
        TokenKind::Parameter,
        TokenKind::Variable,
        TokenKind::Property,
        TokenKind::Keyword,
        TokenKind::Operator,
        TokenKind::String,
        TokenKind::Number,
        TokenKind::Comment,
        TokenKind::Class,
        TokenKind::Namespace,
        TokenKind::Macro,
    ];
}

/// Bit flags: `ASYNC`, `DECLARATION`, `DEFAULT_LIBRARY`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TokenModifiers(pub u32);

impl TokenModifiers {
    pub const ASYNC: u32 = 1;
    pub const DECLARATION: u32 = 2;
    pub const DEFAULT_LIBRARY: u32 = 4;
    /// The names, in bit order, for the legend.
    pub const NAMES: &'static [&'static str] = &["async", "declaration", "defaultLibrary"];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SemanticToken {
    pub range: TextRange,
    pub kind: TokenKind,
    pub modifiers: TokenModifiers,
}

/// A token for every comment, string, number, property key and classified name, in order.
pub fn semantic_tokens(db: &dyn Db, file: SourceFile) -> Vec<SemanticToken> {
    let root = db::parse(db, file).syntax_node();
    let index = file_index(db, file);
    let file_symbols = symbols::file_symbols(db, file);
    // Declarations and definitions by the range of their name: one look-up per token.
    let decls: HashMap<TextRange, &LocalDecl> = index.decls.iter().map(|d| (d.range, d)).collect();
    let defs: HashMap<TextRange, &Def> = file_symbols.defs.values().map(|d| (d.range, d)).collect();
    let mut refs = index.refs.iter().peekable();
    let mut out = Vec::new();
    for token in root
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        let range = token.text_range();
        let plain = |kind| Some((kind, 0));
        let classified = match token.kind() {
            SyntaxKind::LINE_COMMENT | SyntaxKind::BLOCK_COMMENT => plain(TokenKind::Comment),
            SyntaxKind::STRING
            | SyntaxKind::CHAR
            | SyntaxKind::ISTRING_START
            | SyntaxKind::ISTRING_TEXT
            | SyntaxKind::ISTRING_END => plain(TokenKind::String),
            SyntaxKind::INT | SyntaxKind::FLOAT => plain(TokenKind::Number),
            SyntaxKind::NIL | SyntaxKind::TRUE | SyntaxKind::FALSE => plain(TokenKind::Keyword),
            SyntaxKind::PROP_KEY => plain(TokenKind::Property),
            SyntaxKind::SYMBOL => {
                while refs.peek().is_some_and(|(r, _)| r.end() <= range.start()) {
                    refs.next();
                }
                let target = refs
                    .peek()
                    .filter(|(r, _)| range.contains_range(*r))
                    .map(|(_, t)| t);
                classify_symbol(&token, target, &decls, &defs)
            }
            _ => None,
        };
        if let Some((kind, modifiers)) = classified {
            out.push(SemanticToken {
                range,
                kind,
                modifiers: TokenModifiers(modifiers),
            });
        }
    }
    out
}

fn classify_symbol(
    token: &crate::SyntaxToken,
    target: Option<&Target>,
    decls: &HashMap<TextRange, &LocalDecl>,
    defs: &HashMap<TextRange, &Def>,
) -> Option<(TokenKind, u32)> {
    let range = token.text_range();
    if let Some(decl) = decls.get(&range) {
        let kind = match decl.kind {
            DeclKind::Parameter => TokenKind::Parameter,
            _ if decl.callable.is_some() => TokenKind::Function,
            _ => TokenKind::Variable,
        };
        let is_async = decl.callable.as_ref().is_some_and(|c| c.is_async);
        return Some((
            kind,
            TokenModifiers::DECLARATION | if is_async { TokenModifiers::ASYNC } else { 0 },
        ));
    }
    if let Some(def) = defs.get(&range) {
        return Some(def_kind(&def.kind, TokenModifiers::DECLARATION));
    }
    match target {
        Some(Target::Local { decl, .. }) => {
            let is_async = decl.callable.as_ref().is_some_and(|c| c.is_async) || decl.future;
            let kind = match decl.kind {
                DeclKind::Parameter => TokenKind::Parameter,
                _ if decl.callable.is_some() => TokenKind::Function,
                _ => TokenKind::Variable,
            };
            Some((kind, if is_async { TokenModifiers::ASYNC } else { 0 }))
        }
        Some(Target::Def { def, .. }) => Some(def_kind(&def.kind, 0)),
        Some(Target::Builtin(b)) => {
            let async_flag = if b.flags.returns_future {
                TokenModifiers::ASYNC
            } else {
                0
            };
            let kind = match b.kind {
                BuiltinKind::SpecialForm => TokenKind::Keyword,
                BuiltinKind::Operator => TokenKind::Operator,
                BuiltinKind::Class => TokenKind::Class,
                BuiltinKind::Method => TokenKind::Method,
                BuiltinKind::Function | BuiltinKind::Value => TokenKind::Function,
            };
            Some((kind, TokenModifiers::DEFAULT_LIBRARY | async_flag))
        }
        Some(Target::Unresolved(_)) => None,
        None => {
            let text = token.text();
            if crate::analysis::shape::is_method_name(text) {
                return Some((TokenKind::Method, 0));
            }
            let builtin = crate::builtins::lookup(text).or_else(|| {
                let path = text.replace('$', "gene/");
                crate::builtins::lookup(&path)
            });
            match builtin.map(|b| (b.kind, b.flags.returns_future)) {
                Some((BuiltinKind::SpecialForm, _)) => Some((TokenKind::Keyword, 0)),
                Some((BuiltinKind::Operator, _)) => Some((TokenKind::Operator, 0)),
                Some((_, is_async)) => Some((
                    TokenKind::Function,
                    TokenModifiers::DEFAULT_LIBRARY
                        | if is_async { TokenModifiers::ASYNC } else { 0 },
                )),
                None if matches!(
                    text,
                    "else" | "elif" | "then" | "catch" | "finally" | "in" | "from"
                ) =>
                {
                    Some((TokenKind::Keyword, 0))
                }
                None => None,
            }
        }
    }
}

fn def_kind(kind: &DefKind, modifiers: u32) -> (TokenKind, u32) {
    match kind {
        DefKind::Function(shape) => (
            TokenKind::Function,
            modifiers
                | if shape.is_async {
                    TokenModifiers::ASYNC
                } else {
                    0
                },
        ),
        DefKind::Macro(_) => (TokenKind::Macro, modifiers),
        DefKind::Class => (TokenKind::Class, modifiers),
        DefKind::Namespace => (TokenKind::Namespace, modifiers),
        DefKind::Variable => (TokenKind::Variable, modifiers),
    }
}

/// A label shown in the text, after `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: TextSize,
    pub label: String,
    pub tooltip: String,
}

/// After each call that returns a future and is not awaited right there: `→ Future`.
pub fn inlay_hints(db: &dyn Db, file: SourceFile, range: TextRange) -> Vec<InlayHint> {
    let root = db::parse(db, file).syntax_node();
    let mut out = Vec::new();
    // Only the forms around the range (the part of the file on screen), not the whole tree.
    let Some(range) = range.intersect(root.text_range()) else {
        return out;
    };
    let scope = match root.covering_element(range) {
        rowan::NodeOrToken::Node(node) => node,
        rowan::NodeOrToken::Token(token) => match token.parent() {
            Some(parent) => parent,
            None => return out,
        },
    };
    let mut walk = scope.preorder();
    let mut in_range = Vec::new();
    while let Some(event) = walk.next() {
        let rowan::WalkEvent::Enter(node) = event else {
            continue;
        };
        if node.text_range().intersect(range).is_none() {
            walk.skip_subtree();
            continue;
        }
        if node.kind() == SyntaxKind::GENE && range.contains_range(node.text_range()) {
            in_range.push(node);
        }
    }
    for node in in_range {
        let Some(head) = node
            .children_with_tokens()
            .find(|e| !e.kind().is_trivia() && e.kind() != SyntaxKind::L_PAREN)
        else {
            continue;
        };
        let head_range = head.text_range();
        // The head's own resolution, looked up in its form alone (not the whole file).
        let target = target_at(db, file, head_range.start())
            .filter(|(r, _)| *r == head_range)
            .map(|(_, t)| t);
        let returns_future = match target.as_ref() {
            Some(Target::Def { def, .. }) => {
                matches!(&def.kind, DefKind::Function(s) if s.is_async)
            }
            Some(Target::Local { decl, .. }) => decl.callable.as_ref().is_some_and(|c| c.is_async),
            Some(Target::Builtin(b)) => b.flags.returns_future,
            _ => head.as_token().is_some_and(|t| {
                crate::builtins::lookup(t.text()).is_some_and(|b| b.flags.returns_future)
            }),
        };
        if returns_future && !awaited_directly(&node) {
            out.push(InlayHint {
                offset: node.text_range().end(),
                label: " → Future".to_string(),
                tooltip: "This call returns a future: `await` it for the value.".to_string(),
            });
        }
    }
    out
}

fn awaited_directly(node: &SyntaxNode) -> bool {
    let Some(parent) = node.parent().filter(|p| p.kind() == SyntaxKind::GENE) else {
        return false;
    };
    parent
        .children_with_tokens()
        .find(|e| !e.kind().is_trivia() && e.kind() != SyntaxKind::L_PAREN)
        .and_then(|e| e.into_token())
        .is_some_and(|t| t.text() == "await")
}
