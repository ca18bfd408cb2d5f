//! An open document: the editor's text as a rope, its version, and its database input.

use gene_syntax::db::SourceFile;
use ropey::Rope;
use tower_lsp_server::lsp_types::TextDocumentContentChangeEvent;

use crate::position::{LineMap, PositionEncoding};

#[derive(Clone)]
pub struct Document {
    /// The version the client gave the text; diagnostics are published for it.
    pub version: i32,
    /// Distinguishes this opening of the document from earlier ones, whose versions the
    /// client may number the same way again.
    pub open_id: u64,
    pub rope: Rope,
    /// The database input that holds the same text.
    pub file: SourceFile,
}

/// Which text of a document a result was computed from: results for any other stamp are stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub open_id: u64,
    pub version: i32,
}

/// What went wrong applying a change; the change is still applied, clamped to the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeWarning(pub String);

impl Document {
    pub fn new(version: i32, open_id: u64, text: &str, file: SourceFile) -> Document {
        Document {
            version,
            open_id,
            rope: Rope::from_str(text),
            file,
        }
    }

    /// Applies one content change: a whole new text, or a range replaced.
    ///
    /// A range that reaches past the last line is clamped to the end of the document and
    /// reported, so a client that is out of step cannot stop the server; the next full sync or
    /// reopen puts the two back in step.
    pub fn apply_change(
        &mut self,
        change: &TextDocumentContentChangeEvent,
        encoding: PositionEncoding,
    ) -> Option<ChangeWarning> {
        let Some(range) = change.range else {
            self.rope = Rope::from_str(&change.text);
            return None;
        };
        let map = LineMap::new(&self.rope, encoding);
        let mut warning = None;
        let mut index = |p| {
            map.char_index(p).unwrap_or_else(|e| {
                warning = Some(ChangeWarning(format!(
                    "edit position {}:{} is outside the document ({e}); clamped to its end",
                    p.line, p.character
                )));
                map.char_index_clamped(p)
            })
        };
        let (a, b) = (index(range.start), index(range.end));
        let (start, end) = (a.min(b), a.max(b));
        self.rope.remove(start..end);
        self.rope.insert(start, &change.text);
        warning
    }

    pub fn stamp(&self) -> Stamp {
        Stamp {
            open_id: self.open_id,
            version: self.version,
        }
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gene_syntax::db::RootDatabase;
    use tower_lsp_server::lsp_types::{Position, Range};

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((l1, c1), (l2, c2))| {
                Range::new(Position::new(l1, c1), Position::new(l2, c2))
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_changes_in_utf16_around_astral_characters() {
        let db = RootDatabase::new();
        let file = SourceFile::new(&db, "t.gene".into(), "".into());
        let mut doc = Document::new(1, 0, "(say \"😀\")\n(x)", file);
        // Insert after the emoji: column 8 in UTF-16 (the emoji is two units).
        assert_eq!(
            doc.apply_change(
                &change(Some(((0, 8), (0, 8))), "!"),
                PositionEncoding::Utf16
            ),
            None
        );
        assert_eq!(doc.text(), "(say \"😀!\")\n(x)");
        // Replace across the line break.
        doc.apply_change(
            &change(Some(((0, 10), (1, 1))), ") ("),
            PositionEncoding::Utf16,
        );
        assert_eq!(doc.text(), "(say \"😀!\") (x)");
        // Full replacement.
        doc.apply_change(&change(None, "new"), PositionEncoding::Utf16);
        assert_eq!(doc.text(), "new");
    }

    #[test]
    fn utf8_columns_count_bytes() {
        let db = RootDatabase::new();
        let file = SourceFile::new(&db, "t.gene".into(), "".into());
        let mut doc = Document::new(1, 0, "é😀x", file);
        doc.apply_change(&change(Some(((0, 6), (0, 7))), "y"), PositionEncoding::Utf8);
        assert_eq!(doc.text(), "é😀y");
    }

    #[test]
    fn out_of_range_edits_are_clamped_and_reported() {
        let db = RootDatabase::new();
        let file = SourceFile::new(&db, "t.gene".into(), "".into());
        let mut doc = Document::new(1, 0, "ab\ncd", file);
        let warning = doc.apply_change(
            &change(Some(((7, 0), (9, 3))), "!"),
            PositionEncoding::Utf16,
        );
        assert!(warning.is_some());
        assert_eq!(doc.text(), "ab\ncd!");
        // Reversed ranges are put in order rather than refused.
        doc.apply_change(
            &change(Some(((0, 2), (0, 0))), "X"),
            PositionEncoding::Utf16,
        );
        assert_eq!(doc.text(), "X\ncd!");
    }
}
