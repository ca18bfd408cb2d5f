//! Splitting a file into top-level chunks, each some leading trivia and one top-level item.
//!
//! Chunks are the unit of incrementality: each is parsed on its own and memoized by its text,
//! so an edit inside one top-level form reparses only that form. The split follows the parser's
//! own bracket matching ([`BracketStack`]), so every chunk boundary is a place where a parse of
//! the whole file would also be at top level with nothing pending; a property test checks that
//! parsing the chunks and parsing the whole file give the same tree.

use std::ops::{ControlFlow, Range};

use rowan::{TextRange, TextSize};

use crate::SyntaxKind::{self, *};
use crate::lexer::{LazyTokens, Token};

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
    /// Starts over for the next item, keeping the stack's memory.
    fn reset(&mut self) {
        self.stack.clear();
        self.need = 0;
        self.started = false;
    }

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

/// Does `kind` open or close something [`BracketStack`] tracks?
fn is_bracket(kind: SyntaxKind) -> bool {
    const BRACKETS: u64 = bit(L_PAREN)
        | bit(R_PAREN)
        | bit(L_BRACK)
        | bit(R_BRACK)
        | bit(L_BRACE)
        | bit(R_BRACE)
        | bit(HASH_BRACK)
        | bit(ISTRING_START)
        | bit(ISTRING_END)
        | bit(INTERP_START)
        | bit(INTERP_END);
    const fn bit(kind: SyntaxKind) -> u64 {
        1 << kind as u16
    }
    (kind as u16) < 64 && BRACKETS & (1 << kind as u16) != 0
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
    split_top_level_checked(tokens).0
}

/// [`split_top_level_tokens`], and whether the tokens end between two top-level items (the last
/// chunk holds a whole item, or only trivia): then the split of these tokens followed by more,
/// starting with an opener, is this split followed by the split of the rest, except that a last
/// chunk of trivia is the leading trivia of the rest's first chunk.
pub(crate) fn split_top_level_checked(tokens: &[Token]) -> (Vec<(Range<usize>, TextRange)>, bool) {
    let mut chunks = Vec::new();
    let between_items = split_with(
        |i| tokens.get(i).copied(),
        |tokens, range| {
            chunks.push((tokens, range));
            ControlFlow::Continue(())
        },
    );
    (chunks, between_items)
}

/// The splitter: reads tokens by index from `get` (`None` past the end) and calls `chunk` with
/// each chunk's token indices and byte range (from the first token), until `chunk` breaks.
/// Returns whether the tokens ended between two top-level items.
fn split_with(
    mut get: impl FnMut(usize) -> Option<Token>,
    mut chunk: impl FnMut(Range<usize>, TextRange) -> ControlFlow<()>,
) -> bool {
    let mut chunk_start = (0usize, TextSize::from(0));
    let mut offset = TextSize::from(0);
    let mut machine = BracketStack::default();
    let mut i = 0;
    while let Some(token) = get(i) {
        // Inside a form only brackets change anything; the rest (most tokens) is skipped here.
        if !machine.stack.is_empty() && !is_bracket(token.kind) {
            offset += token.len;
            i += 1;
            continue;
        }
        let stray_closer = token.kind.is_closer() && machine.stack.is_empty();
        machine.feed(token.kind);
        offset += token.len;
        if machine.is_complete() {
            let run_goes_on = stray_closer && {
                let mut j = i + 1;
                loop {
                    match get(j) {
                        Some(t) if t.kind.is_trivia() => j += 1,
                        next => break next.is_some_and(|t| t.kind.is_closer()),
                    }
                }
            };
            if !run_goes_on {
                let range = TextRange::new(chunk_start.1, offset);
                if chunk(chunk_start.0..i + 1, range).is_break() {
                    return false;
                }
                chunk_start = (i + 1, offset);
            }
            machine.reset();
        }
        i += 1;
    }
    if offset > chunk_start.1 {
        let _ = chunk(chunk_start.0..i, TextRange::new(chunk_start.1, offset));
    }
    !machine.started
}

/// Splits `new_text` into chunks given the chunks of `old_text`, lexing only around the edit:
/// from the chunk before the first changed byte, until a new chunk ends where an old one ended
/// in the unchanged tail. Gives exactly what [`split_top_level`] gives on `new_text`: lexing
/// from a chunk start gives the tokens the whole text gives, and the splitter starts afresh at
/// every chunk boundary.
pub fn rechunk(old_text: &str, old_chunks: &[TextRange], new_text: &str) -> Vec<TextRange> {
    if old_text == new_text {
        return old_chunks.to_vec();
    }
    let (old, new) = (old_text.as_bytes(), new_text.as_bytes());
    let prefix = common_prefix(old, new);
    let max_suffix = old.len().min(new.len()) - prefix;
    let suffix = common_suffix(&old[prefix..], &new[prefix..]).min(max_suffix);
    // The chunk holding the byte before the change may end differently (a token there can grow
    // into the change), and the one before it looks one token ahead for a run of stray closers.
    let holding = match prefix.checked_sub(1) {
        Some(last_same) => old_chunks.partition_point(|r| usize::from(r.end()) <= last_same),
        None => 0,
    };
    let first = holding.saturating_sub(1);
    let start = old_chunks.get(first).map_or(0, |r| usize::from(r.start()));
    let new_change_end = new.len() - suffix;
    let delta = new.len() as i64 - old.len() as i64;

    let mut chunks = old_chunks[..first.min(old_chunks.len())].to_vec();
    let mut lazy = LazyTokens::new(&new_text[start..]);
    let shift =
        |offset: TextSize, by: i64| TextSize::from((i64::from(u32::from(offset)) + by) as u32);
    let base = TextSize::from(start as u32);
    let _ =
        split_with(
            |i| lazy.get(i),
            |_, range| {
                let range = range + base;
                chunks.push(range);
                let end = usize::from(range.end());
                if end >= new_change_end {
                    let old_end = shift(range.end(), -delta);
                    if let Ok(k) = old_chunks.binary_search_by_key(&old_end, |r| r.end()) {
                        chunks.extend(old_chunks[k + 1..].iter().map(|r| {
                            TextRange::new(shift(r.start(), delta), shift(r.end(), delta))
                        }));
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            },
        );
    chunks
}

/// How many bytes `a` and `b` have in common at the start. Compares blocks first (`==` on
/// slices is a vectorized `memcmp`), so files of megabytes are compared in microseconds.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// How many bytes `a` and `b` have in common at the end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + BLOCK <= n && a[n - i - BLOCK..n - i] == b[n - i - BLOCK..n - i] {
        i += BLOCK;
    }
    while i < n && a[n - i - 1] == b[n - i - 1] {
        i += 1;
    }
    i
}
