//! LSP positions <-> byte offsets, over a rope and in the encoding negotiated with the client.
//!
//! LSP counts columns in UTF-16 code units unless client and server agree on UTF-8 bytes, and
//! lines end at `\n`, `\r\n` or a lone `\r`. The rope is built with ropey's `cr_lines` feature,
//! so its lines are exactly LSP's. Every conversion clamps instead of panicking: a column past
//! the end of a line means the end of that line (as the specification says), a column inside a
//! character (a UTF-16 surrogate pair, a multi-byte UTF-8 sequence) means the start of it.

use gene_syntax::{TextRange, TextSize};
use ropey::Rope;
use tower_lsp_server::lsp_types::{Position, PositionEncodingKind, Range};

/// How the client counts columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
}

impl PositionEncoding {
    /// UTF-8 when the client offers it (it is what the server and the rope count natively),
    /// UTF-16 otherwise: every client must support UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> PositionEncoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
            _ => PositionEncoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// A position on a line that the document does not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineOutOfRange {
    pub line: u32,
    pub line_count: usize,
}

impl std::fmt::Display for LineOutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} is past the end of the document ({} lines)",
            self.line, self.line_count
        )
    }
}

/// Conversions for one version of a document's text.
#[derive(Clone, Copy)]
pub struct LineMap<'a> {
    rope: &'a Rope,
    encoding: PositionEncoding,
}

impl<'a> LineMap<'a> {
    pub fn new(rope: &'a Rope, encoding: PositionEncoding) -> LineMap<'a> {
        LineMap { rope, encoding }
    }

    /// The char index where the content of `line` ends (before its line break).
    fn line_content_end(&self, line: usize) -> usize {
        let rope = self.rope;
        let start = rope.line_to_char(line);
        let mut end = if line + 1 < rope.len_lines() {
            rope.line_to_char(line + 1)
        } else {
            rope.len_chars()
        };
        if end > start && rope.char(end - 1) == '\n' {
            end -= 1;
        }
        if end > start && rope.char(end - 1) == '\r' {
            end -= 1;
        }
        end
    }

    /// The char index of a position; a column past the line's end is the line's end.
    pub fn char_index(&self, position: Position) -> Result<usize, LineOutOfRange> {
        let rope = self.rope;
        let line = position.line as usize;
        if line >= rope.len_lines() {
            return Err(LineOutOfRange {
                line: position.line,
                line_count: rope.len_lines(),
            });
        }
        let start = rope.line_to_char(line);
        let end = self.line_content_end(line);
        let column = position.character as usize;
        Ok(match self.encoding {
            PositionEncoding::Utf8 => {
                let start_byte = rope.char_to_byte(start);
                let end_byte = rope.char_to_byte(end);
                // `byte_to_char` rounds a byte inside a character down to that character.
                rope.byte_to_char(start_byte.saturating_add(column).min(end_byte))
            }
            PositionEncoding::Utf16 => {
                let start_cu = rope.char_to_utf16_cu(start);
                let end_cu = rope.char_to_utf16_cu(end);
                // `utf16_cu_to_char` maps the low half of a surrogate pair to its character.
                rope.utf16_cu_to_char(start_cu.saturating_add(column).min(end_cu))
            }
        })
    }

    /// Like [`LineMap::char_index`], but a line past the end means the end of the document.
    /// For edits, where a client that is out of step should still not stop the server.
    pub fn char_index_clamped(&self, position: Position) -> usize {
        self.char_index(position)
            .unwrap_or_else(|_| self.rope.len_chars())
    }

    /// The byte offset of a position.
    pub fn offset(&self, position: Position) -> Result<TextSize, LineOutOfRange> {
        let char = self.char_index(position)?;
        Ok(to_text_size(self.rope.char_to_byte(char)))
    }

    pub fn text_range(&self, range: Range) -> Result<TextRange, LineOutOfRange> {
        let start = self.offset(range.start)?;
        let end = self.offset(range.end)?;
        Ok(TextRange::new(start.min(end), start.max(end)))
    }

    /// The position of a byte offset (clamped to the text; inside a character it means that
    /// character's start).
    pub fn position(&self, offset: TextSize) -> Position {
        let rope = self.rope;
        let byte = (u32::from(offset) as usize).min(rope.len_bytes());
        let char = rope.byte_to_char(byte);
        let line = rope.char_to_line(char);
        let line_start = rope.line_to_char(line);
        let column = match self.encoding {
            PositionEncoding::Utf8 => rope.char_to_byte(char) - rope.char_to_byte(line_start),
            PositionEncoding::Utf16 => {
                rope.char_to_utf16_cu(char) - rope.char_to_utf16_cu(line_start)
            }
        };
        Position::new(to_u32(line), to_u32(column))
    }

    pub fn range(&self, range: TextRange) -> Range {
        Range::new(self.position(range.start()), self.position(range.end()))
    }

    /// The end of the document as a position.
    pub fn end(&self) -> Position {
        self.position(to_text_size(self.rope.len_bytes()))
    }
}

/// Walks a text forwards, keeping the LSP position of where it is: converting many increasing
/// offsets (every semantic token of a file) costs one pass over the text instead of a look-up
/// per offset.
pub struct TextCursor<'t> {
    text: &'t str,
    encoding: PositionEncoding,
    byte: usize,
    line: u32,
    column: u32,
}

