//! The lexer: text -> a flat list of tokens (kind and length) plus lexical errors.
//!
//! It never fails: every byte ends up in exactly one token. Interpolated strings (`#"..#{x}.."`)
//! are lexed with a small mode stack, so the parser sees their pieces as ordinary tokens.

use rowan::{TextRange, TextSize};

use crate::SyntaxKind::{self, *};
use crate::syntax_error::{SyntaxError, SyntaxErrorKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: SyntaxKind,
    pub len: TextSize,
}

/// Lexes `text` completely.
pub fn tokenize(text: &str) -> (Vec<Token>, Vec<SyntaxError>) {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        tokens: Vec::with_capacity(text.len() / 4 + 1),
        errors: Vec::new(),
        modes: Vec::new(),
    };
    lexer.run();
    (lexer.tokens, lexer.errors)
}

/// Where the lexer is inside interpolated strings.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Literal text of an interpolated string that started at `start`.
    IString { triple: bool, start: usize },
    /// Inside `#{ ... }`: ordinary tokens until the `}` that closes it.
    Interp { depth: u32 },
    /// Inside `#( ... )` or `#[ ... ]` of an interpolated string, until the bracket closes.
    Embedded { depth: u32 },
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    errors: Vec<SyntaxError>,
    modes: Vec<Mode>,
}

/// Bytes that end a bare token (besides whitespace and commas).
fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b',' | b'"' | b'%' | b'(' | b')' | b'[' | b']' | b'{' | b'}'
    )
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',')
}

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32))
}

