//! Splitting a file into top-level chunks, each some leading trivia and one top-level item.
//!
//! Chunks are the unit of incrementality: each is parsed on its own and memoized by its text,
//! so an edit inside one top-level form reparses only that form. The split follows the parser's
//! own bracket matching ([`BracketStack`]), so every chunk boundary is a place where a parse of
//! the whole file would also be at top level with nothing pending; a property test checks that
//! parsing the chunks and parsing the whole file give the same tree.

use std::ops::Range;

use rowan::{TextRange, TextSize};

use crate::SyntaxKind::{self, *};
use crate::lexer::Token;

/// Tracks open brackets and how many forms the current top-level item still needs, the way the
/// parser matches them: a closer closes the nearest open form of its kind (and the forms inside
/// it); one that matches nothing is stray; nothing inside an interpolation closes anything
/// outside it. The ends of interpolations and strings come from the lexer, which already matched
/// them, so they close their own entry whatever is open inside.
#[derive(Default, Debug)]
pub(crate) struct BracketStack {
    /// The closers expected by the open forms, innermost last. `INTERP_END` and `ISTRING_END`
    /// entries are barriers for ordinary closers.
    stack: Vec<SyntaxKind>,
    /// Forms the current item still needs at top level (a decorator needs two).
    need: usize,
    started: bool,
}

impl BracketStack {
    /// Has a whole item (one form, with everything it opened closed) been fed?
    pub(crate) fn is_complete(&self) -> bool {
        self.started && self.stack.is_empty() && self.need == 0
    }

    /// The index of the entry `closer` would close, if any.
    fn find(&self, closer: SyntaxKind) -> Option<usize> {
        let barrier_stops = !matches!(closer, INTERP_END | ISTRING_END);
        for (i, &k) in self.stack.iter().enumerate().rev() {
            if k == closer {
                return Some(i);
            }
            if barrier_stops && matches!(k, INTERP_END | ISTRING_END) {
                return None;
            }
        }
        None
    }

    /// Would `closer` close something opened inside this stack?
    pub(crate) fn can_close(&self, closer: SyntaxKind) -> bool {
        self.find(closer).is_some()
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
                _ => self.need = self.need.saturating_sub(1),
            }
            return;
        }
        if matches!(kind, R_PAREN | R_BRACK | R_BRACE | ISTRING_END | INTERP_END)
            && let Some(i) = self.find(kind)
        {
            self.stack.truncate(i);
            if self.stack.is_empty() {
                self.need = self.need.saturating_sub(1);
            }
        }
    }
}

/// Splits `tokens` (lexed from one text) into chunks: byte ranges that cover the text, each
/// holding leading trivia and one complete top-level item; a trailing chunk may hold only trivia.
/// A run of stray closers stays in one chunk, since the parser reports it as one error.
pub fn split_top_level(tokens: &[Token]) -> Vec<TextRange> {
    split_top_level_tokens(tokens)
        .into_iter()
        .map(|(_, range)| range)
        .collect()
}

/// Like [`split_top_level`], with the range of token indices of each chunk as well.
pub fn split_top_level_tokens(tokens: &[Token]) -> Vec<(Range<usize>, TextRange)> {
    let mut chunks = Vec::new();
    let mut chunk_start = (0usize, TextSize::from(0));
    let mut offset = TextSize::from(0);
    let mut machine = BracketStack::default();
    for (i, token) in tokens.iter().enumerate() {
        let stray_closer = token.kind.is_closer() && machine.stack.is_empty();
        machine.feed(token.kind);
        offset += token.len;
        if machine.is_complete() {
            let run_goes_on = stray_closer
                && tokens[i + 1..]
                    .iter()
                    .find(|t| !t.kind.is_trivia())
                    .is_some_and(|t| t.kind.is_closer());
            if !run_goes_on {
                chunks.push((chunk_start.0..i + 1, TextRange::new(chunk_start.1, offset)));
                chunk_start = (i + 1, offset);
            }
            machine = BracketStack::default();
        }
    }
    if offset > chunk_start.1 {
        chunks.push((
            chunk_start.0..tokens.len(),
            TextRange::new(chunk_start.1, offset),
        ));
    }
    chunks
}
