//! Byte offset <-> line/column conversion, in UTF-8 bytes and in UTF-16 code units (what LSP
//! clients count by default).

use rowan::{TextRange, TextSize};

/// A zero-based line and column. The column counts UTF-8 bytes or UTF-16 units, as the method
/// that produced it says.
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
    /// Non-ASCII characters per line; only lines that have any are listed.
    wide: Vec<(u32, Vec<WideChar>)>,
    len: TextSize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![TextSize::from(0)];
        let mut wide = Vec::new();
        let mut current_wide: Vec<WideChar> = Vec::new();
        let mut line = 0u32;
        let mut line_start = 0usize;
        if text.is_ascii() {
            line_starts.extend(
                text.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| TextSize::from(i as u32 + 1)),
            );
        } else {
            for (i, c) in text.char_indices() {
                if c == '\n' {
                    if !current_wide.is_empty() {
                        wide.push((line, std::mem::take(&mut current_wide)));
                    }
                    line += 1;
                    line_start = i + 1;
                    line_starts.push(TextSize::from(line_start as u32));
                } else if !c.is_ascii() {
                    current_wide.push(WideChar {
                        col: (i - line_start) as u32,
                        utf8_len: c.len_utf8() as u8,
                        utf16_len: c.len_utf16() as u8,
                    });
                }
            }
            if !current_wide.is_empty() {
                wide.push((line, current_wide));
            }
        }
        LineIndex {
            line_starts,
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

    /// The line and UTF-8 byte column of an offset (clamped to the text).
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
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
        let LineCol { line, col } = self.line_col(offset);
        let mut utf16 = col;
        for w in self.wide_chars(line) {
            if w.col >= col {
                break;
            }
            utf16 = utf16 - u32::from(w.utf8_len) + u32::from(w.utf16_len);
        }
        LineCol { line, col: utf16 }
    }

    /// The line and column in characters (Unicode scalar values), as editors show them.
    pub fn line_col_chars(&self, offset: TextSize) -> LineCol {
        let LineCol { line, col } = self.line_col(offset);
        let mut chars = col;
        for w in self.wide_chars(line) {
            if w.col >= col {
                break;
            }
            chars = chars - u32::from(w.utf8_len) + 1;
        }
        LineCol { line, col: chars }
    }

    /// The offset of a line and UTF-8 column; `None` past the end of the text or of the line.
    pub fn offset(&self, lc: LineCol) -> Option<TextSize> {
        let start = *self.line_starts.get(lc.line as usize)?;
        let end = self
            .line_starts
            .get(lc.line as usize + 1)
            .copied()
            .unwrap_or(self.len);
        let offset = start + TextSize::from(lc.col);
        (offset <= end).then_some(offset)
    }

    /// The offset of a line and UTF-16 column. A column inside a surrogate pair or past the end
    /// of the line is clamped to the nearest character boundary before it / the line end.
    pub fn offset_utf16(&self, lc: LineCol) -> Option<TextSize> {
        let start = *self.line_starts.get(lc.line as usize)?;
        let line_end = self
            .line_starts
            .get(lc.line as usize + 1)
            .copied()
            .unwrap_or(self.len);
        let mut utf8 = 0u32;
        let mut utf16 = 0u32;
        let mut last = 0u32;
        for w in self.wide_chars(lc.line) {
            // ASCII run before this wide char
            let ascii = w.col - last;
            if utf16 + ascii >= lc.col {
                return Some((start + TextSize::from(utf8 + (lc.col - utf16))).min(line_end));
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
        Some((start + TextSize::from(utf8 + (lc.col - utf16))).min(line_end))
    }

    /// The range of a whole line, its newline excluded.
    pub fn line_range(&self, line: u32) -> Option<TextRange> {
        let start = *self.line_starts.get(line as usize)?;
        let end = self
            .line_starts
            .get(line as usize + 1)
            .map_or(self.len, |&e| e - TextSize::from(1));
        Some(TextRange::new(start, end.max(start)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_wide() {
        let text = "ab\nx😀y\n\né";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        let y = TextSize::from(text.find('y').unwrap() as u32);
        assert_eq!(index.line_col(y), LineCol { line: 1, col: 5 });
        assert_eq!(index.line_col_utf16(y), LineCol { line: 1, col: 3 });
        assert_eq!(index.line_col_chars(y), LineCol { line: 1, col: 2 });
        assert_eq!(index.offset_utf16(LineCol { line: 1, col: 3 }), Some(y));
        assert_eq!(index.offset(LineCol { line: 1, col: 5 }), Some(y));
        // Inside the surrogate pair: clamped to the start of the emoji.
        assert_eq!(
            index.offset_utf16(LineCol { line: 1, col: 2 }),
            Some(TextSize::from(4))
        );
        assert_eq!(
            index.line_col(TextSize::of(text)),
            LineCol { line: 3, col: 2 }
        );
        assert_eq!(index.offset(LineCol { line: 9, col: 0 }), None);
    }
}
