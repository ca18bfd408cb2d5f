//! The parser: tokens -> a lossless rowan green tree plus syntax errors.
//!
//! Recursive descent over the token list, with error recovery that reports each problem once
//! (see `recovery.rs`): forms left unclosed are reported at their opener, a stray closer is
//! wrapped in an `ERROR` node, a closer of the wrong kind where a form must end closes it.
//! Nesting is capped at [`MAX_DEPTH`] so that no input can exhaust the stack, here or in any
//! later pass that walks the tree recursively.

mod builder;
mod collections;
mod istring;
pub(crate) mod keys;
pub(crate) mod parallel;
mod recovery;
mod split;
mod token_cache;

use rowan::{GreenNode, TextRange, TextSize};

pub(crate) use builder::TreeBuilder;

use crate::SyntaxKind::{self, *};
use crate::lexer::{Lexed, LexedPart, Token};
use crate::syntax_error::{SyntaxError, SyntaxErrorKind};

pub use parallel::PARALLEL_FROM;
pub(crate) use recovery::Unclosed;
pub use split::{rechunk, split_top_level, split_top_level_tokens};

/// The deepest nesting of forms (brackets, quotes, decorators, interpolated strings) the parser
/// builds as nodes. Deeper regions are kept, byte for byte, in an `ERROR` node with one error.
pub const MAX_DEPTH: u32 = 256;

/// Parses a token list (as produced by [`crate::lexer::tokenize`] for `text`) into a
/// `SOURCE_FILE` node, as one unit. Errors have offsets relative to the start of `text`.
pub fn parse_tokens(text: &str, tokens: &[Token]) -> (GreenNode, Vec<SyntaxError>) {
    let lexed = Lexed {
        tokens: tokens.to_vec(),
        ..Lexed::default()
    };
    parse_lexed(text, &lexed)
}

/// Parses the result of [`crate::lexer::lex`] for `text` as one unit: a `SOURCE_FILE` node and
/// the lexical and syntax errors, in source order.
pub fn parse_lexed(text: &str, lexed: &Lexed) -> (GreenNode, Vec<SyntaxError>) {
    let builder = TreeBuilder::for_text_len(text.len());
    let (green, errors, _) = parse_lexed_with(text, lexed.whole(), builder);
    (green, errors)
}

/// [`parse_lexed`] with `builder` (its buffers and shared tokens), given back for the next parse.
pub(crate) fn parse_lexed_with(
    text: &str,
    lexed: LexedPart<'_>,
    builder: TreeBuilder,
) -> (GreenNode, Vec<SyntaxError>, TreeBuilder) {
    let whole = std::iter::once((0..lexed.tokens.len(), TextRange::up_to(TextSize::of(text))));
    parse_pieces(text, lexed, whole, builder)
}

/// Parses the result of [`crate::lexer::lex`] for `text` top-level chunk by top-level chunk, as
/// the database does (each chunk on its own, nothing carried from one to the next), but with one
/// lexing pass and one tree builder for the whole text.
pub fn parse_lexed_chunked(text: &str, lexed: &Lexed) -> (GreenNode, Vec<SyntaxError>) {
    let (green, errors, _) = parse_pieces(
        text,
        lexed.whole(),
        split::split_top_level_tokens(&lexed.tokens).into_iter(),
        TreeBuilder::for_text_len(text.len()),
    );
    (green, errors)
}

