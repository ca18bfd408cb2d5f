//! The lexer: text -> a flat list of tokens (kind and length) plus lexical errors.
//!
//! It never fails: every byte ends up in exactly one token. Interpolated strings (`#"..#{x}.."`)
//! are lexed with a small mode stack, so the parser sees their pieces as ordinary tokens.
//!
//! The lexer never looks past the end of the token it is producing, except to decide where that
//! token ends. So a top-level chunk lexed on its own gives exactly the tokens the whole file gives
//! for that stretch (the database relies on this, and a property test checks it).

mod number;
mod string;

use rowan::{TextRange, TextSize};

use crate::SyntaxKind::{self, *};
use crate::syntax_error::{SyntaxError, SyntaxErrorKind};

pub(crate) use number::{NumberShape, classify_number};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: SyntaxKind,
    pub len: TextSize,
}

/// The result of lexing a text.
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub errors: Vec<SyntaxError>,
    /// Where an unterminated string or block comment starts: it runs to the end of the text, so
    /// the closers of the forms around it may be inside it.
    pub swallowed_from: Option<TextSize>,
}

/// A lexing as the parser reads it: the tokens (borrowed, so a chunk of a file's lexing needs no
/// copy) and the lexical errors, offsets relative to the start of the text they cover.
pub(crate) struct LexedPart<'a> {
    pub tokens: &'a [Token],
    pub errors: Vec<SyntaxError>,
    pub swallowed_from: Option<TextSize>,
}

impl Lexed {
    pub(crate) fn whole(&self) -> LexedPart<'_> {
        LexedPart {
            tokens: &self.tokens,
            errors: self.errors.clone(),
            swallowed_from: self.swallowed_from,
        }
    }

    /// The part of this lexing that covers the chunk at `range` (token indices `tokens`), with
    /// offsets relative to the chunk's start: what lexing the chunk's text alone gives, when the
    /// chunk starts and ends at top level. `errors` must be sorted by start.
    pub(crate) fn chunk(&self, tokens: std::ops::Range<usize>, range: TextRange) -> LexedPart<'_> {
        let first = self
            .errors
            .partition_point(|e| e.range.start() < range.start());
        let last = self
            .errors
            .partition_point(|e| e.range.start() < range.end());
        let shift = |r: TextRange| r.checked_sub(range.start()).unwrap_or_default();
        LexedPart {
            tokens: self.tokens.get(tokens).unwrap_or_default(),
            errors: (self.errors.get(first..last).unwrap_or_default().iter())
                .map(|e| SyntaxError {
                    range: shift(e.range),
                    ..e.clone()
                })
                .collect(),
            swallowed_from: self
                .swallowed_from
                .filter(|s| range.contains(*s))
                .map(|s| s - range.start()),
        }
    }
}

/// Lexes `text` completely.
pub fn lex(text: &str) -> Lexed {
    let mut lexer = Lexer::new(text, text.len() / 3 + 1);
    lexer.run();
    Lexed {
        tokens: lexer.tokens,
        errors: lexer.errors,
        swallowed_from: lexer.swallowed_from.map(|s| TextSize::from(s as u32)),
    }
}

/// Lexes `text` like [`lex`], and tells whether the lexer ended outside any string, comment and
/// interpolation. When it did and `text` ends with a newline, lexing `text` followed by more text
/// that starts with `(` gives the tokens of `text` followed by those of the rest lexed alone: no
/// token reaches over a newline followed by `(`, and the lexer is in its starting state there.
pub(crate) fn lex_part(text: &str) -> (Lexed, bool) {
    let mut lexer = Lexer::new(text, text.len() / 3 + 1);
    lexer.run();
    let at_top_level =
        lexer.modes.is_empty() && lexer.closers.is_empty() && lexer.swallowed_from.is_none();
    let lexed = Lexed {
        tokens: lexer.tokens,
        errors: lexer.errors,
        swallowed_from: lexer.swallowed_from.map(|s| TextSize::from(s as u32)),
    };
    (lexed, at_top_level)
}

