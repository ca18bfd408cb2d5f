//! Offsets <-> line/column in UTF-8 bytes, UTF-16 units and characters; `\n`, `\r\n` and a
//! lone `\r` end lines, as LSP counts them.

use gene_syntax::{LineCol, LineIndex, TextSize};

fn lc(line: u32, col: u32) -> LineCol {
    LineCol { line, col }
}

fn at(text: &str, needle: &str) -> TextSize {
    TextSize::from(text.find(needle).expect("needle in text") as u32)
}

#[test]
fn ascii_lines() {
    let text = "ab\ncd\n\nef";
    let index = LineIndex::new(text);
    assert_eq!(index.line_count(), 4);
    assert_eq!(index.line_col(at(text, "d")), lc(1, 1));
    assert_eq!(index.line_col(at(text, "e")), lc(3, 0));
    assert_eq!(index.line_col(TextSize::of(text)), lc(3, 2));
    assert_eq!(index.offset(lc(1, 1)), Some(at(text, "d")));
    assert_eq!(index.offset(lc(2, 0)), Some(TextSize::from(6)));
    assert_eq!(index.offset(lc(1, 3)), None, "past the end of the line");
    assert_eq!(index.offset(lc(4, 0)), None, "past the last line");
    assert_eq!(index.line_range(1).map(|r| &text[r]), Some("cd"));
    assert_eq!(index.line_range(2).map(|r| &text[r]), Some(""));
}

#[test]
fn utf16_columns_and_surrogate_pairs() {
    let text = "x😀y é z\n🙂";
    let index = LineIndex::new(text);
    let y = at(text, "y");
    assert_eq!(index.line_col(y), lc(0, 5), "bytes");
    assert_eq!(index.line_col_utf16(y), lc(0, 3), "😀 is two UTF-16 units");
    assert_eq!(index.line_col_chars(y), lc(0, 2), "😀 is one character");
    let z = at(text, "z");
    assert_eq!(index.line_col_utf16(z), lc(0, 7));
    assert_eq!(index.line_col_chars(z), lc(0, 6));
    assert_eq!(index.offset_utf16(lc(0, 3)), Some(y));
    assert_eq!(index.offset_utf16(lc(0, 7)), Some(z));
    // A column inside the surrogate pair moves to the start of the emoji.
    assert_eq!(index.offset_utf16(lc(0, 2)), Some(TextSize::from(1)));
    // Past the end of the line: the end of the line's text.
    assert_eq!(index.offset_utf16(lc(0, 99)), Some(at(text, "\n")));
    assert_eq!(index.offset_utf16(lc(0, u32::MAX)), Some(at(text, "\n")));
    assert_eq!(index.line_col_utf16(TextSize::of(text)), lc(1, 2));
    assert_eq!(index.offset_utf16(lc(1, 2)), Some(TextSize::of(text)));
    assert_eq!(index.offset_utf16(lc(2, 0)), None);
}

#[test]
fn every_offset_round_trips() {
    let text = "a😀b\r\néé\rx\n\u{10000}\u{FFFF}z\n";
    let index = LineIndex::new(text);
    for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
        let offset = TextSize::from(offset as u32);
        let utf8 = index.line_col(offset);
        let utf16 = index.line_col_utf16(offset);
        // Offsets inside a `\r\n` pair are at the end of the line, not in the pair.
        if text[..usize::from(offset)].ends_with('\r')
            && text[usize::from(offset)..].starts_with('\n')
        {
            continue;
        }
        assert_eq!(index.offset(utf8), Some(offset), "utf-8 {utf8:?}");
        assert_eq!(index.offset_utf16(utf16), Some(offset), "utf-16 {utf16:?}");
    }
}

#[test]
fn crlf_and_lone_cr_end_lines() {
    let text = "one\r\ntwo\rthree\n";
    let index = LineIndex::new(text);
    assert_eq!(index.line_count(), 4);
    assert_eq!(index.line_col(at(text, "two")), lc(1, 0));
    assert_eq!(index.line_col(at(text, "three")), lc(2, 0));
    assert_eq!(
        index.line_range(0).map(|r| &text[r]),
        Some("one"),
        "no `\\r` in the line"
    );
    assert_eq!(index.line_range(1).map(|r| &text[r]), Some("two"));
    assert_eq!(index.line_range(2).map(|r| &text[r]), Some("three"));
    // The `\n` of `\r\n` counts as the end of its line.
    assert_eq!(index.line_col(TextSize::from(4)), lc(0, 3));
    assert_eq!(index.line_col(TextSize::from(3)), lc(0, 3));
    assert_eq!(
        index.offset(lc(0, 4)),
        None,
        "the terminator is not a column"
    );
    assert_eq!(index.line_col(TextSize::of(text)), lc(3, 0));
}

#[test]
fn empty_text_and_clamping() {
    let index = LineIndex::new("");
    assert!(index.is_empty());
    assert_eq!(index.line_count(), 1);
    assert_eq!(index.line_col(TextSize::from(10)), lc(0, 0));
    assert_eq!(index.offset(lc(0, 0)), Some(TextSize::from(0)));
    assert_eq!(index.offset(lc(0, u32::MAX)), None);
    assert_eq!(index.offset_utf16(lc(0, 5)), Some(TextSize::from(0)));
}

#[test]
fn columns_of_syntax_errors_in_a_crlf_file() {
    let text = "(ok)\r\n(f \"é😀\" 3px)\r\n";
    let parse = gene_syntax::parse_text(text);
    let index = LineIndex::new(text);
    let error = &parse.errors()[0];
    assert_eq!(error.code(), "E005");
    assert_eq!(index.line_col(error.range.start()), lc(1, 12));
    assert_eq!(index.line_col_utf16(error.range.start()), lc(1, 9));
    assert_eq!(index.line_col_chars(error.range.start()), lc(1, 8));
}