/// Lexes `text` and parses it, giving what [`parse_lexed_chunked`] gives; from `parallel_from`
/// bytes on two threads, each lexing and parsing half of the text (see [`parallel`]).
/// `parse_text` passes [`PARALLEL_FROM`]; tests pass 0, to take the two-thread path on small
/// inputs. Each half is parsed as one piece: no chunk's parse depends on anything before it, so
/// the tree and errors are the same, without the cost of finding the chunks.
pub fn parse_chunked_from(text: &str, parallel_from: usize) -> (GreenNode, Vec<SyntaxError>) {
    let builder = TreeBuilder::for_text_len(text.len());
    let parse = |text: &str, lexed: &Lexed, chunks: parallel::Chunks<'_>, builder| {
        let pieces = chunks.iter().cloned();
        let (green, errors, builder) = parse_pieces(text, lexed.whole(), pieces, builder);
        ((green, errors), builder)
    };
    let split = parallel::Split::OnePiece;
    match parallel::lex_split_parse(text, parallel_from, split, builder, parse).0 {
        parallel::Parts::One(part) => part.parsed,
        parallel::Parts::Two { first, second, cut } => {
            // The halves' top-level elements, one after the other, are the whole text's.
            let ((first_green, mut errors), (second_green, second_errors)) =
                (first.parsed, second.parsed);
            let children: Vec<_> = (first_green.children())
                .chain(second_green.children())
                .map(|child| child.to_owned())
                .collect();
            let cut = TextSize::from(cut as u32);
            errors.extend(second_errors.iter().map(|e| e.shifted(cut)));
            (GreenNode::new(SOURCE_FILE.into(), children), errors)
        }
    }
}

/// Parses each piece (a range of tokens and the text they cover) with a fresh parser, into one
/// `SOURCE_FILE` node.
fn parse_pieces(
    text: &str,
    lexed: LexedPart<'_>,
    pieces: impl Iterator<Item = (std::ops::Range<usize>, TextRange)>,
    mut builder: TreeBuilder,
) -> (GreenNode, Vec<SyntaxError>, TreeBuilder) {
    let mut errors = lexed.errors;
    builder.start_node(SOURCE_FILE);
    for (tokens, range) in pieces {
        let swallowed_from = lexed.swallowed_from.filter(|s| range.contains(*s));
        let mut p = Parser::new(
            text,
            lexed.tokens.get(tokens).unwrap_or_default(),
            range.start(),
            swallowed_from,
            builder,
        );
        loop {
            p.eat_trivia();
            match p.current() {
                None => break,
                Some(k) if k.is_closer() => p.stray_closers(),
                Some(_) => p.form(),
            }
        }
        p.report_unclosed_at_eof();
        errors.append(&mut p.errors);
        builder = p.builder;
    }
    builder.finish_node();
    // Stable: at one offset, lexical errors stay before syntax errors, as in every parse.
    errors.sort_by_key(|e| e.range.start());
    let green = builder.finish();
    (green, errors, builder)
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
    builder: TreeBuilder,
    errors: Vec<SyntaxError>,
    open: Vec<Expect>,
    depth: u32,
    /// Forms ended by a token that is not their own closer (an enclosing form's closer, the end
    /// of an interpolation or string, the end of the file), innermost first. They are reported
    /// together, as one error, when that token is reached by the form it belongs to.
    unclosed: Vec<Unclosed>,
    /// Where an unterminated string or block comment starts, if one runs to the end.
    swallowed_from: Option<TextSize>,
}

pub(crate) fn closer_for(opener: SyntaxKind) -> SyntaxKind {
    match opener {
        L_PAREN => R_PAREN,
        L_BRACK | HASH_BRACK => R_BRACK,
        L_BRACE => R_BRACE,
        INTERP_START => INTERP_END,
        _ => ISTRING_END,
    }
}

pub(crate) fn describe(kind: SyntaxKind) -> &'static str {
    match kind {
        L_PAREN => "`(`",
        R_PAREN => "`)`",
        L_BRACK => "`[`",
        R_BRACK => "`]`",
        L_BRACE => "`{`",
        R_BRACE | INTERP_END => "`}`",
        HASH_BRACK => "`#[`",
        INTERP_START => "`#{`",
        ISTRING_START => "`#\"`",
        ISTRING_END => "the end of the string",
        _ => "token",
    }
}