impl<'a> Lexer<'a> {
    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            match self.modes.last().copied() {
                Some(Mode::IString { triple, .. }) => self.istring_piece(triple),
                Some(Mode::Interp { depth }) if depth == 0 && self.bytes[self.pos] == b'}' => {
                    self.modes.pop();
                    self.push(INTERP_END, self.pos + 1);
                }
                _ => self.token(),
            }
        }
        // Every interpolated string still open at the end is unterminated; report the outermost
        // once, since the inner ones cannot end without it.
        if let Some(start) = self.modes.iter().find_map(|m| match m {
            Mode::IString { start, .. } => Some(*start),
            _ => None,
        }) {
            let opener_len = if self.text[start..].starts_with("#\"\"\"") {
                4
            } else {
                2
            };
            self.errors.push(SyntaxError::new(
                SyntaxErrorKind::UnterminatedString,
                range(start, start + opener_len),
                "unterminated interpolated string: expected a closing `\"` before end of file",
            ));
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

    fn byte_at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    /// Length of the UTF-8 character starting at byte `i`.
    fn char_len_at(&self, i: usize) -> usize {
        self.text[i..].chars().next().map_or(1, char::len_utf8)
    }

    /// Adjusts bracket depth for the interpolation modes after an ordinary token.
    fn track_depth(&mut self, kind: SyntaxKind) {
        let Some(mode) = self.modes.last_mut() else {
            return;
        };
        match mode {
            Mode::Interp { depth } => match kind {
                L_PAREN | L_BRACK | L_BRACE | HASH_BRACK => *depth += 1,
                R_PAREN | R_BRACK | R_BRACE => *depth = depth.saturating_sub(1),
                _ => {}
            },
            Mode::Embedded { depth } => match kind {
                L_PAREN | L_BRACK | L_BRACE | HASH_BRACK => *depth += 1,
                R_PAREN | R_BRACK | R_BRACE => {
                    *depth = depth.saturating_sub(1);
                    if *depth == 0 {
                        self.modes.pop();
                    }
                }
                _ => {}
            },
            Mode::IString { .. } => {}
        }
    }

    /// Lexes one ordinary token at `self.pos`.
    fn token(&mut self) {
        let start = self.pos;
        let b = self.bytes[start];
        let kind = match b {
            b' ' | b'\t' | b'\r' | b'\n' | b',' => {
                let mut end = start + 1;
                while end < self.bytes.len() && is_whitespace(self.bytes[end]) {
                    end += 1;
                }
                self.push(WHITESPACE, end);
                return;
            }
            b'(' => L_PAREN,
            b')' => R_PAREN,
            b'[' => L_BRACK,
            b']' => R_BRACK,
            b'{' => L_BRACE,
            b'}' => R_BRACE,
            b':' => COLON,
            b'%' => {
                if self.byte_at(start + 1) == Some(b'_') {
                    self.push(PERCENT_UNDERSCORE, start + 2);
                    return;
                }
                PERCENT
            }
            b'"' => {
                self.string(start);
                return;
            }
            b'\'' => {
                self.char_literal(start);
                return;
            }
            b'#' => {
                self.hash(start);
                return;
            }
            b'0'..=b'9' => {
                self.number(start);
                return;
            }
            b'+' | b'-' if self.byte_at(start + 1).is_some_and(|n| n.is_ascii_digit()) => {
                self.number(start);
                return;
            }
            _ => {
                let end = self.bare_token_end(start);
                let kind = match &self.text[start..end] {
                    "nil" => NIL,
                    "true" => TRUE,
                    "false" => FALSE,
                    t if t.starts_with('^') => CARET_TOKEN,
                    _ => SYMBOL,
                };
                self.push(kind, end);
                return;
            }
        };
        self.push(kind, start + 1);
        self.track_depth(kind);
    }

    /// The end of a bare token starting at `start`: up to whitespace, a comma, a delimiter or the
    /// end of input. A backslash keeps the next character in the token.
    fn bare_token_end(&self, start: usize) -> usize {
        let mut i = start;
        while i < self.bytes.len() {
            let b = self.bytes[i];
            if b == b'\\' {
                i += 1;
                if i < self.bytes.len() {
                    i += self.char_len_at(i);
                }
                continue;
            }
            if is_delimiter(b) {
                break;
            }
            i += 1;
        }
        i.max(start + 1)
    }

    fn hash(&mut self, start: usize) {
        match self.byte_at(start + 1) {
            None | Some(b' ' | b'!' | b'#' | b'\r' | b'\n') => {
                let end = memchr_newline(self.bytes, start);
                self.push(LINE_COMMENT, end);
            }
            Some(b'<') => self.block_comment(start),
            Some(b'"') => {
                let triple = self.text[start + 1..].starts_with("\"\"\"");
                let end = if triple { start + 4 } else { start + 2 };
                self.push(ISTRING_START, end);
                self.modes.push(Mode::IString { triple, start });
            }
            Some(b'[') => {
                self.push(HASH_BRACK, start + 2);
                self.track_depth(HASH_BRACK);
            }
            Some(b'@') => self.push(HASH_AT, start + 2),
            Some(_) => {
                let end = self.bare_token_end(start);
                self.push(SYMBOL, end);
            }
        }
    }

    /// `#< ... >#`: ends at the first `>#` whose `>` is not preceded by another `>`.
    fn block_comment(&mut self, start: usize) {
        let mut i = start + 2;
        while i + 1 < self.bytes.len() {
            if self.bytes[i] == b'>' && self.bytes[i + 1] == b'#' && self.bytes[i - 1] != b'>' {
                self.push(BLOCK_COMMENT, i + 2);
                return;
            }
            i += 1;
        }
        self.errors.push(SyntaxError::new(
            SyntaxErrorKind::UnterminatedBlockComment,
            range(start, start + 2),
            "unterminated block comment: expected `>#` before end of file",
        ));
        self.push(BLOCK_COMMENT, self.bytes.len());
    }

    fn string(&mut self, start: usize) {
        let triple = self.text[start..].starts_with("\"\"\"");
        let body = if triple { start + 3 } else { start + 1 };
        let mut i = body;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' => i = self.escape(i),
                b'"' if !triple => {
                    self.push(STRING, i + 1);
                    return;
                }
                b'"' if self.text[i..].starts_with("\"\"\"") => {
                    self.push(STRING, i + 3);
                    return;
                }
                _ => i += 1,
            }
        }
        self.errors.push(SyntaxError::new(
            SyntaxErrorKind::UnterminatedString,
            range(start, body),
            if triple {
                "unterminated string: expected a closing `\"\"\"` before end of file"
            } else {
                "unterminated string: expected a closing `\"` before end of file"
            },
        ));
        self.push(STRING, self.bytes.len());
    }

    /// Checks the escape starting with the backslash at `i`; returns the index after it.
    fn escape(&mut self, i: usize) -> usize {
        match self.byte_at(i + 1) {
            None => i + 1,
            Some(b'u') => {
                let Some(cp) = hex4(self.bytes, i + 2) else {
                    let end = (i + 2..(i + 6).min(self.bytes.len()))
                        .take_while(|&j| self.bytes[j].is_ascii_hexdigit())
                        .last()
                        .map_or(i + 2, |j| j + 1);
                    self.errors.push(SyntaxError::new(
                        SyntaxErrorKind::InvalidEscape,
                        range(i, end),
                        "invalid escape: `\\u` must be followed by four hexadecimal digits",
                    ));
                    return end;
                };
                let after = i + 6;
                if (0xD800..0xDC00).contains(&cp) {
                    let low = (self.bytes.get(after) == Some(&b'\\')
                        && self.bytes.get(after + 1) == Some(&b'u'))
                    .then(|| hex4(self.bytes, after + 2))
                    .flatten();
                    match low {
                        Some(low) if (0xDC00..0xE000).contains(&low) => after + 6,
                        _ => {
                            self.errors.push(SyntaxError::new(
                                SyntaxErrorKind::InvalidEscape,
                                range(i, after),
                                "invalid escape: a high surrogate must be followed by a low surrogate (`\\uDC00`-`\\uDFFF`)",
                            ));
                            after
                        }
                    }
                } else if (0xDC00..0xE000).contains(&cp) {
                    self.errors.push(SyntaxError::new(
                        SyntaxErrorKind::InvalidEscape,
                        range(i, after),
                        "invalid escape: a low surrogate must follow a high surrogate",
                    ));
                    after
                } else {
                    after
                }
            }
            Some(_) => i + 1 + self.char_len_at(i + 1),
        }
    }

    /// `'x'` or `'\n'`: one ASCII character.
    fn char_literal(&mut self, start: usize) {
        let b1 = self.byte_at(start + 1);
        let b2 = self.byte_at(start + 2);
        let b3 = self.byte_at(start + 3);
        match (b1, b2, b3) {
            (Some(b'\\'), Some(c), Some(b'\'')) if c.is_ascii() => {
                self.push(CHAR, start + 4);
                return;
            }
            (Some(c), Some(b'\''), _) if c.is_ascii() && c != b'\\' && c != b'\'' => {
                self.push(CHAR, start + 3);
                return;
            }
            _ => {}
        }
        // Not a valid character literal: take the bare token (and a closing quote right after a
        // space-separated piece is not looked for) and report it once.
        let end = self.bare_token_end(start);
        let token = &self.text[start..end];
        let message = if token.len() > 1 && token[1..].chars().next().is_some_and(|c| !c.is_ascii())
        {
            "invalid character literal: a character literal holds one ASCII character; use a string for non-ASCII text"
        } else if token.len() > 2 && token.ends_with('\'') {
            "invalid character literal: a character literal holds exactly one character; use a string"
        } else {
            "invalid character literal: expected one character and a closing `'`, as in `'a'`"
        };
        self.errors.push(SyntaxError::new(
            SyntaxErrorKind::InvalidChar,
            range(start, end),
            message,
        ));
        self.push(CHAR, end);
    }

    fn number(&mut self, start: usize) {
        let end = self.bare_token_end(start);
        let token = &self.text[start..end];
        let kind = match classify_number(token) {
            Ok(NumberShape::Int) => {
                if token.parse::<i64>().is_err() {
                    self.errors.push(SyntaxError::new(
                        SyntaxErrorKind::IntegerOutOfRange,
                        range(start, end),
                        format!("integer literal `{token}` does not fit in 64 bits"),
                    ));
                }
                INT
            }
            Ok(NumberShape::Float) => FLOAT,
            Err(message) => {
                self.errors.push(SyntaxError::new(
                    SyntaxErrorKind::InvalidNumber,
                    range(start, end),
                    message,
                ));
                BAD_NUMBER
            }
        };
        self.push(kind, end);
    }

    /// Literal text, an interpolation opener, a comment or the closing quote of an interpolated
    /// string.
    fn istring_piece(&mut self, triple: bool) {
        let start = self.pos;
        let bytes = self.bytes;
        match bytes[start] {
            b'"' if !triple => {
                self.modes.pop();
                self.push(ISTRING_END, start + 1);
                return;
            }
            b'"' if self.text[start..].starts_with("\"\"\"") => {
                self.modes.pop();
                self.push(ISTRING_END, start + 3);
                return;
            }
            b'#' => match self.byte_at(start + 1) {
                Some(b'{') => {
                    self.push(INTERP_START, start + 2);
                    self.modes.push(Mode::Interp { depth: 0 });
                    return;
                }
                Some(b'(' | b'[') => {
                    self.push(INTERP_HASH, start + 1);
                    self.modes.push(Mode::Embedded { depth: 0 });
                    return;
                }
                Some(b'<') => {
                    self.block_comment(start);
                    return;
                }
                _ => {}
            },
            _ => {}
        }
        // Plain text up to the next special sequence.
        let mut i = start;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i = self.escape(i),
                b'"' if !triple || self.text[i..].starts_with("\"\"\"") => break,
                b'#' if i > start
                    && matches!(self.byte_at(i + 1), Some(b'{' | b'(' | b'[' | b'<')) =>
                {
                    break;
                }
                b'#' if i == start => i += 1,
                _ => i += 1,
            }
        }
        let end = i.min(bytes.len()).max(start + 1);
        self.push(ISTRING_TEXT, end);
    }
}

