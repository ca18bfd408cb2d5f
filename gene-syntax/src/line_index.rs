//! Byte offset <-> line/column conversion, in UTF-8 bytes, UTF-16 code units (what LSP clients
//! count by default) and characters.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as the LSP specification counts them. The line
//! terminator belongs to the line it ends, but a column never points inside `\r\n`.

use rowan::{TextRange, TextSize};

/// A zero-based line and column. The column counts UTF-8 bytes, UTF-16 units or characters, as
/// the method that produced it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// A non-ASCII character on a line: where it starts (byte column) and its sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct WideChar {
    col: u32,
    utf8_len: u8,
    utf16_len: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LineIndex {
    /// Byte offset of the start of each line.
    line_starts: Vec<TextSize>,
    /// Byte offset of the end of each line's text, before its terminator.
    line_ends: Vec<TextSize>,
    /// Non-ASCII characters per line; only lines that have any are listed, in line order.
    wide: Vec<(u32, Vec<WideChar>)>,
    len: TextSize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![TextSize::from(0)];
        let mut line_ends = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    line_ends.push(TextSize::from(i as u32));
                    line_starts.push(TextSize::from(i as u32 + 1));
                }
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    line_ends.push(TextSize::from(i as u32));
                    line_starts.push(TextSize::from(i as u32 + 2));
                    i += 1;
                }
                b'\r' => {
                    line_ends.push(TextSize::from(i as u32));
                    line_starts.push(TextSize::from(i as u32 + 1));
                }
                _ => {}
            }
            i += 1;
        }
        line_ends.push(TextSize::of(text));

        let mut wide: Vec<(u32, Vec<WideChar>)> = Vec::new();
        if !text.is_ascii() {
            let mut line = 0usize;
            for (i, c) in text.char_indices() {
                if c.is_ascii() {
                    continue;
                }
                let at = TextSize::from(i as u32);
                while line + 1 < line_starts.len() && line_starts[line + 1] <= at {
                    line += 1;
                }
                let w = WideChar {
                    col: u32::from(at - line_starts[line]),
                    utf8_len: c.len_utf8() as u8,
                    utf16_len: c.len_utf16() as u8,
                };
                match wide.last_mut() {
                    Some((l, chars)) if *l == line as u32 => chars.push(w),
                    _ => wide.push((line as u32, vec![w])),
                }
            }
        }
        LineIndex {
            line_starts,
            line_ends,
            wide,
            len: TextSize::of(text),
        }
    }

    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    pub fn len(&self) -> TextSize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == TextSize::from(0)
    }

    /// The line and UTF-8 byte column of an offset. Offsets past the end are clamped to the end;
    /// an offset between the `\r` and `\n` of a line break counts as the end of that line.
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let offset = offset.min(self.line_ends[line]);
        LineCol {
            line: line as u32,
            col: u32::from(offset - self.line_starts[line]),
        }
    }

    fn wide_chars(&self, line: u32) -> &[WideChar] {
        self.wide
            .binary_search_by_key(&line, |(l, _)| *l)
            .map_or(&[][..], |i| &self.wide[i].1)
    }

    /// The line and UTF-16 column of an offset.
    pub fn line_col_utf16(&self, offset: TextSize) -> LineCol {
        self.convert_col(self.line_col(offset), |w| u32::from(w.utf16_len))
    }

    /// The line and column in characters (Unicode scalar values), as editors show them.
    pub fn line_col_chars(&self, offset: TextSize) -> LineCol {
        self.convert_col(self.line_col(offset), |_| 1)
    }

    /// Turns a UTF-8 column into another unit; `units` gives a wide character's size in it.
    fn convert_col(&self, lc: LineCol, units: impl Fn(&WideChar) -> u32) -> LineCol {
        let mut col = lc.col;
        for w in self.wide_chars(lc.line) {
            if w.col >= lc.col {
                break;
            }
            col = col - u32::from(w.utf8_len) + units(w);
        }
        LineCol { line: lc.line, col }
    }

    fn line_bounds(&self, line: u32) -> Option<(TextSize, TextSize)> {
        let line = line as usize;
        Some((*self.line_starts.get(line)?, *self.line_ends.get(line)?))
    }

    /// The offset of a line and UTF-8 column; `None` past the last line or past the end of the
    /// line's text (its terminator excluded).
    pub fn offset(&self, lc: LineCol) -> Option<TextSize> {
        let (start, end) = self.line_bounds(lc.line)?;
        let offset = u64::from(u32::from(start)) + u64::from(lc.col);
        (offset <= u64::from(u32::from(end))).then(|| TextSize::from(offset as u32))
    }

    /// The offset of a line and UTF-16 column; `None` past the last line. A column inside a
    /// surrogate pair is moved to the start of that character, and a column past the end of
    /// the line to the end of the line's text (as LSP asks of servers).
    pub fn offset_utf16(&self, lc: LineCol) -> Option<TextSize> {
        let (start, end) = self.line_bounds(lc.line)?;
        let mut utf8 = 0u32;
        let mut utf16 = 0u32;
        let mut last = 0u32;
        for w in self.wide_chars(lc.line) {
            // The ASCII run before this wide character.
            let ascii = w.col - last;
            if utf16 + ascii >= lc.col {
                return Some((start + TextSize::from(utf8 + (lc.col - utf16))).min(end));
            }
            utf8 += ascii;
            utf16 += ascii;
            if utf16 + u32::from(w.utf16_len) > lc.col {
                return Some(start + TextSize::from(utf8));
            }
            utf8 += u32::from(w.utf8_len);
            utf16 += u32::from(w.utf16_len);
            last = w.col + u32::from(w.utf8_len);
        }
        let rest = u64::from(lc.col - utf16);
        let offset = u64::from(u32::from(start) + utf8) + rest;
        Some(TextSize::from(offset.min(u64::from(u32::from(end))) as u32))
    }

    /// The range of a whole line, its terminator excluded.
    pub fn line_range(&self, line: u32) -> Option<TextRange> {
        let (start, end) = self.line_bounds(line)?;
        Some(TextRange::new(start, end))
    }
}