impl<'t> Parser<'t> {
    fn new(
        text: &'t str,
        tokens: &'t [Token],
        start: TextSize,
        swallowed_from: Option<TextSize>,
        builder: TreeBuilder,
    ) -> Self {
        Parser {
            text,
            tokens,
            pos: 0,
            offset: start,
            builder,
            errors: Vec::new(),
            open: Vec::new(),
            depth: 0,
            unclosed: Vec::new(),
            swallowed_from,
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

    /// The kind of the first non-trivia token at or after token index `from`.
    fn next_significant(&self, from: usize) -> Option<SyntaxKind> {
        self.tokens[from.min(self.tokens.len())..]
            .iter()
            .map(|t| t.kind)
            .find(|k| !k.is_trivia())
    }

    /// Adds the current token to the tree under `kind` and moves on.
    fn bump_as(&mut self, kind: SyntaxKind) {
        let Some(token) = self.tokens.get(self.pos) else {
            return;
        };
        let end = self.offset + token.len;
        let range = usize::from(self.offset)..usize::from(end);
        self.builder.token(kind, self.text, range);
        self.offset = end;
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
            L_BRACK => self.sequence(ARRAY),
            HASH_BRACK => self.sequence(SET),
            L_BRACE => self.map(),
            COLON => self.prefixed(QUOTE, 1),
            PERCENT | PERCENT_UNDERSCORE => self.prefixed(UNQUOTE, 1),
            HASH_AT => self.prefixed(DECORATOR, 2),
            ISTRING_START => self.istring(),
            CARET_TOKEN => self.bump_as(SYMBOL),
            INT | FLOAT | BAD_NUMBER | STRING | CHAR | NIL | TRUE | FALSE | SYMBOL => self.bump(),
            _ => {
                // Pieces of an interpolated string out of place, or error tokens.
                self.builder.start_node(ERROR);
                self.bump();
                self.builder.finish_node();
            }
        }
    }

    /// Can the current token start a form here (for the operand of a prefix or a value)?
    fn at_form_start(&self) -> bool {
        self.current().is_some_and(|k| {
            !k.is_trivia() && !k.is_closer() && !matches!(k, ISTRING_END | INTERP_END)
        })
    }

    /// `:x`, `%x`, `%_x` (one form) and `#@f x` (two forms).
    fn prefixed(&mut self, node: SyntaxKind, forms: usize) {
        let prefix_range = self.current_range();
        self.builder.start_node(node);
        self.bump();
        self.depth += 1;
        for i in 0..forms {
            // The first form must touch the prefix (`:x`); a decorator's target may follow after
            // whitespace (`#@f x`).
            if i > 0 {
                self.eat_trivia();
            }
            if self.at_form_start() {
                self.form();
                continue;
            }
            let what = match node {
                QUOTE => "`:` must be followed directly by the form to quote, as in `:x`",
                UNQUOTE => {
                    "`%` must be followed directly by the form to unquote, as in `%x` (Gene has no `%` operator)"
                }
                _ if i == 0 => "`#@` must be followed directly by a decorator, as in `#@f x`",
                _ => "the decorator `#@f` needs a form to decorate after it, as in `#@f x`",
            };
            self.error(
                SyntaxErrorKind::MissingForm,
                prefix_range,
                format!("missing form: {what}"),
            );
            break;
        }
        self.depth -= 1;
        self.builder.finish_node();
    }

    fn start_bracketed(&mut self, node: SyntaxKind) -> (SyntaxKind, TextRange) {
        let opener = self.current().unwrap_or(L_PAREN);
        let range = self.current_range();
        self.builder.start_node(node);
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
    fn sequence(&mut self, node: SyntaxKind) {
        let (opener, range) = self.start_bracketed(node);
        loop {
            self.eat_trivia();
            if self.at_closer_or_end(opener, range) {
                break;
            }
            self.element();
        }
        self.finish_bracketed();
    }

    /// One element of a collection: a form, or (should the lexer ever hand over a token that
    /// starts none) that token in an `ERROR` node, so the loop always moves on.
    fn element(&mut self) {
        if self.at_form_start() {
            self.form();
        } else if self.current().is_some_and(|k| !k.is_trivia()) {
            self.builder.start_node(ERROR);
            self.bump();
            self.builder.finish_node();
        }
    }
}
