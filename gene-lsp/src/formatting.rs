//! Document and range formatting through `gene_syntax::format`.
//!
//! The answer is the smallest edit that turns the text into the formatted one (the changed
//! middle between the common prefix and suffix), so the editor keeps the cursor, the selection
//! and the undo history of untouched lines.

use gene_syntax::db;
use gene_syntax::format::{self, FormatError};
use gene_syntax::{TextRange, TextSize};
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::{Range, TextEdit};

use crate::navigation::request_failed;
use crate::state::{DocSnapshot, Snapshot};

fn refused(e: FormatError) -> jsonrpc::Error {
    request_failed(format!("Gene: cannot format: {e}"))
}

/// The range of `old` that must be replaced, and by which part of `new`, to get `new`; `None`
/// when they are equal. Both ends fall on character boundaries.
pub fn minimal_edit(old: &str, new: &str) -> Option<(TextRange, String)> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let range = TextRange::new(
        TextSize::from(prefix as u32),
        TextSize::from((old.len() - suffix) as u32),
    );
    Some((range, new[prefix..new.len() - suffix].to_string()))
}

pub fn format_document(snapshot: &Snapshot, doc: &DocSnapshot) -> Result<Option<Vec<TextEdit>>> {
    let parse = db::parse(&snapshot.db, doc.file);
    let formatted = format::format(parse).map_err(refused)?;
    let old = doc.file.text(&snapshot.db);
    let map = doc.line_map(snapshot.encoding);
    Ok(Some(
        minimal_edit(old, &formatted)
            .map(|(range, text)| TextEdit::new(map.range(range), text))
            .into_iter()
            .collect(),
    ))
}

pub fn format_range(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    range: Range,
) -> Result<Option<Vec<TextEdit>>> {
    let map = doc.line_map(snapshot.encoding);
    let range = map
        .text_range(range)
        .map_err(|e| jsonrpc::Error::invalid_params(e.to_string()))?;
    let parse = db::parse(&snapshot.db, doc.file);
    let Some((replaced, formatted)) = format::format_range(parse, range).map_err(refused)? else {
        return Ok(Some(Vec::new()));
    };
    let old = doc.file.text(&snapshot.db);
    let Some(old_part) = old.get(std::ops::Range::<usize>::from(replaced)) else {
        return Ok(Some(Vec::new()));
    };
    Ok(Some(
        minimal_edit(old_part, &formatted)
            .map(|(inner, text)| TextEdit::new(map.range(inner + replaced.start()), text))
            .into_iter()
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, edit: Option<(TextRange, String)>) -> String {
        let mut out = old.to_string();
        if let Some((range, text)) = edit {
            out.replace_range(std::ops::Range::<usize>::from(range), &text);
        }
        out
    }

    #[test]
    fn the_edit_covers_only_what_changed() {
        let (old, new) = ("(f  1)\n(g 2)\n", "(f 1)\n(g 2)\n");
        let edit = minimal_edit(old, new).unwrap();
        assert_eq!(edit.0, TextRange::new(3.into(), 4.into()));
        assert_eq!(apply(old, Some(edit)), new);
        assert_eq!(minimal_edit(new, new), None);
        // Shared bytes inside different characters do not split them (é and è share a byte).
        for (old, new) in [
            ("aéb", "aèb"),
            ("x", "xx"),
            ("aa", "a"),
            ("", "z"),
            ("😀", "😁"),
        ] {
            let edit = minimal_edit(old, new);
            assert_eq!(apply(old, edit), new, "{old:?} -> {new:?}");
        }
    }
}