/// Lexes a text lazily, as far as the tokens asked for: the incremental chunker reads tokens
/// only until the chunks line up with the previous ones again.
pub(crate) struct LazyTokens<'a> {
    lexer: Lexer<'a>,
}

impl<'a> LazyTokens<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        LazyTokens {
            lexer: Lexer::new(text, 64),
        }
    }

    /// The token at index `i`, if the text has that many.
    pub(crate) fn get(&mut self, i: usize) -> Option<Token> {
        while self.lexer.tokens.len() <= i && self.lexer.pos < self.lexer.bytes.len() {
            self.lexer.step();
        }
        self.lexer.tokens.get(i).copied()
    }
}

/// Lexes `text` completely: the tokens and the lexical errors.
pub fn tokenize(text: &str) -> (Vec<Token>, Vec<SyntaxError>) {
    let lexed = lex(text);
    (lexed.tokens, lexed.errors)
}

/// Where the lexer is inside interpolated strings. `base` is the length of `Lexer::closers` when
/// the mode was entered: the brackets opened inside the mode sit above it.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Literal text of an interpolated string.
    IString { triple: bool, base: usize },
    /// Inside `#{ ... }`: ordinary tokens until a `}` that closes no bracket opened inside.
    Interp { base: usize },
    /// Inside `#( ... )` or `#[ ... ]`: ordinary tokens until that bracket closes.
    Embedded { base: usize },
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    errors: Vec<SyntaxError>,
    modes: Vec<Mode>,
    /// The closers expected by the brackets open inside interpolations, innermost last. A closer
    /// closes the nearest open bracket of its kind, the way the parser matches them.
    closers: Vec<SyntaxKind>,
    swallowed_from: Option<usize>,
}

/// What a byte does to a bare token: nothing (it continues the token), ends it (whitespace, a
/// comma and `" % ( ) [ ] { }`), escapes the next character (a backslash), or may start a
/// whitespace character outside ASCII (which ends the token if it is one).
const CONTINUES: u8 = 0;
const ENDS: u8 = 1;
const ESCAPES: u8 = 2;
/// And whether it is whitespace (ASCII whitespace and the comma).
const SPACE: u8 = 4;
const MAYBE_SPACE: u8 = 8;

static BYTE_CLASS: [u8; 256] = {
    let mut table = [CONTINUES; 256];
    let mut i = 0;
    let delimiters = b"\"%()[]{}";
    while i < delimiters.len() {
        table[delimiters[i] as usize] = ENDS;
        i += 1;
    }
    // Space, tab, LF, vertical tab, form feed, CR (`char::is_whitespace` in ASCII) and comma.
    let spaces = b" \t\n\x0b\x0c\r,";
    i = 0;
    while i < spaces.len() {
        table[spaces[i] as usize] = ENDS | SPACE;
        i += 1;
    }
    table[b'\\' as usize] = ESCAPES;
    // The first bytes of the other whitespace characters (U+0085 and U+00A0: 0xC2; U+1680:
    // 0xE1; U+2000-U+205F: 0xE2; U+3000: 0xE3; U+FEFF: 0xEF).
    let leads = [0xC2u8, 0xE1, 0xE2, 0xE3, 0xEF];
    i = 0;
    while i < leads.len() {
        table[leads[i] as usize] = MAYBE_SPACE;
        i += 1;
    }
    table
};

/// ASCII whitespace (as `char::is_whitespace` has it) or a comma.
fn is_ascii_space(b: u8) -> bool {
    BYTE_CLASS[b as usize] & SPACE != 0
}

/// Whitespace outside ASCII: `char::is_whitespace` (NEL, no-break space, the Unicode spaces, the
/// line and paragraph separators), and U+FEFF, the byte order mark a Windows editor writes at the
/// start of a file (ECMAScript counts it as whitespace too). Treating it as whitespace anywhere,
/// not only at the start, keeps a chunk lexed alone the same as in its file.
fn is_unicode_space(c: char) -> bool {
    !c.is_ascii() && (c.is_whitespace() || c == '\u{FEFF}')
}

