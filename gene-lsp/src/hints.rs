//! What the editor shows inside the text: inlay hints (a call that returns a future) and code
//! lenses ("Run" at the top of the file and above `(fn main ...)`; the tests' lenses come
//! from `test_lenses.rs`).

use gene_syntax::ide;
use serde_json::json;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::{
    CodeLens, Command, InlayHint, InlayHintKind, InlayHintLabel, InlayHintTooltip, Position, Range,
};

use crate::run::RUN_FILE_COMMAND;
use crate::state::{DocSnapshot, Snapshot};

pub fn inlay_hints(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    range: Range,
) -> Result<Option<Vec<InlayHint>>> {
    let map = doc.line_map(snapshot.encoding);
    let range = map
        .text_range(range)
        .map_err(|e| jsonrpc::Error::invalid_params(e.to_string()))?;
    let hints = ide::inlay_hints(&snapshot.db, doc.file, range)
        .into_iter()
        .map(|hint| InlayHint {
            position: map.position(hint.offset),
            label: InlayHintLabel::String(hint.label.trim_start().to_string()),
            kind: Some(InlayHintKind::TYPE),
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(hint.tooltip)),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect();
    Ok(Some(hints))
}

fn run_lens(doc: &DocSnapshot, at: Position, title: &str) -> CodeLens {
    CodeLens {
        range: Range::new(at, at),
        command: Some(Command {
            title: title.to_string(),
            command: RUN_FILE_COMMAND.to_string(),
            arguments: Some(vec![json!({ "uri": doc.uri.as_str() })]),
        }),
        data: None,
    }
}

/// "Run" at the top of the file, and above a top-level `(fn main ...)` unless that is where
/// the file starts. Both run the whole file, as `gene run` does.
pub fn code_lenses(snapshot: &Snapshot, doc: &DocSnapshot) -> Result<Option<Vec<CodeLens>>> {
    let top = Position::new(0, 0);
    let mut lenses = vec![run_lens(doc, top, "▶ Run")];
    let map = doc.line_map(snapshot.encoding);
    let main = ide::document_symbols(&snapshot.db, doc.file)
        .into_iter()
        .find(|s| s.kind == ide::SymbolKind::Function && s.name == "main");
    if let Some(main) = main {
        let at = map.position(main.range.start());
        if at.line > 0 {
            lenses.push(run_lens(doc, Position::new(at.line, 0), "▶ Run"));
        }
    }
    lenses.extend(crate::test_lenses::lenses(snapshot, doc));
    Ok(Some(lenses))
}