/// Index of the end of the line starting at `start` (the `\r` or `\n`, or the end of input).
fn memchr_newline(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |p| start + p)
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let mut value = 0u32;
    for &d in digits {
        value = value * 16 + (d as char).to_digit(16)?;
    }
    Some(value)
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NumberShape {
    Int,
    Float,
}

/// Decides whether a token that starts like a number is an integer, a float or a reserved form.
pub(crate) fn classify_number(token: &str) -> Result<NumberShape, String> {
    let b = token.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = &token[int_start..i];
    if i == b.len() {
        return Ok(NumberShape::Int);
    }
    let mut float = false;
    let mut j = i;
    if b[j] == b'.' {
        float = true;
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
        let mut k = j + 1;
        if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        let exp_start = k;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k > exp_start {
            float = true;
            j = k;
        }
    }
    if float && j == b.len() {
        return Ok(NumberShape::Float);
    }
    // Reserved forms: say which one it looks like.
    let next = b[i];
    let message = match next {
        b'x' | b'X' if int_digits == "0" => format!(
            "invalid number `{token}`: Gene has no hexadecimal literals (numbers with a letter suffix are reserved)"
        ),
        b'!' | b'*' | b'#' if int_digits == "0" => {
            format!(
                "invalid number `{token}`: `0{}` blobs are reserved",
                next as char
            )
        }
        b'-' => format!("invalid number `{token}`: dates such as `2024-01-02` are reserved"),
        b':' => format!("invalid number `{token}`: times such as `10:30` are reserved"),
        b'/' => {
            format!("invalid number `{token}`: ratios such as `1/3` are reserved; write `(1 / 3)`")
        }
        c if c.is_ascii_alphabetic() || c == b'_' => {
            format!(
                "invalid number `{token}`: numbers followed by letters (units such as `3px`) are reserved"
            )
        }
        _ => format!(
            "invalid number `{token}`: expected an integer (`42`) or a float (`2.5`, `6e3`)"
        ),
    };
    Err(message)
}