/// The kind of a bare token: a keyword, a `^...` token or a symbol.
fn word_kind(word: &[u8]) -> SyntaxKind {
    match word {
        [b'^', ..] => CARET_TOKEN,
        [b'n' | b't' | b'f', _, _, ..] => match word {
            b"nil" => NIL,
            b"true" => TRUE,
            b"false" => FALSE,
            _ => SYMBOL,
        },
        _ => SYMBOL,
    }
}

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32))
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str, capacity: usize) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            tokens: Vec::with_capacity(capacity),
            errors: Vec::new(),
            modes: Vec::new(),
            closers: Vec::new(),
            swallowed_from: None,
        }
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            if self.modes.is_empty() {
                self.top_level_token();
            } else {
                self.step();
            }
        }
    }

    /// One token outside interpolated strings, the common case: whitespace, brackets and names
    /// are lexed here without the mode bookkeeping of [`Lexer::token`], which does the rest.
    #[inline]
    fn top_level_token(&mut self) {
        let start = self.pos;
        let Some(&first) = self.bytes.get(start) else {
            return;
        };
        let kind = match first {
            b' ' | b'\t' | b'\r' | b'\n' | b',' => {
                let end = self.whitespace_end(start + 1);
                return self.push(WHITESPACE, end);
            }
            b'(' => L_PAREN,
            b')' => R_PAREN,
            b'[' => L_BRACK,
            b']' => R_BRACK,
            b'{' => L_BRACE,
            b'}' => R_BRACE,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'^' | b'/' | b'.' | b'*' | b'=' | b'<' | b'>' => {
                let bytes = self.bytes;
                let mut end = start + 1;
                while end < bytes.len() && BYTE_CLASS[bytes[end] as usize] == CONTINUES {
                    end += 1;
                }
                if bytes
                    .get(end)
                    .is_some_and(|&b| BYTE_CLASS[b as usize] & ENDS == 0)
                {
                    // A name with escapes or a character that may be whitespace: the general
                    // path looks closer.
                    return self.bare_token(start, start);
                }
                return self.push(word_kind(bytes.get(start..end).unwrap_or_default()), end);
            }
            _ => return self.token(),
        };
        self.push(kind, start + 1);
    }

    /// Lexes one token at `self.pos` (which must be before the end).
    fn step(&mut self) {
        match self.modes.last().copied() {
            Some(Mode::IString { triple, .. }) => self.istring_piece(triple),
            Some(Mode::Interp { base })
                if self.bytes[self.pos] == b'}' && !self.closers[base..].contains(&R_BRACE) =>
            {
                self.closers.truncate(base);
                self.modes.pop();
                self.push(INTERP_END, self.pos + 1);
            }
            _ => self.token(),
        }
    }

    fn push(&mut self, kind: SyntaxKind, end: usize) {
        debug_assert!(end > self.pos);
        self.tokens.push(Token {
            kind,
            len: TextSize::from((end - self.pos) as u32),
        });
        self.pos = end;
    }

    fn error(&mut self, kind: SyntaxErrorKind, range: TextRange, message: impl Into<String>) {
        self.errors.push(SyntaxError::new(kind, range, message));
    }

    fn byte_at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    /// Length of the UTF-8 character starting at byte `i` (1 if `i` is not a char boundary).
    fn char_len_at(&self, i: usize) -> usize {
        self.text
            .get(i..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8)
    }

    /// Inside an interpolation, follows the brackets so that the closer of `#{`, `#(` or `#[` is
    /// found the way the parser will match it.
    fn track_closers(&mut self, kind: SyntaxKind) {
        let (base, embedded) = match self.modes.last() {
            Some(Mode::Interp { base }) => (*base, false),
            Some(Mode::Embedded { base }) => (*base, true),
            _ => return,
        };
        match kind {
            L_PAREN => self.closers.push(R_PAREN),
            L_BRACK | HASH_BRACK => self.closers.push(R_BRACK),
            L_BRACE => self.closers.push(R_BRACE),
            R_PAREN | R_BRACK | R_BRACE => {
                if let Some(i) = self.closers[base..].iter().rposition(|&k| k == kind) {
                    self.closers.truncate(base + i);
                    if embedded && self.closers.len() == base {
                        self.modes.pop();
                    }
                }
            }
            _ => {}
        }
    }

    /// The length of the whitespace character outside ASCII at byte `i`, or 0.
    fn unicode_space_len_at(&self, i: usize) -> usize {
        match self.text.get(i..).and_then(|s| s.chars().next()) {
            Some(c) if is_unicode_space(c) => c.len_utf8(),
            _ => 0,
        }
    }

    /// The end of the run of whitespace that continues at `from` (at most the end of the text).
    #[inline]
    fn whitespace_end(&self, from: usize) -> usize {
        let rest = self.bytes.get(from..).unwrap_or_default();
        let end = from
            + rest
                .iter()
                .position(|&b| !is_ascii_space(b))
                .unwrap_or(rest.len());
        // Almost every run is ASCII only. Every byte that may start a whitespace character
        // is at least 0xC2.
        match self.bytes.get(end) {
            Some(&b) if b >= 0xc2 => self.unicode_whitespace_end(end),
            _ => end,
        }
    }

    /// The end of a run of whitespace that goes on, after ASCII whitespace, at `from`.
    #[inline(never)]
    fn unicode_whitespace_end(&self, from: usize) -> usize {
        let mut i = from;
        while let Some(&b) = self.bytes.get(i) {
            if is_ascii_space(b) {
                i += 1;
            } else {
                match self.unicode_space_len_at(i) {
                    0 => break,
                    len => i += len,
                }
            }
        }
        i
    }

    /// Lexes one ordinary token at `self.pos`.
    fn token(&mut self) {
        let start = self.pos;
        let kind = match self.bytes[start] {
            b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b',' => {
                let end = self.whitespace_end(start + 1);
                return self.push(WHITESPACE, end);
            }
            0xc2 | 0xe1 | 0xe2 | 0xe3 | 0xef if self.unicode_space_len_at(start) > 0 => {
                let end = self.whitespace_end(start);
                return self.push(WHITESPACE, end);
            }
            b'(' => L_PAREN,
            b')' => R_PAREN,
            b'[' => L_BRACK,
            b']' => R_BRACK,
            b'{' => L_BRACE,
            b'}' => R_BRACE,
            b':' => COLON,
            b'%' if self.byte_at(start + 1) == Some(b'_') => {
                return self.push(PERCENT_UNDERSCORE, start + 2);
            }
            b'%' => PERCENT,
            b'"' => return self.string(start),
            b'\'' => return self.char_literal(start),
            b'#' => return self.hash(start),
            b'0'..=b'9' => return self.number(start),
            b'+' | b'-' if self.byte_at(start + 1).is_some_and(|n| n.is_ascii_digit()) => {
                return self.number(start);
            }
            _ => return self.bare_token(start, start),
        };
        self.push(kind, start + 1);
        self.track_closers(kind);
    }

    /// A symbol, `nil`, `true`, `false` or a `^...` token starting at `start`; `from` is where
    /// to look for its end (after a leading `#`).
    fn bare_token(&mut self, start: usize, from: usize) {
        let (end, escaped) = self.bare_token_end(from);
        let end = end.max(start + 1);
        let kind = word_kind(self.bytes.get(start..end).unwrap_or_default());
        if escaped {
            self.check_symbol_escapes(start, end);
        }
        self.push(kind, end);
    }

    /// `\/` would make a path separator part of a name; §1.2 reserves it.
    fn check_symbol_escapes(&mut self, start: usize, end: usize) {
        let mut i = start;
        while i < end {
            if self.bytes[i] == b'\\' {
                if self.byte_at(i + 1) == Some(b'/') {
                    self.error(
                        SyntaxErrorKind::InvalidSymbol,
                        range(i, i + 2),
                        "invalid symbol: escaping `/` with a backslash is reserved; `/` always separates the parts of a path",
                    );
                }
                i += 2;
            } else {
                i += 1;
            }
        }
    }

    /// The end of a bare token that continues at `from`: up to whitespace, a comma, a delimiter
    /// or the end of input. A backslash keeps the next character in the token.
    /// Also says whether the token holds a backslash.
    fn bare_token_end(&self, from: usize) -> (usize, bool) {
        let mut i = from;
        let mut escaped = false;
        loop {
            let rest = self.bytes.get(i..).unwrap_or_default();
            let Some(n) = rest
                .iter()
                .position(|&b| BYTE_CLASS[b as usize] != CONTINUES)
            else {
                return (self.bytes.len(), escaped);
            };
            i += n;
            let class = BYTE_CLASS[self.bytes[i] as usize];
            if class & ENDS != 0 {
                return (i, escaped);
            }
            if class == ESCAPES {
                escaped = true;
                i += 1;
                if i < self.bytes.len() {
                    i += self.char_len_at(i);
                }
            } else if self.unicode_space_len_at(i) == 0 {
                // A character outside ASCII that shares its first byte with whitespace.
                i += self.char_len_at(i);
            } else {
                return (i, escaped);
            }
        }
    }

    fn hash(&mut self, start: usize) {
        match self.byte_at(start + 1) {
            Some(b' ' | b'!' | b'#' | b'\r' | b'\n') => {
                let end = self.bytes[start..]
                    .iter()
                    .position(|&b| b == b'\n' || b == b'\r')
                    .map_or(self.bytes.len(), |n| start + n);
                self.push(LINE_COMMENT, end);
            }
            Some(b'<') => self.block_comment(start),
            Some(b'"') => {
                let triple = self.bytes[start + 1..].starts_with(b"\"\"\"");
                self.push(ISTRING_START, if triple { start + 4 } else { start + 2 });
                self.modes.push(Mode::IString {
                    triple,
                    base: self.closers.len(),
                });
            }
            Some(b'[') => {
                self.push(HASH_BRACK, start + 2);
                self.track_closers(HASH_BRACK);
            }
            Some(b'@') => self.push(HASH_AT, start + 2),
            // A `#` followed by anything else (a tab, a bracket, the end of the file) is not a
            // comment (§1.1, §1.9): it starts a symbol such as `#tag`, or is the symbol `#`.
            _ => self.bare_token(start, start + 1),
        }
    }

    /// `#< ... >#`: ends at the first `>#` whose `>` is not preceded by another `>`.
    fn block_comment(&mut self, start: usize) {
        let mut i = start + 2;
        while i + 1 < self.bytes.len() {
            if self.bytes[i] == b'>' && self.bytes[i + 1] == b'#' && self.bytes[i - 1] != b'>' {
                return self.push(BLOCK_COMMENT, i + 2);
            }
            i += 1;
        }
        self.error(
            SyntaxErrorKind::UnterminatedBlockComment,
            range(start, start + 2),
            "unterminated block comment: expected `>#` before end of file",
        );
        self.swallowed_from = Some(start);
        self.push(BLOCK_COMMENT, self.bytes.len());
    }

    fn number(&mut self, start: usize) {
        let end = self.bare_token_end(start).0.max(start + 1);
        let token = &self.text[start..end];
        let kind = match classify_number(token) {
            Ok(NumberShape::Int) => {
                if token.parse::<i64>().is_err() {
                    self.error(
                        SyntaxErrorKind::IntegerOutOfRange,
                        range(start, end),
                        format!("integer literal `{token}` does not fit in 64 bits"),
                    );
                }
                INT
            }
            Ok(NumberShape::Float) => FLOAT,
            Err(message) => {
                self.error(SyntaxErrorKind::InvalidNumber, range(start, end), message);
                BAD_NUMBER
            }
        };
        self.push(kind, end);
    }
}
