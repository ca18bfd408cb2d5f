//! Splitting a file into top-level chunks, each some leading trivia and one top-level item.
//!
//! Chunks are the unit of incrementality: each is parsed on its own and memoized by its text,
//! so an edit inside one top-level form reparses only that form. The split follows the parser's
//! own bracket matching ([`BracketStack`]), so every chunk boundary is a place where a parse of
//! the whole file would also be at top level with nothing pending; a test checks that parsing
//! the chunks and parsing the whole file give the same tree.

use rowan::{TextRange, TextSize};

use crate::SyntaxKind::{self, *};
use crate::lexer::Token;

/// Tracks open brackets and how many forms the current top-level item still needs, the way the
/// parser matches them: a closer that matches an enclosing opener closes the forms in between;
/// one that matches nothing is stray; nothing inside an interpolation closes anything outside it.
#[derive(Default, Debug)]
pub(crate) struct BracketStack {
    /// The closers expected by the open forms, innermost last. `INTERP_END` and `ISTRING_END`
    /// entries are barriers.
    stack: Vec<SyntaxKind>,
    /// Forms the current item still needs at top level (a decorator needs two).
    need: usize,
    started: bool,
}

impl BracketStack {
    pub(crate) fn is_balanced(&self) -> bool {
        self.stack.is_empty()
    }

    pub(crate) fn needs_more(&self) -> bool {
        !self.started || self.need > 0
    }

    fn form_done(&mut self) {
        self.need = self.need.saturating_sub(1);
    }

    pub(crate) fn feed(&mut self, kind: SyntaxKind) {
        if kind.is_trivia() {
            return;
        }
        if !self.started {
            self.started = true;
            self.need = 1;
        }
        let expected = match kind {
            L_PAREN => Some(R_PAREN),
            L_BRACK | HASH_BRACK => Some(R_BRACK),
            L_BRACE => Some(R_BRACE),
            ISTRING_START => Some(ISTRING_END),
            INTERP_START => Some(INTERP_END),
            _ => None,
        };
        if let Some(expected) = expected {
            self.stack.push(expected);
            return;
        }
        if self.stack.is_empty() {
            match kind {
                COLON | PERCENT | PERCENT_UNDERSCORE => {}
                HASH_AT => self.need += 1,
                _ => self.form_done(),
            }
            return;
        }
        if matches!(kind, R_PAREN | R_BRACK | R_BRACE | ISTRING_END | INTERP_END) {
            // Find the entry it closes, not crossing an interpolation barrier.
            let mut found = None;
            for (i, &k) in self.stack.iter().enumerate().rev() {
                if k == kind {
                    found = Some(i);
                    break;
                }
                if k == INTERP_END || k == ISTRING_END {
                    break;
                }
            }
            if let Some(i) = found {
                self.stack.truncate(i);
                if self.stack.is_empty() {
                    self.form_done();
                }
            }
        }
    }
}

/// Splits `tokens` (lexed from one text) into chunks: byte ranges that cover the text, each
/// holding leading trivia and one complete top-level item; a trailing chunk may hold only trivia.
pub fn split_top_level(tokens: &[Token]) -> Vec<TextRange> {
    let mut chunks = Vec::new();
    let mut chunk_start = TextSize::from(0);
    let mut offset = TextSize::from(0);
    let mut machine = BracketStack::default();
    for token in tokens {
        machine.feed(token.kind);
        offset += token.len;
        if machine.started && machine.is_balanced() && machine.need == 0 {
            chunks.push(TextRange::new(chunk_start, offset));
            chunk_start = offset;
            machine = BracketStack::default();
        }
    }
    if offset > chunk_start {
        chunks.push(TextRange::new(chunk_start, offset));
    }
    chunks
}
