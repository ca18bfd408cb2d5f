//! Strings, escapes, characters and the literal text of interpolated strings.

use super::{Lexer, Mode, range};
use crate::SyntaxKind::*;
use crate::syntax_error::SyntaxErrorKind;

/// Where a string that starts with `"` at `start` ends: the index after its closing quote(s) and
/// `true`, or the end of the text and `false` when it is unterminated. Escapes are skipped
/// (a backslash hides the next character); nothing is reported.
pub(super) fn scan_string(text: &str, start: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let triple = text[start..].starts_with("\"\"\"");
    let mut i = if triple { start + 3 } else { start + 1 };
    while i < bytes.len() {
        match bytes[i] {
            // The escaped character may be multi-byte: skipping one byte lands inside it, but no
            // continuation byte is `"` or `\`, so the scan stays correct.
            b'\\' => i += 2,
            b'"' if !triple => return (i + 1, true),
            b'"' if bytes[i..].starts_with(b"\"\"\"") => return (i + 3, true),
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let mut value = 0u32;
    for &d in digits {
        value = value * 16 + (d as char).to_digit(16)?;
    }
    Some(value)
}

impl Lexer<'_> {
    /// `"..."` or `"""..."""`.
    pub(super) fn string(&mut self, start: usize) {
        let (end, terminated) = scan_string(self.text, start);
        let body = if self.text[start..].starts_with("\"\"\"") {
            start + 3
        } else {
            start + 1
        };
        self.check_escapes(body.min(end), end);
        if !terminated {
            let message = if body == start + 3 {
                "unterminated string: expected a closing `\"\"\"` before end of file"
            } else {
                "unterminated string: expected a closing `\"` before end of file"
            };
            self.error(
                SyntaxErrorKind::UnterminatedString,
                range(start, body.min(end)),
                message,
            );
            self.swallowed_from = Some(start);
        }
        self.push(STRING, end);
    }

    /// Reports the invalid and unknown escapes between `from` and `to`.
    pub(super) fn check_escapes(&mut self, from: usize, to: usize) {
        let Some(first) = self.bytes[from..to].iter().position(|&b| b == b'\\') else {
            return;
        };
        let mut i = from + first;
        while i < to {
            if self.bytes[i] == b'\\' {
                i = self.escape(i, to);
            } else {
                i += 1;
            }
        }
    }

    /// Checks the escape whose backslash is at `i` (not reading past `to`); returns the index
    /// after it.
    fn escape(&mut self, i: usize, to: usize) -> usize {
        let bytes = &self.bytes[..to];
        match bytes.get(i + 1) {
            None => i + 1,
            Some(b'u') => {
                let Some(cp) = hex4(bytes, i + 2) else {
                    let end = (i + 2..(i + 6).min(bytes.len()))
                        .take_while(|&j| bytes[j].is_ascii_hexdigit())
                        .last()
                        .map_or(i + 2, |j| j + 1);
                    self.error(
                        SyntaxErrorKind::InvalidEscape,
                        range(i, end),
                        "invalid escape: `\\u` must be followed by four hexadecimal digits, as in `\\u00e9`",
                    );
                    return end;
                };
                let after = i + 6;
                if (0xD800..0xDC00).contains(&cp) {
                    let low = bytes
                        .get(after..after + 2)
                        .filter(|s| *s == b"\\u")
                        .and_then(|_| hex4(bytes, after + 2));
                    match low {
                        Some(low) if (0xDC00..0xE000).contains(&low) => after + 6,
                        _ => {
                            self.error(
                                SyntaxErrorKind::InvalidEscape,
                                range(i, after),
                                "invalid escape: a high surrogate must be followed by a low surrogate (`\\uDC00`-`\\uDFFF`)",
                            );
                            after
                        }
                    }
                } else if (0xDC00..0xE000).contains(&cp) {
                    self.error(
                        SyntaxErrorKind::InvalidEscape,
                        range(i, after),
                        "invalid escape: a low surrogate must follow a high surrogate",
                    );
                    after
                } else {
                    after
                }
            }
            Some(b'n' | b't' | b'r' | b'b' | b'f' | b'"' | b'\\' | b'#') => i + 2,
            Some(_) => {
                let end = i + 1 + self.char_len_at(i + 1);
                let escaped = self.text.get(i + 1..end).unwrap_or_default();
                let what = match escaped.chars().next() {
                    Some(c) if c.is_whitespace() || c.is_control() => {
                        format!("a backslash before U+{:04X}", u32::from(c))
                    }
                    _ => format!("`\\{escaped}`"),
                };
                self.error(
                    SyntaxErrorKind::UnknownEscape,
                    range(i, end),
                    format!(
                        "unknown escape: {what}; the escapes are `\\n` `\\t` `\\r` `\\b` `\\f` `\\uXXXX` `\\\"` `\\\\` `\\#` (write `\\\\` for a backslash)"
                    ),
                );
                end
            }
        }
    }

    /// `'x'` or `'\n'`: one ASCII character.
    pub(super) fn char_literal(&mut self, start: usize) {
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
        // Not a valid character literal: take the bare token and report it once.
        let end = self.bare_token_end(start).0.max(start + 1);
        let token = &self.text[start..end];
        let message = if token[1..].chars().next().is_some_and(|c| !c.is_ascii()) {
            "invalid character literal: a character literal holds one ASCII character; use a string for other text"
        } else if token.len() > 3 && token.ends_with('\'') {
            "invalid character literal: a character literal holds exactly one character; use a string"
        } else {
            "invalid character literal: expected one character and a closing `'`, as in `'a'`"
        };
        self.error(SyntaxErrorKind::InvalidChar, range(start, end), message);
        self.push(CHAR, end);
    }

    /// Inside an interpolated string: literal text, an interpolation opener, a comment or the
    /// closing quote.
    pub(super) fn istring_piece(&mut self, triple: bool) {
        let start = self.pos;
        let bytes = self.bytes;
        match bytes[start] {
            b'"' if !triple => return self.end_istring(1),
            b'"' if bytes[start..].starts_with(b"\"\"\"") => return self.end_istring(3),
            b'#' => match self.byte_at(start + 1) {
                Some(b'{') => {
                    self.push(INTERP_START, start + 2);
                    self.modes.push(Mode::Interp {
                        base: self.closers.len(),
                    });
                    return;
                }
                Some(b'(' | b'[') => {
                    self.push(INTERP_HASH, start + 1);
                    self.modes.push(Mode::Embedded {
                        base: self.closers.len(),
                    });
                    return;
                }
                Some(b'<') => return self.block_comment(start),
                _ => {}
            },
            _ => {}
        }
        // Plain text up to the next special sequence. A `#` that starts nothing is text.
        let mut i = start;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i = self.escape(i, bytes.len()),
                b'"' if !triple || bytes[i..].starts_with(b"\"\"\"") => break,
                b'#' if i > start
                    && matches!(self.byte_at(i + 1), Some(b'{' | b'(' | b'[' | b'<')) =>
                {
                    break;
                }
                _ => i += 1,
            }
        }
        let end = i.min(bytes.len()).max(start + 1);
        self.push(ISTRING_TEXT, end);
    }

    /// The closing quote(s) of the innermost interpolated string: leaves every mode it opened.
    pub(super) fn end_istring(&mut self, len: usize) {
        while let Some(mode) = self.modes.pop() {
            if let Mode::IString { base, .. } = mode {
                self.closers.truncate(base);
                break;
            }
        }
        self.push(ISTRING_END, self.pos + len);
    }
}
