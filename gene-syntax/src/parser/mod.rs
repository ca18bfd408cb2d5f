//! The parser: tokens -> a lossless rowan green tree plus syntax errors.
//!
//! Recursive descent over the token list, with error recovery that reports each problem once:
//! an unclosed bracket is reported at its opener, a stray closer is wrapped in an `ERROR` node, a
//! mismatched closer closes the forms it belongs to. Nesting is capped at [`MAX_DEPTH`] so that
//! no input can exhaust the stack, here or in any later pass that walks the tree recursively.

mod collections;
mod split;

pub(crate) mod collections_api {
    pub(crate) use super::collections::decode_key_path;
}

use rowan::{GreenNode, GreenNodeBuilder, TextRange, TextSize};

use crate::SyntaxKind::{self, *};
use crate::lexer::Token;
use crate::syntax_error::{SyntaxError, SyntaxErrorKind};

pub use split::split_top_level;

/// The deepest nesting of forms (brackets, quotes, decorators) the parser builds as nodes.
/// Deeper regions are kept, byte for byte, in an `ERROR` node with one error.
pub const MAX_DEPTH: u32 = 256;

/// Parses a token list (as produced by [`crate::lexer::tokenize`] for `text`) into a
/// `SOURCE_FILE` node. Errors have offsets relative to the start of `text`.
pub fn parse_tokens(text: &str, tokens: &[Token]) -> (GreenNode, Vec<SyntaxError>) {
    let mut p = Parser::new(text, tokens);
    p.builder.start_node(SOURCE_FILE.into());
    loop {
        p.eat_trivia();
        match p.current() {
            None => break,
            Some(k) if k.is_closer() => p.stray_closer(),
            Some(_) => p.form(),
        }
    }
    p.builder.finish_node();
    (p.builder.finish(), p.errors)
}

/// Which closers the open forms expect, innermost last. `Barrier` marks an interpolation: a
/// closer inside `#{...}` never closes a form outside the string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    Closer(SyntaxKind),
    Barrier,
}

struct Parser<'t> {
    text: &'t str,
    tokens: &'t [Token],
    /// Index of the current token.
    pos: usize,
    /// Byte offset of the current token.
    offset: TextSize,
    builder: GreenNodeBuilder<'static>,
    errors: Vec<SyntaxError>,
    open: Vec<Expect>,
    depth: u32,
}

fn closer_for(opener: SyntaxKind) -> SyntaxKind {
    match opener {
        L_PAREN => R_PAREN,
        L_BRACK | HASH_BRACK => R_BRACK,
        _ => R_BRACE,
    }
}

fn describe(kind: SyntaxKind) -> &'static str {
    match kind {
        L_PAREN => "`(`",
        R_PAREN => "`)`",
        L_BRACK => "`[`",
        R_BRACK => "`]`",
        L_BRACE => "`{`",
        R_BRACE => "`}`",
        HASH_BRACK => "`#[`",
        INTERP_END => "`}`",
        _ => "token",
    }
}

impl<'t> Parser<'t> {
    fn new(text: &'t str, tokens: &'t [Token]) -> Self {
        Parser {
            text,
            tokens,
            pos: 0,
            offset: TextSize::from(0),
            builder: GreenNodeBuilder::new(),
            errors: Vec::new(),
            open: Vec::new(),
            depth: 0,
        }
    }

    fn current(&self) -> Option<SyntaxKind> {
        self.tokens.get(self.pos).map(|t| t.kind)
    }

    fn current_range(&self) -> TextRange {
        let len = self
            .tokens
            .get(self.pos)
            .map_or(TextSize::from(0), |t| t.len);
        TextRange::at(self.offset, len)
    }

