//! Typed views over the concrete syntax tree, as rust-analyzer has them: thin wrappers around
//! `SyntaxNode`s with accessors that skip trivia and decode values.

use crate::SyntaxKind::{self, *};
use crate::decode;
use crate::parser::keys::decode_key_path;
use crate::{SyntaxNode, SyntaxToken};

macro_rules! ast_node {
    ($(#[$doc:meta])* $name:ident, $kind:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(SyntaxNode);

        impl $name {
            pub fn cast(node: SyntaxNode) -> Option<Self> {
                (node.kind() == $kind).then_some($name(node))
            }
            pub fn syntax(&self) -> &SyntaxNode {
                &self.0
            }
        }
    };
}

ast_node!(/// The whole file.
    SourceFile, SOURCE_FILE);
ast_node!(/// `(head ^k v child ...)`.
    Gene, GENE);
ast_node!(/// `[a b]`.
    Array, ARRAY);
ast_node!(/// `#[a b]`.
    Set, SET);
ast_node!(/// `{^k v}`.
    Map, MAP);
ast_node!(/// `^k v`, `^^k`, `^!k`, `^a^b v`.
    Prop, PROP);
ast_node!(/// `:form`.
    Quote, QUOTE);
ast_node!(/// `%form`, `%_form`.
    Unquote, UNQUOTE);
ast_node!(/// `#@f x`.
    Decorator, DECORATOR);
ast_node!(/// `#"...#{x}..."`.
    IString, ISTRING);
ast_node!(/// `#{x}`, `#{^k v}`, `#(...)`, `#[...]` inside an interpolated string.
    Interp, INTERP);

/// A token that is a complete form: a number, string, character, symbol or literal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Atom(SyntaxToken);

/// Any form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Expr {
    Atom(Atom),
    Gene(Gene),
    Array(Array),
    Set(Set),
    Map(Map),
    Quote(Quote),
    Unquote(Unquote),
    Decorator(Decorator),
    IString(IString),
    /// Tokens the parser could not place.
    Error(SyntaxNode),
}

impl Expr {
    pub fn cast_element(element: crate::SyntaxElement) -> Option<Expr> {
        match element {
            rowan::NodeOrToken::Token(t) => Atom::cast(t).map(Expr::Atom),
            rowan::NodeOrToken::Node(n) => Expr::cast(n),
        }
    }

    pub fn cast(node: SyntaxNode) -> Option<Expr> {
        Some(match node.kind() {
            GENE => Expr::Gene(Gene(node)),
            ARRAY => Expr::Array(Array(node)),
            SET => Expr::Set(Set(node)),
            MAP => Expr::Map(Map(node)),
            QUOTE => Expr::Quote(Quote(node)),
            UNQUOTE => Expr::Unquote(Unquote(node)),
            DECORATOR => Expr::Decorator(Decorator(node)),
            ISTRING => Expr::IString(IString(node)),
            ERROR => Expr::Error(node),
            _ => return None,
        })
    }

    pub fn text_range(&self) -> rowan::TextRange {
        match self {
            Expr::Atom(a) => a.0.text_range(),
            Expr::Gene(n) => n.0.text_range(),
            Expr::Array(n) => n.0.text_range(),
            Expr::Set(n) => n.0.text_range(),
            Expr::Map(n) => n.0.text_range(),
            Expr::Quote(n) => n.0.text_range(),
            Expr::Unquote(n) => n.0.text_range(),
            Expr::Decorator(n) => n.0.text_range(),
            Expr::IString(n) => n.0.text_range(),
            Expr::Error(n) => n.text_range(),
        }
    }

    /// The symbol name if this form is a plain symbol.
    pub fn as_symbol(&self) -> Option<String> {
        match self {
            Expr::Atom(a) if a.kind() == SYMBOL => Some(a.symbol_name()),
            _ => None,
        }
    }
}

/// The forms among a node's direct children (tokens and nodes), skipping trivia, punctuation and
/// properties.
fn child_exprs(node: &SyntaxNode) -> impl Iterator<Item = Expr> + '_ {
    node.children_with_tokens().filter_map(Expr::cast_element)
}

impl SourceFile {
    pub fn forms(&self) -> impl Iterator<Item = Expr> + '_ {
        child_exprs(&self.0)
    }
}

impl Atom {
    pub fn cast(token: SyntaxToken) -> Option<Atom> {
        matches!(
            token.kind(),
            INT | FLOAT | BAD_NUMBER | STRING | CHAR | NIL | TRUE | FALSE | SYMBOL
        )
        .then_some(Atom(token))
    }

    pub fn syntax(&self) -> &SyntaxToken {
        &self.0
    }

    pub fn kind(&self) -> SyntaxKind {
        self.0.kind()
    }

    pub fn text(&self) -> &str {
        self.0.text()
    }

    pub fn int_value(&self) -> Option<i64> {
        (self.kind() == INT)
            .then(|| decode::decode_int(self.text()))
            .flatten()
    }

    pub fn float_value(&self) -> Option<f64> {
        (self.kind() == FLOAT)
            .then(|| decode::decode_float(self.text()))
            .flatten()
    }

    pub fn string_value(&self) -> Option<String> {
        (self.kind() == STRING).then(|| decode::decode_string(self.text()))
    }

    pub fn char_value(&self) -> Option<char> {
        (self.kind() == CHAR)
            .then(|| decode::decode_char(self.text()))
            .flatten()
    }

    /// The symbol's name with backslash escapes decoded.
    pub fn symbol_name(&self) -> String {
        decode::decode_symbol(self.text())
    }

    /// For a complex symbol (`a/b`, `/x`, `xs/0`), its segments.
    pub fn path_segments(&self) -> Option<Vec<String>> {
        (self.kind() == SYMBOL)
            .then(|| decode::path_segments(&self.symbol_name()))
            .flatten()
    }
}

