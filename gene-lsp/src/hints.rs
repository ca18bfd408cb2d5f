//! What the editor shows inside the text: inlay hints (a call that returns a future) and code
//! lenses ("Run" and "Debug" at the top of the file and above `(fn main ...)`; the tests'
//! lenses come from `test_lenses.rs`).

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

/// The "Debug" lens's command: the editor starts a `gene` debug session (`gene dap`) for the
/// file given as `{uri}`. The client runs it; the server does not offer it.
pub const DEBUG_FILE_COMMAND: &str = "gene.debugFile";

/// "▶ Run" and "Debug" at `at`, both for the whole file.
fn file_lenses(doc: &DocSnapshot, at: Position) -> [CodeLens; 2] {
    let lens = |title: &str, command: &str| CodeLens {
        range: Range::new(at, at),
        command: Some(Command {
            title: title.to_string(),
            command: command.to_string(),
            arguments: Some(vec![json!({ "uri": doc.uri.as_str() })]),
        }),
        data: None,
    };
    [
        lens("▶ Run", RUN_FILE_COMMAND),
        lens("Debug", DEBUG_FILE_COMMAND),
    ]
}

/// "Run" and "Debug" at the top of the file, and above a top-level `(fn main ...)` unless
/// that is where the file starts. All run the whole file, as `gene run` does.
pub fn code_lenses(snapshot: &Snapshot, doc: &DocSnapshot) -> Result<Option<Vec<CodeLens>>> {
    let top = Position::new(0, 0);
    let mut lenses = file_lenses(doc, top).to_vec();
    let map = doc.line_map(snapshot.encoding);
    let main = ide::document_symbols(&snapshot.db, doc.file)
        .into_iter()
        .find(|s| s.kind == ide::SymbolKind::Function && s.name == "main");
    if let Some(main) = main {
        let at = map.position(main.range.start());
        if at.line > 0 {
            lenses.extend(file_lenses(doc, Position::new(at.line, 0)));
        }
    }
    lenses.extend(crate::test_lenses::lenses(snapshot, doc));
    Ok(Some(lenses))
}