    fn current_text(&self) -> &'t str {
        &self.text[self.current_range()]
    }

    /// Adds the current token to the tree under `kind` and moves on.
    fn bump_as(&mut self, kind: SyntaxKind) {
        let range = self.current_range();
        self.builder.token(kind.into(), &self.text[range]);
        self.offset = range.end();
        self.pos += 1;
    }

    fn bump(&mut self) {
        if let Some(kind) = self.current() {
            self.bump_as(kind);
        }
    }

    fn eat_trivia(&mut self) {
        while self.current().is_some_and(SyntaxKind::is_trivia) {
            self.bump();
        }
    }

    fn error(&mut self, kind: SyntaxErrorKind, range: TextRange, message: impl Into<String>) {
        self.errors.push(SyntaxError::new(kind, range, message));
    }

    /// Is `closer` expected by some open form, without crossing an interpolation barrier?
    fn closes_enclosing(&self, closer: SyntaxKind) -> bool {
        for expect in self.open.iter().rev() {
            match expect {
                Expect::Barrier => return false,
                Expect::Closer(k) if *k == closer => return true,
                Expect::Closer(_) => {}
            }
        }
        false
    }

    /// A closer that closes nothing: one error, and the token goes into an `ERROR` node.
    fn stray_closer(&mut self) {
        let range = self.current_range();
        let kind = self.current().unwrap_or(ERROR_TOKEN);
        self.error(
            SyntaxErrorKind::UnexpectedCloser,
            range,
            format!(
                "unexpected {}: there is no open form for it to close",
                describe(kind)
            ),
        );
        self.builder.start_node(ERROR.into());
        self.bump();
        self.builder.finish_node();
    }

    /// Parses one form at the current (non-trivia, non-closer) token.
    fn form(&mut self) {
        let Some(kind) = self.current() else { return };
        if self.depth >= MAX_DEPTH
            && matches!(
                kind,
                L_PAREN
                    | L_BRACK
                    | L_BRACE
                    | HASH_BRACK
                    | COLON
                    | PERCENT
                    | PERCENT_UNDERSCORE
                    | HASH_AT
                    | ISTRING_START
            )
        {
            self.too_deep();
            return;
        }
        match kind {
            L_PAREN => self.gene(),
            L_BRACK => self.sequence(ARRAY, L_BRACK),
            HASH_BRACK => self.sequence(SET, HASH_BRACK),
            L_BRACE => self.map(),
            COLON | PERCENT | PERCENT_UNDERSCORE => {
                self.prefixed(if kind == COLON { QUOTE } else { UNQUOTE }, 1)
            }
            HASH_AT => self.prefixed(DECORATOR, 2),
            ISTRING_START => self.istring(),
            CARET_TOKEN => self.bump_as(SYMBOL),
            INT | FLOAT | BAD_NUMBER | STRING | CHAR | NIL | TRUE | FALSE | SYMBOL => self.bump(),
            _ => {
                // Pieces of an interpolated string out of place, or error tokens.
                self.builder.start_node(ERROR.into());
                self.bump();
                self.builder.finish_node();
            }
        }
    }

    /// `:x`, `%x`, `%_x` (one form) and `#@f x` (two forms).
    fn prefixed(&mut self, node: SyntaxKind, forms: usize) {
        let prefix_range = self.current_range();
        self.builder.start_node(node.into());
        self.bump();
        self.depth += 1;
        for i in 0..forms {
            // The first form must touch the prefix (`:x`); a decorator's target may follow after
            // whitespace (`#@f x`).
            if i > 0 {
                self.eat_trivia();
            }
            match self.current() {
                Some(k)
                    if !k.is_trivia()
                        && !k.is_closer()
                        && !matches!(k, ISTRING_END | INTERP_END) =>
                {
                    self.form()
                }
                _ => {
                    let what = match node {
                        QUOTE => "`:` must be followed directly by the form to quote, as in `:x`",
                        UNQUOTE => {
                            "`%` must be followed directly by the form to unquote, as in `%x`"
                        }
                        _ if i == 0 => {
                            "`#@` must be followed directly by a decorator, as in `#@f x`"
                        }
                        _ => "the decorator `#@f` needs a form to decorate after it, as in `#@f x`",
                    };
                    self.error(
                        SyntaxErrorKind::MissingForm,
                        prefix_range,
                        format!("missing form: {what}"),
                    );
                    break;
                }
            }
        }
        self.depth -= 1;
        self.builder.finish_node();
    }

    /// Handles the end of a bracketed form's element loop. Returns true when the form is done
    /// (closed, or left unclosed with an error), false when the caller should continue.
    fn at_closer_or_end(&mut self, opener: SyntaxKind, opener_range: TextRange) -> bool {
        let expected = closer_for(opener);
        match self.current() {
            None => {
                self.error(
                    SyntaxErrorKind::UnclosedDelimiter,
                    opener_range,
                    format!(
                        "unclosed {}: expected {} before end of file",
                        describe(opener),
                        describe(expected)
                    ),
                );
                true
            }
            Some(k) if k == expected => {
                self.bump();
                true
            }
            Some(k) if k.is_closer() || k == INTERP_END || k == ISTRING_END => {
                // Outside this form's own closer: does it close an enclosing form? Then this one
                // was left unclosed. Otherwise it is stray and we keep going.
                let encloses = match k {
                    INTERP_END | ISTRING_END => true,
                    _ => {
                        self.open.pop();
                        let enclosing = self.closes_enclosing(k);
                        self.open.push(Expect::Closer(expected));
                        enclosing
                    }
                };
                if encloses {
                    let found = if k == ISTRING_END {
                        "the end of the string".to_string()
                    } else {
                        describe(k).to_string()
                    };
                    self.error(
                        SyntaxErrorKind::UnclosedDelimiter,
                        opener_range,
                        format!(
                            "unclosed {}: expected {} before {}",
                            describe(opener),
                            describe(expected),
                            found
                        ),
                    );
                    let at = self.current_range();
                    if let Some(last) = self.errors.last_mut() {
                        last.related.push(crate::syntax_error::RelatedInfo {
                            range: at,
                            message: format!("{} found here", found),
                        });
                    }
                    true
                } else {
                    self.stray_closer();
                    false
                }
            }
            Some(_) => false,
        }
    }

    fn start_bracketed(&mut self, node: SyntaxKind) -> (SyntaxKind, TextRange) {
        let opener = self.current().unwrap_or(L_PAREN);
        let range = self.current_range();
        self.builder.start_node(node.into());
        self.bump();
        self.open.push(Expect::Closer(closer_for(opener)));
        self.depth += 1;
        (opener, range)
    }

    fn finish_bracketed(&mut self) {
        self.open.pop();
        self.depth -= 1;
        self.builder.finish_node();
    }

    /// Arrays and sets: any forms; a `^k` token is a plain symbol here.
    fn sequence(&mut self, node: SyntaxKind, _opener: SyntaxKind) {
        let (opener, range) = self.start_bracketed(node);
        loop {
            self.eat_trivia();
            if self.at_closer_or_end(opener, range) {
                break;
            }
            if self.current().is_some_and(|k| !k.is_closer()) {
                self.form();
            }
        }
        self.finish_bracketed();
    }

    /// Too deep: keep the balanced region that starts here as flat tokens in an `ERROR` node.
    fn too_deep(&mut self) {
        let start = self.current_range();
        self.error(
            SyntaxErrorKind::NestingTooDeep,
            start,
            format!("forms are nested too deeply (more than {MAX_DEPTH} levels)"),
        );
        self.builder.start_node(ERROR.into());
        let mut stack = split::BracketStack::default();
        loop {
            let Some(kind) = self.current() else { break };
            stack.feed(kind);
            self.bump();
            if stack.is_balanced() && !stack.needs_more() {
                break;
            }
        }
        self.builder.finish_node();
    }
}