impl<'t> TextCursor<'t> {
    pub fn new(text: &'t str, encoding: PositionEncoding) -> TextCursor<'t> {
        TextCursor {
            text,
            encoding,
            byte: 0,
            line: 0,
            column: 0,
        }
    }

    pub fn offset(&self) -> usize {
        self.byte
    }

    pub fn position(&self) -> Position {
        Position::new(self.line, self.column)
    }

    /// Is the cursor on a line break (`\n`, or the `\r` of `\r\n` or a lone `\r`)?
    pub fn at_line_break(&self) -> bool {
        matches!(self.text.as_bytes().get(self.byte), Some(b'\n' | b'\r'))
    }

    /// Moves past one character (a `\r\n` counts as two steps, the line changing at the `\n`).
    pub fn step(&mut self) {
        let Some(c) = self
            .text
            .get(self.byte..)
            .and_then(|rest| rest.chars().next())
        else {
            self.byte = self.text.len();
            return;
        };
        self.byte += c.len_utf8();
        match c {
            '\n' => {
                self.line += 1;
                self.column = 0;
            }
            '\r' if self.text.as_bytes().get(self.byte) == Some(&b'\n') => {}
            '\r' => {
                self.line += 1;
                self.column = 0;
            }
            c => {
                self.column += match self.encoding {
                    PositionEncoding::Utf8 => c.len_utf8() as u32,
                    PositionEncoding::Utf16 => c.len_utf16() as u32,
                }
            }
        }
    }

    /// Moves forwards to `offset` (never backwards; clamped to the text).
    pub fn advance_to(&mut self, offset: usize) {
        while self.byte < offset.min(self.text.len()) {
            self.step();
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn to_text_size(n: usize) -> TextSize {
    TextSize::from(to_u32(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn negotiation_prefers_utf8_only_when_offered() {
        assert_eq!(PositionEncoding::negotiate(None), PositionEncoding::Utf16);
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(
            PositionEncoding::negotiate(Some(&both)),
            PositionEncoding::Utf8
        );
        let utf32 = [PositionEncodingKind::UTF32];
        assert_eq!(
            PositionEncoding::negotiate(Some(&utf32)),
            PositionEncoding::Utf16
        );
    }

    #[test]
    fn astral_characters_in_both_encodings() {
        // 😀 is 4 bytes in UTF-8 and a surrogate pair (2 units) in UTF-16; é is 2 bytes / 1 unit.
        let text = "(f \"😀é\" x)\n";
        let rope = Rope::from_str(text);
        let x = TextSize::from(text.find('x').unwrap() as u32);

        let utf16 = LineMap::new(&rope, PositionEncoding::Utf16);
        assert_eq!(utf16.position(x), pos(0, 9));
        assert_eq!(utf16.offset(pos(0, 9)), Ok(x));
        // The second half of the surrogate pair maps to the emoji's start.
        let emoji = TextSize::from(text.find('😀').unwrap() as u32);
        assert_eq!(utf16.offset(pos(0, 5)), Ok(emoji));

        let utf8 = LineMap::new(&rope, PositionEncoding::Utf8);
        assert_eq!(utf8.position(x), pos(0, 12));
        assert_eq!(utf8.offset(pos(0, 12)), Ok(x));
        // A byte inside the emoji maps to its start.
        assert_eq!(utf8.offset(pos(0, 6)), Ok(emoji));
    }

    #[test]
    fn every_offset_round_trips_at_char_boundaries() {
        let text = "a😀\r\nb\rcé\n\u{10FFFF}z\n";
        let rope = Rope::from_str(text);
        for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            let map = LineMap::new(&rope, encoding);
            for (i, c) in text.char_indices() {
                // Positions inside a line break do not exist in LSP; skip the `\n` of `\r\n`.
                if c == '\n' && text[..i].ends_with('\r') {
                    continue;
                }
                let offset = TextSize::from(i as u32);
                let p = map.position(offset);
                assert_eq!(
                    map.offset(p),
                    Ok(offset),
                    "{encoding:?} at {i} ({c:?}) -> {p:?}"
                );
            }
        }
    }

    #[test]
    fn lines_end_at_lf_crlf_and_cr() {
        let rope = Rope::from_str("ab\r\ncd\ref\ngh");
        let map = LineMap::new(&rope, PositionEncoding::Utf16);
        assert_eq!(map.offset(pos(1, 0)), Ok(TextSize::from(4)));
        assert_eq!(map.offset(pos(2, 0)), Ok(TextSize::from(7)));
        assert_eq!(map.offset(pos(3, 1)), Ok(TextSize::from(11)));
        // A column past the end of a line is the end of the line, before its break.
        assert_eq!(map.offset(pos(0, 99)), Ok(TextSize::from(2)));
        assert_eq!(map.offset(pos(1, 99)), Ok(TextSize::from(6)));
        assert_eq!(map.offset(pos(3, 99)), Ok(TextSize::from(12)));
        assert_eq!(
            map.offset(pos(4, 0)),
            Err(LineOutOfRange {
                line: 4,
                line_count: 4
            })
        );
        assert_eq!(map.char_index_clamped(pos(40, 0)), 12);
        assert_eq!(map.end(), pos(3, 2));
    }

    #[test]
    fn the_cursor_agrees_with_the_line_map() {
        let text = "a😀\r\nb\rcé\n\u{10FFFF}z\n";
        let rope = Rope::from_str(text);
        for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            let map = LineMap::new(&rope, encoding);
            let mut cursor = TextCursor::new(text, encoding);
            for (i, c) in text.char_indices() {
                if c == '\n' && text[..i].ends_with('\r') {
                    continue;
                }
                cursor.advance_to(i);
                assert_eq!(
                    cursor.position(),
                    map.position(TextSize::from(i as u32)),
                    "{i}"
                );
            }
        }
    }

    #[test]
    fn empty_document() {
        let rope = Rope::new();
        let map = LineMap::new(&rope, PositionEncoding::Utf16);
        assert_eq!(map.offset(pos(0, 0)), Ok(TextSize::from(0)));
        assert_eq!(map.offset(pos(0, 7)), Ok(TextSize::from(0)));
        assert_eq!(map.position(TextSize::from(9)), pos(0, 0));
    }
}