impl Gene {
    fn elements(&self) -> impl Iterator<Item = Expr> + '_ {
        child_exprs(&self.0)
    }

    /// The first element: the gene's type (head). `None` for `()`.
    pub fn head(&self) -> Option<Expr> {
        self.elements().next()
    }

    /// The children after the head, in order, without the properties.
    pub fn children(&self) -> impl Iterator<Item = Expr> + '_ {
        self.elements().skip(1)
    }

    pub fn props(&self) -> impl Iterator<Item = Prop> + '_ {
        self.0.children().filter_map(Prop::cast)
    }

    pub fn l_paren(&self) -> Option<SyntaxToken> {
        self.0.first_token().filter(|t| t.kind() == L_PAREN)
    }

    pub fn r_paren(&self) -> Option<SyntaxToken> {
        self.0.last_token().filter(|t| t.kind() == R_PAREN)
    }
}

impl Array {
    pub fn items(&self) -> impl Iterator<Item = Expr> + '_ {
        child_exprs(&self.0)
    }
}

impl Set {
    pub fn items(&self) -> impl Iterator<Item = Expr> + '_ {
        child_exprs(&self.0)
    }
}

impl Map {
    pub fn props(&self) -> impl Iterator<Item = Prop> + '_ {
        self.0.children().filter_map(Prop::cast)
    }
}

/// What a property's key token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropKey {
    /// `^a^b` -> ["a", "b"].
    pub path: Vec<String>,
    /// Set for a flag (`^^k`, `^!k`), which takes no value; `None` when a value follows.
    pub flag: Option<PropFlag>,
}

/// The value a flag property stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PropFlag {
    /// `^^k`
    True,
    /// `^!k` at the top of a key.
    Nil,
    /// `^!k` inside a key path (`^a^!b`).
    False,
}

impl Prop {
    pub fn key_token(&self) -> Option<SyntaxToken> {
        self.0
            .children_with_tokens()
            .filter_map(|e| e.into_token())
            .find(|t| t.kind() == PROP_KEY)
    }

    /// The decoded key, `None` for an invalid key such as `^` alone.
    pub fn key(&self) -> Option<PropKey> {
        let token = self.key_token()?;
        decode_key_path(token.text())
    }

    pub fn value(&self) -> Option<Expr> {
        child_exprs(&self.0).next()
    }
}

impl Quote {
    pub fn form(&self) -> Option<Expr> {
        child_exprs(&self.0).next()
    }
}

impl Unquote {
    pub fn form(&self) -> Option<Expr> {
        child_exprs(&self.0).next()
    }

    /// `%_x` discards its value where it is spliced.
    pub fn is_discard(&self) -> bool {
        self.0
            .first_token()
            .is_some_and(|t| t.kind() == PERCENT_UNDERSCORE)
    }
}

impl Decorator {
    pub fn decorator(&self) -> Option<Expr> {
        child_exprs(&self.0).next()
    }

    pub fn target(&self) -> Option<Expr> {
        child_exprs(&self.0).nth(1)
    }
}

/// One piece of an interpolated string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IStringPiece {
    /// Literal text, escapes decoded.
    Text(String, rowan::TextRange),
    /// `#{form}`, `#(...)`, `#[...]`.
    Form(Expr),
    /// `#{^k v ...}`.
    Props(Interp),
}

impl IString {
    pub fn is_triple(&self) -> bool {
        self.0
            .first_token()
            .is_some_and(|t| t.text().ends_with("\"\"\""))
    }

    /// The pieces in order. Adjacent text (split only by `#<...>#` comments, which are dropped)
    /// is one piece, escapes decoded; in a triple-quoted string the first and last text pieces
    /// are trimmed the way `"""..."""` strings are.
    pub fn pieces(&self) -> Vec<IStringPiece> {
        let mut pieces = Vec::new();
        let mut text: Option<(String, rowan::TextRange)> = None;
        for element in self.0.children_with_tokens() {
            match element {
                rowan::NodeOrToken::Token(t) if t.kind() == ISTRING_TEXT => {
                    let decoded = decode::unescape(t.text());
                    text = Some(match text.take() {
                        Some((mut s, range)) => {
                            s.push_str(&decoded);
                            (s, range.cover(t.text_range()))
                        }
                        None => (decoded, t.text_range()),
                    });
                }
                rowan::NodeOrToken::Node(n) if n.kind() == INTERP => {
                    if let Some((s, range)) = text.take() {
                        pieces.push(IStringPiece::Text(s, range));
                    }
                    let interp = Interp(n);
                    if interp.props().next().is_some() {
                        pieces.push(IStringPiece::Props(interp));
                    } else if let Some(form) = interp.form() {
                        pieces.push(IStringPiece::Form(form));
                    }
                }
                _ => {}
            }
        }
        if let Some((s, range)) = text.take() {
            pieces.push(IStringPiece::Text(s, range));
        }
        if self.is_triple() {
            let last = pieces.len().saturating_sub(1);
            if let Some(IStringPiece::Text(s, _)) = pieces.first_mut() {
                *s = decode::trim_triple_start(s);
            }
            if let Some(IStringPiece::Text(s, _)) = pieces.get_mut(last) {
                *s = decode::trim_triple_end(s);
            }
        }
        pieces
    }
}

impl Interp {
    pub fn form(&self) -> Option<Expr> {
        child_exprs(&self.0).find(|e| !matches!(e, Expr::Error(_)))
    }

    pub fn props(&self) -> impl Iterator<Item = Prop> + '_ {
        self.0.children().filter_map(Prop::cast)
    }
}
