//! Go to definition, find references, document highlight and rename: `gene_syntax::ide` results
//! as LSP locations and workspace edits, across files.

use std::collections::HashMap;

use gene_syntax::ide;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::{
    DocumentChanges, DocumentHighlight, DocumentHighlightKind, GotoDefinitionResponse, Location,
    OneOf, OptionalVersionedTextDocumentIdentifier, Position, PrepareRenameResponse,
    TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use crate::locations::Locator;
use crate::position::LineMap;
use crate::state::{DocSnapshot, Snapshot};

/// `RequestFailed` (LSP 3.17): a valid request the server could not carry out; clients show
/// its message.
pub const REQUEST_FAILED: i64 = -32803;

pub fn request_failed(message: impl Into<String>) -> jsonrpc::Error {
    jsonrpc::Error {
        code: jsonrpc::ErrorCode::ServerError(REQUEST_FAILED),
        message: message.into().into(),
        data: None,
    }
}

/// The byte offset of `position` in `doc`, or InvalidParams.
pub fn offset(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    position: Position,
) -> Result<gene_syntax::TextSize> {
    doc.line_map(snapshot.encoding)
        .offset(position)
        .map_err(|e| jsonrpc::Error::invalid_params(e.to_string()))
}

pub fn definition(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    position: Position,
) -> Result<Option<GotoDefinitionResponse>> {
    let at = offset(snapshot, doc, position)?;
    let Some(target) = ide::definition(&snapshot.db, doc.file, at) else {
        return Ok(None);
    };
    Ok(Locator::new(snapshot)
        .location(target.file, target.range)
        .map(GotoDefinitionResponse::Scalar))
}

pub fn references(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    position: Position,
    include_declaration: bool,
) -> Result<Option<Vec<Location>>> {
    let at = offset(snapshot, doc, position)?;
    let found = ide::references(&snapshot.db, doc.file, at, include_declaration);
    let mut locator = Locator::new(snapshot);
    let locations: Vec<Location> = found
        .into_iter()
        .filter_map(|n| locator.location(n.file, n.range))
        .collect();
    Ok(Some(locations))
}

/// The uses of the name under the cursor in this document; its declaration is a write.
pub fn highlights(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    position: Position,
) -> Result<Option<Vec<DocumentHighlight>>> {
    let at = offset(snapshot, doc, position)?;
    let declaration = ide::definition(&snapshot.db, doc.file, at)
        .filter(|d| d.file == doc.file)
        .map(|d| d.range);
    let map = doc.line_map(snapshot.encoding);
    let highlights = ide::highlights(&snapshot.db, doc.file, at)
        .into_iter()
        .map(|range| DocumentHighlight {
            range: map.range(range),
            kind: Some(if Some(range) == declaration {
                DocumentHighlightKind::WRITE
            } else {
                DocumentHighlightKind::READ
            }),
        })
        .collect();
    Ok(Some(highlights))
}

/// The range to rename; a name that cannot be renamed (a builtin, nothing under the cursor)
/// is refused with the reason, which the client shows.
pub fn prepare_rename(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    position: Position,
) -> Result<Option<PrepareRenameResponse>> {
    let at = offset(snapshot, doc, position)?;
    match ide::prepare_rename(&snapshot.db, doc.file, at) {
        Ok(range) => Ok(Some(PrepareRenameResponse::Range(
            doc.line_map(snapshot.encoding).range(range),
        ))),
        Err(reason) => Err(request_failed(reason)),
    }
}

pub fn rename(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    position: Position,
    new_name: &str,
    document_changes: bool,
) -> Result<Option<WorkspaceEdit>> {
    let at = offset(snapshot, doc, position)?;
    let edits = ide::rename(&snapshot.db, doc.file, at, new_name).map_err(request_failed)?;
    let mut locator = Locator::new(snapshot);
    // Per file, in first-seen order (the current document first: `references` sorts so).
    let mut by_file: Vec<(Uri, Option<i32>, Vec<TextEdit>)> = Vec::new();
    for (file, edit) in edits {
        let Some(text) = locator.file(file) else {
            continue;
        };
        let range = LineMap::new(&text.rope, snapshot.encoding).range(edit.range);
        let edit = TextEdit::new(range, edit.new_text);
        match by_file.iter_mut().find(|(uri, _, _)| *uri == text.uri) {
            Some((_, _, list)) => list.push(edit),
            None => by_file.push((text.uri.clone(), text.version, vec![edit])),
        }
    }
    let edit = if document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(
                by_file
                    .into_iter()
                    .map(|(uri, version, edits)| TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                        edits: edits.into_iter().map(OneOf::Left).collect(),
                    })
                    .collect(),
            )),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(
                by_file
                    .into_iter()
                    .map(|(uri, _, edits)| (uri, edits))
                    .collect::<HashMap<_, _>>(),
            ),
            ..Default::default()
        }
    };
    Ok(Some(edit))
}
